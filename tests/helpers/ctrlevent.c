/*
 * ctrlevent.c: test helper of tests/suites/bitsadmin_transfer.sh (not a suite). It starts a
 * command on our console, waits until the suite creates a flag file (the moment to interrupt),
 * sends CTRL_C_EVENT to every process of the console (we ignore it ourselves) and exits with the
 * command's exit code, or 98 if it did not exit within 60 s after the event (it is then killed).
 * Wine 8 needs a real console for this: run it under script(1). Measured there: an event to a
 * process group (CREATE_NEW_PROCESS_GROUP + CTRL_BREAK_EVENT) fails with ERROR_INVALID_HANDLE,
 * and without a pty GenerateConsoleCtrlEvent fails with ERROR_INVALID_ACCESS.
 *
 * Usage: ctrlevent.exe <flag file> <command line>
 *
 * Copyright 2026 The wine-bits authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * This library is distributed in the hope that it will be useful,
 * but WITHOUT ANY WARRANTY; without even the implied warranty of
 * MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the GNU
 * Lesser General Public License for more details.
 *
 * You should have received a copy of the GNU Lesser General Public
 * License along with this library; if not, write to the Free Software
 * Foundation, Inc., 51 Franklin St, Fifth Floor, Boston, MA 02110-1301, USA
 */

#include <windows.h>
#include <stdio.h>

int wmain(int argc, WCHAR **argv)
{
    STARTUPINFOW si;
    PROCESS_INFORMATION pi;
    WCHAR *cmdline;
    DWORD code = 97;
    int i;

    if (argc < 3)
    {
        fprintf(stderr, "usage: ctrlevent <flag file> <command line>\n");
        return 2;
    }
    /* Skip the program name and the flag file in our own command line: the rest is the command. */
    cmdline = GetCommandLineW();
    for (i = 0; i < 2; i++)
    {
        BOOL quoted = FALSE;
        while (*cmdline == ' ' || *cmdline == '\t') cmdline++;
        for (; *cmdline && (quoted || (*cmdline != ' ' && *cmdline != '\t')); cmdline++)
            if (*cmdline == '"') quoted = !quoted;
    }
    while (*cmdline == ' ' || *cmdline == '\t') cmdline++;

    memset(&si, 0, sizeof(si));
    si.cb = sizeof(si);
    if (!CreateProcessW(NULL, cmdline, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi))
    {
        fprintf(stderr, "ctrlevent: CreateProcess failed: %lu\n", GetLastError());
        return 2;
    }
    /* Only now: the child must not inherit the "ignore Ctrl+C" flag. */
    SetConsoleCtrlHandler(NULL, TRUE);
    /* Wait (up to 120 s) for the flag file; stop early if the command ends by itself. */
    for (i = 0; i < 480 && GetFileAttributesW(argv[1]) == INVALID_FILE_ATTRIBUTES; i++)
        if (WaitForSingleObject(pi.hProcess, 250) == WAIT_OBJECT_0) break;

    if (WaitForSingleObject(pi.hProcess, 0) == WAIT_OBJECT_0)
        fprintf(stderr, "ctrlevent: the command ended before the event\n");
    else if (!GenerateConsoleCtrlEvent(CTRL_C_EVENT, 0))
        fprintf(stderr, "ctrlevent: GenerateConsoleCtrlEvent failed: %lu\n", GetLastError());
    else if (WaitForSingleObject(pi.hProcess, 60000) != WAIT_OBJECT_0)
    {
        fprintf(stderr, "ctrlevent: the command did not exit after the event\n");
        TerminateProcess(pi.hProcess, 98);
        WaitForSingleObject(pi.hProcess, 10000);
    }
    GetExitCodeProcess(pi.hProcess, &code);
    CloseHandle(pi.hThread);
    CloseHandle(pi.hProcess);
    return code;
}

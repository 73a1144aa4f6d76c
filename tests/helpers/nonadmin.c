/*
 * nonadmin.c: test helper of tests/suites/bitsadmin_util.sh (not a suite). Runs a command line
 * with our token restricted so that BUILTIN\Administrators is deny-only (a non-elevated user:
 * CheckTokenMembership says no), with our standard handles, and exits with its exit code
 * (97 if it could not be started). Wine 8 honours such a token (wine-notes "Who is calling").
 *
 * Usage: nonadmin.exe <command line>
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
    SID_IDENTIFIER_AUTHORITY nt = { SECURITY_NT_AUTHORITY };
    SID_AND_ATTRIBUTES deny = { 0 };
    PROCESS_INFORMATION pi;
    STARTUPINFOW si;
    HANDLE token, restricted;
    WCHAR *cmdline;
    DWORD code = 97;
    BOOL quoted = FALSE;

    if (argc < 2)
    {
        fprintf(stderr, "usage: nonadmin <command line>\n");
        return 2;
    }
    /* The command line after our own program name. */
    for (cmdline = GetCommandLineW(); *cmdline && (quoted || (*cmdline != ' ' && *cmdline != '\t')); cmdline++)
        if (*cmdline == '"') quoted = !quoted;
    while (*cmdline == ' ' || *cmdline == '\t') cmdline++;

    if (!AllocateAndInitializeSid(&nt, 2, SECURITY_BUILTIN_DOMAIN_RID, DOMAIN_ALIAS_RID_ADMINS, 0, 0, 0, 0, 0, 0,
                                  &deny.Sid)
        || !OpenProcessToken(GetCurrentProcess(), TOKEN_ALL_ACCESS, &token)
        || !CreateRestrictedToken(token, 0, 1, &deny, 0, NULL, 0, NULL, &restricted))
    {
        fprintf(stderr, "nonadmin: cannot make the token: %lu\n", GetLastError());
        return 97;
    }
    memset(&si, 0, sizeof(si));
    si.cb = sizeof(si);
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
    si.hStdOutput = GetStdHandle(STD_OUTPUT_HANDLE);
    si.hStdError = GetStdHandle(STD_ERROR_HANDLE);
    if (!CreateProcessAsUserW(restricted, NULL, cmdline, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi))
    {
        fprintf(stderr, "nonadmin: CreateProcessAsUser failed: %lu\n", GetLastError());
        return 97;
    }
    WaitForSingleObject(pi.hProcess, INFINITE);
    GetExitCodeProcess(pi.hProcess, &code);
    CloseHandle(pi.hProcess);
    CloseHandle(pi.hThread);
    return code;
}

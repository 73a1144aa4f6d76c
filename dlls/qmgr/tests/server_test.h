/*
 * server_test.h: helpers of the conformance tests that run against the harness's loopback
 * servers (tests/servers): their BITS_* environment variables, Unix paths seen from Wine,
 * waiting for a job state, comparing files and reading a server's request log.
 * Include after wine/test.h.
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

#ifndef __SERVER_TEST_H
#define __SERVER_TEST_H

static inline BOOL get_env(const char *name, char *buf, DWORD size)
{
    DWORD len = GetEnvironmentVariableA(name, buf, size);
    return len && len < size;
}

/* A Unix path of the harness seen from Wine: Z: is the root. A path that is already a Windows
 * one (C:\..., \\server\share\...: the servers' files shared with a Windows machine) is kept. */
static inline void unix_to_dos(const char *unix_path, WCHAR *out)
{
    WCHAR *p;
    if (unix_path[0] == '\\' || (unix_path[0] && unix_path[1] == ':'))
        swprintf(out, MAX_PATH, L"%hs", unix_path);
    else
        swprintf(out, MAX_PATH, L"Z:%hs", unix_path);
    for (p = out; *p; p++) if (*p == '/') *p = '\\';
}

/* Wait until the job reaches one of the states in mask (bits of 1 << state). */
static inline BG_JOB_STATE wait_state(IBackgroundCopyJob *job, DWORD mask, DWORD timeout)
{
    BG_JOB_STATE state = BG_JOB_STATE_QUEUED;
    DWORD start = GetTickCount();

    do
    {
        if (FAILED(IBackgroundCopyJob_GetState(job, &state))) break;
        if (mask & (1u << state)) break;
        Sleep(50);
    } while (GetTickCount() - start < timeout);
    return state;
}

/* Compare count bytes at offset of two files (count -1: to the end; then the sizes must match). */
static inline BOOL files_equal_at(const WCHAR *a, const WCHAR *b, UINT64 offset, UINT64 count)
{
    HANDLE fa = CreateFileW(a, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                            OPEN_EXISTING, 0, NULL);
    HANDLE fb = CreateFileW(b, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                            OPEN_EXISTING, 0, NULL);
    static char bufa[65536], bufb[65536];
    LARGE_INTEGER pos;
    DWORD ra, rb;
    BOOL same = fa != INVALID_HANDLE_VALUE && fb != INVALID_HANDLE_VALUE;

    pos.QuadPart = offset;
    if (same) same = SetFilePointerEx(fa, pos, NULL, FILE_BEGIN) && SetFilePointerEx(fb, pos, NULL, FILE_BEGIN);
    while (same && count)
    {
        DWORD want = (DWORD)min(count, (UINT64)sizeof(bufa));
        if (!ReadFile(fa, bufa, want, &ra, NULL) || !ReadFile(fb, bufb, want, &rb, NULL)
            || ra != rb || memcmp(bufa, bufb, ra))
            same = FALSE;
        else if (!ra)
            break;
        else if (count != ~(UINT64)0)
        {
            if (ra < want) same = FALSE;
            count -= ra;
        }
    }
    if (fa != INVALID_HANDLE_VALUE) CloseHandle(fa);
    if (fb != INVALID_HANDLE_VALUE) CloseHandle(fb);
    return same;
}

static inline BOOL files_equal(const WCHAR *a, const WCHAR *b)
{
    return files_equal_at(a, b, 0, ~(UINT64)0);
}

/* The whole text of a log file of the harness (HeapFree it), or NULL. */
static inline char *read_log(const char *unix_path)
{
    WCHAR path[MAX_PATH];
    HANDLE file;
    char *buf = NULL;
    DWORD size, read;

    unix_to_dos(unix_path, path);
    file = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING, 0, NULL);
    if (file == INVALID_HANDLE_VALUE) return NULL;
    size = GetFileSize(file, NULL);
    if ((buf = HeapAlloc(GetProcessHeap(), 0, size + 1)))
    {
        if (ReadFile(file, buf, size, &read, NULL)) buf[read] = 0;
        else buf[0] = 0;
    }
    CloseHandle(file);
    return buf;
}

#endif /* __SERVER_TEST_H */

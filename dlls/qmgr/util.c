/*
 * util.c: string and memory helpers shared by every object of the service, its wall clock
 * (get_system_filetime; the test-only build can shift it, BITS_TEST_SEAM), and the opening of a
 * user's file as that user (open_file_as; the test-only build records who opened what).
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

#include "qmgr_private.h"

BITS_DEFAULT_DEBUG_CHANNEL(qmgr);

void *heap_alloc_zero(SIZE_T size)
{
    return HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, size);
}

#ifdef BITS_TEST_SEAM
/* Test-only build: a few blocks whose freeing a unit test waits for (heap_watch). */
static void *volatile watched[8];
static volatile LONG watched_freed[8];

void heap_watch(void *ptr, unsigned int slot)
{
    watched_freed[slot] = 0;
    watched[slot] = ptr;
}

BOOL heap_watched_freed(unsigned int slot)
{
    return watched_freed[slot];
}
#endif

void heap_free(void *ptr)
{
#ifdef BITS_TEST_SEAM
    unsigned int i;

    for (i = 0; ptr && i < ARRAYSIZE(watched); i++)
        if (watched[i] == ptr)
        {
            watched[i] = NULL;
            watched_freed[i] = 1;
        }
#endif
    HeapFree(GetProcessHeap(), 0, ptr);
}

WCHAR *heap_strdupW(const WCHAR *src)
{
    WCHAR *dst;
    SIZE_T size;

    if (!src) return NULL;
    size = (lstrlenW(src) + 1) * sizeof(WCHAR);
    if ((dst = HeapAlloc(GetProcessHeap(), 0, size))) memcpy(dst, src, size);
    return dst;
}

/* Every string handed to a client is a CoTaskMemAlloc'd copy: the client frees it with CoTaskMemFree. */
HRESULT strdup_for_client(const WCHAR *src, WCHAR **dst)
{
    SIZE_T size;

    if (!src)
    {
        *dst = NULL;
        return S_OK;
    }
    size = (lstrlenW(src) + 1) * sizeof(WCHAR);
    if (!(*dst = CoTaskMemAlloc(size))) return E_OUTOFMEMORY;
    memcpy(*dst, src, size);
    return S_OK;
}

#ifdef BITS_TEST_SEAM
static LONGLONG clock_offset;          /* 100 ns units, added to the system time */

void clock_set_test_offset(LONGLONG offset)
{
    InterlockedExchange64(&clock_offset, offset);
    lifetime_wake();
}
#endif

void get_system_filetime(FILETIME *ft)
{
    GetSystemTimeAsFileTime(ft);
#ifdef BITS_TEST_SEAM
    {
        ULARGE_INTEGER t;
        t.LowPart = ft->dwLowDateTime;
        t.HighPart = ft->dwHighDateTime;
        t.QuadPart += InterlockedCompareExchange64(&clock_offset, 0, 0);
        ft->dwLowDateTime = t.LowPart;
        ft->dwHighDateTime = t.HighPart;
    }
#endif
}

/* Write all of data: a short write (a nearly full disk) is continued, so that the real error,
 * e.g. ERROR_DISK_FULL, is what the caller sees. */
HRESULT write_output(HANDLE file, const void *data, DWORD size)
{
    const BYTE *p = data;
    DWORD written;

    while (size)
    {
        if (!WriteFile(file, p, size, &written, NULL)) return HRESULT_FROM_WIN32(GetLastError());
        if (!written) return HRESULT_FROM_WIN32(ERROR_DISK_FULL);
        p += written;
        size -= written;
    }
    return S_OK;
}

#ifdef BITS_TEST_SEAM
/* Test-only build: the opens of one path by open_file_as, and who made them. */
static struct
{
    CRITICAL_SECTION cs;
    WCHAR path[MAX_PATH];
    struct open_record record;
} open_watch;
static INIT_ONCE open_watch_once = INIT_ONCE_STATIC_INIT;

static BOOL CALLBACK open_watch_init(INIT_ONCE *once, void *param, void **context)
{
    InitializeCriticalSection(&open_watch.cs);
    return TRUE;
}

void open_file_test_watch(const WCHAR *path)
{
    InitOnceExecuteOnce(&open_watch_once, open_watch_init, NULL, NULL);
    EnterCriticalSection(&open_watch.cs);
    lstrcpynW(open_watch.path, path, MAX_PATH);
    memset(&open_watch.record, 0, sizeof(open_watch.record));
    LeaveCriticalSection(&open_watch.cs);
}

void open_file_test_seen(struct open_record *record)
{
    InitOnceExecuteOnce(&open_watch_once, open_watch_init, NULL, NULL);
    EnterCriticalSection(&open_watch.cs);
    *record = open_watch.record;
    LeaveCriticalSection(&open_watch.cs);
}

/* Called right after the open, still as whoever opened it. */
static void open_watch_note(const WCHAR *path)
{
    HANDLE thread_token;

    InitOnceExecuteOnce(&open_watch_once, open_watch_init, NULL, NULL);
    EnterCriticalSection(&open_watch.cs);
    if (*open_watch.path && !wcsicmp(path, open_watch.path))
    {
        open_watch.record.opens++;
        if (OpenThreadToken(GetCurrentThread(), TOKEN_QUERY | TOKEN_DUPLICATE, TRUE, &thread_token))
        {
            open_watch.record.impersonated++;
            if (token_is_admin(thread_token)) open_watch.record.as_admin++;
            CloseHandle(thread_token);
        }
    }
    LeaveCriticalSection(&open_watch.cs);
}
#endif

/* A user's own file (a job's local source) is opened as that user, token a primary token of
 * theirs, so that a client gets only what it may read itself: Windows checks the access when
 * the file is opened, and reads through the handle need no more. Without a token (a job loaded
 * after a restart has none) it is opened as the service. On failure INVALID_HANDLE_VALUE, with
 * the error in GetLastError(). */
HANDLE open_file_as(HANDLE token, const WCHAR *path, DWORD access, DWORD flags)
{
    HANDLE file;
    DWORD err;

    if (token && !ImpersonateLoggedOnUser(token))
    {
        err = GetLastError();
        WARN("cannot impersonate the owner of %s: %lu\n", debugstr_w(path), err);
        SetLastError(err);
        return INVALID_HANDLE_VALUE;
    }
    if (!token) TRACE("no token of the owner: %s is opened as the service\n", debugstr_w(path));
    file = CreateFileW(path, access, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL, OPEN_EXISTING,
                       flags, NULL);
    err = file == INVALID_HANDLE_VALUE ? GetLastError() : ERROR_SUCCESS;
#ifdef BITS_TEST_SEAM
    open_watch_note(path);
#endif
    if (token)
    {
        /* Never go on as the user: the thread belongs to the service's pool. */
        if (!RevertToSelf()) ERR("cannot revert to the service's identity: %lu\n", GetLastError());
        TRACE("%s opened as the owner: %lu\n", debugstr_w(path), err);
    }
    SetLastError(err);
    return file;
}

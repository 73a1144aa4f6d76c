/*
 * util.c: string and memory helpers shared by every object of the service, and its wall clock
 * (get_system_filetime; the test-only build can shift it, BITS_TEST_SEAM).
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

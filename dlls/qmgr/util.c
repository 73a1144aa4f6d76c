/*
 * util.c: string and memory helpers shared by every object of the service.
 */

#include "qmgr_private.h"

void *heap_alloc_zero(SIZE_T size)
{
    return HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, size);
}

void heap_free(void *ptr)
{
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

/* Every string handed to a client is a CoTaskMemAlloc'd copy (spec 0). */
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

void get_system_filetime(FILETIME *ft)
{
    GetSystemTimeAsFileTime(ft);
}

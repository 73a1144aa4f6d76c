/*
 * enum.c: IEnumBackgroundCopyJobs and IEnumBackgroundCopyFiles.
 * Owns: a snapshot of referenced objects taken when the enumerator was made (as in BITS:
 * later jobs are not included, property reads stay live) and the current position.
 * Both interfaces have the same shape and share one implementation.
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

struct bits_enum
{
    IEnumBackgroundCopyJobs IEnumBackgroundCopyJobs_iface;
    IEnumBackgroundCopyFiles IEnumBackgroundCopyFiles_iface;
    LONG refs;
    BOOL files;                        /* which of the two interfaces this enumerator is */
    IUnknown **items;
    ULONG count;
    LONG position;                     /* interlocked */
};

static inline struct bits_enum *impl_from_IEnumBackgroundCopyJobs(IEnumBackgroundCopyJobs *iface)
{
    return CONTAINING_RECORD(iface, struct bits_enum, IEnumBackgroundCopyJobs_iface);
}

static inline struct bits_enum *impl_from_IEnumBackgroundCopyFiles(IEnumBackgroundCopyFiles *iface)
{
    return CONTAINING_RECORD(iface, struct bits_enum, IEnumBackgroundCopyFiles_iface);
}

static struct bits_enum *enum_alloc(ULONG count, BOOL files);
static void enum_add(struct bits_enum *e, IUnknown *item);

static HRESULT bits_enum_query_interface(struct bits_enum *e, REFIID riid, void **obj)
{
    if (!obj) return E_POINTER;
    if (IsEqualGUID(riid, &IID_IUnknown)
        || (!e->files && IsEqualGUID(riid, &IID_IEnumBackgroundCopyJobs))
        || (e->files && IsEqualGUID(riid, &IID_IEnumBackgroundCopyFiles)))
    {
        *obj = e->files ? (void *)&e->IEnumBackgroundCopyFiles_iface : (void *)&e->IEnumBackgroundCopyJobs_iface;
        InterlockedIncrement(&e->refs);
        return S_OK;
    }
    *obj = NULL;
    return E_NOINTERFACE;
}

static ULONG bits_enum_release(struct bits_enum *e)
{
    ULONG refs = InterlockedDecrement(&e->refs), i;

    TRACE("(%p) refs %lu\n", e, refs);
    if (!refs)
    {
        for (i = 0; i < e->count; i++) IUnknown_Release(e->items[i]);
        heap_free(e->items);
        heap_free(e);
    }
    return refs;
}

/* fetched may be NULL only when one item is asked for. */
static HRESULT bits_enum_next(struct bits_enum *e, ULONG celt, IUnknown **out, ULONG *fetched)
{
    ULONG got = 0;

    if (!out || (!fetched && celt != 1)) return E_INVALIDARG;
    /* Without fetched the proxy sends all celt slots back: none may be left undefined. */
    for (got = 0; got < celt; got++) out[got] = NULL;
    got = 0;
    while (got < celt)
    {
        LONG pos = e->position;
        if ((ULONG)pos >= e->count) break;
        if (InterlockedCompareExchange(&e->position, pos + 1, pos) != pos) continue;
        out[got] = e->items[pos];
        IUnknown_AddRef(out[got]);
        got++;
    }
    if (fetched) *fetched = got;
    return got == celt ? S_OK : S_FALSE;
}

static HRESULT bits_enum_skip(struct bits_enum *e, ULONG celt)
{
    LONG pos, next;

    do
    {
        pos = e->position;
        next = (ULONG)pos + celt > e->count ? (LONG)e->count : pos + (LONG)celt;
    } while (InterlockedCompareExchange(&e->position, next, pos) != pos);
    return (ULONG)(next - pos) == celt ? S_OK : S_FALSE;
}

static HRESULT bits_enum_reset(struct bits_enum *e)
{
    InterlockedExchange(&e->position, 0);
    return S_OK;
}

/* The clone has the same snapshot and starts where the original is. */
static HRESULT bits_enum_clone(struct bits_enum *e, struct bits_enum **out)
{
    ULONG i;

    if (!(*out = enum_alloc(e->count, e->files))) return E_OUTOFMEMORY;
    for (i = 0; i < e->count; i++) enum_add(*out, e->items[i]);
    (*out)->position = e->position;
    return S_OK;
}

static HRESULT bits_enum_get_count(struct bits_enum *e, ULONG *count)
{
    if (!count) return E_INVALIDARG;
    *count = e->count;
    return S_OK;
}

static HRESULT WINAPI enum_jobs_QueryInterface(IEnumBackgroundCopyJobs *iface, REFIID riid, void **obj)
{
    return bits_enum_query_interface(impl_from_IEnumBackgroundCopyJobs(iface), riid, obj);
}

static ULONG WINAPI enum_jobs_AddRef(IEnumBackgroundCopyJobs *iface)
{
    return InterlockedIncrement(&impl_from_IEnumBackgroundCopyJobs(iface)->refs);
}

static ULONG WINAPI enum_jobs_Release(IEnumBackgroundCopyJobs *iface)
{
    return bits_enum_release(impl_from_IEnumBackgroundCopyJobs(iface));
}

static HRESULT WINAPI enum_jobs_Next(IEnumBackgroundCopyJobs *iface, ULONG celt, IBackgroundCopyJob **jobs, ULONG *fetched)
{
    TRACE("(%p)->(%lu %p %p)\n", iface, celt, jobs, fetched);
    return bits_enum_next(impl_from_IEnumBackgroundCopyJobs(iface), celt, (IUnknown **)jobs, fetched);
}

static HRESULT WINAPI enum_jobs_Skip(IEnumBackgroundCopyJobs *iface, ULONG celt)
{
    TRACE("(%p)->(%lu)\n", iface, celt);
    return bits_enum_skip(impl_from_IEnumBackgroundCopyJobs(iface), celt);
}

static HRESULT WINAPI enum_jobs_Reset(IEnumBackgroundCopyJobs *iface)
{
    TRACE("(%p)\n", iface);
    return bits_enum_reset(impl_from_IEnumBackgroundCopyJobs(iface));
}

static HRESULT WINAPI enum_jobs_Clone(IEnumBackgroundCopyJobs *iface, IEnumBackgroundCopyJobs **out)
{
    struct bits_enum *clone;
    HRESULT hr;

    TRACE("(%p)->(%p)\n", iface, out);

    if (!out) return E_INVALIDARG;
    *out = NULL;
    if (SUCCEEDED(hr = bits_enum_clone(impl_from_IEnumBackgroundCopyJobs(iface), &clone)))
        *out = &clone->IEnumBackgroundCopyJobs_iface;
    return hr;
}

static HRESULT WINAPI enum_jobs_GetCount(IEnumBackgroundCopyJobs *iface, ULONG *count)
{
    TRACE("(%p)->(%p)\n", iface, count);
    return bits_enum_get_count(impl_from_IEnumBackgroundCopyJobs(iface), count);
}

static const IEnumBackgroundCopyJobsVtbl enum_jobs_vtbl =
{
    enum_jobs_QueryInterface,
    enum_jobs_AddRef,
    enum_jobs_Release,
    enum_jobs_Next,
    enum_jobs_Skip,
    enum_jobs_Reset,
    enum_jobs_Clone,
    enum_jobs_GetCount,
};

static HRESULT WINAPI enum_files_QueryInterface(IEnumBackgroundCopyFiles *iface, REFIID riid, void **obj)
{
    return bits_enum_query_interface(impl_from_IEnumBackgroundCopyFiles(iface), riid, obj);
}

static ULONG WINAPI enum_files_AddRef(IEnumBackgroundCopyFiles *iface)
{
    return InterlockedIncrement(&impl_from_IEnumBackgroundCopyFiles(iface)->refs);
}

static ULONG WINAPI enum_files_Release(IEnumBackgroundCopyFiles *iface)
{
    return bits_enum_release(impl_from_IEnumBackgroundCopyFiles(iface));
}

static HRESULT WINAPI enum_files_Next(IEnumBackgroundCopyFiles *iface, ULONG celt, IBackgroundCopyFile **files, ULONG *fetched)
{
    TRACE("(%p)->(%lu %p %p)\n", iface, celt, files, fetched);
    return bits_enum_next(impl_from_IEnumBackgroundCopyFiles(iface), celt, (IUnknown **)files, fetched);
}

static HRESULT WINAPI enum_files_Skip(IEnumBackgroundCopyFiles *iface, ULONG celt)
{
    TRACE("(%p)->(%lu)\n", iface, celt);
    return bits_enum_skip(impl_from_IEnumBackgroundCopyFiles(iface), celt);
}

static HRESULT WINAPI enum_files_Reset(IEnumBackgroundCopyFiles *iface)
{
    TRACE("(%p)\n", iface);
    return bits_enum_reset(impl_from_IEnumBackgroundCopyFiles(iface));
}

static HRESULT WINAPI enum_files_Clone(IEnumBackgroundCopyFiles *iface, IEnumBackgroundCopyFiles **out)
{
    struct bits_enum *clone;
    HRESULT hr;

    TRACE("(%p)->(%p)\n", iface, out);

    if (!out) return E_INVALIDARG;
    *out = NULL;
    if (SUCCEEDED(hr = bits_enum_clone(impl_from_IEnumBackgroundCopyFiles(iface), &clone)))
        *out = &clone->IEnumBackgroundCopyFiles_iface;
    return hr;
}

static HRESULT WINAPI enum_files_GetCount(IEnumBackgroundCopyFiles *iface, ULONG *count)
{
    TRACE("(%p)->(%p)\n", iface, count);
    return bits_enum_get_count(impl_from_IEnumBackgroundCopyFiles(iface), count);
}

static const IEnumBackgroundCopyFilesVtbl enum_files_vtbl =
{
    enum_files_QueryInterface,
    enum_files_AddRef,
    enum_files_Release,
    enum_files_Next,
    enum_files_Skip,
    enum_files_Reset,
    enum_files_Clone,
    enum_files_GetCount,
};

/* An empty enumerator with room for count items; enum_add fills it. */
static struct bits_enum *enum_alloc(ULONG count, BOOL files)
{
    struct bits_enum *e;

    if (!(e = heap_alloc_zero(sizeof(*e)))) return NULL;
    if (!(e->items = heap_alloc_zero((count + 1) * sizeof(*e->items))))
    {
        heap_free(e);
        return NULL;
    }
    e->IEnumBackgroundCopyJobs_iface.lpVtbl = &enum_jobs_vtbl;
    e->IEnumBackgroundCopyFiles_iface.lpVtbl = &enum_files_vtbl;
    e->refs = 1;
    e->files = files;
    return e;
}

/* The snapshot holds a reference to each item until the enumerator goes. */
static void enum_add(struct bits_enum *e, IUnknown *item)
{
    e->items[e->count++] = item;
    IUnknown_AddRef(item);
}

HRESULT enum_jobs_create(struct bits_job **jobs, ULONG count, IEnumBackgroundCopyJobs **out)
{
    struct bits_enum *e;
    ULONG i;

    *out = NULL;
    if (!(e = enum_alloc(count, FALSE))) return E_OUTOFMEMORY;
    for (i = 0; i < count; i++) enum_add(e, (IUnknown *)job_iface(jobs[i]));
    *out = &e->IEnumBackgroundCopyJobs_iface;
    return S_OK;
}

HRESULT enum_files_create(struct bits_file **files, ULONG count, IEnumBackgroundCopyFiles **out)
{
    struct bits_enum *e;
    ULONG i;

    *out = NULL;
    if (!(e = enum_alloc(count, TRUE))) return E_OUTOFMEMORY;
    for (i = 0; i < count; i++) enum_add(e, (IUnknown *)file_iface(files[i]));
    *out = &e->IEnumBackgroundCopyFiles_iface;
    return S_OK;
}

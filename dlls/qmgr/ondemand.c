/*
 * ondemand.c: the bookkeeping of files of ON_DEMAND_MODE jobs: which ranges
 * are in the output file, which one to fetch next (requested ranges first, then from the
 * download position), and the FileRangesTransferred events.
 * Owns: nothing of its own; it works on the filled/requested ranges of a struct bits_file under
 * the job lock. The bytes themselves are fetched by http.c.
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

static UINT64 range_end(const BG_FILE_RANGE *r, UINT64 size)
{
    if (r->Length == BG_LENGTH_TO_EOF || r->InitialOffset + r->Length > size) return size;
    return r->InitialOffset + r->Length;
}

UINT64 ranges_total(const BG_FILE_RANGE *ranges, DWORD count)
{
    UINT64 total = 0;
    DWORD i;

    for (i = 0; i < count; i++) total += ranges[i].Length;
    return total;
}

/* Add [start, start + len) to a sorted list of disjoint ranges, merging neighbours. */
BOOL ranges_add(BG_FILE_RANGE **ranges, DWORD *count, UINT64 start, UINT64 len)
{
    BG_FILE_RANGE *list = *ranges, *grown;
    UINT64 end = start + len;
    DWORD i, first, last, n = *count;

    if (!len) return TRUE;
    /* first: the first range that ends at or after start; last: the first that begins after end */
    for (first = 0; first < n && list[first].InitialOffset + list[first].Length < start; first++) ;
    for (last = first; last < n && list[last].InitialOffset <= end; last++) ;
    if (first < last)
    {
        start = min(start, list[first].InitialOffset);
        end = max(end, list[last - 1].InitialOffset + list[last - 1].Length);
        list[first].InitialOffset = start;
        list[first].Length = end - start;
        memmove(list + first + 1, list + last, (n - last) * sizeof(*list));
        *count = n - (last - first - 1);
        return TRUE;
    }
    if (!(grown = heap_alloc_zero((n + 1) * sizeof(*grown)))) return FALSE;
    for (i = 0; i < first; i++) grown[i] = list[i];
    grown[first].InitialOffset = start;
    grown[first].Length = len;
    for (i = first; i < n; i++) grown[i + 1] = list[i];
    heap_free(list);
    *ranges = grown;
    *count = n + 1;
    return TRUE;
}

/* The first bytes of [from, to) that are not in the sorted list; FALSE when all are. */
BOOL ranges_first_gap(const BG_FILE_RANGE *ranges, DWORD count, UINT64 from, UINT64 to, UINT64 *gap_start,
                      UINT64 *gap_end)
{
    DWORD i;

    for (i = 0; i < count && from < to; i++)
    {
        UINT64 start = ranges[i].InitialOffset, end = start + ranges[i].Length;
        if (end <= from) continue;
        if (start > from) break;
        from = end;
    }
    if (from >= to) return FALSE;
    *gap_start = from;
    *gap_end = i < count ? min(to, ranges[i].InitialOffset) : to;
    return TRUE;
}

/* Open the output (temp file or, for HIGH_PERFORMANCE, the destination) at its full size;
 * filled ranges that the file on disk does not hold any more are forgotten. */
HRESULT ondemand_open_output(struct transfer *t, UINT64 size, HANDLE *out)
{
    struct bits_file *file = transfer_file(t);
    struct bits_job *job = transfer_job(t);
    LARGE_INTEGER have, want;
    HANDLE handle;
    WCHAR *name;
    DWORD i;

    EnterCriticalSection(&job->cs);
    name = heap_strdupW(file->temp_name ? file->temp_name : file->local_name);
    LeaveCriticalSection(&job->cs);
    if (!name) return E_OUTOFMEMORY;
    handle = CreateFileW(name, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                         NULL, OPEN_ALWAYS, file->temp_name ? FILE_ATTRIBUTE_HIDDEN : FILE_ATTRIBUTE_NORMAL, NULL);
    heap_free(name);
    if (handle == INVALID_HANDLE_VALUE) return HRESULT_FROM_WIN32(GetLastError());
    if (!GetFileSizeEx(handle, &have)) have.QuadPart = 0;

    EnterCriticalSection(&job->cs);
    for (i = 0; i < file->filled_count; i++)
    {
        BG_FILE_RANGE *r = &file->filled[i];
        if (r->InitialOffset >= (UINT64)have.QuadPart || r->InitialOffset >= size)
        {
            file->filled_count = i;
            break;
        }
        r->Length = min(r->Length, min((UINT64)have.QuadPart, size) - r->InitialOffset);
    }
    file->progress.BytesTransferred = ranges_total(file->filled, file->filled_count);
    LeaveCriticalSection(&job->cs);

    want.QuadPart = size;
    if (!SetFilePointerEx(handle, want, NULL, FILE_BEGIN) || !SetEndOfFile(handle))
    {
        HRESULT hr = HRESULT_FROM_WIN32(GetLastError());
        CloseHandle(handle);
        return hr;
    }
    *out = handle;
    return S_OK;
}

/* The remote file changed: nothing of it is kept. */
void ondemand_reset(struct transfer *t)
{
    struct bits_file *file = transfer_file(t);
    struct bits_job *job = transfer_job(t);

    EnterCriticalSection(&job->cs);
    file->filled_count = 0;
    file->progress.BytesTransferred = 0;
    LeaveCriticalSection(&job->cs);
}

/* Drop the requested ranges that are complete. Job lock held. */
static void drop_done_requests(struct bits_file *file, UINT64 size)
{
    UINT64 start, end;
    DWORD i, kept = 0;

    for (i = 0; i < file->requested_count; i++)
    {
        BG_FILE_RANGE *r = &file->requested[i];
        if (r->InitialOffset < size
            && ranges_first_gap(file->filled, file->filled_count, r->InitialOffset, range_end(r, size), &start, &end))
            file->requested[kept++] = *r;
    }
    file->requested_count = kept;
}

/* What to fetch next: the first missing bytes of the first requested range, else the first
 * missing bytes from the download position on, else from the start (our reading of the docs:
 * requested ranges come first, the position says where the rest continues). Returns
 * ONDEMAND_FETCH with the gap, ONDEMAND_COMPLETE when every byte is there, or ONDEMAND_SUSPEND
 * when the requested ranges are done but the file is not (BITS then suspends the job). */
enum ondemand_next ondemand_next_gap(struct transfer *t, UINT64 size, UINT64 *start, UINT64 *end, LONG *gen)
{
    struct bits_file *file = transfer_file(t);
    struct bits_job *job = transfer_job(t);
    enum ondemand_next ret = ONDEMAND_FETCH;
    UINT64 pos;

    EnterCriticalSection(&job->cs);
    *gen = file->ondemand_gen;
    drop_done_requests(file, size);
    if (file->requested_count)
    {
        const BG_FILE_RANGE *r = &file->requested[0];
        ranges_first_gap(file->filled, file->filled_count, r->InitialOffset, range_end(r, size), start, end);
    }
    else if (!ranges_first_gap(file->filled, file->filled_count, 0, size, start, end))
        ret = ONDEMAND_COMPLETE;
    else if (file->ondemand_requests)
    {
        file->ondemand_requests = FALSE;       /* a Resume without new requests fetches the rest */
        ret = ONDEMAND_SUSPEND;
    }
    else
    {
        pos = min(file->download_position, size);
        if (!ranges_first_gap(file->filled, file->filled_count, pos, size, start, end))
            ranges_first_gap(file->filled, file->filled_count, 0, size, start, end);
    }
    LeaveCriticalSection(&job->cs);
    return ret;
}

/* len bytes at start are in the output. Returns FALSE when the client asked for something else
 * since the gap was chosen: the worker then chooses again. */
BOOL ondemand_filled(struct transfer *t, UINT64 start, UINT64 len, LONG gen)
{
    struct bits_file *file = transfer_file(t);
    struct bits_job *job = transfer_job(t);
    UINT64 total;
    BOOL same;

    EnterCriticalSection(&job->cs);
    if (!ranges_add(&file->filled, &file->filled_count, start, len)) ERR("out of memory\n");
    total = ranges_total(file->filled, file->filled_count);
    same = file->ondemand_gen == gen;
    LeaveCriticalSection(&job->cs);
    transfer_progress(t, total);
    return same;
}

/* One fetch ended with len bytes at start: Callback3::FileRangesTransferred. */
void ondemand_fetched(struct transfer *t, UINT64 start, UINT64 len)
{
    BG_FILE_RANGE range;

    if (!len) return;
    range.InitialOffset = start;
    range.Length = len;
    notify_post_ranges(transfer_job(t), transfer_file(t), &range, 1);
}

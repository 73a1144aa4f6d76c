/*
 * file.c: IBackgroundCopyFile..File6, one object per file of a job, and the validation of
 * remote and local names (schemes, lengths and forms BITS accepts).
 * Owns: the remote/local/temp names, ranges and progress of one file. The job's lock
 * protects all of it.
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

static inline struct bits_file *impl_from_IBackgroundCopyFile6(IBackgroundCopyFile6 *iface)
{
    return CONTAINING_RECORD(iface, struct bits_file, IBackgroundCopyFile6_iface);
}

static BOOL is_drive_path(const WCHAR *path)
{
    return ((path[0] >= 'A' && path[0] <= 'Z') || (path[0] >= 'a' && path[0] <= 'z'))
           && path[1] == ':' && path[2] == '\\';
}

/* \\server\share\... with a server and a share, not \\?\ or \\.\ */
static BOOL is_unc_path(const WCHAR *path)
{
    const WCHAR *share;

    if (path[0] != '\\' || path[1] != '\\') return FALSE;
    if (path[2] == '?' || path[2] == '.' || path[2] == '\\' || !path[2]) return FALSE;
    if (!(share = wcschr(path + 2, '\\')) || share[1] == '\\' || !share[1]) return FALSE;
    return TRUE;
}

static BOOL has_wildcards(const WCHAR *str)
{
    return wcspbrk(str, L"*?") != NULL;
}

/* http, https, file:// and SMB (UNC or drive paths); upload-reply jobs need HTTP. */
HRESULT validate_remote_name(const WCHAR *remote, BG_JOB_TYPE type)
{
    int len;

    if (!remote || !*remote) return E_INVALIDARG;
    if ((len = lstrlenW(remote)) > MAX_URL) return E_INVALIDARG;
    if (!wcsnicmp(remote, L"http://", 7) || !wcsnicmp(remote, L"https://", 8))
    {
        const WCHAR *host = remote + (remote[4] == ':' ? 7 : 8);
        if (!*host || *host == '/' || *host == ':') return E_INVALIDARG;
        if (wcspbrk(remote, L" \t\r\n")) return E_INVALIDARG;     /* BITS does no escaping */
        return S_OK;
    }
    if (type == BG_JOB_TYPE_UPLOAD_REPLY) return E_INVALIDARG;
    if (!wcsnicmp(remote, L"file://", 7))
    {
        if (!remote[7]) return E_INVALIDARG;
        return has_wildcards(remote) ? E_INVALIDARG : S_OK;
    }
    if (is_drive_path(remote) || is_unc_path(remote))
        return has_wildcards(remote) ? E_INVALIDARG : S_OK;
    return E_INVALIDARG;                        /* relative paths and other schemes */
}

/* CON, PRN, AUX, NUL, COM1-9 and LPT1-9, with or without an extension, in any case: such a
 * name opens the device in every folder, so the transfer would write to it and Complete could
 * never rename a temp file there. */
static BOOL is_device_name(const WCHAR *name)
{
    static const WCHAR *const devices[] = { L"CON", L"PRN", L"AUX", L"NUL" };
    size_t len = wcscspn(name, L".");
    unsigned int i;

    /* Windows also ignores spaces before the extension ("nul .txt" is NUL). */
    while (len && name[len - 1] == ' ') len--;
    if (len == 3)
    {
        for (i = 0; i < ARRAYSIZE(devices); i++)
            if (!wcsnicmp(name, devices[i], 3)) return TRUE;
    }
    if (len == 4 && (!wcsnicmp(name, L"COM", 3) || !wcsnicmp(name, L"LPT", 3)) && name[3] >= '1' && name[3] <= '9')
        return TRUE;
    return FALSE;
}

/* Absolute, at most MAX_PATH, no wildcards, no \\?\ prefix, no NTFS streams.
 * Device names and names ending in a dot or a space are refused with E_INVALIDARG, the code
 * of every other bad local name: Windows strips the trailing dots and spaces when it creates
 * the file, so the name the job reports would not be the file it writes. */
HRESULT validate_local_name(const WCHAR *local)
{
    const WCHAR *name;
    int len;

    if (!local || !*local) return E_INVALIDARG;
    if ((len = lstrlenW(local)) >= MAX_PATH) return E_INVALIDARG;
    if (!is_drive_path(local) && !is_unc_path(local)) return E_INVALIDARG;
    if (local[len - 1] == '\\') return E_INVALIDARG;
    if (wcspbrk(local, L"*?<>|\"")) return E_INVALIDARG;
    if (wcschr(is_drive_path(local) ? local + 2 : local, ':')) return E_INVALIDARG;
    name = wcsrchr(local, '\\') + 1;
    if (!wcscmp(name, L".") || !wcscmp(name, L"..")) return E_INVALIDARG;
    if (name[lstrlenW(name) - 1] == '.' || name[lstrlenW(name) - 1] == ' ') return E_INVALIDARG;
    if (is_device_name(name)) return E_INVALIDARG;
    return S_OK;
}

/* May the caller's token have this access to the file or directory (FILE_ADD_FILE to a
 * destination directory, FILE_READ_DATA to an upload's source)? Decided from the object's own
 * security descriptor, so that the answer does not depend on the service's identity. When the
 * descriptor or the token cannot be had, the transfer itself reports any problem later. */
static BOOL caller_has_access(const WCHAR *path, DWORD access)
{
    static const GENERIC_MAPPING mapping = { FILE_GENERIC_READ, FILE_GENERIC_WRITE, FILE_GENERIC_EXECUTE,
                                             FILE_ALL_ACCESS };
    SECURITY_INFORMATION info = OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION
                                | DACL_SECURITY_INFORMATION;
    BYTE privileges[sizeof(PRIVILEGE_SET) + 4 * sizeof(LUID_AND_ATTRIBUTES)];
    DWORD size = 0, privileges_size = sizeof(privileges), granted;
    PSECURITY_DESCRIPTOR sd;
    BOOL allowed = TRUE, status;
    HANDLE token;

    if (GetFileSecurityW(path, info, NULL, 0, &size) || GetLastError() != ERROR_INSUFFICIENT_BUFFER) return TRUE;
    if (!(sd = heap_alloc_zero(size))) return TRUE;
    if (GetFileSecurityW(path, info, sd, size, &size) && SUCCEEDED(caller_open_token(&token)))
    {
        if (AccessCheck(sd, token, access, (GENERIC_MAPPING *)&mapping, (PRIVILEGE_SET *)privileges,
                        &privileges_size, &granted, &status))
            allowed = status;
        CloseHandle(token);
    }
    heap_free(sd);
    return allowed;
}

/* A download needs an existing, writable destination directory (E_ACCESSDENIED, the code
 * AddFile documents for an unwritable one); an upload needs its source file (our choice of
 * HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND): the documentation names no code) and the caller's
 * right to read it (E_ACCESSDENIED, as for a destination: the service must not read for a
 * client a file that the client itself may not). */
HRESULT check_local_file(const WCHAR *local, BG_JOB_TYPE type)
{
    WCHAR dir[MAX_PATH];
    DWORD attrs;
    int len;

    if (type != BG_JOB_TYPE_DOWNLOAD)
    {
        attrs = GetFileAttributesW(local);
        if (attrs == INVALID_FILE_ATTRIBUTES) return HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND);
        if (attrs & FILE_ATTRIBUTE_DIRECTORY) return E_ACCESSDENIED;
        return caller_has_access(local, FILE_READ_DATA) ? S_OK : E_ACCESSDENIED;
    }
    /* An existing directory cannot be replaced by the finished file: refused like any other
     * local name that cannot be one (E_INVALIDARG), not left to fail in Complete. */
    attrs = GetFileAttributesW(local);
    if (attrs != INVALID_FILE_ATTRIBUTES && (attrs & FILE_ATTRIBUTE_DIRECTORY)) return E_INVALIDARG;
    len = wcsrchr(local, '\\') - local;
    if (len >= MAX_PATH - 1) return E_INVALIDARG;
    memcpy(dir, local, len * sizeof(WCHAR));
    if (len == 2 && dir[1] == ':') dir[len++] = '\\';          /* the root of a drive */
    dir[len] = 0;
    attrs = GetFileAttributesW(dir);
    if (attrs == INVALID_FILE_ATTRIBUTES || !(attrs & FILE_ATTRIBUTE_DIRECTORY)) return E_ACCESSDENIED;
    return caller_has_access(dir, FILE_ADD_FILE) ? S_OK : E_ACCESSDENIED;
}

/* The hidden temp file of a download lives beside its destination, as on Windows. Its name has
 * 32 random bits, and is not one that exists: many jobs may share a directory, and 16 bits
 * collided (about 7 % of the time for 100 files). */
WCHAR *file_temp_name(const WCHAR *local)
{
    const WCHAR *slash = wcsrchr(local, '\\');
    int dir_len = slash - local + 1;
    unsigned int tries;
    WCHAR *name;
    GUID guid;

    if (!(name = heap_alloc_zero((dir_len + 16) * sizeof(WCHAR)))) return NULL;
    memcpy(name, local, dir_len * sizeof(WCHAR));
    for (tries = 0; tries < 16; tries++)
    {
        if (FAILED(CoCreateGuid(&guid))) break;
        swprintf(name + dir_len, 16, L"BIT%08lX.tmp", (unsigned long)guid.Data1);
        if (GetFileAttributesW(name) == INVALID_FILE_ATTRIBUTES) return name;
    }
    heap_free(name);
    return NULL;
}

static HRESULT check_ranges(const BG_FILE_RANGE *ranges, DWORD count)
{
    DWORD i, j;

    for (i = 0; i < count; i++)
    {
        if (ranges[i].InitialOffset == BG_LENGTH_TO_EOF) return BG_E_INVALID_RANGE;
        if (ranges[i].Length != BG_LENGTH_TO_EOF && ranges[i].InitialOffset + ranges[i].Length < ranges[i].InitialOffset)
            return BG_E_INVALID_RANGE;
    }
    /* Any two ranges that share a byte, or start at the same offset, overlap: BG_E_OVERLAPPING_RANGES. */
    for (i = 0; i < count; i++)
    {
        UINT64 start_i = ranges[i].InitialOffset;
        UINT64 end_i = ranges[i].Length == BG_LENGTH_TO_EOF ? ~(UINT64)0 : start_i + ranges[i].Length;
        for (j = i + 1; j < count; j++)
        {
            UINT64 start_j = ranges[j].InitialOffset;
            UINT64 end_j = ranges[j].Length == BG_LENGTH_TO_EOF ? ~(UINT64)0 : start_j + ranges[j].Length;
            if (start_i == start_j || (start_i < end_j && start_j < end_i)) return BG_E_OVERLAPPING_RANGES;
        }
    }
    return S_OK;
}

/* ---- IBackgroundCopyFile6 ---- */

static HRESULT WINAPI file_QueryInterface(IBackgroundCopyFile6 *iface, REFIID riid, void **obj)
{
    struct bits_file *file = impl_from_IBackgroundCopyFile6(iface);

    TRACE("(%p)->(%s %p)\n", file, debugstr_guid(riid), obj);

    if (!obj) return E_POINTER;
    if (IsEqualGUID(riid, &IID_IUnknown) || IsEqualGUID(riid, &IID_IBackgroundCopyFile)
        || IsEqualGUID(riid, &IID_IBackgroundCopyFile2) || IsEqualGUID(riid, &IID_IBackgroundCopyFile3)
        || IsEqualGUID(riid, &IID_IBackgroundCopyFile4) || IsEqualGUID(riid, &IID_IBackgroundCopyFile5)
        || IsEqualGUID(riid, &IID_IBackgroundCopyFile6))
    {
        *obj = iface;
        IBackgroundCopyFile6_AddRef(iface);
        return S_OK;
    }
    *obj = NULL;
    return E_NOINTERFACE;
}

/* A file has no count of its own: it shares its job's. A client holding only a file keeps the
 * whole job readable, and the job frees its files when its own last reference goes, so that a
 * final job still lists them (EnumFiles after Complete) without a cycle between the two. */
static ULONG WINAPI file_AddRef(IBackgroundCopyFile6 *iface)
{
    struct bits_file *file = impl_from_IBackgroundCopyFile6(iface);

    TRACE("(%p)\n", file);
    return IBackgroundCopyJob_AddRef(job_iface(file->job));
}

static ULONG WINAPI file_Release(IBackgroundCopyFile6 *iface)
{
    struct bits_file *file = impl_from_IBackgroundCopyFile6(iface);

    TRACE("(%p)\n", file);
    return IBackgroundCopyJob_Release(job_iface(file->job));   /* may free the file */
}

/* Called by the job when its last reference goes, and for a file that never joined a job. */
void file_free(struct bits_file *file)
{
    heap_free(file->remote_name);
    heap_free(file->local_name);
    heap_free(file->temp_name);
    heap_free(file->ranges);
    heap_free(file->requested);
    heap_free(file->filled);
    heap_free(file->response_headers);
    heap_free(file);
}

static HRESULT file_get_string(struct bits_file *file, WCHAR *const *field, WCHAR **out)
{
    HRESULT hr;

    if (!out) return E_INVALIDARG;
    EnterCriticalSection(&file->job->cs);
    hr = strdup_for_client(*field, out);
    LeaveCriticalSection(&file->job->cs);
    return hr;
}

static HRESULT WINAPI file_GetRemoteName(IBackgroundCopyFile6 *iface, LPWSTR *name)
{
    struct bits_file *file = impl_from_IBackgroundCopyFile6(iface);

    TRACE("(%p)->(%p)\n", file, name);

    return file_get_string(file, &file->remote_name, name);
}

static HRESULT WINAPI file_GetLocalName(IBackgroundCopyFile6 *iface, LPWSTR *name)
{
    struct bits_file *file = impl_from_IBackgroundCopyFile6(iface);

    TRACE("(%p)->(%p)\n", file, name);

    return file_get_string(file, &file->local_name, name);
}

static HRESULT WINAPI file_GetProgress(IBackgroundCopyFile6 *iface, BG_FILE_PROGRESS *progress)
{
    struct bits_file *file = impl_from_IBackgroundCopyFile6(iface);

    TRACE("(%p)->(%p)\n", file, progress);

    if (!progress) return E_INVALIDARG;
    EnterCriticalSection(&file->job->cs);
    *progress = file->progress;
    LeaveCriticalSection(&file->job->cs);
    return S_OK;
}

static HRESULT copy_ranges_for_client(const BG_FILE_RANGE *ranges, DWORD count, DWORD *out_count,
                                      BG_FILE_RANGE **out)
{
    *out_count = 0;
    *out = NULL;
    if (!count) return S_FALSE;
    if (!(*out = CoTaskMemAlloc(count * sizeof(**out)))) return E_OUTOFMEMORY;
    memcpy(*out, ranges, count * sizeof(**out));
    *out_count = count;
    return S_OK;
}

static HRESULT WINAPI file_GetFileRanges(IBackgroundCopyFile6 *iface, DWORD *count, BG_FILE_RANGE **ranges)
{
    struct bits_file *file = impl_from_IBackgroundCopyFile6(iface);
    HRESULT hr;

    TRACE("(%p)->(%p %p)\n", file, count, ranges);

    if (!count || !ranges) return E_INVALIDARG;
    EnterCriticalSection(&file->job->cs);
    hr = copy_ranges_for_client(file->ranges, file->range_count, count, ranges);   /* S_FALSE: none */
    LeaveCriticalSection(&file->job->cs);
    return hr;
}

static HRESULT WINAPI file_SetRemoteName(IBackgroundCopyFile6 *iface, LPCWSTR name)
{
    struct bits_file *file = impl_from_IBackgroundCopyFile6(iface);
    struct bits_job *job = file->job;
    WCHAR *copy;
    HRESULT hr;

    TRACE("(%p)->(%s)\n", file, debugstr_w(name));

    if (job->type != BG_JOB_TYPE_DOWNLOAD) return E_NOTIMPL;
    if (FAILED(hr = validate_remote_name(name, job->type))) return hr;
    if (!(copy = heap_strdupW(name))) return E_OUTOFMEMORY;
    EnterCriticalSection(&job->cs);
    if (job_is_final(job))
    {
        LeaveCriticalSection(&job->cs);
        heap_free(copy);
        return BG_E_INVALID_STATE;
    }
    heap_free(file->remote_name);
    file->remote_name = copy;
    job_changed(job);
    notify_post(job, NOTIFY_JOB_MODIFICATION, NULL);
    LeaveCriticalSection(&job->cs);
    return S_OK;
}

static HRESULT WINAPI file_GetTemporaryName(IBackgroundCopyFile6 *iface, LPWSTR *name)
{
    struct bits_file *file = impl_from_IBackgroundCopyFile6(iface);

    TRACE("(%p)->(%p)\n", file, name);

    return file_get_string(file, &file->temp_name, name);
}

static HRESULT WINAPI file_SetValidationState(IBackgroundCopyFile6 *iface, BOOL state)
{
    struct bits_file *file = impl_from_IBackgroundCopyFile6(iface);
    struct bits_job *job = file->job;
    struct bits_error *error;
    HRESULT hr = S_OK;

    TRACE("(%p)->(%d)\n", file, state);

    EnterCriticalSection(&job->cs);
    if (job_is_final(job)) hr = BG_E_INVALID_STATE;
    else if (!file->transferred) hr = E_PENDING;               /* only once the file is done */
    else if (state) file->validation_state = TRUE;
    else if (SUCCEEDED(hr = error_create(BG_ERROR_CONTEXT_REMOTE_FILE, BG_E_VALIDATION_FAILED, file,
                                         L"http", &error)))
    {
        /* Origin content failed validation: ERROR, and the file starts again on Resume. */
        file->validation_state = FALSE;
        file->transferred = FALSE;
        file->progress.BytesTransferred = 0;
        if (job->error) IBackgroundCopyError_Release(&job->error->IBackgroundCopyError_iface);
        job->error = error;
        job->error_count++;
        analytic_error(job, BG_E_VALIDATION_FAILED, BG_ERROR_CONTEXT_REMOTE_FILE);
        /* A client's change, saved with the next lazy save like any other property. */
        job_set_state(job, BG_JOB_STATE_ERROR, JOB_STATE_NO_SAVE);
        notify_post(job, NOTIFY_JOB_ERROR, NULL);
    }
    LeaveCriticalSection(&job->cs);
    return hr;
}

static HRESULT WINAPI file_GetValidationState(IBackgroundCopyFile6 *iface, BOOL *state)
{
    struct bits_file *file = impl_from_IBackgroundCopyFile6(iface);

    TRACE("(%p)->(%p)\n", file, state);

    if (!state) return E_INVALIDARG;
    EnterCriticalSection(&file->job->cs);
    *state = file->validation_state;
    LeaveCriticalSection(&file->job->cs);
    return S_OK;
}

static HRESULT WINAPI file_IsDownloadedFromPeer(IBackgroundCopyFile6 *iface, BOOL *peer)
{
    struct bits_file *file = impl_from_IBackgroundCopyFile6(iface);

    TRACE("(%p)->(%p)\n", file, peer);

    if (!peer) return E_INVALIDARG;
    *peer = FALSE;                              /* no peer caching: everything is from the origin */
    return S_OK;
}

static HRESULT WINAPI file_GetPeerDownloadStats(IBackgroundCopyFile6 *iface, PUINT64 origin, PUINT64 peers)
{
    struct bits_file *file = impl_from_IBackgroundCopyFile6(iface);

    TRACE("(%p)->(%p %p)\n", file, origin, peers);

    if (!origin || !peers) return E_INVALIDARG;
    EnterCriticalSection(&file->job->cs);
    *origin = file->progress.BytesTransferred;
    *peers = 0;
    LeaveCriticalSection(&file->job->cs);
    return S_OK;
}

static HRESULT WINAPI file_SetProperty(IBackgroundCopyFile6 *iface, BITS_FILE_PROPERTY_ID id,
                                       BITS_FILE_PROPERTY_VALUE value)
{
    struct bits_file *file = impl_from_IBackgroundCopyFile6(iface);

    TRACE("(%p)->(%d)\n", file, id);

    if (id == BITS_FILE_PROPERTY_ID_HTTP_RESPONSE_HEADERS) return BG_E_READ_ONLY_PROPERTY;
    return BG_E_UNKNOWN_PROPERTY_ID;
}

static HRESULT WINAPI file_GetProperty(IBackgroundCopyFile6 *iface, BITS_FILE_PROPERTY_ID id,
                                       BITS_FILE_PROPERTY_VALUE *value)
{
    struct bits_file *file = impl_from_IBackgroundCopyFile6(iface);
    HRESULT hr;

    TRACE("(%p)->(%d %p)\n", file, id, value);

    if (!value) return E_INVALIDARG;
    if (id != BITS_FILE_PROPERTY_ID_HTTP_RESPONSE_HEADERS) return BG_E_UNKNOWN_PROPERTY_ID;
    EnterCriticalSection(&file->job->cs);
    hr = strdup_for_client(file->response_headers, &value->String);   /* NULL before any response */
    LeaveCriticalSection(&file->job->cs);
    return hr;
}

/* On-demand methods need a download job with ON_DEMAND_MODE. */
static HRESULT file_check_on_demand(struct bits_file *file)
{
    struct bits_job *job = file->job;

    if (job_is_final(job)) return BG_E_INVALID_STATE;
    /* Random access needs HTTP ranges: not for file copies, dynamic content or AddFileWithRanges. */
    if (job->type != BG_JOB_TYPE_DOWNLOAD || !job->on_demand || job->dynamic_content || file->range_count
        || !is_http_url(file->remote_name))
        return BG_E_RANDOM_ACCESS_NOT_SUPPORTED;
    return S_OK;
}

static HRESULT WINAPI file_UpdateDownloadPosition(IBackgroundCopyFile6 *iface, UINT64 offset)
{
    struct bits_file *file = impl_from_IBackgroundCopyFile6(iface);
    HRESULT hr;

    TRACE("(%p)->(%s)\n", file, wine_dbg_sprintf("%#I64x", offset));

    EnterCriticalSection(&file->job->cs);
    if (SUCCEEDED(hr = file_check_on_demand(file)))
    {
        if (file->progress.BytesTotal != BG_SIZE_UNKNOWN && offset > file->progress.BytesTotal)
            hr = BG_E_INVALID_RANGE;
        else
        {
            file->download_position = offset;
            InterlockedIncrement(&file->ondemand_gen);     /* a running fetch moves there */
        }
    }
    LeaveCriticalSection(&file->job->cs);
    return hr;
}

static HRESULT WINAPI file_RequestFileRanges(IBackgroundCopyFile6 *iface, DWORD count, const BG_FILE_RANGE *ranges)
{
    struct bits_file *file = impl_from_IBackgroundCopyFile6(iface);
    BG_FILE_RANGE *all;
    HRESULT hr;
    DWORD i;

    TRACE("(%p)->(%lu %p)\n", file, count, ranges);

    if (!count || !ranges) return E_INVALIDARG;
    EnterCriticalSection(&file->job->cs);
    if (FAILED(hr = file_check_on_demand(file))) goto done;
    for (i = 0; i < count; i++)
    {
        UINT64 total = file->progress.BytesTotal;
        if (ranges[i].InitialOffset == BG_LENGTH_TO_EOF
            || (total != BG_SIZE_UNKNOWN && ranges[i].InitialOffset > total)
            || (total != BG_SIZE_UNKNOWN && ranges[i].Length != BG_LENGTH_TO_EOF
                && ranges[i].InitialOffset + ranges[i].Length > total))
        {
            hr = BG_E_INVALID_RANGE;
            goto done;
        }
    }
    /* Overlap with earlier requests is allowed: keep them all. */
    if (!(all = HeapReAlloc(GetProcessHeap(), 0, file->requested ? file->requested : heap_alloc_zero(1),
                            (file->requested_count + count) * sizeof(*all))))
    {
        hr = E_OUTOFMEMORY;
        goto done;
    }
    memcpy(all + file->requested_count, ranges, count * sizeof(*all));
    file->requested = all;
    file->requested_count += count;
    file->ondemand_requests = TRUE;
    InterlockedIncrement(&file->ondemand_gen);
done:
    LeaveCriticalSection(&file->job->cs);
    return hr;
}

static HRESULT WINAPI file_GetFilledFileRanges(IBackgroundCopyFile6 *iface, DWORD *count, BG_FILE_RANGE **ranges)
{
    struct bits_file *file = impl_from_IBackgroundCopyFile6(iface);
    HRESULT hr;

    TRACE("(%p)->(%p %p)\n", file, count, ranges);

    if (!count || !ranges) return E_INVALIDARG;
    EnterCriticalSection(&file->job->cs);
    if (file->job->on_demand)
        hr = copy_ranges_for_client(file->filled, file->filled_count, count, ranges);
    else
    {
        /* Other files fill from the start: one range, our choice, as they are written in order. */
        BG_FILE_RANGE all = { 0, file->progress.BytesTransferred };
        hr = copy_ranges_for_client(&all, all.Length ? 1 : 0, count, ranges);
    }
    LeaveCriticalSection(&file->job->cs);
    return hr == S_FALSE ? S_OK : hr;           /* nothing filled yet is not an error */
}

static const IBackgroundCopyFile6Vtbl file_vtbl =
{
    file_QueryInterface,
    file_AddRef,
    file_Release,
    file_GetRemoteName,
    file_GetLocalName,
    file_GetProgress,
    file_GetFileRanges,
    file_SetRemoteName,
    file_GetTemporaryName,
    file_SetValidationState,
    file_GetValidationState,
    file_IsDownloadedFromPeer,
    file_GetPeerDownloadStats,
    file_SetProperty,
    file_GetProperty,
    file_UpdateDownloadPosition,
    file_RequestFileRanges,
    file_GetFilledFileRanges,
};

/* Called with job->cs held; names are already validated. */
HRESULT file_create(struct bits_job *job, const WCHAR *remote, const WCHAR *local,
                    const BG_FILE_RANGE *ranges, DWORD range_count, struct bits_file **out)
{
    struct bits_file *file;
    HRESULT hr;
    DWORD i;

    *out = NULL;
    if (ranges && FAILED(hr = check_ranges(ranges, range_count))) return hr;
    if (!(file = heap_alloc_zero(sizeof(*file)))) return E_OUTOFMEMORY;
    file->IBackgroundCopyFile6_iface.lpVtbl = &file_vtbl;
    file->job = job;
    list_init(&file->entry);
    file->progress.BytesTotal = BG_SIZE_UNKNOWN;
    if (!(file->remote_name = heap_strdupW(remote)) || !(file->local_name = heap_strdupW(local))
        || (job->type == BG_JOB_TYPE_DOWNLOAD && !job->high_performance && !(file->temp_name = file_temp_name(local))))
    {
        file_free(file);
        return E_OUTOFMEMORY;
    }
    if (ranges)
    {
        UINT64 total = 0;
        if (!(file->ranges = heap_alloc_zero(range_count * sizeof(*ranges))))
        {
            file_free(file);
            return E_OUTOFMEMORY;
        }
        memcpy(file->ranges, ranges, range_count * sizeof(*ranges));
        file->range_count = range_count;
        for (i = 0; i < range_count && total != BG_SIZE_UNKNOWN; i++)
            total = ranges[i].Length == BG_LENGTH_TO_EOF ? BG_SIZE_UNKNOWN : total + ranges[i].Length;
        file->progress.BytesTotal = total;     /* the sum of the ranges */
    }
    if (job->type != BG_JOB_TYPE_DOWNLOAD)
    {
        WIN32_FILE_ATTRIBUTE_DATA data;
        /* The upload's source is the local file: its size is known now. */
        if (GetFileAttributesExW(local, GetFileExInfoStandard, &data))
            file->progress.BytesTotal = ((UINT64)data.nFileSizeHigh << 32) | data.nFileSizeLow;
    }
    file->local_existed = GetFileAttributesW(local) != INVALID_FILE_ATTRIBUTES;
    TRACE("file %p %s -> %s\n", file, debugstr_w(remote), debugstr_w(local));
    *out = file;
    return S_OK;
}

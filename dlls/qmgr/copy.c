/*
 * copy.c: "downloads" from a local path, a UNC path or a file:// URL (SMB sources).
 * Owns: the source handle of one copy. The bytes go through the same temp file and
 * progress as HTTP downloads, so Complete and Cancel treat both alike.
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
#include <shlwapi.h>

BITS_DEFAULT_DEBUG_CHANNEL(qmgr);

#define COPY_BUFFER_SIZE (1024 * 1024)

/* file:///C:/dir/x -> C:\dir\x, file://server/share/x -> \\server\share\x; paths stay. */
static HRESULT source_path(const WCHAR *remote, WCHAR *path, DWORD size)
{
    DWORD len = size;

    if (wcsnicmp(remote, L"file://", 7))
    {
        if (lstrlenW(remote) >= (int)size) return E_INVALIDARG;
        lstrcpyW(path, remote);
        return S_OK;
    }
    if (SUCCEEDED(PathCreateFromUrlW(remote, path, &len, 0))) return S_OK;
    /* file://server/share: a UNC path */
    if (remote[7] && remote[7] != '/' && lstrlenW(remote) - 7 + 3 < (int)size)
    {
        WCHAR *p;
        lstrcpyW(path, L"\\\\");
        lstrcatW(path, remote + 7);
        for (p = path; *p; p++) if (*p == '/') *p = '\\';
        return S_OK;
    }
    return E_INVALIDARG;
}

static void source_error(DWORD err, struct transfer_error *error)
{
    /* a missing file, a missing path or denied access is an ERROR, as BITS documents; a server or
     * network that cannot be reached is worth a retry. */
    BOOL transient = err == ERROR_BAD_NETPATH || err == ERROR_NETNAME_DELETED || err == ERROR_UNEXP_NET_ERR
                     || err == ERROR_SEM_TIMEOUT || err == ERROR_NETWORK_UNREACHABLE || err == ERROR_SHARING_VIOLATION;

    transfer_error_set(error, HRESULT_FROM_WIN32(err), BG_ERROR_CONTEXT_REMOTE_FILE, transient);
}

/* The source is opened as the job's owner (open_file_as): a client copies only what it may
 * read itself. A job without the owner's token, one loaded after a restart, opens it as the
 * service. */
static HRESULT open_source(struct bits_job *job, const WCHAR *path, HANDLE *source)
{
    HANDLE token = job_owner_token(job);
    DWORD err = ERROR_SUCCESS;

    *source = open_file_as(token, path, GENERIC_READ, FILE_FLAG_SEQUENTIAL_SCAN);
    if (*source == INVALID_HANDLE_VALUE) err = GetLastError();
    if (token) CloseHandle(token);
    return HRESULT_FROM_WIN32(err);
}

HRESULT copy_download(struct transfer *t, struct transfer_error *error)
{
    struct bits_file *file = transfer_file(t);
    struct bits_job *job = transfer_job(t);
    HANDLE source = INVALID_HANDLE_VALUE, output = INVALID_HANDLE_VALUE;
    WCHAR path[MAX_PATH + 16], *remote;
    FILETIME mtime;
    LARGE_INTEGER size, pos;
    UINT64 offset = 0, done;
    BYTE *buffer = NULL;
    DWORD read, chunk;
    HRESULT hr;

    EnterCriticalSection(&job->cs);
    remote = heap_strdupW(file->remote_name);
    LeaveCriticalSection(&job->cs);
    if (!remote) return E_OUTOFMEMORY;
    hr = source_path(remote, path, ARRAYSIZE(path));
    heap_free(remote);
    if (FAILED(hr)) return transfer_error_set(error, hr, BG_ERROR_CONTEXT_REMOTE_FILE, FALSE);

    if (FAILED(hr = open_source(job, path, &source)))
    {
        source_error(HRESULT_CODE(hr), error);
        return error->code;
    }
    transfer_connected(t);
    if (!GetFileSizeEx(source, &size) || !GetFileTime(source, NULL, NULL, &mtime))
    {
        source_error(GetLastError(), error);
        hr = error->code;
        goto done;
    }
    if (FAILED(hr = transfer_set_size(t, size.QuadPart, &mtime, NULL)))
    {
        /* MAX_DOWNLOAD_SIZE: fatal, our choice */
        transfer_error_set(error, hr, BG_ERROR_CONTEXT_REMOTE_FILE, FALSE);
        goto done;
    }

    if (FAILED(hr = transfer_open_output(t, &offset, &output, NULL)))
    {
        transfer_error_set(error, hr, BG_ERROR_CONTEXT_LOCAL_FILE, FALSE);
        goto done;
    }
    pos.QuadPart = offset;
    if (!SetFilePointerEx(source, pos, NULL, FILE_BEGIN))
    {
        source_error(GetLastError(), error);
        hr = error->code;
        goto done;
    }
    /* No bigger than what is left: Wine touches every page of a read's buffer first, and a fresh
     * 1 MiB block for a small file cost 256 page faults (5 ms of a 6 ms job). */
    chunk = (DWORD)min((UINT64)COPY_BUFFER_SIZE, (UINT64)size.QuadPart > offset ? size.QuadPart - offset : 1);
    if (!(buffer = HeapAlloc(GetProcessHeap(), 0, chunk)))
    {
        hr = E_OUTOFMEMORY;
        goto done;
    }
    done = offset;
    while (done < (UINT64)size.QuadPart)
    {
        if (transfer_aborted(t))
        {
            hr = E_ABORT;
            goto done;
        }
        if (!ReadFile(source, buffer, chunk, &read, NULL))
        {
            source_error(GetLastError(), error);
            hr = error->code;
            goto done;
        }
        if (!read) break;
        if (transfer_aborted(t))
        {
            hr = E_ABORT;
            goto done;
        }
        if (FAILED(hr = write_output(output, buffer, read)))
        {
            transfer_error_set(error, hr, BG_ERROR_CONTEXT_LOCAL_FILE, FALSE);
            goto done;
        }
        done += read;
        transfer_progress(t, done);
    }
    if (done < (UINT64)size.QuadPart)
    {
        /* The source shrank under us: start over next time, as for a changed remote file. */
        hr = transfer_error_set(error, BG_E_REMOTE_FILE_CHANGED, BG_ERROR_CONTEXT_REMOTE_FILE, TRUE);
        goto done;
    }
    hr = S_OK;

done:
    HeapFree(GetProcessHeap(), 0, buffer);
    if (output != INVALID_HANDLE_VALUE) CloseHandle(output);
    CloseHandle(source);
    return hr;
}

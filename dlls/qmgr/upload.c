/*
 * upload.c: the client side of the BITS 1.5 upload protocol over the shared WinHTTP
 * session of http.c: Ping, Create-Session, Fragments resumed from the offset the server
 * acknowledges, the reply download of upload-reply jobs (resumed with Range after an
 * interruption), Close-Session, and Cancel-Session (re-sent from a thread of its own after a
 * job is cancelled, also after a service restart: the store saves the pending ones).
 * Owns: the upload session state of a job (job->upload_*, job->reply_*, under job->cs), the
 * cancel threads and the list of pending Cancel-Sessions. Errors of the server and of its
 * application arrive as BITS-Error-Code and BITS-Error-Context and become the job's error
 * (status codes of the server application are transient or fatal by BITS' documented table).
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
#include "http.h"

BITS_DEFAULT_DEBUG_CHANNEL(qmgr);

#define UPLOAD_PROTOCOL        L"{7df0354d-249b-430f-820d-3d2a9bef4931}"
#define FRAGMENT_SIZE          (1024 * 1024)
#define MAX_416_IN_A_ROW       4       /* a server that keeps refusing our offsets is broken */
#define CANCEL_RETRY_LIMIT_MS  (24ull * 3600 * 1000)      /* BITS re-sends Cancel-Session for up to 24 h */

struct upload
{
    struct transfer *t;
    struct bits_job *job;
    struct bits_file *file;
    struct http_session *http;
    WCHAR *remote;                     /* the job's URL */
    WCHAR *target;                     /* the URL packets go to (remote, or the host id's) */
    WCHAR *session;                    /* BITS-Session-Id */
    BOOL on_host;                      /* target is the host id's */
    HANDLE owner;                      /* the owner's token, who reads the local file; or NULL */
};

/* ---- errors ---- */

/* BITS documents this split for server-application status codes: 3xx transient except 300-305 and 307; 4xx fatal
 * except 408 and 409; 5xx transient except 501 and 505; anything else transient. */
static BOOL application_status_transient(DWORD status)
{
    if (status >= 300 && status < 400) return status > 305 && status != 307;
    if (status >= 400 && status < 500) return status == 408 || status == 409;
    if (status >= 500 && status < 600) return status != 501 && status != 505;
    return TRUE;
}

static BOOL query_header(HINTERNET request, const WCHAR *name, WCHAR *buf, DWORD chars)
{
    DWORD size = chars * sizeof(WCHAR);

    return WinHttpQueryHeaders(request, WINHTTP_QUERY_CUSTOM, name, buf, &size, WINHTTP_NO_HEADER_INDEX);
}

static BOOL query_hex(HINTERNET request, const WCHAR *name, DWORD *value)
{
    WCHAR buf[32], *end;

    if (!query_header(request, name, buf, ARRAYSIZE(buf))) return FALSE;
    *value = wcstoul(buf, &end, 16);
    return end != buf;
}

/* An Ack other than 200/201: the server's BITS-Error-Code and -Context when it sent them
 * (every non-200/201 Ack should carry them), else the HTTP status as BG_E_HTTP_ERROR_nnn. */
static void ack_error(HINTERNET request, DWORD status, struct transfer_error *error)
{
    DWORD code, context = 0;

    http_status_error(status, error);
    if (query_hex(request, L"BITS-Error-Code", &code) && FAILED(code))
    {
        if (query_hex(request, L"BITS-Error-Context", &context) && context == BG_ERROR_CONTEXT_REMOTE_APPLICATION)
            transfer_error_set(error, code, BG_ERROR_CONTEXT_REMOTE_APPLICATION, application_status_transient(status));
        else error->code = code;       /* the status still says which context and whether to retry */
    }
    WARN("Ack %lu: %#lx context %u\n", status, error->code, error->context);
}

/* ---- packets ---- */

/* One BITS_POST: BITS-Packet-Type, the session id once there is one, and the extra headers. */
static HINTERNET post(struct upload *u, const WCHAR *packet, const WCHAR *extra, const void *body, DWORD len,
                      DWORD *status, struct transfer_error *error)
{
    WCHAR *headers;
    HINTERNET request;
    size_t size;

    size = 64 + (u->session ? lstrlenW(u->session) + 32 : 0) + (extra ? lstrlenW(extra) : 0);
    if (!(headers = heap_alloc_zero(size * sizeof(WCHAR))))
    {
        transfer_error_set(error, E_OUTOFMEMORY, BG_ERROR_CONTEXT_GENERAL_QUEUE_MANAGER, FALSE);
        return NULL;
    }
    swprintf(headers, size, L"BITS-Packet-Type: %s\r\n", packet);
    if (u->session) swprintf(headers + lstrlenW(headers), size - lstrlenW(headers), L"BITS-Session-Id: %s\r\n", u->session);
    if (extra) lstrcatW(headers, extra);
    request = http_send(u->http, L"BITS_POST", headers, body, len, status, error);
    heap_free(headers);

    /* Host affinity: the fallback timer starts at the first failure to reach the
     * host and any successful connection resets it. */
    if (u->on_host)
    {
        EnterCriticalSection(&u->job->cs);
        if (request) u->job->upload_host_failed = 0;
        else if (!u->job->upload_host_failed) u->job->upload_host_failed = GetTickCount64();
        LeaveCriticalSection(&u->job->cs);
    }
    if (request) TRACE("%s -> %lu\n", debugstr_w(packet), *status);
    return request;
}

/* The URL of the host id: its server part replaces the job URL's for every later packet. A host id with
 * a scheme replaces scheme, host and port; one without keeps the scheme and the port. */
static WCHAR *host_url(const WCHAR *remote, const WCHAR *host)
{
    const WCHAR *rest = wcschr(wcschr(remote, ':') + 3, '/'), *server = wcschr(remote, ':') + 3, *port;
    size_t size = lstrlenW(remote) + lstrlenW(host) + 16;
    WCHAR *url;

    if (!rest) rest = remote + lstrlenW(remote);
    if (!(url = heap_alloc_zero(size * sizeof(WCHAR)))) return NULL;
    if (wcsstr(host, L"://"))
    {
        swprintf(url, size, L"%s%s", host, rest);
        return url;
    }
    port = wcschr(server, ':');
    if (wcschr(host, ':') || !port || port > rest) port = NULL;
    swprintf(url, size, L"%.*s%s%.*s%s", (int)(server - remote), remote, host,
             port ? (int)(rest - port) : 0, port ? port : L"", rest);
    return url;
}

/* Where the packets go: the host id while it answers, the job's URL after the fallback
 * timeout (or without a host id). */
static HRESULT upload_connect(struct upload *u, struct transfer_error *error)
{
    struct bits_job *job = u->job;
    WCHAR *url = NULL;

    EnterCriticalSection(&job->cs);
    if (job->upload_host && job->upload_host_failed && job->upload_fallback != UPLOAD_NO_FALLBACK
        && GetTickCount64() - job->upload_host_failed >= (ULONGLONG)job->upload_fallback * 1000)
    {
        TRACE("host %s unreachable for %lu s: back to the job's URL\n", debugstr_w(job->upload_host),
              job->upload_fallback);
        heap_free(job->upload_host);
        job->upload_host = NULL;
        job->upload_host_failed = 0;
        store_changed(FALSE);
    }
    if (job->upload_host && !(url = host_url(u->remote, job->upload_host)))
    {
        LeaveCriticalSection(&job->cs);
        return E_OUTOFMEMORY;
    }
    LeaveCriticalSection(&job->cs);

    heap_free(u->target);
    u->target = url ? url : heap_strdupW(u->remote);
    u->on_host = url != NULL;
    if (!u->target) return E_OUTOFMEMORY;
    if (u->http) return http_connect(u->http, u->target, error);
    return http_open(job, u->target, &u->http, error);
}

/* The size and last write time of the local file, opened as the owner like every read of it:
 * the service tells a client nothing about a file it may not read itself. */
static BOOL local_file_identity(struct upload *u, UINT64 *size, UINT64 *time)
{
    BY_HANDLE_FILE_INFORMATION info;
    HANDLE handle;
    BOOL ret;

    handle = open_file_as(u->owner, u->file->local_name, FILE_READ_ATTRIBUTES, 0);
    if (handle == INVALID_HANDLE_VALUE) return FALSE;
    if ((ret = GetFileInformationByHandle(handle, &info)))
    {
        *size = ((UINT64)info.nFileSizeHigh << 32) | info.nFileSizeLow;
        *time = ((UINT64)info.ftLastWriteTime.dwHighDateTime << 32) | info.ftLastWriteTime.dwLowDateTime;
    }
    CloseHandle(handle);
    return ret;
}

/* Ping, then Create-Session. The session id, host id and the identity of the local
 * file go into the job and the store. */
static HRESULT create_session(struct upload *u, struct transfer_error *error)
{
    struct bits_job *job = u->job;
    WCHAR protocol[64], id[256], host[512], timeout[32];
    UINT64 size, time;
    HINTERNET request;
    DWORD status;
    BOOL have_host, have_timeout, have_file;

    if (!(request = post(u, L"Ping", NULL, NULL, 0, &status, error))) return error->code;
    transfer_connected(u->t);
    if (status != 200)
    {
        ack_error(request, status, error);
        WinHttpCloseHandle(request);
        return error->code;
    }
    WinHttpCloseHandle(request);

    if (!(request = post(u, L"Create-Session", L"BITS-Supported-Protocols: " UPLOAD_PROTOCOL L"\r\n", NULL, 0,
                         &status, error)))
        return error->code;
    if (status != 200 && status != 201)
    {
        ack_error(request, status, error);
        WinHttpCloseHandle(request);
        return error->code;
    }
    if (!query_header(request, L"BITS-Protocol", protocol, ARRAYSIZE(protocol)) || wcsicmp(protocol, UPLOAD_PROTOCOL))
    {
        WinHttpCloseHandle(request);
        transfer_error_set(error, BG_E_CLIENT_SERVER_PROTOCOL_MISMATCH, BG_ERROR_CONTEXT_REMOTE_FILE, FALSE);
        return error->code;
    }
    if (!query_header(request, L"BITS-Session-Id", id, ARRAYSIZE(id)) || !*id)
    {
        WinHttpCloseHandle(request);
        transfer_error_set(error, BG_E_INVALID_SERVER_RESPONSE, BG_ERROR_CONTEXT_REMOTE_FILE, FALSE);
        return error->code;
    }
    have_host = query_header(request, L"BITS-Host-Id", host, ARRAYSIZE(host)) && *host;
    have_timeout = query_header(request, L"BITS-Host-Id-Fallback-Timeout", timeout, ARRAYSIZE(timeout));
    WinHttpCloseHandle(request);
    TRACE("session %s host %s fallback %s\n", debugstr_w(id), have_host ? debugstr_w(host) : "none",
          have_timeout ? debugstr_w(timeout) : "never");

    if (!(u->session = heap_strdupW(id))) return E_OUTOFMEMORY;
    have_file = local_file_identity(u, &size, &time);
    EnterCriticalSection(&job->cs);
    heap_free(job->upload_session);
    job->upload_session = heap_strdupW(id);
    heap_free(job->upload_host);
    job->upload_host = have_host ? heap_strdupW(host) : NULL;
    job->upload_fallback = have_timeout ? wcstoul(timeout, NULL, 10) : UPLOAD_NO_FALLBACK;
    job->upload_host_failed = 0;
    /* The file as it is now is what this session uploads (BG_E_LOCAL_FILE_CHANGED below). */
    if (have_file)
    {
        job->upload_file_time = time;
        u->file->progress.BytesTotal = size;
    }
    u->file->progress.BytesTransferred = 0;
    store_changed(TRUE);
    LeaveCriticalSection(&job->cs);
    return job->upload_session ? S_OK : E_OUTOFMEMORY;
}

/* The session is gone on the server (BG_E_SESSION_NOT_FOUND): the next attempt starts over. */
static void forget_session(struct upload *u)
{
    struct bits_job *job = u->job;

    EnterCriticalSection(&job->cs);
    heap_free(job->upload_session);
    job->upload_session = NULL;
    heap_free(job->upload_host);
    job->upload_host = NULL;
    u->file->progress.BytesTransferred = 0;
    store_changed(TRUE);
    LeaveCriticalSection(&job->cs);
}

/* BITS-Received-Content-Range: the next offset the server expects (e.g. 213 after 128-212). */
static BOOL received_offset(HINTERNET request, UINT64 total, UINT64 *offset)
{
    WCHAR buf[64], *end;
    UINT64 value;

    if (!query_header(request, L"BITS-Received-Content-Range", buf, ARRAYSIZE(buf))) return FALSE;
    value = _wcstoui64(buf, &end, 10);
    if (end == buf || value > total) return FALSE;
    *offset = value;
    return TRUE;
}

/* Fragments from the acknowledged offset to the end, strictly ascending: the server keeps one contiguous prefix. */
static HRESULT send_fragments(struct upload *u, struct transfer_error *error)
{
    struct bits_job *job = u->job;
    struct bits_file *file = u->file;
    UINT64 offset, total, expect_time, now_size, now_time;
    unsigned int refused = 0;
    WCHAR headers[MAX_PATH + 160];
    const WCHAR *name;
    HANDLE handle;
    BYTE *buffer;
    HRESULT hr = S_OK;

    EnterCriticalSection(&job->cs);
    offset = file->progress.BytesTransferred;
    total = file->progress.BytesTotal;
    expect_time = job->upload_file_time;
    LeaveCriticalSection(&job->cs);
    if (offset >= total && total) return S_OK;

    if (!(buffer = HeapAlloc(GetProcessHeap(), 0, FRAGMENT_SIZE))) return E_OUTOFMEMORY;
    handle = open_file_as(u->owner, file->local_name, GENERIC_READ, 0);
    if (handle == INVALID_HANDLE_VALUE)
    {
        HeapFree(GetProcessHeap(), 0, buffer);
        transfer_error_set(error, HRESULT_FROM_WIN32(GetLastError()), BG_ERROR_CONTEXT_LOCAL_FILE, FALSE);
        return error->code;
    }
    name = wcsrchr(file->local_name, '\\') + 1;

    do
    {
        DWORD len = (DWORD)min((UINT64)FRAGMENT_SIZE, total - offset), read = 0, status;
        LARGE_INTEGER pos;
        HINTERNET request;
        UINT64 acked;

        if (transfer_aborted(u->t))
        {
            hr = E_ABORT;
            break;
        }
        /* the file must stay what the session started with, else BG_E_LOCAL_FILE_CHANGED. */
        if (!local_file_identity(u, &now_size, &now_time) || now_size != total || now_time != expect_time)
        {
            WARN("%s changed during the upload\n", debugstr_w(file->local_name));
            transfer_error_set(error, BG_E_LOCAL_FILE_CHANGED, BG_ERROR_CONTEXT_LOCAL_FILE, FALSE);
            hr = error->code;
            break;
        }
        pos.QuadPart = offset;
        if (len && (!SetFilePointerEx(handle, pos, NULL, FILE_BEGIN) || !ReadFile(handle, buffer, len, &read, NULL)
                    || read != len))
        {
            transfer_error_set(error, read != len ? BG_E_LOCAL_FILE_CHANGED : HRESULT_FROM_WIN32(GetLastError()),
                               BG_ERROR_CONTEXT_LOCAL_FILE, FALSE);
            hr = error->code;
            break;
        }
        if (total)
            swprintf(headers, ARRAYSIZE(headers), L"Content-Range: bytes %I64u-%I64u/%I64u\r\n", offset,
                     offset + len - 1, total);
        else
            lstrcpyW(headers, L"Content-Range: bytes */0\r\n");
        if (!offset && lstrlenW(name) < MAX_PATH)
            swprintf(headers + lstrlenW(headers), ARRAYSIZE(headers) - lstrlenW(headers), L"Content-Name: %s\r\n", name);

        if (!(request = post(u, L"Fragment", headers, buffer, len, &status, error)))
        {
            hr = error->code;
            break;
        }
        transfer_connected(u->t);
        if (status == 416 && received_offset(request, total, &acked) && ++refused <= MAX_416_IN_A_ROW)
        {
            /* Not where the server is: go on from its offset, which it never rewrites. */
            TRACE("416: the server has %I64u, we sent %I64u\n", acked, offset);
            WinHttpCloseHandle(request);
            offset = acked;
            transfer_progress(u->t, offset);
            continue;
        }
        if (status != 200 && status != 201)
        {
            ack_error(request, status, error);
            WinHttpCloseHandle(request);
            if (error->code == (HRESULT)BG_E_SESSION_NOT_FOUND) forget_session(u);
            hr = error->code;
            break;
        }
        if (!received_offset(request, total, &acked)) acked = offset + len;
        if (acked >= total)
        {
            WCHAR url[MAX_URL + 1];
            if (query_header(request, L"BITS-Reply-URL", url, ARRAYSIZE(url)) && *url)
            {
                EnterCriticalSection(&job->cs);
                /* Bytes of another reply (an earlier session's) are of no use. */
                if (!job->reply_url || wcscmp(job->reply_url, url)) job->reply_progress.BytesTransferred = 0;
                heap_free(job->reply_url);
                job->reply_url = heap_strdupW(url);
                LeaveCriticalSection(&job->cs);
            }
        }
        WinHttpCloseHandle(request);
        if (acked > offset) refused = 0;
        offset = acked;
        transfer_progress(u->t, offset);
        store_changed(offset >= total);
    } while (offset < total);

    CloseHandle(handle);
    HeapFree(GetProcessHeap(), 0, buffer);
    return hr;
}

/* ---- the reply of an upload-reply job ---- */

static void reply_progress(struct transfer *t, UINT64 done)
{
    struct bits_job *job = transfer_job(t);

    EnterCriticalSection(&job->cs);
    job->reply_progress.BytesTransferred = done;
    job->last_progress = GetTickCount64();
    job_touch(job);
    notify_post(job, NOTIFY_JOB_MODIFICATION, NULL);
    LeaveCriticalSection(&job->cs);
}

/* A relative BITS-Reply-URL is taken against the job's URL. */
static WCHAR *resolve_reply_url(const WCHAR *remote, const WCHAR *url)
{
    const WCHAR *server_end;
    WCHAR *full;
    size_t size;

    if (is_http_url(url)) return heap_strdupW(url);
    if (url[0] != '/') return NULL;
    server_end = wcschr(wcschr(remote, ':') + 3, '/');
    if (!server_end) server_end = remote + lstrlenW(remote);
    size = (server_end - remote) + lstrlenW(url) + 1;
    if (!(full = heap_alloc_zero(size * sizeof(WCHAR)))) return NULL;
    swprintf(full, size, L"%.*s%s", (int)(server_end - remote), remote, url);
    return full;
}

/* Keep the first at bytes of the output and write on after them. */
static BOOL output_cut(HANDLE output, UINT64 at)
{
    LARGE_INTEGER pos;

    pos.QuadPart = at;
    return SetFilePointerEx(output, pos, NULL, FILE_BEGIN) && SetEndOfFile(output);
}

/* A 206 to the reply's `Range: bytes=offset-`: TRUE when it is exactly the rest of the reply
 * whose start is in the temp file (that start, to the end, the total of the reply as known
 * before, and a Content-Length to match), with the whole size in *total. */
static BOOL range_starts_at(HINTERNET request, UINT64 offset, UINT64 known, UINT64 *total)
{
    struct transfer_error ignored;
    UINT64 first, last;

    if (!http_content_range(request, &first, &last, total) || *total <= offset) return FALSE;
    if (known != BG_SIZE_UNKNOWN && known > offset && *total != known) return FALSE;   /* another reply */
    return http_check_partial(request, offset, *total - 1, *total, &ignored) == S_OK;
}

/* GET of the reply from offset on (a Range request unless 0). Returns the request with the
 * size of the whole reply, or NULL with error filled in; *offset becomes 0 when the server
 * sends it whole again (200 to the Range request, or 416: our bytes are not of this reply),
 * and when its 206 is not exactly the rest of the reply we have the start of: then not a byte
 * of it is used, and the reply is fetched whole. */
static HINTERNET reply_request(struct upload *u, UINT64 *offset, UINT64 *size, struct transfer_error *error)
{
    WCHAR range[64], buf[32];
    HINTERNET request;
    DWORD status, len;
    UINT64 known;

    EnterCriticalSection(&u->job->cs);
    known = u->job->reply_progress.BytesTotal;
    LeaveCriticalSection(&u->job->cs);

    if (*offset) swprintf(range, ARRAYSIZE(range), L"Range: bytes=%I64u-\r\n", *offset);
    if (!(request = http_send(u->http, L"GET", *offset ? range : NULL, NULL, 0, &status, error))) return NULL;
    transfer_connected(u->t);
    if (*offset && (status == 416 || (status == 206 && !range_starts_at(request, *offset, known, size))))
    {
        WARN("reply: status %lu to a Range from %I64u, downloading it whole\n", status, *offset);
        WinHttpCloseHandle(request);
        *offset = 0;
        return reply_request(u, offset, size, error);
    }
    if (status >= 400)
    {
        http_status_error(status, error);
        WinHttpCloseHandle(request);
        return NULL;
    }
    if (status == 206 && *offset) return request;
    if (*offset) WARN("reply: status %lu to a Range request, downloading it whole\n", status);
    *offset = 0;
    len = sizeof(buf);
    *size = WinHttpQueryHeaders(request, WINHTTP_QUERY_CONTENT_LENGTH, NULL, buf, &len, NULL)
            ? _wcstoui64(buf, NULL, 10) : BG_SIZE_UNKNOWN;
    return request;
}

/* The reply goes into a temp file beside the reply file; Complete renames it.
 * No BITS-Reply-URL means an empty reply. It is an ordinary download, so it goes on
 * after an interruption with a Range request, keeping the bytes already in the temp file. */
static HRESULT download_reply(struct upload *u, struct transfer_error *error)
{
    struct bits_job *job = u->job;
    WCHAR *url = NULL, *temp;
    HINTERNET request = NULL;
    LARGE_INTEGER have;
    HANDLE output;
    UINT64 size = 0, done = 0;
    BYTE *buffer = NULL;
    HRESULT hr = S_OK;

    EnterCriticalSection(&job->cs);
    if (!job->reply_temp) job->reply_temp = job_reply_temp_name(job);
    temp = heap_strdupW(job->reply_temp);
    if (job->reply_url) url = resolve_reply_url(u->remote, job->reply_url);
    if (url) done = job->reply_progress.BytesTransferred;
    LeaveCriticalSection(&job->cs);
    if (!temp)
    {
        heap_free(url);
        return E_OUTOFMEMORY;
    }
    output = CreateFileW(temp, GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_DELETE, NULL, OPEN_ALWAYS,
                         FILE_ATTRIBUTE_HIDDEN, NULL);
    heap_free(temp);
    if (output == INVALID_HANDLE_VALUE)
    {
        heap_free(url);
        transfer_error_set(error, HRESULT_FROM_WIN32(GetLastError()), BG_ERROR_CONTEXT_LOCAL_FILE, FALSE);
        return error->code;
    }
    /* Only the bytes really in the file count. */
    if (GetFileSizeEx(output, &have) && (UINT64)have.QuadPart < done) done = have.QuadPart;
    if (url)
    {
        TRACE("reply from %s at %I64u\n", debugstr_w(url), done);
        if (FAILED(hr = http_connect(u->http, url, error))) goto done;
        u->on_host = FALSE;
        if (!(request = reply_request(u, &done, &size, error)))
        {
            hr = error->code;
            goto done;
        }
    }
    if (!output_cut(output, done))
    {
        transfer_error_set(error, HRESULT_FROM_WIN32(GetLastError()), BG_ERROR_CONTEXT_LOCAL_FILE, FALSE);
        hr = error->code;
        goto done;
    }
    EnterCriticalSection(&job->cs);
    job->reply_progress.BytesTotal = size;
    job->reply_progress.BytesTransferred = done;
    LeaveCriticalSection(&job->cs);
    if (url)
    {
        if (!(buffer = HeapAlloc(GetProcessHeap(), 0, HTTP_READ_BUFFER_SIZE)))
        {
            hr = E_OUTOFMEMORY;
            goto done;
        }
        if (FAILED(hr = http_read_body(u->t, request, output, &done, size == BG_SIZE_UNKNOWN ? ~(UINT64)0 : size,
                                       buffer, reply_progress, error)))
            goto done;
        if (size != BG_SIZE_UNKNOWN && done < size)
        {
            transfer_error_set(error, HRESULT_FROM_WIN32(ERROR_WINHTTP_CONNECTION_ERROR),
                               BG_ERROR_CONTEXT_REMOTE_FILE, TRUE);
            hr = error->code;
            goto done;
        }
    }
    EnterCriticalSection(&job->cs);
    job->reply_progress.BytesTotal = job->reply_progress.BytesTransferred = done;
    job->reply_done = TRUE;
    store_changed(TRUE);
    LeaveCriticalSection(&job->cs);

done:
    if (request) WinHttpCloseHandle(request);
    CloseHandle(output);
    HeapFree(GetProcessHeap(), 0, buffer);
    heap_free(url);
    return hr;
}

/* ---- Close-Session ---- */

/* BITS re-sends Close and Cancel on 5xx unless BG_E_SESSION_NOT_FOUND; anything else ends
 * the session (the upload itself is on the server already). */
static HRESULT close_session(struct upload *u, struct transfer_error *error)
{
    struct bits_job *job = u->job;
    HINTERNET request;
    DWORD status;

    if (!(request = post(u, L"Close-Session", NULL, NULL, 0, &status, error))) return error->code;
    transfer_connected(u->t);
    if (status != 200 && status != 201)
    {
        ack_error(request, status, error);
        if (status >= 500 && error->code != (HRESULT)BG_E_SESSION_NOT_FOUND)
        {
            WinHttpCloseHandle(request);
            error->transient = TRUE;
            return error->code;
        }
        WARN("Close-Session: %lu %#lx, the session ends anyway\n", status, error->code);
    }
    WinHttpCloseHandle(request);
    EnterCriticalSection(&job->cs);
    heap_free(job->upload_session);
    job->upload_session = NULL;
    heap_free(job->upload_host);
    job->upload_host = NULL;
    store_changed(TRUE);
    LeaveCriticalSection(&job->cs);
    memset(error, 0, sizeof(*error));
    return S_OK;
}

/* ---- the worker's entry point ---- */

/* One attempt at the upload of the job's file: on from wherever the session stands. */
HRESULT upload_transfer(struct transfer *t, struct transfer_error *error)
{
    struct upload u = { t, transfer_job(t), transfer_file(t), NULL, NULL, NULL, NULL, FALSE, NULL };
    struct bits_job *job = u.job;
    BOOL reply, reply_done, finished;
    HRESULT hr;

    EnterCriticalSection(&job->cs);
    u.remote = heap_strdupW(u.file->remote_name);
    u.session = heap_strdupW(job->upload_session);
    reply = job->type == BG_JOB_TYPE_UPLOAD_REPLY;
    reply_done = job->reply_done;
    finished = u.session && u.file->progress.BytesTransferred >= u.file->progress.BytesTotal
               && u.file->progress.BytesTotal;
    LeaveCriticalSection(&job->cs);
    if (!u.remote) return E_OUTOFMEMORY;
    if (!is_http_url(u.remote))
    {
        heap_free(u.remote);
        heap_free(u.session);
        /* the upload protocol runs over HTTP(S) only */
        transfer_error_set(error, BG_E_REMOTE_NOT_SUPPORTED, BG_ERROR_CONTEXT_REMOTE_FILE, FALSE);
        return error->code;
    }
    /* The local file is read as the owner (open_file_as); a job loaded after a restart has no
     * token and reads it as the service. */
    if (!(u.owner = job_owner_token(job))) TRACE("job %s: no token of the owner\n", debugstr_guid(&job->id));

    if (FAILED(hr = upload_connect(&u, error))) goto done;
    if (!u.session)
    {
        if (FAILED(hr = create_session(&u, error))) goto done;
        /* the packets after Create-Session go to its BITS-Host-Id (host affinity) */
        if (FAILED(hr = upload_connect(&u, error))) goto done;
    }
    if (!finished && FAILED(hr = send_fragments(&u, error))) goto done;
    /* the reply comes before Close-Session: the server drops it with the session. */
    if (reply && !reply_done)
    {
        if (FAILED(hr = download_reply(&u, error))) goto done;
        if (FAILED(hr = upload_connect(&u, error))) goto done;
    }
    hr = close_session(&u, error);

done:
    if (u.http) http_close(u.http);
    heap_free(u.remote);
    heap_free(u.target);
    heap_free(u.session);
    if (u.owner) CloseHandle(u.owner);
    return hr;
}

/* ---- Cancel-Session ---- */

struct cancel_request
{
    struct list entry;                 /* in cancels.pending */
    struct bits_job *job;              /* holds a reference; cancelled, so nobody changes it */
    WCHAR *remote, *session;
    WCHAR *host;                       /* under cancels.cs */
    ULONGLONG start;                   /* GetTickCount64() of the first Cancel-Session */
    BOOL stopped;                      /* a service stop ended its thread: saved, not sent */
};

static struct
{
    CRITICAL_SECTION cs;               /* innermost but for the job lock the store takes in it */
    struct list pending;               /* struct cancel_request */
    HANDLE stop;                       /* manual-reset: the service stops */
    LONG threads;
    HANDLE idle;                       /* manual-reset: no cancel thread runs */
} cancels;

static INIT_ONCE cancels_once = INIT_ONCE_STATIC_INIT;

static BOOL CALLBACK cancels_init(INIT_ONCE *once, void *param, void **context)
{
    BITS_CS_INIT(&cancels.cs, "cancels.cs");
    list_init(&cancels.pending);
    cancels.stop = CreateEventW(NULL, TRUE, FALSE, NULL);
    cancels.idle = CreateEventW(NULL, TRUE, TRUE, NULL);
    return TRUE;
}

static void cancel_request_free(struct cancel_request *req)
{
    heap_free(req->remote);
    heap_free(req->host);
    heap_free(req->session);
    IBackgroundCopyJob_Release(job_iface(req->job));
    heap_free(req);
}

/* Cancel-Session until the server takes it, re-sent on 5xx unless the session is unknown
 * (BG_E_SESSION_NOT_FOUND), after each MinimumRetryDelay, for at most 24 h or NoProgressTimeout
 * counted from the first one, across service restarts. A connection failure is retried the
 * same way. */
static DWORD WINAPI cancel_thread(void *arg)
{
    struct cancel_request *req = arg;
    struct bits_job *job = req->job;
    struct upload u = { NULL, job, NULL, NULL, NULL, NULL, NULL, FALSE, NULL };
    ULONGLONG start = req->start, limit = CANCEL_RETRY_LIMIT_MS;
    struct transfer_error error;
    HINTERNET request;
    DWORD status;
    BOOL again, stopped;

    if (job->no_progress_timeout && (ULONGLONG)job->no_progress_timeout * 1000 < limit)
        limit = (ULONGLONG)job->no_progress_timeout * 1000;
    u.session = req->session;
    u.remote = req->remote;
    do
    {
        WCHAR *url;

        EnterCriticalSection(&cancels.cs);
        url = req->host ? host_url(req->remote, req->host) : NULL;
        LeaveCriticalSection(&cancels.cs);

        request = NULL;
        memset(&error, 0, sizeof(error));
        again = TRUE;
        if (u.http) http_connect(u.http, url ? url : req->remote, &error);
        /* The job is cancelled, its abort event set: a service stop cuts these calls short. */
        else if (SUCCEEDED(http_open(job, url ? url : req->remote, &u.http, &error)))
            http_set_abort(u.http, cancels.stop);
        heap_free(url);
        if (u.http && (request = post(&u, L"Cancel-Session", NULL, NULL, 0, &status, &error)))
        {
            if (status != 200 && status != 201) ack_error(request, status, &error);
            again = status >= 500 && status < 600 && error.code != (HRESULT)BG_E_SESSION_NOT_FOUND;
            WinHttpCloseHandle(request);
            TRACE("Cancel-Session %s: %lu\n", debugstr_w(req->session), status);
        }
        /* A host id that stays unreachable: back to the job's URL, as for the upload. */
        if (again && req->host && !request && job->upload_fallback != UPLOAD_NO_FALLBACK
            && GetTickCount64() - start >= (ULONGLONG)job->upload_fallback * 1000)
        {
            EnterCriticalSection(&cancels.cs);
            heap_free(req->host);
            req->host = NULL;
            LeaveCriticalSection(&cancels.cs);
        }
    } while (again && GetTickCount64() - start + (ULONGLONG)job->retry_delay * 1000 <= limit
             && WaitForSingleObject(cancels.stop, job->retry_delay * 1000) == WAIT_TIMEOUT);
    if (u.http) http_close(u.http);

    /* A service stop leaves the request pending for the store's last save; the next start
     * sends it again. Otherwise it is done, and the store forgets it. */
    EnterCriticalSection(&cancels.cs);
    stopped = again && WaitForSingleObject(cancels.stop, 0) == WAIT_OBJECT_0
              && GetTickCount64() - start < limit;
    if (stopped) req->stopped = TRUE;
    else list_remove(&req->entry);
    if (!--cancels.threads)
    {
        SetEvent(cancels.idle);
        if (keeper_want(KEEP_CANCELS, FALSE)) scheduler_wake();
    }
    LeaveCriticalSection(&cancels.cs);
    if (stopped) TRACE("Cancel-Session %s pending at the stop\n", debugstr_w(req->session));
    else
    {
        if (again) WARN("Cancel-Session %s not accepted; giving up\n", debugstr_w(req->session));
        cancel_request_free(req);
        store_changed(FALSE);
    }
    return 0;
}

/* Job::Cancel of an upload with a session: send Cancel-Session in the background: the server must drop the partial upload or the reply;
 * also a pending one of the last run, elapsed_ms after its first. Takes the strings. */
void upload_cancel_session(struct bits_job *job, WCHAR *remote, WCHAR *host, WCHAR *session, ULONGLONG elapsed_ms)
{
    struct cancel_request *req;
    HANDLE thread;

    InitOnceExecuteOnce(&cancels_once, cancels_init, NULL, NULL);
    if (!remote || !session || !is_http_url(remote) || !(req = heap_alloc_zero(sizeof(*req))))
    {
        heap_free(remote);
        heap_free(host);
        heap_free(session);
        return;
    }
    req->job = job;
    req->remote = remote;
    req->host = host;
    req->session = session;
    req->start = GetTickCount64() - min(elapsed_ms, GetTickCount64());
    IBackgroundCopyJob_AddRef(job_iface(job));
    EnterCriticalSection(&cancels.cs);
    list_add_tail(&cancels.pending, &req->entry);
    ResetEvent(cancels.stop);
    if (!cancels.threads++)
    {
        ResetEvent(cancels.idle);
        /* Its retries may take hours: the session stays up for them. */
        if (keeper_want(KEEP_CANCELS, TRUE)) scheduler_wake();
    }
    LeaveCriticalSection(&cancels.cs);
    if ((thread = CreateThread(NULL, 0, cancel_thread, req, 0, NULL))) CloseHandle(thread);
    else
    {
        ERR("cannot start a Cancel-Session thread: %lu\n", GetLastError());
        cancel_thread(req);
    }
}

/* Service stop: the Cancel-Session threads end; what they have not sent stays pending for the
 * store's last save. */
void upload_shutdown(void)
{
    struct cancel_request *req;

    InitOnceExecuteOnce(&cancels_once, cancels_init, NULL, NULL);
    EnterCriticalSection(&cancels.cs);
    SetEvent(cancels.stop);
    /* The stop event cuts the requests and the retry delay short; the job's abort event cuts
     * short the proxy lookup of a request's session (http_open waits on it, not on stop). A
     * job cancelled in this run has it set already; one whose request came from the store
     * gets it here. Its job is final: nothing else reads it. */
    LIST_FOR_EACH_ENTRY(req, &cancels.pending, struct cancel_request, entry)
        job_abort_transfer(req->job);
    LeaveCriticalSection(&cancels.cs);
    /* No time limit, then: every wait of a thread ends now. Going on while one still ran would
     * let it go on sending after the service stopped, and after a restart in this svchost
     * (which clears stop) next to the copy of its request that the store gives the new run. */
    WaitForSingleObject(cancels.idle, INFINITE);
}

/* The store's save: each pending Cancel-Session with the time since its first. Any lock but
 * a job lock may be held; visit may take the job's. */
void upload_enum_cancels(void (*visit)(struct bits_job *job, const WCHAR *remote, const WCHAR *host,
                                       const WCHAR *session, ULONGLONG elapsed_ms, void *context), void *context)
{
    struct cancel_request *req;
    ULONGLONG now = GetTickCount64();

    InitOnceExecuteOnce(&cancels_once, cancels_init, NULL, NULL);
    EnterCriticalSection(&cancels.cs);
    LIST_FOR_EACH_ENTRY(req, &cancels.pending, struct cancel_request, entry)
        visit(req->job, req->remote, req->host, req->session, now - req->start, context);
    LeaveCriticalSection(&cancels.cs);
}

/* The store's load: those a stop left pending are on disk, which is the truth from now on. */
void upload_forget_cancels(void)
{
    struct cancel_request *req, *next;
    struct list stopped;

    InitOnceExecuteOnce(&cancels_once, cancels_init, NULL, NULL);
    list_init(&stopped);
    EnterCriticalSection(&cancels.cs);
    LIST_FOR_EACH_ENTRY_SAFE(req, next, &cancels.pending, struct cancel_request, entry)
    {
        if (!req->stopped) continue;
        list_remove(&req->entry);
        list_add_tail(&stopped, &req->entry);
    }
    LeaveCriticalSection(&cancels.cs);
    LIST_FOR_EACH_ENTRY_SAFE(req, next, &stopped, struct cancel_request, entry)
        cancel_request_free(req);
}

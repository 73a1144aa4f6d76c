/*
 * http.h: the WinHTTP session of one transfer, shared by downloads (http.c) and uploads
 * (upload.c). A session carries the job's proxy settings, credentials (the strongest scheme
 * a 401/407 offers; a Digest nonce is answered again on later requests), security flags,
 * redirect policy and custom headers, copied from the job when it opens, and is connected to
 * one host at a time (redirects reach others on connections of their own).
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

#ifndef __QMGR_HTTP_H
#define __QMGR_HTTP_H

#include <winhttp.h>

struct http_session;

HRESULT http_open(struct bits_job *job, const WCHAR *url, struct http_session **session,
                  struct transfer_error *error);
/* Connect the session to another URL (host affinity, a reply URL); the settings stay. */
HRESULT http_connect(struct http_session *session, const WCHAR *url, struct transfer_error *error);
void http_close(struct http_session *session);
/* The session and last request of a finished download, closed by the worker once the file's
 * outcome is posted (scheduler.c), or before its next file. */
void transfer_defer_close(struct transfer *t, struct http_session *session, HINTERNET request);
void transfer_close_deferred(struct transfer *t);
/* The event that cuts the session's sends and reads short (httpwait.c): the job's abort
 * event from http_open, or another one for work that outlives the job's transfer. */
void http_set_abort(struct http_session *session, HANDLE abort);
/* Send one request to the connected URL with extra headers (CRLF separated) and a body,
 * answering challenges and following redirects (not for BITS_POST) as the job allows;
 * returns the request handle with the final status, or NULL with error filled in. */
HINTERNET http_send(struct http_session *session, const WCHAR *verb, const WCHAR *extra, const void *body,
                    DWORD body_len, DWORD *status, struct transfer_error *error);
HRESULT http_read_body(struct transfer *t, HINTERNET request, HANDLE output, UINT64 *done, UINT64 limit,
                       BYTE *buffer, void (*progress)(struct transfer *t, UINT64 done),
                       struct transfer_error *error);
/* Content-Range "bytes first-last/total" of a 206; and a 206 checked against the range asked
 * for (start to end inclusive) of a file of size bytes: S_OK, S_FALSE when its total says the
 * file changed, else an error (BG_E_INVALID_SERVER_RESPONSE, BG_E_INSUFFICIENT_RANGE_SUPPORT). */
BOOL http_content_range(HINTERNET request, UINT64 *first, UINT64 *last, UINT64 *total);
HRESULT http_check_partial(HINTERNET request, UINT64 start, UINT64 end, UINT64 size, struct transfer_error *error);
/* Error of an HTTP status (REMOTE_FILE context) and of a failed WinHTTP call. */
void http_status_error(DWORD status, struct transfer_error *error);
void http_winhttp_error(struct transfer_error *error);

#define HTTP_READ_BUFFER_SIZE (1024 * 1024)   /* the largest block read at once (httpwait.c) */

#endif /* __QMGR_HTTP_H */

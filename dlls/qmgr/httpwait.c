/*
 * httpwait.c: blocking WinHTTP calls that a Suspend or Cancel cuts short, so a job stops within
 * about 100 ms instead of when the server next sends something.
 * Owns: the per-request completion state of WinHTTP's asynchronous mode. http.c opens its
 * session asynchronously and calls these instead of WinHttpSendRequest, WinHttpReceiveResponse
 * and WinHttpReadData: each starts the call and waits for either its completion or the job's
 * abort event. Closing a request handle does not wake a synchronous call blocked in a socket
 * read under Wine, so a stalled server would otherwise hold a stopped worker for minutes.
 * An abandoned call completes later into memory this file owns until WinHTTP closes the handle.
 * Each wait also has a deadline (http_timeouts, set on the session by http.c): WinHTTP's own
 * timeouts do not end an asynchronous call under Wine 8, and a server that accepts and never
 * answers, or sends its headers a byte at a time, would otherwise hold the worker (and its
 * foreground slot) for good. A call past its deadline fails with ERROR_WINHTTP_TIMEOUT and is
 * abandoned like an aborted one.
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
#include <winhttp.h>

BITS_DEFAULT_DEBUG_CHANNEL(qmgr);

struct http_wait
{
    HANDLE done;                       /* auto-reset: the pending call completed */
    DWORD bytes;                       /* bytes read by the last ReadData */
    DWORD error;                       /* 0, or the error of the last call */
    BYTE *buffer;                      /* ReadData lands here: an abandoned read may still write */
    DWORD buffer_size;
    BYTE *body;                        /* the request body: an abandoned send may still read it */
    DWORD direct;                      /* size of the next plain ReadData, 0: ask what has arrived */
    DWORD full_polls;                  /* QueryDataAvailable answers in a row that found a full buffer */
    DWORD caller;                      /* thread inside the WinHTTP call that is pending, or 0 */
    BOOL completed;                    /* that call completed inline, on that thread */
    struct http_timeouts timeouts;     /* the session's, when the request was opened */
};

/* Reading a fast body: every asynchronous call costs a thread switch under Wine, and
 * QueryDataAvailable never reports more than WinHTTP's small internal buffer, so a body read
 * that way moves a few KiB per two calls. Once the data keeps arriving faster than it is read,
 * plain ReadData calls take over; they return only when their buffer is full, so their size
 * follows the rate (doubling while a read completes within READ_FAST_MS, shrinking when one
 * takes longer than READ_SLOW_MS) and a server that slows down to a trickle is soon read by
 * QueryDataAvailable again, with progress for every few bytes. */
#define READ_FULL_BUFFER   8192        /* QueryDataAvailable's answer when data waits unread */
#define READ_FULL_POLLS    4
#define READ_DIRECT_MIN    (32 * 1024)
#define READ_FAST_MS       20
#define READ_SLOW_MS       100

static void wait_free(struct http_wait *wait)
{
    if (wait->done) CloseHandle(wait->done);
    HeapFree(GetProcessHeap(), 0, wait->buffer);
    HeapFree(GetProcessHeap(), 0, wait->body);
    heap_free(wait);
}

/* A completion: inline on the thread that made the call (WinHTTP had what it needed), which
 * then need not wait; else the event. Every wait and SetEvent is a wineserver call. */
static void complete(struct http_wait *wait)
{
    if (wait->caller == GetCurrentThreadId()) wait->completed = TRUE;
    else SetEvent(wait->done);
}

static void CALLBACK status_callback(HINTERNET handle, DWORD_PTR context, DWORD status, void *info, DWORD len)
{
    struct http_wait *wait = (struct http_wait *)context;

    if (!wait) return;                 /* session and connection handles have no context */
    switch (status)
    {
    case WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE:
    case WINHTTP_CALLBACK_STATUS_HEADERS_AVAILABLE:
        wait->error = 0;
        complete(wait);
        break;
    case WINHTTP_CALLBACK_STATUS_DATA_AVAILABLE:
        wait->error = 0;
        wait->bytes = *(DWORD *)info;
        complete(wait);
        break;
    case WINHTTP_CALLBACK_STATUS_READ_COMPLETE:
        wait->error = 0;
        wait->bytes = len;
        complete(wait);
        break;
    case WINHTTP_CALLBACK_STATUS_REQUEST_ERROR:
        wait->error = ((WINHTTP_ASYNC_RESULT *)info)->dwError;
        if (!wait->error) wait->error = ERROR_WINHTTP_INTERNAL_ERROR;
        complete(wait);
        break;
    case WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING:
        wait_free(wait);               /* nothing of this request can call back any more */
        break;
    }
}

/* The session of a transfer: asynchronous, with our completion callback on all its requests,
 * and the timeouts given to WinHTTP too (for the parts its own code bounds, such as a connect). */
void *http_wait_open_session(const WCHAR *agent, DWORD access, const WCHAR *proxy, const WCHAR *bypass,
                             const struct http_timeouts *timeouts)
{
    HINTERNET session;
    DWORD value;

    if (!(session = WinHttpOpen(agent, access, proxy, bypass, WINHTTP_FLAG_ASYNC))) return NULL;
    WinHttpSetTimeouts(session, timeouts->resolve, timeouts->connect, timeouts->send, timeouts->receive);
    value = timeouts->response;
    WinHttpSetOption(session, WINHTTP_OPTION_RECEIVE_RESPONSE_TIMEOUT, &value, sizeof(value));
    if (WinHttpSetStatusCallback(session, status_callback, WINHTTP_CALLBACK_FLAG_ALL_COMPLETIONS
                                 | WINHTTP_CALLBACK_FLAG_HANDLES, 0) == WINHTTP_INVALID_STATUS_CALLBACK)
    {
        DWORD err = GetLastError();
        WinHttpCloseHandle(session);
        SetLastError(err);
        return NULL;
    }
    return session;
}

/* Attach the completion state to a new request; on failure the caller closes the request. */
BOOL http_wait_attach(void *request, const struct http_timeouts *timeouts)
{
    struct http_wait *wait;
    DWORD_PTR value;

    if (!(wait = heap_alloc_zero(sizeof(*wait))) || !(wait->done = CreateEventW(NULL, FALSE, FALSE, NULL)))
    {
        if (wait) heap_free(wait);
        SetLastError(ERROR_OUTOFMEMORY);
        return FALSE;
    }
    wait->timeouts = *timeouts;
    value = (DWORD_PTR)wait;
    if (!WinHttpSetOption(request, WINHTTP_OPTION_CONTEXT_VALUE, &value, sizeof(value)))
    {
        DWORD err = GetLastError();
        wait_free(wait);
        SetLastError(err);
        return FALSE;
    }
    return TRUE;
}

static struct http_wait *get_wait(HINTERNET request)
{
    DWORD_PTR context = 0;
    DWORD size = sizeof(context);

    if (!WinHttpQueryOption(request, WINHTTP_OPTION_CONTEXT_VALUE, &context, &size)) return NULL;
    return (struct http_wait *)context;
}

/* Make a WinHTTP call, ok its result; a completion on this thread before it returns is noted
 * by the callback (complete). */
#define START_CALL(wait, ok, call) do { (wait)->completed = FALSE; (wait)->caller = GetCurrentThreadId(); \
                                        (ok) = (call); (wait)->caller = 0; } while (0)

/* Wait for the call started on the request, or for the abort event, at most timeout ms (0:
 * no limit). On an abort or a timeout the call stays pending: the caller closes the request
 * and WinHTTP finishes it on its own. The event is only ever set by a call that did not
 * complete inline, and such a call is always waited for (or its request closed), so it holds
 * no stale signal. An abort is seen by the next wait, or by the caller's check of the job's
 * flag, not before every call. */
static BOOL wait_call(struct http_wait *wait, HANDLE abort, DWORD timeout)
{
    HANDLE handles[2] = { wait->done, abort };

    if (!wait->completed)
    {
        switch (WaitForMultipleObjects(abort ? 2 : 1, handles, FALSE, timeout ? timeout : INFINITE))
        {
        case WAIT_OBJECT_0:
            break;
        case WAIT_OBJECT_0 + 1:
            TRACE("call abandoned\n");
            SetLastError(ERROR_OPERATION_ABORTED);
            return FALSE;
        case WAIT_TIMEOUT:
            TRACE("no answer within %lu ms\n", timeout);
            SetLastError(ERROR_WINHTTP_TIMEOUT);
            return FALSE;
        default:
            return FALSE;
        }
    }
    if (!wait->error) return TRUE;
    SetLastError(wait->error);
    return FALSE;
}

/* The deadline of a send. Under Wine 8 a server that answers its header a byte at a time held
 * an asynchronous send past the receive response timeout (its completion seems to wait for the
 * answer to begin), so it covers the connection (and name resolution, which has no
 * limit of its own by default: then it shares the connect timeout), the request with its body
 * (the send timeout for every 64 KiB, a guess: Windows applies it to each send of the socket)
 * and the wait for the answer (the receive response timeout). 0: no limit (a timeout of 0 is
 * none, as in WinHTTP). */
static DWORD send_deadline(const struct http_timeouts *timeouts, DWORD length)
{
    UINT64 total;

    if (!timeouts->connect || !timeouts->send || !timeouts->response) return 0;
    total = (UINT64)timeouts->resolve + timeouts->connect + (UINT64)timeouts->send * (1 + length / 65536)
            + timeouts->response;
    return (DWORD)min(total, (UINT64)0xfffffffe);
}

/* WinHttpSendRequest with a body of length bytes (body may be NULL), then
 * WinHttpReceiveResponse. The body is copied: an abandoned send may read it after we return.
 * Called again on the same request to answer an authentication challenge. meanwhile (may be
 * NULL) runs once the request is on its way, before the wait for the answer. */
BOOL http_wait_send(void *request, HANDLE abort, const void *body, DWORD length, void (*meanwhile)(void *),
                    void *context)
{
    struct http_wait *wait = get_wait(request);
    BOOL ok;

    if (!wait)
    {
        SetLastError(ERROR_INVALID_HANDLE);
        return FALSE;
    }
    if (length && !wait->body)
    {
        if (!(wait->body = HeapAlloc(GetProcessHeap(), 0, length)))
        {
            SetLastError(ERROR_OUTOFMEMORY);
            return FALSE;
        }
        memcpy(wait->body, body, length);
    }
    START_CALL(wait, ok, WinHttpSendRequest(request, WINHTTP_NO_ADDITIONAL_HEADERS, 0,
                                            length ? wait->body : WINHTTP_NO_REQUEST_DATA, length, length,
                                            (DWORD_PTR)wait));
    if (!ok) return FALSE;
    if (meanwhile) meanwhile(context);
    if (!wait_call(wait, abort, send_deadline(&wait->timeouts, length))) return FALSE;
    START_CALL(wait, ok, WinHttpReceiveResponse(request, NULL));
    if (!ok) return FALSE;
    /* The whole header block: a server that sends it a byte at a time is no answer either. */
    return wait_call(wait, abort, wait->timeouts.response);
}

/* A ReadData of want bytes into our buffer, then copied out. */
static BOOL read_into(void *request, struct http_wait *wait, HANDLE abort, BYTE *out, DWORD want, DWORD *got)
{
    BOOL ok;

    *got = 0;
    if (wait->buffer_size < want)
    {
        BYTE *bigger = HeapAlloc(GetProcessHeap(), 0, want);
        if (!bigger)
        {
            SetLastError(ERROR_OUTOFMEMORY);
            return FALSE;
        }
        HeapFree(GetProcessHeap(), 0, wait->buffer);
        wait->buffer = bigger;
        wait->buffer_size = want;
    }
    wait->bytes = 0;
    START_CALL(wait, ok, WinHttpReadData(request, wait->buffer, want, NULL));
    if (!ok || !wait_call(wait, abort, wait->timeouts.receive)) return FALSE;
    memcpy(out, wait->buffer, wait->bytes);
    *got = wait->bytes;
    return TRUE;
}

/* Up to size bytes of the body into buffer; *read is 0 at its end. A slow body is read no
 * more than has arrived, so that progress shows while a server trickles: QueryDataAvailable is
 * the wait that an abort cuts short, and the read of exactly what WinHTTP then holds completes
 * inline. A fast body is read in large blocks (see READ_FULL_BUFFER). */
BOOL http_wait_read(void *request, HANDLE abort, BYTE *buffer, DWORD size, DWORD *read)
{
    struct http_wait *wait = get_wait(request);
    ULONGLONG start;
    BOOL ok;

    *read = 0;
    if (!wait)
    {
        SetLastError(ERROR_INVALID_HANDLE);
        return FALSE;
    }
    if (wait->direct && size >= READ_DIRECT_MIN)
    {
        DWORD want = min(wait->direct, size);

        start = GetTickCount64();
        if (!read_into(request, wait, abort, buffer, want, read)) return FALSE;
        start = GetTickCount64() - start;
        if (*read == want && start <= READ_FAST_MS) wait->direct = min(wait->direct * 2, size);
        else if (start > READ_SLOW_MS && (wait->direct /= 4) < READ_DIRECT_MIN)
        {
            TRACE("%lu bytes took %I64u ms: reading what has arrived\n", *read, start);
            wait->direct = 0;
            wait->full_polls = 0;
        }
        return TRUE;
    }
    START_CALL(wait, ok, WinHttpQueryDataAvailable(request, NULL));
    if (!ok || !wait_call(wait, abort, wait->timeouts.receive)) return FALSE;
    if (!wait->bytes) return TRUE;                               /* the end of the body */
    if (wait->bytes < READ_FULL_BUFFER) wait->full_polls = 0;
    else if (++wait->full_polls >= READ_FULL_POLLS)
    {
        TRACE("data waits: reading blocks\n");
        wait->direct = READ_DIRECT_MIN;
    }
    return read_into(request, wait, abort, buffer, min(wait->bytes, size), read);
}

/* Reads the rest of a short body and drops it, up to limit bytes; TRUE once its end was read.
 * WinHTTP keeps a connection for the next request only after a read has reached the end of the
 * body, an empty one too (asking how much data is left is not enough). */
BOOL http_wait_drain(void *request, HANDLE abort, DWORD limit)
{
    struct http_wait *wait = get_wait(request);
    BYTE buffer[4096];
    DWORD got, total = 0;

    if (!wait) return FALSE;
    while (total <= limit)
    {
        if (!read_into(request, wait, abort, buffer, sizeof(buffer), &got)) return FALSE;
        if (!got) return TRUE;
        total += got;
    }
    return FALSE;
}

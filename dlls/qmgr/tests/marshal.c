/*
 * Conformance tests of the proxy/stub (qmgrprxy.dll): every union and every argument of
 * variable size of the BITS interfaces, called from this process with real values after real
 * transfers against the harness's servers (and a small server of this program for response
 * headers of several KB), compared exactly with what was sent or served.
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

#include <winsock2.h>
#include <windows.h>
#include <wincrypt.h>
#include <sddl.h>
#include <stdio.h>
#include "bitsall.h"
#include "wine/test.h"
#include "bits_test.h"
#include "transfer_test.h"

#define IGNORE_CERT (BG_SSL_IGNORE_UNKNOWN_CA | BG_SSL_IGNORE_CERT_CN_INVALID | BG_SSL_IGNORE_CERT_WRONG_USAGE \
                     | BG_SSL_IGNORE_CERT_DATE_INVALID)

static char upload_port[16];
static unsigned int unique;

static void *job_query(IBackgroundCopyJob *job, REFIID iid)
{
    void *obj = NULL;
    HRESULT hr = IBackgroundCopyJob_QueryInterface(job, iid, &obj);

    ok(hr == S_OK, "QueryInterface(%s) got %#lx\n", wine_dbgstr_guid(iid), hr);
    return obj;
}

static void *file_query(IBackgroundCopyJob *job, ULONG index, REFIID iid)
{
    IBackgroundCopyFile *file;
    void *obj = NULL;
    HRESULT hr;

    if (!(file = get_file(job, index))) return NULL;
    hr = IBackgroundCopyFile_QueryInterface(file, iid, &obj);
    ok(hr == S_OK, "QueryInterface(%s) got %#lx\n", wine_dbgstr_guid(iid), hr);
    IBackgroundCopyFile_Release(file);
    return obj;
}

/* ---- a one-purpose HTTP server: a 4 KiB body behind several KB of response headers ---- */

static char big_headers[8192];
static SOCKET listener = INVALID_SOCKET;
static int big_port;

static DWORD WINAPI header_server(void *arg)
{
    static char body[4096];
    char request[4096];
    SOCKET s;
    int len, got;

    memset(body, 'h', sizeof(body));
    while ((s = accept(listener, NULL, NULL)) != INVALID_SOCKET)
    {
        for (len = 0; len < (int)sizeof(request) - 1; len += got)
        {
            if ((got = recv(s, request + len, sizeof(request) - 1 - len, 0)) <= 0) break;
            request[len + got] = 0;
            if (strstr(request, "\r\n\r\n")) break;
        }
        send(s, big_headers, strlen(big_headers), 0);
        if (strncmp(request, "HEAD", 4)) send(s, body, sizeof(body), 0);
        shutdown(s, SD_SEND);
        while (recv(s, request, sizeof(request), 0) > 0);
        closesocket(s);
    }
    return 0;
}

static HANDLE start_header_server(void)
{
    struct sockaddr_in addr = { 0 };
    int size = sizeof(addr), i, len;
    WSADATA wsa;

    len = sprintf(big_headers, "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 4096\r\n"
                  "Connection: close\r\n");
    for (i = 0; i < 48; i++)
        len += sprintf(big_headers + len, "X-Bits-Header-%02d: %0120d\r\n", i, i * 1111);
    strcpy(big_headers + len, "\r\n");

    WSAStartup(MAKEWORD(2, 2), &wsa);
    listener = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (listener == INVALID_SOCKET || bind(listener, (struct sockaddr *)&addr, sizeof(addr))
        || listen(listener, 8) || getsockname(listener, (struct sockaddr *)&addr, &size))
        return NULL;
    big_port = ntohs(addr.sin_port);
    return CreateThread(NULL, 0, header_server, NULL, 0, NULL);
}

static void stop_header_server(HANDLE thread)
{
    closesocket(listener);
    WaitForSingleObject(thread, 5000);
    CloseHandle(thread);
    WSACleanup();
}

/* ---- IBackgroundCopyJob5: every property id, before and after a real transfer ---- */

static void test_job_properties(void)
{
    static const GUID clsid = { 0x8a1d4c3e, 0x52b7, 0x4f60, { 0x9e, 0x21, 0x7c, 0x3d, 0x44, 0x0b, 0xa5, 0x19 } };
    const UINT64 max_size = ((UINT64)3 << 32) | 0x1234;
    BITS_JOB_PROPERTY_VALUE value;
    WCHAR url[256], local[MAX_PATH], source[MAX_PATH];
    IBackgroundCopyJob5 *job5;
    IBackgroundCopyJob *job;
    BG_JOB_STATE state;
    HRESULT hr, code;

    swprintf(url, ARRAY_SIZE(url), L"http://127.0.0.1:%hs/4k.bin", servers.http_port);
    local_path(local, L"marshal-props.bin");
    served_path(L"4k.bin", source);
    if (!(job = create_job(L"marshal properties", BG_JOB_TYPE_DOWNLOAD))) return;
    if (!(job5 = job_query(job, &IID_IBackgroundCopyJob5)))
    {
        cancel_job(job);
        return;
    }

    /* HIGH_PERFORMANCE only before AddFile. */
    value.Enable = TRUE;
    hr = IBackgroundCopyJob5_SetProperty(job5, BITS_JOB_PROPERTY_HIGH_PERFORMANCE, value);
    ok(hr == S_OK, "HIGH_PERFORMANCE got %#lx\n", hr);
    DeleteFileW(local);
    hr = IBackgroundCopyJob_AddFile(job, url, local);
    ok(hr == S_OK, "AddFile got %#lx\n", hr);
    value.Dword = BITS_COST_STATE_TRANSFER_NOT_ROAMING;
    hr = IBackgroundCopyJob5_SetProperty(job5, BITS_JOB_PROPERTY_ID_COST_FLAGS, value);
    ok(hr == S_OK, "COST_FLAGS got %#lx\n", hr);
    value.ClsID = clsid;
    hr = IBackgroundCopyJob5_SetProperty(job5, BITS_JOB_PROPERTY_NOTIFICATION_CLSID, value);
    ok(hr == S_OK, "NOTIFICATION_CLSID got %#lx\n", hr);
    value.Enable = TRUE;
    hr = IBackgroundCopyJob5_SetProperty(job5, BITS_JOB_PROPERTY_DYNAMIC_CONTENT, value);
    ok(hr == S_OK, "DYNAMIC_CONTENT got %#lx\n", hr);
    value.Uint64 = max_size;
    hr = IBackgroundCopyJob5_SetProperty(job5, BITS_JOB_PROPERTY_MAX_DOWNLOAD_SIZE, value);
    ok(hr == S_OK, "MAX_DOWNLOAD_SIZE got %#lx\n", hr);
    value.Target = BG_AUTH_TARGET_PROXY;
    hr = IBackgroundCopyJob5_SetProperty(job5, BITS_JOB_PROPERTY_USE_STORED_CREDENTIALS, value);
    ok(hr == S_OK, "USE_STORED_CREDENTIALS got %#lx\n", hr);
    value.Dword = 86400123;
    hr = IBackgroundCopyJob5_SetProperty(job5, BITS_JOB_PROPERTY_MINIMUM_NOTIFICATION_INTERVAL_MS, value);
    ok(hr == S_OK, "MINIMUM_NOTIFICATION_INTERVAL_MS got %#lx\n", hr);
    /* ON_DEMAND_MODE cannot be combined with DYNAMIC_CONTENT: the answer still crosses. */
    value.Enable = TRUE;
    hr = IBackgroundCopyJob5_SetProperty(job5, BITS_JOB_PROPERTY_ON_DEMAND_MODE, value);
    ok(hr == BG_E_UNSUPPORTED_JOB_CONFIGURATION, "ON_DEMAND_MODE with DYNAMIC_CONTENT got %#lx\n", hr);

    state = run_job(job, &code);
    ok(state == BG_JOB_STATE_TRANSFERRED, "state %d, error %#lx\n", state, code);

    memset(&value, 0xcc, sizeof(value));
    hr = IBackgroundCopyJob5_GetProperty(job5, BITS_JOB_PROPERTY_ID_COST_FLAGS, &value);
    ok(hr == S_OK && value.Dword == BITS_COST_STATE_TRANSFER_NOT_ROAMING, "COST_FLAGS got %#lx, %#lx\n", hr, value.Dword);
    memset(&value, 0xcc, sizeof(value));
    hr = IBackgroundCopyJob5_GetProperty(job5, BITS_JOB_PROPERTY_NOTIFICATION_CLSID, &value);
    ok(hr == S_OK && IsEqualGUID(&value.ClsID, &clsid), "NOTIFICATION_CLSID got %#lx, %s\n", hr,
       wine_dbgstr_guid(&value.ClsID));
    memset(&value, 0xcc, sizeof(value));
    hr = IBackgroundCopyJob5_GetProperty(job5, BITS_JOB_PROPERTY_DYNAMIC_CONTENT, &value);
    ok(hr == S_OK && value.Enable == TRUE, "DYNAMIC_CONTENT got %#lx, %d\n", hr, value.Enable);
    memset(&value, 0xcc, sizeof(value));
    hr = IBackgroundCopyJob5_GetProperty(job5, BITS_JOB_PROPERTY_HIGH_PERFORMANCE, &value);
    ok(hr == S_OK && value.Enable == TRUE, "HIGH_PERFORMANCE got %#lx, %d\n", hr, value.Enable);
    memset(&value, 0xcc, sizeof(value));
    hr = IBackgroundCopyJob5_GetProperty(job5, BITS_JOB_PROPERTY_MAX_DOWNLOAD_SIZE, &value);
    ok(hr == S_OK && value.Uint64 == max_size, "MAX_DOWNLOAD_SIZE got %#lx, %s\n", hr,
       wine_dbgstr_longlong(value.Uint64));
    memset(&value, 0xcc, sizeof(value));
    hr = IBackgroundCopyJob5_GetProperty(job5, BITS_JOB_PROPERTY_USE_STORED_CREDENTIALS, &value);
    ok(hr == S_OK && value.Target == BG_AUTH_TARGET_PROXY, "USE_STORED_CREDENTIALS got %#lx, %d\n", hr, value.Target);
    memset(&value, 0xcc, sizeof(value));
    hr = IBackgroundCopyJob5_GetProperty(job5, BITS_JOB_PROPERTY_MINIMUM_NOTIFICATION_INTERVAL_MS, &value);
    ok(hr == S_OK && value.Dword == 86400123, "MINIMUM_NOTIFICATION_INTERVAL_MS got %#lx, %lu\n", hr, value.Dword);
    memset(&value, 0xcc, sizeof(value));
    hr = IBackgroundCopyJob5_GetProperty(job5, BITS_JOB_PROPERTY_ON_DEMAND_MODE, &value);
    ok(hr == S_OK && value.Enable == FALSE, "ON_DEMAND_MODE got %#lx, %d\n", hr, value.Enable);

    /* After the transfer the rules answer; the values stay. */
    value.Uint64 = 1;
    hr = IBackgroundCopyJob5_SetProperty(job5, BITS_JOB_PROPERTY_MAX_DOWNLOAD_SIZE, value);
    ok(hr == BG_E_READ_ONLY_PROPERTY_AFTER_RESUME, "MAX_DOWNLOAD_SIZE after Resume got %#lx\n", hr);
    value.Enable = FALSE;
    hr = IBackgroundCopyJob5_SetProperty(job5, BITS_JOB_PROPERTY_HIGH_PERFORMANCE, value);
    ok(hr == BG_E_READ_ONLY_PROPERTY_AFTER_ADDFILE, "HIGH_PERFORMANCE after AddFile got %#lx\n", hr);
    hr = IBackgroundCopyJob5_GetProperty(job5, 8, &value);
    ok(hr == BG_E_UNKNOWN_PROPERTY_ID, "id 8 got %#lx\n", hr);

    IBackgroundCopyJob5_Release(job5);
    hr = IBackgroundCopyJob_Complete(job);
    ok(hr == S_OK, "Complete got %#lx\n", hr);
    ok(files_equal(local, source), "the file differs from the served one\n");
    IBackgroundCopyJob_Release(job);
    DeleteFileW(local);
}

/* ---- IBackgroundCopyFile5: the response headers of real transfers ---- */

/* The headers of the job's first file after a download of url; NULL when it fails. */
static WCHAR *download_headers(const WCHAR *name, const WCHAR *url, const WCHAR *local)
{
    BITS_FILE_PROPERTY_VALUE value, value6;
    IBackgroundCopyFile5 *file5;
    IBackgroundCopyFile6 *file6;
    IBackgroundCopyJob *job;
    BG_JOB_STATE state;
    HRESULT hr, code;

    value.String = NULL;
    if (!(job = create_download(name, url, local))) return NULL;
    state = run_job(job, &code);
    ok(state == BG_JOB_STATE_TRANSFERRED, "%s: state %d, error %#lx\n", wine_dbgstr_w(url), state, code);
    if ((file5 = file_query(job, 0, &IID_IBackgroundCopyFile5)))
    {
        value.String = (WCHAR *)0xdeadbeef;
        hr = IBackgroundCopyFile5_GetProperty(file5, BITS_FILE_PROPERTY_ID_HTTP_RESPONSE_HEADERS, &value);
        ok(hr == S_OK, "GetProperty(HTTP_RESPONSE_HEADERS) got %#lx\n", hr);
        if (hr != S_OK || value.String == (WCHAR *)0xdeadbeef) value.String = NULL;
        IBackgroundCopyFile5_Release(file5);
    }
    /* The same through the derived interface's proxy. */
    if ((file6 = file_query(job, 0, &IID_IBackgroundCopyFile6)))
    {
        value6.String = NULL;
        hr = IBackgroundCopyFile6_GetProperty(file6, BITS_FILE_PROPERTY_ID_HTTP_RESPONSE_HEADERS, &value6);
        ok(hr == S_OK && value6.String && value.String && !wcscmp(value6.String, value.String),
           "File6 GetProperty got %#lx, %s\n", hr, wine_dbgstr_w(value6.String));
        CoTaskMemFree(value6.String);
        IBackgroundCopyFile6_Release(file6);
    }
    cancel_job(job);
    DeleteFileW(local);
    return value.String;
}

static void test_file_properties(void)
{
    WCHAR url[256], local[MAX_PATH], expect[8192], *headers, *big;
    BITS_FILE_PROPERTY_VALUE value;
    IBackgroundCopyFile5 *file5;
    IBackgroundCopyJob *job;
    HANDLE server;
    HRESULT hr;
    int i;

    /* nginx's headers. */
    swprintf(url, ARRAY_SIZE(url), L"http://127.0.0.1:%hs/4k.bin", servers.http_port);
    local_path(local, L"marshal-headers.bin");
    headers = download_headers(L"marshal nginx headers", url, local);
    ok(headers && !wcsncmp(headers, L"HTTP/1.1 200 OK\r\n", 17), "nginx headers %s\n", wine_dbgstr_w(headers));
    ok(headers && wcsstr(headers, L"\r\nContent-Length: 4096\r\n"), "no Content-Length in %s\n", wine_dbgstr_w(headers));
    ok(headers && wcsstr(headers, L"\r\nLast-Modified: Thu, 02 Jan 2020 03:04:05 GMT\r\n"), "no Last-Modified in %s\n",
       wine_dbgstr_w(headers));
    ok(headers && wcsstr(headers, L"\r\nServer: nginx"), "no Server in %s\n", wine_dbgstr_w(headers));
    CoTaskMemFree(headers);

    /* Several KB of headers, exactly as the server sent them. */
    if (!(server = start_header_server()))
    {
        ok(0, "cannot start the header server: %d\n", WSAGetLastError());
        return;
    }
    swprintf(expect, ARRAY_SIZE(expect), L"%hs", big_headers);
    swprintf(url, ARRAY_SIZE(url), L"http://127.0.0.1:%d/big-headers.bin", big_port);
    headers = download_headers(L"marshal big headers", url, local);
    ok(headers && lstrlenW(headers) == lstrlenW(expect), "%d characters of headers, expected %d\n",
       headers ? lstrlenW(headers) : -1, lstrlenW(expect));
    ok(headers && !wcscmp(headers, expect), "headers differ: %s\n", wine_dbgstr_w(headers));
    CoTaskMemFree(headers);
    stop_header_server(server);

    /* SetProperty: a string of several KB crosses and is refused as read-only; other ids. */
    if (!(job = create_download(L"marshal file set", url, local))) return;
    if ((file5 = file_query(job, 0, &IID_IBackgroundCopyFile5)))
    {
        big = HeapAlloc(GetProcessHeap(), 0, 6000 * sizeof(WCHAR));
        for (i = 0; i < 5998; i++) big[i] = i % 100 == 98 ? '\r' : i % 100 == 99 ? '\n' : 'a' + i % 26;
        big[5998] = 0;
        value.String = big;
        hr = IBackgroundCopyFile5_SetProperty(file5, BITS_FILE_PROPERTY_ID_HTTP_RESPONSE_HEADERS, value);
        ok(hr == BG_E_READ_ONLY_PROPERTY, "SetProperty with %d characters got %#lx\n", lstrlenW(big), hr);
        value.String = NULL;
        hr = IBackgroundCopyFile5_SetProperty(file5, BITS_FILE_PROPERTY_ID_HTTP_RESPONSE_HEADERS, value);
        ok(hr == BG_E_READ_ONLY_PROPERTY, "SetProperty with NULL got %#lx\n", hr);
        value.String = big;
        hr = IBackgroundCopyFile5_SetProperty(file5, 2, value);
        ok(hr == BG_E_UNKNOWN_PROPERTY_ID, "SetProperty(2) got %#lx\n", hr);
        value.String = big;
        hr = IBackgroundCopyFile5_GetProperty(file5, 2, &value);
        ok(hr == BG_E_UNKNOWN_PROPERTY_ID, "GetProperty(2) got %#lx\n", hr);
        ok(value.String == big, "GetProperty(2) changed the union\n");
        value.String = (WCHAR *)0xdeadbeef;
        hr = IBackgroundCopyFile5_GetProperty(file5, BITS_FILE_PROPERTY_ID_HTTP_RESPONSE_HEADERS, &value);
        ok(hr == S_OK && !value.String, "before the transfer got %#lx, %p\n", hr, value.String);
        HeapFree(GetProcessHeap(), 0, big);
        IBackgroundCopyFile5_Release(file5);
    }
    cancel_job(job);
}

/* ---- IBackgroundCopyJobHttpOptions: long multi-line custom headers ---- */

static void test_custom_headers(void)
{
    IBackgroundCopyJobHttpOptions *options;
    WCHAR url[256], local[MAX_PATH], *set, *got;
    char id[32], text[160];
    IBackgroundCopyJob *job;
    BG_JOB_STATE state;
    HRESULT hr, code;
    int i, len = 0;

    sprintf(id, "id=marshal%lu", GetTickCount());
    swprintf(url, ARRAY_SIZE(url), L"http://127.0.0.1:%hs/files/4k.bin?%hs", servers.fault_port, id);
    local_path(local, L"marshal-custom.bin");
    if (!(job = create_download(L"marshal custom headers", url, local))) return;
    if (!(options = job_query(job, &IID_IBackgroundCopyJobHttpOptions)))
    {
        cancel_job(job);
        return;
    }
    set = HeapAlloc(GetProcessHeap(), 0, 16384 * sizeof(WCHAR));
    for (i = 0; i < 40; i++)
        len += swprintf(set + len, 16384 - len, L"X-Bits-Custom-%02d: value %d %090d\r\n", i, i, i * 7);
    hr = IBackgroundCopyJobHttpOptions_SetCustomHeaders(options, set);
    ok(hr == S_OK, "SetCustomHeaders with %d characters got %#lx\n", len, hr);
    got = NULL;
    hr = IBackgroundCopyJobHttpOptions_GetCustomHeaders(options, &got);
    ok(hr == S_OK && got && !wcscmp(got, set), "GetCustomHeaders got %#lx, %s\n", hr, wine_dbgstr_w(got));
    CoTaskMemFree(got);

    state = run_job(job, &code);
    ok(state == BG_JOB_STATE_TRANSFERRED, "state %d, error %#lx\n", state, code);
    for (i = 0; i < 40; i += 13)
    {
        sprintf(text, "value %d %090d", i, i * 7);
        ok(request_log_count(text, id) >= 1, "header %d not sent\n", i);
    }
    got = NULL;
    hr = IBackgroundCopyJobHttpOptions_GetCustomHeaders(options, &got);
    ok(hr == S_OK && got && !wcscmp(got, set), "after the transfer got %#lx, %s\n", hr, wine_dbgstr_w(got));
    CoTaskMemFree(got);
    HeapFree(GetProcessHeap(), 0, set);
    IBackgroundCopyJobHttpOptions_Release(options);
    cancel_job(job);
    DeleteFileW(local);
}

/* ---- BG_FILE_RANGE arrays: AddFileWithRanges/GetFileRanges, RequestFileRanges/GetFilledFileRanges,
 * and the service's FileRangesTransferred calls into this process ---- */

#define RANGE_COUNT 200

/* Records every range FileRangesTransferred reports. */
struct ranges_callback
{
    IBackgroundCopyCallback3 IBackgroundCopyCallback3_iface;
    CRITICAL_SECTION cs;
    HANDLE event;
    BG_FILE_RANGE seen[4 * RANGE_COUNT];
    LONG count;
};

static struct ranges_callback *impl_from_callback(IBackgroundCopyCallback3 *iface)
{
    return CONTAINING_RECORD(iface, struct ranges_callback, IBackgroundCopyCallback3_iface);
}

static HRESULT WINAPI rcb_QueryInterface(IBackgroundCopyCallback3 *iface, REFIID riid, void **obj)
{
    if (IsEqualGUID(riid, &IID_IUnknown) || IsEqualGUID(riid, &IID_IBackgroundCopyCallback)
        || IsEqualGUID(riid, &IID_IBackgroundCopyCallback2) || IsEqualGUID(riid, &IID_IBackgroundCopyCallback3))
    {
        *obj = iface;
        return S_OK;
    }
    *obj = NULL;
    return E_NOINTERFACE;
}

/* The object lives on the test's stack and outlives the job's use of it. */
static ULONG WINAPI rcb_AddRef(IBackgroundCopyCallback3 *iface) { return 2; }
static ULONG WINAPI rcb_Release(IBackgroundCopyCallback3 *iface) { return 1; }

static HRESULT WINAPI rcb_JobTransferred(IBackgroundCopyCallback3 *iface, IBackgroundCopyJob *job) { return S_OK; }

static HRESULT WINAPI rcb_JobError(IBackgroundCopyCallback3 *iface, IBackgroundCopyJob *job, IBackgroundCopyError *error)
{
    return S_OK;
}

static HRESULT WINAPI rcb_JobModification(IBackgroundCopyCallback3 *iface, IBackgroundCopyJob *job, DWORD reserved)
{
    return S_OK;
}

static HRESULT WINAPI rcb_FileTransferred(IBackgroundCopyCallback3 *iface, IBackgroundCopyJob *job,
                                          IBackgroundCopyFile *file)
{
    return S_OK;
}

static HRESULT WINAPI rcb_FileRangesTransferred(IBackgroundCopyCallback3 *iface, IBackgroundCopyJob *job,
                                                IBackgroundCopyFile *file, DWORD count, const BG_FILE_RANGE *ranges)
{
    struct ranges_callback *cb = impl_from_callback(iface);
    DWORD i;

    EnterCriticalSection(&cb->cs);
    for (i = 0; i < count && cb->count < ARRAY_SIZE(cb->seen); i++) cb->seen[cb->count++] = ranges[i];
    LeaveCriticalSection(&cb->cs);
    SetEvent(cb->event);
    return S_OK;
}

static const IBackgroundCopyCallback3Vtbl rcb_vtbl =
{
    rcb_QueryInterface, rcb_AddRef, rcb_Release, rcb_JobTransferred, rcb_JobError, rcb_JobModification,
    rcb_FileTransferred, rcb_FileRangesTransferred,
};

static int __cdecl compare_ranges(const void *a, const void *b)
{
    const BG_FILE_RANGE *ra = a, *rb = b;
    return ra->InitialOffset < rb->InitialOffset ? -1 : ra->InitialOffset > rb->InitialOffset;
}

/* The reported ranges sorted, pieces of one range joined: do they equal the expected ones? */
static BOOL reported_ranges_equal(struct ranges_callback *cb, const BG_FILE_RANGE *expect, DWORD count)
{
    BG_FILE_RANGE merged[4 * RANGE_COUNT];
    LONG i, n = 0;

    EnterCriticalSection(&cb->cs);
    qsort(cb->seen, cb->count, sizeof(cb->seen[0]), compare_ranges);
    for (i = 0; i < cb->count; i++)
    {
        if (n && merged[n - 1].InitialOffset + merged[n - 1].Length >= cb->seen[i].InitialOffset)
        {
            UINT64 end = max(merged[n - 1].InitialOffset + merged[n - 1].Length,
                             cb->seen[i].InitialOffset + cb->seen[i].Length);
            merged[n - 1].Length = end - merged[n - 1].InitialOffset;
        }
        else merged[n++] = cb->seen[i];
    }
    LeaveCriticalSection(&cb->cs);
    return n == count && !memcmp(merged, expect, count * sizeof(*expect));
}

static void test_file_ranges(void)
{
    static struct ranges_callback cb = { { &rcb_vtbl } };
    BG_FILE_RANGE ranges[RANGE_COUNT], *got;
    WCHAR url[256], local[MAX_PATH];
    IBackgroundCopyFile2 *file2;
    IBackgroundCopyFile6 *file6;
    BITS_JOB_PROPERTY_VALUE value;
    IBackgroundCopyJob3 *job3;
    IBackgroundCopyJob *job;
    BG_JOB_STATE state;
    HRESULT hr, code;
    DWORD count, i;

    for (i = 0; i < RANGE_COUNT; i++)
    {
        ranges[i].InitialOffset = i * 5000 + 17;
        ranges[i].Length = 100 + i;
    }
    swprintf(url, ARRAY_SIZE(url), L"http://127.0.0.1:%hs/1m.bin", servers.http_port);
    local_path(local, L"marshal-ranges.bin");
    DeleteFileW(local);
    if (!(job = create_job(L"marshal ranges", BG_JOB_TYPE_DOWNLOAD))) return;
    if ((job3 = job_query(job, &IID_IBackgroundCopyJob3)))
    {
        hr = IBackgroundCopyJob3_AddFileWithRanges(job3, url, local, RANGE_COUNT, ranges);
        ok(hr == S_OK, "AddFileWithRanges got %#lx\n", hr);
        IBackgroundCopyJob3_Release(job3);
    }
    state = run_job(job, &code);
    ok(state == BG_JOB_STATE_TRANSFERRED, "state %d, error %#lx\n", state, code);
    if ((file2 = file_query(job, 0, &IID_IBackgroundCopyFile2)))
    {
        count = 0;
        got = NULL;
        hr = IBackgroundCopyFile2_GetFileRanges(file2, &count, &got);
        ok(hr == S_OK && count == RANGE_COUNT && got, "GetFileRanges got %#lx, %lu ranges\n", hr, count);
        ok(got && count == RANGE_COUNT && !memcmp(got, ranges, sizeof(ranges)), "the ranges differ\n");
        CoTaskMemFree(got);
        IBackgroundCopyFile2_Release(file2);
    }
    cancel_job(job);
    DeleteFileW(local);

    /* On demand: the requested ranges, and exactly those, are filled. */
    local_path(local, L"marshal-ondemand.bin");
    if (!(job = create_download(L"marshal on demand", url, local))) return;
    value.Enable = TRUE;
    hr = set_job_property(job, BITS_JOB_PROPERTY_ON_DEMAND_MODE, value);
    ok(hr == S_OK, "ON_DEMAND_MODE got %#lx\n", hr);
    InitializeCriticalSection(&cb.cs);
    cb.event = CreateEventW(NULL, FALSE, FALSE, NULL);
    hr = IBackgroundCopyJob_SetNotifyInterface(job, (IUnknown *)&cb.IBackgroundCopyCallback3_iface);
    ok(hr == S_OK, "SetNotifyInterface got %#lx\n", hr);
    hr = IBackgroundCopyJob_SetNotifyFlags(job, BG_NOTIFY_FILE_RANGES_TRANSFERRED);
    ok(hr == S_OK, "SetNotifyFlags got %#lx\n", hr);
    if ((file6 = file_query(job, 0, &IID_IBackgroundCopyFile6)))
    {
        hr = IBackgroundCopyFile6_RequestFileRanges(file6, RANGE_COUNT, ranges);
        ok(hr == S_OK, "RequestFileRanges got %#lx\n", hr);
        IBackgroundCopyJob_Resume(job);
        state = wait_state(job, 1 << BG_JOB_STATE_SUSPENDED | 1 << BG_JOB_STATE_ERROR | 1 << BG_JOB_STATE_TRANSFERRED,
                           60000);
        ok(state == BG_JOB_STATE_SUSPENDED, "after the requested ranges: state %d\n", state);
        count = 0;
        got = NULL;
        hr = IBackgroundCopyFile6_GetFilledFileRanges(file6, &count, &got);
        ok(hr == S_OK && count == RANGE_COUNT && got, "GetFilledFileRanges got %#lx, %lu ranges\n", hr, count);
        ok(got && count == RANGE_COUNT && !memcmp(got, ranges, sizeof(ranges)), "the filled ranges differ\n");
        CoTaskMemFree(got);
        IBackgroundCopyFile6_Release(file6);

        /* The service reported the same ranges to this process (in calls of its own pace). */
        for (i = 0; i < 50 && !reported_ranges_equal(&cb, ranges, RANGE_COUNT); i++) WaitForSingleObject(cb.event, 100);
        ok(reported_ranges_equal(&cb, ranges, RANGE_COUNT), "FileRangesTransferred reported %ld ranges\n", cb.count);
    }
    IBackgroundCopyJob_SetNotifyInterface(job, NULL);
    cancel_job(job);
    CloseHandle(cb.event);
    DeleteCriticalSection(&cb.cs);
    DeleteFileW(local);
}

/* ---- AddFileSet with many files, and the enumerator's Next for all of them at once ---- */

#define SET_COUNT 64

static void test_file_set(void)
{
    static WCHAR remote[SET_COUNT][256], local[SET_COUNT][MAX_PATH];
    IBackgroundCopyFile *files[SET_COUNT];
    BG_FILE_INFO info[SET_COUNT];
    IEnumBackgroundCopyFiles *enumerator;
    WCHAR source[MAX_PATH], *name;
    BG_FILE_PROGRESS progress;
    IBackgroundCopyJob *job;
    BG_JOB_STATE state;
    HRESULT hr, code;
    ULONG i, fetched;

    served_path(L"4k.bin", source);
    for (i = 0; i < SET_COUNT; i++)
    {
        swprintf(remote[i], ARRAY_SIZE(remote[i]), L"http://127.0.0.1:%hs/4k.bin?file=%lu", servers.http_port, i);
        swprintf(local[i], MAX_PATH, L"%lsmarshal-set-%02lu.bin", temp_dir, i);
        DeleteFileW(local[i]);
        info[i].RemoteName = remote[i];
        info[i].LocalName = local[i];
    }
    if (!(job = create_job(L"marshal file set", BG_JOB_TYPE_DOWNLOAD))) return;
    hr = IBackgroundCopyJob_AddFileSet(job, SET_COUNT, info);
    ok(hr == S_OK, "AddFileSet got %#lx\n", hr);
    state = run_job(job, &code);
    ok(state == BG_JOB_STATE_TRANSFERRED, "state %d, error %#lx\n", state, code);

    hr = IBackgroundCopyJob_EnumFiles(job, &enumerator);
    ok(hr == S_OK, "EnumFiles got %#lx\n", hr);
    if (hr == S_OK)
    {
        fetched = 0;
        memset(files, 0, sizeof(files));
        hr = IEnumBackgroundCopyFiles_Next(enumerator, SET_COUNT, files, &fetched);
        ok(hr == S_OK && fetched == SET_COUNT, "Next got %#lx, %lu files\n", hr, fetched);
        for (i = 0; i < fetched; i++)
        {
            winetest_push_context("file %lu", i);
            name = NULL;
            hr = IBackgroundCopyFile_GetRemoteName(files[i], &name);
            ok(hr == S_OK && name && !wcscmp(name, remote[i]), "remote name %s\n", wine_dbgstr_w(name));
            CoTaskMemFree(name);
            name = NULL;
            hr = IBackgroundCopyFile_GetLocalName(files[i], &name);
            ok(hr == S_OK && name && !wcscmp(name, local[i]), "local name %s\n", wine_dbgstr_w(name));
            CoTaskMemFree(name);
            hr = IBackgroundCopyFile_GetProgress(files[i], &progress);
            ok(hr == S_OK && progress.BytesTotal == 4096 && progress.BytesTransferred == 4096, "progress %s of %s\n",
               wine_dbgstr_longlong(progress.BytesTransferred), wine_dbgstr_longlong(progress.BytesTotal));
            IBackgroundCopyFile_Release(files[i]);
            winetest_pop_context();
        }
        IEnumBackgroundCopyFiles_Release(enumerator);
    }
    hr = IBackgroundCopyJob_Complete(job);
    ok(hr == S_OK, "Complete got %#lx\n", hr);
    for (i = 0; i < SET_COUNT; i++)
    {
        ok(files_equal(local[i], source), "file %lu differs\n", i);
        DeleteFileW(local[i]);
    }
    IBackgroundCopyJob_Release(job);
}

/* ---- GetReplyData: a reply of some KB from the upload server's application ---- */

static void test_reply_data(void)
{
    const DWORD size = 70000;
    WCHAR url[256], local[MAX_PATH], reply[MAX_PATH];
    IBackgroundCopyJob2 *job2;
    IBackgroundCopyJob *job;
    BG_JOB_STATE state;
    HRESULT hr, code;
    UINT64 length;
    BYTE *data;
    DWORD i, bad;
    HANDLE file;
    char buf[10000];

    if (!upload_port[0])
    {
        skip("no upload server\n");
        return;
    }
    local_path(local, L"marshal-upload.bin");
    local_path(reply, L"marshal-reply.bin");
    DeleteFileW(reply);
    file = CreateFileW(local, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
    for (i = 0; i < sizeof(buf); i++) buf[i] = (char)(i * 13);
    WriteFile(file, buf, sizeof(buf), &i, NULL);
    CloseHandle(file);
    unique++;
    swprintf(url, ARRAY_SIZE(url), L"http://127.0.0.1:%hs/app2/marshal-%lu-%u.bin?reply-size=%lu&id=m%u", upload_port,
             GetTickCount(), unique, size, unique);
    if (!(job = create_job(L"marshal reply", BG_JOB_TYPE_UPLOAD_REPLY))) return;
    hr = IBackgroundCopyJob_AddFile(job, url, local);
    ok(hr == S_OK, "AddFile got %#lx\n", hr);
    if ((job2 = job_query(job, &IID_IBackgroundCopyJob2)))
    {
        hr = IBackgroundCopyJob2_SetReplyFileName(job2, reply);
        ok(hr == S_OK, "SetReplyFileName got %#lx\n", hr);
        state = run_job(job, &code);
        ok(state == BG_JOB_STATE_TRANSFERRED, "state %d, error %#lx\n", state, code);
        data = NULL;
        length = 0;
        hr = IBackgroundCopyJob2_GetReplyData(job2, &data, &length);
        ok(hr == S_OK && data && length == size, "GetReplyData got %#lx, %s bytes\n", hr, wine_dbgstr_longlong(length));
        for (i = 0, bad = 0; data && i < length && i < size; i++) if (data[i] != i % 251) bad++;
        ok(data && !bad, "%lu bytes of the reply differ\n", bad);
        CoTaskMemFree(data);
        IBackgroundCopyJob2_Release(job2);
    }
    cancel_job(job);
    DeleteFileW(local);
    DeleteFileW(reply);
}

/* ---- SetCredentials: every scheme and target, NULL names and passwords, then real ones ---- */

static void test_credentials(void)
{
    WCHAR url[256], local[MAX_PATH], source[MAX_PATH];
    IBackgroundCopyJob2 *job2;
    IBackgroundCopyJob *job;
    BG_AUTH_CREDENTIALS cred;
    BG_JOB_STATE state;
    HRESULT hr, code;
    int target, scheme;

    if ((job = create_job(L"marshal credentials", BG_JOB_TYPE_DOWNLOAD)) && (job2 = job_query(job, &IID_IBackgroundCopyJob2)))
    {
        for (target = BG_AUTH_TARGET_SERVER; target <= BG_AUTH_TARGET_PROXY; target++)
            for (scheme = BG_AUTH_SCHEME_BASIC; scheme <= BG_AUTH_SCHEME_PASSPORT; scheme++)
            {
                BOOL implicit = scheme == BG_AUTH_SCHEME_NTLM || scheme == BG_AUTH_SCHEME_NEGOTIATE;

                winetest_push_context("target %d scheme %d", target, scheme);
                cred.Target = target;
                cred.Scheme = scheme;
                cred.Credentials.Basic.UserName = NULL;
                cred.Credentials.Basic.Password = NULL;
                hr = IBackgroundCopyJob2_SetCredentials(job2, &cred);
                ok(hr == (implicit ? S_OK : E_INVALIDARG), "NULL user and password got %#lx\n", hr);
                cred.Credentials.Basic.UserName = (WCHAR *)L"DOMAIN\\some user name";
                hr = IBackgroundCopyJob2_SetCredentials(job2, &cred);
                ok(hr == (implicit ? S_OK : E_INVALIDARG), "NULL password got %#lx\n", hr);
                cred.Credentials.Basic.Password = (WCHAR *)L"a password with spaces and \x00e9";
                hr = IBackgroundCopyJob2_SetCredentials(job2, &cred);
                ok(hr == S_OK, "user and password got %#lx\n", hr);
                hr = IBackgroundCopyJob2_RemoveCredentials(job2, target, scheme);
                ok(hr == S_OK, "RemoveCredentials got %#lx\n", hr);
                winetest_pop_context();
            }
        cred.Target = BG_AUTH_TARGET_SERVER;
        cred.Scheme = 0;
        hr = IBackgroundCopyJob2_SetCredentials(job2, &cred);
        ok(hr == BG_E_INVALID_AUTH_SCHEME, "scheme 0 got %#lx\n", hr);
        IBackgroundCopyJob2_Release(job2);
    }
    if (job) cancel_job(job);

    /* The names and passwords arrive intact: Basic and Digest transfers succeed. */
    served_path(L"4k.bin", source);
    local_path(local, L"marshal-cred.bin");
    for (scheme = BG_AUTH_SCHEME_BASIC; scheme <= BG_AUTH_SCHEME_DIGEST; scheme++)
    {
        swprintf(url, ARRAY_SIZE(url), L"http://127.0.0.1:%hs/auth/%hs/4k.bin?id=marshal%u", servers.fault_port,
                 scheme == BG_AUTH_SCHEME_BASIC ? "basic" : "digest", ++unique);
        if (!(job = create_download(L"marshal auth", url, local))) continue;
        hr = set_credentials(job, BG_AUTH_TARGET_SERVER, scheme, L"bits", L"secret");
        ok(hr == S_OK, "SetCredentials(%d) got %#lx\n", scheme, hr);
        state = run_job(job, &code);
        ok(state == BG_JOB_STATE_TRANSFERRED, "scheme %d: state %d, error %#lx\n", scheme, state, code);
        hr = IBackgroundCopyJob_Complete(job);
        ok(hr == S_OK, "Complete got %#lx\n", hr);
        ok(files_equal(local, source), "scheme %d: the file differs\n", scheme);
        IBackgroundCopyJob_Release(job);
        DeleteFileW(local);
    }
}

/* ---- GetClientCertificate: the 20-byte hash and the strings, after a real HTTPS transfer ---- */

static PCCERT_CONTEXT import_client_cert(void)
{
    PCCERT_CONTEXT cert = NULL, added = NULL;
    HCERTSTORE pfx, my;
    CRYPT_DATA_BLOB blob;
    WCHAR path[MAX_PATH];
    HANDLE file;
    DWORD size;

    unix_to_dos(servers.client_pfx, path);
    file = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    if (file == INVALID_HANDLE_VALUE) return NULL;
    blob.cbData = GetFileSize(file, NULL);
    blob.pbData = HeapAlloc(GetProcessHeap(), 0, blob.cbData);
    ReadFile(file, blob.pbData, blob.cbData, &size, NULL);
    CloseHandle(file);
    if ((pfx = PFXImportCertStore(&blob, L"", CRYPT_USER_KEYSET | CRYPT_EXPORTABLE)))
    {
        cert = CertFindCertificateInStore(pfx, X509_ASN_ENCODING, 0, CERT_FIND_SUBJECT_STR_W, L"bits-client", NULL);
        if (cert && (my = CertOpenStore(CERT_STORE_PROV_SYSTEM_W, 0, 0, CERT_SYSTEM_STORE_CURRENT_USER, L"MY")))
        {
            CertAddCertificateContextToStore(my, cert, CERT_STORE_ADD_REPLACE_EXISTING, &added);
            CertControlStore(my, 0, CERT_STORE_CTRL_COMMIT, NULL);
            CertCloseStore(my, 0);
        }
        if (cert) CertFreeCertificateContext(cert);
        CertCloseStore(pfx, 0);
    }
    HeapFree(GetProcessHeap(), 0, blob.pbData);
    return added;
}

static void check_client_certificate(IBackgroundCopyJobHttpOptions *options, const BYTE *hash, const WCHAR *subject)
{
    BG_CERT_STORE_LOCATION location = 0xdead;
    WCHAR *store = NULL, *name = NULL;
    BYTE *got = NULL;
    HRESULT hr;

    hr = IBackgroundCopyJobHttpOptions_GetClientCertificate(options, &location, &store, &got, &name);
    ok(hr == S_OK, "GetClientCertificate got %#lx\n", hr);
    ok(location == BG_CERT_STORE_LOCATION_CURRENT_USER, "location %d\n", location);
    ok(store && !wcscmp(store, L"MY"), "store %s\n", wine_dbgstr_w(store));
    if (hash) ok(got && !memcmp(got, hash, 20), "the hash differs\n");
    if (subject) ok(name && !wcscmp(name, subject), "subject %s\n", wine_dbgstr_w(name));
    CoTaskMemFree(store);
    CoTaskMemFree(got);
    CoTaskMemFree(name);
}

static void test_client_certificate(void)
{
    IBackgroundCopyJobHttpOptions *options;
    WCHAR url[256], local[MAX_PATH], source[MAX_PATH];
    IBackgroundCopyJob *job;
    PCCERT_CONTEXT cert;
    BG_JOB_STATE state;
    BYTE hash[20];
    DWORD size = sizeof(hash);
    HRESULT hr, code;
    int by_name;

    if (!servers.clientcert_port[0] || !servers.client_pfx[0])
    {
        skip("no client certificate server\n");
        return;
    }
    if (!(cert = import_client_cert()))
    {
        win_skip("cannot import the client certificate\n");
        return;
    }
    CertGetCertificateContextProperty(cert, CERT_HASH_PROP_ID, hash, &size);
    swprintf(url, ARRAY_SIZE(url), L"https://127.0.0.1:%hs/4k.bin", servers.clientcert_port);
    local_path(local, L"marshal-cert.bin");
    served_path(L"4k.bin", source);
    for (by_name = 0; by_name <= 1; by_name++)
    {
        winetest_push_context(by_name ? "by name" : "by hash");
        if (!(job = create_download(L"marshal client cert", url, local))) break;
        set_security_flags(job, IGNORE_CERT);
        if ((options = job_query(job, &IID_IBackgroundCopyJobHttpOptions)))
        {
            if (by_name)
                hr = IBackgroundCopyJobHttpOptions_SetClientCertificateByName(options, BG_CERT_STORE_LOCATION_CURRENT_USER,
                                                                              L"MY", L"bits-client");
            else
                hr = IBackgroundCopyJobHttpOptions_SetClientCertificateByID(options, BG_CERT_STORE_LOCATION_CURRENT_USER,
                                                                            L"MY", hash);
            ok(hr == S_OK, "SetClientCertificate got %#lx\n", hr);
            state = run_job(job, &code);
            ok(state == BG_JOB_STATE_TRANSFERRED, "state %d, error %#lx\n", state, code);
            check_client_certificate(options, by_name ? NULL : hash, by_name ? L"bits-client" : NULL);
            IBackgroundCopyJobHttpOptions_Release(options);
        }
        hr = IBackgroundCopyJob_Complete(job);
        ok(hr == S_OK, "Complete got %#lx\n", hr);
        ok(files_equal(local, source), "the file differs\n");
        IBackgroundCopyJob_Release(job);
        DeleteFileW(local);
        winetest_pop_context();
    }
    CertFreeCertificateContext(cert);
}

/* ---- GetHelperTokenSid: the caller's SID as a string ---- */

static void test_helper_token_sid(void)
{
    BYTE buffer[sizeof(TOKEN_USER) + SECURITY_MAX_SID_SIZE];
    TOKEN_USER *user = (TOKEN_USER *)buffer;
    IBitsTokenOptions *options;
    IBackgroundCopyJob *job;
    WCHAR *sid = NULL, *got;
    HANDLE token;
    DWORD size;
    HRESULT hr;

    if (OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token))
    {
        if (GetTokenInformation(token, TokenUser, user, sizeof(buffer), &size)) ConvertSidToStringSidW(user->User.Sid, &sid);
        CloseHandle(token);
    }
    ok(sid != NULL, "no SID of our own\n");
    if (!(job = create_job(L"marshal token", BG_JOB_TYPE_DOWNLOAD))) return;
    if ((options = job_query(job, &IID_IBitsTokenOptions)))
    {
        hr = IBitsTokenOptions_SetHelperToken(options);
        ok(hr == S_OK, "SetHelperToken got %#lx\n", hr);
        got = NULL;
        hr = IBitsTokenOptions_GetHelperTokenSid(options, &got);
        ok(hr == S_OK && got && sid && !wcscmp(got, sid), "GetHelperTokenSid got %#lx, %s, expected %s\n", hr,
           wine_dbgstr_w(got), wine_dbgstr_w(sid));
        CoTaskMemFree(got);
        IBitsTokenOptions_Release(options);
    }
    cancel_job(job);
    LocalFree(sid);
}

START_TEST(marshal)
{
    HRESULT hr = CoInitializeEx(NULL, COINIT_MULTITHREADED);

    ok(hr == S_OK, "CoInitializeEx got %#lx\n", hr);
    /* SetHelperToken needs the IMPERSONATE level. */
    hr = CoInitializeSecurity(NULL, -1, NULL, NULL, RPC_C_AUTHN_LEVEL_DEFAULT, RPC_C_IMP_LEVEL_IMPERSONATE, NULL,
                              EOAC_DYNAMIC_CLOAKING, NULL);
    if (FAILED(hr)) trace("CoInitializeSecurity got %#lx\n", hr);
    GetTempPathW(ARRAY_SIZE(temp_dir), temp_dir);
    if (!servers_init())
    {
        skip("the test servers are not running\n");
        CoUninitialize();
        return;
    }
    get_env("BITS_UPLOAD_PORT", upload_port, sizeof(upload_port));
    hr = CoCreateInstance(&CLSID_BackgroundCopyManager, NULL, CLSCTX_LOCAL_SERVER, &IID_IBackgroundCopyManager,
                          (void **)&manager);
    ok(hr == S_OK, "CoCreateInstance got %#lx\n", hr);
    if (hr == S_OK)
    {
        test_job_properties();
        test_file_properties();
        test_custom_headers();
        test_file_ranges();
        test_file_set();
        test_reply_data();
        test_credentials();
        test_client_certificate();
        test_helper_token_sid();
        IBackgroundCopyManager_Release(manager);
    }
    CoUninitialize();
}

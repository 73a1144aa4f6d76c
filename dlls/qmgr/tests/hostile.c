/*
 * Conformance tests against a hostile HTTP server (tests/servers/hostile.py, raw sockets): 206
 * answers that do not match the Range asked for, a file that changes between a drop and its
 * resume, bodies cut short or malformed, servers that never answer, a 500 and a redirect loop.
 * Whatever the server does, a file that Complete publishes holds exactly the server's bytes of
 * one version of the file, or there is no file.
 * Without the servers' BITS_* environment variables the tests are skipped.
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

#include <windows.h>
#include <stdio.h>
#include <winhttp.h>
#include "bitsall.h"
#include "wine/test.h"
#include "bits_test.h"
#include "transfer_test.h"

static char hostile_port[16], hostile_dir[MAX_PATH];
static DWORD unique;

/* The true bytes of a version of the hostile server's file: a.bin, b.bin or c.bin. */
static void truth(const WCHAR *name, WCHAR *out)
{
    unix_to_dos(hostile_dir, out);
    lstrcatW(out, L"\\");
    lstrcatW(out, name);
}

static void hostile_url(WCHAR *url, const char *path)
{
    swprintf(url, 256, L"http://127.0.0.1:%hs%hs%hsid=%lu", hostile_port, path, strchr(path, '?') ? "&" : "?",
             ++unique + GetTickCount());
}

static UINT64 bytes_transferred(IBackgroundCopyJob *job)
{
    BG_JOB_PROGRESS progress;

    if (FAILED(IBackgroundCopyJob_GetProgress(job, &progress))) return ~(UINT64)0;
    return progress.BytesTransferred;
}

/* Run the job until it rests; after a first drop (TRANSIENT_ERROR) once more at once. */
static BG_JOB_STATE run_after_drop(IBackgroundCopyJob *job, HRESULT *code, BG_ERROR_CONTEXT *context)
{
    BG_JOB_STATE state = run_job_ex(job, code, context);

    ok(state == BG_JOB_STATE_TRANSIENT_ERROR, "first attempt: state %d code %#lx\n", state, *code);
    ok(bytes_transferred(job) == 50000, "kept %s bytes\n", wine_dbgstr_longlong(bytes_transferred(job)));
    return run_job_ex(job, code, context);
}

/* A 206 whose Content-Range starts 1000 bytes before the Range asked for, ends a byte short, or
 * has another total with the bytes of a new version (105000 bytes). The first two are errors
 * of the job: a server that answers another range than the one asked for (chosen: fatal, as the
 * BG_E_INVALID_SERVER_RESPONSE BITS documents for ranges answered wrongly; Windows may differ) and no
 * byte of theirs reaches the file. A new total, or a new ETag after the drop, is another version
 * of the file: it restarts from 0 and the new version is published whole. */
static void test_wrong_206(void)
{
    static const struct
    {
        const char *path;
        BG_JOB_STATE state;
        HRESULT code;
        const WCHAR *truth;
    }
    tests[] =
    {
        { "/range/start", BG_JOB_STATE_ERROR, BG_E_INVALID_SERVER_RESPONSE, L"a.bin" },
        { "/range/end", BG_JOB_STATE_ERROR, BG_E_INVALID_SERVER_RESPONSE, L"a.bin" },
        { "/range/total", BG_JOB_STATE_TRANSFERRED, S_OK, L"c.bin" },
        { "/range/etag", BG_JOB_STATE_TRANSFERRED, S_OK, L"b.bin" },
    };
    WCHAR url[256], local[MAX_PATH], source[MAX_PATH];
    BG_ERROR_CONTEXT context;
    IBackgroundCopyJob *job;
    BG_JOB_STATE state;
    unsigned int i;
    HRESULT hr;

    for (i = 0; i < ARRAY_SIZE(tests); i++)
    {
        winetest_push_context("%s", tests[i].path);
        hostile_url(url, tests[i].path);
        swprintf(local, MAX_PATH, L"%lshostile-206-%u.bin", temp_dir, i);
        truth(tests[i].truth, source);
        if (!(job = create_download(L"hostile 206", url, local)))
        {
            winetest_pop_context();
            continue;
        }
        state = run_after_drop(job, &hr, &context);
        ok(state == tests[i].state, "state %d code %#lx\n", state, hr);
        ok(hr == tests[i].code, "code %#lx\n", hr);
        if (tests[i].code != S_OK)
        {
            ok(context == BG_ERROR_CONTEXT_REMOTE_FILE, "context %d\n", context);
            ok(bytes_transferred(job) == 50000, "%s bytes after the wrong 206\n",
               wine_dbgstr_longlong(bytes_transferred(job)));
        }
        hr = IBackgroundCopyJob_Complete(job);
        ok(SUCCEEDED(hr), "Complete got %#lx\n", hr);
        if (tests[i].state == BG_JOB_STATE_TRANSFERRED)
            ok(GetFileAttributesW(local) != INVALID_FILE_ATTRIBUTES, "nothing published\n");
        check_published(local, source);
        IBackgroundCopyJob_Release(job);
        DeleteFileW(local);
        winetest_pop_context();
    }
}

/* DYNAMIC_CONTENT: the end of the body is Content-Length, or the last chunk of a chunked body.
 * A body that ends before (a closed connection, a chunk size that is no number or does not fit)
 * is not the file: a transient error (a retry may get it whole), and Complete publishes nothing.
 * A whole chunked body still works. */
static void test_cut_bodies(void)
{
    static const struct
    {
        const char *path;
        BOOL good, chunked;
    }
    tests[] =
    {
        { "/short", FALSE, FALSE },
        { "/chunked/cut", FALSE, TRUE },
        { "/chunked/bad", FALSE, TRUE },
        { "/chunked/overflow", FALSE, TRUE },
        { "/chunked/good", TRUE, TRUE },
    };
    WCHAR url[256], local[MAX_PATH], source[MAX_PATH];
    BITS_JOB_PROPERTY_VALUE value;
    BG_ERROR_CONTEXT context;
    IBackgroundCopyJob *job;
    BG_JOB_STATE state;
    unsigned int i;
    HRESULT hr;

    truth(L"a.bin", source);
    for (i = 0; i < ARRAY_SIZE(tests); i++)
    {
        winetest_push_context("%s", tests[i].path);
        hostile_url(url, tests[i].path);
        swprintf(local, MAX_PATH, L"%lshostile-cut-%u.bin", temp_dir, i);
        if (!(job = create_download(L"hostile cut", url, local)))
        {
            winetest_pop_context();
            continue;
        }
        value.Enable = TRUE;
        hr = set_job_property(job, BITS_JOB_PROPERTY_DYNAMIC_CONTENT, value);
        ok(hr == S_OK, "DYNAMIC_CONTENT got %#lx\n", hr);
        state = run_job_ex(job, &hr, &context);
        if (tests[i].good)
            ok(state == BG_JOB_STATE_TRANSFERRED, "state %d code %#lx\n", state, hr);
        else
        {
            /* Wine 8's WinHTTP ends a chunked body at a closed connection, and at a chunk size
             * that is no number or does not fit in 32 bits, as if its last chunk had come: its
             * ReadData and QueryDataAvailable report a normal end and nothing else tells the
             * cases apart, so the service cannot see that such a body is cut. */
            todo_wine_if(tests[i].chunked)
            {
                ok(state == BG_JOB_STATE_TRANSIENT_ERROR, "state %d code %#lx\n", state, hr);
                ok(hr == HRESULT_FROM_WIN32(ERROR_WINHTTP_CONNECTION_ERROR) || hr == BG_E_INVALID_SERVER_RESPONSE,
                   "code %#lx\n", hr);
                ok(context == BG_ERROR_CONTEXT_REMOTE_FILE, "context %d\n", context);
            }
        }
        hr = IBackgroundCopyJob_Complete(job);
        ok(SUCCEEDED(hr), "Complete got %#lx\n", hr);
        if (tests[i].good) ok(GetFileAttributesW(local) != INVALID_FILE_ATTRIBUTES, "nothing published\n");
        todo_wine_if(!tests[i].good && tests[i].chunked) check_published(local, source);
        IBackgroundCopyJob_Release(job);
        DeleteFileW(local);
        winetest_pop_context();
    }
}

static void set_timeout_value(const WCHAR *name, DWORD ms)
{
    HKEY key;
    LONG ret;

    ret = RegCreateKeyExW(HKEY_LOCAL_MACHINE, L"Software\\Wine\\BITS", 0, NULL, 0, KEY_SET_VALUE, NULL, &key, NULL);
    ok(!ret, "RegCreateKeyEx got %ld\n", ret);
    if (ret) return;
    if (ms) RegSetValueExW(key, name, 0, REG_DWORD, (const BYTE *)&ms, sizeof(ms));
    else RegDeleteValueW(key, name);
    RegCloseKey(key);
}

/* A server that accepts and never answers, and one that sends its headers a byte at a time:
 * the receive timeouts end the attempt (TRANSIENT_ERROR, WinHTTP's timeout in the remote file's
 * context), and the retry rules take over: with NoProgressTimeout 0 the job is in
 * ERROR at once. The service's timeouts are WinHTTP's defaults (30 s for a read, 90 s for the
 * headers); the test shortens them with the documented HKLM\Software\Wine\BITS values so that it
 * does not wait minutes (Windows has no such values and would wait the full defaults). */
static void test_silent_servers(void)
{
    WCHAR url[256], local[MAX_PATH], healthy_local[MAX_PATH], source[MAX_PATH];
    IBackgroundCopyJob *job, *stalled[8], *healthy;
    BG_ERROR_CONTEXT context;
    BG_JOB_STATE state;
    unsigned int i;
    HRESULT hr;

    set_timeout_value(L"ConnectTimeout", 1000);
    set_timeout_value(L"SendTimeout", 1000);
    set_timeout_value(L"ReceiveTimeout", 2000);
    set_timeout_value(L"ReceiveResponseTimeout", 3000);

    hostile_url(url, "/silent");
    swprintf(local, MAX_PATH, L"%lshostile-silent.bin", temp_dir);
    if ((job = create_download(L"hostile silent", url, local)))
    {
        IBackgroundCopyJob_SetPriority(job, BG_JOB_PRIORITY_FOREGROUND);
        state = run_job_ex(job, &hr, &context);
        ok(state == BG_JOB_STATE_TRANSIENT_ERROR, "silent: state %d code %#lx\n", state, hr);
        ok(hr == HRESULT_FROM_WIN32(ERROR_WINHTTP_TIMEOUT), "silent: code %#lx\n", hr);
        ok(context == BG_ERROR_CONTEXT_REMOTE_FILE, "silent: context %d\n", context);
        cancel_job(job);
    }

    hostile_url(url, "/drip?ms=500");
    if ((job = create_download(L"hostile drip", url, local)))
    {
        IBackgroundCopyJob_SetPriority(job, BG_JOB_PRIORITY_FOREGROUND);
        hr = IBackgroundCopyJob_SetNoProgressTimeout(job, 0);
        ok(hr == S_OK, "SetNoProgressTimeout got %#lx\n", hr);
        state = run_job_ex(job, &hr, &context);
        ok(state == BG_JOB_STATE_ERROR, "drip: state %d code %#lx\n", state, hr);
        ok(hr == HRESULT_FROM_WIN32(ERROR_WINHTTP_TIMEOUT), "drip: code %#lx\n", hr);
        ok(context == BG_ERROR_CONTEXT_REMOTE_FILE, "drip: context %d\n", context);
        cancel_job(job);
    }

    /* Eight foreground jobs stalled on the silent server (the service runs eight at once) must
     * not keep a ninth one to a healthy server waiting: it is done long before any retry. */
    for (i = 0; i < ARRAY_SIZE(stalled); i++)
    {
        hostile_url(url, "/silent");
        swprintf(local, MAX_PATH, L"%lshostile-stalled-%u.bin", temp_dir, i);
        if ((stalled[i] = create_download(L"hostile stalled", url, local)))
        {
            IBackgroundCopyJob_SetPriority(stalled[i], BG_JOB_PRIORITY_FOREGROUND);
            IBackgroundCopyJob_Resume(stalled[i]);
        }
    }
    for (i = 0; i < ARRAY_SIZE(stalled); i++)
        if (stalled[i]) wait_state(stalled[i], 1 << BG_JOB_STATE_CONNECTING, 5000);
    hostile_url(url, "/a.bin");
    swprintf(healthy_local, MAX_PATH, L"%lshostile-healthy.bin", temp_dir);
    if ((healthy = create_download(L"hostile healthy", url, healthy_local)))
    {
        IBackgroundCopyJob_SetPriority(healthy, BG_JOB_PRIORITY_FOREGROUND);
        IBackgroundCopyJob_Resume(healthy);
        state = wait_state(healthy, 1 << BG_JOB_STATE_TRANSFERRED | 1 << BG_JOB_STATE_ERROR, 30000);
        ok(state == BG_JOB_STATE_TRANSFERRED, "the healthy job: state %d\n", state);
        hr = IBackgroundCopyJob_Complete(healthy);
        ok(SUCCEEDED(hr), "Complete got %#lx\n", hr);
        truth(L"a.bin", source);
        ok(files_equal(healthy_local, source), "the healthy download differs\n");
        IBackgroundCopyJob_Release(healthy);
        DeleteFileW(healthy_local);
    }
    for (i = 0; i < ARRAY_SIZE(stalled); i++)
        if (stalled[i]) cancel_job(stalled[i]);

    set_timeout_value(L"ConnectTimeout", 0);
    set_timeout_value(L"SendTimeout", 0);
    set_timeout_value(L"ReceiveTimeout", 0);
    set_timeout_value(L"ReceiveResponseTimeout", 0);
}

/* How many lines of the hostile server's request log contain both texts? */
static unsigned int hostile_log_count(const char *text, const char *text2)
{
    HINTERNET session, connect = NULL, request = NULL;
    char *log = NULL, *line, *next;
    DWORD size = 0, got, read;
    unsigned int count = 0;

    session = WinHttpOpen(L"hostile test", WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL, 0);
    if (session) connect = WinHttpConnect(session, L"127.0.0.1", atoi(hostile_port), 0);
    if (connect) request = WinHttpOpenRequest(connect, L"GET", L"/__log", NULL, NULL, NULL, 0);
    if (request && WinHttpSendRequest(request, NULL, 0, NULL, 0, 0, 0) && WinHttpReceiveResponse(request, NULL))
    {
        log = HeapAlloc(GetProcessHeap(), 0, 1);
        while (WinHttpQueryDataAvailable(request, &got) && got)
        {
            log = HeapReAlloc(GetProcessHeap(), 0, log, size + got + 1);
            if (!WinHttpReadData(request, log + size, got, &read) || !read) break;
            size += read;
        }
        log[size] = 0;
    }
    ok(log != NULL, "cannot read the hostile server's log: %lu\n", GetLastError());
    for (line = log; line && *line; line = next)
    {
        if ((next = strchr(line, '\n'))) *next++ = 0;
        else next = line + strlen(line);
        if (strstr(line, text) && strstr(line, text2)) count++;
    }
    HeapFree(GetProcessHeap(), 0, log);
    if (request) WinHttpCloseHandle(request);
    if (connect) WinHttpCloseHandle(connect);
    if (session) WinHttpCloseHandle(session);
    return count;
}

/* The first error a job reports is the server's answer: a 500 (transient) and a
 * redirect loop (more than 10 redirects: fatal), never a transport error of the same exchange.
 * The server closes each connection after its answer without saying so; with rude=1 it keeps
 * the connection instead and resets it when the next request comes on it, as a server that
 * drops kept-alive connections abortively does. The redirects of the loop then meet the reset
 * on the connection kept from the previous answer: the reset belongs to that connection, and the
 * request is answered on a new one. */
static void test_first_error(void)
{
    static const struct
    {
        const char *path;
        BG_JOB_STATE state;
        HRESULT code;
    }
    tests[] =
    {
        { "/status500", BG_JOB_STATE_TRANSIENT_ERROR, BG_E_HTTP_ERROR_500 },
        { "/status500?rude=1", BG_JOB_STATE_TRANSIENT_ERROR, BG_E_HTTP_ERROR_500 },
        { "/loop", BG_JOB_STATE_ERROR, HRESULT_FROM_WIN32(ERROR_WINHTTP_REDIRECT_FAILED) },
        { "/loop?rude=1", BG_JOB_STATE_ERROR, HRESULT_FROM_WIN32(ERROR_WINHTTP_REDIRECT_FAILED) },
    };
    WCHAR url[256], local[MAX_PATH];
    BG_ERROR_CONTEXT context;
    IBackgroundCopyJob *job;
    BG_JOB_STATE state;
    unsigned int i;
    HRESULT hr;

    swprintf(local, MAX_PATH, L"%lshostile-error.bin", temp_dir);
    for (i = 0; i < ARRAY_SIZE(tests); i++)
    {
        winetest_push_context("%s", tests[i].path);
        hostile_url(url, tests[i].path);
        if ((job = create_download(L"hostile error", url, local)))
        {
            state = run_job_ex(job, &hr, &context);
            ok(state == tests[i].state, "state %d code %#lx\n", state, hr);
            ok(hr == tests[i].code, "code %#lx\n", hr);
            ok(context == BG_ERROR_CONTEXT_REMOTE_FILE, "context %d\n", context);
            cancel_job(job);
            ok(GetFileAttributesW(local) == INVALID_FILE_ATTRIBUTES, "a file was left\n");
        }
        /* The loop's redirects went over kept connections, so the server did reset some. */
        if (strstr(tests[i].path, "/loop?rude=1"))
        {
            char target[256];

            WideCharToMultiByte(CP_ACP, 0, wcschr(url + 7, '/'), -1, target, sizeof(target), NULL, NULL);
            ok(hostile_log_count(target, "\"reset\"") > 0, "the server reset no connection\n");
        }
        winetest_pop_context();
    }
}

START_TEST(hostile)
{
    HRESULT hr;

    if (!servers_init() || !get_env("BITS_HOSTILE_PORT", hostile_port, sizeof(hostile_port))
        || !get_env("BITS_HOSTILE_DIR", hostile_dir, sizeof(hostile_dir)))
    {
        skip("the test servers are not running (tests/run.sh starts them)\n");
        return;
    }
    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    GetTempPathW(ARRAY_SIZE(temp_dir), temp_dir);
    hr = CoCreateInstance(&CLSID_BackgroundCopyManager, NULL, CLSCTX_LOCAL_SERVER, &IID_IBackgroundCopyManager,
                          (void **)&manager);
    ok(hr == S_OK, "CoCreateInstance got %#lx\n", hr);
    if (hr == S_OK)
    {
        test_first_error();
        test_wrong_206();
        test_cut_bodies();
        test_silent_servers();
        IBackgroundCopyManager_Release(manager);
    }
    CoUninitialize();
}

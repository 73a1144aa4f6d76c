/*
 * Replays of Microsoft's public BITS samples, written from a reading of the order of their
 * calls and of what they print; no code of them is used.
 *
 * - The DOWNLOADS and UPLOADS samples (Windows SDK, web/bits): CoInitializeEx on an STA,
 *   CoInitializeSecurity at RPC_C_IMP_LEVEL_IMPERSONATE, CoCreateInstance(CLSCTX_LOCAL_SERVER),
 *   CreateJob, SetNotifyInterface with an object of IBackgroundCopyCallback2, SetNotifyFlags,
 *   AddFile, Resume, then a PeekMessage/DispatchMessage loop until WM_QUIT. Their callback:
 *   JobTransferred -> Complete, PostQuitMessage; JobError -> GetError, GetErrorDescription
 *   (LANGIDFROMLCID(GetThreadLocale())), GetErrorContextDescription, GetFile and its remote and
 *   local names, Cancel, PostQuitMessage; FileTransferred -> GetLocalName.
 * - The HTTPHEADER sample: IBackgroundCopyJobHttpOptions::SetCustomHeaders before Resume.
 * - The CONTROLS sample: the DOWNLOADS flow with IBackgroundCopyJob4::SetPeerCachingFlags
 *   (client and server) on the job, and the manager asked for IBitsPeerCacheAdministration to
 *   size the peer cache.
 * - The documentation's "last set of HTTP headers received for each file": an STA, a job of
 *   several files, Resume, GetState polled until TRANSFERRED or ERROR, Complete, then
 *   EnumFiles, GetCount and for each file GetRemoteName and IBackgroundCopyFile5::GetProperty
 *   (BITS_FILE_PROPERTY_ID_HTTP_RESPONSE_HEADERS), printed. The files are read after Complete.
 * - The documentation's server credentials example: IBackgroundCopyJob2::SetCredentials with
 *   a user name and password for BG_AUTH_TARGET_SERVER, Basic or Digest; a wrong password
 *   ends in ERROR with the server's 401.
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
#include <stdio.h>
#include "bitsall.h"
#include "wine/test.h"
#include "bits_test.h"
#include "transfer_test.h"
#include "replay_test.h"

static char upload_port[16], upload_dir[MAX_PATH];

/* What the samples' callback saw. */
struct sample_state
{
    HRESULT complete_hr;                /* Complete in JobTransferred */
    HRESULT error;                      /* the code of JobError's error object */
    BG_ERROR_CONTEXT context;
    WCHAR description[256];
    WCHAR context_description[256];
    WCHAR remote[512];
    WCHAR local_seen[MAX_PATH];         /* GetLocalName in FileTransferred */
    HRESULT cancel_hr;
};

static HRESULT sample_transferred(struct replay_callback *cb, IBackgroundCopyJob *job)
{
    struct sample_state *st = cb->context;

    st->complete_hr = IBackgroundCopyJob_Complete(job);
    PostQuitMessage(0);
    return S_OK;
}

static HRESULT sample_error(struct replay_callback *cb, IBackgroundCopyJob *job, IBackgroundCopyError *error)
{
    struct sample_state *st = cb->context;
    LANGID lang = LANGIDFROMLCID(GetThreadLocale());
    IBackgroundCopyFile *file;
    WCHAR *text;

    IBackgroundCopyError_GetError(error, &st->context, &st->error);
    if (SUCCEEDED(IBackgroundCopyError_GetErrorDescription(error, lang, &text)))
    {
        lstrcpynW(st->description, text, ARRAY_SIZE(st->description));
        CoTaskMemFree(text);
    }
    if (SUCCEEDED(IBackgroundCopyError_GetErrorContextDescription(error, lang, &text)))
    {
        lstrcpynW(st->context_description, text, ARRAY_SIZE(st->context_description));
        CoTaskMemFree(text);
    }
    if (SUCCEEDED(IBackgroundCopyError_GetFile(error, &file)))
    {
        if (SUCCEEDED(IBackgroundCopyFile_GetRemoteName(file, &text)))
        {
            lstrcpynW(st->remote, text, ARRAY_SIZE(st->remote));
            CoTaskMemFree(text);
        }
        IBackgroundCopyFile_Release(file);
    }
    st->cancel_hr = IBackgroundCopyJob_Cancel(job);
    PostQuitMessage(0);
    return S_OK;
}

static HRESULT sample_file_transferred(struct replay_callback *cb, IBackgroundCopyJob *job, IBackgroundCopyFile *file)
{
    struct sample_state *st = cb->context;
    WCHAR *name;

    if (SUCCEEDED(IBackgroundCopyFile_GetLocalName(file, &name)))
    {
        lstrcpynW(st->local_seen, name, ARRAY_SIZE(st->local_seen));
        CoTaskMemFree(name);
    }
    return S_OK;
}

/* One run of the DOWNLOADS/UPLOADS flow; headers (or NULL) as the HTTPHEADER sample sets them.
 * TRUE when the callback posted its WM_QUIT in time. */
static BOOL sample_run(BG_JOB_TYPE type, const WCHAR *remote, const WCHAR *local, const WCHAR *headers,
                       struct replay_callback *cb)
{
    IBackgroundCopyManager *mgr;
    IBackgroundCopyJob *job;
    IBackgroundCopyJobHttpOptions *options;
    HRESULT hr;
    BOOL quit;
    GUID id;

    hr = CoCreateInstance(&CLSID_BackgroundCopyManager, NULL, CLSCTX_LOCAL_SERVER, &IID_IBackgroundCopyManager,
                          (void **)&mgr);
    ok(hr == S_OK, "CoCreateInstance got %#lx\n", hr);
    if (FAILED(hr)) return FALSE;
    hr = IBackgroundCopyManager_CreateJob(mgr, L"BITS sample", type, &id, &job);
    ok(hr == S_OK, "CreateJob got %#lx\n", hr);
    IBackgroundCopyManager_Release(mgr);
    if (FAILED(hr)) return FALSE;
    hr = IBackgroundCopyJob_SetNotifyInterface(job, replay_callback_unknown(cb));
    ok(hr == S_OK, "SetNotifyInterface got %#lx\n", hr);
    hr = IBackgroundCopyJob_SetNotifyFlags(job, BG_NOTIFY_JOB_TRANSFERRED | BG_NOTIFY_JOB_ERROR
                                           | (cb->v2 ? BG_NOTIFY_FILE_TRANSFERRED : 0));
    ok(hr == S_OK, "SetNotifyFlags got %#lx\n", hr);
    if (headers)
    {
        hr = IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJobHttpOptions, (void **)&options);
        ok(hr == S_OK, "QueryInterface(HttpOptions) got %#lx\n", hr);
        if (SUCCEEDED(hr))
        {
            hr = IBackgroundCopyJobHttpOptions_SetCustomHeaders(options, headers);
            ok(hr == S_OK, "SetCustomHeaders got %#lx\n", hr);
            IBackgroundCopyJobHttpOptions_Release(options);
        }
    }
    if (type == BG_JOB_TYPE_DOWNLOAD) DeleteFileW(local);
    hr = IBackgroundCopyJob_AddFile(job, remote, local);
    ok(hr == S_OK, "AddFile got %#lx\n", hr);
    hr = IBackgroundCopyJob_Resume(job);
    ok(hr == S_OK, "Resume got %#lx\n", hr);
    quit = pump_until_quit(60000);
    ok(quit, "no WM_QUIT from the callback\n");
    if (!quit) IBackgroundCopyJob_Cancel(job);
    IBackgroundCopyJob_Release(job);
    return quit;
}

static void test_downloads(void)
{
    WCHAR url[256], local[MAX_PATH], served[MAX_PATH];
    struct sample_state st;
    struct replay_callback cb;
    char marker[64];
    unsigned int run = replay_unique();

    memset(&st, 0, sizeof(st));
    replay_callback_init(&cb, &st);
    cb.v2 = TRUE;
    cb.transferred = sample_transferred;
    cb.error = sample_error;
    cb.file_transferred = sample_file_transferred;
    swprintf(url, ARRAY_SIZE(url), L"http://127.0.0.1:%hs/files/1m.bin?mssample=%u", servers.fault_port, run);
    local_path(local, L"replay_mssamples-download.bin");
    /* the HTTPHEADER sample's headers: two lines, each ended by CRLF */
    if (sample_run(BG_JOB_TYPE_DOWNLOAD, url, local, L"X-Sample-One: 1\r\nX-Sample-Two: two\r\n", &cb))
    {
        ok(st.complete_hr == S_OK, "Complete in JobTransferred got %#lx\n", st.complete_hr);
        ok(cb.transferred_calls == 1 && !cb.error_calls, "%ld JobTransferred, %ld JobError\n",
           cb.transferred_calls, cb.error_calls);
        ok(cb.file_calls == 1, "%ld FileTransferred calls\n", cb.file_calls);
        ok(!lstrcmpiW(st.local_seen, local), "FileTransferred's local name %s\n", wine_dbgstr_w(st.local_seen));
        served_path(L"1m.bin", served);
        ok(files_equal(local, served), "the download differs from the served file\n");
        snprintf(marker, sizeof(marker), "mssample=%u", run);
        ok(request_log_count(marker, "X-Sample-One") >= 1 && request_log_count(marker, "X-Sample-Two") >= 1,
           "the custom headers were not sent\n");
    }
    DeleteFileW(local);
}

static void test_download_error(void)
{
    WCHAR url[256], local[MAX_PATH];
    struct sample_state st;
    struct replay_callback cb;

    memset(&st, 0, sizeof(st));
    replay_callback_init(&cb, &st);
    cb.v2 = TRUE;
    cb.transferred = sample_transferred;
    cb.error = sample_error;
    cb.file_transferred = sample_file_transferred;
    swprintf(url, ARRAY_SIZE(url), L"http://127.0.0.1:%hs/missing-%u.bin", servers.http_port, replay_unique());
    local_path(local, L"replay_mssamples-missing.bin");
    if (sample_run(BG_JOB_TYPE_DOWNLOAD, url, local, NULL, &cb))
    {
        ok(cb.error_calls == 1 && !cb.transferred_calls, "%ld JobError, %ld JobTransferred\n",
           cb.error_calls, cb.transferred_calls);
        ok(st.error == BG_E_HTTP_ERROR_404, "the error is %#lx\n", st.error);
        ok(st.context == BG_ERROR_CONTEXT_REMOTE_FILE, "the context is %d\n", st.context);
        ok(st.description[0], "no error description\n");
        ok(st.context_description[0], "no context description\n");
        ok(!lstrcmpW(st.remote, url), "the error's file is %s\n", wine_dbgstr_w(st.remote));
        ok(st.cancel_hr == S_OK, "Cancel in JobError got %#lx\n", st.cancel_hr);
    }
    ok(GetFileAttributesW(local) == INVALID_FILE_ATTRIBUTES, "a failed download left a file\n");
}

/* The CONTROLS sample. BITS 4.0 replaced peer caching with BranchCache, and this service exposes
 * no peer cache object, so the manager's QueryInterface for IBitsPeerCacheAdministration gives
 * E_NOINTERFACE (chosen as documented in README; a Windows of BITS 3.0 would answer S_OK, hence
 * the broken()). The job's peer caching flags are kept and the download itself completes. */
static void test_controls(void)
{
    WCHAR url[256], local[MAX_PATH], served[MAX_PATH];
    IBitsPeerCacheAdministration *admin = NULL;
    IBackgroundCopyJob4 *job4;
    IBackgroundCopyJob *job;
    struct sample_state st;
    struct replay_callback cb;
    DWORD flags = 0;
    HRESULT hr;
    BOOL quit;

    hr = IBackgroundCopyManager_QueryInterface(manager, &IID_IBitsPeerCacheAdministration, (void **)&admin);
    ok(hr == E_NOINTERFACE || broken(hr == S_OK), "QueryInterface(IBitsPeerCacheAdministration) got %#lx\n", hr);
    if (SUCCEEDED(hr)) IBitsPeerCacheAdministration_Release(admin);

    memset(&st, 0, sizeof(st));
    replay_callback_init(&cb, &st);
    cb.v2 = TRUE;
    cb.transferred = sample_transferred;
    cb.error = sample_error;
    swprintf(url, ARRAY_SIZE(url), L"http://127.0.0.1:%hs/1m.bin?controls=%u", servers.http_port, replay_unique());
    local_path(local, L"replay_mssamples-controls.bin");
    if (!(job = create_download(L"CONTROL", url, local))) return;
    hr = IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJob4, (void **)&job4);
    ok(hr == S_OK, "QueryInterface(Job4) got %#lx\n", hr);
    if (SUCCEEDED(hr))
    {
        hr = IBackgroundCopyJob4_SetPeerCachingFlags(job4, BG_ENABLE_PEERCACHING_CLIENT | BG_ENABLE_PEERCACHING_SERVER);
        ok(hr == S_OK, "SetPeerCachingFlags got %#lx\n", hr);
        hr = IBackgroundCopyJob4_GetPeerCachingFlags(job4, &flags);
        ok(hr == S_OK && flags == (BG_ENABLE_PEERCACHING_CLIENT | BG_ENABLE_PEERCACHING_SERVER),
           "GetPeerCachingFlags got %#lx, %#lx\n", hr, flags);
        IBackgroundCopyJob4_Release(job4);
    }
    hr = IBackgroundCopyJob_SetNotifyInterface(job, replay_callback_unknown(&cb));
    ok(hr == S_OK, "SetNotifyInterface got %#lx\n", hr);
    hr = IBackgroundCopyJob_SetNotifyFlags(job, BG_NOTIFY_JOB_TRANSFERRED | BG_NOTIFY_JOB_ERROR);
    ok(hr == S_OK, "SetNotifyFlags got %#lx\n", hr);
    hr = IBackgroundCopyJob_Resume(job);
    ok(hr == S_OK, "Resume got %#lx\n", hr);
    quit = pump_until_quit(60000);
    ok(quit, "no WM_QUIT from the callback\n");
    if (quit)
    {
        ok(st.complete_hr == S_OK, "Complete in JobTransferred got %#lx\n", st.complete_hr);
        served_path(L"1m.bin", served);
        ok(files_equal(local, served), "the download differs from the served file\n");
    }
    else IBackgroundCopyJob_Cancel(job);
    IBackgroundCopyJob_Release(job);
    DeleteFileW(local);
}

/* The UPLOADS sample: a local file sent to the upload server's plain virtual directory. */
static void test_uploads(void)
{
    WCHAR url[256], local[MAX_PATH], stored[MAX_PATH];
    char unix_path[MAX_PATH];
    struct sample_state st;
    struct replay_callback cb;
    unsigned int run = replay_unique();
    HANDLE file;
    BYTE buf[4096];
    DWORD i, written;

    if (!upload_port[0])
    {
        skip("the upload server is not running\n");
        return;
    }
    local_path(local, L"replay_mssamples-upload.bin");
    file = CreateFileW(local, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
    ok(file != INVALID_HANDLE_VALUE, "cannot create the upload's source\n");
    for (i = 0; i < sizeof(buf); i++) buf[i] = (BYTE)(i * 13 + run);
    for (i = 0; i < 64; i++) WriteFile(file, buf, sizeof(buf), &written, NULL);
    CloseHandle(file);

    memset(&st, 0, sizeof(st));
    replay_callback_init(&cb, &st);
    cb.v2 = TRUE;
    cb.transferred = sample_transferred;
    cb.error = sample_error;
    swprintf(url, ARRAY_SIZE(url), L"http://127.0.0.1:%hs/up/mssample-%u.bin", upload_port, run);
    if (sample_run(BG_JOB_TYPE_UPLOAD, url, local, NULL, &cb))
    {
        ok(st.complete_hr == S_OK, "Complete in JobTransferred got %#lx\n", st.complete_hr);
        ok(cb.transferred_calls == 1 && !cb.error_calls, "%ld JobTransferred, %ld JobError (%#lx)\n",
           cb.transferred_calls, cb.error_calls, st.error);
        snprintf(unix_path, sizeof(unix_path), "%s/up/mssample-%u.bin", upload_dir, run);
        unix_to_dos(unix_path, stored);
        ok(files_equal(local, stored), "the server stored other bytes\n");
    }
    DeleteFileW(local);
}

/* The headers sample: GetState polled, Complete, then each file's headers read from the job
 * just completed. */
static void test_response_headers(void)
{
    static const WCHAR *names[] = { L"4k.bin", L"1m.bin", L"16m.bin" };
    WCHAR url[ARRAY_SIZE(names)][256], local[ARRAY_SIZE(names)][MAX_PATH], served[MAX_PATH];
    IBackgroundCopyJob *job;
    IEnumBackgroundCopyFiles *files;
    IBackgroundCopyFile *file;
    IBackgroundCopyFile5 *file5;
    BITS_FILE_PROPERTY_VALUE value;
    BG_JOB_STATE state = BG_JOB_STATE_QUEUED;
    ULONG count = 0, i, seen = 0;
    DWORD start;
    WCHAR *remote;
    HRESULT hr;

    if (!(job = create_job(L"TransferPolicy", BG_JOB_TYPE_DOWNLOAD))) return;
    for (i = 0; i < ARRAY_SIZE(names); i++)
    {
        swprintf(url[i], 256, L"http://127.0.0.1:%hs/%ls?headers=%u", servers.http_port, names[i], replay_unique());
        swprintf(local[i], MAX_PATH, L"%lsreplay_mssamples-headers-%lu.bin", temp_dir, i);
        DeleteFileW(local[i]);
        hr = IBackgroundCopyJob_AddFile(job, url[i], local[i]);
        ok(hr == S_OK, "AddFile got %#lx\n", hr);
    }
    hr = IBackgroundCopyJob_Resume(job);
    ok(hr == S_OK, "Resume got %#lx\n", hr);
    start = GetTickCount();
    while (GetTickCount() - start < 60000)
    {
        hr = IBackgroundCopyJob_GetState(job, &state);
        if (FAILED(hr) || state == BG_JOB_STATE_TRANSFERRED || state == BG_JOB_STATE_ERROR
            || state == BG_JOB_STATE_TRANSIENT_ERROR)
            break;
        Sleep(200);
    }
    ok(state == BG_JOB_STATE_TRANSFERRED, "the job ended in state %d\n", state);
    if (state != BG_JOB_STATE_TRANSFERRED)
    {
        cancel_job(job);
        return;
    }
    hr = IBackgroundCopyJob_Complete(job);
    ok(hr == S_OK, "Complete got %#lx\n", hr);

    hr = IBackgroundCopyJob_EnumFiles(job, &files);
    ok(hr == S_OK, "EnumFiles after Complete got %#lx\n", hr);
    if (SUCCEEDED(hr))
    {
        IEnumBackgroundCopyFiles_GetCount(files, &count);
        ok(count == ARRAY_SIZE(names), "%lu files after Complete\n", count);
        for (i = 0; i < count; i++)
        {
            if (IEnumBackgroundCopyFiles_Next(files, 1, &file, NULL) != S_OK) break;
            winetest_push_context("file %lu", i);
            hr = IBackgroundCopyFile_GetRemoteName(file, &remote);
            ok(hr == S_OK && i < ARRAY_SIZE(names) && !lstrcmpW(remote, url[i]), "GetRemoteName got %#lx %s\n", hr,
               wine_dbgstr_w(hr == S_OK ? remote : NULL));
            if (hr == S_OK) CoTaskMemFree(remote);
            hr = IBackgroundCopyFile_QueryInterface(file, &IID_IBackgroundCopyFile5, (void **)&file5);
            ok(hr == S_OK, "QueryInterface(File5) got %#lx\n", hr);
            if (SUCCEEDED(hr))
            {
                value.String = NULL;
                hr = IBackgroundCopyFile5_GetProperty(file5, BITS_FILE_PROPERTY_ID_HTTP_RESPONSE_HEADERS, &value);
                ok(hr == S_OK, "GetProperty(HTTP_RESPONSE_HEADERS) got %#lx\n", hr);
                if (hr == S_OK)
                {
                    ok(value.String && !wcsncmp(value.String, L"HTTP/1.1 2", 10),
                       "the headers start with %s\n", wine_dbgstr_wn(value.String, 20));
                    ok(value.String && wcsstr(value.String, L"Content-Length"), "no Content-Length in %s\n",
                       wine_dbgstr_w(value.String));
                    CoTaskMemFree(value.String);
                    seen++;
                }
                IBackgroundCopyFile5_Release(file5);
            }
            IBackgroundCopyFile_Release(file);
            winetest_pop_context();
        }
        IEnumBackgroundCopyFiles_Release(files);
    }
    ok(seen == ARRAY_SIZE(names), "headers of %lu files read after Complete\n", seen);
    for (i = 0; i < ARRAY_SIZE(names); i++)
    {
        served_path(names[i], served);
        ok(files_equal(local[i], served), "%s differs from the served file\n", wine_dbgstr_w(names[i]));
        DeleteFileW(local[i]);
    }
    IBackgroundCopyJob_Release(job);
}

/* The credentials example: Basic and Digest for the server; a wrong password ends in ERROR
 * with the 401 (BITS does not ask again). */
static void test_server_credentials(void)
{
    static const struct
    {
        BG_AUTH_SCHEME scheme;
        const char *path;
        const WCHAR *password;
        HRESULT expect;
    }
    tests[] =
    {
        { BG_AUTH_SCHEME_BASIC, "auth/basic", L"secret", S_OK },
        { BG_AUTH_SCHEME_DIGEST, "auth/digest", L"secret", S_OK },
        { BG_AUTH_SCHEME_BASIC, "auth/basic", L"wrong", BG_E_HTTP_ERROR_401 },
        { BG_AUTH_SCHEME_DIGEST, "auth/digest", L"wrong", BG_E_HTTP_ERROR_401 },
    };
    WCHAR url[256], local[MAX_PATH], served[MAX_PATH];
    IBackgroundCopyJob *job;
    IBackgroundCopyJob2 *job2;
    BG_AUTH_CREDENTIALS creds;
    BG_JOB_STATE state;
    HRESULT hr, code;
    unsigned int i;

    served_path(L"4k.bin", served);
    for (i = 0; i < ARRAY_SIZE(tests); i++)
    {
        winetest_push_context("%s %s", tests[i].path, wine_dbgstr_w(tests[i].password));
        swprintf(url, ARRAY_SIZE(url), L"http://127.0.0.1:%hs/%hs/4k.bin?creds=%u", servers.fault_port, tests[i].path,
                 replay_unique());
        local_path(local, L"replay_mssamples-creds.bin");
        if (!(job = create_download(L"BITS credentials sample", url, local)))
        {
            winetest_pop_context();
            continue;
        }
        hr = IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJob2, (void **)&job2);
        ok(hr == S_OK, "QueryInterface(Job2) got %#lx\n", hr);
        if (SUCCEEDED(hr))
        {
            memset(&creds, 0, sizeof(creds));
            creds.Target = BG_AUTH_TARGET_SERVER;
            creds.Scheme = tests[i].scheme;
            creds.Credentials.Basic.UserName = (WCHAR *)L"bits";
            creds.Credentials.Basic.Password = (WCHAR *)tests[i].password;
            hr = IBackgroundCopyJob2_SetCredentials(job2, &creds);
            ok(hr == S_OK, "SetCredentials got %#lx\n", hr);
            IBackgroundCopyJob2_Release(job2);
        }
        state = run_job(job, &code);
        if (tests[i].expect == S_OK)
        {
            ok(state == BG_JOB_STATE_TRANSFERRED, "state %d (%#lx)\n", state, code);
            hr = IBackgroundCopyJob_Complete(job);
            ok(hr == S_OK, "Complete got %#lx\n", hr);
            ok(files_equal(local, served), "the download differs from the served file\n");
            IBackgroundCopyJob_Release(job);
        }
        else
        {
            ok(state == BG_JOB_STATE_ERROR, "state %d\n", state);
            ok(code == tests[i].expect, "the error is %#lx\n", code);
            cancel_job(job);
        }
        DeleteFileW(local);
        winetest_pop_context();
    }
}

START_TEST(replay_mssamples)
{
    HRESULT hr;

    if (!servers_init())
    {
        skip("the test servers are not running (tests/run.sh starts them)\n");
        return;
    }
    get_env("BITS_UPLOAD_PORT", upload_port, sizeof(upload_port));
    get_env("BITS_UPLOAD_DIR", upload_dir, sizeof(upload_dir));
    /* the samples' apartment and security */
    CoInitializeEx(NULL, COINIT_APARTMENTTHREADED);
    hr = CoInitializeSecurity(NULL, -1, NULL, NULL, RPC_C_AUTHN_LEVEL_CONNECT, RPC_C_IMP_LEVEL_IMPERSONATE, NULL,
                              EOAC_NONE, 0);
    ok(hr == S_OK, "CoInitializeSecurity got %#lx\n", hr);
    GetTempPathW(ARRAY_SIZE(temp_dir), temp_dir);
    hr = CoCreateInstance(&CLSID_BackgroundCopyManager, NULL, CLSCTX_LOCAL_SERVER, &IID_IBackgroundCopyManager,
                          (void **)&manager);
    ok(hr == S_OK, "CoCreateInstance got %#lx\n", hr);
    if (hr == S_OK)
    {
        test_downloads();
        test_download_error();
        test_controls();
        test_uploads();
        test_response_headers();
        test_server_credentials();
        IBackgroundCopyManager_Release(manager);
    }
    CoUninitialize();
}

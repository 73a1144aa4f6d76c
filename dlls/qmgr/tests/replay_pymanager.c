/*
 * Replay of the Python install manager's downloads through BITS (python/pymanager, public file
 * src/_native/bits.cpp, the native half of its download helper), written from a reading of
 * the order of its calls and of what it checks; no code of it is used.
 *
 * Order of calls, on an STA thread:
 *   connect: CoCreateInstance(CLSCTX_LOCAL_SERVER, IID_IBackgroundCopyManager);
 *   begin: CreateJob(name, DOWNLOAD); WinHttpGetIEProxyConfigForCurrentUser, and without a
 *     proxy, autoconfig script or auto-detection there: SetProxySettings(AUTODETECT, NULL,
 *     NULL); with a user name or password: QueryInterface(Job2), SetCredentials(SERVER, BASIC);
 *     AddFile(url, path); SetPriority(FOREGROUND); Resume;
 *   serialize: GetId; find (a later call, by the saved id): GetJob(id);
 *   progress, called repeatedly: GetState; QUEUED, CONNECTING, CANCELLED -> 0 %;
 *     TRANSFERRING, SUSPENDED -> GetProgress (bytes, or files when the size is unknown);
 *     TRANSFERRED -> 100 % and Complete; ACKNOWLEDGED -> 100 %, already complete;
 *     TRANSIENT_ERROR, ERROR -> GetError, IBackgroundCopyError::GetError and
 *     GetErrorDescription(LANGIDFROMLCID(GetThreadLocale())), trailing white space cut;
 *   retry with credentials (after a 401): SetCredentials(SERVER, BASIC), Resume;
 *   cancel: Cancel;
 *   every failing call: IBackgroundCopyManager::GetErrorDescription(hr, thread language).
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
#include <winhttp.h>
#include <stdio.h>
#include "bitsall.h"
#include "wine/test.h"
#include "bits_test.h"
#include "transfer_test.h"
#include "replay_test.h"

static char test_user[64] = "bits", test_password[64] = "secret";

/* What a failing call turns into: the manager's text for hr, which must exist. */
static void check_manager_text(HRESULT hr)
{
    WCHAR *text = NULL;
    HRESULT hr2;

    hr2 = IBackgroundCopyManager_GetErrorDescription(manager, hr, LANGIDFROMLCID(GetThreadLocale()), &text);
    ok(hr2 == S_OK, "GetErrorDescription(%#lx) got %#lx\n", hr, hr2);
    if (hr2 == S_OK)
    {
        ok(text && text[0], "empty text for %#lx\n", hr);
        CoTaskMemFree(text);
    }
}

static HRESULT pymanager_set_credentials(IBackgroundCopyJob *job, const WCHAR *user, const WCHAR *password)
{
    IBackgroundCopyJob2 *job2;
    BG_AUTH_CREDENTIALS creds;
    HRESULT hr;

    if (!user && !password) return S_OK;
    if (FAILED(hr = IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJob2, (void **)&job2))) return hr;
    creds.Target = BG_AUTH_TARGET_SERVER;
    creds.Scheme = BG_AUTH_SCHEME_BASIC;
    creds.Credentials.Basic.UserName = (WCHAR *)user;
    creds.Credentials.Basic.Password = user ? (WCHAR *)password : NULL;
    hr = IBackgroundCopyJob2_SetCredentials(job2, &creds);
    IBackgroundCopyJob2_Release(job2);
    return hr;
}

static HRESULT pymanager_set_proxy(IBackgroundCopyJob *job)
{
    WINHTTP_CURRENT_USER_IE_PROXY_CONFIG config;

    memset(&config, 0, sizeof(config));
    if (WinHttpGetIEProxyConfigForCurrentUser(&config))
    {
        BOOL configured = config.lpszProxy || config.lpszAutoConfigUrl || config.fAutoDetect;

        if (config.lpszProxy) GlobalFree(config.lpszProxy);
        if (config.lpszProxyBypass) GlobalFree(config.lpszProxyBypass);
        if (config.lpszAutoConfigUrl) GlobalFree(config.lpszAutoConfigUrl);
        if (configured) return S_OK;
    }
    return IBackgroundCopyJob_SetProxySettings(job, BG_JOB_PROXY_USAGE_AUTODETECT, NULL, NULL);
}

static IBackgroundCopyJob *pymanager_begin(const WCHAR *name, const WCHAR *url, const WCHAR *path,
                                           const WCHAR *user, const WCHAR *password)
{
    IBackgroundCopyJob *job;
    HRESULT hr;
    GUID id;

    hr = IBackgroundCopyManager_CreateJob(manager, name, BG_JOB_TYPE_DOWNLOAD, &id, &job);
    ok(hr == S_OK, "CreateJob got %#lx\n", hr);
    if (hr != S_OK) return NULL;
    hr = pymanager_set_proxy(job);
    ok(hr == S_OK, "setting the proxy got %#lx\n", hr);
    hr = pymanager_set_credentials(job, user, password);
    ok(hr == S_OK, "SetCredentials got %#lx\n", hr);
    DeleteFileW(path);
    hr = IBackgroundCopyJob_AddFile(job, url, path);
    ok(hr == S_OK, "AddFile got %#lx\n", hr);
    hr = IBackgroundCopyJob_SetPriority(job, BG_JOB_PRIORITY_FOREGROUND);
    ok(hr == S_OK, "SetPriority got %#lx\n", hr);
    hr = IBackgroundCopyJob_Resume(job);
    ok(hr == S_OK, "Resume got %#lx\n", hr);
    if (FAILED(hr)) check_manager_text(hr);
    return job;
}

/* The job's error as the install manager reports it. */
struct pymanager_error
{
    HRESULT code;
    BG_ERROR_CONTEXT context;
    WCHAR text[512];
};

static void pymanager_job_error(IBackgroundCopyJob *job, struct pymanager_error *err)
{
    IBackgroundCopyError *error;
    WCHAR *text;
    HRESULT hr;
    size_t n;

    memset(err, 0, sizeof(*err));
    hr = IBackgroundCopyJob_GetError(job, &error);
    ok(hr == S_OK, "GetError got %#lx\n", hr);
    if (hr != S_OK) return;
    hr = IBackgroundCopyError_GetError(error, &err->context, &err->code);
    ok(hr == S_OK, "IBackgroundCopyError::GetError got %#lx\n", hr);
    hr = IBackgroundCopyError_GetErrorDescription(error, LANGIDFROMLCID(GetThreadLocale()), &text);
    ok(hr == S_OK, "GetErrorDescription got %#lx (the install manager prints \"Could not retrieve message\")\n", hr);
    if (hr == S_OK)
    {
        n = wcslen(text);
        while (n > 0 && iswspace(text[n - 1])) text[--n] = 0;
        ok(n > 0, "the description is empty\n");
        lstrcpynW(err->text, text, ARRAY_SIZE(err->text));
        CoTaskMemFree(text);
    }
    IBackgroundCopyError_Release(error);
}

/* One call of the progress function: S_OK with a percentage, S_FALSE on an error state. */
static HRESULT pymanager_progress(IBackgroundCopyJob *job, int *progress, BOOL *already_complete)
{
    BG_JOB_PROGRESS p;
    BG_JOB_STATE state;
    HRESULT hr;

    *progress = 0;
    *already_complete = FALSE;
    if (FAILED(hr = IBackgroundCopyJob_GetState(job, &state))) return hr;
    switch (state)
    {
    case BG_JOB_STATE_QUEUED:
    case BG_JOB_STATE_CONNECTING:
    case BG_JOB_STATE_CANCELLED:
        break;
    case BG_JOB_STATE_TRANSFERRED:
        *progress = 100;
        break;
    case BG_JOB_STATE_ACKNOWLEDGED:
        *progress = 100;
        *already_complete = TRUE;
        break;
    case BG_JOB_STATE_TRANSFERRING:
    case BG_JOB_STATE_SUSPENDED:
        if (FAILED(hr = IBackgroundCopyJob_GetProgress(job, &p))) return hr;
        if (p.FilesTransferred >= p.FilesTotal || p.BytesTransferred >= p.BytesTotal) *progress = 100;
        else if (p.BytesTotal == BG_SIZE_UNKNOWN) *progress = p.FilesTransferred * 100 / p.FilesTotal;
        else *progress = (int)(p.BytesTransferred * 100 / p.BytesTotal);
        break;
    case BG_JOB_STATE_TRANSIENT_ERROR:
    case BG_JOB_STATE_ERROR:
        return S_FALSE;
    }
    if (*progress == 100 && !*already_complete)
    {
        hr = IBackgroundCopyJob_Complete(job);
        ok(hr == S_OK, "Complete got %#lx\n", hr);
        if (FAILED(hr)) check_manager_text(hr);
    }
    return S_OK;
}

/* The helper's loop: progress until 100 % or an error; S_OK when the download is complete. */
static HRESULT pymanager_wait(IBackgroundCopyJob *job, struct pymanager_error *err, DWORD timeout)
{
    DWORD start = GetTickCount();
    int progress, last = 0;
    BOOL done;
    HRESULT hr;

    while (GetTickCount() - start < timeout)
    {
        hr = pymanager_progress(job, &progress, &done);
        ok(SUCCEEDED(hr), "the progress call failed with %#lx\n", hr);
        if (FAILED(hr)) return hr;
        if (hr == S_FALSE)
        {
            pymanager_job_error(job, err);
            return err->code;
        }
        ok(progress >= 0 && progress <= 100, "progress %d %%\n", progress);
        /* a single job with one file only moves forward */
        ok(progress >= last || progress == 0, "progress went back from %d to %d %%\n", last, progress);
        last = progress;
        if (progress == 100) return S_OK;
        Sleep(50);
    }
    return E_ABORT;
}

static void test_download(void)
{
    WCHAR url[256], path[MAX_PATH], served[MAX_PATH];
    IBackgroundCopyJob *job, *found;
    struct pymanager_error err;
    int progress;
    BOOL done;
    HRESULT hr;
    GUID id, id2;

    swprintf(url, ARRAY_SIZE(url), L"http://127.0.0.1:%hs/16m.bin?run=%u", servers.http_port, replay_unique());
    local_path(path, L"replay_pymanager-16m.bin");
    if (!(job = pymanager_begin(L"Python install manager", url, path, NULL, NULL))) return;

    /* serialized id, then found again as a later call of the helper would */
    hr = IBackgroundCopyJob_GetId(job, &id);
    ok(hr == S_OK, "GetId got %#lx\n", hr);
    hr = IBackgroundCopyManager_GetJob(manager, &id, &found);
    ok(hr == S_OK, "GetJob got %#lx\n", hr);
    if (hr == S_OK)
    {
        hr = IBackgroundCopyJob_GetId(found, &id2);
        ok(hr == S_OK && IsEqualGUID(&id, &id2), "GetJob found %s\n", wine_dbgstr_guid(&id2));
        IBackgroundCopyJob_Release(job);
        job = found;
    }

    hr = pymanager_wait(job, &err, 60000);
    ok(hr == S_OK, "the download ended with %#lx (%s)\n", hr, wine_dbgstr_w(err.text));
    served_path(L"16m.bin", served);
    ok(files_equal(path, served), "the download differs from the served file\n");

    /* the next progress call sees the job acknowledged: 100 %, already complete */
    hr = pymanager_progress(job, &progress, &done);
    ok(hr == S_OK && progress == 100 && done, "after Complete: %#lx, %d %%, complete %d\n", hr, progress, done);
    /* and the saved id no longer finds it */
    hr = IBackgroundCopyManager_GetJob(manager, &id, &found);
    ok(hr == BG_E_NOT_FOUND, "GetJob of a completed job got %#lx\n", hr);
    if (hr == S_OK) IBackgroundCopyJob_Release(found);
    else check_manager_text(hr);
    IBackgroundCopyJob_Release(job);
    DeleteFileW(path);
}

/* A server asking for credentials: ERROR with BG_E_HTTP_ERROR_401 and a text; the install
 * manager asks the user and retries the same job with Basic credentials. */
static void test_retry_with_auth(void)
{
    WCHAR url[256], path[MAX_PATH], served[MAX_PATH], user[64], password[64];
    struct pymanager_error err;
    IBackgroundCopyJob *job;
    HRESULT hr;

    swprintf(url, ARRAY_SIZE(url), L"http://127.0.0.1:%hs/auth/basic/1m.bin?run=%u", servers.fault_port, replay_unique());
    local_path(path, L"replay_pymanager-auth.bin");
    if (!(job = pymanager_begin(L"Python install manager", url, path, NULL, NULL))) return;
    hr = pymanager_wait(job, &err, 60000);
    ok(hr == BG_E_HTTP_ERROR_401, "without credentials the download ended with %#lx\n", hr);
    ok(err.context == BG_ERROR_CONTEXT_REMOTE_FILE, "context %d\n", err.context);
    ok(GetFileAttributesW(path) == INVALID_FILE_ATTRIBUTES, "a file is there before Complete\n");

    MultiByteToWideChar(CP_ACP, 0, test_user, -1, user, ARRAY_SIZE(user));
    MultiByteToWideChar(CP_ACP, 0, test_password, -1, password, ARRAY_SIZE(password));
    hr = pymanager_set_credentials(job, user, password);
    ok(hr == S_OK, "SetCredentials got %#lx\n", hr);
    hr = IBackgroundCopyJob_Resume(job);
    ok(hr == S_OK, "Resume got %#lx\n", hr);
    hr = pymanager_wait(job, &err, 60000);
    ok(hr == S_OK, "with credentials the download ended with %#lx (%s)\n", hr, wine_dbgstr_w(err.text));
    served_path(L"1m.bin", served);
    ok(files_equal(path, served), "the download differs from the served file\n");
    IBackgroundCopyJob_Release(job);
    DeleteFileW(path);

    /* credentials given from the start: one go */
    swprintf(url, ARRAY_SIZE(url), L"http://127.0.0.1:%hs/auth/basic/4k.bin?run=%u", servers.fault_port, replay_unique());
    if (!(job = pymanager_begin(L"Python install manager", url, path, user, password))) return;
    hr = pymanager_wait(job, &err, 60000);
    ok(hr == S_OK, "the download ended with %#lx (%s)\n", hr, wine_dbgstr_w(err.text));
    served_path(L"4k.bin", served);
    ok(files_equal(path, served), "the download differs from the served file\n");
    IBackgroundCopyJob_Release(job);
    DeleteFileW(path);
}

/* Errors the helper raises, and the Cancel that follows them. */
static void test_errors(void)
{
    WCHAR url[256], path[MAX_PATH];
    struct pymanager_error err;
    IBackgroundCopyJob *job, *found;
    HRESULT hr;
    GUID id;

    local_path(path, L"replay_pymanager-error.bin");

    swprintf(url, ARRAY_SIZE(url), L"http://127.0.0.1:%hs/missing-%u.zip", servers.http_port, replay_unique());
    if ((job = pymanager_begin(L"Python install manager", url, path, NULL, NULL)))
    {
        IBackgroundCopyJob_GetId(job, &id);
        hr = pymanager_wait(job, &err, 60000);
        ok(hr == BG_E_HTTP_ERROR_404, "a 404 ended with %#lx\n", hr);
        ok(err.context == BG_ERROR_CONTEXT_REMOTE_FILE, "context %d\n", err.context);
        hr = IBackgroundCopyJob_Cancel(job);
        ok(hr == S_OK, "Cancel got %#lx\n", hr);
        hr = IBackgroundCopyManager_GetJob(manager, &id, &found);
        ok(hr == BG_E_NOT_FOUND, "GetJob of a cancelled job got %#lx\n", hr);
        if (hr == S_OK) IBackgroundCopyJob_Release(found);
        ok(GetFileAttributesW(path) == INVALID_FILE_ATTRIBUTES, "a cancelled download left its file\n");
        IBackgroundCopyJob_Release(job);
    }

    /* the server is gone: a transient error with a text of its own */
    swprintf(url, ARRAY_SIZE(url), L"http://127.0.0.1:%u/python-%u.zip", dead_port(), replay_unique());
    if ((job = pymanager_begin(L"Python install manager", url, path, NULL, NULL)))
    {
        BG_JOB_STATE state;

        hr = pymanager_wait(job, &err, 60000);
        ok(FAILED(hr) && hr != E_ABORT, "a refused connection ended with %#lx\n", hr);
        ok(HIWORD(hr) != 0x8019, "a refused connection reported as HTTP status %#lx\n", hr);
        ok(IBackgroundCopyJob_GetState(job, &state) == S_OK && state == BG_JOB_STATE_TRANSIENT_ERROR,
           "state %d\n", state);
        hr = IBackgroundCopyJob_Cancel(job);
        ok(hr == S_OK, "Cancel got %#lx\n", hr);
        IBackgroundCopyJob_Release(job);
    }

    /* a call on a cancelled job fails, and its code has a text too */
    swprintf(url, ARRAY_SIZE(url), L"http://127.0.0.1:%hs/4k.bin?run=%u", servers.http_port, replay_unique());
    if ((job = pymanager_begin(L"Python install manager", url, path, NULL, NULL)))
    {
        hr = IBackgroundCopyJob_Cancel(job);
        ok(hr == S_OK, "Cancel got %#lx\n", hr);
        hr = IBackgroundCopyJob_Cancel(job);
        ok(hr == BG_E_INVALID_STATE, "a second Cancel got %#lx\n", hr);
        check_manager_text(hr);
        IBackgroundCopyJob_Release(job);
    }
    DeleteFileW(path);
}

START_TEST(replay_pymanager)
{
    HRESULT hr;

    if (!servers_init())
    {
        skip("the test servers are not running (tests/run.sh starts them)\n");
        return;
    }
    get_env("BITS_TEST_USER", test_user, sizeof(test_user));
    get_env("BITS_TEST_PASSWORD", test_password, sizeof(test_password));
    CoInitializeEx(NULL, COINIT_APARTMENTTHREADED);
    GetTempPathW(ARRAY_SIZE(temp_dir), temp_dir);
    hr = CoCreateInstance(&CLSID_BackgroundCopyManager, NULL, CLSCTX_LOCAL_SERVER, &IID_IBackgroundCopyManager,
                          (void **)&manager);
    ok(hr == S_OK, "CoCreateInstance got %#lx\n", hr);
    if (hr == S_OK)
    {
        test_download();
        test_retry_with_auth();
        test_errors();
        IBackgroundCopyManager_Release(manager);
    }
    CoUninitialize();
}

/*
 * Replay of the WiX toolset's Burn bootstrapper downloading a package through BITS (its BITS
 * engine, public file src/burn/engine/bitsengine.cpp), written from a reading of the order of
 * its calls and of what it checks; no code of it is used.
 *
 * Order of calls, on an MTA thread (its wait does not dispatch messages):
 *   CoCreateInstance(CLSCTX_ALL); CreateJob("WixBurn", DOWNLOAD);
 *   SetNotifyFlags(JOB_TRANSFERRED | JOB_ERROR | JOB_MODIFICATION); SetNoProgressTimeout(120);
 *   SetPriority(FOREGROUND); QueryInterface(Job2) and SetCredentials(PROXY, NTLM) then
 *   SetCredentials(PROXY, NEGOTIATE), both with the package's user and password (NULL when
 *   none: the implicit credentials); AddFile(url, destination); SetNotifyInterface(callback,
 *   which answers IBackgroundCopyCallback only);
 *   retry loop: Resume, wait for the callback's event; on an error the job's GetError and
 *   GetErrorDescription(LANGIDFROMLCID(GetThreadLocale())), and the user may retry (Resume
 *   again);
 *   Complete; finally SetNotifyInterface(NULL), and Cancel when it failed.
 * The callback: JobTransferred -> GetProgress, set the event; JobError -> GetError of the error
 * object, set the event; JobModification -> GetState and, when TRANSFERRING, GetProgress.
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

struct burn_state
{
    HANDLE complete;
    HRESULT error;
    BG_ERROR_CONTEXT context;
    UINT64 bytes_done, bytes_total;
    LONG bad_progress;
};

static HRESULT burn_transferred(struct replay_callback *cb, IBackgroundCopyJob *job)
{
    struct burn_state *st = cb->context;
    BG_JOB_PROGRESS progress;
    HRESULT hr = IBackgroundCopyJob_GetProgress(job, &progress);

    if (SUCCEEDED(hr))
    {
        st->bytes_done = progress.BytesTransferred;
        st->bytes_total = progress.BytesTotal;
    }
    else st->error = hr;
    SetEvent(st->complete);
    return S_OK;
}

static HRESULT burn_error(struct replay_callback *cb, IBackgroundCopyJob *job, IBackgroundCopyError *error)
{
    struct burn_state *st = cb->context;
    HRESULT code = S_OK, hr;

    hr = IBackgroundCopyError_GetError(error, &st->context, &code);
    st->error = FAILED(hr) ? hr : FAILED(code) ? code : E_UNEXPECTED;
    SetEvent(st->complete);
    return S_OK;
}

static HRESULT burn_modification(struct replay_callback *cb, IBackgroundCopyJob *job)
{
    struct burn_state *st = cb->context;
    BG_JOB_PROGRESS progress;
    BG_JOB_STATE state;

    if (FAILED(IBackgroundCopyJob_GetState(job, &state))) InterlockedIncrement(&st->bad_progress);
    else if (state == BG_JOB_STATE_TRANSFERRING)
    {
        if (FAILED(IBackgroundCopyJob_GetProgress(job, &progress))
            || (progress.BytesTotal != BG_SIZE_UNKNOWN && progress.BytesTransferred > progress.BytesTotal))
            InterlockedIncrement(&st->bad_progress);
    }
    return S_OK;
}

/* One package download; retries: how often the user answers "retry" to an error. */
static HRESULT burn_download(const WCHAR *url, const WCHAR *destination, int retries, struct burn_state *st,
                             struct replay_callback *cb, WCHAR *description, DWORD description_size)
{
    IBackgroundCopyManager *mgr;
    IBackgroundCopyJob *job = NULL;
    IBackgroundCopyJob2 *job2;
    BG_AUTH_CREDENTIALS creds;
    HRESULT hr;
    GUID id;

    description[0] = 0;
    hr = CoCreateInstance(&CLSID_BackgroundCopyManager, NULL, CLSCTX_ALL, &IID_IBackgroundCopyManager, (void **)&mgr);
    ok(hr == S_OK, "CoCreateInstance got %#lx\n", hr);
    if (FAILED(hr)) return hr;
    hr = IBackgroundCopyManager_CreateJob(mgr, L"WixBurn", BG_JOB_TYPE_DOWNLOAD, &id, &job);
    ok(hr == S_OK, "CreateJob got %#lx\n", hr);
    IBackgroundCopyManager_Release(mgr);
    if (FAILED(hr)) return hr;
    hr = IBackgroundCopyJob_SetNotifyFlags(job, BG_NOTIFY_JOB_TRANSFERRED | BG_NOTIFY_JOB_ERROR | BG_NOTIFY_JOB_MODIFICATION);
    ok(hr == S_OK, "SetNotifyFlags got %#lx\n", hr);
    hr = IBackgroundCopyJob_SetNoProgressTimeout(job, 120);
    ok(hr == S_OK, "SetNoProgressTimeout got %#lx\n", hr);
    hr = IBackgroundCopyJob_SetPriority(job, BG_JOB_PRIORITY_FOREGROUND);
    ok(hr == S_OK, "SetPriority got %#lx\n", hr);
    if (SUCCEEDED(IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJob2, (void **)&job2)))
    {
        memset(&creds, 0, sizeof(creds));
        creds.Target = BG_AUTH_TARGET_PROXY;
        creds.Scheme = BG_AUTH_SCHEME_NTLM;
        hr = IBackgroundCopyJob2_SetCredentials(job2, &creds);
        ok(hr == S_OK, "SetCredentials(NTLM, implicit) got %#lx\n", hr);
        creds.Scheme = BG_AUTH_SCHEME_NEGOTIATE;
        hr = IBackgroundCopyJob2_SetCredentials(job2, &creds);
        ok(hr == S_OK, "SetCredentials(NEGOTIATE, implicit) got %#lx\n", hr);
        IBackgroundCopyJob2_Release(job2);
    }
    DeleteFileW(destination);
    hr = IBackgroundCopyJob_AddFile(job, url, destination);
    ok(hr == S_OK, "AddFile got %#lx\n", hr);
    hr = IBackgroundCopyJob_SetNotifyInterface(job, replay_callback_unknown(cb));
    ok(hr == S_OK, "SetNotifyInterface got %#lx\n", hr);

    for (;;)
    {
        IBackgroundCopyError *error;
        WCHAR *text;

        st->error = S_OK;
        ResetEvent(st->complete);
        hr = IBackgroundCopyJob_Resume(job);
        ok(hr == S_OK, "Resume got %#lx\n", hr);
        ok(WaitForSingleObject(st->complete, 60000) == WAIT_OBJECT_0, "no JobTransferred or JobError came\n");
        hr = st->error;
        if (SUCCEEDED(hr)) break;
        /* the error goes to the bootstrapper application with its text */
        if (SUCCEEDED(IBackgroundCopyJob_GetError(job, &error)))
        {
            ok(IBackgroundCopyError_GetErrorDescription(error, LANGIDFROMLCID(GetThreadLocale()), &text) == S_OK,
               "GetErrorDescription failed\n");
            if (text)
            {
                lstrcpynW(description, text, description_size);
                CoTaskMemFree(text);
            }
            IBackgroundCopyError_Release(error);
        }
        else ok(0, "GetError failed after JobError\n");
        if (retries-- <= 0) break;
    }
    if (SUCCEEDED(hr))
    {
        hr = IBackgroundCopyJob_Complete(job);
        ok(hr == S_OK, "Complete got %#lx\n", hr);
    }
    /* Burn ignores the result (the job may already be acknowledged) */
    IBackgroundCopyJob_SetNotifyInterface(job, NULL);
    if (FAILED(hr)) ok(IBackgroundCopyJob_Cancel(job) == S_OK, "Cancel failed\n");
    IBackgroundCopyJob_Release(job);
    return hr;
}

static void test_download(void)
{
    WCHAR url[256], local[MAX_PATH], served[MAX_PATH], text[256];
    struct replay_callback cb;
    struct burn_state st = { CreateEventW(NULL, TRUE, FALSE, NULL) };
    HRESULT hr;

    replay_callback_init(&cb, &st);
    cb.transferred = burn_transferred;
    cb.error = burn_error;
    cb.modification = burn_modification;
    swprintf(url, ARRAY_SIZE(url), L"http://127.0.0.1:%hs/16m.bin?run=%u", servers.http_port, replay_unique());
    local_path(local, L"replay_burn-package.bin");
    hr = burn_download(url, local, 0, &st, &cb, text, ARRAY_SIZE(text));
    ok(hr == S_OK, "the download ended with %#lx\n", hr);
    ok(cb.transferred_calls == 1, "%ld JobTransferred calls\n", cb.transferred_calls);
    ok(!cb.error_calls, "%ld JobError calls\n", cb.error_calls);
    ok(st.bytes_done == 16777216 && st.bytes_total == 16777216, "progress in JobTransferred %s of %s\n",
       wine_dbgstr_longlong(st.bytes_done), wine_dbgstr_longlong(st.bytes_total));
    ok(!st.bad_progress, "%ld bad reads in JobModification\n", st.bad_progress);
    served_path(L"16m.bin", served);
    ok(files_equal(local, served), "the package differs from the served file\n");
    DeleteFileW(local);
    CloseHandle(st.complete);
}

/* A 404 at the first try: JobError with BG_E_HTTP_ERROR_404 in the remote file context and a
 * text; the user retries, the server has the file by then, and the same job completes. */
static void test_retry_after_error(void)
{
    WCHAR url[256], local[MAX_PATH], served[MAX_PATH], text[256];
    struct replay_callback cb;
    struct burn_state st = { CreateEventW(NULL, TRUE, FALSE, NULL) };
    HRESULT hr;

    replay_callback_init(&cb, &st);
    cb.transferred = burn_transferred;
    cb.error = burn_error;
    cb.modification = burn_modification;
    swprintf(url, ARRAY_SIZE(url), L"http://127.0.0.1:%hs/flaky/1/1m.bin?status=404&id=burn%u", servers.fault_port,
             replay_unique());
    local_path(local, L"replay_burn-retry.bin");
    hr = burn_download(url, local, 1, &st, &cb, text, ARRAY_SIZE(text));
    ok(hr == S_OK, "the download ended with %#lx\n", hr);
    ok(cb.error_calls == 1, "%ld JobError calls\n", cb.error_calls);
    ok(cb.transferred_calls == 1, "%ld JobTransferred calls\n", cb.transferred_calls);
    ok(text[0], "no error text for the 404\n");
    served_path(L"1m.bin", served);
    ok(files_equal(local, served), "the package differs from the served file\n");
    DeleteFileW(local);

    /* no retry: the job is cancelled and nothing is left */
    ResetEvent(st.complete);
    swprintf(url, ARRAY_SIZE(url), L"http://127.0.0.1:%hs/missing-%u.msi", servers.http_port, replay_unique());
    hr = burn_download(url, local, 0, &st, &cb, text, ARRAY_SIZE(text));
    ok(hr == BG_E_HTTP_ERROR_404, "a 404 ended with %#lx\n", hr);
    ok(st.context == BG_ERROR_CONTEXT_REMOTE_FILE, "context %d\n", st.context);
    ok(GetFileAttributesW(local) == INVALID_FILE_ATTRIBUTES, "a failed download left a file\n");
    CloseHandle(st.complete);
}

START_TEST(replay_burn)
{
    HRESULT hr;

    if (!servers_init())
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
        test_download();
        test_retry_after_error();
        IBackgroundCopyManager_Release(manager);
    }
    CoUninitialize();
}

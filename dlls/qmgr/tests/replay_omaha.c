/*
 * Replay of Google Omaha (the updater of Chrome and other Google programs) downloading through
 * BITS (public files omaha/net/bits_request.cc and omaha/net/bits_utils.cc), written from a
 * reading of the order of its calls and of what it checks; no code of it is used.
 *
 * Order of calls:
 *   CoCreateInstance of the manager; find a job whose display name is the local file name
 *     (EnumJobs(0), GetCount, Next, GetDisplayName), else CreateJob(that name) and then
 *     AddFile(url, file) and SetDescription; GetId;
 *   SetPriority(FOREGROUND), SetNoProgressTimeout(0) (a foreground job goes to ERROR at the
 *     first transient error), QueryInterface(HttpOptions) and SetCustomHeaders, GetSecurityFlags
 *     and SetSecurityFlags(| BG_HTTP_REDIRECT_POLICY_ALLOW_REPORT), SetProxySettings(NO_PROXY),
 *     SetNotifyInterface(callback), SetNotifyFlags(TRANSFERRED | ERROR | MODIFICATION), Resume,
 *     GetPriority;
 *   poll (the callback's event or 1 s): GetState; TRANSFERRING -> GetProgress; ERROR -> GetError,
 *     IBackgroundCopyError::GetError; TRANSFERRED -> GetProgress (one file), Complete (S_OK or
 *     BG_S_UNABLE_TO_DELETE_FILES); after each state the first file's remote name (EnumFiles,
 *     GetCount must be 1, Next, GetRemoteName), which follows a reported redirect;
 *   the end: GetProgress of the job (metrics), SetNotifyInterface(NULL), GetState and Cancel
 *     unless CANCELLED or ACKNOWLEDGED.
 * Across process runs the job is found again by its display name and not created twice.
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

static HANDLE changed;

static HRESULT omaha_signal(struct replay_callback *cb, IBackgroundCopyJob *job)
{
    SetEvent(changed);
    return S_OK;
}

static HRESULT omaha_signal_error(struct replay_callback *cb, IBackgroundCopyJob *job, IBackgroundCopyError *error)
{
    SetEvent(changed);
    return S_OK;
}

static IBackgroundCopyJob *omaha_find(const WCHAR *name)
{
    IEnumBackgroundCopyJobs *jobs;
    IBackgroundCopyJob *job, *found = NULL;
    ULONG total = 0, i;
    WCHAR *display;

    if (FAILED(IBackgroundCopyManager_EnumJobs(manager, 0, &jobs))) return NULL;
    IEnumBackgroundCopyJobs_GetCount(jobs, &total);
    for (i = 0; i < total && !found; i++)
    {
        if (IEnumBackgroundCopyJobs_Next(jobs, 1, &job, NULL) != S_OK) break;
        if (SUCCEEDED(IBackgroundCopyJob_GetDisplayName(job, &display)))
        {
            if (!lstrcmpW(display, name)) found = job;
            CoTaskMemFree(display);
        }
        if (found != job) IBackgroundCopyJob_Release(job);
    }
    IEnumBackgroundCopyJobs_Release(jobs);
    return found;
}

static IBackgroundCopyJob *omaha_create_or_open(const WCHAR *url, const WCHAR *file, BOOL *created)
{
    IBackgroundCopyJob *job;
    HRESULT hr;
    GUID id;

    if ((job = omaha_find(file)))
    {
        *created = FALSE;
        return job;
    }
    *created = TRUE;
    hr = IBackgroundCopyManager_CreateJob(manager, file, BG_JOB_TYPE_DOWNLOAD, &id, &job);
    ok(hr == S_OK, "CreateJob got %#lx\n", hr);
    if (FAILED(hr)) return NULL;
    hr = IBackgroundCopyJob_AddFile(job, url, file);
    ok(hr == S_OK, "AddFile got %#lx\n", hr);
    hr = IBackgroundCopyJob_SetDescription(job, L"Google Update");
    ok(hr == S_OK, "SetDescription got %#lx\n", hr);
    return job;
}

static HRESULT omaha_first_remote_name(IBackgroundCopyJob *job, WCHAR *out)
{
    IEnumBackgroundCopyFiles *files;
    IBackgroundCopyFile *file;
    ULONG count = 0;
    WCHAR *name;
    HRESULT hr;

    if (FAILED(hr = IBackgroundCopyJob_EnumFiles(job, &files))) return hr;
    IEnumBackgroundCopyFiles_GetCount(files, &count);
    if (count != 1) hr = E_UNEXPECTED;
    else if ((hr = IEnumBackgroundCopyFiles_Next(files, 1, &file, NULL)) == S_OK)
    {
        if (SUCCEEDED(hr = IBackgroundCopyFile_GetRemoteName(file, &name)))
        {
            lstrcpynW(out, name, 512);
            CoTaskMemFree(name);
        }
        IBackgroundCopyFile_Release(file);
    }
    IEnumBackgroundCopyFiles_Release(files);
    return hr;
}

/* DoSend and the end of Send. final_url: the remote name seen last before Complete. */
static HRESULT omaha_send(IBackgroundCopyJob *job, const WCHAR *headers, WCHAR *final_url, BG_JOB_PROGRESS *at_end)
{
    IBackgroundCopyJobHttpOptions *options;
    struct replay_callback cb;
    BG_JOB_PRIORITY priority;
    BG_JOB_PROGRESS progress;
    BG_JOB_STATE state;
    DWORD start = GetTickCount();
    ULONG flags = 0;
    HRESULT hr, result = E_ABORT;

    replay_callback_init(&cb, NULL);
    cb.transferred = omaha_signal;
    cb.modification = omaha_signal;
    cb.error = omaha_signal_error;
    hr = IBackgroundCopyJob_SetPriority(job, BG_JOB_PRIORITY_FOREGROUND);
    ok(hr == S_OK, "SetPriority got %#lx\n", hr);
    hr = IBackgroundCopyJob_SetNoProgressTimeout(job, 0);
    ok(hr == S_OK, "SetNoProgressTimeout got %#lx\n", hr);
    hr = IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJobHttpOptions, (void **)&options);
    ok(hr == S_OK, "QueryInterface(HttpOptions) got %#lx\n", hr);
    if (hr == S_OK)
    {
        hr = IBackgroundCopyJobHttpOptions_SetCustomHeaders(options, headers);
        ok(hr == S_OK, "SetCustomHeaders got %#lx\n", hr);
        hr = IBackgroundCopyJobHttpOptions_GetSecurityFlags(options, &flags);
        ok(hr == S_OK, "GetSecurityFlags got %#lx\n", hr);
        hr = IBackgroundCopyJobHttpOptions_SetSecurityFlags(options, flags | BG_HTTP_REDIRECT_POLICY_ALLOW_REPORT);
        ok(hr == S_OK, "SetSecurityFlags got %#lx\n", hr);
        IBackgroundCopyJobHttpOptions_Release(options);
    }
    hr = IBackgroundCopyJob_SetProxySettings(job, BG_JOB_PROXY_USAGE_NO_PROXY, NULL, NULL);
    ok(hr == S_OK, "SetProxySettings got %#lx\n", hr);
    hr = IBackgroundCopyJob_SetNotifyInterface(job, replay_callback_unknown(&cb));
    ok(hr == S_OK, "SetNotifyInterface got %#lx\n", hr);
    hr = IBackgroundCopyJob_SetNotifyFlags(job, BG_NOTIFY_JOB_TRANSFERRED | BG_NOTIFY_JOB_ERROR | BG_NOTIFY_JOB_MODIFICATION);
    ok(hr == S_OK, "SetNotifyFlags got %#lx\n", hr);
    hr = IBackgroundCopyJob_Resume(job);
    ok(hr == S_OK, "Resume got %#lx\n", hr);
    hr = IBackgroundCopyJob_GetPriority(job, &priority);
    ok(hr == S_OK && priority == BG_JOB_PRIORITY_FOREGROUND, "GetPriority got %#lx, %d\n", hr, priority);

    while (GetTickCount() - start < 60000)
    {
        IBackgroundCopyError *error;
        BG_ERROR_CONTEXT context;
        WCHAR url[512];

        hr = IBackgroundCopyJob_GetState(job, &state);
        ok(hr == S_OK, "GetState got %#lx\n", hr);
        if (state == BG_JOB_STATE_TRANSFERRING) IBackgroundCopyJob_GetProgress(job, &progress);
        else if (state == BG_JOB_STATE_ERROR)
        {
            result = E_FAIL;
            if (SUCCEEDED(IBackgroundCopyJob_GetError(job, &error)))
            {
                IBackgroundCopyError_GetError(error, &context, &result);
                IBackgroundCopyError_Release(error);
            }
            break;
        }
        else if (state == BG_JOB_STATE_TRANSFERRED)
        {
            hr = IBackgroundCopyJob_GetProgress(job, &progress);
            ok(hr == S_OK && progress.FilesTotal == 1, "one file expected: %#lx, %lu\n", hr, progress.FilesTotal);
            result = IBackgroundCopyJob_Complete(job);
            ok(result == S_OK, "Complete got %#lx\n", result);
            break;
        }
        else if (state == BG_JOB_STATE_CANCELLED || state == BG_JOB_STATE_ACKNOWLEDGED)
        {
            ok(0, "state %d while polling\n", state);
            break;
        }
        if (SUCCEEDED(omaha_first_remote_name(job, url))) lstrcpyW(final_url, url);
        WaitForSingleObject(changed, 1000);
    }
    memset(at_end, 0, sizeof(*at_end));
    IBackgroundCopyJob_GetProgress(job, at_end);
    IBackgroundCopyJob_SetNotifyInterface(job, NULL);
    if (SUCCEEDED(IBackgroundCopyJob_GetState(job, &state)) && state != BG_JOB_STATE_CANCELLED
        && state != BG_JOB_STATE_ACKNOWLEDGED)
        ok(IBackgroundCopyJob_Cancel(job) == S_OK, "Cancel failed\n");
    return result;
}

static void child_first_run(const char *url_a, const char *file_a)
{
    WCHAR url[512], file[MAX_PATH];
    IBackgroundCopyJob *job;
    BOOL created;

    MultiByteToWideChar(CP_ACP, 0, url_a, -1, url, ARRAY_SIZE(url));
    MultiByteToWideChar(CP_ACP, 0, file_a, -1, file, ARRAY_SIZE(file));
    /* the updater ended between creating the job and sending it */
    if ((job = omaha_create_or_open(url, file, &created)))
    {
        ok(created, "the first run found a job\n");
        IBackgroundCopyJob_Release(job);
    }
}

static void test_download(void)
{
    WCHAR url[512], file[MAX_PATH], served[MAX_PATH], final_url[512] = L"", expect[512];
    BG_JOB_PROGRESS at_end;
    PROCESS_INFORMATION pi;
    IBackgroundCopyJob *job;
    unsigned int run = replay_unique();
    char args[1200], marker[64];
    BOOL created;
    HRESULT hr;

    swprintf(url, ARRAY_SIZE(url), L"http://127.0.0.1:%hs/redirect/1/1m.bin?omaha=%u", servers.fault_port, run);
    swprintf(expect, ARRAY_SIZE(expect), L"http://127.0.0.1:%hs/files/1m.bin?omaha=%u", servers.fault_port, run);
    swprintf(file, MAX_PATH, L"%lsreplay_omaha-%u.bin", temp_dir, run);
    snprintf(args, sizeof(args), "first_run %ls %ls", url, file);
    ok(winetest_start_child(args, &pi), "cannot start the first run: %lu\n", GetLastError());
    winetest_wait_child_process(pi.hProcess);
    CloseHandle(pi.hProcess);
    CloseHandle(pi.hThread);

    job = omaha_create_or_open(url, file, &created);
    ok(job != NULL && !created, "the second run did not find the job of the first\n");
    if (!job) return;
    hr = omaha_send(job, L"X-Omaha-Replay: yes\r\n", final_url, &at_end);
    ok(hr == S_OK, "the download ended with %#lx\n", hr);
    ok(!lstrcmpW(final_url, expect), "the remote name before Complete was %s\n", wine_dbgstr_w(final_url));
    served_path(L"1m.bin", served);
    ok(files_equal(file, served), "the download differs from the served file\n");
    snprintf(marker, sizeof(marker), "omaha=%u", run);
    ok(request_log_count(marker, "X-Omaha-Replay") >= 1, "the custom header was not sent\n");
    /* the metrics: the job's bytes after Complete */
    ok(at_end.BytesTransferred == 1048576 && at_end.FilesTotal == 1, "after Complete %s bytes, %lu files\n",
       wine_dbgstr_longlong(at_end.BytesTransferred), at_end.FilesTotal);
    ok(!omaha_find(file), "the job is still in the queue\n");
    IBackgroundCopyJob_Release(job);
    DeleteFileW(file);
}

/* A 404 is an ERROR at once; the job is cancelled at the end. A server that is gone, with
 * a no-progress timeout of 0, is an ERROR at the first transient error. */
static void test_errors(void)
{
    WCHAR url[512], file[MAX_PATH], final_url[512];
    BG_JOB_PROGRESS at_end;
    IBackgroundCopyJob *job;
    BOOL created;
    HRESULT hr;

    swprintf(url, ARRAY_SIZE(url), L"http://127.0.0.1:%hs/missing-%u.exe", servers.http_port, replay_unique());
    swprintf(file, MAX_PATH, L"%lsreplay_omaha-%u.bin", temp_dir, replay_unique());
    if ((job = omaha_create_or_open(url, file, &created)))
    {
        hr = omaha_send(job, L"X-Omaha-Replay: yes\r\n", final_url, &at_end);
        ok(hr == BG_E_HTTP_ERROR_404, "a 404 ended with %#lx\n", hr);
        ok(!omaha_find(file), "the failed job is still in the queue\n");
        IBackgroundCopyJob_Release(job);
    }
    swprintf(url, ARRAY_SIZE(url), L"http://127.0.0.1:%u/gone-%u.exe", dead_port(), replay_unique());
    swprintf(file, MAX_PATH, L"%lsreplay_omaha-%u.bin", temp_dir, replay_unique());
    if ((job = omaha_create_or_open(url, file, &created)))
    {
        hr = omaha_send(job, L"X-Omaha-Replay: yes\r\n", final_url, &at_end);
        ok(FAILED(hr) && hr != E_ABORT && HIWORD(hr) != 0x8019, "a refused connection ended with %#lx\n", hr);
        ok(!omaha_find(file), "the failed job is still in the queue\n");
        IBackgroundCopyJob_Release(job);
    }
}

START_TEST(replay_omaha)
{
    char **argv;
    int argc = winetest_get_mainargs(&argv);
    HRESULT hr;

    if (!servers_init())
    {
        skip("the test servers are not running (tests/run.sh starts them)\n");
        return;
    }
    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    GetTempPathW(ARRAY_SIZE(temp_dir), temp_dir);
    changed = CreateEventW(NULL, FALSE, FALSE, NULL);
    hr = CoCreateInstance(&CLSID_BackgroundCopyManager, NULL, CLSCTX_LOCAL_SERVER, &IID_IBackgroundCopyManager,
                          (void **)&manager);
    ok(hr == S_OK, "CoCreateInstance got %#lx\n", hr);
    if (hr == S_OK)
    {
        if (argc > 4 && !strcmp(argv[2], "first_run")) child_first_run(argv[3], argv[4]);
        else
        {
            test_download();
            test_errors();
        }
        IBackgroundCopyManager_Release(manager);
    }
    CloseHandle(changed);
    CoUninitialize();
}

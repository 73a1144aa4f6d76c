/*
 * Replay of Chromium's component updater downloading through BITS (its BackgroundDownloader,
 * public file components/update_client/background_downloader_win.cc), written from a reading
 * of the order of its calls and of what it checks; no code of it is used.
 *
 * Order of calls, per download, from an MTA thread:
 *   CoCreateInstance(CLSCTX_ALL) of the manager;
 *   stale-job sweep: EnumJobs(0), GetCount, Next(1) per job, GetTimes (created more than
 *     3 days ago?), GetDisplayName == "Chrome Component Updater"; each stale job: EnumFiles,
 *     GetCount, Next, GetLocalName, Cancel, delete the file;
 *   job count: the same enumeration with every job, at most 10 of its name;
 *   reuse: the same enumeration, EnumFiles/GetCount/Next/GetRemoteName == url and the display
 *     name; else CreateJob(name, DOWNLOAD), AddFile(url, <temp>\chrome_BITS_*\<file name>),
 *     SetDescription(file name), SetPriority(NORMAL), SetMinimumRetryDelay(60),
 *     SetNoProgressTimeout(86400);
 *   Resume;
 *   poll GetState (every 4 s there; faster here): TRANSFERRING -> GetProgress;
 *     TRANSIENT_ERROR -> GetError, IBackgroundCopyError::GetError, a 5xx ends the download;
 *     ERROR -> the same, then the download fails;
 *     TRANSFERRED -> Complete (S_OK or BG_S_UNABLE_TO_DELETE_FILES), EnumFiles, GetCount,
 *       Next: no file is E_UNEXPECTED; GetLocalName and GetProgress of the first file, which
 *       must be Completed with BytesTotal == BytesTransferred;
 *   at the end GetProgress of the job (its metrics); on failure the cleanup above (files'
 *   local names first, then Cancel).
 *
 * Complete then EnumFiles: Chromium takes the file from the job it just completed, so a final
 * job must still list its files and their progress.
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

static const WCHAR chromium_name[] = L"Chrome Component Updater";

/* What one download of the updater ends with. */
struct chromium_result
{
    HRESULT error;                 /* S_OK, or what the downloader reports */
    BOOL handled;                  /* done or a 5xx: the updater does not try this URL again */
    WCHAR response[MAX_PATH];      /* the downloaded file, on success */
    BOOL reused;                   /* an existing job was taken */
    GUID job_id;
    INT64 downloaded, total;       /* the job's bytes at the end (-1: unknown) */
    BG_FILE_PROGRESS file_progress;
    BOOL file_found;               /* EnumFiles after Complete listed the file */
    HRESULT cancel_hr;             /* the cleanup's Cancel after a failure */
};

static BOOL files_of_job(IBackgroundCopyJob *job, IBackgroundCopyFile **files, ULONG max, ULONG *count)
{
    IEnumBackgroundCopyFiles *enum_files;
    ULONG total = 0, i;

    *count = 0;
    if (FAILED(IBackgroundCopyJob_EnumFiles(job, &enum_files))) return FALSE;
    if (FAILED(IEnumBackgroundCopyFiles_GetCount(enum_files, &total)))
    {
        IEnumBackgroundCopyFiles_Release(enum_files);
        return FALSE;
    }
    for (i = 0; i < total; i++)
    {
        IBackgroundCopyFile *file;
        if (IEnumBackgroundCopyFiles_Next(enum_files, 1, &file, NULL) != S_OK || !file) continue;
        if (*count < max) files[(*count)++] = file;
        else IBackgroundCopyFile_Release(file);
    }
    IEnumBackgroundCopyFiles_Release(enum_files);
    return TRUE;
}

static void release_files(IBackgroundCopyFile **files, ULONG count)
{
    while (count--) IBackgroundCopyFile_Release(files[count]);
}

static BOOL name_is_chromium(IBackgroundCopyJob *job)
{
    WCHAR *name;
    BOOL same;

    if (FAILED(IBackgroundCopyJob_GetDisplayName(job, &name))) return FALSE;
    same = !lstrcmpW(name, chromium_name);
    CoTaskMemFree(name);
    return same;
}

/* Local names first, then Cancel (whose result the updater ignores), then the files and their
 * directory go. */
static HRESULT chromium_cleanup_job(IBackgroundCopyJob *job)
{
    IBackgroundCopyFile *files[4];
    WCHAR paths[4][MAX_PATH], *name;
    ULONG count, i, kept = 0;
    HRESULT hr;

    files_of_job(job, files, ARRAY_SIZE(files), &count);
    for (i = 0; i < count; i++)
        if (SUCCEEDED(IBackgroundCopyFile_GetLocalName(files[i], &name)))
        {
            lstrcpynW(paths[kept++], name, MAX_PATH);
            CoTaskMemFree(name);
        }
    release_files(files, count);
    hr = IBackgroundCopyJob_Cancel(job);
    for (i = 0; i < kept; i++)
    {
        WCHAR *slash;
        DeleteFileW(paths[i]);
        if ((slash = wcsrchr(paths[i], '\\'))) *slash = 0;
        RemoveDirectoryW(paths[i]);
    }
    return hr;
}

/* The sweep of jobs of our name created more than 3 days ago. Returns how many of our name
 * there are. Jobs of this run are seconds old: none of them may be taken for stale. */
static ULONG chromium_sweep(IBackgroundCopyManager *mgr, const GUID *must_not_be_stale)
{
    IEnumBackgroundCopyJobs *jobs;
    IBackgroundCopyJob *job;
    ULONG total = 0, i, ours = 0;
    FILETIME now_ft;
    ULARGE_INTEGER now, created;
    BG_JOB_TIMES times;
    HRESULT hr;
    GUID id;

    hr = IBackgroundCopyManager_EnumJobs(mgr, 0, &jobs);
    ok(hr == S_OK, "EnumJobs got %#lx\n", hr);
    if (hr != S_OK) return 0;
    hr = IEnumBackgroundCopyJobs_GetCount(jobs, &total);
    ok(hr == S_OK, "GetCount got %#lx\n", hr);
    GetSystemTimeAsFileTime(&now_ft);
    now.LowPart = now_ft.dwLowDateTime;
    now.HighPart = now_ft.dwHighDateTime;
    for (i = 0; i < total; i++)
    {
        BOOL stale;

        if (IEnumBackgroundCopyJobs_Next(jobs, 1, &job, NULL) != S_OK) break;
        hr = IBackgroundCopyJob_GetTimes(job, &times);
        ok(hr == S_OK, "GetTimes got %#lx\n", hr);
        created.LowPart = times.CreationTime.dwLowDateTime;
        created.HighPart = times.CreationTime.dwHighDateTime;
        stale = hr == S_OK && created.QuadPart + 3 * 86400 * (ULONGLONG)10000000 < now.QuadPart;
        if (name_is_chromium(job))
        {
            ours++;
            if (must_not_be_stale && SUCCEEDED(IBackgroundCopyJob_GetId(job, &id)) && IsEqualGUID(&id, must_not_be_stale))
            {
                ok(!stale, "a job of this run is older than 3 days\n");
                /* its creation time is now, give or take the clocks of two processes */
                ok(created.QuadPart <= now.QuadPart + 50000000 && created.QuadPart + 600 * (ULONGLONG)10000000 > now.QuadPart,
                   "creation time %s, now %s\n", wine_dbgstr_longlong(created.QuadPart), wine_dbgstr_longlong(now.QuadPart));
            }
            if (stale)
            {
                /* left behind by an earlier updater: Chromium cancels it */
                HRESULT hr2 = chromium_cleanup_job(job);
                ok(hr2 == S_OK, "Cancel of a stale job got %#lx\n", hr2);
                ours--;
            }
        }
        IBackgroundCopyJob_Release(job);
    }
    IEnumBackgroundCopyJobs_Release(jobs);
    return ours;
}

/* A job of our name that downloads url, or NULL. */
static IBackgroundCopyJob *chromium_find(IBackgroundCopyManager *mgr, const WCHAR *url)
{
    IEnumBackgroundCopyJobs *jobs;
    IBackgroundCopyJob *job, *found = NULL;
    IBackgroundCopyFile *files[4];
    ULONG total = 0, i, count, j;
    WCHAR *remote;

    if (FAILED(IBackgroundCopyManager_EnumJobs(mgr, 0, &jobs))) return NULL;
    IEnumBackgroundCopyJobs_GetCount(jobs, &total);
    for (i = 0; i < total; i++)
    {
        BOOL match = FALSE;

        if (IEnumBackgroundCopyJobs_Next(jobs, 1, &job, NULL) != S_OK) break;
        if (files_of_job(job, files, ARRAY_SIZE(files), &count))
        {
            for (j = 0; j < count; j++)
                if (SUCCEEDED(IBackgroundCopyFile_GetRemoteName(files[j], &remote)))
                {
                    if (!lstrcmpiW(remote, url)) match = TRUE;
                    CoTaskMemFree(remote);
                }
            release_files(files, count);
        }
        if (match && !found && name_is_chromium(job))
        {
            found = job;
            continue;
        }
        IBackgroundCopyJob_Release(job);
    }
    IEnumBackgroundCopyJobs_Release(jobs);
    return found;
}

/* Create-or-open and Resume, as QueueBitsJob does. */
static IBackgroundCopyJob *chromium_queue(IBackgroundCopyManager *mgr, const WCHAR *url, const WCHAR *file_name,
                                          struct chromium_result *res)
{
    WCHAR dir[MAX_PATH], local[MAX_PATH];
    IBackgroundCopyJob *job;
    ULONG ours;
    HRESULT hr;

    ours = chromium_sweep(mgr, NULL);
    ok(ours < 10, "%lu jobs of the updater queued: it would refuse to queue another\n", ours);

    if ((job = chromium_find(mgr, url)))
    {
        res->reused = TRUE;
    }
    else
    {
        hr = IBackgroundCopyManager_CreateJob(mgr, chromium_name, BG_JOB_TYPE_DOWNLOAD, &res->job_id, &job);
        ok(hr == S_OK, "CreateJob got %#lx\n", hr);
        if (hr != S_OK) return NULL;
        swprintf(dir, MAX_PATH, L"%lschrome_BITS_%u", temp_dir, replay_unique());
        ok(CreateDirectoryW(dir, NULL), "CreateDirectory %s failed: %lu\n", wine_dbgstr_w(dir), GetLastError());
        swprintf(local, MAX_PATH, L"%ls\\%ls", dir, file_name);
        hr = IBackgroundCopyJob_AddFile(job, url, local);
        ok(hr == S_OK, "AddFile got %#lx\n", hr);
        hr = IBackgroundCopyJob_SetDescription(job, file_name);
        ok(hr == S_OK, "SetDescription got %#lx\n", hr);
        hr = IBackgroundCopyJob_SetPriority(job, BG_JOB_PRIORITY_NORMAL);
        ok(hr == S_OK, "SetPriority got %#lx\n", hr);
        hr = IBackgroundCopyJob_SetMinimumRetryDelay(job, 60);
        ok(hr == S_OK, "SetMinimumRetryDelay got %#lx\n", hr);
        hr = IBackgroundCopyJob_SetNoProgressTimeout(job, 86400);
        ok(hr == S_OK, "SetNoProgressTimeout got %#lx\n", hr);
    }
    hr = IBackgroundCopyJob_GetId(job, &res->job_id);
    ok(hr == S_OK, "GetId got %#lx\n", hr);
    hr = IBackgroundCopyJob_Resume(job);
    ok(hr == S_OK, "Resume got %#lx\n", hr);
    return job;
}

static HRESULT job_error_code(IBackgroundCopyJob *job, HRESULT *code)
{
    IBackgroundCopyError *error;
    BG_ERROR_CONTEXT context = BG_ERROR_CONTEXT_NONE;
    HRESULT hr;

    *code = S_OK;
    if (FAILED(hr = IBackgroundCopyJob_GetError(job, &error))) return hr;
    hr = IBackgroundCopyError_GetError(error, &context, code);
    IBackgroundCopyError_Release(error);
    if (SUCCEEDED(hr) && !FAILED(*code)) *code = E_FAIL;
    return hr;
}

static BOOL is_http_5xx(HRESULT code)
{
    return HIWORD(code) == 0x8019 && LOWORD(code) >= 500 && LOWORD(code) <= 505;
}

/* On TRANSFERRED: Complete, then the first file of the job. */
static HRESULT chromium_complete(IBackgroundCopyJob *job, struct chromium_result *res)
{
    IBackgroundCopyFile *files[4];
    ULONG count;
    WCHAR *name;
    HRESULT hr;

    hr = IBackgroundCopyJob_Complete(job);
    ok(hr == S_OK, "Complete got %#lx\n", hr);
    if (FAILED(hr) && hr != BG_S_UNABLE_TO_DELETE_FILES) return hr;
    ok(files_of_job(job, files, ARRAY_SIZE(files), &count), "EnumFiles after Complete failed\n");
    /* The job keeps its file after Complete; the updater fails the update without it. */
    ok(count == 1, "EnumFiles after Complete listed %lu files\n", count);
    if (!count) return E_UNEXPECTED;
    res->file_found = TRUE;
    hr = IBackgroundCopyFile_GetLocalName(files[0], &name);
    ok(hr == S_OK, "GetLocalName got %#lx\n", hr);
    if (SUCCEEDED(hr))
    {
        lstrcpynW(res->response, name, MAX_PATH);
        CoTaskMemFree(name);
        hr = IBackgroundCopyFile_GetProgress(files[0], &res->file_progress);
        ok(hr == S_OK, "GetProgress of the file got %#lx\n", hr);
        ok(res->file_progress.Completed, "the file is not Completed\n");
        ok(res->file_progress.BytesTotal == res->file_progress.BytesTransferred, "file progress %s of %s\n",
           wine_dbgstr_longlong(res->file_progress.BytesTransferred), wine_dbgstr_longlong(res->file_progress.BytesTotal));
    }
    release_files(files, count);
    return hr;
}

/* The polling loop; TRUE once the downloader ended the download. */
static BOOL chromium_poll_once(IBackgroundCopyJob *job, struct chromium_result *res, BOOL *saw_transient)
{
    BG_JOB_PROGRESS progress;
    BG_JOB_STATE state;
    HRESULT hr, code;

    hr = IBackgroundCopyJob_GetState(job, &state);
    ok(hr == S_OK, "GetState got %#lx\n", hr);
    if (FAILED(hr))
    {
        res->error = hr;
        return TRUE;
    }
    switch (state)
    {
    case BG_JOB_STATE_TRANSFERRED:
        res->error = chromium_complete(job, res);
        return TRUE;
    case BG_JOB_STATE_ERROR:
        hr = job_error_code(job, &code);
        ok(hr == S_OK, "GetError in ERROR got %#lx\n", hr);
        res->error = FAILED(hr) ? hr : code;
        return TRUE;
    case BG_JOB_STATE_TRANSIENT_ERROR:
        *saw_transient = TRUE;
        hr = job_error_code(job, &code);
        ok(hr == S_OK, "GetError in TRANSIENT_ERROR got %#lx\n", hr);
        if (SUCCEEDED(hr) && is_http_5xx(code))
        {
            res->error = code;
            return TRUE;
        }
        return FALSE;
    case BG_JOB_STATE_ACKNOWLEDGED:
    case BG_JOB_STATE_CANCELLED:
        res->error = E_UNEXPECTED;
        return TRUE;
    case BG_JOB_STATE_TRANSFERRING:
        hr = IBackgroundCopyJob_GetProgress(job, &progress);
        ok(hr == S_OK, "GetProgress got %#lx\n", hr);
        ok(progress.BytesTransferred <= progress.BytesTotal || progress.BytesTotal == BG_SIZE_UNKNOWN,
           "%s of %s bytes\n", wine_dbgstr_longlong(progress.BytesTransferred), wine_dbgstr_longlong(progress.BytesTotal));
        return FALSE;
    default:
        return FALSE;
    }
}

/* EndDownload: the job's bytes for the metrics, the cleanup on failure. */
static void chromium_end(IBackgroundCopyJob *job, struct chromium_result *res)
{
    BG_JOB_PROGRESS progress;

    res->downloaded = res->total = -1;
    if (SUCCEEDED(IBackgroundCopyJob_GetProgress(job, &progress)))
    {
        if (progress.BytesTransferred <= (UINT64)MAXLONGLONG) res->downloaded = progress.BytesTransferred;
        if (progress.BytesTotal != BG_SIZE_UNKNOWN) res->total = progress.BytesTotal;
    }
    if (FAILED(res->error)) res->cancel_hr = chromium_cleanup_job(job);
    res->handled = SUCCEEDED(res->error) || is_http_5xx(res->error);
}

/* One whole download; stop_after_ms ends the polling early (the updater stops waiting for a
 * job stuck in transient errors after a while; the replay cannot wait 15 minutes). */
static void chromium_download(const WCHAR *url, const WCHAR *file_name, DWORD stop_after_ms,
                              struct chromium_result *res, BOOL *saw_transient)
{
    IBackgroundCopyManager *mgr;
    IBackgroundCopyJob *job;
    DWORD start;
    HRESULT hr;

    memset(res, 0, sizeof(*res));
    *saw_transient = FALSE;
    hr = CoCreateInstance(&CLSID_BackgroundCopyManager, NULL, CLSCTX_ALL, &IID_IBackgroundCopyManager, (void **)&mgr);
    ok(hr == S_OK, "CoCreateInstance got %#lx\n", hr);
    if (hr != S_OK)
    {
        res->error = hr;
        return;
    }
    if (!(job = chromium_queue(mgr, url, file_name, res)))
    {
        res->error = E_FAIL;
        IBackgroundCopyManager_Release(mgr);
        return;
    }
    start = GetTickCount();
    res->error = S_OK;
    while (!chromium_poll_once(job, res, saw_transient))
    {
        if (GetTickCount() - start > stop_after_ms)
        {
            res->error = E_ABORT;
            break;
        }
        Sleep(100);
    }
    chromium_end(job, res);
    IBackgroundCopyJob_Release(job);
    IBackgroundCopyManager_Release(mgr);
}

static void test_download(void)
{
    WCHAR url[256], served[MAX_PATH];
    struct chromium_result res;
    BOOL transient;
    ULONG before, after;

    before = count_jobs_named(manager, chromium_name);
    swprintf(url, ARRAY_SIZE(url), L"http://127.0.0.1:%hs/1m.bin?run=%u", servers.http_port, replay_unique());
    chromium_download(url, L"1m.bin", 60000, &res, &transient);
    ok(!res.reused, "a job was reused for a new URL\n");
    ok(res.error == S_OK, "the download ended with %#lx\n", res.error);
    ok(res.handled || res.error == E_UNEXPECTED, "not handled: %#lx\n", res.error);
    served_path(L"1m.bin", served);
    if (res.file_found)
    {
        ok(res.file_progress.BytesTotal == 1048576, "file total %s\n", wine_dbgstr_longlong(res.file_progress.BytesTotal));
        ok(files_equal(res.response, served), "the response file differs from the served file\n");
    }
    /* the metrics after Complete: the job's own bytes */
    ok(res.downloaded == 1048576 && res.total == 1048576, "job bytes %s of %s after Complete\n",
       wine_dbgstr_longlong(res.downloaded), wine_dbgstr_longlong(res.total));
    after = count_jobs_named(manager, chromium_name);
    ok(after == before, "%lu jobs of the updater before, %lu after a completed download\n", before, after);
    if (res.response[0])
    {
        WCHAR *slash;
        DeleteFileW(res.response);
        if ((slash = wcsrchr(res.response, '\\'))) *slash = 0;
        RemoveDirectoryW(res.response);
    }
}

/* The updater's process ends while its job downloads (the browser was closed); the next
 * run finds the job by its URL and name and takes it over instead of creating another. */
static void child_first_run(const char *url_a)
{
    IBackgroundCopyManager *mgr;
    IBackgroundCopyJob *job;
    struct chromium_result res;
    WCHAR url[256];
    HRESULT hr;

    MultiByteToWideChar(CP_ACP, 0, url_a, -1, url, ARRAY_SIZE(url));
    hr = CoCreateInstance(&CLSID_BackgroundCopyManager, NULL, CLSCTX_ALL, &IID_IBackgroundCopyManager, (void **)&mgr);
    ok(hr == S_OK, "CoCreateInstance got %#lx\n", hr);
    if (hr != S_OK) return;
    memset(&res, 0, sizeof(res));
    if ((job = chromium_queue(mgr, url, L"16m.bin", &res)))
    {
        ok(!res.reused, "the first run reused a job\n");
        IBackgroundCopyJob_Release(job);
    }
    IBackgroundCopyManager_Release(mgr);
}

static void test_reuse_across_runs(void)
{
    PROCESS_INFORMATION pi;
    struct chromium_result res;
    WCHAR url[256], served[MAX_PATH];
    char args[300];
    BOOL transient;
    ULONG before, mid;
    IBackgroundCopyJob *job;

    before = count_jobs_named(manager, chromium_name);
    /* slow enough that the first run ends long before the file is there */
    swprintf(url, ARRAY_SIZE(url), L"http://127.0.0.1:%hs/slow/16m.bin?rate=4000000&run=%u", servers.fault_port,
             replay_unique());
    snprintf(args, sizeof(args), "first_run %ls", url);
    ok(winetest_start_child(args, &pi), "cannot start the first run: %lu\n", GetLastError());
    winetest_wait_child_process(pi.hProcess);
    CloseHandle(pi.hProcess);
    CloseHandle(pi.hThread);

    mid = count_jobs_named(manager, chromium_name);
    ok(mid == before + 1, "%lu jobs of the updater before the first run, %lu after it\n", before, mid);
    job = chromium_find(manager, url);
    ok(job != NULL, "the job of the first run is not in the queue\n");
    if (job) IBackgroundCopyJob_Release(job);

    chromium_download(url, L"16m.bin", 120000, &res, &transient);
    ok(res.reused, "the second run created another job\n");
    ok(res.error == S_OK, "the download ended with %#lx\n", res.error);
    if (res.file_found)
    {
        served_path(L"16m.bin", served);
        ok(files_equal(res.response, served), "the response file differs from the served file\n");
    }
    ok(count_jobs_named(manager, chromium_name) == before, "the updater's jobs did not go back to %lu\n", before);
    if (res.response[0])
    {
        WCHAR *slash;
        DeleteFileW(res.response);
        if ((slash = wcsrchr(res.response, '\\'))) *slash = 0;
        RemoveDirectoryW(res.response);
    }
    else if ((job = chromium_find(manager, url)))
    {
        /* the run failed before Complete: leave nothing behind */
        ok(chromium_cleanup_job(job) == S_OK, "Cancel failed\n");
        IBackgroundCopyJob_Release(job);
    }
}

/* A job of this run is never taken for stale by the sweep (its GetTimes says now). */
static void test_sweep_keeps_fresh_jobs(void)
{
    IBackgroundCopyJob *job;
    WCHAR url[256], local[MAX_PATH];
    ULONG before, seen;
    HRESULT hr;
    GUID id;

    before = count_jobs_named(manager, chromium_name);
    hr = IBackgroundCopyManager_CreateJob(manager, chromium_name, BG_JOB_TYPE_DOWNLOAD, &id, &job);
    ok(hr == S_OK, "CreateJob got %#lx\n", hr);
    if (hr != S_OK) return;
    swprintf(url, ARRAY_SIZE(url), L"http://127.0.0.1:%hs/4k.bin?run=%u", servers.http_port, replay_unique());
    local_path(local, L"replay_chromium_sweep.bin");
    hr = IBackgroundCopyJob_AddFile(job, url, local);
    ok(hr == S_OK, "AddFile got %#lx\n", hr);
    seen = chromium_sweep(manager, &id);
    ok(seen == before + 1, "the sweep counted %lu jobs of the updater, expected %lu\n", seen, before + 1);
    ok(count_jobs_named(manager, chromium_name) == before + 1, "the sweep cancelled a fresh job\n");
    cancel_job(job);
}

/* A 404 is an ERROR: the download fails with BG_E_HTTP_ERROR_404, not handled, and the job is
 * cleaned up (Cancel) with its directory. */
static void test_not_found(void)
{
    struct chromium_result res;
    WCHAR url[256];
    BOOL transient;
    ULONG before;

    before = count_jobs_named(manager, chromium_name);
    swprintf(url, ARRAY_SIZE(url), L"http://127.0.0.1:%hs/missing-%u.bin", servers.http_port, replay_unique());
    chromium_download(url, L"missing.bin", 60000, &res, &transient);
    ok(res.error == BG_E_HTTP_ERROR_404, "a 404 ended with %#lx\n", res.error);
    ok(!res.handled, "a 404 counts as handled\n");
    ok(res.cancel_hr == S_OK, "Cancel got %#lx\n", res.cancel_hr);
    ok(count_jobs_named(manager, chromium_name) == before, "the failed job was not cancelled\n");
}

/* A 503 is a transient error; the updater does not let BITS retry a 5xx: it ends at once. */
static void test_server_error(void)
{
    struct chromium_result res;
    WCHAR url[256];
    BOOL transient;
    ULONG before;

    before = count_jobs_named(manager, chromium_name);
    swprintf(url, ARRAY_SIZE(url), L"http://127.0.0.1:%hs/status/503/c%u.bin", servers.fault_port, replay_unique());
    chromium_download(url, L"c.bin", 60000, &res, &transient);
    ok(res.error == BG_E_HTTP_ERROR_503, "a 503 ended with %#lx\n", res.error);
    ok(transient, "a 503 was not a transient error\n");
    ok(res.handled, "a 5xx does not count as handled\n");
    ok(res.cancel_hr == S_OK, "Cancel got %#lx\n", res.cancel_hr);
    ok(count_jobs_named(manager, chromium_name) == before, "the failed job was not cancelled\n");
}

/* The server is gone: TRANSIENT_ERROR with a connection error (not a 5xx), which BITS would
 * retry after the minimum retry delay; the updater keeps polling and gives up later (here
 * after 10 s), then cancels the job. */
static void test_server_gone(void)
{
    struct chromium_result res;
    WCHAR url[256];
    BOOL transient;
    ULONG before;

    before = count_jobs_named(manager, chromium_name);
    swprintf(url, ARRAY_SIZE(url), L"http://127.0.0.1:%u/gone-%u.bin", dead_port(), replay_unique());
    chromium_download(url, L"gone.bin", 10000, &res, &transient);
    ok(transient, "a refused connection was not a transient error\n");
    ok(res.error == E_ABORT, "the download ended with %#lx\n", res.error);
    ok(!res.handled, "a refused connection counts as handled\n");
    ok(res.cancel_hr == S_OK, "Cancel got %#lx\n", res.cancel_hr);
    ok(count_jobs_named(manager, chromium_name) == before, "the job was not cancelled\n");
}

START_TEST(replay_chromium)
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
    if (argc > 3 && !strcmp(argv[2], "first_run"))
    {
        child_first_run(argv[3]);
        CoUninitialize();
        return;
    }
    hr = CoCreateInstance(&CLSID_BackgroundCopyManager, NULL, CLSCTX_LOCAL_SERVER, &IID_IBackgroundCopyManager,
                          (void **)&manager);
    ok(hr == S_OK, "CoCreateInstance got %#lx\n", hr);
    if (hr == S_OK)
    {
        test_sweep_keeps_fresh_jobs();
        test_download();
        test_reuse_across_runs();
        test_not_found();
        test_server_error();
        test_server_gone();
        IBackgroundCopyManager_Release(manager);
    }
    CoUninitialize();
}

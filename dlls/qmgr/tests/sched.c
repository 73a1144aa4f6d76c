/*
 * Conformance tests of the scheduler against the harness's loopback servers: Suspend and
 * Cancel cut a blocked transfer short, MaxDownloadTime, foreground jobs side by side, one
 * background job at a time by priority class with round robin, the files of a job in order,
 * many jobs resumed at once.
 * No timing asserts: every wait is generous, and what is checked is order and end states.
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
#include "bitsall.h"
#include "wine/test.h"
#include "bits_test.h"
#include "server_test.h"

static char http_port[16], fault_port[16];

#define ACTIVE_MASK ((1u << BG_JOB_STATE_CONNECTING) | (1u << BG_JOB_STATE_TRANSFERRING))

static IBackgroundCopyJob *create_download(const WCHAR *name, const WCHAR *url, const WCHAR *local,
                                           BG_JOB_PRIORITY priority)
{
    IBackgroundCopyJob *job;
    HRESULT hr;

    if (!(job = create_job(name, BG_JOB_TYPE_DOWNLOAD))) return NULL;
    DeleteFileW(local);
    hr = IBackgroundCopyJob_AddFile(job, url, local);
    ok(hr == S_OK, "AddFile %s got %#lx\n", wine_dbgstr_w(url), hr);
    hr = IBackgroundCopyJob_SetPriority(job, priority);
    ok(hr == S_OK, "SetPriority got %#lx\n", hr);
    return job;
}

/* The fault server's counters are per request target: a run tag keeps them fresh. */
static void fault_url(WCHAR *url, const char *path)
{
    swprintf(url, 256, L"http://127.0.0.1:%hs%hs%hsrun=%lu-%lu", fault_port, path, strchr(path, '?') ? "&" : "?",
             GetCurrentProcessId(), GetTickCount());
}

static BG_JOB_STATE job_state(IBackgroundCopyJob *job)
{
    BG_JOB_STATE state = BG_JOB_STATE_CANCELLED;
    IBackgroundCopyJob_GetState(job, &state);
    return state;
}

/* The temp file of the first file; empty when there is none. */
static void temp_name(IBackgroundCopyJob *job, WCHAR *name)
{
    IBackgroundCopyFile *file = get_file(job, 0);
    IBackgroundCopyFile3 *file3;
    WCHAR *str;

    name[0] = 0;
    if (!file) return;
    if (SUCCEEDED(IBackgroundCopyFile_QueryInterface(file, &IID_IBackgroundCopyFile3, (void **)&file3)))
    {
        if (SUCCEEDED(IBackgroundCopyFile3_GetTemporaryName(file3, &str)))
        {
            lstrcpynW(name, str, MAX_PATH);
            CoTaskMemFree(str);
        }
        IBackgroundCopyFile3_Release(file3);
    }
    IBackgroundCopyFile_Release(file);
}

static LONGLONG file_size(const WCHAR *path)
{
    WIN32_FILE_ATTRIBUTE_DATA data;

    if (!GetFileAttributesExW(path, GetFileExInfoStandard, &data)) return -1;
    return ((LONGLONG)data.nFileSizeHigh << 32) | data.nFileSizeLow;
}

/* Suspend while the worker waits for a trickle: the job stops, and the bytes that arrive at
 * the end of the server's wait are never written (the job stops within 100 ms). Then a
 * Resume continues to a whole file. */
static void test_suspend_trickle(void)
{
    WCHAR url[256], local[MAX_PATH], tmp[MAX_PATH];
    BG_JOB_PROGRESS progress;
    IBackgroundCopyJob *job;
    BG_JOB_STATE state;
    LONGLONG size;
    HRESULT hr;

    /* 300000 bytes, then 3 s of silence, then the rest of the 1 MiB file. */
    fault_url(url, "/stall/1m.bin?after=300000&secs=3&times=1&id=suspend");
    local_path(local, L"sched-suspend.bin");
    if (!(job = create_download(L"suspend", url, local, BG_JOB_PRIORITY_FOREGROUND))) return;
    hr = IBackgroundCopyJob_Resume(job);
    ok(hr == S_OK, "Resume got %#lx\n", hr);
    state = wait_state(job, 1u << BG_JOB_STATE_TRANSFERRING | 1u << BG_JOB_STATE_ERROR, 30000);
    ok(state == BG_JOB_STATE_TRANSFERRING, "state %d\n", state);
    temp_name(job, tmp);
    ok(tmp[0], "no temp name\n");
    Sleep(500);                                 /* the worker is in the read now */
    hr = IBackgroundCopyJob_Suspend(job);
    ok(hr == S_OK, "Suspend got %#lx\n", hr);
    ok(job_state(job) == BG_JOB_STATE_SUSPENDED, "state %d\n", job_state(job));
    hr = IBackgroundCopyJob_GetProgress(job, &progress);
    ok(hr == S_OK, "GetProgress got %#lx\n", hr);
    size = file_size(tmp);
    ok(size >= 0 && size < 1048576, "temp file size %I64d\n", size);

    /* The server's wait ends: a worker still blocked would write those bytes now. */
    Sleep(6000);
    ok(job_state(job) == BG_JOB_STATE_SUSPENDED, "state %d\n", job_state(job));
    ok(file_size(tmp) == size, "the temp file grew from %I64d to %I64d after Suspend\n", size, file_size(tmp));
    {
        BG_JOB_PROGRESS after;
        IBackgroundCopyJob_GetProgress(job, &after);
        ok(after.BytesTransferred == progress.BytesTransferred, "progress moved from %I64u to %I64u\n",
           progress.BytesTransferred, after.BytesTransferred);
    }

    /* Resume continues where it stopped and finishes. */
    hr = IBackgroundCopyJob_Resume(job);
    ok(hr == S_OK, "Resume got %#lx\n", hr);
    state = wait_state(job, 1u << BG_JOB_STATE_TRANSFERRED | 1u << BG_JOB_STATE_ERROR, 60000);
    ok(state == BG_JOB_STATE_TRANSFERRED, "state %d\n", state);
    hr = IBackgroundCopyJob_Complete(job);
    ok(hr == S_OK, "Complete got %#lx\n", hr);
    ok(file_size(local) == 1048576, "size %I64d\n", file_size(local));
    DeleteFileW(local);
    IBackgroundCopyJob_Release(job);
}

/* Cancel while the server is silent: the temp file goes at once, not when the server gives up. */
static void test_cancel_stall(void)
{
    WCHAR url[256], local[MAX_PATH], tmp[MAX_PATH];
    IBackgroundCopyJob *job;
    BG_JOB_STATE state;
    unsigned int i;
    HRESULT hr;

    fault_url(url, "/stall/1m.bin?after=1000&secs=120&id=cancel");
    local_path(local, L"sched-cancel.bin");
    if (!(job = create_download(L"cancel", url, local, BG_JOB_PRIORITY_FOREGROUND))) return;
    hr = IBackgroundCopyJob_Resume(job);
    ok(hr == S_OK, "Resume got %#lx\n", hr);
    state = wait_state(job, 1u << BG_JOB_STATE_TRANSFERRING | 1u << BG_JOB_STATE_ERROR, 30000);
    ok(state == BG_JOB_STATE_TRANSFERRING, "state %d\n", state);
    temp_name(job, tmp);
    Sleep(500);
    ok(file_size(tmp) >= 0, "the temp file %s is missing\n", wine_dbgstr_w(tmp));
    hr = IBackgroundCopyJob_Cancel(job);
    ok(hr == S_OK, "Cancel got %#lx\n", hr);
    ok(job_state(job) == BG_JOB_STATE_CANCELLED, "state %d\n", job_state(job));
    for (i = 0; i < 100 && GetFileAttributesW(tmp) != INVALID_FILE_ATTRIBUTES; i++) Sleep(100);
    ok(GetFileAttributesW(tmp) == INVALID_FILE_ATTRIBUTES, "the temp file is still there after Cancel\n");
    ok(GetFileAttributesW(local) == INVALID_FILE_ATTRIBUTES, "the destination exists\n");
    IBackgroundCopyJob_Release(job);
}

/* Job4 MaxDownloadTime: time spent connecting and transferring ends in ERROR. */
static void test_max_download_time(void)
{
    WCHAR url[256], local[MAX_PATH];
    IBackgroundCopyError *error;
    IBackgroundCopyJob4 *job4;
    IBackgroundCopyJob *job;
    BG_ERROR_CONTEXT context;
    BG_JOB_STATE state;
    HRESULT hr, code;
    ULONG value;

    /* 1 MiB at 64 KiB/s: 16 s, longer than the 2 s allowed. */
    fault_url(url, "/slow/1m.bin?rate=65536&id=maxtime");
    local_path(local, L"sched-maxtime.bin");
    if (!(job = create_download(L"max time", url, local, BG_JOB_PRIORITY_FOREGROUND))) return;
    hr = IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJob4, (void **)&job4);
    ok(hr == S_OK, "got %#lx\n", hr);
    if (hr != S_OK) return;
    hr = IBackgroundCopyJob4_GetMaximumDownloadTime(job4, &value);
    ok(hr == S_OK && value == 7776000, "got %#lx, %lu\n", hr, value);
    hr = IBackgroundCopyJob4_SetMaximumDownloadTime(job4, 2);
    ok(hr == S_OK, "SetMaximumDownloadTime got %#lx\n", hr);
    hr = IBackgroundCopyJob_Resume(job);
    ok(hr == S_OK, "Resume got %#lx\n", hr);
    state = wait_state(job, 1u << BG_JOB_STATE_TRANSFERRED | 1u << BG_JOB_STATE_ERROR, 60000);
    ok(state == BG_JOB_STATE_ERROR, "state %d\n", state);
    hr = IBackgroundCopyJob_GetError(job, &error);
    ok(hr == S_OK, "GetError got %#lx\n", hr);
    if (hr == S_OK)
    {
        hr = IBackgroundCopyError_GetError(error, &context, &code);
        ok(hr == S_OK, "got %#lx\n", hr);
        ok(code == BG_E_MAXDOWNLOAD_TIMEOUT, "code %#lx\n", code);
        /* undocumented; our choice: the queue manager enforces the limit */
        ok(context == BG_ERROR_CONTEXT_GENERAL_QUEUE_MANAGER, "context %d\n", context);
        IBackgroundCopyError_Release(error);
    }
    /* Resume starts the clock again: with a day allowed the job finishes. */
    hr = IBackgroundCopyJob4_SetMaximumDownloadTime(job4, 86400);
    ok(hr == S_OK, "SetMaximumDownloadTime got %#lx\n", hr);
    hr = IBackgroundCopyJob_Resume(job);
    ok(hr == S_OK, "Resume got %#lx\n", hr);
    state = wait_state(job, 1u << BG_JOB_STATE_TRANSFERRED | 1u << BG_JOB_STATE_ERROR, 90000);
    ok(state == BG_JOB_STATE_TRANSFERRED, "state %d\n", state);
    IBackgroundCopyJob4_Release(job4);
    cancel_job(job);
}

/* Four FOREGROUND jobs transfer at the same time, and one background job beside them: foreground jobs do not wait for each other. */
static void test_foreground_concurrent(void)
{
    IBackgroundCopyJob *jobs[5];
    WCHAR url[256], local[MAX_PATH], name[32];
    unsigned int i, tries, active = 0;
    char path[128];

    for (i = 0; i < 5; i++)
    {
        sprintf(path, "/stall/1m.bin?after=1000&secs=120&id=fg%u", i);
        fault_url(url, path);
        swprintf(name, ARRAY_SIZE(name), L"sched-fg%u.bin", i);
        local_path(local, name);
        jobs[i] = create_download(name, url, local, i < 4 ? BG_JOB_PRIORITY_FOREGROUND : BG_JOB_PRIORITY_NORMAL);
        if (!jobs[i]) return;
        IBackgroundCopyJob_Resume(jobs[i]);
    }
    for (tries = 0; tries < 300; tries++)
    {
        for (i = active = 0; i < 5; i++)
            if (ACTIVE_MASK & (1u << job_state(jobs[i]))) active++;
        if (active == 5) break;
        Sleep(100);
    }
    ok(active == 5, "only %u of 4 foreground and 1 background jobs were active together\n", active);
    for (i = 0; i < 5; i++) cancel_job(jobs[i]);
}

/* Background classes: a LOW job waits while NORMAL jobs have work; the two NORMAL jobs take
 * turns (round robin with a time slice); a HIGH job runs before them; a lower class runs once
 * the higher ones are done or suspended. */
static void test_priority_classes(void)
{
    WCHAR url[256], local[MAX_PATH];
    IBackgroundCopyJob *a, *b, *low, *high;
    BOOL a_active = FALSE, b_active = FALSE, a_requeued = FALSE, both = FALSE, low_moved = FALSE;
    BG_JOB_PROGRESS progress;
    BG_JOB_STATE sa, sb, sl;
    unsigned int tries;

    /* 16 MiB at 64 KiB/s: far longer than the test; only a time slice lets the second one run. */
    fault_url(url, "/slow/16m.bin?rate=65536&id=rr-a");
    local_path(local, L"sched-a.bin");
    a = create_download(L"normal a", url, local, BG_JOB_PRIORITY_NORMAL);
    fault_url(url, "/slow/16m.bin?rate=65536&id=rr-b");
    local_path(local, L"sched-b.bin");
    b = create_download(L"normal b", url, local, BG_JOB_PRIORITY_NORMAL);
    fault_url(url, "/files/4k.bin?id=low");
    local_path(local, L"sched-low.bin");
    low = create_download(L"low", url, local, BG_JOB_PRIORITY_LOW);
    if (!a || !b || !low) return;
    IBackgroundCopyJob_Resume(a);
    IBackgroundCopyJob_Resume(b);
    IBackgroundCopyJob_Resume(low);

    for (tries = 0; tries < 600 && !(a_requeued && b_active); tries++)
    {
        sa = job_state(a);
        sb = job_state(b);
        sl = job_state(low);
        if (ACTIVE_MASK & (1u << sa)) a_active = TRUE;
        if (ACTIVE_MASK & (1u << sb)) b_active = TRUE;
        if (a_active && sa == BG_JOB_STATE_QUEUED) a_requeued = TRUE;
        /* A then B then A again: a handover between two reads does not count */
        if ((ACTIVE_MASK & (1u << sa)) && (ACTIVE_MASK & (1u << sb)) && (ACTIVE_MASK & (1u << job_state(a))))
            both = TRUE;
        if (sl != BG_JOB_STATE_QUEUED) low_moved = TRUE;
        Sleep(100);
    }
    ok(a_active, "the first NORMAL job never ran\n");
    ok(b_active, "the second NORMAL job never got a turn\n");
    ok(a_requeued, "the first NORMAL job never went back to QUEUED\n");
    ok(!both, "two background jobs ran at once\n");

    /* And A's turn comes again: the slice of B, which the worker that ran A started without
     * the scheduler thread, ends on time too. */
    for (tries = 0; tries < 150 && b_active; tries++)
    {
        if (ACTIVE_MASK & (1u << job_state(a))) break;
        Sleep(100);
    }
    ok(ACTIVE_MASK & (1u << job_state(a)), "the first NORMAL job got no second turn (B: %d)\n", job_state(b));
    ok(job_state(b) == BG_JOB_STATE_QUEUED, "the second NORMAL job did not give way: %d\n", job_state(b));
    ok(!low_moved, "the LOW job left QUEUED while NORMAL jobs had work\n");
    IBackgroundCopyJob_GetProgress(low, &progress);
    ok(!progress.BytesTransferred, "the LOW job moved %I64u bytes\n", progress.BytesTransferred);

    /* A HIGH job comes first. */
    fault_url(url, "/files/4k.bin?id=high");
    local_path(local, L"sched-high.bin");
    if ((high = create_download(L"high", url, local, BG_JOB_PRIORITY_HIGH)))
    {
        IBackgroundCopyJob_Resume(high);
        sl = wait_state(high, 1u << BG_JOB_STATE_TRANSFERRED | 1u << BG_JOB_STATE_ERROR, 60000);
        ok(sl == BG_JOB_STATE_TRANSFERRED, "HIGH job state %d\n", sl);
        ok(job_state(low) == BG_JOB_STATE_QUEUED, "LOW job state %d\n", job_state(low));
        cancel_job(high);
    }

    /* With the NORMAL jobs suspended the LOW one runs. */
    IBackgroundCopyJob_Suspend(a);
    IBackgroundCopyJob_Suspend(b);
    sl = wait_state(low, 1u << BG_JOB_STATE_TRANSFERRED | 1u << BG_JOB_STATE_ERROR, 60000);
    ok(sl == BG_JOB_STATE_TRANSFERRED, "LOW job state %d\n", sl);
    cancel_job(a);
    cancel_job(b);
    cancel_job(low);
}

/* The files of one job strictly in order (BITS transfers them FIFO): the second moves only after the first. */
static void test_files_in_order(void)
{
    WCHAR url[256], local[MAX_PATH];
    IBackgroundCopyFile *first, *second;
    BG_FILE_PROGRESS p1, p2;
    IBackgroundCopyJob *job;
    BOOL out_of_order = FALSE;
    unsigned int tries;
    BG_JOB_STATE state = BG_JOB_STATE_QUEUED;
    HRESULT hr;

    fault_url(url, "/slow/1m.bin?rate=262144&id=order");
    local_path(local, L"sched-order1.bin");
    if (!(job = create_download(L"order", url, local, BG_JOB_PRIORITY_FOREGROUND))) return;
    swprintf(url, ARRAY_SIZE(url), L"http://127.0.0.1:%hs/4k.bin", http_port);
    local_path(local, L"sched-order2.bin");
    DeleteFileW(local);
    hr = IBackgroundCopyJob_AddFile(job, url, local);
    ok(hr == S_OK, "AddFile got %#lx\n", hr);
    first = get_file(job, 0);
    second = get_file(job, 1);
    if (!first || !second) return;
    IBackgroundCopyJob_Resume(job);
    for (tries = 0; tries < 1200; tries++)
    {
        IBackgroundCopyFile_GetProgress(second, &p2);
        IBackgroundCopyFile_GetProgress(first, &p1);
        if (p2.BytesTransferred && p1.BytesTransferred != 1048576) out_of_order = TRUE;
        state = job_state(job);
        if (state == BG_JOB_STATE_TRANSFERRED || state == BG_JOB_STATE_ERROR) break;
        Sleep(50);
    }
    ok(state == BG_JOB_STATE_TRANSFERRED, "state %d\n", state);
    ok(!out_of_order, "the second file moved before the first was done\n");
    IBackgroundCopyFile_Release(first);
    IBackgroundCopyFile_Release(second);
    cancel_job(job);
}

/* Many small jobs resumed at once, each resumed again while the queue works: every one ends
 * TRANSFERRED without an error. A Resume runs a scheduling pass on the caller's thread next to
 * the scheduler's own; a pass that read the clock before another started a worker once took
 * the worker for one that had run for ever and failed it with BG_E_MAXDOWNLOAD_TIMEOUT. */
#define MANY_JOBS 50
static void test_many_resumes(void)
{
    IBackgroundCopyJob *jobs[MANY_JOBS];
    WCHAR url[256], local[MAX_PATH], name[32];
    unsigned int i, transferred = 0, errors = 0, round;
    BG_JOB_STATE state;
    ULONG count;

    swprintf(url, ARRAY_SIZE(url), L"http://127.0.0.1:%hs/4k.bin", http_port);
    for (i = 0; i < MANY_JOBS; i++)
    {
        swprintf(name, ARRAY_SIZE(name), L"sched-many%u.bin", i);
        local_path(local, name);
        if (!(jobs[i] = create_download(name, url, local, BG_JOB_PRIORITY_NORMAL)))
        {
            while (i--) cancel_job(jobs[i]);
            return;
        }
    }
    for (round = 0; round < 2; round++)
        for (i = 0; i < MANY_JOBS; i++)
            ok(IBackgroundCopyJob_Resume(jobs[i]) == S_OK, "Resume of job %u failed\n", i);
    for (i = 0; i < MANY_JOBS; i++)
    {
        state = wait_state(jobs[i], (1u << BG_JOB_STATE_TRANSFERRED) | (1u << BG_JOB_STATE_ERROR)
                           | (1u << BG_JOB_STATE_TRANSIENT_ERROR), 60000);
        if (state == BG_JOB_STATE_TRANSFERRED) transferred++;
        count = 0;
        IBackgroundCopyJob_GetErrorCount(jobs[i], &count);
        if (count)
        {
            IBackgroundCopyError *error;
            BG_ERROR_CONTEXT context = 0;
            HRESULT code = S_OK;

            if (SUCCEEDED(IBackgroundCopyJob_GetError(jobs[i], &error)))
            {
                IBackgroundCopyError_GetError(error, &context, &code);
                IBackgroundCopyError_Release(error);
            }
            if (!errors++) ok(0, "job %u: state %u, error %#lx (context %u)\n", i, state, code, context);
        }
    }
    ok(transferred == MANY_JOBS, "%u of %u jobs transferred\n", transferred, MANY_JOBS);
    ok(!errors, "%u jobs had errors\n", errors);
    for (i = 0; i < MANY_JOBS; i++)
    {
        swprintf(name, ARRAY_SIZE(name), L"sched-many%u.bin", i);
        local_path(local, name);
        if (IBackgroundCopyJob_Complete(jobs[i]) == S_OK)
        {
            ok(file_size(local) == 4096, "job %u: the file has %I64d bytes\n", i, file_size(local));
            DeleteFileW(local);
            IBackgroundCopyJob_Release(jobs[i]);
        }
        else cancel_job(jobs[i]);
    }
}

START_TEST(sched)
{
    HRESULT hr;

    if (!get_env("BITS_HTTP_PORT", http_port, sizeof(http_port))
        || !get_env("BITS_FAULT_PORT", fault_port, sizeof(fault_port)))
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
        test_suspend_trickle();
        test_cancel_stall();
        test_max_download_time();
        test_foreground_concurrent();
        test_priority_classes();
        test_files_in_order();
        test_many_resumes();
        IBackgroundCopyManager_Release(manager);
    }
    CoUninitialize();
}

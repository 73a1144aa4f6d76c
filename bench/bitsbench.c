/*
 * bitsbench.c: the BITS client of `make bench`. It drives our service and Wine's builtin one
 * the same way, through the BITS 1.0 interfaces only, and measures with QueryPerformanceCounter.
 * Completion is signalled by IBackgroundCopyCallback::JobTransferred (no polling); a client
 * that polls (bitsadmin /transfer) would measure its own poll interval.
 *
 *   bitsbench one    <url> <dir> <runs>    one job with one file, <runs> times in a row:
 *                                          Resume -> TRANSFERRED (median), and Complete
 *   bitsbench many   <url> <dir> <count>   <count> jobs of one file each: Resume of the first
 *                                          -> TRANSFERRED of the last
 *   bitsbench create <url> <dir> <count>   <count> x (CreateJob + AddFile), then all cancelled
 *                                          (the cancels are not timed)
 *
 * The last line is "RESULT <milliseconds>" (create: also the rate). Errors print "FAILED ..."
 * and exit 1. The environment variable BITSBENCH_PRIORITY=foreground|high|normal|low sets the
 * job priority (default: BITS' default, NORMAL).
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

#include <stdio.h>
#include <stdlib.h>
#include <windows.h>
#include "bits.h"

static LARGE_INTEGER freq;

static double now_ms(void)
{
    LARGE_INTEGER t;
    QueryPerformanceCounter(&t);
    return (double)t.QuadPart * 1000.0 / (double)freq.QuadPart;
}

static void fail(const char *what, HRESULT hr)
{
    printf("FAILED %s: %#lx\n", what, (unsigned long)hr);
    fflush(stdout);
    exit(1);
}

/* ---- the callback: counts JobTransferred, notes the first JobError ---- */

static LONG transferred_count, transferred_target;
static LONG error_seen;
static HANDLE done_event;

static HRESULT WINAPI cb_QueryInterface(IBackgroundCopyCallback *iface, REFIID riid, void **obj)
{
    BOOL known = IsEqualGUID(riid, &IID_IUnknown) || IsEqualGUID(riid, &IID_IBackgroundCopyCallback);

    *obj = known ? iface : NULL;
    return known ? S_OK : E_NOINTERFACE;
}

/* One static object for the whole run: no reference counting. */
static ULONG WINAPI cb_AddRef(IBackgroundCopyCallback *iface) { return 2; }
static ULONG WINAPI cb_Release(IBackgroundCopyCallback *iface) { return 1; }

static HRESULT WINAPI cb_JobTransferred(IBackgroundCopyCallback *iface, IBackgroundCopyJob *job)
{
    if (InterlockedIncrement(&transferred_count) >= transferred_target) SetEvent(done_event);
    return S_OK;
}

static HRESULT WINAPI cb_JobError(IBackgroundCopyCallback *iface, IBackgroundCopyJob *job, IBackgroundCopyError *error)
{
    InterlockedExchange(&error_seen, 1);
    SetEvent(done_event);
    return S_OK;
}

static HRESULT WINAPI cb_JobModification(IBackgroundCopyCallback *iface, IBackgroundCopyJob *job, DWORD reserved)
{
    return S_OK;
}

static const IBackgroundCopyCallbackVtbl cb_vtbl =
{
    cb_QueryInterface, cb_AddRef, cb_Release, cb_JobTransferred, cb_JobError, cb_JobModification,
};

static IBackgroundCopyCallback callback = { &cb_vtbl };

/* ---- helpers ---- */

static IBackgroundCopyManager *manager;

static IBackgroundCopyJob *new_job(const WCHAR *url, const WCHAR *local, BOOL notify)
{
    static const struct { const char *name; BG_JOB_PRIORITY prio; } prios[] =
    {
        { "foreground", BG_JOB_PRIORITY_FOREGROUND }, { "high", BG_JOB_PRIORITY_HIGH },
        { "normal", BG_JOB_PRIORITY_NORMAL }, { "low", BG_JOB_PRIORITY_LOW },
    };
    IBackgroundCopyJob *job;
    const char *prio = getenv("BITSBENCH_PRIORITY");
    unsigned int i;
    HRESULT hr;
    GUID id;

    if (FAILED(hr = IBackgroundCopyManager_CreateJob(manager, L"bitsbench", BG_JOB_TYPE_DOWNLOAD, &id, &job)))
        fail("CreateJob", hr);
    if (FAILED(hr = IBackgroundCopyJob_AddFile(job, url, local))) fail("AddFile", hr);
    if (notify)
    {
        if (FAILED(hr = IBackgroundCopyJob_SetNotifyInterface(job, (IUnknown *)&callback)))
            fail("SetNotifyInterface", hr);
        if (FAILED(hr = IBackgroundCopyJob_SetNotifyFlags(job, BG_NOTIFY_JOB_TRANSFERRED | BG_NOTIFY_JOB_ERROR)))
            fail("SetNotifyFlags", hr);
    }
    for (i = 0; prio && i < ARRAYSIZE(prios); i++)
        if (!_stricmp(prio, prios[i].name) && FAILED(hr = IBackgroundCopyJob_SetPriority(job, prios[i].prio)))
            fail("SetPriority", hr);
    return job;
}

/* Wait for the callback; a generous timeout so a broken service cannot hang `make bench`.
 * Returns the time of the wake-up; the checks after it are not timed. */
static double wait_done(IBackgroundCopyJob *job)
{
    BG_JOB_STATE state;
    double t;

    if (WaitForSingleObject(done_event, 600000) != WAIT_OBJECT_0) fail("timeout waiting for TRANSFERRED", E_FAIL);
    t = now_ms();
    if (error_seen)
    {
        IBackgroundCopyError *error;
        BG_ERROR_CONTEXT context;
        HRESULT code = E_FAIL;

        if (job && SUCCEEDED(IBackgroundCopyJob_GetError(job, &error)))
        {
            IBackgroundCopyError_GetError(error, &context, &code);
            IBackgroundCopyError_Release(error);
        }
        fail("job error", code);
    }
    if (job && SUCCEEDED(IBackgroundCopyJob_GetState(job, &state)) && state != BG_JOB_STATE_TRANSFERRED)
        fail("state after JobTransferred", state);
    return t;
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, n, sizeof(*v), compare_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* ---- the measurements ---- */

static void bench_one(const WCHAR *url, const WCHAR *dir, int runs)
{
    double *times = calloc(runs, sizeof(*times)), complete = 0, t0, t1;
    WIN32_FILE_ATTRIBUTE_DATA attr;
    WCHAR local[MAX_PATH];
    int i;

    for (i = 0; i < runs; i++)
    {
        IBackgroundCopyJob *job;
        HRESULT hr;

        swprintf(local, MAX_PATH, L"%ls\\one-%d.bin", dir, i);
        DeleteFileW(local);
        job = new_job(url, local, TRUE);
        transferred_count = 0;
        transferred_target = 1;
        ResetEvent(done_event);
        t0 = now_ms();
        if (FAILED(hr = IBackgroundCopyJob_Resume(job))) fail("Resume", hr);
        t1 = wait_done(job);
        if (FAILED(hr = IBackgroundCopyJob_Complete(job))) fail("Complete", hr);
        complete += now_ms() - t1;
        times[i] = t1 - t0;
        IBackgroundCopyJob_Release(job);
        if (!GetFileAttributesExW(local, GetFileExInfoStandard, &attr)) fail("the local file is missing", E_FAIL);
        DeleteFileW(local);
        printf("run %d: %.2f ms, bytes %I64u\n", i + 1, times[i],
               ((UINT64)attr.nFileSizeHigh << 32) | attr.nFileSizeLow);
    }
    printf("Complete: %.2f ms on average\n", complete / runs);
    printf("RESULT %.3f\n", median(times, runs));
}

static void bench_many(const WCHAR *url, const WCHAR *dir, int count)
{
    IBackgroundCopyJob **jobs = calloc(count, sizeof(*jobs));
    WCHAR local[MAX_PATH];
    double t0, t1;
    HRESULT hr;
    int i;

    transferred_count = 0;
    transferred_target = count;
    ResetEvent(done_event);
    for (i = 0; i < count; i++)
    {
        swprintf(local, MAX_PATH, L"%ls\\many-%d.bin", dir, i);
        DeleteFileW(local);
        jobs[i] = new_job(url, local, TRUE);
    }
    t0 = now_ms();
    for (i = 0; i < count; i++)
        if (FAILED(hr = IBackgroundCopyJob_Resume(jobs[i]))) fail("Resume", hr);
    t1 = wait_done(NULL);
    for (i = 0; i < count; i++)
    {
        if (FAILED(hr = IBackgroundCopyJob_Complete(jobs[i]))) fail("Complete", hr);
        IBackgroundCopyJob_Release(jobs[i]);
        swprintf(local, MAX_PATH, L"%ls\\many-%d.bin", dir, i);
        if (GetFileAttributesW(local) == INVALID_FILE_ATTRIBUTES) fail("a local file is missing", E_FAIL);
        DeleteFileW(local);
    }
    printf("RESULT %.3f\n", t1 - t0);
}

static void bench_create(const WCHAR *url, const WCHAR *dir, int count)
{
    IBackgroundCopyJob **jobs = calloc(count, sizeof(*jobs));
    WCHAR local[MAX_PATH];
    double t0, t1;
    int i;

    t0 = now_ms();
    for (i = 0; i < count; i++)
    {
        swprintf(local, MAX_PATH, L"%ls\\create-%d.bin", dir, i);
        jobs[i] = new_job(url, local, FALSE);
    }
    t1 = now_ms();
    for (i = 0; i < count; i++)
    {
        IBackgroundCopyJob_Cancel(jobs[i]);
        IBackgroundCopyJob_Release(jobs[i]);
    }
    printf("%d jobs: %.0f CreateJob+AddFile per second\n", count, count * 1000.0 / (t1 - t0));
    printf("RESULT %.3f\n", t1 - t0);
}

int __cdecl wmain(int argc, WCHAR **argv)
{
    HRESULT hr;
    int n;

    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc != 5 || (n = _wtoi(argv[4])) <= 0)
    {
        printf("usage: bitsbench one|many|create <url> <dir> <count>\n");
        return 2;
    }
    QueryPerformanceFrequency(&freq);
    done_event = CreateEventW(NULL, TRUE, FALSE, NULL);
    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    if (FAILED(hr = CoCreateInstance(&CLSID_BackgroundCopyManager, NULL, CLSCTX_LOCAL_SERVER,
                                     &IID_IBackgroundCopyManager, (void **)&manager)))
        fail("CoCreateInstance", hr);
    CreateDirectoryW(argv[3], NULL);

    if (!wcscmp(argv[1], L"one")) bench_one(argv[2], argv[3], n);
    else if (!wcscmp(argv[1], L"many")) bench_many(argv[2], argv[3], n);
    else if (!wcscmp(argv[1], L"create")) bench_create(argv[2], argv[3], n);
    else
    {
        printf("unknown mode %ls\n", argv[1]);
        return 2;
    }
    IBackgroundCopyManager_Release(manager);
    CoUninitialize();
    return 0;
}

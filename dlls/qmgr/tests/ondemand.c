/*
 * Conformance tests of ON_DEMAND_MODE jobs: IBackgroundCopyFile6's
 * UpdateDownloadPosition, RequestFileRanges and GetFilledFileRanges against the fault server,
 * and IBackgroundCopyCallback3::FileRangesTransferred in this process through the proxy.
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
#include "transfer_test.h"

#define MIB 1048576

/* Records what FileRangesTransferred reports. */
struct ranges_callback
{
    IBackgroundCopyCallback3 IBackgroundCopyCallback3_iface;
    LONG refs;
    CRITICAL_SECTION cs;
    HANDLE event;
    BG_FILE_RANGE seen[256];
    LONG calls, count;
    BOOL file_ok;                      /* the file argument was a live File6 proxy */
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
        IBackgroundCopyCallback3_AddRef(iface);
        return S_OK;
    }
    *obj = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI rcb_AddRef(IBackgroundCopyCallback3 *iface)
{
    return InterlockedIncrement(&impl_from_callback(iface)->refs);
}

static ULONG WINAPI rcb_Release(IBackgroundCopyCallback3 *iface)
{
    return InterlockedDecrement(&impl_from_callback(iface)->refs);
}

static HRESULT WINAPI rcb_JobTransferred(IBackgroundCopyCallback3 *iface, IBackgroundCopyJob *job)
{
    return S_OK;
}

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
    IBackgroundCopyFile6 *file6;
    DWORD i;

    if (SUCCEEDED(IBackgroundCopyFile_QueryInterface(file, &IID_IBackgroundCopyFile6, (void **)&file6)))
    {
        cb->file_ok = TRUE;
        IBackgroundCopyFile6_Release(file6);
    }
    EnterCriticalSection(&cb->cs);
    for (i = 0; i < count && cb->count < ARRAY_SIZE(cb->seen); i++) cb->seen[cb->count++] = ranges[i];
    cb->calls++;
    LeaveCriticalSection(&cb->cs);
    SetEvent(cb->event);
    return S_OK;
}

static const IBackgroundCopyCallback3Vtbl rcb_vtbl =
{
    rcb_QueryInterface, rcb_AddRef, rcb_Release, rcb_JobTransferred, rcb_JobError, rcb_JobModification,
    rcb_FileTransferred, rcb_FileRangesTransferred,
};

/* Is [start, start + len) inside the union of the ranges? */
static BOOL ranges_cover(const BG_FILE_RANGE *ranges, DWORD count, UINT64 start, UINT64 len)
{
    UINT64 end = start + len;
    BOOL progress = TRUE;
    DWORD i;

    while (start < end && progress)
    {
        progress = FALSE;
        for (i = 0; i < count; i++)
            if (ranges[i].InitialOffset <= start && start < ranges[i].InitialOffset + ranges[i].Length)
            {
                start = ranges[i].InitialOffset + ranges[i].Length;
                progress = TRUE;
            }
    }
    return start >= end;
}

static IBackgroundCopyFile6 *get_file6(IBackgroundCopyJob *job)
{
    IBackgroundCopyFile6 *file6 = NULL;
    IBackgroundCopyFile *file;
    HRESULT hr;

    if (!(file = get_file(job, 0))) return NULL;
    hr = IBackgroundCopyFile_QueryInterface(file, &IID_IBackgroundCopyFile6, (void **)&file6);
    ok(hr == S_OK, "QueryInterface(File6) got %#lx\n", hr);
    IBackgroundCopyFile_Release(file);
    return file6;
}

static HRESULT set_on_demand(IBackgroundCopyJob *job)
{
    BITS_JOB_PROPERTY_VALUE value;

    value.Enable = TRUE;
    return set_job_property(job, BITS_JOB_PROPERTY_ON_DEMAND_MODE, value);
}

/* Requested ranges first, then the job suspends; a download position and Resume fetch the rest. */
static void test_requested_ranges(void)
{
    static const BG_FILE_RANGE wanted[] = { { 100000, 5000 }, { 600000, 1000 } };
    struct ranges_callback cb = { { &rcb_vtbl }, 1 };
    WCHAR url[256], local[MAX_PATH], source[MAX_PATH], *temp = NULL;
    BG_FILE_RANGE *filled, bad;
    IBackgroundCopyFile6 *file6;
    BG_JOB_PROGRESS progress;
    IBackgroundCopyJob *job;
    BG_JOB_STATE state;
    char text[64], id[32];
    DWORD count, i;
    UINT64 total;
    HRESULT hr;

    InitializeCriticalSection(&cb.cs);
    cb.event = CreateEventW(NULL, FALSE, FALSE, NULL);
    sprintf(id, "id=ondemand%lu", GetTickCount());
    swprintf(url, ARRAY_SIZE(url), L"http://127.0.0.1:%hs/files/1m.bin?%hs", servers.fault_port, id);
    local_path(local, L"ondemand-1m.bin");
    served_path(L"1m.bin", source);
    if (!(job = create_download(L"on demand", url, local))) return;
    hr = set_on_demand(job);
    ok(hr == S_OK, "ON_DEMAND_MODE got %#lx\n", hr);
    hr = IBackgroundCopyJob_SetNotifyInterface(job, (IUnknown *)&cb.IBackgroundCopyCallback3_iface);
    ok(hr == S_OK, "SetNotifyInterface got %#lx\n", hr);
    hr = IBackgroundCopyJob_SetNotifyFlags(job, BG_NOTIFY_JOB_TRANSFERRED | BG_NOTIFY_JOB_ERROR
                                           | BG_NOTIFY_FILE_RANGES_TRANSFERRED);
    ok(hr == S_OK, "SetNotifyFlags got %#lx\n", hr);
    if (!(file6 = get_file6(job)))
    {
        cancel_job(job);
        return;
    }

    hr = IBackgroundCopyFile6_RequestFileRanges(file6, 0, wanted);
    ok(hr == E_INVALIDARG, "no ranges: got %#lx\n", hr);
    hr = IBackgroundCopyFile6_GetFilledFileRanges(file6, &count, &filled);
    ok(hr == S_OK && !count && !filled, "before the transfer: got %#lx, %lu ranges\n", hr, count);
    hr = IBackgroundCopyFile6_RequestFileRanges(file6, ARRAY_SIZE(wanted), wanted);
    ok(hr == S_OK, "RequestFileRanges got %#lx\n", hr);

    /* Only the requested ranges come; then the job suspends itself. */
    IBackgroundCopyJob_Resume(job);
    state = wait_state(job, 1 << BG_JOB_STATE_SUSPENDED | 1 << BG_JOB_STATE_ERROR | 1 << BG_JOB_STATE_TRANSFERRED, 60000);
    ok(state == BG_JOB_STATE_SUSPENDED, "after the requested ranges: state %d\n", state);
    hr = IBackgroundCopyJob_GetProgress(job, &progress);
    ok(hr == S_OK && progress.BytesTotal == MIB, "BytesTotal %s\n", wine_dbgstr_longlong(progress.BytesTotal));
    ok(progress.BytesTransferred >= 6000 && progress.BytesTransferred < MIB, "BytesTransferred %s\n",
       wine_dbgstr_longlong(progress.BytesTransferred));
    ok(!progress.FilesTransferred, "%lu files transferred\n", progress.FilesTransferred);

    hr = IBackgroundCopyFile6_GetFilledFileRanges(file6, &count, &filled);
    ok(hr == S_OK && count && filled, "GetFilledFileRanges got %#lx, %lu ranges\n", hr, count);
    for (i = 0, total = 0; i < count; i++) total += filled[i].Length;
    ok(total == progress.BytesTransferred, "filled %s bytes\n", wine_dbgstr_longlong(total));
    for (i = 0; i < ARRAY_SIZE(wanted); i++)
        ok(count && ranges_cover(filled, count, wanted[i].InitialOffset, wanted[i].Length), "range %lu not filled\n", i);
    CoTaskMemFree(filled);

    /* The data is where it belongs in the temp file, which a reader may open with FILE_SHARE_WRITE. */
    hr = IBackgroundCopyFile6_GetTemporaryName(file6, &temp);
    ok(hr == S_OK && temp, "GetTemporaryName got %#lx\n", hr);
    for (i = 0; temp && i < ARRAY_SIZE(wanted); i++)
        ok(files_equal_at(temp, source, wanted[i].InitialOffset, wanted[i].Length), "range %lu differs\n", i);
    CoTaskMemFree(temp);

    /* FileRangesTransferred told us about both ranges. */
    for (i = 0; i < 100 && !ranges_cover(cb.seen, cb.count, wanted[1].InitialOffset, wanted[1].Length); i++)
        WaitForSingleObject(cb.event, 100);
    EnterCriticalSection(&cb.cs);
    ok(cb.calls >= 1, "FileRangesTransferred was not called\n");
    for (i = 0; i < ARRAY_SIZE(wanted); i++)
        ok(ranges_cover(cb.seen, cb.count, wanted[i].InitialOffset, wanted[i].Length), "range %lu not reported\n", i);
    LeaveCriticalSection(&cb.cs);
    ok(cb.file_ok, "the file passed to the callback is not an IBackgroundCopyFile6\n");
    sprintf(text, "\"range\":\"bytes=%u-%u\"", 100000, 104999);
    ok(request_log_count(text, id) == 1, "no request for exactly the first range\n");

    /* Beyond EOF, now that the size is known. */
    bad.InitialOffset = MIB - 10;
    bad.Length = 11;
    hr = IBackgroundCopyFile6_RequestFileRanges(file6, 1, &bad);
    ok(hr == BG_E_INVALID_RANGE, "a range past EOF: got %#lx\n", hr);
    hr = IBackgroundCopyFile6_UpdateDownloadPosition(file6, MIB + 1);
    ok(hr == BG_E_INVALID_RANGE, "a position past EOF: got %#lx\n", hr);

    /* The rest continues at the download position, then wraps to the start. */
    hr = IBackgroundCopyFile6_UpdateDownloadPosition(file6, 900000);
    ok(hr == S_OK, "UpdateDownloadPosition got %#lx\n", hr);
    IBackgroundCopyJob_Resume(job);
    state = wait_state(job, 1 << BG_JOB_STATE_SUSPENDED | 1 << BG_JOB_STATE_ERROR | 1 << BG_JOB_STATE_TRANSFERRED, 60000);
    ok(state == BG_JOB_STATE_TRANSFERRED, "the whole file: state %d\n", state);
    sprintf(text, "\"range\":\"bytes=%u-%u\"", 900000, MIB - 1);
    ok(request_log_count(text, id) == 1, "the rest did not start at the download position\n");
    hr = IBackgroundCopyFile6_GetFilledFileRanges(file6, &count, &filled);
    ok(hr == S_OK && count == 1 && filled && !filled[0].InitialOffset && filled[0].Length == MIB,
       "filled after the whole file: %lu ranges\n", count);
    CoTaskMemFree(filled);
    hr = IBackgroundCopyJob_GetProgress(job, &progress);
    ok(progress.BytesTransferred == MIB && progress.FilesTransferred == 1, "progress %s\n",
       wine_dbgstr_longlong(progress.BytesTransferred));
    IBackgroundCopyFile6_Release(file6);
    IBackgroundCopyJob_SetNotifyInterface(job, NULL);
    hr = IBackgroundCopyJob_Complete(job);
    ok(hr == S_OK, "Complete got %#lx\n", hr);
    ok(files_equal(local, source), "the completed file differs from the served one\n");
    IBackgroundCopyJob_Release(job);
    DeleteFileW(local);
    CloseHandle(cb.event);
    DeleteCriticalSection(&cb.cs);
}

/* FileRangesTransferred is rate-limited by MINIMUM_NOTIFICATION_INTERVAL_MS like JobModification:
 * ranges completed within an interval come together in one callback at its end.
 * Each requested range here is a fetch of its own (they are far apart), so without the limit
 * there is one callback per range; with a 5 s interval the 24 fetches would need two minutes. */
static void test_ranges_rate_limit(void)
{
    struct ranges_callback cb = { { &rcb_vtbl }, 1 };
    WCHAR url[256], local[MAX_PATH];
    BG_FILE_RANGE wanted[24];
    BITS_JOB_PROPERTY_VALUE value;
    IBackgroundCopyFile6 *file6;
    IBackgroundCopyJob *job;
    BG_JOB_STATE state;
    BOOL covered = FALSE;
    DWORD i, j;
    HRESULT hr;

    for (i = 0; i < ARRAY_SIZE(wanted); i++)
    {
        wanted[i].InitialOffset = 1000 + i * 40000;
        wanted[i].Length = 1000;
    }
    InitializeCriticalSection(&cb.cs);
    cb.event = CreateEventW(NULL, FALSE, FALSE, NULL);
    swprintf(url, ARRAY_SIZE(url), L"http://127.0.0.1:%hs/files/1m.bin?id=ondemand-rate%lu", servers.fault_port,
             GetTickCount());
    local_path(local, L"ondemand-rate.bin");
    if (!(job = create_download(L"on demand, rate limit", url, local))) return;
    ok(set_on_demand(job) == S_OK, "ON_DEMAND_MODE failed\n");
    value.Dword = 5000;
    hr = set_job_property(job, BITS_JOB_PROPERTY_MINIMUM_NOTIFICATION_INTERVAL_MS, value);
    ok(hr == S_OK, "MINIMUM_NOTIFICATION_INTERVAL_MS got %#lx\n", hr);
    hr = IBackgroundCopyJob_SetNotifyInterface(job, (IUnknown *)&cb.IBackgroundCopyCallback3_iface);
    ok(hr == S_OK, "SetNotifyInterface got %#lx\n", hr);
    hr = IBackgroundCopyJob_SetNotifyFlags(job, BG_NOTIFY_FILE_RANGES_TRANSFERRED);
    ok(hr == S_OK, "SetNotifyFlags got %#lx\n", hr);
    if (!(file6 = get_file6(job)))
    {
        cancel_job(job);
        return;
    }
    hr = IBackgroundCopyFile6_RequestFileRanges(file6, ARRAY_SIZE(wanted), wanted);
    ok(hr == S_OK, "RequestFileRanges got %#lx\n", hr);
    IBackgroundCopyJob_Resume(job);
    state = wait_state(job, 1 << BG_JOB_STATE_SUSPENDED | 1 << BG_JOB_STATE_ERROR | 1 << BG_JOB_STATE_TRANSFERRED, 60000);
    ok(state == BG_JOB_STATE_SUSPENDED, "after the requested ranges: state %d\n", state);

    /* The ranges held back arrive at the end of the interval. */
    for (j = 0; j < 300 && !covered; j++)
    {
        EnterCriticalSection(&cb.cs);
        for (i = 0, covered = TRUE; i < ARRAY_SIZE(wanted) && covered; i++)
            covered = ranges_cover(cb.seen, cb.count, wanted[i].InitialOffset, wanted[i].Length);
        LeaveCriticalSection(&cb.cs);
        if (!covered) WaitForSingleObject(cb.event, 100);
    }
    EnterCriticalSection(&cb.cs);
    for (i = 0; i < ARRAY_SIZE(wanted); i++)
        ok(ranges_cover(cb.seen, cb.count, wanted[i].InitialOffset, wanted[i].Length), "range %lu not reported\n", i);
    ok(cb.calls >= 1 && cb.calls < ARRAY_SIZE(wanted), "%ld callbacks for %u ranges\n", cb.calls,
       (unsigned int)ARRAY_SIZE(wanted));
    LeaveCriticalSection(&cb.cs);
    trace("%ld FileRangesTransferred callbacks for %u ranges\n", cb.calls, (unsigned int)ARRAY_SIZE(wanted));

    IBackgroundCopyFile6_Release(file6);
    IBackgroundCopyJob_SetNotifyInterface(job, NULL);
    cancel_job(job);
    CloseHandle(cb.event);
    DeleteCriticalSection(&cb.cs);
}

/* A job that is not on demand, or cannot be, refuses random access. */
static void test_not_eligible(void)
{
    static const BG_FILE_RANGE range = { 0, 100 };
    WCHAR url[256], local[MAX_PATH];
    IBackgroundCopyFile6 *file6;
    IBackgroundCopyJob *job;
    BG_JOB_STATE state;
    HRESULT hr, code;

    swprintf(url, ARRAY_SIZE(url), L"http://127.0.0.1:%hs/files/4k.bin", servers.fault_port);
    local_path(local, L"ondemand-4k.bin");
    if ((job = create_download(L"not on demand", url, local)))
    {
        if ((file6 = get_file6(job)))
        {
            hr = IBackgroundCopyFile6_UpdateDownloadPosition(file6, 0);
            ok(hr == BG_E_RANDOM_ACCESS_NOT_SUPPORTED, "UpdateDownloadPosition got %#lx\n", hr);
            hr = IBackgroundCopyFile6_RequestFileRanges(file6, 1, &range);
            ok(hr == BG_E_RANDOM_ACCESS_NOT_SUPPORTED, "RequestFileRanges got %#lx\n", hr);
            IBackgroundCopyFile6_Release(file6);
        }
        cancel_job(job);
    }

    /* A local copy is never random access. */
    swprintf(url, ARRAY_SIZE(url), L"%lsondemand-source.bin", temp_dir);
    CloseHandle(CreateFileW(url, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL));
    if ((job = create_download(L"file on demand", url, local)))
    {
        ok(set_on_demand(job) == S_OK, "ON_DEMAND_MODE failed\n");
        if ((file6 = get_file6(job)))
        {
            hr = IBackgroundCopyFile6_UpdateDownloadPosition(file6, 0);
            ok(hr == BG_E_RANDOM_ACCESS_NOT_SUPPORTED, "file copy: UpdateDownloadPosition got %#lx\n", hr);
            IBackgroundCopyFile6_Release(file6);
        }
        cancel_job(job);
    }
    DeleteFileW(url);

    /* A server that ignores Range: ERROR, BG_E_RANDOM_ACCESS_NOT_SUPPORTED. */
    swprintf(url, ARRAY_SIZE(url), L"http://127.0.0.1:%hs/norange/4k.bin", servers.fault_port);
    if ((job = create_download(L"no ranges on demand", url, local)))
    {
        ok(set_on_demand(job) == S_OK, "ON_DEMAND_MODE failed\n");
        state = run_job(job, &code);
        ok(state == BG_JOB_STATE_ERROR && code == BG_E_RANDOM_ACCESS_NOT_SUPPORTED, "no ranges: state %d code %#lx\n",
           state, code);
        cancel_job(job);
    }
    ok(GetFileAttributesW(local) == INVALID_FILE_ATTRIBUTES, "a file was left behind\n");
}

/* Without requests an on-demand job is an ordinary download of the whole file. */
static void test_whole_file(void)
{
    WCHAR url[256], local[MAX_PATH], source[MAX_PATH];
    IBackgroundCopyJob *job;
    BG_JOB_STATE state;
    HRESULT hr, code;

    swprintf(url, ARRAY_SIZE(url), L"http://127.0.0.1:%hs/1m.bin", servers.http_port);
    local_path(local, L"ondemand-whole.bin");
    served_path(L"1m.bin", source);
    if (!(job = create_download(L"on demand, whole", url, local))) return;
    ok(set_on_demand(job) == S_OK, "ON_DEMAND_MODE failed\n");
    state = run_job(job, &code);
    ok(state == BG_JOB_STATE_TRANSFERRED, "state %d code %#lx\n", state, code);
    hr = IBackgroundCopyJob_Complete(job);
    ok(hr == S_OK, "Complete got %#lx\n", hr);
    ok(files_equal(local, source), "the file differs from the served one\n");
    IBackgroundCopyJob_Release(job);
    DeleteFileW(local);
}

START_TEST(ondemand)
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
        test_requested_ranges();
        test_ranges_rate_limit();
        test_not_eligible();
        test_whole_file();
        IBackgroundCopyManager_Release(manager);
    }
    CoUninitialize();
}

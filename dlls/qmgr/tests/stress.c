/*
 * Conformance test of many clients at once: 64 threads of one process each take local-copy jobs
 * from CreateJob to Complete, with their own names, sizes and contents, while 4 more threads
 * enumerate the queue and read every job they find, also jobs that another thread is completing
 * at that moment. Every call must get S_OK, every published file must be exactly its own
 * source, every job must keep its own name and progress, and none of the test's jobs may be left
 * in the queue. Sources are local files, so no server is needed; the transfer engine still runs
 * every job (at most 8 foreground jobs at a time), so the threads meet it as well as each other.
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

#define WORKERS 64
#define ROUNDS  2
#define READERS 4

static const WCHAR name_prefix[] = L"wine-bits stress ";

static LONG workers_left;
static HANDLE start_event;

/* The size and bytes of one worker's file in one round: different for every pair, so that a
 * file published from another job's source is seen. */
static DWORD file_size(unsigned int worker, unsigned int round)
{
    return 3000 + worker * 97 + round * 13;
}

static BYTE file_byte(unsigned int worker, unsigned int round, DWORD i)
{
    return (BYTE)(i * 31 + worker * 7 + round * 101);
}

static BOOL write_source(const WCHAR *path, unsigned int worker, unsigned int round)
{
    DWORD size = file_size(worker, round), written, i;
    BYTE *buf = HeapAlloc(GetProcessHeap(), 0, size);
    HANDLE handle;
    BOOL ret;

    for (i = 0; i < size; i++) buf[i] = file_byte(worker, round, i);
    handle = CreateFileW(path, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
    ret = handle != INVALID_HANDLE_VALUE && WriteFile(handle, buf, size, &written, NULL) && written == size;
    if (handle != INVALID_HANDLE_VALUE) CloseHandle(handle);
    HeapFree(GetProcessHeap(), 0, buf);
    return ret;
}

/* Is the file at path exactly this worker's file of this round? */
static BOOL check_contents(const WCHAR *path, unsigned int worker, unsigned int round)
{
    DWORD size = file_size(worker, round), read = 0, i;
    BYTE *buf = HeapAlloc(GetProcessHeap(), 0, size + 1);
    HANDLE handle;
    BOOL ret = FALSE;

    handle = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    if (handle != INVALID_HANDLE_VALUE)
    {
        ReadFile(handle, buf, size + 1, &read, NULL);
        CloseHandle(handle);
        ret = read == size;
        for (i = 0; ret && i < size; i++) ret = buf[i] == file_byte(worker, round, i);
    }
    HeapFree(GetProcessHeap(), 0, buf);
    return ret;
}

static BG_JOB_STATE wait_resting(IBackgroundCopyJob *job)
{
    BG_JOB_STATE state = BG_JOB_STATE_QUEUED;
    DWORD start = GetTickCount();

    while (GetTickCount() - start < 120000)
    {
        if (FAILED(IBackgroundCopyJob_GetState(job, &state))) break;
        if (state == BG_JOB_STATE_TRANSFERRED || state == BG_JOB_STATE_ERROR
            || state == BG_JOB_STATE_TRANSIENT_ERROR || state == BG_JOB_STATE_SUSPENDED)
            break;
        Sleep(20);
    }
    return state;
}

static void worker_round(unsigned int worker, unsigned int round)
{
    WCHAR name[64], source[MAX_PATH], local[MAX_PATH], *text;
    BG_JOB_PROGRESS progress;
    IBackgroundCopyJob *job;
    BG_JOB_STATE state;
    HRESULT hr;
    GUID id;

    swprintf(name, ARRAY_SIZE(name), L"%ls%u.%u", name_prefix, worker, round);
    swprintf(source, MAX_PATH, L"%lsstress-src-%u-%u.bin", temp_dir, worker, round);
    swprintf(local, MAX_PATH, L"%lsstress-dst-%u-%u.bin", temp_dir, worker, round);
    DeleteFileW(local);
    if (!write_source(source, worker, round))
    {
        ok(0, "%u.%u: cannot write the source: %lu\n", worker, round, GetLastError());
        return;
    }

    hr = IBackgroundCopyManager_CreateJob(manager, name, BG_JOB_TYPE_DOWNLOAD, &id, &job);
    ok(hr == S_OK, "%u.%u: CreateJob got %#lx\n", worker, round, hr);
    if (hr != S_OK) goto done;
    hr = IBackgroundCopyJob_AddFile(job, source, local);
    ok(hr == S_OK, "%u.%u: AddFile got %#lx\n", worker, round, hr);
    hr = IBackgroundCopyJob_SetPriority(job, BG_JOB_PRIORITY_FOREGROUND);
    ok(hr == S_OK, "%u.%u: SetPriority got %#lx\n", worker, round, hr);
    hr = IBackgroundCopyJob_SetDescription(job, name);
    ok(hr == S_OK, "%u.%u: SetDescription got %#lx\n", worker, round, hr);
    hr = IBackgroundCopyJob_Resume(job);
    ok(hr == S_OK, "%u.%u: Resume got %#lx\n", worker, round, hr);

    state = wait_resting(job);
    ok(state == BG_JOB_STATE_TRANSFERRED, "%u.%u: state %d\n", worker, round, state);

    text = NULL;
    hr = IBackgroundCopyJob_GetDisplayName(job, &text);
    ok(hr == S_OK && text && !wcscmp(text, name), "%u.%u: GetDisplayName got %#lx %s\n", worker, round, hr,
       wine_dbgstr_w(text));
    CoTaskMemFree(text);
    memset(&progress, 0xcc, sizeof(progress));
    hr = IBackgroundCopyJob_GetProgress(job, &progress);
    ok(hr == S_OK, "%u.%u: GetProgress got %#lx\n", worker, round, hr);
    ok(progress.BytesTotal == file_size(worker, round) && progress.BytesTransferred == progress.BytesTotal
       && progress.FilesTotal == 1 && progress.FilesTransferred == 1,
       "%u.%u: progress %I64u/%I64u bytes %lu/%lu files\n", worker, round, progress.BytesTransferred,
       progress.BytesTotal, progress.FilesTransferred, progress.FilesTotal);

    hr = IBackgroundCopyJob_Complete(job);
    ok(hr == S_OK, "%u.%u: Complete got %#lx\n", worker, round, hr);
    if (hr != S_OK) IBackgroundCopyJob_Cancel(job);
    IBackgroundCopyJob_Release(job);
    ok(check_contents(local, worker, round), "%u.%u: the published file is not its source\n", worker, round);

done:
    DeleteFileW(local);
    DeleteFileW(source);
}

static DWORD WINAPI worker_thread(void *arg)
{
    unsigned int worker = (unsigned int)(ULONG_PTR)arg, round;

    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    WaitForSingleObject(start_event, INFINITE);
    for (round = 0; round < ROUNDS; round++) worker_round(worker, round);
    InterlockedDecrement(&workers_left);
    CoUninitialize();
    return 0;
}

/* Reads one job as a monitoring program would. A job of this test that a worker completes
 * meanwhile leaves the queue but keeps answering reads through this reference. Another
 * program's job may be cancelled meanwhile as well; its reads are not checked. */
static void read_job(IBackgroundCopyJob *job, LONG *reads)
{
    IEnumBackgroundCopyFiles *files;
    IBackgroundCopyFile *file;
    BG_JOB_PROGRESS progress;
    BG_JOB_STATE state;
    WCHAR *name = NULL, *text;
    BOOL ours;
    HRESULT hr;

    if (IBackgroundCopyJob_GetDisplayName(job, &name) != S_OK) return;
    ours = !wcsncmp(name, name_prefix, wcslen(name_prefix));
    if (ours)
    {
        text = NULL;
        hr = IBackgroundCopyJob_GetDescription(job, &text);
        /* The description is set right after AddFile: empty until then, the name after. */
        ok(hr == S_OK && text && (!*text || !wcscmp(text, name)), "%s: GetDescription got %#lx %s\n",
           wine_dbgstr_w(name), hr, wine_dbgstr_w(text));
        CoTaskMemFree(text);
        hr = IBackgroundCopyJob_GetState(job, &state);
        ok(hr == S_OK, "%s: GetState got %#lx\n", wine_dbgstr_w(name), hr);
        hr = IBackgroundCopyJob_GetProgress(job, &progress);
        ok(hr == S_OK && progress.FilesTotal <= 1, "%s: GetProgress got %#lx, %lu files\n", wine_dbgstr_w(name),
           hr, progress.FilesTotal);
        hr = IBackgroundCopyJob_EnumFiles(job, &files);
        ok(hr == S_OK, "%s: EnumFiles got %#lx\n", wine_dbgstr_w(name), hr);
        if (hr == S_OK)
        {
            while (IEnumBackgroundCopyFiles_Next(files, 1, &file, NULL) == S_OK)
            {
                text = NULL;
                hr = IBackgroundCopyFile_GetLocalName(file, &text);
                ok(hr == S_OK && text && wcsstr(text, L"stress-dst-"), "%s: GetLocalName got %#lx %s\n",
                   wine_dbgstr_w(name), hr, wine_dbgstr_w(text));
                CoTaskMemFree(text);
                IBackgroundCopyFile_Release(file);
            }
            IEnumBackgroundCopyFiles_Release(files);
        }
        InterlockedIncrement(reads);
    }
    CoTaskMemFree(name);
}

static DWORD WINAPI reader_thread(void *arg)
{
    LONG *reads = arg;
    IEnumBackgroundCopyJobs *jobs;
    IBackgroundCopyJob *job;
    HRESULT hr;

    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    WaitForSingleObject(start_event, INFINITE);
    while (workers_left)
    {
        hr = IBackgroundCopyManager_EnumJobs(manager, 0, &jobs);
        ok(hr == S_OK, "EnumJobs got %#lx\n", hr);
        if (hr != S_OK) break;
        while (IEnumBackgroundCopyJobs_Next(jobs, 1, &job, NULL) == S_OK)
        {
            read_job(job, reads);
            IBackgroundCopyJob_Release(job);
        }
        IEnumBackgroundCopyJobs_Release(jobs);
    }
    CoUninitialize();
    return 0;
}

/* The number of jobs of this test in the queue. */
static unsigned int count_ours(void)
{
    IEnumBackgroundCopyJobs *jobs;
    IBackgroundCopyJob *job;
    unsigned int count = 0;
    WCHAR *name;

    if (IBackgroundCopyManager_EnumJobs(manager, 0, &jobs) != S_OK) return ~0u;
    while (IEnumBackgroundCopyJobs_Next(jobs, 1, &job, NULL) == S_OK)
    {
        name = NULL;
        if (IBackgroundCopyJob_GetDisplayName(job, &name) == S_OK
            && !wcsncmp(name, name_prefix, wcslen(name_prefix)))
            count++;
        CoTaskMemFree(name);
        IBackgroundCopyJob_Release(job);
    }
    IEnumBackgroundCopyJobs_Release(jobs);
    return count;
}

static void test_many_clients(void)
{
    HANDLE threads[WORKERS + READERS];
    LONG reads[READERS] = { 0 };
    unsigned int left;
    unsigned int i;
    LONG total = 0;
    DWORD ret;

    ok(count_ours() == 0, "jobs of an earlier run are in the queue\n");
    start_event = CreateEventW(NULL, TRUE, FALSE, NULL);
    workers_left = WORKERS;
    for (i = 0; i < WORKERS; i++)
        threads[i] = CreateThread(NULL, 0, worker_thread, (void *)(ULONG_PTR)i, 0, NULL);
    for (i = 0; i < READERS; i++)
        threads[WORKERS + i] = CreateThread(NULL, 0, reader_thread, &reads[i], 0, NULL);
    SetEvent(start_event);
    /* WaitForMultipleObjects takes at most 64 handles: the workers, then the readers. */
    ret = WaitForMultipleObjects(WORKERS, threads, TRUE, 300000);
    ok(ret == WAIT_OBJECT_0, "the workers did not end: %#lx\n", ret);
    ret = WaitForMultipleObjects(READERS, threads + WORKERS, TRUE, 60000);
    ok(ret == WAIT_OBJECT_0, "the readers did not end: %#lx\n", ret);
    for (i = 0; i < WORKERS + READERS; i++) CloseHandle(threads[i]);
    for (i = 0; i < READERS; i++) total += reads[i];
    ok(total > 0, "the readers read no job of the test\n");
    trace("%u workers completed %u jobs; the readers read the test's jobs %ld times\n", WORKERS,
          WORKERS * ROUNDS, total);
    left = count_ours();
    ok(left == 0, "%u jobs of the test are left in the queue\n", left);
    CloseHandle(start_event);
}

START_TEST(stress)
{
    if (start_manager())
    {
        test_many_clients();
    }
    stop_manager();
}

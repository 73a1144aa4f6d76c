/*
 * Conformance tests for jobs in a final state (ACKNOWLEDGED after Complete, CANCELLED after
 * Cancel) seen through the objects a client still holds: the job keeps answering every read
 * method (its files, their names and progress, its times and properties) and only refuses
 * changes. Chromium's component updater, for one, completes a job and then reads the first
 * file's local name and progress from EnumFiles. The job leaves the queue at once all the same
 * (GetJob, EnumJobs). Sources are local files (valid remote names), so no server is needed.
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
#include "bitsall.h"
#include "wine/test.h"
#include "bits_test.h"

static const char data[] = "final job data";

static void make_file(const WCHAR *path, const char *text)
{
    HANDLE handle = CreateFileW(path, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
    DWORD written;

    ok(handle != INVALID_HANDLE_VALUE, "cannot create %s: %lu\n", wine_dbgstr_w(path), GetLastError());
    WriteFile(handle, text, strlen(text), &written, NULL);
    CloseHandle(handle);
}

static BG_JOB_STATE wait_state(IBackgroundCopyJob *job, BG_JOB_STATE want)
{
    BG_JOB_STATE state = 0xdead;
    DWORD start = GetTickCount();

    IBackgroundCopyJob_GetState(job, &state);
    while (state != want && GetTickCount() - start < 15000)
    {
        Sleep(20);
        IBackgroundCopyJob_GetState(job, &state);
    }
    return state;
}

/* A download job of one file from src to local, TRANSFERRED; NULL on failure. */
static IBackgroundCopyJob *transferred_job(const WCHAR *name, const WCHAR *src, const WCHAR *local, GUID *id)
{
    IBackgroundCopyJob *job;
    BG_JOB_STATE state;
    HRESULT hr;

    if (!(job = create_job(name, BG_JOB_TYPE_DOWNLOAD))) return NULL;
    IBackgroundCopyJob_GetId(job, id);
    hr = IBackgroundCopyJob_AddFile(job, src, local);
    ok(hr == S_OK, "AddFile got %#lx\n", hr);
    hr = IBackgroundCopyJob_Resume(job);
    ok(hr == S_OK, "Resume got %#lx\n", hr);
    state = wait_state(job, BG_JOB_STATE_TRANSFERRED);
    ok(state == BG_JOB_STATE_TRANSFERRED, "state %d\n", state);
    if (state == BG_JOB_STATE_TRANSFERRED) return job;
    cancel_job(job);
    return NULL;
}

/* Is the job with this id in EnumJobs? */
static BOOL job_listed(const GUID *id)
{
    IEnumBackgroundCopyJobs *jobs;
    IBackgroundCopyJob *job;
    BOOL found = FALSE;
    GUID got;

    if (FAILED(IBackgroundCopyManager_EnumJobs(manager, 0, &jobs))) return FALSE;
    while (!found && IEnumBackgroundCopyJobs_Next(jobs, 1, &job, NULL) == S_OK)
    {
        if (SUCCEEDED(IBackgroundCopyJob_GetId(job, &got))) found = IsEqualGUID(&got, id);
        IBackgroundCopyJob_Release(job);
    }
    IEnumBackgroundCopyJobs_Release(jobs);
    return found;
}

/* The names of a file, as the client reads them. */
static void check_file_names(IBackgroundCopyFile *file, const WCHAR *remote, const WCHAR *local)
{
    WCHAR *name;
    HRESULT hr;

    name = NULL;
    hr = IBackgroundCopyFile_GetLocalName(file, &name);
    ok(hr == S_OK && name && !lstrcmpiW(name, local), "GetLocalName got %#lx, %s\n", hr, wine_dbgstr_w(name));
    CoTaskMemFree(name);
    name = NULL;
    hr = IBackgroundCopyFile_GetRemoteName(file, &name);
    ok(hr == S_OK && name && !lstrcmpiW(name, remote), "GetRemoteName got %#lx, %s\n", hr, wine_dbgstr_w(name));
    CoTaskMemFree(name);
}

/* What does not depend on how the job ended: the queue has let go of it, its reads answer,
 * changes are refused. */
static void check_final_reads(IBackgroundCopyJob *job, const GUID *id, BG_JOB_STATE want)
{
    IBackgroundCopyJob *found = NULL;
    IBackgroundCopyError *error;
    BG_JOB_PRIORITY priority;
    BG_JOB_TIMES times;
    BG_JOB_STATE state;
    WCHAR *name, other[MAX_PATH];
    ULONG count;
    GUID got;
    HRESULT hr;

    hr = IBackgroundCopyJob_GetState(job, &state);
    ok(hr == S_OK && state == want, "GetState got %#lx, %d\n", hr, state);
    hr = IBackgroundCopyManager_GetJob(manager, id, &found);
    ok(hr == BG_E_NOT_FOUND, "GetJob got %#lx\n", hr);
    if (found) IBackgroundCopyJob_Release(found);
    ok(!job_listed(id), "EnumJobs lists the final job\n");

    hr = IBackgroundCopyJob_GetId(job, &got);
    ok(hr == S_OK && IsEqualGUID(&got, id), "GetId got %#lx\n", hr);
    name = NULL;
    hr = IBackgroundCopyJob_GetDisplayName(job, &name);
    ok(hr == S_OK && name && !lstrcmpW(name, L"final reads"), "GetDisplayName got %#lx, %s\n", hr,
       wine_dbgstr_w(name));
    CoTaskMemFree(name);
    hr = IBackgroundCopyJob_GetTimes(job, &times);
    ok(hr == S_OK, "GetTimes got %#lx\n", hr);
    ok(times.CreationTime.dwLowDateTime || times.CreationTime.dwHighDateTime, "no creation time\n");
    ok(times.TransferCompletionTime.dwLowDateTime || times.TransferCompletionTime.dwHighDateTime,
       "no transfer completion time\n");
    hr = IBackgroundCopyJob_GetPriority(job, &priority);
    ok(hr == S_OK && priority == BG_JOB_PRIORITY_FOREGROUND, "GetPriority got %#lx, %d\n", hr, priority);
    count = 0xdead;
    hr = IBackgroundCopyJob_GetErrorCount(job, &count);
    ok(hr == S_OK && !count, "GetErrorCount got %#lx, %lu\n", hr, count);
    error = (IBackgroundCopyError *)0xdeadbeef;
    hr = IBackgroundCopyJob_GetError(job, &error);
    ok(hr == BG_E_ERROR_INFORMATION_UNAVAILABLE, "GetError got %#lx\n", hr);

    local_path(other, L"final_other.bin");
    hr = IBackgroundCopyJob_AddFile(job, L"http://127.0.0.1:9/never.bin", other);
    ok(hr == BG_E_INVALID_STATE, "AddFile got %#lx\n", hr);
    hr = IBackgroundCopyJob_Resume(job);
    ok(hr == BG_E_INVALID_STATE, "Resume got %#lx\n", hr);
}

/* Chromium's order: Complete, EnumFiles, the first file's local name and progress. */
static void test_complete(void)
{
    WCHAR src[MAX_PATH], local[MAX_PATH];
    IBackgroundCopyFile *before, *file;
    IEnumBackgroundCopyFiles *files;
    BG_FILE_PROGRESS progress;
    BG_JOB_PROGRESS job_progress;
    IBackgroundCopyJob *job;
    ULONG count, fetched;
    GUID id;
    HRESULT hr;

    local_path(src, L"final_src.txt");
    local_path(local, L"final_complete.txt");
    make_file(src, data);
    DeleteFileW(local);
    if (!(job = transferred_job(L"final reads", src, local, &id))) return;
    hr = IBackgroundCopyJob_SetPriority(job, BG_JOB_PRIORITY_FOREGROUND);
    ok(hr == S_OK, "SetPriority got %#lx\n", hr);
    before = get_file(job, 0);

    hr = IBackgroundCopyJob_Complete(job);
    ok(hr == S_OK, "Complete got %#lx\n", hr);

    files = NULL;
    hr = IBackgroundCopyJob_EnumFiles(job, &files);
    ok(hr == S_OK, "EnumFiles got %#lx\n", hr);
    if (files)
    {
        count = 0;
        hr = IEnumBackgroundCopyFiles_GetCount(files, &count);
        ok(hr == S_OK && count == 1, "GetCount got %#lx, %lu\n", hr, count);
        file = NULL;
        fetched = 0;
        hr = IEnumBackgroundCopyFiles_Next(files, 1, &file, &fetched);
        ok(hr == S_OK && fetched == 1 && file, "Next got %#lx, %lu\n", hr, fetched);
        if (file)
        {
            check_file_names(file, src, local);
            memset(&progress, 0xcc, sizeof(progress));
            hr = IBackgroundCopyFile_GetProgress(file, &progress);
            ok(hr == S_OK, "GetProgress got %#lx\n", hr);
            ok(progress.Completed, "the file is not completed\n");
            ok(progress.BytesTotal == strlen(data) && progress.BytesTransferred == strlen(data),
               "bytes %s / %s\n", wine_dbgstr_longlong(progress.BytesTransferred),
               wine_dbgstr_longlong(progress.BytesTotal));
            IBackgroundCopyFile_Release(file);
        }
        IEnumBackgroundCopyFiles_Release(files);
    }

    hr = IBackgroundCopyJob_GetProgress(job, &job_progress);
    ok(hr == S_OK, "GetProgress got %#lx\n", hr);
    ok(job_progress.FilesTotal == 1 && job_progress.FilesTransferred == 1, "files %lu / %lu\n",
       job_progress.FilesTransferred, job_progress.FilesTotal);
    ok(job_progress.BytesTotal == strlen(data) && job_progress.BytesTransferred == strlen(data),
       "bytes %s / %s\n", wine_dbgstr_longlong(job_progress.BytesTransferred),
       wine_dbgstr_longlong(job_progress.BytesTotal));
    winetest_push_context("acknowledged");
    check_final_reads(job, &id, BG_JOB_STATE_ACKNOWLEDGED);
    winetest_pop_context();

    /* A file object from before Complete answers too, also once the client let go of the job. */
    IBackgroundCopyJob_Release(job);
    if (before)
    {
        check_file_names(before, src, local);
        hr = IBackgroundCopyFile_GetProgress(before, &progress);
        ok(hr == S_OK && progress.Completed && progress.BytesTransferred == strlen(data),
           "GetProgress got %#lx, completed %d, %s bytes\n", hr, progress.Completed,
           wine_dbgstr_longlong(progress.BytesTransferred));
        IBackgroundCopyFile_Release(before);
    }
    DeleteFileW(src);
    DeleteFileW(local);
}

/* Cancel keeps the files listed as they were; the temp file goes, the destination never came. */
static void test_cancel(void)
{
    WCHAR src[MAX_PATH], local[MAX_PATH];
    IBackgroundCopyFile *before, *file;
    BG_FILE_PROGRESS progress;
    BG_JOB_PROGRESS job_progress;
    IBackgroundCopyJob *job;
    GUID id;
    HRESULT hr;

    local_path(src, L"final_src.txt");
    local_path(local, L"final_cancel.txt");
    make_file(src, data);
    DeleteFileW(local);
    if (!(job = transferred_job(L"final reads", src, local, &id))) return;
    hr = IBackgroundCopyJob_SetPriority(job, BG_JOB_PRIORITY_FOREGROUND);
    ok(hr == S_OK, "SetPriority got %#lx\n", hr);
    before = get_file(job, 0);

    hr = IBackgroundCopyJob_Cancel(job);
    ok(hr == S_OK, "Cancel got %#lx\n", hr);
    ok(GetFileAttributesW(local) == INVALID_FILE_ATTRIBUTES, "Cancel created %s\n", wine_dbgstr_w(local));

    if ((file = get_file(job, 0)))
    {
        check_file_names(file, src, local);
        hr = IBackgroundCopyFile_GetProgress(file, &progress);
        ok(hr == S_OK, "GetProgress got %#lx\n", hr);
        ok(!progress.Completed, "a cancelled file is completed\n");
        ok(progress.BytesTotal == strlen(data), "BytesTotal %s\n", wine_dbgstr_longlong(progress.BytesTotal));
        IBackgroundCopyFile_Release(file);
    }
    /* The files are still counted (Wine's builtin BITS also gives the file count). */
    hr = IBackgroundCopyJob_GetProgress(job, &job_progress);
    ok(hr == S_OK, "GetProgress got %#lx\n", hr);
    ok(job_progress.FilesTotal == 1, "FilesTotal %lu\n", job_progress.FilesTotal);
    ok(job_progress.BytesTotal == strlen(data), "BytesTotal %s\n", wine_dbgstr_longlong(job_progress.BytesTotal));
    winetest_push_context("cancelled");
    check_final_reads(job, &id, BG_JOB_STATE_CANCELLED);
    winetest_pop_context();

    IBackgroundCopyJob_Release(job);
    if (before)
    {
        check_file_names(before, src, local);
        IBackgroundCopyFile_Release(before);
    }
    DeleteFileW(src);
}

START_TEST(final)
{
    HRESULT hr = CoInitializeEx(NULL, COINIT_MULTITHREADED);

    ok(hr == S_OK, "CoInitializeEx got %#lx\n", hr);
    hr = CoInitializeSecurity(NULL, -1, NULL, NULL, RPC_C_AUTHN_LEVEL_DEFAULT, RPC_C_IMP_LEVEL_IMPERSONATE, NULL,
                              EOAC_DYNAMIC_CLOAKING, NULL);
    if (FAILED(hr)) trace("CoInitializeSecurity got %#lx\n", hr);
    GetTempPathW(ARRAY_SIZE(temp_dir), temp_dir);
    hr = CoCreateInstance(&CLSID_BackgroundCopyManager, NULL, CLSCTX_LOCAL_SERVER, &IID_IBackgroundCopyManager,
                          (void **)&manager);
    ok(hr == S_OK, "CoCreateInstance got %#lx\n", hr);
    if (hr == S_OK)
    {
        test_complete();
        test_cancel();
        IBackgroundCopyManager_Release(manager);
    }
    CoUninitialize();
}

/*
 * Conformance tests for the job state machine without a network: Resume,
 * Suspend, Cancel and Complete, what they do to files, every BG_E_INVALID_STATE case of a
 * job in a final state, GetTimes, GetError and GetProgress. Transfers use local files as
 * sources (local paths are valid remote names), so no server is needed; remote
 * names that must never transfer point at a closed port of the loopback address.
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


static const WCHAR unreachable[] = L"http://127.0.0.1:9/never.bin";

static void make_file(const WCHAR *path, const char *data)
{
    HANDLE handle = CreateFileW(path, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
    DWORD written;

    ok(handle != INVALID_HANDLE_VALUE, "cannot create %s: %lu\n", wine_dbgstr_w(path), GetLastError());
    WriteFile(handle, data, strlen(data), &written, NULL);
    CloseHandle(handle);
}

static BOOL file_exists(const WCHAR *path)
{
    return GetFileAttributesW(path) != INVALID_FILE_ATTRIBUTES;
}

/* Does the file hold exactly this text? */
static BOOL file_is(const WCHAR *path, const char *data)
{
    char buffer[256];
    DWORD read = 0;
    HANDLE handle;

    handle = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                         OPEN_EXISTING, 0, NULL);
    if (handle == INVALID_HANDLE_VALUE) return FALSE;
    ReadFile(handle, buffer, sizeof(buffer), &read, NULL);
    CloseHandle(handle);
    return read == strlen(data) && !memcmp(buffer, data, read);
}

static BG_JOB_STATE job_state(IBackgroundCopyJob *job)
{
    BG_JOB_STATE state = 0xdead;
    HRESULT hr = IBackgroundCopyJob_GetState(job, &state);

    ok(hr == S_OK, "GetState got %#lx\n", hr);
    return state;
}

/* Wait up to 15 seconds for a state; returns the last state seen. */
static BG_JOB_STATE wait_state(IBackgroundCopyJob *job, BG_JOB_STATE want)
{
    BG_JOB_STATE state = job_state(job);
    DWORD start = GetTickCount();

    while (state != want && GetTickCount() - start < 15000)
    {
        Sleep(20);
        IBackgroundCopyJob_GetState(job, &state);
    }
    return state;
}

/* The temp name of the index-th file (CoTaskMemFree), or NULL. */
static WCHAR *temp_name(IBackgroundCopyJob *job, ULONG index)
{
    IBackgroundCopyFile3 *file3;
    IBackgroundCopyFile *file;
    WCHAR *name = NULL;
    HRESULT hr;

    if (!(file = get_file(job, index))) return NULL;
    if (SUCCEEDED(IBackgroundCopyFile_QueryInterface(file, &IID_IBackgroundCopyFile3, (void **)&file3)))
    {
        hr = IBackgroundCopyFile3_GetTemporaryName(file3, &name);
        ok(hr == S_OK && name, "GetTemporaryName got %#lx, %s\n", hr, wine_dbgstr_w(name));
        IBackgroundCopyFile3_Release(file3);
    }
    IBackgroundCopyFile_Release(file);
    return name;
}

static void test_resume_suspend(void)
{
    IBackgroundCopyJob *job;
    BG_JOB_STATE state;
    WCHAR local[MAX_PATH];
    HRESULT hr;

    if (!(job = create_job(L"resume", BG_JOB_TYPE_DOWNLOAD))) return;
    /* BG_E_EMPTY, and the job stays SUSPENDED */
    hr = IBackgroundCopyJob_Resume(job);
    ok(hr == BG_E_EMPTY, "Resume without files got %#lx\n", hr);
    state = job_state(job);
    ok(state == BG_JOB_STATE_SUSPENDED, "state %d\n", state);
    /* Suspending a suspended job is a no-op. */
    hr = IBackgroundCopyJob_Suspend(job);
    ok(hr == S_OK, "Suspend got %#lx\n", hr);
    state = job_state(job);
    ok(state == BG_JOB_STATE_SUSPENDED, "state %d\n", state);

    local_path(local, L"resume.bin");
    hr = IBackgroundCopyJob_AddFile(job, unreachable, local);
    ok(hr == S_OK, "AddFile got %#lx\n", hr);
    hr = IBackgroundCopyJob_Resume(job);
    ok(hr == S_OK, "Resume got %#lx\n", hr);
    /* QUEUED, or already on its way to a transient error */
    state = job_state(job);
    ok(state == BG_JOB_STATE_QUEUED || state == BG_JOB_STATE_CONNECTING || state == BG_JOB_STATE_TRANSIENT_ERROR,
       "state after Resume %d\n", state);
    /* Resume of an active job leaves it where it is. */
    hr = IBackgroundCopyJob_Resume(job);
    ok(hr == S_OK, "a second Resume got %#lx\n", hr);
    hr = IBackgroundCopyJob_Suspend(job);
    ok(hr == S_OK, "Suspend got %#lx\n", hr);
    state = job_state(job);
    ok(state == BG_JOB_STATE_SUSPENDED, "state after Suspend %d\n", state);
    Sleep(100);
    state = job_state(job);
    ok(state == BG_JOB_STATE_SUSPENDED, "a suspended job moved on to %d\n", state);
    hr = IBackgroundCopyJob_Cancel(job);
    ok(hr == S_OK, "Cancel got %#lx\n", hr);
    state = job_state(job);
    ok(state == BG_JOB_STATE_CANCELLED, "state after Cancel %d\n", state);
    IBackgroundCopyJob_Release(job);
    ok(!file_exists(local), "Cancel left %s\n", wine_dbgstr_w(local));
}

/* Cancel deletes what BITS made, never a destination that existed before. */
static void test_cancel_files(void)
{
    WCHAR src[MAX_PATH], existing[MAX_PATH], fresh[MAX_PATH], *temp0, *temp1;
    IBackgroundCopyJob *job;
    BG_JOB_STATE state;
    HRESULT hr;

    local_path(src, L"cancel_src.txt");
    local_path(existing, L"cancel_existing.txt");
    local_path(fresh, L"cancel_fresh.txt");
    make_file(src, "new data");
    make_file(existing, "old data");
    DeleteFileW(fresh);

    /* Before any transfer. */
    if (!(job = create_job(L"cancel untransferred", BG_JOB_TYPE_DOWNLOAD))) return;
    hr = IBackgroundCopyJob_AddFile(job, unreachable, existing);
    ok(hr == S_OK, "AddFile got %#lx\n", hr);
    temp0 = temp_name(job, 0);
    hr = IBackgroundCopyJob_Cancel(job);
    ok(hr == S_OK, "Cancel got %#lx\n", hr);
    ok(file_is(existing, "old data"), "Cancel touched the existing destination\n");
    if (temp0) ok(!file_exists(temp0), "Cancel left the temp file %s\n", wine_dbgstr_w(temp0));
    CoTaskMemFree(temp0);
    IBackgroundCopyJob_Release(job);

    /* After the transfer: the temp files hold the data, the destinations are untouched. */
    if (!(job = create_job(L"cancel transferred", BG_JOB_TYPE_DOWNLOAD))) return;
    hr = IBackgroundCopyJob_AddFile(job, src, existing);
    ok(hr == S_OK, "AddFile got %#lx\n", hr);
    hr = IBackgroundCopyJob_AddFile(job, src, fresh);
    ok(hr == S_OK, "AddFile got %#lx\n", hr);
    hr = IBackgroundCopyJob_Resume(job);
    ok(hr == S_OK, "Resume got %#lx\n", hr);
    state = wait_state(job, BG_JOB_STATE_TRANSFERRED);
    ok(state == BG_JOB_STATE_TRANSFERRED, "state %d\n", state);
    temp0 = temp_name(job, 0);
    temp1 = temp_name(job, 1);
    /* Files become visible only after Complete. */
    ok(file_is(existing, "old data"), "the destination changed before Complete\n");
    ok(!file_exists(fresh), "the new destination exists before Complete\n");
    if (temp0) ok(file_is(temp0, "new data"), "the temp file does not hold the data\n");

    hr = IBackgroundCopyJob_Cancel(job);
    ok(hr == S_OK, "Cancel got %#lx\n", hr);
    ok(file_is(existing, "old data"), "Cancel touched the existing destination\n");
    ok(!file_exists(fresh), "Cancel left %s\n", wine_dbgstr_w(fresh));
    if (temp0) ok(!file_exists(temp0), "Cancel left the temp file %s\n", wine_dbgstr_w(temp0));
    if (temp1) ok(!file_exists(temp1), "Cancel left the temp file %s\n", wine_dbgstr_w(temp1));
    CoTaskMemFree(temp0);
    CoTaskMemFree(temp1);
    IBackgroundCopyJob_Release(job);

    ok(file_is(src, "new data"), "the source changed\n");
    DeleteFileW(src);
    DeleteFileW(existing);
    DeleteFileW(fresh);
}

static void test_complete(void)
{
    WCHAR src[MAX_PATH], existing[MAX_PATH], fresh[MAX_PATH], never[MAX_PATH], *temp0, *temp1;
    IBackgroundCopyFile *file;
    IBackgroundCopyJob3 *job3;
    IBackgroundCopyJob *job;
    BG_FILE_PROGRESS progress;
    BG_JOB_PROGRESS job_progress;
    BG_JOB_TIMES times;
    IBackgroundCopyError *error;
    BG_JOB_STATE state;
    HRESULT hr;

    local_path(src, L"complete_src.txt");
    local_path(existing, L"complete_existing.txt");
    local_path(fresh, L"complete_fresh.txt");
    local_path(never, L"complete_never.txt");
    make_file(src, "complete data");
    make_file(existing, "old data");
    DeleteFileW(fresh);
    DeleteFileW(never);

    /* Nothing transferred: BG_S_PARTIAL_COMPLETE, and no file appears. */
    if (!(job = create_job(L"complete untransferred", BG_JOB_TYPE_DOWNLOAD))) return;
    hr = IBackgroundCopyJob_AddFile(job, unreachable, never);
    ok(hr == S_OK, "AddFile got %#lx\n", hr);
    temp0 = temp_name(job, 0);
    hr = IBackgroundCopyJob_Complete(job);
    ok(hr == BG_S_PARTIAL_COMPLETE, "Complete got %#lx\n", hr);
    state = job_state(job);
    ok(state == BG_JOB_STATE_ACKNOWLEDGED, "state %d\n", state);
    ok(!file_exists(never), "Complete created %s\n", wine_dbgstr_w(never));
    if (temp0) ok(!file_exists(temp0), "Complete left the temp file %s\n", wine_dbgstr_w(temp0));
    CoTaskMemFree(temp0);
    IBackgroundCopyJob_Release(job);

    /* Transferred: Complete renames the temp files over the destinations. */
    if (!(job = create_job(L"complete transferred", BG_JOB_TYPE_DOWNLOAD))) return;
    hr = IBackgroundCopyJob_AddFile(job, src, existing);
    ok(hr == S_OK, "AddFile got %#lx\n", hr);
    hr = IBackgroundCopyJob_AddFile(job, src, fresh);
    ok(hr == S_OK, "AddFile got %#lx\n", hr);
    hr = IBackgroundCopyJob_Resume(job);
    ok(hr == S_OK, "Resume got %#lx\n", hr);
    state = wait_state(job, BG_JOB_STATE_TRANSFERRED);
    ok(state == BG_JOB_STATE_TRANSFERRED, "state %d\n", state);

    hr = IBackgroundCopyJob_GetProgress(job, &job_progress);
    ok(hr == S_OK, "GetProgress got %#lx\n", hr);
    ok(job_progress.BytesTotal == 2 * strlen("complete data"), "BytesTotal %s\n",
       wine_dbgstr_longlong(job_progress.BytesTotal));
    ok(job_progress.BytesTransferred == job_progress.BytesTotal, "BytesTransferred %s\n",
       wine_dbgstr_longlong(job_progress.BytesTransferred));
    ok(job_progress.FilesTotal == 2 && job_progress.FilesTransferred == 2, "files %lu / %lu\n",
       job_progress.FilesTransferred, job_progress.FilesTotal);
    hr = IBackgroundCopyJob_GetTimes(job, &times);
    ok(hr == S_OK, "GetTimes got %#lx\n", hr);
    ok(CompareFileTime(&times.TransferCompletionTime, &times.CreationTime) >= 0, "completion before creation\n");
    /* no error information in TRANSFERRED, as Wine's tests see on Windows */
    error = (IBackgroundCopyError *)0xdeadbeef;
    hr = IBackgroundCopyJob_GetError(job, &error);
    ok(hr == BG_E_ERROR_INFORMATION_UNAVAILABLE, "GetError got %#lx\n", hr);
    /* ACL flags are fixed once TRANSFERRED */
    if (SUCCEEDED(IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJob3, (void **)&job3)))
    {
        hr = IBackgroundCopyJob3_SetFileACLFlags(job3, BG_COPY_FILE_DACL);
        ok(hr == BG_E_INVALID_STATE, "SetFileACLFlags in TRANSFERRED got %#lx\n", hr);
        IBackgroundCopyJob3_Release(job3);
    }
    /* Resume of a transferred job changes nothing. */
    hr = IBackgroundCopyJob_Resume(job);
    ok(hr == S_OK, "Resume got %#lx\n", hr);
    state = job_state(job);
    ok(state == BG_JOB_STATE_TRANSFERRED, "state after Resume %d\n", state);

    temp0 = temp_name(job, 0);
    temp1 = temp_name(job, 1);
    file = get_file(job, 1);
    hr = IBackgroundCopyJob_Complete(job);
    ok(hr == S_OK, "Complete got %#lx\n", hr);
    state = job_state(job);
    ok(state == BG_JOB_STATE_ACKNOWLEDGED, "state %d\n", state);
    ok(file_is(existing, "complete data"), "the existing destination was not replaced\n");
    ok(file_is(fresh, "complete data"), "the new destination is missing\n");
    if (temp0) ok(!file_exists(temp0), "the temp file %s is still there\n", wine_dbgstr_w(temp0));
    if (temp1) ok(!file_exists(temp1), "the temp file %s is still there\n", wine_dbgstr_w(temp1));
    CoTaskMemFree(temp0);
    CoTaskMemFree(temp1);
    if (file)
    {
        hr = IBackgroundCopyFile_GetProgress(file, &progress);
        ok(hr == S_OK && progress.Completed, "GetProgress got %#lx, completed %d\n", hr, progress.Completed);
        IBackgroundCopyFile_Release(file);
    }
    IBackgroundCopyJob_Release(job);

    DeleteFileW(src);
    DeleteFileW(existing);
    DeleteFileW(fresh);
}

/* A failed transfer: ERROR with error information. */
static void test_get_error(void)
{
    IBackgroundCopyError *error;
    IBackgroundCopyFile *file;
    IBackgroundCopyJob *job;
    BG_ERROR_CONTEXT context;
    BG_JOB_STATE state;
    WCHAR src[MAX_PATH], local[MAX_PATH], *name;
    HRESULT hr, code;
    ULONG count;

    local_path(src, L"no_such_source.txt");
    local_path(local, L"error_dest.txt");
    DeleteFileW(src);

    if (!(job = create_job(L"error", BG_JOB_TYPE_DOWNLOAD))) return;
    error = (IBackgroundCopyError *)0xdeadbeef;
    hr = IBackgroundCopyJob_GetError(job, &error);
    ok(hr == BG_E_ERROR_INFORMATION_UNAVAILABLE, "GetError of a new job got %#lx\n", hr);
    ok(!error, "got %p\n", error);

    hr = IBackgroundCopyJob_AddFile(job, src, local);
    ok(hr == S_OK, "AddFile got %#lx\n", hr);
    hr = IBackgroundCopyJob_Resume(job);
    ok(hr == S_OK, "Resume got %#lx\n", hr);
    /* a missing source file is fatal */
    state = wait_state(job, BG_JOB_STATE_ERROR);
    ok(state == BG_JOB_STATE_ERROR, "state %d\n", state);
    hr = IBackgroundCopyJob_GetErrorCount(job, &count);
    ok(hr == S_OK && count >= 1, "GetErrorCount got %#lx, %lu\n", hr, count);
    hr = IBackgroundCopyJob_GetError(job, &error);
    ok(hr == S_OK, "GetError in ERROR got %#lx\n", hr);
    if (hr == S_OK)
    {
        hr = IBackgroundCopyError_GetError(error, &context, &code);
        ok(hr == S_OK, "GetError got %#lx\n", hr);
        ok(context == BG_ERROR_CONTEXT_REMOTE_FILE, "context %d\n", context);
        ok(code == HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND), "code %#lx\n", code);
        hr = IBackgroundCopyError_GetFile(error, &file);
        ok(hr == S_OK, "GetFile got %#lx\n", hr);
        if (hr == S_OK)
        {
            hr = IBackgroundCopyFile_GetLocalName(file, &name);
            ok(hr == S_OK && name && !wcscmp(name, local), "got %#lx, %s\n", hr, wine_dbgstr_w(name));
            CoTaskMemFree(name);
            IBackgroundCopyFile_Release(file);
        }
        IBackgroundCopyError_Release(error);
    }
    /* Suspend leaves ERROR, and the error information goes with it. */
    hr = IBackgroundCopyJob_Suspend(job);
    ok(hr == S_OK, "Suspend got %#lx\n", hr);
    hr = IBackgroundCopyJob_GetError(job, &error);
    ok(hr == BG_E_ERROR_INFORMATION_UNAVAILABLE, "GetError after Suspend got %#lx\n", hr);
    hr = IBackgroundCopyJob_Cancel(job);
    ok(hr == S_OK, "Cancel got %#lx\n", hr);
    IBackgroundCopyJob_Release(job);
}

/* Every mutator of a job in a final state fails with BG_E_INVALID_STATE. */
static void check_final_job(IBackgroundCopyJob *job, IBackgroundCopyFile *file, BOOL acknowledged)
{
    static const BG_FILE_RANGE range = { 0, 10 };
    IBackgroundCopyJobHttpOptions3 *options;
    IBitsTokenOptions *token_options;
    IBackgroundCopyFile2 *file2;
    IBackgroundCopyFile3 *file3;
    IBackgroundCopyJob2 *job2;
    IBackgroundCopyJob3 *job3;
    IBackgroundCopyJob4 *job4;
    IBackgroundCopyJob5 *job5;
    BITS_JOB_PROPERTY_VALUE value;
    BG_AUTH_CREDENTIALS cred;
    BG_FILE_INFO info;
    BG_JOB_PROGRESS progress;
    BG_JOB_STATE state;
    WCHAR local[MAX_PATH], *str;
    HRESULT hr;

    IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJob2, (void **)&job2);
    IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJob3, (void **)&job3);
    IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJob4, (void **)&job4);
    IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJob5, (void **)&job5);
    IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJobHttpOptions3, (void **)&options);
    IBackgroundCopyJob_QueryInterface(job, &IID_IBitsTokenOptions, (void **)&token_options);

    state = job_state(job);
    ok(state == (acknowledged ? BG_JOB_STATE_ACKNOWLEDGED : BG_JOB_STATE_CANCELLED), "state %d\n", state);
    /* Getters still work. */
    hr = IBackgroundCopyJob_GetDisplayName(job, &str);
    ok(hr == S_OK, "GetDisplayName got %#lx\n", hr);
    CoTaskMemFree(str);
    hr = IBackgroundCopyJob_GetProgress(job, &progress);
    ok(hr == S_OK, "GetProgress got %#lx\n", hr);

    local_path(local, L"final.bin");
    hr = IBackgroundCopyJob_AddFile(job, unreachable, local);
    ok(hr == BG_E_INVALID_STATE, "AddFile got %#lx\n", hr);
    info.RemoteName = (WCHAR *)unreachable;
    info.LocalName = local;
    hr = IBackgroundCopyJob_AddFileSet(job, 1, &info);
    ok(hr == BG_E_INVALID_STATE, "AddFileSet got %#lx\n", hr);
    hr = IBackgroundCopyJob_Suspend(job);
    ok(hr == BG_E_INVALID_STATE, "Suspend got %#lx\n", hr);
    hr = IBackgroundCopyJob_Resume(job);
    ok(hr == BG_E_INVALID_STATE, "Resume got %#lx\n", hr);
    hr = IBackgroundCopyJob_Cancel(job);
    ok(hr == BG_E_INVALID_STATE, "Cancel got %#lx\n", hr);
    hr = IBackgroundCopyJob_Complete(job);
    ok(hr == BG_E_INVALID_STATE, "Complete got %#lx\n", hr);
    hr = IBackgroundCopyJob_SetDisplayName(job, L"name");
    ok(hr == BG_E_INVALID_STATE, "SetDisplayName got %#lx\n", hr);
    hr = IBackgroundCopyJob_SetDescription(job, L"description");
    ok(hr == BG_E_INVALID_STATE, "SetDescription got %#lx\n", hr);
    hr = IBackgroundCopyJob_SetPriority(job, BG_JOB_PRIORITY_HIGH);
    ok(hr == BG_E_INVALID_STATE, "SetPriority got %#lx\n", hr);
    hr = IBackgroundCopyJob_SetNotifyFlags(job, BG_NOTIFY_JOB_TRANSFERRED);
    ok(hr == BG_E_INVALID_STATE, "SetNotifyFlags got %#lx\n", hr);
    hr = IBackgroundCopyJob_SetNotifyInterface(job, NULL);
    ok(hr == BG_E_INVALID_STATE, "SetNotifyInterface got %#lx\n", hr);
    hr = IBackgroundCopyJob_SetMinimumRetryDelay(job, 60);
    ok(hr == BG_E_INVALID_STATE, "SetMinimumRetryDelay got %#lx\n", hr);
    hr = IBackgroundCopyJob_SetNoProgressTimeout(job, 60);
    ok(hr == BG_E_INVALID_STATE, "SetNoProgressTimeout got %#lx\n", hr);
    hr = IBackgroundCopyJob_SetProxySettings(job, BG_JOB_PROXY_USAGE_NO_PROXY, NULL, NULL);
    ok(hr == BG_E_INVALID_STATE, "SetProxySettings got %#lx\n", hr);
    hr = IBackgroundCopyJob_TakeOwnership(job);
    ok(hr == BG_E_INVALID_STATE, "TakeOwnership got %#lx\n", hr);

    hr = IBackgroundCopyJob2_SetNotifyCmdLine(job2, L"C:\\prog.exe", L"C:\\prog.exe /x");
    ok(hr == BG_E_INVALID_STATE, "SetNotifyCmdLine got %#lx\n", hr);
    cred.Target = BG_AUTH_TARGET_SERVER;
    cred.Scheme = BG_AUTH_SCHEME_BASIC;
    cred.Credentials.Basic.UserName = (WCHAR *)L"user";
    cred.Credentials.Basic.Password = (WCHAR *)L"secret";
    hr = IBackgroundCopyJob2_SetCredentials(job2, &cred);
    ok(hr == BG_E_INVALID_STATE, "SetCredentials got %#lx\n", hr);
    hr = IBackgroundCopyJob2_RemoveCredentials(job2, BG_AUTH_TARGET_SERVER, BG_AUTH_SCHEME_BASIC);
    ok(hr == BG_E_INVALID_STATE, "RemoveCredentials got %#lx\n", hr);

    hr = IBackgroundCopyJob3_ReplaceRemotePrefix(job3, L"http://127.0.0.1:9/", L"http://127.0.0.1:10/");
    ok(hr == BG_E_INVALID_STATE, "ReplaceRemotePrefix got %#lx\n", hr);
    hr = IBackgroundCopyJob3_AddFileWithRanges(job3, unreachable, local, 1, (BG_FILE_RANGE *)&range);
    ok(hr == BG_E_INVALID_STATE, "AddFileWithRanges got %#lx\n", hr);
    hr = IBackgroundCopyJob3_SetFileACLFlags(job3, BG_COPY_FILE_DACL);
    ok(hr == BG_E_INVALID_STATE, "SetFileACLFlags got %#lx\n", hr);

    hr = IBackgroundCopyJob4_SetPeerCachingFlags(job4, BG_JOB_DISABLE_BRANCH_CACHE);
    ok(hr == BG_E_INVALID_STATE, "SetPeerCachingFlags got %#lx\n", hr);
    hr = IBackgroundCopyJob4_SetMaximumDownloadTime(job4, 60);
    ok(hr == BG_E_INVALID_STATE, "SetMaximumDownloadTime got %#lx\n", hr);

    value.Dword = 1000;
    hr = IBackgroundCopyJob5_SetProperty(job5, BITS_JOB_PROPERTY_MINIMUM_NOTIFICATION_INTERVAL_MS, value);
    ok(hr == BG_E_INVALID_STATE, "SetProperty got %#lx\n", hr);

    hr = IBackgroundCopyJobHttpOptions3_SetCustomHeaders(options, L"X-A: b\r\n");
    ok(hr == BG_E_INVALID_STATE, "SetCustomHeaders got %#lx\n", hr);
    hr = IBackgroundCopyJobHttpOptions3_SetSecurityFlags(options, BG_SSL_ENABLE_CRL_CHECK);
    ok(hr == BG_E_INVALID_STATE, "SetSecurityFlags got %#lx\n", hr);
    hr = IBackgroundCopyJobHttpOptions3_RemoveClientCertificate(options);
    ok(hr == BG_E_INVALID_STATE, "RemoveClientCertificate got %#lx\n", hr);
    hr = IBackgroundCopyJobHttpOptions3_SetHttpMethod(options, L"HEAD");
    ok(hr == BG_E_INVALID_STATE, "SetHttpMethod got %#lx\n", hr);
    hr = IBackgroundCopyJobHttpOptions3_SetServerCertificateValidationInterface(options, NULL);
    ok(hr == BG_E_INVALID_STATE, "SetServerCertificateValidationInterface got %#lx\n", hr);

    hr = IBitsTokenOptions_SetHelperTokenFlags(token_options, BG_TOKEN_NETWORK);
    ok(hr == BG_E_INVALID_STATE, "SetHelperTokenFlags got %#lx\n", hr);
    hr = IBitsTokenOptions_SetHelperToken(token_options);
    ok(hr == BG_E_INVALID_STATE, "SetHelperToken got %#lx\n", hr);
    hr = IBitsTokenOptions_ClearHelperToken(token_options);
    ok(hr == BG_E_INVALID_STATE, "ClearHelperToken got %#lx\n", hr);

    if (file)
    {
        IBackgroundCopyFile_QueryInterface(file, &IID_IBackgroundCopyFile2, (void **)&file2);
        hr = IBackgroundCopyFile2_SetRemoteName(file2, L"http://127.0.0.1:10/never.bin");
        ok(hr == BG_E_INVALID_STATE, "SetRemoteName got %#lx\n", hr);
        IBackgroundCopyFile2_Release(file2);
        IBackgroundCopyFile_QueryInterface(file, &IID_IBackgroundCopyFile3, (void **)&file3);
        hr = IBackgroundCopyFile3_SetValidationState(file3, TRUE);
        ok(hr == BG_E_INVALID_STATE, "SetValidationState got %#lx\n", hr);
        IBackgroundCopyFile3_Release(file3);
    }

    IBitsTokenOptions_Release(token_options);
    IBackgroundCopyJobHttpOptions3_Release(options);
    IBackgroundCopyJob5_Release(job5);
    IBackgroundCopyJob4_Release(job4);
    IBackgroundCopyJob3_Release(job3);
    IBackgroundCopyJob2_Release(job2);
}

static void test_final_states(void)
{
    IBackgroundCopyFile *file;
    IBackgroundCopyJob *job, *found;
    WCHAR local[MAX_PATH];
    HRESULT hr;
    GUID id;

    local_path(local, L"final_state.bin");
    if (!(job = create_job(L"cancelled", BG_JOB_TYPE_DOWNLOAD))) return;
    hr = IBackgroundCopyJob_AddFile(job, unreachable, local);
    ok(hr == S_OK, "AddFile got %#lx\n", hr);
    file = get_file(job, 0);
    IBackgroundCopyJob_GetId(job, &id);
    hr = IBackgroundCopyJob_Cancel(job);
    ok(hr == S_OK, "Cancel got %#lx\n", hr);
    winetest_push_context("cancelled");
    check_final_job(job, file, FALSE);
    winetest_pop_context();
    /* final jobs leave the queue at once */
    hr = IBackgroundCopyManager_GetJob(manager, &id, &found);
    ok(hr == BG_E_NOT_FOUND, "GetJob of a cancelled job got %#lx\n", hr);
    if (file) IBackgroundCopyFile_Release(file);
    IBackgroundCopyJob_Release(job);

    if (!(job = create_job(L"acknowledged", BG_JOB_TYPE_DOWNLOAD))) return;
    hr = IBackgroundCopyJob_AddFile(job, unreachable, local);
    ok(hr == S_OK, "AddFile got %#lx\n", hr);
    file = get_file(job, 0);
    IBackgroundCopyJob_GetId(job, &id);
    hr = IBackgroundCopyJob_Complete(job);
    ok(hr == BG_S_PARTIAL_COMPLETE, "Complete got %#lx\n", hr);
    winetest_push_context("acknowledged");
    check_final_job(job, file, TRUE);
    winetest_pop_context();
    hr = IBackgroundCopyManager_GetJob(manager, &id, &found);
    ok(hr == BG_E_NOT_FOUND, "GetJob of an acknowledged job got %#lx\n", hr);
    if (file) IBackgroundCopyFile_Release(file);
    IBackgroundCopyJob_Release(job);
    ok(!file_exists(local), "%s exists\n", wine_dbgstr_w(local));
}

/* An upload completes only in TRANSFERRED. */
static void test_upload_complete(void)
{
    static const BG_JOB_TYPE types[] = { BG_JOB_TYPE_UPLOAD, BG_JOB_TYPE_UPLOAD_REPLY };
    IBackgroundCopyJob *job;
    BG_JOB_STATE state;
    WCHAR src[MAX_PATH];
    unsigned int i;
    HRESULT hr;

    local_path(src, L"upload_complete.txt");
    make_file(src, "upload");
    for (i = 0; i < ARRAY_SIZE(types); i++)
    {
        winetest_push_context("type %d", types[i]);
        if (!(job = create_job(L"upload complete", types[i]))) break;
        hr = IBackgroundCopyJob_Complete(job);
        ok(hr == BG_E_INVALID_STATE, "Complete of an empty job got %#lx\n", hr);
        hr = IBackgroundCopyJob_AddFile(job, L"http://127.0.0.1:9/upload", src);
        ok(hr == S_OK, "AddFile got %#lx\n", hr);
        hr = IBackgroundCopyJob_Complete(job);
        ok(hr == BG_E_INVALID_STATE, "Complete in SUSPENDED got %#lx\n", hr);
        state = job_state(job);
        ok(state == BG_JOB_STATE_SUSPENDED, "state %d\n", state);
        hr = IBackgroundCopyJob_Cancel(job);
        ok(hr == S_OK, "Cancel got %#lx\n", hr);
        ok(file_is(src, "upload"), "Cancel of an upload touched its source\n");
        IBackgroundCopyJob_Release(job);
        winetest_pop_context();
    }
    DeleteFileW(src);
}

/* The modification time changes with every change of the job. */
static void check_modified(IBackgroundCopyJob *job, FILETIME *last, const char *what)
{
    BG_JOB_TIMES times;
    HRESULT hr;

    hr = IBackgroundCopyJob_GetTimes(job, &times);
    ok(hr == S_OK, "GetTimes got %#lx\n", hr);
    ok(CompareFileTime(&times.ModificationTime, last) > 0, "%s did not change the modification time\n", what);
    *last = times.ModificationTime;
    Sleep(30);                          /* the system time moves in steps of up to 16 ms */
}

static void test_times(void)
{
    IBackgroundCopyJob2 *job2;
    IBackgroundCopyJob *job;
    BG_JOB_TIMES times, first;
    WCHAR local[MAX_PATH];
    FILETIME last;
    HRESULT hr;

    if (!(job = create_job(L"times", BG_JOB_TYPE_DOWNLOAD))) return;
    hr = IBackgroundCopyJob_GetTimes(job, &first);
    ok(hr == S_OK, "GetTimes got %#lx\n", hr);
    ok(CompareFileTime(&first.ModificationTime, &first.CreationTime) >= 0, "modified before creation\n");
    last = first.ModificationTime;
    Sleep(30);

    local_path(local, L"times.bin");
    IBackgroundCopyJob_SetDisplayName(job, L"times 2");
    check_modified(job, &last, "SetDisplayName");
    IBackgroundCopyJob_SetDescription(job, L"description");
    check_modified(job, &last, "SetDescription");
    IBackgroundCopyJob_SetPriority(job, BG_JOB_PRIORITY_LOW);
    check_modified(job, &last, "SetPriority");
    IBackgroundCopyJob_SetNotifyFlags(job, BG_NOTIFY_JOB_TRANSFERRED);
    check_modified(job, &last, "SetNotifyFlags");
    IBackgroundCopyJob_SetMinimumRetryDelay(job, 60);
    check_modified(job, &last, "SetMinimumRetryDelay");
    IBackgroundCopyJob_SetNoProgressTimeout(job, 600);
    check_modified(job, &last, "SetNoProgressTimeout");
    IBackgroundCopyJob_SetProxySettings(job, BG_JOB_PROXY_USAGE_NO_PROXY, NULL, NULL);
    check_modified(job, &last, "SetProxySettings");
    if (SUCCEEDED(IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJob2, (void **)&job2)))
    {
        IBackgroundCopyJob2_SetNotifyCmdLine(job2, L"C:\\prog.exe", NULL);
        check_modified(job, &last, "SetNotifyCmdLine");
        IBackgroundCopyJob2_Release(job2);
    }
    hr = IBackgroundCopyJob_AddFile(job, unreachable, local);
    ok(hr == S_OK, "AddFile got %#lx\n", hr);
    check_modified(job, &last, "AddFile");
    hr = IBackgroundCopyJob_Resume(job);
    ok(hr == S_OK, "Resume got %#lx\n", hr);
    check_modified(job, &last, "Resume");
    hr = IBackgroundCopyJob_Suspend(job);
    ok(hr == S_OK, "Suspend got %#lx\n", hr);
    check_modified(job, &last, "Suspend");
    hr = IBackgroundCopyJob_Cancel(job);
    ok(hr == S_OK, "Cancel got %#lx\n", hr);
    check_modified(job, &last, "Cancel");

    hr = IBackgroundCopyJob_GetTimes(job, &times);
    ok(hr == S_OK, "GetTimes got %#lx\n", hr);
    ok(!CompareFileTime(&times.CreationTime, &first.CreationTime), "the creation time changed\n");
    IBackgroundCopyJob_Release(job);
}

/* BytesTotal is 0 without files, unknown until every size is known, and the sum
 * of the ranges for files with ranges. */
static void test_progress(void)
{
    static const BG_FILE_RANGE ranges[] = { { 0, 100 }, { 1000, 50 } };
    static const BG_FILE_RANGE to_eof[] = { { 10, BG_LENGTH_TO_EOF } };
    BG_JOB_PROGRESS progress;
    IBackgroundCopyJob3 *job3;
    IBackgroundCopyJob *job;
    WCHAR local[MAX_PATH];
    HRESULT hr;

    if (!(job = create_job(L"progress", BG_JOB_TYPE_DOWNLOAD))) return;
    memset(&progress, 0xcc, sizeof(progress));
    hr = IBackgroundCopyJob_GetProgress(job, &progress);
    ok(hr == S_OK, "GetProgress got %#lx\n", hr);
    ok(progress.BytesTotal == 0, "BytesTotal %s\n", wine_dbgstr_longlong(progress.BytesTotal));
    ok(progress.BytesTransferred == 0, "BytesTransferred %s\n", wine_dbgstr_longlong(progress.BytesTransferred));
    ok(progress.FilesTotal == 0, "FilesTotal %lu\n", progress.FilesTotal);
    ok(progress.FilesTransferred == 0, "FilesTransferred %lu\n", progress.FilesTransferred);

    IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJob3, (void **)&job3);
    local_path(local, L"progress.bin");
    hr = IBackgroundCopyJob3_AddFileWithRanges(job3, unreachable, local, ARRAY_SIZE(ranges), (BG_FILE_RANGE *)ranges);
    ok(hr == S_OK, "AddFileWithRanges got %#lx\n", hr);
    hr = IBackgroundCopyJob_GetProgress(job, &progress);
    ok(hr == S_OK && progress.BytesTotal == 150, "one file with ranges: %#lx, %s\n", hr,
       wine_dbgstr_longlong(progress.BytesTotal));
    hr = IBackgroundCopyJob3_AddFileWithRanges(job3, unreachable, local, 1, (BG_FILE_RANGE *)ranges);
    ok(hr == S_OK, "AddFileWithRanges got %#lx\n", hr);
    hr = IBackgroundCopyJob_GetProgress(job, &progress);
    ok(hr == S_OK && progress.BytesTotal == 250, "two files with ranges: %#lx, %s\n", hr,
       wine_dbgstr_longlong(progress.BytesTotal));
    ok(progress.FilesTotal == 2, "FilesTotal %lu\n", progress.FilesTotal);
    hr = IBackgroundCopyJob3_AddFileWithRanges(job3, unreachable, local, 1, (BG_FILE_RANGE *)to_eof);
    ok(hr == S_OK, "AddFileWithRanges got %#lx\n", hr);
    hr = IBackgroundCopyJob_GetProgress(job, &progress);
    ok(hr == S_OK && progress.BytesTotal == BG_SIZE_UNKNOWN, "a range to EOF: %#lx, %s\n", hr,
       wine_dbgstr_longlong(progress.BytesTotal));
    IBackgroundCopyJob3_Release(job3);
    IBackgroundCopyJob_Cancel(job);
    IBackgroundCopyJob_Release(job);

    if (!(job = create_job(L"progress unknown", BG_JOB_TYPE_DOWNLOAD))) return;
    hr = IBackgroundCopyJob_AddFile(job, unreachable, local);
    ok(hr == S_OK, "AddFile got %#lx\n", hr);
    hr = IBackgroundCopyJob_GetProgress(job, &progress);
    ok(hr == S_OK, "GetProgress got %#lx\n", hr);
    ok(progress.BytesTotal == BG_SIZE_UNKNOWN, "BytesTotal %s\n", wine_dbgstr_longlong(progress.BytesTotal));
    ok(progress.BytesTransferred == 0, "BytesTransferred %s\n", wine_dbgstr_longlong(progress.BytesTransferred));
    ok(progress.FilesTotal == 1 && progress.FilesTransferred == 0, "files %lu / %lu\n", progress.FilesTransferred,
       progress.FilesTotal);
    IBackgroundCopyJob_Cancel(job);
    IBackgroundCopyJob_Release(job);
}

START_TEST(states)
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
        test_resume_suspend();
        test_cancel_files();
        test_complete();
        test_get_error();
        test_final_states();
        test_upload_complete();
        test_times();
        test_progress();
        IBackgroundCopyManager_Release(manager);
    }
    CoUninitialize();
}

/*
 * Conformance tests for calls from the service back into a client's callback object
 * (IBackgroundCopyCallback..3 through the proxy), and a service restart whose stop waits for
 * such a call.
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
#include <sddl.h>
#include <stdio.h>
#include "bitsall.h"
#include "wine/test.h"

struct callback
{
    IBackgroundCopyCallback3 IBackgroundCopyCallback3_iface;
    LONG refs;
    HANDLE modified;
    LONG modifications;
    GUID job_id;                       /* of the last JobModification */
    HANDLE transferred, failed;
    LONG files_transferred;
    WCHAR file_name[MAX_PATH];         /* local name seen by FileTransferred */
    HRESULT error_code;                /* seen by JobError */
    BG_ERROR_CONTEXT error_context;
    LONG block;                        /* the next JobModification holds the service's thread */
    HANDLE entered;                    /* set when it does */
    LONG transferred_calls, error_calls;
    LONG fail_transferred;             /* JobTransferred returns E_FAIL this many times */
    LONG bad_jobs;                     /* JobModification calls without a live job */
};

static inline struct callback *impl_from_IBackgroundCopyCallback3(IBackgroundCopyCallback3 *iface)
{
    return CONTAINING_RECORD(iface, struct callback, IBackgroundCopyCallback3_iface);
}

static HRESULT WINAPI callback_QueryInterface(IBackgroundCopyCallback3 *iface, REFIID riid, void **obj)
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

static ULONG WINAPI callback_AddRef(IBackgroundCopyCallback3 *iface)
{
    return InterlockedIncrement(&impl_from_IBackgroundCopyCallback3(iface)->refs);
}

static ULONG WINAPI callback_Release(IBackgroundCopyCallback3 *iface)
{
    return InterlockedDecrement(&impl_from_IBackgroundCopyCallback3(iface)->refs);
}

static HRESULT WINAPI callback_JobTransferred(IBackgroundCopyCallback3 *iface, IBackgroundCopyJob *job)
{
    struct callback *cb = impl_from_IBackgroundCopyCallback3(iface);

    InterlockedIncrement(&cb->transferred_calls);
    if (cb->transferred) SetEvent(cb->transferred);
    if (InterlockedDecrement(&cb->fail_transferred) >= 0) return E_FAIL;
    return S_OK;
}

static HRESULT WINAPI callback_JobError(IBackgroundCopyCallback3 *iface, IBackgroundCopyJob *job,
                                        IBackgroundCopyError *error)
{
    struct callback *cb = impl_from_IBackgroundCopyCallback3(iface);

    /* The error object is a live proxy too. */
    IBackgroundCopyError_GetError(error, &cb->error_context, &cb->error_code);
    InterlockedIncrement(&cb->error_calls);
    if (cb->failed) SetEvent(cb->failed);
    return S_OK;
}

static HRESULT WINAPI callback_JobModification(IBackgroundCopyCallback3 *iface, IBackgroundCopyJob *job, DWORD reserved)
{
    struct callback *cb = impl_from_IBackgroundCopyCallback3(iface);
    GUID id;

    /* The job pointer is a live proxy into the service. */
    if (job && SUCCEEDED(IBackgroundCopyJob_GetId(job, &id))) cb->job_id = id;
    else InterlockedIncrement(&cb->bad_jobs);
    InterlockedIncrement(&cb->modifications);
    SetEvent(cb->modified);
    if (InterlockedExchange(&cb->block, 0))
    {
        SetEvent(cb->entered);
        Sleep(3000);                   /* the service's stop waits for its notification thread */
    }
    return S_OK;
}

static HRESULT WINAPI callback_FileTransferred(IBackgroundCopyCallback3 *iface, IBackgroundCopyJob *job,
                                               IBackgroundCopyFile *file)
{
    struct callback *cb = impl_from_IBackgroundCopyCallback3(iface);
    WCHAR *name;

    if (SUCCEEDED(IBackgroundCopyFile_GetLocalName(file, &name)))
    {
        lstrcpynW(cb->file_name, name, MAX_PATH);
        CoTaskMemFree(name);
    }
    InterlockedIncrement(&cb->files_transferred);
    return S_OK;
}

static HRESULT WINAPI callback_FileRangesTransferred(IBackgroundCopyCallback3 *iface, IBackgroundCopyJob *job,
                                                     IBackgroundCopyFile *file, DWORD count, const BG_FILE_RANGE *ranges)
{
    return S_OK;
}

static const IBackgroundCopyCallback3Vtbl callback_vtbl =
{
    callback_QueryInterface,
    callback_AddRef,
    callback_Release,
    callback_JobTransferred,
    callback_JobError,
    callback_JobModification,
    callback_FileTransferred,
    callback_FileRangesTransferred,
};

static void test_job_modification(IBackgroundCopyManager *manager)
{
    struct callback cb = { { &callback_vtbl }, 1 };
    IBackgroundCopyJob *job;
    IUnknown *unk;
    GUID id;
    DWORD ret;
    HRESULT hr;

    cb.modified = CreateEventW(NULL, FALSE, FALSE, NULL);
    hr = IBackgroundCopyManager_CreateJob(manager, L"callback", BG_JOB_TYPE_DOWNLOAD, &id, &job);
    ok(hr == S_OK, "CreateJob got %#lx\n", hr);
    if (hr != S_OK) return;

    hr = IBackgroundCopyJob_GetNotifyInterface(job, &unk);
    ok(hr == S_OK && !unk, "default notify interface got %#lx, %p\n", hr, unk);

    hr = IBackgroundCopyJob_SetNotifyFlags(job, BG_NOTIFY_JOB_MODIFICATION);
    ok(hr == S_OK, "SetNotifyFlags got %#lx\n", hr);
    hr = IBackgroundCopyJob_SetNotifyInterface(job, (IUnknown *)&cb.IBackgroundCopyCallback3_iface);
    ok(hr == S_OK, "SetNotifyInterface got %#lx\n", hr);
    hr = IBackgroundCopyJob_GetNotifyInterface(job, &unk);
    ok(hr == S_OK && unk, "GetNotifyInterface got %#lx, %p\n", hr, unk);
    if (unk) IUnknown_Release(unk);

    /* Drain the modification that SetNotifyInterface itself may cause. */
    WaitForSingleObject(cb.modified, 2000);
    InterlockedExchange(&cb.modifications, 0);
    memset(&cb.job_id, 0, sizeof(cb.job_id));

    hr = IBackgroundCopyJob_SetDescription(job, L"changed");
    ok(hr == S_OK, "SetDescription got %#lx\n", hr);
    ret = WaitForSingleObject(cb.modified, 10000);
    ok(ret == WAIT_OBJECT_0, "no JobModification within 10 s\n");
    ok(cb.modifications >= 1, "got %ld modifications\n", cb.modifications);
    ok(IsEqualGUID(&cb.job_id, &id), "callback saw job %s\n", wine_dbgstr_guid(&cb.job_id));

    /* BG_NOTIFY_DISABLE silences it. */
    hr = IBackgroundCopyJob_SetNotifyFlags(job, BG_NOTIFY_JOB_MODIFICATION | BG_NOTIFY_DISABLE);
    ok(hr == S_OK, "SetNotifyFlags got %#lx\n", hr);
    WaitForSingleObject(cb.modified, 1000);
    InterlockedExchange(&cb.modifications, 0);
    hr = IBackgroundCopyJob_SetDescription(job, L"changed again");
    ok(hr == S_OK, "SetDescription got %#lx\n", hr);
    ret = WaitForSingleObject(cb.modified, 1000);
    ok(ret == WAIT_TIMEOUT && !cb.modifications, "JobModification with BG_NOTIFY_DISABLE\n");

    hr = IBackgroundCopyJob_SetNotifyInterface(job, NULL);
    ok(hr == S_OK, "clearing got %#lx\n", hr);
    hr = IBackgroundCopyJob_Cancel(job);
    ok(hr == S_OK, "Cancel got %#lx\n", hr);
    IBackgroundCopyJob_Release(job);
    CloseHandle(cb.modified);
}

/* A local copy: FileTransferred for the file, then JobTransferred. */
/* The service may prepare its connection to a new callback object ahead of the first event
 * (ours does, so that JobTransferred does not wait for the client's RPC runtime to accept a
 * connection), but nothing of that may reach the object: every call carries a live job, and
 * a job that makes no progress gets no JobModification beyond those of its own changes. */
static void test_callback_untouched(IBackgroundCopyManager *manager)
{
    static struct callback cb = { { &callback_vtbl }, 1 };
    IBackgroundCopyJob *job;
    LONG before;
    GUID id;
    HRESULT hr;
    int i;

    cb.modified = CreateEventW(NULL, FALSE, FALSE, NULL);
    hr = IBackgroundCopyManager_CreateJob(manager, L"untouched", BG_JOB_TYPE_DOWNLOAD, &id, &job);
    ok(hr == S_OK, "CreateJob got %#lx\n", hr);
    if (hr != S_OK) return;
    hr = IBackgroundCopyJob_SetNotifyFlags(job, BG_NOTIFY_JOB_TRANSFERRED | BG_NOTIFY_JOB_ERROR);
    ok(hr == S_OK, "SetNotifyFlags got %#lx\n", hr);
    for (i = 0; i < 3; i++)
    {
        hr = IBackgroundCopyJob_SetNotifyInterface(job, (IUnknown *)&cb.IBackgroundCopyCallback3_iface);
        ok(hr == S_OK, "SetNotifyInterface got %#lx\n", hr);
    }
    Sleep(500);
    ok(!cb.modifications && !cb.transferred_calls && !cb.error_calls && !cb.files_transferred,
       "calls without an event: %ld modifications, %ld transferred, %ld errors, %ld files\n",
       cb.modifications, cb.transferred_calls, cb.error_calls, cb.files_transferred);

    /* With modifications wanted, only real ones arrive, each with the job. */
    hr = IBackgroundCopyJob_SetNotifyFlags(job, BG_NOTIFY_JOB_TRANSFERRED | BG_NOTIFY_JOB_ERROR
                                           | BG_NOTIFY_JOB_MODIFICATION);
    ok(hr == S_OK, "SetNotifyFlags got %#lx\n", hr);
    hr = IBackgroundCopyJob_SetNotifyInterface(job, (IUnknown *)&cb.IBackgroundCopyCallback3_iface);
    ok(hr == S_OK, "SetNotifyInterface got %#lx\n", hr);
    hr = IBackgroundCopyJob_SetDisplayName(job, L"untouched, renamed");
    ok(hr == S_OK, "SetDisplayName got %#lx\n", hr);
    WaitForSingleObject(cb.modified, 5000);
    Sleep(700);
    before = cb.modifications;
    ok(before >= 1, "no JobModification for a change\n");
    ok(!cb.bad_jobs, "%ld JobModification calls without a live job\n", cb.bad_jobs);
    ok(IsEqualGUID(&cb.job_id, &id), "JobModification for %s\n", wine_dbgstr_guid(&cb.job_id));
    Sleep(700);
    ok(cb.modifications == before, "%ld more JobModification calls without a change\n", cb.modifications - before);
    hr = IBackgroundCopyJob_Cancel(job);
    ok(hr == S_OK, "Cancel got %#lx\n", hr);
    IBackgroundCopyJob_Release(job);
    ok(cb.refs == 1, "the service still holds %ld references\n", cb.refs - 1);
    CloseHandle(cb.modified);
}

static void test_job_transferred(IBackgroundCopyManager *manager)
{
    static struct callback cb = { { &callback_vtbl }, 1 };
    WCHAR source[MAX_PATH], dest[MAX_PATH];
    IBackgroundCopyJob *job;
    GUID id;
    DWORD ret;
    HRESULT hr;

    cb.transferred = CreateEventW(NULL, FALSE, FALSE, NULL);
    cb.failed = CreateEventW(NULL, FALSE, FALSE, NULL);
    GetWindowsDirectoryW(source, MAX_PATH);
    lstrcatW(source, L"\\win.ini");
    GetTempPathW(MAX_PATH, dest);
    lstrcatW(dest, L"callback-copy.ini");
    DeleteFileW(dest);

    hr = IBackgroundCopyManager_CreateJob(manager, L"transferred", BG_JOB_TYPE_DOWNLOAD, &id, &job);
    ok(hr == S_OK, "CreateJob got %#lx\n", hr);
    if (hr != S_OK) return;
    hr = IBackgroundCopyJob_AddFile(job, source, dest);
    ok(hr == S_OK, "AddFile got %#lx\n", hr);
    hr = IBackgroundCopyJob_SetNotifyFlags(job, BG_NOTIFY_JOB_TRANSFERRED | BG_NOTIFY_JOB_ERROR | BG_NOTIFY_FILE_TRANSFERRED);
    ok(hr == S_OK, "SetNotifyFlags got %#lx\n", hr);
    hr = IBackgroundCopyJob_SetNotifyInterface(job, (IUnknown *)&cb.IBackgroundCopyCallback3_iface);
    ok(hr == S_OK, "SetNotifyInterface got %#lx\n", hr);
    hr = IBackgroundCopyJob_Resume(job);
    ok(hr == S_OK, "Resume got %#lx\n", hr);
    ret = WaitForSingleObject(cb.transferred, 20000);
    ok(ret == WAIT_OBJECT_0, "no JobTransferred within 20 s\n");
    ok(cb.files_transferred == 1, "got %ld FileTransferred calls\n", cb.files_transferred);
    ok(!lstrcmpiW(cb.file_name, dest), "FileTransferred for %s\n", wine_dbgstr_w(cb.file_name));
    hr = IBackgroundCopyJob_Complete(job);
    ok(hr == S_OK, "Complete got %#lx\n", hr);
    ok(GetFileAttributesW(dest) != INVALID_FILE_ATTRIBUTES, "the copy is missing\n");
    DeleteFileW(dest);
    IBackgroundCopyJob_Release(job);

    /* A missing source: a fatal error and JobError with the error object. */
    hr = IBackgroundCopyManager_CreateJob(manager, L"error", BG_JOB_TYPE_DOWNLOAD, &id, &job);
    ok(hr == S_OK, "CreateJob got %#lx\n", hr);
    if (hr != S_OK) return;
    lstrcatW(source, L".missing");
    hr = IBackgroundCopyJob_AddFile(job, source, dest);
    ok(hr == S_OK, "AddFile got %#lx\n", hr);
    hr = IBackgroundCopyJob_SetNotifyInterface(job, (IUnknown *)&cb.IBackgroundCopyCallback3_iface);
    ok(hr == S_OK, "SetNotifyInterface got %#lx\n", hr);
    hr = IBackgroundCopyJob_Resume(job);
    ok(hr == S_OK, "Resume got %#lx\n", hr);
    ret = WaitForSingleObject(cb.failed, 20000);
    ok(ret == WAIT_OBJECT_0, "no JobError within 20 s\n");
    ok(cb.error_code == HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND), "error %#lx\n", cb.error_code);
    ok(cb.error_context == BG_ERROR_CONTEXT_REMOTE_FILE, "context %d\n", cb.error_context);
    hr = IBackgroundCopyJob_Cancel(job);
    ok(hr == S_OK, "Cancel got %#lx\n", hr);
    IBackgroundCopyJob_Release(job);
    CloseHandle(cb.transferred);
    CloseHandle(cb.failed);
}

/* Uploads: JobTransferred once the server has the file; FileTransferred only for
 * the reply of an upload-reply job, before JobTransferred. Needs the harness's upload server. */
static void test_upload_callbacks(IBackgroundCopyManager *manager)
{
    static const BG_JOB_TYPE types[] = { BG_JOB_TYPE_UPLOAD, BG_JOB_TYPE_UPLOAD_REPLY };
    static struct callback cb = { { &callback_vtbl }, 1 };
    WCHAR url[256], source[MAX_PATH];
    IBackgroundCopyJob2 *job2;
    IBackgroundCopyJob *job;
    char port[16];
    unsigned int i;
    DWORD ret;
    HRESULT hr;
    GUID id;

    if (!GetEnvironmentVariableA("BITS_UPLOAD_PORT", port, sizeof(port)))
    {
        skip("the upload server is not running\n");
        return;
    }
    GetWindowsDirectoryW(source, MAX_PATH);
    lstrcatW(source, L"\\win.ini");
    cb.transferred = CreateEventW(NULL, FALSE, FALSE, NULL);
    for (i = 0; i < ARRAY_SIZE(types); i++)
    {
        cb.files_transferred = 0;
        cb.file_name[0] = 0;
        swprintf(url, ARRAY_SIZE(url), L"http://127.0.0.1:%hs/%hs/callback-%lu-%u.ini", port,
                 types[i] == BG_JOB_TYPE_UPLOAD ? "up" : "app1", GetTickCount(), i);
        hr = IBackgroundCopyManager_CreateJob(manager, L"upload callbacks", types[i], &id, &job);
        ok(hr == S_OK, "CreateJob got %#lx\n", hr);
        if (hr != S_OK) continue;
        hr = IBackgroundCopyJob_AddFile(job, url, source);
        ok(hr == S_OK, "AddFile got %#lx\n", hr);
        IBackgroundCopyJob_SetNotifyFlags(job, BG_NOTIFY_JOB_TRANSFERRED | BG_NOTIFY_JOB_ERROR | BG_NOTIFY_FILE_TRANSFERRED);
        hr = IBackgroundCopyJob_SetNotifyInterface(job, (IUnknown *)&cb.IBackgroundCopyCallback3_iface);
        ok(hr == S_OK, "SetNotifyInterface got %#lx\n", hr);
        IBackgroundCopyJob_Resume(job);
        ret = WaitForSingleObject(cb.transferred, 20000);
        ok(ret == WAIT_OBJECT_0, "type %u: no JobTransferred within 20 s\n", types[i]);
        ok(cb.files_transferred == (types[i] == BG_JOB_TYPE_UPLOAD ? 0 : 1), "type %u: %ld FileTransferred calls\n",
           types[i], cb.files_transferred);
        if (types[i] == BG_JOB_TYPE_UPLOAD_REPLY)
            ok(!lstrcmpiW(cb.file_name, source), "FileTransferred for %s\n", wine_dbgstr_w(cb.file_name));
        hr = IBackgroundCopyJob_Complete(job);
        ok(hr == S_OK, "Complete got %#lx\n", hr);
        if (types[i] == BG_JOB_TYPE_UPLOAD_REPLY
            && SUCCEEDED(IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJob2, (void **)&job2)))
        {
            WCHAR *reply;
            if (SUCCEEDED(IBackgroundCopyJob2_GetReplyFileName(job2, &reply)) && reply)
            {
                ok(DeleteFileW(reply), "no reply file %s after Complete\n", wine_dbgstr_w(reply));
                CoTaskMemFree(reply);
            }
            IBackgroundCopyJob2_Release(job2);
        }
        IBackgroundCopyJob_Release(job);
    }
    CloseHandle(cb.transferred);
}

/* Without a callback object the command line of SetNotifyCmdLine runs. */
static void test_command_line(IBackgroundCopyManager *manager)
{
    WCHAR source[MAX_PATH], dest[MAX_PATH], marker[MAX_PATH], cmd[MAX_PATH], params[3 * MAX_PATH];
    IBackgroundCopyJob2 *job2;
    IBackgroundCopyJob *job;
    BG_JOB_STATE state = BG_JOB_STATE_QUEUED;
    unsigned int i;
    GUID id;
    HRESULT hr;

    GetWindowsDirectoryW(source, MAX_PATH);
    lstrcatW(source, L"\\win.ini");
    GetTempPathW(MAX_PATH, dest);
    lstrcpyW(marker, dest);
    lstrcatW(dest, L"cmdline-copy.ini");
    lstrcatW(marker, L"cmdline-ran.txt");
    DeleteFileW(marker);
    GetSystemDirectoryW(cmd, MAX_PATH);
    lstrcatW(cmd, L"\\cmd.exe");
    swprintf(params, ARRAY_SIZE(params), L"%ls /c echo ran> \"%ls\"", cmd, marker);

    hr = IBackgroundCopyManager_CreateJob(manager, L"command line", BG_JOB_TYPE_DOWNLOAD, &id, &job);
    ok(hr == S_OK, "CreateJob got %#lx\n", hr);
    if (hr != S_OK) return;
    hr = IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJob2, (void **)&job2);
    ok(hr == S_OK, "got %#lx\n", hr);
    hr = IBackgroundCopyJob2_SetNotifyCmdLine(job2, cmd, params);
    ok(hr == S_OK, "SetNotifyCmdLine got %#lx\n", hr);
    IBackgroundCopyJob2_Release(job2);
    hr = IBackgroundCopyJob_AddFile(job, source, dest);
    ok(hr == S_OK, "AddFile got %#lx\n", hr);
    hr = IBackgroundCopyJob_Resume(job);
    ok(hr == S_OK, "Resume got %#lx\n", hr);
    for (i = 0; i < 200 && GetFileAttributesW(marker) == INVALID_FILE_ATTRIBUTES; i++) Sleep(100);
    ok(GetFileAttributesW(marker) != INVALID_FILE_ATTRIBUTES, "the command line did not run\n");
    IBackgroundCopyJob_GetState(job, &state);
    ok(state == BG_JOB_STATE_TRANSFERRED, "state %d\n", state);
    hr = IBackgroundCopyJob_Complete(job);
    ok(hr == S_OK, "Complete got %#lx\n", hr);
    IBackgroundCopyJob_Release(job);
    DeleteFileW(dest);
    DeleteFileW(marker);
}

/* ---- who the notify program runs as ----
 * The program is this test itself, as "callback whoami <file>": it writes "admin=<0|1>
 * sid=<its user SID>" and, on a second line, "env=<%BITS_TEST_OWNER_ENV%, or nothing>" into
 * the file. The job's owner is this process or, as a standard user, a child of it ("callback
 * standard_user"). */

/* Membership of BUILTIN\Administrators and the user SID of a token. */
static BOOL token_identity(HANDLE token, BOOL *admin, WCHAR *sid, DWORD size)
{
    SID_IDENTIFIER_AUTHORITY nt = { SECURITY_NT_AUTHORITY };
    BYTE buffer[512];
    TOKEN_USER *user = (TOKEN_USER *)buffer;
    HANDLE imp;
    PSID admins;
    WCHAR *str;
    DWORD len;
    BOOL ret = FALSE;

    *admin = FALSE;
    if (!GetTokenInformation(token, TokenUser, buffer, sizeof(buffer), &len)
        || !ConvertSidToStringSidW(user->User.Sid, &str))
        return FALSE;
    lstrcpynW(sid, str, size);
    LocalFree(str);
    AllocateAndInitializeSid(&nt, 2, SECURITY_BUILTIN_DOMAIN_RID, DOMAIN_ALIAS_RID_ADMINS, 0, 0, 0, 0, 0, 0, &admins);
    if (DuplicateToken(token, SecurityIdentification, &imp))
    {
        ret = CheckTokenMembership(imp, admins, admin);
        CloseHandle(imp);
    }
    FreeSid(admins);
    return ret;
}

static BOOL process_identity(BOOL *admin, WCHAR *sid, DWORD size)
{
    HANDLE token;
    BOOL ret;

    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY | TOKEN_DUPLICATE, &token)) return FALSE;
    ret = token_identity(token, admin, sid, size);
    CloseHandle(token);
    return ret;
}

/* "callback whoami <file>", run by the service: written to a temporary name first, so that
 * the test never reads half a file. */
static void child_whoami(const char *file)
{
    char tmp[MAX_PATH + 8], env[128] = "";
    WCHAR sid[128] = L"?";
    BOOL admin = TRUE;
    FILE *f;

    process_identity(&admin, sid, ARRAY_SIZE(sid));
    GetEnvironmentVariableA("BITS_TEST_OWNER_ENV", env, sizeof(env));
    snprintf(tmp, sizeof(tmp), "%s.tmp", file);
    if (!(f = fopen(tmp, "w"))) return;
    fprintf(f, "admin=%d sid=%ls\nenv=%s\n", admin ? 1 : 0, sid, env);
    fclose(f);
    MoveFileExA(tmp, file, MOVEFILE_REPLACE_EXISTING);
}

/* A job of ours copies win.ini with the whoami program as its command line; the fields
 * (program, marker, command line) are ready to use. */
struct whoami_job
{
    WCHAR program[MAX_PATH], marker[MAX_PATH], dest[MAX_PATH], params[3 * MAX_PATH + 32];
    IBackgroundCopyJob *job;
    GUID id;
};

static BOOL whoami_job_create(IBackgroundCopyManager *manager, struct whoami_job *w, const WCHAR *name)
{
    WCHAR source[MAX_PATH];
    IBackgroundCopyJob2 *job2;
    HRESULT hr;

    GetModuleFileNameW(NULL, w->program, MAX_PATH);
    GetWindowsDirectoryW(source, MAX_PATH);
    lstrcatW(source, L"\\win.ini");
    GetTempPathW(MAX_PATH, w->dest);
    swprintf(w->marker, MAX_PATH, L"%ls%ls.txt", w->dest, name);
    lstrcatW(w->dest, name);
    lstrcatW(w->dest, L".ini");
    DeleteFileW(w->marker);
    DeleteFileW(w->dest);
    swprintf(w->params, ARRAY_SIZE(w->params), L"\"%ls\" callback whoami \"%ls\"", w->program, w->marker);

    hr = IBackgroundCopyManager_CreateJob(manager, name, BG_JOB_TYPE_DOWNLOAD, &w->id, &w->job);
    ok(hr == S_OK, "CreateJob got %#lx\n", hr);
    if (hr != S_OK) return FALSE;
    hr = IBackgroundCopyJob_QueryInterface(w->job, &IID_IBackgroundCopyJob2, (void **)&job2);
    ok(hr == S_OK, "got %#lx\n", hr);
    hr = IBackgroundCopyJob2_SetNotifyCmdLine(job2, w->program, w->params);
    ok(hr == S_OK, "SetNotifyCmdLine got %#lx\n", hr);
    IBackgroundCopyJob2_Release(job2);
    hr = IBackgroundCopyJob_AddFile(w->job, source, w->dest);
    ok(hr == S_OK, "AddFile got %#lx\n", hr);
    return TRUE;
}

static BOOL wait_for_file(const WCHAR *name, DWORD ms)
{
    DWORD i;

    for (i = 0; i < ms / 100 && GetFileAttributesW(name) == INVALID_FILE_ATTRIBUTES; i++) Sleep(100);
    return GetFileAttributesW(name) != INVALID_FILE_ATTRIBUTES;
}

static void wait_for_state(IBackgroundCopyJob *job, BG_JOB_STATE want)
{
    BG_JOB_STATE state = BG_JOB_STATE_QUEUED;
    unsigned int i;

    for (i = 0; i < 300; i++)
    {
        IBackgroundCopyJob_GetState(job, &state);
        if (state == want || state == BG_JOB_STATE_ERROR) break;
        Sleep(100);
    }
    ok(state == want, "state %d\n", state);
}

/* Our own job's program runs with our identity: as an administrator when we are one, and as
 * a standard user when we are one, never as the service. The local copy reads as us too.
 * It gets our environment, not the service's: a variable we put in HKCU\Environment now, after
 * the service started, is in an environment built for us, not in the one the service has. */
static void test_command_line_identity(IBackgroundCopyManager *manager, const WCHAR *name)
{
    WCHAR own_sid[128] = L"";
    struct whoami_job w;
    BOOL own_admin = TRUE;
    char line[256], expect[256], env_line[256], value[64];
    HKEY key;
    FILE *f;
    HRESULT hr;

    ok(process_identity(&own_admin, own_sid, ARRAY_SIZE(own_sid)), "cannot read our token\n");
    snprintf(value, sizeof(value), "owner-%lu", GetTickCount());
    key = NULL;
    ok(!RegCreateKeyExW(HKEY_CURRENT_USER, L"Environment", 0, NULL, 0, KEY_SET_VALUE, NULL, &key, NULL),
       "cannot open HKCU\\Environment\n");
    if (key) RegSetValueExA(key, "BITS_TEST_OWNER_ENV", 0, REG_SZ, (BYTE *)value, strlen(value) + 1);
    if (!whoami_job_create(manager, &w, name))
    {
        if (key) RegDeleteValueA(key, "BITS_TEST_OWNER_ENV");
        if (key) RegCloseKey(key);
        return;
    }
    hr = IBackgroundCopyJob_Resume(w.job);
    ok(hr == S_OK, "Resume got %#lx\n", hr);
    ok(wait_for_file(w.marker, 20000), "the command line did not run\n");
    wait_for_state(w.job, BG_JOB_STATE_TRANSFERRED);

    memset(line, 0, sizeof(line));
    memset(env_line, 0, sizeof(env_line));
    if ((f = _wfopen(w.marker, L"r")))
    {
        fgets(line, sizeof(line) - 1, f);
        fgets(env_line, sizeof(env_line) - 1, f);
        fclose(f);
    }
    snprintf(expect, sizeof(expect), "admin=%d sid=%ls\n", own_admin ? 1 : 0, own_sid);
    ok(!strcmp(line, expect), "the program ran as %s, expected %s\n", wine_dbgstr_a(line), wine_dbgstr_a(expect));
    snprintf(expect, sizeof(expect), "env=%s\n", value);
    ok(!strcmp(env_line, expect), "the program's environment had %s, expected %s\n", wine_dbgstr_a(env_line),
       wine_dbgstr_a(expect));
    if (key)
    {
        RegDeleteValueA(key, "BITS_TEST_OWNER_ENV");
        RegCloseKey(key);
    }

    hr = IBackgroundCopyJob_Complete(w.job);
    ok(hr == S_OK, "Complete got %#lx\n", hr);
    ok(GetFileAttributesW(w.dest) != INVALID_FILE_ATTRIBUTES, "the copy is missing\n");
    IBackgroundCopyJob_Release(w.job);
    DeleteFileW(w.dest);
    DeleteFileW(w.marker);
}

/* "callback standard_user": the same as a standard user (Administrators deny-only). */
static void child_standard_user(void)
{
    IBackgroundCopyManager *manager;
    WCHAR sid[128];
    BOOL admin = TRUE;
    HRESULT hr;

    process_identity(&admin, sid, ARRAY_SIZE(sid));
    ok(!admin, "the child is an administrator\n");
    hr = CoCreateInstance(&CLSID_BackgroundCopyManager, NULL, CLSCTX_LOCAL_SERVER, &IID_IBackgroundCopyManager,
                          (void **)&manager);
    ok(hr == S_OK, "CoCreateInstance got %#lx\n", hr);
    if (hr != S_OK) return;
    test_command_line_identity(manager, L"cmdline-standard-user");
    IBackgroundCopyManager_Release(manager);
}

static void test_command_line_standard_user(void)
{
    SID_IDENTIFIER_AUTHORITY nt = { SECURITY_NT_AUTHORITY };
    HANDLE token, restricted = NULL;
    SID_AND_ATTRIBUTES deny = { 0 };
    PROCESS_INFORMATION pi;
    BOOL ret;

    AllocateAndInitializeSid(&nt, 2, SECURITY_BUILTIN_DOMAIN_RID, DOMAIN_ALIAS_RID_ADMINS, 0, 0, 0, 0, 0, 0, &deny.Sid);
    if (OpenProcessToken(GetCurrentProcess(), TOKEN_ALL_ACCESS, &token))
    {
        if (!CreateRestrictedToken(token, 0, 1, &deny, 0, NULL, 0, NULL, &restricted)) restricted = NULL;
        CloseHandle(token);
    }
    FreeSid(deny.Sid);
    ok(restricted != NULL, "cannot make a restricted token: %lu\n", GetLastError());
    if (!restricted) return;
    ret = winetest_start_child_as(restricted, "standard_user", &pi);
    ok(ret, "cannot start the child: %lu\n", GetLastError());
    if (ret)
    {
        winetest_wait_child_process(pi.hProcess);
        CloseHandle(pi.hProcess);
        CloseHandle(pi.hThread);
    }
    CloseHandle(restricted);
}

static DWORD run(const WCHAR *cmdline)
{
    STARTUPINFOW si = { sizeof(si) };
    PROCESS_INFORMATION pi;
    WCHAR buf[MAX_PATH];
    DWORD code = ~0u;

    lstrcpynW(buf, cmdline, MAX_PATH);
    if (!CreateProcessW(NULL, buf, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi)) return ~0u;
    if (WaitForSingleObject(pi.hProcess, 60000) == WAIT_OBJECT_0) GetExitCodeProcess(pi.hProcess, &code);
    CloseHandle(pi.hProcess);
    CloseHandle(pi.hThread);
    return code;
}

/* A client activates the service right after `net stop BITS` returns, while the stop was slow
 * (this callback held the notification thread for seconds), and gets the manager at once with
 * its job still there. When the class objects were revoked before the slow part, an
 * activation in that window got E_NOINTERFACE from Wine's rpcss. Stops the service: run last;
 * the manager is released here. */
static void test_activation_after_slow_stop(IBackgroundCopyManager *manager)
{
    struct callback cb = { { &callback_vtbl }, 1 };
    IBackgroundCopyJob *job, *found;
    DWORD ret;
    HRESULT hr;
    GUID id;

    cb.modified = CreateEventW(NULL, FALSE, FALSE, NULL);
    cb.entered = CreateEventW(NULL, TRUE, FALSE, NULL);
    hr = IBackgroundCopyManager_CreateJob(manager, L"restart", BG_JOB_TYPE_DOWNLOAD, &id, &job);
    ok(hr == S_OK, "CreateJob got %#lx\n", hr);
    if (hr != S_OK)
    {
        IBackgroundCopyManager_Release(manager);
        return;
    }
    IBackgroundCopyJob_SetNotifyFlags(job, BG_NOTIFY_JOB_MODIFICATION);
    hr = IBackgroundCopyJob_SetNotifyInterface(job, (IUnknown *)&cb.IBackgroundCopyCallback3_iface);
    ok(hr == S_OK, "SetNotifyInterface got %#lx\n", hr);
    WaitForSingleObject(cb.modified, 2000);     /* the modification SetNotifyInterface may cause */

    InterlockedExchange(&cb.block, 1);
    hr = IBackgroundCopyJob_SetDescription(job, L"held");
    ok(hr == S_OK, "SetDescription got %#lx\n", hr);
    ret = WaitForSingleObject(cb.entered, 10000);
    ok(ret == WAIT_OBJECT_0, "the callback was not called\n");

    /* The stop has to wait for the notification thread, which is in our callback. */
    ret = run(L"net stop BITS");
    ok(ret == 0, "net stop BITS exited with %lu\n", ret);
    IBackgroundCopyJob_Release(job);
    IBackgroundCopyManager_Release(manager);

    /* The very first activation after the stop: no retry. */
    hr = CoCreateInstance(&CLSID_BackgroundCopyManager, NULL, CLSCTX_LOCAL_SERVER, &IID_IBackgroundCopyManager,
                          (void **)&manager);
    ok(hr == S_OK, "first activation after a slow stop got %#lx\n", hr);
    if (hr != S_OK) return;
    hr = IBackgroundCopyManager_GetJob(manager, &id, &found);
    ok(hr == S_OK, "the job is gone after the restart: %#lx\n", hr);
    if (hr == S_OK)
    {
        WCHAR *text = NULL;
        hr = IBackgroundCopyJob_GetDescription(found, &text);
        ok(hr == S_OK && text && !wcscmp(text, L"held"), "description %s\n", wine_dbgstr_w(text));
        CoTaskMemFree(text);
        IBackgroundCopyJob_Cancel(found);
        IBackgroundCopyJob_Release(found);
    }
    IBackgroundCopyManager_Release(manager);
    CloseHandle(cb.modified);
    CloseHandle(cb.entered);
}

static DWORD service_state(void)
{
    SC_HANDLE scm, service;
    SERVICE_STATUS status = { 0 };

    if (!(scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT))) return 0;
    if ((service = OpenServiceW(scm, L"BITS", SERVICE_QUERY_STATUS)))
    {
        QueryServiceStatus(service, &status);
        CloseServiceHandle(service);
    }
    CloseServiceHandle(scm);
    return status.dwCurrentState;
}

/* The service keeps no token of a job's owner across a restart: a job whose command line
 * was set before the restart does not run it afterwards (it would run as the service).
 * Restarts the service: *manager is replaced by one of the new instance, or NULL. */
static void test_command_line_after_restart(IBackgroundCopyManager **manager)
{
    struct whoami_job w;
    DWORD ret, state = 0, i;
    BOOL created;
    HRESULT hr;

    created = whoami_job_create(*manager, &w, L"cmdline-restart");
    if (created) IBackgroundCopyJob_Release(w.job);
    IBackgroundCopyManager_Release(*manager);
    *manager = NULL;
    for (i = 0; i < 100 && (state = service_state()) != SERVICE_RUNNING; i++) Sleep(100);
    ok(state == SERVICE_RUNNING, "the service is in state %lu\n", state);
    ret = run(L"net stop BITS");
    ok(ret == 0, "net stop BITS exited with %lu\n", ret);
    /* A stop that is fully over, so that the next start is a clean one. */
    for (i = 0; i < 100 && (state = service_state()) != SERVICE_STOPPED; i++) Sleep(100);
    ok(state == SERVICE_STOPPED, "the service is in state %lu\n", state);

    hr = CoCreateInstance(&CLSID_BackgroundCopyManager, NULL, CLSCTX_LOCAL_SERVER, &IID_IBackgroundCopyManager,
                          (void **)manager);
    ok(hr == S_OK, "CoCreateInstance after the restart got %#lx\n", hr);
    if (hr != S_OK || !created) return;
    hr = IBackgroundCopyManager_GetJob(*manager, &w.id, &w.job);
    ok(hr == S_OK, "the job is gone after the restart: %#lx\n", hr);
    if (hr == S_OK)
    {
        hr = IBackgroundCopyJob_Resume(w.job);
        ok(hr == S_OK, "Resume got %#lx\n", hr);
        wait_for_state(w.job, BG_JOB_STATE_TRANSFERRED);
        ok(!wait_for_file(w.marker, 5000), "the command line ran without its owner's token\n");
        hr = IBackgroundCopyJob_Complete(w.job);
        ok(hr == S_OK, "Complete got %#lx\n", hr);
        IBackgroundCopyJob_Release(w.job);
    }
    DeleteFileW(w.dest);
    DeleteFileW(w.marker);
}

static IBackgroundCopyJob5 *create_job5(IBackgroundCopyManager *manager, const WCHAR *name)
{
    IBackgroundCopyJob5 *job5 = NULL;
    IBackgroundCopyJob *job;
    GUID id;
    HRESULT hr;

    hr = IBackgroundCopyManager_CreateJob(manager, name, BG_JOB_TYPE_DOWNLOAD, &id, &job);
    ok(hr == S_OK, "CreateJob got %#lx\n", hr);
    if (hr != S_OK) return NULL;
    hr = IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJob5, (void **)&job5);
    ok(hr == S_OK, "got %#lx\n", hr);
    IBackgroundCopyJob_Release(job);
    return job5;
}

static void set_interval(IBackgroundCopyJob5 *job5, DWORD ms)
{
    BITS_JOB_PROPERTY_VALUE value;
    HRESULT hr;

    value.Dword = ms;
    hr = IBackgroundCopyJob5_SetProperty(job5, BITS_JOB_PROPERTY_MINIMUM_NOTIFICATION_INTERVAL_MS, value);
    ok(hr == S_OK, "SetProperty got %#lx\n", hr);
}

/* MINIMUM_NOTIFICATION_INTERVAL_MS rate-limits JobModification; 0 lets every change through. */
static void test_modification_interval(IBackgroundCopyManager *manager)
{
    struct callback cb = { { &callback_vtbl }, 1 };
    IBackgroundCopyJob5 *job5;
    unsigned int i, delivered = 0;
    HRESULT hr;

    cb.modified = CreateEventW(NULL, FALSE, FALSE, NULL);
    if (!(job5 = create_job5(manager, L"interval"))) return;
    hr = IBackgroundCopyJob5_SetNotifyFlags(job5, BG_NOTIFY_JOB_MODIFICATION);
    ok(hr == S_OK, "SetNotifyFlags got %#lx\n", hr);
    hr = IBackgroundCopyJob5_SetNotifyInterface(job5, (IUnknown *)&cb.IBackgroundCopyCallback3_iface);
    ok(hr == S_OK, "SetNotifyInterface got %#lx\n", hr);
    set_interval(job5, 0);
    for (i = 0; i < 10 && WaitForSingleObject(cb.modified, 1000) == WAIT_OBJECT_0; i++);   /* drain */

    /* No interval: each change is reported. */
    InterlockedExchange(&cb.modifications, 0);
    for (i = 0; i < 10; i++)
    {
        IBackgroundCopyJob5_SetDescription(job5, i & 1 ? L"one" : L"two");
        if (WaitForSingleObject(cb.modified, 10000) == WAIT_OBJECT_0) delivered++;
    }
    ok(delivered == 10, "%u of 10 changes reported without an interval\n", delivered);

    /* A minute between calls: ten changes within a few seconds make at most one call. */
    set_interval(job5, 60000);
    for (i = 0; i < 10 && WaitForSingleObject(cb.modified, 1000) == WAIT_OBJECT_0; i++);   /* drain */
    InterlockedExchange(&cb.modifications, 0);
    for (i = 0; i < 10; i++)
    {
        IBackgroundCopyJob5_SetDescription(job5, i & 1 ? L"three" : L"four");
        Sleep(100);
    }
    Sleep(2000);
    ok(cb.modifications <= 1, "%ld JobModification calls within a 60 s interval\n", cb.modifications);
    hr = IBackgroundCopyJob5_SetNotifyInterface(job5, NULL);
    ok(hr == S_OK, "got %#lx\n", hr);
    hr = IBackgroundCopyJob5_Cancel(job5);
    ok(hr == S_OK, "Cancel got %#lx\n", hr);
    IBackgroundCopyJob5_Release(job5);

    /* A change inside the interval is deferred, not dropped. */
    if (!(job5 = create_job5(manager, L"interval 2"))) return;
    IBackgroundCopyJob5_SetNotifyFlags(job5, BG_NOTIFY_JOB_MODIFICATION);
    set_interval(job5, 2000);
    IBackgroundCopyJob5_SetNotifyInterface(job5, (IUnknown *)&cb.IBackgroundCopyCallback3_iface);
    ok(WaitForSingleObject(cb.modified, 10000) == WAIT_OBJECT_0, "no first JobModification\n");
    IBackgroundCopyJob5_SetDescription(job5, L"five");
    ok(WaitForSingleObject(cb.modified, 20000) == WAIT_OBJECT_0, "the deferred JobModification never came\n");
    IBackgroundCopyJob5_SetNotifyInterface(job5, NULL);
    IBackgroundCopyJob5_Cancel(job5);
    IBackgroundCopyJob5_Release(job5);
    CloseHandle(cb.modified);
}

static void copy_source(WCHAR *source, WCHAR *dest, const WCHAR *name)
{
    GetWindowsDirectoryW(source, MAX_PATH);
    lstrcatW(source, L"\\win.ini");
    GetTempPathW(MAX_PATH, dest);
    lstrcatW(dest, name);
    DeleteFileW(dest);
}

/* A callback that fails is called again after the retry delay. */
static void test_callback_retry(IBackgroundCopyManager *manager)
{
    static struct callback cb = { { &callback_vtbl }, 1 };
    WCHAR source[MAX_PATH], dest[MAX_PATH];
    IBackgroundCopyJob5 *job5;
    unsigned int i;
    HRESULT hr;

    copy_source(source, dest, L"callback-retry.ini");
    cb.fail_transferred = 1;
    if (!(job5 = create_job5(manager, L"retry"))) return;
    hr = IBackgroundCopyJob5_AddFile(job5, source, dest);
    ok(hr == S_OK, "AddFile got %#lx\n", hr);
    hr = IBackgroundCopyJob5_SetMinimumRetryDelay(job5, 5);
    ok(hr == S_OK, "got %#lx\n", hr);
    IBackgroundCopyJob5_SetNotifyFlags(job5, BG_NOTIFY_JOB_TRANSFERRED);
    IBackgroundCopyJob5_SetNotifyInterface(job5, (IUnknown *)&cb.IBackgroundCopyCallback3_iface);
    hr = IBackgroundCopyJob5_Resume(job5);
    ok(hr == S_OK, "Resume got %#lx\n", hr);
    for (i = 0; i < 600 && cb.transferred_calls < 2; i++) Sleep(100);
    ok(cb.transferred_calls == 2, "JobTransferred called %ld times\n", cb.transferred_calls);
    Sleep(7000);                                /* S_OK the second time: no third call */
    ok(cb.transferred_calls == 2, "JobTransferred called %ld times\n", cb.transferred_calls);
    IBackgroundCopyJob5_SetNotifyInterface(job5, NULL);
    hr = IBackgroundCopyJob5_Complete(job5);
    ok(hr == S_OK, "Complete got %#lx\n", hr);
    IBackgroundCopyJob5_Release(job5);
    DeleteFileW(dest);
}

/* JobError only for fatal errors: a locked source is a transient error and stays
 * silent; once no retry is allowed (NoProgressTimeout 0) the job enters ERROR and JobError comes. */
static void test_job_error_fatal_only(IBackgroundCopyManager *manager)
{
    static struct callback cb = { { &callback_vtbl }, 1 };
    WCHAR source[MAX_PATH], dest[MAX_PATH];
    IBackgroundCopyJob5 *job5;
    BG_JOB_STATE state = BG_JOB_STATE_QUEUED;
    HANDLE locked;
    unsigned int i;
    HRESULT hr;

    GetTempPathW(MAX_PATH, source);
    lstrcatW(source, L"callback-locked.txt");
    locked = CreateFileW(source, GENERIC_READ | GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
    ok(locked != INVALID_HANDLE_VALUE, "cannot create the source\n");
    if (locked == INVALID_HANDLE_VALUE) return;
    GetTempPathW(MAX_PATH, dest);
    lstrcatW(dest, L"callback-locked-copy.txt");
    cb.failed = CreateEventW(NULL, FALSE, FALSE, NULL);
    if (!(job5 = create_job5(manager, L"fatal only"))) return;
    hr = IBackgroundCopyJob5_AddFile(job5, source, dest);
    ok(hr == S_OK, "AddFile got %#lx\n", hr);
    IBackgroundCopyJob5_SetMinimumRetryDelay(job5, 5);
    IBackgroundCopyJob5_SetNotifyFlags(job5, BG_NOTIFY_JOB_ERROR);
    IBackgroundCopyJob5_SetNotifyInterface(job5, (IUnknown *)&cb.IBackgroundCopyCallback3_iface);
    IBackgroundCopyJob5_Resume(job5);
    for (i = 0; i < 300 && state != BG_JOB_STATE_TRANSIENT_ERROR && state != BG_JOB_STATE_ERROR; i++)
    {
        Sleep(100);
        IBackgroundCopyJob5_GetState(job5, &state);
    }
    ok(state == BG_JOB_STATE_TRANSIENT_ERROR, "state %d\n", state);
    ok(WaitForSingleObject(cb.failed, 2000) == WAIT_TIMEOUT, "JobError for a transient error\n");
    ok(!cb.error_calls, "%ld JobError calls\n", cb.error_calls);

    hr = IBackgroundCopyJob5_SetNoProgressTimeout(job5, 0);
    ok(hr == S_OK, "got %#lx\n", hr);
    ok(WaitForSingleObject(cb.failed, 30000) == WAIT_OBJECT_0, "no JobError after the job failed\n");
    IBackgroundCopyJob5_GetState(job5, &state);
    ok(state == BG_JOB_STATE_ERROR, "state %d\n", state);
    ok(cb.error_calls == 1, "%ld JobError calls\n", cb.error_calls);
    IBackgroundCopyJob5_SetNotifyInterface(job5, NULL);
    IBackgroundCopyJob5_Cancel(job5);
    IBackgroundCopyJob5_Release(job5);
    CloseHandle(locked);
    DeleteFileW(source);
    CloseHandle(cb.failed);
}

/* ---- NOTIFICATION_CLSID: a class of this process that the service activates ---- */

static const CLSID CLSID_TestNotify = { 0x5b1e0a47, 0x3c2d, 0x4f19, { 0x9a, 0x61, 0x2e, 0x7d, 0x41, 0xc3, 0x88, 0x05 } };
static struct callback clsid_cb = { { &callback_vtbl }, 1 };
static LONG instances_created;

static HRESULT WINAPI factory_QueryInterface(IClassFactory *iface, REFIID riid, void **obj)
{
    if (IsEqualGUID(riid, &IID_IUnknown) || IsEqualGUID(riid, &IID_IClassFactory))
    {
        *obj = iface;
        return S_OK;
    }
    *obj = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI factory_AddRef(IClassFactory *iface)
{
    return 2;
}

static ULONG WINAPI factory_Release(IClassFactory *iface)
{
    return 1;
}

static HRESULT WINAPI factory_CreateInstance(IClassFactory *iface, IUnknown *outer, REFIID riid, void **obj)
{
    if (outer) return CLASS_E_NOAGGREGATION;
    InterlockedIncrement(&instances_created);
    return IBackgroundCopyCallback3_QueryInterface(&clsid_cb.IBackgroundCopyCallback3_iface, riid, obj);
}

static HRESULT WINAPI factory_LockServer(IClassFactory *iface, BOOL lock)
{
    return S_OK;
}

static const IClassFactoryVtbl factory_vtbl =
{
    factory_QueryInterface,
    factory_AddRef,
    factory_Release,
    factory_CreateInstance,
    factory_LockServer,
};
static IClassFactory factory = { &factory_vtbl };

/* Without a live callback object the service activates the job's NOTIFICATION_CLSID
 * and calls JobTransferred on that instance; a live object comes first. */
static void test_notification_clsid(IBackgroundCopyManager *manager)
{
    static struct callback live = { { &callback_vtbl }, 1 };
    WCHAR source[MAX_PATH], dest[MAX_PATH], key[128], exe[MAX_PATH];
    BITS_JOB_PROPERTY_VALUE value;
    IBackgroundCopyJob5 *job5;
    DWORD cookie, ret;
    HKEY hkey;
    HRESULT hr;

    swprintf(key, ARRAY_SIZE(key), L"Software\\Classes\\CLSID\\{5b1e0a47-3c2d-4f19-9a61-2e7d41c38805}\\LocalServer32");
    GetModuleFileNameW(NULL, exe, MAX_PATH);
    ok(!RegCreateKeyExW(HKEY_CURRENT_USER, key, 0, NULL, 0, KEY_WRITE, NULL, &hkey, NULL), "cannot register\n");
    RegSetValueExW(hkey, NULL, 0, REG_SZ, (BYTE *)exe, (lstrlenW(exe) + 1) * sizeof(WCHAR));
    RegCloseKey(hkey);
    hr = CoRegisterClassObject(&CLSID_TestNotify, (IUnknown *)&factory, CLSCTX_LOCAL_SERVER, REGCLS_MULTIPLEUSE, &cookie);
    ok(hr == S_OK, "CoRegisterClassObject got %#lx\n", hr);
    clsid_cb.transferred = CreateEventW(NULL, FALSE, FALSE, NULL);

    copy_source(source, dest, L"callback-clsid.ini");
    if (!(job5 = create_job5(manager, L"clsid"))) return;
    hr = IBackgroundCopyJob5_AddFile(job5, source, dest);
    ok(hr == S_OK, "AddFile got %#lx\n", hr);
    value.ClsID = CLSID_TestNotify;
    hr = IBackgroundCopyJob5_SetProperty(job5, BITS_JOB_PROPERTY_NOTIFICATION_CLSID, value);
    ok(hr == S_OK, "SetProperty got %#lx\n", hr);
    IBackgroundCopyJob5_SetNotifyFlags(job5, BG_NOTIFY_JOB_TRANSFERRED);
    hr = IBackgroundCopyJob5_Resume(job5);
    ok(hr == S_OK, "Resume got %#lx\n", hr);
    ret = WaitForSingleObject(clsid_cb.transferred, 30000);
    ok(ret == WAIT_OBJECT_0, "the CLSID instance got no JobTransferred\n");
    ok(instances_created >= 1, "%ld instances created\n", instances_created);
    hr = IBackgroundCopyJob5_Complete(job5);
    ok(hr == S_OK, "Complete got %#lx\n", hr);
    IBackgroundCopyJob5_Release(job5);
    DeleteFileW(dest);

    /* A live callback object takes the event; the CLSID stays unused. */
    live.transferred = CreateEventW(NULL, FALSE, FALSE, NULL);
    InterlockedExchange(&clsid_cb.transferred_calls, 0);
    if ((job5 = create_job5(manager, L"clsid and live")))
    {
        IBackgroundCopyJob5_AddFile(job5, source, dest);
        IBackgroundCopyJob5_SetProperty(job5, BITS_JOB_PROPERTY_NOTIFICATION_CLSID, value);
        IBackgroundCopyJob5_SetNotifyFlags(job5, BG_NOTIFY_JOB_TRANSFERRED);
        IBackgroundCopyJob5_SetNotifyInterface(job5, (IUnknown *)&live.IBackgroundCopyCallback3_iface);
        IBackgroundCopyJob5_Resume(job5);
        ret = WaitForSingleObject(live.transferred, 30000);
        ok(ret == WAIT_OBJECT_0, "the live callback got no JobTransferred\n");
        ok(!clsid_cb.transferred_calls, "the CLSID instance was called %ld times\n", clsid_cb.transferred_calls);
        IBackgroundCopyJob5_SetNotifyInterface(job5, NULL);
        IBackgroundCopyJob5_Complete(job5);
        IBackgroundCopyJob5_Release(job5);
        DeleteFileW(dest);
    }
    CloseHandle(live.transferred);
    CoRevokeClassObject(cookie);
    RegDeleteKeyW(HKEY_CURRENT_USER, key);
    RegDeleteKeyW(HKEY_CURRENT_USER, L"Software\\Classes\\CLSID\\{5b1e0a47-3c2d-4f19-9a61-2e7d41c38805}");
    CloseHandle(clsid_cb.transferred);
}

START_TEST(callback)
{
    IBackgroundCopyManager *manager;
    char **argv;
    int argc = winetest_get_mainargs(&argv);
    HRESULT hr;

    if (argc > 3 && !strcmp(argv[2], "whoami"))
    {
        child_whoami(argv[3]);
        return;
    }
    hr = CoInitializeEx(NULL, COINIT_MULTITHREADED);
    ok(hr == S_OK, "CoInitializeEx got %#lx\n", hr);
    if (argc > 2 && !strcmp(argv[2], "standard_user"))
    {
        child_standard_user();
        CoUninitialize();
        return;
    }
    hr = CoCreateInstance(&CLSID_BackgroundCopyManager, NULL, CLSCTX_LOCAL_SERVER, &IID_IBackgroundCopyManager,
                          (void **)&manager);
    ok(hr == S_OK, "CoCreateInstance got %#lx\n", hr);
    if (hr == S_OK)
    {
        test_job_modification(manager);
        test_callback_untouched(manager);
        test_job_transferred(manager);
        test_command_line(manager);
        test_command_line_identity(manager, L"cmdline-admin");
        test_command_line_standard_user();
        test_upload_callbacks(manager);
        test_modification_interval(manager);
        test_callback_retry(manager);
        test_job_error_fatal_only(manager);
        test_notification_clsid(manager);
        test_command_line_after_restart(&manager);  /* restarts the service: a new manager */
        if (manager) test_activation_after_slow_stop(manager);   /* releases the manager */
    }
    CoUninitialize();
}

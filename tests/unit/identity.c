/*
 * In-process unit tests of the manager with injected caller identities (the test-only seam
 * of security.c): owners, other users' jobs, administrators, service accounts, per-user
 * counts. Different users cannot exist in one Wine prefix, so these rules are tested here.
 * Also which token reads an upload's local file (the test-only record of open_file_as).
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

#include "qmgr_private.h"
#include <sddl.h>
#include "wine/test.h"
#include "identity.h"

static IBackgroundCopyManager *manager;

static ULONG count_jobs(DWORD flags, HRESULT *result)
{
    IEnumBackgroundCopyJobs *jobs;
    ULONG count = 0;

    *result = IBackgroundCopyManager_EnumJobs(manager, flags, &jobs);
    if (*result == S_OK)
    {
        IEnumBackgroundCopyJobs_GetCount(jobs, &count);
        IEnumBackgroundCopyJobs_Release(jobs);
    }
    return count;
}

static void set_policy(const WCHAR *name, DWORD value)
{
    HKEY key;
    ok(!RegCreateKeyExW(HKEY_LOCAL_MACHINE, L"Software\\Policies\\Microsoft\\Windows\\BITS", 0, NULL, 0,
                        KEY_SET_VALUE, NULL, &key, NULL), "cannot open the policy key\n");
    if (value) RegSetValueExW(key, name, 0, REG_DWORD, (BYTE *)&value, sizeof(value));
    else RegDeleteValueW(key, name);
    RegCloseKey(key);
}

static void test_other_users(void)
{
    struct bits_caller alice, bob, admin, system;
    IBackgroundCopyJob *job, *found;
    WCHAR *owner;
    HRESULT hr;
    GUID id;

    make_identity(&alice, L"S-1-5-21-1000-2000-3000-1001", FALSE, FALSE);
    make_identity(&bob, L"S-1-5-21-1000-2000-3000-1002", FALSE, FALSE);
    make_identity(&admin, L"S-1-5-21-1000-2000-3000-500", TRUE, FALSE);
    make_identity(&system, L"S-1-5-18", TRUE, TRUE);

    caller_set_test_identity(&alice);
    hr = IBackgroundCopyManager_CreateJob(manager, L"alice's job", BG_JOB_TYPE_DOWNLOAD, &id, &job);
    ok(hr == S_OK, "CreateJob got %#lx\n", hr);
    hr = IBackgroundCopyJob_GetOwner(job, &owner);
    ok(hr == S_OK && !wcscmp(owner, L"S-1-5-21-1000-2000-3000-1001"), "owner %s\n", wine_dbgstr_w(owner));
    CoTaskMemFree(owner);
    ok(count_jobs(0, &hr) == 1 && hr == S_OK, "alice sees her job: %#lx\n", hr);
    count_jobs(BG_JOB_ENUM_ALL_USERS, &hr);
    ok(hr == E_ACCESSDENIED, "ALL_USERS without admin got %#lx\n", hr);

    caller_set_test_identity(&bob);
    hr = IBackgroundCopyManager_GetJob(manager, &id, &found);
    ok(hr == E_ACCESSDENIED, "bob's GetJob of alice's job got %#lx\n", hr);
    ok(count_jobs(0, &hr) == 0 && hr == S_OK, "bob lists no jobs: %#lx\n", hr);

    caller_set_test_identity(&admin);
    hr = IBackgroundCopyManager_GetJob(manager, &id, &found);
    ok(hr == S_OK, "admin GetJob got %#lx\n", hr);
    if (hr == S_OK) IBackgroundCopyJob_Release(found);
    ok(count_jobs(0, &hr) == 0 && hr == S_OK, "EnumJobs(0) lists only the admin's own: %#lx\n", hr);
    ok(count_jobs(BG_JOB_ENUM_ALL_USERS, &hr) == 1 && hr == S_OK, "admin ALL_USERS: %#lx\n", hr);

    /* TakeOwnership: admins only. */
    caller_set_test_identity(&bob);
    hr = IBackgroundCopyJob_TakeOwnership(job);
    ok(hr == E_ACCESSDENIED, "bob's TakeOwnership got %#lx\n", hr);
    caller_set_test_identity(&admin);
    hr = IBackgroundCopyJob_TakeOwnership(job);
    ok(hr == S_OK, "admin TakeOwnership got %#lx\n", hr);
    hr = IBackgroundCopyJob_GetOwner(job, &owner);
    ok(hr == S_OK && !wcscmp(owner, L"S-1-5-21-1000-2000-3000-500"), "owner %s\n", wine_dbgstr_w(owner));
    CoTaskMemFree(owner);
    caller_set_test_identity(&alice);
    hr = IBackgroundCopyManager_GetJob(manager, &id, &found);
    ok(hr == E_ACCESSDENIED, "alice after TakeOwnership got %#lx\n", hr);

    caller_set_test_identity(&admin);
    hr = IBackgroundCopyJob_Cancel(job);
    ok(hr == S_OK, "Cancel got %#lx\n", hr);
    IBackgroundCopyJob_Release(job);

    caller_set_test_identity(NULL);
    free_identity(&alice);
    free_identity(&bob);
    free_identity(&admin);
    free_identity(&system);
}

/* MaxJobsPerUser counts per owner; admins and service accounts are exempt. */
static void test_per_user_limit(void)
{
    struct bits_caller alice, bob, admin, service;
    IBackgroundCopyJob *jobs[8];
    unsigned int count = 0, i;
    HRESULT hr;
    GUID id;

    make_identity(&alice, L"S-1-5-21-1000-2000-3000-1001", FALSE, FALSE);
    make_identity(&bob, L"S-1-5-21-1000-2000-3000-1002", FALSE, FALSE);
    make_identity(&admin, L"S-1-5-21-1000-2000-3000-500", TRUE, FALSE);
    make_identity(&service, L"S-1-5-19", FALSE, TRUE);
    set_policy(L"MaxJobsPerUser", 2);

    caller_set_test_identity(&alice);
    for (i = 0; i < 2; i++)
    {
        hr = IBackgroundCopyManager_CreateJob(manager, L"alice", BG_JOB_TYPE_DOWNLOAD, &id, &jobs[count]);
        ok(hr == S_OK, "alice job %u got %#lx\n", i, hr);
        if (hr == S_OK) count++;
    }
    hr = IBackgroundCopyManager_CreateJob(manager, L"alice", BG_JOB_TYPE_DOWNLOAD, &id, &jobs[count]);
    ok(hr == BG_E_TOO_MANY_JOBS_PER_USER, "alice's third job got %#lx\n", hr);
    if (hr == S_OK) count++;

    caller_set_test_identity(&bob);
    hr = IBackgroundCopyManager_CreateJob(manager, L"bob", BG_JOB_TYPE_DOWNLOAD, &id, &jobs[count]);
    ok(hr == S_OK, "bob's first job got %#lx\n", hr);
    if (hr == S_OK) count++;

    caller_set_test_identity(&admin);
    for (i = 0; i < 3; i++)
    {
        hr = IBackgroundCopyManager_CreateJob(manager, L"admin", BG_JOB_TYPE_DOWNLOAD, &id, &jobs[count]);
        ok(hr == S_OK, "admin job %u got %#lx\n", i, hr);
        if (hr == S_OK) count++;
    }

    caller_set_test_identity(&service);
    hr = IBackgroundCopyManager_CreateJob(manager, L"service", BG_JOB_TYPE_DOWNLOAD, &id, &jobs[count]);
    ok(hr == S_OK, "service account job got %#lx\n", hr);
    if (hr == S_OK) count++;

    /* A cancelled job no longer counts. */
    caller_set_test_identity(&alice);
    hr = IBackgroundCopyJob_Cancel(jobs[0]);
    ok(hr == S_OK, "Cancel got %#lx\n", hr);
    hr = IBackgroundCopyManager_CreateJob(manager, L"alice again", BG_JOB_TYPE_DOWNLOAD, &id, &jobs[count]);
    ok(hr == S_OK, "after a Cancel got %#lx\n", hr);
    if (hr == S_OK) count++;

    caller_set_test_identity(&admin);
    for (i = 1; i < count; i++) IBackgroundCopyJob_Cancel(jobs[i]);
    for (i = 0; i < count; i++) IBackgroundCopyJob_Release(jobs[i]);
    set_policy(L"MaxJobsPerUser", 0);
    caller_set_test_identity(NULL);
    free_identity(&alice);
    free_identity(&bob);
    free_identity(&admin);
    free_identity(&service);
}

/* TakeOwnership drops what belongs to the old owner: credentials, certificate, headers, command line. */
static void test_take_ownership_clears(void)
{
    struct bits_caller alice, admin;
    BG_AUTH_CREDENTIALS cred;
    IBackgroundCopyJobHttpOptions *options;
    IBackgroundCopyJob2 *job2;
    IBackgroundCopyJob *job;
    WCHAR *str, *str2;
    HRESULT hr;
    GUID id;

    make_identity(&alice, L"S-1-5-21-1000-2000-3000-1001", FALSE, FALSE);
    make_identity(&admin, L"S-1-5-21-1000-2000-3000-500", TRUE, FALSE);
    caller_set_test_identity(&alice);
    hr = IBackgroundCopyManager_CreateJob(manager, L"owned", BG_JOB_TYPE_DOWNLOAD, &id, &job);
    ok(hr == S_OK, "CreateJob got %#lx\n", hr);
    IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJob2, (void **)&job2);
    IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJobHttpOptions, (void **)&options);
    hr = IBackgroundCopyJobHttpOptions_SetCustomHeaders(options, L"X-Owner: alice\r\n");
    ok(hr == S_OK, "SetCustomHeaders got %#lx\n", hr);
    hr = IBackgroundCopyJob2_SetNotifyCmdLine(job2, L"C:\\windows\\system32\\cmd.exe", NULL);
    ok(hr == S_OK, "SetNotifyCmdLine got %#lx\n", hr);
    cred.Target = BG_AUTH_TARGET_SERVER;
    cred.Scheme = BG_AUTH_SCHEME_BASIC;
    cred.Credentials.Basic.UserName = (WCHAR *)L"alice";
    cred.Credentials.Basic.Password = (WCHAR *)L"secret";
    hr = IBackgroundCopyJob2_SetCredentials(job2, &cred);
    ok(hr == S_OK, "SetCredentials got %#lx\n", hr);

    caller_set_test_identity(&admin);
    hr = IBackgroundCopyJob_TakeOwnership(job);
    ok(hr == S_OK, "TakeOwnership got %#lx\n", hr);
    str = (WCHAR *)0xdeadbeef;
    hr = IBackgroundCopyJobHttpOptions_GetCustomHeaders(options, &str);
    ok(hr == S_FALSE && !str, "headers after TakeOwnership: %#lx %s\n", hr, wine_dbgstr_w(str));
    hr = IBackgroundCopyJob2_GetNotifyCmdLine(job2, &str, &str2);
    ok(hr == S_OK && !str && !str2, "command line after TakeOwnership: %#lx %s\n", hr, wine_dbgstr_w(str));
    hr = IBackgroundCopyJob2_RemoveCredentials(job2, BG_AUTH_TARGET_SERVER, BG_AUTH_SCHEME_BASIC);
    ok(hr == S_FALSE, "credentials after TakeOwnership: %#lx\n", hr);

    hr = IBackgroundCopyJob_Cancel(job);
    ok(hr == S_OK, "Cancel got %#lx\n", hr);
    IBackgroundCopyJobHttpOptions_Release(options);
    IBackgroundCopyJob2_Release(job2);
    IBackgroundCopyJob_Release(job);
    caller_set_test_identity(NULL);
    free_identity(&alice);
    free_identity(&admin);
}

/* The command line runs only with the token of the owner who set it: one set by another
 * user (an administrator may change the job) has no token to run with; the owner's own call
 * gives one again; TakeOwnership gives the new owner's token and clears the command line. */
static void test_command_line_token(void)
{
    struct bits_caller alice, alice_admin, admin;
    IBackgroundCopyJob2 *job2;
    IBackgroundCopyJob *job;
    struct bits_job *impl;
    HANDLE token;
    HRESULT hr;
    GUID id;

    make_identity(&alice, L"S-1-5-21-1000-2000-3000-1001", FALSE, FALSE);
    make_identity(&alice_admin, L"S-1-5-21-1000-2000-3000-1001", TRUE, FALSE);
    make_identity(&admin, L"S-1-5-21-1000-2000-3000-500", TRUE, FALSE);
    caller_set_test_identity(&alice);
    hr = IBackgroundCopyManager_CreateJob(manager, L"cmdline", BG_JOB_TYPE_DOWNLOAD, &id, &job);
    ok(hr == S_OK, "CreateJob got %#lx\n", hr);
    if (hr != S_OK) return;
    impl = CONTAINING_RECORD(job, struct bits_job, IBackgroundCopyJob5_iface);
    IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJob2, (void **)&job2);

    token = job_owner_token(impl);
    ok(token != NULL, "no owner token after CreateJob\n");
    if (token) CloseHandle(token);
    token = job_notify_token(impl);
    ok(!token, "a notify token without a command line\n");
    if (token) CloseHandle(token);

    caller_set_test_identity(&admin);
    hr = IBackgroundCopyJob2_SetNotifyCmdLine(job2, L"C:\\windows\\system32\\cmd.exe", NULL);
    ok(hr == S_OK, "SetNotifyCmdLine by an administrator got %#lx\n", hr);
    token = job_notify_token(impl);
    ok(!token, "a command line set by another user would run\n");
    if (token) CloseHandle(token);

    /* The owner's SID as an administrator (all of Wine's users have one SID): not the owner. */
    caller_set_test_identity(&alice_admin);
    hr = IBackgroundCopyJob2_SetNotifyCmdLine(job2, L"C:\\windows\\system32\\cmd.exe", NULL);
    ok(hr == S_OK, "SetNotifyCmdLine by an administrator with the owner's SID got %#lx\n", hr);
    token = job_notify_token(impl);
    ok(!token, "a standard user's job would run a program as an administrator\n");
    if (token) CloseHandle(token);

    caller_set_test_identity(&alice);
    hr = IBackgroundCopyJob2_SetNotifyCmdLine(job2, L"C:\\windows\\system32\\cmd.exe", NULL);
    ok(hr == S_OK, "SetNotifyCmdLine by the owner got %#lx\n", hr);
    token = job_notify_token(impl);
    ok(token != NULL, "the owner's command line has no token\n");
    if (token) CloseHandle(token);

    caller_set_test_identity(&admin);
    hr = IBackgroundCopyJob_TakeOwnership(job);
    ok(hr == S_OK, "TakeOwnership got %#lx\n", hr);
    token = job_notify_token(impl);
    ok(!token, "a notify token after TakeOwnership\n");
    if (token) CloseHandle(token);
    token = job_owner_token(impl);
    ok(token != NULL, "no owner token after TakeOwnership\n");
    if (token) CloseHandle(token);

    hr = IBackgroundCopyJob_Cancel(job);
    ok(hr == S_OK, "Cancel got %#lx\n", hr);
    IBackgroundCopyJob2_Release(job2);
    IBackgroundCopyJob_Release(job);
    caller_set_test_identity(NULL);
    free_identity(&alice);
    free_identity(&alice_admin);
    free_identity(&admin);
}

/* MaxFilesPerJob and MaxRangesPerFile bind standard users, not administrators. */
static void test_file_limits(void)
{
    static const BG_FILE_RANGE ranges[] = { { 0, 10 }, { 100, 10 }, { 200, 10 } };
    struct bits_caller alice, admin;
    IBackgroundCopyJob3 *job3;
    IBackgroundCopyJob *job;
    WCHAR dir[MAX_PATH], local[MAX_PATH];
    unsigned int i;
    HRESULT hr;
    GUID id;

    GetTempPathW(MAX_PATH, dir);
    make_identity(&alice, L"S-1-5-21-1000-2000-3000-1001", FALSE, FALSE);
    make_identity(&admin, L"S-1-5-21-1000-2000-3000-500", TRUE, FALSE);
    set_policy(L"MaxFilesPerJob", 2);
    set_policy(L"MaxRangesPerFile", 2);

    caller_set_test_identity(&alice);
    hr = IBackgroundCopyManager_CreateJob(manager, L"limits", BG_JOB_TYPE_DOWNLOAD, &id, &job);
    ok(hr == S_OK, "CreateJob got %#lx\n", hr);
    for (i = 0; i < 3; i++)
    {
        swprintf(local, MAX_PATH, L"%lslimit%u.bin", dir, i);
        hr = IBackgroundCopyJob_AddFile(job, L"http://127.0.0.1:9/x", local);
        if (i < 2) ok(hr == S_OK, "file %u got %#lx\n", i, hr);
        else ok(hr == BG_E_TOO_MANY_FILES_IN_JOB, "file %u got %#lx\n", i, hr);
    }
    IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJob3, (void **)&job3);
    IBackgroundCopyJob_Cancel(job);
    IBackgroundCopyJob_Release(job);
    hr = IBackgroundCopyManager_CreateJob(manager, L"ranges", BG_JOB_TYPE_DOWNLOAD, &id, &job);
    ok(hr == S_OK, "CreateJob got %#lx\n", hr);
    IBackgroundCopyJob3_Release(job3);
    IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJob3, (void **)&job3);
    swprintf(local, MAX_PATH, L"%lslimit-ranges.bin", dir);
    hr = IBackgroundCopyJob3_AddFileWithRanges(job3, L"http://127.0.0.1:9/x", local, 3, (BG_FILE_RANGE *)ranges);
    ok(hr == BG_E_TOO_MANY_RANGES_IN_FILE, "3 ranges got %#lx\n", hr);
    hr = IBackgroundCopyJob3_AddFileWithRanges(job3, L"http://127.0.0.1:9/x", local, 2, (BG_FILE_RANGE *)ranges);
    ok(hr == S_OK, "2 ranges got %#lx\n", hr);

    caller_set_test_identity(&admin);
    hr = IBackgroundCopyJob3_AddFileWithRanges(job3, L"http://127.0.0.1:9/y", local, 3, (BG_FILE_RANGE *)ranges);
    ok(hr == S_OK, "an administrator's 3 ranges got %#lx\n", hr);
    swprintf(local, MAX_PATH, L"%lslimit-admin.bin", dir);
    hr = IBackgroundCopyJob3_AddFile(job3, L"http://127.0.0.1:9/z", local);
    ok(hr == S_OK, "an administrator's third file got %#lx\n", hr);
    IBackgroundCopyJob3_Cancel(job3);
    IBackgroundCopyJob3_Release(job3);
    IBackgroundCopyJob_Release(job);

    set_policy(L"MaxFilesPerJob", 0);
    set_policy(L"MaxRangesPerFile", 0);
    caller_set_test_identity(NULL);
    free_identity(&alice);
    free_identity(&admin);
}

/* A token like our own with BUILTIN\Administrators deny-only: a standard user's. */
static HANDLE standard_user_token(void)
{
    SID_IDENTIFIER_AUTHORITY nt = { SECURITY_NT_AUTHORITY };
    SID_AND_ATTRIBUTES deny = { 0 };
    HANDLE token, restricted = NULL;

    AllocateAndInitializeSid(&nt, 2, SECURITY_BUILTIN_DOMAIN_RID, DOMAIN_ALIAS_RID_ADMINS, 0, 0, 0, 0, 0, 0, &deny.Sid);
    if (OpenProcessToken(GetCurrentProcess(), TOKEN_ALL_ACCESS, &token))
    {
        if (!CreateRestrictedToken(token, 0, 1, &deny, 0, NULL, 0, NULL, &restricted)) restricted = NULL;
        CloseHandle(token);
    }
    FreeSid(deny.Sid);
    return restricted;
}

/* An upload reads its local file as the job's owner: every open of it (the size and time when
 * the session starts, the handle the fragments come from, the check that it did not change)
 * happens while the service impersonates the owner's token; a job without one (loaded after a
 * restart) reads it as the service. Wine does not check file ACLs, so the test-only build
 * records who opened the file (open_file_test_watch). The token is set into the job, as its
 * owner's CreateJob would have. */
static void test_upload_reads_as_owner(void)
{
    static const struct { const char *who; BOOL standard, none; } cases[] =
    {
        { "administrator", FALSE, FALSE }, { "standard user", TRUE, FALSE }, { "no token", FALSE, TRUE },
    };
    WCHAR local[MAX_PATH], url[256];
    char port[16], data[3000];
    struct open_record seen;
    IBackgroundCopyJob *job;
    struct bits_job *impl;
    BG_JOB_STATE state = BG_JOB_STATE_QUEUED;
    unsigned int i, n;
    HANDLE file, token, old;
    DWORD written;
    HRESULT hr;
    GUID id;

    if (!GetEnvironmentVariableA("BITS_UPLOAD_PORT", port, sizeof(port)))
    {
        skip("no upload server (BITS_UPLOAD_PORT)\n");
        return;
    }
    GetTempPathW(MAX_PATH, local);
    lstrcatW(local, L"owner-upload.bin");
    memset(data, 'u', sizeof(data));
    file = CreateFileW(local, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
    ok(file != INVALID_HANDLE_VALUE, "cannot create %s: %lu\n", wine_dbgstr_w(local), GetLastError());
    WriteFile(file, data, sizeof(data), &written, NULL);
    CloseHandle(file);

    for (i = 0; i < ARRAY_SIZE(cases); i++)
    {
        winetest_push_context("%s", cases[i].who);
        swprintf(url, ARRAY_SIZE(url), L"http://127.0.0.1:%hs/up/owner-%lu-%u.bin", port, GetTickCount(), i);
        hr = IBackgroundCopyManager_CreateJob(manager, L"owner upload", BG_JOB_TYPE_UPLOAD, &id, &job);
        ok(hr == S_OK, "CreateJob got %#lx\n", hr);
        if (hr != S_OK)
        {
            winetest_pop_context();
            continue;
        }
        hr = IBackgroundCopyJob_AddFile(job, url, local);
        ok(hr == S_OK, "AddFile got %#lx\n", hr);
        impl = CONTAINING_RECORD(job, struct bits_job, IBackgroundCopyJob5_iface);
        token = cases[i].none ? NULL : cases[i].standard ? standard_user_token() : job_owner_token(impl);
        ok(cases[i].none || token != NULL, "no token\n");
        EnterCriticalSection(&impl->cs);
        old = impl->owner_token;
        impl->owner_token = token;
        LeaveCriticalSection(&impl->cs);
        if (old) CloseHandle(old);

        open_file_test_watch(local);
        hr = IBackgroundCopyJob_Resume(job);
        ok(hr == S_OK, "Resume got %#lx\n", hr);
        for (n = 0; n < 300; n++)
        {
            IBackgroundCopyJob_GetState(job, &state);
            if (state == BG_JOB_STATE_TRANSFERRED || state == BG_JOB_STATE_ERROR) break;
            Sleep(100);
        }
        ok(state == BG_JOB_STATE_TRANSFERRED, "state %u\n", state);
        open_file_test_seen(&seen);
        /* the size and time, the handle of the fragments, the check before the fragment */
        ok(seen.opens >= 3, "%ld opens of the local file\n", seen.opens);
        if (cases[i].none)
            ok(!seen.impersonated, "%ld of %ld opens impersonated without a token\n", seen.impersonated, seen.opens);
        else
            ok(seen.impersonated == seen.opens, "%ld of %ld opens as the owner\n", seen.impersonated, seen.opens);
        ok(seen.as_admin == (cases[i].standard || cases[i].none ? 0 : seen.opens),
           "%ld of %ld opens as an administrator\n", seen.as_admin, seen.opens);
        IBackgroundCopyJob_Complete(job);
        IBackgroundCopyJob_Release(job);
        winetest_pop_context();
    }
    open_file_test_watch(L"");
    DeleteFileW(local);
}

START_TEST(identity)
{
    HRESULT hr;

    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    hr = manager_get_object(&IID_IBackgroundCopyManager, (void **)&manager);
    ok(hr == S_OK, "got %#lx\n", hr);
    test_other_users();
    test_per_user_limit();
    test_take_ownership_clears();
    test_command_line_token();
    test_file_limits();
    test_upload_reads_as_owner();
    CoUninitialize();
}

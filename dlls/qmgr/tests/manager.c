/*
 * Conformance tests for IBackgroundCopyManager through the service: CreateJob validation and
 * results, GetJob, EnumJobs snapshots and their enumerators, the Group Policy job limits (read
 * at every CreateJob; per-user limits from a non-admin child; a two-process concurrency run)
 * and GetErrorDescription for BITS, HTTP, WinHTTP and system codes.
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
#include <wchar.h>
#include "bitsall.h"
#include "wine/test.h"

#define POLICY_KEY L"Software\\Policies\\Microsoft\\Windows\\BITS"

static IBackgroundCopyManager *manager;

static BOOL create_manager(void)
{
    HRESULT hr = CoCreateInstance(&CLSID_BackgroundCopyManager, NULL, CLSCTX_LOCAL_SERVER,
                                  &IID_IBackgroundCopyManager, (void **)&manager);
    ok(hr == S_OK, "CoCreateInstance got %#lx\n", hr);
    return hr == S_OK;
}

static IBackgroundCopyJob *create_job(const WCHAR *name, GUID *id)
{
    IBackgroundCopyJob *job = NULL;
    GUID dummy;
    HRESULT hr;

    hr = IBackgroundCopyManager_CreateJob(manager, name, BG_JOB_TYPE_DOWNLOAD, id ? id : &dummy, &job);
    ok(hr == S_OK, "CreateJob got %#lx\n", hr);
    return job;
}

static void cancel_job(IBackgroundCopyJob *job)
{
    HRESULT hr;

    if (!job) return;
    hr = IBackgroundCopyJob_Cancel(job);
    ok(hr == S_OK, "Cancel got %#lx\n", hr);
    IBackgroundCopyJob_Release(job);
}

/* The names of the jobs this program creates: only those are ever cancelled in bulk, so the
 * other jobs of the machine (on Windows: Windows Update's, the user's own) stay untouched. */
static const WCHAR *const own_names[] =
{
    L"quota", L"race", L"after cancel", L"after complete", L"replacement", L"raised", L"lowered", L"over",
    L"new job", L"same name", L"get job", L"completed", L"enum", L"enum cancelled", L"enum completed",
    L"enum later",
};

/* Cancels the jobs of this program left in the queue (ours or the child's: the same user). */
static void cancel_own_jobs(void)
{
    IEnumBackgroundCopyJobs *jobs;
    IBackgroundCopyJob *job;
    ULONG fetched, i;
    WCHAR *name;
    HRESULT hr;

    hr = IBackgroundCopyManager_EnumJobs(manager, 0, &jobs);
    ok(hr == S_OK, "EnumJobs got %#lx\n", hr);
    if (hr != S_OK) return;
    while (IEnumBackgroundCopyJobs_Next(jobs, 1, &job, &fetched) == S_OK)
    {
        if (IBackgroundCopyJob_GetDisplayName(job, &name) == S_OK)
        {
            for (i = 0; i < ARRAY_SIZE(own_names); i++)
                if (!lstrcmpW(name, own_names[i])) IBackgroundCopyJob_Cancel(job);
            CoTaskMemFree(name);
        }
        IBackgroundCopyJob_Release(job);
    }
    IEnumBackgroundCopyJobs_Release(jobs);
}

static ULONG count_jobs(DWORD flags)
{
    IEnumBackgroundCopyJobs *jobs;
    ULONG count = 0;
    HRESULT hr;

    hr = IBackgroundCopyManager_EnumJobs(manager, flags, &jobs);
    ok(hr == S_OK, "EnumJobs got %#lx\n", hr);
    if (hr != S_OK) return 0;
    hr = IEnumBackgroundCopyJobs_GetCount(jobs, &count);
    ok(hr == S_OK, "GetCount got %#lx\n", hr);
    IEnumBackgroundCopyJobs_Release(jobs);
    return count;
}

/* The jobs of others in the queue when the tests start (none under the harness): every count
 * of jobs is checked as a difference from these, and every limit is set above them. */
static ULONG others_user, others_all;

/* Windows did not apply the machine limit to this administrator (see test_machine_limit). */
static BOOL admin_exempt;

/* Whether the enumerator's snapshot holds the job with this id. */
static BOOL enum_contains(IEnumBackgroundCopyJobs *jobs, const GUID *id)
{
    IBackgroundCopyJob *job;
    BOOL found = FALSE;
    ULONG fetched;
    GUID got;

    IEnumBackgroundCopyJobs_Reset(jobs);
    while (!found && IEnumBackgroundCopyJobs_Next(jobs, 1, &job, &fetched) == S_OK)
    {
        if (IBackgroundCopyJob_GetId(job, &got) == S_OK && IsEqualGUID(&got, id)) found = TRUE;
        IBackgroundCopyJob_Release(job);
    }
    IEnumBackgroundCopyJobs_Reset(jobs);
    return found;
}

/* ---- policy values ---- */

static void set_policy(const WCHAR *name, DWORD value)
{
    LSTATUS ret;
    HKEY key;

    ret = RegCreateKeyExW(HKEY_LOCAL_MACHINE, POLICY_KEY, 0, NULL, 0, KEY_SET_VALUE, NULL, &key, NULL);
    ok(!ret, "cannot create the policy key: %ld\n", ret);
    if (ret) return;
    ret = RegSetValueExW(key, name, 0, REG_DWORD, (BYTE *)&value, sizeof(value));
    ok(!ret, "cannot set %s: %ld\n", wine_dbgstr_w(name), ret);
    RegCloseKey(key);
}

static void set_policy_string(const WCHAR *name, const WCHAR *value)
{
    LSTATUS ret;
    HKEY key;

    ret = RegCreateKeyExW(HKEY_LOCAL_MACHINE, POLICY_KEY, 0, NULL, 0, KEY_SET_VALUE, NULL, &key, NULL);
    ok(!ret, "cannot create the policy key: %ld\n", ret);
    if (ret) return;
    ret = RegSetValueExW(key, name, 0, REG_SZ, (BYTE *)value, (lstrlenW(value) + 1) * sizeof(WCHAR));
    ok(!ret, "cannot set %s: %ld\n", wine_dbgstr_w(name), ret);
    RegCloseKey(key);
}

static void delete_policy(const WCHAR *name)
{
    HKEY key;

    if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, POLICY_KEY, 0, KEY_SET_VALUE, &key)) return;
    RegDeleteValueW(key, name);
    RegCloseKey(key);
}

static void delete_policies(void)
{
    delete_policy(L"MaxJobsPerMachine");
    delete_policy(L"MaxJobsPerUser");
}

/* The machine's own values, put back at the end (a Windows machine may have a policy set). */
static struct
{
    const WCHAR *name;
    BOOL present;
    DWORD type, size;
    BYTE data[64];
} saved_policies[] = { { L"MaxJobsPerMachine" }, { L"MaxJobsPerUser" } };

static void save_policies(void)
{
    unsigned int i;
    HKEY key;

    if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, POLICY_KEY, 0, KEY_QUERY_VALUE, &key)) return;
    for (i = 0; i < ARRAY_SIZE(saved_policies); i++)
    {
        saved_policies[i].size = sizeof(saved_policies[i].data);
        saved_policies[i].present = !RegQueryValueExW(key, saved_policies[i].name, NULL, &saved_policies[i].type,
                                                      saved_policies[i].data, &saved_policies[i].size);
    }
    RegCloseKey(key);
}

static void restore_policies(void)
{
    unsigned int i;
    HKEY key;

    delete_policies();
    for (i = 0; i < ARRAY_SIZE(saved_policies); i++)
    {
        if (!saved_policies[i].present) continue;
        if (RegCreateKeyExW(HKEY_LOCAL_MACHINE, POLICY_KEY, 0, NULL, 0, KEY_SET_VALUE, NULL, &key, NULL)) return;
        RegSetValueExW(key, saved_policies[i].name, 0, saved_policies[i].type, saved_policies[i].data,
                       saved_policies[i].size);
        RegCloseKey(key);
    }
}

/* ---- child processes ---- */

static HANDLE restricted_token(void)
{
    SID_IDENTIFIER_AUTHORITY nt = { SECURITY_NT_AUTHORITY };
    HANDLE token, restricted = NULL;
    SID_AND_ATTRIBUTES deny;
    PSID admins;

    AllocateAndInitializeSid(&nt, 2, SECURITY_BUILTIN_DOMAIN_RID, DOMAIN_ALIAS_RID_ADMINS, 0, 0, 0, 0, 0, 0, &admins);
    deny.Sid = admins;
    deny.Attributes = 0;
    if (OpenProcessToken(GetCurrentProcess(), TOKEN_ALL_ACCESS, &token))
    {
        if (!CreateRestrictedToken(token, 0, 1, &deny, 0, NULL, 0, NULL, &restricted)) restricted = NULL;
        CloseHandle(token);
    }
    FreeSid(admins);
    ok(restricted != NULL, "cannot make a restricted token: %lu\n", GetLastError());
    return restricted;
}

/* Runs "<exe> manager <args>" (as a standard user when token is set) and waits for it. */
static void run_child(HANDLE token, const char *args)
{
    PROCESS_INFORMATION pi;
    BOOL ret;

    ret = winetest_start_child_as(token, args, &pi);
    ok(ret, "cannot start the child %s: %lu\n", args, GetLastError());
    if (!ret) return;
    winetest_wait_child_process(pi.hProcess);
    CloseHandle(pi.hProcess);
    CloseHandle(pi.hThread);
}

/* ---- CreateJob ---- */

static void get_process_sid_string(WCHAR **str)
{
    BYTE buffer[256];
    TOKEN_USER *user = (TOKEN_USER *)buffer;
    HANDLE token;
    DWORD len;

    *str = NULL;
    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token)) return;
    if (GetTokenInformation(token, TokenUser, buffer, sizeof(buffer), &len))
        ConvertSidToStringSidW(user->User.Sid, str);
    CloseHandle(token);
}

static void test_CreateJob(void)
{
    static const BG_JOB_TYPE bad_types[] = { 3, (BG_JOB_TYPE)-1, 0x100 };
    static const BG_JOB_TYPE types[] = { BG_JOB_TYPE_DOWNLOAD, BG_JOB_TYPE_UPLOAD, BG_JOB_TYPE_UPLOAD_REPLY };
    IBackgroundCopyJob *job, *job2;
    WCHAR name[300], *str, *sid;
    BG_JOB_STATE state;
    BG_JOB_TYPE type;
    unsigned int i;
    GUID id, id2;
    HRESULT hr;

    /* Across processes the proxy refuses NULL [in] strings and [out] pointers and enum values
     * that do not fit 16 bits before the service sees them (RPC_X_*; MIDL proxies on Windows do
     * the same); tests/unit/manager.c checks the service's own E_INVALIDARG for those. */
    job = (IBackgroundCopyJob *)0xdeadbeef;
    hr = IBackgroundCopyManager_CreateJob(manager, NULL, BG_JOB_TYPE_DOWNLOAD, &id, &job);
    ok(hr == E_INVALIDARG || hr == HRESULT_FROM_WIN32(RPC_X_NULL_REF_POINTER), "NULL name got %#lx\n", hr);
    ok(!job, "job not cleared: %p\n", job);

    for (i = 0; i < 257; i++) name[i] = 'a' + i % 26;
    name[257] = 0;
    hr = IBackgroundCopyManager_CreateJob(manager, name, BG_JOB_TYPE_DOWNLOAD, &id, &job);
    ok(hr == E_INVALIDARG, "257 characters got %#lx\n", hr);
    name[256] = 0;
    hr = IBackgroundCopyManager_CreateJob(manager, name, BG_JOB_TYPE_DOWNLOAD, &id, &job);
    ok(hr == S_OK, "256 characters got %#lx\n", hr);
    if (hr == S_OK)
    {
        hr = IBackgroundCopyJob_GetDisplayName(job, &str);
        ok(hr == S_OK && !lstrcmpW(str, name), "got %#lx, %s\n", hr, wine_dbgstr_w(str));
        CoTaskMemFree(str);
        cancel_job(job);
    }
    hr = IBackgroundCopyManager_CreateJob(manager, L"", BG_JOB_TYPE_DOWNLOAD, &id, &job);
    ok(hr == S_OK, "empty name got %#lx\n", hr);
    if (hr == S_OK) cancel_job(job);

    for (i = 0; i < ARRAY_SIZE(bad_types); i++)
    {
        winetest_push_context("type %#x", bad_types[i]);
        hr = IBackgroundCopyManager_CreateJob(manager, L"bad type", bad_types[i], &id, &job);
        ok(hr == E_INVALIDARG
           || (bad_types[i] > 0x7fff && hr == HRESULT_FROM_WIN32(RPC_X_ENUM_VALUE_OUT_OF_RANGE)), "got %#lx\n", hr);
        winetest_pop_context();
    }

    hr = IBackgroundCopyManager_CreateJob(manager, L"no id", BG_JOB_TYPE_DOWNLOAD, NULL, &job);
    ok(hr == E_INVALIDARG || hr == HRESULT_FROM_WIN32(RPC_X_NULL_REF_POINTER), "NULL id got %#lx\n", hr);
    hr = IBackgroundCopyManager_CreateJob(manager, L"no job", BG_JOB_TYPE_DOWNLOAD, &id, NULL);
    ok(hr == E_INVALIDARG || hr == HRESULT_FROM_WIN32(RPC_X_NULL_REF_POINTER), "NULL job got %#lx\n", hr);
    ok(count_jobs(0) == others_user, "a failed CreateJob left a job behind\n");

    get_process_sid_string(&sid);
    for (i = 0; i < ARRAY_SIZE(types); i++)
    {
        winetest_push_context("type %u", types[i]);
        memset(&id, 0, sizeof(id));
        hr = IBackgroundCopyManager_CreateJob(manager, L"new job", types[i], &id, &job);
        ok(hr == S_OK, "got %#lx\n", hr);
        if (hr != S_OK)
        {
            winetest_pop_context();
            continue;
        }
        ok(!IsEqualGUID(&id, &GUID_NULL), "no id returned\n");
        hr = IBackgroundCopyJob_GetId(job, &id2);
        ok(hr == S_OK && IsEqualGUID(&id, &id2), "GetId got %#lx, %s\n", hr, wine_dbgstr_guid(&id2));
        hr = IBackgroundCopyJob_GetType(job, &type);
        ok(hr == S_OK && type == types[i], "GetType got %#lx, %u\n", hr, type);
        hr = IBackgroundCopyJob_GetState(job, &state);
        ok(hr == S_OK && state == BG_JOB_STATE_SUSPENDED, "GetState got %#lx, %u\n", hr, state);
        hr = IBackgroundCopyJob_GetOwner(job, &str);
        ok(hr == S_OK, "GetOwner got %#lx\n", hr);
        if (hr == S_OK)
        {
            ok(sid && !lstrcmpW(str, sid), "owner %s, caller %s\n", wine_dbgstr_w(str), wine_dbgstr_w(sid));
            CoTaskMemFree(str);
        }
        cancel_job(job);
        winetest_pop_context();
    }
    LocalFree(sid);

    /* Duplicate names are allowed; every job gets its own GUID. */
    job = create_job(L"same name", &id);
    job2 = create_job(L"same name", &id2);
    ok(!IsEqualGUID(&id, &id2), "two jobs with the same id %s\n", wine_dbgstr_guid(&id));
    cancel_job(job);
    cancel_job(job2);
}

/* ---- GetJob ---- */

static void test_GetJob(void)
{
    IBackgroundCopyJob *job, *found, *completed;
    GUID id, id2, unknown;
    HRESULT hr;

    job = create_job(L"get job", &id);
    if (!job) return;

    found = NULL;
    hr = IBackgroundCopyManager_GetJob(manager, &id, &found);
    ok(hr == S_OK, "GetJob got %#lx\n", hr);
    if (found)
    {
        hr = IBackgroundCopyJob_GetId(found, &id2);
        ok(hr == S_OK && IsEqualGUID(&id, &id2), "got %#lx, %s\n", hr, wine_dbgstr_guid(&id2));
        IBackgroundCopyJob_Release(found);
    }

    CoCreateGuid(&unknown);
    found = (IBackgroundCopyJob *)0xdeadbeef;
    hr = IBackgroundCopyManager_GetJob(manager, &unknown, &found);
    ok(hr == BG_E_NOT_FOUND, "unknown id got %#lx\n", hr);
    ok(!found, "job not cleared: %p\n", found);
    hr = IBackgroundCopyManager_GetJob(manager, &GUID_NULL, &found);
    ok(hr == BG_E_NOT_FOUND, "GUID_NULL got %#lx\n", hr);
    hr = IBackgroundCopyManager_GetJob(manager, &id, NULL);
    ok(hr == E_INVALIDARG || hr == HRESULT_FROM_WIN32(RPC_X_NULL_REF_POINTER), "NULL job got %#lx\n", hr);

    /* Jobs in a final state leave at once: EnumJobs lists none. */
    cancel_job(job);
    hr = IBackgroundCopyManager_GetJob(manager, &id, &found);
    ok(hr == BG_E_NOT_FOUND, "cancelled job got %#lx\n", hr);

    completed = create_job(L"completed", &id);
    if (!completed) return;
    hr = IBackgroundCopyJob_Complete(completed);
    ok(hr == S_OK || hr == BG_S_PARTIAL_COMPLETE, "Complete got %#lx\n", hr);
    hr = IBackgroundCopyManager_GetJob(manager, &id, &found);
    ok(hr == BG_E_NOT_FOUND, "acknowledged job got %#lx\n", hr);
    IBackgroundCopyJob_Release(completed);
}

/* ---- EnumJobs ---- */

static void test_EnumJobs(void)
{
    IBackgroundCopyJob *jobs[4], *cancelled, *completed, **got;
    IEnumBackgroundCopyJobs *e, *clone;
    GUID ids[4], cancelled_id, completed_id;
    ULONG count, fetched, i, n = others_user;   /* the snapshots also hold the user's other jobs */
    HRESULT hr;

    cancelled = create_job(L"enum cancelled", &cancelled_id);
    completed = create_job(L"enum completed", &completed_id);
    for (i = 0; i < 3; i++) jobs[i] = create_job(L"enum", &ids[i]);
    if (!cancelled || !completed || !jobs[0] || !jobs[1] || !jobs[2]) return;
    cancel_job(cancelled);
    hr = IBackgroundCopyJob_Complete(completed);
    ok(hr == S_OK || hr == BG_S_PARTIAL_COMPLETE, "Complete got %#lx\n", hr);
    IBackgroundCopyJob_Release(completed);

    hr = IBackgroundCopyManager_EnumJobs(manager, 0, NULL);
    ok(hr == E_INVALIDARG || hr == HRESULT_FROM_WIN32(RPC_X_NULL_REF_POINTER), "NULL out got %#lx\n", hr);
    /* BITS documents only 0 and BG_JOB_ENUM_ALL_USERS; refusing other bits is our choice. */
    e = (IEnumBackgroundCopyJobs *)0xdeadbeef;
    hr = IBackgroundCopyManager_EnumJobs(manager, 2, &e);
    ok(hr == E_INVALIDARG, "flags 2 got %#lx\n", hr);
    ok(!e, "enumerator not cleared: %p\n", e);
    hr = IBackgroundCopyManager_EnumJobs(manager, 0x80000000 | BG_JOB_ENUM_ALL_USERS, &e);
    ok(hr == E_INVALIDARG, "flags 0x80000001 got %#lx\n", hr);

    hr = IBackgroundCopyManager_EnumJobs(manager, 0, &e);
    ok(hr == S_OK, "EnumJobs got %#lx\n", hr);
    if (hr != S_OK) return;
    got = HeapAlloc(GetProcessHeap(), 0, (n + 8) * sizeof(*got));

    /* A snapshot: a job created later is not in it. */
    jobs[3] = create_job(L"enum later", &ids[3]);
    hr = IEnumBackgroundCopyJobs_GetCount(e, &count);
    ok(hr == S_OK && count == n + 3, "GetCount got %#lx, %lu\n", hr, count);
    for (i = 0; i < 3; i++) ok(enum_contains(e, &ids[i]), "job %lu missing\n", i);
    ok(!enum_contains(e, &ids[3]), "a later job is in the snapshot\n");
    ok(!enum_contains(e, &cancelled_id), "the cancelled job is listed\n");
    ok(!enum_contains(e, &completed_id), "the acknowledged job is listed\n");
    hr = IEnumBackgroundCopyJobs_GetCount(e, NULL);
    ok(hr == E_INVALIDARG || hr == HRESULT_FROM_WIN32(RPC_X_NULL_REF_POINTER), "GetCount(NULL) got %#lx\n", hr);

    /* Next: fetched may be NULL only for one item. */
    hr = IEnumBackgroundCopyJobs_Next(e, 2, got, NULL);
    ok(hr == E_INVALIDARG, "Next(2, NULL fetched) got %#lx\n", hr);
    hr = IEnumBackgroundCopyJobs_Next(e, 1, got, NULL);
    ok(hr == S_OK, "Next(1, NULL fetched) got %#lx\n", hr);
    if (hr == S_OK) IBackgroundCopyJob_Release(got[0]);
    fetched = 0xdead;
    hr = IEnumBackgroundCopyJobs_Next(e, 0, got, &fetched);
    ok(hr == S_OK && !fetched, "Next(0) got %#lx, %lu\n", hr, fetched);
    hr = IEnumBackgroundCopyJobs_Next(e, n + 5, got, &fetched);
    ok(hr == S_FALSE && fetched == n + 2, "Next(5) got %#lx, fetched %lu\n", hr, fetched);
    for (i = 0; i < fetched && i < n + 5; i++) IBackgroundCopyJob_Release(got[i]);
    fetched = 0xdead;
    hr = IEnumBackgroundCopyJobs_Next(e, 1, got, &fetched);
    ok(hr == S_FALSE && !fetched, "Next at the end got %#lx, fetched %lu\n", hr, fetched);
    hr = IEnumBackgroundCopyJobs_Next(e, 1, got, NULL);
    ok(hr == S_FALSE, "Next(1, NULL fetched) at the end got %#lx\n", hr);

    /* Reset, Skip. */
    hr = IEnumBackgroundCopyJobs_Reset(e);
    ok(hr == S_OK, "Reset got %#lx\n", hr);
    hr = IEnumBackgroundCopyJobs_Next(e, n + 3, got, &fetched);
    ok(hr == S_OK && fetched == n + 3, "Next(3) after Reset got %#lx, fetched %lu\n", hr, fetched);
    for (i = 0; i < fetched && i < n + 3; i++) IBackgroundCopyJob_Release(got[i]);
    IEnumBackgroundCopyJobs_Reset(e);
    hr = IEnumBackgroundCopyJobs_Skip(e, 0);
    ok(hr == S_OK, "Skip(0) got %#lx\n", hr);
    hr = IEnumBackgroundCopyJobs_Skip(e, n + 2);
    ok(hr == S_OK, "Skip(2) got %#lx\n", hr);
    hr = IEnumBackgroundCopyJobs_Next(e, 2, got, &fetched);
    ok(hr == S_FALSE && fetched == 1, "Next(2) after Skip(2) got %#lx, fetched %lu\n", hr, fetched);
    for (i = 0; i < fetched && i < 2; i++) IBackgroundCopyJob_Release(got[i]);
    IEnumBackgroundCopyJobs_Reset(e);
    hr = IEnumBackgroundCopyJobs_Skip(e, n + 4);
    ok(hr == S_FALSE, "Skip past the end got %#lx\n", hr);
    hr = IEnumBackgroundCopyJobs_Next(e, 1, got, &fetched);
    ok(hr == S_FALSE && !fetched, "Next after Skip past the end got %#lx, fetched %lu\n", hr, fetched);

    /* Clone: same snapshot and position, moves on its own. */
    IEnumBackgroundCopyJobs_Reset(e);
    IEnumBackgroundCopyJobs_Skip(e, 1);
    hr = IEnumBackgroundCopyJobs_Clone(e, &clone);
    ok(hr == S_OK, "Clone got %#lx\n", hr);
    if (hr == S_OK)
    {
        hr = IEnumBackgroundCopyJobs_GetCount(clone, &count);
        ok(hr == S_OK && count == n + 3, "clone GetCount got %#lx, %lu\n", hr, count);
        hr = IEnumBackgroundCopyJobs_Next(clone, n + 3, got, &fetched);
        ok(hr == S_FALSE && fetched == n + 2, "clone Next(3) got %#lx, fetched %lu\n", hr, fetched);
        for (i = 0; i < fetched && i < n + 3; i++) IBackgroundCopyJob_Release(got[i]);
        hr = IEnumBackgroundCopyJobs_Next(e, 2, got, &fetched);
        ok(hr == S_OK && fetched == 2, "original Next(2) after the clone's got %#lx, fetched %lu\n", hr, fetched);
        for (i = 0; i < fetched && i < 2; i++) IBackgroundCopyJob_Release(got[i]);
        ok(!enum_contains(clone, &ids[3]), "a later job is in the clone\n");
        IEnumBackgroundCopyJobs_Release(clone);
    }

    /* Property reads through the snapshot are live; a job cancelled since stays in it. */
    cancel_job(jobs[0]);
    hr = IEnumBackgroundCopyJobs_GetCount(e, &count);
    ok(hr == S_OK && count == n + 3, "GetCount after a Cancel got %#lx, %lu\n", hr, count);
    IEnumBackgroundCopyJobs_Release(e);
    HeapFree(GetProcessHeap(), 0, got);

    /* A new enumeration sees the current list. */
    hr = IBackgroundCopyManager_EnumJobs(manager, 0, &e);
    ok(hr == S_OK, "EnumJobs got %#lx\n", hr);
    if (hr == S_OK)
    {
        hr = IEnumBackgroundCopyJobs_GetCount(e, &count);
        ok(hr == S_OK && count == n + 3, "GetCount got %#lx, %lu\n", hr, count);
        ok(!enum_contains(e, &ids[0]), "the cancelled job is listed\n");
        ok(enum_contains(e, &ids[3]), "the later job is missing\n");
        IEnumBackgroundCopyJobs_Release(e);
    }
    for (i = 1; i < 4; i++) cancel_job(jobs[i]);
}

/* ---- policy limits ---- */

/* Creates jobs until one fails or max is reached; the jobs go to out[], the failure to *result. */
static ULONG create_jobs(ULONG max, IBackgroundCopyJob **out, HRESULT *result)
{
    ULONG count = 0;
    GUID id;

    *result = S_OK;
    while (count < max)
    {
        *result = IBackgroundCopyManager_CreateJob(manager, L"quota", BG_JOB_TYPE_DOWNLOAD, &id, &out[count]);
        if (*result != S_OK) break;
        count++;
    }
    return count;
}

static void cancel_jobs(IBackgroundCopyJob **jobs, ULONG count)
{
    ULONG i;

    for (i = 0; i < count; i++)
    {
        IBackgroundCopyJob_Cancel(jobs[i]);
        IBackgroundCopyJob_Release(jobs[i]);
    }
}

/* Administrators are bound by MaxJobsPerMachine too. Our choice: the ADMX text exempts
 * them, but the limit must bind every caller except service accounts; under Wine
 * every caller is an administrator, so an exemption would make the limit unreachable. */
static void test_machine_limit(void)
{
    IBackgroundCopyJob *jobs[310], *extra;
    ULONG count;
    HRESULT hr;
    GUID id;

    ok(count_jobs(BG_JOB_ENUM_ALL_USERS) == others_all, "jobs left from earlier tests\n");

    set_policy(L"MaxJobsPerMachine", others_all + 3);
    count = create_jobs(10, jobs, &hr);
    /* Microsoft's policy text exempts administrators from the job quotas: Windows may not bind us. */
    if (broken(count == 10 && hr == S_OK))
    {
        win_skip("MaxJobsPerMachine does not bind an administrator\n");
        admin_exempt = TRUE;
        cancel_jobs(jobs, count);
        delete_policies();
        return;
    }
    ok(count == 3, "created %lu jobs\n", count);
    ok(hr == BG_E_TOO_MANY_JOBS_PER_MACHINE, "job %lu got %#lx\n", count + 1, hr);

    /* Cancelled and acknowledged jobs do not count. */
    if (count == 3)
    {
        hr = IBackgroundCopyJob_Cancel(jobs[0]);
        ok(hr == S_OK, "Cancel got %#lx\n", hr);
        IBackgroundCopyJob_Release(jobs[0]);
        hr = IBackgroundCopyManager_CreateJob(manager, L"after cancel", BG_JOB_TYPE_DOWNLOAD, &id, &jobs[0]);
        ok(hr == S_OK, "CreateJob after a Cancel got %#lx\n", hr);
        if (hr != S_OK) jobs[0] = create_job(L"replacement", NULL);

        hr = IBackgroundCopyJob_Complete(jobs[1]);
        ok(hr == S_OK || hr == BG_S_PARTIAL_COMPLETE, "Complete got %#lx\n", hr);
        IBackgroundCopyJob_Release(jobs[1]);
        hr = IBackgroundCopyManager_CreateJob(manager, L"after complete", BG_JOB_TYPE_DOWNLOAD, &id, &jobs[1]);
        ok(hr == S_OK, "CreateJob after a Complete got %#lx\n", hr);
        if (hr != S_OK) jobs[1] = create_job(L"replacement", NULL);

        hr = IBackgroundCopyManager_CreateJob(manager, L"over", BG_JOB_TYPE_DOWNLOAD, &id, &extra);
        ok(hr == BG_E_TOO_MANY_JOBS_PER_MACHINE, "fourth job got %#lx\n", hr);
        if (hr == S_OK) cancel_job(extra);

        /* A change applies at the next CreateJob, without a restart. */
        set_policy(L"MaxJobsPerMachine", others_all + 4);
        hr = IBackgroundCopyManager_CreateJob(manager, L"raised", BG_JOB_TYPE_DOWNLOAD, &id, &jobs[3]);
        ok(hr == S_OK, "after raising the limit got %#lx\n", hr);
        if (hr == S_OK) count++;
        set_policy(L"MaxJobsPerMachine", others_all + 2);
        hr = IBackgroundCopyManager_CreateJob(manager, L"lowered", BG_JOB_TYPE_DOWNLOAD, &id, &extra);
        ok(hr == BG_E_TOO_MANY_JOBS_PER_MACHINE, "after lowering the limit got %#lx\n", hr);
        if (hr == S_OK) cancel_job(extra);
        /* Existing jobs stay. */
        ok(count_jobs(0) == others_user + count, "%lu jobs listed\n", count_jobs(0));
    }
    cancel_jobs(jobs, count);

    /* No value: the default of 300. */
    delete_policies();
    count = create_jobs(ARRAY_SIZE(jobs), jobs, &hr);
    ok(count == 300 - others_all, "default limit: created %lu jobs\n", count);
    ok(hr == BG_E_TOO_MANY_JOBS_PER_MACHINE, "job %lu got %#lx\n", count + 1, hr);
    cancel_jobs(jobs, count);

    /* Unusable values (our choice, see policy.c): 0 and non-DWORD values fall back to the default. */
    set_policy(L"MaxJobsPerMachine", 0);
    count = create_jobs(5, jobs, &hr);
    ok(count == 5 && hr == S_OK, "MaxJobsPerMachine 0: created %lu jobs, %#lx\n", count, hr);
    cancel_jobs(jobs, count);
    set_policy_string(L"MaxJobsPerMachine", L"2");
    count = create_jobs(5, jobs, &hr);
    ok(count == 5 && hr == S_OK, "REG_SZ MaxJobsPerMachine: created %lu jobs, %#lx\n", count, hr);
    cancel_jobs(jobs, count);
    /* A huge value is taken as it is: more than the default 300 jobs. */
    set_policy(L"MaxJobsPerMachine", 0xffffffff);
    count = create_jobs(301, jobs, &hr);
    ok(count == 301 && hr == S_OK, "MaxJobsPerMachine 0xffffffff: created %lu jobs, %#lx\n", count, hr);
    cancel_jobs(jobs, count);

    /* Administrators are exempt from MaxJobsPerUser. */
    set_policy(L"MaxJobsPerUser", 2);
    delete_policy(L"MaxJobsPerMachine");
    count = create_jobs(4, jobs, &hr);
    ok(count == 4 && hr == S_OK, "administrator with MaxJobsPerUser 2: created %lu jobs, %#lx\n", count, hr);
    cancel_jobs(jobs, count);
    delete_policies();
}

/* In a standard-user child: the per-user limit, with the values the parent set. */
static void child_user_limit(ULONG expect, HRESULT expect_hr)
{
    IBackgroundCopyJob *jobs[70], *extra;
    ULONG count;
    HRESULT hr;
    GUID id;

    count = create_jobs(ARRAY_SIZE(jobs), jobs, &hr);
    ok(count == expect, "created %lu jobs, expected %lu\n", count, expect);
    ok(hr == expect_hr, "job %lu got %#lx\n", count + 1, hr);

    if (count >= 2 && expect_hr == BG_E_TOO_MANY_JOBS_PER_USER)
    {
        /* Cancelled and acknowledged jobs do not count. */
        hr = IBackgroundCopyJob_Cancel(jobs[0]);
        ok(hr == S_OK, "Cancel got %#lx\n", hr);
        IBackgroundCopyJob_Release(jobs[0]);
        hr = IBackgroundCopyManager_CreateJob(manager, L"after cancel", BG_JOB_TYPE_DOWNLOAD, &id, &jobs[0]);
        ok(hr == S_OK, "CreateJob after a Cancel got %#lx\n", hr);
        if (hr != S_OK) jobs[0] = create_job(L"replacement", NULL);

        hr = IBackgroundCopyJob_Complete(jobs[1]);
        ok(hr == S_OK || hr == BG_S_PARTIAL_COMPLETE, "Complete got %#lx\n", hr);
        IBackgroundCopyJob_Release(jobs[1]);
        hr = IBackgroundCopyManager_CreateJob(manager, L"after complete", BG_JOB_TYPE_DOWNLOAD, &id, &jobs[1]);
        ok(hr == S_OK, "CreateJob after a Complete got %#lx\n", hr);
        if (hr != S_OK) jobs[1] = create_job(L"replacement", NULL);

        hr = IBackgroundCopyManager_CreateJob(manager, L"over", BG_JOB_TYPE_DOWNLOAD, &id, &extra);
        ok(hr == BG_E_TOO_MANY_JOBS_PER_USER, "one over got %#lx\n", hr);
        if (hr == S_OK) cancel_job(extra);
    }
    cancel_jobs(jobs, count);
}

/* The per-user limit binds standard users; its owner is the user SID, which the child shares
 * with the parent (Wine has one user), so the parent keeps no jobs while a child runs. */
static void test_user_limit(void)
{
    char args[64];
    HANDLE token;

    if (!(token = restricted_token())) return;
    ok(count_jobs(BG_JOB_ENUM_ALL_USERS) == others_all, "jobs left from earlier tests\n");

    /* The user's other jobs count too: the child may create what is left of the limit. */
    set_policy(L"MaxJobsPerUser", others_user + 3);
    sprintf(args, "user_limit 3 0x80200049");
    run_child(token, args);

    /* The default is 60 jobs per user. */
    delete_policies();
    sprintf(args, "user_limit %lu 0x80200049", 60 - others_user);
    run_child(token, args);

    /* Unusable values (our choice, see policy.c): 0 and REG_SZ give the default of 60. */
    set_policy(L"MaxJobsPerUser", 0);
    run_child(token, args);
    set_policy_string(L"MaxJobsPerUser", L"5");
    run_child(token, args);
    /* Huge: taken as is, the machine limit (default 300) binds first; 70 jobs fit. */
    set_policy(L"MaxJobsPerUser", 0xffffffff);
    run_child(token, "user_limit 70 0");

    /* Per-user above per-machine: honoured as written, so the machine limit binds first. */
    set_policy(L"MaxJobsPerMachine", others_all + 4);
    set_policy(L"MaxJobsPerUser", others_user + 10);
    run_child(token, "user_limit 4 0x80200050");

    delete_policies();
    ok(count_jobs(BG_JOB_ENUM_ALL_USERS) == others_all, "the child left jobs behind\n");
    CloseHandle(token);
}

/* ---- concurrency: two processes of 8 threads against MaxJobsPerMachine = 50 ---- */

#define RACE_THREADS  8
#define RACE_ATTEMPTS 12     /* per thread: 2 * 8 * 12 = 192 attempts for 50 jobs */
#define RACE_LIMIT    50

static LONG race_created, race_refused, race_other;
static HANDLE race_go;

static DWORD WINAPI race_thread(void *arg)
{
    IBackgroundCopyJob *job;
    HRESULT hr;
    GUID id;
    int i;

    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    WaitForSingleObject(race_go, INFINITE);
    for (i = 0; i < RACE_ATTEMPTS; i++)
    {
        hr = IBackgroundCopyManager_CreateJob(manager, L"race", BG_JOB_TYPE_DOWNLOAD, &id, &job);
        if (hr == S_OK)
        {
            InterlockedIncrement(&race_created);
            IBackgroundCopyJob_Release(job);     /* the job stays in the queue */
        }
        else if (hr == BG_E_TOO_MANY_JOBS_PER_MACHINE) InterlockedIncrement(&race_refused);
        else
        {
            InterlockedIncrement(&race_other);
            ok(0, "CreateJob got %#lx\n", hr);
        }
    }
    CoUninitialize();
    return 0;
}

/* Runs the threads once race_go is set; returns the number of jobs this process created. */
static LONG race_run(void)
{
    HANDLE threads[RACE_THREADS];
    int i;

    for (i = 0; i < RACE_THREADS; i++) threads[i] = CreateThread(NULL, 0, race_thread, NULL, 0, NULL);
    WaitForMultipleObjects(RACE_THREADS, threads, TRUE, INFINITE);
    for (i = 0; i < RACE_THREADS; i++) CloseHandle(threads[i]);
    ok(race_created + race_refused == RACE_THREADS * RACE_ATTEMPTS, "%ld created, %ld refused, %ld other\n",
       race_created, race_refused, race_other);
    return race_created;
}

/* Child: waits for the parent's start signal, races, writes its count to the file. */
static void child_race(const char *path)
{
    HANDLE ready, file;
    char buf[32];
    DWORD written;
    LONG created;

    ready = OpenEventA(EVENT_MODIFY_STATE, FALSE, "bits_manager_race_ready");
    race_go = OpenEventA(SYNCHRONIZE, FALSE, "bits_manager_race_go");
    ok(ready && race_go, "cannot open the events: %lu\n", GetLastError());
    if (!ready || !race_go) return;
    SetEvent(ready);
    created = race_run();
    sprintf(buf, "%ld", created);
    file = CreateFileA(path, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
    ok(file != INVALID_HANDLE_VALUE, "cannot create %s: %lu\n", path, GetLastError());
    WriteFile(file, buf, strlen(buf), &written, NULL);
    CloseHandle(file);
    CloseHandle(ready);
    CloseHandle(race_go);
}

static void test_concurrency(void)
{
    char path[MAX_PATH], args[MAX_PATH + 16], buf[32] = { 0 };
    PROCESS_INFORMATION pi;
    LONG created, child_created = -1;
    HANDLE ready, file;
    DWORD read;
    BOOL ret;

    if (admin_exempt)
    {
        skip("the race needs MaxJobsPerMachine to bind\n");
        return;
    }
    ok(count_jobs(BG_JOB_ENUM_ALL_USERS) == others_all, "jobs left from earlier tests\n");
    GetTempPathA(MAX_PATH - 32, path);
    strcat(path, "bits_race.txt");
    DeleteFileA(path);
    set_policy(L"MaxJobsPerMachine", others_all + RACE_LIMIT);

    ready = CreateEventA(NULL, TRUE, FALSE, "bits_manager_race_ready");
    race_go = CreateEventA(NULL, TRUE, FALSE, "bits_manager_race_go");
    sprintf(args, "race %s", path);
    ret = winetest_start_child(args, &pi);
    ok(ret, "cannot start the child: %lu\n", GetLastError());
    if (!ret) return;
    ok(WaitForSingleObject(ready, 60000) == WAIT_OBJECT_0, "the child did not get ready\n");
    SetEvent(race_go);
    created = race_run();
    winetest_wait_child_process(pi.hProcess);
    CloseHandle(pi.hProcess);
    CloseHandle(pi.hThread);

    file = CreateFileA(path, GENERIC_READ, 0, NULL, OPEN_EXISTING, 0, NULL);
    ok(file != INVALID_HANDLE_VALUE, "no result from the child: %lu\n", GetLastError());
    if (file != INVALID_HANDLE_VALUE)
    {
        ReadFile(file, buf, sizeof(buf) - 1, &read, NULL);
        CloseHandle(file);
        child_created = atol(buf);
    }
    DeleteFileA(path);
    ok(created + child_created == RACE_LIMIT, "parent %ld + child %ld jobs, limit %u\n",
       created, child_created, RACE_LIMIT);
    ok(count_jobs(BG_JOB_ENUM_ALL_USERS) == others_all + RACE_LIMIT, "%lu jobs in the queue\n",
       count_jobs(BG_JOB_ENUM_ALL_USERS));

    cancel_own_jobs();
    delete_policies();
    ok(count_jobs(BG_JOB_ENUM_ALL_USERS) == others_all, "jobs left after the cleanup\n");
    CloseHandle(ready);
    CloseHandle(race_go);
}

/* ---- GetErrorDescription ---- */

static BOOL is_text(const WCHAR *text)
{
    int len = text ? lstrlenW(text) : 0;
    return len > 2 && text[len - 2] == '\r' && text[len - 1] == '\n' && text[0] != ' ';
}

/* S_OK with a real text (not our last-resort "Unknown error" text) ending in "\r\n". */
static void check_description(HRESULT code, DWORD langid)
{
    WCHAR *text = NULL;
    HRESULT hr;

    hr = IBackgroundCopyManager_GetErrorDescription(manager, code, langid, &text);
    ok(hr == S_OK, "code %#lx: got %#lx\n", code, hr);
    ok(is_text(text), "code %#lx: text %s\n", code, wine_dbgstr_w(text));
    ok(!text || wcsncmp(text, L"Unknown error", 13), "code %#lx has no text of its own\n", code);
    CoTaskMemFree(text);
}

/* FormatMessageW's text for a system code, trailing white space replaced by "\r\n". */
static BOOL system_message(DWORD id, DWORD langid, WCHAR *buf, DWORD size)
{
    DWORD len = FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, id, langid,
                               buf, size - 2, NULL);
    if (!len) return FALSE;
    while (len && (buf[len - 1] == '\r' || buf[len - 1] == '\n' || buf[len - 1] == ' ')) len--;
    buf[len] = '\r';
    buf[len + 1] = '\n';
    buf[len + 2] = 0;
    return TRUE;
}

static void test_GetErrorDescription(void)
{
    /* every BG_E_ code, as ranges, and the BG_S_ codes (as in mingw's bitsmsg.h and Win32 metadata). */
    static const struct { ULONG first, last; } bits_ranges[] =
    {
        { 0x00200006, 0x00200006 }, { 0x00200017, 0x00200017 }, { 0x0020001a, 0x0020001a },
        { 0x0020002a, 0x0020002a }, { 0x00200055, 0x00200055 },
        { 0x80200001, 0x80200005 }, { 0x80200007, 0x80200016 }, { 0x80200018, 0x80200019 },
        { 0x8020001b, 0x80200029 }, { 0x8020002b, 0x80200049 }, { 0x80200050, 0x80200054 },
        { 0x80200056, 0x80200059 }, { 0x80200060, 0x80200076 },
    };
    static const struct { USHORT first, last; } http_ranges[] =
    {
        { 100, 101 }, { 200, 206 }, { 300, 305 }, { 307, 307 }, { 400, 417 }, { 449, 449 }, { 500, 505 },
    };
    /* WinHTTP errors that transfers report, and COM codes Wine 8 has no text for. */
    static const DWORD winhttp_errors[] =
    {
        12002, 12004, 12005, 12007, 12029, 12030, 12031, 12037, 12038, 12044, 12045, 12152, 12157,
        12169, 12175, 12179,
    };
    static const HRESULT com_codes[] =
    {
        E_PENDING, E_UNEXPECTED, E_NOINTERFACE, E_POINTER, E_ABORT, E_NOTIMPL, E_FAIL,
        REGDB_E_CLASSNOTREG, CO_E_NOTINITIALIZED, RPC_E_DISCONNECTED, CO_E_SERVER_EXEC_FAILURE,
    };
    WCHAR *text, *english, expect[512];
    unsigned int i, n;
    ULONG code;
    HRESULT hr;

    for (i = 0; i < ARRAY_SIZE(bits_ranges); i++)
        for (code = bits_ranges[i].first; code <= bits_ranges[i].last; code++)
            check_description(code, 0);
    for (i = 0; i < ARRAY_SIZE(http_ranges); i++)
        for (n = http_ranges[i].first; n <= http_ranges[i].last; n++)
            check_description(0x80190000 + n, 0);
    for (i = 0; i < ARRAY_SIZE(winhttp_errors); i++)
        check_description(HRESULT_FROM_WIN32(winhttp_errors[i]), 0);
    for (i = 0; i < ARRAY_SIZE(com_codes); i++)
        check_description(com_codes[i], 0);

    /* Win32 HRESULTs give the system's text. */
    text = NULL;
    hr = IBackgroundCopyManager_GetErrorDescription(manager, E_ACCESSDENIED, 0, &text);
    ok(hr == S_OK, "E_ACCESSDENIED got %#lx\n", hr);
    if (system_message(ERROR_ACCESS_DENIED, 0, expect, ARRAY_SIZE(expect)))
        ok(text && !lstrcmpW(text, expect), "got %s, expected %s\n", wine_dbgstr_w(text), wine_dbgstr_w(expect));
    CoTaskMemFree(text);
    text = NULL;
    hr = IBackgroundCopyManager_GetErrorDescription(manager, HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND), 0, &text);
    ok(hr == S_OK, "ERROR_FILE_NOT_FOUND got %#lx\n", hr);
    if (system_message(ERROR_FILE_NOT_FOUND, 0, expect, ARRAY_SIZE(expect)))
        ok(text && !lstrcmpW(text, expect), "got %s, expected %s\n", wine_dbgstr_w(text), wine_dbgstr_w(expect));
    CoTaskMemFree(text);

    /* Languages: neutral, en-US and en-GB all give the English text. */
    english = NULL;
    hr = IBackgroundCopyManager_GetErrorDescription(manager, BG_E_NOT_FOUND, 0, &english);
    ok(hr == S_OK && is_text(english), "got %#lx, %s\n", hr, wine_dbgstr_w(english));
    for (i = 0; i < 2; i++)
    {
        static const DWORD langs[] = { MAKELANGID(LANG_ENGLISH, SUBLANG_ENGLISH_US),
                                       MAKELANGID(LANG_ENGLISH, SUBLANG_ENGLISH_UK) };
        winetest_push_context("lang %#lx", langs[i]);
        text = NULL;
        hr = IBackgroundCopyManager_GetErrorDescription(manager, BG_E_NOT_FOUND, langs[i], &text);
        ok(hr == S_OK, "got %#lx\n", hr);
        ok(text && english && !lstrcmpW(text, english), "got %s\n", wine_dbgstr_w(text));
        CoTaskMemFree(text);
        check_description(BG_E_HTTP_ERROR_404, langs[i]);
        check_description(HRESULT_FROM_WIN32(12029), langs[i]);
        winetest_pop_context();
    }
    CoTaskMemFree(english);

    /* Other languages: their own text where there is one, else English (ours has German, no
     * Japanese; a Windows without the language's resources may refuse it, the failure that
     * Microsoft documents for the method). */
    english = NULL;
    hr = IBackgroundCopyManager_GetErrorDescription(manager, BG_E_NOT_FOUND,
                                                    MAKELANGID(LANG_ENGLISH, SUBLANG_ENGLISH_US), &english);
    ok(hr == S_OK && is_text(english), "got %#lx, %s\n", hr, wine_dbgstr_w(english));
    for (i = 0; i < 4; i++)
    {
        static const DWORD langs[] = { MAKELANGID(LANG_GERMAN, SUBLANG_GERMAN), MAKELANGID(LANG_GERMAN, SUBLANG_GERMAN_AUSTRIAN),
                                       MAKELANGID(LANG_JAPANESE, SUBLANG_DEFAULT), MAKELANGID(LANG_FRENCH, SUBLANG_FRENCH) };
        winetest_push_context("lang %#lx", langs[i]);
        text = NULL;
        hr = IBackgroundCopyManager_GetErrorDescription(manager, BG_E_NOT_FOUND, langs[i], &text);
        ok(hr == S_OK || broken(hr == HRESULT_FROM_WIN32(ERROR_RESOURCE_LANG_NOT_FOUND)), "got %#lx\n", hr);
        if (hr == S_OK)
        {
            ok(is_text(text), "got %s\n", wine_dbgstr_w(text));
            /* German is translated; a Windows without the German language pack answers in English. */
            if (PRIMARYLANGID(langs[i]) == LANG_GERMAN)
                ok((text && english && lstrcmpW(text, english)) || broken(text && english && !lstrcmpW(text, english)),
                   "German is English: %s\n", wine_dbgstr_w(text));
            CoTaskMemFree(text);
        }
        winetest_pop_context();
    }
    CoTaskMemFree(english);

    hr = IBackgroundCopyManager_GetErrorDescription(manager, BG_E_NOT_FOUND, 0, NULL);
    ok(hr == E_INVALIDARG || hr == HRESULT_FROM_WIN32(RPC_X_NULL_REF_POINTER), "NULL out got %#lx\n", hr);
}

START_TEST(manager)
{
    char **argv;
    int argc = winetest_get_mainargs(&argv);
    HRESULT hr;

    hr = CoInitializeEx(NULL, COINIT_MULTITHREADED);
    ok(hr == S_OK, "CoInitializeEx got %#lx\n", hr);
    if (!create_manager())
    {
        CoUninitialize();
        return;
    }

    if (argc > 4 && !strcmp(argv[2], "user_limit"))
        child_user_limit(strtoul(argv[3], NULL, 0), strtoul(argv[4], NULL, 0));
    else if (argc > 3 && !strcmp(argv[2], "race"))
        child_race(argv[3]);
    else
    {
        cancel_own_jobs();
        save_policies();
        delete_policies();
        others_user = count_jobs(0);
        others_all = count_jobs(BG_JOB_ENUM_ALL_USERS);
        test_CreateJob();
        test_GetJob();
        test_EnumJobs();
        test_machine_limit();
        test_user_limit();
        test_concurrency();
        test_GetErrorDescription();
        cancel_own_jobs();
        restore_policies();
    }
    IBackgroundCopyManager_Release(manager);
    CoUninitialize();
}

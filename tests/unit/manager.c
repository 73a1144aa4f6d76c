/*
 * In-process unit tests of the manager with injected caller identities, for what
 * identity.c does not cover: the service's own argument checks (across processes the proxy
 * refuses NULL pointers first), the enumerator's NULL-fetched rule, service accounts and the
 * machine limit, per-user counts of several users under a machine limit, the owner's integrity
 * level and elevation, IBackgroundCopyError's methods on error objects made directly, the
 * language rules of the error texts, and that a job cancelled in ERROR is freed, and a completed
 * or cancelled one keeps its files until the last reference of a client goes, then is freed;
 * and that the locks carry Wine's debug names.
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

#define POLICY_KEY L"Software\\Policies\\Microsoft\\Windows\\BITS"

static IBackgroundCopyManager *manager;

static void make_identity(struct bits_caller *caller, const WCHAR *sid, BOOL admin, BOOL service,
                          ULONG integrity, BOOL elevated)
{
    memset(caller, 0, sizeof(*caller));
    ok(ConvertStringSidToSidW(sid, &caller->sid), "bad SID %s\n", wine_dbgstr_w(sid));
    caller->admin = admin;
    caller->service = service;
    caller->integrity = integrity;
    caller->elevated = elevated;
}

static void make_user(struct bits_caller *caller, const WCHAR *sid)
{
    make_identity(caller, sid, FALSE, FALSE, SECURITY_MANDATORY_MEDIUM_RID, FALSE);
}

static void free_identity(struct bits_caller *caller)
{
    LocalFree(caller->sid);
    caller->sid = NULL;
}

static void set_policy(const WCHAR *name, DWORD value)
{
    HKEY key;

    ok(!RegCreateKeyExW(HKEY_LOCAL_MACHINE, POLICY_KEY, 0, NULL, 0, KEY_SET_VALUE, NULL, &key, NULL),
       "cannot open the policy key\n");
    ok(!RegSetValueExW(key, name, 0, REG_DWORD, (BYTE *)&value, sizeof(value)), "cannot set %s\n",
       wine_dbgstr_w(name));
    RegCloseKey(key);
}

static void delete_policies(void)
{
    HKEY key;

    if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, POLICY_KEY, 0, KEY_SET_VALUE, &key)) return;
    RegDeleteValueW(key, L"MaxJobsPerMachine");
    RegDeleteValueW(key, L"MaxJobsPerUser");
    RegCloseKey(key);
}

/* The jobs one test created, cancelled at its end by an administrator. */
struct job_list
{
    IBackgroundCopyJob *jobs[64];
    unsigned int count;
};

/* CreateJob as the current identity; a created job is kept in list. */
static HRESULT try_create(struct job_list *list, const WCHAR *name)
{
    IBackgroundCopyJob *job = NULL;
    HRESULT hr;
    GUID id;

    hr = IBackgroundCopyManager_CreateJob(manager, name, BG_JOB_TYPE_DOWNLOAD, &id, &job);
    if (hr == S_OK && list->count < ARRAY_SIZE(list->jobs)) list->jobs[list->count++] = job;
    else if (hr == S_OK) IBackgroundCopyJob_Release(job);
    return hr;
}

static void cancel_list(struct job_list *list)
{
    struct bits_caller admin;
    unsigned int i;

    make_identity(&admin, L"S-1-5-21-1000-2000-3000-500", TRUE, FALSE, SECURITY_MANDATORY_HIGH_RID, TRUE);
    caller_set_test_identity(&admin);
    for (i = 0; i < list->count; i++)
    {
        IBackgroundCopyJob_Cancel(list->jobs[i]);
        IBackgroundCopyJob_Release(list->jobs[i]);
    }
    list->count = 0;
    caller_set_test_identity(NULL);
    free_identity(&admin);
}

/* Cancel the job created as number index of list, as an administrator. */
static void cancel_one(struct job_list *list, unsigned int index, const struct bits_caller *restore)
{
    struct bits_caller admin;
    HRESULT hr;

    make_identity(&admin, L"S-1-5-21-1000-2000-3000-500", TRUE, FALSE, SECURITY_MANDATORY_HIGH_RID, TRUE);
    caller_set_test_identity(&admin);
    hr = IBackgroundCopyJob_Cancel(list->jobs[index]);
    ok(hr == S_OK, "Cancel got %#lx\n", hr);
    caller_set_test_identity(restore);
    free_identity(&admin);
}

/* ---- the service's own argument checks ---- */

static void test_arguments(void)
{
    IEnumBackgroundCopyJobs *e;
    IBackgroundCopyJob *job, *got[2];
    WCHAR name[258], *text;
    ULONG fetched, count;
    unsigned int i;
    HRESULT hr;
    GUID id;

    job = (IBackgroundCopyJob *)0xdeadbeef;
    hr = IBackgroundCopyManager_CreateJob(manager, NULL, BG_JOB_TYPE_DOWNLOAD, &id, &job);
    ok(hr == E_INVALIDARG, "NULL name got %#lx\n", hr);
    ok(!job, "job not cleared: %p\n", job);
    for (i = 0; i < 257; i++) name[i] = 'x';
    name[257] = 0;
    hr = IBackgroundCopyManager_CreateJob(manager, name, BG_JOB_TYPE_DOWNLOAD, &id, &job);
    ok(hr == E_INVALIDARG, "257 characters got %#lx\n", hr);
    hr = IBackgroundCopyManager_CreateJob(manager, L"type", (BG_JOB_TYPE)-1, &id, &job);
    ok(hr == E_INVALIDARG, "type -1 got %#lx\n", hr);
    hr = IBackgroundCopyManager_CreateJob(manager, L"type", 3, &id, &job);
    ok(hr == E_INVALIDARG, "type 3 got %#lx\n", hr);
    hr = IBackgroundCopyManager_CreateJob(manager, L"no id", BG_JOB_TYPE_DOWNLOAD, NULL, &job);
    ok(hr == E_INVALIDARG, "NULL id got %#lx\n", hr);
    hr = IBackgroundCopyManager_CreateJob(manager, L"no job", BG_JOB_TYPE_DOWNLOAD, &id, NULL);
    ok(hr == E_INVALIDARG, "NULL job got %#lx\n", hr);

    hr = IBackgroundCopyManager_GetJob(manager, &id, NULL);
    ok(hr == E_INVALIDARG, "GetJob(NULL job) got %#lx\n", hr);
    job = (IBackgroundCopyJob *)0xdeadbeef;
    hr = IBackgroundCopyManager_GetJob(manager, NULL, &job);
    ok(hr == E_INVALIDARG, "GetJob(NULL id) got %#lx\n", hr);
    ok(!job, "job not cleared: %p\n", job);
    hr = IBackgroundCopyManager_EnumJobs(manager, 0, NULL);
    ok(hr == E_INVALIDARG, "EnumJobs(NULL) got %#lx\n", hr);
    hr = IBackgroundCopyManager_GetErrorDescription(manager, BG_E_NOT_FOUND, 0, NULL);
    ok(hr == E_INVALIDARG, "GetErrorDescription(NULL) got %#lx\n", hr);
    text = (WCHAR *)0xdeadbeef;
    hr = IBackgroundCopyManager_GetErrorDescription(manager, BG_E_NOT_FOUND, 0x10409, &text);
    ok(hr == HRESULT_FROM_WIN32(ERROR_RESOURCE_LANG_NOT_FOUND), "langid 0x10409 got %#lx\n", hr);
    ok(!text, "text not cleared: %p\n", text);

    /* Enumerator: fetched may be NULL only for one item. */
    hr = IBackgroundCopyManager_CreateJob(manager, L"enum", BG_JOB_TYPE_DOWNLOAD, &id, &job);
    ok(hr == S_OK, "CreateJob got %#lx\n", hr);
    if (hr != S_OK) return;
    hr = IBackgroundCopyManager_EnumJobs(manager, 0, &e);
    ok(hr == S_OK, "EnumJobs got %#lx\n", hr);
    if (hr == S_OK)
    {
        hr = IEnumBackgroundCopyJobs_GetCount(e, &count);
        ok(hr == S_OK && count == 1, "GetCount got %#lx, %lu\n", hr, count);
        hr = IEnumBackgroundCopyJobs_Next(e, 2, got, NULL);
        ok(hr == E_INVALIDARG, "Next(2, NULL) got %#lx\n", hr);
        hr = IEnumBackgroundCopyJobs_Next(e, 1, got, NULL);
        ok(hr == S_OK, "Next(1, NULL) got %#lx\n", hr);
        if (hr == S_OK) IBackgroundCopyJob_Release(got[0]);
        hr = IEnumBackgroundCopyJobs_Next(e, 1, got, NULL);
        ok(hr == S_FALSE, "Next(1, NULL) at the end got %#lx\n", hr);
        hr = IEnumBackgroundCopyJobs_Next(e, 1, NULL, &fetched);
        ok(hr == E_INVALIDARG, "Next(NULL array) got %#lx\n", hr);
        IEnumBackgroundCopyJobs_Release(e);
    }
    IBackgroundCopyJob_Cancel(job);
    IBackgroundCopyJob_Release(job);
}

/* ---- service accounts ---- */

/* LocalSystem, LocalService and NetworkService are exempt from both limits, and their jobs do
 * not count toward the machine limit. Administrators are bound by the machine limit
 * (our choice, see manager.c). */
static void test_service_accounts(void)
{
    static const WCHAR *service_sids[] = { L"S-1-5-18", L"S-1-5-19", L"S-1-5-20" };
    struct bits_caller alice, bob, admin, service;
    struct job_list list = { { 0 } };
    unsigned int i, j;
    HRESULT hr;

    make_user(&alice, L"S-1-5-21-1000-2000-3000-1001");
    make_user(&bob, L"S-1-5-21-1000-2000-3000-1002");
    make_identity(&admin, L"S-1-5-21-1000-2000-3000-500", TRUE, FALSE, SECURITY_MANDATORY_HIGH_RID, TRUE);
    set_policy(L"MaxJobsPerMachine", 3);
    set_policy(L"MaxJobsPerUser", 2);

    for (i = 0; i < ARRAY_SIZE(service_sids); i++)
    {
        winetest_push_context("%s", wine_dbgstr_w(service_sids[i]));
        make_identity(&service, service_sids[i], TRUE, TRUE, SECURITY_MANDATORY_SYSTEM_RID, TRUE);
        caller_set_test_identity(&service);
        for (j = 0; j < 4; j++)
        {
            hr = try_create(&list, L"service");
            ok(hr == S_OK, "job %u got %#lx\n", j, hr);
        }
        free_identity(&service);
        winetest_pop_context();
    }

    /* Twelve service jobs exist, yet the machine still has room for three. */
    caller_set_test_identity(&alice);
    ok(try_create(&list, L"alice") == S_OK, "alice's first job refused\n");
    ok(try_create(&list, L"alice") == S_OK, "alice's second job refused\n");
    caller_set_test_identity(&bob);
    ok(try_create(&list, L"bob") == S_OK, "bob's first job refused\n");
    hr = try_create(&list, L"bob");
    ok(hr == BG_E_TOO_MANY_JOBS_PER_MACHINE, "bob's second job got %#lx\n", hr);
    caller_set_test_identity(&admin);
    hr = try_create(&list, L"admin");
    ok(hr == BG_E_TOO_MANY_JOBS_PER_MACHINE, "administrator at the machine limit got %#lx\n", hr);

    /* Service accounts still create jobs on a full machine. */
    make_identity(&service, L"S-1-5-18", TRUE, TRUE, SECURITY_MANDATORY_SYSTEM_RID, TRUE);
    caller_set_test_identity(&service);
    ok(try_create(&list, L"system") == S_OK, "LocalSystem on a full machine refused\n");
    free_identity(&service);

    /* Cancelling a service job frees nothing; cancelling alice's does. */
    cancel_one(&list, 0, &bob);
    hr = try_create(&list, L"bob");
    ok(hr == BG_E_TOO_MANY_JOBS_PER_MACHINE, "after a service job's Cancel got %#lx\n", hr);
    cancel_one(&list, 12, &bob);
    hr = try_create(&list, L"bob");
    ok(hr == S_OK, "after alice's Cancel got %#lx\n", hr);

    cancel_list(&list);
    delete_policies();
    free_identity(&alice);
    free_identity(&bob);
    free_identity(&admin);
}

/* ---- per-user counts across users ---- */

static void test_users_and_machine(void)
{
    struct bits_caller alice, bob, carol, admin;
    struct job_list list = { { 0 } };
    HRESULT hr;

    make_user(&alice, L"S-1-5-21-1000-2000-3000-1001");
    make_user(&bob, L"S-1-5-21-1000-2000-3000-1002");
    make_user(&carol, L"S-1-5-21-1000-2000-3000-1003");
    make_identity(&admin, L"S-1-5-21-1000-2000-3000-500", TRUE, FALSE, SECURITY_MANDATORY_HIGH_RID, TRUE);
    set_policy(L"MaxJobsPerUser", 2);
    set_policy(L"MaxJobsPerMachine", 5);

    caller_set_test_identity(&alice);
    ok(try_create(&list, L"alice") == S_OK, "alice 1 refused\n");          /* list 0 */
    ok(try_create(&list, L"alice") == S_OK, "alice 2 refused\n");          /* list 1 */
    hr = try_create(&list, L"alice");
    ok(hr == BG_E_TOO_MANY_JOBS_PER_USER, "alice 3 got %#lx\n", hr);

    /* Each user has a count of their own. */
    caller_set_test_identity(&bob);
    ok(try_create(&list, L"bob") == S_OK, "bob 1 refused\n");              /* list 2 */
    ok(try_create(&list, L"bob") == S_OK, "bob 2 refused\n");              /* list 3 */
    hr = try_create(&list, L"bob");
    ok(hr == BG_E_TOO_MANY_JOBS_PER_USER, "bob 3 got %#lx\n", hr);

    caller_set_test_identity(&carol);
    ok(try_create(&list, L"carol") == S_OK, "carol 1 refused\n");          /* list 4 */
    /* Five jobs in all: carol is below her limit, the machine is full. */
    hr = try_create(&list, L"carol");
    ok(hr == BG_E_TOO_MANY_JOBS_PER_MACHINE, "carol 2 got %#lx\n", hr);
    /* Both limits reached: the machine limit is reported (our choice: it is checked first). */
    caller_set_test_identity(&alice);
    hr = try_create(&list, L"alice");
    ok(hr == BG_E_TOO_MANY_JOBS_PER_MACHINE, "alice on a full machine got %#lx\n", hr);

    /* Administrators' jobs count toward the machine limit. */
    cancel_one(&list, 4, &admin);
    ok(try_create(&list, L"admin") == S_OK, "administrator refused\n");    /* list 5 */
    caller_set_test_identity(&carol);
    hr = try_create(&list, L"carol");
    ok(hr == BG_E_TOO_MANY_JOBS_PER_MACHINE, "carol after the administrator's job got %#lx\n", hr);
    cancel_one(&list, 5, &carol);
    ok(try_create(&list, L"carol") == S_OK, "carol refused after the Cancel\n");

    /* Raising the machine limit leaves the per-user one. */
    set_policy(L"MaxJobsPerMachine", 100);
    caller_set_test_identity(&alice);
    hr = try_create(&list, L"alice");
    ok(hr == BG_E_TOO_MANY_JOBS_PER_USER, "alice with room on the machine got %#lx\n", hr);
    caller_set_test_identity(&carol);
    ok(try_create(&list, L"carol") == S_OK, "carol 2 refused with room on the machine\n");

    cancel_list(&list);
    delete_policies();
    free_identity(&alice);
    free_identity(&bob);
    free_identity(&carol);
    free_identity(&admin);
}

/* ---- owner integrity and elevation ---- */

static void check_owner(IBackgroundCopyJob *job, ULONG integrity, BOOL elevated)
{
    IBackgroundCopyJob4 *job4;
    ULONG level = 0;
    BOOL state = 2;
    HRESULT hr;

    hr = IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJob4, (void **)&job4);
    ok(hr == S_OK, "QueryInterface got %#lx\n", hr);
    if (hr != S_OK) return;
    hr = IBackgroundCopyJob4_GetOwnerIntegrityLevel(job4, &level);
    ok(hr == S_OK && level == integrity, "GetOwnerIntegrityLevel got %#lx, %#lx\n", hr, level);
    hr = IBackgroundCopyJob4_GetOwnerElevationState(job4, &state);
    ok(hr == S_OK && state == elevated, "GetOwnerElevationState got %#lx, %d\n", hr, state);
    hr = IBackgroundCopyJob4_GetOwnerIntegrityLevel(job4, NULL);
    ok(hr == E_INVALIDARG, "GetOwnerIntegrityLevel(NULL) got %#lx\n", hr);
    hr = IBackgroundCopyJob4_GetOwnerElevationState(job4, NULL);
    ok(hr == E_INVALIDARG, "GetOwnerElevationState(NULL) got %#lx\n", hr);
    IBackgroundCopyJob4_Release(job4);
}

static void test_owner_integrity(void)
{
    static const struct
    {
        const WCHAR *sid;
        BOOL admin, service;
        ULONG integrity;
        BOOL elevated;
    }
    owners[] =
    {
        { L"S-1-5-21-1000-2000-3000-1001", FALSE, FALSE, SECURITY_MANDATORY_LOW_RID, FALSE },
        { L"S-1-5-21-1000-2000-3000-1001", FALSE, FALSE, SECURITY_MANDATORY_MEDIUM_RID, FALSE },
        { L"S-1-5-21-1000-2000-3000-500", TRUE, FALSE, SECURITY_MANDATORY_MEDIUM_RID, FALSE },
        { L"S-1-5-21-1000-2000-3000-500", TRUE, FALSE, SECURITY_MANDATORY_HIGH_RID, TRUE },
        { L"S-1-5-18", TRUE, TRUE, SECURITY_MANDATORY_SYSTEM_RID, TRUE },
    };
    struct bits_caller owner, admin;
    IBackgroundCopyJob *job;
    unsigned int i;
    HRESULT hr;
    GUID id;

    for (i = 0; i < ARRAY_SIZE(owners); i++)
    {
        winetest_push_context("owner %u", i);
        make_identity(&owner, owners[i].sid, owners[i].admin, owners[i].service, owners[i].integrity,
                      owners[i].elevated);
        caller_set_test_identity(&owner);
        hr = IBackgroundCopyManager_CreateJob(manager, L"integrity", BG_JOB_TYPE_DOWNLOAD, &id, &job);
        ok(hr == S_OK, "CreateJob got %#lx\n", hr);
        if (hr == S_OK)
        {
            check_owner(job, owners[i].integrity, owners[i].elevated);
            IBackgroundCopyJob_Cancel(job);
            IBackgroundCopyJob_Release(job);
        }
        free_identity(&owner);
        winetest_pop_context();
    }

    /* TakeOwnership records the new owner's integrity and elevation. */
    make_identity(&owner, L"S-1-5-21-1000-2000-3000-1001", FALSE, FALSE, SECURITY_MANDATORY_MEDIUM_RID, FALSE);
    make_identity(&admin, L"S-1-5-21-1000-2000-3000-500", TRUE, FALSE, SECURITY_MANDATORY_HIGH_RID, TRUE);
    caller_set_test_identity(&owner);
    hr = IBackgroundCopyManager_CreateJob(manager, L"taken", BG_JOB_TYPE_DOWNLOAD, &id, &job);
    ok(hr == S_OK, "CreateJob got %#lx\n", hr);
    if (hr == S_OK)
    {
        caller_set_test_identity(&admin);
        hr = IBackgroundCopyJob_TakeOwnership(job);
        ok(hr == S_OK, "TakeOwnership got %#lx\n", hr);
        check_owner(job, SECURITY_MANDATORY_HIGH_RID, TRUE);
        IBackgroundCopyJob_Cancel(job);
        IBackgroundCopyJob_Release(job);
    }
    caller_set_test_identity(NULL);
    free_identity(&owner);
    free_identity(&admin);
}

/* ---- IBackgroundCopyError ---- */

static BOOL is_text(const WCHAR *text)
{
    int len = text ? lstrlenW(text) : 0;
    return len > 2 && text[len - 2] == '\r' && text[len - 1] == '\n';
}

static void test_error_object(void)
{
    WCHAR *text, *expect, *contexts[BG_ERROR_CONTEXT_SERVER_CERTIFICATE_CALLBACK + 1], local[MAX_PATH];
    IEnumBackgroundCopyFiles *files;
    IBackgroundCopyFile *file, *got;
    struct bits_error *error;
    IBackgroundCopyJob *job;
    BG_ERROR_CONTEXT context;
    unsigned int i, j;
    ULONG fetched;
    HRESULT hr, code;
    GUID id;

    /* An error tied to no file and no protocol. */
    hr = error_create(BG_ERROR_CONTEXT_LOCAL_FILE, E_ACCESSDENIED, NULL, NULL, &error);
    ok(hr == S_OK, "error_create got %#lx\n", hr);
    if (hr != S_OK) return;
    hr = IBackgroundCopyError_GetError(&error->IBackgroundCopyError_iface, &context, &code);
    ok(hr == S_OK && context == BG_ERROR_CONTEXT_LOCAL_FILE && code == E_ACCESSDENIED,
       "GetError got %#lx, %u, %#lx\n", hr, context, code);
    hr = IBackgroundCopyError_GetError(&error->IBackgroundCopyError_iface, NULL, &code);
    ok(hr == E_INVALIDARG, "GetError(NULL context) got %#lx\n", hr);
    hr = IBackgroundCopyError_GetError(&error->IBackgroundCopyError_iface, &context, NULL);
    ok(hr == E_INVALIDARG, "GetError(NULL code) got %#lx\n", hr);
    got = (IBackgroundCopyFile *)0xdeadbeef;
    hr = IBackgroundCopyError_GetFile(&error->IBackgroundCopyError_iface, &got);
    ok(hr == BG_E_FILE_NOT_AVAILABLE, "GetFile got %#lx\n", hr);
    ok(!got, "file not cleared: %p\n", got);
    text = (WCHAR *)0xdeadbeef;
    hr = IBackgroundCopyError_GetProtocol(&error->IBackgroundCopyError_iface, &text);
    ok(hr == BG_E_PROTOCOL_NOT_AVAILABLE, "GetProtocol got %#lx\n", hr);
    ok(!text, "protocol not cleared: %p\n", text);

    /* The description is the manager's text for the code. */
    text = expect = NULL;
    hr = IBackgroundCopyError_GetErrorDescription(&error->IBackgroundCopyError_iface, 0, &text);
    ok(hr == S_OK && is_text(text), "GetErrorDescription got %#lx, %s\n", hr, wine_dbgstr_w(text));
    IBackgroundCopyManager_GetErrorDescription(manager, E_ACCESSDENIED, 0, &expect);
    ok(text && expect && !lstrcmpW(text, expect), "got %s, manager %s\n", wine_dbgstr_w(text), wine_dbgstr_w(expect));
    CoTaskMemFree(text);
    CoTaskMemFree(expect);
    hr = IBackgroundCopyError_GetErrorDescription(&error->IBackgroundCopyError_iface, 0, NULL);
    ok(hr == E_INVALIDARG, "GetErrorDescription(NULL) got %#lx\n", hr);
    hr = IBackgroundCopyError_GetErrorContextDescription(&error->IBackgroundCopyError_iface, 0, NULL);
    ok(hr == E_INVALIDARG, "GetErrorContextDescription(NULL) got %#lx\n", hr);
    hr = IBackgroundCopyError_GetProtocol(&error->IBackgroundCopyError_iface, NULL);
    ok(hr == E_INVALIDARG, "GetProtocol(NULL) got %#lx\n", hr);
    IBackgroundCopyError_Release(&error->IBackgroundCopyError_iface);

    /* Every context (0..8) has a text of its own. */
    for (i = 0; i <= BG_ERROR_CONTEXT_SERVER_CERTIFICATE_CALLBACK; i++)
    {
        winetest_push_context("context %u", i);
        contexts[i] = NULL;
        hr = error_create(i, BG_E_HTTP_ERROR_404, NULL, NULL, &error);
        ok(hr == S_OK, "error_create got %#lx\n", hr);
        if (hr == S_OK)
        {
            hr = IBackgroundCopyError_GetErrorContextDescription(&error->IBackgroundCopyError_iface, 0, &contexts[i]);
            ok(hr == S_OK && is_text(contexts[i]), "got %#lx, %s\n", hr, wine_dbgstr_w(contexts[i]));
            text = NULL;
            hr = IBackgroundCopyError_GetErrorContextDescription(&error->IBackgroundCopyError_iface,
                                                                 MAKELANGID(LANG_ENGLISH, SUBLANG_ENGLISH_UK), &text);
            ok(hr == S_OK && text && contexts[i] && !lstrcmpW(text, contexts[i]), "en-GB got %#lx, %s\n", hr,
               wine_dbgstr_w(text));
            CoTaskMemFree(text);
            /* No French translation: the English text. */
            text = NULL;
            hr = IBackgroundCopyError_GetErrorContextDescription(&error->IBackgroundCopyError_iface,
                                                                 MAKELANGID(LANG_FRENCH, SUBLANG_FRENCH), &text);
            ok(hr == S_OK && text && contexts[i] && !lstrcmpW(text, contexts[i]), "French got %#lx, %s\n", hr,
               wine_dbgstr_w(text));
            CoTaskMemFree(text);
            /* Every context has a German text of its own. */
            text = NULL;
            hr = IBackgroundCopyError_GetErrorContextDescription(&error->IBackgroundCopyError_iface,
                                                                 MAKELANGID(LANG_GERMAN, SUBLANG_GERMAN), &text);
            ok(hr == S_OK && is_text(text), "German got %#lx, %s\n", hr, wine_dbgstr_w(text));
            ok(text && contexts[i] && lstrcmpW(text, contexts[i]), "German is English: %s\n", wine_dbgstr_w(text));
            CoTaskMemFree(text);
            IBackgroundCopyError_Release(&error->IBackgroundCopyError_iface);
        }
        for (j = 0; j < i; j++)
            ok(!contexts[i] || !contexts[j] || lstrcmpW(contexts[i], contexts[j]), "same text as context %u\n", j);
        winetest_pop_context();
    }
    for (i = 0; i <= BG_ERROR_CONTEXT_SERVER_CERTIFICATE_CALLBACK; i++) CoTaskMemFree(contexts[i]);

    /* An error tied to a file of a job, over HTTP. */
    hr = IBackgroundCopyManager_CreateJob(manager, L"error file", BG_JOB_TYPE_DOWNLOAD, &id, &job);
    ok(hr == S_OK, "CreateJob got %#lx\n", hr);
    if (hr != S_OK) return;
    GetTempPathW(MAX_PATH - 20, local);
    lstrcatW(local, L"error_file.bin");
    hr = IBackgroundCopyJob_AddFile(job, L"http://127.0.0.1/error_file.bin", local);
    ok(hr == S_OK, "AddFile got %#lx\n", hr);
    file = NULL;
    if (hr == S_OK && IBackgroundCopyJob_EnumFiles(job, &files) == S_OK)
    {
        IEnumBackgroundCopyFiles_Next(files, 1, &file, &fetched);
        IEnumBackgroundCopyFiles_Release(files);
    }
    ok(file != NULL, "no file\n");
    if (file)
    {
        struct bits_file *impl = CONTAINING_RECORD((IBackgroundCopyFile6 *)file, struct bits_file,
                                                   IBackgroundCopyFile6_iface);
        hr = error_create(BG_ERROR_CONTEXT_REMOTE_FILE, BG_E_HTTP_ERROR_404, impl, L"http", &error);
        ok(hr == S_OK, "error_create got %#lx\n", hr);
        if (hr == S_OK)
        {
            got = NULL;
            hr = IBackgroundCopyError_GetFile(&error->IBackgroundCopyError_iface, &got);
            ok(hr == S_OK && got == file, "GetFile got %#lx, %p\n", hr, got);
            if (got) IBackgroundCopyFile_Release(got);
            text = NULL;
            hr = IBackgroundCopyError_GetProtocol(&error->IBackgroundCopyError_iface, &text);
            ok(hr == S_OK && text && !lstrcmpW(text, L"http"), "GetProtocol got %#lx, %s\n", hr, wine_dbgstr_w(text));
            CoTaskMemFree(text);
            text = NULL;
            hr = IBackgroundCopyError_GetErrorDescription(&error->IBackgroundCopyError_iface,
                                                          MAKELANGID(LANG_ENGLISH, SUBLANG_ENGLISH_US), &text);
            ok(hr == S_OK && is_text(text), "GetErrorDescription got %#lx, %s\n", hr, wine_dbgstr_w(text));
            CoTaskMemFree(text);
            text = NULL;
            hr = IBackgroundCopyError_GetErrorDescription(&error->IBackgroundCopyError_iface,
                                                          MAKELANGID(LANG_GERMAN, SUBLANG_GERMAN), &text);
            ok(hr == S_OK && text && !lstrcmpW(text, L"HTTP 404: Der Server hat unter der angeforderten Adresse "
               "nichts gefunden.\r\n"), "German got %#lx, %s\n", hr, wine_dbgstr_w(text));
            CoTaskMemFree(text);
            IBackgroundCopyError_Release(&error->IBackgroundCopyError_iface);
        }
        IBackgroundCopyFile_Release(file);
    }
    IBackgroundCopyJob_Cancel(job);
    IBackgroundCopyJob_Release(job);
}

/* GetErrorDescription's text for code in langid, or NULL. */
static WCHAR *describe(HRESULT code, DWORD langid)
{
    WCHAR *text = NULL;
    HRESULT hr;

    hr = IBackgroundCopyManager_GetErrorDescription(manager, code, langid, &text);
    ok(hr == S_OK && is_text(text), "code %#lx, langid %#lx: got %#lx, %s\n", code, langid, hr, wine_dbgstr_w(text));
    if (hr != S_OK) return NULL;
    return text;
}

static void check_describe(HRESULT code, DWORD langid, const WCHAR *expect)
{
    WCHAR *text = describe(code, langid);

    ok(text && !lstrcmpW(text, expect), "code %#lx, langid %#lx: got %s, expected %s\n", code, langid,
       wine_dbgstr_w(text), wine_dbgstr_w(expect));
    CoTaskMemFree(text);
}

/*
 * Every LANGID gives text: the language's own where errtext.mc has it, else its primary language's,
 * else English. A LANGID naming no language (0xffff, a primary language nobody defines, a locale
 * alias such as 0x0c00) gets English too: Microsoft documents only that the text comes in the
 * language asked for, and a caller that cannot have it is better served by English than by a
 * failure it shows as "Unable to get error description". A value above 0xffff is no LANGID and keeps
 * ERROR_RESOURCE_LANG_NOT_FOUND (test_arguments).
 */
static void test_error_languages(void)
{
    static const WCHAR en_404[] = L"HTTP 404: the server has nothing at the requested address.\r\n";
    static const WCHAR de_404[] = L"HTTP 404: Der Server hat unter der angeforderten Adresse nichts gefunden.\r\n";
    static const DWORD german[] =
    {
        MAKELANGID(LANG_GERMAN, SUBLANG_GERMAN), MAKELANGID(LANG_GERMAN, SUBLANG_NEUTRAL),
        MAKELANGID(LANG_GERMAN, SUBLANG_GERMAN_AUSTRIAN), MAKELANGID(LANG_GERMAN, SUBLANG_GERMAN_SWISS),
    };
    static const DWORD english[] =
    {
        MAKELANGID(LANG_ENGLISH, SUBLANG_ENGLISH_US), MAKELANGID(LANG_ENGLISH, SUBLANG_ENGLISH_UK),
        MAKELANGID(LANG_ENGLISH, SUBLANG_NEUTRAL), MAKELANGID(LANG_FRENCH, SUBLANG_FRENCH),
        MAKELANGID(LANG_JAPANESE, SUBLANG_DEFAULT), MAKELANGID(LANG_FRENCH, SUBLANG_FRENCH_CANADIAN),
        0xffff, 0x03ff, MAKELANGID(0x1ff, SUBLANG_DEFAULT), 0x0c00, 0x1400, LANG_INVARIANT,
    };
    WCHAR *text, *expect;
    unsigned int i;

    for (i = 0; i < ARRAY_SIZE(german); i++)
    {
        winetest_push_context("langid %#lx", german[i]);
        check_describe(BG_E_HTTP_ERROR_404, german[i], de_404);
        check_describe(BG_E_NOT_FOUND, german[i],
                       L"In der Warteschlange wurde kein Auftrag mit der angegebenen Kennung gefunden.\r\n");
        check_describe(BG_E_NETWORK_DISCONNECTED, german[i], L"Es ist keine Netzwerkverbindung verf\x00fcgbar; der "
                       "Auftrag wird fortgesetzt, sobald das Netzwerk wieder verf\x00fcgbar ist.\r\n");
        /* A text without a translation comes in English. */
        check_describe(BG_E_TOO_MANY_FILES, german[i], L"An upload job can hold one file only.\r\n");
        /* The generic texts come from templates in the same language. */
        check_describe(0x80190000 + 418, german[i], L"HTTP 418: Der Server hat mit einem Statuscode geantwortet, "
                       "f\x00fcr den es keine eigene Beschreibung gibt.\r\n");
        check_describe(0x802000ff, german[i], L"Unbekannter Fehler 0x802000ff.\r\n");
        /* WinHTTP errors, which Wine's system has no text for, take ours. */
        text = describe(HRESULT_FROM_WIN32(12029), german[i]);
        ok(text && wcsncmp(text, L"Unknown", 7), "got %s\n", wine_dbgstr_w(text));
        CoTaskMemFree(text);
        winetest_pop_context();
    }
    for (i = 0; i < ARRAY_SIZE(english); i++)
    {
        winetest_push_context("langid %#lx", english[i]);
        check_describe(BG_E_HTTP_ERROR_404, english[i], en_404);
        check_describe(0x80190000 + 418, english[i],
                       L"HTTP 418: the server answered with a status code that has no description of its own.\r\n");
        check_describe(0x802000ff, english[i], L"Unknown error 0x802000ff.\r\n");
        winetest_pop_context();
    }

    /* LANG_NEUTRAL and LANG_USER_DEFAULT are the user's UI language, LANG_SYSTEM_DEFAULT the system's. */
    expect = describe(BG_E_HTTP_ERROR_404, GetUserDefaultUILanguage());
    check_describe(BG_E_HTTP_ERROR_404, LANG_NEUTRAL, expect ? expect : L"");
    check_describe(BG_E_HTTP_ERROR_404, LANG_USER_DEFAULT, expect ? expect : L"");
    CoTaskMemFree(expect);
    expect = describe(BG_E_HTTP_ERROR_404, GetSystemDefaultUILanguage());
    check_describe(BG_E_HTTP_ERROR_404, LANG_SYSTEM_DEFAULT, expect ? expect : L"");
    CoTaskMemFree(expect);
}

/* A job cancelled in ERROR is freed: its error refers to its file, which refers to the job. The
 * source is a local file that does not exist: a fatal error with the file. */
static void test_error_job_freed(void)
{
    WCHAR local[MAX_PATH], remote[MAX_PATH];
    IBackgroundCopyJob *job;
    BG_JOB_STATE state = BG_JOB_STATE_QUEUED;
    unsigned int i;
    ULONG refs = 0;
    HRESULT hr;
    GUID id;

    hr = IBackgroundCopyManager_CreateJob(manager, L"error freed", BG_JOB_TYPE_DOWNLOAD, &id, &job);
    ok(hr == S_OK, "CreateJob got %#lx\n", hr);
    if (hr != S_OK) return;
    GetTempPathW(MAX_PATH - 40, local);
    lstrcpyW(remote, local);
    lstrcatW(local, L"error_freed.bin");
    lstrcatW(remote, L"no such source.bin");
    DeleteFileW(remote);
    ok(IBackgroundCopyJob_AddFile(job, remote, local) == S_OK, "AddFile failed\n");
    ok(IBackgroundCopyJob_Resume(job) == S_OK, "Resume failed\n");
    for (i = 0; i < 200 && state != BG_JOB_STATE_ERROR; i++)
    {
        Sleep(25);
        IBackgroundCopyJob_GetState(job, &state);
    }
    ok(state == BG_JOB_STATE_ERROR, "state %u\n", state);
    ok(IBackgroundCopyJob_Cancel(job) == S_OK, "Cancel failed\n");
    /* Ours is the last reference once the worker and any notification have let go. */
    for (i = 0; i < 100; i++)
    {
        refs = IBackgroundCopyJob_AddRef(job);
        IBackgroundCopyJob_Release(job);
        if (refs == 2) break;
        Sleep(20);
    }
    refs = IBackgroundCopyJob_Release(job);
    ok(!refs, "the cancelled job is still referenced %lu times\n", refs);
}

/* A job made final by Complete or Cancel keeps its files for the references clients hold (a
 * file holds its job), and is freed, files and all, when the last of them goes. */
static void test_final_job_freed(BOOL complete)
{
    WCHAR src[MAX_PATH], local[MAX_PATH], *name;
    IEnumBackgroundCopyFiles *files;
    IBackgroundCopyFile *file = NULL;
    IBackgroundCopyJob *job;
    BG_JOB_STATE state = BG_JOB_STATE_QUEUED;
    unsigned int i;
    ULONG count;
    HANDLE handle;
    DWORD written;
    HRESULT hr;
    GUID id;

    winetest_push_context(complete ? "complete" : "cancel");
    GetTempPathW(MAX_PATH - 40, src);
    lstrcpyW(local, src);
    lstrcatW(src, L"final_freed_src.bin");
    lstrcatW(local, L"final_freed.bin");
    handle = CreateFileW(src, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
    ok(handle != INVALID_HANDLE_VALUE, "cannot create the source\n");
    WriteFile(handle, "final", 5, &written, NULL);
    CloseHandle(handle);
    DeleteFileW(local);

    hr = IBackgroundCopyManager_CreateJob(manager, L"final freed", BG_JOB_TYPE_DOWNLOAD, &id, &job);
    ok(hr == S_OK, "CreateJob got %#lx\n", hr);
    if (hr != S_OK) goto done;
    ok(IBackgroundCopyJob_AddFile(job, src, local) == S_OK, "AddFile failed\n");
    ok(IBackgroundCopyJob_Resume(job) == S_OK, "Resume failed\n");
    for (i = 0; i < 200 && state != BG_JOB_STATE_TRANSFERRED; i++)
    {
        Sleep(25);
        IBackgroundCopyJob_GetState(job, &state);
    }
    ok(state == BG_JOB_STATE_TRANSFERRED, "state %u\n", state);
    if (IBackgroundCopyJob_EnumFiles(job, &files) == S_OK)
    {
        IEnumBackgroundCopyFiles_Next(files, 1, &file, NULL);
        IEnumBackgroundCopyFiles_Release(files);
    }
    ok(file != NULL, "no file\n");
    heap_watch(CONTAINING_RECORD((IBackgroundCopyJob5 *)job, struct bits_job, IBackgroundCopyJob5_iface), 0);
    if (file) heap_watch(CONTAINING_RECORD((IBackgroundCopyFile6 *)file, struct bits_file, IBackgroundCopyFile6_iface), 1);

    hr = complete ? IBackgroundCopyJob_Complete(job) : IBackgroundCopyJob_Cancel(job);
    ok(hr == S_OK, "got %#lx\n", hr);
    count = 0;
    if (IBackgroundCopyJob_EnumFiles(job, &files) == S_OK)
    {
        IEnumBackgroundCopyFiles_GetCount(files, &count);
        IEnumBackgroundCopyFiles_Release(files);
    }
    ok(count == 1, "the final job lists %lu files\n", count);

    /* The file alone keeps the job, and itself, alive. */
    IBackgroundCopyJob_Release(job);
    Sleep(100);
    ok(!heap_watched_freed(0), "the job was freed while a client holds its file\n");
    if (file)
    {
        ok(!heap_watched_freed(1), "the file was freed while a client holds it\n");
        name = NULL;
        hr = IBackgroundCopyFile_GetLocalName(file, &name);
        ok(hr == S_OK && name && !lstrcmpW(name, local), "GetLocalName got %#lx, %s\n", hr, wine_dbgstr_w(name));
        CoTaskMemFree(name);
        IBackgroundCopyFile_Release(file);
    }
    /* The scheduler or a notification may hold the job for a moment longer. */
    for (i = 0; i < 100 && !(heap_watched_freed(0) && (!file || heap_watched_freed(1))); i++) Sleep(20);
    ok(heap_watched_freed(0), "the final job was not freed\n");
    if (file) ok(heap_watched_freed(1), "its file was not freed\n");
done:
    DeleteFileW(src);
    DeleteFileW(local);
    winetest_pop_context();
}

/* The locks carry Wine's debug names, which Wine prints when a wait on one of them times out. */
static const char *lock_name(CRITICAL_SECTION *cs)
{
    DWORD_PTR name;

    if (!cs->DebugInfo || cs->DebugInfo == (void *)-1) return NULL;
    memcpy(&name, &cs->DebugInfo->Flags, sizeof(name));
    return (const char *)name;
}

static void test_lock_names(void)
{
    struct bits_job *impl;
    IBackgroundCopyJob *job;
    const char *name;
    HRESULT hr;
    GUID id;

    name = lock_name(&bits_manager.cs);
    ok(name && !strcmp(name, "dlls/qmgr/manager.c: manager.cs"), "manager lock named %s\n", wine_dbgstr_a(name));
    hr = IBackgroundCopyManager_CreateJob(manager, L"lock names", BG_JOB_TYPE_DOWNLOAD, &id, &job);
    ok(hr == S_OK, "CreateJob got %#lx\n", hr);
    if (hr != S_OK) return;
    impl = CONTAINING_RECORD((IBackgroundCopyJob5 *)job, struct bits_job, IBackgroundCopyJob5_iface);
    name = lock_name(&impl->cs);
    ok(name && !strcmp(name, "dlls/qmgr/job.c: job.cs"), "job lock named %s\n", wine_dbgstr_a(name));
    ok(IBackgroundCopyJob_Cancel(job) == S_OK, "Cancel failed\n");
    IBackgroundCopyJob_Release(job);
}

START_TEST(manager)
{
    HRESULT hr;

    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    hr = manager_get_object(&IID_IBackgroundCopyManager, (void **)&manager);
    ok(hr == S_OK, "got %#lx\n", hr);
    delete_policies();
    test_arguments();
    test_service_accounts();
    test_users_and_machine();
    test_owner_integrity();
    test_error_object();
    test_error_languages();
    test_error_job_freed();
    test_final_job_freed(TRUE);
    test_final_job_freed(FALSE);
    test_lock_names();
    delete_policies();
    CoUninitialize();
}

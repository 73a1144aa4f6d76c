/*
 * Conformance tests for the BITS manager: activation of every CLSID through the service,
 * and that the service answering is ours.
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
#include <tlhelp32.h>
#include "bitsall.h"
#include "wine/test.h"

static const struct
{
    const CLSID *clsid;
    const char *name;
    int version;                       /* BITS version times 10 */
}
manager_clsids[] =
{
    { &CLSID_BackgroundCopyManager,     "1.0", 10 },
    { &CLSID_BackgroundCopyManager1_5,  "1.5", 15 },
    { &CLSID_BackgroundCopyManager2_0,  "2.0", 20 },
    { &CLSID_BackgroundCopyManager2_5,  "2.5", 25 },
    { &CLSID_BackgroundCopyManager3_0,  "3.0", 30 },
    { &CLSID_BackgroundCopyManager4_0,  "4.0", 40 },
    { &CLSID_BackgroundCopyManager5_0,  "5.0", 50 },
    { &CLSID_BackgroundCopyManager10_1, "10.1", 101 },
    { &CLSID_BackgroundCopyManager10_2, "10.2", 102 },
    { &CLSID_BackgroundCopyManager10_3, "10.3", 103 },
};

static BOOL is_wine(void)
{
    return GetProcAddress(GetModuleHandleA("ntdll.dll"), "wine_get_version") != NULL;
}

static BOOL is_wow64(void)
{
    BOOL wow64 = FALSE;

    return IsWow64Process(GetCurrentProcess(), &wow64) && wow64;
}

static void test_activation(void)
{
    IBackgroundCopyManager *manager;
    IUnknown *unk;
    unsigned int i;
    HRESULT hr;

    for (i = 0; i < ARRAY_SIZE(manager_clsids); i++)
    {
        winetest_push_context("BITS %s", manager_clsids[i].name);
        hr = CoCreateInstance(manager_clsids[i].clsid, NULL, CLSCTX_LOCAL_SERVER, &IID_IBackgroundCopyManager,
                              (void **)&manager);
        /* An older Windows has no class for a newer BITS version. */
        ok(hr == S_OK || broken(hr == REGDB_E_CLASSNOTREG), "got %#lx\n", hr);
        if (hr == S_OK)
        {
            hr = IBackgroundCopyManager_QueryInterface(manager, &IID_IUnknown, (void **)&unk);
            ok(hr == S_OK, "QueryInterface(IUnknown) got %#lx\n", hr);
            if (hr == S_OK) IUnknown_Release(unk);
            hr = IBackgroundCopyManager_QueryInterface(manager, &IID_IBackgroundCopyJob, (void **)&unk);
            ok(hr == E_NOINTERFACE, "QueryInterface(IBackgroundCopyJob) got %#lx\n", hr);
            IBackgroundCopyManager_Release(manager);
        }
        winetest_pop_context();
    }

    /* The manager is a local server only. */
    hr = CoCreateInstance(&CLSID_BackgroundCopyManager, NULL, CLSCTX_INPROC_SERVER, &IID_IBackgroundCopyManager,
                          (void **)&manager);
    ok(hr == REGDB_E_CLASSNOTREG || hr == CLASS_E_CLASSNOTAVAILABLE || broken(hr == S_OK), "in-process got %#lx\n", hr);
    if (hr == S_OK) IBackgroundCopyManager_Release(manager);
}

/* The same job is visible through every CLSID: one manager behind all of them. */
static void test_one_manager(void)
{
    IBackgroundCopyManager *first, *other;
    IBackgroundCopyJob *job, *found;
    unsigned int i;
    GUID id, id2;
    HRESULT hr;

    hr = CoCreateInstance(&CLSID_BackgroundCopyManager, NULL, CLSCTX_LOCAL_SERVER, &IID_IBackgroundCopyManager,
                          (void **)&first);
    ok(hr == S_OK, "got %#lx\n", hr);
    if (hr != S_OK) return;
    hr = IBackgroundCopyManager_CreateJob(first, L"one manager", BG_JOB_TYPE_DOWNLOAD, &id, &job);
    ok(hr == S_OK, "CreateJob got %#lx\n", hr);

    for (i = 1; i < ARRAY_SIZE(manager_clsids); i++)
    {
        winetest_push_context("BITS %s", manager_clsids[i].name);
        hr = CoCreateInstance(manager_clsids[i].clsid, NULL, CLSCTX_LOCAL_SERVER, &IID_IBackgroundCopyManager,
                              (void **)&other);
        if (hr == S_OK)
        {
            hr = IBackgroundCopyManager_GetJob(other, &id, &found);
            ok(hr == S_OK, "GetJob got %#lx\n", hr);
            if (hr == S_OK)
            {
                hr = IBackgroundCopyJob_GetId(found, &id2);
                ok(hr == S_OK && IsEqualGUID(&id, &id2), "got %#lx, %s\n", hr, wine_dbgstr_guid(&id2));
                IBackgroundCopyJob_Release(found);
            }
            IBackgroundCopyManager_Release(other);
        }
        winetest_pop_context();
    }
    hr = IBackgroundCopyJob_Cancel(job);
    ok(hr == S_OK, "Cancel got %#lx\n", hr);
    IBackgroundCopyJob_Release(job);
    IBackgroundCopyManager_Release(first);
}

/* Read FileDescription from the version resource of a module file. */
static BOOL get_file_description(const WCHAR *path, WCHAR *out, DWORD size)
{
    struct { WORD lang, cp; } *trans;
    DWORD len, dummy;
    WCHAR query[64], *value;
    UINT vlen;
    void *data;
    BOOL ret = FALSE;

    if (!(len = GetFileVersionInfoSizeW(path, &dummy))) return FALSE;
    data = HeapAlloc(GetProcessHeap(), 0, len);
    if (GetFileVersionInfoW(path, 0, len, data)
        && VerQueryValueW(data, L"\\VarFileInfo\\Translation", (void **)&trans, &vlen) && vlen >= sizeof(*trans))
    {
        swprintf(query, ARRAY_SIZE(query), L"\\StringFileInfo\\%04x%04x\\FileDescription", trans->lang, trans->cp);
        if (VerQueryValueW(data, query, (void **)&value, &vlen))
        {
            lstrcpynW(out, value, size);
            ret = TRUE;
        }
    }
    HeapFree(GetProcessHeap(), 0, data);
    return ret;
}

/* Find the process that has qmgr.dll loaded, i.e. the service, and check that the module it
 * loaded is ours: the version resource of our qmgr.dll names wine-bits. */
static void test_service_is_ours(void)
{
    IBackgroundCopyManager *manager;
    PROCESSENTRY32W pe = { sizeof(pe) };
    MODULEENTRY32W me = { sizeof(me) };
    WCHAR desc[256];
    HANDLE snap, modules;
    BOOL found = FALSE;
    HRESULT hr;

    if (!is_wine())
    {
        skip("the wine-bits check runs on Wine only\n");
        return;
    }
    /* A 32-bit process cannot list the modules of the 64-bit svchost (Windows fails such a
     * snapshot with ERROR_PARTIAL_COPY). The 32-bit clients see that the service is ours by
     * what only ours does: the versioned CLSIDs above and the newer interfaces in job.c. */
    if (is_wow64())
    {
        skip("a 32-bit process cannot list the 64-bit service's modules\n");
        return;
    }
    /* Make sure the service runs. */
    hr = CoCreateInstance(&CLSID_BackgroundCopyManager10_3, NULL, CLSCTX_LOCAL_SERVER, &IID_IBackgroundCopyManager,
                          (void **)&manager);
    ok(hr == S_OK, "got %#lx\n", hr);
    if (hr != S_OK) return;

    snap = CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0);
    ok(snap != INVALID_HANDLE_VALUE, "CreateToolhelp32Snapshot failed: %lu\n", GetLastError());
    if (Process32FirstW(snap, &pe)) do
    {
        if (pe.th32ProcessID == GetCurrentProcessId()) continue;
        modules = CreateToolhelp32Snapshot(TH32CS_SNAPMODULE, pe.th32ProcessID);
        if (modules == INVALID_HANDLE_VALUE) continue;
        if (Module32FirstW(modules, &me)) do
        {
            if (lstrcmpiW(me.szModule, L"qmgr.dll")) continue;
            found = TRUE;
            ok(!lstrcmpiW(pe.szExeFile, L"svchost.exe"), "qmgr.dll is loaded by %s\n", wine_dbgstr_w(pe.szExeFile));
            ok(get_file_description(me.szExePath, desc, ARRAY_SIZE(desc)), "no version resource in %s\n",
               wine_dbgstr_w(me.szExePath));
            ok(wcsstr(desc, L"wine-bits") != NULL, "the service runs %s (%s), not ours\n",
               wine_dbgstr_w(me.szExePath), wine_dbgstr_w(desc));
        } while (Module32NextW(modules, &me));
        CloseHandle(modules);
    } while (Process32NextW(snap, &pe));
    CloseHandle(snap);
    ok(found, "no process has qmgr.dll loaded\n");
    IBackgroundCopyManager_Release(manager);
}

/* Runs in a child whose token has Administrators as a deny-only SID: the service must see a
 * standard user (wine-notes: the caller is found by process id under Wine). */
static void child_non_admin(void)
{
    IEnumBackgroundCopyJobs *jobs;
    IBackgroundCopyManager *manager;
    IBackgroundCopyJob *job;
    HRESULT hr;
    GUID id;

    hr = CoCreateInstance(&CLSID_BackgroundCopyManager, NULL, CLSCTX_LOCAL_SERVER, &IID_IBackgroundCopyManager,
                          (void **)&manager);
    ok(hr == S_OK, "got %#lx\n", hr);
    if (hr != S_OK) return;
    hr = IBackgroundCopyManager_EnumJobs(manager, BG_JOB_ENUM_ALL_USERS, &jobs);
    ok(hr == E_ACCESSDENIED, "ALL_USERS as a standard user got %#lx\n", hr);
    if (hr == S_OK) IEnumBackgroundCopyJobs_Release(jobs);
    hr = IBackgroundCopyManager_EnumJobs(manager, 0, &jobs);
    ok(hr == S_OK, "EnumJobs(0) got %#lx\n", hr);
    if (hr == S_OK) IEnumBackgroundCopyJobs_Release(jobs);
    hr = IBackgroundCopyManager_CreateJob(manager, L"standard user", BG_JOB_TYPE_DOWNLOAD, &id, &job);
    ok(hr == S_OK, "CreateJob got %#lx\n", hr);
    if (hr == S_OK)
    {
        hr = IBackgroundCopyJob_TakeOwnership(job);
        ok(hr == E_ACCESSDENIED, "TakeOwnership as a standard user got %#lx\n", hr);
        hr = IBackgroundCopyJob_Cancel(job);
        ok(hr == S_OK, "Cancel got %#lx\n", hr);
        IBackgroundCopyJob_Release(job);
    }
    IBackgroundCopyManager_Release(manager);
}

static void test_non_admin(void)
{
    SID_IDENTIFIER_AUTHORITY nt = { SECURITY_NT_AUTHORITY };
    SID_AND_ATTRIBUTES deny;
    PROCESS_INFORMATION pi;
    HANDLE token, restricted;
    PSID admins;
    BOOL ret;

    AllocateAndInitializeSid(&nt, 2, SECURITY_BUILTIN_DOMAIN_RID, DOMAIN_ALIAS_RID_ADMINS, 0, 0, 0, 0, 0, 0, &admins);
    deny.Sid = admins;
    deny.Attributes = 0;
    ret = OpenProcessToken(GetCurrentProcess(), TOKEN_ALL_ACCESS, &token);
    ok(ret, "OpenProcessToken failed: %lu\n", GetLastError());
    ret = CreateRestrictedToken(token, 0, 1, &deny, 0, NULL, 0, NULL, &restricted);
    ok(ret, "CreateRestrictedToken failed: %lu\n", GetLastError());
    if (ret)
    {
        ret = winetest_start_child_as(restricted, "non_admin", &pi);
        ok(ret, "cannot start the child: %lu\n", GetLastError());
        if (ret)
        {
            winetest_wait_child_process(pi.hProcess);
            CloseHandle(pi.hProcess);
            CloseHandle(pi.hThread);
        }
        CloseHandle(restricted);
    }
    CloseHandle(token);
    FreeSid(admins);
}

START_TEST(qmgr)
{
    char **argv;
    int argc = winetest_get_mainargs(&argv);
    HRESULT hr = CoInitializeEx(NULL, COINIT_MULTITHREADED);
    ok(hr == S_OK, "CoInitializeEx got %#lx\n", hr);

    if (argc > 2 && !strcmp(argv[2], "non_admin"))
    {
        child_non_admin();
        CoUninitialize();
        return;
    }
    test_activation();
    test_one_manager();
    test_service_is_ours();
    test_non_admin();

    CoUninitialize();
}

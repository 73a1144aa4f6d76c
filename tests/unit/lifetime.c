/*
 * In-process unit tests of JobInactivityTimeout with the test-only clock
 * (clock_set_test_offset shifts the service's wall clock and wakes the scavenger): an expired
 * job is cancelled and its temp file deleted, on the waitable timer alone and at start-up;
 * property changes and bytes moved by a retry reset the timeout, reads and failed retries do not; the policy value
 * in days is honoured, 0 and absent mean 90 days, values above 999 mean 999.
 *
 * Every "not cancelled" check is made after another job of the same pass was seen cancelled:
 * one scavenger pass decides for all jobs at once, so no check depends on timing.
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
#include "wine/test.h"

#define POLICY_KEY L"Software\\Policies\\Microsoft\\Windows\\BITS"
#define DAY        864000000000ll                  /* 100 ns units */
#define SECOND     10000000ll

static IBackgroundCopyManager *manager;
static LONGLONG offset;                            /* the clock shift in force */
static WCHAR dir[MAX_PATH], source[MAX_PATH];

static void advance(LONGLONG delta)
{
    offset += delta;
    clock_set_test_offset(offset);
}

static void set_policy(DWORD value)
{
    HKEY key;

    ok(!RegCreateKeyExW(HKEY_LOCAL_MACHINE, POLICY_KEY, 0, NULL, 0, KEY_SET_VALUE, NULL, &key, NULL),
       "cannot open the policy key\n");
    ok(!RegSetValueExW(key, L"JobInactivityTimeout", 0, REG_DWORD, (BYTE *)&value, sizeof(value)),
       "cannot set the policy\n");
    RegCloseKey(key);
}

static void delete_policy(void)
{
    HKEY key;

    if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, POLICY_KEY, 0, KEY_SET_VALUE, &key)) return;
    RegDeleteValueW(key, L"JobInactivityTimeout");
    RegCloseKey(key);
}

static IBackgroundCopyJob *create(const WCHAR *name)
{
    IBackgroundCopyJob *job = NULL;
    HRESULT hr;
    GUID id;

    hr = IBackgroundCopyManager_CreateJob(manager, name, BG_JOB_TYPE_DOWNLOAD, &id, &job);
    ok(hr == S_OK, "CreateJob %s: %#lx\n", wine_dbgstr_w(name), hr);
    return job;
}

static BG_JOB_STATE state_of(IBackgroundCopyJob *job)
{
    BG_JOB_STATE state = ~0u;
    HRESULT hr = IBackgroundCopyJob_GetState(job, &state);
    ok(hr == S_OK, "GetState: %#lx\n", hr);
    return state;
}

/* Generous: the scavenger answers a wake at once; this only bounds a hang. */
static BOOL wait_state(IBackgroundCopyJob *job, BG_JOB_STATE state)
{
    unsigned int i;

    for (i = 0; i < 300; i++)
    {
        if (state_of(job) == state) return TRUE;
        Sleep(100);
    }
    return FALSE;
}

static BOOL in_queue(IBackgroundCopyJob *job)
{
    IBackgroundCopyJob *found = NULL;
    HRESULT hr;
    GUID id;

    IBackgroundCopyJob_GetId(job, &id);
    hr = IBackgroundCopyManager_GetJob(manager, &id, &found);
    if (found) IBackgroundCopyJob_Release(found);
    return hr == S_OK;
}

static void finish(IBackgroundCopyJob *job)
{
    if (state_of(job) != BG_JOB_STATE_CANCELLED) IBackgroundCopyJob_Cancel(job);
    IBackgroundCopyJob_Release(job);
}

/* A job that transferred a local file: its temp file exists until Complete or Cancel. */
static IBackgroundCopyJob *transferred_job(const WCHAR *name, WCHAR *local, WCHAR *temp)
{
    IBackgroundCopyJob *job = create(name);
    IEnumBackgroundCopyFiles *files;
    IBackgroundCopyFile3 *file3;
    IBackgroundCopyFile *file;
    WCHAR *tmp = NULL;
    HRESULT hr;

    swprintf(local, MAX_PATH, L"%ls\\%ls.bin", dir, name);
    DeleteFileW(local);
    hr = IBackgroundCopyJob_AddFile(job, source, local);
    ok(hr == S_OK, "AddFile: %#lx\n", hr);
    hr = IBackgroundCopyJob_Resume(job);
    ok(hr == S_OK, "Resume: %#lx\n", hr);
    ok(wait_state(job, BG_JOB_STATE_TRANSFERRED), "%s not transferred: state %u\n", wine_dbgstr_w(name),
       state_of(job));
    temp[0] = 0;
    IBackgroundCopyJob_EnumFiles(job, &files);
    if (IEnumBackgroundCopyFiles_Next(files, 1, &file, NULL) == S_OK)
    {
        if (SUCCEEDED(IBackgroundCopyFile_QueryInterface(file, &IID_IBackgroundCopyFile3, (void **)&file3)))
        {
            if (IBackgroundCopyFile3_GetTemporaryName(file3, &tmp) == S_OK && tmp)
            {
                lstrcpynW(temp, tmp, MAX_PATH);
                CoTaskMemFree(tmp);
            }
            IBackgroundCopyFile3_Release(file3);
        }
        IBackgroundCopyFile_Release(file);
    }
    IEnumBackgroundCopyFiles_Release(files);
    ok(temp[0] && GetFileAttributesW(temp) != INVALID_FILE_ATTRIBUTES, "no temp file %s\n", wine_dbgstr_w(temp));
    return job;
}

/* Expiry cancels the job and deletes its temp file, on the timer alone (no wake at the
 * deadline): the clock is set one second before it and the waitable timer does the rest. */
static void test_expiry_deletes_files(void)
{
    WCHAR local[MAX_PATH], temp[MAX_PATH];
    IBackgroundCopyJob *job;

    job = transferred_job(L"expiring", local, temp);
    advance(90 * DAY - 1 * SECOND);
    ok(wait_state(job, BG_JOB_STATE_CANCELLED), "not cancelled after 90 days: state %u\n", state_of(job));
    ok(!in_queue(job), "an expired job is still in the queue\n");
    ok(GetFileAttributesW(temp) == INVALID_FILE_ATTRIBUTES, "temp file %s left behind\n", wine_dbgstr_w(temp));
    ok(GetFileAttributesW(local) == INVALID_FILE_ATTRIBUTES, "local file %s exists\n", wine_dbgstr_w(local));
    IBackgroundCopyJob_Release(job);
}

/* Activity resets the timeout: a property change. Reading a property
 * is no activity. */
static void test_activity_resets(void)
{
    IBackgroundCopyJob *idle, *changed, *read;
    WCHAR *name;
    HRESULT hr;

    idle = create(L"idle");
    changed = create(L"changed");
    read = create(L"read");
    advance(60 * DAY);
    hr = IBackgroundCopyJob_SetDescription(changed, L"touched on day 60");
    ok(hr == S_OK, "SetDescription: %#lx\n", hr);
    hr = IBackgroundCopyJob_GetDisplayName(read, &name);
    ok(hr == S_OK, "GetDisplayName: %#lx\n", hr);
    CoTaskMemFree(name);
    advance(31 * DAY);                                      /* day 91 */
    ok(wait_state(idle, BG_JOB_STATE_CANCELLED), "idle job not cancelled on day 91: state %u\n", state_of(idle));
    ok(wait_state(read, BG_JOB_STATE_CANCELLED), "a read counted as activity: state %u\n", state_of(read));
    ok(state_of(changed) == BG_JOB_STATE_SUSPENDED, "changed job: state %u\n", state_of(changed));
    ok(in_queue(changed), "a job changed on day 60 left the queue on day 91\n");

    advance(60 * DAY);                                      /* day 151: 91 days idle */
    ok(wait_state(changed, BG_JOB_STATE_CANCELLED), "changed job not cancelled 91 days later: state %u\n",
       state_of(changed));
    finish(idle);
    finish(changed);
    finish(read);
}

/* Two jobs created gap apart, then the clock moves by wait: the older one must expire, the
 * newer one (checked after the same pass) must not. */
static void check_pair(const char *what, LONGLONG gap, LONGLONG wait)
{
    IBackgroundCopyJob *older, *newer;

    older = create(L"older");
    advance(gap);
    newer = create(L"newer");
    advance(wait);
    ok(wait_state(older, BG_JOB_STATE_CANCELLED), "%s: older job not cancelled: state %u\n", what, state_of(older));
    ok(state_of(newer) == BG_JOB_STATE_SUSPENDED, "%s: newer job: state %u\n", what, state_of(newer));
    finish(older);
    finish(newer);
}

/* The policy value counts in days; setting it wakes the scavenger by itself (a key watch). */
static void test_policy(void)
{
    IBackgroundCopyJob *older, *newer;

    older = create(L"six days old");
    advance(2 * DAY);
    newer = create(L"four days old");
    advance(4 * DAY);
    ok(state_of(older) == BG_JOB_STATE_SUSPENDED, "cancelled after 6 days under the default: state %u\n",
       state_of(older));
    set_policy(5);                                           /* no wake, no clock change */
    ok(wait_state(older, BG_JOB_STATE_CANCELLED), "6 days idle under a 5-day policy: state %u\n",
       state_of(older));
    ok(state_of(newer) == BG_JOB_STATE_SUSPENDED, "4 days idle under a 5-day policy: state %u\n", state_of(newer));
    finish(older);
    finish(newer);

    /* 0 is not a usable value: the default applies (policy.c's rule for every limit). */
    set_policy(0);
    check_pair("policy 0", 2 * DAY, 89 * DAY);              /* 91 and 89 days idle */

    /* above the ADMX maximum of 999 days, 999 applies (our choice, see policy.c). */
    set_policy(5000);
    check_pair("policy 5000", 2 * DAY, 998 * DAY);          /* 1000 and 998 days idle */
    delete_policy();
}

/* No policy value: 90 days, to the second. */
static void test_default(void)
{
    delete_policy();
    check_pair("default", 60 * SECOND, 90 * DAY - 30 * SECOND);   /* 90 d + 30 s and 90 d - 30 s idle */
}

/* Bytes moved by a retry count as activity, with no client call: a job that failed with a 503
 * on day 0 and succeeded by its own retry on day 60 lives on past day 90. */
static void test_transfer_activity(void)
{
    IBackgroundCopyJob *job, *marker;
    WCHAR url[200], local[MAX_PATH];
    char port[16];
    HRESULT hr;

    if (!GetEnvironmentVariableA("BITS_FAULT_PORT", port, sizeof(port)))
    {
        skip("no fault server (BITS_FAULT_PORT)\n");
        return;
    }
    swprintf(url, ARRAY_SIZE(url), L"http://127.0.0.1:%hs/flaky/1/4k.bin?id=lifetime-%lu", port, GetTickCount());
    swprintf(local, MAX_PATH, L"%ls\\flaky.bin", dir);
    DeleteFileW(local);
    job = create(L"retried");
    marker = create(L"marker");
    hr = IBackgroundCopyJob_AddFile(job, url, local);
    ok(hr == S_OK, "AddFile: %#lx\n", hr);
    IBackgroundCopyJob_SetMinimumRetryDelay(job, 5);
    IBackgroundCopyJob_Resume(job);
    ok(wait_state(job, BG_JOB_STATE_TRANSIENT_ERROR), "no transient error: state %u\n", state_of(job));
    advance(60 * DAY);                                       /* the retry comes 5 s later */
    ok(wait_state(job, BG_JOB_STATE_TRANSFERRED), "the retry did not succeed: state %u\n", state_of(job));
    advance(31 * DAY);                                       /* day 91 */
    ok(wait_state(marker, BG_JOB_STATE_CANCELLED), "marker not cancelled on day 91: state %u\n", state_of(marker));
    ok(state_of(job) == BG_JOB_STATE_TRANSFERRED, "a job that moved bytes on day 60: state %u\n", state_of(job));
    finish(job);
    finish(marker);
}

/* Jobs in ERROR are scavenged the same way, as BITS documents, and the retries of a job in
 * TRANSIENT_ERROR are no activity: NoProgressTimeout longer than the inactivity timeout ends
 * in a cancel at 90 days. */
static void test_error_states(void)
{
    IBackgroundCopyJob *transient, *marker;
    WCHAR local[MAX_PATH];
    HRESULT hr;

    transient = create(L"retrying");
    swprintf(local, MAX_PATH, L"%ls\\retrying.bin", dir);
    /* Nothing listens on port 1 of the loopback: a transient connection error. */
    hr = IBackgroundCopyJob_AddFile(transient, L"http://127.0.0.1:1/never.bin", local);
    ok(hr == S_OK, "AddFile: %#lx\n", hr);
    IBackgroundCopyJob_SetMinimumRetryDelay(transient, 5);
    IBackgroundCopyJob_SetNoProgressTimeout(transient, 200 * 86400);
    IBackgroundCopyJob_Resume(transient);
    ok(wait_state(transient, BG_JOB_STATE_TRANSIENT_ERROR), "no transient error: state %u\n", state_of(transient));
    advance(60 * DAY);
    marker = create(L"marker");                              /* created on day 60 */
    advance(31 * DAY);                                       /* day 91 */
    ok(wait_state(transient, BG_JOB_STATE_CANCELLED), "retrying job not cancelled on day 91: state %u\n",
       state_of(transient));
    ok(state_of(marker) == BG_JOB_STATE_SUSPENDED, "marker: state %u\n", state_of(marker));
    finish(transient);
    finish(marker);
}

/* At start-up, jobs that are already too old go in the first pass (the service starts the
 * scavenger after loading the store). */
static void test_start(void)
{
    IBackgroundCopyJob *job, *young;

    job = create(L"loaded");
    advance(100 * DAY);                  /* the scavenger is not running yet: nothing happens */
    young = create(L"young");
    ok(state_of(job) == BG_JOB_STATE_SUSPENDED, "cancelled before the start: state %u\n", state_of(job));
    lifetime_start();
    ok(wait_state(job, BG_JOB_STATE_CANCELLED), "not cancelled at start: state %u\n", state_of(job));
    ok(state_of(young) == BG_JOB_STATE_SUSPENDED, "young job: state %u\n", state_of(young));
    finish(job);
    finish(young);
}

START_TEST(lifetime)
{
    HANDLE handle;
    DWORD written;
    HRESULT hr;
    char data[4096];

    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    hr = manager_get_object(&IID_IBackgroundCopyManager, (void **)&manager);
    ok(hr == S_OK, "got %#lx\n", hr);
    delete_policy();

    GetTempPathW(MAX_PATH, dir);
    lstrcatW(dir, L"bits-lifetime");
    CreateDirectoryW(dir, NULL);
    swprintf(source, MAX_PATH, L"%ls\\source.bin", dir);
    memset(data, 'x', sizeof(data));
    handle = CreateFileW(source, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
    ok(handle != INVALID_HANDLE_VALUE, "cannot create %s\n", wine_dbgstr_w(source));
    WriteFile(handle, data, sizeof(data), &written, NULL);
    CloseHandle(handle);

    test_start();
    test_expiry_deletes_files();
    test_activity_resets();
    test_policy();
    test_default();
    test_transfer_activity();
    test_error_states();

    lifetime_shutdown();
    delete_policy();
    DeleteFileW(source);
    RemoveDirectoryW(dir);
    IBackgroundCopyManager_Release(manager);
    CoUninitialize();
}

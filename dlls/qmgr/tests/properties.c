/*
 * Conformance tests for the properties of a job: defaults, validation and limits of every
 * setter of IBackgroundCopyJob..Job5, IBackgroundCopyJobHttpOptions..3 and IBitsTokenOptions
 * (including the documented string and size limits), and the Job5 rules on which properties
 * become read-only after the first AddFile or Resume.
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
#include "bitsall.h"
#include "wine/test.h"
#include "bits_test.h"


static void *job_query(IBackgroundCopyJob *job, REFIID iid)
{
    void *obj = NULL;
    HRESULT hr = IBackgroundCopyJob_QueryInterface(job, iid, &obj);

    ok(hr == S_OK, "QueryInterface got %#lx\n", hr);
    return obj;
}

/* A string of len copies of c, HeapAlloc'd. */
static WCHAR *make_string(int len, WCHAR c)
{
    WCHAR *str = HeapAlloc(GetProcessHeap(), 0, (len + 1) * sizeof(WCHAR));
    int i;

    for (i = 0; i < len; i++) str[i] = c;
    str[len] = 0;
    return str;
}

/* A source file that exists, for the AddFile of an upload job. */
static void make_upload_source(WCHAR *path)
{
    HANDLE handle;

    swprintf(path, MAX_PATH, L"%lsproperties_upload.txt", temp_dir);
    handle = CreateFileW(path, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
    ok(handle != INVALID_HANDLE_VALUE, "cannot create %s: %lu\n", wine_dbgstr_w(path), GetLastError());
    CloseHandle(handle);
}

static void test_defaults(void)
{
    IBackgroundCopyJobHttpOptions *options;
    IBackgroundCopyJob2 *job2;
    IBackgroundCopyJob3 *job3;
    IBackgroundCopyJob4 *job4;
    IBackgroundCopyJob *job;
    BG_JOB_PROXY_USAGE usage;
    BG_JOB_PRIORITY priority;
    BG_JOB_STATE state;
    BG_JOB_TYPE type;
    BG_JOB_TIMES times;
    IUnknown *unk;
    WCHAR *str, *str2;
    ULONG value;
    HRESULT hr;

    if (!(job = create_job(L"defaults", BG_JOB_TYPE_DOWNLOAD))) return;
    hr = IBackgroundCopyJob_GetType(job, &type);
    ok(hr == S_OK && type == BG_JOB_TYPE_DOWNLOAD, "GetType got %#lx, %d\n", hr, type);
    hr = IBackgroundCopyJob_GetState(job, &state);
    ok(hr == S_OK && state == BG_JOB_STATE_SUSPENDED, "GetState got %#lx, %d\n", hr, state);
    hr = IBackgroundCopyJob_GetPriority(job, &priority);
    ok(hr == S_OK && priority == BG_JOB_PRIORITY_NORMAL, "GetPriority got %#lx, %d\n", hr, priority);
    hr = IBackgroundCopyJob_GetNotifyFlags(job, &value);
    ok(hr == S_OK && value == (BG_NOTIFY_JOB_TRANSFERRED | BG_NOTIFY_JOB_ERROR), "GetNotifyFlags got %#lx, %#lx\n",
       hr, value);
    unk = (IUnknown *)0xdeadbeef;
    hr = IBackgroundCopyJob_GetNotifyInterface(job, &unk);
    ok(hr == S_OK && !unk, "GetNotifyInterface got %#lx, %p\n", hr, unk);
    hr = IBackgroundCopyJob_GetMinimumRetryDelay(job, &value);
    ok(hr == S_OK && value == 600, "GetMinimumRetryDelay got %#lx, %lu\n", hr, value);
    hr = IBackgroundCopyJob_GetNoProgressTimeout(job, &value);
    ok(hr == S_OK && value == 1209600, "GetNoProgressTimeout got %#lx, %lu\n", hr, value);
    hr = IBackgroundCopyJob_GetErrorCount(job, &value);
    ok(hr == S_OK && value == 0, "GetErrorCount got %#lx, %lu\n", hr, value);
    hr = IBackgroundCopyJob_GetProxySettings(job, &usage, &str, &str2);
    ok(hr == S_OK && usage == BG_JOB_PROXY_USAGE_PRECONFIG, "GetProxySettings got %#lx, %d\n", hr, usage);
    ok(!str && !str2, "proxy lists %s %s\n", wine_dbgstr_w(str), wine_dbgstr_w(str2));
    CoTaskMemFree(str);
    CoTaskMemFree(str2);
    hr = IBackgroundCopyJob_GetDescription(job, &str);
    ok(hr == S_OK && str && !*str, "GetDescription got %#lx, %s\n", hr, wine_dbgstr_w(str));
    CoTaskMemFree(str);

    memset(&times, 0xcc, sizeof(times));
    hr = IBackgroundCopyJob_GetTimes(job, &times);
    ok(hr == S_OK, "GetTimes got %#lx\n", hr);
    ok(times.CreationTime.dwLowDateTime || times.CreationTime.dwHighDateTime, "no creation time\n");
    /* zero until TRANSFERRED: undocumented, but bitsadmin prints UNKNOWN for it */
    ok(!times.TransferCompletionTime.dwLowDateTime && !times.TransferCompletionTime.dwHighDateTime,
       "completion time %#lx:%#lx\n", times.TransferCompletionTime.dwHighDateTime,
       times.TransferCompletionTime.dwLowDateTime);

    if ((job2 = job_query(job, &IID_IBackgroundCopyJob2)))
    {
        /* Reply methods belong to upload-reply jobs: E_NOTIMPL elsewhere. */
        hr = IBackgroundCopyJob2_GetReplyFileName(job2, &str);
        ok(hr == E_NOTIMPL, "GetReplyFileName of a download got %#lx\n", hr);
        hr = IBackgroundCopyJob2_SetReplyFileName(job2, L"C:\\reply.txt");
        ok(hr == E_NOTIMPL, "SetReplyFileName of a download got %#lx\n", hr);
        IBackgroundCopyJob2_Release(job2);
    }
    if ((job3 = job_query(job, &IID_IBackgroundCopyJob3)))
    {
        hr = IBackgroundCopyJob3_GetFileACLFlags(job3, &value);
        ok(hr == S_OK && value == 0, "GetFileACLFlags got %#lx, %#lx\n", hr, value);
        IBackgroundCopyJob3_Release(job3);
    }
    if ((job4 = job_query(job, &IID_IBackgroundCopyJob4)))
    {
        hr = IBackgroundCopyJob4_GetMaximumDownloadTime(job4, &value);
        ok(hr == S_OK && value == 7776000, "GetMaximumDownloadTime got %#lx, %lu\n", hr, value);
        IBackgroundCopyJob4_Release(job4);
    }
    if ((options = job_query(job, &IID_IBackgroundCopyJobHttpOptions)))
    {
        hr = IBackgroundCopyJobHttpOptions_GetSecurityFlags(options, &value);
        ok(hr == S_OK && value == 0, "GetSecurityFlags got %#lx, %#lx\n", hr, value);
        str = (WCHAR *)0xdeadbeef;
        hr = IBackgroundCopyJobHttpOptions_GetCustomHeaders(options, &str);
        ok(hr == S_FALSE && !str, "GetCustomHeaders got %#lx, %p\n", hr, str);
        IBackgroundCopyJobHttpOptions_Release(options);
    }
    cancel_job(job);
}

static void test_names(void)
{
    IBackgroundCopyJob *job;
    WCHAR *str, *desc;
    HRESULT hr;

    if (!(job = create_job(L"names", BG_JOB_TYPE_DOWNLOAD))) return;
    hr = IBackgroundCopyJob_SetDisplayName(job, L"");
    ok(hr == S_OK, "empty display name got %#lx\n", hr);
    hr = IBackgroundCopyJob_SetDisplayName(job, L"same name");
    ok(hr == S_OK, "SetDisplayName got %#lx\n", hr);
    hr = IBackgroundCopyJob_GetDisplayName(job, &str);
    ok(hr == S_OK && str && !wcscmp(str, L"same name"), "got %#lx, %s\n", hr, wine_dbgstr_w(str));
    CoTaskMemFree(str);

    /* a description may have 1024 characters */
    desc = make_string(1024, 'd');
    hr = IBackgroundCopyJob_SetDescription(job, desc);
    ok(hr == S_OK, "1024 characters got %#lx\n", hr);
    hr = IBackgroundCopyJob_GetDescription(job, &str);
    ok(hr == S_OK && str && !wcscmp(str, desc), "got %#lx, length %d\n", hr, str ? lstrlenW(str) : -1);
    CoTaskMemFree(str);
    HeapFree(GetProcessHeap(), 0, desc);
    desc = make_string(1025, 'd');
    hr = IBackgroundCopyJob_SetDescription(job, desc);
    ok(hr == BG_E_STRING_TOO_LONG, "1025 characters got %#lx\n", hr);
    HeapFree(GetProcessHeap(), 0, desc);
    hr = IBackgroundCopyJob_SetDescription(job, L"");
    ok(hr == S_OK, "empty description got %#lx\n", hr);
    cancel_job(job);
}

static void test_priority(void)
{
    static const BG_JOB_PRIORITY valid[] =
    {
        BG_JOB_PRIORITY_FOREGROUND, BG_JOB_PRIORITY_HIGH, BG_JOB_PRIORITY_LOW, BG_JOB_PRIORITY_NORMAL,
    };
    BG_JOB_PRIORITY priority;
    IBackgroundCopyJob *job;
    unsigned int i;
    HRESULT hr;

    if (!(job = create_job(L"priority", BG_JOB_TYPE_DOWNLOAD))) return;
    for (i = 0; i < ARRAY_SIZE(valid); i++)
    {
        winetest_push_context("priority %d", valid[i]);
        hr = IBackgroundCopyJob_SetPriority(job, valid[i]);
        ok(hr == S_OK, "SetPriority got %#lx\n", hr);
        hr = IBackgroundCopyJob_GetPriority(job, &priority);
        ok(hr == S_OK && priority == valid[i], "GetPriority got %#lx, %d\n", hr, priority);
        winetest_pop_context();
    }
    /* E_NOTIMPL outside the enum */
    hr = IBackgroundCopyJob_SetPriority(job, BG_JOB_PRIORITY_LOW + 1);
    ok(hr == E_NOTIMPL, "priority 4 got %#lx\n", hr);
    /* (An enum argument above 0x7fff does not even marshal: RPC_X_ENUM_VALUE_OUT_OF_RANGE.) */
    hr = IBackgroundCopyJob_SetPriority(job, 100);
    ok(hr == E_NOTIMPL, "priority 100 got %#lx\n", hr);
    hr = IBackgroundCopyJob_GetPriority(job, &priority);
    ok(hr == S_OK && priority == BG_JOB_PRIORITY_NORMAL, "GetPriority got %#lx, %d\n", hr, priority);
    cancel_job(job);
}

static void test_notify(void)
{
    static const ULONG valid[] =
    {
        0, BG_NOTIFY_JOB_TRANSFERRED, BG_NOTIFY_JOB_ERROR, BG_NOTIFY_DISABLE,
        BG_NOTIFY_JOB_MODIFICATION, BG_NOTIFY_FILE_TRANSFERRED,
        BG_NOTIFY_JOB_TRANSFERRED | BG_NOTIFY_JOB_ERROR | BG_NOTIFY_JOB_MODIFICATION | BG_NOTIFY_FILE_TRANSFERRED,
    };
    static const ULONG invalid[] = { 0x40, 0x100, 0x80000000, 0xffffffff };
    IBackgroundCopyJob2 *job2;
    IBackgroundCopyJob *job;
    WCHAR program[MAX_PATH + 10], *params, *str, *str2;
    unsigned int i;
    ULONG flags;
    HRESULT hr;

    if (!(job = create_job(L"notify", BG_JOB_TYPE_DOWNLOAD))) return;
    for (i = 0; i < ARRAY_SIZE(valid); i++)
    {
        winetest_push_context("flags %#lx", valid[i]);
        hr = IBackgroundCopyJob_SetNotifyFlags(job, valid[i]);
        ok(hr == S_OK, "SetNotifyFlags got %#lx\n", hr);
        hr = IBackgroundCopyJob_GetNotifyFlags(job, &flags);
        ok(hr == S_OK && flags == valid[i], "GetNotifyFlags got %#lx, %#lx\n", hr, flags);
        winetest_pop_context();
    }
    for (i = 0; i < ARRAY_SIZE(invalid); i++)
    {
        winetest_push_context("flags %#lx", invalid[i]);
        hr = IBackgroundCopyJob_SetNotifyFlags(job, invalid[i]);
        ok(hr == E_NOTIMPL, "SetNotifyFlags got %#lx\n", hr);
        winetest_pop_context();
    }
    hr = IBackgroundCopyJob_SetNotifyInterface(job, NULL);
    ok(hr == S_OK, "SetNotifyInterface(NULL) got %#lx\n", hr);

    if (!(job2 = job_query(job, &IID_IBackgroundCopyJob2)))
    {
        cancel_job(job);
        return;
    }
    /* program at most MAX_PATH, params at most 4000 characters */
    wcscpy(program, L"C:\\");
    for (i = 3; i < MAX_PATH + 5; i++) program[i] = 'p';
    program[i] = 0;
    hr = IBackgroundCopyJob2_SetNotifyCmdLine(job2, program, NULL);
    ok(hr == BG_E_STRING_TOO_LONG, "a program over MAX_PATH got %#lx\n", hr);
    params = make_string(4001, 'x');
    memcpy(params, L"C:\\prog.exe ", 12 * sizeof(WCHAR));
    hr = IBackgroundCopyJob2_SetNotifyCmdLine(job2, L"C:\\prog.exe", params);
    ok(hr == BG_E_STRING_TOO_LONG, "4001 characters of parameters got %#lx\n", hr);
    params[4000] = 0;
    hr = IBackgroundCopyJob2_SetNotifyCmdLine(job2, L"C:\\prog.exe", params);
    ok(hr == S_OK, "4000 characters of parameters got %#lx\n", hr);
    HeapFree(GetProcessHeap(), 0, params);
    hr = IBackgroundCopyJob2_SetNotifyCmdLine(job2, NULL, L"C:\\prog.exe /x");
    ok(hr == E_INVALIDARG, "parameters without a program got %#lx\n", hr);
    hr = IBackgroundCopyJob2_SetNotifyCmdLine(job2, L"C:\\prog.exe", NULL);
    ok(hr == S_OK, "a program without parameters got %#lx\n", hr);
    hr = IBackgroundCopyJob2_GetNotifyCmdLine(job2, &str, &str2);
    ok(hr == S_OK && str && !wcscmp(str, L"C:\\prog.exe") && !str2, "got %#lx, %s %s\n", hr, wine_dbgstr_w(str),
       wine_dbgstr_w(str2));
    CoTaskMemFree(str);
    CoTaskMemFree(str2);
    /* NULL, NULL clears */
    hr = IBackgroundCopyJob2_SetNotifyCmdLine(job2, NULL, NULL);
    ok(hr == S_OK, "clearing got %#lx\n", hr);
    hr = IBackgroundCopyJob2_GetNotifyCmdLine(job2, &str, &str2);
    ok(hr == S_OK && !str && !str2, "got %#lx, %s %s\n", hr, wine_dbgstr_w(str), wine_dbgstr_w(str2));
    IBackgroundCopyJob2_Release(job2);
    cancel_job(job);
}

static void test_timeouts(void)
{
    static const struct { ULONG set, get; } delays[] =
    {
        { 0, 5 }, { 1, 5 }, { 4, 5 }, { 5, 5 }, { 6, 6 }, { 600, 600 }, { 0xffffffff, 0xffffffff },
    };
    static const ULONG timeouts[] = { 0, 1, 3600, 0xffffffff };
    IBackgroundCopyJob4 *job4;
    IBackgroundCopyJob *job;
    unsigned int i;
    ULONG value;
    HRESULT hr;

    if (!(job = create_job(L"timeouts", BG_JOB_TYPE_DOWNLOAD))) return;
    /* retry delays below 5 s become 5 */
    for (i = 0; i < ARRAY_SIZE(delays); i++)
    {
        winetest_push_context("delay %lu", delays[i].set);
        hr = IBackgroundCopyJob_SetMinimumRetryDelay(job, delays[i].set);
        ok(hr == S_OK, "SetMinimumRetryDelay got %#lx\n", hr);
        hr = IBackgroundCopyJob_GetMinimumRetryDelay(job, &value);
        ok(hr == S_OK && value == delays[i].get, "GetMinimumRetryDelay got %#lx, %lu\n", hr, value);
        winetest_pop_context();
    }
    for (i = 0; i < ARRAY_SIZE(timeouts); i++)
    {
        winetest_push_context("timeout %lu", timeouts[i]);
        hr = IBackgroundCopyJob_SetNoProgressTimeout(job, timeouts[i]);
        ok(hr == S_OK, "SetNoProgressTimeout got %#lx\n", hr);
        hr = IBackgroundCopyJob_GetNoProgressTimeout(job, &value);
        ok(hr == S_OK && value == timeouts[i], "GetNoProgressTimeout got %#lx, %lu\n", hr, value);
        winetest_pop_context();
    }
    if ((job4 = job_query(job, &IID_IBackgroundCopyJob4)))
    {
        for (i = 1; i < ARRAY_SIZE(timeouts); i++)
        {
            winetest_push_context("download time %lu", timeouts[i]);
            hr = IBackgroundCopyJob4_SetMaximumDownloadTime(job4, timeouts[i]);
            ok(hr == S_OK, "SetMaximumDownloadTime got %#lx\n", hr);
            hr = IBackgroundCopyJob4_GetMaximumDownloadTime(job4, &value);
            ok(hr == S_OK && value == timeouts[i], "GetMaximumDownloadTime got %#lx, %lu\n", hr, value);
            winetest_pop_context();
        }
        IBackgroundCopyJob4_Release(job4);
    }
    cancel_job(job);
}

static void test_proxy(void)
{
    BG_JOB_PROXY_USAGE usage;
    IBackgroundCopyJob *job;
    WCHAR *list, *bypass, *big;
    HRESULT hr;

    if (!(job = create_job(L"proxy", BG_JOB_TYPE_DOWNLOAD))) return;
    /* the lists only with OVERRIDE */
    hr = IBackgroundCopyJob_SetProxySettings(job, BG_JOB_PROXY_USAGE_PRECONFIG, L"proxy:80", NULL);
    ok(hr == E_INVALIDARG, "PRECONFIG with a list got %#lx\n", hr);
    hr = IBackgroundCopyJob_SetProxySettings(job, BG_JOB_PROXY_USAGE_NO_PROXY, NULL, L"<local>");
    ok(hr == E_INVALIDARG, "NO_PROXY with a bypass list got %#lx\n", hr);
    hr = IBackgroundCopyJob_SetProxySettings(job, BG_JOB_PROXY_USAGE_OVERRIDE, NULL, NULL);
    ok(hr == E_INVALIDARG, "OVERRIDE without a list got %#lx\n", hr);
    hr = IBackgroundCopyJob_SetProxySettings(job, BG_JOB_PROXY_USAGE_AUTODETECT + 1, NULL, NULL);
    ok(hr == E_NOTIMPL, "usage 4 got %#lx\n", hr);

    hr = IBackgroundCopyJob_SetProxySettings(job, BG_JOB_PROXY_USAGE_OVERRIDE, L"http=proxy1:80 https://proxy2:443",
                                             L"*.example.com <local>");
    ok(hr == S_OK, "OVERRIDE got %#lx\n", hr);
    hr = IBackgroundCopyJob_GetProxySettings(job, &usage, &list, &bypass);
    ok(hr == S_OK && usage == BG_JOB_PROXY_USAGE_OVERRIDE, "got %#lx, %d\n", hr, usage);
    ok(list && !wcscmp(list, L"http=proxy1:80 https://proxy2:443"), "list %s\n", wine_dbgstr_w(list));
    ok(bypass && !wcscmp(bypass, L"*.example.com <local>"), "bypass %s\n", wine_dbgstr_w(bypass));
    CoTaskMemFree(list);
    CoTaskMemFree(bypass);

    /* over 32 KB (or the 4000 characters the parameter text says) is too large */
    big = make_string(40000, 'p');
    hr = IBackgroundCopyJob_SetProxySettings(job, BG_JOB_PROXY_USAGE_OVERRIDE, big, NULL);
    ok(hr == BG_E_PROXY_LIST_TOO_LARGE, "a 40000 character list got %#lx\n", hr);
    hr = IBackgroundCopyJob_SetProxySettings(job, BG_JOB_PROXY_USAGE_OVERRIDE, L"proxy:80", big);
    ok(hr == BG_E_PROXY_BYPASS_LIST_TOO_LARGE, "a 40000 character bypass list got %#lx\n", hr);
    HeapFree(GetProcessHeap(), 0, big);

    hr = IBackgroundCopyJob_SetProxySettings(job, BG_JOB_PROXY_USAGE_AUTODETECT, NULL, NULL);
    ok(hr == S_OK, "AUTODETECT got %#lx\n", hr);
    hr = IBackgroundCopyJob_GetProxySettings(job, &usage, &list, &bypass);
    ok(hr == S_OK && usage == BG_JOB_PROXY_USAGE_AUTODETECT, "got %#lx, %d\n", hr, usage);
    ok(!list && !bypass, "lists %s %s\n", wine_dbgstr_w(list), wine_dbgstr_w(bypass));
    hr = IBackgroundCopyJob_SetProxySettings(job, BG_JOB_PROXY_USAGE_NO_PROXY, NULL, NULL);
    ok(hr == S_OK, "NO_PROXY got %#lx\n", hr);
    cancel_job(job);
}

static HRESULT set_credentials(IBackgroundCopyJob2 *job2, BG_AUTH_TARGET target, BG_AUTH_SCHEME scheme,
                               WCHAR *user, WCHAR *password)
{
    BG_AUTH_CREDENTIALS cred;

    cred.Target = target;
    cred.Scheme = scheme;
    cred.Credentials.Basic.UserName = user;
    cred.Credentials.Basic.Password = password;
    return IBackgroundCopyJob2_SetCredentials(job2, &cred);
}

/* SetCredentials and RemoveCredentials. There is no getter: credentials cannot be read back. */
static void test_credentials(void)
{
    IBackgroundCopyJob2 *job2;
    IBackgroundCopyJob *job;
    WCHAR *str;
    int target, scheme;
    HRESULT hr;

    if (!(job = create_job(L"credentials", BG_JOB_TYPE_DOWNLOAD))) return;
    if (!(job2 = job_query(job, &IID_IBackgroundCopyJob2)))
    {
        cancel_job(job);
        return;
    }
    for (target = BG_AUTH_TARGET_SERVER; target <= BG_AUTH_TARGET_PROXY; target++)
        for (scheme = BG_AUTH_SCHEME_BASIC; scheme <= BG_AUTH_SCHEME_PASSPORT; scheme++)
        {
            winetest_push_context("target %d scheme %d", target, scheme);
            hr = set_credentials(job2, target, scheme, (WCHAR *)L"user", (WCHAR *)L"secret");
            ok(hr == S_OK, "SetCredentials got %#lx\n", hr);
            hr = IBackgroundCopyJob2_RemoveCredentials(job2, target, scheme);
            ok(hr == S_OK, "RemoveCredentials got %#lx\n", hr);
            hr = IBackgroundCopyJob2_RemoveCredentials(job2, target, scheme);
            ok(hr == S_FALSE, "a second RemoveCredentials got %#lx\n", hr);
            winetest_pop_context();
        }

    hr = set_credentials(job2, 0, BG_AUTH_SCHEME_BASIC, (WCHAR *)L"user", (WCHAR *)L"secret");
    ok(hr == BG_E_INVALID_AUTH_TARGET, "target 0 got %#lx\n", hr);
    hr = set_credentials(job2, BG_AUTH_TARGET_PROXY + 1, BG_AUTH_SCHEME_BASIC, (WCHAR *)L"user", (WCHAR *)L"secret");
    ok(hr == BG_E_INVALID_AUTH_TARGET, "target 3 got %#lx\n", hr);
    hr = set_credentials(job2, BG_AUTH_TARGET_SERVER, 0, (WCHAR *)L"user", (WCHAR *)L"secret");
    ok(hr == BG_E_INVALID_AUTH_SCHEME, "scheme 0 got %#lx\n", hr);
    hr = set_credentials(job2, BG_AUTH_TARGET_SERVER, BG_AUTH_SCHEME_PASSPORT + 1, (WCHAR *)L"user",
                         (WCHAR *)L"secret");
    ok(hr == BG_E_INVALID_AUTH_SCHEME, "scheme 6 got %#lx\n", hr);
    hr = IBackgroundCopyJob2_RemoveCredentials(job2, 0, BG_AUTH_SCHEME_BASIC);
    ok(hr == BG_E_INVALID_AUTH_TARGET, "RemoveCredentials of target 0 got %#lx\n", hr);
    hr = IBackgroundCopyJob2_RemoveCredentials(job2, BG_AUTH_TARGET_SERVER, 0);
    ok(hr == BG_E_INVALID_AUTH_SCHEME, "RemoveCredentials of scheme 0 got %#lx\n", hr);

    /* Explicit schemes need both strings; NTLM and Negotiate may use the logon credentials. */
    hr = set_credentials(job2, BG_AUTH_TARGET_SERVER, BG_AUTH_SCHEME_BASIC, NULL, (WCHAR *)L"secret");
    ok(hr == E_INVALIDARG, "BASIC without a user got %#lx\n", hr);
    hr = set_credentials(job2, BG_AUTH_TARGET_SERVER, BG_AUTH_SCHEME_DIGEST, (WCHAR *)L"user", NULL);
    ok(hr == E_INVALIDARG, "DIGEST without a password got %#lx\n", hr);
    hr = set_credentials(job2, BG_AUTH_TARGET_SERVER, BG_AUTH_SCHEME_NTLM, NULL, NULL);
    ok(hr == S_OK, "implicit NTLM got %#lx\n", hr);
    hr = set_credentials(job2, BG_AUTH_TARGET_PROXY, BG_AUTH_SCHEME_NEGOTIATE, NULL, NULL);
    ok(hr == S_OK, "implicit NEGOTIATE got %#lx\n", hr);

    /* user 300, password 65535/65536 characters (the two documentation pages disagree) */
    str = make_string(300, 'u');
    hr = set_credentials(job2, BG_AUTH_TARGET_SERVER, BG_AUTH_SCHEME_BASIC, str, (WCHAR *)L"secret");
    ok(hr == S_OK, "a 300 character user got %#lx\n", hr);
    HeapFree(GetProcessHeap(), 0, str);
    str = make_string(301, 'u');
    hr = set_credentials(job2, BG_AUTH_TARGET_SERVER, BG_AUTH_SCHEME_BASIC, str, (WCHAR *)L"secret");
    ok(hr == BG_E_USERNAME_TOO_LARGE, "a 301 character user got %#lx\n", hr);
    HeapFree(GetProcessHeap(), 0, str);
    str = make_string(65535, 'p');
    hr = set_credentials(job2, BG_AUTH_TARGET_SERVER, BG_AUTH_SCHEME_BASIC, (WCHAR *)L"user", str);
    ok(hr == S_OK, "a 65535 character password got %#lx\n", hr);
    HeapFree(GetProcessHeap(), 0, str);
    str = make_string(65537, 'p');
    hr = set_credentials(job2, BG_AUTH_TARGET_SERVER, BG_AUTH_SCHEME_BASIC, (WCHAR *)L"user", str);
    ok(hr == BG_E_PASSWORD_TOO_LARGE, "a 65537 character password got %#lx\n", hr);
    HeapFree(GetProcessHeap(), 0, str);
    IBackgroundCopyJob2_Release(job2);
    cancel_job(job);
}

static void test_http_options(void)
{
    static const ULONG valid[] =
    {
        0, BG_SSL_ENABLE_CRL_CHECK, BG_SSL_IGNORE_CERT_CN_INVALID, BG_SSL_IGNORE_CERT_DATE_INVALID,
        BG_SSL_IGNORE_UNKNOWN_CA, BG_SSL_IGNORE_CERT_WRONG_USAGE, BG_HTTP_REDIRECT_POLICY_ALLOW_REPORT,
        BG_HTTP_REDIRECT_POLICY_DISALLOW, BG_HTTP_REDIRECT_POLICY_ALLOW_HTTPS_TO_HTTP,
        0x1f | BG_HTTP_REDIRECT_POLICY_DISALLOW | BG_HTTP_REDIRECT_POLICY_ALLOW_HTTPS_TO_HTTP,
    };
    static const ULONG invalid[] = { 0x20, 0x80, 0x300, 0x400, 0x700, 0x1000, 0x80000000 };
    IBackgroundCopyJobHttpOptions3 *options;
    IBackgroundCopyJob *job;
    WCHAR *headers, *str;
    unsigned int i;
    ULONG flags;
    HRESULT hr;

    if (!(job = create_job(L"http options", BG_JOB_TYPE_DOWNLOAD))) return;
    if (!(options = job_query(job, &IID_IBackgroundCopyJobHttpOptions3)))
    {
        cancel_job(job);
        return;
    }
    /* the documented CRL, ignore and redirect-policy flags */
    for (i = 0; i < ARRAY_SIZE(valid); i++)
    {
        winetest_push_context("flags %#lx", valid[i]);
        hr = IBackgroundCopyJobHttpOptions3_SetSecurityFlags(options, valid[i]);
        ok(hr == S_OK, "SetSecurityFlags got %#lx\n", hr);
        hr = IBackgroundCopyJobHttpOptions3_GetSecurityFlags(options, &flags);
        ok(hr == S_OK && flags == valid[i], "GetSecurityFlags got %#lx, %#lx\n", hr, flags);
        winetest_pop_context();
    }
    for (i = 0; i < ARRAY_SIZE(invalid); i++)
    {
        winetest_push_context("flags %#lx", invalid[i]);
        hr = IBackgroundCopyJobHttpOptions3_SetSecurityFlags(options, invalid[i]);
        ok(hr == E_NOTIMPL, "SetSecurityFlags got %#lx\n", hr);
        winetest_pop_context();
    }

    /* Custom headers: 16384 characters including the NUL. */
    hr = IBackgroundCopyJobHttpOptions3_SetCustomHeaders(options, L"X-One: 1\r\nX-Two: 2\r\n");
    ok(hr == S_OK, "SetCustomHeaders got %#lx\n", hr);
    hr = IBackgroundCopyJobHttpOptions3_GetCustomHeaders(options, &str);
    ok(hr == S_OK && str && !wcscmp(str, L"X-One: 1\r\nX-Two: 2\r\n"), "got %#lx, %s\n", hr, wine_dbgstr_w(str));
    CoTaskMemFree(str);
    headers = make_string(16383, 'h');
    memcpy(headers, L"X-Long: ", 8 * sizeof(WCHAR));
    headers[16381] = '\r';
    headers[16382] = '\n';
    hr = IBackgroundCopyJobHttpOptions3_SetCustomHeaders(options, headers);
    ok(hr == S_OK, "16383 characters got %#lx\n", hr);
    HeapFree(GetProcessHeap(), 0, headers);
    headers = make_string(16384, 'h');
    memcpy(headers, L"X-Long: ", 8 * sizeof(WCHAR));
    hr = IBackgroundCopyJobHttpOptions3_SetCustomHeaders(options, headers);
    ok(hr == BG_E_STRING_TOO_LONG, "16384 characters got %#lx\n", hr);
    HeapFree(GetProcessHeap(), 0, headers);
    hr = IBackgroundCopyJobHttpOptions3_SetCustomHeaders(options, NULL);
    ok(hr == S_OK, "clearing got %#lx\n", hr);
    str = (WCHAR *)0xdeadbeef;
    hr = IBackgroundCopyJobHttpOptions3_GetCustomHeaders(options, &str);
    ok(hr == S_FALSE && !str, "cleared headers got %#lx, %p\n", hr, str);

    /* MakeCustomHeadersWriteOnly: one way, the headers are no longer readable (the code is our guess). */
    hr = IBackgroundCopyJobHttpOptions3_SetCustomHeaders(options, L"X-Secret: 1\r\n");
    ok(hr == S_OK, "SetCustomHeaders got %#lx\n", hr);
    hr = IBackgroundCopyJobHttpOptions3_MakeCustomHeadersWriteOnly(options);
    ok(hr == S_OK, "MakeCustomHeadersWriteOnly got %#lx\n", hr);
    hr = IBackgroundCopyJobHttpOptions3_MakeCustomHeadersWriteOnly(options);
    ok(hr == S_OK, "a second MakeCustomHeadersWriteOnly got %#lx\n", hr);
    str = (WCHAR *)0xdeadbeef;
    hr = IBackgroundCopyJobHttpOptions3_GetCustomHeaders(options, &str);
    ok(hr == E_ACCESSDENIED, "write-only headers got %#lx\n", hr);
    ok(!str, "got %s\n", wine_dbgstr_w(str));

    /* The certificate-validation callback may be cleared while the job is suspended. */
    hr = IBackgroundCopyJobHttpOptions3_SetServerCertificateValidationInterface(options, NULL);
    ok(hr == S_OK, "SetServerCertificateValidationInterface(NULL) got %#lx\n", hr);
    hr = IBackgroundCopyJobHttpOptions3_RemoveClientCertificate(options);
    ok(hr == S_FALSE || hr == S_OK, "RemoveClientCertificate without one got %#lx\n", hr);
    IBackgroundCopyJobHttpOptions3_Release(options);
    cancel_job(job);
}

/* HttpOptions2::SetHttpMethod: before the first Resume only, forces FOREGROUND. */
static void test_http_method(void)
{
    IBackgroundCopyJobHttpOptions2 *options;
    BITS_JOB_PROPERTY_VALUE value;
    IBackgroundCopyJob5 *job5;
    IBackgroundCopyJob *job;
    BG_JOB_PRIORITY priority;
    WCHAR local[MAX_PATH], *str;
    HRESULT hr;

    if (!(job = create_job(L"http method", BG_JOB_TYPE_DOWNLOAD))) return;
    if (!(options = job_query(job, &IID_IBackgroundCopyJobHttpOptions2)))
    {
        cancel_job(job);
        return;
    }
    str = NULL;
    hr = IBackgroundCopyJobHttpOptions2_GetHttpMethod(options, &str);
    ok(hr == S_OK && str && !wcscmp(str, L"GET"), "default method got %#lx, %s\n", hr, wine_dbgstr_w(str));
    CoTaskMemFree(str);
    hr = IBackgroundCopyJobHttpOptions2_SetHttpMethod(options, L"GET");
    ok(hr == S_OK, "GET got %#lx\n", hr);
    hr = IBackgroundCopyJob_GetPriority(job, &priority);
    ok(hr == S_OK && priority == BG_JOB_PRIORITY_NORMAL, "the default verb changed the priority to %d\n", priority);
    hr = IBackgroundCopyJobHttpOptions2_SetHttpMethod(options, L"");
    ok(hr == E_INVALIDARG, "an empty verb got %#lx\n", hr);

    hr = IBackgroundCopyJobHttpOptions2_SetHttpMethod(options, L"POST");
    ok(hr == S_OK, "POST got %#lx\n", hr);
    hr = IBackgroundCopyJobHttpOptions2_GetHttpMethod(options, &str);
    ok(hr == S_OK && str && !wcscmp(str, L"POST"), "got %#lx, %s\n", hr, wine_dbgstr_w(str));
    CoTaskMemFree(str);
    hr = IBackgroundCopyJob_GetPriority(job, &priority);
    ok(hr == S_OK && priority == BG_JOB_PRIORITY_FOREGROUND, "a custom verb left priority %d\n", priority);
    /* locked to FOREGROUND (the code is our guess from its name) */
    hr = IBackgroundCopyJob_SetPriority(job, BG_JOB_PRIORITY_NORMAL);
    ok(hr == BG_E_NOT_SUPPORTED_WITH_CUSTOM_HTTP_METHOD, "SetPriority with a custom verb got %#lx\n", hr);
    /* not with DYNAMIC_CONTENT (the code is our guess from its name) */
    if ((job5 = job_query(job, &IID_IBackgroundCopyJob5)))
    {
        value.Enable = TRUE;
        hr = IBackgroundCopyJob5_SetProperty(job5, BITS_JOB_PROPERTY_DYNAMIC_CONTENT, value);
        ok(hr == BG_E_UNSUPPORTED_JOB_CONFIGURATION || hr == BG_E_NOT_SUPPORTED_WITH_CUSTOM_HTTP_METHOD,
           "DYNAMIC_CONTENT with a custom verb got %#lx\n", hr);
        IBackgroundCopyJob5_Release(job5);
    }

    /* After the first Resume the verb is fixed (the code is our guess). */
    swprintf(local, MAX_PATH, L"%lshttp_method.bin", temp_dir);
    hr = IBackgroundCopyJob_AddFile(job, L"http://127.0.0.1:9/http_method.bin", local);
    ok(hr == S_OK, "AddFile got %#lx\n", hr);
    hr = IBackgroundCopyJob_Resume(job);
    ok(hr == S_OK, "Resume got %#lx\n", hr);
    hr = IBackgroundCopyJob_Suspend(job);
    ok(hr == S_OK, "Suspend got %#lx\n", hr);
    hr = IBackgroundCopyJobHttpOptions2_SetHttpMethod(options, L"HEAD");
    ok(hr == BG_E_READ_ONLY_PROPERTY_AFTER_RESUME, "after Resume got %#lx\n", hr);
    IBackgroundCopyJobHttpOptions2_Release(options);
    cancel_job(job);
}

/* Job5 properties and their read-only-after rules. */
static void test_job5_rules(void)
{
    static const BITS_JOB_PROPERTY_ID download_only[] =
    {
        BITS_JOB_PROPERTY_DYNAMIC_CONTENT, BITS_JOB_PROPERTY_HIGH_PERFORMANCE, BITS_JOB_PROPERTY_MAX_DOWNLOAD_SIZE,
        BITS_JOB_PROPERTY_ON_DEMAND_MODE,
    };
    BITS_JOB_PROPERTY_VALUE value;
    IBackgroundCopyJob5 *job5;
    IBackgroundCopyJob *job;
    WCHAR local[MAX_PATH];
    unsigned int i;
    HRESULT hr;

    if (!(job = create_job(L"job5 rules", BG_JOB_TYPE_DOWNLOAD))) return;
    if (!(job5 = job_query(job, &IID_IBackgroundCopyJob5)))
    {
        cancel_job(job);
        return;
    }
    memset(&value, 0, sizeof(value));
    hr = IBackgroundCopyJob5_GetProperty(job5, BITS_JOB_PROPERTY_HIGH_PERFORMANCE, &value);
    ok(hr == S_OK && !value.Enable, "HIGH_PERFORMANCE default got %#lx, %d\n", hr, value.Enable);
    hr = IBackgroundCopyJob5_GetProperty(job5, BITS_JOB_PROPERTY_ON_DEMAND_MODE, &value);
    ok(hr == S_OK && !value.Enable, "ON_DEMAND_MODE default got %#lx, %d\n", hr, value.Enable);

    value.Uint64 = 0;
    hr = IBackgroundCopyJob5_SetProperty(job5, BITS_JOB_PROPERTY_MAX_DOWNLOAD_SIZE, value);
    ok(hr == BG_E_MAX_DOWNLOAD_SIZE_INVALID_VALUE, "MAX_DOWNLOAD_SIZE 0 got %#lx [inferred]\n", hr);
    value.Target = BG_AUTH_TARGET_SERVER;
    hr = IBackgroundCopyJob5_SetProperty(job5, BITS_JOB_PROPERTY_USE_STORED_CREDENTIALS, value);
    ok(hr == BG_E_USE_STORED_CREDENTIALS_NOT_SUPPORTED, "stored server credentials got %#lx [inferred]\n", hr);

    value.Enable = TRUE;
    hr = IBackgroundCopyJob5_SetProperty(job5, BITS_JOB_PROPERTY_DYNAMIC_CONTENT, value);
    ok(hr == S_OK, "DYNAMIC_CONTENT before Resume got %#lx\n", hr);
    value.Enable = FALSE;
    hr = IBackgroundCopyJob5_SetProperty(job5, BITS_JOB_PROPERTY_DYNAMIC_CONTENT, value);
    ok(hr == S_OK, "DYNAMIC_CONTENT off got %#lx\n", hr);
    value.Uint64 = 1000;
    hr = IBackgroundCopyJob5_SetProperty(job5, BITS_JOB_PROPERTY_MAX_DOWNLOAD_SIZE, value);
    ok(hr == S_OK, "MAX_DOWNLOAD_SIZE before Resume got %#lx\n", hr);
    value.Enable = TRUE;
    hr = IBackgroundCopyJob5_SetProperty(job5, BITS_JOB_PROPERTY_HIGH_PERFORMANCE, value);
    ok(hr == S_OK, "HIGH_PERFORMANCE before AddFile got %#lx\n", hr);

    swprintf(local, MAX_PATH, L"%lsjob5_rules.bin", temp_dir);
    hr = IBackgroundCopyJob_AddFile(job, L"http://127.0.0.1:9/job5_rules.bin", local);
    ok(hr == S_OK, "AddFile got %#lx\n", hr);
    value.Enable = FALSE;
    hr = IBackgroundCopyJob5_SetProperty(job5, BITS_JOB_PROPERTY_HIGH_PERFORMANCE, value);
    ok(hr == BG_E_READ_ONLY_PROPERTY_AFTER_ADDFILE, "HIGH_PERFORMANCE after AddFile got %#lx\n", hr);
    value.Enable = TRUE;
    hr = IBackgroundCopyJob5_SetProperty(job5, BITS_JOB_PROPERTY_DYNAMIC_CONTENT, value);
    ok(hr == S_OK, "DYNAMIC_CONTENT after AddFile got %#lx\n", hr);

    hr = IBackgroundCopyJob_Resume(job);
    ok(hr == S_OK, "Resume got %#lx\n", hr);
    hr = IBackgroundCopyJob_Suspend(job);
    ok(hr == S_OK, "Suspend got %#lx\n", hr);
    value.Enable = FALSE;
    hr = IBackgroundCopyJob5_SetProperty(job5, BITS_JOB_PROPERTY_DYNAMIC_CONTENT, value);
    ok(hr == BG_E_READ_ONLY_PROPERTY_AFTER_RESUME, "DYNAMIC_CONTENT after Resume got %#lx\n", hr);
    value.Uint64 = 2000;
    hr = IBackgroundCopyJob5_SetProperty(job5, BITS_JOB_PROPERTY_MAX_DOWNLOAD_SIZE, value);
    ok(hr == BG_E_READ_ONLY_PROPERTY_AFTER_RESUME, "MAX_DOWNLOAD_SIZE after Resume got %#lx\n", hr);
    hr = IBackgroundCopyJob5_GetProperty(job5, BITS_JOB_PROPERTY_MAX_DOWNLOAD_SIZE, &value);
    ok(hr == S_OK && value.Uint64 == 1000, "MAX_DOWNLOAD_SIZE got %#lx, %s\n", hr,
       wine_dbgstr_longlong(value.Uint64));
    /* The other properties stay writable. */
    value.Dword = 1000;
    hr = IBackgroundCopyJob5_SetProperty(job5, BITS_JOB_PROPERTY_MINIMUM_NOTIFICATION_INTERVAL_MS, value);
    ok(hr == S_OK, "MINIMUM_NOTIFICATION_INTERVAL_MS after Resume got %#lx\n", hr);
    value.Dword = BITS_COST_STATE_TRANSFER_ALWAYS;
    hr = IBackgroundCopyJob5_SetProperty(job5, BITS_JOB_PROPERTY_ID_COST_FLAGS, value);
    ok(hr == S_OK, "COST_FLAGS after Resume got %#lx\n", hr);
    IBackgroundCopyJob5_Release(job5);
    cancel_job(job);
    DeleteFileW(local);     /* HIGH_PERFORMANCE: the caller cleans up */

    /* Download-only properties on upload jobs (the codes are our guess from their names). */
    if (!(job = create_job(L"job5 upload", BG_JOB_TYPE_UPLOAD))) return;
    if ((job5 = job_query(job, &IID_IBackgroundCopyJob5)))
    {
        for (i = 0; i < ARRAY_SIZE(download_only); i++)
        {
            winetest_push_context("property %d", download_only[i]);
            memset(&value, 0, sizeof(value));
            value.Uint64 = 1;
            hr = IBackgroundCopyJob5_SetProperty(job5, download_only[i], value);
            ok(hr == BG_E_PROPERTY_SUPPORTED_FOR_DOWNLOAD_JOBS_ONLY, "got %#lx\n", hr);
            winetest_pop_context();
        }
        value.Dword = BITS_COST_STATE_TRANSFER_ALWAYS;
        hr = IBackgroundCopyJob5_SetProperty(job5, BITS_JOB_PROPERTY_ID_COST_FLAGS, value);
        ok(hr == S_OK, "COST_FLAGS on an upload got %#lx\n", hr);
        IBackgroundCopyJob5_Release(job5);
    }
    cancel_job(job);
}

static void test_upload_reply_properties(void)
{
    IBackgroundCopyJob2 *job2;
    IBackgroundCopyJob *job;
    BG_JOB_REPLY_PROGRESS progress;
    WCHAR src[MAX_PATH], reply[MAX_PATH], *str;
    byte *data;
    UINT64 length;
    HRESULT hr;

    if (!(job = create_job(L"upload-reply", BG_JOB_TYPE_UPLOAD_REPLY))) return;
    if (!(job2 = job_query(job, &IID_IBackgroundCopyJob2)))
    {
        cancel_job(job);
        return;
    }
    /* NULL until a name is set or a file is added */
    str = (WCHAR *)0xdeadbeef;
    hr = IBackgroundCopyJob2_GetReplyFileName(job2, &str);
    ok(hr == S_OK && !str, "GetReplyFileName got %#lx, %s\n", hr, wine_dbgstr_w(str));
    hr = IBackgroundCopyJob2_SetReplyFileName(job2, L"reply.txt");
    ok(hr == E_INVALIDARG, "a relative reply name got %#lx\n", hr);
    swprintf(reply, MAX_PATH, L"%lsno_such_directory\\reply.txt", temp_dir);
    hr = IBackgroundCopyJob2_SetReplyFileName(job2, reply);
    ok(hr == E_ACCESSDENIED, "a reply in a missing directory got %#lx [inferred]\n", hr);
    swprintf(reply, MAX_PATH, L"%lsreply.txt", temp_dir);
    hr = IBackgroundCopyJob2_SetReplyFileName(job2, reply);
    ok(hr == S_OK, "SetReplyFileName got %#lx\n", hr);
    hr = IBackgroundCopyJob2_GetReplyFileName(job2, &str);
    ok(hr == S_OK && str && !wcscmp(str, reply), "GetReplyFileName got %#lx, %s\n", hr, wine_dbgstr_w(str));
    CoTaskMemFree(str);

    memset(&progress, 0, sizeof(progress));
    hr = IBackgroundCopyJob2_GetReplyProgress(job2, &progress);
    ok(hr == S_OK, "GetReplyProgress got %#lx\n", hr);
    ok(progress.BytesTotal == BG_SIZE_UNKNOWN, "BytesTotal %s\n", wine_dbgstr_longlong(progress.BytesTotal));
    ok(progress.BytesTransferred == 0, "BytesTransferred %s\n", wine_dbgstr_longlong(progress.BytesTransferred));
    data = (byte *)0xdeadbeef;
    length = 0xdead;
    hr = IBackgroundCopyJob2_GetReplyData(job2, &data, &length);
    ok(hr == BG_E_INVALID_STATE, "GetReplyData before TRANSFERRED got %#lx\n", hr);

    make_upload_source(src);
    hr = IBackgroundCopyJob_AddFile(job, L"http://127.0.0.1/upload", src);
    ok(hr == S_OK, "AddFile got %#lx\n", hr);
    IBackgroundCopyJob2_Release(job2);
    cancel_job(job);
    DeleteFileW(src);

    /* Reply methods of plain uploads: E_NOTIMPL. */
    if (!(job = create_job(L"upload", BG_JOB_TYPE_UPLOAD))) return;
    if ((job2 = job_query(job, &IID_IBackgroundCopyJob2)))
    {
        hr = IBackgroundCopyJob2_GetReplyProgress(job2, &progress);
        ok(hr == E_NOTIMPL, "GetReplyProgress of an upload got %#lx\n", hr);
        hr = IBackgroundCopyJob2_GetReplyData(job2, &data, &length);
        ok(hr == E_NOTIMPL, "GetReplyData of an upload got %#lx\n", hr);
        hr = IBackgroundCopyJob2_SetReplyFileName(job2, reply);
        ok(hr == E_NOTIMPL, "SetReplyFileName of an upload got %#lx\n", hr);
        IBackgroundCopyJob2_Release(job2);
    }
    cancel_job(job);
}

static void test_acl_and_peer_flags(void)
{
    IBackgroundCopyJob4 *job4;
    IBackgroundCopyJob3 *job3;
    IBackgroundCopyJob *job;
    DWORD flags, i;
    HRESULT hr;

    if (!(job = create_job(L"acl flags", BG_JOB_TYPE_DOWNLOAD))) return;
    if ((job3 = job_query(job, &IID_IBackgroundCopyJob3)))
    {
        for (i = 0; i <= BG_COPY_FILE_ALL; i++)
        {
            winetest_push_context("flags %#lx", i);
            hr = IBackgroundCopyJob3_SetFileACLFlags(job3, i);
            ok(hr == S_OK, "SetFileACLFlags got %#lx\n", hr);
            hr = IBackgroundCopyJob3_GetFileACLFlags(job3, &flags);
            ok(hr == S_OK && flags == i, "GetFileACLFlags got %#lx, %#lx\n", hr, flags);
            winetest_pop_context();
        }
        /* E_INVALIDARG for an unknown bit */
        hr = IBackgroundCopyJob3_SetFileACLFlags(job3, 0x10);
        ok(hr == E_INVALIDARG, "0x10 got %#lx\n", hr);
        IBackgroundCopyJob3_Release(job3);
    }
    if ((job4 = job_query(job, &IID_IBackgroundCopyJob4)))
    {
        hr = IBackgroundCopyJob4_SetPeerCachingFlags(job4, BG_JOB_DISABLE_BRANCH_CACHE);
        ok(hr == S_OK, "SetPeerCachingFlags got %#lx\n", hr);
        hr = IBackgroundCopyJob4_GetPeerCachingFlags(job4, &flags);
        ok(hr == S_OK && flags == BG_JOB_DISABLE_BRANCH_CACHE, "GetPeerCachingFlags got %#lx, %#lx\n", hr, flags);
        hr = IBackgroundCopyJob4_SetPeerCachingFlags(job4, 0);
        ok(hr == S_OK, "SetPeerCachingFlags(0) got %#lx\n", hr);
        IBackgroundCopyJob4_Release(job4);
    }
    cancel_job(job);
}

/* The caller's own user SID as a string, LocalAlloc'd. */
static WCHAR *own_sid_string(void)
{
    BYTE buffer[sizeof(TOKEN_USER) + SECURITY_MAX_SID_SIZE];
    TOKEN_USER *user = (TOKEN_USER *)buffer;
    WCHAR *str = NULL;
    HANDLE token;
    DWORD size;

    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token)) return NULL;
    if (GetTokenInformation(token, TokenUser, user, sizeof(buffer), &size))
        ConvertSidToStringSidW(user->User.Sid, &str);
    CloseHandle(token);
    return str;
}

static void test_owner(void)
{
    BYTE buffer[sizeof(TOKEN_MANDATORY_LABEL) + SECURITY_MAX_SID_SIZE];
    TOKEN_MANDATORY_LABEL *label = (TOKEN_MANDATORY_LABEL *)buffer;
    TOKEN_ELEVATION elevation;
    IBackgroundCopyJob4 *job4;
    IBackgroundCopyJob *job;
    WCHAR *owner, *sid;
    ULONG level, expect_level = 0;
    BOOL elevated, expect_elevated = FALSE;
    HANDLE token;
    DWORD size;
    HRESULT hr;

    if (OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token))
    {
        if (GetTokenInformation(token, TokenIntegrityLevel, label, sizeof(buffer), &size))
            expect_level = *GetSidSubAuthority(label->Label.Sid, *GetSidSubAuthorityCount(label->Label.Sid) - 1);
        if (GetTokenInformation(token, TokenElevation, &elevation, sizeof(elevation), &size))
            expect_elevated = !!elevation.TokenIsElevated;
        CloseHandle(token);
    }

    if (!(job = create_job(L"owner", BG_JOB_TYPE_DOWNLOAD))) return;
    sid = own_sid_string();
    hr = IBackgroundCopyJob_GetOwner(job, &owner);
    ok(hr == S_OK, "GetOwner got %#lx\n", hr);
    ok(owner && sid && !wcscmp(owner, sid), "owner %s, caller %s\n", wine_dbgstr_w(owner), wine_dbgstr_w(sid));
    CoTaskMemFree(owner);
    LocalFree(sid);

    if ((job4 = job_query(job, &IID_IBackgroundCopyJob4)))
    {
        /* the integrity level and elevation of the owner's token */
        level = 0xdead;
        hr = IBackgroundCopyJob4_GetOwnerIntegrityLevel(job4, &level);
        ok(hr == S_OK, "GetOwnerIntegrityLevel got %#lx\n", hr);
        ok(level == expect_level, "level %#lx, the caller's %#lx\n", level, expect_level);
        elevated = 0xdead;
        hr = IBackgroundCopyJob4_GetOwnerElevationState(job4, &elevated);
        ok(hr == S_OK, "GetOwnerElevationState got %#lx\n", hr);
        ok(elevated == expect_elevated, "elevated %d, the caller %d\n", elevated, expect_elevated);
        IBackgroundCopyJob4_Release(job4);
    }
    cancel_job(job);
}

/* IBitsTokenOptions. SetHelperToken needs an impersonation level of at least
 * IMPERSONATE, which START_TEST asks for with CoInitializeSecurity. */
static void test_token_options(void)
{
    IBitsTokenOptions *options;
    IBackgroundCopyJob *job;
    WCHAR *str, *sid;
    DWORD flags, i;
    HRESULT hr;

    if (!(job = create_job(L"token options", BG_JOB_TYPE_DOWNLOAD))) return;
    if (!(options = job_query(job, &IID_IBitsTokenOptions)))
    {
        cancel_job(job);
        return;
    }
    hr = IBitsTokenOptions_GetHelperTokenFlags(options, &flags);
    ok(hr == S_OK && flags == 0, "default flags got %#lx, %#lx\n", hr, flags);
    for (i = 0; i <= (BG_TOKEN_LOCAL_FILE | BG_TOKEN_NETWORK); i++)
    {
        winetest_push_context("flags %#lx", i);
        hr = IBitsTokenOptions_SetHelperTokenFlags(options, i);
        ok(hr == S_OK, "SetHelperTokenFlags got %#lx\n", hr);
        hr = IBitsTokenOptions_GetHelperTokenFlags(options, &flags);
        ok(hr == S_OK && flags == i, "GetHelperTokenFlags got %#lx, %#lx\n", hr, flags);
        winetest_pop_context();
    }
    hr = IBitsTokenOptions_SetHelperTokenFlags(options, 4);
    ok(hr == E_INVALIDARG, "flags 4 got %#lx [inferred]\n", hr);

    /* No token yet: no SID. Undocumented; S_OK with NULL is our choice, as for other empty getters. */
    str = (WCHAR *)0xdeadbeef;
    hr = IBitsTokenOptions_GetHelperTokenSid(options, &str);
    ok(hr == S_OK && !str, "GetHelperTokenSid without a token got %#lx, %s\n", hr, wine_dbgstr_w(str));

    hr = IBitsTokenOptions_SetHelperToken(options);
    ok(hr == S_OK, "SetHelperToken got %#lx\n", hr);
    if (hr == S_OK)
    {
        sid = own_sid_string();
        str = NULL;
        hr = IBitsTokenOptions_GetHelperTokenSid(options, &str);
        ok(hr == S_OK && str && sid && !wcscmp(str, sid), "GetHelperTokenSid got %#lx, %s, caller %s\n", hr,
           wine_dbgstr_w(str), wine_dbgstr_w(sid));
        CoTaskMemFree(str);
        LocalFree(sid);
    }
    hr = IBitsTokenOptions_ClearHelperToken(options);
    ok(hr == S_OK, "ClearHelperToken got %#lx\n", hr);
    str = (WCHAR *)0xdeadbeef;
    hr = IBitsTokenOptions_GetHelperTokenSid(options, &str);
    ok(hr == S_OK && !str, "GetHelperTokenSid after Clear got %#lx, %s\n", hr, wine_dbgstr_w(str));
    IBitsTokenOptions_Release(options);
    cancel_job(job);
}

START_TEST(properties)
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
        test_defaults();
        test_names();
        test_priority();
        test_notify();
        test_timeouts();
        test_proxy();
        test_credentials();
        test_http_options();
        test_http_method();
        test_job5_rules();
        test_upload_reply_properties();
        test_acl_and_peer_flags();
        test_owner();
        test_token_options();
        IBackgroundCopyManager_Release(manager);
    }
    CoUninitialize();
}

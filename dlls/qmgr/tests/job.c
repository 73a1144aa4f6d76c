/*
 * Conformance tests for BITS jobs across processes: every job and file interface answers
 * QueryInterface, and every signature class of the API marshals (strings out, interfaces out,
 * the Job5/File5 property unions, range arrays, byte arrays).
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
#include <wincrypt.h>
#include "bitsall.h"
#include "wine/test.h"
#include "bits_test.h"


static void test_job_interfaces(void)
{
    static const struct { const IID *iid; const char *name; } ifaces[] =
    {
        { &IID_IBackgroundCopyJob, "Job" },
        { &IID_IBackgroundCopyJob2, "Job2" },
        { &IID_IBackgroundCopyJob3, "Job3" },
        { &IID_IBackgroundCopyJob4, "Job4" },
        { &IID_IBackgroundCopyJob5, "Job5" },
        { &IID_IBackgroundCopyJobHttpOptions, "HttpOptions" },
        { &IID_IBackgroundCopyJobHttpOptions2, "HttpOptions2" },
        { &IID_IBackgroundCopyJobHttpOptions3, "HttpOptions3" },
        { &IID_IBitsTokenOptions, "TokenOptions" },
    };
    static const struct { const IID *iid; const char *name; } file_ifaces[] =
    {
        { &IID_IBackgroundCopyFile, "File" },
        { &IID_IBackgroundCopyFile2, "File2" },
        { &IID_IBackgroundCopyFile3, "File3" },
        { &IID_IBackgroundCopyFile4, "File4" },
        { &IID_IBackgroundCopyFile5, "File5" },
        { &IID_IBackgroundCopyFile6, "File6" },
    };
    IBackgroundCopyJob *job;
    IBackgroundCopyFile *file;
    WCHAR local[MAX_PATH];
    IUnknown *unk;
    unsigned int i;
    HRESULT hr;

    if (!(job = create_job(L"interfaces", BG_JOB_TYPE_DOWNLOAD))) return;
    for (i = 0; i < ARRAY_SIZE(ifaces); i++)
    {
        winetest_push_context("%s", ifaces[i].name);
        hr = IBackgroundCopyJob_QueryInterface(job, ifaces[i].iid, (void **)&unk);
        ok(hr == S_OK, "got %#lx\n", hr);
        if (hr == S_OK) IUnknown_Release(unk);
        winetest_pop_context();
    }
    hr = IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyFile, (void **)&unk);
    ok(hr == E_NOINTERFACE, "IBackgroundCopyFile on a job got %#lx\n", hr);

    local_path(local, L"interfaces.bin");
    hr = IBackgroundCopyJob_AddFile(job, L"http://127.0.0.1/interfaces.bin", local);
    ok(hr == S_OK, "AddFile got %#lx\n", hr);
    if ((file = get_file(job, 0)))
    {
        for (i = 0; i < ARRAY_SIZE(file_ifaces); i++)
        {
            winetest_push_context("%s", file_ifaces[i].name);
            hr = IBackgroundCopyFile_QueryInterface(file, file_ifaces[i].iid, (void **)&unk);
            ok(hr == S_OK, "got %#lx\n", hr);
            if (hr == S_OK) IUnknown_Release(unk);
            winetest_pop_context();
        }
        IBackgroundCopyFile_Release(file);
    }
    cancel_job(job);
}

/* [out] LPWSTR across processes, and [in] strings. */
static void test_strings(void)
{
    IBackgroundCopyJob2 *job2;
    IBackgroundCopyJob *job;
    BG_JOB_PROXY_USAGE usage;
    WCHAR *str, *str2, long_name[300];
    HRESULT hr;
    int i;

    if (!(job = create_job(L"strings", BG_JOB_TYPE_DOWNLOAD))) return;
    hr = IBackgroundCopyJob_GetDisplayName(job, &str);
    ok(hr == S_OK && str && !wcscmp(str, L"strings"), "got %#lx, %s\n", hr, wine_dbgstr_w(str));
    CoTaskMemFree(str);

    hr = IBackgroundCopyJob_SetDescription(job, L"a description");
    ok(hr == S_OK, "SetDescription got %#lx\n", hr);
    hr = IBackgroundCopyJob_GetDescription(job, &str);
    ok(hr == S_OK && str && !wcscmp(str, L"a description"), "got %#lx, %s\n", hr, wine_dbgstr_w(str));
    CoTaskMemFree(str);

    for (i = 0; i < 257; i++) long_name[i] = 'a';
    long_name[257] = 0;
    hr = IBackgroundCopyJob_SetDisplayName(job, long_name);
    ok(hr == E_INVALIDARG || hr == BG_E_STRING_TOO_LONG, "257 characters got %#lx\n", hr);
    long_name[256] = 0;
    hr = IBackgroundCopyJob_SetDisplayName(job, long_name);
    ok(hr == S_OK, "256 characters got %#lx\n", hr);
    hr = IBackgroundCopyJob_GetDisplayName(job, &str);
    ok(hr == S_OK && str && lstrlenW(str) == 256, "got %#lx, length %d\n", hr, str ? lstrlenW(str) : -1);
    CoTaskMemFree(str);

    hr = IBackgroundCopyJob_GetOwner(job, &str);
    ok(hr == S_OK && str && !wcsncmp(str, L"S-1-", 4), "GetOwner got %#lx, %s\n", hr, wine_dbgstr_w(str));
    CoTaskMemFree(str);

    hr = IBackgroundCopyJob_SetProxySettings(job, BG_JOB_PROXY_USAGE_OVERRIDE, L"proxy:8080", L"<local>");
    ok(hr == S_OK, "SetProxySettings got %#lx\n", hr);
    hr = IBackgroundCopyJob_GetProxySettings(job, &usage, &str, &str2);
    ok(hr == S_OK && usage == BG_JOB_PROXY_USAGE_OVERRIDE, "got %#lx, usage %d\n", hr, usage);
    ok(str && !wcscmp(str, L"proxy:8080"), "list %s\n", wine_dbgstr_w(str));
    ok(str2 && !wcscmp(str2, L"<local>"), "bypass %s\n", wine_dbgstr_w(str2));
    CoTaskMemFree(str);
    CoTaskMemFree(str2);

    hr = IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJob2, (void **)&job2);
    ok(hr == S_OK, "got %#lx\n", hr);
    if (hr == S_OK)
    {
        hr = IBackgroundCopyJob2_GetNotifyCmdLine(job2, &str, &str2);
        ok(hr == S_OK && !str && !str2, "default command line got %#lx, %s %s\n", hr, wine_dbgstr_w(str),
           wine_dbgstr_w(str2));
        hr = IBackgroundCopyJob2_SetNotifyCmdLine(job2, L"C:\\windows\\system32\\cmd.exe",
                                                  L"C:\\windows\\system32\\cmd.exe /c exit");
        ok(hr == S_OK, "SetNotifyCmdLine got %#lx\n", hr);
        hr = IBackgroundCopyJob2_GetNotifyCmdLine(job2, &str, &str2);
        ok(hr == S_OK && str && !wcscmp(str, L"C:\\windows\\system32\\cmd.exe"), "got %#lx, %s\n", hr,
           wine_dbgstr_w(str));
        ok(str2 && !wcscmp(str2, L"C:\\windows\\system32\\cmd.exe /c exit"), "params %s\n", wine_dbgstr_w(str2));
        CoTaskMemFree(str);
        CoTaskMemFree(str2);
        IBackgroundCopyJob2_Release(job2);
    }
    cancel_job(job);
}

/* [out] interface pointers: GetJob, EnumJobs, EnumFiles. */
static void test_interfaces_out(void)
{
    IEnumBackgroundCopyJobs *jobs;
    IBackgroundCopyJob *job, *found, *listed;
    IBackgroundCopyFile *file;
    WCHAR local[MAX_PATH], *str;
    ULONG count, fetched;
    GUID id, id2;
    BOOL seen = FALSE;
    HRESULT hr;

    if (!(job = create_job(L"interfaces out", BG_JOB_TYPE_DOWNLOAD))) return;
    hr = IBackgroundCopyJob_GetId(job, &id);
    ok(hr == S_OK, "GetId got %#lx\n", hr);

    hr = IBackgroundCopyManager_GetJob(manager, &id, &found);
    ok(hr == S_OK, "GetJob got %#lx\n", hr);
    if (hr == S_OK)
    {
        hr = IBackgroundCopyJob_GetId(found, &id2);
        ok(hr == S_OK && IsEqualGUID(&id, &id2), "got %s\n", wine_dbgstr_guid(&id2));
        IBackgroundCopyJob_Release(found);
    }

    hr = IBackgroundCopyManager_EnumJobs(manager, 0, &jobs);
    ok(hr == S_OK, "EnumJobs got %#lx\n", hr);
    if (hr == S_OK)
    {
        hr = IEnumBackgroundCopyJobs_GetCount(jobs, &count);
        ok(hr == S_OK && count >= 1, "GetCount got %#lx, %lu\n", hr, count);
        while (IEnumBackgroundCopyJobs_Next(jobs, 1, &listed, &fetched) == S_OK)
        {
            if (SUCCEEDED(IBackgroundCopyJob_GetId(listed, &id2)) && IsEqualGUID(&id, &id2)) seen = TRUE;
            IBackgroundCopyJob_Release(listed);
        }
        ok(seen, "the new job is not listed\n");
        IEnumBackgroundCopyJobs_Release(jobs);
    }

    local_path(local, L"out.bin");
    hr = IBackgroundCopyJob_AddFile(job, L"http://127.0.0.1/out.bin", local);
    ok(hr == S_OK, "AddFile got %#lx\n", hr);
    if ((file = get_file(job, 0)))
    {
        hr = IBackgroundCopyFile_GetRemoteName(file, &str);
        ok(hr == S_OK && str && !wcscmp(str, L"http://127.0.0.1/out.bin"), "got %#lx, %s\n", hr, wine_dbgstr_w(str));
        CoTaskMemFree(str);
        hr = IBackgroundCopyFile_GetLocalName(file, &str);
        ok(hr == S_OK && str && !wcscmp(str, local), "got %#lx, %s\n", hr, wine_dbgstr_w(str));
        CoTaskMemFree(str);
        IBackgroundCopyFile_Release(file);
    }
    cancel_job(job);

    hr = IBackgroundCopyManager_GetJob(manager, &id, &found);
    ok(hr == BG_E_NOT_FOUND, "GetJob of a cancelled job got %#lx\n", hr);
}

/* The Job5 property union and the File5 string union, in and out. */
static void test_property_unions(void)
{
    static const GUID clsid = { 0x12345678, 0x1234, 0x5678, { 1, 2, 3, 4, 5, 6, 7, 8 } };
    BITS_JOB_PROPERTY_VALUE value;
    BITS_FILE_PROPERTY_VALUE file_value;
    IBackgroundCopyJob5 *job5;
    IBackgroundCopyFile5 *file5;
    IBackgroundCopyFile *file;
    IBackgroundCopyJob *job;
    WCHAR local[MAX_PATH];
    HRESULT hr;

    if (!(job = create_job(L"unions", BG_JOB_TYPE_DOWNLOAD))) return;
    hr = IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJob5, (void **)&job5);
    ok(hr == S_OK, "got %#lx\n", hr);
    if (hr != S_OK)
    {
        cancel_job(job);
        return;
    }

    /* Defaults */
    memset(&value, 0xcc, sizeof(value));
    hr = IBackgroundCopyJob5_GetProperty(job5, BITS_JOB_PROPERTY_ID_COST_FLAGS, &value);
    ok(hr == S_OK && value.Dword == BITS_COST_STATE_TRANSFER_ALWAYS, "cost flags got %#lx, %#lx\n", hr, value.Dword);
    hr = IBackgroundCopyJob5_GetProperty(job5, BITS_JOB_PROPERTY_MINIMUM_NOTIFICATION_INTERVAL_MS, &value);
    ok(hr == S_OK && value.Dword == 500, "notification interval got %#lx, %lu\n", hr, value.Dword);
    hr = IBackgroundCopyJob5_GetProperty(job5, BITS_JOB_PROPERTY_DYNAMIC_CONTENT, &value);
    ok(hr == S_OK && value.Enable == FALSE, "dynamic content got %#lx, %d\n", hr, value.Enable);

    /* DWORD arm */
    value.Dword = 1234;
    hr = IBackgroundCopyJob5_SetProperty(job5, BITS_JOB_PROPERTY_MINIMUM_NOTIFICATION_INTERVAL_MS, value);
    ok(hr == S_OK, "got %#lx\n", hr);
    value.Dword = 0;
    hr = IBackgroundCopyJob5_GetProperty(job5, BITS_JOB_PROPERTY_MINIMUM_NOTIFICATION_INTERVAL_MS, &value);
    ok(hr == S_OK && value.Dword == 1234, "got %#lx, %lu\n", hr, value.Dword);

    /* GUID arm */
    value.ClsID = clsid;
    hr = IBackgroundCopyJob5_SetProperty(job5, BITS_JOB_PROPERTY_NOTIFICATION_CLSID, value);
    ok(hr == S_OK, "got %#lx\n", hr);
    memset(&value, 0, sizeof(value));
    hr = IBackgroundCopyJob5_GetProperty(job5, BITS_JOB_PROPERTY_NOTIFICATION_CLSID, &value);
    ok(hr == S_OK && IsEqualGUID(&value.ClsID, &clsid), "got %#lx, %s\n", hr, wine_dbgstr_guid(&value.ClsID));

    /* UINT64 arm */
    value.Uint64 = ((UINT64)5 << 32) | 7;
    hr = IBackgroundCopyJob5_SetProperty(job5, BITS_JOB_PROPERTY_MAX_DOWNLOAD_SIZE, value);
    ok(hr == S_OK, "got %#lx\n", hr);
    value.Uint64 = 0;
    hr = IBackgroundCopyJob5_GetProperty(job5, BITS_JOB_PROPERTY_MAX_DOWNLOAD_SIZE, &value);
    ok(hr == S_OK && value.Uint64 == (((UINT64)5 << 32) | 7), "got %#lx, %s\n", hr, wine_dbgstr_longlong(value.Uint64));

    /* BOOL arm */
    value.Enable = TRUE;
    hr = IBackgroundCopyJob5_SetProperty(job5, BITS_JOB_PROPERTY_HIGH_PERFORMANCE, value);
    ok(hr == S_OK, "got %#lx\n", hr);
    value.Enable = FALSE;
    hr = IBackgroundCopyJob5_GetProperty(job5, BITS_JOB_PROPERTY_HIGH_PERFORMANCE, &value);
    ok(hr == S_OK && value.Enable == TRUE, "got %#lx, %d\n", hr, value.Enable);
    value.Enable = FALSE;
    hr = IBackgroundCopyJob5_SetProperty(job5, BITS_JOB_PROPERTY_HIGH_PERFORMANCE, value);
    ok(hr == S_OK, "got %#lx\n", hr);

    /* enum arm */
    value.Target = BG_AUTH_TARGET_PROXY;
    hr = IBackgroundCopyJob5_SetProperty(job5, BITS_JOB_PROPERTY_USE_STORED_CREDENTIALS, value);
    ok(hr == S_OK, "got %#lx\n", hr);
    value.Target = 0;
    hr = IBackgroundCopyJob5_GetProperty(job5, BITS_JOB_PROPERTY_USE_STORED_CREDENTIALS, &value);
    ok(hr == S_OK && value.Target == BG_AUTH_TARGET_PROXY, "got %#lx, %d\n", hr, value.Target);

    /* An id with no arm crosses the wire without data. */
    value.Dword = 1;
    hr = IBackgroundCopyJob5_SetProperty(job5, 6, value);
    ok(hr == BG_E_UNKNOWN_PROPERTY_ID, "set id 6 got %#lx\n", hr);
    hr = IBackgroundCopyJob5_GetProperty(job5, 77, &value);
    ok(hr == BG_E_UNKNOWN_PROPERTY_ID, "get id 77 got %#lx\n", hr);

    /* File5: a string inside a union. */
    local_path(local, L"unions.bin");
    hr = IBackgroundCopyJob_AddFile(job, L"http://127.0.0.1/unions.bin", local);
    ok(hr == S_OK, "AddFile got %#lx\n", hr);
    if ((file = get_file(job, 0)))
    {
        hr = IBackgroundCopyFile_QueryInterface(file, &IID_IBackgroundCopyFile5, (void **)&file5);
        ok(hr == S_OK, "got %#lx\n", hr);
        if (hr == S_OK)
        {
            file_value.String = (WCHAR *)0xdeadbeef;
            hr = IBackgroundCopyFile5_GetProperty(file5, BITS_FILE_PROPERTY_ID_HTTP_RESPONSE_HEADERS, &file_value);
            ok(hr == S_OK, "got %#lx\n", hr);
            ok(!file_value.String, "headers before any transfer: %s\n", wine_dbgstr_w(file_value.String));
            if (hr == S_OK && file_value.String != (WCHAR *)0xdeadbeef) CoTaskMemFree(file_value.String);
            file_value.String = (WCHAR *)L"X: y\r\n";
            hr = IBackgroundCopyFile5_SetProperty(file5, BITS_FILE_PROPERTY_ID_HTTP_RESPONSE_HEADERS, file_value);
            ok(hr == BG_E_READ_ONLY_PROPERTY, "set headers got %#lx\n", hr);
            IBackgroundCopyFile5_Release(file5);
        }
        IBackgroundCopyFile_Release(file);
    }

    /* After AddFile, HIGH_PERFORMANCE is read-only. */
    value.Enable = TRUE;
    hr = IBackgroundCopyJob5_SetProperty(job5, BITS_JOB_PROPERTY_HIGH_PERFORMANCE, value);
    ok(hr == BG_E_READ_ONLY_PROPERTY_AFTER_ADDFILE, "got %#lx\n", hr);

    IBackgroundCopyJob5_Release(job5);
    cancel_job(job);
}

/* BG_FILE_RANGE arrays in (AddFileWithRanges, RequestFileRanges) and out (GetFileRanges). */
static void test_range_arrays(void)
{
    static const BG_FILE_RANGE ranges[] = { { 0, 100 }, { 1000, 50 }, { 5000, BG_LENGTH_TO_EOF } };
    static const BG_FILE_RANGE overlapping[] = { { 0, 100 }, { 50, 10 } };
    BITS_JOB_PROPERTY_VALUE value;
    IBackgroundCopyJob3 *job3;
    IBackgroundCopyJob5 *job5;
    IBackgroundCopyFile2 *file2;
    IBackgroundCopyFile6 *file6;
    IBackgroundCopyFile *file;
    IBackgroundCopyJob *job;
    BG_FILE_RANGE *got;
    WCHAR local[MAX_PATH];
    DWORD count, i;
    HRESULT hr;

    if (!(job = create_job(L"ranges", BG_JOB_TYPE_DOWNLOAD))) return;
    hr = IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJob3, (void **)&job3);
    ok(hr == S_OK, "got %#lx\n", hr);
    if (hr != S_OK)
    {
        cancel_job(job);
        return;
    }
    local_path(local, L"ranges.bin");
    hr = IBackgroundCopyJob3_AddFileWithRanges(job3, L"http://127.0.0.1/ranges.bin", local, 2,
                                               (BG_FILE_RANGE *)overlapping);
    ok(hr == BG_E_OVERLAPPING_RANGES, "overlapping ranges got %#lx\n", hr);
    hr = IBackgroundCopyJob3_AddFileWithRanges(job3, L"http://127.0.0.1/ranges.bin", local, ARRAY_SIZE(ranges),
                                               (BG_FILE_RANGE *)ranges);
    ok(hr == S_OK, "AddFileWithRanges got %#lx\n", hr);

    if ((file = get_file(job, 0)))
    {
        hr = IBackgroundCopyFile_QueryInterface(file, &IID_IBackgroundCopyFile2, (void **)&file2);
        ok(hr == S_OK, "got %#lx\n", hr);
        if (hr == S_OK)
        {
            count = 0;
            got = NULL;
            hr = IBackgroundCopyFile2_GetFileRanges(file2, &count, &got);
            ok(hr == S_OK && count == ARRAY_SIZE(ranges), "got %#lx, count %lu\n", hr, count);
            for (i = 0; got && i < count && i < ARRAY_SIZE(ranges); i++)
                ok(got[i].InitialOffset == ranges[i].InitialOffset && got[i].Length == ranges[i].Length,
                   "range %lu: %s %s\n", i, wine_dbgstr_longlong(got[i].InitialOffset),
                   wine_dbgstr_longlong(got[i].Length));
            CoTaskMemFree(got);
            IBackgroundCopyFile2_Release(file2);
        }

        hr = IBackgroundCopyFile_QueryInterface(file, &IID_IBackgroundCopyFile6, (void **)&file6);
        ok(hr == S_OK, "got %#lx\n", hr);
        if (hr == S_OK)
        {
            hr = IBackgroundCopyFile6_RequestFileRanges(file6, 2, ranges);
            ok(hr == BG_E_RANDOM_ACCESS_NOT_SUPPORTED, "without on-demand mode got %#lx\n", hr);
            count = 99;
            got = (BG_FILE_RANGE *)0xdeadbeef;
            hr = IBackgroundCopyFile6_GetFilledFileRanges(file6, &count, &got);
            ok(hr == S_OK && !count && !got, "GetFilledFileRanges got %#lx, %lu %p\n", hr, count, got);
            IBackgroundCopyFile6_Release(file6);
        }
        IBackgroundCopyFile_Release(file);
    }
    IBackgroundCopyJob3_Release(job3);
    cancel_job(job);

    /* An on-demand job accepts range requests. */
    if (!(job = create_job(L"on demand", BG_JOB_TYPE_DOWNLOAD))) return;
    hr = IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJob5, (void **)&job5);
    ok(hr == S_OK, "got %#lx\n", hr);
    value.Enable = TRUE;
    hr = IBackgroundCopyJob5_SetProperty(job5, BITS_JOB_PROPERTY_ON_DEMAND_MODE, value);
    ok(hr == S_OK, "ON_DEMAND_MODE got %#lx\n", hr);
    IBackgroundCopyJob5_Release(job5);
    local_path(local, L"ondemand.bin");
    hr = IBackgroundCopyJob_AddFile(job, L"http://127.0.0.1/ondemand.bin", local);
    ok(hr == S_OK, "AddFile got %#lx\n", hr);
    if ((file = get_file(job, 0)))
    {
        hr = IBackgroundCopyFile_QueryInterface(file, &IID_IBackgroundCopyFile6, (void **)&file6);
        ok(hr == S_OK, "got %#lx\n", hr);
        if (hr == S_OK)
        {
            hr = IBackgroundCopyFile6_RequestFileRanges(file6, 2, ranges);
            ok(hr == S_OK, "RequestFileRanges got %#lx\n", hr);
            hr = IBackgroundCopyFile6_UpdateDownloadPosition(file6, 1000);
            ok(hr == S_OK, "UpdateDownloadPosition got %#lx\n", hr);
            IBackgroundCopyFile6_Release(file6);
        }
        IBackgroundCopyFile_Release(file);
    }
    cancel_job(job);
}

/* Byte arrays: the 20-byte certificate hash in (SetClientCertificateByID) and out
 * (GetClientCertificate). The certificate is made by the test in the user's MY store; the
 * store is closed (and so written) before the service looks for it. */
static BOOL make_certificate(BYTE hash[20])
{
    static const WCHAR subject[] = L"CN=wine-bits test certificate";
    CERT_NAME_BLOB blob = { 0 };
    PCCERT_CONTEXT cert = NULL;
    HCERTSTORE store;
    DWORD size = 20;
    BOOL ret = FALSE;

    if (!CertStrToNameW(X509_ASN_ENCODING, subject, CERT_X500_NAME_STR, NULL, NULL, &blob.cbData, NULL))
        return FALSE;
    blob.pbData = HeapAlloc(GetProcessHeap(), 0, blob.cbData);
    if (CertStrToNameW(X509_ASN_ENCODING, subject, CERT_X500_NAME_STR, NULL, blob.pbData, &blob.cbData, NULL))
        cert = CertCreateSelfSignCertificate(0, &blob, 0, NULL, NULL, NULL, NULL, NULL);
    HeapFree(GetProcessHeap(), 0, blob.pbData);
    if (!cert) return FALSE;
    if ((store = CertOpenStore(CERT_STORE_PROV_SYSTEM_W, 0, 0, CERT_SYSTEM_STORE_CURRENT_USER, L"MY")))
    {
        ret = CertAddCertificateContextToStore(store, cert, CERT_STORE_ADD_REPLACE_EXISTING, NULL)
              && CertGetCertificateContextProperty(cert, CERT_SHA1_HASH_PROP_ID, hash, &size);
        CertCloseStore(store, 0);
    }
    CertFreeCertificateContext(cert);
    return ret;
}

static void delete_certificate(const BYTE hash[20])
{
    CRYPT_HASH_BLOB blob = { 20, (BYTE *)hash };
    PCCERT_CONTEXT cert;
    HCERTSTORE store;

    if (!(store = CertOpenStore(CERT_STORE_PROV_SYSTEM_W, 0, 0, CERT_SYSTEM_STORE_CURRENT_USER, L"MY"))) return;
    if ((cert = CertFindCertificateInStore(store, X509_ASN_ENCODING, 0, CERT_FIND_SHA1_HASH, &blob, NULL)))
        CertDeleteCertificateFromStore(cert);
    CertCloseStore(store, 0);
}

static void test_byte_arrays(void)
{
    IBackgroundCopyJobHttpOptions *options;
    BG_CERT_STORE_LOCATION location;
    IBackgroundCopyJob *job;
    BYTE hash[20], unknown[20], *got;
    WCHAR *store, *subject;
    HRESULT hr;

    if (!make_certificate(hash))
    {
        skip("cannot make a test certificate: %lu\n", GetLastError());
        return;
    }

    if (!(job = create_job(L"byte arrays", BG_JOB_TYPE_DOWNLOAD))) goto done;
    hr = IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJobHttpOptions, (void **)&options);
    ok(hr == S_OK, "got %#lx\n", hr);
    if (hr == S_OK)
    {
        memset(unknown, 0x5a, sizeof(unknown));
        hr = IBackgroundCopyJobHttpOptions_SetClientCertificateByID(options, BG_CERT_STORE_LOCATION_CURRENT_USER,
                                                                    L"MY", unknown);
        ok(hr == CRYPT_E_NOT_FOUND, "unknown hash got %#lx\n", hr);
        hr = IBackgroundCopyJobHttpOptions_SetClientCertificateByID(options, BG_CERT_STORE_LOCATION_CURRENT_USER,
                                                                    L"MY", hash);
        ok(hr == S_OK, "SetClientCertificateByID got %#lx\n", hr);
        got = NULL;
        store = subject = NULL;
        location = 0xdead;
        hr = IBackgroundCopyJobHttpOptions_GetClientCertificate(options, &location, &store, &got, &subject);
        ok(hr == S_OK, "GetClientCertificate got %#lx\n", hr);
        if (hr == S_OK)
        {
            ok(location == BG_CERT_STORE_LOCATION_CURRENT_USER, "location %d\n", location);
            ok(store && !wcscmp(store, L"MY"), "store %s\n", wine_dbgstr_w(store));
            ok(got && !memcmp(got, hash, 20), "the hash differs\n");
            ok(!subject || !*subject, "subject %s\n", wine_dbgstr_w(subject));
        }
        CoTaskMemFree(store);
        CoTaskMemFree(got);
        CoTaskMemFree(subject);

        hr = IBackgroundCopyJobHttpOptions_RemoveClientCertificate(options);
        ok(hr == S_OK, "RemoveClientCertificate got %#lx\n", hr);
        IBackgroundCopyJobHttpOptions_Release(options);
    }
    cancel_job(job);
done:
    delete_certificate(hash);
}

START_TEST(job)
{
    if (start_manager())
    {
        test_job_interfaces();
        test_strings();
        test_interfaces_out();
        test_property_unions();
        test_range_arrays();
        test_byte_arrays();
    }
    stop_manager();
}

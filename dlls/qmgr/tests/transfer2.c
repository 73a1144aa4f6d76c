/*
 * More download conformance tests against the harness's loopback servers: proxies,
 * Digest authentication, redirect policies across HTTPS -> HTTP, client
 * certificates, HIGH_PERFORMANCE, servers that lose range support or change the file
 * mid-download, a trickling server and Complete during its transfer, and local errors
 * (missing directory, full disk). Skipped without the servers.
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
#include <stdio.h>
#include "bitsall.h"
#include "wine/test.h"
#include "bits_test.h"
#include "transfer_test.h"

static void set_proxy(IBackgroundCopyJob *job, BG_JOB_PROXY_USAGE usage, const WCHAR *list)
{
    HRESULT hr = IBackgroundCopyJob_SetProxySettings(job, usage, list, NULL);
    ok(hr == S_OK, "SetProxySettings(%d) got %#lx\n", usage, hr);
}

/* Run a download of 4k.bin and check where it went through; creds: the scheme of the proxy
 * credentials bits/secret, or 0. */
static void check_proxy_run(const WCHAR *name, BG_JOB_PROXY_USAGE usage, const char *proxy_port, BG_AUTH_SCHEME creds,
                            BG_JOB_STATE expect_state, HRESULT expect_code, const char *expect_server)
{
    WCHAR url[256], local[MAX_PATH], list[64];
    IBackgroundCopyJob *job;
    BG_JOB_STATE state;
    HRESULT code;
    char id[48];

    winetest_push_context("%ls", name);
    sprintf(id, "id=proxy%lu", GetTickCount());
    swprintf(url, ARRAY_SIZE(url), L"http://127.0.0.1:%hs/files/4k.bin?%hs", servers.fault_port, id);
    local_path(local, L"transfer2-proxy.bin");
    if ((job = create_download(name, url, local)))
    {
        /* By name: Wine's WinHTTP takes a proxy on the origin's host for no proxy at all. */
        swprintf(list, ARRAY_SIZE(list), L"localhost:%hs", proxy_port ? proxy_port : "1");
        set_proxy(job, usage, usage == BG_JOB_PROXY_USAGE_OVERRIDE ? list : NULL);
        if (creds)
            ok(set_credentials(job, BG_AUTH_TARGET_PROXY, creds, L"bits", L"secret") == S_OK,
               "SetCredentials failed\n");
        state = run_job(job, &code);
        ok(state == expect_state && code == expect_code, "state %d code %#lx\n", state, code);
        /* The origin always logs the request; a proxy adds its own line. */
        if (expect_server)
        {
            char server[32];
            sprintf(server, "\"server\":\"%s\"", expect_server);
            ok(request_log_count(server, id) >= 1, "no request through %s\n", expect_server);
        }
        else
            ok(!request_log_count("proxy\"", id), "the request went through a proxy\n");
        /* Digest: one challenge, answered once. */
        if (creds == BG_AUTH_SCHEME_DIGEST && state == BG_JOB_STATE_TRANSFERRED)
            ok(request_log_count("\"status\":407", id) == 1, "%u challenges\n", request_log_count("\"status\":407", id));
        if (state == BG_JOB_STATE_TRANSFERRED) ok(IBackgroundCopyJob_Complete(job) == S_OK, "Complete failed\n");
        else cancel_job(job), job = NULL;
        if (job) IBackgroundCopyJob_Release(job);
    }
    DeleteFileW(local);
    winetest_pop_context();
}

static void test_proxies(void)
{
    if (!servers.proxy_port[0] || !servers.authproxy_port[0])
    {
        skip("no test proxies\n");
        return;
    }
    check_proxy_run(L"override", BG_JOB_PROXY_USAGE_OVERRIDE, servers.proxy_port, 0,
                    BG_JOB_STATE_TRANSFERRED, S_OK, "proxy");
    check_proxy_run(L"authproxy without credentials", BG_JOB_PROXY_USAGE_OVERRIDE, servers.authproxy_port, 0,
                    BG_JOB_STATE_ERROR, 0x80190197, "authproxy");
    check_proxy_run(L"authproxy with credentials", BG_JOB_PROXY_USAGE_OVERRIDE, servers.authproxy_port,
                    BG_AUTH_SCHEME_BASIC, BG_JOB_STATE_TRANSFERRED, S_OK, "authproxy");
    check_proxy_run(L"no proxy", BG_JOB_PROXY_USAGE_NO_PROXY, NULL, 0, BG_JOB_STATE_TRANSFERRED, S_OK, NULL);
    /* No WPAD on loopback: autodetection finds nothing and the job goes direct. */
    check_proxy_run(L"autodetect", BG_JOB_PROXY_USAGE_AUTODETECT, NULL, 0, BG_JOB_STATE_TRANSFERRED, S_OK, NULL);
    /* The machine's WinHTTP settings name no proxy here. */
    check_proxy_run(L"preconfig", BG_JOB_PROXY_USAGE_PRECONFIG, NULL, 0, BG_JOB_STATE_TRANSFERRED, S_OK, NULL);
    if (!servers.digestproxy_port[0])
    {
        skip("no Digest proxy\n");
        return;
    }
    /* A proxy that asks for Digest: BG_E_HTTP_ERROR_407 without Digest credentials. */
    check_proxy_run(L"digestproxy without credentials", BG_JOB_PROXY_USAGE_OVERRIDE, servers.digestproxy_port, 0,
                    BG_JOB_STATE_ERROR, 0x80190197, "digestproxy");
    check_proxy_run(L"digestproxy with Basic", BG_JOB_PROXY_USAGE_OVERRIDE, servers.digestproxy_port,
                    BG_AUTH_SCHEME_BASIC, BG_JOB_STATE_ERROR, 0x80190197, "digestproxy");
    check_proxy_run(L"digestproxy with Digest", BG_JOB_PROXY_USAGE_OVERRIDE, servers.digestproxy_port,
                    BG_AUTH_SCHEME_DIGEST, BG_JOB_STATE_TRANSFERRED, S_OK, "digestproxy");
}

/* Complete a TRANSFERRED job and compare its file with the served one; cancel any other. */
static void finish_job(IBackgroundCopyJob *job, BG_JOB_STATE state, const WCHAR *local, const WCHAR *source)
{
    if (state != BG_JOB_STATE_TRANSFERRED)
    {
        cancel_job(job);
        return;
    }
    ok(IBackgroundCopyJob_Complete(job) == S_OK, "Complete failed\n");
    ok(files_equal(local, source), "the file differs\n");
    IBackgroundCopyJob_Release(job);
}

/* A download of url (a fault server path with "%hs" for a fresh id) with Digest credentials. */
static IBackgroundCopyJob *digest_job(const WCHAR *name, const WCHAR *format, BG_AUTH_SCHEME scheme,
                                      const WCHAR *password, WCHAR *local, char *id)
{
    IBackgroundCopyJob *job;
    WCHAR url[256], path[160];

    static unsigned int count;

    sprintf(id, "id=digest%lu-%ux", GetTickCount(), ++count);
    swprintf(path, ARRAY_SIZE(path), format, id);
    swprintf(url, ARRAY_SIZE(url), L"http://127.0.0.1:%hs%ls", servers.fault_port, path);
    if ((job = create_download(name, url, local)) && scheme)
        ok(set_credentials(job, BG_AUTH_TARGET_SERVER, scheme, L"bits", password) == S_OK, "SetCredentials failed\n");
    return job;
}

static unsigned int challenges(const char *id)
{
    return request_log_count("\"status\":401", id);
}

/* Digest for the server (Wine 8's WinHTTP has none: ours answers). */
static void test_digest(void)
{
    WCHAR local[MAX_PATH], source[MAX_PATH];
    IBackgroundCopyJob *job;
    BG_JOB_STATE state;
    HRESULT code;
    char id[48];

    local_path(local, L"transfer2-digest.bin");
    served_path(L"4k.bin", source);
    if ((job = digest_job(L"digest without credentials", L"/auth/digest/4k.bin?%hs", 0, NULL, local, id)))
    {
        state = run_job(job, &code);
        ok(state == BG_JOB_STATE_ERROR && code == 0x80190191, "without credentials: state %d code %#lx\n", state, code);
        cancel_job(job);
    }
    /* Basic credentials are not offered to a Digest challenge. */
    if ((job = digest_job(L"digest with basic", L"/auth/digest/4k.bin?%hs", BG_AUTH_SCHEME_BASIC, L"secret", local, id)))
    {
        state = run_job(job, &code);
        ok(state == BG_JOB_STATE_ERROR && code == 0x80190191, "Basic for Digest: state %d code %#lx\n", state, code);
        ok(!request_log_count("\"authorization\":\"Basic\"", id), "Basic credentials were sent\n");
        cancel_job(job);
    }
    /* Wrong credentials: the server's 401 is the job's fatal error. */
    if ((job = digest_job(L"digest wrong password", L"/auth/digest/4k.bin?%hs", BG_AUTH_SCHEME_DIGEST, L"wrong", local, id)))
    {
        state = run_job(job, &code);
        ok(state == BG_JOB_STATE_ERROR && code == 0x80190191, "wrong password: state %d code %#lx\n", state, code);
        ok(request_log_count("\"authorization\":\"Digest\"", id) == 1, "%u answers to the challenge\n",
           request_log_count("\"authorization\":\"Digest\"", id));
        cancel_job(job);
    }
    if ((job = digest_job(L"digest", L"/auth/digest/4k.bin?%hs", BG_AUTH_SCHEME_DIGEST, L"secret", local, id)))
    {
        state = run_job(job, &code);
        ok(state == BG_JOB_STATE_TRANSFERRED, "with credentials: state %d code %#lx\n", state, code);
        ok(challenges(id) == 1, "%u challenges\n", challenges(id));
        finish_job(job, state, local, source);
    }
    /* A second request of the session (after a redirect on the same server) answers the
     * nonce of the first one with nc 2, without a 401 first. */
    if ((job = digest_job(L"digest nonce reuse", L"/auth/digest/redirect/1/auth/digest/4k.bin?%hs",
                          BG_AUTH_SCHEME_DIGEST, L"secret", local, id)))
    {
        state = run_job(job, &code);
        ok(state == BG_JOB_STATE_TRANSFERRED, "nonce reuse: state %d code %#lx\n", state, code);
        ok(challenges(id) == 1, "%u challenges\n", challenges(id));
        ok(request_log_count("\"digest_nc\":\"00000002\"", id) == 1, "the nonce was not used again\n");
        cancel_job(job);
    }
    /* A nonce good for one request: the second request's answer is stale, the new nonce is
     * answered (not a credentials failure). */
    if ((job = digest_job(L"digest stale", L"/auth/digest/redirect/1/auth/digest/4k.bin?nonce-uses=1&%hs",
                          BG_AUTH_SCHEME_DIGEST, L"secret", local, id)))
    {
        state = run_job(job, &code);
        ok(state == BG_JOB_STATE_TRANSFERRED, "stale nonce: state %d code %#lx\n", state, code);
        ok(challenges(id) == 2, "%u challenges\n", challenges(id));
        finish_job(job, state, local, source);
    }
    /* A dropped connection: the Range request of the retry authenticates too. */
    served_path(L"1m.bin", source);
    if ((job = digest_job(L"digest resume", L"/auth/digest/drop/1m.bin?after=300000&times=1&%hs", BG_AUTH_SCHEME_DIGEST,
                          L"secret", local, id)))
    {
        IBackgroundCopyJob_Resume(job);
        state = wait_state(job, 1 << BG_JOB_STATE_TRANSIENT_ERROR | 1 << BG_JOB_STATE_ERROR
                           | 1 << BG_JOB_STATE_TRANSFERRED, 30000);
        ok(state == BG_JOB_STATE_TRANSIENT_ERROR, "after the drop: state %d\n", state);
        IBackgroundCopyJob_Resume(job);
        state = wait_state(job, 1 << BG_JOB_STATE_TRANSFERRED | 1 << BG_JOB_STATE_ERROR, 30000);
        ok(state == BG_JOB_STATE_TRANSFERRED, "resumed: state %d\n", state);
        ok(request_log_count("\"status\":206,\"range\":\"bytes=300000-\"", id) == 1, "no authenticated Range request\n");
        finish_job(job, state, local, source);
    }
    DeleteFileW(local);
}

#define IGNORE_CERT (BG_SSL_IGNORE_UNKNOWN_CA | BG_SSL_IGNORE_CERT_CN_INVALID | BG_SSL_IGNORE_CERT_WRONG_USAGE \
                     | BG_SSL_IGNORE_CERT_DATE_INVALID)

static void get_remote_name(IBackgroundCopyJob *job, WCHAR *out)
{
    IBackgroundCopyFile *file = get_file(job, 0);
    WCHAR *name = NULL;

    out[0] = 0;
    if (!file) return;
    if (SUCCEEDED(IBackgroundCopyFile_GetRemoteName(file, &name)) && name) lstrcpynW(out, name, 256);
    CoTaskMemFree(name);
    IBackgroundCopyFile_Release(file);
}

/* Each redirect policy for an HTTPS URL that redirects to plain HTTP, and
 * ALLOW_REPORT for a chain on plain HTTP. */
static void test_redirect_policies(void)
{
    static const struct { ULONG flags; BG_JOB_STATE state; BOOL reported; } tests[] =
    {
        { BG_HTTP_REDIRECT_POLICY_ALLOW_SILENT, BG_JOB_STATE_ERROR },
        { BG_HTTP_REDIRECT_POLICY_ALLOW_SILENT | BG_HTTP_REDIRECT_POLICY_ALLOW_HTTPS_TO_HTTP, BG_JOB_STATE_TRANSFERRED },
        { BG_HTTP_REDIRECT_POLICY_ALLOW_REPORT, BG_JOB_STATE_ERROR },
        { BG_HTTP_REDIRECT_POLICY_ALLOW_REPORT | BG_HTTP_REDIRECT_POLICY_ALLOW_HTTPS_TO_HTTP, BG_JOB_STATE_TRANSFERRED, TRUE },
        { BG_HTTP_REDIRECT_POLICY_DISALLOW, BG_JOB_STATE_ERROR },
        { BG_HTTP_REDIRECT_POLICY_DISALLOW | BG_HTTP_REDIRECT_POLICY_ALLOW_HTTPS_TO_HTTP, BG_JOB_STATE_ERROR },
    };
    WCHAR url[256], final[256], name[256], local[MAX_PATH], source[MAX_PATH];
    IBackgroundCopyJob *job;
    BG_ERROR_CONTEXT context;
    BG_JOB_STATE state;
    HRESULT code;
    unsigned int i;

    swprintf(url, ARRAY_SIZE(url), L"https://127.0.0.1:%hs/to-http/4k.bin", servers.https_port);
    swprintf(final, ARRAY_SIZE(final), L"http://127.0.0.1:%hs/4k.bin", servers.http_port);
    local_path(local, L"transfer2-redirect.bin");
    served_path(L"4k.bin", source);
    for (i = 0; i < ARRAY_SIZE(tests); i++)
    {
        winetest_push_context("flags %#lx", tests[i].flags);
        if ((job = create_download(L"https to http", url, local)))
        {
            set_security_flags(job, tests[i].flags | IGNORE_CERT);
            state = run_job_ex(job, &code, &context);
            ok(state == tests[i].state, "state %d code %#lx\n", state, code);
            if (state == BG_JOB_STATE_ERROR && tests[i].state == BG_JOB_STATE_ERROR)
                ok(code == HRESULT_FROM_WIN32(12156) /* ERROR_WINHTTP_REDIRECT_FAILED */ && context == BG_ERROR_CONTEXT_REMOTE_FILE,
                   "code %#lx context %d\n", code, context);
            get_remote_name(job, name);
            ok(!wcscmp(name, tests[i].reported ? final : url), "remote name %s\n", wine_dbgstr_w(name));
            finish_job(job, state, local, source);
        }
        winetest_pop_context();
    }

    /* ALLOW_REPORT on a chain: the remote name becomes the end of the chain. */
    swprintf(url, ARRAY_SIZE(url), L"http://127.0.0.1:%hs/redirect/2/4k.bin", servers.fault_port);
    swprintf(final, ARRAY_SIZE(final), L"http://127.0.0.1:%hs/files/4k.bin", servers.fault_port);
    if ((job = create_download(L"report", url, local)))
    {
        set_security_flags(job, BG_HTTP_REDIRECT_POLICY_ALLOW_REPORT);
        state = run_job(job, &code);
        ok(state == BG_JOB_STATE_TRANSFERRED, "report: state %d code %#lx\n", state, code);
        get_remote_name(job, name);
        ok(!wcscmp(name, final), "reported remote name %s\n", wine_dbgstr_w(name));
        cancel_job(job);
    }
    /* ALLOW_SILENT keeps the name. */
    if ((job = create_download(L"silent", url, local)))
    {
        state = run_job(job, &code);
        ok(state == BG_JOB_STATE_TRANSFERRED, "silent: state %d code %#lx\n", state, code);
        get_remote_name(job, name);
        ok(!wcscmp(name, url), "silent remote name %s\n", wine_dbgstr_w(name));
        cancel_job(job);
    }
    DeleteFileW(local);
}

/* Redirects that our code follows (Wine 8's WinHTTP does not switch from TLS to plain HTTP
 * on its own): the chain limit of WinHTTP, Locations that are absolute paths, and custom
 * headers and credentials kept along the chain. */
static void test_redirect_follow(void)
{
    IBackgroundCopyJobHttpOptions *options;
    WCHAR url[256], final[256], name[256], local[MAX_PATH], source[MAX_PATH];
    IBackgroundCopyJob *job;
    BG_ERROR_CONTEXT context;
    BG_JOB_STATE state;
    HRESULT code, hr;
    char id[48];

    local_path(local, L"transfer2-follow.bin");
    served_path(L"4k.bin", source);
    /* WinHTTP follows at most 10 redirects; this service gives up on the 11th too (Windows'
     * limit is not documented; keeping WinHTTP's is our choice). */
    swprintf(url, ARRAY_SIZE(url), L"http://127.0.0.1:%hs/redirect/10/4k.bin", servers.fault_port);
    if ((job = create_download(L"ten redirects", url, local)))
    {
        state = run_job(job, &code);
        ok(state == BG_JOB_STATE_TRANSFERRED, "10 redirects: state %d code %#lx\n", state, code);
        cancel_job(job);
    }
    swprintf(url, ARRAY_SIZE(url), L"http://127.0.0.1:%hs/redirect/11/4k.bin", servers.fault_port);
    if ((job = create_download(L"eleven redirects", url, local)))
    {
        state = run_job_ex(job, &code, &context);
        ok(state == BG_JOB_STATE_ERROR && code == HRESULT_FROM_WIN32(12156) && context == BG_ERROR_CONTEXT_REMOTE_FILE,
           "11 redirects: state %d code %#lx context %d\n", state, code, context);
        cancel_job(job);
    }

    /* Locations that are paths on the same server; ALLOW_REPORT reports the end (with the query). */
    sprintf(id, "id=follow%lu", GetTickCount());
    swprintf(url, ARRAY_SIZE(url), L"http://127.0.0.1:%hs/redirect/3/4k.bin?relative=1&%hs", servers.fault_port, id);
    swprintf(final, ARRAY_SIZE(final), L"http://127.0.0.1:%hs/files/4k.bin?relative=1&%hs", servers.fault_port, id);
    if ((job = create_download(L"relative", url, local)))
    {
        set_security_flags(job, BG_HTTP_REDIRECT_POLICY_ALLOW_REPORT);
        state = run_job(job, &code);
        ok(state == BG_JOB_STATE_TRANSFERRED, "relative: state %d code %#lx\n", state, code);
        get_remote_name(job, name);
        ok(!wcscmp(name, final), "reported remote name %s\n", wine_dbgstr_w(name));
        cancel_job(job);
    }

    /* 307 redirects to a Digest endpoint: the custom header and the credentials go along. */
    sprintf(id, "id=follow%lux", GetTickCount());
    swprintf(url, ARRAY_SIZE(url), L"http://127.0.0.1:%hs/redirect/2/auth/digest/4k.bin?code=307&%hs",
             servers.fault_port, id);
    if ((job = create_download(L"redirect to digest", url, local)))
    {
        hr = IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJobHttpOptions, (void **)&options);
        ok(hr == S_OK, "got %#lx\n", hr);
        if (hr == S_OK)
        {
            hr = IBackgroundCopyJobHttpOptions_SetCustomHeaders(options, L"X-Bits-Follow: 1\r\n");
            ok(hr == S_OK, "SetCustomHeaders got %#lx\n", hr);
            IBackgroundCopyJobHttpOptions_Release(options);
        }
        ok(set_credentials(job, BG_AUTH_TARGET_SERVER, BG_AUTH_SCHEME_DIGEST, L"bits", L"secret") == S_OK,
           "SetCredentials failed\n");
        state = run_job(job, &code);
        ok(state == BG_JOB_STATE_TRANSFERRED, "redirect to digest: state %d code %#lx\n", state, code);
        ok(request_log_count("\"target\":\"/auth/digest/4k.bin", "\"X-Bits-Follow\":\"1\"") >= 2,
           "the custom header did not reach the end of the chain\n");
        ok(request_log_count("\"method\":\"GET\",\"target\":\"/auth/digest/4k.bin", id) >= 1, "no GET at the end\n");
        finish_job(job, state, local, source);
    }
    DeleteFileW(local);
}

/* HIGH_PERFORMANCE writes straight into the destination: no BIT*.tmp. */
/* A destination out.bin in a directory of its own, made now (name under the temp directory). */
static void local_dir_path(WCHAR *dir, const WCHAR *name, WCHAR *local)
{
    local_path(dir, name);
    CreateDirectoryW(dir, NULL);
    swprintf(local, MAX_PATH, L"%ls\\out.bin", dir);
}

static void test_high_performance(void)
{
    WCHAR url[256], dir[MAX_PATH], local[MAX_PATH], source[MAX_PATH], pattern[MAX_PATH], *temp = NULL;
    BITS_JOB_PROPERTY_VALUE value;
    IBackgroundCopyFile3 *file3;
    IBackgroundCopyFile *file;
    IBackgroundCopyJob *job;
    WIN32_FIND_DATAW data;
    BG_JOB_STATE state;
    HANDLE find;
    HRESULT hr, code;

    local_dir_path(dir, L"transfer2-hp", local);
    swprintf(pattern, MAX_PATH, L"%ls\\BIT*.tmp", dir);
    swprintf(url, ARRAY_SIZE(url), L"http://127.0.0.1:%hs/1m.bin", servers.http_port);
    served_path(L"1m.bin", source);
    if (!(job = create_job(L"high performance", BG_JOB_TYPE_DOWNLOAD))) return;
    value.Enable = TRUE;
    hr = set_job_property(job, BITS_JOB_PROPERTY_HIGH_PERFORMANCE, value);
    ok(hr == S_OK, "HIGH_PERFORMANCE got %#lx\n", hr);
    hr = IBackgroundCopyJob_AddFile(job, url, local);
    ok(hr == S_OK, "AddFile got %#lx\n", hr);
    hr = set_job_property(job, BITS_JOB_PROPERTY_HIGH_PERFORMANCE, value);
    ok(hr == BG_E_READ_ONLY_PROPERTY_AFTER_ADDFILE, "after AddFile got %#lx\n", hr);
    state = run_job(job, &code);
    ok(state == BG_JOB_STATE_TRANSFERRED, "state %d code %#lx\n", state, code);
    /* Visible before Complete, and no temp file beside it. */
    ok(files_equal(local, source), "the destination does not hold the file before Complete\n");
    find = FindFirstFileW(pattern, &data);
    ok(find == INVALID_HANDLE_VALUE, "a temp file %s exists\n", find != INVALID_HANDLE_VALUE ? wine_dbgstr_w(data.cFileName) : "");
    if (find != INVALID_HANDLE_VALUE) FindClose(find);
    if ((file = get_file(job, 0)))
    {
        if (SUCCEEDED(IBackgroundCopyFile_QueryInterface(file, &IID_IBackgroundCopyFile3, (void **)&file3)))
        {
            hr = IBackgroundCopyFile3_GetTemporaryName(file3, &temp);
            ok(hr == S_OK && (!temp || !wcscmp(temp, local)), "GetTemporaryName got %#lx %s\n", hr, wine_dbgstr_w(temp));
            CoTaskMemFree(temp);
            IBackgroundCopyFile3_Release(file3);
        }
        IBackgroundCopyFile_Release(file);
    }
    hr = IBackgroundCopyJob_Complete(job);
    ok(hr == S_OK, "Complete got %#lx\n", hr);
    ok(files_equal(local, source), "the file differs after Complete\n");
    IBackgroundCopyJob_Release(job);
    DeleteFileW(local);
    RemoveDirectoryW(dir);
}

/* Client certificates: chosen from a system store of the caller, sent by WinHTTP;
 * a certificate that left the store before the transfer is a fatal CRYPT_E_NOT_FOUND. */
static PCCERT_CONTEXT import_client_cert(void)
{
    PCCERT_CONTEXT cert = NULL, added = NULL;
    HCERTSTORE pfx, my;
    CRYPT_DATA_BLOB blob;
    WCHAR path[MAX_PATH];
    HANDLE file;
    DWORD size;

    unix_to_dos(servers.client_pfx, path);
    file = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    if (file == INVALID_HANDLE_VALUE) return NULL;
    blob.cbData = GetFileSize(file, NULL);
    blob.pbData = HeapAlloc(GetProcessHeap(), 0, blob.cbData);
    ReadFile(file, blob.pbData, blob.cbData, &size, NULL);
    CloseHandle(file);
    if ((pfx = PFXImportCertStore(&blob, L"", CRYPT_USER_KEYSET | CRYPT_EXPORTABLE)))
    {
        cert = CertFindCertificateInStore(pfx, X509_ASN_ENCODING, 0, CERT_FIND_SUBJECT_STR_W, L"bits-client", NULL);
        if (cert && (my = CertOpenStore(CERT_STORE_PROV_SYSTEM_W, 0, 0, CERT_SYSTEM_STORE_CURRENT_USER, L"MY")))
        {
            CertAddCertificateContextToStore(my, cert, CERT_STORE_ADD_REPLACE_EXISTING, &added);
            /* The store stays open while added lives: write it to the registry now. */
            CertControlStore(my, 0, CERT_STORE_CTRL_COMMIT, NULL);
            CertCloseStore(my, 0);
        }
        if (cert) CertFreeCertificateContext(cert);
        CertCloseStore(pfx, 0);
    }
    HeapFree(GetProcessHeap(), 0, blob.pbData);
    return added;
}

/* Delete from MY and write the store back at once. */
static void delete_cert(PCCERT_CONTEXT cert)
{
    HCERTSTORE my = CertOpenStore(CERT_STORE_PROV_SYSTEM_W, 0, 0, CERT_SYSTEM_STORE_CURRENT_USER, L"MY");
    PCCERT_CONTEXT found;

    if (!my) return;
    found = CertFindCertificateInStore(my, X509_ASN_ENCODING, 0, CERT_FIND_EXISTING, cert, NULL);
    ok(found && CertDeleteCertificateFromStore(found), "cannot delete the certificate\n");
    CertControlStore(my, 0, CERT_STORE_CTRL_COMMIT, NULL);
    CertCloseStore(my, 0);
    CertFreeCertificateContext(cert);
}

static void test_client_certificate(void)
{
    IBackgroundCopyJobHttpOptions *options;
    WCHAR url[256], local[MAX_PATH];
    IBackgroundCopyJob *job;
    BG_ERROR_CONTEXT context;
    PCCERT_CONTEXT cert;
    BG_JOB_STATE state;
    BYTE hash[20];
    DWORD size = sizeof(hash);
    HRESULT hr, code;

    if (!servers.clientcert_port[0] || !servers.client_pfx[0])
    {
        skip("no client certificate server\n");
        return;
    }
    if (!(cert = import_client_cert()))
    {
        win_skip("cannot import the client certificate\n");
        return;
    }
    CertGetCertificateContextProperty(cert, CERT_HASH_PROP_ID, hash, &size);
    swprintf(url, ARRAY_SIZE(url), L"https://127.0.0.1:%hs/4k.bin", servers.clientcert_port);
    local_path(local, L"transfer2-cert.bin");

    /* Without a certificate the server refuses. */
    if ((job = create_download(L"no client cert", url, local)))
    {
        set_security_flags(job, IGNORE_CERT);
        state = run_job(job, &code);
        ok(state == BG_JOB_STATE_ERROR, "without a certificate: state %d code %#lx\n", state, code);
        cancel_job(job);
    }
    /* By subject name, then by hash. */
    if ((job = create_download(L"client cert", url, local)))
    {
        set_security_flags(job, IGNORE_CERT);
        IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJobHttpOptions, (void **)&options);
        hr = IBackgroundCopyJobHttpOptions_SetClientCertificateByName(options, BG_CERT_STORE_LOCATION_CURRENT_USER,
                                                                      L"MY", L"no such subject");
        ok(hr == CRYPT_E_NOT_FOUND, "unknown subject: got %#lx\n", hr);
        hr = IBackgroundCopyJobHttpOptions_SetClientCertificateByName(options, BG_CERT_STORE_LOCATION_CURRENT_USER,
                                                                      L"MY", L"bits-client");
        ok(hr == S_OK, "SetClientCertificateByName got %#lx\n", hr);
        state = run_job(job, &code);
        ok(state == BG_JOB_STATE_TRANSFERRED, "by name: state %d code %#lx\n", state, code);
        cancel_job(job);
        IBackgroundCopyJobHttpOptions_Release(options);
    }
    if ((job = create_download(L"client cert by hash", url, local)))
    {
        set_security_flags(job, IGNORE_CERT);
        IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJobHttpOptions, (void **)&options);
        hr = IBackgroundCopyJobHttpOptions_SetClientCertificateByID(options, BG_CERT_STORE_LOCATION_CURRENT_USER,
                                                                    L"MY", hash);
        ok(hr == S_OK, "SetClientCertificateByID got %#lx\n", hr);
        state = run_job(job, &code);
        ok(state == BG_JOB_STATE_TRANSFERRED, "by hash: state %d code %#lx\n", state, code);
        IBackgroundCopyJob_Suspend(job);

        /* The certificate leaves the store: the next attempt fails for good. */
        delete_cert(CertDuplicateCertificateContext(cert));
        hr = IBackgroundCopyJobHttpOptions_SetClientCertificateByID(options, BG_CERT_STORE_LOCATION_CURRENT_USER,
                                                                    L"MY", hash);
        ok(hr == CRYPT_E_NOT_FOUND, "deleted certificate: got %#lx\n", hr);
        IBackgroundCopyJobHttpOptions_Release(options);
        cancel_job(job);
    }
    if ((job = create_download(L"client cert gone", url, local)))
    {
        set_security_flags(job, IGNORE_CERT);
        cert = import_client_cert();
        IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJobHttpOptions, (void **)&options);
        hr = IBackgroundCopyJobHttpOptions_SetClientCertificateByID(options, BG_CERT_STORE_LOCATION_CURRENT_USER,
                                                                    L"MY", hash);
        ok(hr == S_OK, "SetClientCertificateByID got %#lx\n", hr);
        IBackgroundCopyJobHttpOptions_Release(options);
        if (cert) delete_cert(cert);
        cert = NULL;
        state = run_job_ex(job, &code, &context);
        ok(state == BG_JOB_STATE_ERROR && code == CRYPT_E_NOT_FOUND, "certificate gone: state %d code %#lx\n",
           state, code);
        ok(context == BG_ERROR_CONTEXT_GENERAL_TRANSPORT, "context %d\n", context);
        cancel_job(job);
    }
    if (cert) CertFreeCertificateContext(cert);
    DeleteFileW(local);
}

/* A server that stops honouring Range after a drop is fatal, and the bytes kept
 * from before are not mixed with a body that starts at 0. */
/* Point the job's first file at another URL (File2::SetRemoteName). */
static void set_remote_name(IBackgroundCopyJob *job, const WCHAR *url)
{
    IBackgroundCopyFile2 *file2;
    IBackgroundCopyFile *file;
    HRESULT hr;

    if (!(file = get_file(job, 0))) return;
    if (SUCCEEDED(IBackgroundCopyFile_QueryInterface(file, &IID_IBackgroundCopyFile2, (void **)&file2)))
    {
        hr = IBackgroundCopyFile2_SetRemoteName(file2, url);
        ok(hr == S_OK, "SetRemoteName got %#lx\n", hr);
        IBackgroundCopyFile2_Release(file2);
    }
    IBackgroundCopyFile_Release(file);
}

static void test_range_support_lost(void)
{
    WCHAR url[256], local[MAX_PATH];
    BG_JOB_PROGRESS progress;
    IBackgroundCopyJob *job;
    BG_JOB_STATE state;
    HRESULT code;

    swprintf(url, ARRAY_SIZE(url), L"http://127.0.0.1:%hs/drop/1m.bin?after=300000&times=1&id=norange%lu",
             servers.fault_port, GetTickCount());
    local_path(local, L"transfer2-norange.bin");
    if (!(job = create_download(L"range support lost", url, local))) return;
    state = run_job(job, &code);
    ok(state == BG_JOB_STATE_TRANSIENT_ERROR, "after the drop: state %d code %#lx\n", state, code);
    IBackgroundCopyJob_GetProgress(job, &progress);
    ok(progress.BytesTransferred == 300000, "kept %s bytes\n", wine_dbgstr_longlong(progress.BytesTransferred));
    IBackgroundCopyJob_Suspend(job);
    swprintf(url, ARRAY_SIZE(url), L"http://127.0.0.1:%hs/norange/1m.bin", servers.fault_port);
    set_remote_name(job, url);
    state = run_job(job, &code);
    ok(state == BG_JOB_STATE_ERROR && code == BG_E_INSUFFICIENT_RANGE_SUPPORT, "no ranges: state %d code %#lx\n",
       state, code);
    cancel_job(job);
}

/* A file whose Last-Modified changed since the bytes were kept restarts from 0. */
static void test_changed_file(void)
{
    WCHAR url[256], local[MAX_PATH], source[MAX_PATH];
    BG_JOB_PROGRESS progress;
    IBackgroundCopyJob *job;
    BG_JOB_STATE state;
    HANDLE handle;
    BYTE got[2], want[2];
    DWORD read;
    HRESULT code;
    char id[48];

    sprintf(id, "id=changing%lu", GetTickCount());
    swprintf(url, ARRAY_SIZE(url), L"http://127.0.0.1:%hs/drop/1m.bin?after=300000&times=1&%hs", servers.fault_port, id);
    local_path(local, L"transfer2-changing.bin");
    served_path(L"1m.bin", source);
    if (!(job = create_download(L"changing", url, local))) return;
    state = run_job(job, &code);
    ok(state == BG_JOB_STATE_TRANSIENT_ERROR, "after the drop: state %d code %#lx\n", state, code);
    IBackgroundCopyJob_Suspend(job);
    /* after=0: every request sees version 1 (new time, every byte XOR 1). */
    swprintf(url, ARRAY_SIZE(url), L"http://127.0.0.1:%hs/changing/1m.bin?after=0&%hs", servers.fault_port, id);
    set_remote_name(job, url);
    state = run_job(job, &code);
    ok(state == BG_JOB_STATE_TRANSFERRED, "changed file: state %d code %#lx\n", state, code);
    IBackgroundCopyJob_GetProgress(job, &progress);
    ok(progress.BytesTransferred == 1048576, "%s bytes\n", wine_dbgstr_longlong(progress.BytesTransferred));
    ok(request_log_count("\"range\":null", "changing/1m.bin") >= 1, "the changed file was not fetched from 0\n");
    ok(!request_log_count("\"range\":\"bytes=300000-\"", "changing/1m.bin"), "the changed file was resumed\n");
    ok(IBackgroundCopyJob_Complete(job) == S_OK, "Complete failed\n");
    /* The first bytes are the new version's, not the kept ones. */
    handle = CreateFileW(source, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    ReadFile(handle, want, 2, &read, NULL);
    CloseHandle(handle);
    handle = CreateFileW(local, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    memset(got, 0, sizeof(got));
    ReadFile(handle, got, 2, &read, NULL);
    CloseHandle(handle);
    ok(got[0] == (want[0] ^ 1) && got[1] == (want[1] ^ 1), "the start of the file is not the new version\n");
    IBackgroundCopyJob_Release(job);
    DeleteFileW(local);
}

/* A trickling server: progress shows partial counts and the job completes. */
static void test_slow(void)
{
    WCHAR url[256], local[MAX_PATH], source[MAX_PATH];
    BG_JOB_PROGRESS progress;
    IBackgroundCopyJob *job;
    BG_JOB_STATE state;
    BOOL partial = FALSE;
    DWORD start;

    swprintf(url, ARRAY_SIZE(url), L"http://127.0.0.1:%hs/slow/1m.bin?rate=262144", servers.fault_port);
    local_path(local, L"transfer2-slow.bin");
    served_path(L"1m.bin", source);
    if (!(job = create_download(L"slow", url, local))) return;
    IBackgroundCopyJob_Resume(job);
    start = GetTickCount();
    do
    {
        IBackgroundCopyJob_GetState(job, &state);
        IBackgroundCopyJob_GetProgress(job, &progress);
        if (progress.BytesTransferred && progress.BytesTransferred < 1048576) partial = TRUE;
        if (state == BG_JOB_STATE_TRANSFERRED || state == BG_JOB_STATE_ERROR || state == BG_JOB_STATE_TRANSIENT_ERROR) break;
        Sleep(100);
    } while (GetTickCount() - start < 60000);
    ok(state == BG_JOB_STATE_TRANSFERRED, "state %d\n", state);
    ok(partial, "no partial progress was seen while the server trickled\n");
    ok(IBackgroundCopyJob_Complete(job) == S_OK, "Complete failed\n");
    ok(files_equal(local, source), "the file differs\n");
    IBackgroundCopyJob_Release(job);
    DeleteFileW(local);
}

/* Complete while a file is still coming stops its transfer: that file is given up
 * (BG_S_PARTIAL_COMPLETE), and its temp file is gone when Complete returns. */
static void test_complete_while_transferring(void)
{
    WCHAR url[256], dir[MAX_PATH], local[MAX_PATH], pattern[MAX_PATH];
    BG_JOB_PROGRESS progress;
    IBackgroundCopyJob *job;
    WIN32_FIND_DATAW data;
    BG_JOB_STATE state;
    HANDLE find;
    DWORD start;
    HRESULT hr;

    local_dir_path(dir, L"transfer2-completing", local);
    swprintf(pattern, MAX_PATH, L"%ls\\*", dir);
    swprintf(url, ARRAY_SIZE(url), L"http://127.0.0.1:%hs/slow/1m.bin?rate=131072", servers.fault_port);
    if (!(job = create_download(L"completing", url, local))) return;
    IBackgroundCopyJob_Resume(job);
    start = GetTickCount();
    do
    {
        Sleep(50);
        IBackgroundCopyJob_GetState(job, &state);
        IBackgroundCopyJob_GetProgress(job, &progress);
    } while (!progress.BytesTransferred && state != BG_JOB_STATE_ERROR && GetTickCount() - start < 30000);
    ok(state == BG_JOB_STATE_TRANSFERRING && progress.BytesTransferred && progress.BytesTransferred < 1048576,
       "state %d, %s bytes\n", state, wine_dbgstr_longlong(progress.BytesTransferred));
    hr = IBackgroundCopyJob_Complete(job);
    ok(hr == BG_S_PARTIAL_COMPLETE, "Complete got %#lx\n", hr);
    ok(GetFileAttributesW(local) == INVALID_FILE_ATTRIBUTES, "the unfinished file was kept\n");
    find = FindFirstFileW(pattern, &data);
    if (find != INVALID_HANDLE_VALUE)
    {
        do ok(data.cFileName[0] == '.', "%s is left\n", wine_dbgstr_w(data.cFileName));
        while (FindNextFileW(find, &data));
        FindClose(find);
    }
    hr = IBackgroundCopyJob_GetState(job, &state);
    ok(hr == S_OK && state == BG_JOB_STATE_ACKNOWLEDGED, "GetState got %#lx, state %d\n", hr, state);
    IBackgroundCopyJob_Release(job);
    ok(RemoveDirectoryW(dir), "the directory is not empty: %lu\n", GetLastError());
}

/* The destination directory vanished after AddFile: ERROR in LOCAL_FILE context. */
static void test_missing_directory(void)
{
    WCHAR url[256], dir[MAX_PATH], local[MAX_PATH];
    IBackgroundCopyJob *job;
    BG_ERROR_CONTEXT context;
    BG_JOB_STATE state;
    HRESULT code;

    local_dir_path(dir, L"transfer2-gone", local);
    swprintf(url, ARRAY_SIZE(url), L"http://127.0.0.1:%hs/4k.bin", servers.http_port);
    if (!(job = create_download(L"gone", url, local))) return;
    ok(RemoveDirectoryW(dir), "cannot remove %s\n", wine_dbgstr_w(dir));
    state = run_job_ex(job, &code, &context);
    ok(state == BG_JOB_STATE_ERROR, "state %d\n", state);
    ok(FAILED(code) && context == BG_ERROR_CONTEXT_LOCAL_FILE, "code %#lx context %d\n", code, context);
    cancel_job(job);
}

/* A full disk is an ERROR in LOCAL_FILE context. The harness mounts a small tmpfs
 * when it runs as root (BITS_SMALL_DISK, its Unix path). */
static void test_full_disk(void)
{
    WCHAR url[256], local[MAX_PATH];
    IBackgroundCopyJob *job;
    BG_ERROR_CONTEXT context;
    BG_JOB_STATE state;
    char small[MAX_PATH];
    HRESULT code;

    if (!get_env("BITS_SMALL_DISK", small, sizeof(small)))
    {
        skip("no small volume (the harness mounts one only as root)\n");
        return;
    }
    unix_to_dos(small, local);
    lstrcatW(local, L"\\full.bin");
    swprintf(url, ARRAY_SIZE(url), L"http://127.0.0.1:%hs/1m.bin", servers.http_port);
    if (!(job = create_download(L"full disk", url, local))) return;
    state = run_job_ex(job, &code, &context);
    ok(state == BG_JOB_STATE_ERROR, "state %d\n", state);
    ok(code == HRESULT_FROM_WIN32(ERROR_DISK_FULL) || code == HRESULT_FROM_WIN32(ERROR_HANDLE_DISK_FULL),
       "code %#lx\n", code);
    ok(context == BG_ERROR_CONTEXT_LOCAL_FILE, "context %d\n", context);
    cancel_job(job);
}

START_TEST(transfer2)
{
    HRESULT hr;

    if (!servers_init())
    {
        skip("the test servers are not running (tests/run.sh starts them)\n");
        return;
    }
    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    GetTempPathW(ARRAY_SIZE(temp_dir), temp_dir);
    hr = CoCreateInstance(&CLSID_BackgroundCopyManager, NULL, CLSCTX_LOCAL_SERVER, &IID_IBackgroundCopyManager,
                          (void **)&manager);
    ok(hr == S_OK, "CoCreateInstance got %#lx\n", hr);
    if (hr == S_OK)
    {
        test_proxies();
        test_digest();
        test_redirect_policies();
        test_redirect_follow();
        test_high_performance();
        test_client_certificate();
        test_range_support_lost();
        test_changed_file();
        test_slow();
        test_complete_while_transferring();
        test_missing_directory();
        test_full_disk();
        IBackgroundCopyManager_Release(manager);
    }
    CoUninitialize();
}

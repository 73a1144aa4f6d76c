/*
 * transfer_test.h: helpers shared by the tests that move bytes through the harness's loopback
 * servers (tests/servers): the servers' BITS_* environment, jobs run to a resting state, and
 * comparisons with the served files and the fault server's request log.
 * Include after wine/test.h and bits_test.h; includes server_test.h.
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

#ifndef __TRANSFER_TEST_H
#define __TRANSFER_TEST_H

#include "server_test.h"

static struct
{
    char http_port[16], https_port[16], fault_port[16], clientcert_port[16], proxy_port[16], authproxy_port[16];
    char digestproxy_port[16];
    char data_dir[MAX_PATH], request_log[MAX_PATH], client_pfx[MAX_PATH];
} servers __attribute__((unused));

/* FALSE when the harness did not start the servers. */
static inline BOOL servers_init(void)
{
    get_env("BITS_HTTPS_CLIENTCERT_PORT", servers.clientcert_port, sizeof(servers.clientcert_port));
    get_env("BITS_PROXY_PORT", servers.proxy_port, sizeof(servers.proxy_port));
    get_env("BITS_AUTHPROXY_PORT", servers.authproxy_port, sizeof(servers.authproxy_port));
    get_env("BITS_DIGESTPROXY_PORT", servers.digestproxy_port, sizeof(servers.digestproxy_port));
    get_env("BITS_CLIENT_PFX", servers.client_pfx, sizeof(servers.client_pfx));
    return get_env("BITS_HTTP_PORT", servers.http_port, sizeof(servers.http_port))
           && get_env("BITS_FAULT_PORT", servers.fault_port, sizeof(servers.fault_port))
           && get_env("BITS_HTTPS_PORT", servers.https_port, sizeof(servers.https_port))
           && get_env("BITS_DATA_DIR", servers.data_dir, sizeof(servers.data_dir))
           && get_env("BITS_REQUEST_LOG", servers.request_log, sizeof(servers.request_log));
}

/* The served copy of a data file. */
static inline void served_path(const WCHAR *name, WCHAR *out)
{
    unix_to_dos(servers.data_dir, out);
    lstrcatW(out, L"\\");
    lstrcatW(out, name);
}

static inline IBackgroundCopyJob *create_download(const WCHAR *name, const WCHAR *url, const WCHAR *local)
{
    IBackgroundCopyJob *job;
    HRESULT hr;

    if (!(job = create_job(name, BG_JOB_TYPE_DOWNLOAD))) return NULL;
    DeleteFileW(local);
    hr = IBackgroundCopyJob_AddFile(job, url, local);
    ok(hr == S_OK, "AddFile %s got %#lx\n", wine_dbgstr_w(url), hr);
    return job;
}

#define RESTING_STATES (1 << BG_JOB_STATE_TRANSFERRED | 1 << BG_JOB_STATE_ERROR | 1 << BG_JOB_STATE_TRANSIENT_ERROR \
                        | 1 << BG_JOB_STATE_SUSPENDED)

/* Resume a job and wait for TRANSFERRED, (TRANSIENT_)ERROR or SUSPENDED; the error's code and
 * context are returned when there is one. */
static inline BG_JOB_STATE run_job_ex(IBackgroundCopyJob *job, HRESULT *code, BG_ERROR_CONTEXT *context)
{
    IBackgroundCopyError *error;
    BG_ERROR_CONTEXT ctx = BG_ERROR_CONTEXT_NONE;
    BG_JOB_STATE state;

    *code = S_OK;
    IBackgroundCopyJob_Resume(job);
    state = wait_state(job, RESTING_STATES & ~(1 << BG_JOB_STATE_SUSPENDED), 60000);
    if (SUCCEEDED(IBackgroundCopyJob_GetError(job, &error)))
    {
        IBackgroundCopyError_GetError(error, &ctx, code);
        IBackgroundCopyError_Release(error);
    }
    if (context) *context = ctx;
    return state;
}

static inline BG_JOB_STATE run_job(IBackgroundCopyJob *job, HRESULT *code)
{
    return run_job_ex(job, code, NULL);
}

static inline void set_security_flags(IBackgroundCopyJob *job, ULONG flags)
{
    IBackgroundCopyJobHttpOptions *options;

    if (FAILED(IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJobHttpOptions, (void **)&options))) return;
    ok(IBackgroundCopyJobHttpOptions_SetSecurityFlags(options, flags) == S_OK, "SetSecurityFlags failed\n");
    IBackgroundCopyJobHttpOptions_Release(options);
}

static inline HRESULT set_job_property(IBackgroundCopyJob *job, BITS_JOB_PROPERTY_ID id, BITS_JOB_PROPERTY_VALUE value)
{
    IBackgroundCopyJob5 *job5;
    HRESULT hr;

    if (FAILED(hr = IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJob5, (void **)&job5))) return hr;
    hr = IBackgroundCopyJob5_SetProperty(job5, id, value);
    IBackgroundCopyJob5_Release(job5);
    return hr;
}

static inline HRESULT set_credentials(IBackgroundCopyJob *job, BG_AUTH_TARGET target, BG_AUTH_SCHEME scheme,
                                      const WCHAR *user, const WCHAR *password)
{
    IBackgroundCopyJob2 *job2;
    BG_AUTH_CREDENTIALS cred;
    HRESULT hr;

    if (FAILED(hr = IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJob2, (void **)&job2))) return hr;
    cred.Target = target;
    cred.Scheme = scheme;
    cred.Credentials.Basic.UserName = (WCHAR *)user;
    cred.Credentials.Basic.Password = (WCHAR *)password;
    hr = IBackgroundCopyJob2_SetCredentials(job2, &cred);
    IBackgroundCopyJob2_Release(job2);
    return hr;
}

/* After Complete: a published file holds exactly the server's true bytes (the file truth), or
 * it does not exist. Never a mix of versions, a cut body or bytes of another range. */
#define check_published(local, truth) check_published_(__FILE__, __LINE__, local, truth)
static inline void check_published_(const char *file, int line, const WCHAR *local, const WCHAR *truth)
{
    BOOL exists = GetFileAttributesW(local) != INVALID_FILE_ATTRIBUTES;

    ok_(file, line)(!exists || files_equal(local, truth), "%s was published with other bytes than %s\n",
                    wine_dbgstr_w(local), wine_dbgstr_w(truth));
}

/* The fault server's request log (and the proxies'), NUL-terminated; HeapFree it. */
static inline char *read_request_log(void)
{
    return read_log(servers.request_log);
}

/* Does the request log contain this text? */
static inline BOOL request_log_contains(const char *text)
{
    char *log = read_request_log();
    BOOL found = log && strstr(log, text) != NULL;

    HeapFree(GetProcessHeap(), 0, log);
    return found;
}

/* How many log lines contain all of the (up to two) texts? */
static inline unsigned int request_log_count(const char *text, const char *text2)
{
    char *log = read_request_log(), *line, *next;
    unsigned int count = 0;

    for (line = log; line && *line; line = next)
    {
        if ((next = strchr(line, '\n'))) *next++ = 0;
        else next = line + strlen(line);
        if (strstr(line, text) && (!text2 || strstr(line, text2))) count++;
    }
    HeapFree(GetProcessHeap(), 0, log);
    return count;
}

#endif /* __TRANSFER_TEST_H */

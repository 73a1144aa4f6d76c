/*
 * http.c: downloads one file over HTTP or HTTPS with WinHTTP, and the WinHTTP
 * session that downloads and uploads (upload.c) share (http.h): the job's proxy, credentials,
 * security flags, redirect policy and custom headers applied to every request. Redirects are
 * followed here on new requests (not by WinHTTP), and Digest challenges answered through
 * digest.c (Wine 8's WinHTTP has no Digest).
 * Owns: the WinHTTP handles of one transfer. Size and time come from HEAD; the body comes
 * from GET, with a Range request to continue after the bytes already in the temp file.
 * HTTP statuses of 400 and more become BG_E_HTTP_ERROR_nnn; their bodies are never saved.
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
#include "http.h"
#include "ieproxy.h"
#include "digest.h"
#include <sddl.h>

BITS_DEFAULT_DEBUG_CHANNEL(qmgr);


BOOL is_http_url(const WCHAR *url)
{
    return !wcsnicmp(url, L"http://", 7) || !wcsnicmp(url, L"https://", 8);
}

struct http_session
{
    HINTERNET session, connection;
    HANDLE abort;                      /* the job's abort event: cuts waits short (httpwait.c) */
    URL_COMPONENTSW url;
    WCHAR host[256];
    WCHAR *path;                       /* path and query */
    /* job settings copied at the start */
    WCHAR *headers;
    ULONG security_flags;
    WCHAR *method;
    struct bits_credential creds[2][5];                 /* [target][scheme - 1], as the job's */
    PCCERT_CONTEXT cert;               /* the job's client certificate, or NULL */
    WCHAR *final_url;                  /* ALLOW_REPORT: where the last redirect led */
    WCHAR *remote;                     /* the URL asked for */
    /* Digest (digest.c): the last challenge of the server (for digest_host:digest_port only)
     * and of the proxy, answered again on later requests with the next nonce count. */
    struct digest_auth digest[2];
    WCHAR digest_host[256];
    INTERNET_PORT digest_port;
    HINTERNET hop;                     /* the connection of the last redirect followed, or NULL */
    void (*meanwhile)(void *);         /* runs once while the next request is answered */
    void *meanwhile_context;
    struct http_timeouts timeouts;
};

/* WinHTTP's documented defaults (resolve: none; connect 60 s, send and receive 30 s, the whole
 * response header 90 s); BITS documents no others. HKLM\Software\Wine\BITS may set each in
 * milliseconds (REG_DWORD ResolveTimeout, ConnectTimeout, SendTimeout, ReceiveTimeout,
 * ReceiveResponseTimeout; 0 means no limit), read when a transfer opens its session: the tests
 * of silent servers use a few seconds instead of minutes, and an administrator may need longer
 * ones on a slow link, as WinHttpSetTimeouts allows any program. */
static void read_timeouts(struct http_timeouts *timeouts)
{
    static const WCHAR *names[] =
        { L"ResolveTimeout", L"ConnectTimeout", L"SendTimeout", L"ReceiveTimeout", L"ReceiveResponseTimeout" };
    DWORD *values[] = { &timeouts->resolve, &timeouts->connect, &timeouts->send, &timeouts->receive,
                        &timeouts->response };
    unsigned int i;
    DWORD value, size;
    HKEY key;

    timeouts->resolve = 0;
    timeouts->connect = 60000;
    timeouts->send = 30000;
    timeouts->receive = 30000;
    timeouts->response = 90000;
    if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, L"Software\\Wine\\BITS", 0, KEY_QUERY_VALUE, &key)) return;
    for (i = 0; i < ARRAYSIZE(names); i++)
    {
        size = sizeof(value);
        if (!RegQueryValueExW(key, names[i], NULL, NULL, (BYTE *)&value, &size) && size == sizeof(value))
            *values[i] = value;
    }
    RegCloseKey(key);
    TRACE("timeouts %lu %lu %lu %lu %lu\n", timeouts->resolve, timeouts->connect, timeouts->send,
          timeouts->receive, timeouts->response);
}

/* Transient or fatal, for an HTTP status: 408 and 5xx but 501/505 are worth a retry (BITS' table
 * for server applications; BITS documents downloads only by example, so reusing it is our choice). */
void http_status_error(DWORD status, struct transfer_error *error)
{
    transfer_error_set(error, MAKE_HRESULT(SEVERITY_ERROR, 0x19, status), BG_ERROR_CONTEXT_REMOTE_FILE,
                       status == 408 || (status >= 500 && status != 501 && status != 505));
}

void http_winhttp_error(struct transfer_error *error)
{
    DWORD err = GetLastError();
    BOOL transient;

    /* Wine's WinHTTP passes a socket's receive timeout on as the Winsock code; WinHTTP's own
     * is ERROR_WINHTTP_TIMEOUT, which is what Windows reports. */
    if (err == WSAETIMEDOUT) err = ERROR_WINHTTP_TIMEOUT;

    /* Name resolution, connection, timeouts and resets are transient, as BITS documents; a bad URL
     * or a certificate problem is not. */
    switch (err)
    {
    case ERROR_WINHTTP_INVALID_URL:
    case ERROR_WINHTTP_UNRECOGNIZED_SCHEME:
    case ERROR_WINHTTP_SECURE_FAILURE:
    case ERROR_WINHTTP_SECURE_CHANNEL_ERROR:        /* Wine reports a rejected certificate so */
    case ERROR_WINHTTP_SECURE_INVALID_CA:
    case ERROR_WINHTTP_SECURE_CERT_CN_INVALID:
    case ERROR_WINHTTP_SECURE_CERT_DATE_INVALID:
    case ERROR_WINHTTP_SECURE_INVALID_CERT:
    case ERROR_WINHTTP_SECURE_CERT_REVOKED:
    case ERROR_WINHTTP_SECURE_CERT_WRONG_USAGE:
    case ERROR_WINHTTP_REDIRECT_FAILED:
    case ERROR_WINHTTP_CLIENT_AUTH_CERT_NEEDED:
        transient = FALSE;
        break;
    default:
        transient = TRUE;
        break;
    }
    transfer_error_set(error, HRESULT_FROM_WIN32(err), BG_ERROR_CONTEXT_REMOTE_FILE, transient);
}

/* A failure of transfer_set_size or transfer_check_size: the job's MAX_DOWNLOAD_SIZE is
 * exceeded. Fatal, in the remote file's context: our choice, since Windows documents only the code. */
static HRESULT size_error(HRESULT hr, struct transfer_error *error)
{
    if (FAILED(hr))
    {
        transfer_error_set(error, hr, BG_ERROR_CONTEXT_REMOTE_FILE, FALSE);
    }
    return hr;
}

static void local_error(HRESULT hr, struct transfer_error *error)
{
    transfer_error_set(error, hr, BG_ERROR_CONTEXT_LOCAL_FILE, FALSE);
}

void http_close(struct http_session *req)
{
    unsigned int i, j;

    if (req->cert) CertFreeCertificateContext(req->cert);
    heap_free(req->final_url);
    heap_free(req->remote);
    if (req->hop) WinHttpCloseHandle(req->hop);
    if (req->connection) WinHttpCloseHandle(req->connection);
    if (req->session) WinHttpCloseHandle(req->session);
    heap_free(req->path);
    heap_free(req->headers);
    heap_free(req->method);
    for (i = 0; i < 2; i++)
    {
        digest_clear(&req->digest[i]);
        for (j = 0; j < 5; j++)
        {
            struct bits_credential *cred = &req->creds[i][j];
            if (cred->password) SecureZeroMemory(cred->password, lstrlenW(cred->password) * sizeof(WCHAR));
            heap_free(cred->user);
            heap_free(cred->password);
        }
    }
    heap_free(req);
}

/* A client certificate in a system store: S_OK, HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND)
 * when the store does not exist, CRYPT_E_NOT_FOUND when the certificate is not in it. Also used
 * by SetClientCertificateByID/ByName. */
HRESULT client_cert_find(BG_CERT_STORE_LOCATION location, const WCHAR *store_name, const BYTE *hash,
                         const WCHAR *subject, PCCERT_CONTEXT *cert)
{
    static const DWORD locations[] =
    {
        CERT_SYSTEM_STORE_CURRENT_USER, CERT_SYSTEM_STORE_LOCAL_MACHINE, CERT_SYSTEM_STORE_CURRENT_SERVICE,
        CERT_SYSTEM_STORE_SERVICES, CERT_SYSTEM_STORE_USERS, CERT_SYSTEM_STORE_CURRENT_USER_GROUP_POLICY,
        CERT_SYSTEM_STORE_LOCAL_MACHINE_GROUP_POLICY, CERT_SYSTEM_STORE_LOCAL_MACHINE_ENTERPRISE,
    };
    CRYPT_HASH_BLOB blob;
    HCERTSTORE store;

    *cert = NULL;
    if (!(store = CertOpenStore(CERT_STORE_PROV_SYSTEM_W, 0, 0, locations[location] | CERT_STORE_OPEN_EXISTING_FLAG
                                | CERT_STORE_READONLY_FLAG, store_name)))
        return HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND);
    if (hash)
    {
        blob.cbData = 20;
        blob.pbData = (BYTE *)hash;
        *cert = CertFindCertificateInStore(store, X509_ASN_ENCODING | PKCS_7_ASN_ENCODING, 0, CERT_FIND_SHA1_HASH,
                                           &blob, NULL);
    }
    else
        *cert = CertFindCertificateInStore(store, X509_ASN_ENCODING | PKCS_7_ASN_ENCODING, 0, CERT_FIND_SUBJECT_STR_W,
                                           subject, NULL);
    CertCloseStore(store, 0);
    return *cert ? S_OK : CRYPT_E_NOT_FOUND;
}

/* One proxy lookup (auto-detection, an autoconfig script). It runs on a thread of the pool, as
 * WinHttpGetProxyForUrl is synchronous and a script may come from a server that never answers:
 * a Suspend or Cancel does not wait for it. The last of the worker and the lookup frees it. */
struct proxy_lookup
{
    LONG refs;
    HANDLE done;                       /* manual-reset: the lookup is over */
    WCHAR *url;
    WCHAR *config_url;
    BOOL detect_wpad;
    BOOL found;
    WINHTTP_PROXY_INFO info;
};

static void lookup_release(struct proxy_lookup *lookup)
{
    if (InterlockedDecrement(&lookup->refs)) return;
    CloseHandle(lookup->done);
    GlobalFree(lookup->info.lpszProxy);
    GlobalFree(lookup->info.lpszProxyBypass);
    heap_free(lookup->url);
    heap_free(lookup->config_url);
    heap_free(lookup);
}

static DWORD CALLBACK lookup_proc(void *arg)
{
    struct proxy_lookup *lookup = arg;
    WINHTTP_AUTOPROXY_OPTIONS options = { 0 };
    HINTERNET detect;

    if (lookup->detect_wpad)
    {
        options.dwFlags = WINHTTP_AUTOPROXY_AUTO_DETECT;
        options.dwAutoDetectFlags = WINHTTP_AUTO_DETECT_TYPE_DHCP | WINHTTP_AUTO_DETECT_TYPE_DNS_A;
    }
    if (lookup->config_url)
    {
        options.dwFlags |= WINHTTP_AUTOPROXY_CONFIG_URL;
        options.lpszAutoConfigUrl = lookup->config_url;
    }
    options.fAutoLogonIfChallenged = TRUE;
    /* The transfer's session is asynchronous (httpwait.c); the lookup has a synchronous one. */
    if ((detect = WinHttpOpen(L"Microsoft BITS/7.8", WINHTTP_ACCESS_TYPE_NO_PROXY, WINHTTP_NO_PROXY_NAME,
                              WINHTTP_NO_PROXY_BYPASS, 0)))
    {
        lookup->found = WinHttpGetProxyForUrl(detect, lookup->url, &options, &lookup->info);
        if (!lookup->found) TRACE("no proxy detected (%lu): direct\n", GetLastError());
        WinHttpCloseHandle(detect);
    }
    SetEvent(lookup->done);
    lookup_release(lookup);
    return 0;
}

/* AUTODETECT: WinHTTP's WPAD discovery, and for the IE settings of a service account
 * also an autoconfig script (config_url); when they find nothing the session keeps its proxy
 * (direct, or the account's manual proxy). The job's abort event ends the wait at once. */
static void auto_proxy(HINTERNET session, const WCHAR *url, BOOL detect_wpad, const WCHAR *config_url, HANDLE abort)
{
    HANDLE handles[2];
    struct proxy_lookup *lookup;

    if (!detect_wpad && !config_url) return;
    if (!(lookup = heap_alloc_zero(sizeof(*lookup)))) return;
    lookup->refs = 2;
    lookup->detect_wpad = detect_wpad;
    if (!(lookup->done = CreateEventW(NULL, TRUE, FALSE, NULL)) || !(lookup->url = heap_strdupW(url))
        || (config_url && !(lookup->config_url = heap_strdupW(config_url)))
        || !QueueUserWorkItem(lookup_proc, lookup, WT_EXECUTELONGFUNCTION))
    {
        lookup->refs = 1;
        lookup_release(lookup);
        return;
    }
    handles[0] = lookup->done;
    handles[1] = abort;
    if (WaitForMultipleObjects(abort ? 2 : 1, handles, FALSE, INFINITE) != WAIT_OBJECT_0)
        TRACE("proxy lookup abandoned\n");
    else if (lookup->found)
    {
        TRACE("autodetected proxy %s\n", debugstr_w(lookup->info.lpszProxy));
        if (lookup->info.dwAccessType == WINHTTP_ACCESS_TYPE_NAMED_PROXY)
            WinHttpSetOption(session, WINHTTP_OPTION_PROXY, &lookup->info, sizeof(lookup->info));
    }
    lookup_release(lookup);
}

/* The host, port, scheme and request target (path and query, at least "/") of an http(s) URL. */
static HRESULT crack_url(const WCHAR *url, URL_COMPONENTSW *parts, WCHAR *host, DWORD host_size, WCHAR **path,
                         struct transfer_error *error)
{
    *path = NULL;
    memset(parts, 0, sizeof(*parts));
    parts->dwStructSize = sizeof(*parts);
    parts->lpszHostName = host;
    parts->dwHostNameLength = host_size;
    parts->dwUrlPathLength = (DWORD)-1;
    parts->dwExtraInfoLength = (DWORD)-1;
    if (!WinHttpCrackUrl(url, 0, 0, parts))
    {
        http_winhttp_error(error);
        error->transient = FALSE;
        return error->code;
    }
    if (!(*path = heap_alloc_zero((parts->dwUrlPathLength + parts->dwExtraInfoLength + 2) * sizeof(WCHAR))))
        return E_OUTOFMEMORY;
    memcpy(*path, parts->lpszUrlPath, parts->dwUrlPathLength * sizeof(WCHAR));
    if (!parts->dwUrlPathLength) (*path)[0] = '/';
    lstrcatW(*path, parts->lpszExtraInfo ? parts->lpszExtraInfo : L"");
    if (!parts->dwUrlPathLength && parts->dwExtraInfoLength) (*path)[0] = '/';
    return S_OK;
}

/* (Re)connect the session to the host of url; the path and query become the request target. */
HRESULT http_connect(struct http_session *req, const WCHAR *url, struct transfer_error *error)
{
    HRESULT hr;

    if (req->connection) WinHttpCloseHandle(req->connection);
    req->connection = NULL;
    heap_free(req->path);
    req->path = NULL;
    heap_free(req->remote);
    if (!(req->remote = heap_strdupW(url))) return E_OUTOFMEMORY;
    if (FAILED(hr = crack_url(url, &req->url, req->host, ARRAYSIZE(req->host), &req->path, error))) return hr;
    if (!(req->connection = WinHttpConnect(req->session, req->host, req->url.nPort, 0)))
    {
        http_winhttp_error(error);
        return error->code;
    }
    return S_OK;
}

/* PRECONFIG for a job of LocalSystem, NetworkService or LocalService: the IE settings stored for
 * that account (ieproxy.c, `bitsadmin /util /setieproxy`), in IE's order: auto-detection, the
 * autoconfig script, then the manual proxy, else direct, as WinHTTP orders them. FALSE when
 * the owner is no such account or nothing is stored for it: then WinHTTP's default applies. */
static BOOL service_account_proxy(PSID owner, struct ieproxy_settings *settings)
{
    WCHAR *sid;
    HRESULT hr;

    memset(settings, 0, sizeof(*settings));
    if (!owner || !ConvertSidToStringSidW(owner, &sid)) return FALSE;
    if (!ieproxy_sid_account(sid))
    {
        LocalFree(sid);
        return FALSE;
    }
    hr = ieproxy_read(sid, NULL, settings);
    TRACE("IE proxy settings of %s: %#lx, flags %#lx, proxy %s, bypass %s, script %s\n", debugstr_w(sid), hr,
          settings->flags, debugstr_w(settings->proxy), debugstr_w(settings->bypass), debugstr_w(settings->url));
    LocalFree(sid);
    if (hr != S_OK) ieproxy_free(settings);
    return hr == S_OK;
}

/* Copy what a transfer needs from the job, then open the session (proxy settings)
 * and connect it to url. */
HRESULT http_open(struct bits_job *job, const WCHAR *url, struct http_session **out, struct transfer_error *error)
{
    DWORD access = WINHTTP_ACCESS_TYPE_DEFAULT_PROXY;
    WCHAR *proxy = NULL, *bypass = NULL, *cert_store = NULL, *cert_subject = NULL;
    BYTE cert_hash[20];
    BOOL cert_set, cert_by_hash = FALSE, autodetect, preconfig;
    struct ieproxy_settings account = { 0 };
    PSID owner = NULL;
    BG_CERT_STORE_LOCATION cert_location = 0;
    struct http_session *req;
    unsigned int target, scheme;
    HRESULT hr = S_OK;

    *out = NULL;
    if (!(req = heap_alloc_zero(sizeof(*req)))) return E_OUTOFMEMORY;
    EnterCriticalSection(&job->cs);
    req->headers = heap_strdupW(job->custom_headers);
    req->security_flags = job->security_flags;
    req->method = heap_strdupW(job->http_method);
    switch (job->proxy_usage)
    {
    case BG_JOB_PROXY_USAGE_NO_PROXY:
    case BG_JOB_PROXY_USAGE_AUTODETECT: access = WINHTTP_ACCESS_TYPE_NO_PROXY; break;
    case BG_JOB_PROXY_USAGE_OVERRIDE:
        access = WINHTTP_ACCESS_TYPE_NAMED_PROXY;
        proxy = heap_strdupW(job->proxy_list);
        bypass = heap_strdupW(job->proxy_bypass);
        break;
    default: break;
    }
    /* Every scheme's credentials: a challenge picks the strongest scheme it offers. */
    for (target = 0; target < 2; target++)
        for (scheme = 0; scheme < 5; scheme++)
            if (job->creds[target][scheme].set)
            {
                req->creds[target][scheme].set = TRUE;
                req->creds[target][scheme].user = heap_strdupW(job->creds[target][scheme].user);
                req->creds[target][scheme].password = heap_strdupW(job->creds[target][scheme].password);
            }
    autodetect = job->proxy_usage == BG_JOB_PROXY_USAGE_AUTODETECT;
    if ((preconfig = job->proxy_usage == BG_JOB_PROXY_USAGE_PRECONFIG && job->owner.service) && job->owner.sid)
    {
        DWORD len = GetLengthSid(job->owner.sid);
        if ((owner = heap_alloc_zero(len))) CopySid(len, owner, job->owner.sid);
    }
    if ((cert_set = job->cert_set))
    {
        cert_location = job->cert_location;
        cert_by_hash = job->cert_by_hash;
        memcpy(cert_hash, job->cert_hash, sizeof(cert_hash));
        cert_store = heap_strdupW(job->cert_store);
        cert_subject = heap_strdupW(job->cert_subject);
    }
    LeaveCriticalSection(&job->cs);
    if (preconfig && service_account_proxy(owner, &account))
    {
        if (account.flags & IEPROXY_PROXY && account.proxy)
        {
            access = WINHTTP_ACCESS_TYPE_NAMED_PROXY;
            proxy = heap_strdupW(account.proxy);
            bypass = heap_strdupW(account.bypass);
        }
        else access = WINHTTP_ACCESS_TYPE_NO_PROXY;
    }
    heap_free(owner);
    if (cert_set)
    {
        if (!cert_store || (!cert_by_hash && !cert_subject)) hr = E_OUTOFMEMORY;
        else if (FAILED(hr = client_cert_find(cert_location, cert_store, cert_by_hash ? cert_hash : NULL,
                                              cert_subject, &req->cert)))
        {
            /* Gone since it was chosen: fatal, with the setter's code. Our choice: a retry cannot bring it back. */
            transfer_error_set(error, hr, BG_ERROR_CONTEXT_GENERAL_TRANSPORT, FALSE);
        }
        heap_free(cert_store);
        heap_free(cert_subject);
        if (FAILED(hr))
        {
            heap_free(proxy);
            heap_free(bypass);
            ieproxy_free(&account);
            http_close(req);
            return hr;
        }
    }

    /* The User-Agent of Windows 10's BITS. */
    req->abort = job->abort_event;
    read_timeouts(&req->timeouts);
    if (!(req->session = http_wait_open_session(L"Microsoft BITS/7.8", access, proxy ? proxy : WINHTTP_NO_PROXY_NAME,
                                                bypass ? bypass : WINHTTP_NO_PROXY_BYPASS, &req->timeouts)))
    {
        http_winhttp_error(error);
        hr = error->code;
    }
    else
    {
        if (autodetect) auto_proxy(req->session, url, TRUE, NULL, req->abort);
        else if (account.flags & (IEPROXY_AUTO_DETECT | IEPROXY_AUTO_PROXY_URL))
            auto_proxy(req->session, url, !!(account.flags & IEPROXY_AUTO_DETECT),
                       account.flags & IEPROXY_AUTO_PROXY_URL ? account.url : NULL, req->abort);
        hr = http_connect(req, url, error);
    }
    heap_free(proxy);
    heap_free(bypass);
    ieproxy_free(&account);
    if (FAILED(hr)) http_close(req);
    else *out = req;
    return hr;
}

void http_set_abort(struct http_session *req, HANDLE abort)
{
    req->abort = abort;
}

static DWORD winhttp_security_flags(ULONG flags)
{
    DWORD ret = 0;

    if (flags & BG_SSL_IGNORE_CERT_CN_INVALID) ret |= SECURITY_FLAG_IGNORE_CERT_CN_INVALID;
    if (flags & BG_SSL_IGNORE_CERT_DATE_INVALID) ret |= SECURITY_FLAG_IGNORE_CERT_DATE_INVALID;
    if (flags & BG_SSL_IGNORE_UNKNOWN_CA) ret |= SECURITY_FLAG_IGNORE_UNKNOWN_CA;
    if (flags & BG_SSL_IGNORE_CERT_WRONG_USAGE) ret |= SECURITY_FLAG_IGNORE_CERT_WRONG_USAGE;
    return ret;
}

/* Where one request goes: the session's URL, or where redirects led. */
struct http_target
{
    WCHAR *url;
    WCHAR host[256];
    INTERNET_PORT port;
    BOOL secure;
    WCHAR *path;                       /* path and query */
    HINTERNET connection;              /* the session's, or req->hop */
};

static void target_free(struct http_target *target)
{
    heap_free(target->url);
    heap_free(target->path);
}

/* A new request to the target with the job's security flags, client certificate and custom
 * headers, and extra; WinHTTP's own redirects are off (http_send follows them). */
static HINTERNET open_request(struct http_session *req, const struct http_target *target, const WCHAR *verb,
                              const WCHAR *extra, struct transfer_error *error)
{
    HINTERNET request;
    DWORD flags;

    request = WinHttpOpenRequest(target->connection, verb, target->path, NULL, WINHTTP_NO_REFERER,
                                 WINHTTP_DEFAULT_ACCEPT_TYPES, target->secure ? WINHTTP_FLAG_SECURE : 0);
    if (!request || !http_wait_attach(request, &req->timeouts))
    {
        http_winhttp_error(error);
        if (request) WinHttpCloseHandle(request);
        return NULL;
    }
    if ((flags = winhttp_security_flags(req->security_flags)))
        WinHttpSetOption(request, WINHTTP_OPTION_SECURITY_FLAGS, &flags, sizeof(flags));
    /* Wine 8's WinHTTP keeps talking TLS after it follows an HTTPS -> HTTP redirect: every
     * redirect is followed by http_send on a new request instead. */
    flags = WINHTTP_DISABLE_REDIRECTS;
    WinHttpSetOption(request, WINHTTP_OPTION_DISABLE_FEATURE, &flags, sizeof(flags));
    if (req->cert)
        WinHttpSetOption(request, WINHTTP_OPTION_CLIENT_CERT_CONTEXT, (void *)req->cert, sizeof(CERT_CONTEXT));
    if (req->headers) WinHttpAddRequestHeaders(request, req->headers, (DWORD)-1, WINHTTP_ADDREQ_FLAG_ADD);
    if (extra) WinHttpAddRequestHeaders(request, extra, (DWORD)-1, WINHTTP_ADDREQ_FLAG_ADD | WINHTTP_ADDREQ_FLAG_REPLACE);
    return request;
}

/* The request target as it goes out (WinHTTP escapes spaces, controls and non-ASCII characters
 * as UTF-8): a Digest response covers it. For the proxy, the absolute form. */
static WCHAR *digest_uri(const struct http_target *target, BOOL proxy)
{
    static const char hex[] = "0123456789ABCDEF";
    int len = WideCharToMultiByte(CP_UTF8, 0, target->path, -1, NULL, 0, NULL, NULL);
    WCHAR *ret, *out;
    char *utf8, *p;

    if (len <= 0 || !(utf8 = heap_alloc_zero(len))) return NULL;
    WideCharToMultiByte(CP_UTF8, 0, target->path, -1, utf8, len, NULL, NULL);
    if (!(ret = out = heap_alloc_zero((3 * len + lstrlenW(target->host) + 32) * sizeof(WCHAR))))
    {
        heap_free(utf8);
        return NULL;
    }
    if (proxy)
        out += swprintf(out, lstrlenW(target->host) + 32, L"%s://%s:%u", target->secure ? L"https" : L"http",
                        target->host, target->port);
    for (p = utf8; *p; p++)
    {
        unsigned char c = *p;
        if (c > 0x20 && c < 0x7f) *out++ = c;
        else
        {
            *out++ = '%';
            *out++ = hex[c >> 4];
            *out++ = hex[c & 15];
        }
    }
    heap_free(utf8);
    return ret;
}

/* Set the Digest Authorization (Proxy-Authorization) header of one send of the request. */
static BOOL add_digest_header(struct http_session *req, HINTERNET request, unsigned int target,
                              const struct http_target *dest, const WCHAR *verb, const void *body, DWORD body_len)
{
    const struct bits_credential *cred = &req->creds[target][BG_AUTH_SCHEME_DIGEST - 1];
    WCHAR *uri, *value = NULL, *header;
    BOOL ret = FALSE;

    if (!(uri = digest_uri(dest, target == 1))) return FALSE;
    value = digest_authorization(&req->digest[target], cred->user, cred->password, verb, uri, body, body_len);
    if (value && (header = heap_alloc_zero((lstrlenW(value) + 32) * sizeof(WCHAR))))
    {
        swprintf(header, lstrlenW(value) + 32, L"%s: %s", target ? L"Proxy-Authorization" : L"Authorization", value);
        ret = WinHttpAddRequestHeaders(request, header, (DWORD)-1, WINHTTP_ADDREQ_FLAG_ADD | WINHTTP_ADDREQ_FLAG_REPLACE);
        SecureZeroMemory(header, lstrlenW(header) * sizeof(WCHAR));
        heap_free(header);
    }
    heap_free(value);
    heap_free(uri);
    return ret;
}

/* Whether the last Digest challenge of the target covers a new request to dest: then it is
 * answered right away with the next nonce count, without a 401 first. */
static BOOL digest_applies(struct http_session *req, unsigned int target, const struct http_target *dest)
{
    if (!req->digest[target].nonce) return FALSE;
    return target == 1 || (!wcsicmp(req->digest_host, dest->host) && req->digest_port == dest->port);
}

/* A 401/407 with a Digest challenge and Digest credentials for its target: take the challenge
 * and set the answer. Not again after an answer of this request was refused, unless the
 * server only found its nonce stale: a 401 after wrong credentials is fatal, as documented for SetCredentials. */
static BOOL answer_digest(struct http_session *req, HINTERNET request, unsigned int target,
                          const struct http_target *dest, const WCHAR *verb, const void *body, DWORD body_len,
                          unsigned int *answered)
{
    DWORD query = target ? WINHTTP_QUERY_PROXY_AUTHENTICATE : WINHTTP_QUERY_WWW_AUTHENTICATE;
    DWORD index = 0, size;
    struct digest_auth auth = { 0 };
    BOOL found = FALSE, stale = FALSE;
    WCHAR *value;

    if (!req->creds[target][BG_AUTH_SCHEME_DIGEST - 1].set || answered[target] >= 4) return FALSE;
    for (;;)
    {
        DWORD at = index;

        size = 0;
        WinHttpQueryHeaders(request, query, NULL, NULL, &size, &index);
        if (GetLastError() != ERROR_INSUFFICIENT_BUFFER || !(value = heap_alloc_zero(size + sizeof(WCHAR)))) break;
        index = at;
        if (!WinHttpQueryHeaders(request, query, NULL, value, &size, &index))
        {
            heap_free(value);
            break;
        }
        found = digest_parse_challenge(value, &auth, &stale);
        heap_free(value);
        if (found) break;
    }
    if (!found) return FALSE;
    if (answered[target] && !stale)
    {
        TRACE("Digest credentials refused (target %u)\n", target);
        digest_clear(&auth);
        digest_clear(&req->digest[target]);
        return FALSE;
    }
    digest_clear(&req->digest[target]);
    req->digest[target] = auth;
    if (!target)
    {
        lstrcpynW(req->digest_host, dest->host, ARRAYSIZE(req->digest_host));
        req->digest_port = dest->port;
    }
    answered[target]++;
    return add_digest_header(req, request, target, dest, verb, body, body_len);
}

/* A 401/407 that WinHTTP can answer with the job's credentials of a scheme it implements,
 * once per target and request: the strongest the server offers of Negotiate, NTLM and
 * Passport, or Basic (weaker than Digest, which comes in between). */
static BOOL answer_winhttp(struct http_session *req, HINTERNET request, unsigned int target, BOOL basic, DWORD *tried)
{
    static const BG_AUTH_SCHEME order[] =
        { BG_AUTH_SCHEME_NEGOTIATE, BG_AUTH_SCHEME_NTLM, BG_AUTH_SCHEME_PASSPORT, BG_AUTH_SCHEME_BASIC };
    static const DWORD flags[] =
        { WINHTTP_AUTH_SCHEME_NEGOTIATE, WINHTTP_AUTH_SCHEME_NTLM, WINHTTP_AUTH_SCHEME_PASSPORT, WINHTTP_AUTH_SCHEME_BASIC };
    DWORD supported, first, auth_target;
    unsigned int i;

    if (*tried & (1 << target) || !WinHttpQueryAuthSchemes(request, &supported, &first, &auth_target)) return FALSE;
    for (i = 0; i < ARRAYSIZE(order); i++)
    {
        const struct bits_credential *cred = &req->creds[target][order[i] - 1];

        if ((order[i] == BG_AUTH_SCHEME_BASIC) != basic) continue;
        if (!cred->set || !cred->user || !(supported & flags[i])) continue;
        *tried |= 1 << target;
        return WinHttpSetCredentials(request, target ? WINHTTP_AUTH_TARGET_PROXY : WINHTTP_AUTH_TARGET_SERVER,
                                     flags[i], cred->user, cred->password, NULL);
    }
    return FALSE;
}

/* Send the request until it is answered by something else than a challenge we can meet. */
static BOOL send_request(struct http_session *req, HINTERNET request, const struct http_target *dest,
                         const WCHAR *verb, const void *body, DWORD body_len, DWORD *status,
                         struct transfer_error *error)
{
    unsigned int answered[2] = { 0, 0 }, target;
    DWORD size, tried = 0;

    for (target = 0; target < 2; target++)
        if (req->creds[target][BG_AUTH_SCHEME_DIGEST - 1].set && digest_applies(req, target, dest))
            add_digest_header(req, request, target, dest, verb, body, body_len);
    for (;;)
    {
        void (*meanwhile)(void *) = req->meanwhile;

        req->meanwhile = NULL;
        if (!http_wait_send(request, req->abort, body, body_len, meanwhile, req->meanwhile_context))
        {
            http_winhttp_error(error);
            return FALSE;
        }
        size = sizeof(*status);
        if (!WinHttpQueryHeaders(request, WINHTTP_QUERY_STATUS_CODE | WINHTTP_QUERY_FLAG_NUMBER, NULL, status,
                                 &size, NULL))
        {
            http_winhttp_error(error);
            return FALSE;
        }
        if (*status != 401 && *status != 407) return TRUE;
        target = *status == 401 ? 0 : 1;
        if (answer_winhttp(req, request, target, FALSE, &tried)) continue;
        if (answer_digest(req, request, target, dest, verb, body, body_len, answered)) continue;
        if (answer_winhttp(req, request, target, TRUE, &tried)) continue;
        return TRUE;
    }
}

/* Location resolved against the URL that answered with it (RFC 3986 references without
 * dot-segment removal; the fragment dropped). */
static WCHAR *resolve_location(const WCHAR *base, const WCHAR *location)
{
    const WCHAR *scheme_end = wcsstr(base, L"://"), *host_end, *path_end, *p;
    int keep, len;
    WCHAR *ret;

    for (p = location; iswalnum(*p) || *p == '+' || *p == '-' || *p == '.'; p++);
    if (p != location && *p == ':') keep = 0;                       /* absolute */
    else if (!scheme_end) return NULL;
    else
    {
        host_end = scheme_end + 3 + wcscspn(scheme_end + 3, L"/?#");
        path_end = host_end + wcscspn(host_end, L"?#");
        if (location[0] == '/' && location[1] == '/') keep = scheme_end + 1 - base;
        else if (location[0] == '/') keep = host_end - base;
        else if (location[0] == '?' || !location[0]) keep = path_end - base;
        else
        {
            for (p = path_end; p > host_end && p[-1] != '/'; p--);
            keep = p - base;
            if (p == host_end) keep = -1;                             /* "/" goes in between */
        }
    }
    len = lstrlenW(location) + (keep > 0 ? keep : lstrlenW(base)) + 2;
    if (!(ret = heap_alloc_zero(len * sizeof(WCHAR)))) return NULL;
    if (keep < 0)
    {
        memcpy(ret, base, (host_end - base) * sizeof(WCHAR));
        lstrcatW(ret, L"/");
    }
    else memcpy(ret, base, keep * sizeof(WCHAR));
    lstrcatW(ret, location);
    ret[wcscspn(ret, L"#")] = 0;
    return ret;
}

/* The next hop of a redirect, or FALSE when the job's policy forbids it: DISALLOW,
 * HTTPS -> HTTP without ALLOW_HTTPS_TO_HTTP, a scheme other than http(s), no Location, more
 * than 10 redirects as WinHTTP allows. The verb becomes GET after a 303, and after a 301 or
 * 302 of a POST; 307 and 308 keep it and the body. */
static BOOL follow_redirect(struct http_session *req, DWORD status, const WCHAR *location,
                            struct http_target *target, const WCHAR **verb, unsigned int *count)
{
    DWORD policy = req->security_flags & BG_HTTP_REDIRECT_POLICY_MASK;
    struct http_target next = { 0 };
    struct transfer_error ignored;
    URL_COMPONENTSW parts;
    WCHAR *url;

    if (status != 301 && status != 302 && status != 303 && status != 307 && status != 308) return FALSE;
    if (policy == BG_HTTP_REDIRECT_POLICY_DISALLOW || ++*count > 10 || !location) return FALSE;
    if (!(url = resolve_location(target->url, location))) return FALSE;
    next.url = url;
    if (FAILED(crack_url(url, &parts, next.host, ARRAYSIZE(next.host), &next.path, &ignored))
        || (parts.nScheme != INTERNET_SCHEME_HTTP && parts.nScheme != INTERNET_SCHEME_HTTPS))
    {
        target_free(&next);
        return FALSE;
    }
    next.port = parts.nPort;
    next.secure = parts.nScheme == INTERNET_SCHEME_HTTPS;
    if (target->secure && !next.secure && !(req->security_flags & BG_HTTP_REDIRECT_POLICY_ALLOW_HTTPS_TO_HTTP))
    {
        TRACE("HTTPS -> HTTP redirect to %s not allowed\n", debugstr_w(url));
        target_free(&next);
        return FALSE;
    }
    TRACE("%lu redirect to %s\n", status, debugstr_w(url));
    if (req->hop) WinHttpCloseHandle(req->hop);
    if (!(req->hop = WinHttpConnect(req->session, next.host, next.port, 0)))
    {
        target_free(&next);
        return FALSE;
    }
    next.connection = req->hop;
    if ((status == 303 && wcscmp(*verb, L"HEAD")) || ((status == 301 || status == 302) && !wcscmp(*verb, L"POST")))
        *verb = L"GET";
    target_free(target);
    *target = next;
    if (policy == BG_HTTP_REDIRECT_POLICY_ALLOW_REPORT)
    {
        heap_free(req->final_url);
        req->final_url = heap_strdupW(url);
    }
    return TRUE;
}

/* The Location header of a response, or NULL. */
static WCHAR *query_location(HINTERNET request)
{
    DWORD size = 0;
    WCHAR *location;

    WinHttpQueryHeaders(request, WINHTTP_QUERY_LOCATION, NULL, NULL, &size, NULL);
    if (GetLastError() != ERROR_INSUFFICIENT_BUFFER || !(location = heap_alloc_zero(size + sizeof(WCHAR)))) return NULL;
    if (WinHttpQueryHeaders(request, WINHTTP_QUERY_LOCATION, NULL, location, &size, NULL)) return location;
    heap_free(location);
    return NULL;
}

/* Send one request and read the status; answers 401/407 with the job's credentials and
 * follows redirects as the job's policy allows (upload packets are never redirected: their
 * 3xx is the server application's status). Returns the request handle, or NULL with the error
 * filled in. */
HINTERNET http_send(struct http_session *req, const WCHAR *verb, const WCHAR *extra, const void *body,
                    DWORD body_len, DWORD *status, struct transfer_error *error)
{
    BOOL upload = !wcscmp(verb, L"BITS_POST");
    struct http_target target = { 0 };
    const WCHAR *previous;
    WCHAR *location;
    BOOL follow;
    unsigned int redirects = 0;
    unsigned int retries = 0;
    HINTERNET request;

    heap_free(req->final_url);
    req->final_url = NULL;
    target.url = heap_strdupW(req->remote);
    target.path = heap_strdupW(req->path);
    if (!target.url || !target.path)
    {
        target_free(&target);
        transfer_error_set(error, E_OUTOFMEMORY, BG_ERROR_CONTEXT_GENERAL_TRANSPORT, FALSE);
        return NULL;
    }
    lstrcpynW(target.host, req->host, ARRAYSIZE(target.host));
    target.port = req->url.nPort;
    target.secure = req->url.nScheme == INTERNET_SCHEME_HTTPS;
    target.connection = req->connection;

    for (;;)
    {
        if (!(request = open_request(req, &target, verb, extra, error))) break;
        if (!send_request(req, request, &target, verb, body, body_len, status, error))
        {
            WinHttpCloseHandle(request);
            request = NULL;
            /* WinHTTP keeps the connection of an answer for the next request to the same
             * server, as after a redirect; a server that dropped it meanwhile makes that request
             * fail before any answer (Wine 8 reports the reset met while reading the answer as
             * an invalid response), and Wine's WinHTTP does not try again on a new connection as
             * Windows' does. The failure belongs to the old connection, not to this request:
             * another try, on a new connection (the failed one is not kept). WinHTTP does not say
             * whether a connection was kept, so a server that really answers this way gets up
             * to three more tries and then its error. Uploads are not sent twice. */
            if (retries < 3 && !upload && (error->code == HRESULT_FROM_WIN32(WSAECONNRESET)
                                        || error->code == HRESULT_FROM_WIN32(WSAECONNABORTED)
                                        || error->code == HRESULT_FROM_WIN32(ERROR_WINHTTP_CONNECTION_ERROR)
                                        || error->code == HRESULT_FROM_WIN32(ERROR_WINHTTP_INVALID_SERVER_RESPONSE)))
            {
                TRACE("connection reset before an answer (%#lx): trying again\n", error->code);
                retries++;
                continue;
            }
            break;
        }
        retries = 0;
        if (*status < 300 || *status >= 400 || *status == 304 || upload) break;
        previous = verb;
        location = query_location(request);
        /* The body of a redirect (usually empty or a short page) is read and dropped, so that
         * WinHTTP keeps its connection for the request to the new location: a connection whose
         * answer was not read to its end is closed instead. A long body is not worth reading. */
        if (!http_wait_drain(request, req->abort, 65536)) TRACE("redirect body not read to its end\n");
        WinHttpCloseHandle(request);
        request = NULL;
        follow = follow_redirect(req, *status, location, &target, &verb, &redirects);
        heap_free(location);
        if (!follow)
        {
            /* a redirect under DISALLOW, or one that the policy does not allow,
             * is a fatal error (documented for DISALLOW; our choice for HTTPS -> HTTP, treated alike). */
            transfer_error_set(error, HRESULT_FROM_WIN32(ERROR_WINHTTP_REDIRECT_FAILED), BG_ERROR_CONTEXT_REMOTE_FILE, FALSE);
            break;
        }
        if (verb != previous)
        {
            body = NULL;
            body_len = 0;
        }
    }
    target_free(&target);
    return request;
}

/* ALLOW_REPORT: after a successful response, GetRemoteName reports the final URL. */
static void report_final_url(struct transfer *t, struct http_session *req)
{
    struct bits_file *file = transfer_file(t);
    struct bits_job *job = transfer_job(t);
    WCHAR *url;

    if (!req->final_url) return;
    EnterCriticalSection(&job->cs);
    if (wcscmp(file->remote_name, req->final_url) && (url = heap_strdupW(req->final_url)))
    {
        TRACE("%s now %s\n", debugstr_w(file->remote_name), debugstr_w(url));
        heap_free(file->remote_name);
        file->remote_name = url;
        job_touch(job);
    }
    LeaveCriticalSection(&job->cs);
}

static BOOL query_uint64(HINTERNET request, DWORD header, UINT64 *value)
{
    WCHAR buf[32];
    DWORD size = sizeof(buf);

    if (!WinHttpQueryHeaders(request, header, NULL, buf, &size, NULL)) return FALSE;
    *value = _wcstoui64(buf, NULL, 10);
    return TRUE;
}

/* File5's HTTP_RESPONSE_HEADERS keeps at most this many characters of the last response's
 * headers (a server decides how many it sends, and Wine's WinHTTP has no cap of its own): the
 * status line and the whole header lines that fit, then the empty line that ends a header
 * block. The headers are kept with the job in the store, whose strings may not exceed
 * STORE_MAX_STRING; 16384 characters are far more than real servers send and leave each file's
 * share of the store small. */
#define MAX_RESPONSE_HEADERS 16384

static void save_response_headers(struct transfer *t, HINTERNET request)
{
    struct bits_file *file = transfer_file(t);
    struct bits_job *job = transfer_job(t);
    DWORD size = 0, len, keep, i;
    WCHAR *headers;

    WinHttpQueryHeaders(request, WINHTTP_QUERY_RAW_HEADERS_CRLF, NULL, NULL, &size, NULL);
    if (!size || !(headers = heap_alloc_zero(size + sizeof(WCHAR)))) return;
    if (!WinHttpQueryHeaders(request, WINHTTP_QUERY_RAW_HEADERS_CRLF, NULL, headers, &size, NULL))
    {
        heap_free(headers);
        return;
    }
    if ((len = lstrlenW(headers)) > MAX_RESPONSE_HEADERS)
    {
        /* The lines that end (CRLF included) with room left for the closing CRLF. */
        for (keep = 0, i = 0; i + 2 <= MAX_RESPONSE_HEADERS - 2; i++)
            if (headers[i] == '\r' && headers[i + 1] == '\n') keep = i + 2;
        if (keep) lstrcpyW(headers + keep, L"\r\n");
        else lstrcpyW(headers + MAX_RESPONSE_HEADERS - 4, L"\r\n\r\n");   /* one line longer than all */
        TRACE("kept %d of %lu characters of response headers\n", lstrlenW(headers), len);
    }
    EnterCriticalSection(&job->cs);
    heap_free(file->response_headers);
    file->response_headers = headers;
    LeaveCriticalSection(&job->cs);
}

/* The server's answer does not fit the request (a range other than the one asked for, a length
 * that contradicts its Content-Range, a body cut or malformed): BG_E_INVALID_SERVER_RESPONSE,
 * the code BITS documents for a server that merges ranges. A server that answered a range
 * wrongly does so again: fatal. A body that ends early may be a dropped connection: transient. */
static HRESULT invalid_response(struct transfer_error *error, BOOL transient)
{
    return transfer_error_set(error, BG_E_INVALID_SERVER_RESPONSE, BG_ERROR_CONTEXT_REMOTE_FILE, transient);
}

/* Content-Range of a 206, "bytes first-last/total" (RFC 9110). FALSE when it is absent or has
 * another form (an unknown total "*" included: the total is what tells a changed file). */
BOOL http_content_range(HINTERNET request, UINT64 *first, UINT64 *last, UINT64 *total)
{
    WCHAR buf[96], *p = buf, *end;
    DWORD size = sizeof(buf);

    if (!WinHttpQueryHeaders(request, WINHTTP_QUERY_CONTENT_RANGE, NULL, buf, &size, NULL)) return FALSE;
    while (*p == ' ') p++;
    if (wcsnicmp(p, L"bytes", 5)) return FALSE;
    p += 5;
    while (*p == ' ' || *p == '=') p++;
    if (!iswdigit(*p)) return FALSE;
    *first = _wcstoui64(p, &end, 10);
    if (*end != '-' || !iswdigit(end[1])) return FALSE;
    *last = _wcstoui64(end + 1, &end, 10);
    if (*end != '/' || !iswdigit(end[1])) return FALSE;
    *total = _wcstoui64(end + 1, &end, 10);
    while (*end == ' ') end++;
    return !*end && *first <= *last && *last < *total;
}

/* A 206 checked against its request: bytes start to end (inclusive) of a file of size bytes
 * (BG_SIZE_UNKNOWN: any). S_OK when it is exactly that range; S_FALSE when its total says that
 * the remote file has another size now (it changed, and BITS then restarts the file); else an error
 * (error filled in) and not a byte of its body may be used. */
HRESULT http_check_partial(HINTERNET request, UINT64 start, UINT64 end, UINT64 size, struct transfer_error *error)
{
    UINT64 first, last, total, length;
    WCHAR type[64];
    DWORD len = sizeof(type);

    if (WinHttpQueryHeaders(request, WINHTTP_QUERY_CONTENT_TYPE, NULL, type, &len, NULL)
        && !wcsnicmp(type, L"multipart/", 10))
    {
        WARN("a multipart answer to one range\n");
        return invalid_response(error, FALSE);
    }
    len = sizeof(type);
    if (!WinHttpQueryHeaders(request, WINHTTP_QUERY_CONTENT_RANGE, NULL, type, &len, NULL)
        && GetLastError() == ERROR_WINHTTP_HEADER_NOT_FOUND)
    {
        /* no Content-Range (often stripped by a proxy): the documented code of missing ranges */
        return transfer_error_set(error, BG_E_INSUFFICIENT_RANGE_SUPPORT, BG_ERROR_CONTEXT_REMOTE_FILE, FALSE);
    }
    if (!http_content_range(request, &first, &last, &total))
    {
        WARN("malformed Content-Range\n");
        return invalid_response(error, FALSE);
    }
    if (size != BG_SIZE_UNKNOWN && total != size)
    {
        TRACE("the remote file is now %I64u bytes, not %I64u\n", total, size);
        return S_FALSE;
    }
    if (first != start || last != end || (query_uint64(request, WINHTTP_QUERY_CONTENT_LENGTH, &length)
                                           && length != last - first + 1))
    {
        WARN("asked for %I64u-%I64u, got %I64u-%I64u/%I64u\n", start, end, first, last, total);
        return invalid_response(error, FALSE);
    }
    return S_OK;
}

/* A hash of the response's ETag (weak or strong, as the server wrote it), 0 when it has none. */
static UINT64 etag_hash(HINTERNET request)
{
    WCHAR buf[256], *p;
    DWORD size = sizeof(buf);
    UINT64 hash = 14695981039346656037ull;

    if (!WinHttpQueryHeaders(request, WINHTTP_QUERY_ETAG, NULL, buf, &size, NULL) || !buf[0]) return 0;
    for (p = buf; *p; p++) hash = (hash ^ *p) * 1099511628211ull;
    return hash ? hash : 1;
}

/* Whether the validators of a response (ETag, Last-Modified) differ from those the file's bytes
 * came with: then those bytes are of another version of the remote file. */
static BOOL validators_changed(struct transfer *t, HINTERNET request)
{
    struct bits_file *file = transfer_file(t);
    struct bits_job *job = transfer_job(t);
    UINT64 etag = etag_hash(request);
    FILETIME mtime;
    SYSTEMTIME st;
    DWORD len = sizeof(st);
    BOOL have_mtime, changed = FALSE;

    have_mtime = WinHttpQueryHeaders(request, WINHTTP_QUERY_LAST_MODIFIED | WINHTTP_QUERY_FLAG_SYSTEMTIME, NULL, &st,
                                     &len, NULL) && SystemTimeToFileTime(&st, &mtime);
    EnterCriticalSection(&job->cs);
    if (etag && file->remote_etag && etag != file->remote_etag) changed = TRUE;
    if (have_mtime && (file->remote_mtime.dwLowDateTime || file->remote_mtime.dwHighDateTime)
        && CompareFileTime(&mtime, &file->remote_mtime))
        changed = TRUE;
    LeaveCriticalSection(&job->cs);
    if (changed) TRACE("the validators of %s changed\n", debugstr_w(file->remote_name));
    return changed;
}

/* The remote file changed: its bytes so far are of no use: the file restarts at 0. */
static void restart_file(struct transfer *t)
{
    struct bits_file *file = transfer_file(t);
    struct bits_job *job = transfer_job(t);

    EnterCriticalSection(&job->cs);
    TRACE("%s changed on the server: restarting\n", debugstr_w(file->remote_name));
    file->progress.BytesTransferred = 0;
    file->remote_etag = 0;
    file->remote_mtime.dwLowDateTime = file->remote_mtime.dwHighDateTime = 0;
    job_touch(job);
    LeaveCriticalSection(&job->cs);
}

/* Read a response body into the output at the current position, up to limit bytes; progress
 * gets the running count. */
HRESULT http_read_body(struct transfer *t, HINTERNET request, HANDLE output, UINT64 *done, UINT64 limit,
                       BYTE *buffer, void (*progress)(struct transfer *t, UINT64 done), struct transfer_error *error)
{
    DWORD read;
    HRESULT hr;

    while (*done < limit)
    {
        DWORD want = (DWORD)min((UINT64)HTTP_READ_BUFFER_SIZE, limit - *done);

        if (transfer_aborted(t)) return E_ABORT;
        if (!http_wait_read(request, transfer_abort_event(t), buffer, want, &read))
        {
            if (transfer_aborted(t)) return E_ABORT;
            http_winhttp_error(error);
            return error->code;
        }
        if (!read) break;
        if (transfer_aborted(t)) return E_ABORT;     /* nothing is written after a Suspend or Cancel */
        if (FAILED(hr = write_output(output, buffer, read)))
        {
            local_error(hr, error);
            return hr;
        }
        *done += read;
        progress(t, *done);
        /* A known size was held against MAX_DOWNLOAD_SIZE before the body (transfer_set_size). */
        if (limit == ~(UINT64)0 && FAILED(hr = size_error(transfer_check_size(t, *done), error))) return hr;
    }
    return S_OK;
}

/* AddFileWithRanges: the ranges, in the order given, back to back in the output.
 * offset counts the output bytes already there. */
static HRESULT download_ranges(struct transfer *t, struct http_session *req, HANDLE output, UINT64 offset,
                               UINT64 size, const BG_FILE_RANGE *ranges, DWORD count, BYTE *buffer,
                               struct transfer_error *error)
{
    UINT64 pos = 0, done = offset;
    WCHAR header[80];
    HINTERNET request;
    DWORD i, status;
    HRESULT hr;

    for (i = 0; i < count; i++)
    {
        UINT64 start = ranges[i].InitialOffset, len;

        if (start >= size)
        {
            /* a range beyond EOF */
            return transfer_error_set(error, BG_E_INVALID_RANGE, BG_ERROR_CONTEXT_REMOTE_FILE, FALSE);
        }
        len = (ranges[i].Length == BG_LENGTH_TO_EOF || ranges[i].Length > size - start) ? size - start : ranges[i].Length;
        if (!len || done >= pos + len)
        {
            pos += len;
            continue;
        }
        swprintf(header, ARRAYSIZE(header), L"Range: bytes=%I64u-%I64u", start + (done - pos), start + len - 1);
        if (!(request = http_send(req, L"GET", header, NULL, 0, &status, error))) return error->code;
        transfer_connected(t);
        if (status >= 400) http_status_error(status, error);
        else if (status != 206)
        {
            transfer_error_set(error, BG_E_INSUFFICIENT_RANGE_SUPPORT, BG_ERROR_CONTEXT_REMOTE_FILE, FALSE);
        }
        if (status != 206)
        {
            WinHttpCloseHandle(request);
            return error->code;
        }
        if ((hr = http_check_partial(request, start + (done - pos), start + len - 1, size, error)) == S_OK
            && validators_changed(t, request))
            hr = S_FALSE;
        if (hr != S_OK)
        {
            WinHttpCloseHandle(request);
            if (FAILED(hr)) return hr;
            /* Another version of the file: every range again, from a new HEAD. */
            restart_file(t);
            return invalid_response(error, TRUE);
        }
        hr = http_read_body(t, request, output, &done, pos + len, buffer, transfer_progress, error);
        WinHttpCloseHandle(request);
        if (FAILED(hr)) return hr;
        if (done < pos + len)
        {
            return transfer_error_set(error, HRESULT_FROM_WIN32(ERROR_WINHTTP_CONNECTION_ERROR),
                                      BG_ERROR_CONTEXT_REMOTE_FILE, TRUE);
        }
        pos += len;
    }
    return S_OK;
}

/* ON_DEMAND_MODE: ranged GETs for the gaps ondemand.c chooses, written where they
 * belong; a new request from the client interrupts the current fetch. S_FALSE: the requested
 * ranges are done and the rest of the file is not wanted yet. */
static HRESULT download_on_demand(struct transfer *t, struct http_session *req, UINT64 size, BOOL restart,
                                  BYTE *buffer, struct transfer_error *error)
{
    HANDLE output = INVALID_HANDLE_VALUE;
    UINT64 start, end, pos;
    enum ondemand_next next;
    WCHAR header[80];
    HINTERNET request;
    LARGE_INTEGER seek;
    DWORD status, read;
    BOOL same = TRUE;
    HRESULT hr;
    LONG gen;

    if (restart) ondemand_reset(t);
    if (FAILED(hr = ondemand_open_output(t, size, &output)))
    {
        local_error(hr, error);
        return hr;
    }
    while ((next = ondemand_next_gap(t, size, &start, &end, &gen)) == ONDEMAND_FETCH)
    {
        swprintf(header, ARRAYSIZE(header), L"Range: bytes=%I64u-%I64u", start, end - 1);
        if (!(request = http_send(req, L"GET", header, NULL, 0, &status, error)))
        {
            hr = error->code;
            break;
        }
        transfer_connected(t);
        if (status >= 400) http_status_error(status, error);
        else if (status != 206)
        {
            /* The server does not do ranges (any more): no random access. */
            transfer_error_set(error, BG_E_RANDOM_ACCESS_NOT_SUPPORTED, BG_ERROR_CONTEXT_REMOTE_FILE, FALSE);
        }
        if (status != 206)
        {
            WinHttpCloseHandle(request);
            hr = error->code;
            break;
        }
        if ((hr = http_check_partial(request, start, end - 1, size, error)) == S_OK && validators_changed(t, request))
            hr = S_FALSE;
        if (hr != S_OK)
        {
            WinHttpCloseHandle(request);
            if (hr == S_FALSE)
            {
                /* Another version of the file: none of its ranges are of use; the
                 * next attempt starts from a new HEAD. */
                ondemand_reset(t);
                restart_file(t);
                hr = invalid_response(error, TRUE);
            }
            break;
        }
        seek.QuadPart = pos = start;
        SetFilePointerEx(output, seek, NULL, FILE_BEGIN);
        hr = S_OK;
        while (pos < end && same)
        {
            if (transfer_aborted(t))
            {
                hr = E_ABORT;
                break;
            }
            if (!http_wait_read(request, transfer_abort_event(t), buffer,
                                (DWORD)min((UINT64)HTTP_READ_BUFFER_SIZE, end - pos), &read))
            {
                if (transfer_aborted(t)) hr = E_ABORT;
                else
                {
                    http_winhttp_error(error);
                    hr = error->code;
                }
                break;
            }
            if (!read) break;
            if (transfer_aborted(t))
            {
                hr = E_ABORT;                   /* nothing is written after a Suspend or Cancel */
                break;
            }
            if (FAILED(hr = write_output(output, buffer, read)))
            {
                local_error(hr, error);
                break;
            }
            pos += read;
            same = ondemand_filled(t, pos - read, read, gen);
        }
        WinHttpCloseHandle(request);
        ondemand_fetched(t, start, pos - start);
        if (FAILED(hr)) break;
        if (same && pos < end)
        {
            hr = transfer_error_set(error, HRESULT_FROM_WIN32(ERROR_WINHTTP_CONNECTION_ERROR),
                                    BG_ERROR_CONTEXT_REMOTE_FILE, TRUE);
            break;
        }
        same = TRUE;
    }
    if (next == ONDEMAND_SUSPEND) hr = S_FALSE;
    CloseHandle(output);
    return hr;
}

/* The remote size (Content-Length, which BITS requires) and time (Last-Modified) of a HEAD or of
 * a GET of the whole file, handed to the worker. */
static HRESULT take_size(struct transfer *t, HINTERNET request, UINT64 *size, BOOL *restart,
                         struct transfer_error *error)
{
    FILETIME mtime, *have_mtime = NULL;
    SYSTEMTIME st;
    DWORD len = sizeof(st);

    if (!query_uint64(request, WINHTTP_QUERY_CONTENT_LENGTH, size))
    {
        return transfer_error_set(error, BG_E_MISSING_FILE_SIZE, BG_ERROR_CONTEXT_REMOTE_FILE, FALSE);
    }
    struct bits_file *file = transfer_file(t);
    struct bits_job *job = transfer_job(t);
    UINT64 etag = etag_hash(request);
    BOOL changed = FALSE;
    HRESULT hr;

    if (WinHttpQueryHeaders(request, WINHTTP_QUERY_LAST_MODIFIED | WINHTTP_QUERY_FLAG_SYSTEMTIME, NULL, &st, &len, NULL)
        && SystemTimeToFileTime(&st, &mtime))
        have_mtime = &mtime;
    /* Size and Last-Modified are what BITS tracks; an ETag that changed tells the same (a server may
     * change a file without changing either). */
    EnterCriticalSection(&job->cs);
    if (etag && file->remote_etag && etag != file->remote_etag && file->progress.BytesTransferred)
    {
        TRACE("the ETag of %s changed: restarting\n", debugstr_w(file->remote_name));
        file->progress.BytesTransferred = 0;
        changed = TRUE;
    }
    if (etag) file->remote_etag = etag;
    LeaveCriticalSection(&job->cs);
    hr = size_error(transfer_set_size(t, *size, have_mtime, restart), error);
    if (restart && changed) *restart = TRUE;
    return hr;
}

/* A request of the download: the job is connected once it is answered, the headers are kept
 * for File5, and a status of 400 or more is the error. NULL with error filled in. */
static HINTERNET send_for_body(struct transfer *t, struct http_session *req, const WCHAR *verb, const WCHAR *extra,
                               DWORD *status, struct transfer_error *error)
{
    HINTERNET request;

    if (!(request = http_send(req, verb, extra, NULL, 0, status, error))) return NULL;
    transfer_connected(t);
    save_response_headers(t, request);
    if (*status >= 400)
    {
        http_status_error(*status, error);
        WinHttpCloseHandle(request);
        return NULL;
    }
    return request;
}

/* The output of a file not started yet is opened while its GET is answered: creating a file
 * costs Wine a directory scan and several server calls, which then overlap the request. */
struct early_output
{
    struct transfer *t;
    BOOL done, created;
    HRESULT hr;
    HANDLE handle;
    UINT64 offset;
};

static void open_early(void *context)
{
    struct early_output *early = context;

    early->done = TRUE;
    early->hr = transfer_open_output(early->t, &early->offset, &early->handle, &early->created);
}

static void discard_early(struct early_output *early)
{
    if (early->done && SUCCEEDED(early->hr)) transfer_discard_output(early->t, early->handle, early->created);
    early->done = FALSE;
}

/* Empty the output, for a file that starts again. */
static BOOL output_rewind(HANDLE output)
{
    LARGE_INTEGER zero = { 0 };

    return SetFilePointerEx(output, zero, NULL, FILE_BEGIN) && SetEndOfFile(output);
}

/* A download of the whole file, or of what is left of it. */
HRESULT http_download(struct transfer *t, struct transfer_error *error)
{
    struct bits_file *file = transfer_file(t);
    struct bits_job *job = transfer_job(t);
    struct http_session *req = NULL;
    WCHAR *remote;
    HINTERNET request = NULL;
    UINT64 size = BG_SIZE_UNKNOWN, offset = 0, done, end;
    HANDLE output = INVALID_HANDLE_VALUE;
    BOOL dynamic, on_demand, headless, restart = FALSE, restarted = FALSE;
    UINT64 length;
    DWORD status, len;
    BYTE *buffer = NULL;
    BG_FILE_RANGE *ranges = NULL;
    DWORD range_count = 0;
    WCHAR range[64];
    struct early_output early = { t, FALSE, FALSE, E_FAIL, INVALID_HANDLE_VALUE, 0 };
    HRESULT hr;

    EnterCriticalSection(&job->cs);
    dynamic = job->dynamic_content;
    on_demand = job->on_demand && !dynamic && !file->range_count;
    if (file->range_count && (ranges = heap_alloc_zero(file->range_count * sizeof(*ranges))))
    {
        memcpy(ranges, file->ranges, file->range_count * sizeof(*ranges));
        range_count = file->range_count;
    }
    LeaveCriticalSection(&job->cs);
    if (file->range_count && !ranges) return E_OUTOFMEMORY;

    EnterCriticalSection(&job->cs);
    remote = heap_strdupW(file->remote_name);
    LeaveCriticalSection(&job->cs);
    if (!remote) hr = E_OUTOFMEMORY;
    else hr = http_open(job, remote, &req, error);
    heap_free(remote);
    if (FAILED(hr)) goto done;

    /* Size and time: a file not started yet takes them from the headers of its GET,
     * which saves a round trip per file (Windows asks with a HEAD first); a resumed one (its
     * Range must not outrun a changed file), ranges, on-demand jobs, a custom verb and a GET
     * without Content-Length ask with a HEAD. Dynamic content needs neither. */
    EnterCriticalSection(&job->cs);
    headless = !dynamic && !on_demand && !ranges && !req->method && !file->progress.BytesTransferred;
    LeaveCriticalSection(&job->cs);
    if (headless)
    {
        req->meanwhile = open_early;
        req->meanwhile_context = &early;
        request = send_for_body(t, req, L"GET", NULL, &status, error);
        req->meanwhile = NULL;
        if (!request)
        {
            discard_early(&early);
            hr = error->code;
            goto done;
        }
        if ((hr = take_size(t, request, &size, &restart, error)) == (HRESULT)BG_E_MISSING_FILE_SIZE)
        {
            /* No length on the GET (chunked): the HEAD may still have one. */
            WinHttpCloseHandle(request);
            request = NULL;
            headless = FALSE;
            discard_early(&early);
        }
        else if (FAILED(hr))
        {
            discard_early(&early);
            goto done;
        }
    }
    if (!dynamic && !headless)
    {
        if (!(request = send_for_body(t, req, L"HEAD", NULL, &status, error)))
        {
            hr = error->code;
            goto done;
        }
        if (FAILED(hr = take_size(t, request, &size, &restart, error))) goto done;
        /* Reading the empty body ends the response, so that WinHTTP may keep the connection. */
        http_wait_read(request, job->abort_event, (BYTE *)range, sizeof(range), &len);
        WinHttpCloseHandle(request);
        request = NULL;
    }

    if (on_demand)
    {
        if (!(buffer = HeapAlloc(GetProcessHeap(), 0, HTTP_READ_BUFFER_SIZE))) hr = E_OUTOFMEMORY;
        else hr = download_on_demand(t, req, size, restart, buffer, error);
        goto done;
    }
    if (early.done)
    {
        hr = early.hr;
        output = early.handle;
        offset = early.offset;
    }
    else hr = transfer_open_output(t, &offset, &output, NULL);
    if (FAILED(hr))
    {
        output = INVALID_HANDLE_VALUE;
        local_error(hr, error);
        goto done;
    }
    if (dynamic && offset)
    {
        /* Dynamic content has no resume: start again. */
        LARGE_INTEGER zero = { 0 };
        SetFilePointerEx(output, zero, NULL, FILE_BEGIN);
        SetEndOfFile(output);
        offset = 0;
    }
    if (!ranges && size != BG_SIZE_UNKNOWN && offset >= size)
    {
        hr = S_OK;
        goto done;
    }

    if (ranges)
    {
        if (!(buffer = HeapAlloc(GetProcessHeap(), 0, HTTP_READ_BUFFER_SIZE))) hr = E_OUTOFMEMORY;
        else hr = download_ranges(t, req, output, offset, size, ranges, range_count, buffer, error);
        goto done;
    }

    for (;;)
    {
        if (!request)
        {
            if (offset) swprintf(range, ARRAYSIZE(range), L"Range: bytes=%I64u-", offset);
            if (!(request = send_for_body(t, req, req->method ? req->method : L"GET", offset ? range : NULL, &status,
                                          error)))
            {
                hr = error->code;
                goto done;
            }
        }
        if (!offset)
        {
            /* A part of the file nobody asked for. */
            if (status == 206)
            {
                hr = invalid_response(error, FALSE);
                goto done;
            }
            break;
        }
        if (status != 206)
        {
            /* The server ignored the Range: its body would start at 0. */
            hr = transfer_error_set(error, BG_E_INSUFFICIENT_RANGE_SUPPORT, BG_ERROR_CONTEXT_REMOTE_FILE, FALSE);
            goto done;
        }
        /* Every byte of the 206 must be the rest of the version of the file whose start is in
         * the temp file: the range asked for, the same total, the same validators. */
        if (FAILED(hr = http_check_partial(request, offset, size - 1, size, error))) goto done;
        if (hr == S_OK && !validators_changed(t, request)) break;
        if (restarted)
        {
            /* Changed again while it restarted: try later. */
            hr = invalid_response(error, TRUE);
            goto done;
        }
        /* Another version: start it from 0 with a GET of the whole file. */
        restarted = TRUE;
        WinHttpCloseHandle(request);
        request = NULL;
        restart_file(t);
        if (!output_rewind(output))
        {
            local_error(hr = HRESULT_FROM_WIN32(GetLastError()), error);
            goto done;
        }
        offset = 0;
        size = BG_SIZE_UNKNOWN;
    }
    report_final_url(t, req);
    /* The length of the body is the end of the file: the GET of a restarted file and dynamic
     * content take their size from it, and a 200 with another length than the
     * HEAD's is another version of the file. */
    if (!offset && query_uint64(request, WINHTTP_QUERY_CONTENT_LENGTH, &length) && length != size)
    {
        if (dynamic)
        {
            if (FAILED(hr = size_error(transfer_set_size(t, length, NULL, NULL), error))) goto done;
            size = length;
        }
        else if (FAILED(hr = take_size(t, request, &size, NULL, error))) goto done;
    }
    else if (!dynamic && size == BG_SIZE_UNKNOWN && FAILED(hr = take_size(t, request, &size, NULL, error)))
        goto done;

    /* What is left of a file of known size, when that is less than a block: http_read_body never
     * asks for more than remains (a small file then costs no mapping of a 1 MiB block). */
    if (!(buffer = HeapAlloc(GetProcessHeap(), 0, size != BG_SIZE_UNKNOWN
                             ? (SIZE_T)max(1, min((UINT64)HTTP_READ_BUFFER_SIZE, size - offset))
                             : HTTP_READ_BUFFER_SIZE)))
    {
        hr = E_OUTOFMEMORY;
        goto done;
    }
    done = offset;
    end = size == BG_SIZE_UNKNOWN ? ~(UINT64)0 : size;
    if (FAILED(hr = http_read_body(t, request, output, &done, end, buffer, transfer_progress, error))) goto done;
    if (size == BG_SIZE_UNKNOWN)
        transfer_set_size(t, done, NULL, NULL);     /* dynamic content: the size is what came */
    else if (done < size)
    {
        /* The connection ended early: keep the bytes, retry later from here; dynamic
         * content starts again then. */
        hr = transfer_error_set(error, HRESULT_FROM_WIN32(ERROR_WINHTTP_CONNECTION_ERROR),
                                BG_ERROR_CONTEXT_REMOTE_FILE, TRUE);
        goto done;
    }
    hr = S_OK;

done:
    if (output != INVALID_HANDLE_VALUE) CloseHandle(output);
    if (hr == S_OK && req)
    {
        transfer_defer_close(t, req, request);
        req = NULL;
        request = NULL;
    }
    if (request) WinHttpCloseHandle(request);
    HeapFree(GetProcessHeap(), 0, buffer);
    heap_free(ranges);
    if (req) http_close(req);
    return hr;
}

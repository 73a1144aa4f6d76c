/*
 * digest.c: HTTP Digest access authentication (RFC 7616, RFC 2617) for the transfer sessions
 * of http.c, since Wine 8's WinHTTP has no Digest scheme. Owns: parsing a challenge and
 * computing the answer to it (MD5, MD5-sess, SHA-256, SHA-256-sess; qop auth, auth-int or
 * none) with a client nonce of ours and the nonce count. Hashes come from CryptoAPI.
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
#include "digest.h"
#include <ntsecapi.h>

BITS_DEFAULT_DEBUG_CHANNEL(qmgr);

void digest_clear(struct digest_auth *auth)
{
    heap_free(auth->realm);
    heap_free(auth->nonce);
    heap_free(auth->opaque);
    memset(auth, 0, sizeof(*auth));
}

static char *utf8_from_wide(const WCHAR *s)
{
    int len = WideCharToMultiByte(CP_UTF8, 0, s ? s : L"", -1, NULL, 0, NULL, NULL);
    char *ret;

    if (len <= 0 || !(ret = heap_alloc_zero(len))) return NULL;
    WideCharToMultiByte(CP_UTF8, 0, s ? s : L"", -1, ret, len, NULL, NULL);
    return ret;
}

static char *strndup_a(const char *s, size_t len)
{
    char *ret = heap_alloc_zero(len + 1);

    if (ret) memcpy(ret, s, len);
    return ret;
}

/* tchar of RFC 9110 */
static BOOL is_tchar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
           || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static const char *skip_space(const char *p)
{
    while (*p == ' ' || *p == '\t') p++;
    return p;
}

/* A parameter value at p: a quoted string (backslash escapes removed) or a token. */
static char *parse_value(const char **pp)
{
    const char *p = *pp, *start;
    char *ret, *out;

    if (*p != '"')
    {
        start = p;
        while (*p && *p != ',' && *p != ' ' && *p != '\t') p++;
        *pp = p;
        return strndup_a(start, p - start);
    }
    start = ++p;
    while (*p && *p != '"')
    {
        if (*p == '\\' && p[1]) p++;
        p++;
    }
    if (!(ret = out = heap_alloc_zero(p - start + 1))) return NULL;
    for (; start < p; start++)
    {
        if (*start == '\\' && start + 1 < p) start++;
        *out++ = *start;
    }
    *pp = *p ? p + 1 : p;
    return ret;
}

/* Whether a comma separated list (qop="auth,auth-int") has the item. */
static BOOL list_has(const char *list, const char *item)
{
    size_t len = strlen(item);
    const char *p = list;

    while (*p)
    {
        while (*p == ' ' || *p == '\t' || *p == ',') p++;
        if (!_strnicmp(p, item, len) && (!p[len] || p[len] == ',' || p[len] == ' ' || p[len] == '\t')) return TRUE;
        while (*p && *p != ',') p++;
    }
    return FALSE;
}

struct challenge
{
    char *realm, *nonce, *opaque, *algorithm, *qop, *stale, *userhash;
};

static void challenge_free(struct challenge *c)
{
    heap_free(c->realm);
    heap_free(c->nonce);
    heap_free(c->opaque);
    heap_free(c->algorithm);
    heap_free(c->qop);
    heap_free(c->stale);
    heap_free(c->userhash);
    memset(c, 0, sizeof(*c));
}

/* Take a complete Digest challenge into auth if we can answer it. */
static BOOL challenge_accept(struct challenge *c, struct digest_auth *auth, BOOL *stale)
{
    enum digest_algorithm algorithm;
    enum digest_qop qop = DIGEST_QOP_NONE;
    BYTE random[16];
    unsigned int i;

    if (!c->realm || !c->nonce) return FALSE;
    if (!c->algorithm || !_stricmp(c->algorithm, "MD5")) algorithm = DIGEST_MD5;
    else if (!_stricmp(c->algorithm, "MD5-sess")) algorithm = DIGEST_MD5_SESS;
    else if (!_stricmp(c->algorithm, "SHA-256")) algorithm = DIGEST_SHA256;
    else if (!_stricmp(c->algorithm, "SHA-256-sess")) algorithm = DIGEST_SHA256_SESS;
    else
    {
        TRACE("algorithm %s not supported\n", c->algorithm);
        return FALSE;
    }
    if (c->qop)
    {
        if (list_has(c->qop, "auth")) qop = DIGEST_QOP_AUTH;
        else if (list_has(c->qop, "auth-int")) qop = DIGEST_QOP_AUTH_INT;
        else
        {
            TRACE("qop %s not supported\n", c->qop);
            return FALSE;
        }
    }
    if (!RtlGenRandom(random, sizeof(random))) return FALSE;
    digest_clear(auth);
    auth->realm = c->realm;
    auth->nonce = c->nonce;
    auth->opaque = c->opaque;
    c->realm = c->nonce = c->opaque = NULL;
    auth->algorithm = algorithm;
    auth->qop = qop;
    auth->userhash = c->userhash && !_stricmp(c->userhash, "true");
    for (i = 0; i < sizeof(random); i++) sprintf(auth->cnonce + 2 * i, "%02x", random[i]);
    *stale = c->stale && !_stricmp(c->stale, "true");
    return TRUE;
}

BOOL digest_parse_challenge(const WCHAR *value, struct digest_auth *auth, BOOL *stale)
{
    struct challenge c = { 0 };
    BOOL in_digest = FALSE, done = FALSE;
    char *header, *name, *val, **field;
    const char *p, *start;

    *stale = FALSE;
    if (!(header = utf8_from_wide(value))) return FALSE;
    p = header;
    while (!done)
    {
        while (*p == ' ' || *p == '\t' || *p == ',') p++;
        if (!*p) break;
        start = p;
        while (is_tchar(*p)) p++;
        if (p == start)
        {
            p++;                                    /* not a token: skip it */
            continue;
        }
        name = strndup_a(start, p - start);
        p = skip_space(p);
        if (*p != '=')
        {
            /* An auth-scheme: the start of a new challenge, the end of a Digest one. */
            if (in_digest) done = challenge_accept(&c, auth, stale);
            challenge_free(&c);
            in_digest = name && !_stricmp(name, "Digest");
            heap_free(name);
            continue;
        }
        p = skip_space(p + 1);
        if (*p == '=')
        {
            while (*p == '=') p++;                  /* the padding of a token68 */
            heap_free(name);
            continue;
        }
        val = parse_value(&p);
        field = NULL;
        if (in_digest && name)
        {
            if (!_stricmp(name, "realm")) field = &c.realm;
            else if (!_stricmp(name, "nonce")) field = &c.nonce;
            else if (!_stricmp(name, "opaque")) field = &c.opaque;
            else if (!_stricmp(name, "algorithm")) field = &c.algorithm;
            else if (!_stricmp(name, "qop")) field = &c.qop;
            else if (!_stricmp(name, "stale")) field = &c.stale;
            else if (!_stricmp(name, "userhash")) field = &c.userhash;
        }
        if (field)
        {
            heap_free(*field);
            *field = val;
        }
        else heap_free(val);
        heap_free(name);
    }
    if (!done && in_digest) done = challenge_accept(&c, auth, stale);
    challenge_free(&c);
    heap_free(header);
    return done;
}

/* The lowercase hex hash of len bytes; hex has room for 65 characters. */
static BOOL hash_hex(HCRYPTPROV prov, enum digest_algorithm algorithm, const void *data, DWORD len, char *hex)
{
    BOOL sha = algorithm == DIGEST_SHA256 || algorithm == DIGEST_SHA256_SESS;
    BYTE value[32];
    DWORD size = sizeof(value), i;
    HCRYPTHASH hash;
    BOOL ret;

    if (!CryptCreateHash(prov, sha ? CALG_SHA_256 : CALG_MD5, 0, 0, &hash)) return FALSE;
    ret = CryptHashData(hash, data, len, 0) && CryptGetHashParam(hash, HP_HASHVAL, value, &size, 0);
    CryptDestroyHash(hash);
    if (!ret) return FALSE;
    for (i = 0; i < size; i++) sprintf(hex + 2 * i, "%02x", value[i]);
    hex[2 * size] = 0;
    return TRUE;
}

/* The hash of strings joined with ':' (NULL ends the list). */
static BOOL hash_joined(HCRYPTPROV prov, enum digest_algorithm algorithm, char *hex, ...)
{
    size_t len = 0;
    const char *s;
    char *buf;
    va_list args;
    BOOL ret, first;

    va_start(args, hex);
    while ((s = va_arg(args, const char *))) len += strlen(s) + 1;
    va_end(args);
    if (!(buf = heap_alloc_zero(len + 1))) return FALSE;
    va_start(args, hex);
    for (first = TRUE; (s = va_arg(args, const char *)); first = FALSE)
    {
        if (!first) strcat(buf, ":");
        strcat(buf, s);
    }
    va_end(args);
    ret = hash_hex(prov, algorithm, buf, (DWORD)strlen(buf), hex);
    SecureZeroMemory(buf, len);
    heap_free(buf);
    return ret;
}

/* A quoted-string of s (quotes and backslashes escaped) appended to out. */
static void append_quoted(char *out, const char *s)
{
    out += strlen(out);
    *out++ = '"';
    for (; *s; s++)
    {
        if (*s == '"' || *s == '\\') *out++ = '\\';
        *out++ = *s;
    }
    *out++ = '"';
    *out = 0;
}

static const char *algorithm_name(enum digest_algorithm algorithm)
{
    switch (algorithm)
    {
    case DIGEST_MD5_SESS: return "MD5-sess";
    case DIGEST_SHA256: return "SHA-256";
    case DIGEST_SHA256_SESS: return "SHA-256-sess";
    default: return "MD5";
    }
}

WCHAR *digest_authorization(struct digest_auth *auth, const WCHAR *user, const WCHAR *password,
                            const WCHAR *method, const WCHAR *uri, const void *body, DWORD body_len)
{
    char ha1[65], ha2[65], response[65], body_hash[65], name_hash[65], nc[9];
    char *user_a = utf8_from_wide(user), *password_a = utf8_from_wide(password);
    char *method_a = utf8_from_wide(method), *uri_a = utf8_from_wide(uri), *out = NULL;
    const char *qop = auth->qop == DIGEST_QOP_AUTH ? "auth" : "auth-int";
    HCRYPTPROV prov = 0;
    WCHAR *ret = NULL;
    size_t len;
    int wlen;
    BOOL ok;

    if (!user_a || !password_a || !method_a || !uri_a || !auth->nonce || !auth->realm) goto done;
    if (!CryptAcquireContextW(&prov, NULL, NULL, PROV_RSA_AES, CRYPT_VERIFYCONTEXT))
    {
        WARN("no CryptoAPI provider (%lu)\n", GetLastError());
        prov = 0;
        goto done;
    }
    sprintf(nc, "%08lx", ++auth->nc);
    /* HA1 = H(user:realm:password), and for -sess H(HA1:nonce:cnonce) */
    ok = hash_joined(prov, auth->algorithm, ha1, user_a, auth->realm, password_a, NULL);
    if (ok && (auth->algorithm == DIGEST_MD5_SESS || auth->algorithm == DIGEST_SHA256_SESS))
        ok = hash_joined(prov, auth->algorithm, ha1, ha1, auth->nonce, auth->cnonce, NULL);
    /* HA2 = H(method:uri), and for auth-int H(method:uri:H(body)) */
    if (ok && auth->qop == DIGEST_QOP_AUTH_INT)
        ok = hash_hex(prov, auth->algorithm, body ? body : "", body ? body_len : 0, body_hash)
             && hash_joined(prov, auth->algorithm, ha2, method_a, uri_a, body_hash, NULL);
    else if (ok)
        ok = hash_joined(prov, auth->algorithm, ha2, method_a, uri_a, NULL);
    if (ok && auth->qop == DIGEST_QOP_NONE)
        ok = hash_joined(prov, auth->algorithm, response, ha1, auth->nonce, ha2, NULL);
    else if (ok)
        ok = hash_joined(prov, auth->algorithm, response, ha1, auth->nonce, nc, auth->cnonce, qop, ha2, NULL);
    if (ok && auth->userhash) ok = hash_joined(prov, auth->algorithm, name_hash, user_a, auth->realm, NULL);
    SecureZeroMemory(ha1, sizeof(ha1));
    if (!ok) goto done;

    len = 2 * (strlen(user_a) + strlen(auth->realm) + strlen(auth->nonce) + strlen(uri_a)
               + (auth->opaque ? strlen(auth->opaque) : 0)) + 400;
    if (!(out = heap_alloc_zero(len))) goto done;
    strcpy(out, "Digest username=");
    append_quoted(out, auth->userhash ? name_hash : user_a);
    strcat(out, ", realm=");
    append_quoted(out, auth->realm);
    strcat(out, ", nonce=");
    append_quoted(out, auth->nonce);
    strcat(out, ", uri=");
    append_quoted(out, uri_a);
    sprintf(out + strlen(out), ", algorithm=%s, response=\"%s\"", algorithm_name(auth->algorithm), response);
    if (auth->opaque)
    {
        strcat(out, ", opaque=");
        append_quoted(out, auth->opaque);
    }
    if (auth->qop != DIGEST_QOP_NONE)
        sprintf(out + strlen(out), ", qop=%s, nc=%s, cnonce=\"%s\"", qop, nc, auth->cnonce);
    if (auth->userhash) strcat(out, ", userhash=true");

    wlen = MultiByteToWideChar(CP_UTF8, 0, out, -1, NULL, 0);
    if (wlen > 0 && (ret = heap_alloc_zero(wlen * sizeof(WCHAR))))
        MultiByteToWideChar(CP_UTF8, 0, out, -1, ret, wlen);

done:
    if (prov) CryptReleaseContext(prov, 0);
    if (password_a)
    {
        SecureZeroMemory(password_a, strlen(password_a));
        heap_free(password_a);
    }
    heap_free(user_a);
    heap_free(method_a);
    heap_free(uri_a);
    heap_free(out);
    return ret;
}

/*
 * In-process unit tests of digest.c (HTTP Digest authentication, RFC 7616 / RFC 2617): parsing
 * challenges, including several schemes in one header, and the responses of the RFCs' worked
 * examples, with MD5-sess, auth-int, no qop and userhash checked against values computed
 * independently (Python hashlib).
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
#include "wine/test.h"

static const char *field(const WCHAR *header, const char *name, char *buf, size_t size)
{
    char a[2048], key[64];
    const char *p;
    size_t i = 0;

    WideCharToMultiByte(CP_UTF8, 0, header, -1, a, sizeof(a), NULL, NULL);
    sprintf(key, " %s=", name);
    if (!(p = strstr(a, key))) return NULL;
    p += strlen(key);
    if (*p == '"')
    {
        for (p++; *p && *p != '"' && i + 1 < size; p++)
        {
            if (*p == '\\') p++;
            buf[i++] = *p;
        }
    }
    else
        for (; *p && *p != ',' && i + 1 < size; p++) buf[i++] = *p;
    buf[i] = 0;
    return buf;
}

static void check_field(const WCHAR *header, const char *name, const char *expect, int line)
{
    char buf[256];
    const char *got = header ? field(header, name, buf, sizeof(buf)) : NULL;

    if (!expect) ok_(__FILE__, line)(!got, "%s present: %s\n", name, got);
    else ok_(__FILE__, line)(got && !strcmp(got, expect), "%s: got %s, expected %s\n", name, got, expect);
}
#define check_field(h, n, e) check_field(h, n, e, __LINE__)

static void test_rfc7616(void)
{
    static const WCHAR sha256[] = L"Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", "
        L"algorithm=SHA-256, nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", "
        L"opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"";
    static const WCHAR md5[] = L"Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", "
        L"algorithm=MD5, nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", "
        L"opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"";
    struct digest_auth auth = { 0 };
    WCHAR *header;
    BOOL stale = TRUE;

    ok(digest_parse_challenge(sha256, &auth, &stale), "SHA-256 challenge refused\n");
    ok(!stale, "stale\n");
    ok(auth.algorithm == DIGEST_SHA256 && auth.qop == DIGEST_QOP_AUTH, "algorithm %d qop %d\n", auth.algorithm, auth.qop);
    ok(strlen(auth.cnonce) == 32, "cnonce %s\n", auth.cnonce);
    strcpy(auth.cnonce, "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ");
    header = digest_authorization(&auth, L"Mufasa", L"Circle of Life", L"GET", L"/dir/index.html", NULL, 0);
    ok(header && !wcsncmp(header, L"Digest ", 7), "header %s\n", wine_dbgstr_w(header));
    check_field(header, "response", "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
    check_field(header, "username", "Mufasa");
    check_field(header, "realm", "http-auth@example.org");
    check_field(header, "uri", "/dir/index.html");
    check_field(header, "algorithm", "SHA-256");
    check_field(header, "nc", "00000001");
    check_field(header, "qop", "auth");
    check_field(header, "opaque", "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS");
    heap_free(header);

    ok(digest_parse_challenge(md5, &auth, &stale), "MD5 challenge refused\n");
    ok(auth.nc == 0, "nc %lu after a new challenge\n", auth.nc);
    strcpy(auth.cnonce, "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ");
    header = digest_authorization(&auth, L"Mufasa", L"Circle of Life", L"GET", L"/dir/index.html", NULL, 0);
    check_field(header, "response", "8ca523f5e9506fed4657c9700eebdbec");
    check_field(header, "algorithm", "MD5");
    heap_free(header);
    digest_clear(&auth);
}

static void test_rfc2617(void)
{
    static const WCHAR challenge[] = L"Digest realm=\"testrealm@host.com\", qop=\"auth,auth-int\", "
        L"nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"";
    struct digest_auth auth = { 0 };
    WCHAR *header;
    BOOL stale;

    ok(digest_parse_challenge(challenge, &auth, &stale), "challenge refused\n");
    ok(auth.algorithm == DIGEST_MD5, "algorithm %d\n", auth.algorithm);
    strcpy(auth.cnonce, "0a4f113b");
    header = digest_authorization(&auth, L"Mufasa", L"Circle Of Life", L"GET", L"/dir/index.html", NULL, 0);
    check_field(header, "response", "6629fae49393a05397450978507c4ef1");
    check_field(header, "nc", "00000001");
    check_field(header, "cnonce", "0a4f113b");
    heap_free(header);

    /* The same nonce again: the count goes up (and so the response changes). */
    header = digest_authorization(&auth, L"Mufasa", L"Circle Of Life", L"GET", L"/dir/index.html", NULL, 0);
    check_field(header, "nc", "00000002");
    heap_free(header);

    /* MD5-sess, second use. */
    auth.algorithm = DIGEST_MD5_SESS;
    auth.nc = 1;
    header = digest_authorization(&auth, L"Mufasa", L"Circle Of Life", L"GET", L"/dir/index.html", NULL, 0);
    check_field(header, "response", "d16df0df0d92cef8935129145e21b5e1");
    check_field(header, "algorithm", "MD5-sess");
    heap_free(header);

    /* auth-int hashes the body. */
    auth.algorithm = DIGEST_MD5;
    auth.qop = DIGEST_QOP_AUTH_INT;
    auth.nc = 0;
    header = digest_authorization(&auth, L"Mufasa", L"Circle Of Life", L"POST", L"/up", "hello", 5);
    check_field(header, "response", "f25a8226d92fee019aea26f6a1270794");
    check_field(header, "qop", "auth-int");
    heap_free(header);

    /* RFC 2069 style without qop: no nc or cnonce; quotes in the uri are escaped. */
    auth.qop = DIGEST_QOP_NONE;
    header = digest_authorization(&auth, L"Mufasa", L"Circle Of Life", L"HEAD", L"/a b?x=\"1\"", NULL, 0);
    check_field(header, "response", "b2caa7da970ccad80cf779941415b47d");
    check_field(header, "uri", "/a b?x=\"1\"");
    check_field(header, "nc", NULL);
    check_field(header, "cnonce", NULL);
    check_field(header, "qop", NULL);
    heap_free(header);

    /* userhash: the name goes out as H(user:realm). */
    auth.userhash = TRUE;
    auth.algorithm = DIGEST_SHA256_SESS;
    heap_free(auth.realm);
    auth.realm = heap_alloc_zero(32);
    strcpy(auth.realm, "http-auth@example.org");
    header = digest_authorization(&auth, L"Mufasa", L"x", L"GET", L"/", NULL, 0);
    check_field(header, "username", "a947aad205e80e429958a387394944c6b496301e79f89d35a4cc23b6ee12b5b6");
    check_field(header, "userhash", "true");
    heap_free(header);
    digest_clear(&auth);
}

static void test_parse(void)
{
    struct digest_auth auth = { 0 };
    BOOL stale;

    /* Several challenges in one value; Digest after Basic and a token68 scheme. */
    ok(digest_parse_challenge(L"Negotiate YII=, Basic realm=\"a, b\", Digest realm=r, nonce=\"n1\", stale=TRUE, "
                              L"algorithm=md5-sess, Bearer", &auth, &stale), "challenge refused\n");
    ok(stale, "not stale\n");
    ok(!strcmp(auth.realm, "r") && !strcmp(auth.nonce, "n1") && !auth.opaque, "realm %s nonce %s\n", auth.realm, auth.nonce);
    ok(auth.algorithm == DIGEST_MD5_SESS && auth.qop == DIGEST_QOP_NONE, "algorithm %d qop %d\n", auth.algorithm, auth.qop);

    /* The first Digest challenge we can answer wins. */
    ok(digest_parse_challenge(L"Digest realm=x, nonce=a, algorithm=SHA-512-256, Digest realm=y, nonce=\"b\\\"c\", qop=auth-int",
                              &auth, &stale), "challenge refused\n");
    ok(!strcmp(auth.realm, "y") && !strcmp(auth.nonce, "b\"c") && auth.qop == DIGEST_QOP_AUTH_INT,
       "realm %s nonce %s qop %d\n", auth.realm, auth.nonce, auth.qop);

    /* Nothing to answer: no Digest, an unknown algorithm or qop, no nonce. */
    ok(!digest_parse_challenge(L"Basic realm=\"bits-test\"", &auth, &stale), "Basic accepted\n");
    ok(!digest_parse_challenge(L"Digest realm=x, nonce=a, algorithm=SHA-512-256", &auth, &stale), "accepted\n");
    ok(!digest_parse_challenge(L"Digest realm=x, nonce=a, qop=\"auth-conf\"", &auth, &stale), "accepted\n");
    ok(!digest_parse_challenge(L"Digest realm=x", &auth, &stale), "accepted without a nonce\n");
    ok(!digest_parse_challenge(L"", &auth, &stale), "empty accepted\n");
    ok(!strcmp(auth.realm, "y"), "a refused challenge changed the state\n");
    digest_clear(&auth);
}

START_TEST(digest)
{
    test_rfc7616();
    test_rfc2617();
    test_parse();
}

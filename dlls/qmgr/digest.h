/*
 * digest.h: HTTP Digest access authentication (RFC 7616, RFC 2617), which Wine 8's WinHTTP
 * lacks. http.c keeps one digest_auth per target (server, proxy) of a session: the last
 * challenge's parameters and the nonce count, so that later requests answer without a 401.
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

#ifndef __QMGR_DIGEST_H
#define __QMGR_DIGEST_H

enum digest_algorithm { DIGEST_MD5, DIGEST_MD5_SESS, DIGEST_SHA256, DIGEST_SHA256_SESS };
enum digest_qop { DIGEST_QOP_NONE, DIGEST_QOP_AUTH, DIGEST_QOP_AUTH_INT };

struct digest_auth
{
    char *realm, *nonce, *opaque;      /* UTF-8, from the challenge; NULL when not known */
    enum digest_algorithm algorithm;
    enum digest_qop qop;
    BOOL userhash;                     /* RFC 7616: the user name goes out hashed */
    ULONG nc;                          /* requests answered with this nonce so far */
    char cnonce[64];                   /* ours (32 hex digits), new for each nonce */
};

/* Take the first Digest challenge of a WWW-Authenticate or Proxy-Authenticate value that we
 * can answer (algorithm MD5, MD5-sess, SHA-256 or SHA-256-sess; qop auth or auth-int or
 * none). TRUE when auth now holds it; *stale tells whether the server marked the nonce that
 * it refused as stale. A value may carry several challenges of several schemes. */
BOOL digest_parse_challenge(const WCHAR *value, struct digest_auth *auth, BOOL *stale);
/* The value of an Authorization (Proxy-Authorization) header answering auth for one request:
 * "Digest username=...". Counts the nonce use. body is hashed for qop auth-int only. NULL if
 * out of memory or if CryptoAPI fails. Free with heap_free. */
WCHAR *digest_authorization(struct digest_auth *auth, const WCHAR *user, const WCHAR *password,
                            const WCHAR *method, const WCHAR *uri, const void *body, DWORD body_len);
void digest_clear(struct digest_auth *auth);

#endif /* __QMGR_DIGEST_H */

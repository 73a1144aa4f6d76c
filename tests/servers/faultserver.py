#!/usr/bin/env python3
"""tests/servers/faultserver.py: the fault-injecting HTTP/1.1 test server and HTTP proxy.

Python 3.11 standard library only. Listens on 127.0.0.1 only (never another address):

  * the fault server (files of --data plus fault endpoints, see ENDPOINTS below),
  * a forwarding proxy (absolute-URI requests and CONNECT, to 127.0.0.1/localhost origins only),
  * the same proxy requiring Basic proxy credentials (407 Proxy-Authenticate otherwise),
  * the same proxy requiring Digest proxy credentials (RFC 7616, MD5, qop=auth).

Usage:
  faultserver.py --data DIR --log FILE --ports-file FILE
                 [--fault-port N] [--proxy-port N] [--authproxy-port N] [--digestproxy-port N]
                 [--proxy-auth USER:PASS]

Ports default to 0 (the kernel picks a free one). Once every socket listens, the ports are
written to --ports-file as BITS_FAULT_PORT=, BITS_PROXY_PORT=, BITS_AUTHPROXY_PORT=,
BITS_DIGESTPROXY_PORT= lines (the
file appears atomically). Every request is appended as one JSON line to --log. SIGTERM or
SIGINT closes every listening and connected socket and exits with status 0.

ENDPOINTS (every <file> is a path below --data; counters are kept per exact request target,
path plus query, so a test adds e.g. "&id=mytest" to get fresh counters; GET /__reset clears
them all):

  /files/<file>                 GET/HEAD with Content-Length, Last-Modified, ETag,
                                Accept-Ranges: bytes; single-range GET -> 206 + Content-Range,
                                unsatisfiable -> 416 (Content-Range: bytes */size); If-Range;
                                a multi-range or malformed Range is ignored (200, full body)
  /status/<code>[/<anything>]   answers <code> (200..599) with a short body "bits-faultserver:
                                status <code>"; 401 adds WWW-Authenticate Basic, 407
                                Proxy-Authenticate Basic; ?retry-after=S adds Retry-After
  /flaky/<k>/<file>[?status=C]  the first k requests answer C (default 503), then as /files
  /drop/<file>?after=N[&times=K][&rst=1]
                                headers with the full Content-Length (206 for a Range), then N
                                body bytes, then the socket is closed (rst=1: TCP reset); every
                                GET does this, or only the first K GETs of this URL (later GETs
                                are served whole). HEAD is never dropped.
  /hangup/<file>[?times=K]      reads the request and closes the connection without any
                                response (every request, or the first K)
  /stall/<file>?after=N[&secs=S][&times=K]
                                like drop but then keeps the connection open without sending
                                for S seconds (default 60) before closing
  /nolength/<file>              GET: 200, no Content-Length, body delimited by closing the
                                connection, Range ignored, no Accept-Ranges; HEAD: 200 without
                                Content-Length
  /chunked/<file>               GET: 200 Transfer-Encoding: chunked, Range ignored, no
                                Accept-Ranges; HEAD: 200 without Content-Length
  /headlen/<file>               HEAD: 200 with Content-Length; GET without Range: 200 chunked
                                (no length); GET with Range: 206 as /files
  /norange/<file>               Range ignored: always 200 with the whole body and a
                                Content-Length; no Accept-Ranges header
  /slow/<file>?rate=B           like /files (ranges work) but the body trickles at B bytes/s
                                (default 65536)
  /changing/<file>[?after=N | ?every=N][&grow=B][&keeptime=1]
                                requests (HEAD and GET) to this URL are counted. Version 0 is the
                                file as it is. With after=N (default 1) requests 1..N see version
                                0 and all later ones version 1 (one change). With every=N the
                                version is (count-1)//N (every=1: a new version on every request).
                                Version v>0: every byte XOR ((v-1) % 255 + 1), v*B zero bytes
                                (XORed the same way) appended when grow=B, Last-Modified = file
                                mtime + v hours (unless keeptime=1), ETag changes with v.
  /redirect/<n>/<rest>[?code=C][&relative=1]
                                a chain of n redirects (C = 301, 302 (default), 303, 307, 308):
                                /redirect/n/x -> /redirect/n-1/x ... /redirect/1/x -> /files/x;
                                if <rest> starts with an endpoint name (e.g. auth/basic/4k.bin)
                                the chain ends at /<rest> instead. Location is absolute, or an
                                absolute path (relative=1).
  /redirect-to?url=U[&code=C]   one redirect to U (http:// or https:// on 127.0.0.1/localhost)
  /auth/basic/<rest>            401 + WWW-Authenticate: Basic realm="bits-test" unless the
                                request has Basic credentials bits / secret; then <rest> is
                                served (a file, or another endpoint such as drop/1m.bin?after=N)
  /auth/digest/<rest>[?nonce-uses=N]
                                RFC 7616 Digest, algorithm=MD5, qop="auth", realm="bits-test",
                                user bits / password secret; the nonce must be one this process
                                issued in the last 10 minutes (else 401 with stale=true), the
                                uri must equal the request target (or, when absolute, its
                                path), nc must be 8 hex digits and greater than any nc seen
                                before with that nonce (else 401: a replay), the response is
                                verified; success adds Authentication-Info with rspauth. With
                                nonce-uses=N a nonce answers N requests, then 401 stale=true
  /__log                        the request log so far (JSON lines, text/plain; not logged)
  /__reset                      clears the request log and every counter (not logged)
  /                             this help text

Proxy ports: "GET http://127.0.0.1:PORT/path HTTP/1.1" (any method) is forwarded to the origin
with hop-by-hop headers removed and "Via: 1.1 bits-test-proxy" added; the answer is streamed
back (close-delimited when the origin's was). "CONNECT 127.0.0.1:PORT" opens a tunnel (for
https through the proxy). Any other host -> 403. The auth proxy answers 407 with
Proxy-Authenticate: Basic realm="bits-proxy" until Proxy-Authorization carries USER:PASS
(default bits:secret). The digest proxy answers 407 with Proxy-Authenticate: Digest
realm="bits-proxy", qop="auth", algorithm=MD5 until Proxy-Authorization answers it (USER:PASS,
checked as /auth/digest does; the uri may be the absolute request target, its path, or the
CONNECT authority). /__log and /__reset work on the proxy ports too.

Log entries: {"t": unix time, "server": "fault"|"proxy"|"authproxy"|"digestproxy", "client_port", "method",
"target" (request target as sent), "version", "status" (null if no response was sent),
"range", "if_range", "user_agent", "host", "accept", "accept_encoding", "connection",
"content_length", "authorization" (scheme only, e.g. "Basic", or null),
"proxy_authorization" (scheme or null), "digest_nc" (the nc of a Digest Authorization or
Proxy-Authorization, or null), "headers" (every X-* and BITS-* header)}. An entry is
written when the status line is sent (so a proxied request is logged by the origin first).
Methods other than GET, HEAD (and CONNECT on the proxies) get 405 for now.
"""

# Copyright 2026 The wine-bits authors
#
# This library is free software; you can redistribute it and/or
# modify it under the terms of the GNU Lesser General Public
# License as published by the Free Software Foundation; either
# version 2.1 of the License, or (at your option) any later version.
#
# This library is distributed in the hope that it will be useful,
# but WITHOUT ANY WARRANTY; without even the implied warranty of
# MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the GNU
# Lesser General Public License for more details.
#
# You should have received a copy of the GNU Lesser General Public
# License along with this library; if not, write to the Free Software
# Foundation, Inc., 51 Franklin St, Fifth Floor, Boston, MA 02110-1301, USA

import argparse
import base64
import email.utils
import hashlib
import hmac
import os
import re
import secrets
import select
import socket
import sys
import time
import urllib.parse
import http.client

from httpbase import HOST, Abort, BaseHandler, LogState, Server, parse_query, parse_range, qint, run

LOCAL_NAMES = ("127.0.0.1", "localhost")
CHUNK = 65536
MAX_LOG_BYTES = 32 << 20     # the request log stops growing beyond this
MAX_LOG_READ = 8 << 20       # /__log returns at most the last 8 MiB
MAX_REQUEST_BODY = 1 << 20   # bodies of GET/HEAD/unsupported requests are read and discarded
REALM = "bits-test"
PROXY_REALM = "bits-proxy"
USER, PASSWORD = "bits", "secret"
NONCE_LIFETIME = 600
ENDPOINTS = ("files", "status", "flaky", "drop", "hangup", "stall", "nolength", "chunked", "headlen",
             "norange", "slow", "changing", "redirect", "redirect-to", "auth")
HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization",
              "proxy-connection", "te", "trailer", "trailers", "transfer-encoding", "upgrade"}


class State(LogState):
    """What the listeners share: the request log, counters, the digest secret, stop flag."""

    def __init__(self, data, log_path, proxy_auth):
        super().__init__(log_path, MAX_LOG_BYTES, MAX_LOG_READ)
        self.data = os.path.realpath(data)
        self.key = secrets.token_bytes(32)
        self.proxy_auth = proxy_auth
        self.nonce_uses = {}     # nonce -> requests it answered
        self.nonce_nc = {}       # nonce -> highest nc seen

    def reset(self):
        with self.lock:
            self.clear()
            self.nonce_uses.clear()
            self.nonce_nc.clear()

    def use_nonce(self, nonce, nc, max_uses):
        """'ok', 'replay' (nc not above the last one) or 'stale' (used max_uses times)."""
        with self.lock:
            if nc <= self.nonce_nc.get(nonce, 0):
                return "replay"
            if max_uses and self.nonce_uses.get(nonce, 0) >= max_uses:
                return "stale"
            if len(self.nonce_nc) > 100000:
                self.nonce_nc.clear()
                self.nonce_uses.clear()
            self.nonce_nc[nonce] = nc
            self.nonce_uses[nonce] = self.nonce_uses.get(nonce, 0) + 1
            return "ok"

    def new_nonce(self):
        """Time, a random part (every challenge has its own nonce) and our MAC of both."""
        value = "%x-%s" % (int(time.time()), secrets.token_hex(8))
        mac = hmac.new(self.key, value.encode(), hashlib.sha256).hexdigest()[:32]
        return value + "-" + mac

    def nonce_state(self, nonce):
        """'ok', 'stale' (ours but expired) or 'bad'."""
        m = re.fullmatch(r"(([0-9a-f]{1,16})-[0-9a-f]{16})-([0-9a-f]{32})", nonce or "")
        if not m:
            return "bad"
        mac = hmac.new(self.key, m.group(1).encode(), hashlib.sha256).hexdigest()[:32]
        if not hmac.compare_digest(mac, m.group(3)):
            return "bad"
        age = time.time() - int(m.group(2), 16)
        return "ok" if -5 <= age <= NONCE_LIFETIME else "stale"


class Entity:
    """A file as served: size, Last-Modified, ETag and its bytes (optionally transformed)."""

    def __init__(self, path, version=0, grow=0, keeptime=False):
        st = os.stat(path)
        self.path = path
        self.real_size = st.st_size
        self.version = version
        self.size = st.st_size + version * grow
        mtime = int(st.st_mtime)
        if version and not keeptime:
            mtime += version * 3600
        self.mtime = mtime
        self.last_modified = email.utils.formatdate(mtime, usegmt=True)
        self.etag = '"%x-%x%s"' % (mtime, self.size, "-v%d" % version if version else "")
        if version:
            key = (version - 1) % 255 + 1
            self.table = bytes(b ^ key for b in range(256))
        else:
            self.table = None
        self.f = None

    def read(self, offset, n):
        """Up to n bytes at offset (within size)."""
        n = min(n, self.size - offset)
        if n <= 0:
            return b""
        out = b""
        if offset < self.real_size:
            if self.f is None:
                self.f = open(self.path, "rb")
            self.f.seek(offset)
            out = self.f.read(min(n, self.real_size - offset))
        if len(out) < n:
            out += bytes(n - len(out))
        if self.table is not None:
            out = out.translate(self.table)
        return out

    def close(self):
        if self.f is not None:
            self.f.close()
            self.f = None


def auth_scheme(value):
    if not value:
        return None
    return value.split(None, 1)[0][:32]


def parse_auth_params(s):
    """The key=value list of a Digest header (quoted strings with backslash escapes)."""
    params = {}
    pos = 0
    rx = re.compile(r'\s*([!#$%&\'*+.^_`|~0-9A-Za-z-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*(,|$)')
    while pos < len(s):
        m = rx.match(s, pos)
        if not m:
            break
        val = m.group(2)
        if val is not None:
            val = re.sub(r"\\(.)", r"\1", val)
        else:
            val = m.group(3)
        params[m.group(1).lower()] = val
        pos = m.end()
    return params


def md5hex(s):
    return hashlib.md5(s.encode("utf-8")).hexdigest()


def digest_nc(value):
    """The nc of a Digest credentials header (for the log), or None."""
    scheme, _, rest = (value or "").partition(" ")
    if scheme.lower() != "digest":
        return None
    return parse_auth_params(rest).get("nc")


class Handler(BaseHandler):
    server_version = "bits-faultserver/1.0"

    # ---------------------------------------------------------------- plumbing

    def begin_request(self):
        self._logged = False
        self._status = None
        self.extra_headers = []
        self.key = ""

    def end_request(self):
        # A request that got no status line is logged with status null.
        if getattr(self, "command", None) and not self._logged and self._loggable():
            self._write_log(None)

    def _loggable(self):
        if not isinstance(getattr(self, "path", None), str):
            return False
        path = self.path
        if path.startswith("http"):
            try:
                path = urllib.parse.urlsplit(path).path
            except ValueError:
                return True
        return not (path.startswith("/__log") or path.startswith("/__reset"))

    def _write_log(self, status):
        self._logged = True
        h = getattr(self, "headers", None)
        get = (lambda k: h.get(k)) if h is not None else (lambda k: None)
        extra = {}
        if h is not None:
            for k, v in h.items():
                kl = k.lower()
                if kl.startswith("x-") or kl.startswith("bits-"):
                    extra[k] = v
        self.state.write_log({
            "t": round(time.time(), 3), "server": self.role,
            "client_port": self.client_address[1] if self.client_address else None,
            "method": self.command, "target": self.path, "version": self.request_version,
            "status": status, "range": get("Range"), "if_range": get("If-Range"),
            "user_agent": get("User-Agent"), "host": get("Host"), "accept": get("Accept"),
            "accept_encoding": get("Accept-Encoding"), "connection": get("Connection"),
            "content_length": get("Content-Length"),
            "authorization": auth_scheme(get("Authorization")),
            "proxy_authorization": auth_scheme(get("Proxy-Authorization")),
            "digest_nc": digest_nc(get("Authorization")) or digest_nc(get("Proxy-Authorization")),
            "headers": extra,
        })

    def send_response(self, code, message=None):
        self.log_status(code)
        super().send_response(code, message)

    def log_status(self, code):
        self._status = code
        if not self._logged and getattr(self, "command", None) and self._loggable():
            self._write_log(code)

    def discard_body(self):
        """Reads a request body we do not use, so the connection stays in sync."""
        if self.headers.get("Transfer-Encoding"):
            self.close_connection = True
            return
        try:
            n = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            n = -1
        if n < 0 or n > MAX_REQUEST_BODY:
            self.close_connection = True
            return
        self.skip_body(n, CHUNK)

    def simple(self, code, body=None, headers=(), content_type="text/plain; charset=utf-8"):
        """A complete response with a small body (none for HEAD, 204 and 304)."""
        if body is None:
            body = "bits-faultserver: status %d\n" % code
        if isinstance(body, str):
            body = body.encode("utf-8")
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        if code in (204, 304):
            self.end_headers()
            return
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    # ---------------------------------------------------------------- methods

    def do_GET(self):
        self.discard_body()
        if self.role == "fault":
            self.route()
        else:
            self.proxy()

    do_HEAD = do_GET

    def do_CONNECT(self):
        if self.role == "fault":
            self.simple(405, headers=[("Allow", "GET, HEAD")])
            self.close_connection = True
            return
        self.proxy_connect()

    def do_other(self):
        if self.role != "fault" and self.path.lower().startswith("http://"):
            self.proxy()
            return
        self.discard_body()
        self.simple(405, headers=[("Allow", "GET, HEAD")])

    # ---------------------------------------------------------------- fault server

    def route(self):
        target = self.path
        if target.lower().startswith(("http://", "https://")):
            parts = urllib.parse.urlsplit(target)
            target = parts.path + ("?" + parts.query if parts.query else "")
        if not target.startswith("/"):
            self.simple(400)
            return
        self.key = target
        path, _, query = target.partition("?")
        q = parse_query(query)
        segs = [urllib.parse.unquote(s) for s in path.split("/")[1:]]
        if path == "/__log":
            self.send_response(200)
            body = self.state.read_log()
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
            return
        if path == "/__reset":
            self.state.reset()
            self.simple(200, "reset\n")
            return
        if path == "/":
            self.simple(200, __doc__)
            return
        self.dispatch(segs, q)

    def dispatch(self, segs, q):
        name, rest = segs[0], segs[1:]
        fn = {
            "files": self.ep_files, "status": self.ep_status, "flaky": self.ep_flaky,
            "drop": self.ep_drop, "hangup": self.ep_hangup, "stall": self.ep_stall,
            "nolength": self.ep_nolength, "chunked": self.ep_chunked, "headlen": self.ep_headlen, "norange": self.ep_norange,
            "slow": self.ep_slow, "changing": self.ep_changing, "redirect": self.ep_redirect,
            "redirect-to": self.ep_redirect_to, "auth": self.ep_auth,
        }.get(name)
        # /manyheaders/<file>?lines=N&size=B: the file as /files, its response with N extra
        # header lines of B bytes each (CRLF included), X-Filler-000: xxx... (a server whose
        # headers exceed what BITS keeps of them).
        if fn is None and name == "manyheaders":
            fn = self.ep_manyheaders
        if fn is None:
            self.simple(404)
            return
        fn(rest, q)

    def ep_manyheaders(self, rest, q):
        lines, size = qint(q, "lines", 100, 0), qint(q, "size", 1000, 20)
        ent = self.open_file(rest)
        if ent:
            self.extra_headers = [("X-Filler-%03d" % i, "x" * (size - len("X-Filler-000: \r\n")))
                                  for i in range(min(lines, 1000))]
            self.serve(ent)

    def faulty(self, q):
        """True when this request should get the fault (times=K limits it to the first K)."""
        n = self.state.count(self.key)
        if "times" in q:
            return n <= qint(q, "times", 0)
        return True

    def open_file(self, rest, **kw):
        """The Entity for a path below the data directory, or None after answering 404."""
        rel = "/".join(rest)
        if not rel or "\0" in rel:
            self.simple(404)
            return None
        full = os.path.realpath(os.path.join(self.state.data, rel))
        if not full.startswith(self.state.data + os.sep) or not os.path.isfile(full):
            self.simple(404)
            return None
        try:
            return Entity(full, **kw)
        except OSError:
            self.simple(404)
            return None

    def ep_files(self, rest, q):
        ent = self.open_file(rest)
        if ent:
            self.serve(ent)

    def ep_status(self, rest, q):
        try:
            code = int(rest[0])
        except (IndexError, ValueError):
            code = 0
        if not 200 <= code <= 599:
            self.simple(400, "bad status code\n")
            return
        headers = []
        if code == 401:
            headers.append(("WWW-Authenticate", 'Basic realm="%s"' % REALM))
        elif code == 407:
            headers.append(("Proxy-Authenticate", 'Basic realm="%s"' % PROXY_REALM))
        elif code == 405:
            headers.append(("Allow", "GET, HEAD"))
        if "retry-after" in q:
            headers.append(("Retry-After", str(qint(q, "retry-after", 0))))
        self.simple(code, None if code not in (204, 304) else b"", headers, "text/html; charset=utf-8")

    def ep_flaky(self, rest, q):
        try:
            k = int(rest[0])
        except (IndexError, ValueError):
            self.simple(400, "usage: /flaky/<k>/<file>\n")
            return
        code = qint(q, "status", 503, 200, 599)
        if self.state.count(self.key) <= k:
            self.simple(code, None, [], "text/html; charset=utf-8")
            return
        ent = self.open_file(rest[1:])
        if ent:
            self.serve(ent)

    def ep_drop(self, rest, q):
        ent = self.open_file(rest)
        if not ent:
            return
        if self.command == "GET" and self.faulty(q):
            self.serve(ent, drop_after=qint(q, "after", 0), rst=q.get("rst") == "1")
        else:
            self.serve(ent)

    def ep_stall(self, rest, q):
        ent = self.open_file(rest)
        if not ent:
            return
        if self.command == "GET" and self.faulty(q):
            self.serve(ent, drop_after=qint(q, "after", 0), stall=qint(q, "secs", 60, 0, 3600))
        else:
            self.serve(ent)

    def ep_hangup(self, rest, q):
        if self.faulty(q):
            self.close_now()
        ent = self.open_file(rest)
        if ent:
            self.serve(ent)

    def ep_nolength(self, rest, q):
        ent = self.open_file(rest)
        if ent:
            self.serve(ent, ranges=False, length=False)

    def ep_chunked(self, rest, q):
        ent = self.open_file(rest)
        if ent:
            self.serve(ent, ranges=False, length=False, chunked=True)

    def ep_headlen(self, rest, q):
        ent = self.open_file(rest)
        if ent:
            self.serve(ent, chunked="Range" not in self.headers)

    def ep_norange(self, rest, q):
        ent = self.open_file(rest)
        if ent:
            self.serve(ent, ranges=False)

    def ep_slow(self, rest, q):
        ent = self.open_file(rest)
        if ent:
            self.serve(ent, rate=qint(q, "rate", 65536, 1))

    def ep_changing(self, rest, q):
        n = self.state.count(self.key)
        if "every" in q:
            version = (n - 1) // qint(q, "every", 1, 1)
        else:
            version = 1 if n > qint(q, "after", 1) else 0
        ent = self.open_file(rest, version=version, grow=qint(q, "grow", 0, 0, 1 << 30),
                             keeptime=q.get("keeptime") == "1")
        if ent:
            self.serve(ent)

    def base_url(self):
        return "http://%s:%d" % (HOST, self.server.server_address[1])

    def ep_redirect(self, rest, q):
        try:
            n = int(rest[0])
        except (IndexError, ValueError):
            n = -1
        if not 0 <= n <= 1000 or len(rest) < 2:
            self.simple(400, "usage: /redirect/<n>/<file>\n")
            return
        code = qint(q, "code", 302)
        if code not in (301, 302, 303, 307, 308):
            code = 302
        tail = rest[1:]
        if n == 0:
            self.dispatch(tail if tail[0] in ENDPOINTS else ["files"] + tail, q)
            return
        quoted = "/".join(urllib.parse.quote(s) for s in tail)
        if n > 1:
            loc = "/redirect/%d/%s" % (n - 1, quoted)
        elif tail[0] in ENDPOINTS:
            loc = "/" + quoted
        else:
            loc = "/files/" + quoted
        query = self.key.partition("?")[2]
        if query:
            loc += "?" + query
        self.simple(code, "redirect\n", [("Location", loc if qint(q, "relative", 0) else self.base_url() + loc)])

    def ep_redirect_to(self, rest, q):
        url = q.get("url", "")
        try:
            parts = urllib.parse.urlsplit(url)
            ok = parts.scheme in ("http", "https") and parts.hostname in LOCAL_NAMES
        except ValueError:
            ok = False
        if not ok:
            self.simple(400, "url must be http(s)://127.0.0.1 or localhost\n")
            return
        code = qint(q, "code", 302)
        if code not in (301, 302, 303, 307, 308):
            code = 302
        self.simple(code, "redirect\n", [("Location", url)])

    def ep_auth(self, rest, q):
        if not rest or rest[0] not in ("basic", "digest") or len(rest) < 2:
            self.simple(404)
            return
        ok, headers = (self.check_basic() if rest[0] == "basic" else self.check_digest(qint(q, "nonce-uses", 0)))
        if not ok:
            self.simple(401, "401 authentication required\n", headers, "text/html; charset=utf-8")
            return
        self.extra_headers = headers
        tail = rest[1:]
        self.dispatch(tail if tail[0] in ENDPOINTS else ["files"] + tail, q)

    def check_basic(self):
        challenge = [("WWW-Authenticate", 'Basic realm="%s"' % REALM)]
        value = self.headers.get("Authorization", "")
        scheme, _, cred = value.partition(" ")
        if scheme.lower() != "basic":
            return False, challenge
        try:
            user, _, pw = base64.b64decode(cred.strip(), validate=True).decode("utf-8").partition(":")
        except (ValueError, UnicodeDecodeError):
            return False, challenge
        if hmac.compare_digest(user.encode(), USER.encode()) and hmac.compare_digest(pw.encode(), PASSWORD.encode()):
            return True, []
        return False, challenge

    def check_digest(self, nonce_uses=0):
        uris = [self.path, self.key]
        return self.verify_digest("Authorization", "WWW-Authenticate", REALM, uris, nonce_uses)

    def verify_digest(self, header, challenge_header, realm, uris, nonce_uses=0):
        """RFC 7616 Digest (MD5, qop=auth or none) of header; (True, Authentication-Info
        headers) or (False, the challenge headers). uris: the accepted values of uri."""
        opaque = hashlib.md5(self.state.key + realm.encode()).hexdigest()

        def challenge(stale=False):
            v = 'Digest realm="%s", qop="auth", algorithm=MD5, nonce="%s", opaque="%s"' % (
                realm, self.state.new_nonce(), opaque)
            if stale:
                v += ", stale=true"
            return False, [(challenge_header, v)]

        value = self.headers.get(header, "")
        scheme, _, rest = value.partition(" ")
        if scheme.lower() != "digest":
            return challenge()
        p = parse_auth_params(rest)
        if p.get("username") != USER or p.get("realm") != realm:
            return challenge()
        if p.get("algorithm", "MD5").upper() != "MD5":
            return challenge()
        if "opaque" in p and p["opaque"] != opaque:
            return challenge()
        st = self.state.nonce_state(p.get("nonce"))
        if st != "ok":
            return challenge(st == "stale")
        uri = p.get("uri", "")
        rel = uri
        if uri.lower().startswith(("http://", "https://")):     # absolute-form (via a proxy)
            try:
                u = urllib.parse.urlsplit(uri)
                rel = u.path + ("?" + u.query if u.query else "")
            except ValueError:
                pass
        if uri not in uris and rel not in uris:
            return challenge()
        ha1 = md5hex("%s:%s:%s" % (USER, realm, PASSWORD))
        ha2 = md5hex("%s:%s" % (self.command, uri))
        qop = p.get("qop")
        if qop is None:          # RFC 2069 compatibility
            expect = md5hex("%s:%s:%s" % (ha1, p["nonce"], ha2))
        elif qop == "auth" and p.get("nc") and p.get("cnonce"):
            expect = md5hex("%s:%s:%s:%s:%s:%s" % (ha1, p["nonce"], p["nc"], p["cnonce"], qop, ha2))
        else:
            return challenge()
        if not hmac.compare_digest(expect, (p.get("response") or "").lower()):
            return challenge()
        if qop is not None:
            if not re.fullmatch(r"[0-9a-fA-F]{8}", p["nc"]):
                return challenge()
            use = self.state.use_nonce(p["nonce"], int(p["nc"], 16), nonce_uses)
            if use != "ok":
                return challenge(use == "stale")
        if qop is None:
            return True, []
        rsp = md5hex("%s:%s:%s:%s:%s:%s" % (ha1, p["nonce"], p["nc"], p["cnonce"], qop, md5hex(":" + uri)))
        info = "Proxy-Authentication-Info" if header == "Proxy-Authorization" else "Authentication-Info"
        return True, [(info, 'rspauth="%s", qop=auth, nc=%s, cnonce="%s"' % (rsp, p["nc"], p["cnonce"]))]

    # ---------------------------------------------------------------- serving a file

    def parse_range(self, size):
        """(start, end) inclusive, 'unsatisfiable', or None (serve the whole entity)."""
        return parse_range(self.headers.get("Range"), size)

    def serve(self, ent, ranges=True, length=True, chunked=False, rate=None,
              drop_after=None, rst=False, stall=None):
        try:
            self._serve(ent, ranges, length, chunked, rate, drop_after, rst, stall)
        finally:
            ent.close()

    def _serve(self, ent, ranges, length, chunked, rate, drop_after, rst, stall):
        rng = None
        if ranges and self.command == "GET":
            rng = self.parse_range(ent.size)
            if rng is not None and "If-Range" in self.headers:
                ifr = self.headers["If-Range"].strip()
                if ifr != ent.etag and ifr != ent.last_modified:
                    rng = None
        common = [("Last-Modified", ent.last_modified), ("ETag", ent.etag)]
        common += self.extra_headers
        if rng == "unsatisfiable":
            self.simple(416, "range not satisfiable\n",
                        common + [("Content-Range", "bytes */%d" % ent.size)])
            return
        if rng is None:
            start, end, code = 0, ent.size - 1, 200
        else:
            start, end = rng
            code = 206
        self.send_response(code)
        self.send_header("Content-Type", "application/octet-stream")
        for k, v in common:
            self.send_header(k, v)
        if ranges:
            self.send_header("Accept-Ranges", "bytes")
        if code == 206:
            self.send_header("Content-Range", "bytes %d-%d/%d" % (start, end, ent.size))
        if chunked and self.command == "GET":
            self.send_header("Transfer-Encoding", "chunked")
        elif length:
            self.send_header("Content-Length", str(end - start + 1))
        elif self.command == "GET":
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if self.command == "HEAD":
            return
        pos, left, sent = start, end - start + 1, 0
        began = time.monotonic()
        while left > 0:
            n = min(left, CHUNK)
            if rate:
                n = min(n, max(1, rate // 10))
            if drop_after is not None:
                n = min(n, drop_after - sent)
                if n <= 0:
                    break
            data = ent.read(pos, n)
            if not data:
                break
            if chunked:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            else:
                self.wfile.write(data)
            pos += len(data)
            left -= len(data)
            sent += len(data)
            if rate and left > 0:
                due = began + sent / rate - time.monotonic()
                if due > 0:
                    self.wait(due)
        if drop_after is not None and left > 0:
            if stall:
                self.wfile.flush()
                self.wait(stall)
            self.close_now(rst)
        if chunked:
            self.wfile.write(b"0\r\n\r\n")

    # ---------------------------------------------------------------- proxy

    def proxy_denied(self):
        """Answers 407 (auth proxies without valid credentials); True if it did."""
        if self.role == "digestproxy":
            uris = [self.path]
            if self.path.lower().startswith("http://"):
                parts = urllib.parse.urlsplit(self.path)
                uris.append((parts.path or "/") + ("?" + parts.query if parts.query else ""))
            ok, headers = self.verify_digest("Proxy-Authorization", "Proxy-Authenticate", PROXY_REALM, uris)
            if ok:
                return False
            self.discard_body()
            self.simple(407, "407 proxy authentication required\n", headers, "text/html; charset=utf-8")
            return True
        if self.role != "authproxy":
            return False
        value = self.headers.get("Proxy-Authorization", "")
        scheme, _, cred = value.partition(" ")
        if scheme.lower() == "basic":
            try:
                if base64.b64decode(cred.strip(), validate=True).decode("utf-8") == self.state.proxy_auth:
                    return False
            except (ValueError, UnicodeDecodeError):
                pass
        self.discard_body()
        self.simple(407, "407 proxy authentication required\n",
                    [("Proxy-Authenticate", 'Basic realm="%s"' % PROXY_REALM)], "text/html; charset=utf-8")
        return True

    def proxy(self):
        if not self.path.lower().startswith("http://"):
            if self.path in ("/__log", "/__reset"):
                self.route()
            else:
                self.discard_body()
                self.simple(400, "this is a proxy: absolute-URI requests only\n")
            return
        try:
            parts = urllib.parse.urlsplit(self.path)
            host, port = parts.hostname, parts.port or 80
        except ValueError:
            host = None
        if host not in LOCAL_NAMES:
            self.discard_body()
            self.simple(403, "this proxy only reaches 127.0.0.1\n")
            return
        if self.proxy_denied():
            return
        body = None
        if self.headers.get("Transfer-Encoding"):
            self.simple(411, "chunked request bodies are not supported\n")
            self.close_connection = True
            return
        try:
            n = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            n = -1
        if n < 0 or n > MAX_REQUEST_BODY:
            self.simple(413)
            self.close_connection = True
            return
        if n:
            body = self.rfile.read(n)
        origin_target = parts.path or "/"
        if parts.query:
            origin_target += "?" + parts.query
        conn = http.client.HTTPConnection(HOST, port, timeout=120)
        try:
            try:
                conn.putrequest(self.command, origin_target, skip_host=True, skip_accept_encoding=True)
                for k, v in self.headers.items():
                    if k.lower() not in HOP_BY_HOP:
                        conn.putheader(k, v)
                conn.putheader("Via", "1.1 bits-test-proxy")
                if "Host" not in self.headers:
                    conn.putheader("Host", parts.netloc)
                if body is not None and "Content-Length" not in self.headers:
                    conn.putheader("Content-Length", str(len(body)))
                conn.endheaders(body)
                resp = conn.getresponse()
            except (OSError, http.client.HTTPException) as e:
                self.simple(502, "bad gateway: %s\n" % e)
                return
            # The origin's status line and headers (its own Server and Date included).
            self.log_status(resp.status)
            self.send_response_only(resp.status, resp.reason)
            for k, v in resp.getheaders():
                if k.lower() not in HOP_BY_HOP:
                    self.send_header(k, v)
            self.send_header("Via", "1.1 bits-test-proxy")
            has_body = self.command != "HEAD" and resp.status not in (204, 304) and resp.status >= 200
            known = resp.getheader("Content-Length") is not None
            rechunk = has_body and not known and resp.chunked
            if rechunk:
                self.send_header("Transfer-Encoding", "chunked")
            elif has_body and not known:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            if not has_body:
                return
            while True:
                try:
                    data = resp.read1(CHUNK)
                except (OSError, http.client.HTTPException):
                    self.close_now()
                if not data:
                    break
                self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data) if rechunk else data)
            if known and resp.length:
                self.close_now()          # the origin closed early: so do we
            if rechunk:
                self.wfile.write(b"0\r\n\r\n")
        finally:
            conn.close()

    def proxy_connect(self):
        host, _, port = self.path.rpartition(":")
        host = host.strip("[]")
        try:
            port = int(port)
        except ValueError:
            port = 0
        if host not in LOCAL_NAMES or not 0 < port < 65536:
            self.simple(403, "this proxy only reaches 127.0.0.1\n")
            self.close_connection = True
            return
        if self.proxy_denied():
            return
        try:
            upstream = socket.create_connection((HOST, port), timeout=10)
        except OSError as e:
            self.simple(502, "bad gateway: %s\n" % e)
            return
        self.close_connection = True
        try:
            self.send_response(200, "Connection established")
            self.end_headers()
            self.wfile.flush()
            client = self.connection
            # Bytes the client sent right after the CONNECT header may sit in rfile's buffer:
            # peek at it without blocking and pass them on.
            pending = b""
            client.setblocking(False)
            try:
                pending = self.rfile.peek(CHUNK) or b""
            except (OSError, ValueError):
                pass
            finally:
                client.settimeout(self.timeout)
            if pending:
                upstream.sendall(self.rfile.read(len(pending)))
            socks = [client, upstream]
            while not self.state.stop.is_set():
                r, _, _ = select.select(socks, [], [], 0.5)
                for s in r:
                    data = s.recv(CHUNK)
                    if not data:
                        raise Abort()
                    (upstream if s is client else client).sendall(data)
        finally:
            upstream.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--ports-file", required=True)
    ap.add_argument("--fault-port", type=int, default=0)
    ap.add_argument("--proxy-port", type=int, default=0)
    ap.add_argument("--authproxy-port", type=int, default=0)
    ap.add_argument("--digestproxy-port", type=int, default=0)
    ap.add_argument("--proxy-auth", default="%s:%s" % (USER, PASSWORD),
                    help="USER:PASS the auth proxy requires (Basic)")
    a = ap.parse_args()

    state = State(a.data, a.log, a.proxy_auth)
    servers = [Server(a.fault_port, "fault", state, Handler), Server(a.proxy_port, "proxy", state, Handler),
               Server(a.authproxy_port, "authproxy", state, Handler),
               Server(a.digestproxy_port, "digestproxy", state, Handler)]
    return run(state, servers, a.ports_file,
               ("BITS_FAULT_PORT", "BITS_PROXY_PORT", "BITS_AUTHPROXY_PORT", "BITS_DIGESTPROXY_PORT"))


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""tests/servers/httpcheck.py: a small HTTP client for start.sh and tests/suites/servers.sh
(curl is not guaranteed to be installed). Standard library only.

As a module:  r = fetch(url, method="GET", headers={}, proxy=None, cafile=None, verify=False,
                        cert=None, timeout=10)
              r.status, r.reason, r.headers (lower-case names -> value), r.body (bytes),
              r.complete (False when the server closed before the announced end of the body),
              r.error (exception text when no response arrived at all; status is then None)
As a program:
  httpcheck.py wait [--timeout S] [--pid N]... URL...
      waits until every URL gives an HTTP response (any status; https is not verified);
      exit 0 when all did, 1 on timeout, 3 as soon as a --pid has died
  httpcheck.py waitfile [--timeout S] FILE   waits until FILE exists
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

import http.client
import os
import socket
import ssl
import sys
import time
import urllib.parse


class Result:
    def __init__(self):
        self.status = None
        self.reason = ""
        self.headers = {}
        self.body = b""
        self.complete = False
        self.error = None

    def __repr__(self):
        return "<Result %s %r len=%d complete=%s error=%s>" % (
            self.status, self.reason, len(self.body), self.complete, self.error)


def tls_context(verify=False, cafile=None, cert=None):
    ctx = ssl.create_default_context(cafile=cafile) if verify else ssl._create_unverified_context()
    if cert:
        ctx.load_cert_chain(*cert) if isinstance(cert, tuple) else ctx.load_cert_chain(cert)
    return ctx


def fetch(url, method="GET", headers=None, proxy=None, verify=False, cafile=None, cert=None,
          timeout=10):
    """One request on a fresh connection. proxy = "127.0.0.1:PORT" (absolute-URI for http,
    CONNECT for https)."""
    r = Result()
    u = urllib.parse.urlsplit(url)
    target = (u.path or "/") + ("?" + u.query if u.query else "")
    port = u.port or (443 if u.scheme == "https" else 80)
    try:
        if u.scheme == "https":
            ctx = tls_context(verify, cafile, cert)
            if proxy:
                ph, pp = proxy.rsplit(":", 1)
                conn = http.client.HTTPSConnection(ph, int(pp), timeout=timeout, context=ctx)
                tunnel_headers = {k: v for k, v in (headers or {}).items()
                                  if k.lower() == "proxy-authorization"}
                conn.set_tunnel(u.hostname, port, headers=tunnel_headers)
            else:
                conn = http.client.HTTPSConnection(u.hostname, port, timeout=timeout, context=ctx)
        else:
            if proxy:
                ph, pp = proxy.rsplit(":", 1)
                conn = http.client.HTTPConnection(ph, int(pp), timeout=timeout)
                target = url
            else:
                conn = http.client.HTTPConnection(u.hostname, port, timeout=timeout)
        conn.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
        conn.putheader("Host", u.netloc)
        for k, v in (headers or {}).items():
            conn.putheader(k, v)
        conn.endheaders()
        resp = conn.getresponse()
    except (OSError, http.client.HTTPException, ssl.SSLError) as e:
        r.error = "%s: %s" % (type(e).__name__, e)
        return r
    r.status, r.reason = resp.status, resp.reason
    r.headers = {k.lower(): v for k, v in resp.getheaders()}
    parts = []
    try:
        while True:
            data = resp.read1(65536)
            if not data:
                break
            parts.append(data)
        r.complete = not resp.length   # None (close-delimited) or 0 (all announced bytes came)
    except http.client.IncompleteRead as e:
        parts.append(e.partial)
        r.complete = False
    except (OSError, http.client.HTTPException) as e:
        r.error = "%s: %s" % (type(e).__name__, e)
        r.complete = False
    r.body = b"".join(parts)
    conn.close()
    return r


def raw(port, data, timeout=10):
    """Sends raw bytes to 127.0.0.1:port and returns everything read until the peer closes
    (or the timeout passes)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    deadline = time.monotonic() + timeout
    try:
        s.sendall(data)
        out = []
        while time.monotonic() < deadline:
            try:
                b = s.recv(65536)
            except socket.timeout:
                break
            if not b:
                break
            out.append(b)
        return b"".join(out)
    finally:
        s.close()


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (our child that exited) still answers kill(0): look at its state.
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


def main(argv):
    if len(argv) < 2:
        print(__doc__)
        return 2
    cmd, args = argv[1], argv[2:]
    timeout, pids, rest = 10.0, [], []
    while args:
        a = args.pop(0)
        if a == "--timeout":
            timeout = float(args.pop(0))
        elif a == "--pid":
            pids.append(int(args.pop(0)))
        else:
            rest.append(a)
    deadline = time.monotonic() + timeout
    if cmd == "waitfile":
        while not all(os.path.exists(f) for f in rest):
            if any(not alive(p) for p in pids):
                return 3
            if time.monotonic() > deadline:
                return 1
            time.sleep(0.02)
        return 0
    if cmd == "wait":
        pending = list(rest)
        while pending:
            if any(not alive(p) for p in pids):
                print("a server process died", file=sys.stderr)
                return 3
            url = pending[0]
            r = fetch(url, timeout=2)
            if r.status is not None:
                pending.pop(0)
                continue
            if time.monotonic() > deadline:
                print("no answer from %s: %s" % (url, r.error), file=sys.stderr)
                return 1
            time.sleep(0.02)
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))

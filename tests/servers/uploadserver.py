#!/usr/bin/env python3
"""tests/servers/uploadserver.py: the BITS 1.5 upload protocol server of the test suites.

Python 3.11 standard library only. Listens on 127.0.0.1 only, on two ports that share every
session and file (the second one is the BITS-Host-Id target of hostid=alt). It implements the
server side of spec section 6 (BITS_POST packets Ping, Create-Session, Fragment, Close-Session,
Cancel-Session, each answered by an Ack), IIS-like virtual directories (overwrites, maximum
upload size, session timeout, server-application notification by reference and by value), a
built-in server application at /__app, reply download, fault injection and a request log.
tests/servers/README.md ("Upload server") is the contract; this text summarises it.

Usage:
  uploadserver.py --root DIR --log FILE --ports-file FILE [--port N] [--alt-port N]

--ports-file receives BITS_UPLOAD_PORT= and BITS_UPLOAD_ALT_PORT= lines (atomically) once both
sockets listen. SIGTERM/SIGINT close everything and exit 0. Stored uploads: DIR/<vdir>/<name>;
sessions keep their data, reply and application files in DIR/.sessions/<id>/.

URL: http://127.0.0.1:PORT/<vdir>/<name>[?options]
  vdirs   up (mode 0, overwrites), noover (mode 0, no overwrites: 409), small (max 1 MiB: 413),
          expire (session timeout 3 s), app1 (mode 1, by reference), app2 (mode 2, by value),
          off (BITS not enabled: 501 without BITS headers)
  session-timeout=S (on Create-Session), notfound-status=C
  application: reply=info|echo|empty|static, reply-size=N, static-url=U, copy=1,
               app-status=C, app-status-times=K, app-delay=S, app-timeout=S
  faults: drop=N (drop-times, drop-from, drop-keep), hangup=PACKET (hangup-times),
          e416=K (e416-from), fail=C (fail-packet, fail-times, fail-from, fail-error, fail-context),
          forget=PACKET (forget-times, forget-from), delay=S (delay-packet, delay-times),
          hostid=alt|dead|VALUE (fallback=S), protocol=refuse|other (Create-Session),
          reply-drop=N (reply-drop-times: the reply GET ends after N body bytes)
Control (GET, not logged): /__log, /__reset, /__sessions, /__stat/<vdir>/<name>,
  /__delete/<vdir>/<name>; GET/HEAD /<vdir>/<name> serves a stored upload, /__reply/<id> a
  reply, /__static/<x> the default static reply; / prints this text.
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
import email.utils
import hashlib
import http.client
import io
import json
import os
import re
import shutil
import socket
import sys
import threading
import time
import urllib.parse
import uuid

from httpbase import HOST, Abort, BaseHandler, LogState, Server, parse_query, parse_range, qint, run

PROTOCOL = "{7df0354d-249b-430f-820d-3d2a9bef4931}"
OTHER_PROTOCOL = "{3a7b3c4d-0000-4e5f-8a9b-0c1d2e3f4a5b}"   # no client knows it
CHUNK = 65536
MAX_LOG_BYTES = 64 << 20
DEFAULT_SESSION_TIMEOUT = 1209600       # BITSSessionTimeout default (14 days)
DEFAULT_APP_TIMEOUT = 300               # IIS 6+ waits 5 minutes for the application
STATIC_BODY = b"bits-uploadserver static reply\n"
PACKETS = ("ping", "create-session", "fragment", "close-session", "cancel-session")

# HRESULTs the server sends in BITS-Error-Code.
E_INVALIDARG = 0x80070057
E_ALREADY_EXISTS = 0x800700B7           # HRESULT_FROM_WIN32(ERROR_ALREADY_EXISTS)
E_WINHTTP_TIMEOUT = 0x80072EE2
BG_E_TOO_LARGE = 0x80200020
BG_E_SESSION_NOT_FOUND = 0x8020001F
BG_E_CLIENT_SERVER_PROTOCOL_MISMATCH = 0x80200022
BG_E_HTTP_ERROR_BASE = 0x80190000
CTX_REMOTE_FILE = 0x5
CTX_REMOTE_APPLICATION = 0x7

# The virtual directories and their IIS BITS settings.
#   mode: BITSServerNotificationType (0 store, 1 by reference, 2 by value); None = BITS off
#   overwrite: BITSAllowOverwrites; max_size: BITSMaximumUploadSize (None = unlimited)
#   timeout: BITSSessionTimeout in seconds; notify: BITSServerNotificationURL
VDIRS = {
    "up": dict(mode=0, overwrite=True, max_size=None, timeout=DEFAULT_SESSION_TIMEOUT),
    "noover": dict(mode=0, overwrite=False, max_size=None, timeout=DEFAULT_SESSION_TIMEOUT),
    "small": dict(mode=0, overwrite=True, max_size=1048576, timeout=DEFAULT_SESSION_TIMEOUT),
    "expire": dict(mode=0, overwrite=True, max_size=None, timeout=3),
    "app1": dict(mode=1, overwrite=True, max_size=None, timeout=DEFAULT_SESSION_TIMEOUT,
                 notify="/__app"),
    "app2": dict(mode=2, overwrite=True, max_size=None, timeout=DEFAULT_SESSION_TIMEOUT,
                 notify="/__app"),
    "off": dict(mode=None),
}


class AppError(Exception):
    """Committing failed: status, BITS-Error-Code and BITS-Error-Context of the Ack."""

    def __init__(self, status, code, context=CTX_REMOTE_APPLICATION):
        super().__init__(status, code)
        self.status, self.code, self.context = status, code, context


class Session:
    def __init__(self, sid, vdir, name, dest, folder, timeout, port, query):
        self.id = sid                   # "{GUID}"
        self.key = sid.strip("{}").lower()
        self.vdir, self.name, self.dest = vdir, name, dest
        self.cfg = VDIRS[vdir]
        self.dir = folder
        self.data = os.path.join(folder, "data")
        self.reply = os.path.join(folder, "reply")
        self.received = 0
        self.total = None
        self.content_name = None
        self.complete = False
        self.reply_url = None
        self.timeout = timeout
        self.last = time.monotonic()
        self.port = port
        self.query = query
        self.lock = threading.Lock()
        self.gone = False


class State(LogState):
    """The request log and counters, the sessions, the store's root, the ports."""

    def __init__(self, root, log_path):
        super().__init__(log_path, MAX_LOG_BYTES)
        self.root = os.path.realpath(root)
        self.sessions_dir = os.path.join(self.root, ".sessions")
        os.makedirs(self.sessions_dir, exist_ok=True)
        self.sessions = {}
        self.dead_port = 0

    def event(self, name, session, **kw):
        e = {"t": round(time.time(), 3), "event": name, "session": session.id if session else None}
        e.update(kw)
        self.write_log(e)

    def find(self, sid):
        with self.lock:
            s = self.sessions.get((sid or "").strip().strip("{}").lower())
        return s

    def drop_session(self, s, why):
        """Removes a session with its temp files and reply (the caller holds s.lock or the
        session is unreachable)."""
        with self.lock:
            if self.sessions.get(s.key) is s:
                del self.sessions[s.key]
        s.gone = True
        shutil.rmtree(s.dir, ignore_errors=True)
        self.event(why, s)

    def reset(self):
        with self.lock:
            sessions = list(self.sessions.values())
            self.sessions.clear()
            self.clear()
        for s in sessions:
            s.gone = True
            shutil.rmtree(s.dir, ignore_errors=True)

    def sweep(self):
        """Deletes sessions that saw no packet for their BITSSessionTimeout (IIS runs this
        cleanup every 12 h; we run it every 0.5 s so short timeouts are testable)."""
        now = time.monotonic()
        with self.lock:
            cands = [s for s in self.sessions.values() if now - s.last > s.timeout]
        for s in cands:
            if s.lock.acquire(blocking=False):
                try:
                    if not s.gone and time.monotonic() - s.last > s.timeout:
                        self.drop_session(s, "expired")
                finally:
                    s.lock.release()


def hexcode(code):
    return "0x%08X" % (code & 0xFFFFFFFF)


def file_sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while True:
            b = f.read(1 << 20)
            if not b:
                break
            h.update(b)
    return h.hexdigest()


def pattern(n):
    """The reply-size=N reply: byte i is i % 251."""
    block = bytes(range(251))
    return (block * (n // 251 + 1))[:n]


class Handler(BaseHandler):
    server_version = "bits-uploadserver/1.0"

    # ---------------------------------------------------------------- plumbing

    def begin_request(self):
        self.entry = None

    def end_request(self):
        # Written when the request ends: status stays null when no answer was sent.
        if self.entry is not None:
            self.state.write_log(self.entry)

    def begin_entry(self, server=None):
        h = self.headers
        self.entry = {
            "t": round(time.time(), 3), "server": server or self.role,
            "port": self.server.server_address[1],
            "client_port": self.client_address[1] if self.client_address else None,
            "method": self.command, "target": self.path,
            "packet": h.get("BITS-Packet-Type"), "session": h.get("BITS-Session-Id"),
            "content_name": h.get("Content-Name"), "content_range": h.get("Content-Range"),
            "content_length": h.get("Content-Length"), "body_read": 0, "status": None,
            "error_code": None, "error_context": None, "received_range": None,
            "reply_url": None, "host_id": None, "fault": None, "range": h.get("Range"),
            "headers": {k: v for k, v in h.items() if k.lower().startswith("bits-")},
        }

    def note(self, **kw):
        if self.entry is not None:
            self.entry.update(kw)

    def body_length(self):
        if self.headers.get("Transfer-Encoding"):
            return None
        try:
            n = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            return None
        return n if n >= 0 else None

    def discard_body(self):
        n = self.body_length()
        if n is None:
            self.close_connection = True
            return
        self.skip_body(n, CHUNK)

    def body_read(self, count):
        if self.entry is not None:
            self.entry["body_read"] += count

    def respond(self, code, headers=(), body=b"", content_type=None):
        self.note(status=code)
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)

    def ack(self, code=200, headers=(), error=None, context=CTX_REMOTE_FILE):
        """An Ack packet: BITS-Packet-Type, Content-Length 0 and, for any status other than
        200/201, BITS-Error-Code (error, default BG_E_HTTP_ERROR_<code>) and BITS-Error-Context;
        error="none" leaves both out (a fault)."""
        hs = [("BITS-Packet-Type", "Ack")] + list(headers)
        if code not in (200, 201) and error != "none":
            if error is None:
                error = BG_E_HTTP_ERROR_BASE + code
            hs += [("BITS-Error-Code", hexcode(error)), ("BITS-Error-Context", "0x%X" % context)]
            self.note(error_code=hexcode(error), error_context="0x%X" % context)
        for k, v in hs:
            if k == "BITS-Received-Content-Range":
                self.note(received_range=v)
            elif k == "BITS-Reply-URL":
                self.note(reply_url=v)
            elif k == "BITS-Host-Id":
                self.note(host_id=v)
        self.respond(code, hs)

    def base_url(self):
        return "http://%s:%d" % (HOST, self.server.server_address[1])

    def split_target(self):
        target = self.path
        if target.lower().startswith("http://"):
            parts = urllib.parse.urlsplit(target)
            target = parts.path + ("?" + parts.query if parts.query else "")
        path, _, query = target.partition("?")
        return target, path, query

    def store_path(self, vdir, name):
        """The stored upload's path for <vdir>/<name>, or None when the name is unusable."""
        if not name or "\0" in name or name.endswith("/"):
            return None
        segs = name.split("/")
        if any(s in ("", ".", "..") for s in segs):
            return None
        base = os.path.join(self.state.root, vdir)
        full = os.path.realpath(os.path.join(base, name))
        if not full.startswith(os.path.realpath(base) + os.sep):
            return None
        return full

    # ---------------------------------------------------------------- GET: control and files

    def do_GET(self):
        target, path, query = self.split_target()
        control = path.startswith("/__") and not path.startswith(("/__reply/", "/__static/"))
        if not control:
            self.begin_entry()
        self.discard_body()
        q = parse_query(query)
        segs = [urllib.parse.unquote(s) for s in path.split("/")[1:]]
        head = segs[0] if segs else ""
        if path == "/":
            self.respond(200, body=__doc__.encode(), content_type="text/plain; charset=utf-8")
        elif path == "/__log":
            self.respond(200, [("Cache-Control", "no-store")], self.state.read_log(),
                         "text/plain; charset=utf-8")
        elif path == "/__reset":
            self.state.reset()
            self.respond(200, body=b"reset\n", content_type="text/plain; charset=utf-8")
        elif path == "/__sessions":
            with self.state.lock:
                ss = list(self.state.sessions.values())
            out = [{"id": s.id, "vdir": s.vdir, "name": s.name, "received": s.received,
                    "total": s.total, "content_name": s.content_name, "complete": s.complete,
                    "port": s.port} for s in ss]
            self.respond(200, body=json.dumps(out).encode(), content_type="application/json")
        elif head in ("__stat", "__delete") and len(segs) >= 3 and segs[1] in VDIRS:
            full = self.store_path(segs[1], "/".join(segs[2:]))
            exists = full is not None and os.path.isfile(full)
            if head == "__stat":
                st = {"exists": exists, "size": os.path.getsize(full) if exists else None,
                      "sha256": file_sha256(full) if exists else None}
                self.respond(200, body=json.dumps(st).encode(), content_type="application/json")
            elif exists:
                os.unlink(full)
                self.respond(200, body=b"deleted\n", content_type="text/plain; charset=utf-8")
            else:
                self.respond(404, body=b"no such upload\n", content_type="text/plain; charset=utf-8")
        elif head == "__reply" and len(segs) == 2:
            s = self.state.find(segs[1])
            if s is None or s.gone or not s.complete or not os.path.isfile(s.reply):
                self.respond(404, body=b"no such reply\n", content_type="text/plain; charset=utf-8")
            elif "reply-drop" in s.query and \
                    self.state.count(("reply-drop", s.key)) <= qint(s.query, "reply-drop-times", 1):
                self.note(fault="reply-drop")
                self.serve_file(s.reply, cut=qint(s.query, "reply-drop", 0, 0))
            else:
                self.serve_file(s.reply)
        elif head == "__static":
            self.serve_bytes(STATIC_BODY, 1577934245)
        elif head in VDIRS and len(segs) >= 2:
            full = self.store_path(head, "/".join(segs[1:]))
            if full is None or not os.path.isfile(full):
                self.respond(404, body=b"not found\n", content_type="text/plain; charset=utf-8")
            else:
                self.serve_file(full)
        else:
            self.respond(404, body=b"not found\n", content_type="text/plain; charset=utf-8")

    do_HEAD = do_GET

    def serve_file(self, path, cut=None):
        with open(path, "rb") as f:
            st = os.fstat(f.fileno())
            self._serve(f, st.st_size, int(st.st_mtime), cut)

    def serve_bytes(self, data, mtime):
        self._serve(io.BytesIO(data), len(data), mtime)

    def _serve(self, f, size, mtime, cut=None):
        """Serves f whole or the Range asked for; cut=N closes the connection after N bytes
        of the body (the headers announce all of it)."""
        lm = email.utils.formatdate(mtime, usegmt=True)
        etag = '"%x-%x"' % (mtime, size)
        common = [("Last-Modified", lm), ("ETag", etag), ("Accept-Ranges", "bytes")]
        rng = parse_range(self.headers.get("Range"), size) if self.command == "GET" else None
        if rng is not None and "If-Range" in self.headers:
            if self.headers["If-Range"].strip() not in (etag, lm):
                rng = None
        if rng == "unsatisfiable":
            self.respond(416, common + [("Content-Range", "bytes */%d" % size)])
            return
        start, end, code = (0, size - 1, 200) if rng is None else (rng[0], rng[1], 206)
        self.note(status=code)
        self.send_response(code)
        self.send_header("Content-Type", "application/octet-stream")
        for k, v in common:
            self.send_header(k, v)
        if code == 206:
            self.send_header("Content-Range", "bytes %d-%d/%d" % (start, end, size))
        self.send_header("Content-Length", str(end - start + 1))
        self.end_headers()
        if self.command == "HEAD":
            return
        f.seek(start)
        left = end - start + 1
        if cut is not None and cut < left:
            self.wfile.write(f.read(cut))
            self.close_now()
        while left > 0:
            b = f.read(min(left, CHUNK))
            if not b:
                self.close_now()
            self.wfile.write(b)
            left -= len(b)

    # ---------------------------------------------------------------- other methods

    def do_other(self):
        self.begin_entry()
        self.discard_body()
        self.respond(405, [("Allow", "GET, HEAD, BITS_POST")])

    def do_POST(self):
        target, path, query = self.split_target()
        if path != "/__app":
            self.do_other()
            return
        self.begin_entry("app")
        self.application(target, parse_query(query))

    # ---------------------------------------------------------------- BITS_POST

    def do_BITS_POST(self):
        self.begin_entry()
        target, path, query = self.split_target()
        q = parse_query(query)
        segs = path.split("/")
        vdir = urllib.parse.unquote(segs[1]) if len(segs) > 1 else ""
        name = urllib.parse.unquote("/".join(segs[2:]))
        cfg = VDIRS.get(vdir)
        if cfg is None or cfg["mode"] is None:
            # Not a BITS virtual directory: a plain web server does not know the verb (IIS 6
            # answers 501; nothing BITS-specific in the answer).
            self.discard_body()
            self.respond(501, body=b"BITS uploads are not enabled here\n",
                         content_type="text/plain; charset=utf-8")
            return
        packet = (self.headers.get("BITS-Packet-Type") or "").strip().lower()
        if packet not in PACKETS:
            # Spec 6.1: an unexpected packet gets an Ack with status 400.
            self.discard_body()
            self.ack(400, error=E_INVALIDARG)
            return
        first = None
        if packet == "fragment":
            rng = self.content_range()
            first = rng[0] if rng else None

        if self.fault(q, "hangup", packet, first, value_is_packet=True):
            self.discard_body()
            self.close_now()
        if self.fault(q, "delay", packet, first, default_packet="any"):
            self.wait(qint(q, "delay", 0, 0, 3600))
        if self.fault(q, "fail", packet, first, default_packet="fragment"):
            code = qint(q, "fail", 500, 100, 599)
            err = q.get("fail-error")
            if err is not None and err.lower() != "none":
                try:
                    err = int(err, 16)
                except ValueError:
                    err = None
            try:
                ctx = int(q.get("fail-context", "5"), 16)
            except ValueError:
                ctx = CTX_REMOTE_FILE
            self.discard_body()
            self.ack(code, self.sid_header(), error=err, context=ctx)
            return

        if packet == "ping":
            self.discard_body()
            self.ack(200)
        elif packet == "create-session":
            self.discard_body()
            self.create_session(vdir, name, cfg, q, target)
        else:
            s = self.state.find(self.headers.get("BITS-Session-Id"))
            if s is not None and self.fault(q, "forget", packet, first, value_is_packet=True):
                with s.lock:
                    self.state.drop_session(s, "deleted")
                s = None
            if s is None or s.gone:
                self.discard_body()
                self.not_found(q)
                return
            with s.lock:
                if s.gone:
                    self.discard_body()
                    self.not_found(q)
                    return
                s.last = time.monotonic()
                if packet == "fragment":
                    self.fragment(s, q, target)
                else:
                    self.discard_body()
                    self.state.drop_session(s, "closed" if packet == "close-session" else "cancelled")
                    self.ack(200, [("BITS-Session-Id", s.id)])
                s.last = time.monotonic()

    def sid_header(self):
        sid = self.headers.get("BITS-Session-Id")
        return [("BITS-Session-Id", sid.strip())] if sid else []

    def not_found(self, q):
        # IIS answers an unknown session id with a 5xx and BG_E_SESSION_NOT_FOUND (so the
        # client's "re-send Close/Cancel on 5xx unless the code is BG_E_SESSION_NOT_FOUND"
        # rule matters); notfound-status=C changes the status.
        self.ack(qint(q, "notfound-status", 500, 100, 599), self.sid_header(),
                 error=BG_E_SESSION_NOT_FOUND)

    def fault(self, q, name, packet, first, value_is_packet=False, default_packet=None, times=None):
        """True when this packet gets fault <name>: the option is present, the packet type
        matches (<name>=PACKET, or <name>-packet=P with its default), a Fragment starts at or
        after <name>-from, and it is one of the first <name>-times (default 1) eligible ones."""
        if name not in q:
            return False
        want = (q[name] if value_is_packet else q.get(name + "-packet", default_packet or "")).strip().lower()
        if want != "any" and want != packet:
            return False
        if name + "-from" in q:
            if packet != "fragment" or first is None or first < qint(q, name + "-from", 0):
                return False
        n = self.state.count((name, self.path))
        if n > (times if times is not None else qint(q, name + "-times", 1)):
            return False
        self.note(fault=name)
        return True

    def content_range(self):
        """(first, last, total) of the Fragment's Content-Range; (0, -1, 0) for a zero-byte
        upload ('bytes */0' or 'bytes 0--1/0'); None when malformed."""
        v = (self.headers.get("Content-Range") or "").strip()
        if re.fullmatch(r"bytes\s+(\*|0--1)/0", v):
            return (0, -1, 0)
        m = re.fullmatch(r"bytes\s+(\d+)-(\d+)/(\d+)", v)
        if not m:
            return None
        a, b, t = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if a > b or b >= t:
            return None
        return (a, b, t)

    # ---------------------------------------------------------------- Create-Session

    def create_session(self, vdir, name, cfg, q, target):
        protos = (self.headers.get("BITS-Supported-Protocols") or "").lower().split()
        if q.get("protocol") == "other":
            # A server that picks a protocol the client did not offer.
            self.note(fault="protocol")
            self.ack(200, [("BITS-Protocol", OTHER_PROTOCOL), ("BITS-Session-Id", "{%s}" % str(uuid.uuid4()).upper())])
            return
        if q.get("protocol") == "refuse":
            self.note(fault="protocol")
            protos = []
        if PROTOCOL not in protos:
            # [IIS] no common protocol: 400 with BG_E_CLIENT_SERVER_PROTOCOL_MISMATCH.
            self.ack(400, error=BG_E_CLIENT_SERVER_PROTOCOL_MISMATCH)
            return
        dest = self.store_path(vdir, name)
        if dest is None:
            self.ack(400, error=E_INVALIDARG)
            return
        if cfg["mode"] == 0 and not cfg["overwrite"] and os.path.exists(dest):
            self.ack(409, error=E_ALREADY_EXISTS)
            return
        sid = "{%s}" % str(uuid.uuid4()).upper()
        folder = os.path.join(self.state.sessions_dir, sid.strip("{}").lower())
        os.makedirs(folder)
        open(os.path.join(folder, "data"), "wb").close()
        s = Session(sid, vdir, name, dest, folder, qint(q, "session-timeout", cfg["timeout"], 1),
                    self.server.server_address[1], q)
        with self.state.lock:
            self.state.sessions[s.key] = s
        self.note(session=sid)
        hs = [("BITS-Protocol", PROTOCOL), ("BITS-Session-Id", sid), ("Accept-Encoding", "Identity")]
        hid = q.get("hostid")
        if hid:
            if hid == "alt":
                hid = "%s:%d" % (HOST, self.state.ports["alt"])
            elif hid == "dead":
                hid = "%s:%d" % (HOST, self.state.dead_port)
            hs.append(("BITS-Host-Id", hid))
            if "fallback" in q:
                hs.append(("BITS-Host-Id-Fallback-Timeout", str(qint(q, "fallback", 0))))
        self.ack(200, hs)

    # ---------------------------------------------------------------- Fragment

    def fragment(self, s, q, target):
        rng = self.content_range()
        length = self.body_length()
        if rng is None or length is None or length != rng[1] - rng[0] + 1:
            self.discard_body()
            self.ack(400, [("BITS-Session-Id", s.id)], error=E_INVALIDARG)
            return
        first, last, total = rng
        if s.total is not None and total != s.total:
            self.discard_body()
            self.ack(400, [("BITS-Session-Id", s.id)], error=E_INVALIDARG)
            return
        max_size = s.cfg.get("max_size")
        if max_size is not None and total > max_size:
            # [IIS] BITSMaximumUploadSize exceeded: 413 Request Entity Too Large with
            # BG_E_TOO_LARGE (the client's documented error for it).
            self.discard_body()
            self.ack(413, [("BITS-Session-Id", s.id)], error=BG_E_TOO_LARGE)
            return
        s.total = total
        cn = self.headers.get("Content-Name")
        if cn is not None and s.content_name is None:
            s.content_name = cn
        if s.complete:
            # A re-sent fragment after the commit (e.g. the Ack was lost): the same Ack.
            self.discard_body()
            self.fragment_ack(s)
            return
        if first > s.received or self.fault(q, "e416", "fragment", first, default_packet="fragment",
                                            times=qint(q, "e416", 0)):
            self.discard_body()
            self.ack(416, [("BITS-Session-Id", s.id), ("BITS-Received-Content-Range", str(s.received))])
            return
        drop = None
        keep = False
        if self.fault(q, "drop", "fragment", first, default_packet="fragment"):
            drop = qint(q, "drop", 0)
            keep = q.get("drop-keep") == "1"
        # Bytes below s.received are read and skipped (never overwritten); the rest is written
        # at its offset. s.received only moves once the whole fragment arrived (drop-keep=1:
        # also for a partial one).
        pos, read = first, 0
        with open(s.data, "r+b") as f:
            while read < length:
                n = min(CHUNK, length - read)
                if drop is not None and drop < length:
                    n = min(n, drop - read)
                    if n <= 0:
                        break
                b = self.rfile.read(n)
                if not b:
                    break
                read += len(b)
                self.note(body_read=read)
                end = pos + len(b)
                if end > s.received:
                    skip = max(0, s.received - pos)
                    f.seek(pos + skip)
                    f.write(b[skip:])
                pos = end
            if read < length:
                if keep and pos > s.received:
                    s.received = pos
                self.close_now()
            f.truncate(max(s.received, last + 1) if total else 0)
        s.received = max(s.received, last + 1)
        if drop is not None:
            # The whole fragment arrived: store it (commit included), lose the Ack.
            try:
                self.complete(s, target)
            except AppError:
                pass
            self.close_now()
        try:
            self.complete(s, target)
        except AppError as e:
            self.ack(e.status, [("BITS-Session-Id", s.id), ("BITS-Received-Content-Range", str(s.received))],
                     error=e.code, context=e.context)
            return
        self.fragment_ack(s)

    def fragment_ack(self, s):
        hs = [("BITS-Session-Id", s.id), ("BITS-Received-Content-Range", str(s.received))]
        if s.complete and s.reply_url:
            hs.append(("BITS-Reply-URL", s.reply_url))
        self.ack(200, hs)

    def complete(self, s, target):
        """Commits a fully received upload: mode 0 moves it to its destination, modes 1 and 2
        hand it to the server application. Raises AppError when that fails (the session then
        keeps every byte and the next final fragment tries again)."""
        if s.complete or s.received < (s.total or 0) or s.total is None:
            return
        mode = s.cfg["mode"]
        if mode == 0:
            if not s.cfg["overwrite"] and os.path.exists(s.dest):
                raise AppError(409, E_ALREADY_EXISTS, CTX_REMOTE_FILE)
            os.makedirs(os.path.dirname(s.dest), exist_ok=True)
            os.replace(s.data, s.dest)
            s.complete = True
            self.state.event("committed", s, path=s.dest)
            return
        copy, static = self.notify(s, mode, target)
        if copy:
            os.makedirs(os.path.dirname(s.dest), exist_ok=True)
            os.replace(s.data, s.dest)
            self.state.event("committed", s, path=s.dest)
        else:
            try:
                os.unlink(s.data)
            except OSError:
                pass
        if static:
            try:
                os.unlink(s.reply)
            except OSError:
                pass
            s.reply_url = static
        else:
            if not os.path.exists(s.reply):
                open(s.reply, "wb").close()
            s.reply_url = "%s/__reply/%s" % (self.base_url(), s.key)
        s.complete = True

    def notify(self, s, mode, target):
        """POSTs the notification to the application (BITSServerNotificationURL resolved
        against the job URL, the job's query appended). Returns (copy, static URL)."""
        query = target.partition("?")[2]
        url = s.cfg["notify"] + ("?" + query if query else "")
        headers = {"BITS-Original-Request-URL": self.base_url() + target, "Host": "%s:%d" % (HOST, s.port)}
        try:
            os.unlink(s.reply)
        except OSError:
            pass
        q = parse_query(query)
        conn = http.client.HTTPConnection(HOST, self.server.server_address[1],
                                          timeout=qint(q, "app-timeout", DEFAULT_APP_TIMEOUT, 1))
        try:
            if mode == 1:
                headers["BITS-Request-DataFile-Name"] = s.data
                headers["BITS-Response-DataFile-Name"] = s.reply
                headers["Content-Length"] = "0"
                conn.request("POST", url, body=b"", headers=headers)
            else:
                headers["Content-Length"] = str(os.path.getsize(s.data))
                headers["Content-Type"] = "application/octet-stream"
                with open(s.data, "rb") as f:
                    conn.request("POST", url, body=f, headers=headers)
            resp = conn.getresponse()
            status = resp.status
            if mode == 2 and 200 <= status < 300:
                with open(s.reply, "wb") as out:
                    while True:
                        b = resp.read(CHUNK)
                        if not b:
                            break
                        out.write(b)
            else:
                resp.read()
            static = resp.getheader("BITS-Static-Response-URL")
            copy = resp.getheader("BITS-Copy-File-To-Destination") is not None
        except (socket.timeout, TimeoutError):
            # [IIS] the application did not answer in time: a transient error for the client.
            self.state.event("notified", s, mode=mode, status=None)
            raise AppError(500, E_WINHTTP_TIMEOUT)
        except (OSError, http.client.HTTPException):
            self.state.event("notified", s, mode=mode, status=None)
            raise AppError(500, BG_E_HTTP_ERROR_BASE + 500)
        finally:
            conn.close()
        self.state.event("notified", s, mode=mode, status=status)
        if not 200 <= status < 300:
            # The application's status goes to the client with context REMOTE_APPLICATION.
            raise AppError(status, BG_E_HTTP_ERROR_BASE + status)
        return copy, static

    # ---------------------------------------------------------------- the application

    def application(self, target, q):
        """The built-in server application behind /__app (modes 1 and 2)."""
        req_file = self.headers.get("BITS-Request-DataFile-Name")
        resp_file = self.headers.get("BITS-Response-DataFile-Name")
        if req_file:
            self.discard_body()
            with open(req_file, "rb") as f:
                upload = f.read()
        else:
            n = self.body_length()
            if n is None:
                self.respond(400)
                return
            upload = self.rfile.read(n)
            self.note(body_read=len(upload))
            if len(upload) < n:
                raise Abort()
        if "app-delay" in q:
            self.wait(qint(q, "app-delay", 0, 0, 3600))
        if "app-status" in q and self.state.count(("app-status", self.path)) <= qint(q, "app-status-times", 1):
            self.note(fault="app-status")
            self.respond(qint(q, "app-status", 500, 100, 599), body=b"application failure\n",
                         content_type="text/plain; charset=utf-8")
            return
        hs = []
        if q.get("copy"):
            hs.append(("BITS-Copy-File-To-Destination", "1"))
        how = q.get("reply", "info")
        if how == "static":
            hs.append(("BITS-Static-Response-URL", q.get("static-url") or self.base_url() + "/__static/reply.txt"))
            self.respond(200, hs)
            return
        if "reply-size" in q:
            reply = pattern(qint(q, "reply-size", 0, 0, 1 << 30))
        elif how == "echo":
            reply = upload
        elif how == "empty":
            reply = b""
        else:
            reply = b"bits-upload-reply size=%d sha256=%s\n" % (len(upload), hashlib.sha256(upload).hexdigest().encode())
        if resp_file:
            if reply or how != "empty":
                with open(resp_file, "wb") as f:
                    f.write(reply)
            self.respond(200, hs)
        else:
            self.respond(200, hs, reply, "application/octet-stream")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--root", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--ports-file", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--alt-port", type=int, default=0)
    a = ap.parse_args()

    os.makedirs(a.root, exist_ok=True)
    state = State(a.root, a.log)
    servers = [Server(a.port, "upload", state, Handler), Server(a.alt_port, "upload-alt", state, Handler)]
    state.ports = {"main": servers[0].server_address[1], "alt": servers[1].server_address[1]}
    # hostid=dead: a bound socket that never listens, so connecting to it is refused.
    dead = socket.socket()
    dead.bind((HOST, 0))
    state.dead_port = dead.getsockname()[1]
    try:
        return run(state, servers, a.ports_file, ("BITS_UPLOAD_PORT", "BITS_UPLOAD_ALT_PORT"), state.sweep)
    finally:
        dead.close()


if __name__ == "__main__":
    sys.exit(main())

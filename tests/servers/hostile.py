#!/usr/bin/env python3
"""tests/servers/hostile.py: an HTTP server on raw sockets that lies, cuts and stalls.

  hostile.py --dir DIR --ports-file FILE

Python 3.11 standard library only, 127.0.0.1 only. Unlike the fault server it builds every
response by hand, so it can send what no HTTP library would: a 206 whose Content-Range does
not match the Range asked for, a Content-Length longer than the body, chunked bodies that are
cut or malformed, headers a byte at a time, nothing at all. It never says `Connection: close`
and never keeps a connection open after a response (as a crashed or hostile server would).

At start it writes the true bytes of the files it serves into DIR (a tests reads them to check
that what a client published is right, or absent): `a.bin` (100000 bytes, version "a"),
`b.bin` (100000 bytes, version "b", other bytes), `c.bin` (105000 bytes, version "c"). Its
port goes to FILE as BITS_HOSTILE_PORT=.

Endpoints (the counters are per request target: add `?id=<unique>` for fresh state):
  /range/start   GET without Range: 200, Content-Length 100000, ETag "a", 50000 bytes of a.bin,
                 then close. HEAD: the headers of a.bin. GET `Range: bytes=N-`: 206
                 `Content-Range: bytes N-1000-99999/100000` with those bytes of a.bin.
  /range/end     the same, but the 206 is `bytes N-99998/100000` (one byte short).
  /range/total   the same, but the 206 is `bytes N-104999/105000` with the bytes of c.bin: the
                 file changed to version "c" (HEAD and GET answer c.bin from then on).
  /range/etag    the first GET is a.bin cut at 50000 like above; from then on the file is
                 version "b" (same size and Last-Modified, ETag "b"): HEAD, GET and correct 206s
                 of b.bin.
  /short         every GET: Content-Length 100000, 50000 bytes of a.bin, close. HEAD: a.bin.
  /chunked/cut   chunked a.bin in 4096-byte chunks, cut after 13 chunks (53248 bytes), close.
  /chunked/bad   one 16-byte chunk, then the chunk size `zz`, then close.
  /chunked/overflow  one 533-byte chunk, then the chunk size `1FFFFFFFFFFFFFFFFFFFF`, bytes, close.
  /chunked/good  a.bin chunked, with its terminating chunk (a healthy dynamic body).
  /silent        reads the request, never answers (until the client closes).
  /drip?ms=M     the status line and an endless header a byte every M ms (default 1000).
  /status500     500 with a short body, then close.
  /loop          302 to itself, then close.
  ?rude=1        (on /status500 and /loop) the answer is followed by no close: the connection
                 stays open, and the next request that comes on it is answered by a TCP reset
                 (a kept-alive connection that the server dropped abortively meanwhile).
  /a.bin         a.bin, with a correct 206 for a Range.
Every GET/HEAD goes to the log as a JSON line: {"path", "method", "range"}; GET /__log returns it.
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
import json
import os
import signal
import socket
import struct
import sys
import threading
import time
import urllib.parse

HOST = "127.0.0.1"
LAST_MODIFIED = "Thu, 02 Jan 2020 03:04:05 GMT"


def make(seed, size):
    out = bytearray()
    x = seed
    while len(out) < size:
        x = (x * 1103515245 + 12345) & 0x7FFFFFFF
        out += (x >> 8).to_bytes(3, "little")
    return bytes(out[:size])


FILES = {"a": make(1, 100000), "b": make(2, 100000), "c": make(3, 105000)}


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.counters = {}
        self.log = []
        self.stop = threading.Event()

    def count(self, key):
        with self.lock:
            self.counters[key] = self.counters.get(key, 0) + 1
            return self.counters[key]

    def get(self, key):
        with self.lock:
            return self.counters.get(key, 0)


STATE = State()


def read_request(conn):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            return None
        data += chunk
        if len(data) > 65536:
            return None
    head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    lines = head.split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) < 2:
        return None
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()
    return parts[0], parts[1], headers


def head_of(status, fields):
    text = "HTTP/1.1 %s\r\n" % status
    for k, v in fields:
        text += "%s: %s\r\n" % (k, v)
    return (text + "\r\n").encode("latin-1")


def entity_fields(version, length):
    return [("Content-Length", str(length)), ("Last-Modified", LAST_MODIFIED), ("ETag", '"%s"' % version),
            ("Accept-Ranges", "bytes"), ("Content-Type", "application/octet-stream")]


def range_start(headers):
    value = headers.get("range", "")
    if not value.startswith("bytes=") or not value.endswith("-"):
        return None
    try:
        return int(value[6:-1])
    except ValueError:
        return None


def send_file(conn, method, version, headers, fields=None):
    """A correct answer: 200 or a 206 for `bytes=N-`."""
    data = FILES[version]
    start = range_start(headers)
    if start is not None and start < len(data):
        f = entity_fields(version, len(data) - start)
        f.append(("Content-Range", "bytes %d-%d/%d" % (start, len(data) - 1, len(data))))
        conn.sendall(head_of("206 Partial Content", f) + (data[start:] if method == "GET" else b""))
    else:
        conn.sendall(head_of("200 OK", entity_fields(version, len(data)) + (fields or []))
                     + (data if method == "GET" else b""))


def wait_closed(conn, seconds=None):
    """Hold the connection until the client closes it (or the server stops)."""
    conn.settimeout(0.5)
    end = None if seconds is None else time.monotonic() + seconds
    while not STATE.stop.is_set() and (end is None or time.monotonic() < end):
        try:
            if not conn.recv(4096):
                return
        except socket.timeout:
            continue
        except OSError:
            return


def ranged(conn, method, path, key, headers):
    kind = path.split("/")[2]
    start = range_start(headers)
    version = "a"
    if kind == "total" and STATE.get(key + "#changed"):
        version = "c"
    if kind == "etag" and STATE.get(key + "#changed"):
        version = "b"
    if method == "HEAD":
        conn.sendall(head_of("200 OK", entity_fields(version, len(FILES[version]))))
        return
    if start is None:
        if version != "a" or STATE.get(key + "#cut"):
            send_file(conn, method, version, headers)
            return
        # the first GET: cut in the middle
        STATE.count(key + "#cut")
        if kind == "etag":
            STATE.count(key + "#changed")
        conn.sendall(head_of("200 OK", entity_fields("a", 100000)) + FILES["a"][:50000])
        return
    if kind == "etag" or version != "a":
        send_file(conn, method, version, headers)
        return
    data = FILES["a"]
    if kind == "start":
        first, last, total = max(0, start - 1000), 99999, 100000
    elif kind == "end":
        first, last, total = start, 99998, 100000
    elif kind == "total":
        STATE.count(key + "#changed")
        data = FILES["c"]
        first, last, total = start, 104999, 105000
    else:
        conn.sendall(head_of("404 Not Found", [("Content-Length", "0")]))
        return
    f = entity_fields("c" if kind == "total" else "a", last - first + 1)
    f.append(("Content-Range", "bytes %d-%d/%d" % (first, last, total)))
    conn.sendall(head_of("206 Partial Content", f) + data[first:last + 1])


def chunked(conn, kind):
    f = [("Transfer-Encoding", "chunked"), ("Last-Modified", LAST_MODIFIED), ("Content-Type", "application/octet-stream")]
    conn.sendall(head_of("200 OK", f))
    data = FILES["a"]
    if kind == "cut":
        for i in range(13):
            conn.sendall(b"1000\r\n" + data[i * 4096:(i + 1) * 4096] + b"\r\n")
    elif kind == "bad":
        conn.sendall(b"10\r\n" + data[:16] + b"\r\nzz\r\n" + data[16:1000])
    elif kind == "overflow":
        conn.sendall(b"215\r\n" + data[:533] + b"\r\n1FFFFFFFFFFFFFFFFFFFF\r\n" + data[533:5000])
    elif kind == "good":
        for i in range(0, len(data), 4096):
            piece = data[i:i + 4096]
            conn.sendall(b"%x\r\n" % len(piece) + piece + b"\r\n")
        conn.sendall(b"0\r\n\r\n")


def rude(conn):
    """`rude=1` in the request line: answer it, keep the connection open, and reset the
    connection (an abortive close: SO_LINGER with a zero timeout) as soon as the next request
    arrives on it, before any answer. The whole answer is sent and the client has read it before
    it can send another request on the connection, so the reset always hits the next request
    and never the answer, whatever the timing."""
    try:
        peek = conn.recv(4096, socket.MSG_PEEK)
    except OSError:
        return False
    line = peek.split(b"\r\n", 1)[0]
    if b"rude=1" not in line:
        return False
    req = read_request(conn)
    if not req:
        return True
    method, target, _ = req
    with STATE.lock:
        STATE.log.append(json.dumps({"path": target, "method": method, "range": None, "rude": True}))
    if target.startswith("/status500"):
        body = b"hostile: status 500\n"
        conn.sendall(head_of("500 Internal Server Error", [("Content-Length", str(len(body)))])
                     + (body if method == "GET" else b""))
    else:
        conn.sendall(head_of("302 Found", [("Location", target), ("Content-Length", "0")]))
    conn.settimeout(30)
    try:
        more = conn.recv(1, socket.MSG_PEEK)
    except OSError:
        return True
    if more:
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        with STATE.lock:
            STATE.log.append(json.dumps({"path": target, "method": "reset", "range": None}))
    return True


def handle(conn):
    try:
        if rude(conn):
            return
        req = read_request(conn)
        if not req:
            return
        method, target, headers = req
        parsed = urllib.parse.urlsplit(target)
        path = parsed.path
        query = urllib.parse.parse_qs(parsed.query)
        key = target
        with STATE.lock:
            STATE.log.append(json.dumps({"path": target, "method": method, "range": headers.get("range")}))
        if path == "/__log":
            body = ("\n".join(STATE.log) + "\n").encode()
            conn.sendall(head_of("200 OK", [("Content-Length", str(len(body)))]) + body)
        elif path == "/__ping":
            conn.sendall(head_of("200 OK", [("Content-Length", "2")]) + b"ok")
        elif path.startswith("/range/"):
            ranged(conn, method, path, key, headers)
        elif path == "/short":
            if method == "HEAD":
                conn.sendall(head_of("200 OK", entity_fields("a", 100000)))
            else:
                conn.sendall(head_of("200 OK", entity_fields("a", 100000)) + FILES["a"][:50000])
        elif path.startswith("/chunked/"):
            if method == "HEAD":
                conn.sendall(head_of("200 OK", [("Transfer-Encoding", "chunked")]))
            else:
                chunked(conn, path.split("/")[2])
        elif path == "/silent":
            wait_closed(conn)
        elif path == "/drip":
            ms = int(query.get("ms", ["1000"])[0])
            text = b"HTTP/1.1 200 OK\r\nX-Drip: "
            i = 0
            while not STATE.stop.is_set():
                conn.sendall(text[i:i + 1] if i < len(text) else b"a")
                i += 1
                time.sleep(ms / 1000.0)
        elif path == "/status500":
            body = b"hostile: status 500\n"
            conn.sendall(head_of("500 Internal Server Error", [("Content-Length", str(len(body)))])
                         + (body if method == "GET" else b""))
        elif path == "/loop":
            conn.sendall(head_of("302 Found", [("Location", target), ("Content-Length", "0")]))
        elif path == "/a.bin":
            send_file(conn, method, "a", headers)
        else:
            conn.sendall(head_of("404 Not Found", [("Content-Length", "0")]))
    except OSError:
        pass
    finally:
        try:
            conn.close()
        except OSError:
            pass


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--ports-file", required=True)
    a = ap.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    for name, data in FILES.items():
        with open(os.path.join(a.dir, name + ".bin"), "wb") as f:
            f.write(data)
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, 0))
    sock.listen(128)
    sock.settimeout(0.5)

    def on_signal(signum, frame):
        STATE.stop.set()
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    tmp = a.ports_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("BITS_HOSTILE_PORT=%d\n" % sock.getsockname()[1])
    os.replace(tmp, a.ports_file)
    while not STATE.stop.is_set():
        try:
            conn, _ = sock.accept()
        except socket.timeout:
            continue
        except OSError:
            break
        conn.settimeout(None)
        threading.Thread(target=handle, args=(conn,), daemon=True).start()
    sock.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""tests/servers/httpbase.py: what the test servers (faultserver.py, uploadserver.py) share.

Python 3.11 standard library only: the loopback-only threading server that tracks its
connections (so SIGTERM can close them), the handler plumbing (no stderr noise, every unknown
method to do_other, abortable waits, closing a connection at once), the JSON-lines request log
with per-key counters, query and Range parsing, and the main loop (signals, ports file).
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

import json
import os
import re
import signal
import socket
import struct
import sys
import threading
import traceback
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOST = "127.0.0.1"          # the only address the test servers ever bind or connect to
MAX_CONNECTIONS = 512        # concurrent connections per listening socket
MAX_COUNTERS = 10000


class Abort(Exception):
    """Stop handling this request and close the connection (no further output)."""


def parse_query(query):
    try:
        return {k: v[-1] for k, v in urllib.parse.parse_qs(query, keep_blank_values=True).items()}
    except Exception:
        return {}


def qint(q, name, default, lo=0, hi=1 << 62):
    try:
        v = int(q.get(name, default))
    except (TypeError, ValueError):
        v = default
    return max(lo, min(hi, v))


def parse_range(value, size):
    """A Range header against an entity of size bytes: (start, end) inclusive, 'unsatisfiable',
    or None (serve the whole entity: no, malformed or multi-range header, which RFC 9110 lets
    a server ignore)."""
    if not value:
        return None
    m = re.fullmatch(r"\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*", value)
    if not m or (m.group(1) == "" and m.group(2) == ""):
        return None
    if m.group(1) == "":
        n = int(m.group(2))
        if n == 0 or size == 0:
            return "unsatisfiable"
        return (max(0, size - n), size - 1)
    start = int(m.group(1))
    if m.group(2) and int(m.group(2)) < start:
        return None
    if start >= size:
        return "unsatisfiable"
    end = int(m.group(2)) if m.group(2) else size - 1
    return (start, min(end, size - 1))


class LogState:
    """The request log (JSON lines, capped at max_bytes), counters per key and the stop flag."""

    def __init__(self, log_path, max_bytes, max_read=None):
        self.log_path = log_path
        self.max_bytes = max_bytes
        self.max_read = max_read
        self.lock = threading.Lock()
        self.log = open(log_path, "a", encoding="utf-8")
        self.log_size = self.log.tell()
        self.counters = {}
        self.stop = threading.Event()
        self.ports = {}

    def write_log(self, entry):
        line = json.dumps(entry, separators=(",", ":")) + "\n"
        with self.lock:
            if self.log_size + len(line) > self.max_bytes:
                return
            self.log.write(line)
            self.log.flush()
            self.log_size += len(line)

    def read_log(self):
        """The log (its last max_read bytes when that is set)."""
        with self.lock:
            with open(self.log_path, "rb") as f:
                if self.max_read is not None:
                    f.seek(0, os.SEEK_END)
                    f.seek(max(0, f.tell() - self.max_read))
                return f.read()

    def clear(self):
        """Empties the log and the counters (the caller holds self.lock)."""
        self.log.seek(0)
        self.log.truncate()
        self.log_size = 0
        self.counters.clear()

    def count(self, key):
        """Increments and returns the number of requests seen for key (1 for the first)."""
        with self.lock:
            if key not in self.counters and len(self.counters) >= MAX_COUNTERS:
                self.counters.clear()
            n = self.counters.get(key, 0) + 1
            self.counters[key] = n
            return n


class BaseHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    sys_version = ""
    timeout = 120            # an idle keep-alive connection is closed after this

    def version_string(self):
        return self.server_version

    def setup(self):
        super().setup()
        self.state = self.server.state
        self.role = self.server.role

    def log_message(self, fmt, *args):   # no per-request stderr noise
        pass

    def handle_one_request(self):
        """One request; Abort or a connection error closes the connection, any other
        exception too (with a traceback on stderr). end_request() runs in every case."""
        self.command = None
        self.begin_request()
        try:
            super().handle_one_request()
        except Abort:
            self.close_connection = True
        except (ConnectionError, TimeoutError, socket.timeout, OSError):
            self.close_connection = True
        except Exception:
            self.close_connection = True
            traceback.print_exc(file=sys.stderr)
        finally:
            self.end_request()

    def begin_request(self):
        pass

    def end_request(self):
        pass

    def __getattr__(self, name):
        # Every method without its own do_ method (POST, PUT, BITS_POST ...) ends up here.
        if name.startswith("do_"):
            return self.do_other
        raise AttributeError(name)

    def skip_body(self, n, chunk=65536):
        """Reads and drops n request body bytes (Abort when the client closes first);
        body_read(count) is called for each piece."""
        while n > 0:
            got = self.rfile.read(min(n, chunk))
            if not got:
                raise Abort()
            n -= len(got)
            self.body_read(len(got))

    def body_read(self, count):
        pass

    def wait(self, seconds):
        """Sleeps; raises Abort when the server is stopping."""
        if self.state.stop.wait(seconds):
            raise Abort()

    def close_now(self, rst=False):
        """Closes the connection immediately, optionally with a TCP reset."""
        try:
            self.wfile.flush()
        except OSError:
            pass
        if rst:
            # Linger 0 and a close (the fd goes once rfile/wfile are closed): a TCP reset
            # instead of the FIN that socketserver's shutdown_request would send first.
            try:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.connection.close()
            except OSError:
                pass
        else:
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        raise Abort()


class Server(ThreadingHTTPServer):
    """A threading server on 127.0.0.1 that knows its open connections (close_all)."""
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, port, role, state, handler):
        self.role = role
        self.state = state
        self.conns = set()
        self.conns_lock = threading.Lock()
        super().__init__((HOST, port), handler)

    def process_request(self, request, client_address):
        with self.conns_lock:
            if len(self.conns) >= MAX_CONNECTIONS or self.state.stop.is_set():
                self.shutdown_request(request)
                return
            self.conns.add(request)
        try:
            super().process_request(request, client_address)
        except Exception:
            with self.conns_lock:
                self.conns.discard(request)
            raise

    def process_request_thread(self, request, client_address):
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self.conns_lock:
                self.conns.discard(request)

    def handle_error(self, request, client_address):
        traceback.print_exc(file=sys.stderr)

    def close_all(self):
        with self.conns_lock:
            conns = list(self.conns)
        for s in conns:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            try:
                s.close()
            except OSError:
                pass


def run(state, servers, ports_file, names, tick=None):
    """Serves until SIGTERM/SIGINT: writes 'NAME=port' lines for servers (in the order of
    names) to ports_file atomically once all listen, calls tick() every 0.5 s, then closes every
    listening and connected socket and the log."""
    def on_signal(signum, frame):
        state.stop.set()
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    for s in servers:
        threading.Thread(target=s.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()
    tmp = ports_file + ".tmp"
    with open(tmp, "w") as f:
        for name, s in zip(names, servers):
            f.write("%s=%d\n" % (name, s.server_address[1]))
    os.replace(tmp, ports_file)

    while not state.stop.wait(0.5):
        if tick:
            try:
                tick()
            except Exception:
                traceback.print_exc(file=sys.stderr)
    for s in servers:
        s.shutdown()
    for s in servers:
        s.close_all()
        s.server_close()
    with state.lock:
        state.log.close()
    return 0

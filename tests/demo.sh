#!/bin/sh
# tests/demo.sh: the main job of README's first command. In the private prefix that
# `make install` prepared, downloads a generated 8 MiB file from a loopback HTTP server with
# `bitsadmin /transfer` through our BITS service, checks its SHA-256 and says where it is.
#
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
set -e
WINEPREFIX=$1
B=${2:-build}
export WINEPREFIX
export WINEDEBUG=${WINEDEBUG:--all}
# The 64-bit loader, whatever `wine` is (tools/setup loaders; make passes WINE64).
eval "$(sh "$(dirname "$0")/../tools/setup" loaders)"
WINE=$WINE64
WINESERVER=${WINESERVER:-wineserver}
PYTHON3=${PYTHON3:-python3}
WORK="$WINEPREFIX.demo"
rm -rf "$WORK"; mkdir -p "$WORK/www"

# The file to serve: 8 MiB of deterministic bytes.
"$PYTHON3" - "$WORK/www/demo.bin" <<'PY'
import hashlib, sys
with open(sys.argv[1], "wb") as f:
    block = hashlib.sha256(b"wine-bits").digest() * 4096
    for i in range(64):
        f.write(hashlib.sha256(bytes([i])).digest()[:1] + block[1:])
PY
PORT=$("$PYTHON3" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$PYTHON3" -m http.server "$PORT" --bind 127.0.0.1 --directory "$WORK/www" >"$WORK/server.log" 2>&1 </dev/null &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; "$WINESERVER" -k >/dev/null 2>&1 </dev/null || true' EXIT
"$PYTHON3" - "$PORT" <<'PY'
import socket, sys, time
for _ in range(100):
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.2).close(); break
    except OSError:
        time.sleep(0.05)
PY

# A session whose first process writes to a file (wine-notes: the pipe trap).
"$WINESERVER" -p >/dev/null 2>&1 </dev/null || true
"$WINE" cmd /c exit >/dev/null 2>&1 </dev/null || true

DEST='C:\users\Public\Downloads\wine-bits-demo.bin'
mkdir -p "$WINEPREFIX/drive_c/users/Public/Downloads"
rm -f "$WINEPREFIX/drive_c/users/Public/Downloads/wine-bits-demo.bin"
echo "> bitsadmin /transfer wine-bits-demo http://127.0.0.1:$PORT/demo.bin $DEST"
status=0
"$WINE" bitsadmin /transfer wine-bits-demo "http://127.0.0.1:$PORT/demo.bin" "$DEST" >"$WORK/bitsadmin.txt" 2>&1 </dev/null || status=$?
tr -d '\r' <"$WORK/bitsadmin.txt"
[ $status -eq 0 ] || { echo "bitsadmin failed (exit $status)"; exit 1; }

GOT="$WINEPREFIX/drive_c/users/Public/Downloads/wine-bits-demo.bin"
want=$(sha256sum "$WORK/www/demo.bin" | cut -d' ' -f1)
got=$(sha256sum "$GOT" | cut -d' ' -f1)
echo "served:     $want"
echo "downloaded: $got"
if [ "$want" != "$got" ]; then echo "SHA-256 MISMATCH"; exit 1; fi
echo "OK: the file arrived intact through wine-bits' BITS service."
echo "It is at $DEST in the prefix $WINEPREFIX,"
echo "i.e. $GOT"

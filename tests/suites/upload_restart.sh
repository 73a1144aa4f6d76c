# tests/suites/upload_restart.sh: a 64 MiB upload through bitsadmin, interrupted twice, by a
# connection dropped mid-fragment and by killing the service's Wine session while a fragment is
# on its way, arrives byte-identical in one upload session. The upload server's
# log shows every fragment starting where the server's acknowledgement said. A Cancel-Session
# the server refused is sent again after a restart, and the host id fallback timer goes on.
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
T_SUITE=upload_restart
. "$TOP/tests/lib.sh"
D=$(mktemp -d)
if [ "$BITS_MODE" != ours ] || [ -z "${BITS_UPLOAD_PORT:-}" ]; then summary; exit 0; fi
PY=${PYTHON3:-$(command -v /usr/bin/python3 || command -v python3)}
PUBLIC="$WINEPREFIX/drive_c/users/Public"
NAME="restart-$$.bin"
MIB=1048576

ba() {
    wine_run1 "$D/out" bitsadmin "$@"
    tr -d '\r' <"$D/out" | grep -v '^BITSADMIN\|^BITS administration\|^$'
}
restart_session() {
    "${WINESERVER:-wineserver}" -k >/dev/null 2>&1 </dev/null
    "${WINESERVER:-wineserver}" -w >/dev/null 2>&1 </dev/null
    "${WINESERVER:-wineserver}" -p >/dev/null 2>&1 </dev/null
    "${WINE:-wine}" cmd /c exit >/dev/null 2>&1 </dev/null
}
state_is() { ba /getstate up64 | grep -q "^$1"; }
# The server holds the session with exactly this many bytes (a fragment is delayed there).
server_has() {
    "$PY" - "$BITS_UPLOAD_PORT" "$NAME" "$1" <<'EOF'
import json, sys, urllib.request
port, name, want = sys.argv[1], sys.argv[2], int(sys.argv[3])
s = json.load(urllib.request.urlopen("http://127.0.0.1:%s/__sessions" % port, timeout=5))
sys.exit(0 if any(x["name"].endswith(name) and x["received"] == want for x in s) else 1)
EOF
}

# 64 MiB of deterministic bytes.
"$PY" -c "
import sys
block = bytes((i * 31 + 7) % 251 for i in range(1 << 20))
with open(sys.argv[1], 'wb') as f:
    for n in range(64): f.write(bytes((b + n) % 256 for b in block[:16]) + block[16:])
" "$PUBLIC/bits_up64.bin"

# The fragment at 16 MiB is cut after 1000 bytes; the one at 40 MiB waits 20 s on the server.
URL="http://127.0.0.1:$BITS_UPLOAD_PORT/up/$NAME?drop=1000&drop-from=$((16 * MIB))&delay=20&delay-packet=Fragment&delay-from=$((40 * MIB))&id=$$"
ba /create /upload up64 >/dev/null
ba /addfile up64 "$URL" 'C:\users\Public\bits_up64.bin' >"$D/add"
check "an upload job takes the file" grep -q Added "$D/add"
ba /setminretrydelay up64 5 >/dev/null
ba /resume up64 >/dev/null

check "the dropped connection is a transient error" wait_for 60 state_is TRANSIENT_ERROR
check "the retry reaches the delayed fragment at 40 MiB" wait_for 90 server_has $((40 * MIB))
ba /getbytestotal up64 >"$D/total"
check "BytesTotal is the file size" grep -q "^$((64 * MIB))" "$D/total"

sleep 3                                 # the store has written the last acknowledged offset
restart_session
ba /list >/dev/null
check "after the restart the upload finishes" wait_for 120 state_is TRANSFERRED
ba /getbytestransferred up64 >"$D/done"
check "progress is the whole file" grep -q "^$((64 * MIB))" "$D/done"
ba /complete up64 >"$D/complete"
check "Complete" grep -q "completed" "$D/complete"
check "the upload arrived byte-identical" cmp -s "$PUBLIC/bits_up64.bin" "$BITS_UPLOAD_DIR/up/$NAME"

# The server's log: one session; every fragment starts at 0 or at an offset the server had
# acknowledged before; the dropped fragment and the one after the restart were sent again.
"$PY" - "$BITS_UPLOAD_LOG" "/up/$NAME" "$MIB" >"$D/log" 2>&1 <<'EOF'
import json, sys
log, target, mib = sys.argv[1], sys.argv[2], int(sys.argv[3])
acked, starts, sessions, bad = {0}, [], set(), []
for line in open(log):
    e = json.loads(line)
    if not e.get("target", "").startswith(target + "?"):
        continue
    if e["packet"] == "Create-Session":
        sessions.add(e["session"])
    if e["packet"] != "Fragment":
        continue
    first = int(e["content_range"].split()[1].split("-")[0])
    if first not in acked:
        bad.append(first)
    starts.append((first, e["status"]))
    if e["status"] == 200:
        acked.add(int(e["received_range"]))
print("sessions", len(sessions))
print("unacknowledged starts", bad)
print("dropped", sum(1 for f, s in starts if f == 16 * mib))
print("after restart", sum(1 for f, s in starts if f == 40 * mib and s == 200))
EOF
cat "$D/log"
check "one upload session across both interruptions" grep -q "^sessions 1$" "$D/log"
check "every fragment started at an acknowledged offset" grep -q "^unacknowledged starts \[\]$" "$D/log"
check "the dropped fragment was sent again" grep -q "^dropped 2$" "$D/log"
check "the fragment at 40 MiB was sent again after the restart" grep -q "^after restart [12]$" "$D/log"
rm -f "$PUBLIC/bits_up64.bin"

# A Cancel-Session the server refused (503) is sent again after a restart (BITS re-sends it for up to 24 h):
# the store keeps it with the cancelled job's session. The retry delay is 600 s, so within
# this test only the restart can send it again.
CNAME="cancel-$$.bin"
CURL="http://127.0.0.1:$BITS_UPLOAD_PORT/up/$CNAME?hangup=Fragment&fail=503&fail-packet=Cancel-Session&id=c$$"
head -c 100000 /dev/urandom >"$PUBLIC/bits_cancel.bin"
upc_is() { ba /getstate upc | grep -q "^$1"; }
# cancels <n> <status>: the server saw n Cancel-Sessions of that upload, the last answered status.
cancels() {
    "$PY" - "$BITS_UPLOAD_LOG" "/up/$CNAME?" "$1" "$2" <<'EOF'
import json, sys
log, target, n, status = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
seen = [e.get("status") for e in map(json.loads, open(log))
        if e.get("target", "").startswith(target) and e.get("packet") == "Cancel-Session"]
sys.exit(0 if len(seen) == n and seen[-1] == status else 1)
EOF
}
ba /create /upload upc >/dev/null
ba /addfile upc "$CURL" 'C:\users\Public\bits_cancel.bin' >/dev/null
ba /setminretrydelay upc 600 >/dev/null
ba /resume upc >/dev/null
check "a connection closed on the fragment: TRANSIENT_ERROR, the session open" wait_for 60 upc_is TRANSIENT_ERROR
ba /cancel upc >/dev/null
check "the first Cancel-Session gets 503" wait_for 30 cancels 1 503
restart_session
ba /list >"$D/list"
check "the cancelled job stays gone after the restart" sh -c "! grep -q \"'upc'\" '$D/list'"
check "after the restart Cancel-Session is sent again and accepted" wait_for 60 cancels 2 200
check "the server's session is gone" "$PY" -c "
import json, sys, urllib.request
s = json.load(urllib.request.urlopen('http://127.0.0.1:$BITS_UPLOAD_PORT/__sessions', timeout=5))
sys.exit(1 if any(x['name'].endswith('$CNAME') for x in s) else 0)"
rm -f "$PUBLIC/bits_cancel.bin"

# The BITS-Host-Id fallback timer counts from the first failure to reach the host id, across
# a restart: a host id that refuses connections, fallback 40 s, a retry every 5 s,
# a kill 25 s after the first failure. The saved timer falls back 40 s after the first failure
# (15 s after the kill, then the next retry); a fresh one could not fall back before kill + 40 s,
# so the upload must be TRANSFERRED before kill + 38 s.
ms() { date +%s%3N; }
HURL="http://127.0.0.1:$BITS_UPLOAD_PORT/up/host-$$.bin?hostid=dead&fallback=40&id=h$$"
head -c 100000 /dev/urandom >"$PUBLIC/bits_host.bin"
uph_is() { ba /getstate uph | grep -q "^$1"; }
ba /create /upload uph >/dev/null
ba /addfile uph "$HURL" 'C:\users\Public\bits_host.bin' >/dev/null
ba /setminretrydelay uph 5 >/dev/null
ba /resume uph >/dev/null
check "a host id that refuses connections: TRANSIENT_ERROR" wait_for 60 uph_is TRANSIENT_ERROR
sleep 25
killed=$(ms)
restart_session
ba /list >/dev/null
until uph_is TRANSFERRED || [ "$(ms)" -ge $((killed + 38000)) ]; do sleep 0.5; done
check "the fallback timer went on: TRANSFERRED through the job's URL $(( ($(ms) - killed) / 1000 )) s after the kill" \
    uph_is TRANSFERRED
check "the upload arrived byte-identical" cmp -s "$PUBLIC/bits_host.bin" "$BITS_UPLOAD_DIR/up/host-$$.bin"
ba /complete uph >/dev/null
rm -f "$PUBLIC/bits_host.bin"
rm -rf "$D"
summary

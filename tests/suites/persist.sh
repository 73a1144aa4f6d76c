# tests/suites/persist.sh: the job queue survives `net stop BITS` and a killed session:
# properties, files, states and encrypted secrets come back; final jobs do not; a 64 MiB
# download killed at about half resumes with a Range request and ends byte-identical; a
# TRANSIENT_ERROR retry timer and MaxDownloadTime's clock go on; a damaged newest image falls
# back to the other one; two damaged images are set aside.
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
T_SUITE=persist
. "$TOP/tests/lib.sh"
. "$TOP/tests/store-lib.sh"
D=$(mktemp -d)
if [ "$BITS_MODE" != ours ]; then summary; exit 0; fi
store_dir
STORE=$STORE_DIR
check "the store's place is known ($STORE)" test -n "$STORE"

# No retries: the first activation after `net stop BITS` or a kill must succeed (the service
# suite checks that on its own).
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

ba /create keep >/dev/null
ba /setdescription keep "kept across restarts" >/dev/null
ba /setpriority keep HIGH >/dev/null
ba /setminretrydelay keep 77 >/dev/null
ba /setproxysettings keep OVERRIDE proxy:8080 "<local>" >/dev/null
ba /setcustomheaders keep "X-Kept: yes" >/dev/null
ba /setcredentials keep SERVER BASIC user secret >/dev/null
ba /setnotifycmdline keep 'C:\windows\system32\cmd.exe' NULL >/dev/null
ba /addfile keep 'C:\windows\win.ini' 'C:\users\Public\kept.ini' >/dev/null
ba /info keep /verbose >"$D/before"
ba /create gone >/dev/null
ba /cancel gone >/dev/null
ba /transfer done 'C:\windows\win.ini' 'C:\users\Public\done.ini' >/dev/null
ba /create transferred >/dev/null
ba /addfile transferred 'C:\windows\win.ini' 'C:\users\Public\transferred.ini' >/dev/null
ba /resume transferred >/dev/null
sleep 2
ba /getstate transferred >"$D/state1"
check "transferred before the restart" grep -q TRANSFERRED "$D/state1"

stop_bits "$D/stop"; rc=$?
check "net stop BITS" test $rc -eq 0
check "the store exists" sh -c "test -f '$STORE/qmgr0.dat' || test -f '$STORE/qmgr1.dat'"
ba /info keep /verbose >"$D/after"
check "every property survives net stop" cmp -s "$D/before" "$D/after"
cmp -s "$D/before" "$D/after" || diff "$D/before" "$D/after"
ba /getcustomheaders keep >"$D/headers"
check "encrypted custom headers survive" grep -q "X-Kept: yes" "$D/headers"
check "headers are not stored in clear" sh -c "! grep -qa 'X-Kept' '$STORE'/qmgr*.dat && ! grep -qa 'X.-.K.e.p.t' '$STORE'/qmgr*.dat"
check "passwords are not stored in clear" sh -c "! grep -qa 's.e.c.r.e.t' '$STORE'/qmgr*.dat"
ba /list >"$D/list"
check "cancelled jobs are gone" sh -c "! grep -q \"'gone'\" '$D/list'"
check "completed jobs are gone" sh -c "! grep -q \"'done'\" '$D/list'"
ba /getstate transferred >"$D/state2"
check "TRANSFERRED survives" grep -q TRANSFERRED "$D/state2"
ba /complete transferred >/dev/null
check "and completes after the restart" cmp -s "$WINEPREFIX/drive_c/windows/win.ini" "$WINEPREFIX/drive_c/users/Public/transferred.ini"

sleep 1
restart_session
ba /info keep /verbose >"$D/after2"
check "every property survives a killed session" cmp -s "$D/before" "$D/after2"

# A 64 MiB download killed at about half (the whole session, svchost included) finishes after
# the restart with a Range request from its last checkpoint, byte-identical. The fault server
# trickles it at 4 MiB/s so that the kill lands mid-file.
getnum() { ba /rawreturn "$@" | tr -dc '0-9'; }
# start_job <job> <url> <local> <switch> <value>: a download job with one setting, resumed.
start_job() {
    ba /create "$1" >/dev/null
    ba /addfile "$1" "$2" "$3" >/dev/null
    ba "$4" "$1" "$5" >/dev/null
    ba /resume "$1" >/dev/null
}
# wait_state <job> <pattern> <seconds> <file>: /getstate into file until it matches (or time is up).
wait_state() {
    i=0
    while [ $i -lt $(($3 * 2)) ] && ! grep -q "$2" "$4" 2>/dev/null; do sleep 0.5; ba /getstate "$1" >"$4"; i=$((i + 1)); done
}
if [ -n "$BITS_FAULT_PORT" ] && [ -n "$BITS_DATA_DIR" ] && "$TOP/tests/servers/mkdata.sh" "$BITS_DATA_DIR" 64m.bin 64M; then
    ba /create big >/dev/null
    ba /addfile big "http://127.0.0.1:$BITS_FAULT_PORT/slow/64m.bin?rate=4194304&id=persist-$$" 'C:\users\Public\big.bin' >/dev/null
    ba /resume big >/dev/null
    i=0; n=0
    while [ $i -lt 240 ]; do
        n=$(getnum /getbytestransferred big); [ -n "$n" ] && [ "$n" -ge 29360128 ] && break
        sleep 0.5; i=$((i + 1))
    done
    check "the 64 MiB download reaches 28 MiB before the kill ($n)" test -n "$n" -a "$n" -ge 29360128
    check "and is not finished" test "$n" -lt 67108864
    restart_session
    ba /getstate big >"$D/bigstate"
    check "the interrupted download is back after the kill" grep -q "QUEUED\|CONNECTING\|TRANSFERRING\|TRANSFERRED" "$D/bigstate"
    wait_state big TRANSFERRED 120 "$D/bigstate"
    check "it finishes after the restart" grep -q TRANSFERRED "$D/bigstate"
    ba /complete big >/dev/null
    want=$(grep ' 64m.bin$' "$BITS_DATA_DIR/SHA256SUMS" | cut -c1-64)
    got=$(sha256sum "$WINEPREFIX/drive_c/users/Public/big.bin" 2>/dev/null | cut -c1-64)
    check "and is byte-identical (sha256)" test -n "$want" -a "$want" = "$got"
    # The server saw the resume: a GET of the file with a Range that starts past 0.
    python3 - "$BITS_REQUEST_LOG" "persist-$$" >"$D/ranges" <<'PY'
import json, re, sys
for line in open(sys.argv[1]):
    try: e = json.loads(line)
    except ValueError: continue
    if e.get("method") == "GET" and sys.argv[2] in (e.get("target") or "") and e.get("range"):
        m = re.match(r"bytes=(\d+)-", e["range"])
        if m: print(m.group(1))
PY
    check "the server saw a ranged request from the checkpoint ($(tr '\n' ' ' <"$D/ranges"))" \
        sh -c "awk '\$1 > 0 { found = 1 } END { exit !found }' '$D/ranges'"
    rm -f "$WINEPREFIX/drive_c/users/Public/big.bin"

    # A TRANSIENT_ERROR retry timer goes on after a kill: the job retries by itself.
    start_job retry "http://127.0.0.1:$BITS_FAULT_PORT/flaky/1/4k.bin?id=persist-retry-$$" 'C:\users\Public\retry.bin' \
        /setminretrydelay 15
    wait_state retry TRANSIENT_ERROR 30 "$D/rstate"
    check "a 503 makes TRANSIENT_ERROR" grep -q TRANSIENT_ERROR "$D/rstate"
    # A state change is saved at once (within 50 ms), even while the saver waits out the 3 s
    # delay of other changes (the progress of this job, say): one second is plenty.
    sleep 1
    restart_session
    ba /getstate retry >"$D/rstate"
    check "TRANSIENT_ERROR survives the kill ($(tr -d '\n' <"$D/rstate"))" grep -q TRANSIENT_ERROR "$D/rstate"
    wait_state retry TRANSFERRED 60 "$D/rstate"
    check "and the retry comes by itself after the restart" grep -q TRANSFERRED "$D/rstate"
    ba /complete retry >/dev/null

    # MaxDownloadTime's clock (time in CONNECTING/TRANSFERRING since the last Resume)
    # counts on across a restart. A 24 s budget against a trickle; `net stop` once the job has
    # been TRANSFERRING for 15 s. A fresh budget would start only when the new worker runs,
    # after the restart, so it could not end before stop + 24 s: the error must come before
    # stop + 23 s (the persisted clock leaves at most 9 s; the rest is margin for the restart).
    ms() { date +%s%3N; }
    start_job maxtime "http://127.0.0.1:$BITS_FAULT_PORT/slow/64m.bin?rate=16384&id=persist-maxtime-$$" \
        'C:\users\Public\maxtime.bin' /setmaxdownloadtime 24
    wait_state maxtime TRANSFERRING 30 "$D/mstate"
    check "the trickled job is TRANSFERRING" grep -q TRANSFERRING "$D/mstate"
    sleep 15
    ba /getstate maxtime >"$D/mstate"
    check "still TRANSFERRING after 15 s of its 24 s ($(tr -d '\n' <"$D/mstate"))" grep -q TRANSFERRING "$D/mstate"
    stopped=$(ms)
    "${WINE:-wine}" net stop BITS >/dev/null 2>&1 </dev/null
    ba /getstate maxtime >"$D/mstate"
    while [ "$(ms)" -lt $((stopped + 23000)) ] && ! grep -q ERROR "$D/mstate"; do sleep 0.5; ba /getstate maxtime >"$D/mstate"; done
    check "the clock counts on: ERROR within the rest of the budget ($(( ($(ms) - stopped) / 1000 )) s after the stop)" \
        grep -q '^ERROR' "$D/mstate"
    ba /geterror maxtime >"$D/merror"
    check "BG_E_MAXDOWNLOAD_TIMEOUT after the restart" grep -qi "0x80200054" "$D/merror"
    ba /cancel maxtime >/dev/null
else
    check "64 MiB restart test needs the fault server and its data" false
fi

# A torn newest image: the other slot still has the job.
stop_bits "$D/stop"
newest=$(ls -t "$STORE"/qmgr0.dat "$STORE"/qmgr1.dat 2>/dev/null | head -n 1)
check "two images exist" test "$(ls "$STORE"/qmgr0.dat "$STORE"/qmgr1.dat 2>/dev/null | wc -l)" -eq 2
python3 -c "import sys; p=sys.argv[1]; d=bytearray(open(p,'rb').read()); d[len(d)//2]^=0xff; open(p,'wb').write(d[:len(d)-7])" "$newest"
ba /list >"$D/list2"
check "a damaged newest image falls back to the other" grep -q "'keep'" "$D/list2"

# Both damaged: set aside, start empty.
stop_bits "$D/stop"
for f in "$STORE"/qmgr0.dat "$STORE"/qmgr1.dat; do printf 'garbage' >"$f"; done
ba /list >"$D/list3"
check "two damaged images: the service starts empty" grep -q "Listed 0 job(s)." "$D/list3"
check "and keeps them aside" sh -c "ls '$STORE' | grep -q corrupt"
rm -rf "$D"
summary

# tests/suites/keepalive.sh: a download goes on after its client exits. Under Wine the session
# ends about 1.5 s after the last program exits, and the service with it; while a job has work
# the service keeps the session up, and lets it end once nothing is left. Each client here is
# a bitsadmin call that exits at once (as installers and scripts do), in a session that is not
# persistent, so nothing but the service can keep it up.
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
T_SUITE=keepalive
. "$TOP/tests/lib.sh"
D=$(mktemp -d)
if [ "$BITS_MODE" != ours ] || [ -z "$BITS_FAULT_PORT" ] || [ -z "$BITS_DATA_DIR" ] \
   || ! "$TOP/tests/servers/mkdata.sh" "$BITS_DATA_DIR" 1m.bin 1M; then
    summary; exit 0
fi
PUB="$WINEPREFIX/drive_c/users/Public"
WANT=$(grep ' 1m.bin$' "$BITS_DATA_DIR/SHA256SUMS" | cut -c1-64)

ba() {
    wine_run1 "$D/out" bitsadmin "$@"
    tr -d '\r' <"$D/out" | grep -v '^BITSADMIN\|^BITS administration\|^$'
}
getnum() { ba /rawreturn "$@" | tr -dc '0-9'; }
end_session() {
    "${WINESERVER:-wineserver}" -k >/dev/null 2>&1 </dev/null
    "${WINESERVER:-wineserver}" -w >/dev/null 2>&1 </dev/null
}
# wait_end <seconds>: wait until the session ends by itself; prints the seconds it took, or
# "never" when it was still up at the limit (then it is ended).
wait_end() {
    t0=$(date +%s.%N)
    if timeout "$1" "${WINESERVER:-wineserver}" -w >/dev/null 2>&1 </dev/null; then
        echo "$(date +%s.%N) $t0" | awk '{ printf "%.1f\n", $1 - $2 }'
    else
        echo never
        end_session
    fi
}
# start_download <job> <rate>: a job for 1m.bin trickled at <rate> bytes/s, resumed by clients
# that each exit right away.
start_download() {
    ba /create "$1" >/dev/null
    ba /addfile "$1" "http://127.0.0.1:$BITS_FAULT_PORT/slow/1m.bin?rate=$2&id=keepalive-$1-$$" "C:\\users\\Public\\$1.bin" >/dev/null
    ba /resume "$1" >/dev/null
}
set_keep() {
    wine_run1 "$D/reg" reg add 'HKLM\Software\Wine\BITS' /v KeepSessionAlive /t REG_DWORD /d "$1" /f
}
ls_tmp() { ls "$PUB"/BIT*.tmp 2>/dev/null; }

# 1 MiB at 128 KiB/s: about 8 s of transfer after the last client exited (without the service's
# help the session ends after about 2 s). The session stays up until the job is TRANSFERRED,
# then ends by itself.
end_session
start_download kept 131072
took=$(wait_end 60)
check "the session outlives the client while the job transfers (ended after $took s)" \
    awk -v t="$took" 'BEGIN { exit !(t != "never" && t >= 5) }'
check "and ends by itself once the job is TRANSFERRED ($took s)" test "$took" != never
tmp=$(ls_tmp)
check "the temp file is whole when the session ends ($tmp)" \
    sh -c "test -n '$tmp' && test \$(stat -c %s '$tmp') -eq 1048576"
"${WINESERVER:-wineserver}" -p >/dev/null 2>&1 </dev/null
n=$(getnum /getbytestransferred kept)
check "the job had all its bytes before the next session ($n)" test "$n" = 1048576
ba /getstate kept >"$D/state"
check "and is TRANSFERRED" grep -q TRANSFERRED "$D/state"
ba /complete kept >/dev/null
check "Complete publishes the right bytes" test "$(sha256sum "$PUB/kept.bin" 2>/dev/null | cut -c1-64)" = "$WANT"
rm -f "$PUB/kept.bin"

# A suspended job has no work: the session ends as if there were no service.
end_session
start_download paused 65536
ba /suspend paused >/dev/null
took=$(wait_end 30)
check "a suspended job does not hold the session (ended after $took s)" \
    awk -v t="$took" 'BEGIN { exit !(t != "never" && t < 10) }'
"${WINESERVER:-wineserver}" -p >/dev/null 2>&1 </dev/null
ba /cancel paused >/dev/null

# KeepSessionAlive = 0 turns it off: the session ends soon after the client, the download is
# cut, and the next session goes on with it.
"${WINESERVER:-wineserver}" -p >/dev/null 2>&1 </dev/null
set_keep 0
end_session
start_download cut 65536
took=$(wait_end 60)
check "with KeepSessionAlive = 0 the session ends with the client (after $took s)" \
    awk -v t="$took" 'BEGIN { exit !(t != "never" && t < 8) }'
"${WINESERVER:-wineserver}" -p >/dev/null 2>&1 </dev/null
n=$(getnum /getbytestransferred cut)
check "and the download was cut ($n bytes)" test -n "$n" -a "$n" -lt 1048576
i=0
until ba /getstate cut | grep -q TRANSFERRED || [ $i -ge 60 ]; do sleep 1; i=$((i + 1)); done
ba /complete cut >/dev/null
check "the next session finishes it" test "$(sha256sum "$PUB/cut.bin" 2>/dev/null | cut -c1-64)" = "$WANT"
rm -f "$PUB/cut.bin"
set_keep 1

rm -rf "$D"
summary

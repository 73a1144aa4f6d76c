# tests/suites/callback_exit.sh: letting go of the callback of a client that has exited is quiet.
# A client sets a callback on its job (SetNotifyInterface) and exits; the job then transfers (the
# JobTransferred call to the gone client fails), is completed, and the service stops. Releasing
# the proxy of a gone process makes Wine's ole32 log "err:ole:ifproxy_release_public_refs
# IRemUnknown_RemRelease failed 0x800706be" in the service, though nothing is wrong: the service
# remembers which process gave each callback and does not release the proxy of an exited one,
# and keeps the apartment of such a proxy when it stops, since its end would release them too.
# The service logs to a file as in marshal_ndr: a new session whose first program's output it
# inherits, kept up (wineserver -p) so that the service stays in it.
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
T_SUITE=callback_exit
. "$TOP/tests/lib.sh"
D=$(mktemp -d)
if [ "$BITS_MODE" != ours ] || [ -z "$BITS_HTTP_PORT" ] || [ ! -f "$B/helpers/callbackexit.exe" ]; then
    summary; exit 0
fi
PUB='C:\users\Public'
PUB_UNIX="$WINEPREFIX/drive_c/users/Public"

ba() {
    wine_run1 "$D/ba.raw" bitsadmin "$@"
    tr -d '\r' <"$D/ba.raw" >"$D/ba.out"
}
# wait_state <job> <STATE>: polls /getstate for up to 30 s.
wait_state() {
    n=0
    while [ $n -lt 60 ]; do
        ba /rawreturn /getstate "$1"
        grep -qx "$2" "$D/ba.out" && return 0
        sleep 0.5; n=$((n + 1))
    done
    return 1
}

"${WINESERVER:-wineserver}" -k; "${WINESERVER:-wineserver}" -w
"${WINESERVER:-wineserver}" -p >/dev/null 2>&1 </dev/null
WINEDEBUG=-all,err+ole,err+rpc,trace+loaddll "${WINE:-wine}" cmd /c exit >"$D/session.log" 2>&1 </dev/null

for round in 1 2; do
    WINEDEBUG=-all wine_run "$D/client.out" "$D/client.err" "$B/helpers/callbackexit.exe" "cbexit$round" \
        "http://127.0.0.1:$BITS_HTTP_PORT/4k.bin" "$PUB\\cbexit$round.bin"
    check "round $round: the client set its callback and exited" grep -q '^{' "$D/client.out"
    job=$(tr -d '\r' <"$D/client.out" | head -n 1)
    ba /resume "$job"
    check "round $round: the job transfers after its client exited" wait_state "$job" TRANSFERRED
    ba /complete "$job"
    check "round $round: Complete" grep -q 'Job completed' "$D/ba.out"
done
sleep 1   # the service's output reaches the file a little after the calls return
check "the service's output was logged" grep -q 'Loaded.*qmgr\.dll' "$D/session.log"
check "no failed RemRelease for the gone client's callbacks while the service runs" \
    sh -c "! grep -q 'ifproxy_release_public_refs' '$D/session.log'"
# The service stops and ends its apartment: ole32 destroys whatever proxies are left in it.
# net stop may return while the service still reports STOP_PENDING.
wine_run1 "$D/stop.out" net stop BITS
check "the service is STOPPED" wait_for 10 sh -c "'${WINE:-wine}' sc query BITS >'$D/q.out' 2>&1 </dev/null; grep -q STOPPED '$D/q.out'"
sleep 1
check "nor when the service stops" sh -c "! grep -q 'ifproxy_release_public_refs' '$D/session.log'"
grep -h "err:ole\|err:rpc" "$D/session.log" | sort | uniq -c | head -n 20
"${WINESERVER:-wineserver}" -k; "${WINESERVER:-wineserver}" -w
rm -f "$PUB_UNIX/cbexit1.bin" "$PUB_UNIX/cbexit2.bin"
rm -rf "$D"
summary

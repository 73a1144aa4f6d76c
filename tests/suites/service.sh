# tests/suites/service.sh: the BITS service starts on activation, stops on `net stop BITS`
# (reporting STOPPED promptly), and starts again on the next activation.
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
T_SUITE=service
. "$TOP/tests/lib.sh"
D=$(mktemp -d)

wine_run "$D/a.out" "$D/a.err" "$B/tests/qmgr.exe" qmgr
check "activation through the service" grep -q "^qmgr: .* 0 failures" "$D/a.out"
wine_run "$D/q.out" "$D/q.err" sc query BITS
check "the service runs after activation" grep -q "RUNNING" "$D/q.out"
start=$(date +%s)
wine_run "$D/stop.out" "$D/stop.err" net stop BITS
rc=$?
end=$(date +%s)
check "net stop BITS succeeds" test "$rc" -eq 0
check "the service stops within 10 s" test $((end - start)) -le 10
# net stop may return while the service still reports STOP_PENDING: allow it a few seconds.
i=0
while [ $i -lt 20 ]; do
    wine_run "$D/q2.out" "$D/q2.err" sc query BITS
    grep -q "STOPPED" "$D/q2.out" && break
    sleep 0.5
    i=$((i + 1))
done
check "the service is STOPPED within 10 s" grep -q "STOPPED" "$D/q2.out"
# The first activation right after a stop restarts the service in the same svchost: it must
# answer at once, every time (no retry; a race there once gave E_NOINTERFACE).
i=0; ok_count=0
while [ $i -lt 3 ]; do
    [ $i -gt 0 ] && "${WINE:-wine}" net stop BITS >"$D/stop$i" 2>&1 </dev/null
    wine_run1 "$D/probe$i" bitsadmin /list && ok_count=$((ok_count + 1))
    i=$((i + 1))
done
check "the first activation after a stop succeeds ($ok_count of 3)" test $ok_count -eq 3
grep -ah "connect to BITS" "$D"/probe* | head -n 3
wine_run "$D/b.out" "$D/b.err" "$B/tests/callback.exe" callback
check "activation starts it again" grep -q "^callback: .* 0 failures" "$D/b.out"
# Wine 8 unregisters an interface from RPC when its last stub in the process goes, and that can
# hang the client's Release (service.c, pin_interfaces): the service keeps the registrations
# of its interfaces, so clients that create and release jobs, files, enumerators and errors
# never make it unregister one. A new session whose services log +rpc to a file.
"${WINESERVER:-wineserver}" -k; "${WINESERVER:-wineserver}" -w
WINEDEBUG=-all,trace+rpc "${WINE:-wine}" cmd /c exit >"$D/rpc.log" 2>&1 </dev/null
wine_run "$D/j.out" "$D/j.err" "$B/tests/job.exe" job
wine_run "$D/f.out" "$D/f.err" "$B/tests/file.exe" file
check "the clients ran" sh -c "grep -q '^job: .* 0 failures' '$D/j.out' && grep -q '^file: .* 0 failures' '$D/f.out'"
check "the service's calls were traced" grep -q "RpcServerRegisterIf" "$D/rpc.log"
# IClassFactory, IBackgroundCopyManager, Job, File, IEnumBackgroundCopyJobs, Files, Error
check "no interface of ours was unregistered" sh -c "! grep 'RpcServerUnregisterIf (' '$D/rpc.log' | grep -qi \
    -e 00000001-0000-0000-c000-000000000046 -e 5ce34c0d-0dc9-4c1f-897c-daa1b78cee7c \
    -e 37668d37-507e-4160-9316-26306d150b12 -e 01b7bd23-fb88-4a77-8490-5891d3e4653a \
    -e 1af4f612-3b71-466f-8f58-7b6f73ac57ad -e ca51e165-c365-424c-8d41-24aaa4ff3c40 \
    -e 19c613a0-fcb8-4f28-81ae-897c3d078f81"
rm -rf "$D"
summary

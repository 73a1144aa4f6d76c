# tests/suites/bench_smoke.sh: the programs of `make bench` still work (bench/run.sh is not part
# of make check): bitsbench.exe in its three modes and winhttp_get.exe, once each on 4 KiB files
# from nginx; and the documented switch HKLM\Software\Wine\BITS Persistence = 0 (the baseline of
# the persistence benchmark) really keeps the queue out of the store. Times are never checked.
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
T_SUITE=bench_smoke
. "$TOP/tests/lib.sh"
D=$(mktemp -d)
WD="Z:$(echo "$D" | tr / '\\')"
URL="http://127.0.0.1:$BITS_HTTP_PORT/4k.bin"
BB="$B/bench/bitsbench.exe"

has_result() { tr -d '\r' <"$1" | grep -q '^RESULT [0-9][0-9.]*$'; }

. "$TOP/tests/store-lib.sh"
store_dir
STORE=$STORE_DIR
ba() { wine_run "$D/ba.out" "$D/ba.err" bitsadmin "$@"; tr -d '\r' <"$D/ba.out"; }
restart_session() {
    "${WINESERVER:-wineserver}" -k >/dev/null 2>&1 </dev/null
    "${WINESERVER:-wineserver}" -w >/dev/null 2>&1 </dev/null
    "${WINESERVER:-wineserver}" -p >/dev/null 2>&1 </dev/null
    "${WINE:-wine}" cmd /c exit >/dev/null 2>&1 </dev/null
}

# The switch is read at service start; the suite's session has not started BITS yet, so the
# bench programs below already run with persistence off (as the baseline of make bench does).
if [ "$BITS_MODE" = ours ]; then
    rm -f "$STORE/qmgr0.dat" "$STORE/qmgr1.dat"
    wine_run "$D/reg.out" "$D/reg.err" reg add 'HKLM\Software\Wine\BITS' /v Persistence /t REG_DWORD /d 0 /f
fi

wine_run "$D/one.out" "$D/one.err" "$BB" one "$URL" "$WD" 1
check "bitsbench one: a result" has_result "$D/one.out"
check "bitsbench one: the 4096 bytes arrived" grep -q 'bytes 4096' "$D/one.out"
wine_run "$D/many.out" "$D/many.err" "$BB" many "$URL" "$WD" 3
check "bitsbench many: a result" has_result "$D/many.out"
wine_run "$D/create.out" "$D/create.err" "$BB" create "$URL" "$WD" 3
check "bitsbench create: a result" has_result "$D/create.out"
check "bitsbench leaves no files behind" sh -c "! ls '$D'/*.bin >/dev/null 2>&1"
wine_run "$D/get.out" "$D/get.err" "$B/bench/winhttp_get.exe" "$URL" "$WD\\get.bin"
check "winhttp_get: a result" has_result "$D/get.out"
check "winhttp_get: the file" cmp -s "$D/get.bin" "$BITS_DATA_DIR/4k.bin"
wine_run "$D/get3.out" "$D/get3.err" "$B/bench/winhttp_get.exe" "$URL" "$WD\\loop" 65536 3
check "winhttp_get with a count: a result" has_result "$D/get3.out"
check "winhttp_get with a count: the bytes of 3 GETs" grep -q "^12288 bytes" "$D/get3.out"
check "winhttp_get with a count: each GET in its own file" sh -c \
    "cmp -s '$D/loop.0' '$BITS_DATA_DIR/4k.bin' && cmp -s '$D/loop.2' '$BITS_DATA_DIR/4k.bin'"
wine_run "$D/bad.out" "$D/bad.err" "$BB" one "http://127.0.0.1:$BITS_HTTP_PORT/missing.bin" "$WD" 1
check "bitsbench reports a failed job" sh -c "! tr -d '\r' <'$D/bad.out' | grep -q '^RESULT' && grep -q FAILED '$D/bad.out'"

if [ "$BITS_MODE" = ours ]; then
    # Persistence off: a job lives until the service stops, and the store is not touched.
    ba /create volatile >/dev/null
    ba /list >"$D/list1"
    check "Persistence=0: the job exists while the service runs" grep -q volatile "$D/list1"
    restart_session
    ba /list >"$D/list2"
    check "Persistence=0: the job is gone after a restart" sh -c "! grep -q volatile '$D/list2'"
    check "Persistence=0: no store was written" sh -c "! ls '$STORE'/qmgr*.dat >/dev/null 2>&1"
    wine_run "$D/reg.out" "$D/reg.err" reg delete 'HKLM\Software\Wine\BITS' /v Persistence /f
fi

rm -rf "$D"
summary

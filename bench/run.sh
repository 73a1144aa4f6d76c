#!/bin/sh
# bench/run.sh <builddir>: the benchmarks behind `make bench`: the transfer
# engine against Wine's builtin, plain WinHTTP and curl, and the cost of persistence.
# Not part of `make check`: it prints times and ratios, it never fails on a slow result.
#
# In one invocation, against the same nginx (tests/servers/start.sh, with a 256 MiB file made
# in the bench's own data directory):
#   (a) a 256 MiB download by our service, by Wine's builtin qmgr (a second prefix), by a plain
#       WinHTTP loop (winhttp_get.exe, 64 KiB WinHttpReadData) and by native curl;
#   (b) Resume -> TRANSFERRED of one 4 KiB job (median of BENCH_LATENCY_RUNS jobs in a row);
#   (c) 100 jobs of 4 KiB resumed at once, Resume of the first -> TRANSFERRED of the last, and
#       the same 100 GETs by a plain WinHTTP loop (winhttp_get.exe with a count: the floor), and
#       100 jobs that copy a 4 KiB local file instead (our service and the builtin);
#   (d) BENCH_CREATE_JOBS x (CreateJob + AddFile) by our service with persistence, and by the
#       same build with HKLM\Software\Wine\BITS Persistence = 0 (store off).
# BITS jobs are driven by bitsbench.exe (IBackgroundCopyCallback, QueryPerformanceCounter) the
# same way for both services. Each measurement runs BENCH_RUNS times (default 3), the rounds
# interleaved so that load changes hit every contender alike; the median is printed.
#
# Everything lives in <builddir>/bench: prefixes pfx-ours (our DLLs) and pfx-builtin, servers/
# (data/256m.bin is kept between invocations), out/ (downloads, removed after each run),
# logs/ (every program's output: Wine output always goes to files, never pipes).
# Environment: BENCH_RUNS, BENCH_LATENCY_RUNS (20), BENCH_MANY_JOBS (100), BENCH_CREATE_JOBS
# (300), BENCH_BIG (256M), BITSBENCH_PRIORITY (job priority, default NORMAL).
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

B=${1:-build}
case "$B" in /*) ;; *) B="$(pwd)/$B" ;; esac
TOP=$(cd "$(dirname "$0")/.." && pwd)
BD="$B/bench"
RUNS=${BENCH_RUNS:-3}
LAT_RUNS=${BENCH_LATENCY_RUNS:-20}
MANY=${BENCH_MANY_JOBS:-100}
CREATE=${BENCH_CREATE_JOBS:-300}
BIG=${BENCH_BIG:-256M}
# The 64-bit loader, whatever `wine` is (tools/setup loaders; make passes WINE64).
eval "$(sh "$(dirname "$0")/../tools/setup" loaders)"
WINE=$WINE64
WINESERVER=${WINESERVER:-wineserver}
export WINEDEBUG=-all
export WINEDLLOVERRIDES="mscoree,mshtml="
OURS="$BD/pfx-ours"
BUILTIN="$BD/pfx-builtin"
OUT="$BD/out"
LOGS="$BD/logs"
RES="$BD/results"

rm -rf "$OUT" "$LOGS" "$RES"
mkdir -p "$OUT" "$LOGS" "$RES" || exit 1
WOUT="Z:$(echo "$OUT" | tr / '\\')"

die() { echo "bench: $*"; cleanup; exit 1; }

stop_session() {
    WINEPREFIX="$1" "$WINESERVER" -k >/dev/null 2>&1 </dev/null
    WINEPREFIX="$1" "$WINESERVER" -w >/dev/null 2>&1 </dev/null
}
start_session() {
    WINEPREFIX="$1" "$WINESERVER" -p >/dev/null 2>&1 </dev/null
    WINEPREFIX="$1" "$WINE" cmd /c exit >/dev/null 2>&1 </dev/null
}
cleanup() {
    stop_session "$OURS"
    stop_session "$BUILTIN"
    "$TOP/tests/servers/stop.sh" "$BD/servers" >/dev/null 2>&1
    rm -rf "$OUT"
}
trap 'cleanup; exit 130' INT TERM

# run <prefix> <log> <program> <args...>: a Wine program, output to a file; prints its RESULT.
run() {
    pfx=$1 log=$2
    shift 2
    WINEPREFIX="$pfx" timeout 900 "$WINE" "$@" >"$log" 2>&1 </dev/null
    r=$(tr -d '\r' <"$log" | sed -n 's/^RESULT \([0-9.]*\).*/\1/p' | tail -n 1)
    if [ -z "$r" ]; then
        echo "bench: $(basename "$log" .log) failed: $(tr -d '\r' <"$log" | grep -m1 FAILED)" >&2
        echo "nan"
    else
        echo "$r"
    fi
}

echo "== preparing (servers, $BIG file, prefixes)"
BITS_TLS_CACHE="$B/test-tls" "$TOP/tests/servers/start.sh" "$BD/servers" >"$LOGS/servers.log" 2>&1 ||
    die "the test servers did not start (see $LOGS/servers.log)"
. "$BD/servers/servers.env"
"$TOP/tests/servers/mkdata.sh" "$BITS_DATA_DIR" big.bin "$BIG" >>"$LOGS/servers.log" 2>&1 || die "mkdata failed"
BIG_BYTES=$(stat -c %s "$BITS_DATA_DIR/big.bin")
URL="http://127.0.0.1:$BITS_HTTP_PORT"
WDATA="Z:$(echo "$BITS_DATA_DIR" | tr / '\\')"

{ "$TOP/tests/prefix.sh" create "$OURS" && "$TOP/tests/prefix.sh" install "$OURS" "$B"; } >"$LOGS/prefix-ours.log" 2>&1 \
    || die "prefix.sh install failed"
"$TOP/tests/prefix.sh" create "$BUILTIN" >"$LOGS/prefix-builtin.log" 2>&1 || die "prefix.sh create failed"
start_session "$OURS"
# Room for the creation benchmark (the default MaxJobsPerMachine is 300) and persistence on.
for v in MaxJobsPerMachine MaxJobsPerUser; do
    WINEPREFIX="$OURS" "$WINE" reg add 'HKLM\Software\Policies\Microsoft\Windows\BITS' /v $v /t REG_DWORD \
        /d 100000 /f >>"$LOGS/setup.log" 2>&1 </dev/null
done
WINEPREFIX="$OURS" "$WINE" reg delete 'HKLM\Software\Wine\BITS' /v Persistence /f >>"$LOGS/setup.log" 2>&1 </dev/null
# Jobs an interrupted earlier run left in the store.
WINEPREFIX="$OURS" "$WINE" bitsadmin /reset >>"$LOGS/setup.log" 2>&1 </dev/null
start_session "$BUILTIN"

# Warm up: the first activation of each service and its first WinHTTP session.
run "$OURS" "$LOGS/warmup-ours.log" "$B/bench/bitsbench.exe" one "$URL/4k.bin" "$WOUT" 2 >/dev/null
run "$BUILTIN" "$LOGS/warmup-builtin.log" "$B/bench/bitsbench.exe" one "$URL/4k.bin" "$WOUT" 2 >/dev/null

big_bits() { # prefix name round
    r=$(run "$1" "$LOGS/big-$2-$3.log" "$B/bench/bitsbench.exe" one "$URL/big.bin" "$WOUT" 1)
    grep -q "bytes $BIG_BYTES" "$LOGS/big-$2-$3.log" || r=nan
    echo "$r" >>"$RES/big-$2"
}

round=1
while [ $round -le "$RUNS" ]; do
    echo "== round $round of $RUNS"
    big_bits "$OURS" ours $round
    big_bits "$BUILTIN" builtin $round
    r=$(run "$OURS" "$LOGS/big-winhttp-$round.log" "$B/bench/winhttp_get.exe" "$URL/big.bin" "$WOUT\\winhttp.bin")
    [ "$(stat -c %s "$OUT/winhttp.bin" 2>/dev/null)" = "$BIG_BYTES" ] || r=nan
    echo "$r" >>"$RES/big-winhttp"
    rm -f "$OUT/winhttp.bin"
    curl -s -o "$OUT/curl.bin" -w '%{time_total}\n' "$URL/big.bin" >"$LOGS/big-curl-$round.log" 2>&1
    r=$(awk '{ printf "%.3f\n", $1 * 1000 }' "$LOGS/big-curl-$round.log")
    [ "$(stat -c %s "$OUT/curl.bin" 2>/dev/null)" = "$BIG_BYTES" ] || r=nan
    echo "$r" >>"$RES/big-curl"
    rm -f "$OUT/curl.bin"

    for who in ours builtin; do
        [ $who = ours ] && pfx=$OURS || pfx=$BUILTIN
        run "$pfx" "$LOGS/latency-$who-$round.log" "$B/bench/bitsbench.exe" one "$URL/4k.bin" "$WOUT" "$LAT_RUNS" \
            >>"$RES/latency-$who"
        run "$pfx" "$LOGS/many-$who-$round.log" "$B/bench/bitsbench.exe" many "$URL/4k.bin" "$WOUT" "$MANY" \
            >>"$RES/many-$who"
    done
    for who in ours builtin; do
        [ $who = ours ] && pfx=$OURS || pfx=$BUILTIN
        run "$pfx" "$LOGS/copies-$who-$round.log" "$B/bench/bitsbench.exe" many "$WDATA\\4k.bin" "$WOUT" "$MANY" \
            >>"$RES/copies-$who"
    done
    # The floor of (c): the same GETs one after another by a plain WinHTTP loop, without jobs.
    r=$(run "$OURS" "$LOGS/many-winhttp-$round.log" "$B/bench/winhttp_get.exe" "$URL/4k.bin" "$WOUT\\many" 65536 "$MANY")
    grep -q "^$((MANY * 4096)) bytes" "$LOGS/many-winhttp-$round.log" || r=nan
    echo "$r" >>"$RES/many-winhttp"
    rm -f "$OUT"/many.*
    round=$((round + 1))
done

# (d) persistence on and off: the switch is read at service start, so each run restarts it.
stop_session "$BUILTIN"
round=1
while [ $round -le "$RUNS" ]; do
    for mode in persist nopersist; do
        stop_session "$OURS"
        if [ $mode = nopersist ]; then
            WINEPREFIX="$OURS" "$WINE" reg add 'HKLM\Software\Wine\BITS' /v Persistence /t REG_DWORD /d 0 /f \
                >>"$LOGS/setup.log" 2>&1 </dev/null
        else
            WINEPREFIX="$OURS" "$WINE" reg delete 'HKLM\Software\Wine\BITS' /v Persistence /f \
                >>"$LOGS/setup.log" 2>&1 </dev/null
        fi
        start_session "$OURS"
        run "$OURS" "$LOGS/create-$mode-warmup-$round.log" "$B/bench/bitsbench.exe" create "$URL/4k.bin" "$WOUT" 2 \
            >/dev/null
        run "$OURS" "$LOGS/create-$mode-$round.log" "$B/bench/bitsbench.exe" create "$URL/4k.bin" "$WOUT" "$CREATE" \
            >>"$RES/create-$mode"
    done
    round=$((round + 1))
done
WINEPREFIX="$OURS" "$WINE" reg delete 'HKLM\Software\Wine\BITS' /v Persistence /f >>"$LOGS/setup.log" 2>&1 </dev/null
cleanup

# ---- the report ----
median() { # file
    sort -g "$1" | awk '{ v[NR] = $1 } END { if (!NR) print "nan"; else if (NR % 2) print v[(NR + 1) / 2];
                                             else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "nan" || b == "nan" || b == 0) print "n/a"; else printf "%.2f\n", a / b }'; }
mbps() { awk -v ms="$1" -v n="$BIG_BYTES" 'BEGIN { if (ms == "nan" || ms == 0) print "n/a"; else printf "%.0f\n", n / 1048576 / (ms / 1000) }'; }

for f in "$RES"/*; do eval "m_$(basename "$f" | tr - _)=$(median "$f")"; done
rate_p=$(awk -v ms="$m_create_persist" -v n="$CREATE" 'BEGIN { if (ms == "nan") print "nan"; else printf "%.0f", n * 1000 / ms }')
rate_n=$(awk -v ms="$m_create_nopersist" -v n="$CREATE" 'BEGIN { if (ms == "nan") print "nan"; else printf "%.0f", n * 1000 / ms }')

echo
echo "== results: median of $RUNS runs, $(nproc) cores, $(date -u '+%Y-%m-%d %H:%M UTC'), load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '(a) %s download        ours %9.1f ms (%s MiB/s)\n' "$BIG" "$m_big_ours" "$(mbps "$m_big_ours")"
printf '                            builtin %6.1f ms (%s MiB/s)\n' "$m_big_builtin" "$(mbps "$m_big_builtin")"
printf '                            WinHTTP %6.1f ms (%s MiB/s)\n' "$m_big_winhttp" "$(mbps "$m_big_winhttp")"
printf '                            curl %9.1f ms (%s MiB/s)\n' "$m_big_curl" "$(mbps "$m_big_curl")"
echo "    speed ours/builtin $(ratio "$m_big_builtin" "$m_big_ours")x (target >= 2), ours/WinHTTP $(ratio "$m_big_winhttp" "$m_big_ours")x (target >= 0.9), ours/curl $(ratio "$m_big_curl" "$m_big_ours")x"
printf '(b) 4 KiB Resume->TRANSFERRED ours %6.2f ms, builtin %6.2f ms\n' "$m_latency_ours" "$m_latency_builtin"
echo "    time ours/builtin $(ratio "$m_latency_ours" "$m_latency_builtin") (target <= 1)"
printf '(c) %s jobs of 4 KiB        ours %6.1f ms, builtin %6.1f ms, WinHTTP loop of the same GETs %6.1f ms\n' \
    "$MANY" "$m_many_ours" "$m_many_builtin" "$m_many_winhttp"
echo "    time ours/builtin $(ratio "$m_many_ours" "$m_many_builtin") (target <= 0.5), ours/WinHTTP $(ratio "$m_many_ours" "$m_many_winhttp"), WinHTTP loop/builtin $(ratio "$m_many_winhttp" "$m_many_builtin")"
printf '    the same with local copies (a 4 KiB file on disk): ours %6.1f ms, builtin %6.1f ms, ours/builtin %s\n' \
    "$m_copies_ours" "$m_copies_builtin" "$(ratio "$m_copies_ours" "$m_copies_builtin")"
echo "(d) $CREATE x CreateJob+AddFile  persistence $m_create_persist ms ($rate_p/s), off $m_create_nopersist ms ($rate_n/s)"
echo "    rate persistence/no-persistence $(ratio "$m_create_nopersist" "$m_create_persist") (target >= 0.8)"
echo "(raw numbers: $RES, logs: $LOGS)"

#!/bin/sh
# tests/run.sh: the test harness behind `make check` and `make check-builtin`.
#
#   tests/run.sh ours    <builddir>   our DLLs; exits non-zero on any failure
#   tests/run.sh builtin <builddir>   Wine's builtin qmgr, same programs; never fails (comparison row)
#   BITS_SUITES="job persist" tests/run.sh ours build   only those suites (quick iteration)
#
# A template prefix is built once per run (wineboot, and for "ours" our DLLs installed). Each
# suite gets a copy of it and one persistent session (wineserver -p), so the BITS service
# stays up between the suite's processes. Test output goes to files, never pipes (wine-notes).
# A suite is a test program (build/tests/*.exe conformance tests, build/unit/*.exe in-process
# unit tests, build/tests32/*.exe 32-bit clients as win32_* where a 32-bit Wine runs) or a shell
# script tests/suites/*.sh, which may restart the session and prints winetest summary lines.
# Before the suites, tests/servers/start.sh starts the test servers (nginx, fault server,
# proxies) once; their BITS_* variables are exported to every suite (tests/servers/README).
#
# Counting: each program ends with "<name>: N tests executed (T marked as todo, F failures),
# S skipped."; passed = N - F. Only the last such line of a log counts: child processes print
# their own before the parent's, which already includes their failures; a script suite prints
# one combined line last. A program that dies without that line, or exits non-zero with
# no failure counted, adds one failure. The last line is "N passed, N failed".
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

MODE=${1:-ours}
B=${2:-build}
case "$B" in /*) ;; *) B="$(pwd)/$B" ;; esac
TOP=$(cd "$(dirname "$0")/.." && pwd)
WORK="$B/check-$MODE"
LOGS="$WORK/logs"
# The loaders (make's WINE64/WINE32, or found as configure finds them): every suite and test
# program runs under the 64-bit one as $WINE, whatever `wine` is; the win32_* clients under WINE32.
eval "$("$TOP/tests/prefix.sh" loaders)"
WINE=$WINE64
WINESERVER=${WINESERVER:-wineserver}
TIMEOUT=${BITS_TEST_TIMEOUT:-600}
export WINEDEBUG=${WINEDEBUG:--all}
export WINEDLLOVERRIDES="mscoree,mshtml="
export WINE WINE64 WINE32 WINESERVER TOP B
. "$TOP/tests/lib.sh"       # start_again

# Servers a previous, interrupted run of this mode left behind.
"$TOP/tests/servers/stop.sh" "$WORK/servers" >/dev/null 2>&1
rm -rf "$WORK"
mkdir -p "$LOGS"
TEMPLATE="$WORK/template"

echo "== preparing the template prefix ($MODE)"
if [ -z "$WINE64" ]; then
    echo "no 64-bit Wine loader found (Debian package wine64; or set WINE64)"; echo "0 passed, 1 failed"; exit 1
fi
if [ "$MODE" = ours ]; then
    { "$TOP/tests/prefix.sh" create "$TEMPLATE" "$B" && "$TOP/tests/prefix.sh" install "$TEMPLATE" "$B"; } \
        >"$LOGS/template.log" 2>&1 || { cat "$LOGS/template.log"; echo "0 passed, 1 failed"; exit 1; }
else
    "$TOP/tests/prefix.sh" create "$TEMPLATE" "$B" >"$LOGS/template.log" 2>&1 || { cat "$LOGS/template.log"; echo "0 passed, 1 failed"; exit 1; }
fi

total_pass=0
total_fail=0
total_todo=0
total_skip=0

# start_session <prefix>: a persistent wineserver and a first process whose output is a file.
start_session() {
    WINEPREFIX="$1" "$WINESERVER" -p >/dev/null 2>&1 </dev/null
    WINEPREFIX="$1" "$WINE" cmd /c exit >/dev/null 2>&1 </dev/null
}

stop_session() {
    WINEPREFIX="$1" "$WINESERVER" -k >/dev/null 2>&1 </dev/null
    WINEPREFIX="$1" "$WINESERVER" -w >/dev/null 2>&1 </dev/null
}

# print_backtraces <file>: the threads of our code (the service's, in svchost) and of the
# programs under test, without the system's own processes; frames without their arguments.
print_backtraces() {
    echo "    backtraces taken before the timeout:"
    awk 'function flush() { if (block != "" && (ours || block ~ / in qmgr/)) printf "%s", block; block = "" }
         /^Backtracing for thread/ { flush(); ours = $0 !~ /\\(services|plugplay|winedevice|explorer|start|conhost|rpcss|svchost)\.exe/ }
         /^Backtracing for thread/ || /^ *=?>?[0-9]+ 0x/ { sub(/\(.*\) \[/, " ["); block = block $0 "\n" }
         END { flush() }' "$1" | head -n 300 | sed 's/^/    /'
}

# account <suite> <logfile> <exitcode>: add the suite's counts to the totals.
account() {
    suite=$1; log=$2; rc=$3
    summary=$(grep -E '^[A-Za-z0-9_]+: [0-9]+ tests executed \([0-9]+ marked as todo, [0-9]+ failures\), [0-9]+ skipped\.' "$log" | tail -n 1)
    if [ -z "$summary" ]; then
        n=0; f=1; t=0; s=0
        note="no summary line (crashed or timed out, exit $rc)"
    else
        n=$(echo "$summary" | sed -E 's/^[^:]+: ([0-9]+) tests executed.*/\1/')
        t=$(echo "$summary" | sed -E 's/.*\(([0-9]+) marked as todo.*/\1/')
        f=$(echo "$summary" | sed -E 's/.*todo, ([0-9]+) failures.*/\1/')
        s=$(echo "$summary" | sed -E 's/.*\), ([0-9]+) skipped.*/\1/')
        note=""
        if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; note="exit code $rc"; fi
    fi
    p=$((n - f)); [ $p -lt 0 ] && p=0
    total_pass=$((total_pass + p)); total_fail=$((total_fail + f))
    total_todo=$((total_todo + t)); total_skip=$((total_skip + s))
    printf '%-28s %5d passed, %3d failed, %3d todo, %3d skipped %s\n' "$suite" "$p" "$f" "$t" "$s" "$note"
    if [ "$f" -ne 0 ] && [ "$MODE" = ours ]; then
        grep -E 'Test failed|Test succeeded inside todo|unhandled|fault' "$log" | head -n 40 | sed 's/^/    /'
        [ -z "$summary" ] && [ -s "${log%.log}.bt" ] && print_backtraces "${log%.log}.bt"
    fi
}

# watch <suite> <prefix>: a suite about to time out leaves the backtraces of every thread of
# its prefix's processes in <suite>.bt (winedbg "bt all", 60 s before the timeout, or half way
# through a timeout of 2 minutes or less), which account prints for a suite without a summary
# line: a hang says where it waits.
# unwatch <exit code>: a suite that ended in time stops its watch; one that timed out waits
# for its backtraces (at most 40 s more).
watch() {
    (
        trap 'kill $w_sleep 2>/dev/null; exit 0' TERM
        sleep $((TIMEOUT > 120 ? TIMEOUT - 60 : TIMEOUT / 2)) & w_sleep=$!
        wait $w_sleep
        WINEPREFIX="$2" timeout 40 "$WINE64" winedbg --command "bt all" >"$LOGS/$1.bt" 2>&1 </dev/null
    ) >/dev/null 2>&1 </dev/null &
    w_pid=$!
}

unwatch() {
    case "$1" in
    124|137) ;;
    *) kill "$w_pid" 2>/dev/null ;;
    esac
    wait "$w_pid" 2>/dev/null
}

# run_program <suite> <exe> [wine]: one test program in a fresh copy of the template.
run_program() {
    suite=$1; exe=$2; wine=${3:-$WINE}
    pfx="$WORK/pfx-$suite"
    rm -rf "$pfx"; cp -a "$TEMPLATE" "$pfx"
    current_pfx=$pfx
    start_session "$pfx"
    name=$(basename "$exe" .exe)
    watch "$suite" "$pfx"
    ( cd "$WORK" && export WINEPREFIX="$pfx" && start_again "$LOGS/$suite.log" = timeout -k 10 "$TIMEOUT" "$wine" "$exe" "$name" )
    rc=$?
    unwatch $rc
    stop_session "$pfx"
    current_pfx=
    account "$suite" "$LOGS/$suite.log" $rc
    rm -rf "$pfx"
}

# selected <suite>: BITS_SUITES="a b ..." (names as in the summary, shell globs allowed)
# runs only those suites; unset runs all. For quick iteration, never for CI.
selected() {
    [ -z "${BITS_SUITES:-}" ] && return 0
    for pat in $BITS_SUITES; do
        case "$1" in $pat) return 0 ;; esac
    done
    return 1
}

# run_script <suite> <script>: a shell suite that drives Wine itself (restarts, bitsadmin, ...).
run_script() {
    suite=$1; script=$2
    pfx="$WORK/pfx-$suite"
    rm -rf "$pfx"; cp -a "$TEMPLATE" "$pfx"
    current_pfx=$pfx
    start_session "$pfx"
    watch "$suite" "$pfx"
    ( cd "$WORK" && WINEPREFIX="$pfx" BITS_MODE="$MODE" timeout -k 10 "$TIMEOUT" sh "$script" >"$LOGS/$suite.log" 2>&1 </dev/null )
    rc=$?
    unwatch $rc
    stop_session "$pfx"
    current_pfx=
    account "$suite" "$LOGS/$suite.log" $rc
    rm -rf "$pfx"
}

# The test servers (tests/servers/start.sh: nginx, the fault server, the proxies on free
# 127.0.0.1 ports), once per run. Every suite and test program sees servers.env's BITS_*
# variables (Wine passes them to Windows programs). They are stopped on exit, also after a
# failure or an interruption (which also ends the current suite's Wine session). If they
# cannot start, that counts as one failure.
SERVERS="$WORK/servers"
export BITS_TLS_CACHE="$B/test-tls"
current_pfx=
SMALL_DISK="$WORK/small-disk"
cleanup() {
    [ -n "$current_pfx" ] && stop_session "$current_pfx"
    "$TOP/tests/servers/stop.sh" "$SERVERS" >/dev/null 2>&1
    [ -n "$BITS_SMALL_DISK" ] && umount "$SMALL_DISK" 2>/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
if "$TOP/tests/servers/start.sh" "$SERVERS" >"$LOGS/servers.log" 2>&1; then
    set -a; . "$SERVERS/servers.env"; set +a
    echo "== test servers started (ports in $SERVERS/servers.env)"
else
    printf '%-28s %5d passed, %3d failed, %3d todo, %3d skipped %s\n' "test-servers" 0 1 0 0 "(could not start)"
    sed 's/^/    /' "$LOGS/servers.log"
    total_fail=$((total_fail + 1))
fi

# A full volume for the full-disk test (transfer2): a 512 KiB tmpfs, seen from Wine through Z:.
# Only root may mount it; elsewhere the test skips.
BITS_SMALL_DISK=
umount "$SMALL_DISK" 2>/dev/null || true         # left over by a killed run
if [ "$(id -u)" = 0 ] && mkdir -p "$SMALL_DISK" \
   && mount -t tmpfs -o size=512k bits-small-disk "$SMALL_DISK" 2>/dev/null; then
    export BITS_SMALL_DISK="$SMALL_DISK"
fi

echo "== running suites ($MODE); logs in $LOGS"
for exe in "$B"/tests/*.exe; do
    [ -f "$exe" ] || continue
    selected "$(basename "$exe" .exe)" || continue
    run_program "$(basename "$exe" .exe)" "$exe"
done
if [ "$MODE" = ours ]; then
    for exe in "$B"/unit/*.exe; do
        [ -f "$exe" ] || continue
        selected "unit_$(basename "$exe" .exe)" || continue
        run_program "unit_$(basename "$exe" .exe)" "$exe"
    done
fi
for script in "$TOP"/tests/suites/*.sh; do
    [ -f "$script" ] || continue
    selected "$(basename "$script" .sh)" || continue
    run_script "$(basename "$script" .sh)" "$script"
done
# The 32-bit clients (WoW64) against the same 64-bit service, through our 32-bit proxy. They run
# where prefix.sh installed and registered that proxy, which it does only where a 32-bit Wine runs.
if [ "$MODE" != ours ]; then
    :
elif [ ! -f "$B/syswow64/qmgrprxy.dll" ]; then
    echo "(32-bit clients not run: no 32-bit qmgrprxy.dll was built; see configure's 32-bit line)"
elif ! cmp -s "$B/syswow64/qmgrprxy.dll" "$TEMPLATE/drive_c/windows/syswow64/qmgrprxy.dll"; then
    echo "(32-bit clients not run: no 32-bit Wine runs here (Debian package wine32, and a kernel that executes 32-bit programs))"
else
    for exe in "$B"/tests32/*.exe; do
        [ -f "$exe" ] || continue
        selected "win32_$(basename "$exe" .exe)" || continue
        run_program "win32_$(basename "$exe" .exe)" "$exe" "${WINE32:-$WINE64}"
    done
fi

rm -rf "$TEMPLATE"
echo "== totals ($MODE): $total_todo todo, $total_skip skipped"
echo "$total_pass passed, $total_fail failed"
if [ "$MODE" = ours ] && [ "$total_fail" -ne 0 ]; then exit 1; fi
exit 0

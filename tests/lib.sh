# tests/lib.sh: winetest-style checks for shell suites (sourced). A suite calls check for each
# behaviour and summary at the end, which prints the line the harness counts:
#   <name>: N tests executed (0 marked as todo, F failures), 0 skipped.
# Wine programs are always run with output to files, never pipes (wine-notes).
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

T_EXECUTED=0
T_FAILED=0

# check <description> <command...>: one check; passes when the command succeeds.
check() {
    desc=$1; shift
    T_EXECUTED=$((T_EXECUTED + 1))
    if "$@"; then :; else
        T_FAILED=$((T_FAILED + 1))
        echo "${T_SUITE:-suite}.sh: Test failed: $desc"
    fi
}

# not_started <out> <err>: Wine could not start the program at all: the loader fell back to
# start.exe, whose only output is "Application could not be started, ..." and "ShellExecuteEx
# failed: <reason>" (seen about once in a few thousand starts, only on loaded CI machines,
# before any code of ours ran). None of our programs prints that.
not_started() {
    grep -qh '^ShellExecuteEx failed' "$1" "$2" 2>/dev/null \
        && [ "$(grep -vch -e '^Application could not be started' -e '^ShellExecuteEx failed' -e '^.\{0,1\}$' "$1")" -eq 0 ]
}

# start_again <out> <err> <command...>: run a command whose output goes to <out> and errors to
# <err> (<err> "=": both in <out>); a Wine program that Wine failed to start is started again
# (up to three times in all). Returns the command's exit code.
start_again() {
    out=$1; err=$2; shift 2
    wr_tries=0
    while :; do
        if [ "$err" = = ]; then
            "$@" >"$out" 2>&1 </dev/null
        else
            "$@" >"$out" 2>"$err" </dev/null
        fi
        wr_rc=$?
        wr_tries=$((wr_tries + 1))
        if [ $wr_rc -ne 0 ] && [ $wr_tries -lt 3 ] && not_started "$out" "$([ "$err" = = ] && echo /dev/null || echo "$err")"; then
            echo "(Wine could not start: $*; starting it again)" >&2
            sleep 1
            continue
        fi
        return $wr_rc
    done
}

# wine_run <out> <err> <args...>: run a Wine program with start_again.
wine_run() {
    wr_out=$1; wr_err=$2; shift 2
    start_again "$wr_out" "$wr_err" "${WINE:-wine}" "$@"
}

# wine_run1 <file> <args...>: the same with the output and errors in one file.
wine_run1() {
    out1=$1; shift
    wine_run "$out1" = "$@"
}

# stop_bits <file>: `net stop BITS` (its output in file), then until `sc query BITS` says
# STOPPED, at most 60 s: net stop may return while the service still reports STOP_PENDING, and
# the service writes the queue for the last time before STOPPED, so a test that reads or moves
# the store's images waits for it. Returns net stop's exit code, or 1 if STOPPED never came.
stop_bits() {
    wine_run1 "$1" net stop BITS; sb_rc=$?
    wait_for 60 sh -c "'${WINE:-wine}' sc query BITS >'$1.query' 2>&1 </dev/null; grep -q STOPPED '$1.query'" || return 1
    return $sb_rc
}

# wait_for <seconds> <command...>: until the command succeeds, polling every half second.
wait_for() {
    n=$(($1 * 2)); shift
    while [ $n -gt 0 ]; do
        "$@" && return 0
        sleep 0.5; n=$((n - 1))
    done
    return 1
}

summary() {
    echo "${T_SUITE:-suite}: $T_EXECUTED tests executed (0 marked as todo, $T_FAILED failures), 0 skipped."
    [ "$T_FAILED" -eq 0 ]
}

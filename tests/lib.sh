# tests/lib.sh: winetest-style checks for shell suites (sourced). A suite calls check for each
# behaviour and summary at the end, which prints the line the harness counts:
#   <name>: N tests executed (0 marked as todo, F failures), 0 skipped.
# Wine programs are always run with output to files, never pipes (wine-notes).

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

# wine_run <out> <err> <args...>: run a Wine program, output to files (<err> "=": both in <out>);
# returns its exit code.
# A program Wine failed to start is started again (up to three times in all).
wine_run() {
    out=$1; err=$2; shift 2
    wr_tries=0
    while :; do
        if [ "$err" = = ]; then
            "${WINE:-wine}" "$@" >"$out" 2>&1 </dev/null
        else
            "${WINE:-wine}" "$@" >"$out" 2>"$err" </dev/null
        fi
        wr_rc=$?
        wr_tries=$((wr_tries + 1))
        if [ $wr_rc -ne 0 ] && [ $wr_tries -lt 3 ] && not_started "$out" "$([ "$err" = = ] && echo /dev/null || echo "$err")"; then
            echo "(Wine could not start $1; starting it again)" >&2
            sleep 1
            continue
        fi
        return $wr_rc
    done
}

# wine_run1 <file> <args...>: the same with the output and errors in one file.
wine_run1() {
    out1=$1; shift
    wine_run "$out1" = "$@"
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

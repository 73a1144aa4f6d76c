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

# wine_run <out> <err> <args...>: run a Wine program, output to files; returns its exit code.
wine_run() {
    out=$1; err=$2; shift 2
    "${WINE:-wine}" "$@" >"$out" 2>"$err" </dev/null
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

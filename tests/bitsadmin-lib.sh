# tests/bitsadmin-lib.sh: helpers of the bitsadmin_* suites (sourced after tests/lib.sh).
# Each call runs bitsadmin.exe under Wine with its output in files (never a pipe); the
# checks then look at the last call's output and exit code.
#   ba <args...>         run; $BA_RC is the exit code, $BA/out the output without CRs,
#                        $BA/raw the bytes as written
#   expect <desc> <cmd>  like check, and prints the last output when it fails
#   ok / failed          the last call exited 0 / non-zero
#   has <regex>          a line of the last output matches (grep -e)
#   has_line <text>      a line of the last output is exactly <text>
#   raw_is <text>        the last output is exactly <text>, no newline (for /rawreturn)
#   lines <regex>        prints how many lines match
#   wait_state <job> <STATE>  polls /getstate (up to ~60 calls) until the job has that state
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
BA=$(mktemp -d)
BA_RC=0
PUB='C:\users\Public\ba'
PUB_UNIX="$WINEPREFIX/drive_c/users/Public/ba"
mkdir -p "$PUB_UNIX"

ba() {
    wine_run "$BA/raw" "$BA/err" bitsadmin "$@"
    BA_RC=$?
    tr -d '\r' <"$BA/raw" >"$BA/out"
    return 0
}

expect() {
    before=$T_FAILED
    check "$@"
    if [ "$T_FAILED" -ne "$before" ]; then
        echo "    (exit code $BA_RC, output:)"
        sed 's/^/    | /' "$BA/out"
    fi
}

ok() { test "$BA_RC" -eq 0; }
failed() { test "$BA_RC" -ne 0; }
has() { grep -q -e "$1" "$BA/out"; }
has_line() { grep -qxF -e "$1" "$BA/out"; }
raw_is() { printf '%s' "$1" | cmp -s - "$BA/raw"; }
lines() { grep -c -e "$1" "$BA/out"; }

# The GUID of "Created job {GUID}." in the last output.
created_guid() { sed -n 's/^Created job \({[0-9A-F-]*}\)\.$/\1/p' "$BA/out"; }

wait_state() {
    n=0
    while [ $n -lt 60 ]; do
        ba /rawreturn /getstate "$1"
        raw_is "$2" && return 0
        sleep 0.5
        n=$((n + 1))
    done
    return 1
}

# An error report: "Unable to <action> - 0x<hr>" and, on the next line, the code's text.
reports() {
    grep -q -e "^Unable to .* - $1\$" "$BA/out" && grep -A1 -e "^Unable to .* - $1\$" "$BA/out" | tail -n 1 | grep -q -e "$2"
}

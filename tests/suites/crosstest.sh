# tests/suites/crosstest.sh: the bundle of `make crosstest` (tools/make-crosstest) that runs the
# conformance programs on Windows without the harness: the zip holds every program of both
# bitnesses that was built, run-tests.cmd and README.txt; then, as on a Windows machine without
# the test servers, run-tests.cmd runs the 64-bit programs under Wine with no BITS_* variable at
# all: each must end with its summary line and 0 failures, and the programs that use the
# servers must skip those parts (skipped > 0) instead of failing. All programs share this one
# prefix and its queue, as they would share a Windows machine's.
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
T_SUITE=crosstest
. "$TOP/tests/lib.sh"
if [ "$BITS_MODE" != ours ]; then summary; exit 0; fi
D=$(mktemp -d)
VERSION=$(sed -n 's/^VERSION *= *//p' "$TOP/Makefile")
NAME="wine-bits-tests-$VERSION"
ZIP="$B/crosstest/$NAME.zip"

rm -f "$ZIP"
( cd "$TOP" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make crosstest B="$B" >"$D/make.log" 2>&1 )
check "make crosstest succeeds" test $? -eq 0
check "and makes crosstest/$NAME.zip in the build directory" test -f "$ZIP"
[ -f "$ZIP" ] || sed 's/^/    | /' "$D/make.log"

python3 -c 'import sys, zipfile; print("\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))' "$ZIP" >"$D/list" 2>&1
for f in run-tests.cmd README.txt; do
    check "the bundle has $f" grep -qx "$NAME/$f" "$D/list"
done
n64=0
for exe in "$B"/tests/*.exe; do
    [ -f "$exe" ] || continue
    n64=$((n64 + 1))
    check "the bundle has x64/$(basename "$exe")" grep -qx "$NAME/x64/$(basename "$exe")" "$D/list"
done
check "there are 64-bit programs" test "$n64" -gt 0
for exe in "$B"/tests32/*.exe; do
    [ -f "$exe" ] || continue
    check "the bundle has x32/$(basename "$exe")" grep -qx "$NAME/x32/$(basename "$exe")" "$D/list"
done
check "no other program is in it" sh -c "test \$(grep -c '\\.exe\$' '$D/list') -eq \$(ls '$B'/tests/*.exe '$B'/tests32/*.exe 2>/dev/null | wc -l)"
mkdir "$D/u"
python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$ZIP" "$D/u"
R="$D/u/$NAME"
check "README.txt says how to run it on Windows" grep -q 'run-tests.cmd' "$R/README.txt"
check "run-tests.cmd has CRLF line ends" sh -c "head -n 1 '$R/run-tests.cmd' | grep -q \"\$(printf '\\r')\$\""
for exe in "$R"/x64/*.exe "$R"/x32/*.exe; do
    [ -f "$exe" ] || continue
    check "$(basename "$(dirname "$exe")")/$(basename "$exe") is stripped of debugging sections" \
        sh -c "! x86_64-w64-mingw32-objdump -h '$exe' 2>/dev/null | grep -q debug_info"
done

# A machine's queue is never empty: another program's job (with a file, suspended) is there
# before the tests and must still be there, untouched, after them.
wine_run1 "$D/foreign.out" bitsadmin /rawreturn /create /download crosstest-foreign
wine_run1 "$D/foreign-add.out" bitsadmin /rawreturn /addfile crosstest-foreign http://127.0.0.1:9/foreign.bin 'C:\foreign.bin'
check "a job of another program is in the queue" grep -q '^{' "$D/foreign.out"

# As on Windows without the servers: no BITS_* variable reaches the programs.
unset_bits=$(env | sed -n 's/^\(BITS_[A-Za-z0-9_]*\)=.*/-u \1/p' | tr '\n' ' ')
# shellcheck disable=SC2086
start_again "$D/run.out" = env $unset_bits "$WINE" cmd /c "$(echo "Z:$R/run-tests.cmd" | tr / '\\')" x64
tr -d '\r' <"$D/run.out" >"$D/run.txt"
for exe in "$R"/x64/*.exe; do
    n=$(basename "$exe" .exe)
    line=$(grep "^x64\\\\$n: " "$D/run.txt" | tail -n 1)
    # printf, not echo: dash's echo reads the backslash of "x64\bounds" as an escape.
    has() { printf '%s\n' "$line" | grep -Eq "$1"; }
    check "x64/$n ends with its summary line" \
        has "^x64.$n: [0-9]+ tests executed \\([0-9]+ marked as todo, [0-9]+ failures\\), [0-9]+ skipped\\.\$"
    check "x64/$n has no failure without the servers" has ' 0 failures\)'
    # A program that reads a server's variable must skip those tests, not pass them silently.
    src="$TOP/dlls/qmgr/tests/$n.c"
    if grep -q '"BITS_[A-Z_]*"\|servers_init()' "$src" 2>/dev/null; then
        check "x64/$n skips what needs the servers" has ', [1-9][0-9]* skipped\.$'
    fi
    case "$line" in *" 0 failures)"*) ;; *)
        printf '    x64/%s: %s\n' "$n" "${line:-no line}"
        f=$(find "$WINEPREFIX/drive_c/users" -path "*/wine-bits-tests/x64-$n.log" | head -n 1)
        [ -n "$f" ] && grep -E 'Test failed|unhandled|Tests skipped' "$f" | head -n 15 | sed 's/^/    | /' ;;
    esac
done
wine_run1 "$D/after.out" bitsadmin /rawreturn /getstate crosstest-foreign
check "the other program's job is still there after the tests" grep -q SUSPENDED "$D/after.out"
wine_run1 "$D/after-files.out" bitsadmin /rawreturn /getfilestotal crosstest-foreign
check "with its file" grep -q "^1" "$D/after-files.out"
wine_run1 "$D/cancel.out" bitsadmin /cancel crosstest-foreign
[ "$T_FAILED" -eq 0 ] || sed 's/^/    run-tests.cmd | /' "$D/run.txt"
rm -rf "$D"
summary

# tests/suites/demo.sh: README's main job (tests/demo.sh) works in this suite's prefix, and
# bitsadmin /transfer reports a fatal error with a non-zero exit and cancels the job.
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
T_SUITE=demo
. "$TOP/tests/lib.sh"
D=$(mktemp -d)
if [ "$BITS_MODE" != ours ]; then summary; exit 0; fi

sh "$TOP/tests/demo.sh" "$WINEPREFIX" "$B" >"$D/demo.txt" 2>&1
check "the demo succeeds" test $? -eq 0
check "the demo checks the SHA-256" grep -q "^OK: the file arrived intact" "$D/demo.txt"
check "bitsadmin completes the job" grep -q "Transfer complete." "$D/demo.txt"
grep -q "^OK: the file arrived intact" "$D/demo.txt" || sed 's/^/    demo: /' "$D/demo.txt"

# The demo ended its session; start a new one for the error case.
"${WINESERVER:-wineserver}" -p >/dev/null 2>&1 </dev/null
"${WINE:-wine}" cmd /c exit >/dev/null 2>&1 </dev/null
wine_run "$D/copy.out" "$D/copy.err" bitsadmin /transfer copyjob 'C:\windows\win.ini' 'C:\users\Public\copied.ini'
check "a local copy transfers" test $? -eq 0
check "the copy is identical" cmp -s "$WINEPREFIX/drive_c/windows/win.ini" "$WINEPREFIX/drive_c/users/Public/copied.ini"
wine_run "$D/err.out" "$D/err.err" bitsadmin /transfer badjob 'C:\does\not\exist.bin' 'C:\users\Public\none.bin'
check "a missing source exits non-zero" test $? -ne 0
check "and reports ERROR" sh -c "tr -d '\r' < '$D/err.out' | grep -q 'STATE: ERROR'"
check "and leaves no destination" test ! -f "$WINEPREFIX/drive_c/users/Public/none.bin"
wine_run "$D/list.out" "$D/list.err" bitsadmin /list
check "and cancels the job" sh -c "tr -d '\r' < '$D/list.out' | grep -q 'Listed 0 job(s).'"
tr -d '\r' < "$D/list.out" | grep -q 'Listed 0 job(s).' || sed 's/^/    list: /' "$D/list.out"
rm -rf "$D"
summary

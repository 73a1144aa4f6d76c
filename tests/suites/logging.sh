# tests/suites/logging.sh: TRACE/WARN/ERR follow WINEDEBUG channels; silent by default; never on stdout.
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
T_SUITE=logging
. "$TOP/tests/lib.sh"
D=$(mktemp -d)
EXE="$B/unit/identity.exe"

WINEDEBUG=-all,+qmgr wine_run "$D/on.out" "$D/on.err" "$EXE" identity
check "+qmgr gives qmgr traces" grep -q 'trace:qmgr:manager_CreateJob' "$D/on.err"
check "traces never go to stdout" sh -c "! grep -q 'qmgr:' '$D/on.out'"
WINEDEBUG=-all,warn+qmgr wine_run "$D/warn.out" "$D/warn.err" "$EXE" identity
check "warn+qmgr gives no traces" sh -c "! grep -q 'trace:qmgr' '$D/warn.err'"
WINEDEBUG=-all wine_run "$D/off.out" "$D/off.err" "$EXE" identity
check "-all is silent" sh -c "! grep -q 'qmgr' '$D/off.err'"
env -u WINEDEBUG "${WINE:-wine}" "$EXE" identity >"$D/none.out" 2>"$D/none.err" </dev/null
check "silent without WINEDEBUG" sh -c "! grep -q ':qmgr:' '$D/none.err'"
rm -rf "$D"
summary

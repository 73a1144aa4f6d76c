# tests/suites/marshal_ndr.sh: the conformance program marshal.exe (every union and argument
# of variable size of the BITS interfaces, across processes) leaves no NDR error in the logs
# of either side. Wine's NDR reports a union arm it cannot size ("union_arm_buffer_size
# BufferLength == 0??") on err+ole, in the process that builds the buffer: the client for an
# [in] value, the service for an [out] one. A new session whose services log to a file, as
# README "Logging" describes; +loaddll shows that the service's output reaches that file.
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
T_SUITE=marshal_ndr
. "$TOP/tests/lib.sh"
D=$(mktemp -d)

"${WINESERVER:-wineserver}" -k; "${WINESERVER:-wineserver}" -w
WINEDEBUG=-all,err+ole,err+rpc,trace+loaddll "${WINE:-wine}" cmd /c exit >"$D/session.log" 2>&1 </dev/null
WINEDEBUG=-all,err+ole,err+rpc wine_run "$D/m.out" "$D/m.err" "$B/tests/marshal.exe" marshal
check "marshal.exe passed" grep -q "^marshal: .* 0 failures" "$D/m.out"
check "the service's output was logged" grep -q 'Loaded.*qmgr\.dll' "$D/session.log"
check "no NDR union error in the service" sh -c "! grep -q 'union_arm_buffer_size' '$D/session.log'"
check "no NDR union error in the client" sh -c "! grep -q 'union_arm_buffer_size' '$D/m.out' '$D/m.err'"
grep -h "err:ole\|err:rpc" "$D/session.log" "$D/m.out" "$D/m.err" | sort | uniq -c | head -n 20
grep "Test failed" "$D/m.out" | head -n 20
rm -rf "$D"
summary

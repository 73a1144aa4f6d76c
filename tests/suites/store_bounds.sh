# tests/suites/store_bounds.sh: one server that sends many headers does not keep the queue from
# being saved. A job downloads from a server that answers with 100 header lines of 1000 bytes
# (more than a string of the store may hold, if they were kept whole), a normal job is created
# after it; after a service restart both are back (the response headers are kept up to a cap).
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
T_SUITE=store_bounds
. "$TOP/tests/lib.sh"
D=$(mktemp -d)
if [ "$BITS_MODE" != ours ]; then summary; exit 0; fi

ba() {
    wine_run1 "$D/out" bitsadmin "$@"
    tr -d '\r' <"$D/out" | grep -v '^BITSADMIN\|^BITS administration\|^$'
}
wait_state() {
    i=0
    while [ $i -lt $(($3 * 2)) ] && ! grep -q "$2" "$4" 2>/dev/null; do sleep 0.5; ba /getstate "$1" >"$4"; i=$((i + 1)); done
}

if [ -n "$BITS_FAULT_PORT" ]; then
    ba /create headers >/dev/null
    ba /addfile headers "http://127.0.0.1:$BITS_FAULT_PORT/manyheaders/4k.bin?lines=100&size=1000&id=bounds-$$" \
        'C:\users\Public\headers.bin' >/dev/null
    ba /resume headers >/dev/null
    wait_state headers TRANSFERRED 60 "$D/state"
    check "the job of the server with 100 kB of headers is TRANSFERRED ($(tr -d '\n' <"$D/state"))" \
        grep -q TRANSFERRED "$D/state"
    ba /create plain >/dev/null
    ba /addfile plain "http://127.0.0.1:$BITS_FAULT_PORT/files/4k.bin?id=bounds-plain-$$" 'C:\users\Public\plain.bin' >/dev/null
    ba /setdescription plain "created after the other" >/dev/null

    stop_bits "$D/stop"; rc=$?
    check "net stop BITS" test $rc -eq 0
    ba /list >"$D/list"
    check "the job of the server with many headers is back" grep -q "'headers'" "$D/list"
    check "the job created after it is back" grep -q "'plain'" "$D/list"
    ba /getstate headers >"$D/state"
    check "still TRANSFERRED ($(tr -d '\n' <"$D/state"))" grep -q TRANSFERRED "$D/state"
    ba /getdescription plain >"$D/desc"
    check "with its description" grep -q "created after the other" "$D/desc"
    ba /complete headers >/dev/null
    check "and completes after the restart" cmp -s "$BITS_DATA_DIR/4k.bin" "$WINEPREFIX/drive_c/users/Public/headers.bin"
    ba /cancel plain >/dev/null
else
    check "the many-headers test needs the fault server" false
fi
rm -rf "$D"
summary

# tests/suites/upload_bitsadmin.sh: bitsadmin's upload switches end to end against the upload
# server: /transfer /upload, /create /upload-reply, /setreplyfilename,
# /getreplyfilename, /getreplyprogress, /getreplydata and /complete with the reply file.
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
T_SUITE=upload_bitsadmin
. "$TOP/tests/lib.sh"
D=$(mktemp -d)
if [ "$BITS_MODE" != ours ] || [ -z "${BITS_UPLOAD_PORT:-}" ]; then summary; exit 0; fi
PUBLIC="$WINEPREFIX/drive_c/users/Public"
U="http://127.0.0.1:$BITS_UPLOAD_PORT"

ba() {
    wine_run1 "$D/out" bitsadmin "$@"
    tr -d '\r' <"$D/out" | grep -v '^BITSADMIN\|^BITS administration\|^$'
}
state_is() { ba /getstate "$1" | grep -q "^$2"; }

printf 'hello from bitsadmin\n' >"$PUBLIC/ba_up.txt"

ba /transfer baup /upload "$U/up/ba-$$.txt" 'C:\users\Public\ba_up.txt' >"$D/transfer"
check "/transfer /upload completes" grep -q "Transfer complete." "$D/transfer"
check "the upload arrived" cmp -s "$PUBLIC/ba_up.txt" "$BITS_UPLOAD_DIR/up/ba-$$.txt"

ba /create /upload-reply bareply >"$D/create"
check "/create /upload-reply" grep -q "Created job" "$D/create"
ba /info bareply /verbose >"$D/info"
check "the job is an upload-reply job" grep -q "TYPE: UPLOAD-REPLY" "$D/info"
ba /getreplyfilename bareply >"$D/name0"
check "no reply name before AddFile" grep -qi "NULL\|none\|^$" "$D/name0"
ba /addfile bareply "$U/app1/ba-reply-$$.txt?reply=echo" 'C:\users\Public\ba_up.txt' >/dev/null
ba /getreplyfilename bareply >"$D/name1"
check "a generated reply name beside the upload" grep -q 'C:\\users\\Public\\ba_up.txt\..*\.reply' "$D/name1"
ba /setreplyfilename bareply 'C:\users\Public\ba_reply.txt' >/dev/null
ba /getreplyfilename bareply >"$D/name2"
check "/setreplyfilename" grep -q 'C:\\users\\Public\\ba_reply.txt' "$D/name2"
ba /getreplyprogress bareply >"$D/progress0"
check "reply size unknown before the upload" grep -q "UNKNOWN" "$D/progress0"
ba /getreplydata bareply >"$D/data0"
check "no reply data before TRANSFERRED" grep -q "0x80200002" "$D/data0"
ba /resume bareply >/dev/null
check "the upload-reply job transfers" wait_for 60 state_is bareply TRANSFERRED
ba /getreplyprogress bareply >"$D/progress1"
check "/getreplyprogress after the reply" grep -q "^21 / 21" "$D/progress1"
ba /getreplydata bareply >"$D/data1"
check "/getreplydata shows the reply's size" grep -q "Reply data: 21 byte(s)" "$D/data1"
check "/getreplydata shows the reply's bytes" grep -q "68 65 6c 6c 6f 20 66 72 6f 6d 20 62 69 74 73 61" "$D/data1"
ba /complete bareply >"$D/complete"
check "/complete" grep -q "completed" "$D/complete"
check "the reply file after /complete" cmp -s "$PUBLIC/ba_up.txt" "$PUBLIC/ba_reply.txt"

rm -rf "$D"
summary

# tests/suites/bitsadmin_jobs.sh: bitsadmin's job commands: /create with each
# type, /addfile, /addfileset, /addfilewithranges, /replaceremoteprefix, /listfiles, /suspend,
# /resume, /cancel, /complete, /list [/allusers] [/verbose], /info [/verbose], /reset [/allusers],
# /takeownership, job names and GUIDs (ambiguous names), the global switches (/rawreturn,
# /wrap, /nowrap), /help, /?, /examples, /util, and bad input: exit codes and messages.
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
T_SUITE=bitsadmin_jobs
. "$TOP/tests/lib.sh"
if [ "$BITS_MODE" != ours ]; then summary; exit 0; fi
. "$TOP/tests/bitsadmin-lib.sh"
H="http://127.0.0.1:$BITS_HTTP_PORT"
GUID_RE='{[0-9A-F]\{8\}-[0-9A-F]\{4\}-[0-9A-F]\{4\}-[0-9A-F]\{4\}-[0-9A-F]\{12\}}'

# ---- help, global switches, bad switches ----
ba
expect "no arguments: help, exit 0" ok
expect "no arguments: the usage line" has '^USAGE: bitsadmin \[/rawreturn\] \[/wrap | /nowrap\] command$'
expect "help lists /transfer" has '^/transfer <name>'
ba /?
expect "/? is the help" has '^USAGE: bitsadmin'
expect "/? exits 0" ok
ba /help /addfile
expect "/help <switch>: its syntax" has_line 'Usage: bitsadmin /addfile <job> <remote> <local>'
expect "/help <switch> exits 0" ok
ba /examples
expect "/examples" has '^EXAMPLES$'
expect "/examples exits 0" ok
ba /bogus
expect "unknown switch: non-zero exit" failed
expect "unknown switch: named" has_line 'Unknown switch: /bogus'
expect "unknown switch: points to /?" has_line 'Type bitsadmin /? for help.'
ba /list /rawreturn
expect "/rawreturn after the command is an invalid argument" failed
expect "and named" has_line 'Invalid argument: /rawreturn'
ba /wrap /rawreturn /list
expect "/rawreturn must come first" has_line '/rawreturn must be the first switch.'
expect "/rawreturn not first: non-zero exit" failed
ba /util /version
expect "/util /version" has '^BITS version 10\.3'
expect "/util /version exits 0" ok
ba /rawreturn /util /version
expect "/rawreturn /util /version: the bare version" raw_is '10.3'
ba /util
expect "/util alone is a usage error" failed
expect "/util alone: usage" \
    has_line 'Usage: bitsadmin /util /version | /getieproxy | /setieproxy | /enableanalyticchannel | /help'
ba /util /repairservice
# Not implemented (README): the documented E_NOTIMPL with its text, never a silent success.
# The other /util switches: bitsadmin_util.
expect "/util /repairservice: E_NOTIMPL reported" reports 0x80004001 'Not implemented'
expect "/util /repairservice: non-zero exit" failed

# ---- /create ----
ba /list
expect "an empty queue" has_line 'Listed 0 job(s).'
ba /create j1
expect "/create: exit 0" ok
expect "/create: Created job {GUID}." has "^Created job $GUID_RE\\.\$"
J1=$(created_guid)
ba /create /upload up1
expect "/create /upload" ok
ba /create /upload-reply ur1
expect "/create /upload-reply" ok
ba -create /download dl1
expect "/create /download, switch with -" ok
DL1=$(created_guid)
ba /rawreturn /create raw1
expect "/rawreturn /create: the bare GUID" sh -c "grep -qx '$GUID_RE' '$BA/raw' && test \$(wc -c <'$BA/raw') -eq 38"
RAW1=$(cat "$BA/raw")
ba /create /bogus x
expect "/create /bogus: invalid argument" has_line 'Invalid argument: /bogus'
expect "/create /bogus: non-zero exit" failed
ba /create
expect "/create without a name: usage" has_line 'Invalid number of arguments.'
expect "/create without a name: syntax" has_line 'Usage: bitsadmin /create [/download|/upload|/upload-reply] <name>'
expect "/create without a name: non-zero exit" failed

ba /list /allusers /verbose
expect "/list /verbose: the upload job's type" has "^TYPE: UPLOAD STATE: SUSPENDED OWNER: "
expect "/list /verbose: the upload-reply job's type" has "^TYPE: UPLOAD-REPLY STATE: SUSPENDED OWNER: "
expect "/list /verbose: a download job" has "^TYPE: DOWNLOAD STATE: SUSPENDED OWNER: "
expect "/list /verbose: every job" has_line 'Listed 5 job(s).'
expect "/list /verbose: a block per job" test "$(lines '^GUID: ')" -eq 5

# ---- files ----
ba /addfile j1 "$H/4k.bin" "$PUB\\a.bin"
expect "/addfile: exit 0" ok
expect "/addfile: confirmed" has_line "Added $H/4k.bin -> $PUB\\a.bin to job."
ba /addfile j1 "$H/4k.bin"
expect "/addfile with a missing argument: usage" has_line 'Usage: bitsadmin /addfile <job> <remote> <local>'
expect "/addfile with a missing argument: non-zero exit" failed
ba /addfile nosuch "$H/4k.bin" "$PUB\\n.bin"
expect "unknown job: not found, with the code and its text" reports 0x80200001 'No job matching'
expect "unknown job: non-zero exit" failed
ba /addfile j1 "$H/4k.bin" 'relative.bin'
expect "a relative local name: the service's error" has '^Unable to add file to job - 0x8'
expect "a relative local name: non-zero exit" failed

printf '# a comment line\r\n%s %s\\s1.bin\r\n\r\n  "%s" "%s\\s 2.bin"   # a trailing comment\r\n' \
    "$H/4k.bin" "$PUB" "$H/sub%20dir/file%20name.bin" "$PUB" >"$PUB_UNIX/set.txt"
ba /addfileset j1 "$PUB\\set.txt"
expect "/addfileset: comments, blank lines and quotes" has_line 'Added 2 file(s) to job.'
expect "/addfileset: exit 0" ok
printf 'only-one-token\n' >"$PUB_UNIX/bad.txt"
ba /addfileset j1 "$PUB\\bad.txt"
expect "/addfileset: a bad line is named" has "^Invalid line 1 in "
expect "/addfileset: a bad line fails" failed
ba /addfileset j1 "$PUB\\none.txt"
expect "/addfileset: a missing list file" reports 0x80070002 '.'
ba /addfilewithranges j1 "$H/1m.bin" "$PUB\\r.bin" 0:100,2000:eof
expect "/addfilewithranges: two ranges, eof" has_line "Added $H/1m.bin -> $PUB\\r.bin to job (2 range(s))."
ba /addfilewithranges j1 "$H/1m.bin" "$PUB\\r2.bin" 5:x
expect "/addfilewithranges: a bad range list" has_line 'Invalid range list: 5:x'
expect "/addfilewithranges: a bad range list fails" failed
ba /addfilewithranges j1 "$H/1m.bin" "$PUB\\r2.bin" 0:100,50:100
expect "/addfilewithranges: overlapping ranges, BG_E_OVERLAPPING_RANGES" reports 0x8020002c '.'
expect "/addfilewithranges: the service's error fails" failed
ba /replaceremoteprefix j1 "http://127.0.0.1:$BITS_HTTP_PORT" "http://localhost:$BITS_HTTP_PORT"
expect "/replaceremoteprefix: exit 0" ok
ba /listfiles j1
expect "/listfiles: four files" has_line 'Listed 4 file(s).'
expect "/listfiles: the prefix was replaced everywhere" test "$(lines "^0 / UNKNOWN WORKING http://localhost:$BITS_HTTP_PORT/")" -eq 4
expect "/listfiles: the line format" has_line "0 / UNKNOWN WORKING http://localhost:$BITS_HTTP_PORT/4k.bin -> $PUB\\a.bin"
expect "/listfiles: a name with spaces" has_line "0 / UNKNOWN WORKING http://localhost:$BITS_HTTP_PORT/sub%20dir/file%20name.bin -> $PUB\\s 2.bin"

# ---- /info ----
ba /info j1
expect "/info: the /list line" has_line "$J1 'j1' SUSPENDED 0 / 4 0 / UNKNOWN"
ba /info "$J1" /verbose
expect "/info by GUID /verbose: exit 0" ok
grep -o '^[A-Z ]*:' "$BA/out" | head -n 11 | tr '\n' '|' >"$BA/labels"
expect "/info /verbose: the documented layout" test "$(cat "$BA/labels")" = \
    'GUID:|TYPE:|PRIORITY:|CREATION TIME:|COMPLETION TIME:|NOTIFY INTERFACE:|RETRY DELAY:|PROXY USAGE:|DESCRIPTION:|JOB FILES:|NOTIFICATION COMMAND LINE:|'
expect "/info /verbose: first line" has_line "GUID: $J1 DISPLAY: 'j1'"
expect "/info /verbose: priority and sizes" has_line 'PRIORITY: NORMAL FILES: 0 / 4 BYTES: 0 / UNKNOWN'
expect "/info /verbose: no completion" has_line 'COMPLETION TIME: UNKNOWN'
expect "/info /verbose: defaults" has_line 'RETRY DELAY: 600 NO PROGRESS TIMEOUT: 1209600 ERROR COUNT: 0'
expect "/info /verbose: proxy" has_line 'PROXY USAGE: PRECONFIG PROXY LIST: NULL PROXY BYPASS LIST: NULL'
expect "/info /verbose: notification" has_line 'NOTIFY INTERFACE: UNREGISTERED NOTIFICATION FLAGS: 3'
expect "/info /verbose: file lines" test "$(lines "$(printf '^\t0 / UNKNOWN WORKING ')")" -eq 4
expect "/info /verbose: no command line" has_line 'NOTIFICATION COMMAND LINE: none'
expect "/info /verbose: times" has '^CREATION TIME: [0-9]*/[0-9]*/[0-9]* [0-9]*:[0-9][0-9]:[0-9][0-9] [AP]M MODIFICATION TIME: '
ba /info
expect "/info without a job: usage error" failed

# ---- state changes ----
ba /resume up1
expect "/resume of an empty job: BG_E_EMPTY and its text" reports 0x80200003 'no files'
expect "/resume of an empty job: non-zero exit" failed
# A file that trickles (1 KB/s) keeps the job from finishing between /resume and /suspend.
ba /create rs
ba /addfile rs "http://127.0.0.1:$BITS_FAULT_PORT/slow/1m.bin?rate=1024" "$PUB\\rs.bin"
ba /resume rs
expect "/resume" has_line 'Job resumed.'
ba /rawreturn /getstate rs
expect "resumed: no longer SUSPENDED" sh -c "grep -qxE 'QUEUED|CONNECTING|TRANSFERRING' '$BA/raw'"
ba /suspend rs
expect "/suspend" has_line 'Job suspended.'
expect "/suspend: exit 0" ok
ba /rawreturn /getstate rs
expect "the state word without prefix" raw_is SUSPENDED
ba /takeownership j1
expect "/takeownership" has_line 'Ownership of the job taken.'
expect "/takeownership: exit 0" ok
ba /cancel "$DL1"
expect "/cancel" has_line 'Job canceled.'
ba /getstate "$DL1"
expect "a cancelled job is gone" reports 0x80200001 'No job matching'
ba /complete "$RAW1"
expect "/complete of a job without files" has_line 'Job completed.'
expect "/complete: exit 0" ok

# ---- names: exact match, case, ambiguity ----
ba /create dup
D1=$(created_guid)
ba /create dup
D2=$(created_guid)
ba /create DUP
ba /getstate dup
expect "an ambiguous name: non-zero exit" failed
expect "an ambiguous name: explained" has "^Ambiguous job name 'dup': 2 jobs have this name\\. Use the job's GUID:\$"
expect "an ambiguous name: candidates listed" sh -c "grep -qxF '$D1' '$BA/out' && grep -qxF '$D2' '$BA/out'"
ba /getstate DUP
expect "an exact match wins over a case-insensitive one" ok
ba /rawreturn /getdisplayname "$D2"
expect "a GUID picks one of them" raw_is dup

# ---- /wrap, /nowrap ----
LONG=$(printf 'n%.0s' $(seq 1 150))
ba /setdisplayname "$D1" "$LONG"
ba /nowrap /list
expect "/nowrap: a long line stays whole" has "'$LONG' SUSPENDED"
ba /wrap /list
expect "/wrap: lines are cut at 80 columns" sh -c "test \$(awk '{ if (length(\$0) > m) m = length(\$0) } END { print m }' '$BA/out') -eq 80"
expect "/wrap: nothing is lost" test "$(tr -d '\n' <"$BA/out" | grep -o n | wc -l)" -ge 150

# ---- /list and /reset ----
ba /list
expect "/list: the documented line" has_line "$J1 'j1' SUSPENDED 0 / 4 0 / UNKNOWN"
expect "/list: count" has_line 'Listed 7 job(s).'
ba /reset
expect "/reset: a line per job" test "$(lines "^$GUID_RE canceled\\.\$")" -eq 7
expect "/reset: the total" has_line '7 out of 7 jobs canceled.'
expect "/reset: exit 0" ok
ba /reset /allusers
expect "/reset /allusers on an empty queue" has_line '0 out of 0 jobs canceled.'
ba /rawreturn /list
expect "/rawreturn /list: no count line" raw_is ''
rm -rf "$BA" "$PUB_UNIX"
summary

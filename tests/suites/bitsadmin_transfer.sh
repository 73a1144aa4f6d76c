# tests/suites/bitsadmin_transfer.sh: bitsadmin with real transfers: /transfer
# with several pairs and /priority (Complete on success), a fatal error (404: the error is
# reported once, the job cancelled, non-zero exit), a transient error (503: /transfer keeps
# waiting until the job retries and completes); a job driven by hand (/resume, the progress
# getters, /gettemporaryname, /complete); a job in ERROR (/geterror, /info /verbose error
# lines); the progress redrawn in place on a console (a pty); /monitor with /refresh (plain
# lines when redirected; a bounded run); Ctrl+C during /transfer (the job is cancelled) and
# /monitor (it stops); bad arguments; the error texts in German under a German locale.
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
T_SUITE=bitsadmin_transfer
. "$TOP/tests/lib.sh"
if [ "$BITS_MODE" != ours ]; then summary; exit 0; fi
. "$TOP/tests/bitsadmin-lib.sh"
H="http://127.0.0.1:$BITS_HTTP_PORT"
F="http://127.0.0.1:$BITS_FAULT_PORT"
DATA="$BITS_DATA_DIR"

# ---- /transfer: two pairs, /priority ----
ba /transfer tj /priority FOREGROUND "$H/4k.bin" "$PUB\\t1.bin" "$H/1m.bin" "$PUB\\t2.bin"
expect "/transfer: exit 0" ok
expect "/transfer: Transfer complete." has_line 'Transfer complete.'
expect "/transfer: the files arrived" sh -c "cmp -s '$DATA/4k.bin' '$PUB_UNIX/t1.bin' && cmp -s '$DATA/1m.bin' '$PUB_UNIX/t2.bin'"
expect "/transfer: the priority is used" has '^PRIORITY: FOREGROUND FILES: '
expect "/transfer: the final progress" has_line 'PRIORITY: FOREGROUND FILES: 2 / 2 BYTES: 1052672 / 1052672 (100%)'
expect "/transfer: state lines without prefix" has_line "DISPLAY: 'tj' TYPE: DOWNLOAD STATE: TRANSFERRED"
ba /list
expect "/transfer completes the job" has_line 'Listed 0 job(s).'

# ---- /transfer on a console (a pty through script(1)): the progress is redrawn in place ----
if command -v script >/dev/null 2>&1; then
    timeout 120 script -qec "'${WINE:-wine}' bitsadmin /transfer cj '$F/slow/1m.bin?rate=400000' '$PUB\\cj.bin'" \
        "$BA/tty.txt" >/dev/null 2>&1 </dev/null
    expect "on a console: the block is redrawn in place (cursor up two rows)" grep -q "$(printf '\033')\\[2A" "$BA/tty.txt"
    expect "on a console: Transfer complete." grep -q 'Transfer complete\.' "$BA/tty.txt"
    expect "on a console: the file arrived" cmp -s "$DATA/1m.bin" "$PUB_UNIX/cj.bin"
    grep -q "$(printf '\033')\\[2A" "$BA/tty.txt" || cat -v "$BA/tty.txt" | head -n 20 | sed 's/^/    tty| /'
fi

# ---- Ctrl+C: /transfer cancels its job, /monitor stops. A helper on a pty console
# sends CTRL_C_EVENT once the suite touches a flag file (tests/helpers/ctrlevent.c). ----
CTRLC="'${WINE:-wine}' '$B/helpers/ctrlevent.exe'"
# on_pty <name> <bitsadmin arguments, quoted for sh -c>: bitsadmin under the helper on a pty
# (script -f: the typescript is written at once, $BA/<name>.txt); $PTY is its pid.
on_pty() {
    rm -f "$PUB_UNIX/$1.flag"
    timeout 150 script -qfec "$CTRLC '$PUB\\$1.flag' bitsadmin $2; echo helper-rc=\$?" "$BA/$1.txt" >/dev/null 2>&1 </dev/null &
    PTY=$!
}
# pty_shows <name> <regex>: waits (up to 60 s) until the pty output matches.
pty_shows() {
    i=0
    while [ $i -lt 600 ] && ! grep -q "$2" "$BA/$1.txt" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
}
# ctrl_c <name>: the helper sends Ctrl+C; waits for the end, the output without CRs in $BA/out.
ctrl_c() {
    : >"$PUB_UNIX/$1.flag"
    wait $PTY
    tr -d '\r' <"$BA/$1.txt" >"$BA/out"
}
if command -v script >/dev/null 2>&1 && [ -f "$B/helpers/ctrlevent.exe" ]; then
    on_pty cc "/transfer cc '$F/stall/16m.bin?after=100000&secs=120' '$PUB\\cc.bin'"
    wait_state cc TRANSIENT_ERROR || wait_state cc TRANSFERRING
    expect "Ctrl+C: the job is running first" sh -c "grep -qx 'TRANSFERRING\|TRANSIENT_ERROR' '$BA/raw'"
    ctrl_c cc
    expect "Ctrl+C during /transfer: Transfer canceled." has 'Transfer canceled\.'
    expect "Ctrl+C during /transfer: exit code 1" has 'helper-rc=1$'
    expect "Ctrl+C during /transfer: no destination file" test ! -e "$PUB_UNIX/cc.bin"
    ba /list
    expect "Ctrl+C during /transfer: the job is cancelled" has_line 'Listed 0 job(s).'

    on_pty mc "/monitor /refresh 100"
    pty_shows mc 'MONITORING'
    ctrl_c mc
    expect "Ctrl+C during /monitor: it was monitoring" has 'MONITORING BACKGROUND COPY MANAGER(100 second refresh)'
    expect "Ctrl+C during /monitor: it stops, exit code 0" has 'helper-rc=0$'

    # Ctrl+C during the start of /transfer: the service's svchost (of this prefix) is stopped
    # with SIGSTOP, so bitsadmin hangs in connecting to it / CreateJob; the event comes then and
    # the svchost goes on after it. The handler is already in place: the job, once created, is
    # cancelled and none is left behind. (Without it Ctrl+C kills bitsadmin at once: no
    # "Transfer canceled.", another exit code.)
    SVC=
    ba /list
    for p in $(pgrep -f 'svchost.exe -k netsvcs'); do
        tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qxF "WINEPREFIX=$WINEPREFIX" && SVC=$p
    done
    expect "Ctrl+C during the start of /transfer: the service's svchost is found" test -n "$SVC"
    if [ -n "$SVC" ]; then
        kill -STOP "$SVC"
        on_pty cs "/transfer cs '$F/stall/16m.bin?after=100000&secs=120' '$PUB\\cs.bin'"
        pty_shows cs 'BITS administration utility'
        sleep 1
        : >"$PUB_UNIX/cs.flag"
        sleep 2                             # the helper sees the flag within 250 ms
        kill -CONT "$SVC"
        ctrl_c cs
        expect "Ctrl+C during the start of /transfer: Transfer canceled." has 'Transfer canceled\.'
        expect "Ctrl+C during the start of /transfer: exit code 1" has 'helper-rc=1$'
        expect "Ctrl+C during the start of /transfer: no progress was shown" sh -c "! grep -q 'STATE:' '$BA/out'"
        expect "Ctrl+C during the start of /transfer: no destination file" test ! -e "$PUB_UNIX/cs.bin"
        ba /list
        expect "Ctrl+C during the start of /transfer: no job is left" has_line 'Listed 0 job(s).'
    fi
fi

# ---- /transfer: a fatal error cancels ----
ba /transfer nf "$F/status/404/missing.bin" "$PUB\\nf.bin"
expect "a 404: non-zero exit" failed
expect "a 404: the HRESULT and its text" has '^ERROR: 0x80190194 - HTTP 404'
expect "a 404: the state is shown once" test "$(lines 'STATE: ERROR$')" -eq 1
expect "a 404: the job is cancelled" has_line 'The transfer failed; the job is cancelled.'
expect "a 404: no destination file" test ! -e "$PUB_UNIX/nf.bin"
ba /list
expect "a 404: the job is gone" has_line 'Listed 0 job(s).'

# ---- /transfer: a transient error (503) does not end it ----
"${WINE:-wine}" bitsadmin /transfer fl "$F/flaky/1/4k.bin?status=503&id=ba$$" "$PUB\\fl.bin" \
    >"$BA/fl.raw" 2>"$BA/fl.err" </dev/null &
FL=$!
wait_state fl TRANSIENT_ERROR
expect "a 503: TRANSIENT_ERROR" raw_is TRANSIENT_ERROR
expect "a 503: /transfer keeps waiting" kill -0 $FL
ba /geterror fl
expect "/geterror: the file" has_line "ERROR FILE:    $F/flaky/1/4k.bin?status=503&id=ba$$ -> $PUB\\fl.bin"
expect "/geterror: the code and its text" has '^ERROR CODE:    0x801901f7 - HTTP 503'
expect "/geterror: the context and its text" has '^ERROR CONTEXT: 0x00000005 - .'
ba /rawreturn /geterror fl
expect "/rawreturn /geterror: the bare code" raw_is 0x801901f7
ba /rawreturn /geterrorcount fl
expect "/geterrorcount after a transient error" raw_is 1
# The retry delay is 600 s: /resume retries now (Resume skips the remaining delay).
ba /resume fl
wait $FL
rc=$?
tr -d '\r' <"$BA/fl.raw" >"$BA/out"
expect "a 503: the transfer completes after the retry" test $rc -eq 0
expect "a 503: the transient error was shown" has '^ERROR: 0x801901f7 - '
expect "a 503: Transfer complete." has_line 'Transfer complete.'
expect "a 503: the file arrived" cmp -s "$DATA/4k.bin" "$PUB_UNIX/fl.bin"

# ---- bad /transfer arguments ----
ba /transfer x
expect "/transfer without files: usage" failed
ba /transfer x /download /priority
expect "/priority without a value" has_line '/priority needs a value.'
ba /transfer x /priority URGENT "$H/4k.bin" "$PUB\\x.bin"
expect "a bad priority" has_line 'Invalid priority: URGENT'
expect "a bad priority: non-zero exit" failed
ba /transfer x "$H/4k.bin" "$PUB\\x.bin" "$H/1m.bin"
expect "an odd number of names" has_line '/transfer needs remote/local pairs.'
ba /list
expect "bad arguments create no job" has_line 'Listed 0 job(s).'

# ---- a job driven by hand ----
ba /create dj
ba /addfile dj "$H/16m.bin" "$PUB\\d.bin"
ba /setpriority dj FOREGROUND
ba /rawreturn /gettemporaryname dj 0
expect "/gettemporaryname: a .tmp beside the destination" grep -qi '^C:\\users\\Public\\ba\\BIT.*\.tmp$' "$BA/raw"
ba /resume dj
expect "/resume" has_line 'Job resumed.'
wait_state dj TRANSFERRED
expect "the job transfers" raw_is TRANSFERRED
ba /rawreturn /getbytestotal dj;       expect "/getbytestotal" raw_is 16777216
ba /rawreturn /getbytestransferred dj; expect "/getbytestransferred" raw_is 16777216
ba /rawreturn /getfilestotal dj;       expect "/getfilestotal" raw_is 1
ba /rawreturn /getfilestransferred dj; expect "/getfilestransferred" raw_is 1
ba /getcompletiontime dj
expect "/getcompletiontime: a local time" has '^[0-9]*/[0-9]*/20[0-9][0-9] [0-9]*:[0-9][0-9]:[0-9][0-9] [AP]M$'
ba /info dj
expect "/info: the /list line of a transferred job" has "^{.*} 'dj' TRANSFERRED 1 / 1 16777216 / 16777216\$"
ba /complete dj
expect "/complete" has_line 'Job completed.'
expect "/complete: the file is there" cmp -s "$DATA/16m.bin" "$PUB_UNIX/d.bin"

# ---- a job in ERROR ----
ba /create ej
ba /addfile ej "$F/status/404/e.bin" "$PUB\\e.bin"
ba /resume ej
wait_state ej ERROR
expect "a 404 job is in ERROR" raw_is ERROR
ba /info ej /verbose
expect "/info /verbose: ERROR FILE" has_line "ERROR FILE:    $F/status/404/e.bin -> $PUB\\e.bin"
expect "/info /verbose: ERROR CODE and its text" has '^ERROR CODE:    0x80190194 - HTTP 404'
expect "/info /verbose: ERROR CONTEXT and its text" has '^ERROR CONTEXT: 0x00000005 - .'
grep -o '^[A-Z ]*:' "$BA/out" | sed -n '8,11p' | tr '\n' '|' >"$BA/labels"
expect "/info /verbose: the error lines after the proxy line" test "$(cat "$BA/labels")" = 'PROXY USAGE:|ERROR FILE:|ERROR CODE:|ERROR CONTEXT:|'
expect "/info /verbose: the state" has '^TYPE: DOWNLOAD STATE: ERROR OWNER: '

# ---- the texts in the user's UI language: a German Wine. Wine takes the language from the C
# library's locale when it has that locale, else from LC_ALL's name alone (not LANG's), so both are
# set; bitsadmin asks the service for GetUserDefaultUILanguage()'s texts. ----
ba_german() { (LC_ALL=de_DE.UTF-8 LANG=de_DE.UTF-8; export LC_ALL LANG; ba "$@"); }
ba_german /info ej /verbose
expect "German: the 404's text" has '^ERROR CODE:    0x80190194 - HTTP 404: Der Server hat unter der angeforderten Adresse nichts gefunden\.$'
expect "German: the context's text" has '^ERROR CONTEXT: 0x00000005 - Der Fehler ist bei der Arbeit an der Remotedatei aufgetreten\.$'
ba_german /getstate '{00000000-0000-0000-0000-0000000000e1}'
expect "German: an unknown job, with the code and its German text" reports 0x80200001 'In der Warteschlange wurde kein Auftrag'
ba /getstate '{00000000-0000-0000-0000-0000000000e1}'
expect "English: the same in English" reports 0x80200001 'No job matching'

# ---- /monitor: a bounded run, output redirected ----
timeout 6 "${WINE:-wine}" bitsadmin /monitor /refresh 1 >"$BA/mon.raw" 2>"$BA/mon.err" </dev/null
tr -d '\r' <"$BA/mon.raw" >"$BA/out"
expect "/monitor: the header, once per refresh" test "$(lines '^MONITORING BACKGROUND COPY MANAGER(1 second refresh)$')" -ge 2
expect "/monitor: the /list lines" has "^{.*} 'ej' ERROR 0 / 1 0 / UNKNOWN\$"
expect "/monitor: plain lines, no cursor control" sh -c "! grep -q \"\$(printf '\\033')\" '$BA/mon.raw'"
ba /monitor /refresh
expect "/monitor /refresh without seconds" has_line '/refresh needs a number of seconds.'
expect "/monitor /refresh without seconds: non-zero exit" failed
ba /monitor /refresh 0
expect "/monitor /refresh 0" has_line 'Invalid refresh interval: 0'

ba /reset
expect "/reset after the tests" has_line '1 out of 1 jobs canceled.'
rm -rf "$BA" "$PUB_UNIX"
summary

# tests/suites/bitsadmin_util.sh: bitsadmin's /util switches that change the machine:
# /util /setieproxy and /getieproxy for each service account and each proxy usage, round-tripped
# (also with /conn and /rawreturn), where the settings are stored (the account's WinINet blob:
# HKU\.DEFAULT for LocalSystem, HKLM\Software\Wine\BITS\ServiceProfiles\<SID> for the other two,
# dlls/qmgr/ieproxy.c), RESET; /util /enableanalyticchannel and the service's analytic log
# (%windir%\Logs\Bits\analytic.log: lines while enabled, none while disabled); access denied for
# a non-administrator (tests/helpers/nonadmin.c), whose notify program runs as it and whose
# local copy and upload work; bad input. That a LocalSystem PRECONFIG job
# really uses the stored proxy is unit_ieproxy (tests/unit/ieproxy.c).
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
T_SUITE=bitsadmin_util
. "$TOP/tests/lib.sh"
if [ "$BITS_MODE" != ours ]; then summary; exit 0; fi
. "$TOP/tests/bitsadmin-lib.sh"
H="http://127.0.0.1:$BITS_HTTP_PORT"
F="http://127.0.0.1:$BITS_FAULT_PORT"

ba /util /help
expect "/util /help: /getieproxy" has '^/util /getieproxy <account> \[/conn <name>\]$'
expect "/util /help: /setieproxy" has '^/util /setieproxy <account> <usage> \[/conn <name>\]$'
expect "/util /help: /enableanalyticchannel" has '^/util /enableanalyticchannel TRUE|FALSE$'

# ---- /setieproxy + /getieproxy: every usage, every account ----
# get_is <account> <usage> <list> <bypass> <url> [/conn name]
get_is() {
    acct=$1 usage=$2 list=$3 bypass=$4 url=$5
    shift 5
    ba /util /getieproxy "$acct" "$@"
    ok && has_line "Proxy usage: $usage" && has_line "Proxy list: $list" && has_line "Proxy bypass: $bypass" \
        && has_line "Autoconfig URL: $url"
}

for acct in LOCALSYSTEM NETWORKSERVICE LOCALSERVICE; do
    ba /util /setieproxy $acct RESET
    expect "$acct: RESET" has_line "Internet proxy settings of $acct reset."
    expect "$acct: nothing stored" get_is $acct "NOT SET" NULL NULL NULL

    ba /util /setieproxy $acct NO_PROXY
    expect "$acct: NO_PROXY, exit 0" ok
    expect "$acct: NO_PROXY confirmation" has_line "Internet proxy settings of $acct set."
    expect "$acct: NO_PROXY read back" get_is $acct NO_PROXY NULL NULL NULL

    ba /util /setieproxy $acct AUTODETECT
    expect "$acct: AUTODETECT read back" get_is $acct AUTODETECT NULL NULL NULL

    ba /util /setieproxy $acct MANUAL_PROXY "proxy.example:8080" "<local>;*.example.com"
    expect "$acct: MANUAL_PROXY, exit 0" ok
    expect "$acct: MANUAL_PROXY read back" get_is $acct MANUAL_PROXY proxy.example:8080 "<local>;*.example.com" NULL

    ba /util /setieproxy $acct MANUAL_PROXY "http=a:80;https=b:443" NULL
    expect "$acct: MANUAL_PROXY without bypass" get_is $acct MANUAL_PROXY "http=a:80;https=b:443" NULL NULL

    ba /util /setieproxy $acct AUTOSCRIPT "http://wpad.example/proxy.pac"
    expect "$acct: AUTOSCRIPT read back" get_is $acct AUTOSCRIPT NULL NULL "http://wpad.example/proxy.pac"
done

# Accounts are independent; names in any case.
expect "localsystem's settings are its own" get_is localsystem AUTOSCRIPT NULL NULL "http://wpad.example/proxy.pac"
ba /util /setieproxy networkservice NO_PROXY
expect "NetworkService changed" get_is NetworkService NO_PROXY NULL NULL NULL
expect "LocalService unchanged" get_is LocalService AUTOSCRIPT NULL NULL "http://wpad.example/proxy.pac"

ba /rawreturn /util /getieproxy localservice
expect "/rawreturn /getieproxy: the bare usage" raw_is AUTOSCRIPT

# /conn: another connection's value, the default one untouched.
ba /util /setieproxy LOCALSYSTEM MANUAL_PROXY "vpnproxy:3128" NULL /conn "Office VPN"
expect "/conn: exit 0" ok
expect "/conn: read back" get_is LOCALSYSTEM MANUAL_PROXY vpnproxy:3128 NULL NULL /conn "Office VPN"
expect "/conn: the default connection is untouched" get_is LOCALSYSTEM AUTOSCRIPT NULL NULL "http://wpad.example/proxy.pac"
ba /util /getieproxy LOCALSERVICE /conn "Office VPN"
expect "/conn: nothing stored for another account" has_line "Proxy usage: NOT SET"

# Where they are: the WinINet blob in the account's hive (version 0x46, a counter, the flags
# DIRECT|PROXY = 3, then the length-prefixed strings).
ba /util /setieproxy LOCALSYSTEM MANUAL_PROXY "p:1" NULL
wine_run1 "$BA/reg" reg query 'HKU\.DEFAULT\Software\Microsoft\Windows\CurrentVersion\Internet Settings\Connections' \
    /v DefaultConnectionSettings
expect "LocalSystem: HKU\\.DEFAULT's DefaultConnectionSettings blob" \
    grep -qi 'DefaultConnectionSettings *REG_BINARY *46000000[0-9A-F]\{8\}0300000003000000703A3100000000' "$BA/reg"
wine_run1 "$BA/reg" reg query 'HKLM\Software\Wine\BITS\ServiceProfiles\S-1-5-20\Software\Microsoft\Windows\CurrentVersion\Internet Settings\Connections' \
    /v DefaultConnectionSettings
expect "NetworkService: its blob under ServiceProfiles\\S-1-5-20 (NO_PROXY: flags 1)" \
    grep -qi 'DefaultConnectionSettings *REG_BINARY *46000000[0-9A-F]\{8\}01000000' "$BA/reg"
wine_run1 "$BA/reg" reg query 'HKLM\Software\Wine\BITS\ServiceProfiles\S-1-5-18'
expect "LocalSystem: nothing under ServiceProfiles" grep -qi 'unable to find' "$BA/reg"

# RESET removes the value; a second RESET is fine.
ba /util /setieproxy LOCALSYSTEM RESET
expect "RESET: exit 0" ok
expect "RESET: nothing stored" get_is LOCALSYSTEM "NOT SET" NULL NULL NULL
ba /util /setieproxy LOCALSYSTEM RESET
expect "RESET again: exit 0" ok
expect "RESET: /conn's value stays" get_is LOCALSYSTEM MANUAL_PROXY vpnproxy:3128 NULL NULL /conn "Office VPN"
ba /util /setieproxy LOCALSYSTEM RESET /conn "Office VPN"
expect "RESET /conn" get_is LOCALSYSTEM "NOT SET" NULL NULL NULL /conn "Office VPN"

# ---- bad input: a message and a non-zero exit, nothing changed ----
ba /util /setieproxy NETWORKSERVICE AUTODETECT
bad() {
    desc=$1; msg=$2; shift 2
    ba "$@"
    expect "$desc: non-zero exit" failed
    expect "$desc: the message" has_line "$msg"
}
bad "unknown account" "Unknown account: Administrator" /util /setieproxy Administrator NO_PROXY
bad "unknown account (get)" "Unknown account: bob" /util /getieproxy bob
bad "unknown usage" "Unknown proxy usage: OVERRIDE" /util /setieproxy NETWORKSERVICE OVERRIDE
bad "MANUAL_PROXY without lists" "MANUAL_PROXY needs a proxy list and a bypass list (NULL for none)." \
    /util /setieproxy NETWORKSERVICE MANUAL_PROXY
bad "MANUAL_PROXY without bypass" "MANUAL_PROXY needs a proxy list and a bypass list (NULL for none)." \
    /util /setieproxy NETWORKSERVICE MANUAL_PROXY p:1
bad "MANUAL_PROXY with a NULL list" "MANUAL_PROXY needs a proxy list." /util /setieproxy NETWORKSERVICE MANUAL_PROXY NULL NULL
bad "AUTOSCRIPT without URL" "AUTOSCRIPT needs the URL of the script." /util /setieproxy NETWORKSERVICE AUTOSCRIPT
bad "too many arguments" "Too many arguments for NO_PROXY." /util /setieproxy NETWORKSERVICE NO_PROXY extra
bad "no usage" "/util /setieproxy needs an account and a proxy usage." /util /setieproxy NETWORKSERVICE
bad "/conn without a name" "/conn needs a connection name." /util /getieproxy NETWORKSERVICE /conn
bad "/getieproxy without account" \
    "/util /getieproxy needs an account: LOCALSYSTEM, NETWORKSERVICE or LOCALSERVICE." /util /getieproxy
expect "bad input changed nothing" get_is NETWORKSERVICE AUTODETECT NULL NULL NULL

# ---- a non-administrator: access denied (Windows: elevated only) ----
NONADMIN="$B/helpers/nonadmin.exe"
if [ -f "$NONADMIN" ]; then
    for args in "/util /setieproxy NETWORKSERVICE NO_PROXY" "/util /getieproxy NETWORKSERVICE" \
                "/util /enableanalyticchannel TRUE"; do
        wine_run "$BA/raw" "$BA/err" "$NONADMIN" bitsadmin $args
        BA_RC=$?
        tr -d '\r' <"$BA/raw" >"$BA/out"
        expect "non-admin $args: non-zero exit" failed
        expect "non-admin $args: E_ACCESSDENIED" reports 0x80070005 .
    done
    expect "non-admin: nothing changed" get_is NETWORKSERVICE AUTODETECT NULL NULL NULL

    # The notify program of a standard user's job runs as that standard user, also once its
    # bitsadmin has exited, and its local copy works. The program is the callback test in its
    # "whoami" mode (tests/callback.c checks the administrator's case and the restart).
    if [ -f "$B/tests/callback.exe" ]; then
        na() {
            wine_run "$BA/raw" "$BA/err" "$NONADMIN" bitsadmin "$@"
            BA_RC=$?
            tr -d '\r' <"$BA/raw" >"$BA/out"
        }
        cp "$B/tests/callback.exe" "$PUB_UNIX/whoami.exe"
        rm -f "$PUB_UNIX/who.txt" "$PUB_UNIX/naj.ini"
        na /create naj
        expect "non-admin /create" ok
        na /addfile naj 'C:\windows\win.ini' "$PUB\\naj.ini"
        expect "non-admin /addfile of a local file" ok
        na /setnotifycmdline naj "$PUB\\whoami.exe" "$PUB\\whoami.exe callback whoami $PUB\\who.txt"
        expect "non-admin /setnotifycmdline" ok
        na /resume naj
        expect "non-admin /resume" ok
        wait_for 30 test -f "$PUB_UNIX/who.txt"
        tr -d '\r' <"$PUB_UNIX/who.txt" >"$BA/out" 2>/dev/null
        expect "non-admin's notify program: not an administrator" grep -qx 'admin=0 sid=S-1-5-[0-9-]*' "$BA/out"
        wait_state naj TRANSFERRED
        na /complete naj
        expect "non-admin /complete" ok
        expect "non-admin's local copy" cmp -s "$WINEPREFIX/drive_c/windows/win.ini" "$PUB_UNIX/naj.ini"

        # Its upload reads the local file as the standard user (unit_identity checks who opens
        # it); here, that such a user's upload works end to end.
        if [ -n "${BITS_UPLOAD_PORT:-}" ]; then
            printf 'a standard user uploads this\n' >"$PUB_UNIX/naup.txt"
            na /create /upload naup
            expect "non-admin /create /upload" ok
            na /addfile naup "http://127.0.0.1:$BITS_UPLOAD_PORT/up/naup-$$.txt" "$PUB\\naup.txt"
            expect "non-admin /addfile of an upload" ok
            na /resume naup
            wait_state naup TRANSFERRED
            na /complete naup
            expect "non-admin /complete of the upload" ok
            expect "non-admin's upload arrived" cmp -s "$PUB_UNIX/naup.txt" "$BITS_UPLOAD_DIR/up/naup-$$.txt"
        fi
    fi
fi
ba /util /setieproxy NETWORKSERVICE RESET

# ---- /util /enableanalyticchannel and the analytic log ----
CHANNEL='HKLM\Software\Microsoft\Windows\CurrentVersion\WINEVT\Channels\Microsoft-Windows-Bits-Client/Analytic'
LOG="$WINEPREFIX/drive_c/windows/logs/Bits/analytic.log"
log_lines() { if [ -f "$LOG" ]; then wc -l <"$LOG"; else echo 0; fi; }
# The lines of the log after line $1 that carry the GUID $2.
new_log() { tail -n +"$(($1 + 1))" "$LOG" 2>/dev/null | tr -d '\r' | grep -F -e "$2"; }

bad "enableanalyticchannel: bad value" "Invalid value: maybe (TRUE or FALSE)" /util /enableanalyticchannel maybe
bad "enableanalyticchannel: no value" "/util /enableanalyticchannel needs TRUE or FALSE." /util /enableanalyticchannel

ba /util /enableanalyticchannel TRUE
expect "enable: exit 0" ok
expect "enable: confirmation" has_line "BITS analytic channel enabled."
wine_run1 "$BA/reg" reg query "$CHANNEL" /v Enabled
expect "enable: Windows' channel value Enabled = 1" grep -q 'Enabled *REG_DWORD *0x1' "$BA/reg"

# logged_job <name> <url> <state> <final switch>: a job run to <state>, then /complete or /cancel;
# $G is its GUID and $BA/log the new lines of the log that name it.
logged_job() {
    mark=$(log_lines)
    ba /create "$1"
    G=$(created_guid)
    ba /addfile "$1" "$2" "$PUB\\$1.bin"
    ba /resume "$1"
    wait_state "$1" "$3"
    ba "$4" "$1"
    new_log "$mark" "$G" >"$BA/log"
}

logged_job an1 "$H/4k.bin" TRANSFERRED /complete
expect "log: the job was created" grep -q "^[0-9T:.-]*Z job-created $G DOWNLOAD owner S-1-5-[0-9-]* name \"an1\"\$" "$BA/log"
expect "log: SUSPENDED -> QUEUED" grep -q " state-change $G SUSPENDED -> QUEUED\$" "$BA/log"
expect "log: QUEUED -> CONNECTING" grep -q " state-change $G QUEUED -> CONNECTING\$" "$BA/log"
expect "log: the transfer starts" grep -qF " transfer-start $G $H/4k.bin -> $PUB\\an1.bin bytes 0 / " "$BA/log"
expect "log: the transfer stops with its bytes" \
    grep -qF " transfer-stop $G $H/4k.bin -> $PUB\\an1.bin bytes 4096 / 4096 result 0x00000000" "$BA/log"
expect "log: TRANSFERRING -> TRANSFERRED" grep -q " state-change $G TRANSFERRING -> TRANSFERRED\$" "$BA/log"
expect "log: completed" grep -q " job-completed $G\$" "$BA/log"
expect "log: the events in order" sh -c "grep -o 'job-created\|transfer-start\|transfer-stop\|job-completed' '$BA/log' | tr '\n' ' ' | grep -qx 'job-created transfer-start transfer-stop job-completed '"

# An error and a cancel.
logged_job an2 "$F/status/404/an2.bin" ERROR /cancel
expect "log: the error with its HRESULT and context" grep -q " error $G 0x80190194 context 5\$" "$BA/log"
expect "log: the failed transfer's result" grep -q " transfer-stop $G .* result 0x80190194\$" "$BA/log"
expect "log: -> ERROR" grep -q " state-change $G [A-Z_]* -> ERROR\$" "$BA/log"
expect "log: ERROR -> CANCELLED" grep -q " state-change $G ERROR -> CANCELLED\$" "$BA/log"
expect "log: cancelled" grep -q " job-cancelled $G\$" "$BA/log"

ba /util /enableanalyticchannel FALSE
expect "disable: confirmation" has_line "BITS analytic channel disabled."
wine_run1 "$BA/reg" reg query "$CHANNEL" /v Enabled
expect "disable: Enabled = 0" grep -q 'Enabled *REG_DWORD *0x0' "$BA/reg"
mark=$(log_lines)
ba /transfer an3 "$H/4k.bin" "$PUB\\an3.bin"
expect "disabled: the job ran" ok
tail -n +"$((mark + 1))" "$LOG" 2>/dev/null >"$BA/out"      # shown if the check fails
expect "disabled: nothing new in the log" test "$(log_lines)" -eq "$mark"

rm -rf "$BA" "$PUB_UNIX"
summary

#!/bin/sh
# tests/demo.sh: the main job of README's first command. Runs bitsadmin against our BITS
# service in the private prefix that `make install` prepared: creates a download job, adds a
# file, shows the job and cancels it. (The transfer itself arrives with the transfer engine.)
set -e
WINEPREFIX=$1
B=${2:-build}
export WINEPREFIX
export WINEDEBUG=${WINEDEBUG:--all}
WINE=${WINE:-wine}
WINESERVER=${WINESERVER:-wineserver}
OUT="$WINEPREFIX.demo.txt"

# A session whose first process writes to a file (wine-notes: the pipe trap).
"$WINESERVER" -p >/dev/null 2>&1 </dev/null
"$WINE" cmd /c exit >/dev/null 2>&1 </dev/null

: >"$OUT"
run() {
    echo "> bitsadmin $*" >>"$OUT"
    "$WINE" bitsadmin "$@" >>"$OUT" 2>&1 </dev/null
}

run /util /version
run /create /download wine-bits-demo
run /addfile wine-bits-demo http://127.0.0.1/demo.bin 'C:\users\Public\demo.bin'
run /resume wine-bits-demo
run /info wine-bits-demo /verbose
run /list
run /cancel wine-bits-demo
"$WINESERVER" -k >/dev/null 2>&1 </dev/null || true
cat "$OUT"
echo
echo "The BITS service of $WINEPREFIX is wine-bits (output kept in $OUT)."

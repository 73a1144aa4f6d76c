#!/bin/sh
# tests/prefix.sh: create a Wine prefix, install our DLLs into it, or give it back to Wine.
#
#   tests/prefix.sh create    <prefix>            wineboot a new prefix (if missing), end its session
#   tests/prefix.sh install   <prefix> <builddir> install qmgr.dll, qmgrprxy.dll and bitsadmin.exe
#                                                 (and the 32-bit files into syswow64) into an
#                                                 existing prefix: tools/setup on <builddir>
#   tests/prefix.sh uninstall <prefix> <builddir> restore Wine's builtins (tools/setup)
#   tests/prefix.sh wine32                        exit 0 if a 32-bit Wine runs here
#   tests/prefix.sh loaders                       print WINE64='...' and WINE32='...': the Wine
#                                                 loaders of each bitness (configure and the
#                                                 scripts use them; WINE64/WINE32 set win)
#
# Every Wine process is started with its output in a file, never a pipe (wine-notes: services
# inherit the first process's stdout/stderr), and the session is ended with wineserver -k.
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
set -e

TOP=$(cd "$(dirname "$0")/.." && pwd)
SETUP="$TOP/tools/setup"
cmd=$1

case "$cmd" in
    loaders) exec sh "$SETUP" loaders ;;
esac

eval "$(sh "$SETUP" loaders)"
export WINE64 WINE32
WINEPREFIX=$2
B=${3:-build}
case "$WINEPREFIX" in
    /*) ;;
    *) WINEPREFIX="$(pwd)/$WINEPREFIX" ;;
esac
case "$B" in /*) ;; *) B="$(pwd)/$B" ;; esac
export WINEPREFIX
export WINEDEBUG=${WINEDEBUG:--all}
export WINEDLLOVERRIDES=${WINEDLLOVERRIDES:-"mscoree,mshtml="}
WINESERVER=${WINESERVER:-wineserver}
export WINESERVER
LOG="$WINEPREFIX.log"

quiet() { "$@" >>"$LOG" 2>&1 </dev/null; }

end_session() { quiet "$WINESERVER" -k || true; quiet "$WINESERVER" -w || true; }

create() {
    if [ ! -f "$WINEPREFIX/system.reg" ]; then
        [ -n "$WINE64" ] || { echo "prefix.sh: no 64-bit Wine loader found (install the Debian package wine64)" >&2; exit 1; }
        mkdir -p "$(dirname "$WINEPREFIX")"
        echo "creating Wine prefix $WINEPREFIX"
        quiet "$WINE64" wineboot -i
        # In the session wineboot -i started no service can start (wine-notes): end it.
        end_session
    fi
}

# The 32-bit proxy goes in where it was built and a 32-bit Wine (Debian's wine32) runs: its loader
# is installed and the kernel executes it. HAVE_WINE32 (configure's answer, exported by make)
# overrides the probe.
have_wine32() {
    case "${HAVE_WINE32:-}" in
        yes) return 0 ;;
        no) return 1 ;;
    esac
    [ -n "$WINE32" ] && "$WINE32" --version >/dev/null 2>&1 </dev/null
}

# The build's products in the release's layout: x64 = build/, x32 = build/syswow64/.
setup() { BITS_X64="$B" BITS_X32="$B/syswow64" BITS_SETUP_LOG="$LOG" sh "$SETUP" "$@"; }

case "$cmd" in
    create) create ;;
    install) setup install ;;
    uninstall) setup uninstall ;;
    wine32) have_wine32 ;;
    *) echo "usage: $0 create|install|uninstall <prefix> [builddir] | wine32 | loaders" >&2; exit 2 ;;
esac

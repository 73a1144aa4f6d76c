#!/bin/sh
# tests/prefix.sh: create a Wine prefix, install our DLLs into it, or give it back to Wine.
#
#   tests/prefix.sh create    <prefix>            wineboot a new prefix (if missing), end its session
#   tests/prefix.sh install   <prefix> <builddir> create if needed, install qmgr.dll, qmgrprxy.dll and
#                                                 bitsadmin.exe, set the DllOverrides, register, end;
#                                                 with <builddir>/syswow64/qmgrprxy.dll and a WoW64
#                                                 prefix also the 32-bit proxy (syswow64, registered by
#                                                 the 32-bit regsvr32)
#   tests/prefix.sh uninstall <prefix> <builddir> restore Wine's builtins
#   tests/prefix.sh wine32                        exit 0 if a 32-bit Wine runs here
#
# Every Wine process is started with its output in a file, never a pipe (wine-notes: services
# inherit the first process's stdout/stderr), and the session is ended with wineserver -k.
set -e

cmd=$1
WINEPREFIX=$2
B=${3:-build}
export WINEPREFIX
export WINEDEBUG=${WINEDEBUG:--all}
export WINEDLLOVERRIDES=${WINEDLLOVERRIDES:-"mscoree,mshtml="}
WINE=${WINE:-wine}
WINESERVER=${WINESERVER:-wineserver}
LOG="$WINEPREFIX.log"

case "$WINEPREFIX" in
    /*) ;;
    *) WINEPREFIX="$(pwd)/$WINEPREFIX"; export WINEPREFIX ;;
esac

quiet() { "$@" >>"$LOG" 2>&1 </dev/null; }

end_session() { quiet "$WINESERVER" -k || true; quiet "$WINESERVER" -w || true; }

create() {
    if [ ! -f "$WINEPREFIX/system.reg" ]; then
        mkdir -p "$(dirname "$WINEPREFIX")"
        echo "creating Wine prefix $WINEPREFIX"
        quiet "$WINE" wineboot -i
        # In the session wineboot -i started no service can start (wine-notes): end it.
        end_session
    fi
}

sys64() { echo "$WINEPREFIX/drive_c/windows/system32"; }
sys32() { echo "$WINEPREFIX/drive_c/windows/syswow64"; }

install_file() { # src dstdir
    name=$(basename "$1")
    # The first install keeps Wine's file for uninstall.
    if [ -f "$2/$name" ] && [ ! -f "$2/$name.wine-builtin" ]; then
        cp -p "$2/$name" "$2/$name.wine-builtin"
    fi
    cp "$1" "$2/$name"
}

restore_file() { # name dir
    if [ -f "$2/$1.wine-builtin" ]; then
        mv -f "$2/$1.wine-builtin" "$2/$1"
    else
        rm -f "$2/$1"
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
    for w in /usr/lib/wine/wine /usr/lib/i386-linux-gnu/wine/wine; do
        [ -x "$w" ] && "$w" --version >/dev/null 2>&1 </dev/null && return 0
    done
    return 1
}
proxy32() { [ -f "$B/syswow64/qmgrprxy.dll" ] && [ -f "$(sys32)/regsvr32.exe" ] && have_wine32; }

# regsvr32_32 [args]: the 32-bit regsvr32, so that the registration lands in the 32-bit registry
# view (Wow6432Node) that 32-bit clients read.
regsvr32_32() { quiet "$WINE" 'C:\windows\syswow64\regsvr32.exe' "$@"; }

install() {
    create
    end_session                       # never overwrite a DLL a running svchost has mapped
    install_file "$B/qmgr.dll" "$(sys64)"
    install_file "$B/qmgrprxy.dll" "$(sys64)"
    install_file "$B/bitsadmin.exe" "$(sys64)"
    proxy32 && install_file "$B/syswow64/qmgrprxy.dll" "$(sys32)"
    quiet "$WINE" reg add 'HKCU\Software\Wine\DllOverrides' /v qmgr /t REG_SZ /d native /f
    quiet "$WINE" reg add 'HKCU\Software\Wine\DllOverrides' /v qmgrprxy /t REG_SZ /d native /f
    quiet "$WINE" regsvr32 /s qmgrprxy.dll
    quiet "$WINE" regsvr32 /s qmgr.dll
    if proxy32; then
        regsvr32_32 /s qmgrprxy.dll
        echo "32-bit proxy installed into syswow64"
    fi
    end_session
    echo "installed into $WINEPREFIX"
}

uninstall() {
    [ -f "$WINEPREFIX/system.reg" ] || { echo "no prefix at $WINEPREFIX"; exit 0; }
    end_session
    quiet "$WINE" regsvr32 /s /u qmgr.dll || true
    end_session
    restore_file qmgr.dll "$(sys64)"
    restore_file qmgrprxy.dll "$(sys64)"
    restore_file bitsadmin.exe "$(sys64)"
    # syswow64 only if ours is there (installed where a 32-bit Wine runs); never Wine's own file.
    if [ -f "$(sys32)/qmgrprxy.dll.wine-builtin" ] || cmp -s "$B/syswow64/qmgrprxy.dll" "$(sys32)/qmgrprxy.dll"; then
        restore_file qmgrprxy.dll "$(sys32)"
    fi
    quiet "$WINE" reg delete 'HKCU\Software\Wine\DllOverrides' /v qmgr /f || true
    quiet "$WINE" reg delete 'HKCU\Software\Wine\DllOverrides' /v qmgrprxy /f || true
    # The builtin proxies register themselves again (64-bit and, in a WoW64 prefix, 32-bit).
    quiet "$WINE" regsvr32 /s qmgrprxy.dll || true
    if [ -f "$(sys32)/regsvr32.exe" ] && have_wine32; then regsvr32_32 /s qmgrprxy.dll || true; fi
    end_session
    echo "Wine's builtin BITS restored in $WINEPREFIX"
}

case "$cmd" in
    create) create ;;
    install) install ;;
    uninstall) uninstall ;;
    wine32) have_wine32 ;;
    *) echo "usage: $0 create|install|uninstall <prefix> [builddir]" >&2; exit 2 ;;
esac

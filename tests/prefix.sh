#!/bin/sh
# tests/prefix.sh: create a Wine prefix, install our DLLs into it, or give it back to Wine.
#
#   tests/prefix.sh create    <prefix>            wineboot a new prefix (if missing), end its session
#   tests/prefix.sh install   <prefix> <builddir> create if needed, install qmgr.dll, qmgrprxy.dll and
#                                                 bitsadmin.exe, set the DllOverrides, register, end
#   tests/prefix.sh uninstall <prefix> <builddir> restore Wine's builtins
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

install() {
    create
    end_session                       # never overwrite a DLL a running svchost has mapped
    install_file "$B/qmgr.dll" "$(sys64)"
    install_file "$B/qmgrprxy.dll" "$(sys64)"
    install_file "$B/bitsadmin.exe" "$(sys64)"
    if [ -f "$B/i686/qmgrprxy.dll" ] && [ -d "$(sys32)" ]; then
        install_file "$B/i686/qmgrprxy.dll" "$(sys32)"
    fi
    quiet "$WINE" reg add 'HKCU\Software\Wine\DllOverrides' /v qmgr /t REG_SZ /d native /f
    quiet "$WINE" reg add 'HKCU\Software\Wine\DllOverrides' /v qmgrprxy /t REG_SZ /d native /f
    quiet "$WINE" regsvr32 /s qmgrprxy.dll
    quiet "$WINE" regsvr32 /s qmgr.dll
    if [ -f "$(sys32)/qmgrprxy.dll" ] && [ -f "$B/i686/qmgrprxy.dll" ]; then
        quiet "$WINE" "C:\\windows\\syswow64\\regsvr32.exe" /s qmgrprxy.dll || true
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
    [ -d "$(sys32)" ] && restore_file qmgrprxy.dll "$(sys32)"
    quiet "$WINE" reg delete 'HKCU\Software\Wine\DllOverrides' /v qmgr /f || true
    quiet "$WINE" reg delete 'HKCU\Software\Wine\DllOverrides' /v qmgrprxy /f || true
    # The builtin proxy registers itself again.
    quiet "$WINE" regsvr32 /s qmgrprxy.dll || true
    end_session
    echo "Wine's builtin BITS restored in $WINEPREFIX"
}

case "$cmd" in
    create) create ;;
    install) install ;;
    uninstall) uninstall ;;
    *) echo "usage: $0 create|install|uninstall <prefix> [builddir]" >&2; exit 2 ;;
esac

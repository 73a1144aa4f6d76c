# tests/suites/install.sh: make install / make uninstall on an existing prefix (this suite's copy):
# both bitnesses' files and registrations, Wine's files back after uninstall (also twice), the
# 32-bit bitsadmin.exe in syswow64, bad prefixes refused with one line and nothing changed, the
# loader detection (tools/setup loaders) on fake loaders, and plain `make` building `all`.
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
T_SUITE=install
. "$TOP/tests/lib.sh"
SYS="$WINEPREFIX/drive_c/windows/system32"

if [ "$BITS_MODE" != ours ]; then summary; exit 0; fi

check "qmgr.dll is ours after install" cmp -s "$B/qmgr.dll" "$SYS/qmgr.dll"
check "qmgrprxy.dll is ours after install" cmp -s "$B/qmgrprxy.dll" "$SYS/qmgrprxy.dll"
check "bitsadmin.exe is installed" cmp -s "$B/bitsadmin.exe" "$SYS/bitsadmin.exe"
check "qmgr=native override" grep -q '"qmgr"="native"' "$WINEPREFIX/user.reg"
check "qmgrprxy=native override" grep -q '"qmgrprxy"="native"' "$WINEPREFIX/user.reg"
check "the 10.3 CLSID has the BITS AppID" grep -qi '5fd42ad5-c04e-4d36-adc7-e08ff15737ad' "$WINEPREFIX/system.reg"
# 32-bit clients look CLSIDs up in the 32-bit view; the service serves them all the same.
check "and is registered for 32-bit clients too" \
    grep -qi 'Classes\\\\Wow6432Node\\\\CLSID\\\\{5fd42ad5-c04e-4d36-adc7-e08ff15737ad}' "$WINEPREFIX/system.reg"

# The 32-bit proxy (syswow64): built for the same interfaces as the 64-bit one, an i386 DLL with
# the four exports, and installed and registered in the 32-bit registry view exactly where a
# 32-bit Wine runs (elsewhere prefix.sh leaves syswow64 alone).
SYS32="$WINEPREFIX/drive_c/windows/syswow64"
if [ -f "$B/syswow64/qmgrprxy.dll" ]; then
    proxies() { grep -o '&_[A-Za-z0-9]*ProxyVtbl' "$1" | sort -u; }
    proxies "$B/qmgrprxy/qmgrprxy_p.c" >"$WINEPREFIX.p64"
    proxies "$B/qmgrprxy32/qmgrprxy_p.c" >"$WINEPREFIX.p32"
    check "the 32-bit proxy covers the 64-bit proxy's interfaces" cmp -s "$WINEPREFIX.p64" "$WINEPREFIX.p32"
    check "and that is more than BITS 1.0-3.0" test "$(wc -l <"$WINEPREFIX.p32")" -gt 13
    rm -f "$WINEPREFIX.p64" "$WINEPREFIX.p32"
    i686-w64-mingw32-objdump -p "$B/syswow64/qmgrprxy.dll" >"$WINEPREFIX.pe32" 2>&1
    check "the 32-bit proxy is an i386 DLL" grep -q 'file format pei-i386' "$WINEPREFIX.pe32"
    for e in DllCanUnloadNow DllGetClassObject DllRegisterServer DllUnregisterServer; do
        # binutils 2.40 prints "[   0] DllCanUnloadNow", 2.44 "[   0] +base[   1]  0000 DllCanUnloadNow".
        check "it exports $e undecorated" grep -Eq "\][[:space:]]+([0-9a-fA-F]+[[:space:]]+)?$e\$" "$WINEPREFIX.pe32"
    done
    rm -f "$WINEPREFIX.pe32"
    if "$TOP/tests/prefix.sh" wine32; then
        # Registration is proven by the win32_* suites: 32-bit clients reach IBackgroundCopyJob5
        # and newer, which only our proxy marshals.
        check "32-bit qmgrprxy.dll is ours after install" cmp -s "$B/syswow64/qmgrprxy.dll" "$SYS32/qmgrprxy.dll"
    else
        check "no 32-bit Wine runs here: syswow64 keeps Wine's qmgrprxy.dll" sh -c "! cmp -s '$B/syswow64/qmgrprxy.dll' '$SYS32/qmgrprxy.dll'"
    fi
fi

# The 32-bit bitsadmin.exe goes into every WoW64 prefix (it needs no registration).
if [ -f "$B/syswow64/bitsadmin.exe" ] && [ -d "$SYS32" ]; then
    i686-w64-mingw32-objdump -f "$B/syswow64/bitsadmin.exe" >"$WINEPREFIX.pe32" 2>&1
    check "the 32-bit bitsadmin.exe is an i386 program" grep -q 'file format pei-i386' "$WINEPREFIX.pe32"
    rm -f "$WINEPREFIX.pe32"
    check "the 32-bit bitsadmin.exe is in syswow64" cmp -s "$B/syswow64/bitsadmin.exe" "$SYS32/bitsadmin.exe"
fi

had32=$(test -f "$SYS32/qmgrprxy.dll" && echo yes || echo no)
ours32=$(cmp -s "$B/syswow64/qmgrprxy.dll" "$SYS32/qmgrprxy.dll" && echo yes || echo no)
"$TOP/tests/prefix.sh" uninstall "$WINEPREFIX" "$B" >/dev/null 2>&1
if [ "$ours32" = yes ]; then
    check "uninstall gives syswow64 Wine's qmgrprxy.dll back" sh -c "! cmp -s '$B/syswow64/qmgrprxy.dll' '$SYS32/qmgrprxy.dll'"
else
    check "uninstall leaves Wine's syswow64 qmgrprxy.dll ($had32) alone" \
        test "$(test -f "$SYS32/qmgrprxy.dll" && echo yes || echo no)" = "$had32"
fi
check "uninstall restores Wine's qmgr.dll" sh -c "! cmp -s '$B/qmgr.dll' '$SYS/qmgr.dll' && test -f '$SYS/qmgr.dll'"
check "uninstall restores Wine's qmgrprxy.dll" sh -c "! cmp -s '$B/qmgrprxy.dll' '$SYS/qmgrprxy.dll' && test -f '$SYS/qmgrprxy.dll'"
check "uninstall removes bitsadmin.exe" test ! -f "$SYS/bitsadmin.exe"
check "uninstall removes syswow64's bitsadmin.exe" test ! -f "$SYS32/bitsadmin.exe"
check "uninstall leaves no note of what it had added" sh -c "! ls '$SYS' '$SYS32' 2>/dev/null | grep -q 'wine-builtin\|wine-bits-added'"
check "uninstall removes the overrides" sh -c "! grep -q '\"qmgr\"=\"native\"' '$WINEPREFIX/user.reg'"
check "uninstall removes the versioned CLSIDs" sh -c "! grep -qi '5fd42ad5-c04e-4d36-adc7-e08ff15737ad' '$WINEPREFIX/system.reg'"

# A second uninstall keeps Wine's files (it only undoes what an install did).
"$TOP/tests/prefix.sh" uninstall "$WINEPREFIX" "$B" >/dev/null 2>&1
check "a second uninstall keeps Wine's qmgr.dll" test -f "$SYS/qmgr.dll"
check "and Wine's qmgrprxy.dll" test -f "$SYS/qmgrprxy.dll"

"$TOP/tests/prefix.sh" install "$WINEPREFIX" "$B" >/dev/null 2>&1
check "reinstall puts ours back" cmp -s "$B/qmgr.dll" "$SYS/qmgr.dll"
check "reinstall sets the override again" grep -q '"qmgr"="native"' "$WINEPREFIX/user.reg"
check "reinstall keeps Wine's file aside" test -f "$SYS/qmgr.dll.wine-builtin"

# ---- bad prefixes: one line naming the problem, a non-zero exit, nothing changed ----
D=$(mktemp -d)
# refused <desc> <prefix> <words of the message>: install into <prefix> fails with one line.
refused() {
    desc=$1; pfx=$2; msg=$3
    "$TOP/tests/prefix.sh" install "$pfx" "$B" >"$D/out" 2>&1
    rc=$?
    check "$desc: non-zero exit" test $rc -ne 0
    check "$desc: one line" test "$(wc -l <"$D/out")" -eq 1
    check "$desc: it says \"$msg\"" grep -qF "$msg" "$D/out"
    [ "$(wc -l <"$D/out")" -eq 1 ] && grep -qF "$msg" "$D/out" || sed 's/^/    | /' "$D/out"
}
refused "a prefix that does not exist" "$D/none" "no Wine prefix at $D/none: the directory does not exist"
check "and it is not created" test ! -e "$D/none"
check "nor a log beside it" test ! -e "$D/none.log"
mkdir -p "$D/notpfx/drive_c"; echo keep >"$D/notpfx/file"
ls -lR "$D/notpfx" >"$D/before"
refused "a directory that is not a prefix" "$D/notpfx" "$D/notpfx is not a Wine prefix (no system.reg or drive_c/windows/system32)"
ls -lR "$D/notpfx" >"$D/after"
check "and it is left as it was" cmp -s "$D/before" "$D/after"
refused "a regular file" "$D/notpfx/file" "is not a Wine prefix"
# A read-only prefix: as root a read-only bind mount of this prefix (root may write anything
# else), otherwise the prefix's write permissions taken away.
"$TOP/tests/prefix.sh" uninstall "$WINEPREFIX" "$B" >/dev/null 2>&1
"${WINESERVER:-wineserver}" -k >/dev/null 2>&1 </dev/null; "${WINESERVER:-wineserver}" -w >/dev/null 2>&1 </dev/null
ro=no
if [ "$(id -u)" = 0 ]; then
    mount --bind "$WINEPREFIX" "$WINEPREFIX" 2>/dev/null \
        && { mount -o remount,ro,bind "$WINEPREFIX" 2>/dev/null && ro=mount || umount "$WINEPREFIX"; }
else
    chmod -R a-w "$WINEPREFIX" && ro=chmod
fi
if [ $ro != no ]; then
    sums() { cat "$WINEPREFIX/system.reg" "$WINEPREFIX/user.reg" "$SYS/qmgr.dll" | cksum; ls "$SYS" "$SYS32" 2>/dev/null | cksum; }
    before=$(sums)
    refused "a read-only prefix" "$WINEPREFIX" "$WINEPREFIX is read-only (cannot write"
    check "and it is unchanged" test "$(sums)" = "$before"
    check "and Wine's qmgr.dll is still there" sh -c "! cmp -s '$B/qmgr.dll' '$SYS/qmgr.dll'"
    if [ $ro = mount ]; then umount "$WINEPREFIX"; else chmod -R u+w "$WINEPREFIX"; fi
else
    echo "(read-only prefix not tried: could not make one here)"
fi

# ---- the loaders, found by their ELF headers (tools/setup loaders, as configure does) ----
SAVED_WINE64=$WINE64 SAVED_WINE32=$WINE32
mkdir -p "$D/lib" "$D/bin" "$D/empty"
# fake <file> <class 1|2> <machine byte>: an ELF header and nothing else.
fake() { printf '\177ELF%b\001\001\000\000\000\000\000\000\000\000\000\002\000%b\000' "\\00$2" "$3" >"$1"; chmod +x "$1"; }
fake "$D/lib/wine64" 2 '\076'
fake "$D/lib/wine" 1 '\003'
loaders() { env -u WINE64 -u WINE32 BITS_WINE_LIBDIRS="$1" PATH="$2:/usr/bin:/bin" sh "$TOP/tools/setup" loaders >"$D/loaders" 2>&1; . "$D/loaders"; }
loaders "$D/lib" "$D/empty"
check "Debian's layout: the 64-bit loader ($WINE64)" test "$WINE64" = "$D/lib/wine64"
check "and the 32-bit one ($WINE32)" test "$WINE32" = "$D/lib/wine"
# Debian's /usr/bin/wine is a script: never taken for a loader.
printf '#!/bin/sh\nexec /usr/lib/wine/wine "$@"\n' >"$D/bin/wine"; chmod +x "$D/bin/wine"
loaders "$D/empty" "$D/bin"
check "a wine script is neither loader" test -z "$WINE64$WINE32"
# WineHQ's layout: wine64 and wine on PATH.
fake "$D/bin/wine64" 2 '\076'; fake "$D/bin/wine" 1 '\003'
loaders "$D/empty" "$D/bin"
check "wine64 on PATH ($WINE64)" test "$WINE64" = "$D/bin/wine64"
check "a 32-bit wine on PATH ($WINE32)" test "$WINE32" = "$D/bin/wine"
# A 64-bit wine alone (a new-WoW64 build).
rm -f "$D/bin/wine64"; fake "$D/bin/wine" 2 '\076'
loaders "$D/empty" "$D/bin"
check "a 64-bit wine on PATH ($WINE64)" test "$WINE64" = "$D/bin/wine"
check "is not a 32-bit loader" test -z "$WINE32"
# An i386 header with the 64-bit class, an ARM one: not ours.
fake "$D/bin/wine" 2 '\003'
loaders "$D/empty" "$D/bin"
check "a malformed header is no loader" test -z "$WINE64$WINE32"
fake "$D/bin/wine" 2 '\267'
loaders "$D/empty" "$D/bin"
check "an AArch64 wine is no x86-64 loader" test -z "$WINE64"
env WINE64=/x/wine64 WINE32=/x/wine sh "$TOP/tools/setup" loaders >"$D/loaders" 2>&1; . "$D/loaders"
check "WINE64 and WINE32 set win" test "$WINE64:$WINE32" = "/x/wine64:/x/wine"
# On this machine: the 64-bit loader make uses is a 64-bit program.
loaders "${BITS_WINE_LIBDIRS-/usr/lib/wine /usr/lib/x86_64-linux-gnu/wine /usr/lib/i386-linux-gnu/wine}" "$PATH"
od -An -tx1 -N20 "$WINE64" | tr -d ' \n' >"$D/hdr"
check "the loader found here ($WINE64) is x86-64" grep -q '^7f454c4602.*3e00$' "$D/hdr"
WINE64=$SAVED_WINE64 WINE32=$SAVED_WINE32

# ---- plain `make` builds what `all` names ----
( cd "$TOP" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -n -p B="$B" >"$D/make-p" 2>&1 )
check "the default goal is all" grep -qx '.DEFAULT_GOAL := all' "$D/make-p"
( cd "$TOP" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -n B="$B" >"$D/make-n" 2>&1 )
check "plain make is up to date with all" grep -q "Nothing to be done for 'all'" "$D/make-n"
# The loaders configure found give way to the environment (`WINE64=... make check`).
( cd "$TOP" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL WINE64=/elsewhere/wine64 make -n -p B="$B" >"$D/make-p" 2>&1 )
check "WINE64 from the environment wins" grep -qx 'WINE64 = /elsewhere/wine64' "$D/make-p"
rm -rf "$D"
summary

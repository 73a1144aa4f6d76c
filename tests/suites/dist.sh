# tests/suites/dist.sh: the release tarball of `make dist` (tools/make-dist): its layout (x64/,
# x32/, setup, COPYING), then, as a user without a toolchain would, its `setup` installs into a
# fresh prefix with only Wine (no make, no WINE64 given): bitsadmin shows its banner and BITS
# version through the service, a job completes, and `setup uninstall` gives Wine's files back.
# A prefix made by the 32-bit loader (WoW64) is tried where a 32-bit Wine runs.
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
T_SUITE=dist
. "$TOP/tests/lib.sh"
if [ "$BITS_MODE" != ours ]; then summary; exit 0; fi
if [ ! -f "$B/syswow64/qmgrprxy.dll" ] || [ ! -f "$B/syswow64/bitsadmin.exe" ]; then
    echo "(release not built: no 32-bit build here; see configure's 32-bit line)"
    summary; exit 0
fi
D=$(mktemp -d)
VERSION=$(sed -n 's/^VERSION *= *//p' "$TOP/Makefile")
NAME="wine-bits-$VERSION"
TGZ="$B/$NAME.tar.gz"

rm -f "$TGZ"
( cd "$TOP" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make dist B="$B" >"$D/make.log" 2>&1 )
check "make dist succeeds" test $? -eq 0
check "and makes $NAME.tar.gz in the build directory" test -f "$TGZ"
[ -f "$TGZ" ] || sed 's/^/    | /' "$D/make.log"

tar -tzf "$TGZ" | sort >"$D/list"
printf '%s\n' "$NAME/" "$NAME/COPYING" "$NAME/README.md" "$NAME/setup" "$NAME/x32/" "$NAME/x32/bitsadmin.exe" \
    "$NAME/x32/qmgrprxy.dll" "$NAME/x64/" "$NAME/x64/bitsadmin.exe" "$NAME/x64/qmgr.dll" "$NAME/x64/qmgrprxy.dll" | sort >"$D/want"
check "the tarball holds x64/, x32/, setup, COPYING and README.md" cmp -s "$D/list" "$D/want"
cmp -s "$D/list" "$D/want" || diff "$D/want" "$D/list" | sed 's/^/    /'
mkdir "$D/u"
tar -C "$D/u" -xzf "$TGZ"
R="$D/u/$NAME"
check "setup is executable" test -x "$R/setup"
check "COPYING is the LGPL 2.1" sh -c "head -n 3 '$R/COPYING' | grep -q 'GNU LESSER GENERAL PUBLIC LICENSE' && grep -q 'Version 2.1, February 1999' '$R/COPYING'"
for f in qmgr.dll qmgrprxy.dll bitsadmin.exe; do
    x86_64-w64-mingw32-objdump -f "$R/x64/$f" >"$D/od" 2>&1
    check "x64/$f is x86-64" grep -q 'file format pei-x86-64' "$D/od"
done
for f in qmgrprxy.dll bitsadmin.exe; do
    i686-w64-mingw32-objdump -f "$R/x32/$f" >"$D/od" 2>&1
    check "x32/$f is i386" grep -q 'file format pei-i386' "$D/od"
done

# As a user has it: no make variables, setup finds the loaders itself.
user() { env -u WINE64 -u WINE32 -u WINESERVER -u HAVE_WINE32 -u BITS_X64 -u BITS_X32 "$@"; }

# Bad input first: one line, nothing made.
user WINEPREFIX="$D/none" sh "$R/setup" install >"$D/out" 2>&1
check "setup into a missing prefix fails" test $? -ne 0
check "with one line naming it" sh -c "test \$(wc -l <'$D/out') -eq 1 && grep -q 'no Wine prefix at $D/none' '$D/out'"
check "and creates nothing" test ! -e "$D/none"

# try_prefix <label> <loader>: a fresh prefix made by <loader>, setup install, the service
# answers, a job completes, setup uninstall, Wine's files back.
try_prefix() {
    label=$1; loader=$2
    P="$D/pfx-$label"
    WINEPREFIX="$P" "$loader" wineboot -i >"$D/$label-boot.log" 2>&1 </dev/null
    WINEPREFIX="$P" "$WINESERVER" -k >/dev/null 2>&1 </dev/null; WINEPREFIX="$P" "$WINESERVER" -w >/dev/null 2>&1 </dev/null
    check "$label: a fresh prefix" test -f "$P/system.reg"
    S64="$P/drive_c/windows/system32" S32="$P/drive_c/windows/syswow64"
    (cd "$P/drive_c/windows" && ls -l system32 syswow64 2>/dev/null; cksum system32/qmgr.dll system32/qmgrprxy.dll) >"$D/$label-before"
    (cd "$P/drive_c/windows" && cksum syswow64/qmgrprxy.dll 2>/dev/null) >>"$D/$label-before"

    user WINEPREFIX="$P" sh "$R/setup" install >"$D/$label-install.out" 2>&1
    check "$label: setup install succeeds" test $? -eq 0
    check "$label: and says so" grep -q "^installed into $P\$" "$D/$label-install.out"
    check "$label: qmgr.dll is the release's" cmp -s "$R/x64/qmgr.dll" "$S64/qmgr.dll"
    check "$label: bitsadmin.exe is the release's" cmp -s "$R/x64/bitsadmin.exe" "$S64/bitsadmin.exe"
    check "$label: qmgr=native" grep -q '"qmgr"="native"' "$P/user.reg"
    check "$label: the 10.3 CLSID is registered" grep -qi '5fd42ad5-c04e-4d36-adc7-e08ff15737ad' "$P/system.reg"
    if [ -d "$S32" ]; then
        check "$label: syswow64 has the 32-bit bitsadmin.exe" cmp -s "$R/x32/bitsadmin.exe" "$S32/bitsadmin.exe"
    fi
    if "$TOP/tests/prefix.sh" wine32; then
        check "$label: syswow64 has the 32-bit proxy" cmp -s "$R/x32/qmgrprxy.dll" "$S32/qmgrprxy.dll"
    fi

    WINEPREFIX="$P" "$WINESERVER" -p >/dev/null 2>&1 </dev/null
    WINEPREFIX="$P" "$loader" cmd /c exit >/dev/null 2>&1 </dev/null
    ( export WINEPREFIX="$P"; start_again "$D/$label-ver" = "$loader" bitsadmin /util /version )
    tr -d '\r' <"$D/$label-ver" >"$D/$label-ver.txt"
    check "$label: bitsadmin /util /version shows the banner" grep -q '^BITSADMIN version 3.0 (wine-bits)$' "$D/$label-ver.txt"
    check "$label: and the service's BITS version" grep -q '^BITS version 10.3' "$D/$label-ver.txt"
    grep -q '^BITS version 10.3' "$D/$label-ver.txt" || sed 's/^/    | /' "$D/$label-ver.txt"
    if [ -n "${BITS_HTTP_PORT:-}" ]; then
        src="http://127.0.0.1:$BITS_HTTP_PORT/4k.bin" want="$BITS_DATA_DIR/4k.bin"
    else
        src='C:\windows\win.ini' want="$P/drive_c/windows/win.ini"
    fi
    ( export WINEPREFIX="$P"; start_again "$D/$label-job" = "$loader" bitsadmin /transfer distjob "$src" 'C:\users\Public\dist.bin' )
    check "$label: a BITS job completes" test $? -eq 0
    check "$label: with the right bytes" cmp -s "$want" "$P/drive_c/users/Public/dist.bin"
    cmp -s "$want" "$P/drive_c/users/Public/dist.bin" || tr -d '\r' <"$D/$label-job" | sed 's/^/    | /'

    user WINEPREFIX="$P" sh "$R/setup" uninstall >"$D/$label-uninstall.out" 2>&1
    check "$label: setup uninstall succeeds" test $? -eq 0
    (cd "$P/drive_c/windows" && ls -l system32 syswow64 2>/dev/null; cksum system32/qmgr.dll system32/qmgrprxy.dll) >"$D/$label-after"
    (cd "$P/drive_c/windows" && cksum syswow64/qmgrprxy.dll 2>/dev/null) >>"$D/$label-after"
    check "$label: Wine's files are back, nothing of ours left" cmp -s "$D/$label-before" "$D/$label-after"
    cmp -s "$D/$label-before" "$D/$label-after" || diff "$D/$label-before" "$D/$label-after" | head -n 20 | sed 's/^/    /'
    check "$label: the overrides are gone" sh -c "! grep -q '\"qmgr\"=\"native\"' '$P/user.reg'"
    WINEPREFIX="$P" "$WINESERVER" -k >/dev/null 2>&1 </dev/null; WINEPREFIX="$P" "$WINESERVER" -w >/dev/null 2>&1 </dev/null
    rm -rf "$P"
}

try_prefix 64-bit "$WINE64"
if "$TOP/tests/prefix.sh" wine32; then
    try_prefix wow64 "$WINE32"
else
    echo "(WoW64 prefix not tried: no 32-bit Wine runs here (Debian package wine32, and a kernel that executes 32-bit programs))"
fi
rm -rf "$D"
summary

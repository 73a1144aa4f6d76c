# tests/suites/configure.sh: ./configure names the Debian package of a missing tool (required ones
# fail, the optional 32-bit part only warns).
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
T_SUITE=configure
. "$TOP/tests/lib.sh"
D=$(mktemp -d)
mkdir "$D/bin" "$D/run"
# A PATH with every program of /usr/bin and /bin except the one under test.
hide() {
    rm -f "$D/bin/"*
    for f in /usr/bin/* /bin/*; do
        n=$(basename "$f")
        case " $* " in *" $n "*) continue ;; esac
        [ -e "$D/bin/$n" ] || ln -s "$f" "$D/bin/$n"
    done
}
hide x86_64-w64-mingw32-gcc
(cd "$D/run" && PATH="$D/bin" "$TOP/configure" >"$D/out" 2>&1)
check "configure fails without MinGW" test $? -ne 0
check "and names gcc-mingw-w64-x86-64" grep -q "gcc-mingw-w64-x86-64" "$D/out"
hide widl widl-stable
(cd "$D/run" && PATH="$D/bin" "$TOP/configure" >"$D/out" 2>&1)
check "configure fails without widl" test $? -ne 0
check "and names wine64-tools" grep -q "wine64-tools" "$D/out"

# The 64-bit Wine loader is found by its ELF header; Debian's /usr/bin/wine (a script that runs
# the 32-bit loader once wine32 is installed) is never taken for it.
hide wine64
(cd "$D/run" && env -u WINE64 -u WINE32 PATH="$D/bin" BITS_WINE_LIBDIRS="$D/none" "$TOP/configure" >"$D/out" 2>&1)
check "configure fails without a 64-bit Wine loader" test $? -ne 0
check "and names wine64" grep -q "install the Debian package wine64" "$D/out"
(cd "$D/run" && "$TOP/configure" WINE64=/usr/lib/wine/wine64 >"$D/out" 2>&1)
check "configure takes WINE64" grep -q "checking for the 64-bit Wine loader... /usr/lib/wine/wine64" "$D/out"
check "the Makefile lets the environment override the loaders" \
    sh -c "grep -q '^WINE64 *?= /usr/lib/wine/wine64\$' '$D/run/Makefile' && grep -q '^WINE32 *?= ' '$D/run/Makefile' \
           && grep -q '^WINESERVER *?= ' '$D/run/Makefile'"

# The 32-bit part is optional: configure succeeds without it and names what is missing.
hide i686-w64-mingw32-gcc
(cd "$D/run" && PATH="$D/bin" "$TOP/configure" >"$D/out" 2>&1)
check "configure succeeds without i686-w64-mingw32-gcc" test $? -eq 0
check "and names gcc-mingw-w64-i686" grep -q "gcc-mingw-w64-i686" "$D/out"
check "and builds no 32-bit part" grep -q "32-bit clients: no; 32-bit proxy (syswow64.qmgrprxy.dll): no; 32-bit tests run: no" "$D/out"
if command -v i686-w64-mingw32-gcc >/dev/null; then
    (cd "$D/run" && "$TOP/configure" --with-wine-pe32="$D/none" >"$D/out" 2>&1)
    check "configure succeeds without Wine's i386 libwinecrt0.a" test $? -eq 0
    check "and names libwine-dev:i386" grep -q "libwine-dev:i386" "$D/out"
    check "and builds the 32-bit clients but no 32-bit proxy" grep -q "32-bit clients: yes; 32-bit proxy (syswow64.qmgrprxy.dll): no; 32-bit tests run: no" "$D/out"
fi
rm -rf "$D"
summary

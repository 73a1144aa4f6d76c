# tests/suites/configure.sh: ./configure names the Debian package of a missing tool.
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
rm -rf "$D"
summary

# tests/suites/install.sh: make install / make uninstall on an existing prefix (this suite's copy).
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
        check "it exports $e undecorated" grep -Eq "\] $e\$" "$WINEPREFIX.pe32"
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
check "uninstall removes the overrides" sh -c "! grep -q '\"qmgr\"=\"native\"' '$WINEPREFIX/user.reg'"
check "uninstall removes the versioned CLSIDs" sh -c "! grep -qi '5fd42ad5-c04e-4d36-adc7-e08ff15737ad' '$WINEPREFIX/system.reg'"

"$TOP/tests/prefix.sh" install "$WINEPREFIX" "$B" >/dev/null 2>&1
check "reinstall puts ours back" cmp -s "$B/qmgr.dll" "$SYS/qmgr.dll"
check "reinstall sets the override again" grep -q '"qmgr"="native"' "$WINEPREFIX/user.reg"

# A new prefix is created by install when missing.
NEW="$WINEPREFIX-new"
rm -rf "$NEW"
"$TOP/tests/prefix.sh" install "$NEW" "$B" >/dev/null 2>&1
check "install creates a missing prefix" test -f "$NEW/system.reg"
check "and installs into it" cmp -s "$B/qmgr.dll" "$NEW/drive_c/windows/system32/qmgr.dll"
WINEPREFIX="$NEW" "${WINESERVER:-wineserver}" -k >/dev/null 2>&1 </dev/null
rm -rf "$NEW" "$NEW.log"
summary

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

"$TOP/tests/prefix.sh" uninstall "$WINEPREFIX" "$B" >/dev/null 2>&1
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

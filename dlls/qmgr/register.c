/*
 * register.c: DllRegisterServer/DllUnregisterServer. A stock Wine prefix registers only the
 * BITS 1.0 CLSID; every versioned CLSID needs its AppID pointing at the BITS service so that
 * CLSCTX_LOCAL_SERVER activation reaches svchost (wine-notes).
 */

#include "qmgr_private.h"

BITS_DEFAULT_DEBUG_CHANNEL(qmgr);

extern const CLSID *const bits_manager_clsids[];
extern const unsigned int bits_manager_clsid_count;

#define APPID_BITS L"{69AD4AEE-51BE-439B-A92C-86AE490E8B30}"

static LSTATUS set_string(HKEY key, const WCHAR *name, const WCHAR *value)
{
    return RegSetValueExW(key, name, 0, REG_SZ, (const BYTE *)value, (lstrlenW(value) + 1) * sizeof(WCHAR));
}

HRESULT WINAPI DllRegisterServer(void)
{
    WCHAR path[64];
    unsigned int i;
    LSTATUS ret;
    HKEY key;

    TRACE("()\n");

    ret = RegCreateKeyExW(HKEY_CLASSES_ROOT, L"AppID\\" APPID_BITS, 0, NULL, 0, KEY_WRITE, NULL, &key, NULL);
    if (ret) return HRESULT_FROM_WIN32(ret);
    set_string(key, NULL, L"Background Intelligent Transfer Service");
    ret = set_string(key, L"LocalService", L"BITS");
    RegCloseKey(key);
    if (ret) return HRESULT_FROM_WIN32(ret);

    for (i = 0; i < bits_manager_clsid_count; i++)
    {
        lstrcpyW(path, L"CLSID\\");
        StringFromGUID2(bits_manager_clsids[i], path + 6, 40);
        if ((ret = RegCreateKeyExW(HKEY_CLASSES_ROOT, path, 0, NULL, 0, KEY_WRITE, NULL, &key, NULL)))
            return HRESULT_FROM_WIN32(ret);
        set_string(key, NULL, L"Background Intelligent Transfer Service");
        ret = set_string(key, L"AppID", APPID_BITS);
        RegCloseKey(key);
        if (ret) return HRESULT_FROM_WIN32(ret);
    }
    return S_OK;
}

/* Removes what Wine does not register itself: every CLSID but the 1.0 one. */
HRESULT WINAPI DllUnregisterServer(void)
{
    WCHAR path[64];
    unsigned int i;

    TRACE("()\n");

    for (i = 1; i < bits_manager_clsid_count; i++)
    {
        lstrcpyW(path, L"CLSID\\");
        StringFromGUID2(bits_manager_clsids[i], path + 6, 40);
        RegDeleteTreeW(HKEY_CLASSES_ROOT, path);
    }
    return S_OK;
}

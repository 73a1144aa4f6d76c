/*
 * register.c: DllRegisterServer/DllUnregisterServer. A stock Wine prefix registers only the
 * BITS 1.0 CLSID; every versioned CLSID needs its AppID pointing at the BITS service so that
 * CLSCTX_LOCAL_SERVER activation reaches svchost (wine-notes), in the 64-bit and the 32-bit
 * registry view.
 *
 * Copyright 2026 The wine-bits authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * This library is distributed in the hope that it will be useful,
 * but WITHOUT ANY WARRANTY; without even the implied warranty of
 * MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the GNU
 * Lesser General Public License for more details.
 *
 * You should have received a copy of the GNU Lesser General Public
 * License along with this library; if not, write to the Free Software
 * Foundation, Inc., 51 Franklin St, Fifth Floor, Boston, MA 02110-1301, USA
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

/* The CLSIDs go into both registry views: 32-bit clients (WoW64) look theirs up in the 32-bit
 * view (Software\Classes\Wow6432Node) and are served by the same 64-bit service, as on Windows.
 * AppID is shared between the views. */
static const REGSAM clsid_views[] = { KEY_WOW64_64KEY, KEY_WOW64_32KEY };

static LSTATUS register_clsid(const CLSID *clsid, REGSAM view)
{
    WCHAR path[64];
    LSTATUS ret;
    HKEY key;

    lstrcpyW(path, L"Software\\Classes\\CLSID\\");
    StringFromGUID2(clsid, path + lstrlenW(path), 40);
    if ((ret = RegCreateKeyExW(HKEY_LOCAL_MACHINE, path, 0, NULL, 0, KEY_WRITE | view, NULL, &key, NULL)))
        return ret;
    set_string(key, NULL, L"Background Intelligent Transfer Service");
    ret = set_string(key, L"AppID", APPID_BITS);
    RegCloseKey(key);
    return ret;
}

HRESULT WINAPI DllRegisterServer(void)
{
    unsigned int i, v;
    LSTATUS ret;
    HKEY key;

    TRACE("()\n");

    ret = RegCreateKeyExW(HKEY_CLASSES_ROOT, L"AppID\\" APPID_BITS, 0, NULL, 0, KEY_WRITE, NULL, &key, NULL);
    if (ret) return HRESULT_FROM_WIN32(ret);
    set_string(key, NULL, L"Background Intelligent Transfer Service");
    ret = set_string(key, L"LocalService", L"BITS");
    RegCloseKey(key);
    if (ret) return HRESULT_FROM_WIN32(ret);

    for (v = 0; v < ARRAYSIZE(clsid_views); v++)
        for (i = 0; i < bits_manager_clsid_count; i++)
            if ((ret = register_clsid(bits_manager_clsids[i], clsid_views[v]))) return HRESULT_FROM_WIN32(ret);
    return S_OK;
}

/* Removes what Wine does not register itself: every CLSID but the 1.0 one, in both views. */
HRESULT WINAPI DllUnregisterServer(void)
{
    WCHAR path[64];
    unsigned int i, v;
    HKEY classes;

    TRACE("()\n");

    for (v = 0; v < ARRAYSIZE(clsid_views); v++)
    {
        if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, L"Software\\Classes\\CLSID", 0, KEY_ALL_ACCESS | clsid_views[v], &classes))
            continue;
        for (i = 1; i < bits_manager_clsid_count; i++)
        {
            StringFromGUID2(bits_manager_clsids[i], path, ARRAYSIZE(path));
            RegDeleteTreeW(classes, path);
        }
        RegCloseKey(classes);
    }
    return S_OK;
}

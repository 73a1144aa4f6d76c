/*
 * ieproxy.c: where the IE proxy settings of LocalSystem, NetworkService and LocalService live,
 * and the WinINet connection-settings blob they are kept in (system accounts have no IE settings
 * of their own, so BITS lets `bitsadmin /util /setieproxy` set them). Compiled into qmgr.dll (http.c reads them for PRECONFIG jobs of those
 * accounts) and into bitsadmin.exe (which writes them).
 *
 * Windows keeps them in each account's hive: HKEY_USERS\<SID>\Software\Microsoft\Windows\
 * CurrentVersion\Internet Settings\Connections, value DefaultConnectionSettings or the name of
 * the connection. Wine's wineserver lets a program create HKEY_USERS\S-1-5-18, but saves only
 * HKEY_USERS\.Default and the current user's hive: a key beside them is lost when the session
 * ends. So:
 *  - LocalSystem: HKEY_USERS\.DEFAULT, which on Windows is LocalSystem's own hive (the one
 *    HKEY_USERS\S-1-5-18 shows too);
 *  - NetworkService, LocalService: their hives are files under %windir%\ServiceProfiles on
 *    Windows, which Wine has not; the same subtree under HKLM\Software\Wine\BITS\ServiceProfiles\<SID>.
 *
 * The blob: DWORD version (0x46), DWORD change counter, DWORD flags (IEPROXY_*), then three
 * strings, each a DWORD length and that many single-byte (ANSI) characters: the proxy list, the
 * bypass list and the autoconfig URL; then the auto-detection fields, written as zeros.
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

#include <windows.h>
#include "ieproxy.h"

#define IEPROXY_VERSION 0x46
#define IEPROXY_TAIL    36      /* auto-detection flags, last detected URL length, reserved */
#define IEPROXY_MAX_STRING 32768

static const WCHAR connections_path[] =
    L"Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\Connections";

static const struct { const WCHAR *account, *sid; } accounts[] =
{
    { L"LOCALSYSTEM", L"S-1-5-18" },
    { L"NETWORKSERVICE", L"S-1-5-20" },
    { L"LOCALSERVICE", L"S-1-5-19" },
};

const WCHAR *ieproxy_account_sid(const WCHAR *account)
{
    unsigned int i;

    for (i = 0; i < ARRAYSIZE(accounts); i++)
        if (!lstrcmpiW(account, accounts[i].account)) return accounts[i].sid;
    return NULL;
}

const WCHAR *ieproxy_sid_account(const WCHAR *sid)
{
    unsigned int i;

    for (i = 0; i < ARRAYSIZE(accounts); i++)
        if (!lstrcmpiW(sid, accounts[i].sid)) return accounts[i].account;
    return NULL;
}

void ieproxy_free(struct ieproxy_settings *settings)
{
    HeapFree(GetProcessHeap(), 0, settings->proxy);
    HeapFree(GetProcessHeap(), 0, settings->bypass);
    HeapFree(GetProcessHeap(), 0, settings->url);
    memset(settings, 0, sizeof(*settings));
}

/* ---- the blob ---- */

static DWORD ansi_length(const WCHAR *str)
{
    int len;

    if (!str || !*str) return 0;
    len = WideCharToMultiByte(CP_ACP, 0, str, -1, NULL, 0, NULL, NULL);
    return len > 0 ? len - 1 : 0;
}

static BYTE *put_dword(BYTE *p, DWORD value)
{
    memcpy(p, &value, sizeof(value));
    return p + sizeof(value);
}

static BYTE *put_string(BYTE *p, const WCHAR *str, DWORD len)
{
    p = put_dword(p, len);
    if (len) WideCharToMultiByte(CP_ACP, 0, str, -1, (char *)p, len, NULL, NULL);
    return p + len;
}

BYTE *ieproxy_encode(const struct ieproxy_settings *settings, DWORD counter, DWORD *size)
{
    DWORD proxy_len = ansi_length(settings->proxy), bypass_len = ansi_length(settings->bypass);
    DWORD url_len = ansi_length(settings->url);
    BYTE *data, *p;

    if (proxy_len > IEPROXY_MAX_STRING || bypass_len > IEPROXY_MAX_STRING || url_len > IEPROXY_MAX_STRING)
        return NULL;
    *size = 6 * sizeof(DWORD) + proxy_len + bypass_len + url_len + IEPROXY_TAIL;
    if (!(data = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, *size))) return NULL;
    p = put_dword(data, IEPROXY_VERSION);
    p = put_dword(p, counter);
    p = put_dword(p, settings->flags);
    p = put_string(p, settings->proxy, proxy_len);
    p = put_string(p, settings->bypass, bypass_len);
    put_string(p, settings->url, url_len);
    return data;
}

static BOOL get_dword(const BYTE **p, const BYTE *end, DWORD *value)
{
    if (end - *p < (ptrdiff_t)sizeof(*value)) return FALSE;
    memcpy(value, *p, sizeof(*value));
    *p += sizeof(*value);
    return TRUE;
}

/* A length-prefixed string; an empty one is NULL. */
static BOOL get_string(const BYTE **p, const BYTE *end, WCHAR **str)
{
    DWORD len;
    int wlen;

    *str = NULL;
    if (!get_dword(p, end, &len) || len > IEPROXY_MAX_STRING || (DWORD)(end - *p) < len) return FALSE;
    if (len)
    {
        wlen = MultiByteToWideChar(CP_ACP, 0, (const char *)*p, len, NULL, 0);
        if (!(*str = HeapAlloc(GetProcessHeap(), 0, (wlen + 1) * sizeof(WCHAR)))) return FALSE;
        MultiByteToWideChar(CP_ACP, 0, (const char *)*p, len, *str, wlen);
        (*str)[wlen] = 0;
    }
    *p += len;
    return TRUE;
}

BOOL ieproxy_decode(const BYTE *data, DWORD size, struct ieproxy_settings *settings, DWORD *counter)
{
    const BYTE *p = data, *end = data + size;
    DWORD version;

    memset(settings, 0, sizeof(*settings));
    /* Old blobs (version 0x3c) have the same head; the strings are what a reader needs. */
    if (!get_dword(&p, end, &version) || version < 0x3c || !get_dword(&p, end, counter)
        || !get_dword(&p, end, &settings->flags) || !get_string(&p, end, &settings->proxy)
        || !get_string(&p, end, &settings->bypass))
    {
        ieproxy_free(settings);
        return FALSE;
    }
    /* The autoconfig URL is missing from the oldest blobs. */
    if (p < end && !get_string(&p, end, &settings->url))
    {
        ieproxy_free(settings);
        return FALSE;
    }
    return TRUE;
}

/* ---- the registry ---- */

static LSTATUS open_connections(const WCHAR *sid, BOOL create, HKEY *key)
{
    WCHAR path[256];
    HKEY root;

    if (!ieproxy_sid_account(sid)) return ERROR_INVALID_PARAMETER;
    if (!lstrcmpiW(sid, L"S-1-5-18"))
    {
        root = HKEY_USERS;
        wsprintfW(path, L".DEFAULT\\%s", connections_path);
    }
    else
    {
        root = HKEY_LOCAL_MACHINE;
        wsprintfW(path, L"Software\\Wine\\BITS\\ServiceProfiles\\%s\\%s", sid, connections_path);
    }
    /* The 64-bit view also from the 32-bit bitsadmin in syswow64: HKLM\Software is redirected to
     * Wow6432Node for 32-bit programs, and the (64-bit) service reads the 64-bit view. */
    if (create)
        return RegCreateKeyExW(root, path, 0, NULL, 0, KEY_QUERY_VALUE | KEY_SET_VALUE | KEY_WOW64_64KEY,
                               NULL, key, NULL);
    return RegOpenKeyExW(root, path, 0, KEY_QUERY_VALUE | KEY_SET_VALUE | KEY_WOW64_64KEY, key);
}

static const WCHAR *value_name(const WCHAR *connection)
{
    return connection ? connection : IEPROXY_DEFAULT_CONNECTION;
}

/* The stored blob, or ERROR_FILE_NOT_FOUND. */
static LSTATUS query_blob(HKEY key, const WCHAR *name, BYTE **data, DWORD *size)
{
    DWORD type;
    LSTATUS err;

    *data = NULL;
    if ((err = RegQueryValueExW(key, name, NULL, &type, NULL, size))) return err;
    if (type != REG_BINARY) return ERROR_INVALID_DATA;
    if (!(*data = HeapAlloc(GetProcessHeap(), 0, *size ? *size : 1))) return ERROR_OUTOFMEMORY;
    if ((err = RegQueryValueExW(key, name, NULL, NULL, *data, size)))
    {
        HeapFree(GetProcessHeap(), 0, *data);
        *data = NULL;
    }
    return err;
}

HRESULT ieproxy_read(const WCHAR *sid, const WCHAR *connection, struct ieproxy_settings *settings)
{
    DWORD size, counter;
    BYTE *data;
    LSTATUS err;
    HKEY key;
    BOOL decoded;

    memset(settings, 0, sizeof(*settings));
    if ((err = open_connections(sid, FALSE, &key)))
        return err == ERROR_FILE_NOT_FOUND ? S_FALSE : HRESULT_FROM_WIN32(err);
    err = query_blob(key, value_name(connection), &data, &size);
    RegCloseKey(key);
    if (err == ERROR_FILE_NOT_FOUND) return S_FALSE;
    if (err) return HRESULT_FROM_WIN32(err);
    decoded = ieproxy_decode(data, size, settings, &counter);
    HeapFree(GetProcessHeap(), 0, data);
    return decoded ? S_OK : HRESULT_FROM_WIN32(ERROR_INVALID_DATA);
}

HRESULT ieproxy_write(const WCHAR *sid, const WCHAR *connection, const struct ieproxy_settings *settings)
{
    struct ieproxy_settings old;
    DWORD size, counter = 0;
    BYTE *data;
    LSTATUS err;
    HKEY key;

    if ((err = open_connections(sid, TRUE, &key))) return HRESULT_FROM_WIN32(err);
    /* The counter goes up with every change, as WinINet's does. */
    if (!query_blob(key, value_name(connection), &data, &size))
    {
        if (ieproxy_decode(data, size, &old, &counter)) ieproxy_free(&old);
        counter++;
        HeapFree(GetProcessHeap(), 0, data);
    }
    if (!(data = ieproxy_encode(settings, counter, &size)))
    {
        RegCloseKey(key);
        return E_INVALIDARG;
    }
    err = RegSetValueExW(key, value_name(connection), 0, REG_BINARY, data, size);
    HeapFree(GetProcessHeap(), 0, data);
    RegCloseKey(key);
    return HRESULT_FROM_WIN32(err);
}

HRESULT ieproxy_reset(const WCHAR *sid, const WCHAR *connection)
{
    LSTATUS err;
    HKEY key;

    if ((err = open_connections(sid, FALSE, &key)))
        return err == ERROR_FILE_NOT_FOUND ? S_OK : HRESULT_FROM_WIN32(err);
    err = RegDeleteValueW(key, value_name(connection));
    RegCloseKey(key);
    return err == ERROR_FILE_NOT_FOUND ? S_OK : HRESULT_FROM_WIN32(err);
}

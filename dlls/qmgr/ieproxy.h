/*
 * ieproxy.h: the Internet Explorer (WinINet) proxy settings of the service accounts, shared by
 * the service (http.c: PRECONFIG jobs of those accounts) and bitsadmin (/util /getieproxy,
 * /util /setieproxy). ieproxy.c is compiled into both.
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

#ifndef __BITS_IEPROXY_H
#define __BITS_IEPROXY_H

#include <windows.h>

/* The flags of a WinINet connection-settings blob. */
#define IEPROXY_DIRECT          0x01
#define IEPROXY_PROXY           0x02
#define IEPROXY_AUTO_PROXY_URL  0x04
#define IEPROXY_AUTO_DETECT     0x08

#define IEPROXY_DEFAULT_CONNECTION L"DefaultConnectionSettings"
#define IEPROXY_MAX_CONNECTION  256

struct ieproxy_settings
{
    DWORD flags;                /* IEPROXY_* */
    WCHAR *proxy;               /* NULL or the proxy list */
    WCHAR *bypass;              /* NULL or the bypass list */
    WCHAR *url;                 /* NULL or the autoconfig script URL */
};

/* "LOCALSYSTEM", "NETWORKSERVICE", "LOCALSERVICE" (any case) -> their SID string, else NULL. */
const WCHAR *ieproxy_account_sid(const WCHAR *account);
/* A SID string of one of the three accounts -> its account name, else NULL. */
const WCHAR *ieproxy_sid_account(const WCHAR *sid);

/* The blob, with bounds checks; no Windows calls but the code-page conversion. */
BYTE *ieproxy_encode(const struct ieproxy_settings *settings, DWORD counter, DWORD *size);
BOOL ieproxy_decode(const BYTE *data, DWORD size, struct ieproxy_settings *settings, DWORD *counter);
void ieproxy_free(struct ieproxy_settings *settings);

/* The account's settings of a connection (NULL: DefaultConnectionSettings). read gives S_FALSE
 * (and empty settings) when none are stored; reset removes them (S_OK also when none were). */
HRESULT ieproxy_read(const WCHAR *sid, const WCHAR *connection, struct ieproxy_settings *settings);
HRESULT ieproxy_write(const WCHAR *sid, const WCHAR *connection, const struct ieproxy_settings *settings);
HRESULT ieproxy_reset(const WCHAR *sid, const WCHAR *connection);

#endif /* __BITS_IEPROXY_H */

/*
 * util.c: the /util commands that change the machine rather than a job:
 * /util /getieproxy and /util /setieproxy (the IE proxy settings of LocalSystem, NetworkService
 * and LocalService, which their PRECONFIG jobs use: dlls/qmgr/ieproxy.c says where they live)
 * and /util /enableanalyticchannel (the Bits-Client/Analytic channel: dlls/qmgr/analytic.h).
 * All of them need an administrator, as on Windows (elevated); others get E_ACCESSDENIED.
 *
 * /getieproxy prints (labels fixed; NULL for an empty value):
 *   Proxy usage: NO_PROXY | AUTODETECT | AUTOSCRIPT | MANUAL_PROXY (several joined by '|'), or
 *                NOT SET when nothing is stored (the service then uses WinHTTP's defaults)
 *   Proxy list: <list>
 *   Proxy bypass: <list>
 *   Autoconfig URL: <url>
 * With /rawreturn only the usage.
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

#include "bitsadmin.h"
#include "ieproxy.h"
#include "analytic.h"

static BOOL caller_is_admin(void)
{
    SID_IDENTIFIER_AUTHORITY nt = { SECURITY_NT_AUTHORITY };
    PSID admins;
    BOOL member = FALSE;

    if (!AllocateAndInitializeSid(&nt, 2, SECURITY_BUILTIN_DOMAIN_RID, DOMAIN_ALIAS_RID_ADMINS, 0, 0, 0, 0, 0, 0,
                                  &admins))
        return FALSE;
    if (!CheckTokenMembership(NULL, admins, &member)) member = FALSE;
    FreeSid(admins);
    return member;
}

/* Takes "/conn <name>" out of the arguments. FALSE after a usage error. */
static BOOL take_connection(struct bitsadmin *ctx, int *argc, WCHAR **argv, const WCHAR **connection, int *ret)
{
    int i, j;

    *connection = NULL;
    for (i = 0; i < *argc; i++)
    {
        if (!is_switch(argv[i], L"conn")) continue;
        if (i + 1 >= *argc || !argv[i + 1][0] || lstrlenW(argv[i + 1]) >= IEPROXY_MAX_CONNECTION)
        {
            *ret = usage_error(ctx, L"/conn needs a connection name.");
            return FALSE;
        }
        *connection = argv[i + 1];
        for (j = i + 2; j < *argc; j++) argv[j - 2] = argv[j];
        *argc -= 2;
        return TRUE;
    }
    return TRUE;
}

static void usage_words(DWORD flags, WCHAR *buf)
{
    buf[0] = 0;
    if (flags & IEPROXY_AUTO_DETECT) lstrcatW(buf, L"|AUTODETECT");
    if (flags & IEPROXY_AUTO_PROXY_URL) lstrcatW(buf, L"|AUTOSCRIPT");
    if (flags & IEPROXY_PROXY) lstrcatW(buf, L"|MANUAL_PROXY");
    if (!buf[0]) lstrcatW(buf, L"|NO_PROXY");
    memmove(buf, buf + 1, lstrlenW(buf) * sizeof(WCHAR));
}

/* /util /getieproxy <account> [/conn <name>] */
int util_getieproxy(struct bitsadmin *ctx, int argc, WCHAR **argv)
{
    struct ieproxy_settings settings;
    const WCHAR *connection, *sid;
    WCHAR usage[64];
    HRESULT hr;
    int ret;

    if (!take_connection(ctx, &argc, argv, &connection, &ret)) return ret;
    if (argc != 1) return usage_error(ctx, L"/util /getieproxy needs an account: LOCALSYSTEM, NETWORKSERVICE or LOCALSERVICE.");
    if (!(sid = ieproxy_account_sid(argv[0]))) return usage_error(ctx, L"Unknown account: %ls", argv[0]);
    if (!caller_is_admin()) return report_error(ctx, E_ACCESSDENIED, L"read the proxy settings");
    if (FAILED(hr = ieproxy_read(sid, connection, &settings))) return report_error(ctx, hr, L"read the proxy settings");

    if (hr == S_FALSE) lstrcpyW(usage, L"NOT SET");
    else usage_words(settings.flags, usage);
    if (ctx->raw) out_str(usage);
    else
    {
        out_fmt(L"Proxy usage: %ls\n", usage);
        out_fmt(L"Proxy list: %ls\n", str_or_null(settings.proxy));
        out_fmt(L"Proxy bypass: %ls\n", str_or_null(settings.bypass));
        out_fmt(L"Autoconfig URL: %ls\n", str_or_null(settings.url));
    }
    ieproxy_free(&settings);
    return BITSADMIN_EXIT_OK;
}

static WCHAR *dup_arg(const WCHAR *arg)
{
    WCHAR *copy;

    if (is_null_arg(arg)) return NULL;
    if ((copy = HeapAlloc(GetProcessHeap(), 0, (lstrlenW(arg) + 1) * sizeof(WCHAR)))) lstrcpyW(copy, arg);
    return copy;
}

/* /util /setieproxy <account> NO_PROXY|AUTODETECT|MANUAL_PROXY <list> <bypass>|AUTOSCRIPT <url>|RESET [/conn <name>] */
int util_setieproxy(struct bitsadmin *ctx, int argc, WCHAR **argv)
{
    struct ieproxy_settings settings = { IEPROXY_DIRECT, NULL, NULL, NULL };
    const WCHAR *connection, *sid, *usage;
    int ret, want;
    HRESULT hr;

    if (!take_connection(ctx, &argc, argv, &connection, &ret)) return ret;
    if (argc < 2) return usage_error(ctx, L"/util /setieproxy needs an account and a proxy usage.");
    if (!(sid = ieproxy_account_sid(argv[0]))) return usage_error(ctx, L"Unknown account: %ls", argv[0]);
    usage = argv[1];
    if (!wcsicmp(usage, L"NO_PROXY") || !wcsicmp(usage, L"RESET")) want = 0;
    else if (!wcsicmp(usage, L"AUTODETECT")) want = 0, settings.flags |= IEPROXY_AUTO_DETECT;
    else if (!wcsicmp(usage, L"MANUAL_PROXY")) want = 2, settings.flags |= IEPROXY_PROXY;
    else if (!wcsicmp(usage, L"AUTOSCRIPT")) want = 1, settings.flags |= IEPROXY_AUTO_PROXY_URL;
    else return usage_error(ctx, L"Unknown proxy usage: %ls", usage);
    if (argc - 2 < want)
        return usage_error(ctx, want == 2 ? L"MANUAL_PROXY needs a proxy list and a bypass list (NULL for none)."
                                          : L"AUTOSCRIPT needs the URL of the script.");
    if (argc - 2 > want) return usage_error(ctx, L"Too many arguments for %ls.", usage);
    if (want && is_null_arg(argv[2]))
        return usage_error(ctx, want == 2 ? L"MANUAL_PROXY needs a proxy list." : L"AUTOSCRIPT needs a URL.");
    if (!caller_is_admin()) return report_error(ctx, E_ACCESSDENIED, L"set the proxy settings");

    if (!wcsicmp(usage, L"RESET"))
    {
        if (FAILED(hr = ieproxy_reset(sid, connection))) return report_error(ctx, hr, L"reset the proxy settings");
        out_msg(ctx, L"Internet proxy settings of %ls reset.\n", ieproxy_sid_account(sid));
        return BITSADMIN_EXIT_OK;
    }
    if (want == 2)
    {
        settings.proxy = dup_arg(argv[2]);
        settings.bypass = dup_arg(argv[3]);
    }
    else if (want == 1) settings.url = dup_arg(argv[2]);
    hr = ieproxy_write(sid, connection, &settings);
    ieproxy_free(&settings);
    if (FAILED(hr)) return report_error(ctx, hr, L"set the proxy settings");
    out_msg(ctx, L"Internet proxy settings of %ls set.\n", ieproxy_sid_account(sid));
    return BITSADMIN_EXIT_OK;
}

/* /util /enableanalyticchannel TRUE|FALSE */
int util_enableanalyticchannel(struct bitsadmin *ctx, int argc, WCHAR **argv)
{
    DWORD enabled;
    LSTATUS err;
    HKEY key;

    if (argc != 1) return usage_error(ctx, L"/util /enableanalyticchannel needs TRUE or FALSE.");
    if (!wcsicmp(argv[0], L"TRUE")) enabled = 1;
    else if (!wcsicmp(argv[0], L"FALSE")) enabled = 0;
    else return usage_error(ctx, L"Invalid value: %ls (TRUE or FALSE)", argv[0]);
    if (!caller_is_admin()) return report_error(ctx, E_ACCESSDENIED, L"change the analytic channel");
    /* The 64-bit view, which the service reads, also from the 32-bit bitsadmin in syswow64. */
    if (!(err = RegCreateKeyExW(HKEY_LOCAL_MACHINE, ANALYTIC_CHANNEL_KEY, 0, NULL, 0, KEY_SET_VALUE | KEY_WOW64_64KEY,
                                NULL, &key, NULL)))
    {
        err = RegSetValueExW(key, ANALYTIC_CHANNEL_VALUE, 0, REG_DWORD, (BYTE *)&enabled, sizeof(enabled));
        RegCloseKey(key);
    }
    if (err) return report_error(ctx, HRESULT_FROM_WIN32(err), L"change the analytic channel");
    out_msg(ctx, enabled ? L"BITS analytic channel enabled.\n" : L"BITS analytic channel disabled.\n");
    return BITSADMIN_EXIT_OK;
}

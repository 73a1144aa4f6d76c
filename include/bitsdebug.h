/*
 * bitsdebug.h: TRACE/WARN/ERR/FIXME for our DLLs and programs.
 *
 * Channels follow WINEDEBUG's syntax (e.g. WINEDEBUG=+qmgr, warn+qmgr, -all). Under Wine
 * the decision and the output go through ntdll's debug exports, found at run time; on
 * Windows (no such exports) messages go to OutputDebugStringA when WINEDEBUG enables them.
 * Without WINEDEBUG in the environment nothing is logged at all. Never writes to stdout.
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

#ifndef __BITS_DEBUG_H
#define __BITS_DEBUG_H

#include <windows.h>

enum bits_debug_class
{
    BITS_DBCL_FIXME,
    BITS_DBCL_ERR,
    BITS_DBCL_WARN,
    BITS_DBCL_TRACE,
};

/* Same layout as the channel ntdll expects: flags, then the name. */
struct bits_debug_channel
{
    unsigned char flags;
    char name[15];
};

int bits_dbg_enabled(enum bits_debug_class cls, struct bits_debug_channel *channel);
void bits_dbg_log(enum bits_debug_class cls, struct bits_debug_channel *channel, const char *function,
                  const char *format, ...) __attribute__((format(printf, 4, 5)));
const char *bits_dbgstr_w(const WCHAR *str);
const char *bits_dbgstr_wn(const WCHAR *str, int len);
const char *bits_dbgstr_guid(const GUID *guid);
const char *bits_dbg_sprintf(const char *format, ...) __attribute__((format(printf, 1, 2)));

#define BITS_DEFAULT_DEBUG_CHANNEL(ch) \
    static struct bits_debug_channel bits_dbch_default __attribute__((unused)) = { 0xff, #ch }

#define BITS_DPRINTF(cls, ...) \
    do { if (bits_dbg_enabled(cls, &bits_dbch_default)) \
             bits_dbg_log(cls, &bits_dbch_default, __func__, __VA_ARGS__); } while (0)

#define TRACE(...) BITS_DPRINTF(BITS_DBCL_TRACE, __VA_ARGS__)
#define WARN(...)  BITS_DPRINTF(BITS_DBCL_WARN, __VA_ARGS__)
#define ERR(...)   BITS_DPRINTF(BITS_DBCL_ERR, __VA_ARGS__)
#define FIXME(...) BITS_DPRINTF(BITS_DBCL_FIXME, __VA_ARGS__)
#define TRACE_ON() bits_dbg_enabled(BITS_DBCL_TRACE, &bits_dbch_default)

#define debugstr_w(s)     bits_dbgstr_w(s)
#define debugstr_wn(s, n) bits_dbgstr_wn(s, n)
#define debugstr_guid(g)  bits_dbgstr_guid(g)
#define wine_dbg_sprintf  bits_dbg_sprintf

#endif /* __BITS_DEBUG_H */

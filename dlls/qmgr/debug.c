/*
 * debug.c: the logging back end of bitsdebug.h.
 * Owns: the lookup of ntdll's Wine debug exports and the ring of debug strings.
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

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

#include "bitsdebug.h"

typedef unsigned char (__cdecl *get_channel_flags_fn)(struct bits_debug_channel *);
typedef int (__cdecl *dbg_header_fn)(enum bits_debug_class, struct bits_debug_channel *, const char *);
typedef int (__cdecl *dbg_output_fn)(const char *);

static struct
{
    LONG state;                      /* 0 unresolved, 1 resolving, 2 done */
    BOOL active;                     /* WINEDEBUG is set */
    get_channel_flags_fn get_flags;
    dbg_header_fn header;
    dbg_output_fn output;
} debug;

static void debug_resolve(void)
{
    HMODULE ntdll;

    if (debug.state == 2) return;
    if (InterlockedCompareExchange(&debug.state, 1, 0) != 0)
    {
        while (debug.state != 2) Sleep(0);
        return;
    }
    debug.active = GetEnvironmentVariableA("WINEDEBUG", NULL, 0) != 0;
    if ((ntdll = GetModuleHandleA("ntdll.dll")))
    {
        debug.get_flags = (get_channel_flags_fn)(void *)GetProcAddress(ntdll, "__wine_dbg_get_channel_flags");
        debug.header = (dbg_header_fn)(void *)GetProcAddress(ntdll, "__wine_dbg_header");
        debug.output = (dbg_output_fn)(void *)GetProcAddress(ntdll, "__wine_dbg_output");
        if (!debug.get_flags || !debug.header || !debug.output)
            debug.get_flags = NULL;
    }
    InterlockedExchange(&debug.state, 2);
}

/* Windows fallback: parse WINEDEBUG ourselves, "[class]+|-channel" items separated by commas. */
static unsigned char parse_winedebug(const char *channel)
{
    static const char *const classes[] = { "fixme", "err", "warn", "trace" };
    unsigned char flags = 0;
    char buf[512], *item, *next;
    DWORD len = GetEnvironmentVariableA("WINEDEBUG", buf, sizeof(buf));

    if (!len || len >= sizeof(buf)) return 0;
    for (item = buf; item; item = next)
    {
        char *op, *name;
        unsigned char mask = 0;
        unsigned int i;

        if ((next = strchr(item, ','))) *next++ = 0;
        if (!(op = strpbrk(item, "+-"))) continue;
        name = op + 1;
        if (op == item) mask = 0x0f;
        else for (i = 0; i < 4; i++)
            if ((size_t)(op - item) == strlen(classes[i]) && !strncmp(item, classes[i], op - item)) mask |= 1 << i;
        if (strcmp(name, "all") && strcmp(name, channel)) continue;
        if (*op == '+') flags |= mask; else flags &= ~mask;
    }
    return flags;
}

int bits_dbg_enabled(enum bits_debug_class cls, struct bits_debug_channel *channel)
{
    debug_resolve();
    if (!debug.active) return 0;
    if (debug.get_flags) return (debug.get_flags(channel) >> cls) & 1;
    if (channel->flags & 0x80) channel->flags = parse_winedebug(channel->name);
    return (channel->flags >> cls) & 1;
}

void bits_dbg_log(enum bits_debug_class cls, struct bits_debug_channel *channel, const char *function,
                  const char *format, ...)
{
    static const char *const names[] = { "fixme", "err", "warn", "trace" };
    char buffer[1024];
    va_list args;
    int len;

    va_start(args, format);
    len = vsnprintf(buffer, sizeof(buffer), format, args);
    va_end(args);
    if (len < 0 || len >= (int)sizeof(buffer)) strcpy(buffer + sizeof(buffer) - 5, "...\n");

    if (debug.get_flags)
    {
        if (debug.header(cls, channel, function) != -1) debug.output(buffer);
    }
    else
    {
        char line[1100];
        snprintf(line, sizeof(line), "%04lx:%s:%s:%s %s", GetCurrentThreadId(), names[cls], channel->name,
                 function, buffer);
        OutputDebugStringA(line);
    }
}

#define DEBUG_RING 32
#define DEBUG_STRLEN 512

static char *debug_ring_next(void)
{
    static char ring[DEBUG_RING][DEBUG_STRLEN];
    static LONG index;
    return ring[(ULONG)InterlockedIncrement(&index) % DEBUG_RING];
}

const char *bits_dbgstr_wn(const WCHAR *str, int len)
{
    char *buf, *p;
    int i;

    if (!str) return "(null)";
    if ((ULONG_PTR)str < 0x10000) return "(invalid)";
    if (len < 0) len = lstrlenW(str);
    buf = debug_ring_next();
    p = buf;
    *p++ = 'L';
    *p++ = '"';
    for (i = 0; i < len && p < buf + DEBUG_STRLEN - 8; i++)
    {
        WCHAR c = str[i];
        if (c == '"' || c == '\\') { *p++ = '\\'; *p++ = (char)c; }
        else if (c >= 0x20 && c < 0x7f) *p++ = (char)c;
        else p += sprintf(p, "\\x%04x", c);
    }
    if (i < len) { *p++ = '.'; *p++ = '.'; *p++ = '.'; }
    *p++ = '"';
    *p = 0;
    return buf;
}

const char *bits_dbgstr_w(const WCHAR *str)
{
    return bits_dbgstr_wn(str, -1);
}

const char *bits_dbgstr_guid(const GUID *id)
{
    char *buf;

    if (!id) return "(null)";
    buf = debug_ring_next();
    snprintf(buf, DEBUG_STRLEN, "{%08lx-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x}",
             id->Data1, id->Data2, id->Data3, id->Data4[0], id->Data4[1], id->Data4[2],
             id->Data4[3], id->Data4[4], id->Data4[5], id->Data4[6], id->Data4[7]);
    return buf;
}

const char *bits_dbg_sprintf(const char *format, ...)
{
    char *buf = debug_ring_next();
    va_list args;

    va_start(args, format);
    vsnprintf(buf, DEBUG_STRLEN, format, args);
    va_end(args);
    return buf;
}

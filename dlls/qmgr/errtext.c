/*
 * errtext.c: message texts for HRESULTs and for BG_ERROR_CONTEXT values.
 * Owns the choice of language and the lookup of texts: ours, for BITS (0x0020xxxx / 0x8020xxxx)
 * and HTTP (0x80190000 + status) codes, come from the message tables of errtext.mc, a resource
 * of the module this file is linked into (qmgr.dll, the unit tests); every other code from the
 * system message tables, and from ours where the system has no text. Used by
 * IBackgroundCopyManager::GetErrorDescription and by IBackgroundCopyError's
 * GetErrorDescription / GetErrorContextDescription.
 *
 * Exported to the rest of qmgr (prototypes in qmgr_private.h):
 *
 *   HRESULT errtext_describe(HRESULT hr, DWORD langid, WCHAR **text);
 *   HRESULT errtext_context(BG_ERROR_CONTEXT context, DWORD langid, WCHAR **text);
 *
 * Both hand out a CoTaskMemAlloc'd string ending in "\r\n", like FormatMessage output; on
 * failure *text is NULL (unless text itself is NULL, which gives E_INVALIDARG).
 *
 * Language rules: every LANGID gives text, as Windows falls back through its installed languages
 * rather than fail. A text is looked up in the language asked for, then in its primary language
 * (SUBLANG_NEUTRAL, then SUBLANG_DEFAULT: de-AT finds de-DE), then in English, which has every text.
 *  - LANG_NEUTRAL (0) and LANG_USER_DEFAULT (0x400) mean the user's UI language, LANG_SYSTEM_DEFAULT
 *    (0x800) the system's. A LANGID that names no language (0xffff, another LANG_NEUTRAL
 *    sublanguage such as 0x0c00, a primary language nobody defines) gets English.
 *  - A value above 0xffff is no LANGID at all and fails with
 *    HRESULT_FROM_WIN32(ERROR_RESOURCE_LANG_NOT_FOUND), the one failure the method documents.
 *  - System codes go to FormatMessageW in the same order (with a neutral LANGID first as it is,
 *    so the system applies its own choice); where the system has no text in any of them (Wine:
 *    every WinHTTP error, E_PENDING and other COM codes) our table has one.
 *  - An HTTP status or a code nobody has text for gives a generic text from a template in the
 *    same language, and S_OK, since the method is meant to describe any HRESULT.
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

#include <string.h>
#include <windows.h>
#include <objbase.h>
#include <bits.h>
#include "bitserr.h"

HRESULT errtext_describe(HRESULT hr, DWORD langid, WCHAR **text);
HRESULT errtext_context(BG_ERROR_CONTEXT context, DWORD langid, WCHAR **text);
#ifdef ERRTEXT_SELFTEST
BOOL errtext_selftest(void);
#endif

/* Newer than mingw-w64's bitsmsg.h; normally bitserr.h defines it (0x80200076). */
#ifndef BG_E_ERROR_CONTEXT_SERVER_CERTIFICATE_CALLBACK
#define BG_E_ERROR_CONTEXT_SERVER_CERTIFICATE_CALLBACK _HRESULT_TYPEDEF_(0x80200076)
#endif

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(x) (sizeof(x) / sizeof((x)[0]))
#endif

#define HTTP_STATUS_BASE  0x80190000u
#define HTTP_STATUS_MIN   100
#define HTTP_STATUS_MAX   599

/* The templates of errtext.mc: facility 0xfff, which no code we describe has. */
#define TEMPLATE_FACILITY      0x0fffu
#define TEMPLATE_HTTP_GENERIC  0x0fff0001u   /* "HTTP %1: ..." */
#define TEMPLATE_UNKNOWN       0x0fff0002u   /* "Unknown error 0x%1." */

/* errtext.mc's message tables are resource 1 of type RT_MESSAGETABLE, one per language. */
#define MESSAGES_NAME MAKEINTRESOURCEW(1)

/* The module errtext.c is linked into; its resources hold errtext.mc. */
extern IMAGE_DOS_HEADER __ImageBase;

/* The code whose text describes each BG_ERROR_CONTEXT value, indexed by the value. */
static const HRESULT context_codes[] =
{
    BG_S_ERROR_CONTEXT_NONE,                         /* BG_ERROR_CONTEXT_NONE */
    BG_E_ERROR_CONTEXT_UNKNOWN,                      /* BG_ERROR_CONTEXT_UNKNOWN */
    BG_E_ERROR_CONTEXT_GENERAL_QUEUE_MANAGER,        /* BG_ERROR_CONTEXT_GENERAL_QUEUE_MANAGER */
    BG_E_ERROR_CONTEXT_QUEUE_MANAGER_NOTIFICATION,   /* BG_ERROR_CONTEXT_QUEUE_MANAGER_NOTIFICATION */
    BG_E_ERROR_CONTEXT_LOCAL_FILE,                   /* BG_ERROR_CONTEXT_LOCAL_FILE */
    BG_E_ERROR_CONTEXT_REMOTE_FILE,                  /* BG_ERROR_CONTEXT_REMOTE_FILE */
    BG_E_ERROR_CONTEXT_GENERAL_TRANSPORT,            /* BG_ERROR_CONTEXT_GENERAL_TRANSPORT */
    BG_E_ERROR_CONTEXT_REMOTE_APPLICATION,           /* BG_ERROR_CONTEXT_REMOTE_APPLICATION */
    BG_E_ERROR_CONTEXT_SERVER_CERTIFICATE_CALLBACK,  /* BG_ERROR_CONTEXT_SERVER_CERTIFICATE_CALLBACK (10.3) */
};

/* The languages to try, best first, without repeats. */
struct lang_order
{
    LANGID langs[4];
    unsigned int count;
};

static void lang_order_add(struct lang_order *order, LANGID lang)
{
    unsigned int i;

    for (i = 0; i < order->count; i++) if (order->langs[i] == lang) return;
    if (order->count < ARRAY_SIZE(order->langs)) order->langs[order->count++] = lang;
}

/* FALSE for a value that is no LANGID. */
static BOOL lang_order_init(DWORD langid, struct lang_order *order)
{
    LANGID lang = LANGIDFROMLCID(langid);

    order->count = 0;
    if (langid > 0xffff) return FALSE;
    if (PRIMARYLANGID(lang) == LANG_NEUTRAL)
    {
        switch (SUBLANGID(lang))
        {
        case SUBLANG_NEUTRAL:
        case SUBLANG_DEFAULT:
            lang = GetUserDefaultUILanguage();
            break;
        case SUBLANG_SYS_DEFAULT:
            lang = GetSystemDefaultUILanguage();
            break;
        default:  /* locale aliases such as LOCALE_CUSTOM_DEFAULT name no language of their own */
            lang = MAKELANGID(LANG_ENGLISH, SUBLANG_ENGLISH_US);
            break;
        }
    }
    lang_order_add(order, lang);
    lang_order_add(order, MAKELANGID(PRIMARYLANGID(lang), SUBLANG_NEUTRAL));
    lang_order_add(order, MAKELANGID(PRIMARYLANGID(lang), SUBLANG_DEFAULT));
    lang_order_add(order, MAKELANGID(LANG_ENGLISH, SUBLANG_ENGLISH_US));
    return TRUE;
}

/* The languages errtext.mc was compiled with, as found in the module's resources. */
struct lang_set
{
    LANGID langs[32];
    unsigned int count;
};

static BOOL CALLBACK collect_lang(HMODULE module, const WCHAR *type, const WCHAR *name, WORD lang, LONG_PTR param)
{
    struct lang_set *set = (struct lang_set *)param;

    if (set->count < ARRAY_SIZE(set->langs)) set->langs[set->count++] = lang;
    return TRUE;
}

/*
 * The text of a message id in the message table of exactly one language; NULL if that table does
 * not exist or lacks the id (FindResourceEx alone may hand back another language's table).
 */
static const WCHAR *table_message(const struct lang_set *set, LANGID lang, ULONG id, size_t *len)
{
    HMODULE module = (HMODULE)&__ImageBase;
    const MESSAGE_RESOURCE_DATA *data;
    const MESSAGE_RESOURCE_ENTRY *entry;
    const WCHAR *body;
    unsigned int i;
    HRSRC res;
    DWORD block;
    ULONG n;

    for (i = 0; i < set->count; i++) if (set->langs[i] == lang) break;
    if (i == set->count) return NULL;
    if (!(res = FindResourceExW(module, (const WCHAR *)RT_MESSAGETABLE, MESSAGES_NAME, lang))) return NULL;
    if (!(data = LockResource(LoadResource(module, res)))) return NULL;

    for (block = 0; block < data->NumberOfBlocks; block++)
    {
        if (id < data->Blocks[block].LowId || id > data->Blocks[block].HighId) continue;
        entry = (const MESSAGE_RESOURCE_ENTRY *)((const BYTE *)data + data->Blocks[block].OffsetToEntries);
        for (n = data->Blocks[block].LowId; n < id; n++)
            entry = (const MESSAGE_RESOURCE_ENTRY *)((const BYTE *)entry + entry->Length);
        if (!(entry->Flags & MESSAGE_RESOURCE_UNICODE)) return NULL;  /* windmc -U writes UTF-16 */
        body = (const WCHAR *)entry->Text;
        *len = wcsnlen(body, (entry->Length - FIELD_OFFSET(MESSAGE_RESOURCE_ENTRY, Text)) / sizeof(WCHAR));
        /* windmc ends each text with a line break; make_text() puts back "\r\n". */
        while (*len && (body[*len - 1] == '\r' || body[*len - 1] == '\n' || body[*len - 1] == ' '))
            (*len)--;
        return *len ? body : NULL;
    }
    return NULL;
}

/* Our text for id in the best language of order that has one; NULL if no language has it. */
static const WCHAR *find_message(const struct lang_order *order, ULONG id, size_t *len)
{
    struct lang_set set = { .count = 0 };
    const WCHAR *body;
    unsigned int i;

    EnumResourceLanguagesW((HMODULE)&__ImageBase, (const WCHAR *)RT_MESSAGETABLE, MESSAGES_NAME,
                           collect_lang, (LONG_PTR)&set);
    for (i = 0; i < order->count; i++)
        if ((body = table_message(&set, order->langs[i], id, len))) return body;
    return NULL;
}

/* Hands out a CoTaskMemAlloc'd copy of the first len characters of body, followed by "\r\n". */
static HRESULT make_text(const WCHAR *body, size_t len, WCHAR **text)
{
    WCHAR *ret;

    if (!(ret = CoTaskMemAlloc((len + 3) * sizeof(WCHAR)))) return E_OUTOFMEMORY;
    memcpy(ret, body, len * sizeof(WCHAR));
    ret[len] = '\r';
    ret[len + 1] = '\n';
    ret[len + 2] = 0;
    *text = ret;
    return S_OK;
}

/* Appends src at *pos; the callers' buffers are sized for their longest result. */
static void append_str(WCHAR *buf, size_t *pos, const WCHAR *src)
{
    while (*src) buf[(*pos)++] = *src++;
    buf[*pos] = 0;
}

static void append_dec(WCHAR *buf, size_t *pos, unsigned int value)
{
    WCHAR digits[10];
    int count = 0;

    do digits[count++] = '0' + value % 10; while ((value /= 10));
    while (count) buf[(*pos)++] = digits[--count];
    buf[*pos] = 0;
}

static void append_hex8(WCHAR *buf, size_t *pos, ULONG value)
{
    int shift;

    for (shift = 28; shift >= 0; shift -= 4)
        buf[(*pos)++] = L"0123456789abcdef"[(value >> shift) & 0xf];
    buf[*pos] = 0;
}

/* A template of errtext.mc with its %1 replaced by arg. */
static HRESULT template_text(const struct lang_order *order, ULONG id, const WCHAR *arg, WCHAR **text)
{
    WCHAR buf[256];
    const WCHAR *body;
    size_t len, pos = 0, i;

    /* Only a build that left errtext.mc's resource out gets here. */
    if (!(body = find_message(order, id, &len))) return HRESULT_FROM_WIN32(ERROR_RESOURCE_DATA_NOT_FOUND);
    for (i = 0; i < len && pos + 16 < ARRAY_SIZE(buf); i++)
    {
        if (body[i] == '%' && i + 1 < len && body[i + 1] == '1')
        {
            append_str(buf, &pos, arg);
            i++;
        }
        else buf[pos++] = body[i];
    }
    return make_text(buf, pos, text);
}

/* Generic text for an HTTP status without a message of its own. */
static HRESULT http_generic_text(const struct lang_order *order, unsigned int status, WCHAR **text)
{
    WCHAR number[12];
    size_t pos = 0;

    append_dec(number, &pos, status);
    return template_text(order, TEMPLATE_HTTP_GENERIC, number, text);
}

/* Last resort for a code nobody has text for. */
static HRESULT unknown_text(const struct lang_order *order, HRESULT hr, WCHAR **text)
{
    WCHAR number[12];
    size_t pos = 0;

    append_hex8(number, &pos, (ULONG)hr);
    return template_text(order, TEMPLATE_UNKNOWN, number, text);
}

/* One FormatMessageW attempt; returns a Win32 error code, ERROR_SUCCESS with *text set. */
static DWORD format_message(DWORD flags, HMODULE module, DWORD id, DWORD langid, WCHAR **text)
{
    WCHAR *buffer = NULL;
    DWORD len;
    HRESULT hr;

    len = FormatMessageW(flags | FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_IGNORE_INSERTS,
                         module, id, langid, (WCHAR *)&buffer, 0, NULL);
    if (!len)
    {
        DWORD err = GetLastError();
        if (buffer) LocalFree(buffer);
        return err ? err : ERROR_MR_MID_NOT_FOUND;
    }
    /* System texts usually end in "\r\n" already; normalise whatever trailing space they have. */
    while (len && (buffer[len - 1] == '\r' || buffer[len - 1] == '\n' ||
                   buffer[len - 1] == ' ' || buffer[len - 1] == '\t'))
        len--;
    hr = make_text(buffer, len, text);
    LocalFree(buffer);
    return SUCCEEDED(hr) ? ERROR_SUCCESS : ERROR_OUTOFMEMORY;
}

/* Text from the system message tables (and winhttp.dll's, for WinHTTP errors), else ours. */
static HRESULT system_text(HRESULT hr, DWORD langid, const struct lang_order *order, WCHAR **text)
{
    DWORD flags = FORMAT_MESSAGE_FROM_SYSTEM, id = hr, err;
    HMODULE module = NULL, loaded = NULL;
    const WCHAR *body;
    unsigned int i;
    size_t len;

    /* HRESULT_FROM_WIN32 codes are looked up by their Win32 error number. */
    if (((ULONG)hr & 0xffff0000) == 0x80070000) id = HRESULT_CODE(hr);

    if (id >= 12000 && id <= 12999)
    {
        if (!(module = GetModuleHandleW(L"winhttp.dll")))
            module = loaded = LoadLibraryExW(L"winhttp.dll", NULL, LOAD_LIBRARY_AS_DATAFILE);
        if (module) flags |= FORMAT_MESSAGE_FROM_HMODULE;  /* the module first, then the system */
    }

    /* A neutral LANGID as it is first: the system's own choice of language for the user. */
    err = ERROR_RESOURCE_LANG_NOT_FOUND;
    if (PRIMARYLANGID(langid) == LANG_NEUTRAL && SUBLANGID(langid) <= SUBLANG_SYS_DEFAULT)
        err = format_message(flags, module, id, langid, text);
    for (i = 0; err != ERROR_SUCCESS && err != ERROR_NOT_ENOUGH_MEMORY && err != ERROR_OUTOFMEMORY
                && i < order->count; i++)
        err = format_message(flags, module, id, order->langs[i], text);

    if (loaded) FreeLibrary(loaded);

    switch (err)
    {
    case ERROR_SUCCESS:
        return S_OK;
    case ERROR_NOT_ENOUGH_MEMORY:
    case ERROR_OUTOFMEMORY:
        return E_OUTOFMEMORY;
    }

    /* The system has no text: ours, if we have one (a template id is no code of ours). */
    if (((ULONG)hr >> 16) != TEMPLATE_FACILITY)
    {
        /* A bare Win32 error number is looked up as its HRESULT_FROM_WIN32 form. */
        ULONG code = (hr > 0 && hr <= 0xffff) ? 0x80070000u | (ULONG)hr : (ULONG)hr;
        if ((body = find_message(order, code, &len))) return make_text(body, len, text);
    }
    return unknown_text(order, hr, text);
}

HRESULT errtext_describe(HRESULT hr, DWORD langid, WCHAR **text)
{
    struct lang_order order;
    ULONG value = (ULONG)hr;
    const WCHAR *body;
    size_t len;

    if (!text) return E_INVALIDARG;
    *text = NULL;

    if (!lang_order_init(langid, &order)) return HRESULT_FROM_WIN32(ERROR_RESOURCE_LANG_NOT_FOUND);

    /* BITS facility codes and HTTP statuses are ours, whether or not the table has them. */
    if ((value & 0xffff0000) != 0x00200000 && (value & 0xffff0000) != 0x80200000 &&
        (value < HTTP_STATUS_BASE + HTTP_STATUS_MIN || value > HTTP_STATUS_BASE + HTTP_STATUS_MAX))
        return system_text(hr, langid, &order, text);

    if ((body = find_message(&order, value, &len))) return make_text(body, len, text);
    if ((value & 0xffff0000) == HTTP_STATUS_BASE) return http_generic_text(&order, value - HTTP_STATUS_BASE, text);
    return unknown_text(&order, hr, text);
}

HRESULT errtext_context(BG_ERROR_CONTEXT context, DWORD langid, WCHAR **text)
{
    if (!text) return E_INVALIDARG;
    *text = NULL;

    if ((unsigned int)context >= ARRAY_SIZE(context_codes)) return E_INVALIDARG;
    return errtext_describe(context_codes[context], langid, text);
}

#ifdef ERRTEXT_SELFTEST
/* Debug builds only: English has a text for every context and both templates. */
BOOL errtext_selftest(void)
{
    struct lang_order order;
    size_t len, i;

    lang_order_init(MAKELANGID(LANG_ENGLISH, SUBLANG_ENGLISH_US), &order);
    order.count = 1;
    for (i = 0; i < ARRAY_SIZE(context_codes); i++)
        if (!find_message(&order, context_codes[i], &len)) return FALSE;
    return find_message(&order, TEMPLATE_HTTP_GENERIC, &len) && find_message(&order, TEMPLATE_UNKNOWN, &len);
}
#endif

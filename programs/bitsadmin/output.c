/*
 * output.c: everything bitsadmin prints goes through here.
 * Owns: the output handle, the line-wrapping state (/wrap, /nowrap) and the names and formats
 * of BITS values (states, types, times, owners). Lines end in CRLF, as on Windows. A console
 * gets UTF-16 through WriteConsoleW; a file or pipe gets the console output code page. Long
 * strings are written directly, never through msvcrt's printf (which drops very long %ls).
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

#include <stdio.h>
#include <stdarg.h>
#include "bitsadmin.h"
#include <sddl.h>

static HANDLE out_handle;
static BOOL out_console;
static int wrap_width;      /* 0: no wrapping */
static int out_column;
static WCHAR out_last;

void output_init(int wrap)
{
    CONSOLE_SCREEN_BUFFER_INFO info;
    DWORD mode;

    out_handle = GetStdHandle(STD_OUTPUT_HANDLE);
    out_console = GetConsoleMode(out_handle, &mode);
    if (wrap == 0) return;
    if (out_console && GetConsoleScreenBufferInfo(out_handle, &info) && info.dwSize.X > 1)
        wrap_width = info.dwSize.X - 1;
    else if (wrap == 1)
        wrap_width = 80;        /* /wrap on a file: a classic console's width */
    /* default: wrap on a console only; files and pipes get whole lines */
}

static void write_raw(const WCHAR *str, int len)
{
    DWORD written;
    char *bytes;
    int size;
    UINT cp;

    if (len <= 0 || !out_handle || out_handle == INVALID_HANDLE_VALUE) return;
    if (out_console)
    {
        while (len > 0)
        {
            int chunk = len > 8192 ? 8192 : len;
            if (!WriteConsoleW(out_handle, str, chunk, &written, NULL)) return;
            str += chunk;
            len -= chunk;
        }
        return;
    }
    cp = GetConsoleOutputCP();
    if (!cp) cp = GetOEMCP();
    size = WideCharToMultiByte(cp, 0, str, len, NULL, 0, NULL, NULL);
    if (size <= 0 || !(bytes = HeapAlloc(GetProcessHeap(), 0, size))) return;
    WideCharToMultiByte(cp, 0, str, len, bytes, size, NULL, NULL);
    WriteFile(out_handle, bytes, size, &written, NULL);
    HeapFree(GetProcessHeap(), 0, bytes);
}

/* Writes a string, turning a bare LF into CRLF and wrapping at wrap_width. */
void out_str(const WCHAR *str)
{
    static const WCHAR crlf[] = {'\r', '\n'};
    const WCHAR *start = str, *p;

    if (!str) return;
    for (p = str; *p; p++)
    {
        if (*p == '\n')
        {
            if (out_last != '\r')
            {
                write_raw(start, p - start);
                write_raw(crlf, 2);
                start = p + 1;
            }
            out_column = 0;
        }
        else if (*p == '\r')
            out_column = 0;
        else
        {
            if (wrap_width && out_column >= wrap_width)
            {
                write_raw(start, p - start);
                write_raw(crlf, 2);
                start = p;
                out_column = 0;
            }
            out_column++;
        }
        out_last = *p;
    }
    write_raw(start, p - start);
}

static void out_vfmt(const WCHAR *format, va_list args)
{
    WCHAR small[512], *buf = small;
    va_list copy;
    int len;

    va_copy(copy, args);
    len = _vscwprintf(format, copy);
    va_end(copy);
    if (len < 0) return;
    if (len >= (int)ARRAY_SIZE(small) && !(buf = HeapAlloc(GetProcessHeap(), 0, (len + 1) * sizeof(WCHAR)))) return;
    _vsnwprintf(buf, len + 1, format, args);
    buf[len] = 0;
    out_str(buf);
    if (buf != small) HeapFree(GetProcessHeap(), 0, buf);
}

void out_fmt(const WCHAR *format, ...)
{
    va_list args;

    va_start(args, format);
    out_vfmt(format, args);
    va_end(args);
}

void out_nl(void)
{
    out_str(L"\n");
}

/* A command's result: bare, with a newline unless /rawreturn. */
void out_value(struct bitsadmin *ctx, const WCHAR *value)
{
    out_str(value);
    if (!ctx->raw) out_nl();
}

void out_value_fmt(struct bitsadmin *ctx, const WCHAR *format, ...)
{
    va_list args;

    va_start(args, format);
    out_vfmt(format, args);
    va_end(args);
    if (!ctx->raw) out_nl();
}

/* A confirmation ("Job suspended."): only without /rawreturn. */
void out_msg(struct bitsadmin *ctx, const WCHAR *format, ...)
{
    va_list args;

    if (ctx->raw) return;
    va_start(args, format);
    out_vfmt(format, args);
    va_end(args);
}

void out_banner(void)
{
    out_str(L"BITSADMIN version 3.0 (wine-bits)\n");
    out_str(L"BITS administration utility.\n");
    out_nl();
}

void format_guid(const GUID *guid, WCHAR *buf)
{
    if (!StringFromGUID2(guid, buf, 39)) buf[0] = 0;
}

/* Local time, Windows' US style: M/D/YYYY h:mm:ss AM/PM. A zero time is UNKNOWN. */
void format_filetime(const FILETIME *ft, WCHAR *buf, int len)
{
    FILETIME local;
    SYSTEMTIME st;
    int hour;

    if ((!ft->dwLowDateTime && !ft->dwHighDateTime) || !FileTimeToLocalFileTime(ft, &local)
        || !FileTimeToSystemTime(&local, &st))
    {
        lstrcpynW(buf, L"UNKNOWN", len);
        return;
    }
    hour = st.wHour % 12;
    if (!hour) hour = 12;
    _snwprintf(buf, len, L"%u/%u/%u %d:%02u:%02u %ls", st.wMonth, st.wDay, st.wYear, hour, st.wMinute,
               st.wSecond, st.wHour < 12 ? L"AM" : L"PM");
    buf[len - 1] = 0;
}

void format_size(UINT64 size, WCHAR *buf, int len)
{
    if (size == BG_SIZE_UNKNOWN) lstrcpynW(buf, L"UNKNOWN", len);
    else
    {
        _snwprintf(buf, len, L"%I64u", size);
        buf[len - 1] = 0;
    }
}

/* DOMAIN\user for a string SID; the SID itself when it cannot be resolved. */
void format_owner(const WCHAR *sid_string, WCHAR *buf, int len)
{
    WCHAR name[256], domain[256];
    DWORD name_len = ARRAY_SIZE(name), domain_len = ARRAY_SIZE(domain);
    SID_NAME_USE use;
    PSID sid;

    lstrcpynW(buf, sid_string ? sid_string : L"UNKNOWN", len);
    if (!sid_string || !ConvertStringSidToSidW(sid_string, &sid)) return;
    if (LookupAccountSidW(NULL, sid, name, &name_len, domain, &domain_len, &use))
    {
        if (domain[0]) _snwprintf(buf, len, L"%ls\\%ls", domain, name);
        else _snwprintf(buf, len, L"%ls", name);
        buf[len - 1] = 0;
    }
    LocalFree(sid);
}

const WCHAR *state_name(BG_JOB_STATE state)
{
    static const WCHAR *names[] =
    {
        L"QUEUED", L"CONNECTING", L"TRANSFERRING", L"SUSPENDED", L"ERROR", L"TRANSIENT_ERROR",
        L"TRANSFERRED", L"ACKNOWLEDGED", L"CANCELLED",
    };
    return (unsigned int)state < ARRAY_SIZE(names) ? names[state] : L"UNKNOWN";
}

const WCHAR *type_name(BG_JOB_TYPE type)
{
    static const WCHAR *names[] = { L"DOWNLOAD", L"UPLOAD", L"UPLOAD-REPLY" };
    return (unsigned int)type < ARRAY_SIZE(names) ? names[type] : L"UNKNOWN";
}

const WCHAR *priority_name(BG_JOB_PRIORITY priority)
{
    static const WCHAR *names[] = { L"FOREGROUND", L"HIGH", L"NORMAL", L"LOW" };
    return (unsigned int)priority < ARRAY_SIZE(names) ? names[priority] : L"UNKNOWN";
}

const WCHAR *proxy_usage_name(BG_JOB_PROXY_USAGE usage)
{
    static const WCHAR *names[] = { L"PRECONFIG", L"NO_PROXY", L"OVERRIDE", L"AUTODETECT" };
    return (unsigned int)usage < ARRAY_SIZE(names) ? names[usage] : L"UNKNOWN";
}

const WCHAR *cert_location_name(BG_CERT_STORE_LOCATION location)
{
    static const WCHAR *names[] =
    {
        L"CURRENT_USER", L"LOCAL_MACHINE", L"CURRENT_SERVICE", L"SERVICES", L"USERS",
        L"CURRENT_USER_GROUP_POLICY", L"LOCAL_MACHINE_GROUP_POLICY", L"LOCAL_MACHINE_ENTERPRISE",
    };
    return (unsigned int)location < ARRAY_SIZE(names) ? names[location] : L"UNKNOWN";
}

const WCHAR *str_or_null(const WCHAR *str)
{
    return str ? str : L"NULL";
}

/* The end of a file's line: "remote -> local" and the line end. */
void out_file_names(IBackgroundCopyFile *file)
{
    WCHAR *remote = NULL, *local = NULL;

    IBackgroundCopyFile_GetRemoteName(file, &remote);
    IBackgroundCopyFile_GetLocalName(file, &local);
    out_str(remote);
    out_str(L" -> ");
    out_str(local);
    out_nl();
    CoTaskMemFree(remote);
    CoTaskMemFree(local);
}

/* One line of the error block: the value and its text, without the line end the text brings. */
static void out_error_description(const WCHAR *label, ULONG value, WCHAR *text)
{
    int len = text ? lstrlenW(text) : 0;

    while (len && (text[len - 1] == '\r' || text[len - 1] == '\n' || text[len - 1] == ' ')) text[--len] = 0;
    out_fmt(L"%ls0x%08lx - ", label, value);
    out_str(text);
    out_nl();
}

/* The error block that /info /verbose and /geterror print alike: the file (when the error has
 * one), the code and the context, each with its description. */
void out_job_error(IBackgroundCopyError *error)
{
    BG_ERROR_CONTEXT context;
    IBackgroundCopyFile *file;
    WCHAR *text = NULL;
    HRESULT code;

    if (SUCCEEDED(IBackgroundCopyError_GetFile(error, &file)) && file)
    {
        out_str(L"ERROR FILE:    ");
        out_file_names(file);
        IBackgroundCopyFile_Release(file);
    }
    if (FAILED(IBackgroundCopyError_GetError(error, &context, &code))) return;
    IBackgroundCopyError_GetErrorDescription(error, GetUserDefaultUILanguage(), &text);
    out_error_description(L"ERROR CODE:    ", code, text);
    CoTaskMemFree(text);
    text = NULL;
    IBackgroundCopyError_GetErrorContextDescription(error, GetUserDefaultUILanguage(), &text);
    out_error_description(L"ERROR CONTEXT: ", context, text);
    CoTaskMemFree(text);
}

/*
 * wine/test.h: our own implementation of Wine's "winetest" API for the test programs.
 *
 * Written from the API description only (clean room). Each test program is a single .c file
 * that includes this header and defines START_TEST(name) { ... }; the header carries the whole
 * runtime as static functions and START_TEST provides main(), which runs the test and prints
 *
 *     <name>: <N> tests executed (<T> marked as todo, <F> failures), <S> skipped.
 *
 * then exits with the number of failures (at most 255). Events are printed to stdout, one line
 * each and flushed at once:
 *
 *     file.c:123: Test failed: [ctx: ...]message
 *     file.c:123: Test marked todo: [ctx: ...]message
 *     file.c:123: Test succeeded inside todo block: [ctx: ...]message
 *     file.c:123: Tests skipped: [ctx: ...]message
 *     file.c:123: [ctx: ...]trace message
 *     file.c:123: Test succeeded                   (only with WINETEST_REPORT_SUCCESS=1)
 *
 * Environment: WINETEST_DEBUG (default 1), WINETEST_INTERACTIVE, WINETEST_REPORT_SUCCESS,
 * WINETEST_PLATFORM ("wine" or "windows", overrides the detection) and
 * WINETEST_CHILD_TIMEOUT (seconds winetest_wait_child_process waits, default 120).
 *
 * argv[1] is the test name (as with Wine's test programs) and argv[2..] are arguments for
 * child processes started with winetest_start_child().
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

#ifndef __WINE_WINE_TEST_H
#define __WINE_WINE_TEST_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <io.h>
#include <windef.h>
#include <winbase.h>

#ifdef __GNUC__
# define WINETEST_UNUSED __attribute__((unused))
# ifdef __MINGW_PRINTF_FORMAT
#  define WINETEST_PRINTF_ATTR(fmt, args) __attribute__((format(__MINGW_PRINTF_FORMAT, fmt, args)))
# else
#  define WINETEST_PRINTF_ATTR(fmt, args) __attribute__((format(printf, fmt, args)))
# endif
#else
# define WINETEST_UNUSED
# define WINETEST_PRINTF_ATTR(fmt, args)
#endif

#ifndef ARRAY_SIZE
# define ARRAY_SIZE(x) (sizeof(x) / sizeof((x)[0]))
#endif

/* ---- public state --------------------------------------------------------------------- */

/* WINETEST_DEBUG: 0 hides traces and todo messages, > 1 is for verbose tests. */
static int winetest_debug WINETEST_UNUSED = 1;
/* WINETEST_INTERACTIVE: tests may do things that need a user. */
static int winetest_interactive WINETEST_UNUSED;
/* WINETEST_REPORT_SUCCESS: print a line for passing checks too. */
static int winetest_report_success WINETEST_UNUSED;
/* "wine" or "windows". */
static const char *winetest_platform WINETEST_UNUSED = "windows";
static int winetest_platform_is_wine WINETEST_UNUSED;

/* ---- private state -------------------------------------------------------------------- */

#define WINETEST_MAX_CONTEXT   16
#define WINETEST_CONTEXT_LEN   256
#define WINETEST_STR_BUFFER    32768
#define WINETEST_MAX_DBGSTR    1024

static const char *winetest_testname WINETEST_UNUSED = "";
static int winetest_argc WINETEST_UNUSED;
static char **winetest_argv WINETEST_UNUSED;
static DWORD winetest_child_timeout WINETEST_UNUSED = 120000;

static LONG winetest_successes WINETEST_UNUSED;       /* passing checks */
static LONG winetest_failures WINETEST_UNUSED;        /* failing checks, child failures */
static LONG winetest_todo_successes WINETEST_UNUSED;  /* failing checks inside todo: expected */
static LONG winetest_todo_failures WINETEST_UNUSED;   /* passing checks inside todo */
static LONG winetest_skipped WINETEST_UNUSED;

static LONG winetest_tls_index WINETEST_UNUSED = (LONG)TLS_OUT_OF_INDEXES;

struct winetest_thread_data
{
    const char *file;               /* location set by the last ok_/skip_/trace_ */
    int line;
    unsigned int todo_level;        /* one bit per nested todo block, 1 when it is active */
    int todo_do_loop;               /* the todo for-loop body runs once */
    unsigned int context_count;
    char context[WINETEST_MAX_CONTEXT][WINETEST_CONTEXT_LEN];
    unsigned int str_pos;           /* ring of temporary strings for wine_dbgstr_* */
    char str_buffer[WINETEST_STR_BUFFER];
};

/* Per-thread data lives in a fiber-local slot where there is one, so that it is freed when the
 * thread ends; otherwise in a plain TLS slot (and then never freed). */
#if defined(_WIN32_WINNT) && _WIN32_WINNT >= 0x0600
static WINETEST_UNUSED void NTAPI winetest_free_thread_data(void *data)
{
    if (data) HeapFree(GetProcessHeap(), 0, data);
}
# define WINETEST_SLOT_ALLOC()           FlsAlloc(winetest_free_thread_data)
# define WINETEST_SLOT_FREE(index)       FlsFree(index)
# define WINETEST_SLOT_GET(index)        FlsGetValue(index)
# define WINETEST_SLOT_SET(index, value) FlsSetValue(index, value)
#else
# define WINETEST_SLOT_ALLOC()           TlsAlloc()
# define WINETEST_SLOT_FREE(index)       TlsFree(index)
# define WINETEST_SLOT_GET(index)        TlsGetValue(index)
# define WINETEST_SLOT_SET(index, value) TlsSetValue(index, value)
#endif

/* Never changes the thread's last error: ok_() calls this before its arguments run. */
static WINETEST_UNUSED struct winetest_thread_data *winetest_get_thread_data(void)
{
    struct winetest_thread_data *data;
    DWORD err = GetLastError();
    LONG index = winetest_tls_index;

    if (index == (LONG)TLS_OUT_OF_INDEXES)
    {
        LONG new_index = (LONG)WINETEST_SLOT_ALLOC();

        if (new_index == (LONG)TLS_OUT_OF_INDEXES)
        {
            fputs("winetest: no thread-local slot\n", stderr);
            ExitProcess(255);
        }
        index = InterlockedCompareExchange(&winetest_tls_index, new_index, (LONG)TLS_OUT_OF_INDEXES);
        if (index == (LONG)TLS_OUT_OF_INDEXES)
            index = new_index;
        else
            WINETEST_SLOT_FREE((DWORD)new_index);
    }

    data = WINETEST_SLOT_GET((DWORD)index);
    if (!data)
    {
        data = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, sizeof(*data));
        if (!data)
        {
            fputs("winetest: out of memory\n", stderr);
            ExitProcess(255);
        }
        data->file = "unknown";
        WINETEST_SLOT_SET((DWORD)index, data);
    }
    SetLastError(err);
    return data;
}

/* A growing string for one output line. */
struct winetest_strbuf
{
    char *buf;
    size_t len;
    size_t size;
};

static WINETEST_UNUSED void winetest_strbuf_vappend(struct winetest_strbuf *sb, const char *fmt, va_list args)
{
    for (;;)
    {
        size_t avail = sb->size - sb->len;
        va_list copy;
        int ret;

        if (avail > 1)
        {
            va_copy(copy, args);
            ret = vsnprintf(sb->buf + sb->len, avail, fmt, copy);
            va_end(copy);
            /* msvcrt returns -1 when the text does not fit, C99 the length it needs */
            if (ret >= 0 && (size_t)ret < avail)
            {
                sb->len += ret;
                return;
            }
        }
        if (sb->size >= 1024 * 1024)
        {
            /* give up on growing: keep what fits */
            sb->buf[sb->size - 1] = 0;
            sb->len = strlen(sb->buf);
            return;
        }
        else
        {
            size_t new_size = sb->size ? sb->size * 2 : 512;
            char *new_buf = realloc(sb->buf, new_size);

            if (!new_buf) return;
            sb->buf = new_buf;
            sb->size = new_size;
            sb->buf[sb->len] = 0;
        }
    }
}

static WINETEST_UNUSED WINETEST_PRINTF_ATTR(2, 3)
void winetest_strbuf_append(struct winetest_strbuf *sb, const char *fmt, ...)
{
    va_list args;

    va_start(args, fmt);
    winetest_strbuf_vappend(sb, fmt, args);
    va_end(args);
}

static WINETEST_UNUSED const char *winetest_basename(const char *file)
{
    const char *p;

    if (!file) return "unknown";
    for (p = file; *p; p++)
        if (*p == '/' || *p == '\\') file = p + 1;
    return file;
}

/* Prints "file.c:line: <kind>[contexts]<message>\n" with a single write, then flushes. */
static WINETEST_UNUSED void winetest_print_line(struct winetest_thread_data *data, const char *kind,
                                                int with_context, const char *msg, va_list args)
{
    struct winetest_strbuf sb = { NULL, 0, 0 };
    unsigned int i;

    winetest_strbuf_append(&sb, "%s:%d: %s", winetest_basename(data->file), data->line, kind);
    if (with_context)
    {
        for (i = 0; i < data->context_count && i < WINETEST_MAX_CONTEXT; i++)
            winetest_strbuf_append(&sb, "%s: ", data->context[i]);
    }
    if (msg) winetest_strbuf_vappend(&sb, msg, args);
    if (!sb.buf) return;
    if (!sb.len || sb.buf[sb.len - 1] != '\n') winetest_strbuf_append(&sb, "\n");
    fwrite(sb.buf, 1, sb.len, stdout);
    fflush(stdout);
    free(sb.buf);
}

static WINETEST_UNUSED WINETEST_PRINTF_ATTR(3, 4)
void winetest_print_linef(struct winetest_thread_data *data, const char *kind, const char *msg, ...)
{
    va_list args;

    va_start(args, msg);
    winetest_print_line(data, kind, 1, msg, args);
    va_end(args);
}

/* ---- checks --------------------------------------------------------------------------- */

static WINETEST_UNUSED void winetest_set_location(const char *file, int line)
{
    struct winetest_thread_data *data = winetest_get_thread_data();

    data->file = file;
    data->line = line;
}

static WINETEST_UNUSED void winetest_vok(int condition, const char *msg, va_list args)
{
    struct winetest_thread_data *data = winetest_get_thread_data();
    DWORD err = GetLastError();

    if (data->todo_level)
    {
        if (condition)
        {
            winetest_print_line(data, "Test succeeded inside todo block: ", 1, msg, args);
            InterlockedIncrement(&winetest_todo_failures);
        }
        else
        {
            if (winetest_debug > 0)
                winetest_print_line(data, "Test marked todo: ", 1, msg, args);
            InterlockedIncrement(&winetest_todo_successes);
        }
    }
    else
    {
        if (!condition)
        {
            winetest_print_line(data, "Test failed: ", 1, msg, args);
            InterlockedIncrement(&winetest_failures);
        }
        else
        {
            if (winetest_report_success)
                winetest_print_line(data, "Test succeeded\n", 0, NULL, args);
            InterlockedIncrement(&winetest_successes);
        }
    }
    SetLastError(err);
}

static WINETEST_UNUSED WINETEST_PRINTF_ATTR(2, 3)
void winetest_ok(int condition, const char *msg, ...)
{
    va_list args;

    va_start(args, msg);
    winetest_vok(condition, msg, args);
    va_end(args);
}

static WINETEST_UNUSED void winetest_vskip(const char *msg, va_list args)
{
    struct winetest_thread_data *data = winetest_get_thread_data();
    DWORD err = GetLastError();

    winetest_print_line(data, "Tests skipped: ", 1, msg, args);
    InterlockedIncrement(&winetest_skipped);
    SetLastError(err);
}

static WINETEST_UNUSED WINETEST_PRINTF_ATTR(1, 2)
void winetest_skip(const char *msg, ...)
{
    va_list args;

    va_start(args, msg);
    winetest_vskip(msg, args);
    va_end(args);
}

/* A skip that is expected on old Windows versions; counted as a plain skip everywhere. */
static WINETEST_UNUSED WINETEST_PRINTF_ATTR(1, 2)
void winetest_win_skip(const char *msg, ...)
{
    va_list args;

    va_start(args, msg);
    winetest_vskip(msg, args);
    va_end(args);
}

static WINETEST_UNUSED void winetest_vtrace(const char *msg, va_list args)
{
    struct winetest_thread_data *data = winetest_get_thread_data();
    DWORD err = GetLastError();

    if (winetest_debug > 0) winetest_print_line(data, "", 1, msg, args);
    SetLastError(err);
}

static WINETEST_UNUSED WINETEST_PRINTF_ATTR(1, 2)
void winetest_trace(const char *msg, ...)
{
    va_list args;

    va_start(args, msg);
    winetest_vtrace(msg, args);
    va_end(args);
}

/* On Windows broken(x) is x; on Wine the broken behaviour is never accepted. */
static WINETEST_UNUSED int winetest_broken(int condition)
{
    return !winetest_platform_is_wine && condition;
}

static WINETEST_UNUSED void winetest_start_todo(int is_todo)
{
    struct winetest_thread_data *data = winetest_get_thread_data();

    data->todo_level = (data->todo_level << 1) | (is_todo ? 1 : 0);
    data->todo_do_loop = 1;
}

static WINETEST_UNUSED int winetest_loop_todo(void)
{
    struct winetest_thread_data *data = winetest_get_thread_data();
    int do_loop = data->todo_do_loop;

    data->todo_do_loop = 0;
    return do_loop;
}

static WINETEST_UNUSED void winetest_end_todo(void)
{
    struct winetest_thread_data *data = winetest_get_thread_data();

    data->todo_level >>= 1;
}

static WINETEST_UNUSED WINETEST_PRINTF_ATTR(1, 2)
void winetest_push_context(const char *fmt, ...)
{
    struct winetest_thread_data *data = winetest_get_thread_data();
    DWORD err = GetLastError();
    va_list args;

    if (data->context_count < WINETEST_MAX_CONTEXT)
    {
        char *buf = data->context[data->context_count];

        va_start(args, fmt);
        vsnprintf(buf, WINETEST_CONTEXT_LEN, fmt, args);
        va_end(args);
        buf[WINETEST_CONTEXT_LEN - 1] = 0;
    }
    data->context_count++;
    SetLastError(err);
}

static WINETEST_UNUSED void winetest_pop_context(void)
{
    struct winetest_thread_data *data = winetest_get_thread_data();

    if (data->context_count) data->context_count--;
}

static WINETEST_UNUSED int winetest_get_mainargs(char ***argv)
{
    *argv = winetest_argv;
    return winetest_argc;
}

static WINETEST_UNUSED LONG winetest_get_failures(void)
{
    return winetest_failures + winetest_todo_failures;
}

static WINETEST_UNUSED void winetest_add_failures(LONG count)
{
    while (count-- > 0) InterlockedIncrement(&winetest_failures);
}

/* ---- child processes ------------------------------------------------------------------ */

/* Starts "<this exe> <test name> <args>" with our standard handles, as token's user when
 * token is not NULL. Returns the result of CreateProcess; pi receives the handles. */
static WINETEST_UNUSED BOOL winetest_start_child_as(HANDLE token, const char *args, PROCESS_INFORMATION *pi)
{
    HANDLE std_handles[3];
    STARTUPINFOA si;
    char *exe = NULL, *cmdline;
    DWORD size = MAX_PATH, len, err, i;
    BOOL inherit = TRUE, ret;

    for (;;)
    {
        char *new_exe = realloc(exe, size);

        if (!new_exe)
        {
            free(exe);
            SetLastError(ERROR_OUTOFMEMORY);
            return FALSE;
        }
        exe = new_exe;
        len = GetModuleFileNameA(NULL, exe, size);
        if (!len)
        {
            err = GetLastError();
            free(exe);
            SetLastError(err);
            return FALSE;
        }
        if (len < size) break;
        size *= 2;
    }

    if (!args) args = "";
    cmdline = malloc(strlen(exe) + strlen(winetest_testname) + strlen(args) + 8);
    if (!cmdline)
    {
        free(exe);
        SetLastError(ERROR_OUTOFMEMORY);
        return FALSE;
    }
    sprintf(cmdline, "\"%s\" %s%s%s", exe, winetest_testname, *args ? " " : "", args);
    free(exe);

    /* the child writes to the same stdout/stderr, in order with us */
    std_handles[0] = GetStdHandle(STD_INPUT_HANDLE);
    std_handles[1] = GetStdHandle(STD_OUTPUT_HANDLE);
    std_handles[2] = GetStdHandle(STD_ERROR_HANDLE);
    memset(&si, 0, sizeof(si));
    si.cb = sizeof(si);
    if (!std_handles[1] || std_handles[1] == INVALID_HANDLE_VALUE)
        inherit = FALSE;
    else
    {
        for (i = 0; i < 3; i++)
            if (std_handles[i] && std_handles[i] != INVALID_HANDLE_VALUE)
                SetHandleInformation(std_handles[i], HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT);
        si.dwFlags = STARTF_USESTDHANDLES;
        si.hStdInput = std_handles[0];
        si.hStdOutput = std_handles[1];
        si.hStdError = std_handles[2];
    }
    fflush(stdout);
    fflush(stderr);

    memset(pi, 0, sizeof(*pi));
    if (token)
        ret = CreateProcessAsUserA(token, NULL, cmdline, NULL, NULL, inherit, 0, NULL, NULL, &si, pi);
    else
        ret = CreateProcessA(NULL, cmdline, NULL, NULL, inherit, 0, NULL, NULL, &si, pi);
    err = GetLastError();
    free(cmdline);
    SetLastError(err);
    return ret;
}

static WINETEST_UNUSED BOOL winetest_start_child(const char *args, PROCESS_INFORMATION *pi)
{
    return winetest_start_child_as(NULL, args, pi);
}

/* Waits for a child test process and adds its failures (its exit code) to ours. A child that
 * times out (it is then terminated) or dies of an exception counts as one failure. */
static WINETEST_UNUSED void winetest_wait_child_process_(const char *file, int line, HANDLE process)
{
    struct winetest_thread_data *data = winetest_get_thread_data();
    DWORD ret, exit_code = 0, err = GetLastError();

    data->file = file;
    data->line = line;
    ret = WaitForSingleObject(process, winetest_child_timeout);
    if (ret == WAIT_TIMEOUT)
    {
        winetest_print_linef(data, "Test failed: ", "Timed out waiting for the child process\n");
        InterlockedIncrement(&winetest_failures);
        TerminateProcess(process, 255);
        WaitForSingleObject(process, 5000);
    }
    else if (ret != WAIT_OBJECT_0)
    {
        winetest_print_linef(data, "Test failed: ", "Waiting for the child process failed: %lu\n",
                             (unsigned long)GetLastError());
        InterlockedIncrement(&winetest_failures);
    }
    else if (!GetExitCodeProcess(process, &exit_code))
    {
        winetest_print_linef(data, "Test failed: ", "GetExitCodeProcess failed: %lu\n",
                             (unsigned long)GetLastError());
        InterlockedIncrement(&winetest_failures);
    }
    else if (exit_code > 255)
    {
        winetest_print_linef(data, "Test failed: ", "unhandled exception %08lx in child process\n",
                             (unsigned long)exit_code);
        InterlockedIncrement(&winetest_failures);
    }
    else if (exit_code)
    {
        /* the child printed its own "Test failed" lines: this one is informational */
        winetest_print_linef(data, "", "%lu failures in child process\n", (unsigned long)exit_code);
        winetest_add_failures((LONG)exit_code);
    }
    SetLastError(err);
}

#define winetest_wait_child_process(process) winetest_wait_child_process_(__FILE__, __LINE__, process)
#define wait_child_process winetest_wait_child_process

/* ---- debug strings -------------------------------------------------------------------- */

/* Temporary strings from a per-thread ring: valid for a while, enough for one message. */
static WINETEST_UNUSED char *winetest_get_temp_buffer(size_t size)
{
    struct winetest_thread_data *data = winetest_get_thread_data();
    char *ret;

    if (size > WINETEST_STR_BUFFER) size = WINETEST_STR_BUFFER;
    if (data->str_pos + size > WINETEST_STR_BUFFER) data->str_pos = 0;
    ret = data->str_buffer + data->str_pos;
    data->str_pos += size;
    return ret;
}

#define WINETEST_IS_INTRESOURCE(p) (((ULONG_PTR)(p) >> 16) == 0)

static WINETEST_UNUSED const char *winetest_vdbg_sprintf(const char *fmt, va_list args)
{
    struct winetest_strbuf sb = { NULL, 0, 0 };
    DWORD err = GetLastError();
    char *ret;

    winetest_strbuf_vappend(&sb, fmt, args);
    if (sb.len > WINETEST_MAX_DBGSTR) sb.len = WINETEST_MAX_DBGSTR;
    ret = winetest_get_temp_buffer(sb.len + 1);
    if (sb.buf) memcpy(ret, sb.buf, sb.len);
    ret[sb.len] = 0;
    free(sb.buf);
    SetLastError(err);
    return ret;
}

static WINETEST_UNUSED WINETEST_PRINTF_ATTR(1, 2)
const char *winetest_dbg_sprintf(const char *fmt, ...)
{
    const char *ret;
    va_list args;

    va_start(args, fmt);
    ret = winetest_vdbg_sprintf(fmt, args);
    va_end(args);
    return ret;
}

/* Escapes one character into d (at least 7 bytes), returns the number of bytes written. */
static WINETEST_UNUSED int winetest_escape_char(char *d, unsigned int c, int wide)
{
    switch (c)
    {
    case '\n': d[0] = '\\'; d[1] = 'n'; return 2;
    case '\r': d[0] = '\\'; d[1] = 'r'; return 2;
    case '\t': d[0] = '\\'; d[1] = 't'; return 2;
    case '"':  d[0] = '\\'; d[1] = '"'; return 2;
    case '\\': d[0] = '\\'; d[1] = '\\'; return 2;
    }
    if (c >= ' ' && c < 127)
    {
        d[0] = (char)c;
        return 1;
    }
    return sprintf(d, wide ? "\\x%04x" : "\\x%02x", c);
}

static WINETEST_UNUSED const char *winetest_dbgstr_an(const char *str, int n)
{
    DWORD err = GetLastError();
    char *ret, *d;
    size_t size;

    if (!str) return "(null)";
    if (WINETEST_IS_INTRESOURCE(str))
        return winetest_dbg_sprintf("#%04x", (unsigned int)(ULONG_PTR)str);
    if (n < 0) n = (int)strlen(str);
    size = (size_t)n * 4 > WINETEST_MAX_DBGSTR ? WINETEST_MAX_DBGSTR : (size_t)n * 4;
    d = ret = winetest_get_temp_buffer(size + 16);
    *d++ = '"';
    for (; n > 0 && (size_t)(d - ret) + 4 <= size + 1; n--, str++)
        d += winetest_escape_char(d, (unsigned char)*str, 0);
    *d++ = '"';
    if (n > 0)
    {
        memcpy(d, "...", 3);
        d += 3;
    }
    *d = 0;
    SetLastError(err);
    return ret;
}

static WINETEST_UNUSED const char *winetest_dbgstr_wn(const WCHAR *str, int n)
{
    DWORD err = GetLastError();
    char *ret, *d;
    size_t size;

    if (!str) return "(null)";
    if (WINETEST_IS_INTRESOURCE(str))
        return winetest_dbg_sprintf("#%04x", (unsigned int)(ULONG_PTR)str);
    if (n < 0)
        for (n = 0; str[n]; n++) ;
    size = (size_t)n * 6 > WINETEST_MAX_DBGSTR ? WINETEST_MAX_DBGSTR : (size_t)n * 6;
    d = ret = winetest_get_temp_buffer(size + 16);
    *d++ = 'L';
    *d++ = '"';
    for (; n > 0 && (size_t)(d - ret) + 6 <= size + 2; n--, str++)
        d += winetest_escape_char(d, *str, 1);
    *d++ = '"';
    if (n > 0)
    {
        memcpy(d, "...", 3);
        d += 3;
    }
    *d = 0;
    SetLastError(err);
    return ret;
}

static WINETEST_UNUSED const char *winetest_dbgstr_guid(const GUID *guid)
{
    if (!guid) return "(null)";
    if (WINETEST_IS_INTRESOURCE(guid))
        return winetest_dbg_sprintf("<guid-0x%04x>", (unsigned int)(ULONG_PTR)guid);
    return winetest_dbg_sprintf("{%08lx-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x}",
                            (unsigned long)guid->Data1, guid->Data2, guid->Data3,
                            guid->Data4[0], guid->Data4[1], guid->Data4[2], guid->Data4[3],
                            guid->Data4[4], guid->Data4[5], guid->Data4[6], guid->Data4[7]);
}

static WINETEST_UNUSED const char *winetest_dbgstr_longlong(ULONGLONG ll)
{
    if (ll >> 32)
        return winetest_dbg_sprintf("%lx%08lx", (unsigned long)(ll >> 32), (unsigned long)(ll & 0xffffffff));
    return winetest_dbg_sprintf("%lx", (unsigned long)ll);
}

static WINETEST_UNUSED const char *winetest_dbgstr_point(const POINT *pt)
{
    if (!pt) return "(null)";
    return winetest_dbg_sprintf("(%ld,%ld)", (long)pt->x, (long)pt->y);
}

static WINETEST_UNUSED const char *winetest_dbgstr_rect(const RECT *rect)
{
    if (!rect) return "(null)";
    return winetest_dbg_sprintf("(%ld,%ld)-(%ld,%ld)", (long)rect->left, (long)rect->top,
                            (long)rect->right, (long)rect->bottom);
}

/* Wine's names, as functions: each is left out when already defined as a macro (e.g. by
 * bitsdebug.h), and a header included later may still define its own macro. */
#ifndef wine_dbg_sprintf
static WINETEST_UNUSED WINETEST_PRINTF_ATTR(1, 2)
const char *wine_dbg_sprintf(const char *fmt, ...)
{
    const char *ret;
    va_list args;

    va_start(args, fmt);
    ret = winetest_vdbg_sprintf(fmt, args);
    va_end(args);
    return ret;
}
#endif
#ifndef wine_dbgstr_an
static inline const char *wine_dbgstr_an(const char *s, int n) { return winetest_dbgstr_an(s, n); }
#endif
#ifndef wine_dbgstr_a
static inline const char *wine_dbgstr_a(const char *s) { return winetest_dbgstr_an(s, -1); }
#endif
#ifndef wine_dbgstr_wn
static inline const char *wine_dbgstr_wn(const WCHAR *s, int n) { return winetest_dbgstr_wn(s, n); }
#endif
#ifndef wine_dbgstr_w
static inline const char *wine_dbgstr_w(const WCHAR *s) { return winetest_dbgstr_wn(s, -1); }
#endif
#ifndef wine_dbgstr_guid
static inline const char *wine_dbgstr_guid(const GUID *g) { return winetest_dbgstr_guid(g); }
#endif
#ifndef wine_dbgstr_longlong
static inline const char *wine_dbgstr_longlong(ULONGLONG ll) { return winetest_dbgstr_longlong(ll); }
#endif
#ifndef wine_dbgstr_point
static inline const char *wine_dbgstr_point(const POINT *pt) { return winetest_dbgstr_point(pt); }
#endif
#ifndef wine_dbgstr_rect
static inline const char *wine_dbgstr_rect(const RECT *rc) { return winetest_dbgstr_rect(rc); }
#endif
#ifndef debugstr_an
static inline const char *debugstr_an(const char *s, int n) { return winetest_dbgstr_an(s, n); }
#endif
#ifndef debugstr_a
static inline const char *debugstr_a(const char *s) { return winetest_dbgstr_an(s, -1); }
#endif
#ifndef debugstr_wn
static inline const char *debugstr_wn(const WCHAR *s, int n) { return winetest_dbgstr_wn(s, n); }
#endif
#ifndef debugstr_w
static inline const char *debugstr_w(const WCHAR *s) { return winetest_dbgstr_wn(s, -1); }
#endif
#ifndef debugstr_guid
static inline const char *debugstr_guid(const GUID *g) { return winetest_dbgstr_guid(g); }
#endif

/* ---- macros --------------------------------------------------------------------------- */

#define ok_(file, line)       (winetest_set_location(file, line), 0) ? (void)0 : winetest_ok
#define skip_(file, line)     (winetest_set_location(file, line), 0) ? (void)0 : winetest_skip
#define win_skip_(file, line) (winetest_set_location(file, line), 0) ? (void)0 : winetest_win_skip
#define trace_(file, line)    (winetest_set_location(file, line), 0) ? (void)0 : winetest_trace

#define ok       ok_(__FILE__, __LINE__)
#define skip     skip_(__FILE__, __LINE__)
#define win_skip win_skip_(__FILE__, __LINE__)
#define trace    trace_(__FILE__, __LINE__)

#define broken(condition) winetest_broken(condition)

/* todo_if(x) stmt: the checks in stmt are expected to fail while x holds. */
#define todo_if(is_todo) \
    for (winetest_start_todo((is_todo) ? 1 : 0); winetest_loop_todo(); winetest_end_todo())
#define todo_wine             todo_if(winetest_platform_is_wine)
#define todo_wine_if(is_todo) todo_if((is_todo) && winetest_platform_is_wine)

/* Flaky markers: accepted and evaluated, no effect on the results. */
#define flaky_if(is_flaky) \
    for (winetest_start_todo(((void)(is_flaky), 0)); winetest_loop_todo(); winetest_end_todo())
#define flaky                  flaky_if(1)
#define flaky_wine             flaky_if(winetest_platform_is_wine)
#define flaky_wine_if(is_flaky) flaky_if((is_flaky) && winetest_platform_is_wine)

/* ---- main ----------------------------------------------------------------------------- */

static WINETEST_UNUSED int winetest_env_int(const char *name, int def)
{
    const char *value = getenv(name);

    return value && *value ? atoi(value) : def;
}

/* An exception nobody handles: report it at the last location and end the process with the
 * exception code, without starting a debugger. */
static WINETEST_UNUSED LONG WINAPI winetest_exception_filter(EXCEPTION_POINTERS *ptrs)
{
    struct winetest_thread_data *data = winetest_get_thread_data();
    const EXCEPTION_RECORD *rec = ptrs->ExceptionRecord;

    winetest_print_linef(data, "Test failed: ", "unhandled exception %08lx at %p\n",
                         (unsigned long)rec->ExceptionCode, rec->ExceptionAddress);
    fflush(stderr);
    return EXCEPTION_EXECUTE_HANDLER;
}

static WINETEST_UNUSED int winetest_main(int argc, char **argv, const char *name, void (*func)(void))
{
    const char *platform;
    LONG total, failures;
    int timeout;

    winetest_argc = argc;
    winetest_argv = argv;
    winetest_testname = name;

    /* "\n" line ends, whatever the C runtime would do for a text stream */
    _setmode(_fileno(stdout), _O_BINARY);
    /* a crash ends the process with the exception code instead of starting a debugger */
    SetErrorMode(SetErrorMode(0) | SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX);
    SetUnhandledExceptionFilter(winetest_exception_filter);

    winetest_debug = winetest_env_int("WINETEST_DEBUG", 1);
    winetest_interactive = winetest_env_int("WINETEST_INTERACTIVE", 0);
    winetest_report_success = winetest_env_int("WINETEST_REPORT_SUCCESS", 0);
    timeout = winetest_env_int("WINETEST_CHILD_TIMEOUT", 0);
    if (timeout > 0) winetest_child_timeout = (DWORD)timeout * 1000;

    platform = getenv("WINETEST_PLATFORM");
    if (platform && *platform)
        winetest_platform_is_wine = !strcmp(platform, "wine");
    else
        winetest_platform_is_wine = GetProcAddress(GetModuleHandleA("ntdll.dll"), "wine_get_version") != NULL;
    winetest_platform = winetest_platform_is_wine ? "wine" : "windows";

    if (argc >= 2 && !strcmp(argv[1], "--list"))
    {
        printf("Valid test names:\n    %s\n", name);
        return 0;
    }
    if (argc >= 2 && strcmp(argv[1], name))
    {
        fprintf(stderr, "%s: no test \"%s\" in this program (it has \"%s\")\n",
                winetest_basename(argv[0]), argv[1], name);
        return 1;
    }

    func();

    failures = winetest_failures + winetest_todo_failures;
    total = winetest_successes + winetest_failures + winetest_todo_successes + winetest_todo_failures;
    printf("%s: %ld tests executed (%ld marked as todo, %ld failures), %ld skipped.\n",
           name, (long)total, (long)winetest_todo_successes, (long)failures, (long)winetest_skipped);
    fflush(stdout);
    return failures > 255 ? 255 : (int)failures;
}

/* START_TEST(name) { ... } defines the test and the program's main(). */
#define START_TEST(name) \
    void func_##name(void); \
    int main(int argc, char **argv) { return winetest_main(argc, argv, #name, func_##name); } \
    void func_##name(void)

#endif /* __WINE_WINE_TEST_H */

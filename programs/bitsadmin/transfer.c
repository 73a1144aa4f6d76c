/*
 * transfer.c: /transfer and /monitor, the two commands that watch jobs over time.
 * Owns: the Ctrl+C handling and the progress display. On a console the progress lines are
 * redrawn in place; when the output is redirected, a line is printed whenever the state or
 * the file count changes (and at most every few seconds for bytes).
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
#include "bitsadmin.h"

static HANDLE stop_event;

/* Ctrl+C and Ctrl+Break both interrupt, as with Windows' bitsadmin; closing the console too.
 * Runs on its own thread: the waiting loop sees the event and cancels (/transfer) or stops. */
static BOOL WINAPI ctrl_handler(DWORD type)
{
    if (type == CTRL_C_EVENT || type == CTRL_BREAK_EVENT || type == CTRL_CLOSE_EVENT)
    {
        SetEvent(stop_event);
        return TRUE;
    }
    return FALSE;
}

static BOOL interrupted(void)
{
    return WaitForSingleObject(stop_event, 0) == WAIT_OBJECT_0;
}

static BOOL output_is_console(void)
{
    DWORD mode;
    return GetConsoleMode(GetStdHandle(STD_OUTPUT_HANDLE), &mode);
}

static BOOL parse_priority(const WCHAR *arg, BG_JOB_PRIORITY *priority)
{
    static const WCHAR *const names[] = { L"FOREGROUND", L"HIGH", L"NORMAL", L"LOW" };
    unsigned int i;

    for (i = 0; i < ARRAY_SIZE(names); i++)
        if (!wcsicmp(arg, names[i]))
        {
            *priority = i;
            return TRUE;
        }
    return FALSE;
}

static BOOL parse_acl_flags(const WCHAR *arg, DWORD *flags)
{
    *flags = 0;
    for (; *arg; arg++)
    {
        switch (towupper(*arg))
        {
        case 'O': *flags |= BG_COPY_FILE_OWNER; break;
        case 'G': *flags |= BG_COPY_FILE_GROUP; break;
        case 'D': *flags |= BG_COPY_FILE_DACL; break;
        case 'S': *flags |= BG_COPY_FILE_SACL; break;
        default: return FALSE;
        }
    }
    return TRUE;
}

static SHORT block_row = -1;    /* console: the row where the progress block starts, -1 none */

/* One console row: cut to the width and padded, so that it covers what was there before. */
static void console_row(const WCHAR *line, int width)
{
    WCHAR buf[512];

    _snwprintf(buf, ARRAY_SIZE(buf), L"%-*.*ls", width, width, line);
    buf[ARRAY_SIZE(buf) - 1] = 0;
    out_str(buf);
    out_nl();
}

/* Shows the state and progress the caller read, so that a line never shows a newer state
 * than the one the loop acts on (which would print the same state twice). On a console the
 * two lines are redrawn in place; anything else printed below them starts a new block. */
static void print_progress(IBackgroundCopyJob *job, const WCHAR *name, BG_JOB_STATE state,
                           const BG_JOB_PROGRESS *progress, BOOL console)
{
    HANDLE out = GetStdHandle(STD_OUTPUT_HANDLE);
    CONSOLE_SCREEN_BUFFER_INFO info;
    BG_JOB_PRIORITY priority = BG_JOB_PRIORITY_NORMAL;
    BG_JOB_TYPE type = BG_JOB_TYPE_DOWNLOAD;
    WCHAR total[32], done[32], percent[16] = L"", line1[512], line2[256];
    int width;

    IBackgroundCopyJob_GetType(job, &type);
    IBackgroundCopyJob_GetPriority(job, &priority);
    format_size(progress->BytesTotal, total, ARRAY_SIZE(total));
    format_size(progress->BytesTransferred, done, ARRAY_SIZE(done));
    if (progress->BytesTotal && progress->BytesTotal != BG_SIZE_UNKNOWN)
        swprintf(percent, ARRAY_SIZE(percent), L" (%u%%)", (unsigned int)(progress->BytesTransferred * 100 / progress->BytesTotal));
    _snwprintf(line1, ARRAY_SIZE(line1), L"DISPLAY: '%ls' TYPE: %ls STATE: %ls", name, type_name(type), state_name(state));
    line1[ARRAY_SIZE(line1) - 1] = 0;
    _snwprintf(line2, ARRAY_SIZE(line2), L"PRIORITY: %ls FILES: %lu / %lu BYTES: %ls / %ls%ls", priority_name(priority),
               progress->FilesTransferred, progress->FilesTotal, done, total, percent);
    line2[ARRAY_SIZE(line2) - 1] = 0;

    if (!console || !GetConsoleScreenBufferInfo(out, &info) || info.dwSize.X < 2)
    {
        out_str(line1);
        out_nl();
        out_str(line2);
        out_nl();
        return;
    }
    width = min(info.dwSize.X - 1, (int)ARRAY_SIZE(line1) - 1);
    if (block_row >= 0)
    {
        COORD pos = { 0, block_row };
        SetConsoleCursorPosition(out, pos);
    }
    console_row(line1, width);
    console_row(line2, width);
    /* Read back after writing: the buffer may have scrolled under the first block. */
    if (GetConsoleScreenBufferInfo(out, &info) && info.dwCursorPosition.Y >= 2)
        block_row = info.dwCursorPosition.Y - 2;
}

static void print_job_error(struct bitsadmin *ctx, IBackgroundCopyJob *job)
{
    IBackgroundCopyError *error;
    BG_ERROR_CONTEXT context;
    WCHAR *text = NULL;
    HRESULT code;

    if (FAILED(IBackgroundCopyJob_GetError(job, &error))) return;
    if (SUCCEEDED(IBackgroundCopyError_GetError(error, &context, &code)))
    {
        IBackgroundCopyError_GetErrorDescription(error, GetUserDefaultUILanguage(), &text);
        out_fmt(L"ERROR: 0x%08lx - %ls", (unsigned long)code, text ? text : L"");
        if (!text || !*text || text[lstrlenW(text) - 1] != '\n') out_nl();
        CoTaskMemFree(text);
    }
    IBackgroundCopyError_Release(error);
}

/* /transfer <name> [/download|/upload] [/priority P] [/ACLFlags OGDS] <remote> <local> ... */
int cmd_transfer(struct bitsadmin *ctx, int argc, WCHAR **argv)
{
    BG_JOB_PRIORITY priority = BG_JOB_PRIORITY_NORMAL;
    BG_JOB_TYPE type = BG_JOB_TYPE_DOWNLOAD;
    IBackgroundCopyJob *job = NULL;
    BG_JOB_STATE state, last_state = (BG_JOB_STATE)-1;
    ULONGLONG last_print = 0;
    UINT64 last_bytes = 0;
    ULONG last_files = 0;
    BOOL console = output_is_console(), set_acl = FALSE;
    const WCHAR *name;
    DWORD acl = 0;
    int i, ret = BITSADMIN_EXIT_FAILURE;
    HRESULT hr;
    GUID id;

    if (argc < 3) return usage_error(ctx, L"/transfer needs a name and at least one remote/local pair.");
    name = argv[0];
    for (i = 1; i < argc && (argv[i][0] == '/' || argv[i][0] == '-'); i++)
    {
        if (is_switch(argv[i], L"download")) type = BG_JOB_TYPE_DOWNLOAD;
        else if (is_switch(argv[i], L"upload")) type = BG_JOB_TYPE_UPLOAD;
        else if (is_switch(argv[i], L"upload-reply")) type = BG_JOB_TYPE_UPLOAD_REPLY;
        else if ((is_switch(argv[i], L"priority") || is_switch(argv[i], L"aclflags")) && i + 1 >= argc)
            return usage_error(ctx, L"%ls needs a value.", argv[i]);
        else if (is_switch(argv[i], L"priority"))
        {
            if (!parse_priority(argv[++i], &priority)) return usage_error(ctx, L"Invalid priority: %ls", argv[i]);
        }
        else if (is_switch(argv[i], L"aclflags"))
        {
            if (!parse_acl_flags(argv[++i], &acl)) return usage_error(ctx, L"Invalid ACL flags: %ls", argv[i]);
            set_acl = TRUE;
        }
        else return usage_error(ctx, L"Unknown option: %ls", argv[i]);
    }
    if (i >= argc || (argc - i) % 2) return usage_error(ctx, L"/transfer needs remote/local pairs.");

    /* Ctrl+C is handled from here on: one during the start (connecting, creating and setting up
     * the job) cancels the job once it exists, so none is left behind. */
    stop_event = CreateEventW(NULL, TRUE, FALSE, NULL);
    SetConsoleCtrlHandler(ctrl_handler, TRUE);
    if (FAILED(hr = connect_manager(ctx)))
    {
        report_error(ctx, hr, L"connect to BITS");
        goto done;
    }
    if (interrupted()) goto canceled;
    if (FAILED(hr = IBackgroundCopyManager_CreateJob(ctx->manager, name, type, &id, &job)))
    {
        report_error(ctx, hr, L"create the job");
        goto done;
    }
    if (interrupted()) goto canceled;
    if (FAILED(hr = IBackgroundCopyJob_SetPriority(job, priority)))
    {
        report_error(ctx, hr, L"set the priority");
        goto cancel;
    }
    if (set_acl)
    {
        IBackgroundCopyJob3 *job3;
        if (SUCCEEDED(hr = IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJob3, (void **)&job3)))
        {
            hr = IBackgroundCopyJob3_SetFileACLFlags(job3, acl);
            IBackgroundCopyJob3_Release(job3);
        }
        if (FAILED(hr))
        {
            report_error(ctx, hr, L"set the ACL flags");
            goto cancel;
        }
    }
    for (; i < argc; i += 2)
    {
        if (FAILED(hr = IBackgroundCopyJob_AddFile(job, argv[i], argv[i + 1])))
        {
            report_error(ctx, hr, L"add a file to the job");
            goto cancel;
        }
        if (interrupted()) goto canceled;
    }
    if (FAILED(hr = IBackgroundCopyJob_Resume(job)))
    {
        report_error(ctx, hr, L"resume the job");
        goto cancel;
    }

    for (;;)
    {
        BG_JOB_PROGRESS progress;
        ULONGLONG now = GetTickCount64();

        if (FAILED(hr = IBackgroundCopyJob_GetState(job, &state)))
        {
            report_error(ctx, hr, L"get the job's state");
            goto done;
        }
        memset(&progress, 0, sizeof(progress));
        IBackgroundCopyJob_GetProgress(job, &progress);
        if (console || state != last_state || progress.FilesTransferred != last_files
            || (progress.BytesTransferred != last_bytes && now - last_print >= 2000))
        {
            print_progress(job, name, state, &progress, console);
            last_print = now;
            last_bytes = progress.BytesTransferred;
            last_files = progress.FilesTransferred;
        }
        if (state == BG_JOB_STATE_TRANSIENT_ERROR && state != last_state)
        {
            print_job_error(ctx, job);
            block_row = -1;
        }
        last_state = state;

        if (state == BG_JOB_STATE_TRANSFERRED)
        {
            if (FAILED(hr = IBackgroundCopyJob_Complete(job)))
            {
                report_error(ctx, hr, L"complete the job");
                goto done;
            }
            out_str(L"Transfer complete.");
            out_nl();
            ret = BITSADMIN_EXIT_OK;
            goto done;
        }
        if (state == BG_JOB_STATE_ERROR)
        {
            print_job_error(ctx, job);
            out_str(L"The transfer failed; the job is cancelled.");
            out_nl();
            goto cancel;
        }
        if (state == BG_JOB_STATE_CANCELLED || state == BG_JOB_STATE_ACKNOWLEDGED)
        {
            out_str(L"The job was completed or cancelled by someone else.");
            out_nl();
            goto done;
        }
        if (state == BG_JOB_STATE_SUSPENDED)
        {
            /* Someone suspended it: wait, as Windows does, for a Resume or Ctrl+C. */
        }
        if (WaitForSingleObject(stop_event, 250) == WAIT_OBJECT_0) goto canceled;
    }

canceled:
    out_str(L"Transfer canceled.");
    out_nl();
cancel:
    if (job) IBackgroundCopyJob_Cancel(job);
done:
    if (stop_event)
    {
        SetConsoleCtrlHandler(ctrl_handler, FALSE);
        CloseHandle(stop_event);
        stop_event = NULL;
    }
    if (job) IBackgroundCopyJob_Release(job);
    return ret;
}

/* /monitor [/allusers] [/refresh <seconds>]: the /list view, redrawn until Ctrl+C. */
int cmd_monitor(struct bitsadmin *ctx, int argc, WCHAR **argv)
{
    ULONG refresh = 5;
    DWORD flags = 0;
    BOOL console = output_is_console();
    HRESULT hr;
    int i;

    for (i = 0; i < argc; i++)
    {
        if (is_switch(argv[i], L"allusers")) flags |= BG_JOB_ENUM_ALL_USERS;
        else if (is_switch(argv[i], L"refresh"))
        {
            if (i + 1 >= argc) return usage_error(ctx, L"/refresh needs a number of seconds.");
            if (!parse_ulong(argv[++i], &refresh) || !refresh || refresh >= INFINITE / 1000)
                return usage_error(ctx, L"Invalid refresh interval: %ls", argv[i]);
        }
        else return usage_error(ctx, L"Unknown option: %ls", argv[i]);
    }
    if (FAILED(hr = connect_manager(ctx))) return report_error(ctx, hr, L"connect to BITS");

    stop_event = CreateEventW(NULL, TRUE, FALSE, NULL);
    SetConsoleCtrlHandler(ctrl_handler, TRUE);
    do
    {
        IEnumBackgroundCopyJobs *jobs;
        IBackgroundCopyJob *job;
        ULONG fetched;
        SYSTEMTIME now;

        if (FAILED(hr = IBackgroundCopyManager_EnumJobs(ctx->manager, flags, &jobs)))
        {
            SetConsoleCtrlHandler(ctrl_handler, FALSE);
            CloseHandle(stop_event);
            stop_event = NULL;
            return report_error(ctx, hr, L"list the jobs");
        }
        if (console)
        {
            /* Redraw in place: home the cursor and clear the screen. */
            HANDLE out = GetStdHandle(STD_OUTPUT_HANDLE);
            CONSOLE_SCREEN_BUFFER_INFO info;
            COORD home = { 0, 0 };
            DWORD written;
            if (GetConsoleScreenBufferInfo(out, &info))
            {
                FillConsoleOutputCharacterW(out, ' ', info.dwSize.X * info.dwSize.Y, home, &written);
                SetConsoleCursorPosition(out, home);
            }
        }
        GetLocalTime(&now);
        out_fmt(L"MONITORING BACKGROUND COPY MANAGER(%lu second refresh)", refresh);
        out_nl();
        while (IEnumBackgroundCopyJobs_Next(jobs, 1, &job, &fetched) == S_OK)
        {
            print_job_line(ctx, job);
            IBackgroundCopyJob_Release(job);
        }
        IEnumBackgroundCopyJobs_Release(jobs);
        out_fmt(L"%02u:%02u:%02u", now.wHour, now.wMinute, now.wSecond);
        out_nl();
    } while (WaitForSingleObject(stop_event, refresh * 1000) == WAIT_TIMEOUT);
    SetConsoleCtrlHandler(ctrl_handler, FALSE);
    CloseHandle(stop_event);
    stop_event = NULL;
    return BITSADMIN_EXIT_OK;
}

/*
 * jobcmds.c: the job life-cycle commands of bitsadmin: /create, /addfile, /addfileset,
 * /addfilewithranges, /replaceremoteprefix, /listfiles, /suspend, /resume, /cancel, /complete,
 * /list, /info, /reset and /takeownership, and the /list and /info /verbose layouts (as documented, with sample output).
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

/* ---- output shared by /list, /info and /listfiles ---- */

/* {GUID} 'name' STATE filesDone / filesTotal bytesDone / bytesTotal|UNKNOWN */
void print_job_line(struct bitsadmin *ctx, IBackgroundCopyJob *job)
{
    BG_JOB_PROGRESS progress = { 0 };
    BG_JOB_STATE state = 0;
    WCHAR guid[39] = L"", total[32], *name = NULL;
    GUID id;

    if (SUCCEEDED(IBackgroundCopyJob_GetId(job, &id))) format_guid(&id, guid);
    IBackgroundCopyJob_GetDisplayName(job, &name);
    IBackgroundCopyJob_GetState(job, &state);
    IBackgroundCopyJob_GetProgress(job, &progress);
    format_size(progress.BytesTotal, total, ARRAY_SIZE(total));

    out_fmt(L"%ls '", guid);
    out_str(name);
    out_fmt(L"' %ls %lu / %lu %I64u / %ls\n", state_name(state), progress.FilesTransferred, progress.FilesTotal,
            progress.BytesTransferred, total);
    CoTaskMemFree(name);
}

/* <done> / <total> WORKING|COMPLETED <remote> -> <local>; returns the number of files. */
static ULONG print_files(struct bitsadmin *ctx, IBackgroundCopyJob *job, const WCHAR *indent, HRESULT *result)
{
    IEnumBackgroundCopyFiles *files;
    IBackgroundCopyFile *file;
    ULONG count = 0;
    HRESULT hr;

    if (FAILED(hr = IBackgroundCopyJob_EnumFiles(job, &files)))
    {
        *result = hr;
        return 0;
    }
    while (IEnumBackgroundCopyFiles_Next(files, 1, &file, NULL) == S_OK)
    {
        BG_FILE_PROGRESS progress = { 0 };
        WCHAR total[32];

        IBackgroundCopyFile_GetProgress(file, &progress);
        format_size(progress.BytesTotal, total, ARRAY_SIZE(total));
        out_fmt(L"%ls%I64u / %ls %ls ", indent, progress.BytesTransferred, total,
                progress.Completed ? L"COMPLETED" : L"WORKING");
        out_file_names(file);
        IBackgroundCopyFile_Release(file);
        count++;
    }
    IEnumBackgroundCopyFiles_Release(files);
    *result = S_OK;
    return count;
}

static void print_error_lines(IBackgroundCopyJob *job)
{
    IBackgroundCopyError *error;

    if (FAILED(IBackgroundCopyJob_GetError(job, &error))) return;
    out_job_error(error);
    IBackgroundCopyError_Release(error);
}

static const WCHAR *integrity_name(ULONG level, WCHAR *buf, int len)
{
    switch (level)
    {
    case SECURITY_MANDATORY_UNTRUSTED_RID: return L"UNTRUSTED";
    case SECURITY_MANDATORY_LOW_RID: return L"LOW";
    case SECURITY_MANDATORY_MEDIUM_RID: return L"MEDIUM";
    case SECURITY_MANDATORY_HIGH_RID: return L"HIGH";
    case SECURITY_MANDATORY_SYSTEM_RID: return L"SYSTEM";
    }
    _snwprintf(buf, len, L"0x%lx", level);
    buf[len - 1] = 0;
    return buf;
}

/* The /info /verbose block as documented, followed by the properties of later BITS versions. */
void print_job_verbose(struct bitsadmin *ctx, IBackgroundCopyJob *job)
{
    BG_JOB_PROXY_USAGE proxy_usage = 0;
    BG_JOB_PROGRESS progress = { 0 };
    BG_JOB_TIMES times;
    BG_JOB_PRIORITY priority = 0;
    BG_JOB_STATE state = 0;
    BG_JOB_TYPE type = 0;
    ULONG notify_flags = 0, retry_delay = 0, timeout = 0, error_count = 0;
    IBackgroundCopyJobHttpOptions *http;
    IBackgroundCopyJob2 *job2;
    IBackgroundCopyJob4 *job4;
    IUnknown *callback = NULL;
    WCHAR guid[39] = L"", owner[300], total[32], created[64], modified[64], completed[64], buf[32];
    WCHAR *name = NULL, *owner_sid = NULL, *description = NULL, *proxy_list = NULL, *bypass_list = NULL;
    HRESULT hr;
    GUID id;

    memset(&times, 0, sizeof(times));
    if (SUCCEEDED(IBackgroundCopyJob_GetId(job, &id))) format_guid(&id, guid);
    IBackgroundCopyJob_GetDisplayName(job, &name);
    IBackgroundCopyJob_GetType(job, &type);
    IBackgroundCopyJob_GetState(job, &state);
    IBackgroundCopyJob_GetOwner(job, &owner_sid);
    format_owner(owner_sid, owner, ARRAY_SIZE(owner));
    IBackgroundCopyJob_GetPriority(job, &priority);
    IBackgroundCopyJob_GetProgress(job, &progress);
    format_size(progress.BytesTotal, total, ARRAY_SIZE(total));
    IBackgroundCopyJob_GetTimes(job, &times);
    format_filetime(&times.CreationTime, created, ARRAY_SIZE(created));
    format_filetime(&times.ModificationTime, modified, ARRAY_SIZE(modified));
    format_filetime(&times.TransferCompletionTime, completed, ARRAY_SIZE(completed));
    hr = IBackgroundCopyJob_GetNotifyInterface(job, &callback);
    IBackgroundCopyJob_GetNotifyFlags(job, &notify_flags);
    IBackgroundCopyJob_GetMinimumRetryDelay(job, &retry_delay);
    IBackgroundCopyJob_GetNoProgressTimeout(job, &timeout);
    IBackgroundCopyJob_GetErrorCount(job, &error_count);
    IBackgroundCopyJob_GetProxySettings(job, &proxy_usage, &proxy_list, &bypass_list);
    IBackgroundCopyJob_GetDescription(job, &description);

    out_fmt(L"GUID: %ls DISPLAY: '", guid);
    out_str(name);
    out_str(L"'\n");
    out_fmt(L"TYPE: %ls STATE: %ls OWNER: ", type_name(type), state_name(state));
    out_str(owner);
    out_nl();
    out_fmt(L"PRIORITY: %ls FILES: %lu / %lu BYTES: %I64u / %ls\n", priority_name(priority),
            progress.FilesTransferred, progress.FilesTotal, progress.BytesTransferred, total);
    out_fmt(L"CREATION TIME: %ls MODIFICATION TIME: %ls\n", created, modified);
    out_fmt(L"COMPLETION TIME: %ls\n", completed);
    out_fmt(L"NOTIFY INTERFACE: %ls NOTIFICATION FLAGS: %lu\n",
            SUCCEEDED(hr) && callback ? L"REGISTERED" : L"UNREGISTERED", notify_flags);
    out_fmt(L"RETRY DELAY: %lu NO PROGRESS TIMEOUT: %lu ERROR COUNT: %lu\n", retry_delay, timeout, error_count);
    out_fmt(L"PROXY USAGE: %ls PROXY LIST: ", proxy_usage_name(proxy_usage));
    out_str(str_or_null(proxy_list));
    out_str(L" PROXY BYPASS LIST: ");
    out_str(str_or_null(bypass_list));
    out_nl();
    print_error_lines(job);
    out_str(L"DESCRIPTION:");
    if (description && *description)
    {
        out_str(L" ");
        out_str(description);
    }
    out_nl();
    out_str(L"JOB FILES:\n");
    print_files(ctx, job, L"\t", &hr);

    if (SUCCEEDED(IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJob2, (void **)&job2)))
    {
        WCHAR *program = NULL, *params = NULL;

        out_str(L"NOTIFICATION COMMAND LINE: ");
        if (SUCCEEDED(IBackgroundCopyJob2_GetNotifyCmdLine(job2, &program, &params)) && program)
        {
            out_str(L"'");
            out_str(program);
            out_str(L"' '");
            out_str(str_or_null(params));
            out_str(L"'");
        }
        else out_str(L"none");
        out_nl();
        if (type == BG_JOB_TYPE_UPLOAD_REPLY)
        {
            BG_JOB_REPLY_PROGRESS reply = { 0 };
            WCHAR *reply_name = NULL, reply_total[32];

            IBackgroundCopyJob2_GetReplyFileName(job2, &reply_name);
            IBackgroundCopyJob2_GetReplyProgress(job2, &reply);
            format_size(reply.BytesTotal, reply_total, ARRAY_SIZE(reply_total));
            out_str(L"REPLY FILE: ");
            out_str(str_or_null(reply_name));
            out_fmt(L" REPLY PROGRESS: %I64u / %ls\n", reply.BytesTransferred, reply_total);
            CoTaskMemFree(reply_name);
        }
        CoTaskMemFree(program);
        CoTaskMemFree(params);
        IBackgroundCopyJob2_Release(job2);
    }
    if (SUCCEEDED(IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJob4, (void **)&job4)))
    {
        ULONG level = 0, max_time = 0;
        DWORD peer_flags = 0;
        BOOL elevated = FALSE;

        IBackgroundCopyJob4_GetOwnerIntegrityLevel(job4, &level);
        IBackgroundCopyJob4_GetOwnerElevationState(job4, &elevated);
        IBackgroundCopyJob4_GetPeerCachingFlags(job4, &peer_flags);
        IBackgroundCopyJob4_GetMaximumDownloadTime(job4, &max_time);
        out_fmt(L"OWNER INTEGRITY LEVEL: %ls OWNER ELEVATED: %ls\n", integrity_name(level, buf, ARRAY_SIZE(buf)),
                elevated ? L"TRUE" : L"FALSE");
        out_fmt(L"PEER CACHING FLAGS: %lu MAXIMUM DOWNLOAD TIME: %lu\n", peer_flags, max_time);
        IBackgroundCopyJob4_Release(job4);
    }
    if (SUCCEEDED(IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJobHttpOptions, (void **)&http)))
    {
        IBackgroundCopyJobHttpOptions2 *http2;
        WCHAR *headers = NULL, *method = NULL;
        ULONG security = 0;

        IBackgroundCopyJobHttpOptions_GetSecurityFlags(http, &security);
        out_fmt(L"SECURITY FLAGS: 0x%lx", security);
        if (SUCCEEDED(IBackgroundCopyJobHttpOptions_QueryInterface(http, &IID_IBackgroundCopyJobHttpOptions2,
                                                                   (void **)&http2)))
        {
            IBackgroundCopyJobHttpOptions2_GetHttpMethod(http2, &method);
            out_str(L" HTTP METHOD: ");
            out_str(method ? method : L"GET");
            CoTaskMemFree(method);
            IBackgroundCopyJobHttpOptions2_Release(http2);
        }
        out_nl();
        hr = IBackgroundCopyJobHttpOptions_GetCustomHeaders(http, &headers);
        out_str(L"CUSTOM HEADERS:");
        if (hr == E_ACCESSDENIED) out_str(L" (write-only)\n");
        else if (FAILED(hr) || !headers) out_str(L" NULL\n");
        else
        {
            WCHAR *line = headers, *end;

            out_nl();
            while (*line)
            {
                if (!(end = wcsstr(line, L"\r\n"))) end = line + lstrlenW(line);
                out_str(L"\t");
                if (*end)
                {
                    *end = 0;
                    out_str(line);
                    line = end + 2;
                }
                else
                {
                    out_str(line);
                    line = end;
                }
                out_nl();
            }
        }
        CoTaskMemFree(headers);
        IBackgroundCopyJobHttpOptions_Release(http);
    }

    if (callback) IUnknown_Release(callback);
    CoTaskMemFree(name);
    CoTaskMemFree(owner_sid);
    CoTaskMemFree(description);
    CoTaskMemFree(proxy_list);
    CoTaskMemFree(bypass_list);
}

/* ---- the commands ---- */

int cmd_create(struct bitsadmin *ctx, int argc, WCHAR **argv)
{
    BG_JOB_TYPE type = BG_JOB_TYPE_DOWNLOAD;
    IBackgroundCopyJob *job;
    WCHAR guid[39];
    HRESULT hr;
    GUID id;

    if (argc == 2)
    {
        if (is_switch(argv[0], L"download")) type = BG_JOB_TYPE_DOWNLOAD;
        else if (is_switch(argv[0], L"upload")) type = BG_JOB_TYPE_UPLOAD;
        else if (is_switch(argv[0], L"upload-reply")) type = BG_JOB_TYPE_UPLOAD_REPLY;
        else return usage_error(ctx, L"Invalid argument: %ls", argv[0]);
        argv++;
    }
    if (FAILED(hr = connect_manager(ctx))) return report_error(ctx, hr, L"connect to BITS");
    if (FAILED(hr = IBackgroundCopyManager_CreateJob(ctx->manager, argv[0], type, &id, &job)))
        return report_error(ctx, hr, L"create job");
    IBackgroundCopyJob_Release(job);
    format_guid(&id, guid);
    if (ctx->raw) out_str(guid);
    else out_fmt(L"Created job %ls.\n", guid);
    return BITSADMIN_EXIT_OK;
}

int cmd_addfile(struct bitsadmin *ctx, int argc, WCHAR **argv)
{
    IBackgroundCopyJob *job;
    HRESULT hr;
    int ret;

    if ((ret = open_job(ctx, argv[0], &IID_IBackgroundCopyJob, (void **)&job))) return ret;
    hr = IBackgroundCopyJob_AddFile(job, argv[1], argv[2]);
    IBackgroundCopyJob_Release(job);
    if (FAILED(hr)) return report_error(ctx, hr, L"add file to job");
    if (!ctx->raw)
    {
        out_str(L"Added ");
        out_str(argv[1]);
        out_str(L" -> ");
        out_str(argv[2]);
        out_str(L" to job.\n");
    }
    return BITSADMIN_EXIT_OK;
}

/* The file of /addfileset: UTF-16 with a BOM, UTF-8 (with or without a BOM) or the ANSI code page. */
static WCHAR *read_text_file(const WCHAR *path, HRESULT *result)
{
    LARGE_INTEGER size;
    HANDLE handle;
    DWORD read;
    BYTE *data;
    WCHAR *text = NULL;
    int len;

    handle = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    if (handle == INVALID_HANDLE_VALUE)
    {
        *result = HRESULT_FROM_WIN32(GetLastError());
        return NULL;
    }
    if (!GetFileSizeEx(handle, &size) || size.QuadPart > 64 * 1024 * 1024)
    {
        *result = HRESULT_FROM_WIN32(ERROR_FILE_TOO_LARGE);
        CloseHandle(handle);
        return NULL;
    }
    if (!(data = HeapAlloc(GetProcessHeap(), 0, size.QuadPart + 2)))
    {
        *result = E_OUTOFMEMORY;
        CloseHandle(handle);
        return NULL;
    }
    if (!ReadFile(handle, data, size.QuadPart, &read, NULL))
    {
        *result = HRESULT_FROM_WIN32(GetLastError());
        HeapFree(GetProcessHeap(), 0, data);
        CloseHandle(handle);
        return NULL;
    }
    CloseHandle(handle);

    if (read >= 2 && data[0] == 0xff && data[1] == 0xfe)
    {
        len = (read - 2) / sizeof(WCHAR);
        if ((text = HeapAlloc(GetProcessHeap(), 0, (len + 1) * sizeof(WCHAR))))
        {
            memcpy(text, data + 2, len * sizeof(WCHAR));
            text[len] = 0;
        }
    }
    else
    {
        const char *bytes = (const char *)data;
        UINT cp = CP_UTF8;
        DWORD flags = MB_ERR_INVALID_CHARS;

        if (read >= 3 && data[0] == 0xef && data[1] == 0xbb && data[2] == 0xbf)
        {
            bytes += 3;
            read -= 3;
        }
        if (!read)
            text = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, sizeof(WCHAR));
        else
        {
            if ((len = MultiByteToWideChar(cp, flags, bytes, read, NULL, 0)) <= 0)
            {
                cp = CP_ACP;
                flags = 0;
                len = MultiByteToWideChar(cp, flags, bytes, read, NULL, 0);
            }
            if (len > 0 && (text = HeapAlloc(GetProcessHeap(), 0, (len + 1) * sizeof(WCHAR))))
            {
                MultiByteToWideChar(cp, flags, bytes, read, text, len);
                text[len] = 0;
            }
        }
    }
    HeapFree(GetProcessHeap(), 0, data);
    if (!text) *result = E_OUTOFMEMORY;
    return text;
}

/* Splits a line into at most max tokens (in place). Tokens may be "quoted"; a token starting
 * with # begins a comment. Returns the number of tokens, or max + 1 when there are more. */
static int split_line(WCHAR *line, WCHAR **tokens, int max)
{
    int count = 0;
    WCHAR *p = line, *dst;

    for (;;)
    {
        while (*p == ' ' || *p == '\t') p++;
        if (!*p || *p == '#') return count;
        if (count == max) return max + 1;
        tokens[count++] = dst = p;
        if (*p == '"')
        {
            p++;
            while (*p && *p != '"') *dst++ = *p++;
            if (*p) p++;
        }
        else
            while (*p && *p != ' ' && *p != '\t') *dst++ = *p++;
        if (*p) p++;
        *dst = 0;
    }
}

int cmd_addfileset(struct bitsadmin *ctx, int argc, WCHAR **argv)
{
    BG_FILE_INFO *files = NULL, *grown;
    ULONG count = 0, capacity = 0, line_number = 0;
    IBackgroundCopyJob *job;
    WCHAR *text, *line, *next;
    HRESULT hr = S_OK;
    int ret = BITSADMIN_EXIT_OK;

    if (!(text = read_text_file(argv[1], &hr))) return report_error(ctx, hr, L"read the file set");
    for (line = text; line; line = next)
    {
        WCHAR *tokens[2];
        int n;

        line_number++;
        if ((next = wcschr(line, '\n'))) *next++ = 0;
        if (*line && line[lstrlenW(line) - 1] == '\r') line[lstrlenW(line) - 1] = 0;
        if (!(n = split_line(line, tokens, 2))) continue;
        if (n != 2)
        {
            out_fmt(L"Invalid line %lu in %ls: expected \"<remote> <local>\".\n", line_number, argv[1]);
            ret = BITSADMIN_EXIT_FAILURE;
            goto done;
        }
        if (count == capacity)
        {
            capacity = capacity ? capacity * 2 : 16;
            if (files) grown = HeapReAlloc(GetProcessHeap(), 0, files, capacity * sizeof(*files));
            else grown = HeapAlloc(GetProcessHeap(), 0, capacity * sizeof(*files));
            if (!grown)
            {
                ret = report_error(ctx, E_OUTOFMEMORY, L"read the file set");
                goto done;
            }
            files = grown;
        }
        files[count].RemoteName = tokens[0];
        files[count].LocalName = tokens[1];
        count++;
    }
    if (!count)
    {
        out_fmt(L"No files are listed in %ls.\n", argv[1]);
        ret = BITSADMIN_EXIT_FAILURE;
        goto done;
    }
    if ((ret = open_job(ctx, argv[0], &IID_IBackgroundCopyJob, (void **)&job))) goto done;
    hr = IBackgroundCopyJob_AddFileSet(job, count, files);
    IBackgroundCopyJob_Release(job);
    if (FAILED(hr)) ret = report_error(ctx, hr, L"add file set to job");
    else out_msg(ctx, L"Added %lu file(s) to job.\n", count);

done:
    HeapFree(GetProcessHeap(), 0, files);
    HeapFree(GetProcessHeap(), 0, text);
    return ret;
}

/* "o:l,o:l,...", a length may be eof. */
static BOOL parse_ranges(const WCHAR *str, BG_FILE_RANGE **out, DWORD *count)
{
    const WCHAR *p;
    BG_FILE_RANGE *ranges;
    DWORD n = 1, i = 0;
    WCHAR *copy, *item, *next, *colon;

    for (p = str; *p; p++) if (*p == ',') n++;
    if (!(ranges = HeapAlloc(GetProcessHeap(), 0, n * sizeof(*ranges)))) return FALSE;
    if (!(copy = HeapAlloc(GetProcessHeap(), 0, (lstrlenW(str) + 1) * sizeof(WCHAR))))
    {
        HeapFree(GetProcessHeap(), 0, ranges);
        return FALSE;
    }
    lstrcpyW(copy, str);
    for (item = copy; item; item = next)
    {
        if ((next = wcschr(item, ','))) *next++ = 0;
        if (!(colon = wcschr(item, ':'))) break;
        *colon = 0;
        if (!parse_uint64(item, &ranges[i].InitialOffset)) break;
        if (!_wcsicmp(colon + 1, L"eof")) ranges[i].Length = BG_LENGTH_TO_EOF;
        else if (!parse_uint64(colon + 1, &ranges[i].Length)) break;
        i++;
    }
    HeapFree(GetProcessHeap(), 0, copy);
    if (i != n)
    {
        HeapFree(GetProcessHeap(), 0, ranges);
        return FALSE;
    }
    *out = ranges;
    *count = n;
    return TRUE;
}

int cmd_addfilewithranges(struct bitsadmin *ctx, int argc, WCHAR **argv)
{
    IBackgroundCopyJob3 *job;
    BG_FILE_RANGE *ranges;
    DWORD count;
    HRESULT hr;
    int ret;

    if (!parse_ranges(argv[3], &ranges, &count)) return usage_error(ctx, L"Invalid range list: %ls", argv[3]);
    if (!(ret = open_job(ctx, argv[0], &IID_IBackgroundCopyJob3, (void **)&job)))
    {
        hr = IBackgroundCopyJob3_AddFileWithRanges(job, argv[1], argv[2], count, ranges);
        IBackgroundCopyJob3_Release(job);
        if (FAILED(hr)) ret = report_error(ctx, hr, L"add file with ranges to job");
        else if (!ctx->raw)
        {
            out_str(L"Added ");
            out_str(argv[1]);
            out_str(L" -> ");
            out_str(argv[2]);
            out_fmt(L" to job (%lu range(s)).\n", count);
        }
    }
    HeapFree(GetProcessHeap(), 0, ranges);
    return ret;
}

int cmd_replaceremoteprefix(struct bitsadmin *ctx, int argc, WCHAR **argv)
{
    IBackgroundCopyJob3 *job;
    HRESULT hr;
    int ret;

    if ((ret = open_job(ctx, argv[0], &IID_IBackgroundCopyJob3, (void **)&job))) return ret;
    hr = IBackgroundCopyJob3_ReplaceRemotePrefix(job, argv[1], argv[2]);
    IBackgroundCopyJob3_Release(job);
    if (FAILED(hr)) return report_error(ctx, hr, L"replace remote prefix");
    if (hr == S_FALSE) out_msg(ctx, L"No remote name starts with %ls.\n", argv[1]);
    else out_msg(ctx, L"Remote prefix %ls replaced with %ls.\n", argv[1], argv[2]);
    return BITSADMIN_EXIT_OK;
}

int cmd_listfiles(struct bitsadmin *ctx, int argc, WCHAR **argv)
{
    IBackgroundCopyJob *job;
    ULONG count;
    HRESULT hr;
    int ret;

    if ((ret = open_job(ctx, argv[0], &IID_IBackgroundCopyJob, (void **)&job))) return ret;
    count = print_files(ctx, job, L"", &hr);
    IBackgroundCopyJob_Release(job);
    if (FAILED(hr)) return report_error(ctx, hr, L"enumerate files");
    out_msg(ctx, L"Listed %lu file(s).\n", count);
    return BITSADMIN_EXIT_OK;
}

/* /suspend, /resume, /cancel, /complete: one call, one confirmation. */
static int change_state(struct bitsadmin *ctx, const WCHAR *name, HRESULT (*change)(IBackgroundCopyJob *),
                        const WCHAR *action, const WCHAR *done)
{
    IBackgroundCopyJob *job;
    HRESULT hr;
    int ret;

    if ((ret = open_job(ctx, name, &IID_IBackgroundCopyJob, (void **)&job))) return ret;
    hr = change(job);
    IBackgroundCopyJob_Release(job);
    if (FAILED(hr)) return report_error(ctx, hr, action);
    if (hr == BG_S_PARTIAL_COMPLETE)
        out_msg(ctx, L"Job partially completed: only the files that finished transferring were kept.\n");
    else if (hr == BG_S_UNABLE_TO_DELETE_FILES)
        out_msg(ctx, L"%ls, but some temporary files could not be deleted.\n", done);
    else
        out_msg(ctx, L"%ls.\n", done);
    return BITSADMIN_EXIT_OK;
}

static HRESULT job_suspend(IBackgroundCopyJob *job) { return IBackgroundCopyJob_Suspend(job); }
static HRESULT job_resume(IBackgroundCopyJob *job) { return IBackgroundCopyJob_Resume(job); }
static HRESULT job_cancel(IBackgroundCopyJob *job) { return IBackgroundCopyJob_Cancel(job); }
static HRESULT job_complete(IBackgroundCopyJob *job) { return IBackgroundCopyJob_Complete(job); }
static HRESULT job_takeownership(IBackgroundCopyJob *job) { return IBackgroundCopyJob_TakeOwnership(job); }

int cmd_suspend(struct bitsadmin *ctx, int argc, WCHAR **argv)
{
    return change_state(ctx, argv[0], job_suspend, L"suspend job", L"Job suspended");
}

int cmd_resume(struct bitsadmin *ctx, int argc, WCHAR **argv)
{
    return change_state(ctx, argv[0], job_resume, L"resume job", L"Job resumed");
}

int cmd_cancel(struct bitsadmin *ctx, int argc, WCHAR **argv)
{
    return change_state(ctx, argv[0], job_cancel, L"cancel job", L"Job canceled");
}

int cmd_complete(struct bitsadmin *ctx, int argc, WCHAR **argv)
{
    return change_state(ctx, argv[0], job_complete, L"complete job", L"Job completed");
}

int cmd_takeownership(struct bitsadmin *ctx, int argc, WCHAR **argv)
{
    return change_state(ctx, argv[0], job_takeownership, L"take ownership of job", L"Ownership of the job taken");
}

int cmd_list(struct bitsadmin *ctx, int argc, WCHAR **argv)
{
    IEnumBackgroundCopyJobs *jobs;
    IBackgroundCopyJob *job;
    BOOL all_users = FALSE, verbose = FALSE;
    ULONG count = 0;
    HRESULT hr;
    int i;

    for (i = 0; i < argc; i++)
    {
        if (is_switch(argv[i], L"allusers")) all_users = TRUE;
        else if (is_switch(argv[i], L"verbose")) verbose = TRUE;
        else return usage_error(ctx, L"Invalid argument: %ls", argv[i]);
    }
    if (FAILED(hr = connect_manager(ctx))) return report_error(ctx, hr, L"connect to BITS");
    if (FAILED(hr = IBackgroundCopyManager_EnumJobs(ctx->manager, all_users ? BG_JOB_ENUM_ALL_USERS : 0, &jobs)))
        return report_error(ctx, hr, L"enumerate jobs");
    while (IEnumBackgroundCopyJobs_Next(jobs, 1, &job, NULL) == S_OK)
    {
        if (verbose)
        {
            if (count) out_nl();
            print_job_verbose(ctx, job);
        }
        else print_job_line(ctx, job);
        IBackgroundCopyJob_Release(job);
        count++;
    }
    IEnumBackgroundCopyJobs_Release(jobs);
    out_msg(ctx, L"%lsListed %lu job(s).\n", verbose && count ? L"\n" : L"", count);
    return BITSADMIN_EXIT_OK;
}

int cmd_info(struct bitsadmin *ctx, int argc, WCHAR **argv)
{
    IBackgroundCopyJob *job;
    BOOL verbose = FALSE;
    int ret;

    if (argc == 2)
    {
        if (!is_switch(argv[1], L"verbose")) return usage_error(ctx, L"Invalid argument: %ls", argv[1]);
        verbose = TRUE;
    }
    if ((ret = open_job(ctx, argv[0], &IID_IBackgroundCopyJob, (void **)&job))) return ret;
    if (verbose) print_job_verbose(ctx, job);
    else print_job_line(ctx, job);
    IBackgroundCopyJob_Release(job);
    return BITSADMIN_EXIT_OK;
}

int cmd_reset(struct bitsadmin *ctx, int argc, WCHAR **argv)
{
    IEnumBackgroundCopyJobs *jobs;
    IBackgroundCopyJob *job;
    BOOL all_users = FALSE;
    ULONG total = 0, canceled = 0;
    HRESULT hr;

    if (argc == 1)
    {
        if (!is_switch(argv[0], L"allusers")) return usage_error(ctx, L"Invalid argument: %ls", argv[0]);
        all_users = TRUE;
    }
    if (FAILED(hr = connect_manager(ctx))) return report_error(ctx, hr, L"connect to BITS");
    if (FAILED(hr = IBackgroundCopyManager_EnumJobs(ctx->manager, all_users ? BG_JOB_ENUM_ALL_USERS : 0, &jobs)))
        return report_error(ctx, hr, L"enumerate jobs");
    while (IEnumBackgroundCopyJobs_Next(jobs, 1, &job, NULL) == S_OK)
    {
        WCHAR guid[39] = L"", action[80];
        GUID id;

        total++;
        if (SUCCEEDED(IBackgroundCopyJob_GetId(job, &id))) format_guid(&id, guid);
        if (SUCCEEDED(hr = IBackgroundCopyJob_Cancel(job)))
        {
            canceled++;
            out_msg(ctx, L"%ls canceled.\n", guid);
        }
        else
        {
            _snwprintf(action, ARRAY_SIZE(action), L"cancel %ls", guid);
            action[ARRAY_SIZE(action) - 1] = 0;
            report_error(ctx, hr, action);
        }
        IBackgroundCopyJob_Release(job);
    }
    IEnumBackgroundCopyJobs_Release(jobs);
    out_msg(ctx, L"%lu out of %lu jobs canceled.\n", canceled, total);
    return canceled == total ? BITSADMIN_EXIT_OK : BITSADMIN_EXIT_FAILURE;
}

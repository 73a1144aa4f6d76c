/*
 * main.c: bitsadmin.exe, the BITS command-line tool.
 * Owns: the switch table, command-line parsing, the connection to the BITS service, job lookup
 * by name or GUID, error reporting and the help text. The commands live in jobcmds.c and props.c.
 *
 * Exit codes: 0 on success (and for /help), 1 for any failure or usage error.
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
#include "bitsadmin.h"
#include "bitsdebug.h"

BITS_DEFAULT_DEBUG_CHANNEL(bitsadmin);

static int cmd_help(struct bitsadmin *ctx, int argc, WCHAR **argv);
static int cmd_examples(struct bitsadmin *ctx, int argc, WCHAR **argv);
static int cmd_util(struct bitsadmin *ctx, int argc, WCHAR **argv);
static int cmd_not_supported(struct bitsadmin *ctx, int argc, WCHAR **argv);

#define JOB L"<job> "

static const struct command commands[] =
{
    { L"create", 1, 2, cmd_create, L"[/download|/upload|/upload-reply] <name>",
      L"Creates a job (a download job by default), suspended." },
    { L"addfile", 3, 3, cmd_addfile, JOB L"<remote> <local>", L"Adds a file to the job." },
    { L"addfileset", 2, 2, cmd_addfileset, JOB L"<textfile>",
      L"Adds the files listed in <textfile>: one \"<remote> <local>\" pair per line, # starts a comment." },
    { L"addfilewithranges", 4, 4, cmd_addfilewithranges, JOB L"<remote> <local> <offset:length,...>",
      L"Adds a file with byte ranges to download; a length may be eof." },
    { L"replaceremoteprefix", 3, 3, cmd_replaceremoteprefix, JOB L"<old prefix> <new prefix>",
      L"Replaces the prefix of every remote name that starts with <old prefix>." },
    { L"listfiles", 1, 1, cmd_listfiles, L"<job>", L"Lists the files of the job." },
    { L"suspend", 1, 1, cmd_suspend, L"<job>", L"Suspends the job." },
    { L"resume", 1, 1, cmd_resume, L"<job>", L"Resumes the job." },
    { L"cancel", 1, 1, cmd_cancel, L"<job>", L"Cancels the job and removes it from the queue." },
    { L"complete", 1, 1, cmd_complete, L"<job>", L"Completes the job: transferred files become available." },
    { L"list", 0, 2, cmd_list, L"[/allusers] [/verbose]", L"Lists the jobs." },
    { L"info", 1, 2, cmd_info, L"<job> [/verbose]", L"Shows information about the job." },
    { L"reset", 0, 1, cmd_reset, L"[/allusers]", L"Cancels every job of the current user (/allusers: of all users)." },
    { L"takeownership", 1, 1, cmd_takeownership, L"<job>", L"Takes ownership of the job." },
    { L"transfer", 3, -1, cmd_transfer,
      L"<name> [/download|/upload|/upload-reply] [/priority P] [/ACLFlags OGDS] <remote> <local> ...",
      L"Transfers the files, shows the progress, completes the job on success and cancels it on a fatal error." },
    { L"monitor", 0, 3, cmd_monitor, L"[/allusers] [/refresh <seconds>]",
      L"Shows the job list every <seconds> (default 5) until Ctrl+C." },

    { L"getaclflags", 1, 1, cmd_getaclflags, L"<job>", L"Shows the ACL flags (O, G, D, S)." },
    { L"getbytestotal", 1, 1, cmd_getbytestotal, L"<job>", L"Shows the size of the job." },
    { L"getbytestransferred", 1, 1, cmd_getbytestransferred, L"<job>", L"Shows the bytes transferred." },
    { L"getclientcertificate", 1, 1, cmd_getclientcertificate, L"<job>", L"Shows the client certificate." },
    { L"getcompletiontime", 1, 1, cmd_getcompletiontime, L"<job>", L"Shows when the job finished transferring." },
    { L"getcreationtime", 1, 1, cmd_getcreationtime, L"<job>", L"Shows when the job was created." },
    { L"getcustomheaders", 1, 1, cmd_getcustomheaders, L"<job>", L"Shows the custom HTTP headers." },
    { L"getdescription", 1, 1, cmd_getdescription, L"<job>", L"Shows the description." },
    { L"getdisplayname", 1, 1, cmd_getdisplayname, L"<job>", L"Shows the display name." },
    { L"geterror", 1, 1, cmd_geterror, L"<job>", L"Shows the error of a job in ERROR or TRANSIENT_ERROR." },
    { L"geterrorcount", 1, 1, cmd_geterrorcount, L"<job>", L"Shows how many errors the job had." },
    { L"getfilestotal", 1, 1, cmd_getfilestotal, L"<job>", L"Shows the number of files." },
    { L"getfilestransferred", 1, 1, cmd_getfilestransferred, L"<job>", L"Shows the number of files transferred." },
    { L"gethelpertokenflags", 1, 1, cmd_gethelpertokenflags, L"<job>", L"Shows the helper token flags." },
    { L"gethelpertokensid", 1, 1, cmd_gethelpertokensid, L"<job>", L"Shows the SID of the helper token." },
    { L"gethttpmethod", 1, 1, cmd_gethttpmethod, L"<job>", L"Shows the HTTP verb." },
    { L"getmaxdownloadtime", 1, 1, cmd_getmaxdownloadtime, L"<job>", L"Shows the download time limit (seconds)." },
    { L"getminretrydelay", 1, 1, cmd_getminretrydelay, L"<job>", L"Shows the minimum retry delay (seconds)." },
    { L"getmodificationtime", 1, 1, cmd_getmodificationtime, L"<job>", L"Shows when the job last changed." },
    { L"getnoprogresstimeout", 1, 1, cmd_getnoprogresstimeout, L"<job>", L"Shows the no-progress timeout (seconds)." },
    { L"getnotifycmdline", 1, 1, cmd_getnotifycmdline, L"<job>", L"Shows the notification command line." },
    { L"getnotifyflags", 1, 1, cmd_getnotifyflags, L"<job>", L"Shows the notification flags." },
    { L"getnotifyinterface", 1, 1, cmd_getnotifyinterface, L"<job>", L"Shows whether a callback is registered." },
    { L"getowner", 1, 1, cmd_getowner, L"<job>", L"Shows the owner." },
    { L"getownerelevationstate", 1, 1, cmd_getownerelevationstate, L"<job>", L"Shows whether the owner was elevated." },
    { L"getownerintegritylevel", 1, 1, cmd_getownerintegritylevel, L"<job>", L"Shows the owner's integrity level." },
    { L"getpeercachingflags", 1, 1, cmd_getpeercachingflags, L"<job>", L"Shows the peer caching flags." },
    { L"getpriority", 1, 1, cmd_getpriority, L"<job>", L"Shows the priority." },
    { L"getproxybypasslist", 1, 1, cmd_getproxybypasslist, L"<job>", L"Shows the proxy bypass list." },
    { L"getproxylist", 1, 1, cmd_getproxylist, L"<job>", L"Shows the proxy list." },
    { L"getproxyusage", 1, 1, cmd_getproxyusage, L"<job>", L"Shows the proxy usage." },
    { L"getreplydata", 1, 1, cmd_getreplydata, L"<job>", L"Shows the reply of an upload-reply job (hex)." },
    { L"getreplyfilename", 1, 1, cmd_getreplyfilename, L"<job>", L"Shows the reply file name." },
    { L"getreplyprogress", 1, 1, cmd_getreplyprogress, L"<job>", L"Shows the progress of the reply." },
    { L"getsecurityflags", 1, 1, cmd_getsecurityflags, L"<job>", L"Shows the HTTP security flags." },
    { L"getstate", 1, 1, cmd_getstate, L"<job>", L"Shows the state." },
    { L"gettemporaryname", 2, 2, cmd_gettemporaryname, JOB L"<file index>", L"Shows a file's temporary name." },
    { L"gettype", 1, 1, cmd_gettype, L"<job>", L"Shows the type." },
    { L"getvalidationstate", 2, 2, cmd_getvalidationstate, JOB L"<file index>", L"Shows a file's validation state." },

    { L"setaclflags", 2, 2, cmd_setaclflags, JOB L"[O][G][D][S]|NONE", L"Sets the ACL flags of SMB downloads." },
    { L"setclientcertificatebyid", 4, 4, cmd_setclientcertificatebyid, JOB L"<store location> <store name> <hex hash>",
      L"Selects the client certificate by SHA-1 hash." },
    { L"setclientcertificatebyname", 4, 4, cmd_setclientcertificatebyname, JOB L"<store location> <store name> <subject>",
      L"Selects the client certificate by subject name." },
    { L"removeclientcertificate", 1, 1, cmd_removeclientcertificate, L"<job>", L"Removes the client certificate." },
    { L"setcredentials", 5, 5, cmd_setcredentials, JOB L"SERVER|PROXY BASIC|DIGEST|NTLM|NEGOTIATE|PASSPORT <user> <password>",
      L"Sets credentials (NULL for implicit credentials)." },
    { L"removecredentials", 3, 3, cmd_removecredentials, JOB L"SERVER|PROXY BASIC|DIGEST|NTLM|NEGOTIATE|PASSPORT",
      L"Removes credentials." },
    { L"setcustomheaders", 1, -1, cmd_setcustomheaders, JOB L"[<header> ...]|NULL", L"Sets the custom HTTP headers." },
    { L"makecustomheaderswriteonly", 1, 1, cmd_makecustomheaderswriteonly, L"<job>",
      L"Makes the custom headers unreadable." },
    { L"setdescription", 2, 2, cmd_setdescription, JOB L"<description>", L"Sets the description." },
    { L"setdisplayname", 2, 2, cmd_setdisplayname, JOB L"<name>", L"Sets the display name." },
    { L"sethelpertoken", 1, 3, cmd_sethelpertoken, JOB L"[<user@domain> <password>]",
      L"Sets the helper token (current user, or the given account)." },
    { L"sethelpertokenflags", 2, 2, cmd_sethelpertokenflags, JOB L"<flags>",
      L"Sets the helper token flags (1 local files, 2 network)." },
    { L"sethttpmethod", 2, 2, cmd_sethttpmethod, JOB L"<verb>", L"Sets the HTTP verb." },
    { L"setmaxdownloadtime", 2, 2, cmd_setmaxdownloadtime, JOB L"<seconds>", L"Sets the download time limit." },
    { L"setminretrydelay", 2, 2, cmd_setminretrydelay, JOB L"<seconds>", L"Sets the minimum retry delay." },
    { L"setnoprogresstimeout", 2, 2, cmd_setnoprogresstimeout, JOB L"<seconds>", L"Sets the no-progress timeout." },
    { L"setnotifycmdline", 2, 3, cmd_setnotifycmdline, JOB L"<program>|NULL [<parameters>|NULL]",
      L"Sets the program to run on TRANSFERRED or ERROR." },
    { L"setnotifyflags", 2, 2, cmd_setnotifyflags, JOB L"<flags>",
      L"Sets the notification flags (1 transferred, 2 error, 4 disable, 8 modification)." },
    { L"setpeercachingflags", 2, 2, cmd_setpeercachingflags, JOB L"<flags>", L"Sets the peer caching flags." },
    { L"setpriority", 2, 2, cmd_setpriority, JOB L"FOREGROUND|HIGH|NORMAL|LOW", L"Sets the priority." },
    { L"setproxysettings", 2, 4, cmd_setproxysettings, JOB L"PRECONFIG|NO_PROXY|AUTODETECT|OVERRIDE [<list> [<bypass>]]",
      L"Sets the proxy usage (lists only with OVERRIDE; NULL or \"\" for none)." },
    { L"setreplyfilename", 2, 2, cmd_setreplyfilename, JOB L"<path>|NULL", L"Sets the reply file name." },
    { L"setsecurityflags", 2, 2, cmd_setsecurityflags, JOB L"<flags>", L"Sets the HTTP security flags." },
    { L"setvalidationstate", 3, 3, cmd_setvalidationstate, JOB L"<file index> TRUE|FALSE",
      L"Sets a file's validation state." },

    { L"peercaching", 0, -1, cmd_not_supported, L"...", L"Peer caching administration (not available)." },
    { L"peers", 0, -1, cmd_not_supported, L"...", L"Peer administration (not available)." },
    { L"cache", 0, -1, cmd_not_supported, L"...", L"Peer cache administration (not available)." },
    { L"util", 1, -1, cmd_util, L"/version | /getieproxy | /setieproxy | /enableanalyticchannel | /help",
      L"Utility commands (bitsadmin /util /help)." },
    { L"help", 0, 1, cmd_help, L"[<switch>]", L"Shows this help." },
    { L"?", 0, 1, cmd_help, L"[<switch>]", L"Shows this help." },
    { L"examples", 0, 0, cmd_examples, L"", L"Shows examples." },
};

/* "/name" or "-name", case-insensitive. */
BOOL is_switch(const WCHAR *arg, const WCHAR *name)
{
    return (arg[0] == '/' || arg[0] == '-') && !_wcsicmp(arg + 1, name);
}

static const struct command *find_command(const WCHAR *arg)
{
    unsigned int i;

    if (arg[0] != '/' && arg[0] != '-') return NULL;
    for (i = 0; i < ARRAY_SIZE(commands); i++)
        if (!_wcsicmp(arg + 1, commands[i].name)) return &commands[i];
    return NULL;
}

static void print_syntax(const struct command *cmd)
{
    out_fmt(L"Usage: bitsadmin /%ls%ls%ls\n", cmd->name, cmd->syntax[0] ? L" " : L"", cmd->syntax);
}

int usage_error(struct bitsadmin *ctx, const WCHAR *format, ...)
{
    WCHAR buf[1024];
    va_list args;

    va_start(args, format);
    _vsnwprintf(buf, ARRAY_SIZE(buf), format, args);
    va_end(args);
    buf[ARRAY_SIZE(buf) - 1] = 0;
    out_str(buf);
    out_nl();
    if (ctx->command) print_syntax(ctx->command);
    out_str(L"Type bitsadmin /? for help.\n");
    return BITSADMIN_EXIT_FAILURE;
}

static void trim_trailing_space(WCHAR *str)
{
    int len = lstrlenW(str);

    while (len && (str[len - 1] == '\r' || str[len - 1] == '\n' || str[len - 1] == ' ')) str[--len] = 0;
}

/* "Unable to <action> - 0x<hr>" and the service's text for the code on the next line. */
int report_error(struct bitsadmin *ctx, HRESULT hr, const WCHAR *action)
{
    WCHAR *text = NULL, *sys_text = NULL;

    out_fmt(L"Unable to %ls - 0x%08lx\n", action, (unsigned long)hr);
    /* Texts in the user's UI language, as on Windows; the service falls back to English. */
    if (ctx->manager && SUCCEEDED(IBackgroundCopyManager_GetErrorDescription(ctx->manager, hr,
                                                                            GetUserDefaultUILanguage(), &text))
        && text)
    {
        trim_trailing_space(text);
        out_str(text);
        out_nl();
        CoTaskMemFree(text);
    }
    else if (FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_ALLOCATE_BUFFER
                            | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, hr, 0, (WCHAR *)&sys_text, 0, NULL))
    {
        trim_trailing_space(sys_text);
        out_str(sys_text);
        out_nl();
        LocalFree(sys_text);
    }
    else
        out_str(L"Unknown error.\n");
    return BITSADMIN_EXIT_FAILURE;
}

HRESULT connect_manager(struct bitsadmin *ctx)
{
    HRESULT hr;

    if (ctx->manager) return S_OK;
    hr = CoCreateInstance(&CLSID_BackgroundCopyManager, NULL, CLSCTX_LOCAL_SERVER, &IID_IBackgroundCopyManager,
                          (void **)&ctx->manager);
    TRACE("CoCreateInstance: %#lx\n", hr);
    if (FAILED(hr)) ctx->manager = NULL;
    return hr;
}

static BOOL parse_guid(const WCHAR *str, GUID *guid)
{
    WCHAR buf[39];

    if (str[0] != '{' || lstrlenW(str) != 38) return FALSE;
    lstrcpyW(buf, str);
    return SUCCEEDED(IIDFromString(buf, guid));
}

/* Looks a job up by GUID or by display name among the caller's jobs (display names are not
 * unique; an ambiguous name is an error that lists the candidates). */
static int find_job(struct bitsadmin *ctx, const WCHAR *name, IBackgroundCopyJob **out)
{
    IEnumBackgroundCopyJobs *jobs;
    IBackgroundCopyJob *job, *exact = NULL, *nocase = NULL;
    ULONG exact_count = 0, nocase_count = 0;
    GUID id;
    HRESULT hr;
    WCHAR *display, action[300];

    *out = NULL;
    if (FAILED(hr = connect_manager(ctx))) return report_error(ctx, hr, L"connect to BITS");
    if (parse_guid(name, &id))
    {
        if (FAILED(hr = IBackgroundCopyManager_GetJob(ctx->manager, &id, out)))
        {
            _snwprintf(action, ARRAY_SIZE(action), L"find job %ls", name);
            action[ARRAY_SIZE(action) - 1] = 0;
            return report_error(ctx, hr, action);
        }
        return BITSADMIN_EXIT_OK;
    }

    if (FAILED(hr = IBackgroundCopyManager_EnumJobs(ctx->manager, 0, &jobs)))
        return report_error(ctx, hr, L"enumerate jobs");
    while (IEnumBackgroundCopyJobs_Next(jobs, 1, &job, NULL) == S_OK)
    {
        BOOL keep = FALSE;

        if (SUCCEEDED(IBackgroundCopyJob_GetDisplayName(job, &display)) && display)
        {
            if (!lstrcmpW(display, name))
            {
                if (!exact_count++) { exact = job; keep = TRUE; }
            }
            else if (!_wcsicmp(display, name))
            {
                if (!nocase_count++) { nocase = job; keep = TRUE; }
            }
            CoTaskMemFree(display);
        }
        if (!keep) IBackgroundCopyJob_Release(job);
    }

    /* An exact match wins over matches that differ only in case. */
    if (exact_count == 1 || (!exact_count && nocase_count == 1))
    {
        *out = exact_count ? exact : nocase;
        if (exact_count && nocase) IBackgroundCopyJob_Release(nocase);
        IEnumBackgroundCopyJobs_Release(jobs);
        return BITSADMIN_EXIT_OK;
    }
    if (exact) IBackgroundCopyJob_Release(exact);
    if (nocase) IBackgroundCopyJob_Release(nocase);

    if (!exact_count && !nocase_count)
    {
        IEnumBackgroundCopyJobs_Release(jobs);
        _snwprintf(action, ARRAY_SIZE(action), L"find job %ls", name);
        action[ARRAY_SIZE(action) - 1] = 0;
        return report_error(ctx, BG_E_NOT_FOUND, action);
    }

    out_fmt(L"Ambiguous job name '%ls': %lu jobs have this name. Use the job's GUID:\n", name,
            exact_count ? exact_count : nocase_count);
    IEnumBackgroundCopyJobs_Reset(jobs);
    while (IEnumBackgroundCopyJobs_Next(jobs, 1, &job, NULL) == S_OK)
    {
        if (SUCCEEDED(IBackgroundCopyJob_GetDisplayName(job, &display)) && display)
        {
            if (exact_count ? !lstrcmpW(display, name) : !_wcsicmp(display, name))
            {
                WCHAR guid[39];
                if (SUCCEEDED(IBackgroundCopyJob_GetId(job, &id)))
                {
                    format_guid(&id, guid);
                    out_fmt(L"%ls\n", guid);
                }
            }
            CoTaskMemFree(display);
        }
        IBackgroundCopyJob_Release(job);
    }
    IEnumBackgroundCopyJobs_Release(jobs);
    return BITSADMIN_EXIT_FAILURE;
}

static const WCHAR *interface_name(REFIID iid)
{
    if (IsEqualGUID(iid, &IID_IBackgroundCopyJob2)) return L"IBackgroundCopyJob2 (BITS 1.5)";
    if (IsEqualGUID(iid, &IID_IBackgroundCopyJob3)) return L"IBackgroundCopyJob3 (BITS 2.0)";
    if (IsEqualGUID(iid, &IID_IBackgroundCopyJobHttpOptions)) return L"IBackgroundCopyJobHttpOptions (BITS 2.5)";
    if (IsEqualGUID(iid, &IID_IBackgroundCopyJob4)) return L"IBackgroundCopyJob4 (BITS 3.0)";
    if (IsEqualGUID(iid, &IID_IBitsTokenOptions)) return L"IBitsTokenOptions (BITS 4.0)";
    if (IsEqualGUID(iid, &IID_IBackgroundCopyJob5)) return L"IBackgroundCopyJob5 (BITS 5.0)";
    if (IsEqualGUID(iid, &IID_IBackgroundCopyJobHttpOptions2)) return L"IBackgroundCopyJobHttpOptions2 (BITS 10.2)";
    if (IsEqualGUID(iid, &IID_IBackgroundCopyJobHttpOptions3)) return L"IBackgroundCopyJobHttpOptions3 (BITS 10.3)";
    if (IsEqualGUID(iid, &IID_IBackgroundCopyFile3)) return L"IBackgroundCopyFile3 (BITS 3.0)";
    return L"the interface";
}

int query_job_interface(struct bitsadmin *ctx, IBackgroundCopyJob *job, REFIID iid, void **out)
{
    WCHAR action[128];
    HRESULT hr;

    if (SUCCEEDED(hr = IBackgroundCopyJob_QueryInterface(job, iid, out))) return BITSADMIN_EXIT_OK;
    *out = NULL;
    _snwprintf(action, ARRAY_SIZE(action), L"get %ls", interface_name(iid));
    action[ARRAY_SIZE(action) - 1] = 0;
    return report_error(ctx, hr, action);
}

/* Finds the job and returns the requested interface of it. */
int open_job(struct bitsadmin *ctx, const WCHAR *name, REFIID iid, void **out)
{
    IBackgroundCopyJob *job;
    int ret;

    *out = NULL;
    if ((ret = find_job(ctx, name, &job))) return ret;
    if (IsEqualGUID(iid, &IID_IBackgroundCopyJob))
    {
        *out = job;
        return BITSADMIN_EXIT_OK;
    }
    ret = query_job_interface(ctx, job, iid, out);
    IBackgroundCopyJob_Release(job);
    return ret;
}

/* Finds the job and returns an interface of its file number <index> (0-based, insertion order). */
int open_job_file(struct bitsadmin *ctx, const WCHAR *name, const WCHAR *index, REFIID iid, void **out)
{
    IEnumBackgroundCopyFiles *files;
    IBackgroundCopyFile *file = NULL;
    IBackgroundCopyJob *job;
    ULONG number;
    HRESULT hr;
    int ret;

    *out = NULL;
    if (!parse_ulong(index, &number)) return usage_error(ctx, L"Invalid file index: %ls", index);
    if ((ret = open_job(ctx, name, &IID_IBackgroundCopyJob, (void **)&job))) return ret;
    hr = IBackgroundCopyJob_EnumFiles(job, &files);
    IBackgroundCopyJob_Release(job);
    if (FAILED(hr)) return report_error(ctx, hr, L"enumerate files");
    if (number) hr = IEnumBackgroundCopyFiles_Skip(files, number);
    if (hr == S_OK) hr = IEnumBackgroundCopyFiles_Next(files, 1, &file, NULL);
    IEnumBackgroundCopyFiles_Release(files);
    if (hr != S_OK || !file)
    {
        out_fmt(L"Unable to find file %lu: the job has fewer files.\n", number);
        return BITSADMIN_EXIT_FAILURE;
    }
    hr = IBackgroundCopyFile_QueryInterface(file, iid, out);
    IBackgroundCopyFile_Release(file);
    if (FAILED(hr))
    {
        *out = NULL;
        return report_error(ctx, hr, L"get IBackgroundCopyFile3 (BITS 3.0)");
    }
    return BITSADMIN_EXIT_OK;
}

/* Decimal or 0x-hex, the whole string, no sign, no overflow. */
BOOL parse_uint64(const WCHAR *str, UINT64 *value)
{
    unsigned int base = 10, digit;
    UINT64 result = 0;
    const WCHAR *p = str;

    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
    {
        base = 16;
        p += 2;
    }
    if (!*p) return FALSE;
    for (; *p; p++)
    {
        if (*p >= '0' && *p <= '9') digit = *p - '0';
        else if (base == 16 && *p >= 'a' && *p <= 'f') digit = *p - 'a' + 10;
        else if (base == 16 && *p >= 'A' && *p <= 'F') digit = *p - 'A' + 10;
        else return FALSE;
        if (result > (~(UINT64)0 - digit) / base) return FALSE;
        result = result * base + digit;
    }
    *value = result;
    return TRUE;
}

BOOL parse_ulong(const WCHAR *str, ULONG *value)
{
    UINT64 result;

    if (!parse_uint64(str, &result) || result > 0xffffffff) return FALSE;
    *value = result;
    return TRUE;
}

/* NULL or "" stands for "no value" in arguments. */
BOOL is_null_arg(const WCHAR *arg)
{
    return !arg || !arg[0] || !_wcsicmp(arg, L"NULL");
}

const WCHAR *null_arg(const WCHAR *arg)
{
    return is_null_arg(arg) ? NULL : arg;
}

static int cmd_help(struct bitsadmin *ctx, int argc, WCHAR **argv)
{
    const struct command *cmd;
    unsigned int i;

    if (argc)
    {
        if (!(cmd = find_command(argv[0])))
        {
            WCHAR name[64];
            _snwprintf(name, ARRAY_SIZE(name), L"/%ls", argv[0]);
            name[ARRAY_SIZE(name) - 1] = 0;
            if (!(cmd = find_command(name)))
            {
                ctx->command = NULL;
                return usage_error(ctx, L"Unknown switch: %ls", argv[0]);
            }
        }
        print_syntax(cmd);
        out_fmt(L"  %ls\n", cmd->help);
        return BITSADMIN_EXIT_OK;
    }

    out_str(L"USAGE: bitsadmin [/rawreturn] [/wrap | /nowrap] command\n"
            L"<job> is a job's display name or its GUID ({...}). Switches may start with / or -.\n"
            L"\nThe following commands are available:\n\n");
    for (i = 0; i < ARRAY_SIZE(commands); i++)
    {
        if (commands[i].run == cmd_not_supported || commands[i].run == cmd_help) continue;
        out_fmt(L"/%ls%ls%ls\n", commands[i].name, commands[i].syntax[0] ? L" " : L"", commands[i].syntax);
        out_fmt(L"    %ls\n", commands[i].help);
    }
    out_str(L"/help or /? [<switch>]\n    Shows this help, or the syntax of one switch.\n"
            L"\n/rawreturn must come first: it prints bare values (no banner, labels or final newline).\n"
            L"/wrap and /nowrap turn the wrapping of long lines on or off.\n");
    return BITSADMIN_EXIT_OK;
}

static int cmd_examples(struct bitsadmin *ctx, int argc, WCHAR **argv)
{
    out_str(L"EXAMPLES\n\n"
            L"Download a file:\n"
            L"  bitsadmin /create myjob\n"
            L"  bitsadmin /addfile myjob http://example.com/file.zip C:\\downloads\\file.zip\n"
            L"  bitsadmin /resume myjob\n"
            L"  bitsadmin /info myjob /verbose\n"
            L"  bitsadmin /complete myjob\n\n"
            L"Several files from a list:\n"
            L"  bitsadmin /addfileset myjob C:\\files.txt\n\n"
            L"Parts of a file:\n"
            L"  bitsadmin /addfilewithranges myjob http://example.com/big.iso C:\\part.bin 0:100,2000:eof\n\n"
            L"A script reading a value:\n"
            L"  bitsadmin /rawreturn /getstate myjob\n\n"
            L"Cancel all of your jobs:\n"
            L"  bitsadmin /reset\n");
    return BITSADMIN_EXIT_OK;
}

/* The file version of system32\qmgr.dll; version.dll is loaded on demand. */
static BOOL qmgr_file_version(WCHAR *buf, int len)
{
    BOOL (WINAPI *pGetFileVersionInfoW)(const WCHAR *, DWORD, DWORD, void *);
    DWORD (WINAPI *pGetFileVersionInfoSizeW)(const WCHAR *, DWORD *);
    BOOL (WINAPI *pVerQueryValueW)(const void *, const WCHAR *, void **, UINT *);
    VS_FIXEDFILEINFO *info;
    WCHAR path[MAX_PATH];
    HMODULE version;
    DWORD size, handle;
    BOOL ret = FALSE;
    void *data;
    UINT info_len;

    if (!GetSystemDirectoryW(path, MAX_PATH - 10)) return FALSE;
    lstrcatW(path, L"\\qmgr.dll");
    if (!(version = LoadLibraryW(L"version.dll"))) return FALSE;
    pGetFileVersionInfoW = (void *)GetProcAddress(version, "GetFileVersionInfoW");
    pGetFileVersionInfoSizeW = (void *)GetProcAddress(version, "GetFileVersionInfoSizeW");
    pVerQueryValueW = (void *)GetProcAddress(version, "VerQueryValueW");
    if (pGetFileVersionInfoW && pGetFileVersionInfoSizeW && pVerQueryValueW
        && (size = pGetFileVersionInfoSizeW(path, &handle))
        && (data = HeapAlloc(GetProcessHeap(), 0, size)))
    {
        if (pGetFileVersionInfoW(path, 0, size, data)
            && pVerQueryValueW(data, L"\\", (void **)&info, &info_len) && info_len >= sizeof(*info))
        {
            _snwprintf(buf, len, L"%u.%u.%u.%u", HIWORD(info->dwFileVersionMS), LOWORD(info->dwFileVersionMS),
                       HIWORD(info->dwFileVersionLS), LOWORD(info->dwFileVersionLS));
            buf[len - 1] = 0;
            ret = TRUE;
        }
        HeapFree(GetProcessHeap(), 0, data);
    }
    FreeLibrary(version);
    return ret;
}

/* The BITS version is the newest versioned manager class that can be created: a
 * versioned CLSID that is not registered gives REGDB_E_CLASSNOTREG, as apps rely on. */
int show_version(struct bitsadmin *ctx)
{
    static const struct { const CLSID *clsid; const WCHAR *version; } versions[] =
    {
        { &CLSID_BackgroundCopyManager10_3, L"10.3" },
        { &CLSID_BackgroundCopyManager10_2, L"10.2" },
        { &CLSID_BackgroundCopyManager10_1, L"10.1" },
        { &CLSID_BackgroundCopyManager5_0, L"5.0" },
        { &CLSID_BackgroundCopyManager4_0, L"4.0" },
        { &CLSID_BackgroundCopyManager3_0, L"3.0" },
        { &CLSID_BackgroundCopyManager2_5, L"2.5" },
        { &CLSID_BackgroundCopyManager2_0, L"2.0" },
        { &CLSID_BackgroundCopyManager1_5, L"1.5" },
        { &CLSID_BackgroundCopyManager, L"1.0" },
    };
    IBackgroundCopyManager *manager;
    WCHAR file_version[64];
    HRESULT hr = E_FAIL;
    unsigned int i;

    for (i = 0; i < ARRAY_SIZE(versions); i++)
    {
        hr = CoCreateInstance(versions[i].clsid, NULL, CLSCTX_LOCAL_SERVER, &IID_IBackgroundCopyManager,
                              (void **)&manager);
        if (SUCCEEDED(hr))
        {
            IBackgroundCopyManager_Release(manager);
            break;
        }
    }
    if (i == ARRAY_SIZE(versions)) return report_error(ctx, hr, L"connect to BITS");
    if (ctx->raw)
    {
        out_str(versions[i].version);
        return BITSADMIN_EXIT_OK;
    }
    out_fmt(L"BITS version %ls", versions[i].version);
    if (qmgr_file_version(file_version, ARRAY_SIZE(file_version))) out_fmt(L" (qmgr.dll %ls)", file_version);
    out_nl();
    return BITSADMIN_EXIT_OK;
}

static int cmd_util(struct bitsadmin *ctx, int argc, WCHAR **argv)
{
    if (is_switch(argv[0], L"version"))
    {
        if (argc > 2 || (argc == 2 && !is_switch(argv[1], L"verbose")))
            return usage_error(ctx, L"Invalid argument: %ls", argv[1]);
        return show_version(ctx);
    }
    if (is_switch(argv[0], L"help") || is_switch(argv[0], L"?"))
    {
        out_str(L"/util /version [/verbose]\n    Shows the BITS version.\n"
                L"/util /getieproxy <account> [/conn <name>]\n"
                L"    Shows the Internet proxy settings of a service account (LOCALSYSTEM, NETWORKSERVICE or\n"
                L"    LOCALSERVICE), which its jobs with the proxy usage PRECONFIG use.\n"
                L"/util /setieproxy <account> <usage> [/conn <name>]\n"
                L"    Sets them; <usage> is NO_PROXY, AUTODETECT, MANUAL_PROXY <proxy list> <bypass list|NULL>,\n"
                L"    AUTOSCRIPT <script URL> or RESET (removes them).\n"
                L"/util /enableanalyticchannel TRUE|FALSE\n"
                L"    Enables or disables the BITS analytic event channel (C:\\windows\\Logs\\Bits\\analytic.log).\n"
                L"/util /help\n    Shows this help.\n"
                L"/util /repairservice is not available in this version.\n");
        return BITSADMIN_EXIT_OK;
    }
    if (is_switch(argv[0], L"getieproxy")) return util_getieproxy(ctx, argc - 1, argv + 1);
    if (is_switch(argv[0], L"setieproxy")) return util_setieproxy(ctx, argc - 1, argv + 1);
    if (is_switch(argv[0], L"enableanalyticchannel")) return util_enableanalyticchannel(ctx, argc - 1, argv + 1);
    if (is_switch(argv[0], L"repairservice"))
    {
        WCHAR action[64];

        _snwprintf(action, ARRAY_SIZE(action), L"run /util /%ls", argv[0] + 1);
        action[ARRAY_SIZE(action) - 1] = 0;
        return report_error(ctx, E_NOTIMPL, action);
    }
    return usage_error(ctx, L"Unknown switch: %ls", argv[0]);
}

static int cmd_not_supported(struct bitsadmin *ctx, int argc, WCHAR **argv)
{
    WCHAR action[64];

    _snwprintf(action, ARRAY_SIZE(action), L"run /%ls", ctx->command->name);
    action[ARRAY_SIZE(action) - 1] = 0;
    return report_error(ctx, E_NOTIMPL, action);
}

int __cdecl wmain(int argc, WCHAR **argv)
{
    struct bitsadmin ctx = { 0 };
    const struct command *cmd;
    int i = 1, wrap = -1, ret;
    HRESULT hr;

    /* Global options come before the command; /rawreturn must be the very first. */
    if (argc > 1 && is_switch(argv[1], L"rawreturn"))
    {
        ctx.raw = TRUE;
        i++;
    }
    for (; i < argc; i++)
    {
        if (is_switch(argv[i], L"wrap")) wrap = 1;
        else if (is_switch(argv[i], L"nowrap")) wrap = 0;
        else break;
    }
    output_init(wrap);
    if (!ctx.raw) out_banner();

    if (i >= argc) return cmd_help(&ctx, 0, NULL);
    if (is_switch(argv[i], L"rawreturn"))
        return usage_error(&ctx, L"/rawreturn must be the first switch.");
    if (!(cmd = find_command(argv[i]))) return usage_error(&ctx, L"Unknown switch: %ls", argv[i]);
    ctx.command = cmd;
    argc -= i + 1;
    argv += i + 1;
    if (argc < cmd->min_args || (cmd->max_args >= 0 && argc > cmd->max_args))
        return usage_error(&ctx, L"Invalid number of arguments.");

    hr = CoInitializeEx(NULL, COINIT_MULTITHREADED);
    if (FAILED(hr)) return report_error(&ctx, hr, L"initialize COM");
    /* Impersonation with cloaking, so that /sethelpertoken hands over the right token. */
    CoInitializeSecurity(NULL, -1, NULL, NULL, RPC_C_AUTHN_LEVEL_CONNECT, RPC_C_IMP_LEVEL_IMPERSONATE, NULL,
                         EOAC_DYNAMIC_CLOAKING, NULL);

    TRACE("running /%ls with %d arguments\n", cmd->name, argc);
    ret = cmd->run(&ctx, argc, argv);

    if (ctx.manager) IBackgroundCopyManager_Release(ctx.manager);
    CoUninitialize();
    return ret;
}

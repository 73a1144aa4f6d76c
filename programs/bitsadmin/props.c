/*
 * props.c: the /get* and /set* commands of bitsadmin, one job property each.
 * Getters print the bare value (UNKNOWN or NULL when there is none); setters print
 * "<Property> set to <value>." or "<Property> set." (nothing with /rawreturn).
 * Numbers are accepted in decimal or 0x-hex.
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

/* ---- numeric properties, table-driven ---- */

struct ulong_property
{
    const IID *iid;                                 /* the interface that has the methods */
    HRESULT (*get)(void *iface, ULONG *value);
    HRESULT (*set)(void *iface, ULONG value);
    const WCHAR *label;                             /* "Minimum retry delay" */
    const WCHAR *action;                            /* "minimum retry delay" for errors */
};

static HRESULT get_min_retry(void *job, ULONG *v) { return IBackgroundCopyJob_GetMinimumRetryDelay((IBackgroundCopyJob *)job, v); }
static HRESULT set_min_retry(void *job, ULONG v) { return IBackgroundCopyJob_SetMinimumRetryDelay((IBackgroundCopyJob *)job, v); }
static HRESULT get_no_progress(void *job, ULONG *v) { return IBackgroundCopyJob_GetNoProgressTimeout((IBackgroundCopyJob *)job, v); }
static HRESULT set_no_progress(void *job, ULONG v) { return IBackgroundCopyJob_SetNoProgressTimeout((IBackgroundCopyJob *)job, v); }
static HRESULT get_notify_flags(void *job, ULONG *v) { return IBackgroundCopyJob_GetNotifyFlags((IBackgroundCopyJob *)job, v); }
static HRESULT set_notify_flags(void *job, ULONG v) { return IBackgroundCopyJob_SetNotifyFlags((IBackgroundCopyJob *)job, v); }
static HRESULT get_error_count(void *job, ULONG *v) { return IBackgroundCopyJob_GetErrorCount((IBackgroundCopyJob *)job, v); }
static HRESULT get_max_time(void *job, ULONG *v) { return IBackgroundCopyJob4_GetMaximumDownloadTime((IBackgroundCopyJob4 *)job, v); }
static HRESULT set_max_time(void *job, ULONG v) { return IBackgroundCopyJob4_SetMaximumDownloadTime((IBackgroundCopyJob4 *)job, v); }
static HRESULT get_peer_flags(void *job, ULONG *v) { return IBackgroundCopyJob4_GetPeerCachingFlags((IBackgroundCopyJob4 *)job, v); }
static HRESULT set_peer_flags(void *job, ULONG v) { return IBackgroundCopyJob4_SetPeerCachingFlags((IBackgroundCopyJob4 *)job, v); }
static HRESULT get_integrity(void *job, ULONG *v) { return IBackgroundCopyJob4_GetOwnerIntegrityLevel((IBackgroundCopyJob4 *)job, v); }
static HRESULT get_security(void *http, ULONG *v) { return IBackgroundCopyJobHttpOptions_GetSecurityFlags((IBackgroundCopyJobHttpOptions *)http, v); }
static HRESULT set_security(void *http, ULONG v) { return IBackgroundCopyJobHttpOptions_SetSecurityFlags((IBackgroundCopyJobHttpOptions *)http, v); }
static HRESULT get_helper_flags(void *token, ULONG *v) { return IBitsTokenOptions_GetHelperTokenFlags((IBitsTokenOptions *)token, v); }
static HRESULT set_helper_flags(void *token, ULONG v) { return IBitsTokenOptions_SetHelperTokenFlags((IBitsTokenOptions *)token, v); }

static const struct ulong_property min_retry_delay =
    { &IID_IBackgroundCopyJob, get_min_retry, set_min_retry, L"Minimum retry delay", L"minimum retry delay" };
static const struct ulong_property no_progress_timeout =
    { &IID_IBackgroundCopyJob, get_no_progress, set_no_progress, L"No progress timeout", L"no progress timeout" };
static const struct ulong_property notify_flags =
    { &IID_IBackgroundCopyJob, get_notify_flags, set_notify_flags, L"Notification flags", L"notification flags" };
static const struct ulong_property error_count =
    { &IID_IBackgroundCopyJob, get_error_count, NULL, L"Error count", L"error count" };
static const struct ulong_property max_download_time =
    { &IID_IBackgroundCopyJob4, get_max_time, set_max_time, L"Maximum download time", L"maximum download time" };
static const struct ulong_property peer_caching_flags =
    { &IID_IBackgroundCopyJob4, get_peer_flags, set_peer_flags, L"Peer caching flags", L"peer caching flags" };
static const struct ulong_property integrity_level =
    { &IID_IBackgroundCopyJob4, get_integrity, NULL, L"Owner integrity level", L"owner integrity level" };
static const struct ulong_property security_flags =
    { &IID_IBackgroundCopyJobHttpOptions, get_security, set_security, L"Security flags", L"security flags" };
static const struct ulong_property helper_token_flags =
    { &IID_IBitsTokenOptions, get_helper_flags, set_helper_flags, L"Helper token flags", L"helper token flags" };

static int get_ulong(struct bitsadmin *ctx, const WCHAR *name, const struct ulong_property *prop, ULONG *value)
{
    WCHAR action[80];
    IUnknown *iface;
    HRESULT hr;
    int ret;

    if ((ret = open_job(ctx, name, prop->iid, (void **)&iface))) return ret;
    hr = prop->get(iface, value);
    IUnknown_Release(iface);
    if (FAILED(hr))
    {
        _snwprintf(action, ARRAY_SIZE(action), L"get %ls", prop->action);
        action[ARRAY_SIZE(action) - 1] = 0;
        return report_error(ctx, hr, action);
    }
    return BITSADMIN_EXIT_OK;
}

static int print_ulong(struct bitsadmin *ctx, const WCHAR *name, const struct ulong_property *prop)
{
    ULONG value;
    int ret;

    if ((ret = get_ulong(ctx, name, prop, &value))) return ret;
    out_value_fmt(ctx, L"%lu", value);
    return BITSADMIN_EXIT_OK;
}

static int set_ulong_value(struct bitsadmin *ctx, const WCHAR *name, const struct ulong_property *prop, ULONG value,
                           const WCHAR *shown)
{
    WCHAR action[80];
    IUnknown *iface;
    HRESULT hr;
    int ret;

    if ((ret = open_job(ctx, name, prop->iid, (void **)&iface))) return ret;
    hr = prop->set(iface, value);
    IUnknown_Release(iface);
    if (FAILED(hr))
    {
        _snwprintf(action, ARRAY_SIZE(action), L"set %ls", prop->action);
        action[ARRAY_SIZE(action) - 1] = 0;
        return report_error(ctx, hr, action);
    }
    out_msg(ctx, L"%ls set to %ls.\n", prop->label, shown);
    return BITSADMIN_EXIT_OK;
}

static int set_ulong(struct bitsadmin *ctx, WCHAR **argv, const struct ulong_property *prop)
{
    WCHAR shown[16];
    ULONG value;

    if (!parse_ulong(argv[1], &value)) return usage_error(ctx, L"Invalid number: %ls", argv[1]);
    _snwprintf(shown, ARRAY_SIZE(shown), L"%lu", value);
    shown[ARRAY_SIZE(shown) - 1] = 0;
    return set_ulong_value(ctx, argv[0], prop, value, shown);
}

int cmd_getminretrydelay(struct bitsadmin *ctx, int argc, WCHAR **argv) { return print_ulong(ctx, argv[0], &min_retry_delay); }
int cmd_getnoprogresstimeout(struct bitsadmin *ctx, int argc, WCHAR **argv) { return print_ulong(ctx, argv[0], &no_progress_timeout); }
int cmd_getnotifyflags(struct bitsadmin *ctx, int argc, WCHAR **argv) { return print_ulong(ctx, argv[0], &notify_flags); }
int cmd_geterrorcount(struct bitsadmin *ctx, int argc, WCHAR **argv) { return print_ulong(ctx, argv[0], &error_count); }
int cmd_getmaxdownloadtime(struct bitsadmin *ctx, int argc, WCHAR **argv) { return print_ulong(ctx, argv[0], &max_download_time); }
int cmd_getpeercachingflags(struct bitsadmin *ctx, int argc, WCHAR **argv) { return print_ulong(ctx, argv[0], &peer_caching_flags); }
int cmd_getsecurityflags(struct bitsadmin *ctx, int argc, WCHAR **argv) { return print_ulong(ctx, argv[0], &security_flags); }
int cmd_gethelpertokenflags(struct bitsadmin *ctx, int argc, WCHAR **argv) { return print_ulong(ctx, argv[0], &helper_token_flags); }

int cmd_setminretrydelay(struct bitsadmin *ctx, int argc, WCHAR **argv) { return set_ulong(ctx, argv, &min_retry_delay); }
int cmd_setnoprogresstimeout(struct bitsadmin *ctx, int argc, WCHAR **argv) { return set_ulong(ctx, argv, &no_progress_timeout); }
int cmd_setnotifyflags(struct bitsadmin *ctx, int argc, WCHAR **argv) { return set_ulong(ctx, argv, &notify_flags); }
int cmd_setmaxdownloadtime(struct bitsadmin *ctx, int argc, WCHAR **argv) { return set_ulong(ctx, argv, &max_download_time); }
int cmd_setpeercachingflags(struct bitsadmin *ctx, int argc, WCHAR **argv) { return set_ulong(ctx, argv, &peer_caching_flags); }
int cmd_setsecurityflags(struct bitsadmin *ctx, int argc, WCHAR **argv) { return set_ulong(ctx, argv, &security_flags); }
int cmd_sethelpertokenflags(struct bitsadmin *ctx, int argc, WCHAR **argv) { return set_ulong(ctx, argv, &helper_token_flags); }

int cmd_getownerintegritylevel(struct bitsadmin *ctx, int argc, WCHAR **argv)
{
    static const struct { ULONG rid; const WCHAR *name; } levels[] =
    {
        { SECURITY_MANDATORY_UNTRUSTED_RID, L"UNTRUSTED" }, { SECURITY_MANDATORY_LOW_RID, L"LOW" },
        { SECURITY_MANDATORY_MEDIUM_RID, L"MEDIUM" }, { SECURITY_MANDATORY_HIGH_RID, L"HIGH" },
        { SECURITY_MANDATORY_SYSTEM_RID, L"SYSTEM" },
    };
    unsigned int i;
    ULONG value;
    int ret;

    if ((ret = get_ulong(ctx, argv[0], &integrity_level, &value))) return ret;
    for (i = 0; i < ARRAY_SIZE(levels); i++)
        if (levels[i].rid == value)
        {
            out_value(ctx, levels[i].name);
            return BITSADMIN_EXIT_OK;
        }
    out_value_fmt(ctx, L"0x%lx", value);
    return BITSADMIN_EXIT_OK;
}

int cmd_getownerelevationstate(struct bitsadmin *ctx, int argc, WCHAR **argv)
{
    IBackgroundCopyJob4 *job;
    BOOL elevated;
    HRESULT hr;
    int ret;

    if ((ret = open_job(ctx, argv[0], &IID_IBackgroundCopyJob4, (void **)&job))) return ret;
    hr = IBackgroundCopyJob4_GetOwnerElevationState(job, &elevated);
    IBackgroundCopyJob4_Release(job);
    if (FAILED(hr)) return report_error(ctx, hr, L"get owner elevation state");
    out_value(ctx, elevated ? L"TRUE" : L"FALSE");
    return BITSADMIN_EXIT_OK;
}

/* ACL flags as letters: O owner, G group, D DACL, S SACL. */
static const WCHAR acl_letters[] = { 'O', 'G', 'D', 'S' };

int cmd_getaclflags(struct bitsadmin *ctx, int argc, WCHAR **argv)
{
    IBackgroundCopyJob3 *job;
    WCHAR letters[8];
    DWORD flags;
    HRESULT hr;
    int ret, i, n = 0;

    if ((ret = open_job(ctx, argv[0], &IID_IBackgroundCopyJob3, (void **)&job))) return ret;
    hr = IBackgroundCopyJob3_GetFileACLFlags(job, &flags);
    IBackgroundCopyJob3_Release(job);
    if (FAILED(hr)) return report_error(ctx, hr, L"get ACL flags");
    for (i = 0; i < 4; i++) if (flags & (1 << i)) letters[n++] = acl_letters[i];
    letters[n] = 0;
    out_value(ctx, n ? letters : L"NONE");
    return BITSADMIN_EXIT_OK;
}

int cmd_setaclflags(struct bitsadmin *ctx, int argc, WCHAR **argv)
{
    IBackgroundCopyJob3 *job;
    const WCHAR *p;
    DWORD flags = 0;
    HRESULT hr;
    int ret, i;

    if (_wcsicmp(argv[1], L"NONE") && !parse_ulong(argv[1], &flags))
    {
        for (p = argv[1]; *p; p++)
        {
            for (i = 0; i < 4; i++) if (towupper(*p) == acl_letters[i]) break;
            if (i == 4) return usage_error(ctx, L"Invalid ACL flags: %ls", argv[1]);
            flags |= 1 << i;
        }
    }
    if ((ret = open_job(ctx, argv[0], &IID_IBackgroundCopyJob3, (void **)&job))) return ret;
    hr = IBackgroundCopyJob3_SetFileACLFlags(job, flags);
    IBackgroundCopyJob3_Release(job);
    if (FAILED(hr)) return report_error(ctx, hr, L"set ACL flags");
    out_msg(ctx, L"ACL flags set to %ls.\n", argv[1]);
    return BITSADMIN_EXIT_OK;
}

/* ---- progress and times ---- */

static int get_progress(struct bitsadmin *ctx, const WCHAR *name, BG_JOB_PROGRESS *progress)
{
    IBackgroundCopyJob *job;
    HRESULT hr;
    int ret;

    if ((ret = open_job(ctx, name, &IID_IBackgroundCopyJob, (void **)&job))) return ret;
    hr = IBackgroundCopyJob_GetProgress(job, progress);
    IBackgroundCopyJob_Release(job);
    if (FAILED(hr)) return report_error(ctx, hr, L"get progress");
    return BITSADMIN_EXIT_OK;
}

int cmd_getbytestotal(struct bitsadmin *ctx, int argc, WCHAR **argv)
{
    BG_JOB_PROGRESS progress;
    WCHAR total[32];
    int ret;

    if ((ret = get_progress(ctx, argv[0], &progress))) return ret;
    format_size(progress.BytesTotal, total, ARRAY_SIZE(total));
    out_value(ctx, total);
    return BITSADMIN_EXIT_OK;
}

int cmd_getbytestransferred(struct bitsadmin *ctx, int argc, WCHAR **argv)
{
    BG_JOB_PROGRESS progress;
    int ret;

    if ((ret = get_progress(ctx, argv[0], &progress))) return ret;
    out_value_fmt(ctx, L"%I64u", progress.BytesTransferred);
    return BITSADMIN_EXIT_OK;
}

int cmd_getfilestotal(struct bitsadmin *ctx, int argc, WCHAR **argv)
{
    BG_JOB_PROGRESS progress;
    int ret;

    if ((ret = get_progress(ctx, argv[0], &progress))) return ret;
    out_value_fmt(ctx, L"%lu", progress.FilesTotal);
    return BITSADMIN_EXIT_OK;
}

int cmd_getfilestransferred(struct bitsadmin *ctx, int argc, WCHAR **argv)
{
    BG_JOB_PROGRESS progress;
    int ret;

    if ((ret = get_progress(ctx, argv[0], &progress))) return ret;
    out_value_fmt(ctx, L"%lu", progress.FilesTransferred);
    return BITSADMIN_EXIT_OK;
}

enum job_time { TIME_CREATION, TIME_MODIFICATION, TIME_COMPLETION };

static int print_time(struct bitsadmin *ctx, const WCHAR *name, enum job_time which)
{
    IBackgroundCopyJob *job;
    BG_JOB_TIMES times;
    WCHAR buf[64];
    HRESULT hr;
    int ret;

    if ((ret = open_job(ctx, name, &IID_IBackgroundCopyJob, (void **)&job))) return ret;
    hr = IBackgroundCopyJob_GetTimes(job, &times);
    IBackgroundCopyJob_Release(job);
    if (FAILED(hr)) return report_error(ctx, hr, L"get job times");
    format_filetime(which == TIME_CREATION ? &times.CreationTime
                    : which == TIME_MODIFICATION ? &times.ModificationTime : &times.TransferCompletionTime,
                    buf, ARRAY_SIZE(buf));
    out_value(ctx, buf);
    return BITSADMIN_EXIT_OK;
}

int cmd_getcreationtime(struct bitsadmin *ctx, int argc, WCHAR **argv) { return print_time(ctx, argv[0], TIME_CREATION); }
int cmd_getmodificationtime(struct bitsadmin *ctx, int argc, WCHAR **argv) { return print_time(ctx, argv[0], TIME_MODIFICATION); }
int cmd_getcompletiontime(struct bitsadmin *ctx, int argc, WCHAR **argv) { return print_time(ctx, argv[0], TIME_COMPLETION); }

/* ---- string properties ---- */

struct string_property
{
    const IID *iid;
    HRESULT (*get)(void *iface, WCHAR **value);
    HRESULT (*set)(void *iface, const WCHAR *value);
    BOOL null_allowed;                              /* the setter takes NULL for "none" */
    const WCHAR *label, *action;
    BOOL reply;                                     /* upload-reply jobs only (E_NOTIMPL otherwise) */
};

/* The reply methods answer E_NOTIMPL for jobs of another type: say so plainly. */
static int report_reply_error(struct bitsadmin *ctx, HRESULT hr, const WCHAR *action)
{
    report_error(ctx, hr, action);
    if (hr == E_NOTIMPL)
        out_fmt(L"/%ls works only on upload-reply jobs (bitsadmin /create /upload-reply <name>).\n",
                ctx->command ? ctx->command->name : L"");
    return BITSADMIN_EXIT_FAILURE;
}

static HRESULT get_description(void *job, WCHAR **v) { return IBackgroundCopyJob_GetDescription((IBackgroundCopyJob *)job, v); }
static HRESULT set_description(void *job, const WCHAR *v) { return IBackgroundCopyJob_SetDescription((IBackgroundCopyJob *)job, v); }
static HRESULT get_display_name(void *job, WCHAR **v) { return IBackgroundCopyJob_GetDisplayName((IBackgroundCopyJob *)job, v); }
static HRESULT set_display_name(void *job, const WCHAR *v) { return IBackgroundCopyJob_SetDisplayName((IBackgroundCopyJob *)job, v); }
static HRESULT get_reply_name(void *job, WCHAR **v) { return IBackgroundCopyJob2_GetReplyFileName((IBackgroundCopyJob2 *)job, v); }
static HRESULT set_reply_name(void *job, const WCHAR *v) { return IBackgroundCopyJob2_SetReplyFileName((IBackgroundCopyJob2 *)job, v); }
static HRESULT get_http_method(void *http, WCHAR **v) { return IBackgroundCopyJobHttpOptions2_GetHttpMethod((IBackgroundCopyJobHttpOptions2 *)http, v); }
static HRESULT set_http_method(void *http, const WCHAR *v) { return IBackgroundCopyJobHttpOptions2_SetHttpMethod((IBackgroundCopyJobHttpOptions2 *)http, v); }
static HRESULT get_helper_sid(void *token, WCHAR **v) { return IBitsTokenOptions_GetHelperTokenSid((IBitsTokenOptions *)token, v); }

static const struct string_property description =
    { &IID_IBackgroundCopyJob, get_description, set_description, FALSE, L"Description", L"description", FALSE };
static const struct string_property display_name =
    { &IID_IBackgroundCopyJob, get_display_name, set_display_name, FALSE, L"Display name", L"display name", FALSE };
static const struct string_property reply_file_name =
    { &IID_IBackgroundCopyJob2, get_reply_name, set_reply_name, TRUE, L"Reply file name", L"reply file name", TRUE };
static const struct string_property http_method =
    { &IID_IBackgroundCopyJobHttpOptions2, get_http_method, set_http_method, FALSE, L"HTTP method", L"HTTP method", FALSE };
static const struct string_property helper_token_sid =
    { &IID_IBitsTokenOptions, get_helper_sid, NULL, FALSE, L"Helper token SID", L"helper token SID", FALSE };

static int print_string(struct bitsadmin *ctx, const WCHAR *name, const struct string_property *prop)
{
    WCHAR action[80], *value = NULL;
    IUnknown *iface;
    HRESULT hr;
    int ret;

    if ((ret = open_job(ctx, name, prop->iid, (void **)&iface))) return ret;
    hr = prop->get(iface, &value);
    IUnknown_Release(iface);
    if (FAILED(hr))
    {
        _snwprintf(action, ARRAY_SIZE(action), L"get %ls", prop->action);
        action[ARRAY_SIZE(action) - 1] = 0;
        return prop->reply ? report_reply_error(ctx, hr, action) : report_error(ctx, hr, action);
    }
    out_value(ctx, str_or_null(value));
    CoTaskMemFree(value);
    return BITSADMIN_EXIT_OK;
}

static int set_string(struct bitsadmin *ctx, WCHAR **argv, const struct string_property *prop)
{
    const WCHAR *value = prop->null_allowed ? null_arg(argv[1]) : argv[1];
    WCHAR action[80];
    IUnknown *iface;
    HRESULT hr;
    int ret;

    if ((ret = open_job(ctx, argv[0], prop->iid, (void **)&iface))) return ret;
    hr = prop->set(iface, value);
    IUnknown_Release(iface);
    if (FAILED(hr))
    {
        _snwprintf(action, ARRAY_SIZE(action), L"set %ls", prop->action);
        action[ARRAY_SIZE(action) - 1] = 0;
        return prop->reply ? report_reply_error(ctx, hr, action) : report_error(ctx, hr, action);
    }
    if (!ctx->raw)
    {
        out_str(prop->label);
        out_str(L" set to ");
        out_str(str_or_null(value));
        out_str(L".\n");
    }
    return BITSADMIN_EXIT_OK;
}

int cmd_getdescription(struct bitsadmin *ctx, int argc, WCHAR **argv) { return print_string(ctx, argv[0], &description); }
int cmd_getdisplayname(struct bitsadmin *ctx, int argc, WCHAR **argv) { return print_string(ctx, argv[0], &display_name); }
int cmd_getreplyfilename(struct bitsadmin *ctx, int argc, WCHAR **argv) { return print_string(ctx, argv[0], &reply_file_name); }
int cmd_gethttpmethod(struct bitsadmin *ctx, int argc, WCHAR **argv) { return print_string(ctx, argv[0], &http_method); }
int cmd_gethelpertokensid(struct bitsadmin *ctx, int argc, WCHAR **argv) { return print_string(ctx, argv[0], &helper_token_sid); }

int cmd_setdescription(struct bitsadmin *ctx, int argc, WCHAR **argv) { return set_string(ctx, argv, &description); }
int cmd_setdisplayname(struct bitsadmin *ctx, int argc, WCHAR **argv) { return set_string(ctx, argv, &display_name); }
int cmd_setreplyfilename(struct bitsadmin *ctx, int argc, WCHAR **argv) { return set_string(ctx, argv, &reply_file_name); }
int cmd_sethttpmethod(struct bitsadmin *ctx, int argc, WCHAR **argv) { return set_string(ctx, argv, &http_method); }

/* ---- the other getters ---- */

int cmd_getstate(struct bitsadmin *ctx, int argc, WCHAR **argv)
{
    IBackgroundCopyJob *job;
    BG_JOB_STATE state;
    HRESULT hr;
    int ret;

    if ((ret = open_job(ctx, argv[0], &IID_IBackgroundCopyJob, (void **)&job))) return ret;
    hr = IBackgroundCopyJob_GetState(job, &state);
    IBackgroundCopyJob_Release(job);
    if (FAILED(hr)) return report_error(ctx, hr, L"get state");
    out_value(ctx, state_name(state));
    return BITSADMIN_EXIT_OK;
}

int cmd_gettype(struct bitsadmin *ctx, int argc, WCHAR **argv)
{
    IBackgroundCopyJob *job;
    BG_JOB_TYPE type;
    HRESULT hr;
    int ret;

    if ((ret = open_job(ctx, argv[0], &IID_IBackgroundCopyJob, (void **)&job))) return ret;
    hr = IBackgroundCopyJob_GetType(job, &type);
    IBackgroundCopyJob_Release(job);
    if (FAILED(hr)) return report_error(ctx, hr, L"get type");
    out_value(ctx, type_name(type));
    return BITSADMIN_EXIT_OK;
}

int cmd_getpriority(struct bitsadmin *ctx, int argc, WCHAR **argv)
{
    IBackgroundCopyJob *job;
    BG_JOB_PRIORITY priority;
    HRESULT hr;
    int ret;

    if ((ret = open_job(ctx, argv[0], &IID_IBackgroundCopyJob, (void **)&job))) return ret;
    hr = IBackgroundCopyJob_GetPriority(job, &priority);
    IBackgroundCopyJob_Release(job);
    if (FAILED(hr)) return report_error(ctx, hr, L"get priority");
    out_value(ctx, priority_name(priority));
    return BITSADMIN_EXIT_OK;
}

int cmd_getowner(struct bitsadmin *ctx, int argc, WCHAR **argv)
{
    IBackgroundCopyJob *job;
    WCHAR *sid = NULL, owner[300];
    HRESULT hr;
    int ret;

    if ((ret = open_job(ctx, argv[0], &IID_IBackgroundCopyJob, (void **)&job))) return ret;
    hr = IBackgroundCopyJob_GetOwner(job, &sid);
    IBackgroundCopyJob_Release(job);
    if (FAILED(hr)) return report_error(ctx, hr, L"get owner");
    format_owner(sid, owner, ARRAY_SIZE(owner));
    out_value(ctx, owner);
    CoTaskMemFree(sid);
    return BITSADMIN_EXIT_OK;
}

int cmd_getnotifyinterface(struct bitsadmin *ctx, int argc, WCHAR **argv)
{
    IBackgroundCopyJob *job;
    IUnknown *callback = NULL;
    HRESULT hr;
    int ret;

    if ((ret = open_job(ctx, argv[0], &IID_IBackgroundCopyJob, (void **)&job))) return ret;
    hr = IBackgroundCopyJob_GetNotifyInterface(job, &callback);
    IBackgroundCopyJob_Release(job);
    if (FAILED(hr)) return report_error(ctx, hr, L"get notify interface");
    out_value(ctx, callback ? L"REGISTERED" : L"UNREGISTERED");
    if (callback) IUnknown_Release(callback);
    return BITSADMIN_EXIT_OK;
}

/* Quotes an item that contains a space, so the output can be passed back to /setnotifycmdline. */
static void out_cmdline_item(const WCHAR *item)
{
    BOOL quote = item && wcschr(item, ' ');

    if (quote) out_str(L"\"");
    out_str(str_or_null(item));
    if (quote) out_str(L"\"");
}

int cmd_getnotifycmdline(struct bitsadmin *ctx, int argc, WCHAR **argv)
{
    IBackgroundCopyJob2 *job;
    WCHAR *program = NULL, *params = NULL;
    HRESULT hr;
    int ret;

    if ((ret = open_job(ctx, argv[0], &IID_IBackgroundCopyJob2, (void **)&job))) return ret;
    hr = IBackgroundCopyJob2_GetNotifyCmdLine(job, &program, &params);
    IBackgroundCopyJob2_Release(job);
    if (FAILED(hr)) return report_error(ctx, hr, L"get notification command line");
    out_cmdline_item(program);
    out_str(L" ");
    out_cmdline_item(params);
    if (!ctx->raw) out_nl();
    CoTaskMemFree(program);
    CoTaskMemFree(params);
    return BITSADMIN_EXIT_OK;
}

enum proxy_part { PROXY_USAGE, PROXY_LIST, PROXY_BYPASS };

static int print_proxy(struct bitsadmin *ctx, const WCHAR *name, enum proxy_part part)
{
    IBackgroundCopyJob *job;
    BG_JOB_PROXY_USAGE usage;
    WCHAR *list = NULL, *bypass = NULL;
    HRESULT hr;
    int ret;

    if ((ret = open_job(ctx, name, &IID_IBackgroundCopyJob, (void **)&job))) return ret;
    hr = IBackgroundCopyJob_GetProxySettings(job, &usage, &list, &bypass);
    IBackgroundCopyJob_Release(job);
    if (FAILED(hr)) return report_error(ctx, hr, L"get proxy settings");
    if (part == PROXY_USAGE) out_value(ctx, proxy_usage_name(usage));
    else out_value(ctx, str_or_null(part == PROXY_LIST ? list : bypass));
    CoTaskMemFree(list);
    CoTaskMemFree(bypass);
    return BITSADMIN_EXIT_OK;
}

int cmd_getproxyusage(struct bitsadmin *ctx, int argc, WCHAR **argv) { return print_proxy(ctx, argv[0], PROXY_USAGE); }
int cmd_getproxylist(struct bitsadmin *ctx, int argc, WCHAR **argv) { return print_proxy(ctx, argv[0], PROXY_LIST); }
int cmd_getproxybypasslist(struct bitsadmin *ctx, int argc, WCHAR **argv) { return print_proxy(ctx, argv[0], PROXY_BYPASS); }

int cmd_getreplyprogress(struct bitsadmin *ctx, int argc, WCHAR **argv)
{
    BG_JOB_REPLY_PROGRESS progress;
    IBackgroundCopyJob2 *job;
    WCHAR total[32];
    HRESULT hr;
    int ret;

    if ((ret = open_job(ctx, argv[0], &IID_IBackgroundCopyJob2, (void **)&job))) return ret;
    hr = IBackgroundCopyJob2_GetReplyProgress(job, &progress);
    IBackgroundCopyJob2_Release(job);
    if (FAILED(hr)) return report_reply_error(ctx, hr, L"get reply progress");
    format_size(progress.BytesTotal, total, ARRAY_SIZE(total));
    out_value_fmt(ctx, L"%I64u / %ls", progress.BytesTransferred, total);
    return BITSADMIN_EXIT_OK;
}

/* Hex dump, 16 bytes a line; /rawreturn gives the bare hex digits. */
int cmd_getreplydata(struct bitsadmin *ctx, int argc, WCHAR **argv)
{
    IBackgroundCopyJob2 *job;
    UINT64 length = 0, i, j;
    BYTE *data = NULL;
    HRESULT hr;
    int ret;

    if ((ret = open_job(ctx, argv[0], &IID_IBackgroundCopyJob2, (void **)&job))) return ret;
    hr = IBackgroundCopyJob2_GetReplyData(job, &data, &length);
    IBackgroundCopyJob2_Release(job);
    if (FAILED(hr)) return report_reply_error(ctx, hr, L"get reply data");
    if (ctx->raw)
    {
        for (i = 0; data && i < length; i++) out_fmt(L"%02x", data[i]);
    }
    else
    {
        out_fmt(L"Reply data: %I64u byte(s)\n", data ? length : 0);
        for (i = 0; data && i < length; i += 16)
        {
            WCHAR text[17];

            out_fmt(L"%08I64x ", i);
            for (j = 0; j < 16; j++)
            {
                if (i + j < length)
                {
                    out_fmt(L" %02x", data[i + j]);
                    text[j] = data[i + j] >= 0x20 && data[i + j] < 0x7f ? data[i + j] : '.';
                }
                else
                {
                    out_str(L"   ");
                    text[j] = 0;
                }
            }
            text[16] = 0;
            out_fmt(L"  %ls\n", text);
        }
    }
    CoTaskMemFree(data);
    return BITSADMIN_EXIT_OK;
}

int cmd_geterror(struct bitsadmin *ctx, int argc, WCHAR **argv)
{
    IBackgroundCopyError *error;
    IBackgroundCopyJob *job;
    BG_ERROR_CONTEXT context;
    HRESULT hr, code;
    int ret;

    if ((ret = open_job(ctx, argv[0], &IID_IBackgroundCopyJob, (void **)&job))) return ret;
    hr = IBackgroundCopyJob_GetError(job, &error);
    IBackgroundCopyJob_Release(job);
    if (FAILED(hr)) return report_error(ctx, hr, L"get error");
    if (FAILED(hr = IBackgroundCopyError_GetError(error, &context, &code)))
    {
        IBackgroundCopyError_Release(error);
        return report_error(ctx, hr, L"get error");
    }
    if (ctx->raw)
    {
        out_fmt(L"0x%08lx", (unsigned long)code);
        IBackgroundCopyError_Release(error);
        return BITSADMIN_EXIT_OK;
    }
    out_job_error(error);
    IBackgroundCopyError_Release(error);
    return BITSADMIN_EXIT_OK;
}

int cmd_getcustomheaders(struct bitsadmin *ctx, int argc, WCHAR **argv)
{
    IBackgroundCopyJobHttpOptions *http;
    WCHAR *headers = NULL;
    HRESULT hr;
    int ret, len;

    if ((ret = open_job(ctx, argv[0], &IID_IBackgroundCopyJobHttpOptions, (void **)&http))) return ret;
    hr = IBackgroundCopyJobHttpOptions_GetCustomHeaders(http, &headers);
    IBackgroundCopyJobHttpOptions_Release(http);
    if (FAILED(hr))
    {
        if (hr == E_ACCESSDENIED && !ctx->raw) out_str(L"The custom headers are write-only.\n");
        return report_error(ctx, hr, L"get custom headers");
    }
    if (!headers)
    {
        out_value(ctx, L"NULL");
        return BITSADMIN_EXIT_OK;
    }
    /* Each header ends in CRLF; the last one's CRLF is the line end. */
    len = lstrlenW(headers);
    if (len >= 2 && headers[len - 2] == '\r' && headers[len - 1] == '\n') headers[len - 2] = 0;
    out_value(ctx, headers);
    CoTaskMemFree(headers);
    return BITSADMIN_EXIT_OK;
}

int cmd_getclientcertificate(struct bitsadmin *ctx, int argc, WCHAR **argv)
{
    IBackgroundCopyJobHttpOptions *http;
    BG_CERT_STORE_LOCATION location;
    WCHAR *store = NULL, *subject = NULL;
    BYTE *hash = NULL;
    BOOL has_hash = FALSE;
    HRESULT hr;
    int ret, i;

    if ((ret = open_job(ctx, argv[0], &IID_IBackgroundCopyJobHttpOptions, (void **)&http))) return ret;
    hr = IBackgroundCopyJobHttpOptions_GetClientCertificate(http, &location, &store, &hash, &subject);
    IBackgroundCopyJobHttpOptions_Release(http);
    /* No certificate: the service fails with NULL out pointers, which the proxy may turn into
     * RPC_X_NULL_REF_POINTER (the hash is a [ref] array). */
    if (hr == HRESULT_FROM_WIN32(ERROR_NOT_FOUND) || hr == (HRESULT)BG_E_NOT_FOUND
        || hr == HRESULT_FROM_WIN32(RPC_X_NULL_REF_POINTER) || (SUCCEEDED(hr) && !store))
    {
        out_value(ctx, L"NULL");
        CoTaskMemFree(store);
        CoTaskMemFree(hash);
        CoTaskMemFree(subject);
        return BITSADMIN_EXIT_OK;
    }
    if (FAILED(hr)) return report_error(ctx, hr, L"get client certificate");
    for (i = 0; hash && i < 20; i++) if (hash[i]) has_hash = TRUE;
    if (!ctx->raw) out_str(L"STORE LOCATION: ");
    out_str(cert_location_name(location));
    out_str(ctx->raw ? L" " : L"\nSTORE NAME: ");
    out_str(store);
    out_str(ctx->raw ? L" " : L"\nHASH: ");
    if (has_hash) for (i = 0; i < 20; i++) out_fmt(L"%02X", hash[i]);
    else out_str(L"NULL");
    out_str(ctx->raw ? L" " : L"\nSUBJECT: ");
    out_str(str_or_null(subject));
    if (!ctx->raw) out_nl();
    CoTaskMemFree(store);
    CoTaskMemFree(hash);
    CoTaskMemFree(subject);
    return BITSADMIN_EXIT_OK;
}

int cmd_gettemporaryname(struct bitsadmin *ctx, int argc, WCHAR **argv)
{
    IBackgroundCopyFile3 *file;
    WCHAR *name = NULL;
    HRESULT hr;
    int ret;

    if ((ret = open_job_file(ctx, argv[0], argv[1], &IID_IBackgroundCopyFile3, (void **)&file))) return ret;
    hr = IBackgroundCopyFile3_GetTemporaryName(file, &name);
    IBackgroundCopyFile3_Release(file);
    if (FAILED(hr)) return report_error(ctx, hr, L"get temporary name");
    out_value(ctx, str_or_null(name));
    CoTaskMemFree(name);
    return BITSADMIN_EXIT_OK;
}

int cmd_getvalidationstate(struct bitsadmin *ctx, int argc, WCHAR **argv)
{
    IBackgroundCopyFile3 *file;
    BOOL state;
    HRESULT hr;
    int ret;

    if ((ret = open_job_file(ctx, argv[0], argv[1], &IID_IBackgroundCopyFile3, (void **)&file))) return ret;
    hr = IBackgroundCopyFile3_GetValidationState(file, &state);
    IBackgroundCopyFile3_Release(file);
    if (FAILED(hr)) return report_error(ctx, hr, L"get validation state");
    out_value(ctx, state ? L"TRUE" : L"FALSE");
    return BITSADMIN_EXIT_OK;
}

/* ---- the other setters ---- */

int cmd_setvalidationstate(struct bitsadmin *ctx, int argc, WCHAR **argv)
{
    IBackgroundCopyFile3 *file;
    BOOL state;
    HRESULT hr;
    int ret;

    if (!_wcsicmp(argv[2], L"TRUE")) state = TRUE;
    else if (!_wcsicmp(argv[2], L"FALSE")) state = FALSE;
    else return usage_error(ctx, L"Invalid argument: %ls", argv[2]);
    if ((ret = open_job_file(ctx, argv[0], argv[1], &IID_IBackgroundCopyFile3, (void **)&file))) return ret;
    hr = IBackgroundCopyFile3_SetValidationState(file, state);
    IBackgroundCopyFile3_Release(file);
    if (FAILED(hr)) return report_error(ctx, hr, L"set validation state");
    out_msg(ctx, L"Validation state set to %ls.\n", state ? L"TRUE" : L"FALSE");
    return BITSADMIN_EXIT_OK;
}

/* Looks a keyword up in a NULL-terminated list (case-insensitive); returns its index or -1. */
static int find_keyword(const WCHAR *arg, const WCHAR * const *names)
{
    int i;

    for (i = 0; names[i]; i++) if (!_wcsicmp(arg, names[i])) return i;
    return -1;
}

int cmd_setpriority(struct bitsadmin *ctx, int argc, WCHAR **argv)
{
    static const WCHAR * const names[] = { L"FOREGROUND", L"HIGH", L"NORMAL", L"LOW", NULL };
    IBackgroundCopyJob *job;
    HRESULT hr;
    int ret, priority;

    if ((priority = find_keyword(argv[1], names)) < 0) return usage_error(ctx, L"Invalid priority: %ls", argv[1]);
    if ((ret = open_job(ctx, argv[0], &IID_IBackgroundCopyJob, (void **)&job))) return ret;
    hr = IBackgroundCopyJob_SetPriority(job, priority);
    IBackgroundCopyJob_Release(job);
    if (FAILED(hr)) return report_error(ctx, hr, L"set priority");
    out_msg(ctx, L"Priority set to %ls.\n", names[priority]);
    return BITSADMIN_EXIT_OK;
}

int cmd_setnotifycmdline(struct bitsadmin *ctx, int argc, WCHAR **argv)
{
    const WCHAR *program = null_arg(argv[1]), *params = argc > 2 ? null_arg(argv[2]) : NULL;
    IBackgroundCopyJob2 *job;
    HRESULT hr;
    int ret;

    if ((ret = open_job(ctx, argv[0], &IID_IBackgroundCopyJob2, (void **)&job))) return ret;
    hr = IBackgroundCopyJob2_SetNotifyCmdLine(job, program, params);
    IBackgroundCopyJob2_Release(job);
    if (FAILED(hr)) return report_error(ctx, hr, L"set notification command line");
    if (!program) out_msg(ctx, L"Notification command line cleared.\n");
    else out_msg(ctx, L"Notification command line set.\n");
    return BITSADMIN_EXIT_OK;
}

/* bitsadmin takes comma-separated lists; the API wants spaces. */
static WCHAR *proxy_list_arg(const WCHAR *arg)
{
    WCHAR *copy, *p;

    if (is_null_arg(arg)) return NULL;
    if (!(copy = HeapAlloc(GetProcessHeap(), 0, (lstrlenW(arg) + 1) * sizeof(WCHAR)))) return NULL;
    lstrcpyW(copy, arg);
    for (p = copy; *p; p++) if (*p == ',') *p = ' ';
    return copy;
}

int cmd_setproxysettings(struct bitsadmin *ctx, int argc, WCHAR **argv)
{
    static const WCHAR * const names[] = { L"PRECONFIG", L"NO_PROXY", L"OVERRIDE", L"AUTODETECT", NULL };
    WCHAR *list = NULL, *bypass = NULL;
    IBackgroundCopyJob *job;
    HRESULT hr;
    int ret, usage;

    if ((usage = find_keyword(argv[1], names)) < 0) return usage_error(ctx, L"Invalid proxy usage: %ls", argv[1]);
    if (usage == BG_JOB_PROXY_USAGE_OVERRIDE)
    {
        if (argc < 3) return usage_error(ctx, L"OVERRIDE needs a proxy list.");
        list = proxy_list_arg(argv[2]);
        bypass = argc > 3 ? proxy_list_arg(argv[3]) : NULL;
    }
    else if ((argc > 2 && !is_null_arg(argv[2])) || (argc > 3 && !is_null_arg(argv[3])))
        return usage_error(ctx, L"Proxy lists are only allowed with OVERRIDE.");

    if (!(ret = open_job(ctx, argv[0], &IID_IBackgroundCopyJob, (void **)&job)))
    {
        hr = IBackgroundCopyJob_SetProxySettings(job, usage, list, bypass);
        IBackgroundCopyJob_Release(job);
        if (FAILED(hr)) ret = report_error(ctx, hr, L"set proxy settings");
        else out_msg(ctx, L"Proxy usage set to %ls.\n", names[usage]);
    }
    HeapFree(GetProcessHeap(), 0, list);
    HeapFree(GetProcessHeap(), 0, bypass);
    return ret;
}

static const WCHAR * const auth_targets[] = { L"SERVER", L"PROXY", NULL };
static const WCHAR * const auth_schemes[] = { L"BASIC", L"DIGEST", L"NTLM", L"NEGOTIATE", L"PASSPORT", NULL };

static int parse_auth(struct bitsadmin *ctx, WCHAR **argv, BG_AUTH_TARGET *target, BG_AUTH_SCHEME *scheme)
{
    int i;

    if ((i = find_keyword(argv[1], auth_targets)) < 0) return usage_error(ctx, L"Invalid target: %ls", argv[1]);
    *target = BG_AUTH_TARGET_SERVER + i;
    if ((i = find_keyword(argv[2], auth_schemes)) < 0) return usage_error(ctx, L"Invalid scheme: %ls", argv[2]);
    *scheme = BG_AUTH_SCHEME_BASIC + i;
    return BITSADMIN_EXIT_OK;
}

int cmd_setcredentials(struct bitsadmin *ctx, int argc, WCHAR **argv)
{
    BG_AUTH_CREDENTIALS cred;
    IBackgroundCopyJob2 *job;
    HRESULT hr;
    int ret;

    memset(&cred, 0, sizeof(cred));
    if ((ret = parse_auth(ctx, argv, &cred.Target, &cred.Scheme))) return ret;
    cred.Credentials.Basic.UserName = (WCHAR *)null_arg(argv[3]);
    cred.Credentials.Basic.Password = (WCHAR *)null_arg(argv[4]);
    if ((ret = open_job(ctx, argv[0], &IID_IBackgroundCopyJob2, (void **)&job))) return ret;
    hr = IBackgroundCopyJob2_SetCredentials(job, &cred);
    IBackgroundCopyJob2_Release(job);
    if (FAILED(hr)) return report_error(ctx, hr, L"set credentials");
    out_msg(ctx, L"Credentials set for %ls %ls.\n", auth_targets[cred.Target - BG_AUTH_TARGET_SERVER],
            auth_schemes[cred.Scheme - BG_AUTH_SCHEME_BASIC]);
    return BITSADMIN_EXIT_OK;
}

int cmd_removecredentials(struct bitsadmin *ctx, int argc, WCHAR **argv)
{
    IBackgroundCopyJob2 *job;
    BG_AUTH_TARGET target;
    BG_AUTH_SCHEME scheme;
    HRESULT hr;
    int ret;

    if ((ret = parse_auth(ctx, argv, &target, &scheme))) return ret;
    if ((ret = open_job(ctx, argv[0], &IID_IBackgroundCopyJob2, (void **)&job))) return ret;
    hr = IBackgroundCopyJob2_RemoveCredentials(job, target, scheme);
    IBackgroundCopyJob2_Release(job);
    if (FAILED(hr)) return report_error(ctx, hr, L"remove credentials");
    if (hr == S_FALSE)
        out_msg(ctx, L"No credentials were set for %ls %ls.\n", auth_targets[target - BG_AUTH_TARGET_SERVER],
                auth_schemes[scheme - BG_AUTH_SCHEME_BASIC]);
    else
        out_msg(ctx, L"Credentials removed for %ls %ls.\n", auth_targets[target - BG_AUTH_TARGET_SERVER],
                auth_schemes[scheme - BG_AUTH_SCHEME_BASIC]);
    return BITSADMIN_EXIT_OK;
}

/* Every header gets a CRLF; no headers, or the single word NULL, clears them. */
int cmd_setcustomheaders(struct bitsadmin *ctx, int argc, WCHAR **argv)
{
    IBackgroundCopyJobHttpOptions *http;
    WCHAR *headers = NULL, *p;
    int i, len = 0, ret;
    HRESULT hr;

    if (argc == 2 && !_wcsicmp(argv[1], L"NULL")) argc = 1;
    for (i = 1; i < argc; i++) len += lstrlenW(argv[i]) + 2;
    if (argc > 1)
    {
        if (!(headers = HeapAlloc(GetProcessHeap(), 0, (len + 1) * sizeof(WCHAR))))
            return report_error(ctx, E_OUTOFMEMORY, L"set custom headers");
        for (p = headers, i = 1; i < argc; i++)
        {
            lstrcpyW(p, argv[i]);
            p += lstrlenW(argv[i]);
            *p++ = '\r';
            *p++ = '\n';
        }
        *p = 0;
    }
    if (!(ret = open_job(ctx, argv[0], &IID_IBackgroundCopyJobHttpOptions, (void **)&http)))
    {
        hr = IBackgroundCopyJobHttpOptions_SetCustomHeaders(http, headers);
        IBackgroundCopyJobHttpOptions_Release(http);
        if (FAILED(hr)) ret = report_error(ctx, hr, L"set custom headers");
        else if (headers) out_msg(ctx, L"Custom headers set (%d header(s)).\n", argc - 1);
        else out_msg(ctx, L"Custom headers cleared.\n");
    }
    HeapFree(GetProcessHeap(), 0, headers);
    return ret;
}

int cmd_makecustomheaderswriteonly(struct bitsadmin *ctx, int argc, WCHAR **argv)
{
    IBackgroundCopyJobHttpOptions3 *http;
    HRESULT hr;
    int ret;

    if ((ret = open_job(ctx, argv[0], &IID_IBackgroundCopyJobHttpOptions3, (void **)&http))) return ret;
    hr = IBackgroundCopyJobHttpOptions3_MakeCustomHeadersWriteOnly(http);
    IBackgroundCopyJobHttpOptions3_Release(http);
    if (FAILED(hr)) return report_error(ctx, hr, L"make custom headers write-only");
    out_msg(ctx, L"Custom headers made write-only.\n");
    return BITSADMIN_EXIT_OK;
}

static BOOL parse_cert_location(const WCHAR *arg, BG_CERT_STORE_LOCATION *location)
{
    static const WCHAR prefix[] = L"BG_CERT_STORE_LOCATION_";
    ULONG value;
    int i;

    if (parse_ulong(arg, &value))
    {
        *location = value;          /* the service judges the range (E_NOTIMPL) */
        return TRUE;
    }
    if (!_wcsnicmp(arg, prefix, ARRAY_SIZE(prefix) - 1)) arg += ARRAY_SIZE(prefix) - 1;
    for (i = 0; i <= BG_CERT_STORE_LOCATION_LOCAL_MACHINE_ENTERPRISE; i++)
        if (!_wcsicmp(arg, cert_location_name(i)))
        {
            *location = i;
            return TRUE;
        }
    return FALSE;
}

static int hex_digit(WCHAR c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* 40 hex digits; spaces and colons between byte pairs are allowed. */
static BOOL parse_hash(const WCHAR *arg, BYTE *hash)
{
    int n = 0, high, low;

    while (*arg)
    {
        if (*arg == ' ' || *arg == ':')
        {
            arg++;
            continue;
        }
        if (n == 20 || (high = hex_digit(arg[0])) < 0 || (low = hex_digit(arg[1])) < 0) return FALSE;
        hash[n++] = high << 4 | low;
        arg += 2;
    }
    return n == 20;
}

int cmd_setclientcertificatebyid(struct bitsadmin *ctx, int argc, WCHAR **argv)
{
    IBackgroundCopyJobHttpOptions *http;
    BG_CERT_STORE_LOCATION location;
    BYTE hash[20];
    HRESULT hr;
    int ret;

    if (!parse_cert_location(argv[1], &location)) return usage_error(ctx, L"Invalid store location: %ls", argv[1]);
    if (!parse_hash(argv[3], hash)) return usage_error(ctx, L"Invalid certificate hash: %ls", argv[3]);
    if ((ret = open_job(ctx, argv[0], &IID_IBackgroundCopyJobHttpOptions, (void **)&http))) return ret;
    hr = IBackgroundCopyJobHttpOptions_SetClientCertificateByID(http, location, argv[2], hash);
    IBackgroundCopyJobHttpOptions_Release(http);
    if (FAILED(hr)) return report_error(ctx, hr, L"set client certificate");
    out_msg(ctx, L"Client certificate set.\n");
    return BITSADMIN_EXIT_OK;
}

int cmd_setclientcertificatebyname(struct bitsadmin *ctx, int argc, WCHAR **argv)
{
    IBackgroundCopyJobHttpOptions *http;
    BG_CERT_STORE_LOCATION location;
    HRESULT hr;
    int ret;

    if (!parse_cert_location(argv[1], &location)) return usage_error(ctx, L"Invalid store location: %ls", argv[1]);
    if ((ret = open_job(ctx, argv[0], &IID_IBackgroundCopyJobHttpOptions, (void **)&http))) return ret;
    hr = IBackgroundCopyJobHttpOptions_SetClientCertificateByName(http, location, argv[2], argv[3]);
    IBackgroundCopyJobHttpOptions_Release(http);
    if (FAILED(hr)) return report_error(ctx, hr, L"set client certificate");
    out_msg(ctx, L"Client certificate set.\n");
    return BITSADMIN_EXIT_OK;
}

int cmd_removeclientcertificate(struct bitsadmin *ctx, int argc, WCHAR **argv)
{
    IBackgroundCopyJobHttpOptions *http;
    HRESULT hr;
    int ret;

    if ((ret = open_job(ctx, argv[0], &IID_IBackgroundCopyJobHttpOptions, (void **)&http))) return ret;
    hr = IBackgroundCopyJobHttpOptions_RemoveClientCertificate(http);
    IBackgroundCopyJobHttpOptions_Release(http);
    if (FAILED(hr)) return report_error(ctx, hr, L"remove client certificate");
    if (hr == S_FALSE) out_msg(ctx, L"No client certificate was set.\n");
    else out_msg(ctx, L"Client certificate removed.\n");
    return BITSADMIN_EXIT_OK;
}

/* The helper token is the caller's token: the current user's, or that of the
 * account given, logged on here and impersonated for the call. Cloaking hands it over. */
int cmd_sethelpertoken(struct bitsadmin *ctx, int argc, WCHAR **argv)
{
    IBitsTokenOptions *token;
    HANDLE logon = NULL;
    HRESULT hr;
    int ret;

    if (argc == 2) return usage_error(ctx, L"A password is needed with the account name.");
    if ((ret = open_job(ctx, argv[0], &IID_IBitsTokenOptions, (void **)&token))) return ret;
    CoSetProxyBlanket((IUnknown *)token, RPC_C_AUTHN_DEFAULT, RPC_C_AUTHZ_DEFAULT, COLE_DEFAULT_PRINCIPAL,
                      RPC_C_AUTHN_LEVEL_DEFAULT, RPC_C_IMP_LEVEL_IMPERSONATE, NULL, EOAC_DYNAMIC_CLOAKING);
    if (argc == 3)
    {
        if (!LogonUserW(argv[1], NULL, argv[2], LOGON32_LOGON_INTERACTIVE, LOGON32_PROVIDER_DEFAULT, &logon))
        {
            hr = HRESULT_FROM_WIN32(GetLastError());
            IBitsTokenOptions_Release(token);
            return report_error(ctx, hr, L"log on the helper account");
        }
        if (!ImpersonateLoggedOnUser(logon))
        {
            hr = HRESULT_FROM_WIN32(GetLastError());
            CloseHandle(logon);
            IBitsTokenOptions_Release(token);
            return report_error(ctx, hr, L"impersonate the helper account");
        }
    }
    hr = IBitsTokenOptions_SetHelperToken(token);
    if (logon)
    {
        RevertToSelf();
        CloseHandle(logon);
    }
    IBitsTokenOptions_Release(token);
    if (FAILED(hr)) return report_error(ctx, hr, L"set helper token");
    out_msg(ctx, L"Helper token set.\n");
    return BITSADMIN_EXIT_OK;
}

/*
 * bitsadmin.h: what the files of bitsadmin.exe share.
 * main.c parses the command line, finds jobs and reports errors; output.c writes everything the
 * program prints; jobcmds.c holds the job life-cycle commands (/create, /addfile, /list, /info,
 * /reset, ...); props.c the /get* and /set* commands.
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

#ifndef __BITSADMIN_H
#define __BITSADMIN_H

#include "bitsall.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

#define BITSADMIN_EXIT_OK      0
#define BITSADMIN_EXIT_FAILURE 1

struct bitsadmin;

/* argv[0] is the first argument after the switch itself. Returns the exit code. */
typedef int (*command_func)(struct bitsadmin *ctx, int argc, WCHAR **argv);

struct command
{
    const WCHAR *name;          /* without the leading '/' */
    int min_args, max_args;     /* max_args -1: any number */
    command_func run;
    const WCHAR *syntax;        /* the arguments, for usage messages and /? */
    const WCHAR *help;          /* one line for /? */
};

struct bitsadmin
{
    IBackgroundCopyManager *manager;    /* connected on first use */
    BOOL raw;                           /* /rawreturn: no banner, no labels, no final newline */
    const struct command *command;      /* the command being run */
};

/* main.c */
BOOL is_switch(const WCHAR *arg, const WCHAR *name);
int usage_error(struct bitsadmin *ctx, const WCHAR *format, ...);
int report_error(struct bitsadmin *ctx, HRESULT hr, const WCHAR *action);
HRESULT connect_manager(struct bitsadmin *ctx);
int open_job(struct bitsadmin *ctx, const WCHAR *name, REFIID iid, void **out);
int open_job_file(struct bitsadmin *ctx, const WCHAR *name, const WCHAR *index, REFIID iid, void **out);
int query_job_interface(struct bitsadmin *ctx, IBackgroundCopyJob *job, REFIID iid, void **out);
BOOL parse_ulong(const WCHAR *str, ULONG *value);
BOOL parse_uint64(const WCHAR *str, UINT64 *value);
BOOL is_null_arg(const WCHAR *arg);
const WCHAR *null_arg(const WCHAR *arg);
int show_version(struct bitsadmin *ctx);

/* output.c */
void output_init(int wrap);                 /* -1 default, 0 /nowrap, 1 /wrap */
void out_str(const WCHAR *str);
void out_fmt(const WCHAR *format, ...);
void out_nl(void);
void out_value(struct bitsadmin *ctx, const WCHAR *value);
void out_value_fmt(struct bitsadmin *ctx, const WCHAR *format, ...);
void out_msg(struct bitsadmin *ctx, const WCHAR *format, ...);
void out_banner(void);
void format_guid(const GUID *guid, WCHAR *buf);     /* buf: 39 characters */
void format_filetime(const FILETIME *ft, WCHAR *buf, int len);
void format_size(UINT64 size, WCHAR *buf, int len); /* BG_SIZE_UNKNOWN: UNKNOWN */
void format_owner(const WCHAR *sid_string, WCHAR *buf, int len);
const WCHAR *state_name(BG_JOB_STATE state);
const WCHAR *type_name(BG_JOB_TYPE type);
const WCHAR *priority_name(BG_JOB_PRIORITY priority);
const WCHAR *proxy_usage_name(BG_JOB_PROXY_USAGE usage);
const WCHAR *cert_location_name(BG_CERT_STORE_LOCATION location);
const WCHAR *str_or_null(const WCHAR *str);
void out_file_names(IBackgroundCopyFile *file);    /* "remote -> local" and the line end */
void out_job_error(IBackgroundCopyError *error);   /* ERROR FILE, ERROR CODE and ERROR CONTEXT lines */

/* jobcmds.c */
int cmd_create(struct bitsadmin *ctx, int argc, WCHAR **argv);
int cmd_addfile(struct bitsadmin *ctx, int argc, WCHAR **argv);
int cmd_addfileset(struct bitsadmin *ctx, int argc, WCHAR **argv);
int cmd_addfilewithranges(struct bitsadmin *ctx, int argc, WCHAR **argv);
int cmd_replaceremoteprefix(struct bitsadmin *ctx, int argc, WCHAR **argv);
int cmd_listfiles(struct bitsadmin *ctx, int argc, WCHAR **argv);
int cmd_suspend(struct bitsadmin *ctx, int argc, WCHAR **argv);
int cmd_resume(struct bitsadmin *ctx, int argc, WCHAR **argv);
int cmd_cancel(struct bitsadmin *ctx, int argc, WCHAR **argv);
int cmd_complete(struct bitsadmin *ctx, int argc, WCHAR **argv);
int cmd_list(struct bitsadmin *ctx, int argc, WCHAR **argv);
int cmd_info(struct bitsadmin *ctx, int argc, WCHAR **argv);
int cmd_reset(struct bitsadmin *ctx, int argc, WCHAR **argv);
int cmd_takeownership(struct bitsadmin *ctx, int argc, WCHAR **argv);
void print_job_line(struct bitsadmin *ctx, IBackgroundCopyJob *job);
void print_job_verbose(struct bitsadmin *ctx, IBackgroundCopyJob *job);

/* util.c: /util /getieproxy, /setieproxy, /enableanalyticchannel (argv after the /util switch) */
int util_getieproxy(struct bitsadmin *ctx, int argc, WCHAR **argv);
int util_setieproxy(struct bitsadmin *ctx, int argc, WCHAR **argv);
int util_enableanalyticchannel(struct bitsadmin *ctx, int argc, WCHAR **argv);

/* transfer.c */
int cmd_transfer(struct bitsadmin *ctx, int argc, WCHAR **argv);
int cmd_monitor(struct bitsadmin *ctx, int argc, WCHAR **argv);

/* props.c: getters */
int cmd_getaclflags(struct bitsadmin *ctx, int argc, WCHAR **argv);
int cmd_getbytestotal(struct bitsadmin *ctx, int argc, WCHAR **argv);
int cmd_getbytestransferred(struct bitsadmin *ctx, int argc, WCHAR **argv);
int cmd_getclientcertificate(struct bitsadmin *ctx, int argc, WCHAR **argv);
int cmd_getcompletiontime(struct bitsadmin *ctx, int argc, WCHAR **argv);
int cmd_getcreationtime(struct bitsadmin *ctx, int argc, WCHAR **argv);
int cmd_getcustomheaders(struct bitsadmin *ctx, int argc, WCHAR **argv);
int cmd_getdescription(struct bitsadmin *ctx, int argc, WCHAR **argv);
int cmd_getdisplayname(struct bitsadmin *ctx, int argc, WCHAR **argv);
int cmd_geterror(struct bitsadmin *ctx, int argc, WCHAR **argv);
int cmd_geterrorcount(struct bitsadmin *ctx, int argc, WCHAR **argv);
int cmd_getfilestotal(struct bitsadmin *ctx, int argc, WCHAR **argv);
int cmd_getfilestransferred(struct bitsadmin *ctx, int argc, WCHAR **argv);
int cmd_gethelpertokenflags(struct bitsadmin *ctx, int argc, WCHAR **argv);
int cmd_gethelpertokensid(struct bitsadmin *ctx, int argc, WCHAR **argv);
int cmd_gethttpmethod(struct bitsadmin *ctx, int argc, WCHAR **argv);
int cmd_getmaxdownloadtime(struct bitsadmin *ctx, int argc, WCHAR **argv);
int cmd_getminretrydelay(struct bitsadmin *ctx, int argc, WCHAR **argv);
int cmd_getmodificationtime(struct bitsadmin *ctx, int argc, WCHAR **argv);
int cmd_getnoprogresstimeout(struct bitsadmin *ctx, int argc, WCHAR **argv);
int cmd_getnotifycmdline(struct bitsadmin *ctx, int argc, WCHAR **argv);
int cmd_getnotifyflags(struct bitsadmin *ctx, int argc, WCHAR **argv);
int cmd_getnotifyinterface(struct bitsadmin *ctx, int argc, WCHAR **argv);
int cmd_getowner(struct bitsadmin *ctx, int argc, WCHAR **argv);
int cmd_getownerelevationstate(struct bitsadmin *ctx, int argc, WCHAR **argv);
int cmd_getownerintegritylevel(struct bitsadmin *ctx, int argc, WCHAR **argv);
int cmd_getpeercachingflags(struct bitsadmin *ctx, int argc, WCHAR **argv);
int cmd_getpriority(struct bitsadmin *ctx, int argc, WCHAR **argv);
int cmd_getproxybypasslist(struct bitsadmin *ctx, int argc, WCHAR **argv);
int cmd_getproxylist(struct bitsadmin *ctx, int argc, WCHAR **argv);
int cmd_getproxyusage(struct bitsadmin *ctx, int argc, WCHAR **argv);
int cmd_getreplydata(struct bitsadmin *ctx, int argc, WCHAR **argv);
int cmd_getreplyfilename(struct bitsadmin *ctx, int argc, WCHAR **argv);
int cmd_getreplyprogress(struct bitsadmin *ctx, int argc, WCHAR **argv);
int cmd_getsecurityflags(struct bitsadmin *ctx, int argc, WCHAR **argv);
int cmd_getstate(struct bitsadmin *ctx, int argc, WCHAR **argv);
int cmd_gettemporaryname(struct bitsadmin *ctx, int argc, WCHAR **argv);
int cmd_gettype(struct bitsadmin *ctx, int argc, WCHAR **argv);
int cmd_getvalidationstate(struct bitsadmin *ctx, int argc, WCHAR **argv);

/* props.c: setters */
int cmd_setaclflags(struct bitsadmin *ctx, int argc, WCHAR **argv);
int cmd_setclientcertificatebyid(struct bitsadmin *ctx, int argc, WCHAR **argv);
int cmd_setclientcertificatebyname(struct bitsadmin *ctx, int argc, WCHAR **argv);
int cmd_removeclientcertificate(struct bitsadmin *ctx, int argc, WCHAR **argv);
int cmd_setcredentials(struct bitsadmin *ctx, int argc, WCHAR **argv);
int cmd_removecredentials(struct bitsadmin *ctx, int argc, WCHAR **argv);
int cmd_setcustomheaders(struct bitsadmin *ctx, int argc, WCHAR **argv);
int cmd_makecustomheaderswriteonly(struct bitsadmin *ctx, int argc, WCHAR **argv);
int cmd_setdescription(struct bitsadmin *ctx, int argc, WCHAR **argv);
int cmd_setdisplayname(struct bitsadmin *ctx, int argc, WCHAR **argv);
int cmd_sethelpertoken(struct bitsadmin *ctx, int argc, WCHAR **argv);
int cmd_sethelpertokenflags(struct bitsadmin *ctx, int argc, WCHAR **argv);
int cmd_sethttpmethod(struct bitsadmin *ctx, int argc, WCHAR **argv);
int cmd_setmaxdownloadtime(struct bitsadmin *ctx, int argc, WCHAR **argv);
int cmd_setminretrydelay(struct bitsadmin *ctx, int argc, WCHAR **argv);
int cmd_setnoprogresstimeout(struct bitsadmin *ctx, int argc, WCHAR **argv);
int cmd_setnotifycmdline(struct bitsadmin *ctx, int argc, WCHAR **argv);
int cmd_setnotifyflags(struct bitsadmin *ctx, int argc, WCHAR **argv);
int cmd_setpeercachingflags(struct bitsadmin *ctx, int argc, WCHAR **argv);
int cmd_setpriority(struct bitsadmin *ctx, int argc, WCHAR **argv);
int cmd_setproxysettings(struct bitsadmin *ctx, int argc, WCHAR **argv);
int cmd_setreplyfilename(struct bitsadmin *ctx, int argc, WCHAR **argv);
int cmd_setsecurityflags(struct bitsadmin *ctx, int argc, WCHAR **argv);
int cmd_setvalidationstate(struct bitsadmin *ctx, int argc, WCHAR **argv);

#endif /* __BITSADMIN_H */

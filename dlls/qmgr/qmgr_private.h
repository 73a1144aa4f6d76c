/*
 * qmgr_private.h: the objects of the BITS service and the functions they share.
 *
 * Lock order: the manager lock (manager.cs, the job list) may be held while taking a job
 * lock (job->cs), never the other way round. The notification thread holds neither while
 * it calls into a client.
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

#ifndef __QMGR_PRIVATE_H
#define __QMGR_PRIVATE_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>
#include "bitsall.h"
#include "bitsdebug.h"
#include "list.h"

/* ---- named critical sections ----
 * Wine keeps a critical section's name in the first spare pointer of its debug info and prints it
 * when a wait on the section times out ("section 0x... \"dlls/qmgr/job.c: job.cs\" wait timed out"),
 * which names the lock of a deadlock. MinGW's winnt.h calls those bytes Flags..SpareWORD (Windows'
 * layout), so the name is stored by address. The debug info is forced because Windows may give a
 * section none (NULL or -1); a section that still has none simply stays unnamed. Wine frees the
 * debug info on deletion only when no name is set: clear it first (bits_cs_delete). */
static inline void bits_cs_init(CRITICAL_SECTION *cs, const char *name)
{
    DWORD_PTR value = (DWORD_PTR)name;

    InitializeCriticalSectionEx(cs, 0, RTL_CRITICAL_SECTION_FLAG_FORCE_DEBUG_INFO);
    if (cs->DebugInfo && cs->DebugInfo != (void *)-1)
        memcpy(&cs->DebugInfo->Flags, &value, sizeof(value));
}

static inline void bits_cs_delete(CRITICAL_SECTION *cs)
{
    DWORD_PTR value = 0;

    if (cs->DebugInfo && cs->DebugInfo != (void *)-1)
        memcpy(&cs->DebugInfo->Flags, &value, sizeof(value));
    DeleteCriticalSection(cs);
}

#define BITS_CS_INIT(cs, name) bits_cs_init(cs, __FILE__ ": " name)

/* ---- limits BITS documents for strings and sizes ---- */
#define MAX_DISPLAY_NAME      256
#define MAX_DESCRIPTION       1024
#define MAX_URL               2200
#define MAX_NOTIFY_PARAMS     4000
#define MAX_PROXY_LIST        32768
#define MAX_USERNAME          300
#define MAX_PASSWORD          65536
#define MAX_CUSTOM_HEADERS    16384   /* including the terminating NUL */
#define MAX_CERT_STORE_NAME   256     /* including the terminating NUL */
#define MAX_REPLY_DATA        (1024 * 1024)

/* ---- documented defaults of job properties ---- */
#define DEFAULT_RETRY_DELAY          600
#define MIN_RETRY_DELAY              5
#define DEFAULT_NO_PROGRESS_TIMEOUT  1209600
#define DEFAULT_MAX_DOWNLOAD_TIME    7776000
#define DEFAULT_NOTIFY_INTERVAL_MS   500

struct bits_job;
struct bits_file;
struct bits_error;

/* ---- util.c ---- */
HRESULT strdup_for_client(const WCHAR *src, WCHAR **dst);
WCHAR *heap_strdupW(const WCHAR *src);
void *heap_alloc_zero(SIZE_T size);
void heap_free(void *ptr);
void get_system_filetime(FILETIME *ft);          /* the service's wall clock */
#ifdef BITS_TEST_SEAM
/* Test-only build: move get_system_filetime() by offset (100 ns units) and wake the scavenger. */
void clock_set_test_offset(LONGLONG offset);
/* Test-only build: heap_watched_freed(slot) tells whether the block given to heap_watch was freed. */
void heap_watch(void *ptr, unsigned int slot);       /* slot < 8 */
BOOL heap_watched_freed(unsigned int slot);
#endif
HRESULT write_output(HANDLE file, const void *data, DWORD size);
/* A user's file opened as that user (token: a primary token of theirs; NULL: as the service). */
HANDLE open_file_as(HANDLE token, const WCHAR *path, DWORD access, DWORD flags);
#ifdef BITS_TEST_SEAM
/* Test-only build: the opens of the watched path by open_file_as, made while impersonating
 * anybody, and while impersonating a member of BUILTIN\Administrators. */
struct open_record
{
    LONG opens, impersonated, as_admin;
};
void open_file_test_watch(const WCHAR *path);
void open_file_test_seen(struct open_record *record);
#endif

/* ---- security.c: who is calling ---- */
struct bits_caller
{
    PSID sid;            /* heap copy of the caller's user SID */
    BOOL admin;          /* member of BUILTIN\Administrators (token membership) */
    BOOL service;        /* LocalSystem, LocalService or NetworkService */
    ULONG integrity;     /* SECURITY_MANDATORY_*_RID */
    BOOL elevated;
};

HRESULT caller_identify(struct bits_caller *caller);
HRESULT caller_open_token(HANDLE *token);        /* the caller's token, for helper tokens */
HRESULT caller_open_primary_token(HANDLE *token);    /* the caller's token, to run a program as */
void caller_free(struct bits_caller *caller);
BOOL caller_copy(struct bits_caller *dst, const struct bits_caller *src);
BOOL sid_equal(PSID a, PSID b);
HRESULT sid_to_string(PSID sid, WCHAR **str);   /* CoTaskMemAlloc'd */
BOOL token_is_admin(HANDLE token);              /* a member of Administrators (any token) */
#ifdef BITS_TEST_SEAM
/* Test-only build: replace the identity of every later call (NULL restores the real one). */
void caller_set_test_identity(const struct bits_caller *identity);
#endif

/* ---- policy.c: Group Policy limits, read at every use ---- */
DWORD policy_max_jobs_per_machine(void);
DWORD policy_max_jobs_per_user(void);
DWORD policy_max_files_per_job(void);
DWORD policy_max_ranges_per_file(void);
DWORD policy_job_inactivity_days(void);

/* ---- errtext.c ---- */
HRESULT errtext_describe(HRESULT hr, DWORD langid, WCHAR **text);
HRESULT errtext_context(BG_ERROR_CONTEXT context, DWORD langid, WCHAR **text);

/* ---- manager.c ---- */
struct bits_manager
{
    IBackgroundCopyManager IBackgroundCopyManager_iface;
    CRITICAL_SECTION cs;           /* the manager lock: protects jobs */
    struct list jobs;              /* struct bits_job, every job not in a final state */
};

extern struct bits_manager bits_manager;
HRESULT manager_get_object(REFIID riid, void **obj);
void manager_remove_job(struct bits_job *job);

/* ---- job.c ---- */
struct bits_credential
{
    BOOL set;
    WCHAR *user;
    WCHAR *password;
};

struct bits_job
{
    IBackgroundCopyJob5 IBackgroundCopyJob5_iface;
    IBackgroundCopyJobHttpOptions3 IBackgroundCopyJobHttpOptions3_iface;
    IBitsTokenOptions IBitsTokenOptions_iface;
    LONG refs;
    CRITICAL_SECTION cs;               /* the job lock: everything below */
    struct list entry;                 /* in bits_manager.jobs (manager lock) */

    GUID id;
    BG_JOB_TYPE type;
    BG_JOB_STATE state;
    BG_JOB_STATE analytic_state;       /* the state analytic.c saw last */
    struct bits_caller owner;
    WCHAR *display_name;
    WCHAR *description;
    BG_JOB_PRIORITY priority;
    ULONG notify_flags;
    IUnknown *notify_iface;
    IUnknown *clsid_callback;          /* the NOTIFICATION_CLSID instance in use (notify.c) */
    GUID clsid_callback_id;            /* the class it was created from */
    ULONGLONG last_modification;       /* tick of the last JobModification call (notify lock) */
    ULONGLONG last_ranges;             /* tick of the last FileRangesTransferred call (notify lock) */
    WCHAR *notify_program, *notify_params;
    BOOL notify_set_by_owner;          /* the owner set the command line: it may run as owner_token */
    HANDLE owner_token;                /* primary token from the owner's CreateJob, TakeOwnership or
                                        * SetNotifyCmdLine; never persisted: NULL after a restart */
    ULONG retry_delay;
    ULONG no_progress_timeout;
    ULONG max_download_time;
    BG_JOB_PROXY_USAGE proxy_usage;
    WCHAR *proxy_list, *proxy_bypass;
    struct bits_credential creds[2][5];     /* [target - 1][scheme - 1] */
    DWORD acl_flags;
    DWORD peer_flags;
    WCHAR *reply_name;
    /* HTTP options */
    WCHAR *custom_headers;
    BOOL headers_write_only;
    ULONG security_flags;
    BOOL cert_set;
    BG_CERT_STORE_LOCATION cert_location;
    WCHAR *cert_store;
    BYTE cert_hash[20];
    BOOL cert_by_hash;
    WCHAR *cert_subject;
    WCHAR *http_method;
    IUnknown *cert_callback;
    /* token options */
    DWORD helper_flags;
    HANDLE helper_token;
    PSID helper_sid;
    /* Job5 properties */
    DWORD cost_flags;
    GUID notify_clsid;
    BOOL dynamic_content;
    BOOL high_performance;
    UINT64 max_download_size;
    BG_AUTH_TARGET stored_credentials;
    DWORD notify_interval_ms;
    BOOL on_demand;
    BOOL resumed_once;                 /* read-only-after-resume rules */

    /* transfer state (scheduler.c); under job->cs */
    BOOL worker_active;                /* a worker thread owns the transfer */
    LONG abort;                        /* set by Suspend/Cancel: the worker stops */
    HANDLE worker_done;                /* manual-reset, signalled while no worker runs */
    HANDLE abort_event;                /* manual-reset, set with abort: cuts a blocked call short */
    ULONGLONG last_start;              /* GetTickCount64() of the last worker start: round robin */
    ULONGLONG slice_end;               /* end of the running background job's time slice */
    ULONGLONG active_since;            /* worker start, 0 while none runs: MaxDownloadTime */
    ULONGLONG download_ms;             /* CONNECTING/TRANSFERRING time before active_since; persisted */
    ULONGLONG retry_at;                /* GetTickCount64() of the next retry (TRANSIENT_ERROR) */
    ULONGLONG last_progress;           /* GetTickCount64() of the last progress, for NoProgressTimeout */

    /* upload session (upload.c); under job->cs, persisted (upload_host_failed as its age) */
    WCHAR *upload_session;             /* BITS-Session-Id, NULL without a session */
    WCHAR *upload_host;                /* BITS-Host-Id, NULL without host affinity */
    ULONG upload_fallback;             /* BITS-Host-Id-Fallback-Timeout in s, or UPLOAD_NO_FALLBACK */
    ULONGLONG upload_host_failed;      /* GetTickCount64() of the first failure to reach the host id */
    UINT64 upload_file_time;           /* last write time of the local file when the session began */
    WCHAR *reply_url;                  /* BITS-Reply-URL of the last fragment's Ack */
    WCHAR *reply_temp;                 /* the reply until Complete; set when its download starts */
    BG_JOB_REPLY_PROGRESS reply_progress;
    BOOL reply_done;                   /* the whole reply is in reply_temp */

    struct list files;                 /* struct bits_file, insertion order */
    ULONG file_count;
    struct bits_error *error;          /* valid in ERROR / TRANSIENT_ERROR */
    ULONG error_count;
    FILETIME creation_time, modification_time, completion_time;
    FILETIME activity_time;            /* last change by a client or bytes moved (JobInactivityTimeout) */
};

HRESULT job_create(const WCHAR *name, BG_JOB_TYPE type, const struct bits_caller *owner, struct bits_job **job);
BOOL job_is_final(const struct bits_job *job);   /* caller holds job->cs */
BOOL job_counts_for_quota(struct bits_job *job);
void job_keep_owner_token(struct bits_job *job); /* in the owner's CreateJob call; no lock held */
HANDLE job_owner_token(struct bits_job *job);    /* a handle of its own to owner_token, or NULL */
HANDLE job_notify_token(struct bits_job *job);   /* the same, only if the owner set the command line */
void job_touch(struct bits_job *job);            /* caller holds job->cs: modification time */
WCHAR *job_reply_path(struct bits_job *job);      /* caller holds job->cs; heap string or NULL */
WCHAR *job_reply_temp_name(struct bits_job *job); /* caller holds job->cs */
void job_activity(struct bits_job *job);         /* caller holds job->cs: resets the inactivity timeout */
void job_changed(struct bits_job *job);          /* caller holds job->cs: a client changed it (both above) */
/* What a state change leaves out where it must not happen (a scheduler or loader change). */
#define JOB_STATE_NO_SAVE      0x1   /* no urgent save */
#define JOB_STATE_NO_TOUCH     0x2   /* modification time, lazy save and analytic log stay as they are */
#define JOB_STATE_NO_ACTIVITY  0x4   /* not client activity: the inactivity timeout goes on */
#define JOB_STATE_QUIET        (JOB_STATE_NO_SAVE | JOB_STATE_NO_TOUCH | JOB_STATE_NO_ACTIVITY)
void job_set_state(struct bits_job *job, BG_JOB_STATE state, unsigned int flags); /* caller holds job->cs */
static inline IBackgroundCopyJob *job_iface(struct bits_job *job)
{
    return (IBackgroundCopyJob *)&job->IBackgroundCopyJob5_iface;
}

/* ---- file.c ---- */
struct bits_file
{
    IBackgroundCopyFile6 IBackgroundCopyFile6_iface;   /* AddRef/Release are the job's */
    struct bits_job *job;              /* the owner; fields below under job->cs */
    struct list entry;                 /* in job->files */
    WCHAR *remote_name;
    WCHAR *local_name;
    WCHAR *temp_name;
    BG_FILE_PROGRESS progress;
    BG_FILE_RANGE *ranges;
    DWORD range_count;
    BOOL transferred;                  /* every byte is in the temp file */
    BOOL validation_state;
    BOOL local_existed;                /* the destination existed before the job */
    UINT64 download_position;          /* File6::UpdateDownloadPosition */
    BG_FILE_RANGE *requested;          /* File6::RequestFileRanges */
    DWORD requested_count;
    BG_FILE_RANGE *filled;             /* ranges present in the temp file (on-demand), sorted, disjoint */
    DWORD filled_count;
    LONG ondemand_gen;                 /* bumped by UpdateDownloadPosition/RequestFileRanges */
    BOOL ondemand_requests;            /* ranges were requested since the job last suspended itself */
    WCHAR *response_headers;           /* File5 HTTP_RESPONSE_HEADERS */
    FILETIME remote_mtime;             /* Last-Modified of the remote file, zero if unknown */
    UINT64 remote_etag;                /* a hash of its ETag, 0 if unknown (not kept by the store) */
};

HRESULT file_create(struct bits_job *job, const WCHAR *remote, const WCHAR *local,
                    const BG_FILE_RANGE *ranges, DWORD range_count, struct bits_file **file);
void file_free(struct bits_file *file);          /* only the job, or a file never added to it */
static inline IBackgroundCopyFile *file_iface(struct bits_file *file)
{
    return (IBackgroundCopyFile *)&file->IBackgroundCopyFile6_iface;
}
HRESULT validate_remote_name(const WCHAR *remote, BG_JOB_TYPE type);
HRESULT validate_local_name(const WCHAR *local);
HRESULT check_local_file(const WCHAR *local, BG_JOB_TYPE type);   /* caller's access, not the name */
WCHAR *file_temp_name(const WCHAR *local);      /* a hidden BIT<hex>.tmp beside local */

/* ---- enum.c ---- */
HRESULT enum_jobs_create(struct bits_job **jobs, ULONG count, IEnumBackgroundCopyJobs **out);
HRESULT enum_files_create(struct bits_file **files, ULONG count, IEnumBackgroundCopyFiles **out);

/* ---- error.c ---- */
struct bits_error
{
    IBackgroundCopyError IBackgroundCopyError_iface;
    LONG refs;
    BG_ERROR_CONTEXT context;
    HRESULT code;
    struct bits_file *file;            /* NULL when not tied to a file; holds a reference */
    const WCHAR *protocol;             /* L"http", L"file" or NULL */
};

HRESULT error_create(BG_ERROR_CONTEXT context, HRESULT code, struct bits_file *file,
                     const WCHAR *protocol, struct bits_error **error);

/* ---- scheduler.c: picks queued jobs and runs their transfers ---- */
struct transfer;                       /* one file being transferred by a worker */

void scheduler_wake(void);
void scheduler_run(void);
void scheduler_start(void);
void scheduler_shutdown(void);
void job_stop_worker(struct bits_job *job);      /* caller holds no lock; waits briefly */
void job_abort_transfer(struct bits_job *job);   /* any lock may be held: the worker stops at once */
/* For http.c/copy.c: the worker's view of its file. */
BOOL transfer_aborted(struct transfer *t);
HRESULT transfer_set_size(struct transfer *t, UINT64 size, const FILETIME *mtime, BOOL *restart);
HRESULT transfer_check_size(struct transfer *t, UINT64 received);   /* MAX_DOWNLOAD_SIZE */
HRESULT transfer_open_output(struct transfer *t, UINT64 *offset, HANDLE *file, BOOL *created);
void transfer_discard_output(struct transfer *t, HANDLE file, BOOL created);
void transfer_progress(struct transfer *t, UINT64 transferred);
void transfer_connected(struct transfer *t);
struct bits_job *transfer_job(struct transfer *t);
struct bits_file *transfer_file(struct transfer *t);
HANDLE transfer_abort_event(struct transfer *t);

/* ---- keeper.c: a process that keeps the Wine session up while the queue has work ---- */
#define KEEP_JOBS       0x1    /* a job transfers or waits to */
#define KEEP_CANCELS    0x2    /* a cancelled upload's session is still to be closed */
BOOL keeper_want(DWORD reason, BOOL on);
BOOL keeper_holding(DWORD reason);
void keeper_apply(void);
void keeper_start(void);
void keeper_shutdown(void);

/* ---- httpwait.c: WinHTTP calls that an abort or a timeout cuts short ---- */
/* Milliseconds, 0 for no limit: WinHttpSetTimeouts' four and WINHTTP_OPTION_RECEIVE_RESPONSE_TIMEOUT. */
struct http_timeouts
{
    DWORD resolve, connect, send, receive, response;
};
void *http_wait_open_session(const WCHAR *agent, DWORD access, const WCHAR *proxy, const WCHAR *bypass,
                             const struct http_timeouts *timeouts);
BOOL http_wait_attach(void *request, const struct http_timeouts *timeouts);
BOOL http_wait_send(void *request, HANDLE abort, const void *body, DWORD length, void (*meanwhile)(void *),
                    void *context);
BOOL http_wait_read(void *request, HANDLE abort, BYTE *buffer, DWORD size, DWORD *read);
BOOL http_wait_drain(void *request, HANDLE abort, DWORD limit);

/* The result of a failed transfer: code, context and whether a retry may help. */
struct transfer_error
{
    HRESULT code;
    BG_ERROR_CONTEXT context;
    BOOL transient;
};

/* Every failure records all three at once, so that none keeps a value from an earlier one.
 * Returns the code, for `return transfer_error_set(...)`. */
static inline HRESULT transfer_error_set(struct transfer_error *error, HRESULT code, BG_ERROR_CONTEXT context,
                                         BOOL transient)
{
    error->code = code;
    error->context = context;
    error->transient = transient;
    return code;
}

/* ---- ondemand.c: files of ON_DEMAND_MODE jobs; job lock held for ranges_* ---- */
enum ondemand_next { ONDEMAND_FETCH, ONDEMAND_COMPLETE, ONDEMAND_SUSPEND };

UINT64 ranges_total(const BG_FILE_RANGE *ranges, DWORD count);
BOOL ranges_add(BG_FILE_RANGE **ranges, DWORD *count, UINT64 start, UINT64 len);
BOOL ranges_first_gap(const BG_FILE_RANGE *ranges, DWORD count, UINT64 from, UINT64 to, UINT64 *gap_start,
                      UINT64 *gap_end);
HRESULT ondemand_open_output(struct transfer *t, UINT64 size, HANDLE *out);
void ondemand_reset(struct transfer *t);
enum ondemand_next ondemand_next_gap(struct transfer *t, UINT64 size, UINT64 *start, UINT64 *end, LONG *gen);
BOOL ondemand_filled(struct transfer *t, UINT64 start, UINT64 len, LONG gen);
void ondemand_fetched(struct transfer *t, UINT64 start, UINT64 len);

/* ---- http.c / copy.c ---- */
HRESULT http_download(struct transfer *t, struct transfer_error *error);
HRESULT copy_download(struct transfer *t, struct transfer_error *error);
BOOL is_http_url(const WCHAR *url);
HRESULT client_cert_find(BG_CERT_STORE_LOCATION location, const WCHAR *store_name, const BYTE *hash,
                         const WCHAR *subject, PCCERT_CONTEXT *cert);

/* ---- upload.c: the BITS upload protocol ---- */
#define UPLOAD_NO_FALLBACK  0xffffffff
HRESULT upload_transfer(struct transfer *t, struct transfer_error *error);
void upload_cancel_session(struct bits_job *job, WCHAR *remote, WCHAR *host, WCHAR *session,
                           ULONGLONG elapsed_ms);  /* takes the strings */
void upload_shutdown(void);
void upload_enum_cancels(void (*visit)(struct bits_job *job, const WCHAR *remote, const WCHAR *host,
                                       const WCHAR *session, ULONGLONG elapsed_ms, void *context), void *context);
void upload_forget_cancels(void);

/* ---- store.c: the job queue on disk ---- */
void store_changed(BOOL urgent);     /* any lock may be held */
void store_load(void);
void store_save_now(void);          /* no lock may be held */
void store_flush(void);                         /* service stop: saver ended, all written */
void store_shutdown(void);

/* ---- lifetime.c: JobInactivityTimeout, a waitable timer on the oldest activity ---- */
void lifetime_start(void);
void lifetime_wake(void);           /* the clock or the policy changed: recompute the deadline */
void lifetime_shutdown(void);

/* ---- analytic.c: the Bits-Client/Analytic channel's events, a text log (lock innermost) ---- */
void analytic_job_created(struct bits_job *job);
void analytic_job_state(struct bits_job *job);   /* job lock held: a state change since the last call */
void analytic_transfer(struct bits_job *job, struct bits_file *file, BOOL start, HRESULT result);
void analytic_error(struct bits_job *job, HRESULT code, BG_ERROR_CONTEXT context);
void analytic_shutdown(void);

/* ---- notify.c: calls into clients from one thread that holds no lock ---- */
enum notify_event
{
    NOTIFY_JOB_TRANSFERRED,
    NOTIFY_JOB_ERROR,
    NOTIFY_JOB_MODIFICATION,
    NOTIFY_FILE_TRANSFERRED,
    NOTIFY_FILE_RANGES_TRANSFERRED,
};

void notify_post(struct bits_job *job, enum notify_event event, struct bits_file *file);
void notify_post_ranges(struct bits_job *job, struct bits_file *file, const BG_FILE_RANGE *ranges, DWORD count);
void notify_connect(IUnknown *callback);      /* caller holds no lock */
void notify_release_callback(IUnknown *callback);   /* caller holds no lock */
void notify_start(void);
void notify_shutdown(void);

#endif /* __QMGR_PRIVATE_H */

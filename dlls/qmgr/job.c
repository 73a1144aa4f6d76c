/*
 * job.c: IBackgroundCopyJob..Job5, IBackgroundCopyJobHttpOptions..3 and IBitsTokenOptions,
 * one object per job.
 * Owns: every property of a job, its state and its file list. job->cs protects all of it;
 * the manager lock, when both are needed, is taken first (qmgr_private.h).
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

#include "qmgr_private.h"
#include <wincrypt.h>
#include <sddl.h>

BITS_DEFAULT_DEBUG_CHANNEL(qmgr);

static inline struct bits_job *impl_from_IBackgroundCopyJob5(IBackgroundCopyJob5 *iface)
{
    return CONTAINING_RECORD(iface, struct bits_job, IBackgroundCopyJob5_iface);
}

static inline struct bits_job *impl_from_IBackgroundCopyJobHttpOptions3(IBackgroundCopyJobHttpOptions3 *iface)
{
    return CONTAINING_RECORD(iface, struct bits_job, IBackgroundCopyJobHttpOptions3_iface);
}

static inline struct bits_job *impl_from_IBitsTokenOptions(IBitsTokenOptions *iface)
{
    return CONTAINING_RECORD(iface, struct bits_job, IBitsTokenOptions_iface);
}

BOOL job_is_final(const struct bits_job *job)
{
    return job->state == BG_JOB_STATE_CANCELLED || job->state == BG_JOB_STATE_ACKNOWLEDGED;
}

static BOOL job_is_active(const struct bits_job *job)
{
    return job->state == BG_JOB_STATE_QUEUED || job->state == BG_JOB_STATE_CONNECTING
           || job->state == BG_JOB_STATE_TRANSFERRING;
}

void job_touch(struct bits_job *job)
{
    get_system_filetime(&job->modification_time);
    store_changed(FALSE);
    analytic_job_state(job);
}

/* Property changes and successful transfers count as activity, which keeps the inactivity timeout away; retries,
 * errors and state changes made by the scheduler do not. */
void job_activity(struct bits_job *job)
{
    get_system_filetime(&job->activity_time);
}

void job_changed(struct bits_job *job)
{
    job_touch(job);
    job_activity(job);
}

/* Take the job lock for a change; fails with BG_E_INVALID_STATE in a final state, as for every BITS mutator. */
static HRESULT job_lock_mutable(struct bits_job *job)
{
    EnterCriticalSection(&job->cs);
    if (job_is_final(job))
    {
        LeaveCriticalSection(&job->cs);
        return BG_E_INVALID_STATE;
    }
    return S_OK;
}

/* Release the job lock after a successful change: modification time and JobModification. */
static void job_unlock_modified(struct bits_job *job)
{
    job_changed(job);
    notify_post(job, NOTIFY_JOB_MODIFICATION, NULL);
    LeaveCriticalSection(&job->cs);
}

/* Is the caller the owner of the job? Credentials, the client certificate and custom headers belong to the owner alone. */
static HRESULT job_check_owner(struct bits_job *job)
{
    struct bits_caller caller;
    BOOL same;
    HRESULT hr;

    if (FAILED(hr = caller_identify(&caller))) return hr;
    EnterCriticalSection(&job->cs);
    same = sid_equal(caller.sid, job->owner.sid);
    LeaveCriticalSection(&job->cs);
    caller_free(&caller);
    return same ? S_OK : E_ACCESSDENIED;
}

/* The moves the BITS state machine allows. The final states are never left; a state may be set
 * again (a yield of a job that has not connected yet, say); the rest follows the life cycle of a
 * job: the scheduler connects queued jobs, a connection starts the transfer, only work in progress
 * fails with a retry or finishes, and an upload is acknowledged only once the server has it all.
 * Everything else (Suspend, Resume, Cancel, Complete, fatal errors) may come in any other state. */
static BOOL job_state_change_allowed(const struct bits_job *job, BG_JOB_STATE to)
{
    BG_JOB_STATE from = job->state;
    BOOL action = from == BG_JOB_STATE_QUEUED || from == BG_JOB_STATE_CONNECTING
                  || from == BG_JOB_STATE_TRANSFERRING;

    if (job_is_final(job)) return FALSE;
    if (from == to) return TRUE;
    switch (to)
    {
    case BG_JOB_STATE_CONNECTING:      return from == BG_JOB_STATE_QUEUED;
    case BG_JOB_STATE_TRANSFERRING:    return from == BG_JOB_STATE_CONNECTING;
    /* A local copy never reports a connection, and a job whose files are all there has nothing to
     * fetch: any action state may end in TRANSFERRED. */
    case BG_JOB_STATE_TRANSIENT_ERROR:
    case BG_JOB_STATE_TRANSFERRED:     return action;
    case BG_JOB_STATE_ACKNOWLEDGED:    return job->type == BG_JOB_TYPE_DOWNLOAD || from == BG_JOB_STATE_TRANSFERRED;
    case BG_JOB_STATE_QUEUED:
    case BG_JOB_STATE_SUSPENDED:
    case BG_JOB_STATE_ERROR:
    case BG_JOB_STATE_CANCELLED:       return TRUE;
    default:                           return FALSE;
    }
}

/* The one place where a job's state changes; caller holds job->cs. A change the state machine
 * does not allow is a bug of ours: it is reported but still made, so that a job never gets stuck
 * on the check. By default a change is a client's change (modification time, activity, urgent
 * save, analytic log); the scheduler and the loader leave out what must not happen where they
 * are (JOB_STATE_*), and every caller posts its own notification, as only it knows which one. */
void job_set_state(struct bits_job *job, BG_JOB_STATE state, unsigned int flags)
{
    if (!job_state_change_allowed(job, state))
        ERR("job %s: state %u -> %u is not a legal transition\n", debugstr_guid(&job->id), job->state, state);
    else
        TRACE("job %s: state %u -> %u\n", debugstr_guid(&job->id), job->state, state);
    job->state = state;
    /* Saved before the touch, so that the saver wakes once, for the short delay of a state change. */
    if (!(flags & JOB_STATE_NO_SAVE)) store_changed(TRUE);
    if (!(flags & JOB_STATE_NO_TOUCH)) job_touch(job);
    if (!(flags & JOB_STATE_NO_ACTIVITY)) job_activity(job);
}

static HRESULT replace_string(WCHAR **dst, const WCHAR *src)
{
    WCHAR *copy = NULL;

    if (src && !(copy = heap_strdupW(src))) return E_OUTOFMEMORY;
    heap_free(*dst);
    *dst = copy;
    return S_OK;
}

static void free_secret(WCHAR **str)
{
    if (!*str) return;
    SecureZeroMemory(*str, lstrlenW(*str) * sizeof(WCHAR));
    heap_free(*str);
    *str = NULL;
}

static void job_clear_credentials(struct bits_job *job)
{
    unsigned int t, s;

    for (t = 0; t < 2; t++)
        for (s = 0; s < 5; s++)
        {
            free_secret(&job->creds[t][s].user);
            free_secret(&job->creds[t][s].password);
            job->creds[t][s].set = FALSE;
        }
}

static void job_clear_certificate(struct bits_job *job)
{
    job->cert_set = FALSE;
    heap_free(job->cert_store);
    job->cert_store = NULL;
    heap_free(job->cert_subject);
    job->cert_subject = NULL;
    memset(job->cert_hash, 0, sizeof(job->cert_hash));
}

/* A job in a final state makes no more calls and does no more work, but it stays readable for
 * the clients that still hold it: its files, their names and progress, its times and properties
 * stay until its last reference goes (job_Release). What it lets go of at once are the client's
 * callbacks and its last error (GetError has nothing to say in a final state). */
struct final_leftovers
{
    IUnknown *callbacks[3];
    struct bits_error *error;
};

static void job_detach_final(struct bits_job *job, struct final_leftovers *left)
{
    left->error = job->error;
    job->error = NULL;
    left->callbacks[0] = job->notify_iface;
    left->callbacks[1] = job->cert_callback;
    left->callbacks[2] = job->clsid_callback;
    job->notify_iface = job->cert_callback = job->clsid_callback = NULL;
}

static void release_leftovers(struct final_leftovers *left)
{
    unsigned int i;

    for (i = 0; i < ARRAYSIZE(left->callbacks); i++) if (left->callbacks[i]) notify_release_callback(left->callbacks[i]);
    if (left->error) IBackgroundCopyError_Release(&left->error->IBackgroundCopyError_iface);
}

static void delete_temp_file(struct bits_file *file, BOOL *failed)
{
    if (!file->temp_name) return;
    if (!DeleteFileW(file->temp_name) && GetLastError() != ERROR_FILE_NOT_FOUND
        && GetLastError() != ERROR_PATH_NOT_FOUND)
    {
        WARN("cannot delete %s: %lu\n", debugstr_w(file->temp_name), GetLastError());
        *failed = TRUE;
    }
}

/* ---- IBackgroundCopyJob5 ---- */

static HRESULT WINAPI job_QueryInterface(IBackgroundCopyJob5 *iface, REFIID riid, void **obj)
{
    struct bits_job *job = impl_from_IBackgroundCopyJob5(iface);

    TRACE("(%p)->(%s %p)\n", job, debugstr_guid(riid), obj);

    if (!obj) return E_POINTER;
    if (IsEqualGUID(riid, &IID_IUnknown) || IsEqualGUID(riid, &IID_IBackgroundCopyJob)
        || IsEqualGUID(riid, &IID_IBackgroundCopyJob2) || IsEqualGUID(riid, &IID_IBackgroundCopyJob3)
        || IsEqualGUID(riid, &IID_IBackgroundCopyJob4) || IsEqualGUID(riid, &IID_IBackgroundCopyJob5))
        *obj = &job->IBackgroundCopyJob5_iface;
    else if (IsEqualGUID(riid, &IID_IBackgroundCopyJobHttpOptions)
             || IsEqualGUID(riid, &IID_IBackgroundCopyJobHttpOptions2)
             || IsEqualGUID(riid, &IID_IBackgroundCopyJobHttpOptions3))
        *obj = &job->IBackgroundCopyJobHttpOptions3_iface;
    else if (IsEqualGUID(riid, &IID_IBitsTokenOptions))
        *obj = &job->IBitsTokenOptions_iface;
    else
    {
        *obj = NULL;
        return E_NOINTERFACE;
    }
    IUnknown_AddRef((IUnknown *)*obj);
    return S_OK;
}

static ULONG WINAPI job_AddRef(IBackgroundCopyJob5 *iface)
{
    struct bits_job *job = impl_from_IBackgroundCopyJob5(iface);
    ULONG refs = InterlockedIncrement(&job->refs);
    TRACE("(%p) refs %lu\n", job, refs);
    return refs;
}

static ULONG WINAPI job_Release(IBackgroundCopyJob5 *iface)
{
    struct bits_job *job = impl_from_IBackgroundCopyJob5(iface);
    ULONG refs = InterlockedDecrement(&job->refs);
    struct bits_file *file, *next;

    TRACE("(%p) refs %lu\n", job, refs);
    if (!refs)
    {
        /* An error tied to a file holds the job: here it can only be one without a file. */
        if (job->error) IBackgroundCopyError_Release(&job->error->IBackgroundCopyError_iface);
        /* Every reference to a file was one to the job: nobody holds them any more. */
        LIST_FOR_EACH_ENTRY_SAFE(file, next, &job->files, struct bits_file, entry)
        {
            list_remove(&file->entry);
            file_free(file);
        }
        if (job->notify_iface) notify_release_callback(job->notify_iface);
        if (job->clsid_callback) notify_release_callback(job->clsid_callback);
        if (job->cert_callback) notify_release_callback(job->cert_callback);
        if (job->helper_token) CloseHandle(job->helper_token);
        if (job->owner_token) CloseHandle(job->owner_token);
        if (job->worker_done) CloseHandle(job->worker_done);
        if (job->abort_event) CloseHandle(job->abort_event);
        job_clear_credentials(job);
        job_clear_certificate(job);
        heap_free(job->helper_sid);
        heap_free(job->display_name);
        heap_free(job->description);
        heap_free(job->notify_program);
        heap_free(job->notify_params);
        heap_free(job->proxy_list);
        heap_free(job->proxy_bypass);
        heap_free(job->reply_name);
        heap_free(job->upload_session);
        heap_free(job->upload_host);
        heap_free(job->reply_url);
        heap_free(job->reply_temp);
        heap_free(job->custom_headers);
        heap_free(job->http_method);
        caller_free(&job->owner);
        bits_cs_delete(&job->cs);
        heap_free(job);
    }
    return refs;
}

/* Validate and build the files of one AddFile/AddFileSet/AddFileWithRanges call, then add them
 * all or none: BITS documents AddFileSet as atomic. */
static HRESULT job_add_files(struct bits_job *job, ULONG count, const BG_FILE_INFO *info,
                             const BG_FILE_RANGE *ranges, DWORD range_count)
{
    struct bits_file **files;
    struct bits_caller caller;
    DWORD max_files;
    BOOL exempt;
    ULONG i;
    HRESULT hr;

    for (i = 0; i < count; i++)
    {
        if (FAILED(hr = validate_remote_name(info[i].RemoteName, job->type))) return hr;
        if (FAILED(hr = validate_local_name(info[i].LocalName))) return hr;
    }
    for (i = 0; i < count; i++)
        if (FAILED(hr = check_local_file(info[i].LocalName, job->type))) return hr;
    if (FAILED(hr = caller_identify(&caller))) return hr;
    exempt = caller.admin || caller.service;          /* quotas do not bind admins and services */
    caller_free(&caller);
    if (!exempt && range_count > policy_max_ranges_per_file()) return BG_E_TOO_MANY_RANGES_IN_FILE;
    max_files = policy_max_files_per_job();

    if (!(files = heap_alloc_zero(count * sizeof(*files)))) return E_OUTOFMEMORY;

    if (FAILED(hr = job_lock_mutable(job)))
    {
        heap_free(files);
        return hr;
    }
    if (job->type != BG_JOB_TYPE_DOWNLOAD && job->file_count + count > 1)
        hr = BG_E_TOO_MANY_FILES;                       /* upload jobs hold exactly one file */
    else if (!exempt && job->file_count + count > max_files)
        hr = BG_E_TOO_MANY_FILES_IN_JOB;
    for (i = 0; SUCCEEDED(hr) && i < count; i++)
        hr = file_create(job, info[i].RemoteName, info[i].LocalName, ranges, range_count, &files[i]);
    if (SUCCEEDED(hr))
    {
        for (i = 0; i < count; i++)
        {
            list_add_tail(&job->files, &files[i]->entry);
            job->file_count++;
        }
        /* A TRANSFERRED job with new files has work again once resumed, as BITS documents. */
        job_unlock_modified(job);
    }
    else
    {
        LeaveCriticalSection(&job->cs);
        for (i = 0; i < count; i++)
            if (files[i]) file_free(files[i]);       /* never part of the job */
    }
    heap_free(files);
    return hr;
}

static HRESULT WINAPI job_AddFileSet(IBackgroundCopyJob5 *iface, ULONG count, BG_FILE_INFO *info)
{
    struct bits_job *job = impl_from_IBackgroundCopyJob5(iface);

    TRACE("(%p)->(%lu %p)\n", job, count, info);

    if (!count || !info) return E_INVALIDARG;
    return job_add_files(job, count, info, NULL, 0);
}

static HRESULT WINAPI job_AddFile(IBackgroundCopyJob5 *iface, LPCWSTR remote, LPCWSTR local)
{
    struct bits_job *job = impl_from_IBackgroundCopyJob5(iface);
    BG_FILE_INFO info;

    TRACE("(%p)->(%s %s)\n", job, debugstr_w(remote), debugstr_w(local));

    if (!remote || !local) return E_INVALIDARG;
    info.RemoteName = (WCHAR *)remote;
    info.LocalName = (WCHAR *)local;
    return job_add_files(job, 1, &info, NULL, 0);
}

static HRESULT WINAPI job_EnumFiles(IBackgroundCopyJob5 *iface, IEnumBackgroundCopyFiles **out)
{
    struct bits_job *job = impl_from_IBackgroundCopyJob5(iface);
    struct bits_file **files, *file;
    ULONG count = 0;
    HRESULT hr;

    TRACE("(%p)->(%p)\n", job, out);

    if (!out) return E_INVALIDARG;
    EnterCriticalSection(&job->cs);
    if (!(files = heap_alloc_zero((job->file_count + 1) * sizeof(*files))))
    {
        LeaveCriticalSection(&job->cs);
        return E_OUTOFMEMORY;
    }
    LIST_FOR_EACH_ENTRY(file, &job->files, struct bits_file, entry)
        files[count++] = file;
    hr = enum_files_create(files, count, out);   /* takes its own references */
    LeaveCriticalSection(&job->cs);
    heap_free(files);
    return hr;
}

static HRESULT WINAPI job_Suspend(IBackgroundCopyJob5 *iface)
{
    struct bits_job *job = impl_from_IBackgroundCopyJob5(iface);
    HRESULT hr;

    TRACE("(%p)\n", job);

    if (FAILED(hr = job_lock_mutable(job))) return hr;
    if (job->state != BG_JOB_STATE_SUSPENDED) job_set_state(job, BG_JOB_STATE_SUSPENDED, 0);
    job_abort_transfer(job);                    /* a running transfer stops at once */
    job_unlock_modified(job);
    /* It may have been the last job with work: a pass decides whether the session stays up. */
    if (keeper_holding(KEEP_JOBS)) scheduler_wake();
    return S_OK;
}

static BOOL job_all_files_transferred(struct bits_job *job)
{
    struct bits_file *file;

    LIST_FOR_EACH_ENTRY(file, &job->files, struct bits_file, entry)
        if (!file->transferred) return FALSE;
    return TRUE;
}

static HRESULT WINAPI job_Resume(IBackgroundCopyJob5 *iface)
{
    struct bits_job *job = impl_from_IBackgroundCopyJob5(iface);
    HRESULT hr;

    TRACE("(%p)\n", job);

    if (FAILED(hr = job_lock_mutable(job))) return hr;
    if (!job->file_count)
    {
        LeaveCriticalSection(&job->cs);
        return BG_E_EMPTY;                      /* no files: the job stays SUSPENDED */
    }
    job->resumed_once = TRUE;
    /* Resume starts the MaxDownloadTime clock again, as documented for SetMaximumDownloadTime. */
    job->download_ms = 0;
    if (job->active_since) job->active_since = GetTickCount64();
    switch (job->state)
    {
    case BG_JOB_STATE_SUSPENDED:
    case BG_JOB_STATE_ERROR:
    case BG_JOB_STATE_TRANSIENT_ERROR:
        if (job->error)
        {
            IBackgroundCopyError_Release(&job->error->IBackgroundCopyError_iface);
            job->error = NULL;
        }
        job_set_state(job, BG_JOB_STATE_QUEUED, 0);
        break;
    case BG_JOB_STATE_TRANSFERRED:
        if (!job_all_files_transferred(job)) job_set_state(job, BG_JOB_STATE_QUEUED, 0);
        break;
    default:
        break;                                  /* action states stay where they are */
    }
    job_unlock_modified(job);
    scheduler_run();
    return S_OK;
}

static HRESULT WINAPI job_Cancel(IBackgroundCopyJob5 *iface)
{
    struct bits_job *job = impl_from_IBackgroundCopyJob5(iface);
    BOOL failed = FALSE;
    struct bits_file *file;
    struct final_leftovers left;
    WCHAR *remote = NULL, *host, *session;
    HANDLE done;
    HRESULT hr;

    TRACE("(%p)\n", job);

    if (FAILED(hr = job_lock_mutable(job))) return hr;
    job_set_state(job, BG_JOB_STATE_CANCELLED, 0);
    job_abort_transfer(job);
    done = job->worker_active ? job->worker_done : NULL;
    job_detach_final(job, &left);
    LeaveCriticalSection(&job->cs);

    /* The worker closes its files before they are deleted, and for an upload it sends nothing
     * more once the server's session is cancelled below. No time limit: a worker stops at once
     * after job_abort_transfer, as every wait of it on the network (WinHTTP through httpwait.c,
     * a proxy lookup) ends on the abort event and it checks the flag before each block it writes;
     * what is left is one read or write of a file. Going on while it still ran would delete
     * files it still has open and cancel a session it may still send a fragment to. */
    if (done) WaitForSingleObject(done, INFINITE);
    if (job->type != BG_JOB_TYPE_DOWNLOAD)
    {
        /* The reply goes, and the server's session is cancelled: Cancel-Session cancels the reply even after the last fragment. */
        EnterCriticalSection(&job->cs);
        if (!list_empty(&job->files))
            remote = heap_strdupW(LIST_ENTRY(job->files.next, struct bits_file, entry)->remote_name);
        host = heap_strdupW(job->upload_host);
        session = heap_strdupW(job->upload_session);
        if (job->reply_temp && !DeleteFileW(job->reply_temp) && GetLastError() != ERROR_FILE_NOT_FOUND)
            failed = TRUE;
        LeaveCriticalSection(&job->cs);
        if (session) upload_cancel_session(job, remote, host, session, 0);
        else
        {
            heap_free(remote);
            heap_free(host);
        }
    }
    /* Only what BITS created goes: temp files, never a destination that existed before. The
     * files stay in the final job (the list no longer changes) for the clients that read them. */
    EnterCriticalSection(&job->cs);
    LIST_FOR_EACH_ENTRY(file, &job->files, struct bits_file, entry)
        delete_temp_file(file, &failed);
    LeaveCriticalSection(&job->cs);
    manager_remove_job(job);
    store_save_now();
    release_leftovers(&left);
    return failed ? BG_S_UNABLE_TO_DELETE_FILES : S_OK;
}

/* Downloads take the remote file's time; the creation time equals it, as BITS does for HTTP downloads. */
static void set_file_times(const WCHAR *path, const FILETIME *mtime)
{
    HANDLE handle;

    if (!mtime->dwLowDateTime && !mtime->dwHighDateTime) return;
    handle = CreateFileW(path, FILE_WRITE_ATTRIBUTES, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                         OPEN_EXISTING, 0, NULL);
    if (handle == INVALID_HANDLE_VALUE) return;
    if (!SetFileTime(handle, mtime, NULL, mtime)) WARN("cannot set the time of %s\n", debugstr_w(path));
    CloseHandle(handle);
    SetFileAttributesW(path, GetFileAttributesW(path) & ~FILE_ATTRIBUTE_HIDDEN);
}

/* One file is published at a time in the whole service. Jobs that complete together to the
 * same destination would otherwise rename over a file that another job still holds open to set
 * its times, and that rename fails with access denied, leaving the job TRANSFERRED. In turn,
 * every job succeeds and the last one's bytes are the file. Innermost lock: nothing is taken
 * while it is held. */
static SRWLOCK publish_lock = SRWLOCK_INIT;

static BOOL publish_file(const WCHAR *temp, const WCHAR *local, const FILETIME *mtime)
{
    BOOL ret;

    AcquireSRWLockExclusive(&publish_lock);
    if ((ret = MoveFileExW(temp, local, MOVEFILE_REPLACE_EXISTING)) && mtime) set_file_times(local, mtime);
    ReleaseSRWLockExclusive(&publish_lock);
    return ret;
}

/* Move finished temp files over their local names; unfinished ones are deleted. */
static HRESULT WINAPI job_Complete(IBackgroundCopyJob5 *iface)
{
    struct bits_job *job = impl_from_IBackgroundCopyJob5(iface);
    BOOL partial = FALSE, failed = FALSE;
    struct bits_file *file;
    struct final_leftovers left;
    HRESULT hr;

    TRACE("(%p)\n", job);

    if (FAILED(hr = job_lock_mutable(job))) return hr;
    if (job->type != BG_JOB_TYPE_DOWNLOAD && job->state != BG_JOB_STATE_TRANSFERRED)
    {
        LeaveCriticalSection(&job->cs);
        return BG_E_INVALID_STATE;              /* uploads complete only when TRANSFERRED */
    }
    if (job->worker_active)
    {
        /* A download in progress stops, and closes its temp file, before the files it did not
         * finish are given up. The stopped job is not QUEUED: nothing restarts it. */
        LeaveCriticalSection(&job->cs);
        job_stop_worker(job);
        if (FAILED(hr = job_lock_mutable(job))) return hr;
    }
    if (job->type == BG_JOB_TYPE_UPLOAD_REPLY && job->reply_temp)
    {
        WCHAR *reply = job_reply_path(job);
        /* the reply temp file becomes the reply file */
        if (reply && !publish_file(job->reply_temp, reply, NULL))
        {
            hr = HRESULT_FROM_WIN32(GetLastError());
            WARN("cannot rename the reply %s: %#lx\n", debugstr_w(job->reply_temp), hr);
            heap_free(reply);
            job_touch(job);
            LeaveCriticalSection(&job->cs);
            return hr;
        }
        if (reply) SetFileAttributesW(reply, GetFileAttributesW(reply) & ~FILE_ATTRIBUTE_HIDDEN);
        /* the files go with Complete: a generated name stays readable (GetReplyData works after Complete too) */
        if (!job->reply_name) job->reply_name = reply;
        else heap_free(reply);
    }
    LIST_FOR_EACH_ENTRY(file, &job->files, struct bits_file, entry)
    {
        if (file->progress.Completed) continue;
        if (!file->transferred || job->type != BG_JOB_TYPE_DOWNLOAD)
        {
            if (job->type == BG_JOB_TYPE_DOWNLOAD) partial = TRUE;
            if (job->type == BG_JOB_TYPE_DOWNLOAD) delete_temp_file(file, &failed);
            continue;
        }
        if (file->temp_name && lstrcmpiW(file->temp_name, file->local_name)
            && !publish_file(file->temp_name, file->local_name, &file->remote_mtime))
        {
            hr = HRESULT_FROM_WIN32(GetLastError());
            WARN("cannot rename %s: %#lx\n", debugstr_w(file->temp_name), hr);
            job_changed(job);
            LeaveCriticalSection(&job->cs);     /* the job stays TRANSFERRED: the app may Complete or Cancel again */
            return hr;
        }
        /* a temp file that is already the local name only needs its times */
        if (!file->temp_name || !lstrcmpiW(file->temp_name, file->local_name))
            set_file_times(file->local_name, &file->remote_mtime);
        file->progress.Completed = TRUE;
    }
    job_set_state(job, BG_JOB_STATE_ACKNOWLEDGED, 0);
    job_detach_final(job, &left);
    LeaveCriticalSection(&job->cs);

    manager_remove_job(job);
    store_save_now();
    release_leftovers(&left);
    if (partial) return BG_S_PARTIAL_COMPLETE;
    return failed ? BG_S_UNABLE_TO_DELETE_FILES : S_OK;
}

static HRESULT WINAPI job_GetId(IBackgroundCopyJob5 *iface, GUID *id)
{
    struct bits_job *job = impl_from_IBackgroundCopyJob5(iface);

    TRACE("(%p)->(%p)\n", job, id);

    if (!id) return E_INVALIDARG;
    *id = job->id;
    return S_OK;
}

static HRESULT WINAPI job_GetType(IBackgroundCopyJob5 *iface, BG_JOB_TYPE *type)
{
    struct bits_job *job = impl_from_IBackgroundCopyJob5(iface);

    TRACE("(%p)->(%p)\n", job, type);

    if (!type) return E_INVALIDARG;
    *type = job->type;
    return S_OK;
}

static HRESULT WINAPI job_GetProgress(IBackgroundCopyJob5 *iface, BG_JOB_PROGRESS *progress)
{
    struct bits_job *job = impl_from_IBackgroundCopyJob5(iface);
    struct bits_file *file;

    TRACE("(%p)->(%p)\n", job, progress);

    if (!progress) return E_INVALIDARG;
    memset(progress, 0, sizeof(*progress));
    EnterCriticalSection(&job->cs);
    LIST_FOR_EACH_ENTRY(file, &job->files, struct bits_file, entry)
    {
        if (file->progress.BytesTotal == BG_SIZE_UNKNOWN || progress->BytesTotal == BG_SIZE_UNKNOWN)
            progress->BytesTotal = BG_SIZE_UNKNOWN;
        else
            progress->BytesTotal += file->progress.BytesTotal;
        progress->BytesTransferred += file->progress.BytesTransferred;
        if (file->transferred) progress->FilesTransferred++;
    }
    progress->FilesTotal = job->file_count;
    LeaveCriticalSection(&job->cs);
    return S_OK;
}

static HRESULT WINAPI job_GetTimes(IBackgroundCopyJob5 *iface, BG_JOB_TIMES *times)
{
    struct bits_job *job = impl_from_IBackgroundCopyJob5(iface);

    TRACE("(%p)->(%p)\n", job, times);

    if (!times) return E_INVALIDARG;
    EnterCriticalSection(&job->cs);
    times->CreationTime = job->creation_time;
    times->ModificationTime = job->modification_time;
    times->TransferCompletionTime = job->completion_time;
    LeaveCriticalSection(&job->cs);
    return S_OK;
}

static HRESULT WINAPI job_GetState(IBackgroundCopyJob5 *iface, BG_JOB_STATE *state)
{
    struct bits_job *job = impl_from_IBackgroundCopyJob5(iface);

    TRACE("(%p)->(%p)\n", job, state);

    if (!state) return E_INVALIDARG;
    EnterCriticalSection(&job->cs);
    *state = job->state;
    LeaveCriticalSection(&job->cs);
    return S_OK;
}

static HRESULT WINAPI job_GetError(IBackgroundCopyJob5 *iface, IBackgroundCopyError **error)
{
    struct bits_job *job = impl_from_IBackgroundCopyJob5(iface);
    HRESULT hr = BG_E_ERROR_INFORMATION_UNAVAILABLE;

    TRACE("(%p)->(%p)\n", job, error);

    if (!error) return E_INVALIDARG;
    *error = NULL;
    EnterCriticalSection(&job->cs);
    if ((job->state == BG_JOB_STATE_ERROR || job->state == BG_JOB_STATE_TRANSIENT_ERROR) && job->error)
    {
        *error = &job->error->IBackgroundCopyError_iface;
        IBackgroundCopyError_AddRef(*error);
        hr = S_OK;
    }
    LeaveCriticalSection(&job->cs);
    return hr;
}

static HRESULT WINAPI job_GetOwner(IBackgroundCopyJob5 *iface, LPWSTR *owner)
{
    struct bits_job *job = impl_from_IBackgroundCopyJob5(iface);
    HRESULT hr;

    TRACE("(%p)->(%p)\n", job, owner);

    if (!owner) return E_INVALIDARG;
    EnterCriticalSection(&job->cs);
    hr = sid_to_string(job->owner.sid, owner);
    LeaveCriticalSection(&job->cs);
    return hr;
}

/* One setter for the string properties with a length limit. */
static HRESULT job_set_string(struct bits_job *job, WCHAR **field, const WCHAR *value, int max, HRESULT too_long)
{
    HRESULT hr;

    if (!value) return E_INVALIDARG;
    if (lstrlenW(value) > max) return too_long;
    if (FAILED(hr = job_lock_mutable(job))) return hr;
    if (SUCCEEDED(hr = replace_string(field, value))) job_unlock_modified(job);
    else LeaveCriticalSection(&job->cs);
    return hr;
}

static HRESULT job_get_string(struct bits_job *job, WCHAR *const *field, WCHAR **out)
{
    HRESULT hr;

    if (!out) return E_INVALIDARG;
    EnterCriticalSection(&job->cs);
    hr = strdup_for_client(*field ? *field : L"", out);
    LeaveCriticalSection(&job->cs);
    return hr;
}

static HRESULT WINAPI job_SetDisplayName(IBackgroundCopyJob5 *iface, LPCWSTR name)
{
    struct bits_job *job = impl_from_IBackgroundCopyJob5(iface);

    TRACE("(%p)->(%s)\n", job, debugstr_w(name));

    /* too long is E_INVALIDARG, as in CreateJob */
    return job_set_string(job, &job->display_name, name, MAX_DISPLAY_NAME, E_INVALIDARG);
}

static HRESULT WINAPI job_GetDisplayName(IBackgroundCopyJob5 *iface, LPWSTR *name)
{
    struct bits_job *job = impl_from_IBackgroundCopyJob5(iface);

    TRACE("(%p)->(%p)\n", job, name);

    return job_get_string(job, &job->display_name, name);
}

static HRESULT WINAPI job_SetDescription(IBackgroundCopyJob5 *iface, LPCWSTR desc)
{
    struct bits_job *job = impl_from_IBackgroundCopyJob5(iface);

    TRACE("(%p)->(%s)\n", job, debugstr_w(desc));

    return job_set_string(job, &job->description, desc, MAX_DESCRIPTION, BG_E_STRING_TOO_LONG);
}

static HRESULT WINAPI job_GetDescription(IBackgroundCopyJob5 *iface, LPWSTR *desc)
{
    struct bits_job *job = impl_from_IBackgroundCopyJob5(iface);

    TRACE("(%p)->(%p)\n", job, desc);

    return job_get_string(job, &job->description, desc);
}

static HRESULT WINAPI job_SetPriority(IBackgroundCopyJob5 *iface, BG_JOB_PRIORITY priority)
{
    struct bits_job *job = impl_from_IBackgroundCopyJob5(iface);
    HRESULT hr;

    TRACE("(%p)->(%d)\n", job, priority);

    if ((unsigned int)priority > BG_JOB_PRIORITY_LOW) return E_NOTIMPL;
    if (FAILED(hr = job_lock_mutable(job))) return hr;
    if (job->http_method && priority != BG_JOB_PRIORITY_FOREGROUND)
    {
        /* a custom verb locks the job to FOREGROUND */
        LeaveCriticalSection(&job->cs);
        return BG_E_NOT_SUPPORTED_WITH_CUSTOM_HTTP_METHOD;
    }
    job->priority = priority;
    job_unlock_modified(job);
    scheduler_wake();                           /* a higher class may preempt a lower one now */
    return S_OK;
}

static HRESULT WINAPI job_GetPriority(IBackgroundCopyJob5 *iface, BG_JOB_PRIORITY *priority)
{
    struct bits_job *job = impl_from_IBackgroundCopyJob5(iface);

    TRACE("(%p)->(%p)\n", job, priority);

    if (!priority) return E_INVALIDARG;
    EnterCriticalSection(&job->cs);
    *priority = job->priority;
    LeaveCriticalSection(&job->cs);
    return S_OK;
}

#define NOTIFY_FLAGS_ALL (BG_NOTIFY_JOB_TRANSFERRED | BG_NOTIFY_JOB_ERROR | BG_NOTIFY_DISABLE \
                          | BG_NOTIFY_JOB_MODIFICATION | BG_NOTIFY_FILE_TRANSFERRED \
                          | BG_NOTIFY_FILE_RANGES_TRANSFERRED)

static HRESULT WINAPI job_SetNotifyFlags(IBackgroundCopyJob5 *iface, ULONG flags)
{
    struct bits_job *job = impl_from_IBackgroundCopyJob5(iface);
    HRESULT hr;

    TRACE("(%p)->(%#lx)\n", job, flags);

    if (flags & ~NOTIFY_FLAGS_ALL) return E_NOTIMPL;
    if (FAILED(hr = job_lock_mutable(job))) return hr;
    job->notify_flags = flags;
    job_unlock_modified(job);
    return S_OK;
}

static HRESULT WINAPI job_GetNotifyFlags(IBackgroundCopyJob5 *iface, ULONG *flags)
{
    struct bits_job *job = impl_from_IBackgroundCopyJob5(iface);

    TRACE("(%p)->(%p)\n", job, flags);

    if (!flags) return E_INVALIDARG;
    EnterCriticalSection(&job->cs);
    *flags = job->notify_flags;
    LeaveCriticalSection(&job->cs);
    return S_OK;
}

static HRESULT WINAPI job_SetNotifyInterface(IBackgroundCopyJob5 *iface, IUnknown *callback)
{
    struct bits_job *job = impl_from_IBackgroundCopyJob5(iface);
    IUnknown *old, *cb = NULL;
    HRESULT hr;

    TRACE("(%p)->(%p)\n", job, callback);

    if (callback && FAILED(hr = IUnknown_QueryInterface(callback, &IID_IBackgroundCopyCallback, (void **)&cb)))
        return hr;
    if (FAILED(hr = job_lock_mutable(job)))
    {
        if (cb) IUnknown_Release(cb);
        return hr;
    }
    old = job->notify_iface;
    job->notify_iface = cb;                     /* the last caller wins; never persisted */
    if (cb) IUnknown_AddRef(cb);
    job_unlock_modified(job);
    if (old) notify_release_callback(old);
    /* The connection for the first event, while the client waits for this call anyway (notify.c). */
    if (cb)
    {
        notify_connect(cb);
        notify_release_callback(cb);
    }
    return S_OK;
}

static HRESULT WINAPI job_GetNotifyInterface(IBackgroundCopyJob5 *iface, IUnknown **callback)
{
    struct bits_job *job = impl_from_IBackgroundCopyJob5(iface);

    TRACE("(%p)->(%p)\n", job, callback);

    if (!callback) return E_INVALIDARG;
    EnterCriticalSection(&job->cs);
    if ((*callback = job->notify_iface)) IUnknown_AddRef(*callback);
    LeaveCriticalSection(&job->cs);
    return S_OK;
}

/* One setter for the ULONG properties of the job. */
static HRESULT job_set_ulong(struct bits_job *job, ULONG *field, ULONG value)
{
    HRESULT hr;

    if (FAILED(hr = job_lock_mutable(job))) return hr;
    *field = value;
    job_unlock_modified(job);
    return S_OK;
}

static HRESULT job_get_ulong(struct bits_job *job, const ULONG *field, ULONG *out)
{
    if (!out) return E_INVALIDARG;
    EnterCriticalSection(&job->cs);
    *out = *field;
    LeaveCriticalSection(&job->cs);
    return S_OK;
}

static HRESULT WINAPI job_SetMinimumRetryDelay(IBackgroundCopyJob5 *iface, ULONG delay)
{
    struct bits_job *job = impl_from_IBackgroundCopyJob5(iface);

    TRACE("(%p)->(%lu)\n", job, delay);

    return job_set_ulong(job, &job->retry_delay, max(delay, MIN_RETRY_DELAY));
}

static HRESULT WINAPI job_GetMinimumRetryDelay(IBackgroundCopyJob5 *iface, ULONG *delay)
{
    struct bits_job *job = impl_from_IBackgroundCopyJob5(iface);

    TRACE("(%p)->(%p)\n", job, delay);

    return job_get_ulong(job, &job->retry_delay, delay);
}

static HRESULT WINAPI job_SetNoProgressTimeout(IBackgroundCopyJob5 *iface, ULONG timeout)
{
    struct bits_job *job = impl_from_IBackgroundCopyJob5(iface);

    TRACE("(%p)->(%lu)\n", job, timeout);

    return job_set_ulong(job, &job->no_progress_timeout, timeout);
}

static HRESULT WINAPI job_GetNoProgressTimeout(IBackgroundCopyJob5 *iface, ULONG *timeout)
{
    struct bits_job *job = impl_from_IBackgroundCopyJob5(iface);

    TRACE("(%p)->(%p)\n", job, timeout);

    return job_get_ulong(job, &job->no_progress_timeout, timeout);
}

static HRESULT WINAPI job_GetErrorCount(IBackgroundCopyJob5 *iface, ULONG *count)
{
    struct bits_job *job = impl_from_IBackgroundCopyJob5(iface);

    TRACE("(%p)->(%p)\n", job, count);

    return job_get_ulong(job, &job->error_count, count);
}

/* The proxy lists may be 32 KB. Reading that as bytes including the terminating NUL is our choice:
 * the documentation does not say, and the smaller reading never accepts what Windows refuses. */
#define MAX_PROXY_CHARS (MAX_PROXY_LIST / sizeof(WCHAR) - 1)

static HRESULT WINAPI job_SetProxySettings(IBackgroundCopyJob5 *iface, BG_JOB_PROXY_USAGE usage,
                                           const WCHAR *list, const WCHAR *bypass)
{
    struct bits_job *job = impl_from_IBackgroundCopyJob5(iface);
    WCHAR *new_list = NULL, *new_bypass = NULL;
    HRESULT hr;

    TRACE("(%p)->(%d %s %s)\n", job, usage, debugstr_w(list), debugstr_w(bypass));

    if ((unsigned int)usage > BG_JOB_PROXY_USAGE_AUTODETECT) return E_NOTIMPL;
    if (usage == BG_JOB_PROXY_USAGE_OVERRIDE)
    {
        if (!list || !*list) return E_INVALIDARG;
        if ((SIZE_T)lstrlenW(list) > MAX_PROXY_CHARS) return BG_E_PROXY_LIST_TOO_LARGE;
        if (bypass && (SIZE_T)lstrlenW(bypass) > MAX_PROXY_CHARS) return BG_E_PROXY_BYPASS_LIST_TOO_LARGE;
        if (!(new_list = heap_strdupW(list))) return E_OUTOFMEMORY;
        if (bypass && *bypass && !(new_bypass = heap_strdupW(bypass)))
        {
            heap_free(new_list);
            return E_OUTOFMEMORY;
        }
    }
    else if (list || bypass) return E_INVALIDARG;   /* lists only with OVERRIDE */

    if (FAILED(hr = job_lock_mutable(job)))
    {
        heap_free(new_list);
        heap_free(new_bypass);
        return hr;
    }
    heap_free(job->proxy_list);
    heap_free(job->proxy_bypass);
    job->proxy_usage = usage;
    job->proxy_list = new_list;
    job->proxy_bypass = new_bypass;
    job_unlock_modified(job);
    return S_OK;
}

static HRESULT WINAPI job_GetProxySettings(IBackgroundCopyJob5 *iface, BG_JOB_PROXY_USAGE *usage,
                                           LPWSTR *list, LPWSTR *bypass)
{
    struct bits_job *job = impl_from_IBackgroundCopyJob5(iface);
    HRESULT hr;

    TRACE("(%p)->(%p %p %p)\n", job, usage, list, bypass);

    if (!usage || !list || !bypass) return E_INVALIDARG;
    *list = *bypass = NULL;
    EnterCriticalSection(&job->cs);
    *usage = job->proxy_usage;
    if (SUCCEEDED(hr = strdup_for_client(job->proxy_list, list))
        && FAILED(hr = strdup_for_client(job->proxy_bypass, bypass)))
    {
        CoTaskMemFree(*list);
        *list = NULL;
    }
    LeaveCriticalSection(&job->cs);
    return hr;
}

static HRESULT WINAPI job_TakeOwnership(IBackgroundCopyJob5 *iface)
{
    struct bits_job *job = impl_from_IBackgroundCopyJob5(iface);
    struct bits_caller caller;
    HANDLE token, old_token;
    HRESULT hr;

    TRACE("(%p)\n", job);

    if (FAILED(hr = caller_identify(&caller))) return hr;
    if (!caller.admin)
    {
        caller_free(&caller);
        return E_ACCESSDENIED;                  /* admin (elevated) only */
    }
    /* The new owner's token: its sources are read as it from now on. */
    if (FAILED(caller_open_primary_token(&token)))
    {
        WARN("job %s: no token of the new owner\n", debugstr_guid(&job->id));
        token = NULL;
    }
    if (FAILED(hr = job_lock_mutable(job)))
    {
        if (token) CloseHandle(token);
        caller_free(&caller);
        return hr;
    }
    caller_free(&job->owner);
    job->owner = caller;
    old_token = job->owner_token;
    job->owner_token = token;
    job->notify_set_by_owner = FALSE;
    /* a new owner gets no credentials, certificate, headers or command line */
    job_clear_credentials(job);
    job_clear_certificate(job);
    free_secret(&job->custom_headers);
    job->headers_write_only = FALSE;
    heap_free(job->notify_program);
    heap_free(job->notify_params);
    job->notify_program = job->notify_params = NULL;
    job_unlock_modified(job);
    if (old_token) CloseHandle(old_token);
    return S_OK;
}

/* ---- IBackgroundCopyJob2 ---- */

static HRESULT WINAPI job_SetNotifyCmdLine(IBackgroundCopyJob5 *iface, LPCWSTR program, LPCWSTR params)
{
    struct bits_job *job = impl_from_IBackgroundCopyJob5(iface);
    WCHAR *new_program = NULL, *new_params = NULL;
    HANDLE token = NULL, old_token = NULL;
    struct bits_caller caller;
    BOOL by_owner = FALSE;
    HRESULT hr;

    TRACE("(%p)->(%s %s)\n", job, debugstr_w(program), debugstr_w(params));

    if (!program && params) return E_INVALIDARG;
    if (program && lstrlenW(program) >= MAX_PATH) return BG_E_STRING_TOO_LONG;
    if (params && lstrlenW(params) > MAX_NOTIFY_PARAMS) return BG_E_STRING_TOO_LONG;
    if (program && !(new_program = heap_strdupW(program))) return E_OUTOFMEMORY;
    if (params && !(new_params = heap_strdupW(params)))
    {
        heap_free(new_program);
        return E_OUTOFMEMORY;
    }
    /* The program runs as the user who set it, and only if that is the owner: the owner's SID
     * with the owner's administrator membership (an administrator may change another user's
     * job, and under Wine every "user" has the same SID, but no program or copy of a standard
     * user's job gets an administrator's token). The token comes from this very call, so that
     * a program set by a standard user never runs with a token from an earlier call. */
    if (program && SUCCEEDED(hr = caller_identify(&caller)))
    {
        EnterCriticalSection(&job->cs);
        by_owner = sid_equal(caller.sid, job->owner.sid) && !caller.admin == !job->owner.admin;
        LeaveCriticalSection(&job->cs);
        caller_free(&caller);
        if (by_owner && FAILED(caller_open_primary_token(&token)))
        {
            WARN("job %s: no token of the caller: the command line will not run\n", debugstr_guid(&job->id));
            by_owner = FALSE;
        }
    }
    if (FAILED(hr = job_lock_mutable(job)))
    {
        if (token) CloseHandle(token);
        heap_free(new_program);
        heap_free(new_params);
        return hr;
    }
    heap_free(job->notify_program);
    heap_free(job->notify_params);
    job->notify_program = new_program;
    job->notify_params = new_params;
    job->notify_set_by_owner = by_owner;
    if (token)
    {
        old_token = job->owner_token;
        job->owner_token = token;
    }
    job_unlock_modified(job);
    if (old_token) CloseHandle(old_token);
    return S_OK;
}

static HRESULT WINAPI job_GetNotifyCmdLine(IBackgroundCopyJob5 *iface, LPWSTR *program, LPWSTR *params)
{
    struct bits_job *job = impl_from_IBackgroundCopyJob5(iface);
    HRESULT hr;

    TRACE("(%p)->(%p %p)\n", job, program, params);

    if (!program || !params) return E_INVALIDARG;
    *program = *params = NULL;
    EnterCriticalSection(&job->cs);
    if (SUCCEEDED(hr = strdup_for_client(job->notify_program, program))
        && FAILED(hr = strdup_for_client(job->notify_params, params)))
    {
        CoTaskMemFree(*program);
        *program = NULL;
    }
    LeaveCriticalSection(&job->cs);
    return hr;
}

/* The reply file: the name set, else one BITS makes up beside the upload, which is NULL until a
 * file is added. The made-up name is "<upload file>.<8 hex digits of the job id>.reply": Windows
 * documents only the directory, and the job id keeps two jobs on one upload file apart. */
WCHAR *job_reply_path(struct bits_job *job)
{
    struct bits_file *file;
    WCHAR *path;
    size_t size;

    if (job->reply_name) return heap_strdupW(job->reply_name);
    if (list_empty(&job->files)) return NULL;
    file = LIST_ENTRY(job->files.next, struct bits_file, entry);
    size = lstrlenW(file->local_name) + 16;
    if (!(path = heap_alloc_zero(size * sizeof(WCHAR)))) return NULL;
    swprintf(path, size, L"%s.%08lx.reply", file->local_name, job->id.Data1);
    return path;
}

/* The temp file the reply is downloaded into, beside the reply file, as download temp files sit beside theirs. */
WCHAR *job_reply_temp_name(struct bits_job *job)
{
    WCHAR *path = job_reply_path(job), *temp;

    if (!path) return NULL;
    temp = file_temp_name(path);
    heap_free(path);
    return temp;
}

static HRESULT WINAPI job_GetReplyProgress(IBackgroundCopyJob5 *iface, BG_JOB_REPLY_PROGRESS *progress)
{
    struct bits_job *job = impl_from_IBackgroundCopyJob5(iface);

    TRACE("(%p)->(%p)\n", job, progress);

    if (job->type != BG_JOB_TYPE_UPLOAD_REPLY) return E_NOTIMPL;
    if (!progress) return E_INVALIDARG;
    EnterCriticalSection(&job->cs);
    /* The reply size is unknown until the upload phase is over. */
    *progress = job->reply_progress;
    LeaveCriticalSection(&job->cs);
    return S_OK;
}

static HRESULT WINAPI job_GetReplyData(IBackgroundCopyJob5 *iface, byte **buffer, UINT64 *length)
{
    struct bits_job *job = impl_from_IBackgroundCopyJob5(iface);
    LARGE_INTEGER size;
    HANDLE handle;
    HRESULT hr = S_OK;
    WCHAR *path;
    DWORD read;

    TRACE("(%p)->(%p %p)\n", job, buffer, length);

    if (job->type != BG_JOB_TYPE_UPLOAD_REPLY) return E_NOTIMPL;
    if (!buffer || !length) return E_INVALIDARG;
    *buffer = NULL;
    *length = 0;
    EnterCriticalSection(&job->cs);
    /* In TRANSFERRED the reply is in its temp file; after Complete under its own name. */
    path = job->state == BG_JOB_STATE_ACKNOWLEDGED ? job_reply_path(job) : heap_strdupW(job->reply_temp);
    if (job->state != BG_JOB_STATE_TRANSFERRED && job->state != BG_JOB_STATE_ACKNOWLEDGED)
        hr = BG_E_INVALID_STATE;
    else if (path)
    {
        handle = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                             OPEN_EXISTING, 0, NULL);
        if (handle == INVALID_HANDLE_VALUE) hr = HRESULT_FROM_WIN32(GetLastError());
        else
        {
            if (!GetFileSizeEx(handle, &size)) hr = HRESULT_FROM_WIN32(GetLastError());
            else if ((*length = size.QuadPart) > MAX_REPLY_DATA) hr = BG_E_TOO_LARGE;   /* buffer stays NULL */
            else if (size.QuadPart)
            {
                if (!(*buffer = CoTaskMemAlloc(size.QuadPart))) hr = E_OUTOFMEMORY;
                else if (!ReadFile(handle, *buffer, size.QuadPart, &read, NULL) || read != size.QuadPart)
                {
                    hr = HRESULT_FROM_WIN32(GetLastError());
                    CoTaskMemFree(*buffer);
                    *buffer = NULL;
                }
            }
            CloseHandle(handle);
        }
    }
    LeaveCriticalSection(&job->cs);
    heap_free(path);
    return hr;
}

static HRESULT WINAPI job_SetReplyFileName(IBackgroundCopyJob5 *iface, LPCWSTR name)
{
    struct bits_job *job = impl_from_IBackgroundCopyJob5(iface);
    HRESULT hr;

    TRACE("(%p)->(%s)\n", job, debugstr_w(name));

    if (job->type != BG_JOB_TYPE_UPLOAD_REPLY) return E_NOTIMPL;
    if (name && *name && FAILED(hr = validate_local_name(name))) return hr;
    /* E_ACCESSDENIED when the reply cannot be written there, as for a download */
    if (name && *name && FAILED(hr = check_local_file(name, BG_JOB_TYPE_DOWNLOAD))) return hr;
    if (FAILED(hr = job_lock_mutable(job))) return hr;
    if (job->state == BG_JOB_STATE_TRANSFERRED || job->reply_temp)
    {
        LeaveCriticalSection(&job->cs);
        return BG_E_INVALID_STATE;              /* the reply download has started */
    }
    if (SUCCEEDED(hr = replace_string(&job->reply_name, name && *name ? name : NULL)))
        job_unlock_modified(job);
    else
        LeaveCriticalSection(&job->cs);
    return hr;
}

static HRESULT WINAPI job_GetReplyFileName(IBackgroundCopyJob5 *iface, LPWSTR *name)
{
    struct bits_job *job = impl_from_IBackgroundCopyJob5(iface);
    WCHAR *path;
    HRESULT hr;

    TRACE("(%p)->(%p)\n", job, name);

    if (job->type != BG_JOB_TYPE_UPLOAD_REPLY) return E_NOTIMPL;
    if (!name) return E_INVALIDARG;
    EnterCriticalSection(&job->cs);
    path = job_reply_path(job);
    LeaveCriticalSection(&job->cs);
    hr = strdup_for_client(path, name);
    heap_free(path);
    return hr;
}

static HRESULT check_auth_pair(BG_AUTH_TARGET target, BG_AUTH_SCHEME scheme)
{
    if (target != BG_AUTH_TARGET_SERVER && target != BG_AUTH_TARGET_PROXY) return BG_E_INVALID_AUTH_TARGET;
    if (scheme < BG_AUTH_SCHEME_BASIC || scheme > BG_AUTH_SCHEME_PASSPORT) return BG_E_INVALID_AUTH_SCHEME;
    return S_OK;
}

static HRESULT WINAPI job_SetCredentials(IBackgroundCopyJob5 *iface, BG_AUTH_CREDENTIALS *cred)
{
    struct bits_job *job = impl_from_IBackgroundCopyJob5(iface);
    const WCHAR *user, *password;
    struct bits_credential *slot;
    WCHAR *new_user = NULL, *new_password = NULL;
    HRESULT hr;

    TRACE("(%p)->(%p)\n", job, cred);

    if (!cred) return E_INVALIDARG;
    if (FAILED(hr = check_auth_pair(cred->Target, cred->Scheme))) return hr;
    user = cred->Credentials.Basic.UserName;
    password = cred->Credentials.Basic.Password;
    if (user && lstrlenW(user) > MAX_USERNAME) return BG_E_USERNAME_TOO_LARGE;
    if (password && lstrlenW(password) > MAX_PASSWORD) return BG_E_PASSWORD_TOO_LARGE;
    /* Only NTLM and Negotiate have implicit (logon) credentials. */
    if ((!user || !password) && cred->Scheme != BG_AUTH_SCHEME_NTLM && cred->Scheme != BG_AUTH_SCHEME_NEGOTIATE)
        return E_INVALIDARG;
    if (FAILED(hr = job_check_owner(job))) return hr;
    if ((user && !(new_user = heap_strdupW(user))) || (password && !(new_password = heap_strdupW(password))))
    {
        free_secret(&new_user);
        return E_OUTOFMEMORY;
    }
    if (FAILED(hr = job_lock_mutable(job)))
    {
        free_secret(&new_user);
        free_secret(&new_password);
        return hr;
    }
    slot = &job->creds[cred->Target - 1][cred->Scheme - 1];
    free_secret(&slot->user);
    free_secret(&slot->password);
    slot->user = new_user;
    slot->password = new_password;
    slot->set = TRUE;
    job_unlock_modified(job);
    return S_OK;
}

static HRESULT WINAPI job_RemoveCredentials(IBackgroundCopyJob5 *iface, BG_AUTH_TARGET target,
                                            BG_AUTH_SCHEME scheme)
{
    struct bits_job *job = impl_from_IBackgroundCopyJob5(iface);
    struct bits_credential *slot;
    HRESULT hr;

    TRACE("(%p)->(%d %d)\n", job, target, scheme);

    if (FAILED(hr = check_auth_pair(target, scheme))) return hr;
    if (FAILED(hr = job_lock_mutable(job))) return hr;
    slot = &job->creds[target - 1][scheme - 1];
    if (!slot->set)
    {
        LeaveCriticalSection(&job->cs);
        return S_FALSE;
    }
    free_secret(&slot->user);
    free_secret(&slot->password);
    slot->set = FALSE;
    job_unlock_modified(job);
    return S_OK;
}

/* ---- IBackgroundCopyJob3 ---- */

static HRESULT WINAPI job_ReplaceRemotePrefix(IBackgroundCopyJob5 *iface, LPCWSTR old_prefix, LPCWSTR new_prefix)
{
    struct bits_job *job = impl_from_IBackgroundCopyJob5(iface);
    struct bits_file *file;
    WCHAR **names;
    ULONG i = 0, count, matched = 0;
    int old_len, new_len;
    HRESULT hr = S_OK;

    TRACE("(%p)->(%s %s)\n", job, debugstr_w(old_prefix), debugstr_w(new_prefix));

    if (job->type != BG_JOB_TYPE_DOWNLOAD) return E_NOTIMPL;
    if (!old_prefix || !new_prefix || !*old_prefix || !*new_prefix) return E_INVALIDARG;
    old_len = lstrlenW(old_prefix);
    new_len = lstrlenW(new_prefix);

    if (FAILED(hr = job_lock_mutable(job))) return hr;
    count = job->file_count;
    if (!(names = heap_alloc_zero((count + 1) * sizeof(*names))))
    {
        LeaveCriticalSection(&job->cs);
        return E_OUTOFMEMORY;
    }
    /* Build and check every new name first: all or nothing. Case-sensitive, with no locale conversion. */
    LIST_FOR_EACH_ENTRY(file, &job->files, struct bits_file, entry)
    {
        int len = lstrlenW(file->remote_name);
        if (len >= old_len && !memcmp(file->remote_name, old_prefix, old_len * sizeof(WCHAR)))
        {
            if (len - old_len + new_len > MAX_URL) hr = E_INVALIDARG;
            else if (!(names[i] = heap_alloc_zero((len - old_len + new_len + 1) * sizeof(WCHAR)))) hr = E_OUTOFMEMORY;
            else
            {
                memcpy(names[i], new_prefix, new_len * sizeof(WCHAR));
                lstrcpyW(names[i] + new_len, file->remote_name + old_len);
                if (FAILED(validate_remote_name(names[i], job->type))) hr = E_INVALIDARG;
            }
            matched++;
        }
        if (FAILED(hr)) break;
        i++;
    }
    if (SUCCEEDED(hr) && matched)
    {
        i = 0;
        LIST_FOR_EACH_ENTRY(file, &job->files, struct bits_file, entry)
        {
            if (names[i])
            {
                heap_free(file->remote_name);
                file->remote_name = names[i];
                names[i] = NULL;
            }
            i++;
        }
        job_changed(job);
        notify_post(job, NOTIFY_JOB_MODIFICATION, NULL);
    }
    LeaveCriticalSection(&job->cs);
    for (i = 0; i < count; i++) heap_free(names[i]);
    heap_free(names);
    if (FAILED(hr)) return hr;
    return matched ? S_OK : S_FALSE;
}

static HRESULT WINAPI job_AddFileWithRanges(IBackgroundCopyJob5 *iface, LPCWSTR remote, LPCWSTR local,
                                            DWORD count, BG_FILE_RANGE *ranges)
{
    struct bits_job *job = impl_from_IBackgroundCopyJob5(iface);
    BG_FILE_INFO info;

    TRACE("(%p)->(%s %s %lu %p)\n", job, debugstr_w(remote), debugstr_w(local), count, ranges);

    if (job->type != BG_JOB_TYPE_DOWNLOAD) return E_NOTIMPL;
    if (!remote || !local || !count || !ranges) return E_INVALIDARG;
    /* ranges need HTTP; SMB is not accepted since BITS 3.0 */
    if (wcsnicmp(remote, L"http://", 7) && wcsnicmp(remote, L"https://", 8)) return E_INVALIDARG;
    info.RemoteName = (WCHAR *)remote;
    info.LocalName = (WCHAR *)local;
    return job_add_files(job, 1, &info, ranges, count);
}

#define ACL_FLAGS_ALL (BG_COPY_FILE_OWNER | BG_COPY_FILE_GROUP | BG_COPY_FILE_DACL | BG_COPY_FILE_SACL)

static HRESULT WINAPI job_SetFileACLFlags(IBackgroundCopyJob5 *iface, DWORD flags)
{
    struct bits_job *job = impl_from_IBackgroundCopyJob5(iface);
    HRESULT hr;

    TRACE("(%p)->(%#lx)\n", job, flags);

    if (flags & ~ACL_FLAGS_ALL) return E_INVALIDARG;
    if (FAILED(hr = job_lock_mutable(job))) return hr;
    if (job->state == BG_JOB_STATE_TRANSFERRED)
    {
        LeaveCriticalSection(&job->cs);
        return BG_E_INVALID_STATE;              /* a TRANSFERRED job's ACLs are already applied */
    }
    job->acl_flags = flags;
    job_unlock_modified(job);
    return S_OK;
}

static HRESULT WINAPI job_GetFileACLFlags(IBackgroundCopyJob5 *iface, DWORD *flags)
{
    struct bits_job *job = impl_from_IBackgroundCopyJob5(iface);

    TRACE("(%p)->(%p)\n", job, flags);

    return job_get_ulong(job, &job->acl_flags, flags);
}

/* ---- IBackgroundCopyJob4 ---- */

#define PEER_FLAGS_ALL (BG_JOB_ENABLE_PEERCACHING_CLIENT | BG_JOB_ENABLE_PEERCACHING_SERVER | BG_JOB_DISABLE_BRANCH_CACHE)

static HRESULT WINAPI job_SetPeerCachingFlags(IBackgroundCopyJob5 *iface, DWORD flags)
{
    struct bits_job *job = impl_from_IBackgroundCopyJob5(iface);

    TRACE("(%p)->(%#lx)\n", job, flags);

    if (flags & ~PEER_FLAGS_ALL) return E_INVALIDARG;
    return job_set_ulong(job, &job->peer_flags, flags);
}

static HRESULT WINAPI job_GetPeerCachingFlags(IBackgroundCopyJob5 *iface, DWORD *flags)
{
    struct bits_job *job = impl_from_IBackgroundCopyJob5(iface);

    TRACE("(%p)->(%p)\n", job, flags);

    return job_get_ulong(job, &job->peer_flags, flags);
}

static HRESULT WINAPI job_GetOwnerIntegrityLevel(IBackgroundCopyJob5 *iface, ULONG *level)
{
    struct bits_job *job = impl_from_IBackgroundCopyJob5(iface);

    TRACE("(%p)->(%p)\n", job, level);

    return job_get_ulong(job, &job->owner.integrity, level);
}

static HRESULT WINAPI job_GetOwnerElevationState(IBackgroundCopyJob5 *iface, BOOL *elevated)
{
    struct bits_job *job = impl_from_IBackgroundCopyJob5(iface);

    TRACE("(%p)->(%p)\n", job, elevated);

    if (!elevated) return E_INVALIDARG;
    EnterCriticalSection(&job->cs);
    *elevated = job->owner.elevated;
    LeaveCriticalSection(&job->cs);
    return S_OK;
}

static HRESULT WINAPI job_SetMaximumDownloadTime(IBackgroundCopyJob5 *iface, ULONG timeout)
{
    struct bits_job *job = impl_from_IBackgroundCopyJob5(iface);

    HRESULT hr;

    TRACE("(%p)->(%lu)\n", job, timeout);

    if (SUCCEEDED(hr = job_set_ulong(job, &job->max_download_time, timeout)))
        scheduler_wake();                       /* the deadline of a running transfer moves */
    return hr;
}

static HRESULT WINAPI job_GetMaximumDownloadTime(IBackgroundCopyJob5 *iface, ULONG *timeout)
{
    struct bits_job *job = impl_from_IBackgroundCopyJob5(iface);

    TRACE("(%p)->(%p)\n", job, timeout);

    return job_get_ulong(job, &job->max_download_time, timeout);
}

/* ---- IBackgroundCopyJob5 ---- */

#define COST_FLAGS_ALL (0xff | BITS_COST_STATE_RESERVED | BITS_COST_OPTION_IGNORE_CONGESTION)

/* DYNAMIC_CONTENT and ON_DEMAND_MODE: download jobs only, fixed at the first Resume, and
 * neither may be turned on together with the other or with a custom HTTP verb. */
static HRESULT job_check_download_mode(struct bits_job *job, BOOL enable, BOOL other_mode)
{
    if (job->type != BG_JOB_TYPE_DOWNLOAD) return BG_E_PROPERTY_SUPPORTED_FOR_DOWNLOAD_JOBS_ONLY;
    if (job->resumed_once) return BG_E_READ_ONLY_PROPERTY_AFTER_RESUME;
    if (enable && (other_mode || job->http_method)) return BG_E_UNSUPPORTED_JOB_CONFIGURATION;
    return S_OK;
}

/* Each property's type, job type and timing rules; the caller holds job->cs. */
static HRESULT job_set_property(struct bits_job *job, BITS_JOB_PROPERTY_ID id, const BITS_JOB_PROPERTY_VALUE *value)
{
    HRESULT hr;

    switch (id)
    {
    case BITS_JOB_PROPERTY_ID_COST_FLAGS:
        if (value->Dword & ~COST_FLAGS_ALL) return E_INVALIDARG;
        job->cost_flags = value->Dword;
        return S_OK;
    case BITS_JOB_PROPERTY_NOTIFICATION_CLSID:
        job->notify_clsid = value->ClsID;
        return S_OK;
    case BITS_JOB_PROPERTY_DYNAMIC_CONTENT:
        if (FAILED(hr = job_check_download_mode(job, value->Enable, job->on_demand))) return hr;
        job->dynamic_content = !!value->Enable;
        return S_OK;
    case BITS_JOB_PROPERTY_HIGH_PERFORMANCE:
        if (job->type != BG_JOB_TYPE_DOWNLOAD) return BG_E_PROPERTY_SUPPORTED_FOR_DOWNLOAD_JOBS_ONLY;
        if (job->file_count) return BG_E_READ_ONLY_PROPERTY_AFTER_ADDFILE;
        job->high_performance = !!value->Enable;
        return S_OK;
    case BITS_JOB_PROPERTY_MAX_DOWNLOAD_SIZE:
        if (job->type != BG_JOB_TYPE_DOWNLOAD) return BG_E_PROPERTY_SUPPORTED_FOR_DOWNLOAD_JOBS_ONLY;
        if (job->resumed_once) return BG_E_READ_ONLY_PROPERTY_AFTER_RESUME;
        if (!value->Uint64) return BG_E_MAX_DOWNLOAD_SIZE_INVALID_VALUE;
        job->max_download_size = value->Uint64;
        return S_OK;
    case BITS_JOB_PROPERTY_USE_STORED_CREDENTIALS:
        /* only the proxy target is supported */
        if (value->Target != BG_AUTH_TARGET_PROXY && value->Target != 0)
            return BG_E_USE_STORED_CREDENTIALS_NOT_SUPPORTED;
        job->stored_credentials = value->Target;
        return S_OK;
    case BITS_JOB_PROPERTY_MINIMUM_NOTIFICATION_INTERVAL_MS:
        job->notify_interval_ms = value->Dword;
        return S_OK;
    case BITS_JOB_PROPERTY_ON_DEMAND_MODE:
        if (FAILED(hr = job_check_download_mode(job, value->Enable, job->dynamic_content))) return hr;
        job->on_demand = !!value->Enable;
        return S_OK;
    }
    return BG_E_UNKNOWN_PROPERTY_ID;
}

static HRESULT WINAPI job_SetProperty(IBackgroundCopyJob5 *iface, BITS_JOB_PROPERTY_ID id, BITS_JOB_PROPERTY_VALUE value)
{
    struct bits_job *job = impl_from_IBackgroundCopyJob5(iface);
    HRESULT hr;

    TRACE("(%p)->(%d)\n", job, id);

    if (FAILED(hr = job_lock_mutable(job))) return hr;
    if (SUCCEEDED(hr = job_set_property(job, id, &value))) job_unlock_modified(job);
    else LeaveCriticalSection(&job->cs);
    return hr;
}

static HRESULT WINAPI job_GetProperty(IBackgroundCopyJob5 *iface, BITS_JOB_PROPERTY_ID id, BITS_JOB_PROPERTY_VALUE *value)
{
    struct bits_job *job = impl_from_IBackgroundCopyJob5(iface);
    HRESULT hr = S_OK;

    TRACE("(%p)->(%d %p)\n", job, id, value);

    if (!value) return E_INVALIDARG;
    EnterCriticalSection(&job->cs);
    switch (id)
    {
    case BITS_JOB_PROPERTY_ID_COST_FLAGS:                value->Dword = job->cost_flags; break;
    case BITS_JOB_PROPERTY_NOTIFICATION_CLSID:           value->ClsID = job->notify_clsid; break;
    case BITS_JOB_PROPERTY_DYNAMIC_CONTENT:              value->Enable = job->dynamic_content; break;
    case BITS_JOB_PROPERTY_HIGH_PERFORMANCE:             value->Enable = job->high_performance; break;
    case BITS_JOB_PROPERTY_MAX_DOWNLOAD_SIZE:            value->Uint64 = job->max_download_size; break;
    case BITS_JOB_PROPERTY_USE_STORED_CREDENTIALS:       value->Target = job->stored_credentials; break;
    case BITS_JOB_PROPERTY_MINIMUM_NOTIFICATION_INTERVAL_MS: value->Dword = job->notify_interval_ms; break;
    case BITS_JOB_PROPERTY_ON_DEMAND_MODE:               value->Enable = job->on_demand; break;
    default: hr = BG_E_UNKNOWN_PROPERTY_ID; break;
    }
    LeaveCriticalSection(&job->cs);
    return hr;
}

static const IBackgroundCopyJob5Vtbl job_vtbl =
{
    job_QueryInterface,
    job_AddRef,
    job_Release,
    job_AddFileSet,
    job_AddFile,
    job_EnumFiles,
    job_Suspend,
    job_Resume,
    job_Cancel,
    job_Complete,
    job_GetId,
    job_GetType,
    job_GetProgress,
    job_GetTimes,
    job_GetState,
    job_GetError,
    job_GetOwner,
    job_SetDisplayName,
    job_GetDisplayName,
    job_SetDescription,
    job_GetDescription,
    job_SetPriority,
    job_GetPriority,
    job_SetNotifyFlags,
    job_GetNotifyFlags,
    job_SetNotifyInterface,
    job_GetNotifyInterface,
    job_SetMinimumRetryDelay,
    job_GetMinimumRetryDelay,
    job_SetNoProgressTimeout,
    job_GetNoProgressTimeout,
    job_GetErrorCount,
    job_SetProxySettings,
    job_GetProxySettings,
    job_TakeOwnership,
    job_SetNotifyCmdLine,
    job_GetNotifyCmdLine,
    job_GetReplyProgress,
    job_GetReplyData,
    job_SetReplyFileName,
    job_GetReplyFileName,
    job_SetCredentials,
    job_RemoveCredentials,
    job_ReplaceRemotePrefix,
    job_AddFileWithRanges,
    job_SetFileACLFlags,
    job_GetFileACLFlags,
    job_SetPeerCachingFlags,
    job_GetPeerCachingFlags,
    job_GetOwnerIntegrityLevel,
    job_GetOwnerElevationState,
    job_SetMaximumDownloadTime,
    job_GetMaximumDownloadTime,
    job_SetProperty,
    job_GetProperty,
};

/* ---- IBackgroundCopyJobHttpOptions3 ---- */

static HRESULT WINAPI http_options_QueryInterface(IBackgroundCopyJobHttpOptions3 *iface, REFIID riid, void **obj)
{
    struct bits_job *job = impl_from_IBackgroundCopyJobHttpOptions3(iface);
    return job_QueryInterface(&job->IBackgroundCopyJob5_iface, riid, obj);
}

static ULONG WINAPI http_options_AddRef(IBackgroundCopyJobHttpOptions3 *iface)
{
    struct bits_job *job = impl_from_IBackgroundCopyJobHttpOptions3(iface);
    return job_AddRef(&job->IBackgroundCopyJob5_iface);
}

static ULONG WINAPI http_options_Release(IBackgroundCopyJobHttpOptions3 *iface)
{
    struct bits_job *job = impl_from_IBackgroundCopyJobHttpOptions3(iface);
    return job_Release(&job->IBackgroundCopyJob5_iface);
}

/* Check that the certificate exists in the store, so a bad choice fails now, and record it. */
static HRESULT job_set_certificate(struct bits_job *job, BG_CERT_STORE_LOCATION location, const WCHAR *store_name,
                                   const BYTE *hash, const WCHAR *subject)
{
    PCCERT_CONTEXT cert;
    WCHAR *new_store, *new_subject = NULL;
    HRESULT hr;

    if ((unsigned int)location > BG_CERT_STORE_LOCATION_LOCAL_MACHINE_ENTERPRISE) return E_NOTIMPL;
    if (!store_name || (!hash && !subject)) return E_INVALIDARG;
    if (lstrlenW(store_name) + 1 > MAX_CERT_STORE_NAME) return BG_E_STRING_TOO_LONG;
    if (FAILED(hr = job_check_owner(job))) return hr;

    if (FAILED(hr = client_cert_find(location, store_name, hash, subject, &cert))) return hr;
    CertFreeCertificateContext(cert);

    if (!(new_store = heap_strdupW(store_name))) return E_OUTOFMEMORY;
    if (subject && !(new_subject = heap_strdupW(subject)))
    {
        heap_free(new_store);
        return E_OUTOFMEMORY;
    }
    if (FAILED(hr = job_lock_mutable(job)))
    {
        heap_free(new_store);
        heap_free(new_subject);
        return hr;
    }
    job_clear_certificate(job);
    job->cert_set = TRUE;
    job->cert_location = location;
    job->cert_store = new_store;
    job->cert_subject = new_subject;
    job->cert_by_hash = hash != NULL;
    if (hash) memcpy(job->cert_hash, hash, 20);
    job_unlock_modified(job);
    return S_OK;
}

static HRESULT WINAPI http_options_SetClientCertificateByID(IBackgroundCopyJobHttpOptions3 *iface,
        BG_CERT_STORE_LOCATION location, LPCWSTR store, BYTE *hash)
{
    struct bits_job *job = impl_from_IBackgroundCopyJobHttpOptions3(iface);

    TRACE("(%p)->(%d %s %p)\n", job, location, debugstr_w(store), hash);

    if (!hash) return E_INVALIDARG;
    return job_set_certificate(job, location, store, hash, NULL);
}

static HRESULT WINAPI http_options_SetClientCertificateByName(IBackgroundCopyJobHttpOptions3 *iface,
        BG_CERT_STORE_LOCATION location, LPCWSTR store, LPCWSTR subject)
{
    struct bits_job *job = impl_from_IBackgroundCopyJobHttpOptions3(iface);

    TRACE("(%p)->(%d %s %s)\n", job, location, debugstr_w(store), debugstr_w(subject));

    if (!subject) return E_INVALIDARG;
    return job_set_certificate(job, location, store, NULL, subject);
}

static HRESULT WINAPI http_options_RemoveClientCertificate(IBackgroundCopyJobHttpOptions3 *iface)
{
    struct bits_job *job = impl_from_IBackgroundCopyJobHttpOptions3(iface);
    HRESULT hr;

    TRACE("(%p)\n", job);

    if (FAILED(hr = job_lock_mutable(job))) return hr;
    if (!job->cert_set)
    {
        LeaveCriticalSection(&job->cs);
        return S_FALSE;
    }
    job_clear_certificate(job);
    job_unlock_modified(job);
    return S_OK;
}

static HRESULT WINAPI http_options_GetClientCertificate(IBackgroundCopyJobHttpOptions3 *iface,
        BG_CERT_STORE_LOCATION *location, LPWSTR *store, BYTE **hash, LPWSTR *subject)
{
    struct bits_job *job = impl_from_IBackgroundCopyJobHttpOptions3(iface);
    HRESULT hr = S_OK;

    TRACE("(%p)->(%p %p %p %p)\n", job, location, store, hash, subject);

    if (!location || !store || !hash || !subject) return E_INVALIDARG;
    *location = 0;
    *store = *subject = NULL;
    /* Every out pointer is a [ref] on the wire: never hand back NULL, even without a
     * certificate; the subject is empty when chosen by hash, the hash zero when by name. */
    if (!(*hash = CoTaskMemAlloc(20))) return E_OUTOFMEMORY;
    memset(*hash, 0, 20);
    EnterCriticalSection(&job->cs);
    if (job->cert_set)
    {
        if (job->cert_by_hash) memcpy(*hash, job->cert_hash, 20);
        *location = job->cert_location;
    }
    if (SUCCEEDED(hr = strdup_for_client(job->cert_store ? job->cert_store : L"", store))
        && FAILED(hr = strdup_for_client(job->cert_subject ? job->cert_subject : L"", subject)))
    {
        CoTaskMemFree(*store);
        *store = NULL;
    }
    /* No certificate: not documented. Our choice is an error, so careless callers do not read a zero hash. */
    if (SUCCEEDED(hr) && !job->cert_set) hr = HRESULT_FROM_WIN32(ERROR_NOT_FOUND);
    if (FAILED(hr) && !*store)
    {
        CoTaskMemFree(*hash);
        *hash = NULL;
    }
    LeaveCriticalSection(&job->cs);
    return hr;
}

static HRESULT WINAPI http_options_SetCustomHeaders(IBackgroundCopyJobHttpOptions3 *iface, LPCWSTR headers)
{
    struct bits_job *job = impl_from_IBackgroundCopyJobHttpOptions3(iface);
    WCHAR *copy = NULL;
    HRESULT hr;

    TRACE("(%p)->(%s)\n", job, debugstr_w(headers));

    if (headers && lstrlenW(headers) + 1 > MAX_CUSTOM_HEADERS) return BG_E_STRING_TOO_LONG;
    if (FAILED(hr = job_check_owner(job))) return hr;
    if (headers && *headers && !(copy = heap_strdupW(headers))) return E_OUTOFMEMORY;
    if (FAILED(hr = job_lock_mutable(job)))
    {
        free_secret(&copy);
        return hr;
    }
    free_secret(&job->custom_headers);
    job->custom_headers = copy;
    job_unlock_modified(job);
    return S_OK;
}

static HRESULT WINAPI http_options_GetCustomHeaders(IBackgroundCopyJobHttpOptions3 *iface, LPWSTR *headers)
{
    struct bits_job *job = impl_from_IBackgroundCopyJobHttpOptions3(iface);
    HRESULT hr;

    TRACE("(%p)->(%p)\n", job, headers);

    if (!headers) return E_INVALIDARG;
    *headers = NULL;
    EnterCriticalSection(&job->cs);
    if (job->headers_write_only) hr = E_ACCESSDENIED;            /* write-only headers: the code is our choice */
    else if (!job->custom_headers) hr = S_FALSE;                 /* S_FALSE with NULL, as Wine's tests see on Windows */
    else hr = strdup_for_client(job->custom_headers, headers);
    LeaveCriticalSection(&job->cs);
    return hr;
}

static BOOL security_flags_valid(ULONG flags)
{
    ULONG redirect = flags & BG_HTTP_REDIRECT_POLICY_MASK;

    if (flags & ~(0x1f | BG_HTTP_REDIRECT_POLICY_MASK | BG_HTTP_REDIRECT_POLICY_ALLOW_HTTPS_TO_HTTP)) return FALSE;
    return redirect == BG_HTTP_REDIRECT_POLICY_ALLOW_SILENT || redirect == BG_HTTP_REDIRECT_POLICY_ALLOW_REPORT
           || redirect == BG_HTTP_REDIRECT_POLICY_DISALLOW;
}

static HRESULT WINAPI http_options_SetSecurityFlags(IBackgroundCopyJobHttpOptions3 *iface, ULONG flags)
{
    struct bits_job *job = impl_from_IBackgroundCopyJobHttpOptions3(iface);

    TRACE("(%p)->(%#lx)\n", job, flags);

    if (!security_flags_valid(flags)) return E_NOTIMPL;
    return job_set_ulong(job, &job->security_flags, flags);
}

static HRESULT WINAPI http_options_GetSecurityFlags(IBackgroundCopyJobHttpOptions3 *iface, ULONG *flags)
{
    struct bits_job *job = impl_from_IBackgroundCopyJobHttpOptions3(iface);

    TRACE("(%p)->(%p)\n", job, flags);

    return job_get_ulong(job, &job->security_flags, flags);
}

#define MAX_HTTP_METHOD 256

static HRESULT WINAPI http_options_SetHttpMethod(IBackgroundCopyJobHttpOptions3 *iface, LPCWSTR method)
{
    struct bits_job *job = impl_from_IBackgroundCopyJobHttpOptions3(iface);
    WCHAR *copy = NULL;
    HRESULT hr;
    const WCHAR *p;

    TRACE("(%p)->(%s)\n", job, debugstr_w(method));

    if (!method || !*method) return E_INVALIDARG;
    for (p = method; *p; p++)                  /* an HTTP token: no spaces or controls */
        if (*p <= ' ' || *p >= 0x7f) return E_INVALIDARG;
    /* No documented limit; the verb is kept with the job in the store, so it is bounded like
     * the other strings a client sets (real verbs are a few characters). */
    if (p - method > MAX_HTTP_METHOD) return BG_E_STRING_TOO_LONG;
    if (job->type != BG_JOB_TYPE_DOWNLOAD) return BG_E_PROPERTY_SUPPORTED_FOR_DOWNLOAD_JOBS_ONLY;
    if (wcscmp(method, L"GET") && !(copy = heap_strdupW(method))) return E_OUTOFMEMORY;
    if (FAILED(hr = job_lock_mutable(job)))
    {
        heap_free(copy);
        return hr;
    }
    if (job->resumed_once) hr = BG_E_READ_ONLY_PROPERTY_AFTER_RESUME;   /* only before the first Resume */
    else if (copy && (job->dynamic_content || job->on_demand)) hr = BG_E_NOT_SUPPORTED_WITH_CUSTOM_HTTP_METHOD;
    if (FAILED(hr))
    {
        LeaveCriticalSection(&job->cs);
        heap_free(copy);
        return hr;
    }
    heap_free(job->http_method);
    job->http_method = copy;                   /* NULL: the default verb */
    if (copy) job->priority = BG_JOB_PRIORITY_FOREGROUND;
    job_unlock_modified(job);
    return S_OK;
}

static HRESULT WINAPI http_options_GetHttpMethod(IBackgroundCopyJobHttpOptions3 *iface, LPWSTR *method)
{
    struct bits_job *job = impl_from_IBackgroundCopyJobHttpOptions3(iface);
    HRESULT hr;

    TRACE("(%p)->(%p)\n", job, method);

    if (!method) return E_INVALIDARG;
    EnterCriticalSection(&job->cs);
    hr = strdup_for_client(job->http_method ? job->http_method
                           : job->type == BG_JOB_TYPE_DOWNLOAD ? L"GET" : L"BITS_POST", method);
    LeaveCriticalSection(&job->cs);
    return hr;
}

static HRESULT WINAPI http_options_SetServerCertificateValidationInterface(IBackgroundCopyJobHttpOptions3 *iface,
                                                                          IUnknown *callback)
{
    struct bits_job *job = impl_from_IBackgroundCopyJobHttpOptions3(iface);
    IUnknown *cb = NULL, *old;
    HRESULT hr;

    TRACE("(%p)->(%p)\n", job, callback);

    if (callback && FAILED(hr = IUnknown_QueryInterface(callback,
            &IID_IBackgroundCopyServerCertificateValidationCallback, (void **)&cb)))
        return E_NOINTERFACE;
    if (FAILED(hr = job_lock_mutable(job)))
    {
        if (cb) IUnknown_Release(cb);
        return hr;
    }
    if (job_is_active(job))
    {
        LeaveCriticalSection(&job->cs);
        if (cb) IUnknown_Release(cb);
        return BG_E_READ_ONLY_WHEN_JOB_ACTIVE;
    }
    old = job->cert_callback;
    job->cert_callback = cb;
    job_unlock_modified(job);
    if (old) IUnknown_Release(old);
    return S_OK;
}

static HRESULT WINAPI http_options_MakeCustomHeadersWriteOnly(IBackgroundCopyJobHttpOptions3 *iface)
{
    struct bits_job *job = impl_from_IBackgroundCopyJobHttpOptions3(iface);

    TRACE("(%p)\n", job);

    EnterCriticalSection(&job->cs);
    job->headers_write_only = TRUE;            /* one way; always S_OK */
    job_changed(job);
    LeaveCriticalSection(&job->cs);
    return S_OK;
}

static const IBackgroundCopyJobHttpOptions3Vtbl http_options_vtbl =
{
    http_options_QueryInterface,
    http_options_AddRef,
    http_options_Release,
    http_options_SetClientCertificateByID,
    http_options_SetClientCertificateByName,
    http_options_RemoveClientCertificate,
    http_options_GetClientCertificate,
    http_options_SetCustomHeaders,
    http_options_GetCustomHeaders,
    http_options_SetSecurityFlags,
    http_options_GetSecurityFlags,
    http_options_SetHttpMethod,
    http_options_GetHttpMethod,
    http_options_SetServerCertificateValidationInterface,
    http_options_MakeCustomHeadersWriteOnly,
};

/* ---- IBitsTokenOptions ---- */

static HRESULT WINAPI token_options_QueryInterface(IBitsTokenOptions *iface, REFIID riid, void **obj)
{
    struct bits_job *job = impl_from_IBitsTokenOptions(iface);
    return job_QueryInterface(&job->IBackgroundCopyJob5_iface, riid, obj);
}

static ULONG WINAPI token_options_AddRef(IBitsTokenOptions *iface)
{
    struct bits_job *job = impl_from_IBitsTokenOptions(iface);
    return job_AddRef(&job->IBackgroundCopyJob5_iface);
}

static ULONG WINAPI token_options_Release(IBitsTokenOptions *iface)
{
    struct bits_job *job = impl_from_IBitsTokenOptions(iface);
    return job_Release(&job->IBackgroundCopyJob5_iface);
}

static HRESULT WINAPI token_options_SetHelperTokenFlags(IBitsTokenOptions *iface, DWORD flags)
{
    struct bits_job *job = impl_from_IBitsTokenOptions(iface);

    TRACE("(%p)->(%#lx)\n", job, flags);

    if (flags & ~(BG_TOKEN_LOCAL_FILE | BG_TOKEN_NETWORK)) return E_INVALIDARG;
    return job_set_ulong(job, &job->helper_flags, flags);
}

static HRESULT WINAPI token_options_GetHelperTokenFlags(IBitsTokenOptions *iface, DWORD *flags)
{
    struct bits_job *job = impl_from_IBitsTokenOptions(iface);

    TRACE("(%p)->(%p)\n", job, flags);

    return job_get_ulong(job, &job->helper_flags, flags);
}

static HRESULT WINAPI token_options_SetHelperToken(IBitsTokenOptions *iface)
{
    struct bits_job *job = impl_from_IBitsTokenOptions(iface);
    struct bits_caller caller;
    HANDLE token, old;
    PSID old_sid;
    HRESULT hr;
    BOOL allowed;

    TRACE("(%p)\n", job);

    if (FAILED(hr = caller_identify(&caller))) return hr;
    EnterCriticalSection(&job->cs);
    /* Windows 10 1607+: an admin, or a caller whose SID is the owner's */
    allowed = caller.admin || sid_equal(caller.sid, job->owner.sid);
    LeaveCriticalSection(&job->cs);
    if (!allowed)
    {
        caller_free(&caller);
        return E_ACCESSDENIED;
    }
    if (FAILED(hr = caller_open_token(&token)))
    {
        caller_free(&caller);
        return hr;
    }
    if (FAILED(hr = job_lock_mutable(job)))
    {
        CloseHandle(token);
        caller_free(&caller);
        return hr;
    }
    old = job->helper_token;
    old_sid = job->helper_sid;
    job->helper_token = token;                 /* never persisted: gone at logoff or restart */
    job->helper_sid = caller.sid;
    job_unlock_modified(job);
    if (old) CloseHandle(old);
    heap_free(old_sid);
    return S_OK;
}

static HRESULT WINAPI token_options_ClearHelperToken(IBitsTokenOptions *iface)
{
    struct bits_job *job = impl_from_IBitsTokenOptions(iface);
    HRESULT hr;

    TRACE("(%p)\n", job);

    if (FAILED(hr = job_lock_mutable(job))) return hr;
    if (job->helper_token) CloseHandle(job->helper_token);
    heap_free(job->helper_sid);
    job->helper_token = NULL;
    job->helper_sid = NULL;
    job_unlock_modified(job);
    return S_OK;
}

static HRESULT WINAPI token_options_GetHelperTokenSid(IBitsTokenOptions *iface, LPWSTR *sid)
{
    struct bits_job *job = impl_from_IBitsTokenOptions(iface);
    HRESULT hr = S_OK;

    TRACE("(%p)->(%p)\n", job, sid);

    if (!sid) return E_INVALIDARG;
    *sid = NULL;
    EnterCriticalSection(&job->cs);
    if (job->helper_sid) hr = sid_to_string(job->helper_sid, sid);
    LeaveCriticalSection(&job->cs);
    return hr;
}

static const IBitsTokenOptionsVtbl token_options_vtbl =
{
    token_options_QueryInterface,
    token_options_AddRef,
    token_options_Release,
    token_options_SetHelperTokenFlags,
    token_options_GetHelperTokenFlags,
    token_options_SetHelperToken,
    token_options_ClearHelperToken,
    token_options_GetHelperTokenSid,
};

HRESULT job_create(const WCHAR *name, BG_JOB_TYPE type, const struct bits_caller *owner, struct bits_job **out)
{
    struct bits_job *job;
    HRESULT hr;

    if (!(job = heap_alloc_zero(sizeof(*job)))) return E_OUTOFMEMORY;
    job->IBackgroundCopyJob5_iface.lpVtbl = &job_vtbl;
    job->IBackgroundCopyJobHttpOptions3_iface.lpVtbl = &http_options_vtbl;
    job->IBitsTokenOptions_iface.lpVtbl = &token_options_vtbl;
    job->refs = 1;
    BITS_CS_INIT(&job->cs, "job.cs");
    list_init(&job->files);
    list_init(&job->entry);

    if (FAILED(hr = CoCreateGuid(&job->id)) || !(job->display_name = heap_strdupW(name))
        || !caller_copy(&job->owner, owner))
    {
        if (SUCCEEDED(hr)) hr = E_OUTOFMEMORY;
        job_Release(&job->IBackgroundCopyJob5_iface);
        return hr;
    }
    if (!(job->worker_done = CreateEventW(NULL, TRUE, TRUE, NULL))
        || !(job->abort_event = CreateEventW(NULL, TRUE, FALSE, NULL)))
    {
        job_Release(&job->IBackgroundCopyJob5_iface);
        return HRESULT_FROM_WIN32(GetLastError());
    }
    job->type = type;
    /* A new job starts SUSPENDED: its first state, not a change of one, so it is set here like
     * every other default and not through job_set_state (there is nothing to check, and CreateJob
     * saves and logs the job once it is in the list). */
    job->state = job->analytic_state = BG_JOB_STATE_SUSPENDED;
    job->priority = BG_JOB_PRIORITY_NORMAL;
    job->notify_flags = BG_NOTIFY_JOB_TRANSFERRED | BG_NOTIFY_JOB_ERROR;
    job->retry_delay = DEFAULT_RETRY_DELAY;
    job->no_progress_timeout = DEFAULT_NO_PROGRESS_TIMEOUT;
    job->max_download_time = DEFAULT_MAX_DOWNLOAD_TIME;
    job->proxy_usage = BG_JOB_PROXY_USAGE_PRECONFIG;
    job->cost_flags = BITS_COST_STATE_TRANSFER_ALWAYS;
    job->notify_interval_ms = DEFAULT_NOTIFY_INTERVAL_MS;
    job->upload_fallback = UPLOAD_NO_FALLBACK;
    job->reply_progress.BytesTotal = BG_SIZE_UNKNOWN;
    get_system_filetime(&job->creation_time);
    job->modification_time = job->creation_time;
    job->activity_time = job->creation_time;

    TRACE("created job %s %s type %u\n", debugstr_guid(&job->id), debugstr_w(name), type);
    *out = job;
    return S_OK;
}

/* The creator's token, taken in its CreateJob call: the job reads its local sources as it. */
void job_keep_owner_token(struct bits_job *job)
{
    HANDLE token, old;

    if (FAILED(caller_open_primary_token(&token)))
    {
        WARN("job %s: no token of the owner\n", debugstr_guid(&job->id));
        return;
    }
    EnterCriticalSection(&job->cs);
    old = job->owner_token;
    job->owner_token = token;
    LeaveCriticalSection(&job->cs);
    if (old) CloseHandle(old);
}

static HANDLE token_snapshot(HANDLE token)
{
    HANDLE copy = NULL;

    if (token && !DuplicateHandle(GetCurrentProcess(), token, GetCurrentProcess(), &copy, 0, FALSE,
                                  DUPLICATE_SAME_ACCESS))
        copy = NULL;
    return copy;
}

/* A handle the caller closes: the job may replace or close its own meanwhile. */
HANDLE job_owner_token(struct bits_job *job)
{
    HANDLE token;

    EnterCriticalSection(&job->cs);
    token = token_snapshot(job->owner_token);
    LeaveCriticalSection(&job->cs);
    return token;
}

HANDLE job_notify_token(struct bits_job *job)
{
    HANDLE token = NULL;

    EnterCriticalSection(&job->cs);
    if (job->notify_set_by_owner) token = token_snapshot(job->owner_token);
    LeaveCriticalSection(&job->cs);
    return token;
}

BOOL job_counts_for_quota(struct bits_job *job)
{
    BOOL counts;

    EnterCriticalSection(&job->cs);
    counts = !job_is_final(job) && !job->owner.service;
    LeaveCriticalSection(&job->cs);
    return counts;
}

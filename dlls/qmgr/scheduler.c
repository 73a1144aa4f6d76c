/*
 * scheduler.c: decides which queued jobs transfer, runs one worker thread per active job,
 * and moves jobs through CONNECTING, TRANSFERRING, TRANSIENT_ERROR, ERROR and TRANSFERRED,
 * files one after another, by priority and round robin.
 * Owns: the scheduler thread, its wake event and waitable timer, and the struct transfer of
 * each worker. Foreground jobs run together; one background job runs at a time, from the best
 * class that has work, round robin inside the class with a time slice. The thread sleeps until
 * it is woken (a Resume, a priority change, a finished worker) or its timer fires at the next
 * deadline (retry, NoProgressTimeout, end of a slice, MaxDownloadTime): there is no polling.
 * Lock order as everywhere: manager, then job.
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
#include <winhttp.h>
#include "http.h"

BITS_DEFAULT_DEBUG_CHANNEL(qmgr);

#define MAX_FOREGROUND_WORKERS  8      /* foreground jobs run concurrently */
/* A background job that used its slice goes back to QUEUED when another job of its class waits
 * (Windows does not document the length; 5 s is our choice and keeps the reconnects rare). */
#define TIME_SLICE_MS           5000

struct transfer
{
    struct bits_job *job;              /* holds a reference */
    struct bits_file *file;            /* holds a reference */
    ULONGLONG progress_posted;         /* tick of the last progress store mark */
    struct http_session *http;         /* of the last file: closed once its outcome is posted */
    HINTERNET request;
};

static struct
{
    CRITICAL_SECTION cs;               /* protects thread, stopping */
    HANDLE wake;                       /* auto-reset */
    HANDLE timer;                      /* waitable timer: the next deadline */
    HANDLE thread;
    BOOL stopping;
    ULONGLONG armed;                   /* the tick the timer is set for, NO_DEADLINE for none */
    ULONGLONG requested;               /* the earliest deadline found by passes on other threads */
} sched;

#define NO_DEADLINE (~(ULONGLONG)0)

/* The scheduler's own state changes (connecting, a retry, a yield) are not a client's: they do not
 * hold off the inactivity timeout, and they go to disk with the next lazy save. Failures, the end
 * of a transfer and an on-demand stop are saved at once. */
#define SCHEDULER_STATE (JOB_STATE_NO_SAVE | JOB_STATE_NO_ACTIVITY)

static INIT_ONCE sched_once = INIT_ONCE_STATIC_INIT;

static DWORD WINAPI scheduler_thread(void *arg);
static ULONGLONG schedule(struct bits_job **inherit);

static BOOL CALLBACK sched_init(INIT_ONCE *once, void *param, void **context)
{
    BITS_CS_INIT(&sched.cs, "sched.cs");
    sched.wake = CreateEventW(NULL, FALSE, FALSE, NULL);
    sched.timer = CreateWaitableTimerW(NULL, FALSE, NULL);
    sched.armed = sched.requested = NO_DEADLINE;
    return TRUE;
}

void scheduler_wake(void)
{
    InitOnceExecuteOnce(&sched_once, sched_init, NULL, NULL);
    EnterCriticalSection(&sched.cs);
    if (!sched.stopping && !sched.thread && !(sched.thread = CreateThread(NULL, 0, scheduler_thread, NULL, 0, NULL)))
        ERR("cannot start the scheduler: %lu\n", GetLastError());
    SetEvent(sched.wake);
    LeaveCriticalSection(&sched.cs);
}

/* A pass on another thread found the next deadline: the scheduler thread is woken only when
 * its timer is not already set for that time or earlier. The deadline is also left for the
 * scheduler thread's next arming, in case its own pass ran before this one and it is about to
 * set the timer from what that pass saw. */
static void deadline_found(ULONGLONG deadline)
{
    BOOL wake;

    EnterCriticalSection(&sched.cs);
    wake = deadline < sched.armed;
    sched.requested = min(sched.requested, deadline);
    LeaveCriticalSection(&sched.cs);
    if (wake) scheduler_wake();
}

/* A scheduling pass on the caller's thread (a Resume, a finished worker): a worker starts
 * without waiting for the scheduler thread, which is woken only when a deadline moves closer.
 * With inherit, the background job to run next is handed back instead of queued to a new
 * worker: the caller is a worker that runs it. No lock may be held. */
static void schedule_here(struct bits_job **inherit)
{
    BOOL running;

    InitOnceExecuteOnce(&sched_once, sched_init, NULL, NULL);
    EnterCriticalSection(&sched.cs);
    running = sched.thread && !sched.stopping;
    LeaveCriticalSection(&sched.cs);
    if (running) deadline_found(schedule(inherit));
    else scheduler_wake();
}

/* A job became ready (Resume). */
void scheduler_run(void)
{
    schedule_here(NULL);
}

/* ---- what a worker offers to http.c and copy.c ---- */

/* http.c hands over the session and request of a finished file: closing them costs WinHTTP's
 * handle callbacks, which need not delay the file's outcome (the job's TRANSFERRED). */
void transfer_defer_close(struct transfer *t, struct http_session *http, HINTERNET request)
{
    transfer_close_deferred(t);
    t->http = http;
    t->request = request;
}

void transfer_close_deferred(struct transfer *t)
{
    if (t->request) WinHttpCloseHandle(t->request);
    if (t->http) http_close(t->http);
    t->request = NULL;
    t->http = NULL;
}

struct bits_job *transfer_job(struct transfer *t)
{
    return t->job;
}

struct bits_file *transfer_file(struct transfer *t)
{
    return t->file;
}

BOOL transfer_aborted(struct transfer *t)
{
    return InterlockedCompareExchange(&t->job->abort, 0, 0) != 0;
}

HANDLE transfer_abort_event(struct transfer *t)
{
    return t->job->abort_event;
}

/* Suspend, Cancel, a yield or a fatal deadline: the worker stops without writing another
 * byte, and a call blocked on the network returns at once (httpwait.c). */
void job_abort_transfer(struct bits_job *job)
{
    InterlockedExchange(&job->abort, 1);
    SetEvent(job->abort_event);
}

/* The connection is up: CONNECTING -> TRANSFERRING, and the old error goes. */
void transfer_connected(struct transfer *t)
{
    struct bits_job *job = t->job;

    EnterCriticalSection(&job->cs);
    if (!job->abort && job->state == BG_JOB_STATE_CONNECTING)
    {
        if (job->error)
        {
            IBackgroundCopyError_Release(&job->error->IBackgroundCopyError_iface);
            job->error = NULL;
        }
        job_set_state(job, BG_JOB_STATE_TRANSFERRING, SCHEDULER_STATE);
        notify_post(job, NOTIFY_JOB_MODIFICATION, NULL);
    }
    LeaveCriticalSection(&job->cs);
}

/* MAX_DOWNLOAD_SIZE (Job5 property 5): a job brings no more than its cap. The files before
 * this one count with their size, this one with current (its size, or while that is unknown
 * the bytes received so far). Job lock held. */
static BOOL job_over_cap(struct transfer *t, UINT64 current)
{
    struct bits_job *job = t->job;
    struct bits_file *file;
    UINT64 total = 0;

    if (!job->max_download_size) return FALSE;
    LIST_FOR_EACH_ENTRY(file, &job->files, struct bits_file, entry)
    {
        if (file == t->file)
        {
            total += current;
            break;
        }
        total += file->progress.BytesTotal != BG_SIZE_UNKNOWN ? file->progress.BytesTotal
                                                               : file->progress.BytesTransferred;
    }
    return total > job->max_download_size;
}

/* BG_E_MAX_DOWNLOAD_SIZE_LIMIT_REACHED once the bytes received of a file of unknown size take
 * the job over its cap. */
HRESULT transfer_check_size(struct transfer *t, UINT64 received)
{
    BOOL over;

    EnterCriticalSection(&t->job->cs);
    over = job_over_cap(t, received);
    LeaveCriticalSection(&t->job->cs);
    return over ? BG_E_MAX_DOWNLOAD_SIZE_LIMIT_REACHED : S_OK;
}

/* The remote size and time are known. A change since the last attempt restarts the file
 * from 0, as BITS documents. Files with ranges keep the sum of their ranges as total. A job that the
 * size takes over its MAX_DOWNLOAD_SIZE fails before a byte is fetched. */
HRESULT transfer_set_size(struct transfer *t, UINT64 size, const FILETIME *mtime, BOOL *restart)
{
    struct bits_file *file = t->file;
    struct bits_job *job = t->job;
    BOOL changed = FALSE, over;

    EnterCriticalSection(&job->cs);
    if (file->remote_mtime.dwLowDateTime || file->remote_mtime.dwHighDateTime)
    {
        if (mtime && CompareFileTime(mtime, &file->remote_mtime)) changed = TRUE;
    }
    if (!file->range_count && file->progress.BytesTotal != BG_SIZE_UNKNOWN && file->progress.BytesTotal != size
        && file->progress.BytesTransferred)
        changed = TRUE;
    if (changed)
    {
        TRACE("%s changed on the server: restarting\n", debugstr_w(file->remote_name));
        file->progress.BytesTransferred = 0;
    }
    if (mtime) file->remote_mtime = *mtime;
    if (!file->range_count) file->progress.BytesTotal = size;
    else if (file->progress.BytesTotal == BG_SIZE_UNKNOWN)
    {
        /* a range to EOF: now the total is known */
        UINT64 total = 0;
        DWORD i;
        for (i = 0; i < file->range_count; i++)
        {
            const BG_FILE_RANGE *r = &file->ranges[i];
            if (r->InitialOffset >= size) continue;
            total += (r->Length == BG_LENGTH_TO_EOF || r->InitialOffset + r->Length > size)
                     ? size - r->InitialOffset : r->Length;
        }
        file->progress.BytesTotal = total;
    }
    job_touch(job);
    over = job_over_cap(t, file->progress.BytesTotal == BG_SIZE_UNKNOWN ? 0 : file->progress.BytesTotal);
    LeaveCriticalSection(&job->cs);
    if (restart) *restart = changed;
    return over ? BG_E_MAX_DOWNLOAD_SIZE_LIMIT_REACHED : S_OK;
}

/* Open the temp file (or, for HIGH_PERFORMANCE jobs, the destination) and position it after the
 * bytes already transferred; anything beyond them is cut off. *created (created may be NULL)
 * tells whether the file did not exist before. */
HRESULT transfer_open_output(struct transfer *t, UINT64 *offset, HANDLE *out, BOOL *created)
{
    struct bits_file *file = t->file;
    struct bits_job *job = t->job;
    LARGE_INTEGER size, pos;
    const WCHAR *path;
    WCHAR *name;
    HANDLE handle;
    UINT64 done;

    EnterCriticalSection(&job->cs);
    path = file->temp_name ? file->temp_name : file->local_name;
    name = heap_strdupW(path);
    done = file->progress.BytesTransferred;
    LeaveCriticalSection(&job->cs);
    if (!name) return E_OUTOFMEMORY;

    handle = CreateFileW(name, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                         NULL, OPEN_ALWAYS, file->temp_name ? FILE_ATTRIBUTE_HIDDEN : FILE_ATTRIBUTE_NORMAL, NULL);
    heap_free(name);
    if (handle == INVALID_HANDLE_VALUE) return HRESULT_FROM_WIN32(GetLastError());
    if (created) *created = GetLastError() != ERROR_ALREADY_EXISTS;
    if (!GetFileSizeEx(handle, &size)) size.QuadPart = 0;
    if ((UINT64)size.QuadPart < done) done = size.QuadPart;   /* keep only what is really there */
    pos.QuadPart = done;
    if (!SetFilePointerEx(handle, pos, NULL, FILE_BEGIN) || ((UINT64)size.QuadPart != done && !SetEndOfFile(handle)))
    {
        HRESULT hr = HRESULT_FROM_WIN32(GetLastError());
        CloseHandle(handle);
        return hr;
    }
    EnterCriticalSection(&job->cs);
    file->progress.BytesTransferred = done;
    LeaveCriticalSection(&job->cs);
    *offset = done;
    *out = handle;
    return S_OK;
}

/* Close an output that transfer_open_output opened for a request that then failed, and
 * delete it if that call created it: a file that never got a byte leaves nothing behind. */
void transfer_discard_output(struct transfer *t, HANDLE output, BOOL created)
{
    struct bits_file *file = t->file;
    WCHAR *name;

    CloseHandle(output);
    if (!created) return;
    EnterCriticalSection(&t->job->cs);
    name = heap_strdupW(file->temp_name ? file->temp_name : file->local_name);
    LeaveCriticalSection(&t->job->cs);
    if (name && !DeleteFileW(name)) WARN("cannot delete %s: %lu\n", debugstr_w(name), GetLastError());
    heap_free(name);
}

/* Called after every block read: the progress itself is always current. JobModification is
 * posted every time; notify.c delivers it at most once per MINIMUM_NOTIFICATION_INTERVAL_MS
 * and absorbs it cheaply while one is pending (BITS may drop modifications). The modification and activity times
 * and the store's dirty flag follow at most once per interval, so that a fast transfer does not
 * wake the saver (or read the clock for JobInactivityTimeout) per block. */
void transfer_progress(struct transfer *t, UINT64 transferred)
{
    struct bits_job *job = t->job;
    ULONGLONG now = GetTickCount64();

    EnterCriticalSection(&job->cs);
    if (!job->abort)
    {
        t->file->progress.BytesTransferred = transferred;
        job->last_progress = now;
        if (!t->progress_posted || now - t->progress_posted >= job->notify_interval_ms)
        {
            t->progress_posted = now;
            job_activity(job);
            job_touch(job);
        }
        notify_post(job, NOTIFY_JOB_MODIFICATION, NULL);
    }
    LeaveCriticalSection(&job->cs);
}

/* ---- the worker of one job ---- */

static struct bits_file *job_next_file(struct bits_job *job)
{
    struct bits_file *file;

    LIST_FOR_EACH_ENTRY(file, &job->files, struct bits_file, entry)
        if (!file->transferred) return file;
    return NULL;
}

/* Record a failure: TRANSIENT_ERROR with a retry after MinimumRetryDelay, or ERROR. Job lock held. */
static void job_fail(struct bits_job *job, struct bits_file *file, const struct transfer_error *error)
{
    struct bits_error *obj;
    BOOL transient = error->transient;

    if (FAILED(error_create(error->context, error->code, file, file && is_http_url(file->remote_name) ? L"http"
                            : file ? L"file" : NULL, &obj)))
        obj = NULL;
    if (job->error) IBackgroundCopyError_Release(&job->error->IBackgroundCopyError_iface);
    job->error = obj;
    job->error_count++;
    analytic_error(job, error->code, error->context);
    /* No retries when NoProgressTimeout is 0, when the retry delay outlasts it, or with a custom verb. */
    if (!job->no_progress_timeout || job->retry_delay > job->no_progress_timeout || job->http_method)
        transient = FALSE;
    if (transient && GetTickCount64() - job->last_progress >= (ULONGLONG)job->no_progress_timeout * 1000)
        transient = FALSE;
    WARN("job %s: %#lx (context %u), %s\n", debugstr_guid(&job->id), error->code, error->context,
         transient ? "will retry" : "fatal");
    /* A failure is saved at once, like a client's state change, but it is no client activity. */
    job_set_state(job, transient ? BG_JOB_STATE_TRANSIENT_ERROR : BG_JOB_STATE_ERROR, JOB_STATE_NO_ACTIVITY);
    if (transient)
    {
        job->retry_at = GetTickCount64() + (ULONGLONG)job->retry_delay * 1000;
        notify_post(job, NOTIFY_JOB_MODIFICATION, NULL);
    }
    else notify_post(job, NOTIFY_JOB_ERROR, NULL);
}

/* One job's turn: its files in order until it is transferred, fails, or is stopped. */
static void run_job(struct bits_job *job)
{
    struct transfer t = { job, NULL, 0, NULL, NULL };
    struct transfer_error error;
    struct bits_file *file;
    BOOL http;
    HRESULT hr;

    EnterCriticalSection(&job->cs);
    for (;;)
    {
        if (job->abort || (job->state != BG_JOB_STATE_QUEUED && job->state != BG_JOB_STATE_CONNECTING
                           && job->state != BG_JOB_STATE_TRANSFERRING))
            break;
        if (!(file = job_next_file(job)))
        {
            /* Bytes that arrived count as activity; the completion is saved at once. */
            get_system_filetime(&job->completion_time);
            job_set_state(job, BG_JOB_STATE_TRANSFERRED, 0);
            notify_post(job, NOTIFY_JOB_TRANSFERRED, NULL);
            TRACE("job %s transferred\n", debugstr_guid(&job->id));
            break;
        }
        if (job->state == BG_JOB_STATE_QUEUED) job_set_state(job, BG_JOB_STATE_CONNECTING, SCHEDULER_STATE);
        IBackgroundCopyFile_AddRef(file_iface(file));
        t.file = file;
        http = is_http_url(file->remote_name);     /* SetRemoteName replaces it under the lock */
        analytic_transfer(job, file, TRUE, S_OK);
        LeaveCriticalSection(&job->cs);
        transfer_close_deferred(&t);

        memset(&error, 0, sizeof(error));
        if (job->type != BG_JOB_TYPE_DOWNLOAD) hr = upload_transfer(&t, &error);
        else if (http) hr = http_download(&t, &error);
        else hr = copy_download(&t, &error);

        EnterCriticalSection(&job->cs);
        t.file = NULL;
        analytic_transfer(job, file, FALSE, job->abort && SUCCEEDED(hr) ? E_ABORT : hr);
        if (job->abort)
        {
            IBackgroundCopyFile_Release(file_iface(file));
            break;
        }
        if (FAILED(hr))
        {
            if (SUCCEEDED(error.code)) error.code = hr;
            job_fail(job, file, &error);
            IBackgroundCopyFile_Release(file_iface(file));
            break;
        }
        if (hr == S_FALSE)
        {
            /* On-demand: the requested ranges are there, the rest is not wanted yet: SUSPENDED. */
            IBackgroundCopyFile_Release(file_iface(file));
            job_set_state(job, BG_JOB_STATE_SUSPENDED, JOB_STATE_NO_ACTIVITY);
            notify_post(job, NOTIFY_JOB_MODIFICATION, NULL);
            break;
        }
        file->transferred = TRUE;
        file->progress.BytesTransferred = file->progress.BytesTotal == BG_SIZE_UNKNOWN
                                          ? file->progress.BytesTransferred : file->progress.BytesTotal;
        /* An upload is complete once the server has it; FileTransferred is for
         * downloads and the reply of an upload-reply job. */
        if (job->type != BG_JOB_TYPE_DOWNLOAD) file->progress.Completed = TRUE;
        job_touch(job);
        if (job->type != BG_JOB_TYPE_UPLOAD) notify_post(job, NOTIFY_FILE_TRANSFERRED, file);
        IBackgroundCopyFile_Release(file_iface(file));
    }
    job->worker_active = FALSE;
    if (job->active_since) job->download_ms += GetTickCount64() - job->active_since;
    job->active_since = 0;
    SetEvent(job->worker_done);
    LeaveCriticalSection(&job->cs);
    transfer_close_deferred(&t);
}

/* A worker runs on the process thread pool. When its job's turn ends, it makes the scheduling
 * pass for the freed slot itself and runs the background job that comes next: one job after
 * another costs no wake of the scheduler thread and no hand-over to another thread. */
static DWORD WINAPI job_worker(void *arg)
{
    struct bits_job *job = arg, *next;

    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    while (job)
    {
        run_job(job);
        next = NULL;
        schedule_here(&next);
        IBackgroundCopyJob_Release(job_iface(job));
        job = next;
    }
    CoUninitialize();
    return 0;
}

/* A job's turn begins: the bookkeeping of job_start_worker, and the worker's reference to the
 * job. Job lock held. */
static void job_prepare_worker(struct bits_job *job, ULONGLONG now)
{
    job->worker_active = TRUE;
    /* The abort event is only ever set together with the flag, under the job lock. */
    if (job->abort)
    {
        job->abort = 0;
        ResetEvent(job->abort_event);
    }
    if (!job->last_progress) job->last_progress = now;
    job->last_start = now;
    job->slice_end = now + TIME_SLICE_MS;
    job->active_since = now;
    ResetEvent(job->worker_done);
    IBackgroundCopyJob_AddRef(job_iface(job));
}

/* Called with job->cs held. Workers run on the process thread pool (no thread creation, with
 * its DLL notifications, per job); WT_EXECUTELONGFUNCTION lets the pool grow for long
 * transfers. */
static void job_start_worker(struct bits_job *job, ULONGLONG now)
{
    job_prepare_worker(job, now);
    if (!QueueUserWorkItem(job_worker, job, WT_EXECUTELONGFUNCTION))
    {
        ERR("cannot start a worker: %lu\n", GetLastError());
        job->worker_active = FALSE;
        job->active_since = 0;
        SetEvent(job->worker_done);
        IBackgroundCopyJob_Release(job_iface(job));
    }
}

/* Stop the worker of a job that is being completed; waits until it has closed its files,
 * which the caller then renames or deletes. The caller holds no lock. */
void job_stop_worker(struct bits_job *job)
{
    HANDLE done;

    EnterCriticalSection(&job->cs);
    job_abort_transfer(job);
    done = job->worker_active ? job->worker_done : NULL;
    LeaveCriticalSection(&job->cs);
    /* No time limit: after job_abort_transfer a worker stops at once (every network wait of it
     * ends on the abort event; the rest is one block of file I/O). Going on while it still ran
     * would rename or delete a temp file it still writes to. */
    if (done) WaitForSingleObject(done, INFINITE);
}

static BOOL is_background(const struct bits_job *job)
{
    return job->priority != BG_JOB_PRIORITY_FOREGROUND;
}

/* The session must stay up for it: it transfers or will without a client's call. */
static BOOL job_has_work(const struct bits_job *job)
{
    switch (job->state)
    {
    case BG_JOB_STATE_QUEUED:
    case BG_JOB_STATE_CONNECTING:
    case BG_JOB_STATE_TRANSFERRING:
    case BG_JOB_STATE_TRANSIENT_ERROR:
        return TRUE;
    default:
        return job->worker_active;
    }
}

static BOOL job_waiting(const struct bits_job *job)
{
    return job->state == BG_JOB_STATE_QUEUED && !job->worker_active;
}

static void earlier(DWORD *wait, ULONGLONG deadline, ULONGLONG now)
{
    ULONGLONG left = deadline > now ? deadline - now : 0;
    if (left < *wait) *wait = (DWORD)min(left, 0x7fffffff);
}

/* Retries, NoProgressTimeout and MaxDownloadTime of one job. Job lock held. */
static void job_deadlines(struct bits_job *job, ULONGLONG now, DWORD *wait)
{
    if (job->state == BG_JOB_STATE_TRANSIENT_ERROR && !job->worker_active)
    {
        ULONGLONG give_up = job->last_progress + (ULONGLONG)job->no_progress_timeout * 1000;
        if (now >= give_up)
        {
            job_set_state(job, BG_JOB_STATE_ERROR, SCHEDULER_STATE);    /* no progress for NoProgressTimeout */
            notify_post(job, NOTIFY_JOB_ERROR, NULL);
        }
        else if (now >= job->retry_at) job_set_state(job, BG_JOB_STATE_QUEUED, SCHEDULER_STATE);
        else earlier(wait, min(job->retry_at, give_up), now);
    }
    /* Time spent connecting and transferring since the last Resume; 0 means no limit (undocumented;
     * our choice, as 0 s would fail every job at once). */
    if (job->worker_active && job->active_since && !job->abort && job->max_download_time)
    {
        /* A clock read before another thread set active_since must not wrap around. */
        ULONGLONG used = job->download_ms + (now > job->active_since ? now - job->active_since : 0);
        ULONGLONG limit = (ULONGLONG)job->max_download_time * 1000;

        if (used >= limit)
        {
            /* The queue manager enforces it, so we choose its context (Windows does not document one). */
            struct transfer_error error = { BG_E_MAXDOWNLOAD_TIMEOUT, BG_ERROR_CONTEXT_GENERAL_QUEUE_MANAGER, FALSE };
            job_abort_transfer(job);
            job_fail(job, NULL, &error);
        }
        else earlier(wait, now + (limit - used), now);
    }
}

/* A background job that gives way: back to QUEUED, its bytes kept. Job lock held. */
static void job_yield(struct bits_job *job, const char *why)
{
    TRACE("job %s yields (%s)\n", debugstr_guid(&job->id), why);
    job_set_state(job, BG_JOB_STATE_QUEUED, SCHEDULER_STATE);
    job_abort_transfer(job);
    notify_post(job, NOTIFY_JOB_MODIFICATION, NULL);
}

/* One scheduling pass. Returns the tick of the next deadline, or NO_DEADLINE. inherit: see
 * schedule_here. */
static ULONGLONG schedule(struct bits_job **inherit)
{
    struct bits_job *job, *next = NULL;
    ULONGLONG now;
    DWORD wait = INFINITE;
    unsigned int foreground = 0, background = 0, started = 0;
    BG_JOB_PRIORITY best = BG_JOB_PRIORITY_LOW + 1;
    BOOL work = FALSE, keep_changed;

    EnterCriticalSection(&bits_manager.cs);
    /* Read under the lock: a pass that waited for another (scheduler_run) sees its workers. */
    now = GetTickCount64();
    /* Deadlines; how many workers run; the best background class with work. */
    LIST_FOR_EACH_ENTRY(job, &bits_manager.jobs, struct bits_job, entry)
    {
        EnterCriticalSection(&job->cs);
        job_deadlines(job, now, &wait);
        if (job_has_work(job)) work = TRUE;
        if (job->worker_active)
        {
            if (is_background(job)) background++;
            else foreground++;
        }
        if (is_background(job) && job->priority < best
            && (job_waiting(job) || (job->worker_active && !job->abort)))
            best = job->priority;
        LeaveCriticalSection(&job->cs);
    }

    /* The running background job gives way to a better class at once, and to a job of its own
     * class when its slice is used up: jobs of one priority share time round robin. */
    LIST_FOR_EACH_ENTRY(job, &bits_manager.jobs, struct bits_job, entry)
    {
        struct bits_job *other;
        BOOL contender = FALSE;

        EnterCriticalSection(&job->cs);
        if (!is_background(job) || !job->worker_active || job->abort)
        {
            LeaveCriticalSection(&job->cs);
            continue;
        }
        if (job->priority > best)
        {
            job_yield(job, "preempted");
            LeaveCriticalSection(&job->cs);
            continue;
        }
        LeaveCriticalSection(&job->cs);
        LIST_FOR_EACH_ENTRY(other, &bits_manager.jobs, struct bits_job, entry)
        {
            if (other == job) continue;
            EnterCriticalSection(&other->cs);
            if (other->priority == job->priority && job_waiting(other)) contender = TRUE;
            LeaveCriticalSection(&other->cs);
        }
        EnterCriticalSection(&job->cs);
        if (contender && !job->abort && job->worker_active)
        {
            if (now >= job->slice_end) job_yield(job, "time slice");
            else earlier(&wait, job->slice_end, now);
        }
        else if (now >= job->slice_end) job->slice_end = now + TIME_SLICE_MS;
        LeaveCriticalSection(&job->cs);
    }

    /* Foreground jobs all together; one background job, the one of the best class that
     * started longest ago (round robin; never started counts as oldest, in queue order).
     * None once the service stops: its stop aborts the workers under this lock after setting
     * the flag (scheduler_run may get here on a client's thread while it does). */
    LIST_FOR_EACH_ENTRY(job, &bits_manager.jobs, struct bits_job, entry)
    {
        if (sched.stopping) break;
        EnterCriticalSection(&job->cs);
        if (job_waiting(job))
        {
            if (!is_background(job))
            {
                if (foreground < MAX_FOREGROUND_WORKERS)
                {
                    job_start_worker(job, now);
                    job_deadlines(job, now, &wait);
                    foreground++;
                    started++;
                }
            }
            else if (!background && job->priority == best && (!next || job->last_start < next->last_start))
                next = job;
        }
        LeaveCriticalSection(&job->cs);
    }
    if (next)
    {
        EnterCriticalSection(&next->cs);
        if (job_waiting(next))
        {
            if (inherit)
            {
                job_prepare_worker(next, now);
                *inherit = next;
            }
            else job_start_worker(next, now);
            /* Its slice ends then, if another job waits by that time; MaxDownloadTime. */
            earlier(&wait, next->slice_end, now);
            job_deadlines(next, now, &wait);
            started++;
        }
        LeaveCriticalSection(&next->cs);
    }
    /* Decided under the manager lock: a pass that saw an older queue cannot undo this. */
    keep_changed = keeper_want(KEEP_JOBS, work);
    LeaveCriticalSection(&bits_manager.cs);
    if (keep_changed) scheduler_wake();        /* its thread starts or ends the keeper */
    if (started) TRACE("%u worker(s) started\n", started);
    return wait == INFINITE ? NO_DEADLINE : now + wait;
}

static DWORD WINAPI scheduler_thread(void *arg)
{
    HANDLE handles[2] = { sched.wake, sched.timer };
    IUnknown *unk;

    manager_get_object(&IID_IUnknown, (void **)&unk);   /* the manager lock is initialized */
    for (;;)
    {
        ULONGLONG deadline, now;
        LARGE_INTEGER due;

        EnterCriticalSection(&sched.cs);
        if (sched.stopping)
        {
            LeaveCriticalSection(&sched.cs);
            break;
        }
        LeaveCriticalSection(&sched.cs);
        deadline = schedule(NULL);
        keeper_apply();
        /* The timer is set again only when the deadline moved: passes on other threads leave
         * it alone unless theirs comes sooner (deadline_found). */
        EnterCriticalSection(&sched.cs);
        deadline = min(deadline, sched.requested);
        sched.requested = NO_DEADLINE;
        if (deadline != sched.armed)
        {
            if (deadline == NO_DEADLINE) CancelWaitableTimer(sched.timer);
            else
            {
                now = GetTickCount64();
                due.QuadPart = -(LONGLONG)(deadline > now ? deadline - now : 0) * 10000;  /* relative, 100 ns */
                SetWaitableTimer(sched.timer, &due, 0, NULL, NULL, FALSE);
            }
            sched.armed = deadline;
        }
        LeaveCriticalSection(&sched.cs);
        if (WaitForMultipleObjects(2, handles, FALSE, INFINITE) == WAIT_OBJECT_0 + 1)
        {
            EnterCriticalSection(&sched.cs);
            sched.armed = NO_DEADLINE;                  /* it fired */
            LeaveCriticalSection(&sched.cs);
        }
    }
    return 0;
}

/* Service start, also again in the same svchost after a stop. */
void scheduler_start(void)
{
    InitOnceExecuteOnce(&sched_once, sched_init, NULL, NULL);
    EnterCriticalSection(&sched.cs);
    sched.stopping = FALSE;
    LeaveCriticalSection(&sched.cs);
}

/* Service stop: no new workers; running ones are told to stop. */
void scheduler_shutdown(void)
{
    struct bits_job *job;
    HANDLE thread;

    InitOnceExecuteOnce(&sched_once, sched_init, NULL, NULL);
    EnterCriticalSection(&sched.cs);
    sched.stopping = TRUE;
    thread = sched.thread;
    sched.thread = NULL;
    SetEvent(sched.wake);
    LeaveCriticalSection(&sched.cs);
    if (thread)
    {
        /* No time limit: the thread only waits on its wake event and timer and takes locks that
         * no one holds for long; it sees stopping at its next wake. Going on while it still ran
         * would let it start workers after the stop, and a restart in this svchost would then
         * have two scheduler threads. */
        WaitForSingleObject(thread, INFINITE);
        CloseHandle(thread);
    }
    EnterCriticalSection(&bits_manager.cs);
    LIST_FOR_EACH_ENTRY(job, &bits_manager.jobs, struct bits_job, entry)
        job_abort_transfer(job);
    keeper_want(KEEP_JOBS, FALSE);
    LeaveCriticalSection(&bits_manager.cs);
}

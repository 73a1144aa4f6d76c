/*
 * scheduler.c: decides which queued jobs transfer, runs one worker thread per active job,
 * and moves jobs through CONNECTING, TRANSFERRING, TRANSIENT_ERROR, ERROR and TRANSFERRED
 * (spec 2.2, 5.3, 5.4).
 * Owns: the scheduler thread and its wake event, and the struct transfer of each worker.
 * The scheduler thread sleeps until it is woken (a Resume, a finished worker) or until the
 * next retry deadline: there is no polling. Lock order as everywhere: manager, then job.
 */

#include "qmgr_private.h"

BITS_DEFAULT_DEBUG_CHANNEL(qmgr);

#define MAX_FOREGROUND_WORKERS  8      /* foreground jobs run concurrently (spec 5.4) */
#define MAX_BACKGROUND_WORKERS  4      /* background jobs of the best priority class */

struct transfer
{
    struct bits_job *job;              /* holds a reference */
    struct bits_file *file;            /* holds a reference */
    ULONGLONG progress_posted;         /* tick of the last progress JobModification */
};

static struct
{
    CRITICAL_SECTION cs;               /* protects thread, stopping */
    HANDLE wake;                       /* auto-reset */
    HANDLE thread;
    BOOL stopping;
} sched;

static INIT_ONCE sched_once = INIT_ONCE_STATIC_INIT;

static DWORD WINAPI scheduler_thread(void *arg);

static BOOL CALLBACK sched_init(INIT_ONCE *once, void *param, void **context)
{
    InitializeCriticalSection(&sched.cs);
    sched.wake = CreateEventW(NULL, FALSE, FALSE, NULL);
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

/* ---- what a worker offers to http.c and copy.c ---- */

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

/* The connection is up: CONNECTING -> TRANSFERRING, and the old error goes (spec 2.2). */
void transfer_connected(struct transfer *t)
{
    struct bits_job *job = t->job;

    EnterCriticalSection(&job->cs);
    if (!job->abort && job->state == BG_JOB_STATE_CONNECTING)
    {
        job->state = BG_JOB_STATE_TRANSFERRING;
        if (job->error)
        {
            IBackgroundCopyError_Release(&job->error->IBackgroundCopyError_iface);
            job->error = NULL;
        }
        job_touch(job);
        notify_post(job, NOTIFY_JOB_MODIFICATION, NULL);
    }
    LeaveCriticalSection(&job->cs);
}

/* The remote size and time are known. A change since the last attempt restarts the file
 * from 0 (spec 5.2). Files with ranges keep the sum of their ranges as total. */
HRESULT transfer_set_size(struct transfer *t, UINT64 size, const FILETIME *mtime, BOOL *restart)
{
    struct bits_file *file = t->file;
    struct bits_job *job = t->job;
    BOOL changed = FALSE;

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
    LeaveCriticalSection(&job->cs);
    if (restart) *restart = changed;
    return S_OK;
}

/* Open the temp file (or, for HIGH_PERFORMANCE jobs, the destination) and position it after the
 * bytes already transferred; anything beyond them is cut off. */
HRESULT transfer_open_output(struct transfer *t, UINT64 *offset, HANDLE *out)
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
    if (!GetFileSizeEx(handle, &size)) size.QuadPart = 0;
    if ((UINT64)size.QuadPart < done) done = size.QuadPart;   /* keep only what is really there */
    pos.QuadPart = done;
    if (!SetFilePointerEx(handle, pos, NULL, FILE_BEGIN) || !SetEndOfFile(handle))
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

/* Called after every block read: the progress itself is always current, but the modification
 * time, the store's dirty flag and JobModification follow at most once per
 * MINIMUM_NOTIFICATION_INTERVAL_MS (spec 5.6), so that a fast transfer costs no extra server
 * calls or thread switches per block. */
void transfer_progress(struct transfer *t, UINT64 transferred)
{
    struct bits_job *job = t->job;
    ULONGLONG now = GetTickCount64();

    EnterCriticalSection(&job->cs);
    if (!job->abort)
    {
        t->file->progress.BytesTransferred = transferred;
        job->last_progress = now;
        job_activity(job);
        if (!t->progress_posted || now - t->progress_posted >= job->notify_interval_ms)
        {
            t->progress_posted = now;
            job_touch(job);
            notify_post(job, NOTIFY_JOB_MODIFICATION, NULL);
        }
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

/* Record a failure: TRANSIENT_ERROR with a retry, or ERROR (spec 2.2, 2.4). Job lock held. */
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
    /* No retries when NoProgressTimeout is 0, when the retry delay outlasts it, or with a custom verb. */
    if (!job->no_progress_timeout || job->retry_delay > job->no_progress_timeout || job->http_method)
        transient = FALSE;
    if (transient && GetTickCount64() - job->last_progress >= (ULONGLONG)job->no_progress_timeout * 1000)
        transient = FALSE;
    store_changed(TRUE);
    WARN("job %s: %#lx (context %u), %s\n", debugstr_guid(&job->id), error->code, error->context,
         transient ? "will retry" : "fatal");
    if (transient)
    {
        job->state = BG_JOB_STATE_TRANSIENT_ERROR;
        job->retry_at = GetTickCount64() + (ULONGLONG)job->retry_delay * 1000;
        notify_post(job, NOTIFY_JOB_MODIFICATION, NULL);
    }
    else
    {
        job->state = BG_JOB_STATE_ERROR;
        notify_post(job, NOTIFY_JOB_ERROR, NULL);
    }
    job_touch(job);
}

static DWORD WINAPI job_worker(void *arg)
{
    struct bits_job *job = arg;
    struct transfer t = { job, NULL, 0 };
    struct transfer_error error;
    struct bits_file *file;
    HRESULT hr;

    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    EnterCriticalSection(&job->cs);
    for (;;)
    {
        if (job->abort || (job->state != BG_JOB_STATE_QUEUED && job->state != BG_JOB_STATE_CONNECTING
                           && job->state != BG_JOB_STATE_TRANSFERRING))
            break;
        if (!(file = job_next_file(job)))
        {
            job->state = BG_JOB_STATE_TRANSFERRED;
            store_changed(TRUE);
            get_system_filetime(&job->completion_time);
            job_touch(job);
            job_activity(job);
            notify_post(job, NOTIFY_JOB_TRANSFERRED, NULL);
            TRACE("job %s transferred\n", debugstr_guid(&job->id));
            break;
        }
        if (job->state == BG_JOB_STATE_QUEUED)
        {
            job->state = BG_JOB_STATE_CONNECTING;
            job_touch(job);
        }
        IBackgroundCopyFile_AddRef(file_iface(file));
        t.file = file;
        LeaveCriticalSection(&job->cs);

        memset(&error, 0, sizeof(error));
        if (job->type != BG_JOB_TYPE_DOWNLOAD) hr = upload_transfer(&t, &error);
        else if (is_http_url(file->remote_name)) hr = http_download(&t, &error);
        else hr = copy_download(&t, &error);

        EnterCriticalSection(&job->cs);
        t.file = NULL;
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
            /* On-demand: the requested ranges are there, the rest is not wanted yet (spec 2.2). */
            IBackgroundCopyFile_Release(file_iface(file));
            job->state = BG_JOB_STATE_SUSPENDED;
            store_changed(TRUE);
            job_touch(job);
            notify_post(job, NOTIFY_JOB_MODIFICATION, NULL);
            break;
        }
        file->transferred = TRUE;
        file->progress.BytesTransferred = file->progress.BytesTotal == BG_SIZE_UNKNOWN
                                          ? file->progress.BytesTransferred : file->progress.BytesTotal;
        /* An upload is complete once the server has it (spec 1.4); FileTransferred is for
         * downloads and the reply of an upload-reply job (spec 1.5). */
        if (job->type != BG_JOB_TYPE_DOWNLOAD) file->progress.Completed = TRUE;
        job_touch(job);
        if (job->type != BG_JOB_TYPE_UPLOAD) notify_post(job, NOTIFY_FILE_TRANSFERRED, file);
        IBackgroundCopyFile_Release(file_iface(file));
    }
    job->worker_active = FALSE;
    SetEvent(job->worker_done);
    LeaveCriticalSection(&job->cs);

    CoUninitialize();
    scheduler_wake();
    IBackgroundCopyJob_Release(job_iface(job));
    return 0;
}

/* Called with job->cs held. Workers run on the process thread pool: a worker thread that
 * just finished a job takes the next one, which saves a thread creation (and its DLL
 * notifications) per job; WT_EXECUTELONGFUNCTION lets the pool grow for long transfers. */
static void job_start_worker(struct bits_job *job)
{
    job->worker_active = TRUE;
    job->abort = 0;
    if (!job->last_progress) job->last_progress = GetTickCount64();
    ResetEvent(job->worker_done);
    IBackgroundCopyJob_AddRef(job_iface(job));
    if (!QueueUserWorkItem(job_worker, job, WT_EXECUTELONGFUNCTION))
    {
        ERR("cannot start a worker: %lu\n", GetLastError());
        job->worker_active = FALSE;
        SetEvent(job->worker_done);
        IBackgroundCopyJob_Release(job_iface(job));
    }
}

/* Stop the worker of a job that was suspended or cancelled; waits a little so that its files
 * are closed before the caller deletes them. The caller holds no lock. */
void job_stop_worker(struct bits_job *job)
{
    HANDLE done;

    EnterCriticalSection(&job->cs);
    InterlockedExchange(&job->abort, 1);
    done = job->worker_active ? job->worker_done : NULL;
    LeaveCriticalSection(&job->cs);
    if (done && WaitForSingleObject(done, 2000) == WAIT_TIMEOUT)
        WARN("worker of job %s still busy\n", debugstr_guid(&job->id));
}

/* One scheduling pass. Returns the milliseconds until the next deadline, or INFINITE. */
static DWORD schedule(void)
{
    struct bits_job *job;
    ULONGLONG now = GetTickCount64();
    DWORD wait = INFINITE;
    unsigned int foreground = 0, background = 0, prio;
    BOOL higher_busy = FALSE;

    EnterCriticalSection(&bits_manager.cs);
    /* Deadlines, and how many workers run. */
    LIST_FOR_EACH_ENTRY(job, &bits_manager.jobs, struct bits_job, entry)
    {
        EnterCriticalSection(&job->cs);
        if (job->state == BG_JOB_STATE_TRANSIENT_ERROR && !job->worker_active)
        {
            ULONGLONG give_up = job->last_progress + (ULONGLONG)job->no_progress_timeout * 1000;
            if (now >= give_up)
            {
                job->state = BG_JOB_STATE_ERROR;    /* spec 2.2: no progress for NoProgressTimeout */
                job_touch(job);
                notify_post(job, NOTIFY_JOB_ERROR, NULL);
            }
            else if (now >= job->retry_at)
            {
                job->state = BG_JOB_STATE_QUEUED;
                job_touch(job);
            }
            else
            {
                ULONGLONG next = min(job->retry_at, give_up) - now;
                if (next < wait) wait = (DWORD)min(next, 0x7fffffff);
            }
        }
        if (job->worker_active)
        {
            if (job->priority == BG_JOB_PRIORITY_FOREGROUND) foreground++;
            else background++;
        }
        LeaveCriticalSection(&job->cs);
    }

    /* Foreground jobs first and all together; then background jobs by class, a lower class
     * only when no higher one has work (spec 5.4). */
    for (prio = BG_JOB_PRIORITY_FOREGROUND; prio <= BG_JOB_PRIORITY_LOW; prio++)
    {
        BOOL class_busy = FALSE;
        LIST_FOR_EACH_ENTRY(job, &bits_manager.jobs, struct bits_job, entry)
        {
            EnterCriticalSection(&job->cs);
            if (job->priority == prio && (job->worker_active || job->state == BG_JOB_STATE_QUEUED))
                class_busy = TRUE;
            if (job->priority == prio && job->state == BG_JOB_STATE_QUEUED && !job->worker_active)
            {
                if (prio == BG_JOB_PRIORITY_FOREGROUND && foreground < MAX_FOREGROUND_WORKERS)
                {
                    job_start_worker(job);
                    foreground++;
                }
                else if (prio != BG_JOB_PRIORITY_FOREGROUND && !higher_busy && background < MAX_BACKGROUND_WORKERS)
                {
                    job_start_worker(job);
                    background++;
                }
            }
            LeaveCriticalSection(&job->cs);
        }
        if (prio != BG_JOB_PRIORITY_FOREGROUND && class_busy) higher_busy = TRUE;
    }
    LeaveCriticalSection(&bits_manager.cs);
    return wait;
}

static DWORD WINAPI scheduler_thread(void *arg)
{
    IUnknown *unk;

    manager_get_object(&IID_IUnknown, (void **)&unk);   /* the manager lock is initialized */
    for (;;)
    {
        DWORD wait;

        EnterCriticalSection(&sched.cs);
        if (sched.stopping)
        {
            LeaveCriticalSection(&sched.cs);
            break;
        }
        LeaveCriticalSection(&sched.cs);
        wait = schedule();
        WaitForSingleObject(sched.wake, wait);
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
        WaitForSingleObject(thread, 5000);
        CloseHandle(thread);
    }
    EnterCriticalSection(&bits_manager.cs);
    LIST_FOR_EACH_ENTRY(job, &bits_manager.jobs, struct bits_job, entry)
        InterlockedExchange(&job->abort, 1);
    LeaveCriticalSection(&bits_manager.cs);
}

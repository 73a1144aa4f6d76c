/*
 * notify.c: calls into clients' callback objects (spec 5.6).
 * Owns: the queue of pending notifications and the thread that delivers them. The queue
 * lock is the innermost lock of the service; the delivery thread holds no lock while it
 * calls a client, so a slow or dead client never blocks the job list.
 */

#include "qmgr_private.h"

BITS_DEFAULT_DEBUG_CHANNEL(qmgr);

struct notification
{
    struct list entry;
    struct bits_job *job;              /* holds a reference */
    struct bits_file *file;            /* holds a reference, or NULL */
    enum notify_event event;
    BG_FILE_RANGE *ranges;             /* FileRangesTransferred */
    DWORD range_count;
};

static struct
{
    CRITICAL_SECTION cs;               /* protects queue, thread, stopping */
    struct list queue;
    HANDLE wake;
    HANDLE thread;
    BOOL stopping;
} notify;

static INIT_ONCE notify_once = INIT_ONCE_STATIC_INIT;

static BOOL CALLBACK notify_init(INIT_ONCE *once, void *param, void **context)
{
    InitializeCriticalSection(&notify.cs);
    list_init(&notify.queue);
    notify.wake = CreateEventW(NULL, FALSE, FALSE, NULL);
    return TRUE;
}

static ULONG notify_flag(enum notify_event event)
{
    switch (event)
    {
    case NOTIFY_JOB_TRANSFERRED:   return BG_NOTIFY_JOB_TRANSFERRED;
    case NOTIFY_JOB_ERROR:         return BG_NOTIFY_JOB_ERROR;
    case NOTIFY_JOB_MODIFICATION:  return BG_NOTIFY_JOB_MODIFICATION;
    case NOTIFY_FILE_TRANSFERRED:  return BG_NOTIFY_FILE_TRANSFERRED;
    case NOTIFY_FILE_RANGES_TRANSFERRED: return BG_NOTIFY_FILE_RANGES_TRANSFERRED;
    }
    return 0;
}

static void notification_free(struct notification *n)
{
    if (n->file) IBackgroundCopyFile_Release(file_iface(n->file));
    IBackgroundCopyJob_Release(job_iface(n->job));
    heap_free(n->ranges);
    heap_free(n);
}

/* SetNotifyCmdLine: the program runs when no callback took the event (spec 5.6), never for
 * service-account jobs. It runs as the service's user, which under Wine is the owner. */
static BOOL run_command_line(struct bits_job *job, const WCHAR *program, const WCHAR *params)
{
    PROCESS_INFORMATION pi;
    STARTUPINFOW si;
    WCHAR *cmdline = NULL;
    BOOL ret;

    memset(&si, 0, sizeof(si));
    si.cb = sizeof(si);
    if (params && !(cmdline = heap_strdupW(params))) return FALSE;
    ret = CreateProcessW(program, cmdline, NULL, NULL, FALSE, CREATE_NO_WINDOW | DETACHED_PROCESS, NULL, NULL, &si, &pi);
    if (ret)
    {
        TRACE("job %s: started %s\n", debugstr_guid(&job->id), debugstr_w(program));
        CloseHandle(pi.hThread);
        CloseHandle(pi.hProcess);
    }
    else WARN("cannot run %s: %lu\n", debugstr_w(program), GetLastError());
    heap_free(cmdline);
    return ret;
}

struct delayed_post
{
    struct bits_job *job;
    enum notify_event event;
    HANDLE timer;
};

static void CALLBACK repost_callback(void *arg, BOOLEAN fired)
{
    struct delayed_post *post = arg;

    notify_post(post->job, post->event, NULL);
    IBackgroundCopyJob_Release(job_iface(post->job));
    DeleteTimerQueueTimer(NULL, post->timer, NULL);
    heap_free(post);
}

/* A callback that failed is called again after the retry delay (spec 2.4). */
static void repost_later(struct bits_job *job, enum notify_event event, ULONG delay_seconds)
{
    struct delayed_post *post;

    if (!(post = heap_alloc_zero(sizeof(*post)))) return;
    post->job = job;
    post->event = event;
    IBackgroundCopyJob_AddRef(job_iface(job));
    if (!CreateTimerQueueTimer(&post->timer, NULL, repost_callback, post, delay_seconds * 1000, 0,
                               WT_EXECUTEONLYONCE))
    {
        IBackgroundCopyJob_Release(job_iface(job));
        heap_free(post);
    }
}

static void notification_deliver(struct notification *n)
{
    struct bits_job *job = n->job;
    IBackgroundCopyCallback *callback = NULL;
    IBackgroundCopyCallback2 *callback2;
    IBackgroundCopyCallback3 *callback3;
    IBackgroundCopyError *error = NULL;
    WCHAR *program = NULL, *params = NULL;
    BOOL wanted, final_event = n->event == NOTIFY_JOB_TRANSFERRED || n->event == NOTIFY_JOB_ERROR;
    ULONG flags, retry_delay;
    HRESULT hr = E_FAIL;

    EnterCriticalSection(&job->cs);
    flags = job->notify_flags;
    retry_delay = job->retry_delay;
    wanted = !(flags & BG_NOTIFY_DISABLE) && (flags & notify_flag(n->event));
    /* A transferred or error event is stale once the job has moved on. */
    if (n->event == NOTIFY_JOB_TRANSFERRED && job->state != BG_JOB_STATE_TRANSFERRED) wanted = FALSE;
    if (n->event == NOTIFY_JOB_ERROR && job->state != BG_JOB_STATE_ERROR) wanted = FALSE;
    if (wanted && job->notify_iface)
    {
        callback = (IBackgroundCopyCallback *)job->notify_iface;
        IBackgroundCopyCallback_AddRef(callback);
    }
    if (wanted && n->event == NOTIFY_JOB_ERROR && job->error)
    {
        error = &job->error->IBackgroundCopyError_iface;
        IBackgroundCopyError_AddRef(error);
    }
    if (wanted && final_event && job->notify_program && !job->owner.service)
    {
        program = heap_strdupW(job->notify_program);
        params = heap_strdupW(job->notify_params);
    }
    LeaveCriticalSection(&job->cs);
    if (!wanted) goto done;

    if (callback)
    {
        TRACE("job %s event %u\n", debugstr_guid(&job->id), n->event);
        switch (n->event)
        {
        case NOTIFY_JOB_TRANSFERRED:
            hr = IBackgroundCopyCallback_JobTransferred(callback, job_iface(job));
            break;
        case NOTIFY_JOB_ERROR:
            hr = error ? IBackgroundCopyCallback_JobError(callback, job_iface(job), error) : S_OK;
            break;
        case NOTIFY_JOB_MODIFICATION:
            hr = IBackgroundCopyCallback_JobModification(callback, job_iface(job), 0);
            break;
        case NOTIFY_FILE_TRANSFERRED:
            hr = S_OK;
            if (n->file && SUCCEEDED(IBackgroundCopyCallback_QueryInterface(callback, &IID_IBackgroundCopyCallback2,
                                                                            (void **)&callback2)))
            {
                hr = IBackgroundCopyCallback2_FileTransferred(callback2, job_iface(job), file_iface(n->file));
                IBackgroundCopyCallback2_Release(callback2);
            }
            break;
        case NOTIFY_FILE_RANGES_TRANSFERRED:
            hr = S_OK;
            if (n->file && SUCCEEDED(IBackgroundCopyCallback_QueryInterface(callback, &IID_IBackgroundCopyCallback3,
                                                                            (void **)&callback3)))
            {
                hr = IBackgroundCopyCallback3_FileRangesTransferred(callback3, job_iface(job), file_iface(n->file),
                                                                    n->range_count, n->ranges);
                IBackgroundCopyCallback3_Release(callback3);
            }
            break;
        }
        if (hr != S_OK) WARN("callback for event %u returned %#lx\n", n->event, hr);
    }
    if (hr == S_OK || !final_event) goto done;
    /* No callback, or it failed: the command line, else another try later (spec 5.6 rule 3). */
    if (program && run_command_line(job, program, params)) goto done;
    if (callback) repost_later(job, n->event, retry_delay);

done:
    heap_free(program);
    heap_free(params);
    if (error) IBackgroundCopyError_Release(error);
    if (callback) IBackgroundCopyCallback_Release(callback);
}

static DWORD WINAPI notify_thread(void *arg)
{
    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    for (;;)
    {
        struct notification *n = NULL;

        EnterCriticalSection(&notify.cs);
        if (!list_empty(&notify.queue))
        {
            n = LIST_ENTRY(notify.queue.next, struct notification, entry);
            list_remove(&n->entry);
        }
        else if (notify.stopping)
        {
            LeaveCriticalSection(&notify.cs);
            break;
        }
        LeaveCriticalSection(&notify.cs);

        if (!n)
        {
            WaitForSingleObject(notify.wake, INFINITE);
            continue;
        }
        notification_deliver(n);
        notification_free(n);
    }
    CoUninitialize();
    return 0;
}

/* Queue an event; any lock may be held. A pending modification of the same job absorbs a new one.
 * An event the job's flags do not ask for is dropped here, as delivery would drop it: most jobs
 * want only TRANSFERRED and ERROR, and every property change or progress step would otherwise
 * wake the delivery thread for nothing. */
void notify_post(struct bits_job *job, enum notify_event event, struct bits_file *file)
{
    struct notification *n, *pending;
    ULONG flags = job->notify_flags;

    if ((flags & BG_NOTIFY_DISABLE) || !(flags & notify_flag(event))) return;
    InitOnceExecuteOnce(&notify_once, notify_init, NULL, NULL);
    EnterCriticalSection(&notify.cs);
    if (notify.stopping) goto done;
    if (event == NOTIFY_JOB_MODIFICATION)
        LIST_FOR_EACH_ENTRY(pending, &notify.queue, struct notification, entry)
            if (pending->job == job && pending->event == NOTIFY_JOB_MODIFICATION) goto done;
    if (!(n = heap_alloc_zero(sizeof(*n)))) goto done;
    n->job = job;
    IBackgroundCopyJob_AddRef(job_iface(job));
    if ((n->file = file)) IBackgroundCopyFile_AddRef(file_iface(file));
    n->event = event;
    list_add_tail(&notify.queue, &n->entry);
    if (!notify.thread && !(notify.thread = CreateThread(NULL, 0, notify_thread, NULL, 0, NULL)))
        ERR("cannot start the notification thread: %lu\n", GetLastError());
    SetEvent(notify.wake);
done:
    LeaveCriticalSection(&notify.cs);
}

/* Callback3::FileRangesTransferred with a copy of the ranges (spec 1.5); any lock may be held. */
void notify_post_ranges(struct bits_job *job, struct bits_file *file, const BG_FILE_RANGE *ranges, DWORD count)
{
    struct notification *n;

    InitOnceExecuteOnce(&notify_once, notify_init, NULL, NULL);
    if (!(n = heap_alloc_zero(sizeof(*n)))) return;
    if (!(n->ranges = heap_alloc_zero(count * sizeof(*ranges))))
    {
        heap_free(n);
        return;
    }
    memcpy(n->ranges, ranges, count * sizeof(*ranges));
    n->range_count = count;
    n->job = job;
    IBackgroundCopyJob_AddRef(job_iface(job));
    n->file = file;
    IBackgroundCopyFile_AddRef(file_iface(file));
    n->event = NOTIFY_FILE_RANGES_TRANSFERRED;
    EnterCriticalSection(&notify.cs);
    if (notify.stopping)
    {
        LeaveCriticalSection(&notify.cs);
        notification_free(n);
        return;
    }
    list_add_tail(&notify.queue, &n->entry);
    if (!notify.thread && !(notify.thread = CreateThread(NULL, 0, notify_thread, NULL, 0, NULL)))
        ERR("cannot start the notification thread: %lu\n", GetLastError());
    SetEvent(notify.wake);
    LeaveCriticalSection(&notify.cs);
}

/* Service start, also again in the same svchost after a stop. */
void notify_start(void)
{
    InitOnceExecuteOnce(&notify_once, notify_init, NULL, NULL);
    EnterCriticalSection(&notify.cs);
    notify.stopping = FALSE;
    LeaveCriticalSection(&notify.cs);
}

void notify_shutdown(void)
{
    struct notification *n, *next;
    HANDLE thread;

    InitOnceExecuteOnce(&notify_once, notify_init, NULL, NULL);
    EnterCriticalSection(&notify.cs);
    notify.stopping = TRUE;
    thread = notify.thread;
    notify.thread = NULL;
    SetEvent(notify.wake);
    LeaveCriticalSection(&notify.cs);
    if (thread)
    {
        /* A client that does not answer must not hold the service up for ever. */
        if (WaitForSingleObject(thread, 5000) == WAIT_TIMEOUT) WARN("notification thread still busy\n");
        CloseHandle(thread);
    }
    EnterCriticalSection(&notify.cs);
    LIST_FOR_EACH_ENTRY_SAFE(n, next, &notify.queue, struct notification, entry)
    {
        list_remove(&n->entry);
        notification_free(n);
    }
    LeaveCriticalSection(&notify.cs);
}

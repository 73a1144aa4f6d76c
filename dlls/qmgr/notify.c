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
    }
    return 0;
}

static void notification_free(struct notification *n)
{
    if (n->file) IBackgroundCopyFile_Release(file_iface(n->file));
    IBackgroundCopyJob_Release(job_iface(n->job));
    heap_free(n);
}

static void notification_deliver(struct notification *n)
{
    struct bits_job *job = n->job;
    IBackgroundCopyCallback *callback = NULL;
    IBackgroundCopyCallback2 *callback2;
    IBackgroundCopyError *error = NULL;
    ULONG flags;
    HRESULT hr = S_OK;

    EnterCriticalSection(&job->cs);
    flags = job->notify_flags;
    if (job->notify_iface && !(flags & BG_NOTIFY_DISABLE) && (flags & notify_flag(n->event)))
    {
        callback = (IBackgroundCopyCallback *)job->notify_iface;
        IBackgroundCopyCallback_AddRef(callback);
        if (n->event == NOTIFY_JOB_ERROR && job->error)
        {
            error = &job->error->IBackgroundCopyError_iface;
            IBackgroundCopyError_AddRef(error);
        }
    }
    LeaveCriticalSection(&job->cs);
    if (!callback) return;

    TRACE("job %s event %u\n", debugstr_guid(&job->id), n->event);
    switch (n->event)
    {
    case NOTIFY_JOB_TRANSFERRED:
        hr = IBackgroundCopyCallback_JobTransferred(callback, job_iface(job));
        break;
    case NOTIFY_JOB_ERROR:
        if (error) hr = IBackgroundCopyCallback_JobError(callback, job_iface(job), error);
        break;
    case NOTIFY_JOB_MODIFICATION:
        hr = IBackgroundCopyCallback_JobModification(callback, job_iface(job), 0);
        break;
    case NOTIFY_FILE_TRANSFERRED:
        if (n->file && SUCCEEDED(IBackgroundCopyCallback_QueryInterface(callback, &IID_IBackgroundCopyCallback2,
                                                                        (void **)&callback2)))
        {
            hr = IBackgroundCopyCallback2_FileTransferred(callback2, job_iface(job), file_iface(n->file));
            IBackgroundCopyCallback2_Release(callback2);
        }
        break;
    }
    if (hr != S_OK) WARN("callback for event %u returned %#lx\n", n->event, hr);
    if (error) IBackgroundCopyError_Release(error);
    IBackgroundCopyCallback_Release(callback);
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

/* Queue an event; any lock may be held. A pending modification of the same job absorbs a new one. */
void notify_post(struct bits_job *job, enum notify_event event, struct bits_file *file)
{
    struct notification *n, *pending;

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

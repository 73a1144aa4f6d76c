/*
 * notify.c: calls into clients' callback objects and runs notify command lines.
 * Owns: the queue of pending notifications and the thread that delivers them, the rate limit
 * of JobModification and FileRangesTransferred (MINIMUM_NOTIFICATION_INTERVAL_MS) and the
 * NOTIFICATION_CLSID instances.
 * The queue lock is the innermost lock of the service; the delivery thread holds no lock while
 * it calls a client, so a slow or dead client never blocks the job list. It sleeps on its wake
 * event and a waitable timer set to the next deferred modification.
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
#include <rpc.h>
#include <rpcdcep.h>
#include <userenv.h>

BITS_DEFAULT_DEBUG_CHANNEL(qmgr);

struct notification
{
    struct list entry;
    struct bits_job *job;              /* holds a reference */
    struct bits_file *file;            /* holds a reference, or NULL */
    enum notify_event event;
    BG_FILE_RANGE *ranges;             /* FileRangesTransferred: sorted, disjoint */
    DWORD range_count;
    ULONGLONG due;                     /* GetTickCount64() before which it is not delivered */
};

static struct
{
    CRITICAL_SECTION cs;               /* protects queue, owners, thread, generation, stopping, mta_kept */
    struct list queue;
    struct list owners;                /* struct callback_owner: who gave each callback */
    HANDLE wake;
    HANDLE timer;                      /* waitable timer: the next deferred notification */
    HANDLE thread;
    LONG generation;                   /* of the delivery thread; a stop that abandons it moves on */
    BOOL stopping;
    BOOL mta_kept;                     /* the apartment of kept proxies lives on (below) */
    CO_MTA_USAGE_COOKIE mta_cookie;    /* never given back */
} notify;

static INIT_ONCE notify_once = INIT_ONCE_STATIC_INIT;

static BOOL CALLBACK notify_init(INIT_ONCE *once, void *param, void **context)
{
    BITS_CS_INIT(&notify.cs, "notify.cs");
    list_init(&notify.queue);
    list_init(&notify.owners);
    notify.wake = CreateEventW(NULL, FALSE, FALSE, NULL);
    notify.timer = CreateWaitableTimerW(NULL, FALSE, NULL);
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

/* SetNotifyCmdLine: the program runs when no callback took the event, never for
 * service-account jobs, and only as the owner who set it: with the token kept from that call.
 * Without one (tokens are not kept across a restart, or someone else set the command line) it
 * does not run at all; the service's own identity is never lent to a client's program. */
static BOOL run_command_line(struct bits_job *job, HANDLE token, const WCHAR *program, const WCHAR *params)
{
    PROCESS_INFORMATION pi;
    STARTUPINFOW si;
    WCHAR *cmdline = NULL;
    void *env = NULL;
    BOOL ret;

    if (!token)
    {
        WARN("job %s: %s is not run: no token of the owner who set it\n", debugstr_guid(&job->id),
             debugstr_w(program));
        return FALSE;
    }
    memset(&si, 0, sizeof(si));
    si.cb = sizeof(si);
    if (params && !(cmdline = heap_strdupW(params))) return FALSE;
    /* The owner's own environment (their profile, TEMP, HKCU\Environment), as when they start a
     * program themselves, not the service's. Without it the program still runs, with the
     * service's variables: its rights come from the token alone, and a job's last notification
     * would be lost otherwise. */
    if (!CreateEnvironmentBlock(&env, token, FALSE))
    {
        WARN("job %s: no environment of the owner (%lu): %s gets the service's\n", debugstr_guid(&job->id),
             GetLastError(), debugstr_w(program));
        env = NULL;
    }
    ret = CreateProcessAsUserW(token, program, cmdline, NULL, NULL, FALSE,
                               CREATE_NO_WINDOW | DETACHED_PROCESS | (env ? CREATE_UNICODE_ENVIRONMENT : 0), env, NULL,
                               &si, &pi);
    if (ret)
    {
        TRACE("job %s: started %s as its owner\n", debugstr_guid(&job->id), debugstr_w(program));
        CloseHandle(pi.hThread);
        CloseHandle(pi.hProcess);
    }
    else WARN("cannot run %s: %lu\n", debugstr_w(program), GetLastError());
    if (env) DestroyEnvironmentBlock(env);
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

/* A callback that failed is called again after the retry delay, as BITS does. */
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

/* Did the call fail because the client is gone? Then its object is of no further use. */
static BOOL is_disconnected(HRESULT hr)
{
    return hr == RPC_E_DISCONNECTED || hr == CO_E_OBJNOTCONNECTED || hr == RPC_E_SERVER_DIED
           || hr == RPC_E_SERVER_DIED_DNE || hr == HRESULT_FROM_WIN32(RPC_S_SERVER_UNAVAILABLE)
           || hr == HRESULT_FROM_WIN32(RPC_S_CALL_FAILED);
}

/* Without a live callback object, BITS uses an instance of the job's
 * NOTIFICATION_CLSID (an out-of-process server), kept until it disconnects or the CLSID changes. */
static IBackgroundCopyCallback *clsid_callback(struct bits_job *job)
{
    IBackgroundCopyCallback *callback = NULL;
    IUnknown *stale = NULL, *created = NULL;
    GUID clsid;
    HRESULT hr;

    EnterCriticalSection(&job->cs);
    clsid = job->notify_clsid;
    if (job->clsid_callback && !IsEqualGUID(&job->clsid_callback_id, &clsid))
    {
        stale = job->clsid_callback;
        job->clsid_callback = NULL;
    }
    if (job->clsid_callback)
    {
        callback = (IBackgroundCopyCallback *)job->clsid_callback;
        IBackgroundCopyCallback_AddRef(callback);
    }
    LeaveCriticalSection(&job->cs);
    if (stale) IUnknown_Release(stale);
    if (callback || IsEqualGUID(&clsid, &GUID_NULL)) return callback;

    hr = CoCreateInstance(&clsid, NULL, CLSCTX_LOCAL_SERVER, &IID_IBackgroundCopyCallback, (void **)&created);
    if (FAILED(hr))
    {
        WARN("job %s: cannot create %s: %#lx\n", debugstr_guid(&job->id), debugstr_guid(&clsid), hr);
        return NULL;
    }
    TRACE("job %s: created the notification class %s\n", debugstr_guid(&job->id), debugstr_guid(&clsid));
    EnterCriticalSection(&job->cs);
    if (!job->clsid_callback && IsEqualGUID(&job->notify_clsid, &clsid) && !job_is_final(job))
    {
        job->clsid_callback = created;
        job->clsid_callback_id = clsid;
        IUnknown_AddRef(created);
    }
    LeaveCriticalSection(&job->cs);
    return (IBackgroundCopyCallback *)created;
}

/* The CLSID instance failed as a disconnected client: the next event creates a new one. */
static void clsid_callback_drop(struct bits_job *job, IBackgroundCopyCallback *callback)
{
    IUnknown *stale = NULL;

    EnterCriticalSection(&job->cs);
    if (job->clsid_callback == (IUnknown *)callback)
    {
        stale = job->clsid_callback;
        job->clsid_callback = NULL;
    }
    LeaveCriticalSection(&job->cs);
    if (stale) IUnknown_Release(stale);
}

/* ---- the connection of a new callback ----
 *
 * Each SetNotifyInterface gives the service a new proxy (a client's earlier object was released
 * with its job), and Wine's rpcrt4 binds a new connection for the first call of an interface
 * through it; the client's RPC runtime starts a thread for every new connection, which costs
 * several milliseconds. SetNotifyInterface opens that connection before it returns, so that
 * the client's thread is up before the job can even be resumed: notify_connect starts an
 * IBackgroundCopyCallback call whose job argument refuses to be marshalled. NDR sizes the
 * arguments, gets the buffer (which binds the connection), then fails marshalling and abandons
 * the call before anything is sent: the client's object never sees it (tests/callback.c
 * test_callback_untouched). The connection stays in the association for the real events.
 * Only proxies get this; an object in the service's own apartment would be called directly. */

static HRESULT WINAPI refuse_QueryInterface(IMarshal *iface, REFIID riid, void **obj)
{
    if (IsEqualGUID(riid, &IID_IUnknown) || IsEqualGUID(riid, &IID_IMarshal))
    {
        *obj = iface;
        return S_OK;
    }
    *obj = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI refuse_AddRef(IMarshal *iface) { return 2; }
static ULONG WINAPI refuse_Release(IMarshal *iface) { return 1; }

static HRESULT WINAPI refuse_GetUnmarshalClass(IMarshal *iface, REFIID riid, void *obj, DWORD context,
                                               void *reserved, DWORD flags, CLSID *clsid)
{
    *clsid = GUID_NULL;
    return S_OK;
}

static HRESULT WINAPI refuse_GetMarshalSizeMax(IMarshal *iface, REFIID riid, void *obj, DWORD context,
                                               void *reserved, DWORD flags, DWORD *size)
{
    *size = 16;
    return S_OK;
}

/* Raised rather than returned: ole32 logs a returned failure as an ERR on every new callback.
 * NDR's proxy catches it, frees the buffer and returns E_ABORT; the unwinding skips the release
 * of NDR's small stream object over the buffer, the price of a silent log. */
static HRESULT WINAPI refuse_MarshalInterface(IMarshal *iface, IStream *stream, REFIID riid, void *obj,
                                              DWORD context, void *reserved, DWORD flags)
{
    RpcRaiseException(E_ABORT);
    return E_ABORT;
}

static HRESULT WINAPI refuse_UnmarshalInterface(IMarshal *iface, IStream *stream, REFIID riid, void **obj)
{
    *obj = NULL;
    return E_ABORT;
}

static HRESULT WINAPI refuse_ReleaseMarshalData(IMarshal *iface, IStream *stream)
{
    return S_OK;
}

static HRESULT WINAPI refuse_DisconnectObject(IMarshal *iface, DWORD reserved)
{
    return S_OK;
}

static const IMarshalVtbl refuse_vtbl =
{
    refuse_QueryInterface, refuse_AddRef, refuse_Release, refuse_GetUnmarshalClass, refuse_GetMarshalSizeMax,
    refuse_MarshalInterface, refuse_UnmarshalInterface, refuse_ReleaseMarshalData, refuse_DisconnectObject,
};

static IMarshal refuse_marshal = { &refuse_vtbl };

/* ---- letting go of a client's callback ----
 *
 * The last Release of a proxy tells the client's process to drop its references. When that
 * process has exited, as clients often have by the time their job is completed or cancelled,
 * Wine's ole32 logs the failed call as an err ("IRemUnknown_RemRelease failed 0x800706be"),
 * though nothing is wrong. So the service remembers which process each callback came from (the
 * caller of SetNotifyInterface, found as security.c finds it) and does not release the proxy of
 * a process that is gone: the proxy, a few hundred bytes, is kept until the service stops, and
 * its entry stays (the pointer cannot be reused while the proxy lives). Should a client hand
 * over another process's object and exit, that object keeps its references: the price of a
 * quiet log in a case no real client has. A kept proxy must also outlive the stop: when the
 * service's CoUninitialize ends the multithreaded apartment, ole32 destroys its proxies with the
 * same failing RemRelease. So the first kept proxy takes a usage of that apartment that is never
 * given back, and it lasts until svchost exits (then nothing is released at all). */
struct callback_owner
{
    struct list entry;
    IUnknown *callback;                /* a proxy, as stored in job->notify_iface */
    HANDLE process;                    /* SYNCHRONIZE; NULL once it has exited */
};

/* In the client's SetNotifyInterface call: remember the calling process of a proxy. */
static void remember_owner(IUnknown *callback)
{
    struct callback_owner *owner;
    HANDLE process;
    ULONG pid = 0;

    if (I_RpcBindingInqLocalClientPID(NULL, &pid) != RPC_S_OK || !pid || pid == GetCurrentProcessId()) return;
    if (!(process = OpenProcess(SYNCHRONIZE, FALSE, pid))) return;
    EnterCriticalSection(&notify.cs);
    LIST_FOR_EACH_ENTRY(owner, &notify.owners, struct callback_owner, entry)
        if (owner->callback == callback) break;
    if (&owner->entry == &notify.owners)
    {
        if ((owner = heap_alloc_zero(sizeof(*owner))))
        {
            owner->callback = callback;
            list_add_tail(&notify.owners, &owner->entry);
        }
    }
    if (owner && !owner->process) owner->process = process;
    else CloseHandle(process);
    LeaveCriticalSection(&notify.cs);
}

/* Release a client's callback (any reference to it); caller holds no lock. */
void notify_release_callback(IUnknown *callback)
{
    struct callback_owner *owner, *found = NULL;
    BOOL gone = FALSE;

    InitOnceExecuteOnce(&notify_once, notify_init, NULL, NULL);
    EnterCriticalSection(&notify.cs);
    LIST_FOR_EACH_ENTRY(owner, &notify.owners, struct callback_owner, entry)
        if (owner->callback == callback)
        {
            found = owner;
            if (owner->process && WaitForSingleObject(owner->process, 0) == WAIT_OBJECT_0)
            {
                CloseHandle(owner->process);
                owner->process = NULL;
            }
            gone = !owner->process;
            break;
        }
    if (gone && !notify.mta_kept)
        notify.mta_kept = SUCCEEDED(CoIncrementMTAUsage(&notify.mta_cookie));
    LeaveCriticalSection(&notify.cs);
    if (gone)
    {
        TRACE("the client of callback %p has exited: its proxy is not released\n", callback);
        return;
    }
    if (IUnknown_Release(callback) || !found) return;
    EnterCriticalSection(&notify.cs);
    list_remove(&found->entry);
    LeaveCriticalSection(&notify.cs);
    if (found->process) CloseHandle(found->process);
    heap_free(found);
}

void notify_connect(IUnknown *object)
{
    IBackgroundCopyCallback *callback = (IBackgroundCopyCallback *)object;
    IClientSecurity *security;
    HRESULT hr;

    /* Standard proxies implement IClientSecurity; the objects of clients do not. */
    if (FAILED(IBackgroundCopyCallback_QueryInterface(callback, &IID_IClientSecurity, (void **)&security)))
        return;
    IClientSecurity_Release(security);
    InitOnceExecuteOnce(&notify_once, notify_init, NULL, NULL);
    remember_owner(object);
    hr = IBackgroundCopyCallback_JobModification(callback, (IBackgroundCopyJob *)&refuse_marshal, 0);
    TRACE("connection opened, the empty call returned %#lx\n", hr);
}

static HRESULT call_callback(IBackgroundCopyCallback *callback, struct notification *n, IBackgroundCopyError *error)
{
    IBackgroundCopyCallback2 *callback2;
    IBackgroundCopyCallback3 *callback3;
    struct bits_job *job = n->job;
    HRESULT hr = S_OK;

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
    case NOTIFY_FILE_RANGES_TRANSFERRED:
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
    return hr;
}

static void notification_deliver(struct notification *n)
{
    struct bits_job *job = n->job;
    IBackgroundCopyCallback *callback = NULL;
    IBackgroundCopyError *error = NULL;
    WCHAR *program = NULL, *params = NULL;
    HANDLE token = NULL;
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
        token = job_notify_token(job);
    }
    LeaveCriticalSection(&job->cs);
    if (!wanted) goto done;

    if (callback)
    {
        hr = call_callback(callback, n, error);
        if (is_disconnected(hr))
        {
            /* A client that went away counts as no callback: the CLSID takes over. */
            notify_release_callback((IUnknown *)callback);
            callback = NULL;
        }
    }
    if (!callback && (callback = clsid_callback(job)))
    {
        hr = call_callback(callback, n, error);
        if (is_disconnected(hr)) clsid_callback_drop(job, callback);
    }
    if (hr == S_OK || !final_event) goto done;
    /* No callback, or it failed: the command line, else another try later. */
    if (program && run_command_line(job, token, program, params)) goto done;
    if (callback) repost_later(job, n->event, retry_delay);

done:
    heap_free(program);
    heap_free(params);
    if (token) CloseHandle(token);
    if (error) IBackgroundCopyError_Release(error);
    if (callback) notify_release_callback((IUnknown *)callback);   /* also the CLSID's: not remembered */
}

/* The first notification that is due, removed from the queue; else NULL and, in *wait, the
 * milliseconds until the next one is (INFINITE for none). Queue lock held. */
static struct notification *next_due(DWORD *wait)
{
    ULONGLONG now = GetTickCount64(), first = ~(ULONGLONG)0;
    struct notification *n;

    LIST_FOR_EACH_ENTRY(n, &notify.queue, struct notification, entry)
    {
        if (n->due <= now)
        {
            list_remove(&n->entry);
            if (n->event == NOTIFY_JOB_MODIFICATION) n->job->last_modification = now;
            if (n->event == NOTIFY_FILE_RANGES_TRANSFERRED) n->job->last_ranges = now;
            return n;
        }
        first = min(first, n->due);
    }
    *wait = first == ~(ULONGLONG)0 ? INFINITE : (DWORD)min(first - now, 0x7fffffff);
    return NULL;
}

static DWORD WINAPI notify_thread(void *arg)
{
    HANDLE handles[2] = { notify.wake, notify.timer };
    LONG generation = (LONG)(LONG_PTR)arg;

    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    for (;;)
    {
        struct notification *n;
        LARGE_INTEGER due;
        DWORD wait = INFINITE;

        EnterCriticalSection(&notify.cs);
        if (generation != notify.generation)
        {
            /* Abandoned by a stop while it waited for a client (notify_shutdown): the queue
             * is no longer this thread's, maybe a new run's. */
            LeaveCriticalSection(&notify.cs);
            break;
        }
        n = next_due(&wait);
        if (!n && notify.stopping)
        {
            /* what is due goes out first; deferred modifications are dropped */
            LeaveCriticalSection(&notify.cs);
            break;
        }
        LeaveCriticalSection(&notify.cs);

        if (n)
        {
            notification_deliver(n);
            notification_free(n);
            continue;
        }
        if (wait != INFINITE)
        {
            due.QuadPart = -(LONGLONG)wait * 10000;     /* relative, in 100 ns */
            SetWaitableTimer(notify.timer, &due, 0, NULL, NULL, FALSE);
        }
        WaitForMultipleObjects(wait != INFINITE ? 2 : 1, handles, FALSE, INFINITE);
    }
    CoUninitialize();
    return 0;
}

/* Something was queued (notify.cs held): the delivery thread, started on first use with the
 * current generation, looks at the queue again. */
static void wake_thread(void)
{
    if (!notify.thread
        && !(notify.thread = CreateThread(NULL, 0, notify_thread, (void *)(LONG_PTR)notify.generation, 0, NULL)))
        ERR("cannot start the notification thread: %lu\n", GetLastError());
    SetEvent(notify.wake);
}

/* Queue an event; any lock may be held. A pending modification of the same job absorbs a new
 * one, and a modification comes no sooner than MINIMUM_NOTIFICATION_INTERVAL_MS after the last
 * (500 ms by default); the others are due at once. An event the job's flags do not ask for
 * is dropped here, as delivery would drop it: most jobs want only TRANSFERRED and ERROR, and
 * every property change or progress step would otherwise wake the delivery thread for nothing. */
void notify_post(struct bits_job *job, enum notify_event event, struct bits_file *file)
{
    struct notification *n, *pending;
    ULONGLONG now = GetTickCount64();
    ULONG flags = job->notify_flags;

    if ((flags & BG_NOTIFY_DISABLE) || !(flags & notify_flag(event))) return;
    InitOnceExecuteOnce(&notify_once, notify_init, NULL, NULL);
    EnterCriticalSection(&notify.cs);
    if (notify.stopping) goto done;
    /* Ranges held back by the rate limit go out before the job's JobTransferred (our choice;
     * BITS sends every FileTransferred before JobTransferred):
     * they are ahead of it in the queue, due now. */
    if (event == NOTIFY_JOB_TRANSFERRED)
        LIST_FOR_EACH_ENTRY(pending, &notify.queue, struct notification, entry)
            if (pending->job == job && pending->event == NOTIFY_FILE_RANGES_TRANSFERRED) pending->due = now;
    if (event == NOTIFY_JOB_MODIFICATION)
        LIST_FOR_EACH_ENTRY(pending, &notify.queue, struct notification, entry)
            if (pending->job == job && pending->event == NOTIFY_JOB_MODIFICATION) goto done;
    if (!(n = heap_alloc_zero(sizeof(*n)))) goto done;
    n->job = job;
    IBackgroundCopyJob_AddRef(job_iface(job));
    if ((n->file = file)) IBackgroundCopyFile_AddRef(file_iface(file));
    n->event = event;
    n->due = now;
    if (event == NOTIFY_JOB_MODIFICATION && job->last_modification
        && job->last_modification + job->notify_interval_ms > now)
        n->due = job->last_modification + job->notify_interval_ms;
    list_add_tail(&notify.queue, &n->entry);
    wake_thread();
done:
    LeaveCriticalSection(&notify.cs);
}

/* Callback3::FileRangesTransferred; any lock may be held. Like JobModification it
 * comes no sooner than MINIMUM_NOTIFICATION_INTERVAL_MS after the job's last one:
 * the ranges of a file completed meanwhile join its pending event, one callback for all. */
void notify_post_ranges(struct bits_job *job, struct bits_file *file, const BG_FILE_RANGE *ranges, DWORD count)
{
    struct notification *n = NULL, *pending;
    ULONGLONG now = GetTickCount64();
    DWORD i;

    InitOnceExecuteOnce(&notify_once, notify_init, NULL, NULL);
    EnterCriticalSection(&notify.cs);
    if (notify.stopping) goto done;
    LIST_FOR_EACH_ENTRY(pending, &notify.queue, struct notification, entry)
        if (pending->job == job && pending->file == file && pending->event == NOTIFY_FILE_RANGES_TRANSFERRED)
        {
            n = pending;
            break;
        }
    if (!n)
    {
        if (!(n = heap_alloc_zero(sizeof(*n)))) goto done;
        n->job = job;
        IBackgroundCopyJob_AddRef(job_iface(job));
        n->file = file;
        IBackgroundCopyFile_AddRef(file_iface(file));
        n->event = NOTIFY_FILE_RANGES_TRANSFERRED;
        n->due = now;
        if (job->last_ranges && job->last_ranges + job->notify_interval_ms > now)
            n->due = job->last_ranges + job->notify_interval_ms;
        list_add_tail(&notify.queue, &n->entry);
    }
    for (i = 0; i < count; i++)
        if (!ranges_add(&n->ranges, &n->range_count, ranges[i].InitialOffset, ranges[i].Length))
            ERR("out of memory\n");
    wake_thread();
done:
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
    /* The thread delivers what is due, then ends. A client that does not answer must not hold
     * the service up for ever, so the wait has a limit; but then the thread is still in a
     * client's call and is abandoned rather than taken as ended: it owns the notification it
     * delivers (with its references to the job and file), and once the call returns it sees
     * the new generation and ends without touching the queue again, which is emptied below
     * and may by then be a restarted run's. Its code must stay mapped until then, whatever
     * svchost does with the DLL after the stop: the module is pinned. */
    if (thread && WaitForSingleObject(thread, 5000) == WAIT_TIMEOUT)
    {
        HMODULE module;

        WARN("notification thread still in a client's call: abandoned\n");
        GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_PIN,
                           (const WCHAR *)notify_thread, &module);
        EnterCriticalSection(&notify.cs);
        notify.generation++;
        LeaveCriticalSection(&notify.cs);
    }
    if (thread) CloseHandle(thread);
    EnterCriticalSection(&notify.cs);
    LIST_FOR_EACH_ENTRY_SAFE(n, next, &notify.queue, struct notification, entry)
    {
        list_remove(&n->entry);
        notification_free(n);
    }
    LeaveCriticalSection(&notify.cs);
}

/*
 * replay_test.h: what the replays of real BITS clients (replay_*.c) share: a callback object
 * that answers only the interfaces a given client answers and hands every event to the
 * replay, waits that pump an STA's messages the way those clients do, numbers that keep the
 * runs of one prefix apart, and counting a display name in the queue (counts are always
 * taken relative to the start of the test: the queue need not be empty).
 * Include after wine/test.h, bits_test.h and transfer_test.h.
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

#ifndef __REPLAY_TEST_H
#define __REPLAY_TEST_H

/* A number of its own for each run, so that names, URLs and fault counters of one run never
 * meet those of another run in the same prefix or on the same servers. */
static inline unsigned int replay_unique(void)
{
    static unsigned int base, count;

    if (!base) base = (GetCurrentProcessId() << 12) ^ GetTickCount();
    return base + ++count;
}

/* How many jobs of the queue carry this display name (all users' jobs when the caller may
 * see them; the replays only compare counts they took themselves). */
static inline ULONG count_jobs_named(IBackgroundCopyManager *mgr, const WCHAR *name)
{
    IEnumBackgroundCopyJobs *jobs;
    IBackgroundCopyJob *job;
    ULONG total = 0, i, found = 0;
    WCHAR *display;

    if (FAILED(IBackgroundCopyManager_EnumJobs(mgr, 0, &jobs))) return ~0u;
    IEnumBackgroundCopyJobs_GetCount(jobs, &total);
    for (i = 0; i < total; i++)
    {
        if (IEnumBackgroundCopyJobs_Next(jobs, 1, &job, NULL) != S_OK) break;
        if (SUCCEEDED(IBackgroundCopyJob_GetDisplayName(job, &display)))
        {
            if (!lstrcmpW(display, name)) found++;
            CoTaskMemFree(display);
        }
        IBackgroundCopyJob_Release(job);
    }
    IEnumBackgroundCopyJobs_Release(jobs);
    return found;
}

/* Dispatch the thread's messages (an STA receives the service's calls this way) until the
 * event is set or the time is up. */
static inline BOOL pump_until_event(HANDLE event, DWORD timeout)
{
    DWORD start = GetTickCount(), ret;
    MSG msg;

    for (;;)
    {
        DWORD spent = GetTickCount() - start;

        if (spent >= timeout) return WaitForSingleObject(event, 0) == WAIT_OBJECT_0;
        ret = MsgWaitForMultipleObjects(1, &event, FALSE, timeout - spent, QS_ALLINPUT);
        if (ret == WAIT_OBJECT_0) return TRUE;
        if (ret != WAIT_OBJECT_0 + 1) return FALSE;
        while (PeekMessageW(&msg, NULL, 0, 0, PM_REMOVE)) DispatchMessageW(&msg);
    }
}

/* The samples' main loop: PeekMessage and DispatchMessage until a WM_QUIT arrives (posted by
 * their callback) or the time limit passes. TRUE when the WM_QUIT came. */
static inline BOOL pump_until_quit(DWORD timeout)
{
    DWORD start = GetTickCount();
    MSG msg;

    while (GetTickCount() - start < timeout)
    {
        while (PeekMessageW(&msg, NULL, 0, 0, PM_REMOVE))
        {
            if (msg.message == WM_QUIT) return TRUE;
            DispatchMessageW(&msg);
        }
        MsgWaitForMultipleObjects(0, NULL, FALSE, 50, QS_ALLINPUT);
    }
    return FALSE;
}

/* A client's callback object. Like the real clients it answers IUnknown and
 * IBackgroundCopyCallback only, unless v2 is set (then also IBackgroundCopyCallback2, for
 * FileTransferred). Each event goes to the replay's handler; counts are kept. */
struct replay_callback
{
    IBackgroundCopyCallback2 IBackgroundCopyCallback2_iface;
    LONG refs;
    BOOL v2;
    void *context;
    HRESULT (*transferred)(struct replay_callback *cb, IBackgroundCopyJob *job);
    HRESULT (*error)(struct replay_callback *cb, IBackgroundCopyJob *job, IBackgroundCopyError *error);
    HRESULT (*modification)(struct replay_callback *cb, IBackgroundCopyJob *job);
    HRESULT (*file_transferred)(struct replay_callback *cb, IBackgroundCopyJob *job, IBackgroundCopyFile *file);
    LONG transferred_calls, error_calls, modification_calls, file_calls;
    DWORD thread_of_last_call;
};

static inline struct replay_callback *impl_from_IBackgroundCopyCallback2(IBackgroundCopyCallback2 *iface)
{
    return CONTAINING_RECORD(iface, struct replay_callback, IBackgroundCopyCallback2_iface);
}

static HRESULT WINAPI replay_callback_QueryInterface(IBackgroundCopyCallback2 *iface, REFIID riid, void **out)
{
    struct replay_callback *cb = impl_from_IBackgroundCopyCallback2(iface);

    if (IsEqualGUID(riid, &IID_IUnknown) || IsEqualGUID(riid, &IID_IBackgroundCopyCallback)
        || (cb->v2 && IsEqualGUID(riid, &IID_IBackgroundCopyCallback2)))
    {
        *out = iface;
        IBackgroundCopyCallback2_AddRef(iface);
        return S_OK;
    }
    *out = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI replay_callback_AddRef(IBackgroundCopyCallback2 *iface)
{
    return InterlockedIncrement(&impl_from_IBackgroundCopyCallback2(iface)->refs);
}

/* The object lives in the replay's stack or statics: the last Release frees nothing. */
static ULONG WINAPI replay_callback_Release(IBackgroundCopyCallback2 *iface)
{
    return InterlockedDecrement(&impl_from_IBackgroundCopyCallback2(iface)->refs);
}

static HRESULT WINAPI replay_callback_JobTransferred(IBackgroundCopyCallback2 *iface, IBackgroundCopyJob *job)
{
    struct replay_callback *cb = impl_from_IBackgroundCopyCallback2(iface);

    InterlockedIncrement(&cb->transferred_calls);
    cb->thread_of_last_call = GetCurrentThreadId();
    return cb->transferred ? cb->transferred(cb, job) : S_OK;
}

static HRESULT WINAPI replay_callback_JobError(IBackgroundCopyCallback2 *iface, IBackgroundCopyJob *job,
                                               IBackgroundCopyError *error)
{
    struct replay_callback *cb = impl_from_IBackgroundCopyCallback2(iface);

    InterlockedIncrement(&cb->error_calls);
    cb->thread_of_last_call = GetCurrentThreadId();
    return cb->error ? cb->error(cb, job, error) : S_OK;
}

static HRESULT WINAPI replay_callback_JobModification(IBackgroundCopyCallback2 *iface, IBackgroundCopyJob *job,
                                                      DWORD reserved)
{
    struct replay_callback *cb = impl_from_IBackgroundCopyCallback2(iface);

    InterlockedIncrement(&cb->modification_calls);
    return cb->modification ? cb->modification(cb, job) : S_OK;
}

static HRESULT WINAPI replay_callback_FileTransferred(IBackgroundCopyCallback2 *iface, IBackgroundCopyJob *job,
                                                      IBackgroundCopyFile *file)
{
    struct replay_callback *cb = impl_from_IBackgroundCopyCallback2(iface);

    InterlockedIncrement(&cb->file_calls);
    return cb->file_transferred ? cb->file_transferred(cb, job, file) : S_OK;
}

static const IBackgroundCopyCallback2Vtbl replay_callback_vtbl =
{
    replay_callback_QueryInterface,
    replay_callback_AddRef,
    replay_callback_Release,
    replay_callback_JobTransferred,
    replay_callback_JobError,
    replay_callback_JobModification,
    replay_callback_FileTransferred,
};

static inline void replay_callback_init(struct replay_callback *cb, void *context)
{
    memset(cb, 0, sizeof(*cb));
    cb->IBackgroundCopyCallback2_iface.lpVtbl = &replay_callback_vtbl;
    cb->refs = 1;
    cb->context = context;
}

static inline IUnknown *replay_callback_unknown(struct replay_callback *cb)
{
    return (IUnknown *)&cb->IBackgroundCopyCallback2_iface;
}

/* A server port where nothing listens: bound, never listened on, closed at the end of the run.
 * A connection to it is refused, as with a server that is gone. */
static inline unsigned short dead_port(void)
{
    static unsigned short port;
    static SOCKET keep = INVALID_SOCKET;
    struct sockaddr_in addr;
    int len = sizeof(addr);
    WSADATA wsa;

    if (port) return port;
    WSAStartup(MAKEWORD(2, 2), &wsa);
    keep = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (keep != INVALID_SOCKET && !bind(keep, (struct sockaddr *)&addr, sizeof(addr))
        && !getsockname(keep, (struct sockaddr *)&addr, &len))
        port = ntohs(addr.sin_port);
    return port;
}

#endif /* __REPLAY_TEST_H */

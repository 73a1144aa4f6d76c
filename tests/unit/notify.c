/*
 * In-process unit test of the notification thread's stop (dlls/qmgr/notify.c): a stop that
 * gives up waiting for a client that does not answer abandons the delivery thread, which ends
 * as soon as the client's call returns, also when the service has started again meanwhile, so
 * that the new run has one delivery thread and not two.
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
#include "wine/test.h"

static IBackgroundCopyManager *manager;

/* A client's callback whose JobModification blocks while 'block' is set. */
static struct
{
    IBackgroundCopyCallback IBackgroundCopyCallback_iface;
    LONG block;
    HANDLE entered;                    /* auto-reset: a call began */
    HANDLE release;                    /* manual-reset: a blocked call returns */
    HANDLE delivered;                  /* auto-reset: a call returned */
    DWORD thread;                      /* of the last call */
} cb;

static HRESULT WINAPI cb_QueryInterface(IBackgroundCopyCallback *iface, REFIID riid, void **out)
{
    if (IsEqualGUID(riid, &IID_IUnknown) || IsEqualGUID(riid, &IID_IBackgroundCopyCallback))
    {
        *out = iface;
        return S_OK;
    }
    *out = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI cb_AddRef(IBackgroundCopyCallback *iface)
{
    return 2;
}

static ULONG WINAPI cb_Release(IBackgroundCopyCallback *iface)
{
    return 1;
}

static HRESULT WINAPI cb_JobTransferred(IBackgroundCopyCallback *iface, IBackgroundCopyJob *job)
{
    return S_OK;
}

static HRESULT WINAPI cb_JobError(IBackgroundCopyCallback *iface, IBackgroundCopyJob *job, IBackgroundCopyError *error)
{
    return S_OK;
}

static HRESULT WINAPI cb_JobModification(IBackgroundCopyCallback *iface, IBackgroundCopyJob *job, DWORD reserved)
{
    cb.thread = GetCurrentThreadId();
    SetEvent(cb.entered);
    if (InterlockedCompareExchange(&cb.block, 0, 0)) WaitForSingleObject(cb.release, INFINITE);
    SetEvent(cb.delivered);
    return S_OK;
}

static const IBackgroundCopyCallbackVtbl cb_vtbl =
{
    cb_QueryInterface,
    cb_AddRef,
    cb_Release,
    cb_JobTransferred,
    cb_JobError,
    cb_JobModification,
};

static struct bits_job *make_job(const WCHAR *name, IBackgroundCopyJob **job)
{
    HRESULT hr;
    GUID id;

    hr = IBackgroundCopyManager_CreateJob(manager, name, BG_JOB_TYPE_DOWNLOAD, &id, job);
    ok(hr == S_OK, "CreateJob got %#lx\n", hr);
    if (hr != S_OK) return NULL;
    hr = IBackgroundCopyJob_SetNotifyFlags(*job, BG_NOTIFY_JOB_MODIFICATION);
    ok(hr == S_OK, "SetNotifyFlags got %#lx\n", hr);
    hr = IBackgroundCopyJob_SetNotifyInterface(*job, (IUnknown *)&cb.IBackgroundCopyCallback_iface);
    ok(hr == S_OK, "SetNotifyInterface got %#lx\n", hr);
    return CONTAINING_RECORD((IBackgroundCopyJob5 *)*job, struct bits_job, IBackgroundCopyJob5_iface);
}

static void drop_job(IBackgroundCopyJob *job)
{
    IBackgroundCopyJob_Cancel(job);
    IBackgroundCopyJob_Release(job);
}

static void test_abandoned_thread(void)
{
    IBackgroundCopyJob *job1, *job2;
    struct bits_job *impl1, *impl2;
    HANDLE old_thread;
    DWORD old_id, ret;
    unsigned int i, from_old = 0;

    cb.IBackgroundCopyCallback_iface.lpVtbl = &cb_vtbl;
    cb.entered = CreateEventW(NULL, FALSE, FALSE, NULL);
    cb.release = CreateEventW(NULL, TRUE, FALSE, NULL);
    cb.delivered = CreateEventW(NULL, FALSE, FALSE, NULL);

    notify_start();
    if (!(impl1 = make_job(L"blocked client", &job1))) return;
    cb.block = 1;
    notify_post(impl1, NOTIFY_JOB_MODIFICATION, NULL);
    ok(!WaitForSingleObject(cb.entered, 5000), "the callback was not called\n");
    old_id = cb.thread;
    old_thread = OpenThread(SYNCHRONIZE, FALSE, old_id);
    ok(old_thread != NULL, "cannot open the delivery thread: %lu\n", GetLastError());

    /* The stop gives up on the client, and the service starts again in the same process. */
    notify_shutdown();
    notify_start();
    InterlockedExchange(&cb.block, 0);
    SetEvent(cb.release);
    ok(!WaitForSingleObject(cb.delivered, 5000), "the blocked call did not return\n");

    ret = WaitForSingleObject(old_thread, 3000);
    ok(ret == WAIT_OBJECT_0, "the abandoned delivery thread still runs: %#lx\n", ret);

    /* The new run delivers on its own thread only. */
    if (!(impl2 = make_job(L"new run", &job2))) goto done;
    for (i = 0; i < 10; i++)
    {
        notify_post(impl2, NOTIFY_JOB_MODIFICATION, NULL);
        ok(!WaitForSingleObject(cb.delivered, 5000), "notification %u not delivered\n", i);
        if (cb.thread == old_id) from_old++;
        impl2->last_modification = 0;           /* the next one is due at once */
    }
    ok(!from_old, "%u of 10 notifications came from the abandoned thread\n", from_old);
    drop_job(job2);
done:
    drop_job(job1);
    CloseHandle(old_thread);
}

START_TEST(notify)
{
    HRESULT hr;

    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    hr = manager_get_object(&IID_IBackgroundCopyManager, (void **)&manager);
    ok(hr == S_OK, "got %#lx\n", hr);
    test_abandoned_thread();
    notify_shutdown();
    CoUninitialize();
}

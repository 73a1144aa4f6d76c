/*
 * lifetime.c: JobInactivityTimeout, the Group Policy in days. A job without activity (a change made
 * by a client, or bytes transferred) for the policy's number of days is cancelled, which
 * deletes its temp files; jobs stuck in ERROR or TRANSIENT_ERROR go the same way.
 * Owns: the scavenger thread, its waitable timer, its wake event and the policy key watch.
 *
 * The thread sleeps on a waitable timer set to the earliest deadline of any job, or one full
 * timeout ahead when there is none (a job created later expires later still): no polling. It
 * also wakes when the policy key changes and when lifetime_wake() is called. Its first pass
 * runs at service start, so jobs loaded from the store that expired meanwhile go at once.
 * Deadlines are wall-clock times from get_system_filetime(), because activity times are
 * persisted and outlive restarts; the test-only build can shift that clock.
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

BITS_DEFAULT_DEBUG_CHANNEL(qmgr);

#define TICKS_PER_DAY  864000000000ull    /* FILETIME units (100 ns) */
#define POLICY_KEY     L"Software\\Policies\\Microsoft\\Windows\\BITS"

static struct
{
    CRITICAL_SECTION cs;               /* protects thread, stopping */
    HANDLE thread;
    HANDLE wake;                       /* auto-reset */
    HANDLE timer;                      /* the next deadline */
    HANDLE policy_changed;             /* auto-reset, signalled by RegNotifyChangeKeyValue */
    BOOL stopping;
} life;

static INIT_ONCE life_once = INIT_ONCE_STATIC_INIT;

static BOOL CALLBACK life_init(INIT_ONCE *once, void *param, void **context)
{
    BITS_CS_INIT(&life.cs, "life.cs");
    life.wake = CreateEventW(NULL, FALSE, FALSE, NULL);
    life.policy_changed = CreateEventW(NULL, FALSE, FALSE, NULL);
    life.timer = CreateWaitableTimerW(NULL, FALSE, NULL);
    return TRUE;
}

static ULONGLONG filetime_u64(const FILETIME *ft)
{
    return ((ULONGLONG)ft->dwHighDateTime << 32) | ft->dwLowDateTime;
}

/* One pass: cancel the expired jobs; returns the time until the next deadline (100 ns). */
static ULONGLONG scavenge(void)
{
    struct bits_job **expired, *job;
    ULONGLONG now, timeout, next, last;
    DWORD days = policy_job_inactivity_days();
    unsigned int count = 0, i;
    FILETIME ft;

    timeout = days * TICKS_PER_DAY;
    next = timeout;
    get_system_filetime(&ft);
    now = filetime_u64(&ft);

    EnterCriticalSection(&bits_manager.cs);
    expired = heap_alloc_zero((list_count(&bits_manager.jobs) + 1) * sizeof(*expired));
    LIST_FOR_EACH_ENTRY(job, &bits_manager.jobs, struct bits_job, entry)
    {
        EnterCriticalSection(&job->cs);
        if (!job_is_final(job))
        {
            last = filetime_u64(&job->activity_time);
            if (now >= last && now - last >= timeout)
            {
                if (expired)
                {
                    IBackgroundCopyJob_AddRef(job_iface(job));
                    expired[count++] = job;
                }
            }
            else if (last + timeout - now < next) next = last + timeout - now;
        }
        LeaveCriticalSection(&job->cs);
    }
    LeaveCriticalSection(&bits_manager.cs);
    if (!expired) return TICKS_PER_DAY / 24;   /* out of memory: try again in an hour */

    /* Cancel as a client would: the worker stops, temp files go, the store is written. */
    for (i = 0; i < count; i++)
    {
        HRESULT hr;

        WARN("job %s had no activity for %lu days: cancelled\n", debugstr_guid(&expired[i]->id), days);
        hr = IBackgroundCopyJob_Cancel(job_iface(expired[i]));
        if (hr != S_OK) WARN("cancelling job %s: %#lx\n", debugstr_guid(&expired[i]->id), hr);
        IBackgroundCopyJob_Release(job_iface(expired[i]));
    }
    heap_free(expired);
    return next;
}

/* Watch the policy key for the next change; it is created (empty) when missing. */
static HKEY watch_policy(HKEY key)
{
    if (!key && RegCreateKeyExW(HKEY_LOCAL_MACHINE, POLICY_KEY, 0, NULL, 0, KEY_NOTIFY, NULL, &key, NULL))
    {
        WARN("cannot watch the policy key; policy changes apply at the next deadline\n");
        return NULL;
    }
    if (RegNotifyChangeKeyValue(key, FALSE, REG_NOTIFY_CHANGE_LAST_SET, life.policy_changed, TRUE))
    {
        RegCloseKey(key);
        return NULL;
    }
    return key;
}

static DWORD WINAPI scavenger_thread(void *arg)
{
    HANDLE handles[3] = { life.wake, life.timer, life.policy_changed };
    IUnknown *unk;
    HKEY key = NULL;
    DWORD ret = WAIT_OBJECT_0 + 2;

    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    manager_get_object(&IID_IUnknown, (void **)&unk);   /* the manager lock is initialized */
    for (;;)
    {
        LARGE_INTEGER due;
        ULONGLONG delay;
        BOOL stopping;

        EnterCriticalSection(&life.cs);
        stopping = life.stopping;
        LeaveCriticalSection(&life.cs);
        if (stopping) break;
        if (ret == WAIT_OBJECT_0 + 2) key = watch_policy(key);
        delay = scavenge();
        TRACE("next inactivity deadline in %lu s\n", (unsigned long)(delay / 10000000));
        due.QuadPart = -(LONGLONG)max(delay, 1);         /* relative: a clock change does not fire it */
        if (!SetWaitableTimer(life.timer, &due, 0, NULL, NULL, FALSE))
            ERR("SetWaitableTimer failed: %lu\n", GetLastError());
        ret = WaitForMultipleObjects(key ? 3 : 2, handles, FALSE, INFINITE);
    }
    CancelWaitableTimer(life.timer);
    if (key) RegCloseKey(key);
    CoUninitialize();
    return 0;
}

void lifetime_wake(void)
{
    InitOnceExecuteOnce(&life_once, life_init, NULL, NULL);
    SetEvent(life.wake);
}

/* Service start, after the store is loaded; also again in the same svchost after a stop. */
void lifetime_start(void)
{
    InitOnceExecuteOnce(&life_once, life_init, NULL, NULL);
    EnterCriticalSection(&life.cs);
    life.stopping = FALSE;
    if (!life.thread && !(life.thread = CreateThread(NULL, 0, scavenger_thread, NULL, 0, NULL)))
        ERR("cannot start the scavenger: %lu\n", GetLastError());
    LeaveCriticalSection(&life.cs);
}

void lifetime_shutdown(void)
{
    HANDLE thread;

    InitOnceExecuteOnce(&life_once, life_init, NULL, NULL);
    EnterCriticalSection(&life.cs);
    life.stopping = TRUE;
    thread = life.thread;
    life.thread = NULL;
    SetEvent(life.wake);
    LeaveCriticalSection(&life.cs);
    if (thread)
    {
        /* No time limit: the scavenger only waits on its own events, and a pass is bounded: an
         * expired job is cancelled like a client would cancel it, which waits only for a worker
         * that stops at once. Going on while it still ran would let a restart in this svchost
         * start a second scavenger next to it (the restart clears stopping, so it would never
         * end) and let it cancel jobs after the store's last save. */
        WaitForSingleObject(thread, INFINITE);
        CloseHandle(thread);
    }
}

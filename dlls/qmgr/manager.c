/*
 * manager.c: IBackgroundCopyManager and its class factory.
 * Owns: the job list. bits_manager.cs (the manager lock) protects it; job locks may be
 * taken while it is held, never the other way round.
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

static inline struct bits_manager *impl_from_IBackgroundCopyManager(IBackgroundCopyManager *iface)
{
    return CONTAINING_RECORD(iface, struct bits_manager, IBackgroundCopyManager_iface);
}

static HRESULT WINAPI manager_QueryInterface(IBackgroundCopyManager *iface, REFIID riid, void **obj)
{
    TRACE("(%s %p)\n", debugstr_guid(riid), obj);

    if (!obj) return E_POINTER;
    if (IsEqualGUID(riid, &IID_IUnknown) || IsEqualGUID(riid, &IID_IBackgroundCopyManager))
    {
        *obj = iface;
        return S_OK;
    }
    *obj = NULL;
    return E_NOINTERFACE;
}

/* The manager lives as long as the service: no reference counting. */
static ULONG WINAPI manager_AddRef(IBackgroundCopyManager *iface)
{
    return 2;
}

static ULONG WINAPI manager_Release(IBackgroundCopyManager *iface)
{
    return 1;
}

/* Count the live jobs for the quota checks; the caller holds the manager lock. */
static void manager_count_jobs(struct bits_manager *manager, PSID sid, DWORD *machine, DWORD *user)
{
    struct bits_job *job;

    *machine = *user = 0;
    LIST_FOR_EACH_ENTRY(job, &manager->jobs, struct bits_job, entry)
    {
        if (!job_counts_for_quota(job)) continue;   /* final and service-owned jobs do not count */
        (*machine)++;
        if (sid_equal(job->owner.sid, sid)) (*user)++;
    }
}

static HRESULT WINAPI manager_CreateJob(IBackgroundCopyManager *iface, LPCWSTR name, BG_JOB_TYPE type,
                                        GUID *id, IBackgroundCopyJob **out)
{
    struct bits_manager *manager = impl_from_IBackgroundCopyManager(iface);
    struct bits_caller caller;
    struct bits_job *job;
    DWORD max_machine, max_user, machine, user;
    HRESULT hr;

    TRACE("(%s %d %p %p)\n", debugstr_w(name), type, id, out);

    if (out) *out = NULL;
    if (!name || lstrlenW(name) > MAX_DISPLAY_NAME) return E_INVALIDARG;
    if (type != BG_JOB_TYPE_DOWNLOAD && type != BG_JOB_TYPE_UPLOAD && type != BG_JOB_TYPE_UPLOAD_REPLY)
        return E_INVALIDARG;
    if (!id || !out) return E_INVALIDARG;

    if (FAILED(hr = caller_identify(&caller))) return hr;
    /* Policy is read at every call: a change applies without a restart. */
    max_machine = policy_max_jobs_per_machine();
    max_user = policy_max_jobs_per_user();
    if (FAILED(hr = job_create(name, type, &caller, &job)))
    {
        caller_free(&caller);
        return hr;
    }
    job_keep_owner_token(job);

    /* The quota check and the insertion are one step under the manager lock. Service accounts
     * are exempt from both limits and their jobs are not counted, as BITS documents. Administrators are
     * exempt from the per-user limit only. That is our choice: the ADMX text exempts them from the
     * machine limit too, but MaxJobsPerMachine must bind every other caller, and under
     * Wine every caller is an administrator, so an exemption would leave the limit unreachable;
     * their jobs count toward the machine limit. When both limits are reached, the machine
     * limit is reported. Tested by tests/manager.c and unit/manager.c. */
    EnterCriticalSection(&manager->cs);
    manager_count_jobs(manager, caller.sid, &machine, &user);
    if (!caller.service && machine >= max_machine)
        hr = BG_E_TOO_MANY_JOBS_PER_MACHINE;
    else if (!caller.service && !caller.admin && user >= max_user)
        hr = BG_E_TOO_MANY_JOBS_PER_USER;
    else
    {
        list_add_tail(&manager->jobs, &job->entry);     /* the list holds the creation reference */
        IBackgroundCopyJob_AddRef(job_iface(job));
    }
    LeaveCriticalSection(&manager->cs);
    caller_free(&caller);

    if (FAILED(hr))
    {
        TRACE("quota: machine %lu/%lu user %lu/%lu -> %#lx\n", machine, max_machine, user, max_user, hr);
        IBackgroundCopyJob_Release(job_iface(job));
        return hr;
    }
    store_changed(TRUE);
    analytic_job_created(job);
    *id = job->id;
    *out = job_iface(job);
    return S_OK;
}

/* Jobs are visible to their owner and to administrators. */
static BOOL caller_may_access(const struct bits_caller *caller, struct bits_job *job)
{
    return caller->admin || sid_equal(caller->sid, job->owner.sid);
}

static HRESULT WINAPI manager_GetJob(IBackgroundCopyManager *iface, REFGUID id, IBackgroundCopyJob **out)
{
    struct bits_manager *manager = impl_from_IBackgroundCopyManager(iface);
    struct bits_caller caller;
    struct bits_job *job;
    HRESULT hr = BG_E_NOT_FOUND;

    TRACE("(%s %p)\n", debugstr_guid(id), out);

    if (!out) return E_INVALIDARG;
    *out = NULL;
    if (!id) return E_INVALIDARG;
    if (FAILED(hr = caller_identify(&caller))) return hr;
    hr = BG_E_NOT_FOUND;

    EnterCriticalSection(&manager->cs);
    LIST_FOR_EACH_ENTRY(job, &manager->jobs, struct bits_job, entry)
    {
        if (!IsEqualGUID(&job->id, id)) continue;
        EnterCriticalSection(&job->cs);
        if (job_is_final(job)) hr = BG_E_NOT_FOUND;     /* final jobs leave at once */
        else if (!caller_may_access(&caller, job)) hr = E_ACCESSDENIED;
        else
        {
            *out = job_iface(job);
            IBackgroundCopyJob_AddRef(*out);
            hr = S_OK;
        }
        LeaveCriticalSection(&job->cs);
        break;
    }
    LeaveCriticalSection(&manager->cs);
    caller_free(&caller);
    return hr;
}

static HRESULT WINAPI manager_EnumJobs(IBackgroundCopyManager *iface, DWORD flags, IEnumBackgroundCopyJobs **out)
{
    struct bits_manager *manager = impl_from_IBackgroundCopyManager(iface);
    struct bits_job **jobs, *job;
    struct bits_caller caller;
    ULONG count = 0;
    HRESULT hr;

    TRACE("(%#lx %p)\n", flags, out);

    if (!out) return E_INVALIDARG;
    *out = NULL;
    if (flags & ~BG_JOB_ENUM_ALL_USERS) return E_INVALIDARG;
    if (FAILED(hr = caller_identify(&caller))) return hr;
    if ((flags & BG_JOB_ENUM_ALL_USERS) && !caller.admin)
    {
        caller_free(&caller);
        return E_ACCESSDENIED;
    }

    EnterCriticalSection(&manager->cs);
    if (!(jobs = heap_alloc_zero((list_count(&manager->jobs) + 1) * sizeof(*jobs))))
        hr = E_OUTOFMEMORY;
    else
    {
        LIST_FOR_EACH_ENTRY(job, &manager->jobs, struct bits_job, entry)
        {
            BOOL listed;
            EnterCriticalSection(&job->cs);
            listed = !job_is_final(job)
                     && ((flags & BG_JOB_ENUM_ALL_USERS) || sid_equal(caller.sid, job->owner.sid));
            LeaveCriticalSection(&job->cs);
            if (listed) jobs[count++] = job;
        }
        hr = enum_jobs_create(jobs, count, out);      /* a snapshot with its own references */
        heap_free(jobs);
    }
    LeaveCriticalSection(&manager->cs);
    caller_free(&caller);
    return hr;
}

static HRESULT WINAPI manager_GetErrorDescription(IBackgroundCopyManager *iface, HRESULT code, DWORD langid,
                                                  LPWSTR *text)
{
    TRACE("(%#lx %#lx %p)\n", code, langid, text);

    if (!text) return E_INVALIDARG;
    return errtext_describe(code, langid, text);
}

static const IBackgroundCopyManagerVtbl manager_vtbl =
{
    manager_QueryInterface,
    manager_AddRef,
    manager_Release,
    manager_CreateJob,
    manager_GetJob,
    manager_EnumJobs,
    manager_GetErrorDescription,
};

struct bits_manager bits_manager =
{
    .IBackgroundCopyManager_iface = { &manager_vtbl },
};

static BOOL CALLBACK manager_init(INIT_ONCE *once, void *param, void **context)
{
    BITS_CS_INIT(&bits_manager.cs, "manager.cs");
    list_init(&bits_manager.jobs);
    return TRUE;
}

/* A job reached a final state: it leaves the list (and the list's reference goes). */
void manager_remove_job(struct bits_job *job)
{
    BOOL removed = FALSE;

    EnterCriticalSection(&bits_manager.cs);
    if (!list_empty(&job->entry))
    {
        list_remove(&job->entry);
        removed = TRUE;
    }
    LeaveCriticalSection(&bits_manager.cs);
    if (removed) IBackgroundCopyJob_Release(job_iface(job));
    /* It may have been the last job with work: a pass decides whether the session stays up. */
    if (removed && keeper_holding(KEEP_JOBS)) scheduler_wake();
}

HRESULT manager_get_object(REFIID riid, void **obj)
{
    static INIT_ONCE once = INIT_ONCE_STATIC_INIT;

    InitOnceExecuteOnce(&once, manager_init, NULL, NULL);
    return manager_QueryInterface(&bits_manager.IBackgroundCopyManager_iface, riid, obj);
}

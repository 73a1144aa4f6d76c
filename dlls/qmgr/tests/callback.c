/*
 * Conformance tests for calls from the service back into a client's callback object
 * (IBackgroundCopyCallback..3 through the proxy).
 */

#include <windows.h>
#include "bitsall.h"
#include "wine/test.h"

struct callback
{
    IBackgroundCopyCallback3 IBackgroundCopyCallback3_iface;
    LONG refs;
    HANDLE modified;
    LONG modifications;
    GUID job_id;                       /* of the last JobModification */
};

static inline struct callback *impl_from_IBackgroundCopyCallback3(IBackgroundCopyCallback3 *iface)
{
    return CONTAINING_RECORD(iface, struct callback, IBackgroundCopyCallback3_iface);
}

static HRESULT WINAPI callback_QueryInterface(IBackgroundCopyCallback3 *iface, REFIID riid, void **obj)
{
    if (IsEqualGUID(riid, &IID_IUnknown) || IsEqualGUID(riid, &IID_IBackgroundCopyCallback)
        || IsEqualGUID(riid, &IID_IBackgroundCopyCallback2) || IsEqualGUID(riid, &IID_IBackgroundCopyCallback3))
    {
        *obj = iface;
        IBackgroundCopyCallback3_AddRef(iface);
        return S_OK;
    }
    *obj = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI callback_AddRef(IBackgroundCopyCallback3 *iface)
{
    return InterlockedIncrement(&impl_from_IBackgroundCopyCallback3(iface)->refs);
}

static ULONG WINAPI callback_Release(IBackgroundCopyCallback3 *iface)
{
    return InterlockedDecrement(&impl_from_IBackgroundCopyCallback3(iface)->refs);
}

static HRESULT WINAPI callback_JobTransferred(IBackgroundCopyCallback3 *iface, IBackgroundCopyJob *job)
{
    return S_OK;
}

static HRESULT WINAPI callback_JobError(IBackgroundCopyCallback3 *iface, IBackgroundCopyJob *job,
                                        IBackgroundCopyError *error)
{
    return S_OK;
}

static HRESULT WINAPI callback_JobModification(IBackgroundCopyCallback3 *iface, IBackgroundCopyJob *job, DWORD reserved)
{
    struct callback *cb = impl_from_IBackgroundCopyCallback3(iface);
    GUID id;

    /* The job pointer is a live proxy into the service. */
    if (SUCCEEDED(IBackgroundCopyJob_GetId(job, &id))) cb->job_id = id;
    InterlockedIncrement(&cb->modifications);
    SetEvent(cb->modified);
    return S_OK;
}

static HRESULT WINAPI callback_FileTransferred(IBackgroundCopyCallback3 *iface, IBackgroundCopyJob *job,
                                               IBackgroundCopyFile *file)
{
    return S_OK;
}

static HRESULT WINAPI callback_FileRangesTransferred(IBackgroundCopyCallback3 *iface, IBackgroundCopyJob *job,
                                                     IBackgroundCopyFile *file, DWORD count, const BG_FILE_RANGE *ranges)
{
    return S_OK;
}

static const IBackgroundCopyCallback3Vtbl callback_vtbl =
{
    callback_QueryInterface,
    callback_AddRef,
    callback_Release,
    callback_JobTransferred,
    callback_JobError,
    callback_JobModification,
    callback_FileTransferred,
    callback_FileRangesTransferred,
};

static void test_job_modification(IBackgroundCopyManager *manager)
{
    struct callback cb = { { &callback_vtbl }, 1 };
    IBackgroundCopyJob *job;
    IUnknown *unk;
    GUID id;
    DWORD ret;
    HRESULT hr;

    cb.modified = CreateEventW(NULL, FALSE, FALSE, NULL);
    hr = IBackgroundCopyManager_CreateJob(manager, L"callback", BG_JOB_TYPE_DOWNLOAD, &id, &job);
    ok(hr == S_OK, "CreateJob got %#lx\n", hr);
    if (hr != S_OK) return;

    hr = IBackgroundCopyJob_GetNotifyInterface(job, &unk);
    ok(hr == S_OK && !unk, "default notify interface got %#lx, %p\n", hr, unk);

    hr = IBackgroundCopyJob_SetNotifyFlags(job, BG_NOTIFY_JOB_MODIFICATION);
    ok(hr == S_OK, "SetNotifyFlags got %#lx\n", hr);
    hr = IBackgroundCopyJob_SetNotifyInterface(job, (IUnknown *)&cb.IBackgroundCopyCallback3_iface);
    ok(hr == S_OK, "SetNotifyInterface got %#lx\n", hr);
    hr = IBackgroundCopyJob_GetNotifyInterface(job, &unk);
    ok(hr == S_OK && unk, "GetNotifyInterface got %#lx, %p\n", hr, unk);
    if (unk) IUnknown_Release(unk);

    /* Drain the modification that SetNotifyInterface itself may cause. */
    WaitForSingleObject(cb.modified, 2000);
    InterlockedExchange(&cb.modifications, 0);
    memset(&cb.job_id, 0, sizeof(cb.job_id));

    hr = IBackgroundCopyJob_SetDescription(job, L"changed");
    ok(hr == S_OK, "SetDescription got %#lx\n", hr);
    ret = WaitForSingleObject(cb.modified, 10000);
    ok(ret == WAIT_OBJECT_0, "no JobModification within 10 s\n");
    ok(cb.modifications >= 1, "got %ld modifications\n", cb.modifications);
    ok(IsEqualGUID(&cb.job_id, &id), "callback saw job %s\n", wine_dbgstr_guid(&cb.job_id));

    /* BG_NOTIFY_DISABLE silences it. */
    hr = IBackgroundCopyJob_SetNotifyFlags(job, BG_NOTIFY_JOB_MODIFICATION | BG_NOTIFY_DISABLE);
    ok(hr == S_OK, "SetNotifyFlags got %#lx\n", hr);
    WaitForSingleObject(cb.modified, 1000);
    InterlockedExchange(&cb.modifications, 0);
    hr = IBackgroundCopyJob_SetDescription(job, L"changed again");
    ok(hr == S_OK, "SetDescription got %#lx\n", hr);
    ret = WaitForSingleObject(cb.modified, 1000);
    ok(ret == WAIT_TIMEOUT && !cb.modifications, "JobModification with BG_NOTIFY_DISABLE\n");

    hr = IBackgroundCopyJob_SetNotifyInterface(job, NULL);
    ok(hr == S_OK, "clearing got %#lx\n", hr);
    hr = IBackgroundCopyJob_Cancel(job);
    ok(hr == S_OK, "Cancel got %#lx\n", hr);
    IBackgroundCopyJob_Release(job);
    CloseHandle(cb.modified);
}

START_TEST(callback)
{
    IBackgroundCopyManager *manager;
    HRESULT hr;

    hr = CoInitializeEx(NULL, COINIT_MULTITHREADED);
    ok(hr == S_OK, "CoInitializeEx got %#lx\n", hr);
    hr = CoCreateInstance(&CLSID_BackgroundCopyManager, NULL, CLSCTX_LOCAL_SERVER, &IID_IBackgroundCopyManager,
                          (void **)&manager);
    ok(hr == S_OK, "CoCreateInstance got %#lx\n", hr);
    if (hr == S_OK)
    {
        test_job_modification(manager);
        IBackgroundCopyManager_Release(manager);
    }
    CoUninitialize();
}

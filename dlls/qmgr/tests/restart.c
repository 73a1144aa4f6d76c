/*
 * Conformance test of a service restart in the same svchost: a client activates the service
 * right after `net stop BITS` returns, while the stop was slow (a callback of this client held
 * the notification thread for seconds), and gets the manager at once with its job still there.
 * Before the fix the class objects were revoked first and the slow part came after: an
 * activation in that window got E_NOINTERFACE from Wine's rpcss.
 */

#include <windows.h>
#include "bitsall.h"
#include "wine/test.h"

struct callback
{
    IBackgroundCopyCallback IBackgroundCopyCallback_iface;
    LONG block;                        /* the next JobModification blocks for a while */
    HANDLE modified, entered;
};

static inline struct callback *impl_from_IBackgroundCopyCallback(IBackgroundCopyCallback *iface)
{
    return CONTAINING_RECORD(iface, struct callback, IBackgroundCopyCallback_iface);
}

static HRESULT WINAPI callback_QueryInterface(IBackgroundCopyCallback *iface, REFIID riid, void **obj)
{
    if (IsEqualGUID(riid, &IID_IUnknown) || IsEqualGUID(riid, &IID_IBackgroundCopyCallback))
    {
        *obj = iface;
        return S_OK;
    }
    *obj = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI callback_AddRef(IBackgroundCopyCallback *iface)
{
    return 2;
}

static ULONG WINAPI callback_Release(IBackgroundCopyCallback *iface)
{
    return 1;
}

static HRESULT WINAPI callback_JobTransferred(IBackgroundCopyCallback *iface, IBackgroundCopyJob *job)
{
    return S_OK;
}

static HRESULT WINAPI callback_JobError(IBackgroundCopyCallback *iface, IBackgroundCopyJob *job,
                                        IBackgroundCopyError *error)
{
    return S_OK;
}

static HRESULT WINAPI callback_JobModification(IBackgroundCopyCallback *iface, IBackgroundCopyJob *job, DWORD reserved)
{
    struct callback *cb = impl_from_IBackgroundCopyCallback(iface);

    SetEvent(cb->modified);
    if (InterlockedExchange(&cb->block, 0))
    {
        SetEvent(cb->entered);
        Sleep(3000);                   /* the service's stop waits for its notification thread */
    }
    return S_OK;
}

static const IBackgroundCopyCallbackVtbl callback_vtbl =
{
    callback_QueryInterface,
    callback_AddRef,
    callback_Release,
    callback_JobTransferred,
    callback_JobError,
    callback_JobModification,
};

static DWORD run(const WCHAR *cmdline)
{
    STARTUPINFOW si = { sizeof(si) };
    PROCESS_INFORMATION pi;
    WCHAR buf[MAX_PATH];
    DWORD code = ~0u;

    lstrcpynW(buf, cmdline, MAX_PATH);
    if (!CreateProcessW(NULL, buf, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi)) return ~0u;
    if (WaitForSingleObject(pi.hProcess, 60000) == WAIT_OBJECT_0) GetExitCodeProcess(pi.hProcess, &code);
    CloseHandle(pi.hProcess);
    CloseHandle(pi.hThread);
    return code;
}

static void test_activation_after_slow_stop(void)
{
    struct callback cb = { { &callback_vtbl } };
    IBackgroundCopyManager *manager;
    IBackgroundCopyJob *job, *found;
    DWORD ret;
    HRESULT hr;
    GUID id;

    hr = CoCreateInstance(&CLSID_BackgroundCopyManager, NULL, CLSCTX_LOCAL_SERVER, &IID_IBackgroundCopyManager,
                          (void **)&manager);
    ok(hr == S_OK, "CoCreateInstance got %#lx\n", hr);
    if (hr != S_OK) return;
    cb.modified = CreateEventW(NULL, FALSE, FALSE, NULL);
    cb.entered = CreateEventW(NULL, TRUE, FALSE, NULL);
    hr = IBackgroundCopyManager_CreateJob(manager, L"restart", BG_JOB_TYPE_DOWNLOAD, &id, &job);
    ok(hr == S_OK, "CreateJob got %#lx\n", hr);
    if (hr != S_OK) return;
    IBackgroundCopyJob_SetNotifyFlags(job, BG_NOTIFY_JOB_MODIFICATION);
    hr = IBackgroundCopyJob_SetNotifyInterface(job, (IUnknown *)&cb.IBackgroundCopyCallback_iface);
    ok(hr == S_OK, "SetNotifyInterface got %#lx\n", hr);
    WaitForSingleObject(cb.modified, 2000);     /* the modification SetNotifyInterface may cause */

    InterlockedExchange(&cb.block, 1);
    hr = IBackgroundCopyJob_SetDescription(job, L"held");
    ok(hr == S_OK, "SetDescription got %#lx\n", hr);
    ret = WaitForSingleObject(cb.entered, 10000);
    ok(ret == WAIT_OBJECT_0, "the callback was not called\n");

    /* The stop has to wait for the notification thread, which is in our callback. */
    ret = run(L"net stop BITS");
    ok(ret == 0, "net stop BITS exited with %lu\n", ret);
    IBackgroundCopyJob_Release(job);
    IBackgroundCopyManager_Release(manager);

    /* The very first activation after the stop: no retry. */
    hr = CoCreateInstance(&CLSID_BackgroundCopyManager, NULL, CLSCTX_LOCAL_SERVER, &IID_IBackgroundCopyManager,
                          (void **)&manager);
    ok(hr == S_OK, "first activation after a slow stop got %#lx\n", hr);
    if (hr != S_OK) return;
    hr = IBackgroundCopyManager_GetJob(manager, &id, &found);
    ok(hr == S_OK, "the job is gone after the restart: %#lx\n", hr);
    if (hr == S_OK)
    {
        WCHAR *text = NULL;
        hr = IBackgroundCopyJob_GetDescription(found, &text);
        ok(hr == S_OK && text && !wcscmp(text, L"held"), "description %s\n", wine_dbgstr_w(text));
        CoTaskMemFree(text);
        IBackgroundCopyJob_Cancel(found);
        IBackgroundCopyJob_Release(found);
    }
    IBackgroundCopyManager_Release(manager);
    CloseHandle(cb.modified);
    CloseHandle(cb.entered);
}

START_TEST(restart)
{
    HRESULT hr;

    hr = CoInitializeEx(NULL, COINIT_MULTITHREADED);
    ok(hr == S_OK, "CoInitializeEx got %#lx\n", hr);
    test_activation_after_slow_stop();
    CoUninitialize();
}

/*
 * service.c: the BITS service in svchost (ServiceMain) and the class object of every
 * BackgroundCopyManager CLSID.
 * Owns: the service status, the stop event and the class-object registrations.
 */

#include "qmgr_private.h"

BITS_DEFAULT_DEBUG_CHANNEL(qmgr);

/* Every versioned CLSID is served by the same manager (spec 1.1). */
const CLSID *const bits_manager_clsids[] =
{
    &CLSID_BackgroundCopyManager, &CLSID_BackgroundCopyManager1_5, &CLSID_BackgroundCopyManager2_0,
    &CLSID_BackgroundCopyManager2_5, &CLSID_BackgroundCopyManager3_0, &CLSID_BackgroundCopyManager4_0,
    &CLSID_BackgroundCopyManager5_0, &CLSID_BackgroundCopyManager10_1, &CLSID_BackgroundCopyManager10_2,
    &CLSID_BackgroundCopyManager10_3,
};
const unsigned int bits_manager_clsid_count = ARRAYSIZE(bits_manager_clsids);

/* ---- IClassFactory ---- */

static HRESULT WINAPI factory_QueryInterface(IClassFactory *iface, REFIID riid, void **obj)
{
    TRACE("(%s %p)\n", debugstr_guid(riid), obj);

    if (!obj) return E_POINTER;
    if (IsEqualGUID(riid, &IID_IUnknown) || IsEqualGUID(riid, &IID_IClassFactory))
    {
        *obj = iface;
        return S_OK;
    }
    *obj = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI factory_AddRef(IClassFactory *iface)
{
    return 2;
}

static ULONG WINAPI factory_Release(IClassFactory *iface)
{
    return 1;
}

static HRESULT WINAPI factory_CreateInstance(IClassFactory *iface, IUnknown *outer, REFIID riid, void **obj)
{
    TRACE("(%p %s %p)\n", outer, debugstr_guid(riid), obj);

    if (!obj) return E_POINTER;
    *obj = NULL;
    if (outer) return CLASS_E_NOAGGREGATION;
    return manager_get_object(riid, obj);
}

static HRESULT WINAPI factory_LockServer(IClassFactory *iface, BOOL lock)
{
    return S_OK;
}

static const IClassFactoryVtbl factory_vtbl =
{
    factory_QueryInterface,
    factory_AddRef,
    factory_Release,
    factory_CreateInstance,
    factory_LockServer,
};

static IClassFactory manager_factory = { &factory_vtbl };

HRESULT WINAPI DllGetClassObject(REFCLSID clsid, REFIID riid, void **obj)
{
    unsigned int i;

    TRACE("(%s %s %p)\n", debugstr_guid(clsid), debugstr_guid(riid), obj);

    for (i = 0; i < bits_manager_clsid_count; i++)
        if (IsEqualGUID(clsid, bits_manager_clsids[i]))
            return IClassFactory_QueryInterface(&manager_factory, riid, obj);
    if (obj) *obj = NULL;
    return CLASS_E_CLASSNOTAVAILABLE;
}

HRESULT WINAPI DllCanUnloadNow(void)
{
    return S_FALSE;                            /* the service keeps its jobs for its whole life */
}

/* ---- the service ---- */

static SERVICE_STATUS_HANDLE status_handle;
static SERVICE_STATUS status;
static HANDLE stop_event;

static void service_report(DWORD state, DWORD wait_hint)
{
    status.dwServiceType = SERVICE_WIN32_SHARE_PROCESS;
    status.dwCurrentState = state;
    status.dwControlsAccepted = state == SERVICE_RUNNING ? SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN : 0;
    status.dwWin32ExitCode = NO_ERROR;
    status.dwServiceSpecificExitCode = 0;
    status.dwCheckPoint = (state == SERVICE_RUNNING || state == SERVICE_STOPPED) ? 0 : status.dwCheckPoint + 1;
    status.dwWaitHint = wait_hint;
    SetServiceStatus(status_handle, &status);
}

static DWORD WINAPI service_handler(DWORD control, DWORD type, void *data, void *context)
{
    TRACE("control %lu\n", control);

    switch (control)
    {
    case SERVICE_CONTROL_STOP:
    case SERVICE_CONTROL_SHUTDOWN:
        service_report(SERVICE_STOP_PENDING, 5000);
        SetEvent(stop_event);
        return NO_ERROR;
    case SERVICE_CONTROL_INTERROGATE:
        SetServiceStatus(status_handle, &status);
        return NO_ERROR;
    }
    return ERROR_CALL_NOT_IMPLEMENTED;
}

void WINAPI ServiceMain(DWORD argc, LPWSTR *argv)
{
    DWORD cookies[ARRAYSIZE(bits_manager_clsids)] = {0};
    unsigned int i, registered = 0;
    IUnknown *unk;
    HRESULT hr;

    TRACE("starting\n");
    if (!(status_handle = RegisterServiceCtrlHandlerExW(L"BITS", service_handler, NULL)))
    {
        ERR("RegisterServiceCtrlHandlerExW failed: %lu\n", GetLastError());
        return;
    }
    stop_event = CreateEventW(NULL, TRUE, FALSE, NULL);
    service_report(SERVICE_START_PENDING, 3000);

    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    manager_get_object(&IID_IUnknown, (void **)&unk);
    scheduler_start();
    notify_start();
    store_load();                              /* the queue of the last run (spec 8) */
    lifetime_start();                          /* expires loaded jobs that outlived JobInactivityTimeout */
    for (i = 0; i < bits_manager_clsid_count; i++)
    {
        hr = CoRegisterClassObject(bits_manager_clsids[i], (IUnknown *)&manager_factory, CLSCTX_LOCAL_SERVER,
                                   REGCLS_MULTIPLEUSE, &cookies[i]);
        if (FAILED(hr)) ERR("cannot register %s: %#lx\n", debugstr_guid(bits_manager_clsids[i]), hr);
        else registered++;
    }

    if (registered)
    {
        service_report(SERVICE_RUNNING, 0);
        WaitForSingleObject(stop_event, INFINITE);
    }

    /* The class objects stay registered until the slow part of the stop is done, and STOPPED
     * follows their revocation at once. In between, an activation finds no class while the
     * service is not STOPPED yet: Wine's rpcss cannot start it again and the client gets
     * E_NOINTERFACE (`net stop` may return before STOPPED). So first no new work (scheduler,
     * scavenger, callbacks: these may wait for threads) and the queue written (store_flush),
     * then the revocation, then STOPPED at once: a second save only when a client served
     * meanwhile changed something (it talked to a stopping service; its change is kept, and
     * the window stays as short as a load makes it). The next activation makes
     * svchost run ServiceMain again in this process; the service suite checks that the first
     * activation after each stop succeeds. */
    TRACE("stopping\n");
    scheduler_shutdown();
    upload_shutdown();
    lifetime_shutdown();
    notify_shutdown();
    store_flush();
    for (i = 0; i < bits_manager_clsid_count; i++)
        if (cookies[i]) CoRevokeClassObject(cookies[i]);
    store_shutdown();
    analytic_shutdown();
    CoUninitialize();
    CloseHandle(stop_event);
    service_report(SERVICE_STOPPED, 0);
}

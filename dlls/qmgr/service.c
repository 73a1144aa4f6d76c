/*
 * service.c: the BITS service in svchost (ServiceMain) and the class object of every
 * BackgroundCopyManager CLSID.
 * Owns: the service status, the stop event, the class-object registrations and the RPC
 * registrations of the served interfaces.
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

/* Every versioned CLSID is served by the same manager: apps probe the BITS version by CLSID. */
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

/* ---- the RPC registrations of our interfaces, kept while the service runs ---- */

/* Under Wine 8, when the last stub of an interface in the process goes (a client released the
 * last proxy of, say, IBackgroundCopyJob), COM unregisters the interface from RPC and waits for
 * its calls in progress to end. That wait can miss the end of a call that has just answered,
 * and the client's Release never returns (seen in the test suites under load: a test's
 * IBackgroundCopyJob_Release after Complete, the service's thread in RpcServerUnregisterIf with
 * no call of ours running). One placeholder object, marshalled table-strong for every interface
 * the service serves, keeps each registration from the first to the last client, so no
 * unregistration happens while clients call; it also spares a registration per job. The
 * placeholder answers QueryInterface only: no client ever gets its marshalled data. */
static const IID *const served_iids[] =
{
    &IID_IClassFactory, &IID_IBackgroundCopyManager,
    &IID_IBackgroundCopyJob, &IID_IBackgroundCopyJob2, &IID_IBackgroundCopyJob3, &IID_IBackgroundCopyJob4,
    &IID_IBackgroundCopyJob5,
    &IID_IBackgroundCopyJobHttpOptions, &IID_IBackgroundCopyJobHttpOptions2, &IID_IBackgroundCopyJobHttpOptions3,
    &IID_IBitsTokenOptions,
    &IID_IBackgroundCopyFile, &IID_IBackgroundCopyFile2, &IID_IBackgroundCopyFile3, &IID_IBackgroundCopyFile4,
    &IID_IBackgroundCopyFile5, &IID_IBackgroundCopyFile6,
    &IID_IEnumBackgroundCopyJobs, &IID_IEnumBackgroundCopyFiles, &IID_IBackgroundCopyError,
};

static IStream *pin_streams[ARRAYSIZE(served_iids)];

static HRESULT WINAPI pin_QueryInterface(IUnknown *iface, REFIID riid, void **obj)
{
    unsigned int i;

    *obj = NULL;
    if (IsEqualGUID(riid, &IID_IUnknown)) *obj = iface;
    for (i = 0; i < ARRAYSIZE(served_iids); i++)
        if (IsEqualGUID(riid, served_iids[i])) *obj = iface;
    return *obj ? S_OK : E_NOINTERFACE;
}

static ULONG WINAPI pin_AddRef(IUnknown *iface)
{
    return 2;
}

static ULONG WINAPI pin_Release(IUnknown *iface)
{
    return 1;
}

static const IUnknownVtbl pin_vtbl = { pin_QueryInterface, pin_AddRef, pin_Release };
static IUnknown pin = { &pin_vtbl };

/* In the service's apartment (the MTA), before the class objects are registered. */
static void pin_interfaces(void)
{
    unsigned int i;
    HRESULT hr;

    for (i = 0; i < ARRAYSIZE(served_iids); i++)
    {
        if (FAILED(hr = CreateStreamOnHGlobal(NULL, TRUE, &pin_streams[i]))
            || FAILED(hr = CoMarshalInterface(pin_streams[i], served_iids[i], &pin, MSHCTX_LOCAL, NULL,
                                              MSHLFLAGS_TABLESTRONG)))
        {
            WARN("cannot keep %s registered: %#lx\n", debugstr_guid(served_iids[i]), hr);
            if (pin_streams[i]) IStream_Release(pin_streams[i]);
            pin_streams[i] = NULL;
        }
    }
}

/* After the class objects are revoked. */
static void unpin_interfaces(void)
{
    LARGE_INTEGER zero = {{0}};
    unsigned int i;

    for (i = 0; i < ARRAYSIZE(served_iids); i++)
    {
        if (!pin_streams[i]) continue;
        IStream_Seek(pin_streams[i], zero, STREAM_SEEK_SET, NULL);
        CoReleaseMarshalData(pin_streams[i]);
        IStream_Release(pin_streams[i]);
        pin_streams[i] = NULL;
    }
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
    keeper_start();
    notify_start();
    store_load();                              /* the queue of the last run */
    lifetime_start();                          /* expires loaded jobs that outlived JobInactivityTimeout */
    pin_interfaces();
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
    keeper_shutdown();
    lifetime_shutdown();
    notify_shutdown();
    store_flush();
    for (i = 0; i < bits_manager_clsid_count; i++)
        if (cookies[i]) CoRevokeClassObject(cookies[i]);
    unpin_interfaces();
    store_shutdown();
    analytic_shutdown();
    CoUninitialize();
    CloseHandle(stop_event);
    service_report(SERVICE_STOPPED, 0);
}

/*
 * callbackexit.c: test helper of the shell suites (not a suite). Creates a download job of <url>
 * to <local>, gives it a callback object of this process (SetNotifyInterface, for JobTransferred
 * and JobError) and exits without waiting for anything, as a client that is gone by the time its
 * job is done. Prints the job's GUID; the suite resumes and completes the job.
 *
 * Usage: callbackexit.exe <name> <url> <local>
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

#include <windows.h>
#include <initguid.h>
#include <stdio.h>
#include "bits.h"

static HRESULT WINAPI callback_QueryInterface(IBackgroundCopyCallback *iface, REFIID riid, void **out)
{
    if (IsEqualGUID(riid, &IID_IUnknown) || IsEqualGUID(riid, &IID_IBackgroundCopyCallback))
    {
        *out = iface;
        return S_OK;
    }
    *out = NULL;
    return E_NOINTERFACE;
}

/* A static object: its references do not matter. */
static ULONG WINAPI callback_AddRef(IBackgroundCopyCallback *iface) { return 2; }
static ULONG WINAPI callback_Release(IBackgroundCopyCallback *iface) { return 1; }

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

static IBackgroundCopyCallback callback = { &callback_vtbl };

int wmain(int argc, WCHAR **argv)
{
    IBackgroundCopyManager *manager;
    IBackgroundCopyJob *job;
    WCHAR guid[40];
    HRESULT hr;
    GUID id;

    if (argc != 4)
    {
        fprintf(stderr, "usage: callbackexit <name> <url> <local>\n");
        return 2;
    }
    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    hr = CoCreateInstance(&CLSID_BackgroundCopyManager, NULL, CLSCTX_LOCAL_SERVER, &IID_IBackgroundCopyManager,
                          (void **)&manager);
    if (SUCCEEDED(hr)) hr = IBackgroundCopyManager_CreateJob(manager, argv[1], BG_JOB_TYPE_DOWNLOAD, &id, &job);
    if (SUCCEEDED(hr)) hr = IBackgroundCopyJob_AddFile(job, argv[2], argv[3]);
    if (SUCCEEDED(hr)) hr = IBackgroundCopyJob_SetNotifyFlags(job, BG_NOTIFY_JOB_TRANSFERRED | BG_NOTIFY_JOB_ERROR);
    if (SUCCEEDED(hr)) hr = IBackgroundCopyJob_SetNotifyInterface(job, (IUnknown *)&callback);
    if (FAILED(hr))
    {
        fprintf(stderr, "callbackexit: %#lx\n", hr);
        return 1;
    }
    StringFromGUID2(&id, guid, ARRAYSIZE(guid));
    printf("%ls\n", guid);
    fflush(stdout);
    /* Gone without a word: no Release, no CoUninitialize. */
    ExitProcess(0);
}

/*
 * bits_test.h: helpers shared by the conformance tests that work on single jobs: the
 * manager, a temp directory, and creating, cancelling and looking into jobs.
 * Include after wine/test.h; the test sets manager and temp_dir in START_TEST.
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

#ifndef __BITS_TEST_H
#define __BITS_TEST_H

static IBackgroundCopyManager *manager __attribute__((unused));
static WCHAR temp_dir[MAX_PATH] __attribute__((unused));

/* The usual start of a test program: COM in the multithreaded apartment, the temp directory and
 * the service's manager. FALSE, after a failed check, when there is no manager. */
static inline BOOL start_manager(void)
{
    HRESULT hr = CoInitializeEx(NULL, COINIT_MULTITHREADED);

    ok(hr == S_OK, "CoInitializeEx got %#lx\n", hr);
    GetTempPathW(ARRAY_SIZE(temp_dir), temp_dir);
    hr = CoCreateInstance(&CLSID_BackgroundCopyManager, NULL, CLSCTX_LOCAL_SERVER, &IID_IBackgroundCopyManager,
                          (void **)&manager);
    ok(hr == S_OK, "CoCreateInstance got %#lx\n", hr);
    return hr == S_OK;
}

/* The end that goes with start_manager. */
static inline void stop_manager(void)
{
    if (manager) IBackgroundCopyManager_Release(manager);
    manager = NULL;
    CoUninitialize();
}

static inline IBackgroundCopyJob *create_job(const WCHAR *name, BG_JOB_TYPE type)
{
    IBackgroundCopyJob *job = NULL;
    GUID id;
    HRESULT hr;

    hr = IBackgroundCopyManager_CreateJob(manager, name, type, &id, &job);
    ok(hr == S_OK, "CreateJob got %#lx\n", hr);
    return job;
}

static inline void cancel_job(IBackgroundCopyJob *job)
{
    HRESULT hr = IBackgroundCopyJob_Cancel(job);
    ok(hr == S_OK, "Cancel got %#lx\n", hr);
    IBackgroundCopyJob_Release(job);
}

static inline void local_path(WCHAR *buf, const WCHAR *name)
{
    swprintf(buf, MAX_PATH, L"%ls%ls", temp_dir, name);
}

/* The index-th file of the job, or NULL. */
static inline IBackgroundCopyFile *get_file(IBackgroundCopyJob *job, ULONG index)
{
    IEnumBackgroundCopyFiles *files;
    IBackgroundCopyFile *file = NULL;
    HRESULT hr;

    hr = IBackgroundCopyJob_EnumFiles(job, &files);
    ok(hr == S_OK, "EnumFiles got %#lx\n", hr);
    if (hr != S_OK) return NULL;
    if (index) IEnumBackgroundCopyFiles_Skip(files, index);
    hr = IEnumBackgroundCopyFiles_Next(files, 1, &file, NULL);
    ok(hr == S_OK, "Next got %#lx\n", hr);
    IEnumBackgroundCopyFiles_Release(files);
    return hr == S_OK ? file : NULL;
}

#endif /* __BITS_TEST_H */

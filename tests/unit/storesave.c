/*
 * In-process unit tests of the job store's save and load (store.c): a job whose record cannot
 * be encoded (a field above the codec's limits, here response headers that no longer come from
 * the transports) costs only itself: the jobs created before and after it are saved and come
 * back, it is missing. And the largest credentials a client may set (every target and scheme,
 * 300-character users, 65536-character passwords) fit in the store and come back.
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
#include "store_codec.h"
#include "wine/test.h"

static IBackgroundCopyManager *manager;
static WCHAR dir[MAX_PATH];

static IBackgroundCopyJob *create(const WCHAR *name, GUID *id)
{
    IBackgroundCopyJob *job = NULL;
    HRESULT hr;

    hr = IBackgroundCopyManager_CreateJob(manager, name, BG_JOB_TYPE_DOWNLOAD, id, &job);
    ok(hr == S_OK, "CreateJob %s: %#lx\n", wine_dbgstr_w(name), hr);
    return job;
}

static struct bits_job *impl(IBackgroundCopyJob *iface)
{
    return CONTAINING_RECORD((IBackgroundCopyJob5 *)iface, struct bits_job, IBackgroundCopyJob5_iface);
}

/* The job of this id as the store loaded it, or NULL. */
static IBackgroundCopyJob *loaded(const GUID *id)
{
    IBackgroundCopyJob *job = NULL;
    HRESULT hr = IBackgroundCopyManager_GetJob(manager, id, &job);
    return hr == S_OK ? job : NULL;
}

static void test_one_record(void)
{
    IBackgroundCopyJob *before, *huge, *after, *job;
    IEnumBackgroundCopyFiles *files;
    IBackgroundCopyFile *file;
    struct bits_file *file_impl;
    GUID id_before, id_huge, id_after;
    WCHAR local[MAX_PATH], *headers;
    ULONG fetched = 0;
    HRESULT hr;
    int i;

    swprintf(local, MAX_PATH, L"%ls\\huge.bin", dir);
    before = create(L"before", &id_before);
    huge = create(L"huge", &id_huge);
    after = create(L"after", &id_after);
    hr = IBackgroundCopyJob_AddFile(huge, L"http://127.0.0.1/huge.bin", local);
    ok(hr == S_OK, "AddFile: %#lx\n", hr);
    hr = IBackgroundCopyJob_EnumFiles(huge, &files);
    ok(hr == S_OK, "EnumFiles: %#lx\n", hr);
    hr = IEnumBackgroundCopyFiles_Next(files, 1, &file, &fetched);
    ok(hr == S_OK && fetched == 1, "Next: %#lx, %lu\n", hr, fetched);
    IEnumBackgroundCopyFiles_Release(files);

    /* More than a string of the store may hold. */
    headers = heap_alloc_zero((STORE_MAX_STRING + 2) * sizeof(WCHAR));
    for (i = 0; i < STORE_MAX_STRING + 1; i++) headers[i] = 'h';
    file_impl = CONTAINING_RECORD((IBackgroundCopyFile6 *)file, struct bits_file, IBackgroundCopyFile6_iface);
    EnterCriticalSection(&impl(huge)->cs);
    heap_free(file_impl->response_headers);
    file_impl->response_headers = headers;
    LeaveCriticalSection(&impl(huge)->cs);
    IBackgroundCopyFile_Release(file);
    /* A change after the unencodable job: saved too. */
    hr = IBackgroundCopyJob_SetDescription(after, L"changed later");
    ok(hr == S_OK, "SetDescription: %#lx\n", hr);

    store_save_now();
    store_shutdown();
    store_load();                      /* the queue in memory is replaced by what is on disk */

    job = loaded(&id_before);
    ok(job != NULL, "the job saved before the unencodable one is missing\n");
    if (job) IBackgroundCopyJob_Release(job);
    job = loaded(&id_after);
    ok(job != NULL, "the job saved after the unencodable one is missing\n");
    if (job)
    {
        WCHAR *desc = NULL;
        hr = IBackgroundCopyJob_GetDescription(job, &desc);
        ok(hr == S_OK && desc && !wcscmp(desc, L"changed later"), "description %#lx %s\n", hr, wine_dbgstr_w(desc));
        CoTaskMemFree(desc);
        IBackgroundCopyJob_Release(job);
    }
    job = loaded(&id_huge);
    ok(job == NULL, "the unencodable job came back\n");
    if (job) IBackgroundCopyJob_Release(job);

    IBackgroundCopyJob_Release(before);
    IBackgroundCopyJob_Release(huge);
    IBackgroundCopyJob_Release(after);
}

static void test_largest_credentials(void)
{
    IBackgroundCopyJob2 *job2;
    IBackgroundCopyJob *job, *back;
    BG_AUTH_CREDENTIALS cred;
    WCHAR *user, *password;
    struct bits_job *j;
    unsigned int t, s;
    GUID id;
    HRESULT hr;
    int i, same = 0;

    user = heap_alloc_zero((MAX_USERNAME + 1) * sizeof(WCHAR));
    password = heap_alloc_zero((MAX_PASSWORD + 1) * sizeof(WCHAR));
    for (i = 0; i < MAX_USERNAME; i++) user[i] = 'a' + i % 26;
    for (i = 0; i < MAX_PASSWORD; i++) password[i] = 'A' + i % 26;

    job = create(L"credentials", &id);
    hr = IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJob2, (void **)&job2);
    ok(hr == S_OK, "QueryInterface: %#lx\n", hr);
    for (t = BG_AUTH_TARGET_SERVER; t <= BG_AUTH_TARGET_PROXY; t++)
        for (s = BG_AUTH_SCHEME_BASIC; s <= BG_AUTH_SCHEME_PASSPORT; s++)
        {
            cred.Target = t;
            cred.Scheme = s;
            cred.Credentials.Basic.UserName = user;
            cred.Credentials.Basic.Password = password;
            hr = IBackgroundCopyJob2_SetCredentials(job2, &cred);
            ok(hr == S_OK, "SetCredentials %u %u: %#lx\n", t, s, hr);
        }
    IBackgroundCopyJob2_Release(job2);
    IBackgroundCopyJob_Release(job);

    store_save_now();
    store_shutdown();
    store_load();

    back = loaded(&id);
    ok(back != NULL, "the job with the largest credentials is missing\n");
    if (!back) return;
    j = impl(back);
    EnterCriticalSection(&j->cs);
    for (t = 0; t < 2; t++)
        for (s = 0; s < 5; s++)
            if (j->creds[t][s].set && j->creds[t][s].user && !wcscmp(j->creds[t][s].user, user)
                && j->creds[t][s].password && !wcscmp(j->creds[t][s].password, password))
                same++;
    LeaveCriticalSection(&j->cs);
    ok(same == 10, "%d of the 10 credentials came back\n", same);
    IBackgroundCopyJob_Release(back);
    heap_free(user);
    heap_free(password);
}

START_TEST(storesave)
{
    HRESULT hr;

    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    hr = manager_get_object(&IID_IBackgroundCopyManager, (void **)&manager);
    ok(hr == S_OK, "got %#lx\n", hr);
    GetTempPathW(MAX_PATH, dir);
    lstrcatW(dir, L"bits-storesave");
    CreateDirectoryW(dir, NULL);

    store_load();                      /* the store on: a fresh prefix has no queue yet */
    test_one_record();
    test_largest_credentials();
    store_shutdown();
    IBackgroundCopyManager_Release(manager);
    CoUninitialize();
}

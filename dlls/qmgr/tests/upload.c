/*
 * Conformance tests of upload and upload-reply jobs (the BITS upload protocol) against the
 * harness's upload server (tests/servers/uploadserver.py): plain uploads, replies as a file
 * and as data, the server's faults and the state rules. Without BITS_UPLOAD_* the tests are
 * skipped.
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
#include <ctype.h>
#include <stdio.h>
#include "bitsall.h"
#include "wine/test.h"
#include "bits_test.h"
#include "server_test.h"

static char upload_port[16], upload_alt_port[16], upload_dir[MAX_PATH], upload_log[MAX_PATH];
static int unique;

#define DONE_MASK (1 << BG_JOB_STATE_TRANSFERRED | 1 << BG_JOB_STATE_ERROR | 1 << BG_JOB_STATE_TRANSIENT_ERROR)

/* A local file of size bytes, byte i = (i * 7 + seed) % 256. */
static void make_source(const WCHAR *path, DWORD size, BYTE seed)
{
    HANDLE file = CreateFileW(path, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
    static BYTE buf[65536];
    DWORD i, done = 0, written;

    ok(file != INVALID_HANDLE_VALUE, "cannot create %s\n", wine_dbgstr_w(path));
    while (done < size)
    {
        DWORD len = min(size - done, (DWORD)sizeof(buf));
        for (i = 0; i < len; i++) buf[i] = (BYTE)((done + i) * 7 + seed);
        WriteFile(file, buf, len, &written, NULL);
        done += len;
    }
    CloseHandle(file);
}

/* http://127.0.0.1:<port>/<vdir>/<n>-<name>?[query&]id=<n>: a number of its own for every
 * run of every test, so that each has its own files and fault counters (also those of the
 * application, whose target carries only the query). */
static void make_url(WCHAR *url, const char *vdir, const char *name, const char *query)
{
    unique++;
    swprintf(url, 512, L"http://127.0.0.1:%hs/%hs/%d-%hs?%hs%hsid=%d", upload_port, vdir, unique, name,
             query ? query : "", query ? "&" : "", unique);
}

/* Where the server stored the upload of url. */
static void stored_path(WCHAR *path, const WCHAR *url)
{
    char unix_path[MAX_PATH];
    const WCHAR *p = wcschr(url + 7, '/'), *q = wcschr(url, '?');

    snprintf(unix_path, sizeof(unix_path), "%s%.*ls", upload_dir, (int)(q ? q - p : lstrlenW(p)), p);
    unix_to_dos(unix_path, path);
}

/* Lines of the upload log that contain every given text (up to three). */
static int log_count(const char *a, const char *b, const char *c)
{
    char *log = read_log(upload_log), *line, *end;
    int count = 0;

    if (!log) return -1;
    for (line = log; *line; line = end + 1)
    {
        if (!(end = strchr(line, '\n'))) end = line + strlen(line);
        *end = 0;
        if (strstr(line, a) && (!b || strstr(line, b)) && (!c || strstr(line, c))) count++;
        if (!end[1] && end != line + strlen(line)) break;
    }
    HeapFree(GetProcessHeap(), 0, log);
    return count;
}

/* The log's text for url's target: "/<vdir>/<n>-<name>". */
static void log_target(char *buf, const WCHAR *url)
{
    const WCHAR *p = wcschr(url + 7, '/'), *q = wcschr(url, '?');
    sprintf(buf, "\"target\":\"%.*ls", (int)(q ? q - p : lstrlenW(p)), p);
}

static IBackgroundCopyJob *create_upload(const WCHAR *name, BG_JOB_TYPE type, const WCHAR *url, const WCHAR *local)
{
    IBackgroundCopyJob *job = create_job(name, type);
    HRESULT hr;

    if (!job) return NULL;
    hr = IBackgroundCopyJob_AddFile(job, url, local);
    ok(hr == S_OK, "AddFile %s got %#lx\n", wine_dbgstr_w(url), hr);
    IBackgroundCopyJob_SetMinimumRetryDelay(job, 5);
    return job;
}

/* Resume and wait for TRANSFERRED, ERROR or TRANSIENT_ERROR; the error's code and context. */
static BG_JOB_STATE run(IBackgroundCopyJob *job, HRESULT *code, BG_ERROR_CONTEXT *context)
{
    IBackgroundCopyError *error;
    BG_JOB_STATE state;
    HRESULT hr;

    *code = S_OK;
    *context = BG_ERROR_CONTEXT_NONE;
    hr = IBackgroundCopyJob_Resume(job);
    ok(hr == S_OK, "Resume got %#lx\n", hr);
    state = wait_state(job, DONE_MASK, 60000);
    if (SUCCEEDED(IBackgroundCopyJob_GetError(job, &error)))
    {
        IBackgroundCopyError_GetError(error, context, code);
        IBackgroundCopyError_Release(error);
    }
    return state;
}

static IBackgroundCopyJob2 *job2_of(IBackgroundCopyJob *job)
{
    IBackgroundCopyJob2 *job2 = NULL;
    HRESULT hr = IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJob2, (void **)&job2);
    ok(hr == S_OK, "QueryInterface(Job2) got %#lx\n", hr);
    return job2;
}

static void test_plain_upload(void)
{
    WCHAR url[512], local[MAX_PATH], stored[MAX_PATH], *reply;
    IBackgroundCopyJob *job;
    IBackgroundCopyJob2 *job2;
    IBackgroundCopyFile *file;
    BG_JOB_REPLY_PROGRESS reply_progress;
    BG_FILE_PROGRESS file_progress;
    BG_JOB_PROGRESS progress;
    BG_ERROR_CONTEXT context;
    BG_JOB_STATE state;
    char target[512];
    HRESULT hr, code;

    local_path(local, L"bits_upload_plain.bin");
    make_source(local, 3 * 1024 * 1024 + 123, 1);
    make_url(url, "up", "plain.bin", NULL);
    if (!(job = create_upload(L"plain upload", BG_JOB_TYPE_UPLOAD, url, local))) return;

    /* One file per upload job, and the rules of uploads: Complete only when TRANSFERRED, reply
     * methods only for upload-reply jobs. */
    hr = IBackgroundCopyJob_AddFile(job, url, local);
    ok(hr == BG_E_TOO_MANY_FILES, "second AddFile got %#lx\n", hr);
    hr = IBackgroundCopyJob_Complete(job);
    ok(hr == BG_E_INVALID_STATE, "Complete while SUSPENDED got %#lx\n", hr);
    job2 = job2_of(job);
    hr = IBackgroundCopyJob2_GetReplyProgress(job2, &reply_progress);
    ok(hr == E_NOTIMPL, "GetReplyProgress of an upload got %#lx\n", hr);
    hr = IBackgroundCopyJob2_GetReplyFileName(job2, &reply);
    ok(hr == E_NOTIMPL, "GetReplyFileName of an upload got %#lx\n", hr);
    hr = IBackgroundCopyJob2_SetReplyFileName(job2, local);
    ok(hr == E_NOTIMPL, "SetReplyFileName of an upload got %#lx\n", hr);
    IBackgroundCopyJob2_Release(job2);
    hr = IBackgroundCopyJob_GetProgress(job, &progress);
    ok(progress.BytesTotal == 3 * 1024 * 1024 + 123, "BytesTotal before the upload %I64u\n", progress.BytesTotal);
    ok(!progress.BytesTransferred, "BytesTransferred before the upload %I64u\n", progress.BytesTransferred);

    state = run(job, &code, &context);
    ok(state == BG_JOB_STATE_TRANSFERRED, "state %u, error %#lx\n", state, code);
    IBackgroundCopyJob_GetProgress(job, &progress);
    ok(progress.BytesTransferred == progress.BytesTotal && progress.FilesTransferred == 1,
       "progress %I64u / %I64u, files %lu\n", progress.BytesTransferred, progress.BytesTotal, progress.FilesTransferred);
    if ((file = get_file(job, 0)))
    {
        IBackgroundCopyFile_GetProgress(file, &file_progress);
        ok(file_progress.Completed, "an uploaded file is Completed (spec 1.4)\n");
        IBackgroundCopyFile_Release(file);
    }
    stored_path(stored, url);
    ok(files_equal(local, stored), "the stored upload differs from %s\n", wine_dbgstr_w(local));

    log_target(target, url);
    ok(log_count(target, "\"packet\":\"Ping\"", NULL) == 1, "Ping not sent once\n");
    ok(log_count(target, "\"packet\":\"Create-Session\"", "7df0354d-249b-430f-820d-3d2a9bef4931") == 1,
       "Create-Session without the protocol GUID\n");
    ok(log_count(target, "\"packet\":\"Fragment\"", "\"content_name\":\"bits_upload_plain.bin\"") == 1,
       "Content-Name not on exactly the first fragment\n");
    ok(log_count(target, "\"content_range\":\"bytes 0-", NULL) == 1, "no fragment from 0\n");
    ok(log_count(target, "\"packet\":\"Close-Session\"", "\"status\":200") == 1, "no Close-Session\n");

    hr = IBackgroundCopyJob_Complete(job);
    ok(hr == S_OK, "Complete got %#lx\n", hr);
    IBackgroundCopyJob_Release(job);
}

/* Upload-reply: the reply as a file (generated name, renamed by Complete) and as data. */
static void test_upload_reply(void)
{
    WCHAR url[512], local[MAX_PATH], reply_file[MAX_PATH], *name = NULL, dir[MAX_PATH];
    BG_JOB_REPLY_PROGRESS progress;
    IBackgroundCopyJob2 *job2;
    IBackgroundCopyJob *job;
    BG_ERROR_CONTEXT context;
    BG_JOB_STATE state;
    HRESULT hr, code;
    UINT64 length;
    BYTE *data;

    local_path(local, L"bits_upload_reply.txt");
    make_source(local, 5000, 3);
    if (!(job = create_job(L"upload-reply", BG_JOB_TYPE_UPLOAD_REPLY))) return;
    job2 = job2_of(job);
    IBackgroundCopyJob_SetMinimumRetryDelay(job, 5);
    hr = IBackgroundCopyJob2_GetReplyFileName(job2, &name);
    ok(hr == S_OK && !name, "reply name before AddFile: %#lx %s\n", hr, wine_dbgstr_w(name));
    make_url(url, "app1", "reply.txt", "reply=echo");
    hr = IBackgroundCopyJob_AddFile(job, url, local);
    ok(hr == S_OK, "AddFile got %#lx\n", hr);
    hr = IBackgroundCopyJob2_GetReplyFileName(job2, &name);
    ok(hr == S_OK && name, "reply name after AddFile: %#lx\n", hr);
    if (name)
    {
        /* a generated name in the upload file's directory */
        wcscpy(dir, local);
        *wcsrchr(dir, '\\') = 0;
        ok(!wcsncmp(name, dir, lstrlenW(dir)) && !wcschr(name + lstrlenW(dir) + 1, '\\'),
           "generated reply name %s not beside the upload\n", wine_dbgstr_w(name));
        wcscpy(reply_file, name);
        CoTaskMemFree(name);
    }
    hr = IBackgroundCopyJob2_GetReplyProgress(job2, &progress);
    ok(hr == S_OK && progress.BytesTotal == BG_SIZE_UNKNOWN && !progress.BytesTransferred,
       "reply progress before the upload: %#lx %I64u / %I64u\n", hr, progress.BytesTransferred, progress.BytesTotal);
    hr = IBackgroundCopyJob2_GetReplyData(job2, &data, &length);
    ok(hr == BG_E_INVALID_STATE, "GetReplyData while SUSPENDED got %#lx\n", hr);

    state = run(job, &code, &context);
    ok(state == BG_JOB_STATE_TRANSFERRED, "state %u, error %#lx context %u\n", state, code, context);
    hr = IBackgroundCopyJob2_GetReplyProgress(job2, &progress);
    ok(hr == S_OK && progress.BytesTotal == 5000 && progress.BytesTransferred == 5000,
       "reply progress %I64u / %I64u\n", progress.BytesTransferred, progress.BytesTotal);
    hr = IBackgroundCopyJob2_SetReplyFileName(job2, NULL);
    ok(hr == BG_E_INVALID_STATE, "SetReplyFileName after the reply got %#lx\n", hr);
    data = NULL;
    hr = IBackgroundCopyJob2_GetReplyData(job2, &data, &length);
    ok(hr == S_OK && length == 5000 && data, "GetReplyData got %#lx, %I64u bytes\n", hr, length);
    if (data)
    {
        BOOL same = TRUE;
        UINT64 i;
        for (i = 0; i < length; i++) if (data[i] != (BYTE)(i * 7 + 3)) same = FALSE;
        ok(same, "the echoed reply differs from the upload\n");
        CoTaskMemFree(data);
    }
    ok(GetFileAttributesW(reply_file) == INVALID_FILE_ATTRIBUTES, "the reply file is there before Complete\n");
    hr = IBackgroundCopyJob_Complete(job);
    ok(hr == S_OK, "Complete got %#lx\n", hr);
    ok(files_equal(local, reply_file), "the reply file after Complete differs\n");
    /* documented as readable after Complete too */
    data = NULL;
    hr = IBackgroundCopyJob2_GetReplyData(job2, &data, &length);
    ok(hr == S_OK && length == 5000 && data, "GetReplyData after Complete got %#lx, %I64u bytes\n", hr, length);
    CoTaskMemFree(data);
    DeleteFileW(reply_file);
    IBackgroundCopyJob2_Release(job2);
    IBackgroundCopyJob_Release(job);
}

/* One upload-reply job against the application with query; the reply as data. */
static IBackgroundCopyJob *reply_job(const char *vdir, const char *query, const WCHAR *reply_name,
                                     BG_JOB_STATE *state, HRESULT *code, BG_ERROR_CONTEXT *context)
{
    WCHAR url[512], local[MAX_PATH];
    IBackgroundCopyJob2 *job2;
    IBackgroundCopyJob *job;
    HRESULT hr;

    local_path(local, L"bits_upload_reply2.txt");
    make_source(local, 1000, 5);
    make_url(url, vdir, "data.txt", query);
    if (!(job = create_upload(L"upload-reply data", BG_JOB_TYPE_UPLOAD_REPLY, url, local))) return NULL;
    if (reply_name)
    {
        job2 = job2_of(job);
        hr = IBackgroundCopyJob2_SetReplyFileName(job2, reply_name);
        ok(hr == S_OK, "SetReplyFileName got %#lx\n", hr);
        IBackgroundCopyJob2_Release(job2);
    }
    *state = run(job, code, context);
    return job;
}

static void test_reply_data(void)
{
    static const char static_reply[] = "bits-uploadserver static reply\n";
    WCHAR reply_file[MAX_PATH], *name;
    IBackgroundCopyJob2 *job2;
    IBackgroundCopyJob *job;
    BG_ERROR_CONTEXT context;
    BG_JOB_STATE state;
    HRESULT hr, code;
    UINT64 length;
    BYTE *data;

    /* More than 1 MB: BG_E_TOO_LARGE, no buffer, the size; by value (mode 2). */
    local_path(reply_file, L"bits_upload_big_reply.bin");
    DeleteFileW(reply_file);
    if (!(job = reply_job("app2", "reply-size=1100000", reply_file, &state, &code, &context))) return;
    ok(state == BG_JOB_STATE_TRANSFERRED, "state %u, error %#lx\n", state, code);
    job2 = job2_of(job);
    hr = IBackgroundCopyJob2_GetReplyFileName(job2, &name);
    ok(hr == S_OK && name && !wcscmp(name, reply_file), "reply name %s\n", wine_dbgstr_w(name));
    CoTaskMemFree(name);
    data = (BYTE *)1;
    hr = IBackgroundCopyJob2_GetReplyData(job2, &data, &length);
    ok(hr == BG_E_TOO_LARGE && !data && length == 1100000, "big reply: %#lx %p %I64u\n", hr, data, length);
    hr = IBackgroundCopyJob_Complete(job);
    ok(hr == S_OK, "Complete got %#lx\n", hr);
    ok(GetFileAttributesW(reply_file) != INVALID_FILE_ATTRIBUTES, "the set reply file is missing\n");
    DeleteFileW(reply_file);
    IBackgroundCopyJob2_Release(job2);
    IBackgroundCopyJob_Release(job);

    /* No reply: an empty reply; GetReplyData gives no buffer. */
    if (!(job = reply_job("app1", "reply=empty", NULL, &state, &code, &context))) return;
    ok(state == BG_JOB_STATE_TRANSFERRED, "state %u, error %#lx\n", state, code);
    job2 = job2_of(job);
    data = (BYTE *)1;
    hr = IBackgroundCopyJob2_GetReplyData(job2, &data, &length);
    ok(hr == S_OK && !data && !length, "empty reply: %#lx %p %I64u\n", hr, data, length);
    IBackgroundCopyJob2_Release(job2);
    cancel_job(job);

    /* BITS-Static-Response-URL: the reply comes from there. */
    if (!(job = reply_job("app1", "reply=static", NULL, &state, &code, &context))) return;
    ok(state == BG_JOB_STATE_TRANSFERRED, "state %u, error %#lx\n", state, code);
    job2 = job2_of(job);
    data = NULL;
    hr = IBackgroundCopyJob2_GetReplyData(job2, &data, &length);
    ok(hr == S_OK && length == sizeof(static_reply) - 1 && data && !memcmp(data, static_reply, length),
       "static reply: %#lx %I64u\n", hr, length);
    CoTaskMemFree(data);
    IBackgroundCopyJob2_Release(job2);
    cancel_job(job);
}

/* The log's text for the reply of the session created for target: "target":"/__reply/<id>". */
static BOOL reply_log_target(const char *target, char *buf)
{
    char *log = read_log(upload_log), *line, *end, *p;
    BOOL found = FALSE;
    int i;

    if (!log) return FALSE;
    for (line = log; *line && !found; line = end + 1)
    {
        if (!(end = strchr(line, '\n'))) end = line + strlen(line);
        *end = 0;
        if (strstr(line, target) && strstr(line, "\"packet\":\"Create-Session\"")
            && (p = strstr(line, "\"session\":\"{")) && strlen(p) > 12 + 36)
        {
            p += 12;
            strcpy(buf, "\"target\":\"/__reply/");
            for (i = 0; i < 36; i++) buf[19 + i] = tolower(p[i]);
            strcpy(buf + 19 + 36, "\"");
            found = TRUE;
        }
        if (!end[1] && end != line + strlen(line)) break;
    }
    HeapFree(GetProcessHeap(), 0, log);
    return found;
}

/* The reply of an upload-reply job cut mid-body goes on after the retry with a Range request
 * from the bytes already in its temp file, as any download does. */
static void test_reply_resume(void)
{
    static const DWORD size = 300000;
    WCHAR url[512], local[MAX_PATH];
    BG_JOB_REPLY_PROGRESS progress;
    char target[512], reply[128], range[64];
    IBackgroundCopyJob2 *job2;
    IBackgroundCopyJob *job;
    BG_ERROR_CONTEXT context;
    BG_JOB_STATE state;
    HRESULT hr, code;
    UINT64 length, kept, i;
    BYTE *data = NULL;
    BOOL same;

    local_path(local, L"bits_upload_reply_resume.txt");
    make_source(local, 1000, 7);
    make_url(url, "app2", "cut.txt", "reply-size=300000&reply-drop=100000");
    log_target(target, url);
    if (!(job = create_upload(L"upload-reply resume", BG_JOB_TYPE_UPLOAD_REPLY, url, local))) return;
    job2 = job2_of(job);
    state = run(job, &code, &context);
    ok(state == BG_JOB_STATE_TRANSIENT_ERROR, "a reply cut mid-body: state %u, error %#lx\n", state, code);
    hr = IBackgroundCopyJob2_GetReplyProgress(job2, &progress);
    kept = progress.BytesTransferred;
    ok(hr == S_OK && kept > 0 && kept <= 100000 && progress.BytesTotal == size,
       "reply progress after the cut %I64u / %I64u\n", kept, progress.BytesTotal);

    state = run(job, &code, &context);
    ok(state == BG_JOB_STATE_TRANSFERRED, "after the retry: state %u, error %#lx\n", state, code);
    hr = IBackgroundCopyJob2_GetReplyProgress(job2, &progress);
    ok(hr == S_OK && progress.BytesTransferred == size && progress.BytesTotal == size,
       "reply progress %I64u / %I64u\n", progress.BytesTransferred, progress.BytesTotal);
    hr = IBackgroundCopyJob2_GetReplyData(job2, &data, &length);
    ok(hr == S_OK && data && length == size, "GetReplyData got %#lx, %I64u bytes\n", hr, length);
    for (i = 0, same = TRUE; data && i < length; i++) if (data[i] != (BYTE)(i % 251)) same = FALSE;
    ok(data && same, "the resumed reply differs from the server's\n");
    CoTaskMemFree(data);

    /* The server saw the cut GET from 0 and one Range request from where the bytes ended. */
    ok(reply_log_target(target, reply), "no Create-Session in the log\n");
    ok(log_count(reply, "\"fault\":\"reply-drop\"", NULL) == 1, "the reply was not cut once\n");
    sprintf(range, "\"range\":\"bytes=%I64u-\"", kept);
    ok(log_count(reply, range, NULL) == 1, "no reply request with %s\n", range);
    ok(log_count(reply, "\"method\":\"GET\"", NULL) == 2, "%d reply requests\n",
       log_count(reply, "\"method\":\"GET\"", NULL));
    IBackgroundCopyJob2_Release(job2);
    cancel_job(job);
}

/* Faults of the server that end the job in ERROR or TRANSIENT_ERROR, by BITS' table of
 * server-application status codes and the BITS-Error-Code the server sends. */
static void test_fatal_and_transient(void)
{
    static const struct
    {
        const char *vdir, *query;
        DWORD size;
        BG_JOB_STATE state;
        HRESULT code;
        BG_ERROR_CONTEXT context;
    }
    tests[] =
    {
        /* a plain web server: 501, fatal */
        { "off", NULL, 100, BG_JOB_STATE_ERROR, BG_E_HTTP_ERROR_501, BG_ERROR_CONTEXT_REMOTE_FILE },
        /* over BITSMaximumUploadSize */
        { "small", NULL, 1100000, BG_JOB_STATE_ERROR, BG_E_TOO_LARGE, BG_ERROR_CONTEXT_REMOTE_FILE },
        { "up", "fail=403", 100, BG_JOB_STATE_ERROR, BG_E_HTTP_ERROR_403, BG_ERROR_CONTEXT_REMOTE_FILE },
        { "up", "fail=503", 100, BG_JOB_STATE_TRANSIENT_ERROR, BG_E_HTTP_ERROR_503, BG_ERROR_CONTEXT_REMOTE_FILE },
        { "up", "fail=503&fail-error=none", 100, BG_JOB_STATE_TRANSIENT_ERROR, BG_E_HTTP_ERROR_503,
          BG_ERROR_CONTEXT_REMOTE_FILE },
        { "up", "fail=505", 100, BG_JOB_STATE_ERROR, BG_E_HTTP_ERROR_505, BG_ERROR_CONTEXT_REMOTE_FILE },
        { "up", "fail=500&fail-packet=Create-Session&fail-error=0x80070005", 100, BG_JOB_STATE_TRANSIENT_ERROR,
          E_ACCESSDENIED, BG_ERROR_CONTEXT_REMOTE_FILE },
        /* the server application's table: 409 and 5xx transient, other 4xx and 501 fatal */
        { "app1", "app-status=409", 100, BG_JOB_STATE_TRANSIENT_ERROR, BG_E_HTTP_ERROR_409,
          BG_ERROR_CONTEXT_REMOTE_APPLICATION },
        { "app1", "app-status=404", 100, BG_JOB_STATE_ERROR, BG_E_HTTP_ERROR_404, BG_ERROR_CONTEXT_REMOTE_APPLICATION },
        { "app2", "app-status=500", 100, BG_JOB_STATE_TRANSIENT_ERROR, BG_E_HTTP_ERROR_500,
          BG_ERROR_CONTEXT_REMOTE_APPLICATION },
        { "app2", "app-status=501", 100, BG_JOB_STATE_ERROR, BG_E_HTTP_ERROR_501, BG_ERROR_CONTEXT_REMOTE_APPLICATION },
        { "app1", "app-status=307", 100, BG_JOB_STATE_ERROR, BG_E_HTTP_ERROR_307, BG_ERROR_CONTEXT_REMOTE_APPLICATION },
        /* the session vanished: transient, and the retry starts a new session */
        { "up", "forget=Fragment", 100, BG_JOB_STATE_TRANSIENT_ERROR, BG_E_SESSION_NOT_FOUND,
          BG_ERROR_CONTEXT_REMOTE_FILE },
        /* a connection lost mid-fragment */
        { "up", "drop=1000", 3000, BG_JOB_STATE_TRANSIENT_ERROR, 0, BG_ERROR_CONTEXT_REMOTE_FILE },
        /* no protocol in common: the server refuses ours, or picks one we did not offer */
        { "up", "protocol=refuse", 100, BG_JOB_STATE_ERROR, BG_E_CLIENT_SERVER_PROTOCOL_MISMATCH,
          BG_ERROR_CONTEXT_REMOTE_FILE },
        { "up", "protocol=other", 100, BG_JOB_STATE_ERROR, BG_E_CLIENT_SERVER_PROTOCOL_MISMATCH,
          BG_ERROR_CONTEXT_REMOTE_FILE },
    };
    WCHAR url[512], local[MAX_PATH], stored[MAX_PATH];
    IBackgroundCopyJob *job;
    BG_ERROR_CONTEXT context;
    BG_JOB_STATE state;
    HRESULT code, hr;
    unsigned int i;

    local_path(local, L"bits_upload_fault.bin");
    for (i = 0; i < ARRAY_SIZE(tests); i++)
    {
        winetest_push_context("%s?%s", tests[i].vdir, tests[i].query ? tests[i].query : "");
        make_source(local, tests[i].size, (BYTE)i);
        make_url(url, tests[i].vdir, "fault.bin", tests[i].query);
        if (!(job = create_upload(L"upload fault", tests[i].vdir[0] == 'a' ? BG_JOB_TYPE_UPLOAD_REPLY
                                  : BG_JOB_TYPE_UPLOAD, url, local)))
        {
            winetest_pop_context();
            continue;
        }
        state = run(job, &code, &context);
        ok(state == tests[i].state, "state %u, error %#lx\n", state, code);
        if (tests[i].code) ok(code == tests[i].code, "error %#lx\n", code);
        else ok(FAILED(code), "error %#lx\n", code);
        ok(context == tests[i].context, "context %u\n", context);
        hr = IBackgroundCopyJob_Complete(job);
        ok(hr == BG_E_INVALID_STATE, "Complete in state %u got %#lx\n", state, hr);
        if (state == BG_JOB_STATE_TRANSIENT_ERROR)
        {
            /* every fault above happens once: the retry gets through */
            state = run(job, &code, &context);
            ok(state == BG_JOB_STATE_TRANSFERRED, "state after the retry %u, error %#lx\n", state, code);
            if (!strcmp(tests[i].vdir, "up"))
            {
                stored_path(stored, url);
                ok(files_equal(local, stored), "the stored upload differs\n");
            }
        }
        cancel_job(job);
        winetest_pop_context();
    }
}

/* An upload of local to /up/<name>?query that meets a transient fault, then gets through on
 * Resume, byte-identical; target gets the log's text of its URL. */
static IBackgroundCopyJob *upload_after_fault(const char *name, const char *query, const WCHAR *local, char *target)
{
    WCHAR url[512], stored[MAX_PATH];
    IBackgroundCopyJob *job;
    BG_ERROR_CONTEXT context;
    BG_JOB_PROGRESS progress;
    BG_JOB_STATE state;
    HRESULT code;

    make_url(url, "up", name, query);
    log_target(target, url);
    if (!(job = create_upload(L"upload after a fault", BG_JOB_TYPE_UPLOAD, url, local))) return NULL;
    state = run(job, &code, &context);
    ok(state == BG_JOB_STATE_TRANSIENT_ERROR, "state %u\n", state);
    /* progress is what the server acknowledged: the first fragment */
    IBackgroundCopyJob_GetProgress(job, &progress);
    ok(progress.BytesTransferred == 1024 * 1024, "acknowledged %I64u\n", progress.BytesTransferred);
    state = run(job, &code, &context);
    ok(state == BG_JOB_STATE_TRANSFERRED, "state %u, error %#lx\n", state, code);
    stored_path(stored, url);
    ok(files_equal(local, stored), "the stored upload differs\n");
    ok(log_count(target, "\"packet\":\"Create-Session\"", NULL) == 1, "a second session was created\n");
    return job;
}

/* After a drop, a lost Ack and a 416 the fragments go on from the server's offset. */
static void test_resume(void)
{
    WCHAR local[MAX_PATH];
    IBackgroundCopyJob *job;
    char target[512];

    local_path(local, L"bits_upload_resume.bin");
    make_source(local, 3 * 1024 * 1024, 9);

    /* The second fragment is cut after 1000 bytes. */
    if (!(job = upload_after_fault("drop.bin", "drop=1000&drop-from=1", local, target))) return;
    ok(log_count(target, "\"content_range\":\"bytes 1048576-2097151/3145728\"", NULL) == 2,
       "the cut fragment was not sent again from the acknowledged offset\n");
    cancel_job(job);

    /* The whole second fragment arrives but its Ack is lost; then a 416. */
    if (!(job = upload_after_fault("lostack.bin", "drop=2000000&drop-from=1&e416=1&e416-from=2097152", local, target)))
        return;
    ok(log_count(target, "\"status\":416", "\"received_range\":\"2097152\"") == 1, "no 416\n");
    ok(log_count(target, "\"content_range\":\"bytes 2097152-3145727/3145728\"", NULL) == 2,
       "not resumed after the 416\n");
    cancel_job(job);
}

/* The server's own settings: no overwrites (409, fatal) and the session timeout
 * (the session is gone: BG_E_SESSION_NOT_FOUND, transient; the retry starts a new session). */
static void test_server_settings(void)
{
    WCHAR url[512], local[MAX_PATH], stored[MAX_PATH];
    IBackgroundCopyJob *job;
    BG_ERROR_CONTEXT context;
    BG_JOB_STATE state;
    char target[512];
    HRESULT code;

    local_path(local, L"bits_upload_settings.bin");
    make_source(local, 3 * 1024 * 1024, 19);

    make_url(url, "noover", "exists.bin", NULL);
    if (!(job = create_upload(L"upload no overwrite", BG_JOB_TYPE_UPLOAD, url, local))) return;
    state = run(job, &code, &context);
    ok(state == BG_JOB_STATE_TRANSFERRED, "first upload: state %u, error %#lx\n", state, code);
    IBackgroundCopyJob_Complete(job);
    IBackgroundCopyJob_Release(job);
    if (!(job = create_upload(L"upload no overwrite", BG_JOB_TYPE_UPLOAD, url, local))) return;
    state = run(job, &code, &context);
    ok(state == BG_JOB_STATE_ERROR, "second upload: state %u\n", state);
    ok(code == HRESULT_FROM_WIN32(ERROR_ALREADY_EXISTS), "error %#lx\n", code);
    ok(context == BG_ERROR_CONTEXT_REMOTE_FILE, "context %u\n", context);
    cancel_job(job);

    make_url(url, "expire", "expire.bin", "drop=1000&drop-from=1");
    if (!(job = create_upload(L"upload expired", BG_JOB_TYPE_UPLOAD, url, local))) return;
    state = run(job, &code, &context);
    ok(state == BG_JOB_STATE_TRANSIENT_ERROR, "state %u\n", state);
    Sleep(4500);                        /* the vdir's session timeout is 3 s */
    state = run(job, &code, &context);
    ok(state == BG_JOB_STATE_TRANSIENT_ERROR && code == BG_E_SESSION_NOT_FOUND, "expired: state %u, error %#lx\n",
       state, code);
    state = run(job, &code, &context);
    ok(state == BG_JOB_STATE_TRANSFERRED, "new session: state %u, error %#lx\n", state, code);
    stored_path(stored, url);
    ok(files_equal(local, stored), "the stored upload differs\n");
    log_target(target, url);
    ok(log_count(target, "\"packet\":\"Create-Session\"", NULL) == 2, "not one new session\n");
    cancel_job(job);
}

/* BG_E_LOCAL_FILE_CHANGED when the upload changes between two attempts. */
static void test_local_file_changed(void)
{
    WCHAR url[512], local[MAX_PATH];
    IBackgroundCopyJob *job;
    BG_ERROR_CONTEXT context;
    BG_JOB_STATE state;
    HRESULT code;

    local_path(local, L"bits_upload_changing.bin");
    make_source(local, 2 * 1024 * 1024, 11);
    make_url(url, "up", "changing.bin", "fail=503&fail-from=1");
    if (!(job = create_upload(L"upload changing", BG_JOB_TYPE_UPLOAD, url, local))) return;
    state = run(job, &code, &context);
    ok(state == BG_JOB_STATE_TRANSIENT_ERROR, "state %u\n", state);
    Sleep(50);
    make_source(local, 2 * 1024 * 1024 + 1, 12);
    state = run(job, &code, &context);
    ok(state == BG_JOB_STATE_ERROR, "state %u\n", state);
    ok(code == BG_E_LOCAL_FILE_CHANGED, "error %#lx\n", code);
    ok(context == BG_ERROR_CONTEXT_LOCAL_FILE, "context %u\n", context);
    cancel_job(job);
}

/* An upload whose second fragment is cut (TRANSIENT_ERROR with a session), then cancelled. */
static void cancel_in_session(const char *name, const char *fault, const WCHAR *local, char *target)
{
    IBackgroundCopyJob *job;
    BG_ERROR_CONTEXT context;
    BG_JOB_STATE state;
    char query[128];
    WCHAR url[512];
    HRESULT code;

    sprintf(query, "drop=1000&drop-from=1&%s", fault);
    make_url(url, "up", name, query);
    log_target(target, url);
    if (!(job = create_upload(L"upload cancel", BG_JOB_TYPE_UPLOAD, url, local))) return;
    state = run(job, &code, &context);
    ok(state == BG_JOB_STATE_TRANSIENT_ERROR, "state %u\n", state);
    cancel_job(job);
}

/* Close-Session and Cancel-Session are sent again on 5xx unless the session is unknown
 * (BG_E_SESSION_NOT_FOUND); Cancel sends Cancel-Session. */
static void test_close_and_cancel(void)
{
    WCHAR url[512], local[MAX_PATH];
    IBackgroundCopyJob *job;
    BG_ERROR_CONTEXT context;
    BG_JOB_STATE state;
    char target[512];
    HRESULT code;
    DWORD start;

    local_path(local, L"bits_upload_close.bin");
    make_source(local, 2 * 1024 * 1024, 13);

    make_url(url, "up", "close.bin", "fail=503&fail-packet=Close-Session");
    if (!(job = create_upload(L"upload close", BG_JOB_TYPE_UPLOAD, url, local))) return;
    state = run(job, &code, &context);
    ok(state == BG_JOB_STATE_TRANSIENT_ERROR && code == BG_E_HTTP_ERROR_503, "state %u, error %#lx\n", state, code);
    state = run(job, &code, &context);
    ok(state == BG_JOB_STATE_TRANSFERRED, "state %u, error %#lx\n", state, code);
    log_target(target, url);
    ok(log_count(target, "\"packet\":\"Close-Session\"", NULL) == 2, "Close-Session not sent again\n");
    ok(log_count(target, "\"packet\":\"Fragment\"", NULL) == 2, "fragments sent again\n");
    IBackgroundCopyJob_Complete(job);
    IBackgroundCopyJob_Release(job);

    /* Cancel during a session: Cancel-Session, re-sent after a 503. */
    cancel_in_session("cancel.bin", "fail=503&fail-packet=Cancel-Session", local, target);
    start = GetTickCount();
    while (log_count(target, "\"packet\":\"Cancel-Session\"", "\"status\":200") < 1 && GetTickCount() - start < 20000)
        Sleep(200);
    ok(log_count(target, "\"packet\":\"Cancel-Session\"", "\"status\":503") == 1, "no first Cancel-Session\n");
    ok(log_count(target, "\"packet\":\"Cancel-Session\"", "\"status\":200") == 1, "Cancel-Session not sent again\n");

    /* An unknown session is not worth a second Cancel-Session. */
    cancel_in_session("cancel2.bin", "forget=Cancel-Session", local, target);
    Sleep(7000);                        /* longer than the retry delay of 5 s */
    ok(log_count(target, "\"packet\":\"Cancel-Session\"", "\"error_code\":\"0x8020001F\"") == 1,
       "Cancel-Session count %d\n", log_count(target, "\"packet\":\"Cancel-Session\"", NULL));
}

/* BITS-Host-Id: later packets go to that host; an unreachable one is left after the fallback
 * timeout, never without one. */
static void test_host_affinity(void)
{
    WCHAR url[512], local[MAX_PATH], stored[MAX_PATH];
    IBackgroundCopyJob *job;
    BG_ERROR_CONTEXT context;
    BG_JOB_STATE state;
    char target[512], alt[64];
    HRESULT code;

    local_path(local, L"bits_upload_host.bin");
    make_source(local, 100000, 17);

    make_url(url, "up", "host.bin", "hostid=alt");
    if (!(job = create_upload(L"upload host", BG_JOB_TYPE_UPLOAD, url, local))) return;
    state = run(job, &code, &context);
    ok(state == BG_JOB_STATE_TRANSFERRED, "state %u, error %#lx\n", state, code);
    log_target(target, url);
    sprintf(alt, "\"port\":%s", upload_alt_port);
    ok(log_count(target, "\"packet\":\"Fragment\"", alt) == 1, "the fragment did not go to the host id\n");
    ok(log_count(target, "\"packet\":\"Close-Session\"", alt) == 1, "Close-Session did not go to the host id\n");
    IBackgroundCopyJob_Complete(job);
    IBackgroundCopyJob_Release(job);

    make_url(url, "up", "dead.bin", "hostid=dead&fallback=0");
    if (!(job = create_upload(L"upload dead host", BG_JOB_TYPE_UPLOAD, url, local))) return;
    state = run(job, &code, &context);
    ok(state == BG_JOB_STATE_TRANSIENT_ERROR, "state %u, error %#lx\n", state, code);
    state = run(job, &code, &context);
    ok(state == BG_JOB_STATE_TRANSFERRED, "no fallback: state %u, error %#lx\n", state, code);
    stored_path(stored, url);
    ok(files_equal(local, stored), "the stored upload differs\n");
    IBackgroundCopyJob_Complete(job);
    IBackgroundCopyJob_Release(job);

    make_url(url, "up", "dead2.bin", "hostid=dead");
    if (!(job = create_upload(L"upload dead host", BG_JOB_TYPE_UPLOAD, url, local))) return;
    state = run(job, &code, &context);
    ok(state == BG_JOB_STATE_TRANSIENT_ERROR, "state %u, error %#lx\n", state, code);
    state = run(job, &code, &context);
    ok(state == BG_JOB_STATE_TRANSIENT_ERROR, "fell back without a timeout: state %u\n", state);
    cancel_job(job);
}

START_TEST(upload)
{
    HRESULT hr;

    if (!get_env("BITS_UPLOAD_PORT", upload_port, sizeof(upload_port))
        || !get_env("BITS_UPLOAD_ALT_PORT", upload_alt_port, sizeof(upload_alt_port))
        || !get_env("BITS_UPLOAD_DIR", upload_dir, sizeof(upload_dir))
        || !get_env("BITS_UPLOAD_LOG", upload_log, sizeof(upload_log)))
    {
        skip("the upload server is not running (tests/run.sh starts it)\n");
        return;
    }
    unique = GetTickCount() % 100000 * 100;
    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    GetTempPathW(ARRAY_SIZE(temp_dir), temp_dir);
    hr = CoCreateInstance(&CLSID_BackgroundCopyManager, NULL, CLSCTX_LOCAL_SERVER, &IID_IBackgroundCopyManager,
                          (void **)&manager);
    ok(hr == S_OK, "CoCreateInstance got %#lx\n", hr);
    if (hr == S_OK)
    {
        test_plain_upload();
        test_upload_reply();
        test_reply_data();
        test_reply_resume();
        test_fatal_and_transient();
        test_resume();
        test_server_settings();
        test_local_file_changed();
        test_close_and_cancel();
        test_host_affinity();
        IBackgroundCopyManager_Release(manager);
    }
    CoUninitialize();
}

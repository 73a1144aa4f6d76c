/*
 * Conformance tests for the files of a job: AddFile, AddFileSet and AddFileWithRanges
 * validation (names, schemes, lengths and ranges), ReplaceRemotePrefix and SetRemoteName, the
 * IBackgroundCopyFile..File6 methods that need no transfer, and IEnumBackgroundCopyFiles.
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
#include <sddl.h>
#include "bitsall.h"
#include "wine/test.h"
#include "bits_test.h"


static void make_file(const WCHAR *path, const char *data)
{
    HANDLE handle = CreateFileW(path, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
    DWORD written;

    ok(handle != INVALID_HANDLE_VALUE, "cannot create %s: %lu\n", wine_dbgstr_w(path), GetLastError());
    WriteFile(handle, data, strlen(data), &written, NULL);
    CloseHandle(handle);
}

static ULONG file_count(IBackgroundCopyJob *job)
{
    BG_JOB_PROGRESS progress;
    HRESULT hr;

    memset(&progress, 0xcc, sizeof(progress));
    hr = IBackgroundCopyJob_GetProgress(job, &progress);
    ok(hr == S_OK, "GetProgress got %#lx\n", hr);
    return progress.FilesTotal;
}

static BOOL remote_name_is(IBackgroundCopyFile *file, const WCHAR *expect)
{
    WCHAR *name = NULL;
    BOOL ret;

    if (FAILED(IBackgroundCopyFile_GetRemoteName(file, &name))) return FALSE;
    ret = name && !wcscmp(name, expect);
    if (!ret) trace("remote name %s, expected %s\n", wine_dbgstr_w(name), wine_dbgstr_w(expect));
    CoTaskMemFree(name);
    return ret;
}

/* An http URL of exactly len characters whose path segments stay far below MAX_PATH. */
static WCHAR *make_long_url(int len)
{
    WCHAR *url = HeapAlloc(GetProcessHeap(), 0, (len + 1) * sizeof(WCHAR));
    int i;

    wcscpy(url, L"http://127.0.0.1/");
    for (i = lstrlenW(url); i < len; i++) url[i] = (i % 100) ? 'a' : '/';
    url[len - 1] = 'z';
    url[len] = 0;
    return url;
}

static void test_remote_names(void)
{
    static const WCHAR *accepted[] =
    {
        L"http://127.0.0.1/a.bin",
        L"https://127.0.0.1/a.bin",
        L"HTTP://127.0.0.1:8080/dir/a.bin?query=1",
        L"file:///C:/windows/win.ini",
        L"\\\\server\\share\\a.bin",
        L"C:\\windows\\win.ini",
    };
    static const WCHAR *rejected[] =
    {
        L"a.bin",
        L"dir\\a.bin",
        L"..\\a.bin",
        L"\\a.bin",
        L"ftp://127.0.0.1/a.bin",
        L"gopher://127.0.0.1/a.bin",
        L"mailto:someone@example.com",
        L"",
    };
    IBackgroundCopyJob *job;
    WCHAR local[MAX_PATH], *url;
    unsigned int i;
    HRESULT hr;

    if (!(job = create_job(L"remote names", BG_JOB_TYPE_DOWNLOAD))) return;
    local_path(local, L"remote_names.bin");
    for (i = 0; i < ARRAY_SIZE(accepted); i++)
    {
        winetest_push_context("%s", wine_dbgstr_w(accepted[i]));
        hr = IBackgroundCopyJob_AddFile(job, accepted[i], local);
        ok(hr == S_OK, "got %#lx\n", hr);
        winetest_pop_context();
    }
    for (i = 0; i < ARRAY_SIZE(rejected); i++)
    {
        winetest_push_context("%s", wine_dbgstr_w(rejected[i]));
        hr = IBackgroundCopyJob_AddFile(job, rejected[i], local);
        ok(hr == E_INVALIDARG, "got %#lx\n", hr);
        winetest_pop_context();
    }
    ok(file_count(job) == ARRAY_SIZE(accepted), "got %lu files\n", file_count(job));

    /* a remote URL has 2200 characters at most */
    url = make_long_url(2200);
    hr = IBackgroundCopyJob_AddFile(job, url, local);
    ok(hr == S_OK, "2200 characters got %#lx\n", hr);
    HeapFree(GetProcessHeap(), 0, url);
    url = make_long_url(2201);
    hr = IBackgroundCopyJob_AddFile(job, url, local);
    ok(hr == E_INVALIDARG, "2201 characters got %#lx\n", hr);
    HeapFree(GetProcessHeap(), 0, url);
    cancel_job(job);

    /* upload-reply jobs need HTTP; SMB and file:// are download and upload only. */
    if (!(job = create_job(L"upload-reply names", BG_JOB_TYPE_UPLOAD_REPLY))) return;
    local_path(local, L"upload_reply_src.txt");
    make_file(local, "upload");
    hr = IBackgroundCopyJob_AddFile(job, L"\\\\server\\share\\a.bin", local);
    ok(hr == E_INVALIDARG, "UNC for upload-reply got %#lx\n", hr);
    hr = IBackgroundCopyJob_AddFile(job, L"file:///C:/a.bin", local);
    ok(hr == E_INVALIDARG, "file:// for upload-reply got %#lx\n", hr);
    hr = IBackgroundCopyJob_AddFile(job, L"http://127.0.0.1/upload", local);
    ok(hr == S_OK, "http for upload-reply got %#lx\n", hr);
    cancel_job(job);
    DeleteFileW(local);
}

/* The names of the tests below are written in C:\windows\temp; they are tried in the user's
 * temp directory instead, which every user may write to on Windows too. */
static const WCHAR *in_temp(const WCHAR *name, WCHAR *buf)
{
    static const WCHAR prefix[] = L"C:\\windows\\temp\\";

    if (wcsncmp(name, prefix, ARRAY_SIZE(prefix) - 1)) return name;
    swprintf(buf, MAX_PATH, L"%ls%ls", temp_dir, name + ARRAY_SIZE(prefix) - 1);
    return buf;
}

static void test_local_names(void)
{
    static const WCHAR *rejected[] =
    {
        L"a.bin",
        L"dir\\a.bin",
        L"..\\a.bin",
        L"C:a.bin",
        L"C:\\windows\\temp\\a*.bin",
        L"C:\\windows\\temp\\a?.bin",
        L"C:\\windows\\temp\\a.bin:stream",
        L"C:\\windows\\temp\\",
        L"",
        /* devices, in any folder, with any extension, in any case */
        L"C:\\con",
        L"C:\\windows\\temp\\nul",
        L"C:\\windows\\temp\\NUL.txt",
        L"C:\\windows\\temp\\Prn.bin",
        L"C:\\windows\\temp\\aux",
        L"C:\\windows\\temp\\com1",
        L"C:\\windows\\temp\\COM9.log",
        L"C:\\windows\\temp\\lpt1",
        L"C:\\windows\\temp\\LpT3.x.y",
        L"C:\\windows\\temp\\con .txt",
        /* names Windows would store without their last dots or spaces */
        L"C:\\windows\\temp\\a.bin.",
        L"C:\\windows\\temp\\a.bin ",
        L"C:\\windows\\temp\\a...",
    };
    static const WCHAR *accepted[] =
    {
        L"C:\\windows\\temp\\console.bin",
        L"C:\\windows\\temp\\com10",
        L"C:\\windows\\temp\\lpt0.txt",
        L"C:\\windows\\temp\\nul_a",
        L"C:\\windows\\temp\\a.b c",
    };
    BG_FILE_INFO info;
    SECURITY_ATTRIBUTES sa = { sizeof(sa) };
    PSECURITY_DESCRIPTOR sd;
    IBackgroundCopyJob *job;
    WCHAR local[MAX_PATH], dir[MAX_PATH], long_path[MAX_PATH + 10], buf[MAX_PATH];
    const WCHAR *name;
    unsigned int i;
    HRESULT hr;

    if (!(job = create_job(L"local names", BG_JOB_TYPE_DOWNLOAD))) return;
    for (i = 0; i < ARRAY_SIZE(rejected); i++)
    {
        name = in_temp(rejected[i], buf);
        winetest_push_context("%s", wine_dbgstr_w(name));
        hr = IBackgroundCopyJob_AddFile(job, L"http://127.0.0.1/a.bin", name);
        ok(hr == E_INVALIDARG, "got %#lx\n", hr);
        info.RemoteName = (WCHAR *)L"http://127.0.0.1/a.bin";
        info.LocalName = (WCHAR *)name;
        hr = IBackgroundCopyJob_AddFileSet(job, 1, &info);
        ok(hr == E_INVALIDARG, "AddFileSet got %#lx\n", hr);
        winetest_pop_context();
    }
    for (i = 0; i < ARRAY_SIZE(accepted); i++)
    {
        name = in_temp(accepted[i], buf);
        winetest_push_context("%s", wine_dbgstr_w(name));
        hr = IBackgroundCopyJob_AddFile(job, L"http://127.0.0.1/a.bin", name);
        ok(hr == S_OK, "got %#lx\n", hr);
        winetest_pop_context();
    }
    cancel_job(job);
    if (!(job = create_job(L"local names", BG_JOB_TYPE_DOWNLOAD))) return;

    /* An existing directory cannot become the downloaded file. */
    local_path(dir, L"bits_dir_as_file");
    CreateDirectoryW(dir, NULL);
    hr = IBackgroundCopyJob_AddFile(job, L"http://127.0.0.1/a.bin", dir);
    ok(hr == E_INVALIDARG, "an existing directory got %#lx\n", hr);
    RemoveDirectoryW(dir);

    /* a local path has at most MAX_PATH characters */
    swprintf(long_path, ARRAY_SIZE(long_path), L"%ls", temp_dir);
    for (i = lstrlenW(long_path); i < MAX_PATH + 5; i++) long_path[i] = 'a';
    long_path[i] = 0;
    hr = IBackgroundCopyJob_AddFile(job, L"http://127.0.0.1/a.bin", long_path);
    ok(hr == E_INVALIDARG, "a path longer than MAX_PATH got %#lx\n", hr);

    /* The destination directory must exist. E_ACCESSDENIED is a guess: it is the code AddFile
     * documents for a directory it cannot write to. */
    local_path(local, L"no_such_directory\\a.bin");
    hr = IBackgroundCopyJob_AddFile(job, L"http://127.0.0.1/a.bin", local);
    ok(hr == E_ACCESSDENIED, "missing directory got %#lx\n", hr);

    /* A directory the caller may not add files to (documented as E_ACCESSDENIED). */
    local_path(dir, L"bits_no_add_file");
    RemoveDirectoryW(dir);
    if (ConvertStringSecurityDescriptorToSecurityDescriptorW(L"D:P(D;;0x2;;;WD)(A;;FA;;;WD)", SDDL_REVISION_1,
                                                             &sd, NULL))
    {
        sa.lpSecurityDescriptor = sd;
        ok(CreateDirectoryW(dir, &sa), "CreateDirectory failed: %lu\n", GetLastError());
        LocalFree(sd);
        swprintf(local, MAX_PATH, L"%ls\\a.bin", dir);
        hr = IBackgroundCopyJob_AddFile(job, L"http://127.0.0.1/a.bin", local);
        ok(hr == E_ACCESSDENIED, "directory without FILE_ADD_FILE got %#lx\n", hr);
        ok(RemoveDirectoryW(dir), "RemoveDirectory failed: %lu\n", GetLastError());
    }

    ok(file_count(job) == 0, "got %lu files\n", file_count(job));
    cancel_job(job);

    /* An upload reads its local file: it must exist (undocumented; checking it at AddFile is our choice). */
    if (!(job = create_job(L"upload source", BG_JOB_TYPE_UPLOAD))) return;
    local_path(local, L"no_such_upload_source.txt");
    DeleteFileW(local);
    hr = IBackgroundCopyJob_AddFile(job, L"http://127.0.0.1/upload", local);
    ok(hr == HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND), "missing upload source got %#lx\n", hr);
    local_path(dir, L"bits_upload_dir");
    CreateDirectoryW(dir, NULL);
    hr = IBackgroundCopyJob_AddFile(job, L"http://127.0.0.1/upload", dir);
    ok(hr == E_ACCESSDENIED, "a directory as upload source got %#lx [inferred]\n", hr);
    RemoveDirectoryW(dir);
    /* A source the caller may not read: the service must not read it on the caller's behalf.
     * E_ACCESSDENIED is our choice, the code AddFile documents for a destination it may not
     * write. (Wine does not enforce the DACL on opens, so only the access check can refuse.) */
    local_path(local, L"bits_unreadable_source.txt");
    DeleteFileW(local);
    if (ConvertStringSecurityDescriptorToSecurityDescriptorW(L"D:P(D;;0x1;;;WD)(A;;FA;;;WD)", SDDL_REVISION_1,
                                                             &sd, NULL))
    {
        HANDLE handle;

        sa.lpSecurityDescriptor = sd;
        handle = CreateFileW(local, GENERIC_WRITE, 0, &sa, CREATE_ALWAYS, 0, NULL);
        ok(handle != INVALID_HANDLE_VALUE, "CreateFile failed: %lu\n", GetLastError());
        CloseHandle(handle);
        LocalFree(sd);
        hr = IBackgroundCopyJob_AddFile(job, L"http://127.0.0.1/upload", local);
        ok(hr == E_ACCESSDENIED, "an upload source without FILE_READ_DATA got %#lx\n", hr);
        ok(DeleteFileW(local), "DeleteFile failed: %lu\n", GetLastError());
    }
    ok(file_count(job) == 0, "got %lu files\n", file_count(job));
    cancel_job(job);
}

static void test_add_file_set(void)
{
    static const WCHAR *remotes[] =
    {
        L"http://127.0.0.1/1", L"http://127.0.0.1/2", L"http://127.0.0.1/3",
        L"http://127.0.0.1/4", L"http://127.0.0.1/5",
    };
    WCHAR locals[5][MAX_PATH], upload_src[MAX_PATH];
    IBackgroundCopyFile *file;
    IBackgroundCopyJob *job;
    BG_FILE_INFO info[5];
    unsigned int i;
    HRESULT hr;

    for (i = 0; i < ARRAY_SIZE(remotes); i++)
    {
        swprintf(locals[i], MAX_PATH, L"%lsset%u.bin", temp_dir, i);
        info[i].RemoteName = (WCHAR *)remotes[i];
        info[i].LocalName = locals[i];
    }

    if (!(job = create_job(L"file set", BG_JOB_TYPE_DOWNLOAD))) return;
    /* All or nothing: a bad third entry adds none. */
    info[2].RemoteName = (WCHAR *)L"ftp://127.0.0.1/3";
    hr = IBackgroundCopyJob_AddFileSet(job, 3, info);
    ok(hr == E_INVALIDARG, "a bad scheme in the set got %#lx\n", hr);
    ok(file_count(job) == 0, "got %lu files\n", file_count(job));
    info[2].RemoteName = (WCHAR *)remotes[2];
    info[2].LocalName = (WCHAR *)L"relative.bin";
    hr = IBackgroundCopyJob_AddFileSet(job, 3, info);
    ok(hr == E_INVALIDARG, "a relative local name in the set got %#lx\n", hr);
    ok(file_count(job) == 0, "got %lu files\n", file_count(job));
    info[2].LocalName = locals[2];

    /* Insertion order across AddFile and AddFileSet. */
    hr = IBackgroundCopyJob_AddFile(job, remotes[0], locals[0]);
    ok(hr == S_OK, "AddFile got %#lx\n", hr);
    hr = IBackgroundCopyJob_AddFileSet(job, 3, info + 1);
    ok(hr == S_OK, "AddFileSet got %#lx\n", hr);
    hr = IBackgroundCopyJob_AddFile(job, remotes[4], locals[4]);
    ok(hr == S_OK, "AddFile got %#lx\n", hr);
    ok(file_count(job) == 5, "got %lu files\n", file_count(job));
    for (i = 0; i < ARRAY_SIZE(remotes); i++)
    {
        winetest_push_context("file %u", i);
        if ((file = get_file(job, i)))
        {
            ok(remote_name_is(file, remotes[i]), "wrong order\n");
            IBackgroundCopyFile_Release(file);
        }
        winetest_pop_context();
    }
    cancel_job(job);

    /* an upload job holds exactly one file. */
    local_path(upload_src, L"upload_set_src.txt");
    make_file(upload_src, "upload");
    for (i = 0; i < 2; i++) info[i].LocalName = upload_src;
    if (!(job = create_job(L"upload set", BG_JOB_TYPE_UPLOAD))) return;
    hr = IBackgroundCopyJob_AddFileSet(job, 2, info);
    ok(hr == BG_E_TOO_MANY_FILES, "two files for an upload got %#lx\n", hr);
    ok(file_count(job) == 0, "got %lu files\n", file_count(job));
    hr = IBackgroundCopyJob_AddFile(job, remotes[0], upload_src);
    ok(hr == S_OK, "AddFile got %#lx\n", hr);
    hr = IBackgroundCopyJob_AddFile(job, remotes[1], upload_src);
    ok(hr == BG_E_TOO_MANY_FILES, "a second upload file got %#lx\n", hr);
    ok(file_count(job) == 1, "got %lu files\n", file_count(job));
    cancel_job(job);

    if (!(job = create_job(L"upload-reply set", BG_JOB_TYPE_UPLOAD_REPLY))) return;
    hr = IBackgroundCopyJob_AddFile(job, remotes[0], upload_src);
    ok(hr == S_OK, "AddFile got %#lx\n", hr);
    hr = IBackgroundCopyJob_AddFile(job, remotes[1], upload_src);
    ok(hr == BG_E_TOO_MANY_FILES, "a second upload-reply file got %#lx\n", hr);
    cancel_job(job);
    DeleteFileW(upload_src);
}

static void test_ranges(void)
{
    static const struct
    {
        DWORD count;
        BG_FILE_RANGE ranges[3];
        HRESULT hr;
        UINT64 total;
    }
    tests[] =
    {
        { 1, { { 0, 100 } }, S_OK, 100 },
        { 2, { { 0, 100 }, { 100, 50 } }, S_OK, 150 },                       /* adjacent */
        { 2, { { 1000, 10 }, { 0, 10 } }, S_OK, 20 },                        /* any order */
        { 2, { { 0, 100 }, { 5000, BG_LENGTH_TO_EOF } }, S_OK, BG_SIZE_UNKNOWN },
        { 1, { { BG_LENGTH_TO_EOF, 10 } }, BG_E_INVALID_RANGE },            /* documented: not an offset */
        { 1, { { ~(UINT64)0 - 5, 10 } }, BG_E_INVALID_RANGE },              /* wraps around: refused as invalid, our choice */
        { 2, { { 0, 100 }, { 50, 10 } }, BG_E_OVERLAPPING_RANGES },
        { 2, { { 0, 100 }, { 0, 100 } }, BG_E_OVERLAPPING_RANGES },         /* duplicate */
        { 2, { { 10, 0 }, { 10, 20 } }, BG_E_OVERLAPPING_RANGES },          /* zero length first, same offset */
        { 2, { { 0, BG_LENGTH_TO_EOF }, { 100, 10 } }, BG_E_OVERLAPPING_RANGES },
        { 3, { { 0, 10 }, { 20, 10 }, { 25, 1 } }, BG_E_OVERLAPPING_RANGES },
    };
    IBackgroundCopyFile2 *file2;
    IBackgroundCopyFile *file;
    IBackgroundCopyJob3 *job3;
    IBackgroundCopyJob *job;
    BG_FILE_PROGRESS progress;
    BG_FILE_RANGE *got;
    WCHAR local[MAX_PATH], src[MAX_PATH], buf[MAX_PATH];
    unsigned int i;
    DWORD count, j;
    HRESULT hr;

    local_path(local, L"ranges.bin");
    for (i = 0; i < ARRAY_SIZE(tests); i++)
    {
        winetest_push_context("test %u", i);
        if (!(job = create_job(L"ranges", BG_JOB_TYPE_DOWNLOAD))) break;
        IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJob3, (void **)&job3);
        hr = IBackgroundCopyJob3_AddFileWithRanges(job3, L"http://127.0.0.1/ranges.bin", local, tests[i].count,
                                                   (BG_FILE_RANGE *)tests[i].ranges);
        ok(hr == tests[i].hr, "got %#lx\n", hr);
        if (hr == S_OK && (file = get_file(job, 0)))
        {
            IBackgroundCopyFile_QueryInterface(file, &IID_IBackgroundCopyFile2, (void **)&file2);
            got = NULL;
            hr = IBackgroundCopyFile2_GetFileRanges(file2, &count, &got);
            ok(hr == S_OK && count == tests[i].count, "GetFileRanges got %#lx, %lu\n", hr, count);
            for (j = 0; got && j < count; j++)
                ok(got[j].InitialOffset == tests[i].ranges[j].InitialOffset
                   && got[j].Length == tests[i].ranges[j].Length, "range %lu: %s %s\n", j,
                   wine_dbgstr_longlong(got[j].InitialOffset), wine_dbgstr_longlong(got[j].Length));
            CoTaskMemFree(got);
            /* with ranges the total is their sum */
            hr = IBackgroundCopyFile_GetProgress(file, &progress);
            ok(hr == S_OK && progress.BytesTotal == tests[i].total, "GetProgress got %#lx, total %s\n", hr,
               wine_dbgstr_longlong(progress.BytesTotal));
            IBackgroundCopyFile2_Release(file2);
            IBackgroundCopyFile_Release(file);
        }
        else ok(file_count(job) == 0, "got %lu files\n", file_count(job));
        IBackgroundCopyJob3_Release(job3);
        cancel_job(job);
        winetest_pop_context();
    }

    if (!(job = create_job(L"ranges args", BG_JOB_TYPE_DOWNLOAD))) return;
    IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJob3, (void **)&job3);
    hr = IBackgroundCopyJob3_AddFileWithRanges(job3, L"http://127.0.0.1/ranges.bin", local, 0,
                                               (BG_FILE_RANGE *)tests[0].ranges);
    ok(hr == E_INVALIDARG, "no ranges got %#lx\n", hr);
    hr = IBackgroundCopyJob3_AddFileWithRanges(job3, L"ftp://127.0.0.1/ranges.bin", local, 1,
                                               (BG_FILE_RANGE *)tests[0].ranges);
    ok(hr == E_INVALIDARG, "ftp got %#lx\n", hr);
    hr = IBackgroundCopyJob3_AddFileWithRanges(job3, L"http://127.0.0.1/ranges.bin", in_temp(L"C:\\windows\\temp\\Com2.dat", buf), 1,
                                               (BG_FILE_RANGE *)tests[0].ranges);
    ok(hr == E_INVALIDARG, "a device name got %#lx\n", hr);
    /* SMB is not accepted since BITS 3.0 */
    hr = IBackgroundCopyJob3_AddFileWithRanges(job3, L"\\\\server\\share\\ranges.bin", local, 1,
                                               (BG_FILE_RANGE *)tests[0].ranges);
    ok(hr == E_INVALIDARG, "UNC got %#lx\n", hr);
    hr = IBackgroundCopyJob3_AddFileWithRanges(job3, L"http://127.0.0.1/ranges.bin", L"ranges.bin", 1,
                                               (BG_FILE_RANGE *)tests[0].ranges);
    ok(hr == E_INVALIDARG, "relative local name got %#lx\n", hr);
    /* A file without ranges has none to report. */
    hr = IBackgroundCopyJob_AddFile(job, L"http://127.0.0.1/whole.bin", local);
    ok(hr == S_OK, "AddFile got %#lx\n", hr);
    if ((file = get_file(job, 0)))
    {
        IBackgroundCopyFile_QueryInterface(file, &IID_IBackgroundCopyFile2, (void **)&file2);
        count = 99;
        got = (BG_FILE_RANGE *)0xdeadbeef;
        hr = IBackgroundCopyFile2_GetFileRanges(file2, &count, &got);
        ok(hr == S_FALSE, "GetFileRanges without ranges got %#lx\n", hr);
        ok(!count && !got, "got %lu ranges, %p\n", count, got);
        IBackgroundCopyFile2_Release(file2);
        IBackgroundCopyFile_Release(file);
    }
    IBackgroundCopyJob3_Release(job3);
    cancel_job(job);

    /* download jobs only */
    local_path(src, L"ranges_upload_src.txt");
    make_file(src, "upload");
    if (!(job = create_job(L"ranges upload", BG_JOB_TYPE_UPLOAD))) return;
    IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJob3, (void **)&job3);
    hr = IBackgroundCopyJob3_AddFileWithRanges(job3, L"http://127.0.0.1/ranges.bin", src, 1,
                                               (BG_FILE_RANGE *)tests[0].ranges);
    ok(hr == E_NOTIMPL, "upload got %#lx\n", hr);
    IBackgroundCopyJob3_Release(job3);
    cancel_job(job);
    DeleteFileW(src);
}

static void test_replace_remote_prefix(void)
{
    static const WCHAR *names[] =
    {
        L"http://a.example/dir/x.bin", L"http://a.example/y.bin", L"http://b.example/a.example/z.bin",
    };
    IBackgroundCopyFile *file;
    IBackgroundCopyJob3 *job3;
    IBackgroundCopyJob *job;
    WCHAR local[MAX_PATH], *prefix;
    unsigned int i;
    HRESULT hr;

    if (!(job = create_job(L"replace prefix", BG_JOB_TYPE_DOWNLOAD))) return;
    IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJob3, (void **)&job3);
    hr = IBackgroundCopyJob3_ReplaceRemotePrefix(job3, L"http://a.example/", L"http://c.example/");
    ok(hr == S_FALSE, "no files got %#lx\n", hr);
    local_path(local, L"prefix.bin");
    for (i = 0; i < ARRAY_SIZE(names); i++)
    {
        hr = IBackgroundCopyJob_AddFile(job, names[i], local);
        ok(hr == S_OK, "AddFile got %#lx\n", hr);
    }

    hr = IBackgroundCopyJob3_ReplaceRemotePrefix(job3, L"http://nomatch.example/", L"http://c.example/");
    ok(hr == S_FALSE, "no match got %#lx\n", hr);
    /* case-sensitive */
    hr = IBackgroundCopyJob3_ReplaceRemotePrefix(job3, L"HTTP://A.EXAMPLE/", L"http://c.example/");
    ok(hr == S_FALSE, "other case got %#lx\n", hr);
    hr = IBackgroundCopyJob3_ReplaceRemotePrefix(job3, L"", L"http://c.example/");
    ok(hr == E_INVALIDARG, "empty old prefix got %#lx\n", hr);
    hr = IBackgroundCopyJob3_ReplaceRemotePrefix(job3, L"http://a.example/", L"");
    ok(hr == E_INVALIDARG, "empty new prefix got %#lx\n", hr);
    hr = IBackgroundCopyJob3_ReplaceRemotePrefix(job3, L"http://", L"ftp://");
    ok(hr == E_INVALIDARG, "an invalid result got %#lx\n", hr);
    prefix = make_long_url(2200);
    hr = IBackgroundCopyJob3_ReplaceRemotePrefix(job3, L"http://a.example/", prefix);
    ok(hr == E_INVALIDARG, "a result over 2200 characters got %#lx\n", hr);
    HeapFree(GetProcessHeap(), 0, prefix);
    for (i = 0; i < ARRAY_SIZE(names); i++)
    {
        winetest_push_context("unchanged %u", i);
        if ((file = get_file(job, i)))
        {
            ok(remote_name_is(file, names[i]), "changed by a failed call\n");
            IBackgroundCopyFile_Release(file);
        }
        winetest_pop_context();
    }

    hr = IBackgroundCopyJob3_ReplaceRemotePrefix(job3, L"http://a.example/", L"https://c.example:8443/");
    ok(hr == S_OK, "ReplaceRemotePrefix got %#lx\n", hr);
    if ((file = get_file(job, 0)))
    {
        ok(remote_name_is(file, L"https://c.example:8443/dir/x.bin"), "first file not renamed\n");
        IBackgroundCopyFile_Release(file);
    }
    if ((file = get_file(job, 1)))
    {
        ok(remote_name_is(file, L"https://c.example:8443/y.bin"), "second file not renamed\n");
        IBackgroundCopyFile_Release(file);
    }
    if ((file = get_file(job, 2)))
    {
        ok(remote_name_is(file, names[2]), "only prefixes are replaced\n");
        IBackgroundCopyFile_Release(file);
    }
    IBackgroundCopyJob3_Release(job3);
    cancel_job(job);

    /* E_NOTIMPL for anything but downloads */
    if (!(job = create_job(L"replace prefix upload", BG_JOB_TYPE_UPLOAD))) return;
    IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJob3, (void **)&job3);
    hr = IBackgroundCopyJob3_ReplaceRemotePrefix(job3, L"http://a.example/", L"http://c.example/");
    ok(hr == E_NOTIMPL, "upload got %#lx\n", hr);
    IBackgroundCopyJob3_Release(job3);
    cancel_job(job);
}

static void test_set_remote_name(void)
{
    IBackgroundCopyFile2 *file2;
    IBackgroundCopyFile *file;
    IBackgroundCopyJob *job;
    WCHAR local[MAX_PATH], *url;
    HRESULT hr;

    if (!(job = create_job(L"set remote name", BG_JOB_TYPE_DOWNLOAD))) return;
    local_path(local, L"remote_name.bin");
    hr = IBackgroundCopyJob_AddFile(job, L"http://127.0.0.1/old.bin", local);
    ok(hr == S_OK, "AddFile got %#lx\n", hr);
    if ((file = get_file(job, 0)))
    {
        IBackgroundCopyFile_QueryInterface(file, &IID_IBackgroundCopyFile2, (void **)&file2);
        hr = IBackgroundCopyFile2_SetRemoteName(file2, L"https://127.0.0.1/new.bin");
        ok(hr == S_OK, "SetRemoteName got %#lx\n", hr);
        ok(remote_name_is(file, L"https://127.0.0.1/new.bin"), "not renamed\n");
        hr = IBackgroundCopyFile2_SetRemoteName(file2, L"ftp://127.0.0.1/new.bin");
        ok(hr == E_INVALIDARG, "ftp got %#lx\n", hr);
        hr = IBackgroundCopyFile2_SetRemoteName(file2, L"new.bin");
        ok(hr == E_INVALIDARG, "relative got %#lx\n", hr);
        url = make_long_url(2201);
        hr = IBackgroundCopyFile2_SetRemoteName(file2, url);
        ok(hr == E_INVALIDARG, "2201 characters got %#lx\n", hr);
        HeapFree(GetProcessHeap(), 0, url);
        ok(remote_name_is(file, L"https://127.0.0.1/new.bin"), "changed by a failed call\n");
        IBackgroundCopyFile2_Release(file2);
        IBackgroundCopyFile_Release(file);
    }
    cancel_job(job);

    /* download jobs only */
    local_path(local, L"remote_name_src.txt");
    make_file(local, "upload");
    if (!(job = create_job(L"set remote name upload", BG_JOB_TYPE_UPLOAD))) return;
    hr = IBackgroundCopyJob_AddFile(job, L"http://127.0.0.1/up", local);
    ok(hr == S_OK, "AddFile got %#lx\n", hr);
    if ((file = get_file(job, 0)))
    {
        IBackgroundCopyFile_QueryInterface(file, &IID_IBackgroundCopyFile2, (void **)&file2);
        hr = IBackgroundCopyFile2_SetRemoteName(file2, L"http://127.0.0.1/up2");
        ok(hr == E_NOTIMPL, "upload got %#lx\n", hr);
        IBackgroundCopyFile2_Release(file2);
        IBackgroundCopyFile_Release(file);
    }
    cancel_job(job);
    DeleteFileW(local);
}

/* File..File6 before any transfer. */
static void test_file_methods(void)
{
    IBackgroundCopyFile3 *file3;
    IBackgroundCopyFile4 *file4;
    IBackgroundCopyFile6 *file6;
    IBackgroundCopyFile *file;
    IBackgroundCopyJob *job;
    BG_FILE_PROGRESS progress;
    BG_FILE_RANGE *ranges;
    WCHAR local[MAX_PATH], *name, *slash;
    UINT64 origin, peers;
    DWORD count;
    BOOL value;
    HRESULT hr;

    if (!(job = create_job(L"file methods", BG_JOB_TYPE_DOWNLOAD))) return;
    local_path(local, L"file_methods.bin");
    DeleteFileW(local);
    hr = IBackgroundCopyJob_AddFile(job, L"http://127.0.0.1/file_methods.bin", local);
    ok(hr == S_OK, "AddFile got %#lx\n", hr);
    if (!(file = get_file(job, 0)))
    {
        cancel_job(job);
        return;
    }

    hr = IBackgroundCopyFile_GetLocalName(file, &name);
    ok(hr == S_OK && name && !wcscmp(name, local), "GetLocalName got %#lx, %s\n", hr, wine_dbgstr_w(name));
    CoTaskMemFree(name);
    memset(&progress, 0xcc, sizeof(progress));
    hr = IBackgroundCopyFile_GetProgress(file, &progress);
    ok(hr == S_OK, "GetProgress got %#lx\n", hr);
    ok(progress.BytesTotal == BG_SIZE_UNKNOWN, "BytesTotal %s\n", wine_dbgstr_longlong(progress.BytesTotal));
    ok(progress.BytesTransferred == 0, "BytesTransferred %s\n", wine_dbgstr_longlong(progress.BytesTransferred));
    ok(progress.Completed == FALSE, "Completed %d\n", progress.Completed);

    hr = IBackgroundCopyFile_QueryInterface(file, &IID_IBackgroundCopyFile3, (void **)&file3);
    ok(hr == S_OK, "File3 got %#lx\n", hr);
    if (hr == S_OK)
    {
        /* the temp file lives beside the destination, as Windows is seen to do */
        name = NULL;
        hr = IBackgroundCopyFile3_GetTemporaryName(file3, &name);
        ok(hr == S_OK && name, "GetTemporaryName got %#lx, %s\n", hr, wine_dbgstr_w(name));
        if (name)
        {
            ok(wcscmp(name, local), "the temp name is the local name\n");
            slash = wcsrchr(name, '\\');
            ok(slash && slash - name == lstrlenW(temp_dir) - 1 && !wcsnicmp(name, temp_dir, slash - name),
               "temp file %s is not beside %s\n", wine_dbgstr_w(name), wine_dbgstr_w(local));
        }
        CoTaskMemFree(name);
        value = TRUE;
        hr = IBackgroundCopyFile3_GetValidationState(file3, &value);
        ok(hr == S_OK && value == FALSE, "GetValidationState got %#lx, %d\n", hr, value);
        /* only after the file has transferred */
        hr = IBackgroundCopyFile3_SetValidationState(file3, TRUE);
        ok(hr == E_PENDING, "SetValidationState got %#lx\n", hr);
        value = TRUE;
        hr = IBackgroundCopyFile3_IsDownloadedFromPeer(file3, &value);
        ok(hr == S_OK && value == FALSE, "IsDownloadedFromPeer got %#lx, %d\n", hr, value);
        IBackgroundCopyFile3_Release(file3);
    }

    hr = IBackgroundCopyFile_QueryInterface(file, &IID_IBackgroundCopyFile4, (void **)&file4);
    ok(hr == S_OK, "File4 got %#lx\n", hr);
    if (hr == S_OK)
    {
        origin = peers = 0xdead;
        hr = IBackgroundCopyFile4_GetPeerDownloadStats(file4, &origin, &peers);
        ok(hr == S_OK, "GetPeerDownloadStats got %#lx\n", hr);
        ok(origin == 0 && peers == 0, "got %s %s\n", wine_dbgstr_longlong(origin), wine_dbgstr_longlong(peers));
        IBackgroundCopyFile4_Release(file4);
    }

    hr = IBackgroundCopyFile_QueryInterface(file, &IID_IBackgroundCopyFile6, (void **)&file6);
    ok(hr == S_OK, "File6 got %#lx\n", hr);
    if (hr == S_OK)
    {
        /* not an on-demand job */
        hr = IBackgroundCopyFile6_UpdateDownloadPosition(file6, 100);
        ok(hr == BG_E_RANDOM_ACCESS_NOT_SUPPORTED, "UpdateDownloadPosition got %#lx\n", hr);
        count = 5;
        ranges = (BG_FILE_RANGE *)0xdeadbeef;
        hr = IBackgroundCopyFile6_GetFilledFileRanges(file6, &count, &ranges);
        ok(hr == S_OK && !count && !ranges, "GetFilledFileRanges got %#lx, %lu %p\n", hr, count, ranges);
        IBackgroundCopyFile6_Release(file6);
    }
    IBackgroundCopyFile_Release(file);
    cancel_job(job);
    ok(GetFileAttributesW(local) == INVALID_FILE_ATTRIBUTES, "Cancel left %s\n", wine_dbgstr_w(local));
}

static void test_enum_files(void)
{
    static const WCHAR *remotes[] = { L"http://127.0.0.1/e1", L"http://127.0.0.1/e2", L"http://127.0.0.1/e3" };
    IEnumBackgroundCopyFiles *files, *clone;
    IBackgroundCopyFile *got[4];
    IBackgroundCopyJob *job;
    WCHAR local[MAX_PATH];
    ULONG count, fetched, i;
    HRESULT hr;

    if (!(job = create_job(L"enum files", BG_JOB_TYPE_DOWNLOAD))) return;
    hr = IBackgroundCopyJob_EnumFiles(job, &files);
    ok(hr == S_OK, "EnumFiles got %#lx\n", hr);
    count = 99;
    hr = IEnumBackgroundCopyFiles_GetCount(files, &count);
    ok(hr == S_OK && count == 0, "GetCount of an empty job got %#lx, %lu\n", hr, count);
    fetched = 99;
    hr = IEnumBackgroundCopyFiles_Next(files, 1, got, &fetched);
    ok(hr == S_FALSE && fetched == 0, "Next of an empty job got %#lx, %lu\n", hr, fetched);
    IEnumBackgroundCopyFiles_Release(files);

    local_path(local, L"enum.bin");
    for (i = 0; i < ARRAY_SIZE(remotes); i++)
        IBackgroundCopyJob_AddFile(job, remotes[i], local);
    hr = IBackgroundCopyJob_EnumFiles(job, &files);
    ok(hr == S_OK, "EnumFiles got %#lx\n", hr);
    if (hr != S_OK)
    {
        cancel_job(job);
        return;
    }
    /* A snapshot: later files are not in it. */
    IBackgroundCopyJob_AddFile(job, L"http://127.0.0.1/e4", local);
    hr = IEnumBackgroundCopyFiles_GetCount(files, &count);
    ok(hr == S_OK && count == 3, "GetCount got %#lx, %lu\n", hr, count);

    /* fetched may be NULL only for one item */
    hr = IEnumBackgroundCopyFiles_Next(files, 2, got, NULL);
    ok(hr == E_INVALIDARG, "Next(2) without fetched got %#lx\n", hr);
    hr = IEnumBackgroundCopyFiles_Next(files, 1, got, NULL);
    ok(hr == S_OK, "Next(1) without fetched got %#lx\n", hr);
    if (hr == S_OK)
    {
        ok(remote_name_is(got[0], remotes[0]), "wrong first file\n");
        IBackgroundCopyFile_Release(got[0]);
    }
    fetched = 0;
    hr = IEnumBackgroundCopyFiles_Next(files, 4, got, &fetched);
    ok(hr == S_FALSE && fetched == 2, "Next(4) got %#lx, %lu\n", hr, fetched);
    for (i = 0; i < fetched && i < 2; i++)
    {
        ok(remote_name_is(got[i], remotes[i + 1]), "wrong file %lu\n", i + 1);
        IBackgroundCopyFile_Release(got[i]);
    }
    fetched = 99;
    hr = IEnumBackgroundCopyFiles_Next(files, 1, got, &fetched);
    ok(hr == S_FALSE && fetched == 0, "Next at the end got %#lx, %lu\n", hr, fetched);

    hr = IEnumBackgroundCopyFiles_Reset(files);
    ok(hr == S_OK, "Reset got %#lx\n", hr);
    hr = IEnumBackgroundCopyFiles_Skip(files, 2);
    ok(hr == S_OK, "Skip(2) got %#lx\n", hr);
    hr = IEnumBackgroundCopyFiles_Next(files, 1, got, &fetched);
    ok(hr == S_OK && fetched == 1, "Next after Skip got %#lx, %lu\n", hr, fetched);
    if (hr == S_OK)
    {
        ok(remote_name_is(got[0], remotes[2]), "wrong file after Skip\n");
        IBackgroundCopyFile_Release(got[0]);
    }
    hr = IEnumBackgroundCopyFiles_Skip(files, 1);
    ok(hr == S_FALSE, "Skip past the end got %#lx\n", hr);

    /* Clone keeps the position. */
    IEnumBackgroundCopyFiles_Reset(files);
    IEnumBackgroundCopyFiles_Skip(files, 1);
    hr = IEnumBackgroundCopyFiles_Clone(files, &clone);
    ok(hr == S_OK, "Clone got %#lx\n", hr);
    if (hr == S_OK)
    {
        hr = IEnumBackgroundCopyFiles_GetCount(clone, &count);
        ok(hr == S_OK && count == 3, "GetCount of the clone got %#lx, %lu\n", hr, count);
        hr = IEnumBackgroundCopyFiles_Next(clone, 1, got, &fetched);
        ok(hr == S_OK && fetched == 1, "Next of the clone got %#lx, %lu\n", hr, fetched);
        if (hr == S_OK)
        {
            ok(remote_name_is(got[0], remotes[1]), "the clone lost the position\n");
            IBackgroundCopyFile_Release(got[0]);
        }
        IEnumBackgroundCopyFiles_Release(clone);
    }
    /* ... and moves independently. */
    hr = IEnumBackgroundCopyFiles_Next(files, 1, got, &fetched);
    ok(hr == S_OK && fetched == 1, "Next got %#lx, %lu\n", hr, fetched);
    if (hr == S_OK)
    {
        ok(remote_name_is(got[0], remotes[1]), "the original moved with the clone\n");
        IBackgroundCopyFile_Release(got[0]);
    }
    IEnumBackgroundCopyFiles_Release(files);
    cancel_job(job);
}

/* Many downloads into one directory never share a temp file: 5 jobs of 200 files each get
 * 1000 distinct temp names. With 16 random bits a collision was all but certain. */
static int __cdecl compare_names(const void *a, const void *b)
{
    return wcsicmp(*(const WCHAR * const *)a, *(const WCHAR * const *)b);
}

static void test_temp_names_unique(void)
{
    enum { JOBS = 5, FILES = 200 };
    static WCHAR *names[JOBS * FILES];
    BG_FILE_INFO infos[FILES];
    WCHAR remotes[FILES][64], locals[FILES][MAX_PATH];
    IBackgroundCopyJob *jobs[JOBS];
    IBackgroundCopyFile3 *file3;
    IBackgroundCopyFile *file;
    unsigned int i, j, count = 0, same = 0;
    HRESULT hr;

    for (i = 0; i < JOBS; i++)
    {
        if (!(jobs[i] = create_job(L"temp names", BG_JOB_TYPE_DOWNLOAD))) continue;
        for (j = 0; j < FILES; j++)
        {
            swprintf(remotes[j], ARRAY_SIZE(remotes[j]), L"http://127.0.0.1/%u/%u.bin", i, j);
            swprintf(locals[j], MAX_PATH, L"%lstempname-%u-%u.bin", temp_dir, i, j);
            infos[j].RemoteName = remotes[j];
            infos[j].LocalName = locals[j];
        }
        hr = IBackgroundCopyJob_AddFileSet(jobs[i], FILES, infos);
        ok(hr == S_OK, "AddFileSet got %#lx\n", hr);
        for (j = 0; hr == S_OK && j < FILES; j++)
        {
            if (!(file = get_file(jobs[i], j))) break;
            if (SUCCEEDED(IBackgroundCopyFile_QueryInterface(file, &IID_IBackgroundCopyFile3, (void **)&file3)))
            {
                if (IBackgroundCopyFile3_GetTemporaryName(file3, &names[count]) == S_OK && names[count]) count++;
                IBackgroundCopyFile3_Release(file3);
            }
            IBackgroundCopyFile_Release(file);
        }
    }
    ok(count == JOBS * FILES, "%u temp names\n", count);
    qsort(names, count, sizeof(names[0]), compare_names);
    for (i = 1; i < count; i++)
        if (!wcsicmp(names[i], names[i - 1])) same++;
    ok(!same, "%u temp names are used twice\n", same);
    for (i = 0; i < count; i++) CoTaskMemFree(names[i]);
    for (i = 0; i < JOBS; i++) if (jobs[i]) cancel_job(jobs[i]);
}

START_TEST(file)
{
    if (start_manager())
    {
        test_remote_names();
        test_local_names();
        test_add_file_set();
        test_ranges();
        test_replace_remote_prefix();
        test_set_remote_name();
        test_file_methods();
        test_enum_files();
        test_temp_names_unique();
    }
    stop_manager();
}

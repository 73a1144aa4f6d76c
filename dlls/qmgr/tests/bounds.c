/*
 * Conformance tests of the bounds on what a client may set that is kept with the job in the
 * store: a value above the bound is refused with its HRESULT, the value at the bound is taken.
 * HttpOptions2::SetHttpMethod has no documented limit on Windows; a verb longer than 256
 * characters is refused with BG_E_STRING_TOO_LONG here (chosen: the HRESULT of the other string
 * limits; real verbs are a few characters, and an unbounded one could not be saved).
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
#include "bitsall.h"
#include "wine/test.h"
#include "bits_test.h"

#define MAX_HTTP_METHOD 256

static WCHAR *make_verb(int len)
{
    WCHAR *str = HeapAlloc(GetProcessHeap(), 0, (len + 1) * sizeof(WCHAR));
    int i;

    for (i = 0; i < len; i++) str[i] = 'A' + i % 26;
    str[len] = 0;
    return str;
}

static void test_http_method_length(void)
{
    IBackgroundCopyJobHttpOptions2 *options;
    IBackgroundCopyJob *job;
    WCHAR *verb, *got = NULL;
    HRESULT hr;

    if (!(job = create_job(L"long verb", BG_JOB_TYPE_DOWNLOAD))) return;
    hr = IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJobHttpOptions2, (void **)&options);
    ok(hr == S_OK, "QueryInterface got %#lx\n", hr);
    if (hr != S_OK)
    {
        cancel_job(job);
        return;
    }
    verb = make_verb(MAX_HTTP_METHOD + 1);
    hr = IBackgroundCopyJobHttpOptions2_SetHttpMethod(options, verb);
    ok(hr == BG_E_STRING_TOO_LONG, "a verb of %d characters got %#lx\n", MAX_HTTP_METHOD + 1, hr);
    HeapFree(GetProcessHeap(), 0, verb);
    verb = make_verb(100000);
    hr = IBackgroundCopyJobHttpOptions2_SetHttpMethod(options, verb);
    ok(hr == BG_E_STRING_TOO_LONG, "a verb of 100000 characters got %#lx\n", hr);
    HeapFree(GetProcessHeap(), 0, verb);
    hr = IBackgroundCopyJobHttpOptions2_GetHttpMethod(options, &got);
    ok(hr == S_OK && got && !wcscmp(got, L"GET"), "a refused verb was kept: %#lx, %s\n", hr, wine_dbgstr_w(got));
    CoTaskMemFree(got);

    verb = make_verb(MAX_HTTP_METHOD);
    hr = IBackgroundCopyJobHttpOptions2_SetHttpMethod(options, verb);
    ok(hr == S_OK, "a verb of %d characters got %#lx\n", MAX_HTTP_METHOD, hr);
    got = NULL;
    hr = IBackgroundCopyJobHttpOptions2_GetHttpMethod(options, &got);
    ok(hr == S_OK && got && !wcscmp(got, verb), "got %#lx, %s\n", hr, wine_dbgstr_w(got));
    CoTaskMemFree(got);
    HeapFree(GetProcessHeap(), 0, verb);
    IBackgroundCopyJobHttpOptions2_Release(options);
    cancel_job(job);
}

START_TEST(bounds)
{
    if (start_manager())
    {
        test_http_method_length();
    }
    stop_manager();
}

/*
 * In-process unit test of the service accounts' IE proxy settings (dlls/qmgr/ieproxy.c, used
 * because system accounts have no IE settings of their own): the connection-settings blob,
 * and PRECONFIG jobs owned by LocalSystem,
 * NetworkService or a user (injected identities, the BITS_TEST_SEAM of security.c) after
 * `bitsadmin /util /setieproxy` (the installed bitsadmin.exe): LocalSystem's job goes through
 * the proxy stored for LocalSystem, the others do not; a Cancel does not wait for an
 * autoconfig script that never comes.
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
#include "ieproxy.h"
#include <sddl.h>
#include "wine/test.h"
#include "tests/bits_test.h"
#include "tests/transfer_test.h"
#include "identity.h"

static void test_codec(void)
{
    struct ieproxy_settings in = { IEPROXY_DIRECT | IEPROXY_PROXY, (WCHAR *)L"http=proxy:80;https=proxy:443",
                                   (WCHAR *)L"<local>;*.example.com", NULL };
    struct ieproxy_settings out;
    DWORD size, counter;
    BYTE *data;

    data = ieproxy_encode(&in, 7, &size);
    ok(data != NULL, "encode failed\n");
    if (!data) return;
    ok(size == 6 * 4 + 29 + 21 + 36, "size %lu\n", size);
    ok(((DWORD *)data)[0] == 0x46 && ((DWORD *)data)[1] == 7 && ((DWORD *)data)[2] == 3, "head %lx %lx %lx\n",
       ((DWORD *)data)[0], ((DWORD *)data)[1], ((DWORD *)data)[2]);
    ok(!memcmp(data + 12, "\x1d\0\0\0http=proxy:80;", 17), "the proxy string is length-prefixed ANSI\n");
    ok(ieproxy_decode(data, size, &out, &counter), "decode failed\n");
    ok(counter == 7 && out.flags == 3, "counter %lu flags %#lx\n", counter, out.flags);
    ok(out.proxy && !wcscmp(out.proxy, in.proxy), "proxy %s\n", wine_dbgstr_w(out.proxy));
    ok(out.bypass && !wcscmp(out.bypass, in.bypass), "bypass %s\n", wine_dbgstr_w(out.bypass));
    ok(!out.url, "url %s\n", wine_dbgstr_w(out.url));
    ieproxy_free(&out);

    /* Cut inside the bypass string: rejected; without the URL (old blobs): accepted. */
    ok(!ieproxy_decode(data, 6 * 4 + 29 + 10, &out, &counter), "a cut blob was accepted\n");
    ok(ieproxy_decode(data, 5 * 4 + 29 + 21, &out, &counter) && out.bypass && !out.url, "a blob without URL\n");
    ieproxy_free(&out);
    ((DWORD *)data)[3] = 0x7fffffff;
    ok(!ieproxy_decode(data, size, &out, &counter), "a length past the end was accepted\n");
    ok(!ieproxy_decode(data, 8, &out, &counter), "a blob without flags was accepted\n");
    HeapFree(GetProcessHeap(), 0, data);

    ok(!wcscmp(ieproxy_account_sid(L"LocalSystem"), L"S-1-5-18"), "LocalSystem\n");
    ok(!wcscmp(ieproxy_account_sid(L"NETWORKSERVICE"), L"S-1-5-20"), "NetworkService\n");
    ok(!wcscmp(ieproxy_account_sid(L"localservice"), L"S-1-5-19"), "LocalService\n");
    ok(!ieproxy_account_sid(L"Administrator"), "an unknown account\n");
}

/* Runs the installed bitsadmin.exe; its exit code. */
static DWORD run_bitsadmin(const WCHAR *args)
{
    PROCESS_INFORMATION pi;
    STARTUPINFOW si = { sizeof(si) };
    WCHAR cmdline[512];
    DWORD code = 99;

    swprintf(cmdline, ARRAY_SIZE(cmdline), L"bitsadmin.exe %ls", args);
    if (!CreateProcessW(NULL, cmdline, NULL, NULL, FALSE, CREATE_NO_WINDOW, NULL, NULL, &si, &pi))
    {
        ok(0, "cannot run %s: %lu\n", wine_dbgstr_w(cmdline), GetLastError());
        return code;
    }
    if (WaitForSingleObject(pi.hProcess, 60000) == WAIT_OBJECT_0) GetExitCodeProcess(pi.hProcess, &code);
    CloseHandle(pi.hProcess);
    CloseHandle(pi.hThread);
    return code;
}

/* A PRECONFIG download of 4k.bin from the fault server by this owner: through the proxy? */
static BOOL preconfig_through_proxy(const struct bits_caller *owner, const char *what)
{
    WCHAR url[256], local[MAX_PATH];
    IBackgroundCopyJob *job;
    BG_JOB_STATE state;
    BOOL proxied = FALSE;
    HRESULT code;
    char id[64];

    caller_set_test_identity(owner);
    sprintf(id, "id=ieproxy-%s-%lu", what, GetTickCount());
    swprintf(url, ARRAY_SIZE(url), L"http://127.0.0.1:%hs/files/4k.bin?%hs", servers.fault_port, id);
    local_path(local, L"ieproxy.bin");
    if ((job = create_download(L"ieproxy", url, local)))
    {
        state = run_job(job, &code);
        ok(state == BG_JOB_STATE_TRANSFERRED, "%s: state %d code %#lx\n", what, state, code);
        ok(request_log_count("\"server\":\"fault\"", id) >= 1, "%s: the origin did not see the request\n", what);
        proxied = request_log_count("\"server\":\"proxy\"", id) >= 1;
        if (state == BG_JOB_STATE_TRANSFERRED) ok(IBackgroundCopyJob_Complete(job) == S_OK, "Complete failed\n");
        else IBackgroundCopyJob_Cancel(job);
        IBackgroundCopyJob_Release(job);
    }
    DeleteFileW(local);
    caller_set_test_identity(NULL);
    return proxied;
}

static void test_service_account_preconfig(void)
{
    struct bits_caller system, network, user;
    struct ieproxy_settings settings;
    WCHAR args[256];
    HRESULT hr;

    if (!servers_init() || !servers.proxy_port[0])
    {
        skip("no test servers\n");
        return;
    }
    make_identity(&system, L"S-1-5-18", TRUE, TRUE);
    make_identity(&network, L"S-1-5-20", FALSE, TRUE);
    make_identity(&user, L"S-1-5-21-1000-2000-3000-1001", FALSE, FALSE);
    run_bitsadmin(L"/util /setieproxy NETWORKSERVICE RESET");

    /* By name: Wine's WinHTTP takes a proxy on the origin's host for no proxy at all. */
    swprintf(args, ARRAY_SIZE(args), L"/util /setieproxy LOCALSYSTEM MANUAL_PROXY localhost:%hs NULL",
             servers.proxy_port);
    ok(run_bitsadmin(args) == 0, "/setieproxy MANUAL_PROXY failed\n");
    hr = ieproxy_read(L"S-1-5-18", NULL, &settings);
    ok(hr == S_OK && settings.flags == (IEPROXY_DIRECT | IEPROXY_PROXY) && settings.proxy && !settings.bypass,
       "read %#lx flags %#lx proxy %s\n", hr, settings.flags, wine_dbgstr_w(settings.proxy));
    ieproxy_free(&settings);

    ok(preconfig_through_proxy(&system, "localsystem"), "LocalSystem's PRECONFIG job did not use its proxy\n");
    ok(!preconfig_through_proxy(&network, "networkservice"), "NetworkService (nothing stored) used a proxy\n");
    ok(!preconfig_through_proxy(&user, "user"), "a user's PRECONFIG job used LocalSystem's proxy\n");

    /* NO_PROXY for LocalSystem: direct again; and RESET removes the settings. */
    ok(run_bitsadmin(L"/util /setieproxy LOCALSYSTEM NO_PROXY") == 0, "/setieproxy NO_PROXY failed\n");
    ok(!preconfig_through_proxy(&system, "localsystem-direct"), "NO_PROXY: LocalSystem's job used a proxy\n");
    ok(run_bitsadmin(L"/util /setieproxy LOCALSYSTEM RESET") == 0, "/setieproxy RESET failed\n");
    hr = ieproxy_read(L"S-1-5-18", NULL, &settings);
    ok(hr == S_FALSE && !settings.flags, "after RESET: %#lx\n", hr);

    free_identity(&system);
    free_identity(&network);
    free_identity(&user);
}

/* An autoconfig script from a server that never sends it: the job waits in CONNECTING, and a
 * Cancel does not wait for the lookup (a transfer stops within 100 ms; the bound
 * here is generous, a worker that could not be stopped costs Cancel 2 s). */
static void test_script_lookup_cancel(void)
{
    WCHAR url[256], local[MAX_PATH], args[256];
    struct bits_caller system;
    IBackgroundCopyJob *job;
    BG_JOB_STATE state = BG_JOB_STATE_QUEUED;
    unsigned int i;
    DWORD start, took;
    char id[64];

    if (!servers_init())
    {
        skip("no test servers\n");
        return;
    }
    make_identity(&system, L"S-1-5-18", TRUE, TRUE);
    sprintf(id, "id=pac-%lu", GetTickCount());
    swprintf(args, ARRAY_SIZE(args), L"/util /setieproxy LOCALSYSTEM AUTOSCRIPT "
             L"http://127.0.0.1:%hs/stall/4k.bin?after=0&secs=30&%hs", servers.fault_port, id);
    ok(run_bitsadmin(args) == 0, "/setieproxy AUTOSCRIPT failed\n");
    caller_set_test_identity(&system);
    swprintf(url, ARRAY_SIZE(url), L"http://127.0.0.1:%hs/files/4k.bin", servers.fault_port);
    local_path(local, L"ieproxy-pac.bin");
    if ((job = create_download(L"pac", url, local)))
    {
        ok(IBackgroundCopyJob_Resume(job) == S_OK, "Resume failed\n");
        /* The script's request reaches the server: the lookup is under way. */
        for (i = 0; i < 200 && !request_log_count("stall/4k.bin", id); i++) Sleep(25);
        ok(request_log_count("stall/4k.bin", id) >= 1, "the autoconfig script was not requested\n");
        IBackgroundCopyJob_GetState(job, &state);
        ok(state == BG_JOB_STATE_CONNECTING, "state %d while the script is awaited\n", state);
        start = GetTickCount();
        ok(IBackgroundCopyJob_Cancel(job) == S_OK, "Cancel failed\n");
        took = GetTickCount() - start;
        ok(took < 1000, "Cancel took %lu ms\n", took);
        IBackgroundCopyJob_Release(job);
    }
    DeleteFileW(local);
    caller_set_test_identity(NULL);
    ok(run_bitsadmin(L"/util /setieproxy LOCALSYSTEM RESET") == 0, "/setieproxy RESET failed\n");
    free_identity(&system);
}

START_TEST(ieproxy)
{
    HRESULT hr;

    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    GetTempPathW(ARRAY_SIZE(temp_dir), temp_dir);
    hr = manager_get_object(&IID_IBackgroundCopyManager, (void **)&manager);
    ok(hr == S_OK, "got %#lx\n", hr);
    scheduler_start();
    notify_start();
    test_codec();
    test_service_account_preconfig();
    test_script_lookup_cancel();
    scheduler_shutdown();
    notify_shutdown();
    CoUninitialize();
}

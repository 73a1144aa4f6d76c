/*
 * winhttp_get.c: the plain WinHTTP baseline of `make bench`: synchronous GETs read with
 * WinHttpReadData into a file, the way a simple client does it (a 64 KiB buffer by default).
 * Timed from WinHttpOpen to the last closed file with QueryPerformanceCounter.
 *
 *   winhttp_get <url> <file> [buffer-bytes [count]]
 *
 * With a count, that many GETs one after another on one session (kept-alive connection), each
 * into its own file <file>.<n>: the floor of (c), the transfers of 100 small jobs without
 * the jobs. The last line is "RESULT <milliseconds>"; errors print "FAILED ..." and exit 1.
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

#include <stdio.h>
#include <stdlib.h>
#include <windows.h>
#include <winhttp.h>

static void fail(const char *what)
{
    printf("FAILED %s: %lu\n", what, GetLastError());
    exit(1);
}

int __cdecl wmain(int argc, WCHAR **argv)
{
    HINTERNET session, connection, request;
    URL_COMPONENTSW url;
    WCHAR host[256], *path;
    DWORD size = 64 * 1024, read, written, status, len;
    LARGE_INTEGER freq, t0, t1;
    WCHAR name[MAX_PATH];
    UINT64 total = 0;
    int count = 1, i;
    HANDLE file;
    BYTE *buffer;

    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc < 3)
    {
        printf("usage: winhttp_get <url> <file> [buffer-bytes]\n");
        return 2;
    }
    if (argc > 3) size = wcstoul(argv[3], NULL, 10);
    if (argc > 4) count = _wtoi(argv[4]);
    if (count < 1) return 2;
    if (!size || !(buffer = malloc(size))) return 2;
    QueryPerformanceFrequency(&freq);

    memset(&url, 0, sizeof(url));
    url.dwStructSize = sizeof(url);
    url.lpszHostName = host;
    url.dwHostNameLength = ARRAYSIZE(host);
    url.dwUrlPathLength = (DWORD)-1;
    if (!WinHttpCrackUrl(argv[1], 0, 0, &url)) fail("WinHttpCrackUrl");
    path = url.lpszUrlPath;

    QueryPerformanceCounter(&t0);
    if (!(session = WinHttpOpen(L"winhttp_get", WINHTTP_ACCESS_TYPE_NO_PROXY, WINHTTP_NO_PROXY_NAME,
                                WINHTTP_NO_PROXY_BYPASS, 0)))
        fail("WinHttpOpen");
    if (!(connection = WinHttpConnect(session, host, url.nPort, 0))) fail("WinHttpConnect");
    for (i = 0; i < count; i++)
    {
        if (!(request = WinHttpOpenRequest(connection, L"GET", path, NULL, WINHTTP_NO_REFERER,
                                           WINHTTP_DEFAULT_ACCEPT_TYPES, 0)))
            fail("WinHttpOpenRequest");
        if (!WinHttpSendRequest(request, WINHTTP_NO_ADDITIONAL_HEADERS, 0, WINHTTP_NO_REQUEST_DATA, 0, 0, 0))
            fail("WinHttpSendRequest");
        if (!WinHttpReceiveResponse(request, NULL)) fail("WinHttpReceiveResponse");
        len = sizeof(status);
        if (!WinHttpQueryHeaders(request, WINHTTP_QUERY_STATUS_CODE | WINHTTP_QUERY_FLAG_NUMBER, NULL, &status,
                                 &len, NULL) || status != 200)
            fail("status");
        if (count == 1) lstrcpynW(name, argv[2], MAX_PATH);
        else swprintf(name, MAX_PATH, L"%ls.%d", argv[2], i);
        file = CreateFileW(name, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
        if (file == INVALID_HANDLE_VALUE) fail("CreateFile");
        for (;;)
        {
            if (!WinHttpReadData(request, buffer, size, &read)) fail("WinHttpReadData");
            if (!read) break;
            if (!WriteFile(file, buffer, read, &written, NULL) || written != read) fail("WriteFile");
            total += read;
        }
        CloseHandle(file);
        WinHttpCloseHandle(request);
    }
    WinHttpCloseHandle(connection);
    WinHttpCloseHandle(session);
    QueryPerformanceCounter(&t1);

    printf("%I64u bytes\n", total);
    printf("RESULT %.3f\n", (double)(t1.QuadPart - t0.QuadPart) * 1000.0 / (double)freq.QuadPart);
    free(buffer);
    return 0;
}

/*
 * storedir.c: test helper of the shell suites (not a suite). Prints the Windows path of the
 * directory of the BITS job store, asked of the shell as the service asks: the ProgramData known
 * folder and \Microsoft\Network\Downloader. With "wine8", the place the builds before it used
 * under Wine 8 instead: the same below the Public known folder (Wine 8's expansion of
 * %ProgramData% in the service). A suite turns it into a Unix path with `winepath -u`.
 *
 * Usage: storedir.exe [wine8]
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
#include <shlobj.h>
#include <knownfolders.h>
#include <stdio.h>

int wmain(int argc, WCHAR **argv)
{
    const GUID *folder = &FOLDERID_ProgramData;
    WCHAR *path;
    HRESULT hr;

    if (argc > 1 && !wcscmp(argv[1], L"wine8")) folder = &FOLDERID_Public;
    else if (argc > 1)
    {
        fprintf(stderr, "usage: storedir [wine8]\n");
        return 2;
    }
    if (FAILED(hr = SHGetKnownFolderPath(folder, KF_FLAG_DONT_VERIFY, NULL, &path)))
    {
        fprintf(stderr, "storedir: SHGetKnownFolderPath failed: %#lx\n", hr);
        return 1;
    }
    printf("%ls\\Microsoft\\Network\\Downloader\n", path);
    CoTaskMemFree(path);
    return 0;
}

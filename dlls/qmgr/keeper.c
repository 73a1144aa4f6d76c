/*
 * keeper.c: keeps the Wine session up while the queue has work.
 * Owns: the keeper process and the wish for it.
 *
 * Under Wine the service's svchost is a system process: the session ends about 1.5 s after
 * the last other program exits, and the service and every transfer with it. A program that
 * creates a job, resumes it and exits (installers and scripts do) would leave its download
 * cut until some Wine program runs again, where Windows goes on in the background. So while a
 * job has work (queued, connecting, transferring, waiting for a retry) or a cancelled
 * upload's session still has to be closed on its server, a small process runs in the session:
 * `rundll32 qmgr.dll,KeepSession <service pid>`. It counts as a program, does nothing, and ends
 * when the service process ends; the service ends it as soon as nothing is left, so the
 * session may end as it would without us. HKLM\Software\Wine\BITS "KeepSessionAlive"
 * (REG_DWORD) = 0, read at service start, turns this off.
 *
 * Lock order: keeper_want may be called under any lock (the scheduler's pass decides under the
 * manager lock, so that an older pass can never undo a newer one's wish); keeper.cs is
 * innermost. Starting and ending the process happen in keeper_apply on the scheduler thread
 * (a client's Resume does not wait for a process to start), under keeper.apply_cs only, and
 * always act on the newest wish.
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

static struct
{
    CRITICAL_SECTION cs;               /* protects want, enabled */
    CRITICAL_SECTION apply_cs;         /* protects process; taken before cs */
    BOOL enabled;                      /* set by keeper_start in the service, never in unit tests */
    DWORD want;                        /* KEEP_* reasons that hold the session now */
    HANDLE process;                    /* the running keeper, or NULL */
} keeper;

static INIT_ONCE keeper_once = INIT_ONCE_STATIC_INIT;

static BOOL CALLBACK keeper_init(INIT_ONCE *once, void *param, void **context)
{
    BITS_CS_INIT(&keeper.cs, "keeper.cs");
    BITS_CS_INIT(&keeper.apply_cs, "keeper.apply_cs");
    return TRUE;
}

static HANDLE keeper_spawn(void)
{
    WCHAR module[MAX_PATH], cmdline[MAX_PATH * 2 + 64], rundll[MAX_PATH];
    STARTUPINFOW si;
    PROCESS_INFORMATION pi;
    HMODULE self;

    if (!GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                            (const WCHAR *)keeper_spawn, &self)
        || !GetModuleFileNameW(self, module, ARRAYSIZE(module))
        || !GetSystemDirectoryW(rundll, ARRAYSIZE(rundll)) || wcslen(rundll) + 14 > (size_t)ARRAYSIZE(rundll))
        return NULL;
    wcscat(rundll, L"\\rundll32.exe");
    swprintf(cmdline, ARRAYSIZE(cmdline), L"\"%s\" \"%s\",KeepSession %lu", rundll, module, GetCurrentProcessId());
    memset(&si, 0, sizeof(si));
    si.cb = sizeof(si);
    /* No handle of ours goes with it (the service's standard handles may be a pipe of the
     * program that started the session). */
    si.dwFlags = STARTF_USESTDHANDLES;
    if (!CreateProcessW(rundll, cmdline, NULL, NULL, FALSE, DETACHED_PROCESS | CREATE_NO_WINDOW, NULL, NULL, &si, &pi))
    {
        WARN("cannot start the keeper: %lu; the session may end before the transfers\n", GetLastError());
        return NULL;
    }
    CloseHandle(pi.hThread);
    TRACE("keeper %lu started\n", pi.dwProcessId);
    return pi.hProcess;
}

/* Starts or ends the keeper after the newest wish. The scheduler thread, the service's start
 * and stop; no lock of the caller may be held. */
void keeper_apply(void)
{
    BOOL want;

    InitOnceExecuteOnce(&keeper_once, keeper_init, NULL, NULL);
    EnterCriticalSection(&keeper.apply_cs);
    EnterCriticalSection(&keeper.cs);
    want = keeper.enabled && keeper.want;
    LeaveCriticalSection(&keeper.cs);
    /* A keeper that ended by itself (killed from outside) is started again. */
    if (keeper.process && WaitForSingleObject(keeper.process, 0) == WAIT_OBJECT_0)
    {
        CloseHandle(keeper.process);
        keeper.process = NULL;
    }
    if (want && !keeper.process) keeper.process = keeper_spawn();
    else if (!want && keeper.process)
    {
        TRACE("nothing left to do: the keeper ends\n");
        TerminateProcess(keeper.process, 0);
        CloseHandle(keeper.process);
        keeper.process = NULL;
    }
    LeaveCriticalSection(&keeper.apply_cs);
}

/* A reason to keep the session starts or stops. Returns whether the wish changed: then the
 * scheduler thread must run keeper_apply (scheduler_wake). Any lock may be held. */
BOOL keeper_want(DWORD reason, BOOL on)
{
    DWORD old;

    InitOnceExecuteOnce(&keeper_once, keeper_init, NULL, NULL);
    EnterCriticalSection(&keeper.cs);
    old = keeper.want;
    if (on) keeper.want |= reason;
    else keeper.want &= ~reason;
    on = !old != !keeper.want;
    LeaveCriticalSection(&keeper.cs);
    return on;
}

/* Whether a reason holds the session now: a change that may end the work (a Suspend, a job
 * that goes) then asks for a scheduling pass. Any lock may be held. */
BOOL keeper_holding(DWORD reason)
{
    BOOL ret;

    InitOnceExecuteOnce(&keeper_once, keeper_init, NULL, NULL);
    EnterCriticalSection(&keeper.cs);
    ret = (keeper.want & reason) != 0;
    LeaveCriticalSection(&keeper.cs);
    return ret;
}

/* Service start: the keeper may run from now on, unless the setting says no. */
void keeper_start(void)
{
    DWORD value = 1, size = sizeof(value);

    if (RegGetValueW(HKEY_LOCAL_MACHINE, L"Software\\Wine\\BITS", L"KeepSessionAlive", RRF_RT_REG_DWORD, NULL,
                     &value, &size))
        value = 1;
    if (!value) WARN("the session is not kept up for transfers (HKLM\\Software\\Wine\\BITS KeepSessionAlive = 0)\n");
    InitOnceExecuteOnce(&keeper_once, keeper_init, NULL, NULL);
    EnterCriticalSection(&keeper.cs);
    keeper.enabled = value != 0;
    LeaveCriticalSection(&keeper.cs);
    keeper_apply();
}

/* Service stop: the keeper ends with the service, whatever is queued (the queue is saved and
 * goes on at the next start). */
void keeper_shutdown(void)
{
    InitOnceExecuteOnce(&keeper_once, keeper_init, NULL, NULL);
    EnterCriticalSection(&keeper.cs);
    keeper.enabled = FALSE;
    LeaveCriticalSection(&keeper.cs);
    keeper_apply();
}

/* rundll32's entry point in the keeper process: waits for the service process to end (the
 * service ends this process itself when the queue has nothing left to do). */
void CALLBACK KeepSessionW(HWND hwnd, HINSTANCE instance, WCHAR *cmdline, int show)
{
    DWORD pid = wcstoul(cmdline, NULL, 10);
    HANDLE service;

    if (!pid || !(service = OpenProcess(SYNCHRONIZE, FALSE, pid))) return;
    WaitForSingleObject(service, INFINITE);
    CloseHandle(service);
}

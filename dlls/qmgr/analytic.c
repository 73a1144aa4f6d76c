/*
 * analytic.c: the Microsoft-Windows-Bits-Client/Analytic event channel. Wine has no event
 * channels, so while the channel is enabled (analytic.h: Windows' WINEVT key, value Enabled,
 * which `bitsadmin /util /enableanalyticchannel` sets) the service appends one line per event
 * to %windir%\Logs\Bits\analytic.log (UTF-8):
 *
 *   <UTC time> job-created {GUID} <TYPE> owner <SID> name "<display name>"
 *   <UTC time> state-change {GUID} <OLD> -> <NEW>
 *   <UTC time> transfer-start {GUID} <remote> -> <local> bytes <done> / <total|UNKNOWN>
 *   <UTC time> transfer-stop {GUID} <remote> -> <local> bytes <done> / <total|UNKNOWN> result 0x<hr>
 *   <UTC time> error {GUID} 0x<hr> context <n>
 *   <UTC time> job-completed {GUID}    (Complete: ACKNOWLEDGED)
 *   <UTC time> job-cancelled {GUID}
 *
 * Owns: the log file and the channel's key. The value is read again after a change anywhere
 * under HKLM\Software\Microsoft\Windows\CurrentVersion (a registry notification on the
 * thread pool bumps a generation), so the events of a job cost no registry call, and a change
 * applies from the next event on. The analytic lock is innermost: callers may hold a job lock.
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
#include "analytic.h"

BITS_DEFAULT_DEBUG_CHANNEL(qmgr);

#define WATCH_KEY     L"Software\\Microsoft\\Windows\\CurrentVersion"   /* holds the channel key */
#define WATCH_FILTER  (REG_NOTIFY_CHANGE_NAME | REG_NOTIFY_CHANGE_LAST_SET)

static CRITICAL_SECTION analytic_cs;
static INIT_ONCE analytic_once = INIT_ONCE_STATIC_INIT;
static HKEY watch_key;          /* NULL: no watch, the value is read for every event */
static HANDLE watch_event, watch_wait;
static LONG generation = 1;     /* bumped by every change under watch_key */
static LONG cached_generation;  /* what cached_enabled was read at (analytic lock); 0: nothing */
static BOOL cached_enabled;

static BOOL arm_watch(void)
{
    return !RegNotifyChangeKeyValue(watch_key, TRUE, WATCH_FILTER | REG_NOTIFY_THREAD_AGNOSTIC, watch_event, TRUE)
           || !RegNotifyChangeKeyValue(watch_key, TRUE, WATCH_FILTER, watch_event, TRUE);
}

/* A change: armed again first, then the bump, so that a change right after is not lost. */
static void CALLBACK watch_fired(void *context, BOOLEAN timeout)
{
    if (!arm_watch()) WARN("cannot watch the registry any more; the channel value may be stale\n");
    InterlockedIncrement(&generation);
}

static BOOL CALLBACK analytic_cs_init(INIT_ONCE *once, void *param, void **context)
{
    BITS_CS_INIT(&analytic_cs, "analytic_cs");
    if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, WATCH_KEY, 0, KEY_NOTIFY, &watch_key)) watch_key = NULL;
    else if (!(watch_event = CreateEventW(NULL, FALSE, FALSE, NULL)) || !arm_watch()
             || !RegisterWaitForSingleObject(&watch_wait, watch_event, watch_fired, NULL, INFINITE, WT_EXECUTEDEFAULT))
    {
        WARN("cannot watch %s: the channel value is read for every event\n", debugstr_w(WATCH_KEY));
        RegCloseKey(watch_key);
        watch_key = NULL;
    }
    return TRUE;
}

static BOOL analytic_enabled(void)
{
    DWORD enabled = 0, size = sizeof(enabled);
    LONG seen;
    BOOL ret;

    InitOnceExecuteOnce(&analytic_once, analytic_cs_init, NULL, NULL);
    EnterCriticalSection(&analytic_cs);
    seen = InterlockedCompareExchange(&generation, 0, 0);
    if (watch_key && seen == cached_generation) ret = cached_enabled;
    else
    {
        ret = !RegGetValueW(HKEY_LOCAL_MACHINE, ANALYTIC_CHANNEL_KEY, ANALYTIC_CHANNEL_VALUE, RRF_RT_REG_DWORD, NULL,
                            &enabled, &size) && enabled;
        cached_enabled = ret;
        cached_generation = seen;       /* a change during the read bumped generation past it */
    }
    LeaveCriticalSection(&analytic_cs);
    return ret;
}

static HANDLE open_log(void)
{
    WCHAR path[MAX_PATH];
    UINT len;

    len = GetWindowsDirectoryW(path, MAX_PATH);
    if (!len || len > MAX_PATH - 40) return INVALID_HANDLE_VALUE;
    lstrcatW(path, L"\\Logs");
    CreateDirectoryW(path, NULL);
    lstrcatW(path, L"\\Bits");
    CreateDirectoryW(path, NULL);
    lstrcatW(path, L"\\" ANALYTIC_LOG_FILE);
    return CreateFileW(path, FILE_APPEND_DATA, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                       OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
}

/* One line: the time, the event and the job, then the event's details. */
static void analytic_write(const WCHAR *event, const GUID *job_id, const WCHAR *format, ...)
{
    WCHAR line[2 * MAX_URL + 512];
    char utf8[4 * ARRAYSIZE(line)];
    SYSTEMTIME time;
    va_list args;
    HANDLE file;
    DWORD written;
    int len, size;

    GetSystemTime(&time);
    len = _snwprintf(line, ARRAYSIZE(line) - 2,
                     L"%04u-%02u-%02uT%02u:%02u:%02u.%03uZ %ls {%08lX-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X}%ls",
                     time.wYear, time.wMonth, time.wDay, time.wHour, time.wMinute, time.wSecond,
                     time.wMilliseconds, event, job_id->Data1, job_id->Data2, job_id->Data3,
                     job_id->Data4[0], job_id->Data4[1], job_id->Data4[2], job_id->Data4[3],
                     job_id->Data4[4], job_id->Data4[5], job_id->Data4[6], job_id->Data4[7], format[0] ? L" " : L"");
    if (len < 0) return;
    va_start(args, format);
    size = _vsnwprintf(line + len, ARRAYSIZE(line) - 2 - len, format, args);
    va_end(args);
    len = size < 0 ? (int)ARRAYSIZE(line) - 2 : len + size;
    /* No line breaks inside a line: names come from clients. */
    for (size = 0; size < len; size++) if (line[size] == '\r' || line[size] == '\n') line[size] = ' ';
    line[len++] = '\r';
    line[len++] = '\n';
    if (!(size = WideCharToMultiByte(CP_UTF8, 0, line, len, utf8, sizeof(utf8), NULL, NULL))) return;

    EnterCriticalSection(&analytic_cs);
    if ((file = open_log()) != INVALID_HANDLE_VALUE)
    {
        if (!WriteFile(file, utf8, size, &written, NULL)) WARN("cannot write the log: %lu\n", GetLastError());
        CloseHandle(file);
    }
    else WARN("cannot open the log: %lu\n", GetLastError());
    LeaveCriticalSection(&analytic_cs);
}

static const WCHAR *state_word(BG_JOB_STATE state)
{
    static const WCHAR *const names[] =
    {
        L"QUEUED", L"CONNECTING", L"TRANSFERRING", L"SUSPENDED", L"ERROR", L"TRANSIENT_ERROR",
        L"TRANSFERRED", L"ACKNOWLEDGED", L"CANCELLED",
    };
    return state < ARRAYSIZE(names) ? names[state] : L"UNKNOWN";
}

/* Caller holds nothing or the job lock. */
void analytic_job_created(struct bits_job *job)
{
    static const WCHAR *const types[] = { L"DOWNLOAD", L"UPLOAD", L"UPLOAD_REPLY" };
    WCHAR *owner = NULL;

    if (!analytic_enabled()) return;
    sid_to_string(job->owner.sid, &owner);
    analytic_write(L"job-created", &job->id, L"%ls owner %ls name \"%ls\"", job->type < 3 ? types[job->type] : L"?",
                   owner ? owner : L"?", job->display_name ? job->display_name : L"");
    CoTaskMemFree(owner);
}

/* Job lock held: logs the change since the last call (every state change ends in job_touch). */
void analytic_job_state(struct bits_job *job)
{
    BG_JOB_STATE old = job->analytic_state;

    if (old == job->state) return;
    job->analytic_state = job->state;
    if (!analytic_enabled()) return;
    analytic_write(L"state-change", &job->id, L"%ls -> %ls", state_word(old), state_word(job->state));
    if (job->state == BG_JOB_STATE_ACKNOWLEDGED) analytic_write(L"job-completed", &job->id, L"");
    else if (job->state == BG_JOB_STATE_CANCELLED) analytic_write(L"job-cancelled", &job->id, L"");
}

static void format_bytes(UINT64 value, WCHAR *buf)
{
    if (value == BG_SIZE_UNKNOWN) lstrcpyW(buf, L"UNKNOWN");
    else _snwprintf(buf, 24, L"%I64u", value);
}

/* Job lock held. */
void analytic_transfer(struct bits_job *job, struct bits_file *file, BOOL start, HRESULT result)
{
    WCHAR done[24], total[24];

    if (!analytic_enabled()) return;
    format_bytes(file->progress.BytesTransferred, done);
    format_bytes(file->progress.BytesTotal, total);
    if (start)
        analytic_write(L"transfer-start", &job->id, L"%ls -> %ls bytes %ls / %ls", file->remote_name,
                       file->local_name, done, total);
    else
        analytic_write(L"transfer-stop", &job->id, L"%ls -> %ls bytes %ls / %ls result 0x%08lx", file->remote_name,
                       file->local_name, done, total, (unsigned long)result);
}

/* Job lock held. */
void analytic_error(struct bits_job *job, HRESULT code, BG_ERROR_CONTEXT context)
{
    if (!analytic_enabled()) return;
    analytic_write(L"error", &job->id, L"0x%08lx context %u", (unsigned long)code, context);
}

/* The watch stays for the life of the process: a service started again in the same svchost
 * goes on with it. */
void analytic_shutdown(void)
{
    InitOnceExecuteOnce(&analytic_once, analytic_cs_init, NULL, NULL);
    EnterCriticalSection(&analytic_cs);
    cached_generation = 0;
    LeaveCriticalSection(&analytic_cs);
}

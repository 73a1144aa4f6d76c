/*
 * store.c: the job queue on disk, so that jobs survive a service restart.
 * Owns: the two alternating images qmgr0.dat and qmgr1.dat under
 * <ProgramData known folder>\Microsoft\Network\Downloader, the saver thread and the dirty flag,
 * and moving a queue that earlier builds saved elsewhere (see "Where the queue lives").
 *
 * Writes are crash-safe without a rename: each save goes to the slot that does not hold the
 * newest good image, with a higher sequence number and a checksum (store_codec.c), and is
 * flushed; a torn write leaves the other slot intact. Loading takes the newest image that
 * decodes. Images that cannot be read at all are set aside and the service starts empty.
 * Saves are coalesced: a state change is written within STATE_DELAY_MS, other changes
 * (properties, progress checkpoints) within CHANGE_DELAY_MS, never once per call or block.
 * A job whose record cannot be encoded (a field above the codec's limits) is left out of the
 * image with an error naming it; it never keeps the other jobs from being saved.
 * Credentials and custom headers are encrypted with CryptProtectData. The notify interface,
 * the certificate callback and helper tokens are not persisted. Besides the queue, the image
 * holds the Cancel-Sessions upload.c still has to send, as records of their cancelled jobs.
 * HKLM\Software\Wine\BITS "Persistence" (REG_DWORD) = 0, read at service start, turns the
 * store off: nothing is loaded or saved and the queue lives in memory only (the baseline of
 * `make bench`; see README).
 * The store lock is innermost: store_changed() may be called with any other lock held.
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
#include <wincrypt.h>
#include <shlobj.h>
#include <knownfolders.h>
#include "store_codec.h"

BITS_DEFAULT_DEBUG_CHANNEL(qmgr);

#define STATE_DELAY_MS   50
#define CHANGE_DELAY_MS  3000

static struct
{
    CRITICAL_SECTION cs;               /* protects everything below */
    BOOL enabled;
    BOOL dirty, urgent, stopping;
    HANDLE wake;
    HANDLE stop;                       /* manual-reset: cuts the coalescing delay short */
    HANDLE thread;
    uint64_t sequence;                 /* of the newest good image */
    int slot;                          /* 0 or 1: where the newest good image is */
    WCHAR dir[MAX_PATH];
} store = { .slot = 1 };

static INIT_ONCE store_once = INIT_ONCE_STATIC_INIT;

static CRITICAL_SECTION save_lock;

static BOOL CALLBACK store_cs_init(INIT_ONCE *once, void *param, void **context)
{
    BITS_CS_INIT(&store.cs, "store.cs");
    BITS_CS_INIT(&save_lock, "save_lock");
    return TRUE;
}

/* Something persistent changed; urgent for state changes. Any lock may be held. */
void store_changed(BOOL urgent)
{
    InitOnceExecuteOnce(&store_once, store_cs_init, NULL, NULL);
    EnterCriticalSection(&store.cs);
    /* The saver is woken once per save: further changes ride along without a server call. */
    if (store.enabled && (!store.dirty || (urgent && !store.urgent)))
    {
        store.dirty = TRUE;
        if (urgent) store.urgent = TRUE;
        SetEvent(store.wake);
    }
    LeaveCriticalSection(&store.cs);
}

/* The documented switch of the benchmark baseline: Persistence = 0 turns the store off. */
static BOOL persistence_wanted(void)
{
    DWORD value, size = sizeof(value);

    if (RegGetValueW(HKEY_LOCAL_MACHINE, L"Software\\Wine\\BITS", L"Persistence", RRF_RT_REG_DWORD, NULL, &value,
                     &size) == ERROR_SUCCESS && !value)
    {
        WARN("persistence is turned off (HKLM\\Software\\Wine\\BITS Persistence = 0)\n");
        return FALSE;
    }
    return TRUE;
}

/* The largest credentials a client can set (every target and scheme, the longest user name and
 * password), encrypted, must fit in one blob of the image. */
C_ASSERT(2 * 5 * (12 + (MAX_USERNAME + MAX_PASSWORD) * sizeof(WCHAR)) + 65536 <= STORE_MAX_BLOB);

/* An image of the store in dir: qmgr<slot>.dat, with a suffix for the copies of a move. */
static void image_path(const WCHAR *dir, int slot, const WCHAR *suffix, WCHAR *path)
{
    swprintf(path, MAX_PATH, L"%ls\\qmgr%d.dat%ls", dir, slot, suffix);
}

static void slot_path(int slot, WCHAR *path)
{
    image_path(store.dir, slot, L"", path);
}

/* ---- strings and secrets ---- */

static WCHAR *from_store_str(const uint16_t *str)
{
    return heap_strdupW((const WCHAR *)str);
}

/* heap_strdupW uses HeapAlloc, the codec frees with free(): copy with malloc instead. */
static uint16_t *dup_for_codec(const WCHAR *str)
{
    uint16_t *copy;
    size_t len;

    if (!str) return NULL;
    len = lstrlenW(str) + 1;
    if ((copy = malloc(len * sizeof(*copy)))) memcpy(copy, str, len * sizeof(*copy));
    return copy;
}

static BOOL protect(const void *data, DWORD size, struct store_blob *blob)
{
    DATA_BLOB in = { size, (BYTE *)data }, out;

    blob->size = 0;
    blob->data = NULL;
    if (!size) return TRUE;
    if (!CryptProtectData(&in, L"wine-bits", NULL, NULL, NULL, CRYPTPROTECT_UI_FORBIDDEN, &out))
    {
        WARN("CryptProtectData failed: %lu\n", GetLastError());
        return FALSE;
    }
    if ((blob->data = malloc(out.cbData)))
    {
        memcpy(blob->data, out.pbData, out.cbData);
        blob->size = out.cbData;
    }
    LocalFree(out.pbData);
    return blob->data != NULL;
}

static BYTE *unprotect(const struct store_blob *blob, DWORD *size)
{
    DATA_BLOB in = { blob->size, blob->data }, out;
    BYTE *data;

    if (!blob->size) return NULL;
    if (!CryptUnprotectData(&in, NULL, NULL, NULL, NULL, CRYPTPROTECT_UI_FORBIDDEN, &out))
    {
        WARN("CryptUnprotectData failed: %lu\n", GetLastError());
        return NULL;
    }
    if ((data = heap_alloc_zero(out.cbData + sizeof(WCHAR))))
    {
        memcpy(data, out.pbData, out.cbData);
        *size = out.cbData;
    }
    SecureZeroMemory(out.pbData, out.cbData);
    LocalFree(out.pbData);
    return data;
}

/* Credentials as one buffer: for each of the 10 (target, scheme) slots a set flag, then the
 * user and the password as counted UTF-16 strings (0xffffffff for NULL). */
static void put_u32(BYTE **p, UINT32 v)
{
    memcpy(*p, &v, 4);
    *p += 4;
}

static void put_str(BYTE **p, const WCHAR *s)
{
    UINT32 len = s ? (UINT32)lstrlenW(s) : 0xffffffff;
    put_u32(p, len);
    if (s)
    {
        memcpy(*p, s, len * sizeof(WCHAR));
        *p += len * sizeof(WCHAR);
    }
}

/* Encrypt a blob that holds plain bytes in place; the plain copy is wiped. A blob that cannot be
 * encrypted is left empty: a secret is never written in the clear. */
static void seal(struct store_blob *blob)
{
    struct store_blob plain = *blob;

    if (!plain.size) return;
    protect(plain.data, plain.size, blob);
    SecureZeroMemory(plain.data, plain.size);
    free(plain.data);
}

/* The credentials in plain bytes, sealed later, outside the locks. */
static BOOL credentials_to_blob(struct bits_job *job, struct store_blob *blob)
{
    SIZE_T size = 0;
    unsigned int t, s;
    BYTE *buf, *p;
    BOOL any = FALSE;

    for (t = 0; t < 2; t++)
        for (s = 0; s < 5; s++)
        {
            struct bits_credential *c = &job->creds[t][s];
            size += 12 + (c->user ? lstrlenW(c->user) * sizeof(WCHAR) : 0)
                    + (c->password ? lstrlenW(c->password) * sizeof(WCHAR) : 0);
            any |= c->set;
        }
    blob->size = 0;
    blob->data = NULL;
    if (!any) return TRUE;
    if (!(p = buf = calloc(1, size))) return FALSE;
    for (t = 0; t < 2; t++)
        for (s = 0; s < 5; s++)
        {
            struct bits_credential *c = &job->creds[t][s];
            put_u32(&p, c->set);
            put_str(&p, c->user);
            put_str(&p, c->password);
        }
    blob->data = buf;
    blob->size = size;
    return TRUE;
}

static BOOL get_str(const BYTE **p, const BYTE *end, WCHAR **out)
{
    UINT32 len;

    *out = NULL;
    if (end - *p < 4) return FALSE;
    memcpy(&len, *p, 4);
    *p += 4;
    if (len == 0xffffffff) return TRUE;
    if ((SIZE_T)(end - *p) / sizeof(WCHAR) < len) return FALSE;
    if (!(*out = heap_alloc_zero((len + 1) * sizeof(WCHAR)))) return FALSE;
    memcpy(*out, *p, len * sizeof(WCHAR));
    *p += len * sizeof(WCHAR);
    return TRUE;
}

static void credentials_from_blob(struct bits_job *job, const struct store_blob *blob)
{
    const BYTE *p, *end;
    unsigned int t, s;
    DWORD size = 0;
    BYTE *buf;

    if (!(buf = unprotect(blob, &size))) return;
    p = buf;
    end = buf + size;
    for (t = 0; t < 2; t++)
        for (s = 0; s < 5; s++)
        {
            struct bits_credential *c = &job->creds[t][s];
            UINT32 set;
            if (end - p < 4) goto done;
            memcpy(&set, p, 4);
            p += 4;
            c->set = set != 0;
            if (!get_str(&p, end, &c->user) || !get_str(&p, end, &c->password)) goto done;
        }
done:
    SecureZeroMemory(buf, size);
    heap_free(buf);
}

/* ---- job <-> record ---- */

static uint64_t ft_to_u64(const FILETIME *ft)
{
    return ((uint64_t)ft->dwHighDateTime << 32) | ft->dwLowDateTime;
}

static void u64_to_ft(uint64_t v, FILETIME *ft)
{
    ft->dwLowDateTime = (DWORD)v;
    ft->dwHighDateTime = (DWORD)(v >> 32);
}

static struct store_range *dup_ranges(const BG_FILE_RANGE *ranges, DWORD count)
{
    struct store_range *copy;
    DWORD i;

    if (!count || !(copy = malloc(count * sizeof(*copy)))) return NULL;
    for (i = 0; i < count; i++)
    {
        copy[i].offset = ranges[i].InitialOffset;
        copy[i].length = ranges[i].Length;
    }
    return copy;
}

static BG_FILE_RANGE *load_ranges(const struct store_range *ranges, uint32_t count)
{
    BG_FILE_RANGE *copy;
    uint32_t i;

    if (!count || !(copy = heap_alloc_zero(count * sizeof(*copy)))) return NULL;
    for (i = 0; i < count; i++)
    {
        copy[i].InitialOffset = ranges[i].offset;
        copy[i].Length = ranges[i].length;
    }
    return copy;
}

/* Called with job->cs held. */
static BOOL job_to_record(struct bits_job *job, struct store_job *rec, ULONGLONG now)
{
    struct bits_file *file;
    uint32_t i = 0;

    memset(rec, 0, sizeof(*rec));
    memcpy(rec->id, &job->id, 16);
    rec->type = job->type;
    rec->state = job->state;
    rec->priority = job->priority;
    rec->notify_flags = job->notify_flags;
    rec->retry_delay = job->retry_delay;
    rec->no_progress_timeout = job->no_progress_timeout;
    rec->max_download_time = job->max_download_time;
    rec->proxy_usage = job->proxy_usage;
    rec->acl_flags = job->acl_flags;
    rec->peer_flags = job->peer_flags;
    rec->security_flags = job->security_flags;
    rec->helper_flags = job->helper_flags;
    rec->cost_flags = job->cost_flags;
    rec->notify_interval_ms = job->notify_interval_ms;
    rec->error_count = job->error_count;
    rec->error_file = -1;
    if (job->error)
    {
        rec->error_context = job->error->context;
        rec->error_code = job->error->code;
        rec->error_protocol = dup_for_codec(job->error->protocol);
    }
    rec->creation_time = ft_to_u64(&job->creation_time);
    rec->modification_time = ft_to_u64(&job->modification_time);
    rec->completion_time = ft_to_u64(&job->completion_time);
    rec->activity_time = ft_to_u64(&job->activity_time);
    rec->max_download_size = job->max_download_size;
    memcpy(rec->notify_clsid, &job->notify_clsid, 16);
    rec->dynamic_content = !!job->dynamic_content;
    rec->high_performance = !!job->high_performance;
    rec->on_demand = !!job->on_demand;
    rec->headers_write_only = !!job->headers_write_only;
    rec->resumed_once = !!job->resumed_once;
    rec->cert_set = !!job->cert_set;
    rec->cert_by_hash = !!job->cert_by_hash;
    rec->stored_credentials = job->stored_credentials;
    rec->cert_location = job->cert_location;
    memcpy(rec->cert_hash, job->cert_hash, 20);
    rec->display_name = dup_for_codec(job->display_name);
    rec->description = dup_for_codec(job->description);
    rec->notify_program = dup_for_codec(job->notify_program);
    rec->notify_params = dup_for_codec(job->notify_params);
    rec->proxy_list = dup_for_codec(job->proxy_list);
    rec->proxy_bypass = dup_for_codec(job->proxy_bypass);
    rec->reply_name = dup_for_codec(job->reply_name);
    rec->http_method = dup_for_codec(job->http_method);
    rec->cert_store = dup_for_codec(job->cert_store);
    rec->cert_subject = dup_for_codec(job->cert_subject);
    if (job->owner.sid && (rec->owner_sid.data = malloc(GetLengthSid(job->owner.sid))))
    {
        rec->owner_sid.size = GetLengthSid(job->owner.sid);
        memcpy(rec->owner_sid.data, job->owner.sid, rec->owner_sid.size);
    }
    rec->owner_integrity = job->owner.integrity;
    rec->owner_elevated = !!job->owner.elevated;
    rec->owner_admin = !!job->owner.admin;
    rec->owner_service = !!job->owner.service;
    /* Secrets in plain bytes for now: store_save seals them once no lock is held. */
    if (job->custom_headers)
    {
        size_t len = lstrlenW(job->custom_headers) * sizeof(WCHAR);
        if ((rec->custom_headers.data = malloc(len)))
        {
            rec->custom_headers.size = len;
            memcpy(rec->custom_headers.data, job->custom_headers, len);
        }
    }
    credentials_to_blob(job, &rec->credentials);
    if (job->state == BG_JOB_STATE_TRANSIENT_ERROR && job->retry_at > now)
        rec->retry_due_in_ms = job->retry_at - now;
    if (job->last_progress && now > job->last_progress) rec->no_progress_ms = now - job->last_progress;
    /* The MaxDownloadTime clock with the running part of a worker that is still busy. */
    rec->download_ms = job->download_ms;
    if (job->active_since && now > job->active_since) rec->download_ms += now - job->active_since;
    if (job->upload_host_failed) rec->upload_host_failed_ms = max(now - min(job->upload_host_failed, now), 1);
    rec->upload_session = dup_for_codec(job->upload_session);
    rec->upload_host = dup_for_codec(job->upload_host);
    rec->upload_fallback = job->upload_fallback;
    rec->upload_file_time = job->upload_file_time;
    rec->reply_url = dup_for_codec(job->reply_url);
    rec->reply_temp = dup_for_codec(job->reply_temp);
    rec->reply_bytes_total = job->reply_progress.BytesTotal;
    rec->reply_bytes_transferred = job->reply_progress.BytesTransferred;
    rec->reply_done = !!job->reply_done;

    if (job->file_count && !(rec->files = calloc(job->file_count, sizeof(*rec->files)))) return FALSE;
    LIST_FOR_EACH_ENTRY(file, &job->files, struct bits_file, entry)
    {
        struct store_file *f = &rec->files[i];
        if (job->error && job->error->file == file) rec->error_file = i;
        f->remote = dup_for_codec(file->remote_name);
        f->local = dup_for_codec(file->local_name);
        f->temp = dup_for_codec(file->temp_name);
        f->bytes_total = file->progress.BytesTotal;
        f->bytes_transferred = file->progress.BytesTransferred;
        f->completed = !!file->progress.Completed;
        f->transferred = !!file->transferred;
        f->local_existed = !!file->local_existed;
        f->validation_state = !!file->validation_state;
        f->remote_mtime = ft_to_u64(&file->remote_mtime);
        if ((f->ranges = dup_ranges(file->ranges, file->range_count))) f->range_count = file->range_count;
        if ((f->filled = dup_ranges(file->filled, file->filled_count))) f->filled_count = file->filled_count;
        if ((f->requested = dup_ranges(file->requested, file->requested_count))) f->requested_count = file->requested_count;
        f->download_position = file->download_position;
        f->response_headers = dup_for_codec(file->response_headers);
        if (++i == job->file_count) break;
    }
    rec->file_count = i;
    return TRUE;
}

static HRESULT job_from_record(const struct store_job *rec, ULONGLONG now, struct bits_job **out)
{
    struct bits_caller owner = { 0 };
    struct bits_job *job;
    struct bits_file *file;
    uint32_t i;
    HRESULT hr;
    DWORD size;

    if (!rec->display_name || rec->type > BG_JOB_TYPE_UPLOAD_REPLY || rec->state > BG_JOB_STATE_CANCELLED
        || !rec->owner_sid.size || !IsValidSid(rec->owner_sid.data))
        return E_INVALIDARG;
    owner.sid = rec->owner_sid.data;
    owner.integrity = rec->owner_integrity;
    owner.elevated = rec->owner_elevated;
    owner.admin = rec->owner_admin;
    owner.service = rec->owner_service;
    if (FAILED(hr = job_create((const WCHAR *)rec->display_name, rec->type, &owner, &job))) return hr;

    memcpy(&job->id, rec->id, 16);
    /* The state the job had when it was saved, set like every other field of a job being built:
     * it is where the job is, not a change, so job_set_state (the check, the log, the save) has
     * nothing to do with it. */
    job->state = rec->state;
    job->priority = rec->priority;
    job->notify_flags = rec->notify_flags;
    job->retry_delay = rec->retry_delay;
    job->no_progress_timeout = rec->no_progress_timeout;
    job->max_download_time = rec->max_download_time;
    job->proxy_usage = rec->proxy_usage;
    job->acl_flags = rec->acl_flags;
    job->peer_flags = rec->peer_flags;
    job->security_flags = rec->security_flags;
    job->helper_flags = rec->helper_flags;
    job->cost_flags = rec->cost_flags;
    job->notify_interval_ms = rec->notify_interval_ms;
    job->error_count = rec->error_count;
    u64_to_ft(rec->creation_time, &job->creation_time);
    u64_to_ft(rec->modification_time, &job->modification_time);
    u64_to_ft(rec->completion_time, &job->completion_time);
    u64_to_ft(rec->activity_time ? rec->activity_time : rec->modification_time, &job->activity_time);
    job->max_download_size = rec->max_download_size;
    memcpy(&job->notify_clsid, rec->notify_clsid, 16);
    job->dynamic_content = rec->dynamic_content;
    job->high_performance = rec->high_performance;
    job->on_demand = rec->on_demand;
    job->headers_write_only = rec->headers_write_only;
    job->resumed_once = rec->resumed_once;
    job->cert_set = rec->cert_set;
    job->cert_by_hash = rec->cert_by_hash;
    job->stored_credentials = rec->stored_credentials;
    job->cert_location = rec->cert_location;
    memcpy(job->cert_hash, rec->cert_hash, 20);
    job->description = from_store_str(rec->description);
    job->notify_program = from_store_str(rec->notify_program);
    job->notify_params = from_store_str(rec->notify_params);
    job->proxy_list = from_store_str(rec->proxy_list);
    job->proxy_bypass = from_store_str(rec->proxy_bypass);
    job->reply_name = from_store_str(rec->reply_name);
    job->http_method = from_store_str(rec->http_method);
    job->cert_store = from_store_str(rec->cert_store);
    job->cert_subject = from_store_str(rec->cert_subject);
    size = 0;
    job->custom_headers = (WCHAR *)unprotect(&rec->custom_headers, &size);
    credentials_from_blob(job, &rec->credentials);
    job->last_progress = now - min(rec->no_progress_ms, now);
    job->download_ms = rec->download_ms;       /* counts on from where it was until a Resume */
    /* The upload session goes on from the offset the server acknowledged. */
    if ((job->upload_session = from_store_str(rec->upload_session)))
    {
        job->upload_host = from_store_str(rec->upload_host);
        job->upload_fallback = rec->upload_fallback;
        job->upload_file_time = rec->upload_file_time;
        /* The host id fallback timer goes on from the first failure. */
        if (job->upload_host && rec->upload_host_failed_ms)
            job->upload_host_failed = max(now - min(rec->upload_host_failed_ms, now), 1);
    }
    job->reply_url = from_store_str(rec->reply_url);
    job->reply_temp = from_store_str(rec->reply_temp);
    if (rec->reply_temp || rec->reply_done)
    {
        job->reply_progress.BytesTotal = rec->reply_bytes_total;
        job->reply_progress.BytesTransferred = rec->reply_bytes_transferred;
    }
    job->reply_done = rec->reply_done;

    for (i = 0; i < rec->file_count; i++)
    {
        const struct store_file *f = &rec->files[i];
        BG_FILE_RANGE *ranges = load_ranges(f->ranges, f->range_count);

        if (!f->remote || !f->local) continue;
        hr = file_create(job, (const WCHAR *)f->remote, (const WCHAR *)f->local, ranges, ranges ? f->range_count : 0,
                         &file);
        heap_free(ranges);
        if (FAILED(hr)) continue;
        heap_free(file->temp_name);
        file->temp_name = from_store_str(f->temp);
        file->progress.BytesTotal = f->bytes_total;
        file->progress.BytesTransferred = f->bytes_transferred;
        file->progress.Completed = f->completed;
        file->transferred = f->transferred;
        file->local_existed = f->local_existed;
        file->validation_state = f->validation_state;
        u64_to_ft(f->remote_mtime, &file->remote_mtime);
        if ((file->filled = load_ranges(f->filled, f->filled_count))) file->filled_count = f->filled_count;
        if ((file->requested = load_ranges(f->requested, f->requested_count))) file->requested_count = f->requested_count;
        file->download_position = f->download_position;
        file->response_headers = from_store_str(f->response_headers);
        list_add_tail(&job->files, &file->entry);
        job->file_count++;
        if ((int32_t)i == rec->error_file && !job->error)
            error_create(rec->error_context, rec->error_code, file, (const WCHAR *)rec->error_protocol, &job->error);
    }
    if (rec->error_code && !job->error && (job->state == BG_JOB_STATE_ERROR || job->state == BG_JOB_STATE_TRANSIENT_ERROR))
        error_create(rec->error_context, rec->error_code, NULL, NULL, &job->error);
    if (job->error && job->error->protocol)
    {
        /* error_create keeps the pointer: give it a static string */
        job->error->protocol = !wcscmp(job->error->protocol, L"http") ? L"http" : L"file";
    }

    /* A transfer that was running goes back to the queue; retry timers go on: BITS resumes jobs after a reboot. */
    switch (job->state)
    {
    case BG_JOB_STATE_CONNECTING:
    case BG_JOB_STATE_TRANSFERRING:
        /* A real change, but not a client's: the job keeps its times, and it is saved again only
         * when something else changes. */
        job_set_state(job, BG_JOB_STATE_QUEUED, JOB_STATE_QUIET);
        break;
    case BG_JOB_STATE_TRANSIENT_ERROR:
        job->retry_at = now + rec->retry_due_in_ms;
        break;
    default:
        break;
    }
    job->analytic_state = job->state;       /* loading is no state change */
    *out = job;
    return S_OK;
}

/* ---- reading and writing images ---- */

static BYTE *read_file(const WCHAR *path, DWORD *size)
{
    LARGE_INTEGER len;
    HANDLE handle;
    BYTE *data = NULL;
    DWORD read;

    handle = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    if (handle == INVALID_HANDLE_VALUE) return NULL;
    if (GetFileSizeEx(handle, &len) && len.QuadPart < 0x40000000 && (data = heap_alloc_zero(len.QuadPart + 1)))
    {
        if (!ReadFile(handle, data, len.QuadPart, &read, NULL) || read != len.QuadPart)
        {
            heap_free(data);
            data = NULL;
        }
        else *size = read;
    }
    CloseHandle(handle);
    return data;
}

/* Writes and flushes a whole file. */
static BOOL write_file(const WCHAR *path, const uint8_t *data, size_t size)
{
    HANDLE handle;
    DWORD written;
    BOOL ret;

    handle = CreateFileW(path, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    if (handle == INVALID_HANDLE_VALUE)
    {
        ERR("cannot write %s: %lu\n", debugstr_w(path), GetLastError());
        return FALSE;
    }
    ret = WriteFile(handle, data, size, &written, NULL) && written == size && FlushFileBuffers(handle);
    if (!ret) ERR("writing %s failed: %lu\n", debugstr_w(path), GetLastError());
    CloseHandle(handle);
    return ret;
}

static BOOL write_image(int slot, const uint8_t *data, size_t size)
{
    WCHAR path[MAX_PATH];

    slot_path(slot, path);
    return write_file(path, data, size);
}

/* save_lock: one save at a time; taken before the manager lock. */

struct cancel_records
{
    struct store_job *recs;
    size_t count, size;
    ULONGLONG now;
};

/* A pending Cancel-Session (upload.c) is saved as its cancelled job with the session, the
 * URL as the one file's remote name (no local name) and the time since the first Cancel-Session
 * as no_progress_ms; the next start sends it again (Cancel-Session is re-sent for up to 24 h). */
static void cancel_to_record(struct bits_job *job, const WCHAR *remote, const WCHAR *host, const WCHAR *session,
                             ULONGLONG elapsed_ms, void *context)
{
    struct cancel_records *c = context;
    struct store_job *rec, *grown;
    BOOL ok;

    if (c->count == c->size)
    {
        if (!(grown = realloc(c->recs, (c->size * 2 + 1) * sizeof(*grown)))) return;
        c->recs = grown;
        c->size = c->size * 2 + 1;
    }
    rec = &c->recs[c->count];
    EnterCriticalSection(&job->cs);
    ok = job_to_record(job, rec, c->now);
    LeaveCriticalSection(&job->cs);
    if (!ok) return;
    rec->state = BG_JOB_STATE_CANCELLED;
    rec->no_progress_ms = elapsed_ms;
    free(rec->upload_session);
    rec->upload_session = dup_for_codec(session);
    free(rec->upload_host);
    rec->upload_host = dup_for_codec(host);
    if (!rec->file_count && (rec->files = calloc(1, sizeof(*rec->files)))) rec->file_count = 1;
    if (rec->file_count)
    {
        free(rec->files[0].remote);
        rec->files[0].remote = dup_for_codec(remote);
    }
    c->count++;
}

/* store_load: a record of a pending Cancel-Session sends it again; the job is not queued. */
static void cancel_from_record(const struct store_job *rec, ULONGLONG now)
{
    struct bits_job *job;

    if (!rec->upload_session || !rec->file_count || !rec->files[0].remote) return;
    if (FAILED(job_from_record(rec, now, &job))) return;
    upload_cancel_session(job, from_store_str(rec->files[0].remote), from_store_str(rec->upload_host),
                          from_store_str(rec->upload_session), rec->no_progress_ms);
    IBackgroundCopyJob_Release(job_iface(job));
}

/* Take a snapshot of every job and write it to the other slot. */
static void store_save(void)
{
    struct cancel_records pending;
    struct store_job *recs;
    struct bits_job *job;
    ULONGLONG now = GetTickCount64();
    size_t count = 0, size, i;
    uint8_t *image;
    uint64_t sequence;
    int ret, slot, *errors;

    EnterCriticalSection(&save_lock);
    EnterCriticalSection(&bits_manager.cs);
    pending.size = list_count(&bits_manager.jobs) + 1;
    if (!(recs = calloc(pending.size, sizeof(*recs))))
    {
        LeaveCriticalSection(&bits_manager.cs);
        LeaveCriticalSection(&save_lock);
        return;
    }
    LIST_FOR_EACH_ENTRY(job, &bits_manager.jobs, struct bits_job, entry)
    {
        EnterCriticalSection(&job->cs);
        if (!job_is_final(job) && job_to_record(job, &recs[count], now)) count++;
        LeaveCriticalSection(&job->cs);
    }
    LeaveCriticalSection(&bits_manager.cs);
    pending.recs = recs;
    pending.count = count;
    pending.now = now;
    upload_enum_cancels(cancel_to_record, &pending);
    recs = pending.recs;
    count = pending.count;
    /* CryptProtectData may load DLLs (the loader lock): never under the manager or a job lock. */
    for (i = 0; i < count; i++)
    {
        seal(&recs[i].custom_headers);
        seal(&recs[i].credentials);
    }

    EnterCriticalSection(&store.cs);
    sequence = store.sequence + 1;
    slot = !store.slot;
    LeaveCriticalSection(&store.cs);

    /* A record that cannot be encoded costs only its own job: the others are written. */
    if (!(errors = calloc(count + 1, sizeof(*errors)))) ret = STORE_E_NOMEM;
    else ret = store_encode_each(recs, count, sequence, errors, &image, &size);
    for (i = 0; !ret && i < count; i++)
    {
        if (!errors[i]) continue;
        ERR("job %s %s cannot be saved (%s); it will be missing after a restart\n",
            debugstr_guid((const GUID *)recs[i].id), debugstr_w((const WCHAR *)recs[i].display_name),
            store_strerror(errors[i]));
    }
    free(errors);
    if (ret)
        ERR("cannot encode the job store: %s\n", store_strerror(ret));
    else
    {
        if (write_image(slot, image, size))
        {
            EnterCriticalSection(&store.cs);
            store.sequence = sequence;
            store.slot = slot;
            LeaveCriticalSection(&store.cs);
            TRACE("saved %lu jobs, sequence %s, slot %d\n", (unsigned long)count,
                  wine_dbg_sprintf("%lu", (unsigned long)sequence), slot);
        }
        free(image);
    }
    store_free_jobs(recs, count);
    LeaveCriticalSection(&save_lock);
}

/* A job left the queue for good (Complete, Cancel): write it down before the call returns, so
 * that a crash right after cannot bring it back. The caller holds no lock. */
void store_save_now(void)
{
    BOOL enabled;

    InitOnceExecuteOnce(&store_once, store_cs_init, NULL, NULL);
    EnterCriticalSection(&store.cs);
    enabled = store.enabled;
    LeaveCriticalSection(&store.cs);
    if (enabled) store_save();
}

static DWORD WINAPI saver_thread(void *arg)
{
    for (;;)
    {
        BOOL urgent, stopping;
        ULONGLONG deadline;

        WaitForSingleObject(store.wake, INFINITE);
        EnterCriticalSection(&store.cs);
        urgent = store.urgent;
        stopping = store.stopping;
        LeaveCriticalSection(&store.cs);
        if (stopping) break;
        /* Coalesce: later changes within the delay ride along; a stop cuts the wait short, and
         * a state change during the long delay of other changes shortens it to its own (state
         * changes are saved at once). store_changed() signals wake again only then. */
        deadline = GetTickCount64() + (urgent ? STATE_DELAY_MS : CHANGE_DELAY_MS);
        for (;;)
        {
            HANDLE handles[2] = { store.stop, store.wake };
            ULONGLONG now = GetTickCount64();

            if (now >= deadline) break;
            if (WaitForMultipleObjects(2, handles, FALSE, (DWORD)(deadline - now)) != WAIT_OBJECT_0 + 1) break;
            EnterCriticalSection(&store.cs);
            urgent = store.urgent;
            LeaveCriticalSection(&store.cs);
            if (urgent) deadline = min(deadline, GetTickCount64() + STATE_DELAY_MS);
        }
        EnterCriticalSection(&store.cs);
        store.dirty = store.urgent = FALSE;
        stopping = store.stopping;
        LeaveCriticalSection(&store.cs);
        store_save();
        if (stopping) break;
    }
    return 0;
}

static void create_directories(const WCHAR *dir)
{
    WCHAR path[MAX_PATH], *p;

    lstrcpynW(path, dir, MAX_PATH);
    for (p = path + 3; *p; p++)
    {
        if (*p != '\\') continue;
        *p = 0;
        CreateDirectoryW(path, NULL);
        *p = '\\';
    }
    CreateDirectoryW(path, NULL);
}

/* ---- Where the queue lives ----
 *
 * Where Windows keeps it: the ProgramData known folder, asked of the shell. Earlier builds
 * expanded %ProgramData% in the service's environment instead, which differs between Wine
 * versions (C:\users\Public under Wine 8, the Public known folder; C:\ProgramData under Wine 10),
 * so an upgrade of Wine would have lost the queue. At start, a queue found where earlier builds
 * kept it is moved here when this place has none:
 *  - the images are copied beside the new ones as qmgr<slot>.dat.moving and flushed, new images
 *    of a slot the old place lacks are deleted (an empty queue, or the rest of an earlier try),
 *    the copies are renamed over the images, and only then are the old images deleted;
 *  - a .moving copy left at start means a move was cut short: it is done again from the old
 *    images, which are still whole;
 *  - old images that are byte for byte the new ones are the end of a move cut short before its
 *    deletes: they are deleted;
 *  - when both places hold a queue that differs, this place wins and the other is left as it is
 *    (logged): it is never overwritten or deleted;
 *  - when the move fails, the queue is used where it is for this run and the move is tried
 *    again at the next start.
 * Only images that decode are taken (other programs may have files of these names). */

#define STORE_SUBDIR L"\\Microsoft\\Network\\Downloader"
#define MOVING       L".moving"

static BOOL known_folder_dir(const GUID *folder, WCHAR *dir)
{
    WCHAR *path;
    int len;

    if (FAILED(SHGetKnownFolderPath(folder, KF_FLAG_DONT_VERIFY, NULL, &path))) return FALSE;
    len = swprintf(dir, MAX_PATH, L"%ls" STORE_SUBDIR, path);
    CoTaskMemFree(path);
    return len > 0;
}

static BOOL expanded_dir(const WCHAR *variable, WCHAR *dir)
{
    DWORD len = ExpandEnvironmentStringsW(variable, dir, MAX_PATH);
    return len && len <= MAX_PATH && dir[0] != '%';
}

static BOOL same_dir(const WCHAR *a, const WCHAR *b)
{
    WCHAR full_a[MAX_PATH], full_b[MAX_PATH];

    if (!GetFullPathNameW(a, MAX_PATH, full_a, NULL) || !GetFullPathNameW(b, MAX_PATH, full_b, NULL))
        return !wcsicmp(a, b);
    return !wcsicmp(full_a, full_b);
}

struct images
{
    BOOL present[2], good[2];
    size_t jobs[2];                    /* records of a good image */
    uint64_t sequence[2];              /* of a good image */
    ULONGLONG written;                 /* the last write of any image, FILETIME */
};

static void inspect_images(const WCHAR *dir, struct images *im)
{
    WIN32_FILE_ATTRIBUTE_DATA attr;
    WCHAR path[MAX_PATH];
    int slot;

    memset(im, 0, sizeof(*im));
    for (slot = 0; slot < 2; slot++)
    {
        struct store_job *recs;
        DWORD size = 0;
        BYTE *data;

        image_path(dir, slot, L"", path);
        if (!GetFileAttributesExW(path, GetFileExInfoStandard, &attr)) continue;
        im->present[slot] = TRUE;
        im->written = max(im->written, ft_to_u64(&attr.ftLastWriteTime));
        if (!(data = read_file(path, &size))) continue;
        if (!store_decode(data, size, &recs, &im->jobs[slot], &im->sequence[slot]))
        {
            im->good[slot] = TRUE;
            store_free_jobs(recs, im->jobs[slot]);
        }
        heap_free(data);
    }
}

/* Nothing in dir would be lost by replacing its images: there are none, or the one a start
 * would load holds no job (an emptied queue). Damaged images are kept for the load to set aside. */
static BOOL nothing_to_keep(const struct images *im)
{
    int newest = -1, slot;

    for (slot = 0; slot < 2; slot++)
    {
        if (im->present[slot] && !im->good[slot]) return FALSE;
        if (im->good[slot] && (newest < 0 || im->sequence[slot] > im->sequence[newest])) newest = slot;
    }
    return newest < 0 || !im->jobs[newest];
}

static BOOL files_equal(const WCHAR *a, const WCHAR *b)
{
    DWORD size_a = 0, size_b = 0;
    BYTE *data_a, *data_b;
    BOOL equal;

    data_a = read_file(a, &size_a);
    data_b = read_file(b, &size_b);
    equal = data_a && data_b && size_a == size_b && !memcmp(data_a, data_b, size_a);
    heap_free(data_a);
    heap_free(data_b);
    return equal;
}

static void delete_images(const WCHAR *dir, const struct images *im, const WCHAR *suffix)
{
    WCHAR path[MAX_PATH];
    int slot;

    for (slot = 0; slot < 2; slot++)
    {
        if (im && !im->present[slot]) continue;
        image_path(dir, slot, suffix, path);
        if (!DeleteFileW(path) && GetLastError() != ERROR_FILE_NOT_FOUND)
            WARN("cannot delete %s: %lu\n", debugstr_w(path), GetLastError());
    }
}

/* Copies the images of old_dir into store.dir (see above); FALSE leaves the old ones whole. */
static BOOL move_images(const WCHAR *old_dir, const struct images *old)
{
    WCHAR from[MAX_PATH], to[MAX_PATH];
    int slot;

    delete_images(store.dir, NULL, MOVING);
    for (slot = 0; slot < 2; slot++)
    {
        DWORD size = 0;
        BYTE *data;
        BOOL ok;

        if (!old->present[slot]) continue;
        image_path(old_dir, slot, L"", from);
        image_path(store.dir, slot, MOVING, to);
        if (!(data = read_file(from, &size)))
        {
            ERR("cannot read %s: %lu\n", debugstr_w(from), GetLastError());
            delete_images(store.dir, NULL, MOVING);
            return FALSE;
        }
        ok = write_file(to, data, size);
        heap_free(data);
        if (!ok)
        {
            delete_images(store.dir, NULL, MOVING);
            return FALSE;
        }
    }
    /* While a copy is left, a cut-short move is done again from the start: no new image of a
     * slot the old place lacks may outlive it (its higher sequence would win). */
    for (slot = 0; slot < 2; slot++)
    {
        if (old->present[slot]) continue;
        image_path(store.dir, slot, L"", to);
        if (!DeleteFileW(to) && GetLastError() != ERROR_FILE_NOT_FOUND)
        {
            ERR("cannot delete %s: %lu\n", debugstr_w(to), GetLastError());
            delete_images(store.dir, NULL, MOVING);
            return FALSE;
        }
    }
    for (slot = 0; slot < 2; slot++)
    {
        if (!old->present[slot]) continue;
        image_path(store.dir, slot, MOVING, from);
        image_path(store.dir, slot, L"", to);
        if (!MoveFileExW(from, to, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH))
        {
            ERR("cannot rename %s: %lu\n", debugstr_w(from), GetLastError());
            return FALSE;
        }
    }
    delete_images(old_dir, old, L"");
    return TRUE;
}

/* A .moving copy in store.dir: a move was cut short. */
static BOOL move_cut_short(void)
{
    WCHAR path[MAX_PATH];
    int slot;

    for (slot = 0; slot < 2; slot++)
    {
        image_path(store.dir, slot, MOVING, path);
        if (GetFileAttributesW(path) != INVALID_FILE_ATTRIBUTES) return TRUE;
    }
    return FALSE;
}

static void move_old_store(void)
{
    WCHAR candidates[3][MAX_PATH], path[MAX_PATH], here_path[MAX_PATH];
    struct images old, best_images, here;
    int count = 0, i, best = -1, slot;
    BOOL equal;

    /* Wine 8's expansion of %ProgramData% for the service, what this environment expands it
     * to, and the Windows directory, where earlier builds fell back when it was not set. */
    if (known_folder_dir(&FOLDERID_Public, candidates[count])) count++;
    if (expanded_dir(L"%ProgramData%" STORE_SUBDIR, candidates[count])) count++;
    if (GetWindowsDirectoryW(candidates[count], MAX_PATH)) count++;

    for (i = 0; i < count; i++)
    {
        int j;

        if (same_dir(candidates[i], store.dir)) continue;
        for (j = 0; j < i; j++) if (same_dir(candidates[i], candidates[j])) break;
        if (j < i) continue;
        inspect_images(candidates[i], &old);
        if (!old.good[0] && !old.good[1]) continue;
        if (best < 0 || old.written > best_images.written)
        {
            best = i;
            best_images = old;
        }
    }
    if (best < 0)
    {
        if (move_cut_short()) delete_images(store.dir, NULL, MOVING);   /* its old images are gone */
        return;
    }

    inspect_images(store.dir, &here);
    if (!move_cut_short() && !nothing_to_keep(&here))
    {
        equal = TRUE;
        for (slot = 0; slot < 2 && equal; slot++)
        {
            if (!best_images.present[slot]) continue;
            image_path(candidates[best], slot, L"", path);
            image_path(store.dir, slot, L"", here_path);
            equal = files_equal(path, here_path);
        }
        if (equal)
        {
            TRACE("deleting the images left at %s by an earlier move\n", debugstr_w(candidates[best]));
            delete_images(candidates[best], &best_images, L"");
        }
        else
            WARN("a job store at %s and another at %s: this one is used, the other is left as it is\n",
                 debugstr_w(store.dir), debugstr_w(candidates[best]));
        return;
    }
    if (move_images(candidates[best], &best_images))
        TRACE("moved the job store from %s to %s\n", debugstr_w(candidates[best]), debugstr_w(store.dir));
    else
    {
        ERR("cannot move the job store from %s to %s: it is used where it is for now\n",
            debugstr_w(candidates[best]), debugstr_w(store.dir));
        lstrcpyW(store.dir, candidates[best]);
    }
}

/* Service start: read the newest good image and queue its jobs. */
void store_load(void)
{
    WCHAR path[MAX_PATH];
    struct store_job *recs[2] = { NULL, NULL };
    size_t counts[2] = { 0, 0 };
    uint64_t seqs[2] = { 0, 0 };
    BOOL present[2] = { FALSE, FALSE }, good[2] = { FALSE, FALSE };
    ULONGLONG now = GetTickCount64();
    IUnknown *unk;
    int slot, best = -1;
    size_t i, loaded = 0;

    InitOnceExecuteOnce(&store_once, store_cs_init, NULL, NULL);
    manager_get_object(&IID_IUnknown, (void **)&unk);   /* the manager lock exists */
    if (!persistence_wanted()) return;
    if (!known_folder_dir(&FOLDERID_ProgramData, store.dir) && !expanded_dir(L"%ProgramData%" STORE_SUBDIR, store.dir))
        GetWindowsDirectoryW(store.dir, MAX_PATH);
    create_directories(store.dir);
    move_old_store();

    for (slot = 0; slot < 2; slot++)
    {
        DWORD size = 0;
        BYTE *data;
        int ret;

        slot_path(slot, path);
        if (!(data = read_file(path, &size))) continue;
        present[slot] = TRUE;
        if ((ret = store_decode(data, size, &recs[slot], &counts[slot], &seqs[slot])))
            WARN("%s is not usable: %s\n", debugstr_w(path), store_strerror(ret));
        else
        {
            good[slot] = TRUE;
            if (best < 0 || seqs[slot] > seqs[best]) best = slot;
        }
        heap_free(data);
    }

    if (best < 0 && (present[0] || present[1]))
    {
        /* Nothing readable: keep the damaged images aside and start empty, as BITS does with a corrupt queue. */
        for (slot = 0; slot < 2; slot++)
        {
            WCHAR aside[MAX_PATH];
            if (!present[slot]) continue;
            slot_path(slot, path);
            swprintf(aside, MAX_PATH, L"%ls.corrupt-%lu", path, (unsigned long)GetTickCount());
            MoveFileExW(path, aside, MOVEFILE_REPLACE_EXISTING);
        }
        ERR("the job store could not be read; it was set aside and the queue starts empty\n");
    }
    /* A restart in the same svchost: the disk is the truth, drop what memory still holds. */
    upload_forget_cancels();
    EnterCriticalSection(&bits_manager.cs);
    while (!list_empty(&bits_manager.jobs))
    {
        struct bits_job *job = LIST_ENTRY(bits_manager.jobs.next, struct bits_job, entry);
        list_remove(&job->entry);
        LeaveCriticalSection(&bits_manager.cs);
        IBackgroundCopyJob_Release(job_iface(job));
        EnterCriticalSection(&bits_manager.cs);
    }
    LeaveCriticalSection(&bits_manager.cs);

    if (best >= 0)
    {
        EnterCriticalSection(&bits_manager.cs);
        for (i = 0; i < counts[best]; i++)
        {
            struct bits_job *job;
            if (recs[best][i].state == BG_JOB_STATE_CANCELLED)
            {
                cancel_from_record(&recs[best][i], now);
                continue;
            }
            if (FAILED(job_from_record(&recs[best][i], now, &job))) continue;
            list_add_tail(&bits_manager.jobs, &job->entry);   /* the list keeps the reference */
            loaded++;
        }
        LeaveCriticalSection(&bits_manager.cs);
        store.sequence = seqs[best];
        store.slot = best;
        TRACE("loaded %lu jobs from slot %d\n", (unsigned long)loaded, best);
    }
    for (slot = 0; slot < 2; slot++) if (good[slot]) store_free_jobs(recs[slot], counts[slot]);

    EnterCriticalSection(&store.cs);
    store.enabled = TRUE;
    store.stopping = FALSE;
    store.dirty = store.urgent = FALSE;
    if (store.wake) CloseHandle(store.wake);
    store.wake = CreateEventW(NULL, FALSE, FALSE, NULL);
    if (store.stop) CloseHandle(store.stop);
    store.stop = CreateEventW(NULL, TRUE, FALSE, NULL);
    store.thread = CreateThread(NULL, 0, saver_thread, NULL, 0, NULL);
    LeaveCriticalSection(&store.cs);
    if (loaded) scheduler_wake();
}

/* Service stop: write what is pending and stop the saver. */
/* Service stop, first step: the saver thread ends and everything is written while the class
 * objects still serve; the store stays on, so that store_shutdown() writes what a client
 * changes until they are revoked (normally nothing: then the stop costs no second save). */
void store_flush(void)
{
    HANDLE thread;

    InitOnceExecuteOnce(&store_once, store_cs_init, NULL, NULL);
    EnterCriticalSection(&store.cs);
    if (!store.enabled || store.stopping)
    {
        LeaveCriticalSection(&store.cs);
        return;
    }
    store.stopping = TRUE;
    thread = store.thread;
    store.thread = NULL;
    SetEvent(store.stop);
    SetEvent(store.wake);
    LeaveCriticalSection(&store.cs);
    if (thread)
    {
        /* No time limit: the saver waits only on its own events, which are set now, and at
         * most finishes one save to the local disk. Going on while it still ran would leave it
         * writing the store while the service stops, and after a restart in this svchost next
         * to the new saver. */
        WaitForSingleObject(thread, INFINITE);
        CloseHandle(thread);
    }
    EnterCriticalSection(&store.cs);
    store.dirty = store.urgent = FALSE;        /* a change from now on marks it again */
    LeaveCriticalSection(&store.cs);
    store_save();
}

/* Service stop, last step: what changed since store_flush() is written, and the store is off
 * until the next store_load(). */
void store_shutdown(void)
{
    BOOL dirty;

    store_flush();                             /* nothing left to do when it already ran */
    EnterCriticalSection(&store.cs);
    dirty = store.enabled && store.dirty;
    LeaveCriticalSection(&store.cs);
    if (dirty) store_save();
    EnterCriticalSection(&store.cs);
    store.enabled = FALSE;
    LeaveCriticalSection(&store.cs);
}

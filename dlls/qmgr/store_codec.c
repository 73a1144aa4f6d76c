/*
 * store_codec.c: encoder and decoder of the job store image (layout in store_codec.h).
 * Owns nothing beyond the buffers it returns. No Windows calls: builds with MinGW and natively.
 *
 * One table per record type lists the fields in their on-disk order; encoding, decoding,
 * freeing and the minimum record size all walk the same table, so they cannot disagree.
 * The decoder trusts nothing: every length is checked against the bytes that remain before
 * anything is read or allocated, and counts are capped by the limits in the header.
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

#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include <stdlib.h>

#include "store_codec.h"

#define NULL_STRING  0xffffffffu

enum field_kind
{
    FIELD_U32,          /* uint32_t or int32_t */
    FIELD_U64,
    FIELD_BYTES16,      /* uint8_t[16] */
    FIELD_BYTES20,      /* uint8_t[20] */
    FIELD_FLAGS,        /* several uint8_t members, one bit each */
    FIELD_STRING,       /* uint16_t * */
    FIELD_BLOB,         /* struct store_blob */
    FIELD_RANGES,       /* uint32_t count at offset, struct store_range * at offset2 */
    FIELD_FILES,        /* uint32_t count at offset, struct store_file * at offset2 */
};

struct field
{
    enum field_kind kind;
    size_t offset;
    size_t offset2;
    const size_t *bits;         /* FIELD_FLAGS: offsets of the uint8_t members, bit 0 first */
    unsigned int bit_count;
};

#define U32(s, m)         { FIELD_U32, offsetof(struct s, m), 0, NULL, 0 }
#define U64(s, m)         { FIELD_U64, offsetof(struct s, m), 0, NULL, 0 }
#define BYTES16(s, m)     { FIELD_BYTES16, offsetof(struct s, m), 0, NULL, 0 }
#define BYTES20(s, m)     { FIELD_BYTES20, offsetof(struct s, m), 0, NULL, 0 }
#define STRING(s, m)      { FIELD_STRING, offsetof(struct s, m), 0, NULL, 0 }
#define BLOB(s, m)        { FIELD_BLOB, offsetof(struct s, m), 0, NULL, 0 }
#define FLAGS(bits)       { FIELD_FLAGS, 0, 0, bits, sizeof(bits) / sizeof(bits[0]) }
#define RANGES(s, c, m)   { FIELD_RANGES, offsetof(struct s, c), offsetof(struct s, m), NULL, 0 }
#define FILES(s, c, m)    { FIELD_FILES, offsetof(struct s, c), offsetof(struct s, m), NULL, 0 }

static const size_t file_flag_bits[] =
{
    offsetof(struct store_file, completed),
    offsetof(struct store_file, transferred),
    offsetof(struct store_file, local_existed),
    offsetof(struct store_file, validation_state),
};

/* Version 1 fields of a file record, in order. New fields go at the end only. */
static const struct field file_fields[] =
{
    STRING(store_file, remote),
    STRING(store_file, local),
    STRING(store_file, temp),
    U64(store_file, bytes_total),
    U64(store_file, bytes_transferred),
    FLAGS(file_flag_bits),
    U64(store_file, remote_mtime),
    RANGES(store_file, range_count, ranges),
    RANGES(store_file, filled_count, filled),
    RANGES(store_file, requested_count, requested),
    U64(store_file, download_position),
    STRING(store_file, response_headers),
};

static const size_t job_flag_bits[] =
{
    offsetof(struct store_job, dynamic_content),
    offsetof(struct store_job, high_performance),
    offsetof(struct store_job, on_demand),
    offsetof(struct store_job, headers_write_only),
    offsetof(struct store_job, resumed_once),
    offsetof(struct store_job, cert_set),
    offsetof(struct store_job, cert_by_hash),
};

static const size_t owner_flag_bits[] =
{
    offsetof(struct store_job, owner_elevated),
    offsetof(struct store_job, owner_admin),
    offsetof(struct store_job, owner_service),
};

static const size_t upload_flag_bits[] =
{
    offsetof(struct store_job, reply_done),
};

/* The fields of a job record, in order: version 1's end with the files; fields added later
 * go after them, each version's after the previous one's (JOB_FIELDS_V1 below). */
static const struct field job_fields[] =
{
    BYTES16(store_job, id),
    U32(store_job, type),
    U32(store_job, state),
    U32(store_job, priority),
    U32(store_job, notify_flags),
    U32(store_job, retry_delay),
    U32(store_job, no_progress_timeout),
    U32(store_job, max_download_time),
    U32(store_job, proxy_usage),
    U32(store_job, acl_flags),
    U32(store_job, peer_flags),
    U32(store_job, security_flags),
    U32(store_job, helper_flags),
    U32(store_job, cost_flags),
    U32(store_job, notify_interval_ms),
    U32(store_job, error_count),
    U32(store_job, error_context),
    U32(store_job, error_code),
    U32(store_job, error_file),
    STRING(store_job, error_protocol),
    U64(store_job, creation_time),
    U64(store_job, modification_time),
    U64(store_job, completion_time),
    U64(store_job, max_download_size),
    BYTES16(store_job, notify_clsid),
    FLAGS(job_flag_bits),
    U32(store_job, stored_credentials),
    U32(store_job, cert_location),
    BYTES20(store_job, cert_hash),
    STRING(store_job, display_name),
    STRING(store_job, description),
    STRING(store_job, notify_program),
    STRING(store_job, notify_params),
    STRING(store_job, proxy_list),
    STRING(store_job, proxy_bypass),
    STRING(store_job, reply_name),
    STRING(store_job, http_method),
    STRING(store_job, cert_store),
    STRING(store_job, cert_subject),
    BLOB(store_job, owner_sid),
    U32(store_job, owner_integrity),
    FLAGS(owner_flag_bits),
    BLOB(store_job, custom_headers),
    BLOB(store_job, credentials),
    U64(store_job, retry_due_in_ms),
    U64(store_job, no_progress_ms),
    FILES(store_job, file_count, files),
    /* version 2: the upload session */
    STRING(store_job, upload_session),
    STRING(store_job, upload_host),
    U32(store_job, upload_fallback),
    U64(store_job, upload_file_time),
    STRING(store_job, reply_url),
    STRING(store_job, reply_temp),
    U64(store_job, reply_bytes_total),
    U64(store_job, reply_bytes_transferred),
    FLAGS(upload_flag_bits),
    /* version 2 too: JobInactivityTimeout */
    U64(store_job, activity_time),
    /* version 3: the MaxDownloadTime clock and the host id fallback timer */
    U64(store_job, download_ms),
    U64(store_job, upload_host_failed_ms),
};

#define JOB_FIELDS_V1  47       /* up to and with the files */
#define JOB_FIELDS_V2  57       /* up to and with the activity time */

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* How many job fields a record of an image of this version has at least. */
static size_t job_fields_of_version(uint32_t version)
{
    return version == 1 ? JOB_FIELDS_V1 : version == 2 ? JOB_FIELDS_V2 : ARRAY_SIZE(job_fields);
}
#define FIELD_PTR(rec, off, type) ((type *)((char *)(rec) + (off)))
#define FIELD_CPTR(rec, off, type) ((type const *)((const char *)(rec) + (off)))

/* ---- CRC-32 (IEEE 802.3, reflected), four bits at a time ---- */

static const uint32_t crc_nibble[16] =
{
    0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac, 0x76dc4190, 0x6b6b51f4, 0x4db26158, 0x5005713c,
    0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c, 0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c,
};

uint32_t store_crc32(uint32_t crc, const void *data, size_t len)
{
    const uint8_t *p = data;

    crc = ~crc;
    while (len--)
    {
        crc ^= *p++;
        crc = (crc >> 4) ^ crc_nibble[crc & 15];
        crc = (crc >> 4) ^ crc_nibble[crc & 15];
    }
    return ~crc;
}

const char *store_strerror(int error)
{
    switch (error)
    {
    case 0: return "success";
    case STORE_E_TRUNCATED: return "image truncated";
    case STORE_E_MAGIC: return "not a job store image (bad magic)";
    case STORE_E_VERSION: return "unknown store version";
    case STORE_E_CHECKSUM: return "checksum mismatch";
    case STORE_E_CORRUPT: return "inconsistent contents";
    case STORE_E_NOMEM: return "out of memory";
    case STORE_E_LIMIT: return "a count or size exceeds the store limits";
    default: return "unknown error";
    }
}

/* ---- little-endian helpers ---- */

static void put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static void put_le64(uint8_t *p, uint64_t v)
{
    put_le32(p, (uint32_t)v);
    put_le32(p + 4, (uint32_t)(v >> 32));
}

static uint32_t get_le32(const uint8_t *p)
{
    return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_le64(const uint8_t *p)
{
    return get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}

/* Encoded size of a field at its smallest (empty string, no blob, no entries). */
static size_t field_min_size(enum field_kind kind)
{
    switch (kind)
    {
    case FIELD_U64: return 8;
    case FIELD_BYTES16: return 16;
    case FIELD_BYTES20: return 20;
    default: return 4;
    }
}

static size_t record_min_size(const struct field *fields, size_t count)
{
    size_t i, size = 8;   /* length and field count */

    for (i = 0; i < count; i++) size += field_min_size(fields[i].kind);
    return size;
}

/* ---- freeing ---- */

static void free_record(void *rec, const struct field *fields, size_t count);

static void free_files(struct store_file *files, uint32_t count)
{
    uint32_t i;

    if (!files) return;
    for (i = 0; i < count; i++) free_record(&files[i], file_fields, ARRAY_SIZE(file_fields));
    free(files);
}

static void free_record(void *rec, const struct field *fields, size_t count)
{
    size_t i;

    for (i = 0; i < count; i++)
    {
        const struct field *f = &fields[i];

        switch (f->kind)
        {
        case FIELD_STRING:
            free(*FIELD_PTR(rec, f->offset, uint16_t *));
            break;
        case FIELD_BLOB:
            free(FIELD_PTR(rec, f->offset, struct store_blob)->data);
            break;
        case FIELD_RANGES:
            free(*FIELD_PTR(rec, f->offset2, struct store_range *));
            break;
        case FIELD_FILES:
            free_files(*FIELD_PTR(rec, f->offset2, struct store_file *), *FIELD_PTR(rec, f->offset, uint32_t));
            break;
        default:
            break;
        }
    }
}

void store_free_jobs(struct store_job *jobs, size_t count)
{
    size_t i;

    if (!jobs) return;
    for (i = 0; i < count; i++) free_record(&jobs[i], job_fields, ARRAY_SIZE(job_fields));
    free(jobs);
}

/* ---- encoder ---- */

struct writer
{
    uint8_t *data;
    size_t len, cap;
    int error;              /* the first error; later writes are ignored */
};

static uint8_t *writer_reserve(struct writer *w, size_t size)
{
    uint8_t *p;

    if (w->error) return NULL;
    if (size > SIZE_MAX - w->len)
    {
        w->error = STORE_E_LIMIT;
        return NULL;
    }
    if (w->len + size > w->cap)
    {
        size_t cap = w->cap ? w->cap : 4096;
        uint8_t *data;

        while (cap < w->len + size)
        {
            if (cap > SIZE_MAX / 2)
            {
                cap = w->len + size;
                break;
            }
            cap *= 2;
        }
        if (!(data = realloc(w->data, cap)))
        {
            w->error = STORE_E_NOMEM;
            return NULL;
        }
        w->data = data;
        w->cap = cap;
    }
    p = w->data + w->len;
    w->len += size;
    return p;
}

static void write_u32(struct writer *w, uint32_t v)
{
    uint8_t *p;
    if ((p = writer_reserve(w, 4))) put_le32(p, v);
}

static void write_u64(struct writer *w, uint64_t v)
{
    uint8_t *p;
    if ((p = writer_reserve(w, 8))) put_le64(p, v);
}

static void write_bytes(struct writer *w, const void *data, size_t size)
{
    uint8_t *p;
    if (size && (p = writer_reserve(w, size))) memcpy(p, data, size);
}

static void writer_fail(struct writer *w, int error)
{
    if (!w->error) w->error = error;
}

static void write_string(struct writer *w, const uint16_t *str)
{
    size_t len = 0, i;
    uint8_t *p;

    if (!str)
    {
        write_u32(w, NULL_STRING);
        return;
    }
    while (str[len])
    {
        if (++len > STORE_MAX_STRING)
        {
            writer_fail(w, STORE_E_LIMIT);
            return;
        }
    }
    write_u32(w, (uint32_t)len);
    if (!len || !(p = writer_reserve(w, len * 2))) return;
    for (i = 0; i < len; i++)
    {
        p[2 * i] = (uint8_t)str[i];
        p[2 * i + 1] = (uint8_t)(str[i] >> 8);
    }
}

static void write_blob(struct writer *w, const struct store_blob *blob)
{
    if (blob->size > STORE_MAX_BLOB) writer_fail(w, STORE_E_LIMIT);
    else if (blob->size && !blob->data) writer_fail(w, STORE_E_CORRUPT);
    write_u32(w, blob->size);
    if (blob->size) write_bytes(w, blob->data, blob->size);
}

static void write_ranges(struct writer *w, uint32_t count, const struct store_range *ranges)
{
    uint32_t i;

    if (count > STORE_MAX_RANGES) writer_fail(w, STORE_E_LIMIT);
    else if (count && !ranges) writer_fail(w, STORE_E_CORRUPT);
    write_u32(w, count);
    for (i = 0; i < count && !w->error; i++)
    {
        write_u64(w, ranges[i].offset);
        write_u64(w, ranges[i].length);
    }
}

/* A function, not an expression, so that 32-bit builds do not warn that it is always true. */
static int fits_u32(uint64_t value)
{
    return value <= UINT32_MAX;
}

static void write_record(struct writer *w, const void *rec, const struct field *fields, size_t count);

static void write_files(struct writer *w, uint32_t count, const struct store_file *files)
{
    uint32_t i;

    if (count > STORE_MAX_FILES) writer_fail(w, STORE_E_LIMIT);
    else if (count && !files) writer_fail(w, STORE_E_CORRUPT);
    write_u32(w, count);
    for (i = 0; i < count && !w->error; i++) write_record(w, &files[i], file_fields, ARRAY_SIZE(file_fields));
}

static void write_flags(struct writer *w, const void *rec, const struct field *f)
{
    uint32_t flags = 0;
    unsigned int i;

    for (i = 0; i < f->bit_count; i++)
        if (*FIELD_CPTR(rec, f->bits[i], uint8_t)) flags |= 1u << i;
    write_u32(w, flags);
}

static void write_record(struct writer *w, const void *rec, const struct field *fields, size_t count)
{
    size_t start, i;

    start = w->len;
    write_u32(w, 0);                    /* length, filled in below */
    write_u32(w, (uint32_t)count);
    for (i = 0; i < count && !w->error; i++)
    {
        const struct field *f = &fields[i];

        switch (f->kind)
        {
        case FIELD_U32:
            write_u32(w, *FIELD_CPTR(rec, f->offset, uint32_t));
            break;
        case FIELD_U64:
            write_u64(w, *FIELD_CPTR(rec, f->offset, uint64_t));
            break;
        case FIELD_BYTES16:
            write_bytes(w, FIELD_CPTR(rec, f->offset, uint8_t), 16);
            break;
        case FIELD_BYTES20:
            write_bytes(w, FIELD_CPTR(rec, f->offset, uint8_t), 20);
            break;
        case FIELD_FLAGS:
            write_flags(w, rec, f);
            break;
        case FIELD_STRING:
            write_string(w, *FIELD_CPTR(rec, f->offset, uint16_t *));
            break;
        case FIELD_BLOB:
            write_blob(w, FIELD_CPTR(rec, f->offset, struct store_blob));
            break;
        case FIELD_RANGES:
            write_ranges(w, *FIELD_CPTR(rec, f->offset, uint32_t), *FIELD_CPTR(rec, f->offset2, struct store_range *));
            break;
        case FIELD_FILES:
            write_files(w, *FIELD_CPTR(rec, f->offset, uint32_t), *FIELD_CPTR(rec, f->offset2, struct store_file *));
            break;
        }
    }
    if (w->error) return;
    if (!fits_u32(w->len - start - 4)) writer_fail(w, STORE_E_LIMIT);
    else put_le32(w->data + start, (uint32_t)(w->len - start - 4));
}

static int check_job(const struct store_job *job)
{
    if (job->error_file < -1 || (job->error_file >= 0 && (uint32_t)job->error_file >= job->file_count))
        return STORE_E_CORRUPT;
    return 0;
}

/* Codec errors that belong to one record (its contents), not to the whole image. */
static int record_error(int error)
{
    return error == STORE_E_LIMIT || error == STORE_E_CORRUPT;
}

int store_encode_each(const struct store_job *jobs, size_t count, uint64_t sequence, int *errors, uint8_t **out,
                      size_t *out_len)
{
    struct writer w = { NULL, 0, 0, 0 };
    uint8_t *header;
    uint32_t crc, written = 0;
    size_t i;

    if (!out || !out_len) return STORE_E_CORRUPT;
    *out = NULL;
    *out_len = 0;
    if (count && !jobs) return STORE_E_CORRUPT;
    if (!errors)
    {
        if (count > STORE_MAX_JOBS) return STORE_E_LIMIT;
        for (i = 0; i < count; i++)
        {
            int ret = check_job(&jobs[i]);
            if (ret) return ret;
        }
    }

    if ((header = writer_reserve(&w, STORE_HEADER_SIZE))) memset(header, 0, STORE_HEADER_SIZE);
    write_u32(&w, 0);                   /* the job count, filled in below */
    for (i = 0; i < count && !w.error; i++)
    {
        size_t start = w.len;
        int ret;

        if (!errors)
        {
            write_record(&w, &jobs[i], job_fields, ARRAY_SIZE(job_fields));
            written++;
            continue;
        }
        /* Leave this one record out: nothing of it stays in the image, and the others go on. */
        if (written == STORE_MAX_JOBS) ret = STORE_E_LIMIT;
        else if (!(ret = check_job(&jobs[i])))
        {
            write_record(&w, &jobs[i], job_fields, ARRAY_SIZE(job_fields));
            if (record_error(w.error))
            {
                ret = w.error;
                w.error = 0;
                w.len = start;
            }
        }
        errors[i] = ret;
        if (!ret) written++;
    }
    if (w.error)
    {
        free(w.data);
        return w.error;
    }

    memcpy(w.data, STORE_MAGIC, 8);
    put_le32(w.data + 8, STORE_VERSION);
    put_le64(w.data + 12, sequence);
    put_le64(w.data + 20, w.len - STORE_HEADER_SIZE);
    put_le32(w.data + STORE_HEADER_SIZE, written);
    crc = store_crc32(0, w.data, 28);
    crc = store_crc32(crc, w.data + STORE_HEADER_SIZE, w.len - STORE_HEADER_SIZE);
    put_le32(w.data + 28, crc);

    *out = w.data;
    *out_len = w.len;
    return 0;
}

int store_encode(const struct store_job *jobs, size_t count, uint64_t sequence, uint8_t **out, size_t *out_len)
{
    return store_encode_each(jobs, count, sequence, NULL, out, out_len);
}

/* ---- decoder ---- */

struct reader
{
    const uint8_t *p;
    size_t left;
};

/* Takes size bytes, or fails with STORE_E_CORRUPT: inside a checksummed payload a short read
 * means the writer's lengths do not add up, not that the file was cut. */
static int read_take(struct reader *r, size_t size, const uint8_t **p)
{
    if (size > r->left) return STORE_E_CORRUPT;
    *p = r->p;
    r->p += size;
    r->left -= size;
    return 0;
}

static int read_u32(struct reader *r, uint32_t *v)
{
    const uint8_t *p;
    int ret;

    if ((ret = read_take(r, 4, &p))) return ret;
    *v = get_le32(p);
    return 0;
}

static int read_u64(struct reader *r, uint64_t *v)
{
    const uint8_t *p;
    int ret;

    if ((ret = read_take(r, 8, &p))) return ret;
    *v = get_le64(p);
    return 0;
}

static int read_bytes(struct reader *r, void *dst, size_t size)
{
    const uint8_t *p;
    int ret;

    if ((ret = read_take(r, size, &p))) return ret;
    memcpy(dst, p, size);
    return 0;
}

/* Checks that count entries of at least min_size bytes each can fit in what remains. */
static int check_count(const struct reader *r, uint32_t count, uint32_t limit, size_t min_size)
{
    if (count > limit) return STORE_E_LIMIT;
    if (count > r->left / min_size) return STORE_E_CORRUPT;
    return 0;
}

static int read_string(struct reader *r, uint16_t **out)
{
    const uint8_t *p;
    uint16_t *str;
    uint32_t len, i;
    int ret;

    if ((ret = read_u32(r, &len))) return ret;
    if (len == NULL_STRING) return 0;
    if ((ret = check_count(r, len, STORE_MAX_STRING, 2))) return ret;
    if ((ret = read_take(r, (size_t)len * 2, &p))) return ret;
    if (!(str = malloc(((size_t)len + 1) * sizeof(*str)))) return STORE_E_NOMEM;
    for (i = 0; i < len; i++)
    {
        str[i] = p[2 * i] | (uint16_t)(p[2 * i + 1] << 8);
        if (!str[i])
        {
            free(str);
            return STORE_E_CORRUPT;
        }
    }
    str[len] = 0;
    *out = str;
    return 0;
}

static int read_blob(struct reader *r, struct store_blob *blob)
{
    const uint8_t *p;
    uint32_t size;
    int ret;

    if ((ret = read_u32(r, &size))) return ret;
    if (!size) return 0;
    if ((ret = check_count(r, size, STORE_MAX_BLOB, 1))) return ret;
    if ((ret = read_take(r, size, &p))) return ret;
    if (!(blob->data = malloc(size))) return STORE_E_NOMEM;
    memcpy(blob->data, p, size);
    blob->size = size;
    return 0;
}

static int read_ranges(struct reader *r, uint32_t *count, struct store_range **ranges)
{
    uint32_t n, i;
    int ret;

    if ((ret = read_u32(r, &n))) return ret;
    if (!n) return 0;
    if ((ret = check_count(r, n, STORE_MAX_RANGES, 16))) return ret;
    if (!(*ranges = calloc(n, sizeof(**ranges)))) return STORE_E_NOMEM;
    *count = n;
    for (i = 0; i < n; i++)
    {
        read_u64(r, &(*ranges)[i].offset);      /* cannot fail: checked above */
        read_u64(r, &(*ranges)[i].length);
    }
    return 0;
}

static int read_flags(struct reader *r, void *rec, const struct field *f)
{
    uint32_t flags;
    unsigned int i;
    int ret;

    if ((ret = read_u32(r, &flags))) return ret;
    if (flags >> f->bit_count) return STORE_E_CORRUPT;
    for (i = 0; i < f->bit_count; i++) *FIELD_PTR(rec, f->bits[i], uint8_t) = (flags >> i) & 1;
    return 0;
}

static int read_record(struct reader *r, void *rec, const struct field *fields, size_t count, size_t required);

static int read_files(struct reader *r, uint32_t *count, struct store_file **files)
{
    size_t min_size = record_min_size(file_fields, ARRAY_SIZE(file_fields));
    uint32_t n, i;
    int ret;

    if ((ret = read_u32(r, &n))) return ret;
    if (!n) return 0;
    if ((ret = check_count(r, n, STORE_MAX_FILES, min_size))) return ret;
    if (!(*files = calloc(n, sizeof(**files)))) return STORE_E_NOMEM;
    *count = n;
    for (i = 0; i < n; i++)
        if ((ret = read_record(r, &(*files)[i], file_fields, ARRAY_SIZE(file_fields), ARRAY_SIZE(file_fields))))
            return ret;
    return 0;
}

/* Reads one record into rec (zeroed by the caller): at least the first `required` of the
 * `count` fields this reader knows (an older writer's record has fewer; the rest stay zero).
 * On failure rec may hold allocations; the caller frees it with free_record(). */
static int read_record(struct reader *r, void *rec, const struct field *fields, size_t count, size_t required)
{
    struct reader sub;
    uint32_t length, field_count;
    const uint8_t *body;
    size_t i;
    int ret;

    if ((ret = read_u32(r, &length))) return ret;
    if ((ret = read_take(r, length, &body))) return ret;
    sub.p = body;
    sub.left = length;
    if ((ret = read_u32(&sub, &field_count))) return ret;
    if (field_count < required) return STORE_E_CORRUPT;   /* fewer fields than its version defines */
    if (field_count < count) count = field_count;

    for (i = 0; i < count; i++)
    {
        const struct field *f = &fields[i];

        switch (f->kind)
        {
        case FIELD_U32:
            ret = read_u32(&sub, FIELD_PTR(rec, f->offset, uint32_t));
            break;
        case FIELD_U64:
            ret = read_u64(&sub, FIELD_PTR(rec, f->offset, uint64_t));
            break;
        case FIELD_BYTES16:
            ret = read_bytes(&sub, FIELD_PTR(rec, f->offset, uint8_t), 16);
            break;
        case FIELD_BYTES20:
            ret = read_bytes(&sub, FIELD_PTR(rec, f->offset, uint8_t), 20);
            break;
        case FIELD_FLAGS:
            ret = read_flags(&sub, rec, f);
            break;
        case FIELD_STRING:
            ret = read_string(&sub, FIELD_PTR(rec, f->offset, uint16_t *));
            break;
        case FIELD_BLOB:
            ret = read_blob(&sub, FIELD_PTR(rec, f->offset, struct store_blob));
            break;
        case FIELD_RANGES:
            ret = read_ranges(&sub, FIELD_PTR(rec, f->offset, uint32_t), FIELD_PTR(rec, f->offset2, struct store_range *));
            break;
        case FIELD_FILES:
            ret = read_files(&sub, FIELD_PTR(rec, f->offset, uint32_t), FIELD_PTR(rec, f->offset2, struct store_file *));
            break;
        }
        if (ret) return ret;
    }
    /* Fields a newer writer appended are skipped with the rest of the record; a record of
     * exactly this version's fields must end where its length says. */
    if (field_count == count && sub.left) return STORE_E_CORRUPT;
    return 0;
}

int store_decode(const uint8_t *data, size_t len, struct store_job **jobs, size_t *count, uint64_t *sequence)
{
    size_t min_size, required;
    struct store_job *list = NULL;
    struct reader r;
    uint64_t payload_len;
    uint32_t n = 0, i;
    uint32_t crc;
    int ret;

    if (!jobs || !count) return STORE_E_CORRUPT;
    *jobs = NULL;
    *count = 0;
    if (sequence) *sequence = 0;
    if (!data && len) return STORE_E_CORRUPT;

    if (len < 8) return STORE_E_TRUNCATED;
    if (memcmp(data, STORE_MAGIC, 8)) return STORE_E_MAGIC;
    if (len < 12) return STORE_E_TRUNCATED;
    /* Images of versions 1 and 2 (fewer job fields) are read as well. */
    if (get_le32(data + 8) < 1 || get_le32(data + 8) > STORE_VERSION) return STORE_E_VERSION;
    required = job_fields_of_version(get_le32(data + 8));
    min_size = record_min_size(job_fields, required);
    if (len < STORE_HEADER_SIZE) return STORE_E_TRUNCATED;
    payload_len = get_le64(data + 20);
    if (payload_len > len - STORE_HEADER_SIZE) return STORE_E_TRUNCATED;
    if (payload_len < len - STORE_HEADER_SIZE) return STORE_E_CORRUPT;   /* trailing bytes */
    crc = store_crc32(0, data, 28);
    crc = store_crc32(crc, data + STORE_HEADER_SIZE, (size_t)payload_len);
    if (crc != get_le32(data + 28)) return STORE_E_CHECKSUM;

    r.p = data + STORE_HEADER_SIZE;
    r.left = (size_t)payload_len;
    if ((ret = read_u32(&r, &n))) return ret;
    if ((ret = check_count(&r, n, STORE_MAX_JOBS, min_size))) return ret;
    if (n && !(list = calloc(n, sizeof(*list)))) return STORE_E_NOMEM;
    for (i = 0; i < n && !ret; i++)
    {
        if (!(ret = read_record(&r, &list[i], job_fields, ARRAY_SIZE(job_fields), required)))
            ret = check_job(&list[i]);
    }
    if (!ret && r.left) ret = STORE_E_CORRUPT;   /* bytes after the last job */
    if (ret)
    {
        store_free_jobs(list, n);
        return ret;
    }

    *jobs = list;
    *count = n;
    if (sequence) *sequence = get_le64(data + 12);
    return 0;
}

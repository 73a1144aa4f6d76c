/*
 * store_codec.h: the on-disk image of the job queue, as plain data.
 *
 * Pure C with no Windows calls, so that the same file builds into qmgr.dll (MinGW) and natively
 * on Linux for the unit test and the fuzzer (tests/fuzz). The service converts its COM objects
 * to and from these records; secrets (custom headers, credentials) arrive here already
 * encrypted and are carried as opaque blobs.
 *
 * Image layout, every integer little-endian:
 *
 *   offset  size  field
 *        0     8  magic "QMGRWB1\0"
 *        8     4  version (STORE_VERSION)
 *       12     8  sequence number (the writer's counter; the newer of two images wins)
 *       20     8  payload length: the image is exactly STORE_HEADER_SIZE + this many bytes
 *       28     4  CRC-32 (IEEE 802.3, reflected 0xEDB88320) over bytes 0..27 and the payload
 *       32     -  payload: u32 job count, then one job record per job
 *
 * A record (job or file) is: u32 length of what follows, u32 field count, then the fields in the
 * order of the job_fields / file_fields tables in store_codec.c. A reader accepts more fields
 * than it knows (a newer writer appended them; they are skipped) but not fewer than the
 * image's version defines. Version 2 appended the upload fields and the activity time to the
 * job record, version 3 the MaxDownloadTime clock and the host id fallback timer; images of
 * versions 1 and 2 are still read, with the fields they lack zero. Field encodings:
 *   u32/i32/u64     fixed size
 *   guid/hash       16 / 20 raw bytes
 *   flags           u32 bit set; bits this version does not define are an error
 *   string          u32 length in UTF-16 units (0xffffffff: NULL), then the units, no NUL
 *   blob            u32 length in bytes, then the bytes (length 0: no blob)
 *   ranges          u32 count, then count pairs of u64 offset, u64 length
 *   files           u32 count, then count file records (the last field of a job record)
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

#ifndef __QMGR_STORE_CODEC_H
#define __QMGR_STORE_CODEC_H

#include <stddef.h>
#include <stdint.h>

#define STORE_MAGIC           "QMGRWB1"          /* 8 bytes with its NUL */
#define STORE_VERSION         3                  /* 2: upload fields, 3: clocks; 1 and 2 still read */
#define STORE_HEADER_SIZE     32

/* Limits: larger values are rejected by both the encoder and the decoder (STORE_E_LIMIT). */
#define STORE_MAX_JOBS        100000
#define STORE_MAX_FILES       10000              /* per job */
#define STORE_MAX_RANGES      100000             /* per range list of a file */
#define STORE_MAX_STRING      65536              /* UTF-16 units, without the NUL */
#define STORE_MAX_BLOB        (4 * 1024 * 1024)  /* bytes; 1 MiB before: the credentials a client may set
                                                  * (10 of up to 300 + 65536 characters) did not fit */

/* Return values: 0 on success, or one of these. */
#define STORE_E_TRUNCATED     (-1)   /* the image ends before the data it announces */
#define STORE_E_MAGIC         (-2)   /* not a job store image */
#define STORE_E_VERSION       (-3)   /* a version this reader does not know */
#define STORE_E_CHECKSUM      (-4)   /* CRC mismatch: torn or damaged write */
#define STORE_E_CORRUPT       (-5)   /* checksum fine, contents inconsistent (or invalid input to encode) */
#define STORE_E_NOMEM         (-6)
#define STORE_E_LIMIT         (-7)   /* a count or size above the limits above */

struct store_range
{
    uint64_t offset, length;
};

struct store_blob
{
    uint32_t size;                      /* 0: no blob, data is NULL */
    uint8_t *data;
};

struct store_file
{
    uint16_t *remote, *local, *temp;    /* UTF-16, NUL-terminated, may be NULL */
    uint64_t bytes_total, bytes_transferred;
    uint8_t completed, transferred, local_existed, validation_state;   /* 0 or 1 */
    uint64_t remote_mtime;              /* FILETIME of Last-Modified, 0 if unknown */
    uint32_t range_count;               /* the ranges the client asked for (AddFileWithRanges) */
    struct store_range *ranges;
    uint32_t filled_count;              /* the ranges present in the temp file */
    struct store_range *filled;
    uint32_t requested_count;           /* File6::RequestFileRanges */
    struct store_range *requested;
    uint64_t download_position;         /* File6::UpdateDownloadPosition */
    uint16_t *response_headers;         /* File5 HTTP_RESPONSE_HEADERS, may be NULL */
};

struct store_job
{
    uint8_t id[16];
    uint32_t type, state, priority, notify_flags, retry_delay, no_progress_timeout, max_download_time,
             proxy_usage, acl_flags, peer_flags, security_flags, helper_flags, cost_flags,
             notify_interval_ms, error_count, error_context;
    int32_t error_code;
    int32_t error_file;                 /* index into files, or -1 (checked both ways) */
    uint16_t *error_protocol;           /* L"http", L"file" or NULL */
    uint64_t creation_time, modification_time, completion_time;   /* FILETIMEs */
    uint64_t max_download_size;
    uint8_t notify_clsid[16];
    uint8_t dynamic_content, high_performance, on_demand, headers_write_only, resumed_once,
            cert_set, cert_by_hash;     /* 0 or 1 */
    uint32_t stored_credentials, cert_location;
    uint8_t cert_hash[20];
    uint16_t *display_name, *description, *notify_program, *notify_params, *proxy_list,
             *proxy_bypass, *reply_name, *http_method, *cert_store, *cert_subject;
    struct store_blob owner_sid;        /* the owner's SID, as GetLengthSid bytes */
    uint32_t owner_integrity;           /* SECURITY_MANDATORY_*_RID */
    uint8_t owner_elevated, owner_admin, owner_service;   /* 0 or 1 */
    struct store_blob custom_headers;   /* encrypted by the caller; never interpreted here */
    struct store_blob credentials;      /* encrypted by the caller; never interpreted here */
    uint64_t retry_due_in_ms;           /* TRANSIENT_ERROR: time left until the next retry */
    uint64_t no_progress_ms;            /* time since the last progress (NoProgressTimeout) */
    uint32_t file_count;
    struct store_file *files;
    /* version 2 (zero when read from a version 1 image) */
    uint16_t *upload_session, *upload_host;   /* BITS-Session-Id, BITS-Host-Id, may be NULL */
    uint32_t upload_fallback;           /* BITS-Host-Id-Fallback-Timeout, 0xffffffff: none */
    uint64_t upload_file_time;          /* FILETIME of the local file when the session began */
    uint16_t *reply_url, *reply_temp;   /* may be NULL */
    uint64_t reply_bytes_total, reply_bytes_transferred;
    uint8_t reply_done;                 /* 0 or 1 */
    uint64_t activity_time;             /* FILETIME of the last activity (JobInactivityTimeout) */
    /* version 3 (zero when read from an older image) */
    uint64_t download_ms;               /* CONNECTING/TRANSFERRING time since the last Resume */
    uint64_t upload_host_failed_ms;     /* time since the first failure to reach the host id;
                                         * 0: none (a failure this very millisecond is 1) */
};

/* Encodes count jobs into a malloc'd image (*out, *out_len); the caller frees it with free().
 * Any job that cannot be encoded fails the whole image. */
int store_encode(const struct store_job *jobs, size_t count, uint64_t sequence, uint8_t **out, size_t *out_len);
/* The same, but a job whose record cannot be encoded (STORE_E_LIMIT or STORE_E_CORRUPT: a string,
 * blob or count above the limits, an inconsistent record, or a job past STORE_MAX_JOBS) is left
 * out of the image and the others are written: errors[i] (count entries) receives 0 for each job
 * written and the error for each left out. Only errors of the image itself (STORE_E_NOMEM,
 * invalid arguments) are returned. */
int store_encode_each(const struct store_job *jobs, size_t count, uint64_t sequence, int *errors, uint8_t **out,
                      size_t *out_len);
/* Decodes an image; on success *jobs is malloc'd (free with store_free_jobs). On failure *jobs
 * is NULL, *count 0, and nothing is left allocated. */
int store_decode(const uint8_t *data, size_t len, struct store_job **jobs, size_t *count, uint64_t *sequence);
void store_free_jobs(struct store_job *jobs, size_t count);

/* CRC-32 as used in the header; crc is 0 for the first block, the previous result after it. */
uint32_t store_crc32(uint32_t crc, const void *data, size_t len);
/* A short English text for a return value, for the service's log. */
const char *store_strerror(int error);

#endif /* __QMGR_STORE_CODEC_H */

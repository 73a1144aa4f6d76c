/*
 * store_roundtrip.c: native unit test of the job store codec (dlls/qmgr/store_codec.c).
 *
 * Builds random jobs, round-trips them and compares every field; then damages images in every
 * way the service can meet on disk (truncation at every length, every byte flipped, unknown
 * version, bad magic, huge counts, inconsistent lengths) and requires each to be rejected
 * with the right error. Plain C with its own ok(), since it runs on Linux; prints the
 * winetest summary line the harness counts.
 *
 *   store_roundtrip [seed]          run the tests (default seed 1)
 *   store_roundtrip --seeds DIR     write a few encoded images into DIR (the fuzzing corpus)
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

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_codec.h"

static unsigned int tests_executed, tests_failed;
static const char *test_context;

static void ok_(int line, int condition, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void ok_(int line, int condition, const char *fmt, ...)
{
    va_list args;

    tests_executed++;
    if (condition) return;
    tests_failed++;
    printf("store_roundtrip.c:%d: Test failed: ", line);
    if (test_context) printf("%s: ", test_context);
    va_start(args, fmt);
    vprintf(fmt, args);
    va_end(args);
    fflush(stdout);
}
#define ok(cond, ...) ok_(__LINE__, (cond), __VA_ARGS__)

/* ---- deterministic random numbers (xorshift64*) ---- */

static uint64_t rng_state = 1;

static uint64_t rnd64(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dull;
}

static uint32_t rnd(uint32_t bound)   /* 0 .. bound-1 */
{
    return bound ? (uint32_t)(rnd64() % bound) : 0;
}

static void *xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size);
    if (!p)
    {
        printf("store_roundtrip: out of memory\n");
        exit(2);
    }
    return p;
}

/* ---- building jobs ---- */

static uint16_t *make_string(const char *ascii)
{
    size_t i, len = strlen(ascii);
    uint16_t *str = xcalloc(len + 1, sizeof(*str));

    for (i = 0; i < len; i++) str[i] = (unsigned char)ascii[i];
    return str;
}

/* NULL, empty, or up to max_len random non-zero units (surrogates and all). */
static uint16_t *random_string(uint32_t max_len)
{
    uint32_t len, i;
    uint16_t *str;

    switch (rnd(8))
    {
    case 0: return NULL;
    case 1: len = 0; break;
    default: len = rnd(max_len + 1); break;
    }
    str = xcalloc(len + 1, sizeof(*str));
    for (i = 0; i < len; i++)
    {
        do str[i] = (uint16_t)rnd64(); while (!str[i]);
    }
    return str;
}

static void random_blob(struct store_blob *blob, uint32_t max_size)
{
    uint32_t i;

    blob->size = rnd(4) ? rnd(max_size + 1) : 0;
    blob->data = blob->size ? xcalloc(blob->size, 1) : NULL;
    for (i = 0; i < blob->size; i++) blob->data[i] = (uint8_t)rnd64();
}

static void random_ranges(uint32_t *count, struct store_range **ranges, uint32_t max_count)
{
    uint32_t i;

    *count = rnd(max_count + 1);
    *ranges = *count ? xcalloc(*count, sizeof(**ranges)) : NULL;
    for (i = 0; i < *count; i++)
    {
        (*ranges)[i].offset = rnd64();
        (*ranges)[i].length = rnd64();
    }
}

static void random_bytes(uint8_t *p, size_t size)
{
    while (size--) *p++ = (uint8_t)rnd64();
}

static void random_file(struct store_file *file)
{
    file->remote = random_string(300);
    file->local = random_string(260);
    file->temp = random_string(260);
    file->bytes_total = rnd64();
    file->bytes_transferred = rnd64();
    file->completed = rnd(2);
    file->transferred = rnd(2);
    file->local_existed = rnd(2);
    file->validation_state = rnd(2);
    file->remote_mtime = rnd64();
    random_ranges(&file->range_count, &file->ranges, 6);
    random_ranges(&file->filled_count, &file->filled, 6);
    random_ranges(&file->requested_count, &file->requested, 3);
    file->download_position = rnd64();
    file->response_headers = random_string(500);
}

static void random_job(struct store_job *job, uint32_t max_files)
{
    uint32_t i;

    random_bytes(job->id, sizeof(job->id));
    job->type = (uint32_t)rnd64();
    job->state = (uint32_t)rnd64();
    job->priority = (uint32_t)rnd64();
    job->notify_flags = (uint32_t)rnd64();
    job->retry_delay = (uint32_t)rnd64();
    job->no_progress_timeout = (uint32_t)rnd64();
    job->max_download_time = (uint32_t)rnd64();
    job->proxy_usage = (uint32_t)rnd64();
    job->acl_flags = (uint32_t)rnd64();
    job->peer_flags = (uint32_t)rnd64();
    job->security_flags = (uint32_t)rnd64();
    job->helper_flags = (uint32_t)rnd64();
    job->cost_flags = (uint32_t)rnd64();
    job->notify_interval_ms = (uint32_t)rnd64();
    job->error_count = (uint32_t)rnd64();
    job->error_context = (uint32_t)rnd64();
    job->error_code = (int32_t)rnd64();
    job->error_protocol = random_string(8);
    job->creation_time = rnd64();
    job->modification_time = rnd64();
    job->completion_time = rnd64();
    job->max_download_size = rnd64();
    random_bytes(job->notify_clsid, sizeof(job->notify_clsid));
    job->dynamic_content = rnd(2);
    job->high_performance = rnd(2);
    job->on_demand = rnd(2);
    job->headers_write_only = rnd(2);
    job->resumed_once = rnd(2);
    job->cert_set = rnd(2);
    job->cert_by_hash = rnd(2);
    job->stored_credentials = (uint32_t)rnd64();
    job->cert_location = (uint32_t)rnd64();
    random_bytes(job->cert_hash, sizeof(job->cert_hash));
    job->display_name = random_string(256);
    job->description = random_string(1024);
    job->notify_program = random_string(260);
    job->notify_params = random_string(400);
    job->proxy_list = random_string(100);
    job->proxy_bypass = random_string(100);
    job->reply_name = random_string(260);
    job->http_method = random_string(10);
    job->cert_store = random_string(20);
    job->cert_subject = random_string(80);
    random_blob(&job->owner_sid, 68);
    job->owner_integrity = (uint32_t)rnd64();
    job->owner_elevated = rnd(2);
    job->owner_admin = rnd(2);
    job->owner_service = rnd(2);
    random_blob(&job->custom_headers, 600);
    random_blob(&job->credentials, 300);
    job->retry_due_in_ms = rnd64();
    job->no_progress_ms = rnd64();
    job->upload_session = random_string(40);
    job->upload_host = random_string(300);
    job->upload_fallback = (uint32_t)rnd64();
    job->upload_file_time = rnd64();
    job->reply_url = random_string(300);
    job->reply_temp = random_string(260);
    job->reply_bytes_total = rnd64();
    job->reply_bytes_transferred = rnd64();
    job->reply_done = rnd(2);
    job->activity_time = rnd64();
    job->download_ms = rnd64();
    job->upload_host_failed_ms = rnd64();
    job->file_count = rnd(max_files + 1);
    job->files = job->file_count ? xcalloc(job->file_count, sizeof(*job->files)) : NULL;
    for (i = 0; i < job->file_count; i++) random_file(&job->files[i]);
    job->error_file = job->file_count && rnd(2) ? (int32_t)rnd(job->file_count) : -1;
}

/* ---- comparing every field ---- */

static int string_equal(const uint16_t *a, const uint16_t *b)
{
    if (!a || !b) return a == b;
    while (*a && *a == *b) a++, b++;
    return *a == *b;
}

static int blob_equal(const struct store_blob *a, const struct store_blob *b)
{
    return a->size == b->size && (!a->size || !memcmp(a->data, b->data, a->size));
}

static int ranges_equal(uint32_t na, const struct store_range *a, uint32_t nb, const struct store_range *b)
{
    return na == nb && (!na || !memcmp(a, b, na * sizeof(*a)));
}

#define CHECK_INT(a, b, f) ok((a)->f == (b)->f, "%s: got %#llx, expected %#llx\n", #f, \
                              (unsigned long long)(b)->f, (unsigned long long)(a)->f)
#define CHECK_STR(a, b, f) ok(string_equal((a)->f, (b)->f), "%s differs\n", #f)
#define CHECK_MEM(a, b, f) ok(!memcmp((a)->f, (b)->f, sizeof((a)->f)), "%s differs\n", #f)
#define CHECK_BLOB(a, b, f) ok(blob_equal(&(a)->f, &(b)->f), "%s differs\n", #f)
#define CHECK_RANGES(a, b, n, f) ok(ranges_equal((a)->n, (a)->f, (b)->n, (b)->f), "%s differs\n", #f)

static void compare_file(const struct store_file *a, const struct store_file *b)
{
    CHECK_STR(a, b, remote);
    CHECK_STR(a, b, local);
    CHECK_STR(a, b, temp);
    CHECK_INT(a, b, bytes_total);
    CHECK_INT(a, b, bytes_transferred);
    CHECK_INT(a, b, completed);
    CHECK_INT(a, b, transferred);
    CHECK_INT(a, b, local_existed);
    CHECK_INT(a, b, validation_state);
    CHECK_INT(a, b, remote_mtime);
    CHECK_RANGES(a, b, range_count, ranges);
    CHECK_RANGES(a, b, filled_count, filled);
    CHECK_RANGES(a, b, requested_count, requested);
    CHECK_INT(a, b, download_position);
    CHECK_STR(a, b, response_headers);
}

static void compare_job(const struct store_job *a, const struct store_job *b)
{
    uint32_t i;

    CHECK_MEM(a, b, id);
    CHECK_INT(a, b, type);
    CHECK_INT(a, b, state);
    CHECK_INT(a, b, priority);
    CHECK_INT(a, b, notify_flags);
    CHECK_INT(a, b, retry_delay);
    CHECK_INT(a, b, no_progress_timeout);
    CHECK_INT(a, b, max_download_time);
    CHECK_INT(a, b, proxy_usage);
    CHECK_INT(a, b, acl_flags);
    CHECK_INT(a, b, peer_flags);
    CHECK_INT(a, b, security_flags);
    CHECK_INT(a, b, helper_flags);
    CHECK_INT(a, b, cost_flags);
    CHECK_INT(a, b, notify_interval_ms);
    CHECK_INT(a, b, error_count);
    CHECK_INT(a, b, error_context);
    CHECK_INT(a, b, error_code);
    CHECK_INT(a, b, error_file);
    CHECK_STR(a, b, error_protocol);
    CHECK_INT(a, b, creation_time);
    CHECK_INT(a, b, modification_time);
    CHECK_INT(a, b, completion_time);
    CHECK_INT(a, b, max_download_size);
    CHECK_MEM(a, b, notify_clsid);
    CHECK_INT(a, b, dynamic_content);
    CHECK_INT(a, b, high_performance);
    CHECK_INT(a, b, on_demand);
    CHECK_INT(a, b, headers_write_only);
    CHECK_INT(a, b, resumed_once);
    CHECK_INT(a, b, cert_set);
    CHECK_INT(a, b, cert_by_hash);
    CHECK_INT(a, b, stored_credentials);
    CHECK_INT(a, b, cert_location);
    CHECK_MEM(a, b, cert_hash);
    CHECK_STR(a, b, display_name);
    CHECK_STR(a, b, description);
    CHECK_STR(a, b, notify_program);
    CHECK_STR(a, b, notify_params);
    CHECK_STR(a, b, proxy_list);
    CHECK_STR(a, b, proxy_bypass);
    CHECK_STR(a, b, reply_name);
    CHECK_STR(a, b, http_method);
    CHECK_STR(a, b, cert_store);
    CHECK_STR(a, b, cert_subject);
    CHECK_BLOB(a, b, owner_sid);
    CHECK_INT(a, b, owner_integrity);
    CHECK_INT(a, b, owner_elevated);
    CHECK_INT(a, b, owner_admin);
    CHECK_INT(a, b, owner_service);
    CHECK_BLOB(a, b, custom_headers);
    CHECK_BLOB(a, b, credentials);
    CHECK_INT(a, b, retry_due_in_ms);
    CHECK_INT(a, b, no_progress_ms);
    CHECK_STR(a, b, upload_session);
    CHECK_STR(a, b, upload_host);
    CHECK_INT(a, b, upload_fallback);
    CHECK_INT(a, b, upload_file_time);
    CHECK_STR(a, b, reply_url);
    CHECK_STR(a, b, reply_temp);
    CHECK_INT(a, b, reply_bytes_total);
    CHECK_INT(a, b, reply_bytes_transferred);
    CHECK_INT(a, b, reply_done);
    CHECK_INT(a, b, activity_time);
    CHECK_INT(a, b, download_ms);
    CHECK_INT(a, b, upload_host_failed_ms);
    CHECK_INT(a, b, file_count);
    if (a->file_count != b->file_count) return;
    for (i = 0; i < a->file_count; i++) compare_file(&a->files[i], &b->files[i]);
}

/* ---- image surgery ---- */

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = v; p[1] = v >> 8; p[2] = v >> 16; p[3] = v >> 24;
}

static uint32_t get32(const uint8_t *p)
{
    return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put64(uint8_t *p, uint64_t v)
{
    put32(p, (uint32_t)v);
    put32(p + 4, (uint32_t)(v >> 32));
}

static uint64_t get64(const uint8_t *p)
{
    return get32(p) | (uint64_t)get32(p + 4) << 32;
}

static void fix_crc(uint8_t *img, size_t len)
{
    uint32_t crc = store_crc32(0, img, 28);
    put32(img + 28, store_crc32(crc, img + STORE_HEADER_SIZE, len - STORE_HEADER_SIZE));
}

static size_t find(const uint8_t *img, size_t len, const void *pattern, size_t size)
{
    size_t i;

    for (i = 0; i + size <= len; i++)
        if (!memcmp(img + i, pattern, size)) return i;
    ok(0, "pattern not found\n");
    return 0;
}

static uint8_t *dup_image(const uint8_t *img, size_t len, size_t extra)
{
    uint8_t *copy = xcalloc(len + extra, 1);
    memcpy(copy, img, len);
    return copy;
}

static int decode_result(const uint8_t *img, size_t len)
{
    struct store_job *jobs = (struct store_job *)1;
    size_t count = 12345;
    uint64_t sequence;
    int ret;

    ret = store_decode(img, len, &jobs, &count, &sequence);
    if (ret)
    {
        ok(!jobs && !count, "failed decode left jobs %p count %zu\n", (void *)jobs, count);
        return ret;
    }
    store_free_jobs(jobs, count);
    return 0;
}

/* ---- tests ---- */

static void test_crc(void)
{
    ok(store_crc32(0, "123456789", 9) == 0xcbf43926, "crc of check string %#x\n", store_crc32(0, "123456789", 9));
    ok(store_crc32(store_crc32(0, "1234", 4), "56789", 5) == 0xcbf43926, "incremental crc differs\n");
    ok(store_crc32(0, "", 0) == 0, "crc of nothing %#x\n", store_crc32(0, "", 0));
}

/* The header is little-endian whatever the host. */
static void test_header(void)
{
    static const uint8_t expect[28] =
    {
        'Q', 'M', 'G', 'R', 'W', 'B', '1', 0,
        3, 0, 0, 0,
        0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01,
        4, 0, 0, 0, 0, 0, 0, 0,
    };
    struct store_job *jobs;
    uint64_t sequence;
    uint8_t *img;
    size_t len, count;
    int ret;

    ret = store_encode(NULL, 0, 0x0102030405060708ull, &img, &len);
    ok(!ret, "encode of no jobs: %d\n", ret);
    if (ret) return;
    ok(len == STORE_HEADER_SIZE + 4, "length %zu\n", len);
    ok(!memcmp(img, expect, sizeof(expect)), "header bytes differ\n");
    ok(get32(img + 28) == store_crc32(store_crc32(0, img, 28), img + 32, 4), "crc field %#x\n", get32(img + 28));
    ok(get32(img + 32) == 0, "job count %u\n", get32(img + 32));
    ret = store_decode(img, len, &jobs, &count, &sequence);
    ok(!ret, "decode: %d\n", ret);
    ok(!count && !jobs, "count %zu jobs %p\n", count, (void *)jobs);
    ok(sequence == 0x0102030405060708ull, "sequence %#llx\n", (unsigned long long)sequence);
    ret = store_decode(img, len, &jobs, &count, NULL);
    ok(!ret, "decode without sequence: %d\n", ret);
    free(img);
}

static void roundtrip(struct store_job *jobs, size_t count, uint64_t seq)
{
    struct store_job *out;
    uint8_t *img, *img2;
    size_t len, len2, n, i;
    uint64_t sequence;
    int ret;

    ret = store_encode(jobs, count, seq, &img, &len);
    ok(!ret, "encode: %d\n", ret);
    if (ret) return;
    ret = store_decode(img, len, &out, &n, &sequence);
    ok(!ret, "decode: %d (%s)\n", ret, store_strerror(ret));
    if (!ret)
    {
        ok(n == count, "count %zu, expected %zu\n", n, count);
        ok(sequence == seq, "sequence %#llx\n", (unsigned long long)sequence);
        for (i = 0; i < n && i < count; i++) compare_job(&jobs[i], &out[i]);
        ret = store_encode(out, n, sequence, &img2, &len2);
        ok(!ret && len2 == len && !memcmp(img, img2, len), "re-encoding differs (ret %d)\n", ret);
        if (!ret) free(img2);
        store_free_jobs(out, n);
    }
    free(img);
}

static void test_random_roundtrips(void)
{
    unsigned int round;

    for (round = 0; round < 300; round++)
    {
        size_t count = rnd(4), i;
        struct store_job *jobs = xcalloc(count, sizeof(*jobs));
        char context[32];

        snprintf(context, sizeof(context), "round %u", round);
        test_context = context;
        for (i = 0; i < count; i++) random_job(&jobs[i], round % 10 ? 4 : 40);
        roundtrip(jobs, count, rnd64());
        store_free_jobs(jobs, count);
    }
    test_context = NULL;
}

static void test_many_jobs(void)
{
    size_t count = 2000, i;
    struct store_job *jobs = xcalloc(count, sizeof(*jobs));

    test_context = "2000 jobs";
    for (i = 0; i < count; i++) random_job(&jobs[i], 1);
    roundtrip(jobs, count, 7);
    store_free_jobs(jobs, count);
    test_context = NULL;
}

/* NULL and empty strings stay apart; zeroed jobs and files round-trip. */
static void test_null_and_empty(void)
{
    struct store_job *jobs = xcalloc(2, sizeof(*jobs)), *out;
    uint8_t *img;
    size_t len, n;
    int ret;

    jobs[0].error_file = -1;
    jobs[1].display_name = make_string("");
    jobs[1].description = make_string("d");
    jobs[1].file_count = 1;
    jobs[1].files = xcalloc(1, sizeof(*jobs[1].files));
    jobs[1].files[0].local = make_string("");
    jobs[1].error_file = 0;
    roundtrip(jobs, 2, 0);

    ret = store_encode(jobs, 2, 0, &img, &len);
    ok(!ret, "encode: %d\n", ret);
    ret = store_decode(img, len, &out, &n, NULL);
    ok(!ret, "decode: %d\n", ret);
    if (!ret)
    {
        ok(!out[0].display_name, "NULL name came back as a string\n");
        ok(out[1].display_name && !out[1].display_name[0], "empty name not empty\n");
        ok(out[1].description && out[1].description[0] == 'd' && !out[1].description[1], "description differs\n");
        ok(!out[1].files[0].remote && out[1].files[0].local && !out[1].files[0].local[0], "file names differ\n");
        ok(!out[0].owner_sid.data && !out[0].owner_sid.size, "empty blob has data\n");
        store_free_jobs(out, n);
    }
    free(img);
    store_free_jobs(jobs, 2);
}

/* A job with fixed, findable contents: the image surgery below locates fields by them. */
static const uint8_t sentinel_clsid[16] = "CLSID-SENTINEL!";
static const uint8_t sentinel_sid[9] = "SIDSIDSID";
#define SENTINEL_RANGE     0x5a5a5a5a5a5a5a01ull
#define SENTINEL_TRANSFER  0x7e7e7e7e7e7e7e02ull
#define SENTINEL_ERROR     0x13572468

static void sentinel_job(struct store_job *job)
{
    memset(job, 0, sizeof(*job));
    job->error_code = SENTINEL_ERROR;
    job->error_file = -1;
    memcpy(job->notify_clsid, sentinel_clsid, 16);
    job->display_name = make_string("DSPL");
    job->owner_sid.size = sizeof(sentinel_sid);
    job->owner_sid.data = xcalloc(1, sizeof(sentinel_sid));
    memcpy(job->owner_sid.data, sentinel_sid, sizeof(sentinel_sid));
    job->file_count = 1;
    job->files = xcalloc(1, sizeof(*job->files));
    job->files[0].remote = make_string("RMT!");
    job->files[0].bytes_transferred = SENTINEL_TRANSFER;
    job->files[0].range_count = 1;
    job->files[0].ranges = xcalloc(1, sizeof(*job->files[0].ranges));
    job->files[0].ranges[0].offset = SENTINEL_RANGE;
    job->files[0].ranges[0].length = 10;
}

/* Offsets into the image of one sentinel job. */
/* The version 2 fields of a job whose upload strings are NULL: 4 strings, u32, 3 u64, flags, then
 * the activity time (u64); version 3's: two u64 (the download clock, the host fallback timer). */
#define V2_JOB_TAIL  (4 * 4 + 4 + 3 * 8 + 4 + 8)
#define V2_FIELDS    10
#define V3_JOB_TAIL  (2 * 8)
#define V3_FIELDS    2

struct layout
{
    size_t job_len, job_fields, display_len, sid_len, job_flags, error_file;
    size_t file_count, file_len, file_fields, file_flags, range_count;
};

static void locate(const uint8_t *img, size_t len, struct layout *l)
{
    static const uint8_t dspl[8] = { 'D', 0, 'S', 0, 'P', 0, 'L', 0 };
    static const uint8_t rmt[8] = { 'R', 0, 'M', 0, 'T', 0, '!', 0 };
    uint8_t pattern[8];
    size_t remote;

    l->job_len = STORE_HEADER_SIZE + 4;
    l->job_fields = l->job_len + 4;
    l->display_len = find(img, len, dspl, 8) - 4;
    l->sid_len = find(img, len, sentinel_sid, sizeof(sentinel_sid)) - 4;
    l->job_flags = find(img, len, sentinel_clsid, 16) + 16;
    put32(pattern, SENTINEL_ERROR);
    l->error_file = find(img, len, pattern, 4) + 4;
    remote = find(img, len, rmt, 8);
    l->file_fields = remote - 8;
    l->file_len = remote - 12;
    l->file_count = remote - 16;
    put64(pattern, SENTINEL_TRANSFER);
    l->file_flags = find(img, len, pattern, 8) + 8;
    put64(pattern, SENTINEL_RANGE);
    l->range_count = find(img, len, pattern, 8) - 4;
}

/* Patches a u32 at offset in a copy of the image (checksum fixed) and returns the decode result. */
static int decode_patched(const uint8_t *img, size_t len, size_t offset, uint32_t value)
{
    uint8_t *copy = dup_image(img, len, 0);
    int ret;

    put32(copy + offset, value);
    fix_crc(copy, len);
    ret = decode_result(copy, len);
    free(copy);
    return ret;
}

static void test_truncation(const uint8_t *img, size_t len)
{
    unsigned int bad = 0;
    size_t i;

    for (i = 0; i < len; i++)
    {
        /* A copy of exactly i bytes, so that ASan sees any read past the end. */
        uint8_t *copy = malloc(i ? i : 1);
        int ret;

        memcpy(copy, img, i);
        ret = decode_result(copy, i);
        if (ret != STORE_E_TRUNCATED)
        {
            if (!bad++) ok(0, "prefix of %zu of %zu bytes: got %d\n", i, len, ret);
        }
        free(copy);
    }
    ok(!bad, "%u of %zu prefixes not reported truncated\n", bad, len);
}

static void test_flipped_bytes(const uint8_t *img, size_t len)
{
    uint8_t *copy = dup_image(img, len, 0);
    unsigned int accepted = 0, wrong = 0;
    size_t i;
    int ret;

    for (i = 0; i < len; i++)
    {
        uint8_t mask = (uint8_t)(1 + rnd(255));
        int expect;

        copy[i] ^= mask;
        ret = decode_result(copy, len);
        copy[i] ^= mask;
        if (!ret)
        {
            if (!accepted++) ok(0, "byte %zu ^ %#x accepted\n", i, mask);
            continue;
        }
        if (i < 8) expect = STORE_E_MAGIC;
        else if (i == 8 && ((img[i] ^ mask) == 1 || (img[i] ^ mask) == 2))
            expect = ret;   /* versions 1 and 2: read, their records do not fit */
        else if (i < 12) expect = STORE_E_VERSION;
        else if (i < 20 || i >= 28) expect = STORE_E_CHECKSUM;
        else expect = ret;   /* payload length: truncated or trailing bytes */
        if (ret != expect && !wrong++) ok(0, "byte %zu ^ %#x: got %d, expected %d\n", i, mask, ret, expect);
    }
    ok(!accepted, "%u flipped bytes accepted\n", accepted);
    ok(!wrong, "%u flipped bytes with the wrong error\n", wrong);
    free(copy);
}

/* Every single-bit error (a CRC-32 catches them all). */
static void test_flipped_bits(const uint8_t *img, size_t len)
{
    uint8_t *copy = dup_image(img, len, 0);
    unsigned int accepted = 0;
    size_t i;

    for (i = 0; i < len * 8; i++)
    {
        copy[i / 8] ^= 1 << (i % 8);
        if (!decode_result(copy, len)) accepted++;
        copy[i / 8] ^= 1 << (i % 8);
    }
    ok(!accepted, "%u single-bit errors accepted\n", accepted);
    free(copy);
}

static void test_header_errors(const uint8_t *img, size_t len)
{
    uint8_t *copy = dup_image(img, len, 8);
    int ret;

    ret = decode_result(NULL, 0);
    ok(ret == STORE_E_TRUNCATED, "empty input: got %d\n", ret);

    ret = decode_patched(img, len, 8, STORE_VERSION + 1);
    ok(ret == STORE_E_VERSION, "version %d: got %d\n", STORE_VERSION + 1, ret);
    ret = decode_patched(img, len, 8, 0);
    ok(ret == STORE_E_VERSION, "version 0: got %d\n", ret);
    ret = decode_patched(img, len, 8, 0xffffffff);
    ok(ret == STORE_E_VERSION, "version -1: got %d\n", ret);

    memcpy(copy, "QMGRWB2", 8);
    fix_crc(copy, len);
    ret = decode_result(copy, len);
    ok(ret == STORE_E_MAGIC, "bad magic: got %d\n", ret);
    memcpy(copy, img, len);
    memset(copy, 0, 8);
    ret = decode_result(copy, len);
    ok(ret == STORE_E_MAGIC, "zero magic: got %d\n", ret);
    ret = decode_result((const uint8_t *)"not a store image at all, just text", 35);
    ok(ret == STORE_E_MAGIC, "text: got %d\n", ret);

    /* Payload length against the image size. */
    memcpy(copy, img, len);
    put64(copy + 20, get64(img + 20) + 1);
    fix_crc(copy, len);
    ret = decode_result(copy, len);
    ok(ret == STORE_E_TRUNCATED, "payload length + 1: got %d\n", ret);
    put64(copy + 20, UINT64_MAX);
    ret = decode_result(copy, len);
    ok(ret == STORE_E_TRUNCATED, "huge payload length: got %d\n", ret);
    memcpy(copy, img, len);
    copy[len] = 0;
    ret = decode_result(copy, len + 1);
    ok(ret == STORE_E_CORRUPT, "trailing byte after the payload: got %d\n", ret);

    /* Bytes after the last job, inside a checksummed payload. */
    memcpy(copy, img, len);
    memset(copy + len, 0, 4);
    put64(copy + 20, get64(img + 20) + 4);
    fix_crc(copy, len + 4);
    ret = decode_result(copy, len + 4);
    ok(ret == STORE_E_CORRUPT, "bytes after the last job: got %d\n", ret);

    /* The sequence number is covered by the checksum. */
    memcpy(copy, img, len);
    copy[12] ^= 1;
    ret = decode_result(copy, len);
    ok(ret == STORE_E_CHECKSUM, "changed sequence: got %d\n", ret);
    free(copy);
}

static void test_counts_and_lengths(const uint8_t *img, size_t len, const struct layout *l)
{
    int ret;

    ret = decode_patched(img, len, STORE_HEADER_SIZE, 0xffffffff);
    ok(ret == STORE_E_LIMIT, "job count 0xffffffff: got %d\n", ret);
    ret = decode_patched(img, len, STORE_HEADER_SIZE, STORE_MAX_JOBS + 1);
    ok(ret == STORE_E_LIMIT, "job count above the limit: got %d\n", ret);
    ret = decode_patched(img, len, STORE_HEADER_SIZE, STORE_MAX_JOBS);
    ok(ret == STORE_E_CORRUPT, "job count the image cannot hold: got %d\n", ret);
    ret = decode_patched(img, len, STORE_HEADER_SIZE, 2);
    ok(ret == STORE_E_CORRUPT, "job count 2 of 1: got %d\n", ret);
    ret = decode_patched(img, len, STORE_HEADER_SIZE, 0);
    ok(ret == STORE_E_CORRUPT, "job count 0 of 1: got %d\n", ret);

    ret = decode_patched(img, len, l->job_len, get32(img + l->job_len) + 1);
    ok(ret == STORE_E_CORRUPT, "job record length + 1: got %d\n", ret);
    ret = decode_patched(img, len, l->job_len, get32(img + l->job_len) - 1);
    ok(ret == STORE_E_CORRUPT, "job record length - 1: got %d\n", ret);
    ret = decode_patched(img, len, l->job_len, 0xffffffff);
    ok(ret == STORE_E_CORRUPT, "job record length 0xffffffff: got %d\n", ret);
    ret = decode_patched(img, len, l->job_len, 0);
    ok(ret == STORE_E_CORRUPT, "job record length 0: got %d\n", ret);
    ret = decode_patched(img, len, l->job_fields, get32(img + l->job_fields) - 1);
    ok(ret == STORE_E_CORRUPT, "one job field fewer than version 3: got %d\n", ret);
    ret = decode_patched(img, len, l->job_fields, 0);
    ok(ret == STORE_E_CORRUPT, "no job fields: got %d\n", ret);
    ret = decode_patched(img, len, l->job_fields, get32(img + l->job_fields) + 1);
    ok(!ret, "announced extra field of no bytes: got %d\n", ret);   /* a newer field may be empty */

    ret = decode_patched(img, len, l->display_len, 0xfffffffe);
    ok(ret == STORE_E_LIMIT, "string length 0xfffffffe: got %d\n", ret);
    ret = decode_patched(img, len, l->display_len, STORE_MAX_STRING + 1);
    ok(ret == STORE_E_LIMIT, "string length above the limit: got %d\n", ret);
    ret = decode_patched(img, len, l->display_len, STORE_MAX_STRING);
    ok(ret == STORE_E_CORRUPT, "string longer than the image: got %d\n", ret);
    ret = decode_patched(img, len, l->display_len + 4, 'D' | 0 << 16);
    ok(ret == STORE_E_CORRUPT, "embedded NUL in a string: got %d\n", ret);
    ret = decode_patched(img, len, l->display_len, 3);
    ok(ret == STORE_E_CORRUPT || ret == STORE_E_LIMIT, "string one unit shorter: got %d\n", ret);

    ret = decode_patched(img, len, l->sid_len, 0xffffffff);
    ok(ret == STORE_E_LIMIT, "blob length 0xffffffff: got %d\n", ret);
    ret = decode_patched(img, len, l->sid_len, STORE_MAX_BLOB + 1);
    ok(ret == STORE_E_LIMIT, "blob length above the limit: got %d\n", ret);
    ret = decode_patched(img, len, l->sid_len, STORE_MAX_BLOB);
    ok(ret == STORE_E_CORRUPT, "blob longer than the image: got %d\n", ret);

    ret = decode_patched(img, len, l->job_flags, 1u << 7);
    ok(ret == STORE_E_CORRUPT, "unknown job flag: got %d\n", ret);
    ret = decode_patched(img, len, l->job_flags, 0x7f);
    ok(!ret, "every job flag: got %d\n", ret);
    ret = decode_patched(img, len, l->file_flags, 1u << 4);
    ok(ret == STORE_E_CORRUPT, "unknown file flag: got %d\n", ret);
    ret = decode_patched(img, len, l->file_flags, 0x80000000);
    ok(ret == STORE_E_CORRUPT, "file flag bit 31: got %d\n", ret);

    ret = decode_patched(img, len, l->error_file, 1);
    ok(ret == STORE_E_CORRUPT, "error file index 1 of 1 file: got %d\n", ret);
    ret = decode_patched(img, len, l->error_file, (uint32_t)-2);
    ok(ret == STORE_E_CORRUPT, "error file index -2: got %d\n", ret);
    ret = decode_patched(img, len, l->error_file, 0);
    ok(!ret, "error file index 0: got %d\n", ret);

    ret = decode_patched(img, len, l->file_count, 0xffffffff);
    ok(ret == STORE_E_LIMIT, "file count 0xffffffff: got %d\n", ret);
    ret = decode_patched(img, len, l->file_count, STORE_MAX_FILES + 1);
    ok(ret == STORE_E_LIMIT, "file count above the limit: got %d\n", ret);
    ret = decode_patched(img, len, l->file_count, STORE_MAX_FILES);
    ok(ret == STORE_E_CORRUPT, "file count the record cannot hold: got %d\n", ret);
    ret = decode_patched(img, len, l->file_len, get32(img + l->file_len) + 1);
    ok(ret == STORE_E_CORRUPT, "file record length + 1: got %d\n", ret);
    ret = decode_patched(img, len, l->file_len, get32(img + l->file_len) - 1);
    ok(ret == STORE_E_CORRUPT, "file record length - 1: got %d\n", ret);
    ret = decode_patched(img, len, l->file_fields, get32(img + l->file_fields) - 1);
    ok(ret == STORE_E_CORRUPT, "one file field fewer than version 1: got %d\n", ret);

    ret = decode_patched(img, len, l->range_count, 0xffffffff);
    ok(ret == STORE_E_LIMIT, "range count 0xffffffff: got %d\n", ret);
    ret = decode_patched(img, len, l->range_count, STORE_MAX_RANGES + 1);
    ok(ret == STORE_E_LIMIT, "range count above the limit: got %d\n", ret);
    ret = decode_patched(img, len, l->range_count, STORE_MAX_RANGES);
    ok(ret == STORE_E_CORRUPT, "range count the record cannot hold: got %d\n", ret);
    ret = decode_patched(img, len, l->range_count, 2);
    ok(ret == STORE_E_CORRUPT || ret == STORE_E_LIMIT, "range count 2 of 1: got %d\n", ret);
}

/* A newer writer appends fields: this reader skips them and keeps the rest. */
static void test_appended_fields(const uint8_t *img, size_t len, const struct layout *l, const struct store_job *job)
{
    static const uint8_t extra[12] = { 0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7, 8 };
    struct store_job *out;
    uint8_t *copy = dup_image(img, len, sizeof(extra));
    size_t n, file_end = l->file_len + 4 + get32(img + l->file_len);
    int ret;

    /* The job record is the last one of the image: an appended job field goes at the very end. */
    memcpy(copy + len, extra, sizeof(extra));
    put64(copy + 20, get64(img + 20) + sizeof(extra));
    put32(copy + l->job_len, get32(img + l->job_len) + sizeof(extra));
    put32(copy + l->job_fields, get32(img + l->job_fields) + 2);
    fix_crc(copy, len + sizeof(extra));
    ret = store_decode(copy, len + sizeof(extra), &out, &n, NULL);
    ok(!ret, "job record with two appended fields: got %d\n", ret);
    if (!ret)
    {
        ok(n == 1, "count %zu\n", n);
        test_context = "appended job fields";
        compare_job(job, &out[0]);
        test_context = NULL;
        store_free_jobs(out, n);
    }

    /* The one file record ends where the job's version 2 and 3 fields begin: insert the field there. */
    memcpy(copy, img, file_end);
    memcpy(copy + file_end, extra, sizeof(extra));
    memcpy(copy + file_end + sizeof(extra), img + file_end, len - file_end);
    put64(copy + 20, get64(img + 20) + sizeof(extra));
    put32(copy + l->job_len, get32(img + l->job_len) + sizeof(extra));
    put32(copy + l->file_len, get32(img + l->file_len) + sizeof(extra));
    put32(copy + l->file_fields, get32(img + l->file_fields) + 1);
    fix_crc(copy, len + sizeof(extra));
    ret = store_decode(copy, len + sizeof(extra), &out, &n, NULL);
    ok(!ret, "file record with an appended field: got %d\n", ret);
    if (!ret)
    {
        test_context = "appended file field";
        compare_job(job, &out[0]);
        test_context = NULL;
        store_free_jobs(out, n);
    }

    ok(file_end == len - V2_JOB_TAIL - V3_JOB_TAIL, "the file record ends %zu bytes before the image\n",
       len - file_end);
    /* The same bytes without a field count that announces them are damage. */
    put32(copy + l->file_fields, get32(img + l->file_fields));
    fix_crc(copy, len + sizeof(extra));
    ret = decode_result(copy, len + sizeof(extra));
    ok(ret == STORE_E_CORRUPT, "unannounced bytes in a file record: got %d\n", ret);
    free(copy);
}

/* An image of an older version: its job records end tail bytes (fields fields) earlier. It is
 * still read, with the missing fields zero; a newer version's header on the same records is
 * damage, and so is a record with one field fewer than its version defines. */
static void test_old_image(const uint8_t *img, size_t len, const struct layout *l, const struct store_job *job,
                           uint32_t version, size_t tail, uint32_t fields)
{
    uint8_t *copy = dup_image(img, len - tail, 0);
    size_t old_len = len - tail, n;
    struct store_job *out;
    char context[32];
    uint32_t newer;
    int ret;

    snprintf(context, sizeof(context), "version %u image", version);
    put32(copy + 8, version);
    put64(copy + 20, get64(img + 20) - tail);
    put32(copy + l->job_len, get32(img + l->job_len) - tail);
    put32(copy + l->job_fields, get32(img + l->job_fields) - fields);
    fix_crc(copy, old_len);
    ret = store_decode(copy, old_len, &out, &n, NULL);
    ok(!ret, "%s: got %d\n", context, ret);
    if (!ret)
    {
        test_context = context;
        compare_job(job, &out[0]);
        test_context = NULL;
        store_free_jobs(out, n);
    }
    for (newer = version + 1; newer <= STORE_VERSION; newer++)
    {
        put32(copy + 8, newer);
        fix_crc(copy, old_len);
        ret = decode_result(copy, old_len);
        ok(ret == STORE_E_CORRUPT, "version %u header on version %u records: got %d\n", newer, version, ret);
    }
    put32(copy + 8, version);
    put32(copy + l->job_fields, get32(img + l->job_fields) - fields - 1);
    fix_crc(copy, old_len);
    ret = decode_result(copy, old_len);
    ok(ret == STORE_E_CORRUPT, "one field fewer than version %u: got %d\n", version, ret);
    free(copy);
}

static void test_damaged_images(void)
{
    struct store_job job;
    struct layout l;
    uint8_t *img;
    size_t len;
    int ret;

    sentinel_job(&job);
    ret = store_encode(&job, 1, 99, &img, &len);
    ok(!ret, "encode: %d\n", ret);
    if (ret) return;
    locate(img, len, &l);
    ok(decode_result(img, len) == 0, "undamaged image rejected\n");

    test_header_errors(img, len);
    test_flipped_bits(img, len);
    test_counts_and_lengths(img, len, &l);
    test_appended_fields(img, len, &l, &job);
    test_old_image(img, len, &l, &job, 2, V3_JOB_TAIL, V3_FIELDS);
    test_old_image(img, len, &l, &job, 1, V2_JOB_TAIL + V3_JOB_TAIL, V2_FIELDS + V3_FIELDS);
    free(img);
    store_free_jobs(NULL, 0);

    /* Every prefix and every flipped byte of a larger random image. */
    {
        struct store_job *jobs = xcalloc(3, sizeof(*jobs));
        size_t i;

        for (i = 0; i < 3; i++) random_job(&jobs[i], 3);
        ret = store_encode(jobs, 3, 5, &img, &len);
        ok(!ret, "encode: %d\n", ret);
        if (getenv("STORE_VERBOSE")) printf("damaged random image: %zu bytes\n", len);
        if (!ret)
        {
            test_truncation(img, len);
            test_flipped_bytes(img, len);
            free(img);
        }
        store_free_jobs(jobs, 3);
    }
    /* The sentinel job's fields belong to a stack struct: free them, not it. */
    {
        struct store_job *heap = xcalloc(1, sizeof(*heap));
        *heap = job;
        store_free_jobs(heap, 1);
    }
}

/* The encoder refuses what the decoder would refuse. */
static void test_encoder_limits(void)
{
    struct store_job job;
    uint8_t *img;
    size_t len, i;
    uint16_t *str;
    int ret;

    memset(&job, 0, sizeof(job));
    job.error_file = -1;

    ret = store_encode(&job, STORE_MAX_JOBS + 1, 0, &img, &len);
    ok(ret == STORE_E_LIMIT, "too many jobs: got %d\n", ret);
    ret = store_encode(NULL, 1, 0, &img, &len);
    ok(ret == STORE_E_CORRUPT, "NULL jobs: got %d\n", ret);
    ret = store_encode(&job, 1, 0, NULL, &len);
    ok(ret == STORE_E_CORRUPT, "NULL output: got %d\n", ret);

    str = xcalloc(STORE_MAX_STRING + 2, sizeof(*str));
    for (i = 0; i < STORE_MAX_STRING; i++) str[i] = 'a' + i % 26;
    job.description = str;
    ret = store_encode(&job, 1, 0, &img, &len);
    ok(!ret, "string at the limit: got %d\n", ret);
    if (!ret)
    {
        ok(decode_result(img, len) == 0, "string at the limit not decoded\n");
        free(img);
    }
    str[STORE_MAX_STRING] = 'z';
    ret = store_encode(&job, 1, 0, &img, &len);
    ok(ret == STORE_E_LIMIT, "string above the limit: got %d\n", ret);
    ok(!img && !len, "failed encode left %p %zu\n", (void *)img, len);
    job.description = NULL;
    free(str);

    job.credentials.size = STORE_MAX_BLOB;
    job.credentials.data = xcalloc(STORE_MAX_BLOB + 1, 1);
    ret = store_encode(&job, 1, 0, &img, &len);
    ok(!ret, "blob at the limit: got %d\n", ret);
    if (!ret)
    {
        ok(decode_result(img, len) == 0, "blob at the limit not decoded\n");
        free(img);
    }
    job.credentials.size = STORE_MAX_BLOB + 1;
    ret = store_encode(&job, 1, 0, &img, &len);
    ok(ret == STORE_E_LIMIT, "blob above the limit: got %d\n", ret);
    free(job.credentials.data);
    job.credentials.data = NULL;
    job.credentials.size = 16;
    ret = store_encode(&job, 1, 0, &img, &len);
    ok(ret == STORE_E_CORRUPT, "blob without data: got %d\n", ret);
    job.credentials.size = 0;

    job.file_count = STORE_MAX_FILES + 1;
    job.files = xcalloc(STORE_MAX_FILES + 1, sizeof(*job.files));
    ret = store_encode(&job, 1, 0, &img, &len);
    ok(ret == STORE_E_LIMIT, "too many files: got %d\n", ret);
    job.file_count = STORE_MAX_FILES;
    ret = store_encode(&job, 1, 0, &img, &len);
    ok(!ret, "files at the limit: got %d\n", ret);
    if (!ret)
    {
        ok(decode_result(img, len) == 0, "files at the limit not decoded\n");
        free(img);
    }
    job.file_count = 1;
    job.files[0].range_count = STORE_MAX_RANGES + 1;
    job.files[0].ranges = xcalloc(STORE_MAX_RANGES + 1, sizeof(*job.files[0].ranges));
    ret = store_encode(&job, 1, 0, &img, &len);
    ok(ret == STORE_E_LIMIT, "too many ranges: got %d\n", ret);
    job.files[0].range_count = STORE_MAX_RANGES;
    ret = store_encode(&job, 1, 0, &img, &len);
    ok(!ret, "ranges at the limit: got %d\n", ret);
    if (!ret)
    {
        ok(decode_result(img, len) == 0, "ranges at the limit not decoded\n");
        free(img);
    }
    free(job.files[0].ranges);
    job.files[0].ranges = NULL;
    ret = store_encode(&job, 1, 0, &img, &len);
    ok(ret == STORE_E_CORRUPT, "ranges without an array: got %d\n", ret);
    job.files[0].range_count = 0;

    job.error_file = 1;
    ret = store_encode(&job, 1, 0, &img, &len);
    ok(ret == STORE_E_CORRUPT, "error file out of range: got %d\n", ret);
    job.error_file = -5;
    ret = store_encode(&job, 1, 0, &img, &len);
    ok(ret == STORE_E_CORRUPT, "error file -5: got %d\n", ret);
    job.error_file = 0;
    ret = store_encode(&job, 1, 0, &img, &len);
    ok(!ret, "error file 0: got %d\n", ret);
    if (!ret) free(img);
    free(job.files);
}

/* store_encode_each leaves out only the jobs that cannot be encoded, whatever their place. */
static void test_encode_each(void)
{
    struct store_job jobs[4], *out;
    uint16_t *str;
    uint8_t *img;
    size_t len, n, i;
    int errors[4], ret;

    memset(jobs, 0, sizeof(jobs));
    for (i = 0; i < 4; i++)
    {
        jobs[i].error_file = -1;
        jobs[i].id[0] = (uint8_t)(i + 1);
        jobs[i].display_name = make_string("job");
    }
    str = xcalloc(STORE_MAX_STRING + 2, sizeof(*str));
    for (i = 0; i < STORE_MAX_STRING + 1; i++) str[i] = 'h';
    jobs[1].file_count = 1;                  /* a string above the limit deep in a file record */
    jobs[1].files = xcalloc(1, sizeof(*jobs[1].files));
    jobs[1].files[0].response_headers = str;
    jobs[3].error_file = 7;                  /* inconsistent: no such file */

    ret = store_encode(jobs, 4, 9, &img, &len);
    ok(ret == STORE_E_CORRUPT && !img, "strict encode: got %d\n", ret);   /* one bad job fails it all */

    memset(errors, 0x55, sizeof(errors));
    ret = store_encode_each(jobs, 4, 9, errors, &img, &len);
    ok(!ret, "encode_each: got %d\n", ret);
    ok(!errors[0] && errors[1] == STORE_E_LIMIT && !errors[2] && errors[3] == STORE_E_CORRUPT,
       "errors %d %d %d %d\n", errors[0], errors[1], errors[2], errors[3]);
    if (!ret)
    {
        uint64_t sequence;
        ret = store_decode(img, len, &out, &n, &sequence);
        ok(!ret, "decode: %d\n", ret);
        if (!ret)
        {
            ok(n == 2, "%zu jobs decoded\n", n);
            ok(n == 2 && out[0].id[0] == 1 && out[1].id[0] == 3, "the wrong jobs were kept\n");
            ok(sequence == 9, "sequence %llu\n", (unsigned long long)sequence);
            for (i = 0; i < n; i++) compare_job(&jobs[i * 2], &out[i]);
            store_free_jobs(out, n);
        }
        free(img);
    }

    /* All left out: an image of no jobs. */
    jobs[0].error_file = jobs[2].error_file = 5;
    ret = store_encode_each(jobs, 4, 1, errors, &img, &len);
    ok(!ret && len == STORE_HEADER_SIZE + 4, "nothing encodable: got %d, length %zu\n", ret, len);
    if (!ret)
    {
        ok(decode_result(img, len) == 0, "the empty image does not decode\n");
        free(img);
    }
    jobs[0].error_file = jobs[2].error_file = jobs[3].error_file = -1;
    for (i = 0; i < 4; i++) free(jobs[i].display_name);
    free(str);
    free(jobs[1].files);

    ret = store_encode_each(NULL, 1, 0, errors, &img, &len);
    ok(ret == STORE_E_CORRUPT, "NULL jobs: got %d\n", ret);
}

static void test_strerror(void)
{
    int i;

    for (i = 0; i >= STORE_E_LIMIT; i--)
        ok(strcmp(store_strerror(i), store_strerror(1)) != 0, "no text for %d\n", i);
}

/* A few small images for the fuzzer's corpus. */
static int write_seeds(const char *dir)
{
    unsigned int seed;

    for (seed = 0; seed < 8; seed++)
    {
        size_t count = seed % 4, i, len;
        struct store_job *jobs = xcalloc(count, sizeof(*jobs));
        char path[4096];
        uint8_t *img;
        FILE *f;

        rng_state = 0x9e3779b97f4a7c15ull * (seed + 1);
        for (i = 0; i < count; i++)
        {
            if (seed == 1) sentinel_job(&jobs[i]);
            else random_job(&jobs[i], seed < 4 ? 1 : 2);
        }
        if (store_encode(jobs, count, seed, &img, &len))
        {
            printf("store_roundtrip: cannot encode seed %u\n", seed);
            return 1;
        }
        snprintf(path, sizeof(path), "%s/seed-%u.bin", dir, seed);
        if (!(f = fopen(path, "wb")) || fwrite(img, 1, len, f) != len || fclose(f))
        {
            printf("store_roundtrip: cannot write %s\n", path);
            return 1;
        }
        free(img);
        store_free_jobs(jobs, count);
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "--seeds")) return write_seeds(argv[2]);
    rng_state = argc > 1 ? strtoull(argv[1], NULL, 0) : 1;
    if (!rng_state) rng_state = 1;

    test_crc();
    test_header();
    test_null_and_empty();
    test_random_roundtrips();
    test_many_jobs();
    test_damaged_images();
    test_encoder_limits();
    test_encode_each();
    test_strerror();

    printf("store_roundtrip: %u tests executed (0 marked as todo, %u failures), 0 skipped.\n",
           tests_executed, tests_failed);
    return tests_failed ? 1 : 0;
}

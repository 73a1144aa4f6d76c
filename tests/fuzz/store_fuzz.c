/*
 * store_fuzz.c: libFuzzer harness for the job store decoder (dlls/qmgr/store_codec.c).
 *
 * Each input is decoded twice: as it is (the header checks: magic, version, length, CRC) and
 * with its header repaired (magic, version, payload length and CRC made to match), so that
 * mutations reach the record parser instead of stopping at the checksum. Whatever decodes
 * must pass the round-trip oracle: it encodes, the encoding decodes again with the same
 * sequence number, and encoding that gives the same bytes. Any difference aborts.
 *
 * Built and run by `make fuzz` (clang -fsanitize=fuzzer,address,undefined).
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
#include <stdlib.h>
#include <string.h>

#include "store_codec.h"

static void roundtrip_oracle(const uint8_t *data, size_t size)
{
    struct store_job *jobs, *jobs2;
    size_t count, count2, len, len2;
    uint64_t sequence, sequence2;
    uint8_t *img, *img2;

    if (store_decode(data, size, &jobs, &count, &sequence)) return;

    /* Everything the decoder accepts, the encoder must be able to write. */
    if (store_encode(jobs, count, sequence, &img, &len)) abort();
    store_free_jobs(jobs, count);

    if (store_decode(img, len, &jobs2, &count2, &sequence2)) abort();
    if (count2 != count || sequence2 != sequence) abort();
    if (store_encode(jobs2, count2, sequence2, &img2, &len2)) abort();
    if (len2 != len || memcmp(img, img2, len)) abort();

    store_free_jobs(jobs2, count2);
    free(img);
    free(img2);
}

static void put_le32(uint8_t *p, uint32_t v)
{
    p[0] = v; p[1] = v >> 8; p[2] = v >> 16; p[3] = v >> 24;
}

static void put_le64(uint8_t *p, uint64_t v)
{
    put_le32(p, (uint32_t)v);
    put_le32(p + 4, (uint32_t)(v >> 32));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *copy;
    uint32_t crc;

    roundtrip_oracle(data, size);

    if (size < STORE_HEADER_SIZE) return 0;
    if (!(copy = malloc(size))) return 0;
    memcpy(copy, data, size);
    memcpy(copy, STORE_MAGIC, 8);
    put_le32(copy + 8, STORE_VERSION);
    put_le64(copy + 20, size - STORE_HEADER_SIZE);
    crc = store_crc32(0, copy, 28);
    put_le32(copy + 28, store_crc32(crc, copy + STORE_HEADER_SIZE, size - STORE_HEADER_SIZE));
    roundtrip_oracle(copy, size);
    free(copy);
    return 0;
}

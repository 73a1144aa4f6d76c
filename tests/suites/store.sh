# tests/suites/store.sh: the job store codec, built natively with ASan and UBSan: the round-trip
# unit test (its own counts are added to this suite's), then a 20-second libFuzzer run where
# clang can build one (skipped, as a passing check with a note, where it cannot).
#
# Copyright 2026 The wine-bits authors
#
# This library is free software; you can redistribute it and/or
# modify it under the terms of the GNU Lesser General Public
# License as published by the Free Software Foundation; either
# version 2.1 of the License, or (at your option) any later version.
#
# This library is distributed in the hope that it will be useful,
# but WITHOUT ANY WARRANTY; without even the implied warranty of
# MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the GNU
# Lesser General Public License for more details.
#
# You should have received a copy of the GNU Lesser General Public
# License along with this library; if not, write to the Free Software
# Foundation, Inc., 51 Franklin St, Fifth Floor, Boston, MA 02110-1301, USA
T_SUITE=store
. "$TOP/tests/lib.sh"
OUT="$B/native"
D=$(mktemp -d)
mkdir -p "$OUT"
CODEC="$TOP/dlls/qmgr/store_codec.c"
FLAGS="-std=c11 -g -O1 -Wall -Wextra -Werror -I$TOP/dlls/qmgr -fno-sanitize-recover=all"

CC=gcc
command -v gcc >/dev/null 2>&1 || CC=cc
check "$CC builds store_roundtrip with ASan and UBSan" \
    $CC $FLAGS -fsanitize=address,undefined -o "$OUT/store_roundtrip" "$TOP/tests/fuzz/store_roundtrip.c" "$CODEC"
if [ -x "$OUT/store_roundtrip" ]; then
    "$OUT/store_roundtrip" >"$D/roundtrip.log" 2>&1
    rc=$?
    # Count the unit test's own checks here (the harness counts only this suite's last line).
    line=$(grep -E '^store_roundtrip: [0-9]+ tests executed' "$D/roundtrip.log" | tail -n 1)
    check "store_roundtrip prints a summary" test -n "$line"
    check "store_roundtrip exits 0 (exit $rc)" test "$rc" -eq 0
    if [ -n "$line" ]; then
        n=$(echo "$line" | sed -E 's/^[^:]+: ([0-9]+) tests executed.*/\1/')
        f=$(echo "$line" | sed -E 's/.*todo, ([0-9]+) failures.*/\1/')
        T_EXECUTED=$((T_EXECUTED + n)); T_FAILED=$((T_FAILED + f))
    fi
    grep -E 'Test failed|ERROR|runtime error' "$D/roundtrip.log" | head -n 40
fi

# libFuzzer needs clang and its runtime (Debian: clang, libclang-rt-14-dev).
printf '#include <stddef.h>\n#include <stdint.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n' >"$D/probe.c"
if command -v clang >/dev/null 2>&1 && clang -fsanitize=fuzzer -o "$D/probe" "$D/probe.c" >/dev/null 2>&1; then
    check "clang builds store_fuzz" \
        clang $FLAGS -fsanitize=fuzzer,address,undefined -o "$OUT/store_fuzz" "$TOP/tests/fuzz/store_fuzz.c" "$CODEC"
    mkdir -p "$D/corpus" "$D/artifacts"
    check "store_roundtrip writes the seed corpus" "$OUT/store_roundtrip" --seeds "$D/corpus"
    if [ -x "$OUT/store_fuzz" ]; then
        "$OUT/store_fuzz" -max_total_time=20 -timeout=10 -artifact_prefix="$D/artifacts/" "$D/corpus" >"$D/fuzz.log" 2>&1
        rc=$?
        check "20 s of fuzzing find nothing (exit $rc)" test "$rc" -eq 0
        grep -E '^#[0-9]+[[:space:]]+DONE' "$D/fuzz.log"
        if [ "$rc" -ne 0 ]; then
            tail -n 60 "$D/fuzz.log"
            mkdir -p "$B/fuzz-artifacts" && cp "$D"/artifacts/* "$B/fuzz-artifacts/" 2>/dev/null
            echo "store.sh: crashing inputs copied to $B/fuzz-artifacts"
        fi
    fi
else
    echo "store.sh: note: fuzzing skipped: clang -fsanitize=fuzzer does not work here (install clang and libclang-rt-14-dev)"
    check "fuzzing skipped (no libFuzzer)" true
fi
rm -rf "$D"
summary

# tests/suites/store_move.sh: the job store lives in the ProgramData known folder on every Wine,
# and a queue that earlier builds saved elsewhere (under Wine 8 the service's %ProgramData% was
# C:\users\Public) is moved there at service start: every job comes back and the old images
# are gone. Also: a move cut short (a .moving copy left) is done again from the old images; old
# images identical to the new ones (a move cut short before its deletes) are deleted; a new
# place holding only an empty queue takes the old one; two different queues: the new place
# wins and the old images are left untouched.
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
T_SUITE=store_move
. "$TOP/tests/lib.sh"
. "$TOP/tests/store-lib.sh"
D=$(mktemp -d)
if [ "$BITS_MODE" != ours ]; then summary; exit 0; fi

ba() {
    wine_run1 "$D/out" bitsadmin "$@"
    tr -d '\r' <"$D/out" | grep -v '^BITSADMIN\|^BITS administration\|^$'
}
stop() { stop_bits "$D/stop"; }
has_job() { grep -q "'$1'" "$D/list"; }
images() { ls "$1"/qmgr0.dat "$1"/qmgr1.dat 2>/dev/null; }
# newest|older <dir>: the name of the image with the higher|lower sequence number (its header).
seqs() {
    python3 - "$1" "$2" <<'PY'
import os, struct, sys
seq = {n: struct.unpack_from('<Q', open(os.path.join(sys.argv[1], n), 'rb').read(), 12)[0]
       for n in ('qmgr0.dat', 'qmgr1.dat') if os.path.exists(os.path.join(sys.argv[1], n))}
order = sorted(seq, key=seq.get)
print(order[-1] if sys.argv[2] == 'newest' else order[0])
PY
}
newest() { seqs "$1" newest; }
older() { seqs "$1" older; }

store_dir; NEW=$STORE_DIR
store_dir wine8; OLD=$STORE_DIR
check "the store's place is known ($NEW)" test -n "$NEW"
check "and is not where Wine 8's %ProgramData% led ($OLD)" test -n "$OLD" -a "$NEW" != "$OLD"

# 1. Saved jobs, their images moved to Wine 8's place: the next start finds every job and moves
#    the images back (without the move, the queue would start empty).
ba /create moved1 >/dev/null
ba /setdescription moved1 "saved under Wine 8" >/dev/null
ba /addfile moved1 'C:\windows\win.ini' 'C:\users\Public\moved1.ini' >/dev/null
ba /create moved2 >/dev/null
ba /info moved1 /verbose >"$D/before"
stop
check "the queue is saved in the ProgramData known folder" test -n "$(images "$NEW")"
mkdir -p "$OLD"
mv "$NEW"/qmgr*.dat "$OLD"/
ba /list >"$D/list"
check "moved1 is back after the move" has_job moved1
check "moved2 is back after the move" has_job moved2
ba /info moved1 /verbose >"$D/after"
check "with every property" cmp -s "$D/before" "$D/after"
check "the old images are gone" test -z "$(images "$OLD")"
check "the images are in the new place" test -n "$(images "$NEW")"
check "no copy is left" sh -c "! ls '$NEW'/*.moving >/dev/null 2>&1"

# Two images of one queue, the older from before moved3 was created.
stop
mkdir -p "$D/queue2"
cp "$NEW"/qmgr0.dat "$NEW"/qmgr1.dat "$D/queue2/"
ba /create moved3 >/dev/null
stop
newest=$(newest "$NEW"); older=$(older "$NEW")
cp "$D/queue2/$(newest "$D/queue2")" "$NEW/$older"
check "the older image is of before moved3" sh -c "! grep -qa 'm.o.v.e.d.3' '$NEW/$older'"
check "the newest has moved3" grep -qa 'm.o.v.e.d.3' "$NEW/$newest"
mkdir -p "$D/queue3"
cp "$NEW"/qmgr0.dat "$NEW"/qmgr1.dat "$D/queue3/"

# 2. A move cut short after the rename of the older image: the new place has that image and a
#    part of the copy of the newest. It is done again from the old images: moved3 is there.
mv "$NEW"/qmgr*.dat "$OLD"/
cp "$OLD/$older" "$NEW/"
head -c 100 "$OLD/$newest" >"$NEW/$newest.moving"
ba /list >"$D/list"
check "a move cut short is done again: moved3 is back" has_job moved3
check "and moved1" has_job moved1
check "the old images are gone after the second try" test -z "$(images "$OLD")"
check "no copy is left after the second try" sh -c "! ls '$NEW'/*.moving >/dev/null 2>&1"

# 3. Cut short before its deletes: the old images are the new ones, byte for byte: deleted.
stop
cp "$NEW"/qmgr*.dat "$OLD"/
ba /list >"$D/list"
check "copies left by a move: the jobs are there" has_job moved3
check "and the old copies are deleted" test -z "$(images "$OLD")"

# 4. The new place holds a queue without a job: the old queue is taken.
for job in moved1 moved2 moved3; do ba /cancel $job >/dev/null; done
stop
ba /list >"$D/list"
check "the queue is empty now" grep -q "Listed 0 job(s)." "$D/list"
stop
check "an image of the empty queue is in the new place" test -n "$(images "$NEW")"
cp "$D"/queue3/qmgr*.dat "$OLD"/
ba /list >"$D/list"
check "an empty queue in the new place gives way: moved3 is back" has_job moved3
check "the old images are gone after that move" test -z "$(images "$OLD")"

# 5. Both places hold a different queue: the new place wins, the old images are left as they are.
for job in moved1 moved2 moved3; do ba /cancel $job >/dev/null; done
ba /create here >/dev/null
stop
cp "$D"/queue3/qmgr*.dat "$OLD"/
sums=$(cd "$OLD" && md5sum qmgr*.dat)
ba /list >"$D/list"
check "two queues: the one in the new place is used" has_job here
check "the other is not merged in" sh -c "! grep -q \"'moved1'\" '$D/list'"
check "and its images are left untouched" test "$(cd "$OLD" && md5sum qmgr*.dat)" = "$sums"

rm -rf "$D"
summary

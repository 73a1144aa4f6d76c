#!/bin/sh
# tests/servers/stop.sh <rundir> [name...]: stops exactly the servers tests/servers/start.sh
# <rundir> started (the pids in <rundir>/pids/, each checked to be a process of this run
# directory; only the named ones, e.g. nginx or faultserver, when names are given), and waits
# until they are gone (SIGTERM, then SIGKILL after 5 s). Always exits 0.
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
[ $# -ge 1 ] || { echo "usage: $0 <rundir> [name...]" >&2; exit 2; }
[ -d "$1/pids" ] || exit 0
RUN=$(cd "$1" && pwd)
shift
[ $# -gt 0 ] || set -- $(ls "$RUN/pids")
for name in "$@"; do
    f="$RUN/pids/$name"
    [ -f "$f" ] || continue
    pid=$(cat "$f")
    rm -f "$f"
    case "$pid" in ''|*[!0-9]*) continue ;; esac
    # Only a process whose command line names this run directory (guards against pid reuse).
    if [ -r "/proc/$pid/cmdline" ]; then
        tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF "$RUN" || continue
    else
        kill -0 "$pid" 2>/dev/null || continue
    fi
    kill -TERM "$pid" 2>/dev/null || continue
    n=0
    while kill -0 "$pid" 2>/dev/null; do
        # A zombie (exited, not yet reaped by its parent) counts as gone.
        [ -r "/proc/$pid/stat" ] && sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | grep -q '^Z' && break
        n=$((n + 1))
        if [ $n -eq 100 ]; then kill -KILL "$pid" 2>/dev/null; fi
        [ $n -gt 150 ] && break
        sleep 0.05
    done
done
exit 0

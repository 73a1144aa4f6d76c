#!/bin/sh
# tests/servers/mkdata.sh <dir> <name> <bytes>: a deterministic test file <dir>/<name> of <bytes>
# bytes (a number, or with a K, M or G suffix: powers of 1024), and its line in <dir>/SHA256SUMS.
# The content is a function of <name> and <bytes> (1 MiB blocks of Python's
# random.Random(<name>).randbytes, the last one shorter); every file gets the fixed
# modification time 2020-01-02 03:04:05 UTC (Last-Modified: Thu, 02 Jan 2020 03:04:05 GMT).
# An existing file of the right size that SHA256SUMS lists is kept (cheap to call again;
# concurrent calls are safe). <name> may contain subdirectories (sub/x.bin) and spaces.
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
set -e
[ $# -eq 3 ] || { echo "usage: $0 <dir> <name> <bytes>" >&2; exit 2; }
exec "${PYTHON3:-$(command -v /usr/bin/python3 || command -v python3)}" - "$1" "$2" "$3" <<'PY'
import fcntl, hashlib, os, random, re, sys
d, name, spec = sys.argv[1:4]
m = re.fullmatch(r"(\d+)([KMG]?)", spec.strip().upper())
if not m:
    sys.exit("mkdata.sh: bad size %r" % spec)
size = int(m.group(1)) << {"": 0, "K": 10, "M": 20, "G": 30}[m.group(2)]
if name.startswith("/") or ".." in name.split("/"):
    sys.exit("mkdata.sh: bad name %r" % name)
MTIME = 1577934245      # 2020-01-02 03:04:05 UTC
path = os.path.join(d, name)
os.makedirs(os.path.dirname(path), exist_ok=True)
sums = os.path.join(d, "SHA256SUMS")
if os.path.isfile(path) and os.path.getsize(path) == size and os.path.exists(sums):
    with open(sums) as f:
        if any(l[66:] == name for l in f.read().splitlines()):
            sys.exit(0)
if not (os.path.isfile(path) and os.path.getsize(path) == size):
    rnd = random.Random(name)
    h = hashlib.sha256()
    tmp = "%s.part%d" % (path, os.getpid())
    with open(tmp, "wb") as f:
        left = size
        while left:
            block = rnd.randbytes(min(left, 1 << 20))
            f.write(block)
            h.update(block)
            left -= len(block)
    os.utime(tmp, (MTIME, MTIME))
    os.replace(tmp, path)
    digest = h.hexdigest()
else:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    digest = h.hexdigest()
    os.utime(path, (MTIME, MTIME))
# SHA256SUMS: sha256sum's format, one line per file, replaced when the file is remade.
lock = open(sums + ".lock", "w")
fcntl.flock(lock, fcntl.LOCK_EX)
lines = []
if os.path.exists(sums):
    with open(sums) as f:
        lines = [l for l in f.read().splitlines() if l and l[66:] != name]
lines.append("%s  %s" % (digest, name))
with open(sums + ".tmp", "w") as f:
    f.write("\n".join(sorted(lines, key=lambda l: l[66:])) + "\n")
os.replace(sums + ".tmp", sums)
PY

# tests/suites/uploadserver.sh: the upload server the upload tests use (tests/servers/
# uploadserver.py, contract in tests/servers/README.md) speaks the BITS 1.5 upload protocol as
# BITS documents it: every packet type and its Ack headers, fragment resume and 416,
# overwrites, the maximum size, the session timeout, the server-application modes 1 and 2
# (reply file, by value, static URL, copy to destination, application errors), the reply URL and
# its download, host affinity, and each fault. Driven from Linux with curl (no Wine).
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
T_SUITE=uploadserver
. "$TOP/tests/lib.sh"
D=$(mktemp -d)
PY=${PYTHON3:-$(command -v /usr/bin/python3 || command -v python3)}
U="http://127.0.0.1:$BITS_UPLOAD_PORT"
A="http://127.0.0.1:$BITS_UPLOAD_ALT_PORT"
GUID="{7df0354d-249b-430f-820d-3d2a9bef4931}"

# post <tag> <url> <packet> <session or ""> [curl args...]: one BITS_POST; the answer's headers
# go to $D/<tag>.h, the status (000: no answer) to $D/<tag>.code, curl's exit code to .rc.
post() {
    tag=$1 url=$2 pkt=$3 sid=$4
    shift 4
    if [ -n "$sid" ]; then set -- -H "BITS-Session-Id: $sid" "$@"; fi
    # --path-as-is: curl 8 (Debian 13) removes %2e%2e segments before sending without it, and
    # the server's own check of a name escaping its directory is what is tested.
    curl -s --path-as-is -o "$D/$tag.body" -D "$D/$tag.h" -w '%{http_code}' --max-time 60 -X BITS_POST \
        -H "BITS-Packet-Type: $pkt" "$@" "$url" >"$D/$tag.code" 2>"$D/$tag.err"
    echo $? >"$D/$tag.rc"
    return 0
}
# hdr <tag> <name>: a header of that answer ("" when absent); code <tag>: its status.
hdr() { grep -i "^$2:" "$D/$1.h" 2>/dev/null | head -n 1 | cut -d' ' -f2- | tr -d '\r'; }
has() { grep -qi "^$2:" "$D/$1.h" 2>/dev/null; }
code() { cat "$D/$1.code"; }
# create <tag> <url> [curl args...]: Create-Session; SID is the new session id.
create() {
    tag=$1 url=$2
    shift 2
    post "$tag" "$url" Create-Session "" -H "BITS-Supported-Protocols: $GUID" "$@"
    SID=$(hdr "$tag" BITS-Session-Id)
}
# frag <tag> <url> <sid> <file> <first> <last> [curl args...]: the bytes first..last of file
# as one Fragment (total = the file's size).
frag() {
    tag=$1 url=$2 sid=$3 f=$4 a=$5 b=$6
    shift 6
    total=$(wc -c <"$f")
    tail -c +$((a + 1)) "$f" | head -c $((b - a + 1)) >"$D/$tag.part"
    post "$tag" "$url" Fragment "$sid" -H "Content-Range: bytes $a-$b/$total" \
        -H "Content-Type:" --data-binary @"$D/$tag.part" "$@"
}
# upload <url> <file> [fragment size]: a whole upload, fragments in order; SID is the session.
upload() {
    url=$1 f=$2 fs=${3:-1048576}
    create up_c "$url"
    total=$(wc -c <"$f") a=0
    while [ $a -lt "$total" ]; do
        b=$((a + fs - 1)); [ $b -ge "$total" ] && b=$((total - 1))
        frag up_f "$url" "$SID" "$f" $a $b -H "Content-Name: $(basename "$f")"
        [ "$(code up_f)" = 200 ] || return 1
        a=$((b + 1))
    done
}
# ack_ok <tag> <status> [<error code> <context>]: the answer is an Ack with that status, and
# with these BITS-Error-* (or none when not given).
ack_ok() {
    [ "$(code "$1")" = "$2" ] && [ "$(hdr "$1" BITS-Packet-Type)" = Ack ] &&
        [ "$(hdr "$1" Content-Length)" = 0 ] || return 1
    if [ $# -ge 4 ]; then
        [ "$(hdr "$1" BITS-Error-Code)" = "$3" ] && [ "$(hdr "$1" BITS-Error-Context)" = "$4" ]
    else
        ! has "$1" BITS-Error-Code && ! has "$1" BITS-Error-Context
    fi
}
# py <code>: Python with L (the request log: list of dicts), S (live sessions), stat(vdir/name),
# get(url, headers) -> (status, headers, body), E (environment), sha(bytes).
py() {
    PYTHONDONTWRITEBYTECODE=1 "$PY" -c "
import hashlib, json, os, sys, urllib.request, urllib.error
E = os.environ
U = 'http://127.0.0.1:%s' % E['BITS_UPLOAD_PORT']
def get(url, headers={}):
    try:
        r = urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30)
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()
L = [json.loads(l) for l in get(U + '/__log')[2].decode().splitlines()]
S = json.loads(get(U + '/__sessions')[2])
def stat(p): return json.loads(get(U + '/__stat/' + p)[2])
def sha(b): return hashlib.sha256(b).hexdigest()
def fsha(p): return sha(open(p, 'rb').read())
$1"
}
reset() { curl -s "$U/__reset" >/dev/null; }
mkfile() { head -c "$2" /dev/urandom >"$D/$1"; }

check "curl is installed (this suite drives the server with it)" sh -c "command -v curl >/dev/null"
command -v curl >/dev/null 2>&1 || { summary; exit 1; }
check "BITS_UPLOAD_* are exported" sh -c '[ -n "$BITS_UPLOAD_PORT" ] && [ -n "$BITS_UPLOAD_ALT_PORT" ] && [ -d "$BITS_UPLOAD_DIR" ] && [ -f "$BITS_UPLOAD_LOG" ]'
check "the upload server answers on both ports" sh -c "curl -sf '$U/' >/dev/null && curl -sf '$A/__sessions' >/dev/null"
reset
mkfile 3k.bin 3000
mkfile 64k.bin 65536
mkfile 2m.bin 2097152

# Ping and Create-Session.
post ping "$U/up/p.bin" Ping ""
check "Ping: 200 Ack, Content-Length 0, no error headers" ack_ok ping 200
create cs "$U/up/c.bin"
t_create() {
    ack_ok cs 200 && [ "$(hdr cs BITS-Protocol)" = "$GUID" ] && [ "$(hdr cs Accept-Encoding)" = Identity ] &&
        echo "$SID" | grep -Eq '^\{[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}\}$' && ! has cs BITS-Host-Id
}
check "Create-Session: BITS-Protocol, BITS-Session-Id {GUID}, Accept-Encoding Identity" t_create
create cs2 "$U/up/c.bin"
check "each Create-Session gets a new id" test -n "$SID" -a "$SID" != "$(hdr cs BITS-Session-Id)"
post cs3 "$U/up/c.bin" Create-Session "" -H "BITS-Supported-Protocols: {00000000-0000-0000-0000-000000000000} {7DF0354D-249B-430F-820D-3D2A9BEF4931}"
check "Create-Session: the protocol GUID anywhere in the list, any case" ack_ok cs3 200
post cs4 "$U/up/c.bin" Create-Session "" -H "BITS-Supported-Protocols: {00000000-0000-0000-0000-000000000000}"
t_cs4() { ack_ok cs4 400 0x80200022 0x5 && ! has cs4 BITS-Protocol && ! has cs4 BITS-Session-Id; }
check "Create-Session without our protocol: 400 BG_E_CLIENT_SERVER_PROTOCOL_MISMATCH, no session" t_cs4
post cs5 "$U/up/c.bin" Create-Session ""
check "Create-Session without BITS-Supported-Protocols: 400" ack_ok cs5 400 0x80200022 0x5
create cs6 "$U/up/c.bin?protocol=refuse"
t_cs6() { ack_ok cs6 400 0x80200022 0x5 && ! has cs6 BITS-Protocol && ! has cs6 BITS-Session-Id; }
check "protocol=refuse: 400 BG_E_CLIENT_SERVER_PROTOCOL_MISMATCH although ours was offered" t_cs6
create cs7 "$U/up/c.bin?protocol=other"
t_cs7() { ack_ok cs7 200 && [ -n "$(hdr cs7 BITS-Protocol)" ] && [ "$(hdr cs7 BITS-Protocol)" != "$GUID" ] && [ -n "$SID" ]; }
check "protocol=other: 200 with a BITS-Protocol the client did not offer" t_cs7
post bad "$U/up/c.bin" Bogus-Packet ""
check "unknown packet type: 400 Ack E_INVALIDARG" ack_ok bad 400 0x80070057 0x5
post bad2 "$U/up/c.bin" "" ""
check "no packet type: 400 Ack" ack_ok bad2 400 0x80070057 0x5
create cs6 "$U/up/"
check "Create-Session for a URL without a file name: 400" ack_ok cs6 400 0x80070057 0x5
create cs7 "$U/up/a/%2e%2e/%2e%2e/x.bin"
check "Create-Session for a name escaping the directory: 400" ack_ok cs7 400 0x80070057 0x5
post off "$U/off/x.bin" Ping ""
check "a directory without BITS uploads: 501 and no BITS headers" \
    sh -c "[ \"\$(cat '$D/off.code')\" = 501 ] && ! grep -qi '^BITS-' '$D/off.h'"
post get405 "$U/up/x.bin" Ping "" -X PUT
check "other methods: 405" test "$(code get405)" = 405

# Fragments: order, overlap, 416, completion, Close-Session.
create s1 "$U/up/dir/one.bin"
S1=$SID
frag f1 "$U/up/dir/one.bin" "$S1" "$D/3k.bin" 0 999 -H "Content-Name: 3k.bin"
t_f1() { ack_ok f1 200 && [ "$(hdr f1 BITS-Received-Content-Range)" = 1000 ] && [ "$(hdr f1 BITS-Session-Id)" = "$S1" ] && ! has f1 BITS-Reply-URL; }
check "first Fragment: 200, BITS-Session-Id, BITS-Received-Content-Range = next offset" t_f1
frag f2 "$U/up/dir/one.bin" "$S1" "$D/3k.bin" 1500 1999
t_f2() { ack_ok f2 416 0x801901A0 0x5 && [ "$(hdr f2 BITS-Received-Content-Range)" = 1000 ]; }
check "a fragment leaving a gap: 416 with the received offset" t_f2
frag f2b "$U/up/dir/one.bin" "$S1" "$D/3k.bin" 1001 1999
check "a fragment one byte after the received offset: 416" sh -c "[ '$(code f2b)' = 416 ] && [ '$(hdr f2b BITS-Received-Content-Range)' = 1000 ]"
# The overlapping part carries other bytes: the server must not overwrite what it has.
printf 'X%.0s' $(seq 1 500) >"$D/bad.part"
tail -c +1001 "$D/3k.bin" | head -c 1000 >>"$D/bad.part"
post f3 "$U/up/dir/one.bin" Fragment "$S1" -H "Content-Range: bytes 500-1999/3000" -H "Content-Type:" --data-binary @"$D/bad.part"
check "an overlapping fragment: 200, only the new part is written" sh -c "[ '$(code f3)' = 200 ] && [ '$(hdr f3 BITS-Received-Content-Range)' = 2000 ]"
check "nothing is stored before the last fragment" py 'assert not stat("up/dir/one.bin")["exists"]'
check "/__sessions shows the session's progress and Content-Name" py "
s = [x for x in S if x['id'] == '$S1'][0]
assert s['received'] == 2000 and s['total'] == 3000 and s['content_name'] == '3k.bin' and not s['complete'], s"
printf 'X%.0s' $(seq 1 500) >"$D/bad.part"
post f4 "$U/up/dir/one.bin" Fragment "$S1" -H "Content-Range: bytes 500-999/3000" -H "Content-Type:" --data-binary @"$D/bad.part"
check "a fragment entirely below the received offset (other bytes) changes nothing" sh -c "[ '$(code f4)' = 200 ] && [ '$(hdr f4 BITS-Received-Content-Range)' = 2000 ]"
head -c 1000 "$D/3k.bin" >"$D/k.part"
post f5 "$U/up/dir/one.bin" Fragment "$S1" -H "Content-Range: bytes 2000-2999/4000" -H "Content-Type:" --data-binary @"$D/k.part"
check "a different total: 400" ack_ok f5 400 0x80070057 0x5
post f6 "$U/up/dir/one.bin" Fragment "$S1" -H "Content-Range: bytes 2000-2999/3000" -H "Content-Type:" --data-binary @"$D/bad.part"
check "Content-Length not matching Content-Range: 400" ack_ok f6 400 0x80070057 0x5
post f7 "$U/up/dir/one.bin" Fragment "$S1" -H "Content-Range: 2000-2999" -H "Content-Type:" --data-binary @"$D/k.part"
check "a malformed Content-Range: 400" ack_ok f7 400 0x80070057 0x5
frag f8 "$U/up/dir/one.bin" "$S1" "$D/3k.bin" 2000 2999
t_f8() { ack_ok f8 200 && [ "$(hdr f8 BITS-Received-Content-Range)" = 3000 ] && ! has f8 BITS-Reply-URL; }
check "the last fragment: 200, received = total, no reply URL in mode 0" t_f8
check "the upload is stored byte-identical at <vdir>/<name>" cmp -s "$D/3k.bin" "$BITS_UPLOAD_DIR/up/dir/one.bin"
check "/__stat reports size and sha256" py "
s = stat('up/dir/one.bin')
assert s == {'exists': True, 'size': 3000, 'sha256': fsha('$D/3k.bin')}, s"
frag f9 "$U/up/dir/one.bin" "$S1" "$D/3k.bin" 2000 2999
check "the last fragment re-sent after the commit: the same Ack" sh -c "[ '$(code f9)' = 200 ] && [ '$(hdr f9 BITS-Received-Content-Range)' = 3000 ]"
check "GET serves the stored upload, with Range" py "
st, h, b = get(U + '/up/dir/one.bin')
d = open('$D/3k.bin', 'rb').read()
assert st == 200 and b == d, st
st, h, b = get(U + '/up/dir/one.bin', {'Range': 'bytes=100-199'})
assert st == 206 and b == d[100:200] and h['content-range'] == 'bytes 100-199/3000', h"
post cl1 "$U/up/dir/one.bin" Close-Session "$S1"
check "Close-Session: 200 Ack with BITS-Session-Id" sh -c "[ '$(code cl1)' = 200 ] && [ '$(hdr cl1 BITS-Session-Id)' = '$S1' ] && [ '$(hdr cl1 BITS-Packet-Type)' = Ack ]"
check "Close-Session keeps the stored upload and ends the session" py "
assert stat('up/dir/one.bin')['exists'] and not [x for x in S if x['id'] == '$S1']
assert not os.path.exists(os.path.join(E['BITS_UPLOAD_DIR'], '.sessions', '$S1'.strip('{}').lower()))"
post cl2 "$U/up/dir/one.bin" Close-Session "$S1"
check "Close-Session of a closed session: 500 BG_E_SESSION_NOT_FOUND" ack_ok cl2 500 0x8020001F 0x5
frag f10 "$U/up/dir/one.bin" "$S1" "$D/3k.bin" 0 999
check "Fragment of a closed session: BG_E_SESSION_NOT_FOUND" ack_ok f10 500 0x8020001F 0x5
frag f11 "$U/up/x.bin" "{00000000-0000-0000-0000-000000000000}" "$D/3k.bin" 0 999
check "Fragment of an unknown session: BG_E_SESSION_NOT_FOUND" ack_ok f11 500 0x8020001F 0x5
frag f12 "$U/up/x.bin?notfound-status=400" "{00000000-0000-0000-0000-000000000000}" "$D/3k.bin" 0 999
check "notfound-status=400 changes the status" ack_ok f12 400 0x8020001F 0x5

create s2 "$U/up/partial.bin"
frag s2f "$U/up/partial.bin" "$SID" "$D/3k.bin" 0 999
post s2c "$U/up/partial.bin" Close-Session "$SID"
check "Close-Session before the end discards the partial upload" py "assert not stat('up/partial.bin')['exists']"
create s3 "$U/up/cancelled.bin"
S3=$SID
frag s3f "$U/up/cancelled.bin" "$S3" "$D/3k.bin" 0 999
post s3c "$U/up/cancelled.bin" Cancel-Session "$S3"
check "Cancel-Session: 200 Ack, the partial upload is discarded" sh -c "[ '$(code s3c)' = 200 ] && [ '$(hdr s3c BITS-Session-Id)' = '$S3' ] && [ ! -e '$BITS_UPLOAD_DIR/up/cancelled.bin' ]"
post s3d "$U/up/cancelled.bin" Cancel-Session "$S3"
check "Cancel-Session of an unknown session: BG_E_SESSION_NOT_FOUND" ack_ok s3d 500 0x8020001F 0x5

: >"$D/empty.bin"
create s4 "$U/up/empty.bin"
post s4f "$U/up/empty.bin" Fragment "$SID" -H "Content-Range: bytes */0" -H "Content-Type:" --data-binary ''
check "a zero-byte upload (Content-Range bytes */0) is stored" sh -c "[ '$(code s4f)' = 200 ] && [ '$(hdr s4f BITS-Received-Content-Range)' = 0 ] && [ -f '$BITS_UPLOAD_DIR/up/empty.bin' ] && [ ! -s '$BITS_UPLOAD_DIR/up/empty.bin' ]"

check "a 2 MiB upload in 64 KiB fragments arrives byte-identical" upload "$U/up/2m.bin" "$D/2m.bin" 65536
check "... and is stored" cmp -s "$D/2m.bin" "$BITS_UPLOAD_DIR/up/2m.bin"
check "the log records packet, session, Content-Range, Content-Name and the answer" py "
f = [l for l in L if l.get('packet') == 'Fragment' and l['session'] == '$SID']
assert len(f) == 32, len(f)
assert f[0]['content_range'] == 'bytes 0-65535/2097152' and f[0]['content_name'] == '2m.bin' and f[0]['status'] == 200
assert f[-1]['received_range'] == '2097152' and f[-1]['body_read'] == 65536 and f[0]['method'] == 'BITS_POST'
c = [l for l in L if l.get('event') == 'committed' and l['session'] == '$SID']
assert len(c) == 1 and c[0]['path'].endswith('/up/2m.bin'), c"

# Overwrites and the maximum size.
mkfile other.bin 3000
upload "$U/up/dir/one.bin" "$D/other.bin"
check "/up/: an upload replaces the existing file (BITSAllowOverwrites=1)" cmp -s "$D/other.bin" "$BITS_UPLOAD_DIR/up/dir/one.bin"
check "/noover/: the first upload is stored" upload "$U/noover/n.bin" "$D/3k.bin"
create no2 "$U/noover/n.bin"
check "/noover/: Create-Session for an existing file answers 409 (0x800700B7)" ack_ok no2 409 0x800700B7 0x5
create no3 "$U/noover/m.bin"
NS=$SID
frag no3f "$U/noover/m.bin" "$NS" "$D/3k.bin" 0 2999
cp "$D/3k.bin" "$D/m.bin"
create no4 "$U/noover/m.bin"
check "/noover/: a new name is accepted" sh -c "[ '$(code no3)' = 200 ] && [ '$(code no3f)' = 200 ]"
check "/noover/: ... then the existing file gives 409" ack_ok no4 409 0x800700B7 0x5
check "/__delete removes a stored upload" sh -c "curl -sf '$U/__delete/noover/n.bin' >/dev/null && [ ! -e '$BITS_UPLOAD_DIR/noover/n.bin' ] && [ \"\$(curl -s -o /dev/null -w '%{http_code}' '$U/__delete/noover/n.bin')\" = 404 ]"
create no5 "$U/noover/n.bin"
check "/noover/: after the delete the name is free again" ack_ok no5 200
mkfile 1m1.bin 1048577
mkfile 1m.bin 1048576
create sm1 "$U/small/big.bin"
frag sm1f "$U/small/big.bin" "$SID" "$D/1m1.bin" 0 65535
check "/small/: a total above BITSMaximumUploadSize gives 413 BG_E_TOO_LARGE" ack_ok sm1f 413 0x80200020 0x5
check "/small/: a total of exactly the maximum is accepted" upload "$U/small/ok.bin" "$D/1m.bin" 524288
check "/small/: ... and stored" cmp -s "$D/1m.bin" "$BITS_UPLOAD_DIR/small/ok.bin"

# Session timeout.
create ex1 "$U/expire/e.bin"
EX=$SID
frag ex1f "$U/expire/e.bin" "$EX" "$D/3k.bin" 0 999
create ex2 "$U/up/keep.bin?session-timeout=2"
EX2=$SID
create ex3 "$U/up/keep.bin"
KEEP=$SID
gone() { n=0; while [ $n -lt 60 ]; do curl -s "$U/__sessions" | grep -q "$1" || return 0; sleep 0.5; n=$((n + 1)); done; return 1; }
check "/expire/: a session without packets is deleted after BITSSessionTimeout" gone "$EX"
check "session-timeout=S on Create-Session sets it elsewhere" gone "$EX2"
frag ex4 "$U/expire/e.bin" "$EX" "$D/3k.bin" 1000 2999
check "a packet for the expired session: BG_E_SESSION_NOT_FOUND" ack_ok ex4 500 0x8020001F 0x5
check "the log has the expired events, the temp files are gone, other sessions stay" py "
ex = [l['session'] for l in L if l.get('event') == 'expired']
assert '$EX' in ex and '$EX2' in ex and '$KEEP' not in ex, ex
assert [x for x in S if x['id'] == '$KEEP']
assert not os.path.exists(os.path.join(E['BITS_UPLOAD_DIR'], '.sessions', '$EX'.strip('{}').lower()))"

# Server application, mode 1 (by reference).
upload "$U/app1/r.bin" "$D/3k.bin"
R1=$(hdr up_f BITS-Reply-URL)
check "mode 1: the last Ack carries BITS-Reply-URL" sh -c "[ '$(code up_f)' = 200 ] && echo '$R1' | grep -q '^http://127.0.0.1:$BITS_UPLOAD_PORT/__reply/'"
check "mode 1: the application got BITS-Original-Request-URL and both data file names" py "
a = [l for l in L if l.get('server') == 'app']
h = a[-1]['headers']
assert a[-1]['method'] == 'POST' and a[-1]['target'] == '/__app' and a[-1]['body_read'] == 0, a[-1]
assert h['BITS-Original-Request-URL'] == U + '/app1/r.bin', h
assert h['BITS-Request-DataFile-Name'].endswith('/data') and h['BITS-Response-DataFile-Name'].endswith('/reply'), h
n = [l for l in L if l.get('event') == 'notified' and l['session'] == '$SID']
assert len(n) == 1 and n[0]['mode'] == 1 and n[0]['status'] == 200, n"
check "mode 1: the reply is the application's reply file, served with Range" py "
import hashlib
want = b'bits-upload-reply size=3000 sha256=%s\n' % fsha('$D/3k.bin').encode()
st, h, b = get('$R1')
assert st == 200 and b == want and h['accept-ranges'] == 'bytes', (st, b)
st, h, b = get('$R1', {'Range': 'bytes=5-9'})
assert st == 206 and b == want[5:10] and h['content-range'] == 'bytes 5-9/%d' % len(want), h
st, h, b = get('$R1', {'Range': 'bytes=1000-'})
assert st == 416, st"
check "mode 1: the upload is not stored at the destination (no copy)" py "assert not stat('app1/r.bin')['exists']"
post app1c "$U/app1/r.bin" Close-Session "$SID"
check "Close-Session deletes the reply (GET 404)" py "assert get('$R1')[0] == 404"

upload "$U/app1/empty.bin?reply=empty" "$D/3k.bin"
R=$(hdr up_f BITS-Reply-URL)
check "reply=empty: a reply URL with an empty reply" py "
st, h, b = get('$R')
assert st == 200 and b == b'' and h['content-length'] == '0', (st, h)"
upload "$U/app1/copy.bin?copy=1&reply=echo" "$D/3k.bin"
R=$(hdr up_f BITS-Reply-URL)
check "copy=1: BITS-Copy-File-To-Destination stores the upload" cmp -s "$D/3k.bin" "$BITS_UPLOAD_DIR/app1/copy.bin"
check "reply=echo in mode 1: the reply is the upload" py "assert get('$R')[2] == open('$D/3k.bin', 'rb').read()"
post cc "$U/app1/copy.bin?copy=1&reply=echo" Cancel-Session "$SID"
check "Cancel-Session after the upload: the file stays, the reply is gone" py "
assert stat('app1/copy.bin')['exists'] and get('$R')[0] == 404"

# Mode 2 (by value).
upload "$U/app2/v.bin?reply=echo" "$D/64k.bin" 16384
R=$(hdr up_f BITS-Reply-URL)
check "mode 2: the application gets the upload as body; reply=echo returns it" py "
a = [l for l in L if l.get('server') == 'app'][-1]
assert a['body_read'] == 65536 and 'BITS-Request-DataFile-Name' not in a['headers'], a
assert a['headers']['BITS-Original-Request-URL'] == U + '/app2/v.bin?reply=echo'
assert a['target'] == '/__app?reply=echo', a['target']
assert get('$R')[2] == open('$D/64k.bin', 'rb').read()
assert not stat('app2/v.bin')['exists']"
upload "$U/app2/info.bin" "$D/3k.bin"
R=$(hdr up_f BITS-Reply-URL)
check "mode 2: the default reply describes the upload" py "
assert get('$R')[2] == b'bits-upload-reply size=3000 sha256=%s\n' % fsha('$D/3k.bin').encode()"
upload "$U/app2/big.bin?reply-size=1100000" "$D/3k.bin"
R=$(hdr up_f BITS-Reply-URL)
check "reply-size=N: an N-byte reply, byte i = i % 251" py "
b = get('$R')[2]
assert len(b) == 1100000 and b == bytes(i % 251 for i in range(1100000))"
upload "$U/app2/cut.bin?reply-size=300000&reply-drop=100000" "$D/3k.bin"
R=$(hdr up_f BITS-Reply-URL)
check "reply-drop=N: the first reply GET announces it all and ends after N bytes; then it is whole; Range works" py "
import http.client, urllib.parse
u = urllib.parse.urlsplit('$R')
c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
c.request('GET', u.path)
r = c.getresponse()
assert r.status == 200 and r.getheader('Content-Length') == '300000', r.status
try:
    got = r.read()
    assert False, 'read %d bytes without an error' % len(got)
except http.client.IncompleteRead as e:
    assert len(e.partial) == 100000, len(e.partial)
want = bytes(i % 251 for i in range(300000))
assert get('$R')[2] == want
s, h, b = get('$R', {'Range': 'bytes=100000-'})
assert s == 206 and h['content-range'] == 'bytes 100000-299999/300000' and b == want[100000:], (s, h)
L = [json.loads(l) for l in get(U + '/__log')[2].decode().splitlines()]
assert [e['fault'] for e in L if e.get('target') == u.path].count('reply-drop') == 1"
upload "$U/app2/s.bin?reply=static" "$D/3k.bin"
R=$(hdr up_f BITS-Reply-URL)
check "reply=static: BITS-Reply-URL is the static URL, which serves the static reply" py "
assert '$R' == U + '/__static/reply.txt', '$R'
assert get('$R')[2] == b'bits-uploadserver static reply\n'"
upload "$U/app1/s2.bin?reply=static&static-url=http://127.0.0.1:9/elsewhere.bin" "$D/3k.bin"
check "static-url=U: BITS-Reply-URL is U" test "$(hdr up_f BITS-Reply-URL)" = "http://127.0.0.1:9/elsewhere.bin"

create ap1 "$U/app1/fail.bin?app-status=403&id=a1"
AP=$SID
frag ap1f "$U/app1/fail.bin?app-status=403&id=a1" "$AP" "$D/3k.bin" 0 2999
t_ap1() { ack_ok ap1f 403 0x80190193 0x7 && [ "$(hdr ap1f BITS-Received-Content-Range)" = 3000 ] && ! has ap1f BITS-Reply-URL; }
check "application error: its status with BG_E_HTTP_ERROR_nnn, context 0x7 (REMOTE_APPLICATION)" t_ap1
frag ap2f "$U/app1/fail.bin?app-status=403&id=a1" "$AP" "$D/3k.bin" 2000 2999
check "the session keeps the bytes; the final fragment again re-notifies the application" sh -c "[ '$(code ap2f)' = 200 ] && [ -n '$(hdr ap2f BITS-Reply-URL)' ]"
check "... two notifications logged (403 then 200)" py "
n = [l['status'] for l in L if l.get('event') == 'notified' and l['session'] == '$AP']
assert n == [403, 200], n"
create ap3 "$U/app2/slow.bin?app-delay=3&app-timeout=1"
frag ap3f "$U/app2/slow.bin?app-delay=3&app-timeout=1" "$SID" "$D/3k.bin" 0 2999
check "an application that does not answer in time: 500 0x80072EE2, context 0x7" ack_ok ap3f 500 0x80072EE2 0x7

# Faults.
reset
create d1 "$U/up/drop.bin?drop=65536&id=d1"
DS=$SID
frag d1f "$U/up/drop.bin?drop=65536&id=d1" "$DS" "$D/2m.bin" 0 1048575
check "drop=N: the connection closes mid-fragment without an answer" test "$(code d1f)" = 000
check "... after N body bytes; the partial bytes are not counted" py "
f = [l for l in L if l.get('packet') == 'Fragment' and l['session'] == '$DS']
assert len(f) == 1 and f[0]['status'] is None and f[0]['fault'] == 'drop' and f[0]['body_read'] == 65536, f
assert [x for x in S if x['id'] == '$DS'][0]['received'] == 0"
frag d2f "$U/up/drop.bin?drop=65536&id=d1" "$DS" "$D/2m.bin" 0 1048575
frag d3f "$U/up/drop.bin?drop=65536&id=d1" "$DS" "$D/2m.bin" 1048576 2097151
check "drop: only once by default; the upload completes byte-identical" sh -c "[ '$(code d2f)' = 200 ] && [ '$(code d3f)' = 200 ] && cmp -s '$D/2m.bin' '$BITS_UPLOAD_DIR/up/drop.bin'"
Q="drop=1000&drop-times=2&drop-from=1048576&id=d2"
create d4 "$U/up/drop2.bin?$Q"
DS=$SID
frag d4a "$U/up/drop2.bin?$Q" "$DS" "$D/2m.bin" 0 1048575
frag d4b "$U/up/drop2.bin?$Q" "$DS" "$D/2m.bin" 1048576 2097151
frag d4c "$U/up/drop2.bin?$Q" "$DS" "$D/2m.bin" 1048576 2097151
frag d4d "$U/up/drop2.bin?$Q" "$DS" "$D/2m.bin" 1048576 2097151
check "drop-from and drop-times: fragments from the offset, K times" sh -c "[ '$(code d4a)$(code d4b)$(code d4c)$(code d4d)' = 200000000200 ] && cmp -s '$D/2m.bin' '$BITS_UPLOAD_DIR/up/drop2.bin'"
Q="drop=1000&drop-keep=1&id=d3"
create d5 "$U/up/keep.bin?$Q"
DS=$SID
frag d5a "$U/up/keep.bin?$Q" "$DS" "$D/64k.bin" 0 65535
check "drop-keep=1: the partial bytes count" py "assert [x for x in S if x['id'] == '$DS'][0]['received'] == 1000"
frag d5b "$U/up/keep.bin?$Q" "$DS" "$D/64k.bin" 0 65535
check "drop-keep=1: the next fragment overlaps and completes" sh -c "[ '$(code d5b)' = 200 ] && [ '$(hdr d5b BITS-Received-Content-Range)' = 65536 ] && cmp -s '$D/64k.bin' '$BITS_UPLOAD_DIR/up/keep.bin'"
Q="drop=99999999&id=d4"
create d6 "$U/up/lost.bin?$Q"
DS=$SID
frag d6a "$U/up/lost.bin?$Q" "$DS" "$D/64k.bin" 0 65535
check "drop=N >= the fragment: stored and committed, but the Ack is lost" sh -c "[ '$(code d6a)' = 000 ] && cmp -s '$D/64k.bin' '$BITS_UPLOAD_DIR/up/lost.bin'"
frag d6b "$U/up/lost.bin?$Q" "$DS" "$D/64k.bin" 0 65535
check "... the re-sent fragment gets the final Ack" sh -c "[ '$(code d6b)' = 200 ] && [ '$(hdr d6b BITS-Received-Content-Range)' = 65536 ]"

Q="e416=2&id=e1"
create e1 "$U/up/e416.bin?$Q"
ES=$SID
frag e1a "$U/up/e416.bin?$Q" "$ES" "$D/3k.bin" 0 999
frag e1b "$U/up/e416.bin?$Q" "$ES" "$D/3k.bin" 0 999
frag e1c "$U/up/e416.bin?$Q" "$ES" "$D/3k.bin" 0 999
t_e416() { ack_ok e1a 416 0x801901A0 0x5 && [ "$(hdr e1a BITS-Received-Content-Range)" = 0 ] && [ "$(code e1b)" = 416 ] && [ "$(code e1c)" = 200 ] && [ "$(hdr e1c BITS-Received-Content-Range)" = 1000 ]; }
check "e416=K: K fragments answer 416 with the true offset, then normal" t_e416
Q="e416=1&e416-from=1000&id=e2"
create e2 "$U/up/e416b.bin?$Q"
ES=$SID
frag e2a "$U/up/e416b.bin?$Q" "$ES" "$D/3k.bin" 0 999
frag e2b "$U/up/e416b.bin?$Q" "$ES" "$D/3k.bin" 1000 1999
check "e416-from: only fragments at or after the offset" sh -c "[ '$(code e2a)' = 200 ] && [ '$(code e2b)' = 416 ] && [ '$(hdr e2b BITS-Received-Content-Range)' = 1000 ]"

Q="fail=503&id=f1"
create fa1 "$U/up/fail.bin?$Q"
FS=$SID
frag fa1a "$U/up/fail.bin?$Q" "$FS" "$D/3k.bin" 0 999
frag fa1b "$U/up/fail.bin?$Q" "$FS" "$D/3k.bin" 0 999
t_fail() { ack_ok fa1a 503 0x801901F7 0x5 && [ "$(hdr fa1a BITS-Session-Id)" = "$FS" ] && [ "$(code fa1b)" = 200 ] && [ "$(hdr fa1b BITS-Received-Content-Range)" = 1000 ]; }
check "fail=503: 503 with BG_E_HTTP_ERROR_503 once, nothing stored, then normal" t_fail
Q="fail=500&fail-packet=Close-Session&fail-times=2&fail-error=none&id=f2"
create fa2 "$U/up/fail2.bin?$Q"
FS=$SID
post fa2a "$U/up/fail2.bin?$Q" Close-Session "$FS"
post fa2b "$U/up/fail2.bin?$Q" Close-Session "$FS"
post fa2c "$U/up/fail2.bin?$Q" Close-Session "$FS"
t_fail2() { ack_ok fa2a 500 && ack_ok fa2b 500 && [ "$(code fa2c)" = 200 ]; }
check "fail-packet, fail-times, fail-error=none: 5xx without BITS-Error-* headers" t_fail2
Q="fail=500&fail-packet=Create-Session&fail-error=8020001F&fail-context=7&id=f3"
create fa3 "$U/up/fail3.bin?$Q"
check "fail-error and fail-context set the error headers" ack_ok fa3 500 0x8020001F 0x7
Q="fail=502&fail-packet=any&fail-times=3&id=f4"
post fa4a "$U/up/fail4.bin?$Q" Ping ""
create fa4b "$U/up/fail4.bin?$Q"
check "fail-packet=any: every packet type" sh -c "[ '$(code fa4a)' = 502 ] && [ '$(code fa4b)' = 502 ]"

Q="forget=Fragment&forget-from=1000&id=g1"
create g1 "$U/up/forget.bin?$Q"
GS=$SID
frag g1a "$U/up/forget.bin?$Q" "$GS" "$D/3k.bin" 0 999
frag g1b "$U/up/forget.bin?$Q" "$GS" "$D/3k.bin" 1000 2999
t_forget() { [ "$(code g1a)" = 200 ] && ack_ok g1b 500 0x8020001F 0x5; }
check "forget=Fragment (from an offset): the server forgets the session" t_forget
post g1c "$U/up/forget.bin?$Q" Close-Session "$GS"
check "... and it stays forgotten" ack_ok g1c 500 0x8020001F 0x5
Q="forget=Close-Session&id=g2"
create g2 "$U/up/forget2.bin?$Q"
post g2a "$U/up/forget2.bin?$Q" Close-Session "$SID"
check "forget=Close-Session: Close gets BG_E_SESSION_NOT_FOUND" ack_ok g2a 500 0x8020001F 0x5

Q="hangup=Create-Session&id=h1"
create h1 "$U/up/hang.bin?$Q"
create h2 "$U/up/hang.bin?$Q"
check "hangup=Create-Session: no answer once, then normal" sh -c "[ '$(code h1)' = 000 ] && [ '$(code h2)' = 200 ]"
check "... the hung-up request created no session and is logged without status" py "
h = [l for l in L if l.get('fault') == 'hangup']
assert len(h) == 1 and h[0]['status'] is None and h[0]['packet'] == 'Create-Session', h
assert len([x for x in S if x['name'] == 'hang.bin']) == 1"
Q="hangup=Fragment&hangup-times=2&id=h3"
create h3 "$U/up/hang3.bin?$Q"
frag h3a "$U/up/hang3.bin?$Q" "$SID" "$D/3k.bin" 0 2999
frag h3b "$U/up/hang3.bin?$Q" "$SID" "$D/3k.bin" 0 2999
frag h3c "$U/up/hang3.bin?$Q" "$SID" "$D/3k.bin" 0 2999
check "hangup=Fragment&hangup-times=2: two fragments unanswered and not stored" sh -c "[ '$(code h3a)$(code h3b)$(code h3c)' = 000000200 ]"

Q="delay=1&delay-packet=Ping&id=y1"
post y1 "$U/up/delay.bin?$Q" Ping ""
post y2 "$U/up/delay.bin?$Q" Ping ""
check "delay=S: the packet is answered after the delay (logged as the fault)" py "
d = [l for l in L if l.get('target', '').startswith('/up/delay.bin')]
assert [(l['fault'], l['status']) for l in d] == [('delay', 200), (None, 200)], d"

create ho1 "$U/up/host.bin?hostid=alt&fallback=60"
HS=$SID
check "hostid=alt: BITS-Host-Id names the second port, with the fallback timeout" sh -c "[ '$(hdr ho1 BITS-Host-Id)' = '127.0.0.1:$BITS_UPLOAD_ALT_PORT' ] && [ '$(hdr ho1 BITS-Host-Id-Fallback-Timeout)' = 60 ]"
frag ho2 "$A/up/host.bin?hostid=alt&fallback=60" "$HS" "$D/3k.bin" 0 2999
check "the second port shares the sessions" sh -c "[ '$(code ho2)' = 200 ] && cmp -s '$D/3k.bin' '$BITS_UPLOAD_DIR/up/host.bin'"
check "the log tells the ports apart" py "
f = [l for l in L if l.get('packet') == 'Fragment' and l['session'] == '$HS']
assert f[0]['server'] == 'upload-alt' and f[0]['port'] == int(E['BITS_UPLOAD_ALT_PORT']), f"
create ho3 "$U/up/host.bin?hostid=dead"
DEAD=$(hdr ho3 BITS-Host-Id)
check "hostid=dead: a host that refuses connections, no fallback header" sh -c "! grep -qi '^BITS-Host-Id-Fallback' '$D/ho3.h' && [ -n '$DEAD' ] && ! curl -s -o /dev/null --max-time 5 'http://$DEAD/'"
create ho4 "$U/up/host.bin?hostid=server7.invalid"
check "hostid=<value>: sent as given" test "$(hdr ho4 BITS-Host-Id)" = server7.invalid

check "/__reset empties the log and the sessions" py "
import urllib.request
get(U + '/__reset')
assert get(U + '/__log')[2] == b'' and json.loads(get(U + '/__sessions')[2]) == []"
check "the upload server survives garbage" py "
import socket, random
for n in (1, 100, 5000):
    s = socket.create_connection(('127.0.0.1', int(E['BITS_UPLOAD_PORT'])), timeout=2)
    s.sendall(bytes(random.randrange(256) for _ in range(n)) + b'\r\n\r\n')
    try: s.recv(100)
    except OSError: pass
    s.close()
assert get(U + '/__sessions')[0] == 200"

rm -rf "$D"
summary

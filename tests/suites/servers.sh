# tests/suites/servers.sh: the test servers that tests/run.sh starts (tests/servers/) behave as
# the transfer tests expect: nginx over http and https (self-signed, wrong name, client
# certificate), every fault endpoint of faultserver.py, the proxies, the request logs, and
# start.sh/stop.sh on a second run directory. Checked from Linux with python3 (no Wine).
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
T_SUITE=servers
. "$TOP/tests/lib.sh"
D=$(mktemp -d)
PY=${PYTHON3:-$(command -v /usr/bin/python3 || command -v python3)}

# py <code>: runs Python with tests/servers/httpcheck.py's fetch() and these names:
# F, H, S (fault server, nginx http, nginx https base URLs), P, AP (proxy, auth proxy
# "127.0.0.1:port"), E (the environment), data(name) (a served file's bytes), sha(bytes).
# A failing assert makes the check fail (the traceback goes to the suite's log).
py() {
    PYTHONDONTWRITEBYTECODE=1 "$PY" -c "
import base64, hashlib, json, os, ssl, sys, time, urllib.request, urllib.error
sys.path.insert(0, os.path.join(os.environ['TOP'], 'tests', 'servers'))
from httpcheck import fetch, raw
E = os.environ
F = 'http://127.0.0.1:%s' % E['BITS_FAULT_PORT']
H = 'http://127.0.0.1:%s' % E['BITS_HTTP_PORT']
S = 'https://127.0.0.1:%s' % E['BITS_HTTPS_PORT']
P = '127.0.0.1:%s' % E['BITS_PROXY_PORT']
AP = '127.0.0.1:%s' % E['BITS_AUTHPROXY_PORT']
PEM = os.path.join(E['BITS_SERVERS_DIR'], 'tls', 'server.pem')
def data(n):
    with open(os.path.join(E['BITS_DATA_DIR'], n), 'rb') as f: return f.read()
def sha(b): return hashlib.sha256(b).hexdigest()
LM = 'Thu, 02 Jan 2020 03:04:05 GMT'
$1"
}

# The environment the harness exports.
for v in BITS_HTTP_PORT BITS_HTTPS_PORT BITS_HTTPS_BADNAME_PORT BITS_HTTPS_CLIENTCERT_PORT \
         BITS_FAULT_PORT BITS_PROXY_PORT BITS_AUTHPROXY_PORT BITS_DIGESTPROXY_PORT BITS_DATA_DIR BITS_SERVERS_DIR \
         BITS_REQUEST_LOG BITS_NGINX_LOG BITS_SERVER_CERT BITS_CA_CERT BITS_CLIENT_PFX; do
    eval "val=\${$v:-}"
    check "$v is exported" test -n "$val"
done
check "the data files and their sums" sh -c "cd '$BITS_DATA_DIR' && sha256sum -c --quiet SHA256SUMS && test -f 16m.bin && test ! -s empty.bin"
check "data files have the fixed mtime" py 'assert int(os.stat(os.path.join(E["BITS_DATA_DIR"], "4k.bin")).st_mtime) == 1577934245'

# nginx
check "nginx HEAD: size, ranges, ETag, Last-Modified" py '
r = fetch(H + "/1m.bin", "HEAD")
assert r.status == 200 and r.headers["content-length"] == "1048576", r
assert r.headers["accept-ranges"] == "bytes" and r.headers.get("etag") and r.headers["last-modified"] == LM, r.headers'
check "nginx ranged GET: 206 with the right bytes" py '
r = fetch(H + "/16m.bin", headers={"Range": "bytes=1000000-1000099"})
assert r.status == 206 and r.headers["content-range"] == "bytes 1000000-1000099/16777216", r.headers
assert r.body == data("16m.bin")[1000000:1000100]'
check "nginx serves a name with spaces" py 'assert fetch(H + "/sub%20dir/file%20name.bin").body == data("sub dir/file name.bin")'
check "nginx https: the self-signed certificate verifies for IP 127.0.0.1" py '
r = fetch(S + "/4k.bin", verify=True, cafile=PEM)
assert r.status == 200 and r.body == data("4k.bin"), r'
check "nginx https: unknown CA without it" py '
r = fetch(S + "/4k.bin", verify=True)
assert r.status is None and "CERTIFICATE_VERIFY_FAILED" in r.error, r'
check "nginx https: wrong-name certificate fails the name check" py '
r = fetch("https://127.0.0.1:%s/4k.bin" % E["BITS_HTTPS_BADNAME_PORT"], verify=True, cafile=PEM)
assert r.status is None and "CERTIFICATE_VERIFY_FAILED" in r.error, r
r = fetch("https://127.0.0.1:%s/4k.bin" % E["BITS_HTTPS_BADNAME_PORT"])
assert r.status == 200, r'
check "nginx https: client certificate required" py '
U = "https://127.0.0.1:%s/4k.bin" % E["BITS_HTTPS_CLIENTCERT_PORT"]
T = os.path.join(E["BITS_SERVERS_DIR"], "tls")
assert fetch(U).status == 400
r = fetch(U, cert=(os.path.join(T, "client.pem"), os.path.join(T, "client.key")))
assert r.status == 200 and r.body == data("4k.bin"), r'
check "nginx https -> http redirect" py '
r = fetch(S + "/to-http/4k.bin")
assert r.status == 302 and r.headers["location"] == H + "/4k.bin", r.headers'
check "nginx access log records Range and User-Agent" py '
fetch(H + "/4k.bin", headers={"Range": "bytes=7-8", "User-Agent": "Microsoft BITS/7.8"})
time.sleep(0.1)
lines = [json.loads(l) for l in open(E["BITS_NGINX_LOG"])]
assert any(l["range"] == "bytes=7-8" and l["user_agent"] == "Microsoft BITS/7.8" and l["status"] == 206 for l in lines)'

# The fault server: plain files.
check "fault HEAD: size, ranges, ETag, Last-Modified" py '
r = fetch(F + "/files/4k.bin", "HEAD")
assert r.status == 200 and r.headers["content-length"] == "4096" and r.body == b"", r
assert r.headers["accept-ranges"] == "bytes" and r.headers.get("etag") and r.headers["last-modified"] == LM, r.headers'
check "fault ranged GET: 206 with the right bytes" py '
r = fetch(F + "/files/1m.bin", headers={"Range": "bytes=65536-"})
assert r.status == 206 and r.headers["content-range"] == "bytes 65536-1048575/1048576", r.headers
assert r.body == data("1m.bin")[65536:] and r.headers["content-length"] == str(1048576 - 65536)
r = fetch(F + "/files/4k.bin", headers={"Range": "bytes=-10"})
assert r.status == 206 and r.body == data("4k.bin")[-10:] and r.headers["content-range"] == "bytes 4086-4095/4096"'
check "fault unsatisfiable range: 416" py '
r = fetch(F + "/files/4k.bin", headers={"Range": "bytes=4096-"})
assert r.status == 416 and r.headers["content-range"] == "bytes */4096", r'
check "fault If-Range mismatch: whole file" py '
r = fetch(F + "/files/4k.bin", headers={"Range": "bytes=0-9", "If-Range": "\"nope\""})
assert r.status == 200 and len(r.body) == 4096, r'
check "fault full GET of 16 MiB matches SHA256SUMS" py '
r = fetch(F + "/files/16m.bin", timeout=60)
sums = dict(reversed(l.split("  ", 1)) for l in open(os.path.join(E["BITS_DATA_DIR"], "SHA256SUMS")).read().splitlines())
assert r.status == 200 and r.complete and sha(r.body) == sums["16m.bin"]'
check "fault: empty file" py '
r = fetch(F + "/files/empty.bin")
assert r.status == 200 and r.headers["content-length"] == "0" and r.body == b"" and r.complete'
check "fault: missing file and path escapes give 404" py '
assert fetch(F + "/files/nonexistent.bin").status == 404
assert fetch(F + "/files/%2e%2e/%2e%2e/servers.env").status == 404'

# Fault endpoints.
check "status endpoints 404 403 500 503 408" py '
for c in (404, 403, 500, 503, 408):
    r = fetch(F + "/status/%d/file.bin" % c)
    assert r.status == c and r.body == b"bits-faultserver: status %d\n" % c, r'
check "status 401 carries a Basic challenge, 503 a Retry-After" py '
assert fetch(F + "/status/401").headers["www-authenticate"].startswith("Basic ")
assert fetch(F + "/status/503?retry-after=7").headers["retry-after"] == "7"'
check "flaky: k failures, then the file" py '
u = F + "/flaky/2/4k.bin?id=%s" % time.time()
assert [fetch(u).status for _ in range(3)] == [503, 503, 200]'
check "drop: full Content-Length, N bytes, then closed" py '
r = fetch(F + "/drop/1m.bin?after=10000")
assert r.status == 200 and r.headers["content-length"] == "1048576" and not r.complete, r
assert r.body == data("1m.bin")[:10000]'
check "drop rst=1: the connection is reset" py '
r = fetch(F + "/drop/1m.bin?after=100000&rst=1")
assert r.status == 200 and not r.complete and "ConnectionReset" in r.error and len(r.body) <= 100000, r'
check "drop honours Range (resume makes progress)" py '
r = fetch(F + "/drop/1m.bin?after=1000", headers={"Range": "bytes=5000-"})
assert r.status == 206 and not r.complete and r.body == data("1m.bin")[5000:6000], r'
check "drop times=1: only the first GET is cut" py '
u = F + "/drop/4k.bin?after=100&times=1&id=%s" % time.time()
assert fetch(u, "HEAD").status == 200
a, b = fetch(u), fetch(u)
assert not a.complete and len(a.body) == 100 and b.complete and b.body == data("4k.bin"), (a, b)'
check "hangup: no response at all" py '
r = fetch(F + "/hangup/4k.bin")
assert r.status is None and r.error, r'
check "stall: N bytes, then silence" py '
t = time.time()
r = fetch(F + "/stall/4k.bin?after=10&secs=1")
assert not r.complete and len(r.body) == 10 and 0.8 <= time.time() - t < 5, r'
check "nolength: no Content-Length, body ends at close" py '
h = fetch(F + "/nolength/1m.bin", "HEAD")
assert h.status == 200 and "content-length" not in h.headers, h.headers
r = fetch(F + "/nolength/1m.bin", headers={"Range": "bytes=0-9"})
assert r.status == 200 and "content-length" not in r.headers and "accept-ranges" not in r.headers
assert r.body == data("1m.bin")'
check "chunked: Transfer-Encoding chunked, no length" py '
r = fetch(F + "/chunked/1m.bin")
assert r.status == 200 and r.headers.get("transfer-encoding") == "chunked" and "content-length" not in r.headers
assert r.body == data("1m.bin") and r.complete'
check "norange: Range ignored, 200, no Accept-Ranges" py '
r = fetch(F + "/norange/4k.bin", headers={"Range": "bytes=10-19"})
assert r.status == 200 and r.body == data("4k.bin") and "accept-ranges" not in r.headers, r.headers'
check "slow: trickles at the rate" py '
t = time.time()
r = fetch(F + "/slow/4k.bin?rate=16384", headers={"Range": "bytes=96-"})
dt = time.time() - t
assert r.status == 206 and r.body == data("4k.bin")[96:] and 0.2 <= dt < 3, (r, dt)'
check "changing: new Last-Modified and content after N requests" py '
u = F + "/changing/4k.bin?after=1&id=%s" % time.time()
a = fetch(u, "HEAD")
b = fetch(u)
assert a.headers["last-modified"] == LM and b.headers["last-modified"] != LM, (a.headers, b.headers)
assert a.headers["etag"] != b.headers["etag"] and b.body == bytes(x ^ 1 for x in data("4k.bin"))
c = fetch(u, headers={"Range": "bytes=0-9", "If-Range": a.headers["etag"]})
assert c.status == 200 and len(c.body) == 4096'
check "changing every=1 grow: the size changes" py '
u = F + "/changing/4k.bin?every=1&grow=100&id=%s" % time.time()
assert [fetch(u, "HEAD").headers["content-length"] for _ in range(3)] == ["4096", "4196", "4296"]'
check "redirect chain: n 302s, then /files" py '
u, seen = F + "/redirect/3/4k.bin", []
for _ in range(10):
    r = fetch(u)
    seen.append(r.status)
    if r.status != 302: break
    u = r.headers["location"]
assert seen == [302, 302, 302, 200] and u == F + "/files/4k.bin" and r.body == data("4k.bin"), (seen, u)'
check "redirect-to: a 307 to nginx https" py '
r = fetch(F + "/redirect-to?code=307&url=" + S + "/4k.bin")
assert r.status == 307 and r.headers["location"] == S + "/4k.bin"'

# Authentication.
check "basic: challenge without credentials" py '
r = fetch(F + "/auth/basic/4k.bin")
assert r.status == 401 and r.headers["www-authenticate"] == "Basic realm=\"bits-test\"", r.headers'
check "basic: bits/secret accepted" py '
r = fetch(F + "/auth/basic/4k.bin", headers={"Authorization": "Basic " + base64.b64encode(b"bits:secret").decode()})
assert r.status == 200 and r.body == data("4k.bin")'
check "basic: wrong password rejected" py '
r = fetch(F + "/auth/basic/4k.bin", headers={"Authorization": "Basic " + base64.b64encode(b"bits:wrong").decode()})
assert r.status == 401'
check "basic: composes with other endpoints" py '
r = fetch(F + "/auth/basic/drop/4k.bin?after=10", headers={"Authorization": "Basic " + base64.b64encode(b"bits:secret").decode()})
assert r.status == 200 and len(r.body) == 10 and not r.complete'
check "digest: challenge is MD5 qop=auth" py '
c = fetch(F + "/auth/digest/4k.bin").headers["www-authenticate"]
assert c.startswith("Digest ") and "qop=\"auth\"" in c and "algorithm=MD5" in c and "nonce=" in c, c'
check "digest: urllib with bits/secret gets the file" py '
m = urllib.request.HTTPPasswordMgrWithDefaultRealm()
m.add_password(None, F, "bits", "secret")
o = urllib.request.build_opener(urllib.request.HTTPDigestAuthHandler(m))
assert o.open(F + "/auth/digest/4k.bin?x=1", timeout=10).read() == data("4k.bin")'
check "digest: wrong password rejected" py '
m = urllib.request.HTTPPasswordMgrWithDefaultRealm()
m.add_password(None, F, "bits", "wrong")
o = urllib.request.build_opener(urllib.request.HTTPDigestAuthHandler(m))
try:
    o.open(F + "/auth/digest/4k.bin", timeout=10); assert False
except urllib.error.HTTPError as e:
    assert e.code == 401'
check "digest: a forged nonce is rejected, a correct response accepted" py '
import re
md5 = lambda s: hashlib.md5(s.encode()).hexdigest()
def auth(nonce, uri="/auth/digest/4k.bin", pw="secret"):
    ha1, ha2 = md5("bits:bits-test:" + pw), md5("GET:" + uri)
    resp = md5("%s:%s:00000001:abcdef:auth:%s" % (ha1, nonce, ha2))
    return {"Authorization": "Digest username=\"bits\", realm=\"bits-test\", nonce=\"%s\", uri=\"%s\", qop=auth, nc=00000001, cnonce=\"abcdef\", response=\"%s\"" % (nonce, uri, resp)}
nonce = re.search("nonce=\"([^\"]+)\"", fetch(F + "/auth/digest/4k.bin").headers["www-authenticate"]).group(1)
assert fetch(F + "/auth/digest/4k.bin", headers=auth(nonce)).status == 200
assert fetch(F + "/auth/digest/4k.bin", headers=auth("0-" + "0" * 32)).status == 401
assert fetch(F + "/auth/digest/4k.bin", headers=auth(nonce, uri="/auth/digest/1m.bin")).status == 401'
check "digest: nc must grow per nonce (a replay gets a 401); nonce-uses=1 makes it stale" py '
import re
md5 = lambda s: hashlib.md5(s.encode()).hexdigest()
def auth(nonce, nc, uri):
    ha1, ha2 = md5("bits:bits-test:secret"), md5("GET:" + uri)
    resp = md5("%s:%s:%08x:abcdef:auth:%s" % (ha1, nonce, nc, ha2))
    return {"Authorization": "Digest username=\"bits\", realm=\"bits-test\", nonce=\"%s\", uri=\"%s\", qop=auth, nc=%08x, cnonce=\"abcdef\", response=\"%s\"" % (nonce, uri, nc, resp)}
u = "/auth/digest/4k.bin?id=nc%d" % time.time_ns()
nonce = re.search("nonce=\"([^\"]+)\"", fetch(F + u).headers["www-authenticate"]).group(1)
assert fetch(F + u, headers=auth(nonce, 1, u)).status == 200
r = fetch(F + u, headers=auth(nonce, 1, u))
assert r.status == 401 and "stale" not in r.headers["www-authenticate"], r.headers
assert fetch(F + u, headers=auth(nonce, 3, u)).status == 200
u += "&nonce-uses=1"
nonce = re.search("nonce=\"([^\"]+)\"", fetch(F + u).headers["www-authenticate"]).group(1)
assert fetch(F + u, headers=auth(nonce, 1, u)).status == 200
r = fetch(F + u, headers=auth(nonce, 2, u))
assert r.status == 401 and "stale=true" in r.headers["www-authenticate"], r.headers
log = [json.loads(l) for l in fetch(F + "/__log").body.decode().splitlines()]
assert [l["digest_nc"] for l in log if l["target"] == u] == [None, "00000001", "00000002"], log'

# Proxies.
check "proxy forwards absolute-URI GET to nginx" py '
r = fetch(H + "/4k.bin", proxy=P, headers={"Range": "bytes=0-99"})
assert r.status == 206 and r.body == data("4k.bin")[:100] and "bits-test-proxy" in r.headers.get("via", ""), r'
check "proxy passes a dropped body on as a drop" py '
r = fetch(F + "/drop/1m.bin?after=5000", proxy=P)
assert r.status == 200 and not r.complete and len(r.body) == 5000, r'
check "proxy tunnels https (CONNECT)" py '
r = fetch(S + "/4k.bin", proxy=P, verify=True, cafile=PEM)
assert r.status == 200 and r.body == data("4k.bin"), r'
check "proxy refuses hosts other than 127.0.0.1" py '
assert fetch("http://192.0.2.1/x", proxy=P).status == 403'
check "auth proxy: 407 with a Basic challenge" py '
r = fetch(H + "/4k.bin", proxy=AP)
assert r.status == 407 and r.headers["proxy-authenticate"].startswith("Basic "), r'
check "auth proxy: bits/secret accepted" py '
r = fetch(H + "/4k.bin", proxy=AP, headers={"Proxy-Authorization": "Basic " + base64.b64encode(b"bits:secret").decode()})
assert r.status == 200 and r.body == data("4k.bin")'
check "digest proxy: 407 with a Digest challenge; an answer for the absolute target accepted" py '
import re
DP = "127.0.0.1:%s" % E["BITS_DIGESTPROXY_PORT"]
md5 = lambda s: hashlib.md5(s.encode()).hexdigest()
r = fetch(H + "/4k.bin", proxy=DP)
c = r.headers["proxy-authenticate"]
assert r.status == 407 and c.startswith("Digest ") and "realm=\"bits-proxy\"" in c, r
nonce = re.search("nonce=\"([^\"]+)\"", c).group(1)
def auth(pw, nc):
    uri = H + "/4k.bin"
    resp = md5("%s:%s:%08x:abc:auth:%s" % (md5("bits:bits-proxy:" + pw), nonce, nc, md5("GET:" + uri)))
    return {"Proxy-Authorization": "Digest username=\"bits\", realm=\"bits-proxy\", nonce=\"%s\", uri=\"%s\", qop=auth, nc=%08x, cnonce=\"abc\", response=\"%s\"" % (nonce, uri, nc, resp)}
assert fetch(H + "/4k.bin", proxy=DP, headers=auth("wrong", 1)).status == 407
r = fetch(H + "/4k.bin", proxy=DP, headers=auth("secret", 2))
assert r.status == 200 and r.body == data("4k.bin"), r'

# Request log.
check "request log records method, Range, User-Agent, X- headers, proxy use" py '
assert fetch(F + "/__reset").status == 200
fetch(F + "/files/4k.bin", headers={"Range": "bytes=1-2", "User-Agent": "Microsoft BITS/7.8", "X-Bits-Test": "42"})
fetch(F + "/files/4k.bin", proxy=P, headers={"Authorization": "Basic eDp5"})
log = [json.loads(l) for l in fetch(F + "/__log").body.decode().splitlines()]
assert len(log) == 3, log
a = log[0]
assert a["server"] == "fault" and a["method"] == "GET" and a["target"] == "/files/4k.bin" and a["status"] == 206
assert a["range"] == "bytes=1-2" and a["user_agent"] == "Microsoft BITS/7.8" and a["headers"] == {"X-Bits-Test": "42"}
# The proxied request: logged by the origin when it answers, then by the proxy.
assert [(l["server"], l["authorization"]) for l in log[1:]] == [("fault", "Basic"), ("proxy", "Basic")], log
assert open(E["BITS_REQUEST_LOG"]).read().count("\n") == 3'
check "the fault server survives garbage" py '
import random
for n in (1, 100, 5000):
    raw(int(E["BITS_FAULT_PORT"]), bytes(random.randrange(256) for _ in range(n)) + b"\r\n\r\n", timeout=1)
raw(int(E["BITS_FAULT_PORT"]), b"GET /files/%00 HTTP/1.1\r\n\r\n", timeout=1)
assert fetch(F + "/files/4k.bin").status == 200'

# mkdata.sh makes files lazily.
"$TOP/tests/servers/mkdata.sh" "$D/data" big.bin 3M >"$D/mkdata.out" 2>&1
check "mkdata.sh makes a file and its sum" sh -c "test \$(wc -c <'$D/data/big.bin') -eq 3145728 && cd '$D/data' && sha256sum -c --quiet SHA256SUMS"
cp "$D/data/big.bin" "$D/big1"
"$TOP/tests/servers/mkdata.sh" "$D/data2" big.bin 3145728 >"$D/mkdata.out" 2>&1
check "mkdata.sh is deterministic" cmp -s "$D/big1" "$D/data2/big.bin"

# A second server set in another run directory starts, answers, and stop.sh ends exactly it.
"$TOP/tests/servers/start.sh" "$D/run2" >"$D/start2.out" 2>&1
check "start.sh on a second run directory" test $? -eq 0
pids2=$(cat "$D/run2/pids/"* 2>/dev/null)
check "it uses other ports" sh -c "! grep -q 'BITS_FAULT_PORT=$BITS_FAULT_PORT\$' '$D/run2/servers.env'"
"$TOP/tests/servers/stop.sh" "$D/run2"
alive=0
for p in $pids2; do
    kill -0 "$p" 2>/dev/null && ! grep -q '^[^)]*) Z' "/proc/$p/stat" 2>/dev/null && alive=1
done
check "stop.sh ends its servers" test "$alive" -eq 0
check "and leaves the harness's servers running" py 'assert fetch(F + "/files/4k.bin").status == 200 and fetch(H + "/4k.bin").status == 200'

rm -rf "$D"
summary

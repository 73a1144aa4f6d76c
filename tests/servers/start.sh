#!/bin/sh
# tests/servers/start.sh <rundir>: starts the test servers of `make check` on free loopback ports
# (127.0.0.1 only) and writes <rundir>/servers.env. Stop them with tests/servers/stop.sh <rundir>.
#
#   nginx (nginx-light, config from nginx.conf.in): http, https (self-signed certificate for
#   IP 127.0.0.1), https with a certificate for the wrong name, https requiring a client
#   certificate; the fault server and three proxies (faultserver.py); the BITS upload server
#   (uploadserver.py, two ports sharing one state); the hostile server (hostile.py, raw sockets).
#
# <rundir> gets: data/ (the served files and SHA256SUMS), tls/ (certificates), nginx.conf,
# nginx-access.log (JSON lines), nginx-error.log, requests.log (the fault server's and the
# proxies' JSON lines), uploads/ (the upload server's store, emptied at each start), upload.log
# (its JSON lines), *.out (server stdout/stderr), pids/ (what stop.sh stops), servers.env.
# Servers run in the background with their output in files, never pipes. Exit status 0 when all
# answer; otherwise 1 after stopping whatever was started.
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
[ $# -eq 1 ] || { echo "usage: $0 <rundir>" >&2; exit 2; }
HERE=$(cd "$(dirname "$0")" && pwd)
# Debian's python3 (Python 3.11) unless PYTHON3 says otherwise: a wrapper such as pyenv's shim
# can cost a second per start.
PY=${PYTHON3:-$(command -v /usr/bin/python3 || command -v python3)}
export PYTHON3="$PY"
NGINX=${NGINX:-nginx}
command -v "$NGINX" >/dev/null 2>&1 || NGINX=/usr/sbin/nginx
mkdir -p "$1" || exit 1
RUN=$(cd "$1" && pwd)
DATA="$RUN/data"
TLS="$RUN/tls"

"$HERE/stop.sh" "$RUN" >/dev/null 2>&1
rm -f "$RUN/servers.env" "$RUN/faultports.env" "$RUN/uploadports.env" "$RUN/hostileports.env"
rm -rf "$RUN/uploads"
mkdir -p "$DATA" "$TLS" "$RUN/pids" "$RUN/nginx-tmp" || exit 1

fail() {
    echo "start.sh: $*"
    for f in "$RUN"/*.out "$RUN/nginx-error.log" "$RUN/openssl.log"; do
        [ -s "$f" ] && { echo "--- $f"; tail -n 20 "$f"; }
    done
    "$HERE/stop.sh" "$RUN"
    exit 1
}

# The data files (in the background, while the certificates are made).
(
    "$HERE/mkdata.sh" "$DATA" empty.bin 0 &&
    "$HERE/mkdata.sh" "$DATA" 4k.bin 4K &&
    "$HERE/mkdata.sh" "$DATA" 1m.bin 1M &&
    "$HERE/mkdata.sh" "$DATA" 16m.bin 16M &&
    "$HERE/mkdata.sh" "$DATA" "sub dir/file name.bin" 4K
) >"$RUN/mkdata.out" 2>&1 </dev/null &
datapid=$!

# The fault server and the proxies pick their own ports and write them to faultports.env.
"$PY" "$HERE/faultserver.py" --data "$DATA" --log "$RUN/requests.log" \
    --ports-file "$RUN/faultports.env" >"$RUN/faultserver.out" 2>&1 </dev/null &
echo $! >"$RUN/pids/faultserver"

# The upload server (BITS 1.5 upload protocol) also picks its ports: uploadports.env.
"$PY" "$HERE/uploadserver.py" --root "$RUN/uploads" --log "$RUN/upload.log" \
    --ports-file "$RUN/uploadports.env" >"$RUN/uploadserver.out" 2>&1 </dev/null &
echo $! >"$RUN/pids/uploadserver"

# The hostile server (raw sockets: lying 206s, cut bodies, silence) writes the true bytes of its
# files into hostile/ and its port to hostileports.env.
"$PY" "$HERE/hostile.py" --dir "$RUN/hostile" --ports-file "$RUN/hostileports.env" \
    >"$RUN/hostile.out" 2>&1 </dev/null &
echo $! >"$RUN/pids/hostile"

# Certificates: a self-signed server certificate for IP 127.0.0.1, one with the same key for
# the name wrong.invalid, and a CA that issues a client certificate (client.pfx, no password).
# With BITS_TLS_CACHE=<dir> (run.sh sets it) they are made once and copied from there later.
if [ -n "${BITS_TLS_CACHE:-}" ] && [ -s "$BITS_TLS_CACHE/client.pfx" ] && [ ! -s "$TLS/client.pfx" ]; then
    cp "$BITS_TLS_CACHE"/* "$TLS/" 2>/dev/null
fi
if [ ! -s "$TLS/client.pfx" ]; then
    (
        set -e
        cd "$TLS"
        # The three RSA keys in parallel (the slow part).
        for k in server ca client; do
            openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out $k.key &
        done
        wait
        for k in server ca client; do [ -s $k.key ]; done
        # Wine 8 fails the TLS client authentication (SEC_E_INTERNAL_ERROR) with a client key one
        # of whose private numbers is a byte shorter than usual (a private exponent with a leading
        # zero byte: about one key in 200, seen as a rare failure of the client certificate
        # tests). The client key is made again until every number has its full length.
        n=0
        while ! "${PYTHON3:-python3}" - client.key <<'PY'
import subprocess, sys
text = subprocess.run(["openssl", "rsa", "-in", sys.argv[1], "-noout", "-text"], capture_output=True,
                      text=True, check=True).stdout.splitlines()
fields, name = {}, None
for line in text:
    if line and not line[0].isspace():
        name = line.split(":")[0]
        fields[name] = ""
    elif name:
        fields[name] += line.strip().replace(":", "")
size = lambda f: len(bytes.fromhex(fields[f]).lstrip(b"\0"))
full = size("modulus")
sys.exit(0 if size("privateExponent") == full and all(
    size(f) == full // 2 for f in ("prime1", "prime2", "exponent1", "exponent2", "coefficient")) else 1)
PY
        do
            n=$((n + 1)); [ $n -lt 50 ]
            openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out client.key
        done
        openssl req -x509 -new -key server.key -days 3650 -out server.pem \
            -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1
        openssl x509 -in server.pem -outform DER -out server.der
        openssl req -x509 -new -key server.key -days 3650 -out badname.pem \
            -subj /CN=wrong.invalid -addext subjectAltName=DNS:wrong.invalid
        openssl req -x509 -new -key ca.key -days 3650 -out ca.pem \
            -subj "/CN=wine-bits test CA" -addext basicConstraints=critical,CA:TRUE \
            -addext keyUsage=critical,keyCertSign,cRLSign
        openssl req -new -key client.key -out client.csr -subj /CN=bits-client
        printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n' >client.ext
        openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 3650 \
            -extfile client.ext -out client.pem
        openssl pkcs12 -export -in client.pem -inkey client.key -name bits-client -passout pass: -out client.pfx
    ) >"$RUN/openssl.log" 2>&1 </dev/null || fail "openssl failed"
    if [ -n "${BITS_TLS_CACHE:-}" ]; then
        rm -rf "$BITS_TLS_CACHE.tmp$$" && mkdir -p "$BITS_TLS_CACHE.tmp$$" &&
        cp "$TLS"/* "$BITS_TLS_CACHE.tmp$$/" && rm -rf "$BITS_TLS_CACHE" &&
        mv "$BITS_TLS_CACHE.tmp$$" "$BITS_TLS_CACHE"
    fi
fi

# nginx on four free ports; a port taken between picking and binding gives a new attempt.
user_line="# (not root: no user directive)"
[ "$(id -u)" -eq 0 ] && user_line="user root root;"
tries=0
while :; do
    tries=$((tries + 1))
    set -- $("$PY" -c '
import socket
ss = [socket.socket() for _ in range(4)]
for s in ss: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in ss))')
    HTTP_PORT=$1 HTTPS_PORT=$2 BADNAME_PORT=$3 CLIENTCERT_PORT=$4
    sed -e "s|@PORT@|$HTTP_PORT|g" -e "s|@TLSPORT@|$HTTPS_PORT|g" \
        -e "s|@BADNAMEPORT@|$BADNAME_PORT|g" -e "s|@CLIENTCERTPORT@|$CLIENTCERT_PORT|g" \
        -e "s|@DATA@|$DATA|g" -e "s|@RUN@|$RUN|g" -e "s|@USER@|$user_line|g" \
        "$HERE/nginx.conf.in" >"$RUN/nginx.conf"
    "$NGINX" -p "$RUN/" -c "$RUN/nginx.conf" -e "$RUN/nginx-error.log" >"$RUN/nginx.out" 2>&1 </dev/null &
    echo $! >"$RUN/pids/nginx"
    "$PY" "$HERE/httpcheck.py" wait --timeout 5 --pid "$(cat "$RUN/pids/nginx")" \
        "http://127.0.0.1:$HTTP_PORT/__ping" "https://127.0.0.1:$HTTPS_PORT/__ping" \
        "https://127.0.0.1:$BADNAME_PORT/__ping" "https://127.0.0.1:$CLIENTCERT_PORT/__ping" \
        >>"$RUN/probe.out" 2>&1 && break
    "$HERE/stop.sh" "$RUN" nginx >/dev/null 2>&1
    [ $tries -lt 3 ] || fail "nginx did not start"
done


"$PY" "$HERE/httpcheck.py" waitfile --timeout 10 --pid "$(cat "$RUN/pids/faultserver")" \
    "$RUN/faultports.env" >>"$RUN/probe.out" 2>&1 || fail "the fault server did not start"
. "$RUN/faultports.env"
"$PY" "$HERE/httpcheck.py" waitfile --timeout 10 --pid "$(cat "$RUN/pids/uploadserver")" \
    "$RUN/uploadports.env" >>"$RUN/probe.out" 2>&1 || fail "the upload server did not start"
. "$RUN/uploadports.env"
"$PY" "$HERE/httpcheck.py" waitfile --timeout 10 --pid "$(cat "$RUN/pids/hostile")" \
    "$RUN/hostileports.env" >>"$RUN/probe.out" 2>&1 || fail "the hostile server did not start"
. "$RUN/hostileports.env"
wait $datapid || fail "making the data files failed"
"$PY" "$HERE/httpcheck.py" wait --timeout 5 --pid "$(cat "$RUN/pids/faultserver")" \
    "http://127.0.0.1:$HTTP_PORT/4k.bin" "http://127.0.0.1:$BITS_FAULT_PORT/files/4k.bin" \
    "http://127.0.0.1:$BITS_PROXY_PORT/__log" "http://127.0.0.1:$BITS_AUTHPROXY_PORT/__log" \
    "http://127.0.0.1:$BITS_DIGESTPROXY_PORT/__log" \
    "http://127.0.0.1:$BITS_FAULT_PORT/__reset" \
    "http://127.0.0.1:$BITS_UPLOAD_PORT/__log" "http://127.0.0.1:$BITS_UPLOAD_ALT_PORT/__log" \
    "http://127.0.0.1:$BITS_HOSTILE_PORT/__ping" \
    >>"$RUN/probe.out" 2>&1 || fail "a server does not answer"

cat >"$RUN/servers.env.tmp" <<ENV
BITS_HTTP_PORT=$HTTP_PORT
BITS_HTTPS_PORT=$HTTPS_PORT
BITS_HTTPS_BADNAME_PORT=$BADNAME_PORT
BITS_HTTPS_CLIENTCERT_PORT=$CLIENTCERT_PORT
BITS_FAULT_PORT=$BITS_FAULT_PORT
BITS_PROXY_PORT=$BITS_PROXY_PORT
BITS_AUTHPROXY_PORT=$BITS_AUTHPROXY_PORT
BITS_DIGESTPROXY_PORT=$BITS_DIGESTPROXY_PORT
BITS_TEST_USER=bits
BITS_TEST_PASSWORD=secret
BITS_DATA_DIR=$DATA
BITS_SERVERS_DIR=$RUN
BITS_REQUEST_LOG=$RUN/requests.log
BITS_NGINX_LOG=$RUN/nginx-access.log
BITS_SERVER_CERT=$TLS/server.der
BITS_CA_CERT=$TLS/ca.pem
BITS_CLIENT_PFX=$TLS/client.pfx
BITS_UPLOAD_PORT=$BITS_UPLOAD_PORT
BITS_UPLOAD_ALT_PORT=$BITS_UPLOAD_ALT_PORT
BITS_UPLOAD_DIR=$RUN/uploads
BITS_UPLOAD_LOG=$RUN/upload.log
BITS_HOSTILE_PORT=$BITS_HOSTILE_PORT
BITS_HOSTILE_DIR=$RUN/hostile
ENV
mv "$RUN/servers.env.tmp" "$RUN/servers.env"
cat "$RUN/servers.env"

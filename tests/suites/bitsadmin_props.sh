# tests/suites/bitsadmin_props.sh: every /get* and /set* switch of bitsadmin: set,
# then read back with /rawreturn (the bare value, no banner, no newline); the confirmations;
# credentials, proxy settings, custom headers (and write-only), security flags, client
# certificates, the helper token, the HTTP method, the notification command line; bad input
# (bad numbers and keywords: usage, non-zero exit; values the service refuses: the HRESULT and
# its text, non-zero exit); the reply switches on a download job (the wrong job type).
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
T_SUITE=bitsadmin_props
. "$TOP/tests/lib.sh"
if [ "$BITS_MODE" != ours ]; then summary; exit 0; fi
. "$TOP/tests/bitsadmin-lib.sh"
H="http://127.0.0.1:$BITS_HTTP_PORT"

ba /create p
expect "the job for the properties" ok

# ---- defaults, read-only getters ----
ba /rawreturn /gettype p;              expect "type" raw_is DOWNLOAD
ba /rawreturn /getstate p;             expect "state" raw_is SUSPENDED
ba /rawreturn /geterrorcount p;        expect "error count" raw_is 0
ba /rawreturn /getnotifyinterface p;   expect "no callback" raw_is UNREGISTERED
ba /rawreturn /gethelpertokensid p;    expect "no helper token" raw_is NULL
ba /rawreturn /getclientcertificate p; expect "no client certificate" raw_is NULL
ba /rawreturn /getownerintegritylevel p; expect "owner integrity level" sh -c "grep -qxE 'UNTRUSTED|LOW|MEDIUM|HIGH|SYSTEM' '$BA/raw'"
ba /rawreturn /getownerelevationstate p; expect "owner elevation state" sh -c "grep -qxE 'TRUE|FALSE' '$BA/raw'"
ba /getowner p
expect "the owner as DOMAIN\\user" has '^[^ ]*\\[^ ]*$'
ba /getcreationtime p
expect "creation time: a local time" has '^[0-9]*/[0-9]*/20[0-9][0-9] [0-9]*:[0-9][0-9]:[0-9][0-9] [AP]M$'
ba /rawreturn /getmodificationtime p
expect "modification time" grep -q ' [AP]M$' "$BA/raw"
ba /geterror p
expect "/geterror without an error: BG_E_ERROR_INFORMATION_UNAVAILABLE and its text" reports 0x8020000f 'not in an error state'
expect "/geterror without an error: non-zero exit" failed
ba /getstate
expect "a getter without its job: usage" has_line 'Usage: bitsadmin /getstate <job>'
expect "a getter without its job: non-zero exit" failed

# ---- set, then get ----
ba /setpriority p high
expect "/setpriority (any case)" has_line 'Priority set to HIGH.'
ba /rawreturn /getpriority p;          expect "priority round trip" raw_is HIGH
ba /setpriority p URGENT
expect "/setpriority URGENT: usage" has_line 'Invalid priority: URGENT'
expect "/setpriority URGENT: non-zero exit" failed
ba /rawreturn /setminretrydelay p 77
expect "/rawreturn setter: no confirmation" raw_is ''
expect "/rawreturn setter: exit 0" ok
ba /rawreturn /getminretrydelay p;     expect "retry delay round trip" raw_is 77
ba /setminretrydelay p abc
expect "a bad number: usage" has_line 'Invalid number: abc'
expect "a bad number: the syntax" has_line 'Usage: bitsadmin /setminretrydelay <job> <seconds>'
expect "a bad number: non-zero exit" failed
ba /setnoprogresstimeout p 4294967296
expect "a number over 32 bits is refused" has_line 'Invalid number: 4294967296'
ba /setnoprogresstimeout p 0x10
expect "/setnoprogresstimeout in hex" has_line 'No progress timeout set to 16.'
ba /rawreturn /getnoprogresstimeout p; expect "no-progress timeout round trip" raw_is 16
ba /setmaxdownloadtime p 3600
expect "/setmaxdownloadtime" has_line 'Maximum download time set to 3600.'
ba /rawreturn /getmaxdownloadtime p;   expect "maximum download time round trip" raw_is 3600
ba /setnotifyflags p 7
ba /rawreturn /getnotifyflags p;       expect "notify flags round trip" raw_is 7
ba /setnotifyflags p 0x40
expect "notify flags the service refuses: the HRESULT and its text" reports 0x80004001 '.'
expect "notify flags the service refuses: non-zero exit" failed
ba /setdescription p "a description with spaces"
expect "/setdescription" has_line 'Description set to a description with spaces.'
ba /rawreturn /getdescription p;       expect "description round trip" raw_is 'a description with spaces'
ba /setdisplayname p p2
ba /rawreturn /getdisplayname p2;      expect "display name round trip" raw_is p2
ba /getdisplayname p
expect "the old name is gone" failed
ba /setsecurityflags p2 0x0011
expect "/setsecurityflags" ok
ba /rawreturn /getsecurityflags p2;    expect "security flags round trip" raw_is 17
ba /setsecurityflags p2 0x12345
expect "security flags the service refuses" sh -c "grep -q '^Unable to set security flags - 0x' '$BA/out'"
expect "security flags the service refuses: non-zero exit" failed
ba /setaclflags p2 ogd
expect "/setaclflags" has_line 'ACL flags set to ogd.'
ba /rawreturn /getaclflags p2;         expect "ACL flags round trip" raw_is OGD
ba /sethttpmethod p2 PUT
expect "/sethttpmethod" has_line 'HTTP method set to PUT.'
ba /rawreturn /gethttpmethod p2;       expect "HTTP method round trip" raw_is PUT
ba /setpeercachingflags p2 1
ba /rawreturn /getpeercachingflags p2; expect "peer caching flags round trip" raw_is 1
ba /sethelpertokenflags p2 1
expect "/sethelpertokenflags" has_line 'Helper token flags set to 1.'
ba /rawreturn /gethelpertokenflags p2; expect "helper token flags round trip" raw_is 1
ba /sethelpertokenflags p2 4
expect "helper token flags the service refuses: E_INVALIDARG and its text" reports 0x80070057 '.'
ba /sethelpertoken p2
expect "/sethelpertoken (the current user)" has_line 'Helper token set.'
ba /rawreturn /gethelpertokensid p2
expect "the helper token's SID" grep -q '^S-1-5-' "$BA/raw"

# ---- proxy ----
ba /setproxysettings p2 override 'proxy1:8080,proxy2:80' '<local>'
expect "/setproxysettings OVERRIDE" has_line 'Proxy usage set to OVERRIDE.'
ba /rawreturn /getproxyusage p2;       expect "proxy usage round trip" raw_is OVERRIDE
ba /rawreturn /getproxylist p2;        expect "the comma list becomes the API's space list" raw_is 'proxy1:8080 proxy2:80'
ba /rawreturn /getproxybypasslist p2;  expect "bypass list round trip" raw_is '<local>'
ba /setproxysettings p2 NO_PROXY someproxy
expect "lists only with OVERRIDE" has_line 'Proxy lists are only allowed with OVERRIDE.'
expect "lists only with OVERRIDE: non-zero exit" failed
ba /setproxysettings p2 BOGUS
expect "a bad proxy usage: usage" has_line 'Invalid proxy usage: BOGUS'
ba /setproxysettings p2 AUTODETECT NULL ""
expect "AUTODETECT with NULL and \"\"" ok
ba /rawreturn /getproxylist p2;        expect "the list is cleared" raw_is NULL

# ---- credentials ----
ba /setcredentials p2 SERVER BASIC user secret
expect "/setcredentials" has_line 'Credentials set for SERVER BASIC.'
ba /setcredentials p2 PROXY BOGUS user secret
expect "a bad scheme: usage" has_line 'Invalid scheme: BOGUS'
ba /setcredentials p2 NOWHERE BASIC user secret
expect "a bad target: usage" has_line 'Invalid target: NOWHERE'
ba /removecredentials p2 server basic
expect "/removecredentials" has_line 'Credentials removed for SERVER BASIC.'
ba /removecredentials p2 SERVER BASIC
expect "/removecredentials again: nothing to remove (S_FALSE)" has_line 'No credentials were set for SERVER BASIC.'
expect "/removecredentials again: exit 0" ok

# ---- custom headers ----
ba /setcustomheaders p2 'X-One: 1' 'X-Two: 2'
expect "/setcustomheaders" has_line 'Custom headers set (2 header(s)).'
ba /getcustomheaders p2
expect "custom headers, one a line" sh -c "grep -qx 'X-One: 1' '$BA/out' && grep -qx 'X-Two: 2' '$BA/out'"
ba /setcustomheaders p2 NULL
expect "/setcustomheaders NULL clears them" has_line 'Custom headers cleared.'
ba /rawreturn /getcustomheaders p2;    expect "cleared" raw_is NULL
ba /setcustomheaders p2 'X-Secret: s'
ba /makecustomheaderswriteonly p2
expect "/makecustomheaderswriteonly" has_line 'Custom headers made write-only.'
ba /getcustomheaders p2
expect "write-only headers cannot be read: E_ACCESSDENIED and its text" reports 0x80070005 '.'
expect "write-only headers: said plainly" has_line 'The custom headers are write-only.'
expect "write-only headers: non-zero exit" failed

# ---- notification command line ----
ba /setnotifycmdline p2 'C:\windows\system32\cmd.exe' 'C:\windows\system32\cmd.exe /c exit'
expect "/setnotifycmdline" has_line 'Notification command line set.'
ba /rawreturn /getnotifycmdline p2
expect "command line round trip (quoted parameters)" raw_is 'C:\windows\system32\cmd.exe "C:\windows\system32\cmd.exe /c exit"'
ba /setnotifycmdline p2 NULL
expect "/setnotifycmdline NULL" has_line 'Notification command line cleared.'
ba /info p2 /verbose
expect "/info /verbose: no command line" has_line 'NOTIFICATION COMMAND LINE: none'

# ---- client certificates: a certificate in HKCU's MY store ----
python3 - "$BITS_SERVER_CERT" >"$PUB_UNIX/cert.reg" <<'PY'
import hashlib, struct, sys
der = open(sys.argv[1], 'rb').read()
blob = struct.pack('<III', 32, 1, len(der)) + der      # CERT_CERT_PROP_ID, serialized
print('Windows Registry Editor Version 5.00\r\n\r\n'
      '[HKEY_CURRENT_USER\\Software\\Microsoft\\SystemCertificates\\MY\\Certificates\\%s]\r\n'
      '"Blob"=hex:%s\r\n' % (hashlib.sha1(der).hexdigest().upper(), ','.join('%02x' % b for b in blob)))
PY
wine_run1 "$BA/reg.out" reg import "$PUB\\cert.reg"
HASH=$(python3 -c 'import hashlib, sys; print(hashlib.sha1(open(sys.argv[1], "rb").read()).hexdigest().upper())' "$BITS_SERVER_CERT")
ba /setclientcertificatebyid p2 CURRENT_USER MY "$HASH"
expect "/setclientcertificatebyid" has_line 'Client certificate set.'
ba /getclientcertificate p2
expect "/getclientcertificate: location" has_line 'STORE LOCATION: CURRENT_USER'
expect "/getclientcertificate: store" has_line 'STORE NAME: MY'
expect "/getclientcertificate: hash" has_line "HASH: $HASH"
ba /setclientcertificatebyname p2 BG_CERT_STORE_LOCATION_CURRENT_USER MY 127.0.0.1
expect "/setclientcertificatebyname" ok
ba /rawreturn /getclientcertificate p2
expect "by name: the bare values" raw_is 'CURRENT_USER MY NULL 127.0.0.1'
ba /setclientcertificatebyname p2 CURRENT_USER MY nobody.invalid
expect "an unknown subject: CRYPT_E_NOT_FOUND" reports 0x80092004 '.'
ba /setclientcertificatebyid p2 CURRENT_USER MY 0102
expect "a short hash: usage" has_line 'Invalid certificate hash: 0102'
ba /removeclientcertificate p2
expect "/removeclientcertificate" has_line 'Client certificate removed.'
ba /rawreturn /getclientcertificate p2; expect "no certificate" raw_is NULL

# ---- per-file values ----
ba /addfile p2 "$H/4k.bin" "$PUB\\f.bin"
ba /rawreturn /getvalidationstate p2 0; expect "validation state of a new file" raw_is FALSE
ba /setvalidationstate p2 0 maybe
expect "a bad validation state: usage" has_line 'Invalid argument: maybe'
ba /gettemporaryname p2 1
expect "a file index past the end" has_line 'Unable to find file 1: the job has fewer files.'
expect "a file index past the end: non-zero exit" failed
ba /gettemporaryname p2 x
expect "a bad file index: usage" has_line 'Invalid file index: x'

# ---- the reply switches on a download job: the wrong job type ----
for sw in getreplyfilename getreplyprogress getreplydata; do
    ba /$sw p2
    expect "/$sw on a download job: E_NOTIMPL and its text" reports 0x80004001 '.'
    expect "/$sw on a download job: the job type is named" has_line "/$sw works only on upload-reply jobs (bitsadmin /create /upload-reply <name>)."
    expect "/$sw on a download job: non-zero exit" failed
done
ba /setreplyfilename p2 "$PUB\\reply.bin"
expect "/setreplyfilename on a download job: the job type is named" has_line '/setreplyfilename works only on upload-reply jobs (bitsadmin /create /upload-reply <name>).'
expect "/setreplyfilename on a download job: non-zero exit" failed

ba /cancel p2
rm -rf "$BA" "$PUB_UNIX"
summary

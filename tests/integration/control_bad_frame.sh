#!/bin/bash
# A request frame svd cannot read gets an error reply (code 2, bad request)
# that says what is wrong with it. Every such frame got "the payload is not
# a JSON object": one nested deeper than cJSON reads, or not valid UTF-8,
# was told the same as a JSON array. Now each case has its own message, and
# svd keeps serving other clients.
. "$(dirname "$0")/lib.sh"

start_svd
python3 - "$SOCK" "$TOP_SRCDIR/tests/helpers" <<'PY' || fail "bad frames"
import struct, sys
sys.path.insert(0, sys.argv[2])
import json
from svdproto import connect, request

def raw(body):
    """svd's reply to one frame holding body (bytes)"""
    s = connect(sys.argv[1])
    s.sendall(struct.pack(">I", len(body)) + body)
    buf = b""
    while len(buf) < 4 or len(buf) < 4 + struct.unpack(">I", buf[:4])[0]:
        chunk = s.recv(65536)
        if not chunk:
            sys.exit("%r: svd closed the connection without a reply" % body[:40])
        buf += chunk
    s.close()
    return json.loads(buf[4:4 + struct.unpack(">I", buf[:4])[0]])

deep = b'{"v": 1, "op": "status", "x": ' + b"[" * 1000 + b"]" * 1000 + b"}"
cases = [
    (b'{"v": 1, "op": "status", "x": "\xc3\x28"}', "bad frame: the payload is not valid UTF-8 at byte 31"),
    (b'{"v": 1, "op": "st\xffatus"}', "bad frame: the payload is not valid UTF-8 at byte 18"),
    (deep, "bad frame: the payload is not valid JSON: nested deeper than 1000"),
    (b'[{"v": 1, "op": "status"}]', "bad frame: the payload is a JSON array, not an object"),
    (b"42", "bad frame: the payload is a JSON number, not an object"),
    (b'"status"', "bad frame: the payload is a JSON string, not an object"),
    (b"null", "bad frame: the payload is JSON null, not an object"),
    (b'{"v": 1, "op": "status",}', "bad frame: the payload is not valid JSON at byte 24"),
    (b'{"v": 1, "op": "status"} {}', "bad frame: the payload is not valid JSON: data after the object at byte 25"),
    (b'{"v": 1, "op": "sta\x00tus"}', "bad frame: the payload is not valid JSON: a NUL byte at byte 19"),
]
for body, want in cases:
    rep = raw(body)
    if rep.get("ok") is not False or rep.get("code") != 2 or rep.get("error") != want:
        sys.exit("%r: %s, expected %r" % (body[:40], rep, want))
# nested exactly as deep as cJSON reads: not a frame error (the request is read)
ok = b'{"v": 1, "op": "status", "x": ' + b"[" * 999 + b"]" * 999 + b"}"
rep = raw(ok)
if rep.get("ok") is not True:
    sys.exit("999 levels deep: %s" % rep)
assert request(sys.argv[1], {"v": 1, "op": "version"}).get("ok") is True
PY
kill -0 "$SVD_PID" || fail "svd is gone"
stop_svd || fail "svd exit status"

"""fakestatus: a stand-in for svd's control socket that answers status
requests with replies a test wrote, to show svctl what a real svd rarely
sends (services without a cgroup, a restart between two refreshes, odd
names, a refusal).

usage: fakestatus.py SOCKET REPLIES.json
REPLIES.json holds a list; the Nth connection gets its Nth member (the last
one from then on), framed as svd frames it (u32 big-endian length + JSON).
A member that is the string "hangup" closes the connection without a reply
(svd gone in the middle of a request); one that is "busy" answers as svd
answers a client over its limit: its "busy" refusal at once, before the
request is read, then the close. Exits 60 s after the last connection."""
import json
import os
import socket
import struct
import sys


def read_frame(c):
    buf = b""
    while len(buf) < 4 or len(buf) < 4 + struct.unpack(">I", buf[:4])[0]:
        chunk = c.recv(65536)
        if not chunk:
            return None
        buf += chunk
    return json.loads(buf[4:4 + struct.unpack(">I", buf[:4])[0]])


def main():
    path, replies = sys.argv[1], json.load(open(sys.argv[2]))
    if os.path.exists(path):
        os.unlink(path)
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    # bound and listening under another name, then renamed: whoever sees
    # the path (tests wait for it) can connect at once
    tmp = path + ".tmp"
    if os.path.exists(tmp):
        os.unlink(tmp)
    srv.bind(tmp)
    srv.listen(8)
    os.rename(tmp, path)
    srv.settimeout(60)
    n = 0
    while True:
        try:
            c, _ = srv.accept()
        except socket.timeout:
            return
        with c:
            if replies[min(n, len(replies) - 1)] == "busy":
                n += 1
                body = json.dumps({"v": 1, "ok": False, "code": 5,
                                   "error": "too many clients (limit 64)"}).encode()
                c.sendall(struct.pack(">I", len(body)) + body)
                continue
            if read_frame(c) is None:
                continue
            reply = replies[min(n, len(replies) - 1)]
            n += 1
            if reply == "hangup":
                continue
            body = json.dumps(reply).encode()
            c.sendall(struct.pack(">I", len(body)) + body)


main()

#!/usr/bin/env python3
"""Raw control-protocol client for tests: sends one request (argv[2], JSON)
to the svd control socket argv[1] as a frame (big-endian u32 length + JSON)
and prints the reply's JSON. Lets tests see fields svctl does not render."""
import json
import socket
import struct
import sys

s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
body = json.dumps(json.loads(sys.argv[2])).encode()
s.sendall(struct.pack(">I", len(body)) + body)
buf = b""
while len(buf) < 4 or len(buf) < 4 + struct.unpack(">I", buf[:4])[0]:
    chunk = s.recv(65536)
    if not chunk:
        sys.exit("connection closed before a full reply")
    buf += chunk
n = struct.unpack(">I", buf[:4])[0]
print(json.dumps(json.loads(buf[4:4 + n])))

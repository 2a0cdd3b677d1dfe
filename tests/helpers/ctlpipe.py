#!/usr/bin/env python3
"""ctlpipe.py SOCK N PROBES: fairness of svd's control socket, for
tests/integration/control_pipeline_fair.sh. One client, the flooder (a
process of its own), pipelines N status requests and reads the replies as
they come; once its first reply is in (svd is busy with its backlog), a
second client sends PROBES status requests one at a time, each waiting for
its reply, and times them. Prints one JSON object: the probes' latencies
(seconds), how many of the flooder's replies had arrived when the first
probe was sent and when the last probe was answered, in all, and N.
"""
import json
import multiprocessing
import os
import socket
import struct
import sys
import threading
import time


def frame(obj):
    body = json.dumps(obj).encode()
    return struct.pack(">I", len(body)) + body


def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(120)
    s.connect(path)
    return s


def read_frame(s, buf, parse=True):
    """(reply dict, or its bytes unless parse; rest of buf); raises
    EOFError on a closed connection."""
    while len(buf) < 4 or len(buf) < 4 + struct.unpack(">I", buf[:4])[0]:
        chunk = s.recv(1 << 16)
        if not chunk:
            raise EOFError("connection closed")
        buf += chunk
    n = struct.unpack(">I", buf[:4])[0]
    body = buf[4:4 + n]
    return (json.loads(body) if parse else body), buf[4 + n:]


def flood(path, n, got, err_w):
    """The flooder, a process of its own: the probes' timing must not wait
    for its reading (nor its reading for theirs: GIL)."""
    s = connect(path)
    threading.Thread(target=lambda: s.sendall(req * n), daemon=True).start()
    buf = b""
    try:
        while got.value < n:
            r, buf = read_frame(s, buf, parse=False)
            if not r.startswith(b'{"v":1,"ok":true'):
                raise RuntimeError("flooder got an error: %r" % r[:200])
            got.value += 1
        os.write(err_w, b"")
    except Exception as e:  # reported in the JSON: the test fails on it
        os.write(err_w, repr(e).encode())
    os._exit(0)


path, n, probes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
req = frame({"v": 1, "op": "status"})
got = multiprocessing.Value("i", 0, lock=False)
err = []
err_r, err_w = os.pipe()
child = os.fork()
if child == 0:
    os.close(err_r)
    flood(path, n, got, err_w)
os.close(err_w)
t0 = time.monotonic()
while got.value < 1 and time.monotonic() - t0 < 120:
    time.sleep(0.001)
if got.value < 1:
    err.append("no first reply to the flooder in 120 s")
probe = connect(path)
lat = []
before = got.value
buf = b""
for _ in range(probes):
    t0 = time.monotonic()
    probe.sendall(req)
    r, buf = read_frame(probe, buf)
    lat.append(round(time.monotonic() - t0, 4))
    if not r.get("ok"):
        err.append("probe got an error: %r" % r)
after = got.value
why = b""
while True:  # the flooder's error, if any, once it is done (EOF)
    chunk = os.read(err_r, 4096)
    if not chunk:
        break
    why += chunk
os.waitpid(child, 0)
if why:
    err.append(why.decode(errors="replace"))
print(json.dumps({"n": n, "latencies": lat, "flooder_before": before, "flooder_after": after,
                  "flooder_total": got.value, "errors": err}))

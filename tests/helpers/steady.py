#!/usr/bin/env python3
"""steady.py HBFILE PORT: the well-behaved service of tests/vm/pressure.sh.

Every 100 ms it replaces HBFILE (write to a temporary name, then rename, so a
reader never sees a torn line) with one line "SEQ EPOCH GAP MAXGAP PID": a
beat counter, the wall-clock time of the beat, the time in seconds since the
beat before, the longest such gap so far, and its pid. A thread answers every connection
to 127.0.0.1:PORT with "HTTP/1.1 200 OK" and "ok" for svd's health check.
Plain sockets, no http.server: in a TCG VM every imported module costs."""
import os
import socket
import sys
import threading
import time

hb, port = sys.argv[1], int(sys.argv[2])
REPLY = b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n"


def serve(ls):
    while True:
        c, _ = ls.accept()
        try:
            c.settimeout(5)
            req = b""
            while b"\r\n\r\n" not in req:
                chunk = c.recv(4096)
                if not chunk:
                    break
                req += chunk
            c.sendall(REPLY)
        except OSError:
            pass
        finally:
            c.close()


ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", port))
ls.listen(16)
threading.Thread(target=serve, args=(ls,), daemon=True).start()

tmp = hb + ".tmp"
seq, gap, maxgap, last = 0, 0.0, 0.0, None
while True:
    now = time.monotonic()
    if last is not None:
        gap = now - last
        maxgap = max(maxgap, gap)
    last = now
    seq += 1
    with open(tmp, "w") as f:
        f.write("%d %.6f %.6f %.6f %d\n" % (seq, time.time(), gap, maxgap, os.getpid()))
    os.replace(tmp, hb)
    time.sleep(0.1)

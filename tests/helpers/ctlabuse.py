#!/usr/bin/env python3
"""ctlabuse.py MODE SOCK ...: hostile clients of svd's control socket, for
tests/integration/fault_control.sh. Each mode prints one JSON object.

  flood SOCK N OUT HOLD  open N connections at once and never send; write
                         OUT.1 once every connection is classified (accepted
                         and silent / answered "busy" / closed), then wait up
                         to HOLD seconds for svd to close the accepted ones
                         (idle timeout) and write OUT.2
  oversize SOCK          frame headers announcing more than PROTO_MAX_FRAME
  garbage SOCK SEED N    N connections sending malformed frames
  noread SOCK N          N pipelined status requests, never reading a reply
  denied SOCK OP...      each (mutating) op, as whoever runs this
  follow2 SOCK NAME      logs_follow twice on one connection, read what
                         comes for 1 s, close
  rstevents SOCK NAME    follow events, stop receiving (shutdown), stop NAME:
                         svd's send of the events that stop makes fails
  hold SOCK GO OP NAME   connect and ask "version", wait until file GO
                         exists, then send OP NAME on the same connection
"""
import errno
import json
import os
import random
import resource
import select
import signal
import socket
import struct
import sys
import time

MAX_FRAME = 1 << 20
BUSY, BAD_REQUEST, DENIED = 5, 2, 3


def frame(obj):
    body = obj if isinstance(obj, bytes) else json.dumps(obj).encode()
    return struct.pack(">I", len(body)) + body


def connect(path, timeout=10):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect(path)
    return s


def read_reply(s, timeout=10):
    """One reply frame as a dict; None on EOF/reset before a whole frame."""
    s.settimeout(timeout)
    buf = b""
    try:
        while len(buf) < 4 or len(buf) < 4 + struct.unpack(">I", buf[:4])[0]:
            chunk = s.recv(65536)
            if not chunk:
                return None
            buf += chunk
    except (ConnectionResetError, BrokenPipeError):
        return None
    n = struct.unpack(">I", buf[:4])[0]
    return json.loads(buf[4:4 + n])


def eof_after(s, timeout=10):
    """True if svd closes the connection (after any replies) within timeout."""
    s.settimeout(timeout)
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False


def flood(path, n, out, hold):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < n + 64:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, n + 64), hard))
    socks, connect_errors = [], {}
    t0 = time.monotonic()
    signal.alarm(60)  # the blocking connects below: never hang the test
    for _ in range(n):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        # blocking: a Unix connect waits for room in the listen backlog
        # (with a timeout Python makes the socket non-blocking: EAGAIN)
        s.setblocking(True)
        try:
            s.connect(path)
        except OSError as e:
            name = errno.errorcode.get(e.errno, str(e))
            connect_errors[name] = connect_errors.get(name, 0) + 1
            s.close()
            continue
        s.setblocking(False)
        socks.append(s)
    signal.alarm(0)
    connect_s = time.monotonic() - t0
    # Classify: a refused connection gets a busy frame and/or EOF at once;
    # an accepted one stays silent. Wait until nothing changes for 1.5 s.
    state = {s.fileno(): "open" for s in socks}
    bufs = {s.fileno(): b"" for s in socks}
    by_fd = {s.fileno(): s for s in socks}
    other = []
    last_change = time.monotonic()
    while time.monotonic() - last_change < 1.5 and time.monotonic() - t0 < 30:
        live = [by_fd[f] for f, st in state.items() if st in ("open", "busy")]
        r, _, _ = select.select(live, [], [], 0.2) if live else ([], [], [])
        for s in r:
            f = s.fileno()
            try:
                chunk = s.recv(4096)
            except (ConnectionResetError, BrokenPipeError):
                chunk = b""
            if chunk:
                bufs[f] += chunk
                b = bufs[f]
                if len(b) >= 4 and len(b) >= 4 + struct.unpack(">I", b[:4])[0]:
                    msg = json.loads(b[4:4 + struct.unpack(">I", b[:4])[0]])
                    if msg.get("code") == BUSY:
                        state[f] = "busy"
                    else:
                        other.append(msg)
                        state[f] = "other"
            else:
                state[f] = "busy+closed" if state[f] == "busy" else "closed"
            last_change = time.monotonic()
    counts = {}
    for st in state.values():
        counts[st] = counts.get(st, 0) + 1
    res = {"connected": len(socks), "connect_errors": connect_errors, "connect_s": round(connect_s, 2),
           "classes": counts, "other_replies": other[:3]}
    with open(out + ".1.tmp", "w") as f:
        json.dump(res, f)
    os.rename(out + ".1.tmp", out + ".1")
    # Hold the accepted (silent) ones until svd's idle timeout closes them.
    accepted = [by_fd[f] for f, st in state.items() if st == "open"]
    t_accept = time.monotonic()
    closed_at = []
    pending = list(accepted)
    while pending and time.monotonic() - t_accept < hold:
        r, _, _ = select.select(pending, [], [], 0.5)
        for s in r:
            try:
                chunk = s.recv(4096)
            except (ConnectionResetError, BrokenPipeError):
                chunk = b""
            if not chunk:
                closed_at.append(time.monotonic() - t0)
                pending.remove(s)
    res2 = {"accepted": len(accepted), "closed_by_svd": len(closed_at), "still_open": len(pending),
            "first_close_s": round(min(closed_at), 1) if closed_at else None,
            "last_close_s": round(max(closed_at), 1) if closed_at else None}
    with open(out + ".2.tmp", "w") as f:
        json.dump(res2, f)
    os.rename(out + ".2.tmp", out + ".2")
    for s in socks:
        s.close()


def oversize(path):
    res = []
    for n in (MAX_FRAME + 1, 16 << 20, 0xFFFFFFFF):
        s = connect(path)
        # the header alone, then some of the promised bytes: svd must refuse
        # from the header without waiting for (or buffering) the payload
        s.sendall(struct.pack(">I", n) + b"{" * 4096)
        reply = read_reply(s)
        closed = eof_after(s)
        res.append({"announced": n, "code": reply and reply.get("code"),
                    "error": reply and reply.get("error"), "closed": closed})
        s.close()
    # exactly PROTO_MAX_FRAME is allowed: a whole frame of that size is read
    s = connect(path)
    body = b'{"v":1,"op":"version","pad":"' + b"x" * (MAX_FRAME - 31) + b'"}'
    assert len(body) == MAX_FRAME, len(body)
    s.sendall(frame(body))
    reply = read_reply(s)
    res.append({"announced": MAX_FRAME, "ok": reply and reply.get("ok")})
    s.close()
    print(json.dumps(res))


def garbage(path, seed, n):
    rnd = random.Random(seed)
    fixed = [
        b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
        frame(b"not json at all"),
        frame(b"[1,2,3]"),
        frame(b'{"v":1,"op":"status"} trailing'),
        frame(b'{"v":1,"op":"status"}\x00'),
        frame(b"\xff\xfe\xfd{}"),
        frame(b"[" * 100000),
        frame(b'{"v":1,"op":"' + b"\xc3\x28" * 100 + b'"}'),
        struct.pack(">I", 0),
        frame({"v": 1, "op": 17}),
        frame({"v": "1", "op": "status"}),
        frame({"v": 1, "op": "status", "names": "x"}),
        frame({"v": 1, "op": "status", "names": [1, None, {}]}),
        frame({"v": 1, "op": "logs", "name": None}),
        frame({"v": 1, "op": "start", "name": ["x"]}),
        frame({"v": 1, "op": "events", "n": -1}),
        frame({"v": 1, "op": "show", "name": "../../etc/passwd"}),
    ]
    cases = list(fixed)
    while len(cases) < n:
        k = rnd.randrange(3)
        if k == 0:  # raw random bytes
            cases.append(bytes(rnd.randrange(256) for _ in range(rnd.randrange(1, 300))))
        elif k == 1:  # a valid small header, random payload
            body = bytes(rnd.randrange(256) for _ in range(rnd.randrange(1, 300)))
            cases.append(frame(body))
        else:  # a valid request with bytes flipped
            b = bytearray(frame({"v": 1, "op": rnd.choice(["status", "start", "version", "logs"]), "name": "s1"}))
            for _ in range(rnd.randrange(1, 4)):
                b[rnd.randrange(len(b))] = rnd.randrange(256)
            cases.append(bytes(b))
    outcomes = {}
    for c in cases:
        s = connect(path)
        try:
            s.sendall(c)
        except (BrokenPipeError, ConnectionResetError):
            pass
        # then close our side for writing: a frame that announced more
        # bytes than sent stays pending until the idle timeout otherwise
        try:
            s.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        reply = read_reply(s, timeout=10)
        if reply is None:
            key = "closed"
        elif reply.get("ok"):
            key = "ok"
        else:
            key = "error %s" % reply.get("code")
        outcomes[key] = outcomes.get(key, 0) + 1
        s.close()
    print(json.dumps({"cases": len(cases), "outcomes": outcomes}))


def noread(path, n):
    s = connect(path)
    pid = os.getpid()
    req = frame({"v": 1, "op": "status"})
    s.setblocking(False)
    sent = 0
    t0 = time.monotonic()
    dropped = False
    buf = req * 64
    while sent < n and time.monotonic() - t0 < 30:
        try:
            k = s.send(buf)
            sent += k // len(req)
            if k % len(req):  # finish the partial frame
                rest = buf[k % len(req):len(req)]
                s.setblocking(True)
                s.sendall(rest)
                s.setblocking(False)
                sent += 1
        except BlockingIOError:
            # svd stopped reading us for now: it must be because our reply
            # queue is full; wait a little
            select.select([], [s], [], 0.05)
        except (BrokenPipeError, ConnectionResetError):
            dropped = True
            break
    # Still not reading: svd must drop us (its queue for us is bounded).
    # Detect the close without consuming replies: POLLHUP/POLLRDHUP.
    p = select.poll()
    p.register(s, select.POLLRDHUP | select.POLLHUP)
    t1 = time.monotonic()
    while not dropped and time.monotonic() - t1 < 20:
        ev = p.poll(200)
        if ev and ev[0][1] & (select.POLLRDHUP | select.POLLHUP):
            dropped = True
    print(json.dumps({"pid": pid, "requests_sent": sent, "send_s": round(time.monotonic() - t0, 2),
                      "dropped": dropped}))
    s.close()


def denied(path, ops):
    res = {}
    for op in ops:
        s = connect(path)
        req = {"v": 1, "op": op, "name": "s1", "names": ["s1"], "value": "x", "passphrase": "x"}
        s.sendall(frame(req))
        reply = read_reply(s)
        res[op] = {"code": reply and reply.get("code"), "error": reply and reply.get("error")}
        s.close()
    print(json.dumps({"uid": os.getuid(), "results": res}))


def follow2(path, name):
    s = connect(path)
    req = {"v": 1, "op": "logs_follow", "name": name}
    s.sendall(frame(req))
    first = read_reply(s)
    s.sendall(frame(req))
    second = read_reply(s)
    lines = []
    t_end = time.monotonic() + 1
    while time.monotonic() < t_end:
        try:
            f = read_reply(s, timeout=max(0.05, t_end - time.monotonic()))
        except socket.timeout:
            break
        if f is None:
            break
        lines += [x["text"] for x in f.get("lines", [])]
    s.close()
    print(json.dumps({"first": {k: first.get(k) for k in ("ok", "code", "error")},
                      "second": {k: second.get(k) for k in ("ok", "code", "error")},
                      "lines": lines}))


def rstevents(path, name):
    s = connect(path)
    s.sendall(frame({"v": 1, "op": "events", "follow": True, "n": 0}))
    first = read_reply(s)
    # no longer receiving: svd's next send to us fails (EPIPE) for sure,
    # and that send is of the events our own stop makes
    s.shutdown(socket.SHUT_RD)
    s.sendall(frame({"v": 1, "op": "stop", "name": name}))
    time.sleep(0.5)
    s.close()
    print(json.dumps({"follow": first and first.get("ok")}))


def hold(path, go, op, name):
    s = connect(path, timeout=60)
    s.sendall(frame({"v": 1, "op": "version"}))
    first = read_reply(s)
    open(go + ".connected", "w").close()
    while not os.path.exists(go):
        time.sleep(0.05)
    s.sendall(frame({"v": 1, "op": op, "name": name}))
    reply = read_reply(s)
    print(json.dumps({"version": first and first.get("ok"),
                      "reply": reply and {k: reply.get(k) for k in ("ok", "code", "error")}}))


mode = sys.argv[1]
if mode == "flood":
    flood(sys.argv[2], int(sys.argv[3]), sys.argv[4], float(sys.argv[5]))
elif mode == "oversize":
    oversize(sys.argv[2])
elif mode == "garbage":
    garbage(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
elif mode == "noread":
    noread(sys.argv[2], int(sys.argv[3]))
elif mode == "denied":
    denied(sys.argv[2], sys.argv[3:])
elif mode == "follow2":
    follow2(sys.argv[2], sys.argv[3])
elif mode == "rstevents":
    rstevents(sys.argv[2], sys.argv[3])
elif mode == "hold":
    hold(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5])
else:
    sys.exit("unknown mode " + mode)

"""svdproto: requests to svd's control socket from a test helper
(u32 big-endian length + JSON object, see docs/ARCHITECTURE.md)."""
import json
import socket
import struct


def connect(sock, timeout=10):
    """A connection to the control socket at path sock."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect(sock)
    except OSError:
        s.close()
        raise
    return s


def call_sized(s, obj):
    """Sends obj on connection s, returns (the reply frame's length in bytes,
    svd's reply as a dict); OSError if svd closes early."""
    body = json.dumps(obj).encode()
    s.sendall(struct.pack(">I", len(body)) + body)
    buf = b""
    while len(buf) < 4 or len(buf) < 4 + struct.unpack(">I", buf[:4])[0]:
        chunk = s.recv(65536)
        if not chunk:
            raise OSError("svd closed the connection before a full reply")
        buf += chunk
    n = struct.unpack(">I", buf[:4])[0]
    return 4 + n, json.loads(buf[4:4 + n])


def call(s, obj):
    """Sends obj on connection s, returns svd's reply as a dict; OSError if
    svd closes early. More than one call may use one connection."""
    return call_sized(s, obj)[1]


def request(sock, obj, timeout=10):
    """One request on a connection of its own."""
    s = connect(sock, timeout)
    try:
        return call(s, obj)
    finally:
        s.close()

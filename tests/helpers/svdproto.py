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


def call(s, obj):
    """Sends obj on connection s, returns svd's reply as a dict; OSError if
    svd closes early. More than one call may use one connection."""
    body = json.dumps(obj).encode()
    s.sendall(struct.pack(">I", len(body)) + body)
    buf = b""
    while len(buf) < 4 or len(buf) < 4 + struct.unpack(">I", buf[:4])[0]:
        chunk = s.recv(65536)
        if not chunk:
            raise OSError("svd closed the connection before a full reply")
        buf += chunk
    return json.loads(buf[4:4 + struct.unpack(">I", buf[:4])[0]])


def request(sock, obj, timeout=10):
    """One request on a connection of its own."""
    s = connect(sock, timeout)
    try:
        return call(s, obj)
    finally:
        s.close()

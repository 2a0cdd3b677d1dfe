"""svdproto: one request to svd's control socket from a test helper
(u32 big-endian length + JSON object, see docs/ARCHITECTURE.md)."""
import json
import socket
import struct


def request(sock, obj, timeout=10):
    """Sends obj, returns svd's reply as a dict; OSError if svd closes early."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect(sock)
        body = json.dumps(obj).encode()
        s.sendall(struct.pack(">I", len(body)) + body)
        buf = b""
        while len(buf) < 4 or len(buf) < 4 + struct.unpack(">I", buf[:4])[0]:
            chunk = s.recv(65536)
            if not chunk:
                raise OSError("svd closed the connection before a full reply")
            buf += chunk
        return json.loads(buf[4:4 + struct.unpack(">I", buf[:4])[0]])
    finally:
        s.close()

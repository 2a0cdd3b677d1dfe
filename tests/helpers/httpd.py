#!/usr/bin/env python3
"""A real local HTTP server for health-check tests.

usage: httpd.py [--tls PEM] PORT [CONTROL_FILE]

PORT 0 picks a free port. The bound port is printed on stdout (one line) once
the server accepts connections. Threaded, HTTP/1.1 with keep-alive, so
connection reuse by a client is observable (/stats counts accepted
connections).

  GET /<anything>      answers with the current status and body
  GET /set?status=500  sets the status (also &body=text); answers 200 "set"
  GET /slow            never answers (the connection is held open)
  GET /redirect        302 to /
  GET /redirect-to?url=U  302 to U (e.g. the same server by another name)
  GET /echo-auth       200, body "Authorization=A;Cookie=C;Host=H;X-Key=K;" (the
                       request's headers, empty when missing)
  GET /stats           200, body "connections N requests M"

With --tls, PEM (certificate and key in one file) makes it an HTTPS server.

The status can also be flipped by writing a number to CONTROL_FILE (read on
every request, when the file exists and holds a number); a second line in it,
if present, becomes the body. The default is 200 with body "ok".
"""
import http.server
import socket
import socketserver
import sys
import threading
import time
import urllib.parse


class State:
    lock = threading.Lock()
    status = 200
    body = b"ok\n"
    connections = 0
    requests = 0
    control = None


def current():
    status, body = State.status, State.body
    if State.control:
        try:
            with open(State.control) as f:
                lines = f.read().split("\n", 1)
            if lines[0].strip():
                status = int(lines[0].strip())
            if len(lines) > 1 and lines[1]:
                body = lines[1].encode()
        except (OSError, ValueError):
            pass
    return status, body


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        # Replies go out in one write (reply()), but other paths of the base
        # class may write in pieces: without this, Nagle and the client's
        # delayed ACK would add 40ms to such a request on a reused connection.
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with State.lock:
            State.connections += 1

    def log_message(self, fmt, *args):
        pass

    def reply(self, status, body, headers=()):
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        # Headers and body in one write, as real servers do for a small
        # reply: two writes are two segments, and a client that reads the
        # headers alone wakes up a second time for the body.
        self._headers_buffer.append(b"\r\n" + body)
        self.flush_headers()

    def do_GET(self):
        with State.lock:
            State.requests += 1
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/slow":
            while True:
                time.sleep(3600)
        if url.path == "/set":
            q = urllib.parse.parse_qs(url.query)
            with State.lock:
                if "status" in q:
                    State.status = int(q["status"][0])
                if "body" in q:
                    State.body = q["body"][0].encode()
            self.reply(200, b"set\n")
            return
        if url.path == "/redirect":
            self.reply(302, b"", [("Location", "/")])
            return
        if url.path == "/redirect-to":
            to = urllib.parse.parse_qs(url.query).get("url", ["/"])[0]
            self.reply(302, b"", [("Location", to)])
            return
        if url.path == "/stats":
            with State.lock:
                text = "connections %d requests %d\n" % (State.connections, State.requests)
            self.reply(200, text.encode())
            return
        if url.path == "/echo-auth":
            text = "".join("%s=%s;" % (h, self.headers.get(h, "")) for h in ("Authorization", "Cookie", "Host", "X-Key"))
            self.reply(200, (text + "\n").encode())
            return
        if url.path == "/echo-header":
            value = self.headers.get("X-Key", "")
            self.reply(200, ("X-Key=" + value + "\n").encode())
            return
        status, body = current()
        self.reply(status, body)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


def main():
    args = sys.argv[1:]
    pem = None
    if len(args) >= 2 and args[0] == "--tls":
        pem = args[1]
        args = args[2:]
    port = int(args[0]) if args else 0
    if len(args) > 1:
        State.control = args[1]
    srv = Server(("127.0.0.1", port), Handler)
    if pem:
        import ssl
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(pem)
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    print(srv.server_address[1], flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()

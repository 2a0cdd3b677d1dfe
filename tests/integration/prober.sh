#!/bin/bash
# svd-probe on its own: a python3 driver plays svd (a SOCK_SEQPACKET
# socketpair, the prober's end as fd 3) against tests/helpers/httpd.py, a real
# HTTP server, and checks every kind of outcome: HTTP status in and out of
# range, body matching, request headers, redirects, timeouts, refused
# connections, TCP connects by address and by name, 50 concurrent checks,
# connection reuse, malformed and oversize requests. Throughout, the prober
# must run confined (Seccomp: 2, NoNewPrivs: 1) and survive everything (no
# SIGSYS); it closes inherited fds, and exits 0 when svd hangs up.
set -eu

: "${SVD_PROBE:?SVD_PROBE must point at the svd-probe binary}"
: "${TOP_SRCDIR:?TOP_SRCDIR must point at the source tree}"
command -v python3 >/dev/null || { echo "python3 missing"; exit 77; }

T=$(mktemp -d /tmp/svd-prober.XXXXXX)
HTTPD_PID=
cleanup() {
        if [ -n "$HTTPD_PID" ]; then kill "$HTTPD_PID" 2>/dev/null || true; wait "$HTTPD_PID" 2>/dev/null || true; fi
        rm -rf "$T"
}
trap cleanup EXIT

# The prober runs as whoever runs the test; svd would start it as an
# unprivileged user, which changes nothing about what is checked here.
python3 "$TOP_SRCDIR/tests/helpers/httpd.py" 0 "$T/status" > "$T/httpd.port" 2> "$T/httpd.err" &
HTTPD_PID=$!
for _ in $(seq 100); do [ -s "$T/httpd.port" ] && break; sleep 0.05; done
PORT=$(head -n1 "$T/httpd.port")
[ -n "$PORT" ] || { echo "FAIL: httpd did not start: $(cat "$T/httpd.err")" >&2; exit 1; }

# An HTTPS server with a self-signed certificate: the prober must fail its
# verification, and loading OpenSSL's CA store must not trip the filter.
TLS_PORT=
HTTPS_PID=
if command -v openssl >/dev/null &&
   openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost -days 2 \
           -keyout "$T/key.pem" -out "$T/cert.pem" >/dev/null 2>&1; then
        cat "$T/cert.pem" "$T/key.pem" > "$T/tls.pem"
        python3 "$TOP_SRCDIR/tests/helpers/httpd.py" --tls "$T/tls.pem" 0 > "$T/https.port" 2>> "$T/httpd.err" &
        HTTPS_PID=$!
        for _ in $(seq 100); do [ -s "$T/https.port" ] && break; sleep 0.05; done
        TLS_PORT=$(head -n1 "$T/https.port")
fi
trap 'kill $HTTPS_PID 2>/dev/null || true; cleanup' EXIT

export PORT TLS_PORT T
rc=0
python3 - <<'PYEOF' || rc=$?
import json, os, re, socket, subprocess, sys, time

PROBE = os.environ["SVD_PROBE"]
PORT = int(os.environ["PORT"])
T = os.environ["T"]
BASE = "http://127.0.0.1:%d" % PORT
failures = []


def check(cond, what):
    if cond:
        print("ok   " + what)
    else:
        print("FAIL " + what)
        failures.append(what)


def closed_port():
    # A port certain to be closed while the socket returned stays open: it
    # is bound (no other process can take the port, as one could a port
    # picked and let go) but never listens, so a connect() to it is refused.
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    return s, s.getsockname()[1]


class Prober:
    def __init__(self, env_extra=None):
        self.sock, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        # An extra inherited fd the prober must close: we watch for EOF on it.
        self.leak_r, leak_w = os.pipe()
        cfd = child.fileno()

        def at_fd3():
            os.dup2(cfd, 3)
            os.dup2(leak_w, 7)

        env = dict(os.environ)
        env.pop("SVD_PROBE_NO_SECCOMP", None)
        env.update(env_extra or {})
        self.stderr = open(os.path.join(T, "probe.err"), "ab")
        self.proc = subprocess.Popen([PROBE], pass_fds=(3, 7), preexec_fn=at_fd3, env=env,
                                     stdin=subprocess.DEVNULL, stderr=self.stderr)
        child.close()
        os.close(leak_w)
        self.next_id = 1
        self.pending = []

    def send(self, req):
        if "id" not in req:
            req = dict(req, id=self.next_id)
            self.next_id += 1
        self.sock.send(json.dumps(req).encode())
        return req["id"]

    def send_raw(self, data):
        self.sock.send(data)

    def recv(self, timeout):
        """The next reply; a packet may carry several, newline-separated."""
        if not self.pending:
            self.sock.settimeout(timeout)
            data = self.sock.recv(70000)
            self.packets = getattr(self, "packets", 0) + 1
            self.pending += [json.loads(l) for l in data.split(b"\n") if l]
        return self.pending.pop(0)

    def collect(self, ids, timeout):
        """Replies for all ids (dict id -> (reply, seconds since call))."""
        t0 = time.monotonic()
        got = {}
        while set(ids) - set(got):
            left = timeout - (time.monotonic() - t0)
            if left <= 0:
                break
            try:
                r = self.recv(left)
            except socket.timeout:
                break
            got[r["id"]] = (r, time.monotonic() - t0)
        return got

    def run(self, req, timeout=10):
        i = self.send(req)
        got = self.collect([i], timeout)
        return got[i][0] if i in got else {"ok": None, "detail": "NO REPLY"}

    def status(self):
        with open("/proc/%d/status" % self.proc.pid) as f:
            return dict(l.split(":", 1) for l in f.read().splitlines() if ":" in l)


def http(url, **kw):
    req = {"kind": "http", "url": url, "timeout_ms": 3000}
    req.update(kw)
    return req


def tcp(host, port, **kw):
    req = {"kind": "tcp", "host": host, "port": port, "timeout_ms": 3000}
    req.update(kw)
    return req


def set_status(n):
    with open(os.path.join(T, "status"), "w") as f:
        f.write("%d\n" % n)


p = Prober()

# -- confinement, before anything else: the first reply proves the filter is
#    loaded (it is installed before the first request is read).
r = p.run({"id": 1})
check(r["ok"] is False and r["detail"].startswith("bad request: field 'kind'"), "missing kind refused: %s" % r)
st = p.status()
check(st.get("Seccomp", "").strip() == "2", "seccomp filter active (Seccomp: %s)" % st.get("Seccomp", "?").strip())
check(st.get("NoNewPrivs", "").strip() == "1", "no_new_privs set (NoNewPrivs: %s)" % st.get("NoNewPrivs", "?").strip())
os.set_blocking(p.leak_r, False)
try:
    leaked = os.read(p.leak_r, 1) != b""
except BlockingIOError:
    leaked = True
check(not leaked, "inherited fd 7 closed by the prober")

# -- malformed requests
r = p.run(tcp("127.0.0.1", 0, id=42))
check(r["id"] == 42 and r["ok"] is False and r["detail"].startswith("bad request: field 'port'"), "port 0 refused with id: %s" % r)
r = p.run({"id": 43, "kind": "tcp", "host": "127.0.0.1", "timeout_ms": 100})
check(r["id"] == 43 and "field 'port': missing" in r["detail"], "missing port named: %s" % r)
p.send_raw(b"{not json")
r = p.recv(5)
check(r["id"] == -1 and r["ok"] is False and r["detail"].startswith("bad request: message"), "garbage gets id -1: %s" % r)
p.send_raw(b'{"id":5,"kind":"http","url":"' + b"a" * 70000 + b'"}')
r = p.recv(5)
check(r["id"] == -1 and "larger than" in r["detail"], "oversize packet refused: %s" % r)
# several requests in one packet (what svd sends per batch), one of them bad
p.send_raw(b"\n".join(json.dumps(http(BASE + "/", id=i)).encode() for i in (500, 501)) +
           b'\n{"id":502,"kind":"tcp"}\n' + json.dumps(tcp("127.0.0.1", PORT, id=503)).encode() + b"\n")
got = p.collect([500, 501, 502, 503], 10)
check(all(got.get(i, ({},))[0].get("ok") for i in (500, 501, 503)) and got.get(502, ({},))[0].get("ok") is False,
      "four requests in one packet, one malformed: %s" % sorted((k, v[0]["detail"]) for k, v in got.items()))
r = p.run(http("ftp://127.0.0.1/", id=44))
check(r["id"] == 44 and "field 'url'" in r["detail"], "non-http URL refused: %s" % r)
r = p.run(http(BASE + "/", id=45, headers=["X-Bad: a\r\nX-Injected: b"]))
check(r["id"] == 45 and "field 'headers[0]'" in r["detail"], "header injection refused: %s" % r)

# -- HTTP
set_status(200)
r = p.run(http(BASE + "/health"))
check(r["ok"] is True and r["detail"].startswith("HTTP 200"), "HTTP 200 ok: %s" % r)
r = p.run(http(BASE + "/health"))
check(r["ok"] is True and re.fullmatch(r"HTTP 200 in [0-9]+\.[0-9]ms", r["detail"]),
      "second check reuses the connection (no 'new connections' in the detail): %s" % r)

set_status(500)
r = p.run(http(BASE + "/health"))
check(r["ok"] is False and r["detail"].startswith("HTTP 500"), "flipped to 500 -> not ok: %s" % r)
r = p.run(http(BASE + "/health", status_min=500, status_max=599))
check(r["ok"] is True, "500 accepted when in range: %s" % r)
os.unlink(os.path.join(T, "status"))
r = p.run(http(BASE + "/set?status=503"))
r = p.run(http(BASE + "/other"))
check(r["ok"] is False and r["detail"].startswith("HTTP 503"), "503 via /set endpoint: %s" % r)
p.run(http(BASE + "/set?status=200"))

r = p.run(http(BASE + "/", body_contains="ok"))
check(r["ok"] is True, "body_contains match: %s" % r)
r = p.run(http(BASE + "/", body_contains="nope"))
check(r["ok"] is False and r["detail"] == "body does not contain 'nope'", "body_contains mismatch: %s" % r)
r = p.run(http(BASE + "/echo-header", headers=["X-Key: v1"], body_contains="X-Key=v1"))
check(r["ok"] is True, "request header sent: %s" % r)

r = p.run(http(BASE + "/redirect", status_max=299))
check(r["ok"] is False and r["detail"].startswith("HTTP 302"), "redirect not followed by default: %s" % r)
r = p.run(http(BASE + "/redirect", status_max=299, follow_redirects=True))
check(r["ok"] is True and r["detail"].startswith("HTTP 200"), "redirect followed on request: %s" % r)
# to another host name: svd-probe looks it up (never curl's resolver
# thread) and goes on from there (which headers go on:
# health_http_redirect_names.sh)
to = "http://localhost:%d/echo-auth" % PORT
r = p.run(http(BASE + "/redirect-to?url=" + to, follow_redirects=True, body_contains="Authorization=;"))
check(r["ok"] is True and r["detail"].startswith("HTTP 200"), "redirect to another host name followed: %s" % r)
r = p.run(http("http://localhost:%d/echo-auth" % PORT, headers=["Authorization: Bearer s3cret"],
               body_contains="Authorization=Bearer s3cret;"))
check(r["ok"] is True, "Authorization sent to the URL's own host name: %s" % r)
r = p.run(http(BASE + "/redirect-to?url=" + to, status_max=299))
check(r["ok"] is False and r["detail"].startswith("HTTP 302"), "cross-host redirect not followed by default: %s" % r)

# TLS settings (the https:// side is tests/integration/http_tls.sh): a CA file
# the prober cannot open fails the check before curl, naming file, errno and
# uid; a relative one is a bad request; on plain http they change nothing
r = p.run(http(BASE + "/", ca_file="/nonexistent/ca.pem"))
check(r["ok"] is False and r["detail"] == "ca_file '/nonexistent/ca.pem': No such file or directory "
      "(svd-probe runs as uid %d)" % os.getuid(), "unreadable ca_file: %s" % r)
r = p.run(http(BASE + "/", ca_file="ca.pem"))
check(r["ok"] is False and "field 'ca_file': expected an absolute path" in r["detail"], "relative ca_file: %s" % r)
r = p.run(http(BASE + "/", tls_verify=False, ca_file="/dev/null"))
check(r["ok"] is True and r["detail"].startswith("HTTP 200"), "TLS settings on http://: %s" % r)

t0 = time.monotonic()
r = p.run(http(BASE + "/slow", timeout_ms=500))
dt = time.monotonic() - t0
check(r["ok"] is False and r["detail"] == "timeout after 500ms", "/slow times out: %s" % r)
check(0.4 <= dt <= 2.5, "timeout reported after %.2fs (limit 0.5s)" % dt)

closed_sock, closed = closed_port()  # (bound until the script ends)
r = p.run(http("http://127.0.0.1:%d/" % closed))
check(r["ok"] is False and r["detail"] == "connect: Connection refused", "HTTP to a closed port: %s" % r)

# A name curl resolves itself (its resolver thread, under the filter).
name = socket.gethostname()
try:
    resolvable = socket.gethostbyname(name).startswith("127.")
except OSError:
    resolvable = False
if resolvable:
    r = p.run(http("http://%s:%d/" % (name, PORT)))
    check(r["ok"] is True, "HTTP by host name %s (threaded resolver): %s" % (name, r))
else:
    print("skip HTTP by host name: %s does not resolve to loopback" % name)

TLS_PORT = os.environ.get("TLS_PORT")
if TLS_PORT:
    r = p.run(http("https://127.0.0.1:%s/" % TLS_PORT))
    check(r["ok"] is False and "certificate" in r["detail"].lower(), "HTTPS with a self-signed certificate refused: %s" % r)
    r = p.run(http("https://127.0.0.1:%s/" % TLS_PORT, tls_verify=False))
    check(r["ok"] is True and r["detail"].startswith("HTTP 200"), "HTTPS with tls_verify false: %s" % r)
    r = p.run(http("https://127.0.0.1:%s/" % TLS_PORT))
    check(r["ok"] is False, "verified again on the next request without it: %s" % r)
else:
    print("skip HTTPS: no openssl to make a certificate")

# -- TCP
r = p.run(tcp("127.0.0.1", PORT))
check(r["ok"] is True and r["detail"].startswith("connected in"), "TCP to a listening port: %s" % r)
r = p.run(tcp("localhost", PORT))
check(r["ok"] is True, "TCP by name (getaddrinfo): %s" % r)
r = p.run(tcp("127.0.0.1", closed))
check(r["ok"] is False and r["detail"] == "connect: Connection refused", "TCP to a closed port: %s" % r)
r = p.run(tcp("no-such-host.invalid", 80))
check(r["ok"] is False and r["detail"].startswith("resolve 'no-such-host.invalid'"), "TCP to an unresolvable name: %s" % r)
lst = socket.socket()
lst.bind(("127.0.0.1", 0))
lst.listen(1)
r = p.run(tcp("127.0.0.1", lst.getsockname()[1]))
check(r["ok"] is True, "TCP to a listener that never accepts: %s" % r)
lst.close()

# -- concurrency: one slow check does not hold up the others; 50 HTTP and
#    10 TCP checks in flight at once are all answered, in completion order.
p.packets = 0
slow = p.send(http(BASE + "/slow", timeout_ms=2000))
ids = [p.send(http(BASE + "/c%d" % i, body_contains="ok")) for i in range(50)]
ids += [p.send(tcp("127.0.0.1", PORT)) for _ in range(10)]
got = p.collect(ids + [slow], 15)
answered = [i for i in ids if i in got]
check(len(answered) == len(ids), "%d/%d concurrent checks answered" % (len(answered), len(ids)))
check(all(got[i][0]["ok"] for i in answered), "all concurrent checks ok: %s" %
      [got[i][0] for i in answered if not got[i][0]["ok"]][:3])
check(slow in got and got[slow][0]["detail"] == "timeout after 2000ms", "slow check timed out among them")
check(slow in got and all(got[i][1] < got[slow][1] for i in answered), "fast checks answered before the slow one")
check(p.packets < len(ids), "replies of checks finishing together share packets (%d packets for %d replies)" %
      (p.packets, len(ids)))

# -- reuse after the burst: the cache holds the connections, so another round
#    of 10 makes no new connection at all.
ids = [p.send(http(BASE + "/r%d" % i)) for i in range(10)]
got = p.collect(ids, 10)
news = [got[i][0]["detail"] for i in ids if i in got and "new connections" in got[i][0]["detail"]]
check(len(got) == 10 and not news, "second round reuses connections (%s)" % news[:3])

# -- still alive and confined after all of the above; EOF -> exit 0
check(p.proc.poll() is None, "prober survived every check (no SIGSYS)")
check(p.status().get("Seccomp", "").strip() == "2", "still confined")
p.sock.close()
try:
    rc = p.proc.wait(10)
except subprocess.TimeoutExpired:
    p.proc.kill()
    rc = "hung"
check(rc == 0, "prober exits 0 on EOF (exit status %s)" % rc)

# -- EOF with checks in flight: exits 0 at once, without waiting for them.
p = Prober()
p.send(http(BASE + "/slow", timeout_ms=10000))
p.send(tcp("127.0.0.1", PORT))
time.sleep(0.3)
p.sock.close()
try:
    rc = p.proc.wait(5)
except subprocess.TimeoutExpired:
    p.proc.kill()
    rc = "hung"
check(rc == 0, "exit 0 on EOF with a check in flight (exit status %s)" % rc)

# -- the debugging switch really switches the filter off (and only that).
p = Prober({"SVD_PROBE_NO_SECCOMP": "1"})
r = p.run(tcp("127.0.0.1", PORT))
check(r["ok"] is True and p.status().get("Seccomp", "").strip() == "0", "SVD_PROBE_NO_SECCOMP=1 disables the filter")
p.sock.close()
p.proc.wait(5)

# -- not started by svd: a clear error, not a crash.
rc = subprocess.run([PROBE], stdin=subprocess.DEVNULL, stderr=subprocess.PIPE, close_fds=True)
check(rc.returncode == 2 and b"fd 3" in rc.stderr, "refuses to run without its socket: %s" % rc.stderr.decode()[:120])

err = open(os.path.join(T, "probe.err"), "rb").read().decode(errors="replace")
check("AddressSanitizer" not in err and "runtime error" not in err and "LeakSanitizer" not in err,
      "no sanitizer reports")
if failures:
    print("--- svd-probe stderr ---\n" + err, file=sys.stderr)
    print("prober: %d failure(s)" % len(failures), file=sys.stderr)
    sys.exit(1)
print("prober: ok")
PYEOF
exit $rc

#!/bin/bash
# svd-probe's bound on checks in flight plus replies not yet sent
# (PROBER_MAX_PENDING, 1024) holds however the requests are packed: a python3
# driver plays svd and sends 1500 TCP checks, 100 per packet, to a listener
# that never accepts (its backlog full, the connects hang until their
# timeout). Each check in flight holds one socket, so the prober's open fds
# show how many it took on: never more than 1024 (plus its own few). The
# requests it could not take yet wait, unread or unhandled, and are all
# answered once earlier checks end.
set -eu

: "${SVD_PROBE:?SVD_PROBE must point at the svd-probe binary}"
command -v python3 >/dev/null || { echo "python3 missing"; exit 77; }

T=$(mktemp -d /tmp/svd-prober-bound.XXXXXX)
trap 'rm -rf "$T"' EXIT
export T

python3 - <<'PYEOF'
import errno, json, os, resource, socket, subprocess, sys, time

PROBE = os.environ["SVD_PROBE"]
T = os.environ["T"]
N, PER_PACKET, BOUND, OWN_FDS = 1500, 100, 1024, 16

# A listener that never accepts: once its queue is full, the kernel drops
# further SYNs and those connects hang until the check's timeout.
lsn = socket.socket()
lsn.bind(("127.0.0.1", 0))
lsn.listen(0)
port = lsn.getsockname()[1]

sock, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
cfd = child.fileno()
hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
if hard != resource.RLIM_INFINITY and hard < N + 100:
    print("RLIMIT_NOFILE hard limit %d is below %d" % (hard, N + 100))
    sys.exit(77)


def at_fd3():
    os.dup2(cfd, 3)
    # svd raises the prober's limit too (svd_nofile): here the bound, not
    # EMFILE, must be what keeps it from taking on more
    resource.setrlimit(resource.RLIMIT_NOFILE, (N + 100, hard))


err = open(os.path.join(T, "probe.err"), "ab")
proc = subprocess.Popen([PROBE], pass_fds=(3,), preexec_fn=at_fd3, stdin=subprocess.DEVNULL, stderr=err)
child.close()
sock.setblocking(False)

packets = []
for first in range(1, N + 1, PER_PACKET):
    msgs = [json.dumps({"id": i, "kind": "tcp", "host": "127.0.0.1", "port": port, "timeout_ms": 3000})
            for i in range(first, min(first + PER_PACKET, N + 1))]
    packets.append("\n".join(msgs).encode())


def fds():
    try:
        return len(os.listdir("/proc/%d/fd" % proc.pid))
    except OSError:
        return 0


replies = {}
peak = 0
deadline = time.monotonic() + 60
while len(replies) < N and time.monotonic() < deadline and proc.poll() is None:
    while packets:
        try:
            sock.send(packets[0])
            packets.pop(0)
        except BlockingIOError:
            break
    try:
        data = sock.recv(70000)
        for line in data.split(b"\n"):
            if line:
                r = json.loads(line)
                replies[r["id"]] = r
    except BlockingIOError:
        time.sleep(0.005)
    peak = max(peak, fds())

failures = []
def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)

check(proc.poll() is None, "svd-probe still running")
check(peak >= BOUND - 24, "the checks stayed in flight up to the bound (peak %d fds)" % peak)
check(peak <= BOUND + OWN_FDS, "at most %d checks in flight (peak %d fds, %d of them its own)" % (BOUND, peak, OWN_FDS))
check(len(replies) == N, "%d/%d checks answered" % (len(replies), N))
check(set(replies) == set(range(1, N + 1)), "every id answered once")
sock.close()
try:
    proc.wait(timeout=10)
except subprocess.TimeoutExpired:
    proc.kill()
    failures.append("svd-probe did not exit on EOF")
check(proc.returncode == 0, "exit 0 on EOF (got %s)" % proc.returncode)
sys.exit(1 if failures else 0)
PYEOF

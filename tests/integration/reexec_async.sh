#!/bin/bash
# svctl daemon-reexec checks the new binary (--state-format, then --check)
# in child processes the loop watches, its reply deferred: while a check
# hangs, svd goes on answering other clients, reaping and restarting
# services (it used to wait for the checks inside the request, up to 20 s
# with nothing else running, as PID 1 too). Then the re-exec is refused as
# before. A shutdown during the checks cancels them: the client is told,
# the check is killed, svd exits. A client that goes away meanwhile costs
# nothing but a log line.
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/bin"
cp "$SVD" "$T/bin/svd.real"
cp "$(dirname "$SVD")/svd-probe" "$(dirname "$SVD")/svd-fdstore" "$T/bin/" # found next to svd

# real_binary / hanging_binary: what $T/bin/svd is (a new file each time:
# the running one cannot be written)
real_binary() { rm -f "$T/bin/svd"; cp "$T/bin/svd.real" "$T/bin/svd"; }
# answers --state-format as svd does, then hangs in --check
hanging_binary() {
        rm -f "$T/bin/svd"
        cat > "$T/bin/svd" <<EOF
#!/bin/bash
case "\$1" in
--state-format) exec "$T/bin/svd.real" --state-format ;;
--check) echo \$\$ > "$T/out/check.pid.tmp"; mv "$T/out/check.pid.tmp" "$T/out/check.pid"; exec sleep 100 ;;
esac
exit 1
EOF
        chmod 755 "$T/bin/svd"
}
# runs (not a zombie): a process svd killed must not be left running
runs() { [ -r "/proc/$1/stat" ] && [ "$(sed 's/.*) //' "/proc/$1/stat" | cut -d' ' -f1)" != Z ]; }
gone() { ! runs "$1"; }
restarts_at_least() { [ "$(field flap restarts)" -ge "$1" ]; }

real_binary
SVD=$T/bin/svd
service app <<EOF
command: [sleep, "100000"]
EOF
service flap <<EOF
command: [sh, -c, "sleep 0.3; exit 3"]
restart: always
backoff: { initial: 100ms, max: 100ms }
start_limit: { burst: 0 }
EOF
start_svd
wait_state app running
pid_app=$(field app pid)

# 1. --check hangs: svd goes on while the request waits
hanging_binary
rm -f "$T/out/check.pid"
# a client that sends its next request (version) right behind daemon-reexec:
# one reply per request, in order, the second once the first is sent
python3 - "$SOCK" "$T/out/reexec1" <<'EOF' &
import json, socket, struct, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
def frame(o):
    b = json.dumps(o).encode()
    return struct.pack(">I", len(b)) + b
s.sendall(frame({"v": 1, "op": "daemon_reexec"}) + frame({"v": 1, "op": "version"}))
def recv(n):
    buf = b""
    while len(buf) < n:
        c = s.recv(n - len(buf))
        if not c:
            sys.exit("svd closed the connection")
        buf += c
    return buf
with open(sys.argv[2], "w") as f:
    for _ in range(2):
        (n,) = struct.unpack(">I", recv(4))
        f.write(json.dumps(json.loads(recv(n))) + "\n")
EOF
job=$!
wait_for test -s "$T/out/check.pid"
check=$(cat "$T/out/check.pid")
started=$(date +%s)
# another client is answered at once
t0=$(now)
svctl status > /dev/null || fail "status during the checks"
assert_le "$(python3 -c "print($(now) - $t0)")" "$((2 * SCALE))" "status took (s)"
# a service that exits is reaped and started again (a restart is counted
# once its exit is reaped)
r0=$(field flap restarts)
wait_for restarts_at_least $((r0 + 2))
wait_state flap running
# still under way: a second re-exec and a reload are refused
out=$(svctl daemon-reexec 2>&1) && fail "a second daemon-reexec was accepted: $out"
echo "$out" | grep -q "a reload or a re-exec is already under way" || fail "second daemon-reexec: $out"
out=$(svctl reload 2>&1) && fail "a reload was accepted during the checks: $out"
echo "$out" | grep -qi "under way\|busy" || fail "reload: $out"
kill -0 "$job" 2>/dev/null || fail "daemon-reexec answered before its check ended: $(cat "$T/out/reexec1")"
runs "$check" || fail "the check is gone early"
# then refused, as before, at the 15 s bound; then the version reply
wait "$job" || fail "the client got no replies: $(cat "$T/out/reexec1")"
took=$(($(date +%s) - started))
sed -n 1p "$T/out/reexec1" | grep -q -- '"ok": false.*--check did not finish in 15 s; nothing was changed' ||
        fail "replies: $(cat "$T/out/reexec1")"
sed -n 2p "$T/out/reexec1" | grep -q '"ok": true.*"version"' || fail "replies: $(cat "$T/out/reexec1")"
[ "$took" -ge 13 ] || fail "refused after ${took}s, before the bound"
wait_for gone "$check"
assert_eq "$(field app pid)" "$pid_app" "app's pid"
grep -q "restore-fd" "/proc/$SVD_PID/cmdline" && fail "svd was executed again"

# 2. svd stopped during the checks: cancelled, the client told, svd exits
rm -f "$T/out/check.pid"
svctl daemon-reexec > "$T/out/reexec2" 2>&1 &
job=$!
wait_for test -s "$T/out/check.pid"
check=$(cat "$T/out/check.pid")
stop_svd || fail "svd exited with status $?"
wait "$job" && fail "daemon-reexec succeeded during a shutdown: $(cat "$T/out/reexec2")"
grep -q "svd is shutting down" "$T/out/reexec2" || fail "reply: $(cat "$T/out/reexec2")"
grep -q "daemon-reexec cancelled: svd is shutting down" "$T/svd.out" || fail "not logged"
wait_for gone "$check"

# 3. the client goes away during the checks: svd carries on, then refuses
real_binary
start_svd
hanging_binary
rm -f "$T/out/check.pid"
"$SVCTL" -s "$SOCK" daemon-reexec > "$T/out/reexec3" 2>&1 &
client=$!
wait_for test -s "$T/out/check.pid" # (the request is being handled)
check=$(cat "$T/out/check.pid")
kill -0 "$client" 2> /dev/null || fail "daemon-reexec answered during its check: $(cat "$T/out/reexec3")"
kill "$client"
wait "$client" 2> /dev/null || true
wait_for grep -q "went away while its request was still being handled" "$T/svd.out"
svctl status > /dev/null || fail "status after the client left"
stop_svd || fail "svd exited with status $?"
grep -q "the client that asked for it went away; it was refused" "$T/svd.out" || fail "not logged"
wait_for gone "$check"
echo "reexec_async: ok (refused after ${took}s)"

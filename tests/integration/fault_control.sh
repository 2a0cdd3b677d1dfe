#!/bin/bash
# Fault injection on the control socket: 1,000 concurrent connections from
# an unprivileged user (svd accepts up to its limit for one user and answers
# the rest "busy"), more from other users up to the limit minus the slots
# kept for administrators (then every other user is busy), oversized frame headers,
# garbage, a client that pipelines requests and never reads the replies, and
# silent clients freed by the idle timeout. Throughout, root's `svctl status`
# must answer within a deadline; afterwards an unprivileged user's mutating
# requests are all refused and logged.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "needs root to switch users"; exit 77; }
command -v setpriv >/dev/null || { echo "setpriv missing"; exit 77; }
PY=/usr/bin/python3 # the one nobody can run (not a python under /root)
[ -x "$PY" ] || PY=$(command -v python3)

limit() { sed -n "s/^#define $1 \\([0-9]*\\).*/\\1/p" "$TOP_SRCDIR/src/control.h"; }
MAX_CLIENTS=$(limit CONTROL_MAX_CLIENTS)
RESERVE=$(limit CONTROL_ADMIN_RESERVE)
PER_USER=$(limit CONTROL_MAX_PER_USER)
IDLE=$(sed -n 's/^#define CONTROL_IDLE_TIMEOUT \([0-9]*\).*/\1/p' "$TOP_SRCDIR/src/control.h")
[ -n "$MAX_CLIENTS" ] && [ -n "$RESERVE" ] && [ -n "$PER_USER" ] && [ -n "$IDLE" ] || fail "limits not found in control.h"
DEADLINE=${FAULT_STATUS_DEADLINE:-5} # seconds for one svctl status

for i in 1 2 3; do
        service "s$i" <<YAML
command: [sleep, "100000"]
restart: always
YAML
done
start_svd
for i in 1 2 3; do wait_state "s$i" running; done
chmod 755 "$T/run"
cp "$TOP_SRCDIR/tests/helpers/ctlabuse.py" "$T/ctlabuse.py"
chmod 644 "$T/ctlabuse.py"
abuse() { "$PY" "$T/ctlabuse.py" "$@"; }
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
ulimit -n 4096 2>/dev/null || true

# root's status, every 0.1 s, for the whole test: "rc seconds" per line
watch_status() {
        while [ ! -e "$T/watch.stop" ]; do
                local t0 t1 rc=0
                t0=$(date +%s%N)
                timeout "$DEADLINE" "$SVCTL" -s "$SOCK" status > /dev/null 2>> "$T/watch.err" || rc=$?
                t1=$(date +%s%N)
                echo "$rc $(( (t1 - t0) / 1000000 ))" >> "$T/watch.out"
                sleep 0.1
        done
}
watch_status &
WATCH_PID=$!
FLOOD_PID=
MORE_PIDS=
trap 'touch "$T/watch.stop" 2>/dev/null || true; kill $WATCH_PID $FLOOD_PID $MORE_PIDS 2>/dev/null || true
      wait $WATCH_PID $FLOOD_PID $MORE_PIDS 2>/dev/null || true; cleanup' EXIT
check_watch() {
        local bad
        bad=$(awk '$1 != 0' "$T/watch.out" | wc -l)
        [ "$bad" = 0 ] || fail "$1: $bad of $(wc -l < "$T/watch.out") svctl status failed or exceeded ${DEADLINE}s: $(sort -u "$T/watch.err" | head -3)"
}

# ---- 1,000 concurrent connections, never sending, as nobody ----
t_flood=$(date +%s)
as_nobody "$PY" "$T/ctlabuse.py" flood "$SOCK" 1000 "$T/out/flood" $((IDLE + 25)) &
FLOOD_PID=$!
for _ in $(seq 400); do [ -e "$T/out/flood.1" ] && break; sleep 0.1; done
[ -e "$T/out/flood.1" ] || fail "flood: connections not classified in 40 s"
echo "flood: $(cat "$T/out/flood.1")"
"$PY" - "$T/out/flood.1" "$PER_USER" <<'PY' || fail "flood results"
import json, sys
r = json.load(open(sys.argv[1])); want = int(sys.argv[2]); c = r["classes"]
assert r["connected"] == 1000 and not r["connect_errors"], "not all connected: %s" % r
assert c.get("open", 0) == want, "accepted and silent: %d, expected %d" % (c.get("open", 0), want)
assert c.get("other", 0) == 0, "unexpected replies: %s" % r["other_replies"]
refused = sum(v for k, v in c.items() if k != "open")
assert refused == 1000 - want, "refused: %d" % refused
print("flood: %d accepted, %d refused (%d answered busy before the close)" %
      (want, refused, c.get("busy+closed", 0)))
PY
# nobody is now out of its own slots
nuid=$(id -u nobody)
rc=0; as_nobody "$SVCTL" -s "$SOCK" status > /dev/null 2> "$T/busy.err" || rc=$?
[ "$rc" != 0 ] || fail "nobody got a slot beyond its limit"
grep -q "too many connections from uid $nuid (limit $PER_USER for each user other than root" \
        "$T/busy.err" || fail "busy message: $(cat "$T/busy.err")"
# other users (uids with no account) take the rest of the slots that are
# not kept for administrators: each its own share, the last what is left
left=$((MAX_CLIENTS - RESERVE - PER_USER)) uid=60001
while [ "$left" -gt 0 ]; do
        setpriv --reuid=$uid --regid=$uid --clear-groups "$PY" "$T/ctlabuse.py" flood "$SOCK" $((PER_USER + 4)) \
                "$T/out/more$uid" $((IDLE + 25)) &
        MORE_PIDS="$MORE_PIDS $!"
        for _ in $(seq 400); do [ -e "$T/out/more$uid.1" ] && break; sleep 0.1; done
        want=$((left < PER_USER ? left : PER_USER))
        "$PY" - "$T/out/more$uid.1" "$want" <<'PY' || fail "flood of uid $uid"
import json, sys
r = json.load(open(sys.argv[1])); c = r["classes"]
assert c.get("open", 0) == int(sys.argv[2]), "accepted: %s, expected %s" % (r, sys.argv[2])
PY
        left=$((left - want)) uid=$((uid + 1))
done
# every slot but the administrators' is taken: a user with none gets busy
rc=0; setpriv --reuid=$uid --regid=$uid --clear-groups "$SVCTL" -s "$SOCK" status > /dev/null 2> "$T/busy.err" || rc=$?
[ "$rc" != 0 ] || fail "uid $uid got a slot beyond the limit"
grep -q "too many clients (limit $((MAX_CLIENTS - RESERVE)); the other $RESERVE connections are kept for root" \
        "$T/busy.err" || fail "busy message: $(cat "$T/busy.err")"
svctl status > /dev/null || fail "root refused while other users hold their slots"
check_watch "during the flood"

# ---- oversized frames: an error from the header alone, then the close ----
abuse oversize "$SOCK" > "$T/oversize.json" || fail "oversize client failed"
echo "oversize: $(cat "$T/oversize.json")"
"$PY" - "$T/oversize.json" <<'PY' || fail "oversize results"
import json, sys
for r in json.load(open(sys.argv[1])):
    if r["announced"] > 1 << 20:
        assert r["code"] == 2 and "too large" in r["error"] and r["closed"], r
    else:
        assert r["ok"] is True, r
PY

# ---- garbage: every case answered with an error (or closed), svd unharmed ----
abuse garbage "$SOCK" 42 300 > "$T/garbage.json" || fail "garbage client failed (a case got no answer?)"
echo "garbage: $(cat "$T/garbage.json")"
kill -0 "$SVD_PID" 2>/dev/null || fail "svd died on garbage"

# ---- a client that never reads: dropped, and svd never blocks on it ----
abuse noread "$SOCK" 100000 > "$T/noread.json" || fail "noread client failed"
echo "noread: $(cat "$T/noread.json")"
nr_pid=$("$PY" -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["dropped"], r; print(r["pid"])' "$T/noread.json") \
        || fail "the client that never reads was not dropped"
grep -q "dropping client pid $nr_pid: it does not read its replies" "$T/svd.out" || fail "drop not logged"
check_watch "with a client that never reads"

# ---- the silent connections: freed by the idle timeout (${IDLE}s) ----
wait "$FLOOD_PID" || fail "flood client failed"
echo "idle: $(cat "$T/out/flood.2")"
"$PY" - "$T/out/flood.2" "$IDLE" <<'PY' || fail "idle timeout results"
import json, sys
r = json.load(open(sys.argv[1])); idle = float(sys.argv[2])
assert r["still_open"] == 0 and r["closed_by_svd"] == r["accepted"], r
assert r["first_close_s"] >= idle - 1, "closed before the idle timeout: %s" % r
PY
as_nobody "$SVCTL" -s "$SOCK" status > /dev/null || fail "nobody still refused after the idle timeout"

# ---- an unprivileged user's mutating requests: all refused, all logged ----
OPS="start stop restart reopen_logs poweroff reboot halt secret_get secret_set secret_rotate unlock run"
as_nobody "$PY" "$T/ctlabuse.py" denied "$SOCK" $OPS > "$T/denied.json" || fail "denied client failed"
nuid=$(id -u nobody)
checked=0
for op in $OPS; do
        res=$("$PY" -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][sys.argv[2]]; print(r["code"], r["error"])' "$T/denied.json" "$op")
        case "$res" in
        "2 field 'op': unknown operation"*) echo "denied: $op: not an operation of this svd, skipped"; continue ;;
        "3 "*) ;;
        *) fail "$op as nobody: expected code 3 (denied), got: $res" ;;
        esac
        grep -qE "refused $op( [^ ]*)? from uid $nuid " "$T/svd.out" || fail "refusal of $op not logged"
        if [ -f "$T/log/audit.log" ]; then
                grep -qE "uid=$nuid .*op=$op .*result=denied" "$T/log/audit.log" || fail "refusal of $op not in the audit log"
        fi
        checked=$((checked + 1))
done
echo "denied: $checked mutating operations refused to uid $nuid and logged"
for i in 1 2 3; do assert_eq "$(field "s$i" state)" running "s$i after the refused requests"; done

touch "$T/watch.stop"
wait "$WATCH_PID" || true
check_watch "overall"
echo "status during the test: $(wc -l < "$T/watch.out") calls, max $(sort -k2 -n "$T/watch.out" | tail -1 | cut -d' ' -f2) ms"
echo "svd fds at the end: $(ls /proc/$SVD_PID/fd | wc -l); total $(( $(date +%s) - t_flood ))s"
svctl status > /dev/null || fail "status afterwards"
stop_svd || fail "svd exit status"
echo "fault_control: ok"

#!/bin/bash
# svctl events -f sees a stop and a start in order; svctl metrics prints the
# exposition; the audit log records a refused unprivileged request and an
# accepted admin request, with the peer's uid, pid and command.
. "$(dirname "$0")/lib.sh"

service web <<EOF
command: [sleep, "1000"]
EOF
start_svd
wait_state web running

# --- events ---
svctl events --json -n 0 -f > "$T/events.out" 2>"$T/events.err" &
EV=$!
sleep 0.3 # subscribed once its (empty) backlog reply is out
svctl stop web > /dev/null
wait_state web stopped
svctl start web > /dev/null
wait_state web running
wait_for grep -q '"to":"running"' "$T/events.out"
kill "$EV" 2>/dev/null || true
wait "$EV" 2>/dev/null || true
seq=$(python3 -c '
import json, sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    if e["service"] == "web" and e["kind"] == "state":
        print(e["to"])
' "$T/events.out" | tr '\n' ' ')
case "$seq" in
*stopping*stopped*starting*running*) ;;
*) fail "events out of order or missing: '$seq'" ;;
esac
# the ring keeps history: events without -f prints the same transitions
svctl events | grep -q 'web stopping -> stopped' || fail "svctl events history: $(svctl events)"

# --- metrics ---
svctl metrics > "$T/metrics.out"
grep -q '^# TYPE svd_service_up gauge$' "$T/metrics.out" || fail "no TYPE line: $(cat "$T/metrics.out")"
grep -q '^svd_service_up{service="web",slice=""} 1$' "$T/metrics.out" || fail "svd_service_up: $(cat "$T/metrics.out")"
grep -q '^svd_service_restarts_total{service="web",slice=""} 0$' "$T/metrics.out" || fail "restarts"
grep -q '^svd_log_dropped_bytes_total{service="web",slice=""} 0$' "$T/metrics.out" || fail "dropped bytes"

# --- bash completion: commands, and service names from the running svd ---
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/contrib/bash-completion/svctl"
COMP_WORDS=(svctl even); COMP_CWORD=1; _svctl
assert_eq "${COMPREPLY[*]}" "events" "completion of commands"
COMP_WORDS=(svctl stop w); COMP_CWORD=2; _svctl
assert_eq "${COMPREPLY[*]}" "web" "completion of service names"

# --- audit ---
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
        chmod 755 "$T/run"
        rc=0
        setpriv --reuid=nobody --regid=nogroup --clear-groups "$SVCTL" -s "$SOCK" stop web 2>/dev/null || rc=$?
        assert_eq "$rc" "1" "unprivileged stop refused"
        grep -q "uid=$(id -u nobody) .*comm=svctl op=stop name=web result=denied code=3" "$T/log/audit.log" ||
                fail "refusal not audited: $(cat "$T/log/audit.log")"
else
        echo "not root or no setpriv: skipping the unprivileged part"
fi
svctl restart web > /dev/null
grep -q "uid=0 pid=[0-9]* admin=yes comm=svctl op=restart name=web result=ok" "$T/log/audit.log" ||
        fail "accepted request not audited: $(cat "$T/log/audit.log")"
if grep -q "op=status" "$T/log/audit.log"; then fail "a read-only request was audited"; fi
assert_eq "$(stat -c %a "$T/log/audit.log")" "640" "audit.log mode"

# rotation at 1M, keeping 3
head -c $((1024 * 1024)) /dev/zero | tr '\0' 'x' > "$T/log/audit.log"
svctl restart web > /dev/null
[ -f "$T/log/audit.log.1" ] || fail "audit.log not rotated"
[ "$(stat -c %s "$T/log/audit.log")" -lt 4096 ] || fail "audit.log not fresh after rotation"
stop_svd || fail "svd exit status"
echo "events_audit: ok"

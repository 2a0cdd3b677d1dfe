#!/bin/bash
# svctl events -f sees a stop and a start in order; svctl metrics prints the
# exposition; the audit log records a refused unprivileged request and an
# accepted admin request, with the peer's uid, pid and command, and rotates,
# compresses and prunes like a service log (defaults.logging).
. "$(dirname "$0")/lib.sh"

# the audit log follows the services' rotation settings: small files here
sed -i 's/^defaults:$/&\n  logging: { max_size: 2K, max_files: 2, compress: true }/' "$T/etc/svd.yaml"
grep -q 'max_size: 2K' "$T/etc/svd.yaml" || fail "could not set defaults.logging"

service web <<EOF
command: [sleep, "1000"]
EOF
service hc <<EOF
command: [sleep, "1000"]
restart: "no"
healthcheck:
  exec: [test, -f, $T/out/up]
  start_interval: 50ms
  interval: 100ms
  retries: 2
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
# health changes stream too: healthy once the probe passes, unhealthy after
# it fails (retries: 2)
svctl events --json -n 0 -f > "$T/hevents.out" 2>"$T/hevents.err" &
EV=$!
sleep 0.3
touch "$T/out/up"
wait_for grep -q '"kind":"health".*"to":"healthy"' "$T/hevents.out"
rm "$T/out/up"
wait_for grep -q '"kind":"health".*"to":"unhealthy"' "$T/hevents.out"
kill "$EV" 2>/dev/null || true
wait "$EV" 2>/dev/null || true
hseq=$(python3 -c '
import json, sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    if e["service"] == "hc" and e["kind"] == "health":
        print(e["from"] + ">" + e["to"])
' "$T/hevents.out" | tr '\n' ' ')
case "$hseq" in
*">healthy "*"healthy>unhealthy "*) ;;
*) fail "health events out of order or missing: '$hseq'" ;;
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
COMP_WORDS=(svctl top --it); COMP_CWORD=2; _svctl
assert_eq "${COMPREPLY[*]}" "--iterations" "completion of a command's options"
COMP_WORDS=(svctl status --b); COMP_CWORD=2; _svctl
assert_eq "${COMPREPLY[*]}" "--boot" "completion of status --boot"

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

# rotation like a service log: at max_size (2K) to audit.log.<time>Z,
# gzipped, max_files (2) kept; no record is lost or split
for i in $(seq 120); do svctl reopen-logs > /dev/null; done
rotated() { ls "$T/log" | grep -E '^audit\.log\.[0-9]{8}T[0-9]{6}\.[0-9]{6}Z(\.gz)?$' || true; }
two_gz() { [ "$(rotated | grep -c '\.gz$')" = 2 ] && [ "$(rotated | wc -l)" = 2 ]; }
wait_for two_gz
[ "$(stat -c %s "$T/log/audit.log")" -le 2048 ] || fail "audit.log above max_size: $(stat -c %s "$T/log/audit.log")"
ls "$T/log" | grep -q '^audit\.log\.[0-9]$' && fail "numbered audit.log.N files: $(ls "$T/log")"
for f in $(rotated); do
        [ "$(stat -c %a "$T/log/$f")" = 640 ] || fail "$f mode $(stat -c %a "$T/log/$f")"
        zcat "$T/log/$f" > "$T/audit.rot"
        [ "$(stat -c %s "$T/audit.rot")" -le 2048 ] || fail "$f holds more than max_size"
        [ "$(stat -c %s "$T/audit.rot")" -gt 1024 ] || fail "$f rotated early: $(stat -c %s "$T/audit.rot") bytes"
        bad=$(grep -Ecv '^[0-9]{4}-[0-9-]{5}T[0-9:]{8}\.[0-9]{6}Z uid=[0-9]+ pid=[0-9]+ admin=(yes|no) comm=svctl op=[a-z_]+( name=web)? result=(ok|denied code=3 error="[^"]*")$' "$T/audit.rot" || true)
        assert_eq "$bad" "0" "malformed records in $f"
done
# ~11K of records made five files of 2K: the oldest (with the restart
# above) were deleted
if zcat "$T"/log/audit.log.*.gz | grep -q 'op=restart'; then fail "rotated audit logs beyond max_files were kept"; fi
# the newest record is in the current file
svctl reopen-logs > /dev/null
tail -n 1 "$T/log/audit.log" | grep -q 'op=reopen_logs result=ok$' || fail "last record: $(tail -n 1 "$T/log/audit.log")"
stop_svd || fail "svd exit status"
echo "events_audit: ok"

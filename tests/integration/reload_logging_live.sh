#!/bin/bash
# A change to a service file's own logging: section applies to the running
# service at svctl reload, as a change of defaults.logging does: no restart,
# the same pid, and the plan (also --dry-run) and the log say so. Before,
# any change of the file restarted the service. A change elsewhere in the
# file still restarts it.
. "$(dirname "$0")/lib.sh"

svc() {
        service web <<EOF2
command: [sh, -c, 'echo "web $1"; while :; do sleep 0.2; echo tick; done']
logging:
  timestamps: $2
  max_size: $3
  rate_limit: { burst: 100000, interval: 1s }
EOF2
}
svc one true 1M
service other <<EOF2
command: [sleep, "100000"]
EOF2
start_svd
wait_state web running
wait_state other running
pid1=$(field web pid)
wait_for grep -q "web one" "$T/log/web.log"

# only logging: timestamps off, another size, another rate limit
svc one false 2M
sed -i 's/burst: 100000/burst: 50000/' "$T/services/web.yaml"
svctl reload --dry-run > "$T/out/p1" || fail "dry run: $(cat "$T/out/p1")"
grep -qx "keep    web (logging changed, applied live)" "$T/out/p1" || fail "not named as live: $(cat "$T/out/p1")"
grep -q "0 to add, 0 to remove, 0 changed, 2 unchanged" "$T/out/p1" || fail "plan: $(cat "$T/out/p1")"
svctl reload --json --dry-run > "$T/out/j1" || fail "json dry run"
grep -q '"name":"web","action":"keep","why":"logging changed, applied live"' "$T/out/j1" || fail "json: $(cat "$T/out/j1")"
grep -q '"name":"other","action":"keep"}' "$T/out/j1" || fail "other has a why: $(cat "$T/out/j1")"
svctl reload > "$T/out/r1" || fail "reload: $(cat "$T/out/r1")"
wait_for grep -q "reload: done: 0 added, 0 removed, 0 changed, 2 unchanged" "$T/svd.out"
grep -q "web: logging changed, applied live (no restart)" "$T/svd.out" || fail "not logged"
assert_eq "$(field web pid)" "$pid1" "web's pid"
# timestamps: false now applies to the running output: a bare "tick" line
wait_for grep -qx "tick" "$T/log/web.log"

# the same settings written another way: nothing to do, nothing said
sed -i 's/max_size: 2M/max_size: 2048K/' "$T/services/web.yaml"
svctl reload --dry-run > "$T/out/p2" || fail "dry run 2"
! grep -q "web" "$T/out/p2" || fail "an equal logging named: $(cat "$T/out/p2")"

# another file: opened for the next line, the old one stays
sed -i "s|^logging:\$|logging:\n  file: $T/log2/web.log|" "$T/services/web.yaml"
grep -q "file: $T/log2/web.log" "$T/services/web.yaml" || fail "sed"
svctl reload > "$T/out/r2" || fail "reload 2: $(cat "$T/out/r2")"
grep -qx "keep    web (logging changed, applied live)" "$T/out/r2" || fail "file not live: $(cat "$T/out/r2")"
wait_for grep -qx "tick" "$T/log2/web.log"
assert_eq "$(field web pid)" "$pid1" "web's pid after logging.file"
[ -f "$T/log/web.log" ] || fail "the old file is gone"

# a change outside logging: still a restart
svc two false 2M
svctl reload --dry-run > "$T/out/p3" || fail "dry run 3"
grep -qx "change  web (service file)" "$T/out/p3" || fail "not a change: $(cat "$T/out/p3")"
svctl reload > /dev/null || fail "reload 3"
wait_for grep -q "reload: done: 0 added, 0 removed, 1 changed, 1 unchanged" "$T/svd.out"
wait_for grep -q "web two" "$T/log/web.log"
[ "$(field web pid)" != "$pid1" ] || fail "web not restarted"
stop_svd || fail "svd exit status"
echo "reload_logging_live: ok"

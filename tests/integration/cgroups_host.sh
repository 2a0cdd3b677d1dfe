#!/bin/bash
# A host without usable cgroup v2 controllers (hybrid or v1 layout, like the
# development and CI machines): `cgroups:` in svd.yaml decides. required: svd
# refuses to start and says why. optional, or the default when not PID 1: svd
# runs every service, says once that limits are off, and `svctl status` warns
# on each service that asked for limits (only those). The default as PID 1 is
# required: svd, PID 1 of a PID namespace, stays up in its emergency state
# with the cause. Nothing is created or written in the host's cgroups.
. "$(dirname "$0")/lib.sh"
own=$(sed -n 's/^0:://p' /proc/self/cgroup)
mnt=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
if [ -n "$mnt" ] && grep -qw memory "$mnt$own/cgroup.controllers" 2>/dev/null &&
        grep -qw pids "$mnt$own/cgroup.controllers"; then
        echo "this host has cgroup v2 controllers (tests/vm/cgroups.sh covers it)"
        exit 77
fi

service limited <<EOF
command: [sleep, "100000"]
resources: { memory_max: 64M, pids_max: 16 }
EOF
service plain <<EOF
command: [sleep, "100000"]
EOF

# required: a clear refusal, no service started
cp "$T/etc/svd.yaml" "$T/etc/base.yaml"
echo "cgroups: required" >> "$T/etc/svd.yaml"
rc=0
timeout 20 "$SVD" -c "$T/etc/svd.yaml" > "$T/svd.out" 2>&1 || rc=$?
[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] || fail "svd with cgroups: required: exit status $rc"
grep -q 'cgroups are required (cgroups: required) but unavailable: no cgroup v2 memory/pids controllers at ' "$T/svd.out" ||
        fail "no refusal: $(cat "$T/svd.out")"
! grep -q 'limited: stopped -> starting' "$T/svd.out" || fail "a service started"

# optional (and the default, not PID 1): runs, with a warning per limited service
for mode in optional default; do
        cp "$T/etc/base.yaml" "$T/etc/svd.yaml"
        [ "$mode" = default ] || echo "cgroups: $mode" >> "$T/etc/svd.yaml"
        start_svd
        wait_state limited running
        wait_state plain running
        grep -q 'cgroups unavailable, services run without resource limits: no cgroup v2 memory/pids controllers' "$T/svd.out" ||
                fail "$mode: no warning in the log"
        svctl status limited > "$T/status.out"
        grep -q '^  warning: *resource limits not applied: no cgroup v2 memory/pids controllers' "$T/status.out" ||
                fail "$mode: svctl status limited: $(cat "$T/status.out")"
        svctl status plain > "$T/status.out"
        ! grep -q 'warning:' "$T/status.out" || fail "$mode: plain warned: $(cat "$T/status.out")"
        svctl status --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
s = {x["name"]: x for x in d["services"]}
assert s["limited"]["warnings"][0].startswith("resource limits not applied: "), s["limited"]
assert "warnings" not in s["plain"], s["plain"]
assert "cgroup" not in s["limited"] and "memory_current" not in s["limited"], s["limited"]
assert "slices" not in d and "cgroup_spawn" not in d, d
' || fail "$mode: status --json"
        # svctl top still works, without figures: "-" in the table, null
        # (not -1) in --json
        svctl top -n 1 > "$T/top.out" || fail "svctl top"
        grep -Eq '^limited +running +- +- +- +- +- ' "$T/top.out" || fail "top: $(cat "$T/top.out")"
        svctl top -n 1 --json > "$T/top.json" || fail "svctl top --json"
        python3 - "$T/top.json" <<'PY' || fail "$mode: top --json: $(cat "$T/top.json")"
import json, sys
r = {x["name"]: x for x in json.load(open(sys.argv[1]))}["limited"]
assert r["kind"] == "service" and r["memory_current"] is None and r["pids_current"] is None, r
assert r["cpu_percent"] is None and r["memory_peak"] is None, r
PY
        stop_svd || fail "$mode: svd exit status"
done
[ -z "$mnt" ] || [ ! -e "$mnt$own/svd" ] || fail "svd created $mnt$own/svd in the host's hierarchy"

# the default as PID 1 is required: the emergency state names the cause
if [ "$(id -u)" = 0 ] && unshare --pid --fork --mount-proc true 2>/dev/null; then
        cp "$T/etc/base.yaml" "$T/etc/svd.yaml"
        unshare --pid --fork --mount-proc "$SVD" -c "$T/etc/svd.yaml" > "$T/svd.out" 2>&1 &
        UNSHARE=$!
        ns_svd "$UNSHARE"
        wait_for grep -q 'EMERGENCY: startup failed' "$T/svd.out"
        svctl status > "$T/status.out" || fail "svctl status as PID 1"
        grep -q '^EMERGENCY (for .*): startup failed: cgroups are required (cgroups: auto, as PID 1) but unavailable: ' "$T/status.out" ||
                fail "PID 1: $(cat "$T/status.out")"
        svctl reboot > /dev/null || fail "svctl reboot"
        wait "$UNSHARE" || true
        SVD_PID=
else
        echo "skipped the PID 1 case: unshare --pid not permitted here"
fi
echo "cgroups_host: ok"

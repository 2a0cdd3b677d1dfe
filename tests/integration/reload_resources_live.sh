#!/bin/bash
# A change to a service file's resources: only is applied to the running
# service at svctl reload (its cgroup leaf, where svd has cgroups; the
# limits themselves are checked in the VM: tests/vm/cgroup_reload_live.sh):
# no restart, the same pid, and the plan (also --dry-run) and the log say
# so. The same limits written another way are no change; a change elsewhere
# in the file still restarts it. Before, any change of resources: restarted
# the service.
. "$(dirname "$0")/lib.sh"

svc() {
        service web <<EOF2
command: [sleep, "$1"]
resources: { memory_max: $2, pids_max: 64 }
EOF2
}
svc 100000 512M
start_svd
wait_state web running
pid1=$(field web pid)

svc 100000 1G
svctl reload --dry-run > "$T/out/p1" || fail "dry run: $(cat "$T/out/p1")"
grep -qx "keep    web (resources changed, applied live)" "$T/out/p1" || fail "not named as live: $(cat "$T/out/p1")"
grep -q "0 to add, 0 to remove, 0 changed, 1 unchanged" "$T/out/p1" || fail "plan: $(cat "$T/out/p1")"
svctl reload > "$T/out/r1" || fail "reload: $(cat "$T/out/r1")"
wait_for grep -q "reload: done: 0 added, 0 removed, 0 changed, 1 unchanged" "$T/svd.out"
grep -q "web: resources changed, applied live (no restart)" "$T/svd.out" || fail "not logged"
assert_eq "$(field web pid)" "$pid1" "web's pid"

# the same limit written another way: nothing to do, nothing said
svc 100000 1048576K
svctl reload --dry-run > "$T/out/p2" || fail "dry run 2"
! grep -q "web" "$T/out/p2" || fail "an equal limit named: $(cat "$T/out/p2")"

# logging too: both named
svc 100000 2G
printf 'logging: { timestamps: false }\n' >> "$T/services/web.yaml"
svctl reload --dry-run > "$T/out/p3" || fail "dry run 3"
grep -qx "keep    web (logging and resources changed, applied live)" "$T/out/p3" || fail "both: $(cat "$T/out/p3")"

# resources and the command: a restart, as before
svc 200000 3G
svctl reload --dry-run > "$T/out/p4" || fail "dry run 4"
grep -qx "change  web (service file)" "$T/out/p4" || fail "not a change: $(cat "$T/out/p4")"

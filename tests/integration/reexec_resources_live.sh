#!/bin/bash
# A service file changed only in its resources: before a daemon-reexec: the
# running service's cgroup leaf still holds the older limits, so the next
# reload applies the file's live, as it would without the re-exec (no
# restart, the same pid; in a VM with cgroup v2, `make check-vm`, the leaf's
# memory.max too), also after a second re-exec before that reload. Before, the new instance
# took the file's resources for the running ones: the reload found nothing
# to do and the older limits stayed until the next restart. A change
# elsewhere in a file is still a restart.
. "$(dirname "$0")/lib.sh"

service web <<EOF2
command: [sleep, "100000"]
resources: { memory_max: 512M, pids_max: 64 }
EOF2
service api <<EOF2
command: [sleep, "100000"]
resources: { memory_max: 512M }
EOF2
service same <<EOF2
command: [sleep, "100000"]
resources: { memory_max: 512M }
EOF2
start_svd
for s in web api same; do wait_state $s running; done
web1=$(field web pid)
same1=$(field same pid)
sed -i 's/512M/1G/' "$T/services/web.yaml"
printf 'command: [sleep, "100001"]\nresources: { memory_max: 1G }\n' > "$T/services/api.yaml"
n=0
for i in 1 2; do
        svctl daemon-reexec > /dev/null || fail "daemon-reexec $i"
        n=$((n + 1))
        wait_for sh -c "[ \$(grep -c 'daemon-reexec: .* services taken over' $T/svd.out) -ge $n ]"
        wait_for svctl status > /dev/null
done
grep -q "web: its definition changed on disk" "$T/svd.out" && fail "web marked as running an older definition"
grep -q "web: its resources changed on disk; svctl reload applies them live" "$T/svd.out" || fail "web's change not said"
cg=
grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null && cg=$(field web cgroup)
[ -z "$cg" ] || assert_eq "$(cat "$cg/memory.max")" 536870912 "web's memory.max before the reload"
grep -q "api: its definition changed on disk" "$T/svd.out" || fail "api's change not seen"
svctl reload --dry-run > "$T/out/p" || fail "dry run: $(cat "$T/out/p")"
grep -qx "keep    web (resources changed, applied live)" "$T/out/p" || fail "plan: $(cat "$T/out/p")"
grep -qx "change  api (running an older definition, taken over by svd)" "$T/out/p" || fail "plan (api): $(cat "$T/out/p")"
grep -q "same" "$T/out/p" && fail "same named: $(cat "$T/out/p")"
svctl reload > /dev/null || fail "reload"
wait_for grep -q "reload: done: 0 added, 0 removed, 1 changed, 2 unchanged" "$T/svd.out"
grep -q "web: resources changed, applied live (no restart)" "$T/svd.out" || fail "not applied live: $(grep web: "$T/svd.out")"
assert_eq "$(field web pid)" "$web1" "web's pid"
assert_eq "$(field same pid)" "$same1" "same's pid"
[ -z "$cg" ] || assert_eq "$(cat "$cg/memory.max")" 1073741824 "web's memory.max after the reload"
# applied: the next reload has nothing left to do for it
svctl reload --dry-run > "$T/out/p2" || fail "dry run 2"
grep -q "web" "$T/out/p2" && fail "web named again: $(cat "$T/out/p2")"
stop_svd || fail "svd exit status"
echo "reexec_resources_live: ok"

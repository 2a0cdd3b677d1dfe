#!/bin/bash
# A slice a reload removes while its cgroup still holds processes (here a
# removed service's leaf that a killed svd left running, as after a crash)
# stays at the switch, logged with what is left, and goes once it is empty,
# with the slice above it that it kept, also after a daemon-reexec. Before, it was tried once, at the
# switch, and its directory stayed for good. In a VM with a pure cgroup v2
# hierarchy (run by `make check-vm`).
. "$(dirname "$0")/../integration/lib.sh"
grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null || { echo "not in a cgroup v2 VM"; exit 77; }
echo "cgroups: required" >> "$T/etc/svd.yaml"

cat > "$T/cgroups/web.yaml" <<EOF2
memory_max: 200M
EOF2
cat > "$T/cgroups/api.yaml" <<EOF2
parent: web
EOF2
service app <<EOF2
command: [sleep, "100000"]
slice: api
EOF2
start_svd
wait_state app running 30
leaf=$(field app cgroup)
api=$(dirname "$leaf")
web=$(dirname "$api")
assert_eq "$(basename "$web")/$(basename "$api")" "web.slice/api.slice" "slice directories"

# a leaf of a service no longer configured, still running
mkdir "$api/old.service"
sleep 100001 &
stray=$!
echo "$stray" > "$api/old.service/cgroup.procs"

rm "$T/services/app.yaml" "$T/cgroups/api.yaml" "$T/cgroups/web.yaml"
svctl reload > "$T/reload.out" 2>&1 || fail "reload: $(cat "$T/reload.out")"
wait_for grep -q "reload: done" "$T/svd.out"
[ ! -d "$leaf" ] || fail "app's leaf $leaf left behind"
wait_for grep -qF "cgroup: $api (slice api, removed by the reload) is not empty: old.service (1 process); removed once it is" "$T/svd.out"
[ -d "$api" ] || fail "api.slice removed with a process in it"
[ -d "$web" ] || fail "web.slice removed with api.slice in it"

kill "$stray"
wait "$stray" 2>/dev/null || true
wait_for test ! -d "$web"
[ ! -d "$api" ] || fail "$api still there"
wait_for grep -qF "cgroup: removed $api (slice api, no longer configured), empty now" "$T/svd.out"
wait_for grep -qF "cgroup: removed $web (slice web, no longer configured), empty now" "$T/svd.out"

# the same across a daemon-reexec: the new instance's sweep finds it kept
cat > "$T/cgroups/db.yaml" <<EOF2
pids_max: 100
EOF2
svctl reload > "$T/reload.out" 2>&1 || fail "reload: $(cat "$T/reload.out")"
db=$(dirname "$web")/db.slice
wait_for test -d "$db"
mkdir "$db/old2.service"
sleep 100002 &
stray=$!
echo "$stray" > "$db/old2.service/cgroup.procs"
rm "$T/cgroups/db.yaml"
svctl reload > "$T/reload.out" 2>&1 || fail "reload: $(cat "$T/reload.out")"
wait_for grep -qF "cgroup: $db (slice db, removed by the reload) is not empty: old2.service (1 process)" "$T/svd.out"
svctl daemon-reexec > /dev/null || fail "daemon-reexec"
wait_for grep -qF "cgroup: $db is no longer in the configuration but holds processes; left there until it is empty" "$T/svd.out"
wait_for svctl status
kill "$stray"
wait "$stray" 2>/dev/null || true
wait_for test ! -d "$db"
stop_svd || fail "svd exit status"
echo "cgroup_slice_gone: ok"

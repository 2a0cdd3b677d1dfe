#!/bin/bash
# Slices stay in svd's cgroup subtree when svd stops (only the services'
# leaves go); one removed from the configuration while no svd ran goes at
# the next start, in a VM with a pure cgroup v2 hierarchy (run by `make
# check-vm`): after a killed svd, a slice with the slice below it and the
# empty leaves of removed services; after an orderly stop, a slice. A
# removed slice that still holds a process stays (logged), as do a cgroup
# of another name an operator made in the subtree and what is still
# configured.
. "$(dirname "$0")/../integration/lib.sh"
grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null || { echo "not in a cgroup v2 VM"; exit 77; }
echo "cgroups: required" >> "$T/etc/svd.yaml"

for s in web kept busy; do echo "memory_max: 100M" > "$T/cgroups/$s.yaml"; done
echo "parent: web" > "$T/cgroups/api.yaml"
service app <<EOF2
command: [sleep, "100000"]
slice: api
EOF2
service gone <<EOF2
command: [sleep, "100000"]
slice: kept
EOF2
service stay <<EOF2
command: [sleep, "100000"]
slice: kept
EOF2
service other <<EOF2
command: [sleep, "100000"]
EOF2
start_svd
for s in app gone stay other; do wait_state $s running 30; done
leaf=$(field app cgroup)
api=$(dirname "$leaf")
web=$(dirname "$api")
root=$(dirname "$web")
stay_leaf=$(field stay cgroup)
kept=$(dirname "$stay_leaf")
gone_leaf=$(field gone cgroup)
assert_eq "$(basename "$web")/$(basename "$api")" "web.slice/api.slice" "slice directories"
busy=$root/busy.slice
[ -d "$busy" ] || fail "slice busy's $busy not made"
# a process of the operator's own in slice busy, and a cgroup of another name
mkdir "$busy/mine"
sleep 100000 &
held=$!
echo "$held" > "$busy/mine/cgroup.procs" || fail "cannot move a process into $busy/mine"
mkdir "$root/operator"

# svd killed, then the processes of app and gone end: their leaves are left
pids="$(field app pid) $(field gone pid)"
kill -KILL "$SVD_PID"
wait "$SVD_PID" 2> /dev/null || true
SVD_PID=
kill -KILL $pids
empty() { grep -qx "populated 0" "$1/cgroup.events"; }
wait_for empty "$leaf"
wait_for empty "$gone_leaf"
rm "$T/services/app.yaml" "$T/services/gone.yaml" "$T/cgroups/api.yaml" "$T/cgroups/web.yaml" "$T/cgroups/busy.yaml"
start_svd
wait_state stay running 30
wait_state other running 30
[ ! -d "$leaf" ] || fail "app's leaf $leaf left behind"
[ ! -d "$api" ] || fail "slice api's $api left behind"
[ ! -d "$web" ] || fail "slice web's $web left behind"
[ ! -d "$gone_leaf" ] || fail "gone's leaf $gone_leaf left behind"
grep -q "cgroup: removed $web, no longer in the configuration" "$T/svd.out" || fail "the removal of $web not logged"
[ -d "$busy/mine" ] || fail "slice busy's $busy went with a process in it"
grep -q "cgroup: $busy is no longer in the configuration but holds processes; left there" "$T/svd.out" ||
        fail "the busy slice not logged"
[ -d "$root/operator" ] || fail "the operator's cgroup $root/operator went"
[ -d "$kept" ] || fail "slice kept's $kept went"
[ -d "$stay_leaf" ] || fail "stay's leaf went"

# an orderly stop: the leaves go, slice kept stays until a start without it
stop_svd || fail "svd exit status"
[ -d "$kept" ] || fail "slice kept's $kept went at the stop"
rm "$T/services/stay.yaml" "$T/cgroups/kept.yaml"
start_svd
wait_state other running 30
[ ! -d "$kept" ] || fail "slice kept's $kept left behind after the orderly stop"
[ -d "$(field other cgroup)" ] || fail "other's leaf is missing"
stop_svd || fail "svd exit status"
kill -KILL "$held"
wait "$held" 2> /dev/null || true
echo "cgroup_stale: ok"

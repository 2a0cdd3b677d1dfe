#!/bin/bash
# An OOM kill in a run is the cause of the main process's end only if it
# was the main process the kernel killed, in a VM with a pure cgroup v2
# hierarchy (run by `make check-vm`): a main process that outlived the OOM
# kill of its child, then was killed with a plain kill -9 (an operator's),
# ended "killed by SIGKILL", not "(OOM killer)"; a main process that is
# itself OOM-killed still is. Before, any SIGKILL after an OOM kill in the
# run was reported as the OOM killer's.
. "$(dirname "$0")/../integration/lib.sh"
grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null || { echo "not in a cgroup v2 VM"; exit 77; }
echo "cgroups: required" >> "$T/etc/svd.yaml"

# its child is OOM-killed; the main process lives on (the same pid: exec)
service d <<EOF
command: [/bin/sh, -c, 'python3 -c "b = bytearray(200 * 1024 * 1024)"; touch $T/out/d.ready; exec sleep 100000']
resources: { memory_max: 50M, memory_swap_max: 0 }
restart: "no"
EOF
# the main process itself runs out of memory once told to
service e <<EOF
command: [/bin/sh, -c, 'while [ ! -e $T/out/e.go ]; do sleep 0.1; done; exec python3 -c "b = bytearray(200 * 1024 * 1024)"']
resources: { memory_max: 50M, memory_swap_max: 0 }
restart: "no"
EOF
start_svd
wait_state d running 30
wait_state e running 30
wait_for test -e "$T/out/d.ready"
wait_field d oom_kills 1 60
pid=$(field d pid)
kill -KILL "$pid"
wait_for grep -q "d: running -> .*killed by SIGKILL" "$T/svd.out"
assert_eq "$(field d last_exit)" "killed by SIGKILL" "d: last exit (an operator's kill -9)"
assert_eq "$(field d oom_kills)" 1 "d: OOM kills"

touch "$T/out/e.go"
wait_for grep -q "e: running -> .*killed by SIGKILL" "$T/svd.out"
assert_eq "$(field e last_exit)" "killed by SIGKILL (OOM killer)" "e: last exit (its own OOM kill)"
stop_svd || fail "svd exit status"
echo "oom_not_main: ok"

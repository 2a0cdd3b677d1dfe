#!/bin/bash
# An OOM kill while a service is stopping is reported as one, in a VM with a
# pure cgroup v2 hierarchy (run by `make check-vm`): after STOPPING=1 (a
# failure: "killed by SIGKILL (OOM killer) after STOPPING=1") and during a
# `svctl stop` (its SIGTERM handler runs out of memory). svd's own SIGKILL
# at the stop timeout is not the OOM killer's, even with an OOM kill of
# another process of the run counted before. The OOM cause used to be
# dropped for every exit while stopping. Across a daemon-reexec the last
# exit keeps its cause, and an OOM kill of an earlier run is not taken for
# the current run's.
. "$(dirname "$0")/../integration/lib.sh"
grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null || { echo "not in a cgroup v2 VM"; exit 77; }
echo "cgroups: required" >> "$T/etc/svd.yaml"

# announces STOPPING=1 once $T/out/a.stop exists, then allocates 200 MiB
# once $T/out/a.oom exists
service a <<EOF
type: notify
command:
  - python3
  - -c
  - |
    import os, socket, time
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    addr = os.environ["NOTIFY_SOCKET"]
    s.sendto(b"READY=1", addr)
    while not os.path.exists("$T/out/a.stop"): time.sleep(0.05)
    s.sendto(b"STOPPING=1", addr)
    while not os.path.exists("$T/out/a.oom"): time.sleep(0.05)
    b = bytearray(200 * 1024 * 1024)
    time.sleep(1000)
resources: { memory_max: 50M, memory_swap_max: 0 }
restart: "no"
stop: { timeout: 5m }
EOF
# allocates 200 MiB when told to stop
service b <<EOF
command:
  - python3
  - -c
  - |
    import signal, time
    def term(n, f):
        b = bytearray(200 * 1024 * 1024)
        time.sleep(1000)
    signal.signal(signal.SIGTERM, term)
    open("$T/out/b.ready", "w").close()
    while True: time.sleep(1000)
resources: { memory_max: 50M, memory_swap_max: 0 }
stop: { timeout: 5m }
EOF
# a child is OOM-killed while it runs; the main process ignores SIGTERM and
# is ended by svd's SIGKILL at the stop timeout
service c <<EOF
command: [/bin/sh, -c, 'trap "" TERM; python3 -c "b = bytearray(200 * 1024 * 1024)"; while :; do sleep 1 || :; done']
resources: { memory_max: 50M, memory_swap_max: 0 }
stop: { timeout: 1s }
EOF

start_svd
wait_state a running 30
wait_state b running 30
wait_for test -e "$T/out/b.ready"
wait_field c oom_kills 1 60

# after STOPPING=1
touch "$T/out/a.stop"
wait_state a stopping 30
touch "$T/out/a.oom"
wait_state a failed 60
[ "$(field a oom_kills)" -ge 1 ] || fail "a: no OOM kill counted"
assert_eq "$(field a last_exit)" "killed by SIGKILL (OOM killer)" "a: last exit"
assert_eq "$(field a reason)" "killed by SIGKILL (OOM killer) after STOPPING=1" "a: reason"

# during svctl stop
svctl stop b >/dev/null || fail "svctl stop b"
wait_state b stopped 60
[ "$(field b oom_kills)" -ge 1 ] || fail "b: no OOM kill counted"
assert_eq "$(field b last_exit)" "killed by SIGKILL (OOM killer)" "b: last exit"

# svd's SIGKILL at the stop timeout
svctl stop c >/dev/null || fail "svctl stop c"
wait_state c stopped 30
grep -q "c: did not stop within its timeout, sending SIGKILL" "$T/svd.out" || fail "c: no SIGKILL from svd"
assert_eq "$(field c last_exit)" "killed by SIGKILL" "c: last exit"

# across a daemon-reexec: a's last exit still names the OOM killer, and b,
# started again (its earlier run's OOM kill counted), killed by a plain
# SIGKILL is not said to be the OOM killer's
svctl start b >/dev/null || fail "svctl start b"
wait_state b running 30
bpid=$(field b pid)
svctl daemon-reexec > /dev/null || fail "svctl daemon-reexec"
wait_for grep -q 'daemon-reexec: [0-9]* services taken over' "$T/svd.out"
assert_eq "$(field a last_exit)" "killed by SIGKILL (OOM killer)" "a: last exit after the re-exec"
kill -KILL "$bpid"
wait_for grep -q "b: running -> backoff: killed by SIGKILL;" "$T/svd.out"
assert_eq "$(field b last_exit)" "killed by SIGKILL" "b: last exit of its second run"
stop_svd || fail "svd exit status"
echo "oom_stopping: ok"

#!/bin/bash
# start_when: on a host where svd runs without cgroups, a service held by its
# start gate (memory_available, memory_pressure_below) is checked again
# after a daemon-reexec, after a reload (its definition unchanged, or
# changed while it waits) and after svd was killed and started again (the
# services taken over from the state file): it starts, and its dependent
# after it, as soon as the condition holds. Runs in a private mount
# namespace where /proc/meminfo and /proc/pressure/memory are files the test
# writes, so the conditions are driven without touching the host's memory.
SVD_PRIVATE_MOUNTS=1
. "$(dirname "$0")/lib.sh"
[ -r /proc/pressure/memory ] || { echo "no PSI on this kernel"; exit 77; }
cleanup_ns() { umount /proc/meminfo /proc/pressure/memory 2>/dev/null || true; }
trap 'cleanup_ns; cleanup' EXIT

# mem AVAIL_KB / psi AVG10: what svd reads next (written in place: the
# bind mount stays on the same inode)
mem() {
        printf 'MemTotal:        8000000 kB\nMemFree:          100000 kB\nMemAvailable:   %8d kB\n' "$1" > "$T/out/meminfo"
}
psi() {
        printf 'some avg10=%s avg60=0.00 avg300=0.00 total=0\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n' "$1" > "$T/out/psi"
}
mem 1000000
psi 50.00
mount --bind "$T/out/meminfo" /proc/meminfo || { echo "cannot bind-mount over /proc/meminfo"; exit 77; }
mount --bind "$T/out/psi" /proc/pressure/memory || { echo "cannot bind-mount over /proc/pressure/memory"; exit 77; }
grep -q 'MemAvailable:    1000000 kB' /proc/meminfo || fail "the fake /proc/meminfo is not read"

service big <<EOF
command: [sleep, "100000"]
start_when: { memory_available: 2G }
EOF
service after_big <<EOF
command: [sleep, "100000"]
depends_on: [big]
EOF
service calm <<EOF
command: [sleep, "100000"]
start_when: { memory_pressure_below: 10 }
EOF

# gated: waiting, with the reason; the dependent waits behind it
waiting() {
        wait_state big waiting
        wait_state calm waiting
        wait_state after_big waiting
        wait_for sh -c "$SVCTL -s $SOCK status --json | jq -r '.services[] | select(.name==\"big\") | .reason' | grep -q '^waiting (memory): 2G available needed, 1000000K available'"
        wait_for sh -c "$SVCTL -s $SOCK status --json | jq -r '.services[] | select(.name==\"calm\") | .reason' | grep -q '^waiting (memory pressure): some avg10 50.00%'"
}
# released: the conditions hold now; the 1 s recheck starts them
release() {
        mem 4000000
        psi 0.00
        wait_state big running 5
        wait_state after_big running 5
        wait_state calm running 5
}
reset() {
        for n in after_big big calm; do svctl stop $n >/dev/null; done
        for n in big calm after_big; do wait_state $n stopped; done
        mem 1000000
        psi 50.00
        svctl start after_big >/dev/null
        svctl start calm >/dev/null
        waiting
}

start_svd
waiting

# 1. daemon-reexec while they wait: still waiting (the condition has not
# changed), then started once it holds
svctl daemon-reexec >/dev/null
wait_for sh -c "grep -q 'daemon-reexec: [0-9]* services taken over' $T/svd.out"
waiting
release
grep -q 'cgroups unavailable' "$T/svd.out" || fail "svd ran with cgroups: this test is about running without"

# 2. the condition holds already when the new instance takes over
reset
svctl daemon-reexec >/dev/null
mem 4000000
psi 0.00
wait_state big running 5
wait_state after_big running 5
wait_state calm running 5

# 3. a reload with their definitions unchanged
reset
svctl reload >/dev/null
waiting
release

# 4. a reload changing a waiting service's threshold (still unmet), then
# met; then one lowering it below what is available starts it
reset
sed -i 's/memory_available: 2G/memory_available: 3G/' "$T/services/big.yaml"
svctl reload >/dev/null
wait_for sh -c "$SVCTL -s $SOCK status --json | jq -r '.services[] | select(.name==\"big\") | .reason' | grep -q '^waiting (memory): 3G available needed'"
wait_state after_big waiting
release
svctl stop after_big >/dev/null
svctl stop big >/dev/null
wait_state big stopped
mem 1000000
svctl start after_big >/dev/null
wait_state big waiting
sed -i 's/memory_available: 3G/memory_available: 512M/' "$T/services/big.yaml"
svctl reload >/dev/null
wait_state big running 5
wait_state after_big running 5
sed -i 's/memory_available: 512M/memory_available: 2G/' "$T/services/big.yaml"
svctl reload >/dev/null

# 5. svd killed while they wait: the next svd takes them over from its
# state file and checks them again
reset
kill -KILL "$SVD_PID"
wait "$SVD_PID" 2>/dev/null || true
SVD_PID=
start_svd
wait_for grep -q 'services taken over from its state' "$T/svd.out"
waiting
release
stop_svd

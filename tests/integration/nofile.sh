#!/bin/bash
# svd's own descriptors (about five per service: the log pipes' two ends
# each, the log file) must not run out at the soft RLIMIT_NOFILE it was
# started with (1024 for PID 1 and under systemd): svd raises its own soft
# limit to the hard one. Its services still start with the soft limit svd
# was started with, but (svd being root) with a hard limit of 524288 (at most
# fs.nr_open) that a database can raise its soft limit to, not the 4096 of
# PID 1 (tests/vm/nofile_pid1.sh: as PID 1), unless limits.nofile says otherwise, and keep that across a
# daemon-reexec (whose new instance starts with the raised limit). svd's
# own helper svd-fdstore keeps the raised limit.
. "$(dirname "$0")/lib.sh"
hard=$(ulimit -Hn)
[ "$hard" = unlimited ] || [ "$hard" -ge 4096 ] || { echo "hard limit $hard too low for the test"; exit 77; }
# what the kernel gives PID 1, with a lower soft limit to run out sooner
ulimit -Sn 200 && ulimit -Hn 4096 || { echo "cannot lower the limits"; exit 77; }
# (without CAP_SYS_RESOURCE, in a container too, svd may not raise a hard
# limit: services keep the 4096 and start all the same)
want_hard=4096
if (ulimit -Hn 4097) 2> /dev/null; then
        want_hard=$(cat /proc/sys/fs/nr_open)
        [ "$want_hard" -le 524288 ] || want_hard=524288
fi
for i in $(seq 60); do
        service "s$i" <<EOF2
command: [/bin/sleep, "100000"]
EOF2
done
service own <<EOF2
command: [/bin/sh, -c, 'grep "^Max open files" /proc/self/limits > $T/out/own.\$\$; exec sleep 100000']
EOF2
# a database raising its own soft limit up to the hard one
service db <<EOF2
command: [/bin/sh, -c, 'ulimit -Sn $want_hard && grep "^Max open files" /proc/self/limits > $T/out/db.\$\$; exec sleep 100000']
EOF2
service set <<EOF2
command: [/bin/sh, -c, 'grep "^Max open files" /proc/self/limits > $T/out/set.\$\$; exec sleep 100000']
limits: { nofile: 300 }
EOF2
start_svd
for i in 1 30 60; do wait_state "s$i" running; done
wait_state own running
wait_state set running
wait_state db running
n=$(svctl status --json | python3 -c 'import json,sys; print(sum(s["state"] == "running" for s in json.load(sys.stdin)["services"]))')
assert_eq "$n" "63" "services running"
grep -q "Too many open files" "$T/svd.out" && fail "svd ran out of descriptors"
soft=$(awk '/^Max open files/ {print $4}' /proc/$SVD_PID/limits)
[ "$soft" != 200 ] || fail "svd's own soft limit is still 200"
# svd-fdstore holds a copy of every log pipe: svd's limit, not the services'
fds=$(pgrep -P "$SVD_PID" -x svd-fdstore) || fail "no svd-fdstore"
assert_eq "$(awk '/^Max open files/ {print $4}' "/proc/$fds/limits")" "$soft" "svd-fdstore's soft limit"
check_limits() { # SERVICE SOFT HARD
        local f
        f=$(ls -t "$T"/out/"$1".* | head -n 1)
        read -r _ _ _ s h _ < "$f"
        assert_eq "$s" "$2" "$1's soft limit on open files ($(cat "$f"))"
        assert_eq "$h" "$3" "$1's hard limit on open files ($(cat "$f"))"
}
assert_eq "$(awk '/^Max open files/ {print $5}' /proc/$SVD_PID/limits)" 4096 "svd's own hard limit"
check_limits own 200 "$want_hard"
check_limits set 300 300
check_limits db "$want_hard" "$want_hard"
svctl daemon-reexec > /dev/null || fail "daemon-reexec"
wait_for grep -q "daemon-reexec: 63 services taken over" "$T/svd.out"
rm -f "$T"/out/own.*
svctl restart own > /dev/null || fail "restart own"
wait_for sh -c "ls $T/out/own.* >/dev/null 2>&1"
sleep 0.2
check_limits own 200 "$want_hard"
stop_svd || fail "svd exit status"
echo "nofile: ok"

#!/bin/bash
# svd's own descriptors (about five per service: the log pipes' two ends
# each, the log file) must not run out at the soft RLIMIT_NOFILE it was
# started with (1024 for PID 1 and under systemd): svd raises its own soft
# limit to the hard one. Its services still start with the limit svd was
# started with, unless limits.nofile says otherwise, and keep that across a
# daemon-reexec (whose new instance starts with the raised limit). svd's
# own helper svd-fdstore keeps the raised limit.
. "$(dirname "$0")/lib.sh"
ulimit -Sn 200 || { echo "cannot lower the soft limit"; exit 77; }
hard=$(ulimit -Hn)
[ "$hard" = unlimited ] || [ "$hard" -ge 600 ] || { echo "hard limit $hard too low for the test"; exit 77; }
for i in $(seq 60); do
        service "s$i" <<EOF2
command: [/bin/sleep, "100000"]
EOF2
done
service own <<EOF2
command: [/bin/sh, -c, 'grep "^Max open files" /proc/self/limits > $T/out/own.\$\$; exec sleep 100000']
EOF2
service set <<EOF2
command: [/bin/sh, -c, 'grep "^Max open files" /proc/self/limits > $T/out/set.\$\$; exec sleep 100000']
limits: { nofile: 300 }
EOF2
start_svd
for i in 1 30 60; do wait_state "s$i" running; done
wait_state own running
wait_state set running
n=$(svctl status --json | python3 -c 'import json,sys; print(sum(s["state"] == "running" for s in json.load(sys.stdin)["services"]))')
assert_eq "$n" "62" "services running"
grep -q "Too many open files" "$T/svd.out" && fail "svd ran out of descriptors"
soft=$(awk '/^Max open files/ {print $4}' /proc/$SVD_PID/limits)
[ "$soft" != 200 ] || fail "svd's own soft limit is still 200"
# svd-fdstore holds a copy of every log pipe: svd's limit, not the services'
fds=$(pgrep -P "$SVD_PID" -x svd-fdstore) || fail "no svd-fdstore"
assert_eq "$(awk '/^Max open files/ {print $4}' "/proc/$fds/limits")" "$soft" "svd-fdstore's soft limit"
check_limits() { # SERVICE SOFT
        local f
        f=$(ls -t "$T"/out/"$1".* | head -n 1)
        read -r _ _ _ s h _ < "$f"
        assert_eq "$s" "$2" "$1's soft limit on open files ($(cat "$f"))"
}
check_limits own 200
check_limits set 300
svctl daemon-reexec > /dev/null || fail "daemon-reexec"
wait_for grep -q "daemon-reexec: 62 services taken over" "$T/svd.out"
rm -f "$T"/out/own.*
svctl restart own > /dev/null || fail "restart own"
wait_for sh -c "ls $T/out/own.* >/dev/null 2>&1"
sleep 0.2
check_limits own 200
stop_svd || fail "svd exit status"
echo "nofile: ok"

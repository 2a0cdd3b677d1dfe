#!/bin/bash
# svd_service_cpu_seconds_total is a Prometheus counter: a reload that
# changes a service (which restarts it in a new cgroup leaf) must not take
# it back. It was the leaf's cpu.stat usage_usec, which starts again from 0
# in the new leaf: a scraper took the drop for svd having restarted. In a
# VM with a pure cgroup v2 hierarchy (run by `make check-vm`).
. "$(dirname "$0")/../integration/lib.sh"
grep -qw cpu /sys/fs/cgroup/cgroup.controllers 2>/dev/null || { echo "not in a cgroup v2 VM"; exit 77; }
echo "cgroups: required" >> "$T/etc/svd.yaml"

service burn <<EOF2
command: [sh, -c, 'while :; do :; done']
environment: { ROUND: "1" }
EOF2
start_svd
wait_state burn running 30
cpu() { svctl metrics | sed -n 's/^svd_service_cpu_seconds_total{service="burn",slice=""} //p'; }
above() { python3 -c 'import sys; sys.exit(0 if float(sys.argv[1] or 0) >= float(sys.argv[2]) else 1)' "$(cpu)" "$1"; }
wait_for above 0.5
before=$(cpu)
sed -i 's/ROUND: "1"/ROUND: "2"/' "$T/services/burn.yaml"
svctl reload > /dev/null || fail "reload"
wait_for grep -q "reload: done" "$T/svd.out"
wait_state burn running 30
after=$(cpu)
python3 -c 'import sys; sys.exit(0 if float(sys.argv[2]) >= float(sys.argv[1]) else 1)' "$before" "$after" ||
        fail "svd_service_cpu_seconds_total went back from $before to $after across the reload"
# and it keeps counting
wait_for above "$(python3 -c 'import sys; print(float(sys.argv[1]) + 0.3)' "$after")"
svctl daemon-reexec > /dev/null || fail "daemon-reexec"
wait_for grep -q "restore-fd" "/proc/$SVD_PID/cmdline"
wait_for svctl status burn > /dev/null
after2=$(cpu)
python3 -c 'import sys; sys.exit(0 if float(sys.argv[2]) >= float(sys.argv[1]) else 1)' "$after" "$after2" ||
        fail "svd_service_cpu_seconds_total went back from $after to $after2 across daemon-reexec"
stop_svd || fail "svd exit status"
echo "metrics_cpu_reload: ok ($before -> $after -> $after2 s)"

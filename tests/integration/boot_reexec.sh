#!/bin/bash
# The boot summary (svctl status --boot) survives a daemon-reexec and a
# killed svd started again: config_usec (svd's execve to the manager's
# start) and cpu_usec/cpu_system_usec (svd's own CPU time during the boot)
# stay what they were. config_usec was the restored start of the manager
# minus the new instance's own main(), later, which wrapped around to some
# 1.8e19; the CPU times were not handed over at all and read 0.
. "$(dirname "$0")/lib.sh"

service app <<EOF
command: [sleep, "1000"]
EOF
boot() { svctl status --boot --json | jq -c '{config_usec, settled_usec, cpu_usec, cpu_system_usec}'; }
start_svd
wait_state app running
wait_for sh -c "svctl status --boot --json | jq -e '.settled_usec != null' > /dev/null"
before=$(boot)
echo "$before" | jq -e '.config_usec >= 0 and .config_usec < 1e9' > /dev/null || fail "config_usec at boot: $before"

svctl daemon-reexec > "$T/out/rx" || fail "daemon-reexec: $(cat "$T/out/rx")"
assert_eq "$(boot)" "$before" "the boot summary after a daemon-reexec"

crash_restart_svd
wait_state app running
assert_eq "$(boot)" "$before" "the boot summary after svd was killed and started again"
stop_svd || fail "svd exit status"
echo "boot_reexec: ok"

#!/bin/bash
# svctl restart of a running optional service (install_hint:) whose program
# has been removed meanwhile (an upgrade under way, a package purged) is
# refused, naming the missing program, and the service keeps running: it
# used to be stopped, then not started again ("disabled: ... not
# installed"), with the reply "ok". Once the program is back, restart
# restarts it.
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/bin"
printf '#!/bin/sh\nexec sleep 1000\n' > "$T/bin/prog"
chmod 755 "$T/bin/prog"
service opt <<EOF
command: [$T/bin/prog]
install_hint: "apt install prog"
EOF
start_svd
wait_state opt running
pid=$(field opt pid)
mv "$T/bin/prog" "$T/bin/prog.off"
rc=0
out=$(svctl restart opt 2>&1) || rc=$?
assert_eq "$rc" "1" "exit status of svctl restart with the program missing: $out"
echo "$out" | grep -qF "restart opt: not started: disabled: $T/bin/prog not installed (apt install prog)" ||
        fail "svctl restart opt: $out"
assert_eq "$(field opt state)" "running" "opt after the refused restart"
assert_eq "$(field opt pid)" "$pid" "opt's pid after the refused restart"
assert_eq "$(field opt reason)" "" "opt's reason after the refused restart"
mv "$T/bin/prog.off" "$T/bin/prog"
svctl restart opt > /dev/null || fail "svctl restart opt with the program back"
new_pid() { [ -n "$(field opt pid)" ] && [ "$(field opt pid)" != "$pid" ]; }
wait_for new_pid
wait_state opt running
stop_svd || fail "svd exit status $?"
echo "profiles_restart_missing: ok"

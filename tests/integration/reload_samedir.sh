#!/bin/bash
# A reload refuses a change of state_dir, log_dir, run_dir or
# control_socket, but the same directory spelled another way is no change:
# "../state" next to the main file, and the absolute path of that
# directory, or a path through "..". Before, the texts were compared and
# such a reload was refused with "changed from '.../etc/../state' to
# '.../state': this takes a restart of svd".
. "$(dirname "$0")/lib.sh"

service app <<EOF2
command: [sleep, "100000"]
EOF2
start_svd
wait_state app running
app1=$(field app pid)
sed -i -e "s#^state_dir: ../state\$#state_dir: $T/state#" -e "s#^log_dir: ../log\$#log_dir: ../etc/./../log/#" \
        -e "s#^run_dir: ../run\$#run_dir: $T//run#" "$T/etc/svd.yaml"
grep -q "^state_dir: $T/state\$" "$T/etc/svd.yaml" || fail "svd.yaml not edited"
svctl reload > "$T/out/r" 2>&1 || fail "reload of the same directories refused: $(cat "$T/out/r")"
assert_eq "$(field app pid)" "$app1" "app's pid"
# a real change is still refused
sed -i "s#^state_dir: .*#state_dir: $T/state2#" "$T/etc/svd.yaml"
if svctl reload > "$T/out/r2" 2>&1; then fail "reload changing state_dir succeeded"; fi
grep -q "state_dir: changed from '.*' to '$T/state2'" "$T/out/r2" || fail "state_dir change not named: $(cat "$T/out/r2")"
stop_svd || fail "svd exit status"
echo "reload_samedir: ok"

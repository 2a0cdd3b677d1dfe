#!/bin/bash
# A command, or an exec health check, named by a relative path (./app.sh,
# bin/check) is run from the service's working directory, where the child
# executes it: it was checked against svd's own working directory before
# the spawn, and the start failed with "exec: ./app.sh: No such file or
# directory" while the file was there. One that is missing there still
# fails the start, naming it.
. "$(dirname "$0")/lib.sh"
mkdir -p "$T/w/bin"
printf '#!/bin/sh\nexec sleep 1000\n' > "$T/w/app.sh"
printf '#!/bin/sh\necho checked\n' > "$T/w/bin/check"
chmod 755 "$T/w/app.sh" "$T/w/bin/check"
service rel <<EOF2
working_dir: $T/w
command: [./app.sh]
healthcheck:
  exec: [bin/check]
  start_interval: 100ms
  interval: 200ms
EOF2
service missing <<EOF2
working_dir: $T/w
command: [./nope.sh]
restart: "no"
EOF2
cd /
start_svd
wait_state rel running
wait_field rel health healthy
wait_state missing failed
assert_eq "$(field missing reason)" "exec: ./nope.sh: No such file or directory" "missing reason"
stop_svd || fail "svd exit status"
echo "spawn_relative: ok"

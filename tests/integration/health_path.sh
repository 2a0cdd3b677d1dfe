#!/bin/bash
# An exec health check's program is looked up in the PATH of the service's
# environment, as its command is: a check named without a slash that lives
# in a directory only the service's PATH lists is found (it was looked up
# in svd's default PATH, and the check failed with "executable not found"
# while the service itself ran). One found nowhere is named in the result
# with the error, as a service's command is (it was "executable not found").
. "$(dirname "$0")/lib.sh"
mkdir -p "$T/bin"
printf '#!/bin/sh\nexec sleep 1000\n' > "$T/bin/svd-path-app"
printf '#!/bin/sh\necho checked\n' > "$T/bin/svd-path-check"
chmod 755 "$T/bin/svd-path-app" "$T/bin/svd-path-check"
service app <<EOF2
environment: { PATH: "$T/bin:/usr/bin:/bin" }
command: [svd-path-app]
healthcheck:
  exec: [svd-path-check]
  start_interval: 100ms
  interval: 200ms
EOF2
service nocheck <<EOF2
environment: { PATH: "$T/bin:/usr/bin:/bin" }
command: [svd-path-app]
healthcheck:
  exec: [svd-path-none]
  start_interval: 100ms
  interval: 200ms
EOF2
start_svd
wait_state app running
wait_field app health healthy
wait_field nocheck last_probe "probe: exec: svd-path-none: No such file or directory"
stop_svd || fail "svd exit status"
echo "health_path: ok"

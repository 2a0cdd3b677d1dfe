#!/bin/bash
# A ${secret:NAME} that cannot be put into an environment says which
# secret and why, like a credential file does: an exec probe, which builds
# the service's environment anew at each run, whose from_file secret went
# away reports "secret NAME: from_file PATH: No such file or directory",
# not a bare errno.
. "$(dirname "$0")/lib.sh"

printf 'a-long-enough-operator-value\n' > "$T/out/pw"
chmod 600 "$T/out/pw"
service app <<YAML
secrets:
  pw: { from_file: $T/out/pw }
environment: { PW: "\${secret:pw}" }
command: [/bin/sh, -c, 'exec sleep 1000']
healthcheck:
  exec: [/bin/sh, -c, 'test -n "\$PW"']
  start_interval: 100ms
  interval: 100ms
  retries: 1000
YAML

start_svd
wait_state app running
wait_field app health healthy
rm -f "$T/out/pw"
wait_field app last_probe "probe: secret pw: from_file $T/out/pw: No such file or directory"
stop_svd || fail "svd exit status $?"
echo "secrets_env_reason: ok"

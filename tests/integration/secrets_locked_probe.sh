#!/bin/bash
# An svd that comes back locked (secrets_key: passphrase, killed and taken
# over from its state file) cannot put ${secret:NAME} into an exec probe's
# environment until the unlock. That is svd's own state, not the
# service's: the probe is not run, the failure is not counted (last_probe
# says "secrets are locked (svctl unlock)"), and the service, running with the value it was
# started with, is not declared unhealthy and restarted into a wait for
# the passphrase. After the unlock the probes run again.
. "$(dirname "$0")/lib.sh"
echo "secrets_key: passphrase" >> "$T/etc/svd.yaml"

service app <<YAML
secrets:
  pw: { generate: password }
environment: { PW: "\${secret:pw}" }
command: [/bin/sh, -c, 'exec sleep 1000']
healthcheck:
  exec: [/bin/sh, -c, 'test -n "\$PW"']
  start_interval: 100ms
  interval: 100ms
  retries: 2
YAML

start_svd
echo 'correct horse battery' | svctl unlock 2> /dev/null || fail "unlock"
wait_state app running
wait_field app health healthy
app_pid=$(field app pid)

crash_restart_svd
wait_state app running
assert_eq "$(field app pid)" "$app_pid" "app adopted"
svctl secret list | grep -q '^store: locked' || fail "after a kill: $(svctl secret list | head -1)"
wait_field app last_probe "probe: secrets are locked (svctl unlock)"
# a second's worth of probes (ten times its retries) later, nothing changed
sleep 1
assert_eq "$(field app state)" running "app's state while locked"
assert_eq "$(field app pid)" "$app_pid" "app's pid while locked"
[ "$(field app health)" != unhealthy ] || fail "app unhealthy while svd is locked"

echo 'correct horse battery' | svctl unlock 2> /dev/null || fail "unlock after a kill"
wait_field app health healthy
assert_eq "$(field app pid)" "$app_pid" "app's pid after the unlock"
stop_svd || fail "svd exit status $?"
echo "secrets_locked_probe: ok"

#!/bin/bash
# A ${secret:NAME} in an env_file that cannot be expanded names the secret
# and why, as one in environment: does (secrets_env_reason.sh), not the
# env_file: a start whose env_file puts a secret holding a NUL byte in a
# variable, and an exec probe whose env_file's secret (a from_file) went
# away.
. "$(dirname "$0")/lib.sh"

printf 'a-long-enough-operator-value\n' > "$T/out/pw"
printf 'ab\0cd-a-long-enough-raw-value\n' > "$T/out/raw"
chmod 600 "$T/out/pw" "$T/out/raw"
printf 'PW=${secret:pw}\n' > "$T/out/probe.env"
printf 'K=${secret:raw}\n' > "$T/out/nul.env"
service app <<YAML
secrets:
  pw: { from_file: $T/out/pw }
env_file: $T/out/probe.env
command: [/bin/sh, -c, 'exec sleep 1000']
healthcheck:
  exec: [/bin/sh, -c, 'test -n "\$PW"']
  start_interval: 100ms
  interval: 100ms
  retries: 1000
YAML
service nul <<YAML
secrets:
  raw: { from_file: $T/out/raw }
env_file: $T/out/nul.env
restart: "no"
command: [/bin/sh, -c, 'exec sleep 1000']
YAML

start_svd
wait_state nul failed
assert_eq "$(field nul reason)" \
        "secret raw holds a NUL byte, which an environment variable cannot carry (use its credential file)" \
        "nul's reason"
wait_state app running
wait_field app health healthy
rm -f "$T/out/pw"
wait_field app last_probe "probe: secret pw: from_file $T/out/pw: No such file or directory"
stop_svd || fail "svd exit status $?"

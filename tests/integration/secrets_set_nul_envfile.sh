#!/bin/bash
# svctl secret set of a value with a NUL byte is refused, naming the
# secret, the consumer and its env_file, when a consumer gets the secret
# only through its env_file (${secret:NAME} there): nothing is stored and
# the consumer keeps running, rather than being restarted into a start
# that fails. A consumer that declares the secret but whose env_file does
# not reference it takes the value (its credential file holds any byte).
. "$(dirname "$0")/lib.sh"

printf 'PW=${secret:pw}\nOTHER=x\n' > "$T/out/app.env"
printf 'OTHER=y\n' > "$T/out/file.env"
service app <<YAML
secrets:
  pw: { generate: password }
  blob: { generate: password }
env_file: $T/out/app.env
command: [/bin/sh, -c, 'exec sleep 1000']
YAML
service fileonly <<YAML
secrets: [blob]
env_file: $T/out/file.env
command: [/bin/sh, -c, 'exec sleep 1000']
YAML

start_svd
wait_state app running
wait_state fileonly running
old=$(svctl secret get pw)
pid=$(field app pid)
if out=$(printf 'ab\0cd-a-long-enough-value-1234' | svctl secret set pw 2>&1); then
        fail "a NUL value for a secret an env_file uses was accepted: $out"
fi
assert_eq "$out" "svctl: the value for pw holds a NUL byte, which the environment of app cannot carry (its env_file $T/out/app.env uses \${secret:pw})" "refusal"
assert_eq "$(svctl secret get pw)" "$old" "pw after the refused set"
assert_eq "$(field app pid)" "$pid" "app's pid"
assert_eq "$(field app state)" running "app's state"

# blob: declared by app too, but no env_file references it
printf 'ab\0cd-a-long-enough-value-1234' | svctl secret set blob > /dev/null || fail "set blob"
wait_state fileonly running
wait_state app running
stop_svd || fail "svd exit status $?"

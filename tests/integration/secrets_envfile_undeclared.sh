#!/bin/bash
# A ${secret:NAME} in an env_file for a secret the service does not declare
# is refused, naming the env_file, the line and the secret: at config load
# when the file can be read then (svd --check, and svd does not start), at
# the service's start otherwise -- never handed to the service as literal
# text (which it would take for its password). A declared one, and one on
# a comment line, are fine.
. "$(dirname "$0")/lib.sh"

printf 'a-long-enough-operator-value\n' > "$T/out/pw"
chmod 600 "$T/out/pw"
service owner <<YAML
secrets:
  pw: { from_file: $T/out/pw }
  other: { generate: hex }
command: [sleep, "1000"]
YAML
printf '# PW=${secret:pw} (commented out)\nA=1\nPW=x${secret:pw}y\n' > "$T/app.env"
service app <<YAML
secrets: [other]
env_file: $T/app.env
command: [sh, -c, 'env > $T/out/app.env; exec sleep 1000']
YAML

rc=0; "$SVD" --check -c "$T/etc/svd.yaml" > /dev/null 2> "$T/err" || rc=$?
[ "$rc" -ne 0 ] || fail "svd --check accepted an undeclared secret in an env_file"
grep -qF "services/app.yaml:2:11: env_file: $T/app.env:3: \${secret:pw} names a secret app does not declare (add pw to its secrets:)" "$T/err" ||
        fail "error does not name the env_file, line and secret: $(cat "$T/err")"

# declared: accepted, expanded
printf '# PW=${secret:nope} (commented out)\nA=1\nPW=x${secret:pw}y\n' > "$T/app.env"
sed -i 's/^secrets: \[other\]/secrets: [other, pw]/' "$T/services/app.yaml"
"$SVD" --check -c "$T/etc/svd.yaml" > /dev/null 2> "$T/err" || fail "declared reference refused: $(cat "$T/err")"

# unreadable at load (missing): refused when the service starts
service late <<YAML
env_file: $T/late.env
restart: "no"
command: [sh, -c, 'env > $T/out/late.env; exec sleep 1000']
YAML
start_svd
wait_state late failed
wait_state app running
wait_for test -s "$T/out/app.env"
assert_eq "$(sed -n 's/^PW=//p' "$T/out/app.env")" "xa-long-enough-operator-valuey" "declared secret expanded"
printf 'B=2\nPW=${secret:pw}\n' > "$T/late.env"
rm -f "$T/out/late.env"
svctl start late > /dev/null 2>&1 || true
wait_state late failed
assert_eq "$(field late reason)" \
        "env_file: $T/late.env:2: \${secret:pw} names a secret late does not declare (add pw to its secrets:)" \
        "late's reason"
[ ! -e "$T/out/late.env" ] || fail "late ran with the placeholder: $(cat "$T/out/late.env")"
# an unterminated reference is no literal either
printf 'PW=${secret:pw\n' > "$T/late.env"
svctl start late > /dev/null 2>&1 || true
wait_field late reason "env_file: $T/late.env:1: expected \${secret:NAME} (a name of 1 to 64 characters)"
[ ! -e "$T/out/late.env" ] || fail "late ran with an unterminated reference"
stop_svd || fail "svd exit status $?"

#!/bin/bash
# The environment a service gets (svc_env.c): svd's variables, then
# environment:, then env_file (KEY=VALUE lines; blank lines, # comments and
# "export " skipped, one level of matching quotes removed; it is read last,
# so it wins over environment:). A malformed env_file fails the start,
# with a reason naming the file and the line -- also a NAME that is not one
# ("FOO = bar", "MY-VAR=1"), which would otherwise reach the service as a
# variable it cannot look up; an exec health probe, which
# reads the file again each time, fails with that same reason (status shows
# it) when the file turns malformed under a running service.
. "$(dirname "$0")/lib.sh"

cat > "$T/app.env" <<'EOF'
# a comment

export FROM_FILE="quoted value"
export  SPACED=after-export
BOTH=file
SINGLE='x y'
export	TABBED=after-a-tab
HASH=a # not a comment
HALF="open
TWICE=first
TWICE=second
EOF
service app <<EOF
command: [sh, -c, 'env > $T/out/env; exec sleep 1000']
environment: { BOTH: config, ONLY_CONFIG: "1" }
env_file: $T/app.env
EOF
printf 'NOT A LINE\n' > "$T/bad.env"
service bad <<EOF
command: [sleep, "1000"]
env_file: $T/bad.env
restart: "no"
EOF
# a name the service could never look up: FOO is unset there, "FOO " set
printf 'GOOD=1\nFOO = bar\n' > "$T/spaced.env"
printf 'MY-VAR=1\n' > "$T/dash.env"
for n in spaced dash; do
service $n <<EOF
command: [sleep, "1000"]
env_file: $T/$n.env
restart: "no"
EOF
done
printf 'A=1\n' > "$T/probed.env"
service probed <<EOF
command: [sleep, "1000"]
env_file: $T/probed.env
restart: "no"
healthcheck:
  exec: ["true"]
  start_interval: 50ms
  interval: 100ms
  retries: 1000
EOF
start_svd
wait_state app running
wait_for test -s "$T/out/env"
get() { sed -n "s/^$1=//p" "$T/out/env"; }
assert_eq "$(get FROM_FILE)" "quoted value" "export and double quotes"
assert_eq "$(get SINGLE)" "x y" "single quotes"
assert_eq "$(get SPACED)" "after-export" "blanks after export"
assert_eq "$(get BOTH)" "file" "env_file wins over environment:"
assert_eq "$(get TABBED)" "after-a-tab" "a tab after export"
assert_eq "$(get HASH)" "a # not a comment" "a # after the value"
assert_eq "$(get HALF)" '"open' "an unmatched quote"
assert_eq "$(get TWICE)" "second" "a NAME twice"
assert_eq "$(get ONLY_CONFIG)" "1" "environment:"
assert_eq "$(get SVD_SERVICE)" "app" "svd's own variable"
[ -n "$(get PATH)" ] || fail "no PATH"
wait_state bad failed
grep -q "bad: env_file: $T/bad.env:1: not a NAME=value line" "$T/svd.out" || fail "bad env_file not named with its line"
wait_state spaced failed
assert_eq "$(field spaced reason)" "env_file: $T/spaced.env:2: 'FOO ' is not a variable name (letters, digits, _; not a digit first)" "spaced reason"
wait_state dash failed
assert_eq "$(field dash reason)" "env_file: $T/dash.env:1: 'MY-VAR' is not a variable name (letters, digits, _; not a digit first)" "dash reason"

wait_field probed health healthy
printf 'A=1\nBROKEN LINE\n' > "$T/probed.tmp"
mv "$T/probed.tmp" "$T/probed.env"
want="probe: env_file: $T/probed.env:2: not a NAME=value line"
probe_says() { [ "$(field probed last_probe)" = "$want" ]; }
wait_for probe_says
svctl status probed > "$T/probed.out"
grep '^  last probe:' "$T/probed.out" | grep -qF "$want" || fail "status NAME lacks the probe's reason: $(cat "$T/probed.out")"
assert_eq "$(field probed state)" "running" "probed: a failing probe does not stop it"
echo "env_file: ok"

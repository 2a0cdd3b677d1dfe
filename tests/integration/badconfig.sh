#!/bin/bash
# A bad configuration is refused by `svd --check` (exit 1) and by svd itself,
# with file:line:col and the key.
. "$(dirname "$0")/lib.sh"

service web <<EOF
command: [sleep, "1000"]
backoff:
  initial: 10x
EOF
service api <<EOF
comand: [sleep, "1000"]
EOF
rc=0; "$SVD" --check -c "$T/etc/svd.yaml" > /dev/null 2> "$T/err" || rc=$?
assert_eq "$rc" "1" "--check exit code"
grep -q "services/web.yaml:3:12: backoff.initial: bad duration '10x'" "$T/err" || fail "duration error: $(cat "$T/err")"
grep -q "services/api.yaml:1:1: comand: unknown key (did you mean 'command'?)" "$T/err" || fail "unknown key error: $(cat "$T/err")"
rc=0; "$SVD" -c "$T/etc/svd.yaml" > "$T/svd.out" 2>&1 || rc=$?
assert_eq "$rc" "1" "svd exit code on bad config"
[ -S "$SOCK" ] && fail "control socket created for a bad config"

# a broken sandbox: unknown capability, unknown syscall group
rm "$T/services/api.yaml"
service web <<EOF
command: [sleep, "1000"]
sandbox:
  capabilities: [CAP_NET_BIND_SERVICE, CAP_FLY]
  seccomp: { deny: ["@mount", "@nope"] }
EOF
rc=0; "$SVD" --check -c "$T/etc/svd.yaml" > /dev/null 2> "$T/err" || rc=$?
assert_eq "$rc" "1" "--check exit code for a broken sandbox"
grep -q "services/web.yaml:3:40: sandbox.capabilities\[1\]: unknown capability 'CAP_FLY'" "$T/err" ||
        fail "capability error: $(cat "$T/err")"
grep -q "services/web.yaml:4:31: sandbox.seccomp.deny\[1\]: unknown syscall group '@nope'" "$T/err" ||
        fail "group error: $(cat "$T/err")"

# cycles are named
service web <<EOF
command: [sleep, "1000"]
depends_on: [api]
EOF
service api <<EOF
command: [sleep, "1000"]
depends_on: [web]
EOF
rc=0; "$SVD" --check -c "$T/etc/svd.yaml" > /dev/null 2> "$T/err" || rc=$?
assert_eq "$rc" "1" "--check exit code for a cycle"
grep -q "dependency cycle: api -> web -> api" "$T/err" || fail "cycle error: $(cat "$T/err")"
echo "badconfig: ok"

#!/bin/bash
# Parallel start of independent services, dependents after their
# dependencies (from recorded start timestamps), `svctl order` waves, and
# the spawn order within a wave (longest chain of dependents first).
. "$(dirname "$0")/lib.sh"

# Each service records when it started and becomes ready (sd_notify) only
# then, so "c started after a and b were ready" is a real ordering claim.
H="$TOP_SRCDIR/tests/helpers/ready.py"
for n in a b; do
service $n <<EOF
type: notify
command: [python3, "$H", "$T/out/$n.start", "0.3"]
EOF
done
service c <<EOF
type: notify
command: [python3, "$H", "$T/out/c.start"]
depends_on: [a, b]
EOF
service d <<EOF
command: [/bin/sh, -c, 'date +%s.%N > $T/out/d.start; exec sleep 1000']
depends_on: { c: { condition: healthy } }
EOF

"$SVD" --check -c "$T/etc/svd.yaml" > "$T/check.out" || fail "svd --check failed"
grep -q '^  1: a b$' "$T/check.out" || fail "check waves: $(cat "$T/check.out")"
grep -q '^  2: c$' "$T/check.out" || fail "check waves"
grep -q '^  3: d$' "$T/check.out" || fail "check waves"

start_svd
for n in a b c d; do wait_state $n running; done
a=$(cat "$T/out/a.start"); b=$(cat "$T/out/b.start"); c=$(cat "$T/out/c.start"); d=$(cat "$T/out/d.start")
assert_le "$(cat "$T/out/a.start.ready")" "$c" "a ready before c started"
assert_le "$(cat "$T/out/b.start.ready")" "$c" "b ready before c started"
assert_le "$(cat "$T/out/c.start.ready")" "$d" "c ready before d started"
assert_eq "$(field c status)" "serving" "sd_notify STATUS="
# a and b start in the same wave, together: well within a's 0.3 s to ready
python3 -c 'import sys; sys.exit(0 if abs(float(sys.argv[1]) - float(sys.argv[2])) < 0.5 else 1)' "$a" "$b" || fail "a and b not started together"

order=$(svctl order)
assert_eq "$order" "$(printf '1: a b\n2: c\n3: d')" "svctl order"
svctl order --json | python3 -c 'import json,sys; assert json.load(sys.stdin)["waves"] == [["a","b"],["c"],["d"]]' || fail "order --json"

# the table and the JSON agree on the pid
pid=$(field a pid)
[ -n "$pid" ] && kill -0 "$pid" || fail "pid of a not alive"
svctl status | grep -E "^a +running +none +$pid +" >/dev/null || fail "status table: $(svctl status)"
stop_svd || fail "svd exit status $?"

# Within a wave, the longest chain of dependents is spawned first: "aa"
# (nothing depends on it) sorts first by name but comes last.
service aa <<EOF
command: [/bin/sleep, "1000"]
EOF
start_svd
wait_state d running
grep -n ': stopped -> starting' "$T/svd.out" | sed -E 's/.*INFO ([a-z]+): .*/\1/' | head -3 | tr '\n' ' ' > "$T/first.out"
assert_eq "$(cat "$T/first.out")" "a b aa " "spawn order in wave 1"
stop_svd || fail "svd exit status $?"
echo "order: ok"

#!/bin/bash
# Parallel start of independent services, dependents after their
# dependencies (from recorded start timestamps), and `svctl order` waves.
. "$(dirname "$0")/lib.sh"

for n in a b; do
service $n <<EOF
command: [/bin/sh, -c, 'date +%s.%N > $T/out/$n.start; exec sleep 1000']
EOF
done
service c <<EOF
command: [/bin/sh, -c, 'date +%s.%N > $T/out/c.start; exec sleep 1000']
depends_on: [a, b]
EOF
service d <<EOF
command: [/bin/sh, -c, 'date +%s.%N > $T/out/d.start; exec sleep 1000']
depends_on: { c: { condition: started } }
EOF

"$SVD" --check -c "$T/etc/svd.yaml" > "$T/check.out" || fail "svd --check failed"
grep -q '^  1: a b$' "$T/check.out" || fail "check waves: $(cat "$T/check.out")"
grep -q '^  2: c$' "$T/check.out" || fail "check waves"
grep -q '^  3: d$' "$T/check.out" || fail "check waves"

start_svd
for n in a b c d; do wait_state $n running; done
a=$(cat "$T/out/a.start"); b=$(cat "$T/out/b.start"); c=$(cat "$T/out/c.start"); d=$(cat "$T/out/d.start")
assert_le "$a" "$c" "a before c"
assert_le "$b" "$c" "b before c"
assert_le "$c" "$d" "c before d"
# a and b start in the same wave: within a fraction of a second of each other
python3 -c 'import sys; sys.exit(0 if abs(float(sys.argv[1]) - float(sys.argv[2])) < 0.5 else 1)' "$a" "$b" || fail "a and b not started together"

order=$(svctl order)
assert_eq "$order" "$(printf '1: a b\n2: c\n3: d')" "svctl order"
svctl order --json | python3 -c 'import json,sys; assert json.load(sys.stdin)["waves"] == [["a","b"],["c"],["d"]]' || fail "order --json"

# the table and the JSON agree on the pid
pid=$(field a pid)
[ -n "$pid" ] && kill -0 "$pid" || fail "pid of a not alive"
svctl status | grep -E "^a +running +none +$pid " >/dev/null || fail "status table: $(svctl status)"
stop_svd || fail "svd exit status $?"
echo "order: ok"

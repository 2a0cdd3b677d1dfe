#!/bin/bash
# Profile sets that only name each other (a: [b], b: [a]) select no profile:
# selecting one disables every service that declares profiles, and nothing
# said so. Now a warning names each such set and the sets it names, at
# --check, at load and at every reload (a set naming a typo was warned
# about already: profile_sets.SET[I]).
. "$(dirname "$0")/lib.sh"

printf 'profile_sets:\n  a: [b]\n  b: [a]\n  c: [a, ai]\n' >> "$T/etc/svd.yaml"
service r <<EOF
command: [sleep, "100000"]
profiles: [ai]
EOF
main=$T/etc/svd.yaml
line=$(grep -n '^  a: \[b\]' "$main" | cut -d: -f1)
want="$main:$line:7: warning: profile_sets.a: names only profile sets (a, b), none of which names a profile: it selects nothing
$main:$((line + 1)):7: warning: profile_sets.b: names only profile sets (b, a), none of which names a profile: it selects nothing"

rc=0; "$SVD" --check -c "$main" > /dev/null 2> "$T/err" || rc=$?
[ "$rc" = 0 ] || fail "the warning failed the check (exit $rc): $(cat "$T/err")"
assert_eq "$(grep profile_sets "$T/err")" "$want" "warnings of --check"

start_svd
wait_state r running
wait_for grep -q "warning: profile_sets.b:" "$T/svd.out"
assert_eq "$(grep -o "$main:.*profile_sets.*" "$T/svd.out")" "$want" "warnings at load"
svctl reload > /dev/null
wait_for sh -c "[ \$(grep -c 'warning: profile_sets.b:' '$T/svd.out') = 2 ]"
assert_eq "$(grep -c "warning: profile_sets" "$T/svd.out")" 4 "warnings after a reload"
stop_svd || fail "svd exit status"

#!/bin/bash
# PID 1's emergency shell that cannot start at all (here: its path does not
# exist; a missing library does the same) ends within a second each time.
# svd starts it again after 5 s, then 10 s, 20 s, ... (at most 5 min), and
# at once again after one that ran: it used to retry every 5 s forever, two
# console lines each time, which scrolled the emergency's cause off an
# operator's console within a minute. svd as PID 1 of a PID namespace, as
# in emergency.sh.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "needs root for unshare"; exit 77; }
unshare --pid --fork --mount-proc true 2>/dev/null || { echo "unshare --pid not permitted here"; exit 77; }

: > "$T/console"
cat >> "$T/etc/svd.yaml" <<EOF
cgroups: optional
emergency_shell: $T/noshell
EOF
service broken <<EOF
comand: [/bin/true]
EOF
unshare --pid --fork --mount-proc /bin/sh -c "mount --bind $T/console /dev/console && exec $SVD -c $T/etc/svd.yaml" \
        > "$T/svd.out" 2>&1 &
UNSHARE=$!
ns_svd "$UNSHARE"
wait_for grep -q 'EMERGENCY: the configuration does not load' "$T/svd.out"
wait_for grep -q "emergency: shell $T/noshell ended (exited 127); starting it again in 10s" "$T/svd.out"
assert_eq "$(grep -c 'emergency: shell .* ended' "$T/svd.out")" "2" "shell ends logged"
grep -q "emergency: shell $T/noshell ended (exited 127); starting it again in 5s" "$T/svd.out" ||
        fail "the first retry was not after 5 s"
svctl poweroff > /dev/null || fail "svctl poweroff"
rc=0; wait "$UNSHARE" || rc=$?
SVD_PID=
grep -q 'init: poweroff' "$T/svd.out" || fail "no init: poweroff"
echo "emergency_shell_retry: ok"

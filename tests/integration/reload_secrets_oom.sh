#!/bin/bash
# A reload whose switch cannot allocate the secrets' per-service table (the
# marks of a rotation's restarts; tests/helpers/failcalloc.so fails the
# second allocation of one byte per service: the first is the switch's own)
# keeps the running configuration, and what it stopped runs again. Before,
# the table was allocated after the switch had replaced the configuration:
# the failure was only logged ("rebuilding the schedule"), the reload went
# on, and the table of the previous reload, sized for fewer services, was
# indexed by the new generation's (out of bounds).
. "$(dirname "$0")/lib.sh"

SO="$TOP_BUILDDIR/tests/helpers/failcalloc.so"
[ -f "$SO" ] || { echo "no $SO"; exit 77; }
# (a sanitizer's allocator is not glibc's: the helper cannot stand in)
if ldd "$SVD" 2>/dev/null | grep -q -E 'libasan|libtsan|libmsan'; then echo "sanitizer build"; exit 77; fi

service keep <<EOF2
command: [sleep, "100000"]
secrets:
  tok: { generate: hex, bytes: 16 }
EOF2
service chg <<EOF2
command: [sh, -c, "trap 'sleep 1.5; exit 0' TERM; while :; do sleep 0.1; done"]
EOF2
FAILCALLOC_ARM=$T/arm FAILCALLOC_N=3 FAILCALLOC_SIZE=1 FAILCALLOC_SKIP=1 LD_PRELOAD=$SO start_svd
wait_state keep running
wait_state chg running
keep1=$(field keep pid)

# the new generation: 3 services (keep, chg changed, new)
service chg <<EOF2
command: [sh, -c, "trap 'sleep 1.5; exit 0' TERM; while :; do sleep 0.2; done"]
EOF2
service new <<EOF2
command: [sleep, "100002"]
EOF2
svctl reload > "$T/out/r" || fail "reload: $(cat "$T/out/r")"
touch "$T/arm" # (chg takes 1.5 s to stop: the switch comes after)
wait_for grep -q "reload: out of memory; the running configuration stays" "$T/svd.out"
[ -e "$T/arm" ] && fail "the switch's allocation did not fail"
wait_state chg running
kill -0 "$SVD_PID" || fail "svd died"
assert_eq "$(field keep pid)" "$keep1" "keep's pid"
[ -z "$(field new state)" ] || fail "new exists after the failed switch"
# the next reload goes through
svctl reload > "$T/out/r2" || fail "second reload: $(cat "$T/out/r2")"
wait_for grep -q "reload: done: 1 added, 0 removed, 1 changed, 1 unchanged" "$T/svd.out"
wait_state new running
wait_state chg running
stop_svd || fail "svd exit status"
echo "reload_secrets_oom: ok"

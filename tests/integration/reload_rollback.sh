#!/bin/bash
# A reload whose switch fails (out of memory: tests/helpers/failcalloc.so
# fails the switch's first allocation sized by the new generation) keeps
# the running configuration, and what it stopped runs again: the changed
# service and the removed one, neither held. Before, only changed services
# were given back their hold and started: a removed one stayed stopped and
# held, as if the operator had stopped it, in a configuration that still
# has it.
. "$(dirname "$0")/lib.sh"

SO="$TOP_BUILDDIR/tests/helpers/failcalloc.so"
[ -f "$SO" ] || { echo "no $SO"; exit 77; }
# (a sanitizer's allocator is not glibc's: the helper cannot stand in)
if ldd "$SVD" 2>/dev/null | grep -q -E 'libasan|libtsan|libmsan'; then echo "sanitizer build"; exit 77; fi

service keep <<EOF2
command: [sleep, "100000"]
EOF2
service gone <<EOF2
command: [sleep, "100001"]
EOF2
service chg <<EOF2
command: [sh, -c, "trap 'sleep 1.5; exit 0' TERM; touch $T/out/chg.up; while :; do sleep 0.1; done"]
EOF2
FAILCALLOC_ARM=$T/arm FAILCALLOC_N=5 FAILCALLOC_SIZE=1 LD_PRELOAD=$SO start_svd
for s in keep gone chg; do wait_state $s running; done
# (chg is running once spawned: a SIGTERM before its trap would end it at
# once, and the switch would come before the test arms the failure)
wait_for test -e "$T/out/chg.up"
keep1=$(field keep pid) gone1=$(field gone pid)

# the new generation: 5 services (keep, chg changed, three new; gone removed)
rm "$T/services/gone.yaml"
service chg <<EOF2
command: [sh, -c, "trap 'sleep 1.5; exit 0' TERM; while :; do sleep 0.2; done"]
EOF2
for s in a1 a2 a3; do printf 'command: [sleep, "100002"]\n' > "$T/services/$s.yaml"; done
svctl reload > "$T/out/r" || fail "reload: $(cat "$T/out/r")"
touch "$T/arm" # (chg takes 1.5 s to stop: the switch comes after)
wait_for grep -q "reload: out of memory; the running configuration stays" "$T/svd.out"
[ -e "$T/arm" ] && fail "the switch's allocation did not fail"
wait_state chg running
wait_state gone running
assert_eq "$(field gone held)" "False" "gone's hold after the failed switch"
[ "$(field gone pid)" != "$gone1" ] || fail "gone's pid"
assert_eq "$(field keep pid)" "$keep1" "keep's pid"
[ -z "$(field a1 state)" ] || fail "a1 exists after the failed switch"
stop_svd || fail "svd exit status"
echo "reload_rollback: ok"

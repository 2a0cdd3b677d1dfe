#!/bin/bash
# libsodium cannot be loaded (an empty file where its soname leads, in a
# mount namespace of the test's own): the definitions get no digest, so a
# reload takes every service for changed and restarts it. svd's log says so
# and why (the library and the loader's error), once, instead of only
# "definition changed (service file)". A library there that lacks one of
# the functions gets the loader's error named too.
SVD_PRIVATE_MOUNTS=1
. "$(dirname "$0")/lib.sh"
lib=$(ldconfig -p | awk '/libsodium\.so\.23 / { print $NF; exit }')
[ -n "$lib" ] && [ -e "$lib" ] || { echo "no libsodium.so.23 found"; exit 77; }

service web <<YAML
command: [sleep, "1000"]
sandbox: { seccomp: none }
YAML
start_svd
wait_state web running
# raw requests: the reload is what this is about (svctl runs without
# libsodium too: svctl_sodium_missing.sh)
: > "$T/empty.so"
mount --bind "$T/empty.so" "$(readlink -f "$lib")" || { echo "cannot bind-mount over $lib"; exit 77; }
MOUNTS="$MOUNTS $(readlink -f "$lib")"
raw_reload() {
        python3 - "$SOCK" "$TOP_SRCDIR/tests/helpers" <<'PY' || fail "reload"
import sys
sys.path.insert(0, sys.argv[2])
from svdproto import request
rep = request(sys.argv[1], {"v": 1, "op": "reload"})
assert rep.get("ok"), rep
PY
}
reloads_done() { [ "$(grep -c 'reload: done' "$T/svd.out")" = "$1" ]; }
raw_reload
wait_for reloads_done 1
raw_reload
wait_for reloads_done 2
grep -q "WARN config: cannot load libsodium.so.23: .*: no digest of the definitions, so a reload takes every service for changed" \
        "$T/svd.out" || fail "no warning naming libsodium"
assert_eq "$(grep -c 'no digest of the definitions' "$T/svd.out")" "1" "warnings over two reloads"
kill -0 "$SVD_PID" || fail "svd died"
umount "$(readlink -f "$lib")"
raw_reload # loads again: the next failure is said again
wait_for reloads_done 3
# a library that loads but lacks a function: the loader's own words too
command -v cc > /dev/null || { echo "no C compiler: the missing-symbol part is skipped"; stop_svd; exit 0; }
echo 'int svd_test_nothing;' | cc -shared -fPIC -x c -o "$T/nosym.so" - || fail "cannot build an empty library"
mount --bind "$T/nosym.so" "$(readlink -f "$lib")" || fail "cannot bind-mount over $lib"
raw_reload
wait_for reloads_done 4
grep -q "WARN config: libsodium.so.23 has no symbol [a-z_0-9]*: .*undefined symbol: [a-z_0-9]*: no digest" \
        "$T/svd.out" || fail "the missing symbol's warning lacks the loader's error: $(grep 'no digest' "$T/svd.out")"
umount "$(readlink -f "$lib")"
svctl status web > /dev/null || fail "svd no longer answers"
stop_svd || fail "svd exit status"
echo "dynlib_sodium_missing: ok"

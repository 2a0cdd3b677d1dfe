#!/bin/bash
# libsodium cannot be loaded (an empty file where its soname leads, in a
# mount namespace of the test's own): a reload still tells unchanged
# services apart (their fingerprints need no library), so it restarts only
# the one whose file changed, and says nothing about libsodium. A re-exec
# that needs libsodium (the bytes of an unfinished log line) and finds a
# library there that lacks one of the functions names the loader's error.
SVD_PRIVATE_MOUNTS=1
. "$(dirname "$0")/lib.sh"
lib=$(ldconfig -p | awk '/libsodium\.so\.23 / { print $NF; exit }')
[ -n "$lib" ] && [ -e "$lib" ] || { echo "no libsodium.so.23 found"; exit 77; }

service web <<YAML
command: [sleep, "1000"]
sandbox: { seccomp: none }
YAML
service edited <<YAML
command: [sleep, "1000"]
sandbox: { seccomp: none }
YAML
start_svd
wait_state web running
wait_state edited running
web1=$(field web pid) edited1=$(field edited pid)
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
service edited <<YAML
command: [sleep, "1001"]
sandbox: { seccomp: none }
YAML
raw_reload
wait_for reloads_done 1
wait_state edited running
edited2=$(field edited pid)
[ "$edited2" != "$edited1" ] || fail "edited (its file changed) was not restarted"
assert_eq "$(field web pid)" "$web1" "web's pid (unchanged) after a reload without libsodium"
raw_reload
wait_for reloads_done 2
assert_eq "$(field web pid)" "$web1" "web's pid after a second reload"
assert_eq "$(field edited pid)" "$edited2" "edited's pid after a second reload"
! grep -i "libsodium\|no digest" "$T/svd.out" || fail "a reload without libsodium spoke of it"
kill -0 "$SVD_PID" || fail "svd died"
umount "$(readlink -f "$lib")"
# a library that loads but lacks a function: the loader's own words too
command -v cc > /dev/null || { echo "no C compiler: the missing-symbol part is skipped"; stop_svd; exit 0; }
service drip <<YAML
command: [sh, -c, 'while :; do printf x; sleep 0.2; done']
sandbox: { seccomp: none }
YAML
svctl reload > /dev/null || fail "reload adding drip"
wait_state drip running
sleep 0.5 # (some bytes of its unfinished line are in svd)
echo 'int svd_test_nothing;' | cc -shared -fPIC -x c -o "$T/nosym.so" - || fail "cannot build an empty library"
mount --bind "$T/nosym.so" "$(readlink -f "$lib")" || fail "cannot bind-mount over $lib"
svctl daemon-reexec > "$T/rx" 2>&1 || fail "daemon-reexec: $(cat "$T/rx")"
grep -q "state: [0-9]* log bytes not saved: libsodium.so.23 has no symbol [a-z_0-9]*: .*undefined symbol: [a-z_0-9]*" \
        "$T/svd.out" || fail "the missing symbol's error lacks the loader's error: $(grep 'libsodium' "$T/svd.out")"
umount "$(readlink -f "$lib")"
assert_eq "$(field web pid)" "$web1" "web's pid after the re-exec"
stop_svd || fail "svd exit status"
echo "dynlib_sodium_missing: ok"

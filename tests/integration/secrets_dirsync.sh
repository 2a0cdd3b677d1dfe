#!/bin/bash
# The secrets store written while the sync of its directory fails (after the
# rename): the new store is in place, so the write has happened. svctl
# secret set and rotate succeed, the running svd serves the new value (the
# one the next svd reads from the file) and its consumers get it, and a
# warning names the directory and the error. The sync is failed by
# tests/helpers/faildirsync.so, LD_PRELOADed into svd.
. "$(dirname "$0")/lib.sh"
SO=$TOP_BUILDDIR/tests/helpers/faildirsync.so
[ -e "$SO" ] || fail "$SO not built (make check builds it)"
mkdir -p "$T/state"

service app <<YAML
secrets:
  pw: { generate: password, length: 24 }
command: [/bin/sh, -c, 'cat \$CREDENTIALS_DIRECTORY/pw >> $T/out/app.pw; echo >> $T/out/app.pw; exec sleep 1000']
YAML

FAILSYNC_DIR=$T/state LD_PRELOAD=$SO ASAN_OPTIONS=verify_asan_link_order=0:${ASAN_OPTIONS:-} start_svd
wait_state app running
first=$(svctl secret get pw)
touch "$T/state/arm"

# set: succeeds, served, delivered, warned about
printf 'set-by-operator\n' | svctl secret set pw > "$T/out/set" 2>&1 || fail "secret set: $(cat "$T/out/set")"
assert_eq "$(svctl secret get pw)" "set-by-operator" "pw after set"
wait_for grep -qx set-by-operator "$T/out/app.pw"
wait_for grep -q "secrets: $T/.*state/secrets written, but its directory $T/.*state could not be synced: Input/output error" "$T/svd.out"

# rotate: the same
svctl secret rotate pw > "$T/out/rot" 2>&1 || fail "secret rotate: $(cat "$T/out/rot")"
rotated=$(svctl secret get pw)
[ "$rotated" != "set-by-operator" ] && [ "$rotated" != "$first" ] || fail "pw after rotate: '$rotated'"
wait_for grep -qx -- "$rotated" "$T/out/app.pw"
wait_state app running

# the next svd reads what the running one served
rm -f "$T/state/arm"
stop_svd || fail "svd exit status"
start_svd
assert_eq "$(svctl secret get pw)" "$rotated" "pw after a restart of svd"
stop_svd || fail "svd exit status"
echo "secrets_dirsync: ok"

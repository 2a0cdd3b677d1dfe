#!/bin/bash
# libsodium cannot be loaded (an empty file where its soname leads, in a
# mount namespace of the test's own): svctl, which needs it only for a
# secret value that is not UTF-8 text (value_base64), still runs every
# other command. It was linked with libsodium, so the loader refused to
# start it at all, `svctl status` included. The command that does need it
# says which library it could not load and why, and sends nothing.
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
: > "$T/empty.so"
mount --bind "$T/empty.so" "$(readlink -f "$lib")" || { echo "cannot bind-mount over $lib"; exit 77; }
MOUNTS="$MOUNTS $(readlink -f "$lib")"

out=$("$SVCTL" -s "$SOCK" status web 2>&1) || fail "svctl status without libsodium: $out"
echo "$out" | grep -q running || fail "svctl status: $out"
"$SVCTL" -s "$SOCK" version > /dev/null 2>&1 || fail "svctl version without libsodium"
rc=0
printf 'a\377b' | "$SVCTL" -s "$SOCK" secret set blob > "$T/out/set.out" 2>&1 || rc=$?
assert_eq "$rc" "1" "svctl secret set of a binary value without libsodium"
grep -q "^svctl: cannot load libsodium.so.23: .*(needed for a value that is not UTF-8 text); nothing was sent$" \
        "$T/out/set.out" || fail "the error does not name the library: $(cat "$T/out/set.out")"
umount "$(readlink -f "$lib")"
wait_state web running
stop_svd || fail "svd exit status"
echo "svctl_sodium_missing: ok"

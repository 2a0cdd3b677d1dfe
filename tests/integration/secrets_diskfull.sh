#!/bin/bash
# The secrets store on a full state_dir. A host key that cannot be written
# at the first boot is written later, with the store. A value svd generated
# but could not store is never handed out: its consumers wait (reason: the
# store and the cause) while services without secrets run, and start once
# space is back, with the value the store then holds, which survives a
# restart of svd. A rotation that cannot be written fails for the caller and
# changes nothing.
# The end of a rotation with an on_rotate job that cannot be written is
# retried until it is, so it is not undone by a later restart of svd.
# Runs in a private mount namespace on a 1 MiB tmpfs: the host is untouched.
SVD_PRIVATE_MOUNTS=1
. "$(dirname "$0")/lib.sh"
tmpfs_at "$T/state" size=1M

fill() { dd if=/dev/zero of="$T/state/fill" bs=4k status=none 2>/dev/null || true; }
unfill() { rm -f "$T/state/fill"; }

service app <<YAML
secrets:
  pw: { generate: password, length: 24, on_rotate: rot }
command: [/bin/sh, -c, 'cat \$CREDENTIALS_DIRECTORY/pw > $T/out/app.pw; exec sleep 1000']
YAML
service rot <<YAML
type: oneshot
restart: "no"
enabled: false
secrets: [pw]
command: [/bin/sh, -c, 'cat \$CREDENTIALS_DIRECTORY/pw > $T/out/rot.pw; while [ ! -f $T/out/go ]; do sleep 0.05; done']
YAML
service free <<YAML
command: [/bin/sh, -c, 'exec sleep 1000']
YAML

# --- the first boot, with no room for the host key: the secrets are not
# given up on; their consumers wait until the key and the store are written ---
fill
start_svd
wait_state free running
wait_state app waiting
field app reason | grep -q "secret pw is not in the store yet (secrets key .*/secrets.key: cannot write: No space left on device)" ||
        fail "app's reason: $(field app reason)"
[ ! -e "$T/state/secrets.key" ] && [ ! -e "$T/state/secrets" ] || fail "a key or store on a full disk: $(ls "$T/state")"
unfill
wait_state app running 15
pw=$(svctl secret get pw)
assert_eq "$(cat "$T/out/app.pw")" "$pw" "the value app got"
stop_svd || fail "svd exit status"

# --- a secret added while there is no room for the store: generated but
# not stored, so its consumer waits ---
service late <<YAML
secrets:
  tok: { generate: password, length: 24 }
command: [/bin/sh, -c, 'cat \$CREDENTIALS_DIRECTORY/tok > $T/out/late.tok; exec sleep 1000']
YAML
fill
start_svd
wait_state free running
wait_state app running
wait_state late waiting
field late reason | grep -q "secret tok is not in the store yet (secrets store .*/secrets: cannot write: No space left on device)" ||
        fail "late's reason: $(field late reason)"
sleep 6 # (a retry or two)
assert_eq "$(field late state)" "waiting" "late while the disk is full"
[ ! -e "$T/out/late.tok" ] || fail "late got a value the store does not hold"
svctl secret get tok > "$T/out/get" 2>&1 && fail "secret get handed out a value the store does not hold"
grep -q "cannot write: No space left on device" "$T/out/get" || fail "secret get: $(cat "$T/out/get")"
assert_eq "$(svctl secret get pw)" "$pw" "pw (stored) while the disk is full"
[ ! -e "$T/state/secrets.tmp" ] || fail "a partial secrets.tmp was left"
unfill
wait_state late running 15
tok=$(svctl secret get tok)
assert_eq "$(cat "$T/out/late.tok")" "$tok" "the value late got"
stop_svd || fail "svd exit status"
start_svd
assert_eq "$(svctl secret get tok)" "$tok" "tok after a restart of svd"
assert_eq "$(svctl secret get pw)" "$pw" "pw after a restart of svd"
wait_state app running

# --- a rotation that cannot be written: refused, nothing changes ---
sum=$(sha256sum < "$T/state/secrets")
fill
svctl secret rotate pw > "$T/out/rot" 2>&1 && fail "rotate on a full disk succeeded"
grep -q "secrets store .*/secrets: cannot write: No space left on device" "$T/out/rot" || fail "rotate: $(cat "$T/out/rot")"
assert_eq "$(svctl secret get pw)" "$pw" "pw after a failed rotation"
assert_eq "$(sha256sum < "$T/state/secrets")" "$sum" "store after a failed rotation"
[ ! -e "$T/state/secrets.tmp" ] || fail "a partial secrets.tmp was left"
assert_eq "$(field app state)" "running" "app after a failed rotation"
unfill

# --- the end of a rotation that cannot be written is retried ---
svctl secret rotate pw > /dev/null || fail "rotate"
wait_for test -s "$T/out/rot.pw"
new=$(cat "$T/out/rot.pw")
[ "$new" != "$pw" ] || fail "the job got the old value"
fill
touch "$T/out/go"
wait_for grep -q "secrets: secrets store .*: cannot write: No space left on device; retried until it succeeds" "$T/svd.out"
# the consumer is restarted with the new value all the same (the store holds it)
wait_for grep -qx -- "$new" "$T/out/app.pw"
wait_state app running
svctl daemon-reexec > "$T/out/reexec" 2>&1 && fail "daemon-reexec while the store holds a rotation that ended"
grep -q "the secrets store could not be written" "$T/out/reexec" || fail "daemon-reexec: $(cat "$T/out/reexec")"
unfill
wait_for grep -q "secrets: store .*/secrets written" "$T/svd.out"
svctl daemon-reexec > /dev/null || fail "daemon-reexec once the store is written"
answers() { svctl version > /dev/null 2>&1; }
wait_for answers
stop_svd || fail "svd exit status"
start_svd
assert_eq "$(svctl secret get pw)" "$new" "the rotated pw after a restart of svd"
stop_svd || fail "svd exit status"
echo "secrets_diskfull: ok"

#!/bin/bash
# The credentials file system under a shared run_dir (systemd makes / and
# /run shared): a mount namespace made before it (here a sandboxed service
# started first, a slave of the host's mounts) must not get a copy of it,
# least of all a writable one. It used to get both the file system and the
# bind meant to be read-only, writable, and a root service there could fill
# the file system every service's secrets are written to. The mounts are
# now private (the earlier namespace sees the bare directory under them); at svd's stop, nothing is left mounted on either side.
SVD_PRIVATE_MOUNTS=1
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "needs root (mounts, sandbox)"; exit 77; }

# $T shared, as /run is under systemd (this test's namespace is private)
mount --bind "$T" "$T" && mount --make-rshared "$T" || { echo "cannot make $T shared"; exit 77; }
MOUNTS="$MOUNTS $T" # (cleanup unmounts it)

cred="$T/run/credentials"
service early <<YAML
allow_root: true
sandbox: { read_only_paths: [/usr] }
command: [/bin/sh, -c, 'while [ ! -e $T/out/go ]; do sleep 0.05; done; awk -v p="$cred" "\\\$5 == p" /proc/self/mountinfo > $T/out/early.mi; dd if=/dev/zero of=$cred/fill bs=4k count=10 2> $T/out/early.fill; echo done > $T/out/early.done; exec sleep 1000']
YAML
service late <<YAML
depends_on: [early]
secrets:
  pw: { generate: password, length: 24 }
command: [/bin/sh, -c, 'cat "\$CREDENTIALS_DIRECTORY/pw" > $T/out/late.pw; exec sleep 1000']
YAML

start_svd
wait_state late running
wait_for test -s "$T/out/late.pw"
assert_eq "$(cat "$T/out/late.pw")" "$(svctl secret get pw)" "late's credential"
touch "$T/out/go"
wait_for test -s "$T/out/early.done"
# (what it wrote went to the directory under the mounts, in its namespace)
[ ! -e "$cred/fill" ] || fail "a service in an earlier namespace wrote there: $(cat "$T/out/early.mi")"
grep -q svd-credentials "$T/out/early.mi" && fail "the credentials file system reached an earlier namespace: $(cat "$T/out/early.mi")"
stop_svd || fail "svd exit status"
[ -z "$(awk -v p="$cred" '$5 == p' /proc/self/mountinfo)" ] || fail "left mounted: $(grep credentials /proc/self/mountinfo)"
echo ok

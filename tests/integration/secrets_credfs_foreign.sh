#!/bin/bash
# A tmpfs someone else mounted on <run_dir>/credentials is not taken for
# the one an earlier svd left there (which every svd mounts with the
# source svd-credentials): svd mounts its own file system on top, writes
# the credential files there, and at its stop unmounts only its own
# mounts: the other tmpfs stays, with its files.
SVD_PRIVATE_MOUNTS=1
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "needs root (mounts)"; exit 77; }

service app <<YAML
secrets:
  pw: { generate: password, length: 24 }
command: [/bin/sh, -c, 'cat "\$CREDENTIALS_DIRECTORY/pw" > $T/out/app.pw; exec sleep 1000']
YAML

cred="$T/run/credentials"
mounts() { awk -v p="$cred" '$5 == p' /proc/self/mountinfo; }
tmpfs_at "$cred" size=1m,mode=0755
echo "not svd's" > "$cred/marker"

start_svd
wait_state app running
wait_for test -s "$T/out/app.pw"
assert_eq "$(cat "$T/out/app.pw")" "$(svctl secret get pw)" "app's credential"
top=$(mounts | tail -n 1)
assert_eq "$(echo "$top" | awk '{for (i = 1; i < NF; i++) if ($i == "-") print $(i + 2)}')" svd-credentials \
        "source of the top mount on $cred"
[ ! -e "$cred/marker" ] || fail "the foreign tmpfs was taken for svd's (its marker is visible)"
grep -q "already on" "$T/svd.out" && fail "the foreign tmpfs was reused: $(grep secrets: "$T/svd.out")"
stop_svd || fail "svd exit status $?"
assert_eq "$(mounts | wc -l)" 1 "mounts left on $cred"
assert_eq "$(cat "$cred/marker")" "not svd's" "the foreign tmpfs's file"
[ ! -e "$cred/app" ] || fail "svd's files reached the foreign tmpfs"

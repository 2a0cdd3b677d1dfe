#!/bin/bash
# A daemon-reexec into a configuration without any secrets: the new svd
# never opens the credentials file system the previous one mounted on
# <run_dir>/credentials, and still takes it down at its stop (with the
# private bind under it and the directory). A mount there that is not
# svd's (another source) is left alone.
SVD_PRIVATE_MOUNTS=1
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "needs root (mounts)"; exit 77; }

service app <<YAML
secrets:
  pw: { generate: password, length: 24 }
command: [/bin/sh, -c, 'cat "\$CREDENTIALS_DIRECTORY/pw" > $T/out/app.pw; exec sleep 1000']
YAML

cred="$T/run/credentials"
mounted() { awk -v p="$1" '$5 == p' /proc/self/mountinfo; }

start_svd
wait_state app running
wait_for test -s "$T/out/app.pw"
mounted "$cred" | grep -q " - [a-z]* svd-credentials " || fail "no svd-credentials mount on $cred: $(mounted "$cred")"

# the same service without secrets, then daemon-reexec
service app <<YAML
command: [sleep, "1000"]
YAML
svctl daemon-reexec > /dev/null || fail "daemon-reexec"
wait_for grep -q "daemon-reexec: .* services taken over" "$T/svd.out"
svctl version > /dev/null || fail "svd after daemon-reexec"
[ -n "$(mounted "$cred")" ] || fail "the credentials were unmounted under the running services"
stop_svd || fail "svd exit status"
[ -z "$(mounted "$cred")" ] || fail "left mounted: $(mounted "$cred")"
[ ! -e "$cred" ] || fail "credentials dir left behind: $(ls -la "$cred")"
grep -q "secrets: unmounted the credential files an earlier svd left on $cred" "$T/svd.out" ||
        fail "no line for the unmount"

# not svd's: a tmpfs of another source stays, and so does its content
tmpfs_at "$cred" size=1m
echo mine > "$cred/keep"
start_svd
svctl version > /dev/null || fail "svd"
stop_svd || fail "svd exit status (2)"
assert_eq "$(cat "$cred/keep" 2>/dev/null)" mine "the other tmpfs's file"
[ -n "$(mounted "$cred")" ] || fail "the other tmpfs on $cred was unmounted"
echo ok

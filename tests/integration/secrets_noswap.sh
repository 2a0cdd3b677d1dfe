#!/bin/bash
# The credentials file system: as root a RAM file system that never goes to
# swap (a tmpfs with noswap on Linux 6.4+, else a ramfs), read-only for
# services: a service that owns its credentials directory cannot make it
# writable, a root service cannot write there or fill the file system, while
# svd still writes every service's files (0400, owned by the service user),
# also after a daemon-reexec (which finds the mounts in place), and leaves
# nothing mounted when it stops. A plain tmpfs an older svd left there is
# kept, with a warning that it may be swapped.
SVD_PRIVATE_MOUNTS=1
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "needs root (service users, mounts)"; exit 77; }

# tries to write: into its own credentials directory after making it
# writable, and (as root) into the credentials file system's root
service own <<YAML
user: daemon
secrets:
  pw: { generate: password, length: 24 }
command: [/bin/sh, -c, 'cat "\$CREDENTIALS_DIRECTORY/pw" > $T/out/own.pw; chmod 700 "\$CREDENTIALS_DIRECTORY" > $T/out/own.chmod 2>&1; (echo x > "\$CREDENTIALS_DIRECTORY/new") 2> $T/out/own.write || echo ok > $T/out/own.write.ok; exec sleep 1000']
YAML
service rooty <<YAML
allow_root: true
secrets: [pw]
command: [/bin/sh, -c, 'cat "\$CREDENTIALS_DIRECTORY/pw" > $T/out/rooty.pw; dd if=/dev/zero of="\$CREDENTIALS_DIRECTORY/../fill" bs=4k count=10 2> $T/out/rooty.fill || echo ok > $T/out/rooty.fill.ok; exec sleep 1000']
YAML

cred="$T/run/credentials"
# mountinfo lines of the mounts on the credentials directory, top last
mounts() { awk -v p="$cred" '$5 == p' /proc/self/mountinfo; }

start_svd
wait_state own running
wait_state rooty running
wait_for test -s "$T/out/own.write.ok"
wait_for test -s "$T/out/rooty.fill.ok"
pw=$(svctl secret get pw)
assert_eq "$(cat "$T/out/own.pw")" "$pw" "own's credential"
assert_eq "$(cat "$T/out/rooty.pw")" "$pw" "rooty's credential"

top=$(mounts | tail -n 1)
[ -n "$top" ] || fail "nothing mounted on $cred: $(cat /proc/self/mountinfo)"
fstype=$(echo "$top" | sed 's/.* - //' | awk '{print $1}')
super=$(echo "$top" | sed 's/.* - //' | awk '{print $3}')
case "$fstype" in
ramfs) ;;
tmpfs) [[ ",$super," == *,noswap,* ]] || fail "a tmpfs without noswap: $top" ;;
*) fail "credentials on a $fstype: $top" ;;
esac
opts=$(echo "$top" | awk '{print $6}')
echo "credentials: $fstype ($super), services see: $opts"
[[ ",$opts," == *,ro,* ]] || fail "the services' view is not read-only: $top"
grep -q "secrets: credential files on a .* on .*/run/credentials (read-only for services)" "$T/svd.out" ||
        fail "svd's log: $(grep credential "$T/svd.out")"
grep -q "may be written to swap" "$T/svd.out" && fail "swap warning with noswap or ramfs available"

grep -q "Read-only file system" "$T/out/own.chmod" || fail "own's chmod: $(cat "$T/out/own.chmod")"
grep -q "Read-only file system" "$T/out/own.write" || fail "own's write: $(cat "$T/out/own.write")"
grep -q "Read-only file system" "$T/out/rooty.fill" || fail "rooty's fill: $(cat "$T/out/rooty.fill")"
[ ! -e "$cred/fill" ] && [ ! -e "$cred/own/new" ] || fail "a service wrote: $(ls -la "$cred" "$cred/own")"
assert_eq "$(stat -c '%a %U' "$cred/own/pw")" "400 daemon" "own's file mode/owner"
assert_eq "$(stat -c '%a %U' "$cred/own")" "500 daemon" "own's dir mode/owner"
assert_eq "$(stat -c '%a %U' "$cred/rooty/pw")" "400 root" "rooty's file mode/owner"
# even root cannot write through the path
echo x 2>/dev/null > "$cred/x" && fail "root wrote through the read-only view"

# --- daemon-reexec: the new svd finds the mounts and writes through them ---
n=$(mounts | wc -l)
svctl daemon-reexec > /dev/null || fail "daemon-reexec"
wait_for grep -q "already on .*/run/credentials (read-only for services)" "$T/svd.out"
assert_eq "$(mounts | wc -l)" "$n" "mounts on $cred after daemon-reexec"
rm -f "$T/out/own.pw"
svctl restart own > /dev/null || fail "restart own"
wait_for test -s "$T/out/own.pw"
assert_eq "$(cat "$T/out/own.pw")" "$pw" "own's credential after daemon-reexec"
assert_eq "$(stat -c '%a %U' "$cred/own/pw")" "400 daemon" "own's file after daemon-reexec"
svctl stop rooty > /dev/null || fail "stop rooty"
wait_state rooty stopped
[ ! -e "$cred/rooty" ] || fail "rooty's credentials left after its stop"

stop_svd || fail "svd exit status"
[ -z "$(mounts)" ] || fail "left mounted: $(mounts)"
[ ! -e "$cred" ] || fail "credentials dir left behind"

# --- a plain tmpfs left there (by an older svd): kept for the files of
# the services it may hold, with a warning that it can be swapped, and
# still made read-only for services ---
rm -f "$T"/out/own.*
# (every svd gave its mounts the source svd-credentials, which is how the
# next one tells them from another's tmpfs: secrets_credfs_foreign.sh)
mkdir -p "$cred"
mount -t tmpfs -o size=1m,mode=0711 svd-credentials "$cred" || fail "cannot mount a tmpfs on $cred"
MOUNTS="$MOUNTS $cred"
start_svd
wait_state own running
wait_for test -s "$T/out/own.write.ok"
grep -q "secrets: the tmpfs already on .*/run/credentials (left by an earlier svd) has no noswap" "$T/svd.out" ||
        fail "no warning for the swappable tmpfs: $(grep secrets: "$T/svd.out")"
[[ ",$(mounts | tail -n 1 | awk '{print $6}')," == *,ro,* ]] || fail "not read-only for services: $(mounts)"
assert_eq "$(cat "$T/out/own.pw")" "$pw" "own's credential on the old tmpfs"
stop_svd || fail "svd exit status"
echo ok

#!/bin/bash
# The credentials file system's leftovers. svd writes credential files
# through a writable bind of it it makes for a moment at
# <run_dir>/credentials.svd.XXXXXX; an svd killed in that moment leaves the
# bind there, a writable view of every service's secrets. The next svd
# removes such a bind (one line logged each) and nothing else: not a
# directory of another name with the same bind on it, not a directory of
# that name with nothing mounted on it, not another tmpfs under that name.
# And an svd that finds its store broken after a daemon-reexec still
# unmounts the credentials file system at its stop. An svd whose
# configuration has no secrets (any more) removes such a bind too, with
# the same strict matching.
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
[ -n "$(mounted "$cred")" ] || fail "nothing mounted on $cred"

# the crash: a writable bind as open_writable makes it, then SIGKILL
left="$cred.svd.Ab3xZ9"
mkdir -m 0700 "$left"
mount --bind "$cred" "$left" && mount -o remount,bind,rw "$left" || fail "cannot bind $cred on $left"
# not ours: another name with the same bind, that name with nothing
# mounted, that name with another tmpfs
other="$cred.svd.Ab3xZ"
mkdir -m 0700 "$other" "$cred.svd.Qq1Ww2"
mount --bind "$cred" "$other" || fail "cannot bind $cred on $other"
MOUNTS="$MOUNTS $other"
tmpfs_at "$cred.svd.Tt5Yy6" size=1m
echo x > "$left/probe" || fail "the planted bind is not writable"
rm -f "$left/probe"

crash_restart_svd
wait_state app running
wait_for grep -q "secrets: removed $left, a writable mount of the credential files" "$T/svd.out"
[ -z "$(mounted "$left")" ] || fail "still mounted: $(mounted "$left")"
[ ! -e "$left" ] || fail "$left left behind"
[ -n "$(mounted "$other")" ] || fail "$other (another name) was unmounted"
[ -d "$cred.svd.Qq1Ww2" ] || fail "$cred.svd.Qq1Ww2 (not a mount) was removed"
[ -n "$(mounted "$cred.svd.Tt5Yy6")" ] || fail "$cred.svd.Tt5Yy6 (another tmpfs) was unmounted"
assert_eq "$(grep -c "secrets: removed" "$T/svd.out")" "1" "removals logged"
assert_eq "$(svctl secret get pw)" "$(cat "$T/out/app.pw")" "pw after the restart"
umount "$other" || fail "cannot unmount $other"

# --- a broken store after a daemon-reexec: the credentials file system
# (and what it holds) is still taken down at the stop ---
n=$(mounted "$cred" | wc -l)
[ "$n" -ge 1 ] || fail "nothing mounted on $cred"
printf 'not a store' > "$T/state/secrets"
svctl daemon-reexec > /dev/null || fail "daemon-reexec"
wait_for grep -q "not a secrets store (bad header)" "$T/svd.out"
svctl version > /dev/null || fail "svd after daemon-reexec"
assert_eq "$(mounted "$cred" | wc -l)" "$n" "mounts on $cred after daemon-reexec"
stop_svd || fail "svd exit status"
[ -z "$(mounted "$cred")" ] || fail "left mounted: $(mounted "$cred")"
[ ! -e "$cred" ] || fail "credentials dir left behind: $(ls -la "$cred")"

# --- killed while writing, restarted into a configuration without
# secrets: the bind is removed all the same, the others left alone ---
rm -f "$T/state/secrets" # the broken store: a fresh one
start_svd
wait_state app running
[ -n "$(mounted "$cred")" ] || fail "nothing mounted on $cred"
left2="$cred.svd.Cc7Vv8"
mkdir -m 0700 "$left2"
mount --bind "$cred" "$left2" && mount -o remount,bind,rw "$left2" || fail "cannot bind $cred on $left2"
mount --bind "$cred" "$other" || fail "cannot bind $cred on $other"
no_secrets() {
        service app <<YAML
command: [sleep, "1000"]
YAML
}
crash_restart_svd no_secrets
wait_state app running
wait_for grep -q "secrets: removed $left2, a writable mount of the credential files" "$T/svd.out"
[ -z "$(mounted "$left2")" ] || fail "still mounted: $(mounted "$left2")"
[ ! -e "$left2" ] || fail "$left2 left behind"
[ -n "$(mounted "$other")" ] || fail "$other (another name) was unmounted without secrets"
[ -d "$cred.svd.Qq1Ww2" ] || fail "$cred.svd.Qq1Ww2 (not a mount) was removed without secrets"
[ -n "$(mounted "$cred.svd.Tt5Yy6")" ] || fail "$cred.svd.Tt5Yy6 (another tmpfs) was unmounted without secrets"
assert_eq "$(grep -c "secrets: removed" "$T/svd.out")" "1" "removals logged without secrets"
umount "$other" || fail "cannot unmount $other"
stop_svd || fail "svd exit status"
[ -z "$(mounted "$cred")" ] || fail "left mounted without secrets: $(mounted "$cred")"
echo ok

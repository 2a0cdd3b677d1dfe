#!/bin/bash
# A credential file that cannot be written (here: the credentials file
# system is full, filled by root through a writable bind of it, since
# services only see it read-only) never lets the service start without its
# secret and does not stall svd: the service waits with the reason
# "credentials: PATH/NAME: No space left on device" (also in svctl status),
# svd tries again with a growing delay (0.5 s doubling to 4 s, so a few
# tries, not a busy loop), and the service starts with its value once there
# is room. svctl stop during that wait stops it for good: room coming back
# later does not start it.
SVD_PRIVATE_MOUNTS=1
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "needs root (mounts)"; exit 77; }

service first <<YAML
secrets:
  a: { generate: password, length: 24 }
command: [/bin/sh, -c, 'cat \$CREDENTIALS_DIRECTORY/a > $T/out/first.a; exec sleep 1000']
YAML
service app <<YAML
enabled: false
secrets:
  pw: { generate: password, length: 24 }
command: [/bin/sh, -c, 'cat \$CREDENTIALS_DIRECTORY/pw > $T/out/app.pw; exec sleep 1000']
YAML
service free <<YAML
command: [/bin/sh, -c, 'exec sleep 1000']
YAML

cred="$T/run/credentials"
start_svd
wait_state first running
wait_state free running
wait_for test -s "$T/out/first.a"

# a ramfs (the fallback before Linux 6.4) has no size: nothing to fill
fstype=$(awk -v p="$cred" '$5 == p' /proc/self/mountinfo | tail -n 1 | sed 's/.* - //' | awk '{print $1}')
[ "$fstype" = tmpfs ] || { echo "credentials on a $fstype, not a size-limited tmpfs: nothing to fill"; exit 77; }

# root's own writable view of the credentials file system
mkdir "$T/credrw"
mount --bind "$cred" "$T/credrw" || fail "bind $cred"
MOUNTS="$MOUNTS $T/credrw"
mount -o remount,bind,rw "$T/credrw" || fail "remount the bind read-write"
fill() { dd if=/dev/zero of="$T/credrw/fill" bs=64k status=none 2>/dev/null || true; }
unfill() { rm -f "$T/credrw/fill"; }

# --- a full file system: app waits with the reason, then starts ---
fill
svctl start app > /dev/null || fail "start app"
wait_state app waiting
field app reason | grep -q "^credentials: .*/run/credentials/app/pw: No space left on device$" ||
        fail "app's reason: $(field app reason)"
svctl status | grep app | grep -q "credentials: .*/app/pw: No space left on device" ||
        fail "svctl status: $(svctl status)"
sleep 4
assert_eq "$(field app state)" "waiting" "app while the file system is full"
[ ! -e "$T/out/app.pw" ] || fail "app ran without its credential"
[ ! -e "$cred/app" ] || fail "a partial credentials dir was left: $(ls -la "$cred/app")"
assert_eq "$(field first state)" "running" "first while app waits"
svctl version > /dev/null || fail "svd does not answer"
unfill
wait_state app running 10
wait_for test -s "$T/out/app.pw"
assert_eq "$(cat "$T/out/app.pw")" "$(svctl secret get pw)" "app's credential"
assert_eq "$(stat -c '%a' "$cred/app/pw")" "400" "app's file mode"
tries=$(sed -n 's/.*app: credential files written, after \([0-9]*\) failed tries.*/\1/p' "$T/svd.out")
[ -n "$tries" ] || fail "no line for the successful write: $(grep 'app:' "$T/svd.out")"
# ~4 s of waiting: tries at 0, 0.5, 1.5, 3.5 s; retried every 0.5 s it would be 8 or more
[ "$tries" -ge 2 ] && [ "$tries" -le 6 ] || fail "$tries failed tries in about 4 s (0.5 s doubling to 4 s)"
assert_eq "$(grep -c 'app: credentials: .*No space left on device; the start waits' "$T/svd.out")" 1 \
        "warnings for one and the same failure"

# --- svctl stop during the wait wins over the retry ---
svctl stop app > /dev/null || fail "stop app"
wait_state app stopped
rm -f "$T/out/app.pw"
fill
svctl start app > /dev/null || fail "start app"
wait_state app waiting
field app reason | grep -q "No space left on device" || fail "app's reason: $(field app reason)"
svctl stop app > /dev/null || fail "stop app while it waits"
wait_state app stopped
unfill
sleep 5 # longer than the longest retry delay
assert_eq "$(field app state)" "stopped" "app after room came back (it was stopped)"
[ ! -e "$T/out/app.pw" ] || fail "app started after its stop"
assert_eq "$(field first state)" "running" "first"

# started again, it starts at once
svctl start app > /dev/null || fail "start app"
wait_state app running
wait_for test -s "$T/out/app.pw"
stop_svd || fail "svd exit status"
echo ok

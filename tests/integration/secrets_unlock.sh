#!/bin/bash
# secrets_key: passphrase: svd starts with the services that use secrets
# waiting ("secrets locked") and the others running; `svctl unlock` (admin
# only, passphrase on stdin) opens the store. The first unlock sets the
# passphrase; after a restart of svd a wrong one is refused and the store
# stays as it was, the right one gives back the same values. No key file.
# daemon-reexec carries the unlocked key over (a sealed memfd, read and
# closed by the new instance; no file anywhere holds it, nor does an
# svd-fdstore the new instance starts before taking its descriptors back):
# secrets stay usable, a consumer restarts without waiting, a rotation
# made after the re-exec opens with the passphrase later. A re-exec is refused while a
# rotation waits for its on_rotate job. A new binary that does not say it
# takes the key (`svd --state-format` without secrets-key-fd) is not given
# it. An svd that was killed and taken over from its state file comes back
# locked.
. "$(dirname "$0")/lib.sh"
command -v setpriv >/dev/null || { echo "setpriv missing"; exit 77; }
echo "secrets_key: passphrase" >> "$T/etc/svd.yaml"
# svd runs from a copy, so the test can replace "the package's" binary
mkdir -p "$T/bin"
cp "$SVD" "$(dirname "$SVD")/svd-probe" "$(dirname "$SVD")/svd-fdstore" "$T/bin/"
SVD=$T/bin/svd

service app <<YAML
secrets:
  pw: { generate: password, length: 24, on_rotate: rot }
command: [/bin/sh, -c, 'cat \$CREDENTIALS_DIRECTORY/pw > $T/out/pw; exec sleep 1000']
YAML
# a slow on_rotate job
service rot <<YAML
type: oneshot
enabled: false
restart: "no"
secrets: [pw]
command: [/bin/sh, -c, 'sleep 2']
YAML
service free <<YAML
command: [/bin/sh, -c, 'exec sleep 1000']
YAML

start_svd
wait_state free running
wait_state app waiting
assert_eq "$(field app reason)" "secrets locked" "app's reason"
svctl secret list | grep -q '^store: locked' || fail "list: $(svctl secret list)"
out=$(svctl secret get pw 2>&1) && fail "get while locked"
if [ "$(id -u)" = 0 ]; then
        out=$(echo 'correct horse battery' | setpriv --reuid=nobody --regid=nogroup --clear-groups \
                "$SVCTL" -s "$SOCK" unlock 2>&1) && fail "nobody could unlock"
        echo "$out" | grep -q 'permission denied' || fail "nobody unlock: $out"
fi
echo 'correct horse battery' | svctl unlock 2> /dev/null || fail "unlock"
wait_state app running
wait_for test -s "$T/out/pw"
pw=$(svctl secret get pw)
assert_eq "$(cat "$T/out/pw")" "$pw" "credential"
[ ! -e "$T/state/secrets.key" ] || fail "a host key was written in passphrase mode"
out=$(echo 'correct horse battery' | svctl unlock 2>&1) && fail "unlocked twice"
stop_svd || fail "svd exit status $?"
sum=$(sha256sum < "$T/state/secrets")

start_svd
wait_state app waiting
out=$(echo 'wrong horse battery' | svctl unlock 2>&1) && fail "a wrong passphrase was accepted"
echo "$out" | grep -q 'wrong passphrase' || fail "wrong passphrase: $out"
assert_eq "$(field app state)" "waiting" "app after a wrong passphrase"
assert_eq "$(sha256sum < "$T/state/secrets")" "$sum" "store after a wrong passphrase"
echo 'correct horse battery' | svctl unlock 2> /dev/null || fail "unlock after restart"
wait_state app running
assert_eq "$(svctl secret get pw)" "$pw" "pw after restart"

# daemon-reexec: the key goes across, in memory only
reexecs() { [ "$(grep -c 'daemon-reexec: [0-9]* services taken over' "$T/svd.out")" = "$1" ]; }
app_pid=$(field app pid)
# with svd-fdstore gone, the new instance starts one before it has opened
# anything: it must not inherit the key (nor svd's sockets)
store=$(pgrep -f "svd-fdstore $T/" || true)
[ -n "$store" ] && kill "$store"
svctl daemon-reexec > /dev/null || fail "daemon-reexec"
wait_for reexecs 1
store2=$(pgrep -f "svd-fdstore $T/" || true)
[ -n "$store2" ] && [ "$store2" != "$store" ] || fail "no new svd-fdstore ('$store' -> '$store2')"
find "/proc/$store2/fd" -lname '*svd-secrets-key*' | grep -q . && fail "svd-fdstore got the key's memfd"
if command -v ss > /dev/null; then
        ss -xlpH | grep -F "$SOCK" | grep -q svd-fdstore && fail "svd-fdstore holds the control socket"
fi
grep -q 'secrets: unlocked with the key handed over by daemon-reexec' "$T/svd.out" || fail "key not handed over"
svctl secret list | grep -q '^store:' && fail "store after re-exec: $(svctl secret list | head -1)"
assert_eq "$(svctl secret get pw)" "$pw" "pw after re-exec"
assert_eq "$(field app pid)" "$app_pid" "app across the re-exec"
for p in "$SVD_PID" "$app_pid"; do
        find "/proc/$p/fd" -lname '*svd-secrets-key*' | grep -q . && fail "the key's memfd is open in pid $p"
done
grep -rlF --exclude-dir=bin SVDKEY01 "$T" && fail "the handed-over key is in a file"
svctl restart app > /dev/null
wait_state app running
assert_eq "$(field app reason)" "" "app's reason after a restart"

# a rotation after the re-exec: the on_rotate job runs; no re-exec meanwhile
out=$(svctl secret rotate pw) || fail "rotate after re-exec: $out"
echo "$out" | grep -q 'running rot' || fail "rotate: $out"
out=$(svctl daemon-reexec 2>&1) && fail "re-exec during a rotation"
echo "$out" | grep -q 'waiting for its on_rotate job' || fail "re-exec during a rotation: $out"
wait_for grep -q 'on_rotate job rot done' "$T/svd.out"
pw2=$(svctl secret get pw)
[ "$pw2" != "$pw" ] || fail "pw not rotated"
wait_for grep -qx -- "$pw2" "$T/out/pw"
wait_state app running
svctl daemon-reexec > /dev/null || fail "daemon-reexec after the rotation"
wait_for reexecs 2
assert_eq "$(svctl secret get pw)" "$pw2" "pw after the second re-exec"

# a binary that does not list the capability (an older svd) is not given
# the key: it comes up locked
cp "$T/bin/svd" "$T/bin/svd.real"
rm "$T/bin/svd" # the running file is unlinked, as a package upgrade does
printf '#!/bin/sh\n[ "$1" = --state-format ] && echo "svd-state 1" && exit 0\nexec %s "$@"\n' "$T/bin/svd.real" > "$T/bin/svd"
chmod +x "$T/bin/svd"
svctl daemon-reexec > /dev/null || fail "daemon-reexec to an older binary"
wait_for reexecs 3
grep -q 'cannot hand the secrets key over (the new binary does not take it)' "$T/svd.out" ||
        fail "no warning about the key"
svctl secret list | grep -q '^store: locked' || fail "after an older binary: $(svctl secret list | head -1)"
echo 'correct horse battery' | svctl unlock 2> /dev/null || fail "unlock after an older binary"
assert_eq "$(svctl secret get pw)" "$pw2" "pw after an older binary"

# killed: the next svd takes the services over from its state file, locked
app_pid=$(field app pid)
crash_restart_svd
wait_state app running
assert_eq "$(field app pid)" "$app_pid" "app adopted"
svctl secret list | grep -q '^store: locked' || fail "after a kill: $(svctl secret list | head -1)"
out=$(svctl secret get pw 2>&1) && fail "get after a kill without unlock"
echo 'correct horse battery' | svctl unlock 2> /dev/null || fail "unlock after a kill"
assert_eq "$(svctl secret get pw)" "$pw2" "the rotated pw, under the passphrase"
stop_svd || fail "svd exit status $?"
echo "secrets_unlock: ok"

#!/bin/bash
# secrets_key: passphrase: svd starts with the services that use secrets
# waiting ("secrets locked") and the others running; `svctl unlock` (admin
# only, passphrase on stdin) opens the store. The first unlock sets the
# passphrase; after a restart of svd a wrong one is refused and the store
# stays as it was, the right one gives back the same values. No key file.
. "$(dirname "$0")/lib.sh"
command -v setpriv >/dev/null || { echo "setpriv missing"; exit 77; }
echo "secrets_key: passphrase" >> "$T/etc/svd.yaml"

service app <<YAML
secrets:
  pw: { generate: password, length: 24 }
command: [/bin/sh, -c, 'cat \$CREDENTIALS_DIRECTORY/pw > $T/out/pw; exec sleep 1000']
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
stop_svd || fail "svd exit status $?"
echo "secrets_unlock: ok"

#!/bin/bash
# svctl unlock reads the store again: one replaced or cut while svd waited
# for the passphrase is refused with what is wrong with it ("not a secrets
# store (bad header)"), not taken for corrupted records, and left as it is. The store put back, the passphrase opens it.
. "$(dirname "$0")/lib.sh"
echo "secrets_key: passphrase" >> "$T/etc/svd.yaml"

service app <<YAML
secrets:
  pw: { generate: password }
command: [/bin/sh, -c, 'exec sleep 1000']
YAML

start_svd
echo 'correct horse battery' | svctl unlock 2> /dev/null || fail "first unlock"
wait_state app running
stop_svd || fail "svd exit status $?"
cp "$T/state/secrets" "$T/good.store"

start_svd
wait_state app waiting
head -c 200 /dev/urandom > "$T/state/secrets"
out=$(echo 'correct horse battery' | svctl unlock 2>&1) && fail "unlocked a replaced store"
echo "$out" | grep -q "state/secrets: not a secrets store (bad header)" || fail "replaced store: $out"
head -c 20 "$T/good.store" > "$T/state/secrets"
out=$(echo 'correct horse battery' | svctl unlock 2>&1) && fail "unlocked a cut store"
echo "$out" | grep -q "state/secrets: not a secrets store (bad header)" || fail "cut store: $out"
cmp -s "$T/state/secrets" <(head -c 20 "$T/good.store") || fail "the cut store was rewritten"
assert_eq "$(field app state)" waiting "app"
cp "$T/good.store" "$T/state/secrets"
echo 'correct horse battery' | svctl unlock 2> /dev/null || fail "unlock of the store put back"
wait_state app running
stop_svd || fail "svd exit status $?"
echo "secrets_unlock_damaged: ok"

#!/bin/bash
# A store whose KDF parameters are not secrets_kdf's, open with the key a
# daemon-reexec handed over: the re-encryption needs a key derived from the
# passphrase with the new parameters, and the passphrase is not handed
# over, so it waits for the next unlock (after svd restarts: svctl unlock
# takes a locked store only). The log says so, as does
# `svctl secret list` (kdf_pending), until that unlock re-encrypts it.
. "$(dirname "$0")/lib.sh"
printf 'secrets_key: passphrase\nsecrets_console: none\nsecrets_kdf: interactive\n' >> "$T/etc/svd.yaml"
mkdir -p "$T/bin"
cp "$SVD" "$(dirname "$SVD")/svd-probe" "$(dirname "$SVD")/svd-fdstore" "$T/bin/"
SVD=$T/bin/svd

service app <<YAML
secrets:
  tok: { generate: hex }
command: [/bin/sh, -c, 'exec sleep 1000']
YAML

PASS='correct horse battery'
header() { head -c 17 "$T/state/secrets" | tail -c 9 | od -An -tx1 | tr -d ' \n'; }
INTERACTIVE=010000000200010000 # 2 passes over 64 MiB
MODERATE=010000000300040000    # 3 passes over 256 MiB

start_svd
wait_state app waiting
echo "$PASS" | svctl unlock 2> /dev/null || fail "unlock"
wait_state app running
tok=$(svctl secret get tok)
assert_eq "$(header)" "$INTERACTIVE" "new store's header"
svctl --json secret list | grep -q kdf_pending && fail "kdf_pending with the configured parameters"

sed -i 's/^secrets_kdf: interactive$/secrets_kdf: moderate/' "$T/etc/svd.yaml"
reexecs() { [ "$(grep -c 'daemon-reexec: [0-9]* services taken over' "$T/svd.out")" = "$1" ]; }
svctl daemon-reexec > /dev/null || fail "daemon-reexec"
wait_for reexecs 1
grep -q 'secrets: unlocked with the key handed over by daemon-reexec' "$T/svd.out" || fail "key not handed over"
grep -qF "/state/secrets keeps its KDF parameters (2 passes over 64 MiB) after daemon-reexec: its re-encryption for secrets_kdf (3 passes over 256 MiB) needs the passphrase, so it waits for the next unlock, after svd restarts" "$T/svd.out" ||
        fail "no log line for the re-encryption left for the next unlock"
why='the store has 2 passes over 64 MiB, secrets_kdf 3 over 256: re-encrypted at the next unlock, after svd restarts (it needs the passphrase)'
json=$(svctl --json secret list) || fail "secret list --json"
assert_eq "$(printf '%s' "$json" | jq -r .kdf_pending)" "$why" "kdf_pending after daemon-reexec"
svctl secret list | grep -qxF "kdf: $why" || fail "secret list: no kdf line: $(svctl secret list)"
assert_eq "$(header)" "$INTERACTIVE" "header after daemon-reexec"
assert_eq "$(svctl secret get tok)" "$tok" "tok after daemon-reexec"
stop_svd || fail "svd exit status $?"

# the next unlock does it; then nothing is pending
start_svd
wait_state app waiting
out=$(echo "$PASS" | svctl unlock 2>&1) || fail "unlock after the restart: $out"
wait_for grep -qF "/state/secrets re-encrypted for secrets_kdf: Argon2id, 3 passes over 256 MiB (was 2 over 64)" "$T/svd.out"
assert_eq "$(header)" "$MODERATE" "header after the unlock"
json=$(svctl --json secret list) || fail "secret list --json"
assert_eq "$(printf '%s' "$json" | jq -r '.kdf_pending // "none"')" "none" "kdf_pending after the re-encryption"
assert_eq "$(svctl secret get tok)" "$tok" "tok after the re-encryption"
stop_svd || fail "svd exit status $?"

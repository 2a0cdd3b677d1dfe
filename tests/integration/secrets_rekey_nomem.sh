#!/bin/bash
# A re-encryption for secrets_kdf that cannot get Argon2id's memory (1 GiB
# for sensitive) fails gracefully: the unlock (of a store under the
# interactive parameters, 64 MiB) is answered and the services start, the
# store and its values stay as they were, the log warns once, and
# `svctl secret list` says why the store keeps its parameters (kdf_pending)
# until the next unlock, which tries again. The memory limit is
# RLIMIT_AS set on the running svd, above what it maps already (an ASan
# build maps terabytes of shadow at its start), by 512 MiB.
. "$(dirname "$0")/lib.sh"
command -v prlimit > /dev/null || { echo "no prlimit"; exit 77; }
printf 'secrets_key: passphrase\nsecrets_console: none\nsecrets_kdf: interactive\n' >> "$T/etc/svd.yaml"

service app <<YAML
secrets:
  pw: { generate: password, length: 24 }
command: [/bin/sh, -c, 'cat \$CREDENTIALS_DIRECTORY/pw > $T/out/pw; exec sleep 1000']
YAML

PASS='correct horse battery'
start_svd
wait_state app waiting
echo "$PASS" | svctl unlock 2> /dev/null || fail "unlock"
wait_state app running
wait_for test -s "$T/out/pw"
pw=$(cat "$T/out/pw")
stop_svd || fail "svd exit status $?"
cp "$T/state/secrets" "$T/out/store.before"

sed -i 's/^secrets_kdf: interactive$/secrets_kdf: sensitive/' "$T/etc/svd.yaml"
why='the store has 2 passes over 64 MiB, secrets_kdf 4 over 1024: re-encryption failed (cannot derive the key: out of memory); tried again at the next unlock'
for round in 1 2; do
        rm -f "$T/out/pw"
        start_svd
        wait_state app waiting
        vm=$(awk '/^VmSize:/ {print $2}' "/proc/$SVD_PID/status")
        prlimit --pid "$SVD_PID" --as=$(( (vm + 512 * 1024) * 1024 ))
        out=$(echo "$PASS" | svctl unlock 2>&1) || fail "unlock $round: $out"
        wait_state app running
        wait_for test -s "$T/out/pw"
        assert_eq "$(cat "$T/out/pw")" "$pw" "the value (round $round)"
        wait_for grep -qF "not re-encrypted for secrets_kdf: cannot derive the key: out of memory; it keeps its KDF parameters (2 passes over 64 MiB) until the next unlock" "$T/svd.out"
        assert_eq "$(grep -c 'not re-encrypted for secrets_kdf' "$T/svd.out")" 1 "warnings (round $round)"
        assert_eq "$(svctl --json secret list | jq -r .kdf_pending)" "$why" "kdf_pending (round $round)"
        assert_eq "$(svctl secret get pw)" "$pw" "secret get (round $round)"
        cmp -s "$T/state/secrets" "$T/out/store.before" || fail "the store changed (round $round)"
        [ ! -e "$T/state/secrets.tmp" ] || fail "a temporary file was left"
        stop_svd || fail "svd exit status $? (round $round)"
done

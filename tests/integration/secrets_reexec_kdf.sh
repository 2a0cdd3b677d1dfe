#!/bin/bash
# daemon-reexec hands the passphrase key over with the KDF parameters it
# was derived with: until the store is first written they are nowhere
# else, and the new instance must not write the store under the ones
# secrets_kdf names by then, which the key was not derived with (the next
# unlock would be refused as a wrong passphrase). Here the unlock needs no
# store (a from_file secret only), and a generated secret comes with the
# configuration the new instance reads.
. "$(dirname "$0")/lib.sh"
printf 'secrets_key: passphrase\nsecrets_console: none\nsecrets_kdf: moderate\n' >> "$T/etc/svd.yaml"
mkdir -p "$T/bin"
cp "$SVD" "$(dirname "$SVD")/svd-probe" "$(dirname "$SVD")/svd-fdstore" "$T/bin/"
SVD=$T/bin/svd
printf 'a-long-enough-operator-value\n' > "$T/out/pw"
chmod 600 "$T/out/pw"

service app <<YAML
secrets:
  pw: { from_file: $T/out/pw }
command: [/bin/sh, -c, 'exec sleep 1000']
YAML

start_svd
wait_state app waiting
echo 'correct horse battery' | svctl unlock 2> /dev/null || fail "unlock"
wait_state app running
[ ! -e "$T/state/secrets" ] || fail "a store was written with no stored secret"

# the new instance reads the configuration again: a generated secret
# added meanwhile is generated and stored by it
sed -i 's/^secrets_kdf: moderate$/secrets_kdf: interactive/' "$T/etc/svd.yaml"
service gen <<YAML
secrets:
  tok: { generate: hex }
command: [/bin/sh, -c, 'exec sleep 1000']
YAML
reexecs() { [ "$(grep -c 'daemon-reexec: [0-9]* services taken over' "$T/svd.out")" = "$1" ]; }
svctl daemon-reexec > /dev/null || fail "daemon-reexec"
wait_for reexecs 1
grep -q 'secrets: unlocked with the key handed over by daemon-reexec' "$T/svd.out" || fail "key not handed over"
grep -rlF --exclude-dir=bin SVDKEY02 "$T" && fail "the handed-over key is in a file"
wait_state gen running
tok=$(svctl secret get tok)
# mode 1, 3 passes over 262144 KiB (moderate, the key's), after the magic
assert_eq "$(head -c 17 "$T/state/secrets" | tail -c 9 | od -An -tx1 | tr -d ' \n')" "010000000300040000" "header"
stop_svd || fail "svd exit status $?"

start_svd
wait_state gen waiting
out=$(echo 'correct horse battery' | svctl unlock 2>&1) || fail "unlock after the restart: $out"
wait_state gen running
assert_eq "$(svctl secret get tok)" "$tok" "tok after the restart"
stop_svd || fail "svd exit status $?"

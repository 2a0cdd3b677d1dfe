#!/bin/bash
# A changed secrets_kdf reaches an existing store at its next unlock: once
# the store is open with the parameters of its header, it is written again
# under a key derived with the configured ones (and a new salt), which the
# log says; the values stay. A re-encryption that cannot be written (a full
# state_dir) leaves the store as it was, under the old parameters, and the
# next unlock opens it and tries again (`svctl secret list` says why it is
# pending meanwhile). An svd stopped during the
# re-encryption waits for its derivation and leaves the store as it was
# (a daemon-reexec meanwhile is refused).
# Runs in a private mount namespace on a 1 MiB tmpfs: the host is untouched.
SVD_PRIVATE_MOUNTS=1
. "$(dirname "$0")/lib.sh"
tmpfs_at "$T/state" size=1M
printf 'secrets_key: passphrase\nsecrets_console: none\nsecrets_kdf: interactive\n' >> "$T/etc/svd.yaml"

service app <<YAML
secrets:
  pw: { generate: password, length: 24 }
command: [/bin/sh, -c, 'cat \$CREDENTIALS_DIRECTORY/pw > $T/out/pw; exec sleep 1000']
YAML

PASS='correct horse battery'
# mode 1, then the passes and the memory in KiB, after the magic
header() { head -c 17 "$T/state/secrets" | tail -c 9 | od -An -tx1 | tr -d ' \n'; }
INTERACTIVE=010000000200010000 # 2 passes over 64 MiB
MODERATE=010000000300040000    # 3 passes over 256 MiB
fill() { dd if=/dev/zero of="$T/state/fill" bs=4k status=none 2>/dev/null || true; }
unfill() { rm -f "$T/state/fill"; }
unlock_run() { # waits for app to run with the value, checks it
        rm -f "$T/out/pw"
        start_svd
        wait_state app waiting
        out=$(echo "$PASS" | svctl unlock 2>&1) || fail "unlock: $out"
        wait_state app running
        wait_for test -s "$T/out/pw"
        [ -z "${pw:-}" ] || assert_eq "$(cat "$T/out/pw")" "$pw" "the value"
        pw=$(cat "$T/out/pw")
}

# the store is made with secrets_kdf's parameters: nothing to re-encrypt
unlock_run
assert_eq "$(header)" "$INTERACTIVE" "new store's header"
grep -q 're-encrypt' "$T/svd.out" && fail "re-encrypted a new store: $(grep 're-encrypt' "$T/svd.out")"
stop_svd || fail "svd exit status $?"
cp "$T/state/secrets" "$T/out/store.interactive"

# secrets_kdf changed: opened with the header's, written under the new ones
sed -i 's/^secrets_kdf: interactive$/secrets_kdf: moderate/' "$T/etc/svd.yaml"
unlock_run
grep -q 'deriving the key (Argon2id, 2 passes over 64 MiB)' "$T/svd.out" || fail "not derived with the header's"
wait_for grep -qF "/state/secrets re-encrypted for secrets_kdf: Argon2id, 3 passes over 256 MiB (was 2 over 64)" "$T/svd.out"
assert_eq "$(header)" "$MODERATE" "re-encrypted store's header"
# a new salt: the salt (after the parameters) is not the old store's
[ "$(head -c 33 "$T/state/secrets" | tail -c 16 | od -An -tx1)" != "$(head -c 33 "$T/out/store.interactive" | tail -c 16 | od -An -tx1)" ] ||
        fail "the re-encrypted store kept its salt"
assert_eq "$(svctl secret get pw)" "$pw" "secret get after the re-encryption"
[ ! -e "$T/state/secrets.tmp" ] || fail "a temporary file was left"
stop_svd || fail "svd exit status $?"

# the next svd derives with the new parameters, and has nothing to do
unlock_run
grep -q 'deriving the key (Argon2id, 3 passes over 256 MiB)' "$T/svd.out" || fail "not derived with the new header's"
grep -q 're-encrypt' "$T/svd.out" && fail "re-encrypted again: $(grep 're-encrypt' "$T/svd.out")"
stop_svd || fail "svd exit status $?"

# back to interactive, on a full state_dir: the write fails, the store
# stays as it was (and opens with the same passphrase next time)
sed -i 's/^secrets_kdf: moderate$/secrets_kdf: interactive/' "$T/etc/svd.yaml"
cp "$T/state/secrets" "$T/out/store.moderate"
fill
unlock_run
wait_for grep -qF "/state/secrets: cannot write: No space left on device; it keeps its KDF parameters (3 passes over 256 MiB) until the next unlock" "$T/svd.out"
cmp -s "$T/state/secrets" "$T/out/store.moderate" || fail "the store changed"
# and `svctl secret list` says why it is still pending
kdf=$(svctl --json secret list | jq -r .kdf_pending)
case $kdf in
"the store has 3 passes over 256 MiB, secrets_kdf 2 over 64: re-encryption failed ("*"/state/secrets: cannot write: No space left on device); tried again at the next unlock") ;;
*) fail "kdf_pending after the failed re-encryption: $kdf" ;;
esac
[ ! -e "$T/state/secrets.tmp" ] || fail "a temporary file was left"
assert_eq "$(svctl secret get pw)" "$pw" "secret get after the failed re-encryption"
stop_svd || fail "svd exit status $?"
unfill

unlock_run
grep -q 'deriving the key (Argon2id, 3 passes over 256 MiB)' "$T/svd.out" || fail "the old store was not opened with its parameters"
wait_for grep -qF "/state/secrets re-encrypted for secrets_kdf: Argon2id, 2 passes over 64 MiB (was 3 over 256)" "$T/svd.out"
assert_eq "$(header)" "$INTERACTIVE" "header after the retry"
assert_eq "$(svctl --json secret list | jq -r '.kdf_pending // "none"')" "none" "kdf_pending after the retry"
stop_svd || fail "svd exit status $?"

# and it still opens (under the passphrase, with the new header's parameters)
unlock_run
grep -q 'deriving the key (Argon2id, 2 passes over 64 MiB)' "$T/svd.out" || fail "not derived with the last header's"
stop_svd || fail "svd exit status $?"

# svd stopped while the new key is derived (secrets_kdf: sensitive, seconds
# over 1 GiB): it waits for the thread and exits cleanly, the store as it was
sed -i 's/^secrets_kdf: interactive$/secrets_kdf: sensitive/' "$T/etc/svd.yaml"
cp "$T/state/secrets" "$T/out/store.before"
unlock_run
wait_for grep -q 'secrets: re-encrypting the store .* for secrets_kdf: deriving its new key (Argon2id, 4 passes over 1024 MiB)' "$T/svd.out"
# (a daemon-reexec would hand over the key the store is not written under yet)
out=$(svctl daemon-reexec 2>&1) && fail "a daemon-reexec went ahead during the re-encryption"
assert_eq "$out" "svctl: the secrets store is being re-encrypted for secrets_kdf; try again when it is done" "daemon-reexec"
stop_svd || fail "svd exit status $? when stopped during the re-encryption"
cmp -s "$T/state/secrets" "$T/out/store.before" || fail "the store changed"
grep -q 're-encrypted for' "$T/svd.out" && fail "re-encrypted: $(grep 're-encrypted for' "$T/svd.out")"
sed -i 's/^secrets_kdf: sensitive$/secrets_kdf: interactive/' "$T/etc/svd.yaml"
unlock_run
grep -q 're-encrypt' "$T/svd.out" && fail "re-encrypted an interactive store: $(grep 're-encrypt' "$T/svd.out")"
stop_svd || fail "svd exit status $?"

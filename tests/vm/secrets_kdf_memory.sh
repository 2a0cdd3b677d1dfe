#!/bin/bash
# Argon2id under a memory cgroup limit, in a VM with a pure cgroup v2
# hierarchy (run by `make check-vm`): svd runs in a cgroup whose memory.max
# (200M) is below what secrets_kdf: moderate needs (256 MiB). `svd --check`
# and `svctl reload --dry-run` warn, naming the key's line; the unlock is
# refused with the reason (how much it needs, how much is available, which
# limit, what to do), in svctl's reply and in svd's log, and the derivation
# never starts: svd stays up and its services keep running, the same
# processes. With interactive (64 MiB) the unlock then succeeds; that
# store's re-encryption for moderate again is skipped (the store opens and
# stays as it is), with why in the log and kdf_pending. Before, the
# derivation ran into the limit and the OOM killer ended svd.
. "$(dirname "$0")/../integration/lib.sh"
grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null || { echo "not in a cgroup v2 VM"; exit 77; }
[ "$(id -u)" = 0 ] || { echo "needs root (cgroups)"; exit 77; }
printf 'secrets_key: passphrase\nsecrets_console: none\nsecrets_kdf: moderate\n' >> "$T/etc/svd.yaml"
line=$(grep -n '^secrets_kdf:' "$T/etc/svd.yaml" | cut -d: -f1)

# this shell, svd and its services in a cgroup of their own, 200M at most
cg=/sys/fs/cgroup/svd-argon-$$
mkdir "$cg"
echo 200M > "$cg/memory.max"
echo 0 > "$cg/memory.swap.max"
echo $$ > "$cg/cgroup.procs"
trap 'cleanup; echo $$ > /sys/fs/cgroup/cgroup.procs; rmdir "$cg" 2>/dev/null || true' EXIT

service other <<YAML
command: [/bin/sh, -c, 'touch $T/out/other.up; exec sleep 100000']
YAML
service app <<YAML
secrets:
  pw: { generate: password, length: 24 }
command: [/bin/sh, -c, 'cat \$CREDENTIALS_DIRECTORY/pw > $T/out/pw; exec sleep 100000']
YAML

need='needs 272 MiB (Argon2id over 256 MiB and a 16 MiB margin)'
where="memory.max of the cgroup /svd-argon-$$ (200 MiB"
"$SVD" --check -c "$T/etc/svd.yaml" > "$T/out/check.out" 2> "$T/out/check.err" || fail "svd --check: $(cat "$T/out/check.err")"
grep -qF "svd.yaml:$line:14: warning: secrets_kdf: level 'moderate' $need" "$T/out/check.err" ||
        fail "svd --check's warning: $(cat "$T/out/check.err")"
grep -qF "$where" "$T/out/check.err" || fail "svd --check's limit: $(cat "$T/out/check.err")"

start_svd
wait_state other running 30
wait_for test -e "$T/out/other.up"
wait_state app waiting 30
other=$(field other pid)

PASS='correct horse battery'
if out=$(echo "$PASS" | svctl unlock 2>&1); then fail "the unlock was not refused: $out"; fi
echo "unlock: $out"
grep -qF "cannot derive the key: it $need" <<< "$out" || fail "svctl's reply: $out"
grep -qF "$where" <<< "$out" || fail "svctl's reply (the limit): $out"
grep -qF "choose a lower secrets_kdf level (interactive: 64 MiB)" <<< "$out" || fail "svctl's reply (what to do): $out"
wait_for grep -qF "secrets: unlock refused: cannot derive the key: it $need" "$T/svd.out"
grep -q "deriving the key" "$T/svd.out" && fail "the derivation started"
kill -0 "$SVD_PID" || fail "svd died"
assert_eq "$(field other state)" running "other's state"
assert_eq "$(field other pid)" "$other" "other's pid (the same process)"
assert_eq "$(field app state)" waiting "app's state"
[ ! -e "$T/state/secrets" ] || fail "a store was written"

# a reload warns as --check did (the level is unchanged)
out=$(svctl reload --dry-run 2>&1) || fail "reload --dry-run: $out"
grep -qF "secrets_kdf: level 'moderate' $need" <<< "$out" || fail "reload --dry-run's warning: $out"

# a level that fits: no warning, and the unlock derives the key
sed -i 's/^secrets_kdf: moderate$/secrets_kdf: interactive/' "$T/etc/svd.yaml"
out=$(svctl reload 2>&1) || fail "reload: $out"
grep -qF "level 'interactive' needs" <<< "$out" && fail "reload warns for interactive: $out"
out=$(echo "$PASS" | svctl unlock 2>&1) || fail "the unlock with interactive: $out"
wait_state app running 60
wait_for test -s "$T/out/pw"
assert_eq "$(field other pid)" "$other" "other's pid after the unlock"
stop_svd || fail "svd exit status"

# that store (interactive) with secrets_kdf: moderate again: the unlock opens
# it (64 MiB fits), its re-encryption for moderate is skipped, with why
sed -i 's/^secrets_kdf: interactive$/secrets_kdf: moderate/' "$T/etc/svd.yaml"
rm -f "$T/out/pw"
start_svd
wait_state other running 30
wait_state app waiting 30
other=$(field other pid)
out=$(echo "$PASS" | svctl unlock 2>&1) || fail "the unlock of the interactive store: $out"
wait_state app running 60
wait_for test -s "$T/out/pw"
wait_for grep -qF "not re-encrypted for secrets_kdf: cannot derive the key: it $need" "$T/svd.out"
grep -q "re-encrypting the store" "$T/svd.out" && fail "the re-encryption started"
pending=$(svctl --json secret list | jq -r .kdf_pending)
grep -qF "re-encryption failed (cannot derive the key: it $need" <<< "$pending" || fail "kdf_pending: $pending"
kill -0 "$SVD_PID" || fail "svd died"
assert_eq "$(field other pid)" "$other" "other's pid after the second unlock"
stop_svd || fail "svd exit status (the second run)"
echo "secrets_kdf_memory: ok"

#!/bin/bash
# svd killed (SIGKILL) at each step of a write of the secrets store: the
# temporary file's creation, its write, its fsync, the rename over the
# store, the fsync of the directory. strace injects the kill on entry to
# that system call (so the call itself never runs), in each operation that
# writes the store: the first start (the host key, then the store), a
# rotation, a rotation with an on_rotate job (its first write and its
# commit), and the re-encryption of a passphrase store for secrets_kdf.
# After each kill the next svd opens the store with either the old state or
# the new one, never a mix: killed before the rename, the old values (and
# the old KDF parameters: the same passphrase opens it); after it, the new
# ones. The consumer ends up running with the value the store holds, and a
# rolled-back rotation is in the log and in `svctl secret list`.
. "$(dirname "$0")/lib.sh"
command -v strace > /dev/null || { echo "no strace"; exit 77; }
strace -qq -o /dev/null true 2> /dev/null || { echo "strace cannot trace here"; exit 77; }

# absolute, so that the paths strace matches are the ones svd uses
sed -i "s|^state_dir: .*|state_dir: $T/state|" "$T/etc/svd.yaml"
S=$T/state/secrets
service app <<YAML
secrets:
  pw: { generate: password, on_rotate: rot }
  tok: { generate: password }
command: [/bin/sh, -c, 'echo "\$\$ \$(cat \$CREDENTIALS_DIRECTORY/pw) \$(cat \$CREDENTIALS_DIRECTORY/tok)" >> $T/out/app; exec sleep 1000']
YAML
service rot <<YAML
type: oneshot
enabled: false
restart: "no"
secrets: [pw]
command: [/bin/sh, -c, 'cat \$CREDENTIALS_DIRECTORY/pw > $T/out/job']
YAML

logged() { grep -q "$1" "$T/svd.out"; }
starts() { wc -l < "$T/out/app"; }
# the values the running app was started with ("PW TOK")
app_values() {
        local pid
        pid=$(field app pid)
        [ -n "$pid" ] && [ "$(field app state)" = running ] && sed -n "s/^$pid //p" "$T/out/app"
}
store_values() { echo "$(svctl secret get pw) $(svctl secret get tok)"; }
app_has_store() { [ "$(app_values)" = "$(store_values)" ]; }
# settled N: app started at least N times and runs with what the store holds
settled() {
        wait_for sh -c "[ \$(wc -l < $T/out/app) -ge $1 ]"
        wait_for app_has_store
}
store_ok() { assert_eq "$(svctl secret list --json | jq -r .store)" ok "$1: the store"; }

# kill_at SYSCALL PATH N: svd is killed on entering SYSCALL on PATH for the
# Nth time from now (strace -P matches a path or a descriptor open on it)
kill_at() {
        strace -qq -o "$T/strace.out" -p "$SVD_PID" -P "$2" -e trace="$1" -e inject="$1:signal=KILL:when=$3" &
        TRACER=$!
        wait_for grep -q 'TracerPid:[[:space:]]*[1-9]' "/proc/$SVD_PID/status"
}
# killed WHAT: svd died of that kill (and strace with it)
killed() {
        local i
        for i in $(seq 300); do kill -0 "$SVD_PID" 2> /dev/null || break; sleep 0.1; done
        kill -0 "$SVD_PID" 2> /dev/null && fail "$1: svd was not killed"
        wait "$SVD_PID" 2> /dev/null || true
        wait "$TRACER" 2> /dev/null || true
        SVD_PID=
        grep -q '+++ killed by SIGKILL +++' "$T/strace.out" || fail "$1: strace says: $(cat "$T/strace.out")"
        wait_for control_socket_free
}
STEPS="openat:$S.tmp write:$S.tmp fsync:$S.tmp rename:$S.tmp"

# --- the first start: the host key, then the store -----------------------
for step in "write:$S.key.tmp" "rename:$S.key.tmp" "openat:$S.tmp" "rename:$S.tmp" "fsync:$T/state:2"; do
        IFS=: read -r sc path n <<< "$step"
        rm -rf "$T/state" "$T/out/app"
        strace -qq -o "$T/strace.out" -P "$path" -e trace="$sc" -e inject="$sc:signal=KILL:when=${n:-1}" \
                "$SVD" -c "$T/etc/svd.yaml" > "$T/svd.out" 2>&1 || true
        grep -q '+++ killed by SIGKILL +++' "$T/strace.out" || fail "first start, $step: $(cat "$T/strace.out")"
        wait_for control_socket_free
        # what the kill left: the store only once it was renamed into place
        [ "$step" = "fsync:$T/state:2" ] && want=yes || want=no
        [ -e "$S" ] && have=yes || have=no
        assert_eq "$have" "$want" "first start, $step: a store"
        [ -e "$T/out/app" ] && fail "first start, $step: app started before the store was written"
        start_svd
        settled 1
        store_ok "first start, $step"
        [ ! -e "$S.key.tmp" ] || fail "first start, $step: $S.key.tmp left"
        stop_svd || fail "svd exit status $?"
done

# --- a rotation without a job (tok) --------------------------------------
start_svd
settled 1
for step in $STEPS "fsync:$T/state"; do
        IFS=: read -r sc path <<< "$step"
        old=$(store_values)
        n=$(starts)
        kill_at "$sc" "$path" 1
        svctl secret rotate tok > /dev/null 2>&1 && fail "rotate tok, $step: svd answered"
        killed "rotate tok, $step"
        start_svd
        store_ok "rotate tok, $step"
        # the consumer is restarted (its restart was in svd's state before
        # the store was written), with the value the store holds
        settled $((n + 1))
        now=$(store_values)
        if [ "$sc" = fsync ] && [ "$path" = "$T/state" ]; then
                [ "$now" != "$old" ] || fail "rotate tok, $step: the rotation written is lost"
                assert_eq "${now% *}" "${old% *}" "rotate tok, $step: pw"
        else
                assert_eq "$now" "$old" "rotate tok, $step: the values"
        fi
done
# the next write leaves no temporary file behind
n=$(starts)
svctl secret rotate tok > /dev/null || fail "rotate tok"
settled $((n + 1))
[ ! -e "$S.tmp" ] || fail "$S.tmp left after a write"

# --- a rotation with an on_rotate job (pw) --------------------------------
# once in full first: the job's first run records its log file in state_dir
# (a directory fsync of its own)
n=$(starts)
svctl secret rotate pw > /dev/null || fail "rotate pw"
wait_for logged "on_rotate job rot done"
settled $((n + 1))
stop_svd || fail "svd exit status $?"

# rotate_killed STEP N: a rotation of pw, svd killed at the Nth STEP
rotate_killed() {
        IFS=: read -r sc path <<< "$1"
        n=$(starts)
        rm -f "$T/out/job"
        start_svd
        settled $((n + 1))
        n=$(starts)
        old=$(store_values)
        kill_at "$sc" "$path" "$2"
        svctl secret rotate pw > /dev/null 2>&1 || true
        killed "rotate pw, $1 ($2)"
        start_svd
        store_ok "rotate pw, $1 ($2)"
}
# killed at the first write (new values and the rotation as pending): the
# job never ran, nothing changed, the consumer keeps running
for step in $STEPS; do
        rotate_killed "$step" 1
        [ ! -e "$T/out/job" ] || fail "rotate pw, $step: the job ran"
        wait_for app_has_store
        assert_eq "$(store_values)" "$old" "rotate pw, $step (1): the values"
        assert_eq "$(starts)" "$n" "rotate pw, $step (1): app's starts"
        logged "outcome is unknown" && fail "rotate pw, $step (1): a rotation the store never held was undone"
        stop_svd || fail "svd exit status $?"
done
# killed at the commit (the job done): the store still holds the rotation
# as pending, so it is rolled back, said so, and the consumer (marked for
# its restart before the commit) runs with the previous value
for step in $STEPS; do
        rotate_killed "$step" 2
        [ -s "$T/out/job" ] || fail "rotate pw, $step (2): the job did not run"
        settled $((n + 1))
        assert_eq "$(store_values)" "$old" "rotate pw, $step (2): the values"
        wait_for logged "secrets: svd stopped while on_rotate job rot ran for pw; its outcome is unknown, so pw keeps its previous value"
        svctl secret list | grep -q "^last rotation: pw failed" || fail "rotate pw, $step (2): $(svctl secret list)"
        stop_svd || fail "svd exit status $?"
done
# killed after the commit's rename: committed, the consumer gets the new value
rotate_killed "fsync:$T/state" 2
settled $((n + 1))
assert_eq "$(store_values)" "$(cat "$T/out/job") ${old#* }" "rotate pw, after the commit: the values"
logged "outcome is unknown" && fail "rotate pw, after the commit: undone"
stop_svd || fail "svd exit status $?"

# --- the re-encryption of a passphrase store for secrets_kdf --------------
sed -i "s|^state_dir: .*|state_dir: $T/state2|" "$T/etc/svd.yaml"
printf 'secrets_key: passphrase\nsecrets_console: none\nsecrets_kdf: interactive\n' >> "$T/etc/svd.yaml"
S=$T/state2/secrets
STEPS="openat:$S.tmp write:$S.tmp fsync:$S.tmp rename:$S.tmp"
PASS='correct horse battery'
# the mode and KDF parameters after the magic
header() { head -c 17 "$S" | tail -c 9 | od -An -tx1 | tr -d ' \n'; }
INTERACTIVE=010000000200010000 # 2 passes over 64 MiB
MODERATE=010000000300040000    # 3 passes over 256 MiB
unlock() { echo "$PASS" | svctl unlock > /dev/null 2>&1 || fail "unlock: $1"; }
n=$(starts)
start_svd
unlock "a new store"
settled $((n + 1))
values=$(store_values)
stop_svd || fail "svd exit status $?"
assert_eq "$(header)" "$INTERACTIVE" "the new store's header"
cp "$S" "$T/store.interactive"
sed -i 's/^secrets_kdf: interactive$/secrets_kdf: moderate/' "$T/etc/svd.yaml"
for step in $STEPS "fsync:$T/state2"; do
        IFS=: read -r sc path <<< "$step"
        cp "$T/store.interactive" "$S"
        start_svd
        kill_at "$sc" "$path" 1
        unlock "before the re-encryption, $step"
        killed "re-encryption, $step"
        if [ "$path" = "$T/state2" ]; then
                assert_eq "$(header)" "$MODERATE" "re-encryption, $step: the header"
        else
                assert_eq "$(header)" "$INTERACTIVE" "re-encryption, $step: the header"
        fi
        # the same passphrase opens it, with the same values
        start_svd
        unlock "after the re-encryption was killed at $step"
        store_ok "re-encryption, $step"
        wait_for app_has_store
        assert_eq "$(store_values)" "$values" "re-encryption, $step: the values"
        if [ "$path" != "$T/state2" ]; then # tried again at this unlock
                wait_for logged "re-encrypted for secrets_kdf: Argon2id, 3 passes over 256 MiB (was 2 over 64)"
                assert_eq "$(header)" "$MODERATE" "re-encryption again after $step: the header"
        fi
        stop_svd || fail "svd exit status $?"
done
echo "secrets_write_crash: ok"

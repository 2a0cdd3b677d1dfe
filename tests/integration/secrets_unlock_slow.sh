#!/bin/bash
# svctl unlock derives its key (Argon2id) off svd's loop: with the
# strongest setting (secrets_kdf: sensitive, 1 GiB and 4 passes: seconds)
# svd keeps answering svctl status and keeps reaping and restarting a
# service that exits all the time while the unlock is under way; a second
# unlock and a daemon-reexec meanwhile are refused. The new store's header records those KDF
# parameters, and the next svd derives with them. An svd stopped during the
# derivation waits for it and exits cleanly.
. "$(dirname "$0")/lib.sh"
printf 'secrets_key: passphrase\nsecrets_console: none\nsecrets_kdf: sensitive\n' >> "$T/etc/svd.yaml"

service app <<YAML
secrets:
  pw: { generate: password, length: 24 }
command: [/bin/sh, -c, 'cat \$CREDENTIALS_DIRECTORY/pw > $T/out/pw; exec sleep 1000']
YAML
# exits at once, restarted every 50 ms: each exit must be reaped
service blink <<YAML
command: ["true"]
restart: always
backoff: { initial: 50ms, max: 50ms }
start_limit: { burst: 0 }
YAML

# a status answers in tens of ms meanwhile (a blocked loop would hold it for
# the whole derivation, seconds); the bound leaves room for a loaded machine
# (svctl's own start is timed too), and under ASan one was seen to wait
# about 2 s while the KDF's 1 GiB was being allocated
MAX_MS=2500
! grep -qa __asan_init "$SVD" || MAX_MS=4000

start_svd
wait_state app waiting

# unlock_watched PASSPHRASE: svctl unlock in the background; while it runs,
# svctl status every 0.1 s, each answered within a second; at least three
# of them while the unlock is still under way, and blink restarted between
# the first and the last of those
unlock_watched() {
        echo "$1" | svctl unlock > "$T/unlock.out" 2>&1 &
        local upid=$! n=0 first= last= t0 t1 ms max=0
        sleep 0.2
        while kill -0 "$upid" 2>/dev/null; do
                t0=$(date +%s%N)
                timeout 5 "$SVCTL" -s "$SOCK" status --json > "$T/st.json" || fail "status during the unlock"
                t1=$(date +%s%N)
                kill -0 "$upid" 2>/dev/null || break
                ms=$(( (t1 - t0) / 1000000 ))
                [ "$ms" -le "$max" ] || max=$ms
                last=$(jq -r '.services[] | select(.name == "blink") | .restarts' "$T/st.json")
                [ -n "$first" ] || first=$last
                n=$((n + 1))
                if [ "$n" = 1 ]; then
                        out=$(echo "$1" | svctl unlock 2>&1) && fail "a second unlock was taken"
                        assert_eq "$out" "svctl: unlock: an unlock is under way (deriving the key)" "second unlock"
                        out=$(svctl daemon-reexec 2>&1) && fail "a daemon-reexec went ahead during the unlock"
                        assert_eq "$out" "svctl: an unlock is deriving the key; try again when it is done" "daemon-reexec"
                fi
                sleep 0.1
        done
        wait "$upid" || fail "unlock: $(cat "$T/unlock.out")"
        [ "$max" -lt "$MAX_MS" ] || fail "a status took $max ms during the unlock"
        echo "unlock: $n status replies while it ran (the slowest in $max ms), blink restarted $((last - first)) times"
        [ "$n" -ge 3 ] || fail "only $n status replies while the unlock ran"
        [ "$last" -gt "$first" ] || fail "blink was not restarted during the unlock ($first, then $last)"
}

unlock_watched 'correct horse battery'
wait_state app running
wait_for test -s "$T/out/pw"
pw=$(cat "$T/out/pw")
grep -q 'deriving the key (Argon2id, 4 passes over 1024 MiB)' "$T/svd.out" || fail "not in svd's log"
# mode 1, 4 passes, 1048576 KiB, after the magic
assert_eq "$(head -c 17 "$T/state/secrets" | tail -c 9 | od -An -tx1 | tr -d ' \n')" "010000000400100000" "header"
stop_svd || fail "svd exit status $?"

# svd stopped while the key is derived: it waits for the thread, answers
# the unlock with a failure, and exits cleanly
start_svd
wait_state app waiting
echo 'correct horse battery' | svctl unlock > "$T/unlock.out" 2>&1 &
upid=$!
wait_for grep -q 'secrets: deriving the key' "$T/svd.out"
stop_svd || fail "svd exit status $? when stopped during the unlock"
rc=0; wait "$upid" || rc=$?
[ "$rc" -ne 0 ] || fail "the unlock cut short said it succeeded"
! grep -q 'secrets unlocked' "$T/unlock.out" || fail "unlock: $(cat "$T/unlock.out")"

# the next svd derives with the parameters of the store's header, even
# with secrets_kdf changed (it then re-encrypts the store with the new
# ones: secrets_rekey.sh)
sed -i 's/^secrets_kdf: sensitive$/secrets_kdf: interactive/' "$T/etc/svd.yaml"
rm -f "$T/out/pw"
start_svd
wait_state app waiting
unlock_watched 'correct horse battery'
wait_state app running
wait_for test -s "$T/out/pw"
assert_eq "$(cat "$T/out/pw")" "$pw" "the same value"
stop_svd || fail "svd exit status $?"

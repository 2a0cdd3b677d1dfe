#!/bin/bash
# With libsodium not loadable (an empty file where its soname leads, in a
# mount namespace of the test's own) and a service whose output has an
# unfinished line (no newline yet: a prompt, a progress bar), svd's state
# is still written and handed over:
# 1. state.json: the unfinished line's bytes were base64-encoded (with
#    libsodium) at every write, though the svd that reads the file never
#    uses them; the encoding failed, and with it every state write
#    ("cannot write state.json: Cannot allocate memory"), so a kill of svd
#    took over a stale state. Now the file has no such bytes and is
#    written.
# 2. daemon-reexec: it failed the same way ("cannot write the state";
#    carrying on in the old image). Now it goes through, without those
#    bytes (logged with the loader's error).
SVD_PRIVATE_MOUNTS=1
. "$(dirname "$0")/lib.sh"
command -v jq > /dev/null || fail "jq is needed"
lib=$(ldconfig -p | awk '/libsodium\.so\.23 / { print $NF; exit }')
[ -n "$lib" ] && [ -e "$lib" ] || { echo "no libsodium.so.23 found"; exit 77; }

service a <<YAML
command: [sleep, "100000"]
sandbox: { seccomp: none }
YAML
service drip <<YAML
command: [sh, -c, 'while :; do printf x; sleep 0.2; done']
sandbox: { seccomp: none }
YAML
start_svd
wait_state a running
wait_state drip running
sleep 0.5 # (some bytes of drip's unfinished line are in svd)
: > "$T/empty.so"
mount --bind "$T/empty.so" "$(readlink -f "$lib")" || { echo "cannot bind-mount over $lib"; exit 77; }
MOUNTS="$MOUNTS $(readlink -f "$lib")"
state_pid() { jq -r '.services[] | select(.name == "a") | .pid' "$T/run/state.json"; }

# ---- 1. a change is written to state.json
svctl restart a > /dev/null || fail "restart a"
wait_state a running
pid=$(field a pid)
wait_for sh -c "[ \"\$(jq -r '.services[] | select(.name == \"a\") | .pid' '$T/run/state.json')\" = '$pid' ]"
! grep -F "cannot write" "$T/svd.out" || fail "a state write failed without libsodium"
jq -e '.services[] | select(.name == "drip") | .log.out | has("partial") | not' "$T/run/state.json" > /dev/null ||
        fail "state.json has the unfinished line's bytes"

# ---- 2. a daemon-reexec goes through
svd_pid=$SVD_PID
svctl daemon-reexec > /dev/null || fail "daemon-reexec"
wait_for grep -q "daemon-reexec: [0-9]* services taken over" "$T/svd.out"
grep -q "state: [0-9]* log bytes not saved: " "$T/svd.out" || fail "the bytes left out were not logged"
! grep -F "cannot write the state" "$T/svd.out" || fail "the re-exec could not write its state"
assert_eq "$SVD_PID" "$svd_pid" "svd's pid"
assert_eq "$(field a pid)" "$pid" "a's pid after the re-exec"
wait_state drip running
umount "$(readlink -f "$lib")"
stop_svd || fail "svd exit status"
echo "state_sodium_missing: ok"

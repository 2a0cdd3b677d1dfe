#!/bin/bash
# svctl_reply_timeout: a wedged svd (here stopped with SIGSTOP: its socket
# still takes connections, nothing answers) does not hang svctl forever:
# every command, also logs (with and without -f) and events -f, whose
# streams may then stay quiet for any time, gives up on the first reply
# after 30 s with exit 3 (svctl(8): svd could not be reached).
. "$(dirname "$0")/lib.sh"

service app <<'YAML'
command: ["sh", "-c", "echo hello; exec sleep 100000"]
YAML
start_svd
wait_state app running
wait_for grep -q hello "$T/log/app.log"

kill -STOP "$SVD_PID"
trap 'kill -CONT "$SVD_PID" 2>/dev/null; cleanup' EXIT
pids=()
cmds=("status" "logs app" "logs -f app" "logs -n 1" "events" "events -f" "metrics")
for i in "${!cmds[@]}"; do
        # shellcheck disable=SC2086 # words on purpose
        ( rc=0; timeout 90 "$SVCTL" -s "$SOCK" ${cmds[$i]} > "$T/o$i" 2> "$T/e$i" || rc=$?; echo "$rc" > "$T/rc$i" ) &
        pids+=($!)
done
wait "${pids[@]}"
kill -CONT "$SVD_PID"
for i in "${!cmds[@]}"; do
        rc=$(cat "$T/rc$i")
        [ "$rc" = 3 ] || fail "svctl ${cmds[$i]} against a stopped svd: exit $rc (want 3; 124: hung): $(cat "$T/e$i")"
        grep -q "no reply from svd within 30s" "$T/e$i" || fail "svctl ${cmds[$i]}: $(cat "$T/e$i")"
done

# svd answering again: the streams are not cut by the timeout while quiet
"$SVCTL" -s "$SOCK" logs -f app > "$T/follow" 2>&1 &
FPID=$!
"$SVCTL" -s "$SOCK" events -f > "$T/events" 2>&1 &
EPID=$!
wait_for grep -q hello "$T/follow"
wait_for grep -q running "$T/events"
sleep 35
kill -0 "$FPID" 2>/dev/null || fail "logs -f ended while quiet: $(cat "$T/follow")"
kill -0 "$EPID" 2>/dev/null || fail "events -f ended while quiet: $(cat "$T/events")"
kill "$FPID" "$EPID"; wait "$FPID" "$EPID" 2>/dev/null || true
echo ok

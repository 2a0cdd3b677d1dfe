#!/bin/bash
# log_stderr_stall: svd's own output never makes it wait. Its stderr is a
# reader that stops reading: a FIFO with one page of buffer, and a terminal
# whose output is suspended as Ctrl-S suspends a console's (the stall PID 1
# would meet on a serial console). While a crash-looping service makes svd
# log several lines per restart, svd keeps answering svctl at once and keeps
# restarting the service (before, its first write that did not fit blocked
# it: no reaping, no control socket, not even SIGTERM). Its lines wait in a
# bounded backlog and the overflow is dropped; once the reader reads again,
# the lines come out whole and in order, then one line says how many were
# dropped, and later lines follow, up to svd's last one.
. "$(dirname "$0")/lib.sh"

HELPERS="$(dirname "$0")/../helpers"
READER=
trap 'kill "$READER" 2> /dev/null || true; cleanup' EXIT
service flap <<EOF
command: [sh, -c, "exit 3"]
restart: always
backoff: { initial: 5ms, max: 5ms }
start_limit: { burst: 0 }
EOF

stall() {
rm -f "$T/out/go" "$T/out/err.txt" "$T/out/tty" "$T/err.fifo"
if [ "$1" = fifo ]; then
        mkfifo "$T/err.fifo"
        python3 "$HELPERS/stall_reader.py" fifo "$T/err.fifo" "$T/out/go" "$T/out/err.txt" &
        READER=$!
        ERR="$T/err.fifo"
else
        python3 "$HELPERS/stall_reader.py" pty "$T/out/tty" "$T/out/go" "$T/out/err.txt" &
        READER=$!
        wait_for test -s "$T/out/tty"
        ERR=$(cat "$T/out/tty")
fi
"$SVD" -c "$T/etc/svd.yaml" > "$T/svd.out" 2> "$ERR" &
SVD_PID=$!
for _ in $(seq 200); do
        [ -S "$SOCK" ] && svctl version > /dev/null 2>&1 && break
        kill -0 "$SVD_PID" 2> /dev/null || fail "svd exited during startup"
        sleep 0.05
done
[ -S "$SOCK" ] || fail "svd did not open its control socket"

# The reader has read nothing: its page fills with the first lines. Every
# status request must still be answered within a second, and the restart
# count keep growing, for 4 s (well over 68 KiB of log lines).
prev=0
for i in $(seq 8); do
        t0=$(date +%s%N)
        out=$(timeout 5 "$SVCTL" -s "$SOCK" status --json) || fail "$1: svctl status did not answer while stderr was stalled (round $i)"
        ms=$(( ($(date +%s%N) - t0) / 1000000 ))
        [ "$ms" -lt $((1000 * SCALE)) ] || fail "$1: svctl status took $ms ms while stderr was stalled"
        n=$(printf '%s' "$out" | python3 -c 'import json,sys; print([s for s in json.load(sys.stdin)["services"] if s["name"] == "flap"][0]["restarts"])')
        [ "$n" -gt "$prev" ] || fail "$1: flap was not restarted while stderr was stalled (restarts $prev -> $n)"
        prev=$n
        sleep 0.5
done
[ "$prev" -gt 150 ] || fail "$1: only $prev restarts in 4 s: not enough log lines to overflow the backlog"
[ -s "$T/out/err.txt" ] && fail "$1: the reader read while it should not"

# The reader reads again: what waited comes out, then the count of what was
# dropped, then new lines.
touch "$T/out/go"
wait_for test -f "$T/out/err.txt"
wait_for grep -q "log lines were dropped: stderr did not take them in time" "$T/out/err.txt"
svctl stop flap > /dev/null
svctl start flap > /dev/null # for the next round
wait_for grep -q "flap: .* -> stopped" "$T/out/err.txt"
line=$(grep -n "log lines were dropped" "$T/out/err.txt" | head -n1 | cut -d: -f1)
last=$(grep -n "flap: .* -> stopped" "$T/out/err.txt" | tail -n1 | cut -d: -f1)
[ "$line" -lt "$last" ] || fail "the stop of flap was logged before the dropped count"
# every line is whole: a time stamp, svd[PID] and a level
bad=$(grep -cvE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z svd\[[0-9]+\]: (ERROR|WARN|INFO|DEBUG) ' "$T/out/err.txt" || true)
assert_eq "$bad" 0 "lines of svd's stderr that are not whole log lines: $(grep -vE '^[0-9]{4}-' "$T/out/err.txt" | head -n 3)"
stop_svd || fail "svd exit status"
wait "$READER" || fail "$1: the reader failed"
READER=
grep -q "svd exiting" "$T/out/err.txt" || fail "$1: svd's last line did not come out: $(tail -n 3 "$T/out/err.txt")"
echo "log_stderr_stall: $1: ok"
}

stall fifo
stall pty
echo "log_stderr_stall: ok"

#!/bin/bash
# svctl_logs_follow_plain: svctl logs -f prints the lines that arrive while
# following as they are in the file (svctl(8), LOG FORMAT in svd.yaml(5)),
# also for a service whose log has no timestamps: the text alone, like the
# lines read from the file before, not with a time and stream the file
# does not have; with timestamps the followed lines keep theirs.
. "$(dirname "$0")/lib.sh"

service plain <<'YAML'
command: ["sh", "-c", "echo plain-line; exec sleep 100000"]
logging: { timestamps: false }
YAML
service stamped <<'YAML'
command: ["sh", "-c", "echo stamped-line; exec sleep 100000"]
YAML
start_svd
wait_for grep -q plain-line "$T/log/plain.log"
wait_for grep -q stamped-line "$T/log/stamped.log"

"$SVCTL" -s "$SOCK" logs -f plain > "$T/plain" 2>&1 &
P1=$!
"$SVCTL" -s "$SOCK" logs -f > "$T/all" 2>&1 &
P2=$!
wait_for grep -q plain-line "$T/plain"
wait_for grep -q stamped-line "$T/all"
wait_for grep -q plain-line "$T/all"
svctl restart plain > /dev/null
svctl restart stamped > /dev/null
twice() { [ "$(grep -c "$1" "$2")" -ge 2 ]; }
wait_for twice plain-line "$T/plain"
wait_for twice plain-line "$T/all"
wait_for twice stamped-line "$T/all"
kill "$P1" "$P2"; wait "$P1" "$P2" 2>/dev/null || true

assert_eq "$(grep -c -x plain-line "$T/plain")" 2 "logs -f plain: $(cat "$T/plain")"
assert_eq "$(grep -c -x 'plain plain-line' "$T/all")" 2 "logs -f, plain: $(cat "$T/all")"
assert_eq "$(grep -c -E '^stamped [0-9T:.-]+Z out stamped-line$' "$T/all")" 2 "logs -f, stamped: $(cat "$T/all")"
echo ok

#!/bin/bash
# svctl_logs_controls: svctl logs never prints a raw control character a
# service wrote (svctl(8): made safe for a terminal: ESC, C1 and the other
# controls as \xHH, invalid UTF-8 as U+FFFD; a tab is kept), whether the
# lines come from the files (one service, all merged, -n) or arrive while
# following (-f). --json keeps the text (JSON escapes the controls).
. "$(dirname "$0")/lib.sh"

cat > "$T/services/esc.yaml" <<'YAML'
command: ["sh", "-c", 'printf "mark a\033[31mred\007bel\302\233c1\377bad\tTAB\n"; exec sleep 100000']
YAML
start_svd
wait_state esc running
wait_for grep -q mark "$T/log/esc.log"

# no raw control character (but the newline ending each line and a tab), C1 or invalid UTF-8
clean_output() {
        python3 - "$1" <<'PY' || fail "raw control character in $1: $(cat -v "$1")"
import re, sys
t = open(sys.argv[1], "rb").read().decode("utf-8")
bad = re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", t)
assert not bad, "%r at %d" % (bad.group(), bad.start())
PY
        grep -qF 'mark a\x1b[31mred\x07bel\x9bc1'$'\xef\xbf\xbd''bad'$'\t''TAB' "$1" || fail "$1: not escaped as expected: $(cat -v "$1")"
}

svctl logs esc > "$T/one" || fail "svctl logs esc: exit $?"
clean_output "$T/one"
svctl logs > "$T/all" || fail "svctl logs: exit $?"
clean_output "$T/all"
svctl logs esc -n 1 > "$T/tail" || fail "svctl logs -n 1: exit $?"
clean_output "$T/tail"

# following: the first line from the file (svd subscribed svctl before
# its reply), the next run's through the socket
"$SVCTL" -s "$SOCK" logs -f > "$T/follow" 2>&1 &
FPID=$!
wait_for grep -q mark "$T/follow"
svctl restart esc > /dev/null
two_marks() { [ "$(grep -c mark "$T/follow")" -ge 2 ]; }
wait_for two_marks
kill "$FPID"; wait "$FPID" 2>/dev/null || true
clean_output "$T/follow"

# --json: the text itself, controls escaped by JSON
svctl logs esc --json | jq -r 'select(.text | startswith("mark")) | .text' > "$T/json"
assert_eq "$(head -n 1 "$T/json" | od -An -c | tr -s ' ')" \
        "$(printf 'mark a\033[31mred\007bel\302\233c1\357\277\275bad\tTAB\n' | od -An -c | tr -s ' ')" "--json text"
echo ok

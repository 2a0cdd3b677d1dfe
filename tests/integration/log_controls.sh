#!/bin/bash
# svd's own log lines never carry a raw control character: a user who may
# not change anything asks to stop, restart and run services whose names
# hold ESC sequences, a C1 CSI and invalid UTF-8; svd refuses and logs each
# refusal with the name it was given, escaped (\xHH; U+FFFD for invalid
# bytes) on one line. Its console (here svd.out) stays valid UTF-8 without
# control characters, and svctl's own error lines and the audit log too (a
# client whose command name holds ESC and C1 included).
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "needs root to switch users"; exit 77; }
command -v setpriv >/dev/null || { echo "setpriv missing"; exit 77; }

service db <<'YAML'
command: [sleep, "100000"]
YAML
start_svd
wait_state db running
chmod 755 "$T/run"
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }

# no raw control character (but the newline ending each line), C1 or invalid UTF-8
clean_output() {
        python3 - "$1" <<'PY' || fail "raw control character in $1: $(cat -v "$1")"
import re, sys
t = open(sys.argv[1], "rb").read().decode("utf-8")
bad = re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f]", t)
assert not bad, "%r at %d" % (bad.group(), bad.start())
PY
}

evil=$'e\x1b[2J\x1b]0;pwned\x07vil\xc2\x9b31m\xffx'
for op in stop restart run; do
        as_nobody "$SVCTL" -s "$SOCK" $op "$evil" > "$T/$op.out" 2>&1 && fail "$op by nobody accepted"
        clean_output "$T/$op.out"
done
for op in stop restart run; do
        wait_for grep -qF "WARN control: refused $op e\\x1b[2J\\x1b]0;pwned\\x07vil\\x9b31m"$'\xef\xbf\xbd'"x from uid" "$T/svd.out"
done
clean_output "$T/svd.out"

# the audit log: the name as given and the client's command name (comm, any
# bytes) escaped the same way
cp "$SVCTL" "$T/"$'sv\x1b[2Jctl\xc2\x9b'
"$T/"$'sv\x1b[2Jctl\xc2\x9b' -s "$SOCK" stop "$evil" > /dev/null 2>&1 && fail "stop of an unknown service accepted"
wait_for grep -qF 'comm="sv\x1b[2Jctl\x9b" op=stop name="e\x1b[2J\x1b]0;pwned\x07vil\x9b31m'$'\xef\xbf\xbd''x"' "$T/log/audit.log"
grep -qF 'comm=svctl op=stop name="e\x1b[2J\x1b]0;pwned\x07vil\x9b31m'$'\xef\xbf\xbd''x" result=denied' "$T/log/audit.log" ||
        fail "refusal not audited escaped: $(cat -v "$T/log/audit.log")"
clean_output "$T/log/audit.log"
[ "$(field db state)" = running ] || fail "db touched"

#!/bin/bash
# Text a service supplies cannot break the control protocol or the
# operator's terminal. A notify service sends STATUS= with invalid UTF-8
# (stray bytes, a surrogate), ESC sequences (clear screen, set the window
# title), a C1 CSI and a raw 8-bit CSI; another a STATUS= longer than svd
# keeps, of two-byte characters; an exec health probe prints the same kind of
# garbage. `svctl status`, `svctl status NAME` and `svctl status --json`
# (parsed by python3's json) still work; svd cleaned the texts at receipt:
# U+FFFD for each invalid byte, \xHH for each control character, cut on a
# character boundary; no raw control byte reaches the terminal.
. "$(dirname "$0")/lib.sh"

cat > "$T/garbage.py" <<'PY'
import os, socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
if sys.argv[1] == "garbage":
    text = (b"ok \xff\xfe \x1b[2J\x1b]0;pwned\x07 \xc2\x9b31m \x9b \xed\xa0\x80 tab\there"
            b" caf\xc3\xa9 end")
else:
    text = "\u00e9".encode() * 300  # 600 bytes: svd keeps 255
s.sendto(b"STATUS=" + text + b"\nREADY=1", os.environ["NOTIFY_SOCKET"])
time.sleep(1000)
PY
for n in garbage long; do
        service $n <<EOF
type: notify
command: [python3, "$T/garbage.py", "$n"]
EOF
done
service probed <<EOF
command: [sleep, "1000"]
healthcheck:
  exec: [/bin/sh, -c, 'printf "line1 \\033[31mred\\033[0m\\tx\\n\\302\\233 bell\\007 bad\\377\\nlast"']
  start_interval: 100ms
  interval: 200ms
EOF

start_svd
wait_state garbage running
wait_state long running
wait_field probed health healthy

# a raw control byte: ESC, BEL, C1 (UTF-8 \xc2\x80-\x9f) or a raw 8-bit CSI
no_raw_ctrl() {
        python3 - "$1" <<'PY' || fail "$2: $(cat -v "$1")"
import re, sys
b = open(sys.argv[1], "rb").read()
t = b.decode("utf-8")  # strict: raises on invalid UTF-8
bad = re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", t)
assert not bad, "control character %r at %d" % (bad.group(), bad.start())
PY
}

svctl status > "$T/table.out" || fail "svctl status: $(cat "$T/table.out")"
no_raw_ctrl "$T/table.out" "svctl status"
svctl status garbage long probed > "$T/details.out" || fail "svctl status NAME: $(cat "$T/details.out")"
no_raw_ctrl "$T/details.out" "svctl status NAME"
grep -qF 'status:       ok ' "$T/details.out" || fail "no status line: $(cat -v "$T/details.out")"
grep -qF '\x1b[2J\x1b]0;pwned\x07 \x9b31m' "$T/details.out" || fail "controls not shown escaped: $(cat -v "$T/details.out")"
grep -qF '    line1 \x1b[31mred\x1b[0m' "$T/details.out" || fail "probe output not shown escaped: $(cat -v "$T/details.out")"

svctl status --json > "$T/status.json" || fail "svctl status --json: $(cat -v "$T/status.json")"
python3 - "$T/status.json" <<'PY' || fail "svctl status --json: $(cat -v "$T/status.json")"
import json, sys
raw = open(sys.argv[1], "rb").read()
d = json.loads(raw.decode("utf-8"))  # strict UTF-8, then strict JSON
svcs = {s["name"]: s for s in d["services"]}
R = "\ufffd"
want = ("ok " + R + R + " \\x1b[2J\\x1b]0;pwned\\x07 \\x9b31m " + R + " " + R * 3 +
        " tab\\x09here caf\u00e9 end")
assert svcs["garbage"]["status"] == want, "garbage: %r\nwant:     %r" % (svcs["garbage"]["status"], want)
# cut on a character boundary: 127 whole characters (254 of the 255 bytes)
assert svcs["long"]["status"] == "\u00e9" * 127, "long: %r" % svcs["long"]["status"]
out = svcs["probed"]["probe_output"]
want = "line1 \\x1b[31mred\\x1b[0m\tx\n\\x9b bell\\x07 bad" + R + "\nlast"
assert out == want, "probe output: %r\nwant:          %r" % (out, want)
PY

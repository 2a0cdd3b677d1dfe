#!/bin/bash
# daemon-reexec hands over the bytes of a line still without its end, all
# of them, also when the configuration on disk now has a smaller
# logging.max_line than the one they were read under (the new svd's read
# buffer is smaller than what it is handed).
. "$(dirname "$0")/lib.sh"

# 600000 bytes without a newline, then a byte every 0.2 s (so the line
# stays partial: a second of silence would write it out), then the end
cat > "$T/writer.py" <<'PY'
import os, sys, time
os.write(1, b"a" * 600000)
open(sys.argv[1] + ".wrote", "w").close()
while not os.path.exists(sys.argv[1]):
    os.write(1, b"b")
    time.sleep(0.2)
os.write(1, b"c\n")
time.sleep(1000)
PY
service w <<YAML
command: ["python3", "$T/writer.py", "$T/go"]
logging: { max_line: 1M, timestamps: false, compress: false }
YAML
start_svd
wait_state w running
wait_for test -e "$T/go.wrote"
sleep 0.3 # (svd has read what the pipe held: a byte every 0.2 s keeps it partial)
service w <<YAML
command: ["python3", "$T/writer.py", "$T/go"]
logging: { max_line: 16K, timestamps: false, compress: false }
YAML
svctl daemon-reexec > /dev/null || fail "svctl daemon-reexec"
wait_for grep -q "services taken over" "$T/svd.out"
touch "$T/go"
wait_for grep -q 'c$' "$T/log/w.log"
# the records, their split marks taken off, give back every byte
python3 - "$T/log/w.log" <<'PY' || fail "bytes of the partial line lost across daemon-reexec"
import sys
data = open(sys.argv[1], "rb").read().split(b"\n")
text = b"".join(r[:-1] if r.endswith(b"\\") else r for r in data)
a, b = text.count(b"a"), text.count(b"b")
print("a:", a, "b:", b, file=sys.stderr)
assert a == 600000 and text.endswith(b"c"), (a, text[-20:])
PY
stop_svd || fail "svd exit status"
echo "log_reexec_partial: ok"

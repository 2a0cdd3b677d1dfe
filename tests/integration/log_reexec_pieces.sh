#!/bin/bash
# The pieces of a line longer than max_line stay in one file with the rest
# of the line (log_rotate_pieces.sh), also when svd is re-executed between
# them: daemon-reexec hands over that a line's pieces are in the current
# file, so the new svd does not rotate before the rest.
. "$(dirname "$0")/lib.sh"

# 70 records of 91 bytes (6370), then a line of 3000 bytes: two pieces of
# 1057 bytes go out at once (the second takes the file past max_size 8K:
# it stays with the first), the rest waits for its end; a byte every 0.2 s
# keeps it from being written out as partial
cat > "$T/writer.py" <<'PY'
import os, sys, time
os.write(1, b"".join(b"s" * 58 + b"\n" for _ in range(70)) + b"a" * 3000)
open(sys.argv[1] + ".wrote", "w").close()
while not os.path.exists(sys.argv[1]):
    os.write(1, b"b")
    time.sleep(0.2)
os.write(1, b"c\n")
time.sleep(1000)
PY
service w <<YAML
command: ["python3", "$T/writer.py", "$T/go"]
logging: { max_size: 8K, max_line: 1K, compress: false }
YAML
start_svd
wait_state w running
wait_for test -e "$T/go.wrote"
pieces() { [ "$(grep -c ' out+ a' "$T/log/w.log")" = 2 ]; }
wait_for pieces
svctl daemon-reexec > /dev/null || fail "svctl daemon-reexec"
wait_for grep -q "services taken over" "$T/svd.out"
touch "$T/go"
wait_for sh -c "cat '$T'/log/w.log* | grep -q 'bc\$'"
stop_svd || fail "svd exit status"
python3 - "$T/log" <<'PY' || fail "the line's pieces and its rest in two files"
import glob, os, sys
for p in glob.glob(sys.argv[1] + "/w.log*"):
    recs = open(p, "rb").read().split(b"\n")[:-1]
    assert recs and recs[-1].split(b" ", 2)[1] != b"out+", (os.path.basename(p), "ends with a piece")
PY
echo "log_reexec_pieces: ok"

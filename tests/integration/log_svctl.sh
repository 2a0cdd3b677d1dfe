#!/bin/bash
# svctl logs: -n, --since, --stream and --json return exactly the expected
# lines, across rotated .gz files; all services merge by time; -f keeps
# following through rotations; overlong lines and NUL bytes keep framing;
# partial lines (no newline after a second, or at exit) are marked "~".
. "$(dirname "$0")/lib.sh"

LOGGEN="$TOP_BUILDDIR/tests/helpers/loggen"
PAD=$(printf 'y%.0s' $(seq 40))
service a <<EOF
command: ["$LOGGEN", "-", "6000", "-", "$PAD"]
restart: no
logging: { max_size: 40K, max_files: 100, compress: true }
EOF
service f <<EOF
command: ["sh", "-c", "i=0; while :; do echo \"tick \$i\"; i=\$((i+1)); sleep 0.01; done"]
logging: { max_size: 2K, max_files: 100, compress: true }
EOF
service bin <<EOF
command: ["python3", "-c", "import sys,time; w=sys.stdout.buffer; w.write(b'A'*300 + b'\\\\n' + b'nul\\\\x00byte\\\\xff\\\\n' + b'tail-no-newline'); w.flush(); time.sleep(100)"]
logging: { max_line: 100 }
EOF

service exitp <<EOF
command: ["sh", "-c", "printf 'first\\\\nno-newline-at-exit'"]
restart: no
EOF
service rawp <<EOF
command: ["sh", "-c", "printf 'whole\\\\nprompt> '; exec sleep 100"]
logging: { timestamps: false }
EOF

start_svd
wait_state a exited 20
wait_for sh -c "! ls '$T/log' | grep -qE '^a\\.log\\.[0-9T.]+Z(\\.gz\\.tmp)?\$'"
ls "$T/log" | grep -q '^a\.log\..*\.gz$' || fail "no compressed rotation"

# whole history, across gz files: every line once
svctl logs a > "$T/all" || fail "svctl logs a"
assert_eq "$(wc -l < "$T/all")" "6000" "line count"
assert_eq "$(grep -c ' out out ' "$T/all")" "3003" "out lines"
# -n: the last N lines of the files, exactly
svctl logs a -n 7 > "$T/n7" || fail "svctl logs -n"
assert_eq "$(tail -n 7 "$T/all")" "$(cat "$T/n7")" "-n 7"
# --stream
assert_eq "$(svctl logs a --stream err | wc -l)" "2997" "--stream err"
svctl logs a --stream err | grep -q ' out ' && fail "--stream err printed out lines"
# --json: one object per line
svctl logs a -n 3 --json | python3 -c '
import json, sys
rows = [json.loads(l) for l in sys.stdin]
assert len(rows) == 3, rows
for r in rows:
    assert r["service"] == "a" and r["stream"] in ("out", "err") and r["text"][:3] == r["stream"], r
' || fail "--json"
# --since: the lines at or after a time in the middle
mid=$(sed -n 3000p "$T/all" | cut -c1-27)
want=$(awk -v t="$mid" 'substr($0,1,27) >= t' "$T/all" | wc -l)
assert_eq "$(svctl logs a --since "$mid" | wc -l)" "$want" "--since"

# binary and overlong lines
wait_for grep -q tail-no-newline "$T/log/bin.log"
svctl logs bin > "$T/bin" || fail "svctl logs bin"
# 300 bytes, max_line 100: two pieces marked as continued, then the last
assert_eq "$(grep -c ' out+ ' "$T/bin")" "2" "pieces of a 300-byte line with max_line 100"
grep -aq "nul.byte" "$T/bin" || fail "NUL line"
svctl logs bin --json | python3 -c '
import json, sys
rows = [json.loads(l) for l in sys.stdin]
t = [r["text"] for r in rows]
assert t[:3] == ["A" * 100] * 3, t
assert rows[0].get("cont") and rows[1].get("cont") and not rows[2].get("cont"), rows
assert "nul\ufffdbyte\ufffd" in t, t
assert "tail-no-newline" in t, t
assert rows[t.index("tail-no-newline")].get("partial") is True, rows
assert not any(r.get("partial") for r in rows if r["text"] != "tail-no-newline"), rows
' || fail "binary --json"
# a partial line flushed after a second of silence is marked in the file
grep -q ' out~ tail-no-newline$' "$T/log/bin.log" || fail "idle partial line not marked out~"
grep -q ' out nul' "$T/log/bin.log" || fail "whole line marked"
# ... and so is one left when the process exits
wait_state exitp exited 10
grep -q ' out first$' "$T/log/exitp.log" || fail "whole line before the exit"
grep -q ' out~ no-newline-at-exit$' "$T/log/exitp.log" || fail "partial line at exit not marked out~"
assert_eq "$(svctl logs exitp --json | python3 -c 'import json,sys; print([(r["text"], r.get("partial", False)) for r in map(json.loads, sys.stdin)])')" \
        "[('first', False), ('no-newline-at-exit', True)]" "svctl logs --json partial"
assert_eq "$(svctl logs exitp | cut -c29-)" "out first
out~ no-newline-at-exit" "svctl logs prints the mark"
# without timestamps a partial record ends with a backslash
wait_for grep -q 'prompt' "$T/log/rawp.log"
assert_eq "$(cat "$T/log/rawp.log")" 'whole
prompt> \' "partial line without timestamps"

# all services merged by time, named
svctl logs -n 5 | awk '{print $1}' | grep -qvE '^(a|f|bin|exitp|rawp)$' && fail "merged lines not named"

# -f: follows through rotations of f (2K files)
svctl logs f -f > "$T/follow" 2>&1 &
FPID=$!
n0=$(ls "$T/log" | grep -c '^f\.log\.' || true)
wait_for sh -c "[ \$(ls '$T/log' | grep -c '^f\\.log\\.') -ge $((n0 + 3)) ]"
sleep 0.3
kill $FPID; wait $FPID 2>/dev/null || true
python3 - "$T/follow" <<'PY' || fail "-f output"
import sys
nums = [int(l.split()[-1]) for l in open(sys.argv[1]) if " tick " in l]
assert len(nums) >= 50, len(nums)
assert nums == list(range(nums[0], nums[0] + len(nums))), "gap or repeat in followed lines"
PY
svctl status --json | grep -q '"log_dropped_bytes":0' || fail "status lacks log_dropped_bytes"
stop_svd || fail "svd exit status"
echo "log_svctl: ok"

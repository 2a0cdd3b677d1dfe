#!/bin/bash
# Rotation at exactly max_size, where the size of the record decides: a
# piece of a long line ("out+", one byte longer than a whole line's record)
# that would take the file one byte past max_size rotates it first, and a
# whole line that fills the file to exactly max_size does not rotate it
# (records formed line by line: a rate limit, without timestamps).
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/log"
# pad FILE N: N bytes of whole lines
pad() { python3 -c 'import sys; n = int(sys.argv[2]); open(sys.argv[1], "w").write("p" * (n - 1) + "\n")' "$1" "$2"; }

# timestamps on, max_line 80: a 100-byte line is "out+" with 80 bytes (27 +
# 1 + 4 + 1 + 80 + 1 = 114 bytes), then "out" with 20 (53 bytes). From 911
# bytes the first record would end at 1025.
pad "$T/log/ts.log" 911
printf '%0100d\n' 0 > "$T/line100"
service ts <<YAML
command: ["cat", "$T/line100"]
restart: no
logging: { max_size: 1K, max_line: 80, compress: false }
YAML
# no timestamps, records one by one: a 50-byte line is 51 bytes, and 973 +
# 51 is exactly 1024
pad "$T/log/raw.log" 973
printf '%050d\n' 0 > "$T/line50"
service raw <<YAML
command: ["cat", "$T/line50"]
restart: no
logging: { max_size: 1K, max_line: 80, timestamps: false, compress: false, rate_limit: { burst: 1000 } }
YAML

start_svd
wait_state ts exited
wait_state raw exited
ls -l "$T/log" >&2
for f in "$T"/log/ts.log*; do
        n=$(stat -c %s "$f")
        [ "$n" -le 1024 ] || fail "$f: $n bytes, more than max_size (1024)"
done
assert_eq "$(ls "$T/log" | grep -c '^ts\.log\.' || true)" 1 "ts: rotated files"
assert_eq "$(stat -c %s "$T"/log/ts.log.2*)" 911 "ts: the rotated file's size"
grep -q 'out+ 0\{80\}$' "$T/log/ts.log" || fail "ts: the line's first piece is not in the new file"

assert_eq "$(ls "$T/log" | grep -c '^raw\.log\.' || true)" 0 "raw: rotated files (the line fits exactly)"
assert_eq "$(stat -c %s "$T/log/raw.log")" 1024 "raw: size"
assert_eq "$(tail -n 1 "$T/log/raw.log")" "$(printf '%050d' 0)" "raw: last line"
stop_svd || fail "svd exit status"
echo "log_rotate_exact: ok"

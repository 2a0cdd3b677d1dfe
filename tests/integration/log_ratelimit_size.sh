#!/bin/bash
# The rate limit's note ("svd rate limit: dropped N lines ...") is a record
# like any other: a file it would take past max_size is rotated first.
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/log"
# 960 bytes: the kept line (27 + 5 + 2 = 34 bytes) fits, the note after it
# (about 80 bytes) does not
python3 -c 'import sys; open(sys.argv[1], "w").write("p" * 959 + "\n")' "$T/log/r.log"
service r <<YAML
command: ["sh", "-c", "printf 'a\\\\nb\\\\n'; exec sleep 1000"]
logging: { max_size: 1K, compress: false, rate_limit: { burst: 1, interval: 1s } }
YAML
start_svd
wait_state r running
wait_for grep -q ' svd rate limit: dropped 1 lines' "$T/log/r.log"
ls -l "$T/log" >&2
for f in "$T"/log/r.log*; do
        n=$(stat -c %s "$f")
        [ "$n" -le 1024 ] || fail "$f: $n bytes, more than max_size (1024)"
done
grep -q ' out a$' "$T"/log/r.log.2* || fail "the kept line is not in the rotated file"
stop_svd || fail "svd exit status"
echo "log_ratelimit_size: ok"

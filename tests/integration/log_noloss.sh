#!/bin/bash
# Service output goes through pipes svd keeps across restarts: 1,000,000
# numbered lines on stdout and stderr, several forced rotations (small
# max_size, gzip) and two crashes; every line is in the files exactly once, in
# order per stream, and no file exceeds max_size by more than one line.
. "$(dirname "$0")/lib.sh"

LOGGEN="$TOP_BUILDDIR/tests/helpers/loggen"
CHECK="$TOP_SRCDIR/tests/helpers/logcheck.py"
[ -x "$LOGGEN" ] || fail "loggen not built"
TOTAL=1000000
MAX=4194304

service gen <<EOF
command: ["$LOGGEN", "$T/out/state", "$TOTAL", "333333,666666"]
restart: on-failure
backoff: { initial: 50ms }
logging: { max_size: 4M, max_files: 100, compress: true }
EOF

start_svd
deadline=$(( $(date +%s) + 60 ))
until [ "$(cat "$T/out/state" 2>/dev/null)" = "$TOTAL" ] && [ "$(field gen state)" = "exited" ]; do
        [ "$(date +%s)" -gt "$deadline" ] && fail "loggen did not finish: state $(cat "$T/out/state" 2>/dev/null)"
        sleep 0.2
done
assert_eq "$(field gen restarts)" "2" "restarts after two crashes"
# compression runs in the background: wait for it to settle
plain_rotated() { ls "$T/log" | grep -E '^gen\.log\.[0-9T.]+Z$' | wc -l; }
wait_for sh -c "[ \$(ls '$T/log' | grep -cE '^gen\.log\.[0-9T.]+Z\$') = 0 ]"
stop_svd || fail "svd exit status"
ls -l "$T/log" >&2
n_gz=$(ls "$T/log" | grep -c '\.gz$' || true)
[ "$n_gz" -ge 3 ] || fail "expected several compressed rotations, got $n_gz"
for f in "$T"/log/*.gz; do gzip -t "$f" || fail "$f: bad gzip"; done
python3 "$CHECK" noloss "$T/log" gen.log "$TOTAL" "$MAX" >&2 || fail "lines lost or duplicated"
echo "log_noloss: ok"

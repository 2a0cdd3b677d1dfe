#!/bin/bash
# svd's clean stop and a compression of a rotated log under way. A gzip that
# finishes within the bounded wait (5 s) is waited for: the .gz replaces the
# plain file, no .gz.tmp is left, and the gzip is not killed as a process
# that "outlived its service". One that does not finish in time is stopped
# (its whole process group) and said so, naming the file: the plain file
# stays, its .gz.tmp is removed, svd's exit is not held up past the bound,
# and the next start compresses the file. gzip is made slow by a wrapper
# bound over it in a private mount namespace (the host is untouched).
SVD_PRIVATE_MOUNTS=1
. "$(dirname "$0")/lib.sh"

slow_gzip

PAD=$(printf 'z%.0s' $(seq 100))
# about 28K: exactly one rotation at each start
service chatty <<YAML
command: ["sh", "-c", "i=0; while [ \$i -lt 200 ]; do echo \"line \$i $PAD\"; i=\$((i+1)); done; exec sleep 100000"]
logging: { max_size: 20K, max_files: 10, compress: true }
YAML
rotated() { ls "$T/log" | grep -E '^chatty\.log\.[0-9T.]+Z'"$1"'$' || true; }
started() { [ "$(wc -l < "$T/out/gzstarted" 2>/dev/null || echo 0)" -ge "$1" ]; }

# ---- a gzip that takes 2 s: waited for ----
echo 2 > "$T/out/gzdelay"
start_svd
wait_state chatty running
wait_for started 1
stop_svd || fail "svd exit status"
grep -q "outlived its service" "$T/svd.out" && fail "the gzip was killed as a leftover"
grep -q "logs: waiting up to 5s for 1 compression of a rotated log to finish" "$T/svd.out" ||
        fail "no word of the wait"
assert_eq "$(rotated '\.gz' | wc -l)" 1 ".gz files after the wait"
assert_eq "$(rotated '' | wc -l)" 0 "plain rotated files after the wait"
assert_eq "$(rotated '\.gz\.tmp' | wc -l)" 0 ".gz.tmp files after the wait"
"$T/gzip.real" -t "$T/log/$(rotated '\.gz')" || fail "bad gzip"

# ---- a gzip that hangs: stopped after the bound, said so ----
echo 60 > "$T/out/gzdelay" # (past the 5 s bound; short enough not to linger after a failure)
start_svd
wait_state chatty running
wait_for started 2
t0=$(date +%s)
stop_svd || fail "svd exit status"
took=$(( $(date +%s) - t0 ))
[ "$took" -le 9 ] || fail "the stop took ${took}s"
grep -q "outlived its service" "$T/svd.out" && fail "the gzip was killed as a leftover"
plain=$(rotated '')
[ -n "$plain" ] || fail "no plain rotated file: $(ls "$T/log")"
grep -q "logs: compressing $T/etc/../log/chatty\.log\.[0-9T.]*Z did not finish within 5s of the stop; stopped it: the file stays uncompressed until svd's next start compresses it" "$T/svd.out" ||
        fail "no word of the stopped compression"
assert_eq "$(rotated '\.gz\.tmp' | wc -l)" 0 ".gz.tmp files after the stop"
while read -r pid; do
        ! kill -0 "$pid" 2> /dev/null || fail "gzip $pid still runs"
done < "$T/out/gzstarted"

# ---- the next start compresses it ----
echo 0 > "$T/out/gzdelay"
start_svd
wait_state chatty running
nothing_plain() { [ -z "$(rotated '')" ] && [ -z "$(rotated '\.gz\.tmp')" ]; }
wait_for nothing_plain
for f in $plain; do [ -f "$T/log/$f.gz" ] || fail "$f not compressed at the next start"; done
stop_svd || fail "svd exit status"
echo "log_compress_stop: ok"

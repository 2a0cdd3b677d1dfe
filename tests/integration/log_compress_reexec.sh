#!/bin/bash
# svctl daemon-reexec while the gzip of a rotated log runs: the new svd
# takes the compression over (its pid and file, in the handed-over state)
# instead of knowing nothing of it. Its first look at the directory leaves
# that gzip's .gz.tmp alone and does not compress the file a second time
# next to it; the gzip's end is the new svd's to finish: the .gz replaces
# the plain file, no .gz.tmp stays, nothing is warned. gzip is made slow by
# a wrapper bound over it in a private mount namespace.
SVD_PRIVATE_MOUNTS=1
. "$(dirname "$0")/lib.sh"

slow_gzip

PAD=$(printf 'z%.0s' $(seq 100))
# about 28K: one rotation
service chatty <<YAML
command: ["sh", "-c", "i=0; while [ \$i -lt 200 ]; do echo \"line \$i $PAD\"; i=\$((i+1)); done; exec sleep 100000"]
logging: { max_size: 20K, max_files: 10, compress: true }
YAML
rotated() { ls "$T/log" | grep -E '^chatty\.log\.[0-9T.]+Z'"$1"'$' || true; }

echo 3 > "$T/out/gzdelay"
start_svd
wait_state chatty running
wait_for test -s "$T/out/gzstarted"
first=$(rotated '')
[ -n "$first" ] || fail "nothing rotated: $(ls "$T/log")"
svctl daemon-reexec > /dev/null || fail "svctl daemon-reexec"
wait_for grep -q "services taken over" "$T/svd.out"
done_all() { [ -z "$(rotated '')" ] && [ -z "$(rotated '\.gz\.tmp')" ]; }
wait_for done_all
[ -f "$T/log/$first.gz" ] || fail "$first not compressed: $(ls "$T/log")"
"$T/gzip.real" -t "$T/log/$first.gz" || fail "bad gzip"
assert_eq "$(wc -l < "$T/out/gzstarted")" 1 "gzip runs for one rotated file"
grep -q "logs: .*compress" "$T/svd.out" && fail "warned: $(grep 'logs:' "$T/svd.out")"
stop_svd || fail "svd exit status"
echo "log_compress_reexec: ok"

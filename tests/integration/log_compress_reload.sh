#!/bin/bash
# A service removed and added again by reloads while the gzip of one of its
# rotated files runs: the new sink's first look at the directory (which
# removes compression leftovers, BASE.STAMP.gz.tmp) leaves the .gz.tmp of
# that running gzip alone, and does not queue the file a second time. The
# compression completes: the .gz replaces the plain file, nothing is
# compressed twice, no .gz.tmp stays, nothing is warned. gzip is made slow
# by a wrapper bound over it in a private mount namespace.
SVD_PRIVATE_MOUNTS=1
. "$(dirname "$0")/lib.sh"

slow_gzip

PAD=$(printf 'z%.0s' $(seq 100))
# about 28K: one rotation at each start
service chatty <<YAML
command: ["sh", "-c", "i=0; while [ \$i -lt 200 ]; do echo \"line \$i $PAD\"; i=\$((i+1)); done; exec sleep 100000"]
logging: { max_size: 20K, max_files: 10, compress: true }
YAML
rotated() { ls "$T/log" | grep -E '^chatty\.log\.[0-9T.]+Z'"$1"'$' || true; }
started() { [ "$(wc -l < "$T/out/gzstarted" 2>/dev/null || echo 0)" -ge "$1" ]; }

echo 6 > "$T/out/gzdelay"
start_svd
wait_state chatty running
wait_for started 1
first=$(rotated '')
[ -n "$first" ] && [ -n "$(rotated '\.gz\.tmp')" ] || fail "no compression under way: $(ls "$T/log")"

mv "$T/services/chatty.yaml" "$T/chatty.yaml"
svctl reload > /dev/null || fail "reload removing chatty"
gone() { [ -z "$(field chatty state 2> /dev/null)" ]; }
wait_for gone
mv "$T/chatty.yaml" "$T/services/chatty.yaml"
svctl reload > /dev/null || fail "reload adding chatty"
wait_state chatty running
# its new sink has had its first look (its own rotation needs it), while
# the first gzip still sleeps
wait_for started 2
[ -f "$T/log/$first.gz.tmp" ] || fail "the running gzip's $first.gz.tmp was removed: $(ls "$T/log")"

done_all() { [ -z "$(rotated '')" ] && [ -z "$(rotated '\.gz\.tmp')" ]; }
wait_for done_all
[ -f "$T/log/$first.gz" ] || fail "$first not compressed: $(ls "$T/log")"
assert_eq "$(rotated '\.gz' | wc -l)" 2 ".gz files"
for f in $(rotated '\.gz'); do "$T/gzip.real" -t "$T/log/$f" || fail "$f: bad gzip"; done
assert_eq "$(wc -l < "$T/out/gzstarted")" 2 "gzip runs (one per rotated file)"
grep -q "logs: .*compress" "$T/svd.out" && fail "warned: $(grep 'logs:' "$T/svd.out")"
stop_svd || fail "svd exit status"
echo "log_compress_reload: ok"

#!/bin/bash
# The .gz.tmp a compression leaves when it does not finish (svd killed while
# gzip ran) is removed at svd's next start whoever's log it was: a service
# removed from the configuration since, one configured but not started, one
# removed long ago (by an earlier svd, which recorded its file). They used to stay for ever: only a started service's
# first look removed its own. The output of a gzip under way is never
# removed (log_compress_reload.sh). gzip is made slow by a wrapper bound
# over it in a private mount namespace.
SVD_PRIVATE_MOUNTS=1
. "$(dirname "$0")/lib.sh"

slow_gzip

STAMP=20261122T003043.123456Z
mkdir -p "$T/log"
# gone, configured in an earlier run of svd, which recorded its file
# (state_dir/logfiles: svd removes only the leftovers of the logs it wrote)
service gone <<YAML
command: [sleep, "1000"]
enabled: false
YAML
start_svd
wait_for grep -q '/gone\.log$' "$T/state/logfiles"
stop_svd || fail "svd exit status"
rm "$T/services/gone.yaml"
: > "$T/log/gone.log.$STAMP.gz.tmp"
: > "$T/log/idle.log.$STAMP.gz.tmp"
service idle <<YAML
command: [sleep, "1000"]
enabled: false
YAML
PAD=$(printf 'z%.0s' $(seq 100))
# about 28K: one rotation
service chatty <<YAML
command: ["sh", "-c", "i=0; while [ \$i -lt 200 ]; do echo \"line \$i $PAD\"; i=\$((i+1)); done; exec sleep 100000"]
logging: { max_size: 20K, max_files: 10, compress: true }
YAML
tmps() { ls "$T/log" | grep '\.gz\.tmp$' || true; }
started() { [ "$(wc -l < "$T/out/gzstarted" 2>/dev/null || echo 0)" -ge 1 ]; }
gzip_pids() { cat "$T/out/gzstarted" 2> /dev/null || true; }
# on any exit: the gzip svd left behind, then lib.sh's cleanup
trap 'kill $(gzip_pids) 2> /dev/null || true; cleanup || true' EXIT

echo 30 > "$T/out/gzdelay"
start_svd
wait_state chatty running
wait_for started
tmp=$(ls "$T/log" | grep '^chatty\.log\..*\.gz\.tmp$' || true)
[ -n "$tmp" ] || fail "no compression under way: $(ls "$T/log")"
# (none is removed while chatty's gzip runs: the others have no gzip, but
# are left from before: removed at start)
for f in gone idle; do wait_for test ! -e "$T/log/$f.log.$STAMP.gz.tmp"; done
[ -e "$T/log/$tmp" ] || fail "the running gzip's $tmp was removed"

# svd killed while that gzip runs, chatty removed before the next start
# (its process, which no svd will stop now, and the gzip are ended here)
chatty_pid=$(field chatty pid)
crash_svd
kill $(gzip_pids) "$chatty_pid" 2> /dev/null || true
mv "$T/services/chatty.yaml" "$T/chatty.yaml"
start_svd
wait_for test ! -e "$T/log/$tmp"
assert_eq "$(tmps)" "" "compression leftovers"
[ -e "$T/log/${tmp%.gz.tmp}" ] || fail "the file it compressed is gone"
stop_svd || fail "svd exit status"
echo "log_gztmp_sweep: ok"

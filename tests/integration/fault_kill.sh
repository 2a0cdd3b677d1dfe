#!/bin/bash
# Fault injection: 1,000 `kill -9`s of random services (10 services with
# restart: always and a small backoff) over about a minute. Every kill must be
# answered by exactly one policy restart, no zombie may be left, and svd's fd
# count and RSS must be stable between the end of a warm-up and the end.
. "$(dirname "$0")/lib.sh"

KILLS=${FAULT_KILLS:-1000}
SECS=${FAULT_SECONDS:-55}
# warm-up: allocator pools, the event ring and log buffers reach their
# working size in the first few hundred restarts (without ASan RSS is flat
# after ~500; ASan's allocator settles more slowly)
WARMUP=$(( KILLS / 4 ))
N=10
for i in $(seq 1 $N); do
        service "s$i" <<YAML
command: [sleep, "100000"]
restart: always
backoff: { initial: 10ms, max: 50ms, factor: 2 }
start_limit: { burst: 0 }
YAML
done

# With --enable-sanitizers, ASan keeps up to 256 MB of freed memory in
# quarantine, which is RSS growth but no leak; a small quarantine lets the
# RSS figure show what svd really keeps (ignored by a build without ASan).
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=1:thread_local_quarantine_size_kb=16:malloc_context_size=2"
start_svd
for i in $(seq 1 $N); do wait_state "s$i" running; done

python3 "$TOP_SRCDIR/tests/helpers/killer.py" "$SOCK" "$SVD_PID" "$KILLS" "$SECS" "$WARMUP" > "$T/res.json" \
        || fail "killer.py failed"
kill -0 "$SVD_PID" 2>/dev/null || fail "svd died"

# zombies: any child of svd in state Z; and exactly one live child per service
# (besides svd-fdstore, which keeps the log pipes across a crash of svd)
zombies=0 children=0
for st in /proc/[0-9]*/stat; do
        # fields after "(comm)": state ppid ...; comm may hold spaces: cut at ") "
        line=$(cat "$st" 2>/dev/null) || continue
        tail=${line##*) }
        set -- $tail
        [ "$2" = "$SVD_PID" ] || continue
        case $line in *"(svd-fdstore)"*) continue ;; esac # svd's own helper, not a service
        children=$((children + 1))
        [ "$1" = Z ] && zombies=$((zombies + 1))
done

python3 - "$T/res.json" "$KILLS" "$N" "$zombies" "$children" <<'PY' || fail "fault_kill figures out of bounds (see above)"
import json, sys
r = json.load(open(sys.argv[1]))
kills_wanted, n, zombies, children = map(int, sys.argv[2:6])
ok = True
def check(cond, what):
    global ok
    print(("ok   " if cond else "FAIL ") + what)
    ok = ok and cond
total_k = sum(r["kills"].values())
total_r = sum(r["restarts"].values())
print("kills: %d in %.1fs over %d services (min %d, max %d per service); waits for a running service: %d" %
      (total_k, r["kill_seconds"], len(r["kills"]), min(r["kills"].values()), max(r["kills"].values()), r["waits"]))
print("policy restarts: %d" % total_r)
print("fds: %d after warm-up, %d at the end" % (r["warm_fds"], r["end_fds"]))
print("RSS: %d kB after warm-up, %d kB at the end (%+.1f%%)" %
      (r["warm_rss_kb"], r["end_rss_kb"], 100.0 * (r["end_rss_kb"] - r["warm_rss_kb"]) / r["warm_rss_kb"]))
print("RSS every %d kills (kB): %s" % (kills_wanted // 10, " ".join(map(str, r["rss_series_kb"]))))
print("children of svd: %d (zombies: %d)" % (children, zombies))
check(total_k == kills_wanted, "all %d kills sent" % kills_wanted)
for name, k in sorted(r["kills"].items()):
    if r["restarts"].get(name) != k:
        check(False, "%s: %d kills but %s restarts" % (name, k, r["restarts"].get(name)))
check(total_r == total_k, "one policy restart per kill")
check(zombies == 0, "no zombie")
check(children == n, "one process per service")
check(abs(r["end_fds"] - r["warm_fds"]) <= max(1, r["warm_fds"] // 10), "fd count stable (±10%)")
check(abs(r["end_rss_kb"] - r["warm_rss_kb"]) <= r["warm_rss_kb"] * 0.10, "RSS stable (±10%)")
sys.exit(0 if ok else 1)
PY
stop_svd || fail "svd exit status"
echo "fault_kill: ok"

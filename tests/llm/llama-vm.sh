#!/bin/bash
# The VM half of tests/llm/llama.sh (vmrun, pure cgroup v2): the shipped
# services/llama-server.yaml, unchanged but for start_when, runs the tiny
# model under svd. The guest's / is a throwaway overlay, so the binary and
# the model go where the service file expects them (/usr/local/bin,
# /var/lib/svd/llama). Checks: a host short of memory_available keeps it
# `waiting (memory)`; with enough, it starts as nobody in ai.slice, whose
# memory.max and its own are the configured shares of RAM; svd's HTTP probe
# of /health turns it healthy; POST /completion returns generated tokens;
# stopping it leaves its cgroup empty.
. "$(dirname "$0")/../integration/lib.sh"
: "${LLAMA_SERVER:?}" "${LLAMA_MODEL:?}"
[ "${VMRUN:-}" = 1 ] || { echo "not in a vmrun VM: this test installs files under /usr/local"; exit 77; }
grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null || { echo "not in a cgroup v2 VM"; exit 77; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

install -m 0755 "$LLAMA_SERVER" /usr/local/bin/llama-server
install -d /var/lib/svd/llama
install -m 0644 "$LLAMA_MODEL" /var/lib/svd/llama/model.gguf

# The real slices (ai.yaml hangs below system.yaml) and the real service.
cp "$TOP_SRCDIR"/cgroups/*.yaml "$T/cgroups/"
[ -f "$T/cgroups/ai.yaml" ] || fail "cgroups/ai.yaml is missing"
cp "$TOP_SRCDIR/services/llama-server.yaml" "$T/services/"
cat >> "$T/etc/svd.yaml" <<EOF
cgroups: required
profiles: [full]
EOF
port=8081

# 1. The guest has 2G of RAM, less than the 2G MemAvailable the service asks
# for: it waits, and llama-server is not started.
grep -q '^start_when: { memory_available: 2G }' "$T/services/llama-server.yaml" ||
        fail "services/llama-server.yaml: start_when changed, update this test"
start_svd
wait_state llama-server waiting 30
case "$(field llama-server reason)" in
"waiting (memory): 2G available needed"*) ;;
*) fail "reason: $(field llama-server reason)" ;;
esac
pgrep -x llama-server >/dev/null && fail "llama-server runs while waiting"
stop_svd || fail "svd exit status"

# 2. What the guest can give: it starts, becomes healthy, and completes.
sed -i 's/^start_when: { memory_available: 2G }/start_when: { memory_available: 256M }/' "$T/services/llama-server.yaml"
t0=$(now)
start_svd
wait_state llama-server running 30
t1=$(now)
pid=$(field llama-server pid)
awk '/^Uid:/ { exit !($2 == 65534) }' "/proc/$pid/status" || fail "llama-server does not run as nobody"

cg=$(field llama-server cgroup)
case "$cg" in */ai.slice/*) ;; *) fail "llama-server's cgroup is $cg, not below ai.slice" ;; esac
grep -qx "$pid" "$cg/cgroup.procs" || fail "pid $pid is not in $cg"
kb=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)
# svd writes share * MemTotal; the kernel rounds down to whole pages
page=$(getconf PAGESIZE)
want_svc=$((kb * 1024 * 35 / 100 / page * page))
want_high=$((kb * 1024 * 30 / 100 / page * page))
assert_eq "$(cat "$cg/memory.max")" "$want_svc" "llama-server's memory.max (35% of RAM)"
assert_eq "$(cat "$cg/memory.high")" "$want_high" "llama-server's memory.high (30% of RAM)"
# the slice's own cap (cgroups/ai.yaml, shared by all model servers) is set
# and not below the service's
slice_max=$(cat "$(dirname "$cg")/memory.max")
if [ "$slice_max" = max ] || [ "$slice_max" -lt "$want_svc" ]; then fail "ai.slice's memory.max: $slice_max"; fi
echo "memory.max: llama-server $want_svc, ai.slice $slice_max (MemTotal $((kb * 1024)))"

# svd's HTTP probe (svd-probe) of /health, every 2s while starting
deadline=$(($(date +%s) + 120 * SCALE))
while [ "$(field llama-server health)" != healthy ]; do
        [ "$(field llama-server state)" = running ] || fail "llama-server: $(field llama-server state), $(field llama-server reason)"
        [ "$(date +%s)" -lt "$deadline" ] || fail "not healthy: $(field llama-server last_probe)"
        sleep 0.5
done
t2=$(now)
svctl status llama-server

# A completion: the tiny model's words are noise, but they are generated.
# ignore_eos: a random model may well pick </s> first.
curl -sS --max-time $((60 * SCALE)) -o "$T/completion.json" -w '%{http_code}\n' \
        -H 'Content-Type: application/json' \
        -d '{"prompt": "the world is", "n_predict": 8, "ignore_eos": true, "temperature": 0, "return_tokens": true}' \
        "http://127.0.0.1:$port/completion" > "$T/code" || fail "POST /completion: $(cat "$T/completion.json" 2>/dev/null)"
t3=$(now)
assert_eq "$(cat "$T/code")" "200" "POST /completion status"
n=$(jq -r '.tokens_predicted' "$T/completion.json")
assert_eq "$n" "8" "tokens predicted"
assert_eq "$(jq -r '.tokens | length' "$T/completion.json")" "8" "tokens returned"
[ "$(jq -r '.tokens_evaluated' "$T/completion.json")" -ge 2 ] || fail "prompt not evaluated: $(cat "$T/completion.json")"
echo "completion: $(jq -c '{content, tokens, tokens_predicted, tokens_evaluated}' "$T/completion.json")"
mem=$(field llama-server memory_current)
echo "llama-server: memory_current $((mem / 1024)) KiB, peak $(($(field llama-server memory_peak) / 1024)) KiB"

svctl stop llama-server >/dev/null
wait_state llama-server stopped 30
assert_eq "$(cat "$cg/cgroup.procs" 2>/dev/null | wc -l)" "0" "llama-server's cgroup after stop"
stop_svd || fail "svd exit status"
echo "timings (guest): start $(secs "$t0" "$t1") s, start to healthy $(secs "$t1" "$t2") s, completion $(secs "$t2" "$t3") s"
echo "llama-vm: ok"

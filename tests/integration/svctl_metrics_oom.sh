#!/bin/bash
# svctl metrics --json when svctl runs out of memory printing svd's reply as
# JSON (tests/helpers/failrealloc.so fails its large reallocs, which is how
# cJSON grows its output): it says so on standard error (and in --json's
# error object, which is small, on standard output) and exits 1. It
# used to print nothing and exit 0, which a script took for an empty
# success. The plain text, which needs no such buffer, is still printed.
. "$(dirname "$0")/lib.sh"
# (an interposed realloc does not mix with the sanitizers' allocator)
if ldd "$SVCTL" 2> /dev/null | grep -q libasan; then echo "SKIP: an ASan build"; exit 77; fi
SO="$TOP_BUILDDIR/tests/helpers/failrealloc.so"
[ -f "$SO" ] || fail "$SO missing (make check builds it)"

# enough services for a metrics text well over the 16 KiB the realloc fails at
for i in $(seq 1 36); do
        service "$(printf 'svc-%02d' "$i")" <<EOF2
command: [sleep, "1000"]
enabled: false
EOF2
done
start_svd
wait_state svc-36 stopped

svctl metrics --json > "$T/ok.json" || fail "svctl metrics --json without the fault"
size=$(wc -c < "$T/ok.json")
[ "$size" -gt 32768 ] || fail "the reply is only $size bytes: add services"

rc=0
LD_PRELOAD="$SO" FAILREALLOC_MIN=16384 "$SVCTL" -s "$SOCK" metrics --json > "$T/oom.out" 2> "$T/oom.err" || rc=$?
assert_eq "$rc" 1 "exit status out of memory (stderr: $(cat "$T/oom.err"))"
# on stdout only --json's error object (svctl(8), EXIT STATUS), no metrics
python3 -c 'import json, sys; o = json.load(open(sys.argv[1])); sys.exit(not (o["ok"] is False and o["exit"] == 1 and o["error"].startswith("metrics: out of memory") and "text" not in o))' "$T/oom.out" ||
        fail "standard output out of memory: $(head -c 200 "$T/oom.out")"
grep -q '^svctl: metrics: out of memory' "$T/oom.err" || fail "stderr: $(cat "$T/oom.err")"

# the same fault, plain text: printed whole
LD_PRELOAD="$SO" FAILREALLOC_MIN=16384 "$SVCTL" -s "$SOCK" metrics > "$T/text.out" ||
        fail "svctl metrics with large reallocs failing"
grep -q '^svd_service_up{service="svc-36",slice=""} 0$' "$T/text.out" || fail "text: $(tail -n 5 "$T/text.out")"
grep -q '^svd_build_info{' "$T/text.out" || fail "text cut short"

stop_svd || fail "svd exit status"
echo "svctl_metrics_oom: ok"

#!/bin/bash
# svctl top --json when svctl runs out of memory (tests/helpers/failrealloc.so
# fails its large reallocs): building the refresh's JSON text (cJSON grows
# its output with realloc), or holding the rows of svd's reply (its table
# grows with realloc too). Either way it prints nothing of that refresh on
# standard output (only --json's small error object), says so on standard
# error and exits 1. It used to print
# [] or the rows it could hold, which a script took for svd's answer. The
# table says how many rows it could not show, as before.
. "$(dirname "$0")/lib.sh"
# (an interposed realloc does not mix with the sanitizers' allocator)
if ldd "$SVCTL" 2> /dev/null | grep -q libasan; then echo "SKIP: an ASan build"; exit 77; fi
SO="$TOP_BUILDDIR/tests/helpers/failrealloc.so"
[ -f "$SO" ] || fail "$SO missing (make check builds it)"

# long names: a JSON text over the 16 KiB the realloc fails at from rows
# that svctl holds in less
long=$(printf 'x%.0s' $(seq 56))
for i in $(seq 1 70); do
        service "$(printf 'svc-%02d-%s' "$i" "$long")" <<EOF2
command: [sleep, "1000"]
enabled: false
EOF2
done
start_svd
wait_state "svc-70-$long" stopped

svctl top --json -n 1 > "$T/ok.json" || fail "svctl top --json without the fault"
size=$(wc -c < "$T/ok.json")
[ "$size" -gt 16384 ] || fail "the JSON text is only $size bytes: add services"

# top_oom MIN WHAT: top --json with reallocs of MIN bytes or more failing
top_oom() {
        local rc=0
        LD_PRELOAD="$SO" FAILREALLOC_MIN=$1 "$SVCTL" -s "$SOCK" top --json -n 1 > "$T/oom.out" 2> "$T/oom.err" || rc=$?
        assert_eq "$rc" 1 "$2: exit status (stderr: $(cat "$T/oom.err"))"
        # on stdout only --json's error object (small), no rows
        python3 -c 'import json, sys; o = json.load(open(sys.argv[1])); sys.exit(not (o["ok"] is False and o["exit"] == 1 and o["error"].startswith("top: out of memory")))' "$T/oom.out" ||
                fail "$2: standard output: $(head -c 200 "$T/oom.out")"
        grep -q '^svctl: top: out of memory' "$T/oom.err" || fail "$2: stderr: $(cat "$T/oom.err")"
}
# the rows held (the table shows them all), the JSON text not built
LD_PRELOAD="$SO" FAILREALLOC_MIN=16384 "$SVCTL" -s "$SOCK" top -n 1 > "$T/table.out" ||
        fail "svctl top with reallocs of 16 KiB failing"
assert_eq "$(grep -c '^svc-' "$T/table.out")" 70 "rows in the table with reallocs of 16 KiB failing"
top_oom 16384 "JSON text"
# the rows not held
top_oom 2048 "rows"

# the table, the rows not held: it says so
LD_PRELOAD="$SO" FAILREALLOC_MIN=2048 "$SVCTL" -s "$SOCK" top -n 1 > "$T/table.out" ||
        fail "svctl top with large reallocs failing"
grep -q '^(70 more rows not shown: out of memory)' "$T/table.out" || fail "table: $(cat "$T/table.out")"

stop_svd || fail "svd exit status"
echo "svctl_top_oom: ok"

#!/bin/bash
# run.sh TARGET...: runs each built libFuzzer target (FUZZ_BUILD/fuzz_TARGET)
# for FUZZ_SECONDS on its committed seeds (FUZZ_SRC/corpus/TARGET, never
# written to) plus a scratch corpus in FUZZ_BUILD that keeps what it found for
# the next run. A crash, leak, timeout or sanitizer report fails the target;
# its reproducer is left in FUZZ_BUILD/artifacts and named here. Called by
# fuzz.mk's run target (`make fuzz`).
set -u
: "${FUZZ_BUILD:?}" "${FUZZ_SRC:?}"
secs=${FUZZ_SECONDS:-60}
failed=()
for t in "$@"; do
        bin=$FUZZ_BUILD/fuzz_$t
        work=$FUZZ_BUILD/corpus/$t
        art=$FUZZ_BUILD/artifacts/$t
        mkdir -p "$work" "$art"
        dict=()
        [ -f "$FUZZ_SRC/$t.dict" ] && dict=(-dict="$FUZZ_SRC/$t.dict")
        echo "== fuzz_$t: ${secs}s"
        start=$(date +%s)
        # The seeds first: each must run clean, or the fuzzer never starts.
        rc=0
        ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:symbolize=1 \
        UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
                "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
                -print_final_stats=1 -artifact_prefix="$art/" "${dict[@]}" \
                "$work" "$FUZZ_SRC/corpus/$t" > "$FUZZ_BUILD/fuzz_$t.log" 2>&1 || rc=$?
        grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb|^#[0-9]+.*DONE' "$FUZZ_BUILD/fuzz_$t.log" | sed 's/^/   /'
        if [ "$rc" -ne 0 ]; then
                echo "FAIL: fuzz_$t (exit $rc after $(( $(date +%s) - start ))s); log: $FUZZ_BUILD/fuzz_$t.log"
                grep -E 'ERROR: |runtime error|SUMMARY|Test unit written' "$FUZZ_BUILD/fuzz_$t.log" | head -n 10 | sed 's/^/   /'
                failed+=("$t")
        else
                echo "PASS: fuzz_$t ($(ls "$work" | wc -l) inputs in the working corpus)"
        fi
done
if [ "${#failed[@]}" -gt 0 ]; then
        echo "fuzz: FAILED: ${failed[*]} (reproduce: $FUZZ_BUILD/fuzz_TARGET $FUZZ_BUILD/artifacts/TARGET/crash-...)"
        exit 1
fi
echo "fuzz: all ${#@} targets clean"

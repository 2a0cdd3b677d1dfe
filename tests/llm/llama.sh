#!/bin/bash
# llama.cpp's llama-server under svd, for real (`make check-llm`): builds or
# reuses llama-server (tools/build-llama: from the llama.cpp source the npm
# package node-llama-cpp ships, cached), writes a tiny GGUF model
# (tools/tiny-gguf.py), then boots one VM with a pure cgroup v2 hierarchy
# (vmrun) where tests/llm/llama-vm.sh runs services/llama-server.yaml under
# svd in the ai slice and asks it for a completion. Runs on the host; the
# model lives under the build tree, which the VM shares. Prints the timings.
set -eu
: "${SVD:?}" "${SVCTL:?}" "${VMRUN:?}" "${TOP_SRCDIR:?}"

fail() { echo "FAIL: $*" >&2; exit 1; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

t0=$(now)
bin=$("$TOP_SRCDIR/tools/build-llama") || fail "tools/build-llama"
[ -x "$bin" ] || fail "tools/build-llama printed '$bin', not an executable"
t1=$(now)
echo "llama-server: $bin ($(secs "$t0" "$t1") s to build or find)"

D=$(pwd -P)/llm-test.$$
rm -rf "$D"
mkdir -p "$D"
trap 'rm -rf "$D"' EXIT
python3 "$TOP_SRCDIR/tools/tiny-gguf.py" "$D/tiny.gguf" || fail "tiny-gguf.py"
t2=$(now)

# 2G of guest RAM: less than the shipped start_when.memory_available, which
# the first part of the VM test relies on.
# Through tests/vm/run-one.sh, as make check-vm: a TCG guest that hangs
# (a soft lockup on its console, or its heartbeat silent for 3 minutes) is
# stopped at once and the VM run once more, instead of failing the test
# after the 1200 s limit.
hang=$D/vm.hang
for try in 1 2; do
        rm -f "$hang"
        rc=0
        RUN_ONE_VMRUN="$VMRUN" RUN_ONE_HANG_FILE="$hang" "$TOP_SRCDIR/tests/vm/run-one.sh" --mem 2G --timeout 1200 -- \
                env SVD_TEST_SCALE=4 SVD="$SVD" SVCTL="$SVCTL" TOP_SRCDIR="$TOP_SRCDIR" \
                LLAMA_SERVER="$bin" LLAMA_MODEL="$D/tiny.gguf" \
                bash "$TOP_SRCDIR/tests/llm/llama-vm.sh" || rc=$?
        [ "$rc" -eq 124 ] && [ -s "$hang" ] && [ "$try" -eq 1 ] || break
        echo "llama: $(cat "$hang"): running the VM once more"
done
t3=$(now)
echo "timings: build-llama $(secs "$t0" "$t1") s, model $(secs "$t1" "$t2") s, VM (boot + test) $(secs "$t2" "$t3") s"
[ "$rc" -eq 0 ] || fail "the VM part exited $rc"
echo "llama: ok"

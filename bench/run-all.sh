#!/usr/bin/env bash
# bench/run-all.sh: run every svd benchmark (spawn, mem, idle) in turn.
# Extra environment knobs: see bench/common.sh. Never fails on a threshold;
# exits non-zero only if a script itself breaks.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
rc=0
for b in spawn mem idle; do
        echo
        "$here/$b.sh" || { rc=$?; echo "bench/$b.sh failed (exit $rc)"; }
done
exit "$rc"

#!/bin/bash
# svctl_output_full: output svctl cannot write (a full disk: /dev/full) is
# a failure, exit 1 with "cannot write output" on stderr, never a silent
# success, for every command that prints: also logs (from the files, -n,
# --json) and top (text and --json), which exited 0.
. "$(dirname "$0")/lib.sh"
[ -w /dev/full ] || { echo "no /dev/full"; exit 77; }

service count <<'YAML'
command: ["sh", "-c", "for i in $(seq 1 15); do echo line-$i; done; exec sleep 100000"]
YAML
start_svd
wait_for grep -q line-15 "$T/log/count.log"

for c in "status" "version" "order" "events" "metrics" "secret list" "logs count" "logs" "logs -n 3" \
         "logs --json" "top -n 1 -d 0.1" "top -n 1 -d 0.1 --json"; do
        rc=0
        # shellcheck disable=SC2086 # words on purpose
        svctl $c > /dev/full 2> "$T/err" || rc=$?
        [ "$rc" = 1 ] && grep -q "^svctl: cannot write output" "$T/err" ||
                fail "svctl $c > /dev/full: exit $rc (want 1): $(cat "$T/err")"
done
echo ok

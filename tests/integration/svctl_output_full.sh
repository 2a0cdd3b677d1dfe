#!/bin/bash
# svctl_output_full: output svctl cannot write (a full disk: /dev/full) is
# a failure, exit 1 with "cannot write output" on stderr, never a silent
# success, for every command that prints: also logs (from the files, -n,
# --json) and top (text and --json), which exited 0. The message keeps the
# cause (errno): top's lost it.
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
        [ "$rc" = 1 ] && grep -qx "svctl: cannot write output: No space left on device" "$T/err" ||
                fail "svctl $c > /dev/full: exit $rc (want 1): $(cat "$T/err")"
done

# top's table past stdio's buffer (a write failing in the middle of it):
# the cause is still said
command -v python3 >/dev/null || { echo "ok (top's long table not tested: no python3)"; exit 0; }
python3 -c 'import json; print(json.dumps([{"v": 1, "ok": True, "services": [
    {"name": "s%d" % i, "state": "running", "pid": 100 + i} for i in range(300)]}]))' > "$T/r.json"
for c in "top -n 1" "top -n 1 --json"; do
        rc=0
        # shellcheck disable=SC2086
        fctl "$T/r.json" $c > /dev/full 2> "$T/err" || rc=$?
        [ "$rc" = 1 ] && grep -qx "svctl: cannot write output: No space left on device" "$T/err" ||
                fail "svctl $c > /dev/full, 300 rows: exit $rc (want 1): $(cat "$T/err")"
done
echo ok

#!/bin/bash
# svctl logs and a current log file deleted under svd while its directory
# stays: svd writes on into the unlinked file until it would rotate, so its
# latest lines cannot be shown. With and without -n that is one line on
# standard error naming the file and exit status 1, never an output that
# just ends earlier; the rotated files are still shown. A service svd has
# not opened a file for (never started here) is no such case: nothing said.
. "$(dirname "$0")/lib.sh"

D="$T/log"
L="$T/etc/../log" # (as svd names the files: log_dir is relative to svd.yaml)
mkdir -p "$D"
echo "2020-01-01T00:00:01.000000Z out old line" > "$D/u.log.20200101T000002.000000Z"

service u <<'EOF2'
command: ["sh", "-c", "echo fresh line; exec sleep 100000"]
EOF2
service idle <<'EOF2'
command: ["sleep", "100000"]
enabled: false
EOF2
start_svd
wait_state u running
wait_for grep -q 'fresh line' "$D/u.log"

# ---- before: both are read, and a never-started service says nothing ----
for c in "logs u" "logs u -n 5" "logs idle" "logs idle -n 5"; do
        rc=0
        # shellcheck disable=SC2086 # words on purpose
        svctl $c > "$T/so" 2> "$T/se" || rc=$?
        [ "$rc" = 0 ] && [ ! -s "$T/se" ] || fail "svctl $c: exit $rc: $(cat "$T/se")"
done

rm "$D/u.log"
for c in "logs u" "logs" "logs u -n 5" "logs -n 5"; do
        rc=0
        # shellcheck disable=SC2086 # words on purpose
        svctl $c > "$T/so" 2> "$T/se" || rc=$?
        [ "$rc" = 1 ] && grep -qxF "svctl: u: its log file $L/u.log does not exist (deleted?): its latest lines cannot be shown" "$T/se" ||
                fail "svctl $c, the current file deleted: exit $rc: $(cat "$T/se")"
        [ "$(wc -l < "$T/se")" = 1 ] || fail "svctl $c: more than one line on stderr: $(cat "$T/se")"
        grep -q 'old line' "$T/so" || fail "svctl $c: the rotated file is not shown: $(cat "$T/so")"
        grep -q 'idle' "$T/se" && fail "svctl $c: said something of idle: $(cat "$T/se")"
done
stop_svd || fail "svd exit status"
echo ok

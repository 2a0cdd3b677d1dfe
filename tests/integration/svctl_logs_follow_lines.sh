#!/bin/bash
# svctl_logs_follow_lines: svctl logs -f starts with the last 10 lines
# written before it (svctl(8)), or the last N with -n N, then the lines
# written after it.
. "$(dirname "$0")/lib.sh"

service count <<'YAML'
command: ["sh", "-c", "for i in $(seq 1 15); do echo line-$i; done; exec sleep 100000"]
YAML
start_svd
wait_for grep -q line-15 "$T/log/count.log"

follow() { # follow OUT ARGS...: svctl logs -f ARGS in the background
        local out=$1
        shift
        "$SVCTL" -s "$SOCK" logs -f "$@" count > "$out" 2>&1 &
        FPIDS="$FPIDS $!"
}
FPIDS=
follow "$T/f10"
follow "$T/f3" -n 3
wait_for grep -q line-15 "$T/f10"
wait_for grep -q line-15 "$T/f3"
# (both are subscribed: svd subscribes a follower before it replies)
svctl restart count > /dev/null
twice() { [ "$(grep -c line-15 "$T/$1")" -ge 2 ]; }
wait_for twice f10
wait_for twice f3
# shellcheck disable=SC2086
kill $FPIDS
assert_eq "$(grep -c line- "$T/f10")" 25 "logs -f: 10 lines before, 15 after"
assert_eq "$(head -n 1 "$T/f10" | sed 's/.* //')" line-6 "logs -f: first line"
assert_eq "$(grep -c line- "$T/f3")" 18 "logs -f -n 3: 3 lines before, 15 after"
assert_eq "$(head -n 1 "$T/f3" | sed 's/.* //')" line-13 "logs -f -n 3: first line"
echo ok

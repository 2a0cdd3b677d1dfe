#!/bin/bash
# A state.json svd cannot read (larger than the 64 MiB it reads, or not a
# file it can read) is reported as an error naming the file and why, and
# moved aside like a damaged one. Before, it was taken as absent without a
# word: the services it named were neither taken over nor mentioned.
. "$(dirname "$0")/lib.sh"

service a <<EOF2
command: [sleep, "100000"]
EOF2

mkdir -p "$T/run"
chmod 755 "$T/run"
truncate -s 65M "$T/run/state.json"
start_svd
wait_state a running
grep -q "ERROR $T/etc/../run/state.json is not a state svd wrote (larger than 64 MiB)" "$T/svd.out" ||
        fail "no error for a state.json over 64 MiB"
[ -f "$T/run/state.json.unreadable" ] || fail "the large state.json was not moved aside"
stop_svd || fail "svd exit status"

rm -f "$T/run/state.json" "$T/run/state.json.unreadable"
mkdir "$T/run/state.json"
start_svd
wait_state a running
grep -q "ERROR $T/etc/../run/state.json is not a state svd wrote (cannot read it: Is a directory)" "$T/svd.out" ||
        fail "no error for a state.json that cannot be read"
[ -d "$T/run/state.json.unreadable" ] || fail "the unreadable state.json was not moved aside"
stop_svd || fail "svd exit status"
echo "state_unreadable: ok"

#!/bin/bash
# A state.json whose fields are of the wrong type, or that another format
# version of svd wrote, is not read as if it were right, and the log says
# what was ignored:
# 1. A service's "pid" that is not a number (a string) was read as 0: the
#    service came back "running" with no process, for ever (no restart, no
#    pid in svctl status), its old process unwatched. Now the entry is
#    refused, naming the field, and the service starts as at boot.
# 2. An entry in a state with a process (running) and no pid at all: the
#    same.
# 3. A state.json of another format version (a newer svd's, after a
#    downgrade) was read as this version's; now it is refused, naming both
#    versions, and kept aside as state.json.unreadable.
# 4. An entry whose name is not a string was taken for a service no longer
#    configured: its process was stopped. Now it is refused as the others.
. "$(dirname "$0")/lib.sh"
command -v jq > /dev/null || fail "jq is needed"

service a <<EOF2
command: [bash, -c, 'exec -a "a-instance $T" sleep 100000']
EOF2
service b <<EOF2
command: [bash, -c, 'exec -a "b-instance $T" sleep 100000']
EOF2

instances() { pgrep -f -- "^$1-instance $T" || true; }
finish() {
        cleanup
        for p in $(instances a) $(instances b); do kill -9 "$p" 2> /dev/null || true; done
}
trap finish EXIT
jqi() { # jqi FILTER FILE: FILE edited in place
        jq -c "$1" "$2" > "$2.new" && mv "$2.new" "$2"
}
logged() { grep -qF -- "$1" "$T/svd.out"; }
# crash_edit FILTER: svd killed, its state.json edited with FILTER, a new svd
crash_edit() {
        wait_state a running
        wait_state b running
        sleep 0.3 # (the state write after the last change)
        crash_svd
        jqi "$1" "$T/run/state.json"
        start_svd
}
# a_restarted OLD: a runs again with a process of its own, not OLD (which
# is killed: a stray the damaged entry left, with cgroups killed already)
a_restarted() {
        wait_state a running
        local pid
        pid=$(field a pid)
        [ -n "$pid" ] && [ "$pid" != "$1" ] || fail "a: pid '$pid' after its entry was damaged (was $1)"
        kill -0 "$pid" || fail "a: pid $pid does not run"
        kill -9 "$1" 2> /dev/null || true
        wait_for sh -c "[ \"\$(pgrep -f -- '^a-instance $T')\" = $pid ]"
}

start_svd

# ---- 1. a pid that is a string
old=$(field a pid)
oldb=$(field b pid)
crash_edit '(.services[] | select(.name == "a") | .pid) |= tostring'
logged "state: a: pid of the wrong type; its entry is ignored" || fail "the pid of the wrong type was not named"
a_restarted "$old"
assert_eq "$(field b pid)" "$oldb" "b's pid, taken over beside a's damaged entry"

# ---- 2. running, and no pid
old=$(field a pid)
crash_edit 'del(.services[] | select(.name == "a") | .pid)'
logged "state: a: pid missing for its state; its entry is ignored" || fail "the missing pid was not named"
a_restarted "$old"
assert_eq "$(field b pid)" "$oldb" "b's pid, taken over beside a's damaged entry"

# ---- 3. another format version
old=$(field a pid)
crash_edit '.version = 2'
logged "state.json is not a state svd wrote (its format is 'svd-state 2', this svd reads 'svd-state 1')" ||
        fail "the other format version was not named"
[ -e "$T/run/state.json.unreadable" ] || fail "the state.json of another version was not kept aside"
a_restarted "$old"
kill -9 "$oldb" 2> /dev/null || true

# ---- 4. a name that is not a string: no service's entry, whose process
# was stopped as one no longer configured's (under the name "?")
old=$(field a pid)
crash_edit '(.services[] | select(.name == "a") | .name) |= 5'
logged "state: ?: name of the wrong type; its entry is ignored" || fail "the name of the wrong type was not named"
logged "?: no longer configured" && fail "the process of the entry with no name was stopped"
a_restarted "$old"

stop_svd || fail "svd exit status"
[ -z "$(instances a)$(instances b)" ] || fail "processes left after a clean stop"
echo "crash_state_types: ok"

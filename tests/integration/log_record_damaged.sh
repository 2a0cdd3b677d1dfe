#!/bin/bash
# svd's record of the log files it wrote (state_dir/logfiles) after damage a
# crash or a power cut can leave: a last line without its end is left
# whole and the next path goes on a line of its own (not glued to it); a
# file that is no record is kept aside as logfiles.unreadable and a new
# record started, rather than nothing recorded from then on. A path whose
# files are all gone is dropped from the record.
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/state"
printf 'svd-logfiles 1\n/nowhere/x.lo' > "$T/state/logfiles" # cut mid-line
service a <<EOF2
command: [sleep, "1000"]
EOF2
start_svd
wait_for grep -q '/a\.log$' "$T/state/logfiles"
grep -qx '/nowhere/x\.lo' "$T/state/logfiles" || fail "the cut line: $(cat "$T/state/logfiles")"
grep '/a\.log$' "$T/state/logfiles" | grep -q nowhere && fail "a's path glued to the cut line: $(cat "$T/state/logfiles")"
# the next sweep drops what is gone (nothing of /nowhere/x.lo exists)
svctl reload > /dev/null || fail "svctl reload"
wait_for sh -c "! grep -q nowhere '$T/state/logfiles'"
grep -q '/a\.log$' "$T/state/logfiles" || fail "a's path was dropped: $(cat "$T/state/logfiles")"
stop_svd || fail "svd exit status"

printf 'garbage\n' > "$T/state/logfiles"
start_svd
wait_for grep -q '/a\.log$' "$T/state/logfiles"
assert_eq "$(head -n 1 "$T/state/logfiles")" "svd-logfiles 1" "the new record's first line"
assert_eq "$(cat "$T/state/logfiles.unreadable")" "garbage" "the damaged record, kept aside"
grep -q 'is not a record of log files' "$T/svd.out" || fail "the damaged record was not reported"
stop_svd || fail "svd exit status"
echo "log_record_damaged: ok"

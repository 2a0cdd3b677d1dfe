#!/bin/bash
# The audit log on a full log_dir: requests are answered as always; a
# record that does not fit is dropped whole (never half a line on disk),
# svd's log names the file and the cause at the start of each such episode,
# and once space is back the audit log says how many records were lost
# before the next one. Runs in a private mount namespace on a 1 MiB tmpfs:
# the host is untouched.
SVD_PRIVATE_MOUNTS=1
. "$(dirname "$0")/lib.sh"
tmpfs_at "$T/log" size=1M

fill() { dd if=/dev/zero of="$T/log/fill" bs=4k status=none 2>/dev/null || true; }
service web <<YAML
command: [/bin/sh, -c, 'exec sleep 1000']
YAML
start_svd
wait_state web running
svctl restart web > /dev/null || fail "restart"
wait_for grep -q "op=restart name=web result=ok" "$T/log/audit.log"

# rec_check: every line of audit.log is one whole record
rec_check() {
        python3 - "$T/log/audit.log" <<'PY' || fail "broken audit records: $(cat "$T/log/audit.log")"
import re, sys
rec = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z (uid=\d+ pid=\d+ admin=(yes|no) comm=\S+ op=[a-z_]+( name=web)? result=ok|svd dropped \d+ records?: No space left on device)$")
data = open(sys.argv[1]).read()
assert data.endswith("\n"), "ends in half a line"
for l in data.split("\n")[:-1]:
    assert rec.match(l), l
PY
}

for round in 1 2; do
        fill
        # the last page of audit.log still has room for a few records, then
        # one is cut at the page's end
        for i in $(seq 60); do svctl start web > /dev/null || fail "start $i (round $round)"; done
        assert_eq "$(field web state)" "running" "web with a full log_dir"
        rec_check
        [ "$(grep -c "WARN audit: cannot write .*/audit.log: No space left on device" "$T/svd.out")" = "$round" ] ||
                fail "warnings at round $round: $(grep audit "$T/svd.out")"
        rm -f "$T/log/fill"
        svctl restart web > /dev/null || fail "restart"
        wait_for grep -q "svd dropped [0-9]* records: No space left on device" "$T/log/audit.log"
        tail -n 1 "$T/log/audit.log" | grep -q "op=restart name=web result=ok" || fail "last record: $(tail -n 1 "$T/log/audit.log")"
        rec_check
        [ "$(grep -c "svd dropped [0-9]* records" "$T/log/audit.log")" = "$round" ] || fail "gap notes at round $round"
done
grep -q "INFO audit: writing .*/audit.log again; [0-9]* records were lost" "$T/svd.out" || fail "no recovery note in svd's log"
stop_svd || fail "svd exit status"
echo "audit_diskfull: ok"

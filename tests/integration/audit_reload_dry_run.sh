#!/bin/bash
# The audit log tells a reload that only checked (svctl reload --dry-run)
# from one that applied the configuration: the record of a dry run says
# dry_run=yes, that of a reload does not.
. "$(dirname "$0")/lib.sh"

service web <<YAML
command: [sleep, "1000"]
YAML
start_svd
wait_state web running

svctl reload --dry-run > /dev/null || fail "reload --dry-run"
tail -n 1 "$T/log/audit.log" | grep -q ' op=reload dry_run=yes result=ok$' ||
        fail "dry run record: $(tail -n 1 "$T/log/audit.log")"
svctl reload > /dev/null || fail "reload"
tail -n 1 "$T/log/audit.log" | grep -q ' op=reload result=ok$' ||
        fail "reload record: $(tail -n 1 "$T/log/audit.log")"
stop_svd || fail "svd exit status"
echo "audit_reload_dry_run: ok"

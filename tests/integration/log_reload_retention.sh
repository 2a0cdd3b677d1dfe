#!/bin/bash
# A reload that lowers a running service's logging.max_files (or
# max_total), or turns compress on, applies to the rotated files it has now,
# as at svd's start: not only at the service's next rotation, which a quiet
# service may never reach. Its current file is left as it is.
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/log"
for d in 01 02 03 04 05; do
        echo "old $d" > "$T/log/q.log.202001${d}T000000.000000Z"
done
svc() {
        service q <<YAML
command: ["sh", "-c", "echo one; exec sleep 1000"]
logging: { $1 }
YAML
}
svc "compress: false, max_files: 10"
start_svd
wait_state q running
wait_for grep -q one "$T/log/q.log"
pid1=$(field q pid)
rotated() { ls "$T/log" | grep -c '^q\.log\.2' || true; }
assert_eq "$(rotated)" 5 "rotated files kept under max_files 10"

svc "compress: false, max_files: 3"
svctl reload > /dev/null || fail "svctl reload"
wait_for sh -c "[ \$(ls '$T/log' | grep -c '^q\\.log\\.2') -eq 3 ]"
[ ! -e "$T/log/q.log.20200102T000000.000000Z" ] || fail "the oldest were to go: $(ls "$T/log")"
[ -e "$T/log/q.log.20200105T000000.000000Z" ] || fail "the newest were to stay: $(ls "$T/log")"

svc "compress: true, max_files: 3"
svctl reload > /dev/null || fail "svctl reload"
wait_for sh -c "[ \$(ls '$T/log' | grep -c '^q\\.log\\.2.*Z\\.gz\$') -eq 3 ]"
assert_eq "$(rotated)" 3 "rotated files after compress"
assert_eq "$(zcat "$T/log/q.log.20200105T000000.000000Z.gz")" "old 05" "compressed content"
grep -q one "$T/log/q.log" || fail "the current file changed"
assert_eq "$(field q pid)" "$pid1" "q's pid (applied live)"
stop_svd || fail "svd exit status"
echo "log_reload_retention: ok"

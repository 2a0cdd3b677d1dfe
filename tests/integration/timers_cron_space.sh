#!/bin/bash
# White space around a cron expression: a YAML block scalar (`cron: |`)
# ends in a newline, a quoted macro may keep a space. Both used to be
# refused with a field name and a stray newline ("day-of-week: cannot
# parse '*<newline>'", "unknown macro '@daily '"); now the expression is
# what is between, and status shows it so. @reboot, which is no schedule,
# says what does that instead; an unknown macro still names file, line,
# column and key.
. "$(dirname "$0")/lib.sh"

check() { rc=0; "$SVD" --check -c "$T/etc/svd.yaml" > "$T/out/check" 2> "$T/out/err" || rc=$?; }

service block <<EOF
type: oneshot
command: [true]
schedule:
  cron: |
    0 3 * * *
EOF
service spaced <<EOF
type: oneshot
command: [true]
schedule: { cron: " @daily " }
EOF
check
[ "$rc" = 0 ] || fail "--check refused white space around an expression: $(cat "$T/out/err")"

start_svd
assert_eq "$(field block schedule)" "cron 0 3 * * * (UTC)" "block's schedule"
assert_eq "$(field spaced schedule)" "cron @daily (UTC)" "spaced's schedule"
n=$(field block next_run)
[ $(( ${n%.*} % 86400 )) -eq $(( 3 * 3600 )) ] || fail "block's next run $n is not at 03:00 UTC"
n=$(field spaced next_run)
[ $(( ${n%.*} % 86400 )) -eq 0 ] || fail "spaced's next run $n is not at midnight UTC"
stop_svd || fail "svd exit status"

rm "$T/services/spaced.yaml"
service boot <<EOF
type: oneshot
command: [true]
schedule: { cron: "@reboot" }
EOF
check
[ "$rc" != 0 ] || fail "--check accepted @reboot"
grep -q "boot.yaml:3:19: schedule.cron: @reboot is not a schedule: a oneshot without schedule: runs at boot" \
        "$T/out/err" || fail "no word on @reboot: $(cat "$T/out/err")"
service boot <<EOF
type: oneshot
command: [true]
schedule: { cron: "@dayly" }
EOF
check
[ "$rc" != 0 ] || fail "--check accepted @dayly"
grep -q "boot.yaml:3:19: schedule.cron: unknown macro '@dayly' (@hourly, @daily, @midnight" "$T/out/err" ||
        fail "no error naming the key: $(cat "$T/out/err")"
echo "timers_cron_space: ok"

#!/bin/bash
# log_reserved: no service's log file may be a file svd writes itself or
# another service's log file. A service named "audit" (its log would be
# <log_dir>/audit.log, svd's audit log), a logging.file resolving to the audit
# log or to metrics.textfile, or to another service's log file (its
# logging.file, or its default <log_dir>/NAME.log) is refused by svd --check,
# by svd at start and by a reload (which changes nothing: the running services
# keep running), with file:line:col. Nor may a logging.file be named like one
# of another log's rotated files, which that log's rotation would prune.
. "$(dirname "$0")/lib.sh"

check() { rc=0; "$SVD" --check -c "$T/etc/svd.yaml" > "$T/out/check" 2>&1 || rc=$?; }

# 1. the name
service audit <<EOF
command: [sleep, "1000"]
EOF
check
assert_eq "$rc" 1 "--check exit code for a service named audit"
grep -qF "services/audit.yaml:1:1: service name 'audit' is reserved: its log file $T/etc/../log/audit.log would be svd's audit log" "$T/out/check" ||
        fail "no error for the name: $(cat "$T/out/check")"
rc=0; "$SVD" -c "$T/etc/svd.yaml" > "$T/svd.out" 2>&1 || rc=$?
assert_eq "$rc" 1 "svd exit code with a service named audit"
[ -S "$SOCK" ] && fail "control socket created for a service named audit"
# with its log elsewhere the name is fine
service audit <<EOF
command: [sleep, "1000"]
logging: { file: ../log/audit-service.log }
EOF
check
assert_eq "$rc" 0 "--check exit code for audit with its own logging.file: $(cat "$T/out/check")"

# 2. logging.file naming the audit log by another spelling, or metrics.textfile
rm "$T/services/audit.yaml"
service web <<EOF
command: [sleep, "1000"]
logging:
  file: ../log/./sub/../audit.log
EOF
service stats <<EOF
command: [sleep, "1000"]
logging: { file: ../out/svd.prom }
EOF
cp "$T/etc/svd.yaml" "$T/svd.yaml.good"
printf 'metrics: { textfile: ../out/svd.prom }\n' >> "$T/etc/svd.yaml"
check
assert_eq "$rc" 1 "--check exit code for logging.file on svd's files"
grep -qF "services/web.yaml:3:9: logging.file: '$T/etc/../log/./sub/../audit.log' is svd's audit log" "$T/out/check" ||
        fail "no error for logging.file = the audit log: $(cat "$T/out/check")"
grep -qF "services/stats.yaml:2:18: logging.file: '$T/etc/../out/svd.prom' is svd's metrics.textfile" "$T/out/check" ||
        fail "no error for logging.file = metrics.textfile: $(cat "$T/out/check")"
rm "$T/services/stats.yaml"
cp "$T/svd.yaml.good" "$T/etc/svd.yaml"

# 3. a reload bringing in a service named audit is refused; nothing moves
service web <<EOF
command: [sleep, "1000"]
EOF
start_svd
wait_state web running
svctl restart web > /dev/null # the audit log has a record of its own
wait_state web running
web1=$(field web pid)
cp "$T/log/audit.log" "$T/out/audit.before"
service audit <<EOF
command: [sh, -c, "echo not-an-audit-record; exec sleep 1000"]
EOF
if svctl reload > "$T/out/r1" 2>&1; then fail "reload with a service named audit succeeded"; fi
grep -qF "services/audit.yaml:1:1: service name 'audit' is reserved" "$T/out/r1" || fail "reload error: $(cat "$T/out/r1")"
grep -q "nothing was changed" "$T/out/r1" || fail "reply does not say nothing changed: $(cat "$T/out/r1")"
kill -HUP "$SVD_PID"
wait_for grep -q "SIGHUP: reload refused" "$T/svd.out"
assert_eq "$(field web pid)" "$web1" "web after a refused reload"
assert_eq "$(field web state)" running "web's state after a refused reload"
[ -z "$(field audit state)" ] || fail "a service named audit appeared after a refused reload"
grep -q not-an-audit-record "$T/log/audit.log" && fail "a service wrote into the audit log"
head -n "$(wc -l < "$T/out/audit.before")" "$T/log/audit.log" | cmp -s - "$T/out/audit.before" ||
        fail "the audit log lost records"
grep -q "op=reload .*result=failed" "$T/log/audit.log" || fail "the refused reload is not audited: $(cat "$T/log/audit.log")"
stop_svd || fail "svd exit status"

# 4. two services on one log file: two logging.file values naming one file
# (by any spelling, or through a symlink), or a logging.file naming another
# service's default <log_dir>/NAME.log. The later logging.file is the error.
rm -f "$T"/services/*.yaml
service web <<EOF
command: [sleep, "1000"]
EOF
service one <<EOF
command: [sleep, "1000"]
logging: { file: ../log/shared.log }
EOF
cp "$T"/services/*.yaml "$T/out/"
service two <<EOF
command: [sleep, "1000"]
logging: { file: ../log/sub/../shared.log }
EOF
ln -s shared.log "$T/log/alias.log"
: > "$T/log/shared.log"
service three <<EOF
command: [sleep, "1000"]
logging: { file: ../log/alias.log }
EOF
service zz <<EOF
command: [sleep, "1000"]
logging: { file: ../log/web.log }
EOF
check
assert_eq "$rc" 1 "--check exit code for two services on one log file"
grep -qF "services/two.yaml:2:18: logging.file: '$T/etc/../log/sub/../shared.log' is also the log file of service 'one' (" "$T/out/check" ||
        fail "no error for two logging.file values naming one file: $(cat "$T/out/check")"
grep -qF "services/three.yaml:2:18: logging.file: '$T/etc/../log/alias.log' is also the log file of service 'one' (" "$T/out/check" ||
        fail "no error for a logging.file symlinked to another's: $(cat "$T/out/check")"
grep -qF "services/zz.yaml:2:18: logging.file: '$T/etc/../log/web.log' is the log file of service 'web' ($T/etc/../log/web.log)" "$T/out/check" ||
        fail "no error for logging.file = another service's default log file: $(cat "$T/out/check")"
grep -qE "services/one\.yaml:[0-9]+:[0-9]+: " "$T/out/check" && fail "the first of two services on one file is reported: $(cat "$T/out/check")"
# a service's own default path, or the default path of a service that moved
# its log elsewhere, is fine
rm "$T"/services/two.yaml "$T"/services/three.yaml
service zz <<EOF
command: [sleep, "1000"]
logging: { file: ../log/zz.log }
EOF
service moved <<EOF
command: [sleep, "1000"]
logging: { file: ../log/moved-elsewhere.log }
EOF
service yy <<EOF
command: [sleep, "1000"]
logging: { file: ../log/moved.log }
EOF
check
assert_eq "$rc" 0 "--check exit code for distinct log files: $(cat "$T/out/check")"

# 5. a reload bringing in a second writer of a running service's log file is
# refused, by svctl reload and by SIGHUP; nothing moves
rm -f "$T"/services/*.yaml
cp "$T"/out/web.yaml "$T"/out/one.yaml "$T/services/"
start_svd
wait_state web running
wait_state one running
web1=$(field web pid)
one1=$(field one pid)
service two <<EOF
command: [sh, -c, "echo second-writer; exec sleep 1000"]
logging: { file: ../log/shared.log }
EOF
if svctl reload > "$T/out/r2" 2>&1; then fail "reload with two services on one log file succeeded"; fi
grep -qF "services/two.yaml:2:18: logging.file: '$T/etc/../log/shared.log' is also the log file of service 'one'" "$T/out/r2" ||
        fail "reload error: $(cat "$T/out/r2")"
grep -q "nothing was changed" "$T/out/r2" || fail "reply does not say nothing changed: $(cat "$T/out/r2")"
kill -HUP "$SVD_PID"
wait_for grep -q "SIGHUP: reload refused" "$T/svd.out"
assert_eq "$(field web pid)" "$web1" "web after a refused reload"
assert_eq "$(field one pid)" "$one1" "one after a refused reload"
assert_eq "$(field one state)" running "one's state after a refused reload"
[ -z "$(field two state)" ] || fail "a second writer of one's log file appeared after a refused reload"
grep -q second-writer "$T/log/shared.log" && fail "a second service wrote into one's log file"
stop_svd || fail "svd exit status"
# 6. a logging.file named like one of another log's rotated files
# (<log>.STAMP, .gz, .gz.tmp) would be compressed or pruned by that log's
# rotation: refused, for another service's logging.file and for a default
# <log_dir>/NAME.log. Names that only look similar are fine.
rm -f "$T"/services/*.yaml
STAMP=20261122T003043.123456Z
sleeper() { # NAME [LOGGING.FILE]
        { echo 'command: [sleep, "1000"]'; [ -z "${2:-}" ] || echo "logging: { file: $2 }"; } > "$T/services/$1.yaml"
}
sleeper pg
sleeper one ../log/shared.log
sleeper sneaky "../log/pg.log.$STAMP.gz"
sleeper two "../log/sub/../shared.log.$STAMP"
sleeper three "../log/pg.log.$STAMP.gz.tmp"
sleeper four "../log/audit.log.$STAMP.gz"
check
assert_eq "$rc" 1 "--check exit code for a logging.file named like a rotated file"
rotated_error() { # FILE LOGGING.FILE WHOSE WHAT
        grep -qF "services/$1.yaml:2:18: logging.file: '$T/etc/$2' is named like a rotated file of $3" "$T/out/check" ||
                fail "no error for $4: $(cat "$T/out/check")"
}
rotated_error sneaky "../log/pg.log.$STAMP.gz" "the log of service 'pg'" "a default log's rotated name"
rotated_error two "../log/sub/../shared.log.$STAMP" "the log of service 'one'" "another logging.file's rotated name"
rotated_error three "../log/pg.log.$STAMP.gz.tmp" "the log of service 'pg'" "a rotated file's compression leftover name"
rotated_error four "../log/audit.log.$STAMP.gz" "svd's audit log" "the audit log's rotated name"
rm "$T"/services/sneaky.yaml "$T"/services/two.yaml "$T"/services/three.yaml "$T"/services/four.yaml
sleeper a1 ../log/pg.log.old
sleeper a2 "../log/ghost.log.$STAMP"
sleeper a3 "../log/../out/shared.log.$STAMP"
check
assert_eq "$rc" 0 "--check exit code for names that are no other log's rotated files: $(cat "$T/out/check")"

# 6. a default <log_dir>/NAME.log that is a link to another service's log
# file: the configuration cannot see it (no look-up per service at boot), so
# the second log to open is refused when its service first starts, with both
# files named, and the first keeps its file alone.
rm -f "$T"/services/*.yaml "$T"/log/*
sleeper owner ../log/shared.log
printf 'command: [sh, -c, "echo from-linked; sleep 1000"]\ndepends_on: { owner: { condition: started } }\nrestart: "no"\n' \
        > "$T/services/linked.yaml"
ln -s shared.log "$T/log/linked.log"
check
assert_eq "$rc" 0 "--check exit code with a linked default log: $(cat "$T/out/check")"
start_svd
wait_state owner running
wait_state linked failed
why=$(field linked reason)
case "$why" in
*"log file $T/etc/../log/linked.log is the log file of service 'owner' ($T/etc/../log/shared.log), through a link: two logs cannot share a file"*) ;;
*) fail "linked: reason '$why'" ;;
esac
! grep -q from-linked "$T/log/shared.log" || fail "the linked service ran and wrote into owner's log"
[ -L "$T/log/linked.log" ] || fail "the link was replaced"
stop_svd || fail "svd exit status"
# the other order: the link's service first, then the file's own
printf 'command: [sleep, "1000"]\n' > "$T/services/linked.yaml"
printf 'command: [sleep, "1000"]\nlogging: { file: ../log/shared.log }\ndepends_on: { linked: { condition: started } }\nrestart: "no"\n' \
        > "$T/services/owner.yaml"
start_svd
wait_state linked running
wait_state owner failed
why=$(field owner reason)
case "$why" in
*"log file $T/etc/../log/shared.log is the log file of service 'linked' ($T/etc/../log/linked.log), through a link"*) ;;
*) fail "owner: reason '$why'" ;;
esac
stop_svd || fail "svd exit status"
echo "log_reserved: ok"

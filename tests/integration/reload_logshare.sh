#!/bin/bash
# A reload whose new generation would have two logs in one file on disk (a
# service's default <log_dir>/NAME.log a symbolic or hard link to another
# service's log, or to svd's audit log) is refused, naming both files, and
# the running generation and services stay as they were. A default log
# that is a link to a file no other log uses is fine.
. "$(dirname "$0")/lib.sh"

service a <<EOF
command: [sh, -c, "while :; do echo tick-a; sleep 0.2; done"]
EOF
service c <<EOF
command: [sleep, "1000"]
EOF
start_svd
wait_state a running
wait_state c running
wait_for test -s "$T/log/a.log"
a1=$(field a pid) c1=$(field c pid)

# refused SERVICE WANT: `svctl reload` fails naming WANT, nothing changes
refused() {
        if svctl reload > "$T/out/r" 2>&1; then fail "reload with $1's log shared succeeded: $(cat "$T/out/r")"; fi
        grep -qF "$2" "$T/out/r" || fail "$1: want '$2', got: $(cat "$T/out/r")"
        grep -q "nothing was changed" "$T/out/r" || fail "reply does not say nothing changed: $(cat "$T/out/r")"
        [ -z "$(field "$1" state)" ] || fail "$1 appeared after a refused reload"
        assert_eq "$(field a pid)" "$a1" "a after a refused reload"
        assert_eq "$(field c pid)" "$c1" "c after a refused reload"
}

# 1. a new service whose default log is a symbolic link to a's log
ln -s a.log "$T/log/b.log"
service b <<EOF
command: [sh, -c, "while :; do echo tick-b; sleep 0.2; done"]
EOF
refused b "services/b.yaml:1:1: the log file $T/log/b.log of service 'b' is the log file of service 'a' ($T/log/a.log) through a symbolic link"
# SIGHUP too, and a dry run
kill -HUP "$SVD_PID"
wait_for grep -q "SIGHUP: reload refused" "$T/svd.out"
grep -q "b.yaml:1:1: the log file .*b.log of service 'b' is the log file of service 'a'" "$T/svd.out" ||
        fail "SIGHUP's refusal does not name the shared log: $(cat "$T/svd.out")"
if svctl reload --dry-run > "$T/out/r" 2>&1; then fail "dry run with a shared log passed"; fi
[ -z "$(field b state)" ] || fail "b appeared after a refused SIGHUP"
# a's log is still a's alone: nothing of b was written into it
sleep 0.5
grep -q tick-b "$T/log/a.log" && fail "b wrote into a's log"
grep -q tick-a "$T/log/a.log" || fail "a's log lost its lines"

# 2. the link the other way round: a's file is the link (b's log is the
# file), so a restarted a would write into b's log: refused as well
rm "$T/log/b.log"
printf 'x\n' > "$T/log/b.log"
mv "$T/log/a.log" "$T/log/a.keep"
ln -s b.log "$T/log/a.log"
refused b "the log file $T/log/a.log of service 'a' is the log file of service 'b' ($T/log/b.log) through a symbolic link"
rm "$T/log/a.log"
mv "$T/log/a.keep" "$T/log/a.log"

# 3. a hard link to a's log
rm "$T/log/b.log"
ln "$T/log/a.log" "$T/log/b.log"
refused b "is the log file of service 'a' ($T/log/a.log) through a hard link"

# 4. a link to svd's audit log
rm "$T/log/b.log"
wait_for test -e "$T/log/audit.log"
ln -s audit.log "$T/log/b.log"
refused b "the log file $T/log/b.log of service 'b' is svd's audit log ($T/log/audit.log) through a symbolic link"

# 5. an explicit logging.file that is a link to b's default log
rm "$T/log/b.log"
mkdir -p "$T/elsewhere"
printf 'x\n' > "$T/log/b.log"
ln -s "$T/log/b.log" "$T/elsewhere/c.log"
service c <<EOF
command: [sleep, "1000"]
logging: { file: $T/elsewhere/c.log }
EOF
if svctl reload > "$T/out/r" 2>&1; then fail "reload with c's logging.file on b's log succeeded"; fi
grep -q "services/c.yaml:2:[0-9]*: logging.file: .* is the log file of service 'b'" "$T/out/r" ||
        fail "c's logging.file clash not named: $(cat "$T/out/r")"
assert_eq "$(field c pid)" "$c1" "c after a refused reload"

# 6. a link to a file no other log uses is fine: the reload goes through
service c <<EOF
command: [sleep, "1000"]
EOF
rm "$T/log/b.log" "$T/elsewhere/c.log"
ln -s "$T/elsewhere/b-real.log" "$T/log/b.log"
: > "$T/elsewhere/b-real.log"
svctl reload > "$T/out/r" 2>&1 || fail "reload with b's own linked log refused: $(cat "$T/out/r")"
wait_state b running
wait_for grep -q tick-b "$T/elsewhere/b-real.log"
assert_eq "$(field a pid)" "$a1" "a after the reload"
assert_eq "$(field c pid)" "$c1" "c after the reload"
grep -q tick-b "$T/log/a.log" && fail "b wrote into a's log"

# 7. a link planted in a log directory other users can write (here
# group-writable, as a distribution's /var/log may be): svd never follows
# it there (the open is refused, safedir), so it shares nothing, and whoever
# planted it must not be able to veto every reload
chmod g+w "$T/log"
ln -s a.log "$T/log/d.log"
service d <<EOF
command: [sh, -c, "while :; do echo tick-d; sleep 0.2; done"]
EOF
svctl reload > "$T/out/r" 2>&1 || fail "reload refused for a link svd would not follow: $(cat "$T/out/r")"
wait_state d running
wait_for grep -q "d: cannot open the log file .*/d.log: a symbolic link" "$T/svd.out"
sleep 0.5
grep -q tick-d "$T/log/a.log" && fail "d wrote into a's log"
[ -L "$T/log/d.log" ] || fail "the planted link was not left as it was"
assert_eq "$(field a pid)" "$a1" "a after the reload"

# 8. the same through logging.file, in a directory a service's user owns:
# the link it planted there to another service's log makes neither the
# configuration invalid (at a reload, or at svd's next start) nor the
# reload refused
if id nobody > /dev/null 2>&1; then
        mkdir "$T/ulog"
        chown nobody "$T/ulog"
        ln -s "$T/log/a.log" "$T/ulog/e.log"
        chown -h nobody "$T/ulog/e.log"
        service e <<EOF
command: [sh, -c, "while :; do echo tick-e; sleep 0.2; done"]
logging: { file: $T/ulog/e.log }
EOF
        "$SVD" --check -c "$T/etc/svd.yaml" > "$T/out/check" 2>&1 ||
                fail "--check refused a link in a user's log directory: $(cat "$T/out/check")"
        svctl reload > "$T/out/r" 2>&1 || fail "reload refused for a link in a user's log directory: $(cat "$T/out/r")"
        wait_state e running
        wait_for grep -q "e: cannot open the log file $T/ulog/e.log: a symbolic link" "$T/svd.out"
        sleep 0.5
        grep -q tick-e "$T/log/a.log" && fail "e wrote into a's log"
        assert_eq "$(field a pid)" "$a1" "a after the reload"
fi
echo "reload_logshare: ok"

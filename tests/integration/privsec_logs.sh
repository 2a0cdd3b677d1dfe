#!/bin/bash
# A service user who owns its log directory cannot make root svd write,
# read, truncate or compress a file the user could not touch: the current
# log, a rotated generation and the NAME.gz.tmp name, each replaced by a
# symbolic (or hard) link to a root-only file outside, are refused with a
# warning naming the file, the root-only files are left exactly as they were,
# the service keeps running, and with on_full: block none of its lines is
# lost while its file is refused (they wait in the pipe and are written once
# the link is gone).
. "$(dirname "$0")/lib.sh"
id nobody > /dev/null 2>&1 || { echo "no user nobody"; exit 77; }
as_nobody() { setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups "$@"; }

printf 'root secret\n' > "$T/secret"
printf 'other secret\n' > "$T/secret2"
chmod 600 "$T/secret" "$T/secret2"
# size, owner, mode, links, modification and change times, content
snap() { stat -c '%s %u %g %a %h %Y %Z' "$T/secret" "$T/secret2"; sha256sum "$T/secret" "$T/secret2"; }

D="$T/ulog"
mkdir "$D"
chown nobody "$D"
# rotated generations already there at start (svd compresses them):
# two large ones that keep both gzip slots busy, a small one whose
# NAME.gz.tmp is planted while it waits, a symbolic and a hard link
G=u.log.20200101T00000
head -c 40M /dev/urandom > "$D/${G}1.000000Z"
head -c 40M /dev/urandom > "$D/${G}2.000000Z"
echo "g3 content" > "$D/${G}3.000000Z"
chown nobody "$D/${G}1.000000Z" "$D/${G}2.000000Z" "$D/${G}3.000000Z"
as_nobody ln -s "$T/secret" "$D/${G}4.000000Z"
ln "$T/secret2" "$D/${G}5.000000Z" # (what protected_hardlinks=0 would let nobody do)
# and the current log: a link to the secret
as_nobody ln -s "$T/secret" "$D/u.log"
before=$(snap)

service u <<EOF
user: nobody
command: ["sh", "-c", "i=0; while :; do echo \"line \$i\"; i=\$((i+1)); sleep 0.01; done"]
logging: { file: $D/u.log, max_size: 4K, max_files: 100, compress: true, on_full: block }
EOF
start_svd
wait_state u running
pid=$(field u pid)
wait_for grep -q "u: cannot open the log file $D/u.log: a symbolic link in a directory a user other than root can write" "$T/svd.out"

# NAME.gz.tmp planted while the small generation waits for a gzip slot
wait_for test -e "$D/${G}1.000000Z.gz.tmp"
[ -e "$D/${G}3.000000Z" ] || fail "g3 compressed before both large ones ended"
as_nobody ln -s "$T/secret" "$D/${G}3.000000Z.gz.tmp"
wait_for test -e "$D/${G}3.000000Z.gz"
[ "$(gzip -dc "$D/${G}3.000000Z.gz")" = "g3 content" ] || fail "g3: wrong archive"
wait_for grep -q "logs: cannot read $D/${G}4.000000Z to compress it: a symbolic link" "$T/svd.out"
wait_for grep -q "logs: cannot read $D/${G}5.000000Z to compress it: a file with other hard links" "$T/svd.out"
[ -L "$D/${G}4.000000Z" ] || fail "the planted link was not left as it was"
[ ! -e "$D/${G}4.000000Z.gz" ] && [ ! -e "$D/${G}5.000000Z.gz" ] || fail "a link was compressed"
assert_eq "$(snap)" "$before" "the root-only files after startup"

# the link goes: the held lines are written to a new file of svd's
as_nobody rm "$D/u.log"
wait_for test -s "$D/u.log"
[ ! -L "$D/u.log" ] || fail "u.log is a link"
# it rotates and compresses as usual
wait_for sh -c "ls '$D' | grep -v 2020 | grep -q '^u\\.log\\..*Z\\.gz\$'"

# the current file swapped for a link while svd has it open: svd writes on
# to what it opened, the rotation renames the link (it is not followed), a
# new file takes the name, and the link generation is not compressed
as_nobody sh -c "mv '$D/u.log' '$D/u.cur' && ln -s '$T/secret' '$D/u.log'"
wait_for sh -c "[ -n \"\$(find '$D' -maxdepth 1 -type l -name 'u.log.*Z' ! -name '*2020*')\" ]"
wait_for sh -c "[ -f '$D/u.log' ] && [ ! -L '$D/u.log' ]"
assert_eq "$(snap)" "$before" "the root-only files after a rotation of a link"

# reopen-logs (what an external log tool asks for) meets a link: refused
as_nobody sh -c "mv '$D/u.log' '$D/u.moved' && ln -s '$T/secret' '$D/u.log'"
svctl reopen-logs > /dev/null 2>&1 && fail "reopen-logs succeeded on a link"
grep -q "u: cannot reopen the log file $D/u.log: a symbolic link" "$T/svd.out" || fail "no reopen warning"
sleep 0.5
assert_eq "$(snap)" "$before" "the root-only files after reopen-logs"
as_nobody rm "$D/u.log"
wait_for test -s "$D/u.log"

# the service ran throughout, and every line it wrote is in a file
assert_eq "$(field u pid)" "$pid" "the service's pid"
assert_eq "$(field u state)" running "the service's state"
wait_for sh -c "! ls '$D' | grep -q 'gz\\.tmp\$'"
stop_svd || fail "svd exit status"
for f in "$D"/*; do
        case "$f" in *2020*|*.tmp) continue ;; esac
        [ -L "$f" ] && continue
        gzip -dcf "$f"
done | sed -n 's/.* line \([0-9]*\)$/\1/p' | python3 -c '
import sys
n = sorted(int(x) for x in sys.stdin)
if not n or n != list(range(len(n))):
    missing = sorted(set(range(n[-1] + 1)) - set(n)) if n else []
    sys.exit("%d lines, missing %s" % (len(n), missing[:20]))
' || fail "lines lost or repeated"
assert_eq "$(snap)" "$before" "the root-only files at the end"

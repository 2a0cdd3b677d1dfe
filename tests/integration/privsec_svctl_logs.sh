#!/bin/bash
# svctl logs, run as root, reads the log files of a service whose user
# (nobody) owns its log directory as svd reaches them: rotated generations
# that user planted there (a symbolic link to a root-only file, plain or
# .gz, a hard link to one, a FIFO, a sparse file of gigabytes) are skipped,
# each with one warning on stderr naming it; no root-only content is
# printed, svctl does not hang, and the service's own lines and its genuine
# generations (plain and .gz) are still shown, with and without -f. The
# current log swapped for a link is skipped the same way.
. "$(dirname "$0")/lib.sh"
id nobody > /dev/null 2>&1 || { echo "no user nobody"; exit 77; }
as_nobody() { setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups "$@"; }

printf 'ROOT-ONLY-SECRET-1\n' > "$T/secret"
printf 'ROOT-ONLY-SECRET-2\n' > "$T/secret2"
printf 'ROOT-ONLY-SECRET-3\n' | gzip > "$T/secret.gz"
chmod 600 "$T/secret" "$T/secret2" "$T/secret.gz"

D="$T/ulog"
mkdir "$D"
chown nobody "$D"
G=u.log.20200101T00000
as_nobody sh -c "echo 'genuine plain generation' > '$D/${G}1.000000Z'"
as_nobody sh -c "echo 'genuine gz generation' | gzip > '$D/${G}2.000000Z.gz'"
as_nobody ln -s "$T/secret" "$D/${G}3.000000Z"
as_nobody ln -s "$T/secret.gz" "$D/${G}4.000000Z.gz"
ln "$T/secret2" "$D/${G}5.000000Z" # (what protected_hardlinks=0 would let nobody do)
as_nobody mkfifo "$D/${G}6.000000Z"
as_nobody truncate -s 4G "$D/${G}7.000000Z"
# (where the filesystem keeps no holes, svctl would read 4G of zeros)
python3 -c 'import os, sys; fd = os.open(sys.argv[1], os.O_RDONLY); sys.exit(os.lseek(fd, 0, os.SEEK_HOLE) != 0)' \
        "$D/${G}7.000000Z" || { echo "no sparse files on this filesystem"; exit 77; }

service u <<EOF
user: nobody
command: ["sh", "-c", "i=0; while :; do echo \"svc line \$i\"; i=\$((i+1)); sleep 0.05; done"]
logging: { file: $D/u.log, max_files: 100, compress: false }
EOF
start_svd
wait_state u running
wait_for grep -q 'svc line 3$' "$D/u.log"

# every planted generation is in svd's list: svctl meets each one
check_out() { # $1: what ran; stdout in $T/so, stderr in $T/se
        grep -q ROOT-ONLY "$T/so" "$T/se" && fail "$1: root-only content printed"
        grep -q '^genuine plain generation$' "$T/so" || fail "$1: the plain generation is missing"
        grep -q '^genuine gz generation$' "$T/so" || fail "$1: the .gz generation is missing"
        grep -q ' svc line 3$' "$T/so" || fail "$1: the service's lines are missing"
        grep -qF "svctl: $D/${G}3.000000Z: skipped, a symbolic link in a directory a user other than root can write" "$T/se" ||
                fail "$1: no warning for the symbolic link"
        grep -qF "svctl: $D/${G}4.000000Z.gz: skipped, a symbolic link" "$T/se" ||
                fail "$1: no warning for the .gz symbolic link"
        grep -qF "svctl: $D/${G}5.000000Z: skipped, a file with other hard links" "$T/se" ||
                fail "$1: no warning for the hard link"
        grep -qF "svctl: $D/${G}6.000000Z: skipped, not a regular file" "$T/se" ||
                fail "$1: no warning for the FIFO"
        grep -qF "svctl: $D/${G}7.000000Z: skipped, a file with holes" "$T/se" ||
                fail "$1: no warning for the sparse file"
        assert_eq "$(grep -c skipped "$T/se")" 5 "$1: warnings"
        assert_eq "$(wc -l < "$T/se")" 5 "$1: stderr lines"
}

rc=0
timeout 20 "$SVCTL" -s "$SOCK" logs u > "$T/so" 2> "$T/se" || rc=$?
[ "$rc" = 124 ] && fail "svctl logs hung"
assert_eq "$rc" 1 "svctl logs exit status with files skipped"
check_out "svctl logs"

# all services, merged by time: the same files
rc=0
timeout 20 "$SVCTL" -s "$SOCK" logs > "$T/so" 2> "$T/se" || rc=$?
[ "$rc" = 124 ] && fail "svctl logs (all) hung"
sed -i 's/^u //' "$T/so"
check_out "svctl logs (all)"

# -f: the history, then new lines as they come
rc=0
timeout 3 "$SVCTL" -s "$SOCK" logs u -f -n 100000 > "$T/so" 2> "$T/se" || rc=$?
assert_eq "$rc" 124 "svctl logs -f still following after 3s"
check_out "svctl logs -f"
last=$(grep -c ' svc line ' "$T/so")
[ "$last" -gt 3 ] || fail "svctl logs -f: no lines"

# the current log swapped for a link to a root-only file: skipped too (svd
# refuses it as well, and holds the service's lines back meanwhile)
as_nobody sh -c "mv '$D/u.log' '$D/u.moved' && ln -s '$T/secret' '$D/u.log'"
rc=0
timeout 20 "$SVCTL" -s "$SOCK" logs u > "$T/so" 2> "$T/se" || rc=$?
[ "$rc" = 124 ] && fail "svctl logs hung (current file a link)"
grep -q ROOT-ONLY "$T/so" "$T/se" && fail "current file a link: root-only content printed"
grep -qF "svctl: $D/u.log: skipped, a symbolic link" "$T/se" || fail "no warning for the current file"
grep -q '^genuine plain generation$' "$T/so" || fail "current file a link: the plain generation is missing"
rc=0
timeout 3 "$SVCTL" -s "$SOCK" logs u -f > "$T/so" 2> "$T/se" || rc=$?
assert_eq "$rc" 124 "svctl logs -f (current file a link) still following after 3s"
grep -q ROOT-ONLY "$T/so" "$T/se" && fail "-f, current file a link: root-only content printed"
grep -qF "svctl: $D/u.log: skipped, a symbolic link" "$T/se" || fail "-f: no warning for the current file"

# nothing was changed on the way
assert_eq "$(cat "$T/secret")" "ROOT-ONLY-SECRET-1" "the root-only file"
[ -p "$D/${G}6.000000Z" ] || fail "the FIFO is gone"
stop_svd || fail "svd exit status"

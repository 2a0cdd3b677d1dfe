#!/bin/bash
# metrics.textfile in a directory a service user owns (node_exporter's, say):
# that user cannot make root svd truncate, chmod or replace a root-only file
# through a symbolic or hard link planted as NAME.tmp, nor write or delete
# in another directory through a link planted in place of the directory.
# A FIFO as NAME.tmp is refused without svd waiting on it. The root-only
# files stay exactly as they were; svd writes the metrics again once the
# plant is gone.
. "$(dirname "$0")/lib.sh"
id nobody > /dev/null 2>&1 || { echo "no user nobody"; exit 77; }
as_nobody() { setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups "$@"; }

printf 'root secret\n' > "$T/secret"
printf 'other secret\n' > "$T/secret2"
mkdir "$T/rootdir"
printf 'keep\n' > "$T/rootdir/a.prom"
chmod 600 "$T/secret" "$T/secret2" "$T/rootdir/a.prom"
U="$T/u"
mkdir -p "$U/prom"
chown nobody "$U" "$U/prom"
P="$U/prom/a.prom"
as_nobody ln -s "$T/secret" "$P.tmp"
# size, owner, mode, modification time, content (the hard link below
# changes secret2's link count and change time itself)
snap() {
        stat -c '%s %u %g %a %Y' "$T/secret" "$T/secret2" "$T/rootdir/a.prom"
        sha256sum "$T/secret" "$T/secret2" "$T/rootdir/a.prom"
        ls -A "$T/rootdir"
}
before=$(snap)

service web <<EOF
command: [sleep, "1000"]
EOF
cat >> "$T/etc/svd.yaml" <<EOF
metrics: { textfile: $P, interval: 1s }
EOF
up_in() { grep -q '^svd_service_up{service="web",slice=""} 1$' "$1" 2>/dev/null; }
start_svd
wait_state web running
# a symbolic link as NAME.tmp: removed (the link only), the file written anew
wait_for up_in "$P"
[ -f "$P" ] && [ ! -L "$P" ] || fail "a.prom is not a regular file"
assert_eq "$(stat -c '%u %a %h' "$P")" "0 644 1" "a.prom owner, mode, links"
assert_eq "$(snap)" "$before" "the root-only files after a link as a.prom.tmp"

# a hard link as NAME.tmp (what protected_hardlinks=0 would let nobody do)
rm "$P"
ln "$T/secret2" "$P.tmp"
wait_for up_in "$P"
assert_eq "$(snap)" "$before" "the root-only files after a hard link as a.prom.tmp"

# a FIFO as NAME.tmp: refused, never opened (svd does not hang)
as_nobody mkfifo "$P.tmp"
wait_for grep -q "metrics: cannot write $P (through $P.tmp): not a regular file" "$T/svd.out"
svctl status > /dev/null || fail "svd does not answer"
as_nobody rm "$P.tmp"
wait_for grep -q "metrics: writing $P again" "$T/svd.out"

# the directory replaced by a link to a root-only one: not followed
as_nobody sh -c "mv '$U/prom' '$U/prom.old' && ln -s '$T/rootdir' '$U/prom'"
wait_for grep -q "metrics: cannot write $P (through $P.tmp): a symbolic link in a directory a user other than root can write" "$T/svd.out"
sleep 0.5
assert_eq "$(snap)" "$before" "the root-only files after the directory became a link"
stop_svd || fail "svd exit status"
# svd's exit removes the textfile: not through the link
assert_eq "$(snap)" "$before" "the root-only files after svd's exit"

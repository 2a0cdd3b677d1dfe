#!/bin/bash
# env_file in a directory the service's user owns: root svd reads it, so a
# symbolic or hard link planted there to a root-only file would put that
# file into the user's environment. Refused (the service fails to start,
# with a reason naming the file), as are a FIFO (never waited on), a file
# over 2 MiB and a NUL byte (named with its line). A plain file there works,
# and so does a link an administrator made in a root-only directory.
. "$(dirname "$0")/lib.sh"
id nobody > /dev/null 2>&1 || { echo "no user nobody"; exit 77; }
as_nobody() { setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups "$@"; }

printf 'SECRET=rootonly\n' > "$T/secret.env"
chmod 600 "$T/secret.env"
U="$T/u"
mkdir "$U"
chown nobody "$U"
as_nobody ln -s "$T/secret.env" "$U/sym.env"
ln "$T/secret.env" "$U/hard.env" # (what protected_hardlinks=0 would let nobody do)
as_nobody mkfifo "$U/fifo.env"
as_nobody sh -c "head -c 3M /dev/zero | tr '\\0' x | sed 's/^/A=/' > '$U/big.env'"
as_nobody sh -c "printf 'A=1\\n# two\\nB=x\\0y\\n' > '$U/nul.env'"
as_nobody sh -c "printf 'FROM_USER=yes\\n' > '$U/ok.env'"
mkdir "$T/admin"
printf 'FROM_ADMIN=yes\n' > "$T/admin/real.env"
ln -s real.env "$T/admin/link.env"

for n in sym hard fifo big nul ok; do
        service "$n" <<EOF
user: nobody
command: [sh, -c, 'env > $T/out/$n; exec sleep 1000']
env_file: $U/$n.env
restart: "no"
EOF
done
service admin <<EOF
user: nobody
command: [sh, -c, 'env > $T/out/admin; exec sleep 1000']
env_file: $T/admin/link.env
restart: "no"
EOF
start_svd
wait_state ok running
wait_state admin running
wait_for test -s "$T/out/ok"
grep -qx FROM_USER=yes "$T/out/ok" || fail "ok: env_file not read"
wait_for test -s "$T/out/admin"
grep -qx FROM_ADMIN=yes "$T/out/admin" || fail "admin: a root's link not followed"

refused() {
        wait_state "$1" failed
        grep -qF "$1: $2" "$T/svd.out" || fail "$1: no reason '$2'"
        [ ! -e "$T/out/$1" ] || fail "$1 started"
}
refused sym "env_file: $U/sym.env: a symbolic link in a directory a user other than root can write"
refused hard "env_file: $U/hard.env: a file with other hard links in a directory a user other than root can write"
refused fifo "env_file: $U/fifo.env: not a regular file"
refused big "env_file: $U/big.env: 3145730 bytes, more than the 2 MiB an env_file may hold"
refused nul "env_file: $U/nul.env:3: a NUL byte"
grep -rq rootonly "$T/out" && fail "the root-only file reached a service"
svctl status > /dev/null || fail "svd does not answer"
echo "privsec_env: ok"

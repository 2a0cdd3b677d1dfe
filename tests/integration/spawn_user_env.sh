#!/bin/bash
# The login variables a service with user: gets, as systemd sets them for a
# unit with User=: USER, LOGNAME, HOME and SHELL, the last two from the
# user's passwd entry. SHELL was missing: a service that starts a shell for
# its user (or a tool that reads $SHELL) fell back to its own guess. A
# numeric user without a passwd entry gets no HOME and no SHELL, a service
# without user: none of the four.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "needs root (user:)"; exit 77; }
id -u nobody > /dev/null 2>&1 || { echo "no user nobody"; exit 77; }
! getent passwd 4242 > /dev/null || { echo "uid 4242 has a passwd entry here"; exit 77; }
dump_env() { echo "[/bin/sh, -c, 'env > $T/out/$1.tmp && mv $T/out/$1.tmp $T/out/$1.env']"; }
for u in nobody root; do
        service "$u" <<EOF
type: oneshot
restart: "no"
user: $u
allow_root: true
command: $(dump_env "$u")
EOF
done
service num <<EOF
type: oneshot
restart: "no"
user: "4242"
group: "4242"
command: $(dump_env num)
EOF
service none <<EOF
type: oneshot
restart: "no"
allow_root: true
command: $(dump_env none)
EOF
start_svd
for s in nobody root num none; do wait_for test -s "$T/out/$s.env"; done
val() { sed -n "s|^$2=||p" "$T/out/$1.env"; }
for u in nobody root; do
        pw=$(getent passwd "$u")
        home=$(echo "$pw" | cut -d: -f6)
        shell=$(echo "$pw" | cut -d: -f7)
        [ -n "$shell" ] || shell=/bin/sh
        assert_eq "$(val "$u" USER)" "$u" "$u: USER"
        assert_eq "$(val "$u" LOGNAME)" "$u" "$u: LOGNAME"
        assert_eq "$(val "$u" HOME)" "$home" "$u: HOME"
        assert_eq "$(val "$u" SHELL)" "$shell" "$u: SHELL"
done
assert_eq "$(val num USER)" 4242 "num: USER"
! grep -q '^\(HOME\|SHELL\)=' "$T/out/num.env" || fail "num: $(grep '^\(HOME\|SHELL\)=' "$T/out/num.env")"
! grep -q '^\(USER\|LOGNAME\|HOME\|SHELL\)=' "$T/out/none.env" || fail "none: $(grep '^\(USER\|LOGNAME\|HOME\|SHELL\)=' "$T/out/none.env")"
stop_svd || fail "svd exit status"
echo "spawn_user_env: ok"

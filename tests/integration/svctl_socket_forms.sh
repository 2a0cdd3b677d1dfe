#!/bin/bash
# svctl_socket_forms: every command takes the control socket in each form
# svctl(8) documents (-s SOCKET, -sSOCKET, --socket SOCKET, --socket=SOCKET),
# also those with options of their own (logs, metrics, events, top, secret);
# $SVD_SOCKET points elsewhere, so an ignored option would show. An empty
# SOCKET is a usage error (2, nothing sent) for each of them, and so is a
# SOCKET joined to -s without a '/' ("-status" is not "-s tatus").
. "$(dirname "$0")/lib.sh"

service sleeper <<'YAML'
command: [sleep, "100000"]
YAML
start_svd
wait_state sleeper running
export SVD_SOCKET="$T/nothing-here.sock"

cmds=("status" "version" "metrics" "events" "logs sleeper" "top -n 1 -d 0.1" "secret list")
for c in "${cmds[@]}"; do
        for form in "-s $SOCK" "-s$SOCK" "--socket $SOCK" "--socket=$SOCK"; do
                rc=0
                # shellcheck disable=SC2086 # words on purpose
                "$SVCTL" $form $c > "$T/so" 2> "$T/se" || rc=$?
                [ "$rc" = 0 ] || fail "svctl $form $c: exit $rc: $(cat "$T/se")"
                # the option after the command too
                rc=0
                # shellcheck disable=SC2086
                "$SVCTL" $c $form > "$T/so" 2> "$T/se" || rc=$?
                [ "$rc" = 0 ] || fail "svctl $c $form: exit $rc: $(cat "$T/se")"
        done
        rc=0
        # shellcheck disable=SC2086
        "$SVCTL" $c --socket= > "$T/so" 2> "$T/se" || rc=$?
        [ "$rc" = 2 ] || fail "svctl $c --socket=: exit $rc, expected 2: $(cat "$T/se")"
        grep -q "SOCKET path is empty" "$T/se" || fail "svctl $c --socket=: $(cat "$T/se")"
done

# joined to -s, a SOCKET without a '/' is a mistyped command or option
# ("-status" was read as -s tatus): refused, nothing sent; one with a '/'
# is a path, also a relative one
for c in "${cmds[@]}"; do
        for w in -status -stop -sleeper; do
                rc=0
                # shellcheck disable=SC2086
                "$SVCTL" $w $c > "$T/so" 2> "$T/se" || rc=$?
                [ "$rc" = 2 ] && grep -qF "unknown option '$w'" "$T/se" ||
                        fail "svctl $w $c: exit $rc, expected 2: $(cat "$T/se")"
        done
        rc=0
        # shellcheck disable=SC2086
        (cd "$T/run" && "$SVCTL" -s./control.sock $c) > "$T/so" 2> "$T/se" || rc=$?
        [ "$rc" = 0 ] || fail "svctl -s./control.sock $c: exit $rc: $(cat "$T/se")"
done
rc=0
"$SVCTL" -status > "$T/so" 2> "$T/se" || rc=$?
[ "$rc" = 2 ] && grep -qF -- "-s./tatus" "$T/se" || fail "svctl -status: exit $rc: $(cat "$T/se")"
echo ok

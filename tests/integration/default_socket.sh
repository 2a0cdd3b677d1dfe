#!/bin/bash
# default_socket: svctl's default control socket is the one svd opens when
# the main file names neither run_dir nor control_socket. Both come from
# configure's runstatedir (RUNSTATEDIR/svd/control.sock): svd --check prints
# svd's (and the default state and log dirs, from configure's localstatedir);
# svctl --help names svctl's, and every svctl entry point that opens
# the socket itself (status, logs, metrics, top, secret) tries exactly that
# path without -s and $SVD_SOCKET.
set -euo pipefail
: "${SVD:?}" "${SVCTL:?}"
W=$(mktemp -d /tmp/svd-sock.XXXXXX)
trap 'rm -rf "$W"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

printf '# nothing set: every path at its built-in default\n' > "$W/svd.yaml"
"$SVD" --check -c "$W/svd.yaml" > "$W/check.out" 2>&1 || fail "svd --check: $(cat "$W/check.out")"
sock=$(sed -n 's/^control socket: //p' "$W/check.out")
[ -n "$sock" ] || fail "svd --check does not print the control socket: $(cat "$W/check.out")"
case $sock in
/*/svd/control.sock) ;;
*) fail "svd's default control socket '$sock' is not RUNSTATEDIR/svd/control.sock" ;;
esac
# the configured runstatedir, when the build tree's Makefile has it literally
rs=$(sed -n 's/^runstatedir = //p' "${TOP_BUILDDIR:-/nonexistent}/Makefile" 2>/dev/null || true)
if [ -n "$rs" ] && [ "${rs#*\$}" = "$rs" ]; then
        [ "$sock" = "$rs/svd/control.sock" ] || fail "svd's default control socket '$sock', runstatedir is '$rs'"
fi

# state_dir and log_dir: configure's localstatedir + /lib/svd and /log/svd
ls=$(sed -n 's/^localstatedir = //p' "${TOP_BUILDDIR:-/nonexistent}/Makefile" 2>/dev/null || true)
[ -n "$ls" ] && [ "${ls#*\$}" = "$ls" ] || ls=/var # a plain ./configure's
grep -qx "state: $ls/lib/svd, logs: $ls/log/svd, runtime files: ${sock%/control.sock}" "$W/check.out" ||
        fail "svd --check: default state/log/run dirs (localstatedir '$ls'): $(cat "$W/check.out")"

"$SVCTL" --help | grep -qF -- "(default: \$SVD_SOCKET, else $sock)" ||
        fail "svctl --help: $("$SVCTL" --help | grep -e '--socket')"

# where svctl connects by default (only while no svd listens there: on a
# host running one, svctl would simply reach it)
if [ -e "$sock" ]; then
        echo "default_socket: $sock exists here: connection attempts not checked"
else
        for c in status "logs web" metrics top "secret list"; do
                rc=0
                env -u SVD_SOCKET "$SVCTL" $c < /dev/null > "$W/out" 2>&1 || rc=$?
                [ "$rc" = 3 ] || fail "svctl $c: exit $rc, expected 3: $(cat "$W/out")"
                grep -qF -- " $sock:" "$W/out" || fail "svctl $c did not try $sock: $(cat "$W/out")"
        done
fi
echo "default_socket: svd and svctl agree on $sock"

# Shared helpers for the integration tests: each test gets its own temporary
# tree (config, services, state, logs, control socket), a real svd, and
# svctl. Waits poll svctl with a deadline instead of sleeping blindly.
set -eu

: "${SVD:?SVD must point at the svd binary}"
: "${SVCTL:?SVCTL must point at the svctl binary}"

# A test that mounts something (a small tmpfs to fill up, a file bound over
# one of /proc's) sets SVD_PRIVATE_MOUNTS=1 before sourcing this file: it
# runs again in a mount namespace of its own, so no mount of it reaches the
# host, and tmpfs_at's mounts are undone by cleanup, also after a failure.
if [ -n "${SVD_PRIVATE_MOUNTS:-}" ] && [ -z "${SVD_IN_NS:-}" ]; then
        unshare --mount --propagation private true 2>/dev/null || { echo "unshare --mount not permitted"; exit 77; }
        exec unshare --mount --propagation private env SVD_IN_NS=1 bash "$0" "$@"
fi
MOUNTS=

T=$(mktemp -d /tmp/svd-it.XXXXXX)
chmod 755 "$T"
mkdir -p "$T/etc" "$T/services" "$T/cgroups" "$T/out"
chmod 777 "$T/out"
SOCK="$T/run/control.sock"
SVD_PID=
FAKE=   # fctl's fake svd
FSOCK="$T/fake.sock"
export SVD_SOCKET="$SOCK"

cat > "$T/etc/svd.yaml" <<EOF2
services_dir: ../services
slices_dir: ../cgroups
state_dir: ../state
log_dir: ../log
run_dir: ../run
defaults:
  backoff: { initial: 100ms, max: 2s }
EOF2

fail() { echo "FAIL: $*" >&2; dump; exit 1; }
dump() {
        echo "--- svd output ---" >&2; cat "$T/svd.out" >&2 2>/dev/null || true
        for f in "$T"/log/*.log; do [ -f "$f" ] && { echo "--- $f ---" >&2; tail -n 20 "$f" >&2; }; done
        return 0
}
cleanup() {
        [ -z "$FAKE" ] || kill "$FAKE" 2>/dev/null || true
        if [ -n "$SVD_PID" ] && kill -0 "$SVD_PID" 2>/dev/null; then
                kill -TERM "$SVD_PID" 2>/dev/null || true
                for _ in $(seq 100); do kill -0 "$SVD_PID" 2>/dev/null || break; sleep 0.1; done
                kill -KILL "$SVD_PID" 2>/dev/null || true
        fi
        # an svd-fdstore left by an svd the test killed (it waits for the
        # next svd for good): this test's own only, by its socket path
        local pid
        for pid in $(pgrep -f -- "svd-fdstore $T/" 2>/dev/null); do kill "$pid" 2>/dev/null || true; done
        local mp
        for mp in $MOUNTS; do umount "$mp" 2>/dev/null || umount -l "$mp" 2>/dev/null || true; done
        rm -rf "$T"
}
trap cleanup EXIT

# tmpfs_at DIR OPTIONS: a tmpfs (mount -o OPTIONS) on DIR, made if needed,
# unmounted by cleanup; skips the test (77) where none can be mounted.
# Only with SVD_PRIVATE_MOUNTS=1 (above).
tmpfs_at() {
        [ -n "${SVD_IN_NS:-}" ] || { echo "tmpfs_at needs SVD_PRIVATE_MOUNTS=1" >&2; exit 1; }
        mkdir -p "$1"
        mount -t tmpfs -o "$2" tmpfs "$1" 2>/dev/null || { echo "cannot mount a tmpfs on $1"; exit 77; }
        MOUNTS="$MOUNTS $1"
}

# fctl REPLIES ARGS...: svctl ARGS against a fresh fake svd
# (tests/helpers/fakestatus.py, needs python3) that answers its Nth
# connection with the Nth reply in the JSON list in the file REPLIES (the
# last one from then on), on $FSOCK; it is killed by the next fctl and by
# cleanup. fakestatus.py listens before the path appears.
fctl() {
        local replies=$1
        shift
        [ -z "$FAKE" ] || { kill "$FAKE" 2>/dev/null || true; wait "$FAKE" 2>/dev/null || true; }
        rm -f "$FSOCK"
        python3 "$TOP_SRCDIR/tests/helpers/fakestatus.py" "$FSOCK" "$replies" &
        FAKE=$!
        wait_for test -S "$FSOCK"
        "$SVCTL" -s "$FSOCK" "$@"
}

# svd_copy: svd, with the svd-probe and svd-fdstore it finds next to it,
# copied to $T/bin and $SVD pointed at the copy (for a test that replaces or
# wraps the binary a daemon-reexec executes)
svd_copy() {
        mkdir -p "$T/bin"
        cp "$SVD" "$T/bin/svd"
        cp "$(dirname "$SVD")/svd-probe" "$(dirname "$SVD")/svd-fdstore" "$T/bin/"
        SVD=$T/bin/svd
}

# service NAME <<YAML
service() { cat > "$T/services/$1.yaml"; }

svctl() { "$SVCTL" -s "$SOCK" "$@"; }

start_svd() {
        "$SVD" -c "$T/etc/svd.yaml" > "$T/svd.out" 2>&1 &
        SVD_PID=$!
        for _ in $(seq 200); do
                [ -S "$SOCK" ] && svctl version >/dev/null 2>&1 && return 0
                kill -0 "$SVD_PID" 2>/dev/null || fail "svd exited during startup"
                sleep 0.05
        done
        fail "svd did not open its control socket"
}

# Deadlines scale with SVD_TEST_SCALE (the VM under TCG runs several times
# slower than the host).
SCALE=${SVD_TEST_SCALE:-1}

# field NAME KEY: one field of svctl status --json for a service (jq: a
# python3 start costs most of a second in the VM)
field() {
        if command -v jq >/dev/null; then
                svctl status --json | jq -r --arg n "$1" --arg k "$2" \
                        '.services[] | select(.name == $n) | .[$k] | if . == null then "" elif . == true then "True" elif . == false then "False" else . end'
                return
        fi
        svctl status --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
for s in d["services"]:
    if s["name"] == sys.argv[1]:
        v = s.get(sys.argv[2])
        print("" if v is None else v)
' "$1" "$2"
}

# ns_svd UNSHARE_PID: the svd that `unshare --fork` started as PID 1 of a
# new PID namespace (its child) into SVD_PID, once its control socket is up
ns_svd() {
        SVD_PID=
        for _ in $(seq 100); do
                SVD_PID=$(pgrep -P "$1" -x svd || true)
                [ -n "$SVD_PID" ] && break
                sleep 0.05
        done
        [ -n "$SVD_PID" ] || fail "svd did not start in the namespace"
        wait_for test -S "$SOCK"
}

# wait_field NAME KEY VALUE [SECONDS]: until field NAME KEY is VALUE
wait_field() {
        local deadline=$(( $(date +%s) + ${4:-10} * SCALE )) v=
        while :; do
                v=$(field "$1" "$2" 2>/dev/null || true)
                [ "$v" = "$3" ] && return 0
                [ "$(date +%s)" -gt "$deadline" ] && fail "$1: $2 '$v', expected '$3'"
                sleep 0.05
        done
}

# wait_state NAME STATE [SECONDS]
wait_state() { wait_field "$1" state "$2" "${3:-10}"; }

# heartbeat_service NAME: a service writing 2 KB lines as fast as its pipe
# takes them (the 1 MiB pipe fills in about a second), with on_full: block;
# $T/out/hb holds the time of its last line (replaced atomically: never
# read half-written)
heartbeat_service() {
        local pad
        pad=$(printf 'z%.0s' $(seq 2000))
        service "$1" <<EOF2
command: ["sh", "-c", "i=0; while :; do date +%s%N > $T/out/hb.tmp; mv -f $T/out/hb.tmp $T/out/hb; echo \"line \$i $pad\"; i=\$((i+1)); done"]
logging: { on_full: block, max_size: 100M }
EOF2
}

# wait_for COMMAND... : until it succeeds, 10 s at most
wait_for() {
        local deadline=$(( $(date +%s) + 10 * SCALE ))
        until "$@"; do
                [ "$(date +%s)" -gt "$deadline" ] && fail "timed out waiting for: $*"
                sleep 0.05
        done
}

stop_svd() {
        kill -TERM "$SVD_PID"
        local rc=0
        wait "$SVD_PID" || rc=$?
        SVD_PID=
        return $rc
}

# crash_restart_svd [COMMAND...]: svd killed with SIGKILL, as a crash would
# (no clean stop: its services, state file and fd store stay as they are)
# and reaped; COMMAND, if given, runs while no svd does; then a new svd on
# the same config, once its control socket answers (start_svd)
crash_restart_svd() {
        kill -KILL "$SVD_PID"
        wait "$SVD_PID" 2>/dev/null || true
        SVD_PID=
        [ $# -eq 0 ] || "$@"
        start_svd
}

# control_socket_free: nothing listens on the test's control socket any more
control_socket_free() { ! ss -xl | grep -F "$T/" | grep -q control.sock; }
# crash_svd: svd killed with SIGKILL, as a crash would, reaped, and its
# control socket released; what it logged is kept in $T/svd.before (the
# next start_svd writes svd.out anew)
crash_svd() {
        kill -KILL "$SVD_PID"
        wait "$SVD_PID" 2>/dev/null || true
        SVD_PID=
        wait_for control_socket_free
        cat "$T/svd.out" >> "$T/svd.before"
}

assert_eq() { [ "$1" = "$2" ] || fail "${3:-value}: got '$1', expected '$2'"; }
# float comparison: assert_le A B [what]  (A <= B)
assert_le() { python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) <= float(sys.argv[2]) else 1)' "$1" "$2" || fail "${3:-}: $1 > $2"; }
now() { date +%s.%N; }

# a free TCP port on loopback
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# epoch seconds of the first line of svd's log matching a grep -E pattern
logtime() {
        local line
        line=$(grep -m1 -E "$1" "$T/svd.out") || fail "not in svd's log: $1"
        python3 -c '
import datetime, sys
ts = sys.argv[1].split()[0]
print("%.6f" % datetime.datetime.strptime(ts, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc).timestamp())
' "$line"
}

# pg_setup: PGBIN (the newest installed server; binaries called directly,
# not through Debian's Perl wrappers), PORT, and a fresh cluster in
# $T/pgdata with its socket directory $T/pgsock. Skips (77) without a server.
pg_setup() {
        [ "$(id -u)" = 0 ] || { echo "needs root to run postgres as user postgres"; exit 77; }
        PGBIN=
        local d
        for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5,5n); do
                [ -x "$d/postgres" ] && [ -x "$d/initdb" ] && PGBIN=$d
        done
        [ -n "$PGBIN" ] || { echo "no PostgreSQL server installed"; exit 77; }
        id postgres >/dev/null 2>&1 || fail "PostgreSQL is installed but there is no postgres user"
        PORT=$(free_port)
        mkdir -p "$T/pgdata" "$T/pgsock"
        chown postgres: "$T/pgdata" "$T/pgsock"
        chmod 700 "$T/pgdata"
        runuser -u postgres -- "$PGBIN/initdb" -D "$T/pgdata" -A trust -N -U postgres \
                --locale=C -E UTF8 > "$T/initdb.out" 2>&1 || { cat "$T/initdb.out" >&2; fail "initdb failed"; }
}

# notify_listen SOCK OUT: a datagram socket at SOCK, as systemd's
# NOTIFY_SOCKET, writing each message it gets to OUT as one line (newlines
# as " | "); its pid in LISTENER
notify_listen() {
        python3 - "$1" > "$2" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
while True:
    m = s.recv(4096).decode()
    print(m.replace("\n", " | "), flush=True)
PY
        LISTENER=$!
        wait_for test -S "$1"
}

# svd_blocked_in_fifo: svd sleeps in the open() of a FIFO (a test put one
# where svd writes a file, to hold it there)
svd_blocked_in_fifo() {
        local w
        w=$(cat "/proc/$SVD_PID/wchan" 2>/dev/null) || return 1
        case "$w" in *fifo* | *pipe* | *partner*) return 0 ;; esac
        return 1
}

# slow_gzip: the gzip svd runs sleeps $(cat $T/out/gzdelay) seconds before
# it starts, and notes its pid in $T/out/gzstarted: a wrapper bound over it
# in the test's private mount namespace (needs SVD_PRIVATE_MOUNTS=1; exits
# 77 where that cannot be done). GZ: the real gzip's path.
slow_gzip() {
        GZ=$(command -v gzip) || { echo "no gzip"; exit 77; }
        GZ=$(readlink -f "$GZ")
        cp "$GZ" "$T/gzip.real"
        cat > "$T/gzip" <<EOF
#!/bin/sh
echo \$\$ >> $T/out/gzstarted
sleep "\$(cat $T/out/gzdelay)"
exec $T/gzip.real "\$@"
EOF
        chmod 755 "$T/gzip"
        mount --bind "$T/gzip" "$GZ" || { echo "cannot bind-mount over $GZ"; exit 77; }
        MOUNTS="$MOUNTS $GZ"
}

# sbx_report_setup TAG: for tests that read a service's confinement with
# tests/helpers/sbx-report. private_tmp hides $T and maybe the build tree
# (both can live under /tmp): sets SHM, a world-writable directory in
# /dev/shm for the reports, and R, the reporter copied there. Needs root.
sbx_report_setup() {
        [ "$(id -u)" = 0 ] || { echo "needs root (users, capabilities, mount namespaces)"; exit 77; }
        R="$TOP_BUILDDIR/tests/helpers/sbx-report"
        [ -x "$R" ] || fail "missing $R (make check builds it)"
        SHM=$(mktemp -d "/dev/shm/svd-$1.XXXXXX")
        chmod 777 "$SHM"
        cp "$R" "$SHM/sbx-report"
        R="$SHM/sbx-report"
}

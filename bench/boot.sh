#!/bin/bash
# bench/boot.sh [BOOTS]: svd's own share of a boot on this machine, natively
# (no VM, no PID 1): the critical chain of tests/vm/boot.sh, pg-init (oneshot,
# initdb on the first boot) -> pg (notify, pg_isready health check) -> app
# (oneshot psql), beside two services nothing waits for. The first boot
# creates the cluster and is not reported; each further boot (default 3) on
# the same data directory prints the breakdown of tests/helpers/
# boot_overhead.py. Needs root and a PostgreSQL server; prints, never fails on
# a figure.
. "$(dirname "$0")/common.sh"
BOOTS=${1:-3}
[ "$(id -u)" = 0 ] || die "needs root (postgres runs as user postgres)"
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$PGBIN/postgres" ] || die "no PostgreSQL server installed"
[ -x "$SVD" ] && [ -x "$SVCTL" ] || die "build svd and svctl first"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

mk_tmp D
chmod 755 "$D"
mkdir -p "$D/etc" "$D/services" "$D/cgroups" "$D/state" "$D/run"
cat > "$D/etc/svd.yaml" <<YAML
services_dir: ../services
slices_dir: ../cgroups
state_dir: ../state
log_dir: ../log
run_dir: ../run
cgroups: optional
YAML
cat > "$D/services/pg-init.yaml" <<YAML
type: oneshot
sandbox: { capabilities: all }
command: [/bin/sh, -c, 'mkdir -p $D/pgsock && chown postgres $D/pgsock && if [ ! -f $D/state/pg/PG_VERSION ]; then mkdir -p $D/state/pg && chown postgres $D/state/pg && chmod 700 $D/state/pg && runuser -u postgres -- $PGBIN/initdb -N -A trust -D $D/state/pg >/dev/null; fi']
YAML
cat > "$D/services/pg.yaml" <<YAML
type: notify
user: postgres
command: [$PGBIN/postgres, -D, $D/state/pg, -c, listen_addresses=127.0.0.1, -c, port=$PORT, -c, unix_socket_directories=$D/pgsock]
depends_on: { pg-init: { condition: completed } }
stop: { signal: SIGINT, timeout: 60s }
healthcheck:
  exec: [$PGBIN/pg_isready, -h, 127.0.0.1, -p, "$PORT"]
  start_interval: 500ms
  timeout: 10s
YAML
cat > "$D/services/app.yaml" <<YAML
type: oneshot
user: postgres
command: [$PGBIN/psql, -h, 127.0.0.1, -p, "$PORT", -d, postgres, -Atc, "select 1"]
depends_on: { pg: { condition: healthy } }
restart: "no"
YAML
for n in aside bside; do
        printf 'command: [/bin/sleep, "100000"]\n' > "$D/services/$n.yaml"
done

boot() { # boot N: start svd, wait for app, record the status, stop
        "$SVD" -c "$D/etc/svd.yaml" > "$D/svd.$1.out" 2>&1 &
        local pid=$! st=
        track_pid "$pid"
        for _ in $(seq $((BENCH_TIMEOUT * 20))); do
                st=$("$SVCTL" -s "$D/run/control.sock" status --json 2>/dev/null |
                        python3 -c 'import json,sys; print([s["state"] for s in json.load(sys.stdin)["services"] if s["name"] == "app"][0])' 2>/dev/null || true)
                [ "$st" = exited ] && break
                sleep 0.05
        done
        [ "$st" = exited ] || die "boot $1: app did not complete (see $D/svd.$1.out)"
        python3 "$REPO_DIR/tests/helpers/ctl.py" "$D/run/control.sock" '{"v":1,"op":"status"}' > "$D/status.$1.json"
        stop_tree "$pid" TERM 60
}

boot 0
for i in $(seq "$BOOTS"); do
        boot "$i"
        python3 "$REPO_DIR/tests/helpers/boot_overhead.py" "$D/status.$i.json" "boot $i"
done

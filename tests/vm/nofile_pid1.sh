#!/bin/bash
# svd as PID 1 of a VM (vmrun --init) starts with the kernel's limit on open
# files for init, 1024:4096. A database needs a hard limit it can raise its
# soft one to: services start with soft 1024 (select() users) and hard
# 524288 (or fs.nr_open if lower), and can raise their soft limit to it;
# an exec health check gets the same; limits.nofile replaces both. A oneshot
# records what it saw and powers off. Runs on the host (it calls vmrun).
set -eu
: "${SVD:?}" "${SVCTL:?}" "${VMRUN:?}"
D=$(pwd -P)/vm-nofile.$$
rm -rf "$D"; mkdir -p "$D/etc" "$D/services" "$D/out"
trap 'rm -rf "$D"' EXIT
fail() { echo "FAIL: $*" >&2; for f in "$D"/console "$D"/out/*; do [ -f "$f" ] && { echo "--- $f"; tail -n 40 "$f"; }; done >&2; exit 1; }
SOCK=/run/svd-nf/control.sock
cat > "$D/etc/svd.yaml" <<EOF
services_dir: ../services
log_dir: ../log
run_dir: /run/svd-nf
EOF
lim='grep "^Max open files" /proc/self/limits'
cat > "$D/services/db.yaml" <<EOF
command: [/bin/sh, -c, '$lim > $D/out/db.start; n=\$(cat /proc/sys/fs/nr_open); [ \$n -le 524288 ] || n=524288; ulimit -Sn \$n && $lim > $D/out/db.raised; exec sleep 100000']
healthcheck:
  exec: [/bin/sh, -c, '$lim > $D/out/check']
  start_interval: 200ms
EOF
cat > "$D/services/set.yaml" <<EOF
command: [/bin/sh, -c, '$lim > $D/out/set; exec sleep 100000']
limits: { nofile: { soft: 2048, hard: 8192 } }
EOF
cat > "$D/services/operator.yaml" <<EOF
type: oneshot
restart: "no"
depends_on: { db: { condition: healthy }, set: { condition: started } }
environment: { ASAN_OPTIONS: detect_leaks=0 }   # a sanitizer build of svctl under seccomp
command: [/bin/sh, -c, 'for i in \$(seq 100); do [ -s $D/out/set ] && [ -s $D/out/db.raised ] && break; sleep 0.1; done; grep "^Max open files" /proc/1/limits > $D/out/pid1; cat /proc/sys/fs/nr_open > $D/out/nr_open; $SVCTL -s $SOCK poweroff']
EOF
rc=0
"$VMRUN" --init --timeout 300 -- "$SVD" -c "$D/etc/svd.yaml" > "$D/console" 2>&1 || rc=$?
[ "$rc" = 0 ] || fail "vmrun exited $rc"
limits() { read -r _ _ _ s h _ < "$D/out/$1" || fail "no $1"; echo "$s $h"; }
want=$(cat "$D/out/nr_open")
[ "$want" -le 524288 ] || want=524288
[ "$(limits pid1)" = "4096 4096" ] || fail "svd (PID 1): $(limits pid1), expected its soft limit raised to 4096"
[ "$(limits db.start)" = "1024 $want" ] || fail "db started with $(limits db.start), expected 1024 $want"
[ "$(limits db.raised)" = "$want $want" ] || fail "db raised its soft limit to $(limits db.raised)"
[ "$(limits check)" = "1024 $want" ] || fail "the health check got $(limits check)"
[ "$(limits set)" = "2048 8192" ] || fail "limits.nofile: $(limits set)"
grep -q 'init: poweroff' "$D/console" || fail "no init: poweroff"
echo "nofile_pid1: ok (services 1024:$want under PID 1's 4096)"

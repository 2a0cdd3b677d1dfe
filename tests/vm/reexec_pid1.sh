#!/bin/bash
# svctl daemon-reexec with svd as PID 1 of a VM (vmrun --init), the new
# binary hanging in --check: PID 1 keeps reaping and restarting a service
# and answering other clients while the check runs (it used to stall in
# the request for up to 20 s), refuses the re-exec at the 15 s bound, and
# a poweroff while a second re-exec is being checked cancels that one
# (its client is told) and powers the machine off. A service plays the
# operator. Runs on the host (it calls vmrun).
set -eu
: "${SVD:?}" "${SVCTL:?}" "${VMRUN:?}"
D=$(pwd -P)/vm-reexec.$$
rm -rf "$D"; mkdir -p "$D/etc" "$D/services" "$D/out" "$D/bin"
trap 'rm -rf "$D"' EXIT
fail() { echo "FAIL: $*" >&2; for f in "$D"/console "$D"/out/*; do [ -f "$f" ] && { echo "--- $f"; tail -n 40 "$f"; }; done >&2; exit 1; }
# svd runs from a copy: the operator replaces it with a binary that hangs
cp "$SVD" "$D/bin/svd"
cp "$SVD" "$D/bin/svd.real" # what the stand-in answers --state-format with
cp "$(dirname "$SVD")/svd-probe" "$(dirname "$SVD")/svd-fdstore" "$D/bin/"
SOCK=/run/svd-rx/control.sock
cat > "$D/etc/svd.yaml" <<EOF
services_dir: ../services
log_dir: ../log
run_dir: /run/svd-rx
EOF
cat > "$D/services/flap.yaml" <<EOF
command: [/bin/sh, -c, "sleep 0.3; exit 3"]
restart: always
backoff: { initial: 100ms, max: 100ms }
start_limit: { burst: 0 }
EOF
cat > "$D/services/operator.yaml" <<EOF
command: [/bin/bash, $D/operator]
restart: "no"
environment: { ASAN_OPTIONS: detect_leaks=0 }   # a sanitizer build of svctl under seccomp
stop: { timeout: 5s }
EOF
cat > "$D/hang" <<EOF
#!/bin/bash
case "\$1" in
--state-format) exec "$D/bin/svd.real" --state-format ;;
--check) echo \$\$ > "$D/out/check.pid.tmp"; mv "$D/out/check.pid.tmp" "$D/out/check.pid"; exec sleep 1000 ;;
esac
exit 1
EOF
cat > "$D/operator" <<EOF
# the poweroff must not stop this before it has written what it saw
trap '' TERM
S="$SVCTL -s $SOCK"
restarts() { \$S status --json | jq -r '.services[] | select(.name == "flap") | .restarts'; }
wait_file() { for _ in \$(seq 600); do [ -s "\$1" ] && return 0; sleep 0.1; done; echo "no \$1" >> $D/out/errors; }
gone() { for _ in \$(seq 100); do st=\$(sed 's/.*) //' /proc/\$1/stat 2>/dev/null | cut -d' ' -f1); [ -z "\$st" ] || [ "\$st" = Z ] && return 0; sleep 0.1; done; return 1; }
rm -f $D/bin/svd
cp $D/hang $D/bin/svd
chmod 755 $D/bin/svd
\$S daemon-reexec > $D/out/reexec1 2>&1 &
job=\$!
wait_file $D/out/check.pid
check=\$(cat $D/out/check.pid)
t0=\$(date +%s%N)
\$S status > /dev/null 2>&1; echo \$? > $D/out/status.rc
echo \$(( (\$(date +%s%N) - t0) / 1000000 )) > $D/out/status.ms
r0=\$(restarts)
sleep 3
r1=\$(restarts)
echo "\$r0 \$r1" > $D/out/restarts
kill -0 \$job 2>/dev/null && echo pending > $D/out/pending
wait \$job; echo \$? > $D/out/reexec1.rc
gone \$check && echo gone > $D/out/check1
rm -f $D/out/check.pid
\$S daemon-reexec > $D/out/reexec2 2>&1 &
job=\$!
wait_file $D/out/check.pid
check=\$(cat $D/out/check.pid)
\$S poweroff > $D/out/poweroff 2>&1
wait \$job; echo \$? > $D/out/reexec2.rc
gone \$check && echo gone > $D/out/check2
sleep 100
EOF
rc=0
"$VMRUN" --init --timeout 600 -- "$D/bin/svd" -c "$D/etc/svd.yaml" > "$D/console" 2>&1 || rc=$?
[ "$rc" = 0 ] || fail "vmrun exited $rc"
[ ! -s "$D/out/errors" ] || fail "operator: $(cat "$D/out/errors")"
[ "$(cat "$D/out/status.rc")" = 0 ] || fail "status during the check failed"
ms=$(cat "$D/out/status.ms")
[ "$ms" -lt 5000 ] || fail "status during the check took ${ms} ms"
read -r r0 r1 < "$D/out/restarts"
[ "$r1" -ge $((r0 + 2)) ] || fail "flap was not restarted during the check: $r0 -> $r1"
[ "$(cat "$D/out/pending")" = pending ] || fail "daemon-reexec answered before its check ended"
[ "$(cat "$D/out/reexec1.rc")" != 0 ] || fail "daemon-reexec accepted a hanging --check: $(cat "$D/out/reexec1")"
grep -q -- "--check did not finish in 15 s; nothing was changed" "$D/out/reexec1" || fail "reply: $(cat "$D/out/reexec1")"
[ "$(cat "$D/out/check1" 2>/dev/null)" = gone ] || fail "the check outlived its deadline"
[ "$(cat "$D/out/reexec2.rc")" != 0 ] && grep -q "svd is shutting down" "$D/out/reexec2" ||
        fail "second daemon-reexec: $(cat "$D/out/reexec2")"
[ "$(cat "$D/out/check2" 2>/dev/null)" = gone ] || fail "the check outlived the cancel"
grep -q "daemon-reexec cancelled: svd is shutting down" "$D/console" || fail "cancel not logged"
grep -q 'init: poweroff' "$D/console" || fail "no init: poweroff"
grep -q "restore-fd" "$D/console" && fail "svd was executed again"
echo "reexec_pid1: ok (status answered in ${ms} ms during the check)"

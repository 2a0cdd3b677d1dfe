#!/bin/bash
# At the end as PID 1 (here of a PID namespace, at poweroff) svd sends
# SIGTERM, then SIGKILL, to the processes its services left behind, and
# says so; it used to log "sending SIGKILL to remaining processes" (and
# SIGTERM) also when every service had stopped in order and nothing was
# left, so the log of every clean poweroff read like one that killed
# something. Now it logs each step only when a process is left for it: a
# clean stop logs neither; one that ignores SIGTERM gets both.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || { echo "needs root for unshare"; exit 77; }
unshare --pid --fork --mount-proc true 2>/dev/null || { echo "unshare --pid not permitted here"; exit 77; }
cat >> "$T/etc/svd.yaml" <<EOF
cgroups: optional
EOF
service plain <<EOF
command: [sleep, "1000"]
EOF

ns_poweroff() {
        unshare --pid --fork --mount-proc "$SVD" -c "$T/etc/svd.yaml" > "$T/svd.out" 2>&1 &
        UNSHARE=$!
        ns_svd "$UNSHARE"
        wait_state plain running
        [ $# -eq 0 ] || wait_for "$@"
        svctl poweroff > /dev/null || fail "svctl poweroff"
        wait "$UNSHARE" || true
        SVD_PID=
        grep -q "init: poweroff" "$T/svd.out" || fail "svd did not get to the poweroff"
}

# --- nothing left: neither step is logged
ns_poweroff
! grep -q "init: sending SIG" "$T/svd.out" || fail "signals logged with nothing left: $(grep 'init: ' "$T/svd.out")"

# --- one left that ignores SIGTERM: both, and it is gone
cat > "$T/stay.sh" <<'EOF'
#!/bin/sh
trap '' TERM
echo $$ > "$1/stay.tmp"; mv "$1/stay.tmp" "$1/stay.pid"
while :; do sleep 0.05; done
EOF
service stayer <<EOF
command: [/bin/sh, -c, 'setsid /bin/sh $T/stay.sh $T/out < /dev/null > /dev/null 2>&1 & exec sleep 1000']
EOF
ns_poweroff test -s "$T/out/stay.pid"
grep -q "init: sending SIGTERM to remaining processes" "$T/svd.out" || fail "no SIGTERM logged: $(grep 'init: ' "$T/svd.out")"
grep -q "init: sending SIGKILL to remaining processes" "$T/svd.out" || fail "no SIGKILL logged: $(grep 'init: ' "$T/svd.out")"
echo "pid1_finish_left: ok"

#!/bin/bash
# A process left over at the end (it left its service's process group, no
# cgroup found it) that is stopped (SIGSTOP, Ctrl-Z, a debugger that went
# away) cannot act on the SIGTERM svd sends it until it is continued: it
# used to sit stopped through the grace period and die of the SIGKILL
# without its own cleanup. svd sends SIGCONT after the SIGTERM, as it does
# with a service's stop signal: not as PID 1 (svd's final exit), and as PID 1
# of a PID namespace (unshare --pid --fork --mount-proc) at poweroff.
. "$(dirname "$0")/lib.sh"

cat >> "$T/etc/svd.yaml" <<EOF
cgroups: optional
EOF
# it leaves the group, says where it is, stops itself; SIGTERM writes the mark
cat > "$T/esc.sh" <<'EOF'
#!/bin/sh
trap 'echo term > "$1/esc.term"; exit 0' TERM
echo $$ > "$1/esc.tmp"; mv "$1/esc.tmp" "$1/esc.pid"
kill -STOP $$
while :; do sleep 0.05; done
EOF
service escaper <<EOF
command: [/bin/sh, -c, 'setsid /bin/sh $T/esc.sh $T/out < /dev/null > /dev/null 2>&1 & exec sleep 1000']
EOF

# esc_stopped: the escaped process is there and stopped (found by its
# command line: in the PID namespace the pid it writes is not the host's)
esc_stopped() {
        [ -s "$T/out/esc.pid" ] || return 1
        local p
        for p in $(pgrep -f "$T/esc.sh"); do
                [ "$(awk '{ sub(/.*\) /, ""); print $1 }' "/proc/$p/stat" 2>/dev/null)" = T ] && return 0
        done
        return 1
}

# --- not PID 1: svd's final exit
start_svd
wait_state escaper running
wait_for esc_stopped
ESC=$(cat "$T/out/esc.pid")
stop_svd || fail "svd exit status"
st=$(awk '{ sub(/.*\) /, ""); print $1 }' "/proc/$ESC/stat" 2>/dev/null || true)
case "$st" in ""|Z*) ;; *) kill -KILL "$ESC"; fail "pid $ESC outlived svd: $st";; esac
grep -q "pid $ESC outlived its service" "$T/svd.out" || fail "the escaped process was not logged"
[ -f "$T/out/esc.term" ] || fail "the stopped process was killed without acting on its SIGTERM"

# --- PID 1 of a PID namespace: poweroff
[ "$(id -u)" = 0 ] || { echo "needs root for unshare"; exit 77; }
unshare --pid --fork --mount-proc true 2>/dev/null || { echo "unshare --pid not permitted here"; exit 77; }
rm -f "$T/out/esc.pid" "$T/out/esc.term"
unshare --pid --fork --mount-proc "$SVD" -c "$T/etc/svd.yaml" > "$T/svd.out" 2>&1 &
UNSHARE=$!
ns_svd "$UNSHARE"
wait_state escaper running
wait_for esc_stopped
svctl poweroff > /dev/null || fail "svctl poweroff"
wait "$UNSHARE" || true
SVD_PID=
grep -q 'init: sending SIGTERM to remaining processes' "$T/svd.out" || fail "no SIGTERM to what was left"
[ -f "$T/out/esc.term" ] || fail "as PID 1: the stopped process was killed without acting on its SIGTERM"
echo "shutdown_sigcont: ok"

#!/bin/bash
# svd as PID 1: a SIGTERM (poweroff) that arrives while svd still loads its
# configuration, before its handlers are in place, is not lost. The kernel
# discards a signal PID 1 has no handler for; svd blocks the signals it
# handles from its first instruction, so it waits and powers off once svd
# can. strace holds svd in the open() of its main file for 2 s, and the
# test sends SIGTERM then (SigCgt shows no SIGTERM handler yet).
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "needs root for unshare"; exit 77; }
unshare --pid --fork --mount-proc true 2>/dev/null || { echo "unshare --pid not permitted here"; exit 77; }
command -v strace > /dev/null || { echo "needs strace"; exit 77; }
strace -o /dev/null -e inject=openat:delay_enter=1 true 2>/dev/null || { echo "strace cannot delay syscalls"; exit 77; }

cat >> "$T/etc/svd.yaml" <<EOF2
cgroups: optional
EOF2
service app <<EOF2
command: [sleep, "100000"]
EOF2

strace -f -o /dev/null -P "$T/etc/svd.yaml" -e trace=openat -e inject=openat:delay_enter=2000000:when=1 \
        unshare --pid --fork --mount-proc "$SVD" -c "$T/etc/svd.yaml" > "$T/svd.out" 2>&1 &
STRACE=$!
trap 'kill -KILL $STRACE 2>/dev/null || true; cleanup' EXIT
# svd's pid (PID 1 of the namespace), once it has executed svd
svd_pid=
for _ in $(seq $((400 * SCALE))); do
        svd_pid=$(pgrep -x svd -P "$(pgrep -x unshare -P "$STRACE" || echo 0)" || true)
        [ -n "$svd_pid" ] && break
        sleep 0.01
done
[ -n "$svd_pid" ] || fail "svd did not start"
SVD_PID=$svd_pid
# wait until it is in the open() of its main file that strace holds (the
# syscall's path argument, read from its memory), then send SIGTERM: svd
# has no handler yet, and its main() has run (an ASan build spends a while
# before main())
python3 - "$svd_pid" "$T/etc/svd.yaml" $((20 * SCALE)) <<'PY' || fail "svd never waited in the open() of its main file"
import os, sys, time
pid, want, limit = int(sys.argv[1]), sys.argv[2].encode(), float(sys.argv[3])
end = time.time() + limit
while time.time() < end:
    try:
        f = open("/proc/%d/syscall" % pid).read().split()
        if len(f) > 2 and f[0].isdigit():
            with open("/proc/%d/mem" % pid, "rb") as m:
                m.seek(int(f[2], 16))
                path = m.read(len(want) + 1)
            if path == want + b"\0":
                cgt = [l for l in open("/proc/%d/status" % pid) if l.startswith("SigCgt:")][0].split()[1]
                assert not (int(cgt, 16) >> 14) & 1, "a SIGTERM handler already"
                os.kill(pid, 15)
                sys.exit(0)
    except (OSError, ValueError):
        pass
    time.sleep(0.005)
sys.exit(1)
PY
# the boot goes on, and the poweroff follows it
rc=0
for _ in $(seq $((200 * SCALE))); do
        kill -0 "$svd_pid" 2>/dev/null || break
        sleep 0.05
done
kill -0 "$svd_pid" 2>/dev/null && fail "svd still runs 10 s after a SIGTERM sent during its start: the poweroff was lost"
wait "$STRACE" || rc=$?
SVD_PID=
grep -q 'init: poweroff' "$T/svd.out" || fail "no poweroff in svd's log: $(tail -5 "$T/svd.out")"
echo "pid1_early_signal: ok"

#!/bin/bash
# A fault in one of PID 1's threads is a crash of PID 1, handled as one
# (init_crash.c). svd as PID 1 of a PID namespace unlocks a passphrase
# store: the key derivation runs in a thread, whose code the test has
# overwritten with ud2 through /proc/PID/mem (as a debugger sets a
# breakpoint). Before, the thread ran with every signal blocked, and the
# kernel ended the whole process on a blocked fault, whatever its handler:
# for the machine's PID 1, a kernel panic. A stack overflow in the thread
# (a call to itself, for ever) needs the thread's own alternate signal
# stack, which a thread does not inherit. Now the crash is reported on the
# console naming the thread, the services run on, the main thread stops
# serving the control socket and only reaps, and SIGTERM powers off.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "needs root for unshare and /proc/PID/mem"; exit 77; }
unshare --pid --fork --mount-proc true 2>/dev/null || { echo "unshare --pid not permitted here"; exit 77; }
command -v nm > /dev/null || { echo "no nm (binutils)"; exit 77; }
nm "$SVD" | grep -q ' t derive$' || { echo "svd has no symbol for derive()"; exit 77; }

cat >> "$T/etc/svd.yaml" <<EOF
cgroups: optional
secrets_key: passphrase
EOF
service app <<YAML
secrets:
  pw: { generate: password, length: 24 }
command: [/bin/sh, -c, 'exec sleep 1000']
YAML
service free <<YAML
command: [/bin/sh, -c, 'echo \$\$ > $T/out/free.pid; exec sleep 1000']
YAML

# crash_round BYTES SIGNAL: svd as PID 1 of a new PID namespace, BYTES
# (hex) written over derive(), an unlock; the crash must be SIGNAL's
crash_round() {
        unshare --pid --fork --mount-proc "$SVD" -c "$T/etc/svd.yaml" > "$T/svd.out" 2>&1 &
        UNSHARE=$!
        ns_svd "$UNSHARE"
        wait_state free running
        wait_state app waiting

        # $1 (hex) over the first bytes of derive() in this svd's memory
        python3 - "$SVD_PID" "$SVD" "$1" <<'EOF'
import os, subprocess, sys
pid, exe = sys.argv[1], os.path.realpath(sys.argv[2])
base = None
for line in open(f"/proc/{pid}/maps"):
    f = line.split()
    if len(f) >= 6 and os.path.realpath(f[5]) == exe and int(f[2], 16) == 0:
        base = int(f[0].split("-")[0], 16)
        break
off = None
for line in subprocess.check_output(["nm", exe], text=True).splitlines():
    f = line.split()
    if len(f) == 3 and f[1] == "t" and f[2] == "derive":
        off = int(f[0], 16)
assert base is not None and off is not None, (base, off)
with open(f"/proc/{pid}/mem", "r+b", buffering=0) as m:
    m.seek(base + off)
    m.write(bytes.fromhex(sys.argv[3]))
EOF

        # the reply never comes: the main thread stops serving
        echo 'correct horse battery' | timeout 5 "$SVCTL" -s "$SOCK" unlock > /dev/null 2>&1 || true
        wait_for grep -q "svd: PID 1 crashed ($2 in thread [0-9]*); the services run on, unsupervised" "$T/svd.out"
        kill -0 "$SVD_PID" 2> /dev/null || fail "svd ended after its thread crashed"
        wait_for grep -q "svd: the crashed PID 1's core dump (if core_pattern allows one) is from pid" "$T/svd.out"
        kill -0 "$(cat "$T/out/free.pid")" 2> /dev/null || fail "the service did not run on"
        # the main thread took over: the loop no longer answers
        out=$(timeout 3 "$SVCTL" -s "$SOCK" status 2>&1) && fail "the event loop went on after the crash: $out"

        kill -TERM "$SVD_PID"
        rc=0; timeout 20 tail --pid="$UNSHARE" -f /dev/null || rc=$?
        assert_eq "$rc" "0" "crashed PID 1 still runs 20 s after SIGTERM"
        wait "$UNSHARE" || true
        SVD_PID=
        grep -q 'svd: crashed PID 1: SIGTERM: poweroff; sending SIGTERM to every process' "$T/svd.out" ||
                fail "no SIGTERM line"
        grep -q 'svd: crashed PID 1: poweroff$' "$T/svd.out" || fail "no poweroff line"
        [ "$(grep -c 'svd: PID 1 crashed' "$T/svd.out")" = 1 ] || fail "the crash was reported more than once ($2)"
}

# ud2: an illegal instruction
crash_round 0f0b SIGILL
# call to itself, for ever: the thread's stack overflows, and the handler
# needs the thread's own alternate stack to run at all
crash_round e8fbffffff SIGSEGV
echo "pid1_thread_crash: ok"

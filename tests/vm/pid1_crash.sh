#!/bin/bash
# svd as PID 1 of a VM (vmrun --init) hitting a real fault: a service
# overwrites the start of svd's control_handle() in PID 1's memory with
# ud2 (through /proc/1/mem, as a debugger sets a breakpoint), then sends
# a request: svd executes it and gets SIGILL. A crashed PID 1 used to end,
# and the kernel panicked (vmrun exited non-zero). Now svd says so on the
# console, keeps reaping (an orphan the service leaves is reaped), and on
# SIGTERM kills every process, syncs and powers off: the VM ends with rc 0.
# Runs on the host (it calls vmrun).
set -eu
: "${SVD:?}" "${SVCTL:?}" "${VMRUN:?}"
command -v nm > /dev/null || { echo "no nm (binutils)"; exit 77; }
nm "$SVD" | grep -q ' T control_handle$' || { echo "svd has no symbol table"; exit 77; }
D=$(pwd -P)/vm-crash.$$
rm -rf "$D"; mkdir -p "$D/etc" "$D/services" "$D/out"
trap 'rm -rf "$D"' EXIT
fail() { echo "FAIL: $*" >&2; for f in "$D"/console "$D"/out/*; do [ -f "$f" ] && { echo "--- $f"; tail -n 40 "$f"; }; done >&2; exit 1; }
SOCK=/run/svd-crash/control.sock
cat > "$D/etc/svd.yaml" <<EOF
services_dir: ../services
log_dir: ../log
run_dir: /run/svd-crash
EOF
cat > "$D/poke" <<'EOF'
#!/usr/bin/python3
# ud2 over the first bytes of PID 1's control_handle()
import os, subprocess
exe = os.readlink("/proc/1/exe")
base = None
for line in open("/proc/1/maps"):
    f = line.split()
    if len(f) >= 6 and f[5] == exe and int(f[2], 16) == 0:
        base = int(f[0].split("-")[0], 16)
        break
off = None
for line in subprocess.check_output(["nm", exe], text=True).splitlines():
    f = line.split()
    if len(f) == 3 and f[2] == "control_handle":
        off = int(f[0], 16)
assert base is not None and off is not None, (base, off)
with open("/proc/1/mem", "r+b", buffering=0) as m:
    m.seek(base + off)
    m.write(b"\x0f\x0b")
print("poked", hex(base + off))
EOF
chmod 755 "$D/poke"
# pokes, crashes svd with a request, leaves an orphan for the crashed PID 1
# to reap, counts PID 1's zombies, then asks for a poweroff
cat > "$D/crasher" <<EOF
#!/bin/sh
$D/poke > $D/out/poke 2>&1
$SVCTL -s $SOCK version > $D/out/version 2>&1
sleep 2
(sh -c 'echo \$\$ > $D/out/orphan; exit 7' &)
sleep 2
ps -eo stat=,ppid= | awk '\$2 == 1 && \$1 ~ /Z/' | wc -l > $D/out/zombies
kill -TERM 1
exec sleep 1000
EOF
chmod 755 "$D/crasher"
cat > "$D/services/crasher.yaml" <<EOF
environment: { ASAN_OPTIONS: detect_leaks=0 }   # a sanitizer build of svctl under seccomp
sandbox: { capabilities: all, seccomp: none }
command: [$D/crasher]
EOF
rc=0
"$VMRUN" --init --timeout 240 -- "$SVD" -c "$D/etc/svd.yaml" > "$D/console" 2>&1 || rc=$?
[ "$rc" = 0 ] || fail "vmrun exited $rc (PID 1 ended: a kernel panic)"
grep -q '^poked ' "$D/out/poke" || fail "poke: $(cat "$D/out/poke")"
grep -q 'svd: PID 1 crashed (SIGILL); the services run on, unsupervised' "$D/console" || fail "no crash line"
[ -s "$D/out/orphan" ] || fail "no orphan was left"
[ "$(cat "$D/out/zombies")" = 0 ] || fail "zombies under the crashed PID 1: $(cat "$D/out/zombies")"
grep -q 'svd: crashed PID 1: SIGTERM: poweroff; sending SIGTERM to every process' "$D/console" || fail "no SIGTERM line"
grep -q 'svd: crashed PID 1: poweroff$' "$D/console" || fail "no poweroff line"
echo "pid1_crash: ok"

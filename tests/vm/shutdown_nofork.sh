#!/bin/bash
# svd as PID 1 of a VM (vmrun --init) powering off while a file system has
# dirty data on a device that takes no I/O (as in shutdown_stuck_io.sh),
# and PID 1 cannot fork (tests/helpers/failfork.so, armed just before the
# poweroff: ENOMEM, as when the kernel cannot account a copy of PID 1's
# memory). The syncs, the swapoff and the unmounting then used to run in
# PID 1 itself, without a deadline: the first sync blocked for good and the
# VM never ended. Now each runs in a thread of PID 1 instead, bounded the
# same way (init: sync did not finish within 30s; going on), and svd powers
# the machine off. Runs on the host (it calls vmrun).
set -eu
: "${SVD:?}" "${SVCTL:?}" "${VMRUN:?}"
command -v dmsetup > /dev/null && command -v mkfs.ext4 > /dev/null || { echo "no dmsetup or e2fsprogs"; exit 77; }
SO=${TOP_BUILDDIR:-$(dirname "$SVD")}/tests/helpers/failfork.so
[ -f "$SO" ] || { echo "no $SO"; exit 77; }
D=$(pwd -P)/vm-nofork.$$
rm -rf "$D"; mkdir -p "$D/etc" "$D/services" "$D/out"
trap 'rm -rf "$D"' EXIT
fail() { echo "FAIL: $*" >&2; for f in "$D"/console "$D"/out/*; do [ -f "$f" ] && { echo "--- $f"; tail -n 40 "$f"; }; done >&2; exit 1; }
SOCK=/run/svd-nofork/control.sock
cat > "$D/etc/svd.yaml" <<EOF
services_dir: ../services
log_dir: ../log
run_dir: /run/svd-nofork
EOF
# ext2 on a dm-linear device over a RAM disk, a file written, the device
# suspended without a flush: its pages stay dirty, sync(2) blocks
cat > "$D/services/stuck.yaml" <<EOF
type: oneshot
restart: "no"
sandbox: { capabilities: all, seccomp: none }
command: [/bin/sh, -ec, 'exec 2> $D/out/stuck.err; modprobe brd rd_nr=1 rd_size=8192; modprobe dm_mod; dmsetup --noudevsync create svdstuck --table "0 16384 linear /dev/ram0 0"; dmsetup mknodes svdstuck; mkfs.ext2 -q /dev/mapper/svdstuck; mkdir -p /mnt/stuck; mount /dev/mapper/svdstuck /mnt/stuck; dd if=/dev/zero of=/mnt/stuck/dirty bs=64k count=16 2>/dev/null; dmsetup --noudevsync suspend --noflush --nolockfs svdstuck; echo ok > $D/out/stuck']
EOF
# arms failfork.so, then powers off, once the device is set up (or after
# 60 s, so that a failed setup still ends the VM)
cat > "$D/services/operator.yaml" <<EOF
environment: { ASAN_OPTIONS: detect_leaks=0 }   # a sanitizer build of svctl under seccomp
command: [/bin/sh, -c, 'i=0; while [ ! -f $D/out/stuck ] && [ \$i -lt 300 ]; do sleep 0.2; i=\$((i + 1)); done; : > $D/out/nofork; $SVCTL -s $SOCK poweroff > $D/out/poweroff 2>&1; exec sleep 1000']
EOF
rc=0
# (the preload comes before a sanitizer runtime: its link-order check off)
"$VMRUN" --init --timeout 400 -- /usr/bin/env LD_PRELOAD="$SO" FAILFORK_ARM="$D/out/nofork" \
        ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" "$SVD" -c "$D/etc/svd.yaml" \
        > "$D/console" 2>&1 || rc=$?
[ "$rc" = 0 ] || fail "vmrun exited $rc (124: the VM did not power off)"
[ -f "$D/out/stuck" ] || fail "the stuck device was not set up: $(cat "$D/out/stuck.err" 2>&1)"
grep -q 'init: sync: cannot fork (Cannot allocate memory); running it in a thread of PID 1' "$D/console" ||
        fail "the sync did not run in a thread"
grep -q 'init: sync did not finish within 30s; going on' "$D/console" || fail "no bounded sync in the log"
grep -q 'init: unmounting: cannot fork (Cannot allocate memory); running it in a thread of PID 1' "$D/console" ||
        fail "the unmounting did not run in a thread"
grep -q 'init: poweroff' "$D/console" || fail "no init: poweroff"
echo "shutdown_nofork: ok"

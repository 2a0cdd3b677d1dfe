#!/bin/bash
# svd as PID 1 of a VM (vmrun --init) powering off while a file system has
# dirty data on a device that takes no I/O (a device-mapper device suspended
# without flushing: a dead SAN path, a hung USB disk). sync(2) then blocks
# for as long as the device does; svd must still power the machine off, each
# sync bounded like the unmounting (init: sync did not finish within 30s).
# It used to call sync(2) itself, before and after the unmounting, and hung
# there for good: the VM never ended. The unmounting (reverse mount order)
# hangs on the stuck file system first; each unmount is bounded on its own,
# so the tmpfs mounted before it is still unmounted and / still remounted
# read-only (it used to be one child for all: the hang stopped the rest). A
# oneshot sets the device up, a second service plays the operator and runs
# `svctl poweroff`. Runs on the host (it calls vmrun).
set -eu
: "${SVD:?}" "${SVCTL:?}" "${VMRUN:?}"
command -v dmsetup > /dev/null && command -v mkfs.ext4 > /dev/null || { echo "no dmsetup or e2fsprogs"; exit 77; }
D=$(pwd -P)/vm-stuckio.$$
rm -rf "$D"; mkdir -p "$D/etc" "$D/services" "$D/out"
trap 'rm -rf "$D"' EXIT
fail() { echo "FAIL: $*" >&2; for f in "$D"/console "$D"/out/*; do [ -f "$f" ] && { echo "--- $f"; tail -n 40 "$f"; }; done >&2; exit 1; }
SOCK=/run/svd-stuckio/control.sock
cat > "$D/etc/svd.yaml" <<EOF
services_dir: ../services
log_dir: ../log
run_dir: /run/svd-stuckio
EOF
# ext2 on a dm-linear device over a RAM disk; a file written, then the
# device suspended with --noflush --nolockfs (no freeze, no flush): the
# file's pages stay dirty and no writeback of them can complete
cat > "$D/services/stuck.yaml" <<EOF
type: oneshot
restart: "no"
sandbox: { capabilities: all, seccomp: none }
command: [/bin/sh, -ec, 'exec 2> $D/out/stuck.err; modprobe brd rd_nr=1 rd_size=8192; modprobe dm_mod; mkdir -p /mnt/before; mount -t tmpfs svdbefore /mnt/before; dmsetup --noudevsync create svdstuck --table "0 16384 linear /dev/ram0 0"; dmsetup mknodes svdstuck; mkfs.ext2 -q /dev/mapper/svdstuck; mkdir -p /mnt/stuck; mount /dev/mapper/svdstuck /mnt/stuck; dd if=/dev/zero of=/mnt/stuck/dirty bs=64k count=16 2>/dev/null; dmsetup --noudevsync suspend --noflush --nolockfs svdstuck; echo ok > $D/out/stuck']
EOF
# powers off once the device is set up (or after 60 s, so that a failed
# setup still ends the VM)
cat > "$D/services/operator.yaml" <<EOF
environment: { ASAN_OPTIONS: detect_leaks=0 }   # a sanitizer build of svctl under seccomp
command: [/bin/sh, -c, 'i=0; while [ ! -f $D/out/stuck ] && [ \$i -lt 300 ]; do sleep 0.2; i=\$((i + 1)); done; $SVCTL -s $SOCK poweroff > $D/out/poweroff 2>&1; exec sleep 1000']
EOF
rc=0
"$VMRUN" --init --timeout 240 -- "$SVD" -c "$D/etc/svd.yaml" > "$D/console" 2>&1 || rc=$?
[ "$rc" = 0 ] || fail "vmrun exited $rc (124: the VM did not power off)"
[ -f "$D/out/stuck" ] || fail "the stuck device was not set up: $(cat "$D/out/stuck.err" 2>&1)"
grep -q 'init: sync did not finish within 30s; going on' "$D/console" || fail "no bounded sync in the log"
# the unmounting hung on /mnt/stuck (the last mount, the first to go): the
# mount before it is still unmounted, / still remounted read-only
grep -q 'init: unmounting /mnt/stuck (ext2) did not finish within 5s; going on with the others' "$D/console" ||
        fail "the hung mount is not named"
grep -q 'init: unmounted /mnt/before (tmpfs)' "$D/console" || fail "the mount after the hung one was not unmounted"
grep -q 'init: remounted / read-only' "$D/console" || fail "/ was not remounted read-only"
grep -q 'init: poweroff' "$D/console" || fail "no init: poweroff"
echo "shutdown_stuck_io: ok"

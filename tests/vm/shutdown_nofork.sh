#!/bin/bash
# svd as PID 1 of a VM (vmrun --init) powering off while a file system has
# dirty data on a device that takes no I/O (as in shutdown_stuck_io.sh),
# and PID 1 cannot fork (tests/helpers/failfork.so, armed just before the
# poweroff: ENOMEM, as when the kernel cannot account a copy of PID 1's
# memory). The syncs, the swapoff and the unmounting then used to run in
# PID 1 itself, without a deadline: the first sync blocked for good and the
# VM never ended. Now each runs in a thread of PID 1 instead, bounded the
# same way (init: sync did not finish within 30s; going on), and svd powers
# the machine off. Inside the unmounting thread each unmount gets its own
# 5 s, as each gets its own child when fork works: the stuck file system is
# the first in unmount order (mounted last), and an ext4 image on a loop
# device, mounted before it and written by a service, must still be
# unmounted cleanly (checked on the image after the VM ended). The thread
# used to call umount(2) itself, so the first hung unmount held up the rest
# until the step's 30 s ran out and the image was left mounted, unclean.
# Runs on the host (it calls vmrun).
set -eu
: "${SVD:?}" "${SVCTL:?}" "${VMRUN:?}"
for c in dmsetup losetup mkfs.ext4 dumpe2fs debugfs; do
        command -v $c > /dev/null || { echo "no $c (dmsetup, util-linux, e2fsprogs)"; exit 77; }
done
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
# the healthy file system: ext4 in an image in the shared working
# directory, so that its state can be read once the VM is gone
truncate -s 16M "$D/good.img"
mkfs.ext4 -q -F "$D/good.img" || fail "mkfs.ext4 of the image"
# the ext4 image mounted on a loop device and a file written to it, then
# ext2 on a dm-linear device over a RAM disk, a file written, the device
# suspended without a flush: its pages stay dirty, sync(2) blocks, and its
# unmount (the first: it was mounted last) hangs
cat > "$D/services/stuck.yaml" <<EOF
type: oneshot
restart: "no"
sandbox: { capabilities: all, seccomp: none }
command: [/bin/sh, -ec, 'exec 2> $D/out/stuck.err; modprobe loop; mkdir -p /mnt/good; mount -t ext4 "\$(losetup -f --show $D/good.img)" /mnt/good; echo svd-data > /mnt/good/data; modprobe brd rd_nr=1 rd_size=8192; modprobe dm_mod; dmsetup --noudevsync create svdstuck --table "0 16384 linear /dev/ram0 0"; dmsetup mknodes svdstuck; mkfs.ext2 -q /dev/mapper/svdstuck; mkdir -p /mnt/stuck; mount /dev/mapper/svdstuck /mnt/stuck; dd if=/dev/zero of=/mnt/stuck/dirty bs=64k count=16 2>/dev/null; dmsetup --noudevsync suspend --noflush --nolockfs svdstuck; echo ok > $D/out/stuck']
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
# the unmounting hung on /mnt/stuck, within its own 5 s: the image mounted
# before it was still unmounted, cleanly, with the service's data on it
grep -q 'init: unmounting /mnt/stuck (ext2) did not finish within 5s; going on with the others' "$D/console" ||
        fail "the hung mount is not named"
grep -q 'init: unmounted /mnt/good (ext4)' "$D/console" || fail "the mount after the hung one was not unmounted"
grep -q 'init: poweroff' "$D/console" || fail "no init: poweroff"
state=$(dumpe2fs -h "$D/good.img" 2> /dev/null | sed -n 's/^Filesystem state: *//p')
features=$(dumpe2fs -h "$D/good.img" 2> /dev/null | sed -n 's/^Filesystem features: *//p')
[ "$state" = clean ] || fail "the image's state is '$state', not clean"
case " $features " in *" needs_recovery "*) fail "the image's journal needs recovery: it was not unmounted" ;; esac
[ "$(debugfs -R 'cat /data' "$D/good.img" 2> /dev/null)" = svd-data ] || fail "the service's data is not on the image"
echo "shutdown_nofork: ok"

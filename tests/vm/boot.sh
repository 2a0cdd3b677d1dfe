#!/bin/bash
# svd as PID 1 of a VM (vmrun --init), twice on the same PostgreSQL data
# directory: boot 1 brings up initdb -> postgres (notify + pg_isready probe)
# -> app, a TERM-ignoring service with children, an ext4 image that a oneshot
# loop-mounts (with a tmpfs on top) and a service keeps a file open on, block
# devices (swap on a RAM disk, loop devices, a stack of two DM devices), and a
# service that waits for the boot to settle, records `svctl status --json`
# and then runs `svctl poweroff`;
# the VM must end with rc 0, PostgreSQL must log a clean shutdown, svd must
# have unmounted the image (the host's e2fsck finds it clean), turned swap
# off, removed the DM stack top-down and detached the loop devices. Boot 2 finds
# boot 1's row and PostgreSQL reports no crash recovery; it prints svd's boot
# overhead. Runs on the host (it calls vmrun); state lives under the build
# tree, which the VM shares. Boot 2 starts from a bare initramfs' mounts
# (vmrun --bare): svd mounts the rest and brings up lo itself.
set -eu
: "${SVD:?}" "${SVCTL:?}" "${VMRUN:?}" "${TOP_SRCDIR:?}"
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$PGBIN/postgres" ] || { echo "no PostgreSQL server installed"; exit 77; }
command -v mkfs.ext4 > /dev/null && command -v e2fsck > /dev/null || { echo "no e2fsprogs"; exit 77; }

D=$(pwd -P)/vm-boot.$$
rm -rf "$D"; mkdir -p "$D/etc" "$D/services" "$D/cgroups" "$D/log" "$D/state" "$D/out"
chmod 755 "$D" "$D/state"
chmod 777 "$D/out"   # the app writes there as postgres
trap 'rm -rf "$D"' EXIT
fail() { echo "FAIL: $*" >&2; for f in "$D"/log/*.log "$D"/console.*; do [ -f "$f" ] && { echo "--- $f"; tail -n 40 "$f"; }; done >&2; exit 1; }

cat > "$D/etc/svd.yaml" <<EOF
services_dir: ../services
slices_dir: ../cgroups
state_dir: ../state
log_dir: ../log
run_dir: /run/svd-boot          # no Unix sockets on the shared directory
hostname: svd-appliance
EOF
SOCK=/run/svd-boot/control.sock
cat > "$D/services/pg-init.yaml" <<EOF
type: oneshot
sandbox: { capabilities: all }   # chown and runuser need root's powers
command: [/bin/sh, -c, 'mkdir -p /run/pgsock && chown postgres /run/pgsock && if [ ! -f $D/state/pg/PG_VERSION ]; then mkdir -p $D/state/pg && chown postgres $D/state/pg && chmod 700 $D/state/pg && runuser -u postgres -- $PGBIN/initdb -N -A trust -D $D/state/pg >/dev/null; fi']
EOF
cat > "$D/services/pg.yaml" <<EOF
type: notify
user: postgres
command: [$PGBIN/postgres, -D, $D/state/pg, -c, listen_addresses=127.0.0.1, -c, port=5439, -c, unix_socket_directories=/run/pgsock, -c, fsync=on]
depends_on: { pg-init: { condition: completed } }
stop: { signal: SIGINT, timeout: 60s }
healthcheck:
  exec: [$PGBIN/pg_isready, -h, 127.0.0.1, -p, "5439"]
  start_interval: 500ms
  timeout: 10s
EOF
cat > "$D/services/app.yaml" <<EOF
type: oneshot
user: postgres
command: [/bin/sh, -c, '$PGBIN/psql -h 127.0.0.1 -p 5439 -d postgres -Atc "create table if not exists boots(n int); insert into boots values (1); select count(*) from boots" > $D/out/app.\$\$']
depends_on: { pg: { condition: healthy } }
restart: "no"
EOF
# A file system of the appliance's own: svd must unmount it at poweroff,
# after stopping the service that writes to it.
truncate -s 16M "$D/data.img"
mkfs.ext4 -q -F "$D/data.img"
cat > "$D/services/data-mount.yaml" <<EOF
type: oneshot
sandbox: { capabilities: all, seccomp: none }
command: [/bin/sh, -c, 'modprobe loop 2>/dev/null; mkdir -p /mnt/data && mount -o loop $D/data.img /mnt/data && mkdir -p /mnt/data/tmp && mount -t tmpfs tmpfs /mnt/data/tmp']
EOF
cat > "$D/services/data-writer.yaml" <<EOF
command: [/bin/sh, -c, 'exec 3>>/mnt/data/writer.log; while :; do date >&3; sleep 0.2; done']
depends_on: { data-mount: { condition: completed } }
EOF
# Block devices of the appliance's own, for svd to take apart at poweroff:
# swap on a RAM disk (brd; swap on tmpfs is not possible), a loop device over
# a file in /tmp (the guest's overlay) and two stacked dm-linear devices over
# another (svdtop on svdlow on a loop device): top-down, then the loop. After
# the critical chain, so that boot 2's overhead figures do not include it.
cat > "$D/services/blockdevs.yaml" <<EOF
type: oneshot
sandbox: { capabilities: all, seccomp: none }
depends_on: { app: { condition: completed } }
command: [/bin/sh, -ec, 'modprobe brd rd_nr=1 rd_size=8192; modprobe loop; modprobe dm_mod; mkswap -q /dev/ram0 && swapon /dev/ram0; truncate -s 4M /tmp/svd-loopa.img /tmp/svd-loopb.img; losetup -f /tmp/svd-loopa.img; b=\$(losetup -f --show /tmp/svd-loopb.img); dmsetup --noudevsync create svdlow --table "0 8192 linear \$b 0"; dmsetup --noudevsync create svdtop --table "0 8192 linear \$(dmsetup info -c --noheadings -o major,minor svdlow) 0"; cat /proc/swaps; losetup -a; dmsetup ls']
EOF
# If anything above fails the VM must still end: power off after a deadline.
cat > "$D/services/deadline.yaml" <<EOF
command: [/bin/sh, -c, 'sleep 300; echo "deadline reached" > $D/out/deadline; $SVCTL -s $SOCK poweroff']
EOF
# stubborn is running once spawned, before its sh ran the trap: a SIGTERM
# before it would end it at once, and the poweroff waits for its marker
cat > "$D/services/stubborn.yaml" <<EOF
command: [/bin/sh, -c, 'trap "" TERM; : > $D/out/stubborn.trapped; sleep 1000 & sleep 1000 & while :; do sleep 1; done']
stop: { timeout: 2s }
EOF
cat > "$D/services/report.yaml" <<EOF
environment: { ASAN_OPTIONS: detect_leaks=0 }   # a sanitizer build of svctl under seccomp
command: [/bin/sh, -c, 'until $SVCTL -s $SOCK status --boot | grep -q "^boot settled"; do sleep 0.2; done; until [ -e $D/out/stubborn.trapped ]; do sleep 0.2; done; $SVCTL -s $SOCK status --json > $D/out/status.json; python3 $TOP_SRCDIR/tests/helpers/ctl.py $SOCK "{\\"v\\":1,\\"op\\":\\"status\\"}" > $D/out/raw.json; hostname > $D/out/hostname; cat /proc/self/mountinfo > $D/out/mounts; cat /sys/class/net/lo/flags > $D/out/loflags; cat /proc/1/cgroup > $D/out/pid1.cgroup; ls /sys/fs/cgroup/svd > $D/out/svdcg; date +%s.%N > $D/out/poweroff.at; $SVCTL -s $SOCK poweroff; exec sleep 1000']
depends_on: { app: { condition: completed }, blockdevs: { condition: completed }, stubborn: { condition: started }, data-writer: { condition: started } }
EOF

boot() {
        local rc=0 t0 t1
        t0=$(date +%s.%N)
        "$VMRUN" --init ${2:-} --timeout 420 -- "$SVD" -c "$D/etc/svd.yaml" > "$D/console.$1" 2>&1 || rc=$?
        t1=$(date +%s.%N)
        [ "$rc" = 0 ] || fail "boot $1: vmrun exited $rc"
        echo "boot $1: $(python3 -c "print(round($t1 - $t0, 1))") s (VM included)"
        # unmounted in reverse order, after data-writer stopped; clean on disk
        grep -q 'init: unmounted /mnt/data/tmp (tmpfs)' "$D/console.$1" || fail "boot $1: /mnt/data/tmp not unmounted"
        grep -q 'init: unmounted /mnt/data (ext4)' "$D/console.$1" || fail "boot $1: /mnt/data not unmounted"
        ! grep 'init: cannot unmount /mnt/data' "$D/console.$1" || fail "boot $1: unmount failure logged"
        grep 'init: file systems:' "$D/console.$1"
        # swap off, the DM stack removed top-down, the loop devices detached
        local c="$D/console.$1"
        grep -q 'init: swapoff /dev/ram0' "$c" || fail "boot $1: no swapoff of /dev/ram0"
        grep -q 'init: removed dm device svdtop' "$c" || fail "boot $1: svdtop not removed"
        grep -q 'init: removed dm device svdlow' "$c" || fail "boot $1: svdlow not removed"
        [ "$(grep -n 'removed dm device svdtop' "$c" | cut -d: -f1)" -lt \
          "$(grep -n 'removed dm device svdlow' "$c" | cut -d: -f1)" ] || fail "boot $1: DM stack not removed top-down"
        grep -q 'init: detached /dev/loop[0-9]* (/tmp/svd-loopa.img)' "$c" || fail "boot $1: loop over svd-loopa.img not detached"
        grep -q 'init: detached /dev/loop[0-9]* (/tmp/svd-loopb.img)' "$c" || fail "boot $1: loop under the DM stack not detached"
        ! grep -E 'init: (swapoff .*: |cannot detach|cannot remove)' "$c" || fail "boot $1: detach failure logged"
        grep -E 'init: (swapoff|removed dm|detached) ' "$c"
        [ "$(grep -c 'all services stopped' "$c")" = 1 ] || fail "boot $1: 'all services stopped' logged $(grep -c 'all services stopped' "$c") times"
        dumpe2fs -h "$D/data.img" 2>/dev/null | grep -q '^Filesystem state: *clean$' || fail "boot $1: ext4 image not clean"
        e2fsck -fn "$D/data.img" > "$D/fsck.$1" 2>&1 || { cat "$D/fsck.$1" >&2; fail "boot $1: e2fsck"; }
}

boot 1
[ -f "$D/out/status.json" ] || fail "boot 1: report did not run"
[ -f "$D/out/deadline" ] && fail "boot 1: the deadline powered off, not the stack"
assert_status() {
        python3 - "$D/out/status.json" <<'EOF' || fail "status after boot"
import json, sys
d = json.load(open(sys.argv[1]))
s = {x["name"]: x for x in d["services"]}
assert s["pg"]["state"] == "running" and s["pg"]["health"] == "healthy", s["pg"]
assert s["pg-init"]["state"] == "exited" and s["app"]["state"] == "exited", (s["pg-init"], s["app"])
assert s["stubborn"]["state"] == "running"
EOF
}
assert_status
[ "$(cat "$D/out/hostname")" = svd-appliance ] || fail "hostname: $(cat "$D/out/hostname")"
grep -q 'database system is shut down' "$D/log/pg.log" || fail "boot 1: no clean PostgreSQL shutdown"
grep -q 'stubborn: did not stop within its timeout' "$D/console.1" || fail "stubborn was not killed at its timeout"
grep -q 'init: poweroff' "$D/console.1" || fail "no poweroff"
grep 'boot: settled' "$D/console.1" || true
cp "$D/log/pg.log" "$D/pg.boot1.log"

rm -f "$D/out/status.json" "$D/out/mounts" "$D/out/loflags" "$D/out/pid1.cgroup" "$D/out/svdcg" "$D/out/stubborn.trapped"
# Boot 2 like after a bare initramfs (vmrun --bare: only /proc, /sys, /dev
# and /run): svd mounts /dev/pts, /dev/shm and cgroup2 and brings up lo
# itself, or PostgreSQL (shared memory, 127.0.0.1) and the cgroups fail.
boot 2 --bare
[ -f "$D/out/status.json" ] || fail "boot 2: report did not run"
assert_status
mnt() { awk -v p="$1" '$5 == p { for (i = 7; $i != "-"; i++); print $(i + 1), $6, $(i + 3) }' "$D/out/mounts"; }
mnt /sys/fs/cgroup | grep -q '^cgroup2 .* .*memory_recursiveprot' || fail "boot 2: cgroup2 not mounted by svd: $(mnt /sys/fs/cgroup)"
mnt /dev/pts | grep -q '^devpts ' || fail "boot 2: /dev/pts: $(mnt /dev/pts)"
mnt /dev/shm | grep -q '^tmpfs ' || fail "boot 2: /dev/shm: $(mnt /dev/shm)"
mnt /run | grep -q '^tmpfs ' || fail "boot 2: /run: $(mnt /run)"
# PID 1 stays in the root cgroup (exempt from the no-internal-processes
# rule: a move would cost an RCU grace period per boot); no supervisor
# cgroup is made for it, and its services' leaves are below svd/
[ "$(cat "$D/out/pid1.cgroup")" = "0::/" ] || fail "boot 2: svd (PID 1) in $(cat "$D/out/pid1.cgroup"), not the root"
! grep -qx supervisor "$D/out/svdcg" || fail "boot 2: a supervisor cgroup was made for PID 1"
grep -qx pg.service "$D/out/svdcg" || fail "boot 2: no svd/pg.service: $(tr '\n' ' ' < "$D/out/svdcg")"
[ $(( $(cat "$D/out/loflags") & 1 )) = 1 ] || fail "boot 2: lo not up (flags $(cat "$D/out/loflags"))"
echo "boot 2 (bare): svd mounted $(for p in /dev/pts /dev/shm /sys/fs/cgroup; do printf '%s=%s ' "$p" "$(mnt "$p" | cut -d' ' -f1)"; done)and brought up lo"
cat "$D"/out/app.* | sort | tr '\n' ' ' | grep -q '2' || fail "boot 2 did not see boot 1's row: $(cat "$D"/out/app.*)"
tail -n +$(( $(wc -l < "$D/pg.boot1.log") + 1 )) "$D/log/pg.log" > "$D/pg.boot2.log"
if grep -Eq 'was interrupted|automatic recovery|crash' "$D/pg.boot2.log"; then
        fail "boot 2: PostgreSQL ran crash recovery"
fi
grep 'boot: settled' "$D/console.2" || true
# svd's share of the boot (see the helper for what is counted as what)
python3 "$TOP_SRCDIR/tests/helpers/boot_overhead.py" "$D/out/raw.json" "boot 2"
# Say what was measured: CI builds with sanitizers, which roughly double
# svd's CPU work; a release build shows svd as shipped.
if ldd "$SVD" 2>/dev/null | grep -q libasan; then
        echo "boot 2: (svd is an ASan+UBSan build; the figures of a release build are lower)"
fi
echo "boot: ok"

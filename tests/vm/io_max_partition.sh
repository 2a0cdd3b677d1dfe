#!/bin/bash
# io_max naming a partition, in a VM (run by `make check-vm`): the kernel
# takes io.max for a whole disk only and refuses a partition with ENODEV,
# so such a line failed every start with "No such device" about a device
# that exists. It is refused when the configuration is loaded (here at
# svctl reload), naming the key and the partition; the whole disk works.
. "$(dirname "$0")/../integration/lib.sh"
grep -qw io /sys/fs/cgroup/cgroup.controllers 2>/dev/null || { echo "not in a cgroup v2 VM"; exit 77; }
modprobe brd rd_nr=1 rd_size=8192 max_part=4 || fail "modprobe brd"
# an MBR with one Linux partition: sectors 2048..8191
{ head -c 446 /dev/zero
  printf '\x00\x00\x00\x00\x83\x00\x00\x00\x00\x08\x00\x00\x00\x18\x00\x00'
  head -c 48 /dev/zero
  printf '\x55\xaa'; } > "$T/mbr"
dd if="$T/mbr" of=/dev/ram0 bs=512 count=1 conv=notrunc status=none || fail "writing the MBR"
blockdev --rereadpt /dev/ram0 || fail "rereadpt"
wait_for test -b /dev/ram0p1
[ -e "/sys/dev/block/$(printf '%d:%d' 0x"$(stat -c %t /dev/ram0p1)" 0x"$(stat -c %T /dev/ram0p1)")/partition" ] ||
        fail "ram0p1 is no partition"

service disk <<EOF
command: [sleep, "100000"]
resources: { io_max: ["/dev/ram0 wbps=1M"] }
EOF
start_svd
wait_state disk running 30
assert_eq "$(cat "$(field disk cgroup)/io.max")" "1:0 rbps=max wbps=1048576 riops=max wiops=max" "the disk's io.max"

service disk <<EOF
command: [sleep, "100000"]
resources: { io_max: ["/dev/ram0p1 wbps=1M"] }
EOF
! svctl reload > "$T/reload.out" 2>&1 || fail "reload took a partition: $(cat "$T/reload.out")"
grep -q "disk.yaml:2:.*resources.io_max\[0\]: /dev/ram0p1 is a partition" "$T/reload.out" ||
        fail "error: $(cat "$T/reload.out")"
assert_eq "$(field disk state)" running "disk, after the refused reload"

#!/bin/bash
# An exec health check inherits only 0, 1 and 2, also when its cgroup below
# the service's leaf (svd-check) cannot be made and it runs in the leaf
# itself: svd used dup() for the leaf's descriptors then, which leaves them
# open across exec, and the check got the service's cgroup directory and a
# cgroup.procs opened by root (a check running as another user could move
# processes with it). Run in a VM with a pure cgroup v2 hierarchy (`make
# check-vm`).
. "$(dirname "$0")/../integration/lib.sh"
grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null || { echo "not in a cgroup v2 VM"; exit 77; }
echo "cgroups: required" >> "$T/etc/svd.yaml"
R="$TOP_BUILDDIR/tests/helpers/inherit-report"
[ -x "$R" ] || fail "missing $R (make check builds it)"
: > "$T/out/go"
service web <<EOF
command: [sleep, "100000"]
healthcheck:
  exec: [/bin/sh, -c, 'test -e $T/out/go || exec $R $T/out/check.\$\$']
  interval: 300ms
EOF
start_svd
wait_field web health healthy 30
cg=$(field web cgroup)
[ -n "$cg" ] && [ -d "$cg/svd-check" ] || fail "web has no check cgroup: '$cg'"
# no room for a check cgroup below the leaf from now on
echo 0 > "$cg/cgroup.max.descendants"
wait_for rmdir "$cg/svd-check"
rm "$T/out/go"
wait_for sh -c "ls $T/out/check.* > /dev/null 2>&1"
f=$(ls "$T"/out/check.* | head -n 1)
fds=$(sed -n 's/^fds=//p' "$f")
case "$fds" in
"0:/dev/null 1:pipe:"*" 2:pipe:"*) ;;
*) fail "the check's descriptors: $fds" ;;
esac
[ "$(echo "$fds" | wc -w)" = 3 ] || fail "the check inherited more than 0, 1, 2: $fds"
stop_svd
echo "health_check_fds: ok"

#!/bin/bash
# hostname: as PID 1 (of a PID and UTS namespace: unshare --pid --uts
# --fork --mount-proc), svd sets it at boot and again at a reload that
# changes it; a reload used to accept the new name and keep the old one
# until the next boot, with nothing said.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "needs root for unshare"; exit 77; }
unshare --pid --uts --fork --mount-proc true 2>/dev/null || { echo "unshare --pid --uts not permitted here"; exit 77; }

cp "$T/etc/svd.yaml" "$T/etc/base.yaml"
printf 'cgroups: optional\nhostname: first-name\n' >> "$T/etc/svd.yaml"
service idle <<EOF
command: [sleep, "1000"]
EOF
unshare --pid --uts --fork --mount-proc "$SVD" -c "$T/etc/svd.yaml" > "$T/svd.out" 2>&1 &
UNSHARE=$!
ns_svd "$UNSHARE"
wait_state idle running
ns_hostname() { nsenter --uts --target "$SVD_PID" hostname; }
assert_eq "$(ns_hostname)" "first-name" "hostname at boot"

cp "$T/etc/base.yaml" "$T/etc/svd.yaml"
printf 'cgroups: optional\nhostname: second-name\n' >> "$T/etc/svd.yaml"
svctl reload > /dev/null || fail "reload"
wait_for grep -q "reload: done" "$T/svd.out"
assert_eq "$(ns_hostname)" "second-name" "hostname after a reload that changed it"
grep -q "init: hostname set to second-name" "$T/svd.out" || fail "the change is not logged"

svctl poweroff > /dev/null || fail "svctl poweroff"
wait "$UNSHARE" || true
SVD_PID=
echo "pid1_hostname: ok"

#!/bin/bash
# The cgroups of what a reload removes go, in a VM with a pure cgroup v2
# hierarchy (run by `make check-vm`): a removed slice goes with the slices
# below it, whatever order their names sort in (a child slice named before
# its parent once left the parent's directory behind: it was tried first,
# while the child was still in it); a removed service's leaf goes with the
# cgroups the service made below it (a root service, or one it delegated
# to, may), as it does when svd stops; a leaf removed from outside while
# its service is down (an operator's rmdir) is made again at its next
# start, not left failing on the descriptors of the removed one.
. "$(dirname "$0")/../integration/lib.sh"
grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null || { echo "not in a cgroup v2 VM"; exit 77; }
echo "cgroups: required" >> "$T/etc/svd.yaml"

# "api" sorts before its parent "web"
cat > "$T/cgroups/web.yaml" <<EOF2
memory_max: 200M
EOF2
cat > "$T/cgroups/api.yaml" <<EOF2
parent: web
EOF2
service app <<EOF2
command: [sleep, "100000"]
slice: api
EOF2
# nest: cgroups of its own below its leaf, a process in the deepest
for n in nest keep; do
service $n <<EOF2
command: [/bin/sh, -c, 'cg=/sys/fs/cgroup\$(sed -n "s/^0:://p" /proc/self/cgroup); mkdir -p \$cg/inner/deeper \$cg/empty && (echo 0 > \$cg/inner/deeper/cgroup.procs; exec sleep 100000) & exec sleep 100000']
EOF2
done
start_svd
wait_state app running 30
wait_state nest running 30
wait_state keep running 30
nest=$(field nest cgroup)
keep=$(field keep cgroup)
populated() { grep -qx "populated 1" "$1/cgroup.events"; }
wait_for populated "$nest/inner/deeper"
wait_for populated "$keep/inner/deeper"
leaf=$(field app cgroup)
api=$(dirname "$leaf")
web=$(dirname "$api")
assert_eq "$(basename "$web")/$(basename "$api")" "web.slice/api.slice" "slice directories"

rm "$T/services/app.yaml" "$T/cgroups/api.yaml" "$T/cgroups/web.yaml" "$T/services/nest.yaml"
svctl reload > "$T/reload.out" 2>&1 || fail "reload: $(cat "$T/reload.out")"
gone() { [ -z "$(svctl status --json | jq -r '.services[] | select(.name == "app" or .name == "nest") | .name')" ]; }
wait_for gone
[ ! -d "$nest" ] || fail "nest's leaf $nest left behind: $(find "$nest" -type d | tr '\n' ' ')"
[ ! -d "$leaf" ] || fail "app's leaf $leaf left behind"
[ ! -d "$api" ] || fail "slice api's $api left behind"
[ ! -d "$web" ] || fail "slice web's $web left behind"
svctl stop keep > /dev/null
wait_state keep stopped 30
[ -d "$keep" ] || fail "keep's leaf went at its stop"
rmdir "$keep/inner/deeper" "$keep/inner" "$keep/empty" "$keep" || fail "rmdir of keep's leaf"
svctl start keep > /dev/null || true
wait_state keep running 30
[ -d "$keep" ] || fail "keep's leaf not made again"
assert_eq "$(cat "$keep/cgroup.procs" | head -1)" "$(field keep pid)" "keep's main process in its new leaf"
wait_for populated "$keep/inner/deeper"
stop_svd || fail "svd exit status"
[ ! -d "$keep" ] || fail "keep's leaf $keep left behind by svd's stop: $(find "$keep" -type d | tr '\n' ' ')"
echo "cgroup_remove: ok"

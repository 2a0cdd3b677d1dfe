#!/bin/bash
# deb: dpkg-buildpackage builds svd_<version>_<arch>.deb from a copy of the
# tree under /tmp (the checkout is never touched); lintian reports no errors;
# the package holds the expected paths; what its maintainer scripts run is
# Essential or in Depends; unpacked into a throwaway root, its
# svd --check accepts its own /etc/svd/svd.yaml; then, in a throwaway VM
# (vmrun), dpkg -i runs postinst for real (svadm, directories), svd --check
# -c /etc/svd/svd.yaml passes, svd sends READY=1 while supervising a
# service, svd.service's ExecReload applies a changed configuration and
# fails on a broken one; under it, an upgrade (version B: the same package repacked with
# a higher Version) leaves svd's and the service's PIDs as they were, svd
# running the new /usr/sbin/svd (postinst's daemon-reexec), not the deleted
# file, postinst naming svd by its version reply (pid, start time, boot
# id), or by the socket's inode for an older svd that sends none; postinst after a replacement by a binary of another state format
# succeeds, nothing changes, and it says why and what to run; prerm remove
# is refused under svd as PID 1 (of a PID namespace); dpkg -r under the
# running svd warns and stops nothing, purge keeps the directories it
# writes to while it runs; dpkg -r / -P clean up. No maintainer script
# stops svd.service on upgrade or removal.
# `make deb` runs this and keeps the .deb (DEB_OUT); SVD_DEB_VM=0 skips the
# VM. Skipped (77) without dpkg-buildpackage.
set -euo pipefail
top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
command -v dpkg-buildpackage >/dev/null || { echo "SKIP: dpkg-buildpackage missing"; exit 77; }
command -v dh >/dev/null || { echo "SKIP: debhelper missing"; exit 77; }
# the build dependencies (libyaml-dev ...) are what ./configure needed too
dpkg-checkbuilddeps "$top/debian/control" >/dev/null 2>&1 ||
        { echo "SKIP: build dependencies missing: $(dpkg-checkbuilddeps "$top/debian/control" 2>&1)"; exit 77; }

W=$(mktemp -d /tmp/svd-deb.XXXXXX)
trap 'rm -rf "$W"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

version=$(sed -n '1s/^svd (\([^)]*\)).*/\1/p' "$top/debian/changelog")
src="$W/svd-$version"
mkdir -p "$src"
# sources only: what git knows (tracked and not ignored), else the tree
# without build output
if git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        (cd "$top" && git ls-files -co --exclude-standard -z | xargs -0 tar -cf - --no-recursion) | tar -C "$src" -xf -
else
        tar -C "$top" -cf - --exclude=.git --exclude='*.o' --exclude='*.lo' --exclude='*.la' --exclude=.libs \
                --exclude=.deps --exclude=autom4te.cache --exclude=config.status --exclude=config.log \
                --exclude=libtool --exclude=Makefile --exclude='*.log' --exclude='*.trs' --exclude=node_modules \
                --exclude=./svd --exclude=./svctl --exclude=./svd-probe --exclude=./svd-fdstore --exclude='./tests/unit/check_[a-z_]*[a-z]' \
                --exclude=debian/svd --exclude='debian/.debhelper' . | tar -C "$src" -xf -
fi

echo "deb: building in $src"
start=$(date +%s)
(cd "$src" && DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" dpkg-buildpackage -us -uc -b) \
        > "$W/build.log" 2>&1 || { tail -n 60 "$W/build.log"; fail "dpkg-buildpackage failed"; }
echo "deb: built in $(( $(date +%s) - start ))s"
arch=$(dpkg --print-architecture)
deb="$W/svd_${version}_${arch}.deb"
[ -f "$deb" ] || fail "no $deb: $(ls "$W")"

# lintian: no errors (warnings are printed for the record)
if command -v lintian >/dev/null; then
        lintian --tag-display-limit 0 "$deb" > "$W/lintian.out" 2>&1 || true
        cat "$W/lintian.out"
        if grep -q '^E: ' "$W/lintian.out"; then fail "lintian reports errors"; fi
else
        echo "deb: lintian missing, not checked"
fi

dpkg -c "$deb" | awk '{print $6}' | sed 's|^\./|/|; s|/$||' > "$W/contents"
for p in /usr/sbin/svd /usr/bin/svctl /usr/libexec/svd/svd-probe /usr/libexec/svd/svd-fdstore \
        /etc/svd/svd.yaml /etc/svd/services /etc/svd/cgroups \
        /usr/share/man/man8/svd.8.gz /usr/share/man/man8/svctl.8.gz /usr/share/man/man5/svd.yaml.5.gz \
        /usr/share/bash-completion/completions/svctl /lib/systemd/system/svd.service; do
        grep -qx "$p" "$W/contents" || fail "$p not in the package: $(cat "$W/contents")"
done
dpkg-deb -f "$deb" Depends | grep -qv 'postgresql\|nodejs\|redis' || fail "the stack is in Depends"
dpkg-deb -f "$deb" Suggests | grep -q postgresql || fail "postgresql not suggested"
dpkg-deb -e "$deb" "$W/control"
grep -qx /etc/svd/svd.yaml "$W/control/conffiles" || fail "svd.yaml is not a conffile"
# what the maintainer scripts run comes from an Essential package (awk too:
# base-files pre-depends on it) or from one in Depends: an appliance image
# may hold the Essential set only (mmdebstrap --variant=essential), where
# the rest is missing and postinst would fail
depends=" $(dpkg-deb -f "$deb" Depends | sed 's/([^)]*)//g; s/[,|]/ /g' | tr -s ' \t' '  ') "
for c in groupadd getent install chown chmod dpkg-statoverride find sed grep cut paste readlink cat rm sleep tr; do
        grep -qw -- "$c" "$W/control/postinst" "$W/control/prerm" "$W/control/postrm" || continue
        p=$(dpkg -S "bin/$c" 2>/dev/null | grep -E ": (/usr)?/s?bin/$c\$" | head -n 1 | cut -d: -f1) || true
        [ -n "$p" ] || fail "the maintainer scripts run $c, which no installed package provides here"
        [ "$(dpkg-query -W -f '${Essential}' "$p")" = yes ] || [[ "$depends" == *" $p "* ]] ||
                fail "the maintainer scripts run $c, from $p, which is neither Essential nor in Depends:$depends"
done
# an upgrade or a removal never stops svd.service (debhelper's preinst does
# with --no-start alone): that would stop every service, and --no-start
# would leave them stopped
for f in preinst prerm postrm; do
        if [ -e "$W/control/$f" ] && grep -n '^[[:space:]]*\(deb-systemd-invoke\|systemctl\|invoke-rc\.d\) .*stop' "$W/control/$f"; then
                fail "$f stops svd.service: $(cat "$W/control/$f")"
        fi
done

# version B, an upgrade of A (the same files, a higher Version), for the
# upgrade under a running svd in the VM
version_b="$version+up1"
dpkg-deb -R "$deb" "$W/pkg_b"
sed -i "s/^Version: .*/Version: $version_b/" "$W/pkg_b/DEBIAN/control"
dpkg-deb -Zgzip -b "$W/pkg_b" "$W/svd_b.deb" > /dev/null

# unpacked into a throwaway root, svd checks its own installed configuration
root="$W/root"
dpkg -x "$deb" "$root"
grep -q '^services_dir: services' "$root/etc/svd/svd.yaml" || fail "installed svd.yaml: services_dir"
grep -q '^log_dir: /var/log/svd' "$root/etc/svd/svd.yaml" || fail "installed svd.yaml: log_dir"
grep -q '^run_dir: /run/svd' "$root/etc/svd/svd.yaml" || fail "installed svd.yaml: run_dir"
"$root/usr/sbin/svd" --version | grep -qx "svd $version" || fail "svd --version"
check() { "$root/usr/sbin/svd" --check -c "$root/etc/svd/svd.yaml"; }
if getent group svadm >/dev/null; then
        check || fail "svd --check of the installed configuration"
elif [ "$(id -u)" = 0 ] && command -v unshare >/dev/null; then
        # postinst (not run by dpkg -x) creates svadm: stand in for it in a
        # private mount namespace instead of changing this host's groups
        cp /etc/group "$W/group"
        echo "svadm:x:999:" >> "$W/group"
        unshare -m sh -c 'mount --bind "$1" /etc/group && exec "$2" --check -c "$3"' sh \
                "$W/group" "$root/usr/sbin/svd" "$root/etc/svd/svd.yaml" || fail "svd --check of the installed configuration"
else
        sed 's/^admin_group:/# &/' "$root/etc/svd/svd.yaml" > "$root/etc/svd/check.yaml"
        "$root/usr/sbin/svd" --check -c "$root/etc/svd/check.yaml" || fail "svd --check (without admin_group)"
fi
"$root/usr/sbin/svd" --help | grep -q 'default /etc/svd/svd.yaml' || fail "svd --help: default config is not /etc/svd/svd.yaml"
"$root/usr/bin/svctl" --help | grep -q 'else /run/svd/control.sock' || fail "svctl --help: default socket"
# svd's built-in run_dir (debhelper's --runstatedir=/run): the same socket
printf '# nothing set: built-in defaults\n' > "$W/defaults.yaml"
out=$("$root/usr/sbin/svd" --check -c "$W/defaults.yaml" 2>&1) || fail "svd --check of an empty main file: $out"
grep -qx 'control socket: /run/svd/control.sock' <<< "$out" || fail "svd --check: built-in control socket: $out"
grep -qx 'state: /var/lib/svd, logs: /var/log/svd, runtime files: /run/svd' <<< "$out" ||
        fail "svd --check: built-in state, log and run dirs: $out"

# dpkg -i for real, in a throwaway VM (the host's root, read-only, under a
# RAM overlay: this host's dpkg database and groups are never touched):
# postinst creates svadm and the directories, svd --check accepts the
# installed configuration, svd started as svd.service would be sends READY=1
# (Type=notify) and answers svctl on the default socket, remove keeps the
# conffile, purge removes it with the logs.
VMRUN=${VMRUN:-$top/../shared/vm/vmrun}
if [ "${SVD_DEB_VM:-1}" = 0 ]; then
        echo "deb: SVD_DEB_VM=0: dpkg -i not tested"
elif [ "$(id -u)" != 0 ] || [ ! -x "$VMRUN" ]; then
        echo "deb: no vmrun ($VMRUN) or not root: dpkg -i not tested, only dpkg -x"
else
        cat > "$W/guest.sh" <<'GUEST'
set -eu
deb=$1 version=$2 deb_b=$3 version_b=$4
gfail() { echo "FAIL (in the VM): $*" >&2; exit 1; }
rm -f /var/lib/man-db/auto-update # no man-db trigger run (minutes under TCG)
! getent group svadm >/dev/null || groupdel svadm # (in the VM only): postinst must create it
# svd run from a source build before the package creates its log directory
# 0755 root: postinst must still give it its owner and mode
rm -rf /var/log/svd && install -d -m 0755 /var/log/svd
DEBIAN_FRONTEND=noninteractive dpkg -i "$deb" > dpkg-i.out 2>&1 || { cat dpkg-i.out; gfail "dpkg -i"; }
dpkg-query -W -f '${Status} ${Version}\n' svd | grep -qx "install ok installed $version" || gfail "dpkg status: $(dpkg-query -W svd)"
getent group svadm >/dev/null || gfail "postinst did not create the svadm group"
[ "$(getent group svadm | cut -d: -f3)" -lt 1000 ] || gfail "svadm is not a system group"
[ "$(stat -c '%a %U %G' /var/log/svd)" = "750 root svadm" ] || gfail "/var/log/svd: $(stat -c '%a %U %G' /var/log/svd)"
[ "$(stat -c '%a %U %G' /var/lib/svd)" = "755 root root" ] || gfail "/var/lib/svd: $(stat -c '%a %U %G' /var/lib/svd)"
for d in /etc/svd/services /etc/svd/cgroups; do [ -d $d ] || gfail "$d missing"; done
/usr/sbin/svd --check -c /etc/svd/svd.yaml > check.out 2>&1 || { cat check.out; gfail "svd --check -c /etc/svd/svd.yaml"; }
[ "$(svd --version)" = "svd $version" ] || gfail "svd --version: $(svd --version)"
if command -v systemd-analyze >/dev/null; then
        systemd-analyze verify /lib/systemd/system/svd.service > verify.out 2>&1 || { cat verify.out; gfail "systemd-analyze verify svd.service"; }
fi
grep -qx 'Type=notify' /lib/systemd/system/svd.service || gfail "svd.service is not Type=notify"

# svd.service's ExecStart, with the NOTIFY_SOCKET systemd would give it,
# supervising one service (for the upgrade below)
printf 'command: [sleep, "100000"]\n' > /etc/svd/services/sleeper.yaml
python3 - > notify.out 2>&1 <<'PY' &
import socket, os
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/run/notify.sock"); open("/run/notify.bound", "w").close()
s.settimeout(120)
while True:
    msg = s.recv(4096).decode()
    print(msg.replace("\n", " "), flush=True)
    if "READY=1" in msg.split("\n"):
        break
PY
NPID=$!
for _ in $(seq 200); do [ -e /run/notify.bound ] && break; sleep 0.1; done
NOTIFY_SOCKET=/run/notify.sock /usr/sbin/svd -c /etc/svd/svd.yaml > svd.out 2>&1 &
SPID=$!
wait $NPID || { cat svd.out; gfail "no READY=1 from svd: $(cat notify.out)"; }
grep -q 'READY=1' notify.out || gfail "notify: $(cat notify.out)"
svctl status > status.out 2>&1 || { cat status.out svd.out; gfail "svctl status on the default socket"; }
svctl reopen-logs > /dev/null || gfail "svctl reopen-logs"
grep -q 'op=reopen_logs result=ok' /var/log/svd/audit.log || gfail "audit.log in /var/log/svd: $(cat /var/log/svd/audit.log 2>&1)"
[ "$(stat -c '%a %G' /var/log/svd/audit.log)" = "640 svadm" ] || gfail "audit.log: $(stat -c '%a %G' /var/log/svd/audit.log)"

# systemctl reload svd: the unit's ExecReload, run as systemd would (no
# shell of its own, $MAINPID set), starts a service added since; on a broken
# configuration it fails, naming the file, and nothing changes
reload_cmd=$(sed -n 's/^ExecReload=//p' /lib/systemd/system/svd.service)
[ -n "$reload_cmd" ] || gfail "svd.service has no ExecReload: 'systemctl reload svd' is refused"
svc_state() { svctl status --json 2>/dev/null | jq -r --arg n "$1" '.services[] | select(.name == $n) | .state'; }
printf 'command: [sleep, "100001"]\n' > /etc/svd/services/sleeper2.yaml
MAINPID=$SPID sh -c "$reload_cmd" > reload.out 2>&1 || { cat reload.out svd.out; gfail "ExecReload ($reload_cmd) failed"; }
for _ in $(seq 600); do [ "$(svc_state sleeper2)" = running ] && break; sleep 0.1; done
[ "$(svc_state sleeper2)" = running ] || { cat reload.out svd.out; gfail "ExecReload did not start the added service"; }
printf 'command: [sleep\n' > /etc/svd/services/broken.yaml
rc=0
MAINPID=$SPID sh -c "$reload_cmd" > reload-bad.out 2>&1 || rc=$?
[ $rc != 0 ] || { cat reload-bad.out; gfail "ExecReload succeeded with a broken configuration"; }
grep -q 'broken.yaml:' reload-bad.out || gfail "ExecReload's failure does not name the file: $(cat reload-bad.out)"
[ "$(svc_state sleeper2)" = running ] || gfail "a refused ExecReload changed the running services"
[ -z "$(svc_state broken)" ] || gfail "a refused ExecReload added the broken service"
rm /etc/svd/services/broken.yaml /etc/svd/services/sleeper2.yaml
MAINPID=$SPID sh -c "$reload_cmd" > reload-rm.out 2>&1 || { cat reload-rm.out; gfail "ExecReload after removing a service"; }
for _ in $(seq 600); do [ -z "$(svc_state sleeper2)" ] && break; sleep 0.1; done
[ -z "$(svc_state sleeper2)" ] || gfail "ExecReload did not remove the service: $(svc_state sleeper2)"

# the upgrade under the running svd: nothing restarts, the new file runs
svc_pid() { svctl status --json 2>/dev/null | jq -r '.services[] | select(.name == "sleeper" and .state == "running") | .pid'; }
P=$(svc_pid)
[ -n "$P" ] || { cat svd.out; gfail "sleeper is not running"; }
DEBIAN_FRONTEND=noninteractive dpkg -i "$deb_b" > dpkg-up.out 2>&1 || { cat dpkg-up.out svd.out; gfail "dpkg -i (B)"; }
cat dpkg-up.out
dpkg-query -W -f '${Status} ${Version}\n' svd | grep -qx "install ok installed $version_b" || gfail "dpkg status after the upgrade: $(dpkg-query -W svd)"
kill -0 $SPID 2>/dev/null || { cat svd.out; gfail "svd ended during the upgrade"; }
exe=$(readlink /proc/$SPID/exe)
[ "$exe" = /usr/sbin/svd ] || { cat svd.out; gfail "after the upgrade svd runs '$exe', not the new /usr/sbin/svd"; }
[ "$(svc_pid)" = "$P" ] || gfail "sleeper's pid changed in the upgrade: $P -> $(svc_pid)"
grep -q 'daemon-reexec: 1 services taken over' svd.out || { cat svd.out; gfail "svd's log shows no daemon-reexec"; }
grep -q "svd (pid $SPID) now runs the new /usr/sbin/svd" dpkg-up.out || gfail "postinst did not report the re-exec"
grep -q "svd (pid $SPID), on /run/svd/control.sock, runs the replaced binary" dpkg-up.out ||
        gfail "postinst did not name the svd answering on the socket"
# the version reply names that process: pid, start time, boot
stat_start() { sed -n 's/^.*) //p' "/proc/$1/stat" | cut -d' ' -f20; }
v=$(svctl version --json)
[ "$(echo "$v" | jq -r .pid)" = "$SPID" ] || gfail "svctl version --json: pid: $v (svd: $SPID)"
[ "$(echo "$v" | jq -r .pid_start)" = "$(stat_start $SPID)" ] || gfail "svctl version --json: pid_start: $v (/proc: $(stat_start $SPID))"
[ "$(echo "$v" | jq -r .boot_id)" = "$(cat /proc/sys/kernel/random/boot_id)" ] || gfail "svctl version --json: boot_id: $v"
svctl version | grep -q "pid $SPID)" || gfail "svctl version: $(svctl version)"

# postinst again, svd running a replaced file (a copy renamed over it):
# through a symlink to the socket's directory (not the path in
# /proc/net/unix), the version reply alone names svd; with an svd older
# than the reply's pid, pid_start and boot_id (an upgrade from the previous
# package talks to one: this svctl prints null for them), the socket's inode
# does. Either way svd is re-executed, its service untouched.
replace_svd() {
        cp /usr/sbin/svd /usr/sbin/svd.new && mv /usr/sbin/svd.new /usr/sbin/svd
        [ "$(readlink /proc/$SPID/exe)" = "/usr/sbin/svd (deleted)" ] || gfail "svd after a replacement: $(readlink /proc/$SPID/exe)"
}
ln -s /run/svd /run/svd-link
replace_svd
SVD_SOCKET=/run/svd-link/control.sock /var/lib/dpkg/info/svd.postinst configure "$version" > postinst-link.out 2>&1 ||
        { cat postinst-link.out; gfail "postinst through a symlinked socket path"; }
cat postinst-link.out
grep -q "svd (pid $SPID), on /run/svd-link/control.sock, runs the replaced binary" postinst-link.out ||
        gfail "postinst did not tell the svd on a symlinked socket path by its version reply"
grep -q "svd (pid $SPID) now runs the new /usr/sbin/svd" postinst-link.out || gfail "postinst (symlinked socket path): no re-exec"
[ "$(readlink /proc/$SPID/exe)" = /usr/sbin/svd ] || gfail "svd after postinst (symlinked socket path): $(readlink /proc/$SPID/exe)"
mkdir -p /tmp/oldctl
cat > /tmp/oldctl/svctl <<'OLD'
#!/bin/sh
# svctl talking to an svd older than the version reply's process fields
case " $* " in
*" version "*) /usr/bin/svctl "$@" | sed 's/"pid":[0-9]*/"pid":null/; s/"pid_start":[0-9]*/"pid_start":null/; s/"boot_id":"[^"]*"/"boot_id":null/' ;;
*) exec /usr/bin/svctl "$@" ;;
esac
OLD
chmod 0755 /tmp/oldctl/svctl
replace_svd
PATH=/tmp/oldctl:$PATH /var/lib/dpkg/info/svd.postinst configure "$version" > postinst-old.out 2>&1 ||
        { cat postinst-old.out; gfail "postinst with an older svd"; }
cat postinst-old.out
grep -q "svd (pid $SPID), on /run/svd/control.sock, runs the replaced binary" postinst-old.out ||
        gfail "postinst did not find the older svd on the socket by its inode"
grep -q "svd (pid $SPID) now runs the new /usr/sbin/svd" postinst-old.out || gfail "postinst (older svd): no re-exec"
[ "$(readlink /proc/$SPID/exe)" = /usr/sbin/svd ] || gfail "svd after postinst (older svd): $(readlink /proc/$SPID/exe)"
[ "$(svc_pid)" = "$P" ] || gfail "sleeper's pid changed in postinst's re-execs: $P -> $(svc_pid)"
[ "$(grep -c 'daemon-reexec: 1 services taken over' svd.out)" = 3 ] || { cat svd.out; gfail "svd's log does not show 3 re-execs"; }

# the installed prerm, "remove", while svd is PID 1 (of a PID namespace
# here, with its own cgroup subtree): refused, with the reason
mkdir -p /tmp/p1/services
printf '%s\n' 'services_dir: /tmp/p1/services' 'state_dir: /tmp/p1/state' 'log_dir: /tmp/p1/log' \
        'run_dir: /tmp/p1/run' 'control_socket: /tmp/p1/run/control.sock' 'cgroup_root: svd-p1' > /tmp/p1/svd.yaml
unshare --pid --fork --mount-proc /usr/sbin/svd -c /tmp/p1/svd.yaml > p1.out 2>&1 &
U=$!
for _ in $(seq 200); do [ -S /tmp/p1/run/control.sock ] && break; sleep 0.1; done
N=$(pgrep -P $U -x svd) || { cat p1.out; gfail "svd as PID 1 of a namespace did not start"; }
rc=0
nsenter -t "$N" -p -m /var/lib/dpkg/info/svd.prerm remove > prerm-p1.out 2>&1 || rc=$?
cat prerm-p1.out
[ $rc != 0 ] || gfail "prerm remove under svd as PID 1 was not refused"
grep -q "svd is this system's init (PID 1)" prerm-p1.out || gfail "the refusal does not say why"
svctl -s /tmp/p1/run/control.sock poweroff > /dev/null || gfail "poweroff of the namespace's svd"
wait $U || true

# the installed postinst again, after /usr/sbin/svd was replaced (as dpkg
# does: a new file renamed over it) by one reading another state format:
# the re-exec is refused, svd and its service untouched, postinst succeeds
# and says why and what to run
cp /usr/sbin/svd /usr/libexec/svd/svd.real
printf '#!/bin/sh\n[ "$1" = --state-format ] && echo "svd-state 99" && exit 0\nexec /usr/libexec/svd/svd.real "$@"\n' > /usr/sbin/svd.new
chmod 0755 /usr/sbin/svd.new && mv /usr/sbin/svd.new /usr/sbin/svd
/var/lib/dpkg/info/svd.postinst configure "$version_b" > postinst-c.out 2>&1 || { cat postinst-c.out; gfail "postinst failed after a refused re-exec"; }
cat postinst-c.out
grep -q "svd-state 99" postinst-c.out || gfail "postinst does not say why the re-exec was refused"
grep -q "run: svctl daemon-reexec" postinst-c.out || gfail "postinst does not say what to run"
[ "$(readlink /proc/$SPID/exe)" = "/usr/sbin/svd (deleted)" ] || gfail "svd after a refused re-exec: $(readlink /proc/$SPID/exe)"
[ "$(svc_pid)" = "$P" ] || gfail "sleeper's pid changed in a refused re-exec"
rm /usr/libexec/svd/svd.real

# removal under the running svd: warned, neither svd nor its service
# stopped; a purge (the installed postrm, run here before svd stops) keeps
# the directories it writes to
echo "# local change" >> /etc/svd/svd.yaml
dpkg -r svd > dpkg-r.out 2>&1 || { cat dpkg-r.out; gfail "dpkg -r"; }
cat dpkg-r.out
[ ! -e /usr/sbin/svd ] || gfail "dpkg -r left /usr/sbin/svd"
grep -q '^# local change' /etc/svd/svd.yaml || gfail "dpkg -r did not keep the conffile"
grep -q "svd (pid $SPID) is running and is not stopped" dpkg-r.out || gfail "dpkg -r: no warning"
kill -0 $SPID && kill -0 "$P" || gfail "dpkg -r stopped svd or its service"
/var/lib/dpkg/info/svd.postrm purge > postrm.out 2>&1 || { cat postrm.out; gfail "postrm purge under a running svd"; }
cat postrm.out
[ -d /var/lib/svd ] && [ -d /var/log/svd ] || gfail "postrm purge removed the directories of a running svd"
kill -0 $SPID && kill -0 "$P" || gfail "postrm purge stopped svd or its service"
kill -TERM $SPID
wait $SPID || { cat svd.out; gfail "svd exit status after SIGTERM"; }
! kill -0 "$P" 2>/dev/null || gfail "sleeper outlived svd"
rm /etc/svd/services/sleeper.yaml
dpkg -P svd > dpkg-p.out 2>&1 || { cat dpkg-p.out; gfail "dpkg -P"; }
[ ! -e /etc/svd/svd.yaml ] || gfail "dpkg -P left /etc/svd/svd.yaml"
[ ! -e /var/log/svd ] || gfail "dpkg -P left /var/log/svd"
echo "deb: dpkg -i / svd --check / READY=1 / upgrade under svd (PIDs kept, new binary running) / refused re-exec / dpkg -r under svd / dpkg -P in the VM: ok"
GUEST
        echo "deb: dpkg -i in a VM"
        # through tests/vm/run-one.sh, as make check-vm: a TCG guest that
        # hangs is stopped at once and the VM run once more
        hang=$W/vm.hang
        for try in 1 2; do
                rm -f "$hang"
                rc=0
                (cd "$W" && RUN_ONE_VMRUN="$VMRUN" RUN_ONE_HANG_FILE="$hang" "$top/tests/vm/run-one.sh" \
                        --timeout 900 -- bash "$W/guest.sh" "$deb" "$version" "$W/svd_b.deb" "$version_b") || rc=$?
                [ "$rc" -eq 124 ] && [ -s "$hang" ] && [ "$try" -eq 1 ] || break
                echo "deb: $(cat "$hang"): running the VM once more"
        done
        [ "$rc" -eq 0 ] || fail "the installation test in the VM"
fi
if [ -n "${DEB_OUT:-}" ]; then
        cp "$deb" "$DEB_OUT/" && echo "deb: $DEB_OUT/$(basename "$deb")"
fi
echo "deb: ok"

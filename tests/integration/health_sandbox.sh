#!/bin/bash
# An exec health check runs as its service does: the same user, group,
# supplementary groups, umask, working directory, capability sets,
# no_new_privs and seccomp filter, and inside the running service's mount
# namespace (it sees the service's private /tmp, not the host's). A check is
# code run on the service's behalf, often a script the service can write:
# it must not hold more rights than the service itself.
. "$(dirname "$0")/lib.sh"
sbx_report_setup hsbx
HOSTMARK=/tmp/svd-hsbx-host.$$
touch "$HOSTMARK"
trap 'rm -rf "$SHM" "$HOSTMARK"; cleanup' EXIT
getent group svd-test-sbx >/dev/null || groupadd --system svd-test-sbx

# KEYS compared between the service's own report and its check's
KEYS="uid gid groups umask cwd CapBnd CapPrm CapEff CapAmb NoNewPrivs Seccomp securebits"

service plain <<EOF
user: nobody
group: nogroup
supplementary_groups: [svd-test-sbx]
umask: "0027"
working_dir: $SHM
allow_root: false
sandbox:
  private_tmp: true
command: [/bin/sh, -c, '$R $SHM/plain.svc && echo mine > /tmp/svd-hsbx-private && exec sleep 1000']
healthcheck:
  exec: [/bin/sh, -c, '$R $SHM/plain.probe.tmp exists:/tmp/svd-hsbx-private exists:$HOSTMARK && mv $SHM/plain.probe.tmp $SHM/plain.probe && test -f /tmp/svd-hsbx-private']
  start_interval: 100ms
  interval: 200ms
EOF
# root, but with one capability only: its check must not be full root
service rootcap <<EOF
sandbox:
  capabilities: [CAP_NET_BIND_SERVICE]
command: [/bin/sh, -c, '$R $SHM/rootcap.svc && exec sleep 1000']
healthcheck:
  exec: [/bin/sh, -c, '$R $SHM/rootcap.probe.tmp && mv $SHM/rootcap.probe.tmp $SHM/rootcap.probe']
  start_interval: 100ms
  interval: 200ms
EOF

# a main process named by MAINPID= (a child that outlives the process svd
# started): its check enters that child's namespace, found through its pidfd.
# (The notify socket lives in run_dir, which must not be under the /tmp that
# private_tmp hides: this test's run_dir moves to /dev/shm.)
sed -i "s|^run_dir: .*|run_dir: $SHM/run|" "$T/etc/svd.yaml"
SOCK=$SHM/run/control.sock
export SVD_SOCKET=$SOCK
cat > "$SHM/handed.py" <<'PY'
import os, socket, time
open("/tmp/svd-hsbx-handed", "w").write("mine\n")
child = os.fork()
if child == 0:
    time.sleep(1000)
    os._exit(0)
addr = os.environ["NOTIFY_SOCKET"]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.sendto(("MAINPID=%d\nREADY=1" % child).encode(), "\0" + addr[1:] if addr[0] == "@" else addr)
time.sleep(0.5)
PY
service handed <<EOF
type: notify
sandbox:
  private_tmp: true
command: [python3, "$SHM/handed.py"]
healthcheck:
  exec: [/bin/sh, -c, 'test -f /tmp/svd-hsbx-handed && ! test -e $HOSTMARK']
  start_interval: 100ms
  interval: 200ms
EOF

get() { sed -n "s|^$2=||p" "$1"; }
start_svd
wait_field plain health healthy 15
wait_field rootcap health healthy 15
wait_field handed health healthy 15
sleep 1 # the process svd started is gone by now: checks run in its child's namespace
wait_for grep -q "handed: main process is now" "$T/svd.out"
assert_eq "$(field handed health)" "healthy" "handed's check after the hand-over"
for f in plain.svc plain.probe rootcap.svc rootcap.probe; do
        wait_for test -s "$SHM/$f"
done
for s in plain rootcap; do
        for k in $KEYS; do
                a=$(get "$SHM/$s.svc" "$k")
                b=$(get "$SHM/$s.probe" "$k")
                grep -q "^$k=" "$SHM/$s.svc" || fail "$s: the service's report lacks $k"
                assert_eq "$b" "$a" "$s: the check's $k (the service's is '$a')"
        done
done
# the service's private /tmp, not the host's
assert_eq "$(get "$SHM/plain.probe" exists:/tmp/svd-hsbx-private)" "yes" "check sees the service's private /tmp"
assert_eq "$(get "$SHM/plain.probe" "exists:$HOSTMARK")" "no" "check does not see the host's /tmp"
# the expected confinement itself, not only equality
assert_eq "$(get "$SHM/rootcap.probe" NoNewPrivs)" "1" "rootcap check no_new_privs"
assert_eq "$(get "$SHM/rootcap.probe" Seccomp)" "2" "rootcap check seccomp mode"
assert_eq "$(get "$SHM/rootcap.probe" CapEff)" "0000000000000400" "rootcap check CapEff (CAP_NET_BIND_SERVICE only)"
echo PASS

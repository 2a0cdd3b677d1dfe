#!/bin/bash
# svd (as root) runs svd-probe as "nobody", never as root. On a system
# without that user (here: a private mount namespace whose /etc/passwd lacks
# it) TCP and HTTP checks cannot run: the log says why, once, naming the
# user, not at every check, and `svctl status` shows it as the check's
# result; the checks are not counted against the service.
SVD_PRIVATE_MOUNTS=1
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "needs root (svd drops svd-probe to nobody only as root)"; exit 77; }
trap 'umount /etc/passwd /etc/nsswitch.conf 2>/dev/null || true; cleanup' EXIT
grep -v '^nobody:' /etc/passwd > "$T/out/passwd"
mount --bind "$T/out/passwd" /etc/passwd || { echo "cannot bind-mount over /etc/passwd"; exit 77; }
# only the file: nss-systemd would make up a nobody of its own
sed 's/^passwd:.*/passwd: files/' /etc/nsswitch.conf > "$T/out/nsswitch.conf"
mount --bind "$T/out/nsswitch.conf" /etc/nsswitch.conf || { echo "cannot bind-mount over /etc/nsswitch.conf"; exit 77; }
getent passwd nobody >/dev/null && { echo "nobody still resolves (NSS beyond files)"; exit 77; }

port=$(free_port)
service web <<EOF
command: [python3, -c, "import socket,time; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1', $port)); s.listen(); time.sleep(100000)"]
healthcheck:
  tcp: 127.0.0.1:$port
  start_interval: 100ms
  interval: 100ms
  start_period: 100ms
  retries: 1
EOF

start_svd
wait_state web running
wait_for grep -q 'cannot start .*svd-probe: no user "nobody"' "$T/svd.out"
wait_for sh -c "$SVCTL -s $SOCK status --json | jq -r '.services[] | select(.name==\"web\") | .last_probe' | grep -q 'no user \"nobody\"'"
sleep 2 # about 20 more checks
n=$(grep -c 'no user "nobody"' "$T/svd.out")
[ "$n" = 1 ] || fail "said $n times, not once"
assert_eq "$(field web state)" running "web's state"
assert_eq "$(field web probe_failures)" 0 "web's counted failures"
stop_svd

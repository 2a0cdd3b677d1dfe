#!/bin/bash
# A service's reason keeps its cause however long the path in it, also
# across a daemon-reexec. A state_dir of some 600 characters where the
# secrets key cannot be written (its temp name is taken by a directory:
# "File exists"): the consumer waits with a reason naming the secret, the
# whole key path and the error. A command with a path as long: the
# service fails with "exec: PATH: No such file or directory", whole.
. "$(dirname "$0")/lib.sh"
long=$T/$(printf 'a%.0s' $(seq 200))/$(printf 'b%.0s' $(seq 200))/$(printf 'c%.0s' $(seq 200))
mkdir -p "$long/state/secrets.key.tmp/x"
sed -i "s|^state_dir: .*|state_dir: $long/state|" "$T/etc/svd.yaml"

service app <<YAML
secrets:
  pw: { generate: password, length: 24 }
command: [/bin/sh, -c, 'exec sleep 1000']
YAML
service free <<YAML
command: [/bin/sh, -c, 'exec sleep 1000']
YAML
service missing <<YAML
command: [$long/daemon]
restart: "no"
YAML

start_svd
wait_state free running
wait_state app waiting
want="secret pw is not in the store yet (secrets key $long/state/secrets.key: cannot write: File exists)"
assert_eq "$(field app reason)" "$want" "app's reason"
wait_state missing failed
want_missing="exec: $long/daemon: No such file or directory"
assert_eq "$(field missing reason)" "$want_missing" "missing's reason"
rm -rf "$long/state/secrets.key.tmp"
wait_state app running 15

# the reason crosses a daemon-reexec whole
svctl daemon-reexec > "$T/out/reexec" 2>&1 || fail "daemon-reexec: $(cat "$T/out/reexec")"
reexeced() { [ "$(grep -c "svd 0.*control socket" "$T/svd.out")" -ge 2 ] && svctl version > /dev/null 2>&1; }
wait_for reexeced
assert_eq "$(field missing reason)" "$want_missing" "missing's reason after a daemon-reexec"
stop_svd || fail "svd exit status"
echo "secrets_reason_long: ok"

#!/bin/bash
# Values and the passphrase do not linger in svd's memory once used: after
# `svctl unlock`, `secret set` (value from stdin), `secret get` and a
# rotation that replaces them, neither the passphrase nor the old values are
# anywhere in svd's heap, stack or anonymous mappings (read through
# /proc/PID/mem). They passed through the control socket's buffers, the
# parsed requests, the replies and a consumer's environment (its spawn's and
# its exec probes'), all of which are wiped. The current value is found (in libsodium's guarded memory): the
# scan itself works. A 4 KiB value makes the buffers grow on the way.
. "$(dirname "$0")/lib.sh"
top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
scan() { python3 "$top/tests/helpers/memscan.py" "$SVD_PID" "$@"; }
echo "secrets_key: passphrase" >> "$T/etc/svd.yaml"

service app <<YAML
secrets:
  pw: { generate: password, length: 24 }
  big: { generate: base64, bytes: 3000 }
environment: { PW: "\${secret:pw}" }
command: [/bin/sh, -c, 'exec sleep 1000']
healthcheck: { exec: [/bin/true], interval: 100ms }
YAML

start_svd
wait_state app waiting
pass='Memscan-Passphrase-7q3Zr'
echo "$pass" | svctl unlock 2> /dev/null || fail "unlock"
wait_state app running
v1='Memscan-SetValue-9x81-abcdefghijklmnop'
printf '%s\n' "$v1" | svctl secret set pw > /dev/null || fail "set"
assert_eq "$(svctl secret get pw)" "$v1" "value set"
big1=$(svctl secret get big)
assert_eq "${#big1}" 4000 "big value"
wait_for grep -q 'restarting app for the new pw' "$T/svd.out"
wait_state app running
sleep 0.5 # exec probes ran with v1 in their environment
# stopped: no later spawn or probe reuses (and so overwrites) that memory
svctl stop app > /dev/null
wait_state app stopped
svctl secret rotate pw > /dev/null || fail "rotate pw"
svctl secret rotate big > /dev/null || fail "rotate big"
v2=$(svctl secret get pw)
[ "$v2" != "$v1" ] || fail "pw not rotated"
# a few more requests reuse the freed memory the way normal use does
for _ in 1 2 3; do svctl status > /dev/null; done

rc=0; out=$(scan "$v2") || rc=$?
[ "$rc" = 77 ] && { echo "$out"; exit 77; }
[ "$rc" = 1 ] || fail "the scan does not find the current value ($rc: $out)"
rc=0; out=$(scan "$pass" "$v1" "${v1:20}" "${big1:0:64}" "${big1:2000:64}" "${big1:3936:64}") || rc=$?
[ "$rc" = 0 ] || fail "left in svd's memory: $out"
stop_svd || fail "svd exit status $?"
echo "secrets_memory: ok"

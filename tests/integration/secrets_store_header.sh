#!/bin/bash
# The store's header (version, mode, KDF parameters, salt, nonce) is under
# the MAC: with the host key, where the salt is not part of the key, one
# flipped bit of it used to go unnoticed; now the store is refused as
# modified, and left as it is. Every write is in the current format
# (SVDSEC02).
. "$(dirname "$0")/lib.sh"

service app <<YAML
secrets:
  pw: { generate: password, length: 24 }
command: [/bin/sh, -c, 'exec sleep 1000']
YAML
service free <<YAML
command: [/bin/sh, -c, 'exec sleep 1000']
YAML

start_svd
wait_state app running
pw=$(svctl secret get pw)
stop_svd || fail "svd exit status $?"
assert_eq "$(head -c 8 "$T/state/secrets")" "SVDSEC02" "format"
cp "$T/state/secrets" "$T/good.store"

# one bit of the salt (bytes 17 to 32; 9 to 24 in the format before)
python3 - "$T/state/secrets" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
b[20] ^= 0x01
open(p, "wb").write(b)
PY
sum=$(sha256sum < "$T/state/secrets")
start_svd
wait_state free running
wait_state app failed
assert_eq "$(field app reason)" \
        "secrets store: $T/etc/../state/secrets: cannot decrypt (wrong key, or the file was modified)" "app's reason"
svctl secret list | grep -q "^store: broken" || fail "secret list: $(svctl secret list)"
stop_svd || fail "svd exit status $?"
assert_eq "$(sha256sum < "$T/state/secrets")" "$sum" "the refused store is left untouched"

cp "$T/good.store" "$T/state/secrets"
start_svd
wait_state app running
assert_eq "$(svctl secret get pw)" "$pw" "pw from the intact store"
stop_svd || fail "svd exit status $?"

#!/bin/bash
# A secret value is at most 64 KiB, whoever sends it: svctl refuses a longer
# one before sending it, and svd refuses one from a raw client (as "value"
# or "value_base64") naming the field and the limit; nothing is stored.
# Exactly 64 KiB is taken.
. "$(dirname "$0")/lib.sh"

service app <<YAML
secrets:
  blob: { generate: password }
command: [/bin/sh, -c, 'exec sleep 1000']
YAML

# raw REQUEST-FILE: sends the JSON request in that file on the control
# socket, prints the reply
raw() {
        python3 - "$SOCK" "$1" <<'PY'
import socket, struct, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
req = open(sys.argv[2], "rb").read()
s.sendall(struct.pack(">I", len(req)) + req)
n = struct.unpack(">I", s.recv(4, socket.MSG_WAITALL))[0]
print(s.recv(n, socket.MSG_WAITALL).decode())
PY
}

start_svd
wait_state app running
old=$(svctl secret get blob)

python3 -c 'import json; print(json.dumps({"v": 1, "op": "secret_set", "name": "blob", "value": "x" * 65537}))' > "$T/big.json"
out=$(raw "$T/big.json")
echo "$out" | grep -q "field 'value': 65537 bytes, more than a secret value may have (65536)" || fail "raw set of 64 KiB + 1: $out"
python3 -c 'import base64, json; print(json.dumps({"v": 1, "op": "secret_set", "name": "blob", "value_base64": base64.b64encode(b"\0" * 70000).decode()}))' > "$T/big64.json"
out=$(raw "$T/big64.json")
echo "$out" | grep -q "field 'value_base64': 70000 bytes, more than a secret value may have (65536)" || fail "raw set of 70000 bytes: $out"
assert_eq "$(svctl secret get blob)" "$old" "blob after refused sets"

# svctl's own limit is the same
head -c 65537 /dev/zero | tr '\0' y > "$T/big.txt"
out=$(svctl secret set blob < "$T/big.txt" 2>&1) && fail "svctl set of 64 KiB + 1"
echo "$out" | grep -q "too long (limit 65536 bytes)" || fail "svctl set: $out"
# exactly 64 KiB is taken
head -c 65536 /dev/zero | tr '\0' z > "$T/max.txt"
svctl secret set blob < "$T/max.txt" > /dev/null || fail "set of 64 KiB"
svctl secret get blob | head -c 65536 | cmp - "$T/max.txt" || fail "get of 64 KiB"
stop_svd || fail "svd exit status $?"
echo "secrets_set_limit: ok"

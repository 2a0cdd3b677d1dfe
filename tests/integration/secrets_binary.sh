#!/bin/bash
# A secret value is bytes: one with a NUL byte or bytes that are not UTF-8
# (a from_file key, or one set from stdin) comes back whole from
# `svctl secret get` (svd sends it as value_base64) and reaches its credential
# file whole. Only an environment variable cannot hold a NUL: setting such a
# value for a secret used in an environment is refused, and a service whose
# environment would get one fails with that reason instead of a cut value.
# A raw client's "\u0000" in a string, which would cut the value short, is
# refused as well. A text value still travels as "value".
. "$(dirname "$0")/lib.sh"

printf 'ab\0cd\377\376-raw-key-material\n' > "$T/out/raw_key"
chmod 600 "$T/out/raw_key"
service bin <<YAML
secrets:
  raw_key: { from_file: $T/out/raw_key }
  blob: { generate: password }
  envpw: { generate: password }
environment: { PW: "\${secret:envpw}" }
command: [/bin/sh, -c, 'cp \$CREDENTIALS_DIRECTORY/raw_key $T/out/got_raw; cp \$CREDENTIALS_DIRECTORY/blob $T/out/got_blob; exec sleep 1000']
YAML
service envbin <<YAML
secrets: [raw_key]
environment: { K: "\${secret:raw_key}" }
command: [/bin/sh, -c, 'exec sleep 1000']
YAML

# raw REQUEST-JSON: sends one request on the control socket, prints the reply
raw() {
        python3 - "$SOCK" "$1" <<'PY'
import json, socket, struct, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
req = sys.argv[2].encode()
s.sendall(struct.pack(">I", len(req)) + req)
n = struct.unpack(">I", s.recv(4, socket.MSG_WAITALL))[0]
print(s.recv(n, socket.MSG_WAITALL).decode())
PY
}

start_svd
wait_state bin running
wait_for test -f "$T/out/got_blob"

# from_file with a NUL and non-UTF-8 bytes: get gives every byte back
svctl secret get raw_key > "$T/out/get_raw" || fail "get raw_key"
cmp "$T/out/get_raw" "$T/out/raw_key" || fail "get raw_key: $(od -c "$T/out/get_raw" | head -3)"
printf 'ab\0cd\377\376-raw-key-material' | cmp - "$T/out/got_raw" || fail "credential file raw_key"
raw '{"v":1,"op":"secret_get","name":"raw_key"}' | grep -q '"value_base64":"YWIAY2T//i1yYXcta2V5LW1hdGVyaWFs"' ||
        fail "raw get of raw_key: $(raw '{"v":1,"op":"secret_get","name":"raw_key"}')"
# a text value travels as it did
raw '{"v":1,"op":"secret_get","name":"blob"}' | grep -q '"value":"' || fail "raw get of a text value"

# set from stdin with a NUL: stored, delivered and read back whole
rm -f "$T/out/got_blob"
printf 'set\0with-a-nul\377-and-more-bytes' | svctl secret set blob > /dev/null || fail "set blob with a NUL"
{ printf 'set\0with-a-nul\377-and-more-bytes'; echo; } > "$T/out/want_blob"
svctl secret get blob | cmp - "$T/out/want_blob" || fail "get blob after set"
wait_for test -f "$T/out/got_blob"
printf 'set\0with-a-nul\377-and-more-bytes' | cmp - "$T/out/got_blob" || fail "credential file blob"

# a secret in an environment cannot take a NUL: refused, nothing changed
pw=$(svctl secret get envpw)
out=$(printf 'x\0y-long-enough-value' | svctl secret set envpw 2>&1) && fail "NUL accepted for envpw"
echo "$out" | grep -q "envpw holds a NUL byte, which the environment of bin cannot carry" || fail "set envpw: $out"
assert_eq "$(svctl secret get envpw)" "$pw" "envpw after a refused set"
# a raw client's \u0000 would cut the value short: refused
out=$(raw '{"v":1,"op":"secret_set","name":"blob","value":"cut\u0000here-and-more"}')
echo "$out" | grep -q 'U+0000' || fail "raw set with \\u0000: $out"
svctl secret get blob | cmp - "$T/out/want_blob" || fail "blob after a refused raw set"
# value_base64 from a raw client
raw '{"v":1,"op":"secret_set","name":"blob","value_base64":"bmV3AGJsb2ItdmFsdWUtYnl0ZXM="}' | grep -q '"ok":true' ||
        fail "raw set with value_base64"
{ printf 'new\0blob-value-bytes'; echo; } | cmp - <(svctl secret get blob) || fail "blob after value_base64"
out=$(raw '{"v":1,"op":"secret_set","name":"blob","value_base64":"not base64!"}')
echo "$out" | grep -q "'value_base64': not base64" || fail "bad value_base64: $out"

# a NUL that would go into an environment variable: the service fails, saying why
wait_state envbin failed
assert_eq "$(field envbin reason)" \
        "secret raw_key holds a NUL byte, which an environment variable cannot carry (use its credential file)" \
        "envbin"
stop_svd || fail "svd exit status $?"
echo "secrets_binary: ok"

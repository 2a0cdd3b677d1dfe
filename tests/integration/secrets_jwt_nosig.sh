#!/bin/bash
# A JWT that cannot be minted because its signing secret has no value (a
# from_file whose file is not there yet) says so, naming the signing
# secret and its file, to a consumer of the JWT alone and to svctl secret
# get: not a bare "not generated". Once the file is there, the JWT is
# minted at the next start.
. "$(dirname "$0")/lib.sh"

service api <<YAML
secrets:
  sig: { from_file: $T/out/sig }
  tok: { jwt: { secret: sig } }
restart: "no"
command: [/bin/sh, -c, 'exec sleep 1000']
YAML
service direct <<YAML
secrets: [tok]
restart: "no"
command: [/bin/sh, -c, 'cat \$CREDENTIALS_DIRECTORY/tok > $T/out/tok; exec sleep 1000']
YAML

start_svd
wait_state direct failed
want="secret tok: cannot be minted (secret sig: from_file $T/out/sig: No such file or directory)"
assert_eq "$(field direct reason)" "$want" "direct's reason"
rc=0; out=$(svctl secret get tok 2>&1) || rc=$?
assert_eq "$out" "svctl: $want" "get tok"
# a failure (1), not "no such secret" (4): tok is known (svctl(8), EXIT STATUS)
assert_eq "$rc" 1 "exit status of get tok"

head -c 48 /dev/urandom | base64 -w0 > "$T/out/sig"
chmod 600 "$T/out/sig"
svctl start direct > /dev/null || fail "start direct"
wait_state direct running
wait_for test -s "$T/out/tok"
assert_eq "$(cat "$T/out/tok")" "$(svctl secret get tok)" "tok delivered"
stop_svd || fail "svd exit status $?"
echo "secrets_jwt_nosig: ok"

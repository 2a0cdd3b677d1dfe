#!/bin/bash
# svctl secret set of a JWT signing secret is held to what its consumers
# need: a value shorter than 32 bytes is refused (nothing stored, nothing
# restarted), since with it the consumers of the secret and of the JWTs
# signed with it would be stopped for the new value and then refused their
# start. allow_weak: true on the definition accepts it, as at a start.
. "$(dirname "$0")/lib.sh"

service api <<YAML
secrets:
  jwt_secret: { generate: base64, bytes: 48 }
  anon_key: { jwt: { secret: jwt_secret, claims: { role: anon } } }
command: [/bin/sh, -c, 'exec sleep 1000']
YAML
service auth <<YAML
secrets: [jwt_secret]
command: [/bin/sh, -c, 'exec sleep 1000']
YAML
service lax <<YAML
secrets:
  lax_sig: { generate: password, allow_weak: true }
  lax_tok: { jwt: { secret: lax_sig } }
command: [/bin/sh, -c, 'cat \$CREDENTIALS_DIRECTORY/lax_sig > $T/out/lax; exec sleep 1000']
YAML

start_svd
for s in api auth lax; do wait_state $s running; done
old=$(svctl secret get jwt_secret)
old_anon=$(svctl secret get anon_key)
api_pid=$(field api pid)
auth_pid=$(field auth pid)

out=$(printf 'not-public-but-short' | svctl secret set jwt_secret 2>&1) && fail "short signing secret accepted: $out"
echo "$out" | grep -q "shorter than 32 bytes (a JWT signing secret); set allow_weak: true to accept it" ||
        fail "set jwt_secret: $out"
assert_eq "$(svctl secret get jwt_secret)" "$old" "jwt_secret after a refused set"
assert_eq "$(svctl secret get anon_key)" "$old_anon" "anon_key after a refused set"
# nothing was stopped for it
assert_eq "$(field api state)" running "api"
assert_eq "$(field api pid)" "$api_pid" "api pid"
assert_eq "$(field auth state)" running "auth"
assert_eq "$(field auth pid)" "$auth_pid" "auth pid"

# 32 bytes are enough
printf 'a-signing-secret-of-32-bytes-ok!' | svctl secret set jwt_secret > /dev/null || fail "set 32 bytes"
assert_eq "$(svctl secret get jwt_secret)" "a-signing-secret-of-32-bytes-ok!" "jwt_secret after set"
restarted() { [ "$(field "$1" state)" = running ] && [ "$(field "$1" pid)" != "$2" ]; }
wait_for restarted api "$api_pid"
wait_for restarted auth "$auth_pid"

# allow_weak: the short value is taken, and its consumer starts with it
lax_pid=$(field lax pid)
rm -f "$T/out/lax"
printf 'short-lax-value' | svctl secret set lax_sig > /dev/null || fail "set lax_sig"
wait_for test -s "$T/out/lax"
assert_eq "$(cat "$T/out/lax")" "short-lax-value" "lax_sig delivered"
wait_for restarted lax "$lax_pid"
stop_svd || fail "svd exit status $?"
echo "secrets_set_signing: ok"

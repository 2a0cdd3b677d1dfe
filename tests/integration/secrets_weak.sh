#!/bin/bash
# Insecure values block their consumers with a clear reason: an operator file
# holding Supabase's example JWT secret, a literal "postgres", a JWT signing
# secret shorter than 32 bytes. allow_weak: true accepts them. from_file is
# read at each start, so fixing the file and restarting the service is enough.
. "$(dirname "$0")/lib.sh"

echo "super-secret-jwt-token-with-at-least-32-characters-long" > "$T/jwt.txt"
printf 'not-public-but-short' > "$T/short.txt"
chmod 600 "$T/jwt.txt" "$T/short.txt"

service defs <<YAML
type: oneshot
command: [/bin/true]
secrets:
  jwt_secret: { from_file: $T/jwt.txt }
  anon_key: { jwt: { secret: jwt_secret, claims: { role: anon } } }
  pgpw: { value: postgres }
  accepted: { value: changeme, allow_weak: true }
  shortsig: { from_file: $T/short.txt }
  tok: { jwt: { secret: shortsig, claims: { role: x } } }
YAML
service gotrue <<YAML
secrets: [jwt_secret]
restart: "no"
command: [/bin/sh, -c, 'exec sleep 1000']
YAML
service rest <<YAML
secrets: [anon_key]
restart: "no"
command: [/bin/sh, -c, 'exec sleep 1000']
YAML
service db <<YAML
environment: { PGPASSWORD: "\${secret:pgpw}" }
restart: "no"
command: [/bin/sh, -c, 'exec sleep 1000']
YAML
service legacy <<YAML
secrets: [accepted]
command: [/bin/sh, -c, 'cat \$CREDENTIALS_DIRECTORY/accepted > $T/out/legacy; exec sleep 1000']
YAML
service shorty <<YAML
secrets: { tok: }
restart: "no"
command: [/bin/sh, -c, 'exec sleep 1000']
YAML

start_svd
wait_state legacy running
assert_eq "$(cat "$T/out/legacy")" "changeme" "allow_weak value delivered"
# defs declares the weak secrets itself: it is blocked too
wait_state defs failed
for s in gotrue rest db shorty; do wait_state $s failed; done
assert_eq "$(field gotrue reason)" "secret jwt_secret is a publicly known default; set allow_weak: true to accept it" "gotrue"
# a JWT signed with a public secret is forgeable: its users are blocked as well
assert_eq "$(field rest reason)" "secret jwt_secret is a publicly known default; set allow_weak: true to accept it" "rest"
assert_eq "$(field db reason)" "secret pgpw is a publicly known default; set allow_weak: true to accept it" "db"
assert_eq "$(field shorty reason)" "secret shortsig is shorter than 32 bytes (a JWT signing secret); set allow_weak: true to accept it" "shorty"
# nothing ran
[ -z "$(field gotrue pid)" ] || fail "gotrue has a pid"
# a JWT is minted, never set
out=$(echo some-token-value | svctl secret set anon_key 2>&1) && fail "set a JWT"
echo "$out" | grep -q 'minted by svd' || fail "set a JWT: $out"

# the operator fixes the file: a restart picks it up
head -c 48 /dev/urandom | base64 -w0 > "$T/jwt.txt"
svctl restart gotrue > /dev/null
wait_state gotrue running
svctl restart rest > /dev/null
wait_state rest running
# anon_key was re-minted with the new signing secret
python3 - "$(cat "$T/jwt.txt")" "$(svctl secret get anon_key)" <<'PY' || fail "anon_key not re-signed"
import base64, hashlib, hmac, sys
h, p, s = sys.argv[2].split(".")
want = base64.urlsafe_b64encode(hmac.new(sys.argv[1].encode(), (h + "." + p).encode(), hashlib.sha256).digest()).rstrip(b"=").decode()
sys.exit(0 if s == want else 1)
PY
grep -q 'secrets: minted anon_key' "$T/svd.out" || fail "re-mint not logged"
stop_svd || fail "svd exit status $?"

# allow_weak: true on the definition accepts the short signing secret
sed -i 's|shortsig: { from_file: \(.*\) }|shortsig: { from_file: \1, allow_weak: true }|' "$T/services/defs.yaml"
grep -q 'allow_weak: true }$' "$T/services/defs.yaml" || fail "sed"
start_svd
wait_state shorty running
stop_svd || fail "svd exit status $?"
echo "secrets_weak: ok"

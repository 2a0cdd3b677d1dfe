#!/bin/bash
# Secrets end to end with a real svd: every declared secret is generated once
# at the first start and reused after a restart of svd; the store holds no
# plaintext (grep -r of the state dir); the store and key are root-only;
# credential files are on a tmpfs, 0400 and owned by the service user, with
# CREDENTIALS_DIRECTORY exported; ${secret:NAME} is interpolated into the
# environment; a service run as another user cannot read a credential it did
# not declare; JWTs verify with an independent implementation (python3
# hmac/hashlib); values never appear in svd's log, status --json or secret
# list; an unprivileged client can list but not get/set/rotate.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "needs root (service users, tmpfs)"; exit 77; }
command -v setpriv >/dev/null || { echo "setpriv missing"; exit 77; }
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$SVCTL" -s "$SOCK" "$@"; }

service auth <<YAML
user: daemon
secrets:
  postgres_password: { generate: password, length: 32 }
  jwt_secret: { generate: base64, bytes: 48 }
  anon_key: { jwt: { secret: jwt_secret, claims: { role: anon, iss: supabase }, expires_in: 10y } }
  service_role_key: { jwt: { secret: jwt_secret, claims: { role: service_role, iss: supabase }, expires_in: 10y } }
  api_id: { generate: uuid }
  hexkey: { generate: hex, bytes: 16 }
environment:
  DATABASE_URL: "postgres://auth:\${secret:postgres_password}@127.0.0.1:5432/postgres"
command: [/bin/sh, -c, 'echo "\$DATABASE_URL" > $T/out/auth.url; echo "\$CREDENTIALS_DIRECTORY" > $T/out/auth.credir; exec sleep 1000']
YAML
# uses one shared secret, as another user
service web <<YAML
user: nobody
secrets: [anon_key]
command: [/bin/sh, -c, 'cat "\$CREDENTIALS_DIRECTORY/anon_key" > $T/out/web.anon 2>&1; cat $T/run/credentials/auth/jwt_secret > $T/out/web.steal 2>&1; echo \$? > $T/out/web.steal.rc; env > $T/out/web.env; ls "\$CREDENTIALS_DIRECTORY" > $T/out/web.ls; exec sleep 1000']
YAML
service plain <<YAML
user: nobody
command: [/bin/sh, -c, 'env > $T/out/plain.env; exec sleep 1000']
YAML

start_svd
wait_state auth running
wait_state web running
wait_state plain running
wait_for test -s "$T/out/web.ls"
wait_for test -s "$T/out/plain.env"
wait_for test -s "$T/out/auth.url"

get() { svctl secret get "$1" || fail "secret get $1"; }
for n in postgres_password jwt_secret anon_key service_role_key api_id hexkey; do
        eval "v_$n=\$(get $n)"
done
[[ "$v_postgres_password" =~ ^[A-Za-z0-9]{32}$ ]] || fail "password: '$v_postgres_password'"
[ "${#v_jwt_secret}" = 64 ] || fail "base64 of 48 bytes: ${#v_jwt_secret} characters"
[[ "$v_api_id" =~ ^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$ ]] || fail "uuid: $v_api_id"
[[ "$v_hexkey" =~ ^[0-9a-f]{32}$ ]] || fail "hex: $v_hexkey"
assert_eq "$(grep -Ec 'secrets: (generated|minted)' "$T/svd.out")" 6 "secrets generated at the first start"

# environment interpolation and credential files
assert_eq "$(cat "$T/out/auth.url")" "postgres://auth:$v_postgres_password@127.0.0.1:5432/postgres" "DATABASE_URL"
cred=$(cat "$T/out/auth.credir")
assert_eq "$(readlink -f "$cred")" "$T/run/credentials/auth" "CREDENTIALS_DIRECTORY"
assert_eq "$(cat "$cred/jwt_secret")" "$v_jwt_secret" "credential file"
assert_eq "$(stat -f -c %T "$T/run/credentials")" "tmpfs" "credentials file system"
for f in "$cred"/*; do
        assert_eq "$(stat -c '%a %U' "$f")" "400 daemon" "$f mode/owner"
done
assert_eq "$(stat -c '%a %U' "$cred")" "500 daemon" "credentials dir mode/owner"
assert_eq "$(ls "$cred" | tr '\n' ' ')" "anon_key api_id hexkey jwt_secret postgres_password service_role_key " "auth's files"
# web sees only what it declared; auth's files are closed to it
assert_eq "$(cat "$T/out/web.ls")" "anon_key" "web's credentials"
assert_eq "$(cat "$T/out/web.anon")" "$v_anon_key" "web's anon_key"
[ "$(cat "$T/out/web.steal.rc")" != 0 ] || fail "web read auth's jwt_secret"
grep -q 'Permission denied' "$T/out/web.steal" || fail "web: $(cat "$T/out/web.steal")"
grep -qF -- "$v_jwt_secret" "$T/out/web.env" && fail "jwt_secret in web's environment"
grep -q '^CREDENTIALS_DIRECTORY=' "$T/out/plain.env" && fail "plain got a CREDENTIALS_DIRECTORY"

# the JWTs, checked with python's own HMAC-SHA256
python3 - "$v_jwt_secret" "$v_anon_key" "$v_service_role_key" <<'PY' || fail "JWT verification"
import base64, hashlib, hmac, json, sys
key = sys.argv[1].encode()
def d(s): return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
for tok, role in ((sys.argv[2], "anon"), (sys.argv[3], "service_role")):
    h, p, s = tok.split(".")
    want = base64.urlsafe_b64encode(hmac.new(key, (h + "." + p).encode(), hashlib.sha256).digest()).rstrip(b"=").decode()
    assert s == want, "bad signature"
    assert json.loads(d(h)) == {"alg": "HS256", "typ": "JWT"}, d(h)
    c = json.loads(d(p))
    assert c["role"] == role and c["iss"] == "supabase", c
    assert c["exp"] - c["iat"] == 10 * 365 * 86400, c
    assert "=" not in tok and "+" not in tok and "/" not in tok
PY

# store and key: root only, no plaintext anywhere in the state dir
assert_eq "$(stat -c '%a %U' "$T/state/secrets")" "600 root" "store mode/owner"
assert_eq "$(stat -c '%a %U' "$T/state/secrets.key")" "400 root" "key mode/owner"
assert_eq "$(stat -c %s "$T/state/secrets.key")" "32" "key size"
for v in "$v_postgres_password" "$v_jwt_secret" "$v_anon_key" "$v_service_role_key" "$v_api_id" "$v_hexkey"; do
        grep -rqF -- "$v" "$T/state" && fail "a secret value is in the state dir"
        grep -qF -- "$v" "$T/svd.out" && fail "a secret value is in svd's log"
        svctl status --json | grep -qF -- "$v" && fail "a secret value is in status --json"
        svctl status | grep -qF -- "$v" && fail "a secret value is in status"
        svctl status auth | grep -qF -- "$v" && fail "a secret value is in status auth"
        svctl secret list | grep -qF -- "$v" && fail "a secret value is in secret list"
        svctl secret list --json | grep -qF -- "$v" && fail "a secret value is in secret list"
        grep -rqF -- "$v" "$T/log" && fail "a secret value is in the log dir"
done
svctl secret list | grep -Eq '^anon_key +jwt +[0-9T:-]+Z +auth,web$' || fail "list: $(svctl secret list)"

# an unprivileged client: list yes, values and changes no
as_nobody secret list > /dev/null || fail "nobody cannot list"
for c in "get jwt_secret" "rotate jwt_secret"; do
        out=$(as_nobody secret $c 2>&1) && fail "nobody could $c"
        echo "$out" | grep -q 'permission denied' || fail "nobody $c: $out"
done
out=$(echo newvalue-newvalue | as_nobody secret set postgres_password 2>&1) && fail "nobody could set"
echo "$out" | grep -q 'permission denied' || fail "nobody set: $out"
assert_eq "$(get postgres_password)" "$v_postgres_password" "unchanged after refused set"

# restart svd: the same values, nothing generated
sum=$(sha256sum < "$T/state/secrets")
stop_svd || fail "svd exit status $?"
findmnt "$T/run/credentials" > /dev/null && fail "credentials tmpfs left mounted"
[ -e "$T/run/credentials" ] && fail "credentials dir left behind"
assert_eq "$(sha256sum < "$T/state/secrets")" "$sum" "store unchanged by a clean stop"
start_svd
wait_state auth running
for n in postgres_password jwt_secret anon_key service_role_key api_id hexkey; do
        eval "want=\$v_$n"
        assert_eq "$(get $n)" "$want" "$n after restart"
done
grep -Eq 'secrets: (generated|minted)' "$T/svd.out" && fail "generated again after a restart"
assert_eq "$(sha256sum < "$T/state/secrets")" "$sum" "store not rewritten after restart"
stop_svd || fail "svd exit status $?"
echo "secrets: ok"

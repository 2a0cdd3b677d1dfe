#!/bin/bash
# A generated secret that signs a JWT must come out at least 32 bytes long
# (HS256's key, and what a consumer's start checks): a shorter one
# (base64 of 16 bytes, a 16-character password) is a configuration error
# naming the JWT's jwt.secret at its file:line:col, not a value svd
# generates and then refuses to every consumer. allow_weak: true on the
# signing secret accepts it; long enough ones are fine.
. "$(dirname "$0")/lib.sh"

rc=0
check() {
        rc=0
        "$SVD" --check -c "$T/etc/svd.yaml" > /dev/null 2> "$T/err" || rc=$?
}
expect_err() {
        [ "$rc" = 1 ] || fail "--check exit $rc for: $1"
        grep -qF -- "$1" "$T/err" || fail "expected '$1': $(cat -v "$T/err")"
}

service api <<'EOF'
secrets:
  sig: { generate: base64, bytes: 16 }
  tok: { jwt: { secret: sig } }
  pw: { generate: password, length: 16 }
  pwtok:
    jwt: { secret: pw, claims: { role: x } }
command: [sleep, "1000"]
EOF
check
expect_err "$T/services/api.yaml:3:25: secrets.tok.jwt.secret: 'sig' is generated 24 bytes long (base64 of 16 bytes): a JWT signing secret needs at least 32 (raise its bytes, or set allow_weak: true on it)"
expect_err "$T/services/api.yaml:6:20: secrets.pwtok.jwt.secret: 'pw' is generated 16 bytes long (a password of 16 characters): a JWT signing secret needs at least 32 (raise its length, or set allow_weak: true on it)"

# long enough, or allow_weak: accepted, and the consumer runs
service api <<'EOF'
secrets:
  sig: { generate: base64, bytes: 22 }
  tok: { jwt: { secret: sig } }
  pw: { generate: password, length: 16, allow_weak: true }
  pwtok: { jwt: { secret: pw } }
  hx: { generate: hex, bytes: 16 }
  hxtok: { jwt: { secret: hx } }
command: [sleep, "1000"]
EOF
check
assert_eq "$rc" 0 "--check: $(cat "$T/err")"
start_svd
wait_state api running
assert_eq "$(svctl secret get sig | tr -d '\n' | wc -c)" 32 "sig length"
stop_svd || fail "svd exit status $?"
echo "secrets_jwt_short: ok"

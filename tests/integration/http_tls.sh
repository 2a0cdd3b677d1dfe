#!/bin/bash
# https:// health checks against a real TLS server (tests/helpers/httpd.py
# --tls, python3's http.server and ssl, with a self-signed certificate made
# here by the openssl CLI, valid for 127.0.0.1 only), run by svd-probe:
#   - strict: the default verifies the certificate against the system CA
#     store: never healthy, and the last probe names the certificate problem;
#   - insecure: tls_verify: false: healthy;
#   - pinned: ca_file pointing to the certificate: healthy;
#   - wrongname: the same ca_file but the URL names localhost, which the
#     certificate does not: the host name is still verified, so not healthy;
#   - unreadable: a ca_file svd-probe (an unprivileged user) cannot open: the
#     last probe says so and names the uid;
#   - a reload that turns insecure's tls_verify back on changes the service:
#     its check fails like strict's.
# strict, insecure, pinned and unreadable probe the same URL with the same
# headers: svd-probe's reuse of a finished check's curl handle must tell them
# apart by their TLS settings, or one would pass or fail with another's.
# Bad keys are refused by svd --check with file:line:col and the key.
. "$(dirname "$0")/lib.sh"

command -v openssl > /dev/null || { echo "openssl not installed (tools/install-deps)"; exit 77; }

PORT=$(free_port)

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
        -subj /CN=svd-test -addext "subjectAltName=IP:127.0.0.1" \
        -keyout "$T/key.pem" -out "$T/cert.pem" 2> "$T/openssl.err" || fail "openssl: $(cat "$T/openssl.err")"
chmod 644 "$T/cert.pem"
cat "$T/cert.pem" "$T/key.pem" > "$T/tls.pem"
cp "$T/cert.pem" "$T/secret.pem"
chmod 000 "$T/secret.pem"

service tlsd <<EOF
command: [python3, "$TOP_SRCDIR/tests/helpers/httpd.py", --tls, "$T/tls.pem", "$PORT"]
EOF
# check NAME HTTP-MAPPING: a service whose only job is to be checked
check() {
        service "$1" <<EOF
command: [sleep, "1000"]
depends_on: [tlsd]
healthcheck:
  http: $2
  start_interval: 100ms
  interval: 200ms
  timeout: 2s
  retries: 1
  on_unhealthy: none
EOF
}
check strict "{ url: \"https://127.0.0.1:$PORT/\" }"
check insecure "{ url: \"https://127.0.0.1:$PORT/\", tls_verify: false }"
check pinned "{ url: \"https://127.0.0.1:$PORT/\", ca_file: \"$T/cert.pem\" }"
check wrongname "{ url: \"https://localhost:$PORT/\", ca_file: \"$T/cert.pem\" }"
check unreadable "{ url: \"https://127.0.0.1:$PORT/\", ca_file: \"$T/secret.pem\" }"

"$SVD" --check -c "$T/etc/svd.yaml" > "$T/check.out" 2>&1 || fail "svd --check refused: $(cat "$T/check.out")"
start_svd

# last_is NAME TEXT: until NAME's last probe contains TEXT
last_is() {
        local deadline=$(( $(date +%s) + 30 * SCALE )) v=
        while :; do
                v=$(field "$1" last_probe)
                case "$v" in *"$2"*) return 0 ;; esac
                [ "$(date +%s)" -gt "$deadline" ] && fail "$1: last_probe '$v', expected '$2'"
                sleep 0.05
        done
}

wait_field insecure health healthy 30
last_is insecure "HTTP 200"
wait_field pinned health healthy 30
last_is pinned "HTTP 200"
# the server answers (insecure is healthy): strict fails on the certificate
last_is strict "tls: SSL certificate problem: self-signed certificate"
assert_eq "$(field strict health)" "starting" "strict health (never healthy)"
last_is wrongname "tls: "
case "$(field wrongname last_probe)" in
*localhost*) ;;
*) fail "wrongname: the host name is not named: $(field wrongname last_probe)" ;;
esac
assert_eq "$(field wrongname health)" "starting" "wrongname health (never healthy)"
last_is unreadable "ca_file '$T/secret.pem': Permission denied (svd-probe runs as uid"
for n in strict wrongname unreadable; do echo "$n: $(field $n last_probe)"; done
assert_eq "$(field unreadable health)" "starting" "unreadable health (never healthy)"

# made readable: the next probe passes, without a reload
chmod 644 "$T/secret.pem"
wait_field unreadable health healthy 30

# tls_verify back on at a reload: a changed service, checked as strict is
check insecure "{ url: \"https://127.0.0.1:$PORT/\" }"
svctl reload > /dev/null
last_is insecure "tls: SSL certificate problem: self-signed certificate"
grep -q "insecure: definition changed" "$T/svd.out" || fail "insecure not counted as changed at the reload"
grep -q "reload: done: 0 added, 0 removed, 1 changed, 5 unchanged" "$T/svd.out" || fail "reload: $(grep reload: "$T/svd.out")"
assert_eq "$(field insecure health)" "starting" "insecure health after the reload (never healthy since)"

# --- refused at load: file:line:col and the key
# bad HTTP-MAPPING MESSAGE: svd --check refuses it, naming line 3
bad() {
        printf 'command: [sleep, "1"]\nhealthcheck:\n  http: %s\n' "$1" > "$T/services/r.yaml"
        rc=0
        "$SVD" --check -c "$T/etc/svd.yaml" > /dev/null 2> "$T/err" || rc=$?
        [ "$rc" = 1 ] || fail "accepted (exit $rc): '$1'"
        grep -qF "services/r.yaml:3:" "$T/err" && grep -qF -- "$2" "$T/err" ||
                fail "'$1': want 'services/r.yaml:3:...$2', got: $(cat "$T/err")"
}
bad "{ url: \"https://h/\", ca_file: ca.pem }" "healthcheck.http.ca_file: expected an absolute path, got 'ca.pem'"
bad "{ url: \"https://h/\", ca_file: \"\" }" "healthcheck.http.ca_file: expected a path, not an empty string"
bad "{ url: \"https://h/\", ca_file: [/a] }" "healthcheck.http.ca_file: expected a path"
bad "{ url: \"https://h/\", tls_verify: maybe }" "healthcheck.http.tls_verify:"
bad "{ url: \"https://h/\", tls_verify: false, ca_file: /a.pem }" \
        "healthcheck.http.ca_file: not used with tls_verify: false"
bad "{ url: \"http://h/\", tls_verify: false }" "healthcheck.http.tls_verify: only for an https:// URL"
bad "{ url: \"http://h/\", ca_file: /a.pem }" "healthcheck.http.ca_file: only for an https:// URL"
# the column is the value's
bad "{ url: \"https://h/\", ca_file: ca.pem }" "services/r.yaml:3:39: healthcheck.http.ca_file"
# an http:// URL that follows redirects may land on https://: accepted
printf 'command: [sleep, "1"]\nhealthcheck:\n  http: { url: "http://h/", follow_redirects: true, ca_file: /a.pem }\n' \
        > "$T/services/r.yaml"
"$SVD" --check -c "$T/etc/svd.yaml" > /dev/null 2> "$T/err" || fail "redirecting check refused: $(cat "$T/err")"
rm "$T/services/r.yaml"
echo "http_tls: ok"

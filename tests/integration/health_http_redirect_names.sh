#!/bin/bash
# An http check's redirects to other host names (looked up by svd-probe, not
# by curl) are followed up to 5 in all, however many names they go through:
# five hops over five names pass, six fail as "more than 5 redirects". The
# names come from a private /etc/hosts; each service's first check, read
# here, finds none of its names known yet (the next one comes 2 s later).
# Headers meant for the first host stay there.
SVD_PRIVATE_MOUNTS=1
. "$(dirname "$0")/lib.sh"

{ echo "127.0.0.1 localhost"; for i in 1 2 3 4 5 6; do echo "127.0.0.1 r5-$i.svd-test.example"; done
  for i in 1 2 3 4 5 6 7; do echo "127.0.0.1 r6-$i.svd-test.example"; done
  echo "127.0.0.1 first.svd-test.example second.svd-test.example"; } > "$T/hosts"
chmod 644 "$T/hosts"
mount --bind "$T/hosts" /etc/hosts 2>/dev/null || { echo "cannot bind-mount /etc/hosts"; exit 77; }
MOUNTS="$MOUNTS /etc/hosts"

python3 "$TOP_SRCDIR/tests/helpers/httpd.py" 0 > "$T/httpd.port" 2> "$T/httpd.err" &
HTTPD_PID=$!
trap 'kill $HTTPD_PID 2>/dev/null || true; cleanup' EXIT
wait_for test -s "$T/httpd.port"
PORT=$(head -n1 "$T/httpd.port")

# chain N: a URL that takes N redirects, each to the next name, to /
chain() {
        python3 -c '
import sys, urllib.parse
n, port = int(sys.argv[1]), int(sys.argv[2])
url = "http://r%d-%d.svd-test.example:%d/" % (n, n + 1, port)
for i in range(n, 0, -1):
    url = "http://r%d-%d.svd-test.example:%d/redirect-to?url=%s" % (n, i, port, urllib.parse.quote(url, safe=""))
print(url)
' "$1" "$PORT"
}
for n in 5 6; do
        service "hops$n" <<EOF
command: [sleep, "1000"]
healthcheck:
  http: { url: "$(chain $n)", follow_redirects: true }
  timeout: 1500ms
  start_interval: 2s
  interval: 1h
EOF
done

# To another name, the check's Authorization, Cookie and Host headers are not
# sent on (as curl does on its own redirects); its other headers are.
service creds <<EOF
command: [sleep, "1000"]
healthcheck:
  http:
    url: "http://first.svd-test.example:$PORT/redirect-to?url=http://second.svd-test.example:$PORT/echo-auth"
    follow_redirects: true
    headers: { Authorization: "Bearer s3cret", Cookie: "c=1", Host: "first.svd-test.example:$PORT", X-Key: kept }
    body_contains: "Authorization=;Cookie=;Host=second.svd-test.example:$PORT;X-Key=kept;"
  timeout: 1500ms
  start_interval: 2s
  interval: 1h
EOF

start_svd
wait_field hops5 health healthy 10
wait_for eval '[ -n "$(field hops6 last_probe)" ]'
assert_eq "$(field hops6 last_probe)" "more than 5 redirects" "hops6's last probe"
[ "$(field hops6 health)" != healthy ] || fail "hops6 healthy after 6 redirects"
wait_for eval '[ -n "$(field creds last_probe)" ]'
[[ "$(field creds last_probe)" == "HTTP 200 in "* ]] || fail "creds: last_probe '$(field creds last_probe)'"
exit 0

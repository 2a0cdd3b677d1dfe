#!/bin/bash
# A host name that resolves to an IPv6 address only (::1, from a private
# /etc/hosts) is checked over IPv6 by tcp and http checks alike: svd-probe
# looks the name up and hands the address to curl in brackets
# (CURLOPT_RESOLVE), so the http check reaches a server listening on ::1
# alone.
SVD_PRIVATE_MOUNTS=1
. "$(dirname "$0")/lib.sh"

python3 -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))' 2>/dev/null || { echo "no IPv6 loopback"; exit 77; }
printf '127.0.0.1 localhost\n::1 v6only.svd-test.example\n' > "$T/hosts"
chmod 644 "$T/hosts"
mount --bind "$T/hosts" /etc/hosts 2>/dev/null || { echo "cannot bind-mount /etc/hosts"; exit 77; }
MOUNTS="$MOUNTS /etc/hosts"

PORT=$(free_port)
mkdir -p "$T/www"
echo "v6 here" > "$T/www/index.html"
service web <<EOF
command: [python3, -m, http.server, --bind, "::1", --directory, "$T/www", "$PORT"]
healthcheck:
  http: { url: "http://v6only.svd-test.example:$PORT/", body_contains: "v6 here" }
  start_interval: 100ms
EOF
service port <<EOF
command: [sleep, "1000"]
depends_on: { web: { condition: started } }
healthcheck:
  tcp: "v6only.svd-test.example:$PORT"
  start_interval: 100ms
EOF

start_svd
wait_field web health healthy 10
wait_field port health healthy 10
[[ "$(field web last_probe)" == "HTTP 200 in "* ]] || fail "web: last_probe '$(field web last_probe)'"
[[ "$(field port last_probe)" == "connected in "* ]] || fail "port: last_probe '$(field port last_probe)'"
exit 0

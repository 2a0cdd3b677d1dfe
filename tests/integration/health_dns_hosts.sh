#!/bin/bash
# Names answered locally never wait behind DNS lookups: with a DNS server
# that never answers (a private /etc/resolv.conf) and checks of 40 names it
# never answers filling every lookup slot, checks of names listed in a
# private /etc/hosts (tcp 'db.svd-test.internal', http 'db', tcp
# 'localhost') and of an IP address stay healthy, never failing once; and a
# name added to /etc/hosts later is answered from it too (re-read on change).
SVD_PRIVATE_MOUNTS=1
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/dns_silent.inc"
dns_silent 86 h1.svd-test.example

printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost\n# 127.0.0.2 late.svd-test.internal\n127.0.0.1 db.svd-test.internal db  # the database\n' > "$T/hosts"
chmod 644 "$T/hosts"
mount --bind "$T/hosts" /etc/hosts 2>/dev/null || { echo "cannot bind-mount /etc/hosts"; exit 77; }
MOUNTS="$MOUNTS /etc/hosts"

for i in $(seq 40); do
        service "s$i" <<EOF
command: [sleep, "1000"]
healthcheck:
  tcp: "h$i.svd-test.example:80"
  timeout: 3s
  start_interval: 100ms
  interval: 100ms
  retries: 1000
EOF
done
PORT=$(free_port)
mkdir -p "$T/www"
echo ok > "$T/www/index.html"
service web <<EOF
command: [python3, -m, http.server, "$PORT", --bind, 127.0.0.1, --directory, "$T/www"]
EOF
checked="dbtcp dbhttp local literal late"
for s in $checked; do
        case $s in
        dbtcp) check="tcp: \"db.svd-test.internal:$PORT\"" ;;
        dbhttp) check="http: \"http://db:$PORT/\"" ;;
        local) check="tcp: \"localhost:$PORT\"" ;;
        literal) check="tcp: \"127.0.0.1:$PORT\"" ;;
        late) check="tcp: \"late.svd-test.internal:$PORT\"" ;;
        esac
        service "$s" <<EOF
enabled: false
command: [sleep, "1000"]
healthcheck:
  $check
  timeout: 1s
  start_interval: 200ms
  interval: 200ms
  retries: 1
EOF
done

start_svd
wait_for eval 'python3 -c "import socket; socket.create_connection((\"127.0.0.1\", $PORT), 1)" 2>/dev/null'
# every lookup slot is taken by a name the DNS server never answers
wait_for eval '[ "$(sort -u "$T/out/dns.queries" | grep -c "^h[0-9]*\.svd-test\.example$")" -ge 20 ]'
# late.svd-test.internal becomes known: the changed /etc/hosts is re-read
# (its size changes, whatever the mtime's granularity)
# (rewritten in place: the bind mount holds this file's inode)
sed 's/^# 127.0.0.2 late/127.0.0.1 late/' "$T/hosts" > "$T/hosts.new"
cat "$T/hosts.new" > "$T/hosts"
for s in $checked; do svctl start "$s"; done
for s in $checked; do
        wait_field "$s" health healthy 5
done
# through the silent names' first timeouts (3 s), nothing fails once
end=$(( $(date +%s) + 5 ))
while [ "$(date +%s)" -le "$end" ]; do
        for s in $checked; do
                h=$(field "$s" health)
                [ "$h" = healthy ] || fail "$s: health '$h' (last probe: $(field "$s" last_probe))"
        done
        sleep 0.2
done
for s in $checked; do
        assert_eq "$(field "$s" probe_failures)" 0 "$s probe_failures"
        assert_eq "$(field "$s" restarts)" 0 "$s restarts"
done
# the silent names are still looked up, not answered from /etc/hosts
[[ "$(field s1 last_probe)" == "timeout after 3000ms "* ]] || fail "s1: last_probe '$(field s1 last_probe)'"
grep -qx 'db.svd-test.internal\|db\|localhost\|late.svd-test.internal' "$T/out/dns.queries" &&
        fail "a name of /etc/hosts was asked of the DNS server: $(sort -u "$T/out/dns.queries" | grep -v '^h[0-9]')"
exit 0

#!/bin/bash
# At most 20 name lookups run in svd-probe at once (glibc's getaddrinfo_a
# runs at most 20 threads: a lookup counted as running really runs); a check
# of a 21st name is not failed for it but waits its turn, within its own
# timeout, and a check that times out waiting says so. 40 services check 40
# names that a silent DNS server (named by a private /etc/resolv.conf) never
# answers, all at once: the checks of 20 names wait, and report "timeout
# after 3000ms waiting to resolve 'NAME' (20 name lookups running, at most
# 20)"; every name a check reports "resolving" (lookup running) was really
# asked of the DNS server.
SVD_PRIVATE_MOUNTS=1
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/dns_silent.inc"
dns_silent 85 h1.svd-test.example

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

start_svd
# The first checks of all 40 are in flight together: 20 names are looked
# up, 20 wait. Collect every last_probe until the waiting ones time out.
seen="$T/seen"
: > "$seen"
deadline=$(( $(date +%s) + 15 * SCALE ))
until grep -q "waiting to resolve" "$seen"; do
        [ "$(date +%s)" -gt "$deadline" ] && { sort "$seen" | uniq -c; fail "no check reported waiting for a lookup"; }
        svctl status --json | python3 -c '
import json, sys
for s in json.load(sys.stdin)["services"]:
    if s.get("last_probe"):
        print(s["last_probe"])
' >> "$seen"
        sleep 0.05
done
grep -q "too many name lookups" "$seen" && fail "a check failed at the lookup bound: $(grep -m1 "too many" "$seen")"
grep -q "^timeout after 3000ms waiting to resolve 'h[0-9]*\.svd-test\.example' ([0-9]* name lookups running, at most 20)$" "$seen" ||
        fail "unexpected wording: $(grep -m1 "waiting to resolve" "$seen")"
grep -q "^timeout after 3000ms resolving 'h[0-9]*\.svd-test\.example' (lookup running for [0-9.]*s)$" "$seen" ||
        fail "no check timed out resolving: $(sort "$seen" | uniq -c)"
# no check of a name is failed before its timeout
grep -v "^timeout after 3000ms " "$seen" && fail "a check ended otherwise than by its timeout"
# a lookup said to run had reached the DNS server
for h in $(sed -n "s/^timeout after 3000ms resolving '\([^']*\)' (lookup running for .*/\1/p" "$seen" | sort -u); do
        grep -qx "$h" "$T/out/dns.queries" || fail "'$h' reported resolving, but never asked of the DNS server"
done
grep -q 'no reply from svd-probe\|killing it' "$T/svd.out" && fail "svd-probe was taken for stuck"
exit 0

#!/bin/bash
# healthcheck.tcp: a host svd-probe would refuse (a blank, a slash, an empty
# [] literal) is refused at load, naming the file, line and key, instead of
# loading a check that can never run (it used to fail every probe with
# "prober unavailable", never counted, so the service could never turn
# unhealthy). Names, IPv4 and IPv6 literals (with a zone) still load.
. "$(dirname "$0")/lib.sh"

check() { rc=0; "$SVD" --check -c "$T/etc/svd.yaml" > /dev/null 2> "$T/err" || rc=$?; }

for bad in 'db host:5432' '[]:5432' 'db/x:5432' 'db,x:5432' 'h@x:80'; do
        rm -f "$T"/services/*.yaml
        service web <<EOF
command: [sleep, "1000"]
healthcheck:
  tcp: "$bad"
EOF
        check
        assert_eq "$rc" "1" "--check exit code for tcp '$bad'"
        grep -qF "services/web.yaml:3:8: healthcheck.tcp: bad host in '$bad'" "$T/err" ||
                fail "tcp '$bad': $(cat "$T/err")"
done

for good in 'localhost:5432' 'db-1.example_x.org:80' '127.0.0.1:1' '[::1]:80' '[fe80::1%lo]:80'; do
        rm -f "$T"/services/*.yaml
        service web <<EOF
command: [sleep, "1000"]
healthcheck:
  tcp: "$good"
EOF
        check
        assert_eq "$rc" "0" "--check exit code for tcp '$good' ($(cat "$T/err"))"
done

#!/bin/bash
# A start the kernel refuses with E2BIG says how large the environment and
# the arguments were, the largest variable, and where they come from: one
# variable of an env_file over the kernel's 128 KiB for a single string
# fails whatever the stack limit. It used to end with only "exec:
# /bin/sh: Argument list too long". The same service with a small env_file
# starts.
. "$(dirname "$0")/lib.sh"

python3 -c 'print("SMALL=1"); print("HUGE=" + "x" * 200 * 1024)' > "$T/big.env"
echo "SMALL=1" > "$T/small.env"
service big <<EOF
command: ['exec sleep 1000']
shell: true
env_file: $T/big.env
restart: "no"
EOF
service ok <<EOF
command: ['exec sleep 1000']
shell: true
env_file: $T/small.env
restart: "no"
EOF
start_svd
wait_state big failed
wait_state ok running
reason=$(field big reason)
case "$reason" in
"exec: /bin/sh: Argument list too long (environment: "*" variables, 200."*" KiB, the largest HUGE at 200.0 KiB; arguments: 3, "*" bytes; the kernel takes 128 KiB per string and a quarter of the stack limit in all: env_file, environment or the command is too large)") ;;
*) fail "big: reason '$reason'" ;;
esac
grep -qF "big: $reason" "$T/svd.out" || fail "the log does not say it"
stop_svd || fail "svd exit status"
echo "spawn_e2big: ok"

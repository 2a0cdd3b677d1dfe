#!/bin/bash
# A large env_file (120,000 variables, within the 2 MiB svd.yaml(5) allows)
# is read in svd's loop at each start: the variables used to be added one
# by one, each after a scan of those before it, which held PID 1's loop
# (no svctl answer, no other service started) for minutes. The start now
# comes to its verdict at once: here the kernel's limit on an environment
# (a quarter of the 8 MiB stack) refuses the exec, and the reason says so,
# with the environment's size.
# A smaller one still runs, with the last value of a repeated NAME and the
# env_file winning over environment:.
. "$(dirname "$0")/lib.sh"

# the kernel's limit on argv + environment follows svd's stack limit
ulimit -s 8192 2>/dev/null || { echo "SKIP: cannot set a stack limit of 8 MiB"; exit 77; }
awk 'BEGIN { for (i = 0; i < 120000; i++) printf "V%d=%d\n", i, i }' > "$T/big.env"
awk 'BEGIN { print "DUP=first"; print "BOTH=file"; for (i = 0; i < 20000; i++) printf "W%d=%d\n", i, i; print "DUP=last" }' \
        > "$T/mid.env"
service big <<EOF
command: [sh, -c, 'exec sleep 1000']
env_file: $T/big.env
restart: "no"
EOF
service mid <<EOF
command: [sh, -c, 'env > $T/out/env.tmp && mv $T/out/env.tmp $T/out/env; exec sleep 1000']
environment: { BOTH: config, ONLY: config }
env_file: $T/mid.env
EOF
start_svd
wait_state big failed
case "$(field big reason)" in
*"Argument list too long (environment: 1200"??" variables, "*" MiB, "*"; arguments: 3, "*"env_file, environment or the command is too large)") ;;
*) fail "big: reason '$(field big reason)'" ;;
esac
wait_state mid running
wait_for test -s "$T/out/env"
assert_eq "$(grep -c '^W[0-9]*=' "$T/out/env")" 20000 "mid: every variable"
assert_eq "$(grep '^W19999=' "$T/out/env")" "W19999=19999" "mid: the last variable"
assert_eq "$(grep '^DUP=' "$T/out/env")" "DUP=last" "mid: a repeated NAME has its last value"
assert_eq "$(grep '^BOTH=' "$T/out/env")" "BOTH=file" "mid: env_file wins over environment:"
assert_eq "$(grep '^ONLY=' "$T/out/env")" "ONLY=config" "mid: environment:"
echo "env_file_large: ok"

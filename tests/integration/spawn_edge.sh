#!/bin/bash
# What a service gets at its spawn, at the edges (each case a bug once):
# - no descriptor svd inherited from whatever started it (a shell, a
#   container runtime) reaches a service;
# - a numeric user: gets that user's supplementary groups, and its name in
#   USER, as the same user given by name does;
# - a WATCHDOG_PID the operator sets in environment: is left as given (svd
#   writes the pid only into its own entry, which has room for it).
. "$(dirname "$0")/lib.sh"

id -u postgres > /dev/null 2>&1 || { echo "no user postgres"; exit 77; }
service peek <<EOF2
type: oneshot
restart: "no"
user: "$(id -u postgres)"
environment: { WATCHDOG_PID: "x" }
command: [/bin/sh, -c, 'ls /proc/self/fd > $T/out/fds; id -G > $T/out/groups; echo "\$USER \$WATCHDOG_PID" > $T/out/env']
EOF2
exec 7< /dev/null 9> "$T/out/inherited" # open in svd's starter
start_svd
exec 7<&- 9>&-
wait_state peek exited
# 0-2, and the directory ls reads /proc/self/fd through
assert_eq "$(sort -n "$T/out/fds" | tr '\n' ' ')" "0 1 2 3 " "descriptors in a service"
assert_eq "$(cat "$T/out/groups")" "$(id -G postgres)" "groups of user $(id -u postgres)"
assert_eq "$(cat "$T/out/env")" "postgres x" "USER and WATCHDOG_PID"
echo "spawn_edge: ok"

#!/bin/bash
# What a service gets at its spawn, at the edges (each case a bug once):
# - no descriptor svd inherited from whatever started it (a shell, a
#   container runtime) reaches a service;
# - a numeric user: gets that user's supplementary groups, and its name in
#   USER, as the same user given by name does;
# - a WATCHDOG_PID the operator sets in environment: is left as given (svd
#   writes the pid only into its own entry, which has room for it);
# - the working directory is entered as the service's user: one it cannot
#   enter itself (mode 0700, root's) fails the start with the stage named,
#   with capabilities: all too, instead of becoming its cwd; the default (the
#   user's home) is "/" when the user cannot enter it.
. "$(dirname "$0")/lib.sh"

id -u postgres > /dev/null 2>&1 || { echo "no user postgres"; exit 77; }
id -u nobody > /dev/null 2>&1 || { echo "no user nobody"; exit 77; }
pghome=$(getent passwd postgres | cut -d: -f6)
[ -d "$pghome" ] || { echo "postgres has no home directory"; exit 77; }
mkdir -m 0700 "$T/private"
for n in private private_all; do
caps=
[ $n = private_all ] && caps="sandbox: { capabilities: all }"
service $n <<EOF2
type: oneshot
restart: "no"
user: nobody
working_dir: $T/private
$caps
command: [/bin/sh, -c, 'pwd > $T/out/$n']
EOF2
done
# the home, as the default: entered when the user can, "/" when it cannot
# (here hidden by the sandbox, which root could still enter)
service home <<EOF2
type: oneshot
restart: "no"
user: postgres
command: [/bin/sh, -c, 'pwd > $T/out/home']
EOF2
service hidden_home <<EOF2
type: oneshot
restart: "no"
user: postgres
sandbox: { inaccessible_paths: ["$pghome"] }
command: [/bin/sh, -c, 'pwd > $T/out/hidden_home']
EOF2
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
for n in private private_all; do
        wait_state $n failed
        assert_eq "$(field $n reason)" "chdir: $T/private: Permission denied" "$n reason"
        [ ! -e "$T/out/$n" ] || fail "$n ran in $(cat "$T/out/$n")"
done
grep -q "private: chdir: $T/private: Permission denied" "$T/svd.out" || fail "chdir failure not logged"
wait_state home exited
assert_eq "$(cat "$T/out/home")" "$pghome" "postgres's default working directory"
wait_state hidden_home exited
assert_eq "$(cat "$T/out/hidden_home")" "/" "default working directory when the home cannot be entered"
echo "spawn_edge: ok"

#!/bin/bash
# svd holds the secrets' key and values: running as root with secrets
# configured, it makes itself not dumpable (no core dump; only a process
# with CAP_SYS_PTRACE may trace or read it). Seen from a root process
# without CAP_SYS_PTRACE: svd's /proc/PID/mem cannot be opened (the check
# of a ptrace attach), while a service's can (the exec made it dumpable
# again); so after a daemon-reexec too (an exec resets it).
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "needs root (svd is made non-dumpable only as root)"; exit 77; }
command -v setpriv > /dev/null || { echo "no setpriv"; exit 77; }
setpriv --bounding-set=-sys_ptrace true 2> /dev/null || { echo "cannot drop CAP_SYS_PTRACE"; exit 77; }

# svd without CAP_SYS_PTRACE too: a process may read another's memory
# only if its capabilities are a superset of the other's
real=$SVD
cat > "$T/svd-wrap" <<SH
#!/bin/sh
exec setpriv --bounding-set=-sys_ptrace "$real" "\$@"
SH
chmod 755 "$T/svd-wrap"
SVD=$T/svd-wrap

service app <<YAML
secrets:
  pw: { generate: password, length: 24 }
command: [/bin/sh, -c, 'exec sleep 1000']
YAML

# readable PID: whether a root process without CAP_SYS_PTRACE opens its memory
readable() { setpriv --bounding-set=-sys_ptrace sh -c 'exec 3< "/proc/$1/mem"' sh "$1" 2> /dev/null; }

start_svd
wait_state app running
readable "$SVD_PID" && fail "svd's memory is readable without CAP_SYS_PTRACE (still dumpable)"
readable "$(field app pid)" || fail "the service is not dumpable: cannot open its memory"
svctl daemon-reexec > /dev/null || fail "daemon-reexec"
wait_for svctl version
wait_state app running
readable "$SVD_PID" && fail "svd is dumpable again after daemon-reexec"
stop_svd || fail "svd exit status $?"

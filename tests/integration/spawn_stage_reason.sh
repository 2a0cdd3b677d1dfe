#!/bin/bash
# A start that fails in the child's set-up says which stage and what it was
# working on, not only the errno: which limit, with its values, the rlimits
# stage could not set ("rlimits: Operation not permitted" named neither).
# svd runs without CAP_SYS_RESOURCE (setpriv) and with low hard limits, so
# that a service's limits above them are refused by the kernel.
. "$(dirname "$0")/lib.sh"
command -v setpriv > /dev/null || { echo "no setpriv"; exit 77; }
ulimit -Sn 1024 && ulimit -Hn 4096 && ulimit -Sl 1024 && ulimit -Hl 1024 || { echo "cannot lower the limits"; exit 77; }
service memlock <<EOF
command: [sleep, "100000"]
restart: "no"
limits: { nofile: 2048, memlock: { soft: 1M, hard: infinity } }
EOF
service nofile <<EOF
command: [sleep, "100000"]
restart: "no"
limits: { nofile: { soft: 1024, hard: 8192 } }
EOF
service fine <<EOF
command: [sleep, "100000"]
limits: { nofile: 2048, memlock: 512K }
EOF
mkdir -p "$T/bin"
cat > "$T/bin/svd" <<EOF
#!/bin/sh
exec setpriv --bounding-set=-sys_resource --inh-caps=-sys_resource "$SVD" "\$@"
EOF
chmod 755 "$T/bin/svd"
REAL_SVD=$SVD
SVD=$T/bin/svd
start_svd
SVD=$REAL_SVD
wait_state fine running
wait_state memlock failed
wait_state nofile failed
why=" (a hard limit above svd's own needs CAP_SYS_RESOURCE)"
assert_eq "$(field memlock reason)" "rlimits: memlock 1048576:infinity: Operation not permitted$why" "memlock"
assert_eq "$(field nofile reason)" "rlimits: nofile 1024:8192: Operation not permitted$why" "nofile"
svctl status memlock | grep -qF "rlimits: memlock 1048576:infinity" || fail "status table: $(svctl status memlock)"
stop_svd || fail "svd exit status"
echo "spawn_stage_reason: ok"

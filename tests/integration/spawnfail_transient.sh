#!/bin/bash
# A start that fails for want of a resource that comes back by itself is
# retried by the restart policy, with backoff, as an exit would be; one that
# will fail the same way every time (a missing program: spawnfail.sh) still
# fails at once. Here the exec fails with EAGAIN: the service's user already
# has more processes than its limits.nproc allows (1: the kernel refuses
# the exec when the user had more than 1 already when svd switched to it;
# hog runs 2). Before, the service was
# left failed for good (an appliance's service down until an operator came),
# although the limit freed up a moment later. A uid of its own (no passwd
# entry), so no other process of the machine counts against the limit.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "needs root (user:)"; exit 77; }
U=47011
! getent passwd $U > /dev/null || { echo "uid $U has a passwd entry here"; exit 77; }
pgrep -u $U > /dev/null && { echo "uid $U has processes here"; exit 77; }
service hog <<EOF
user: "$U"
group: "$U"
command: [sh, -c, "sleep 1000 & exec sleep 1000"]
EOF
service late <<EOF
enabled: false
user: "$U"
group: "$U"
restart: on-failure
limits: { nproc: 1 }
command: [sleep, "1000"]
EOF
start_svd
wait_state hog running 30
two() { [ "$(pgrep -u $U | wc -l)" -ge 2 ]; }
wait_for two
svctl start late > /dev/null 2>&1 || true
restarted() { [ "$(field late restarts)" -ge 1 ] 2>/dev/null; }
wait_for restarted
st=$(field late state)
[ "$st" = backoff ] || [ "$st" = starting ] || fail "late: $st ($(field late reason)), expected a retry"
case "$(field late reason)" in
*"Resource temporarily unavailable"*) ;;
*) case "$(field late last_failure)" in
   *"Resource temporarily unavailable"*) ;;
   *) fail "late: reason '$(field late reason)', last failure '$(field late last_failure)'" ;;
   esac ;;
esac
svctl stop hog > /dev/null
wait_state late running 60
stop_svd || fail "svd exit status"
echo "spawnfail_transient: ok"

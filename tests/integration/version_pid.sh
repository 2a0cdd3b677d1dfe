#!/bin/bash
# version_pid: the version reply names the process that answers: svctl
# version prints svd's pid; --json has pid, pid_start (/proc/PID/stat field
# 22) and boot_id as /proc shows them, the same three after a daemon-reexec
# (same process). Run from a PID namespace whose /proc is not its own, svd
# still gives its own start time (through /proc/self), not that of the
# process with its pid in that /proc: a client there (debian/postinst) sees
# that the pid is not this svd's. Its state file names it by its pid and
# start time as that /proc shows them.
. "$(dirname "$0")/lib.sh"

# field 22 of /proc/PID/stat: the 20th after the command's last ')'
start_of() { sed -n 's/^.*) //p' "/proc/$1/stat" | cut -d' ' -f20; }
boot=$(cat /proc/sys/kernel/random/boot_id)
vjson() { svctl version --json | jq -r "$1"; }

service sleeper <<EOF
command: [sleep, "100000"]
EOF
start_svd
wait_state sleeper running

out=$(svctl version)
[[ "$out" == "svctl "*", svd "*" (protocol 1, pid $SVD_PID)" ]] || fail "svctl version: '$out' (svd's pid $SVD_PID)"
own_start=$(start_of "$SVD_PID")
[ -n "$own_start" ] && [ "$own_start" -gt 0 ] || fail "svd's start time in /proc: '$own_start'"
assert_eq "$(vjson .pid)" "$SVD_PID" "version --json: pid"
assert_eq "$(vjson .pid_start)" "$own_start" "version --json: pid_start"
assert_eq "$(vjson .boot_id)" "$boot" "version --json: boot_id"
assert_eq "$(vjson '.protocol')" "1" "version --json: protocol"
sp=$(field sleeper pid)

# a daemon-reexec: the same process answers, with the same three
before=$(svctl version --json | jq -c '{pid, pid_start, boot_id}')
svctl daemon-reexec > "$T/out/rx" || fail "daemon-reexec: $(cat "$T/out/rx")"
wait_for grep -q 'daemon-reexec: [0-9]* services taken over' "$T/svd.out"
assert_eq "$(svctl version --json | jq -c '{pid, pid_start, boot_id}')" "$before" "version --json after daemon-reexec"
assert_eq "$(field sleeper pid)" "$sp" "sleeper's pid after daemon-reexec"
stop_svd || fail "svd's exit status after SIGTERM"

# svd as PID 2 of a new PID namespace with the host's /proc: getpid() is 2,
# /proc/2 there is another process of the host (kthreadd); the reply's
# pid_start is svd's own, so pid and pid_start do not match that /proc
if [ "$(id -u)" = 0 ] && unshare --pid --fork true 2>/dev/null; then
        # sh stays PID 1 (svd is not its last command) and ends with svd
        unshare --pid --fork sh -c '"$@"; exit $?' sh "$SVD" -c "$T/etc/svd.yaml" > "$T/svd.out" 2>&1 &
        UNSHARE=$!
        SHPID=
        for _ in $(seq 100); do
                SHPID=$(pgrep -P "$UNSHARE" -x sh || true)
                [ -n "$SHPID" ] && SVD_PID=$(pgrep -P "$SHPID" -x svd || true)
                [ -n "$SVD_PID" ] && break
                sleep 0.05
        done
        [ -n "$SVD_PID" ] || fail "svd did not start in the PID namespace"
        wait_for svctl version
        assert_eq "$(vjson .pid)" "2" "version --json in the PID namespace: pid"
        assert_eq "$(vjson .pid_start)" "$(start_of "$SVD_PID")" "version --json in the PID namespace: pid_start"
        [ "$(start_of 2)" != "$(vjson .pid_start)" ] || fail "this /proc's pid 2 has svd's start time: nothing shown"
        assert_eq "$(vjson .boot_id)" "$boot" "version --json in the PID namespace: boot_id"
        # the state file names svd the same way, as the next svd looks it
        # up in /proc: not pid 2 with kthreadd's start time
        wait_for test -s "$T/run/state.json"
        assert_eq "$(jq -r .svd_pid "$T/run/state.json")" "$SVD_PID" "state.json in the PID namespace: svd_pid"
        assert_eq "$(jq -r .svd_start "$T/run/state.json")" "$(start_of "$SVD_PID")" "state.json in the PID namespace: svd_start"
        # (svd is not this shell's child: unshare's status is svd's)
        kill -TERM "$SVD_PID"
        rc=0
        wait "$UNSHARE" || rc=$?
        SVD_PID=
        assert_eq "$rc" "0" "svd's exit status after SIGTERM (PID namespace)"
else
        echo "skipped the PID namespace case: unshare --pid not permitted here"
fi
echo "version_pid: ok"

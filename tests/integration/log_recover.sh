#!/bin/bash
# A service's log recovers from trouble with its file, and the trouble never
# stops the service:
# - on_full: block: once space is back the service runs on, whichever path
#   writes first: the retry, reopen-logs or a new follower (svctl logs -f);
#   a disk that fills again while the waiting output is read blocks it again
#   without svd spinning on the full pipe;
# - a file that cannot be created (no inodes left) is a full disk: the
#   service starts, and survives a daemon-reexec; its output is counted as
#   dropped and the gap noted once the file can be created;
# - output dropped on a full disk before a daemon-reexec is counted in the
#   note the new svd writes;
# - a current file deleted by hand is created again at the next rotation
#   instead of growing, unlinked, past max_size.
# Private mount namespace, small tmpfs file systems (as log_diskfull.sh).
# LOG_RECOVER_CASES runs a subset: spin reopen follow inode_start
# inode_reexec gap_reexec deleted.
SVD_PRIVATE_MOUNTS=1
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || { echo "needs python3"; exit 77; }
CASES=" ${LOG_RECOVER_CASES:-spin reopen follow inode_start inode_reexec gap_reexec deleted} "
want() { [[ "$CASES" == *" $1 "* ]]; }

mkdir -p "$T/log"
mount -t tmpfs -o size=1M tmpfs "$T/log" 2>/dev/null || { echo "cannot mount tmpfs"; trap - EXIT; rm -rf "$T"; exit 77; }
umount "$T/log"
logfs() { mount -t tmpfs -o "$1" tmpfs "$T/log" || fail "mount tmpfs $1"; }
unlogfs() { umount "$T/log" 2>/dev/null || true; }
# unmount before lib.sh's EXIT trap removes $T (also on failure)
trap 'cleanup 2>/dev/null || true; unlogfs; rm -rf "$T"' EXIT
# one svd per part: stop it (svd must exit cleanly), forget the services
done_part() {
        stop_svd || fail "svd exit status"
        rm -f "$T"/services/*.yaml
        unlogfs
}

# wait_until SECONDS COMMAND...: as wait_for, with its own deadline
wait_until() {
        local deadline=$(( $(date +%s) + $1 * SCALE ))
        shift
        until "$@"; do
                [ "$(date +%s)" -gt "$deadline" ] && fail "timed out waiting for: $*"
                sleep 0.05
        done
}

if want spin || want reopen || want follow; then
        logfs size=2M
        heartbeat_service careful
        # the filler holds the disk's space; each part frees 512 KiB of it:
        # more than the batch a blocked sink holds (256 KiB at most), less
        # than the pipe holds, so the disk fills again while that is read
        dd if=/dev/zero of="$T/log/filler" bs=1K count=1900 status=none 2>/dev/null || true
        start_svd
        hb() { cat "$T/out/hb"; } # (replaced atomically: never read half-written)
        stalled() { local a; a=$(hb); sleep 1.5; [ "$a" = "$(hb)" ]; }
        # moved_since OLD: the heartbeat is no longer OLD
        moved_since() { [ "$(hb)" != "$1" ]; }
        # free_then OP: frees 512 KiB, then at once (no retry of svd's can
        # come between) sends OP on a connection opened before
        free_then() {
                python3 - "$SOCK" "$1" "$T/log/filler" <<'PY'
import json, os, socket, struct, sys
sock, op, filler = sys.argv[1:]
s = socket.socket(socket.AF_UNIX)
s.connect(sock)
req = json.dumps({"v": 1, "op": op, "name": "careful"} if op == "logs_follow" else {"v": 1, "op": op}).encode()
os.truncate(filler, os.path.getsize(filler) - 512 * 1024)
s.sendall(struct.pack(">I", len(req)) + req)
n = struct.unpack(">I", s.recv(4, socket.MSG_WAITALL))[0]
reply = json.loads(s.recv(n, socket.MSG_WAITALL))
sys.exit(0 if reply.get("ok") else 1)
PY
        }
        wait_until 10 test -s "$T/out/hb"
        wait_until 15 stalled
        if want spin; then
                # the retry's write succeeds, the output waiting in the pipe
                # fills the disk again: blocked again, svd must not spin
                hb0=$(hb)
                truncate -s -512K "$T/log/filler"
                wait_until 5 moved_since "$hb0"
                wait_until 15 stalled
                hz=$(getconf CLK_TCK)
                cpu() { awk '{print $14 + $15}' "/proc/$SVD_PID/stat"; }
                c0=$(cpu)
                sleep 2
                c1=$(cpu)
                [ $((c1 - c0)) -le $((hz / 2)) ] ||
                        fail "spin: svd used $((c1 - c0)) of $((2 * hz)) clock ticks in 2 s while blocked"
        fi
        if want reopen; then
                hb0=$(hb)
                free_then reopen_logs || fail "reopen_logs refused"
                wait_until 5 moved_since "$hb0" # (fails: "timed out": stalled for good)
                wait_until 15 stalled
        fi
        if want follow; then
                hb0=$(hb)
                free_then logs_follow || fail "logs_follow refused"
                wait_until 5 moved_since "$hb0"
                wait_until 15 stalled
        fi
        assert_eq "$(field careful log_dropped_bytes)" "0" "nothing dropped while blocking"
        assert_eq "$(field careful restarts)" "0" "careful restarts"
        rm -f "$T/log/filler"
        done_part
fi

if want inode_start || want inode_reexec; then
        logfs size=8M,nr_inodes=16
        service hello <<EOF
command: ["sh", "-c", "i=0; while :; do echo \"tick \$i\"; i=\$((i+1)); sleep 0.02; done"]
EOF
        fill_inodes() { local i=0; while touch "$T/log/f$i" 2>/dev/null; do i=$((i+1)); done; }
        dropped_over() { [ "$(field hello log_dropped_bytes)" -gt "$1" ]; }
        gap_note=' svd dropped [0-9]* bytes ([0-9]* lines) of output: No space left on device'
        gap_noted() { grep -q "$gap_note" "$T/log/hello.log" 2>/dev/null; }
        state_known() { st=$(field hello state); [ "$st" = running ] || [ "$st" = failed ]; }
        want inode_start && fill_inodes
        start_svd
        wait_until 10 state_known
        assert_eq "$st" "running" "hello's state with no inode left for its log"
        if want inode_start; then
                wait_until 10 dropped_over 0
                rm -f "$T"/log/f*
                wait_until 10 gap_noted
                assert_eq "$(field hello restarts)" "0" "hello restarts"
        fi
        if want inode_reexec; then
                wait_until 10 test -s "$T/log/hello.log"
                pid0=$(field hello pid)
                d0=$(field hello log_dropped_bytes)
                # the current file moved away (still linked: its inode is not
                # freed when the old svd's descriptor closes), no inode for a
                # new one: the new svd cannot open it when it takes over
                mv "$T/log/hello.log" "$T/log/hello.old"
                fill_inodes
                svctl daemon-reexec > /dev/null || fail "daemon-reexec"
                wait_until 10 dropped_over "$d0" # taken over: its output counted
                assert_eq "$(field hello pid)" "$pid0" "hello's pid after daemon-reexec"
                assert_eq "$(field hello state)" "running" "hello's state after daemon-reexec"
                assert_eq "$(field hello restarts)" "0" "hello restarts after daemon-reexec"
                rm -f "$T"/log/f*
                wait_until 10 gap_noted
                assert_eq "$(field hello pid)" "$pid0" "hello's pid once the log works again"
        fi
        done_part
fi

# gap_reexec: output dropped on a full disk before a daemon-reexec is still
# counted in the note the new svd writes once the disk has room again
if want gap_reexec; then
        logfs size=256K
        service hello <<EOF
command: ["sh", "-c", "i=0; while :; do echo \"tick \$i\"; i=\$((i+1)); sleep 0.01; done"]
EOF
        start_svd
        wait_state hello running
        wait_until 10 test -s "$T/log/hello.log"
        dd if=/dev/zero of="$T/log/filler" bs=1K count=512 status=none 2>/dev/null || true
        dropped_over() { [ "$(field hello log_dropped_bytes)" -gt "$1" ]; }
        wait_until 10 dropped_over 2000
        svctl daemon-reexec > /dev/null || fail "daemon-reexec"
        wait_for svctl version
        d1=$(field hello log_dropped_bytes)
        rm -f "$T/log/filler"
        # (the disk can take a write between drops: then a gap is noted
        # before the re-exec too; the notes together count every drop)
        noted_sum() { grep -o ' svd dropped [0-9]* bytes' "$T/log/hello.log" 2>/dev/null | awk '{n += $3} END {print n + 0}'; }
        noted_all() { [ "$(noted_sum)" -ge "$d1" ]; }
        wait_until 10 noted_all
        done_part
fi

if want deleted; then
        service counter <<EOF
command: [sh, -c, "while :; do seq 1 2000; sleep 0.05; done"]
logging: { max_size: 64K, max_files: 3, compress: false }
EOF
        start_svd
        wait_state counter running
        wait_until 10 test -s "$T/log/counter.log"
        rm -f "$T/log/counter.log"
        # created again at the next rotation (64 KiB: about half a second)
        wait_until 10 test -s "$T/log/counter.log"
        # (the reopen that created it closed the deleted one)
        ! ls -l "/proc/$SVD_PID/fd" | grep 'counter\.log (deleted)' || fail "svd still writes to the deleted file"
        for _ in $(seq 10); do
                size=$(stat -c %s "$T/log/counter.log")
                [ "$size" -le 65536 ] || fail "counter.log is $size bytes, over max_size"
                sleep 0.1
        done
        assert_eq "$(field counter restarts)" "0" "counter restarts"
        done_part
fi
echo "log_recover: ok"

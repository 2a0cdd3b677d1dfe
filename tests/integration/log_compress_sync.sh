#!/bin/bash
# A compressed rotated log reaches the disk before it replaces the plain
# file: the .gz.tmp that gzip wrote is synced (by the child, never on svd's
# loop) before svd renames it to .gz and deletes the plain file, so a power
# cut cannot leave an empty archive and no log (strace: an fsync between the
# creation of NAME.gz.tmp and its rename). The archive is valid gzip.
. "$(dirname "$0")/lib.sh"
command -v strace > /dev/null || { echo "no strace"; exit 77; }

PAD=$(printf 'z%.0s' $(seq 200))
service chatty <<YAML
command: ["sh", "-c", "while :; do echo \"line $PAD\"; sleep 0.002; done"]
logging: { max_size: 40K, max_files: 3, compress: true }
YAML
start_svd
wait_state chatty running
strace -f -qq -p "$SVD_PID" -e trace=openat,fsync,fdatasync,sync,rename,renameat,renameat2 -o "$T/strace" &
tracer=$!
wait_for grep -q TracerPid:.*[1-9] "/proc/$SVD_PID/status"
wait_for grep -q 'rename.*\.gz\.tmp' "$T/strace"
sleep 0.2
kill "$tracer"
wait "$tracer" 2> /dev/null || true
python3 - "$T/strace" <<'PY' || fail "compression: $(grep -E 'gz|sync' "$T/strace")"
import re, sys
lines = [re.sub(r"^\d+\s+", "", l) for l in open(sys.argv[1])]
created = None
for i, l in enumerate(lines):
    # by path or (safedir) relative to the log directory's fd
    m = re.search(r'openat\((?:AT_FDCWD|\d+), "(?:[^"]*/)?([^"/]*\.gz\.tmp)", O_WRONLY\|O_CREAT', l)
    if m:
        created = (m[1], i)
    m = re.search(r'rename(?:at2?)?\((?:\d+, )?"(?:[^"]*/)?([^"/]*\.gz\.tmp)", (?:\d+, )?"[^"]*\.gz"(?:, \w+)?\) += 0', l)
    if m and created and created[0] == m[1]:
        if not any(re.search(r"^(fsync|fdatasync)\(\d+\) += 0|^sync\(\) += 0", x) for x in lines[created[1]:i]):
            sys.exit("renamed without a sync: " + m[1])
        sys.exit(0)
sys.exit("no compression seen from start to end")
PY
for f in "$T"/log/chatty.log.*.gz; do gzip -t "$f" || fail "$f: bad gzip"; done
stop_svd || fail "svd exit status"
echo "log_compress_sync: ok"

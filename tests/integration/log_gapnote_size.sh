#!/bin/bash
# The note that records output dropped on a full disk ("svd dropped N
# bytes (M lines) of output: ...") is a record like any other: a file it
# would take past max_size is rotated first. Runs in a private mount
# namespace on a 1 MiB tmpfs.
SVD_PRIVATE_MOUNTS=1
. "$(dirname "$0")/lib.sh"
tmpfs_at "$T/log" size=1M

# 4080 bytes: the line's record (34 bytes) fits under max_size (4120) but
# not in the file's first page, so it is dropped while the disk is full;
# the note (about 93 bytes) does not fit under max_size
python3 -c 'import sys; open(sys.argv[1], "w").write("p" * 4079 + "\n")' "$T/log/g.log"
dd if=/dev/zero of="$T/log/fill" bs=4k status=none 2>/dev/null || true
service g <<YAML
command: ["sh", "-c", "echo x; exec sleep 1000"]
logging: { max_size: 4120, compress: false }
YAML
start_svd
wait_state g running
wait_for sh -c "[ \"\$($SVCTL -s $SOCK status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"services\"][0][\"log_dropped_bytes\"])')\" = 2 ]"
rm -f "$T/log/fill"
wait_for grep -q ' svd dropped 2 bytes (1 lines) of output: No space left on device' "$T"/log/g.log*
ls -l "$T/log" >&2
for f in "$T"/log/g.log*; do
        n=$(stat -c %s "$f")
        [ "$n" -le 4120 ] || fail "$f: $n bytes, more than max_size (4120)"
done
stop_svd || fail "svd exit status"
echo "log_gapnote_size: ok"

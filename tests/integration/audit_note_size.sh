#!/bin/bash
# The audit log's note of records lost to a full disk ("svd dropped N
# records: ...") counts toward max_size with the record it comes before: a
# file the two would take past max_size is rotated first. Runs in a private
# mount namespace on a 1 MiB tmpfs.
SVD_PRIVATE_MOUNTS=1
. "$(dirname "$0")/lib.sh"
tmpfs_at "$T/log" size=1M
cat >> "$T/etc/svd.yaml" <<YAML
  logging: { max_size: 4200, compress: false }
YAML

# 4050 bytes: a record (about 95 bytes) fits under max_size but not in the
# file's first page (so it is dropped while the disk is full); the note and
# the record together do not fit
python3 -c 'import sys; open(sys.argv[1], "w").write("p" * 4049 + "\n")' "$T/log/audit.log"
service web <<YAML
command: [/bin/sh, -c, 'exec sleep 1000']
YAML
start_svd
wait_state web running
dd if=/dev/zero of="$T/log/fill" bs=4k status=none 2>/dev/null || true
svctl start web > /dev/null || fail "start with a full log_dir"
wait_for grep -q "audit: cannot write .*/audit.log: No space left on device" "$T/svd.out"
rm -f "$T/log/fill"
svctl restart web > /dev/null || fail "restart"
wait_for grep -q "op=restart name=web result=ok" "$T"/log/audit.log*
ls -l "$T/log" >&2
for f in "$T"/log/audit.log*; do
        n=$(stat -c %s "$f")
        [ "$n" -le 4200 ] || fail "$f: $n bytes, more than max_size (4200)"
done
grep -q " svd dropped 1 record: No space left on device" "$T/log/audit.log" || fail "no note in the new file"
tail -n 1 "$T/log/audit.log" | grep -q "op=restart name=web result=ok" || fail "last record"
stop_svd || fail "svd exit status"
echo "audit_note_size: ok"

#!/bin/bash
# A line longer than max_line is cut into records ("out+" pieces, then the
# rest): they stay in one file. A rotation due by max_size in the middle of
# such a line waits for its last piece: a reader of one file (or of files
# kept by retention) never gets half a line whose rest is elsewhere.
. "$(dirname "$0")/lib.sh"

# each time $T/out/go appears: short lines, then one line of 5000 bytes
# (5 records of max_line 1K), then "done"
python3 -c 'import sys; sys.stdout.write("".join("short %d\n" % i for i in range(40)) + "L" * 5000 + "\n")' > "$T/out/batch"
service u <<EOF
command: ["sh", "-c", "while :; do if [ -e $T/out/go ]; then rm -f $T/out/go; cat $T/out/batch; echo done; fi; sleep 0.02; done"]
logging: { max_size: 8K, max_line: 1K, max_files: 100, compress: false }
EOF
# the same without timestamps: a piece is the text and a backslash
service raw <<EOF
command: ["sh", "-c", "while :; do if [ -e $T/out/go.raw ]; then rm -f $T/out/go.raw; cat $T/out/batch; echo done; fi; sleep 0.02; done"]
logging: { timestamps: false, max_size: 8K, max_line: 1K, max_files: 100, compress: false }
EOF
start_svd
wait_state u running
wait_state raw running
for i in 1 2 3 4 5 6; do
        touch "$T/out/go" "$T/out/go.raw"
        wait_for sh -c "[ \$(cat '$T'/log/u.log* 2> /dev/null | grep -c ' out done\$') -ge $i ]"
        wait_for sh -c "[ \$(cat '$T'/log/raw.log* 2> /dev/null | grep -c '^done\$') -ge $i ]"
done
[ "$(ls "$T/log" | grep -c '^u\.log\.')" -ge 3 ] || fail "too few rotations: $(ls "$T/log")"
stop_svd || fail "svd exit status"
python3 - "$T/log" <<'PY' || fail "raw: a line's pieces in two files"
import glob, os, sys
files = sorted(glob.glob(sys.argv[1] + "/raw.log.*")) + [sys.argv[1] + "/raw.log"]
assert len(files) >= 4, files
for p in files:
    recs = open(p, "rb").read().split(b"\n")[:-1]
    assert not recs[-1].endswith(b"\\"), (os.path.basename(p), "ends with a piece")
    assert not recs[0].startswith(b"L") or len(recs[0]) == 1025, (os.path.basename(p), "starts with the rest of a line")
PY
python3 - "$T/log" <<'PY' || fail "a line's pieces in two files"
import glob, os, sys
files = sorted(glob.glob(sys.argv[1] + "/u.log.*")) + [sys.argv[1] + "/u.log"]
for p in files:
    recs = open(p, "rb").read().split(b"\n")[:-1]
    streams = [r.split(b" ", 2)[1] for r in recs]
    # no file ends in a piece, none starts with the rest of one
    assert streams[-1] != b"out+", (os.path.basename(p), "ends with a piece")
    assert not recs[0].endswith(b"L" * 10) or streams[0] == b"out+", (os.path.basename(p), "starts with the rest of a line")
    text = b"".join(r.split(b" ", 2)[2] if s == b"out+" else r.split(b" ", 2)[2] + b"\n" for r, s in zip(recs, streams) if s.startswith(b"out"))
    for l in text.split(b"\n"):
        assert not l.startswith(b"L") or len(l) == 5000, (os.path.basename(p), "a line of", len(l))
    size = os.path.getsize(p)
    # past max_size by the rest of a line at most
    assert size <= 8192 + 5000 + 5 * 40, (os.path.basename(p), size)
PY
echo "log_rotate_pieces: ok"

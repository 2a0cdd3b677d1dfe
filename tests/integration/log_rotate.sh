#!/bin/bash
# Rotation and retention: no file exceeds max_size by more than one line
# (without timestamps not at all, and no line is lost across rotations),
# max_files and max_total hold per service, log_max_total evicts the oldest
# rotated files across services, compressed files are valid gzip, and the
# newest lines are always kept. SIGUSR1 reopens files moved away by a tool.
# The cleanup at start removes the compression leftovers no gzip writes.
. "$(dirname "$0")/lib.sh"

LOGGEN="$TOP_BUILDDIR/tests/helpers/loggen"
CHECK="$TOP_SRCDIR/tests/helpers/logcheck.py"
PAD=$(printf 'x%.0s' $(seq 60))

service a <<EOF
command: ["$LOGGEN", "-", "20000", "-", "$PAD"]
restart: no
logging: { max_size: 100K, max_files: 3, compress: true }
EOF
service b <<EOF
command: ["$LOGGEN", "-", "10000", "-", "$PAD"]
restart: no
logging: { max_size: 50K, max_files: 100, max_total: 250K, compress: false }
EOF

service raw <<EOF
command: ["$LOGGEN", "-", "10000", "-", "$PAD"]
restart: no
logging: { timestamps: false, max_size: 20K, max_files: 1000, compress: false }
EOF

start_svd
for s in a b raw; do wait_state $s exited 30; done
# compression runs in the background
wait_for sh -c "! ls '$T/log' | grep -qE '^a\\.log\\.[0-9T.]+Z(\\.gz\\.tmp)?\$'"
ls -l "$T/log" >&2

size() { stat -c %s "$1"; }
for f in "$T"/log/*; do
        case "$f" in
        *.gz) gzip -t "$f" || fail "$f: bad gzip"; n=$(gzip -dc "$f" | wc -c) ;;
        *) n=$(size "$f") ;;
        esac
        [ "$n" -le $((100 * 1024 + 200)) ] || fail "$f: $n bytes, more than max_size plus a line"
done
# b has a 50K max_size
for f in "$T"/log/b.log*; do
        [ "$(size "$f")" -le $((50 * 1024 + 200)) ] || fail "$f exceeds max_size 50K"
done
# without timestamps whole lines go out in runs cut at max_size: no file
# exceeds it, and the files in name order hold every line once, in order
# per stream
for f in "$T"/log/raw.log*; do
        [ "$(size "$f")" -le $((20 * 1024)) ] || fail "$f exceeds max_size 20K"
done
[ "$(ls "$T/log" | grep -c '^raw\.log\.')" -ge 20 ] || fail "raw: too few rotations"
cat $(ls "$T"/log/raw.log.* | sort) "$T/log/raw.log" | python3 -c '
import sys
seen = {"out": [], "err": []}
for line in sys.stdin:
    st, n, pad = line.split()
    seen[st].append(int(n))
for st, nums in seen.items():
    assert nums == [n for n in range(10000) if ((n // 7) % 2 == 0) == (st == "out")], st
' || fail "raw: lines lost, repeated or out of order across rotations"
n_a=$(ls "$T/log" | grep -cE '^a\.log\.' || true)
[ "$n_a" -le 3 ] && [ "$n_a" -ge 2 ] || fail "a: $n_a rotated files, max_files is 3"
total_b=$(cat "$T"/log/b.log* | wc -c)
[ "$total_b" -le $((250 * 1024)) ] || fail "b: $total_b bytes, max_total is 250K"
# the newest lines survive retention, in order
python3 "$CHECK" lines "$T/log" a.log | awk '{print $2}' | sort -c || fail "a: lines out of order"

# SIGUSR1: a tool moved the file away; svd writes a new one
cat > "$T/services/e.yaml" <<EOF
command: ["sh", "-c", "while :; do echo tick; sleep 0.05; done"]
EOF
stop_svd || fail "svd exit status"
start_svd
wait_state e running
wait_for grep -q tick "$T/log/e.log"
mv "$T/log/e.log" "$T/log/e.log.moved"
kill -USR1 "$SVD_PID"
wait_for test -s "$T/log/e.log"
svctl reopen-logs || fail "svctl reopen-logs"
stop_svd || fail "svd exit status"

# log_max_total: the oldest rotated files go first, whichever service they
# belong to
rm -f "$T"/services/*.yaml "$T"/log/*
echo "log_max_total: 1M" >> "$T/etc/svd.yaml"
for s in c d; do
service $s <<EOF
command: ["$LOGGEN", "-", "15000", "-", "$PAD"]
restart: no
logging: { max_size: 100K, max_files: 100, compress: false }
EOF
done
start_svd
wait_state c exited 30
wait_state d exited 30
ls -l "$T/log" >&2
total=$(du -cb "$T"/log/* | tail -1 | cut -f1)
[ "$total" -le $((1024 * 1024)) ] || fail "all: $total bytes, log_max_total is 1M"
for s in c d; do
        # current files are never evicted
        [ "$(stat -c %s "$T/log/$s.log")" -gt 0 ] || fail "$s: current file emptied"
done
stop_svd || fail "svd exit status"

# At start the leftovers of unfinished compressions are removed, none of
# which has a gzip under way: a's (started), b's and c's (configured, not
# started; their names start with another log's) and svd's audit log's.
# A gzip under way keeps its own: log_gztmp_sweep.sh.
rm -f "$T"/services/*.yaml "$T"/log/*
service a <<EOF
command: [sleep, "1000"]
EOF
for s in b c; do
service $s <<EOF
command: [sleep, "1000"]
enabled: false
logging: { file: ../log/$([ $s = b ] && echo a.log.x.log || echo audit.log.y.log) }
EOF
done
STAMP=20261122T003043.123456Z
for f in a.log a.log.x.log audit.log audit.log.y.log; do : > "$T/log/$f.$STAMP.gz.tmp"; done
start_svd
wait_state a running
for f in a.log a.log.x.log audit.log audit.log.y.log; do wait_for test ! -e "$T/log/$f.$STAMP.gz.tmp"; done
for s in b c; do svctl start $s > /dev/null; wait_state $s running; done
stop_svd || fail "svd exit status"

# The first look at every service's log in log_dir is one pass over it:
# each log gets exactly its own files (compression left to do, max_files,
# its compression leftovers), a file of no configured log is left alone.
# (Without log_max_total: three current files of max_size 10M are more than
# its 1M above, which leaves no room for any rotated file.)
rm -f "$T"/services/*.yaml "$T"/log/*
sed -i '/^log_max_total:/d' "$T/etc/svd.yaml"
for s in d1 d2 d3; do
service $s <<EOF
command: [sleep, "1000"]
logging: { max_files: 2, compress: true }
EOF
        for st in 20261120T000000.000001Z 20261120T000000.000002Z 20261121T000000.000003Z 20261121T000000.000004Z; do
                echo "$s $st" > "$T/log/$s.log.$st"
        done
        : > "$T/log/$s.log.20261121T000000.000004Z.gz.tmp"
done
echo stray > "$T/log/gone.log.20261120T000000.000001Z"
start_svd
for s in d1 d2 d3; do wait_state $s running; done
rotated_of() { (cd "$T/log" && ls $1.log.2* | tr '\n' ' '); }
rotated_are() { [ "$(rotated_of $1)" = "$2" ]; }
for s in d1 d2 d3; do
        # (a gzip of a file retention deleted meanwhile may still be ending)
        want="$s.log.20261121T000000.000003Z.gz $s.log.20261121T000000.000004Z.gz "
        for _ in $(seq $((200 * SCALE))); do rotated_are $s "$want" && break; sleep 0.05; done
        rotated_are $s "$want" || fail "$s: rotated files after start: $(rotated_of $s)"
        [ "$(gzip -dc "$T/log/$s.log.20261121T000000.000003Z.gz")" = "$s 20261121T000000.000003Z" ] ||
                fail "$s: compressed another log's file"
done
[ "$(cat "$T/log/gone.log.20261120T000000.000001Z")" = stray ] || fail "a file of no configured log was touched"
stop_svd || fail "svd exit status"
echo "log_rotate: ok"

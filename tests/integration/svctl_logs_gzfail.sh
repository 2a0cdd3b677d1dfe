#!/bin/bash
# svctl logs and a rotated .gz that gzip cannot read to its end (truncated,
# or not gzip data at all): the lines gzip decompressed before the damage
# are shown, then one warning on stderr naming the file, gzip's exit status
# and message; the other files are still shown and the exit status is 1,
# as for a skipped file. With -n (the .gz read as a stream keeping its last
# lines) the same. A sound .gz gives no warning.
. "$(dirname "$0")/lib.sh"
command -v gzip > /dev/null || { echo "no gzip"; exit 77; }

D="$T/log"
L="$T/etc/../log" # (as svd names the files: log_dir is relative to svd.yaml)
mkdir -p "$D"
G=u.log.20200101T00000
# 20000 lines, about 60 KB compressed: cut to its first 20 KB
seq -f 'old line %g' 0 19999 | gzip -c > "$T/full.gz"
head -c 20000 "$T/full.gz" > "$D/${G}1.000000Z.gz"
printf 'this is not gzip data\n' > "$D/${G}2.000000Z.gz"
echo 'sound gz generation' | gzip -c > "$D/${G}3.000000Z.gz"
# what gzip itself gets out of the cut file: the lines svctl must show
# (up to its last newline: a partial last line is never shown)
gzip -dc < "$D/${G}1.000000Z.gz" > "$T/raw" 2> /dev/null && fail "gzip read the cut file"
python3 -c 'import sys; d = open(sys.argv[1], "rb").read(); open(sys.argv[2], "wb").write(d[:d.rfind(b"\n") + 1])' \
        "$T/raw" "$T/shown"
n=$(wc -l < "$T/shown")
[ "$n" -gt 100 ] && [ "$n" -lt 20000 ] || fail "gzip decompressed $n lines of the cut file"

service u <<EOF
command: ["sh", "-c", "echo current line; exec sleep 1000"]
logging: { timestamps: false }
EOF
start_svd
wait_state u running
wait_for grep -q 'current line' "$D/u.log"

check() { # $1: what ran; stdout in $T/so, stderr in $T/se, exit status in $rc
        assert_eq "$rc" 1 "$1: exit status"
        grep -qFx "svctl: warning: $L/${G}1.000000Z.gz: gzip failed (exit 1): unexpected end of file; lines from it may be missing" "$T/se" ||
                fail "$1: no warning for the cut .gz: $(cat "$T/se")"
        grep -qE "^svctl: warning: $L/${G}2\.000000Z\.gz: gzip failed \(exit 1\): .*not in gzip format; lines from it may be missing\$" "$T/se" ||
                fail "$1: no warning for the .gz that is not gzip data: $(cat "$T/se")"
        assert_eq "$(wc -l < "$T/se")" 2 "$1: stderr lines"
        grep -v -e '^sound gz generation$' -e '^current line$' "$T/so" > "$T/so.old"
        cmp -s "$T/shown" "$T/so.old" || fail "$1: the cut file's lines: $(diff "$T/shown" "$T/so.old" | head)"
        grep -qx 'sound gz generation' "$T/so" || fail "$1: the sound .gz is missing"
        grep -qx 'current line' "$T/so" || fail "$1: the current file is missing"
}

rc=0
timeout 20 "$SVCTL" -s "$SOCK" logs u > "$T/so" 2> "$T/se" || rc=$?
check "svctl logs"
# -n: read back from the current file, every .gz as a stream
rc=0
timeout 20 "$SVCTL" -s "$SOCK" logs u -n 100000 > "$T/so" 2> "$T/se" || rc=$?
check "svctl logs -n"

# without the damaged files: no warning, exit status 0
rm -f "$D/${G}1.000000Z.gz" "$D/${G}2.000000Z.gz"
rc=0
svctl logs u > "$T/so" 2> "$T/se" || rc=$?
assert_eq "$rc" 0 "exit status without damaged files"
[ ! -s "$T/se" ] || fail "stderr without damaged files: $(cat "$T/se")"
assert_eq "$(cat "$T/so")" "sound gz generation
current line" "lines without damaged files"
stop_svd || fail "svd exit status"
echo ok

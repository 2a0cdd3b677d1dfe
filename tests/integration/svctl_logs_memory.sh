#!/bin/bash
# svctl logs runs in bounded memory whatever the size of the files: -n 20
# on a 400 MiB never-rotated log reads it back from its end; on a small .gz
# that decompresses to 1 GiB it streams through gzip keeping 20 lines;
# without -n (and with --json) lines are printed as read. Each run's peak
# RSS stays under 64 MiB, and the lines are exactly the expected ones. A line
# longer than svd ever writes is cut, marked "+", and reported.
. "$(dirname "$0")/lib.sh"

for s in big gzonly longl; do
        service $s <<EOF2
command: ["true"]
restart: no
logging: { max_size: 0 }
EOF2
done
start_svd
for s in big gzonly longl; do wait_state $s exited 20; done

# 70 bytes a line: lines straddle svctl's 64 KiB blocks
FILL='2026-11-22T00:30:43.123456Z out filler line of a big log, not rotated'
PER=239675 # lines in about 16 MiB
OLD=20261122T003000.000000Z
mkdir -p "$T/gen"
# a gzip member of 16 MiB of lines, 64 times: 1 GiB decompressed, ~7 MiB on
# disk; then a member with the lines that end the file
yes "$FILL" | head -n $PER | gzip -1 > "$T/gen/m.gz"
lastgz() { for i in $(seq 1 30); do printf '2026-11-22T00:30:50.%06dZ err gz-last %d\n' "$i" "$i"; done; }
for f in big gzonly; do
        { for _ in $(seq 64); do cat "$T/gen/m.gz"; done; lastgz | gzip -1; } > "$T/log/$f.log.$OLD.gz"
done
# big: a 400 MiB current file (no holes: really written)
yes "$FILL" | head -n $((PER * 25)) >> "$T/log/big.log"
for i in $(seq 1 30); do printf '2026-11-22T00:31:00.%06dZ out cur-last %d\n' "$i" "$i"; done >> "$T/log/big.log"
# gzonly: five lines in the current file, the rest in the .gz
for i in 1 2 3 4 5; do printf '2026-11-22T00:31:00.%06dZ out only-cur %d\n' "$i" "$i"; done >> "$T/log/gzonly.log"
# longl: a 3 MiB line between two short ones
{ printf '2026-11-22T00:30:00.000001Z out before\n2026-11-22T00:30:00.000002Z err '
  head -c 3M /dev/zero | tr '\0' L
  printf '\n2026-11-22T00:30:00.000003Z out after\n'; } >> "$T/log/longl.log"

# runs svctl with its output in $T/out.txt, stderr in $T/err.txt; prints
# its peak RSS in KiB (gzip's, also waited for by svctl, counts too)
peak() {
        python3 -c '
import resource, subprocess, sys
with open(sys.argv[1], "wb") as o, open(sys.argv[2], "wb") as e:
    rc = subprocess.call(sys.argv[4:], stdout=o, stderr=e)
kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
with open(sys.argv[3], "a") as p:
    print(kb, file=p)
print(kb)
sys.exit(rc)' "$T/out.txt" "$T/err.txt" "$T/peaks" "$SVCTL" -s "$SOCK" logs "$@"
}
LIMIT=65536

# -n on the big current file: its last lines, the .gz never read
kb=$(peak big -n 20) || fail "svctl logs big -n 20: $(cat "$T/err.txt")"
assert_eq "$(cat "$T/out.txt")" "$(tail -n 20 "$T/log/big.log")" "big -n 20"
assert_le "$kb" "$LIMIT" "peak RSS (KiB) of svctl logs big -n 20"
# further back, across many blocks
peak big -n 5000 > /dev/null || fail "svctl logs big -n 5000"
cmp -s "$T/out.txt" <(tail -n 5000 "$T/log/big.log") || fail "big -n 5000 differs from tail -n 5000"
# --json likewise
kb=$(peak big -n 3 --json) || fail "svctl logs big -n 3 --json"
assert_eq "$(head -n 1 "$T/out.txt")" '{"service":"big","time":"2026-11-22T00:31:00.000028Z","stream":"out","text":"cur-last 28"}' "big -n 3 --json"
assert_le "$kb" "$LIMIT" "peak RSS (KiB) of svctl logs big -n 3 --json"

# -n reaching into the 1 GiB .gz: its last 15 lines, then the current 5
kb=$(peak gzonly -n 20) || fail "svctl logs gzonly -n 20: $(cat "$T/err.txt")"
assert_eq "$(cat "$T/out.txt")" "$(lastgz | tail -n 15; cat "$T/log/gzonly.log")" "gzonly -n 20"
assert_le "$kb" "$LIMIT" "peak RSS (KiB) of svctl logs gzonly -n 20"

# without -n: everything, streamed (--stream err: the .gz's last lines)
kb=$(peak gzonly --stream err) || fail "svctl logs gzonly --stream err: $(cat "$T/err.txt")"
assert_eq "$(cat "$T/out.txt")" "$(lastgz)" "gzonly --stream err"
assert_le "$kb" "$LIMIT" "peak RSS (KiB) of svctl logs gzonly --stream err"
kb=$(peak gzonly) || fail "svctl logs gzonly: $(cat "$T/err.txt")"
assert_eq "$(wc -l < "$T/out.txt")" "$((PER * 64 + 30 + 5))" "gzonly: every line"
assert_eq "$(tail -n 6 "$T/out.txt")" "$(lastgz | tail -n 1; cat "$T/log/gzonly.log")" "gzonly: the end"
rm -f "$T/out.txt"
assert_le "$kb" "$LIMIT" "peak RSS (KiB) of svctl logs gzonly"

# a line longer than svd ever writes: cut at 1 MiB + 64 bytes, marked "+",
# reported; the lines around it intact, with -n (read back) and without
want_len=$((1048576 + 64 - 32 + 27 + 6)) # the text kept, after "TIME err+ "
for args in "-n 3" ""; do
        # shellcheck disable=SC2086
        peak longl $args > /dev/null || fail "svctl logs longl $args"
        assert_eq "$(sed -n 1p "$T/out.txt")" "2026-11-22T00:30:00.000001Z out before" "longl $args: line 1"
        assert_eq "$(sed -n 2p "$T/out.txt" | cut -c1-40)" "2026-11-22T00:30:00.000002Z err+ LLLLLLL" "longl $args: cut line"
        assert_eq "$(sed -n 2p "$T/out.txt" | wc -c)" "$((want_len + 1))" "longl $args: cut line length"
        assert_eq "$(sed -n 3p "$T/out.txt")" "2026-11-22T00:30:00.000003Z out after" "longl $args: line 3"
        assert_eq "$(wc -l < "$T/out.txt")" "3" "longl $args: lines"
        grep -q "longl.log: 1 line longer than 1048640 bytes" "$T/err.txt" || fail "longl $args: no warning: $(cat "$T/err.txt")"
done

rm -rf "$T/gen" "$T/log"/big.log* "$T/log"/gzonly.log*
echo "peak RSS (KiB) of each run: $(tr '\n' ' ' < "$T/peaks")"
echo OK

#!/bin/bash
# svctl logs reads compressed rotated files through gzip -dc, found in its
# PATH. Without gzip there, posix_spawnp's ENOENT read as "deleted since
# svd listed it" and the .gz was skipped without a word (exit 0): the
# history was just shorter. It is a warning naming the file and why, exit
# 1, the other files shown; with and without -n.
. "$(dirname "$0")/lib.sh"

D="$T/log"
L="$T/etc/../log" # (as svd names the files)
mkdir -p "$D" "$T/nogzip"
echo "2020-01-01T00:00:01.000000Z out compressed line" | gzip > "$D/u.log.20200101T000002.000000Z.gz"
service u <<'EOF'
command: ["sh", "-c", "echo fresh line; exec sleep 100000"]
EOF
start_svd
wait_state u running
wait_for grep -q 'fresh line' "$D/u.log"
svctl logs u > "$T/so" 2> "$T/se" || fail "svctl logs with gzip: $(cat "$T/se")"
grep -q 'compressed line$' "$T/so" || fail "with gzip: the .gz not shown"
for c in "logs u" "logs u -n 5"; do
        rc=0
        # shellcheck disable=SC2086 # words on purpose
        PATH="$T/nogzip" "$SVCTL" -s "$SOCK" $c > "$T/so" 2> "$T/se" || rc=$?
        [ "$rc" = 1 ] && grep -qxF "svctl: $L/u.log.20200101T000002.000000Z.gz: skipped, gzip (to decompress it) is not in PATH; the other files are shown" "$T/se" ||
                fail "svctl $c without gzip: exit $rc: $(cat "$T/se")"
        grep -q 'fresh line$' "$T/so" || fail "svctl $c without gzip: the current file not shown"
done
stop_svd || fail "svd exit status"
echo ok

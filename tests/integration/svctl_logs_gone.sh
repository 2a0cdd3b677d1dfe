#!/bin/bash
# svctl logs and files that are not there to read. -n N --since TIME stops
# at the first file all of whose lines are older than TIME: the rotated
# files before it are not read (here the oldest is not gzip data, which
# would be warned about), while a TIME before them all still reaches them.
# A log directory deleted under svd is an error naming it (exit 1), not an
# empty log with exit 0. With -f, a current file deleted before svctl could
# open it, and no rotated file in its place, is said to be deleted, not
# "rotated and deleted" (tests/helpers/fakestatus.py plays svd there).
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || { echo "SKIP: python3 missing"; exit 77; }

D="$T/log"
L="$T/etc/../log" # (as svd names the files: log_dir is relative to svd.yaml)
mkdir -p "$D"
R=u.log.20200101T00000
printf 'this is not gzip data\n' > "$D/${R}1.000000Z.gz"
for i in 1 2 3; do echo "2020-01-01T00:00:0$i.000000Z out old line $i"; done > "$D/${R}2.000000Z"

service u <<'EOF2'
command: ["sh", "-c", "echo fresh line; exec sleep 100000"]
EOF2
start_svd
wait_state u running
wait_for grep -q 'fresh line' "$D/u.log"

# ---- --since within the newer files: the older ones are not read ----
since="@$(( $(date +%s) - 3600 ))"
for n in 1 100; do
        rc=0
        svctl logs u -n $n --since "$since" > "$T/so" 2> "$T/se" || rc=$?
        [ "$rc" = 0 ] && [ ! -s "$T/se" ] || fail "logs -n $n --since 1h: exit $rc: $(cat "$T/se")"
        grep -q 'out fresh line$' "$T/so" || fail "logs -n $n --since 1h: $(cat "$T/so")"
        grep -q 'old line' "$T/so" && fail "logs -n $n --since 1h shows older lines: $(cat "$T/so")"
done
# a TIME before them all: every file is read (the .gz warned about)
rc=0
svctl logs u -n 100 --since 2019-12-31T00:00 > "$T/so" 2> "$T/se" || rc=$?
[ "$rc" = 1 ] && grep -q "^svctl: warning: $L/${R}1.000000Z.gz: gzip failed" "$T/se" ||
        fail "logs -n 100 --since 2019: exit $rc: $(cat "$T/se")"
[ "$(grep -c 'old line' "$T/so")" = 3 ] && grep -q 'fresh line' "$T/so" || fail "logs --since 2019: $(cat "$T/so")"

# ---- the log directory deleted: an error naming it ----
rm -rf "$D"
for c in "logs u" "logs" "logs u -n 5" "logs -n 5"; do
        rc=0
        # shellcheck disable=SC2086 # words on purpose
        svctl $c > "$T/so" 2> "$T/se" || rc=$?
        [ "$rc" = 1 ] && grep -qxF "svctl: u: its log directory $L does not exist (deleted?): its lines cannot be shown" "$T/se" ||
                fail "svctl $c, the directory deleted: exit $rc: $(cat "$T/se")"
done

# ---- -f: the current file deleted, no rotated file in its place ----
mkdir -p "$T/flog"
cat > "$T/r.json" <<EOF2
[{"v": 1, "ok": true, "services": [{"name": "u", "current": "$T/flog/u.log", "files": [],
  "size": 0, "ino": 1, "timestamps": true}]}]
EOF2
rc=0
fctl "$T/r.json" logs u -f > "$T/so" 2> "$T/se" || rc=$? # (the fake closes after its reply)
[ "$rc" = 1 ] && grep -qx "svctl: u: the file current when following began was deleted before it could be read (not by a rotation); its lines are missing" "$T/se" ||
        fail "logs -f, the current file deleted: exit $rc: $(cat "$T/se")"
grep -q "rotated" "$T/se" && fail "logs -f, the current file deleted, said rotated: $(cat "$T/se")"
echo ok

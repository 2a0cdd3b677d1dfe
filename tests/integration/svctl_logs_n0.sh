#!/bin/bash
# svctl logs -n 0: no line, whatever the files. With -f, the file current
# at the subscription may have been rotated and compressed before svctl
# could open it: it is then read through gzip keeping its last N lines in a
# ring, and N 0 must not make that ring a division by zero (svctl died of
# SIGFPE). tests/helpers/fakestatus.py plays svd there (it closes the
# connection after its reply: "svd closed the log stream", exit 1).
. "$(dirname "$0")/lib.sh"
command -v python3 > /dev/null || { echo "SKIP: python3 missing"; exit 77; }

mkdir -p "$T/flog"
echo "2020-01-01T00:00:01.000000Z out rotated line" | gzip > "$T/flog/u.log.20200101T000002.000000Z.gz"
cat > "$T/r.json" <<EOF2
[{"v": 1, "ok": true, "services": [{"name": "u", "current": "$T/flog/u.log", "files": [],
  "size": 100, "ino": 1, "timestamps": true}]}]
EOF2
for n in 0 1; do
        rc=0
        fctl "$T/r.json" logs u -f -n $n > "$T/so" 2> "$T/se" || rc=$?
        [ "$rc" = 1 ] && grep -qx "svctl: svd closed the log stream" "$T/se" ||
                fail "logs -f -n $n, the current file rotated and compressed: exit $rc: $(cat "$T/se")"
        assert_eq "$(grep -c 'rotated line' "$T/so")" "$n" "lines shown by -f -n $n"
done
echo ok

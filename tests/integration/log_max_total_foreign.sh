#!/bin/bash
# log_max_total counts and prunes only the files svd wrote: a file in
# log_dir that svd never wrote (an operator's notes.log, a file another
# program named like one of svd's rotated files, another program's
# unfinished .gz.tmp) is neither counted, so it costs svd's services none
# of their rotated files, nor ever deleted.
. "$(dirname "$0")/lib.sh"

echo "log_max_total: 100K" >> "$T/etc/svd.yaml"
mkdir -p "$T/log"
blob() { head -c "$2" /dev/zero | tr '\0' x > "$T/log/$1"; }
blob notes.log 50000                                # an operator's
blob notes.log.20200101T000000.000000Z 40000        # named like a rotated file
blob tool.log.20200101T000000.000000Z.gz.tmp 1000   # another program's temporary file
seq 1 40 | sed 's/^/line /' > "$T/out/batch"        # ~2K each time go appears
service a <<EOF2
command: ["sh", "-c", "while :; do if [ -e $T/out/go ]; then rm -f $T/out/go; cat $T/out/batch; fi; sleep 0.02; done"]
logging: { max_size: 10K, max_files: 100, compress: false }
EOF2
start_svd
wait_state a running
first=
for i in $(seq 1 35); do
        touch "$T/out/go"
        wait_for sh -c "[ ! -e '$T/out/go' ]"
        [ -n "$first" ] || first=$(ls "$T/log" | grep '^a\.log\.' | head -n 1) || true
done
[ -n "$first" ] || fail "a never rotated: $(ls -l "$T/log")"
# ~70K of a's (10K counted for a.log) is under the cap: none of a's files
# goes (each rotation sweeps), though with the operator's 90K the directory
# holds more
[ -e "$T/log/$first" ] || fail "a's oldest rotated file was deleted for files svd did not write: $(ls -l "$T/log")"
[ -e "$T/log/notes.log.20200101T000000.000000Z" ] || fail "a file svd did not write was deleted"
[ -e "$T/log/tool.log.20200101T000000.000000Z.gz.tmp" ] || fail "another program's .gz.tmp was deleted"
assert_eq "$(stat -c %s "$T/log/notes.log")" "50000" "the operator's notes.log"
stop_svd || fail "svd exit status"
echo "log_max_total_foreign: ok"

#!/bin/bash
# svctl logs without -n reads a service's rotated files oldest first and its
# current file last, which can be long after svd listed them (gigabytes of
# .gz to decompress). A rotation in between renamed the file that was
# current at the listing to a name not in the list, and svctl then opened
# the new current file by name: the lines of the old one were silently
# missing from the middle of the output. The current file is opened when
# the listing arrives and read through that descriptor, whatever its name
# is by then. A gzip wrapper first in svctl's PATH holds the reading of the
# old .gz until the rotation has happened.
. "$(dirname "$0")/lib.sh"

D="$T/log"
mkdir -p "$D" "$T/bin"
echo "2020-01-01T00:00:01.000000Z out old line" | gzip > "$D/u.log.20200101T000002.000000Z.gz"
REAL=$(command -v gzip)
cat > "$T/bin/gzip" <<EOF
#!/bin/sh
touch $T/out/reading
n=0 # (bounded: a failed test must not leave it waiting)
while [ ! -e $T/out/release ] && [ \$n -lt 1500 ]; do sleep 0.02; n=\$((n + 1)); done
exec $REAL "\$@"
EOF
chmod 755 "$T/bin/gzip"

PAD=$(printf 'z%.0s' $(seq 100))
# ~1.5K at start; ~30K more (a rotation at 20K) once $T/out/go appears
service u <<EOF
command: ["sh", "-c", "for i in 1 2 3 4 5 6 7 8 9 10; do echo \"before \$i\"; done; while [ ! -e $T/out/go ]; do sleep 0.02; done; i=0; while [ \$i -lt 200 ]; do echo \"after \$i $PAD\"; i=\$((i+1)); done; exec sleep 100000"]
logging: { max_size: 20K, compress: false }
EOF
start_svd
wait_state u running
wait_for grep -q 'before 10$' "$D/u.log"

PATH="$T/bin:$PATH" "$SVCTL" -s "$SOCK" logs u > "$T/so" 2> "$T/se" &
reader=$!
wait_for test -e "$T/out/reading"
touch "$T/out/go"
rotated() { ls "$D" | grep -qE '^u\.log\.[0-9T.]*Z$' && [ "$(grep -c 'after' "$D/u.log")" -gt 0 ]; }
wait_for rotated
wait_for grep -q 'after 199 ' "$D/u.log"
touch "$T/out/release"
rc=0
wait "$reader" || rc=$?
[ "$rc" = 0 ] || fail "svctl logs: exit $rc: $(cat "$T/se")"
grep -q 'old line$' "$T/so" || fail "the .gz is not shown"
assert_eq "$(grep -c ' out before [0-9]*$' "$T/so")" 10 "lines of the file current at the listing"
# the output is in order: what the listing saw, nothing from after it
# but what went on in that same file
prev=-1
for n in $(grep -o ' out before [0-9]*' "$T/so" | awk '{print $3}'); do
        [ "$n" -gt "$prev" ] || fail "out of order: $(cat "$T/so")"
        prev=$n
done
stop_svd || fail "svd exit status"
echo ok

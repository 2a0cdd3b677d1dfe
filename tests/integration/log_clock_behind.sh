#!/bin/bash
# The clock behind the newest rotated file's stamp (an appliance without a
# real-time clock, booted before its time is set; a clock set back by
# hand): a rotation names its file after the newest one (names stay unique
# and ordered), but the new file's age counts from the time it really
# started. Counted from the name's future time, records after a rotation
# looked older than max_age (an unsigned difference that wrapped): batches
# were rotated on their own (18 files here instead of 7), and with the
# default max_files retention deleted the older history within a few lines.
# rotate_every: daily is held to the same (a clock set back is no new day).
. "$(dirname "$0")/lib.sh"

D="$T/log"
mkdir -p "$D"
PAD=$(printf 'z%.0s' $(seq 100))
for s in aged daily; do
        echo "2030-01-01T00:00:00.000000Z out from the future" > "$D/$s.log.20300101T000000.000000Z"
done
# ~13K in 100 batches: 6 rotations at max_size 2K
for s in aged daily; do
        case $s in
        aged) extra="max_age: 1h" ;;
        daily) extra="rotate_every: daily" ;;
        esac
        service $s <<EOF
command: ["sh", "-c", "i=0; while [ \$i -lt 100 ]; do echo \"line \$i $PAD\"; i=\$((i+1)); sleep 0.01; done; echo finished; exec sleep 100000"]
logging: { max_size: 2K, max_files: 1000, compress: false, $extra }
EOF
done
start_svd
for s in aged daily; do
        wait_state $s running
        wait_for grep -q 'out finished$' "$D/$s.log"
done
for s in aged daily; do
        n=$(ls "$D" | grep -cE "^$s\\.log\\.[0-9T.]*Z\$")
        # the one from 2030, and about 13K / 2K by size
        [ "$n" -le 9 ] || fail "$s: $n rotated files for ~13K at max_size 2K: $(ls "$D" | grep "^$s" | head -20)"
        [ -f "$D/$s.log.20300101T000000.000000Z" ] || fail "$s: the older file was deleted"
done
stop_svd || fail "svd exit status"
echo "log_clock_behind: ok"

#!/bin/bash
# metrics.textfile across reloads: the file the running configuration names
# is the only one svd keeps. A reload to another file, or to none, used to
# leave the old file behind (the writer removed the file the *new*
# configuration named, or nothing), so node_exporter went on exporting its
# last values, "up" included, for ever. The same file across a reload stays
# (no gap for a scrape to fall in) and follows the new interval; svd's exit
# removes the file.
. "$(dirname "$0")/lib.sh"

service web <<EOF
command: [sleep, "1000"]
EOF
cat >> "$T/etc/svd.yaml" <<EOF
metrics: { textfile: $T/prom/a.prom, interval: 1s }
EOF
up_in() { grep -q '^svd_service_up{service="web",slice=""} 1$' "$1" 2>/dev/null; }

start_svd
wait_state web running
wait_for up_in "$T/prom/a.prom"

# another file: the old one goes
sed -i "s#/prom/a.prom#/prom/b.prom#" "$T/etc/svd.yaml"
svctl reload >/dev/null || fail "reload to b.prom"
wait_for up_in "$T/prom/b.prom"
gone() { [ ! -e "$1" ]; }
wait_for gone "$T/prom/a.prom"

# the same file, another interval: it stays and is rewritten on the new one
sed -i "s#interval: 1s#interval: 2s#" "$T/etc/svd.yaml"
svctl reload >/dev/null || fail "reload to interval 2s"
[ -e "$T/prom/b.prom" ] || fail "b.prom removed by a reload that keeps it"
sleep 2.5
[ -e "$T/prom/b.prom" ] || fail "b.prom gone"

# no metrics any more: the file goes
sed -i "/^metrics:/d" "$T/etc/svd.yaml"
svctl reload >/dev/null || fail "reload without metrics"
wait_for gone "$T/prom/b.prom"
[ -e "$T/prom/a.prom" ] && fail "a.prom is back"

# and back: written again, removed when svd exits
echo "metrics: { textfile: $T/prom/c.prom, interval: 1s }" >> "$T/etc/svd.yaml"
svctl reload >/dev/null || fail "reload to c.prom"
wait_for up_in "$T/prom/c.prom"
stop_svd || fail "svd exit status"
[ -e "$T/prom/c.prom" ] && fail "c.prom left after svd exited"
echo "metrics_textfile: ok"

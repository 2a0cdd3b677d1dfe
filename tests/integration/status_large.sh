#!/bin/bash
# svctl status of 450 services whose exec probes print 1 KiB of double
# quotes (two bytes each in JSON; svd keeps at most 1 KiB of an output,
# control characters escaped, so this is the most JSON one can take: the
# outputs with the rest of the status pass the 1 MiB frame limit): the
# reply leaves the probe outputs out and says so, instead of being dropped
# (svctl waited 30 s for nothing); one service's details still carry its
# output.
. "$(dirname "$0")/lib.sh"
N=450
printf '#!/bin/sh\nhead -c 1024 /dev/zero | tr "\\000" "\\042"\n' > "$T/probe.sh"
chmod 755 "$T/probe.sh"
for i in $(seq $N); do
        printf 'command: [sleep, "100000"]\nhealthcheck: { exec: [%s], interval: 1h, start_interval: 1s }\n' \
                "$T/probe.sh" > "$T/services/s$i.yaml"
done
start_svd
probed() { [ "$(svctl status --json | grep -o '"last_probe_at"' | wc -l)" -ge $N ]; }
deadline=$(( $(date +%s) + 40 * SCALE ))
until probed; do
        [ "$(date +%s)" -gt "$deadline" ] && fail "not every service probed in 40 s"
        sleep 0.5
done
timeout 10 "$SVCTL" -s "$SOCK" status > "$T/out/table" 2> "$T/out/err" || fail "svctl status: $(cat "$T/out/err")"
assert_eq "$(grep -c '^s[0-9]' "$T/out/table")" $N "services in the table"
timeout 10 "$SVCTL" -s "$SOCK" status --json > "$T/out/json" || fail "svctl status --json"
python3 - "$T/out/json" $N <<'PY' || fail "status --json"
import json, sys
d = json.load(open(sys.argv[1]))
svcs = d["services"] if "services" in d else d
assert len(svcs) == int(sys.argv[2]), len(svcs)
assert not any("probe_output" in s for s in svcs), "probe_output still in the whole reply"
PY
timeout 10 "$SVCTL" -s "$SOCK" status s7 > "$T/out/one" || fail "svctl status s7"
grep -q "probe output:" "$T/out/one" || fail "s7's probe output missing: $(cat "$T/out/one")"
echo ok

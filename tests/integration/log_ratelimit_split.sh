#!/bin/bash
# logging.rate_limit decides per line, not per record: a line longer than
# max_line whose first piece ("out+") is kept is kept whole, so its record
# is followed by the rest of the line, as LOG FORMAT promises, never by
# whatever line the stream writes after the window; and it counts once.
. "$(dirname "$0")/lib.sh"

# burst 2: "one" and the long line are kept, "three" is dropped (the three
# come in one write: one window whatever the load); "four" comes in a later
# window
service r <<YAML
command: ["sh", "-c", "printf 'one\\\\n%0200d\\\\nthree\\\\n' 0 | tr 0 X; sleep 3; echo four; exec sleep 1000"]
logging: { max_line: 80, rate_limit: { burst: 2, interval: 1s } }
YAML
start_svd
wait_state r running
wait_for grep -q ' out four$' "$T/log/r.log"
python3 - "$T/log/r.log" <<'PY' || fail "a piece of a line followed by another line's record"
import sys
recs = [l.rstrip("\n").split(" ", 2) for l in open(sys.argv[1])]
out = [(st, text) for _, st, text in recs if st.startswith("out")]
print(out, file=sys.stderr)
for i, (st, text) in enumerate(out):
    if st == "out+":
        assert i + 1 < len(out) and set(out[i + 1][1]) == {"X"}, (i, out)
assert "".join(t for s, t in out if set(t) == {"X"}) == "X" * 200, "the long line is not whole"
assert [t for s, t in out if set(t) != {"X"}] == ["one", "four"], "lines kept"
PY
grep -q ' svd rate limit: dropped 1 lines' "$T/log/r.log" || fail "drop count: $(grep ' svd ' "$T/log/r.log")"
stop_svd || fail "svd exit status"
echo "log_ratelimit_split: ok"

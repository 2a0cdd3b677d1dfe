#!/bin/bash
# The start limit counts the restart where it happens: after the backoff
# delay. A service crashing at once, restarted every 1 s, makes at most 3
# starts in any 2.5 s (burst 3): it is never failed for it. With 100 ms
# delays, the same limit ends it after 3 starts.
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/out"
service steady <<EOF
command: [/bin/sh, -c, 'date +%s.%N >> $T/out/steady.starts; exit 1']
restart: on-failure
backoff: { initial: 1s, max: 1s, factor: 1 }
start_limit: { burst: 3, interval: 2500ms }
EOF
service fast <<EOF
command: [/bin/sh, -c, 'exit 1']
restart: on-failure
backoff: { initial: 100ms, max: 100ms, factor: 1 }
start_limit: { burst: 3, interval: 2500ms }
EOF
start_svd
wait_state fast failed
case "$(field fast reason)" in
"start limit hit: 3 starts within 2.5s (last: exited 1)") ;;
*) fail "fast reason: $(field fast reason)" ;;
esac
wait_for sh -c "[ \$(wc -l < $T/out/steady.starts 2>/dev/null || echo 0) -ge 5 ]"
[ "$(field steady state)" != failed ] || fail "steady failed: $(field steady reason)"
python3 - "$T/out/steady.starts" <<'EOF' || fail "steady: more than 3 starts within 2.5 s"
import sys
t = [float(l) for l in open(sys.argv[1])]
for a, b in zip(t, t[3:]):
    if b - a < 2.5:
        print("starts", t); sys.exit(1)
EOF
stop_svd || fail "svd exit status"

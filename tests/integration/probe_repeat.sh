#!/bin/bash
# Repeating HTTP checks: once a service is past its start, svd sends its check
# to svd-probe once with "every_ms", and svd-probe runs it on its own grid
# until svd cancels it. Two services, a and b, sleep while each is checked
# every 200ms against its own tests/helpers/httpd.py, started by this test
# (not by svd, so stopping a service leaves its server up); the servers'
# request counts (GET /stats, our own /stats calls subtracted) show how often
# each check really runs:
#   - repeating: both healthy, each server sees ~5 checks a second, not 0
#     (not repeated) and not ~10 (the check sent twice);
#   - passes are reported: last_probe_at of a healthy service keeps moving
#     although svd-probe may hold passes up to 1 s to batch them;
#   - failures are not held: the servers answer 500 -> a and b unhealthy
#     within interval * retries plus little, and while failing the last
#     result is never much older than the interval; back on 200, healthy
#     again at once (the first pass after a failure is not held either);
#   - cancel: svctl stop a -> a's server sees no more checks, b's still does;
#   - svd-probe killed: svd starts it again and re-sends b's check (b keeps
#     ~5/s, stays healthy), but not the stopped a's;
#   - reload adding "aa0" moves b in the table (probe ids carry the index):
#     b's check is cancelled and sent again under its new id, so b keeps ~5/s
#     (not 0, not ~10) and stays healthy.
. "$(dirname "$0")/lib.sh"

HTTPD="$TOP_SRCDIR/tests/helpers/httpd.py"
command -v python3 >/dev/null || { echo "python3 missing"; exit 77; }

# two distinct free loopback ports, held together while picked
read -r PA PB < <(python3 -c '
import socket
ss = [socket.socket() for _ in range(2)]
for s in ss:
    s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in ss])
')

HTTPD_PIDS=
trap 'for p in $HTTPD_PIDS; do kill "$p" 2>/dev/null || true; done; cleanup' EXIT

# start_httpd NAME PORT: a server of our own whose status is $T/out/NAME.status
start_httpd() {
        echo 200 > "$T/out/$1.status"
        python3 "$HTTPD" "$2" "$T/out/$1.status" > "$T/out/$1.port" 2> "$T/out/$1.err" &
        HTTPD_PIDS="$HTTPD_PIDS $!"
        for _ in $(seq 100); do [ -s "$T/out/$1.port" ] && return 0; sleep 0.05; done
        fail "httpd $1 did not start: $(cat "$T/out/$1.err")"
}
start_httpd a "$PA"
start_httpd b "$PB"

# window SECONDS PORT...: the checks each server got within SECONDS (one
# python process: /stats before and after; the second /stats call counts
# itself, so it is subtracted), one number per port
window() {
        python3 - "$@" <<'PY' || fail "cannot read /stats of $*"
import sys, time, urllib.request
secs, ports = float(sys.argv[1]), sys.argv[2:]
def counts():
    out = []
    for p in ports:
        with urllib.request.urlopen("http://127.0.0.1:%s/stats" % p, timeout=5) as r:
            out.append(int(r.read().split()[3]))
    return out
c0 = counts()
time.sleep(secs)
c1 = counts()
print(*[b - a - 1 for a, b in zip(c0, c1)])
PY
}
# in_range WHAT N LO HI
in_range() { [ "$2" -ge "$3" ] && [ "$2" -le "$4" ] || fail "$1: $2 checks, expected $3..$4"; }

# flip STATUS HEALTH MAXSEC NAME...: writes STATUS into the NAMEs' control
# files at once, then polls status every 20ms until each NAME's health is
# HEALTH; prints, per NAME, the seconds from the write to the first poll
# that saw it
flip() {
        python3 - "$SVCTL" "$SOCK" "$T/out" "$@" <<'PY' || fail "health of $4 never all '$2' after answering $1"
import json, os, subprocess, sys, time
svctl, sock, out, status, want, maxsec = sys.argv[1:7]
names = sys.argv[7:]
for n in names:
    with open("%s/%s.status.tmp" % (out, n), "w") as f:
        f.write(status + "\n")
for n in names:
    os.rename("%s/%s.status.tmp" % (out, n), "%s/%s.status" % (out, n))
t0 = time.monotonic()
seen, h = {}, {}
while len(seen) < len(names) and time.monotonic() - t0 < float(maxsec):
    res = subprocess.run([svctl, "-s", sock, "status", "--json"], capture_output=True, text=True).stdout
    try:
        h = {s["name"]: s.get("health") for s in json.loads(res)["services"]}
    except (ValueError, KeyError):
        h = {}
    for n in names:
        if n not in seen and h.get(n) == want:
            seen[n] = time.monotonic() - t0
    time.sleep(0.02)
if len(seen) < len(names):
    print("health: %s" % h, file=sys.stderr)
    sys.exit(1)
print(*["%.3f" % seen[n] for n in names])
PY
}
# max_age SECONDS NAME: polls status every 50ms for SECONDS; prints the
# largest age of NAME's last_probe_at seen (taken from before each poll, so
# it never overstates; in one process: a python3 start is slow when loaded)
# and the last last_probe_at
max_age() {
        python3 - "$SVCTL" "$SOCK" "$@" <<'PY' || fail "$2: no last_probe_at"
import json, subprocess, sys, time
svctl, sock, secs, name = sys.argv[1:5]
end, worst = time.monotonic() + float(secs), None
while time.monotonic() < end:
    t = time.time()
    res = subprocess.run([svctl, "-s", sock, "status", "--json"], capture_output=True, text=True).stdout
    try:
        at = [s for s in json.loads(res)["services"] if s["name"] == name][0]["last_probe_at"]
    except (ValueError, KeyError, IndexError):
        continue
    worst, last = max(worst if worst is not None else -1e9, t - at), at
    time.sleep(0.05)
if worst is None:
    sys.exit(1)
print("%.3f %.6f" % (worst, last))
PY
}
# wait_eq NAME KEY VALUE [SECONDS]
wait_eq() {
        local deadline=$(( $(date +%s) + ${4:-10} * SCALE )) v=
        while :; do
                v=$(field "$1" "$2")
                [ "$v" = "$3" ] && return 0
                [ "$(date +%s)" -gt "$deadline" ] && fail "$1: $2 is '$v', expected '$3'"
                sleep 0.05
        done
}
# within WHAT VALUE LIMIT: VALUE (seconds) <= LIMIT * SCALE (awk: a python3
# start costs most of a second on a loaded machine)
within() {
        awk -v v="$2" -v l="$3" -v k="$SCALE" 'BEGIN { exit !(v != "" && v + 0 <= l * k) }' ||
                fail "$1: $2 s, expected at most $3 s (x SCALE $SCALE)"
}
# later A B: the time A is after B
later() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "" && b != "" && a + 0 > b + 0) }'; }
probe_pid() { pgrep -P "$SVD_PID" -x svd-probe || true; }

for n in a b; do
        port=$PA
        [ $n = b ] && port=$PB
        service $n <<EOF
command: [sleep, "1000"]
healthcheck:
  http: { url: "http://127.0.0.1:$port/health" }
  start_interval: 100ms
  interval: 200ms
  timeout: 1s
  retries: 2
  on_unhealthy: none
EOF
done

start_svd
wait_eq a health healthy
wait_eq b health healthy
sleep 0.5 # the repeating checks are sent one interval after the first pass

# --- repeating: ~10 checks each in 2 s (200ms), neither missing nor doubled
lp0=$(field b last_probe_at)
r=$(window 2 "$PA" "$PB"); read -r na nb <<< "$r"
echo "checks in 2 s: a $na, b $nb"
in_range "a's server in 2 s while healthy" "$na" 6 14
in_range "b's server in 2 s while healthy" "$nb" 6 14

# --- passes are reported, if late: last_probe_at keeps moving, and is never
# much more than the 1 s hold old
r=$(max_age 1.5 b); read -r age lp1 <<< "$r"
echo "b passing: last_probe_at at most $age s old"
[ -n "$lp0" ] || fail "b: no last_probe_at"
later "$lp1" "$lp0" ||
        fail "b: last_probe_at did not move in 3.5 s of passing checks ($lp0 -> $lp1)"
within "b: age of last_probe_at while passing (passes held too long?)" "$age" 2.0
assert_eq "$(field a health)" "healthy" "a health while passing"

# --- failures are not held: a and b answer 500; 2 failures at 200ms make
# them unhealthy well within the 1 s that passes may be held. (Both flip:
# the replies of all checks share one queue, and a held pass of one service
# would otherwise take the other's held reply along at a random time.)
r=$(flip 500 unhealthy $(( 5 * SCALE )) a b); read -r dta dtb <<< "$r"
echo "500 -> unhealthy in: a $dta s, b $dtb s"
within "a: from answering 500 to unhealthy (failures held back?)" "$dta" 1.2
within "b: from answering 500 to unhealthy (failures held back?)" "$dtb" 1.2
assert_eq "$(field a state)" "running" "a state while unhealthy (on_unhealthy: none)"
# every failure is reported as it happens: the last result is never much
# older than the interval (held failures would age up to 1 s)
r=$(max_age 1.5 a); read -r age _ <<< "$r"
echo "a failing: last_probe_at at most $age s old"
within "a: age of last_probe_at while failing every 200ms (failures held back?)" "$age" 0.6
# nor the first pass after failures: both answer 200 again, their first
# passes travel at once (held, they would wait 1 s for company)
r=$(flip 200 healthy $(( 5 * SCALE )) a b); read -r dta dtb <<< "$r"
echo "200 -> healthy in: a $dta s, b $dtb s"
within "a: from answering 200 to healthy again (first pass held back?)" "$dta" 0.8
within "b: from answering 200 to healthy again (first pass held back?)" "$dtb" 0.8

# --- cancel: a stopped, its server sees no more checks; b's still does
svctl stop a > /dev/null || fail "svctl stop a failed"
wait_state a stopped
sleep 0.5
r=$(window 1.5 "$PA" "$PB"); read -r na nb <<< "$r"
echo "checks in 1.5 s after stopping a: a $na, b $nb"
[ "$na" -le 1 ] || fail "a's check still runs after svctl stop a: $na checks in 1.5 s (not cancelled)"
in_range "b's server in 1.5 s after stopping a" "$nb" 4 11

# --- svd-probe killed: started again, b's check sent again (once), a's not
old=$(probe_pid)
[ -n "$old" ] || fail "no svd-probe child of svd $SVD_PID"
kill -KILL "$old"
killed=$(now)
deadline=$(( $(date +%s) + 5 * SCALE ))
while :; do
        new=$(probe_pid)
        [ -n "$new" ] && [ "$new" != "$old" ] && break
        [ "$(date +%s)" -gt "$deadline" ] && fail "svd-probe not started again after kill -9 (was $old, now '$new'; it starts with the first check sent: was b's re-sent?)"
        sleep 0.05
done
dt=$(awk -v a="$killed" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }')
echo "svd-probe started again in $dt s"
within "from kill -9 of svd-probe to a new one" "$dt" 2.0
wait_for grep -q "svd-probe (pid $old) " "$T/svd.out"
wait_eq b health healthy 2
sleep 0.5
r=$(window 2 "$PA" "$PB"); read -r na nb <<< "$r"
echo "checks in 2 s after svd-probe's restart: a $na, b $nb"
in_range "b's server in 2 s after svd-probe's restart (re-armed once?)" "$nb" 6 14
[ "$na" -le 1 ] || fail "the stopped a's check came back with the new svd-probe: $na checks in 2 s"
assert_eq "$(field b health)" "healthy" "b health after svd-probe's restart"

# --- reload: aa0 sorts between a and b, so b's index (in its probe id) moves
service aa0 <<EOF
command: [sleep, "1000"]
EOF
svctl reload > "$T/out/reload" 2>&1 || fail "reload refused: $(cat "$T/out/reload")"
wait_for grep -q "reload: done" "$T/svd.out"
reloaded=$(now)
wait_state aa0 running
if command -v jq >/dev/null; then
        order=$(svctl status --json | jq -r '[.services[].name] | join(" ")')
else
        order=$(svctl status --json | python3 -c 'import json, sys; print(*[s["name"] for s in json.load(sys.stdin)["services"]])')
fi
assert_eq "$order" "a aa0 b" "service table order after the reload (b must move)"
sleep 0.5
r=$(window 2 "$PB"); read -r nb <<< "$r"
echo "checks in 2 s after the reload: b $nb"
in_range "b's server in 2 s after b moved in the table (0: not sent again; ~20: old one not cancelled)" "$nb" 6 14
assert_eq "$(field b health)" "healthy" "b health after the reload"
assert_eq "$(field b state)" "running" "b state after the reload"
# and its results still reach b: passes, then a failure at once
lp=$(field b last_probe_at)
later "$lp" "$reloaded" ||
        fail "b: no result since the reload (last_probe_at $lp, reload done at $reloaded)"
r=$(flip 500 unhealthy $(( 5 * SCALE )) b); read -r dt <<< "$r"
echo "b after the reload: 500 -> unhealthy in $dt s"
within "b after the reload: from answering 500 to unhealthy" "$dt" 1.2

stop_svd || fail "svd exit status $?"
echo "probe_repeat: ok"

#!/bin/bash
# svctl_reply_odd: replies a real svd does not send (tests/helpers/fakestatus.py
# plays svd) do not make svctl print a raw control character or garbage:
# every text field of an event (time, service, from, to, reason), not only
# its reason, is made safe for a terminal (a followed event goes through
# the same print_event). A time in status --boot that no boot has (negative,
# past what a 64-bit count of microseconds holds) is unknown, not printed
# as a figure of 300 digits or cast into garbage. secret list shows the
# names, kinds, consumers and on_rotate jobs svd sends made safe too, and
# secret rotate the on_rotate job it runs, reload its plan's actions,
# names and reasons, and status NAME a scheduled job's schedule; its times
# no run has (negative, past what a time_t holds) are "?", not garbage,
# and so are secret list's.
# A reply that is not a JSON object is exit 1 (svctl(8): failed), svd
# closing the connection without a reply exit 3, for every command alike;
# so are a reply without what the command shows (logs, events and secret
# list printed nothing and exited 0) and one in another protocol version.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || { echo "SKIP: python3 missing"; exit 77; }

# no raw control character (but the newline ending each line)
clean_output() {
        python3 - "$1" <<'PY' || fail "raw control character in $1: $(cat -v "$1")"
import re, sys
t = open(sys.argv[1], "rb").read().decode("utf-8")
bad = re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f]", t)
assert not bad, "%r at %d" % (bad.group(), bad.start())
PY
}

# ---- events: every field ----
cat > "$T/ev.json" <<'JSON'
[{"v": 1, "ok": true, "events": [{"time": "2026-11-22T00:30:43Z\u001b[2J", "service": "we\u001b]0;owned\u0007b",
  "kind": "state", "from": "start\u009bing", "to": "run\rning", "reason": "why\u001b[31m"}]}]
JSON
fctl "$T/ev.json" events > "$T/events.out" || fail "events: exit $?"
clean_output "$T/events.out"
assert_eq "$(cat "$T/events.out")" \
        '2026-11-22T00:30:43Z\x1b[2J we\x1b]0;owned\x07b start\x9bing -> run\x0dning: why\x1b[31m' "events line"

# ---- status --boot: times no boot has (negative, past 2^64 us) are unknown ----
cat > "$T/boot.json" <<'JSON'
[{"v": 1, "ok": true, "services": [], "boot": {"settled_usec": -1e30, "services": {
  "good": {"spawned_usec": 1600, "up_usec": 2600},
  "huge": {"spawned_usec": 1e300, "up_usec": 2000},
  "neg": {"spawned_usec": 1000, "up_usec": -5}}}}]
JSON
fctl "$T/boot.json" status --boot > "$T/boot.out" || fail "status --boot: exit $?"
grep -q '^boot not settled yet$' "$T/boot.out" || fail "status --boot, settled_usec -1e30: $(cat "$T/boot.out")"
grep -Eq '^good +0\.002s +0\.003s +0\.001s$' "$T/boot.out" || fail "status --boot: good: $(cat "$T/boot.out")"
grep -Eq '^(huge|neg) ' "$T/boot.out" && fail "status --boot shows times no boot has: $(cat "$T/boot.out")"
[ "$(wc -l < "$T/boot.out")" = 3 ] || fail "status --boot: $(cat "$T/boot.out")"

# ---- audit: the overall line's counts and rating as the reply has them ----
cat > "$T/audit.json" <<'JSON'
[{"v": 1, "ok": true, "services": [], "overall": {"services": 1e300, "score": 4.1, "rating": "med\u001b[2J",
  "ratings": {"good": -1, "medium": 2.5, "exposed": 3}}}]
JSON
fctl "$T/audit.json" audit > "$T/audit.out" || fail "audit: exit $?"
clean_output "$T/audit.out"
grep -qxF 'overall: 4.1 med\x1b[2J (mean of ? services; ? good, ? medium, 3 exposed, ? unsafe)' "$T/audit.out" ||
        fail "audit: $(cat "$T/audit.out")"

# ---- secret list: names, kind, consumers, rotation ----
cat > "$T/sec.json" <<'JSON'
[{"v": 1, "ok": true, "rotating": "job\u001b[1m", "rotating_secret": "s\u001b",
  "last_rotation": {"secret": "x\u009b", "result": "done\u0007", "job": "j\r", "time": 1700000000},
  "secrets": [{"name": "pw\u001b[2J", "kind": "pass\u0007", "created": 1700000000, "consumers": ["a\u001bb", "c"]}]}]
JSON
fctl "$T/sec.json" secret list > "$T/sec.out" || fail "secret list: exit $?"
clean_output "$T/sec.out"
grep -qF 'rotating: s\x1b (on_rotate job job\x1b[1m)' "$T/sec.out" || fail "secret list: $(cat "$T/sec.out")"
grep -qF 'last rotation: x\x9b done\x07 (on_rotate job j\x0d) at 2023-11-14T22:13:20Z' "$T/sec.out" ||
        fail "secret list: $(cat "$T/sec.out")"
grep -Eq '^pw\\x1b\[2J +pass\\x07 +2023-11-14T22:13:20Z a\\x1bb,c$' "$T/sec.out" || fail "secret list: $(cat "$T/sec.out")"
# times no secret has (before 1970, past what a time_t holds, past the year
# 5000) are unknown, not a date cast from garbage
cat > "$T/sec.json" <<'JSON'
[{"v": 1, "ok": true, "last_rotation": {"secret": "x", "result": "done", "job": "j", "time": 1e300},
  "secrets": [{"name": "neg", "kind": "k", "created": -5},
              {"name": "huge", "kind": "k", "created": 1e300},
              {"name": "far", "kind": "k", "created": 5e16}]}]
JSON
fctl "$T/sec.json" secret list > "$T/sec.out" || fail "secret list: exit $?"
grep -qx 'last rotation: x done (on_rotate job j) at ?' "$T/sec.out" || fail "secret list, time 1e300: $(cat "$T/sec.out")"
for n in neg huge far; do
        grep -Eq "^$n +k +\? *$" "$T/sec.out" || fail "secret list, $n: $(cat "$T/sec.out")"
done

# ---- a reply that is not an object, a hang-up: the same for every command ----
echo '["garbage"]' > "$T/garbage.json"
echo '["hangup"]' > "$T/hangup.json"
for c in "status" "version" "logs" "metrics" "events" "secret list" "secret get pw"; do
        rc=0
        # shellcheck disable=SC2086 # words on purpose
        fctl "$T/garbage.json" $c > /dev/null 2> "$T/err" || rc=$?
        [ "$rc" = 1 ] && grep -q "malformed reply from svd" "$T/err" ||
                fail "svctl $c, a reply that is not an object: exit $rc (want 1): $(cat "$T/err")"
        rc=0
        # shellcheck disable=SC2086
        fctl "$T/hangup.json" $c > /dev/null 2> "$T/err" || rc=$?
        [ "$rc" = 3 ] && grep -q "svd closed the connection without replying" "$T/err" ||
                fail "svctl $c, svd gone without a reply: exit $rc (want 3): $(cat "$T/err")"
done

# ---- reload: the plan ----
cat > "$T/reload.json" <<'JSON'
[{"v": 1, "ok": true, "dry_run": true, "count": {"add": 0, "remove": 0, "change": 1, "keep": 0},
  "changes": [{"name": "web\u001b[2J", "action": "change\u0007", "why": "command\u009b"}]}]
JSON
fctl "$T/reload.json" reload --dry-run > "$T/reload.out" || fail "reload --dry-run: exit $?"
clean_output "$T/reload.out"
grep -qxF 'change\x07 web\x1b[2J (command\x9b)' "$T/reload.out" || fail "reload --dry-run: $(cat "$T/reload.out")"

# ---- status NAME: a scheduled job's lines ----
cat > "$T/job.json" <<'JSON'
[{"v": 1, "ok": true, "services": [{"name": "job", "state": "stopped", "schedule": "*/5 * * * *\u001b[2J",
  "persistent": true, "last_run": 1700000000, "last_result": "ok\u001b", "next_run": 1700000300}]}]
JSON
fctl "$T/job.json" status job > "$T/job.out" || fail "status job: exit $?"
clean_output "$T/job.out"
grep -qxF '  schedule:     */5 * * * *\x1b[2J, persistent' "$T/job.out" || fail "status job: $(cat "$T/job.out")"
cat > "$T/job2.json" <<'JSON'
[{"v": 1, "ok": true, "services": [{"name": "job", "state": "stopped", "schedule": "@daily",
  "last_run": 1e300, "last_result": "ok", "last_duration_usec": -5e20, "next_run": -1e300}]}]
JSON
fctl "$T/job2.json" status job > "$T/job.out" || fail "status job: exit $?"
grep -qxF '  last run:     ? (ok)' "$T/job.out" || fail "status job, times no run has: $(cat "$T/job.out")"
grep -qxF '  next run:     ?' "$T/job.out" || fail "status job, times no run has: $(cat "$T/job.out")"

# ---- "ok" without the payload, another protocol version ----
echo '[{"v": 1, "ok": true}]' > "$T/empty.json"
echo '[{"v": 2, "ok": true, "services": [], "events": [], "secrets": [], "text": ""}]' > "$T/v2.json"
for c in "status" "logs" "events" "secret list"; do
        rc=0
        # shellcheck disable=SC2086 # words on purpose
        fctl "$T/empty.json" $c > "$T/o" 2> "$T/err" || rc=$?
        [ "$rc" = 1 ] && grep -q "malformed reply from svd to '$c'" "$T/err" ||
                fail "svctl $c, ok without its payload: exit $rc (want 1): $(cat "$T/o" "$T/err")"
done
for c in "status" "logs" "events" "metrics" "secret list"; do
        rc=0
        # shellcheck disable=SC2086
        fctl "$T/v2.json" $c > "$T/o" 2> "$T/err" || rc=$?
        [ "$rc" = 1 ] && grep -q "svd speaks protocol version 2, this svctl speaks 1" "$T/err" ||
                fail "svctl $c, protocol version 2: exit $rc (want 1): $(cat "$T/o" "$T/err")"
done

# ---- secret rotate: the on_rotate job ----
echo '[{"v": 1, "ok": true, "on_rotate": "rot\u001b[2J"}]' > "$T/rot.json"
fctl "$T/rot.json" secret rotate pw > "$T/rot.out" || fail "secret rotate: exit $?"
clean_output "$T/rot.out"
grep -qxF 'pw: rotated; running rot\x1b[2J' "$T/rot.out" || fail "secret rotate: $(cat "$T/rot.out")"
echo ok

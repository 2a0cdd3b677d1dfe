#!/bin/bash
# svctl reload and SIGHUP apply a new configuration by difference: a broken
# file changes nothing and names file:line:col; added services start, removed
# ones stop (dependents first), changed ones restart (with their
# depends_on.restart dependents), and every other service keeps its process.
. "$(dirname "$0")/lib.sh"

service db <<EOF
command: [sleep, "1000"]
EOF
service api <<EOF
command: [sleep, "1001"]
depends_on: { db: { restart: true } }
EOF
service cache <<EOF
command: [sleep, "1002"]
EOF
service old <<EOF
command: [sh, -c, "trap 'echo old-stopped-at \$(date +%s.%N) >> $T/out/order; exit 0' TERM; touch $T/out/old.up; while :; do sleep 0.1; done"]
EOF
service old-child <<EOF
command: [sh, -c, "trap 'echo child-stopped-at \$(date +%s.%N) >> $T/out/order; exit 0' TERM; touch $T/out/old-child.up; while :; do sleep 0.1; done"]
depends_on: [old]
EOF
service steady <<EOF
# comments and layout do not count as a change
command: [sleep, "1003"]
EOF
start_svd
for n in db api cache old old-child steady; do wait_state $n running; done
# (old and old-child are running once spawned: a stop before their trap
# would end them without a line in order)
wait_for test -e "$T/out/old.up"
wait_for test -e "$T/out/old-child.up"
pid() { field "$1" pid; }
db1=$(pid db) api1=$(pid api) cache1=$(pid cache) steady1=$(pid steady)

# 1. a broken file: error with file:line:col, nothing touched
cp "$T/services/cache.yaml" "$T/cache.good"
printf 'command: [sleep, "1002"]\nrestart: sometimes\n' > "$T/services/cache.yaml"
printf 'command: [sleep, "5"]\n' > "$T/services/newbie.yaml"
if svctl reload > "$T/out/r1" 2>&1; then fail "reload with a broken file succeeded"; fi
grep -q "cache.yaml:2:10: restart:" "$T/out/r1" || fail "no file:line:col error: $(cat "$T/out/r1")"
grep -q "nothing was changed" "$T/out/r1" || fail "reply does not say nothing changed: $(cat "$T/out/r1")"
kill -HUP "$SVD_PID"
wait_for grep -q "SIGHUP: reload refused" "$T/svd.out"
assert_eq "$(pid cache)" "$cache1" "cache after a refused reload"
assert_eq "$(pid db)" "$db1" "db after a refused reload"
[ -z "$(field newbie state)" ] || fail "newbie appeared after a refused reload"
# a setting that cannot change under running services is refused by name
cp "$T/cache.good" "$T/services/cache.yaml"
sed -i 's|^log_dir: ../log|log_dir: ../log2|' "$T/etc/svd.yaml"
if svctl reload > "$T/out/r2" 2>&1; then fail "reload changing log_dir succeeded"; fi
ln=$(grep -n '^log_dir:' "$T/etc/svd.yaml" | cut -d: -f1)
grep -q "svd.yaml:$ln:10: log_dir: changed from" "$T/out/r2" || fail "log_dir change not named: $(cat "$T/out/r2")"
sed -i '/^log_dir: ..\/log2/d' "$T/etc/svd.yaml" # removed: the default differs, the file is named
if svctl reload > "$T/out/r2" 2>&1; then fail "reload dropping log_dir succeeded"; fi
grep -q "svd.yaml: log_dir: changed from" "$T/out/r2" || fail "log_dir removal not named: $(cat "$T/out/r2")"
echo "log_dir: ../log" >> "$T/etc/svd.yaml"
# ... and so is a secret's definition, at its place in the service file
printf 'command: [sleep, "1"]\nsecrets:\n  tok: { generate: hex, bytes: 16 }\n' > "$T/services/sec.yaml"
if svctl reload > "$T/out/r3" 2>&1; then fail "reload adding a secret succeeded"; fi
grep -q "sec.yaml:3:[0-9]*: secrets: 'tok' added: this takes a restart of svd" "$T/out/r3" ||
        fail "secret definition not named: $(cat "$T/out/r3")"
rm "$T/services/sec.yaml"

# 2. the plan: add newbie, remove old and old-child, change db (api follows)
rm "$T/services/old.yaml" "$T/services/old-child.yaml"
printf 'command: [sleep, "1010"]\n' > "$T/services/db.yaml"
printf '# same service, other layout\ncommand:\n  - sleep\n  - "1003"\n' > "$T/services/steady.yaml"
svctl reload --dry-run > "$T/out/plan"
cat "$T/out/plan"
grep -qx "add     newbie" "$T/out/plan" || fail "plan: no add newbie"
grep -qx "remove  old" "$T/out/plan" || fail "plan: no remove old"
grep -qx "remove  old-child" "$T/out/plan" || fail "plan: no remove old-child"
grep -qx "change  db (service file)" "$T/out/plan" || fail "plan: no change db"
grep -q "dry run: 1 to add, 2 to remove, 1 changed, 3 unchanged" "$T/out/plan" || fail "plan counts"
svctl reload --dry-run --json | python3 -c '
import json, sys
r = json.load(sys.stdin)
acts = {c["name"]: c["action"] for c in r["changes"]}
assert acts == {"api": "keep", "cache": "keep", "db": "change", "newbie": "add", "old": "remove",
                "old-child": "remove", "steady": "keep"}, acts
' || fail "dry-run JSON plan"
assert_eq "$(pid db)" "$db1" "db after a dry run"

svctl reload > "$T/out/applied" || fail "reload refused: $(cat "$T/out/applied")"
wait_state newbie running
wait_for sh -c "[ \"\$($SVCTL -s $SOCK status --json | jq -r '.services[] | select(.name==\"db\") | .pid')\" != $db1 ]"
wait_state db running
wait_state api running
[ -z "$(field old state)" ] || fail "old still listed"
[ -z "$(field old-child state)" ] || fail "old-child still listed"
# dependents stopped first
child_t=$(sed -n 's/^child-stopped-at //p' "$T/out/order") old_t=$(sed -n 's/^old-stopped-at //p' "$T/out/order")
[ -n "$child_t" ] && [ -n "$old_t" ] || fail "removed services did not get their stop signal: $(cat "$T/out/order")"
assert_le "$child_t" "$old_t" "old-child stopped before old"
# exactly the expected PIDs changed
[ "$(pid db)" != "$db1" ] || fail "db was not restarted"
[ "$(pid api)" != "$api1" ] || fail "api (depends_on db restart: true) was not restarted"
assert_eq "$(pid cache)" "$cache1" "cache untouched"
assert_eq "$(pid steady)" "$steady1" "steady untouched (layout change only)"
ps -o args= -p "$(pid db)" | grep -q "sleep 1010" || fail "db runs the old command"
pgrep -f -- "$T/out/order" >/dev/null && fail "a removed service's process is still running"

# 3. SIGHUP does the same: removing newbie
rm "$T/services/newbie.yaml"
kill -HUP "$SVD_PID"
wait_for grep -q "reload: done: 0 added, 1 removed" "$T/svd.out"
[ -z "$(field newbie state)" ] || fail "newbie still listed after SIGHUP"
assert_eq "$(pid cache)" "$cache1" "cache untouched by SIGHUP"

# 4. unprivileged callers are refused
if id nobody >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
        chmod 755 "$T/run" 2>/dev/null || true
        chmod 666 "$SOCK"
        if setpriv --reuid=nobody --regid=nogroup --clear-groups "$SVCTL" -s "$SOCK" reload > "$T/out/r4" 2>&1; then
                fail "nobody could reload"
        fi
        grep -q "permission denied" "$T/out/r4" || fail "nobody: $(cat "$T/out/r4")"
fi
stop_svd || fail "svd exit status"
echo "reload: ok"

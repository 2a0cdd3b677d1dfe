#!/bin/bash
# svctl reload (and --dry-run) names every change it makes, not only the
# services': the main file's settings that differ (root: at the next boot;
# hostname and root: PID 1 only) and the slices added, removed or changed. Before, a reload that changed
# only those said "0 changed" as if nothing had been picked up.
. "$(dirname "$0")/lib.sh"

cat > "$T/cgroups/db.yaml" <<EOF2
memory_max: 512M
EOF2
cat > "$T/cgroups/old.yaml" <<EOF2
pids_max: 100
EOF2
service app <<EOF2
command: [sleep, "100000"]
slice: db
EOF2
start_svd
wait_state app running
app1=$(field app pid)

# nothing changed: nothing listed
svctl reload --dry-run > "$T/out/p0" || fail "dry run: $(cat "$T/out/p0")"
assert_eq "$(cat "$T/out/p0")" "dry run: 0 to add, 0 to remove, 0 changed, 1 unchanged" "plan of an unchanged configuration"

cat >> "$T/etc/svd.yaml" <<EOF2
hostname: reload-settings-test
log_max_total: 64M
ready_timeout: 5s
root: rw
metrics: { textfile: $T/out/svd.prom, interval: 1s }
EOF2
cat > "$T/cgroups/db.yaml" <<EOF2
memory_max: 256M
EOF2
rm "$T/cgroups/old.yaml"
cat > "$T/cgroups/web.yaml" <<EOF2
cpu_weight: 50
EOF2
svctl reload --dry-run > "$T/out/p1" || fail "dry run: $(cat "$T/out/p1")"
cat > "$T/out/expected" <<EOF2
change  setting log_max_total
change  setting hostname (svd sets it as PID 1 only)
change  setting root (svd remounts / as PID 1 only)
change  setting metrics
change  setting ready_timeout
change  slice db (slice file, limits applied live)
remove  slice old
add     slice web
dry run: 0 to add, 0 to remove, 0 changed, 1 unchanged
EOF2
diff -u "$T/out/expected" "$T/out/p1" > "$T/out/d1" ||
        fail "plan: $(cat "$T/out/d1")"
svctl reload --dry-run --json | python3 -c '
import json, sys
r = json.load(sys.stdin)
s = [(x["name"], x["action"], x.get("why")) for x in r["settings"]]
assert s == [("log_max_total", "change", None), ("hostname", "change", "svd sets it as PID 1 only"),
             ("root", "change", "svd remounts / as PID 1 only"), ("metrics", "change", None),
             ("ready_timeout", "change", None)], s
c = [(x["name"], x["action"]) for x in r["slices"]]
assert c == [("db", "change"), ("old", "remove"), ("web", "add")], c
assert [x["action"] for x in r["changes"]] == ["keep"], r["changes"]
' || fail "JSON plan"
svctl reload > "$T/out/r1" || fail "reload: $(cat "$T/out/r1")"
grep -qx "change  setting metrics" "$T/out/r1" || fail "reload reply: $(cat "$T/out/r1")"
wait_for grep -q "reload: done" "$T/svd.out"
grep -q "reload: setting root changed: svd remounts / as PID 1 only" "$T/svd.out" || fail "not logged"
grep -q "reload: slice web added" "$T/svd.out" || fail "slice not logged"
wait_for test -s "$T/out/svd.prom" # (the metrics setting applied)
assert_eq "$(field app pid)" "$app1" "app's pid (unchanged)"
stop_svd || fail "svd exit status"

# profiles: of the main file, under svd --profile: listed, overridden
sed -i '1i profiles: [x]' "$T/services/app.yaml"
"$SVD" -c "$T/etc/svd.yaml" --profile x > "$T/svd.out" 2>&1 &
SVD_PID=$!
wait_for svctl version
wait_state app running
echo "profiles: [x]" >> "$T/etc/svd.yaml"
svctl reload --dry-run > "$T/out/p2" || fail "dry run: $(cat "$T/out/p2")"
grep -qx "change  setting profiles (svd --profile overrides it)" "$T/out/p2" || fail "plan: $(cat "$T/out/p2")"
grep -q "0 changed, 1 unchanged" "$T/out/p2" || fail "plan: $(cat "$T/out/p2")"
stop_svd || fail "svd exit status"
echo "reload_settings: ok"

#!/bin/bash
# svctl top against replies a real svd rarely sends (tests/helpers/fakestatus.py
# plays svd): figures svd does not know (no cgroup) are null in --json and
# "-" in the table, never -1; a service named X.slice and the slice X keep
# apart CPU histories (one's counter is not taken for the other's); a service
# restarted between two refreshes (another pid: another cgroup), or one that
# went and came back, or a new name after a rename, has no CPU% for that
# interval; a name with control bytes does not reach the terminal raw, long
# names are shown whole; counters no 64-bit number can hold are unknown; a
# refusal is printed and is exit status 1, not an empty table. More rows than
# svctl's first table holds (4096) are all shown. An svd that stops answering
# in the middle of a run (a hang-up, a refusal) is a note above the last
# rows, and the next refresh tries again; only the first refresh failing, or
# 30 in a row without a terminal, ends top (svctl_top_outage.sh: a real svd
# killed and re-executed under top). Error texts in other commands' replies
# (refusals of secret, metrics, reload and its lines; the store's error and
# a rotation's reason in secret list) do not reach the terminal raw either.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || { echo "SKIP: python3 missing"; exit 77; }

# ftop REPLIES ARGS...: svctl top against a fake svd (fctl, lib.sh)
ftop() { fctl "$1" top "${@:2}"; }

# ---- unknown figures, X.slice beside slice X, a restart between refreshes ----
python3 > "$T/r.json" <<'PY'
import json
def svc(name, pid, **kw):
    return dict(name=name, state="running", pid=pid, restarts=0, oom_kills=0, **kw)
r1 = {"v": 1, "ok": True, "services": [
        svc("db.slice", 100, cpu_usage_usec=1e9, cpu_throttled_usec=0, memory_current=1 << 20, pids_current=2),
        svc("nocg", 101),
        svc("app", 102, cpu_usage_usec=1e6, cpu_throttled_usec=0, memory_current=1 << 20, pids_current=1),
        dict(svc("huge", 103, cpu_usage_usec=1e6, memory_current=1e300, pids_current=1e300),
             state="backoff", restarts=7)],
      "slices": [dict(name="db", cpu_usage_usec=1e6, cpu_throttled_usec=0, memory_current=2 << 20, pids_current=3)]}
r2 = json.loads(json.dumps(r1))
s = {x["name"]: x for x in r2["services"]}
s["db.slice"]["cpu_usage_usec"] += 20000
r2["slices"][0]["cpu_usage_usec"] += 20000
s["app"].update(pid=202, cpu_usage_usec=2e6)  # restarted: a new cgroup
print(json.dumps([r1, r2]))
PY
ftop "$T/r.json" -n 2 -d 0.2 --json > "$T/top.json" || fail "top --json: $(cat "$T/top.json")"
python3 - "$T/top.json" <<'PY' || fail "top --json: $(cat "$T/top.json")"
import json, sys
last = [json.loads(l) for l in open(sys.argv[1])][-1]
keys = {"name", "kind", "state", "restarts", "cpu_percent", "throttled_percent", "cpu_throttled_usec",
        "memory_current", "memory_peak", "pids_current", "oom_kills", "memory_max", "pids_max"}
for r in last:
    assert set(r) == keys, r
rows = {(r["name"], r["kind"]): r for r in last}
assert len(rows) == 5, last
# state and restarts as in svctl status --json; a slice has neither
assert rows[("db.slice", "slice")]["state"] is None, rows[("db.slice", "slice")]
assert rows[("db.slice", "slice")]["restarts"] is None, rows[("db.slice", "slice")]
assert rows[("huge", "service")]["state"] == "backoff", rows[("huge", "service")]
assert rows[("huge", "service")]["restarts"] == 7, rows[("huge", "service")]
assert rows[("app", "service")]["state"] == "running" and rows[("app", "service")]["restarts"] == 0
svc, sl = rows[("db.slice", "service")], rows[("db.slice", "slice")]
# 20 ms of CPU over >= 0.2 s: at most 10 %, each from its own counters
assert svc["cpu_percent"] is not None and 0 < svc["cpu_percent"] <= 10, svc
assert sl["cpu_percent"] is not None and 0 < sl["cpu_percent"] <= 10, sl
assert svc["memory_current"] == 1 << 20 and sl["memory_current"] == 2 << 20, (svc, sl)
n = rows[("nocg", "service")]
for k in keys - {"name", "kind", "state", "restarts", "oom_kills"}:
    assert n[k] is None, (k, n)
assert n["oom_kills"] == 0, n
assert rows[("app", "service")]["cpu_percent"] is None, rows[("app", "service")]
h = rows[("huge", "service")]
assert h["memory_current"] is None and h["pids_current"] is None, h
PY
ftop "$T/r.json" -n 2 -d 0.2 > "$T/top.out" || fail "top: $(cat "$T/top.out")"
table2() { awk '/^NAME/ {n++; next} n == 2' "$T/top.out"; }
table2 | grep -Eq '^nocg +running +- +- +- +- +- +- +- +0 +0$' || fail "nocg: $(cat "$T/top.out")"
table2 | grep -Eq '^app +running +- ' || fail "app, restarted: $(cat "$T/top.out")"
table2 | grep -Eq '^huge +backoff +[0-9.-]+ +- +- +- +- +- +- +0 +7$' || fail "huge: $(cat "$T/top.out")"
[ "$(table2 | grep -c '^db\.slice ')" = 2 ] || fail "db.slice twice: $(cat "$T/top.out")"

# ---- odd and long names, a service that goes and comes back, a rename ----
python3 > "$T/r.json" <<'PY'
import json
def svc(name, pid, usage):
    return dict(name=name, state="running", pid=pid, restarts=0, oom_kills=0, cpu_usage_usec=usage,
                memory_current=0, pids_current=1)
long1, long2 = "a" * 60 + "1", "a" * 60 + "2"
r1 = {"v": 1, "ok": True, "services": [svc("e\x1b[2Jvil", 1, 0), svc(long1, 2, 0), svc(long2, 3, 0),
                                       svc("gone", 4, 1e6), svc("old", 5, 1e6), {"state": "running"}]}
r2 = {"v": 1, "ok": True, "services": [svc("old", 5, 1e6)]}
r3 = {"v": 1, "ok": True, "services": [svc("gone", 4, 3e6), svc("new", 5, 1.5e6)]}
print(json.dumps([r1, r2, r3]))
PY
ftop "$T/r.json" -n 1 > "$T/top.out" || fail "top: $(cat "$T/top.out")"
! grep -q $'\x1b' "$T/top.out" || fail "an escape byte reached the table"
grep -q '^e\\x1b\[2Jvil ' "$T/top.out" || fail "the odd name: $(cat -v "$T/top.out")"
for n in 1 2; do
        grep -q "^$(printf 'a%.0s' $(seq 60))$n " "$T/top.out" || fail "long name $n cut: $(cat "$T/top.out")"
done
[ "$(grep -vc '^NAME' "$T/top.out")" = 5 ] || fail "a row without a name shown: $(cat "$T/top.out")"
ftop "$T/r.json" -n 2 -d 0.1 --json > "$T/top.json" || fail "top --json"
python3 - "$T/top.json" <<'PY' || fail "top --json, odd names: $(cat "$T/top.json")"
import json, sys
first = json.loads(open(sys.argv[1]).readline())
assert "e\x1b[2Jvil" in [r["name"] for r in first], first  # JSON carries it, escaped
PY
ftop "$T/r.json" -n 3 -d 0.1 --json > "$T/top.json" || fail "top --json"
python3 - "$T/top.json" <<'PY' || fail "top --json, gone and back: $(cat "$T/top.json")"
import json, sys
rows = {r["name"]: r for r in json.loads(open(sys.argv[1]).readlines()[-1])}
assert rows["gone"]["cpu_percent"] is None and rows["new"]["cpu_percent"] is None, rows
PY

# ---- a refusal, and a reply whose lists are not lists ----
echo '[{"v": 1, "ok": false, "error": "too many clients", "code": 5}]' > "$T/r.json"
rc=0; ftop "$T/r.json" -n 1 > "$T/top.out" 2> "$T/top.err" || rc=$?
assert_eq "$rc" 1 "top's exit status on a refusal"
grep -qx 'svctl: too many clients' "$T/top.err" || fail "refusal: $(cat "$T/top.err")"
echo '[{"v": 1, "ok": true, "services": {"name": "x"}, "slices": "y"}]' > "$T/r.json"
ftop "$T/r.json" -n 1 > "$T/top.out" || fail "top on lists that are not"
[ "$(wc -l < "$T/top.out")" = 1 ] || fail "rows from lists that are not: $(cat "$T/top.out")"

# ---- more rows than the first table holds ----
python3 > "$T/r.json" <<'PY'
import json
svcs = [dict(name="s%04d" % i, state="running", pid=1000 + i, memory_current=i) for i in range(4200)]
print(json.dumps([{"v": 1, "ok": True, "services": svcs, "slices": [dict(name="db", memory_current=1)]}]))
PY
ftop "$T/r.json" -n 1 --sort name > "$T/top.out" || fail "top, 4201 rows"
[ "$(grep -c '^s[0-9]\{4\} ' "$T/top.out")" = 4200 ] || fail "top, 4200 services: $(grep -c '^s' "$T/top.out") shown"
grep -q '^s4199 ' "$T/top.out" && grep -q '^db\.slice ' "$T/top.out" || fail "top, the last rows: $(tail -3 "$T/top.out")"
ftop "$T/r.json" -n 1 --json > "$T/top.json" || fail "top --json, 4201 rows"
python3 -c 'import json, sys; n = len(json.load(open(sys.argv[1]))); assert n == 4201, n' "$T/top.json" \
        || fail "top --json, 4201 rows"

# ---- svd stops answering during a run: noted, the last rows kept, retried ----
python3 > "$T/r.json" <<'PY'
import json
def reply(usage):
    return {"v": 1, "ok": True, "services": [dict(name="app", state="running", pid=7, cpu_usage_usec=usage,
                                                 memory_current=1 << 20, pids_current=1)]}
print(json.dumps([reply(1e6), "hangup", {"v": 1, "ok": False, "error": "too many clients", "code": 5},
                  reply(1.01e6), reply(1.02e6)]))
PY
rc=0; ftop "$T/r.json" -n 5 -d 0.1 > "$T/top.out" 2> "$T/top.err" || rc=$?
assert_eq "$rc" 0 "top's exit status after svd answered again"
[ "$(grep -c '^NAME' "$T/top.out")" = 5 ] || fail "a table per refresh: $(cat "$T/top.out")"
[ "$(grep -c '^app  *running ' "$T/top.out")" = 5 ] || fail "the last rows kept: $(cat "$T/top.out")"
grep -Eq '^svd not answering since [0-9]{2}:[0-9]{2}:[0-9]{2}: ' "$T/top.out" || fail "no note: $(cat "$T/top.out")"
grep -Eq '^svd not answering since [0-9:]{8}: too many clients$' "$T/top.out" \
        || fail "the refusal as the reason: $(cat "$T/top.out")"
# the note is the failed refreshes' only: the two after it have none
[ "$(grep -c '^svd not answering' "$T/top.out")" = 2 ] || fail "notes: $(cat "$T/top.out")"
awk '/^NAME/ {n++} n == 5' "$T/top.out" | grep -Eq '^app +running +[0-9]+\.[0-9] ' \
        || fail "CPU% once svd answers again: $(cat "$T/top.out")"
# --json: nothing for a failed refresh on stdout (every line stays an array), the note on stderr
rc=0; ftop "$T/r.json" -n 5 -d 0.1 --json > "$T/top.json" 2> "$T/top.err" || rc=$?
assert_eq "$rc" 0 "top --json's exit status after svd answered again"
[ "$(wc -l < "$T/top.json")" = 3 ] || fail "top --json lines: $(cat "$T/top.json")"
[ "$(grep -c '^svctl: svd not answering since' "$T/top.err")" = 2 ] || fail "top --json notes: $(cat "$T/top.err")"
# without a terminal, 30 failed refreshes in a row end it (status 3)
python3 -c 'import json; print(json.dumps([{"v": 1, "ok": True, "services": []}, "hangup"]))' > "$T/r.json"
rc=0; ftop "$T/r.json" -n 100 -d 0.1 > "$T/top.out" 2> "$T/top.err" || rc=$?
assert_eq "$rc" 3 "top's exit status when svd stays away"
[ "$(grep -c '^svd not answering' "$T/top.out")" = 30 ] || fail "30 failed refreshes: $(grep -c '^svd not' "$T/top.out")"
grep -q '^svctl: top: svd not answering since [0-9:]\{8\} (30 refreshes): ' "$T/top.err" \
        || fail "giving up: $(cat "$T/top.err")"

# ---- error texts from other commands' replies: cleaned, one way ----
bad='E\u001b]0;owned\u0007\nsecond'
# clean FILE WHAT: no raw control byte in FILE, the escape shown as \x1b
clean() {
        ! LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$1" || fail "$2: raw control bytes: $(od -c "$1" | head)"
        grep -qF 'E\x1b]0;owned\x07' "$1" || fail "$2: $(cat "$1")"
}
echo "[{\"v\": 1, \"ok\": false, \"error\": \"$bad\", \"errors\": [\"line $bad\"]}]" > "$T/r.json"
for cmd in "secret list" "secret get pw" "secret rotate pw" "metrics" "reload"; do
        # shellcheck disable=SC2086 # the words of the command
        fctl "$T/r.json" $cmd > "$T/cmd.out" 2> "$T/cmd.err" && fail "$cmd: a refusal is exit status 0"
        clean "$T/cmd.err" "$cmd"
        [ "$(wc -l < "$T/cmd.err")" -ge 1 ] || fail "$cmd: said nothing"
done
grep -qF 'line E\x1b' "$T/cmd.err" || fail "reload's error lines: $(cat "$T/cmd.err")"
echo "[{\"v\": 1, \"ok\": true, \"store\": \"broken\", \"error\": \"$bad\", \"secrets\": [],
        \"last_rotation\": {\"secret\": \"pw\", \"result\": \"failed\", \"job\": \"j\", \"reason\": \"$bad\"}}]" \
        > "$T/r.json"
fctl "$T/r.json" secret list > "$T/cmd.out" 2> "$T/cmd.err" || fail "secret list: $(cat "$T/cmd.err")"
clean "$T/cmd.out" "secret list"
grep -q '^store: broken: E\\x1b' "$T/cmd.out" || fail "secret list's store line: $(cat "$T/cmd.out")"
grep -q '^last rotation: pw failed (on_rotate job j: E\\x1b' "$T/cmd.out" || fail "secret list's rotation: $(cat "$T/cmd.out")"

kill "$FAKE" 2>/dev/null || true; wait "$FAKE" 2>/dev/null || true; FAKE=
echo "svctl_top: ok"

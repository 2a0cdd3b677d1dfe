#!/bin/bash
# Control-socket requests that once crashed svd or gave too much away:
# logs_follow from a user who may not read the logs (refused), twice on one
# connection (the second refused, and the connection's close leaves no
# follower behind), a client that follows events and vanishes while its own
# request makes events (svd stays up), an administrator's connection held
# open across a reload that takes admin_group away (its rights go), and
# `svctl secret set` with a value over the limit (refused, nothing stored).
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "needs root to switch users"; exit 77; }
command -v setpriv >/dev/null || { echo "setpriv missing"; exit 77; }
getent group adm >/dev/null || { echo "no group adm"; exit 77; }
PY=/usr/bin/python3 # the one nobody can run (not a python under /root)
[ -x "$PY" ] || PY=$(command -v python3)

sed -i '1i admin_group: adm' "$T/etc/svd.yaml"
service chatty <<'YAML'
command: [sh, -c, 'i=0; while :; do i=$((i+1)); echo "tick $i"; sleep 0.05; done']
YAML
service db <<'YAML'
command: [sleep, "100000"]
YAML
service vault <<'YAML'
secrets:
  pw: { generate: password, length: 24 }
command: [sleep, "100000"]
YAML
start_svd
for n in chatty db vault; do wait_state $n running; done
chmod 755 "$T/run"
cp "$TOP_SRCDIR/tests/helpers/ctlabuse.py" "$T/ctlabuse.py"
chmod 644 "$T/ctlabuse.py"
abuse() { "$PY" "$T/ctlabuse.py" "$@"; }
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
as_adm() { setpriv --reuid=nobody --regid=nogroup --groups=adm "$@"; }
alive() {
        kill -0 "$SVD_PID" 2>/dev/null || fail "svd died: $1"
        timeout 10 "$SVCTL" -s "$SOCK" version >/dev/null || fail "svd does not answer: $1"
}
# jget JSON EXPR: a python expression over the object d
jget() { "$PY" -c 'import json, sys; d = json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$1" "$2"; }

# 1. logs_follow carries what the 0640 files hold: administrators only
out=$(as_nobody "$PY" "$T/ctlabuse.py" follow2 "$SOCK" chatty) || fail "follow2 as nobody"
assert_eq "$(jget "$out" 'd["first"]["code"]')" 3 "logs_follow as nobody: code ($out)"
jget "$out" 'd["first"]["error"]' | grep -q "permission denied" || fail "logs_follow as nobody: $out"
[ "$(jget "$out" 'len(d["lines"])')" = 0 ] || fail "nobody received log lines: $out"
grep -q "refused logs_follow from uid 65534" "$T/svd.out" || fail "refusal not logged"
out=$(as_adm "$PY" "$T/ctlabuse.py" follow2 "$SOCK" chatty) || fail "follow2 as adm"
assert_eq "$(jget "$out" 'd["first"]["ok"]')" True "logs_follow as a member of admin_group ($out)"

# 2. a second logs_follow on the same connection is refused; the lines of
# the first come once each, and after the close svd sends nobody anything
out=$(abuse follow2 "$SOCK" chatty) || fail "follow2 as root"
assert_eq "$(jget "$out" 'd["first"]["ok"]')" True "first logs_follow"
assert_eq "$(jget "$out" 'd["second"]["ok"]')" False "second logs_follow on one connection ($out)"
assert_eq "$(jget "$out" 'd["second"]["code"]')" 2 "second logs_follow: code"
[ "$(jget "$out" 'len(d["lines"]) > 0 and len(d["lines"]) == len(set(d["lines"]))')" = True ] ||
        fail "lines missing or repeated: $out"
n0=$(grep -c tick "$T/log/chatty.log")
more_lines() { [ "$(grep -c tick "$T/log/chatty.log")" -gt $((n0 + 20)) ]; }
wait_for more_lines # published after the close
alive "chatty's lines after a follower closed"

# 3. events follower whose own stop request emits events to it after it
# has gone: the failed send must not free it under the request
out=$(abuse rstevents "$SOCK" db) || fail "rstevents"
wait_state db stopped
alive "events follower reset during its own request"
svctl start db >/dev/null || fail "start db"
wait_state db running

# 4. admin rights end with a reload that takes admin_group away, for a
# connection opened before it too
rm -f "$T/out/go" "$T/out/go.connected"
as_adm "$PY" "$T/ctlabuse.py" hold "$SOCK" "$T/out/go" stop db > "$T/out/hold" &
HOLD=$!
wait_for test -e "$T/out/go.connected"
sed -i '/^admin_group:/d' "$T/etc/svd.yaml"
svctl reload >/dev/null || fail "reload"
wait_for grep -q "reload: done" "$T/svd.out"
touch "$T/out/go"
wait $HOLD || fail "hold client"
out=$(cat "$T/out/hold")
assert_eq "$(jget "$out" 'd["reply"]["code"]')" 3 "stop on a connection opened by a former admin ($out)"
assert_eq "$(field db state)" running "db after a refused stop"

# 5. a secret value over 64 KiB is refused whole, never cut and stored
before=$(svctl secret get pw) || fail "secret get"
rc=0
head -c 70000 /dev/zero | tr '\0' a | svctl secret set pw > "$T/out/set" 2>&1 || rc=$?
[ "$rc" != 0 ] || fail "secret set of 70000 bytes succeeded: $(cat "$T/out/set")"
grep -q "too long" "$T/out/set" || fail "secret set: no 'too long': $(cat "$T/out/set")"
assert_eq "$(svctl secret get pw)" "$before" "pw after a refused set"
# exactly the limit, with the newline a shell adds, still goes
printf '%s\n' "$(head -c 65536 /dev/zero | tr '\0' b)" | svctl secret set pw > /dev/null ||
        fail "secret set of exactly 65536 bytes"
assert_eq "$(svctl secret get pw | tr -d '\n' | wc -c)" 65536 "stored length"
alive "the end"
echo "ok"

#!/bin/bash
# svctl secret rotate: a new value, the JWTs signed with it re-minted, the
# running consumers restarted in dependency (wave) order and nothing else
# restarted; svctl secret set takes a value from stdin the same way. The
# new values survive a restart of svd. An expired JWT is minted again. An
# on_rotate job stopped by the operator fails its rotation.
. "$(dirname "$0")/lib.sh"

service base <<YAML
secrets:
  jwt_secret: { generate: base64, bytes: 48 }
  anon_key: { jwt: { secret: jwt_secret, claims: { role: anon }, expires_in: 1h } }
  other_pw: { generate: password }
  short_key: { jwt: { secret: jwt_secret, claims: { role: short }, expires_in: 2s } }
command: [/bin/sh, -c, 'echo "base \$(cat \$CREDENTIALS_DIRECTORY/jwt_secret)" >> $T/out/starts; exec sleep 1000']
YAML
service mid <<YAML
depends_on: [base]
secrets: [anon_key]
command: [/bin/sh, -c, 'echo "mid \$(cat \$CREDENTIALS_DIRECTORY/anon_key)" >> $T/out/starts; exec sleep 1000']
YAML
service top <<YAML
depends_on: [mid]
environment: { KEY: "\${secret:anon_key}" }
command: [/bin/sh, -c, 'echo "top \$KEY" >> $T/out/starts; exec sleep 1000']
YAML
service guarded <<YAML
secrets:
  api_pw: { generate: password, on_rotate: guard-rot }
command: [sleep, "1000"]
YAML
service guard-rot <<YAML
type: oneshot
restart: "no"
secrets: [api_pw]
command: [/bin/sh, -c, 'if [ -f $T/out/rotating ]; then sleep 30; fi']
YAML
service bystander <<YAML
secrets: [other_pw]
command: [/bin/sh, -c, 'exec sleep 1000']
YAML

start_svd
for s in base mid top bystander; do wait_state $s running; done
old_jwt=$(svctl secret get jwt_secret)
old_anon=$(svctl secret get anon_key)
old_pw=$(svctl secret get other_pw)
declare -A pid
for s in base mid top bystander; do pid[$s]=$(field $s pid); done
assert_eq "$(wc -l < "$T/out/starts")" 3 "starts before"

out=$(svctl secret rotate jwt_secret) || fail "rotate: $out"
nstarts() { [ "$(wc -l < "$T/out/starts")" -ge "$1" ]; }
wait_for nstarts 6
for s in base mid top; do wait_state $s running; done
new_jwt=$(svctl secret get jwt_secret)
new_anon=$(svctl secret get anon_key)
[ "$new_jwt" != "$old_jwt" ] || fail "jwt_secret did not change"
[ "$new_anon" != "$old_anon" ] || fail "anon_key was not re-minted"
assert_eq "$(svctl secret get other_pw)" "$old_pw" "other_pw untouched"
python3 - "$new_jwt" "$new_anon" <<'PY' || fail "anon_key not signed with the new jwt_secret"
import base64, hashlib, hmac, sys
h, p, s = sys.argv[2].split(".")
want = base64.urlsafe_b64encode(hmac.new(sys.argv[1].encode(), (h + "." + p).encode(), hashlib.sha256).digest()).rstrip(b"=").decode()
sys.exit(0 if s == want else 1)
PY
# each consumer restarted once, with the new value
assert_eq "$(sed -n 4,6p "$T/out/starts" | sort)" "base $new_jwt
mid $new_anon
top $new_anon" "starts after the rotation"
# stopped last wave first, started again in wave order once all were down
assert_eq "$(grep -o 'secrets: restarting [a-z]*' "$T/svd.out" | awk '{print $3}' | tr '\n' ' ')" "top mid base " "stop order"
assert_eq "$(sed -n '/secrets: rotated/,$p' "$T/svd.out" | grep -Eo '(base|mid|top): [a-z]+ -> starting' | cut -d: -f1 | tr '\n' ' ')" \
        "base mid top " "start order"
last_stop=$(grep -nE '(base|mid|top): stopping -> stopped' "$T/svd.out" | tail -1 | cut -d: -f1)
first_start=$(sed -n '/secrets: rotated/,$p' "$T/svd.out" | grep -nE '(base|mid|top): [a-z]+ -> starting' | head -1 | cut -d: -f1)
first_start=$(( first_start + $(grep -n 'secrets: rotated' "$T/svd.out" | cut -d: -f1) - 1 ))
[ "$last_stop" -lt "$first_start" ] || fail "a consumer started before all were stopped"
for s in base mid top; do [ "$(field $s pid)" != "${pid[$s]}" ] || fail "$s not restarted"; done
assert_eq "$(field bystander pid)" "${pid[bystander]}" "bystander restarted"

# set: the value from stdin
printf 'an-operator-chosen-value-1234567890\n' | svctl secret set other_pw > /dev/null || fail "set"
assert_eq "$(svctl secret get other_pw)" "an-operator-chosen-value-1234567890" "set value"
pid_changed() { local p; p=$(field "$1" pid); [ -n "$p" ] && [ "$p" != "$2" ]; }
wait_for pid_changed bystander "${pid[bystander]}"
wait_state bystander running
# a known weak value is refused
out=$(echo changeme | svctl secret set other_pw 2>&1) && fail "weak value accepted"
echo "$out" | grep -q 'publicly known default' || fail "weak set: $out"
out=$(svctl secret rotate nosuch 2>&1) && fail "rotate of an unknown secret"

# a short-lived JWT is minted again at its next use once (nearly) expired
k1=$(svctl secret get short_key)
sleep 2.2
k2=$(svctl secret get short_key)
[ "$k2" != "$k1" ] || fail "short_key not minted again after it expired"
python3 - "$(svctl secret get jwt_secret)" "$k2" <<'PY' || fail "short_key after expiry: $k2"
import base64, hashlib, hmac, json, sys, time
h, p, s = sys.argv[2].split(".")
want = base64.urlsafe_b64encode(hmac.new(sys.argv[1].encode(), (h + "." + p).encode(), hashlib.sha256).digest()).rstrip(b"=").decode()
c = json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))
assert s == want, "signature"
assert c["role"] == "short" and c["exp"] - c["iat"] == 2 and c["exp"] > time.time(), c
PY

# an on_rotate job stopped before it finished: the rotation fails (the old
# value stays) and ends, so the next rotation is not refused as still waiting
old_api=$(svctl secret get api_pw)
touch "$T/out/rotating"
out=$(svctl secret rotate api_pw) || fail "rotate api_pw: $out"
wait_state guard-rot starting
svctl stop guard-rot > /dev/null || fail "stop guard-rot"
wait_for grep -q "secrets: on_rotate job guard-rot was stopped before it finished" "$T/svd.out"
wait_for grep -q "secrets: on_rotate job guard-rot failed; api_pw keeps its previous value" "$T/svd.out"
assert_eq "$(svctl secret get api_pw)" "$old_api" "api_pw after a stopped on_rotate job"
rm "$T/out/rotating"
out=$(svctl secret rotate api_pw 2>&1) || fail "a rotation after a stopped on_rotate job: $out"
wait_for grep -q "secrets: on_rotate job guard-rot done" "$T/svd.out"
[ "$(svctl secret get api_pw)" != "$old_api" ] || fail "api_pw not rotated the second time"

# the rotated values are what the next svd uses
stop_svd || fail "svd exit status $?"
start_svd
wait_state top running
assert_eq "$(svctl secret get jwt_secret)" "$new_jwt" "jwt_secret after restart"
assert_eq "$(svctl secret get anon_key)" "$new_anon" "anon_key after restart"
assert_eq "$(svctl secret get other_pw)" "an-operator-chosen-value-1234567890" "other_pw after restart"
stop_svd || fail "svd exit status $?"
echo "secrets_rotate: ok"

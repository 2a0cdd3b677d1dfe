#!/bin/bash
# A secret that had no value yet (a JWT whose signing file was not there
# when svd started) is rotated with an on_rotate job that fails: it has no
# value again, as a failed rotation leaves a secret it found with one at
# its previous value; the token the failed rotation minted is not kept.
. "$(dirname "$0")/lib.sh"

service app <<YAML
enabled: false
secrets:
  sig: { from_file: $T/out/sig }
  tok: { jwt: { secret: sig }, on_rotate: rot }
command: [/bin/sh, -c, 'exec sleep 1000']
YAML
service rot <<YAML
type: oneshot
enabled: false
restart: "no"
command: [/bin/sh, -c, 'cat \$CREDENTIALS_DIRECTORY/tok > $T/out/rot_tok; exit 3']
YAML

created() {
        svctl secret list --json | python3 -c '
import json, sys
for s in json.load(sys.stdin)["secrets"]:
    if s["name"] == "tok":
        print("none" if s.get("created") is None else "set")
'
}
start_svd
wait_state app stopped
assert_eq "$(created)" none "tok before the rotation"
head -c 48 /dev/urandom | base64 -w0 > "$T/out/sig"
chmod 600 "$T/out/sig"
svctl secret rotate tok > /dev/null || fail "rotate"
failed_rot() { svctl secret list | grep -q "^last rotation: tok failed"; }
wait_for failed_rot
[ -s "$T/out/rot_tok" ] || fail "the job did not get the new token"
assert_eq "$(created)" none "tok after the failed on_rotate job"
grep -q "on_rotate job rot failed; tok has no value again" "$T/svd.out" || fail "no log of the failure"
stop_svd || fail "svd exit status $?"

#!/bin/bash
# A rotation whose on_rotate job svd does not see finish (svd killed, or
# stopped, while the job runs) is a failed rotation: the next svd restores
# the previous value from the store (which keeps it, encrypted, until the
# rotation commits), logs it and shows it in `svctl secret list`. Meanwhile
# only the job gets the new value: a consumer that starts while the job
# runs gets the previous one. A rotation that committed is not undone by a
# later restart. With a passphrase the restore happens at the unlock. A job
# still running when the next svd rolls its rotation back (taken over from
# the killed svd) is stopped then, and that is logged: nothing runs against
# a rotation that was undone.
. "$(dirname "$0")/lib.sh"

service app <<YAML
secrets:
  api_pw: { generate: password, on_rotate: rot }
command: [/bin/sh, -c, 'cat \$CREDENTIALS_DIRECTORY/api_pw >> $T/out/app; echo >> $T/out/app; exec sleep 1000']
YAML
# the job blocks on a fifo while there is one; it exits with what it reads
service rot <<YAML
type: oneshot
enabled: false
restart: "no"
secrets: [api_pw]
command: [/bin/sh, -c, 'cat \$CREDENTIALS_DIRECTORY/api_pw > $T/out/job.tmp; mv $T/out/job.tmp $T/out/job; if [ -p $T/out/fifo ]; then read x < $T/out/fifo; exit \$x; fi']
YAML

app_last() { tail -n 1 "$T/out/app"; }
napp() { [ "$(wc -l < "$T/out/app")" -ge "$1" ]; }
logged() { grep -q "$1" "$T/svd.out"; }
last_rotation() {
        svctl secret list --json | python3 -c '
import json, sys
r = json.load(sys.stdin).get("last_rotation") or {}
print(r.get("secret"), r.get("job"), r.get("result"))'
}
# rotate_blocked: a rotation of api_pw whose job is waiting on the fifo
rotate_blocked() {
        rm -f "$T/out/job"
        mkfifo "$T/out/fifo"
        out=$(svctl secret rotate api_pw) || fail "rotate: $out"
        wait_for test -f "$T/out/job"
        [ "$(cat "$T/out/job")" != "$1" ] || fail "the job did not get a new value"
}

start_svd
wait_state app running
old=$(svctl secret get api_pw)
wait_for napp 1
assert_eq "$(app_last)" "$old" "app's value"

# --- killed while the job runs --------------------------------------------
rotate_blocked "$old"
new=$(cat "$T/out/job")
svctl secret list | grep -q "rotating: api_pw (on_rotate job rot)" || fail "list while rotating: $(svctl secret list)"
# a consumer starting now gets the value it can use: the previous one
svctl restart app > /dev/null || fail "restart app"
wait_for napp 2
assert_eq "$(app_last)" "$old" "a consumer started while the job runs"
job_pid=$(field rot pid)
crash_restart_svd
wait_state app running
assert_eq "$(svctl secret get api_pw)" "$old" "api_pw after svd was killed during its on_rotate job"
wait_for logged "secrets: svd stopped while on_rotate job rot ran for api_pw; its outcome is unknown, so api_pw keeps its previous value"
assert_eq "$(last_rotation)" "api_pw rot failed" "last_rotation after the kill"
svctl secret list | grep -q "^last rotation: api_pw failed" || fail "list after the kill: $(svctl secret list)"
# the job, taken over and still blocked on the fifo, is stopped
[ -n "$job_pid" ] || fail "no pid for the job"
wait_for logged "secrets: stopping on_rotate job rot (pid $job_pid), still running from the svd before this one: the rotation of api_pw it runs for was rolled back"
job_done() { ! kill -0 "$job_pid" 2> /dev/null; }
wait_for job_done
wait_state rot stopped
rm "$T/out/fifo"
assert_eq "$(svctl secret get api_pw)" "$old" "api_pw after the old job was stopped"
assert_eq "$(app_last)" "$old" "app's value after the kill"

# the store is clean: a restart does not restore it again
stop_svd || fail "svd exit status $?"
start_svd
wait_state app running
assert_eq "$(svctl secret get api_pw)" "$old" "api_pw after a restart"
logged "outcome is unknown" && fail "the rotation was undone twice"

# --- a committed rotation stays committed ---------------------------------
out=$(svctl secret rotate api_pw) || fail "rotate: $out"
wait_for logged "secrets: on_rotate job rot done"
new2=$(svctl secret get api_pw)
[ "$new2" != "$old" ] || fail "api_pw not rotated"
wait_for napp 4
assert_eq "$(app_last)" "$new2" "app after the committed rotation"
assert_eq "$(last_rotation)" "api_pw rot done" "last_rotation after a commit"
crash_restart_svd
wait_state app running
assert_eq "$(svctl secret get api_pw)" "$new2" "a committed rotation after a kill"
stop_svd || fail "svd exit status $?"

# --- stopped (SIGTERM) while the job runs ---------------------------------
start_svd
wait_state app running
rotate_blocked "$new2"
stop_svd || fail "svd exit status $?"
rm -f "$T/out/fifo"
start_svd
wait_state app running
assert_eq "$(svctl secret get api_pw)" "$new2" "api_pw after svd was stopped during its on_rotate job"
stop_svd || fail "svd exit status $?"

# --- passphrase: restored when the store is unlocked ----------------------
sed -i 's|^state_dir: .*|state_dir: ../state2|' "$T/etc/svd.yaml"
echo "secrets_key: passphrase" >> "$T/etc/svd.yaml"
start_svd
echo 'correct horse battery' | svctl unlock 2> /dev/null || fail "unlock"
wait_state app running
pold=$(svctl secret get api_pw)
rotate_blocked "$pold"
job_ends() { # the job ends while no svd runs
        echo 1 > "$T/out/fifo"
        rm "$T/out/fifo"
}
crash_restart_svd job_ends
svctl secret list | grep -q '^store: locked' || fail "after a kill: $(svctl secret list | head -1)"
echo 'correct horse battery' | svctl unlock 2> /dev/null || fail "unlock after a kill"
assert_eq "$(svctl secret get api_pw)" "$pold" "api_pw (passphrase) after svd was killed during its on_rotate job"
wait_for logged "its outcome is unknown, so api_pw keeps its previous value"
# a job still running: taken over, left alone while the store is locked,
# stopped at the unlock that rolls its rotation back
rotate_blocked "$pold"
job_pid=$(field rot pid)
kill -KILL "$SVD_PID"
wait "$SVD_PID" 2> /dev/null || true
start_svd
svctl secret list | grep -q '^store: locked' || fail "after a kill: $(svctl secret list | head -1)"
wait_state rot starting
kill -0 "$job_pid" 2> /dev/null || fail "the job was stopped before the unlock"
echo 'correct horse battery' | svctl unlock 2> /dev/null || fail "unlock after a kill"
wait_for logged "secrets: stopping on_rotate job rot (pid $job_pid), still running"
wait_for job_done
rm "$T/out/fifo"
assert_eq "$(svctl secret get api_pw)" "$pold" "api_pw (passphrase) after the job was stopped"
stop_svd || fail "svd exit status $?"
echo "secrets_rotate_crash: ok"

#!/bin/bash
# from_file naming something that is not a regular file never blocks svd:
# a FIFO (whose open would wait for a writer, with PID 1 stuck in it) or a
# directory fails its consumer with "not a regular file" while svd goes on
# answering and running everything else. A regular file put there instead
# is read at the next start.
. "$(dirname "$0")/lib.sh"

mkfifo -m 600 "$T/out/pw"
mkdir -m 700 "$T/out/dir"
service app <<YAML
secrets:
  pw: { from_file: $T/out/pw }
restart: "no"
command: [/bin/sh, -c, 'cat \$CREDENTIALS_DIRECTORY/pw > $T/out/got; exec sleep 1000']
YAML
service dirapp <<YAML
secrets:
  d: { from_file: $T/out/dir }
restart: "no"
command: [/bin/sh, -c, 'exec sleep 1000']
YAML
service other <<YAML
command: [/bin/sh, -c, 'exec sleep 1000']
YAML

start_svd
wait_state other running
wait_state app failed
assert_eq "$(field app reason)" "secret pw: from_file $T/out/pw: not a regular file" "app's reason"
wait_state dirapp failed
assert_eq "$(field dirapp reason)" "secret d: from_file $T/out/dir: not a regular file" "dirapp's reason"

rm "$T/out/pw"
printf 'a-long-enough-operator-value\n' > "$T/out/pw"
chmod 600 "$T/out/pw"
svctl start app > /dev/null || fail "start app"
wait_state app running
wait_for test -s "$T/out/got"
assert_eq "$(cat "$T/out/got")" "a-long-enough-operator-value" "pw delivered"
stop_svd || fail "svd exit status $?"
echo "secrets_from_file_fifo: ok"

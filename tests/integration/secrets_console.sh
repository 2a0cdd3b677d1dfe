#!/bin/bash
# secrets_key: passphrase with secrets_console: svd asks for the passphrase
# on that terminal itself (as PID 1 it asks on /dev/console), by running
# `svctl unlock` there: the passphrase is typed without echo and opens the
# store; a wrong one is refused on the terminal and asked for again; an
# unlock from elsewhere ends the prompt and leaves the terminal's echo on;
# no prompt process is left behind. The terminal is a pty the test types into.
. "$(dirname "$0")/lib.sh"
command -v python3 > /dev/null || { echo "python3 missing"; exit 77; }
DRIVE="python3 $TOP_SRCDIR/tests/helpers/ptydrive.py"
PASS='correct horse battery'

service app <<YAML
secrets:
  pw: { generate: password, length: 24 }
command: [/bin/sh, -c, 'cat \$CREDENTIALS_DIRECTORY/pw > $T/out/pw; exec sleep 1000']
YAML
service free <<YAML
command: [/bin/sh, -c, 'exec sleep 1000']
YAML

# 1. the first passphrase typed on the terminal creates the store
$DRIVE "$T/tty" "expect:passphrase: " "send:$PASS\n" "noecho:$PASS" "expect:secrets unlocked" \
        > "$T/drive1.out" 2>&1 &
D1=$!
wait_for test -s "$T/tty"
printf 'secrets_key: passphrase\nsecrets_console: %s\n' "$(cat "$T/tty")" >> "$T/etc/svd.yaml"
start_svd
wait "$D1" || fail "terminal 1: $(cat "$T/drive1.out")"
wait_state app running
wait_for test -s "$T/out/pw"
grep -q "secrets: asking for the passphrase on $(cat "$T/tty")" "$T/svd.out" || fail "no prompt logged"
stop_svd || fail "svd exit status $?"
first=$(cat "$T/out/pw")
rm -f "$T/out/pw" "$T/tty"

# 2. after a restart: a wrong passphrase is refused and asked for again; the
#    right one given with `svctl unlock` elsewhere ends the prompt
$DRIVE "$T/tty" "expect:passphrase: " "send:wrong horse battery\n" "expect:wrong passphrase" \
        "expect:passphrase: " "touch:$T/at-prompt" "echo-on" > "$T/drive2.out" 2>&1 &
D2=$!
wait_for test -s "$T/tty"
sed -i "s|^secrets_console: .*|secrets_console: $(cat "$T/tty")|" "$T/etc/svd.yaml"
start_svd
wait_state free running
wait_for test -e "$T/at-prompt"
assert_eq "$(field app state)" "waiting" "app while the prompt waits"
echo "$PASS" | svctl unlock 2> /dev/null || fail "unlock from elsewhere"
wait "$D2" || fail "terminal 2: $(cat "$T/drive2.out")"
wait_state app running
wait_for test -s "$T/out/pw"
assert_eq "$(cat "$T/out/pw")" "$first" "same secret after the restart"
wait_for sh -c "! pgrep -P $SVD_PID -x svctl > /dev/null"
grep -q 'secrets: the console prompt ended' "$T/svd.out" || fail "the wrong passphrase did not end a prompt"
stop_svd || fail "svd exit status $?"

# 3. secrets_console: none: no prompt
sed -i "s|^secrets_console: .*|secrets_console: none|" "$T/etc/svd.yaml"
start_svd
wait_state app waiting
sleep 1
! grep -q 'asking for the passphrase' "$T/svd.out" || fail "prompted with secrets_console: none"
stop_svd || fail "svd exit status $?"
echo "secrets_console: ok"

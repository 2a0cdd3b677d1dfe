#!/bin/bash
# A secret written in a service file (secrets.NAME.value) is only as
# secret as that file: one every user can read is a warning (svd --check,
# svd's log) at the value, naming the file, never the value; a file
# others cannot read passes quietly.
. "$(dirname "$0")/lib.sh"

service app <<YAML
secrets:
  pw: { value: "a-long-enough-literal-value-1234" }
command: [/bin/sh, -c, 'exec sleep 1000']
YAML
chmod 644 "$T/services/app.yaml"
"$SVD" --check -c "$T/etc/svd.yaml" > /dev/null 2> "$T/err" || fail "--check: $(cat "$T/err")"
grep -qF "$T/services/app.yaml:2:16: warning: secrets.pw.value: $T/services/app.yaml is readable by every user, and the secret with it (chmod o-r, or use from_file with a file only svd can read)" "$T/err" ||
        fail "no warning: $(cat "$T/err")"
grep -q 'a-long-enough-literal' "$T/err" && fail "the value is in the warning"
start_svd
wait_state app running
grep -q 'warning: secrets.pw.value: .* is readable by every user' "$T/svd.out" || fail "not in svd's log"
grep -q 'a-long-enough-literal' "$T/svd.out" && fail "the value is in svd's log"
stop_svd || fail "svd exit status $?"

chmod 640 "$T/services/app.yaml"
"$SVD" --check -c "$T/etc/svd.yaml" > /dev/null 2> "$T/err" || fail "--check: $(cat "$T/err")"
grep -q 'readable by every user' "$T/err" && fail "warned about a file others cannot read: $(cat "$T/err")"

# the same for a from_file secret's file (when it is there at load)
printf 'a-long-enough-operator-value\n' > "$T/pw"
chmod 644 "$T/pw"
service file <<YAML
secrets:
  fpw: { from_file: $T/pw }
command: [/bin/sh, -c, 'exec sleep 1000']
YAML
"$SVD" --check -c "$T/etc/svd.yaml" > /dev/null 2> "$T/err" || fail "--check: $(cat "$T/err")"
grep -qF "$T/services/file.yaml:2:21: warning: secrets.fpw.from_file: $T/pw is readable by every user, and the secret with it (chmod o-r)" "$T/err" ||
        fail "no warning for from_file: $(cat "$T/err")"
chmod 600 "$T/pw"
"$SVD" --check -c "$T/etc/svd.yaml" > /dev/null 2> "$T/err" || fail "--check: $(cat "$T/err")"
grep -q 'readable by every user' "$T/err" && fail "warned about a from_file others cannot read: $(cat "$T/err")"
exit 0

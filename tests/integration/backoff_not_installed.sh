#!/bin/bash
# An optional service (install_hint:) whose program is removed while it
# waits out its restart delay ends as at a first start without it: stopped,
# "disabled: PROGRAM not installed (HINT)", not failed on "exec: ...".
# svctl start of it in its delay says the same, and once the program is
# back, svctl start starts it.
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/bin"
printf '#!/bin/sh\necho x >> %s\nexit 1\n' "$T/out/opt.starts" > "$T/bin/prog"
chmod 755 "$T/bin/prog"
cp "$T/bin/prog" "$T/bin/prog2"
service opt <<EOF
command: [$T/bin/prog]
install_hint: "apt install prog"
restart: on-failure
backoff: { initial: 1s, max: 1s }
EOF
service opt2 <<EOF
command: [$T/bin/prog2]
install_hint: "apt install prog2"
restart: on-failure
backoff: { initial: 60s, max: 60s }
EOF
start_svd
wait_state opt backoff
wait_state opt2 backoff
mv "$T/bin/prog" "$T/bin/prog.off"
rm "$T/bin/prog2"

# the delay runs out
wait_state opt stopped 5
assert_eq "$(field opt reason)" "disabled: $T/bin/prog not installed (apt install prog)" "opt's reason"
grep -qF "exec: $T/bin/prog" "$T/svd.out" && fail "opt's restart was tried: $(grep -F "exec: $T/bin/prog" "$T/svd.out")"

# the operator's start in the delay
rc=0
out=$(svctl start opt2 2>&1) || rc=$?
assert_eq "$rc" "1" "svctl start opt2 without its program: $out"
echo "$out" | grep -qF "start opt2: not started: disabled: $T/bin/prog2 not installed (apt install prog2)" ||
        fail "svctl start opt2: $out"
assert_eq "$(field opt2 state)" "stopped" "opt2 after the refused start"
grep -qF "opt2: started now" "$T/svd.out" && fail "svd's log says opt2 was started"

mv "$T/bin/prog.off" "$T/bin/prog"
svctl start opt > /dev/null || fail "svctl start opt with its program back"
wait_for sh -c "[ \$(wc -l < $T/out/opt.starts) -ge 2 ]"
stop_svd || fail "svd exit status"
echo "backoff_not_installed: ok"

#!/bin/bash
# A refused start or restart (the program is not installed any more) of a
# oneshot that has exited leaves it exited: its followers
# (depends_on.X.restart) keep running. The start used to mark it stopped,
# and the follower was stopped for that and then waited for it for ever.
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/bin"
printf '#!/bin/sh\nexit 0\n' > "$T/bin/mig"
chmod 755 "$T/bin/mig"
service mig <<EOF
type: oneshot
install_hint: "apt install mig"
command: [$T/bin/mig]
EOF
service api <<EOF
depends_on: { mig: { condition: completed, restart: true } }
command: [sleep, "1000"]
EOF
start_svd
wait_state api running
pid=$(field api pid)
rm "$T/bin/mig"
out=$(svctl start mig 2>&1) && fail "svctl start mig accepted: $out"
echo "$out" | grep -qF "start mig: not started: disabled: $T/bin/mig not installed (apt install mig)" || fail "svctl start mig: $out"
assert_eq "$(field mig state)" "exited" "mig after the refused start"
out=$(svctl restart mig 2>&1) && fail "svctl restart mig accepted: $out"
echo "$out" | grep -qF "restart mig: not started: disabled: $T/bin/mig not installed" || fail "svctl restart mig: $out"
assert_eq "$(field mig state)" "exited" "mig after the refused restart"
assert_eq "$(field api state)" "running" "api after the refused start of mig"
assert_eq "$(field api pid)" "$pid" "api's pid"
! grep -q "api: restarting because mig" "$T/svd.out" || fail "api was restarted"
stop_svd || fail "svd exit status $?"
echo "profiles_refused_keeps_followers: ok"

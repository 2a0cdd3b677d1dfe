#!/bin/bash
# A service outside the selected profiles pulls up none of its
# dependencies: the boot (and svctl start of it, a reload adding it, a
# daemon-reexec finding it new) used to start them before finding the
# service itself disabled, so a dependency only it needs, here one with
# enabled: false, ran on a host that did not select it. The service still
# shows why it is stopped.
. "$(dirname "$0")/lib.sh"

echo "profiles: [minimal]" >> "$T/etc/svd.yaml"
service base <<EOF
command: [sleep, "1000"]
EOF
service helper <<EOF
enabled: false
command: [/bin/sh, -c, 'echo start >> $T/out/helper; exec sleep 1000']
EOF
service extra <<EOF
profiles: [ai]
depends_on: [helper]
command: [sleep, "1000"]
EOF
start_svd
wait_state base running
wait_for grep -q "boot: settled" "$T/svd.out"
assert_eq "$(field helper state)" "stopped" "helper, needed only by extra (not in the selected profiles)"
assert_eq "$(field extra state)" "stopped" "extra"
case "$(field extra reason)" in "disabled: not in profile"*) ;; *) fail "extra's reason: $(field extra reason)";; esac
svctl start extra > /dev/null 2>&1 || true
assert_eq "$(field helper state)" "stopped" "helper after svctl start extra"
assert_eq "$(field extra state)" "stopped" "extra after svctl start extra"
[ ! -e "$T/out/helper" ] || fail "helper was started"

# a reload that adds another such service: the same
service extra2 <<EOF
profiles: [ai]
depends_on: [helper]
command: [sleep, "1000"]
EOF
svctl reload > /dev/null || fail "reload"
wait_for grep -q "reload: done: 1 added" "$T/svd.out"
assert_eq "$(field extra2 state)" "stopped" "extra2 (added by a reload, not in the selected profiles)"
assert_eq "$(field helper state)" "stopped" "helper after the reload added extra2"
[ ! -e "$T/out/helper" ] || fail "helper was started by the reload"

# and one that a daemon-reexec finds new (its file added meanwhile)
service extra3 <<EOF
profiles: [ai]
depends_on: [helper]
command: [sleep, "1000"]
EOF
svctl daemon-reexec > "$T/out/rx" || fail "daemon-reexec: $(cat "$T/out/rx")"
wait_for grep -q "daemon-reexec: .* services taken over" "$T/svd.out"
assert_eq "$(field extra3 state)" "stopped" "extra3 (new to the re-executed svd, not in the selected profiles)"
assert_eq "$(field helper state)" "stopped" "helper after the daemon-reexec"
[ ! -e "$T/out/helper" ] || fail "helper was started after the daemon-reexec"
stop_svd || fail "svd exit status"
echo "profiles_deps: ok"

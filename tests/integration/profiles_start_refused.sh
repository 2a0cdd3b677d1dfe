#!/bin/bash
# svctl start (and restart, and run) of a service that cannot run here is
# refused with the profile rule in the error, exit status 1: one outside the
# selected profiles, one whose program is not installed, one blocked by such
# a dependency. It used to reply "ok" with the reason only in the service's
# state, so a script that started it went on as if it ran. It still stays
# stopped, pulls up none of its dependencies, and a service that can run
# still starts with exit status 0.
. "$(dirname "$0")/lib.sh"

echo "profiles: [core]" >> "$T/etc/svd.yaml"
service base <<EOF
profiles: [core]
command: [sleep, "1000"]
EOF
service helper <<EOF
enabled: false
command: [/bin/sh, -c, 'echo start >> $T/out/helper; exec sleep 1000']
EOF
service llm <<EOF
profiles: [ai]
depends_on: [helper]
command: [sleep, "1000"]
EOF
service gotrue <<EOF
profiles: [core]
command: [/nonexistent/bin/gotrue, serve]
install_hint: "apt install gotrue"
EOF
service studio <<EOF
profiles: [core]
depends_on: [gotrue]
command: [sleep, "1000"]
EOF
service job <<EOF
type: oneshot
profiles: [ai]
command: [/bin/sh, -c, 'echo ran >> $T/out/job']
EOF
start_svd
wait_state base running
wait_for grep -q "boot: settled" "$T/svd.out"

# refused: exit status 1, the rule on stderr
refused() { # WHAT EXPECTED-MESSAGE ARGS...
        local what=$1 want=$2 rc=0 out
        shift 2
        out=$(svctl "$@" 2>&1) || rc=$?
        assert_eq "$rc" "1" "exit status of svctl $* ($what): $out"
        echo "$out" | grep -qF -- "$want" || fail "svctl $* ($what): $out"
}
refused "not in profile" "start llm: not started: disabled: not in profile (profiles: ai; selected: core)" start llm
refused "not in profile" "restart llm: not started: disabled: not in profile (profiles: ai; selected: core)" restart llm
refused "not installed" "start gotrue: not started: disabled: /nonexistent/bin/gotrue not installed (apt install gotrue)" start gotrue
refused "blocked" "start studio: not started: blocked: dependency gotrue disabled: /nonexistent/bin/gotrue not installed" start studio
refused "oneshot not in profile" "run job: not started: disabled: not in profile (profiles: ai; selected: core)" run job
grep -q "control: start llm from uid [0-9]* pid [0-9]*: disabled: not in profile" "$T/svd.out" ||
        fail "svd's log of the refused start: $(grep 'control: start llm' "$T/svd.out")"

for s in helper llm gotrue studio job; do
        assert_eq "$(field $s state)" "stopped" "$s after the refused start"
done
assert_eq "$(field gotrue restarts)" "0" "gotrue's restarts"
[ ! -e "$T/out/job" ] && [ ! -e "$T/out/helper" ] || fail "job or helper ran"

# one that can run still starts with "ok"
svctl stop base > /dev/null || fail "stop base"
wait_state base stopped
svctl start base > /dev/null || fail "start base"
wait_state base running
stop_svd || fail "svd exit status"
echo "profiles_start_refused: ok"

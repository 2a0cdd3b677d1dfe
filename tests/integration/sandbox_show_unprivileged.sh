#!/bin/bash
# svctl show under an svd that is not root: its services run as its own
# user and hold only their ambient capabilities, so show reports what the
# service really holds (capabilities, ambient_capabilities), what the
# config asked for (*_configured), and why (capabilities_note) -- checked
# against the service's own /proc/self/status. First svd: no capabilities
# at all; second: one ambient capability (CAP_NET_BIND_SERVICE), which a
# service without an ambient set of its own does not inherit (its
# "capabilities: []" means none), and which one that asks for it cannot
# get without CAP_SETPCAP to narrow its bounding set; third: with
# CAP_SETPCAP too, which it then gets. svctl audit scores what a service
# holds too.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "needs root (to start svd as nobody)"; exit 77; }
command -v setpriv >/dev/null || { echo "no setpriv"; exit 77; }

service held <<YAML
command: [sh, -c, 'grep ^CapEff /proc/self/status > $T/out/held; exec sleep 1000']
sandbox:
  capabilities: [CAP_NET_ADMIN, CAP_SYS_ADMIN]
YAML
service amb <<YAML
command: [sh, -c, 'grep ^CapEff /proc/self/status > $T/out/amb; exec sleep 1000']
restart: "no"
sandbox:
  ambient_capabilities: [CAP_NET_BIND_SERVICE]
YAML
# capabilities: all keeps the whole bounding set, of which a service of
# an unprivileged svd holds nothing: svctl audit scores what it holds
service allcaps <<YAML
command: [sleep, "1000"]
sandbox:
  capabilities: all
YAML
chown -R nobody "$T"
# start_svd, as nobody with the capabilities given as arguments to setpriv
start_nobody() {
        setpriv --reuid=nobody --regid=nogroup --clear-groups "$@" "$SVD" -c "$T/etc/svd.yaml" > "$T/svd.out" 2>&1 &
        SVD_PID=$!
        wait_for svctl_quiet version
}
svctl_quiet() { svctl "$@" > /dev/null 2>&1; }
show() { svctl show "$1" | sed -n "s/^$2: //p"; }

start_nobody
wait_state held running
wait_state amb failed
wait_for test -s "$T/out/held"
assert_eq "$(cat "$T/out/held")" "CapEff:	0000000000000000" "held's capabilities"
assert_eq "$(show held capabilities)" "-" "show held: what it holds"
assert_eq "$(show held capabilities_configured)" "CAP_NET_ADMIN,CAP_SYS_ADMIN" "show held: configured"
assert_eq "$(show held capabilities_note)" \
        "svd runs as uid $(id -u nobody): the service holds no capabilities (it has no ambient set)" "held's note"
assert_eq "$(show amb ambient_capabilities)" "-" "show amb: nothing (it cannot start)"
assert_eq "$(show amb ambient_capabilities_configured)" "CAP_NET_BIND_SERVICE" "show amb: configured"
assert_eq "$(show amb capabilities_note)" \
        "svd runs as uid $(id -u nobody) without CAP_NET_BIND_SERVICE: it cannot grant them, the service does not start" \
        "amb's note"
[ "$(svctl show held --json | jq -r '.capabilities | length')" = 0 ] || fail "--json: $(svctl show held --json)"
wait_state allcaps running
assert_eq "$(svctl audit --json | jq -r '.services[] | select(.name == "allcaps") | "\(.capabilities | length) \(.score) \(.rating)"')" \
        "0 2 good" "audit of allcaps: nothing held"
assert_eq "$(show allcaps capabilities_configured)" "all" "show allcaps: configured"
stop_svd || fail "svd exit status $?"

rm -f "$T/out/held" "$T/out/amb"
start_nobody --inh-caps +net_bind_service --ambient-caps +net_bind_service
wait_state held running
wait_state amb failed
wait_for test -s "$T/out/held"
assert_eq "$(cat "$T/out/held")" "CapEff:	0000000000000000" "held does not inherit svd's ambient set"
assert_eq "$(show held capabilities)" "-" "show held: nothing of svd's ambient set"
assert_eq "$(show amb capabilities)" "-" "show amb: nothing (no CAP_SETPCAP to narrow the bounding set)"
assert_eq "$(show amb capabilities_note)" \
        "svd runs as uid $(id -u nobody) without CAP_SETPCAP: it cannot narrow the bounding set, the service does not start" \
        "amb's note, no CAP_SETPCAP"
stop_svd || fail "svd exit status $?"

rm -f "$T/out/held" "$T/out/amb"
start_nobody --inh-caps +net_bind_service,+setpcap --ambient-caps +net_bind_service,+setpcap
wait_state held running
wait_state amb running
wait_for test -s "$T/out/held"
wait_for test -s "$T/out/amb"
assert_eq "$(cat "$T/out/held")" "CapEff:	0000000000000000" "held does not inherit svd's ambient set"
assert_eq "$(show held capabilities)" "-" "show held: nothing of svd's ambient set"
assert_eq "$(cat "$T/out/amb")" "CapEff:	0000000000000400" "amb's capabilities"
assert_eq "$(show amb capabilities)" "CAP_NET_BIND_SERVICE" "show amb: granted"
assert_eq "$(show amb capabilities_note)" \
        "svd runs as uid $(id -u nobody): the service holds only its ambient capabilities" "amb's note, granted"
stop_svd || fail "svd exit status $?"

#!/bin/bash
# A profile set may name another set (a built-in one or one of the main
# file's): its profiles are selected too, however deep, and a set that names
# itself or loops back ends. Nothing it names is dropped on the way.
. "$(dirname "$0")/lib.sh"

cat >> "$T/etc/svd.yaml" <<EOF
profiles: [edge]
profile_sets:
  edge: [minimal, metrics, lab]
  lab: [ai, edge]
EOF
service base <<EOF
profiles: [core]
command: [sleep, "1000"]
EOF
service mon <<EOF
profiles: [metrics]
command: [sleep, "1000"]
EOF
service llm <<EOF
profiles: [ai]
command: [sleep, "1000"]
EOF
service web <<EOF
profiles: [app]
command: [sleep, "1000"]
EOF

out=$("$SVD" --check -c "$T/etc/svd.yaml") || fail "--check: $out"
echo "$out" | grep -qx "profiles selected: edge, minimal, metrics, lab, core, ai" || fail "selection: $out"
echo "$out" | grep -qx "  edge: base llm mon" || fail "edge: $out"
echo "$out" | grep -qx "  lab: base llm mon" || fail "lab: $out"
echo "$out" | grep -qx "  minimal: base" || fail "minimal: $out"

start_svd
wait_state base running
wait_state mon running
wait_state llm running
assert_eq "$(field web state)" "stopped" "web state"
assert_eq "$(field web reason)" "disabled: not in profile (profiles: app; selected: edge, minimal, metrics, lab, core, ai)" "web reason"
stop_svd || fail "svd exit status"
echo "profile_sets_nested: ok"

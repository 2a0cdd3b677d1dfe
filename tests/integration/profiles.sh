#!/bin/bash
# Profiles select optional services (main file profiles:, svd --profile); a
# service without profiles is always in; one not selected stays stopped with
# "disabled: not in profile". An optional service whose program is missing is
# "disabled: PROG not installed (install_hint)", not a crash loop, and its
# dependents are blocked with the reason. svd --check lists what each profile
# set would run on this host.
. "$(dirname "$0")/lib.sh"

cat >> "$T/etc/svd.yaml" <<EOF
profiles: [recommended]
profile_sets:
  recommended: [core, app]
  lab: [core, ai]
EOF
service base <<EOF
command: [sleep, "1000"]
EOF
service web <<EOF
profiles: [app]
command: [sleep, "1000"]
EOF
service llm <<EOF
profiles: [ai]
command: [sleep, "1000"]
EOF
service gotrue <<EOF
profiles: [app]
command: [/nonexistent/bin/gotrue, serve]
install_hint: "apt install gotrue"
restart: always
EOF
service studio <<EOF
profiles: [app]
command: [sleep, "1000"]
depends_on: [gotrue]
EOF

out=$("$SVD" --check -c "$T/etc/svd.yaml") || fail "--check: $out"
echo "$out" | grep -qx "profiles selected: recommended, core, app" || fail "selection: $out"
echo "$out" | grep -qx "  minimal: base" || fail "minimal: $out"
echo "$out" | grep -qx "  recommended: base gotrue studio web" || fail "recommended: $out"
echo "$out" | grep -qx "  lab: base llm" || fail "lab: $out"
echo "$out" | grep -qx "      gotrue: disabled: /nonexistent/bin/gotrue not installed (apt install gotrue)" || fail "gotrue: $out"
echo "$out" | grep -qx "      studio: blocked: dependency gotrue cannot run" || fail "studio: $out"
out=$("$SVD" --check -c "$T/etc/svd.yaml" --profile lab) || fail "--check --profile: $out"
echo "$out" | grep -qx "profiles selected: lab, core, ai" || fail "--profile selection: $out"
out=$("$SVD" --check -c "$T/etc/svd.yaml" --profile nosuch 2>&1) && fail "unknown profile accepted"
# named as the command line's, not as the main file's, with the names known
echo "$out" | grep -qxF -- "--profile nosuch (svd's command line): unknown profile (not a profile set, and no service declares it); known: ai, app, full, lab, minimal, recommended" \
        || fail "unknown profile: $out"
# in the main file: named at its item
printf 'services_dir: services\nprofiles:\n  - core\n  - nosuch\n' > "$T/bad-profiles.yaml"
out=$("$SVD" --check -c "$T/bad-profiles.yaml" 2>&1) && fail "unknown profile in the main file accepted"
echo "$out" | grep -q "bad-profiles.yaml:4:5: profiles: unknown profile 'nosuch' (.*); known: ai, app, full, minimal, recommended$" \
        || fail "unknown profile's place: $out"

start_svd
wait_state base running
wait_state web running
assert_eq "$(field llm state)" "stopped" "llm state"
assert_eq "$(field llm reason)" "disabled: not in profile (profiles: ai; selected: recommended, core, app)" "llm reason"
assert_eq "$(field gotrue state)" "stopped" "gotrue state"
assert_eq "$(field gotrue reason)" "disabled: /nonexistent/bin/gotrue not installed (apt install gotrue)" "gotrue reason"
assert_eq "$(field gotrue restarts)" "0" "no crash loop"
assert_eq "$(field studio state)" "stopped" "studio state"
assert_eq "$(field studio reason)" "blocked: dependency gotrue disabled: /nonexistent/bin/gotrue not installed (apt install gotrue)" "studio reason"
# asking does not make it crash either (the start is refused, naming why)
out=$(svctl start studio 2>&1) && fail "svctl start studio: exit status 0: $out"
echo "$out" | grep -qF "start studio: not started: blocked: dependency gotrue disabled:" || fail "svctl start studio: $out"
assert_eq "$(field studio state)" "stopped" "studio after start"
assert_eq "$(field gotrue state)" "stopped" "gotrue after start"
svctl status llm | grep -q "disabled: not in profile" || fail "table: $(svctl status llm)"
stop_svd || fail "svd exit status"

# with the program installed, the same service runs
mkdir -p "$T/bin"
printf '#!/bin/sh\nexec sleep 1000\n' > "$T/bin/gotrue"
chmod 755 "$T/bin/gotrue"
sed -i "s|/nonexistent/bin/gotrue|$T/bin/gotrue|" "$T/services/gotrue.yaml"
start_svd
wait_state gotrue running
wait_state studio running
stop_svd || fail "svd exit status"

# a reload keeps svd's --profile: a name the new configuration no longer
# knows is refused as the command line's
"$SVD" -c "$T/etc/svd.yaml" --profile lab > "$T/svd.out" 2>&1 &
SVD_PID=$!
wait_for svctl version
wait_state llm running
sed -i '/^  lab:/d' "$T/etc/svd.yaml"
sed -i 's/^profiles: \[ai\]/profiles: [ai2]/' "$T/services/llm.yaml"
out=$(svctl reload 2>&1) && fail "reload with an unknown --profile accepted: $out"
echo "$out" | grep -qF -- "--profile lab (svd's command line): unknown profile (not a profile set, and no service declares it); known: ai2, app, full, minimal, recommended" \
        || fail "reload, unknown --profile: $out"
assert_eq "$(field llm state)" "running" "llm after the refused reload"
stop_svd || fail "svd exit status"
echo "profiles: ok"

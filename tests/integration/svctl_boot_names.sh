#!/bin/bash
# svctl_boot_names: "svctl status --boot" takes no NAME (svctl(8)): its
# summary covers every service, so a NAME given with it would be silently
# ignored; it is a usage error instead (exit 2, nothing sent), and
# "status --boot" alone still shows every service.
. "$(dirname "$0")/lib.sh"

service alpha <<'YAML'
command: [sleep, "100000"]
YAML
service beta <<'YAML'
command: [sleep, "100000"]
YAML
start_svd
wait_state alpha running
wait_state beta running

rc=0
svctl status --boot alpha > "$T/boot" 2> "$T/err" || rc=$?
[ "$rc" = 2 ] || fail "status --boot alpha: exit $rc (want 2): $(cat "$T/boot" "$T/err")"
grep -q "'status --boot' takes no service NAME" "$T/err" || fail "status --boot alpha: $(cat "$T/err")"
[ -s "$T/boot" ] && fail "status --boot alpha printed: $(cat "$T/boot")"
rc=0
svctl status alpha --boot --json > "$T/boot" 2> "$T/err" || rc=$?
[ "$rc" = 2 ] || fail "status alpha --boot --json: exit $rc (want 2): $(cat "$T/boot" "$T/err")"

svctl status --boot > "$T/boot" || fail "status --boot: exit $?"
grep -q '^alpha ' "$T/boot" && grep -q '^beta ' "$T/boot" || fail "status --boot: $(cat "$T/boot")"
svctl status --boot --json | jq -e '.services | has("alpha") and has("beta")' > /dev/null ||
        fail "status --boot --json: $(svctl status --boot --json)"
echo ok

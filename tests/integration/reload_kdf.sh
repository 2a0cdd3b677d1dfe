#!/bin/bash
# secrets_kdf applies to a secret store created later (at the first
# unlock): an existing store keeps the parameters in its header until its
# next unlock re-encrypts it (secrets_rekey.sh). A reload
# (and --dry-run) that changes it says so in its warnings, naming the key's
# line, instead of taking the new value silently.
. "$(dirname "$0")/lib.sh"

service app <<EOF2
command: [sleep, "100000"]
EOF2
start_svd
wait_state app running

# unchanged: no warning
svctl reload --dry-run > "$T/out/p0" 2>&1 || fail "dry run: $(cat "$T/out/p0")"
grep -q "secrets_kdf" "$T/out/p0" && fail "warning for an unchanged value: $(cat "$T/out/p0")"

echo "secrets_kdf: sensitive" >> "$T/etc/svd.yaml"
line=$(grep -n "^secrets_kdf:" "$T/etc/svd.yaml" | cut -d: -f1)
want="svctl: svd: $T/etc/svd.yaml:$line:14: warning: secrets_kdf: changed from 'interactive' to 'sensitive': it applies to a secret store created later (at the first unlock); an existing store keeps the parameters in its header until it is next unlocked, which re-encrypts it"
svctl reload --dry-run > "$T/out/p1" 2>&1 || fail "dry run: $(cat "$T/out/p1")"
grep -qxF "$want" "$T/out/p1" || fail "dry run does not warn: $(cat "$T/out/p1")"
svctl reload --dry-run --json | python3 -c '
import json, sys
r = json.load(sys.stdin)
w = [x for x in r.get("warnings", []) if "secrets_kdf" in x]
assert len(w) == 1 and "created later" in w[0] and "re-encrypts it" in w[0], r
' || fail "JSON warnings"
svctl reload > "$T/out/r1" 2>&1 || fail "reload: $(cat "$T/out/r1")"
grep -qxF "$want" "$T/out/r1" || fail "reload does not warn: $(cat "$T/out/r1")"
wait_for grep -q "reload: done" "$T/svd.out"
grep -qF "reload: ${want#svctl: svd: }" "$T/svd.out" || fail "not logged: $(cat "$T/svd.out")"

# taken: the next reload has nothing to say about it
svctl reload --dry-run > "$T/out/p2" 2>&1 || fail "dry run: $(cat "$T/out/p2")"
grep -q "secrets_kdf" "$T/out/p2" && fail "warned again: $(cat "$T/out/p2")"

# removed again (back to the default)
sed -i '/^secrets_kdf:/d' "$T/etc/svd.yaml"
svctl reload --dry-run > "$T/out/p3" 2>&1 || fail "dry run: $(cat "$T/out/p3")"
grep -qF "secrets_kdf: changed from 'sensitive' to 'interactive'" "$T/out/p3" ||
        fail "removal not warned: $(cat "$T/out/p3")"
stop_svd || fail "svd exit status"
echo "reload_kdf: ok"

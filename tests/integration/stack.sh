#!/bin/bash
# The shipped configuration as a whole: etc/svd.yaml with every file in
# services/ and cgroups/ loads without an error, and `svd --check --profile P`
# passes for every profile set and every profile a service declares. Services
# that Debian does not package (gotrue, postgrest, kong, ollama) are outside
# the default set (recommended), and where their program is not installed,
# --check reports them disabled with the install hint, and what depends on
# them as blocked, instead of failing.
. "$(dirname "$0")/lib.sh"
top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
for u in svd-app svd-gateway svd-kong svd-auth svd-rest svd-ollama; do
        id "$u" >/dev/null 2>&1 || { echo "user $u missing (tools/install-deps creates it)"; exit 77; }
done
conf="$top/etc/svd.yaml"
n_svc=$(ls "$top"/services/*.yaml | wc -l)
n_slice=$(ls "$top"/cgroups/*.yaml | wc -l)

out=$("$SVD" --check -c "$conf" 2>&1) || fail "--check of the shipped configuration: $out"
echo "$out" | grep -qx "$conf: OK, $n_svc services, $n_slice slices" || fail "not every file loaded: $out"
echo "$out" | grep -qx "profiles selected: recommended, core, app, backup" || fail "default selection: $out"
for s in gateway ai; do
        [ -f "$top/cgroups/$s.yaml" ] || fail "slice $s missing"
done

# the default set is what Debian and npm provide
rec=$(echo "$out" | sed -n 's/^  recommended: //p')
for s in postgres-init postgres postgres-setup app-install app gateway-install gateway pg-backup pg-restore-drill; do
        echo " $rec " | grep -q " $s " || fail "$s not in recommended: $rec"
done
for s in gotrue postgrest kong kong-config ollama ollama-init ollama-pull; do
        echo " $rec " | grep -q " $s " && fail "$s in recommended: $rec"
done

# every profile set (built in, and the main file's) and every declared profile
profiles=$(printf '%s\n' minimal recommended full; sed -n 's/^profiles: \[\(.*\)\]$/\1/p' "$top"/services/*.yaml | tr ', ' '\n\n' | sed '/^$/d' | sort -u)
for p in $profiles; do
        o=$("$SVD" --check -c "$conf" --profile "$p" 2>&1) || fail "--check --profile $p: $o"
        echo "$o" | grep -q "^profiles selected: $p" || fail "--profile $p: $o"
done
for p in supabase ai app backup; do
        echo "$profiles" | grep -qx "$p" || fail "profile $p not declared by any service"
done

# the main file's comment on the built-in profile sets names every profile
# of each (src/profile.c): an operator picks --profile from it
doc=$(sed -n 's/^# *//p' "$conf" | tr '\n' ' ' | sed -n 's/.*\(minimal = .*\)Services without profiles.*/\1/p')
[ -n "$doc" ] || fail "etc/svd.yaml no longer describes the profile sets"
for set in minimal recommended full; do
        for p in $(sed -n "s/.*builtin_$set\[\] = {\(.*\), NULL };/\1/p" "$top/src/profile.c" | tr -d '",'); do
                echo "$doc" | grep -qw -- "$p" || fail "etc/svd.yaml's comment on the profile sets lacks '$p' ($set): $doc"
        done
done

# not packaged in Debian: disabled with the hint where missing, not failing
full=$("$SVD" --check -c "$conf" --profile full 2>&1) || fail "--check --profile full: $full"
for s in gotrue:/usr/local/bin/gotrue postgrest:/usr/local/bin/postgrest kong:/usr/local/bin/kong ollama:/usr/local/bin/ollama; do
        name=${s%%:*} prog=${s#*:}
        grep -q "^command: \[$prog[],]" "$top/services/$name.yaml" || fail "$name.yaml does not run $prog"
        grep -q '^install_hint: .*https://' "$top/services/$name.yaml" || fail "$name.yaml: no install_hint with the upstream URL"
        if [ -x "$prog" ]; then
                echo "$name: $prog installed here, not checked as disabled"
                continue
        fi
        echo "$full" | grep -q "^      $name: disabled: $prog not installed (.*https://" || fail "$name not reported disabled: $full"
done
[ -x /usr/local/bin/ollama ] || echo "$full" | grep -q "^      ollama-pull: blocked: dependency ollama" ||
        fail "ollama-pull not reported blocked: $full"

# the sizes of the slices are consistent: what is protected fits in what
# system allows, and the AI slice is capped below the database's protection
pct() { sed -n "s/^$2: \([0-9]*\)%$/\1/p" "$top/cgroups/$1.yaml"; }
low=0
for s in db app gateway; do low=$(( low + $(pct "$s" memory_low) )); done
[ "$low" -lt "$(pct system memory_high)" ] || fail "protected memory $low% >= system's memory_high"
# a child's protection is limited by its parent's
[ "$(pct system memory_low)" -ge "$low" ] || fail "system's memory_low is below its children's sum ($low%)"
[ "$(pct system memory_min)" -ge "$(pct db memory_min)" ] || fail "system's memory_min is below db's"
[ -z "$(pct ai memory_low)" ] && [ -z "$(pct ai memory_min)" ] || fail "the ai slice must not be protected"
[ $(( $(pct ai memory_max) + $(pct db memory_low) )) -le "$(pct system memory_max)" ] ||
        fail "ai's cap and db's protection do not fit in system"
echo "stack: ok"

#!/bin/bash
# libseccomp cannot be loaded (here: an empty file where its soname leads,
# in a mount namespace of the test's own): a service with a seccomp filter
# fails to start with a reason that names the library and the loader's
# error, not only "Can not access a needed shared library"; svd and the
# services without a filter (seccomp: none) carry on.
SVD_PRIVATE_MOUNTS=1
. "$(dirname "$0")/lib.sh"
lib=$(ldconfig -p | awk '/libseccomp\.so\.2 .*x86-64|libseccomp\.so\.2 \(libc6\)/ { print $NF; exit }')
[ -n "$lib" ] || lib=$(ldconfig -p | awk '/libseccomp\.so\.2 / { print $NF; exit }')
[ -n "$lib" ] && [ -e "$lib" ] || { echo "no libseccomp.so.2 found"; exit 77; }
: > "$T/empty.so"
mount --bind "$T/empty.so" "$(readlink -f "$lib")" || { echo "cannot bind-mount over $lib"; exit 77; }
MOUNTS="$MOUNTS $(readlink -f "$lib")"

service filtered <<YAML
command: [sleep, "1000"]
restart: "no"
sandbox:
  seccomp: { deny: ["@mount"] }
YAML
service plain <<YAML
command: [sleep, "1000"]
sandbox: { seccomp: none }
YAML
start_svd
wait_state plain running
wait_for grep -q "libseccomp.so.2" "$T/svd.out"
reason=$(svctl status filtered --json | python3 -c 'import json, sys; d = json.load(sys.stdin); s = d["services"][0] if "services" in d else d; print(s.get("reason") or s.get("last_failure") or "")')
case "$reason" in
*libseccomp.so.2*) ;;
*) fail "the reason does not name the library: '$reason'" ;;
esac
echo "reason: $reason"
svctl status plain > /dev/null || fail "svd no longer answers"
stop_svd || fail "svd exit status"
echo "dynlib_seccomp_missing: ok"

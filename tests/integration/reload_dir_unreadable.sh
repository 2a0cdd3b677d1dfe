#!/bin/bash
# svctl reload (and SIGHUP) when the services directory cannot be read: the
# running services stay, and the reload is refused with an error naming the
# directory. Before, a services_dir left at its default that was not a
# readable directory (here: a file in its place; for a non-root svd also a
# directory it may not read) loaded as "no services", and the reload
# stopped and removed every service; so did the default directory gone
# for a moment (moved aside during a deployment). One removed on purpose
# is refused too: an empty directory removes them all.
. "$(dirname "$0")/lib.sh"

# services_dir at its default: services next to the main file
sed -i '/^services_dir:/d' "$T/etc/svd.yaml"
mkdir "$T/etc/services"
printf 'command: [sleep, "100000"]\n' > "$T/etc/services/a.yaml"
printf 'command: [sleep, "100001"]\n' > "$T/etc/services/b.yaml"
start_svd
wait_state a running
wait_state b running
a1=$(field a pid) b1=$(field b pid)

mv "$T/etc/services" "$T/etc/services.d"
touch "$T/etc/services"
svctl reload > "$T/out/r1" 2>&1 && fail "reload with a file for the services directory: $(cat "$T/out/r1")"
grep -q "services_dir: cannot open directory '$T/etc/services': Not a directory" "$T/out/r1" ||
        fail "no error naming the directory: $(cat "$T/out/r1")"
svctl reload --dry-run > "$T/out/d1" 2>&1 && fail "dry run: $(cat "$T/out/d1")"

# gone: refused while services run from it
rm "$T/etc/services"
svctl reload > "$T/out/r2" 2>&1 && fail "reload with no services directory: $(cat "$T/out/r2")"
grep -q "services_dir: '$T/etc/services' does not exist: the reload would remove all 2 services" "$T/out/r2" ||
        fail "no error for the missing directory: $(cat "$T/out/r2")"
kill -HUP "$SVD_PID"
wait_for grep -q "SIGHUP: reload refused" "$T/svd.out"
assert_eq "$(field a pid)" "$a1" "a's pid"
assert_eq "$(field b pid)" "$b1" "b's pid"

# an empty directory: that is the operator's word
mkdir "$T/etc/services"
svctl reload --dry-run > "$T/out/d3" || fail "dry run with an empty directory: $(cat "$T/out/d3")"
grep -q "0 to add, 2 to remove" "$T/out/d3" || fail "plan: $(cat "$T/out/d3")"
rmdir "$T/etc/services"
mv "$T/etc/services.d" "$T/etc/services"
svctl reload > "$T/out/r4" || fail "reload: $(cat "$T/out/r4")"
grep -q "0 to add, 0 to remove, 0 changed, 2 unchanged" "$T/out/r4" || fail "plan: $(cat "$T/out/r4")"
assert_eq "$(field a pid)" "$a1" "a's pid"
stop_svd || fail "svd exit status"
echo "reload_dir_unreadable: ok"

#!/bin/bash
# svctl reload reads the main file by the name svd was started with: when
# that name is a symbolic link switched to another file (a release deployed
# by switching a link), the reload applies the file it now names, as
# daemon-reexec, a restart of svd and the next boot would. Before, it read
# the file the link named at svd's start again, answered "0 to add", and
# the new configuration looked applied while it was not.
# A link switched to a file in another directory moves what a relative
# path names (working_dir, env_file): a service whose file is the same but
# whose paths resolve elsewhere counts as changed (a logging.file that
# moves applies live, reload_logging_live.sh).
. "$(dirname "$0")/lib.sh"

# svd's own directories absolute: they cannot change under a reload
sed -E "s#^(state|log|run)_dir: \.\./#\1_dir: $T/#" "$T/etc/svd.yaml" > "$T/etc/svd-v1.yaml"
rm "$T/etc/svd.yaml"
ln -s svd-v1.yaml "$T/etc/svd.yaml"
sed 's|^services_dir: ../services$|services_dir: ../services2|' "$T/etc/svd-v1.yaml" > "$T/etc/svd-v2.yaml"
grep -q '^services_dir: ../services2$' "$T/etc/svd-v2.yaml" || fail "v2 does not name services2"
mkdir "$T/services2"
service a <<EOF2
command: [sleep, "100000"]
EOF2
cp "$T/services/a.yaml" "$T/services2/a.yaml"
printf 'command: [sleep, "100001"]\n' > "$T/services2/b.yaml"

start_svd
wait_state a running
a1=$(field a pid)
ln -sfn svd-v2.yaml "$T/etc/svd.yaml"
svctl reload --dry-run > "$T/out/plan" || fail "dry run: $(cat "$T/out/plan")"
grep -qx "add     b" "$T/out/plan" || fail "plan does not add b from the file the link names now: $(cat "$T/out/plan")"
svctl reload > "$T/out/r" || fail "reload: $(cat "$T/out/r")"
wait_state b running
assert_eq "$(field a pid)" "$a1" "a's pid (unchanged)"
# and SIGHUP, back to the first file: b goes
ln -sfn svd-v1.yaml "$T/etc/svd.yaml"
kill -HUP "$SVD_PID"
wait_for grep -q "reload: done: 0 added, 1 removed" "$T/svd.out"
grep -q "SIGHUP: reloading $T/etc/svd.yaml$" "$T/svd.out" || fail "SIGHUP does not name the file it reads"
[ -z "$(field b state)" ] || fail "b still there after SIGHUP"
assert_eq "$(field a pid)" "$a1" "a's pid (unchanged)"

# a file in another directory: a's relative working_dir resolves there
mkdir -p "$T/etc/wd" "$T/etc3/wd"
cp "$T/etc/svd-v1.yaml" "$T/etc3/svd.yaml" # (svd's own directories: absolute, the same)
service a <<EOF2
command: [sh, -c, "pwd > $T/out/pwd; exec sleep 100000"]
working_dir: wd
EOF2
svctl reload > "$T/out/r3" || fail "reload: $(cat "$T/out/r3")"
wait_for grep -qx "$T/etc/wd" "$T/out/pwd"
a2=$(field a pid)
ln -sfn ../etc3/svd.yaml "$T/etc/svd.yaml"
svctl reload --dry-run > "$T/out/plan3" || fail "dry run: $(cat "$T/out/plan3")"
grep -qx "change  a (paths (relative to the main file's directory))" "$T/out/plan3" ||
        fail "a's working_dir moved, not a change: $(cat "$T/out/plan3")"
svctl reload > "$T/out/r4" || fail "reload: $(cat "$T/out/r4")"
wait_for grep -qx "$T/etc3/wd" "$T/out/pwd"
wait_state a running
[ "$(field a pid)" != "$a2" ] || fail "a not restarted"
stop_svd || fail "svd exit status"
echo "reload_symlink: ok"

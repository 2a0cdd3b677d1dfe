#!/bin/bash
# A service restored "waiting" by daemon-reexec is looked at as one that
# has just begun to wait (dep_wait_broken.sh): a dependency already failed
# (or exited 0 where it is needed healthy) fails it instead of leaving it
# waiting for ever; a follower keeps dep_failed and starts again once the
# dependency is back. An older svd could save that state: the new binary
# here is a wrapper that, as such an older svd would have, hands over x, f
# and y as waiting. And the common path: services that wait across a
# re-exec on a dependency in a slow start or in its backoff delay fail when
# that dependency fails after the restore.
. "$(dirname "$0")/lib.sh"

# svd runs from a copy, so the test can replace "the package's" binary
mkdir -p "$T/bin"
cp "$SVD" "$T/bin/svd"
cp "$SVD" "$T/bin/svd.real"
cp "$(dirname "$SVD")/svd-probe" "$(dirname "$SVD")/svd-fdstore" "$T/bin/" # found next to svd
SVD=$T/bin/svd

service db <<EOF
command: [sleep, "1000"]
restart: "no"
EOF
service x <<EOF
command: [sleep, "1000"]
enabled: false
depends_on: [db]
EOF
service f <<EOF
command: [sleep, "1000"]
enabled: false
depends_on: { db: { restart: true } }
EOF
service job <<EOF
command: [true]
restart: "no"
EOF
service y <<EOF
command: [sleep, "1000"]
enabled: false
depends_on: { job: { condition: healthy } }
EOF
# the common path: slow never gets ready until told to fail; flap, never
# ready either, is in its backoff delay at the re-exec and fails at its
# next start (its start limit)
service slow <<EOF
type: notify
command: [sh, -c, 'while [ ! -e $T/out/slow.die ]; do sleep 0.05; done; exit 1']
restart: "no"
EOF
service w <<EOF
command: [sleep, "1000"]
depends_on: [slow]
EOF
service flap <<EOF
type: notify
command: [sh, -c, 'sleep 0.2; exit 1']
restart: on-failure
backoff: { initial: 6s, max: 6s, factor: 1 }
start_limit: { burst: 2, interval: 1m }
EOF
service v <<EOF
command: [sleep, "1000"]
depends_on: [flap]
EOF
start_svd
wait_state db running
wait_state job exited
wait_state slow starting
wait_state flap backoff
assert_eq "$(field w state)" waiting "w before the re-exec"
assert_eq "$(field v state)" waiting "v before the re-exec"
kill -9 "$(field db pid)"
wait_state db failed

# "an older svd": x, f and y handed over waiting on a broken dependency
rm "$T/bin/svd" # the running file is unlinked, as a package upgrade does
cat > "$T/bin/svd" <<EOF
#!/bin/bash
fd=
for a in "\$@"; do case \$a in --restore-fd=*) fd=\${a#--restore-fd=} ;; esac; done
[ -n "\$fd" ] || exec $T/bin/svd.real "\$@"
jq -c '.services |= map(if .name == "x" or .name == "f" or .name == "y"
        then .state = "waiting" | .reason = "waiting for dependencies" else . end)' \\
        < /proc/self/fd/\$fd > $T/out/state.json || exit 1
exec {nfd}< $T/out/state.json
args=()
for a in "\$@"; do case \$a in --restore-fd=*) args+=("--restore-fd=\$nfd") ;; *) args+=("\$a") ;; esac; done
exec $T/bin/svd.real "\${args[@]}"
EOF
chmod +x "$T/bin/svd"
svctl daemon-reexec > "$T/out/rx" 2>&1 || fail "daemon-reexec: $(cat "$T/out/rx")"
wait_for grep -q 'daemon-reexec: [0-9]* services taken over' "$T/svd.out"
jq -e '.services[] | select(.name == "x") | .state == "waiting"' "$T/out/state.json" > /dev/null ||
        fail "x not handed over waiting"
# the common path, right after the re-exec: still waiting
assert_eq "$(field flap state)" backoff "flap still in its backoff delay after the re-exec"
assert_eq "$(field v state)" waiting "v after the re-exec"
assert_eq "$(field slow state)" starting "slow after the re-exec"
assert_eq "$(field w state)" waiting "w after the re-exec"
wait_state x failed
wait_state f failed
wait_state y failed
assert_eq "$(field x reason)" "dependency db failed" "x reason"
assert_eq "$(field f reason)" "dependency db failed" "f reason"
assert_eq "$(field y reason)" "dependency job exited" "y reason"
# db back: f, its follower, starts again; x, not following db, does not
svctl start db > /dev/null || fail "start db"
wait_state f running
assert_eq "$(field x state)" failed "x stays failed"

# the common path: the dependencies fail after the restore
assert_eq "$(field w state)" waiting "w before slow fails"
touch "$T/out/slow.die"
wait_state slow failed
wait_state w failed
assert_eq "$(field w reason)" "dependency slow failed" "w reason"
wait_state flap failed 20
wait_state v failed
assert_eq "$(field v reason)" "dependency flap failed" "v reason"
stop_svd || fail "svd exit status"
echo "reexec_wait_broken: ok"

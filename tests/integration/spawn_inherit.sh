#!/bin/bash
# What a service, an exec health check and a scheduled job inherit from svd
# (tests/helpers/inherit-report records it), with svd started the way a
# careless parent would: a descriptor left open, SIGUSR2 and SIGTERM
# blocked, SIGHUP, SIGPIPE and signals 32 and 33 ignored (glibc's own two,
# which its sigaction refuses to reset: make's children have them ignored),
# LISTEN_FDS, LISTEN_PID, INVOCATION_ID and a variable of its own in the
# environment. With every feature that holds a descriptor in svd at a
# spawn: log pipes, the notify socket, secrets (credential files and
# environment), a TCP check's svd-probe, svd-fdstore, svctl streams and a
# raw client open, a reload in flight, a daemon-reexec. Each process must
# get 0 (/dev/null), 1 and 2 (pipes) and nothing else, an empty signal
# mask, no ignored signal, a session and process group of its own, no
# controlling tty, no parent-death signal, and none of svd's own
# environment (NOTIFY_SOCKET only as svd's own socket, for type: notify).
. "$(dirname "$0")/lib.sh"
R="$TOP_BUILDDIR/tests/helpers/inherit-report"
[ -x "$R" ] || fail "missing $R (make check builds it)"
id -u nobody > /dev/null 2>&1 || { echo "no user nobody"; exit 77; }
port=$(free_port)
service plain <<EOF
command: [/bin/sh, -c, 'exec $R $T/out/plain.\$\$ stay']
EOF
service usr <<EOF
user: nobody
command: [/bin/sh, -c, 'exec $R $T/out/usr.\$\$ stay']
EOF
service notif <<EOF
type: notify
command: [/bin/sh, -c, 'exec $R $T/out/notif.\$\$ notify']
EOF
service sec <<EOF
secrets: { tok: { generate: password } }
environment: { TOKENV: "\${secret:tok}" }
healthcheck:
  exec: [/bin/sh, -c, 'exec $R $T/out/check.\$\$']
  interval: 300ms
command: [/bin/sh, -c, 'exec $R $T/out/sec.\$\$ stay']
EOF
service tcp <<EOF
healthcheck: { tcp: "127.0.0.1:$port", interval: 300ms }
command: [/bin/sh, -c, 'exec $R $T/out/tcp.\$\$ stay']
EOF
service job <<EOF
type: oneshot
schedule: { every: 1s }
command: [/bin/sh, -c, 'exec $R $T/out/job.\$\$']
EOF
mkdir -p "$T/bin"
cat > "$T/bin/svd" <<EOF
#!/bin/sh
exec "$R" --exec-careless "$SVD" "\$@"
EOF
chmod 755 "$T/bin/svd"
REAL_SVD=$SVD
SVD=$T/bin/svd
exec 7< /dev/null
LISTEN_FDS=1 LISTEN_PID=1 INVOCATION_ID=0123456789abcdef SVD_TEST_LEAK=1 start_svd
exec 7<&-
SVD=$REAL_SVD
ign=$(sed -n 's/^SigIgn:\t*//p' "/proc/$SVD_PID/status")
[ $((0x$ign & 0x180001000)) = $((0x180001000)) ] || fail "svd was not started with 13, 32 and 33 ignored: $ign"
for s in plain usr notif sec tcp; do wait_state $s running; done
svctl logs -f plain > /dev/null 2>&1 &
L=$!
svctl events -f > /dev/null 2>&1 &
E=$!
python3 -c 'import socket, sys, time; s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); time.sleep(60)' "$SOCK" &
P=$!
trap 'kill $L $E $P 2>/dev/null || true; cleanup || true' EXIT
wait_for sh -c "ls $T/out/job.* > /dev/null 2>&1"
svctl reload > /dev/null &
RL=$!
svctl restart plain > /dev/null
svctl restart usr > /dev/null
wait $RL || fail "reload"
svctl daemon-reexec > /dev/null || fail "daemon-reexec"
wait_for grep -q "daemon-reexec: [0-9]* services taken over" "$T/svd.out"
for s in plain usr notif sec tcp; do svctl restart $s > /dev/null; done
for s in plain usr notif sec tcp; do wait_state $s running; done
n=$(ls "$T"/out/check.* | wc -l)
wait_for sh -c "[ \$(ls $T/out/check.* | wc -l) -gt $n ]"
n=$(ls "$T"/out/job.* | wc -l)
wait_for sh -c "[ \$(ls $T/out/job.* | wc -l) -gt $n ]"
kill $L $E $P 2>/dev/null || true
checked=0
for f in "$T"/out/*.[0-9]*; do
        case "$f" in *.tmp) continue ;; esac
        name=$(basename "$f")
        val() { sed -n "s/^$1=//p" "$f"; }
        fds=$(val fds)
        case "$fds" in
        "0:/dev/null 1:pipe:"*" 2:pipe:"*) ;;
        *) fail "$name: descriptors $fds" ;;
        esac
        [ "$(echo "$fds" | wc -w)" = 3 ] || fail "$name inherited more than 0, 1, 2: $fds"
        assert_eq "$(val sigblk)" 0000000000000000 "$name: blocked signals"
        assert_eq "$(val sigign)" 0000000000000000 "$name: ignored signals"
        assert_eq "$(val pgid_is_pid)" yes "$name: a process group of its own"
        assert_eq "$(val sid_is_pid)" yes "$name: a session of its own"
        assert_eq "$(val tty)" 0 "$name: controlling tty"
        assert_eq "$(val pdeathsig)" 0 "$name: parent-death signal"
        env=" $(val env) "
        for v in LISTEN_FDS LISTEN_PID INVOCATION_ID SVD_TEST_LEAK; do
                case "$env" in *" $v "*) fail "$name got svd's $v: $env" ;; esac
        done
        case "$name:$env" in
        notif.*) case "$env" in *" NOTIFY_SOCKET "*) ;; *) fail "$name: no NOTIFY_SOCKET: $env" ;; esac ;;
        *" NOTIFY_SOCKET "*) fail "$name got NOTIFY_SOCKET: $env" ;;
        esac
        checked=$((checked + 1))
done
for s in plain usr notif sec tcp check job; do
        [ "$(ls "$T"/out/$s.[0-9]* | grep -vc '\.tmp$')" -ge 2 ] || fail "fewer than 2 reports of $s: $(ls "$T/out")"
done
stop_svd || fail "svd exit status"
echo "spawn_inherit: ok ($checked processes)"

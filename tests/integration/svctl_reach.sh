#!/bin/bash
# svctl_reach: every command that talks to svd says the same when it cannot:
# a socket path where nothing listens (no file, or a socket file nobody
# listens on) is "cannot connect to PATH: ... (is svd running?)" and exit 3,
# also for logs, secret and top, which said it without the hint. svd answers a
# client over its limit "busy" at once and closes before it reads the
# request (control.c): when the request's send then fails (EPIPE), that
# reply is still there to read, and every command shows it ("too many
# clients", exit 1); logs, metrics, events and secret said "svd closed the
# connection without replying", top "Broken pipe". strace delays svctl's send so the close
# comes first every time (tests/helpers/fakestatus.py plays svd).
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || { echo "SKIP: python3 missing"; exit 77; }

cmds=("status" "logs" "logs -f" "logs -n 3" "metrics" "events" "events -f" "secret list" "secret get pw" "version"
      "top -n 1")

# ---- nothing listens: the hint, exit 3 ----
python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$T/refused.sock"
for path in "$T/none.sock" "$T/refused.sock"; do
        for c in "${cmds[@]}"; do
                rc=0
                # shellcheck disable=SC2086 # words on purpose
                "$SVCTL" -s "$path" $c > /dev/null 2> "$T/err" < /dev/null || rc=$?
                # (top: "cannot get status from PATH")
                [ "$rc" = 3 ] && grep -qF -e "svctl: cannot connect to $path: " \
                        -e "svctl: cannot get status from $path: " "$T/err" &&
                        grep -qF "(is svd running?)" "$T/err" ||
                        fail "svctl $c, nothing listening at $path: exit $rc (want 3): $(cat "$T/err")"
        done
done

# ---- a file or directory there, not a socket (a mistyped -s): it refuses
# the connection as a stale socket does, but svd is not the question ----
: > "$T/file"
for path in "$T/file" "$T"; do
        for c in "${cmds[@]}"; do
                rc=0
                # shellcheck disable=SC2086 # words on purpose
                "$SVCTL" -s "$path" $c > /dev/null 2> "$T/err" < /dev/null || rc=$?
                [ "$rc" = 3 ] && grep -qxE "svctl: (cannot connect to|cannot get status from) $path: not a socket \(svd's control socket is; see -s and \\\$SVD_SOCKET\)" "$T/err" ||
                        fail "svctl $c, not a socket at $path: exit $rc (want 3): $(cat "$T/err")"
        done
done

# ---- svd busy: its reply read after the send failed ----
if ! command -v strace >/dev/null || ! strace -qq -o /dev/null true 2>/dev/null; then
        echo "busy: no strace (or no ptrace here): not tested"
        echo ok
        exit 0
fi
cat > "$T/slowsend" <<EOS
#!/bin/sh
# svctl with each send delayed 1 s: the fake svd has closed by then
exec strace -f -qq -o /dev/null -e trace=sendto -e inject=sendto:delay_enter=1000000 "$SVCTL" "\$@"
EOS
chmod +x "$T/slowsend"
echo '["busy"]' > "$T/busy.json"
for c in "${cmds[@]}"; do
        rc=0
        # shellcheck disable=SC2086
        SVCTL="$T/slowsend" fctl "$T/busy.json" $c > /dev/null 2> "$T/err" < /dev/null || rc=$?
        [ "$rc" = 1 ] && grep -qx "svctl: too many clients (limit 64)" "$T/err" ||
                fail "svctl $c, svd busy: exit $rc (want 1): $(cat "$T/err")"
done
echo ok

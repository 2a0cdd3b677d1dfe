#!/bin/bash
# A client whose request waits for a deferred reply (daemon-reexec while the
# binary's checks run, 5 s here) shuts down its sending side and then closes
# the connection: svd notices the hang-up at once, logs it and releases the
# connection (its descriptor and its slot) instead of holding both until
# the reply is ready. After the shutdown svd no longer read from it, so the
# close went unseen until then, and the log never said the client had gone.
. "$(dirname "$0")/lib.sh"

svd_copy

service app <<EOF2
command: [sleep, "100000"]
EOF2
start_svd
wait_state app running

# the "upgraded" binary answers nothing and keeps its output open: the
# --state-format check waits for its 5 s bound
rm -f "$T/bin/svd"
cat > "$T/bin/svd" <<EOF2
#!/bin/bash
exec sleep 60
EOF2
chmod 755 "$T/bin/svd"

fds() { for f in "/proc/$SVD_PID"/fd/*; do readlink "$f"; done | grep -c "^socket:" || true; }
before=$(fds)
python3 - "$SOCK" > "$T/out/client.out" 2>&1 <<'PY' &
import json, socket, struct, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
b = json.dumps({"v": 1, "op": "daemon_reexec"}).encode()
s.sendall(struct.pack(">I", len(b)) + b)
s.shutdown(socket.SHUT_WR)
time.sleep(0.5)
s.close()
print("closed")
PY
client=$!
wait_for grep -q "daemon-reexec from uid 0 pid $client: checking" "$T/svd.out"
wait "$client" || fail "client: $(cat "$T/out/client.out")"
wait_for grep -q "control: client uid 0 pid $client went away while its request was still being handled" "$T/svd.out"
# released before the reply: the binary's check is still waiting
grep -q "daemon-reexec: the client that asked for it went away" "$T/svd.out" &&
        fail "the hang-up was noticed only with the reply"
assert_eq "$(fds)" "$before" "svd's sockets once the client has gone"
wait_for grep -q "daemon-reexec: the client that asked for it went away; it was refused" "$T/svd.out"
# the audit record, written with the reply, names the client as it was
# when it asked, not as /proc says after it has gone
wait_for grep -q "op=daemon_reexec" "$T/log/audit.log"
grep -q "uid=0 pid=$client admin=yes comm=python3[.0-9]* op=daemon_reexec result=failed" "$T/log/audit.log" ||
        fail "audit record: $(grep daemon_reexec "$T/log/audit.log")"
svctl status app > /dev/null || fail "svd does not answer"
grep -q "restore-fd" "/proc/$SVD_PID/cmdline" && fail "svd was executed again"
stop_svd || fail "svd exit status"
echo "control_defer_hangup: ok"

#!/bin/bash
# reexec_outcome: `svctl daemon-reexec` reports what became of the exec,
# not only that svd accepted the request (its reply comes before the exec):
# done (exit 0) once another instance of svd answers; the failure svd
# recorded (exit 1, its error) when the execve failed and svd carries on in
# the old image, which `svctl version --json` and `status --json` show too; exit 3 when svd
# stops answering (the new image exited); and, from an svd that does not
# report an instance (an older one), an unknown outcome with exit 0.
. "$(dirname "$0")/lib.sh"
command -v jq > /dev/null || fail "jq is needed"
command -v python3 > /dev/null || fail "python3 is needed"
svd_copy
cp "$T/bin/svd" "$T/bin/svd.real"

service a <<EOF2
command: [sleep, "100000"]
EOF2
start_svd
wait_state a running
pa=$(field a pid)
svd_pid=$SVD_PID
inst() { svctl version --json | jq -r .instance; }
i0=$(inst)
[[ "$i0" =~ ^[0-9a-f]{32}$ ]] || fail "version --json: instance '$i0'"

# 1. a re-exec that happens: done, another instance answers, same pid
svctl daemon-reexec > "$T/rx" 2> "$T/rx.err" || fail "daemon-reexec: $(cat "$T/rx" "$T/rx.err")"
grep -qx "daemon-reexec: svd executed itself again; services keep running" "$T/rx" || fail "output: $(cat "$T/rx")"
grep -q "restore-fd" "/proc/$svd_pid/cmdline" || fail "svd does not run a new image"
i1=$(inst)
[ "$i1" != "$i0" ] || fail "the instance id did not change across the exec"
assert_eq "$(svctl version --json | jq -r .reexec.ok)" "true" "version --json: reexec.ok after the exec"
assert_eq "$(field a pid)" "$pa" "a's pid"

# 2. an execve that fails (the file lost its execute bits after the checks):
# svd carries on in the same image, svctl says so and why
cat > "$T/bin/svd.new" <<EOF2
#!/bin/bash
[ "\$1" != --check ] || chmod a-x "$T/bin/svd"
exec "$T/bin/svd.real" "\$@"
EOF2
chmod +x "$T/bin/svd.new"
mv "$T/bin/svd.new" "$T/bin/svd"
rc=0
svctl daemon-reexec > "$T/rx" 2> "$T/rx.err" || rc=$?
assert_eq "$rc" 1 "daemon-reexec's exit status after a failed exec"
grep -q "^svctl: daemon-reexec failed: executing $T/bin/svd failed: Permission denied; svd carries on as before$" \
        "$T/rx.err" || fail "stderr: $(cat "$T/rx.err")"
[ -s "$T/rx" ] && fail "stdout: $(cat "$T/rx")"
assert_eq "$(inst)" "$i1" "instance after the failed exec"
svctl version --json > "$T/v.json"
assert_eq "$(jq -r .reexec.ok "$T/v.json")" "false" "version --json: reexec.ok"
jq -r .reexec.error "$T/v.json" | grep -q "Permission denied" || fail "version --json: $(cat "$T/v.json")"
svctl status --json | jq -e '.reexec.ok == false' > /dev/null || fail "status --json: no failed reexec"
# --json: the failure as JSON, same exit status
rc=0
chmod +x "$T/bin/svd"
svctl daemon-reexec --json > "$T/rx" 2> /dev/null || rc=$?
assert_eq "$rc" 1 "daemon-reexec --json's exit status after a failed exec"
jq -e '.ok == false and (.error | test("Permission denied"))' "$T/rx" > /dev/null || fail "--json: $(cat "$T/rx")"
assert_eq "$(field a pid)" "$pa" "a's pid after the failed execs"

# 3. a new image that exits at once: svd is gone, exit status 3
cat > "$T/bin/svd.new" <<EOF2
#!/bin/bash
case "\$1" in --check|--state-format) exec "$T/bin/svd.real" "\$@" ;; esac
exit 1
EOF2
chmod +x "$T/bin/svd.new"
mv "$T/bin/svd.new" "$T/bin/svd"
rc=0
svctl daemon-reexec > "$T/rx" 2> "$T/rx.err" || rc=$?
assert_eq "$rc" 3 "daemon-reexec's exit status when svd exited"
grep -q "^svctl: daemon-reexec: svd no longer answers on $SOCK" "$T/rx.err" || fail "stderr: $(cat "$T/rx.err")"
wait "$SVD_PID" || true
SVD_PID=
kill "$pa" 2> /dev/null || true

# 4. an svd that does not report an instance (an older one): unknown, 0
rm -f "$SOCK"
python3 - "$SOCK" > "$T/fake.out" 2>&1 <<'PY' &
import json, socket, struct, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen(1)
print("listening", flush=True)
c, _ = s.accept()
n = struct.unpack(">I", c.recv(4, socket.MSG_WAITALL))[0]
req = json.loads(c.recv(n, socket.MSG_WAITALL))
assert req["op"] == "daemon_reexec", req
rep = json.dumps({"v": 1, "ok": True, "binary": "/usr/sbin/svd"}).encode()
c.sendall(struct.pack(">I", len(rep)) + rep)
c.close()
PY
fake=$!
wait_for grep -q listening "$T/fake.out"
svctl daemon-reexec > "$T/rx" 2> "$T/rx.err" || fail "daemon-reexec from an older svd: $(cat "$T/rx" "$T/rx.err")"
grep -q "does not report whether the exec succeeded" "$T/rx" || fail "output: $(cat "$T/rx")"
wait "$fake" || fail "the fake svd: $(cat "$T/fake.out")"
echo "reexec_outcome: ok"

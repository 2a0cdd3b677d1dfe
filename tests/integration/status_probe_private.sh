#!/bin/bash
# An exec check's output is the service's own text, like its log lines: svctl
# status shows it to root and the admin group; any other user is told it is
# there (probe_output_hidden), not what it says. The rest of the status,
# STATUS= text included, is for everyone.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "needs root to switch users"; exit 77; }
command -v setpriv >/dev/null || { echo "setpriv missing"; exit 77; }
getent group adm >/dev/null || { echo "no group adm"; exit 77; }

sed -i '1i admin_group: adm' "$T/etc/svd.yaml"
service db <<'YAML'
type: notify
command: [sh, -c, 'systemd-notify --ready --status="accepting connections" 2>/dev/null || python3 -c "
import os, socket; s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); a = os.environ[\"NOTIFY_SOCKET\"]
s.sendto(b\"READY=1\nSTATUS=accepting connections\", \"\0\" + a[1:] if a[0] == \"@\" else a)"; exec sleep 100000']
healthcheck:
  exec: [sh, -c, 'echo "connected as admin:hunter2"']
  start_interval: 50ms
  interval: 1s
YAML
start_svd
wait_field db health healthy
chmod 755 "$T/run"
as() { setpriv --reuid=nobody --regid=nogroup "$@"; }

out=$(svctl status db) || fail "status as root"
echo "$out" | grep -q "connected as admin:hunter2" || fail "root does not see the output: $out"
out=$(as --groups=adm "$SVCTL" -s "$SOCK" status db) || fail "status as adm"
echo "$out" | grep -q "connected as admin:hunter2" || fail "the admin group does not see the output: $out"

out=$(as --clear-groups "$SVCTL" -s "$SOCK" status db) || fail "status as nobody"
echo "$out" | grep -q "hunter2" && fail "nobody sees the probe's output: $out"
echo "$out" | grep -q "probe output: *(shown to root and the admin group only)" || fail "no note of the hidden output: $out"
echo "$out" | grep -q "accepting connections" || fail "STATUS= hidden from nobody: $out"
echo "$out" | grep -q "last probe: *exit 0" || fail "last probe hidden from nobody: $out"
js=$(as --clear-groups "$SVCTL" -s "$SOCK" --json status db) || fail "status --json as nobody"
python3 - "$js" <<'PY' || fail "status --json as nobody: $js"
import json, sys
s = json.loads(sys.argv[1])["services"][0]
assert "probe_output" not in s and s.get("probe_output_hidden") is True, s
PY
js=$(as --clear-groups "$SVCTL" -s "$SOCK" --json status) || fail "status --json (all) as nobody"
case $js in *hunter2*) fail "nobody sees the output in the full status: $js" ;; esac
stop_svd || fail "svd exit status"
echo "status_probe_private: ok"

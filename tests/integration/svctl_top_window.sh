#!/bin/bash
# svctl top on a terminal smaller than its table (a pseudo-terminal of 12
# lines by 50 columns; svd played by tests/helpers/fakestatus.py): the
# table fits the window, header first, the rows that do not fit counted on
# its last line, and no line wider than the window. It used to print every
# row and every line whole: the terminal scrolled the header away at each
# refresh and wrapped each row onto two lines. To a pipe every row is still
# printed, whole.
. "$(dirname "$0")/lib.sh"
command -v python3 > /dev/null || { echo "SKIP: python3 missing"; exit 77; }

python3 > "$T/r.json" <<'PY'
import json
svcs = [dict(name="service-with-a-long-name-%02d" % i, state="running", pid=100 + i, restarts=0, oom_kills=0,
             cpu_usage_usec=1e6, cpu_throttled_usec=0, memory_current=(i + 1) << 20, pids_current=1)
        for i in range(30)]
print(json.dumps([{"v": 1, "ok": True, "services": svcs}]))
PY
fctl "$T/r.json" top -n 1 > "$T/out/pipe.out" || fail "svctl top to a pipe"
assert_eq "$(grep -c '^service-with-a-long-name-' "$T/out/pipe.out")" "30" "rows to a pipe"

python3 - "$SVCTL" "$FSOCK" > "$T/out/tty.out" 2>&1 <<'PY' || fail "svctl top on a terminal: $(cat "$T/out/tty.out")"
import fcntl, os, pty, re, struct, sys, termios, time
pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(1, termios.TIOCSWINSZ, struct.pack("HHHH", 12, 50, 0, 0))
    os.execv(sys.argv[1], [sys.argv[1], "-s", sys.argv[2], "top", "-n", "1", "--sort", "mem"])
out = b""
while True:
    try:
        b = os.read(fd, 65536)
    except OSError:
        break
    if not b:
        break
    out += b
_, st = os.waitpid(pid, 0)
assert os.WEXITSTATUS(st) == 0, out
text = out.decode()
text = text[text.rindex("\x1b[2J") + 4:] if "\x1b[2J" in text else text
lines = text.replace("\r\n", "\n").split("\n")
if lines and lines[-1] == "":
    lines.pop()
for l in lines:
    assert len(l) <= 50, "a line wider than the terminal: %r" % l
assert len(lines) <= 11, "%d lines on a terminal of 12: %r" % (len(lines), lines)
assert lines[0].startswith("NAME"), lines
assert re.match(r"^\(21 more rows", lines[-1]), lines
# sorted by memory: the largest first
assert lines[1].startswith("service-with-a-long-name-29"), lines
print("ok: %d lines" % len(lines))
PY
echo "svctl_top_window: $(cat "$T/out/tty.out")"

#!/usr/bin/env python3
"""ptydrive.py PATHFILE STEP...: a terminal for a test to type into. Opens a
pty, writes the slave's path to PATHFILE, keeps the master and runs the steps
in order (each waits at most 20 s), then exits 0; any failed step exits 1
with what the terminal showed. Steps:
  expect:REGEX   the output since the last match matches REGEX
  send:TEXT      type TEXT ("\\n" is Enter)
  noecho:TEXT    TEXT has not appeared in the output so far (typed unechoed)
  echo-on        the terminal's ECHO flag is set (again)
  touch:PATH     create PATH (tells the test where we are)"""
import os
import pty
import re
import select
import sys
import termios
import time

master, slave = pty.openpty()
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(os.ttyname(slave))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
seen, pending = "", ""


def fail(why):
    sys.stderr.write("ptydrive: %s; terminal showed: %r\n" % (why, seen))
    sys.exit(1)


def read_some(deadline):
    global seen, pending
    r, _, _ = select.select([master], [], [], max(0, min(0.2, deadline - time.time())))
    if r:
        try:
            data = os.read(master, 4096).decode(errors="replace")
        except OSError:
            data = ""
        seen += data
        pending += data


for step in sys.argv[2:]:
    kind, _, arg = step.partition(":")
    deadline = time.time() + 20
    if kind == "expect":
        while not re.search(arg, pending):
            if time.time() > deadline:
                fail("no %r" % arg)
            read_some(deadline)
        pending = pending[re.search(arg, pending).end():]
    elif kind == "send":
        os.write(master, arg.replace("\\n", "\n").encode())
    elif kind == "noecho":
        read_some(time.time() + 0.3)
        if arg in seen:
            fail("%r was echoed" % arg)
    elif kind == "echo-on":
        while not termios.tcgetattr(slave)[3] & termios.ECHO:
            if time.time() > deadline:
                fail("echo still off")
            read_some(deadline)
    elif kind == "touch":
        open(arg, "w").close()
    else:
        fail("unknown step %r" % step)

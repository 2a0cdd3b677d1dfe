#!/usr/bin/env python3
"""A reader that stops reading, to show that svd's own output never waits
for its reader. Reads nothing until the file GO exists, then copies
everything to OUT until the writers are gone.

usage: stall_reader.py fifo FIFO GO OUT
         opens FIFO and shrinks its buffer to one page
       stall_reader.py pty PATHFILE GO OUT
         opens a pty, writes the terminal's path to PATHFILE and suspends
         its output (what Ctrl-S does on a console) until GO exists"""
import errno
import fcntl
import os
import pty
import sys
import termios
import time

F_SETPIPE_SZ = 1031

mode, where, go, out = sys.argv[1:5]
if mode == "fifo":
    fd = os.open(where, os.O_RDONLY)
    fcntl.fcntl(fd, F_SETPIPE_SZ, 4096)
else:
    fd, slave = pty.openpty()
    attrs = termios.tcgetattr(slave)
    attrs[1] &= ~termios.OPOST  # bytes as written: no \n -> \r\n
    termios.tcsetattr(slave, termios.TCSANOW, attrs)
    termios.tcflow(slave, termios.TCOOFF)
    with open(where + ".tmp", "w") as f:
        f.write(os.ttyname(slave))
    os.rename(where + ".tmp", where)
deadline = time.monotonic() + 120
while not os.path.exists(go):
    if time.monotonic() > deadline:
        sys.exit("stall_reader: %s did not appear in 120 s" % go)
    time.sleep(0.05)
if mode == "pty":
    termios.tcflow(slave, termios.TCOON)
    os.close(slave)
with open(out, "wb", buffering=0) as f:
    while True:
        try:
            b = os.read(fd, 65536)
        except OSError as e:
            if e.errno == errno.EIO:  # a pty whose last writer is gone
                break
            raise
        if not b:
            break
        f.write(b)

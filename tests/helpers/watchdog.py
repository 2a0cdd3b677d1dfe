#!/usr/bin/env python3
"""Test helper run as a `type: notify` service with `watchdog:`: records the
WATCHDOG_USEC/WATCHDOG_PID it was given and its own pid in argv[1], sends
READY=1, then WATCHDOG=1 every 100 ms for argv[2] pings, then goes silent
(but stays alive) so that svd's watchdog must fire."""
import os
import socket
import sys
import time

with open(sys.argv[1], "a") as f:
    f.write("%s %s %d\n" % (os.environ.get("WATCHDOG_USEC"), os.environ.get("WATCHDOG_PID"), os.getpid()))
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
addr = os.environ["NOTIFY_SOCKET"]
s.sendto(b"READY=1", addr)
for _ in range(int(sys.argv[2])):
    time.sleep(0.1)
    s.sendto(b"WATCHDOG=1", addr)
while True:
    time.sleep(1000)

#!/usr/bin/env python3
"""Test helper run as a `type: notify` service: records when it started in
the file named by argv[1], optionally waits argv[2] seconds, sends READY=1 to
$NOTIFY_SOCKET (the sd_notify protocol), records when it did so in
argv[1] + ".ready", then sleeps until stopped."""
import os
import socket
import sys
import time

path = sys.argv[1]
with open(path, "w") as f:
    f.write("%.6f\n" % time.time())
if len(sys.argv) > 2:
    time.sleep(float(sys.argv[2]))
with open(path + ".ready", "w") as f:
    f.write("%.6f\n" % time.time())
addr = os.environ["NOTIFY_SOCKET"]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.sendto(b"STATUS=serving\nREADY=1\n", addr)
while True:
    time.sleep(1000)

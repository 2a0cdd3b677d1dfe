#!/usr/bin/env python3
"""Test helper run as a `type: notify` service, driven by the test: a real
sd_notify client (datagrams to $NOTIFY_SOCKET, as libsystemd sends them).

usage: notifier.py FIFO

Sends READY=1, then reads commands from FIFO, one per line (the test writes
them with `echo ... > FIFO`):
  send TEXT        send TEXT as one datagram; a literal \\n separates lines
  fork PIDFILE     fork a child that sleeps, write its pid to PIDFILE, send
                   MAINPID=<child> (the child announces nothing itself)
  mainpid PID      send MAINPID=PID
  killchild        SIGKILL the forked child without reaping it
  exit N           exit with status N
"""
import os
import signal
import socket
import sys
import time

fifo = sys.argv[1]
addr = os.environ["NOTIFY_SOCKET"]
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
child = 0


def send(text):
    sock.sendto(text.encode(), addr)


send("READY=1")
while True:
    with open(fifo) as f:
        for line in f:
            cmd, _, arg = line.strip().partition(" ")
            if cmd == "send":
                send(arg.replace("\\n", "\n"))
            elif cmd == "fork":
                child = os.fork()
                if child == 0:
                    while True:
                        time.sleep(1000)
                with open(arg + ".tmp", "w") as p:
                    p.write("%d\n" % child)
                os.rename(arg + ".tmp", arg)
                send("MAINPID=%d" % child)
            elif cmd == "mainpid":
                send("MAINPID=" + arg)
            elif cmd == "killchild":
                os.kill(child, signal.SIGKILL)
            elif cmd == "exit":
                os._exit(int(arg))

#!/usr/bin/env python3
"""Prints svd's share of a boot from a raw `status` reply (its "boot" object):
the critical chain pg-init -> pg -> app of tests/vm/boot.sh and bench/boot.sh,
from svd's own execve (so reading the configuration counts) to app done.

Per service, "own" is its execve to READY=1 (notify) or exit 0 (oneshot): the
service's own work. "check" is READY=1 to the health check passing (pg's
pg_isready, run at once on READY=1): the configured check's own run time.
The rest is svd's: reading the configuration, setting up, noticing that a
dependency is done, preparing and spawning each service (cgroup, sandbox,
log pipes, clone, execve). svd's CPU time separates its own work from
waiting for the kernel and the scheduler (what a busy or emulated machine
stretches); it counts from svd's main() (PID 1's counters hold the kernel's
own boot before that). The kernel splits a CPU time into user and system by sampling at
timer ticks: the split means something only for a long run.

usage: boot_overhead.py STATUS.json LABEL"""
import json
import sys

b = json.load(open(sys.argv[1]))["boot"]
label = sys.argv[2]
s = b["services"]
chain = ("pg-init", "pg", "app")
cfg = b["config_usec"]
total = cfg + s["app"]["up_usec"]
own = sum(s[n]["ready_usec"] - s[n]["spawned_usec"] for n in chain)
check = sum(s[n]["up_usec"] - s[n]["ready_usec"] for n in chain)
spawn = sum(s[n]["spawned_usec"] - s[n]["prepare_usec"] for n in chain)
# the kernel's execve of each service's program (svd is suspended meanwhile:
# vfork-style spawn), part of "spawn"
execve = sum(s[n]["spawned_usec"] - s[n]["exec_usec"] for n in chain if "exec_usec" in s[n])
handoff = s["pg-init"]["prepare_usec"] + s["pg"]["prepare_usec"] - s["pg-init"]["up_usec"] + \
    s["app"]["prepare_usec"] - s["pg"]["up_usec"]
svd = total - own - check


def ms(u):
    return "%.1f ms" % (u / 1e3)


print("%s: %-8s %9s %9s %9s %9s  (s after the manager's start; svd's execve %.3f s before)"
      % (label, "service", "prepare", "spawned", "ready", "up", cfg / 1e6))
for n in chain:
    print("%s: %-8s %9.3f %9.3f %9.3f %9.3f" % (label, n, s[n]["prepare_usec"] / 1e6, s[n]["spawned_usec"] / 1e6,
                                                s[n]["ready_usec"] / 1e6, s[n]["up_usec"] / 1e6))
print("%s: svd execve -> app done %.3f s = services' own %.3f s + pg's check after READY=1 %s + svd %s"
      % (label, total / 1e6, own / 1e6, ms(check), ms(svd)))
print("%s: svd's part: configuration %s, start and dependency hand-offs %s, preparing and spawning %s"
      " (of which the kernel's execve of the 3 programs %s)" % (label, ms(cfg), ms(handoff), ms(spawn), ms(execve)))
print("%s: svd overhead %.1f%% (%.1f%% without the execve of the services' programs; %.1f%% with the health"
      " check's run time; target <= 5%%)" % (label, 100.0 * svd / total, 100.0 * (svd - execve) / total,
                                         100.0 * (svd + check) / total))
if "cpu_usec" in b:
    settled = cfg + b["settled_usec"]
    sys_ = b.get("cpu_system_usec", 0)
    print("%s: svd's own CPU time until the boot settled: %s (user %s, system %s) = %.1f%% of the %.3f s it took"
          % (label, ms(b["cpu_usec"]), ms(b["cpu_usec"] - sys_), ms(sys_), 100.0 * b["cpu_usec"] / settled,
             settled / 1e6))

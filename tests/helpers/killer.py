#!/usr/bin/env python3
"""killer.py SOCK SVD_PID KILLS SECONDS WARMUP: the driver of
tests/integration/fault_kill.sh. Sends KILLS SIGKILLs, spread over about
SECONDS, each to the main process of a random running service (read from svd
over the control protocol, so a pid is never guessed), then waits until every
service is running again. Prints one JSON object: kills and policy restarts
per service, and svd's fd count and RSS after WARMUP kills and at the end."""
import json
import os
import random
import sys
import time

import svdproto  # tests/helpers: found next to this script

sock, svd_pid = sys.argv[1], int(sys.argv[2])
kills_wanted, seconds, warmup = int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])


def request(obj):
    return svdproto.request(sock, obj, 10)


def services():
    return {s["name"]: s for s in request({"v": 1, "op": "status"})["services"]}


def fds():
    return len(os.listdir("/proc/%d/fd" % svd_pid))


def rss_kb():
    with open("/proc/%d/status" % svd_pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def settle(killed, deadline=15):
    """Until every service runs a pid not killed yet; returns the status."""
    end = time.monotonic() + deadline
    while True:
        st = services()
        if all(s["state"] == "running" and s["pid"] and s["pid"] not in killed for s in st.values()):
            return st
        if time.monotonic() > end:
            raise SystemExit("services not all running again: " +
                             json.dumps({n: [s["state"], s.get("reason")] for n, s in st.items()}))
        time.sleep(0.02)


def sample():
    # Let svd notice the status connection we just closed before counting.
    time.sleep(0.3)
    return min(fds() for _ in range(3)), rss_kb()


killed = set()
kills = {}
waits = 0
out = {}
start = time.monotonic()
interval = seconds / kills_wanted
i = 0
while i < kills_wanted:
    st = services()
    ready = [s for s in st.values() if s["state"] == "running" and s["pid"] and s["pid"] not in killed]
    if not ready:
        waits += 1
        time.sleep(0.005)
        continue
    s = random.choice(ready)
    try:
        os.kill(s["pid"], 9)
    except ProcessLookupError:
        raise SystemExit("%s: pid %d reported running but gone" % (s["name"], s["pid"]))
    killed.add(s["pid"])
    kills[s["name"]] = kills.get(s["name"], 0) + 1
    i += 1
    if i == warmup:
        settle(killed)
        out["warm_fds"], out["warm_rss_kb"] = sample()
    if i % (kills_wanted // 10 or 1) == 0:
        out.setdefault("rss_series_kb", []).append(rss_kb())
    next_at = start + i * interval
    delay = next_at - time.monotonic()
    if delay > 0:
        time.sleep(delay)
out["kill_seconds"] = round(time.monotonic() - start, 1)
st = settle(killed)
# the restart counter is bumped when the exit is handled: give it a moment
end = time.monotonic() + 10
while sum(s["restarts"] for s in st.values()) < sum(kills.values()) and time.monotonic() < end:
    time.sleep(0.05)
    st = services()
out["end_fds"], out["end_rss_kb"] = sample()
out["kills"] = kills
out["restarts"] = {n: s["restarts"] for n, s in st.items()}
out["pids"] = sorted(s["pid"] for s in st.values())
out["waits"] = waits
print(json.dumps(out))

#!/usr/bin/env python3
"""faultmon.py SOCK SVD_PID HBFILE OUT [NAME=FILE ...]: the observer of
tests/vm/pressure.sh while a fault runs. Until SIGTERM, every 100 ms it

  - asks svd for its status over the control protocol (one connection per
    request, like svctl) and records how long the answer took;
  - records, per service, every pid, state and health seen, and the largest
    oom_kills, restarts and probe_failures;
  - reads steady.py's heartbeat file HBFILE: the largest age of the last beat
    it saw, the largest gap before a beat it saw (a beat's line stays ~100 ms,
    so the beat after a stall is seen), and steady's own longest gap since it
    started;
  - reads svd's VmRSS, and notes it at the first sample after an OOM kill
    (the sum of oom_kills over the services rose): a base after svd has
    handled one kill, exit and restart;
  - reads each FILE (a cgroup counter such as pids.current) as an integer.

On SIGTERM it writes one JSON object with those figures to OUT and exits.
It never forks, so it does not disturb a process count taken around it."""
import json
import signal
import sys
import time

import svdproto  # tests/helpers: found next to this script

sock, svd_pid, hbfile, out = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
files = dict(a.split("=", 1) for a in sys.argv[5:])
stop = False


def on_term(*_):
    global stop
    stop = True


signal.signal(signal.SIGTERM, on_term)


def request(obj):
    return svdproto.request(sock, obj, 30)


def rss_kb():
    try:
        with open("/proc/%d/status" % svd_pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return -1


def read_int(path):
    try:
        with open(path) as f:
            v = f.read().strip()
        return int(v) if v.isdigit() else None
    except OSError:
        return None


lat, errors, svcs = [], [], {}
hb = {"max_age": 0.0, "max_gap": 0.0, "self_maxgap": 0.0, "first_seq": None, "last_seq": None, "pids": set()}
rss = []
oom_first, rss_after_oom = None, None
fstat = {n: {"min": None, "max": None, "samples": 0, "last": None} for n in files}
t_start = time.monotonic()
while not stop:
    t0 = time.monotonic()
    try:
        st = request({"v": 1, "op": "status"})
        lat.append(time.monotonic() - t0)
        ooms = sum(s.get("oom_kills") or 0 for s in st.get("services", []))
        oom_first = ooms if oom_first is None else oom_first
        if rss_after_oom is None and ooms > oom_first:
            rss_after_oom = rss_kb()
        for s in st.get("services", []):
            r = svcs.setdefault(s["name"], {"pids": set(), "states": set(), "health": set(), "oom_kills": 0,
                                             "restarts": 0, "probe_failures": 0})
            if s.get("pid"):
                r["pids"].add(s["pid"])
            r["states"].add(s.get("state"))
            r["health"].add(s.get("health"))
            for k in ("oom_kills", "restarts", "probe_failures"):
                r[k] = max(r[k], s.get(k) or 0)
    except (OSError, ValueError) as e:
        errors.append("%.1fs: %s" % (time.monotonic() - t_start, e))
    try:
        with open(hbfile) as f:
            seq, epoch, gap, maxgap, pid = f.read().split()
        hb["max_age"] = max(hb["max_age"], time.time() - float(epoch))
        if hb["first_seq"] is not None and int(seq) != hb["first_seq"]:
            hb["max_gap"] = max(hb["max_gap"], float(gap))  # a beat of this phase
        hb["self_maxgap"] = float(maxgap)
        hb["first_seq"] = hb["first_seq"] if hb["first_seq"] is not None else int(seq)
        hb["last_seq"] = int(seq)
        hb["pids"].add(int(pid))
    except (OSError, ValueError):
        pass
    rss.append(rss_kb())
    for n, p in files.items():
        v = read_int(p)
        if v is None:
            continue
        f = fstat[n]
        f["samples"] += 1
        f["last"] = v
        f["min"] = v if f["min"] is None else min(f["min"], v)
        f["max"] = v if f["max"] is None else max(f["max"], v)
    time.sleep(0.1)

lat.sort()
res = {
    "seconds": time.monotonic() - t_start,
    "requests": len(lat),
    "errors": errors,
    "lat_max": lat[-1] if lat else None,
    "lat_p50": lat[len(lat) // 2] if lat else None,
    "lat_p99": lat[min(len(lat) - 1, len(lat) * 99 // 100)] if lat else None,
    "services": {n: dict(r, pids=sorted(r["pids"]), states=sorted(map(str, r["states"])),
                         health=sorted(map(str, r["health"]))) for n, r in svcs.items()},
    "hb": dict(hb, pids=sorted(hb["pids"])),
    "rss_kb": {"first": rss[0], "min": min(rss), "max": max(rss), "last": rss[-1], "after_oom": rss_after_oom}
    if rss else None,
    "files": fstat,
}
with open(out, "w") as f:
    json.dump(res, f)

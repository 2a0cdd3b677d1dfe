#!/usr/bin/env python3
"""memscan.py PID NEEDLE...: searches every readable mapping of a process
(its heap, stack and anonymous memory, through /proc/PID/mem) for each
needle. Prints the needles found and where; exit 1 if any was found, 77 if
the memory cannot be read (no ptrace permission), else 0. Mappings larger
than 1 GiB (a sanitizer's shadow memory) are skipped."""
import re
import sys

CHUNK = 8 << 20
pid = int(sys.argv[1])
needles = [a.encode() for a in sys.argv[2:] if a]
overlap = max((len(n) for n in needles), default=1)
found = {}
readable = 0
try:
    maps, mem = open(f"/proc/{pid}/maps"), open(f"/proc/{pid}/mem", "rb", 0)
except PermissionError:
    print(f"cannot read the memory of pid {pid}")
    sys.exit(77)
with maps, mem:
    for line in maps:
        m = re.match(r"([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)", line)
        lo, hi, perm, name = int(m[1], 16), int(m[2], 16), m[3], m[4].strip()
        if perm[0] != "r" or name in ("[vvar]", "[vsyscall]", "[vvar_vclock]") or hi - lo > (1 << 30):
            continue
        tail = b""
        for off in range(lo, hi, CHUNK):
            try:
                mem.seek(off)
                data = tail + mem.read(min(CHUNK, hi - off))
            except OSError:
                break
            readable += 1
            for n in needles:
                if n in data and name not in found.get(n.decode(), []):
                    found.setdefault(n.decode(), []).append(name or "anonymous")
            tail = data[-overlap:]
if not readable:
    print(f"cannot read the memory of pid {pid}")
    sys.exit(77)
for k, v in found.items():
    print(f"{k!r} in {', '.join(v)}")
sys.exit(1 if found else 0)

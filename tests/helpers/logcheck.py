#!/usr/bin/env python3
"""logcheck: reads a service's log files the way an operator would (rotated
files oldest first, .gz included, then the current file) and checks them.

  logcheck.py files DIR BASE            list the files in order
  logcheck.py noloss DIR BASE TOTAL [MAX_SIZE]
      every numbered line of loggen (0..TOTAL-1) exactly once, in order per
      stream; with MAX_SIZE no file (uncompressed) exceeds it by more than a line
  logcheck.py lines DIR BASE            print every record's text, in order
"""
import gzip, os, re, sys

STAMP = re.compile(r"^\d{8}T\d{6}\.\d{6}Z(\.gz)?$")


def files(d, base):
    rot = sorted(f for f in os.listdir(d) if f.startswith(base + ".") and STAMP.match(f[len(base) + 1:]))
    out = [os.path.join(d, f) for f in rot]
    if os.path.exists(os.path.join(d, base)):
        out.append(os.path.join(d, base))
    return out


def read(path):
    if path.endswith(".gz"):
        with gzip.open(path, "rb") as f:
            return f.read()
    with open(path, "rb") as f:
        return f.read()


REC = re.compile(rb"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z) (out|err|svd)(\+?) (.*)$", re.S)


def main():
    cmd, d, base = sys.argv[1], sys.argv[2], sys.argv[3]
    fl = files(d, base)
    if cmd == "files":
        print("\n".join(fl))
        return 0
    if cmd == "lines":
        out = sys.stdout.buffer
        for p in fl:
            for line in read(p).split(b"\n")[:-1]:
                m = REC.match(line)
                out.write((m.group(4) if m else line) + b"\n")
        return 0
    total = int(sys.argv[4])
    max_size = int(sys.argv[5]) if len(sys.argv) > 5 else 0
    seen = bytearray(total)
    last = {b"out": -1, b"err": -1}
    bad = 0
    for p in fl:
        data = read(p)
        if max_size and len(data) > max_size + 200:
            print(f"{p}: {len(data)} bytes > max_size {max_size}", file=sys.stderr)
            bad += 1
        if data and not data.endswith(b"\n"):
            print(f"{p}: does not end with a newline", file=sys.stderr)
            bad += 1
        for line in data.split(b"\n")[:-1]:
            m = REC.match(line)
            if not m:
                print(f"{p}: bad record {line[:80]!r}", file=sys.stderr)
                bad += 1
                continue
            if m.group(2) == b"svd":
                continue
            text = m.group(4)
            st, num = text[:3], int(text[4:12])
            if st != m.group(2):
                print(f"{p}: {text[:20]!r} on stream {m.group(2)!r}", file=sys.stderr)
                bad += 1
            if num <= last[st]:
                print(f"{p}: {st} {num} after {last[st]}", file=sys.stderr)
                bad += 1
            last[st] = num
            if num >= total or seen[num]:
                print(f"{p}: line {num} duplicated or out of range", file=sys.stderr)
                bad += 1
            else:
                seen[num] = 1
        if bad > 20:
            break
    missing = [i for i in range(total) if not seen[i]]
    if missing:
        print(f"{len(missing)} lines missing, first {missing[:10]}", file=sys.stderr)
        bad += 1
    print(f"{len(fl)} files, {total - len(missing)} lines")
    return 1 if bad else 0


sys.exit(main())

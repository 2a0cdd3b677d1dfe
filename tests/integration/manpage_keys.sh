#!/bin/bash
# manpage_keys: every configuration key the parser knows is documented in
# man/svd.yaml.5, and every key documented there is known to the parser.
# Parser keys: the NULL-terminated key lists handed to cp_check_keys() in
# src/config_*.c (static `*keys[]` arrays, plus the rlimit name table that
# limits: is built from). Documented keys: ".TP" followed by ".B key" in the
# man page, a dotted path whose last component is the key ("backoff.initial").
set -euo pipefail
top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
command -v python3 >/dev/null || { echo "SKIP: python3 missing"; exit 77; }

python3 - "$top" <<'PY'
import glob, re, sys
top = sys.argv[1]
parser = {}
for path in sorted(glob.glob(top + "/src/config_*.c")):
    src = open(path).read()
    src = re.sub(r"/\*.*?\*/", "", src, flags=re.S)
    # arrays passed to cp_check_keys(l, node, prefix, ARRAY)
    used = set(re.findall(r"cp_check_keys\s*\([^;]*?,\s*(\w+)\s*\)\s*;", src))
    for m in re.finditer(r"char\s*\*\s*(?:const\s+)?(\w+)\s*\[[^\]]*\]\s*=\s*\{(.*?)\}\s*;", src, re.S):
        if m.group(1) in used:
            for k in re.findall(r'"([^"]*)"', m.group(2)):
                parser.setdefault(k, path.rsplit("/", 1)[1])
    # limits: its key list is built from the rlimit table { "nofile", RLIMIT_NOFILE, ... }
    for k in re.findall(r'\{\s*"(\w+)"\s*,\s*RLIMIT_\w+', src):
        parser.setdefault(k, path.rsplit("/", 1)[1])
if len(parser) < 50:
    sys.exit("manpage_keys: only %d parser keys found: the extraction is broken" % len(parser))

man = open(top + "/man/svd.yaml.5").read().splitlines()
doc = {}
for i, line in enumerate(man[:-1]):
    if line.strip() == ".TP" and man[i + 1].startswith(".B "):
        full = man[i + 1][3:].strip().strip('"').replace("\\-", "-")
        if " " in full:
            continue  # an example in bold, not a key
        doc.setdefault(full.split(".")[-1], full)

bad = 0
for k in sorted(set(parser) - set(doc)):
    print("manpage_keys: key '%s' (%s) is not documented in man/svd.yaml.5" % (k, parser[k]))
    bad += 1
for k in sorted(set(doc) - set(parser)):
    if k == k.upper():
        continue  # a placeholder such as limits.NAME
    print("manpage_keys: man/svd.yaml.5 documents '%s' (%s), which the parser does not know" % (doc[k], k))
    bad += 1
print("manpage_keys: %d parser keys, %d documented" % (len(parser), len(doc)))
sys.exit(1 if bad else 0)
PY

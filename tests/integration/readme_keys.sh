#!/bin/bash
# readme_keys: README.md's configuration tables name every top-level key the
# parser takes, and no other: the "Main file:" and "Service file" tables (the
# keys in a row's first cell) against the key lists in src/config_*.c
# (snippet_check.py reads them, as doc_snippets.sh and manpage_keys.sh do),
# and the slice file's sentence against the slice keys (its own and the
# service table's `resources` keys). svd.yaml(5) has every key in detail
# (manpage_keys.sh); the README is where an operator looks first.
set -euo pipefail
command -v python3 >/dev/null || { echo "SKIP: python3 missing"; exit 77; }
exec python3 - "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}" <<'PY'
import re, sys
top = sys.argv[1]
sys.dont_write_bytecode = True  # nothing written into the source tree
sys.path.insert(0, top + "/tests/integration")
import snippet_check

keys = snippet_check.key_lists(top)
readme = open(top + "/README.md").read()
bad = []

def table(head):
    """The keys in the first cells of the table after the line head."""
    lines = readme[readme.index(head):].splitlines()[1:]
    rows = []
    for line in lines:
        if line.startswith("|"):
            rows.append(line)
        elif rows:
            break
    if len(rows) < 5:
        sys.exit("readme_keys: the table after %r was not found" % head)
    found = set()
    for r in rows[2:]:  # (the header and its rule)
        found.update(re.findall(r"`([a-z_]+)`", r.split("|")[1]))
    return found, rows

for kind, head in (("main", "Main file:"), ("service", "Service file (`services/NAME.yaml`):")):
    doc, rows = table(head)
    for k in sorted(set(keys[kind]) - doc):
        bad.append("README.md's %r table lacks the %s file key '%s'" % (head, kind, k))
    for k in sorted(doc - set(keys[kind])):
        bad.append("README.md's %r table names '%s', which a %s file does not take" % (head, kind, k))
    if kind == "service":
        res = [r for r in rows if r.split("|")[1].find("`resources`") >= 0]
        resources = set(re.findall(r"`([a-z_]+)`", res[0].split("|")[2])) if res else set()

m = re.search(r"Slice file \(`cgroups/NAME.yaml`\):(.*?)\n\n", readme, re.S)
if not m:
    sys.exit("readme_keys: the slice file's sentence was not found")
slice_doc = set(re.findall(r"`([a-z_]+)`", m.group(1))) - {"resources"}
if "`resources` keys above" in m.group(1).replace("\n", " "):
    slice_doc |= resources
for k in sorted(set(keys["slice"]) - slice_doc):
    bad.append("README.md's slice file sentence lacks the key '%s'" % k)
for k in sorted(slice_doc - set(keys["slice"])):
    bad.append("README.md's slice file sentence names '%s', which a slice file does not take" % k)

for b in bad:
    print("readme_keys: " + b)
print("readme_keys: %d main, %d service, %d slice keys checked" % (len(keys["main"]), len(keys["service"]), len(keys["slice"])))
sys.exit(1 if bad else 0)
PY

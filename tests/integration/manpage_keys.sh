#!/bin/bash
# manpage_keys: every configuration key the parser knows is documented in
# man/svd.yaml.5, and every key documented there is known to the parser.
# Parser keys: the NULL-terminated key lists handed to cp_check_keys() in
# src/config_*.c (static `*keys[]` arrays, plus the rlimit name table that
# limits: is built from). Documented keys: ".TP" followed by ".B key" in the
# man page, a dotted path whose last component is the key ("backoff.initial").
# Then every YAML example of the page is run through svd --check (below).
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

# Every example in man/svd.yaml.5 that is YAML passes `svd --check`: the
# one-line "Example:" snippets (a key and its value) and the files of the
# EXAMPLE section (split at their "# /etc/svd/..." lines). A snippet is checked
# where its key lives: a main-file key in the main file, a slice key in a
# slice file, any other in a service file beside "command:" (type: oneshot
# for schedule:) and a service "postgres" to depend on. Names that are host
# state, not the snippet's correctness (a user, group or block device this
# host lacks), are replaced with ones it has (snippet_check.py, shared with
# doc_snippets.sh). A failure names the snippet's line in the man page.
: "${SVD:?SVD must point at the svd binary}"
W=$(mktemp -d /tmp/svd-manex.XXXXXX)
trap 'rm -rf "$W"' EXIT
python3 - "$top" "$SVD" "$W" <<'PY'
import os, re, sys
top, svd, work = sys.argv[1:4]
sys.dont_write_bytecode = True  # nothing written into the source tree
sys.path.insert(0, top + "/tests/integration")
import snippet_check

def roff(s):
    s = s.replace("\\-", "-").replace("\\(dq", '"')
    if "\\" in s:
        sys.exit("manpage_keys: cannot read the roff escape in: " + s)
    return s

keys = snippet_check.key_lists(top)
main_keys = keys["main"]
slice_keys = keys["slice"] - {"description", "parent"}

man = open(top + "/man/svd.yaml.5").read().splitlines()
snippets = []  # (man line, {relative file: text})
for i, line in enumerate(man[:-1]):
    if line.strip() != "Example:":
        continue
    m = re.match(r'^\.BR? "(.*)"( \S+)?$', man[i + 1])
    if not m:
        sys.exit("manpage_keys: man/svd.yaml.5:%d: an Example: that is not one .B \"key: value\" line" % (i + 2))
    text = roff(m.group(1))
    key = text.split(":", 1)[0]
    files = {"services/postgres.yaml": "command: [/bin/true]\n"}
    if key in main_keys:
        files["svd.yaml"] = text + "\n"
    elif key in slice_keys:
        files["cgroups/sl.yaml"] = text + "\n"
    else:
        pre = "" if key == "command" else "command: [/bin/true]\n"
        pre += "type: oneshot\n" if key == "schedule" else ""
        files["services/ex.yaml"] = pre + text + "\n"
    snippets.append((i + 2, files))

in_ex = False
files, name, first = {}, None, None
for i, line in enumerate(man):
    if line.startswith(".SH"):
        in_ex = line.strip() == ".SH EXAMPLE"
        continue
    if not in_ex or line in (".nf", ".fi"):
        continue
    m = re.match(r"^# /etc/svd/(\S+)$", line)
    if m:
        name = m.group(1)
        files[name] = ""
        first = first or i + 1
    elif name:
        files[name] += roff(line) + "\n"
if not files or "svd.yaml" not in files:
    sys.exit("manpage_keys: man/svd.yaml.5 has no EXAMPLE section with a # /etc/svd/svd.yaml file")
snippets.append((first, files))

bad = 0
for n, (line, files) in enumerate(snippets):
    rc, err = snippet_check.check(svd, "%s/%d" % (work, n), files)
    if rc != 0:
        print("manpage_keys: man/svd.yaml.5:%d: the example does not pass svd --check:" % line)
        print("  " + err.strip().replace("\n", "\n  "))
        bad += 1
print("manpage_keys: %d examples checked with svd --check" % len(snippets))
sys.exit(1 if bad else 0)
PY

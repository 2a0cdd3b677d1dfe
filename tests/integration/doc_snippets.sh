#!/bin/bash
# doc_snippets: every configuration example in README.md and docs/*.md passes
# `svd --check`, because an operator copies them. (svd.yaml(5)'s examples are
# manpage_keys.sh's; the shipped files as a set, etc/svd.yaml with services/
# and cgroups/, are stack.sh's; the installed svd.yaml is install.sh's.)
#
# The examples: fenced blocks marked yaml or yml, and code blocks without a
# language (fenced, or indented outside a list) whose lines at the left margin
# are all YAML keys ("key: ..."). A block whose left-margin lines are partly
# keys and partly something else (shell commands) is refused unless marked.
# A marker is an HTML comment on the last non-blank line before the block:
#   <!-- svd-check: main | service | slice | skip [each-line] -->
# main/service/slice say which file the block is, skip that it is a fragment
# not to check, each-line that every key line at the left margin (with the
# lines indented below it) is an example on its own (alternatives of one key,
# or YAML among shell commands; the other lines are not checked).
# Without a marker, a comment line "# services/NAME.yaml", "# cgroups/NAME.yaml"
# or "# svd.yaml" (with or without /etc/svd/ and trailing words) starts a file
# of that kind; otherwise the block's top-level keys decide: the one kind of
# file that knows all of them. A block no rule classifies fails the test.
#
# A service example without command: gets "command: [/bin/true]" (and
# type: oneshot with schedule:). Host state the example names (users, groups,
# block devices this host lacks) is replaced as in manpage_keys.sh
# (snippet_check.py). A failure names the document and line, and svd's own
# messages are given with the document's line numbers.
set -euo pipefail
: "${SVD:?SVD must point at the svd binary}"
command -v python3 >/dev/null || { echo "SKIP: python3 missing"; exit 77; }
exec python3 - "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}" "$SVD" <<'PY'
import glob, os, re, sys, tempfile
top, svd = sys.argv[1:3]
sys.dont_write_bytecode = True  # nothing written into the source tree
sys.path.insert(0, top + "/tests/integration")
import snippet_check
tmp = tempfile.TemporaryDirectory(prefix="svd-docex.", dir="/tmp")
work = tmp.name

keys = snippet_check.key_lists(top)
KINDS = ("main", "service", "slice")
KEY = re.compile(r"^([A-Za-z_][\w-]*):(\s|$)")
MARKER = re.compile(r"^<!--\s*svd-check:\s*(main|service|slice|skip)(\s+each-line)?\s*-->$")
FILE = re.compile(r"^#\s*(?:/etc/svd/|etc/)?(svd\.yaml|services/[\w.@-]+\.ya?ml|cgroups/[\w.@-]+\.ya?ml)(\W|$)")
SYNTAX = "<!-- svd-check: main|service|slice|skip [each-line] -->"
HOW = "add %s above it (see tests/integration/doc_snippets.sh)" % SYNTAX


def blocks(doc, lines):
    """(first line number, language or None, [(line number, text)], marker
    line or None) for every code block of a Markdown document."""
    out, i, n = [], 0, len(lines)

    def marker(j):  # the last non-blank line before line index j
        j -= 1
        while j >= 0 and not lines[j].strip():
            j -= 1
        return lines[j].strip() if j >= 0 and lines[j].strip().startswith("<!--") else None

    in_list = False  # the current paragraph belongs to a list item
    while i < n:
        line = lines[i]
        m = re.match(r"^( {0,3})(```+|~~~+)\s*([\w+-]*)", line)
        if m:
            fence, body, j = m.group(2), [], i + 1
            while j < n and not lines[j].lstrip().startswith(fence):
                body.append((j + 1, lines[j][len(m.group(1)):] if lines[j].startswith(m.group(1)) else lines[j]))
                j += 1
            if j == n:
                sys.exit("doc_snippets: %s:%d: a code fence that is never closed" % (doc, i + 1))
            out.append((i + 2, m.group(3) or None, body, marker(i)))
            i, in_list = j + 1, False
            continue
        if re.match(r"^( {4}|\t)", line) and (i == 0 or not lines[i - 1].strip()) and not in_list:
            body, j = [], i
            while j < n and (not lines[j].strip() or re.match(r"^( {4}|\t)", lines[j])):
                body.append((j + 1, lines[j][4:] if lines[j].startswith("    ") else lines[j][1:]))
                j += 1
            while body and not body[-1][1].strip():
                body.pop()
            out.append((i + 1, None, body, marker(i)))
            i = j
            continue
        if not line.strip():
            pass
        elif re.match(r"^\s*([-*+]|\d+[.)])\s", line):
            in_list = True
        elif not line.startswith(" ") and (i == 0 or not lines[i - 1].strip()):
            in_list = False
        i += 1
    return out


def margin(body):
    """The lines at the left margin that are not comments."""
    return [t for _, t in body if t.strip() and not t[0].isspace() and not t.startswith("#")]


def classify(text):
    """The one kind of file that knows all of text's top-level keys (those
    no kind knows aside: svd --check names them)."""
    top_keys = {KEY.match(t).group(1) for t in text.splitlines() if KEY.match(t)}
    known = {k for k in top_keys if any(k in keys[kind] for kind in KINDS)}
    fits = [k for k in KINDS if known and known <= keys[k]]
    return fits[0] if len(fits) == 1 else None, sorted(top_keys)


def complete(kind, text, where):
    """A file of kind with text as its content, and which line of the
    document each of its lines is (None for the lines added here)."""
    pre = []
    if kind == "service" and not re.search(r"^command:", text, re.M):
        pre.append("command: [/bin/true]")
        if re.search(r"^schedule:", text, re.M) and not re.search(r"^type:", text, re.M):
            pre.append("type: oneshot")
    return "".join(p + "\n" for p in pre) + text, [None] * len(pre) + where


NAMES = {"main": "svd.yaml", "service": "services/example.yaml", "slice": "cgroups/example.yaml"}
KIND_OF = {"svd.yaml": "main", "services": "service", "cgroups": "slice"}


def examples(first, lang, body, mark):
    """The examples a block holds: [(document line, {file: (text, lines)})],
    or a string saying why it cannot be classified, or [] for no example."""
    kind = each = None
    if mark:
        m = MARKER.match(mark)
        if not m:
            if "svd-check" in mark:
                return "the marker %r is not %s" % (mark, SYNTAX)
        else:
            kind, each = m.group(1), bool(m.group(2))
    if kind == "skip":
        return []
    left = margin(body)
    is_key = [bool(KEY.match(t)) for t in left]
    if lang in ("yaml", "yml") or kind:
        pass
    elif lang or not left or not any(is_key):
        return []  # shell, a log format, a diagram: not an svd configuration
    elif not all(is_key) and not each:
        return ("a block that is partly YAML keys, partly not (%r); %s"
                % (left[is_key.index(False)], HOW))
    if each:
        if not kind:
            return "each-line without main, service or slice; " + HOW
        out, cur = [], None
        for ln, t in body:
            if t.strip() and not t[0].isspace() and not t.startswith("#"):
                cur = [ln, [t], [ln]] if KEY.match(t) else None
                if cur:
                    out.append(cur)
            elif cur and t.strip() and t[0].isspace():
                cur[1].append(t)
                cur[2].append(ln)
        return [(ln, {NAMES[kind]: complete(kind, "".join(t + "\n" for t in ts), where)})
                for ln, ts, where in out]
    # split at "# services/NAME.yaml"-like comments
    files, name, text, where = {}, None, [], []

    def close():
        if not text or not any(t.strip() for t in text):
            return None
        k = kind
        if name:
            k = KIND_OF.get(name.split("/")[0], kind)
        if not k:
            k, found = classify("".join(text))
            if not k:
                return ("cannot tell whether it is a main, service or slice file (top-level keys: %s); %s"
                        % (", ".join(found), HOW))
        files[name or NAMES[k]] = complete(k, "".join(text), where)
        return None

    for ln, t in body:
        m = FILE.match(t)
        if m and not kind:
            err = close()
            if err:
                return err
            name, text, where = m.group(1), [], []
            continue
        text.append(t + "\n")
        where.append(ln)
    err = close()
    if err:
        return err
    return [(first, files)] if files else []


docs = [top + "/README.md"] + sorted(glob.glob(top + "/docs/*.md"))
bad = n_ex = 0
for path in docs:
    doc = os.path.relpath(path, top)
    for first, lang, body, mark in blocks(doc, open(path).read().splitlines()):
        ex = examples(first, lang, body, mark)
        if isinstance(ex, str):
            print("doc_snippets: %s:%d: %s" % (doc, first, ex))
            bad += 1
            continue
        for line, files in ex:
            n_ex += 1
            d = "%s/%d" % (work, n_ex)
            rc, err = snippet_check.check(svd, d, {f: text for f, (text, _) in files.items()})
            if rc == 0:
                continue
            # svd's FILE:LINE as the document's line where there is one
            def at(m):
                f = m.group(1)
                where = files.get(f, (None, []))[1]
                ln = int(m.group(2))
                if f in files and ln <= len(where) and where[ln - 1]:
                    return "%s:%d" % (doc, where[ln - 1])
                return "(%s, added by the test):%d" % (f, ln) if f in files else m.group(0)
            err = re.sub(re.escape(d) + r"/(\S+?):(\d+)", at, err).replace(d + "/", "")
            print("doc_snippets: %s:%d: the example does not pass svd --check:" % (doc, line))
            print("  " + err.strip().replace("\n", "\n  "))
            bad += 1
print("doc_snippets: %d examples in %d documents checked with svd --check" % (n_ex, len(docs)))
sys.exit(1 if bad else 0)
PY

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
# Inline examples too: a code span in the prose or a table cell (`type:
# notify`, `depends_on: { pg: { condition: healthy } }`) that is "KEY: VALUE"
# with KEY a top-level key of a main, service or slice file. It passes if it
# passes as a file of one kind that knows the key. Not examples: a span
# naming a key without a value (`user:`), a schematic one (with "..." or
# "\|" alternatives), a nested key (`on_full: block`), anything else (shell,
# messages).
# A service example without command: gets "command: [/bin/true]" ("true"
# with shell: true; and type: oneshot with schedule:), the services an
# inline example's depends_on: names and the slice its slice: names get
# stand-ins. Host state the example names (users, groups,
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
        pre.append('command: "true"' if re.search(r"^shell:\s*true\b", text, re.M) else "command: [/bin/true]")
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


SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)")
FENCE = re.compile(r"^ {0,3}(```|~~~)")


def flow_names(text):
    """The names a flow sequence or mapping holds at its top level ("[a, b]",
    "{ a: {...}, b: x }"), or a single name; [] for anything else."""
    text = text.strip()
    if not text or text[0] not in "[{":
        return [text] if re.match(r"^[\w.@-]+$", text) else []
    items, depth, cur = [], 0, ""
    for ch in text[1:-1]:
        depth += ch in "[{"
        depth -= ch in "]}"
        if ch == "," and depth == 0:
            items.append(cur)
            cur = ""
        else:
            cur += ch
    items.append(cur)
    names = [re.split(r":(?:\s|$)", i, maxsplit=1)[0].strip() for i in items]
    return [n for n in names if re.match(r"^[\w.@-]+$", n)]


def inline(lines, covered):
    """The inline examples of a document: [(line number, span, [(kind,
    {file: (text, lines)})] for every kind that knows its key)]. One line
    of YAML is one key: a second "k: v" in a plain value is a YAML error,
    which svd --check reports."""
    out = []
    for ln, line in enumerate(lines, 1):
        if ln in covered or FENCE.match(line) or line.lstrip().startswith("<!--"):
            continue
        for m in SPAN.finditer(line):
            span = m.group(2).strip()
            km = re.match(r"^([A-Za-z_][\w-]*):\s+(\S.*)$", span)
            if not km or "..." in span or "\\|" in span or km.group(2).startswith("#"):
                continue  # no value (`user:` names a key), or a schematic
            kinds = [k for k in KINDS if km.group(1) in keys[k]]
            files = []
            for kind in kinds:  # none: a nested key, or no key of svd's
                f = {NAMES[kind]: complete(kind, span + "\n", [ln])}
                if kind == "service" and km.group(1) == "depends_on":
                    for dep in flow_names(km.group(2)):
                        if dep != "example":
                            f["services/%s.yaml" % dep] = ("command: [/bin/true]\n", [None])
                if kind == "service" and km.group(1) == "slice":
                    for sl in flow_names(km.group(2)):
                        f["cgroups/%s.yaml" % sl] = ("description: a stand-in\n", [None])
                files.append((kind, f))
            if files:
                out.append((ln, span, files))
    return out


docs = [top + "/README.md"] + sorted(glob.glob(top + "/docs/*.md"))
runs = 0


def run(doc, files):
    """svd --check on files: None if it passes, else svd's messages with the
    document's line numbers where there are some."""
    global runs
    runs += 1
    d = "%s/%d" % (work, runs)
    rc, err = snippet_check.check(svd, d, {f: text for f, (text, _) in files.items()})
    if rc == 0:
        return None

    def at(m):  # svd's FILE:LINE as the document's line where there is one
        f = m.group(1)
        where = files.get(f, (None, []))[1]
        ln = int(m.group(2))
        if f in files and ln <= len(where) and where[ln - 1]:
            return "%s:%d" % (doc, where[ln - 1])
        return "(%s, added by the test):%d" % (f, ln) if f in files else m.group(0)
    return re.sub(re.escape(d) + r"/(\S+?):(\d+)", at, err).replace(d + "/", "").strip()


def check_doc(doc, lines):
    """The problems of one document, as lines to print (the first of each
    names the document's line), and its number of examples and inline ones."""
    problems, n, n_in = [], 0, 0
    covered = set()
    for first, lang, body, mark in blocks(doc, lines):
        covered |= {ln for ln, _ in body}
        ex = examples(first, lang, body, mark)
        if isinstance(ex, str):
            problems.append("doc_snippets: %s:%d: %s" % (doc, first, ex))
            continue
        for line, files in ex:
            n += 1
            err = run(doc, files)
            if err is not None:
                problems.append("doc_snippets: %s:%d: the example does not pass svd --check:\n  %s"
                                % (doc, line, err.replace("\n", "\n  ")))
    for line, span, files in inline(lines, covered):
        n_in += 1
        errs = []
        for kind, f in files:
            err = run(doc, f)
            if err is None:
                break
            errs.append("\n  as a %s file: %s" % (kind, err.replace("\n", "\n  ")))
        else:
            problems.append("doc_snippets: %s:%d: the inline example `%s` does not pass svd --check%s"
                            % (doc, line, span, "".join(errs) if errs else " (no kind of file knows all its keys)"))
    return problems, n + n_in, n_in


# The inline reader itself, on a document of known answers: a wrong value,
# a wrong key's value, a dependency that needs its stand-in, and spans that
# are not examples (all of these must pass or be left alone).
SELFTEST = """| key | meaning |
| --- | --- |
| `restart` | `no`, `always`; `restart: sometimes` is wrong |
| `depends_on` | `depends_on: { pg: { condition: healthy } }` |
Services declare `profiles: [ai]`; `user:` is set; `on_full: block` is nested;
`svctl start x`, `seccomp: ...`, `name: { condition: started \\| healthy }`, `a: b`, `restart:`, `depends_on: [pg, redis]`.
`type: notifyy` and `slice: db` and `shell: true`
"""
problems, _, n_in = check_doc("(self-test)", SELFTEST.splitlines())
flagged = sorted(int(re.match(r"doc_snippets: \(self-test\):(\d+):", p).group(1)) for p in problems)
if flagged != [3, 7] or n_in != 7:
    print("doc_snippets: the inline reader is wrong on its self-test (%d inline, lines flagged: %s):" % (n_in, flagged))
    print("\n".join(problems))
    sys.exit(1)

bad = n_ex = n_inline = 0
for path in docs:
    doc = os.path.relpath(path, top)
    problems, n, n_in = check_doc(doc, open(path).read().splitlines())
    for p in problems:
        print(p)
    bad += len(problems)
    n_ex += n
    n_inline += n_in
print("doc_snippets: %d examples (%d inline) in %d documents checked with svd --check" % (n_ex, n_inline, len(docs)))
sys.exit(1 if bad else 0)
PY

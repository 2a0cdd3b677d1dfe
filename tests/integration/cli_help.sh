#!/bin/bash
# cli_help: `svctl --help`, `svctl __complete commands` (bash completion),
# contrib/bash-completion/svctl and svctl(8) name every command and option
# svctl's dispatchers know; `svd --help` and svd(8) every option of svd's
# option table; both --version print the package version (configure.ac,
# debian/changelog and the man pages' headers agree); the man pages render
# without a single groff warning. The lists are read from the sources, so a
# command or option added without its documentation fails here.
set -euo pipefail
top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
: "${SVD:?}" "${SVCTL:?}"
command -v python3 >/dev/null || { echo "SKIP: python3 missing"; exit 77; }
W=$(mktemp -d /tmp/svd-cli.XXXXXX)
trap 'rm -rf "$W"' EXIT

"$SVCTL" --help > "$W/svctl.help"
"$SVCTL" help > "$W/svctl.help2"
cmp -s "$W/svctl.help" "$W/svctl.help2" || { echo "FAIL: svctl help differs from svctl --help"; exit 1; }
"$SVCTL" __complete commands > "$W/svctl.complete"
"$SVD" --help > "$W/svd.help"
"$SVD" --version > "$W/svd.version"
"$SVCTL" --version > "$W/svctl.version"

python3 - "$top" "$W" <<'PY'
import re, sys
top, w = sys.argv[1], sys.argv[2]
def read(p): return open(p).read()
def nocomments(s): return re.sub(r"/\*.*?\*/", "", s, flags=re.S)
bad = []
def need(cond, msg):
    if not cond:
        bad.append(msg)

# ---- svctl: commands ----
svctl = nocomments(read(top + "/src/svctl.c"))
table = re.findall(r'\{\s*"([a-z][a-z-]*)"\s*,\s*OP_\w+', svctl)
main = svctl[svctl.index("static int dispatch("):]  # main() hands argv to it
dispatched = re.findall(r'strcmp\(argv\[i\],\s*"([a-z_][a-z_-]*)"\)\s*==\s*0', main)
commands = [c for c in table + dispatched if not c.startswith("__")]
secret = nocomments(read(top + "/src/svctl_secret.c"))
subs = re.findall(r'strcmp\(sub,\s*"([a-z]+)"\)', secret)
if len(commands) < 20 or len(subs) < 4:
    sys.exit("cli_help: only %d commands, %d secret subcommands found: the extraction is broken" % (len(commands), len(subs)))

help_ = read(w + "/svctl.help")
helpcmds = set()
for line in help_.splitlines():
    m = re.match(r"  ([a-z][a-z|-]*)(?: |$)", line)
    if m:
        helpcmds.update(m.group(1).split("|"))
complete = set(read(w + "/svctl.complete").split())
def roff(p):  # the text of a man page: no font escapes, plain hyphens
    return re.sub(r"\\f[BIRP]", "", read(p)).replace("\\-", "-")
man = roff(top + "/man/svctl.8")
mancmds = set()  # the words of every .TP heading
lines = man.splitlines()
for i, line in enumerate(lines[:-1]):
    if line.strip() == ".TP":
        mancmds.update(re.findall(r"[a-z][a-z-]*", re.sub(r"^\.\w+", "", lines[i + 1])))
for c in sorted(set(commands)):
    need(c in helpcmds, "svctl --help does not list the command '%s'" % c)
    need(c in complete, "svctl __complete commands (bash completion) lacks '%s'" % c)
    if c != "help":
        need(c in mancmds, "svctl(8) does not document the command '%s'" % c)
for c in sorted(helpcmds - set(commands) - {"secret", "unlock"}):
    bad.append("svctl --help lists '%s', which svctl does not dispatch" % c)
for c in sorted(complete - set(commands)):
    bad.append("svctl __complete commands offers '%s', which svctl does not dispatch" % c)
for s in subs:
    need(re.search(r"^  secret %s\b" % s, help_, re.M), "svctl --help does not list 'secret %s'" % s)
    need(re.search(r"secret %s\b" % s, man), "svctl(8) does not document 'secret %s'" % s)
# daemon-reexec's entry says how long svctl waits for the new image
reexec_wait = re.search(r"#define SVCTL_REEXEC_WAIT_SEC (\d+)", read(top + "/src/svctl_reexec.h"))
m = re.search(r"^  daemon-reexec .*?(?=^  [a-z])", help_, re.M | re.S)
need(reexec_wait and m and ("up to %s s" % reexec_wait.group(1)) in " ".join(m.group(0).split()),
     "svctl --help: daemon-reexec does not say that it waits up to SVCTL_REEXEC_WAIT_SEC s for the new image")

# ---- svctl: options ----
opts = set()
for path in ["svctl.c", "svctl_logs.c", "svctl_metrics.c", "svctl_top.c", "svctl_secret.c", "svctl_reload.c"]:
    src = nocomments(read(top + "/src/" + path))
    for o in re.findall(r'str(?:n)?cmp\(\w+(?:\[\w+\])?,\s*"(-[-a-z]*)=?"', src):
        if o != "--":
            opts.add(o)
if len(opts) < 15:
    sys.exit("cli_help: only %d svctl options found: the extraction is broken" % len(opts))
comp = read(top + "/contrib/bash-completion/svctl")
def has(text, o): return re.search(r"(?<![\w-])%s(?![\w-])" % re.escape(o), text)
for o in sorted(opts):
    need(has(help_, o), "svctl --help does not mention the option %s" % o)
    need(has(man, o), "svctl(8) does not document the option %s" % o)
    need(has(comp, o), "contrib/bash-completion/svctl does not complete the option %s" % o)
# the values of an option that takes a word from a list: every one in the
# help, the man page and the completion's word list for that option
valued = {"--sort": ("svctl_top.c", r'strcmp\(k,\s*"([a-z]+)"\)'),
          "--stream": ("svctl_logs.c", r'strcmp\(v,\s*"([a-z]+)"\)')}
for o, (path, pat) in sorted(valued.items()):
    values = sorted(set(re.findall(pat, nocomments(read(top + "/src/" + path)))))
    if len(values) < 2:
        sys.exit("cli_help: only %d values of %s found: the extraction is broken" % (len(values), o))
    words = re.search(r"^\s*%s\) COMPREPLY=\(\$\(compgen -W \"([^\"]*)\"" % re.escape(o), comp, re.M)
    need(words, "contrib/bash-completion/svctl does not complete the values of %s" % o)
    for v in values:
        need(words and v in words.group(1).split(), "contrib/bash-completion/svctl does not complete %s %s" % (o, v))
        need(has(help_, v), "svctl --help does not mention %s %s" % (o, v))
        need(has(man, v), "svctl(8) does not document %s %s" % (o, v))

# ---- svd: options ----
main_c = read(top + "/src/main.c")
table = main_c[main_c.index("struct option opts[]"):]
table = table[:table.index("};")]
internal = {"state-format", "restore-fd"}  # between two svd processes (daemon-reexec), not for people
longs = {}
for m in re.finditer(r'\{"([a-z-]+)",\s*\w+,\s*NULL,\s*\'(.)\'\}', table):
    longs[m.group(1)] = m.group(2)
shorts = re.search(r'getopt_long\(argc, argv, "([^"]*)"', main_c).group(1).replace(":", "")
if len(longs) < 5:
    sys.exit("cli_help: only %d svd options found: the extraction is broken" % len(longs))
shelp = read(w + "/svd.help")
sman = roff(top + "/man/svd.8")
for name, short in sorted(longs.items()):
    if name in internal:
        continue
    need(has(shelp, "--" + name), "svd --help does not mention --%s" % name)
    need(has(sman, "--" + name), "svd(8) does not document --%s" % name)
    if short in shorts:
        need(re.search(r"-%s, --%s\b" % (short, name), shelp), "svd --help does not show -%s with --%s" % (short, name))
        need(has(sman, "-" + short), "svd(8) does not document -%s" % short)
for o in re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", shelp):
    need(o[2:] in longs and o[2:] not in internal, "svd --help mentions %s, which svd does not take" % o)
# the built-in main file (SYSCONFDIR/svd/svd.yaml, as configure said): svd(8)
# names that directory, /usr/local/etc of a plain ./configure as /etc
dflt = re.search(r"--config FILE .*\(default (/\S+)/svd/svd\.yaml\)", shelp)
need(dflt, "svd --help does not give the default main file as SYSCONFDIR/svd/svd.yaml")
if dflt:
    need(has(sman, dflt.group(1)), "svd(8) does not name %s, where svd --help's default main file is" % dflt.group(1))

# ---- versions ----
version = re.search(r"AC_INIT\(\[svd\],\s*\[([^\]]+)\]", read(top + "/configure.ac")).group(1)
need(read(w + "/svd.version").strip() == "svd " + version, "svd --version: %r, expected 'svd %s'" % (read(w + "/svd.version").strip(), version))
need(read(w + "/svctl.version").strip() == "svctl " + version, "svctl --version: %r, expected 'svctl %s'" % (read(w + "/svctl.version").strip(), version))
deb = re.match(r"svd \(([^)]+)\)", read(top + "/debian/changelog")).group(1)
need(deb == version, "debian/changelog's version %s is not configure.ac's %s" % (deb, version))
for page in ["svd.8", "svctl.8"]:
    th = re.search(r'^\.TH .*"svd ([^"]+)"', read(top + "/man/" + page), re.M)
    need(th and th.group(1) == version, "man/%s: .TH version %s, expected %s" % (page, th and th.group(1), version))

for b in bad:
    print("cli_help: " + b)
print("cli_help: %d svctl commands, %d svctl options, %d svd options checked" % (len(set(commands)), len(opts), len(longs) - len(internal)))
sys.exit(1 if bad else 0)
PY

# -h / --help after any command (those with parsers of their own too) is the help
for c in $("$SVCTL" __complete commands) "secret list"; do
        "$SVCTL" $c --help > "$W/c.help" 2>&1 || { echo "FAIL: svctl $c --help: exit $?: $(cat "$W/c.help")"; exit 1; }
        cmp -s "$W/c.help" "$W/svctl.help" || { echo "FAIL: svctl $c --help is not the help"; exit 1; }
        "$SVCTL" $c -h > "$W/c.help" 2>&1 && cmp -s "$W/c.help" "$W/svctl.help" || { echo "FAIL: svctl $c -h"; exit 1; }
done

# ... also among a command's own options, which svctl.c's parser does not
# know ("unknown option '-n'" for "logs -n 5 --help")
for form in "logs -n 5 --help" "top -d 2 -h" "events -f --help" "status --bogus -h"; do
        # shellcheck disable=SC2086 # FORM is words
        "$SVCTL" $form > "$W/c.help" 2>&1 || { echo "FAIL: svctl $form: exit $?: $(cat "$W/c.help")"; exit 1; }
        cmp -s "$W/c.help" "$W/svctl.help" || { echo "FAIL: svctl $form is not the help"; exit 1; }
done

# with --json the help and the version are one JSON object too (svctl(8),
# OPTIONS): {"help":TEXT}, TEXT what --help prints, and {"svctl":VERSION}
for form in "--json help" "help --json" "--json --help" "status --json -h" "logs --json -n 5 --help"; do
        # shellcheck disable=SC2086 # FORM is words
        "$SVCTL" $form > "$W/j.help" || { echo "FAIL: svctl $form: exit $?"; exit 1; }
        python3 -c 'import json, sys; o = json.load(open(sys.argv[1])); sys.exit(o != {"help": open(sys.argv[2]).read()})' \
                "$W/j.help" "$W/svctl.help" || { echo "FAIL: svctl $form: $(head -c 300 "$W/j.help")"; exit 1; }
done
for form in "--json --version" "--version --json"; do
        # shellcheck disable=SC2086
        "$SVCTL" $form > "$W/j.version" || { echo "FAIL: svctl $form: exit $?"; exit 1; }
        python3 -c 'import json, sys; o = json.load(open(sys.argv[1])); sys.exit(o != {"svctl": sys.argv[2]})' \
                "$W/j.version" "$(sed 's/^svctl //' "$W/svctl.version")" ||
                { echo "FAIL: svctl $form: $(cat "$W/j.version")"; exit 1; }
done

# svctl top -d: a delay no sleep can take is refused, before svd is asked
# anything (it overflowed into no sleep at all: thousands of requests a second)
rc=0
"$SVCTL" -s "$W/none.sock" top -d 1e30 -n 2 > "$W/top.out" 2>&1 || rc=$?
[ "$rc" = 2 ] && grep -q "bad delay '1e30' (seconds, 0.1 to 86400)" "$W/top.out" ||
        { echo "FAIL: svctl top -d 1e30: exit $rc: $(cat "$W/top.out")"; exit 1; }

# an option that belongs to one command is refused with any other (usage,
# exit 2, nothing sent), not silently ignored: "svctl start web --boot"
# must not look like it did something --boot-specific
for line in "start web --boot" "restart web --boot" "order --dry-run"; do
        rc=0
        "$SVCTL" -s "$W/none.sock" $line > "$W/opt.out" 2>&1 || rc=$?
        [ "$rc" = 2 ] && grep -q "goes with" "$W/opt.out" ||
                { echo "FAIL: svctl $line: exit $rc (want 2, a usage error): $(cat "$W/opt.out")"; exit 1; }
done

# "--" ends the options for every command, also those with parsers of their
# own (svctl(8): "Options may appear anywhere on the line; -- ends them"):
# a NAME after it may start with '-'. Accepted means svctl goes on to
# connect (exit 3 here, no svd), not a usage error (2).
for line in "logs -- -web" "logs -n 1 -- web" "events --" "metrics --" "top -n 1 --" \
            "secret get -- -pw" "status -- -web"; do
        rc=0
        "$SVCTL" -s "$W/none.sock" $line > "$W/dd.out" 2>&1 || rc=$?
        [ "$rc" = 3 ] || { echo "FAIL: svctl $line: exit $rc (want 3: parsed, then no svd): $(cat "$W/dd.out")"; exit 1; }
done

# an unknown option is a usage error that names it, for every command
for line in "status --bogus" "logs --bogus" "events --bogus" "metrics --bogus" "top --bogus" \
            "secret --bogus list" "start --bogus web" "timer --bogus" "reload --bogus"; do
        rc=0
        "$SVCTL" -s "$W/none.sock" $line > "$W/uo.out" 2>&1 || rc=$?
        [ "$rc" = 2 ] && grep -q -- "--bogus" "$W/uo.out" ||
                { echo "FAIL: svctl $line: exit $rc (want 2, naming --bogus): $(cat "$W/uo.out")"; exit 1; }
done

# the man pages render cleanly (groff's warnings are errors here)
if command -v groff >/dev/null; then
        for p in svd.8 svctl.8 svd.yaml.5; do
                out=$(LC_ALL=C.UTF-8 groff -t -man -ww -z -Tutf8 "$top/man/$p" 2>&1) || { echo "FAIL: groff $p"; exit 1; }
                [ -z "$out" ] || { echo "FAIL: groff warnings for man/$p:"; echo "$out"; exit 1; }
        done
else
        echo "groff missing: man pages not rendered"
fi
echo "cli_help: ok"

# config_types (driven by config_types.sh): every key svd.yaml(5) documents,
# in a service file, a slice file and the main file, gets values of every
# wrong shape, each in a minimal otherwise-valid configuration, and
# `svd --check` must refuse it with exit 1 and only lines of the form
# FILE:LINE:COL: KEY.PATH: message, naming the file, the value's line and
# column (the key's, for an empty value) and the full dotted key path. Each
# key's documented shapes must pass. Not a test itself; run as
#   config_types.py TOP SVD WORKDIR [-v]
import os, re, subprocess, sys, grp, pwd
from concurrent.futures import ThreadPoolExecutor

top, svd, work = sys.argv[1:4]
work = os.path.realpath(work)
verbose = "-v" in sys.argv[4:]

ME = pwd.getpwuid(os.geteuid()).pw_name
MYGROUP = grp.getgrgid(os.getegid()).gr_name

# ---- the value kinds: the shapes each one refuses -------------------------
MAP, SEQ, EMPTY, NULL = "{x: 1}", "[a, b]", "", "~"
TEXT, NEG, HUGE = "abc", "-5", "99999999999999999999999999"
LONG = '"' + "a" * 100000 + '"'
LONGPATH = '"/' + "a" * 100000 + '"'
NUL, CTRL, NL = r'"a\0b"', r'"/a\x01b"', r'"/a\nb"'
NAMECTRL, NAMENL = r'"a\x01b"', r'"a\nb"'

SCALAR = [MAP, SEQ, EMPTY, NULL, NUL]
BAD = {
    # free text: any string (a long one too) is fine
    "str": SCALAR,
    # a name (user, group, slice, service, secret): not any text
    "name": SCALAR + [LONG, CTRL, NL, NAMECTRL, NAMENL],
    "path": SCALAR + [LONGPATH, CTRL, NL],
    "bool": SCALAR + [TEXT, "2", LONG],
    "dur": SCALAR + [TEXT, NEG, HUGE, LONG],
    "size": SCALAR + [TEXT, NEG, HUGE, LONG],
    "uint": SCALAR + [TEXT, NEG, HUGE, "1.5", LONG],
    "num": SCALAR + [TEXT, NEG, HUGE, LONG],
    "enum": SCALAR + [TEXT, LONG],
    # a list of strings (the list itself is wrong)
    "list": [MAP, TEXT, EMPTY, NULL, "[{x: 1}]", "[[a]]", r'["a\0b"]'],
    "map": [SEQ, TEXT, EMPTY, NULL, NUL],
}

# ---- the documented keys ---------------------------------------------------
# (path, kind, [values that must pass]); NAME in a path is "s" (secrets) or
# "nofile" (limits). A kind may be overridden by an explicit bad list.
SERVICE = [
    ("description", "str", ["x", LONG]),
    ("command", "list", ["[/bin/true]"]),
    ("shell", "bool", ["true", "false"]),
    ("environment", "map", ["{A: b}", "[A=b]"], [TEXT, EMPTY, NULL, NUL, "[{x: 1}]", "[A]", "{A: [b]}"]),
    ("env_file", "path", ["/dev/null"]),
    ("working_dir", "path", ["/tmp"]),
    ("user", "name", [ME]),
    ("group", "name", [MYGROUP]),
    ("supplementary_groups", "list", ["[%s]" % MYGROUP]),
    ("umask", "enum", ["0027", '"0027"']),
    ("allow_root", "bool", ["true"]),
    ("type", "enum", ["simple", "oneshot", "notify"]),
    ("depends_on", "list", ["[postgres]", "{postgres: {condition: started}}", "{postgres: }", EMPTY, NULL],
     [TEXT, NUL, "[{x: 1}]", "[[a]]", r'["a\0b"]', "{postgres: [a]}", "{postgres: abc}"]),
    ("depends_on.postgres.condition", "enum", ["healthy"]),
    ("depends_on.postgres.restart", "bool", ["true"]),
    ("restart", "enum", ["no", "always"]),
    ("backoff", "map", ["{initial: 1s}"]),
    ("backoff.initial", "dur", ["1s"]),
    ("backoff.max", "dur", ["1m"]),
    ("backoff.factor", "num", ["1.5", "100"], SCALAR + [TEXT, NEG, LONG, "0.5", "1e9", "1e2"]),
    ("backoff.reset_after", "dur", ["1m"]),
    ("start_limit", "map", ["{burst: 3}"]),
    ("start_limit.burst", "uint", ["3"]),
    ("start_limit.interval", "dur", ["10s"]),
    ("stop", "map", ["{signal: SIGINT}"]),
    ("stop.signal", "enum", ["SIGINT", "15", "term"]),
    ("stop.timeout", "dur", ["10s"]),
    ("enabled", "bool", ["false"]),
    ("slice", "name", ["sl"]),
    ("resources", "map", ["{cpus: 1}"]),
    ("watchdog", "dur", ["0"]),
    ("start_when", "map", ["{memory_available: 1M}"]),
    ("start_when.memory_available", "size", ["1M", "1%"]),
    ("start_when.memory_pressure_below", "num", ["10", "10%"]),
    ("healthcheck", "map", ["{tcp: '127.0.0.1:1'}"]),
    ("healthcheck.exec", "list", ["[/bin/true]", "/bin/true"], [MAP, EMPTY, NULL, NUL, "[{x: 1}]", "[]"]),
    ("healthcheck.tcp", "name", ["127.0.0.1:80", '"[::1]:80"'], SCALAR + [LONG, CTRL, NL, NAMECTRL, NAMENL, '"' + "a" * 300 + ':80"']),
    ("healthcheck.http", "map", ["http://127.0.0.1/", "{url: http://127.0.0.1/}"],
     [SEQ, TEXT, EMPTY, NULL, NUL, '"http://' + "a" * 5000 + '/"']),
    ("healthcheck.http.url", "name", ["http://127.0.0.1/"]),
    ("healthcheck.http.status", "enum", ["200", "200-399"]),
    ("healthcheck.http.body_contains", "str", ["ok"], SCALAR + ['"' + "a" * 2000 + '"']),
    ("healthcheck.http.headers", "map", ["{X-A: b}"],
     [SEQ, TEXT, EMPTY, NULL, NUL, "{X-A: [b]}", '{X-A: "a\\nb"}', '{X-A: "' + "a" * 2000 + '"}']),
    ("healthcheck.http.follow_redirects", "bool", ["true"]),
    ("healthcheck.http.tls_verify", "bool", ["false", "true"]),
    ("healthcheck.http.ca_file", "path", ["/etc/ssl/certs/ca-certificates.crt"], SCALAR + [LONGPATH, CTRL, NL, "ca.pem"]),
    ("healthcheck.interval", "dur", ["10s"]),
    ("healthcheck.timeout", "dur", ["1s"]),
    ("healthcheck.retries", "uint", ["3"]),
    ("healthcheck.start_period", "dur", ["1s"]),
    ("healthcheck.start_interval", "dur", ["1s"]),
    ("healthcheck.start_timeout", "dur", ["1m"]),
    ("healthcheck.on_unhealthy", "enum", ["none"]),
    ("limits", "map", ["{nofile: 100}"]),
] + [("limits." + k, "uint" if k in ("nofile", "nproc", "cpu") else "size",
      ["100", "{soft: 1, hard: 2}"] + (["infinity"] if k != "nofile" else []),  # nofile: fs.nr_open at most
      [SEQ, EMPTY, NULL, NUL, TEXT, NEG, HUGE, LONG] + (["1.5"] if k in ("nofile", "nproc", "cpu") else []))
     for k in ("nofile", "nproc", "core", "memlock", "stack", "as", "fsize", "cpu")] + [
    ("limits.nofile.soft", "uint", ["100"]),
    ("limits.nofile.hard", "uint", ["200"]),
    ("sandbox", "map", ["{private_tmp: true}"]),
    ("sandbox.capabilities", "list", ["[CAP_CHOWN]", "[]", "all"]),
    ("sandbox.ambient_capabilities", "list", ["[]"]),
    ("sandbox.no_new_privileges", "bool", ["true"]),
    ("sandbox.seccomp", "map", ["default", "none", "{deny: ['@mount']}"]),
    ("sandbox.seccomp.allow", "list", ["[read]"]),
    ("sandbox.seccomp.deny", "list", ["[read, '@mount']"]),
    ("sandbox.seccomp.action", "enum", ["kill"]),
    ("sandbox.seccomp.errno", "enum", ["EPERM", "13"]),
    ("sandbox.private_tmp", "bool", ["true"]),
    ("sandbox.protect_system", "enum", ["true", "strict"]),
    ("sandbox.protect_home", "enum", ["false", "tmpfs"]),
    ("sandbox.read_write_paths", "list", ["[/tmp]"], BAD["list"] + ["[relative]"]),
    ("sandbox.read_only_paths", "list", ["[/usr]"], BAD["list"] + ["[relative]"]),
    ("sandbox.inaccessible_paths", "list", ["[/srv]"], BAD["list"] + ["[relative]"]),
    ("logging", "map", ["{max_files: 2}"]),
    ("logging.file", "path", ["x.log"]),
    ("logging.max_size", "size", ["1M"]),
    ("logging.max_files", "uint", ["2"]),
    ("logging.max_total", "size", ["10M"]),
    ("logging.max_age", "dur", ["1d"]),
    ("logging.rotate_every", "enum", ["daily"]),
    ("logging.compress", "bool", ["false"]),
    ("logging.timestamps", "bool", ["false"]),
    ("logging.max_line", "size", ["1K"]),
    ("logging.rate_limit", "map", ["{burst: 10}"]),
    ("logging.rate_limit.burst", "uint", ["10"]),
    ("logging.rate_limit.interval", "dur", ["1s"]),
    ("logging.on_full", "enum", ["block"]),
    ("secrets", "map", ["[k]", "{k: }", "{s: {generate: hex}}", EMPTY, NULL], [TEXT, NUL, "[{x: 1}]", "[[a]]"]),
    ("secrets.s", "map", ["{generate: uuid}"], [SEQ, TEXT, NUL]),
    ("secrets.s.generate", "enum", ["password"]),
    ("secrets.s.length", "uint", ["32"]),
    ("secrets.s.charset", "str", ["abc"], SCALAR + [LONG]),
    ("secrets.s.bytes", "uint", ["32"]),
    ("secrets.s.jwt", "map", ["{secret: k}"]),
    ("secrets.s.jwt.secret", "name", ["k"]),
    ("secrets.s.jwt.claims", "map", ["{sub: x, n: 1}"], [SEQ, TEXT, EMPTY, NULL, NUL, "{sub: [a]}"]),
    ("secrets.s.jwt.expires_in", "dur", ["1h", "10y"]),
    ("secrets.s.from_file", "path", ["/etc/hostname"]),
    ("secrets.s.value", "str", ['"correct horse battery staple 12345"', LONG]),
    ("secrets.s.allow_weak", "bool", ["true"]),
    ("secrets.s.on_rotate", "name", ["job"]),
    ("profiles", "list", ["[core]"], BAD["list"] + ["[a b]"]),
    ("install_hint", "str", ["apt install x"]),
    ("schedule", "map", ["{every: 1h}"]),
    ("schedule.every", "dur", ["1h"]),
    ("schedule.cron", "enum", ['"0 3 * * *"']),
    ("schedule.persistent", "bool", ["true"]),
    ("schedule.random_delay", "dur", ["1m"]),
    ("schedule.timeout", "dur", ["1m", "0"]),
]

SLICE = [
    ("parent", "name", ["sl"]),
    ("description", "str", ["x", LONG]),
    ("memory_max", "size", ["1G", "50%"]),
    ("memory_high", "size", ["1G"]),
    ("memory_low", "size", ["1G"]),
    ("memory_min", "size", ["1G"]),
    ("memory_swap_max", "size", ["1G"]),
    ("cpus", "num", ["0.5", "2"]),
    ("cpu_weight", "uint", ["100"]),
    ("pids_max", "uint", ["100"]),
    ("io_weight", "uint", ["100"]),
    ("io_max", "list", ['["8:0 wbps=10M"]'], BAD["list"] + ['["8:0"]']),
    ("cpuset_cpus", "enum", ['"0-1"']),
]
# a service's resources: takes the slice keys
SERVICE += [("resources." + k, kind, good, *rest) for k, kind, good, *rest in SLICE[2:]]

MAIN = [
    ("services_dir", "path", ["services"]),
    ("slices_dir", "path", ["cgroups"]),
    ("state_dir", "path", ["st"]),
    ("log_dir", "path", ["lg"]),
    ("run_dir", "path", ["rn"]),
    ("control_socket", "path", ["rn/c.sock"]),
    ("admin_group", "name", [MYGROUP]),
    ("cgroup_root", "name", ["svd"]),
    ("cgroups", "enum", ["auto", "optional"]),
    ("log_max_total", "size", ["1G"]),
    ("hostname", "name", ["box"]),
    ("root", "enum", ["ro", "rw"]),
    ("ready_timeout", "dur", ["30s", "0"]),
    ("ctrl_alt_del", "enum", ["ignore"]),
    ("emergency_shell", "path", ["/bin/sh"]),
    ("profiles", "list", ["[full]"], BAD["list"] + ["[a b]"]),
    ("profile_sets", "map", ["{all: [core]}"], [SEQ, TEXT, EMPTY, NULL, NUL, "{all: abc}", "{all: [[a]]}"]),
    ("secrets_key", "enum", ["host", "passphrase"]),
    ("secrets_console", "path", ["none", "/dev/console"]),
    ("secrets_kdf", "enum", ["interactive", "moderate", "sensitive"]),
    ("metrics", "map", ["{interval: 5s}", EMPTY, NULL], [SEQ, TEXT, NUL]),
    ("metrics.textfile", "path", ["m.prom"]),
    ("metrics.interval", "dur", ["5s"]),
    ("defaults", "map", ["{restart: always}", EMPTY, NULL], [SEQ, TEXT, NUL]),
    ("defaults.restart", "enum", ["always"]),
    ("defaults.backoff", "map", ["{initial: 1s}"]),
    ("defaults.start_limit", "map", ["{burst: 3}"]),
    ("defaults.stop", "map", ["{signal: SIGINT}"]),
    ("defaults.environment", "map", ["{A: b}", "[A=b]"], [TEXT, EMPTY, NULL, NUL, "[{x: 1}]", "[A]"]),
    ("defaults.user", "name", [ME]),
    ("defaults.group", "name", [MYGROUP]),
    ("defaults.working_dir", "path", ["/tmp"]),
    ("defaults.logging", "map", ["{max_files: 2}"]),
]
# the defaults' mappings take the service's keys
MAIN += [("defaults." + p, kind, good, *rest) for p, kind, good, *rest in SERVICE
         if p.split(".")[0] in ("backoff", "start_limit", "stop", "logging") and "." in p and p != "logging.file"]

# Every key the man page documents has its entry above (a new key needs one).
sections = {".SH MAIN FILE": "main", ".SH SERVICE FILES": "service", ".SH SLICE FILES": "slice"}
tables = {"main": MAIN, "service": SERVICE, "slice": SLICE}
man, section, missing = open(top + "/man/svd.yaml.5").read().splitlines(), None, []
for i, line in enumerate(man[:-1]):
    if line.startswith(".SH"):
        section = sections.get(line.strip())
    if section and line.strip() == ".TP" and man[i + 1].startswith(".B "):
        key = man[i + 1][3:].strip().strip('"').replace("\\-", "-")
        if not re.match(r"^[a-z_]+(\.([a-z_]+|NAME))*$", key):
            continue  # not a key (RELOADING=1, the + and ~ markers)
        known = {re.sub(r"^(depends_on)\.postgres|^(secrets)\.s\b|^(limits)\.nofile(?=\.)",
                        lambda m: (m.group(1) or "") + (m.group(2) or "") + (m.group(3) or "")
                        + ("" if m.group(1) else ".NAME"), e[0]) for e in tables[section]}
        if key not in known:
            missing.append("%s (%s file, man/svd.yaml.5:%d)" % (key, section, i + 2))
if missing:
    sys.exit("config_types: documented keys without a test entry: " + ", ".join(missing))

# ---- minimal context around a key -------------------------------------------
# Siblings a parent needs for the file to be valid but for the key, as
# (parent path, lines); "!k" means "unless the key below the parent is k".
NEEDS = {
    "service": [("", "command: [/bin/true]", "!command"),
                ("healthcheck", "exec: [/bin/true]", "!exec !tcp !http"),
                ("healthcheck.http", "url: https://127.0.0.1/", "!url"),
                ("schedule", "every: 1h", "!every !cron"),
                ("limits.nofile", "hard: 1000000", "!hard"),
                ("limits.nofile", "soft: 1", "!soft"),
                ("logging.rate_limit", "burst: 10", "!burst"),
                ("secrets.s.jwt", "secret: k", "!secret"),
                ("secrets.s", "generate: password", "=length =charset =allow_weak =on_rotate"),
                ("secrets.s", "generate: hex", "=bytes"),
                ("start_when", "memory_pressure_below: 100", "!memory_pressure_below !memory_available")],
    "slice": [],
    "main": [("defaults.logging.rate_limit", "burst: 10", "!burst")],
}


def siblings(kind, parent, child):
    out = []
    for p, line, cond in NEEDS[kind]:
        words = cond.split()
        if p != parent or child in [w[1:] for w in words if w[0] == "!"]:
            continue
        if any(w[0] == "=" for w in words) and child not in [w[1:] for w in words if w[0] == "="]:
            continue
        out.append(line)
    return out


def build(kind, path, value):
    """The file text with path set to value (placed on its own line after
    'key: '), and the (line, col) of the key and of the value."""
    parts = path.split(".")
    lines, at = [], None
    for depth, comp in enumerate(parts):
        ind = "  " * depth
        parent = ".".join(parts[:depth])
        lines += [ind + s for s in siblings(kind, parent, comp)]
        if depth == len(parts) - 1:
            at = (len(lines) + 1, len(ind) + 1, len(ind) + len(comp) + 3)
            lines.append(ind + comp + ":" + (" " + value if value != "" else ""))
        else:
            lines.append(ind + comp + ":")
    if kind == "service" and parts[0] == "schedule":
        lines.insert(0, "type: oneshot")
        at = (at[0] + 1,) + at[1:]
    return "\n".join(lines) + "\n", at


def tree(d, kind, path, value):
    text, at = build(kind, path, value)
    for sub in ("services", "cgroups"):
        os.makedirs(d + "/" + sub, exist_ok=True)
    main = "state_dir: st\nlog_dir: lg\nrun_dir: rn\n"
    # postgres defines the secret k that a jwt signs with and a list names
    files = {"services/postgres.yaml": "command: [/bin/true]\nsecrets: {k: {generate: password}}\n",
             "services/job.yaml": "command: [/bin/true]\ntype: oneshot\n",
             "cgroups/sl.yaml": "memory_max: 1G\n"}
    if kind == "main":
        top_key = path.split(".")[0]
        kept = "".join(l + "\n" for l in main.splitlines() if not l.startswith(top_key + ":"))
        files["svd.yaml"] = text + kept
        fname = "svd.yaml"
    else:
        files["svd.yaml"] = main
        fname = "services/t.yaml" if kind == "service" else "cgroups/t.yaml"
        files[fname] = text
    for rel, t in files.items():
        with open(d + "/" + rel, "w") as f:
            f.write(t)
    return d + "/" + fname, at


def run(d):
    try:
        p = subprocess.run(["timeout", "5", svd, "--check", "-c", d + "/svd.yaml"], capture_output=True,
                           text=True, errors="replace")
    except Exception as e:  # noqa
        return -1, str(e)
    return p.returncode, p.stderr


def short(v):
    return v if len(v) < 30 else v[:12] + "...(%d)" % len(v)


cases = []  # (n, kind, path, value, expect_ok)
for kind, table in (("service", SERVICE), ("slice", SLICE), ("main", MAIN)):
    for entry in table:
        path, vkind, good = entry[:3]
        bad = entry[3] if len(entry) > 3 else BAD[vkind]
        for v in good:
            cases.append((kind, path, v, True))
        for v in bad:
            cases.append((kind, path, v, False))


def one(i_case):
    i, (kind, path, value, ok) = i_case
    d = "%s/%d" % (work, i)
    fname, (line, kcol, vcol) = tree(d, kind, path, value)
    rc, err = run(d)
    want_key = path
    problems = []
    if ok:
        if rc != 0:
            problems.append("refused (exit %d): %s" % (rc, err.strip().splitlines()[:1]))
        return i_case, problems
    if rc != 1:
        problems.append("exit %d (want 1)" % rc)
    # all but the count at the end ("svd: svd.yaml: 3 errors")
    lines = [l for l in err.splitlines() if not re.match(r"^svd: .*: \d+ errors?$", l)]
    if not lines and rc == 1:
        problems.append("no error line")
    col = kcol if value == "" else vcol
    for l in lines:
        m = re.match(r"^(.*?):(\d+):(\d+): ([^ ]+): (.*)$", l)
        if not m:
            problems.append("not FILE:LINE:COL: KEY: msg: " + short(l))
            continue
        f, ln, cl, key, msg = m.group(1), int(m.group(2)), int(m.group(3)), m.group(4), m.group(5)
        if f != fname:
            problems.append("file %s" % f)
        # an error about a part of the value (a list item, a mapping's
        # entry) names that part, at its own position
        if key != want_key and not (key.startswith(want_key) and key[len(want_key)] in ".["):
            problems.append("key '%s' (want '%s')" % (key, want_key))
        elif key != want_key:
            if (ln, cl) < (line, vcol):
                problems.append("%s at %d:%d, before the value" % (key, ln, cl))
        elif (ln, cl) != (line, col):
            problems.append("at %d:%d (want %d:%d)" % (ln, cl, line, col))
    return i_case, problems


with ThreadPoolExecutor(max_workers=2) as ex:
    results = list(ex.map(one, enumerate(cases)))

bad = 0
for (i, (kind, path, value, ok)), problems in results:
    if problems:
        bad += 1
        print("%-8s %-36s %-22s %s" % (kind, path, short(value), "; ".join(sorted(set(problems)))[:300]))
    elif verbose:
        print("ok       %-36s %s" % (path, short(value)))
print("config_types: %d cases, %d failing" % (len(cases), bad))
sys.exit(1 if bad else 0)

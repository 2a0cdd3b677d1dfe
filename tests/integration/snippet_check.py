# Shared by the tests that run the configuration examples of the
# documentation through `svd --check` (manpage_keys.sh for svd.yaml(5),
# doc_snippets.sh for README.md and docs/*.md): the parser's key lists, the
# replacement of host state an example names, and a throwaway configuration
# tree per example. Not a test itself; imported with tests/integration on
# sys.path.
import glob, grp, os, pwd, re, subprocess, sys


def _exists(lookup, name):
    try:
        lookup(name)
        return True
    except KeyError:
        return False


_me_user = pwd.getpwuid(os.geteuid()).pw_name
_me_group = grp.getgrgid(os.getegid()).gr_name
_blockdev = next((d for d in ("/dev/" + os.path.basename(b) for b in sorted(glob.glob("/sys/class/block/*")))
                  if os.path.exists(d)), None)


def _user(name):
    # A different user needs root: as anyone else, the example runs as us.
    # As root, a user this host lacks becomes nobody, not root, so that an
    # example that refuses root (allow_root: false) stays what it says.
    if os.geteuid() != 0:
        return _me_user
    if _exists(pwd.getpwnam, name):
        return name
    return "nobody" if _exists(pwd.getpwnam, "nobody") else _me_user


def _group(name):
    return name if _exists(grp.getgrnam, name) else _me_group


def host(text):
    """The example with the names that are host state, not its correctness
    (a user, group or block device this host lacks), replaced by ones it has.
    Line numbers are kept."""
    text = re.sub(r"(\buser: )([\w.-]+)", lambda m: m.group(1) + _user(m.group(2)), text)
    text = re.sub(r"(\b(?:admin_group|group): )([\w.-]+)", lambda m: m.group(1) + _group(m.group(2)), text)
    text = re.sub(r"(\bsupplementary_groups: \[)([^]\n]*)\]",
                  lambda m: m.group(1) + ", ".join(_group(g.strip()) for g in m.group(2).split(",") if g.strip())
                  + "]", text)
    return re.sub(r"/dev/sd[a-z]\b", lambda m: m.group(0) if os.path.exists(m.group(0)) else (_blockdev or "8:0"),
                  text)


def _parser_keys(top, pattern):
    keys = set()
    for path in glob.glob(top + "/src/config_*.c"):
        for m in re.finditer(pattern, open(path).read(), re.S):
            keys |= set(re.findall(r'"([a-z_]+)"', m.group(1)))
    return keys


def key_lists(top):
    """The top-level keys of a main file, a service file and a slice file, as
    the parser's key lists in src/config_*.c have them."""
    keys = {
        "main": _parser_keys(top, r"static const char \*const main_keys\[\]\s*=\s*\{(.*?)\}"),
        "service": _parser_keys(top, r"static const char \*const svc_keys\[\]\s*=\s*\{(.*?)\}"),
        "slice": _parser_keys(top, r"static int load_slice\(.*?keys\[\]\s*=\s*\{(.*?)\}"),
    }
    for kind, probe in (("main", "state_dir"), ("service", "command"), ("slice", "parent")):
        if probe not in keys[kind]:
            sys.exit("snippet_check: the %s file's key list was not found in src/config_*.c" % kind)
    return keys


def check(svd, d, files):
    """Write files ({path relative to the main file's directory: text}, the
    main file being "svd.yaml", services in services/, slices in cgroups/)
    below the new directory d, with the runtime directories inside d unless
    the main file sets them, and run svd --check on them. Returns svd's exit
    code and its stderr."""
    for sub in ("services", "cgroups"):
        os.makedirs(d + "/" + sub)
    # the example's files are below d, wherever it says they are on its host
    main = re.sub(r"^(services_dir|slices_dir):([ \t]*)/\S*",
                  lambda m: m.group(1) + ":" + m.group(2) + ("services" if m.group(1) == "services_dir" else "cgroups"),
                  files.get("svd.yaml", ""), flags=re.M)
    for k in ("state_dir", "log_dir", "run_dir"):
        if not re.search(r"^%s:" % k, main, re.M):
            main += "%s: %s\n" % (k, k)
    for rel, text in list(files.items()) + [("svd.yaml", main)]:
        with open(d + "/" + rel, "w") as f:
            f.write(host(text))
    p = subprocess.run([svd, "--check", "-c", d + "/svd.yaml"], capture_output=True, text=True)
    return p.returncode, p.stderr

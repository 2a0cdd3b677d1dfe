#!/bin/bash
# Free text in the configuration (description:, install_hint:, a slice's
# description:, hostname:, healthcheck.http.body_contains:) and paths must be
# valid UTF-8 without control characters: libyaml checks the file's bytes, but
# a double-quoted escape ("\e", "\x9b", "\u009b", "\N", a line break) makes
# any character. Each is a config error naming FILE:LINE:COL: KEY like the
# others; a value echoed in any error line reaches the console escaped, never
# as a raw control character, on the console of svd --check or of a running
# svd (a bad file name found by a reload). Plain non-ASCII text is accepted.
. "$(dirname "$0")/lib.sh"

check() {
        rc=0
        "$SVD" --check -c "$T/etc/svd.yaml" > /dev/null 2> "$T/err" || rc=$?
}
# expect_err TEXT: --check refused it with the line TEXT (fixed string)
expect_err() {
        [ "$rc" = 1 ] || fail "--check exit $rc for: $1"
        grep -qF -- "$1" "$T/err" || fail "expected '$1': $(cat -v "$T/err")"
}
# no raw control character, C1 or invalid UTF-8 in svd's error output
clean_output() {
        python3 - "$1" <<'PY' || fail "raw control character in $1: $(cat -v "$1")"
import re, sys
t = open(sys.argv[1], "rb").read().decode("utf-8")
bad = re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f]", t)
assert not bad, "%r at %d" % (bad.group(), bad.start())
PY
}

# accepted: plain text beyond ASCII
service web <<'EOF'
description: "Café — the web server ☕"
install_hint: install the café package (apt install café)
command: [sleep, "1000"]
EOF
check
assert_eq "$rc" 0 "--check for non-ASCII text: $(cat "$T/err")"

# ESC (a terminal escape) in description:, as "\e" and as "\x1b"
service web <<'EOF'
command: [sleep, "1000"]
description: "web \e[2J\e]0;pwned\a server"
EOF
check
expect_err "services/web.yaml:2:14: description: control character (U+001B) in text at byte 5"
clean_output "$T/err"

# C1 CSI (U+009B) in install_hint:
service web <<'EOF'
command: [sleep, "1000"]
install_hint: "apt install \u009b31mweb"
EOF
check
expect_err "services/web.yaml:2:15: install_hint: control character (U+009B) in text at byte 13"
clean_output "$T/err"

# accepted: a long description wrapped as a folded block (it ends in a line
# break, as does a one-line literal block): the text is the line before it
service web <<'EOF'
command: [sleep, "1000"]
description: >
  the web server,
  wrapped
install_hint: |
  apt install web
EOF
check
assert_eq "$rc" 0 "--check for a folded description: $(cat "$T/err")"

# a line break: a literal block scalar, a quoted "\n", NEL ("\N")
service web <<'EOF'
command: [sleep, "1000"]
description: |
  two
  lines
EOF
check
expect_err "services/web.yaml:2:14: description: control character (U+000A) in text at byte 4"
service web <<'EOF'
command: [sleep, "1000"]
description: "one\Nline"
EOF
check
expect_err "services/web.yaml:2:14: description: control character (U+0085) in text at byte 4"

# DEL in a slice's description:
service web <<'EOF'
command: [sleep, "1000"]
EOF
cat > "$T/cgroups/batch.yaml" <<'EOF'
description: "batch\x7f jobs"
EOF
check
expect_err "cgroups/batch.yaml:1:14: description: control character (U+007F) in text at byte 6"
rm "$T/cgroups/batch.yaml"

# C1 in a path (C0 was refused already) and in body_contains
service web <<'EOF'
command: [sleep, "1000"]
working_dir: "/srv/\u0090web"
healthcheck:
  http:
    url: http://127.0.0.1:1/health
    body_contains: "ok\u0085"
EOF
check
expect_err "services/web.yaml:2:14: working_dir: control character (U+0090) in path at byte 6"
expect_err "services/web.yaml:6:20: healthcheck.http.body_contains: control character (U+0085) in the text"
clean_output "$T/err"

# A character that shows as nothing (a byte-order mark, a zero-width
# space pasted with a name), as a plain space (a no-break space from a web
# page) or that reorders the line (a bidirectional override): an error that
# echoed it raw read "unknown user 'root'" for a user there is. Shown as
# \uXXXX; plain non-ASCII text stays as it is. (In a name such a character
# is refused before any lookup: config_invisible_reload.sh,
# check_config_values.)
printf 'command: [sleep, "1000"]\nuser: "\\uFEFFroot"\n' > "$T/services/web.yaml"
printf 'command: [sleep, "1000"]\ndepends_on: ["w\\u202Eeb"]\nslice: "\\u00A0x\\u200By"\nrestart: "caf\\u00E9"\n' \
        > "$T/services/api.yaml"
check
expect_err "services/web.yaml:2:7: user: invisible character \\uFEFF in user name at byte 1 ('\\uFEFFroot')"
expect_err "services/api.yaml:2:14: depends_on.w\\u202Eeb: invisible character \\u202E in service name at byte 2 ('w\\u202Eeb')"
expect_err "services/api.yaml:3:8: slice: invisible character \\u00A0 in slice name at byte 1 ('\\u00A0x\\u200By')"
expect_err "services/api.yaml:4:10: restart: unknown value 'café'"
rm "$T/services/api.yaml"

# hostname: in the main file
service web <<'EOF'
command: [sleep, "1000"]
EOF
cp "$T/etc/svd.yaml" "$T/etc/svd.yaml.orig"
printf 'hostname: "box\\u009b2J"\n' >> "$T/etc/svd.yaml"
check
expect_err "hostname: expected a host name of at most 64 characters"
cp "$T/etc/svd.yaml.orig" "$T/etc/svd.yaml"

# A value echoed in an error (a bad duration, an unknown enum name, an
# unknown key) carries escapes: shown as \xHH, never raw
service web <<'EOF'
command: [sleep, "1000"]
backoff: { initial: "1\e[2J0s" }
restart: "al\u009bways"
"x\e[31m": 1
EOF
check
expect_err "backoff.initial: bad duration '1\\x1b[2J0s'"
expect_err "restart: "
grep -qF 'al\x9bways' "$T/err" || fail "restart value not escaped: $(cat -v "$T/err")"
grep -qF 'x\x1b[31m: unknown key' "$T/err" || fail "key not escaped: $(cat -v "$T/err")"
clean_output "$T/err"

# svd itself refuses such a file the same way, its console clean
service web <<'EOF'
command: [sleep, "1000"]
description: "web \e[2J server"
EOF
rc=0
timeout 10 "$SVD" -c "$T/etc/svd.yaml" > "$T/svd.out" 2>&1 || rc=$?
assert_eq "$rc" 1 "svd exit code on a description with ESC"
grep -qF "description: control character (U+001B) in text at byte 5" "$T/svd.out" || fail "svd: $(cat -v "$T/svd.out")"
clean_output "$T/svd.out"

# svd's own log lines: a service file whose name holds ESC and C1, found by a
# reload of a running svd, is named escaped on its console and to svctl
service web <<'YAML'
command: [sleep, "1000"]
YAML
start_svd
wait_state web running
printf 'command: [sleep, "1000"]\n' > "$T/services/"$'e\x1b[2Jvil\xc2\x9b.yaml'
svctl reload > "$T/reload.out" 2>&1 && fail "reload accepted a bad file name: $(cat -v "$T/reload.out")"
wait_for grep -qF "invalid service name 'e\\x1b[2Jvil\\x9b'" "$T/svd.out"
grep -qF 'WARN reload: ' "$T/svd.out" || fail "no reload error logged: $(cat -v "$T/svd.out")"
clean_output "$T/svd.out"
clean_output "$T/reload.out"

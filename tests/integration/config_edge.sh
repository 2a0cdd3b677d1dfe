#!/bin/bash
# config_edge: odd values svd --check must refuse (found in a review of the
# config loader), each with file:line:col and the key, rather than loading
# them as something the operator did not write.
. "$(dirname "$0")/lib.sh"

cp "$T/etc/svd.yaml" "$T/etc/main.orig"
# bad SERVICE-LINES MESSAGE: the service file (command on line 1, then
# these lines) is refused with MESSAGE at FILE:LINE:COL
bad() {
        printf 'command: [sleep, "1"]\n%s\n' "$1" > "$T/services/r.yaml"
        rc=0; "$SVD" --check -c "$T/etc/svd.yaml" > /dev/null 2> "$T/err" || rc=$?
        [ "$rc" = 1 ] || fail "accepted (exit $rc): '$1'"
        grep -q "services/r.yaml:[0-9]*:[0-9]*: $2" "$T/err" || fail "'$1': want '$2', got: $(cat "$T/err")"
}
# badmain MAIN-LINE MESSAGE: the main file with this line added is refused
badmain() {
        { cat "$T/etc/main.orig"; printf '%s\n' "$1"; } > "$T/etc/svd.yaml"
        rc=0; "$SVD" --check -c "$T/etc/svd.yaml" > /dev/null 2> "$T/err" || rc=$?
        cp "$T/etc/main.orig" "$T/etc/svd.yaml"
        [ "$rc" = 1 ] || fail "accepted (exit $rc): '$1'"
        grep -q "etc/svd.yaml:[0-9]*:[0-9]*: $2" "$T/err" || fail "'$1': want '$2', got: $(cat "$T/err")"
}

# An empty (quoted) path used to resolve to the main file's directory:
# control_socket: "" made svd bind its socket on a directory.
badmain 'control_socket: ""' 'control_socket: expected a path, not an empty string'
badmain 'emergency_shell: ""' 'emergency_shell: expected a path, not an empty string'
badmain 'cgroup_root: ""' 'cgroup_root: expected a path, not an empty string'
badmain 'secrets_console: ""' 'secrets_console: expected a path, not an empty string'
bad 'working_dir: ""' 'working_dir: expected a path, not an empty string'
bad 'env_file: ""' 'env_file: expected a path, not an empty string'
bad 'logging: { file: "" }' 'logging.file: expected a path, not an empty string'

# A tag changes what a YAML reader takes a value to be (!!binary decodes
# base64, !!str makes false a string) while svd read the text as written:
# refused like anchors, at the value, with its key.
bad 'environment: { K: !!binary aGVsbG8= }' 'environment.K: YAML tag .!!binary. not supported'
bad 'enabled: !!str false' 'enabled: YAML tag .!!str. not supported'
bad 'command2: ! x' 'command2: YAML tag .!. not supported'
bad 'sandbox: !!map { private_tmp: true }' 'sandbox: YAML tag .!!map. not supported'
bad 'profiles: !mine [a]' 'profiles: YAML tag .!mine. not supported'
printf '!!map\ncommand: [sleep, "1"]\n' > "$T/services/r.yaml"
rc=0; "$SVD" --check -c "$T/etc/svd.yaml" > /dev/null 2> "$T/err" || rc=$?
[ "$rc" = 1 ] && grep -q "services/r.yaml:1:1: yaml: YAML tag '!!map' not supported" "$T/err" ||
        fail "a tagged document: $(cat "$T/err")"

# healthcheck.exec: an empty program name (refused for command[0]) could
# never run, and an empty shell string ran "sh -c ''", which always
# succeeds: a health check that can never fail.
bad 'healthcheck: { exec: [""] }' 'healthcheck.exec\[0\]: the program name must not be empty'
bad 'healthcheck: { exec: ["", x] }' 'healthcheck.exec\[0\]: the program name must not be empty'
bad 'healthcheck: { exec: "" }' 'healthcheck.exec: must not be empty'
bad 'healthcheck: { exec: "   " }' 'healthcheck.exec: must not be empty'
printf 'shell: true\ncommand: "  "\n' > "$T/services/r.yaml"
rc=0; "$SVD" --check -c "$T/etc/svd.yaml" > /dev/null 2> "$T/err" || rc=$?
[ "$rc" = 1 ] && grep -q "services/r.yaml:2:10: command: must not be empty" "$T/err" ||
        fail "shell: true with a blank command: $(cat "$T/err")"

# sandbox paths: "/x/.." is / (which is refused), and "/var/./tmp/x" or
# "/var//tmp/x" slipped past the "hidden by private_tmp" check that
# "/var/tmp/x" meets; a control character in one passed as well.
bad 'sandbox: { read_only_paths: [/srv/..] }' 'sandbox.read_only_paths\[0\]: expected an absolute path below /'
bad 'sandbox: { inaccessible_paths: [/ok, "/.."] }' 'sandbox.inaccessible_paths\[1\]: expected an absolute path below /'
bad 'sandbox: { private_tmp: true, read_write_paths: [/var/./tmp/x] }' 'sandbox.read_write_paths\[0\]: expected an absolute path below /'
bad 'sandbox: { private_tmp: true, read_write_paths: [/var//tmp/x] }' 'sandbox.read_write_paths\[0\]: expected an absolute path below /'
bad 'sandbox: { read_write_paths: ["/srv/a\nb"] }' 'sandbox.read_write_paths\[0\]: control character (U+000A) in path'
bad 'sandbox: { read_write_paths: [""] }' 'sandbox.read_write_paths\[0\]: expected a path, not an empty string'

# hostname: "" passed, and svd as PID 1 would set an empty host name.
badmain 'hostname: ""' 'hostname: expected a host name of at most 64 characters'

# cpuset_cpus: only its characters were checked, so "3-1", "0,", "," or a
# number past any CPU passed --check and failed every start (the kernel
# refuses them in cpuset.cpus).
for v in '"3-1"' '"0,"' '","' '"-"' '"0--1"' '"1,-2"' '"99999999999999999999"'; do
        bad "resources: { cpuset_cpus: $v }" "resources.cpuset_cpus: bad CPU list"
done
printf 'command: [sleep, "1"]\nresources: { cpuset_cpus: "0-1,3,5-5" }\n' > "$T/services/r.yaml"
"$SVD" --check -c "$T/etc/svd.yaml" > /dev/null 2> "$T/err" || fail "a good CPU list refused: $(cat "$T/err")"

# A FIFO named like a config file (in services_dir, or as the main file)
# blocked svd in open() for ever: at a reload, that is PID 1's event loop.
# Refused at once, as not a regular file.
printf 'command: [sleep, "1"]\n' > "$T/services/r.yaml"
mkfifo "$T/services/fifo.yaml"
rc=0; timeout 30 "$SVD" --check -c "$T/etc/svd.yaml" > /dev/null 2> "$T/err" || rc=$?
[ "$rc" = 1 ] && grep -q "services/fifo.yaml: cannot read: not a regular file" "$T/err" ||
        fail "a FIFO in services_dir (exit $rc): $(cat "$T/err")"
rm "$T/services/fifo.yaml"
mkfifo "$T/etc/fifo.yaml"
rc=0; timeout 30 "$SVD" --check -c "$T/etc/fifo.yaml" > /dev/null 2> "$T/err" || rc=$?
[ "$rc" = 1 ] && grep -q "etc/fifo.yaml: cannot read: not a regular file" "$T/err" ||
        fail "a FIFO as the main file (exit $rc): $(cat "$T/err")"
rm "$T/etc/fifo.yaml"

# A path that can only name a directory (a trailing /, or a last component
# . or ..) where a file belongs passed --check and failed at its first use.
badmain 'control_socket: /tmp/svd-run/' 'control_socket: names a directory'
badmain 'emergency_shell: /bin/..' 'emergency_shell: names a directory'
badmain 'secrets_console: /dev/.' 'secrets_console: names a directory'
bad 'env_file: /etc/' 'env_file: names a directory'
bad 'logging: { file: logs/ }' 'logging.file: names a directory'
bad 'secrets: { s: { from_file: /run/secrets/ } }' 'secrets.s.from_file: names a directory'
bad 'healthcheck: { http: { url: "https://h/", ca_file: /etc/ssl/certs/ } }' 'healthcheck.http.ca_file: names a directory'
printf 'command: [sleep, "1"]\nenv_file: ./.env\nlogging: { file: ../log/a.log }\n' > "$T/services/r.yaml"
"$SVD" --check -c "$T/etc/svd.yaml" > /dev/null 2> "$T/err" || fail "file paths refused: $(cat "$T/err")"

# ${secret:...} in defaults.environment: a bad reference was checked in a
# service's environment only, so "${secret:bad name}" or an unclosed one
# here passed --check and reached every service as literal text.
printf 'command: [sleep, "1"]\n' > "$T/services/r.yaml"
{ cat "$T/etc/main.orig"; printf '  environment: { X: "${secret:bad name}", Y: "a${secret:" }\n'; } > "$T/etc/svd.yaml"
rc=0; "$SVD" --check -c "$T/etc/svd.yaml" > /dev/null 2> "$T/err" || rc=$?
cp "$T/etc/main.orig" "$T/etc/svd.yaml"
[ "$rc" = 1 ] || fail "bad secret references in defaults.environment accepted"
grep -q "etc/svd.yaml:8:21: defaults.environment.X: invalid secret name 'bad name'" "$T/err" &&
        grep -q "etc/svd.yaml:8:46: defaults.environment.Y: expected \${secret:NAME}" "$T/err" ||
        fail "bad secret references in defaults.environment: $(cat "$T/err")"

# io_max: MAJ:MIN was read with sscanf("%u:%u"), so "8:-1" and a number past
# 32 bits wrapped, and a minor past the kernel's 20 bits (or a major past
# its 12) named another device once shifted into a dev_t ("8:1048576" is
# 9:0): the limit landed elsewhere. A key given twice in a line is refused
# too (only one of the two values could hold).
for d in 8:-1 99999999999:0 4096:0 8:1048576; do
        bad "resources: { io_max: [\"$d wbps=1M\"] }" "resources.io_max\\[0\\]: bad device"
done
bad 'resources: { io_max: ["8:0 wbps=1M wbps=2M"] }' "resources.io_max\\[0\\]: wbps given twice"
printf 'command: [sleep, "1"]\nresources: { io_max: ["4095:1048575 wbps=1M rbps=max"] }\n' > "$T/services/r.yaml"
"$SVD" --check -c "$T/etc/svd.yaml" > /dev/null 2> "$T/err" || fail "the largest device number refused: $(cat "$T/err")"

# A ${secret:NAME} of defaults.environment that no service defines was
# reported at each service file's 1:1 (where nothing names it), once per
# service: now once, at the value in the main file.
printf 'command: [sleep, "1"]\n' > "$T/services/r.yaml"
printf 'command: [sleep, "1"]\n' > "$T/services/r2.yaml"
{ cat "$T/etc/main.orig"; printf '  environment: { X: "${secret:nodef}" }\n'; } > "$T/etc/svd.yaml"
rc=0; "$SVD" --check -c "$T/etc/svd.yaml" > /dev/null 2> "$T/err" || rc=$?
cp "$T/etc/main.orig" "$T/etc/svd.yaml"
rm "$T/services/r2.yaml"
[ "$rc" = 1 ] && grep -q "etc/svd.yaml:8:21: defaults.environment.X: no service defines secret 'nodef'" "$T/err" &&
        [ "$(grep -c nodef "$T/err")" = 1 ] ||
        fail "an undefined secret in defaults.environment: $(cat "$T/err")"

# healthcheck.http.headers: a bad header name (empty, a blank, a tab, a
# control character) was either called "expected a single-line header
# value" at the value, or left to svd-probe's check, reported at
# healthcheck.http as headers[N]: now at the name, with its key.
bad 'healthcheck: { http: { url: "http://h/", headers: { "X Y": v } } }' 'healthcheck.http.headers.X Y: bad header name'
bad 'healthcheck: { http: { url: "http://h/", headers: { "": v } } }' 'healthcheck.http.headers.: bad header name'
bad 'healthcheck: { http: { url: "http://h/", headers: { ok: v, "a\tb": c } } }' 'healthcheck.http.headers.a b: bad header name'
bad 'healthcheck: { http: { url: "http://h/", headers: { "X\u0001": d } } }' 'healthcheck.http.headers.X.*: bad header name'
bad 'healthcheck: { http: { url: "http://h/", headers: { "X": "a\nb" } } }' 'healthcheck.http.headers.X: expected a single-line header value'

# A byte libyaml's reader refuses (a control character, invalid UTF-8) was
# placed by its byte offset in the line, while every other position counts
# characters, as an editor does: after "ééé" it was 3 columns too far.
printf 'command: [sleep, "1"]\ndescription: "\303\251\303\251\303\251\001"\n' > "$T/services/r.yaml"
rc=0; "$SVD" --check -c "$T/etc/svd.yaml" > /dev/null 2> "$T/err" || rc=$?
[ "$rc" = 1 ] && grep -q "services/r.yaml:2:18: yaml: control characters are not allowed" "$T/err" ||
        fail "a reader error after multi-byte characters: $(cat "$T/err")"
printf 'command: [sleep, "1"]\ndescription: "\303\251\303\251\303\251\377"\n' > "$T/services/r.yaml"
rc=0; "$SVD" --check -c "$T/etc/svd.yaml" > /dev/null 2> "$T/err" || rc=$?
[ "$rc" = 1 ] && grep -q "services/r.yaml:2:18: yaml: invalid leading UTF-8 octet" "$T/err" ||
        fail "invalid UTF-8 after multi-byte characters: $(cat "$T/err")"

# A notify service's sandbox that hides run_dir (its notify socket) is
# refused for private_tmp and inaccessible_paths, but protect_home (true or
# tmpfs) over a run_dir below /home, /root or /run/user passed: the service
# could never send READY=1.
for ph in true tmpfs; do
        printf 'command: [sleep, "1"]\ntype: notify\nsandbox: { protect_home: %s }\n' "$ph" > "$T/services/r.yaml"
        { sed '/^run_dir:/d' "$T/etc/main.orig"; printf 'run_dir: /run/user/4242/svd\n'; } > "$T/etc/svd.yaml"
        rc=0; "$SVD" --check -c "$T/etc/svd.yaml" > /dev/null 2> "$T/err" || rc=$?
        [ "$rc" = 1 ] && grep -q "services/r.yaml:3:10: sandbox: protect_home hides run_dir /run/user/4242/svd" "$T/err" ||
                fail "protect_home: $ph over run_dir: $(cat "$T/err")"
done
printf 'command: [sleep, "1"]\ntype: notify\nsandbox: { protect_home: read-only }\n' > "$T/services/r.yaml"
"$SVD" --check -c "$T/etc/svd.yaml" > /dev/null 2> "$T/err" || fail "protect_home: read-only refused: $(cat "$T/err")"
cp "$T/etc/main.orig" "$T/etc/svd.yaml"

# slices_dir naming services_dir: every service file was also read as a
# slice file, each reported as "command: unknown key" (and so on), with
# nothing saying why. One error now, at slices_dir.
printf 'command: [sleep, "1"]\n' > "$T/services/r.yaml"
sed 's|^slices_dir: .*|slices_dir: ../services/.|' "$T/etc/main.orig" > "$T/etc/svd.yaml"
rc=0; "$SVD" --check -c "$T/etc/svd.yaml" > /dev/null 2> "$T/err" || rc=$?
cp "$T/etc/main.orig" "$T/etc/svd.yaml"
[ "$rc" = 1 ] && grep -q "etc/svd.yaml:2:13: slices_dir: is services_dir" "$T/err" &&
        [ "$(grep -c . "$T/err")" = 2 ] || fail "slices_dir = services_dir: $(cat "$T/err")"

# umask was read with strtoul, which takes a sign and leading blanks:
# "-0" (a negative mode) and "+022" passed.
for v in '"-0"' '"+022"' '" 022"'; do
        bad "umask: $v" 'umask: expected an octal mode 0000..0777'
done

# A NAME twice in the list form of environment: is the mapping form's
# duplicate key, refused there, yet the list passed the later value without
# a word: refused at each repetition, naming the first's line.
bad 'environment: [A=1, B=2, A=3]' "environment\\[2\\]: duplicate variable 'A' (first on line 2)"
bad 'environment:
  - AB=1
  - A=2
  - A=
  - A=x=y' "environment\\[3\\]: duplicate variable 'A' (first on line 4)"
printf 'command: [sleep, "1"]\nenvironment: [A=1, AA=2, A_=3, a=4]\n' > "$T/services/r.yaml"
"$SVD" --check -c "$T/etc/svd.yaml" > /dev/null 2> "$T/err" || fail "distinct names refused: $(cat "$T/err")"
# ... and in defaults.environment (the main file ends in defaults:)
{ cat "$T/etc/main.orig"; printf '  environment: [X=1, X=2]\n'; } > "$T/etc/svd.yaml"
rc=0; "$SVD" --check -c "$T/etc/svd.yaml" > /dev/null 2> "$T/err" || rc=$?
cp "$T/etc/main.orig" "$T/etc/svd.yaml"
[ "$rc" = 1 ] && grep -q "etc/svd.yaml:[0-9]*:[0-9]*: defaults.environment\\[1\\]: duplicate variable 'X'" "$T/err" ||
        fail "defaults.environment duplicate: $(cat "$T/err")"

# "did you mean" only for a plausible typo: at most 3 edits was the only
# bound, so "name:" suggested the key 'type', "image:" 'umask', and a
# dependency "zzz" the service 'a' (3 edits of a 3-letter name)
bad 'name: web' "name: unknown key$"
bad 'image: x' "image: unknown key$"
bad 'comand: [x]' "comand: unknown key (did you mean 'command'?)$"
bad 'limits: { files: 10 }' "limits.files: unknown key (did you mean 'nofile'?)$"
printf 'command: [sleep, "1"]\n' > "$T/services/a.yaml"
bad 'depends_on: [zzz]' "depends_on.zzz: unknown service 'zzz'$"
bad 'depends_on: [aa]' "depends_on.aa: unknown service 'aa' (did you mean 'a'?)$"
printf '{}\n' > "$T/cgroups/web.yaml"
bad 'slice: xy' "slice: unknown slice 'xy'$"
bad 'slice: wbe' "slice: unknown slice 'wbe' (did you mean 'web'?)$"
rm "$T/services/a.yaml" "$T/cgroups/web.yaml"

# A list or mapping holds at most 4096 entries: what svd does with one is
# not always linear in its length, and a depends_on of 80,000 names (within
# the 1 MiB a file may hold) held a load -- PID 1's, at a reload -- for most
# of a minute. 4096 pass; the first entry too many is named.
entries() { awk -v n="$1" -v f="$2" 'BEGIN { for (i = 0; i < n; i++) printf f, i }'; }
{ printf 'command:\n'; entries 4096 '  - a%d\n'; printf 'environment:\n'; entries 4096 '  V%d: x\n'; } \
        > "$T/services/r.yaml"
"$SVD" --check -c "$T/etc/svd.yaml" > /dev/null 2> "$T/err" || fail "4096 entries refused: $(cat "$T/err")"
{ printf 'command: [sleep, "1"]\ndepends_on:\n'; entries 80000 '  - a%d\n'; } > "$T/services/r.yaml"
rc=0; "$SVD" --check -c "$T/etc/svd.yaml" > /dev/null 2> "$T/err" || rc=$?
[ "$rc" = 1 ] && [ "$(cat "$T/err")" = "$T/services/r.yaml:4099:5: depends_on: more than 4096 entries
svd: $T/etc/svd.yaml: 1 error" ] || fail "80000 depends_on: $(head -c 300 "$T/err")"
{ printf 'command: [sleep, "1"]\nenvironment:\n'; entries 4097 '  V%d: x\n'; } > "$T/services/r.yaml"
rc=0; "$SVD" --check -c "$T/etc/svd.yaml" > /dev/null 2> "$T/err" || rc=$?
[ "$rc" = 1 ] && grep -q "services/r.yaml:4099:3: environment: more than 4096 entries" "$T/err" ||
        fail "4097 environment: $(cat "$T/err")"

# A tab where YAML wants spaces: libyaml says "found character that cannot
# start any token", without saying which; the error names the tab.
printf 'command: [sleep, "1"]\nbackoff:\n\tinitial: 1s\n' > "$T/services/r.yaml"
rc=0; "$SVD" --check -c "$T/etc/svd.yaml" > /dev/null 2> "$T/err" || rc=$?
[ "$rc" = 1 ] && grep -q "services/r.yaml:3:1: yaml: a tab character (YAML indents with spaces, not tabs)" "$T/err" ||
        fail "tab indent: $(cat "$T/err")"
printf 'description: "\303\251t\303\251"\ncommand:\n  - sleep\n  \t- "1"\n' > "$T/services/r.yaml"
rc=0; "$SVD" --check -c "$T/etc/svd.yaml" > /dev/null 2> "$T/err" || rc=$?
[ "$rc" = 1 ] && grep -q "services/r.yaml:4:3: yaml: a tab character" "$T/err" || fail "tab after spaces: $(cat "$T/err")"
printf 'command:\t[sleep, "1"]\n' > "$T/services/r.yaml"
"$SVD" --check -c "$T/etc/svd.yaml" > /dev/null 2> "$T/err" || fail "a tab after a colon refused: $(cat "$T/err")"

# A byte-order mark is skipped at the start of a file (with CRLF line ends
# too); elsewhere (two files joined with cat) libyaml said "did not find
# expected key" at a line that looks right: the error names the mark.
printf '\357\273\277command: [sleep, "1"]\r\nrestart: always\r\n' > "$T/services/r.yaml"
"$SVD" --check -c "$T/etc/svd.yaml" > /dev/null 2> "$T/err" || fail "a BOM at the start refused: $(cat "$T/err")"
printf 'command: [sleep, "1"]\n\357\273\277restart: always\n' > "$T/services/r.yaml"
rc=0; "$SVD" --check -c "$T/etc/svd.yaml" > /dev/null 2> "$T/err" || rc=$?
[ "$rc" = 1 ] && grep -q "services/r.yaml:2:1: yaml: a byte-order mark (U+FEFF) inside the file" "$T/err" ||
        fail "BOM inside: $(cat -v "$T/err")"

echo ok

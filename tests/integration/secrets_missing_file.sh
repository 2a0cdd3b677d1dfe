#!/bin/bash
# A secret svd knows whose file is missing is a failure (exit 1, one line
# naming the file), not "no such secret" (exit 4, svctl(8)): the control
# code mapped every ENOENT from the secrets layer to "unknown name", and a
# from_file that was removed (or a JWT's signing key's) made svctl say the
# secret did not exist. An unknown name is still 4.
. "$(dirname "$0")/lib.sh"
command -v python3 > /dev/null || { echo "SKIP: python3 missing"; exit 77; }

head -c 48 /dev/urandom | base64 -w0 > "$T/out/key"
chmod 600 "$T/out/key"
service app <<YAML
secrets:
  key: { from_file: $T/out/key }
  tok: { jwt: { secret: key } }
command: [sleep, "1000"]
YAML
start_svd
wait_state app running
svctl secret get key > /dev/null || fail "secret get key with its file there"
rm -f "$T/out/key"

# expect RC "ARGS" PATTERN: exactly one line on stderr matching, nothing on stdout
expect() {
        local rc=0
        # shellcheck disable=SC2086 # ARGS are words
        svctl $2 < /dev/null > "$T/o" 2> "$T/e" || rc=$?
        [ "$rc" = "$1" ] || fail "svctl $2: exit $rc, want $1: $(cat "$T/e")"
        [ "$(wc -l < "$T/e")" = 1 ] || fail "svctl $2: not one line on stderr: $(cat "$T/e")"
        grep -Eq -- "$3" "$T/e" || fail "svctl $2: stderr does not match '$3': $(cat "$T/e")"
        [ ! -s "$T/o" ] || fail "svctl $2: wrote to stdout: $(cat "$T/o")"
}
expect 1 "secret get key" "^svctl: secret key: from_file $T/out/key: No such file or directory$"
expect 1 "secret rotate tok" "^svctl: secret key: from_file $T/out/key: No such file or directory$"
expect 4 "secret get nosuch" "^svctl: unknown secret 'nosuch'$"
expect 4 "secret rotate nosuch" "^svctl: unknown secret 'nosuch'$"
# --json: the failure object says 1 as well
rc=0; svctl --json secret get key > "$T/jo" 2> /dev/null || rc=$?
assert_eq "$rc" 1 "secret get --json exit"
python3 -c 'import json, sys; o = json.load(open(sys.argv[1])); sys.exit(o["exit"] != 1 or "from_file" not in o["error"])' \
        "$T/jo" || fail "secret get --json: $(cat "$T/jo")"
# and back: the same secret is served again
head -c 48 /dev/urandom | base64 -w0 > "$T/out/key"
chmod 600 "$T/out/key"
svctl secret get key > /dev/null || fail "secret get key after its file came back"
echo "secrets_missing_file: ok"

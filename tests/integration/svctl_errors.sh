#!/bin/bash
# svctl_errors: every svctl command's error paths, as svctl(8) documents
# them: a usage error (a missing or extra NAME, an unknown option or command)
# is one line on stderr and exit status 2; a NAME svd does not know (service
# or secret) one line and exit status 4, for every command that takes one;
# no svd at the socket one line naming that socket and "(is svd running?)",
# exit status 3, for every command. None of them prints anything on stdout,
# except with --json: then one object, {"ok":false,"exit":N,"error":...}.
. "$(dirname "$0")/lib.sh"
command -v python3 > /dev/null || { echo "SKIP: python3 missing"; exit 77; }

service web <<EOF
command: [sleep, "1000"]
secrets:
  pw: { generate: password }
EOF

# expect RC "ARGS" PATTERN [STDIN]: svctl ARGS exits RC with exactly one line
# on stderr that matches the grep -E PATTERN, and nothing on stdout
expect() {
        local want=$1 line=$2 pat=$3 rc=0
        # shellcheck disable=SC2086 # ARGS are words
        svctl $line < "${4:-/dev/null}" > "$T/o" 2> "$T/e" || rc=$?
        [ "$rc" = "$want" ] || fail "svctl $line: exit $rc, want $want: $(cat "$T/e")"
        [ "$(wc -l < "$T/e")" = 1 ] || fail "svctl $line: not one line on stderr: $(cat "$T/e")"
        grep -Eq -- "$pat" "$T/e" || fail "svctl $line: stderr does not match '$pat': $(cat "$T/e")"
        [ ! -s "$T/o" ] || fail "svctl $line: wrote to stdout: $(cat "$T/o")"
        # with --json, the same line on stderr and on stdout one JSON object
        # saying it (a script parsing stdout got nothing at all)
        rc=0
        # shellcheck disable=SC2086
        svctl --json $line < "${4:-/dev/null}" > "$T/jo" 2> "$T/je" || rc=$?
        [ "$rc" = "$want" ] || fail "svctl --json $line: exit $rc, want $want: $(cat "$T/je")"
        cmp -s "$T/e" "$T/je" || fail "svctl --json $line: stderr differs: $(cat "$T/je")"
        python3 - "$T/jo" "$T/e" "$want" <<'PY' || fail "svctl --json $line: stdout: $(cat "$T/jo")"
import json, sys
text = open(sys.argv[1]).read()
line = open(sys.argv[2]).read().rstrip("\n")
o = json.loads(text)
assert text.count("\n") == 1, "one line"
assert o == {"ok": False, "exit": int(sys.argv[3]), "error": line[len("svctl: "):], "messages": [line]}, o
PY
}

# svd not running: every command names the socket (usage is checked first)
printf 'a passphrase\n' > "$T/pass"
nosvd=(status order top version audit logs events metrics reopen-logs poweroff reboot halt
       reload daemon-reexec "secret list" "status web" "start web" "stop web" "restart web"
       "run web" "show web" "logs web" "secret get pw" "top -n 1" "events -f" "logs -f web")
for c in "${nosvd[@]}"; do
        expect 3 "$c" "^svctl: .*$SOCK.*\(is svd running\?\)$"
done
expect 3 "unlock" "^svctl: .*$SOCK.*\(is svd running\?\)$" "$T/pass"
expect 3 "secret set pw" "^svctl: .*$SOCK.*\(is svd running\?\)$" "$T/pass"
# every command svctl dispatches was walked (a new one joins the list above)
walked=" ${nosvd[*]} unlock "
for c in $("$SVCTL" __complete commands); do
        [ "$c" = help ] || [[ "$walked" == *" $c "* ]] || fail "svctl_errors.sh does not walk the command '$c'"
done

start_svd
wait_state web running

# usage errors, with svd running: nothing is sent
for c in start stop restart run show; do
        expect 2 "$c" "^svctl: '$c' needs a service NAME"
        expect 2 "$c web web" "^svctl: '$c' takes exactly one NAME, got 2"
        expect 2 "$c --bogus web" "^svctl: $c: unknown option '--bogus' \(see 'svctl --help'\)$"
done
# an unknown option is worded one way by every command, whichever parser
# reads it (svctl.c's or the command's own), before or after the command
for c in $("$SVCTL" __complete commands); do
        expect 2 "$c --bogus" "^svctl: $c: unknown option '--bogus' \(see 'svctl --help'\)$"
        expect 2 "--bogus $c" "^svctl: $c: unknown option '--bogus' \(see 'svctl --help'\)$"
        expect 2 "$c -x" "^svctl: $c: unknown option '-x' \(see 'svctl --help'\)$"
done
expect 2 "--bogus" "^svctl: unknown option '--bogus' \(see 'svctl --help'\)$"
expect 2 "secret --bogus list" "^svctl: secret: unknown option '--bogus' \(see 'svctl --help'\)$"
for c in order version audit reopen-logs poweroff reboot halt reload daemon-reexec; do
        expect 2 "$c extra" "^svctl: '$c' takes no arguments"
done
for c in "secret" "secret bogus" "secret get" "secret set" "secret rotate"; do
        expect 2 "$c" "^svctl: usage: svctl secret "
done
expect 2 "frobnicate" "^svctl: unknown command 'frobnicate'"
expect 2 "stat" "^svctl: unknown command 'stat'; did you mean 'status'\?"
# a suggestion only for a close word: one edit or swap from one command, or
# a prefix of one; none for a word two edits from "logs" or a prefix of two
expect 2 "bogus" "^svctl: unknown command 'bogus' \(see 'svctl --help'\)$"
expect 2 "sta" "^svctl: unknown command 'sta' \(see 'svctl --help'\)$"
expect 2 "stpo" "^svctl: unknown command 'stpo'; did you mean 'stop'\?"
expect 2 "restat" "^svctl: unknown command 'restat'; did you mean 'restart'\?"
expect 2 "evnets" "^svctl: unknown command 'evnets'; did you mean 'events'\?"
expect 2 "logs -n" "^svctl: -n needs a number"
expect 2 "events -n x" "^svctl: events: -n needs a number of events, got x "
expect 2 "events --lines" "^svctl: events: --lines needs a number of events, got nothing "
expect 2 "logs --lines x" "^svctl: --lines needs a number of lines, got x "
# (a number past the range says the range: it was "needs a number", got one)
expect 2 "logs -n 100000001" "^svctl: -n takes 0 to 100000000 lines, got 100000001 "
expect 2 "logs --lines 99999999999999999999" "^svctl: --lines takes 0 to 100000000 lines, got 99999999999999999999 "
expect 2 "events -n 100001" "^svctl: events: -n takes 0 to 100000 events, got 100001 "
expect 2 "events -f --lines 99999999999999999999" "^svctl: events: --lines takes 0 to 100000 events, got 99999999999999999999 "
# (an option without its value: which value, not "unexpected argument")
expect 2 "top -d" "^svctl: top: option '-d' needs SECS "
expect 2 "top --iterations" "^svctl: top: option '--iterations' needs a COUNT "
expect 2 "top --sort" "^svctl: top: option '--sort' needs cpu, mem, pids, throttled or name "
expect 2 "top -n 0" "^svctl: top: bad iteration count '0' \(1 to 1000000\)$"
# (an option top does not know is an unknown option, as for the others;
# a word that is none, after "--" too, an unexpected argument)
expect 2 "top --bogus" "^svctl: top: unknown option '--bogus' "
expect 2 "top -x" "^svctl: top: unknown option '-x' "
expect 2 "top extra" "^svctl: top: unexpected argument 'extra' "
expect 2 "top -- -x" "^svctl: top: unexpected argument '-x' "
expect 2 "logs web other" "logs"
# an empty NAME ("svctl restart \"$SVC\"", SVC unset) is a usage error, not
# a refusal (exit 1, "field 'name': ...") or an unknown service (4); (expect
# splits its words: an empty one is passed here)
expect_empty() { # WANT-LINE ARGS...
        local want=$1 rc=0
        shift
        svctl "$@" < "$T/pass" > "$T/o" 2> "$T/e" || rc=$?
        [ "$rc" = 2 ] || fail "svctl $* (an empty NAME): exit $rc, want 2: $(cat "$T/e")"
        [ "$(cat "$T/e")" = "svctl: $want (see 'svctl --help')" ] || fail "svctl $* (an empty NAME): $(cat "$T/e")"
        [ ! -s "$T/o" ] || fail "svctl $* (an empty NAME): wrote to stdout: $(cat "$T/o")"
}
for c in start stop restart run show logs status; do
        expect_empty "'$c' needs a service NAME, got an empty one" "$c" ""
done
expect_empty "'status' needs a service NAME, got an empty one" status web ""
for c in get set rotate; do
        expect_empty "'secret' needs a secret NAME, got an empty one" secret "$c" ""
done
expect 2 "status --boot web" "takes no service NAME"

# names svd does not know: 4, one line naming it
for c in "status nosuch" "start nosuch" "stop nosuch" "restart nosuch" "run nosuch" \
         "show nosuch" "logs nosuch" "status web nosuch"; do
        expect 4 "$c" "^svctl: unknown service 'nosuch'$"
done
for c in "secret get nosuch" "secret rotate nosuch"; do
        expect 4 "$c" "^svctl: unknown secret 'nosuch'"
done
expect 4 "secret set nosuch" "^svctl: unknown secret 'nosuch'" "$T/pass"
# (and a known one still works; --json's output on success is the reply's)
svctl status web > /dev/null || fail "status web"
svctl --json status web | python3 -c 'import json, sys; o = json.load(sys.stdin); sys.exit("ok" in o or o["services"][0]["name"] != "web")' ||
        fail "status --json: $(svctl --json status web)"
[ -n "$(svctl secret get pw)" ] || fail "secret get pw"
# the shapes svctl(8) gives under --json for the commands without a table
jshape() { # ARGS PYTHON-CONDITION-ON-o
        local out
        # shellcheck disable=SC2086
        out=$(svctl --json $1) || fail "svctl --json $1: exit $?"
        python3 -c 'import json, sys; o = json.loads(sys.argv[1]); sys.exit(not eval(sys.argv[2]))' "$out" "$2" ||
                fail "svctl --json $1: $out"
}
jshape order 'o == {"waves": [["web"]]}'
jshape "restart web" 'o["name"] == "web" and isinstance(o["state"], str) and set(o) <= {"name", "state", "note"}'
jshape reopen-logs 'o == {"reopened": True}'
wait_state web running

# the secret commands print JSON with --json too (they printed the bare value,
# "pw: set", or nothing on stdout at all)
v=$(svctl secret get pw)
svctl --json secret get pw > "$T/get.json" || fail "secret get --json"
python3 -c 'import json, sys; o = json.load(open(sys.argv[1])); sys.exit(o != {"name": "pw", "value": sys.argv[2]})' \
        "$T/get.json" "$v" || fail "secret get --json: $(cat "$T/get.json")"
printf 'a new value that is long enough\n' | svctl --json secret set pw > "$T/set.json" || fail "secret set --json"
python3 -c 'import json, sys; o = json.load(open(sys.argv[1])); sys.exit(o != {"name": "pw", "done": "set", "on_rotate": None})' \
        "$T/set.json" || fail "secret set --json: $(cat "$T/set.json")"
assert_eq "$(svctl secret get pw)" "a new value that is long enough" "the value set"
svctl --json secret rotate pw > "$T/rot.json" || fail "secret rotate --json"
python3 -c 'import json, sys; o = json.load(open(sys.argv[1])); sys.exit(o != {"name": "pw", "done": "rotated", "on_rotate": None})' \
        "$T/rot.json" || fail "secret rotate --json: $(cat "$T/rot.json")"
[ "$(svctl secret get pw)" != "a new value that is long enough" ] || fail "not rotated"
# a value that is not UTF-8 text: as svd sends it, base64 (no libsodium needed to print it)
printf 'a\377b' | svctl secret set pw > /dev/null || fail "secret set of bytes"
svctl --json secret get pw > "$T/get.json" || fail "secret get --json of bytes"
python3 -c 'import base64, json, sys; o = json.load(open(sys.argv[1])); sys.exit(base64.b64decode(o["value_base64"]) != b"a\xffb")' \
        "$T/get.json" || fail "secret get --json of bytes: $(cat "$T/get.json")"
echo "svctl_errors: ok"

#!/bin/bash
# config_strict: values that load but cannot work are refused by svd --check
# with file:line:col and the key, and what svd ignores in its directories is
# named in a warning (svd.yaml(5)), at --check, at the start and at a reload.
. "$(dirname "$0")/lib.sh"

# ok YAML...: the service file with these lines passes svd --check
ok() {
        printf 'command: [sleep, "1"]\n%s\n' "$1" > "$T/services/r.yaml"
        "$SVD" --check -c "$T/etc/svd.yaml" > /dev/null 2> "$T/err" ||
                fail "refused: '$1': $(cat "$T/err")"
}
# bad YAML MESSAGE: refused, with MESSAGE on line 2 of the service file
bad() {
        printf 'command: [sleep, "1"]\n%s\n' "$1" > "$T/services/r.yaml"
        rc=0; "$SVD" --check -c "$T/etc/svd.yaml" > /dev/null 2> "$T/err" || rc=$?
        [ "$rc" = 1 ] || fail "accepted (exit $rc): '$1'"
        grep -qF "services/r.yaml:2:$2" "$T/err" || fail "'$1': want '$2', got: $(cat "$T/err")"
}

# stop.signal: one that ends a process; a stop, a continue or a signal
# ignored by default would leave every stop to the SIGKILL after the timeout
ok 'stop: { signal: SIGINT }'
ok 'stop: { signal: QUIT }'
ok 'stop: { signal: SIGKILL }'
ok 'stop: { signal: 1 }'
for sig in SIGSTOP SIGCONT SIGTSTP SIGTTIN SIGTTOU SIGCHLD SIGWINCH SIGURG; do
        bad "stop: { signal: $sig }" "17: stop.signal: $sig does not end a process (use e.g. SIGTERM, SIGINT, SIGQUIT)"
done
bad 'stop: { signal: cont }' "17: stop.signal: SIGCONT does not end a process"
bad 'stop: { signal: 19 }' "17: stop.signal: SIGSTOP does not end a process"
# ... in defaults: too, at the main file
cp "$T/etc/svd.yaml" "$T/etc/main.orig"
printf '  stop: { signal: SIGWINCH }\n' >> "$T/etc/svd.yaml"
printf 'command: [sleep, "1"]\n' > "$T/services/r.yaml"
rc=0; "$SVD" --check -c "$T/etc/svd.yaml" > /dev/null 2> "$T/err" || rc=$?
[ "$rc" = 1 ] && grep -qF "etc/svd.yaml:8:19: defaults.stop.signal: SIGWINCH does not end a process" "$T/err" ||
        fail "defaults.stop.signal SIGWINCH: $(cat "$T/err")"
cp "$T/etc/main.orig" "$T/etc/svd.yaml"

# numbers with a fraction: plain decimals, no exponent or sign
ok 'resources: { cpus: 0.5 }
backoff: { factor: 1.5 }'
ok 'resources: { cpus: .5 }'
bad 'resources: { cpus: 1e1 }' "20: resources.cpus: expected a number of CPUs"
bad 'resources: { cpus: +2 }' "20: resources.cpus: expected a number of CPUs"
bad 'backoff: { factor: 2E0 }' "20: backoff.factor: expected a number between 1.0 and 100"
bad 'start_when: { memory_pressure_below: 1e1 }' "38: start_when.memory_pressure_below: expected a percentage"
bad 'start_when: { memory_pressure_below: "1e1%" }' "38: start_when.memory_pressure_below: expected a percentage"

# limits: 0 where it leaves the program unable to run; where 0 means
# something (no core files, no locked memory, no file written) it stays
ok 'limits: { core: 0, memlock: 0, fsize: 0 }'
ok 'limits: { nofile: 1, nproc: 1, stack: 1M, as: 1G, cpu: 1 }'
ok 'limits: { core: { soft: 0, hard: 0 }, nofile: { soft: 1, hard: 2 } }'
bad 'limits: { nofile: 0 }' "19: limits.nofile: 0 leaves the program no file to open, not even its libraries (leave it out for no limit)"
bad 'limits: { nproc: 0 }' "18: limits.nproc: 0 leaves the service's user no process: the exec or the first fork fails (leave it out for no limit)"
bad 'limits: { stack: 0 }' "18: limits.stack: 0 leaves the program no stack: it could not start (leave it out for no limit)"
bad 'limits: { as: 0K }' "15: limits.as: 0 leaves the program no address space: it could not start (leave it out for no limit)"
bad 'limits: { cpu: 0 }' "16: limits.cpu: 0 is taken as 1 second of CPU time, after which the kernel kills the service (leave it out for no limit)"
bad 'limits: { nofile: { soft: 0, hard: 1024 } }' "27: limits.nofile.soft: 0 leaves the program no file to open"
bad 'limits: { cpu: { soft: 10, hard: 0 } }' "24: limits.cpu.soft: must not exceed hard"

# a list or a mapping where a size belongs: said so, not "bad size ''"
bad 'logging: { max_size: [1M] }' "22: logging.max_size: expected a size (e.g. 512K, 10M, 1G), not a list"
bad 'logging: { max_total: { a: 1 } }' "23: logging.max_total: expected a size (e.g. 512K, 10M, 1G), not a mapping"
bad 'logging: { max_line: ~ }' "22: logging.max_line: expected a size (e.g. 512K, 10M, 1G), not nothing"
bad 'logging: { max_size: 1X }' "22: logging.max_size: bad size '1X' (use e.g. 512K, 10M, 1G)"
bad 'start_when: { memory_available: [1G] }' "33: start_when.memory_available: expected a size (e.g. 6G or 50%), not a list"
bad 'start_when: { memory_pressure_below: [1] }' "38: start_when.memory_pressure_below: expected a percentage of stalled time, 0 < x <= 100, e.g. 10 or 10% (PSI some avg10), not a list"
bad 'sandbox: { capabilities: [[CAP_CHOWN]] }' "27: sandbox.capabilities[0]: expected a capability name, not a list"
bad 'healthcheck: { http: { url: "http://127.0.0.1/", status: [200] } }' "58: healthcheck.http.status: expected a status (e.g. 200 or 200-399), not a list"
bad 'healthcheck: { http: { url: "http://127.0.0.1/", status: 99 } }' "58: healthcheck.http.status: bad status '99' (use e.g. 200 or 200-399)"
printf 'command: [sleep, "1"]\n' > "$T/services/r.yaml"
{ cat "$T/etc/main.orig"; printf 'log_max_total: [1G]\n'; } > "$T/etc/svd.yaml"
rc=0; "$SVD" --check -c "$T/etc/svd.yaml" > /dev/null 2> "$T/err" || rc=$?
[ "$rc" = 1 ] && grep -qF "etc/svd.yaml:8:16: log_max_total: expected a size (e.g. 512M, 4G), not a list" "$T/err" ||
        fail "log_max_total: [1G]: $(cat "$T/err")"
cp "$T/etc/main.orig" "$T/etc/svd.yaml"

# schedule.random_delay at most every: a longer one puts a run off past the next
ok 'type: oneshot
schedule: { every: 1h, random_delay: 1h }'
ok 'type: oneshot
schedule: { cron: "0 * * * *", random_delay: 59m }'
bad 'schedule: { cron: "0 * * * *", random_delay: 1d }
type: oneshot' "46: schedule.random_delay: 1d exceeds the time between any two runs of cron '0 * * * *' (at most 1h)"
bad 'schedule: { every: 1h, random_delay: 61m }
type: oneshot' "38: schedule.random_delay: 1h1m exceeds every (1h): a run could be put off past the next one"
bad 'schedule: { every: 10s, random_delay: 1m }
type: oneshot' "39: schedule.random_delay: 1m exceeds every (10s)"

# a file in services_dir that is not NAME.yaml or NAME.yml is not read, with
# a warning naming it; what an editor keeps there and directories quietly
printf 'command: [sleep, "1"]\n' > "$T/services/r.yaml"
for f in web.YAML db.yaml.bak x.yml.orig README notes.yaml.disabled .#r.yaml .r.yaml.swp r.yaml~ '#r.yaml#'; do
        printf 'command: [sleep, "1"]\n' > "$T/services/$f"
done
mkdir "$T/services/scripts" "$T/services/old.yaml.d"
ln -s scripts "$T/services/link"
ln -s nowhere "$T/services/dangling.yml.old"
printf 'memory_max: 1G\n' > "$T/cgroups/s.Yaml"
rc=0; "$SVD" --check -c "$T/etc/svd.yaml" > "$T/out/check" 2> "$T/err" || rc=$?
[ "$rc" = 0 ] || fail "warnings failed the check (exit $rc): $(cat "$T/err")"
grep -q "OK, 1 service" "$T/out/check" || fail "not 1 service: $(cat "$T/out/check")"
sdir=$(realpath "$T/services")
want="$sdir/README: warning: not read: only NAME.yaml and NAME.yml files in services_dir are
$sdir/dangling.yml.old: warning: not read: only NAME.yaml and NAME.yml files in services_dir are
$sdir/db.yaml.bak: warning: not read: only NAME.yaml and NAME.yml files in services_dir are
$sdir/notes.yaml.disabled: warning: not read: only NAME.yaml and NAME.yml files in services_dir are
$sdir/web.YAML: warning: not read: only NAME.yaml and NAME.yml files in services_dir are
$sdir/x.yml.orig: warning: not read: only NAME.yaml and NAME.yml files in services_dir are"
assert_eq "$(grep services_dir "$T/err")" "$want" "warnings about services_dir"
grep -qF "$(realpath "$T/cgroups")/s.Yaml: warning: not read: only NAME.yaml and NAME.yml files in slices_dir are" "$T/err" ||
        fail "no warning about cgroups/s.Yaml: $(cat "$T/err")"
assert_eq "$(grep -c warning "$T/err")" 7 "warnings in all (each once): $(cat "$T/err")"
# ... and an error elsewhere still fails the check, warnings shown too
printf 'command: [sleep, "1"]\nrestart: sometimes\n' > "$T/services/r.yaml"
rc=0; "$SVD" --check -c "$T/etc/svd.yaml" > /dev/null 2> "$T/err" || rc=$?
[ "$rc" = 1 ] && grep -q "web.YAML: warning" "$T/err" && grep -q "r.yaml:2:10: restart: unknown value" "$T/err" ||
        fail "error with warnings (exit $rc): $(cat "$T/err")"
printf 'command: [sleep, "1"]\n' > "$T/services/r.yaml"
rm "$T/cgroups/s.Yaml"
# a member of a profile set of the main file that is neither a set nor a
# profile a service declares selects nothing: a warning (the built-in sets'
# members are not checked)
{ cat "$T/etc/main.orig"; printf 'profile_sets:\n  edge: [minimal, monitorng, lab, ai]\n  lab: [ai, gone]\n'; } > "$T/etc/svd.yaml"
printf 'command: [sleep, "1"]\nprofiles: [ai]\n' > "$T/services/r.yaml"
rc=0; "$SVD" --check -c "$T/etc/svd.yaml" > /dev/null 2> "$T/err" || rc=$?
[ "$rc" = 0 ] || fail "a profile set warning failed the check (exit $rc): $(cat "$T/err")"
main=$T/etc/svd.yaml
want="$main:9:19: warning: profile_sets.edge[1]: 'monitorng' is neither a profile set nor a profile any service declares: it selects nothing
$main:10:13: warning: profile_sets.lab[1]: 'gone' is neither a profile set nor a profile any service declares: it selects nothing"
assert_eq "$(grep profile_sets "$T/err")" "$want" "profile set warnings"
cp "$T/etc/main.orig" "$T/etc/svd.yaml"
printf 'command: [sleep, "1"]\n' > "$T/services/r.yaml"

# environment: values are passed as written: a ${...} other than
# ${secret:NAME} (a Compose habit, "${PATH}:/opt/bin", or a mistyped
# "${secrets:db}") reached the service as text without a word; a warning
# names it, in a service file and in defaults.environment
{ cat "$T/etc/main.orig"; printf '  environment: { HOMEDIR: "${HOME}/x" }\n'; } > "$T/etc/svd.yaml"
printf 'command: [sleep, "1"]\nenvironment: { A: "${PATH}:/opt/bin", B: "$HOME", C: "${secrets:db" }\n' \
        > "$T/services/lit.yaml"
rc=0; "$SVD" --check -c "$T/etc/svd.yaml" > /dev/null 2> "$T/err" || rc=$?
[ "$rc" = 0 ] || fail "a literal \${...} failed the check (exit $rc): $(cat "$T/err")"
want="$(realpath "$T/services")/lit.yaml:2:19: warning: environment.A: '\${PATH}' is passed as written (svd expands only \${secret:NAME})
$(realpath "$T/services")/lit.yaml:2:54: warning: environment.C: '\${secrets:db' is passed as written (svd expands only \${secret:NAME})"
assert_eq "$(grep 'lit.yaml' "$T/err")" "$want" "\${...} warnings"
grep -qF "$T/etc/svd.yaml:8:27: warning: defaults.environment.HOMEDIR: '\${HOME}' is passed as written" "$T/err" ||
        fail "no warning for defaults.environment: $(cat "$T/err")"
cp "$T/etc/main.orig" "$T/etc/svd.yaml"

# a running svd logs them at its start and at every reload
start_svd
wait_for grep -qF "lit.yaml:2:19: warning: environment.A: '\${PATH}' is passed as written" "$T/svd.out"
wait_for grep -q "config: $sdir/web.YAML: warning: not read" "$T/svd.out"
printf 'command: [sleep, "1"]\n' > "$T/services/new.yml.txt"
svctl reload > /dev/null 2> "$T/reload.err" || fail "reload refused"
wait_for grep -q "reload: $sdir/new.yml.txt: warning: not read" "$T/svd.out"
assert_eq "$(grep -c "reload: $sdir/web.YAML: warning" "$T/svd.out")" 1 "web.YAML warned once at the reload"
# ... and the operator who asked for the reload sees them too
grep -qF "svctl: svd: $sdir/new.yml.txt: warning: not read" "$T/reload.err" ||
        fail "svctl reload does not show the warnings: $(cat "$T/reload.err")"
svctl --json reload > "$T/reload.json" || fail "reload --json refused"
python3 -c 'import json, sys; r = json.load(open(sys.argv[1])); assert any("new.yml.txt: warning" in w for w in r["warnings"]), r' \
        "$T/reload.json" || fail "no warnings in the reply: $(cat "$T/reload.json")"
# a refused reload shows them beside its errors
printf 'command: [sleep, "1"]\nrestart: sometimes\n' > "$T/services/r.yaml"
rc=0; svctl reload > /dev/null 2> "$T/reload.err" || rc=$?
[ "$rc" = 1 ] && grep -q "r.yaml:2:10: restart: unknown value" "$T/reload.err" &&
        grep -qF "svctl: svd: $sdir/new.yml.txt: warning: not read" "$T/reload.err" ||
        fail "refused reload (exit $rc): $(cat "$T/reload.err")"
printf 'command: [sleep, "1"]\n' > "$T/services/r.yaml"

echo OK

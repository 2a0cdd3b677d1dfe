#!/bin/bash
# config_ranges: the limits svd.yaml(5) documents are the ones svd --check
# enforces. Each documented bound is accepted, and the value just past it is
# refused with file:line:col and the key (an operator reads "between 80 and
# 1M" literally: a value outside it must not load as something else).
. "$(dirname "$0")/lib.sh"

# ok YAML...: the service file with these lines passes svd --check
ok() {
        printf 'command: [sleep, "1"]\n%s\n' "$1" > "$T/services/r.yaml"
        "$SVD" --check -c "$T/etc/svd.yaml" > /dev/null 2> "$T/err" ||
                fail "documented value refused: '$1': $(cat "$T/err")"
}
# bad YAML MESSAGE: refused, with MESSAGE on line 2 of the service file
bad() {
        printf 'command: [sleep, "1"]\n%s\n' "$1" > "$T/services/r.yaml"
        rc=0; "$SVD" --check -c "$T/etc/svd.yaml" > /dev/null 2> "$T/err" || rc=$?
        [ "$rc" = 1 ] || fail "out-of-range value accepted (exit $rc): '$1'"
        grep -q "services/r.yaml:2:[0-9]*: $2" "$T/err" || fail "'$1': want '$2', got: $(cat "$T/err")"
}

# logging.max_line: "Size between 80 and 1M" (0 used to be taken as "unset")
ok 'logging: { max_line: 80 }'
ok 'logging: { max_line: 1M }'
bad 'logging: { max_line: 79 }' 'logging.max_line: must be between 80 and 1M'
bad 'logging: { max_line: 0 }' 'logging.max_line: must be between 80 and 1M'
bad 'logging: { max_line: 1025K }' 'logging.max_line: must be between 80 and 1M'
# logging.max_size 0 or 1K..1T, max_total 0 or 1K..1024T, max_age 0 or 1s..366d,
# rate_limit.interval 10ms..1d
ok 'logging: { max_size: 1K, max_total: 1K, max_age: 1s }'
ok 'logging: { max_size: 0, max_total: 0, max_age: 0 }'
ok 'logging: { max_size: 1T, max_total: 1024T, max_age: 366d }'
bad 'logging: { max_size: 1023 }' 'logging.max_size: must be 0 (none) or between 1K and 1T'
bad 'logging: { max_size: 1025G }' 'logging.max_size: must be 0 (none) or between 1K and 1T'
bad 'logging: { max_total: 1023 }' 'logging.max_total: must be 0 (none) or between 1K and 1024T'
bad 'logging: { max_total: 1025T }' 'logging.max_total: must be 0 (none) or between 1K and 1024T'
bad 'logging: { max_age: 999ms }' 'logging.max_age: must be 0 (off) or between 1s and 366d'
bad 'logging: { max_age: 367d }' 'logging.max_age: must be 0 (off) or between 1s and 366d'
ok 'logging: { rate_limit: { burst: 1, interval: 10ms } }'
# a value written above 0 that rounds to less than a microsecond or a byte
# used to load as 0, which means "off": max_size 0.5B was no rotation,
# watchdog 0.5us no watchdog
bad 'logging: { max_size: 0.5B }' "logging.max_size: bad size '0.5B'"
bad 'watchdog: 0.5us' "watchdog: bad duration '0.5us'"
bad 'stop: { timeout: 0.0000001s }' "stop.timeout: bad duration '0.0000001s'"
ok 'stop: { timeout: 0.0s }'
ok 'logging: { rate_limit: { burst: 1, interval: 1d } }'
bad 'logging: { rate_limit: { burst: 1, interval: 0 } }' 'logging.rate_limit.interval: must be between 10ms and 1d'
bad 'logging: { rate_limit: { burst: 1, interval: 1d1s } }' 'logging.rate_limit.interval: must be between 10ms and 1d'
# logging.max_files 0..1000, rate_limit.burst 1..100000000
ok 'logging: { max_files: 0 }'
ok 'logging: { max_files: 1000 }'
bad 'logging: { max_files: 1001 }' 'logging.max_files: expected an integer 0..1000'
ok 'logging: { rate_limit: { burst: 100000000 } }'
bad 'logging: { rate_limit: { burst: 0 } }' 'logging.rate_limit.burst: expected an integer 1..100000000'
# start_limit.burst 0..64
ok 'start_limit: { burst: 0 }'
ok 'start_limit: { burst: 64 }'
bad 'start_limit: { burst: 65 }' 'start_limit.burst: expected an integer 0..64'
# backoff.factor 1.0..100, initial <= max, initial, max and reset_after <= 1d
ok 'backoff: { factor: 1.0, initial: 60s, max: 1m }'
bad 'backoff: { factor: 0.9 }' 'backoff.factor: expected a number between 1.0 and 100'
bad 'backoff: { initial: 61s, max: 1m }' 'backoff.initial: initial (1m1s) must not exceed max (1m)'
ok 'backoff: { factor: 100, initial: 1d, max: 1d, reset_after: 1d }'
bad 'backoff: { factor: 100.01 }' 'backoff.factor: expected a number between 1.0 and 100'
bad 'backoff: { initial: 1d1s }' 'backoff.initial: must be at most 1d'
bad 'backoff: { max: 25h }' 'backoff.max: must be at most 1d'
bad 'backoff: { reset_after: 2d }' 'backoff.reset_after: must be at most 1d'
# start_limit.interval <= 1d, and 0 only with burst 0 (the default burst is 5)
ok 'start_limit: { interval: 1d }'
ok 'start_limit: { burst: 0, interval: 0 }'
bad 'start_limit: { interval: 1d1s }' 'start_limit.interval: must be at most 1d'
bad 'start_limit: { interval: 0 }' 'start_limit.interval: interval 0 with burst 5 would never limit anything'
bad 'start_limit: { burst: 1, interval: 0s }' 'start_limit.interval: interval 0 with burst 1 would never limit'
# stop.timeout 0..1h
ok 'stop: { timeout: 0 }'
ok 'stop: { timeout: 1h }'
bad 'stop: { timeout: 1h1s }' 'stop.timeout: must be at most 1h'
# watchdog 0 (off) or 10ms..1d
ok 'watchdog: 10ms
type: notify'
ok 'watchdog: 1d
type: notify'
bad 'watchdog: 9ms
type: notify' 'watchdog: must be 0 (off) or between 10ms and 1d'
bad 'watchdog: 1d1s
type: notify' 'watchdog: must be 0 (off) or between 10ms and 1d'
# healthcheck: retries 1..1000, interval/timeout at least 10ms, tcp/http timeout at most 1h
ok 'healthcheck: { tcp: "127.0.0.1:1", retries: 1000, interval: 10ms, timeout: 1h }'
bad 'healthcheck: { tcp: "127.0.0.1:1", retries: 1001 }' 'healthcheck.retries: expected an integer 1..1000'
bad 'healthcheck: { tcp: "127.0.0.1:1", interval: 9ms }' 'healthcheck.interval: must be at least 10ms'
bad 'healthcheck: { tcp: "127.0.0.1:1", timeout: 61m }' 'healthcheck.timeout: must be at most 1h for tcp and http checks'
ok 'healthcheck: { exec: [/bin/true], timeout: 2h }'
# ... and every duration at most 1d; start_timeout 0 (none) or 1s..1d
ok 'healthcheck: { exec: [/bin/true], interval: 1d, timeout: 1d, start_period: 1d, start_interval: 1d, start_timeout: 1d }'
ok 'healthcheck: { exec: [/bin/true], start_interval: 10ms, start_timeout: 1s }'
ok 'healthcheck: { exec: [/bin/true], start_timeout: 0 }'
bad 'healthcheck: { exec: [/bin/true], interval: 1d1s }' 'healthcheck.interval: must be at most 1d'
bad 'healthcheck: { exec: [/bin/true], timeout: 1d1s }' 'healthcheck.timeout: must be at most 1d'
bad 'healthcheck: { exec: [/bin/true], start_period: 25h }' 'healthcheck.start_period: must be at most 1d'
bad 'healthcheck: { exec: [/bin/true], start_interval: 25h }' 'healthcheck.start_interval: must be at most 1d'
bad 'healthcheck: { exec: [/bin/true], start_interval: 9ms }' 'healthcheck.start_interval: must be at least 10ms'
bad 'healthcheck: { exec: [/bin/true], start_timeout: 999ms }' 'healthcheck.start_timeout: must be 0 (off) or between 1s and 1d'
bad 'healthcheck: { exec: [/bin/true], start_timeout: 1d1s }' 'healthcheck.start_timeout: must be 0 (off) or between 1s and 1d'
# resources: cpu_weight/io_weight 1..10000, pids_max 1..4194304
ok 'resources: { cpu_weight: 10000, io_weight: 1, pids_max: 4194304 }'
bad 'resources: { cpu_weight: 0 }' 'resources.cpu_weight: expected an integer 1..10000'
bad 'resources: { pids_max: 4194305 }' 'resources.pids_max: expected an integer 1..4194304'
# memory_max and memory_high at least 1M (the others may be 0), cpus 0.01..65536
ok 'resources: { memory_max: 1M, memory_high: 1024K, memory_min: 0, memory_low: 0, memory_swap_max: 0 }'
ok 'resources: { memory_max: 1%, cpus: 0.01 }'
ok 'resources: { cpus: 65536 }'
bad 'resources: { memory_max: 1023K }' 'resources.memory_max: must be at least 1M'
bad 'resources: { memory_high: 0 }' 'resources.memory_high: must be at least 1M'
bad 'resources: { cpus: 0.009 }' 'resources.cpus: expected a number of CPUs 0.01..65536'
bad 'resources: { cpus: 65536.5 }' 'resources.cpus: expected a number of CPUs 0.01..65536'
# ... in a slice file too
printf 'memory_max: 1023K\n' > "$T/cgroups/s.yaml"
printf 'command: [sleep, "1"]\n' > "$T/services/r.yaml"
rc=0; "$SVD" --check -c "$T/etc/svd.yaml" > /dev/null 2> "$T/err" || rc=$?
[ "$rc" = 1 ] && grep -q "cgroups/s.yaml:1:13: memory_max: must be at least 1M" "$T/err" ||
        fail "slice memory_max 1023K: $(cat "$T/err")"
rm "$T/cgroups/s.yaml"
# limits.nofile: at most fs.nr_open (the kernel refuses more, infinity too, at every start)
if nr=$(cat /proc/sys/fs/nr_open 2> /dev/null); then
        ok "limits: { nofile: $nr }"
        ok "limits: { nofile: { soft: 1024, hard: $nr }, nproc: infinity }"
        bad "limits: { nofile: $((nr + 1)) }" "limits.nofile: the value exceeds fs.nr_open $nr on this host"
        bad 'limits: { nofile: infinity }' "limits.nofile: infinity exceeds fs.nr_open $nr on this host"
        bad "limits: { nofile: { soft: 1024, hard: $((nr + 1)) } }" "limits.nofile.hard: the value exceeds fs.nr_open"
fi
# start_when.memory_pressure_below 0 < x <= 100
ok 'start_when: { memory_pressure_below: 100 }'
bad 'start_when: { memory_pressure_below: 101 }' 'start_when.memory_pressure_below: expected a percentage'
# ... with or without the percent sign; a bad value gets its own error only
ok 'start_when: { memory_pressure_below: 10% }'
ok 'start_when: { memory_pressure_below: "2.5%" }'
bad 'start_when: { memory_pressure_below: 0% }' 'start_when.memory_pressure_below: expected a percentage'
grep -q "one of memory_available, memory_pressure_below is required" "$T/err" &&
        fail "a bad memory_pressure_below also reported as missing: $(cat "$T/err")"
# a notify service whose sandbox hides run_dir (here under /tmp), where its
# notify socket is, could never be ready
bad 'sandbox: { private_tmp: true }
type: notify' "sandbox: private_tmp hides run_dir $T/run,"
bad "sandbox: { inaccessible_paths: [$T/etc/../run] }
type: notify" "sandbox: inaccessible_paths hides run_dir $T/run,"
ok 'sandbox: { private_tmp: true }'
# secrets: length 8..4096, bytes 16..4096, charset 2 to 95 distinct printable ASCII characters
ok 'secrets: { a: { generate: password, length: 8, charset: "ab" }, b: { generate: hex, bytes: 4096 } }'
ok 'secrets: { a: { generate: password, charset: " ~" } }'
# all 95 printable ASCII characters (" and \ escaped for YAML)
ok "secrets: { a: { generate: password, charset: \"$(python3 -c 'print("".join(chr(c) for c in range(32, 127)).replace("\\", "\\\\").replace(chr(34), "\\\""))')\" } }"
bad 'secrets: { a: { generate: password, charset: "a" } }' 'secrets.a.charset: expected at least 2 characters'
bad 'secrets: { a: { generate: password, charset: "abca" } }' "secrets.a.charset: 'a' appears more than once"
bad 'secrets: { a: { generate: password, charset: "ab\tc" } }' 'secrets.a.charset: character 3 (byte 0x09) is not printable ASCII'
bad 'secrets: { a: { generate: password, charset: "ab\x7f" } }' 'secrets.a.charset: character 3 (byte 0x7f) is not printable ASCII'
bad 'secrets: { a: { generate: password, charset: "aé" } }' 'secrets.a.charset: character 2 (byte 0xc3) is not printable ASCII'
bad 'secrets: { a: { generate: hex, charset: "ab" } }' 'secrets.a.charset: only for generate: password'
# jwt.expires_in: whole seconds (a fraction used to drop the exp claim), 0 for none, at most 1000y
ok 'secrets: { k: { generate: hex }, t: { jwt: { secret: k, expires_in: 1s } }, u: { jwt: { secret: k, expires_in: 0 } } }'
ok 'secrets: { k: { generate: hex }, t: { jwt: { secret: k, expires_in: 1000y } } }'
bad 'secrets: { k: { generate: hex }, t: { jwt: { secret: k, expires_in: 500ms } } }' 'secrets.t.jwt.expires_in: expected whole seconds'
bad 'secrets: { k: { generate: hex }, t: { jwt: { secret: k, expires_in: 1500ms } } }' 'secrets.t.jwt.expires_in: expected whole seconds'
bad 'secrets: { k: { generate: hex }, t: { jwt: { secret: k, expires_in: 1001y } } }' 'secrets.t.jwt.expires_in: expected a duration'
bad 'secrets: { k: { generate: hex }, t: { jwt: { secret: k, expires_in: 365001d } } }' 'secrets.t.jwt.expires_in: must be at most 1000y'
bad 'secrets: { a: { generate: password, length: 7 } }' 'secrets.a.length: expected an integer 8..4096'
bad 'secrets: { b: { generate: base64, bytes: 15 } }' 'secrets.b.bytes: expected an integer 16..4096'
# schedule.every 1s..366d, random_delay at most 1d, and only for a oneshot
ok 'type: oneshot
schedule: { every: 1s }'
ok 'type: oneshot
schedule: { every: 366d, random_delay: 1d }'
bad 'schedule: { every: 999ms }
type: oneshot' 'schedule.every: must be between 1s and 366d'
bad 'schedule: { every: 367d }
type: oneshot' 'schedule.every: must be between 1s and 366d'
bad 'schedule: { every: 1h, random_delay: 1d1s }
type: oneshot' 'schedule.random_delay: must be at most 1d'
bad 'schedule: { every: 1h }' 'schedule: needs type: oneshot'
# watchdog only for a notify service
bad 'watchdog: 10s' 'watchdog: needs type: notify'
# the main file: log_max_total 0 or 1K..1024T, metrics.interval 1s..1d
printf 'command: [sleep, "1"]\n' > "$T/services/r.yaml"
cp "$T/etc/svd.yaml" "$T/etc/main.orig"
# okmain / badmain LINE [MESSAGE]: LINE added at the end (line 8) of the main file
okmain() {
        { cat "$T/etc/main.orig"; printf '%s\n' "$1"; } > "$T/etc/svd.yaml"
        "$SVD" --check -c "$T/etc/svd.yaml" > /dev/null 2> "$T/err" || fail "refused: '$1': $(cat "$T/err")"
}
badmain() {
        { cat "$T/etc/main.orig"; printf '%s\n' "$1"; } > "$T/etc/svd.yaml"
        rc=0; "$SVD" --check -c "$T/etc/svd.yaml" > /dev/null 2> "$T/err" || rc=$?
        [ "$rc" = 1 ] || fail "out-of-range value accepted (exit $rc): '$1'"
        grep -q "etc/svd.yaml:8:[0-9]*: $2" "$T/err" || fail "'$1': want '$2', got: $(cat "$T/err")"
}
okmain 'log_max_total: 1K'
okmain 'log_max_total: 0'
okmain 'log_max_total: 1024T'
badmain 'log_max_total: 1023' 'log_max_total: must be 0 (none) or between 1K and 1024T'
badmain 'log_max_total: 1025T' 'log_max_total: must be 0 (none) or between 1K and 1024T'
okmain 'metrics: { interval: 1s }'
okmain 'metrics: { interval: 1d }'
badmain 'metrics: { interval: 999ms }' 'metrics.interval: must be between 1s and 1d'
badmain 'metrics: { interval: 1d1s }' 'metrics.interval: must be between 1s and 1d'
cp "$T/etc/main.orig" "$T/etc/svd.yaml"

# a reload with a value out of range changes nothing: same process, same definition
printf 'command: [sleep, "1000"]\nstop: { timeout: 5s }\n' > "$T/services/r.yaml"
start_svd
wait_state r running
pid1=$(field r pid)
printf 'command: [sleep, "1000"]\nstop: { timeout: 2h }\n' > "$T/services/r.yaml"
if svctl reload > "$T/out/r" 2>&1; then fail "reload with stop.timeout 2h succeeded"; fi
grep -q "services/r.yaml:2:[0-9]*: stop.timeout: must be at most 1h" "$T/out/r" || fail "reload error: $(cat "$T/out/r")"
grep -q "nothing was changed" "$T/out/r" || fail "reply does not say nothing changed: $(cat "$T/out/r")"
assert_eq "$(field r pid)" "$pid1" "r after a refused reload"
printf 'command: [sleep, "1000"]\nstop: { timeout: 5s }\n' > "$T/services/r.yaml"
svctl reload --dry-run > "$T/out/r" 2>&1 || fail "the running definition itself refused: $(cat "$T/out/r")"
grep -q "^change" "$T/out/r" && fail "the running definition was replaced: $(cat "$T/out/r")"
stop_svd
echo "config_ranges: ok"

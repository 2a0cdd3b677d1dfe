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
# backoff.factor >= 1.0, initial <= max
ok 'backoff: { factor: 1.0, initial: 60s, max: 1m }'
bad 'backoff: { factor: 0.9 }' 'backoff.factor: expected a number >= 1.0'
bad 'backoff: { initial: 61s, max: 1m }' 'backoff.initial: initial (1m1s) must not exceed max (1m)'
# healthcheck: retries 1..1000, interval/timeout at least 10ms, tcp/http timeout at most 1h
ok 'healthcheck: { tcp: "127.0.0.1:1", retries: 1000, interval: 10ms, timeout: 1h }'
bad 'healthcheck: { tcp: "127.0.0.1:1", retries: 1001 }' 'healthcheck.retries: expected an integer 1..1000'
bad 'healthcheck: { tcp: "127.0.0.1:1", interval: 9ms }' 'healthcheck.interval: must be at least 10ms'
bad 'healthcheck: { tcp: "127.0.0.1:1", timeout: 61m }' 'healthcheck.timeout: must be at most 1h for tcp and http checks'
ok 'healthcheck: { exec: [/bin/true], timeout: 2h }'
# resources: cpu_weight/io_weight 1..10000, pids_max 1..4194304
ok 'resources: { cpu_weight: 10000, io_weight: 1, pids_max: 4194304 }'
bad 'resources: { cpu_weight: 0 }' 'resources.cpu_weight: expected an integer 1..10000'
bad 'resources: { pids_max: 4194305 }' 'resources.pids_max: expected an integer 1..4194304'
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
# secrets: length 8..4096, bytes 16..4096, charset 2 to 256 characters
ok 'secrets: { a: { generate: password, length: 8, charset: "ab" }, b: { generate: hex, bytes: 4096 } }'
bad 'secrets: { a: { generate: password, length: 7 } }' 'secrets.a.length: expected an integer 8..4096'
bad 'secrets: { b: { generate: base64, bytes: 15 } }' 'secrets.b.bytes: expected an integer 16..4096'
# schedule.every at least 1s, and only for a oneshot
ok 'type: oneshot
schedule: { every: 1s }'
bad 'schedule: { every: 1h }' 'schedule: needs type: oneshot'
# watchdog only for a notify service
bad 'watchdog: 10s' 'watchdog: needs type: notify'
echo "config_ranges: ok"

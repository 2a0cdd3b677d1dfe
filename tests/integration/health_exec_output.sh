#!/bin/bash
# An exec check's output shown by svctl status is its first 1024 bytes
# (svd.yaml(5), healthcheck.exec): a longer output keeps exactly 1024 bytes
# of ASCII, and one of two-byte characters all 512 that fit, none cut in
# half; an output of exactly 1024 bytes is kept whole.
. "$(dirname "$0")/lib.sh"

service ascii <<EOF
command: [sleep, "1000"]
healthcheck:
  exec: [python3, -c, "import sys; sys.stdout.write('a' * 5000)"]
  start_interval: 50ms
EOF
service exact <<EOF
command: [sleep, "1000"]
healthcheck:
  exec: [python3, -c, "import sys; sys.stdout.write('b' * 1023 + 'c')"]
  start_interval: 50ms
EOF
service wide <<EOF
command: [sleep, "1000"]
healthcheck:
  exec: [python3, -c, "import sys; sys.stdout.buffer.write('\u00e9'.encode() * 600)"]
  start_interval: 50ms
EOF
service odd <<EOF
command: [sleep, "1000"]
healthcheck:
  exec: [python3, -c, "import sys; sys.stdout.buffer.write(b'x' + '\u00e9'.encode() * 600)"]
  start_interval: 50ms
EOF

start_svd
for s in ascii exact wide odd; do wait_field $s health healthy; done

# lengths in bytes of the UTF-8 text svctl shows
blen() { field "$1" probe_output | tr -d '\n' | wc -c; }
assert_eq "$(blen ascii)" "1024" "bytes kept of a 5000-byte output"
assert_eq "$(field exact probe_output)" "$(printf 'b%.0s' $(seq 1023))c" "an output of exactly 1024 bytes"
assert_eq "$(blen wide)" "1024" "bytes kept of 600 two-byte characters (512 fit)"
# 1 + 511 * 2 = 1023: the 512th character would cross byte 1024
assert_eq "$(blen odd)" "1023" "bytes kept when a character crosses byte 1024"
field odd probe_output | python3 -c 'import sys; t = sys.stdin.read(); sys.exit(0 if "\ufffd" not in t else 1)' ||
        fail "a character was cut in half"

#!/bin/bash
# from_file: one trailing newline is the editor's and is dropped, LF or
# CR LF; every other byte is the secret's. A carriage return that ends
# the file without a newline after it (the last byte of a binary key) is
# kept, as is a second newline.
. "$(dirname "$0")/lib.sh"

printf 'lf-terminated-operator-value\n' > "$T/out/lf"
printf 'crlf-terminated-operator-value\r\n' > "$T/out/crlf"
printf 'binary-key-ending-in-a-cr\r' > "$T/out/cr"
printf 'two-newlines-operator-value\n\n' > "$T/out/two"
chmod 600 "$T"/out/lf "$T"/out/crlf "$T"/out/cr "$T"/out/two
service app <<YAML
secrets:
  lf: { from_file: $T/out/lf }
  crlf: { from_file: $T/out/crlf }
  cr: { from_file: $T/out/cr }
  two: { from_file: $T/out/two }
command: [/bin/sh, -c, 'cp \$CREDENTIALS_DIRECTORY/* $T/out/got/; touch $T/out/done; exec sleep 1000']
YAML
mkdir -m 777 "$T/out/got"

start_svd
wait_for test -f "$T/out/done"
printf 'lf-terminated-operator-value' | cmp - "$T/out/got/lf" || fail "lf: $(od -c "$T/out/got/lf")"
printf 'crlf-terminated-operator-value' | cmp - "$T/out/got/crlf" || fail "crlf: $(od -c "$T/out/got/crlf")"
printf 'binary-key-ending-in-a-cr\r' | cmp - "$T/out/got/cr" || fail "cr: $(od -c "$T/out/got/cr")"
printf 'two-newlines-operator-value\n' | cmp - "$T/out/got/two" || fail "two: $(od -c "$T/out/got/two")"
# svctl secret get prints the same value (and its own newline)
{ printf 'binary-key-ending-in-a-cr\r'; echo; } | cmp - <(svctl secret get cr) || fail "get cr"
stop_svd || fail "svd exit status $?"
echo "secrets_from_file_eol: ok"

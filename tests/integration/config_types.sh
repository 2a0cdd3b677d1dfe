#!/bin/bash
# config_types: bad input always gets a clear error naming the file, line,
# column and key. For every key svd.yaml(5) documents (service, slice and
# main file), config_types.py writes a minimal valid configuration with that
# one key given a value of each wrong shape (a mapping, a list, a scalar where
# a mapping or list belongs, nothing, null, text for a number, duration, size
# or boolean, a negative or huge number, 100 KB of text, a NUL or a control
# character in a path or name) and runs `svd --check -c` on it: exit 1, no
# crash or hang, and every error line FILE:LINE:COL: KEY.PATH: message with
# the value's position (the key's, for an empty value) and the full dotted
# key. The key's documented shapes must pass. A failure prints one table row.
set -euo pipefail
top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
: "${SVD:?SVD must point at the svd binary}"
command -v python3 >/dev/null || { echo "SKIP: python3 missing"; exit 77; }
command -v timeout >/dev/null || { echo "SKIP: timeout missing"; exit 77; }
W=$(mktemp -d /tmp/svd-types.XXXXXX)
trap 'rm -rf "$W"' EXIT
PYTHONDONTWRITEBYTECODE=1 python3 "$top/tests/integration/config_types.py" "$top" "$SVD" "$W"

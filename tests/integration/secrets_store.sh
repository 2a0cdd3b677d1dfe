#!/bin/bash
# A store write is atomic (strace: temp file, fsync, rename, fsync of the
# directory). A secrets store that cannot be read is a clear error at start and is never
# overwritten: with one byte flipped, with a wrong key, or with its key file
# gone, svd still runs the services that need no secrets, and those that do
# are failed with the reason. The store's checksum is the same before, during
# and after; a missing key is not silently replaced.
. "$(dirname "$0")/lib.sh"

service app <<YAML
secrets:
  pw: { generate: password, length: 24 }
command: [/bin/sh, -c, 'exec sleep 1000']
YAML
service free <<YAML
command: [/bin/sh, -c, 'exec sleep 1000']
YAML

start_svd
wait_state app running
wait_state free running

# a write of the store is atomic: temp file, fsync, rename, fsync of the dir
if command -v strace > /dev/null; then
        strace -f -qq -p "$SVD_PID" -e trace=openat,fsync,rename,renameat,renameat2 -o "$T/strace" &
        tracer=$!
        wait_for grep -q TracerPid:.*[1-9] "/proc/$SVD_PID/status"
        svctl secret rotate pw > /dev/null || fail "rotate"
        wait_for grep -q 'rename.*secrets' "$T/strace"
        sleep 0.2
        kill "$tracer"
        wait "$tracer" 2> /dev/null || true
        python3 - "$T/strace" <<'PY' || fail "store write: $(grep -E 'secrets|fsync' "$T/strace")"
import re, sys
lines = [re.sub(r"^\d+\s+", "", l) for l in open(sys.argv[1])]
def find(pat, start=0):
    for i in range(start, len(lines)):
        m = re.search(pat, lines[i])
        if m:
            return i, m
    sys.exit("missing after line %d: %s" % (start, pat))
i, m = find(r'openat\(AT_FDCWD, "([^"]*/state)/secrets\.tmp", O_WRONLY\|O_CREAT\|O_EXCL.*\) = (\d+)')
d = re.escape(m[1])
i, _ = find(r"fsync\(%s\) += 0" % m[2], i)
i, _ = find(r'rename\("%s/secrets\.tmp", "%s/secrets"\) += 0' % (d, d), i)
i, m = find(r'openat\(AT_FDCWD, "%s", O_RDONLY[^)]*O_DIRECTORY[^)]*\) = (\d+)' % d, i)
find(r"fsync\(%s\) += 0" % m[1], i)
PY
fi
pw=$(svctl secret get pw)
stop_svd || fail "svd exit status $?"
cp "$T/state/secrets" "$T/good.store"
cp -p "$T/state/secrets.key" "$T/good.key"
sum=$(sha256sum < "$T/good.store")

# expect_refused WHAT REASON-PATTERN
expect_refused() {
        local before
        before=$(sha256sum < "$T/state/secrets")
        start_svd
        wait_state free running
        wait_state app failed
        field app reason | grep -q "$2" || fail "$1: app's reason: $(field app reason)"
        svctl secret list | grep -q "^store: broken" || fail "$1: secret list: $(svctl secret list)"
        out=$(svctl secret get pw 2>&1) && fail "$1: get worked"
        echo "$out" | grep -q "$2" || fail "$1: get said: $out"
        out=$(svctl secret rotate pw 2>&1) && fail "$1: rotate worked"
        grep -q "secrets: .*$2.*the store is left untouched" "$T/svd.out" || fail "$1: not in svd's log"
        # an operator restart does not help, nor rewrite anything
        svctl restart app > /dev/null || true
        wait_state app failed
        assert_eq "$(sha256sum < "$T/state/secrets")" "$before" "$1: store while svd runs"
        stop_svd || fail "svd exit status $?"
        assert_eq "$(sha256sum < "$T/state/secrets")" "$before" "$1: store after svd stopped"
}

# one byte flipped in the ciphertext
python3 - "$T/state/secrets" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
b[len(b) // 2] ^= 0x01
open(p, "wb").write(b)
PY
[ "$(sha256sum < "$T/state/secrets")" != "$sum" ] || fail "the flip did not change the file"
expect_refused "tampered" "cannot decrypt (wrong key, or the file was modified)"

# the right store under a wrong key
cp "$T/good.store" "$T/state/secrets"
rm -f "$T/state/secrets.key"
head -c 32 /dev/urandom > "$T/state/secrets.key"
chmod 400 "$T/state/secrets.key"
expect_refused "wrong key" "cannot decrypt (wrong key, or the file was modified)"

# the key file is gone: not replaced by a new one
rm -f "$T/state/secrets.key"
expect_refused "no key" "its key .* is missing"
[ ! -e "$T/state/secrets.key" ] || fail "a new key was created beside the old store"

# a key others can read is not trusted
cp -p "$T/good.key" "$T/state/secrets.key"
chmod 444 "$T/state/secrets.key"
expect_refused "open key" "readable by group or others"

# nor one another user owns (that user can read it whatever its mode)
chmod 400 "$T/state/secrets.key"
if [ "$(id -u)" = 0 ]; then
        chown 65534 "$T/state/secrets.key"
        expect_refused "foreign key" "owned by another user or readable by group or others"
        # unless that user owns the directory as well (who can replace the
        # file anyway: a root-squashed NFS state_dir)
        chown 65534 "$T/state"
        start_svd
        wait_state app running
        assert_eq "$(svctl secret get pw)" "$pw" "pw with the key of the directory's owner"
        stop_svd || fail "svd exit status $?"
        chown 0 "$T/state" "$T/state/secrets.key"
fi

# the right key again: everything as before
start_svd
wait_state app running
assert_eq "$(svctl secret get pw)" "$pw" "pw with the right key"
assert_eq "$(sha256sum < "$T/state/secrets")" "$sum" "store"
stop_svd || fail "svd exit status $?"
echo "secrets_store: ok"

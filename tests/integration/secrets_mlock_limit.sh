#!/bin/bash
# svd without CAP_IPC_LOCK and with a small RLIMIT_MEMLOCK: once the limit
# is used up, libsodium goes on without locking the memory of new values
# (which may then reach swap). svd notices and warns once, naming the
# limit; the services still get their secrets. With the usual limit no
# such warning is given (the other secrets tests).
. "$(dirname "$0")/lib.sh"
command -v prlimit > /dev/null || { echo "no prlimit"; exit 77; }
# AddressSanitizer's mlock does nothing and says it worked: nothing to notice
if ldd "$SVD" 2> /dev/null | grep -q libasan; then echo "svd built with ASan (mlock is a no-op)"; exit 77; fi
real=$SVD
if [ "$(id -u)" = 0 ]; then
        command -v setpriv > /dev/null || { echo "no setpriv"; exit 77; }
        # root's CAP_IPC_LOCK ignores the limit: dropped from the bounding
        # set, it is gone after the exec
        drop="setpriv --bounding-set=-ipc_lock"
else
        drop=
fi
cat > "$T/svd-wrap" <<SH
#!/bin/sh
exec prlimit --memlock=16384 $drop "$real" "\$@"
SH
chmod 755 "$T/svd-wrap"
SVD=$T/svd-wrap

service app <<YAML
secrets:
  s1: { generate: password }
  s2: { generate: password }
  s3: { generate: password }
  s4: { generate: password }
  s5: { generate: password }
  s6: { generate: password }
  s7: { generate: password }
  s8: { generate: password }
command: [/bin/sh, -c, 'cat \$CREDENTIALS_DIRECTORY/s8 > $T/out/s8; exec sleep 1000']
YAML

start_svd
wait_state app running
wait_for test -s "$T/out/s8"
assert_eq "$(cat "$T/out/s8")" "$(svctl secret get s8)" "s8 delivered"
svctl secret rotate s1 > /dev/null || fail "rotate"
wait_state app running
n=$(grep -c "secrets: secret memory can no longer be locked" "$T/svd.out" || true)
assert_eq "$n" 1 "warnings"
grep -q "secret memory can no longer be locked (mlock: .*): RLIMIT_MEMLOCK (16384 bytes) is used up" "$T/svd.out" ||
        fail "the warning does not name the limit: $(grep 'can no longer be locked' "$T/svd.out")"
stop_svd || fail "svd exit status $?"

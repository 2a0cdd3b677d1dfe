#!/bin/bash
# A program that is there but whose interpreter is not fails its exec with
# ENOENT, which alone reads "No such file or directory" about a file the
# operator can see: the reason names the missing interpreter, for a
# script's #! line, one with DOS line endings ("/bin/sh\r"), and an ELF
# program's loader (a musl build on a glibc system); a service's start and
# an exec health check alike, also one named by a path relative to its
# working_dir (read there, where the child ran it, not in svd's own working
# directory). A program that is really missing keeps the plain reason.
. "$(dirname "$0")/lib.sh"
mkdir -p "$T/bin"
printf '#!/nonexistent/python9\nprint(1)\n' > "$T/bin/py"
printf '#!/bin/sh\r\necho hi\r\n' > "$T/bin/dos"
chmod 755 "$T/bin/py" "$T/bin/dos"
# /bin/true with its PT_INTERP pointing nowhere
python3 - /bin/true "$T/bin/elf" <<'EOF' || { echo "cannot make an ELF with another interpreter"; exit 77; }
import struct, sys
b = bytearray(open(sys.argv[1], "rb").read())
assert b[:4] == b"\x7fELF" and b[4] == 2 and b[5] == 1  # 64-bit, little-endian
phoff, = struct.unpack_from("<Q", b, 0x20)
phentsize, phnum = struct.unpack_from("<HH", b, 0x36)
for i in range(phnum):
    p = phoff + i * phentsize
    ptype, = struct.unpack_from("<I", b, p)
    if ptype == 3:  # PT_INTERP
        off, = struct.unpack_from("<Q", b, p + 8)
        size, = struct.unpack_from("<Q", b, p + 32)
        new = b"/nonexistent/ld.so"
        assert len(new) < size
        b[off:off + size] = new + b"\0" * (size - len(new))
        break
else:
    sys.exit(1)
open(sys.argv[2], "wb").write(b)
EOF
chmod 755 "$T/bin/elf"
for n in py dos elf; do
        service "$n" <<EOF
command: [$T/bin/$n]
restart: "no"
EOF
done
service gone <<EOF
command: [$T/bin/gone]
restart: "no"
EOF
service rel <<EOF
working_dir: $T/bin
command: [./py]
restart: "no"
EOF
service relchecked <<EOF
working_dir: $T/bin
command: [sleep, "100000"]
healthcheck: { exec: [./dos], interval: 300ms }
EOF
# a user whose home directory is not there: the child ran from "/"
chmod o+x "$T" "$T/bin"
service nohome <<EOF
user: nobody
command: [$T/bin/py]
restart: "no"
EOF
service checked <<EOF
command: [sleep, "100000"]
healthcheck: { exec: [$T/bin/py], interval: 300ms }
EOF
start_svd
enoent="No such file or directory"
for n in py dos elf gone rel nohome; do wait_state $n failed; done
assert_eq "$(field py reason)" "exec: $T/bin/py: $enoent (its #! interpreter /nonexistent/python9 is missing)" "py"
assert_eq "$(field dos reason)" "exec: $T/bin/dos: $enoent (its #! line /bin/sh ends in a carriage return: DOS line endings)" "dos"
assert_eq "$(field elf reason)" "exec: $T/bin/elf: $enoent (its ELF interpreter /nonexistent/ld.so is missing)" "elf"
assert_eq "$(field gone reason)" "exec: $T/bin/gone: $enoent" "gone"
assert_eq "$(field nohome reason)" "exec: $T/bin/py: $enoent (its #! interpreter /nonexistent/python9 is missing)" "nohome"
assert_eq "$(field rel reason)" "exec: ./py: $enoent (its #! interpreter /nonexistent/python9 is missing)" "rel"
wait_field relchecked last_probe "probe: exec: ./dos: $enoent (its #! line /bin/sh ends in a carriage return: DOS line endings)"
wait_field checked last_probe "probe: exec: $T/bin/py: $enoent (its #! interpreter /nonexistent/python9 is missing)"
stop_svd || fail "svd exit status"
echo "spawn_interp: ok"

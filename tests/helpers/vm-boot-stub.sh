#!/bin/bash
# vm-boot-stub.sh: a stand-in boot test (VM_BOOT_TESTS) for
# tests/integration/check_vm_hang.sh: one `$VMRUN --init` call, as the boot
# tests in tests/vm make, with tests/helpers/fake-vmrun behind it.
set -eu
"$VMRUN" --init --timeout 300 -- /bin/sh -c 'echo "vm-boot-stub: ran, TMPDIR=${TMPDIR-unset}"'

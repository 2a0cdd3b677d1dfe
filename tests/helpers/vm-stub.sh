#!/bin/bash
# vm-stub.sh: a stand-in VM test for tests/integration/check_vm_hang.sh,
# which runs `make check-vm` with tests/helpers/fake-vmrun: that runs it on
# the host, where it only says that it ran and how.
echo "vm-stub: ran, VMRUN=${VMRUN:-} SVD_TEST_SCALE=${SVD_TEST_SCALE:-} TMPDIR=${TMPDIR-unset}"

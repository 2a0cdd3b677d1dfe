#!/bin/bash
# An allow list that leaves out a newer system call whose older equivalent
# it allows: the newer one must fail with ENOSYS whatever the list's action,
# as on a kernel without it, because that is the only answer on which glibc
# falls back to the older call. With EPERM, pthread_create (clone3 first
# since glibc 2.34) failed although clone was allowed, glibc's faccessat
# (faccessat2 first) failed although faccessat was allowed, and with
# action: kill the first thread killed the service. A call the list does
# allow still reaches the kernel (clone3(NULL, 0): EINVAL).
. "$(dirname "$0")/lib.sh"
sbx_report_setup fallback
trap 'rm -rf "$SHM"; cleanup' EXIT

# what sbx-report itself needs, and clone (not clone3) for threads
BASE='"@basic-io", "@file-system", "@signal", clone, mprotect, madvise, umask, prctl'
service thr <<EOF
type: oneshot
restart: "no"
sandbox: { seccomp: { allow: [$BASE] } }
command: [$R, $SHM/thr, thread, clone3]
EOF
service thrkill <<EOF
type: oneshot
restart: "no"
sandbox: { seccomp: { allow: [$BASE], action: kill } }
command: [$R, $SHM/thrkill, thread, clone3]
EOF
service thr3 <<EOF
type: oneshot
restart: "no"
sandbox: { seccomp: { allow: [$BASE, clone3] } }
command: [$R, $SHM/thr3, thread, clone3]
EOF
service facc <<EOF
type: oneshot
restart: "no"
sandbox: { seccomp: { allow: ["@basic-io", "@signal", openat, fstat, newfstatat, rename, renameat, renameat2, faccessat, mprotect, getcwd, umask, prctl] } }
command: [$R, $SHM/facc, faccessat]
EOF
start_svd

ended() { case "$(field "$1" state)" in exited | failed) return 0 ;; esac; return 1; }
get() { sed -n "s|^$2=||p" "$1"; }
expect() {
        [ -f "$SHM/$1" ] || fail "$1: no report (state $(field "$1" state), $(field "$1" reason))"
        local v
        v=$(get "$SHM/$1" "$2")
        [ "$v" = "$3" ] || fail "$1: $2 = '$v', expected '$3'"
}
for s in thr thrkill thr3 facc; do
        deadline=$(($(date +%s) + 60 * SCALE))
        until ended $s; do
                [ "$(date +%s)" -gt "$deadline" ] && fail "$s did not end: $(field $s state)"
                sleep 0.05
        done
done
expect thr thread ok
expect thr clone3 ENOSYS
expect thrkill thread ok
expect thrkill clone3 ENOSYS
expect thr3 thread ok
expect thr3 clone3 EINVAL
expect facc faccessat ok
for s in thr thrkill thr3 facc; do assert_eq "$(field $s state)" exited "$s state"; done
stop_svd || fail "svd exit status"
echo "sandbox_fallback: ok"

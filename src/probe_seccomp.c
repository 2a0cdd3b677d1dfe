/* probe_seccomp: the filter. The list was derived empirically -- `strace -f -c`
 * over the prober's integration test (TCP and HTTP checks, refused and timed
 * out ones, 50 concurrent transfers, names resolved by curl's resolver thread
 * and by getaddrinfo_a's threads for tcp checks) -- then reviewed call by
 * call; see the
 * comments. Beyond a plain allow-list, arguments narrow the risky calls:
 *   - clone only with CLONE_THREAD (getaddrinfo_a's threads; no new
 *     processes), clone3 fails with ENOSYS so glibc falls back to clone, whose
 *     flags we can inspect (clone3 passes them in memory);
 *   - openat only read-only, never creating or truncating (CA bundle,
 *     /etc/hosts, resolv.conf, nsswitch.conf, openssl.cnf);
 *   - socket only for AF_INET, AF_INET6, AF_UNIX (nscd, curl's wakeup pair) and
 *     AF_NETLINK (getaddrinfo's AI_ADDRCONFIG interface scan);
 *   - tgkill/tkill only towards our own process (abort(), thread cancel);
 *   - ioctl only FIONREAD, FIONBIO, TCGETS and SIOCGIFINDEX.
 * Not allowed, among everything else: execve, fork, ptrace, kill, mount, bpf,
 * io_uring, process_vm_*, opening a file for writing.
 * Sanitizer builds get the few extra calls ASan/LSan's runtime makes for its
 * reports and its exit-time leak check (see sanitizer_extra). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <seccomp.h>

#include "probe_seccomp.h"
#include "util.h"

#if defined(__SANITIZE_ADDRESS__)
#define PROBE_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PROBE_SANITIZED 1
#endif
#endif

/* Seen after the filter point in the strace runs, plus (marked *) calls a
 * reviewed code path makes that the test did not reach. */
static const char *const allowed[] = {
        /* fds and plain I/O: replies, log lines (*write), /etc files, CA store */
        "read", "write", "writev" /* * */, "pread64" /* * */, "close", "fcntl", "lseek",
        "fstat" /* * */, "newfstatat", "statx" /* * */, "access" /* * */, "faccessat" /* * */,
        "faccessat2" /* * */,
        /* memory: malloc, thread stacks */
        "brk", "mmap", "munmap", "mremap" /* * realloc */, "mprotect", "madvise",
        /* event loop: epoll (libev), poll (curl, glibc resolver) */
        "epoll_wait", "epoll_pwait" /* * */, "epoll_ctl", "poll", "ppoll" /* * */,
        /* sockets (socket() and socketpair() are argument-filtered below); bind
         * only for glibc's netlink interface scan, connect for checks, DNS, nscd;
         * sendmmsg for the resolver and for svd-probe's batched replies */
        "connect", "bind" /* * */, "getsockopt", "setsockopt", "getsockname", "getpeername",
        "sendto", "recvfrom", "sendmsg" /* * */, "recvmsg", "sendmmsg", "shutdown" /* * */,
        /* time: normally the vDSO; clock_nanosleep is libev's io collect
         * sleep (svd-probe.c batches wakeups) */
        "clock_gettime" /* * */, "gettimeofday" /* * */, "clock_nanosleep", "nanosleep" /* * */,
        /* threads (getaddrinfo_a's, probe_lookup.c: curl's resolver no
         * longer starts any; clone itself is filtered below) */
        "futex", "set_robust_list", "rseq", "sched_yield" /* * */, "exit", "exit_group",
        "getpid", "gettid" /* * */,
        /* signals: masks around thread creation, curl's SIGPIPE save/restore */
        "rt_sigprocmask", "rt_sigaction", "rt_sigreturn" /* * */, "restart_syscall" /* * */,
        /* misc: OpenSSL and curl randomness, resolver's uname */
        "getrandom", "uname", "getuid" /* * */, "geteuid" /* * */, "getgid" /* * */, "getegid" /* * */,
};

#ifdef PROBE_SANITIZED
/* ASan/UBSan report and LSan's exit-time leak check: LSan stops the world by
 * cloning a tracer task (not a thread) that ptraces the others. Only in
 * sanitizer builds, which never ship. */
static const char *const sanitizer_extra[] = {
        "prctl", "ptrace", "wait4", "waitid", "sigaltstack", "readlink", "readlinkat", "sched_getaffinity",
        "getpgid", "getppid", "kill", "tgkill", "tkill", "mincore", "open", "pipe", "pipe2", "dup", "dup2",
        "dup3", "getdents", "getdents64", "prlimit64", "getrlimit", "setrlimit", "sysinfo", "set_tid_address",
};
#endif

/* Adds a rule by name; a syscall this architecture does not have (open on
 * aarch64, say) is skipped rather than an error. */
static int rule(scmp_filter_ctx ctx, uint32_t action, const char *name, unsigned n,
                const struct scmp_arg_cmp *args)
{
        int nr = seccomp_syscall_resolve_name(name);
        if (nr < 0)
                return 0;
        return seccomp_rule_add_array(ctx, action, nr, n, args);
}

#define ARGS(...) ELEMENTSOF(((const struct scmp_arg_cmp[]){ __VA_ARGS__ })), \
                  ((const struct scmp_arg_cmp[]){ __VA_ARGS__ })

static int allow_names(scmp_filter_ctx ctx, const char *const *names, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                int r = rule(ctx, SCMP_ACT_ALLOW, names[i], 0, NULL);
                if (r < 0)
                        return r;
        }
        return 0;
}

static void ctx_releasep(scmp_filter_ctx *ctx)
{
        if (*ctx)
                seccomp_release(*ctx);
}

int probe_seccomp_install(void)
{
        _cleanup_(ctx_releasep) scmp_filter_ctx ctx = NULL;
        int r;

        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return -errno;

        ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
        if (!ctx)
                return -ENOMEM;
        /* seccomp_init knows only the native arch: any other (i386 via int 0x80,
         * x32) hits the bad-arch action, made a kill too. */
        r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
        if (r < 0)
                return r;

        /* Every syscall of every check runs the filter: a binary tree of the
         * syscall numbers instead of libseccomp's default linear chain of
         * ~70 comparisons. */
        r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
        if (r < 0)
                return r;

        r = allow_names(ctx, allowed, ELEMENTSOF(allowed));
        if (r < 0)
                return r;
#ifdef PROBE_SANITIZED
        r = allow_names(ctx, sanitizer_extra, ELEMENTSOF(sanitizer_extra));
        if (r < 0)
                return r;
        r = rule(ctx, SCMP_ACT_ALLOW, "clone", 0, NULL);
        if (r < 0)
                return r;
#else
        r = rule(ctx, SCMP_ACT_ALLOW, "clone", ARGS(SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD)));
        if (r < 0)
                return r;
        pid_t self = getpid();
        r = rule(ctx, SCMP_ACT_ALLOW, "tgkill", ARGS(SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)self)));
        if (r < 0)
                return r;
#endif
        /* No TIOCSTI and friends on an inherited terminal: only the two
         * socket ioctls glibc's resolver and curl may issue, isatty(), and
         * if_nametoindex()'s, by which getaddrinfo and curl read the zone
         * of an IPv6 literal ("fe80::1%eth0": an interface name to its
         * index, nothing changed). */
        static const unsigned long ioctls[] = { FIONREAD, FIONBIO, TCGETS, SIOCGIFINDEX };
        for (size_t i = 0; i < ELEMENTSOF(ioctls); i++) {
                r = rule(ctx, SCMP_ACT_ALLOW, "ioctl", ARGS(SCMP_A1(SCMP_CMP_EQ, (scmp_datum_t)ioctls[i])));
                if (r < 0)
                        return r;
        }
        r = rule(ctx, SCMP_ACT_ERRNO(ENOSYS), "clone3", 0, NULL);
        if (r < 0)
                return r;

        /* Read-only opens: the access mode must be O_RDONLY and neither O_CREAT
         * nor O_TRUNC may be set. */
        const scmp_datum_t open_mask = O_ACCMODE | O_CREAT | O_TRUNC;
        r = rule(ctx, SCMP_ACT_ALLOW, "openat", ARGS(SCMP_A2(SCMP_CMP_MASKED_EQ, open_mask, O_RDONLY)));
        if (r < 0)
                return r;
#ifndef PROBE_SANITIZED
        r = rule(ctx, SCMP_ACT_ALLOW, "open", ARGS(SCMP_A1(SCMP_CMP_MASKED_EQ, open_mask, O_RDONLY)));
        if (r < 0)
                return r;
#endif

        static const int families[] = { AF_INET, AF_INET6, AF_UNIX, AF_NETLINK };
        for (size_t i = 0; i < ELEMENTSOF(families); i++) {
                r = rule(ctx, SCMP_ACT_ALLOW, "socket", ARGS(SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)families[i])));
                if (r < 0)
                        return r;
        }
        r = rule(ctx, SCMP_ACT_ALLOW, "socketpair", ARGS(SCMP_A0(SCMP_CMP_EQ, AF_UNIX)));
        if (r < 0)
                return r;

        return seccomp_load(ctx);
}

/* spawn: vfork-style child creation with a fixed order of setup stages
 * (signals, session, cgroup, stdio, groups, gid, uid, working directory,
 * exec). See spawn.h for why CLONE_VM|CLONE_VFORK. The sandbox stages
 * (mounts, rlimits, securebits, capabilities, no_new_privs, seccomp) come
 * from a plan the parent built (sandbox.h) and run in the fixed order below,
 * seccomp last. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nofile.h"
#include "sandbox.h"
#include "sigdfl.h"
#include "spawn.h"
#include "util.h"

static const char *const stage_names[_SPAWN_STAGE_MAX] = {
        [SPAWN_STAGE_NONE] = "none",       [SPAWN_STAGE_CLONE] = "clone",
        [SPAWN_STAGE_SIGNALS] = "signals", [SPAWN_STAGE_SESSION] = "session",
        [SPAWN_STAGE_CGROUP] = "cgroup",
        [SPAWN_STAGE_STDIO] = "stdio",     [SPAWN_STAGE_CHDIR] = "chdir",
        [SPAWN_STAGE_GROUPS] = "groups",   [SPAWN_STAGE_GID] = "setgid",
        [SPAWN_STAGE_UID] = "setuid",      [SPAWN_STAGE_EXEC] = "exec",
        [SPAWN_STAGE_MOUNTS] = "mounts",   [SPAWN_STAGE_RLIMITS] = "rlimits",
        [SPAWN_STAGE_SECUREBITS] = "securebits", [SPAWN_STAGE_CAPS] = "capabilities",
        [SPAWN_STAGE_NNP] = "no_new_privs", [SPAWN_STAGE_SECCOMP] = "seccomp",
};

const char *spawn_stage_name(enum spawn_stage s) {
        return (unsigned)s < _SPAWN_STAGE_MAX ? stage_names[s] : "unknown";
}

struct child_args {
        const struct spawn_req *req;
        pid_t parent; /* svd */
        const sigset_t *oldmask;
        bool in_cgroup; /* clone3 put the child in its cgroup already */
        volatile struct spawn_error err; /* written by the child, read after it execs or dies */
};

/* Moves fd to target, even when fd already is target (then only clears
 * CLOEXEC, which dup2 would not do). */
static int move_fd(int fd, int target) {
        if (fd == target) {
                int fl = fcntl(fd, F_GETFD);
                if (fl < 0 || fcntl(fd, F_SETFD, fl & ~FD_CLOEXEC) < 0)
                        return -1;
                return 0;
        }
        return dup2(fd, target) < 0 ? -1 : 0;
}

/* Decimal digits of v at q; returns the end. */
__attribute__((no_sanitize("address", "undefined")))
static char *put_ull(char *q, unsigned long long v) {
        char d[24];
        int n = 0;
        do
                d[n++] = (char)('0' + v % 10);
        while (v /= 10);
        while (n)
                *q++ = d[--n];
        return q;
}

/* spawn.h, struct spawn_journal. Nothing here fails the spawn: a line that
 * cannot be written is the parent's to write after the clone, as before. */
__attribute__((no_sanitize("address", "undefined")))
static void child_journal(const struct child_args *a, struct spawn_journal *j) {
        /* From here until the line is written, svd's death is the child's.
         * Before here, the check below: svd died before the prctl. */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
                return;
        if (getppid() != a->parent)
                _exit(127);
        char buf[512], line[200];
        int fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
        ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
        if (fd >= 0)
                close(fd);
        if (n > 0) {
                buf[n] = 0;
                /* field 1, the pid as svd's /proc sees it; 22 after the last ')' */
                unsigned long long pid = 0, start = 0;
                char *p = buf, *e = buf + n;
                while (*p >= '0' && *p <= '9')
                        pid = pid * 10 + (unsigned)(*p++ - '0');
                char *c = NULL;
                for (char *q = buf; q < e; q++)
                        if (*q == ')')
                                c = q;
                /* the k-th space after it opens field k + 2 */
                for (int spaces = 0; c && c < e; c++)
                        if (*c == ' ' && ++spaces == 20) {
                                while (c[1] >= '0' && c[1] <= '9' && start < 1ULL << 60)
                                        start = start * 10 + (unsigned)(*++c - '0');
                                break;
                        }
                size_t nl = strlen(j->name);
                /* (a /proc of another pid namespace would name another process) */
                if (pid > 1 && pid == (unsigned long long)getpid() && start && nl + 50 < sizeof(line)) {
                        char *q = line;
                        *q++ = 'S';
                        *q++ = ' ';
                        q = put_ull(q, pid);
                        *q++ = ' ';
                        q = put_ull(q, start);
                        *q++ = ' ';
                        memcpy(q, j->name, nl);
                        q += nl;
                        *q++ = '\n';
                        j->len = (int)(q - line);
                        j->start = start;
                        ssize_t w = write(j->fd, line, (size_t)j->len);
                        j->written = w > 0 ? (int)w : 0;
                }
        }
        /* the service outlives svd from now on (a new svd takes it over) */
        (void)prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
}

/* Not instrumented: it runs on a private stack in a vfork-style child, where
 * sanitizer bookkeeping would touch the parent's shadow state. */
__attribute__((no_sanitize("address", "undefined")))
static int child_main(void *p) {
        struct child_args *a = p;
        const struct spawn_req *r = a->req;
        enum spawn_stage st;

        if (r->journal)
                child_journal(a, r->journal);

        /* Signal handlers belong to svd and share our memory: reset them all
         * (sigdfl.h) before anything can be delivered, then empty the mask. */
        st = SPAWN_STAGE_SIGNALS;
        sigdfl_all();
        sigset_t empty;
        sigemptyset(&empty);
        if (sigprocmask(SIG_SETMASK, &empty, NULL) < 0)
                goto fail;

        st = SPAWN_STAGE_SESSION;
        if (setsid() < 0)
                goto fail;

        /* Join the service's cgroup while svd waits (vfork): the limits hold
         * from the first instruction of the service. "0" means "me". */
        st = SPAWN_STAGE_CGROUP;
        if (!a->in_cgroup && r->cgroup_procs_fd >= 0 && write(r->cgroup_procs_fd, "0", 1) < 0)
                goto fail;

        st = SPAWN_STAGE_STDIO;
        /* Lift the fds above 2 first so that moving one into place cannot
         * clobber another that still has to move. */
        int nfd = r->extra_fd >= 0 ? 4 : 3;
        int fds[4] = {r->stdin_fd, r->stdout_fd, r->stderr_fd, r->extra_fd};
        for (int i = 0; i < nfd; i++)
                if (fds[i] < nfd) {
                        fds[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, nfd);
                        if (fds[i] < 0)
                                goto fail;
                }
        for (int i = 0; i < nfd; i++)
                if (move_fd(fds[i], i) < 0)
                        goto fail;

        if (r->pid_env) {
                /* No snprintf here: format our pid by hand after the '='. */
                char *q = strchr(r->pid_env, '=');
                if (q) {
                        char digits[24];
                        int n = 0;
                        for (unsigned long v = (unsigned long)getpid(); v || !n; v /= 10)
                                digits[n++] = (char)('0' + v % 10);
                        q++;
                        while (n)
                                *q++ = digits[--n];
                        *q = 0;
                }
        }

        /* The sandbox stages (sandbox_child.c explains the order). */
        const struct sandbox_plan *sb = r->sandbox;
        st = SPAWN_STAGE_MOUNTS;
        if (r->join_mntns) {
                if (setns(r->mntns_fd, CLONE_NEWNS) < 0)
                        goto fail;
        } else if (sb && sandbox_child_mounts(sb) < 0)
                goto fail;

        st = SPAWN_STAGE_RLIMITS;
        const struct rlimit *nofile = r->svd_nofile ? NULL : nofile_services();
        if (nofile && setrlimit(RLIMIT_NOFILE, nofile) < 0) {
                a->err.detail = -1;
                goto fail;
        }
        int bad = sb ? sandbox_child_rlimits(sb) : 0;
        if (bad < 0) {
                a->err.detail = -bad; /* 1 + its index */
                goto fail;
        }

        /* The ids are set by the system calls themselves, not glibc's
         * wrappers (as glibc's own posix_spawn does): once svd has had a
         * thread, a wrapper runs glibc's all-threads setxid protocol, which
         * in this child (svd's memory, svd's thread list) would mark svd's
         * other threads' records and signal tids that are not the child's.
         * The child is one thread: the call on it is all there is to do. */
        if (r->set_ids) {
                st = SPAWN_STAGE_GROUPS;
                if (syscall(SYS_setgroups, (size_t)r->n_groups, r->groups) < 0)
                        goto fail;
                st = SPAWN_STAGE_GID;
                if (syscall(SYS_setresgid, r->gid, r->gid, r->gid) < 0)
                        goto fail;
                st = SPAWN_STAGE_SECUREBITS;
                if (sb && sandbox_child_securebits(sb) < 0)
                        goto fail;
                st = SPAWN_STAGE_UID;
                if (syscall(SYS_setresuid, r->uid, r->uid, r->uid) < 0)
                        goto fail;
        }

        st = SPAWN_STAGE_CAPS;
        if (sb && sandbox_child_caps(sb) < 0)
                goto fail;
        /* The working directory is entered as the service, with its own
         * uid, groups and capabilities (a user service holds root's only
         * until the stage above) and inside its mounts: a directory the
         * service could not enter itself (/root for nobody, a root-squashed
         * NFS home) fails the start here instead of serving as its cwd. A
         * default the user cannot enter (its home) is "/" instead. */
        st = SPAWN_STAGE_CHDIR;
        if (chdir(r->cwd ? r->cwd : "/") < 0 && (!r->cwd_optional || chdir("/") < 0))
                goto fail;
        st = SPAWN_STAGE_NNP;
        if (sb && sandbox_child_nnp(sb) < 0)
                goto fail;
        /* last: nothing above runs under the filter */
        st = SPAWN_STAGE_SECCOMP;
        if (sb && sandbox_child_seccomp(sb) < 0)
                goto fail;

        st = SPAWN_STAGE_EXEC;
        if (r->ret_exec_mono) /* clock_gettime: async-signal-safe, no allocation */
                *r->ret_exec_mono = now_mono();
        execve(r->path, r->argv, r->envp);
fail:
        a->err.stage = st;
        a->err.err = errno;
        _exit(127);
}

/* One stack for every spawn: the parent is suspended while the child uses it
 * (CLONE_VFORK), and svd spawns from one thread only. */
#define CHILD_STACK_SIZE (64 * 1024)
static void *child_stack;

/* clone3(2) with CLONE_INTO_CGROUP (Linux 5.7+): the child is created inside
 * the service's cgroup, so it is never accounted or limited anywhere else,
 * not even between clone and its first instruction. clone3 with a new stack
 * cannot be called from C (the child would return into the caller's frame on
 * the wrong stack), so a few lines of assembly call fn(arg) on the new stack
 * in the child, as clone(3) does; x86-64 only, other architectures use
 * clone() and the cgroup.procs write. The struct is the kernel's ABI
 * (CLONE_ARGS_SIZE_VER2). */
struct clone3_args {
        uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid,
                set_tid_size, cgroup;
};
#define SVD_CLONE_INTO_CGROUP 0x200000000ULL

#if defined(__x86_64__)
#define HAVE_CLONE3_TRAMPOLINE 1
/* long svd_clone3(struct clone3_args *args, size_t size, int (*fn)(void *), void *arg):
 * fn and arg are kept in r8/r9, which the syscall instruction preserves in
 * both processes; the child starts on stack + stack_size (16-byte aligned,
 * so the call leaves fn's frame as the ABI wants) and exits with fn's result. */
__asm__(".text\n"
        ".globl svd_clone3\n"
        ".hidden svd_clone3\n"
        ".type svd_clone3,@function\n"
        "svd_clone3:\n"
#ifdef __CET__
        "        endbr64\n"
#endif
        "        mov %rdx, %r8\n"
        "        mov %rcx, %r9\n"
        "        mov $435, %eax\n" /* __NR_clone3 */
        "        syscall\n"
        "        test %rax, %rax\n"
        "        jnz 1f\n"
        "        xor %ebp, %ebp\n"
        "        mov %r9, %rdi\n"
        "        call *%r8\n"
        "        mov %eax, %edi\n"
        "        mov $60, %eax\n" /* __NR_exit */
        "        syscall\n"
        "        hlt\n"
        "1:      ret\n"
        ".size svd_clone3, .-svd_clone3\n");
long svd_clone3(struct clone3_args *args, size_t size, int (*fn)(void *), void *arg);
#endif

/* 0 untried, 1 clone3 used, -errno: unusable here (then clone() and the
 * cgroup.procs write, for good). */
static int clone3_status;

int spawn_clone3_status(void) {
        return clone3_status;
}

/* clone3 into the cgroup; -ENOSYS when it cannot be used for this spawn (the
 * caller then uses clone()), other -errno: the spawn itself failed. */
static pid_t try_clone3(struct child_args *a) {
#ifdef HAVE_CLONE3_TRAMPOLINE
        if (a->req->cgroup_fd < 0 || clone3_status < 0)
                return -ENOSYS;
        struct clone3_args ca = {
                .flags = CLONE_VM | CLONE_VFORK | SVD_CLONE_INTO_CGROUP,
                .exit_signal = SIGCHLD,
                .stack = (uint64_t)(uintptr_t)child_stack,
                .stack_size = CHILD_STACK_SIZE,
                .cgroup = (uint64_t)a->req->cgroup_fd,
        };
        a->in_cgroup = true;
        long pid = svd_clone3(&ca, sizeof(ca), child_main, a);
        if (pid >= 0) {
                clone3_status = 1;
                return (pid_t)pid;
        }
        a->in_cgroup = false;
        switch (pid) {
        case -ENOSYS: /* before 5.3, or a seccomp filter of a container runtime */
        case -E2BIG:  /* 5.3 - 5.6: no cgroup field */
        case -EPERM:  /* a seccomp filter */
                if (clone3_status == 0)
                        clone3_status = (int)pid;
                return -ENOSYS;
        case -EAGAIN: /* pids.max of the cgroup, or RLIMIT_NPROC: the spawn fails */
        case -ENOMEM:
                return (pid_t)pid;
        default:
                /* this cgroup refused (e.g. not a domain): the cgroup.procs
                 * write reports why, by stage */
                return -ENOSYS;
        }
#else
        if (a->req->cgroup_fd >= 0 && clone3_status == 0)
                clone3_status = -ENOSYS;
        return -ENOSYS;
#endif
}

int spawn_start(const struct spawn_req *req, pid_t *ret_pid, struct spawn_error *ret_err) {
        if (!child_stack) {
                child_stack = mmap(NULL, CHILD_STACK_SIZE, PROT_READ | PROT_WRITE,
                                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
                if (child_stack == MAP_FAILED) {
                        child_stack = NULL;
                        return -ENOMEM;
                }
        }

        struct child_args a = {.req = req, .parent = getpid()};
        if (req->journal)
                req->journal->len = req->journal->written = 0;
        sigset_t all, old;
        sigfillset(&all);
        /* No handler of ours may run in the child while it shares our memory. */
        sigprocmask(SIG_SETMASK, &all, &old);
        a.oldmask = &old;
        pid_t pid = try_clone3(&a);
        int clone_errno = -pid;
        if (pid == -ENOSYS) {
                pid = clone(child_main, (char *)child_stack + CHILD_STACK_SIZE, CLONE_VM | CLONE_VFORK | SIGCHLD,
                            &a);
                clone_errno = errno;
        }
        sigprocmask(SIG_SETMASK, &old, NULL);

        if (pid < 0) {
                if (ret_err)
                        *ret_err = (struct spawn_error){SPAWN_STAGE_CLONE, clone_errno, 0};
                return -clone_errno;
        }
        if (a.err.stage != SPAWN_STAGE_NONE) {
                /* The child has already _exit()ed (vfork semantics): reap it so
                 * it never shows up as a service exit. */
                int status;
                while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                        ;
                if (ret_err)
                        *ret_err = (struct spawn_error){a.err.stage, a.err.err, a.err.detail};
                return -a.err.err;
        }
        *ret_pid = pid;
        return 0;
}

char *spawn_find_executable(const char *name, const char *path_env) {
        if (strchr(name, '/')) {
                if (access(name, X_OK) < 0)
                        return NULL;
                return strdup(name);
        }
        if (!path_env)
                path_env = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        size_t nlen = strlen(name);
        const char *p = path_env;
        int last_err = ENOENT;
        while (*p) {
                const char *e = strchrnul(p, ':');
                size_t dlen = (size_t)(e - p);
                char *cand = malloc(dlen + nlen + 3);
                if (!cand)
                        return NULL;
                if (dlen == 0)
                        memcpy(cand, ".", (dlen = 1));
                else
                        memcpy(cand, p, dlen);
                cand[dlen] = '/';
                memcpy(cand + dlen + 1, name, nlen + 1);
                struct stat stt;
                if (stat(cand, &stt) == 0 && S_ISREG(stt.st_mode) && access(cand, X_OK) == 0)
                        return cand;
                if (errno == EACCES)
                        last_err = EACCES;
                free(cand);
                p = *e ? e + 1 : e;
        }
        errno = last_err;
        return NULL;
}

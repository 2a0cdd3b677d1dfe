/* sandbox_seccomp: compiles a service's seccomp: setting to classic BPF in
 * the parent, with libseccomp, so the child only has to hand the finished
 * program to prctl(PR_SET_SECCOMP). The filter covers the native
 * architecture only: a system call made through another ABI (i386 int 0x80,
 * x32 on x86-64) kills the process, so no compat entry point slips past a
 * deny list. In allow mode @default (exit, execve, signal return, ...) is
 * always allowed, or the service could not even be exec'd, and a newer call
 * the list leaves out fails with ENOSYS (newer_calls below). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "dl_seccomp.h"

#include "config.h"
#include "sandbox.h"
#include "sandbox_groups.h"

/* Adds name (a call or an @group) with action; unknown names on this
 * architecture are skipped (config_sandbox.c rejected true typos). */
static int add_name(scmp_filter_ctx ctx, uint32_t action, const char *name, int depth)
{
        if (name[0] == '@') {
                const char *const *g = sbx_group_get(name);
                if (!g || depth > 4)
                        return -EINVAL;
                for (; *g; g++) {
                        int r = add_name(ctx, action, *g, depth + 1);
                        if (r < 0)
                                return r;
                }
                return 0;
        }
        int nr = seccomp_syscall_resolve_name(name);
        if (nr == __NR_SCMP_ERROR)
                return 0;
        int r = seccomp_rule_add(ctx, action, nr, 0);
        /* -EEXIST: listed twice; -EDOM: a pseudo number this arch lacks */
        return r == -EEXIST || r == -EDOM ? 0 : r;
}

static int add_list(scmp_filter_ctx ctx, uint32_t action, char *const *names)
{
        for (; names && *names; names++) {
                int r = add_name(ctx, action, *names, 0);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* The calls an io_uring can make in the kernel's name (its IORING_OP_*
 * operations, up to Linux 6.16): a deny list that names one of them
 * would be bypassed through a ring, so it denies the ring too. */
static const char *const uring_reach[] = {
        "read", "readv", "pread64", "preadv", "preadv2", "write", "writev", "pwrite64", "pwritev", "pwritev2",
        "fsync", "fdatasync", "sync_file_range", "poll", "ppoll", "epoll_ctl", "epoll_wait", "epoll_pwait",
        "sendmsg", "recvmsg", "sendto", "recvfrom", "accept", "accept4", "connect", "socket", "bind", "listen",
        "shutdown", "getsockopt", "setsockopt", "close", "open", "openat", "openat2", "statx", "fadvise64",
        "madvise", "fallocate", "ftruncate", "splice", "tee", "rename", "renameat", "renameat2", "unlink",
        "unlinkat", "rmdir", "mkdir", "mkdirat", "symlink", "symlinkat", "link", "linkat", "setxattr",
        "fsetxattr", "getxattr", "fgetxattr", "waitid", "futex", "futex_waitv", "pipe", "pipe2", "nanosleep",
        "clock_nanosleep", NULL
};
static const char *const uring_calls[] = { "io_uring_setup", "io_uring_enter", "io_uring_register", NULL };

/* Whether names (calls and @groups) include one a ring can make. */
static bool reaches_uring(const char *const *names, int depth)
{
        for (; names && *names && depth <= 4; names++) {
                if ((*names)[0] == '@') {
                        if (reaches_uring(sbx_group_get(*names), depth + 1))
                                return true;
                        continue;
                }
                for (const char *const *u = uring_reach; *u; u++)
                        if (strcmp(*u, *names) == 0)
                                return true;
        }
        return false;
}

/* Newer calls that libc (glibc 2.34+: clone3 for every thread and
 * posix_spawn, faccessat2 for faccessat) and runtimes try first, falling
 * back to an older call only when the kernel answers ENOSYS, as one without
 * the newer call does. An allow list written call by call that names the
 * older one but not this one would otherwise refuse it with its action:
 * EPERM made pthread_create fail although clone was allowed, kill killed
 * the service at its first thread. With ENOSYS the older call is made and
 * judged by the list, so nothing passes that the list does not allow. */
static const char *const newer_calls[] = { "clone3",       "faccessat2",   "fchmodat2", "statx",
                                           "openat2",      "epoll_pwait2", "close_range", NULL };

static int export(scmp_filter_ctx ctx, struct sandbox_plan *p)
{
        int fd = memfd_create("svd-seccomp", MFD_CLOEXEC);
        if (fd < 0)
                return -errno;
        int r = seccomp_export_bpf(ctx, fd);
        off_t len = r < 0 ? -1 : lseek(fd, 0, SEEK_END);
        if (r >= 0 && (len <= 0 || len % (off_t)sizeof(struct sock_filter) || len > 65536 * 8))
                r = -EINVAL;
        void *buf = r < 0 ? NULL : malloc((size_t)len);
        if (r >= 0 && !buf)
                r = -ENOMEM;
        if (r >= 0 && pread(fd, buf, (size_t)len, 0) != len)
                r = -EIO;
        close(fd);
        if (r < 0) {
                free(buf);
                return r;
        }
        p->prog.filter = buf;
        p->prog.len = (unsigned short)(len / (off_t)sizeof(struct sock_filter));
        return 0;
}

/* Compiling a filter costs milliseconds (libseccomp builds and optimises the
 * BPF), and every spawn needs one: compiled programs are cached by their
 * inputs, so the default profile shared by most services is built once per
 * svd. Config generations are immutable, so the key fully determines the
 * program. Bounded; when full, filters are simply not cached. */
#define CACHE_MAX 64
static struct {
        char *key;
        struct sock_filter *filter;
        unsigned short len;
} cache[CACHE_MAX];

static char *cache_key(const struct sandbox_config *b)
{
        size_t len = 64;
        for (char *const *s = b->syscalls; s && *s; s++)
                len += strlen(*s) + 1;
        char *k = malloc(len), *q = k;
        if (!k)
                return NULL;
        q += sprintf(q, "%d:%d:%d:", (int)b->seccomp, (int)b->action, (int)b->errno_value);
        for (char *const *s = b->syscalls; s && *s; s++)
                q += sprintf(q, "%s,", *s);
        return k;
}

static int cache_get(const char *key, struct sandbox_plan *p)
{
        for (size_t i = 0; i < CACHE_MAX && cache[i].key; i++)
                if (strcmp(cache[i].key, key) == 0) {
                        size_t n = cache[i].len * sizeof(struct sock_filter);
                        if (!(p->prog.filter = malloc(n)))
                                return -ENOMEM;
                        memcpy(p->prog.filter, cache[i].filter, n);
                        p->prog.len = cache[i].len;
                        return 1;
                }
        return 0;
}

static void cache_put(char *key, const struct sandbox_plan *p)
{
        for (size_t i = 0; i < CACHE_MAX; i++)
                if (!cache[i].key) {
                        size_t n = p->prog.len * sizeof(struct sock_filter);
                        struct sock_filter *f = malloc(n);
                        if (!f)
                                break;
                        memcpy(f, p->prog.filter, n);
                        cache[i].key = key;
                        cache[i].filter = f;
                        cache[i].len = p->prog.len;
                        return;
                }
        free(key);
}

static int build_filter(const struct svc_config *c, struct sandbox_plan *p);

int sandbox_seccomp_build(const struct svc_config *c, struct sandbox_plan *p, char *why, size_t whylen)
{
        char *key = cache_key(&c->sandbox);
        int r = key ? cache_get(key, p) : 0;
        if (r != 0) {
                free(key);
                if (r < 0)
                        snprintf(why, whylen, "seccomp: building the filter: %s", strerror(-r));
                return r < 0 ? r : 0;
        }
        char dlwhy[256];
        if ((r = dynlib_acquire(&dl_seccomp, dlwhy, sizeof dlwhy)) < 0) {
                snprintf(why, whylen, "seccomp: %s", dlwhy); /* the library and the loader's error */
                free(key);
                return r;
        }
        r = build_filter(c, p);
        dynlib_release(&dl_seccomp);
        if (r >= 0 && key)
                cache_put(key, p);
        else
                free(key);
        if (r < 0)
                snprintf(why, whylen, "seccomp: building the filter: %s", strerror(-r));
        return r;
}

static int build_filter(const struct svc_config *c, struct sandbox_plan *p)
{
        const struct sandbox_config *b = &c->sandbox;
        uint32_t action = b->action == SBX_ACTION_KILL  ? SCMP_ACT_KILL_PROCESS
                          : b->action == SBX_ACTION_LOG ? SCMP_ACT_LOG
                                                        : SCMP_ACT_ERRNO((uint32_t)b->errno_value);
        bool allow = b->seccomp == SBX_SECCOMP_ALLOW;
        scmp_filter_ctx ctx = seccomp_init(allow ? action : SCMP_ACT_ALLOW);
        int r;

        if (!ctx)
                return -ENOMEM;
        /* svd sets no_new_privs itself (or deliberately not) */
        if ((r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0)) < 0 ||
            (r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS)) < 0)
                goto out;
        if (allow) {
                char *def[] = { "@default", NULL };
                if ((r = add_list(ctx, SCMP_ACT_ALLOW, def)) < 0 ||
                    (r = add_list(ctx, SCMP_ACT_ALLOW, b->syscalls)) < 0)
                        goto out;
                /* after the allowed ones: one the list allows stays allowed
                 * (-EEXIST, skipped by add_name) */
                if (action != SCMP_ACT_LOG &&
                    (r = add_list(ctx, SCMP_ACT_ERRNO(ENOSYS), (char *const *)newer_calls)) < 0)
                        goto out;
        } else if (b->seccomp == SBX_SECCOMP_DENY) {
                if ((r = add_list(ctx, action, b->syscalls)) < 0)
                        goto out;
                if (reaches_uring((const char *const *)b->syscalls, 0) &&
                    (r = add_list(ctx, action, (char *const *)uring_calls)) < 0)
                        goto out;
        } else if ((r = add_list(ctx, action, (char *const *)sbx_default_deny)) < 0)
                goto out;
        r = export(ctx, p);
out:
        seccomp_release(ctx);
        return r;
}

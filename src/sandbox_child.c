/* sandbox_child: the steps the spawned child takes to confine itself, in the
 * order spawn.c calls them. This code runs in a CLONE_VM|CLONE_VFORK child
 * that shares svd's memory: only system calls, no allocation, no locks, no
 * libcap/libseccomp (which allocate), nothing a sanitizer would instrument.
 * Everything it needs was computed by sandbox.c and sandbox_seccomp.c.
 *
 * Why this order (see docs/ARCHITECTURE.md): mounts need CAP_SYS_ADMIN, so
 * they come first; rlimits may raise hard limits (CAP_SYS_RESOURCE) before the
 * uid changes; securebits (NO_SETUID_FIXUP) are set while still root so that
 * the uid change keeps our capabilities for one more stage, in which the
 * bounding set is dropped (needs CAP_SETPCAP), permitted/inheritable are cut
 * down and the ambient set raised; spawn.c then enters the working directory
 * with the service's own credentials; no_new_privs, then the seccomp filter
 * last of all, so no step above runs filtered. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stddef.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/capability.h>
#include <linux/securebits.h>
#include <linux/seccomp.h>

#include "sandbox.h"

/* <linux/mount.h> clashes with glibc 2.36's <sys/mount.h>: the few constants
 * needed here. */
#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef OPEN_TREE_CLOEXEC
#define OPEN_TREE_CLOEXEC O_CLOEXEC
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#endif
#ifndef MOUNT_ATTR_RDONLY
#define MOUNT_ATTR_RDONLY 0x00000001
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif

struct sbx_mount_attr {
        uint64_t attr_set, attr_clr, propagation, userns_fd;
};

#define CHILD __attribute__((no_sanitize("address", "undefined")))

CHILD static int make_ro(const char *path)
{
        struct sbx_mount_attr a = { .attr_set = MOUNT_ATTR_RDONLY };

        /* A path that is not a mount point of its own would turn the mount
         * containing it read-only: bind it onto itself first. */
        if (!(path[0] == '/' && path[1] == 0) && mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0)
                return -1;
        return (int)syscall(SYS_mount_setattr, AT_FDCWD, path, AT_RECURSIVE, &a, sizeof(a));
}

CHILD int sandbox_child_mounts(const struct sandbox_plan *p)
{
        int fds[SBX_PLAN_PATHS], n = 0, r = -1, e;

        if (!p->mount_ns)
                return 0;
        if (unshare(CLONE_NEWNS) < 0)
                return -1;
        /* Mounts made by the host still show up here; ours never leak out. */
        if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
                return -1;
        /* The writable exceptions are cloned (with their own flags, so a
         * read-only /sys stays read-only) before the read-only step, then put
         * back on top of it. */
        for (; n < p->n_keep_rw; n++) {
                fds[n] = (int)syscall(SYS_open_tree, AT_FDCWD, p->keep_rw[n],
                                      OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
                if (fds[n] < 0)
                        goto out;
        }
        for (int i = 0; i < p->n_ro; i++)
                if (make_ro(p->ro[i]) < 0)
                        goto out;
        for (int i = 0; i < n; i++)
                if (syscall(SYS_move_mount, fds[i], "", AT_FDCWD, p->keep_rw[i], MOVE_MOUNT_F_EMPTY_PATH) <
                    0)
                        goto out;
        /* A read-only path inside a writable one (read_only_paths below
         * read_write_paths, or below strict's /dev) was covered again by
         * the writable tree just put back: the more specific one wins. */
        for (int i = 0; i < p->n_ro_again; i++)
                if (make_ro(p->ro_again[i]) < 0)
                        goto out;
        for (int i = 0; i < p->n_empty_dir; i++)
                if (mount("tmpfs", p->empty_dir[i], "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0)
                        goto out;
        for (int i = 0; i < p->n_hide_dir; i++)
                if (mount("tmpfs", p->hide_dir[i], "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY,
                          "mode=000,size=4k") < 0)
                        goto out;
        for (int i = 0; i < p->n_hide_file; i++)
                if (mount("/dev/null", p->hide_file[i], NULL, MS_BIND, NULL) < 0 ||
                    mount(NULL, p->hide_file[i], NULL,
                          MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NODEV | MS_NOSUID | MS_NOEXEC, NULL) < 0)
                        goto out;
        for (int i = 0; i < p->n_tmp; i++)
                if (mount("tmpfs", p->tmp[i], "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777") < 0)
                        goto out;
        r = 0;
out:
        e = errno;
        for (int i = 0; i < n; i++)
                if (fds[i] >= 0)
                        close(fds[i]);
        errno = e;
        return r;
}

CHILD int sandbox_child_rlimits(const struct sandbox_plan *p)
{
        if (p->set_umask)
                umask(p->umask);
        for (int i = 0; i < p->n_rlimits; i++)
                if (setrlimit(p->rl_resource[i], &p->rl[i]) < 0)
                        return -1 - i;
        return 0;
}

CHILD int sandbox_child_securebits(const struct sandbox_plan *p)
{
        if (!p->securebits)
                return 0;
        /* Root's special treatment is gone for good, and the uid change below
         * keeps the capabilities the next stage needs (NO_SETUID_FIXUP);
         * KEEP_CAPS is off and locked, exec clears the rest. */
        return prctl(PR_SET_SECUREBITS,
                     SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP |
                             SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_KEEP_CAPS_LOCKED,
                     0, 0, 0);
}

CHILD int sandbox_child_caps(const struct sandbox_plan *p)
{
        /* Without the stage the service still starts with an empty ambient
         * set: an svd that is not root but holds ambient capabilities
         * itself (given by whoever started it) would pass them on to every
         * service through exec. Clearing takes no privilege; EINVAL: a
         * kernel without ambient capabilities. */
        if (!p->caps)
                return prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL ? -1 : 0;
        if (p->drop_bounding)
                for (unsigned c = 0; c <= p->last_cap && c < 64; c++)
                        if (!((p->keep >> c) & 1) && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0)
                                return -1;
        struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
        struct __user_cap_data_struct d[2] = {
                { .effective = (uint32_t)p->permitted,
                  .permitted = (uint32_t)p->permitted,
                  .inheritable = (uint32_t)p->ambient },
                { .effective = (uint32_t)(p->permitted >> 32),
                  .permitted = (uint32_t)(p->permitted >> 32),
                  .inheritable = (uint32_t)(p->ambient >> 32) },
        };
        if (syscall(SYS_capset, &h, d) < 0)
                return -1;
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
                return -1;
        for (unsigned c = 0; c < 64; c++)
                if (((p->ambient >> c) & 1) && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) < 0)
                        return -1;
        return 0;
}

CHILD int sandbox_child_nnp(const struct sandbox_plan *p)
{
        return p->no_new_privs ? prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) : 0;
}

CHILD int sandbox_child_seccomp(const struct sandbox_plan *p)
{
        return p->seccomp ? prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &p->prog, 0, 0) : 0;
}

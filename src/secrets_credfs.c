/* secrets_credfs: the file system credential files live on, at
 * <run_dir>/credentials. As root it is a RAM file system that never reaches
 * swap: a tmpfs with noswap (Linux 6.4+), else a ramfs, else a plain tmpfs
 * (warned once: its pages may be swapped out). Services see it only through
 * a read-only bind mount on top (MS_BIND|MS_REMOUNT|MS_RDONLY, Linux 2.6.26+),
 * so none of them can fill it and keep the others from their secrets; svd
 * writes through a descriptor of the writable mount underneath, which no
 * path reaches. The file system is mounted on a private bind of the
 * directory, so neither it nor the bind propagates to another mount
 * namespace (a shared /run under systemd would copy them, writable, into
 * every slave namespace made earlier). Without root: a 0711 directory,
 * written through the same descriptor. This file logs its fallbacks (the
 * secrets module is orchestration, see secrets.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "log.h"
#include "secrets_credfs.h"
#include "util.h"

#ifndef TMPFS_MAGIC
#define TMPFS_MAGIC 0x01021994
#endif
#ifndef RAMFS_MAGIC
#define RAMFS_MAGIC 0x858458f6
#endif

#define CREDFS_FLAGS (MS_NOSUID | MS_NODEV | MS_NOEXEC)
/* the size bounds what svd itself may write (a ramfs has none) */
#define CREDFS_OPTS "size=4m,mode=0711"
/* the mount source every mount of the file system shows in mountinfo */
#define CREDFS_SOURCE "svd-credentials"
/* open_writable's bind: <root>.svd.XXXXXX (mkdtemp) */
#define WRITABLE_INFIX  ".svd."
#define WRITABLE_RANDOM 6
/* leftovers removed per start (more: at the next one) */
#define LEFTOVERS_MAX 16

static int stacked_ours(const char *real, dev_t parent_dev, bool *ret_private, int *ret_others);

/* Whether root is the root of svd's own file system, one a previous svd
 * left (e.g. across daemon-reexec), not a directory on /run's tmpfs nor
 * a tmpfs or ramfs someone else mounted there: the top mounts on it are a
 * tmpfs or ramfs with svd's source (CREDFS_SOURCE), which every svd gave
 * its mounts. *ret_mounts: how many are svd's (those, and make_private's
 * bind under them): what close unmounts, never another's below. */
static bool is_our_mount(const char *root, const char **ret_type, int *ret_mounts)
{
        _cleanup_(freep) char *real = realpath(root, NULL);
        _cleanup_(freep) char *parent = real ? path_join(real, "..") : NULL;
        struct statfs sf;
        struct stat a, b;
        bool private;
        int top, others;

        /* mountinfo escapes blanks and backslashes: such a path cannot be
         * told svd's, and a new mount goes on top */
        if (!parent || strpbrk(real, " \t\n\\") || statfs(real, &sf) < 0 || stat(real, &a) < 0 ||
            stat(parent, &b) < 0 || a.st_dev == b.st_dev)
                return false;
        if ((unsigned long)sf.f_type == TMPFS_MAGIC)
                *ret_type = "tmpfs";
        else if ((unsigned long)sf.f_type == RAMFS_MAGIC)
                *ret_type = "ramfs";
        else
                return false;
        if ((top = stacked_ours(real, b.st_dev, &private, &others)) <= 0)
                return false;
        *ret_mounts = top + (private ? 1 : 0);
        return true;
}

/* One line of /proc/self/mountinfo split in place: the device (field 3,
 * major:minor), the mount point (field 5) and, after " - ", the type, the
 * source and the super options. False for a line not of that shape. */
struct mountinfo_line {
        const char *dev, *mnt, *type, *source, *super;
};

static bool mountinfo_split(char *line, struct mountinfo_line *ret)
{
        char *sep = strstr(line, " - "), *save = NULL, *p;
        int field = 0;

        if (!sep)
                return false;
        *sep = '\0';
        ret->dev = ret->mnt = NULL;
        for (p = line; !ret->mnt && (p = strtok_r(p, " ", &save)); p = NULL)
                if (++field == 3)
                        ret->dev = p;
                else if (field == 5)
                        ret->mnt = p;
        save = NULL;
        ret->type = strtok_r(sep + 3, " \n", &save);
        ret->source = ret->type ? strtok_r(NULL, " \n", &save) : NULL;
        ret->super = ret->source ? strtok_r(NULL, " \n", &save) : NULL;
        return ret->dev && ret->mnt && ret->super;
}

/* From /proc/self/mountinfo: how many mounts are stacked on root (-1 when
 * that cannot be told), and whether the top one's super options have
 * noswap (true when that cannot be told: nothing to warn about). */
static int mountinfo_at(const char *root, bool *ret_noswap)
{
        _cleanup_(freep) char *real = realpath(root, NULL);
        struct mountinfo_line mi;
        char line[4096];
        int n = 0;
        FILE *f;

        *ret_noswap = true;
        /* mountinfo escapes blanks and backslashes: such a path is not compared */
        if (!real || strpbrk(real, " \t\n\\") || !(f = fopen("/proc/self/mountinfo", "re")))
                return -1;
        while (fgets(line, sizeof line, f)) {
                if (!mountinfo_split(line, &mi) || strcmp(mi.mnt, real) != 0)
                        continue;
                /* the last stacked mount wins */
                *ret_noswap = strstr(mi.super, "noswap") != NULL;
                n++;
        }
        fclose(f);
        return n;
}

/* root made a mount of its own, private (a bind of itself): nothing mounted
 * on it later propagates. Under a shared /run (systemd) the writable file
 * system would otherwise be copied into every mount namespace that is a
 * slave of it, one made earlier included (a sandboxed service started
 * before the first credential file), writable there. */
static int make_private(const char *root)
{
        int e;

        if (mount(root, root, NULL, MS_BIND, NULL) < 0)
                return -errno;
        if (mount(NULL, root, NULL, MS_PRIVATE, NULL) == 0)
                return 0;
        e = errno;
        (void)umount2(root, MNT_DETACH);
        return -e;
}

/* A new RAM file system on root: noswap tmpfs, ramfs, or (warned) tmpfs,
 * on root made private first (make_private). How many mounts it stacked
 * (2), or -errno with none left. */
static int mount_new(const char *root, const char **ret_type)
{
        int e_noswap, e_ramfs, e;

        if ((e = make_private(root)) < 0)
                return e;
        if (mount(CREDFS_SOURCE, root, "tmpfs", CREDFS_FLAGS, CREDFS_OPTS ",noswap") == 0) {
                *ret_type = "tmpfs (noswap)";
                return 2;
        }
        e_noswap = errno;
        if (mount(CREDFS_SOURCE, root, "ramfs", CREDFS_FLAGS, "mode=0711") == 0) {
                *ret_type = "ramfs";
                return 2;
        }
        e_ramfs = errno;
        if (mount(CREDFS_SOURCE, root, "tmpfs", CREDFS_FLAGS, CREDFS_OPTS) == 0) {
                log_warn("secrets: credential files on %s may be written to swap: tmpfs noswap: %s (needs "
                         "Linux 6.4), ramfs: %s; a plain tmpfs is used",
                         root, strerror(e_noswap), strerror(e_ramfs));
                *ret_type = "tmpfs";
                return 2;
        }
        e = errno;
        (void)umount2(root, MNT_DETACH); /* the private bind */
        return -e;
}

/* The read-only view services get: root bound onto itself, read-only. */
static int bind_readonly(const char *root)
{
        int e;

        if (mount(root, root, NULL, MS_BIND, NULL) < 0)
                return -errno;
        if (mount(NULL, root, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | CREDFS_FLAGS, NULL) == 0)
                return 0;
        e = errno;
        (void)umount2(root, MNT_DETACH); /* never leave a second writable view */
        return -e;
}

/* A descriptor of a writable mount of root's file system, whose top mount
 * is read-only: bound on a 0700 directory only root reaches, made writable
 * there, opened, and detached at once (the descriptor keeps it usable). */
static int open_writable(const char *root)
{
        _cleanup_(freep) char *tmp = strdup_printf("%s" WRITABLE_INFIX "XXXXXX", root);
        int fd = -1, e = 0;

        if (!tmp)
                return -ENOMEM;
        if (!mkdtemp(tmp))
                return -errno;
        if (mount(root, tmp, NULL, MS_BIND, NULL) < 0)
                e = errno;
        else {
                if (mount(NULL, tmp, NULL, MS_BIND | MS_REMOUNT | CREDFS_FLAGS, NULL) < 0 ||
                    (fd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
                        e = errno;
                (void)umount2(tmp, MNT_DETACH);
        }
        (void)rmdir(tmp);
        return fd >= 0 ? fd : -e;
}

/* Whether name is base followed by the part open_writable adds, exactly:
 * ".svd." and mkdtemp's six letters or digits. */
static bool is_writable_name(const char *name, const char *base)
{
        size_t bl = strlen(base), il = strlen(WRITABLE_INFIX);

        if (strncmp(name, base, bl) != 0 || strncmp(name + bl, WRITABLE_INFIX, il) != 0)
                return false;
        name += bl + il;
        for (int i = 0; i < WRITABLE_RANDOM; i++)
                if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= 'A' && name[i] <= 'Z') ||
                      (name[i] >= '0' && name[i] <= '9')))
                        return false;
        return name[WRITABLE_RANDOM] == '\0';
}

/* The random parts of open_writable's binds still mounted beside root (on
 * a directory of that exact name in root's directory, every mount there a
 * tmpfs or ramfs with our source: one with anything else stacked is not
 * ours to touch), with how many mounts each has; how many were found. */
static size_t find_leftovers(const char *dir, const char *base, char (*ret)[WRITABLE_RANDOM + 1],
                             int *ret_mounts)
{
        struct mountinfo_line mi;
        size_t dl = strlen(dir), n = 0, i;
        char line[4096];
        FILE *f = fopen("/proc/self/mountinfo", "re");

        if (!f)
                return 0;
        while (fgets(line, sizeof line, f)) {
                bool ours;

                if (!mountinfo_split(line, &mi) || strncmp(mi.mnt, dir, dl) != 0 || mi.mnt[dl] != '/' ||
                    !is_writable_name(mi.mnt + dl + 1, base))
                        continue;
                ours = strcmp(mi.source, CREDFS_SOURCE) == 0 &&
                       (strcmp(mi.type, "tmpfs") == 0 || strcmp(mi.type, "ramfs") == 0);
                mi.mnt += strlen(mi.mnt) - WRITABLE_RANDOM;
                for (i = 0; i < n && strcmp(ret[i], mi.mnt) != 0; i++)
                        ;
                if (i == n) {
                        if (n == LEFTOVERS_MAX)
                                continue;
                        memcpy(ret[n], mi.mnt, WRITABLE_RANDOM + 1);
                        ret_mounts[n++] = 0;
                }
                if (!ours)
                        ret_mounts[i] = -1;
                else if (ret_mounts[i] >= 0)
                        ret_mounts[i]++;
        }
        fclose(f);
        return n;
}

void secrets_credfs_sweep(const char *root)
{
        const char *slash = strrchr(root, '/'), *base = slash ? slash + 1 : root;
        _cleanup_(freep) char *parent = slash ? strndup(root, (size_t)(slash - root)) : strdup(".");
        _cleanup_(freep) char *dir = NULL;
        char found[LEFTOVERS_MAX][WRITABLE_RANDOM + 1];
        int mounts[LEFTOVERS_MAX];
        size_t n;

        /* mountinfo escapes blanks and backslashes: such a path is not compared */
        if (geteuid() != 0 || !*base || !parent || !(dir = realpath(*parent ? parent : "/", NULL)) ||
            strpbrk(dir, " \t\n\\") || strpbrk(base, " \t\n\\"))
                return;
        if (strcmp(dir, "/") == 0)
                *dir = '\0';
        n = find_leftovers(dir, base, found, mounts);
        for (size_t i = 0; i < n; i++) {
                _cleanup_(freep) char *path =
                        strdup_printf("%s/%s" WRITABLE_INFIX "%s", dir, base, found[i]);
                struct stat st;
                int e = 0;

                if (mounts[i] <= 0 || !path || lstat(path, &st) < 0 || !S_ISDIR(st.st_mode))
                        continue;
                for (int k = 0; k < mounts[i] && !e; k++)
                        if (umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW) < 0)
                                e = errno;
                if (!e && rmdir(path) < 0)
                        e = errno;
                if (e)
                        log_warn("secrets: cannot remove %s, a writable mount of the credential "
                                 "files an earlier svd left: %s",
                                 path, strerror(e));
                else
                        log_info("secrets: removed %s, a writable mount of the credential "
                                 "files an earlier svd left (it stopped while writing them)",
                                 path);
        }
}

int secrets_credfs_open(const char *root, struct secrets_credfs *ret)
{
        const char *type = NULL;
        struct statvfs sv;
        int fd, r, n = 0;

        if (mkdir(root, 0711) < 0 && errno != EEXIST)
                return -errno;
        ret->mounts = 0;
        if (geteuid() != 0)
                goto plain;
        if (is_our_mount(root, &type, &n)) {
                bool noswap;

                (void)mountinfo_at(root, &noswap);
                /* left by the svd this one replaces; its services' files stay */
                ret->mounts = n;
                if (strcmp(type, "tmpfs") == 0 && !noswap)
                        log_warn("secrets: the tmpfs already on %s (left by an earlier svd) has no noswap: "
                                 "credential files may be written to swap until it is mounted again",
                                 root);
                if (statvfs(root, &sv) == 0 && (sv.f_flag & ST_RDONLY)) {
                        if ((fd = open_writable(root)) < 0) {
                                log_warn("secrets: %s is read-only and no writable mount of it can be "
                                         "made (%s); credential files cannot be written",
                                         root, strerror(-fd));
                                ret->mounts = 0;
                                return fd;
                        }
                        ret->fd = fd;
                        log_info(
                                "secrets: credential files on the %s already on %s (read-only for services)",
                                type, root);
                        return 0;
                }
                /* writable (an older svd's): the read-only bind below must
                 * not propagate (make_private) */
                (void)mount(NULL, root, NULL, MS_PRIVATE, NULL);
        } else if ((r = mount_new(root, &type)) > 0)
                ret->mounts = r;
        else {
                log_warn("secrets: cannot mount a tmpfs or ramfs on %s (%s); credential files go to a 0711 "
                         "directory there, writable for services that run as root",
                         root, strerror(-r));
                goto plain;
        }
        /* opened before the read-only bind covers it */
        if ((fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
                return -errno;
        (void)fchmod(fd, 0711);
        ret->fd = fd;
        if ((r = bind_readonly(root)) < 0)
                log_warn("secrets: cannot make %s read-only for services (%s); a service could fill it",
                         root, strerror(-r));
        else
                ret->mounts++;
        log_info("secrets: credential files on a %s on %s%s", type, root,
                 r < 0 ? "" : " (read-only for services)");
        return 0;
plain:
        if ((fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW)) < 0)
                return -errno;
        (void)fchmod(fd, 0711);
        ret->fd = fd;
        return 0;
}

/* The mounts stacked on real (a resolved path), bottom first, as far as
 * they are svd's: from the top, how many are the file system (source
 * CREDFS_SOURCE, a tmpfs or ramfs: its read-only bind too), and whether the
 * one under them is make_private's bind of the directory (on the device of
 * parent_dev). *ret_others: how many mounts there are besides those. -1
 * when mountinfo cannot be read. */
static int stacked_ours(const char *real, dev_t parent_dev, bool *ret_private, int *ret_others)
{
        struct mountinfo_line mi;
        char line[4096];
        int n = 0, top = 0;
        bool below_private = false;
        FILE *f = fopen("/proc/self/mountinfo", "re");

        if (!f)
                return -1;
        while (fgets(line, sizeof line, f)) {
                unsigned maj, min;

                if (!mountinfo_split(line, &mi) || strcmp(mi.mnt, real) != 0)
                        continue;
                n++;
                if (strcmp(mi.source, CREDFS_SOURCE) == 0 &&
                    (strcmp(mi.type, "tmpfs") == 0 || strcmp(mi.type, "ramfs") == 0)) {
                        top++;
                        continue;
                }
                /* anything else: what comes before it is not the top; a
                 * bind of the directory's own file system may be the one
                 * under the top (the last stacked mount is the top) */
                top = 0;
                below_private = sscanf(mi.dev, "%u:%u", &maj, &min) == 2 && makedev(maj, min) == parent_dev;
        }
        fclose(f);
        *ret_private = top > 0 && below_private && n - top == 1;
        *ret_others = n - top - (*ret_private ? 1 : 0);
        return top;
}

void secrets_credfs_drop_left(const char *root)
{
        _cleanup_(freep) char *real = NULL, *parent = NULL;
        struct stat pst;
        bool private;
        int top, others, e = 0, k;

        /* mountinfo escapes blanks and backslashes: such a path is not compared */
        if (geteuid() != 0 || !(real = realpath(root, NULL)) || strpbrk(real, " \t\n\\") ||
            !(parent = path_join(real, "..")) || stat(parent, &pst) < 0)
                return;
        top = stacked_ours(real, pst.st_dev, &private, &others);
        if (top <= 0)
                return; /* nothing of svd's on top: not touched */
        for (k = 0; k < top + (private ? 1 : 0) && !e; k++)
                if (umount2(real, MNT_DETACH | UMOUNT_NOFOLLOW) < 0)
                        e = errno;
        if (e) {
                log_warn("secrets: cannot unmount the credential files an earlier svd left on %s: %s", real,
                         strerror(e));
                return;
        }
        if (others)
                log_warn("secrets: unmounted the credential files an earlier svd left on %s; %d other "
                         "mount%s under them left there",
                         real, others, others == 1 ? "" : "s");
        else {
                (void)rmdir(real);
                log_info("secrets: unmounted the credential files an earlier svd left on %s", real);
        }
}

void secrets_credfs_close(const char *root, struct secrets_credfs *c)
{
        if (c->fd >= 0)
                close(c->fd);
        c->fd = -1;
        /* the read-only bind, then the file system under it */
        for (; c->mounts > 0; c->mounts--)
                (void)umount2(root, MNT_DETACH);
}

/* safedir: a directory reached without following what another user planted
 * (safedir.h), and the checked opens, removals and temporary files in it. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "safedir.h"
#include "util.h"

static bool foreign(uid_t u) {
        return u != 0 && u != geteuid();
}

/* Whether another user can change what the names in a directory (st) point
 * at; last: it is the one the caller works in, where even a sticky bit lets
 * a user plant a new name. */
static bool exposes(const struct stat *st, bool last) {
        if (foreign(st->st_uid))
                return true;
        return (st->st_mode & 0022) && (last || !(st->st_mode & S_ISVTX));
}

/* The next component of *pp (skipping '/' and "."), its length; *pp moves
 * past it. 0 at the end. */
static size_t next_comp(const char **pp, const char **ret) {
        const char *p = *pp;
        for (;;) {
                while (*p == '/')
                        p++;
                size_t n = strcspn(p, "/");
                if (n == 1 && p[0] == '.') {
                        p++;
                        continue;
                }
                *ret = p;
                *pp = p + n;
                return n;
        }
}

static bool at_end(const char *p) {
        const char *c;
        return next_comp(&p, &c) == 0;
}

/* One walk of path from /; -EAGAIN with *ret_next (malloc'd) when a
 * symbolic link that may be followed was met: the walk starts again there. */
static int walk(const char *path, bool create, mode_t mode, struct safedir *ret, char **ret_next) {
        /* O_PATH on the way: search permission is all a path needs (svd
         * may run as a user without read permission on a directory above) */
        _cleanup_(closep) int fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        struct stat st;
        if (fd < 0 || fstat(fd, &st) < 0)
                return -errno;
        const char *p = path, *c;
        bool exposed = exposes(&st, at_end(p));
        size_t n;
        while ((n = next_comp(&p, &c))) {
                char comp[NAME_MAX + 1];
                if (n > NAME_MAX)
                        return -ENAMETOOLONG;
                memcpy(comp, c, n);
                comp[n] = 0;
                struct stat parent = st;
                int nfd = openat(fd, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (nfd < 0 && errno == ENOENT && create) {
                        if (mkdirat(fd, comp, mode) < 0 && errno != EEXIST)
                                return -errno;
                        nfd = openat(fd, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                }
                if (nfd < 0 && (errno == ELOOP || errno == ENOTDIR)) {
                        struct stat lst;
                        if (fstatat(fd, comp, &lst, AT_SYMLINK_NOFOLLOW) < 0)
                                return -errno;
                        if (!S_ISLNK(lst.st_mode))
                                return -ENOTDIR;
                        /* an administrator's link (root-only directory, root's link) */
                        if (exposed || (parent.st_mode & 0022) || foreign(lst.st_uid))
                                return -ENOLINK;
                        char target[PATH_MAX];
                        ssize_t tl = readlinkat(fd, comp, target, sizeof(target) - 1);
                        if (tl < 0)
                                return -errno;
                        if (tl == 0)
                                return -ENOENT;
                        target[tl] = 0;
                        char *next = target[0] == '/' ? strdup_printf("%s/%s", target, p)
                                                      : strdup_printf("%.*s/%s/%s", (int)(c - path), path, target, p);
                        if (!next)
                                return -ENOMEM;
                        *ret_next = next;
                        return -EAGAIN;
                }
                if (nfd < 0)
                        return -errno;
                close(fd);
                fd = nfd;
                if (fstat(fd, &st) < 0)
                        return -errno;
                exposed = exposed || exposes(&st, at_end(p));
        }
        /* readable where permitted, for fdopendir (the same directory: "."
         * is no link) */
        int rfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (rfd >= 0) {
                close(fd);
                fd = rfd;
        }
        *ret = (struct safedir){ .fd = fd, .exposed = exposed };
        fd = -1;
        return 0;
}

int safedir_open(const char *path, bool create, mode_t mode, struct safedir *ret) {
        _cleanup_(freep) char *cur = NULL;
        if (path[0] != '/') {
                char cwd[PATH_MAX];
                if (!getcwd(cwd, sizeof(cwd)))
                        return -errno;
                if (!(cur = strdup_printf("%s/%s", cwd, path)))
                        return -ENOMEM;
                path = cur;
        }
        for (int links = 0;; links++) {
                char *next = NULL;
                int r = walk(path, create, mode, ret, &next);
                if (r != -EAGAIN)
                        return r;
                free(cur);
                path = cur = next;
                if (links >= SAFEDIR_MAX_LINKS)
                        return -ELOOP;
        }
}

int safedir_open_parent(const char *path, bool create, mode_t mode, struct safedir *ret, const char **ret_base) {
        const char *slash = strrchr(path, '/');
        if (!slash) {
                *ret_base = path;
                return safedir_open(".", create, mode, ret);
        }
        _cleanup_(freep) char *dir = slash == path ? strdup("/") : strndup(path, (size_t)(slash - path));
        if (!dir)
                return -ENOMEM;
        int r = safedir_open(dir, create, mode, ret);
        if (r >= 0)
                *ret_base = slash + 1;
        return r;
}

void safedir_close(struct safedir *d) {
        if (d->fd >= 0)
                close(d->fd);
        d->fd = -1;
}

int safedir_check(const struct stat *st) {
        if (S_ISLNK(st->st_mode))
                return -ENOLINK;
        if (!S_ISREG(st->st_mode))
                return -EBADFD;
        return st->st_nlink > 1 ? -EMLINK : 0;
}

int safedir_open_file(const struct safedir *d, const char *name, int flags, mode_t mode, bool *ret_linked) {
        struct stat st;
        int fd;
        flags |= O_CLOEXEC | O_NOCTTY;
        if (!d->exposed) {
                fd = openat(d->fd, name, flags | O_NOFOLLOW, mode);
                bool linked = fd < 0 && errno == ELOOP; /* followed: an administrator's link */
                if (linked)
                        fd = openat(d->fd, name, flags, mode);
                if (fd < 0)
                        return -errno;
                if (ret_linked)
                        *ret_linked = linked || (fstat(fd, &st) == 0 && st.st_nlink > 1);
                return fd;
        }
        int r;
        /* the file is opened before its last check: a link swapped in
         * between is refused after the open, before anything is written,
         * which truncating would have done already */
        if (flags & O_TRUNC)
                return -EINVAL;
        /* before: a FIFO or a device is not even opened */
        if (fstatat(d->fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
                if ((r = safedir_check(&st)) < 0)
                        return r;
        } else if (errno != ENOENT)
                return -errno;
        /* after: what was opened, if the name changed in between */
        fd = openat(d->fd, name, flags | O_NOFOLLOW | O_NONBLOCK, mode);
        if (fd < 0)
                return errno == ELOOP ? -ENOLINK : -errno; /* a link, planted in between */
        r = 0;
        if (fstat(fd, &st) < 0 || (r = safedir_check(&st)) < 0 ||
            (!(flags & O_NONBLOCK) && fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0)) {
                r = r < 0 ? r : -errno;
                close(fd);
                return r;
        }
        if (ret_linked)
                *ret_linked = false;
        return fd;
}

int safedir_remove(const struct safedir *d, const char *name) {
        struct stat st;
        if (fstatat(d->fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? 0 : -errno;
        if (!S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode))
                return -EBADFD;
        return unlinkat(d->fd, name, 0) < 0 && errno != ENOENT ? -errno : 0;
}

int safedir_create_tmp(const struct safedir *d, const char *name, mode_t mode) {
        int r = safedir_remove(d, name);
        if (r < 0)
                return r;
        int fd = openat(d->fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, mode);
        return fd < 0 ? -errno : fd;
}

bool safedir_link_refused(const char *path) {
        struct stat st;
        if (lstat(path, &st) < 0 || (!S_ISLNK(st.st_mode) && st.st_nlink <= 1))
                return false;
        struct safedir d = SAFEDIR_NONE;
        const char *base;
        if (safedir_open_parent(path, false, 0755, &d, &base) < 0)
                return true;
        bool exposed = d.exposed;
        safedir_close(&d);
        return exposed;
}

const char *safedir_strerror(int r) {
        switch (-r) {
        case ENOLINK:
                return "a symbolic link in a directory a user other than root can write (refused: svd, as root, "
                       "would follow it)";
        case EMLINK:
                return "a file with other hard links in a directory a user other than root can write (refused: "
                       "it may be a file that user cannot touch)";
        case EBADFD:
                return "not a regular file (refused)";
        default:
                return strerror(-r);
        }
}

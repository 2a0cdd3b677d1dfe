/* safedir: reaching a file through directories a service user may write,
 * without following what that user planted. svd runs as root; a service
 * that owns its log directory, metrics textfile directory or env_file's
 * directory could otherwise put a symbolic or hard link where svd opens,
 * renames, compresses, chowns or deletes a file, and have root do it to a
 * file the user could not touch. A path is walked from / one component at a
 * time (openat with O_DIRECTORY|O_NOFOLLOW); a symbolic link on the way is
 * followed only where no one but root (or svd's own user) could have made
 * it. The directory is "exposed" when another user can change what its names
 * point at: it or one of its ancestors is owned by another user, or writable
 * by group or others without the sticky bit (the directory itself counts
 * even with the sticky bit: a new name can be planted there). In an exposed
 * directory, files are opened with O_NOFOLLOW and refused unless they are
 * regular with a single link; temporary files are created with O_EXCL. */
#ifndef SVD_SAFEDIR_H
#define SVD_SAFEDIR_H

#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>

/* symbolic links followed in one walk, as the kernel's limit */
#define SAFEDIR_MAX_LINKS 40

struct safedir {
        int fd;       /* the directory, O_DIRECTORY|O_CLOEXEC, O_RDONLY where svd may read
                         it (else O_PATH: *at() calls work, fdopendir does not); -1: none */
        bool exposed; /* a user other than root and svd's own can change its names */
};

#define SAFEDIR_NONE ((struct safedir){ .fd = -1, .exposed = false })

/* Opens the directory path (relative: to the working directory), creating
 * missing components with mode when create. -ENOLINK: a symbolic link in
 * the way that another user could have made; -ELOOP: too many links;
 * -ENOTDIR, or what openat/mkdirat said. ret untouched on failure. */
int safedir_open(const char *path, bool create, mode_t mode, struct safedir *ret);
/* safedir_open of path's directory; *ret_base points into path at the last
 * component (path must not end in '/'). */
int safedir_open_parent(const char *path, bool create, mode_t mode, struct safedir *ret, const char **ret_base);
void safedir_close(struct safedir *d);
static inline void safedir_closep(struct safedir *d) { safedir_close(d); }

/* 0 if st may be used where a regular file is wanted in an exposed
 * directory: -ENOLINK a symbolic link, -EBADFD not a regular file, -EMLINK
 * more than one link. */
int safedir_check(const struct stat *st);
/* openat(d, name, flags, mode) with O_CLOEXEC|O_NOCTTY. In an exposed
 * directory: with O_NOFOLLOW, and refused (safedir_check, before and after
 * the open: a FIFO is never waited on) unless a regular file with one link.
 * Elsewhere a symbolic link is followed (an administrator's), and
 * *ret_linked (may be NULL) says whether the name was one or the file has
 * other links. The fd or -errno; -EINVAL for O_TRUNC in an exposed
 * directory (the last check comes after the open). */
int safedir_open_file(const struct safedir *d, const char *name, int flags, mode_t mode, bool *ret_linked);
/* Removes name from d if it is a regular file or a symbolic link (the link
 * itself: its target is untouched); 0 if it is not there, -EBADFD (left
 * alone) if it is anything else. */
int safedir_remove(const struct safedir *d, const char *name);
/* Creates name in d, O_WRONLY|O_CREAT|O_EXCL|O_NOFOLLOW, removing a stale
 * one first (safedir_remove). The fd or -errno. */
int safedir_create_tmp(const struct safedir *d, const char *name, mode_t mode);
/* Whether path's last name is one safedir_open_file would refuse as a
 * link: a symbolic link or a file with other hard links in an exposed
 * directory (true too when its directory cannot be walked: no open gets
 * through it either). Checks that look at the disk through such a name
 * (two logs in one file) skip it: it leads nowhere svd would go, and
 * whoever planted it must not be able to make a configuration invalid. */
bool safedir_link_refused(const char *path);
/* A text for the refusals above (-ENOLINK, -EMLINK, -EBADFD), else
 * strerror. (ENOLINK and EBADFD: errors the calls used never give.) */
const char *safedir_strerror(int r);

#endif

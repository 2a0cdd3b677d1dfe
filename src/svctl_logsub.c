/* svctl_logsub: see svctl_logsub.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "logfmt.h"
#include "safedir.h"
#include "svctl_logread.h"
#include "svctl_logsub.h"
#include "util.h"

static bool same_file(int fd, double ino, const char *btime) {
        struct statx sx;
        if (ino < 0)
                return true; /* svd did not say: take the path */
        if (statx(fd, "", AT_EMPTY_PATH, STATX_INO | STATX_BTIME, &sx) < 0 || (double)sx.stx_ino != ino)
                return false;
        if (!btime || !(sx.stx_mask & STATX_BTIME))
                return true;
        char bt[48];
        snprintf(bt, sizeof(bt), "%lld.%09u", (long long)sx.stx_btime.tv_sec, sx.stx_btime.tv_nsec);
        return strcmp(bt, btime) == 0;
}

int logsub_open(const char *cur, double ino, const char *btime, const cJSON *files, char **ret_gz) {
        *ret_gz = NULL;
        int fd = logread_open_file(cur);
        if (fd >= 0 && same_file(fd, ino, btime))
                return fd;
        if (fd >= 0)
                close(fd);
        else if (fd != -ENOENT) {
                *ret_gz = strdup(cur);
                return fd;
        }
        const char *slash = strrchr(cur, '/');
        const char *base = slash ? slash + 1 : cur;
        _cleanup_(freep) char *dir = slash ? strndup(cur, (size_t)(slash - cur)) : strdup(".");
        if (!dir)
                return -ENOMEM;
        if (!dir[0]) {
                free(dir);
                if (!(dir = strdup("/")))
                        return -ENOMEM;
        }
        usec_t after = 0, t, best = 0;
        bool gz, found = false, best_gz = false;
        const cJSON *f;
        cJSON_ArrayForEach(f, files) {
                const char *p = cJSON_IsString(f) ? strrchr(f->valuestring, '/') : NULL;
                if (p && logfmt_rotated_match(base, p + 1, &t, NULL) && t > after)
                        after = t;
        }
        /* the directory as svd reaches it (the names only: each file is
         * checked as it is opened) */
        _cleanup_(safedir_closep) struct safedir sd = SAFEDIR_NONE;
        const char *ignored;
        int r = safedir_open_parent(cur, false, 0, &sd, &ignored), dfd;
        if (r < 0 || (dfd = fcntl(sd.fd, F_DUPFD_CLOEXEC, 3)) < 0) {
                *ret_gz = strdup(dir);
                return r < 0 ? r : -errno;
        }
        DIR *d = fdopendir(dfd);
        if (!d) {
                r = -errno;
                close(dfd);
                *ret_gz = strdup(dir);
                return r;
        }
        for (struct dirent *e; (e = readdir(d));)
                if (logfmt_rotated_match(base, e->d_name, &t, &gz) && t > after &&
                    (!found || t < best || (t == best && !gz))) {
                        found = true;
                        best = t;
                        best_gz = gz;
                }
        closedir(d);
        if (!found)
                return -ENOENT;
        char name[PATH_MAX];
        logfmt_rotated_name(base, best, name, sizeof(name));
        _cleanup_(freep) char *path = strdup_printf("%s/%s%s", dir, name, best_gz ? ".gz" : "");
        if (!path)
                return -ENOMEM;
        if (best_gz) {
                *ret_gz = path;
                path = NULL;
                return -1;
        }
        fd = logread_open_file(path);
        if (fd == -ENOENT) {
                /* compressed meanwhile */
                *ret_gz = strdup_printf("%s.gz", path);
                return *ret_gz ? -1 : -ENOMEM;
        }
        if (fd < 0) {
                *ret_gz = path;
                path = NULL;
        }
        return fd;
}

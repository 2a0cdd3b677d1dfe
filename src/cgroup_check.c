/* cgroup_check: the cgroup of a service's exec health checks, svd-check
 * below its leaf. A check runs there rather than in the leaf itself: below
 * the leaf it still counts against the service's limits, and when it ends
 * everything it started can be killed without touching the service, also a
 * process that left the check's process group (setsid) and would otherwise
 * outlive it. Only one check of a service runs at a time (health.c), so
 * emptying the cgroup at the end of one never reaches another. The name has
 * no leading dot: the leaf's walks (cgroup_kill_tree, the removal) skip
 * those. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"
#include "cgroup_int.h"
#include "svc.h"
#include "svd.h"

#define CHECK_CGROUP "svd-check"

static int check_path(struct svc *s, char *buf, size_t len)
{
        int r;
        if (!cgroup_enabled(s->m))
                return -EOPNOTSUPP;
        if ((r = cg_leaf_path(s)) < 0)
                return r;
        if ((size_t)snprintf(buf, len, "%s/" CHECK_CGROUP, s->cg_path) >= len)
                return -ENAMETOOLONG;
        return 0;
}

int cgroup_check_open(struct svc *s, int *ret_dir_fd, int *ret_procs_fd)
{
        char path[PATH_MAX], procs[PATH_MAX + 16];
        int r = check_path(s, path, sizeof(path));
        if (r < 0)
                return r;
        /* made once per leaf; a leaf made again (removed while the service
         * was down) gets it again at its first check */
        if (mkdir(path, 0755) < 0 && errno != EEXIST)
                return -errno;
        int dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return -errno;
        snprintf(procs, sizeof(procs), "%s/cgroup.procs", path);
        int pfd = open(procs, O_WRONLY | O_CLOEXEC);
        if (pfd < 0) {
                r = -errno;
                close(dfd);
                return r;
        }
        *ret_dir_fd = dfd;
        *ret_procs_fd = pfd;
        return 0;
}

int cgroup_check_kill(struct svc *s)
{
        char path[PATH_MAX];
        int r = check_path(s, path, sizeof(path));
        if (r < 0)
                return r;
        if (s->m->cg->has_kill)
                return cg_write_file(path, "cgroup.kill", "1");
        r = cgroup_kill_tree(path);
        return r < 0 ? r : 0;
}

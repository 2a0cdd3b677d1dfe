/* cgroup_shell: the emergency shell's cgroup (emergency.h). Leaving the
 * emergency state ends what was started from the shell, also what the
 * operator put in a session of its own (setsid, a daemon that forked
 * away), which the shell's process group does not hold and its cgroup
 * does: <base of svd's subtree>/<cgroup_root>/emergency-shell, next to
 * where cgroup_init puts the services. The name is neither a slice's nor a
 * service's, so the next instance's sweep leaves it alone. As cgroup_init,
 * it uses only a cgroup2 hierarchy with the memory and pids controllers:
 * on a hybrid host that hierarchy is the host's and nothing is created.
 * Needs no cgroup manager: the emergency state has none. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"
#include "cgroup_int.h"
#include "util.h"

#define SHELL_CGROUP "emergency-shell"
#define SHELL_DEPTH  64

int cgroup_shell_prepare(const char *cgroup_root, char **ret_path, char *why, size_t why_len)
{
        _cleanup_(freep) char *mnt = cg_find_mount();
        _cleanup_(freep) char *own = mnt ? cg_own_cgroup() : NULL;
        if (!mnt || !own) {
                snprintf(why, why_len, "%s",
                         !mnt ? "no cgroup2 file system is mounted" : "cannot read /proc/self/cgroup");
                return -ENODEV;
        }
        cg_own_base(own, cgroup_root);
        char base[PATH_MAX], ctl[256];
        snprintf(base, sizeof(base), "%s%s", mnt, strcmp(own, "/") == 0 ? "" : own);
        if (cg_read_file(base, "cgroup.controllers", ctl, sizeof(ctl)) < 0 || !cg_has_word(ctl, "memory") ||
            !cg_has_word(ctl, "pids")) {
                snprintf(why, why_len,
                         "no cgroup v2 memory/pids controllers at %.160s (hybrid or v1 layout)", base);
                return -ENODEV;
        }
        _cleanup_(freep) char *root = strdup_printf("%s/%s", base, cgroup_root);
        char *path = root ? strdup_printf("%s/%s", root, SHELL_CGROUP) : NULL;
        if (!path) {
                snprintf(why, why_len, "out of memory");
                return -ENOMEM;
        }
        if ((mkdir(root, 0755) < 0 && errno != EEXIST) || (mkdir(path, 0755) < 0 && errno != EEXIST)) {
                int e = errno;
                snprintf(why, why_len, "cannot create %.200s: %s", path, strerror(e));
                free(path);
                return -e;
        }
        *ret_path = path;
        return 0;
}

static int is_pid(pid_t pid, void *ctx)
{
        return pid == *(pid_t *)ctx;
}

bool cgroup_shell_holds(const char *path, pid_t pid)
{
        char buf[PATH_MAX];
        if (strlen(path) + sizeof("/cgroup.procs") > sizeof(buf))
                return false;
        snprintf(buf, sizeof(buf), "%s", path);
        return cg_walk_procs(buf, 0, SHELL_DEPTH, is_pid, &pid) > 0;
}

int cgroup_shell_remove(const char *path)
{
        cg_rmdir_tree(path);
        return access(path, F_OK) == 0 ? -EBUSY : 0;
}

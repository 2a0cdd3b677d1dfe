/* cgroup_orphan: the leaf of a service no longer configured that a state
 * names (orphanstop_cg.c stops what is in it). Its processes may have left
 * the main process's group (a double-forked daemon, setsid children), but
 * not the leaf: its cgroup.procs, and those of the cgroups the service made
 * below it, are the whole service. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "cgroup_int.h"
#include "svd.h"
#include "util.h"

#define ORPHAN_DEPTH 64

/* was names NAME.service right below svd's root or below its slices, by
 * name only (no "." or ".." component on the way) */
static bool in_subtree(const char *root, const char *name, const char *was)
{
        size_t rl = strlen(root);
        if (strncmp(was, root, rl) != 0 || was[rl] != '/' || strstr(was, "/./") || strstr(was, "/../") ||
            strstr(was, "//"))
                return false;
        const char *base = strrchr(was, '/') + 1;
        size_t nl = strlen(name);
        return strncmp(base, name, nl) == 0 && strcmp(base + nl, ".service") == 0;
}

int cgroup_orphan_leaf(struct svd *m, const char *name, const char *was, char **ret_path)
{
        uint64_t populated = 0;
        if (!cgroup_enabled(m) || !name || !was)
                return 0;
        if (!name[0] || name[0] == '.' || strchr(name, '/') || !in_subtree(m->cg->root, name, was))
                return -EINVAL;
        if (cg_read_key(was, "cgroup.events", "populated", &populated) < 0 || !populated)
                return 0; /* (gone, or empty: the sweep or cgroup_gone.c removes it) */
        char *p = strdup(was);
        if (!p)
                return -ENOMEM;
        cg_gone_add(m, was, NULL); /* removed once empty (the sweep's already: one entry) */
        *ret_path = p;
        return 1;
}

bool cgroup_orphan_populated(const char *path)
{
        uint64_t populated = 0;
        return cg_read_key(path, "cgroup.events", "populated", &populated) == 0 && populated;
}

/* path: a buffer of PATH_MAX, restored on return */
static int signal_pass(char *path, int sig, pid_t skip_pgid, pid_t skip_pid, int depth)
{
        size_t len = strlen(path);
        int n = 0;
        snprintf(path + len, PATH_MAX - len, "/cgroup.procs");
        FILE *f = fopen(path, "re");
        path[len] = 0;
        if (!f)
                return depth ? 0 : -errno;
        long pid;
        while (fscanf(f, "%ld", &pid) == 1) {
                if (pid <= 0 || pid > INT_MAX || pid == skip_pid) /* (<= 0: outside our PID namespace) */
                        continue;
                if (skip_pgid > 0 && getpgid((pid_t)pid) == skip_pgid)
                        continue; /* signalled with its group */
                if (kill((pid_t)pid, sig) == 0)
                        n++;
        }
        fclose(f);
        DIR *d = depth < ORPHAN_DEPTH ? opendir(path) : NULL;
        struct dirent *e;
        while (d && (e = readdir(d))) {
                if (e->d_type != DT_DIR || e->d_name[0] == '.' ||
                    len + 1 + strlen(e->d_name) + sizeof("/cgroup.procs") > PATH_MAX)
                        continue;
                snprintf(path + len, PATH_MAX - len, "/%s", e->d_name);
                n += signal_pass(path, sig, skip_pgid, skip_pid, depth + 1);
                path[len] = 0;
        }
        if (d)
                closedir(d);
        return n;
}

int cgroup_orphan_signal(const char *path, int sig, pid_t skip_pgid, pid_t skip_pid)
{
        char buf[PATH_MAX];
        if (strlen(path) + sizeof("/cgroup.procs") > sizeof(buf))
                return -ENAMETOOLONG;
        snprintf(buf, sizeof(buf), "%s", path);
        return signal_pass(buf, sig, skip_pgid, skip_pid, 0);
}

int cgroup_orphan_kill(const char *path)
{
        /* (also as svd ends, its cgroup manager gone: the file says whether
         * the kernel has cgroup.kill) */
        int r = cg_write_file(path, "cgroup.kill", "1");
        if (r != -ENOENT)
                return r;
        r = cgroup_kill_tree(path);
        return r < 0 ? r : 0;
}

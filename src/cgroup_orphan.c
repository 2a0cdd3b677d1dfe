/* cgroup_orphan: the leaf of a service no longer configured that a state
 * names (orphanstop_cg.c stops what is in it). Its processes may have left
 * the main process's group (a double-forked daemon, setsid children), but
 * not the leaf: its cgroup.procs, and those of the cgroups the service made
 * below it, are the whole service. */
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

struct orphan_sig {
        int sig;
        pid_t skip_pgid, skip_pid;
};

/* sig to pid unless it is the one skipped or in the group signalled with
 * it; 1 if it was sent */
static int signal_one(pid_t pid, void *ctx)
{
        const struct orphan_sig *o = ctx;
        if (pid == o->skip_pid || (o->skip_pgid > 0 && getpgid(pid) == o->skip_pgid))
                return 0;
        return kill(pid, o->sig) == 0;
}

int cgroup_orphan_signal(const char *path, int sig, pid_t skip_pgid, pid_t skip_pid)
{
        char buf[PATH_MAX];
        if (strlen(path) + sizeof("/cgroup.procs") > sizeof(buf))
                return -ENAMETOOLONG;
        snprintf(buf, sizeof(buf), "%s", path);
        struct orphan_sig o = { sig, skip_pgid, skip_pid };
        return cg_walk_procs(buf, 0, ORPHAN_DEPTH, signal_one, &o);
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

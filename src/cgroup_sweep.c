/* cgroup_sweep: at start, the cgroups in svd's subtree that the
 * configuration no longer has. Slices stay when svd stops (only service
 * leaves go), and a reload removes the slices it drops
 * (cgroup_reload_slices); one dropped from the configuration while no svd
 * ran was left for good. Only directories named NAME.slice or
 * NAME.service are considered, below <root> and below such slices (not
 * "supervisor", nor a cgroup an operator made there), and only empty ones
 * go; one that still holds processes (a removed service's, left running
 * by a killed svd) stays, logged, and goes once empty (cgroup_gone.c). One
 * whose name the configuration has at another path (a service moved to
 * another slice, a slice given another parent) is said to have moved, not
 * to be gone. Nothing outside <root> is touched. */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "cgroup_int.h"
#include "log.h"
#include "svd.h"
#include "util.h"

/* slices nest through their parents, which validation bounds */
#define SWEEP_DEPTH 64

static bool ends_with(const char *s, const char *suffix) {
        size_t l = strlen(s), sl = strlen(suffix);
        return l > sl && strcmp(s + l - sl, suffix) == 0;
}

static bool listed(char **paths, const char *path) {
        for (size_t i = 0; paths && paths[i]; i++)
                if (strcmp(paths[i], path) == 0)
                        return true;
        return false;
}

/* The path among paths whose last component is name (the same slice or
 * service at another place), or NULL. */
static const char *moved_to(char **paths, const char *name) {
        size_t n = strlen(name);
        for (size_t i = 0; paths && paths[i]; i++) {
                size_t l = strlen(paths[i]);
                if (l > n && paths[i][l - n - 1] == '/' && strcmp(paths[i] + l - n, name) == 0)
                        return paths[i];
        }
        return NULL;
}

/* The NAME.slice and NAME.service directories in dir. */
static char **children(const char *dir) {
        char **v = NULL;
        DIR *d = opendir(dir);
        struct dirent *de;
        if (!d)
                return NULL;
        while ((de = readdir(d)))
                if ((de->d_type == DT_DIR || de->d_type == DT_UNKNOWN) &&
                    (ends_with(de->d_name, ".slice") || ends_with(de->d_name, ".service")) &&
                    strv_push(&v, de->d_name) < 0)
                        break; /* no memory: what was listed is swept, the rest at the next start */
        closedir(d);
        return v;
}

static void sweep(struct svd *m, char **slices, char **leaves, const char *dir, int depth) {
        _cleanup_(strv_freep) char **names = children(dir);
        for (size_t i = 0; names && names[i]; i++) {
                _cleanup_(freep) char *path = strdup_printf("%s/%s", dir, names[i]);
                bool slice = ends_with(names[i], ".slice");
                uint64_t populated = 0;
                if (!path)
                        return;
                if (slice && depth < SWEEP_DEPTH)
                        sweep(m, slices, leaves, path, depth + 1); /* what is below it first */
                if (listed(slice ? slices : leaves, path))
                        continue;
                /* "service web's from before it moved to another slice
                 * (PATH now)", or "no longer in the configuration" */
                const char *now = moved_to(slice ? slices : leaves, names[i]);
                char why[300] = "no longer in the configuration";
                if (now)
                        snprintf(why, sizeof why, "%s %.*s's from before it moved to another %s",
                                 slice ? "slice" : "service",
                                 (int)(strlen(names[i]) - strlen(slice ? ".slice" : ".service")), names[i],
                                 slice ? "parent" : "slice path");
                const char *now_a = now ? " (" : "", *now_b = now ? " now)" : "";
                bool moved = now;
                now = now ? now : "";
                if (cg_read_key(path, "cgroup.events", "populated", &populated) == 0 && populated) {
                        /* a moved service's old leaf is not watched here: it
                         * may be where the service is taken over (daemon-
                         * reexec), whose own watch of it shares the
                         * descriptor; it goes when the service restarts */
                        bool watch = slice || !moved;
                        log_warn("cgroup: %s is %s%s%s%s but holds processes; left there%s", path, why, now_a, now,
                                 now_b, watch ? " until it is empty" : "");
                        if (watch)
                                cg_gone_add(m, path, NULL);
                        continue;
                }
                /* a leaf may hold the cgroups its service made (cg_rmdir_tree);
                 * a slice only what was swept above, and a cgroup an operator
                 * made in it keeps it */
                int r = 0;
                if (!slice)
                        cg_rmdir_tree(path);
                else if (rmdir(path) < 0)
                        r = -errno;
                if (!slice && access(path, F_OK) == 0)
                        r = -EBUSY;
                if (r < 0)
                        log_warn("cgroup: %s is %s%s%s%s; cannot remove it: %s", path, why, now_a, now, now_b,
                                 strerror(-r));
                else
                        log_info("cgroup: removed %s, %s%s%s%s", path, why, now_a, now, now_b);
        }
}

void cg_sweep_stale(struct svd *m) {
        struct cgroup_mgr *g = m->cg;
        char **leaves = NULL;
        for (size_t i = 0; i < m->cfg->n_svcs; i++) {
                _cleanup_(freep) char *rel = cgroup_service_path(m->cfg, &m->cfg->svcs[i]);
                _cleanup_(freep) char *abs = rel ? strdup_printf("%s/%s", g->root, rel) : NULL;
                if (!abs || strv_push(&leaves, abs) < 0) {
                        strv_free(leaves);
                        return; /* no memory: nothing is removed that may be configured */
                }
        }
        sweep(m, g->slice_paths, leaves, g->root, 0);
        strv_free(leaves);
}

/* cgroup_gone: the cgroups of slices and service leaves no longer configured
 * (or configured at another path: a slice given another parent, a service
 * moved to another slice) that could not be removed when they were dropped
 * (a reload's switch, or the sweep at start) because they still held
 * processes or cgroups. Each is watched (cgroup.events: "populated" of the
 * whole subtree) and tried again, the deepest first, when it changes and at
 * every reload; a slice goes with the empty service leaves below it (a
 * removed service's, whose processes outlived its stop). A cgroup below a
 * slice that svd did not make (not NAME.slice or NAME.service) keeps it, as
 * in the sweep: said once. A leaf that a service uses again (one of that
 * name added back, or taken over there at daemon-reexec) is its own again:
 * forgotten here, never removed under it. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "cgroup.h"
#include "cgroup_int.h"
#include "log.h"
#include "orphanstop_cg.h"
#include "svd.h"
#include "util.h"

#define COUNT_DEPTH 64

struct cg_gone {
        char *path;
        int wd;         /* on its cgroup.events; -1: none */
        bool told_kept; /* "holds cgroups svd did not make" said */
};

static bool ends_with(const char *s, const char *suffix)
{
        size_t l = strlen(s), sl = strlen(suffix);
        return l > sl && strcmp(s + l - sl, suffix) == 0;
}

static bool svd_made(const char *name)
{
        return ends_with(name, ".slice") || ends_with(name, ".service");
}

/* The slice's or service's name, from its directory's: ".../api.slice" ->
 * "api", ".../web.service" -> "web". */
static void slice_name(const char *path, char *out, size_t len)
{
        const char *b = strrchr(path, '/');
        b = b ? b + 1 : path;
        size_t n = strlen(b);
        if (ends_with(b, ".slice"))
                n -= strlen(".slice");
        else if (ends_with(b, ".service"))
                n -= strlen(".service");
        snprintf(out, len, "%.*s", (int)(n < len ? n : len - 1), b);
}

/* "slice api" or "service web", and whether the configuration has it (at
 * another path, then: it moved). */
static const char *what(struct svd *m, const char *path, char *name, size_t len, bool *moved)
{
        bool leaf = ends_with(path, ".service");

        slice_name(path, name, len);
        *moved = false;
        /* (a leaf: at another path; at a reload's switch the configuration
         * may still be the one that had it here) */
        const struct svc_config *sc = leaf ? config_find_svc(m->cfg, name) : NULL;
        if (sc) {
                _cleanup_(freep) char *rel = cgroup_service_path(m->cfg, sc);
                size_t rl = strlen(m->cg->root);
                *moved = !rel || strncmp(path, m->cg->root, rl) != 0 || path[rl] != '/' ||
                         strcmp(path + rl + 1, rel) != 0;
        }
        for (size_t i = 0; !leaf && i < m->cfg->n_slices; i++)
                *moved = *moved || strcmp(m->cfg->slices[i].name, name) == 0;
        return leaf ? "service" : "slice";
}

static const char *gone_why(const char *kind, bool moved)
{
        return !moved ? "no longer configured"
               : strcmp(kind, "service") == 0 ? "moved to another slice path"
                                               : "moved to another parent";
}

/* path is a service's leaf: the one a service runs in, or the one its
 * configuration gives it now. */
static bool leaf_in_use(struct svd *m, const char *path)
{
        size_t rl = strlen(m->cg->root);

        if (!ends_with(path, ".service"))
                return false;
        for (size_t i = 0; i < m->n_svcs; i++) {
                const struct svc *s = m->svcs[i];
                if (s->cg_path && strcmp(s->cg_path, path) == 0)
                        return true;
                _cleanup_(freep) char *rel = cgroup_service_path(m->cfg, s->cfg);
                if (rel && strncmp(path, m->cg->root, rl) == 0 && path[rl] == '/' && strcmp(path + rl + 1, rel) == 0)
                        return true;
        }
        return false;
}

/* Processes in dir itself (its cgroup.procs). */
static size_t procs_in(const char *dir)
{
        _cleanup_(freep) char *procs = strdup_printf("%s/cgroup.procs", dir);
        FILE *f = procs ? fopen(procs, "re") : NULL;
        size_t n = 0;
        long pid;

        while (f && fscanf(f, "%ld", &pid) == 1)
                n++;
        if (f)
                fclose(f);
        return n;
}

/* Processes in dir and every cgroup below it. */
static size_t procs_below(const char *dir, int depth)
{
        size_t n = procs_in(dir);
        DIR *d = depth < COUNT_DEPTH ? opendir(dir) : NULL;
        struct dirent *e;
        while (d && (e = readdir(d))) {
                if (e->d_type != DT_DIR || e->d_name[0] == '.')
                        continue;
                _cleanup_(freep) char *sub = strdup_printf("%s/%s", dir, e->d_name);
                if (sub)
                        n += procs_below(sub, depth + 1);
        }
        if (d)
                closedir(d);
        return n;
}

/* What keeps dir: "old.service (1 process), 2 processes in it"; with
 * foreign_only, only the cgroups below it that svd did not make. */
static void describe(const char *dir, bool foreign_only, char *out, size_t len)
{
        size_t used = 0;
        DIR *d = opendir(dir);
        struct dirent *e;

        out[0] = 0;
        while (d && (e = readdir(d)) && used < len) {
                if (e->d_type != DT_DIR || e->d_name[0] == '.' || (foreign_only && svd_made(e->d_name)))
                        continue;
                _cleanup_(freep) char *sub = strdup_printf("%s/%s", dir, e->d_name);
                size_t n = sub ? procs_below(sub, 1) : 0;
                int w = snprintf(out + used, len - used, "%s%s (%zu process%s)", used ? ", " : "", e->d_name, n,
                                 n == 1 ? "" : "es");
                used += w > 0 ? (size_t)w : 0;
        }
        if (d)
                closedir(d);
        if (!foreign_only && used < len) {
                size_t n = procs_in(dir);
                if (n)
                        snprintf(out + used, len - used, "%s%zu process%s in it", used ? ", " : "", n,
                                 n == 1 ? "" : "es");
        }
        if (used >= len && len > 4)
                memcpy(out + len - 4, "...", 4);
}

static void watch(struct cgroup_mgr *g, struct cg_gone *e)
{
        if (e->wd >= 0 || g->ino_fd < 0)
                return;
        _cleanup_(freep) char *ev = strdup_printf("%s/cgroup.events", e->path);
        /* (none: the next reload tries it again) */
        e->wd = ev ? inotify_add_watch(g->ino_fd, ev, IN_MODIFY) : -1;
}

/* (inotify gives one descriptor per file: a leaf a service watches again
 * keeps its watch) */
static void drop(struct svd *m, size_t i)
{
        struct cgroup_mgr *g = m->cg;
        bool shared = false;

        for (size_t k = 0; k < m->n_svcs && g->gone[i].wd >= 0; k++)
                shared = shared || m->svcs[k]->cg_wd_events == g->gone[i].wd ||
                         m->svcs[k]->cg_wd_memory == g->gone[i].wd;
        if (g->gone[i].wd >= 0 && g->ino_fd >= 0 && !shared)
                (void)inotify_rm_watch(g->ino_fd, g->gone[i].wd);
        free(g->gone[i].path);
        g->gone[i] = g->gone[--g->n_gone];
}

void cg_gone_add(struct svd *m, const char *path, const char *why)
{
        struct cgroup_mgr *g = m->cg;
        char name[128], left[512];

        bool moved;

        for (size_t i = 0; i < g->n_gone; i++)
                if (strcmp(g->gone[i].path, path) == 0)
                        return;
        const char *kind = what(m, path, name, sizeof name, &moved);
        describe(path, false, left, sizeof left);
        struct cg_gone *v = realloc(g->gone, (g->n_gone + 1) * sizeof(*v));
        char *p = strdup(path);
        if (!v || !p) {
                if (v)
                        g->gone = v;
                free(p);
                if (why)
                        log_warn("cgroup: %s (%s %s, %s) is not empty: %s; out of memory: not tried again "
                                 "until svd starts", path, kind, name, moved ? gone_why(kind, true) : why,
                                 left[0] ? left : "cgroups below it");
                return;
        }
        g->gone = v;
        g->gone[g->n_gone++] = (struct cg_gone){ .path = p, .wd = -1 };
        watch(g, &g->gone[g->n_gone - 1]);
        if (why)
                log_warn("cgroup: %s (%s %s, %s) is not empty: %s; removed once it is", path, kind, name,
                         moved ? gone_why(kind, true) : why, left[0] ? left : "cgroups below it");
}

void cgroup_forget_removed(struct svd *m, struct svc *s)
{
        /* (no memory: the leaf is left as cgroup_forget leaves it) */
        _cleanup_(freep) char *leaf = s->cg_path ? strdup(s->cg_path) : NULL;

        cgroup_forget(m, s); /* (its watches go first: none is shared) */
        if (leaf && m->cg && access(leaf, F_OK) == 0)
                cg_gone_add(m, leaf, "removed by the reload");
}

void cg_gone_keep(struct svd *m, char **paths)
{
        struct cgroup_mgr *g = m->cg;

        for (size_t i = 0; i < g->n_gone;) {
                bool again = false;
                for (size_t k = 0; paths && paths[k] && !again; k++)
                        again = strcmp(paths[k], g->gone[i].path) == 0;
                if (again)
                        drop(m, i); /* configured again: a slice like any other */
                else
                        i++;
        }
}

/* 1: removed (or gone already, or a service's again), 0: still kept */
static int try_remove(struct svd *m, struct cg_gone *e)
{
        uint64_t populated = 0;
        char name[128], left[512];
        bool moved;

        if (access(e->path, F_OK) < 0 && errno == ENOENT)
                return 1;
        if (leaf_in_use(m, e->path))
                return 1;
        if (cg_read_key(e->path, "cgroup.events", "populated", &populated) == 0 && populated)
                return 0;
        const char *kind = what(m, e->path, name, sizeof name, &moved);
        if (strcmp(kind, "service") == 0) {
                cg_rmdir_tree(e->path); /* (with what the service made below it) */
                if (access(e->path, F_OK) < 0 && errno == ENOENT) {
                        log_info("cgroup: removed %s (service %s, %s), empty now", e->path, name,
                                 gone_why(kind, moved));
                        return 1;
                }
                return 0; /* (populated again, or busy: its next event) */
        }
        DIR *d = opendir(e->path);
        struct dirent *de;
        while (d && (de = readdir(d)))
                if (de->d_type == DT_DIR && ends_with(de->d_name, ".service")) {
                        _cleanup_(freep) char *leaf = strdup_printf("%s/%s", e->path, de->d_name);
                        if (leaf)
                                cg_rmdir_tree(leaf); /* (with what the service made below it) */
                }
        if (d)
                closedir(d);
        if (rmdir(e->path) == 0) {
                log_info("cgroup: removed %s (slice %s, %s), empty now", e->path, name, gone_why(kind, moved));
                return 1;
        }
        describe(e->path, true, left, sizeof left);
        if (left[0] && !e->told_kept) {
                e->told_kept = true;
                log_warn("cgroup: %s (slice %s, %s) holds cgroups svd did not make: %s; left "
                         "there until they go",
                         e->path, name, gone_why(kind, moved), left);
        }
        return 0;
}

void cg_gone_retry(struct svd *m)
{
        struct cgroup_mgr *g = m->cg;
        size_t below = SIZE_MAX;

        if (!g)
                return;
        /* the deepest first: a parent goes once the slices below it did */
        for (;;) {
                size_t len = 0;
                for (size_t i = 0; i < g->n_gone; i++) {
                        size_t l = strlen(g->gone[i].path);
                        if (l < below && l > len)
                                len = l;
                }
                if (!len)
                        break;
                for (size_t i = 0; i < g->n_gone;) {
                        if (strlen(g->gone[i].path) == len && try_remove(m, &g->gone[i]) > 0) {
                                drop(m, i);
                                continue;
                        }
                        watch(g, &g->gone[i]);
                        i++;
                }
                below = len;
        }
        orphanstop_cg_event(m); /* (a removed service's leaf empty now: its stop is done) */
}

bool cg_gone_event(struct svd *m, int wd)
{
        struct cgroup_mgr *g = m->cg;

        for (size_t i = 0; i < g->n_gone; i++)
                if (g->gone[i].wd == wd) {
                        cg_gone_retry(m);
                        return true;
                }
        return false;
}

void cg_gone_done(struct cgroup_mgr *g)
{
        for (size_t i = 0; i < g->n_gone; i++)
                free(g->gone[i].path);
        free(g->gone);
        g->gone = NULL;
        g->n_gone = 0;
}

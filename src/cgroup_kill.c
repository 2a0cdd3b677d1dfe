/* cgroup_kill: emptying a service's leaf (and removing it, with the cgroups
 * the service made below it). cgroup.kill (Linux 5.14+) kills
 * the whole subtree at once; before it, every cgroup.procs of the subtree is
 * walked (a service may have made child cgroups of its own below its leaf)
 * until a pass finds no process it has not killed yet. And the wait before a
 * spawn: processes found in the leaf while the service has none (a killed
 * svd's, ones that outlived the wait after an exit, a main process given up
 * after SIGKILL) are killed, and the start waits, on the event loop, for
 * cgroup.events to say "populated 0", at most CGROUP_LEFTOVER_WAIT: a new
 * main process never shares its leaf, its pids.max and its memory with the
 * dying. */
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
#include "log.h"
#include "orphanstop_cg.h"
#include "sched.h"
#include "svc.h"
#include "svd.h"

/* Fork bombs and deep trees are bounded: what survives is killed at the
 * next call (the wait before a spawn calls again). */
#define KILL_PASSES 16
#define KILL_DEPTH  64

struct pidset {
        pid_t *v; /* sorted */
        size_t n, cap;
};

/* 1: added, 0: there already, -ENOMEM */
static int pidset_add(struct pidset *s, pid_t p)
{
        size_t lo = 0, hi = s->n;
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (s->v[mid] == p)
                        return 0;
                if (s->v[mid] < p)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        if (s->n == s->cap) {
                size_t cap = s->cap ? s->cap * 2 : 64;
                pid_t *v = realloc(s->v, cap * sizeof(*v));
                if (!v)
                        return -ENOMEM;
                s->v = v;
                s->cap = cap;
        }
        memmove(s->v + lo + 1, s->v + lo, (s->n - lo) * sizeof(*s->v));
        s->v[lo] = p;
        s->n++;
        return 1;
}

int cg_walk_procs(char *path, int depth, int max_depth, int (*fn)(pid_t pid, void *ctx), void *ctx)
{
        size_t len = strlen(path);
        int n = 0;
        snprintf(path + len, PATH_MAX - len, "/cgroup.procs");
        FILE *f = fopen(path, "re");
        path[len] = 0;
        if (!f)
                return depth ? 0 : -errno;
        long pid;
        while (fscanf(f, "%ld", &pid) == 1)
                if (pid > 0 && pid <= INT_MAX) /* (<= 0: outside our PID namespace) */
                        n += fn((pid_t)pid, ctx);
        fclose(f);
        if (depth >= max_depth)
                return n;
        DIR *d = opendir(path);
        if (!d)
                return n;
        struct dirent *e;
        while ((e = readdir(d))) {
                if (e->d_type != DT_DIR || e->d_name[0] == '.' ||
                    len + 1 + strlen(e->d_name) + sizeof("/cgroup.procs") > PATH_MAX)
                        continue;
                snprintf(path + len, PATH_MAX - len, "/%s", e->d_name);
                n += cg_walk_procs(path, depth + 1, max_depth, fn, ctx);
                path[len] = 0;
        }
        closedir(d);
        return n;
}

/* SIGKILL to a process not killed before (or not remembered: killed again
 * next pass); 1 if it was sent */
static int kill_one(pid_t pid, void *ctx)
{
        if (pidset_add(ctx, pid) == 0)
                return 0;
        (void)kill(pid, SIGKILL);
        return 1;
}

int cgroup_kill_tree(const char *dir)
{
        char path[PATH_MAX];
        if (strlen(dir) + sizeof("/cgroup.procs") > sizeof(path))
                return -ENAMETOOLONG;
        snprintf(path, sizeof(path), "%s", dir);
        struct pidset killed = { 0 };
        int r = 0;
        for (int pass = 0; pass < KILL_PASSES; pass++) {
                int n = cg_walk_procs(path, 0, KILL_DEPTH, kill_one, &killed);
                if (n < 0) {
                        if (pass == 0)
                                r = n;
                        break;
                }
                if (n == 0)
                        break;
        }
        if (r == 0)
                r = (int)killed.n;
        free(killed.v);
        return r;
}

/* rmdir of the cgroups below path, deepest first, then of path (a buffer
 * of PATH_MAX, restored on return). One that holds processes, or a cgroup
 * below it, stays (EBUSY). */
static void rmdir_pass(char *path, int depth)
{
        size_t len = strlen(path);
        DIR *d = depth < KILL_DEPTH ? opendir(path) : NULL;
        struct dirent *e;

        while (d && (e = readdir(d))) {
                if (e->d_type != DT_DIR || e->d_name[0] == '.' || len + 1 + strlen(e->d_name) >= PATH_MAX)
                        continue;
                snprintf(path + len, PATH_MAX - len, "/%s", e->d_name);
                rmdir_pass(path, depth + 1);
                path[len] = 0;
        }
        if (d)
                closedir(d);
        (void)rmdir(path);
}

void cg_rmdir_tree(const char *dir)
{
        char path[PATH_MAX];
        uint64_t populated = 0;

        /* processes anywhere below: dir stays anyway, and so does every
         * cgroup of a service still running (an adopted one, when a start
         * after daemon-reexec failed), empty or not */
        if (strlen(dir) >= sizeof(path) ||
            (cg_read_key(dir, "cgroup.events", "populated", &populated) == 0 && populated))
                return;
        snprintf(path, sizeof(path), "%s", dir);
        rmdir_pass(path, 0);
}

int cgroup_kill(struct svc *s)
{
        if (!s->cg_path)
                return -ENOENT;
        if (s->m->cg->has_kill)
                return cg_write_file(s->cg_path, "cgroup.kill", "1");
        int r = cgroup_kill_tree(s->cg_path);
        return r < 0 ? r : 0;
}

/* ---- before a spawn: the leaf's leftovers ---- */

static void leftover_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
        struct svc *s = w->data;
        if (!cgroup_populated(s))
                cgroup_leftovers_end(s);
        else if (s->cg_leftover_since && !s->cg_leftover_stuck) {
                s->cg_leftover_stuck = true;
                log_err("%s: processes left in %s are still there %d s after SIGKILL (stuck in the "
                        "kernel?); %s beside them",
                        s->cfg->name, s->cg_path, CGROUP_LEFTOVER_WAIT,
                        s->state == ST_WAITING ? "the service is started" : "its next start goes ahead");
        }
        svc_recheck_start(s);
        sched_run(s->m);
}

static void leftover_timer_start(struct svc *s, double after)
{
        ev_timer_stop(s->m->loop, &s->cg_leftover_timer);
        ev_timer_init(&s->cg_leftover_timer, leftover_timer_cb, after, 0.);
        s->cg_leftover_timer.data = s;
        ev_timer_start(s->m->loop, &s->cg_leftover_timer);
}

void cg_leftovers_found(struct svc *s)
{
        bool first = !s->cg_leftover_since;
        if (first) {
                cg_watch_events(s); /* before the kill: the leaf cannot empty unseen */
                orphanstop_cg_claimed(s->m, s->cg_path); /* (a removed service's, added back) */
        }
        int r = cgroup_kill(s);
        if (!first)
                return;
        s->cg_leftover_since = now_mono();
        s->cg_leftover_stuck = false;
        if (r < 0)
                log_err("%s: killing the processes left in %s: %s", s->cfg->name, s->cg_path, strerror(-r));
        log_warn("%s: processes left in %s from an earlier run; killed them, its start waits up to %d s for "
                 "them to exit",
                 s->cfg->name, s->cg_path, CGROUP_LEFTOVER_WAIT);
        leftover_timer_start(s, CGROUP_LEFTOVER_WAIT);
}

bool cgroup_leftovers_wait(struct svc *s, char *why, size_t len)
{
        if (cg_leaf_path(s) < 0 || !cgroup_populated(s)) {
                cgroup_leftovers_end(s);
                return false;
        }
        cg_leftovers_found(s);
        if (!cgroup_populated(s)) { /* already gone */
                cgroup_leftovers_end(s);
                return false;
        }
        if (s->cg_leftover_stuck)
                return false;
        snprintf(why, len, "waiting for the processes left in %s to exit", s->cg_path);
        return true;
}

void cgroup_leftovers_end(struct svc *s)
{
        ev_timer_stop(s->m->loop, &s->cg_leftover_timer);
        if (!s->cg_leftover_since)
                return;
        usec_t took = now_mono() - s->cg_leftover_since;
        log_info("%s: the processes left in %s are gone, %llu ms after SIGKILL", s->cfg->name,
                 s->cg_path ? s->cg_path : "its cgroup", (unsigned long long)(took / 1000));
        s->cg_leftover_since = 0;
        s->cg_leftover_stuck = false;
}

void cgroup_leftovers_recheck(struct svc *s)
{
        if (!ev_is_active(&s->cg_leftover_timer))
                leftover_timer_start(s, 0.);
}

void cg_leftovers_forget(struct svc *s)
{
        ev_timer_stop(s->m->loop, &s->cg_leftover_timer);
        s->cg_leftover_since = 0;
        s->cg_leftover_stuck = false;
}

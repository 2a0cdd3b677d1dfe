/* orphanstop_cg: see orphanstop_cg.h. The end of a leaf's processes is
 * watched by cgroup_gone.c (the leaf's cgroup.events), which removes it once
 * empty, logs it and calls orphanstop_cg_event: the stop ends there, not at
 * its timeout (a service of that name added back meanwhile runs in the same
 * leaf, which the timer would kill). One added back before the leaf is
 * empty kills what is left there before its start (cg_leftovers_found),
 * which ends the stop too (orphanstop_cg_claimed). The timer looks at the
 * leaf again when it fires (no watch: inotify out of watches). */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup.h"
#include "log.h"
#include "orphanstop_cg.h"
#include "svd.h"

struct orphan_cg {
        struct svd *m;
        struct orphan_cg *next;
        char *name;
        char *path;
        ev_timer kill;
};

static void forget(struct orphan_cg *o)
{
        struct orphan_cg **p = &o->m->orphan_cgs;
        while (*p != o)
                p = &(*p)->next;
        *p = o->next;
        ev_timer_stop(o->m->loop, &o->kill);
        free(o->name);
        free(o->path);
        free(o);
}

static void kill_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
        struct orphan_cg *o = w->data;
        char tb[32];
        if (cgroup_orphan_populated(o->path)) {
                log_warn("%s: cgroup %s (no longer configured) still holds processes %s after the stop signal; "
                         "killing them",
                         o->name, o->path, format_duration(o->m->cfg->defaults.stop.timeout, tb, sizeof(tb)));
                int r = cgroup_orphan_kill(o->path);
                if (r < 0)
                        log_err("%s: killing the processes in cgroup %s: %s", o->name, o->path, strerror(-r));
        }
        forget(o); /* (cgroup_gone.c removes the leaf once empty) */
}

void orphanstop_cg_event(struct svd *m)
{
        struct orphan_cg *o = m->orphan_cgs, *next;
        for (; o; o = next) {
                next = o->next;
                if (cgroup_orphan_populated(o->path))
                        continue;
                log_info("%s: cgroup %s (no longer configured) is empty now; its stop is done", o->name, o->path);
                forget(o);
        }
}

void orphanstop_cg_claimed(struct svd *m, const char *path)
{
        for (struct orphan_cg *o = m->orphan_cgs, *next; o; o = next) {
                next = o->next;
                if (strcmp(o->path, path) != 0)
                        continue;
                log_info("%s: cgroup %s (no longer configured) is a service's again: what is left in it is "
                         "killed before its start; its stop is done",
                         o->name, o->path);
                forget(o);
        }
}

/* Tracked: killed timeout microseconds from now. The path is o's. */
static void track(struct svd *m, const char *name, char *path, usec_t timeout)
{
        struct orphan_cg *o = calloc(1, sizeof(*o));
        char *copy = o ? strdup(name) : NULL;
        if (!copy) {
                free(o);
                log_warn("%s: cannot track cgroup %s: %s; killing what is in it now", name, path,
                         strerror(ENOMEM));
                (void)cgroup_orphan_kill(path);
                free(path);
                return;
        }
        *o = (struct orphan_cg){ .m = m, .next = m->orphan_cgs, .name = copy, .path = path };
        m->orphan_cgs = o;
        ev_timer_init(&o->kill, kill_cb, (double)timeout / 1e6, 0.);
        o->kill.data = o;
        ev_timer_start(m->loop, &o->kill);
}

/* The leaf was, if svd is to stop it: its path (malloc'd), else NULL (said
 * when the state names one svd would not have made). */
static char *leaf(struct svd *m, const char *name, const char *was)
{
        char *path = NULL;
        int r = cgroup_orphan_leaf(m, name, was, &path);
        if (r == -EINVAL)
                log_warn("%s: the state names cgroup %s, not a service's leaf in svd's subtree; not stopped", name,
                         was);
        else if (r < 0)
                log_warn("%s: cgroup %s: %s; not stopped", name, was, strerror(-r));
        return r > 0 ? path : NULL;
}

void orphanstop_cg_stop(struct svd *m, const char *name, const char *was, pid_t pid, pid_t pgid)
{
        const struct stop_config *st = &m->cfg->defaults.stop;
        char *path = leaf(m, name, was);
        if (!path)
                return;
        int n = cgroup_orphan_signal(path, st->signal, pgid, pid);
        if (n > 0 && st->signal != SIGKILL && st->signal != SIGCONT)
                (void)cgroup_orphan_signal(path, SIGCONT, pgid, pid); /* a stopped process could not act on it */
        if (n < 0)
                log_warn("%s: no longer configured; cannot read its cgroup %s: %s; killing what is in it when "
                         "its stop timeout is up",
                         name, path, strerror(-n));
        else
                log_warn("%s: no longer configured; stopping its cgroup %s (%d process%s%s)", name, path, n,
                         n == 1 ? "" : "es", pid > 0 ? " outside its main process's group" : "");
        track(m, name, path, st->timeout);
}

/* (numbers checked by the caller: in range) */
static double num(const cJSON *o, const char *k, double dflt)
{
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
        return cJSON_IsNumber(v) ? v->valuedouble : dflt;
}

void orphanstop_cg_save(struct svd *m, cJSON *state)
{
        cJSON *a = m->orphan_cgs ? cJSON_AddArrayToObject(state, "orphan_cgroups") : NULL;
        for (struct orphan_cg *o = m->orphan_cgs; a && o; o = o->next) {
                if (!cgroup_orphan_populated(o->path))
                        continue; /* (empty: nothing left to stop) */
                cJSON *j = cJSON_CreateObject();
                if (!j || !cJSON_AddItemToArray(a, j) || !cJSON_AddStringToObject(j, "name", o->name) ||
                    !cJSON_AddStringToObject(j, "cgroup", o->path))
                        return; /* (out of memory: forgotten, its processes run on) */
                double left = ev_is_active(&o->kill) ? ev_timer_remaining(m->loop, &o->kill) * 1e6 : 0;
                cJSON_AddNumberToObject(j, "kill_left", left > 0 ? left : 0);
        }
}

void orphanstop_cg_restore(struct svd *m, const cJSON *state)
{
        const cJSON *j;
        cJSON_ArrayForEach(j, cJSON_GetObjectItemCaseSensitive(state, "orphan_cgroups")) {
                const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "name"));
                const char *was = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "cgroup"));
                double left = num(j, "kill_left", -1);
                if (!name || !was || !(left >= 0 && left < 9.2e18)) {
                        log_err("state: an entry of 'orphan_cgroups' out of range; ignored");
                        continue;
                }
                char *path = leaf(m, name, was);
                if (!path)
                        continue; /* (empty or gone meanwhile) */
                log_info("%s: cgroup %s (no longer configured) is still being stopped", name, path);
                track(m, name, path, (usec_t)left);
        }
}

void orphanstop_cg_done(struct svd *m)
{
        while (m->orphan_cgs) {
                struct orphan_cg *o = m->orphan_cgs;
                if (cgroup_orphan_populated(o->path) && cgroup_orphan_kill(o->path) == 0)
                        log_warn("%s: cgroup %s (no longer configured) still holds processes as svd ends; "
                                 "killed them",
                                 o->name, o->path);
                forget(o);
        }
}

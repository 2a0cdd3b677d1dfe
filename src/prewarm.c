/* prewarm: see prewarm.h. */
#include <errno.h>
#include <ev.h>
#include <grp.h>
#include <stdlib.h>
#include <unistd.h>

#include "cgroup.h"
#include "logpipe.h"
#include "prewarm.h"
#include "sandbox.h"
#include "svc.h"
#include "svd.h"

int svc_user_groups(const struct svc_config *c, gid_t **ret, int *ret_n) {
        gid_t *groups = NULL;
        int n = 32;
        for (;;) {
                gid_t *g = realloc(groups, sizeof(gid_t) * (size_t)n);
                if (!g) {
                        free(groups);
                        return -ENOMEM;
                }
                groups = g;
                int want = n;
                if (getgrouplist(c->user, c->gid, groups, &want) >= 0) {
                        *ret = groups;
                        *ret_n = want;
                        return 0;
                }
                n = want <= n ? n * 2 : want;
        }
}

int svc_add_sup_groups(const struct svc_config *c, gid_t **groups, int *n) {
        if (!c->n_sup_gids)
                return 0;
        gid_t *g = realloc(*groups, sizeof(gid_t) * ((size_t)*n + c->n_sup_gids));
        if (!g)
                return -ENOMEM;
        for (size_t i = 0; i < c->n_sup_gids; i++)
                g[(*n)++] = c->sup_gids[i];
        *groups = g;
        return 0;
}

const char *svc_spawn_cwd(const struct svc_config *c) {
        if (c->working_dir)
                return c->working_dir;
        return c->home && c->user ? c->home : "/";
}

void prewarm_drop(struct svc *s) {
        if (!s->pre)
                return;
        free(s->pre->groups);
        free(s->pre);
        s->pre = NULL;
}

static void prewarm_one(struct svd *m, struct svc *s) {
        const struct svc_config *c = s->cfg;
        struct svc_prewarm *p = calloc(1, sizeof(*p));
        if (!p)
                return;
        s->pre = p;
        /* Failures are left for the spawn, which repeats the step and reports. */
        if (c->user && (c->has_uid || c->has_gid || c->n_sup_gids))
                p->have_groups = svc_user_groups(c, &p->groups, &p->n_groups) == 0;
        struct sandbox_plan sbx = {0};
        char why[256];
        if (sandbox_plan_build(c, c->has_uid ? c->uid : geteuid(), &sbx, why, sizeof(why)) >= 0)
                sandbox_plan_done(&sbx);
        (void)logpipe_open(s);
        if (cgroup_enabled(m)) {
                char *reason = s->reason; /* a failure here must not show as the wait's reason */
                s->reason = str_empty;
                p->cgroup_done = cgroup_prepare(m, s) >= 0;
                str_clear(&s->reason);
                s->reason = reason;
        }
}

/* The waiting service that starts soonest: the earliest wave (the database
 * before its app, the app before what waits for it), then config order. */
static struct svc *next_waiting(struct svd *m) {
        struct svc *best = NULL;
        unsigned best_wave = 0;
        for (size_t i = 0; i < m->n_svcs; i++) {
                struct svc *s = m->svcs[i];
                if (s->state != ST_WAITING || s->pre || !s->cfg->enabled)
                        continue;
                unsigned w = m->wave_of ? m->wave_of[i] : 0;
                if (!best || w < best_wave) {
                        best = s;
                        best_wave = w;
                }
        }
        return best;
}

static void idle_cb(struct ev_loop *loop, ev_idle *w, int revents) {
        struct svd *m = w->data;
        struct svc *s = m->shutting_down ? NULL : next_waiting(m);
        if (s)
                prewarm_one(m, s);
        else
                ev_idle_stop(loop, w);
}

void prewarm_start(struct svd *m) {
        ev_idle_init(&m->prewarm, idle_cb);
        m->prewarm.data = m;
        ev_idle_start(m->loop, &m->prewarm);
}

void prewarm_stop(struct svd *m) {
        if (m->loop)
                ev_idle_stop(m->loop, &m->prewarm);
}

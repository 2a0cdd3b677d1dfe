/* reload_swap: the switch to a new configuration generation (see reload.h).
 * Runs from a zero-delay timer once every removed and changed service is
 * down, so no service callback is on the stack. Service objects of kept and
 * changed services move to the new array as they are (their watchers are
 * live); everything indexed by service position is rebuilt; the old
 * generation is freed last. Nothing here fails half-way: every allocation
 * comes first, and on failure the old generation stays. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup.h"
#include "control.h"
#include "graph.h"
#include "health.h"
#include "init.h"
#include "log.h"
#include "logfollow.h"
#include "logpipe.h"
#include "metrics.h"
#include "prewarm.h"
#include "profile.h"
#include "reload.h"
#include "sched.h"
#include "secrets.h"
#include "svd.h"
#include "timer.h"

static struct reload_item *item_of(struct reload_plan *p, const char *name)
{
        for (size_t i = 0; i < p->n_items; i++)
                if (strcmp(p->items[i].name, name) == 0)
                        return &p->items[i];
        return NULL;
}

/* A removed service: its watchers, cgroup leaf and log pipes go (its
 * credentials went when it stopped). */
static void retire(struct svd *m, struct svc *s)
{
        health_done(s);
        svc_unwatch_adopted(s);
        ev_timer_stop(m->loop, &s->timer);
        ev_timer_stop(m->loop, &s->cred_timer); /* (stopped on leaving "waiting"; never left armed) */
        cgroup_forget_removed(m, s); /* (one still busy goes once empty) */
        logpipe_free(s->log);
        s->log = NULL;
        logs_follow_removed(m, s->cfg->name); /* after its last lines */
        free(s->exe_path);
        free(s->rdeps);
        svc_free(s);
}

/* A changed service starts afresh: new limits, new command, no history. */
static void renew(struct svd *m, struct svc *s)
{
        struct cg_stats st;
        if (cgroup_stats(s, &st) == 0) /* the metric counts on in the new leaf */
                s->cpu_usec_gone += st.cpu_usage_usec;
        cgroup_forget(m, s); /* its slice may differ; the leaf is empty */
        prewarm_drop(s);
        free(s->exe_path);
        s->exe_path = NULL;
        s->restarts = s->attempt = 0;
        start_history_reset(&s->starts);
        s->has_exit = false;
        str_clear(&s->reason);
        str_clear(&s->last_failure);
        str_clear(&s->status_text);
        str_clear(&s->notify_status_pending); /* a dropped STATUS= of the old definition */
        s->held = s->stop_requested = s->restart_after_stop = s->stop_after_followers = false;
        /* not a follower waiting for its dependency to come back: it
         * starts now if it is to (start_after), else it stays down */
        s->dep_failed = false;
        s->cfg_stale = false; /* its process of an older definition is gone */
}

/* Its start would pull up its dependencies (sched_pull_in): not one the
 * operator stopped. Without memory to look, it starts. */
static bool held_back(struct svd *m, struct svc *s)
{
        struct svc *dep = NULL;

        if (sched_held_dependency(m, s, &dep) <= 0)
                return false;
        log_info("reload: %s is left stopped: its dependency %s is held stopped (svctl start %s "
                 "starts both)",
                 s->cfg->name, dep->cfg->name, s->cfg->name);
        return true;
}

static void rollback(struct svd *m, struct reload_plan *p, const char *why)
{
        log_err("reload: %s; the running configuration stays", why);
        /* the reload's own holds go, on what it was to change and to
         * remove alike (both stay); the operator's stay */
        for (size_t i = 0; i < p->n_items; i++)
                if (p->items[i].action == RELOAD_CHANGE || p->items[i].action == RELOAD_REMOVE)
                        p->items[i].obj->held = p->items[i].operator_held;
        for (size_t i = 0; i < p->n_items; i++) {
                struct reload_item *it = &p->items[i];
                if ((it->action == RELOAD_CHANGE || it->action == RELOAD_REMOVE) && it->start_after &&
                    !held_back(m, it->obj))
                        svd_request_start(m, it->obj);
        }
}

void reload_swap_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
        struct svd *m = w->data;
        struct reload_plan *p = m->reload;

        if (!p) /* (reload_progress arms the switch once per plan) */
                return;
        struct svd_config *old = m->cfg, *c = p->cfg;
        size_t n = c->n_svcs, n_old = m->n_svcs;
        struct svc **nv = calloc(n ? n : 1, sizeof(*nv)), **ov = m->svcs;
        unsigned *nw = calloc(n ? n : 1, sizeof(*nw));
        bool *unchanged = calloc(n ? n : 1, sizeof(bool));
        unsigned char *rset = calloc(n ? n : 1, 1); /* (secrets_reindex) */
        bool ok = nv && nw && unchanged && rset;

        m->reload = NULL;
        for (size_t i = 0; ok && i < n; i++) {
                struct reload_item *it = item_of(p, c->svcs[i].name);
                if (it && it->obj)
                        nv[i] = it->obj;
                else if (!(nv[i] = svc_new(m, &c->svcs[i], i)))
                        ok = false;
                unchanged[i] = it && it->action == RELOAD_KEEP;
        }
        int waves = ok ? graph_waves(c, nw) : -1;
        struct sched_tables st = { 0 };
        struct timers *nt = NULL;
        if (waves < 0 || (ok && sched_tables_build(c, &st) < 0) || (ok && timers_prepare(m, c, &nt) < 0))
                ok = false;
        if (!ok) {
                sched_tables_free(&st);
                timers_discard(m, nt);
                for (size_t i = 0; nv && i < n; i++) {
                        struct reload_item *it = item_of(p, c->svcs[i].name);
                        if (nv[i] && !(it && it->obj))
                                svc_free(nv[i]);
                }
                free(nv);
                free(nw);
                free(unchanged);
                free(rset);
                rollback(m, p, "out of memory");
                reload_plan_free(p);
                return;
        }

        /* Everything indexed by position goes first, while ov is intact. */
        struct timers *old_timers = timers_detach(m);
        sched_done(m);
        for (size_t i = 0; i < n_old; i++) {
                ov[i]->rdeps = NULL;
                ov[i]->n_rdeps = 0;
        }
        for (size_t i = 0; i < p->n_items; i++) {
                struct reload_item *it = &p->items[i];
                if (it->action == RELOAD_REMOVE) {
                        log_info("%s: removed", it->name);
                        retire(m, it->obj);
                        it->obj = NULL;
                } else if (it->action == RELOAD_CHANGE) {
                        renew(m, it->obj);
                        it->obj->held = it->operator_held; /* an svctl stop outlives the change */
                }
        }
        free(m->wave_of);
        m->svcs = nv;
        m->n_svcs = n;
        m->wave_of = nw;
        m->n_waves = (unsigned)waves;
        for (size_t i = 0; i < n; i++) {
                struct svc *s = nv[i];
                s->cfg = &c->svcs[i];
                s->index = i;
                if (s->log && logpipe_reconfigure(s->log) < 0)
                        log_warn("%s: log settings: out of memory; lines are cut at the previous max_line "
                                 "until the next reload", s->cfg->name);
        }
        m->cfg = c;
        p->cfg = NULL;
        init_reload_config(old, c);
        if (old->has_admin_gid != c->has_admin_gid || old->admin_gid != c->admin_gid)
                control_reauth(m->ctl);
        if (old->ready_timeout != c->ready_timeout)
                svd_ready_timeout_changed(m);

        sched_tables_install(m, &st);
        timers_reattach(m, nt, old_timers, ov, n_old, unchanged);
        secrets_reindex(m, old, rset);
        cgroup_reload_slices(m);
        for (size_t i = 0; i < p->n_items; i++) /* (below their slices' new limits) */
                if (p->items[i].action == RELOAD_KEEP && p->items[i].resources_live)
                        cgroup_apply_live(m, p->items[i].obj);
        logs_sweep_soon(m); /* removed services' logs: log_max_total, compression leftovers */
        if (metrics_reload(m) < 0)
                log_warn("reload: metrics.textfile writer not restarted");
        free(ov);
        free(unchanged);
        config_free(old);

        /* Start what is new, and what changed and was wanted. */
        for (size_t i = 0; i < p->n_items; i++) {
                struct reload_item *it = &p->items[i];
                struct svc *s;
                if (it->action == RELOAD_ADD)
                        s = svd_find(m, it->name);
                else if (it->action == RELOAD_CHANGE && it->start_after)
                        s = it->obj;
                else
                        continue;
                /* (enabled: false keeps a new one from starting, not one
                 * that ran: it was started, or pulled in, and is wanted) */
                if (!s || (it->action == RELOAD_ADD && !s->cfg->enabled))
                        continue;
                /* a scheduled job waits for its timer, unless the reload
                 * stopped a run of it: that run is made again, as a changed
                 * service that ran starts again */
                if (timer_scheduled(s) && !(it->action == RELOAD_CHANGE && it->run_again))
                        continue;
                if (held_back(m, s))
                        continue;
                if (!profile_blocked(s)) /* (it stays stopped, saying why) */
                        sched_pull_in(m, s);
                svc_dispatch(s, SE_START, 0);
        }
        log_info("reload: done: %zu added, %zu removed, %zu changed, %zu unchanged", p->count[RELOAD_ADD],
                 p->count[RELOAD_REMOVE], p->count[RELOAD_CHANGE], p->count[RELOAD_KEEP]);
        reload_plan_free(p);
        sched_run(m);
}

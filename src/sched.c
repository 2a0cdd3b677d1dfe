/* sched: dependency propagation (see sched.h). Every state change enqueues
 * the service; draining the queue re-evaluates its dependents. During
 * shutdown a full pass stops each service whose dependents are all down, so
 * the stop order is the reverse of the start order by construction. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "log.h"
#include "reload.h"
#include "sched.h"
#include "util.h"

void sched_tables_free(struct sched_tables *t) {
        for (size_t i = 0; t->rdeps && i < t->n; i++)
                free(t->rdeps[i]);
        free(t->rdeps);
        free(t->n_rdeps);
        free(t->queue);
        *t = (struct sched_tables){ 0 };
}

int sched_tables_build(const struct svd_config *c, struct sched_tables *t) {
        size_t n = c->n_svcs ? c->n_svcs : 1;

        *t = (struct sched_tables){ .n = c->n_svcs };
        t->queue = calloc(n, sizeof(size_t));
        t->rdeps = calloc(n, sizeof(size_t *));
        t->n_rdeps = calloc(n, sizeof(size_t));
        if (!t->queue || !t->rdeps || !t->n_rdeps) {
                sched_tables_free(t);
                return -ENOMEM;
        }
        /* Reverse edges, so a change reaches its dependents directly. */
        for (size_t i = 0; i < c->n_svcs; i++) {
                const struct svc_config *s = &c->svcs[i];
                for (size_t d = 0; d < s->n_deps; d++) {
                        size_t di = s->deps[d].index;
                        size_t *v = realloc(t->rdeps[di], (t->n_rdeps[di] + 1) * sizeof(size_t));
                        if (!v) {
                                sched_tables_free(t);
                                return -ENOMEM;
                        }
                        t->rdeps[di] = v;
                        v[t->n_rdeps[di]++] = i;
                }
        }
        return 0;
}

void sched_tables_install(struct svd *m, struct sched_tables *t) {
        m->queue = t->queue;
        m->q_head = m->q_len = 0;
        for (size_t i = 0; i < m->n_svcs && i < t->n; i++) {
                m->svcs[i]->rdeps = t->rdeps[i];
                m->svcs[i]->n_rdeps = t->n_rdeps[i];
        }
        free(t->rdeps);
        free(t->n_rdeps);
        *t = (struct sched_tables){ 0 };
}

int sched_init(struct svd *m) {
        struct sched_tables t;
        int r = sched_tables_build(m->cfg, &t);

        if (r < 0)
                return r;
        sched_tables_install(m, &t);
        return 0;
}

void sched_done(struct svd *m) {
        if (m->svcs)
                for (size_t i = 0; i < m->n_svcs; i++)
                        free(m->svcs[i]->rdeps);
        free(m->queue);
        m->queue = NULL;
}

void sched_enqueue(struct svd *m, struct svc *s) {
        if (s->queued)
                return;
        s->queued = true;
        m->queue[(m->q_head + m->q_len) % m->n_svcs] = s->index;
        m->q_len++;
}

bool sched_deps_met(const struct svd *m, const struct svc *s) {
        for (size_t d = 0; d < s->cfg->n_deps; d++) {
                const struct dep_config *dc = &s->cfg->deps[d];
                const struct svc *dep = m->svcs[dc->index];
                /* nothing starts on a dependency that is about to stop */
                if (dep->stop_after_followers || !svc_dep_satisfied(dep, dc->condition))
                        return false;
        }
        return true;
}

void sched_wait_reason(const struct svd *m, struct svc *s) {
        const struct svc *first = NULL;
        enum dep_condition cond = DEP_STARTED;
        size_t more = 0;
        for (size_t d = 0; d < s->cfg->n_deps; d++) {
                const struct dep_config *dc = &s->cfg->deps[d];
                const struct svc *dep = m->svcs[dc->index];
                if (!dep->stop_after_followers && svc_dep_satisfied(dep, dc->condition))
                        continue;
                if (first)
                        more++;
                else
                        first = dep, cond = dc->condition;
        }
        if (!first) { /* (nothing starts during a shutdown) */
                svc_set_reason(s, "waiting for dependencies");
                return;
        }
        /* what it does: its health while it runs but is not healthy yet,
         * or that an svctl stop waits for its followers to stop it */
        char doing[64];
        if (first->stop_after_followers)
                snprintf(doing, sizeof(doing), "%s, stop pending", svc_state_name(first->state));
        else if (svc_state_up(first->state) && first->health != HEALTH_NONE && first->health != HEALTH_HEALTHY)
                snprintf(doing, sizeof(doing), "%s, health %s", svc_state_name(first->state),
                         svc_health_name(first->health));
        else
                snprintf(doing, sizeof(doing), "%s", svc_state_name(first->state));
        char rest[32] = "";
        if (more)
                snprintf(rest, sizeof(rest), " and %zu more", more);
        svc_set_reason(s, "waiting for %s (%s; needs %s)%s", first->cfg->name, doing, dep_condition_name(cond),
                       rest);
}

/* Exited 0 and not restarted by its policy, dep can no longer meet cond
 * (svc_dep_broken: healthy): the start that needs it runs it again, as one
 * that is stopped. A oneshot has done its job: it is not run again, and
 * what needs it healthy fails, naming it. */
static bool exited_needed_up(const struct svc *dep, enum dep_condition cond) {
        return dep->state == ST_EXITED && dep->cfg->type != SVC_ONESHOT && svc_dep_broken(dep, cond);
}

void sched_pull_in(struct svd *m, struct svc *s) {
        /* Iterative DFS over dependencies; the graph is acyclic (validated). */
        size_t *stack = malloc(sizeof(size_t) * (m->n_svcs + 1));
        bool *seen = calloc(m->n_svcs, sizeof(bool));
        if (!stack || !seen) {
                free(stack);
                free(seen);
                return;
        }
        size_t sp = 0;
        stack[sp++] = s->index;
        seen[s->index] = true;
        while (sp) {
                struct svc *cur = m->svcs[stack[--sp]];
                for (size_t d = 0; d < cur->cfg->n_deps; d++) {
                        const struct dep_config *dc = &cur->cfg->deps[d];
                        size_t di = dc->index;
                        struct svc *dep = m->svcs[di];
                        if (seen[di]) {
                                /* reached before through an edge its exit
                                 * met (started); this one needs it up */
                                if (exited_needed_up(dep, dc->condition) && !reload_leaving(m, dep))
                                        svc_dispatch(dep, SE_START, 0);
                                continue;
                        }
                        seen[di] = true;
                        struct reload_item *it = reload_leaving(m, dep);
                        if (it) { /* not with the old definition (reload.h) */
                                if (it->action == RELOAD_CHANGE) {
                                        it->start_after = true;
                                        it->operator_held = false; /* (as dep->held below) */
                                }
                                continue;
                        }
                        if (dep->stop_after_followers) {
                                /* an operator's stop still waiting for its
                                 * followers gives way to the start that
                                 * needs it (else it stops once they do, and
                                 * the one being started waits for ever) */
                                dep->stop_after_followers = dep->stop_requested = false;
                                svc_set_reason(dep, "%s", "");
                        }
                        if (dep->state == ST_STOPPED || dep->state == ST_FAILED ||
                            exited_needed_up(dep, dc->condition)) {
                                dep->held = false;
                                svc_dispatch(dep, SE_START, 0);
                        } else if (dep->state == ST_BACKOFF) {
                                /* it waits out its restart delay: a crash
                                 * loop is not cut short by what needs it
                                 * (only svctl start of it is) */
                        } else if (dep->state == ST_STOPPING) {
                                dep->held = false; /* started again once down */
                                /* (one svd stops for a failed check ends as
                                 * its policy says: failed, it starts again,
                                 * as one failed already; in its restart delay,
                                 * it waits that out: svc_dispatch) */
                                dep->restart_after_stop = true;
                        } else {
                                dep->held = false;
                        }
                        stack[sp++] = di;
                }
        }
        free(stack);
        free(seen);
}

int sched_held_dependency(struct svd *m, const struct svc *s, struct svc **ret) {
        _cleanup_(freep) size_t *stack = malloc(sizeof(size_t) * (m->n_svcs + 1));
        _cleanup_(freep) bool *seen = calloc(m->n_svcs ? m->n_svcs : 1, sizeof(bool));
        size_t sp = 0;

        if (!stack || !seen)
                return -ENOMEM;
        stack[sp++] = s->index;
        seen[s->index] = true;
        while (sp) {
                const struct svc *cur = m->svcs[stack[--sp]];
                for (size_t d = 0; d < cur->cfg->n_deps; d++) {
                        size_t di = cur->cfg->deps[d].index;
                        struct svc *dep = m->svcs[di];
                        if (seen[di])
                                continue;
                        seen[di] = true;
                        if (reload_leaving(m, dep))
                                continue;
                        if (dep->held) {
                                *ret = dep;
                                return 1;
                        }
                        stack[sp++] = di;
                }
        }
        return 0;
}

/* d failed only because a dependency it follows failed (dep_failed): once
 * s's change leaves none of its dependencies broken, it starts again and
 * waits for them as at any start, as it would have had that one merely
 * restarted; not while a reload replaces it. An operator's stop or start,
 * or its own failure, clears dep_failed. */
static void start_follower_again(struct svd *m, struct svc *d, struct svc *s) {
        if (d->held || reload_leaving(m, d))
                return;
        for (size_t i = 0; i < d->cfg->n_deps; i++)
                if (svc_dep_broken(m->svcs[d->cfg->deps[i].index], d->cfg->deps[i].condition))
                        return;
        log_info("%s: starting again: %s is %s", d->cfg->name, s->cfg->name, svc_state_name(s->state));
        svc_dispatch(d, SE_START, 0);
}

/* d, waiting, fails if one of its dependencies can no longer come up for
 * it: whether that one broke while d waited or before d began to wait (a
 * backoff delay or a follower's stop that ended after it). With began, d
 * has just begun to wait: a dependency a reload under way replaces is
 * waited for, it starts with its new definition (reload.h). */
static bool fail_on_broken(struct svd *m, struct svc *d, bool began) {
        for (size_t i = 0; i < d->cfg->n_deps; i++) {
                const struct dep_config *dc = &d->cfg->deps[i];
                struct svc *dep = m->svcs[dc->index];
                if (began && reload_leaving(m, dep))
                        continue;
                if (svc_dep_broken(dep, dc->condition)) {
                        svc_set_reason(d, "dependency %s %s", dep->cfg->name,
                                       dep->state == ST_FAILED    ? "failed"
                                       : dep->state == ST_STOPPED ? "stopped"
                                                                  : "exited");
                        d->dep_failed = dc->restart;
                        svc_dispatch(d, SE_DEP_FAILED, 0);
                        return true;
                }
        }
        return false;
}

/* Re-evaluates dependent d after a change of its dependency s. */
static void reevaluate(struct svd *m, struct svc *d, struct svc *s) {
        if (d->state == ST_WAITING) {
                if (m->shutting_down)
                        return; /* it is about to be stopped, never started */
                if (fail_on_broken(m, d, false))
                        return;
                if (sched_deps_met(m, d))
                        svc_dispatch(d, SE_DEPS_MET, 0);
                else
                        sched_wait_reason(m, d); /* the one it waits for now */
                return;
        }
        if (d->state == ST_FAILED) {
                if (d->dep_failed && !m->shutting_down)
                        start_follower_again(m, d, s);
                return;
        }
        /* Follow a dependency that went down, if asked to (depends_on.X.restart). */
        if (m->shutting_down || (!svc_state_up(d->state) && d->state != ST_STARTING))
                return;
        if (svc_state_up(s->state) || s->state == ST_EXITED || s->state == ST_STARTING)
                return;
        /* a stop is ordered already (svctl stop waiting for its followers,
         * a reload): it is not made a restart */
        if (d->held)
                return;
        for (size_t i = 0; i < d->cfg->n_deps; i++) {
                const struct dep_config *dc = &d->cfg->deps[i];
                if (dc->index == s->index && dc->restart) {
                        log_info("%s: restarting because %s went %s", d->cfg->name, s->cfg->name,
                                 svc_state_name(s->state));
                        d->restart_after_stop = true;
                        d->stop_requested = true;
                        svc_dispatch(d, SE_STOP, 0);
                        return;
                }
        }
}

static void shutdown_pass(struct svd *m) {
        bool any_active = false;
        for (size_t i = 0; i < m->n_svcs; i++) {
                struct svc *s = m->svcs[i];
                if (!svc_state_active(s->state))
                        continue;
                any_active = true;
                if (s->state == ST_STOPPING)
                        continue;
                /* no process to stop in order: end the wait (a backoff timer
                 * would start it again) whatever its dependents do */
                bool dependents_up = false, idle = s->state == ST_BACKOFF || s->state == ST_WAITING;
                for (size_t r = 0; r < s->n_rdeps && !idle; r++) {
                        enum svc_state rs = m->svcs[s->rdeps[r]]->state;
                        if (svc_state_active(rs) && rs != ST_WAITING && rs != ST_BACKOFF) {
                                dependents_up = true;
                                break;
                        }
                }
                if (!dependents_up) {
                        s->stop_requested = true;
                        svc_dispatch(s, SE_STOP, 0);
                }
        }
        /* Once: the callbacks of the loop's last iteration (more children
         * reaped, a client's request) come here again after the break. */
        if (!any_active && !m->all_stopped) {
                m->all_stopped = true;
                log_info("all services stopped");
                ev_break(m->loop, EVBREAK_ALL);
        }
}

void sched_run(struct svd *m) {
        for (;;) {
                while (m->q_len) {
                        struct svc *s = m->svcs[m->queue[m->q_head]];
                        m->q_head = (m->q_head + 1) % m->n_svcs;
                        m->q_len--;
                        s->queued = false;
                        /* it began to wait: nothing else looks at it again
                         * unless a dependency changes (failed: queued again) */
                        if (s->state == ST_WAITING && !m->shutting_down && fail_on_broken(m, s, true))
                                continue;
                        for (size_t r = 0; r < s->n_rdeps; r++)
                                reevaluate(m, m->svcs[s->rdeps[r]], s);
                }
                if (!m->shutting_down) {
                        if (m->stop_after_pending)
                                svd_stop_after_followers(m); /* may stop services: queued */
                        svd_check_boot(m);
                        reload_progress(m); /* may stop services: their events queue up */
                        if (!m->q_len)
                                return;
                        continue;
                }
                shutdown_pass(m);
                if (!m->q_len)
                        return;
        }
}

/* sched: start and stop propagation along the dependency graph. State changes
 * enqueue a service; sched_run() drains the queue, re-evaluating dependents
 * (start when their conditions hold, fail when a dependency cannot come up,
 * restart when asked to follow a dependency) and, during shutdown, stopping
 * each service once everything that depends on it has stopped. A queue rather
 * than recursion keeps stack depth flat for long dependency chains. */
#ifndef SVD_SCHED_H
#define SVD_SCHED_H

#include "svd.h"

/* The queue and each service's dependents (reverse edges) of generation c,
 * built apart from m so that a reload's switch can fail before it changes
 * anything (reload_swap.c); -ENOMEM (t is empty then). */
struct sched_tables {
        size_t n;
        size_t *queue;
        size_t **rdeps;  /* per service of c, by index */
        size_t *n_rdeps;
};
int sched_tables_build(const struct svd_config *c, struct sched_tables *t);
/* Into m, whose m->svcs are c's services in c's order; t is left empty. */
void sched_tables_install(struct svd *m, struct sched_tables *t);
void sched_tables_free(struct sched_tables *t);
/* Both at once, for m->cfg. */
int sched_init(struct svd *m);
void sched_done(struct svd *m);
void sched_enqueue(struct svd *m, struct svc *s);
void sched_run(struct svd *m);
/* Wants s and, recursively, every dependency that is not up yet. */
void sched_pull_in(struct svd *m, struct svc *s);
/* A start svd makes on its own (a timer's run, the restart for a changed
 * secret) must not pull up what the operator stopped: the first dependency
 * of s, direct or not, that is held (svctl stop) into *ret and 1; 0 when
 * there is none (a dependency a reload under way replaces is not the
 * operator's, and its own dependencies are not looked at, as in
 * sched_pull_in); -ENOMEM. */
int sched_held_dependency(struct svd *m, const struct svc *s, struct svc **ret);
/* s's reason while it waits for its dependencies: the first in the order
 * of depends_on whose condition does not hold, what it does, what s needs
 * and how many more it waits for ("waiting for db (running, health
 * starting; needs healthy) and 1 more"); svctl(8) documents it. */
void sched_wait_reason(const struct svd *m, struct svc *s);
/* Whether all of s's dependencies hold their conditions. */
bool sched_deps_met(const struct svd *m, const struct svc *s);

#endif

/* timer: scheduled jobs. A service with schedule: is a oneshot that svd does
 * not start at boot; one ev_periodic per job (absolute wall-clock time) is
 * armed for the next due time and starts the job
 * through the normal start path (svd_request_start: same sandbox, cgroup and
 * logs as any service). Nothing polls: an idle svd wakes only when a job is
 * due. A run due while the previous one is still active is skipped and
 * counted. With persistent: true the last run time is kept in
 * <state_dir>/timers/<name> (written atomically) and a run missed while svd
 * was down is made at boot. A step of the wall clock neither holds a job
 * back nor runs it early: an interval is elapsed time (its due time is kept
 * in CLOCK_BOOTTIME too), a cron job is re-armed for the next match after
 * the new time (a match a step forward passed fires once; after a step back
 * under 3 hours, one that fired already runs again only as far from that
 * firing as its runs ever are). */
#ifndef SVD_TIMER_H
#define SVD_TIMER_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "config.h"
#include "state.h"
#include "util.h"

struct svd;
struct svc;
struct timers;
struct control_peer;

/* Pure: the first due time after t (usec, CLOCK_REALTIME) for a job whose
 * previous run (or anchor) was at t: t + every, or the next cron match after
 * t's second. USEC_INFINITY if a cron expression never matches again. */
usec_t timer_due_after(const struct schedule_config *sc, usec_t t);

/* The persistent state file's content: "SECONDS[.FRACTION]\n[RESULT\n[DURATION_USEC\n]]".
 * Parses buf; returns 0 with *ret_last (usec) or -EINVAL. result (may be NULL)
 * gets the second line, *ret_duration the third (0 if absent). */
int timer_stamp_parse(const char *buf, usec_t *ret_last, char *result, size_t result_len, usec_t *ret_duration);

int timers_init(struct svd *m);  /* after the services exist: loads the state files */
void timers_boot(struct svd *m); /* arms every job; persistent catch-up */
void timers_stop(struct svd *m); /* shutdown: no new runs */
void timers_done(struct svd *m);
/* Reload (reload_swap.c): the new generation c's jobs, allocated before the
 * switch changes anything (-ENOMEM: nothing to undo), or discarded if it
 * fails for another reason; timers_detach takes the jobs away before
 * services move; then timers_reattach installs the built jobs (it cannot
 * fail). A job of the same service object keeps
 * its history (last run, result, counters, a run in progress), and its due
 * time if unchanged[new index] or if its every, cron and random_delay are
 * the same (only its command, environment... changed); others are armed as
 * at boot. Frees old. */
int timers_prepare(struct svd *m, const struct svd_config *c, struct timers **ret);
void timers_discard(struct svd *m, struct timers *built);
struct timers *timers_detach(struct svd *m);
void timers_reattach(struct svd *m, struct timers *built, struct timers *old, struct svc *const *old_svcs,
                     size_t n_old, const bool *unchanged);

bool timer_scheduled(const struct svc *s); /* has a schedule (and is enabled) */
/* daemon-reexec: a job's history and due time (NULL: not a job), and
 * whether it still counts from its boot until the clock reaches a last run
 * that was ahead of it (persistent), and back;
 * then every job that got no due time from the state is armed as at boot.
 * ran_unseen: after a kill of svd, a run started after the state was
 * written and ended while no svd ran (statejournal_restore_svc): the start
 * the stamp file recorded is its last run, and the due time that run was
 * for is not run again (without a stamp file it is). */
cJSON *timer_save_json(const struct svc *s);
void timer_restore_json(struct svc *s, const cJSON *o, bool ran_unseen);
void timers_boot_unrestored(struct svd *m);
/* svc.c's set_state calls this on every state change. */
void timer_svc_state(struct svc *s, enum svc_state prev, enum svc_state next);
/* last_run, last_result, last_duration_usec, next_run, runs, skipped, schedule. */
void timer_add_json(cJSON *o, const struct svc *s);

/* OP_RUN: start a oneshot now (admin only); refuses while it is active,
 * unless in its restart delay (then a fresh start, as svctl start). */
cJSON *timer_op_run(struct svd *m, const cJSON *req, const struct control_peer *peer);

#endif

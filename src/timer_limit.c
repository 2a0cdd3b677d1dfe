/* timer_limit: schedule.timeout, a scheduled job's run time limit. A hung
 * run would keep the job active, and every later due run skipped, for
 * ever: the limit, counted from when the run began (its wait for
 * dependencies and its restarts by policy included: a dependency that never
 * becomes healthy would hang it as well), stops it as failed (its stop
 * signal, then SIGKILL of the whole group after its stop timeout) or ends
 * its wait, and no restart follows; the next due run goes ahead as usual.
 * The timer is monotonic time, so a step of the wall clock neither cuts a
 * run short nor lengthens it. */
#include <stdio.h>

#include "log.h"
#include "sched.h"
#include "svc.h"
#include "svd.h"
#include "timer_int.h"

const char *timer_limit_reason(const struct timer_job *j, char *buf, size_t len)
{
        char tb[32];

        snprintf(buf, len, "run time limit reached: still %s after schedule.timeout %s",
                 j->limit_waiting ? "waiting" : "running",
                 format_duration(sched_of(j)->timeout, tb, sizeof(tb)));
        return buf;
}

static void limit_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
        struct timer_job *j = w->data;
        struct svc *s = j->m->svcs[j->index];
        char why[128];

        (void)loop;
        (void)revents;
        if (!j->running || !svc_state_active(s->state) || s->state == ST_STOPPING)
                return;
        j->limit_waiting = s->state == ST_WAITING;
        timer_limit_reason(j, why, sizeof(why));
        j->limit_hit = true;
        if (svc_state_up(s->state) || s->state == ST_STARTING) {
                svc_fail(s, STOP_OUTCOME_FAILED, why); /* (logs it) */
        } else {
                /* waiting out a restart delay, or for a dependency again:
                 * no process to stop, the run just ends */
                log_err("%s: %s", s->cfg->name, why);
                svc_dispatch(s, SE_STOP, 0);
                svc_set_reason(s, "%s", why); /* (a stop clears it) */
        }
        sched_run(j->m);
}

void timer_limit_arm(struct timer_job *j)
{
        usec_t limit = sched_of(j)->timeout, now = now_mono(), end;

        timer_limit_disarm(j);
        if (!limit || !j->running)
                return;
        if (!j->begin_mono) /* (a run under way in an svd from before begin_mono: from its spawn, or now) */
                j->begin_mono = j->spawned ? j->spawn_mono : now;
        if (__builtin_add_overflow(j->begin_mono, limit, &end))
                return; /* (never) */
        if (j->limit.data != j)
                ev_init(&j->limit, limit_cb);
        j->limit.data = j;
        ev_timer_set(&j->limit, end > now ? (double)(end - now) / 1e6 : 0., 0.);
        ev_timer_start(j->m->loop, &j->limit);
}

void timer_limit_disarm(struct timer_job *j)
{
        if (j->limit.data == j && j->m->loop)
                ev_timer_stop(j->m->loop, &j->limit);
}

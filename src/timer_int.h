/* timer_int: what the two halves of scheduled jobs share, private to them:
 * timer.c arms and fires the jobs (clock steps, reload, daemon-reexec),
 * timer_record.c keeps each job's record of its runs (the stamp file, the
 * run's life through set_state, the status fields). */
#ifndef SVD_TIMER_INT_H
#define SVD_TIMER_INT_H

#include <stdbool.h>
#include <stddef.h>

#include <ev.h>

#include "cron.h"
#include "svd.h"
#include "timer.h"
#include "util.h"

struct timer_job {
        struct svd *m;
        size_t index;
        ev_periodic w;
        usec_t next_base;       /* due time before the random delay; 0 = not armed */
        usec_t next_at;         /* armed time (CLOCK_REALTIME) */
        usec_t at_boot;         /* next_at as CLOCK_BOOTTIME when armed (clock steps) */
        usec_t due_boot;        /* the due time the last firing was for, as CLOCK_BOOTTIME;
                                 * 0 = none (a step back: timer.c not_again) */
        bool running;
        bool spawned;           /* this run reached starting */
        usec_t spawn_mono;
        usec_t last_run;        /* CLOCK_REALTIME of the last run's start; 0 = never */
        char last_result[300];  /* "" = none */
        usec_t last_duration;
        bool has_duration;
        unsigned runs, skipped; /* since svd started */
        char *stamp_path;
        bool restored;          /* armed from daemon-reexec state */
        bool stamp_ahead;       /* persistent: last_run was later than now at boot */
        ev_timer limit;         /* schedule.timeout (timer_limit.c); data == this job once set up */
        bool limit_hit;         /* this run was ended by its time limit */
        bool limit_waiting;     /* ...while it waited (for dependencies, a gate) */
        usec_t begin_mono;      /* CLOCK_MONOTONIC when this run began (was triggered):
                                 * schedule.timeout counts from it, the wait included */
        bool anew;              /* svctl run from the restart delay: leaving it begins a new run */
        /* what of its schedule sets its due times (every, cron,
         * random_delay), as it was armed: a reload that changes the job
         * but none of these keeps its due time */
        usec_t every, random_delay;
        struct cron_spec cron;
};

struct timers {
        struct svd *m;
        struct timer_job **jobs; /* by service index; NULL: no schedule */
        size_t n;
        bool stopped;
        bool by_timer;          /* the current start came from a firing */
        /* libev calls clock_watch's reschedule callback whenever it sees the
         * wall clock step (a timerfd cancelled on clock_settime, or a jump
         * against the monotonic clock); clock_step wakes outside of libev's
         * periodic heap walk and arms settle, which re-checks the jobs once
         * libev's own idea of the time has caught up (see clock_step_cb) */
        bool watching;
        ev_periodic clock_watch;
        ev_async clock_step;
        ev_timer settle;
};

static inline struct timer_job *job_of(const struct svc *s)
{
        struct timers *t = s->m ? s->m->timers : NULL;

        if (!t || s->index >= t->n)
                return NULL;
        return t->jobs[s->index];
}

static inline const struct schedule_config *sched_of(const struct timer_job *j)
{
        return &j->m->svcs[j->index]->cfg->schedule;
}

/* timer.c: arms j for base (a due time; USEC_INFINITY: not armed) plus its
 * random delay. */
void timer_arm_at(struct timer_job *j, usec_t base);
/* timer_limit.c: (re)arms j's run time limit, counted from its run's first
 * spawn (nothing without schedule.timeout or while no run has spawned);
 * disarm stops it. */
void timer_limit_arm(struct timer_job *j);
void timer_limit_disarm(struct timer_job *j);
/* "run time limit reached: ..." for j's limit, in buf; returns buf. */
const char *timer_limit_reason(const struct timer_job *j, char *buf, size_t len);
/* timer_record.c: j's last run from its stamp file (timers_init). */
void timer_stamp_load(struct timer_job *j);

#endif

/* timer: scheduled jobs at run time (see timer.h). Each job has one
 * ev_periodic in absolute mode armed for its next due time (plus its random
 * delay); firing starts the oneshot through svd_request_start, so a job runs
 * exactly like `svctl start` would run it. The run's life (start, end, result,
 * duration) and its record are timer_record.c's. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <ev.h>

#include "log.h"
#include "profile.h"
#include "reload.h"
#include "sched.h"
#include "secrets.h"
#include "svd.h"
#include "timer.h"
#include "timer_int.h"

/* Whether s's timer is armed: enabled, and in the selected profiles (one
 * outside them never runs here). */
static bool armable(const struct svc *s)
{
        return s->cfg->enabled && !s->cfg->not_in_profile;
}

usec_t timer_due_after(const struct schedule_config *sc, usec_t t)
{
        usec_t due;

        /* a duration from the config may be up to 2^64 us: past the end of
         * time is never, not a wrap into the past (a firing loop) */
        if (sc->every)
                return __builtin_add_overflow(t, sc->every, &due) || due == USEC_INFINITY ? USEC_INFINITY
                                                                                          : due;
        time_t n = cron_next(&sc->cron, (time_t)(t / USEC_PER_SEC));
        return n < 0 ? USEC_INFINITY : (usec_t)n * USEC_PER_SEC;
}

static const char *fmt_time(usec_t real, char *buf, size_t len)
{
        time_t t = (time_t)(real / USEC_PER_SEC);
        struct tm tm;

        if (!gmtime_r(&t, &tm) || !strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm))
                snprintf(buf, len, "?");
        return buf;
}

static usec_t random_below(usec_t max)
{
        uint64_t v;

        if (!max)
                return 0;
        if (getrandom(&v, sizeof(v), GRND_NONBLOCK) != (ssize_t)sizeof(v))
                v = ((uint64_t)random() << 31) ^ (uint64_t)random();
        return v % max;
}

/* Arms j for base (its due time) at `at` (base plus its random delay). */
static void start_at(struct timer_job *j, usec_t base, usec_t at)
{
        usec_t real = now_real();

        j->next_base = base;
        j->next_at = at;
        /* the same instant on the clock a wall-clock step does not move */
        j->at_boot = now_boot() + (at > real ? at - real : 0);
        ev_periodic_set(&j->w, (double)at / 1e6, 0., NULL);
        ev_periodic_start(j->m->loop, &j->w);
}

void timer_arm_at(struct timer_job *j, usec_t base)
{
        struct svd *m = j->m;
        usec_t at;

        ev_periodic_stop(m->loop, &j->w);
        j->next_base = j->next_at = 0;
        if (base == USEC_INFINITY || m->timers->stopped)
                return;
        if (__builtin_add_overflow(base, random_below(sched_of(j)->random_delay), &at))
                at = USEC_INFINITY - 1; /* (never fires, still counts as armed) */
        start_at(j, base, at);
}

/* How far the wall clock and boot time may drift apart before it counts as
 * a step: NTP slews the wall clock by up to 500 ppm. */
static usec_t step_slack(const struct schedule_config *sc)
{
        return USEC_PER_SEC + sc->every / 1000;
}

/* An interval is elapsed time: j's due time moves to where boot time puts
 * it, the same time from now as when it was armed. */
static void rearm_elapsed(struct timer_job *j, usec_t real, usec_t boot)
{
        usec_t delay = j->next_at - j->next_base, at = real + (j->at_boot > boot ? j->at_boot - boot : 0);
        usec_t base = at > delay ? at - delay : 0;
        char tb[40], was[40];

        log_info("%s: the clock was set %s: next run %s (was %s)", j->m->svcs[j->index]->cfg->name,
                 at < j->next_at ? "back" : "forward", fmt_time(at, tb, sizeof(tb)),
                 fmt_time(j->next_at, was, sizeof(was)));
        usec_t at_boot = j->at_boot;
        ev_periodic_stop(j->m->loop, &j->w);
        start_at(j, base, at);
        j->at_boot = at_boot; /* (the same instant: no rounding creeps in) */
}

/* A persistent job: due after its last run, or now if that time passed. */
static void arm_from_last_run(struct timer_job *j, usec_t now)
{
        const struct schedule_config *sc = sched_of(j);
        usec_t due = timer_due_after(sc, j->last_run);
        char tb[40], db[40];

        if (due > now) {
                timer_arm_at(j, due);
                return;
        }
        log_info("%s: the run due at %s was missed (last run %s): running it now",
                 j->m->svcs[j->index]->cfg->name, fmt_time(due, tb, sizeof(tb)),
                 fmt_time(j->last_run, db, sizeof(db)));
        timer_arm_at(j, now);
}

/* A persistent job whose last run was later than the clock at boot counts
 * from now until the clock gets there: then the clock was behind (no RTC,
 * NTP stepped it forward), and the last run counts again. */
static bool stamp_reached(struct timer_job *j, usec_t real)
{
        if (!j->stamp_ahead || real < j->last_run)
                return false;
        j->stamp_ahead = false;
        log_info("%s: the clock reached the last run: the schedule counts from it again",
                 j->m->svcs[j->index]->cfg->name);
        arm_from_last_run(j, real);
        return true;
}

/* A step of the clock back by less than this is a correction (NTP, an hour
 * of time zone mix-up); a larger one says the clock was plainly wrong. */
#define SMALL_STEP_BACK ((usec_t)3 * 3600 * USEC_PER_SEC)

/* A step back can put the clock before a match that ran already, and the
 * next match after the new time be that one, seconds after its run (NTP
 * stepping back a clock that ran ahead, just after a 03:00 run): it would run
 * twice. After a small step back a match runs again only as far from the
 * firing it repeats, in elapsed time, as two runs of the schedule ever are
 * (cron_gaps' shortest: a day for a daily job, two at most); else the match
 * after it is due. After a larger one the new time counts, as before: the
 * runs made by the wrong clock do not hold back those of the right one (a
 * daily job that ran at 03:00 by a clock 12 hours ahead runs at the next
 * 03:00, 12 hours on, not 36). at_boot is where the clock was at the last
 * check (settle_cb): how far it went back is measured from there. */
static usec_t not_again(struct timer_job *j, usec_t due, usec_t real, usec_t boot)
{
        const struct schedule_config *sc = sched_of(j);
        usec_t due_boot = boot + (due > real ? due - real : 0), expect = j->next_at + boot;
        time_t lo, hi;
        char tb[40], ab[32];

        /* (next_at is below USEC_INFINITY / 2 here: no wrap) */
        expect = expect > j->at_boot ? expect - j->at_boot : 0;
        if (!j->due_boot || due == USEC_INFINITY || expect >= real + SMALL_STEP_BACK)
                return due;
        cron_gaps(&sc->cron, &lo, &hi);
        if (due_boot + step_slack(sc) >= j->due_boot + (usec_t)lo * USEC_PER_SEC)
                return due;
        /* libev reports one step twice when its loop read the clock shortly
         * before it (its timerfd at once, its own look at the clock when it
         * next wakes: at our settle, a second on), and settle_cb runs again.
         * Where the clock has not moved since the last check, that check
         * decided the same, and said so. */
        if (expect > real + step_slack(sc) || expect + step_slack(sc) < real)
                log_info("%s: the clock was set back to before its run due at %s, which fired %s ago: "
                         "not run again",
                         j->m->svcs[j->index]->cfg->name, fmt_time(due, tb, sizeof(tb)),
                         format_duration(boot > j->due_boot ? boot - j->due_boot : 0, ab, sizeof(ab)));
        return timer_due_after(sc, due);
}

/* j's periodic again at its due time, as it is. */
static void restart_as_is(struct timer_job *j)
{
        ev_periodic_stop(j->m->loop, &j->w);
        ev_periodic_set(&j->w, (double)j->next_at / 1e6, 0., NULL);
        ev_periodic_start(j->m->loop, &j->w);
}

/* The wall clock was stepped (or svd was suspended). An interval is elapsed
 * time: its due time is where boot time puts it. A cron expression follows
 * the wall clock: after a step back, the next match after the new time; one
 * that a step forward passed fires. Every armed job's periodic is started
 * again: one may have fired early, on libev's stale time (fire_cb). */
static void settle_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
        struct timers *t = w->data;
        usec_t real = now_real(), boot = now_boot();
        char was[40], tb[40];

        (void)loop;
        (void)revents;
        for (size_t i = 0; !t->stopped && i < t->n; i++) {
                struct timer_job *j = t->jobs[i];
                if (!j || !j->next_at || stamp_reached(j, real))
                        continue;
                const struct schedule_config *sc = sched_of(j);
                /* due (it fires), or a random delay past the end of time
                 * (the sums below would wrap) */
                if (j->next_at <= real || j->next_at >= USEC_INFINITY / 2) {
                        restart_as_is(j);
                        continue;
                }
                if (sc->every) {
                        usec_t at_boot = j->at_boot, left = j->next_at - real;
                        if (at_boot > boot + left + step_slack(sc) || at_boot + step_slack(sc) < boot + left)
                                rearm_elapsed(j, real, boot);
                        else
                                restart_as_is(j);
                        continue;
                }
                usec_t due = timer_due_after(sc, real);
                if (due != USEC_INFINITY && due + USEC_PER_SEC <= j->next_base)
                        due = not_again(j, due, real, boot);
                if (due == USEC_INFINITY || due + USEC_PER_SEC > j->next_base) {
                        restart_as_is(j);
                        j->at_boot = boot + (j->next_at - real); /* (the clock as it is now: not_again) */
                        continue;
                }
                usec_t delay = j->next_at - j->next_base, at;
                if (__builtin_add_overflow(due, delay, &at))
                        at = USEC_INFINITY - 1;
                log_info("%s: the clock was set back: next run %s (was %s)", t->m->svcs[i]->cfg->name,
                         fmt_time(at, tb, sizeof(tb)), fmt_time(j->next_at, was, sizeof(was)));
                ev_periodic_stop(t->m->loop, &j->w);
                start_at(j, due, at);
        }
}

/* After a step, libev keeps its old idea of the wall clock for up to half a
 * second (it reads the clock again only then): a periodic armed meanwhile
 * for a time by the new clock would fire at once, or late. The jobs are
 * re-checked a second after the last step seen. */
static void settle_later(struct timers *t)
{
        if (t->stopped || !t->watching)
                return;
        ev_timer_stop(t->m->loop, &t->settle);
        ev_timer_set(&t->settle, 1., 0.);
        ev_timer_start(t->m->loop, &t->settle);
}

static void clock_step_cb(struct ev_loop *loop, ev_async *w, int revents)
{
        (void)loop;
        (void)revents;
        settle_later(w->data);
}

/* Called by libev at the start, after a clock step, and if it ever
 * expires; never touches the loop itself (libev is walking its heap). */
static ev_tstamp clock_watch_resched(ev_periodic *w, ev_tstamp now)
{
        struct timers *t = w->data;

        ev_async_send(t->m->loop, &t->clock_step);
        return now + 86400.;
}

static void clock_watch_cb(struct ev_loop *loop, ev_periodic *w, int revents)
{
        (void)loop;
        (void)w;
        (void)revents;
}

/* The next due time after a run or firing at `from`; misses while svd was up
 * and busy are not made up (only persistent catch-up at boot makes one). */
static usec_t next_from(const struct schedule_config *sc, usec_t from, usec_t now)
{
        usec_t n = timer_due_after(sc, from);

        if (n != USEC_INFINITY && n <= now)
                n = timer_due_after(sc, now);
        return n;
}

static void fire_cb(struct ev_loop *loop, ev_periodic *w, int revents)
{
        struct timer_job *j = w->data;
        struct svd *m = j->m;
        struct svc *s = m->svcs[j->index];
        const struct schedule_config *sc = sched_of(j);
        usec_t base = j->next_base, now = now_real();
        struct svc *dep = NULL;

        (void)loop;
        (void)revents;
        if (m->shutting_down || m->timers->stopped)
                return;
        if (now + USEC_PER_SEC < j->next_at) {
                settle_later(m->timers); /* early: libev's time is stale after a step */
                return;
        }
        /* (before settle_cb may have seen the step that made it due) */
        if (stamp_reached(j, now))
                return;
        if (sc->every) {
                usec_t boot = now_boot();
                if (boot + step_slack(sc) < j->at_boot) {
                        rearm_elapsed(j, now, boot); /* set forward: not due by elapsed time */
                        return;
                }
        }
        /* this due time has had its firing, run or skipped (not_again) */
        usec_t boot = now_boot(), late = base && now > base ? now - base : 0;
        j->due_boot = boot > late ? boot - late : 1;
        if (svc_state_active(s->state)) {
                j->skipped++;
                log_warn("%s: scheduled run skipped: the previous run is still %s (%u skipped)", s->cfg->name,
                         svc_state_name(s->state), j->skipped);
        } else if (reload_leaving(m, s)) { /* (held meanwhile; not by the operator) */
                j->skipped++;
                log_info("%s: scheduled run skipped: a reload under way removes or replaces it", s->cfg->name);
        } else if (s->held) {
                j->skipped++;
                log_info("%s: scheduled run skipped: stopped by the operator (svctl start or run resumes it)",
                         s->cfg->name);
        } else if (sched_held_dependency(m, s, &dep) > 0) {
                /* A held dependency (the operator's stop, or svd's own for a
                 * changed secret) stays down: the run's start would pull up
                 * it and its own dependencies. Without memory to look, the
                 * run goes ahead, as it did before the check. */
                j->skipped++;
                if (secrets_restart_holds(m, dep))
                        log_warn("%s: scheduled run skipped: dependency %s is down for its restart for a "
                                 "changed secret",
                                 s->cfg->name, dep->cfg->name);
                else
                        log_warn("%s: scheduled run skipped: dependency %s is held stopped (svctl start %s "
                                 "starts it)",
                                 s->cfg->name, dep->cfg->name, dep->cfg->name);
        } else if (profile_blocked(s)) {
                /* (its start would pull up its dependencies first, and then
                 * not run: its program is missing, or a dependency's) */
                j->skipped++;
                log_info("%s: scheduled run skipped: %s", s->cfg->name, s->reason);
        } else {
                log_info("%s: scheduled run", s->cfg->name);
                m->timers->by_timer = true;
                svd_request_start(m, s);
                m->timers->by_timer = false;
        }
        timer_arm_at(j, next_from(sc, base ? base : now, now));
}

static void timers_free(struct svd *m, struct timers *t);

int timers_prepare(struct svd *m, const struct svd_config *c, struct timers **ret)
{
        struct timers *t = calloc(1, sizeof(*t));
        bool any = false;

        if (!t)
                return -ENOMEM;
        t->m = m;
        if (!(t->jobs = calloc(c->n_svcs ? c->n_svcs : 1, sizeof(*t->jobs)))) {
                free(t);
                return -ENOMEM;
        }
        t->n = c->n_svcs;
        for (size_t i = 0; i < t->n; i++)
                any |= c->svcs[i].schedule.set;
        if (!any) {
                *ret = t;
                return 0;
        }
        _cleanup_(freep) char *dir = strdup_printf("%s/timers", c->state_dir);
        if (!dir) {
                timers_free(m, t);
                return -ENOMEM;
        }
        int r = mkdir_p(dir, 0755);
        if (r < 0)
                log_warn("cannot create %s: %s (last run times are not kept)", dir, strerror(-r));
        for (size_t i = 0; i < t->n; i++) {
                const struct schedule_config *sc = &c->svcs[i].schedule;
                if (!sc->set)
                        continue;
                struct timer_job *j = t->jobs[i] = calloc(1, sizeof(*j));
                if (!j || (r >= 0 && !(j->stamp_path = strdup_printf("%s/%s", dir, c->svcs[i].name)))) {
                        timers_free(m, t);
                        return -ENOMEM;
                }
                j->m = m;
                j->index = i;
                j->every = sc->every;
                j->random_delay = sc->random_delay;
                j->cron = sc->cron;
                ev_periodic_init(&j->w, fire_cb, 0., 0., NULL);
                j->w.data = j;
        }
        *ret = t;
        return 0;
}

/* t's services are m->svcs now: the clock's watchers, the jobs' last runs
 * (a stamp's warning names its service). Nothing here fails. */
static void timers_install(struct svd *m, struct timers *t)
{
        bool any = false;

        m->timers = t;
        for (size_t i = 0; i < t->n; i++)
                any |= t->jobs[i] != NULL;
        if (any && m->loop) {
                ev_async_init(&t->clock_step, clock_step_cb);
                t->clock_step.data = t;
                ev_timer_init(&t->settle, settle_cb, 1., 0.);
                t->settle.data = t;
                ev_async_start(m->loop, &t->clock_step);
                ev_periodic_init(&t->clock_watch, clock_watch_cb, 0., 0., clock_watch_resched);
                t->clock_watch.data = t;
                ev_periodic_start(m->loop, &t->clock_watch);
                t->watching = true;
        }
        for (size_t i = 0; i < t->n; i++)
                if (t->jobs[i] && t->jobs[i]->stamp_path)
                        timer_stamp_load(t->jobs[i]);
}

int timers_init(struct svd *m)
{
        struct timers *t;
        int r = timers_prepare(m, m->cfg, &t);

        if (r < 0)
                return r;
        timers_install(m, t);
        return 0;
}

/* Arms job j for the first time: persistent catch-up of a missed run. */
static void boot_job(struct svd *m, struct timer_job *j)
{
        char tb[40], db[32];
        const char *name = m->svcs[j->index]->cfg->name;
        const struct schedule_config *sc = sched_of(j);
        usec_t now = now_real();

        if (sc->persistent && j->last_run > now) {
                /* it ran at a time still to come: either the clock is behind
                 * (no RTC; NTP will step it forward: stamp_reached) or it was
                 * ahead then (an RTC corrected back since), and counting from
                 * that run would hold the job back for as long */
                log_warn("%s: the last run (%s) is later than now: the schedule counts from now until "
                         "the clock gets there",
                         name, fmt_time(j->last_run, db, sizeof(db)));
                timer_arm_at(j, timer_due_after(sc, now));
                j->stamp_ahead = true;
        } else if (sc->persistent && j->last_run)
                arm_from_last_run(j, now);
        else
                timer_arm_at(j, timer_due_after(sc, now));
        if (j->next_at)
                log_debug("%s: next run %s", name, fmt_time(j->next_at, tb, sizeof(tb)));
}

void timers_boot(struct svd *m)
{
        struct timers *t = m->timers;

        for (size_t i = 0; t && i < t->n; i++) {
                struct timer_job *j = t->jobs[i];
                if (j && armable(m->svcs[i]))
                        boot_job(m, j);
        }
}

void timers_stop(struct svd *m)
{
        struct timers *t = m->timers;

        if (!t)
                return;
        t->stopped = true;
        if (t->watching) {
                ev_periodic_stop(m->loop, &t->clock_watch);
                ev_async_stop(m->loop, &t->clock_step);
                ev_timer_stop(m->loop, &t->settle);
                t->watching = false;
        }
        for (size_t i = 0; i < t->n; i++)
                if (t->jobs[i]) {
                        ev_periodic_stop(m->loop, &t->jobs[i]->w);
                        t->jobs[i]->next_base = t->jobs[i]->next_at = 0;
                }
}

static void timers_free(struct svd *m, struct timers *t)
{
        if (t->watching && m->loop) {
                ev_periodic_stop(m->loop, &t->clock_watch);
                ev_async_stop(m->loop, &t->clock_step);
                ev_timer_stop(m->loop, &t->settle);
        }
        for (size_t i = 0; t->jobs && i < t->n; i++) {
                if (!t->jobs[i])
                        continue;
                if (m->loop)
                        ev_periodic_stop(m->loop, &t->jobs[i]->w);
                timer_limit_disarm(t->jobs[i]);
                free(t->jobs[i]->stamp_path);
                free(t->jobs[i]);
        }
        free(t->jobs);
        free(t);
}

void timers_done(struct svd *m)
{
        struct timers *t = m->timers;

        if (!t)
                return;
        if (m->loop)
                timers_stop(m);
        timers_free(m, t);
        m->timers = NULL;
}

struct timers *timers_detach(struct svd *m)
{
        struct timers *t = m->timers;

        m->timers = NULL;
        return t;
}

/* Whether o and j fall due at the same times (persistent matters only at
 * boot). */
static bool same_due_times(const struct timer_job *o, const struct timer_job *j)
{
        const struct cron_spec *a = &o->cron, *b = &j->cron;

        return o->every == j->every && o->random_delay == j->random_delay && a->minute == b->minute &&
               a->hour == b->hour && a->dom == b->dom && a->month == b->month && a->dow == b->dow &&
               a->dom_star == b->dom_star && a->dow_star == b->dow_star;
}

void timers_reattach(struct svd *m, struct timers *built, struct timers *old, struct svc *const *old_svcs,
                     size_t n_old, const bool *unchanged)
{
        timers_install(m, built);
        for (size_t i = 0; i < m->timers->n; i++) {
                struct timer_job *j = m->timers->jobs[i];
                const struct timer_job *o = NULL;
                if (!j)
                        continue;
                for (size_t k = 0; old && k < old->n && k < n_old; k++)
                        if (old->jobs[k] && old_svcs[k] == m->svcs[i]) {
                                o = old->jobs[k];
                                break;
                        }
                if (o) { /* the same job: its history stays */
                        j->running = o->running;
                        j->spawned = o->spawned;
                        j->spawn_mono = o->spawn_mono;
                        j->begin_mono = o->begin_mono;
                        j->limit_waiting = o->limit_waiting;
                        j->last_run = o->last_run;
                        j->due_boot = o->due_boot;
                        memcpy(j->last_result, o->last_result, sizeof(j->last_result));
                        j->last_duration = o->last_duration;
                        j->has_duration = o->has_duration;
                        j->runs = o->runs;
                        j->skipped = o->skipped;
                        j->stamp_ahead = o->stamp_ahead;
                        j->limit_hit = o->limit_hit;
                        timer_limit_arm(j); /* (the new schedule.timeout, from the run's beginning) */
                }
                if (!armable(m->svcs[i]))
                        continue;
                /* same schedule (whatever else changed): same due time */
                if (o && o->next_at && (unchanged[i] || same_due_times(o, j))) {
                        start_at(j, o->next_base, o->next_at);
                        j->at_boot = o->at_boot;
                } else
                        boot_job(m, j);
        }
        if (old)
                timers_free(m, old);
}

void timers_discard(struct svd *m, struct timers *built)
{
        if (built)
                timers_free(m, built);
}

cJSON *timer_save_json(const struct svc *s)
{
        struct timer_job *j = job_of(s);
        cJSON *o;

        if (!j || !(o = cJSON_CreateObject()))
                return NULL;
        cJSON_AddBoolToObject(o, "running", j->running);
        cJSON_AddBoolToObject(o, "spawned", j->spawned);
        cJSON_AddNumberToObject(o, "spawn_mono", (double)j->spawn_mono);
        cJSON_AddNumberToObject(o, "begin_mono", (double)j->begin_mono);
        cJSON_AddBoolToObject(o, "limit_waiting", j->limit_waiting);
        cJSON_AddNumberToObject(o, "last_run", (double)j->last_run);
        cJSON_AddStringToObject(o, "last_result", j->last_result);
        cJSON_AddNumberToObject(o, "last_duration", (double)j->last_duration);
        cJSON_AddBoolToObject(o, "has_duration", j->has_duration);
        cJSON_AddNumberToObject(o, "runs", j->runs);
        cJSON_AddNumberToObject(o, "skipped", j->skipped);
        cJSON_AddNumberToObject(o, "next_base", (double)j->next_base);
        cJSON_AddNumberToObject(o, "next_at", (double)j->next_at);
        /* (boot time goes on across the exec) */
        cJSON_AddNumberToObject(o, "due_boot", (double)j->due_boot);
        /* (still counting from its boot, not from a last run ahead of the
         * clock: the next instance counts from that run once the clock
         * gets there, as this one would) */
        cJSON_AddBoolToObject(o, "stamp_ahead", j->stamp_ahead);
        cJSON_AddBoolToObject(o, "limit_hit", j->limit_hit);
        return o;
}

static double jnum(const cJSON *o, const char *k)
{
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
        return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

void timer_restore_json(struct svc *s, const cJSON *o, bool ran_unseen)
{
        struct timer_job *j = job_of(s);
        const cJSON *v;
        usec_t stamp_run = j ? j->last_run : 0; /* (stamp_load: written at each run's start) */

        if (!j || !cJSON_IsObject(o))
                return;
        j->running = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "running"));
        j->spawned = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "spawned"));
        j->spawn_mono = (usec_t)jnum(o, "spawn_mono");
        j->begin_mono = (usec_t)jnum(o, "begin_mono"); /* (0 from an older svd: timer_limit_arm) */
        j->limit_waiting = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "limit_waiting"));
        if (jnum(o, "last_run") > 0)
                j->last_run = (usec_t)jnum(o, "last_run");
        if (cJSON_IsString(v = cJSON_GetObjectItemCaseSensitive(o, "last_result")))
                snprintf(j->last_result, sizeof(j->last_result), "%s", v->valuestring);
        j->last_duration = (usec_t)jnum(o, "last_duration");
        j->has_duration = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "has_duration"));
        j->runs = (unsigned)jnum(o, "runs");
        j->due_boot = (usec_t)jnum(o, "due_boot"); /* (0 from an older svd: none) */
        j->skipped = (unsigned)jnum(o, "skipped");
        j->stamp_ahead = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "stamp_ahead"));
        j->limit_hit = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "limit_hit"));
        timer_limit_arm(j); /* (monotonic time goes on across the exec) */
        usec_t at = (usec_t)jnum(o, "next_at");
        if (ran_unseen && stamp_run > j->last_run) { /* timer.h */
                j->stamp_ahead = false; /* a run was made since */
                j->last_run = stamp_run;
                j->runs++;
                snprintf(j->last_result, sizeof(j->last_result), "unknown (it ended while svd was down)");
                j->has_duration = false;
                if (at && at <= stamp_run && armable(s)) {
                        char tb[40];
                        log_info("%s: its run of %s ended while no svd ran: not run again", s->cfg->name,
                                 fmt_time(stamp_run, tb, sizeof(tb)));
                        arm_from_last_run(j, now_real());
                        j->restored = true;
                        return;
                }
        }
        if (at && armable(s)) { /* the same due time as before */
                start_at(j, (usec_t)jnum(o, "next_base"), at);
                j->restored = true;
        }
}

void timers_boot_unrestored(struct svd *m)
{
        struct timers *t = m->timers;

        for (size_t i = 0; t && i < t->n; i++) {
                struct timer_job *j = t->jobs[i];
                if (j && !j->restored && armable(m->svcs[i]))
                        boot_job(m, j);
        }
}

bool timer_scheduled(const struct svc *s)
{
        return s->cfg->schedule.set;
}

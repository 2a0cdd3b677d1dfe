/* secrets_credwait: a service whose credential files cannot be written (the
 * credentials file system is full, an I/O error, permissions) never starts
 * without them, and svd does not give up on it either: it waits in
 * "waiting" with the reason ("credentials: PATH/NAME: <error>") and the
 * write is tried again after 0.5 s, doubling up to 4 s, until it succeeds
 * and the service starts as usual. A stop (or any other way out of
 * "waiting") ends the wait. The files are written by the last gate of
 * svc_dispatch, so only for a spawn that follows at once. */
#include <ev.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "sched.h"
#include "secrets.h"
#include "secrets_int.h"
#include "svc.h"
#include "svd.h"

#define CRED_RETRY_FIRST (USEC_PER_SEC / 2)
#define CRED_RETRY_MAX   (4 * USEC_PER_SEC)

static void retry_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
        struct svc *s = w->data;

        (void)loop;
        (void)revents;
        if (s->state != ST_WAITING)
                return;
        svc_dispatch(s, SE_DEPS_MET, 0); /* the gate below writes again */
        sched_run(s->m);
}

static void end_wait(struct svc *s)
{
        ev_timer_stop(s->m->loop, &s->cred_timer);
        s->cred_delay = 0;
        s->cred_tries = 0;
        str_clear(&s->cred_why);
}

bool secrets_cred_wait(struct svc *s, bool *ret_written, char *why, size_t wl)
{
        char w[SVC_REASON_MAX];
        bool io = false;

        *ret_written = false;
        if (!s->cfg->n_secrets)
                return false;
        if (ev_is_active(&s->cred_timer)) { /* the next try is not due yet */
                snprintf(why, wl, "%s", s->cred_why);
                return true;
        }
        if (secrets_svc_write(s, w, sizeof w, &io) >= 0) {
                if (s->cred_tries)
                        log_info("%s: credential files written, after %u failed tries", s->cfg->name,
                                 s->cred_tries);
                end_wait(s);
                *ret_written = true;
                return false;
        }
        if (!io) /* not a write: do_spawn fails with it, as before */
                return false;
        if (strcmp(w, s->cred_why) != 0)
                log_warn("%s: %s; the start waits and the write is retried", s->cfg->name, w);
        str_set(&s->cred_why, w);
        s->cred_tries++;
        s->cred_delay = s->cred_delay ? s->cred_delay * 2 : CRED_RETRY_FIRST;
        if (s->cred_delay > CRED_RETRY_MAX)
                s->cred_delay = CRED_RETRY_MAX;
        ev_timer_stop(s->m->loop, &s->cred_timer);
        ev_timer_init(&s->cred_timer, retry_cb, (double)s->cred_delay / 1e6, 0.);
        s->cred_timer.data = s;
        ev_timer_start(s->m->loop, &s->cred_timer);
        snprintf(why, wl, "%s", w);
        return true;
}

void secrets_cred_wait_state(struct svc *s)
{
        if (s->state != ST_WAITING && (s->cred_delay || ev_is_active(&s->cred_timer)))
                end_wait(s);
}

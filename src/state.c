/* state: the pure service state machine (see state.h). The whole policy of
 * "what happens next" lives in sm_next(); the caller only computes facts
 * (dependencies met, restart wanted, limit hit) and carries out actions. */
#include <errno.h>
#include <string.h>

#include "state.h"

static const char *const state_names[_ST_MAX] = {
        [ST_STOPPED] = "stopped", [ST_WAITING] = "waiting", [ST_STARTING] = "starting",
        [ST_RUNNING] = "running", [ST_STOPPING] = "stopping", [ST_BACKOFF] = "backoff",
        [ST_FAILED] = "failed",   [ST_EXITED] = "exited",   [ST_RELOADING] = "reloading",
};

static const char *const health_names[_HEALTH_MAX] = {
        [HEALTH_NONE] = "none", [HEALTH_STARTING] = "starting",
        [HEALTH_HEALTHY] = "healthy", [HEALTH_UNHEALTHY] = "unhealthy",
};

static const char *const event_names[_SE_MAX] = {
        [SE_START] = "start", [SE_STOP] = "stop", [SE_DEPS_MET] = "deps-met",
        [SE_DEP_FAILED] = "dep-failed", [SE_SPAWNED] = "spawned",
        [SE_SPAWN_FAILED] = "spawn-failed", [SE_READY] = "ready", [SE_EXIT] = "exit",
        [SE_TIMER] = "timer", [SE_RELOADING] = "reloading", [SE_STOPPING] = "stopping",
};

const char *svc_state_name(enum svc_state s) { return (unsigned)s < _ST_MAX ? state_names[s] : "invalid"; }
const char *svc_health_name(enum svc_health h) { return (unsigned)h < _HEALTH_MAX ? health_names[h] : "invalid"; }
const char *svc_event_name(enum svc_event e) { return (unsigned)e < _SE_MAX ? event_names[e] : "invalid"; }

int svc_state_from_name(const char *name) {
        for (unsigned i = 0; i < _ST_MAX; i++)
                if (strcmp(state_names[i], name) == 0)
                        return (int)i;
        return -EINVAL;
}

bool svc_state_active(enum svc_state s) {
        return s == ST_WAITING || s == ST_STARTING || s == ST_RUNNING || s == ST_STOPPING || s == ST_BACKOFF ||
               s == ST_RELOADING;
}

bool svc_state_up(enum svc_state s) {
        return s == ST_RUNNING || s == ST_RELOADING;
}

/* Starting from rest: either spawn now or wait for dependencies. */
static enum svc_state begin(const struct sm_ctx *c, unsigned *a) {
        if (c->deps_met) {
                *a |= ACT_SPAWN;
                return ST_STARTING;
        }
        return ST_WAITING;
}

/* The main process is gone (not at our request). */
static enum svc_state after_exit(const struct sm_ctx *c, unsigned *a) {
        if (c->restart) {
                if (c->limit_hit)
                        return ST_FAILED;
                *a |= ACT_ARM_BACKOFF;
                return ST_BACKOFF;
        }
        return c->exit_ok ? ST_EXITED : ST_FAILED;
}

enum svc_state sm_next(enum svc_state cur, enum svc_event ev, const struct sm_ctx *c, unsigned *a) {
        switch (cur) {
        case ST_STOPPED:
        case ST_FAILED:
        case ST_EXITED:
                if (ev == SE_START) {
                        *a |= ACT_RESET;
                        return begin(c, a);
                }
                if (ev == SE_STOP && cur != ST_STOPPED)
                        return ST_STOPPED; /* held down: forget the old outcome */
                return cur;

        case ST_WAITING:
                switch (ev) {
                case SE_DEPS_MET:
                        if (!c->deps_met)
                                return cur; /* a start gate (start_when) still holds it */
                        *a |= ACT_SPAWN;
                        return ST_STARTING;
                case SE_DEP_FAILED:
                        return ST_FAILED;
                case SE_STOP:
                        return ST_STOPPED;
                default:
                        return cur;
                }

        case ST_STARTING:
                switch (ev) {
                case SE_SPAWNED:
                        return c->needs_ready ? ST_STARTING : ST_RUNNING;
                case SE_SPAWN_FAILED: /* restart: a transient failure (svc.c) */
                        return c->restart ? after_exit(c, a) : ST_FAILED;
                case SE_READY:
                        return ST_RUNNING;
                case SE_EXIT:
                        return after_exit(c, a);
                case SE_STOP:
                        *a |= ACT_SIGNAL_STOP;
                        return ST_STOPPING;
                case SE_STOPPING:
                        *a |= ACT_ARM_STOP;
                        return ST_STOPPING;
                default:
                        return cur; /* RELOADING=1 before READY=1: still starting */
                }

        case ST_RUNNING:
        case ST_RELOADING:
                switch (ev) {
                case SE_EXIT:
                        return after_exit(c, a);
                case SE_STOP:
                        *a |= ACT_SIGNAL_STOP;
                        return ST_STOPPING;
                case SE_STOPPING:
                        /* It stops by itself: its exit 0 is the end it
                         * announced (any other is a crash: svc.c sets
                         * fail_stop); the stop timeout still bounds it. */
                        *a |= ACT_ARM_STOP;
                        return ST_STOPPING;
                case SE_RELOADING:
                        return ST_RELOADING;
                case SE_READY:
                        return ST_RUNNING; /* reload done (a no-op when running) */
                default:
                        return cur;
                }

        case ST_STOPPING:
                switch (ev) {
                case SE_EXIT:
                        *a |= ACT_CANCEL_TIMER;
                        if (c->fail_stop || (c->self_end && c->restart))
                                return after_exit(c, a);
                        return ST_STOPPED;
                case SE_TIMER:
                        /* A process that SIGKILL does not end (stuck in the
                         * kernel, frozen) must not hold up the stop, and a
                         * shutdown, for ever: give up on it. */
                        if (c->kill_sent) {
                                *a |= ACT_ABANDON;
                                return ST_FAILED;
                        }
                        *a |= ACT_SIGNAL_KILL;
                        return ST_STOPPING;
                default:
                        return cur;
                }

        case ST_BACKOFF:
                switch (ev) {
                case SE_TIMER:
                        return begin(c, a);
                case SE_START:
                        /* an explicit start (svctl start) does not wait out
                         * the delay: a fresh start, as from rest; a
                         * dependent's pull-in does not send it (sched.c) */
                        *a |= ACT_CANCEL_TIMER | ACT_RESET;
                        return begin(c, a);
                case SE_STOP:
                        *a |= ACT_CANCEL_TIMER;
                        return ST_STOPPED;
                default:
                        return cur;
                }

        default:
                return cur;
        }
}

/* svc: the runtime object of one service and its single dispatch entry point.
 * svc_dispatch() computes the facts sm_next() needs, applies the transition
 * (the only writer of svc->state) and carries out the actions: spawning,
 * signalling, timers. Dependency propagation is left to sched via a queue so
 * nothing here recurses into other services. */
#ifndef SVD_SVC_H
#define SVD_SVC_H

#include <stdbool.h>
#include <sys/types.h>

#include <ev.h>

#include "backoff.h"
#include "config.h"
#include "spawn.h"
#include "state.h"

struct svd;

struct svc {
        struct svd *m;
        const struct svc_config *cfg;
        size_t index;

        enum svc_state state;
        enum svc_health health;
        usec_t since_real;       /* time of the last state change (CLOCK_REALTIME) */
        usec_t since_mono;
        usec_t health_since_real;

        pid_t pid;               /* main process, 0 if none */
        usec_t spawned_mono;     /* when pid was spawned */
        unsigned restarts;       /* automatic restarts since the last fresh start */
        unsigned attempt;        /* consecutive failed runs, for the backoff */
        struct start_history starts;

        bool has_exit;
        int exit_status;         /* wait status of the last main-process exit */
        char reason[256];        /* why failed/waiting/stopped; "" if none */
        char status_text[256];   /* last sd_notify STATUS= */

        bool held;               /* operator said stop: no restart, not pulled in */
        bool stop_requested;     /* the current stop was asked for */
        bool restart_after_stop; /* svctl restart / dependency restart */

        ev_timer timer;          /* backoff delay or stop timeout */

        /* sched bookkeeping */
        bool queued;
        size_t *rdeps;           /* services that depend on this one */
        size_t n_rdeps;
};

/* Feeds one event to the service. ev_data: the wait status for SE_EXIT. */
void svc_dispatch(struct svc *s, enum svc_event ev, int ev_data);

/* Sets the human-readable reason (printf-style); "" clears it. */
void svc_set_reason(struct svc *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "exited 0", "exited 3", "killed by SIGKILL"; buf >= 48 bytes. */
const char *svc_format_exit(int status, char *buf, size_t len);

/* Whether dependency dep (of s) satisfies its condition now; whether it can no
 * longer come up by itself (failed, or completed with a non-zero status). */
bool svc_dep_satisfied(const struct svc *dep, enum dep_condition cond);
bool svc_dep_broken(const struct svc *dep, enum dep_condition cond);

#endif

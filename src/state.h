/* state: the service state machine, pure. One enum of states, one of events,
 * their string tables, and sm_next(): given the current state, an event and the
 * facts the caller computed (are dependencies met, does policy restart, ...),
 * it returns the next state and the actions the caller must carry out. svc.c is
 * the only caller and the only writer of svc->state. */
#ifndef SVD_STATE_H
#define SVD_STATE_H

#include <stdbool.h>

enum svc_state {
        ST_STOPPED,  /* not running and not wanted */
        ST_WAITING,  /* wanted, waiting for dependencies */
        ST_STARTING, /* spawned, not yet ready (oneshot running, notify before READY=1) */
        ST_RUNNING,  /* up */
        ST_STOPPING, /* stop signal sent, waiting for exit */
        ST_BACKOFF,  /* exited, restart timer armed */
        ST_FAILED,   /* gave up; svc->reason says why */
        ST_EXITED,   /* ran to completion (oneshot success, or no restart wanted) */
        ST_RELOADING, /* up, reloading its configuration (sd_notify RELOADING=1) until READY=1 */
        _ST_MAX
};

enum svc_health { HEALTH_NONE, HEALTH_STARTING, HEALTH_HEALTHY, HEALTH_UNHEALTHY, _HEALTH_MAX };

enum svc_event {
        SE_START,        /* wanted up (boot, svctl start, pulled in by a dependent) */
        SE_STOP,         /* wanted down (svctl stop, shutdown) */
        SE_DEPS_MET,     /* every dependency's condition now holds */
        SE_DEP_FAILED,   /* a dependency failed: it will not come up by itself */
        SE_SPAWNED,      /* execve succeeded */
        SE_SPAWN_FAILED, /* a child stage failed before execve */
        SE_READY,        /* readiness reported (sd_notify READY=1) */
        SE_EXIT,         /* the main process exited */
        SE_TIMER,        /* the service's timer fired (backoff over, stop timeout) */
        SE_RELOADING,    /* the service says it reloads (sd_notify RELOADING=1) */
        SE_STOPPING,     /* the service says it is stopping by itself (sd_notify STOPPING=1) */
        _SE_MAX
};

/* Facts computed by the caller before dispatch. */
struct sm_ctx {
        bool deps_met;     /* every dependency's condition holds now */
        bool needs_ready;  /* stays in starting after spawn (oneshot, notify) */
        bool oneshot;
        bool exit_ok;      /* SE_EXIT: the exit counts as success */
        bool restart;      /* SE_EXIT: policy says restart; SE_SPAWN_FAILED: the
                              failure is transient and policy says restart */
        bool limit_hit;    /* SE_EXIT: the start limit is exhausted */
        bool fail_stop;    /* SE_EXIT while stopping: the stop was a failure (liveness,
                              start timeout), so decide like an unrequested exit */
        bool kill_sent;    /* SE_TIMER while stopping: SIGKILL was sent already */
        bool self_end;     /* SE_EXIT while stopping: the end it announced (STOPPING=1,
                              then exit 0 within its stop timeout), not asked for: a restart
                              follows if the policy wants one */
};

enum sm_action {
        ACT_NONE = 0,
        ACT_SPAWN = 1 << 0,       /* start the main process now */
        ACT_SIGNAL_STOP = 1 << 1, /* send the stop signal to the group, arm the stop timer */
        ACT_SIGNAL_KILL = 1 << 2, /* SIGKILL the group */
        ACT_ARM_BACKOFF = 1 << 3, /* arm the restart timer with the next backoff delay */
        ACT_CANCEL_TIMER = 1 << 4,
        ACT_RESET = 1 << 5,       /* a fresh start: forget backoff and start-limit history */
        ACT_ARM_STOP = 1 << 6,    /* arm the stop timer without a signal (the service stops itself) */
        ACT_ABANDON = 1 << 7,     /* the main process outlived SIGKILL: forget it */
};

/* Returns the next state; ORs actions into *actions. Pairs that make no sense
 * (e.g. SE_READY while stopped) leave the state unchanged with no action. */
enum svc_state sm_next(enum svc_state cur, enum svc_event ev, const struct sm_ctx *ctx, unsigned *actions);

const char *svc_state_name(enum svc_state s);
const char *svc_health_name(enum svc_health h);
const char *svc_event_name(enum svc_event e);
int svc_state_from_name(const char *name); /* -EINVAL if unknown */

/* Active states hold or are about to hold a process. */
bool svc_state_active(enum svc_state s);
/* Up: ready and serving (running, or reloading after it was ready). */
bool svc_state_up(enum svc_state s);

#endif

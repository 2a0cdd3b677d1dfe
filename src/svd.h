/* svd: the one manager object, passed explicitly everywhere (no globals). It
 * owns the config generation, the service array, the loop watchers and the
 * control server. */
#ifndef SVD_SVD_H
#define SVD_SVD_H

#include <stdbool.h>

#include <ev.h>

#include "config.h"
#include "reexec_result.h"
#include "svc.h"

struct control;
struct notify;
struct prober;
struct cgroup_mgr;
struct reload_plan;
struct reexec;
struct cJSON;
struct fdstore;

struct svd {
        struct ev_loop *loop;
        struct svd_config *cfg;
        struct svc **svcs;       /* each allocated on its own: a reload keeps unchanged ones in place */
        size_t n_svcs;
        unsigned *wave_of;
        unsigned n_waves;

        ev_signal sig_term, sig_int, sig_hup, sig_usr1;
        ev_child child;

        struct control *ctl;
        struct notify *notify;
        struct prober *prober;
        struct logs *logs;       /* log compression jobs and followers (logpipe.h) */
        struct cgroup_mgr *cg;
        struct secrets *secrets; /* store and credential files (secrets.h); NULL without secrets */
        struct events *events;   /* recent state/health changes, followers (events.h) */
        struct metrics *metrics; /* metrics.textfile writer (metrics.h) */
        struct timers *timers;   /* scheduled jobs (timer.h) */
        struct emergency *emergency; /* PID 1 in the emergency state (emergency.h): no services */
        ev_idle prewarm;         /* waiting services' spawn work, while idle (prewarm.h) */
        pid_t prompt_pid;        /* svctl unlock on the console (secrets_prompt.h) */
        ev_timer prompt_retry;
        ev_timer mem_timer;      /* rechecks start_when gates while a service waits */
        ev_timer ready_timer;    /* ready_timeout: READY=1 to our supervisor, settled or not */
        ev_timer self_watchdog;  /* WATCHDOG=1 to our supervisor (watchdog_self.h) */
        usec_t ready_from_mono;  /* ...counted from here (this process's start) */
        bool ready_sent;         /* READY=1 sent by this process (settled, or ready_timeout) */
        bool ready_done;         /* ...and "all services settled" */
        bool recheck_waiting;    /* its next run rechecks every waiting service (svd_recheck_waiting) */

        /* sched queue of services whose dependents must be re-evaluated */
        size_t *queue;
        size_t q_head, q_len;
        size_t stop_after_pending; /* services with stop_after_followers (at most) */

        bool shutting_down;
        bool all_stopped;        /* shutting down and nothing active: the loop ends */
        int exit_code;
        int shutdown_action;     /* enum shutdown_action (init.h): what follows the stop */
        ev_signal sig_usr2, sig_pwr;
        usec_t boot_mono, boot_real; /* svd start */
        usec_t main_mono;        /* main() entered: boot_mono - main_mono = reading the config */
        usec_t main_cpu_usec, main_cpu_sys_usec; /* CPU time (all, system) already used when main() began */
        usec_t boot_done_mono;   /* every enabled service settled; 0 = not yet */
        usec_t boot_cpu_usec;    /* svd's own CPU time (user+system) by then */
        usec_t boot_cpu_sys_usec; /* ...of which in the kernel */
        int devnull_fd;

        /* reload (reload.h) */
        char **cli_profiles;     /* svd --profile, kept for reloads */
        struct reload_plan *reload; /* being applied; NULL if none */
        ev_timer reload_timer;   /* switches generations outside service callbacks */

        /* daemon-reexec (reexec.h) */
        char **argv;             /* as started, for the exec */
        struct cJSON *restore;   /* the previous instance's state; NULL at a fresh start */
        ev_timer reexec_timer;   /* the exec, once the reply is queued */
        struct reexec *reexec_pending; /* the new binary being checked; NULL if not */
        bool reexec_key_fd;      /* the new binary takes the secrets key's memfd (reexec.h) */
        struct reexec_result reexec_result; /* this image's id, the last attempt (reexec_result.h) */
        struct orphan *orphans;  /* processes of services no longer configured, being stopped (orphanstop.h) */
        struct orphan_cg *orphan_cgs; /* their cgroups, being stopped (orphanstop_cg.h) */

        /* surviving a crash of svd (statefile.h, fdstore.h) */
        struct fdstore *fdstore; /* keeps log pipes open while svd is down */
        ev_timer state_timer;    /* writes <run_dir>/state.json after changes */
        ev_prepare state_prepare; /* ...or at the end of this loop iteration (statefile_touch_now) */
        ev_prepare facts_prepare; /* svd_write_state_soon */
        usec_t state_written_mono; /* the last write (0: none yet) */
        usec_t state_saved_mono; /* "saved_mono" of the last state file snapshot_write made */
        ev_timer state_retry;    /* a failed state write, tried again (1 s, doubling to 30 s) */
        double state_retry_delay; /* the next retry's delay; 0: the last write succeeded */
        struct statejournal *journal; /* <run_dir>/state.journal (statejournal.h) */
        struct statereserve *reserve; /* <run_dir>/state.reserve (statereserve.h) */
        bool adopting;           /* m->restore is a crashed instance's state file */
};

/* Builds the manager from a loaded config: creates directories, the control
 * socket and the watchers. restore: the state of the instance this one
 * replaces (daemon-reexec; owned by m from here), else NULL. Returns 0 or
 * -errno (logged by the caller). */
int svd_init(struct svd *m, struct ev_loop *loop, struct svd_config *cfg, struct cJSON *restore);
/* Starts every enabled service (in dependency order, in parallel). */
void svd_boot(struct svd *m);
/* Asks everything to stop in reverse dependency order; the loop ends when done. */
void svd_shutdown(struct svd *m);
/* Shutdown followed by poweroff/reboot/halt (as PID 1), or just exit. Once
 * a shutdown began, its action stays: a different one is logged, ignored. */
void svd_shutdown_for(struct svd *m, int action);
/* Called after every scheduling pass: notices when the boot has settled. */
void svd_check_boot(struct svd *m);
/* A reload changed ready_timeout: until READY=1 has gone, the new one
 * applies, still counted from this process's start (due already: now). */
void svd_ready_timeout_changed(struct svd *m);
void svd_done(struct svd *m);

struct svc *svd_find(struct svd *m, const char *name);

/* A child's end (as waitpid() reported it), whoever reaped it: svd's own
 * child watcher, or the emergency state a daemon-reexec's new instance fell
 * into (its statuses come back in the state, snapshot.c). */
void svd_child_exited(struct svd *m, pid_t pid, int status);
/* An fd the previous instance kept for `what` across daemon-reexec ("control",
 * "notify"), or -1. */
int svd_inherited_fd(struct svd *m, const char *what);
/* A service waits on a start_when gate: recheck the gates every second until
 * none waits (no timer otherwise, so an idle svd makes no syscalls). */
void svd_gate_wait(struct svd *m);
/* A service is waiting in a state this instance did not reach itself (taken
 * over at daemon-reexec or from the state file): at the next loop iteration,
 * every waiting service whose dependencies are met is checked again, as if
 * they had just been met; those on a start_when gate then keep the 1 s
 * recheck (svd_gate_wait) going. */
void svd_recheck_waiting(struct svd *m);

/* Operator requests (control socket). Return 0 or -errno. */
/* -ENOPKG: s stays stopped because it or a dependency is outside the
 * selected profiles or not installed (profile.h); s->reason says which.
 * svd_request_restart likewise, and leaves a running s running. */
int svd_request_start(struct svd *m, struct svc *s);
/* The services whose svctl stop/restart waited for their followers: each
 * whose followers have stopped is stopped now (called by the scheduler). */
void svd_stop_after_followers(struct svd *m);
/* Stops the running dependents that follow s (depends_on.s.restart, down
 * their own chains) to start again once s is back, and marks s to stop once
 * they have. False when none runs: the caller stops s now. */
bool svd_stop_followers_first(struct svd *m, struct svc *s);
int svd_request_stop(struct svd *m, struct svc *s);
int svd_request_restart(struct svd *m, struct svc *s);
/* A fact no later svd could find again (a READY=1 read, a reaped exit
 * that ends a service): state.json is written when this loop iteration's
 * callbacks are done (with what they did after it: the restart that
 * follows an exit), whenever the last write was. */
void svd_write_state_soon(struct svd *m);
/* Whether such a write is due at the end of this iteration. */
bool svd_state_write_due(const struct svd *m);

#endif

/* svc: the runtime object of one service and its single dispatch entry point.
 * svc_dispatch() computes the facts sm_next() needs, applies the transition
 * (the only writer of svc->state) and carries out the actions: spawning,
 * signalling, timers. Dependency propagation is left to sched via a queue so
 * nothing here recurses into other services. */
#ifndef SVD_SVC_H
#define SVD_SVC_H

/* How long a main process may outlive SIGKILL (uninterruptible sleep, a
 * frozen cgroup) before svd gives up on it and the stop goes on. */
#define SVC_KILL_WAIT (5 * USEC_PER_SEC)

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#include <ev.h>

#include "backoff.h"
#include "config.h"
#include "health.h"
#include "spawn.h"
#include "state.h"

struct svd;

/* What a stop means once the process is gone. */
enum stop_outcome {
        STOP_OUTCOME_STOPPED, /* asked for: stopped */
        STOP_OUTCOME_RESTART, /* liveness failure: restart by policy, like a failed exit */
        STOP_OUTCOME_FAILED,  /* start_timeout: failed, no restart */
};

struct svc {
        struct svd *m;
        const struct svc_config *cfg;
        size_t index;

        enum svc_state state;
        enum svc_health health;
        usec_t since_real;       /* time of the last state change (CLOCK_REALTIME) */
        usec_t since_mono;
        usec_t health_since_real;
        unsigned long long start_time; /* pid's start (/proc/PID/stat), for the state file;
                                        * 0: not read yet (every change of pid clears it) */

        pid_t pid;               /* main process, 0 if none (sd_notify MAINPID= may move it) */
        pid_t pgid;              /* the process we spawned: its session and process group;
                                  * read it through mainpid_group() (0: forgotten) */
        bool pgid_leader_reaped; /* ...and svd reaped that process (mainpid.h) */
        ev_io main_pidfd_io;     /* active: a pidfd on an adopted main process (mainpid.c) */
        ev_timer main_gone;      /* its pidfd said it ended: decide whether ev_child will see it */
        unsigned main_gone_tries;
        bool self_stop;          /* it said STOPPING=1: its exit 0 is the end it announced */
        bool kill_sent;          /* stopping: SIGKILL sent, SVC_KILL_WAIT armed */
        usec_t spawned_mono;     /* when pid was spawned */
        usec_t up_mono;          /* first time up (running+healthy, or exited 0) since boot */
        usec_t first_spawn_mono; /* first spawn since boot (its execve done) */
        usec_t first_prep_mono;  /* ...and when svd began preparing it */
        usec_t first_exec_mono;  /* ...and when its child called execve */
        usec_t ready_mono;       /* first READY=1 / running / exited 0 since boot */
        unsigned restarts;       /* automatic restarts since the last fresh start */
        uint64_t restarts_total; /* ...since svd started, re-execs included: never reset (a counter) */
        /* CPU time of the cgroup leaves a reload removed (the new leaf
         * counts from 0): added to svd_service_cpu_seconds_total */
        uint64_t cpu_usec_gone;
        unsigned attempt;        /* consecutive failed runs, for the backoff */
        struct start_history starts;

        bool has_exit;
        int exit_status;         /* wait status of the last main-process exit */
        bool exit_oom;           /* ... and that was the OOM killer's SIGKILL */
        bool exit_unknown;       /* ... of a process not svd's child: status unknown (255 above) */
        bool exit_unknown_next;  /* the exit on its way is such (svc_main_exited_unknown); kept
                                  * in the state while it waits for the leaf (pending_unknown):
                                  * its 255 alone would read as "exited 255" */
        /* Short texts on the heap (util.h str_*: never NULL, "" if none). */
        char *reason;            /* why failed/waiting/stopped */
        char *status_text;       /* last sd_notify STATUS= */
        char *last_failure;      /* why the last automatic restart happened */
        char *exe_path;          /* resolved command[0], checked again at each spawn */
        bool cfg_stale;          /* its process, taken over from svd before (daemon-reexec,
                                  * crash), runs an older definition than cfg: a reload
                                  * restarts it (reload.c); cleared at each spawn */
        bool res_stale;          /* not cfg_stale, but its cgroup leaf, taken over at a
                                  * daemon-reexec, holds an older resources: than cfg's:
                                  * a reload applies them live (reload.c); cleared at
                                  * each spawn and by cgroup_apply_live */
        struct svc_prewarm *pre; /* spawn work done ahead while it waited (prewarm.h) */
        struct logsink *log;     /* output pipes and file (logpipe.h), from the first spawn */
        /* sd_notify budget (notify.h): what is left of it, and when it was
         * last topped up (0: never used, full) */
        double notify_tokens;
        usec_t notify_refill_mono;
        uint64_t notify_dropped;       /* datagrams dropped over it, since svd started */
        uint64_t notify_burst_dropped; /* ...in the flood under way; 0: none */
        bool notify_dropped_lately;    /* ...since notify.c's last look */
        char *notify_status_pending;   /* STATUS= of the latest dropped one (str_*) */

        bool held;               /* operator said stop: no restart, not pulled in */
        bool stop_requested;     /* the current stop was asked for */
        bool restart_after_stop; /* svctl restart / dependency restart */
        bool dep_failed;         /* failed only because a dependency it follows
                                  * (depends_on.X.restart) failed: it starts
                                  * again once that one is back (sched.c) */
        bool stop_after_followers; /* svctl stop/restart waits for the dependents
                                    * following it (depends_on.X.restart) to stop */

        ev_timer timer;          /* backoff delay or stop timeout */

        /* health (health.c) */
        enum stop_outcome stop_outcome; /* what the current stop means */
        unsigned probe_failures;        /* consecutive */
        bool probe_passed;              /* the last check of this run passed */
        bool probe_again;        /* READY=1 came while a probe ran: a failure probes again at once */
        char *probe_detail;             /* last probe's result, one line (str_*) */
        char *probe_output;             /* last completed exec probe's output (first 1 KiB);
                                           heap, only for services with exec probes */
        char *probe_buf;                /* output of the running exec probe */
        size_t probe_buf_len;
        bool probe_timed_out;
        usec_t last_probe_real;
        pid_t probe_pid;                /* running exec probe */
        bool probe_stale;               /* probe_pid belongs to a run that is over */
        bool probe_stuck;               /* probe_pid outlived SIGKILL at its timeout */
        int probe_fd;                   /* its output pipe, -1 if none */
        int64_t probe_id;               /* in-flight svd-probe request, 0 if none */
        int64_t probe_late_id;          /* one given up on as overdue: a late reply still counts */
        ev_timer probe_timer;           /* next probe */
        ev_timer probe_timeout;         /* kills a hung exec probe */
        ev_io probe_io;
        ev_timer start_timer;           /* start_timeout */
        ev_timer watchdog_timer;
        /* WATCHDOG_USEC= since this run began (health_watchdog_usec): the
         * interval in force instead of cfg->watchdog (0: off), until the
         * next start */
        bool watchdog_override;
        usec_t watchdog_override_usec;

        /* cgroup (cgroup.c) */
        char *cg_path;           /* absolute leaf path, NULL without cgroups */
        int cg_procs_fd;         /* its cgroup.procs, for the spawned child */
        int cg_dir_fd;           /* the leaf itself, for clone3(CLONE_INTO_CGROUP) */
        int cg_wd_events, cg_wd_memory; /* inotify watches */
        uint64_t oom_seen;       /* memory.events oom_kill already accounted */
        uint64_t oom_kills;
        uint64_t oom_at_spawn;   /* oom_kills when the current run began, or when svd
                                  * saw its main process outlive one (cgroup_oom.c):
                                  * only kills after it can be its end's cause */
        bool exit_pending;       /* main process gone, waiting for the leaf to empty */
        int pending_status;
        ev_timer exit_wait;
        bool cg_knobs_written;   /* the leaf holds this definition's limits (cgroup_prepare) */
        usec_t cg_leftover_since; /* processes of an earlier run found in the leaf were
                                     killed then (cgroup_kill.c); 0: none */
        bool cg_leftover_stuck;  /* ...and outlived CGROUP_LEFTOVER_WAIT: starts go ahead */
        ev_timer cg_leftover_timer;
        /* credential files that could not be written (secrets_credwait.c) */
        ev_timer cred_timer;     /* the next try */
        usec_t cred_delay;       /* its delay; 0: no failure */
        unsigned cred_tries;     /* failed tries in a row */
        char *cred_why;          /* the last failure (str_*) */
        uint64_t cpu_prev_usec;  /* for CPU% between two status requests */
        usec_t cpu_prev_mono;

        /* a main process taken over from a killed svd (not our child) */
        int pidfd;
        ev_io pidfd_io;

        /* sched bookkeeping */
        bool queued;
        size_t *rdeps;           /* services that depend on this one */
        size_t n_rdeps;
};

/* A new service object in ST_STOPPED for cfg, at m->svcs[index]. NULL if out of memory. */
struct svc *svc_new(struct svd *m, const struct svc_config *cfg, size_t index);

/* Frees the object and its texts (not its watchers, log or cgroup). */
void svc_free(struct svc *s);

/* After svd was killed: a running main process that is not svd's child is
 * watched through a pidfd (svc_adopt.c): its end after svd's own SIGKILL is
 * that SIGKILL, any other "exit status unknown". */
int svc_watch_adopted(struct svc *s);
void svc_unwatch_adopted(struct svc *s);
/* svc_main_exited for a main process whose exit status nobody can tell
 * (not svd's child): exit_status 255 for the policy, exit_unknown set. */
void svc_main_exited_unknown(struct svc *s);

/* daemon-reexec: re-arms the service timer (backoff delay, stop timeout)
 * with the time it had left (< 0: not armed), and the wait for an emptying
 * cgroup; a waiting service has what held it checked again
 * (svd_recheck_waiting). */
void svc_restore_timers(struct svc *s, double timer_left_usec);

/* The main process was reaped. With cgroups, the service is down only once
 * its leaf is empty: leftovers are killed and SE_EXIT waits for that. */
void svc_main_exited(struct svc *s, int status);
/* cgroup.events says the leaf is empty. */
void svc_cgroup_empty(struct svc *s);
/* Something that held back the start of a waiting service may be gone (its
 * leaf's leftovers): it starts if its dependencies are met. */
void svc_recheck_start(struct svc *s);

/* Feeds one event to the service. ev_data: the wait status for SE_EXIT. */
void svc_dispatch(struct svc *s, enum svc_event ev, int ev_data);
/* Health changed: record it and let dependents see it. */
void svc_set_health(struct svc *s, enum svc_health h);

/* Stops a running service because it failed a check; reason says why. */
void svc_fail(struct svc *s, enum stop_outcome outcome, const char *reason);
/* EXTEND_TIMEOUT_USEC=: the stop timeout (stopping, before SIGKILL) or the
 * start timeout (starting) ends no sooner than usec from now. */
void svc_extend_timeout(struct svc *s, uint64_t usec);

/* The environment a process of this service gets (main process and exec
 * probes), whole or not at all. NULL with *ret_err on failure; then why
 * (may be NULL) says why: the env_file ("env_file: PATH[:LINE]: ..."), a
 * secret, or no memory ("environment: Cannot allocate memory"); it is left
 * as it was only when the env_file could not be read for want of memory.
 * main_process: for the main process, the one the watchdog watches: only
 * it gets svd's WATCHDOG_USEC and WATCHDOG_PID (exec probes do not). */
char **svc_build_env(const struct svc *s, bool main_process, int *ret_err, char *why, size_t why_len);
/* The value of KEY in env (NAME=VALUE entries); NULL if absent. */
const char *svc_env_get(char **env, const char *key);
/* Whether c's env_file, read now, holds ${secret:name}, which c's
 * environment gets when c declares that secret (secrets_env_expand). An
 * env_file that cannot be read is taken as not holding it (the start
 * reports what is wrong with it). */
bool svc_env_file_uses(const struct svc_config *c, const char *name);

/* Sets the human-readable reason (printf-style; up to SVC_REASON_MAX - 1
 * bytes); "" clears it. */
void svc_set_reason(struct svc *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Room for a reason built in a buffer (a start gate's, a secret's): a path
 * (a config path is shorter than PATH_MAX; a file name may be joined to
 * it), a secret name (at most 255) and the words and error around them, so
 * the cause at its end is never cut off. */
#define SVC_REASON_MAX (PATH_MAX + 512)

/* "exited 0", "exited 3", "killed by SIGKILL"; buf >= 48 bytes. */
const char *svc_format_exit(int status, char *buf, size_t len);
/* The service's last exit as svc_format_exit says it, with " (OOM killer)"
 * when the cgroup's OOM killer sent that SIGKILL, or "exit status unknown"
 * (exit_unknown); buf >= 64 bytes. */
const char *svc_exit_text(const struct svc *s, char *buf, size_t len);

/* Whether dependency dep (of s) satisfies its condition now; whether it can no
 * longer come up by itself (failed, or completed with a non-zero status). */
bool svc_dep_satisfied(const struct svc *dep, enum dep_condition cond);
bool svc_dep_broken(const struct svc *dep, enum dep_condition cond);

#endif

/* svc: one service at run time. svc_dispatch() is the single entry point for
 * every event; it asks the pure state machine what to do and does it. The
 * process-level work (building argv, opening the output file, spawning,
 * signalling the process group) lives here too (the environment: svc_env.c);
 * propagation to other services is left to sched through its queue. */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "cgroup.h"
#include "events.h"
#include "gate.h"
#include "log.h"
#include "logpipe.h"
#include "mainpid.h"
#include "notify.h"
#include "sandbox.h"
#include "sched.h"
#include "secrets.h"
#include "spawn_why.h"
#include "statefile.h"
#include "statejournal.h"
#include "svc.h"
#include "svd.h"
#include "prewarm.h"
#include "profile.h"
#include "timer.h"

void svc_set_reason(struct svc *s, const char *fmt, ...) {
        char buf[SVC_REASON_MAX];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(buf, sizeof(buf), fmt, ap);
        va_end(ap);
        str_set_max(&s->reason, buf, sizeof(buf));
}

const char *svc_format_exit(int status, char *buf, size_t len) {
        if (WIFEXITED(status))
                snprintf(buf, len, "exited %d", WEXITSTATUS(status));
        else if (WIFSIGNALED(status)) {
                const char *n = signal_name(WTERMSIG(status));
                if (n)
                        snprintf(buf, len, "killed by %s%s", n, WCOREDUMP(status) ? " (core dumped)" : "");
                else
                        snprintf(buf, len, "killed by signal %d", WTERMSIG(status));
        } else
                snprintf(buf, len, "status 0x%x", (unsigned)status);
        return buf;
}

const char *svc_exit_text(const struct svc *s, char *buf, size_t len) {
        if (s->exit_unknown) { /* (exit_status 255: a failure, for the policy) */
                snprintf(buf, len, "exit status unknown");
                return buf;
        }
        svc_format_exit(s->exit_status, buf, len);
        if (s->exit_oom) {
                size_t n = strlen(buf);
                snprintf(buf + n, len - n, " (OOM killer)");
        }
        return buf;
}

bool svc_dep_satisfied(const struct svc *d, enum dep_condition cond) {
        switch (cond) {
        case DEP_STARTED:
                return svc_state_up(d->state) || d->state == ST_EXITED;
        case DEP_HEALTHY:
                /* A service without a health check is healthy once it runs;
                 * a reload (RELOADING=1) does not take it down. */
                return svc_state_up(d->state) && (d->health == HEALTH_NONE || d->health == HEALTH_HEALTHY);
        case DEP_COMPLETED:
                return d->state == ST_EXITED;
        default:
                return false;
        }
}

bool svc_dep_broken(const struct svc *d, enum dep_condition cond) {
        if (d->state == ST_FAILED)
                return true;
        /* It ended itself (STOPPING=1) and its policy does not restart it */
        if (d->state == ST_STOPPED && d->self_stop && !d->held)
                return true;
        /* Ran to completion but the condition needs it up: it will not come back. */
        return d->state == ST_EXITED && cond == DEP_HEALTHY;
}

/* Boot timing (svctl status --boot): the first time a service is up during
 * the boot, noted when it happens (not at the end of the scheduling pass,
 * which may have spawned its dependents meanwhile). */
static void note_up(struct svc *s) {
        if (s->up_mono || s->m->boot_done_mono || s->m->shutting_down)
                return;
        if ((s->state == ST_RUNNING && (s->health == HEALTH_NONE || s->health == HEALTH_HEALTHY)) ||
            s->state == ST_EXITED)
                s->up_mono = now_mono();
}

static void set_state(struct svc *s, enum svc_state next) {
        if (s->state == next)
                return;
        enum svc_state prev = s->state;
        s->state = next;
        s->since_real = now_real();
        s->since_mono = now_mono();
        if (!s->ready_mono && (next == ST_RUNNING || next == ST_EXITED))
                s->ready_mono = s->since_mono; /* boot timing: the service's own readiness */
        if (next != ST_WAITING && next != ST_STARTING)
                prewarm_drop(s); /* it will not spawn from this wait */
        log_info("%s: %s -> %s%s%s", s->cfg->name, svc_state_name(prev), svc_state_name(next),
                 s->reason[0] ? ": " : "", s->reason);
        events_emit(s->m, s, "state", svc_state_name(prev), svc_state_name(next));
        secrets_svc_state(s);
        timer_svc_state(s, prev, next); /* scheduled jobs: last run, result, duration */
        note_up(s);
        sched_enqueue(s->m, s);
        statefile_touch(s->m);
}

void svc_set_health(struct svc *s, enum svc_health h) {
        if (s->health == h)
                return;
        /* the last check's result is the reason, except for "none": checks
         * end with the service, whatever the last one said */
        const char *why = h == HEALTH_NONE ? "" : s->probe_detail;
        log_info("%s: health %s -> %s%s%s", s->cfg->name, svc_health_name(s->health), svc_health_name(h),
                 why[0] ? ": " : "", why);
        events_emit(s->m, s, "health", svc_health_name(s->health), svc_health_name(h));
        s->health = h;
        s->health_since_real = now_real();
        note_up(s);
        sched_enqueue(s->m, s);
        statefile_touch(s->m);
}

void svc_fail(struct svc *s, enum stop_outcome outcome, const char *reason) {
        if (!svc_state_up(s->state) && s->state != ST_STARTING)
                return;
        log_err("%s: %s", s->cfg->name, reason);
        svc_set_reason(s, "%s", reason);
        s->stop_outcome = outcome;
        svc_dispatch(s, SE_STOP, 0);
}

/* ---- spawning (the environment: svc_env.c) ---- */

/* Spawns the main process; returns 0 or -errno with s->reason set.
 * creds_written: secrets_cred_wait wrote the credential files just now.
 * *ret_transient: the spawn itself failed for want of something that comes
 * back by itself (spawn_transient), not for the service's setup. */
static int do_spawn(struct svc *s, bool creds_written, bool *ret_transient) {
        const struct svc_config *c = s->cfg;
        usec_t prep = now_mono();
        int r;
        char sec_why[SVC_REASON_MAX];
        /* credential files are written here, in the parent, before the spawn */
        if (!creds_written && (r = secrets_svc_prepare(s, sec_why, sizeof(sec_why))) < 0) {
                svc_set_reason(s, "%s", sec_why);
                return r;
        }
        char env_why[SVC_REASON_MAX] = "";
        _cleanup_(secrets_env_freep) char **env = svc_build_env(s, true, &r, env_why, sizeof(env_why));
        if (!env) {
                if (env_why[0])
                        svc_set_reason(s, "%s", env_why);
                else
                        svc_set_reason(s, "env_file: %s: %s", c->env_file ? c->env_file : "environment",
                                       strerror(r ? -r : ENOMEM));
                return r ? r : -ENOMEM;
        }

        char *sh_argv[4] = {"sh", "-c", NULL, NULL};
        char *const *argv = c->command;
        _cleanup_(freep) char *path = NULL;
        if (c->shell) {
                sh_argv[2] = c->command[0];
                argv = sh_argv;
                path = strdup("/bin/sh");
        } else if (strchr(c->command[0], '/'))
                /* A path needs no look-up before the spawn: execve reports a
                 * missing or not executable program ("exec: PATH: ..."), and
                 * an access() first would only be one more round trip on a
                 * network file system. A relative one is the working
                 * directory's, where the child executes it, not svd's. */
                path = strdup(c->command[0]);
        else if (s->exe_path && access(s->exe_path, X_OK) == 0)
                path = strdup(s->exe_path); /* one access() instead of a PATH walk */
        else {
                path = spawn_find_executable(c->command[0], svc_env_get(env, "PATH"));
                free(s->exe_path);
                s->exe_path = path ? strdup(path) : NULL;
        }
        if (!path) {
                int e = errno ? errno : ENOENT;
                svc_set_reason(s, "exec: %s: %s", c->command[0], strerror(e));
                return -e;
        }

        gid_t *groups = NULL;
        int ngroups = 0;
        bool set_ids = c->has_uid || c->has_gid || c->n_sup_gids;
        uid_t uid = c->has_uid ? c->uid : geteuid();
        if (!c->allow_root && uid == 0) {
                svc_set_reason(s, "setuid: allow_root is false but the service would run as root");
                return -EPERM;
        }
        /* what was prepared while it waited (prewarm.h) is used once */
        bool cgroup_ready = s->pre && s->pre->cgroup_done;
        if (s->pre && s->pre->have_groups) {
                groups = s->pre->groups;
                ngroups = s->pre->n_groups;
                s->pre->groups = NULL;
        }
        bool have_groups = s->pre && s->pre->have_groups;
        prewarm_drop(s);
        if (set_ids) {
                if (c->user && !have_groups && svc_user_groups(c, &groups, &ngroups) < 0) {
                        svc_set_reason(s, "groups: %s", strerror(ENOMEM));
                        return -ENOMEM;
                }
                if (svc_add_sup_groups(c, &groups, &ngroups) < 0) {
                        free(groups);
                        svc_set_reason(s, "groups: %s", strerror(ENOMEM));
                        return -ENOMEM;
                }
        }

        /* built in the parent: the child only applies it (sandbox.h) */
        _cleanup_(sandbox_plan_done) struct sandbox_plan sbx = {0};
        char why[512];
        if ((r = sandbox_plan_build(c, uid, &sbx, why, sizeof(why))) < 0) {
                free(groups);
                svc_set_reason(s, "%s", why);
                return r;
        }

        if (cgroup_enabled(s->m) && !cgroup_ready && (r = cgroup_prepare(s->m, s)) < 0) {
                /* never run a service outside its limits */
                if (!s->reason[0])
                        svc_set_reason(s, "cgroup: %s: %s", s->cg_path ? s->cg_path : c->name, strerror(-r));
                free(groups);
                return r;
        }

        /* The output pipes (and the file behind them) stay open across
         * restarts: what a crashing process wrote is still read. */
        r = logpipe_open(s);
        if (r < 0) {
                free(groups);
                if (r != -EEXIST) /* (the log said which file it shares) */
                        svc_set_reason(s, "stdio: log pipes for %s: %s", c->name, strerror(-r));
                return r;
        }
        /* A pipe belongs to its creator (svd, mode 0600): a service that
         * reopens /dev/stdout or /proc/self/fd/2 after the uid change (nginx
         * does) needs the pipe to be its own. */
        if (set_ids && geteuid() == 0) {
                (void)fchown(logpipe_out_fd(s->log), uid, c->has_gid ? c->gid : (gid_t)-1);
                (void)fchown(logpipe_err_fd(s->log), uid, c->has_gid ? c->gid : (gid_t)-1);
        }

        /* Only svd's own placeholder has room for the pid: an operator's
         * WATCHDOG_PID (environment:, env_file) replaced it and is left as
         * given. */
        char *pid_env = NULL;
        for (char **e = env; *e; e++)
                if (strcmp(*e, "WATCHDOG_PID=00000000000000000000") == 0)
                        pid_env = *e;
        usec_t exec_at = 0;
        /* the child notes its own pid first thing (spawn.h) */
        struct spawn_journal sj = {.fd = statejournal_fd(s->m), .name = c->name};
        struct spawn_req req = {
                .journal = sj.fd >= 0 ? &sj : NULL,
                .path = path,
                .argv = argv,
                .envp = env,
                .extra_fd = -1,
                .cgroup_procs_fd = s->cg_procs_fd,
                .cgroup_fd = s->cg_dir_fd,
                .pid_env = pid_env,
                .cwd = svc_spawn_cwd(c),
                .set_ids = set_ids,
                .uid = c->has_uid ? c->uid : geteuid(),
                .gid = c->has_gid ? c->gid : getegid(),
                .groups = groups,
                .n_groups = (size_t)ngroups,
                .stdin_fd = s->m->devnull_fd,
                .stdout_fd = logpipe_out_fd(s->log),
                .stderr_fd = logpipe_err_fd(s->log),
                .sandbox = &sbx,
                .ret_exec_mono = &exec_at,
        };
        /* A home directory that does not exist, or that the user cannot
         * enter (checked by the child, as the user), is no reason to fail
         * when the operator did not ask for a working directory: "/" then. */
        req.cwd_optional = !c->working_dir;

        struct spawn_error se = {0};
        pid_t pid = 0;
        r = spawn_start(&req, &pid, &se);
        free(groups);
        if (r < 0 && req.journal)
                statejournal_spawned(s, &sj, false);
        if (r < 0) {
                char fail[SVC_REASON_MAX];
                svc_set_reason(s, "%s", spawn_fail_why(&req, &se, fail, sizeof(fail)));
                *ret_transient = spawn_transient(se.err);
                return r;
        }
        if (req.cgroup_fd >= 0)
                cgroup_note_spawn(s->m);
        s->pid = s->pgid = pid;
        s->pgid_leader_reaped = false;
        s->start_time = 0;
        /* a new process: written down before anything else happens, in the
         * state file at the end of this loop iteration */
        if (req.journal)
                statejournal_spawned(s, &sj, true);
        else
                statejournal_note(s, 'S'); /* (no journal, or full: a no-op) */
        statefile_touch_now(s->m);
        s->self_stop = false;
        s->stop_outcome = STOP_OUTCOME_STOPPED;
        str_clear(&s->status_text);
        str_clear(&s->notify_status_pending); /* the last run's */
        s->spawned_mono = now_mono();
        s->cfg_stale = s->res_stale = false; /* (this process runs s->cfg, in its limits) */
        s->oom_at_spawn = s->oom_kills;
        if (!s->first_spawn_mono) {
                s->first_spawn_mono = s->spawned_mono;
                s->first_prep_mono = prep;
                s->first_exec_mono = exec_at;
        }
        start_history_add(&s->starts, s->spawned_mono, s->cfg->start_limit.burst);
        return 0;
}

/* The group we spawned, while its number is still ours (mainpid_group), and
 * the main process if MAINPID= moved it elsewhere. */
static void kill_group(struct svc *s, int sig) {
        if (s->pid <= 0)
                return;
        pid_t g = mainpid_group(s);
        if (g <= 0 || (kill(-g, sig) < 0 && errno == ESRCH))
                (void)kill(s->pid, sig); /* it left its group: reach it directly */
        else if (s->pid != g)
                (void)kill(s->pid, sig);
        if (sig != SIGKILL && sig != SIGCONT) {
                if (g > 0)
                        (void)kill(-g, SIGCONT); /* a stopped process could not act on it */
                if (s->pid != g)
                        (void)kill(s->pid, SIGCONT);
        }
}

static void exit_wait_cb(struct ev_loop *loop, ev_timer *w, int revents) {
        struct svc *s = w->data;
        /* Processes in uninterruptible sleep can outlive SIGKILL for a while;
         * the service is reported down anyway rather than stuck. */
        log_warn("%s: cgroup %s still not empty 5s after the main process exited", s->cfg->name, s->cg_path);
        svc_cgroup_empty(s);
        sched_run(s->m);
}

void svc_main_exited(struct svc *s, int status) {
        mainpid_forget(s);
        if (s->cg_path && cgroup_populated(s)) {
                kill_group(s, SIGKILL);
                s->pid = 0;
                cgroup_kill(s);
                s->exit_pending = true;
                s->pending_status = status;
                ev_timer_init(&s->exit_wait, exit_wait_cb, 5., 0.);
                s->exit_wait.data = s;
                ev_timer_start(s->m->loop, &s->exit_wait);
                /* a second look: the leaf may have emptied before the watch saw it */
                if (!cgroup_populated(s))
                        svc_cgroup_empty(s);
                return;
        }
        svc_dispatch(s, SE_EXIT, status);
}

void svc_cgroup_empty(struct svc *s) {
        if (s->cg_leftover_since) {
                cgroup_leftovers_end(s);
                svc_recheck_start(s);
        }
        if (!s->exit_pending)
                return;
        s->exit_pending = false;
        ev_timer_stop(s->m->loop, &s->exit_wait);
        svc_dispatch(s, SE_EXIT, s->pending_status);
}

void svc_recheck_start(struct svc *s) {
        if (s->state == ST_WAITING && !s->m->shutting_down && sched_deps_met(s->m, s))
                svc_dispatch(s, SE_DEPS_MET, 0);
}

static void timer_cb(struct ev_loop *loop, ev_timer *w, int revents) {
        struct svc *s = w->data;
        svc_dispatch(s, SE_TIMER, 0);
        sched_run(s->m);
}

struct svc *svc_new(struct svd *m, const struct svc_config *cfg, size_t index) {
        struct svc *s = calloc(1, sizeof(*s));
        if (!s)
                return NULL;
        s->m = m;
        s->cfg = cfg;
        s->index = index;
        s->state = ST_STOPPED;
        s->cg_procs_fd = s->cg_dir_fd = s->cg_wd_events = s->cg_wd_memory = -1;
        s->probe_fd = -1;
        s->pidfd = -1;
        s->health = HEALTH_NONE;
        s->since_real = now_real();
        s->since_mono = now_mono();
        s->reason = s->status_text = s->last_failure = s->probe_detail = str_empty;
        s->notify_status_pending = str_empty;
        ev_timer_init(&s->timer, timer_cb, 0., 0.);
        s->timer.data = s;
        ev_timer_init(&s->cg_leftover_timer, NULL, 0., 0.); /* (cgroup_kill.c sets it up) */
        ev_timer_init(&s->cred_timer, NULL, 0., 0.);        /* (secrets_credwait.c) */
        s->cred_why = str_empty;
        return s;
}

void svc_free(struct svc *s) {
        if (!s)
                return;
        str_clear(&s->reason);
        str_clear(&s->status_text);
        str_clear(&s->notify_status_pending);
        str_clear(&s->last_failure);
        str_clear(&s->probe_detail);
        str_clear(&s->cred_why);
        start_history_reset(&s->starts);
        prewarm_drop(s);
        free(s);
}

static void arm_timer(struct svc *s, usec_t delay) {
        ev_timer_stop(s->m->loop, &s->timer);
        ev_timer_init(&s->timer, timer_cb, (double)delay / 1e6, 0.);
        s->timer.data = s;
        ev_timer_start(s->m->loop, &s->timer);
}

void svc_extend_timeout(struct svc *s, uint64_t usec) {
        char tb[32];
        const char *what = NULL;
        if (s->state == ST_STOPPING && !s->kill_sent && ev_is_active(&s->timer)) {
                if (ev_timer_remaining(s->m->loop, &s->timer) < (double)usec / 1e6)
                        arm_timer(s, (usec_t)usec);
                what = "stop";
        } else if (health_extend_start(s, usec))
                what = "start";
        if (what)
                log_debug("%s: EXTEND_TIMEOUT_USEC: its %s timeout ends no sooner than %s from now", s->cfg->name,
                          what, format_duration((usec_t)usec, tb, sizeof(tb)));
}

void svc_restore_timers(struct svc *s, double timer_left_usec) {
        if (timer_left_usec >= 0)
                arm_timer(s, (usec_t)timer_left_usec);
        if (s->exit_pending) {
                ev_timer_init(&s->exit_wait, exit_wait_cb, 5., 0.);
                s->exit_wait.data = s;
                ev_timer_start(s->m->loop, &s->exit_wait);
                if (!s->cg_path || !cgroup_populated(s))
                        svc_cgroup_empty(s);
        }
        if (s->state == ST_WAITING && cgroup_enabled(s->m))
                cgroup_leftovers_recheck(s);
        /* what held it (a start_when gate, with or without cgroups) is
         * checked again by this instance, or it would wait for ever */
        if (s->state == ST_WAITING)
                svd_recheck_waiting(s->m);
}

/* Whether ev can lead to a spawn from the current state (sm_next: a start
 * from rest, dependencies met, the backoff delay over or cut short). */
static bool may_spawn(const struct svc *s, enum svc_event ev) {
        switch (s->state) {
        case ST_STOPPED:
        case ST_FAILED:
        case ST_EXITED:
                return ev == SE_START;
        case ST_WAITING:
                return ev == SE_DEPS_MET;
        case ST_BACKOFF:
                return ev == SE_TIMER || ev == SE_START;
        default:
                return false;
        }
}

void svc_dispatch(struct svc *s, enum svc_event ev, int ev_data) {
        const struct svc_config *c = s->cfg;
        struct svd *m = s->m;
        struct sm_ctx ctx = {
                .deps_met = !m->shutting_down && sched_deps_met(m, s), /* nothing starts then */
                .needs_ready = c->type == SVC_ONESHOT || c->type == SVC_NOTIFY,
                .oneshot = c->type == SVC_ONESHOT,
                .kill_sent = s->kill_sent,
        };
        char exitbuf[320] = "";
        bool self_failed = false; /* SE_EXIT: a failure after STOPPING=1 */
        char gate_why[SVC_REASON_MAX] = "";
        usec_t now = now_mono();

        /* not in the selected profiles, program not installed, or a dependency
         * is either (profile.c): stopped with the reason, never a crash loop;
         * also a restart at the end of its delay, or one the operator asks
         * for in it, as at a first start (not "exec: ...: No such file") */
        bool from_backoff = s->state == ST_BACKOFF && (ev == SE_TIMER || ev == SE_START);
        if (((ev == SE_START && !svc_state_active(s->state)) || from_backoff) && profile_blocked(s)) {
                /* An exited one stays exited: its followers run on it (a
                 * stop would restart them, to wait for it for ever). */
                if (s->state == ST_EXITED)
                        statefile_touch(m); /* (the reason) */
                else {
                        ev_timer_stop(m->loop, &s->timer); /* (a start in the delay) */
                        set_state(s, ST_STOPPED);
                }
                return;
        }

        /* start_when is checked only when it could matter: at a start with
         * dependencies met (it reads /proc). */
        if (ctx.deps_met && gate_configured(&c->start_when) &&
            (ev == SE_START || ev == SE_DEPS_MET || (ev == SE_TIMER && s->state == ST_BACKOFF)) &&
            !gate_open(&c->start_when, gate_why, sizeof(gate_why))) {
                ctx.deps_met = false;
                svd_gate_wait(m);
        }
        /* passphrase mode: consumers wait for svctl unlock */
        if (ctx.deps_met && secrets_locked(s)) {
                ctx.deps_met = false;
                snprintf(gate_why, sizeof(gate_why), "secrets locked");
        }
        if (ctx.deps_met && may_spawn(s, ev) && secrets_store_wait(s, gate_why, sizeof(gate_why)))
                ctx.deps_met = false;
        /* Processes of an earlier run in the leaf are killed, and the spawn
         * waits for them to be gone (bounded; cgroup.h): after the other
         * gates, which could hold the start anyway. */
        if (ctx.deps_met && cgroup_enabled(m) && may_spawn(s, ev) &&
            cgroup_leftovers_wait(s, gate_why, sizeof(gate_why)))
                ctx.deps_met = false;
        /* The very last: the credential files are written only for the
         * spawn that follows; one that cannot be written holds the start
         * and is retried (secrets.h). */
        bool creds_written = false;
        if (ctx.deps_met && may_spawn(s, ev) && secrets_cred_wait(s, &creds_written, gate_why, sizeof(gate_why)))
                ctx.deps_met = false;

        if (ev == SE_EXIT) {
                pid_t old = s->pid;
                s->has_exit = true;
                s->exit_status = ev_data;
                s->exit_unknown = s->exit_unknown_next; /* (svc_main_exited_unknown) */
                s->exit_unknown_next = false;
                /* the memory.events watch may not have been read yet; the
                 * kernel counts an OOM kill before its victim can exit */
                (void)cgroup_oom_check(s);
                /* (a SIGKILL svd sent itself, at the stop timeout or as
                 * the stop signal, is not the OOM killer's) */
                bool svd_killed = s->state == ST_STOPPING &&
                                  (s->kill_sent || (!s->self_stop && c->stop.signal == SIGKILL));
                s->exit_oom = WIFSIGNALED(ev_data) && WTERMSIG(ev_data) == SIGKILL && !svd_killed &&
                              s->oom_kills > s->oom_at_spawn;
                svc_exit_text(s, exitbuf, sizeof(exitbuf));
                /* Leftovers of the group would hold ports and files the next
                 * run needs; the main process defines the service's life. */
                s->pid = old;
                kill_group(s, SIGKILL);
                s->pid = s->pgid = 0;
                mainpid_forget(s);
                /* what it wrote just before the end is in the pipes: write it
                 * out, partial last line included */
                logpipe_flush(s->log);
                ctx.exit_ok = WIFEXITED(ev_data) && WEXITSTATUS(ev_data) == 0;
                bool asked = s->stop_requested || s->held || m->shutting_down;
                ctx.fail_stop = s->state == ST_STOPPING && s->stop_outcome != STOP_OUTCOME_STOPPED && !asked;
                if (ctx.fail_stop)
                        ctx.exit_ok = false; /* we killed it because it failed a check */
                /* After STOPPING=1 only exit 0 is the end it announced: a
                 * crash during its own shutdown, or svd's SIGKILL at the stop
                 * timeout (systemd's result "timeout"), is a failure, decided
                 * like an unrequested exit. */
                self_failed = s->state == ST_STOPPING && s->self_stop && !asked && !ctx.exit_ok &&
                              !ctx.fail_stop;
                if (self_failed) {
                        ctx.fail_stop = true;
                        char eb[96];
                        snprintf(eb, sizeof(eb), "%s", exitbuf);
                        snprintf(exitbuf, sizeof(exitbuf), s->kill_sent ? "did not end within its stop timeout "
                                 "after STOPPING=1: %s" : "%s after STOPPING=1", eb);
                }
                /* Its announced end (exit 0) is no failure, but an exit svd
                 * did not ask for: always restarts it, on-failure does not
                 * (as systemd's Restart= after STOPPING=1 without a stop job). */
                ctx.self_end = s->state == ST_STOPPING && s->self_stop && !asked && !ctx.fail_stop;
                ctx.restart = restart_wanted(c->restart, ctx.exit_ok || ctx.self_end, asked);
                if (ctx.self_end && ctx.restart) {
                        size_t el = strlen(exitbuf);
                        snprintf(exitbuf + el, sizeof(exitbuf) - el, " after STOPPING=1");
                }
                if (ctx.fail_stop && s->stop_outcome == STOP_OUTCOME_FAILED)
                        ctx.restart = false;
                if (ctx.oneshot && ctx.exit_ok)
                        ctx.restart = false;
                /* a scheduled run no svd saw end (svd was killed): it may have
                 * done its work (a backup), so not again before its next due time */
                if (s->exit_unknown && timer_scheduled(s))
                        ctx.restart = false;
                if (s->spawned_mono && now - s->spawned_mono >= c->backoff.reset_after)
                        s->attempt = 0;
                /* counted where the restart would start: after its delay
                 * (the same one ACT_ARM_BACKOFF arms) */
                if (ctx.restart)
                        ctx.limit_hit = start_limit_hit(&s->starts, &c->start_limit,
                                                        now + backoff_delay(&c->backoff, s->attempt + 1));
        }

        /* A spawn that failed for want of a resource (ev_data: transient)
         * is retried by the restart policy, as a failed exit would be; it
         * did not start, so it does not count toward start_limit. */
        if (ev == SE_SPAWN_FAILED && ev_data) {
                bool asked = s->stop_requested || s->held || m->shutting_down;
                ctx.restart = restart_wanted(c->restart, false, asked);
                snprintf(exitbuf, sizeof(exitbuf), "%s", s->reason);
        }

        unsigned act = 0;
        enum svc_state next = sm_next(s->state, ev, &ctx, &act);

        if (act & ACT_RESET) {
                s->attempt = 0;
                s->restarts = 0;
                s->stop_requested = false;
                start_history_reset(&s->starts);
                str_clear(&s->reason);
        }
        if (act & ACT_CANCEL_TIMER)
                ev_timer_stop(m->loop, &s->timer);

        /* Reasons explain the state the service is about to enter. */
        if (ev == SE_EXIT && ctx.fail_stop && !self_failed) {
                /* the reason (unhealthy, watchdog, start timeout) stays; with
                 * a restart, say when */
                snprintf(exitbuf, sizeof(exitbuf), "%s", s->reason);
        }
        if (ev == SE_EXIT) {
                if (next == ST_FAILED && ctx.limit_hit) {
                        char ib[32];
                        svc_set_reason(s, "start limit hit: %u starts within %s (last: %s)",
                                       c->start_limit.burst,
                                       format_duration(c->start_limit.interval, ib, sizeof(ib)), exitbuf);
                } else if (next == ST_FAILED && (!ctx.fail_stop || self_failed))
                        svc_set_reason(s, "%s", exitbuf);
                else if (next == ST_STOPPED && s->self_stop && !ctx.fail_stop)
                        svc_set_reason(s, "%s after STOPPING=1", exitbuf);
                else if (next == ST_EXITED || next == ST_STOPPED)
                        str_clear(&s->reason);
        }
        if (next == ST_WAITING && gate_why[0])
                svc_set_reason(s, "%s", gate_why);
        else if (next == ST_WAITING && s->state != ST_WAITING)
                sched_wait_reason(m, s); /* (the first one it waits for) */
        if ((next == ST_STARTING || next == ST_RUNNING) && s->state != next && ev != SE_SPAWNED)
                str_clear(&s->reason);

        usec_t delay = 0;
        if (act & ACT_ARM_BACKOFF) {
                s->attempt++;
                s->restarts++;
                s->restarts_total++;
                delay = backoff_delay(&c->backoff, s->attempt);
                char db[32];
                svc_set_reason(s, "%s; restart %u in %s", exitbuf, s->restarts,
                               format_duration(delay, db, sizeof(db)));
                str_set(&s->last_failure, exitbuf);
        }
        if (next == ST_STOPPED && ev != SE_EXIT)
                str_clear(&s->reason);
        if (act & ACT_ARM_STOP) {
                s->self_stop = true;
                svc_set_reason(s, "stopping by itself (STOPPING=1)");
        }

        if (act & ACT_ABANDON) {
                /* its exit, if it ever comes, is reaped as an orphan's */
                log_err("%s: pid %d did not die after SIGKILL; giving up on it", c->name, (int)s->pid);
                svc_set_reason(s, "pid %d did not die after SIGKILL", (int)s->pid);
                svc_unwatch_adopted(s);
                s->pid = s->pgid = 0;
                mainpid_forget(s);
                /* The start that was to follow this stop (svctl restart, a
                 * dependency's restart) is off: the old process may still
                 * hold what a new one needs. Left set, it would fire at the
                 * next exit into stopped of a later run (STOPPING=1). */
                s->restart_after_stop = false;
        }
        if (ev == SE_EXIT || (act & ACT_ABANDON))
                health_on_exit(s);
        if (ev == SE_STOP && s->stop_requested)
                s->stop_outcome = STOP_OUTCOME_STOPPED;

        enum svc_state prev = s->state;
        set_state(s, next);
        if (next != ST_STOPPING)
                s->kill_sent = false;
        if (next != ST_FAILED)
                s->dep_failed = false; /* it left the failure its dependency caused */

        /* (a READY=1 while running already is a no-op: no check at once,
         * or a service repeating it would run one per datagram) */
        if (ev == SE_READY && next == ST_RUNNING && prev != ST_RUNNING)
                health_on_ready(s);
        /* Facts no later svd can find again go to state.json at the end of
         * this iteration, not 50 ms later: a READY=1 datagram is gone once
         * read (a state still saying starting would leave the next svd
         * waiting for it forever), and a reaped exit that ends the service
         * (a oneshot's exit 0 read as "ended while svd was down", status
         * 255, would run it again). Exits into a restart keep the 50 ms
         * batching: the next svd restarts those anyway. */
        if ((ev == SE_READY && next == ST_RUNNING && prev != ST_RUNNING) ||
            (ev == SE_EXIT && (next == ST_EXITED || next == ST_STOPPED || next == ST_FAILED) && !m->shutting_down))
                svd_write_state_soon(m);

        if (act & ACT_ARM_BACKOFF)
                arm_timer(s, delay);
        if (act & ACT_SIGNAL_STOP) {
                kill_group(s, c->stop.signal);
                arm_timer(s, c->stop.timeout);
        }
        if (act & ACT_ARM_STOP)
                arm_timer(s, c->stop.timeout); /* SIGKILL if it does not finish */
        if (act & ACT_SIGNAL_KILL) {
                log_warn("%s: did not stop within its timeout, sending SIGKILL", c->name);
                kill_group(s, SIGKILL);
                if (s->cg_path)
                        cgroup_kill(s); /* and everything that left the process group */
                s->kill_sent = true;
                arm_timer(s, SVC_KILL_WAIT); /* the next SE_TIMER gives up on it */
        }
        if (act & ACT_SPAWN) {
                str_clear(&s->reason);
                bool transient = false;
                if (do_spawn(s, creds_written, &transient) < 0) {
                        log_err("%s: %s", c->name, s->reason);
                        svc_dispatch(s, SE_SPAWN_FAILED, transient);
                } else {
                        health_on_spawn(s);
                        svc_dispatch(s, SE_SPAWNED, 0);
                }
        }
        if (ev == SE_EXIT && s->restart_after_stop &&
            (next == ST_STOPPED || (next == ST_FAILED && prev == ST_STOPPING && !s->stop_after_followers))) {
                /* failed: svd stopped it for a failed check (no restart by
                 * its policy) while a start pulled it in, which starts a
                 * failed dependency again (sched_pull_in) */
                s->restart_after_stop = false;
                svc_dispatch(s, SE_START, 0);
        } else if (ev == SE_EXIT && !s->stop_after_followers)
                /* (not left to fire at a later run's exit; a restart still
                 * waiting for the followers to stop is svd_stop_after_followers') */
                s->restart_after_stop = false;
}

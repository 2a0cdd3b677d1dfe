/* svd: the manager. Builds the runtime services from a config generation,
 * owns the loop watchers (signals, children) and turns operator requests into
 * service events. Everything is driven from the libev loop; nothing blocks. */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "control.h"
#include "events.h"
#include "graph.h"
#include "mainpid.h"
#include "metrics.h"
#include "log.h"
#include "logpipe.h"
#include "notify.h"
#include "orphanstop.h"
#include "prober.h"
#include "profile.h"
#include "cgroup.h"
#include "gate.h"
#include "init.h"
#include "fdstore.h"
#include "reexec.h"
#include "statefile.h"
#include "statejournal.h"
#include "statereserve.h"
#include "reload.h"
#include "prewarm.h"
#include "sched.h"
#include "secrets.h"
#include "secrets_prompt.h"
#include "svd.h"
#include "timer.h"
#include "watchdog_self.h"

struct svc *svd_find(struct svd *m, const char *name) {
        ssize_t i = config_svc_index(m->cfg, name);
        return i < 0 ? NULL : m->svcs[i];
}

static struct svc *find_by_pid(struct svd *m, pid_t pid) {
        for (size_t i = 0; i < m->n_svcs; i++)
                if (m->svcs[i]->pid == pid)
                        return m->svcs[i];
        return NULL;
}

void svd_child_exited(struct svd *m, pid_t pid, int st) {
        /* libev also reports stops and continues; only an end is an exit. */
        if (!WIFEXITED(st) && !WIFSIGNALED(st))
                return;
        struct svc *s = find_by_pid(m, pid);
        if (s) {
                statejournal_note_exit(s, pid, st); /* before anything acts on it */
                svc_main_exited(s, st);
        }
        else if (!prober_child_exited(m, pid, st) && !logs_child_exited(m, pid, st) &&
                 !secrets_prompt_child_exited(m, pid, st) && !reexec_child_exited(m, pid, st)) {
                for (size_t i = 0; i < m->n_svcs; i++)
                        if (health_child_exited(m->svcs[i], pid, st))
                                break;
                /* else: an orphan we adopted as subreaper: reaped, nothing else */
        }
        /* (after its own exit: a leader that was the main process took its
         * group's leftovers with it just now) */
        mainpid_leader_reaped(m, pid);
        sched_run(m);
}

static void child_cb(struct ev_loop *loop, ev_child *w, int revents) {
        struct svd *m = w->data;
        /* what a main process sent before its end counts first (notify.h) */
        if ((WIFEXITED(w->rstatus) || WIFSIGNALED(w->rstatus)) && find_by_pid(m, w->rpid))
                notify_drain(m->notify);
        svd_child_exited(m, w->rpid, w->rstatus);
}

static void mem_timer_cb(struct ev_loop *loop, ev_timer *w, int revents) {
        struct svd *m = w->data;
        bool waiting = false, all = m->recheck_waiting;
        m->recheck_waiting = false;
        for (size_t i = 0; i < m->n_svcs; i++) {
                struct svc *s = m->svcs[i];
                bool gated = gate_configured(&s->cfg->start_when);
                if (s->state != ST_WAITING || (!gated && !all) || m->shutting_down || !sched_deps_met(m, s))
                        continue;
                svc_dispatch(s, SE_DEPS_MET, 0);
                if (s->state == ST_WAITING && gated)
                        waiting = true;
        }
        if (!waiting)
                ev_timer_stop(loop, w);
        sched_run(m);
}

void svd_gate_wait(struct svd *m) {
        if (!ev_is_active(&m->mem_timer))
                ev_timer_again(m->loop, &m->mem_timer);
}

void svd_recheck_waiting(struct svd *m) {
        /* the previous instance's timer did not survive the exec: at once,
         * then every second while a gate holds a service */
        m->recheck_waiting = true;
        ev_timer_stop(m->loop, &m->mem_timer);
        ev_timer_set(&m->mem_timer, 0., 1.);
        ev_timer_start(m->loop, &m->mem_timer);
}

static void facts_cb(struct ev_loop *loop, ev_prepare *w, int revents) {
        ev_prepare_stop(loop, w);
        statefile_write_now(w->data);
}

void svd_write_state_soon(struct svd *m) {
        if (!ev_is_active(&m->facts_prepare))
                ev_prepare_start(m->loop, &m->facts_prepare);
}

bool svd_state_write_due(const struct svd *m) {
        return ev_is_active(&m->facts_prepare);
}

/* As an init: SIGINT is Ctrl-Alt-Del (ctrl_alt_del:, default reboot),
 * SIGTERM, SIGUSR2 and SIGPWR power off (SIGPWR: a UPS daemon's power
 * failure, LXC's lxc-stop). Otherwise SIGINT/SIGTERM/SIGUSR2/SIGPWR stop
 * every service and svd exits. */
static void term_cb(struct ev_loop *loop, ev_signal *w, int revents) {
        struct svd *m = w->data;
        int action = SHUTDOWN_EXIT;
        if (init_is_pid1()) {
                if (w->signum == SIGINT) {
                        action = m->cfg->ctrl_alt_del;
                        if (action == SHUTDOWN_EXIT) {
                                log_info("Ctrl-Alt-Del ignored (ctrl_alt_del: ignore)");
                                return;
                        }
                } else
                        action = SHUTDOWN_POWEROFF;
        }
        log_info("received %s, stopping all services%s%s", signal_name(w->signum),
                 action != SHUTDOWN_EXIT ? ", then " : "", action != SHUTDOWN_EXIT ? shutdown_action_name(action) : "");
        svd_shutdown_for(m, action);
}

void svd_shutdown_for(struct svd *m, int action) {
        /* The first request decides what follows the stop: a later signal
         * or svctl request cannot turn a reboot into a poweroff (or back)
         * halfway through; it is logged and ignored. */
        if (!m->shutting_down)
                m->shutdown_action = action;
        else if (action != m->shutdown_action) {
                log_warn("shutdown: already stopping to %s; the %s request is ignored",
                         shutdown_action_name(m->shutdown_action), shutdown_action_name(action));
                return;
        }
        init_notify("STOPPING=1");
        svd_shutdown(m);
}

static bool settled(const struct svc *s) {
        switch (s->state) {
        case ST_RUNNING:
        case ST_RELOADING:
                return s->health == HEALTH_NONE || s->health == HEALTH_HEALTHY;
        case ST_EXITED:
        case ST_FAILED:
        case ST_STOPPED:
                return true;
        default:
                return false;
        }
}

/* ready_timeout passed before every service settled: a supervisor that
 * waits for READY=1 (systemd's Type=notify, 90 s by default) would kill
 * svd and the whole stack for one service that crash-loops, waits on a
 * gate or never turns healthy. It is told svd is ready, and which are not. */
static void ready_cb(struct ev_loop *loop, ev_timer *w, int revents) {
        struct svd *m = w->data;
        if (m->ready_done || m->shutting_down)
                return;
        char list[480], db[32];
        size_t off = 0;
        unsigned n = 0;
        for (size_t i = 0; i < m->n_svcs; i++) {
                const struct svc *s = m->svcs[i];
                if (settled(s))
                        continue;
                n++;
                if (off < sizeof(list) - 100)
                        off += (size_t)snprintf(list + off, sizeof(list) - off, "%s%s (%s)", n > 1 ? ", " : "",
                                                s->cfg->name,
                                                s->state == ST_RUNNING ? svc_health_name(s->health)
                                                                       : svc_state_name(s->state));
                else if (off < sizeof(list) - 5)
                        off += (size_t)snprintf(list + off, sizeof(list) - off, ", ...");
        }
        format_duration(m->cfg->ready_timeout, db, sizeof(db));
        log_warn("boot: not settled after %s, %u service%s not up: %s; telling svd's supervisor it is ready", db, n,
                 n == 1 ? "" : "s", list);
        char msg[600];
        snprintf(msg, sizeof(msg), "READY=1\nSTATUS=not settled after %s: %s", db, list);
        init_notify(msg);
        m->ready_sent = true;
}

void svd_ready_timeout_changed(struct svd *m) {
        if (m->ready_done || m->ready_sent || m->shutting_down || init_is_pid1())
                return;
        ev_timer_stop(m->loop, &m->ready_timer);
        char db[32];
        format_duration(m->cfg->ready_timeout, db, sizeof(db));
        if (!m->cfg->ready_timeout) {
                log_info("reload: ready_timeout 0: READY=1 once every service has settled");
                return;
        }
        usec_t now = now_mono(), due = m->ready_from_mono + m->cfg->ready_timeout;
        log_info("reload: ready_timeout %s: READY=1 at the latest %s", db,
                 due > now ? "that long after svd's start" : "now (svd started longer ago)");
        ev_timer_set(&m->ready_timer, due > now ? (double)(due - now) / 1e6 : 0., 0.);
        ev_timer_start(m->loop, &m->ready_timer);
}

/* Every service settled: this process tells its supervisor (READY=1
 * unless ready_timeout said it already), once. A svd started again after
 * a kill is a new process systemd waits for, though its state says the
 * boot settled long ago. */
static void tell_settled(struct svd *m) {
        if (m->ready_done)
                return;
        m->ready_done = true;
        ev_timer_stop(m->loop, &m->ready_timer);
        init_notify(m->ready_sent ? "STATUS=all services settled" : "READY=1\nSTATUS=all services settled");
        m->ready_sent = true;
}

void svd_check_boot(struct svd *m) {
        if ((m->boot_done_mono && m->ready_done) || m->shutting_down)
                return;
        usec_t now = now_mono();
        bool all = true;
        for (size_t i = 0; i < m->n_svcs; i++)
                if (!settled(m->svcs[i])) /* up_mono: noted by svc.c as it happens */
                        all = false;
        if (!all)
                return;
        if (m->boot_done_mono) { /* (the boot a restored state had) */
                tell_settled(m);
                return;
        }
        m->boot_done_mono = now;
        /* svd's own work during the boot, apart from waiting for children
         * to exec and for the scheduler: a busy or emulated machine stretches
         * the wall-clock figures, not this one */
        struct rusage ru;
        if (getrusage(RUSAGE_SELF, &ru) == 0) {
                usec_t sys = (usec_t)ru.ru_stime.tv_sec * USEC_PER_SEC + (usec_t)ru.ru_stime.tv_usec;
                usec_t total = (usec_t)ru.ru_utime.tv_sec * USEC_PER_SEC + (usec_t)ru.ru_utime.tv_usec + sys;
                /* minus what the process had used before main(): an execve
                 * keeps the counters, and PID 1's include the kernel's whole
                 * boot (kernel_init, the initramfs) */
                m->boot_cpu_sys_usec = sys > m->main_cpu_sys_usec ? sys - m->main_cpu_sys_usec : 0;
                m->boot_cpu_usec = total > m->main_cpu_usec ? total - m->main_cpu_usec : 0;
        }
        char line[4096], db[32];
        size_t off = 0;
        for (size_t i = 0; i < m->n_svcs && off < sizeof(line) - 80; i++) {
                const struct svc *s = m->svcs[i];
                if (s->up_mono)
                        off += (size_t)snprintf(line + off, sizeof(line) - off, " %s=%s", s->cfg->name,
                                                format_duration(s->up_mono - m->boot_mono, db, sizeof(db)));
                else if (s->state == ST_FAILED)
                        off += (size_t)snprintf(line + off, sizeof(line) - off, " %s=failed", s->cfg->name);
        }
        log_info("boot: settled in %s:%s", format_duration(now - m->boot_mono, db, sizeof(db)), off ? line : " (no services)");
        tell_settled(m);
        /* The boot's bursts (every service spawned, every first probe in
         * flight at once) left freed chunks all over the heap: give their
         * pages back once, now that the steady state begins. */
        init_early_release();
        malloc_trim(0);
}

static void usr1_cb(struct ev_loop *loop, ev_signal *w, int revents) {
        struct svd *m = w->data;
        int failed = logs_reopen_all(m);
        log_info("SIGUSR1: reopened service log files%s", failed ? " (some failed; retried at the next write)" : "");
}

static void hup_cb(struct ev_loop *loop, ev_signal *w, int revents) {
        reload_from_signal(w->data);
}

int svd_inherited_fd(struct svd *m, const char *what) {
        if (m->adopting)
                return -1; /* a dead process's fd numbers mean nothing here */
        const cJSON *fds = cJSON_GetObjectItemCaseSensitive(m->restore, "fds");
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(fds, what);
        if (!cJSON_IsNumber(v) || v->valuedouble < 3 || v->valuedouble >= 1 << 20)
                return -1;
        int fd = (int)v->valuedouble;
        if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
                return -1;
        return fd;
}

int svd_init(struct svd *m, struct ev_loop *loop, struct svd_config *cfg, struct cJSON *restore) {
        int r;
        memset(m, 0, sizeof(*m));
        m->restore = restore;
        m->adopting = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(restore, "adopt"));
        m->loop = loop;
        m->cfg = cfg;
        m->devnull_fd = -1;
        m->n_svcs = cfg->n_svcs;
        m->boot_mono = now_mono();
        m->boot_real = now_real();

        if (getpid() != 1 && prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
                return -errno;

        const char *dirs[] = {cfg->run_dir, cfg->log_dir, cfg->state_dir};
        for (size_t i = 0; i < ELEMENTSOF(dirs); i++)
                if (dirs[i] && (r = mkdir_p(dirs[i], 0755)) < 0) {
                        log_err("cannot create %s: %s", dirs[i], strerror(-r));
                        return r;
                }

        m->devnull_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (m->devnull_fd < 0)
                return -errno;

        m->svcs = calloc(m->n_svcs ? m->n_svcs : 1, sizeof(struct svc *));
        m->wave_of = calloc(m->n_svcs ? m->n_svcs : 1, sizeof(unsigned));
        if (!m->svcs || !m->wave_of)
                return -ENOMEM;
        for (size_t i = 0; i < m->n_svcs; i++)
                if (!(m->svcs[i] = svc_new(m, &cfg->svcs[i], i)))
                        return -ENOMEM;
        r = graph_waves(cfg, m->wave_of);
        if (r < 0)
                return r;
        m->n_waves = (unsigned)r;

        if ((r = sched_init(m)) < 0)
                return r;
        if ((r = timers_init(m)) < 0)
                return r;
        if ((r = logs_init(m)) < 0)
                return r;

        char why[300];
        r = cgroup_init(m, why, sizeof(why));
        bool required = cfg->cgroups == CGROUPS_REQUIRED || (cfg->cgroups == CGROUPS_AUTO && getpid() == 1);
        if (r == -ENODEV && required) {
                log_err("cgroups are required (cgroups: %s) but unavailable: %s",
                        cfg->cgroups == CGROUPS_AUTO ? "auto, as PID 1" : "required", why);
                return r;
        } else if (r == -ENODEV)
                log_warn("cgroups unavailable, services run without resource limits: %s", why);
        else if (r < 0) {
                log_err("cgroup setup failed: %s", r == -EINVAL ? why : strerror(-r));
                return r;
        }

        ev_signal_init(&m->sig_term, term_cb, SIGTERM);
        ev_signal_init(&m->sig_int, term_cb, SIGINT);
        ev_signal_init(&m->sig_hup, hup_cb, SIGHUP);
        m->sig_term.data = m->sig_int.data = m->sig_hup.data = m;
        ev_signal_start(loop, &m->sig_term);
        ev_signal_start(loop, &m->sig_int);
        ev_signal_start(loop, &m->sig_hup);
        ev_signal_init(&m->sig_usr2, term_cb, SIGUSR2);
        m->sig_usr2.data = m;
        ev_signal_start(loop, &m->sig_usr2);
        /* without a handler the kernel drops it (PID 1) or it kills svd */
        ev_signal_init(&m->sig_pwr, term_cb, SIGPWR);
        m->sig_pwr.data = m;
        ev_signal_start(loop, &m->sig_pwr);
        ev_signal_init(&m->sig_usr1, usr1_cb, SIGUSR1);
        m->sig_usr1.data = m;
        ev_signal_start(loop, &m->sig_usr1);
        watchdog_self_start(m);
        /* A service writing to a closed pipe must not take svd down. */
        signal(SIGPIPE, SIG_IGN);
        /* Handlers in place (SIGCHLD's since ev_default_loop): after a
         * daemon-reexec, what arrived during the exec is delivered now. */
        reexec_unblock_signals();

        /* First: a control socket that another svd answers on means that
         * svd runs, and this one must not touch its state file, journal or
         * pipe store on the way out. */
        r = control_open(m, &m->ctl);
        if (r < 0) {
                log_err("control socket %s: %s", cfg->control_socket, strerror(-r));
                return r;
        }
        statefile_init(m);
        ev_prepare_init(&m->facts_prepare, facts_cb);
        m->facts_prepare.data = m;
        if (getpid() != 1)
                fdstore_open(m);
        ev_init(&m->reexec_timer, reexec_cb);
        m->reexec_timer.data = m;
        ev_init(&m->reload_timer, reload_swap_cb);
        m->reload_timer.data = m;
        ev_init(&m->mem_timer, mem_timer_cb);
        m->mem_timer.repeat = 1.;
        m->mem_timer.data = m;
        ev_init(&m->ready_timer, ready_cb);
        m->ready_timer.data = m;
        /* (counted from this process's start: a supervisor that restarted
         * svd waits for this one's READY=1) */
        const char *ns = getenv("NOTIFY_SOCKET");
        m->ready_done = !ns || !*ns; /* (no one to tell) */
        m->ready_from_mono = now_mono();
        if (!m->ready_done && cfg->ready_timeout && !init_is_pid1()) {
                ev_timer_set(&m->ready_timer, (double)cfg->ready_timeout / 1e6, 0.);
                ev_timer_start(loop, &m->ready_timer);
        }

        ev_child_init(&m->child, child_cb, 0, 0);
        m->child.data = m;
        ev_child_start(loop, &m->child);

        r = notify_open(m, &m->notify);
        if (r < 0) {
                log_err("notify socket in %s: %s", cfg->run_dir, strerror(-r));
                return r;
        }
        /* a store that cannot be read is logged and fails only its consumers */
        if ((r = secrets_init(m)) < 0)
                return r;
        return metrics_start(m);
}

/* The longest chain of dependents below each service (0: none), computed
 * last wave first: every dependent sits in a later wave. */
static void chain_heights(struct svd *m, unsigned *h) {
        for (unsigned w = m->n_waves; w-- > 0;)
                for (size_t i = 0; i < m->n_svcs; i++) {
                        if (m->wave_of[i] != w)
                                continue;
                        h[i] = 0;
                        for (size_t r = 0; r < m->svcs[i]->n_rdeps; r++)
                                if (h[m->svcs[i]->rdeps[r]] + 1 > h[i])
                                        h[i] = h[m->svcs[i]->rdeps[r]] + 1;
                }
}

void svd_boot(struct svd *m) {
        /* Wave order keeps the log readable; correctness does not depend on it
         * since a service whose dependencies are not met just waits. Within a
         * wave, the longest chain of dependents goes first: spawns happen one
         * after another, and a chain (init job -> database -> app) should not
         * wait behind the spawn of a service nothing, or less, waits for. */
        unsigned *h = calloc(m->n_svcs ? m->n_svcs : 1, sizeof(unsigned));
        unsigned max_h = 0;
        if (h) {
                chain_heights(m, h);
                for (size_t i = 0; i < m->n_svcs; i++)
                        max_h = h[i] > max_h ? h[i] : max_h;
        }
        for (unsigned w = 0; w < m->n_waves; w++)
                for (unsigned want = max_h + 1; want-- > 0;)
                        for (size_t i = 0; i < m->n_svcs; i++) {
                                struct svc *s = m->svcs[i];
                                if (m->wave_of[i] != w || (h && h[i] != want) || !s->cfg->enabled ||
                                    s->state != ST_STOPPED ||
                                    timer_scheduled(s)) /* a scheduled job waits for its timer */
                                        continue;
                                /* one that cannot run here (profiles:, a
                                 * program missing) wants nothing either */
                                if (!profile_blocked(s))
                                        sched_pull_in(m, s);
                                svc_dispatch(s, SE_START, 0);
                        }
        free(h);
        timers_boot(m);
        sched_run(m);
        prewarm_start(m);
        secrets_prompt_start(m);
}

void svd_shutdown(struct svd *m) {
        if (!m->shutting_down) {
                m->shutting_down = true;
                reload_abort(m);
                reexec_cancel(m);
                secrets_prompt_stop(m);
                timers_stop(m);
                for (size_t i = 0; i < m->n_svcs; i++)
                        m->svcs[i]->restart_after_stop = m->svcs[i]->stop_after_followers = false;
                m->stop_after_pending = 0; /* the shutdown orders every stop */
        }
        sched_run(m);
}

/* Whether d follows s: depends_on.s.restart. */
static bool follows(const struct svc *d, const struct svc *s) {
        for (size_t i = 0; i < d->cfg->n_deps; i++)
                if (d->cfg->deps[i].index == s->index && d->cfg->deps[i].restart)
                        return true;
        return false;
}

/* Whether a dependent following s still runs or is still stopping. */
static bool followers_active(struct svd *m, const struct svc *s) {
        for (size_t r = 0; r < s->n_rdeps; r++) {
                const struct svc *d = m->svcs[s->rdeps[r]];
                if (follows(d, s) && (svc_state_up(d->state) || d->state == ST_STARTING || d->state == ST_STOPPING))
                        return true;
        }
        return false;
}

/* svctl stop or restart of s, or a reload stopping it: the dependents that
 * follow it (they would be restarted because it went down) stop first, as a
 * service stops before what it depends on at shutdown; s stops once they
 * have (the scheduler
 * calls svd_stop_after_followers), and they start again once it is back.
 * The same holds for each follower and its own followers, to the end of
 * the chain (the dependency graph has no cycles): a chain db <- api <- web
 * stops web, then api, then db. False when none runs: s stops now. */
bool svd_stop_followers_first(struct svd *m, struct svc *s) {
        /* (exited: a oneshot run again by svctl restart, svd_request_restart) */
        if (!svc_state_up(s->state) && s->state != ST_STARTING && s->state != ST_EXITED)
                return false;
        for (size_t r = 0; r < s->n_rdeps; r++) {
                struct svc *d = m->svcs[s->rdeps[r]];
                if (!follows(d, s) || !(svc_state_up(d->state) || d->state == ST_STARTING))
                        continue;
                /* held: its own stop is under way (svctl stop, a reload),
                 * waiting for its followers; s waits for it, and it is not
                 * made a restart */
                if (d->held)
                        continue;
                log_info("%s: stopping before %s, which it follows", d->cfg->name, s->cfg->name);
                d->restart_after_stop = true;
                d->stop_requested = true;
                if (!svd_stop_followers_first(m, d))
                        svc_dispatch(d, SE_STOP, 0);
        }
        if (!followers_active(m, s))
                return false;
        if (!s->stop_after_followers) {
                s->stop_after_followers = true;
                m->stop_after_pending++;
        }
        /* an exited oneshot restarted has no process to stop: it runs again */
        svc_set_reason(s, "%s once the services that follow it have stopped",
                       s->state == ST_EXITED && s->restart_after_stop ? "runs again" : "stops");
        return true;
}

void svd_stop_after_followers(struct svd *m) {
        size_t left = 0;
        for (size_t i = 0; i < m->n_svcs; i++) {
                struct svc *s = m->svcs[i];
                if (!s->stop_after_followers)
                        continue;
                if (followers_active(m, s)) {
                        left++;
                        continue;
                }
                s->stop_after_followers = false;
                /* one that has no process to stop (an exited oneshot run
                 * again, or one that ended by itself while its followers
                 * stopped): its restart starts it now, not at an exit */
                bool again = !svc_state_active(s->state) && s->restart_after_stop;
                svc_dispatch(s, SE_STOP, 0);
                if (again && s->state == ST_STOPPED) {
                        s->restart_after_stop = false;
                        if (!profile_blocked(s)) /* (it stays stopped, saying why) */
                                sched_pull_in(m, s);
                        svc_dispatch(s, SE_START, 0);
                }
        }
        m->stop_after_pending = left;
}

/* svctl start s while s waited to stop after its followers: that stop is
 * off, and so are the stops its followers still wait to make for it (down
 * the chain); a follower already stopping or stopped starts again on s. */
static void call_off_stop(struct svd *m, struct svc *s) {
        if (!s->stop_after_followers)
                return;
        s->stop_after_followers = false;
        s->stop_requested = s->restart_after_stop = false;
        svc_set_reason(s, "%s", ""); /* no longer "stops once ..." */
        sched_enqueue(m, s); /* its followers may start again */
        for (size_t r = 0; r < s->n_rdeps; r++) {
                struct svc *d = m->svcs[s->rdeps[r]];
                if (follows(d, s))
                        call_off_stop(m, d);
        }
}

int svd_request_start(struct svd *m, struct svc *s) {
        if (m->shutting_down)
                return -ESHUTDOWN;
        if (reload_leaving(m, s))
                return -EBUSY; /* the reload under way stops it (reload.h) */
        call_off_stop(m, s);
        s->held = false;
        bool blocked = profile_blocked(s);
        if (!blocked) /* (it stays stopped, saying why) */
                sched_pull_in(m, s);
        if (s->state == ST_BACKOFF) {
                /* the operator asked: no more waiting, and a fresh start
                 * (restart count, delay and start limit reset, as after
                 * svctl restart); a dependent's pull-in leaves it waiting */
                char db[32];
                double left = ev_timer_remaining(m->loop, &s->timer);
                if (!blocked) /* (else it is stopped, saying why) */
                        log_info("%s: started now, not after its restart delay (restart %u was due in %s); "
                                 "restart count reset",
                                 s->cfg->name, s->restarts,
                                 format_duration(left > 0 ? (usec_t)(left * 1e6) : 0, db, sizeof(db)));
                svc_dispatch(s, SE_START, 0);
        } else if (s->state == ST_STOPPING)
                /* started once down; asked for, the stop is no failure
                 * (a failed check's would end in failed or backoff) */
                s->restart_after_stop = s->stop_requested = true;
        else
                svc_dispatch(s, SE_START, 0);
        sched_run(m);
        /* not started at all: the caller tells the operator why (s->reason
         * names the profile rule), not "ok" */
        return blocked && (s->state == ST_STOPPED || s->state == ST_EXITED) ? -ENOPKG : 0;
}

int svd_request_stop(struct svd *m, struct svc *s) {
        struct reload_item *it = reload_leaving(m, s);
        if (it) {
                it->start_after = false; /* nor with the new definition */
                it->operator_held = true; /* held with it, as a stop before the reload */
        }
        s->held = true;
        s->stop_requested = true;
        s->restart_after_stop = false;
        if (m->shutting_down || !svd_stop_followers_first(m, s))
                svc_dispatch(s, SE_STOP, 0);
        sched_run(m);
        return 0;
}

int svd_request_restart(struct svd *m, struct svc *s) {
        if (m->shutting_down)
                return -ESHUTDOWN;
        if (reload_leaving(m, s))
                return -EBUSY; /* the reload under way stops it (reload.h) */
        if (svc_state_up(s->state) || s->state == ST_STARTING) {
                /* one that could not start again (its program removed
                 * meanwhile) keeps running: s->reason says why */
                if (profile_blocked(s))
                        return -ENOPKG;
                s->held = false;
                s->stop_requested = true;
                s->restart_after_stop = true;
                if (!svd_stop_followers_first(m, s))
                        svc_dispatch(s, SE_STOP, 0);
                sched_run(m);
                return 0;
        }
        /* Exited (a oneshot's run done): its followers stop before it runs
         * again, and start once it is back, as for one that runs
         * (svd_stop_after_followers starts it); without any running, a
         * start is the restart. */
        if (s->state == ST_EXITED) {
                if (profile_blocked(s)) /* (its followers are not stopped for nothing) */
                        return -ENOPKG;
                s->held = false;
                s->stop_requested = s->restart_after_stop = true;
                if (svd_stop_followers_first(m, s)) {
                        sched_run(m);
                        return 0;
                }
                s->stop_requested = s->restart_after_stop = false;
        }
        return svd_request_start(m, s);
}

void svd_done(struct svd *m) {
        reexec_cancel(m); /* an exit without a shutdown (a fatal error) */
        control_close(m->ctl);
        m->ctl = NULL;
        metrics_stop(m);
        events_done(m);
        notify_close(m->notify);
        m->notify = NULL;
        prober_done(m);
        secrets_done(m);
        cgroup_done(m);
        for (size_t i = 0; m->svcs && i < m->n_svcs; i++) {
                struct svc *s = m->svcs[i];
                if (!s)
                        continue;
                health_done(s);
                svc_unwatch_adopted(s);
                free(s->exe_path);
                s->exe_path = NULL;
                logpipe_free(s->log);
                s->log = NULL;
        }
        if (m->loop) {
                ev_signal_stop(m->loop, &m->sig_term);
                ev_signal_stop(m->loop, &m->sig_int);
                ev_signal_stop(m->loop, &m->sig_hup);
                ev_signal_stop(m->loop, &m->sig_usr1);
                ev_signal_stop(m->loop, &m->sig_usr2);
                ev_signal_stop(m->loop, &m->sig_pwr);
                ev_child_stop(m->loop, &m->child);
                ev_timer_stop(m->loop, &m->mem_timer);
                ev_timer_stop(m->loop, &m->ready_timer);
                watchdog_self_stop(m);
                prewarm_stop(m);
                ev_timer_stop(m->loop, &m->reload_timer);
                ev_timer_stop(m->loop, &m->reexec_timer);
                statefile_stop(m);
                ev_prepare_stop(m->loop, &m->facts_prepare);
                for (size_t i = 0; m->svcs && i < m->n_svcs; i++) /* NULL: svd_init failed early */
                        if (m->svcs[i])
                                ev_timer_stop(m->loop, &m->svcs[i]->timer);
        }
        reload_plan_free(m->reload);
        m->reload = NULL;
        orphanstop_done(m);
        cJSON_Delete(m->restore);
        m->restore = NULL;
        timers_done(m);
        sched_done(m);
        logs_done(m);
        /* svd stops for good: no pipes to keep, no state to take over */
        if (m->cfg && m->shutting_down)
                statefile_remove(m);
        statejournal_close(m, m->cfg && m->shutting_down);
        statereserve_close(m, m->cfg && m->shutting_down);
        fdstore_close(m, m->shutting_down);
        for (size_t i = 0; m->svcs && i < m->n_svcs; i++)
                svc_free(m->svcs[i]);
        free(m->svcs);
        free(m->wave_of);
        if (m->devnull_fd >= 0)
                close(m->devnull_fd);
        m->svcs = NULL;
}

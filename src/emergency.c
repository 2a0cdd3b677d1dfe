/* emergency: see emergency.h. A struct svd without services carries the
 * loop, the config and the control server, so control.c serves the socket
 * exactly as in normal operation (framing, SO_PEERCRED, limits, audit log);
 * only the operations differ (emergency_op). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ev.h>

#include "cgroup.h"
#include "control.h"
#include "emergency.h"
#include "emergency_int.h"
#include "init.h"
#include "log.h"
#include "log_watch.h"
#include "nofile.h"
#include "reexec.h"
#include "sigdfl.h"
#include "svd.h"

/* Seconds before restarting a shell that ended within a second, doubled at
 * each such end in a row up to SHELL_RETRY_MAX: one that cannot start at all
 * (a wrong path, a missing library) must not scroll the emergency's cause
 * off the console with two lines every 5 s. */
#define SHELL_RETRY 5.
#define SHELL_RETRY_MAX 300.

/* fork(), not the service spawn path: this is PID 1's last resort, it runs
 * rarely and must work without anything the manager would set up. It starts
 * as a service would: every signal's disposition the default (sigdfl.h: 32
 * and 33 too), then an empty mask, and the services' limit on open files
 * instead of svd's raised one (nofile.h). cg_procs (-1: none) is its
 * cgroup's cgroup.procs: the child moves itself there before the exec, so
 * that nothing the shell starts is ever outside it. */
static pid_t shell_fork(const char *shell, int cg_procs)
{
        static const char no_cg[] = "svd: the emergency shell cannot join its cgroup: what it starts in "
                                    "another session may outlive the emergency state\n";
        pid_t pid = fork();
        if (pid != 0)
                return pid;
        sigdfl_all();
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        const struct rlimit *nofile = nofile_services();
        if (nofile)
                (void)setrlimit(RLIMIT_NOFILE, nofile); /* a shell with svd's own is better than none */
        setsid();
        int fd = open("/dev/console", O_RDWR | O_NOCTTY);
        if (fd >= 0) {
                (void)ioctl(fd, TIOCSCTTY, 1);
                dup2(fd, 0);
                dup2(fd, 1);
                dup2(fd, 2);
                if (fd > 2)
                        close(fd);
        }
        if (cg_procs >= 0 && write(cg_procs, "0", 1) < 0) /* (only system calls after a fork) */
                (void)!write(2, no_cg, sizeof(no_cg) - 1);
        if (chdir("/") < 0)
                _exit(127);
        char *const argv[] = {(char *)shell, NULL};
        char *const envp[] = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/",
                              "TERM=linux", NULL};
        execve(shell, argv, envp);
        _exit(127);
}

/* The shell's cgroup's cgroup.procs, opened O_CLOEXEC; -1 without one
 * (said once). */
static int shell_cgroup(struct emergency *e, const char *cgroup_root)
{
        if (!e->shell_cg && !e->shell_cg_tried) {
                char why[256];
                e->shell_cg_tried = true;
                if (cgroup_shell_prepare(cgroup_root ? cgroup_root : "svd", &e->shell_cg, why,
                                         sizeof(why)) == 0)
                        log_info("emergency: the shell runs in the cgroup %s: leaving the emergency state "
                                 "ends every process started from it",
                                 e->shell_cg);
                else
                        log_warn("emergency: %s: leaving the emergency state ends only the shell's "
                                 "process group",
                                 why);
        }
        if (!e->shell_cg)
                return -1;
        char path[PATH_MAX];
        snprintf(path, sizeof(path), "%s/cgroup.procs", e->shell_cg);
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                log_warn("emergency: opening %s: %s; the shell starts outside its cgroup", path,
                         strerror(errno));
        return fd;
}

static void shell_start(struct emergency *e) {
        int cg_procs = shell_cgroup(e, e->cgroup_root);
        pid_t pid = shell_fork(e->shell, cg_procs);
        if (cg_procs >= 0)
                close(cg_procs);
        if (pid < 0) {
                log_err("emergency: cannot start the shell %s: %s", e->shell, strerror(errno));
                return;
        }
        e->shell_pid = pid;
        e->shell_started_mono = now_mono();
        e->shell_starts++;
        log_info("emergency: shell %s started on the console (pid %d)", e->shell, (int)pid);
}

static void shell_timer_cb(struct ev_loop *loop, ev_timer *w, int revents) {
        shell_start(w->data);
}

/* Every child is reaped here (libev waits for any pid); the shell's end
 * starts it again, a carried service's is kept for the next instance. */
static void child_cb(struct ev_loop *loop, ev_child *w, int revents) {
        struct emergency *e = w->data;
        if (!WIFEXITED(w->rstatus) && !WIFSIGNALED(w->rstatus))
                return;
        emergency_reaped(e, w->rpid, w->rstatus);
        if (!e->shell_pid || w->rpid != e->shell_pid)
                return;
        char how[64];
        bool quick = now_mono() - e->shell_started_mono < USEC_PER_SEC;
        double delay = 0.;
        e->shell_pid = 0;
        if (!quick)
                e->shell_quick = 0;
        else {
                delay = SHELL_RETRY;
                for (unsigned i = 0; i < e->shell_quick && delay < SHELL_RETRY_MAX; i++)
                        delay *= 2;
                if (delay > SHELL_RETRY_MAX)
                        delay = SHELL_RETRY_MAX;
                e->shell_quick++;
        }
        if (quick)
                log_warn("emergency: shell %s ended (%s); starting it again in %.0fs", e->shell,
                         svc_format_exit(w->rstatus, how, sizeof(how)), delay);
        else
                log_warn("emergency: shell %s ended (%s); starting it again", e->shell,
                         svc_format_exit(w->rstatus, how, sizeof(how)));
        ev_timer_set(&e->shell_timer, delay, 0.);
        ev_timer_start(loop, &e->shell_timer);
}

static void power(struct svd *m, int action, const char *why) {
        log_info("emergency: %s: %s", why, shutdown_action_name(action));
        m->shutdown_action = action;
        ev_break(m->loop, EVBREAK_ALL);
}

static void signal_cb(struct ev_loop *loop, ev_signal *w, int revents) {
        struct svd *m = w->data;
        int action = SHUTDOWN_POWEROFF;
        if (w->signum == SIGHUP) {
                emergency_reload_signal(m);
                return;
        }
        if (w->signum == SIGINT && (action = m->cfg->ctrl_alt_del) == SHUTDOWN_EXIT) {
                log_info("emergency: Ctrl-Alt-Del ignored (ctrl_alt_del: ignore)");
                return;
        }
        power(m, action, signal_name(w->signum));
}

cJSON *emergency_op(struct svd *m, enum proto_op op, const cJSON *req, const struct control_peer *peer) {
        struct emergency *e = m->emergency;
        const char *opn = proto_op_name(op);
        cJSON *r;
        switch (op) {
        case OP_STATUS:
                r = proto_reply_ok();
                cJSON_AddArrayToObject(r, "services");
                cJSON_AddNumberToObject(r, "now", (double)now_real() / 1e6);
                cJSON *o = cJSON_AddObjectToObject(r, "emergency");
                cJSON_AddStringToObject(o, "reason", e->reason ? e->reason : "out of memory");
                cJSON_AddNumberToObject(o, "since", (double)e->since_real / 1e6);
                cJSON *d = cJSON_AddArrayToObject(o, "details");
                for (char **p = e->details; p && *p; p++)
                        cJSON_AddItemToArray(d, cJSON_CreateString(*p));
                if (e->shell)
                        cJSON_AddStringToObject(o, "shell", e->shell);
                else
                        cJSON_AddNullToObject(o, "shell");
                if (e->shell_pid > 0)
                        cJSON_AddNumberToObject(o, "shell_pid", e->shell_pid);
                else
                        cJSON_AddNullToObject(o, "shell_pid");
                cJSON *c = cJSON_AddArrayToObject(o, "carried");
                for (size_t i = 0; c && i < e->n_carried; i++) {
                        cJSON *it = e->carried[i].pid > 0 ? cJSON_CreateObject() : NULL;
                        if (!it)
                                continue;
                        cJSON_AddStringToObject(it, "name", e->carried[i].name);
                        cJSON_AddNumberToObject(it, "pid", e->carried[i].pid);
                        cJSON_AddItemToArray(c, it);
                }
                cJSON_AddBoolToObject(o, "reload", !e->rec.restore_lost);
                return r;
        case OP_RELOAD:
                return emergency_reload_op(m, req, peer);
        case OP_POWEROFF:
        case OP_REBOOT:
        case OP_HALT:
                if (!peer->admin) {
                        log_warn("control: refused %s from uid %u pid %d: not an administrator", opn,
                                 (unsigned)peer->uid, (int)peer->pid);
                        return proto_reply_error(PROTO_E_DENIED, "permission denied: %s needs root or the admin group",
                                                 opn);
                }
                char why[96];
                snprintf(why, sizeof(why), "%s from uid %u pid %d", opn, (unsigned)peer->uid, (int)peer->pid);
                power(m, op == OP_REBOOT ? SHUTDOWN_REBOOT : op == OP_HALT ? SHUTDOWN_HALT : SHUTDOWN_POWEROFF, why);
                r = proto_reply_ok();
                cJSON_AddStringToObject(r, "action", opn);
                return r;
        default:
                return proto_reply_error(PROTO_E_FAILED,
                                         "svd is in emergency mode (%s): only status, version, reload, poweroff, "
                                         "reboot and halt are available",
                                         e->reason ? e->reason : "out of memory");
        }
}

void emergency_set_reason(struct emergency *e, const char *reason, char *const *details, size_t n) {
        char *r = strdup(reason);
        if (r) {
                free(e->reason);
                e->reason = r;
                strv_free(e->details);
                e->details = NULL;
        }
        for (size_t i = 0; r && i < n && i < EMERGENCY_MAX_DETAILS; i++)
                (void)strv_push(&e->details, details[i]);
}

void emergency_run(struct svd_config *cfg, const char *reason, char *const *details, size_t n_details,
                   const struct emergency_recovery *rec) {
        log_err("EMERGENCY: %s", reason);
        struct ev_loop *loop = ev_default_loop(EVFLAG_AUTO);
        if (!cfg || !loop) {
                log_err("emergency: %s; only reaping children", !cfg ? "out of memory" : "no event loop");
                init_reap_forever();
        }
        log_watch_attach(loop); /* a stuck console must not stop the reaping */
        /* svd's own limit on open files back to the one it was started with
         * (a daemon-reexec's state names it; a failed start lowered it
         * already), the services' computed from it for the shell: the
         * emergency holds a few descriptors, and the next instance (svctl
         * reload) must find the original */
        nofile_raise(rec ? rec->restore : NULL);
        nofile_lower();
        static struct svd m; /* lives until the machine goes down */
        static struct emergency e;
        m.loop = loop;
        m.cfg = cfg;
        m.devnull_fd = -1;
        m.boot_mono = now_mono();
        m.boot_real = now_real();
        m.shutdown_action = SHUTDOWN_POWEROFF;
        m.emergency = &e;
        emergency_set_reason(&e, reason, details, n_details);
        e.since_real = m.boot_real;
        e.shell = cfg->emergency_shell;
        e.cgroup_root = cfg->cgroup_root;
        if (rec)
                e.rec = *rec;
        /* the control socket a daemon-reexec handed over, if any: clients
         * already waiting on it are answered */
        m.restore = e.rec.restore;
        emergency_carry(&e);

        ev_signal_init(&e.sig_term, signal_cb, SIGTERM);
        ev_signal_init(&e.sig_int, signal_cb, SIGINT);
        ev_signal_init(&e.sig_usr2, signal_cb, SIGUSR2);
        ev_signal_init(&e.sig_pwr, signal_cb, SIGPWR);
        ev_signal_init(&e.sig_hup, signal_cb, SIGHUP);
        e.sig_term.data = e.sig_int.data = e.sig_usr2.data = e.sig_pwr.data = e.sig_hup.data = &m;
        ev_signal_start(loop, &e.sig_term);
        ev_signal_start(loop, &e.sig_int);
        ev_signal_start(loop, &e.sig_usr2);
        ev_signal_start(loop, &e.sig_pwr);
        ev_signal_start(loop, &e.sig_hup);
        signal(SIGPIPE, SIG_IGN);
        ev_child_init(&e.child, child_cb, 0, 0);
        e.child.data = &e;
        ev_child_start(loop, &e.child);
        reexec_unblock_signals(); /* a daemon-reexec's new instance that failed to start */
        ev_init(&e.shell_timer, shell_timer_cb);
        e.shell_timer.data = &e;

        int r = mkdir_p(cfg->run_dir, 0755);
        if (r >= 0)
                r = control_open(&m, &m.ctl);
        if (r < 0)
                log_err("emergency: control socket %s: %s", cfg->control_socket, strerror(-r));
        else
                log_info("emergency: control socket %s: svctl status shows the cause; svctl reload starts "
                         "svd again once it is fixed; svctl poweroff, reboot or halt ends it",
                         cfg->control_socket);
        if (e.shell)
                shell_start(&e);
        ev_run(loop, 0);

        control_close(m.ctl);
        m.ctl = NULL;
        ev_timer_stop(loop, &e.shell_timer);
        log_watch_detach(3000);
        init_finish(m.shutdown_action); /* as PID 1, does not return */
        init_reap_forever();
}

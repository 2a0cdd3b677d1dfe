/* reexec: see reexec.h. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "control.h"
#include "log.h"
#include "log_watch.h"
#include "proto.h"
#include "reexec.h"
#include "reexec_check.h"
#include "reexec_result.h"
#include "secrets.h"
#include "snapshot.h"
#include "svd.h"

char *reexec_binary(void)
{
        char buf[4096];
        ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
        if (n <= 0)
                return NULL;
        buf[n] = 0;
        /* a package upgrade replaced the file we run from: exec the new one */
        size_t l = strlen(buf), d = strlen(" (deleted)");
        if (l > d && strcmp(buf + l - d, " (deleted)") == 0)
                buf[l - d] = 0;
        return strdup(buf);
}

/* A daemon-reexec under way (m->reexec_pending): its request waits for
 * the checks of the new binary, one after the other. */
struct reexec {
        struct reexec_check check;
        struct control_defer *defer;
        char *bin;
        bool key_fd, takes_restart; /* what the binary said it takes over */
};

static void config_done(struct reexec_check *c);

/* Replies (taking reply), stops what still runs and ends the reexec. */
static void finish(struct svd *m, cJSON *reply) {
        struct reexec *x = m->reexec_pending;
        m->reexec_pending = NULL;
        reexec_check_stop(&x->check);
        if (control_defer_gone(x->defer))
                log_warn("daemon-reexec: the client that asked for it went away; %s",
                         ev_is_active(&m->reexec_timer) ? "executing anyway" : "it was refused");
        control_defer_reply(x->defer, reply);
        free(x->bin);
        free(x);
}

/* The first line of the output of --state-format is the state format it
 * reads ("svd-state 1"); 0 if it matches ours, else -EPROTO with why filled
 * in. The lines after the first: what else it takes over. */
static int format_result(struct reexec *x, char *why, size_t wl) {
        char *out = x->check.out;
        for (char *l = strchr(out, '\n'); l && *++l; l = strchr(l, '\n')) {
                if (strncmp(l, REEXEC_CAP_KEY_FD "\n", sizeof(REEXEC_CAP_KEY_FD)) == 0)
                        x->key_fd = true;
                if (strncmp(l, REEXEC_CAP_SECRETS_RESTART "\n", sizeof(REEXEC_CAP_SECRETS_RESTART)) == 0)
                        x->takes_restart = true;
        }
        out[strcspn(out, "\n")] = 0;
        char want[64];
        snprintf(want, sizeof(want), "%s %d", REEXEC_STATE_FORMAT, REEXEC_STATE_VERSION);
        if (strcmp(out, want) == 0)
                return 0;
        snprintf(why, wl, "%s reads state format '%s', this svd writes '%s'", x->bin, out[0] ? out : "(none)",
                 want);
        return -EPROTO;
}

/* The main file by the name the new instance reads it (the -c of svd's
 * command line, kept by config_load as files[0]), not its canonical name:
 * a symbolic link switched since names another file. */
static const char *main_file(const struct svd *m) {
        return m->cfg->files && m->cfg->files[0] ? m->cfg->files[0] : m->cfg->file;
}

/* Starts `bin --check`: whether bin loads the configuration this svd runs
 * from (the main file and the --profile selection). A newer binary may
 * refuse what an older one took, and an instance that cannot load its
 * configuration exits (or, as PID 1, enters the emergency state), leaving
 * every service unsupervised. Bounded: 15 s. */
static int config_start(struct svd *m, struct reexec *x) {
        size_t np = 0;
        while (m->cli_profiles && m->cli_profiles[np])
                np++;
        _cleanup_(freep) char **av = calloc(np * 2 + 5, sizeof(char *));
        if (!av)
                return -ENOMEM;
        size_t k = 0;
        av[k++] = x->bin;
        av[k++] = (char *)"--check";
        av[k++] = (char *)"-c";
        av[k++] = (char *)main_file(m);
        for (size_t i = 0; i < np; i++) {
                av[k++] = (char *)"--profile";
                av[k++] = m->cli_profiles[i];
        }
        return reexec_check_start(m, &x->check, x->bin, av, STDERR_FILENO, sizeof(x->check.out), 15., config_done);
}

static cJSON *refused_format(int r, const char *why) {
        log_err("daemon-reexec refused: %s", r == -EPROTO ? why : strerror(-r));
        return proto_reply_error(PROTO_E_FAILED, "%s; nothing was changed (restart svd instead)",
                                 r == -EPROTO ? why : strerror(-r));
}

static cJSON *refused_config(int r, const char *why) {
        log_err("daemon-reexec refused: %s", r == -EINVAL ? why : strerror(-r));
        return proto_reply_error(PROTO_E_FAILED,
                                 "%s; nothing was changed: fix the configuration (svd --check), "
                                 "then run daemon-reexec again",
                                 r == -EINVAL ? why : strerror(-r));
}

/* `svd --state-format` ended (or was killed at its 5 s bound: what it
 * wrote by then is judged, as "(none)" if nothing). */
static void format_done(struct reexec_check *c) {
        struct svd *m = c->m;
        struct reexec *x = m->reexec_pending;
        char why[2048];
        int r = format_result(x, why, sizeof(why));
        if (r == 0)
                r = config_start(m, x);
        if (r < 0)
                finish(m, r == -EPROTO ? refused_format(r, why) : refused_config(r, why));
}

/* `svd --check` ended, or was killed at its bound: if it loads the
 * configuration, and nothing that began meanwhile forbids it, the exec is
 * scheduled (reexec_cb), after the reply. */
static void config_done(struct reexec_check *c) {
        struct svd *m = c->m;
        struct reexec *x = m->reexec_pending;
        char why[2048]; /* a binary and a file path, and a config error line */
        int st = c->status;
        c->out[strcspn(c->out, "\n")] = 0;
        if (c->timed_out)
                snprintf(why, sizeof(why), "%s --check did not finish in 15 s", x->bin);
        else if (WIFEXITED(st) && WEXITSTATUS(st) != 0)
                snprintf(why, sizeof(why), "%s does not load %s: %s", x->bin, main_file(m),
                         c->out[0] ? c->out : "(no error given)");
        else if (!WIFEXITED(st))
                snprintf(why, sizeof(why), "%s --check was killed by signal %d", x->bin, WTERMSIG(st));
        if (c->timed_out || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
                finish(m, refused_config(-EINVAL, why));
                return;
        }
        /* the loop ran during the checks: what began meanwhile wins */
        if (m->shutting_down) {
                log_warn("daemon-reexec cancelled: svd is shutting down");
                finish(m, proto_reply_error(PROTO_E_FAILED, "svd is shutting down"));
        } else if (secrets_busy(m))
                finish(m, proto_reply_error(PROTO_E_FAILED, "%s; try again when it is done", secrets_busy(m)));
        else if (!x->takes_restart && secrets_restarting(m))
                finish(m, proto_reply_error(PROTO_E_FAILED,
                                            "the consumers of a changed secret are being restarted, and %s does "
                                            "not take that over (an older svd); try again when it is done",
                                            x->bin));
        else {
                log_info("daemon-reexec: %s passed its checks; executing it", x->bin);
                m->reexec_key_fd = x->key_fd;
                ev_timer_set(&m->reexec_timer, 0., 0.);
                ev_timer_start(m->loop, &m->reexec_timer);
                cJSON *rep = proto_reply_ok();
                /* svctl waits for another instance than this one to answer,
                 * or for this attempt's failure (reexec_result.h) */
                unsigned n = reexec_result_accept(&m->reexec_result);
                if (rep) {
                        cJSON_AddStringToObject(rep, "binary", x->bin);
                        cJSON_AddStringToObject(rep, "instance", m->reexec_result.instance);
                        cJSON_AddNumberToObject(rep, "attempt", n);
                }
                finish(m, rep);
        }
}

cJSON *reexec_op(struct svd *m, const cJSON *req, const struct control_peer *peer)
{
        if (!peer->admin) {
                log_warn("control: refused daemon-reexec from uid %u pid %d: not an administrator",
                         (unsigned)peer->uid, (int)peer->pid);
                return proto_reply_error(PROTO_E_DENIED,
                                         "permission denied: daemon-reexec needs root or the admin group");
        }
        if (m->shutting_down)
                return proto_reply_error(PROTO_E_FAILED, "svd is shutting down");
        if (m->reload || reexec_under_way(m))
                return proto_reply_error(PROTO_E_FAILED, "a reload or a re-exec is already under way");
        if (secrets_busy(m))
                return proto_reply_error(PROTO_E_FAILED, "%s; try again when it is done", secrets_busy(m));
        _cleanup_(freep) char *bin = reexec_binary();
        if (!bin || access(bin, X_OK) < 0)
                return proto_reply_error(PROTO_E_FAILED, "cannot find the svd binary to execute (%s)",
                                         bin ? bin : "/proc/self/exe");
        struct reexec *x = calloc(1, sizeof(*x));
        if (!x)
                return refused_format(-ENOMEM, NULL);
        /* Asks the binary which state format it reads. Bounded: 5 s. */
        char *const argv[] = {bin, (char *)"--state-format", NULL};
        int r = reexec_check_start(m, &x->check, bin, argv, STDOUT_FILENO, 128, 5., format_done);
        if (r < 0 || !(x->defer = control_defer(m, req, peer))) {
                if (r >= 0)
                        reexec_check_stop(&x->check);
                free(x);
                return refused_format(r < 0 ? r : -ENOMEM, NULL);
        }
        x->bin = bin;
        bin = NULL;
        m->reexec_pending = x;
        log_info("control: daemon-reexec from uid %u pid %d: checking %s", (unsigned)peer->uid, (int)peer->pid,
                 x->bin);
        return CONTROL_DEFERRED;
}

bool reexec_under_way(const struct svd *m)
{
        return m->reexec_pending || ev_is_active(&m->reexec_timer);
}

bool reexec_child_exited(struct svd *m, pid_t pid, int status)
{
        return m->reexec_pending && reexec_check_exited(&m->reexec_pending->check, pid, status);
}

void reexec_cancel(struct svd *m)
{
        if (!m->reexec_pending)
                return;
        log_warn("daemon-reexec cancelled: svd is shutting down");
        finish(m, proto_reply_error(PROTO_E_FAILED, "svd is shutting down"));
}

static void set_cloexec(const int *fds, bool on)
{
        for (const int *f = fds; f && *f >= 0; f++) {
                int fl = fcntl(*f, F_GETFD);
                if (fl >= 0)
                        fcntl(*f, F_SETFD, on ? fl | FD_CLOEXEC : fl & ~FD_CLOEXEC);
        }
}

char **reexec_argv(char **argv, int fd)
{
        size_t n = 0;
        while (argv && argv[n])
                n++;
        char **v = calloc(n + 3, sizeof(char *));
        size_t k = 0;
        if (!v)
                return NULL;
        for (size_t i = 0; i < n; i++)
                if (strncmp(argv[i], "--restore-fd=", 13) != 0)
                        v[k++] = argv[i];
        if (!k)
                v[k++] = (char *)"svd";
        if (fd >= 0 && !(v[k] = strdup_printf("--restore-fd=%d", fd))) {
                free(v);
                return NULL;
        }
        return v;
}

void reexec_argv_free(char **v)
{
        for (size_t i = 0; v && v[i]; i++)
                if (strncmp(v[i], "--restore-fd=", 13) == 0)
                        free(v[i]);
        free(v);
}

/* What svd handles (ev_signal in svd.c, SIGCHLD for libev's child watchers):
 * the signals that must wait, pending, across the exec. */
static void handled_signals(sigset_t *set)
{
        static const int sigs[] = {SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2, SIGPWR, SIGCHLD};
        sigemptyset(set);
        for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
                sigaddset(set, sigs[i]);
}

void reexec_block_signals(void)
{
        sigset_t set;
        handled_signals(&set);
        sigprocmask(SIG_BLOCK, &set, NULL);
}

void reexec_unblock_signals(void)
{
        sigset_t set;
        handled_signals(&set);
        sigprocmask(SIG_UNBLOCK, &set, NULL);
}

int reexec_execv(const char *bin, char **argv)
{
        sigset_t set, old;
        handled_signals(&set);
        sigprocmask(SIG_BLOCK, &set, &old);
        for (int tries = 0; tries < 40; tries++) { /* a package upgrade may be writing it still */
                execv(bin, argv);
                if (errno != ETXTBSY)
                        break;
                usleep(50000);
        }
        int e = errno;
        sigprocmask(SIG_SETMASK, &old, NULL); /* what arrived meanwhile is delivered to the loop now */
        return e;
}

void reexec_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
        struct svd *m = w->data;
        /* A shutdown that began after the request was accepted (the timer
         * fired a loop iteration later) wins: the new instance would have
         * to start it again, and PID 1 must not lose a poweroff. */
        if (m->shutting_down) {
                log_warn("daemon-reexec cancelled: svd is shutting down");
                reexec_result_failed(&m->reexec_result, "cancelled: svd is shutting down");
                secrets_handoff_close(m);
                return;
        }
        _cleanup_(freep) int *fds = NULL;
        _cleanup_(freep) char *bin = reexec_binary();
        int fd = memfd_create("svd-state", 0); /* inherited on purpose */
        int r = !bin ? -ENOMEM : fd < 0 ? -errno : snapshot_write(m, fd, true, &fds);
        char **argv = r >= 0 ? reexec_argv(m->argv, fd) : NULL;
        if (!argv) {
                log_err("daemon-reexec: cannot write the state: %s; carrying on", strerror(r < 0 ? -r : ENOMEM));
                reexec_result_failed(&m->reexec_result, "cannot write the state: %s; svd carries on as before",
                                     strerror(r < 0 ? -r : ENOMEM));
                if (fd >= 0)
                        close(fd);
                secrets_handoff_close(m);
                return;
        }
        log_info("daemon-reexec: %zu services, executing %s", m->n_svcs, bin);
        log_watch_detach(1000); /* svd's lines still waiting go out first (1 s at most) */
        control_flush_all(m->ctl);
        set_cloexec(fds, false);
        /* libev leaves the handled signals unblocked (it catches them with
         * handlers, which execve resets to the default action): block them,
         * so that one arriving from here on waits, pending, in the mask the
         * new instance inherits until svd_init has its handlers installed
         * and unblocks (reexec_unblock_signals), instead of being lost now
         * or killing the new instance (dropped, as PID 1) before then. */
        int e = reexec_execv(bin, argv);
        set_cloexec(fds, true);
        close(fd);
        secrets_handoff_close(m);
        log_watch_attach(m->loop);
        log_err("daemon-reexec: executing %s failed: %s; carrying on as before", bin, strerror(e));
        reexec_result_failed(&m->reexec_result, "executing %s failed: %s; svd carries on as before", bin,
                             strerror(e));
        reexec_argv_free(argv);
}

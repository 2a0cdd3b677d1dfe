/* reexec: see reexec.h. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
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

/* Runs bin with argv (stdin and the other of stdout/stderr on /dev/null),
 * collecting what it writes to fd (STDOUT_FILENO or STDERR_FILENO) into out
 * (size bytes, NUL-terminated; the rest is read and dropped) until it
 * closes it, or for timeout_s at most. A file just written (an upgrade in
 * progress) can be busy for a moment: ETXTBSY is retried. *ret_status: its
 * wait status; -ETIMEDOUT (it was killed) or another -errno. */
static int run_collect(const char *bin, char *const argv[], int fd, char *out, size_t size, int timeout_s,
                       int *ret_status)
{
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0)
                return -errno;
        pid_t pid = fork();
        if (pid < 0) {
                int e = errno;
                close(p[0]);
                close(p[1]);
                return -e;
        }
        if (pid == 0) {
                int null = open("/dev/null", O_RDWR | O_CLOEXEC);
                if (null >= 0) {
                        dup2(null, STDIN_FILENO);
                        dup2(null, fd == STDOUT_FILENO ? STDERR_FILENO : STDOUT_FILENO);
                }
                dup2(p[1], fd);
                for (int tries = 0; tries < 40; tries++) {
                        execv(bin, argv);
                        if (errno != ETXTBSY)
                                break;
                        usleep(50000);
                }
                dprintf(fd, "(cannot execute %s: %s)\n", bin, strerror(errno));
                _exit(127);
        }
        close(p[1]);
        size_t got = 0;
        bool timed_out = false;
        struct pollfd pf = { .fd = p[0], .events = POLLIN };
        usec_t deadline = now_mono() + (usec_t)timeout_s * USEC_PER_SEC;
        for (;;) {
                usec_t now = now_mono();
                if (now >= deadline) {
                        timed_out = true;
                        break;
                }
                int pr = poll(&pf, 1, (int)((deadline - now) / 1000) + 1);
                if (pr < 0 && errno == EINTR) /* SIGCHLD of a service */
                        continue;
                if (pr <= 0) {
                        timed_out = pr == 0;
                        break;
                }
                char chunk[512];
                ssize_t n = read(p[0], chunk, sizeof(chunk));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        break;
                size_t take = (size_t)n < size - 1 - got ? (size_t)n : size - 1 - got;
                memcpy(out + got, chunk, take);
                got += take;
        }
        close(p[0]);
        out[got] = 0;
        /* its output closed is not its end: one that closed it and goes on
         * (or hangs) is waited for until the same deadline, no longer */
        int st = 0;
        if (timed_out)
                kill(pid, SIGKILL);
        for (;;) {
                pid_t w = waitpid(pid, &st, timed_out ? 0 : WNOHANG);
                if (w == pid || (w < 0 && errno != EINTR))
                        break;
                if (w == 0 && now_mono() >= deadline) {
                        timed_out = true;
                        kill(pid, SIGKILL);
                } else if (w == 0)
                        (void)poll(NULL, 0, 20);
        }
        *ret_status = st;
        return timed_out ? -ETIMEDOUT : 0;
}

/* Asks bin which state format it reads ("svd-state 1"); 0 if it matches ours,
 * else -EPROTO with why filled in. *ret_key_fd, *ret_restart: it also said
 * it takes the secrets key's memfd, the consumers to restart. Bounded: 5 s. */
static int check_format(const char *bin, bool *ret_key_fd, bool *ret_restart, char *why, size_t wl)
{
        char *const argv[] = {(char *)bin, (char *)"--state-format", NULL};
        char out[128];
        int st;
        int r = run_collect(bin, argv, STDOUT_FILENO, out, sizeof(out), 5, &st);
        if (r < 0 && r != -ETIMEDOUT)
                return r;
        /* the lines after the first: what else it takes over */
        *ret_key_fd = *ret_restart = false;
        for (char *l = strchr(out, '\n'); l && *++l; l = strchr(l, '\n')) {
                if (strncmp(l, REEXEC_CAP_KEY_FD "\n", sizeof(REEXEC_CAP_KEY_FD)) == 0)
                        *ret_key_fd = true;
                if (strncmp(l, REEXEC_CAP_SECRETS_RESTART "\n", sizeof(REEXEC_CAP_SECRETS_RESTART)) == 0)
                        *ret_restart = true;
        }
        out[strcspn(out, "\n")] = 0;
        char want[64];
        snprintf(want, sizeof(want), "%s %d", REEXEC_STATE_FORMAT, REEXEC_STATE_VERSION);
        if (strcmp(out, want) == 0)
                return 0;
        snprintf(why, wl, "%s reads state format '%s', this svd writes '%s'", bin, out[0] ? out : "(none)", want);
        return -EPROTO;
}

/* Whether bin loads the configuration this svd runs from (the main file and
 * the --profile selection), as `bin --check` says: a newer binary may refuse
 * what an older one took, and an instance that cannot load its configuration
 * exits (or, as PID 1, enters the emergency state), leaving every service
 * unsupervised. 0 if it loads; else -EINVAL with why filled in (its first
 * error line), or another -errno. Bounded: 15 s. */
static int check_config(struct svd *m, const char *bin, char *why, size_t wl)
{
        size_t np = 0;
        while (m->cli_profiles && m->cli_profiles[np])
                np++;
        _cleanup_(freep) char **av = calloc(np * 2 + 5, sizeof(char *));
        if (!av)
                return -ENOMEM;
        size_t k = 0;
        av[k++] = (char *)bin;
        av[k++] = (char *)"--check";
        av[k++] = (char *)"-c";
        av[k++] = m->cfg->file;
        for (size_t i = 0; i < np; i++) {
                av[k++] = (char *)"--profile";
                av[k++] = m->cli_profiles[i];
        }
        char out[1024];
        int st;
        int r = run_collect(bin, av, STDERR_FILENO, out, sizeof(out), 15, &st);
        out[strcspn(out, "\n")] = 0;
        if (r == -ETIMEDOUT) {
                snprintf(why, wl, "%s --check did not finish in 15 s", bin);
                return -EINVAL;
        }
        if (r < 0)
                return r;
        if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
                return 0;
        if (WIFEXITED(st))
                snprintf(why, wl, "%s does not load %s: %s", bin, m->cfg->file, out[0] ? out : "(no error given)");
        else
                snprintf(why, wl, "%s --check was killed by signal %d", bin, WTERMSIG(st));
        return -EINVAL;
}

cJSON *reexec_op(struct svd *m, const cJSON *req, const struct control_peer *peer)
{
        char why[2048]; /* a binary and a file path, and a config error line */
        if (!peer->admin) {
                log_warn("control: refused daemon-reexec from uid %u pid %d: not an administrator",
                         (unsigned)peer->uid, (int)peer->pid);
                return proto_reply_error(PROTO_E_DENIED,
                                         "permission denied: daemon-reexec needs root or the admin group");
        }
        if (m->shutting_down)
                return proto_reply_error(PROTO_E_FAILED, "svd is shutting down");
        if (m->reload || ev_is_active(&m->reexec_timer))
                return proto_reply_error(PROTO_E_FAILED, "a reload or a re-exec is already under way");
        if (secrets_busy(m))
                return proto_reply_error(PROTO_E_FAILED, "%s; try again when it is done", secrets_busy(m));
        _cleanup_(freep) char *bin = reexec_binary();
        if (!bin || access(bin, X_OK) < 0)
                return proto_reply_error(PROTO_E_FAILED, "cannot find the svd binary to execute (%s)",
                                         bin ? bin : "/proc/self/exe");
        bool takes_restart = false;
        int r = check_format(bin, &m->reexec_key_fd, &takes_restart, why, sizeof(why));
        if (r < 0) {
                log_err("daemon-reexec refused: %s", r == -EPROTO ? why : strerror(-r));
                return proto_reply_error(PROTO_E_FAILED, "%s; nothing was changed (restart svd instead)",
                                         r == -EPROTO ? why : strerror(-r));
        }
        if ((r = check_config(m, bin, why, sizeof(why))) < 0) {
                log_err("daemon-reexec refused: %s", r == -EINVAL ? why : strerror(-r));
                return proto_reply_error(PROTO_E_FAILED,
                                         "%s; nothing was changed: fix the configuration (svd --check), "
                                         "then run daemon-reexec again",
                                         r == -EINVAL ? why : strerror(-r));
        }
        if (!takes_restart && secrets_restarting(m))
                return proto_reply_error(PROTO_E_FAILED,
                                         "the consumers of a changed secret are being restarted, and %s does "
                                         "not take that over (an older svd); try again when it is done",
                                         bin);
        log_info("control: daemon-reexec from uid %u pid %d: executing %s", (unsigned)peer->uid, (int)peer->pid,
                 bin);
        ev_timer_set(&m->reexec_timer, 0., 0.);
        ev_timer_start(m->loop, &m->reexec_timer);
        cJSON *rep = proto_reply_ok();
        if (rep)
                cJSON_AddStringToObject(rep, "binary", bin);
        return rep;
}

static void set_cloexec(const int *fds, bool on)
{
        for (const int *f = fds; f && *f >= 0; f++) {
                int fl = fcntl(*f, F_GETFD);
                if (fl >= 0)
                        fcntl(*f, F_SETFD, on ? fl | FD_CLOEXEC : fl & ~FD_CLOEXEC);
        }
}

/* argv for the new instance: ours without an earlier --restore-fd, plus the new one. */
static char **new_argv(char **argv, int fd)
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
        if (!(v[k] = strdup_printf("--restore-fd=%d", fd))) {
                free(v);
                return NULL;
        }
        return v;
}

/* What svd handles (ev_signal in svd.c, SIGCHLD for libev's child watchers):
 * the signals that must wait, pending, across the exec. */
static void handled_signals(sigset_t *set)
{
        static const int sigs[] = {SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2, SIGCHLD};
        sigemptyset(set);
        for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
                sigaddset(set, sigs[i]);
}

void reexec_unblock_signals(void)
{
        sigset_t set;
        handled_signals(&set);
        sigprocmask(SIG_UNBLOCK, &set, NULL);
}

void reexec_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
        struct svd *m = w->data;
        /* A shutdown that began after the request was accepted (the timer
         * fired a loop iteration later) wins: the new instance would have
         * to start it again, and PID 1 must not lose a poweroff. */
        if (m->shutting_down) {
                log_warn("daemon-reexec cancelled: svd is shutting down");
                secrets_handoff_close(m);
                return;
        }
        _cleanup_(freep) int *fds = NULL;
        _cleanup_(freep) char *bin = reexec_binary();
        int fd = memfd_create("svd-state", 0); /* inherited on purpose */
        int r = !bin ? -ENOMEM : fd < 0 ? -errno : snapshot_write(m, fd, true, &fds);
        char **argv = r >= 0 ? new_argv(m->argv, fd) : NULL;
        if (!argv) {
                log_err("daemon-reexec: cannot write the state: %s; carrying on", strerror(r < 0 ? -r : ENOMEM));
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
        sigset_t block, old;
        handled_signals(&block);
        sigprocmask(SIG_BLOCK, &block, &old);
        for (int tries = 0; tries < 40; tries++) {
                execv(bin, argv);
                if (errno != ETXTBSY)
                        break;
                usleep(50000);
        }
        int e = errno;
        sigprocmask(SIG_SETMASK, &old, NULL); /* what arrived meanwhile is delivered to the loop now */
        set_cloexec(fds, true);
        close(fd);
        secrets_handoff_close(m);
        log_watch_attach(m->loop);
        log_err("daemon-reexec: executing %s failed: %s; carrying on as before", bin, strerror(e));
        for (size_t i = 0; argv[i]; i++)
                if (strncmp(argv[i], "--restore-fd=", 13) == 0)
                        free(argv[i]);
        free(argv);
}

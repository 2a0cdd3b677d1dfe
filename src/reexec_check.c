/* reexec_check: see reexec_check.h. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "reexec_check.h"
#include "svd.h"

static void finish_if_done(struct reexec_check *c) {
        /* its output closed is not its end: one that closed it and goes on
         * (or hangs) is waited for until the same deadline, no longer */
        if (c->fd >= 0 || !c->exited)
                return;
        ev_timer_stop(c->m->loop, &c->deadline);
        c->done(c);
}

static void close_output(struct reexec_check *c) {
        if (c->fd < 0)
                return;
        ev_io_stop(c->m->loop, &c->io);
        close(c->fd);
        c->fd = -1;
}

static void io_cb(struct ev_loop *loop, ev_io *w, int revents) {
        struct reexec_check *c = w->data;
        char chunk[512];
        for (;;) {
                ssize_t n = read(c->fd, chunk, sizeof(chunk));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && errno == EAGAIN)
                        return;
                if (n <= 0)
                        break;
                size_t take = (size_t)n < c->keep - 1 - c->got ? (size_t)n : c->keep - 1 - c->got;
                memcpy(c->out + c->got, chunk, take);
                c->got += take;
                c->out[c->got] = 0;
        }
        close_output(c);
        finish_if_done(c);
}

static void deadline_cb(struct ev_loop *loop, ev_timer *w, int revents) {
        struct reexec_check *c = w->data;
        c->timed_out = true;
        reexec_check_stop(c);
        c->done(c);
}

int reexec_check_start(struct svd *m, struct reexec_check *c, const char *bin, char *const argv[], int fd,
                       size_t keep, double timeout_s, void (*done)(struct reexec_check *)) {
        *c = (struct reexec_check){ .m = m, .fd = -1, .keep = keep, .done = done };
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0)
                return -errno;
        if (fcntl(p[0], F_SETFL, O_NONBLOCK) < 0) {
                int e = errno;
                close(p[0]);
                close(p[1]);
                return -e;
        }
        pid_t pid = fork();
        if (pid < 0) {
                int e = errno;
                close(p[0]);
                close(p[1]);
                return -e;
        }
        if (pid == 0) {
                setpgid(0, 0);
                int null = open("/dev/null", O_RDWR | O_CLOEXEC);
                if (null >= 0) {
                        dup2(null, STDIN_FILENO);
                        dup2(null, fd == STDOUT_FILENO ? STDERR_FILENO : STDOUT_FILENO);
                }
                dup2(p[1], fd);
                /* a file just written (an upgrade in progress) can be busy
                 * for a moment */
                for (int tries = 0; tries < 40; tries++) {
                        execv(bin, argv);
                        if (errno != ETXTBSY)
                                break;
                        usleep(50000);
                }
                dprintf(fd, "(cannot execute %s: %s)\n", bin, strerror(errno));
                _exit(127);
        }
        /* also here: the group must exist before a kill at the deadline */
        (void)setpgid(pid, pid);
        close(p[1]);
        c->pid = c->pgid = pid;
        c->fd = p[0];
        ev_io_init(&c->io, io_cb, c->fd, EV_READ);
        c->io.data = c;
        ev_io_start(m->loop, &c->io);
        ev_timer_init(&c->deadline, deadline_cb, timeout_s, 0.);
        c->deadline.data = c;
        ev_timer_start(m->loop, &c->deadline);
        return 0;
}

void reexec_check_stop(struct reexec_check *c) {
        /* the group lives on while its leader is unreaped or a member
         * holds the output open: only then is its id still its own */
        if (c->pid > 0 || c->fd >= 0)
                kill(-c->pgid, SIGKILL);
        if (c->pid > 0)
                kill(c->pid, SIGKILL); /* in case its setpgid did not happen yet */
        c->pid = 0;
        close_output(c);
        ev_timer_stop(c->m->loop, &c->deadline);
}

bool reexec_check_exited(struct reexec_check *c, pid_t pid, int status) {
        if (!c || c->pid <= 0 || pid != c->pid)
                return false;
        c->pid = 0;
        c->status = status;
        c->exited = true;
        /* what it started may go on writing: it is read until the deadline */
        finish_if_done(c);
        return true;
}

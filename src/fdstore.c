/* fdstore: see fdstore.h. The connection is a blocking SOCK_SEQPACKET
 * socket: every message is small and the store does nothing but read. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "fdstore.h"
#include "log.h"
#include "spawn.h"
#include "svd.h"
#include "util.h"

#define NFD 4
#define FDSTORE_TIMEOUT_SEC 2 /* never hang svd on a wedged store */

struct held {
        char *name;
        int fd[NFD];
};

struct fdstore {
        int fd;
        char *path;
        struct held *left; /* from a previous svd, not yet taken */
        size_t n_left;
        bool own_empty; /* started by this svd, nothing stored in it yet */
};


static int start_store(struct svd *m, const char *path)
{
        _cleanup_(freep) char *bin = svd_helper_path("svd-fdstore");
        int p[2];
        if (!bin || pipe2(p, O_CLOEXEC) < 0)
                return -errno ? -errno : -ENOMEM;
        char *argv[] = { "svd-fdstore", (char *)path, NULL };
        char *envp[] = { NULL };
        struct spawn_req req = {
                .path = bin,
                .argv = argv,
                .envp = envp,
                .cwd = "/",
                .stdin_fd = m->devnull_fd,
                .stdout_fd = p[1],
                .stderr_fd = log_child_stderr(),
                .extra_fd = -1,
                .cgroup_procs_fd = -1,
                .cgroup_fd = -1,
                .svd_nofile = true, /* it holds descriptors for every service */
        };
        struct spawn_error se = { 0 };
        pid_t pid;
        int r = spawn_start(&req, &pid, &se);
        close(p[1]);
        if (r < 0) {
                close(p[0]);
                log_warn("cannot start %s: %s: %s", bin, spawn_stage_name(se.stage), strerror(se.err));
                return r;
        }
        /* its "R" says the socket listens */
        struct pollfd pf = { .fd = p[0], .events = POLLIN };
        char c = 0;
        int pr;
        while ((pr = poll(&pf, 1, 2000)) < 0 && errno == EINTR)
                ;
        if (pr <= 0 || read(p[0], &c, 1) != 1 || c != 'R')
                r = -ETIMEDOUT;
        close(p[0]);
        if (r >= 0)
                log_debug("started %s (pid %d)", bin, (int)pid);
        return r;
}

static void fetch_left(struct fdstore *f)
{
        if (send(f->fd, "L", 1, MSG_NOSIGNAL) != 1)
                return;
        for (;;) {
                char buf[128];
                union {
                        char buf[CMSG_SPACE(sizeof(int) * NFD)];
                        struct cmsghdr align;
                } ctl;
                struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) - 1 };
                struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
                                      .msg_controllen = sizeof(ctl.buf) };
                ssize_t n = recvmsg(f->fd, &msg, MSG_CMSG_CLOEXEC);
                if (n <= 0 || buf[0] == '.')
                        return;
                buf[n] = 0;
                int fds[NFD] = { -1, -1, -1, -1 };
                for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
                        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
                            c->cmsg_len == CMSG_LEN(sizeof(int) * NFD))
                                memcpy(fds, CMSG_DATA(c), sizeof(fds));
                struct held *h = realloc(f->left, (f->n_left + 1) * sizeof(*h));
                if (buf[0] != 'E' || n < 3 || buf[1] != ' ' || fds[NFD - 1] < 0 || !h) { /* "E name" */
                        for (int i = 0; i < NFD; i++)
                                if (fds[i] >= 0)
                                        close(fds[i]);
                        if (h)
                                f->left = h;
                        continue;
                }
                f->left = h;
                h = &f->left[f->n_left];
                if (!(h->name = strdup(buf + 2))) {
                        for (int i = 0; i < NFD; i++)
                                close(fds[i]);
                        continue;
                }
                memcpy(h->fd, fds, sizeof(fds));
                f->n_left++;
        }
}

static bool is_service(const struct svd_config *c, const char *name)
{
        for (size_t i = 0; i < c->n_svcs; i++)
                if (strcmp(c->svcs[i].name, name) == 0)
                        return true;
        return false;
}

/* A store that outlived an svd whose state this one could not read (or
 * had none): nothing takes its pipes over (this svd closed its copies:
 * nothing reads them), and those of a service this configuration does not
 * have, or has but does not start (enabled: false, outside the selected
 * profiles), would be held for ever; a service that starts gets new ones.
 * All go; svd's own keys ('/...') are replaced at their next put. */
static void release_gone(struct svd *m, struct fdstore *f)
{
        fetch_left(f);
        while (f && f->n_left) {
                struct held *h = &f->left[--f->n_left];
                char *name = h->name; /* (h goes with f if the drop fails) */
                for (int k = 0; k < NFD; k++)
                        close(h->fd[k]);
                if (name[0] != '/') {
                        log_info("svd-fdstore: released the output pipes of %s, %s", name,
                                 is_service(m->cfg, name) ? "left by an svd whose state was not read"
                                                          : "not a service here");
                        fdstore_drop(m, name);
                }
                free(name);
                f = m->fdstore; /* a failed send closes it, with the rest */
        }
}

void fdstore_open(struct svd *m)
{
        struct fdstore *f = calloc(1, sizeof(*f));
        if (!f || !(f->path = path_join(m->cfg->run_dir, "fdstore.sock"))) {
                free(f);
                return;
        }
        /* a store already there is the one of the instance this one
         * replaces (daemon-reexec) or of a killed svd: keep using it */
        f->fd = unix_connect(f->path, SOCK_SEQPACKET, FDSTORE_TIMEOUT_SEC);
        if (f->fd < 0)
                f->own_empty = true;
        if (f->fd < 0 && (start_store(m, f->path) < 0 || (f->fd = unix_connect(f->path, SOCK_SEQPACKET, FDSTORE_TIMEOUT_SEC)) < 0)) {
                log_warn("svd-fdstore unavailable: services' output pipes will not outlive a crash of svd");
                free(f->path);
                free(f);
                return;
        }
        m->fdstore = f; /* (before a drop: it sends through m) */
        if (m->adopting)
                fetch_left(f); /* a killed svd's pipes: fdstore_take() */
        else if (!m->restore && !f->own_empty)
                release_gone(m, f);
}

static void send_msg(struct svd *m, const char *text, const int *fds)
{
        struct fdstore *f = m->fdstore;
        if (!f)
                return;
        union {
                char buf[CMSG_SPACE(sizeof(int) * NFD)];
                struct cmsghdr align;
        } ctl;
        struct iovec iov = { .iov_base = (void *)text, .iov_len = strlen(text) };
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
        if (fds) {
                msg.msg_control = ctl.buf;
                msg.msg_controllen = sizeof(ctl.buf);
                struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = CMSG_LEN(sizeof(int) * NFD);
                memcpy(CMSG_DATA(c), fds, sizeof(int) * NFD);
        }
        if (sendmsg(f->fd, &msg, MSG_NOSIGNAL) < 0) {
                log_warn("svd-fdstore: %s; output pipes will not outlive a crash of svd", strerror(errno));
                fdstore_close(m, false);
        }
}

void fdstore_put(struct svd *m, const char *name, const int fds[4])
{
        if (m->fdstore)
                m->fdstore->own_empty = false;
        char text[96];
        snprintf(text, sizeof(text), "S %s", name);
        send_msg(m, text, fds);
}

void fdstore_drop(struct svd *m, const char *name)
{
        char text[96];
        snprintf(text, sizeof(text), "D %s", name);
        send_msg(m, text, NULL);
}

bool fdstore_take(struct svd *m, const char *name, int fds[4])
{
        struct fdstore *f = m->fdstore;
        for (size_t i = 0; f && i < f->n_left; i++)
                if (strcmp(f->left[i].name, name) == 0) {
                        memcpy(fds, f->left[i].fd, sizeof(int) * NFD);
                        free(f->left[i].name);
                        f->left[i] = f->left[--f->n_left];
                        return true;
                }
        return false;
}

void fdstore_forget_unclaimed(struct svd *m)
{
        struct fdstore *f = m->fdstore;
        while (f && f->n_left) {
                struct held *h = &f->left[--f->n_left];
                char *name = h->name; /* (h goes with f if the drop fails) */
                for (int i = 0; i < NFD; i++)
                        close(h->fd[i]);
                fdstore_drop(m, name);
                free(name);
                f = m->fdstore; /* a failed send closes it, with the rest */
        }
}

void fdstore_close(struct svd *m, bool quit)
{
        struct fdstore *f = m->fdstore;
        if (!f)
                return;
        m->fdstore = NULL;
        /* A store this svd started and never used (its start failed
         * later, say) would otherwise wait for an svd that never comes. */
        if (quit || f->own_empty)
                (void)send(f->fd, "Q", 1, MSG_NOSIGNAL);
        close(f->fd);
        for (size_t i = 0; i < f->n_left; i++) {
                for (int k = 0; k < NFD; k++)
                        close(f->left[i].fd[k]);
                free(f->left[i].name);
        }
        free(f->left);
        free(f->path);
        free(f);
}

/* probe_tcp: one heap object per check holding its ev_io, ev_timer and the
 * resolved address list. Addresses are tried in getaddrinfo order until one
 * connects ("localhost" may give ::1 first with the service on 127.0.0.1
 * only); the deadline covers all of them. The object frees itself after
 * reporting, so the caller only ever sees the done callback. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "probe_tcp.h"
#include "util.h"

struct probe_tcp {
        struct ev_loop *loop;
        probe_done_fn done;
        void *userdata;
        struct tcp_check *checks; /* in flight, for probe_tcp_free */
};

struct tcp_check {
        struct probe_tcp *t;
        struct tcp_check *prev, *next;
        ev_io io;
        ev_timer timer;
        struct ev_loop *loop;
        int64_t id;
        unsigned timeout_ms;
        usec_t started;
        struct addrinfo *addrs, *cur;
        int last_errno;
};

static void tcp_check_free(struct tcp_check *c)
{
        if (!c)
                return;
        ev_io_stop(c->loop, &c->io);
        ev_timer_stop(c->loop, &c->timer);
        if (c->io.fd >= 0)
                close(c->io.fd);
        if (c->addrs)
                freeaddrinfo(c->addrs);
        if (c->prev)
                c->prev->next = c->next;
        else if (c->t->checks == c)
                c->t->checks = c->next;
        if (c->next)
                c->next->prev = c->prev;
        free(c);
}

static void finish(struct tcp_check *c, bool ok)
{
        struct probe_result res;
        double ms = (double)(now_mono() - c->started) / 1000.0;

        if (ok)
                probe_result_set(&res, c->id, true, "connected in %.1fms", ms);
        else if (c->last_errno == ETIMEDOUT)
                probe_result_set(&res, c->id, false, "timeout after %ums", c->timeout_ms);
        else
                probe_result_set(&res, c->id, false, "connect: %s", strerror(c->last_errno));
        struct probe_tcp *t = c->t;
        tcp_check_free(c);
        t->done(&res, t->userdata);
}

/* Starts connecting to the next address; false when none is left. */
static bool try_next(struct tcp_check *c)
{
        for (; c->cur; c->cur = c->cur->ai_next) {
                struct addrinfo *a = c->cur;
                int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
                if (fd < 0) {
                        c->last_errno = errno;
                        continue;
                }
                if (connect(fd, a->ai_addr, a->ai_addrlen) < 0 && errno != EINPROGRESS) {
                        c->last_errno = errno;
                        close(fd);
                        continue;
                }
                /* Even an immediate success (loopback can do that) is reported
                 * from the loop, so done is never called from start. */
                ev_io_set(&c->io, fd, EV_WRITE);
                ev_io_start(c->loop, &c->io);
                c->cur = a->ai_next;
                return true;
        }
        return false;
}

static void on_writable(struct ev_loop *loop, ev_io *w, int revents)
{
        struct tcp_check *c = w->data;
        int err = 0;
        socklen_t len = sizeof(err);

        if (getsockopt(w->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
                err = errno;
        if (err == 0) {
                finish(c, true);
                return;
        }
        c->last_errno = err;
        ev_io_stop(loop, w);
        close(w->fd);
        ev_io_set(w, -1, 0);
        if (!try_next(c))
                finish(c, false);
}

static void on_timeout(struct ev_loop *loop, ev_timer *w, int revents)
{
        struct tcp_check *c = w->data;

        c->last_errno = ETIMEDOUT;
        finish(c, false);
}

int probe_tcp_new(struct ev_loop *loop, probe_done_fn done, void *userdata, struct probe_tcp **ret)
{
        struct probe_tcp *t = calloc(1, sizeof(*t));
        if (!t)
                return -ENOMEM;
        t->loop = loop;
        t->done = done;
        t->userdata = userdata;
        *ret = t;
        return 0;
}

void probe_tcp_free(struct probe_tcp *t)
{
        if (!t)
                return;
        while (t->checks)
                tcp_check_free(t->checks);
        free(t);
}

int probe_tcp_start(struct probe_tcp *t, const struct probe_req *req, struct probe_result *ret_now)
{
        struct ev_loop *loop = t->loop;
        char port[8];
        struct addrinfo hints = {
                .ai_family = AF_UNSPEC,
                .ai_socktype = SOCK_STREAM,
                .ai_flags = AI_NUMERICSERV,
        };
        struct addrinfo *addrs = NULL;

        snprintf(port, sizeof(port), "%u", req->port);
        usec_t started = now_mono();
        /* Blocking by design (see the header); literals resolve without I/O. */
        int r = getaddrinfo(req->host, port, &hints, &addrs);
        if (r != 0) {
                probe_result_set(ret_now, req->id, false, "resolve '%s': %s", req->host,
                                 r == EAI_SYSTEM ? strerror(errno) : gai_strerror(r));
                return 1;
        }

        struct tcp_check *c = calloc(1, sizeof(*c));
        if (!c) {
                freeaddrinfo(addrs);
                probe_result_set(ret_now, req->id, false, "connect: %s", strerror(ENOMEM));
                return 1;
        }
        *c = (struct tcp_check){
                .t = t,
                .loop = loop,
                .id = req->id,
                .timeout_ms = req->timeout_ms,
                .started = started,
                .addrs = addrs,
                .cur = addrs,
                .last_errno = EHOSTUNREACH,
        };
        c->next = t->checks;
        if (t->checks)
                t->checks->prev = c;
        t->checks = c;
        ev_io_init(&c->io, on_writable, -1, EV_WRITE);
        c->io.data = c;
        ev_timer_init(&c->timer, on_timeout, (double)req->timeout_ms / 1000.0, 0.);
        c->timer.data = c;

        if (!try_next(c)) {
                probe_result_set(ret_now, req->id, false, "connect: %s", strerror(c->last_errno));
                tcp_check_free(c);
                return 1;
        }
        ev_now_update(loop); /* the loop's cached time predates getaddrinfo */
        ev_timer_start(loop, &c->timer);
        return 0;
}

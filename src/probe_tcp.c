/* probe_tcp: one heap object per check holding its ev_io, ev_timer and the
 * addresses of its host. Addresses are tried in getaddrinfo order until one
 * connects ("localhost" may give ::1 first with the service on 127.0.0.1
 * only); the deadline covers all of them, and the name lookup before them.
 * The object frees itself after reporting, so the caller only ever sees the
 * done callback.
 * An IP literal resolves at once, without I/O. A name is looked up through
 * probe_lookup (shared with the http checks: bounded, one lookup per name);
 * a check that times out still waiting for it says so, and for what. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "probe_tcp.h"
#include "util.h"

struct probe_tcp {
        struct ev_loop *loop;
        struct probe_lookup *lookup;
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
        struct probe_lookup_wait lw; /* while the host name is looked up */
        struct probe_addrs addrs;
        unsigned cur; /* the next address to try */
        unsigned port;
        char host[PROBE_HOST_MAX + 1];
        int last_errno;
        int gai_err; /* the lookup failed: getaddrinfo's error */
};

static void tcp_check_free(struct tcp_check *c)
{
        if (!c)
                return;
        probe_lookup_cancel(&c->lw);
        ev_io_stop(c->loop, &c->io);
        ev_timer_stop(c->loop, &c->timer);
        if (c->io.fd >= 0)
                close(c->io.fd);
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
        char why[PROBE_DETAIL_MAX + 1];

        if (ok)
                probe_result_set(&res, c->id, true, "connected in %.1fms", ms);
        else if (c->gai_err)
                probe_result_set(&res, c->id, false, "resolve '%s': %s", c->host, gai_strerror(c->gai_err));
        else if (c->last_errno == ETIMEDOUT && c->lw.ent) {
                probe_lookup_describe(&c->lw, why, sizeof(why));
                probe_result_set(&res, c->id, false, "timeout after %ums %s", c->timeout_ms, why);
        } else if (c->last_errno == ETIMEDOUT)
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
        for (; c->cur < c->addrs.n; c->cur++) {
                struct probe_addr *a = &c->addrs.a[c->cur];
                if (a->u.sa.sa_family == AF_INET)
                        a->u.in.sin_port = htons((uint16_t)c->port);
                else
                        a->u.in6.sin6_port = htons((uint16_t)c->port);
                int fd = socket(a->u.sa.sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
                if (fd < 0) {
                        c->last_errno = errno;
                        continue;
                }
                if (connect(fd, &a->u.sa, a->len) < 0 && errno != EINPROGRESS) {
                        c->last_errno = errno;
                        close(fd);
                        continue;
                }
                /* Even an immediate success (loopback can do that) is reported
                 * from the loop, so done is never called from start. */
                ev_io_set(&c->io, fd, EV_WRITE);
                ev_io_start(c->loop, &c->io);
                c->cur++;
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

/* The host's lookup is over: connect, or report why not. */
static void on_resolved(struct probe_lookup_wait *w, const struct probe_addrs *addrs, int gai_err)
{
        struct tcp_check *c = (struct tcp_check *)((char *)w - offsetof(struct tcp_check, lw));

        if (gai_err) {
                c->gai_err = gai_err;
                finish(c, false);
                return;
        }
        c->addrs = *addrs;
        c->cur = 0;
        if (!try_next(c))
                finish(c, false);
}

int probe_tcp_new(struct ev_loop *loop, struct probe_lookup *lookup, probe_done_fn done, void *userdata,
                  struct probe_tcp **ret)
{
        struct probe_tcp *t = calloc(1, sizeof(*t));
        if (!t)
                return -ENOMEM;
        t->loop = loop;
        t->lookup = lookup;
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
        struct addrinfo hints = {
                .ai_family = AF_UNSPEC,
                .ai_socktype = SOCK_STREAM,
                .ai_flags = AI_NUMERICHOST,
        };
        struct addrinfo *addrs = NULL;

        usec_t started = now_mono();
        /* An IP literal resolves here, without I/O; a name (EAI_NONAME) is
         * looked up without blocking the loop, below. */
        int r = getaddrinfo(req->host, NULL, &hints, &addrs);
        if (r != 0 && r != EAI_NONAME) {
                probe_result_set(ret_now, req->id, false, "resolve '%s': %s", req->host,
                                 r == EAI_SYSTEM ? strerror(errno) : gai_strerror(r));
                return 1;
        }

        struct tcp_check *c = calloc(1, sizeof(*c));
        if (!c) {
                if (addrs)
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
                .port = req->port,
                .last_errno = EHOSTUNREACH,
        };
        if (addrs) {
                probe_addrs_from_ai(addrs, &c->addrs);
                freeaddrinfo(addrs);
        }
        c->next = t->checks;
        if (t->checks)
                t->checks->prev = c;
        t->checks = c;
        ev_io_init(&c->io, on_writable, -1, EV_WRITE);
        c->io.data = c;
        ev_timer_init(&c->timer, on_timeout, (double)req->timeout_ms / 1000.0, 0.);
        c->timer.data = c;
        snprintf(c->host, sizeof(c->host), "%s", req->host);

        if (r == EAI_NONAME) {
                r = probe_lookup_start(t->lookup, req->host, &c->lw, on_resolved, &c->addrs);
                if (r != 0 && r != 1) {
                        probe_result_set(ret_now, req->id, false, "resolve '%s': %s", req->host,
                                         r == EAI_SYSTEM ? strerror(errno) : gai_strerror(r));
                        tcp_check_free(c);
                        return 1;
                }
        }
        if (!c->lw.ent && !try_next(c)) {
                probe_result_set(ret_now, req->id, false, "connect: %s", strerror(c->last_errno));
                tcp_check_free(c);
                return 1;
        }
        ev_now_update(loop); /* the loop's cached time predates getaddrinfo */
        ev_timer_start(loop, &c->timer);
        return 0;
}

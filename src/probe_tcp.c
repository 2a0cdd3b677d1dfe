/* probe_tcp: one heap object per check holding its ev_io, ev_timer and the
 * resolved address list. Addresses are tried in getaddrinfo order until one
 * connects ("localhost" may give ::1 first with the service on 127.0.0.1
 * only); the deadline covers all of them, and the name lookup before them.
 * The object frees itself after reporting, so the caller only ever sees the
 * done callback.
 * An IP literal resolves at once, without I/O. A name is looked up by
 * getaddrinfo_a() on glibc's resolver threads, the loop polling for its end
 * on one ev_timer (1 ms, then backing off to 16 ms): no thread ever calls
 * into the loop. A lookup still running when its check times out cannot be
 * cancelled: it is kept, orphaned, until it ends, and counts against
 * PROBE_TCP_LOOKUPS_MAX, so a resolver that never answers cannot make the
 * lookups pile up. */
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

#define PROBE_TCP_LOOKUPS_MAX 32   /* name lookups running, orphans included */
#define LOOKUP_POLL_MIN_S 0.001
#define LOOKUP_POLL_MAX_S 0.016

struct tcp_check;

struct tcp_lookup {
        struct tcp_lookup *prev, *next;
        struct tcp_check *c; /* NULL once its check is over: an orphan */
        struct gaicb cb;
        struct addrinfo hints;
        char host[PROBE_HOST_MAX + 1];
        char port[8];
};

struct probe_tcp {
        struct ev_loop *loop;
        probe_done_fn done;
        void *userdata;
        struct tcp_check *checks; /* in flight, for probe_tcp_free */
        struct tcp_lookup *lookups; /* running */
        unsigned n_lookups;
        ev_timer poll;
        double poll_s;
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
        struct tcp_lookup *lookup; /* the name's, while it runs */
        char host[PROBE_HOST_MAX + 1];
        int last_errno;
        int gai_err; /* the lookup failed: getaddrinfo's error */
};

static void lookup_drop(struct probe_tcp *t, struct tcp_lookup *l)
{
        if (l->prev)
                l->prev->next = l->next;
        else
                t->lookups = l->next;
        if (l->next)
                l->next->prev = l->prev;
        t->n_lookups--;
        if (l->cb.ar_result)
                freeaddrinfo(l->cb.ar_result);
        free(l);
}

/* The check is over before its lookup: cancel that, or orphan it. */
static void lookup_abandon(struct probe_tcp *t, struct tcp_lookup *l)
{
        l->c = NULL;
        int r = gai_cancel(&l->cb);
        if (r == EAI_CANCELED || r == EAI_ALLDONE)
                lookup_drop(t, l);
        /* EAI_NOTCANCELED: running; the poll frees it when it ends */
}

static void tcp_check_free(struct tcp_check *c)
{
        if (!c)
                return;
        if (c->lookup)
                lookup_abandon(c->t, c->lookup);
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
        else if (c->gai_err)
                probe_result_set(&res, c->id, false, "resolve '%s': %s", c->host, gai_strerror(c->gai_err));
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

/* Ends the checks whose lookup is over; polls again while any runs. */
static void on_lookup_poll(struct ev_loop *loop, ev_timer *w, int revents)
{
        struct probe_tcp *t = w->data;
        struct tcp_lookup *next;

        for (struct tcp_lookup *l = t->lookups; l; l = next) {
                next = l->next;
                int r = gai_error(&l->cb);
                if (r == EAI_INPROGRESS)
                        continue;
                struct tcp_check *c = l->c;
                if (c) {
                        c->lookup = NULL;
                        if (r == 0) {
                                c->addrs = c->cur = l->cb.ar_result;
                                l->cb.ar_result = NULL;
                        } else {
                                c->gai_err = r; /* (errno was the resolver thread's) */
                        }
                }
                lookup_drop(t, l);
                if (c && (!c->addrs || !try_next(c)))
                        finish(c, false); /* (frees c, never a lookup) */
        }
        if (!t->lookups)
                return;
        t->poll_s = t->poll_s * 2 < LOOKUP_POLL_MAX_S ? t->poll_s * 2 : LOOKUP_POLL_MAX_S;
        ev_timer_set(w, t->poll_s, 0.);
        ev_timer_start(loop, w);
}

/* Starts looking up c's host on glibc's resolver threads: 0, a getaddrinfo
 * error (< 0), or 1 when too many lookups run already. */
static int lookup_start(struct probe_tcp *t, struct tcp_check *c, const char *port)
{
        if (t->n_lookups >= PROBE_TCP_LOOKUPS_MAX)
                return 1;
        struct tcp_lookup *l = calloc(1, sizeof(*l));
        if (!l)
                return EAI_MEMORY;
        snprintf(l->host, sizeof(l->host), "%s", c->host);
        snprintf(l->port, sizeof(l->port), "%s", port);
        l->hints = (struct addrinfo){ .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV };
        l->cb = (struct gaicb){ .ar_name = l->host, .ar_service = l->port, .ar_request = &l->hints };
        struct gaicb *list[] = { &l->cb };
        int r = getaddrinfo_a(GAI_NOWAIT, list, 1, NULL);
        if (r != 0) {
                free(l);
                return r;
        }
        l->c = c;
        c->lookup = l;
        l->next = t->lookups;
        if (t->lookups)
                t->lookups->prev = l;
        t->lookups = l;
        t->n_lookups++;
        /* poll soon: a name from /etc/hosts resolves within a millisecond */
        t->poll_s = LOOKUP_POLL_MIN_S;
        ev_timer_stop(t->loop, &t->poll);
        ev_timer_set(&t->poll, t->poll_s, 0.);
        ev_timer_start(t->loop, &t->poll);
        return 0;
}

int probe_tcp_new(struct ev_loop *loop, probe_done_fn done, void *userdata, struct probe_tcp **ret)
{
        struct probe_tcp *t = calloc(1, sizeof(*t));
        if (!t)
                return -ENOMEM;
        t->loop = loop;
        t->done = done;
        t->userdata = userdata;
        ev_timer_init(&t->poll, on_lookup_poll, 0., 0.);
        t->poll.data = t;
        *ret = t;
        return 0;
}

void probe_tcp_free(struct probe_tcp *t)
{
        /* Lookups a resolver thread still works on: their memory is its
         * until it ends, which the exiting prober does not wait for. */
        static struct tcp_lookup *left_running;

        if (!t)
                return;
        while (t->checks)
                tcp_check_free(t->checks);
        while (t->lookups) {
                struct tcp_lookup *l = t->lookups;
                if (gai_cancel(&l->cb) == EAI_NOTCANCELED) {
                        t->lookups = l->next;
                        if (l->next)
                                l->next->prev = NULL;
                        l->next = left_running;
                        left_running = l;
                        continue;
                }
                lookup_drop(t, l);
        }
        ev_timer_stop(t->loop, &t->poll);
        free(t);
}

int probe_tcp_start(struct probe_tcp *t, const struct probe_req *req, struct probe_result *ret_now)
{
        struct ev_loop *loop = t->loop;
        char port[8];
        struct addrinfo hints = {
                .ai_family = AF_UNSPEC,
                .ai_socktype = SOCK_STREAM,
                .ai_flags = AI_NUMERICSERV | AI_NUMERICHOST,
        };
        struct addrinfo *addrs = NULL;

        snprintf(port, sizeof(port), "%u", req->port);
        usec_t started = now_mono();
        /* An IP literal resolves here, without I/O; a name (EAI_NONAME) is
         * looked up without blocking the loop, below. */
        int r = getaddrinfo(req->host, port, &hints, &addrs);
        if (r != 0 && r != EAI_NONAME) {
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
        snprintf(c->host, sizeof(c->host), "%s", req->host);

        if (!addrs) {
                r = lookup_start(t, c, port);
                if (r != 0) {
                        probe_result_set(ret_now, req->id, false, "resolve '%s': %s", req->host,
                                         r == 1 ? "too many name lookups under way" :
                                         r == EAI_SYSTEM ? strerror(errno) : gai_strerror(r));
                        tcp_check_free(c);
                        return 1;
                }
        } else if (!try_next(c)) {
                probe_result_set(ret_now, req->id, false, "connect: %s", strerror(c->last_errno));
                tcp_check_free(c);
                return 1;
        }
        ev_now_update(loop); /* the loop's cached time predates getaddrinfo */
        ev_timer_start(loop, &c->timer);
        return 0;
}

/* probe_lookup: one entry per name, in one list in the order they were made:
 * queued (waiting for a free slot), running (a getaddrinfo_a request),
 * done (the answer, kept until it expires) or failed (being delivered).
 * Queued entries start in list order, so names are served first come, first
 * served. A request that ends wakes the loop through an eventfd (glibc's
 * SIGEV_THREAD notification writes to it); nothing polls while a lookup
 * hangs. Done callbacks run from the loop only (the eventfd watcher, or a
 * zero timer after a cancel freed a slot), never from start or cancel, so a
 * check module never sees its callback while inside one of these calls. The list holds at most PROBE_LOOKUPS_MAX running,
 * PROBE_LOOKUP_KEPT_MAX done and one queued entry per name a check waits for
 * (bounded by the prober's checks in flight). */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "probe_hosts.h"
#include "probe_lookup.h"
#include "probe_proto.h"

/* The eventfd glibc's notification threads write to. Made once and never
 * closed: a request probe_lookup_free left running (or one whose cancel came
 * too late) still notifies, and must not write to a reused fd number. The
 * notification carries only this number, no pointer into our memory. */
static int wake_fd = -1;

enum ent_state { ENT_QUEUED, ENT_RUNNING, ENT_DONE, ENT_FAILED };

struct lookup_ent {
        struct lookup_ent *prev, *next;
        struct probe_lookup *pl;
        enum ent_state state;
        struct probe_lookup_wait *waiters;
        ev_tstamp at; /* running: when it started; done: when it expires */
        struct gaicb cb;
        struct addrinfo hints;
        struct probe_addrs addrs;
        char host[PROBE_HOST_MAX + 1];
};

struct probe_lookup {
        struct ev_loop *loop;
        struct lookup_ent *head, *tail;
        unsigned n_running, n_done;
        ev_timer poll; /* zero delay: a slot freed outside the loop */
        ev_io wake;
        struct probe_hosts hosts;
};

static void ent_unlink(struct lookup_ent *e)
{
        struct probe_lookup *pl = e->pl;

        if (e->prev)
                e->prev->next = e->next;
        else
                pl->head = e->next;
        if (e->next)
                e->next->prev = e->prev;
        else
                pl->tail = e->prev;
        e->prev = e->next = NULL;
}

static void ent_free(struct lookup_ent *e)
{
        struct probe_lookup *pl = e->pl;

        ent_unlink(e);
        if (e->state == ENT_RUNNING)
                pl->n_running--;
        else if (e->state == ENT_DONE)
                pl->n_done--;
        if (e->cb.ar_result)
                freeaddrinfo(e->cb.ar_result);
        free(e);
}

static void poll_soon(struct probe_lookup *pl)
{
        if (!ev_is_active(&pl->poll))
                ev_timer_start(pl->loop, &pl->poll);
}

/* Runs on a thread of glibc's when a request ends: only write(2), which is
 * async-signal-safe, on an fd that stays open (see wake_fd). */
static void on_request_done(union sigval v)
{
        uint64_t one = 1;
        int saved = errno;

        if (write(v.sival_int, &one, sizeof(one)) < 0) {
                /* EAGAIN: the counter is full, the loop wakes anyway */
        }
        errno = saved;
}

void probe_addrs_from_ai(const struct addrinfo *ai, struct probe_addrs *ret)
{
        ret->n = 0;
        for (; ai && ret->n < PROBE_LOOKUP_ADDRS_MAX; ai = ai->ai_next) {
                if (!((ai->ai_family == AF_INET && ai->ai_addrlen == sizeof(struct sockaddr_in)) ||
                      (ai->ai_family == AF_INET6 && ai->ai_addrlen == sizeof(struct sockaddr_in6))))
                        continue;
                struct probe_addr *a = &ret->a[ret->n++];
                memset(a, 0, sizeof(*a));
                a->len = ai->ai_addrlen;
                memcpy(&a->u, ai->ai_addr, ai->ai_addrlen);
        }
}

/* Starts e's getaddrinfo_a request: 0 or an EAI_* error. */
static int ent_run(struct lookup_ent *e)
{
        struct probe_lookup *pl = e->pl;

        e->hints = (struct addrinfo){ .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
        e->cb = (struct gaicb){ .ar_name = e->host, .ar_request = &e->hints };
        struct gaicb *list[] = { &e->cb };
        struct sigevent sev = {
                .sigev_notify = SIGEV_THREAD,
                .sigev_value.sival_int = wake_fd,
                .sigev_notify_function = on_request_done,
        };
        int r = getaddrinfo_a(GAI_NOWAIT, list, 1, &sev);
        if (r != 0)
                return r == EAI_SYSTEM && errno == ENOMEM ? EAI_MEMORY : r;
        e->state = ENT_RUNNING;
        e->at = ev_time();
        pl->n_running++;
        return 0;
}

/* Hands e's outcome to every check waiting for it. A callback may start
 * lookups (of this name too: a done entry answers at once) or cancel other
 * waits; it cannot free e, which is kept or freed here. */
static void ent_deliver(struct lookup_ent *e, int gai_err)
{
        while (e->waiters) {
                struct probe_lookup_wait *w = e->waiters;
                e->waiters = w->next;
                if (w->next)
                        w->next->prev = NULL;
                w->prev = w->next = NULL;
                w->ent = NULL;
                w->done(w, gai_err ? NULL : &e->addrs, gai_err);
        }
        if (e->state == ENT_FAILED)
                ent_free(e);
}

/* The oldest done entry goes when too many are kept. */
static void keep_bound(struct probe_lookup *pl)
{
        struct lookup_ent *oldest = NULL;

        if (pl->n_done <= PROBE_LOOKUP_KEPT_MAX)
                return;
        for (struct lookup_ent *e = pl->head; e; e = e->next)
                if (e->state == ENT_DONE && (!oldest || e->at < oldest->at))
                        oldest = e;
        if (oldest)
                ent_free(oldest);
}

static void ent_finished(struct lookup_ent *e, int r)
{
        struct probe_lookup *pl = e->pl;

        pl->n_running--;
        if (r == 0) {
                probe_addrs_from_ai(e->cb.ar_result, &e->addrs);
                if (e->addrs.n == 0)
                        r = EAI_NONAME;
        }
        if (e->cb.ar_result) {
                freeaddrinfo(e->cb.ar_result);
                e->cb.ar_result = NULL;
        }
        if (r == 0) {
                e->state = ENT_DONE;
                e->at = ev_now(pl->loop) + PROBE_LOOKUP_KEEP_S;
                pl->n_done++;
                /* at the tail: what is kept is found after what runs */
                ent_unlink(e);
                e->prev = pl->tail;
                if (pl->tail)
                        pl->tail->next = e;
                else
                        pl->head = e;
                pl->tail = e;
        } else {
                e->state = ENT_FAILED;
        }
        ent_deliver(e, r);
        keep_bound(pl);
}

/* Ends the lookups that are over and starts queued ones in the slots freed. */
static void collect(struct probe_lookup *pl)
{
        struct lookup_ent *next;

        for (struct lookup_ent *e = pl->head; e; e = next) {
                next = e->next;
                if (e->state != ENT_RUNNING)
                        continue;
                int r = gai_error(&e->cb);
                if (r == EAI_INPROGRESS)
                        continue;
                if (!e->waiters && r != 0) {
                        ent_free(e); /* abandoned, and nothing worth keeping */
                        continue;
                }
                ent_finished(e, r);
                /* callbacks may have freed entries after e: start over */
                next = pl->head;
        }
        for (struct lookup_ent *e = pl->head; e && pl->n_running < PROBE_LOOKUPS_MAX; e = next) {
                next = e->next;
                if (e->state != ENT_QUEUED)
                        continue;
                int r = ent_run(e);
                if (r != 0) {
                        e->state = ENT_FAILED;
                        ent_deliver(e, r);
                        next = pl->head;
                }
        }
}

static void on_poll(struct ev_loop *loop, ev_timer *w, int revents)
{
        (void)loop;
        (void)revents;
        collect(w->data);
}

static void on_wake(struct ev_loop *loop, ev_io *w, int revents)
{
        uint64_t n;

        (void)loop;
        (void)revents;
        if (read(w->fd, &n, sizeof(n)) < 0) {
                /* EAGAIN: woken by an earlier write already read */
        }
        collect(w->data);
}

int probe_lookup_new(struct ev_loop *loop, struct probe_lookup **ret)
{
        if (wake_fd < 0) {
                wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
                if (wake_fd < 0)
                        return -errno;
        }
        struct probe_lookup *pl = calloc(1, sizeof(*pl));
        if (!pl)
                return -ENOMEM;
        pl->loop = loop;
        pl->hosts.path = PROBE_HOSTS_PATH;
        ev_timer_init(&pl->poll, on_poll, 0., 0.);
        pl->poll.data = pl;
        ev_io_init(&pl->wake, on_wake, wake_fd, EV_READ);
        pl->wake.data = pl;
        ev_io_start(loop, &pl->wake);
        *ret = pl;
        return 0;
}

void probe_lookup_free(struct probe_lookup *pl)
{
        /* Requests a resolver thread still works on: their memory is its
         * until it ends, which the exiting prober does not wait for. */
        static struct lookup_ent *left_running;

        if (!pl)
                return;
        while (pl->head) {
                struct lookup_ent *e = pl->head;
                /* not probe_lookup_cancel: its last wait would free e */
                while (e->waiters) {
                        struct probe_lookup_wait *w = e->waiters;
                        e->waiters = w->next;
                        w->prev = w->next = NULL;
                        w->ent = NULL;
                }
                if (e->state == ENT_RUNNING && gai_cancel(&e->cb) == EAI_NOTCANCELED) {
                        ent_unlink(e);
                        e->next = left_running;
                        left_running = e;
                        continue;
                }
                ent_free(e);
        }
        ev_timer_stop(pl->loop, &pl->poll);
        ev_io_stop(pl->loop, &pl->wake);
        probe_hosts_free(&pl->hosts);
        free(pl);
}

static struct lookup_ent *ent_find(struct probe_lookup *pl, const char *host)
{
        ev_tstamp now = ev_now(pl->loop);
        struct lookup_ent *next;

        for (struct lookup_ent *e = pl->head; e; e = next) {
                next = e->next;
                if (e->state == ENT_DONE && e->at <= now) {
                        ent_free(e); /* expired */
                        continue;
                }
                if (e->state != ENT_FAILED && strcmp(e->host, host) == 0)
                        return e;
        }
        return NULL;
}

static void wait_on(struct lookup_ent *e, struct probe_lookup_wait *w, probe_lookup_fn done)
{
        w->done = done;
        w->ent = e;
        w->prev = NULL;
        w->next = e->waiters;
        if (e->waiters)
                e->waiters->prev = w;
        e->waiters = w;
}

int probe_lookup_start(struct probe_lookup *pl, const char *host, struct probe_lookup_wait *w, probe_lookup_fn done,
                       struct probe_addrs *ret_addrs)
{
        if (strlen(host) > PROBE_HOST_MAX)
                return EAI_NONAME;
        /* answered here, without I/O or a slot: an IP address, a name of
         * /etc/hosts (a DNS server that does not answer holds neither up) */
        struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICHOST };
        struct addrinfo *ai = NULL;
        if (getaddrinfo(host, NULL, &hints, &ai) == 0) {
                probe_addrs_from_ai(ai, ret_addrs);
                freeaddrinfo(ai);
                if (ret_addrs->n > 0)
                        return 1;
        }
        if (probe_hosts_find(&pl->hosts, host, ret_addrs))
                return 1;
        struct lookup_ent *e = ent_find(pl, host);
        if (e && e->state == ENT_DONE) {
                *ret_addrs = e->addrs;
                return 1;
        }
        if (e) { /* queued or running: wait for it */
                wait_on(e, w, done);
                return 0;
        }
        e = calloc(1, sizeof(*e));
        if (!e)
                return EAI_MEMORY;
        e->pl = pl;
        e->state = ENT_QUEUED;
        memcpy(e->host, host, strlen(host) + 1);
        e->prev = pl->tail;
        if (pl->tail)
                pl->tail->next = e;
        else
                pl->head = e;
        pl->tail = e;
        if (pl->n_running < PROBE_LOOKUPS_MAX) {
                int r = ent_run(e);
                if (r != 0) {
                        ent_free(e);
                        return r;
                }
        }
        wait_on(e, w, done);
        return 0;
}

void probe_lookup_cancel(struct probe_lookup_wait *w)
{
        struct lookup_ent *e = w->ent;

        if (!e)
                return;
        if (w->prev)
                w->prev->next = w->next;
        else
                e->waiters = w->next;
        if (w->next)
                w->next->prev = w->prev;
        w->prev = w->next = NULL;
        w->ent = NULL;
        if (e->waiters)
                return;
        if (e->state == ENT_QUEUED) {
                ent_free(e);
        } else if (e->state == ENT_RUNNING) {
                int r = gai_cancel(&e->cb);
                if (r == EAI_CANCELED) {
                        struct probe_lookup *pl = e->pl;
                        ent_free(e);
                        poll_soon(pl); /* a queued name may take the slot */
                }
                /* EAI_NOTCANCELED: running on, counted; EAI_ALLDONE: the
                 * poll keeps its answer */
        }
}

void probe_lookup_describe(const struct probe_lookup_wait *w, char *buf, size_t len)
{
        const struct lookup_ent *e = w->ent;

        if (!e)
                snprintf(buf, len, "resolving");
        else if (e->state == ENT_QUEUED)
                snprintf(buf, len, "waiting to resolve '%s' (%u name lookups running, at most %u)", e->host,
                         e->pl->n_running, PROBE_LOOKUPS_MAX);
        else
                snprintf(buf, len, "resolving '%s' (lookup running for %.1fs)", e->host, ev_time() - e->at);
}

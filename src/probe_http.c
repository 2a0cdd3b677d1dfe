/* probe_http: the libcurl multi <-> libev glue and the per-check transfer.
 * One struct http_xfer per check in flight (CURLOPT_PRIVATE points back to
 * it). A finished one keeps its easy handle, options already set, on an idle
 * list of at most PROBE_HTTP_IDLE_MAX: the next check of the same URL with the
 * same headers and TLS settings reuses it (multi remove/add_handle) instead of
 * building a new handle and setting every option again. Sockets: one struct
 * http_sock per fd number, in a table indexed by fd. curl opens and closes its
 * connection sockets through our CURLOPT_OPENSOCKETFUNCTION and
 * CLOSESOCKETFUNCTION, so we know which fds are connections and stop their
 * watcher before the fd is closed (libev must never see an fd closed and
 * reopened under an active watcher). When a transfer ends curl says
 * CURL_POLL_REMOVE for its connection although the connection stays open in
 * the cache; we leave that watcher armed for reading ("parked") rather than
 * stopping it, because libev does not remove a stopped fd from epoll and its
 * re-add on the next check would be a failing EPOLL_CTL_ADD plus a MOD per
 * check. A parked socket that turns readable (the server closed it) is simply
 * stopped; curl notices the dead connection when it next tries to reuse it.
 * curl is never re-entered from its own callbacks: they only (re)arm watchers;
 * socket_action runs from libev. */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <curl/curl.h>

#include "probe_http.h"
#include "probe_http_resolve.h"
#include "probe_http_xfer.h"
#include "util.h"

#ifndef SVD_VERSION
#define SVD_VERSION "dev"
#endif

struct http_sock {
        ev_io io;
        bool conn;   /* opened by our opensocket callback: closed by ours */
        bool parked; /* curl is not watching it: an idle connection */
};


struct probe_http {
        struct ev_loop *loop;
        struct probe_lookup *lookup;
        CURLM *multi;
        ev_timer timer;
        probe_done_fn done;
        void *userdata;
        struct http_xfer *xfers; /* in flight */
        struct http_xfer *idle;  /* finished, easy handle kept for reuse */
        unsigned n_idle;
        unsigned n_inflight; /* transfers added and not yet done */
        long max_conns;      /* CURLMOPT_MAXCONNECTS now */
        struct http_sock **socks; /* by fd */
        size_t n_socks;
};

#define LIST_PUSH(head, x)                    \
        do {                                  \
                (x)->prev = NULL;             \
                (x)->next = (head);           \
                if (head)                     \
                        (head)->prev = (x);   \
                (head) = (x);                 \
        } while (0)
#define LIST_DROP(head, x)                          \
        do {                                        \
                if ((x)->prev)                      \
                        (x)->prev->next = (x)->next; \
                else                                \
                        (head) = (x)->next;         \
                if ((x)->next)                      \
                        (x)->next->prev = (x)->prev; \
        } while (0)

static void xfer_free(struct http_xfer *x, bool idle)
{
        if (!x)
                return;
        probe_lookup_cancel(&x->lw);
        ev_timer_stop(x->h->loop, &x->deadline);
        if (x->easy) {
                /* Removing returns the connection to the multi's cache (kept
                 * for reuse); the easy handle itself holds nothing we need. */
                if (!idle)
                        curl_multi_remove_handle(x->h->multi, x->easy);
                curl_easy_cleanup(x->easy);
        }
        curl_url_cleanup(x->uh); /* after the easy handle that used it */
        if (idle) {
                LIST_DROP(x->h->idle, x);
                x->h->n_idle--;
        } else {
                LIST_DROP(x->h->xfers, x);
        }
        curl_slist_free_all(x->headers);
        curl_slist_free_all(x->resolve);
        free(x->url);
        free(x->ca_file);
        free(x->needle);
        free(x->body);
        free(x);
}

/* A finished transfer: its easy handle goes idle for reuse, or away. */
static void xfer_release(struct http_xfer *x)
{
        struct probe_http *h = x->h;

        probe_lookup_cancel(&x->lw);
        ev_timer_stop(h->loop, &x->deadline);
        if (h->n_idle >= PROBE_HTTP_IDLE_MAX || !x->url) {
                xfer_free(x, false);
                return;
        }
        curl_multi_remove_handle(h->multi, x->easy);
        LIST_DROP(h->xfers, x);
        LIST_PUSH(h->idle, x);
        h->n_idle++;
}

static uint64_t fnv(uint64_t hash, const char *s)
{
        for (; *s; s++)
                hash = (hash ^ (unsigned char)*s) * 0x100000001b3ull;
        return (hash ^ 0xff) * 0x100000001b3ull; /* separator */
}

static uint64_t req_key(const struct probe_req *req)
{
        uint64_t k = fnv(0xcbf29ce484222325ull, req->url);
        for (char **hd = req->headers; hd && *hd; hd++)
                k = fnv(k, *hd);
        return k;
}

static bool same_str(const char *a, const char *b)
{
        return a == b || (a && b && strcmp(a, b) == 0);
}

static bool same_headers(const struct curl_slist *l, char **hd)
{
        for (; l && hd && *hd; l = l->next, hd++)
                if (strcmp(l->data, *hd) != 0)
                        return false;
        return !l && !(hd && *hd);
}

/* An idle transfer set up for the same URL, headers and TLS settings, taken
 * off the list. */
static struct http_xfer *take_idle(struct probe_http *h, const struct probe_req *req)
{
        if (!h->idle)
                return NULL;
        uint64_t key = req_key(req);
        for (struct http_xfer *x = h->idle; x; x = x->next)
                if (x->key == key && strcmp(x->url, req->url) == 0 &&
                    same_headers(x->headers, req->headers) && x->tls_no_verify == req->tls_no_verify &&
                    same_str(x->ca_file, req->ca_file)) {
                        LIST_DROP(h->idle, x);
                        h->n_idle--;
                        return x;
                }
        return NULL;
}

static size_t on_body(char *p, size_t size, size_t n, void *userdata)
{
        struct http_xfer *x = userdata;
        size_t len = size * n;

        x->total += len;
        /* found: a short rest is read (the connection stays reusable), a
         * long one (an endless stream, say) is not */
        if (x->matched)
                return x->total > PROBE_HTTP_CAPTURE_MAX ? 0 : len;
        if (x->total > PROBE_HTTP_BODY_MAX) {
                x->too_big = true;
                return 0; /* aborts with CURLE_WRITE_ERROR */
        }
        if (x->needle && x->body_len < PROBE_HTTP_CAPTURE_MAX) {
                size_t take = len;
                if (take > PROBE_HTTP_CAPTURE_MAX - x->body_len)
                        take = PROBE_HTTP_CAPTURE_MAX - x->body_len;
                if (x->body_len + take > x->body_cap) {
                        size_t cap = x->body_cap ? x->body_cap : 4096;
                        while (cap < x->body_len + take)
                                cap *= 2;
                        if (cap > PROBE_HTTP_CAPTURE_MAX)
                                cap = PROBE_HTTP_CAPTURE_MAX;
                        char *b = realloc(x->body, cap);
                        if (!b)
                                return 0;
                        x->body = b;
                        x->body_cap = cap;
                }
                memcpy(x->body + x->body_len, p, take);
                size_t nl = strlen(x->needle), from = x->body_len >= nl ? x->body_len - nl + 1 : 0;
                x->body_len += take;
                if (memmem(x->body + from, x->body_len - from, x->needle, nl)) {
                        x->matched = true;
                        if (x->total > PROBE_HTTP_CAPTURE_MAX)
                                return 0; /* aborts with CURLE_WRITE_ERROR */
                }
        }
        return len;
}

/* Reports every finished transfer. */
static int xfer_go(struct http_xfer *x, struct probe_result *ret_now);
static void xfer_end_early(struct http_xfer *x, const struct probe_result *res);

/* Custom headers curl itself sends to the first host only (unless told
 * otherwise): not to be sent on to the host a redirect names. */
static int drop_first_host_headers(struct http_xfer *x)
{
        struct curl_slist *kept = NULL;

        for (struct curl_slist *l = x->headers; l; l = l->next) {
                if (strncasecmp(l->data, "Authorization:", 14) == 0 || strncasecmp(l->data, "Cookie:", 7) == 0 ||
                    strncasecmp(l->data, "Host:", 5) == 0)
                        continue;
                struct curl_slist *n = curl_slist_append(kept, l->data);
                if (!n) {
                        curl_slist_free_all(kept);
                        return -ENOMEM;
                }
                kept = n;
        }
        if (curl_easy_setopt(x->easy, CURLOPT_HTTPHEADER, kept) != CURLE_OK) {
                curl_slist_free_all(kept);
                return -EINVAL;
        }
        curl_slist_free_all(x->headers);
        x->headers = kept;
        return 0;
}

/* A redirect to a host name curl has no addresses for (resolver_start_cb
 * refused to look it up on curl's thread): looked up here like the URL's,
 * then the transfer goes on from the redirect's URL, within what is left of
 * the timeout and of the 5 redirects. True when x is taken care of. */
static bool xfer_follow(struct http_xfer *x)
{
        struct probe_http *h = x->h;
        struct probe_result res;
        long count = 0;
        char *url = NULL, *next = NULL;

        if (!x->refused || !x->uh ||
            curl_easy_getinfo(x->easy, CURLINFO_REDIRECT_COUNT, &count) != CURLE_OK || count < 1 ||
            x->follows + count > 5 ||
            curl_easy_getinfo(x->easy, CURLINFO_EFFECTIVE_URL, &url) != CURLE_OK || !url || !(next = strdup(url)))
                return false;
        curl_multi_remove_handle(h->multi, x->easy);
        /* Its URL and headers change: never reused for another check. */
        free(x->url);
        x->url = NULL;
        x->follows += (unsigned)count;
        x->refused = false;
        x->host_known = false;
        if (curl_url_set(x->uh, CURLUPART_URL, next, 0) != CURLUE_OK ||
            curl_easy_setopt(x->easy, CURLOPT_CURLU, x->uh) != CURLE_OK ||
            curl_easy_setopt(x->easy, CURLOPT_MAXREDIRS, 5L - (long)x->follows) != CURLE_OK || drop_first_host_headers(x) < 0) {
                free(next);
                return false; /* reported as the failed lookup it was */
        }
        free(next);
        if (xfer_go(x, &res) != 0)
                xfer_end_early(x, &res);
        return true;
}

static void drain(struct probe_http *h)
{
        CURLMsg *msg;
        int left;

        while ((msg = curl_multi_info_read(h->multi, &left))) {
                if (msg->msg != CURLMSG_DONE)
                        continue;
                struct http_xfer *x = NULL;
                struct probe_result res;
                CURLcode rc = msg->data.result;
                curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
                h->n_inflight--;
                if (rc == CURLE_COULDNT_RESOLVE_HOST && xfer_follow(x))
                        continue; /* msg is invalid from here on */
                http_xfer_result(x, rc, &res);
                xfer_release(x); /* msg is invalid from here on */
                h->done(&res, h->userdata);
        }
}

static void on_io(struct ev_loop *loop, ev_io *w, int revents)
{
        struct http_sock *hs = (struct http_sock *)w;
        struct probe_http *h = w->data;
        int action = (revents & EV_READ ? CURL_CSELECT_IN : 0) | (revents & EV_WRITE ? CURL_CSELECT_OUT : 0);
        int running;

        if (hs->parked) {
                /* An idle connection closed by the server (or sending junk):
                 * nothing for curl until it tries to reuse it. */
                ev_io_stop(loop, w);
                hs->parked = false;
                return;
        }
        curl_multi_socket_action(h->multi, w->fd, action, &running);
        drain(h);
}

static void on_timer(struct ev_loop *loop, ev_timer *w, int revents)
{
        struct probe_http *h = w->data;
        int running;

        curl_multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT, 0, &running);
        drain(h);
}

/* The entry for fd, made on first use; NULL when out of memory. */
static struct http_sock *sock_get(struct probe_http *h, curl_socket_t s)
{
        if (s < 0)
                return NULL;
        if ((size_t)s >= h->n_socks) {
                size_t n = h->n_socks ? h->n_socks : 64;
                while (n <= (size_t)s)
                        n *= 2;
                struct http_sock **t = realloc(h->socks, n * sizeof(*t));
                if (!t)
                        return NULL;
                memset(t + h->n_socks, 0, (n - h->n_socks) * sizeof(*t));
                h->socks = t;
                h->n_socks = n;
        }
        if (!h->socks[s]) {
                struct http_sock *hs = calloc(1, sizeof(*hs));
                if (!hs)
                        return NULL;
                ev_io_init(&hs->io, on_io, s, EV_READ);
                hs->io.data = h;
                h->socks[s] = hs;
        }
        return h->socks[s];
}

static int io_events(const ev_io *w)
{
        return w->events & (EV_READ | EV_WRITE);
}

/* Arms hs for events, touching libev only if that changes anything. */
static void sock_watch(struct probe_http *h, struct http_sock *hs, int events)
{
        if (ev_is_active(&hs->io) && io_events(&hs->io) == events)
                return;
        ev_io_stop(h->loop, &hs->io);
        ev_io_set(&hs->io, hs->io.fd, events);
        ev_io_start(h->loop, &hs->io);
}

/* CURLMOPT_SOCKETFUNCTION: watch s for what curl asks, or stop watching. */
static int curl_socket_cb(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
        struct probe_http *h = userp;
        struct http_sock *hs = sock_get(h, s);

        if (what == CURL_POLL_REMOVE) {
                if (!hs)
                        return 0;
                if (hs->conn) {
                        /* Idle in the cache (or about to be closed through
                         * close_socket_cb, which stops it): stay armed for
                         * reading only, see the top of the file. */
                        sock_watch(h, hs, EV_READ);
                        hs->parked = true;
                } else {
                        ev_io_stop(h->loop, &hs->io);
                }
                return 0;
        }
        if (!hs)
                return -1;
        hs->parked = false;
        sock_watch(h, hs, (what & CURL_POLL_IN ? EV_READ : 0) | (what & CURL_POLL_OUT ? EV_WRITE : 0));
        return 0;
}

/* CURLOPT_OPENSOCKETFUNCTION: a connection socket; remembered as one. */
static curl_socket_t open_socket_cb(void *clientp, curlsocktype purpose, struct curl_sockaddr *addr)
{
        struct probe_http *h = clientp;
        int fd = socket(addr->family, addr->socktype | SOCK_CLOEXEC, addr->protocol);

        if (fd < 0)
                return CURL_SOCKET_BAD;
        struct http_sock *hs = sock_get(h, fd);
        if (!hs) {
                close(fd);
                return CURL_SOCKET_BAD;
        }
        /* A previous user of this fd number was stopped when it was closed. */
        ev_io_stop(h->loop, &hs->io);
        hs->conn = true;
        hs->parked = false;
        return fd;
}

/* CURLOPT_CLOSESOCKETFUNCTION: stop watching before the number is reused. */
static int close_socket_cb(void *clientp, curl_socket_t s)
{
        struct probe_http *h = clientp;

        if (s >= 0 && (size_t)s < h->n_socks && h->socks[s]) {
                struct http_sock *hs = h->socks[s];
                ev_io_stop(h->loop, &hs->io);
                hs->conn = hs->parked = false;
        }
        return close(s);
}

/* CURLMOPT_TIMERFUNCTION: one timer; -1 disarms, 0 means "as soon as you can"
 * (a zero libev timer fires on the next iteration, outside this callback). */
static int curl_timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
        struct probe_http *h = userp;

        ev_timer_stop(h->loop, &h->timer);
        if (timeout_ms >= 0) {
                ev_timer_set(&h->timer, (double)timeout_ms / 1000.0, 0.);
                ev_timer_start(h->loop, &h->timer);
        }
        return 0;
}

int probe_http_new(struct ev_loop *loop, struct probe_lookup *lookup, probe_done_fn done, void *userdata,
                   struct probe_http **ret)
{
        struct probe_http *h = calloc(1, sizeof(*h));
        if (!h)
                return -ENOMEM;
        h->loop = loop;
        h->lookup = lookup;
        h->done = done;
        h->userdata = userdata;
        ev_timer_init(&h->timer, on_timer, 0., 0.);
        h->timer.data = h;
        h->max_conns = PROBE_HTTP_MAXCONNECTS;
        h->multi = curl_multi_init();
        if (!h->multi) {
                free(h);
                return -ENOMEM;
        }
        if (curl_multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, curl_socket_cb) != CURLM_OK ||
            curl_multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h) != CURLM_OK ||
            curl_multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, curl_timer_cb) != CURLM_OK ||
            curl_multi_setopt(h->multi, CURLMOPT_TIMERDATA, h) != CURLM_OK ||
            curl_multi_setopt(h->multi, CURLMOPT_MAXCONNECTS, (long)PROBE_HTTP_MAXCONNECTS) != CURLM_OK) {
                probe_http_free(h);
                return -EINVAL;
        }
        *ret = h;
        return 0;
}

void probe_http_free(struct probe_http *h)
{
        if (!h)
                return;
        while (h->xfers)
                xfer_free(h->xfers, false);
        while (h->idle)
                xfer_free(h->idle, true);
        if (h->multi)
                curl_multi_cleanup(h->multi); /* closes cached connections */
        /* Watchers curl did not ask us to remove while cleaning up. */
        for (size_t i = 0; i < h->n_socks; i++) {
                if (h->socks[i]) {
                        ev_io_stop(h->loop, &h->socks[i]->io);
                        free(h->socks[i]);
                }
        }
        free(h->socks);
        ev_timer_stop(h->loop, &h->timer);
        free(h);
}

#define SET(opt, val)                                                 \
        do {                                                          \
                if (curl_easy_setopt(x->easy, opt, val) != CURLE_OK) { \
                        what = #opt;                                  \
                        goto fail;                                    \
                }                                                     \
        } while (0)

/* One more transfer in flight. The connection cache must hold at least as
 * many connections as are in use at once, or every batch of checks larger
 * than it opens new connections and closes others: it grows to twice the
 * peak in flight (within PROBE_HTTP_MAXCONNECTS_MAX; one fd each). */
static void added(struct probe_http *h)
{
        h->n_inflight++;
        if (h->n_inflight > (unsigned)h->max_conns && h->max_conns < PROBE_HTTP_MAXCONNECTS_MAX) {
                long want = 2 * (long)h->n_inflight;
                if (want > PROBE_HTTP_MAXCONNECTS_MAX)
                        want = PROBE_HTTP_MAXCONNECTS_MAX;
                if (curl_multi_setopt(h->multi, CURLMOPT_MAXCONNECTS, want) == CURLM_OK)
                        h->max_conns = want;
        }
}

/* Per-check state of a transfer that is set up (new or reused). */
static int xfer_arm(struct http_xfer *x, const struct probe_req *req)
{
        x->id = req->id;
        x->timeout_ms = req->timeout_ms;
        x->status_min = req->status_min;
        x->status_max = req->status_max;
        x->body_len = 0;
        x->total = 0;
        x->too_big = false;
        x->matched = false;
        x->errbuf[0] = '\0';
        x->started = now_mono();
        x->follows = 0;
        if (!(x->needle && req->body_contains && strcmp(x->needle, req->body_contains) == 0)) {
                free(x->needle);
                x->needle = NULL;
                if (req->body_contains && !(x->needle = strdup(req->body_contains)))
                        return -ENOMEM;
        }
        return 0;
}

/* svd-probe runs as an unprivileged user (nobody when svd is root): a CA
 * file it cannot open would otherwise fail as a vague TLS error in curl. The
 * file is opened per check, not once, so fixing its mode needs no reload. */
static bool ca_file_readable(const struct probe_req *req, struct probe_result *ret_now)
{
        char q[129];

        if (!req->ca_file)
                return true;
        int fd = open(req->ca_file, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd >= 0) {
                close(fd);
                return true;
        }
        int e = errno;
        probe_result_set(ret_now, req->id, false, "ca_file '%s': %s (svd-probe runs as uid %u)",
                         http_quote(req->ca_file, q, sizeof(q)), strerror(e), (unsigned)getuid());
        return false;
}

/* CURLOPT_RESOLVER_START_FUNCTION: curl is about to look a name up on its
 * own resolver thread, which would outlive a timed-out check. The URL's host
 * name is in curl's DNS cache already (CURLOPT_RESOLVE), and an IP address
 * needs no thread: what is left is a redirect to another name, refused. */
static int resolver_start_cb(void *resolver_state, void *reserved, void *userdata)
{
        struct http_xfer *x = userdata;
        char *url = NULL;

        if (curl_easy_getinfo(x->easy, CURLINFO_EFFECTIVE_URL, &url) == CURLE_OK && url && http_url_is_literal(url))
                return 0;
        x->refused = true;
        return 1;
}

/* The check is over before it started: report it, keep the handle. */
static void xfer_end_early(struct http_xfer *x, const struct probe_result *res)
{
        struct probe_http *h = x->h;

        xfer_release(x);
        h->done(res, h->userdata);
}

/* Adds x to the multi with the addresses of its host (NULL: an IP literal)
 * and what is left of its timeout: 0, or -1 with *res filled. */
static int xfer_add(struct http_xfer *x, const struct probe_addrs *addrs, struct probe_result *res)
{
        struct probe_http *h = x->h;
        struct curl_slist *old = x->resolve;

        x->resolve = addrs ? http_resolve_entry(x->host, x->port, addrs) : NULL;
        if (addrs && !x->resolve) {
                x->resolve = old;
                probe_result_set(res, x->id, false, "curl: %s failed", "allocation");
                return -1;
        }
        usec_t spent_ms = (now_mono() - x->started) / 1000;
        long left_ms = spent_ms < x->timeout_ms ? (long)(x->timeout_ms - spent_ms) : 1;
        if (curl_easy_setopt(x->easy, CURLOPT_RESOLVE, x->resolve) != CURLE_OK ||
            curl_easy_setopt(x->easy, CURLOPT_TIMEOUT_MS, left_ms) != CURLE_OK ||
            curl_multi_add_handle(h->multi, x->easy) != CURLM_OK) {
                curl_slist_free_all(old);
                probe_result_set(res, x->id, false, "curl: %s failed", "curl_multi_add_handle");
                return -1;
        }
        curl_slist_free_all(old); /* (curl copied its entry into the cache) */
        added(h);
        return 0;
}

static void on_resolved(struct probe_lookup_wait *w, const struct probe_addrs *addrs, int gai_err)
{
        struct http_xfer *x = (struct http_xfer *)((char *)w - offsetof(struct http_xfer, lw));
        struct probe_result res;

        ev_timer_stop(x->h->loop, &x->deadline);
        if (gai_err) {
                probe_result_set(&res, x->id, false, "resolve '%s': %s", x->host, gai_strerror(gai_err));
                xfer_end_early(x, &res);
        } else if (xfer_add(x, addrs, &res) < 0) {
                xfer_end_early(x, &res);
        }
}

static void on_deadline(struct ev_loop *loop, ev_timer *w, int revents)
{
        struct http_xfer *x = w->data;
        struct probe_result res;
        char why[PROBE_DETAIL_MAX + 1];

        probe_lookup_describe(&x->lw, why, sizeof(why));
        probe_result_set(&res, x->id, false, "timeout after %ums %s", x->timeout_ms, why);
        xfer_end_early(x, &res);
}

/* Starts x: at once when its host is an IP address or its name's addresses
 * are known, else once they are. 0 (under way) or 1 with *ret_now filled. */
static int xfer_go(struct http_xfer *x, struct probe_result *ret_now)
{
        struct probe_http *h = x->h;
        struct probe_addrs addrs;

        x->refused = false;
        if (!x->host_known) { /* once per URL: a reused handle keeps it */
                x->host_is_name = x->uh && http_url_name(x->uh, x->host, sizeof(x->host), &x->port);
                x->host_known = true;
        }
        if (!x->host_is_name)
                return xfer_add(x, NULL, ret_now) < 0 ? 1 : 0;
        int r = probe_lookup_start(h->lookup, x->host, &x->lw, on_resolved, &addrs);
        if (r == 1)
                return xfer_add(x, &addrs, ret_now) < 0 ? 1 : 0;
        if (r != 0) {
                probe_result_set(ret_now, x->id, false, "resolve '%s': %s", x->host,
                                 r == EAI_SYSTEM ? strerror(errno) : gai_strerror(r));
                return 1;
        }
        usec_t spent_ms = (now_mono() - x->started) / 1000;
        ev_timer_set(&x->deadline, spent_ms < x->timeout_ms ? (double)(x->timeout_ms - spent_ms) / 1000.0 : 0., 0.);
        ev_now_update(h->loop);
        ev_timer_start(h->loop, &x->deadline);
        return 0;
}

int probe_http_start(struct probe_http *h, const struct probe_req *req, struct probe_result *ret_now)
{
        const char *what = "allocation";

        if (!ca_file_readable(req, ret_now))
                return 1;
        struct http_xfer *x = take_idle(h, req);

        if (x) {
                LIST_PUSH(h->xfers, x);
                if (xfer_arm(x, req) < 0)
                        goto fail;
                SET(CURLOPT_FOLLOWLOCATION, req->follow_redirects ? 1L : 0L);
                if (xfer_go(x, ret_now) != 0) {
                        xfer_release(x);
                        return 1;
                }
                return 0;
        }
        x = calloc(1, sizeof(*x));
        if (!x) {
                probe_result_set(ret_now, req->id, false, "curl: %s failed", what);
                return 1;
        }
        x->h = h;
        ev_timer_init(&x->deadline, on_deadline, 0., 0.);
        x->deadline.data = x;
        LIST_PUSH(h->xfers, x);
        if (xfer_arm(x, req) < 0)
                goto fail;
        for (char **hd = req->headers; hd && *hd; hd++) {
                struct curl_slist *l = curl_slist_append(x->headers, *hd);
                if (!l)
                        goto fail;
                x->headers = l;
        }
        x->easy = curl_easy_init();
        if (!x->easy)
                goto fail;

        SET(CURLOPT_PRIVATE, x);
        SET(CURLOPT_ERRORBUFFER, x->errbuf);
        /* Parsed here once: a reused handle would otherwise parse the URL
         * string again on every check. A URL curl's parser refuses is left
         * to the transfer, which reports it as before. */
        x->uh = curl_url();
        if (x->uh && curl_url_set(x->uh, CURLUPART_URL, req->url, 0) == CURLUE_OK)
                SET(CURLOPT_CURLU, x->uh);
        else
                SET(CURLOPT_URL, req->url);
        SET(CURLOPT_PROTOCOLS_STR, "http,https");
        SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
        SET(CURLOPT_FOLLOWLOCATION, req->follow_redirects ? 1L : 0L);
        SET(CURLOPT_MAXREDIRS, 5L);
        /* Health checks go straight to the service: never through a proxy
         * named by the (service manager's) environment. */
        SET(CURLOPT_PROXY, "");
        SET(CURLOPT_NOPROXY, "*");
        SET(CURLOPT_NOSIGNAL, 1L);
        SET(CURLOPT_RESOLVER_START_FUNCTION, resolver_start_cb);
        SET(CURLOPT_RESOLVER_START_DATA, x);
#if LIBCURL_VERSION_NUM >= 0x075700 /* 7.87.0 */
        /* A check that times out while curl's resolver thread still waits
         * for DNS: without this, curl joins that thread as the transfer
         * ends, blocking the prober's loop (every check of every service)
         * until the resolver gives up, seconds after the timeout. With it
         * the thread is detached and frees its own memory when done. */
        SET(CURLOPT_QUICK_EXIT, 1L);
#endif
        SET(CURLOPT_TCP_NODELAY, 1L);
        SET(CURLOPT_TIMEOUT_MS, (long)req->timeout_ms);
        SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)PROBE_HTTP_BODY_MAX);
        SET(CURLOPT_WRITEFUNCTION, on_body);
        SET(CURLOPT_WRITEDATA, x);
        SET(CURLOPT_OPENSOCKETFUNCTION, open_socket_cb);
        SET(CURLOPT_OPENSOCKETDATA, h);
        SET(CURLOPT_CLOSESOCKETFUNCTION, close_socket_cb);
        SET(CURLOPT_CLOSESOCKETDATA, h);
        SET(CURLOPT_USERAGENT, "svd-probe/" SVD_VERSION);
        if (x->headers)
                SET(CURLOPT_HTTPHEADER, x->headers);
        /* TLS: by default curl's own CA store, peer and host name verified. */
        x->tls_no_verify = req->tls_no_verify;
        if (req->tls_no_verify) {
                SET(CURLOPT_SSL_VERIFYPEER, 0L);
                SET(CURLOPT_SSL_VERIFYHOST, 0L);
        }
        if (req->ca_file) {
                if (!(x->ca_file = strdup(req->ca_file)))
                        goto fail;
                /* The file replaces the default store: no CA directory
                 * either, so only what the operator named is trusted. */
                SET(CURLOPT_CAINFO, x->ca_file);
                SET(CURLOPT_CAPATH, NULL);
#if LIBCURL_VERSION_NUM >= 0x075700 /* 7.87.0 */
                /* curl keeps a parsed CA store for a day by default, keyed
                 * by the path only: a replaced file (a rotated CA) would go
                 * unseen that long. A minute; only new connections load it. */
                SET(CURLOPT_CA_CACHE_TIMEOUT, 60L);
#endif
        }

        /* Set up: from now on it may be kept for reuse. */
        x->url = strdup(req->url);
        x->key = req_key(req);
        if (xfer_go(x, ret_now) != 0) {
                xfer_release(x);
                return 1;
        }
        return 0;
fail:
        probe_result_set(ret_now, req->id, false, "curl: %s failed", what);
        curl_easy_cleanup(x->easy);
        x->easy = NULL;
        xfer_free(x, false);
        return 1;
}

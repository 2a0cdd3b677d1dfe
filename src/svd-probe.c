/* svd-probe: the prober process svd spawns to run TCP and HTTP health checks,
 * so that libcurl and TLS never load into svd (which may be PID 1) and network
 * replies are parsed by an unprivileged, seccomp-confined process. svd has
 * already dropped to the prober's uid; here we only confine ourselves: close
 * every fd but 0-3, initialise libcurl and the libev loop (which open what
 * they need up front), then set no_new_privs and load an allow-list seccomp
 * filter before the first request is read. Requests arrive on fd 3, a
 * SOCK_SEQPACKET socket, as newline-separated JSON objects, many per packet
 * (probe_proto.h); checks run concurrently and replies go back in completion
 * order, packed into as few packets as fit (sent before the loop sleeps, once
 * the other checks in flight are done or after at most 10 ms), and the loop
 * collects I/O for a few ms per wakeup:
 * at hundreds of checks a second, wakeups and packets are what costs. In-flight checks plus queued replies
 * are bounded, one request at a time: at the bound the rest of the packet
 * being handled waits and fd 3 is not read, so neither a packet of many
 * requests nor a svd that stops reading replies can make us grow. EOF on
 * fd 3 means svd is done with us: exit 0. SVD_PROBE_NO_SECCOMP=1 skips the
 * filter, for debugging only. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>
#include <ev.h>

#include "log.h"
#include "probe_http.h"
#include "probe_lookup.h"
#include "probe_proto.h"
#include "probe_seccomp.h"
#include "probe_tcp.h"
#include "util.h"

#define PROBER_MAX_PENDING 1024 /* checks in flight + replies not yet sent */
#define PROBER_READ_BATCH 64    /* packets read per wakeup, to keep replies flowing */
#define PROBER_PACK_IOV 256     /* replies packed into one packet, at most */
/* Bytes per reply packet (the protocol allows PROBE_MAX_MSG): svd reads a
 * packet into a stack buffer, and every page one touches stays with svd. */
#define PROBER_PACK_BYTES (8u * 1024)
/* libev's io collect interval: after a wakeup, events arriving within this
 * time are handled together. At hundreds of checks a second the prober's CPU
 * is mostly wakeups, one per request packet and per HTTP response; batching
 * them costs at most this much latency per step of a check (timeouts and
 * curl's timers are not delayed). */
#define PROBER_IO_COLLECT_S 0.005
/* Replies wait for the other checks in flight, for at most this long: the
 * checks of one grid slot (sent by svd in one packet) finish within a few ms
 * of each other, and one reply packet for them wakes svd once instead of once
 * per loop iteration that finished some. A check alone in flight (a starting
 * service's, typically: they are not on the grid) is replied at once. */
#define PROBER_REPLY_HOLD_S 0.010

struct reply {
        struct reply *next;
        size_t len; /* with the '\n' that separates it from the next one */
        char buf[];
};

struct prober {
        struct ev_loop *loop;
        ev_io in, out;
        ev_idle resume; /* handles the rest of a packet once there is room */
        ev_prepare prep;
        ev_timer hold;     /* ends the wait of queued replies */
        ev_tstamp q_since; /* when the oldest queued reply was queued */
        struct probe_lookup *lookup; /* host names, for both */
        struct probe_tcp *tcp;
        struct probe_http *http;
        unsigned inflight;
        struct reply *q_head, *q_tail;
        unsigned q_len;
        int exit_code;
        /* The packet read last; rest is where its requests not handled yet
         * begin (NULL: none left). */
        const char *rest, *pkt_end;
        char pkt[PROBE_MAX_MSG + 1];
};

static bool has_room(const struct prober *p)
{
        return p->inflight + p->q_len < PROBER_MAX_PENDING;
}

/* fd 3 is read only with room and no request of the last packet waiting;
 * those are handled first, as soon as there is room. */
static void update_reading(struct prober *p)
{
        bool room = has_room(p), read = room && !p->rest;

        if (read && !ev_is_active(&p->in))
                ev_io_start(p->loop, &p->in);
        else if (!read && ev_is_active(&p->in))
                ev_io_stop(p->loop, &p->in);
        if (room && p->rest && !ev_is_active(&p->resume))
                ev_idle_start(p->loop, &p->resume);
        else if (!(room && p->rest) && ev_is_active(&p->resume))
                ev_idle_stop(p->loop, &p->resume);
}

static void peer_gone(struct prober *p, int err)
{
        if (err != EPIPE && err != ECONNRESET) {
                log_err("fd %d: %s", PROBE_FD, strerror(err));
                p->exit_code = 1;
        }
        ev_break(p->loop, EVBREAK_ALL);
}

/* Sends queued replies until the socket is full, as many per packet as fit
 * in PROBER_PACK_BYTES; returns false if svd is gone. */
static bool flush(struct prober *p)
{
        while (p->q_head) {
                struct iovec iov[PROBER_PACK_IOV];
                unsigned n = 0;
                size_t total = 0;
                for (struct reply *r = p->q_head;
                     r && n < PROBER_PACK_IOV && (n == 0 || total + r->len <= PROBER_PACK_BYTES); r = r->next, n++) {
                        iov[n] = (struct iovec){ .iov_base = r->buf, .iov_len = r->len };
                        total += r->len;
                }
                struct msghdr mh = { .msg_iov = iov, .msg_iovlen = n };
                if (sendmsg(PROBE_FD, &mh, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
                        if (errno == EAGAIN || errno == EINTR || errno == ENOBUFS)
                                break;
                        peer_gone(p, errno);
                        return false;
                }
                for (unsigned i = 0; i < n; i++) {
                        struct reply *r = p->q_head;
                        p->q_head = r->next;
                        p->q_len--;
                        free(r);
                }
                if (!p->q_head)
                        p->q_tail = NULL;
        }
        if (p->q_head && !ev_is_active(&p->out))
                ev_io_start(p->loop, &p->out);
        else if (!p->q_head && ev_is_active(&p->out))
                ev_io_stop(p->loop, &p->out);
        return true;
}

/* Queues a reply; the queue goes out once per loop iteration (on_prepare), so
 * the replies of checks finishing together wake svd once. */
static void reply(struct prober *p, const struct probe_result *res)
{
        char json[PROBE_RESULT_MSG_MAX];
        size_t len;
        int r = probe_result_encode_into(res, json, sizeof(json), &len);
        if (r < 0) {
                log_err("cannot encode reply %lld: %s", (long long)res->id, strerror(-r));
                return;
        }
        struct reply *q = malloc(sizeof(*q) + len + 1);
        if (!q) {
                log_err("cannot queue reply %lld: out of memory", (long long)res->id);
                return;
        }
        q->next = NULL;
        q->len = len + 1;
        memcpy(q->buf, json, len);
        q->buf[len] = '\n';
        if (!p->q_head)
                p->q_since = ev_now(p->loop);
        if (p->q_tail)
                p->q_tail->next = q;
        else
                p->q_head = q;
        p->q_tail = q;
        p->q_len++;
        update_reading(p);
}

static void on_check_done(const struct probe_result *res, void *userdata)
{
        struct prober *p = userdata;

        p->inflight--;
        reply(p, res);
}

static void handle_message(struct prober *p, const char *buf, size_t len)
{
        _cleanup_(probe_req_done) struct probe_req req = { 0 };
        struct probe_result res;
        char err[200];
        int r;

        r = probe_req_decode(buf, len, &req, err, sizeof(err));
        if (r < 0) {
                probe_result_set(&res, req.id, false, "bad request: %s", err);
                reply(p, &res);
                return;
        }
        if (req.kind == PROBE_REQ_TCP)
                r = probe_tcp_start(p->tcp, &req, &res);
        else
                r = probe_http_start(p->http, &req, &res);
        if (r == 0)
                p->inflight++;
        else
                reply(p, &res);
}

/* Handles the requests of the last packet while there is room for each. */
static void handle_rest(struct prober *p)
{
        const char *msg;
        size_t len;

        while (p->rest && has_room(p)) {
                msg = probe_msg_next(&p->rest, p->pkt_end, &len);
                if (!msg)
                        p->rest = NULL;
                else
                        handle_message(p, msg, len);
        }
        update_reading(p);
}

static void on_resume(struct ev_loop *loop, ev_idle *w, int revents)
{
        handle_rest(w->data);
}

static void on_readable(struct ev_loop *loop, ev_io *w, int revents)
{
        struct prober *p = w->data;

        for (int i = 0; i < PROBER_READ_BATCH && ev_is_active(&p->in); i++) {
                struct iovec iov = { .iov_base = p->pkt, .iov_len = sizeof(p->pkt) };
                struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
                ssize_t n = recvmsg(PROBE_FD, &mh, MSG_DONTWAIT);
                if (n < 0) {
                        if (errno == EAGAIN || errno == EINTR)
                                return;
                        peer_gone(p, errno);
                        return;
                }
                if (n == 0) { /* svd never sends empty packets: this is EOF */
                        ev_break(loop, EVBREAK_ALL);
                        return;
                }
                if ((mh.msg_flags & MSG_TRUNC) || (size_t)n > PROBE_MAX_MSG) {
                        struct probe_result res;
                        probe_result_set(&res, -1, false, "bad request: message: larger than %u bytes",
                                         PROBE_MAX_MSG);
                        reply(p, &res);
                        continue;
                }
                p->rest = p->pkt;
                p->pkt_end = p->pkt + n;
                handle_rest(p);
        }
}

/* Before the loop sleeps: send the queued replies once no other check is in
 * flight (or the wait is over, or a packet's worth is queued); else make
 * sure the loop wakes up when the wait ends. */
static void on_prepare(struct ev_loop *loop, ev_prepare *w, int revents)
{
        struct prober *p = w->data;

        if (!p->q_head || ev_is_active(&p->out))
                return;
        ev_tstamp left = p->q_since + PROBER_REPLY_HOLD_S - ev_now(loop);
        if (p->inflight == 0 || left <= 0 || p->q_len >= PROBER_PACK_IOV) {
                ev_timer_stop(loop, &p->hold);
                if (flush(p))
                        update_reading(p);
        } else if (!ev_is_active(&p->hold)) {
                ev_timer_set(&p->hold, left, 0.);
                ev_timer_start(loop, &p->hold);
        }
}

/* The wait is over: on_prepare sends them (it runs before the loop sleeps). */
static void on_hold(struct ev_loop *loop, ev_timer *w, int revents)
{
}

static void on_writable(struct ev_loop *loop, ev_io *w, int revents)
{
        struct prober *p = w->data;

        if (flush(p))
                update_reading(p);
}

/* Only 0, 1, 2 and our socket survive: svd may hand us nothing else, and a
 * leaked descriptor is exactly what a confined process must not hold. */
static int close_other_fds(void)
{
        if (close_range(PROBE_FD + 1, ~0U, 0) == 0)
                return 0;
        long max = sysconf(_SC_OPEN_MAX);
        for (long fd = PROBE_FD + 1; fd < (max > 0 ? max : 65536); fd++)
                close((int)fd);
        return 0;
}

static int check_socket(void)
{
        struct stat st;
        int type = 0;
        socklen_t len = sizeof(type);

        if (fstat(PROBE_FD, &st) < 0)
                return -errno;
        if (!S_ISSOCK(st.st_mode))
                return -ENOTSOCK;
        if (getsockopt(PROBE_FD, SOL_SOCKET, SO_TYPE, &type, &len) < 0)
                return -errno;
        if (type != SOCK_SEQPACKET)
                return -EPROTOTYPE;
        return fd_nonblock_cloexec(PROBE_FD);
}

int main(int argc, char **argv)
{
        static struct prober p; /* pkt buffer: keep it off the stack */
        int r;

        if (argc > 1) {
                fprintf(stderr,
                        "Usage: svd-probe\n"
                        "Started by svd with a SOCK_SEQPACKET socket as fd %d; runs the TCP and HTTP\n"
                        "health checks it is sent and replies with their results.\n",
                        PROBE_FD);
                return 2;
        }
        close_other_fds();
        r = check_socket();
        if (r < 0) {
                log_err("fd %d is not a usable SOCK_SEQPACKET socket (%s); svd-probe is started by svd",
                        PROBE_FD, strerror(-r));
                return 2;
        }
        signal(SIGPIPE, SIG_IGN);

        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
                log_err("curl_global_init failed");
                return 1;
        }
        /* Not ev_default_loop: that one installs a SIGCHLD handler we have no use for. */
        p.loop = ev_loop_new(EVBACKEND_EPOLL | EVFLAG_NOENV);
        if (!p.loop) {
                log_err("cannot create the event loop");
                return 1;
        }
        r = probe_lookup_new(p.loop, &p.lookup);
        if (r >= 0)
                r = probe_tcp_new(p.loop, p.lookup, on_check_done, &p, &p.tcp);
        if (r >= 0)
                r = probe_http_new(p.loop, p.lookup, on_check_done, &p, &p.http);
        if (r < 0) {
                log_err("cannot set up libcurl: %s", strerror(-r));
                return 1;
        }

        const char *no = getenv("SVD_PROBE_NO_SECCOMP");
        if (no && strcmp(no, "1") == 0) {
                log_warn("SVD_PROBE_NO_SECCOMP=1: running WITHOUT the seccomp filter (debugging only)");
        } else {
                r = probe_seccomp_install();
                if (r < 0) {
                        log_err("cannot confine myself with seccomp: %s", strerror(-r));
                        return 1;
                }
        }

        ev_io_init(&p.in, on_readable, PROBE_FD, EV_READ);
        p.in.data = &p;
        ev_io_init(&p.out, on_writable, PROBE_FD, EV_WRITE);
        p.out.data = &p;
        ev_idle_init(&p.resume, on_resume);
        p.resume.data = &p;
        ev_prepare_init(&p.prep, on_prepare);
        p.prep.data = &p;
        ev_timer_init(&p.hold, on_hold, 0., 0.);
        p.hold.data = &p;
        ev_io_start(p.loop, &p.in);
        ev_prepare_start(p.loop, &p.prep);
        ev_set_io_collect_interval(p.loop, PROBER_IO_COLLECT_S);
        ev_run(p.loop, 0);

        probe_http_free(p.http);
        probe_tcp_free(p.tcp);
        probe_lookup_free(p.lookup);
        while (p.q_head) {
                struct reply *q = p.q_head;
                p.q_head = q->next;
                free(q);
        }
        ev_loop_destroy(p.loop);
        curl_global_cleanup();
        return p.exit_code;
}

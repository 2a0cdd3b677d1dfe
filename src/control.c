/* control: the socket server (see control.h). Reads are non-blocking and
 * buffered per client until a whole frame is there; replies are queued and
 * written when the socket is writable, so a client that stops reading can
 * only fill its own bounded queue and is then dropped. A large reply (status
 * of hundreds of services) builds a cJSON tree and a frame worth hundreds of
 * KiB; glibc keeps such freed pages (and raises its trim threshold after
 * every large free), so svd's footprint would ratchet up with each poll of
 * `svctl status`. Once such a reply is out and the client gone, the heap is
 * trimmed, coalesced to once per CONTROL_TRIM_DELAY; so is a read buffer
 * that held a large request (control_rbuf.h). An op that replies later
 * (control_defer) leaves its client waiting: svd stops reading from it
 * (what it sends ahead waits in its socket), watches it for hang-up only
 * (control_hup.h), and handles its next request once the deferred reply is
 * queued, so replies stay one per request, in order. A client that
 * pipelines requests takes turns (control_turns.h). */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <ev.h>

#include "audit.h"
#include "control.h"
#include "control_adopt.h"
#include "control_hup.h"
#include "control_peer.h"
#include "control_rbuf.h"
#include "control_turns.h"
#include "events.h"
#include "log.h"
#include "logfollow.h"
#include "proto.h"
#include "svd.h"

struct client {
        struct control *ctl;
        int fd;
        ev_io rio, wio;
        ev_timer idle;
        struct control_rbuf rb;
        char *wbuf;
        size_t wlen, woff;
        bool closing; /* flush what is queued, then close */
        /* it shut down its sending side: the requests read are answered,
         * then it is closed (once no deferred reply is due) */
        bool eof;
        bool follower; /* logs_follow: gets frames of lines, never times out */
        bool follows_logs; /* logs_follow (administrators only), not only events */
        bool secret;   /* wbuf holds a reply with a secret: wiped once sent */
        /* read_cb is handling a request: a request can make svd send to this
         * very client (events it causes go to every follower), and a failed
         * send then only marks it dead; read_cb frees it once done */
        bool busy, dead;
        struct control_peer peer;
        struct control_defer *deferred; /* its request waits for this reply */
};

/* A request whose reply an op sends later (control.h). cl is NULL once
 * the client is gone; req is kept for the audit line. */
struct control_defer {
        struct client *cl;
        struct svd *m;
        cJSON *req;
        struct control_peer peer;
        char comm[64]; /* its command when it asked: the audit line comes with the reply */
};

/* The object control_handle returns for a deferred reply: never sent,
 * never freed; compared by address. */
cJSON control_deferred_reply;

struct control {
        struct svd *m;
        int fd;
        char *path;
        ev_io accept_io;
        /* accept4 failed for want of descriptors or memory: the connection
         * stays queued, the socket readable; accepting waits a while */
        ev_timer accept_retry;
        int accept_err; /* the errno of that failure, 0 when accepting works */
        struct client *handling; /* whose request control_handle is handling */
        struct client *clients[CONTROL_MAX_CLIENTS];
        size_t n_clients;
        struct control_hup *hup; /* the clients waiting for a deferred reply */
        struct control_turns *turns; /* the clients with requests left over */
        ev_timer trim;    /* malloc_trim after large replies */
        bool trim_wanted; /* a large reply was built since the last trim */
};

#define CONTROL_TRIM_REPLY (64u << 10) /* a reply this large asks for a trim */
#define CONTROL_TRIM_DELAY 0.5         /* seconds: polls in a burst share one trim */
#define CONTROL_ACCEPT_RETRY 0.2       /* seconds between accepts after EMFILE and the like */
#define CONTROL_FLUSH_ALL_MAX (1 * USEC_PER_SEC) /* control_flush_all, for all clients together */

static void trim_cb(struct ev_loop *loop, ev_timer *w, int revents) {
        struct control *c = w->data;
        /* Clients still holding big buffers would keep them anyway: wait. */
        for (size_t i = 0; i < c->n_clients; i++)
                if (c->clients[i]->wlen > 0 && !c->clients[i]->follower) {
                        ev_timer_set(w, CONTROL_TRIM_DELAY, 0.);
                        ev_timer_start(loop, w);
                        return;
                }
        c->trim_wanted = false;
        malloc_trim(0);
}

static void trim_soon(struct control *c) {
        if (!c->trim_wanted || ev_is_active(&c->trim))
                return;
        ev_timer_set(&c->trim, CONTROL_TRIM_DELAY, 0.);
        ev_timer_start(c->m->loop, &c->trim);
}

static void client_free(struct client *cl) {
        struct control *c = cl->ctl;
        struct ev_loop *loop = c->m->loop;
        ev_io_stop(loop, &cl->rio);
        ev_io_stop(loop, &cl->wio);
        ev_timer_stop(loop, &cl->idle);
        control_turns_remove(c->turns, cl);
        if (cl->follower) {
                logs_unfollow(c->m, cl);
                events_unfollow(c->m, cl);
        }
        if (cl->busy) { /* inert until read_cb frees it: nothing sends to it */
                cl->dead = true;
                return;
        }
        if (cl->deferred) { /* the op carries on; its reply has nowhere to go */
                log_info("control: client uid %u pid %d went away while its request was still being handled",
                         (unsigned)cl->peer.uid, (int)cl->peer.pid);
                cl->deferred->cl = NULL;
                cl->deferred = NULL;
        }
        control_hup_unwatch(c->hup, cl->fd);
        close(cl->fd);
        for (size_t i = 0; i < c->n_clients; i++)
                if (c->clients[i] == cl) {
                        c->clients[i] = c->clients[--c->n_clients];
                        break;
                }
        /* a request cut short may hold a value or passphrase */
        control_rbuf_free(&cl->rb);
        if (cl->wbuf && cl->secret)
                explicit_bzero(cl->wbuf, cl->wlen);
        free(cl->wbuf);
        free(cl);
        trim_soon(c);
}

/* Sends what is queued; false if the client is gone (freed, or dead), and
 * then cl must not be used any more. */
static bool client_flush(struct client *cl) {
        if (cl->dead)
                return false;
        while (cl->woff < cl->wlen) {
                ssize_t n = send(cl->fd, cl->wbuf + cl->woff, cl->wlen - cl->woff, MSG_NOSIGNAL | MSG_DONTWAIT);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN) {
                                ev_io_start(cl->ctl->m->loop, &cl->wio);
                                return true;
                        }
                        client_free(cl);
                        return false;
                }
                cl->woff += (size_t)n;
        }
        if (cl->secret) {
                explicit_bzero(cl->wbuf, cl->wlen);
                cl->secret = false;
        }
        /* nothing kept for the next reply: an idle client holds no buffer */
        cl->woff = cl->wlen = 0;
        free(cl->wbuf);
        cl->wbuf = NULL;
        ev_io_stop(cl->ctl->m->loop, &cl->wio);
        if (cl->closing || (cl->eof && !cl->deferred && !cl->rb.len)) {
                client_free(cl);
                return false;
        }
        return true;
}

/* Frees a frame, wiped first if it held a secret. */
static void frame_free(char *buf, size_t len, bool secret) {
        if (buf && secret)
                explicit_bzero(buf, len);
        free(buf);
}

/* Unsent reply bytes of the clients that are not administrators. */
static size_t users_pending(const struct control *c) {
        size_t n = 0;
        for (size_t i = 0; i < c->n_clients; i++)
                if (!c->clients[i]->peer.admin)
                        n += c->clients[i]->wlen - c->clients[i]->woff;
        return n;
}

/* Read buffer bytes of the clients that are not administrators. */
static size_t users_reading(const struct control *c) {
        size_t n = 0;
        for (size_t i = 0; i < c->n_clients; i++)
                if (!c->clients[i]->peer.admin)
                        n += c->clients[i]->rb.cap;
        return n;
}

/* Queues a reply; returns false if the client was dropped. secret: it
 * holds a value (secret get): no copy of it outlives its sending. */
static bool client_queue_as(struct client *cl, const cJSON *reply, bool secret) {
        char *buf = NULL;
        size_t len = 0;
        if (cl->dead)
                return false;
        int r = secret ? proto_frame_encode_secret(reply, &buf, &len) : proto_frame_encode(reply, &buf, &len);
        if (r == -EMSGSIZE) {
                /* Skipping it would leave the client waiting for a reply that
                 * never comes: it gets an error instead, and the log says so. */
                log_warn("control: a reply to pid %d exceeds the frame limit (%u bytes): sent an error instead",
                         (int)cl->peer.pid, PROTO_MAX_FRAME);
                cJSON *e = proto_reply_error(PROTO_E_FAILED,
                                             "the reply would exceed the protocol's frame limit (%u bytes); "
                                             "ask for less (e.g. name the services)",
                                             PROTO_MAX_FRAME);
                r = e ? proto_frame_encode(e, &buf, &len) : -ENOMEM;
                cJSON_Delete(e);
                secret = false;
        }
        if (r < 0) { /* out of memory: a reply is lost, so is the client */
                client_free(cl);
                return false;
        }
        if (secret)
                cl->secret = true;
        if (len >= CONTROL_TRIM_REPLY)
                cl->ctl->trim_wanted = true;
        if (cl->wlen - cl->woff + len > CONTROL_MAX_PENDING) {
                frame_free(buf, len, secret);
                log_warn("control: dropping client pid %d: it does not read its replies", (int)cl->peer.pid);
                client_free(cl);
                return false;
        }
        if (!cl->peer.admin && users_pending(cl->ctl) + len > CONTROL_MAX_PENDING_USERS) {
                frame_free(buf, len, secret);
                log_warn("control: dropping client pid %d: users other than root and the admin group leave more "
                         "than %u MiB of replies unread",
                         (int)cl->peer.pid, CONTROL_MAX_PENDING_USERS >> 20);
                client_free(cl);
                return false;
        }
        if (cl->woff) {
                memmove(cl->wbuf, cl->wbuf + cl->woff, cl->wlen - cl->woff);
                cl->wlen -= cl->woff;
                /* the tail the move left behind is beyond what is wiped later */
                if (cl->secret)
                        explicit_bzero(cl->wbuf + cl->wlen, cl->woff);
                cl->woff = 0;
        }
        char *nb = cl->secret ? control_grow_wiped(&cl->wbuf, cl->wlen, cl->wlen + len) : realloc(cl->wbuf, cl->wlen + len);
        if (!nb) {
                frame_free(buf, len, secret);
                client_free(cl);
                return false;
        }
        cl->wbuf = nb;
        memcpy(cl->wbuf + cl->wlen, buf, len);
        cl->wlen += len;
        frame_free(buf, len, secret);
        return true;
}

static bool client_queue(struct client *cl, const cJSON *reply) {
        return client_queue_as(cl, reply, false);
}

bool control_client_send(void *client, const cJSON *msg) {
        struct client *cl = client;
        if (!client_queue(cl, msg))
                return false;
        return client_flush(cl); /* (cl may be freed: not read after this) */
}

/* logs_follow: subscribe this client; its idle timeout no longer applies. */
static cJSON *client_follow(struct client *cl, const cJSON *req) {
        const cJSON *op = cJSON_GetObjectItemCaseSensitive(req, "op");
        char err[256];
        /* the common fields ("v") are checked as for any other request */
        if (proto_request_parse(req, NULL, err, sizeof(err)) < 0)
                return proto_reply_error(PROTO_E_BAD_REQUEST, "%s", err);
        cJSON *reply = proto_op_from_name(op->valuestring) == OP_EVENTS ? events_op_follow(cl->ctl->m, req, cl)
                                                                       : logs_op_follow(cl->ctl->m, req, cl, &cl->peer);
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(reply, "ok")) && !cl->follower) {
                cl->follower = true;
                ev_timer_stop(cl->ctl->m->loop, &cl->idle);
        }
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(reply, "ok")) && proto_op_from_name(op->valuestring) == OP_LOGS_FOLLOW)
                cl->follows_logs = true;
        return reply;
}

static bool is_follow(const cJSON *req) {
        const cJSON *op = cJSON_GetObjectItemCaseSensitive(req, "op");
        enum proto_op o = cJSON_IsString(op) ? proto_op_from_name(op->valuestring) : OP_INVALID;
        return o == OP_LOGS_FOLLOW ||
               (o == OP_EVENTS && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(req, "follow")));
}

static void write_cb(struct ev_loop *loop, ev_io *w, int revents) {
        client_flush(w->data);
}

static void idle_cb(struct ev_loop *loop, ev_timer *w, int revents) {
        client_free(w->data);
}

/* Sends a final error and closes once it is written. */
static void client_fail(struct client *cl, enum proto_code code, const char *msg) {
        cJSON *r = proto_reply_error(code, "%s", msg);
        ev_io_stop(cl->ctl->m->loop, &cl->rio);
        control_turns_remove(cl->ctl->turns, cl); /* nothing more is handled */
        cl->closing = true;
        if (r && !client_queue(cl, r)) {
                cJSON_Delete(r);
                return;
        }
        cJSON_Delete(r);
        client_flush(cl);
}

void control_logs_ended(void *client, int code, const char *msg) {
        struct client *cl = client;
        logs_unfollow(cl->ctl->m, cl);
        cl->follows_logs = false;
        client_fail(cl, (enum proto_code)code, msg);
}

/* Handles the whole requests in cl's buffer, up to one whose reply is
 * deferred or for CONTROL_TURN_USEC (what is left waits for its next turn,
 * unread meanwhile); then sends what is queued. */
static void client_process(struct client *cl) {
        size_t off = 0;
        usec_t until = now_mono() + CONTROL_TURN_USEC;
        bool more = false;
        while (!cl->deferred) {
                if (off && now_mono() >= until && (more = control_rbuf_whole(&cl->rb, off)))
                        break;
                cJSON *req = NULL;
                size_t used = 0;
                int r = proto_frame_decode(cl->rb.p + off, cl->rb.len - off, &req, &used);
                if (r == 0)
                        break;
                if (r == -EMSGSIZE) {
                        char msg[128];
                        snprintf(msg, sizeof(msg), "frame too large (limit %u bytes)", PROTO_MAX_FRAME);
                        client_fail(cl, PROTO_E_BAD_REQUEST, msg);
                        return;
                }
                if (r == -EILSEQ) {
                        client_fail(cl, PROTO_E_BAD_REQUEST,
                                    "bad frame: a string holds U+0000 (\\u0000), which would cut it short; "
                                    "send a secret value with NUL bytes as value_base64");
                        return;
                }
                if (r < 0) {
                        char why[128];
                        proto_frame_why(cl->rb.p + off, cl->rb.len - off, why, sizeof(why));
                        client_fail(cl, PROTO_E_BAD_REQUEST, why);
                        return;
                }
                off += used;
                const cJSON *opj = cJSON_GetObjectItemCaseSensitive(req, "op");
                bool secret = cJSON_IsString(opj) && proto_op_secret(proto_op_from_name(opj->valuestring));
                /* no followers in the emergency state: control_handle refuses */
                cl->busy = true;
                cl->ctl->handling = cl;
                cJSON *reply = is_follow(req) && !cl->ctl->m->emergency ? client_follow(cl, req)
                                                                        : control_handle(cl->ctl->m, req, &cl->peer);
                cl->ctl->handling = NULL;
                if (reply == CONTROL_DEFERRED) /* audited with the reply (control_defer_reply) */
                        reply = NULL;
                else
                        audit_request(cl->ctl->m, &cl->peer, NULL, req, reply);
                cl->busy = false;
                if (secret)
                        proto_wipe(req);
                cJSON_Delete(req);
                if (cl->dead) { /* dropped while its request was handled */
                        if (secret)
                                proto_wipe(reply);
                        cJSON_Delete(reply);
                        client_free(cl);
                        return;
                }
                if (reply) {
                        bool alive = client_queue_as(cl, reply, secret);
                        if (secret)
                                proto_wipe(reply);
                        cJSON_Delete(reply);
                        if (!alive)
                                return;
                }
        }
        /* a request cut short by the shutdown: never completed */
        if (cl->eof && !cl->deferred && !more)
                off = cl->rb.len;
        /* wiped: set and unlock carry secrets */
        if (off && control_rbuf_consume(&cl->rb, off) >= CONTROL_TRIM_REPLY) {
                cl->ctl->trim_wanted = true;
                trim_soon(cl->ctl);
        }
        if (more) {
                ev_io_stop(cl->ctl->m->loop, &cl->rio);
                control_turns_add(cl->ctl->turns, cl);
        }
        client_flush(cl);
}

/* Its turn (control_turns.h): the requests left over, then reading again. */
static void turn_cb(void *data)
{
        struct client *cl = data;
        if (!cl->follower)
                ev_timer_again(cl->ctl->m->loop, &cl->idle);
        if (!cl->eof)
                ev_io_start(cl->ctl->m->loop, &cl->rio);
        client_process(cl);
}

static void read_cb(struct ev_loop *loop, ev_io *w, int revents) {
        struct client *cl = w->data;
        size_t room;
        if (cl->eof) { /* fed by control_defer_reply: what was read before the shutdown */
                client_process(cl);
                return;
        }
        /* a large request of such a user past the bound is refused (a
         * small one is always read: most requests are) */
        size_t need = control_rbuf_need(&cl->rb);
        if (!cl->peer.admin && need > CONTROL_RBUF_SMALL && need > cl->rb.cap &&
            users_reading(cl->ctl) - cl->rb.cap + need > CONTROL_MAX_READING_USERS) {
                char msg[200];
                snprintf(msg, sizeof(msg), "too busy: requests of users other than root and the admin group "
                         "would hold more than %u MiB; send it again later", CONTROL_MAX_READING_USERS >> 20);
                client_fail(cl, PROTO_E_BUSY, msg);
                return;
        }
        if (control_rbuf_reserve(&cl->rb, &room) < 0) {
                client_free(cl);
                return;
        }
        if (!room) { /* fed by control_defer_reply: a whole request is in */
                client_process(cl);
                return;
        }
        ssize_t n = recv(cl->fd, cl->rb.p + cl->rb.len, room, MSG_DONTWAIT);
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
                /* fed by control_defer_reply: the requests read meanwhile */
                if (cl->rb.len && !cl->deferred)
                        client_process(cl);
                return;
        }
        if (n == 0 && !cl->follower && !control_hup_closed(cl->fd)) {
                /* half-closed (shutdown(SHUT_WR)): it may still read; a
                 * follower's stream has no end to wait for */
                cl->eof = true;
                ev_io_stop(loop, &cl->rio);
                if (!cl->deferred)
                        client_process(cl);
                return;
        }
        if (n <= 0) {
                client_free(cl);
                return;
        }
        cl->rb.len += (size_t)n;
        if (!cl->follower)
                ev_timer_again(loop, &cl->idle);
        client_process(cl);
}

struct control_defer *control_defer(struct svd *m, const cJSON *req, const struct control_peer *peer) {
        struct client *cl = m->ctl ? m->ctl->handling : NULL;
        if (!cl || &cl->peer != peer || cl->deferred)
                return NULL;
        struct control_defer *d = calloc(1, sizeof(*d));
        if (!d)
                return NULL;
        if (!(d->req = cJSON_Duplicate(req, true))) {
                free(d);
                return NULL;
        }
        d->cl = cl;
        d->m = m;
        d->peer = cl->peer;
        audit_peer_comm(cl->peer.pid, d->comm, sizeof(d->comm));
        cl->deferred = d;
        /* waiting for svd is not idling; what it sends meanwhile waits */
        ev_timer_stop(m->loop, &cl->idle);
        ev_io_stop(m->loop, &cl->rio);
        int r = control_hup_watch(m->ctl->hup, cl->fd, cl);
        if (r < 0)
                log_warn("control: cannot watch client pid %d for hang-up (%s): its going away is noticed "
                         "only once its reply is ready", (int)cl->peer.pid, strerror(-r));
        return d;
}

void control_defer_reply(struct control_defer *d, cJSON *reply) {
        if (!d) {
                cJSON_Delete(reply);
                return;
        }
        struct client *cl = d->cl;
        audit_request(d->m, &d->peer, d->comm, d->req, reply);
        cJSON_Delete(d->req);
        free(d);
        if (!cl) { /* gone (client_free logged it) */
                cJSON_Delete(reply);
                return;
        }
        cl->deferred = NULL;
        control_hup_unwatch(cl->ctl->hup, cl->fd);
        bool alive = reply ? client_queue(cl, reply) : false;
        cJSON_Delete(reply);
        if (!alive) {
                if (!reply) /* out of memory: the client would wait for nothing */
                        client_free(cl);
                return;
        }
        struct ev_loop *loop = cl->ctl->m->loop;
        if (!cl->follower)
                ev_timer_again(loop, &cl->idle);
        if (!cl->eof)
                ev_io_start(loop, &cl->rio);
        /* its next requests may be in the buffer already: handled from the
         * loop, not here (this can run inside another client's request) */
        if (cl->rb.len)
                ev_feed_event(loop, &cl->rio, EV_READ);
        client_flush(cl);
}

bool control_defer_gone(const struct control_defer *d) {
        return !d || !d->cl;
}

/* The connections of a user other than root and admin_group. */
static size_t clients_of(const struct control *c, uid_t uid) {
        size_t n = 0;
        for (size_t i = 0; i < c->n_clients; i++)
                n += !c->clients[i]->peer.admin && c->clients[i]->peer.uid == uid;
        return n;
}

/* A client whose request waits closed its connection (client_free logs it).
 * Unwatched first: a hang-up stays reported until then. */
static void hup_cb(void *data) {
        struct client *cl = data;
        control_hup_unwatch(cl->ctl->hup, cl->fd);
        client_free(cl);
}

static void accept_retry_cb(struct ev_loop *loop, ev_timer *w, int revents) {
        struct control *c = w->data;
        ev_io_start(loop, &c->accept_io);
}

static void accept_cb(struct ev_loop *loop, ev_io *w, int revents) {
        struct control *c = w->data;
        int fd = accept4(c->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
                int e = errno;
                if (e == EAGAIN || e == EINTR || e == ECONNABORTED)
                        return;
                /* EMFILE, ENFILE, ENOBUFS, ENOMEM: the connection is still
                 * queued and the socket readable; trying again at once
                 * would spin the loop until a descriptor is free */
                if (e != c->accept_err)
                        log_warn("control: cannot accept a connection: %s; trying again every %g s", strerror(e),
                                 CONTROL_ACCEPT_RETRY);
                c->accept_err = e;
                ev_io_stop(loop, &c->accept_io);
                ev_timer_set(&c->accept_retry, CONTROL_ACCEPT_RETRY, 0.);
                ev_timer_start(loop, &c->accept_retry);
                return;
        }
        if (c->accept_err) {
                log_info("control: accepting connections again");
                c->accept_err = 0;
        }
        struct ucred uc;
        socklen_t ul = sizeof(uc);
        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &ul) < 0) {
                close(fd);
                return;
        }
        /* The last CONTROL_ADMIN_RESERVE slots are for administrators, so
         * connections an unprivileged user holds open cannot lock root out;
         * nor can one such user lock the others out (CONTROL_MAX_PER_USER). */
        bool admin = control_peer_is_admin(c->m->cfg, fd, &uc);
        bool full = c->n_clients >= (admin ? CONTROL_MAX_CLIENTS : CONTROL_MAX_CLIENTS - CONTROL_ADMIN_RESERVE);
        if (full || (!admin && clients_of(c, uc.uid) >= CONTROL_MAX_PER_USER)) {
                control_peer_refuse(fd, admin, full, uc.uid);
                return;
        }
        struct client *cl = calloc(1, sizeof(*cl));
        if (!cl) {
                close(fd);
                return;
        }
        cl->ctl = c;
        cl->fd = fd;
        cl->peer = (struct control_peer){uc.pid, uc.uid, uc.gid, admin};
        ev_io_init(&cl->rio, read_cb, fd, EV_READ);
        ev_io_init(&cl->wio, write_cb, fd, EV_WRITE);
        ev_init(&cl->idle, idle_cb);
        cl->idle.repeat = CONTROL_IDLE_TIMEOUT;
        cl->rio.data = cl->wio.data = cl->idle.data = cl;
        c->clients[c->n_clients++] = cl;
        ev_io_start(loop, &cl->rio);
        ev_timer_again(loop, &cl->idle);
}

int control_open(struct svd *m, struct control **ret) {
        const char *path = m->cfg->control_socket;
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        if (strlen(path) >= sizeof(sa.sun_path))
                return -ENAMETOOLONG;
        strcpy(sa.sun_path, path);

        int fd = svd_inherited_fd(m, "control");
        if (fd < 0)
                fd = control_adopt_inherited(path); /* (a re-exec's, its state refused) */
        if (fd >= 0)
                goto listening; /* kept across daemon-reexec: queued clients wait */
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        /* A socket file left by a previous svd is removed, but never one that
         * a running svd still answers on. */
        struct stat st;
        if (lstat(path, &st) == 0) {
                if (!S_ISSOCK(st.st_mode)) {
                        close(fd);
                        return -EEXIST;
                }
                /* The listener can also be a child that a killed svd was
                 * spawning: until its execve it holds svd's descriptors
                 * (vfork-style, close-on-exec). So one that answers is asked
                 * again for a second before svd gives up. */
                for (int tries = 0;; tries++) {
                        /* non-blocking: a listener whose queue is full
                         * (it accepts nothing) says EAGAIN, not "wait" */
                        int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
                        bool answers = probe >= 0 && (connect(probe, (struct sockaddr *)&sa, sizeof(sa)) == 0 ||
                                                      errno == EAGAIN);
                        if (probe >= 0)
                                close(probe);
                        if (!answers)
                                break;
                        if (tries == 10) {
                                close(fd);
                                return -EADDRINUSE;
                        }
                        nanosleep(&(struct timespec){ .tv_nsec = 100 * 1000 * 1000 }, NULL);
                }
                unlink(path);
        }
        /* Readers (any local user) may connect; what they may do is decided
         * per request from SO_PEERCRED. */
        mode_t old = umask(0);
        int r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
        umask(old);
        if (r < 0 || chmod(path, 0666) < 0 || listen(fd, 128) < 0) {
                r = -errno;
                close(fd);
                return r;
        }
listening:;
        struct control *c = calloc(1, sizeof(*c));
        if (!c || !(c->path = strdup(path))) {
                free(c);
                close(fd);
                unlink(path);
                return -ENOMEM;
        }
        c->m = m;
        c->fd = fd;
        int hr = control_hup_open(m->loop, hup_cb, &c->hup);
        if (hr == 0 && (hr = control_turns_open(m->loop, turn_cb, &c->turns)) < 0)
                control_hup_close(c->hup);
        if (hr < 0) {
                free(c->path);
                free(c);
                close(fd);
                unlink(path);
                return hr;
        }
        ev_timer_init(&c->trim, trim_cb, CONTROL_TRIM_DELAY, 0.);
        c->trim.data = c;
        ev_timer_init(&c->accept_retry, accept_retry_cb, CONTROL_ACCEPT_RETRY, 0.);
        c->accept_retry.data = c;
        ev_io_init(&c->accept_io, accept_cb, fd, EV_READ);
        c->accept_io.data = c;
        ev_io_start(m->loop, &c->accept_io);
        *ret = c;
        return 0;
}

void control_reauth(struct control *c) {
        /* backwards: a client closed here is swapped with the last */
        for (size_t i = c ? c->n_clients : 0; i-- > 0;) {
                if (i >= c->n_clients)
                        continue;
                struct client *cl = c->clients[i];
                struct ucred uc = {cl->peer.pid, cl->peer.uid, cl->peer.gid};
                bool admin = control_peer_is_admin(c->m->cfg, cl->fd, &uc);
                if (admin != cl->peer.admin)
                        log_info("control: client uid %u pid %d %s administrator after the admin_group change",
                                 (unsigned)uc.uid, (int)uc.pid, admin ? "is now an" : "is no longer an");
                cl->peer.admin = admin;
                /* the lines are the 0640 files' contents: they stop with
                 * the right to read them */
                if (!admin && cl->follows_logs)
                        control_logs_ended(cl, PROTO_E_DENIED,
                                           "permission denied: logs_follow ended: no longer root or in the admin group");
        }
}

int control_listen_fd(const struct control *c) {
        return c ? c->fd : -1;
}

/* Rounds of non-blocking writes to every client with replies queued, 10 ms
 * apart, for CONTROL_FLUSH_ALL_MAX in all: a client that does not read (as
 * many as connect) costs its share of that, never a wait of its own, and
 * one that reads gets its reply in the first round. */
void control_flush_all(struct control *c) {
        if (!c)
                return;
        bool broken[CONTROL_MAX_CLIENTS] = { false };
        usec_t deadline = now_mono() + CONTROL_FLUSH_ALL_MAX;
        for (;;) {
                bool waiting = false;
                for (size_t i = 0; i < c->n_clients; i++) {
                        struct client *cl = c->clients[i];
                        while (!broken[i] && cl->woff < cl->wlen) {
                                ssize_t n = send(cl->fd, cl->wbuf + cl->woff, cl->wlen - cl->woff,
                                                 MSG_NOSIGNAL | MSG_DONTWAIT);
                                if (n > 0)
                                        cl->woff += (size_t)n;
                                else if (n < 0 && errno == EINTR)
                                        continue;
                                else {
                                        waiting |= n < 0 && errno == EAGAIN;
                                        broken[i] = !(n < 0 && errno == EAGAIN);
                                        break;
                                }
                        }
                }
                if (!waiting || now_mono() >= deadline)
                        return;
                usleep(10000);
        }
}

void control_close(struct control *c) {
        if (!c)
                return;
        while (c->n_clients)
                client_free(c->clients[0]);
        ev_timer_stop(c->m->loop, &c->trim);
        ev_io_stop(c->m->loop, &c->accept_io);
        ev_timer_stop(c->m->loop, &c->accept_retry);
        control_hup_close(c->hup);
        control_turns_close(c->turns);
        close(c->fd);
        unlink(c->path);
        free(c->path);
        free(c);
}

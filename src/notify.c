/* notify: sd_notify datagrams to service events (see notify.h). */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <ev.h>

#include "fdstore.h"
#include "log.h"
#include "mainpid.h"
#include "notify.h"
#include "sched.h"
#include "statefile.h"
#include "svd.h"
#include "utf8.h"

struct notify {
        struct svd *m;
        int fd;
        char *path;
        ev_io io;
        ev_timer flood; /* while a service is over its budget: every second */
        ev_timer pause; /* reading paused after a batch of mostly flood */
        ev_prepare consume; /* the datagram read last, once state.json has what it did */
};

bool notify_msg_changes_state(const struct notify_msg *msg) {
        return msg->ready || msg->stopping || msg->reloading || msg->watchdog || msg->mainpid > 0 ||
               msg->watchdog_trigger || msg->extend_usec || msg->has_watchdog_usec || msg->other_state;
}

int notify_parse(const char *buf, size_t len, struct notify_msg *ret) {
        struct notify_msg msg = {0};
        /* One NUL at the very end is allowed (systemd's manager allows it):
         * a sender that passes sizeof("READY=1") counts the terminator, and
         * its READY=1 must not be lost. Any other NUL is malformed. */
        if (len > 0 && buf[len - 1] == 0)
                len--;
        const char *p = buf, *end = buf + len;
        while (p < end) {
                const char *nl = memchr(p, '\n', (size_t)(end - p));
                size_t l = (size_t)((nl ? nl : end) - p);
                if (memchr(p, 0, l))
                        return -EINVAL;
                if (l == 7 && memcmp(p, "READY=1", 7) == 0)
                        msg.ready = true;
                else if (l == 10 && memcmp(p, "STOPPING=1", 10) == 0)
                        msg.stopping = true;
                else if (l == 11 && memcmp(p, "RELOADING=1", 11) == 0)
                        msg.reloading = true;
                else if (l == 10 && memcmp(p, "WATCHDOG=1", 10) == 0)
                        msg.watchdog = true;
                else if (l >= 7 && memcmp(p, "STATUS=", 7) == 0) {
                        /* A service's text, shown by svctl and sent as JSON:
                         * cleaned (utf8.h) and cut on a character boundary;
                         * an empty one clears it (as systemd does). */
                        utf8_clean(p + 7, l - 7, msg.status, sizeof(msg.status), 0);
                        msg.has_status = true;
                } else if (l > 8 && memcmp(p, "MAINPID=", 8) == 0) {
                        /* digits only (no sign, no spaces), 1 to INT_MAX */
                        uint64_t v = 0;
                        size_t i = 8;
                        for (; i < l && p[i] >= '0' && p[i] <= '9' && v <= 0x7fffffff; i++)
                                v = v * 10 + (uint64_t)(p[i] - '0');
                        if (i == l && v > 0 && v <= 0x7fffffff)
                                msg.mainpid = (pid_t)v;
                        else if (!msg.bad_key)
                                msg.bad_key = "MAINPID";
                } else if (l > 20 && memcmp(p, "EXTEND_TIMEOUT_USEC=", 20) == 0) {
                        /* digits only; a longer value than a day is a day */
                        uint64_t v = 0;
                        size_t i = 20;
                        for (; i < l && p[i] >= '0' && p[i] <= '9'; i++)
                                if (v <= NOTIFY_EXTEND_MAX)
                                        v = v * 10 + (uint64_t)(p[i] - '0');
                        if (i == l)
                                msg.extend_usec = v > NOTIFY_EXTEND_MAX ? NOTIFY_EXTEND_MAX : v;
                        else if (!msg.bad_key)
                                msg.bad_key = "EXTEND_TIMEOUT_USEC";
                } else if (l >= 14 && memcmp(p, "WATCHDOG_USEC=", 14) == 0) {
                        /* digits only; anything longer than a day is kept
                         * as just over it, for health_watchdog_usec to refuse */
                        uint64_t v = 0;
                        size_t i = 14;
                        for (; i < l && p[i] >= '0' && p[i] <= '9'; i++)
                                if (v <= NOTIFY_EXTEND_MAX)
                                        v = v * 10 + (uint64_t)(p[i] - '0');
                        if (i == l && l > 14) {
                                msg.watchdog_usec = v > NOTIFY_EXTEND_MAX ? NOTIFY_EXTEND_MAX + 1 : v;
                                msg.has_watchdog_usec = true;
                        } else if (!msg.bad_key)
                                msg.bad_key = "WATCHDOG_USEC";
                } else if (l == 16 && memcmp(p, "WATCHDOG=trigger", 16) == 0)
                        msg.watchdog_trigger = true;
                else if (l > 6 && memcmp(p, "ERRNO=", 6) == 0)
                        msg.other_state = true;
                else if (l == 9 && memcmp(p, "FDSTORE=1", 9) == 0)
                        msg.fdstore = true;
                p += l + 1;
        }
        *ret = msg;
        return 0;
}

/* The service whose main process, or whose process group (the one svd
 * made at the spawn while its number is still the service's, see
 * mainpid_group, or the adopted main process's), sent it. */
static struct svc *attribute(struct svd *m, pid_t pid) {
        pid_t pgid = getpgid(pid);
        for (size_t i = 0; i < m->n_svcs; i++) {
                struct svc *s = m->svcs[i];
                if (s->pid > 0 && (s->pid == pid || s->pid == pgid || (pgid > 0 && mainpid_group(s) == pgid)))
                        return s;
        }
        return NULL;
}

/* The service's budget topped up for the time since it was last, and one
 * datagram taken from it; false if none is left. */
static bool take_budget(struct svc *s) {
        usec_t now = now_mono();
        if (!s->notify_refill_mono)
                s->notify_tokens = NOTIFY_BURST;
        else if (now > s->notify_refill_mono) {
                s->notify_tokens += (double)(now - s->notify_refill_mono) * NOTIFY_RATE / (double)USEC_PER_SEC;
                if (s->notify_tokens > NOTIFY_BURST)
                        s->notify_tokens = NOTIFY_BURST;
        }
        s->notify_refill_mono = now;
        if (s->notify_tokens < 1.)
                return false;
        s->notify_tokens -= 1.;
        return true;
}

/* A datagram over budget that changes no state: counted, its STATUS= kept
 * as the latest for flood_cb; the first of a flood is logged. */
static void drop(struct notify *n, struct svc *s, const struct notify_msg *msg) {
        if (!s->notify_burst_dropped++)
                log_warn("%s: sd_notify flood: over %d messages at once; dropping those that only set STATUS= "
                         "(the latest is kept) until it sends at most %d a second",
                         s->cfg->name, NOTIFY_BURST, NOTIFY_RATE);
        s->notify_dropped++;
        s->notify_dropped_lately = true;
        if (msg && msg->has_status && msg->status[0])
                str_set(&s->notify_status_pending, msg->status);
        else if (msg && msg->has_status) { /* (cleared: nothing to show later) */
                str_clear(&s->notify_status_pending);
                str_clear(&s->status_text);
        }
        if (!ev_is_active(&n->flood))
                ev_timer_again(n->m->loop, &n->flood);
}

/* Every second while a service is over its budget: its latest STATUS= is
 * shown, and a flood that ended (nothing dropped for a whole tick) is summed
 * up. */
static void flood_cb(struct ev_loop *loop, ev_timer *w, int revents) {
        struct notify *n = w->data;
        bool flooding = false;
        for (size_t i = 0; i < n->m->n_svcs; i++) {
                struct svc *s = n->m->svcs[i];
                if (s->notify_status_pending[0]) {
                        str_set(&s->status_text, s->notify_status_pending);
                        str_clear(&s->notify_status_pending);
                }
                if (!s->notify_burst_dropped)
                        continue;
                if (s->notify_dropped_lately) { /* since the last tick */
                        s->notify_dropped_lately = false;
                        flooding = true;
                        continue;
                }
                log_warn("%s: sd_notify flood over: %llu messages dropped (%llu since svd started)", s->cfg->name,
                         (unsigned long long)s->notify_burst_dropped, (unsigned long long)s->notify_dropped);
                s->notify_burst_dropped = 0;
        }
        if (!flooding)
                ev_timer_stop(loop, w);
}

/* Acts on one message, in systemd's order: MAINPID= first; STOPPING=1 wins
 * over READY=1, which wins over RELOADING=1. quiet: over budget, a refused
 * MAINPID= or WATCHDOG_USEC= is not logged each time (the flood is). */
static void apply(struct svc *s, const struct notify_msg *msg, bool quiet) {
        if (msg->mainpid > 0) {
                char why[160];
                pid_t old = s->pid;
                int r = mainpid_adopt(s, msg->mainpid, why, sizeof(why));
                if (r < 0 && !quiet)
                        log_warn("%s: MAINPID=%d ignored: %s", s->cfg->name, (int)msg->mainpid, why);
                else if (old != s->pid)
                        log_info("%s: main process is now %d (was %d)", s->cfg->name, (int)s->pid, (int)old);
        }
        if (msg->has_status)
                str_set(&s->status_text, msg->status);
        if (msg->stopping)
                svc_dispatch(s, SE_STOPPING, 0);
        else if (msg->ready && s->cfg->type == SVC_NOTIFY)
                svc_dispatch(s, SE_READY, 0);
        else if (msg->reloading && s->cfg->type == SVC_NOTIFY)
                svc_dispatch(s, SE_RELOADING, 0);
        /* (first: a WATCHDOG=1 with it counts against the new interval) */
        if (msg->has_watchdog_usec)
                health_watchdog_usec(s, msg->watchdog_usec, quiet);
        if (msg->watchdog)
                health_on_watchdog(s);
        if (msg->extend_usec)
                svc_extend_timeout(s, msg->extend_usec);
        if (msg->watchdog_trigger)
                health_watchdog_trigger(s);
}

/* The pause is over: read again. */
static void pause_cb(struct ev_loop *loop, ev_timer *w, int revents) {
        struct notify *n = w->data;
        ev_io_start(loop, &n->io);
}

/* Takes the datagram at the head of the queue off it (read already, with
 * MSG_PEEK; any descriptors in it are let go by the kernel). */
static bool consume_one(struct notify *n) {
        return recv(n->fd, NULL, 0, MSG_DONTWAIT | MSG_TRUNC) >= 0;
}

/* A datagram read with MSG_PEEK acts at once but stays in the socket until
 * the state file that records what it did is written, at the end of the
 * loop iteration (svd_write_state_soon; this prepare watcher has the lowest
 * priority, so it runs after that write). A kill of svd in between leaves
 * the datagram in the socket svd-fdstore holds, and the next svd reads it
 * again: a READY=1 is never lost (and read twice, it is a no-op). */
static void consume_cb(struct ev_loop *loop, ev_prepare *w, int revents) {
        struct notify *n = w->data;
        ev_prepare_stop(loop, w);
        (void)consume_one(n);
}

/* One datagram, read with MSG_PEEK. True when what it did must be in
 * state.json before it may leave the socket. */
static bool handle(struct notify *n, char *buf, ssize_t len, struct msghdr *mh, int *junk) {
        struct ucred *uc = NULL;
        size_t n_fds = 0;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
                if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS)
                        uc = (struct ucred *)CMSG_DATA(c);
                else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
                        /* fd passing (FDSTORE) is not supported: never leak them */
                        int *fds = (int *)CMSG_DATA(c);
                        size_t nfd = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                        for (size_t i = 0; i < nfd; i++)
                                close(fds[i]);
                        n_fds += nfd;
                }
        }
        if (!uc) {
                (*junk)++;
                return false;
        }
        struct svc *s = attribute(n->m, uc->pid);
        if (!s) {
                log_debug("notify: message from pid %d which belongs to no service", (int)uc->pid);
                (*junk)++;
                return false;
        }
        struct notify_msg msg;
        bool in_budget = take_budget(s);
        if (!in_budget)
                (*junk)++;
        if ((size_t)len > NOTIFY_MAX_MSG || (mh->msg_flags & MSG_TRUNC)) {
                /* not read whole: none of it is acted on (its
                 * READY=1 neither), and the service is told why */
                if (in_budget)
                        log_warn("%s: notify message of %zd bytes ignored: longer than %d bytes", s->cfg->name,
                                 len, NOTIFY_MAX_MSG);
                else
                        drop(n, s, NULL);
                return false;
        }
        if (notify_parse(buf, (size_t)len, &msg) < 0) {
                if (in_budget)
                        log_warn("%s: malformed notify message ignored", s->cfg->name);
                else
                        drop(n, s, NULL);
                return false;
        }
        if (!in_budget && !notify_msg_changes_state(&msg)) {
                drop(n, s, &msg);
                return false;
        }
        if (msg.bad_key && in_budget)
                log_warn("%s: notify message's %s= has an invalid value: that key is ignored", s->cfg->name,
                         msg.bad_key);
        /* A service that hands descriptors over to keep them across its
         * restart (systemd's FileDescriptorStoreMax=) would otherwise lose
         * them without a word (systemd warns too). */
        if (msg.fdstore && n_fds && in_budget)
                log_warn("%s: FDSTORE=1 ignored: svd keeps no descriptors for services; the %zu sent are closed",
                         s->cfg->name, n_fds);
        if (msg.has_status)
                str_clear(&s->notify_status_pending); /* this one is later */
        apply(s, &msg, !in_budget);
        sched_run(n->m);
        return svd_state_write_due(n->m);
}

/* Reads and acts on up to NOTIFY_BATCH datagrams; true if at least
 * NOTIFY_PAUSE_MIN and half of them were over a budget or from no service. */
static bool read_batch(struct notify *n) {
        struct ev_loop *loop = n->m->loop;
        int got = 0, junk = 0; /* read; over a budget, or from no service */
        /* Drain a bounded number per wake-up so a chatty service cannot
         * monopolise the loop. */
        for (int round = 0; round < NOTIFY_BATCH; round++) {
                char buf[NOTIFY_MAX_MSG + 1];
                union {
                        struct cmsghdr h;
                        char b[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(sizeof(int) * 16)];
                } cm;
                struct iovec iov = {buf, NOTIFY_MAX_MSG};
                struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = &cm, .msg_controllen = sizeof(cm)};
                ssize_t len = recvmsg(n->fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC | MSG_TRUNC | MSG_PEEK);
                if (len < 0)
                        break;
                got++;
                if (handle(n, buf, len, &mh, &junk)) {
                        /* it stays at the head of the queue: no more this time */
                        ev_prepare_start(loop, &n->consume);
                        break;
                }
                if (!consume_one(n))
                        break;
        }
        return junk >= NOTIFY_PAUSE_MIN && junk * 2 >= got;
}

static void read_cb(struct ev_loop *loop, ev_io *w, int revents) {
        struct notify *n = w->data;
        /* A flood (from a service over its budget, or from no service: the
         * socket is open to all) is not read as fast as it comes: what is
         * sent meanwhile waits in the socket, and its senders block (a
         * blocking send loses nothing; the queue is the kernel's, often
         * only net.unix.max_dgram_qlen = 10 long, hence no larger minimum),
         * so a flood costs svd little CPU instead of much of one. */
        if (read_batch(n)) {
                ev_io_stop(loop, w);
                ev_timer_set(&n->pause, NOTIFY_PAUSE, 0.);
                ev_timer_start(loop, &n->pause);
        }
}

void notify_drain(struct notify *n) {
        /* (bounded: each round after the first follows a datagram that waited
         * for state.json, written once per round) */
        for (int round = 0; n && round < NOTIFY_DRAIN_ROUNDS; round++) {
                if (ev_is_active(&n->consume)) {
                        /* The head was acted on and waits for state.json
                         * (consume_cb): written now, as the end of this
                         * iteration would, it may leave. */
                        if (svd_state_write_due(n->m))
                                (void)statefile_write_now(n->m);
                        ev_prepare_stop(n->m->loop, &n->consume);
                        if (!consume_one(n))
                                return;
                }
                (void)read_batch(n); /* (a flood's pause is read_cb's to decide) */
                if (!ev_is_active(&n->consume))
                        return; /* all read, or a batch's worth */
        }
}

/* svd-fdstore keeps the socket too (under a name no service can have):
 * while a killed svd is down, a READY=1 waits in it instead of being refused
 * (ECONNREFUSED, and lost: the service would stay starting forever). */
#define NOTIFY_FDSTORE_KEY "/notify"

/* The socket a killed svd left in svd-fdstore, if it is still the one bound
 * at path; -1 if none. */
static int taken_back(struct svd *m, const char *path) {
        int fds[4];
        if (!fdstore_take(m, NOTIFY_FDSTORE_KEY, fds))
                return -1;
        for (int i = 1; i < 4; i++)
                if (fds[i] != fds[0])
                        close(fds[i]);
        struct sockaddr_un sa;
        socklen_t len = sizeof(sa);
        struct stat st;
        /* (a socket file removed meanwhile would leave it unreachable) */
        if (getsockname(fds[0], (struct sockaddr *)&sa, &len) < 0 || sa.sun_family != AF_UNIX ||
            len <= offsetof(struct sockaddr_un, sun_path) || strcmp(sa.sun_path, path) != 0 ||
            stat(path, &st) < 0 || !S_ISSOCK(st.st_mode)) {
                close(fds[0]);
                return -1;
        }
        return fds[0];
}

int notify_open(struct svd *m, struct notify **ret) {
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        char *path = path_join(m->cfg->run_dir, "notify.sock");
        if (!path)
                return -ENOMEM;
        if (strlen(path) >= sizeof(sa.sun_path)) {
                free(path);
                return -ENAMETOOLONG;
        }
        strcpy(sa.sun_path, path);
        int one = 1, fd = svd_inherited_fd(m, "notify");
        if (fd >= 0)
                goto bound; /* kept across daemon-reexec: no datagram is lost */
        if ((fd = taken_back(m, path)) >= 0)
                goto bound; /* after a kill: what came while no svd ran is queued in it */
        fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) {
                free(path);
                return -errno;
        }
        (void)unlink(path);
        /* Services run as their own users and must be able to send here. */
        mode_t old = umask(0);
        int r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
        umask(old);
        if (r < 0 || chmod(path, 0666) < 0 || setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) < 0) {
                r = -errno;
                close(fd);
                free(path);
                return r;
        }
        fdstore_put(m, NOTIFY_FDSTORE_KEY, (const int[4]){fd, fd, fd, fd});
bound:;
        struct notify *n = calloc(1, sizeof(*n));
        if (!n) {
                close(fd);
                unlink(path);
                free(path);
                return -ENOMEM;
        }
        n->m = m;
        n->fd = fd;
        n->path = path;
        ev_io_init(&n->io, read_cb, fd, EV_READ);
        n->io.data = n;
        ev_io_start(m->loop, &n->io);
        ev_init(&n->pause, pause_cb);
        n->pause.data = n;
        ev_prepare_init(&n->consume, consume_cb);
        ev_set_priority(&n->consume, EV_MINPRI); /* after svd_write_state_soon's write */
        n->consume.data = n;
        ev_init(&n->flood, flood_cb);
        n->flood.repeat = 1.;
        n->flood.data = n;
        *ret = n;
        return 0;
}

void notify_close(struct notify *n) {
        if (!n)
                return;
        ev_io_stop(n->m->loop, &n->io);
        ev_timer_stop(n->m->loop, &n->flood);
        ev_timer_stop(n->m->loop, &n->pause);
        /* (a datagram not yet consumed stays for whoever has the socket
         * next: a daemon-reexec's new instance reads it again) */
        ev_prepare_stop(n->m->loop, &n->consume);
        close(n->fd);
        unlink(n->path);
        free(n->path);
        free(n);
}

int notify_fd(const struct notify *n) {
        return n ? n->fd : -1;
}

const char *notify_socket_path(const struct notify *n) {
        return n ? n->path : NULL;
}

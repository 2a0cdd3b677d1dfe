/* prober: requests to and results from svd-probe (see prober.h). Requests
 * made in one loop iteration (the probes of one grid slot, health.c) are
 * packed into one packet and sent before the loop sleeps (an ev_prepare):
 * one send and one wakeup of svd-probe per batch, not per check. */
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ev.h>

#include "health.h"
#include "log.h"
#include "probe_proto.h"
#include "prober.h"
#include "sched.h"
#include "spawn.h"
#include "svd.h"

/* A request packet is sent once it would grow past this (the protocol allows
 * PROBE_MAX_MSG): a burst of checks (every service at boot) goes as several
 * packets, and svd never holds more than this much for one. */
#define PROBER_PACKET_MAX (16u * 1024)
/* Batch buffers larger than this (after a burst) are freed once sent, not
 * kept for the small batches of the steady state. */
#define PROBER_KEEP_BYTES 4096

struct prober {
        struct svd *m;
        int fd;
        pid_t pid;
        ev_io io;
        int64_t next_seq; /* request ids: probe_id_next() */
        usec_t started_mono;
        usec_t not_before; /* restart throttle after a crash */
        /* the packet being built: messages separated by '\n', and for each
         * the service and request id, to fail them if the send fails */
        ev_prepare flush;
        char *out;
        size_t out_len, out_cap;
        struct pending {
                uint32_t svc;
                int64_t id;
        } *pend;
        size_t n_pend, cap_pend;
        unsigned overdue; /* checks with no reply in time, since the last reply */
        char why[200];    /* why it could not be started last; "" once it was */
};

static void fail_in_flight(struct svd *m, const char *why) {
        for (size_t i = 0; i < m->n_svcs; i++) {
                struct svc *s = m->svcs[i];
                if (s->probe_id) {
                        s->probe_id = 0;
                        health_probe_result(s, false, false, why);
                }
        }
}

static int64_t probe_id_make(struct prober *p, const struct svc *s) {
        return probe_id_next(&p->next_seq, s->index);
}

/* The service whose check in flight (late: given up on as overdue) id is. */
static struct svc *find_svc(struct prober *p, int64_t id, bool late) {
        struct svd *m = p->m;
        if (id <= 0)
                return NULL;
        size_t i = (size_t)((uint64_t)id & ((1u << PROBE_ID_INDEX_BITS) - 1));
        if (i < m->n_svcs && (late ? m->svcs[i]->probe_late_id : m->svcs[i]->probe_id) == id)
                return m->svcs[i];
        for (i = 0; i < m->n_svcs; i++)
                if ((late ? m->svcs[i]->probe_late_id : m->svcs[i]->probe_id) == id)
                        return m->svcs[i];
        return NULL;
}

/* The reply to a check svd gave up on as overdue (svd-probe was stopped,
 * or its queue was full at its bound and the request waited there): the
 * check did run, and its result is the service's, so it counts, unless a
 * newer check is in flight, whose result will be newer too. */
static void late_result(struct svc *s, const struct probe_result *res) {
        s->probe_late_id = 0;
        if (s->probe_id)
                return;
        char d[PROBE_DETAIL_MAX + 32];
        snprintf(d, sizeof(d), "%s (a late reply)", res->detail);
        log_warn("%s: svd-probe replied late to its overdue check: %s; counted", s->cfg->name, res->detail);
        health_probe_result(s, res->ok, true, d);
}

static void read_cb(struct ev_loop *loop, ev_io *w, int revents) {
        struct prober *p = w->data;
        struct svd *m = p->m;
        /* Not on the stack: a 64 KiB frame pushes everything this calls
         * (health, sched_run, spawning) onto stack pages no other path
         * touches, and each stays resident. Only the pages the replies use
         * (svd-probe packs at most 8 KiB) are ever touched here. */
        static char buf[PROBE_MAX_MSG];
        /* One packet per callback: the watcher is level-triggered, so another
         * queued packet calls us again, and the steady state (one packet per
         * grid slot) does without a recv that only says EAGAIN. */
        do {
                ssize_t n = recv(p->fd, buf, sizeof(buf), MSG_DONTWAIT);
                if (n < 0 && (errno == EAGAIN || errno == EINTR))
                        break;
                if (n <= 0) {
                        /* it went away; its exit is handled on SIGCHLD */
                        ev_io_stop(loop, &p->io);
                        close(p->fd);
                        p->fd = -1;
                        break;
                }
                const char *pos = buf, *msg;
                size_t len;
                p->overdue = 0;
                while ((msg = probe_msg_next(&pos, buf + n, &len))) {
                        struct probe_result res;
                        char err[256];
                        if (probe_result_decode(msg, len, &res, err, sizeof(err)) < 0) {
                                log_warn("svd-probe sent a bad reply: %s", err);
                                continue;
                        }
                        struct svc *s = find_svc(p, res.id, false);
                        if (s) {
                                s->probe_id = 0;
                                health_probe_result(s, res.ok, true, res.detail);
                        } else if ((s = find_svc(p, res.id, true)))
                                late_result(s, &res);
                }
        } while (0);
        sched_run(m);
}

/* The checks of the packet that could not be sent are not counted. */
static void fail_pending(struct prober *p) {
        struct svd *m = p->m;
        for (size_t i = 0; i < p->n_pend; i++) {
                /* (a reload may have moved or removed it since: the id tells) */
                struct svc *s = p->pend[i].svc < m->n_svcs ? m->svcs[p->pend[i].svc] : NULL;
                if (s && s->probe_id == p->pend[i].id) {
                        s->probe_id = 0;
                        health_probe_result(s, false, false, "prober unavailable");
                }
        }
        p->n_pend = p->out_len = 0;
}

static void send_pending(struct prober *p) {
        if (!p->out_len)
                return;
        if (p->fd < 0 || send(p->fd, p->out, p->out_len, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
                if (p->fd >= 0)
                        log_warn("cannot send %zu checks to svd-probe: %s", p->n_pend, strerror(errno));
                fail_pending(p);
        }
        p->n_pend = p->out_len = 0;
        if (p->out_cap > PROBER_KEEP_BYTES) {
                free(p->out);
                p->out = NULL;
                p->out_cap = 0;
        }
        if (p->cap_pend * sizeof(*p->pend) > PROBER_KEEP_BYTES) {
                free(p->pend);
                p->pend = NULL;
                p->cap_pend = 0;
        }
}

static void flush_cb(struct ev_loop *loop, ev_prepare *w, int revents) {
        struct prober *p = w->data;
        ev_prepare_stop(loop, w);
        send_pending(p);
        sched_run(p->m); /* failures reschedule probes */
}

/* Appends msg to the packet being built (sending it first if full). */
static int queue(struct prober *p, struct svc *s, int64_t id, const char *msg, size_t len) {
        if (p->out_len && p->out_len + 1 + len > PROBER_PACKET_MAX)
                send_pending(p);
        size_t need = p->out_len + 1 + len;
        if (need > p->out_cap) {
                size_t cap = p->out_cap ? p->out_cap : 4096;
                while (cap < need)
                        cap *= 2;
                char *b = realloc(p->out, cap);
                if (!b)
                        return -ENOMEM;
                p->out = b;
                p->out_cap = cap;
        }
        if (p->n_pend == p->cap_pend) {
                size_t cap = p->cap_pend ? p->cap_pend * 2 : 64;
                struct pending *n = realloc(p->pend, cap * sizeof(*n));
                if (!n)
                        return -ENOMEM;
                p->pend = n;
                p->cap_pend = cap;
        }
        if (p->out_len)
                p->out[p->out_len++] = '\n';
        memcpy(p->out + p->out_len, msg, len);
        p->out_len += len;
        p->pend[p->n_pend++] = (struct pending){(uint32_t)s->index, id};
        if (!ev_is_active(&p->flush))
                ev_prepare_start(p->m->loop, &p->flush);
        return 0;
}

/* A start that failed: retried at most once a second, and logged when the
 * reason is new (not at every check while it lasts). */
static int start_failed(struct prober *p, const char *path, int r, const char *why) {
        p->not_before = now_mono() + USEC_PER_SEC;
        if (strcmp(p->why, why) != 0)
                log_err("cannot start %s: %s", path ? path : "svd-probe", why);
        snprintf(p->why, sizeof(p->why), "%s", why);
        return r;
}

static int start(struct svd *m, struct prober *p) {
        usec_t now = now_mono();
        char why[sizeof(p->why)];
        if (now < p->not_before)
                return -EAGAIN;
        _cleanup_(freep) char *path = svd_helper_path("svd-probe");
        if (!path)
                return start_failed(p, NULL, -ENOMEM, strerror(ENOMEM));
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
                int r = -errno;
                snprintf(why, sizeof(why), "socketpair: %s", strerror(-r));
                return start_failed(p, path, r, why);
        }
        /* The prober parses replies from the network: it never runs as root. */
        bool drop = geteuid() == 0;
        errno = 0;
        struct passwd *pw = drop ? getpwnam("nobody") : NULL;
        if (drop && !pw) {
                int e = errno;
                close(sv[0]);
                close(sv[1]);
                if (e && e != ENOENT && e != ESRCH)
                        snprintf(why, sizeof(why), "user \"nobody\": %s", strerror(e));
                else
                        snprintf(why, sizeof(why), "no user \"nobody\" to run it as (it never runs as root)");
                return start_failed(p, path, -ESRCH, why);
        }
        char *argv[] = {"svd-probe", NULL};
        char *envp[] = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL};
        struct spawn_req req = {
                .path = path,
                .argv = argv,
                .envp = envp,
                .cwd = "/",
                .set_ids = drop,
                .uid = drop ? pw->pw_uid : 0,
                .gid = drop ? pw->pw_gid : 0,
                .groups = NULL,
                .n_groups = 0,
                .stdin_fd = m->devnull_fd,
                .stdout_fd = log_child_stderr(),
                .stderr_fd = log_child_stderr(),
                .extra_fd = sv[1],
                .cgroup_procs_fd = -1,
                .cgroup_fd = -1,
                .svd_nofile = true, /* every service's probes' sockets */
        };
        struct spawn_error se = {0};
        pid_t pid;
        int r = spawn_start(&req, &pid, &se);
        close(sv[1]);
        if (r < 0) {
                close(sv[0]);
                snprintf(why, sizeof(why), "%s: %s", spawn_stage_name(se.stage), strerror(se.err));
                return start_failed(p, path, r, why);
        }
        p->why[0] = 0;
        (void)fd_nonblock_cloexec(sv[0]);
        p->fd = sv[0];
        p->pid = pid;
        p->started_mono = now;
        ev_io_init(&p->io, read_cb, p->fd, EV_READ);
        p->io.data = p;
        ev_io_start(m->loop, &p->io);
        log_info("started %s (pid %d)", path, (int)pid);
        return 0;
}

int prober_submit(struct svd *m, struct svc *s) {
        struct prober *p = m->prober;
        int r;
        if (!p) {
                p = calloc(1, sizeof(*p));
                if (!p)
                        return -ENOMEM;
                p->m = m;
                p->fd = -1;
                ev_prepare_init(&p->flush, flush_cb);
                p->flush.data = p;
                m->prober = p;
        }
        if (p->fd < 0 && p->pid <= 0 && (r = start(m, p)) < 0)
                return r;
        if (p->fd < 0)
                return -EAGAIN; /* dead, not yet reaped */

        const struct probe_config *pc = &s->cfg->health;
        struct probe_req req = {
                .id = probe_id_make(p, s),
                .kind = pc->kind == PROBE_TCP ? PROBE_REQ_TCP : PROBE_REQ_HTTP,
                .timeout_ms = (unsigned)(pc->timeout / USEC_PER_MSEC),
                .port = pc->port,
                .url = pc->url,
                .status_min = pc->status_min,
                .status_max = pc->status_max,
                .body_contains = pc->body_contains,
                .headers = pc->headers,
                .follow_redirects = pc->follow_redirects,
                .tls_no_verify = pc->tls_no_verify,
                .ca_file = pc->ca_file,
        };
        if (pc->kind == PROBE_TCP)
                snprintf(req.host, sizeof(req.host), "%s", pc->host);
        /* Typical requests fit the stack buffer; long headers or URLs take
         * the allocating encoder. */
        char small[1024], *buf = small, err[256];
        _cleanup_(freep) char *big = NULL;
        size_t len;
        r = probe_req_encode_into(&req, small, sizeof(small), &len, err, sizeof(err));
        if (r == -ENOBUFS) {
                r = probe_req_encode(&req, &big, &len, err, sizeof(err));
                buf = big;
        }
        if (r < 0) {
                log_err("%s: cannot encode probe: %s", s->cfg->name, r == -EINVAL ? err : strerror(-r));
                return r;
        }
        if ((r = queue(p, s, req.id, buf, len)) < 0)
                return r;
        s->probe_id = req.id;
        return 0;
}

const char *prober_why(const struct svd *m) {
        return m->prober ? m->prober->why : "";
}

void prober_cancel(struct svd *m, struct svc *s) {
        s->probe_id = 0;
}

void prober_overdue(struct svd *m, struct svc *s) {
        struct prober *p = m->prober;
        s->probe_late_id = s->probe_id;
        s->probe_id = 0;
        if (!p || p->pid <= 0)
                return;
        if (++p->overdue < PROBER_OVERDUE_MAX) {
                log_warn("%s: no reply from svd-probe (pid %d) to its check", s->cfg->name, (int)p->pid);
                return;
        }
        /* Alive but not answering (its loop stuck): what its death would do,
         * through the same path (prober_child_exited once it is reaped). */
        log_err("svd-probe (pid %d) answered none of the last %u overdue checks: killing it", (int)p->pid,
                p->overdue);
        p->overdue = 0;
        (void)kill(p->pid, SIGKILL);
}

bool prober_child_exited(struct svd *m, pid_t pid, int status) {
        struct prober *p = m->prober;
        if (!p || pid != p->pid)
                return false;
        char eb[64];
        log_warn("svd-probe (pid %d) %s; checks in flight are not counted", (int)pid,
                 svc_format_exit(status, eb, sizeof(eb)));
        p->pid = 0;
        if (p->fd >= 0) {
                ev_io_stop(m->loop, &p->io);
                close(p->fd);
                p->fd = -1;
        }
        ev_prepare_stop(m->loop, &p->flush);
        p->n_pend = p->out_len = 0; /* in flight now, failed below */
        /* A prober that dies right after starting would otherwise be
         * restarted on every probe: throttle. */
        if (now_mono() - p->started_mono < 5 * USEC_PER_SEC)
                p->not_before = now_mono() + USEC_PER_SEC;
        fail_in_flight(m, "prober restarted");
        return true;
}

void prober_done(struct svd *m) {
        struct prober *p = m->prober;
        if (!p)
                return;
        if (p->fd >= 0) {
                ev_io_stop(m->loop, &p->io);
                close(p->fd); /* EOF: it exits by itself */
        }
        if (p->pid > 0)
                (void)kill(p->pid, SIGTERM);
        ev_prepare_stop(m->loop, &p->flush);
        free(p->out);
        free(p->pend);
        free(p);
        m->prober = NULL;
}

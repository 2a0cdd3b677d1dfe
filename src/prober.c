/* prober: requests to and results from svd-probe (see prober.h). */
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


struct prober {
        struct svd *m;
        int fd;
        pid_t pid;
        ev_io io;
        int64_t next_id;
        /* Request id -> index in m->svcs + 1, direct-mapped on the id's low
         * bits (ids are sequential, so in-flight ones rarely collide). A
         * lookup is verified against the service's probe_id and falls back to
         * a scan, so a stale or overwritten slot only costs time. */
        uint32_t *slots;
        size_t n_slots; /* a power of two */
        usec_t started_mono;
        usec_t not_before; /* restart throttle after a crash */
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

static struct svc *find_svc(struct prober *p, int64_t id) {
        struct svd *m = p->m;
        if (id <= 0)
                return NULL;
        if (p->n_slots) {
                uint32_t i = p->slots[(uint64_t)id & (p->n_slots - 1)];
                if (i && i <= m->n_svcs && m->svcs[i - 1]->probe_id == id)
                        return m->svcs[i - 1];
        }
        for (size_t i = 0; i < m->n_svcs; i++)
                if (m->svcs[i]->probe_id == id)
                        return m->svcs[i];
        return NULL;
}

static void remember(struct prober *p, struct svc *s, int64_t id) {
        struct svd *m = p->m;
        size_t want = 64;
        while (want < 2 * m->n_svcs)
                want *= 2;
        if (p->n_slots < want) {
                uint32_t *n = calloc(want, sizeof(*n));
                if (!n)
                        return; /* lookups scan */
                free(p->slots);
                p->slots = n;
                p->n_slots = want;
        }
        p->slots[(uint64_t)id & (p->n_slots - 1)] = (uint32_t)s->index + 1;
}

static void read_cb(struct ev_loop *loop, ev_io *w, int revents) {
        struct prober *p = w->data;
        struct svd *m = p->m;
        for (int round = 0; round < 256; round++) {
                char buf[PROBE_MAX_MSG];
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
                struct probe_result res;
                char err[256];
                if (probe_result_decode(buf, (size_t)n, &res, err, sizeof(err)) < 0) {
                        log_warn("svd-probe sent a bad reply: %s", err);
                        continue;
                }
                struct svc *s = find_svc(p, res.id);
                if (s) {
                        s->probe_id = 0;
                        health_probe_result(s, res.ok, true, res.detail);
                }
        }
        sched_run(m);
}

static int start(struct svd *m, struct prober *p) {
        usec_t now = now_mono();
        if (now < p->not_before)
                return -EAGAIN;
        _cleanup_(freep) char *path = svd_helper_path("svd-probe");
        if (!path)
                return -ENOMEM;
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
                return -errno;
        /* The prober parses replies from the network: it never runs as root. */
        bool drop = geteuid() == 0;
        struct passwd *pw = drop ? getpwnam("nobody") : NULL;
        if (drop && !pw) {
                close(sv[0]);
                close(sv[1]);
                return -ESRCH;
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
                .stdout_fd = STDERR_FILENO,
                .stderr_fd = STDERR_FILENO,
                .extra_fd = sv[1],
                .cgroup_procs_fd = -1,
        };
        struct spawn_error se = {0};
        pid_t pid;
        int r = spawn_start(&req, &pid, &se);
        close(sv[1]);
        if (r < 0) {
                close(sv[0]);
                log_err("cannot start %s: %s: %s", path, spawn_stage_name(se.stage), strerror(se.err));
                p->not_before = now + USEC_PER_SEC;
                return r;
        }
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
                m->prober = p;
        }
        if (p->fd < 0 && p->pid <= 0 && (r = start(m, p)) < 0)
                return r;
        if (p->fd < 0)
                return -EAGAIN; /* dead, not yet reaped */

        const struct probe_config *pc = &s->cfg->health;
        struct probe_req req = {
                .id = ++p->next_id,
                .kind = pc->kind == PROBE_TCP ? PROBE_REQ_TCP : PROBE_REQ_HTTP,
                .timeout_ms = (unsigned)(pc->timeout / USEC_PER_MSEC),
                .port = pc->port,
                .url = pc->url,
                .status_min = pc->status_min,
                .status_max = pc->status_max,
                .body_contains = pc->body_contains,
                .headers = pc->headers,
                .follow_redirects = pc->follow_redirects,
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
        ssize_t n = send(p->fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n < 0)
                return -errno;
        s->probe_id = req.id;
        remember(p, s, req.id);
        return 0;
}

void prober_cancel(struct svd *m, struct svc *s) {
        s->probe_id = 0;
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
        free(p->slots);
        free(p);
        m->prober = NULL;
}

/* metrics: see metrics.h. The text is built in one growing buffer; every
 * family is written with its HELP and TYPE lines even when no service has a
 * sample for it, so scrapers always see the same families. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"
#include "log.h"
#include "logpipe.h"
#include "metrics.h"
#include "proto.h"
#include "safedir.h"
#include "svd.h"

struct metrics {
        struct svd *m;
        ev_timer timer;
        int last_err; /* logged once until a write works again; svd_metrics_textfile_failing */
        char *path;   /* the file written: a reload may name another one */
};

struct buf {
        char *p;
        size_t len, cap;
        bool oom;
};

static void bprintf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void bprintf(struct buf *b, const char *fmt, ...) {
        if (b->oom)
                return;
        for (;;) {
                va_list ap;
                va_start(ap, fmt);
                int n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? b->cap - b->len : 0, fmt, ap);
                va_end(ap);
                if (n < 0) {
                        b->oom = true;
                        return;
                }
                if (b->p && (size_t)n < b->cap - b->len) {
                        b->len += (size_t)n;
                        return;
                }
                size_t nc = b->cap ? b->cap * 2 : 4096;
                while (nc < b->len + (size_t)n + 1)
                        nc *= 2;
                char *np = realloc(b->p, nc);
                if (!np) {
                        b->oom = true;
                        return;
                }
                b->p = np;
                b->cap = nc;
        }
}

/* A label value: backslash, double quote and newline escaped. */
static void blabel(struct buf *b, const char *v) {
        for (; v && *v; v++) {
                if (*v == '\\' || *v == '"')
                        bprintf(b, "\\%c", *v);
                else if (*v == '\n')
                        bprintf(b, "\\n");
                else
                        bprintf(b, "%c", *v);
        }
}

static void labels(struct buf *b, const struct svc *s) {
        bprintf(b, "{service=\"");
        blabel(b, s->cfg->name);
        bprintf(b, "\",slice=\"");
        blabel(b, s->cfg->slice ? s->cfg->slice : "");
        bprintf(b, "\"}");
}

static void family(struct buf *b, const char *name, const char *type, const char *help) {
        bprintf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

enum metric {
        M_UP,
        M_HEALTHY,
        M_RESTARTS,
        M_OOM,
        M_CPU,
        M_MEM,
        M_DROPPED,
        M_NOTIFY_DROPPED,
        _M_MAX,
};

static const struct {
        const char *name, *type, *help;
} metric_info[_M_MAX] = {
        [M_UP] = { "svd_service_up", "gauge", "Whether the service is running (1) or not (0)." },
        [M_HEALTHY] = { "svd_service_healthy", "gauge",
                        "1 when the service runs and is healthy (or has no health check), else 0." },
        [M_RESTARTS] = { "svd_service_restarts_total", "counter",
                         "Automatic restarts of the service since svd started (daemon-reexec and reloads "
                         "included)." },
        [M_OOM] = { "svd_service_oom_kills_total", "counter",
                    "Processes of the service killed by the kernel OOM killer (cgroup v2)." },
        [M_CPU] = { "svd_service_cpu_seconds_total", "counter",
                    "CPU time used by the service's cgroup (user + system), in seconds; a reload that "
                    "replaces the cgroup does not reset it." },
        [M_MEM] = { "svd_service_memory_bytes", "gauge", "Memory used by the service's cgroup (memory.current)." },
        [M_DROPPED] = { "svd_log_dropped_bytes_total", "counter",
                        "Bytes of service output that could not be written to its log file." },
        [M_NOTIFY_DROPPED] = { "svd_service_notify_dropped_total", "counter",
                               "sd_notify messages dropped over the service's budget since svd started." },
};

const char *metrics_format_value(double v, char buf[static METRICS_VALUE_MAX]) {
        if (isnan(v))
                return strcpy(buf, "NaN");
        if (isinf(v))
                return strcpy(buf, v > 0 ? "+Inf" : "-Inf");
        /* below 2^63: "%.0f" prints at most 19 digits and a sign, exactly
         * (and the cast is defined) */
        if (v > -9223372036854775808.0 && v < 9223372036854775808.0 && v == (double)(long long)v) {
                snprintf(buf, METRICS_VALUE_MAX, "%.0f", v == 0 ? 0. : v); /* no "-0" */
                return buf;
        }
        for (int digits = 15; digits < 17; digits++) {
                snprintf(buf, METRICS_VALUE_MAX, "%.*g", digits, v);
                if (strtod(buf, NULL) == v)
                        return buf;
        }
        snprintf(buf, METRICS_VALUE_MAX, "%.17g", v); /* always reads back the same */
        return buf;
}

char *metrics_render(struct svd *m) {
        struct buf b = { 0 };
        struct cg_stats *st = calloc(m->n_svcs ? m->n_svcs : 1, sizeof(*st));
        if (!st)
                return NULL;
        for (size_t i = 0; i < m->n_svcs; i++)
                st[i].valid = cgroup_stats(m->svcs[i], &st[i]) == 0;

        for (int k = 0; k < _M_MAX; k++) {
                family(&b, metric_info[k].name, metric_info[k].type, metric_info[k].help);
                for (size_t i = 0; i < m->n_svcs; i++) {
                        const struct svc *s = m->svcs[i];
                        double v;
                        switch (k) {
                        case M_UP:
                                v = svc_state_up(s->state);
                                break;
                        case M_HEALTHY:
                                v = svc_state_up(s->state) &&
                                    (s->health == HEALTH_NONE || s->health == HEALTH_HEALTHY);
                                break;
                        case M_RESTARTS:
                                v = (double)s->restarts_total;
                                break;
                        case M_OOM:
                                v = (double)s->oom_kills;
                                break;
                        case M_CPU:
                                if (!st[i].valid)
                                        continue;
                                v = (double)(st[i].cpu_usage_usec + s->cpu_usec_gone) / 1e6;
                                break;
                        case M_MEM:
                                if (!st[i].valid)
                                        continue;
                                v = (double)st[i].memory_current;
                                break;
                        case M_NOTIFY_DROPPED:
                                v = (double)s->notify_dropped;
                                break;
                        default:
                                v = (double)logpipe_dropped_bytes(s->log);
                                break;
                        }
                        bprintf(&b, "%s", metric_info[k].name);
                        labels(&b, s);
                        char val[METRICS_VALUE_MAX];
                        bprintf(&b, " %s\n", metrics_format_value(v, val));
                }
        }
        /* An enum as Prometheus expects one: a series per possible state,
         * 1 for the current one and 0 for the others, so that none comes
         * and goes with the state (an alert on state="failed" == 1 sees its
         * series at every scrape, and a rate over it has no gaps). */
        family(&b, "svd_service_state", "gauge",
               "The service's state: one series per possible state, 1 for the one it is in, else 0.");
        for (size_t i = 0; i < m->n_svcs; i++) {
                const struct svc *s = m->svcs[i];
                for (int e = 0; e < _ST_MAX; e++) {
                        bprintf(&b, "svd_service_state{service=\"");
                        blabel(&b, s->cfg->name);
                        bprintf(&b, "\",slice=\"");
                        blabel(&b, s->cfg->slice ? s->cfg->slice : "");
                        bprintf(&b, "\",state=\"%s\"} %d\n", svc_state_name((enum svc_state)e),
                                s->state == (enum svc_state)e);
                }
        }
        family(&b, "svd_metrics_textfile_failing", "gauge",
               "1 while the last write of metrics.textfile failed (the file is then removed), else 0.");
        bprintf(&b, "svd_metrics_textfile_failing %d\n", m->metrics && m->metrics->last_err < 0);
        family(&b, "svd_build_info", "gauge", "svd's version, always 1.");
        bprintf(&b, "svd_build_info{version=\"");
        blabel(&b, SVD_VERSION);
        bprintf(&b, "\"} 1\n");
        free(st);
        if (b.oom) {
                free(b.p);
                return NULL;
        }
        return b.p;
}

cJSON *metrics_op(struct svd *m) {
        char *text = metrics_render(m);
        if (!text)
                return proto_reply_error(PROTO_E_FAILED, "out of memory");
        cJSON *r = proto_reply_ok();
        cJSON_AddStringToObject(r, "format", "text/plain; version=0.0.4");
        cJSON_AddStringToObject(r, "text", text);
        free(text);
        return r;
}

/* Through the directory's fd (safedir.h): the textfile directory is often
 * node_exporter's, which may be a user's, and that user must not get root
 * to truncate, chmod or replace another file through a link planted as
 * NAME.tmp or on the way to it. */
int metrics_write_file(struct svd *m, const char *path) {
        _cleanup_(freep) char *text = metrics_render(m);
        if (!text)
                return -ENOMEM;
        _cleanup_(safedir_closep) struct safedir d = SAFEDIR_NONE;
        const char *name;
        int r = safedir_open_parent(path, true, 0755, &d, &name); /* creates the directory */
        if (r < 0)
                return r;
        _cleanup_(freep) char *tmp = strdup_printf("%s.tmp", name); /* not *.prom: node_exporter skips it */
        if (!tmp)
                return -ENOMEM;
        int fd = safedir_create_tmp(&d, tmp, 0644); /* O_EXCL: a stale one (or a link) removed first */
        if (fd < 0)
                return fd;
        size_t len = strlen(text), off = 0;
        while (off < len) {
                ssize_t n = write(fd, text + off, len - off);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0) {
                        r = n < 0 ? -errno : -EIO;
                        break;
                }
                off += (size_t)n;
        }
        if (fchmod(fd, 0644) < 0 && r == 0)
                r = -errno;
        if (close(fd) < 0 && r == 0)
                r = -errno;
        if (r == 0 && renameat(d.fd, tmp, d.fd, name) < 0)
                r = -errno;
        if (r < 0)
                (void)unlinkat(d.fd, tmp, 0);
        return r;
}

/* Removes the file by its name (never what a link there points at): 0,
 * -ENOENT if there was none, or -errno. */
static int remove_file(const char *path) {
        struct safedir d = SAFEDIR_NONE;
        const char *name;
        int r = safedir_open_parent(path, false, 0755, &d, &name);
        if (r == 0 && unlinkat(d.fd, name, 0) < 0)
                r = -errno;
        safedir_close(&d);
        return r;
}

/* A failed write removes the last file: node_exporter would export its old
 * values (services up that are down) as current, with nothing but its mtime
 * to tell. Without it an absent() alert fires; svd's log says why, once per
 * streak, and svd_metrics_textfile_failing is 1 meanwhile. */
static void timer_cb(struct ev_loop *loop, ev_timer *w, int revents) {
        struct metrics *M = w->data;
        const char *path = M->path;
        int r = metrics_write_file(M->m, path);
        int u = r < 0 ? remove_file(path) : 0;
        if (r < 0 && r != M->last_err)
                log_warn("metrics: cannot write %s (through %s.tmp): %s; %s%s", path, path, safedir_strerror(r),
                         u == 0         ? "removed the last one, whose values would be taken for current"
                         : u == -ENOENT ? "there is no file until a write works"
                                        : "the last one stays, with old values: cannot remove it: ",
                         u == 0 || u == -ENOENT ? "" : safedir_strerror(u));
        else if (r == 0 && M->last_err)
                log_info("metrics: writing %s again", path);
        M->last_err = r;
}

static double interval(const struct svd *m) {
        double every = (double)m->cfg->metrics_interval / 1e6;
        return every > 0 ? every : 15.;
}

int metrics_start(struct svd *m) {
        if (!m->cfg->metrics_textfile || m->metrics)
                return 0;
        struct metrics *M = calloc(1, sizeof(*M));
        if (!M || !(M->path = strdup(m->cfg->metrics_textfile))) {
                free(M);
                return -ENOMEM;
        }
        M->m = m;
        ev_timer_init(&M->timer, timer_cb, 0., interval(m));
        M->timer.data = M;
        ev_timer_start(m->loop, &M->timer);
        m->metrics = M;
        return 0;
}

void metrics_stop(struct svd *m) {
        struct metrics *M = m->metrics;
        if (!M)
                return;
        ev_timer_stop(m->loop, &M->timer);
        (void)remove_file(M->path);
        free(M->path);
        free(M);
        m->metrics = NULL;
}

int metrics_reload(struct svd *m) {
        struct metrics *M = m->metrics;
        const char *path = m->cfg->metrics_textfile;
        if (M && path && strcmp(M->path, path) == 0) {
                /* the same file: no gap a scrape could fall in; written now */
                ev_timer_stop(m->loop, &M->timer);
                ev_timer_set(&M->timer, 0., interval(m));
                ev_timer_start(m->loop, &M->timer);
                return 0;
        }
        metrics_stop(m); /* removes the file the old configuration named */
        return metrics_start(m);
}

/* logrotate: rotation, compression and retention of service log files.
 * Rotation is a rename on the loop (cheap); compression runs in `gzip -c`
 * children writing NAME.gz.tmp, renamed over only when gzip succeeded, so a
 * half-written archive never replaces a good file and the loop never waits for
 * zlib. Retention (max_files, max_total per service, log_max_total across
 * services) is decided by the pure selectors in logfmt.c from a directory scan
 * done at each rotation: one pass per directory, whatever the number of logs
 * in it (scan_members). A compression that fails is warned about with its
 * cause once per episode and directory (gz_failed): a full disk fails every
 * rotation's, and one line says it. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "logsink.h"
#include "spawn.h"
#include "svd.h"

struct gzjob {
        struct gzjob *next;
        char *src, *tmp, *dst;
        pid_t pid;      /* 0 while queued */
        int errfd;      /* the read end of gzip's stderr (its message on failure); -1: none */
        bool cancelled; /* src was deleted by retention while gzip ran */
};

/* A directory whose compressions fail, and why (the cause without a file
 * name, to tell a new cause from the same one again). */
struct gzfail {
        struct gzfail *next;
        char *dir, *cause;
};

int logs_init(struct svd *m) {
        m->logs = calloc(1, sizeof(struct logs));
        if (!m->logs)
                return -ENOMEM;
        m->logs->m = m;
        return 0;
}

static void job_free(struct gzjob *j) {
        if (j->errfd >= 0)
                close(j->errfd);
        free(j->src);
        free(j->tmp);
        free(j->dst);
        free(j);
}

void logrotate_done(struct logs *L) {
        /* Running children finish on their own; their .tmp is removed at the
         * next start. */
        while (L->jobs) {
                struct gzjob *j = L->jobs;
                L->jobs = j->next;
                job_free(j);
        }
        while (L->gz_failing) {
                struct gzfail *f = L->gz_failing;
                L->gz_failing = f->next;
                free(f->dir);
                free(f->cause);
                free(f);
        }
}

void logs_done(struct svd *m) {
        if (!m->logs)
                return;
        logfollow_done(m->logs);
        logs_audit_close(m->logs);
        logrotate_done(m->logs);
        free(m->logs->recs);
        free(m->logs);
        m->logs = NULL;
}

static bool day_changed(usec_t a, usec_t b) {
        return a / (86400 * USEC_PER_SEC) != b / (86400 * USEC_PER_SEC);
}

bool logrotate_due(const struct logsink *k, uint64_t adding, usec_t now) {
        const struct logging_config *lc = k->lc;
        if (k->size + k->olen == 0)
                return false;
        if (lc->max_size && k->size + adding > lc->max_size)
                return true;
        if (lc->max_age && now - k->opened_real >= lc->max_age)
                return true;
        return lc->rotate_daily && day_changed(now, k->opened_real);
}

/* ---- compression ---- */

static void jobs_run(struct logs *L);

static struct gzfail **gz_find(struct logs *L, const char *dir, size_t dl) {
        struct gzfail **pp = &L->gz_failing;
        while (*pp && !(strncmp((*pp)->dir, dir, dl) == 0 && (*pp)->dir[dl] == 0))
                pp = &(*pp)->next;
        return pp;
}

static size_t dir_len(const char *path) {
        const char *s = strrchr(path, '/');
        return s ? (size_t)(s - path) : 0;
}

/* A compression of file failed for cause (no file name in it): warned about
 * (msg) unless its directory's compressions already fail for that cause; the
 * episode ends at the next one there that succeeds. */
static void gz_failed(struct logs *L, const char *file, const char *cause, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
static void gz_failed(struct logs *L, const char *file, const char *cause, const char *fmt, ...) {
        size_t dl = dir_len(file);
        struct gzfail **pp = gz_find(L, file, dl), *f = *pp;
        char msg[PATH_MAX + 512];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        if (f && strcmp(f->cause, cause) == 0) {
                log_debug("logs: %s; kept uncompressed (as before)", msg);
                return;
        }
        log_warn("logs: %s; kept uncompressed (not said again while compressions in %.*s fail this way)", msg,
                 (int)dl, file);
        char *c = strdup(cause), *d = f ? NULL : strndup(file, dl);
        if (!c || (!f && (!d || !(f = calloc(1, sizeof(*f)))))) {
                free(c);
                free(d);
                return; /* out of memory: the next failure is warned about again */
        }
        if (d) {
                f->dir = d;
                *pp = f;
        }
        free(f->cause);
        f->cause = c;
}

static void gz_succeeded(struct logs *L, const char *file) {
        size_t dl = dir_len(file);
        struct gzfail **pp = gz_find(L, file, dl), *f = *pp;
        if (!f)
                return;
        log_info("logs: compression in %s works again (%s)", f->dir, file);
        *pp = f->next;
        free(f->dir);
        free(f->cause);
        free(f);
}

static void job_start(struct logs *L, struct gzjob *j) {
        struct svd *m = L->m;
        char cause[64];
        int in = open(j->src, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (in < 0) {
                if (errno != ENOENT) { /* (gone: nothing to compress) */
                        snprintf(cause, sizeof(cause), "read:%d", errno);
                        gz_failed(L, j->src, cause, "cannot read %s to compress it: %s", j->src, strerror(errno));
                }
                return;
        }
        int out = open(j->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0640);
        if (out < 0) {
                snprintf(cause, sizeof(cause), "create:%d", errno);
                gz_failed(L, j->src, cause, "cannot create %s: %s", j->tmp, strerror(errno));
                close(in);
                return;
        }
        /* gzip's message says why it failed (a full disk: "gzip: stdout: No
         * space left on device"); read once it has exited. Non-blocking at
         * both ends: a gzip that said more than the pipe holds loses the
         * rest instead of waiting for a reader. */
        int ep[2] = {-1, -1};
        if (pipe2(ep, O_CLOEXEC | O_NONBLOCK) < 0)
                ep[0] = ep[1] = -1;
        if (geteuid() == 0 && m->cfg->has_admin_gid)
                (void)fchown(out, (uid_t)-1, m->cfg->admin_gid);
        static char *gzip_path;
        if (!gzip_path)
                gzip_path = spawn_find_executable("gzip", "/usr/local/bin:/usr/bin:/bin");
        /* The archive's data is on disk before svd renames it over and
         * deletes the plain file: else a power cut could leave an empty .gz
         * and no log. The child syncs it (an fsync could stall the loop):
         * sync FILE (coreutils, busybox >= 1.29) syncs that file only; a
         * sync that takes no file falls back to syncing everything. */
        char *argv[] = {"sh", "-c", "\"$0\" -c -6 && { sync /dev/stdout 2>/dev/null || sync; }",
                        gzip_path ? gzip_path : "/bin/gzip", NULL};
        char *envp[] = {"PATH=/usr/bin:/bin", NULL};
        struct spawn_req req = {
                .path = "/bin/sh",
                .argv = argv,
                .envp = envp,
                .cwd = "/",
                .stdin_fd = in,
                .stdout_fd = out,
                .stderr_fd = ep[1] >= 0 ? ep[1] : m->devnull_fd,
                .extra_fd = -1,
                .cgroup_procs_fd = -1,
                .cgroup_fd = -1,
        };
        struct spawn_error se = {0};
        pid_t pid = 0;
        int r = spawn_start(&req, &pid, &se);
        close(in);
        close(out);
        if (ep[1] >= 0)
                close(ep[1]);
        if (r < 0) {
                if (ep[0] >= 0)
                        close(ep[0]);
                snprintf(cause, sizeof(cause), "spawn:%d:%d", (int)se.stage, -r);
                gz_failed(L, j->src, cause, "cannot run gzip for %s: %s: %s", j->src, spawn_stage_name(se.stage),
                          strerror(-r));
                unlink(j->tmp);
                return;
        }
        j->errfd = ep[0];
        j->pid = pid;
        L->running++;
}

static void jobs_run(struct logs *L) {
        for (struct gzjob **pp = &L->jobs; *pp && L->running < LOGS_MAX_GZIP;) {
                struct gzjob *j = *pp;
                if (j->pid) {
                        pp = &j->next;
                        continue;
                }
                job_start(L, j);
                if (!j->pid) { /* could not start: leave the file uncompressed */
                        *pp = j->next;
                        job_free(j);
                        continue;
                }
                pp = &j->next;
        }
}

static void job_queue(struct logs *L, const char *src) {
        struct gzjob *j = calloc(1, sizeof(*j));
        if (!j)
                return;
        j->errfd = -1;
        j->src = strdup(src);
        j->dst = strdup_printf("%s.gz", src);
        j->tmp = strdup_printf("%s.gz.tmp", src);
        if (!j->src || !j->dst || !j->tmp) {
                job_free(j);
                return;
        }
        struct gzjob **pp = &L->jobs;
        while (*pp)
                pp = &(*pp)->next;
        *pp = j;
        jobs_run(L);
}

/* The last line gzip wrote to stderr (its cause), else how it ended; into
 * buf, control bytes replaced. */
static void gzip_said(struct gzjob *j, int status, char *buf, size_t len) {
        char b[512];
        ssize_t n = j->errfd >= 0 ? read(j->errfd, b, sizeof(b) - 1) : -1;
        size_t e = n > 0 ? (size_t)n : 0, s;
        while (e && (b[e - 1] == '\n' || b[e - 1] == '\r'))
                e--;
        for (s = e; s && b[s - 1] != '\n';)
                s--;
        if (s == e) {
                svc_format_exit(status, buf, len);
                return;
        }
        for (size_t i = s; i < e; i++)
                if ((unsigned char)b[i] < 0x20 || b[i] == 0x7f)
                        b[i] = '?';
        snprintf(buf, len, "%.*s", (int)(e - s), b + s);
}

static void job_ended(struct logs *L, struct gzjob *j, int status) {
        char said[512], cause[600];
        if (j->cancelled) {
                unlink(j->tmp);
                return;
        }
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                gzip_said(j, status, said, sizeof(said));
                snprintf(cause, sizeof(cause), "gzip:%s", said);
                gz_failed(L, j->src, cause, "compressing %s failed: %s", j->src, said);
                unlink(j->tmp);
                return;
        }
        if (access(j->src, F_OK) < 0) { /* deleted while gzip ran, not by retention */
                int e = errno;
                snprintf(cause, sizeof(cause), "gone:%d", e);
                gz_failed(L, j->src, cause, "compressing %s failed: %s", j->src, strerror(e));
                unlink(j->tmp);
                return;
        }
        if (rename(j->tmp, j->dst) < 0) {
                int e = errno;
                snprintf(cause, sizeof(cause), "rename:%d", e);
                gz_failed(L, j->src, cause, "compressing %s failed: cannot rename %s to %s: %s", j->src, j->tmp,
                          j->dst, strerror(e));
                unlink(j->tmp);
                return;
        }
        unlink(j->src);
        gz_succeeded(L, j->src);
}

bool logs_child_exited(struct svd *m, pid_t pid, int status) {
        struct logs *L = m->logs;
        if (!L)
                return false;
        for (struct gzjob **pp = &L->jobs; *pp; pp = &(*pp)->next) {
                struct gzjob *j = *pp;
                if (j->pid != pid)
                        continue;
                *pp = j->next;
                L->running--;
                job_ended(L, j, status);
                job_free(j);
                jobs_run(L);
                return true;
        }
        return false;
}

/* Retention deletes src: drop its queued job, or tell the running gzip's
 * completion not to resurrect it. */
static void job_cancel(struct logs *L, const char *src) {
        for (struct gzjob **pp = &L->jobs; *pp;) {
                struct gzjob *j = *pp;
                if (strcmp(j->src, src) != 0) {
                        pp = &j->next;
                        continue;
                }
                if (j->pid) {
                        j->cancelled = true;
                        pp = &j->next;
                } else {
                        *pp = j->next;
                        job_free(j);
                }
        }
}

static bool job_pending(const struct logs *L, const char *src) {
        for (const struct gzjob *j = L->jobs; j; j = j->next)
                if (strcmp(j->src, src) == 0)
                        return true;
        return false;
}

/* ---- scanning and retention ---- */

struct rfile {
        char *path;
        bool gz;
        size_t member; /* which of the scan's logs it belongs to */
        struct logfmt_file f;
};

/* A log of one scan: its sink and the owner tag its files get (f.owner). */
struct member {
        struct logsink *k;
        size_t owner;
};

static int member_cmp(const void *a, const void *b) {
        const struct member *x = a, *y = b;
        int c = strcmp(x->k->dir, y->k->dir);
        return c ? c : strcmp(x->k->base, y->k->base);
}

/* The member whose base is the first bl bytes of name, or NULL; mv sorted
 * by base (one directory). */
static const struct member *member_find(const struct member *mv, size_t n, const char *name, size_t bl) {
        size_t lo = 0, hi = n;
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                const char *b = mv[mid].k->base;
                int c = strncmp(b, name, bl);
                if (c == 0 && b[bl])
                        c = 1; /* b is longer than the name's base */
                if (c == 0)
                        return &mv[mid];
                if (c < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return NULL;
}

static int rfile_cmp(const void *a, const void *b) {
        const struct rfile *x = a, *y = b;
        if (x->member != y->member)
                return x->member < y->member ? -1 : 1;
        return x->f.time < y->f.time ? -1 : x->f.time > y->f.time;
}

/* One pass over dir for the n logs in it (mv, sorted by base): the rotated
 * files of each, grouped by member and oldest first within one; *ret_n.
 * NULL (n 0) if none or on error. A log's files are told from another's by
 * the name's shape (logfmt_rotated_base_len), so the pass costs the same for
 * one log as for hundreds sharing log_dir: a scan per log would read the
 * whole directory once per log (quadratic in the services). remove_tmp: also
 * delete leftovers of a compression that did not finish (BASE.STAMP.gz.tmp,
 * exactly what job_queue names them: a prefix would take those of another
 * log whose name starts with BASE, perhaps while its gzip runs). */
static struct rfile *scan_members(const char *dir, const struct member *mv, size_t nm, size_t *ret_n,
                                  bool remove_tmp) {
        *ret_n = 0;
        DIR *d = opendir(dir);
        if (!d)
                return NULL;
        struct rfile *v = NULL;
        size_t n = 0, cap = 0;
        struct dirent *de;
        while ((de = readdir(d))) {
                size_t bl = logfmt_rotated_base_len(de->d_name);
                const struct member *mb = bl ? member_find(mv, nm, de->d_name, bl) : NULL;
                if (!mb)
                        continue;
                usec_t t;
                bool gz;
                if (remove_tmp && logfmt_rotated_tmp_match(mb->k->base, de->d_name)) {
                        char *p = strdup_printf("%s/%s", dir, de->d_name);
                        if (p)
                                unlink(p);
                        free(p);
                        continue;
                }
                if (!logfmt_rotated_match(mb->k->base, de->d_name, &t, &gz))
                        continue;
                if (n == cap) {
                        cap = cap ? cap * 2 : 16;
                        struct rfile *nv = realloc(v, cap * sizeof(*v));
                        if (!nv)
                                break;
                        v = nv;
                }
                char *p = strdup_printf("%s/%s", dir, de->d_name);
                struct stat st;
                if (!p || stat(p, &st) < 0) {
                        free(p);
                        continue;
                }
                v[n++] = (struct rfile){p, gz, (size_t)(mb - mv), {t, (uint64_t)st.st_size, mb->owner, false}};
        }
        closedir(d);
        if (n)
                qsort(v, n, sizeof(*v), rfile_cmp);
        *ret_n = n;
        return v;
}

/* The rotated files of k alone, oldest first. */
static struct rfile *scan(const struct logsink *k, size_t *ret_n) {
        struct member one = {(struct logsink *)k, 0}; /* (scan_members only reads it) */
        return scan_members(k->dir, &one, 1, ret_n, false);
}

static void rfiles_free(struct rfile *v, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(v[i].path);
        free(v);
}

static void delete_file(struct logs *L, const char *path) {
        job_cancel(L, path);
        (void)unlink(path);
}

char **logrotate_list(const struct logsink *k) {
        size_t n;
        struct rfile *v = scan(k, &n);
        char **out = calloc(n + 1, sizeof(char *));
        for (size_t i = 0; out && i < n; i++) {
                out[i] = v[i].path;
                v[i].path = NULL;
        }
        rfiles_free(v, n);
        return out;
}

/* The current file counts at the size it may grow to before it rotates, so
 * the limits hold at every moment, not just right after a rotation. */
static uint64_t current_budget(const struct logsink *k) {
        return k->size > k->lc->max_size ? k->size : k->lc->max_size;
}

/* Deletes what k's retention settings do not keep of v (k's rotated files). */
static void retention_of(struct logsink *k, struct rfile *v, size_t n) {
        if (!n)
                return;
        struct logfmt_file *f = calloc(n, sizeof(*f));
        if (f) {
                for (size_t i = 0; i < n; i++)
                        f[i] = v[i].f;
                logfmt_retention(f, n, k->lc->max_files, k->lc->max_total, current_budget(k));
                for (size_t i = 0; i < n; i++)
                        if (f[i].del)
                                delete_file(k->m->logs, v[i].path);
                free(f);
        }
}

static void retention_service(struct logsink *k) {
        size_t n;
        struct rfile *v = scan(k, &n);
        retention_of(k, v, n);
        rfiles_free(v, n);
}

/* Every service's log, sorted by directory and base (owner: the service's
 * index); *ret_n. pending_startup: only those whose first look is still to
 * come. */
static struct member *service_logs(struct svd *m, bool pending_startup, size_t *ret_n) {
        struct member *mv = calloc(m->n_svcs ? m->n_svcs : 1, sizeof(*mv));
        size_t n = 0;
        for (size_t i = 0; mv && i < m->n_svcs; i++) {
                struct logsink *k = m->svcs[i]->log;
                if (k && !(pending_startup && k->startup_done))
                        mv[n++] = (struct member){k, i};
        }
        if (n)
                qsort(mv, n, sizeof(*mv), member_cmp);
        *ret_n = n;
        return mv;
}

static void retention_global(struct svd *m) {
        uint64_t limit = m->cfg->log_max_total;
        if (!limit)
                return;
        size_t nm;
        _cleanup_(freep) struct member *mv = service_logs(m, false, &nm);
        if (!mv)
                return;
        struct rfile *all = NULL;
        size_t n = 0;
        uint64_t current = 0;
        for (size_t i = 0; i < nm; i++)
                current += current_budget(mv[i].k);
        /* one pass per directory, not per service */
        for (size_t i = 0, j; i < nm; i = j) {
                for (j = i + 1; j < nm && strcmp(mv[j].k->dir, mv[i].k->dir) == 0; j++)
                        ;
                size_t kn;
                struct rfile *v = scan_members(mv[i].k->dir, mv + i, j - i, &kn, false);
                if (!kn)
                        continue;
                struct rfile *na = realloc(all, (n + kn) * sizeof(*all));
                if (!na) {
                        rfiles_free(v, kn);
                        continue;
                }
                all = na;
                memcpy(all + n, v, kn * sizeof(*v));
                n += kn;
                free(v);
        }
        struct logfmt_file *f = n ? calloc(n, sizeof(*f)) : NULL;
        if (f) {
                for (size_t i = 0; i < n; i++)
                        f[i] = all[i].f;
                logfmt_retention_global(f, n, limit, current);
                for (size_t i = 0; i < n; i++)
                        if (f[i].del)
                                delete_file(m->logs, all[i].path);
                free(f);
        }
        rfiles_free(all, n);
}

/* ---- rotation ---- */

static void age_cb(struct ev_loop *loop, ev_timer *w, int revents) {
        struct logsink *k = w->data;
        logsink_write_out(k);
        if (logrotate_due(k, 0, now_real()) && !k->blocked)
                (void)logrotate_rotate(k);
        logrotate_arm_age(k);
}

void logrotate_arm_age(struct logsink *k) {
        const struct logging_config *lc = k->lc;
        struct ev_loop *loop = k->m->loop;
        ev_timer_stop(loop, &k->age);
        if (!lc->max_age && !lc->rotate_daily)
                return;
        usec_t now = now_real(), at = USEC_INFINITY;
        if (lc->max_age)
                at = k->opened_real + lc->max_age;
        if (lc->rotate_daily) {
                usec_t day = 86400 * USEC_PER_SEC, midnight = (k->opened_real / day + 1) * day;
                if (midnight < at)
                        at = midnight;
        }
        /* An empty file is not rotated; look again one period later. */
        if (at <= now)
                at = now + (lc->max_age ? lc->max_age : 86400 * USEC_PER_SEC);
        ev_timer_init(&k->age, age_cb, (double)(at - now) / 1e6 + 0.001, 0.);
        k->age.data = k;
        ev_timer_start(loop, &k->age);
}

/* k's file by its name again, after a rename or a deletion; if that fails
 * the old one is closed all the same (its name is gone) and the open retried
 * at the next write. */
static int reopen_current(struct logsink *k) {
        int r = logsink_open_file(k);
        if (r < 0) {
                if (k->fd >= 0)
                        close(k->fd);
                k->fd = -1;
                k->size = 0;
        }
        return r;
}

int logrotate_rotate(struct logsink *k) {
        logrotate_startup(k); /* last_rotated: the names already there */
        usec_t t = now_real();
        if (t <= k->last_rotated)
                t = k->last_rotated + 1; /* names must stay unique and ordered */
        size_t len = strlen(k->path) + LOGFMT_STAMP_LEN + 8;
        char *dst = malloc(len);
        if (!dst)
                return -ENOMEM;
        logfmt_rotated_name(k->path, t, dst, len);
        if (rename(k->path, dst) < 0) {
                int r = -errno;
                free(dst);
                /* Someone deleted the current file: writing on to the
                 * unlinked inode would grow it past every limit, unseen, and
                 * retry this rename at every line. There is nothing to
                 * rotate; the file starts again at its name. */
                if (r == -ENOENT)
                        r = reopen_current(k);
                if (r < 0)
                        k->opened_real = now_real(); /* do not retry at every line */
                logrotate_arm_age(k);
                return r;
        }
        k->last_rotated = t;
        int r = reopen_current(k);
        k->opened_real = t;
        if (k->lc->compress)
                job_queue(k->m->logs, dst);
        free(dst);
        retention_service(k);
        retention_global(k->m);
        logrotate_arm_age(k);
        return r;
}

/* The first look at one log, given its rotated files (oldest first). */
static void startup_one(struct logsink *k, struct rfile *v, size_t n) {
        k->startup_done = true;
        ev_idle_stop(k->m->loop, &k->startup);
        for (size_t i = 0; i < n; i++) {
                if (v[i].f.time > k->last_rotated)
                        k->last_rotated = v[i].f.time;
                if (k->lc->compress && !v[i].gz && !job_pending(k->m->logs, v[i].path))
                        job_queue(k->m->logs, v[i].path);
        }
        /* retention_service's own scan, without a second pass: the queued
         * compressions only rename files within the list */
        retention_of(k, v, n);
        logrotate_arm_age(k);
}

void logrotate_startup(struct logsink *k) {
        if (k->startup_done)
                return;
        /* Every service's log in k's directory that still waits for its
         * first look gets it from this same pass: at boot that is all of
         * them, and a pass each would read log_dir once per service. */
        size_t na, from = 0, to = 0;
        _cleanup_(freep) struct member *all = service_logs(k->m, true, &na);
        while (from < na && strcmp(all[from].k->dir, k->dir) != 0)
                from++;
        bool in = false;
        for (to = from; to < na && strcmp(all[to].k->dir, k->dir) == 0; to++)
                in = in || all[to].k == k;
        struct member one = {k, 0};
        const struct member *mv = in ? all + from : &one; /* not a service's (the audit log) */
        size_t nm = in ? to - from : 1, nf;
        struct rfile *v = scan_members(k->dir, mv, nm, &nf, true);
        size_t f = 0;
        for (size_t j = 0; j < nm; j++) {
                size_t e = f;
                while (e < nf && v[e].member == j)
                        e++;
                startup_one(mv[j].k, v + f, e - f);
                f = e;
        }
        rfiles_free(v, nf);
}

/* logrotate: rotation and retention of service log files. Rotation is a
 * rename on the loop (cheap); the rotated file is then compressed by
 * logcompress.c. Retention (max_files, max_total per service; log_max_total
 * across services in logsweep.c) is decided by the pure selectors in logfmt.c
 * from a directory scan done at each rotation: one pass per directory, whatever the
 * number of logs in it (scan_members). Every name is reached through the
 * directory's fd (safedir.h): a service user who can write its log
 * directory cannot have a rename, a deletion or a size look-up follow a link
 * it planted. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "logsink.h"
#include "safedir.h"
#include "svd.h"

int logs_init(struct svd *m) {
        m->logs = calloc(1, sizeof(struct logs));
        if (!m->logs)
                return -ENOMEM;
        m->logs->m = m;
        logs_sweep_soon(m); /* files left from before, of services started or not */
        return 0;
}

void logs_done(struct svd *m) {
        if (!m->logs)
                return;
        if (m->logs->sweep_init && m->loop)
                ev_idle_stop(m->loop, &m->logs->sweep);
        logfollow_done(m->logs);
        logs_audit_close(m->logs);
        logcompress_done(m->logs);
        free(m->logs->recs);
        free(m->logs);
        m->logs = NULL;
}

/* Whether now is on a later UTC day than then (a clock set back is not a
 * new day). */
static bool day_changed(usec_t now, usec_t then) {
        return now / (86400 * USEC_PER_SEC) > then / (86400 * USEC_PER_SEC);
}

bool logrotate_due(const struct logsink *k, uint64_t adding, usec_t now) {
        const struct logging_config *lc = k->lc;
        if (k->size + k->olen == 0)
                return false;
        if (k->rotate_retry && now < k->rotate_retry)
                return false; /* the last rotation failed: the file grows on a while */
        /* a line cut into pieces is one record in one file: a reader of one
         * file, or of the files retention keeps, never gets half of it */
        uint64_t span = lc->max_size ? lc->max_size : LOGROTATE_PIECES_MAX;
        for (int i = 0; i < 2; i++)
                if (k->st[i].piece_bytes && k->st[i].piece_bytes < span)
                        return false;
        if (lc->max_size && k->size + adding > lc->max_size)
                return true;
        /* (a clock set back since the file started: no age yet, not a
         * difference that wraps) */
        if (lc->max_age && now >= k->opened_real && now - k->opened_real >= lc->max_age)
                return true;
        return lc->rotate_daily && day_changed(now, k->opened_real);
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

/* Whether name (BASE.STAMP.gz.tmp in dir) is the output of a compression
 * this svd runs: a log's sink made anew (its service removed
 * and added again by reloads) looks at the directory while the gzip of its
 * earlier sink still writes there. Not a leftover: removing it lost that
 * gzip's work (its rename then failed) and left the file to compress again
 * at the next start. */
static bool tmp_in_use(const struct logs *L, const char *dir, const char *name) {
        size_t nl = strlen(name), sl = sizeof(".gz.tmp") - 1;
        _cleanup_(freep) char *src = nl > sl ? strdup_printf("%s/%.*s", dir, (int)(nl - sl), name) : NULL;
        return src && logcompress_running(L, src);
}

/* One pass over dir for the n logs in it (mv, sorted by base): the rotated
 * files of each, grouped by member and oldest first within one; *ret_n.
 * NULL (n 0) if none or on error. A log's files are told from another's by
 * the name's shape (logfmt_rotated_base_len), so the pass costs the same for
 * one log as for hundreds sharing log_dir: a scan per log would read the
 * whole directory once per log (quadratic in the services). remove_tmp: also
 * delete leftovers of a compression that did not finish (BASE.STAMP.gz.tmp,
 * exactly what logcompress_queue names them: a prefix would take those of another
 * log whose name starts with BASE, perhaps while its gzip runs; and not the
 * one a compression under way writes: tmp_in_use). */
static struct rfile *scan_members(const char *dir, const struct member *mv, size_t nm, size_t *ret_n,
                                  bool remove_tmp) {
        *ret_n = 0;
        struct safedir sd = SAFEDIR_NONE;
        if (safedir_open(dir, false, 0755, &sd) < 0)
                return NULL;
        DIR *d = fdopendir(sd.fd); /* (closedir closes sd.fd) */
        if (!d) {
                safedir_close(&sd);
                return NULL;
        }
        /* a link's own size where another user could have made it */
        const int stat_flags = sd.exposed ? AT_SYMLINK_NOFOLLOW : 0;
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
                        if (!tmp_in_use(mb->k->m->logs, dir, de->d_name))
                                (void)unlinkat(sd.fd, de->d_name, 0); /* the name: never what it links to */
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
                if (!p || fstatat(sd.fd, de->d_name, &st, stat_flags) < 0) {
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
        logcompress_cancel(L, path);
        _cleanup_(safedir_closep) struct safedir d = SAFEDIR_NONE;
        const char *name;
        if (safedir_open_parent(path, false, 0755, &d, &name) == 0)
                (void)unlinkat(d.fd, name, 0); /* the name: never what it links to */
}

/* Hands the paths of v (one scan's, grouped by member, oldest first) over
 * to ret: ret[mv[m].owner] the NULL-terminated list of member m's. */
static void lists_fill(const struct member *mv, size_t nm, struct rfile *v, size_t n, char ***ret) {
        for (size_t f = 0, m = 0; m < nm; m++) {
                size_t e = f;
                while (e < n && v[e].member == m)
                        e++;
                char **out = calloc(e - f + 1, sizeof(char *));
                for (size_t i = f; out && i < e; i++) {
                        out[i - f] = v[i].path;
                        v[i].path = NULL;
                }
                ret[mv[m].owner] = out;
                f = e;
        }
}

void logrotate_list_all(struct logsink *const *ks, size_t n, char ***ret) {
        _cleanup_(freep) struct member *mv = calloc(n ? n : 1, sizeof(*mv));
        size_t nm = 0;
        for (size_t i = 0; i < n; i++) {
                ret[i] = NULL;
                if (mv && ks[i])
                        mv[nm++] = (struct member){ks[i], i};
        }
        if (nm > 1)
                qsort(mv, nm, sizeof(*mv), member_cmp);
        /* one pass per directory, not per log */
        for (size_t i = 0, j; i < nm; i = j) {
                for (j = i + 1; j < nm && strcmp(mv[j].k->dir, mv[i].k->dir) == 0; j++)
                        ;
                size_t kn;
                struct rfile *v = scan_members(mv[i].k->dir, mv + i, j - i, &kn, false);
                lists_fill(mv + i, j - i, v, kn, ret);
                rfiles_free(v, kn);
        }
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

/* ---- rotation ---- */

void logrotate_flush_due(struct logsink *k, uint64_t adding, usec_t now) {
        logsink_write_out(k);
        if (!logrotate_due(k, adding, now))
                return;
        (void)logrotate_rotate(k);
        /* on_full: block: what is held back opens the new file, in the room
         * retention made, if it made any (else a retry writes it later) */
        if (k->blocked)
                logsink_write_out(k);
}

static void age_cb(struct ev_loop *loop, ev_timer *w, int revents) {
        struct logsink *k = w->data;
        logrotate_flush_due(k, 0, now_real());
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

/* Whether k's file is smaller than svd counted: emptied by hand (": >
 * app.log", truncate -s 0, as on a full disk) while open. The count then
 * goes on from the real size. Looked at only when a rotation is due, not at
 * each write: the count is wrong only until then. */
static bool shrank(struct logsink *k) {
        struct stat st;
        if (k->fd < 0 || fstat(k->fd, &st) < 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size >= k->size)
                return false;
        k->size = (uint64_t)st.st_size;
        return true;
}

int logrotate_rotate(struct logsink *k) {
        /* The rotation was found due by a count too high: none now. The
         * next record decides again on the real size (an empty file is
         * never rotated; rotating this one early left a rotated file of
         * next to nothing). Nor is an empty one: output held back by
         * on_full: block is no reason to rotate the file it did not reach. */
        if (shrank(k) || !k->size)
                return 0;
        logrotate_startup(k); /* last_rotated: the names already there */
        usec_t t = now_real();
        if (t <= k->last_rotated)
                t = k->last_rotated + 1; /* names must stay unique and ordered */
        size_t len = strlen(k->path) + LOGFMT_STAMP_LEN + 8;
        char *dst = malloc(len);
        if (!dst)
                return -ENOMEM;
        logfmt_rotated_name(k->path, t, dst, len);
        /* names within k->dir, as walked now: a rename never follows the
         * link it renames, but the directory's path could lead elsewhere */
        _cleanup_(safedir_closep) struct safedir d = SAFEDIR_NONE;
        int r = safedir_open(k->dir, false, 0755, &d);
        if (r >= 0 && renameat(d.fd, k->base, d.fd, dst + strlen(k->path) - strlen(k->base)) < 0)
                r = -errno;
        if (r < 0 && r != -ENOENT) {
                /* The rename refused (append-only or immutable file, a mount
                 * point, a security module): said once while it fails, and
                 * retried after LOGROTATE_RETRY, not at every line. */
                if (!k->rotate_retry)
                        log_warn("logs: cannot rotate %s (renaming it to %s): %s; it grows past its limits "
                                 "until a rotation works (tried again each second)",
                                 k->path, dst + strlen(k->path) - strlen(k->base), safedir_strerror(r));
                k->rotate_retry = now_real() + LOGROTATE_RETRY;
        }
        if (r < 0) {
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
        if (k->rotate_retry) {
                log_info("logs: rotating %s works again", k->path);
                k->rotate_retry = 0;
        }
        k->last_rotated = t;
        k->st[0].piece_bytes = k->st[1].piece_bytes = 0; /* (none in the new file) */
        r = reopen_current(k);
        /* the new file's age from now, not from its predecessor's name:
         * that is later than now while the clock is behind the newest
         * rotated file's stamp (a clock not set yet at boot, or set back) */
        k->opened_real = now_real();
        if (k->lc->compress)
                logcompress_queue(k->m->logs, dst);
        free(dst);
        retention_service(k);
        if (k->m->cfg->log_max_total)
                logs_sweep(k->m); /* (log_max_total: every service's logs, logsweep.c) */
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
                if (k->lc->compress && !v[i].gz && !logcompress_pending(k->m->logs, v[i].path))
                        logcompress_queue(k->m->logs, v[i].path);
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

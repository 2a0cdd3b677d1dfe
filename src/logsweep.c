/* logsweep: what log_max_total covers, and the leftovers of compressions no
 * one will finish. The cap is on every service log svd has written, and
 * only on those: the current file of each configured service, started or
 * not (an open one counts at the size it may grow to before it rotates, as
 * in retention, another at its size), the current file of each service
 * removed from the configuration that the record (logrecord.c) names,
 * wherever its logging.file put it (at its size; a link, or a file with a
 * second hard link, not counted), and the rotated files, plain or
 * compressed, of both, in the directory of their file. A file svd did not
 * write (an operator's notes.log in log_dir, another program's log, svd's
 * own audit log) is neither counted nor deleted, whatever its name. The
 * oldest rotated files go first, whoever's; current files are never
 * deleted. The same pass deletes those logs' BASE.STAMP.gz.tmp files
 * (the audit log's too) whose compression does not run (svd killed during
 * one, its service removed or not started since): the output of a gzip
 * under way, one the previous svd started included (logcompress_adopt), is
 * left to it; and it drops from the record the removed services whose
 * files are all gone. Runs at each rotation while log_max_total is set,
 * and once the loop is idle after svd starts and after each reload, which
 * is also when the configured services' files are added to the record.
 * Names are reached through their directory's fd (safedir.h), never
 * through a link a service user planted. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config_parse.h"
#include "log.h"
#include "logsink.h"
#include "safedir.h"
#include "svd.h"

struct swfile {
        char *path;
        struct logfmt_file f;
};

struct sweep {
        struct svd *m;
        char **paths; /* the logs' files: each service's, by index (NULL: out of
                         memory), then the removed services' of the record */
        size_t np;
        bool *seen;       /* a removed service's: some file of it is there (or may be) */
        struct swfile *v; /* rotated files found */
        size_t n, cap;
        uint64_t current; /* what the current files count for */
};

/* Service s's log file: its sink's (a reload may have moved it), else the
 * configured one, as logpipe.c's set_path makes it. */
static char *log_path(const struct svd *m, const struct svc *s)
{
        if (s->log)
                return strdup(s->log->path);
        const struct logging_config *lc = &s->cfg->logging;
        return lc->file ? strdup(lc->file) : strdup_printf("%s/%s.log", m->cfg->log_dir, s->cfg->name);
}

/* Whether path's directory is dir (spelt as set_path spells it); then
 * *ret_base is its name within. */
static bool in_dir(const char *path, const char *dir, const char **ret_base)
{
        const char *slash = strrchr(path, '/');
        size_t dl = strlen(dir);
        bool in = slash ? (slash == path ? strcmp(dir, "/") == 0
                                         : (size_t)(slash - path) == dl && strncmp(path, dir, dl) == 0)
                        : strcmp(dir, ".") == 0;
        if (in)
                *ret_base = slash ? slash + 1 : path;
        return in;
}

static char *dir_of(const char *path)
{
        const char *slash = strrchr(path, '/');
        return slash ? (slash == path ? strdup("/") : strndup(path, (size_t)(slash - path))) : strdup(".");
}

/* The index in w->paths of the log whose file is dir/base; -1: none. */
static ssize_t log_of(const struct sweep *w, const char *dir, const char *base)
{
        const char *b;
        for (size_t i = 0; i < w->np; i++)
                if (w->paths[i] && in_dir(w->paths[i], dir, &b) && strcmp(b, base) == 0)
                        return (ssize_t)i;
        return -1;
}

static void add_file(struct sweep *w, const char *dir, const char *name, usec_t t, uint64_t size)
{
        if (w->n == w->cap) {
                size_t ncap = w->cap ? w->cap * 2 : 32;
                struct swfile *nv = realloc(w->v, ncap * sizeof(*nv));
                if (!nv)
                        return;
                w->v = nv;
                w->cap = ncap;
        }
        char *p = strdup_printf("%s/%s", dir, name);
        if (p)
                w->v[w->n++] = (struct swfile){ p, { t, size, 0, false } };
}

/* Marks the removed services' logs in dir as maybe there: dir could not be
 * read, so they stay in the record. */
static void keep_unread(struct sweep *w, const char *dir)
{
        const char *base;
        for (size_t i = w->m->n_svcs; i < w->np; i++)
                if (in_dir(w->paths[i], dir, &base))
                        w->seen[i] = true;
}

/* One pass over dir: the current files of the logs there, their rotated
 * files, and the leftovers of their compressions (and, in log_dir, the
 * audit log's). */
static void sweep_dir(struct sweep *w, const char *dir, bool is_log_dir)
{
        struct svd *m = w->m;
        struct safedir sd = SAFEDIR_NONE;
        int r = safedir_open(dir, false, 0755, &sd);
        if (r < 0) {
                if (r != -ENOENT) /* (gone: so are the files) */
                        keep_unread(w, dir);
                return;
        }
        DIR *d = fdopendir(sd.fd); /* (closedir closes sd.fd) */
        if (!d) {
                safedir_close(&sd);
                keep_unread(w, dir);
                return;
        }
        const int stat_flags = sd.exposed ? AT_SYMLINK_NOFOLLOW : 0; /* a link's own size */
        struct stat st;
        const char *base;
        for (size_t i = 0; i < w->np; i++) {
                const struct logsink *k = i < m->n_svcs && m->svcs[i] ? m->svcs[i]->log : NULL;
                if (!w->paths[i] || !in_dir(w->paths[i], dir, &base))
                        continue;
                if (k)
                        w->current += k->size > k->lc->max_size ? k->size : k->lc->max_size;
                else if (i < m->n_svcs) {
                        if (fstatat(dirfd(d), base, &st, stat_flags) == 0 && S_ISREG(st.st_mode))
                                w->current += (uint64_t)st.st_size;
                } else if (fstatat(dirfd(d), base, &st, AT_SYMLINK_NOFOLLOW) == 0) {
                        /* a removed service's: not a link, nor a file with
                         * another name (one of a configured service's files,
                         * maybe, which counts already) */
                        w->seen[i] = true;
                        if (S_ISREG(st.st_mode) && st.st_nlink == 1)
                                w->current += (uint64_t)st.st_size;
                } else if (errno != ENOENT)
                        w->seen[i] = true;
        }
        struct dirent *de;
        while ((de = readdir(d))) {
                size_t bl = logfmt_rotated_base_len(de->d_name);
                char b[256];
                if (!bl || bl >= sizeof(b))
                        continue;
                memcpy(b, de->d_name, bl);
                b[bl] = '\0';
                ssize_t li = log_of(w, dir, b);
                bool audit = is_log_dir && strcmp(b, CONFIG_AUDIT_LOG) == 0;
                if (li < 0 && !audit)
                        continue; /* not a file svd wrote: never counted nor deleted */
                usec_t t;
                bool gz;
                if (logfmt_rotated_tmp_match(b, de->d_name)) {
                        size_t nl = strlen(de->d_name) - (sizeof(".gz.tmp") - 1);
                        char *src = strdup_printf("%s/%.*s", dir, (int)nl, de->d_name);
                        if (src && !logcompress_running(m->logs, src))
                                (void)unlinkat(dirfd(d), de->d_name,
                                               0); /* the name: never what it links to */
                        free(src);
                        continue;
                }
                if (audit || !logfmt_rotated_match(b, de->d_name, &t, &gz) ||
                    fstatat(dirfd(d), de->d_name, &st, stat_flags) < 0)
                        continue;
                w->seen[li] = true;
                add_file(w, dir, de->d_name, t, (uint64_t)st.st_size);
        }
        closedir(d);
}

static void delete_file(struct logs *L, const char *path)
{
        logcompress_cancel(L, path);
        _cleanup_(safedir_closep) struct safedir d = SAFEDIR_NONE;
        const char *name;
        if (safedir_open_parent(path, false, 0755, &d, &name) == 0)
                (void)unlinkat(d.fd, name, 0);
}

/* The record, with the configured services' files added (on disk first);
 * a failure is told once until the record works again: the logs of the
 * services removed meanwhile will not be counted. */
static void record_load(struct svd *m, struct logrecord *rec, char *const *svc_paths)
{
        int r = logrecord_load(m->cfg, rec);
        for (size_t i = 0; r >= 0 && i < m->n_svcs; i++)
                if (svc_paths[i] && (r = logrecord_add(m->cfg, rec, svc_paths[i])) == -EINVAL)
                        r = 0; /* a path with a newline: not counted once removed, the others are */
        if (r < 0 && m->logs && !m->logs->record_failed)
                log_warn(
                        "cannot keep the record of the log files in %s/logfiles: %s (log_max_total will not "
                        "count the files of a service removed from now on)",
                        m->cfg->state_dir, strerror(-r));
        if (m->logs)
                m->logs->record_failed = r < 0;
}

/* Drops from the record the removed services' logs that are all gone. */
static void record_prune(struct svd *m, const struct sweep *w, struct logrecord *rec)
{
        struct logrecord keep = { .paths = calloc(rec->n ? rec->n : 1, sizeof(char *)) };
        if (!keep.paths)
                return;
        for (size_t i = 0; i < rec->n; i++) {
                bool gone = false;
                for (size_t j = m->n_svcs; j < w->np; j++)
                        if (strcmp(w->paths[j], rec->paths[i]) == 0)
                                gone = !w->seen[j];
                if (!gone)
                        keep.paths[keep.n++] = rec->paths[i];
        }
        if (keep.n < rec->n)
                (void)logrecord_save(m->cfg, &keep); /* (failed: pruned next time) */
        free(keep.paths);                            /* (the strings are rec's) */
}

void logs_sweep(struct svd *m)
{
        struct sweep w = { .m = m };
        struct logrecord rec = { 0 };
        if (m->logs && m->logs->sweep_init)
                ev_idle_stop(m->loop, &m->logs->sweep); /* (done now) */
        w.paths = calloc(m->n_svcs ? m->n_svcs : 1, sizeof(char *));
        if (!w.paths)
                return;
        for (size_t i = 0; i < m->n_svcs; i++)
                w.paths[i] = m->svcs[i] ? log_path(m, m->svcs[i]) : NULL;
        w.np = m->n_svcs;
        record_load(m, &rec, w.paths);
        char **np = realloc(w.paths, (m->n_svcs + rec.n + 1) * sizeof(char *));
        w.seen = calloc(m->n_svcs + rec.n + 1, sizeof(bool));
        char **dirs = calloc(m->n_svcs + rec.n + 1, sizeof(char *));
        size_t nd = 0;
        if (np)
                w.paths = np;
        if (!np || !w.seen || !dirs || !(dirs[nd++] = strdup(m->cfg->log_dir)))
                goto out;
        /* the removed services' (the configured ones' are in the record too) */
        for (size_t i = 0; i < rec.n; i++) {
                const char *base;
                bool configured = false;
                for (size_t j = 0; j < m->n_svcs; j++)
                        configured = configured || (w.paths[j] && strcmp(w.paths[j], rec.paths[i]) == 0);
                if (!configured &&
                    !(in_dir(rec.paths[i], m->cfg->log_dir, &base) && strcmp(base, CONFIG_AUDIT_LOG) == 0))
                        w.paths[w.np++] = rec.paths[i]; /* (rec's) */
        }
        for (size_t i = 0; i < w.np; i++) {
                char *dir = w.paths[i] ? dir_of(w.paths[i]) : NULL;
                for (size_t j = 0; dir && j < nd; j++)
                        if (strcmp(dirs[j], dir) == 0) {
                                free(dir);
                                dir = NULL;
                        }
                if (dir)
                        dirs[nd++] = dir;
        }
        for (size_t j = 0; j < nd; j++)
                sweep_dir(&w, dirs[j], j == 0);
        uint64_t limit = m->cfg->log_max_total;
        struct logfmt_file *f = limit && w.n ? calloc(w.n, sizeof(*f)) : NULL;
        if (f) {
                for (size_t i = 0; i < w.n; i++)
                        f[i] = w.v[i].f;
                logfmt_retention_global(f, w.n, limit, w.current);
                for (size_t i = 0; i < w.n; i++)
                        if (f[i].del)
                                delete_file(m->logs, w.v[i].path);
                free(f);
        }
        if (!m->logs || !m->logs->record_failed)
                record_prune(m, &w, &rec);
out:
        for (size_t i = 0; i < w.n; i++)
                free(w.v[i].path);
        free(w.v);
        for (size_t i = 0; i < m->n_svcs; i++)
                free(w.paths[i]);
        free(w.paths);
        free(w.seen);
        for (size_t j = 0; dirs && j < nd; j++)
                free(dirs[j]);
        free(dirs);
        logrecord_free(&rec);
}

static void sweep_cb(struct ev_loop *loop, ev_idle *w, int revents)
{
        logs_sweep(w->data);
}

void logs_sweep_soon(struct svd *m)
{
        struct logs *L = m->logs;
        if (!L || !m->loop)
                return;
        if (!L->sweep_init) {
                ev_idle_init(&L->sweep, sweep_cb);
                L->sweep.data = m;
                L->sweep_init = true;
        }
        ev_idle_start(m->loop, &L->sweep);
}

/* logsweep: what log_max_total covers, and the leftovers of compressions no
 * one will finish. The cap is on every service log svd keeps: the current
 * file of each configured service, started or not (an open one counts at
 * the size it may grow to before it rotates, as in retention, another at its
 * size), and the rotated files, plain or compressed, in log_dir of any log
 * but svd's audit log (services configured, not started, removed, or left
 * from before), and, in the directory of a logging.file, those of the
 * services whose file is there, and the current file of a service removed
 * (or left from before) in log_dir, NAME.log that is no configured service's
 * file. The oldest rotated files go first, whoever's; current files are
 * never deleted. The
 * same pass deletes BASE.STAMP.gz.tmp files whose compression does not run
 * (svd killed during one, its service removed or not started since): the
 * output of a gzip under way, one the previous svd started included
 * (logcompress_adopt), is left to it. Runs at each rotation while
 * log_max_total is set, and once the loop is idle after svd starts and
 * after each reload. Names are reached through their directory's fd
 * (safedir.h), never through a link a service user planted. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config_parse.h"
#include "logsink.h"
#include "safedir.h"
#include "svd.h"

struct swfile {
        char *path;
        struct logfmt_file f;
};

struct sweep {
        struct svd *m;
        char **paths;            /* each service's log file, by index (NULL: out of memory) */
        struct swfile *v;        /* rotated files found */
        size_t n, cap;
        uint64_t current;        /* what the current files count for */
};

/* Service s's log file: its sink's (a reload may have moved it), else the
 * configured one, as logpipe.c's set_path makes it. */
static char *log_path(const struct svd *m, const struct svc *s) {
        if (s->log)
                return strdup(s->log->path);
        const struct logging_config *lc = &s->cfg->logging;
        return lc->file ? strdup(lc->file) : strdup_printf("%s/%s.log", m->cfg->log_dir, s->cfg->name);
}

/* Whether path's directory is dir (spelt as set_path spells it); then
 * *ret_base is its name within. */
static bool in_dir(const char *path, const char *dir, const char **ret_base) {
        const char *slash = strrchr(path, '/');
        size_t dl = strlen(dir);
        bool in = slash ? (slash == path ? strcmp(dir, "/") == 0 : (size_t)(slash - path) == dl &&
                                                                      strncmp(path, dir, dl) == 0)
                        : strcmp(dir, ".") == 0;
        if (in)
                *ret_base = slash ? slash + 1 : path;
        return in;
}

static char *dir_of(const char *path) {
        const char *slash = strrchr(path, '/');
        return slash ? (slash == path ? strdup("/") : strndup(path, (size_t)(slash - path))) : strdup(".");
}

/* Whether base is the file of a service whose log is in dir. */
static bool service_base(const struct sweep *w, const char *dir, const char *base) {
        const char *b;
        for (size_t i = 0; i < w->m->n_svcs; i++)
                if (w->paths[i] && in_dir(w->paths[i], dir, &b) && strcmp(b, base) == 0)
                        return true;
        return false;
}

/* name in log_dir (dfd), if a removed service's current file: NAME.log of
 * no configured service, not the audit log, counted at its size. A link is
 * not counted, nor a file with another name (a hard link: one of a
 * configured service's files, maybe, which counts already). */
static void count_removed(struct sweep *w, const char *dir, int dfd, const char *name) {
        size_t nl = strlen(name);
        char stem[65];
        struct stat st;
        if (nl <= 4 || nl - 4 >= sizeof(stem) || strcmp(name + nl - 4, ".log") != 0 ||
            strcmp(name, CONFIG_AUDIT_LOG) == 0 || service_base(w, dir, name))
                return;
        memcpy(stem, name, nl - 4);
        stem[nl - 4] = '\0';
        if (config_name_valid(stem) && fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
            st.st_nlink == 1)
                w->current += (uint64_t)st.st_size;
}

static void add_file(struct sweep *w, const char *dir, const char *name, usec_t t, uint64_t size) {
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
                w->v[w->n++] = (struct swfile){p, {t, size, 0, false}};
}

/* One pass over dir. any: log_dir, where every log's rotated files count
 * (the audit log's excepted: only its leftovers go); elsewhere only the
 * services' whose file is in dir. */
static void sweep_dir(struct sweep *w, const char *dir, bool any) {
        struct svd *m = w->m;
        struct safedir sd = SAFEDIR_NONE;
        if (safedir_open(dir, false, 0755, &sd) < 0)
                return;
        DIR *d = fdopendir(sd.fd); /* (closedir closes sd.fd) */
        if (!d) {
                safedir_close(&sd);
                return;
        }
        const int stat_flags = sd.exposed ? AT_SYMLINK_NOFOLLOW : 0; /* a link's own size */
        struct stat st;
        const char *base;
        for (size_t i = 0; i < m->n_svcs; i++) {
                const struct logsink *k = m->svcs[i] ? m->svcs[i]->log : NULL;
                if (!w->paths[i] || !in_dir(w->paths[i], dir, &base))
                        continue;
                if (k)
                        w->current += k->size > k->lc->max_size ? k->size : k->lc->max_size;
                else if (fstatat(dirfd(d), base, &st, stat_flags) == 0 && S_ISREG(st.st_mode))
                        w->current += (uint64_t)st.st_size;
        }
        struct dirent *de;
        while ((de = readdir(d))) {
                size_t bl = logfmt_rotated_base_len(de->d_name);
                char b[256];
                if (!bl && any)
                        count_removed(w, dir, dirfd(d), de->d_name);
                if (!bl || bl >= sizeof(b))
                        continue;
                memcpy(b, de->d_name, bl);
                b[bl] = '\0';
                if (!any && !service_base(w, dir, b))
                        continue;
                usec_t t;
                bool gz;
                if (logfmt_rotated_tmp_match(b, de->d_name)) {
                        size_t nl = strlen(de->d_name) - (sizeof(".gz.tmp") - 1);
                        char *src = strdup_printf("%s/%.*s", dir, (int)nl, de->d_name);
                        if (src && !logcompress_running(m->logs, src))
                                (void)unlinkat(dirfd(d), de->d_name, 0); /* the name: never what it links to */
                        free(src);
                        continue;
                }
                if ((any && strcmp(b, CONFIG_AUDIT_LOG) == 0) || !logfmt_rotated_match(b, de->d_name, &t, &gz) ||
                    fstatat(dirfd(d), de->d_name, &st, stat_flags) < 0)
                        continue;
                add_file(w, dir, de->d_name, t, (uint64_t)st.st_size);
        }
        closedir(d);
}

static void delete_file(struct logs *L, const char *path) {
        logcompress_cancel(L, path);
        _cleanup_(safedir_closep) struct safedir d = SAFEDIR_NONE;
        const char *name;
        if (safedir_open_parent(path, false, 0755, &d, &name) == 0)
                (void)unlinkat(d.fd, name, 0);
}

void logs_sweep(struct svd *m) {
        struct sweep w = {.m = m};
        if (m->logs && m->logs->sweep_init)
                ev_idle_stop(m->loop, &m->logs->sweep); /* (done now) */
        w.paths = calloc(m->n_svcs ? m->n_svcs : 1, sizeof(char *));
        char **dirs = calloc(m->n_svcs + 1, sizeof(char *));
        size_t nd = 0;
        if (!w.paths || !dirs || !(dirs[nd++] = strdup(m->cfg->log_dir)))
                goto out;
        for (size_t i = 0; i < m->n_svcs; i++) {
                w.paths[i] = m->svcs[i] ? log_path(m, m->svcs[i]) : NULL;
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
out:
        for (size_t i = 0; i < w.n; i++)
                free(w.v[i].path);
        free(w.v);
        for (size_t i = 0; w.paths && i < m->n_svcs; i++)
                free(w.paths[i]);
        free(w.paths);
        for (size_t j = 0; dirs && j < nd; j++)
                free(dirs[j]);
        free(dirs);
}

static void sweep_cb(struct ev_loop *loop, ev_idle *w, int revents) {
        logs_sweep(w->data);
}

void logs_sweep_soon(struct svd *m) {
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

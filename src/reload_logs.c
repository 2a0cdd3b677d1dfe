/* reload_logs: a reload is refused when two of the new generation's logs
 * would be one file on disk: a service's log file (its default
 * <log_dir>/NAME.log above all, which the configuration alone cannot
 * follow) that is a link to another service's, to the audit log or to
 * metrics.textfile, or a hard link to one of them. Two writers would
 * interleave and two rotations rename and prune each other's files.
 * config_validate compares the paths as written (resolving those a
 * logging.file names); this looks at what is on disk now, one stat() per
 * log: too slow for every boot (logshare.c catches a link there at the
 * service's first start instead), cheap for a reload an operator asked for,
 * and it keeps the running generation instead of failing a service later.
 * A link in a directory a service's user can change is left out: svd's
 * open refuses it there anyway (safedir.h). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "reload.h"
#include "safedir.h"

enum { WHO_AUDIT = -1, WHO_METRICS = -2 };

struct log_ent {
        dev_t dev;
        ino_t ino;
        long who; /* a service index, or WHO_AUDIT / WHO_METRICS */
        bool symlink;
        char *path;
};

static int cmp_ent(const void *a, const void *b)
{
        const struct log_ent *x = a, *y = b;

        if (x->dev != y->dev)
                return x->dev < y->dev ? -1 : 1;
        if (x->ino != y->ino)
                return x->ino < y->ino ? -1 : 1;
        return x->who < y->who ? -1 : x->who > y->who;
}

/* Adds path (taken) when it exists; a file that does not exist yet, or
 * cannot be looked at, or that svd's open refuses, shares nothing now. */
static void add(struct log_ent *v, size_t *n, char *path, long who)
{
        struct stat st, lst;

        if (!path || stat(path, &st) < 0 || lstat(path, &lst) < 0 || safedir_link_refused(path)) {
                free(path);
                return;
        }
        bool symlink = S_ISLNK(lst.st_mode);
        char *shown = path_lexical(path); /* log_dir may read "etc/../log" */

        if (shown) {
                free(path);
                path = shown;
        }
        v[(*n)++] = (struct log_ent){
                .dev = st.st_dev, .ino = st.st_ino, .who = who, .symlink = symlink, .path = path
        };
}

static const char *what(const struct svd_config *c, const struct log_ent *e, char *buf, size_t len)
{
        if (e->who == WHO_AUDIT)
                return "svd's audit log";
        if (e->who == WHO_METRICS)
                return "svd's metrics.textfile";
        snprintf(buf, len, "the log file of service '%s'", c->svcs[e->who].name);
        return buf;
}

/* s's log (service e) is o's file. */
static void report(const struct svd_config *c, struct cfg_errors *errs, const struct log_ent *e,
                   const struct log_ent *o)
{
        const struct svc_config *s = &c->svcs[e->who];
        struct cfg_pos pos = { s->file, 1, 1 };
        char ob[128];

        if (s->logging.file)
                pos = s->logging.file_pos;
        cfg_error(
                errs, &pos, s->logging.file ? "logging.file" : NULL,
                "the log file %s of service '%s' is %s (%s) through a %s link: two logs cannot share a file "
                "(remove the link, or set logging.file)",
                e->path, s->name, what(c, o, ob, sizeof ob), o->path,
                e->symlink || o->symlink ? "symbolic" : "hard");
}

int reload_check_logs(const struct svd_config *c, struct cfg_errors *errs)
{
        struct log_ent *v = calloc(c->n_svcs + 2, sizeof *v);
        size_t n = 0;
        char *p;
        int r = 0;

        if (!v)
                return -ENOMEM;
        for (size_t i = 0; i < c->n_svcs; i++) {
                const struct svc_config *s = &c->svcs[i];
                p = s->logging.file ? strdup(s->logging.file)
                                    : strdup_printf("%s/%s.log", c->log_dir, s->name);
                if (!p) {
                        r = -ENOMEM;
                        goto out;
                }
                add(v, &n, p, (long)i);
        }
        if (!(p = strdup_printf("%s/" CONFIG_AUDIT_LOG, c->log_dir))) {
                r = -ENOMEM;
                goto out;
        }
        add(v, &n, p, WHO_AUDIT);
        if (c->metrics_textfile) {
                if (!(p = strdup(c->metrics_textfile))) {
                        r = -ENOMEM;
                        goto out;
                }
                add(v, &n, p, WHO_METRICS);
        }
        if (n > 1)
                qsort(v, n, sizeof *v, cmp_ent);
        /* In each group of one file: the anchor is the name that is not a
         * symbolic link (the file's own), else the first; every other member
         * is reported against it, at the service that has to change (the
         * anchor, when the other is svd's own file). */
        for (size_t g = 0, end; g < n; g = end) {
                size_t anchor = g;

                for (end = g + 1; end < n && v[end].dev == v[g].dev && v[end].ino == v[g].ino; end++)
                        ;
                for (size_t k = g; k < end; k++)
                        if (!v[k].symlink) {
                                anchor = k;
                                break;
                        }
                for (size_t k = g; k < end; k++) {
                        if (k == anchor)
                                continue;
                        if (v[k].who >= 0)
                                report(c, errs, &v[k], &v[anchor]);
                        else if (v[anchor].who >= 0)
                                report(c, errs, &v[anchor], &v[k]);
                }
        }
out:
        for (size_t i = 0; i < n; i++)
                free(v[i].path);
        free(v);
        return r;
}

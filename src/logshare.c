/* logshare: whether a log's file is another open log's, through a link.
 * A service's default <log_dir>/NAME.log can be a link to another's (or to
 * the audit log), which the configuration cannot see without a look-up per
 * service at boot. Two writers interleave, and two rotations rename and
 * prune each other's files. Checked when a service's log is first opened
 * (its first start). Only a file opened through a link can be another's, so
 * there is nothing to compare until one was (noticing costs no system call:
 * open() refuses to follow a link at first), and then only against those,
 * unless k is one. The open itself goes through safedir: where a user other
 * than root can write the directory, no link is followed nor accepted. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "logsink.h"
#include "safedir.h"
#include "svd.h"

int logsink_open_path(struct logsink *k) {
        _cleanup_(safedir_closep) struct safedir d = SAFEDIR_NONE;
        int r = safedir_open(k->dir, true, 0755, &d);
        if (r < 0)
                return r;
        bool linked = false; /* a symbolic link (followed, but noted) or a hard link */
        int fd = safedir_open_file(&d, k->base, O_WRONLY | O_APPEND | O_CREAT, 0640, &linked);
        if (fd >= 0)
                k->linked = linked;
        return fd;
}

static bool is_file(const struct logsink *o, const struct stat *st) {
        struct stat ost;
        return o->fd >= 0 && fstat(o->fd, &ost) == 0 && ost.st_dev == st->st_dev && ost.st_ino == st->st_ino;
}

static const struct logsink *same_file(const struct logsink *k) {
        const struct svd *m = k->m;
        struct stat st;
        if (!m->logs || !m->logs->any_linked || k->fd < 0 || fstat(k->fd, &st) < 0)
                return NULL;
        for (size_t i = 0; i < m->n_svcs; i++) {
                const struct logsink *o = m->svcs[i]->log;
                if (o && o != k && (k->linked || o->linked) && is_file(o, &st))
                        return o;
        }
        const struct logsink *a = logs_audit_sink(m->logs);
        return a && a != k && (k->linked || a->linked) && is_file(a, &st) ? a : NULL;
}

int logsink_refuse_shared(struct logsink *k) {
        const struct logsink *o = same_file(k);
        if (!o)
                return 0;
        svc_set_reason(k->s, "log file %s is the log file of %s%s%s (%s), through a link: two logs cannot share a file",
                       k->path, o->s ? "service '" : "", o->s ? o->s->cfg->name : "svd (the audit log)",
                       o->s ? "'" : "", o->path);
        return -EEXIST;
}

/* logfile: a log file svd writes itself, record by record (the audit log),
 * rotated, compressed and retained exactly like a service's log: the same
 * logsink and logrotate code, fed by logfile_append instead of a pipe. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "log.h"
#include "logfmt.h"
#include "logsink.h"
#include "safedir.h"
#include "svd.h"

/* The sink with its own copy of the settings: a reload frees the old
 * configuration while the age timer still looks at them. */
struct logfile {
        struct logsink k;
        struct logging_config lc;
        uint64_t dropped; /* records that could not be written since the last one that was */
        int drop_err;     /* why the last of them was not (errno) */
};

static void startup_cb(struct ev_loop *loop, ev_idle *w, int revents) {
        logrotate_startup(w->data); /* stops w */
}

static void logfile_free(struct logfile *f) {
        if (!f)
                return;
        struct ev_loop *loop = f->k.m->loop;
        ev_timer_stop(loop, &f->k.age);
        ev_idle_stop(loop, &f->k.startup);
        if (f->k.fd >= 0)
                close(f->k.fd);
        free(f->k.path);
        free(f->k.dir);
        free(f->k.base);
        free(f);
}

static struct logfile *logfile_open(struct svd *m, const char *path) {
        struct logfile *f = calloc(1, sizeof(*f));
        if (!f)
                return NULL;
        f->k.m = m;
        f->k.lc = &f->lc;
        f->k.fd = -1;
        f->k.st[0].rfd = f->k.st[0].wfd = f->k.st[1].rfd = f->k.st[1].wfd = -1;
        const char *slash = strrchr(path, '/');
        f->k.path = strdup(path);
        f->k.dir = slash ? (slash == path ? strdup("/") : strndup(path, (size_t)(slash - path))) : strdup(".");
        f->k.base = strdup(slash ? slash + 1 : path);
        ev_init(&f->k.age, NULL);
        ev_idle_init(&f->k.startup, startup_cb);
        f->k.startup.data = &f->k;
        if (!f->k.path || !f->k.dir || !f->k.base) {
                logfile_free(f);
                return NULL;
        }
        return f;
}

/* Appends the iovecs whole or not at all (writev_whole), from the file's
 * end as it is now. */
static int write_whole(int fd, struct iovec *iov, int n) {
        struct stat st;
        if (fstat(fd, &st) < 0)
                return -errno;
        return writev_whole(fd, iov, n, st.st_size);
}

static int drop(struct logfile *f, int r) {
        f->dropped++;
        f->drop_err = -r;
        return r;
}

int logs_audit_append(struct svd *m, const char *path, const char *p, size_t n) {
        struct logs *L = m->logs;
        if (!L)
                return -ENOTCONN;
        struct logfile *f = L->audit;
        if (f && strcmp(f->k.path, path) != 0) { /* log_dir changed by a reload */
                logfile_free(f);
                L->audit = f = NULL;
        }
        if (!f && !(L->audit = f = logfile_open(m, path)))
                return -ENOMEM;
        /* the settings in force now (defaults.logging of the main file) */
        f->lc = m->cfg->defaults.logging;
        f->lc.file = NULL;
        f->lc.on_full_block = false;
        int r = 0;
        if (f->k.fd < 0) {
                if ((r = logsink_open_file(&f->k)) < 0) /* creates its directory if missing */
                        return drop(f, r);
                if (!f->k.startup_done)
                        ev_idle_start(m->loop, &f->k.startup); /* retention, compression left to do */
        }
        logrotate_arm_age(&f->k); /* max_age / rotate_every as configured now */
        /* the records lost since the last one written, before the next */
        char note[288], ts[LOGFMT_TIME_LEN + 1];
        size_t nl = 0;
        if (f->dropped) {
                nl = (size_t)snprintf(note, sizeof(note), "%s svd dropped %llu record%s: %s\n",
                                      logfmt_time(now_real(), ts), (unsigned long long)f->dropped,
                                      f->dropped == 1 ? "" : "s", safedir_strerror(-f->drop_err));
                if (nl >= sizeof(note))
                        nl = sizeof(note) - 1;
        }
        if (logrotate_due(&f->k, nl + n, now_real())) /* (the note goes in the file too) */
                (void)logrotate_rotate(&f->k); /* on failure: this file grows on */
        if (f->k.fd < 0 && (r = logsink_open_file(&f->k)) < 0)
                return drop(f, r);
        struct iovec iov[2] = {{note, nl}, {(void *)p, n}};
        if ((r = write_whole(f->k.fd, nl ? iov : iov + 1, nl ? 2 : 1)) < 0)
                return drop(f, r);
        if (!f->k.size) { /* its age starts with its first record (logwrite.c's logsink_write) */
                f->k.opened_real = now_real();
                logrotate_arm_age(&f->k);
        }
        f->k.size += nl + n;
        uint64_t lost = f->dropped;
        f->dropped = 0;
        return lost > INT_MAX ? INT_MAX : (int)lost;
}

int logs_audit_reopen(struct svd *m) {
        struct logfile *f = m->logs ? m->logs->audit : NULL;
        if (!f || f->k.fd < 0)
                return 0;
        int r = logsink_open_file(&f->k);
        if (r < 0) {
                close(f->k.fd);
                f->k.fd = -1; /* retried at the next record */
        }
        logrotate_arm_age(&f->k);
        return r;
}

const struct logsink *logs_audit_sink(const struct logs *L) {
        return L && L->audit && L->audit->k.fd >= 0 ? &L->audit->k : NULL;
}

void logs_audit_close(struct logs *L) {
        logfile_free(L->audit);
        L->audit = NULL;
}

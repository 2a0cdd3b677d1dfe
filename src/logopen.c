/* logopen: opening a log's file by name (a service's, or the audit log):
 * its directory created when missing (walked without following what a
 * service user planted: safedir.h), the admin group and mode 0640 set, and
 * its size and start time read, which rotation counts from. Used when a sink
 * is set up, when it writes after an open failed, after a rotation, and on
 * reopen-logs (logs_reopen_all, here) and reload (logsink.h). */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "logsink.h"
#include "safedir.h"
#include "svd.h"

int logsink_open_file(struct logsink *k) {
        const struct svd_config *cfg = k->m->cfg;
        int fd = logsink_open_path(k); /* creates k->dir if missing */
        if (fd < 0)
                return fd;
        /* One statx for what fstat gives and the birth time; fstat where
         * statx is missing (before Linux 4.11) or refused (a seccomp profile). */
        struct statx sx;
        if (statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS | STATX_BTIME, &sx) < 0) {
                struct stat st;
                if ((errno != ENOSYS && errno != EPERM) || fstat(fd, &st) < 0) {
                        int r = -errno;
                        close(fd);
                        return r;
                }
                sx = (struct statx){ .stx_mode = (uint16_t)st.st_mode, .stx_gid = st.st_gid,
                                     .stx_size = (uint64_t)st.st_size, .stx_nlink = (uint32_t)st.st_nlink };
        }
        k->linked = k->linked || sx.stx_nlink > 1;
        if (k->linked && k->m->logs)
                k->m->logs->any_linked = true;
        /* Readable by the admin group so svctl logs works without root. */
        if (geteuid() == 0 && cfg->has_admin_gid && sx.stx_gid != cfg->admin_gid)
                (void)fchown(fd, (uid_t)-1, cfg->admin_gid);
        if ((sx.stx_mode & 07777) != 0640)
                (void)fchmod(fd, 0640);
        if (k->fd >= 0)
                close(k->fd);
        k->fd = fd;
        k->size = (uint64_t)sx.stx_size;
        /* The age of a file svd did not create is counted from its birth when
         * the filesystem knows it, else from now. */
        k->opened_real = now_real();
        if (sx.stx_size > 0 && (sx.stx_mask & STATX_BTIME))
                k->opened_real = (usec_t)sx.stx_btime.tv_sec * USEC_PER_SEC + sx.stx_btime.tv_nsec / 1000;
        return 0;
}

int logs_reopen_all(struct svd *m) {
        int failed = 0;
        for (size_t i = 0; i < m->n_svcs; i++) {
                struct logsink *k = m->svcs[i]->log;
                if (!k)
                        continue;
                logsink_write_out(k);
                int r = logsink_open_file(k);
                if (r < 0) {
                        log_warn("%s: cannot reopen the log file %s: %s (retried at the next write)",
                                 m->svcs[i]->cfg->name, k->path, safedir_strerror(r));
                        failed++;
                        if (k->fd >= 0)
                                close(k->fd);
                        k->fd = -1; /* retried at the next write */
                }
                logrotate_arm_age(k);
        }
        if (logs_audit_reopen(m) < 0)
                failed++;
        return failed;
}

/* logrecord: the service log files svd has written, kept in
 * <state_dir>/logfiles, so that log_max_total (logsweep.c) counts and prunes
 * the files of a service removed from the configuration (its current file
 * and its rotated ones, in log_dir or where its logging.file put them) after
 * a reload, a daemon-reexec or a restart of svd, and never a file svd did not
 * write (an operator's notes.log, another program's log in log_dir): a scan
 * of a directory cannot tell the two apart. A text file: a magic line, then
 * one path a line. A path is added with one write(2) to the file opened
 * O_APPEND, then fdatasync'd, so a kill or a crash leaves whole lines (an
 * unterminated last line is ignored: that path is simply not known, and
 * what is not known is never deleted). The file is rewritten (a temporary
 * file, fsync'd, renamed over it) only to drop paths whose files are all
 * gone, which keeps it as small as the set of logs on disk. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "logsink.h"
#include "svd.h"

#define RECORD_MAGIC "svd-logfiles 1\n"
/* Read no further: a record of live logs is a few KiB. */
#define RECORD_MAX ((size_t)1 << 20)

static char *record_path(const struct svd_config *c)
{
        return strdup_printf("%s/logfiles", c->state_dir);
}

void logrecord_free(struct logrecord *r)
{
        for (size_t i = 0; i < r->n; i++)
                free(r->paths[i]);
        free(r->paths);
        *r = (struct logrecord){ 0 };
}

bool logrecord_has(const struct logrecord *r, const char *path)
{
        for (size_t i = 0; i < r->n; i++)
                if (strcmp(r->paths[i], path) == 0)
                        return true;
        return false;
}

static int push(struct logrecord *r, const char *path, size_t len)
{
        char **nv = realloc(r->paths, (r->n + 1) * sizeof(*nv));
        if (!nv)
                return -ENOMEM;
        r->paths = nv;
        if (!(r->paths[r->n] = strndup(path, len)))
                return -ENOMEM;
        r->n++;
        return 0;
}

int logrecord_load(const struct svd_config *c, struct logrecord *r)
{
        *r = (struct logrecord){ 0 };
        _cleanup_(freep) char *p = record_path(c);
        if (!p)
                return -ENOMEM;
        int fd = open(p, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return errno == ENOENT ? 0 : -errno;
        _cleanup_(freep) char *buf = malloc(RECORD_MAX + 1);
        size_t len = 0;
        ssize_t k = 0;
        while (buf && len < RECORD_MAX && (k = read(fd, buf + len, RECORD_MAX - len)) > 0)
                len += (size_t)k;
        int e = k < 0 ? -errno : 0;
        close(fd);
        if (!buf)
                return -ENOMEM;
        if (e < 0)
                return e;
        buf[len] = '\0';
        if (len == 0)
                return 0; /* a kill before the magic line */
        if (len < strlen(RECORD_MAGIC) || memcmp(buf, RECORD_MAGIC, strlen(RECORD_MAGIC)) != 0) {
                /* not ours, or damaged (a power cut): kept for a look, and a
                 * new record started, else nothing would be recorded again */
                _cleanup_(freep) char *aside = strdup_printf("%s.unreadable", p);
                if (!aside || rename(p, aside) < 0)
                        return aside ? -errno : -ENOMEM;
                log_warn("%s is not a record of log files: kept as %s, a new one started (log_max_total "
                         "counts the files of the services removed before no more)",
                         p, aside);
                return 0;
        }
        for (char *s = buf + strlen(RECORD_MAGIC), *nl; (nl = memchr(s, '\n', (size_t)(buf + len - s)));
             s = nl + 1) {
                /* only absolute paths, as svd spells them; once each */
                *nl = '\0';
                if (s[0] != '/' || logrecord_has(r, s))
                        continue;
                if (push(r, s, (size_t)(nl - s)) < 0) {
                        logrecord_free(r);
                        return -ENOMEM;
                }
        }
        return 0;
}

static int write_all(int fd, const char *s, size_t n)
{
        while (n) {
                ssize_t k = write(fd, s, n);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        return k < 0 ? -errno : -EIO;
                s += k;
                n -= (size_t)k;
        }
        return 0;
}

int logrecord_add(const struct svd_config *c, struct logrecord *r, const char *path)
{
        if (path[0] != '/' || strchr(path, '\n'))
                return -EINVAL; /* cannot be a line of the record: the log is not counted once removed */
        if (logrecord_has(r, path))
                return 0;
        _cleanup_(freep) char *p = record_path(c);
        _cleanup_(freep) char *line = strdup_printf("\n%s\n", path);
        if (!p || !line)
                return -ENOMEM;
        int fd = open(p, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return -errno;
        struct stat st;
        char last = '\n';
        int e = fstat(fd, &st) < 0 ? -errno : 0;
        /* the magic line first, on its own: a kill between the two writes
         * leaves a record without a path, never a path without the magic */
        if (e == 0 && st.st_size == 0)
                e = write_all(fd, RECORD_MAGIC, strlen(RECORD_MAGIC));
        else if (e == 0 && pread(fd, &last, 1, st.st_size - 1) != 1)
                e = -EIO;
        /* after a line a power cut left unended, on a line of its own */
        if (e == 0)
                e = write_all(fd, line + (last == '\n'), strlen(line) - (last == '\n'));
        if (e == 0 && fdatasync(fd) < 0)
                e = -errno;
        close(fd);
        if (e < 0)
                return e;
        return push(r, path, strlen(path));
}

int logrecord_save(const struct svd_config *c, const struct logrecord *r)
{
        _cleanup_(freep) char *p = record_path(c);
        _cleanup_(freep) char *tmp = strdup_printf("%s/.logfiles.tmp", c->state_dir);
        if (!p || !tmp)
                return -ENOMEM;
        int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return -errno;
        int e = write_all(fd, RECORD_MAGIC, strlen(RECORD_MAGIC));
        for (size_t i = 0; e == 0 && i < r->n; i++)
                if ((e = write_all(fd, r->paths[i], strlen(r->paths[i]))) == 0)
                        e = write_all(fd, "\n", 1);
        if (e == 0 && fsync(fd) < 0)
                e = -errno;
        close(fd);
        if (e == 0 && rename(tmp, p) < 0)
                e = -errno;
        if (e < 0) {
                (void)unlink(tmp);
                return e;
        }
        /* the rename itself durable: else a crash may bring back the old
         * record, which only names logs that are gone (harmless) */
        int dfd = open(c->state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
                (void)fsync(dfd);
                close(dfd);
        }
        return 0;
}

/* svctl_logread: see svctl_logread.h. */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "safedir.h"
#include "svctl_logread.h"
#include "util.h"

extern char **environ;

#define LOGREAD_BLOCK ((size_t)64 << 10)
#define LOGREAD_CAP_MAX (LOGREAD_LINE_MAX + LOGREAD_BLOCK)

int logread_open_file(const char *path) {
        _cleanup_(safedir_closep) struct safedir d = SAFEDIR_NONE;
        const char *base;
        int r = safedir_open_parent(path, false, 0, &d, &base);
        if (r < 0)
                return r;
        int fd = safedir_open_file(&d, base, O_RDONLY | O_NONBLOCK, 0, NULL);
        if (fd < 0)
                return fd;
        struct stat st;
        if (fstat(fd, &st) < 0)
                r = -errno;
        else if (!S_ISREG(st.st_mode))
                r = -EBADFD;
        else if (d.exposed) {
                off_t hole = lseek(fd, 0, SEEK_HOLE);
                if (hole >= 0 && hole < st.st_size)
                        r = -LOGREAD_E_HOLES;
                else if (lseek(fd, 0, SEEK_SET) < 0)
                        r = -errno;
        }
        if (r < 0) {
                close(fd);
                return r;
        }
        return fd;
}

bool logread_is_gz(const char *path) {
        size_t pl = strlen(path);
        return pl > 3 && strcmp(path + pl - 3, ".gz") == 0;
}

void logread_from_fd(struct logread *r, int fd, uint64_t limit) {
        *r = (struct logread){.fd = fd, .errfd = -1, .left = limit};
}

int logread_open(struct logread *r, const char *path, uint64_t limit) {
        int fd = logread_open_file(path);
        if (fd < 0)
                return fd;
        if (!logread_is_gz(path)) {
                logread_from_fd(r, fd, limit);
                return 0;
        }
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0) {
                int e = -errno;
                close(fd);
                return e;
        }
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, fd, 0);
        posix_spawn_file_actions_adddup2(&fa, p[1], 1);
        /* gzip's message, for svctl's warning naming the file: kept in
         * memory it cannot block on (a pipe could fill while svctl waits
         * for its output); without one, it goes to svctl's standard error */
        int errfd = memfd_create("svctl-gzip-stderr", MFD_CLOEXEC);
        if (errfd >= 0)
                posix_spawn_file_actions_adddup2(&fa, errfd, 2);
        char *argv[] = {"gzip", "-dc", NULL};
        pid_t pid;
        int e = posix_spawnp(&pid, "gzip", &fa, NULL, argv, environ);
        posix_spawn_file_actions_destroy(&fa);
        close(p[1]);
        close(fd);
        if (e != 0) {
                close(p[0]);
                if (errfd >= 0)
                        close(errfd);
                return e == ENOENT ? -LOGREAD_E_NOGZIP : -e;
        }
        logread_from_fd(r, p[0], limit);
        r->pid = pid;
        r->errfd = errfd;
        return 0;
}

/* Reads more into buf; 0 at the end (or the limit), 1 on data, -errno. */
static int fill(struct logread *r) {
        if (r->eof || r->left == 0)
                return 0;
        if (r->start) {
                memmove(r->buf, r->buf + r->start, r->len);
                r->start = 0;
        }
        if (r->len == r->cap) {
                /* only while no line is longer than LOGREAD_LINE_MAX */
                size_t nc = r->cap ? r->cap * 2 : LOGREAD_BLOCK;
                if (nc > LOGREAD_CAP_MAX)
                        nc = LOGREAD_CAP_MAX;
                char *nb = realloc(r->buf, nc);
                if (!nb)
                        return -ENOMEM;
                r->buf = nb;
                r->cap = nc;
        }
        size_t want = r->cap - r->len;
        if (want > r->left)
                want = (size_t)r->left;
        for (;;) {
                ssize_t n = read(r->fd, r->buf + r->len, want);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                if (n == 0) {
                        r->eof = true;
                        return 0;
                }
                r->len += (size_t)n;
                r->left -= (uint64_t)n;
                return 1;
        }
}

int logread_next(struct logread *r, const char **line, size_t *len, bool *cut) {
        for (;;) {
                char *p = r->buf + r->start;
                char *nl = r->len ? memchr(p, '\n', r->len) : NULL;
                if (r->skipping) {
                        if (nl) {
                                size_t used = (size_t)(nl - p) + 1;
                                r->start += used;
                                r->len -= used;
                                r->skipping = false;
                                continue;
                        }
                        r->start = r->len = 0;
                } else if (nl || r->len > LOGREAD_LINE_MAX) {
                        size_t ll = nl ? (size_t)(nl - p) : r->len;
                        *line = p;
                        *cut = ll > LOGREAD_LINE_MAX;
                        *len = *cut ? LOGREAD_LINE_MAX : ll;
                        if (*cut)
                                r->n_cut++;
                        if (nl) {
                                r->start += ll + 1;
                                r->len -= ll + 1;
                        } else {
                                /* the bytes stay in buf until the next call */
                                r->start = r->len = 0;
                                r->skipping = true;
                        }
                        return 1;
                }
                int k = fill(r);
                if (k <= 0)
                        return k; /* a partial last line is dropped */
        }
}

int logread_gzip_status(struct logread *r, char *msg, size_t msg_size) {
        int st = 0;
        if (msg_size)
                msg[0] = '\0';
        if (r->pid <= 0 || !r->eof)
                return 0;
        while (waitpid(r->pid, &st, 0) < 0 && errno == EINTR)
                ;
        r->pid = 0;
        if (st == 0 || r->errfd < 0 || msg_size < 2)
                return st;
        ssize_t n;
        while ((n = pread(r->errfd, msg, msg_size - 1, 0)) < 0 && errno == EINTR)
                ;
        msg[n > 0 ? n : 0] = '\0';
        /* its first line that is not empty (gzip may start with a newline) */
        size_t lead = strspn(msg, "\n");
        memmove(msg, msg + lead, strlen(msg + lead) + 1);
        msg[strcspn(msg, "\n")] = '\0';
        for (char *c = msg; *c; c++)
                if ((unsigned char)*c < 0x20 || *c == 0x7f)
                        *c = '?';
        static const char *const prefixes[] = {"gzip: ", "stdin: "};
        for (size_t i = 0; i < sizeof(prefixes) / sizeof(*prefixes); i++) {
                size_t pl = strlen(prefixes[i]);
                if (strncmp(msg, prefixes[i], pl) == 0)
                        memmove(msg, msg + pl, strlen(msg + pl) + 1);
        }
        return st;
}

void logread_close(struct logread *r) {
        if (r->fd >= 0)
                close(r->fd);
        r->fd = -1;
        if (r->errfd >= 0)
                close(r->errfd);
        r->errfd = -1;
        if (r->pid > 0) {
                int st;
                while (waitpid(r->pid, &st, 0) < 0 && errno == EINTR)
                        ;
        }
        r->pid = 0;
        free(r->buf);
        r->buf = NULL;
}

/* Makes blk the block of the file that ends at before. */
static int load_block(struct logback *b, off_t before) {
        off_t s = before > (off_t)LOGREAD_BLOCK ? before - (off_t)LOGREAD_BLOCK : 0;
        size_t want = (size_t)(before - s), got = 0;
        while (got < want) {
                ssize_t n = pread(b->fd, b->blk + got, want - got, s + (off_t)got);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                if (n == 0)
                        return -EIO; /* truncated while read: svd never does */
                got += (size_t)n;
        }
        b->blk_start = s;
        b->blk_len = got;
        return 0;
}

/* The offset of the last newline in [0, before) in *ret (-1: none). */
static int find_nl(struct logback *b, off_t before, off_t *ret) {
        while (before > 0) {
                if (before <= b->blk_start || before > b->blk_start + (off_t)b->blk_len) {
                        int r = load_block(b, before);
                        if (r < 0)
                                return r;
                }
                char *q = memrchr(b->blk, '\n', (size_t)(before - b->blk_start));
                if (q) {
                        *ret = b->blk_start + (q - b->blk);
                        return 0;
                }
                before = b->blk_start;
        }
        *ret = -1;
        return 0;
}

int logback_init(struct logback *b, int fd, uint64_t limit) {
        *b = (struct logback){.fd = fd, .nl = -1};
        struct stat st;
        if (fstat(fd, &st) < 0)
                return -errno;
        off_t end = (uint64_t)st.st_size < limit ? st.st_size : (off_t)limit;
        if (!(b->blk = malloc(LOGREAD_BLOCK)))
                return -ENOMEM;
        return find_nl(b, end, &b->nl);
}

int logback_prev(struct logback *b, const char **line, size_t *len, bool *cut) {
        if (b->nl < 0)
                return 0;
        off_t prev;
        int r = find_nl(b, b->nl, &prev);
        if (r < 0)
                return r;
        off_t s = prev + 1;
        size_t ll = (size_t)(b->nl - s);
        *cut = ll > LOGREAD_LINE_MAX;
        *len = *cut ? LOGREAD_LINE_MAX : ll;
        if (*cut)
                b->n_cut++;
        b->nl = prev;
        if (s >= b->blk_start && s + (off_t)*len <= b->blk_start + (off_t)b->blk_len) {
                *line = b->blk + (s - b->blk_start);
                return 1;
        }
        if (!b->line && !(b->line = malloc(LOGREAD_LINE_MAX)))
                return -ENOMEM;
        for (size_t got = 0; got < *len;) {
                ssize_t n = pread(b->fd, b->line + got, *len - got, s + (off_t)got);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return n < 0 ? -errno : -EIO;
                got += (size_t)n;
        }
        *line = b->line;
        return 1;
}

void logback_close(struct logback *b) {
        if (b->fd >= 0)
                close(b->fd);
        b->fd = -1;
        free(b->blk);
        free(b->line);
        b->blk = b->line = NULL;
}

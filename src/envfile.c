/* envfile: an env_file's bytes and its ${secret:NAME} references (envfile.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "envfile.h"
#include "safedir.h"
#include "util.h"

void envfile_free(char *buf, size_t len)
{
        if (!buf)
                return;
        explicit_bzero(buf, len);
        free(buf);
}

/* A larger buffer for the first len bytes of *buf, of capacity *cap doubled
 * (at most ENVFILE_MAX + 1, and one byte for the NUL). Not realloc: the
 * block it would give back could still hold the file's values. */
static int grow(char **buf, size_t len, size_t *cap)
{
        size_t nc = *cap * 2 > ENVFILE_MAX + 1 ? ENVFILE_MAX + 1 : *cap * 2;
        char *nb = malloc(nc + 1);

        if (!nb)
                return -ENOMEM;
        memcpy(nb, *buf, len);
        envfile_free(*buf, len);
        *buf = nb;
        *cap = nc;
        return 0;
}

int envfile_load(const char *path, char **ret, size_t *ret_len, char *why, size_t wl)
{
        _cleanup_(safedir_closep) struct safedir d = SAFEDIR_NONE;
        _cleanup_(closep) int fd = -1;
        const char *name;
        struct stat st;
        int r = safedir_open_parent(path, false, 0755, &d, &name);

        if (r >= 0) /* O_NONBLOCK: a FIFO is never waited on (refused below) */
                r = fd = safedir_open_file(&d, name, O_RDONLY | O_NONBLOCK, 0, NULL);
        if (r >= 0 && fstat(fd, &st) < 0)
                r = -errno;
        if (r >= 0 && !S_ISREG(st.st_mode))
                r = -EBADFD;
        if (r < 0) {
                snprintf(why, wl, "env_file: %s: %s", path, safedir_strerror(r));
                return r;
        }
        if ((uint64_t)st.st_size > ENVFILE_MAX) {
                snprintf(why, wl, "env_file: %s: %lld bytes, more than the %u MiB an env_file may hold",
                         path, (long long)st.st_size, ENVFILE_MAX >> 20);
                return -EFBIG;
        }
        /* (read up to one byte more than the cap: the file may grow) */
        size_t cap = (size_t)st.st_size + 1 <= ENVFILE_MAX ? (size_t)st.st_size + 1 : ENVFILE_MAX + 1;
        char *buf = malloc(cap + 1);
        if (!buf)
                return -ENOMEM;
        size_t len = 0;
        for (;;) {
                if (len == cap) {
                        if (cap > ENVFILE_MAX)
                                break;
                        r = grow(&buf, len, &cap);
                        if (r < 0)
                                break;
                }
                ssize_t n = read(fd, buf + len, cap - len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        r = -errno;
                        snprintf(why, wl, "env_file: %s: %s", path, strerror(-r));
                        break;
                }
                if (n == 0)
                        break;
                len += (size_t)n;
        }
        if (r >= 0 && len > ENVFILE_MAX) {
                snprintf(why, wl, "env_file: %s: more than the %u MiB an env_file may hold", path,
                         ENVFILE_MAX >> 20);
                r = -EFBIG;
        }
        if (r < 0) {
                envfile_free(buf, len);
                return r;
        }
        buf[len] = 0;
        *ret = buf;
        *ret_len = len;
        return 0;
}

static bool declares(const struct svc_config *c, const char *name, size_t nl)
{
        for (size_t i = 0; i < c->n_secrets; i++)
                if (strlen(c->secrets[i].name) == nl && memcmp(c->secrets[i].name, name, nl) == 0)
                        return true;
        return false;
}

/* The references of one line (line .. end, no newline in it). */
static int line_refs(const struct svc_config *c, const char *path, unsigned lineno, const char *line,
                     const char *end, char *why, size_t wl)
{
        static const char pre[] = "${secret:";
        const char *p = line;

        while (p < end && (*p == ' ' || *p == '\t'))
                p++;
        if (p == end || *p == '#' || *p == '\r')
                return 0;
        while ((p = memmem(p, (size_t)(end - p), pre, sizeof pre - 1))) {
                const char *name = p + sizeof pre - 1;
                const char *close = memchr(name, '}', (size_t)(end - name));
                size_t nl = close ? (size_t)(close - name) : 0;

                if (!close || nl == 0 || nl > 64) {
                        snprintf(why, wl, "%s:%u: expected ${secret:NAME} (a name of 1 to 64 characters)",
                                 path, lineno);
                        return -EINVAL;
                }
                if (!declares(c, name, nl)) {
                        snprintf(why, wl,
                                 "%s:%u: ${secret:%.*s} names a secret %s does not declare (add %.*s to its "
                                 "secrets:)",
                                 path, lineno, (int)nl, name, c->name, (int)nl, name);
                        return -EINVAL;
                }
                p = close + 1;
        }
        return 0;
}

int envfile_check_refs(const struct svc_config *c, const char *path, const char *buf, size_t len, char *why,
                       size_t wl)
{
        const char *end = buf + len;
        unsigned lineno = 0;

        for (const char *line = buf; line < end;) {
                const char *nl = memchr(line, '\n', (size_t)(end - line));
                const char *le = nl ? nl : end;
                int r;

                lineno++;
                if ((r = line_refs(c, path, lineno, line, le, why, wl)) < 0)
                        return r;
                line = le + 1;
        }
        return 0;
}

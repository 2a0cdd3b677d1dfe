/* probe_hosts: /etc/hosts answers for svd-probe's lookups; see the header. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "probe_hosts.h"

static bool same_file(const struct stat *a, const struct stat *b)
{
        return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
               a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* Reads path into h->text (NULL when it cannot be read or is too large). */
static void hosts_read(struct probe_hosts *h)
{
        free(h->text);
        h->text = NULL;
        memset(&h->st, 0, sizeof(h->st));
        /* taken before the read: a write after it within the file system's
         * timestamp granularity leaves the mtime unchanged */
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        int fd = open(h->path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return;
        struct stat st;
        char *buf = NULL;
        size_t n = 0;
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (unsigned long long)st.st_size > PROBE_HOSTS_MAX_BYTES)
                goto out;
        /* one byte over the size read: a file grown meanwhile is read again
         * at the next lookup (its size differs from st's) */
        size_t cap = (size_t)st.st_size + 1;
        buf = malloc(cap + 1);
        if (!buf)
                goto out;
        while (n < cap) {
                ssize_t r = read(fd, buf + n, cap - n);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0) {
                        free(buf);
                        buf = NULL;
                        goto out;
                }
                if (r == 0)
                        break;
                n += (size_t)r;
        }
        buf[n] = '\0';
        h->text = buf;
        h->st = st;
        /* racily clean (as git's index calls it): modified less than
         * PROBE_HOSTS_RACY_SEC before the read, or after it by the clock, so
         * a same-size edit may follow with the same mtime; read again at
         * every lookup until a read comes that long after the last change */
        time_t edge = now.tv_sec - PROBE_HOSTS_RACY_SEC;
        h->racy = st.st_mtim.tv_sec > edge || (st.st_mtim.tv_sec == edge && st.st_mtim.tv_nsec >= now.tv_nsec);
out:
        close(fd);
}

static void addr_add(struct probe_addrs *ret, int family, const void *ip)
{
        struct probe_addr a;

        memset(&a, 0, sizeof(a));
        if (family == AF_INET) {
                a.len = sizeof(a.u.in);
                a.u.in.sin_family = AF_INET;
                memcpy(&a.u.in.sin_addr, ip, sizeof(a.u.in.sin_addr));
        } else {
                a.len = sizeof(a.u.in6);
                a.u.in6.sin6_family = AF_INET6;
                memcpy(&a.u.in6.sin6_addr, ip, sizeof(a.u.in6.sin6_addr));
        }
        for (unsigned i = 0; i < ret->n; i++)
                if (ret->a[i].len == a.len && memcmp(&ret->a[i].u, &a.u, a.len) == 0)
                        return;
        if (ret->n < PROBE_LOOKUP_ADDRS_MAX)
                ret->a[ret->n++] = a;
}

/* Adds the address of line [p, end) when it names host. */
static void line_match(const char *p, const char *end, const char *host, size_t host_len, struct probe_addrs *ret)
{
        const char *hash = memchr(p, '#', (size_t)(end - p));
        if (hash)
                end = hash;
        const char *tok[2]; /* the address, then each name */
        size_t len[2];
        unsigned i = 0;
        unsigned char ip[sizeof(struct in6_addr)];
        int family = 0;

        while (p < end) {
                while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
                        p++;
                const char *t = p;
                while (p < end && *p != ' ' && *p != '\t' && *p != '\r')
                        p++;
                if (p == t)
                        break;
                tok[i] = t;
                len[i] = (size_t)(p - t);
                if (i == 0) {
                        char a[INET6_ADDRSTRLEN];
                        if (len[0] >= sizeof(a))
                                return;
                        memcpy(a, t, len[0]);
                        a[len[0]] = '\0';
                        family = memchr(a, ':', len[0]) ? AF_INET6 : AF_INET;
                        if (inet_pton(family, a, ip) != 1)
                                return;
                        i = 1;
                } else if (len[1] == host_len && strncasecmp(tok[1], host, host_len) == 0) {
                        addr_add(ret, family, ip);
                        return;
                }
        }
}

bool probe_hosts_find(struct probe_hosts *h, const char *host, struct probe_addrs *ret)
{
        struct stat st;

        if (stat(h->path, &st) < 0) {
                free(h->text);
                h->text = NULL;
                return false;
        }
        if (!h->text || h->racy || !same_file(&st, &h->st))
                hosts_read(h);
        if (!h->text)
                return false;
        size_t host_len = strlen(host);
        ret->n = 0;
        for (const char *p = h->text; *p;) {
                const char *nl = strchr(p, '\n');
                const char *end = nl ? nl : p + strlen(p);
                line_match(p, end, host, host_len, ret);
                p = nl ? nl + 1 : end;
        }
        return ret->n > 0;
}

void probe_hosts_free(struct probe_hosts *h)
{
        free(h->text);
        h->text = NULL;
}

/* util: the small, pure helpers everything else leans on. Parsers here are strict
 * (full consumption, no sign, no surrounding blanks, overflow rejected) because
 * they are the first line of config validation: a value svd half-understood is
 * worse than an error. Nothing here logs; failures are -errno. */
#include <ctype.h>
#include <stdarg.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <malloc.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>

#include "util.h"

static usec_t clock_usec(clockid_t id)
{
        struct timespec ts;

        if (clock_gettime(id, &ts) < 0)
                return 0;
        return (usec_t)ts.tv_sec * USEC_PER_SEC + (usec_t)ts.tv_nsec / 1000;
}

usec_t now_mono(void)
{
        return clock_usec(CLOCK_MONOTONIC);
}
usec_t now_real(void)
{
        return clock_usec(CLOCK_REALTIME);
}
usec_t now_boot(void)
{
        return clock_usec(CLOCK_BOOTTIME);
}

/* a * b + c without wrapping; false on overflow. */
static bool mul_add(uint64_t a, uint64_t b, uint64_t c, uint64_t *ret)
{
        uint64_t m;

        if (__builtin_mul_overflow(a, b, &m) || __builtin_add_overflow(m, c, &m))
                return false;
        *ret = m;
        return true;
}

/* Reads "DIGITS[.DIGITS]" as whole + frac/frac_div (the fraction is kept exact
 * so "1.5s" needs no floating point); *p is advanced past the number. */
static int scan_scaled(const char **p, uint64_t *ret_whole, uint64_t *ret_frac, uint64_t *ret_frac_div)
{
        const char *s = *p;
        uint64_t whole = 0, frac = 0, div = 1;
        bool any = false;

        while (isdigit((unsigned char)*s)) {
                if (!mul_add(whole, 10, (uint64_t)(*s - '0'), &whole))
                        return -EINVAL;
                s++;
                any = true;
        }
        if (*s == '.') {
                s++;
                if (!isdigit((unsigned char)*s))
                        return -EINVAL;
                while (isdigit((unsigned char)*s)) {
                        /* Beyond 1e-9 of a unit nothing is representable anyway. */
                        if (div < 1000000000ULL) {
                                frac = frac * 10 + (uint64_t)(*s - '0');
                                div *= 10;
                        }
                        s++;
                }
                any = true;
        }
        if (!any)
                return -EINVAL;
        *p = s;
        *ret_whole = whole;
        *ret_frac = frac;
        *ret_frac_div = div;
        return 0;
}

static int scale(uint64_t whole, uint64_t frac, uint64_t div, uint64_t unit, uint64_t *ret)
{
        /* frac < div <= 1e9 and unit fits easily below 2^64 / 1e9 for our units. */
        uint64_t f = frac * (unit / div) + (frac * (unit % div)) / div;

        /* "0.5us", "0.5B": written above 0, not read as 0 (often "off") */
        if (whole == 0 && frac && f == 0)
                return -EINVAL;
        return mul_add(whole, unit, f, ret) ? 0 : -EINVAL;
}

int parse_duration(const char *s, usec_t *ret)
{
        static const struct {
                const char *suffix;
                usec_t usec;
        } units[] = {
                /* Longest suffix first so "ms" is not read as "m" + garbage. */
                { "us", 1 },
                { "ms", USEC_PER_MSEC },
                { "s", USEC_PER_SEC },
                { "m", 60 * USEC_PER_SEC },
                { "h", 3600 * USEC_PER_SEC },
                { "d", 86400 * USEC_PER_SEC },
        };
        usec_t total = 0;
        const char *p = s;
        bool first = true;

        if (!s || !*s)
                return -EINVAL;
        while (*p) {
                uint64_t whole, frac, div, v, unit = 0;
                size_t len = 0;

                if (scan_scaled(&p, &whole, &frac, &div) < 0)
                        return -EINVAL;
                for (size_t i = 0; i < ELEMENTSOF(units); i++) {
                        size_t l = strlen(units[i].suffix);

                        if (strncmp(p, units[i].suffix, l) == 0 && l > len) {
                                len = l;
                                unit = units[i].usec;
                        }
                }
                if (len == 0) {
                        /* A bare number means seconds, but only on its own: "1h30"
                         * is more likely a typo than "1h30s". */
                        if (!first || *p)
                                return -EINVAL;
                        unit = USEC_PER_SEC;
                }
                p += len;
                if (scale(whole, frac, div, unit, &v) < 0 || __builtin_add_overflow(total, v, &total))
                        return -EINVAL;
                first = false;
        }
        if (total == USEC_INFINITY)
                return -EINVAL;
        *ret = total;
        return 0;
}

const char *format_duration(usec_t u, char *buf, size_t len)
{
        static const struct {
                const char *suffix;
                usec_t usec;
        } parts[] = {
                { "d", 86400 * USEC_PER_SEC },
                { "h", 3600 * USEC_PER_SEC },
                { "m", 60 * USEC_PER_SEC },
                { "s", USEC_PER_SEC },
        };
        size_t off = 0;

        if (!buf || len == 0)
                return buf;
        if (u == USEC_INFINITY) {
                snprintf(buf, len, "infinity");
                return buf;
        }
        if (u == 0) {
                snprintf(buf, len, "0");
                return buf;
        }
        if (u < USEC_PER_MSEC || (u < USEC_PER_SEC && u % USEC_PER_MSEC)) {
                snprintf(buf, len, "%lluus", (unsigned long long)u);
                return buf;
        }
        if (u < USEC_PER_SEC) {
                snprintf(buf, len, "%llums", (unsigned long long)(u / USEC_PER_MSEC));
                return buf;
        }
        if (u < 60 * USEC_PER_SEC) {
                /* Sub-second precision matters for short timeouts: "1.5s". */
                unsigned long long ms = (u % USEC_PER_SEC) / USEC_PER_MSEC;
                int n = snprintf(buf, len, "%llu", (unsigned long long)(u / USEC_PER_SEC));

                if (ms && n > 0 && (size_t)n < len) {
                        char frac[8];
                        size_t fl;

                        snprintf(frac, sizeof frac, "%03llu", ms);
                        fl = strlen(frac);
                        while (fl > 0 && frac[fl - 1] == '0')
                                frac[--fl] = 0;
                        snprintf(buf + n, len - (size_t)n, ".%s", frac);
                }
                off = strlen(buf);
                snprintf(buf + off, len - off, "s");
                return buf;
        }
        buf[0] = 0;
        for (size_t i = 0; i < ELEMENTSOF(parts) && off < len; i++) {
                usec_t n = u / parts[i].usec;

                if (n == 0)
                        continue;
                u -= n * parts[i].usec;
                int w = snprintf(buf + off, len - off, "%llu%s", (unsigned long long)n, parts[i].suffix);
                if (w < 0)
                        break;
                off += (size_t)w;
        }
        return buf;
}

int parse_size(const char *s, uint64_t *ret_bytes, double *ret_percent)
{
        uint64_t whole, frac, div, unit = 1, v;
        const char *p = s;

        if (!s || !*s)
                return -EINVAL;
        if (scan_scaled(&p, &whole, &frac, &div) < 0)
                return -EINVAL;
        if (*p == '%') {
                double pct;

                if (!ret_percent || p[1])
                        return -EINVAL;
                pct = (double)whole + (double)frac / (double)div;
                if (!(pct > 0.0 && pct <= 100.0))
                        return -EINVAL;
                *ret_percent = pct;
                if (ret_bytes)
                        *ret_bytes = 0;
                return 0;
        }
        switch (*p) {
        case 'k':
        case 'K':
                unit = 1ULL << 10;
                p++;
                break;
        case 'm':
        case 'M':
                unit = 1ULL << 20;
                p++;
                break;
        case 'g':
        case 'G':
                unit = 1ULL << 30;
                p++;
                break;
        case 't':
        case 'T':
                unit = 1ULL << 40;
                p++;
                break;
        default:
                break;
        }
        /* "10M", "10MB", "10MiB" and "512B" all mean what a reader expects. */
        if (unit > 1 && (*p == 'i' || *p == 'I') && (p[1] == 'B' || p[1] == 'b'))
                p++;
        if (*p == 'B' || *p == 'b')
                p++;
        if (*p)
                return -EINVAL;
        if (scale(whole, frac, div, unit, &v) < 0)
                return -EINVAL;
        if (ret_bytes)
                *ret_bytes = v;
        return 0;
}

static const struct {
        int sig;
        const char *name;
} signal_table[] = {
        { SIGHUP, "SIGHUP" },       { SIGINT, "SIGINT" },       { SIGQUIT, "SIGQUIT" },
        { SIGILL, "SIGILL" },       { SIGTRAP, "SIGTRAP" },     { SIGABRT, "SIGABRT" },
        { SIGBUS, "SIGBUS" },       { SIGFPE, "SIGFPE" },       { SIGKILL, "SIGKILL" },
        { SIGUSR1, "SIGUSR1" },     { SIGSEGV, "SIGSEGV" },     { SIGUSR2, "SIGUSR2" },
        { SIGPIPE, "SIGPIPE" },     { SIGALRM, "SIGALRM" },     { SIGTERM, "SIGTERM" },
        { SIGSTKFLT, "SIGSTKFLT" }, { SIGCHLD, "SIGCHLD" },     { SIGCONT, "SIGCONT" },
        { SIGSTOP, "SIGSTOP" },     { SIGTSTP, "SIGTSTP" },     { SIGTTIN, "SIGTTIN" },
        { SIGTTOU, "SIGTTOU" },     { SIGURG, "SIGURG" },       { SIGXCPU, "SIGXCPU" },
        { SIGXFSZ, "SIGXFSZ" },     { SIGVTALRM, "SIGVTALRM" }, { SIGPROF, "SIGPROF" },
        { SIGWINCH, "SIGWINCH" },   { SIGIO, "SIGIO" },         { SIGPWR, "SIGPWR" },
        { SIGSYS, "SIGSYS" },
};

int parse_signal(const char *s, int *ret)
{
        unsigned long long n;

        if (!s || !*s)
                return -EINVAL;
        if (isdigit((unsigned char)*s)) {
                if (parse_uint(s, 64, &n) < 0 || n < 1)
                        return -EINVAL;
                *ret = (int)n;
                return 0;
        }
        for (size_t i = 0; i < ELEMENTSOF(signal_table); i++) {
                const char *name = signal_table[i].name;

                if (strcasecmp(s, name) == 0 || strcasecmp(s, name + 3) == 0) {
                        *ret = signal_table[i].sig;
                        return 0;
                }
        }
        return -EINVAL;
}

const char *signal_name(int sig)
{
        for (size_t i = 0; i < ELEMENTSOF(signal_table); i++)
                if (signal_table[i].sig == sig)
                        return signal_table[i].name;
        return NULL;
}

int parse_uint(const char *s, unsigned long long max, unsigned long long *ret)
{
        unsigned long long v;
        char *end;

        /* strtoull accepts blanks, signs and wraps "-1"; refuse all of that. */
        if (!s || !isdigit((unsigned char)*s))
                return -EINVAL;
        errno = 0;
        v = strtoull(s, &end, 10);
        if (*end)
                return -EINVAL;
        if (errno == ERANGE || v > max)
                return -ERANGE;
        *ret = v;
        return 0;
}

int parse_double(const char *s, double *ret)
{
        double v;
        char *end;

        /* Plain decimal only, digits with at most one '.': no blanks,
         * signs, exponents ("1e3" would read as a thousand to strtod and
         * as a typo to a person), hex floats, "nan" or "inf". */
        if (!s)
                return -EINVAL;
        size_t whole = strspn(s, "0123456789"), frac = 0;
        if (s[whole] == '.')
                frac = strspn(s + whole + 1, "0123456789");
        if (whole + frac == 0 || s[whole + (s[whole] == '.') + frac])
                return -EINVAL;
        errno = 0;
        v = strtod(s, &end);
        if (end == s || *end || errno == ERANGE || !isfinite(v))
                return -EINVAL;
        *ret = v;
        return 0;
}

uint64_t host_mem_total(void)
{
        FILE *f = fopen("/proc/meminfo", "re");
        unsigned long long kb = 0;
        char line[256];

        if (!f)
                return 0;
        while (fgets(line, sizeof(line), f))
                if (sscanf(line, "MemTotal: %llu kB", &kb) == 1)
                        break;
        fclose(f);
        return (uint64_t)kb * 1024;
}

const char *format_size(uint64_t bytes, char *buf, size_t len)
{
        static const char units[] = "KMGT";
        int i = -1;

        while (i < 3 && bytes >= 1024 && bytes % 1024 == 0) {
                bytes /= 1024;
                i++;
        }
        if (i < 0)
                snprintf(buf, len, "%llu", (unsigned long long)bytes);
        else
                snprintf(buf, len, "%llu%c", (unsigned long long)bytes, units[i]);
        return buf;
}

size_t strv_length(char *const *v)
{
        size_t n = 0;

        while (v && v[n])
                n++;
        return n;
}

char **strv_copy(char *const *v)
{
        size_t n = strv_length(v);
        char **c = calloc(n + 1, sizeof *c);

        if (!c)
                return NULL;
        for (size_t i = 0; i < n; i++) {
                c[i] = strdup(v[i]);
                if (!c[i]) {
                        strv_free(c);
                        return NULL;
                }
        }
        return c;
}

int strv_push(char ***v, const char *s)
{
        size_t n = strv_length(*v);
        char *dup = strdup(s);
        char **nv;

        if (!dup)
                return -ENOMEM;
        nv = realloc(*v, (n + 2) * sizeof *nv);
        if (!nv) {
                free(dup);
                return -ENOMEM;
        }
        nv[n] = dup;
        nv[n + 1] = NULL;
        *v = nv;
        return 0;
}

void strv_free(char **v)
{
        for (size_t i = 0; v && v[i]; i++)
                free(v[i]);
        free(v);
}

size_t str_distance(const char *a, const char *b)
{
        size_t la = strlen(a), lb = strlen(b), r;
        _cleanup_(freep) size_t *row = calloc(lb + 1, sizeof *row);

        if (!row)
                return SIZE_MAX;
        for (size_t j = 0; j <= lb; j++)
                row[j] = j;
        /* One row plus the saved diagonal is enough for the classic DP. */
        for (size_t i = 1; i <= la; i++) {
                size_t diag = row[0];

                row[0] = i;
                for (size_t j = 1; j <= lb; j++) {
                        size_t up = row[j];
                        size_t best = diag + (a[i - 1] != b[j - 1]);

                        if (up + 1 < best)
                                best = up + 1;
                        if (row[j - 1] + 1 < best)
                                best = row[j - 1] + 1;
                        diag = up;
                        row[j] = best;
                }
        }
        r = row[lb];
        return r;
}

int fd_nonblock_cloexec(int fd)
{
        int fl = fcntl(fd, F_GETFL);

        if (fl < 0)
                return -errno;
        if (!(fl & O_NONBLOCK) && fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
                return -errno;
        fl = fcntl(fd, F_GETFD);
        if (fl < 0)
                return -errno;
        if (!(fl & FD_CLOEXEC) && fcntl(fd, F_SETFD, fl | FD_CLOEXEC) < 0)
                return -errno;
        return 0;
}

int mkdir_p(const char *path, unsigned mode)
{
        _cleanup_(freep) char *p = strdup(path);
        struct stat st;

        if (!p)
                return -ENOMEM;
        /* Almost always there already: one stat instead of a mkdir per
         * component (each a round trip on a network file system). */
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
                return 0;
        for (char *s = p + 1;; s++) {
                if (*s != '/' && *s != 0)
                        continue;
                char saved = *s;

                *s = 0;
                /* mkdir first and interpret EEXIST: a stat-then-mkdir races. */
                if (mkdir(p, (mode_t)mode) < 0 && errno != EEXIST)
                        return -errno;
                *s = saved;
                if (saved == 0)
                        break;
                while (s[1] == '/')
                        s++;
        }
        if (stat(path, &st) < 0)
                return -errno;
        return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

char *path_canonical_fd(int fd, const char *path)
{
        char link[64], buf[PATH_MAX];
        snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
        ssize_t n = readlink(link, buf, sizeof(buf) - 1);
        /* no /proc, or a path the kernel marks as unreachable or deleted */
        if (n <= 0 || (size_t)n >= sizeof(buf) - 1 || buf[0] != '/' || strstr(buf, " (deleted)"))
                return realpath(path, NULL);
        buf[n] = 0;
        return strdup(buf);
}

char *path_canonical(const char *path)
{
        int fd = open(path, O_PATH | O_CLOEXEC);
        if (fd < 0)
                return NULL;
        char *r = path_canonical_fd(fd, path);
        close(fd);
        return r;
}

char *path_lexical(const char *path)
{
        size_t n = strlen(path);
        char *r = malloc(n + 2), *w = r;

        if (!r || path[0] != '/') {
                free(r);
                errno = EINVAL;
                return NULL;
        }
        *w++ = '/';
        for (const char *p = path; *p;) {
                while (*p == '/')
                        p++;
                const char *e = strchrnul(p, '/');
                size_t len = (size_t)(e - p);
                if (len == 2 && p[0] == '.' && p[1] == '.') {
                        if (w > r + 1) /* drop the last component: "/.." is "/" */
                                for (w--; w > r + 1 && w[-1] != '/'; w--)
                                        ;
                } else if (len && !(len == 1 && p[0] == '.')) {
                        memcpy(w, p, len);
                        w += len;
                        *w++ = '/';
                }
                p = e;
        }
        if (w > r + 1)
                w--; /* no trailing slash */
        *w = '\0';
        return r;
}

bool path_below(const char *path, const char *dir)
{
        size_t n = strlen(dir);

        while (n > 1 && dir[n - 1] == '/')
                n--;
        if (n == 1) /* "/" */
                return path[0] == '/' && path[1] != 0;
        return strncmp(path, dir, n) == 0 && path[n] == '/' && path[n + 1] != 0;
}

char *path_join(const char *dir, const char *path)
{
        size_t ld;
        char *r;

        if (!path)
                return NULL;
        if (path[0] == '/' || !dir || !*dir)
                return strdup(path);
        ld = strlen(dir);
        while (ld > 1 && dir[ld - 1] == '/')
                ld--;
        r = strdup_printf("%.*s%s%s", (int)ld, dir, dir[ld - 1] == '/' ? "" : "/", path);
        return r;
}

char *strdup_printf(const char *fmt, ...)
{
        va_list ap;
        char *r;
        int n;

        /* asprintf() would need _GNU_SOURCE; measure, then print. */
        va_start(ap, fmt);
        n = vsnprintf(NULL, 0, fmt, ap);
        va_end(ap);
        if (n < 0)
                return NULL;
        r = malloc((size_t)n + 1);
        if (!r)
                return NULL;
        va_start(ap, fmt);
        vsnprintf(r, (size_t)n + 1, fmt, ap);
        va_end(ap);
        return r;
}

int errf(char *err, size_t errlen, const char *fmt, ...)
{
        if (err && errlen > 0) {
                va_list ap;
                va_start(ap, fmt);
                vsnprintf(err, errlen, fmt, ap);
                va_end(ap);
        }
        return -EINVAL;
}

#ifndef PKGLIBEXECDIR
#define PKGLIBEXECDIR "/usr/libexec/svd"
#endif

char *svd_helper_path(const char *name) {
        char self[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
        if (n > 0) {
                self[n] = 0;
                char *slash = strrchr(self, '/');
                if (slash) {
                        *slash = 0;
                        char *p = strdup_printf("%s/%s", self, name);
                        if (p && access(p, X_OK) == 0)
                                return p;
                        free(p);
                }
        }
        return strdup_printf("%s/%s", PKGLIBEXECDIR, name);
}

char *read_fd_all(int fd, size_t max) {
        size_t len = 0, cap = 4096;
        char *buf = malloc(cap);
        while (buf) {
                if (len + 1 >= cap) {
                        char *n = cap < max ? realloc(buf, cap * 2) : NULL;
                        if (!n)
                                break;
                        buf = n;
                        cap *= 2;
                }
                ssize_t r = pread(fd, buf + len, cap - 1 - len, (off_t)len);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0)
                        break;
                if (r == 0) {
                        buf[len] = 0;
                        return buf;
                }
                len += (size_t)r;
        }
        free(buf);
        return NULL;
}

int unix_connect(const char *path, int type, int timeout_sec) {
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        struct timeval tv = {.tv_sec = timeout_sec};
        if (strlen(path) >= sizeof(sa.sun_path))
                return -ENAMETOOLONG;
        memcpy(sa.sun_path, path, strlen(path) + 1);
        int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        if ((timeout_sec > 0 && (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
                                 setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0)) ||
            connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
                int e = errno;
                close(fd);
                return -e;
        }
        return fd;
}

char str_empty[1];

void str_clear(char **s) {
        if (*s && *s != str_empty)
                free(*s);
        *s = str_empty;
}

void str_set(char **s, const char *text) {
        str_set_max(s, text, STR_SHORT_MAX);
}

void str_set_max(char **s, const char *text, size_t max) {
        size_t n = strnlen(text, max - 1);
        if (*s && strncmp(*s, text, n) == 0 && (*s)[n] == 0)
                return; /* unchanged: no allocation (a probe's detail repeats) */
        if (n == 0) {
                str_clear(s);
                return;
        }
        size_t have = *s && *s != str_empty ? malloc_usable_size(*s) : 0;
        if (have > n && (n + 1) * 2 > have) {
                /* in place: a probe's detail changes at every probe ("in
                 * 1.2ms"); a new allocation each time fragments the heap.
                 * Not when the text needs less than half of it: a long
                 * first text (a service's first probe opens a connection)
                 * must not pin its size for good. */
                memmove(*s, text, n);
                (*s)[n] = 0;
                return;
        }
        char *c = strndup(text, n);
        str_clear(s);
        if (c)
                *s = c;
}

void str_vsetf(char **s, const char *fmt, va_list ap) {
        char buf[STR_SHORT_MAX];
        vsnprintf(buf, sizeof(buf), fmt, ap);
        str_set(s, buf);
}

void str_setf(char **s, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        str_vsetf(s, fmt, ap);
        va_end(ap);
}

int writev_whole(int fd, struct iovec *iov, int n, off_t cut_to)
{
        off_t done = 0;
        while (n) {
                ssize_t w = writev(fd, iov, n);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w <= 0) {
                        int r = w < 0 ? -errno : -ENOSPC;
                        if (done) {
                                /* The offset is where the batch's bytes end
                                 * (O_APPEND: the file's end). cut_to, the
                                 * caller's count of the size, is too large
                                 * once the file was emptied by hand, and
                                 * ftruncate would extend it with zeros. */
                                off_t end = lseek(fd, 0, SEEK_CUR);
                                (void)!ftruncate(fd, end >= done ? end - done : cut_to);
                        }
                        return r;
                }
                done += (off_t)w;
                size_t skip = (size_t)w;
                while (n && skip >= iov[0].iov_len) {
                        skip -= iov[0].iov_len;
                        iov++;
                        n--;
                }
                if (n) {
                        iov[0].iov_base = (char *)iov[0].iov_base + skip;
                        iov[0].iov_len -= skip;
                }
        }
        return 0;
}

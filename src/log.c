/* log: svd's own diagnostics on stderr. Each message becomes exactly one line,
 * "2026-11-22T00:11:33.123456Z svd[42]: WARN message", built in a bounded
 * buffer and written with a single write() so lines from svd and from children
 * sharing the same stderr never interleave mid-line (writes up to PIPE_BUF are
 * atomic on pipes). Newlines inside a message are flattened so one call can
 * never forge a second, fake log line, and other control characters escaped
 * (\xHH) so none reaches a terminal. errno is preserved across calls because
 * callers often log and then inspect it. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "logfmt.h"
#include "utf8.h"
#include "util.h"

/* One atomic pipe write; longer messages are cut and marked. */
#define LOG_LINE_MAX PIPE_BUF

static enum log_level max_level = LOG_LVL_INFO;
/* The text of the last error, for PID 1's emergency state to name its cause. */
static char last_error[512];

static const char *const level_names[] = {
        [LOG_LVL_ERR] = "ERROR",
        [LOG_LVL_WARN] = "WARN",
        [LOG_LVL_INFO] = "INFO",
        [LOG_LVL_DEBUG] = "DEBUG",
};

const char *log_last_error(void)
{
        return last_error;
}

void log_set_level(enum log_level l)
{
        if (l > LOG_LVL_DEBUG)
                l = LOG_LVL_DEBUG;
        max_level = l;
}

/* program_invocation_short_name is set by glibc before main(): svd, svctl and
 * the tests all get their own name without an init call. */
extern char *program_invocation_short_name;

static size_t format_prefix(char *buf, size_t len, enum log_level l)
{
        struct timespec ts = { 0 };
        char stamp[LOGFMT_TIME_LEN + 1];

        /* By hand (logfmt.c), not strftime: that reads the time zone file on
         * its first call, a file look-up a UTC stamp does not need. */
        (void)clock_gettime(CLOCK_REALTIME, &ts);
        logfmt_time((usec_t)ts.tv_sec * USEC_PER_SEC + (usec_t)ts.tv_nsec / 1000, stamp);

        int n = snprintf(buf, len, "%s %s[%ld]: %s ", stamp,
                         program_invocation_short_name ? program_invocation_short_name : "svd",
                         (long)getpid(), level_names[l]);
        if (n < 0)
                return 0;
        return (size_t)n < len ? (size_t)n : len - 1;
}

static void write_direct(const char *p, size_t n)
{
        while (n > 0) {
                ssize_t w = write(STDERR_FILENO, p, n);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w <= 0)
                        return; /* nowhere left to report a logging failure */
                p += w;
                n -= (size_t)w;
        }
}

/* Non-blocking output (svd, see log.h): lines go to out.fd without waiting;
 * what the reader does not take at once waits in the backlog, in order,
 * and beyond LOG_BACKLOG_MAX whole lines are dropped and counted. */
static struct {
        int fd;          /* -1: plain blocking writes to stderr */
        bool sock;       /* stderr is a socket: send(MSG_DONTWAIT) on it */
        pid_t owner;     /* a forked child writes directly, never here */
        void (*wake)(void);
        long budget_ms;  /* with no event loop: what flushes may still wait */
        bool unwatched;  /* log_nonblocking_unwatched() was called */
        bool set_nonblock; /* O_NONBLOCK set on stderr's own description */
        size_t len;
        unsigned long dropped;
} out = { .fd = -1 };
/* Apart from out: zero-initialised, it is in .bss and costs no memory until
 * a stall fills it. In out's initialised .data it was file-backed, and any
 * read near it mapped up to 64 KiB of it from the page cache. */
static char out_buf[LOG_BACKLOG_MAX];
/* PID 1 logs from its early thread while the main thread reads the
 * configuration: the backlog has one writer at a time. */
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

static ssize_t out_write(const char *p, size_t n)
{
        ssize_t w;
        do
                w = out.sock ? send(out.fd, p, n, MSG_DONTWAIT | MSG_NOSIGNAL) : write(out.fd, p, n);
        while (w < 0 && errno == EINTR);
        return w;
}

/* Writes whole lines of the backlog (one write takes at most PIPE_BUF, so a
 * line never mixes with another writer's on a pipe) until the reader stops
 * taking them. Then, once empty, says how many were dropped. */
static void backlog_write(void)
{
        while (out.len) {
                size_t n = out.len < PIPE_BUF ? out.len : PIPE_BUF;
                while (n > 1 && out_buf[n - 1] != '\n')
                        n--;
                if (out_buf[n - 1] != '\n')
                        n = out.len < PIPE_BUF ? out.len : PIPE_BUF; /* no newline: cut */
                ssize_t w = out_write(out_buf, n);
                if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
                        return;
                if (w <= 0) {
                        out.len = 0; /* broken: nowhere to report it */
                        return;
                }
                memmove(out_buf, out_buf + w, out.len - (size_t)w);
                out.len -= (size_t)w;
                if (!out.len && out.dropped) {
                        char line[160];
                        size_t k = format_prefix(line, sizeof(line), LOG_LVL_WARN);
                        k += (size_t)snprintf(line + k, sizeof(line) - k,
                                              "%lu log line%s dropped: stderr did not take them in time\n",
                                              out.dropped, out.dropped == 1 ? " was" : "s were");
                        out.dropped = 0;
                        if (k < sizeof(line)) {
                                memcpy(out_buf, line, k);
                                out.len = k;
                        }
                }
        }
}

/* Waits (poll) for the output to take the backlog, within out.budget_ms. */
static void backlog_wait(void)
{
        struct pollfd pfd = { .fd = out.fd, .events = POLLOUT };
        while (out.len && out.budget_ms > 0) {
                usec_t t0 = now_mono();
                int r = poll(&pfd, 1, (int)out.budget_ms);
                long spent = (long)((now_mono() - t0) / 1000);
                out.budget_ms -= spent > 0 ? spent : 0;
                if (r < 0 && errno != EINTR)
                        return;
                if (r == 0 || (r > 0 && !(pfd.revents & POLLOUT)))
                        return;
                backlog_write();
        }
}

static void write_line_locked(const char *p, size_t n)
{
        if (out.fd < 0 || getpid() != out.owner) {
                write_direct(p, n);
                return;
        }
        if (!out.len) {
                /* the usual case: the reader takes it at once, and the
                 * backlog's pages are never touched */
                ssize_t w = out_write(p, n);
                if (w == (ssize_t)n)
                        return;
                if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
                        return; /* nowhere left to report a logging failure */
                if (w > 0) { /* a terminal took part of it */
                        p += w;
                        n -= (size_t)w;
                }
        } else if (out.len + n > sizeof(out_buf)) {
                backlog_write();
        }
        if (out.len + n > sizeof(out_buf) && !out.wake)
                backlog_wait();
        if (out.len + n > sizeof(out_buf)) {
                out.dropped++;
                return;
        }
        bool was_empty = !out.len;
        memcpy(out_buf + out.len, p, n);
        out.len += n;
        if (!out.wake)
                backlog_wait();
        else if (was_empty)
                out.wake();
}

static void write_line(const char *p, size_t n)
{
        pthread_mutex_lock(&out_lock);
        write_line_locked(p, n);
        pthread_mutex_unlock(&out_lock);
}

/* At exit: what still waits gets one more second (the budget left, if
 * that is less), so the last lines of a stalled reader are not all lost. */
static void flush_at_exit(void)
{
        pthread_mutex_lock(&out_lock);
        if (out.fd >= 0 && getpid() == out.owner && out.len) {
                if (!out.unwatched || out.budget_ms > 1000)
                        out.budget_ms = 1000;
                backlog_write();
                backlog_wait();
        }
        if (out.set_nonblock && getpid() == out.owner) {
                int fl = fcntl(STDERR_FILENO, F_GETFL);
                if (fl >= 0)
                        (void)fcntl(STDERR_FILENO, F_SETFL, fl & ~O_NONBLOCK);
        }
        pthread_mutex_unlock(&out_lock);
}

static int start_locked(void (*wake)(void))
{
        struct stat st;
        int fd = -1;

        if (out.fd >= 0) {
                out.wake = wake; /* a loop now, or another (the emergency state's) */
                out.unwatched = false;
                return 1;
        }
        if (fstat(STDERR_FILENO, &st) < 0)
                return -errno;
        if (S_ISSOCK(st.st_mode))
                fd = STDERR_FILENO; /* MSG_DONTWAIT per call: the socket stays as it is */
        else if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode)) {
                /* A description of our own: O_NONBLOCK on the shared one
                 * would reach everyone else writing or reading it (a shell
                 * on the same terminal, the emergency shell on the console). */
                fd = open("/proc/self/fd/2", O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
                int fl;
                if (fd < 0 && errno == EBUSY && S_ISCHR(st.st_mode) &&
                    (fl = fcntl(STDERR_FILENO, F_GETFL)) >= 0 &&
                    fcntl(STDERR_FILENO, F_SETFL, fl | O_NONBLOCK) == 0) {
                        /* a device that opens once (a virtio console port):
                         * its one description, back to blocking at exit */
                        fd = STDERR_FILENO;
                        out.set_nonblock = !(fl & O_NONBLOCK);
                }
                if (fd < 0)
                        return -errno;
        } else
                return 0; /* a regular file does not wait for a reader */
        atexit(flush_at_exit);
        out.fd = fd;
        out.sock = S_ISSOCK(st.st_mode);
        out.owner = getpid();
        out.wake = wake;
        out.budget_ms = 0;
        return 1;
}

int log_nonblocking_start(void (*wake)(void))
{
        pthread_mutex_lock(&out_lock);
        int r = start_locked(wake);
        pthread_mutex_unlock(&out_lock);
        return r;
}

int log_backlog_fd(void)
{
        return out.fd;
}

int log_child_stderr(void)
{
        return out.fd >= 0 ? out.fd : STDERR_FILENO;
}

bool log_backlog_drain(void)
{
        pthread_mutex_lock(&out_lock);
        if (out.fd >= 0)
                backlog_write();
        bool empty = out.len == 0;
        pthread_mutex_unlock(&out_lock);
        return empty;
}

void log_nonblocking_unwatched(long budget_ms)
{
        pthread_mutex_lock(&out_lock);
        if (out.fd >= 0) {
                out.wake = NULL;
                out.unwatched = true;
                out.budget_ms = budget_ms;
                backlog_write();
                backlog_wait();
        }
        pthread_mutex_unlock(&out_lock);
}

void log_msg(enum log_level l, const char *fmt, ...)
{
        if (l > max_level || (int)l < LOG_LVL_ERR)
                return;

        int saved_errno = errno;
        char line[LOG_LINE_MAX];
        size_t n = format_prefix(line, sizeof(line), l);

        /* Leave room for the newline that always ends the line. */
        size_t room = sizeof(line) - 1 - n;
        char msg[LOG_LINE_MAX];
        va_list ap;
        va_start(ap, fmt);
        errno = saved_errno; /* so %m in fmt reports the caller's errno */
        int m = vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        if (m < 0)
                m = 0;

        bool cut = (size_t)m >= sizeof(msg);
        size_t len = cut ? sizeof(msg) - 1 : (size_t)m;
        for (size_t i = 0; i < len; i++)
                if (msg[i] == '\n' || msg[i] == '\r')
                        msg[i] = ' ';
        while (!cut && len > 0 && msg[len - 1] == ' ')
                len--; /* a trailing "\n" in fmt must not leave a dangling blank */
        /* Messages carry names, paths and text from files, peers and
         * services: cleaned here, the one place lines are made (utf8.h), an
         * ESC or a C1 character never reaches the console raw. */
        if (!cut && utf8_clean_len(msg, len, UTF8_KEEP_TAB) > room)
                cut = true;
        size_t body;
        if (cut && room >= 3) {
                body = utf8_clean(msg, len, line + n, room - 3 + 1, UTF8_KEEP_TAB);
                memcpy(line + n + body, "...", 3);
                body += 3;
        } else
                body = utf8_clean(msg, len, line + n, room + 1, UTF8_KEEP_TAB);
        line[n + body] = '\n';
        if (l == LOG_LVL_ERR)
                snprintf(last_error, sizeof(last_error), "%.*s", (int)body, line + n);

        write_line(line, n + body + 1);
        errno = saved_errno;
}

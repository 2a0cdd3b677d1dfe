/* log: svd's own diagnostics on stderr. Each message becomes exactly one line,
 * "2026-11-22T00:11:33.123456Z svd[42]: WARN message", built in a bounded
 * buffer and written with a single write() so lines from svd and from children
 * sharing the same stderr never interleave mid-line (writes up to PIPE_BUF are
 * atomic on pipes). Newlines inside a message are flattened so one call can
 * never forge a second, fake log line. errno is preserved across calls because
 * callers often log and then inspect it. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "logfmt.h"

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

static void write_line(const char *p, size_t n)
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

void log_msg(enum log_level l, const char *fmt, ...)
{
        if (l > max_level || (int)l < LOG_LVL_ERR)
                return;

        int saved_errno = errno;
        char line[LOG_LINE_MAX];
        size_t n = format_prefix(line, sizeof(line), l);

        /* Leave room for the newline that always ends the line. */
        size_t room = sizeof(line) - 1 - n;
        va_list ap;
        va_start(ap, fmt);
        errno = saved_errno; /* so %m in fmt reports the caller's errno */
        int m = vsnprintf(line + n, room + 1, fmt, ap);
        va_end(ap);
        if (m < 0)
                m = 0;

        size_t body = (size_t)m <= room ? (size_t)m : room;
        if ((size_t)m > room && room >= 3)
                memcpy(line + n + body - 3, "...", 3);
        for (size_t i = n; i < n + body; i++)
                if (line[i] == '\n' || line[i] == '\r')
                        line[i] = ' ';
        while (body > 0 && line[n + body - 1] == ' ' && (size_t)m <= room)
                body--; /* a trailing "\n" in fmt must not leave a dangling blank */
        line[n + body] = '\n';
        if (l == LOG_LVL_ERR)
                snprintf(last_error, sizeof(last_error), "%.*s", (int)body, line + n);

        write_line(line, n + body + 1);
        errno = saved_errno;
}

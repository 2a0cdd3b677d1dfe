/* Unit tests for log.c's non-blocking output: with stderr a pipe nobody reads
 * (one page of buffer), logging never blocks (an alarm would end the test),
 * lines wait in the backlog in order, the overflow is dropped and counted,
 * and everything comes out whole once the pipe is read. */
#include <check.h>

#include "check_run.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

static int wakes;
static void wake(void)
{
        wakes++;
}

/* Makes stderr the write end of a one-page pipe; returns the read end
 * (non-blocking). */
static int stderr_pipe(void)
{
        int p[2];

        ck_assert_int_eq(pipe(p), 0);
        ck_assert_int_ge(fcntl(p[1], F_SETPIPE_SZ, 4096), 4096);
        ck_assert_int_eq(dup2(p[1], STDERR_FILENO), STDERR_FILENO);
        close(p[1]);
        ck_assert_int_eq(fcntl(p[0], F_SETFL, O_NONBLOCK), 0);
        return p[0];
}

/* Reads what the pipe has into buf (at *len); returns bytes read. */
static size_t slurp(int fd, char *buf, size_t cap, size_t *len)
{
        size_t got = 0;
        for (;;) {
                ssize_t r = read(fd, buf + *len, cap - *len);
                if (r <= 0)
                        break;
                *len += (size_t)r;
                got += (size_t)r;
        }
        return got;
}

START_TEST(test_backlog_keeps_order_and_counts_drops)
{
        enum { N = 3000 };
        static char got[512 * 1024];
        size_t len = 0;
        int rfd = stderr_pipe();

        alarm(20); /* a write that blocks ends the test here */
        ck_assert_int_eq(log_nonblocking_start(wake), 1);
        for (int i = 0; i < N; i++)
                log_info("line %04d %s", i, "................................................");
        ck_assert_int_eq(wakes, 1); /* the backlog started once, and stayed */
        ck_assert(!log_backlog_drain()); /* nobody has read yet */
        /* the reader reads again: drain as the pipe takes it */
        for (int round = 0; round < 100000; round++) {
                slurp(rfd, got, sizeof(got), &len);
                if (log_backlog_drain() && slurp(rfd, got, sizeof(got), &len) == 0)
                        break;
        }
        ck_assert(log_backlog_drain());
        log_info("after");
        slurp(rfd, got, sizeof(got), &len);
        got[len] = 0;

        /* whole lines: 0..K-1 in order, then the count of the rest, then "after" */
        int next = 0, dropped = -1, after = 0;
        for (char *line = strtok(got, "\n"); line; line = strtok(NULL, "\n")) {
                ck_assert_msg(strstr(line, " svd") || strstr(line, " check_log"), "no prefix: %s", line);
                const char *m;
                int k;
                if ((m = strstr(line, "INFO line ")) && sscanf(m, "INFO line %d", &k) == 1) {
                        ck_assert_int_eq(dropped, -1);
                        ck_assert_int_eq(k, next);
                        next++;
                } else if ((m = strstr(line, "WARN ")) && sscanf(m, "WARN %d log lines were dropped", &k) == 1) {
                        ck_assert_int_eq(dropped, -1);
                        dropped = k;
                } else if (strstr(line, "INFO after")) {
                        ck_assert_int_ne(dropped, -1);
                        after++;
                } else {
                        ck_abort_msg("unexpected line: %s", line);
                }
        }
        ck_assert_int_gt(next, 4096 / 120); /* the page and the backlog held some */
        ck_assert_int_lt(next, N);          /* and not all: 64 KiB is the bound */
        ck_assert_int_eq(dropped, N - next);
        ck_assert_int_eq(after, 1);
        alarm(0);
}
END_TEST

START_TEST(test_regular_file_is_left_alone)
{
        char path[] = "/tmp/check_log.XXXXXX";
        int fd = mkstemp(path);

        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(dup2(fd, STDERR_FILENO), STDERR_FILENO);
        ck_assert_int_eq(log_nonblocking_start(wake), 0);
        ck_assert_int_eq(log_backlog_fd(), -1);
        log_warn("to the file");
        char buf[256] = { 0 };
        ck_assert_int_gt(pread(fd, buf, sizeof(buf) - 1, 0), 0);
        ck_assert_ptr_nonnull(strstr(buf, "WARN to the file\n"));
        unlink(path);
        close(fd);
}
END_TEST

/* A name, a path or a peer's text in a message: one line, no raw control
 * character (ESC, C1, a newline), invalid UTF-8 as U+FFFD; a long message
 * is cut with "..." on a character boundary. */
START_TEST(test_controls_escaped)
{
        char path[] = "/tmp/check_log.XXXXXX";
        int fd = mkstemp(path);

        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(dup2(fd, STDERR_FILENO), STDERR_FILENO);
        log_warn("%s: cannot open %s", "e\x1b[2Jvil\xc2\x9b", "/etc/svd/x\ny\xff\x7f.yaml\n");
        char lng[6000];
        memset(lng, 'a', sizeof(lng));
        for (int i = 0; i < 40; i++) /* euros where the cut falls */
                memcpy(lng + 3980 + 3 * i, "\xe2\x82\xac", 3);
        lng[sizeof(lng) - 1] = 0;
        log_info("%s", lng);
        char buf[16384] = { 0 };
        ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
        ck_assert_int_gt(n, 0);
        ck_assert_ptr_nonnull(strstr(buf, "WARN e\\x1b[2Jvil\\x9b: cannot open /etc/svd/x y\xef\xbf\xbd\\x7f.yaml\n"));
        ck_assert_ptr_null(strchr(buf, '\x1b'));
        ck_assert_ptr_null(strstr(buf, "\xc2\x9b"));
        char *second = strchr(buf, '\n') + 1;
        char *end = strchr(second, '\n');
        ck_assert_ptr_nonnull(end);
        /* one PIPE_BUF line at most, short of it by less than a character */
        ck_assert_int_le(end - second + 1, 4096);
        ck_assert_int_ge(end - second + 1, 4096 - 2);
        ck_assert_int_eq(memcmp(end - 3, "...", 3), 0);
        /* what precedes the mark ends on a character: a whole euro */
        ck_assert_int_eq(memcmp(end - 6, "\xe2\x82\xac", 3), 0);
        ck_assert_str_eq(end, "\n");
        unlink(path);
        close(fd);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("log");
        TCase *tc = tcase_create("core");

        tcase_set_timeout(tc, 30);
        tcase_add_test(tc, test_backlog_keeps_order_and_counts_drops);
        tcase_add_test(tc, test_regular_file_is_left_alone);
        tcase_add_test(tc, test_controls_escaped);
        suite_add_tcase(s, tc);
        return check_run(s);
}

/* check_util: table tests for util's parsers and formatters, the strv helpers
 * and the small fs/fd helpers. The parsers are the first line of config
 * validation, so both what they accept and what they refuse are pinned here. */
#include <check.h>

#include "check_run.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

START_TEST(test_parse_duration_ok)
{
        static const struct {
                const char *s;
                usec_t u;
        } t[] = {
                { "0", 0 },
                { "10", 10 * USEC_PER_SEC },
                { "250ms", 250 * USEC_PER_MSEC },
                { "10s", 10 * USEC_PER_SEC },
                { "5m", 300 * USEC_PER_SEC },
                { "1h", 3600 * USEC_PER_SEC },
                { "1d", 86400 * USEC_PER_SEC },
                { "1h30m", 5400 * USEC_PER_SEC },
                { "1d2h3m4s5ms", ((86400 + 7200 + 180 + 4) * USEC_PER_SEC) + 5 * USEC_PER_MSEC },
                { "1.5s", 1500 * USEC_PER_MSEC },
                { "0.25m", 15 * USEC_PER_SEC },
                { "7us", 7 },
                { "0s", 0 },
                { "0.0s", 0 },
                { "1.5us", 1 },
        };

        for (size_t i = 0; i < ELEMENTSOF(t); i++) {
                usec_t u = 42;

                ck_assert_msg(parse_duration(t[i].s, &u) == 0, "'%s' refused", t[i].s);
                ck_assert_msg(u == t[i].u, "'%s' -> %llu, want %llu", t[i].s, (unsigned long long)u,
                              (unsigned long long)t[i].u);
        }
}
END_TEST

START_TEST(test_parse_duration_bad)
{
        static const char *const bad[] = { "",
                                           "-1s",
                                           "10x",
                                           "s",
                                           "1h30",
                                           "1 s",
                                           " 1s",
                                           "1s ",
                                           "+5s",
                                           "1.s",
                                           ".",
                                           "99999999999999999999",
                                           "213503982336d",
                                           "10S",
                                           "1y",
                                           /* not 0, which often means "off" */
                                           "0.5us",
                                           "0.0000001s" };

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                usec_t u = 42;

                ck_assert_msg(parse_duration(bad[i], &u) == -EINVAL, "'%s' accepted", bad[i]);
                ck_assert_msg(u == 42, "'%s' touched the out-param", bad[i]);
        }
        ck_assert_int_eq(parse_duration(NULL, &(usec_t){ 0 }), -EINVAL);
}
END_TEST

START_TEST(test_format_duration)
{
        static const struct {
                usec_t u;
                const char *s;
        } t[] = {
                { 0, "0" },
                { 7, "7us" },
                { 250 * USEC_PER_MSEC, "250ms" },
                { 1500 * USEC_PER_MSEC, "1.5s" },
                { 10 * USEC_PER_SEC, "10s" },
                { 120 * USEC_PER_SEC, "2m" },
                { (3 * 3600 + 4 * 60) * USEC_PER_SEC, "3h4m" },
                { 86400 * USEC_PER_SEC, "1d" },
                { USEC_INFINITY, "infinity" },
        };
        char buf[32];

        for (size_t i = 0; i < ELEMENTSOF(t); i++)
                ck_assert_str_eq(format_duration(t[i].u, buf, sizeof buf), t[i].s);
        /* What format_duration prints, parse_duration reads back. */
        for (size_t i = 0; i + 1 < ELEMENTSOF(t); i++) {
                usec_t u;

                ck_assert_int_eq(parse_duration(format_duration(t[i].u, buf, sizeof buf), &u), 0);
                ck_assert_uint_eq(u, t[i].u);
        }
}
END_TEST

START_TEST(test_parse_size)
{
        static const struct {
                const char *s;
                uint64_t bytes;
        } t[] = {
                { "0", 0 },
                { "512", 512 },
                { "512B", 512 },
                { "512K", 512 << 10 },
                { "512k", 512 << 10 },
                { "10M", 10 << 20 },
                { "10MB", 10 << 20 },
                { "10MiB", 10 << 20 },
                { "4G", 4ULL << 30 },
                { "4gb", 4ULL << 30 },
                { "1T", 1ULL << 40 },
                { "1.5K", 1536 },
                { "0.0G", 0 },
                { "4GIB", 4ULL << 30 },
                { "4gib", 4ULL << 30 },
        };
        static const char *const bad[] = { "",         "12Q", "-1",   "1KK", "K",
                                           "1 K",      "0%",  "101%", "%",   "99999999999999999999",
                                           "16777216T", "0.5B", "0.1" };
        uint64_t b;
        double pct;

        for (size_t i = 0; i < ELEMENTSOF(t); i++) {
                b = 1;
                pct = -1;
                ck_assert_msg(parse_size(t[i].s, &b, &pct) == 0, "'%s' refused", t[i].s);
                ck_assert_msg(b == t[i].bytes, "'%s' -> %llu", t[i].s, (unsigned long long)b);
                ck_assert(pct == -1); /* untouched for absolute sizes */
        }
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                b = 7;
                ck_assert_msg(parse_size(bad[i], &b, &pct) == -EINVAL, "'%s' accepted", bad[i]);
                ck_assert(b == 7);
        }
        ck_assert_int_eq(parse_size("25%", &b, &pct), 0);
        ck_assert(pct == 25.0);
        ck_assert_uint_eq(b, 0);
        ck_assert_int_eq(parse_size("100%", &b, &pct), 0);
        ck_assert(pct == 100.0);
        ck_assert_int_eq(parse_size("12.5%", &b, &pct), 0);
        ck_assert(pct == 12.5);
        ck_assert_int_eq(parse_size("25%", &b, NULL), -EINVAL);
}
END_TEST

START_TEST(test_format_size)
{
        char buf[32];

        ck_assert_str_eq(format_size(0, buf, sizeof buf), "0");
        ck_assert_str_eq(format_size(1000, buf, sizeof buf), "1000");
        ck_assert_str_eq(format_size(512 << 10, buf, sizeof buf), "512K");
        ck_assert_str_eq(format_size(1536ULL << 20, buf, sizeof buf), "1536M");
        ck_assert_str_eq(format_size(2ULL << 30, buf, sizeof buf), "2G");
        ck_assert_str_eq(format_size(3ULL << 50, buf, sizeof buf), "3072T");
}
END_TEST

START_TEST(test_parse_signal)
{
        static const struct {
                const char *s;
                int sig;
        } t[] = {
                { "SIGTERM", SIGTERM },   { "TERM", SIGTERM }, { "term", SIGTERM }, { "sigterm", SIGTERM },
                { "SIGINT", SIGINT },     { "HUP", SIGHUP },   { "KILL", SIGKILL }, { "SIGUSR1", SIGUSR1 },
                { "SIGWINCH", SIGWINCH }, { "15", 15 },        { "1", 1 },          { "64", 64 },
        };
        static const char *const bad[] = {
                "", "0", "65", "-1", "SIGFOO", "SIG", "TERM ", "15x", "SIGTERMX"
        };
        int sig;

        for (size_t i = 0; i < ELEMENTSOF(t); i++) {
                ck_assert_msg(parse_signal(t[i].s, &sig) == 0, "'%s' refused", t[i].s);
                ck_assert_int_eq(sig, t[i].sig);
        }
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                sig = 99;
                ck_assert_msg(parse_signal(bad[i], &sig) == -EINVAL, "'%s' accepted", bad[i]);
                ck_assert_int_eq(sig, 99);
        }
        ck_assert_str_eq(signal_name(SIGTERM), "SIGTERM");
        ck_assert_str_eq(signal_name(SIGKILL), "SIGKILL");
        ck_assert_str_eq(signal_name(SIGCHLD), "SIGCHLD");
        ck_assert_ptr_null(signal_name(0));
        ck_assert_ptr_null(signal_name(200));
        /* Every name in the table round-trips. */
        for (int s = 1; s < 32; s++) {
                const char *n = signal_name(s);

                if (!n)
                        continue;
                ck_assert_int_eq(parse_signal(n, &sig), 0);
                ck_assert_int_eq(sig, s);
        }
}
END_TEST

START_TEST(test_parse_numbers)
{
        unsigned long long u = 5;
        double d = 5;

        ck_assert_int_eq(parse_uint("0", 10, &u), 0);
        ck_assert_uint_eq(u, 0);
        ck_assert_int_eq(parse_uint("10", 10, &u), 0);
        ck_assert_uint_eq(u, 10);
        ck_assert_int_eq(parse_uint("18446744073709551615", ULLONG_MAX, &u), 0);
        ck_assert(u == ULLONG_MAX);
        u = 5;
        ck_assert_int_eq(parse_uint("11", 10, &u), -ERANGE);
        ck_assert_int_eq(parse_uint("18446744073709551616", ULLONG_MAX, &u), -ERANGE);
        ck_assert_int_eq(parse_uint("-1", ULLONG_MAX, &u), -EINVAL);
        ck_assert_int_eq(parse_uint(" 1", 10, &u), -EINVAL);
        ck_assert_int_eq(parse_uint("+1", 10, &u), -EINVAL);
        ck_assert_int_eq(parse_uint("1x", 10, &u), -EINVAL);
        ck_assert_int_eq(parse_uint("", 10, &u), -EINVAL);
        ck_assert_uint_eq(u, 5);

        ck_assert_int_eq(parse_double("0.5", &d), 0);
        ck_assert(d == 0.5);
        ck_assert_int_eq(parse_double("2", &d), 0);
        ck_assert(d == 2.0);
        ck_assert_int_eq(parse_double("1.", &d), 0);
        ck_assert(d == 1.0);
        ck_assert_int_eq(parse_double(".25", &d), 0);
        ck_assert(d == 0.25);
        d = 5;
        /* plain decimal only: no exponent, sign, hex, inf or nan */
        ck_assert_int_eq(parse_double("1e3", &d), -EINVAL);
        ck_assert_int_eq(parse_double("1E3", &d), -EINVAL);
        ck_assert_int_eq(parse_double("5e-1", &d), -EINVAL);
        ck_assert_int_eq(parse_double("+1", &d), -EINVAL);
        ck_assert_int_eq(parse_double("-1", &d), -EINVAL);
        ck_assert_int_eq(parse_double("1-", &d), -EINVAL);
        ck_assert_int_eq(parse_double(".", &d), -EINVAL);
        ck_assert_int_eq(parse_double("1.2.3", &d), -EINVAL);
        ck_assert_int_eq(parse_double("1,5", &d), -EINVAL);
        ck_assert_int_eq(parse_double("INF", &d), -EINVAL);
        ck_assert_int_eq(parse_double("infinity", &d), -EINVAL);
        ck_assert_int_eq(parse_double("0x1p3", &d), -EINVAL);
        ck_assert_int_eq(parse_double("nan", &d), -EINVAL);
        ck_assert_int_eq(parse_double("inf", &d), -EINVAL);
        ck_assert_int_eq(parse_double("0x10", &d), -EINVAL);
        ck_assert_int_eq(parse_double("1.5x", &d), -EINVAL);
        ck_assert_int_eq(parse_double(" 1", &d), -EINVAL);
        ck_assert_int_eq(parse_double("", &d), -EINVAL);
        ck_assert_int_eq(parse_double("1e999", &d), -EINVAL);
        ck_assert_int_eq(parse_double(NULL, &d), -EINVAL);
        ck_assert(d == 5);
}
END_TEST

START_TEST(test_strv)
{
        _cleanup_(strv_freep) char **v = NULL;
        _cleanup_(strv_freep) char **c = NULL;

        ck_assert_uint_eq(strv_length(NULL), 0);
        ck_assert_int_eq(strv_push(&v, "a"), 0);
        ck_assert_int_eq(strv_push(&v, "bc"), 0);
        ck_assert_int_eq(strv_push(&v, ""), 0);
        ck_assert_uint_eq(strv_length(v), 3);
        ck_assert_str_eq(v[1], "bc");
        ck_assert_ptr_null(v[3]);
        c = strv_copy(v);
        ck_assert_ptr_nonnull(c);
        ck_assert_uint_eq(strv_length(c), 3);
        ck_assert_ptr_ne(c[0], v[0]);
        ck_assert_str_eq(c[2], "");
        strv_free(NULL);
}
END_TEST

START_TEST(test_str_distance)
{
        ck_assert_uint_eq(str_distance("", ""), 0);
        ck_assert_uint_eq(str_distance("abc", ""), 3);
        ck_assert_uint_eq(str_distance("", "abc"), 3);
        ck_assert_uint_eq(str_distance("command", "command"), 0);
        ck_assert_uint_eq(str_distance("comand", "command"), 1);
        ck_assert_uint_eq(str_distance("kitten", "sitting"), 3);
        ck_assert_uint_eq(str_distance("restrat", "restart"), 2);
        ck_assert_uint_eq(str_distance("flaw", "lawn"), 2);
}
END_TEST

START_TEST(test_path_join)
{
        char *p;

        ck_assert_str_eq(p = path_join("/etc/svd", "services"), "/etc/svd/services");
        free(p);
        ck_assert_str_eq(p = path_join("/etc/svd/", "services"), "/etc/svd/services");
        free(p);
        ck_assert_str_eq(p = path_join("/etc/svd", "/abs"), "/abs");
        free(p);
        ck_assert_str_eq(p = path_join("/", "x"), "/x");
        free(p);
        ck_assert_str_eq(p = path_join(NULL, "rel"), "rel");
        free(p);
        ck_assert_str_eq(p = strdup_printf("%s-%d", "a", 7), "a-7");
        free(p);
}
END_TEST

START_TEST(test_path_lexical)
{
        static const char *const cases[][2] = {
                { "/", "/" },           { "//", "/" },           { "/a/b", "/a/b" },   { "/a//b/", "/a/b" },
                { "/a/./b", "/a/b" },   { "/a/../b", "/b" },     { "/..", "/" },       { "/../../x", "/x" },
                { "/tmp/t/etc/../run", "/tmp/t/run" },           { "/tmp/../run/svd", "/run/svd" },
                { "/a/b/..", "/a" },    { "/a/..b/c", "/a/..b/c" }, { "/.x/.", "/.x" },
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char *p = path_lexical(cases[i][0]);
                ck_assert_ptr_nonnull(p);
                ck_assert_str_eq(p, cases[i][1]);
                free(p);
        }
        ck_assert_ptr_null(path_lexical("rel/x"));
        ck_assert(path_below("/tmp/x", "/tmp"));
        ck_assert(path_below("/tmp/x", "/tmp/"));
        ck_assert(!path_below("/tmp", "/tmp"));
        ck_assert(!path_below("/tmpx/y", "/tmp"));
        ck_assert(path_below("/x", "/"));
        ck_assert(!path_below("/", "/"));
}
END_TEST

START_TEST(test_fs_helpers)
{
        char tmpl[] = "/tmp/check_util.XXXXXX";
        char *dir = mkdtemp(tmpl), *deep, *file;
        struct stat st;
        int fd, fl;

        ck_assert_ptr_nonnull(dir);
        deep = strdup_printf("%s/a/b//c", dir);
        ck_assert_int_eq(mkdir_p(deep, 0755), 0);
        ck_assert_int_eq(mkdir_p(deep, 0755), 0); /* idempotent */
        ck_assert_int_eq(stat(deep, &st), 0);
        ck_assert(S_ISDIR(st.st_mode));
        file = strdup_printf("%s/f", dir);
        fd = open(file, O_CREAT | O_WRONLY, 0600);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(fd_nonblock_cloexec(fd), 0);
        fl = fcntl(fd, F_GETFL);
        ck_assert(fl & O_NONBLOCK);
        ck_assert(fcntl(fd, F_GETFD) & FD_CLOEXEC);
        close(fd);
        ck_assert_int_eq(fd_nonblock_cloexec(-1), -EBADF);
        ck_assert_int_eq(mkdir_p(file, 0755), -ENOTDIR);
        /* path_canonical: what realpath(3) says, through a symlink and .. */
        {
                char *link = strdup_printf("%s/a/l", dir), *via = strdup_printf("%s/a/l/..//c/", dir);
                char *want = realpath(deep, NULL), *got;

                ck_assert_int_eq(symlink(deep, link), 0);
                got = path_canonical(via);
                ck_assert_ptr_nonnull(got);
                ck_assert_ptr_nonnull(want);
                ck_assert_str_eq(got, want);
                free(got);
                errno = 0;
                ck_assert_ptr_null(path_canonical("/nonexistent/check_util"));
                ck_assert_int_eq(errno, ENOENT);
                ck_assert_int_eq(unlink(link), 0);
                free(want);
                free(via);
                free(link);
        }
        ck_assert_int_eq(unlink(file), 0);
        for (int i = 0; i < 3; i++) {
                static const char *const subs[] = { "a/b/c", "a/b", "a" };
                char *d = strdup_printf("%s/%s", dir, subs[i]);

                ck_assert_int_eq(rmdir(d), 0);
                free(d);
        }
        ck_assert_int_eq(rmdir(dir), 0);
        free(deep);
        free(file);
}
END_TEST

START_TEST(test_clocks)
{
        usec_t a = now_mono(), b = now_mono();

        ck_assert(a > 0);
        ck_assert(b >= a);
        /* After 2017 and before 2100, in microseconds. */
        ck_assert(now_real() > 1500000000ULL * USEC_PER_SEC);
        ck_assert(now_real() < 4102444800ULL * USEC_PER_SEC);
}
END_TEST

START_TEST(test_str_set)
{
        char *s = str_empty, long_text[200];

        str_set(&s, "");
        ck_assert_ptr_eq(s, str_empty); /* empty costs no allocation */
        str_set(&s, "HTTP 200 in 2.1ms");
        ck_assert_str_eq(s, "HTTP 200 in 2.1ms");
        char *first = s;
        /* a probe's detail changes at every probe: same buffer (glibc's
         * chunks have room to spare; ASan's are exactly the size asked) */
        str_set(&s, "HTTP 200 in 12.3ms");
        ck_assert_str_eq(s, "HTTP 200 in 12.3ms");
#ifndef __SANITIZE_ADDRESS__
        ck_assert_ptr_eq(s, first);
#endif
        str_set(&s, "HTTP 200 in 1.5ms");
        ck_assert_str_eq(s, "HTTP 200 in 1.5ms");
#ifndef __SANITIZE_ADDRESS__
        ck_assert_ptr_eq(s, first);
#endif
        (void)first;
        /* a text too long for the buffer moves */
        memset(long_text, 'x', sizeof(long_text) - 1);
        long_text[sizeof(long_text) - 1] = 0;
        str_set(&s, long_text);
        ck_assert_str_eq(s, long_text);
        char *big = s;
        /* and a short text does not pin the long one's size */
        str_set(&s, "ok");
        ck_assert_str_eq(s, "ok");
        ck_assert_ptr_ne(s, big);
        /* the same text again: nothing changes */
        char *ok = s;
        str_set(&s, "ok");
        ck_assert_ptr_eq(s, ok);
        /* longer than STR_SHORT_MAX - 1: cut there */
        char huge[STR_SHORT_MAX + 50];
        memset(huge, 'y', sizeof(huge) - 1);
        huge[sizeof(huge) - 1] = 0;
        str_set(&s, huge);
        ck_assert_uint_eq(strlen(s), STR_SHORT_MAX - 1);
        str_clear(&s);
        ck_assert_ptr_eq(s, str_empty);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("util");
        TCase *tc = tcase_create("core");

        tcase_add_test(tc, test_parse_duration_ok);
        tcase_add_test(tc, test_parse_duration_bad);
        tcase_add_test(tc, test_format_duration);
        tcase_add_test(tc, test_parse_size);
        tcase_add_test(tc, test_format_size);
        tcase_add_test(tc, test_parse_signal);
        tcase_add_test(tc, test_parse_numbers);
        tcase_add_test(tc, test_strv);
        tcase_add_test(tc, test_str_distance);
        tcase_add_test(tc, test_path_join);
        tcase_add_test(tc, test_path_lexical);
        tcase_add_test(tc, test_fs_helpers);
        tcase_add_test(tc, test_clocks);
        tcase_add_test(tc, test_str_set);
        suite_add_tcase(s, tc);
        return check_run(s);
}

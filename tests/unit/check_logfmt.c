/* The log format's pure parts: line splitting (partial lines, max_line
 * pieces), timestamps, rotated names and their order, retention selection. */
#include <check.h>

#include "check_run.h"
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "logfmt.h"

START_TEST(test_split)
{
        size_t l, c;
        enum logfmt_split cont;
        const char *b = "abc\ndef";
        ck_assert_int_eq(logfmt_next_line(b, 7, 100, false, &l, &c, &cont), 1);
        ck_assert_uint_eq(l, 3);
        ck_assert_uint_eq(c, 4);
        ck_assert_int_eq(cont, LOGFMT_WHOLE);
        /* "def" is partial: not a record unless flushed */
        ck_assert_int_eq(logfmt_next_line(b + 4, 3, 100, false, &l, &c, &cont), 0);
        ck_assert_int_eq(logfmt_next_line(b + 4, 3, 100, true, &l, &c, &cont), 1);
        ck_assert_uint_eq(l, 3);
        ck_assert_uint_eq(c, 3);
        ck_assert_int_eq(cont, LOGFMT_PARTIAL); /* flushed without its newline: marked */
        ck_assert_int_eq(logfmt_next_line(b, 0, 100, true, &l, &c, &cont), 0);
        /* max_line: a 10-byte line with max 4 -> 4 (cont), 4 (cont), 2 */
        const char *lng = "0123456789\n";
        ck_assert_int_eq(logfmt_next_line(lng, 11, 4, false, &l, &c, &cont), 1);
        ck_assert_uint_eq(l, 4);
        ck_assert_uint_eq(c, 4);
        ck_assert_int_eq(cont, LOGFMT_CONT);
        ck_assert_int_eq(logfmt_next_line(lng + 8, 3, 4, false, &l, &c, &cont), 1);
        ck_assert_uint_eq(l, 2);
        ck_assert_int_eq(cont, LOGFMT_WHOLE);
        /* exactly max_line bytes then newline: one record, not split */
        ck_assert_int_eq(logfmt_next_line("0123\n", 5, 4, false, &l, &c, &cont), 1);
        ck_assert_uint_eq(l, 4);
        ck_assert_uint_eq(c, 5);
        ck_assert_int_eq(cont, LOGFMT_WHOLE);
        /* a partial line already longer than max_line is cut without flush */
        ck_assert_int_eq(logfmt_next_line("012345", 6, 4, false, &l, &c, &cont), 1);
        ck_assert_int_eq(cont, LOGFMT_CONT);
        /* NUL bytes are ordinary bytes */
        ck_assert_int_eq(logfmt_next_line("a\0b\n", 4, 100, false, &l, &c, &cont), 1);
        ck_assert_uint_eq(l, 3);
        ck_assert_str_eq(logfmt_split_mark(LOGFMT_WHOLE), "");
        ck_assert_str_eq(logfmt_split_mark(LOGFMT_CONT), "+");
        ck_assert_str_eq(logfmt_split_mark(LOGFMT_PARTIAL), "~");
        ck_assert_ptr_null(logfmt_split_json(LOGFMT_WHOLE));
        ck_assert_str_eq(logfmt_split_json(LOGFMT_PARTIAL), "partial");
}
END_TEST

/* The run of whole lines svd writes without looking at each line: it stops
 * before a partial line and before any line longer than max_line, and agrees
 * with logfmt_next_line() on every split of a mixed buffer. */
START_TEST(test_whole_lines)
{
        ck_assert_uint_eq(logfmt_whole_lines("", 0, 4), 0);
        ck_assert_uint_eq(logfmt_whole_lines("ab\ncd", 5, 4), 3);
        ck_assert_uint_eq(logfmt_whole_lines("ab\ncd\n", 6, 4), 6);
        ck_assert_uint_eq(logfmt_whole_lines("0123\n", 5, 4), 5);  /* exactly max_line */
        ck_assert_uint_eq(logfmt_whole_lines("01234\n", 6, 4), 0); /* one byte over */
        ck_assert_uint_eq(logfmt_whole_lines("a\n01234\nb\n", 10, 4), 2);
        ck_assert_uint_eq(logfmt_whole_lines("abc", 3, 4), 0);
        /* random buffers: the run ends where next_line first finds a record
         * that is not a whole line, or where it runs out of lines */
        srand(6);
        for (int iter = 0; iter < 2000; iter++) {
                char b[300];
                size_t len = (size_t)(rand() % (int)sizeof(b)), max = 1 + (size_t)(rand() % 40);
                for (size_t i = 0; i < len; i++)
                        b[i] = rand() % 9 == 0 ? '\n' : 'x';
                size_t want = 0, l, c;
                enum logfmt_split sp;
                while (logfmt_next_line(b + want, len - want, max, false, &l, &c, &sp) && sp == LOGFMT_WHOLE)
                        want += c;
                ck_assert_uint_eq(logfmt_whole_lines(b, len, max), want);
        }
}
END_TEST

START_TEST(test_time)
{
        char buf[LOGFMT_TIME_LEN + 1];
        usec_t t = 1795307443123456ULL; /* 2026-11-22T00:30:43.123456Z */
        ck_assert_str_eq(logfmt_time(t, buf), "2026-11-22T00:30:43.123456Z");
        ck_assert_str_eq(logfmt_time(t + 1, buf), "2026-11-22T00:30:43.123457Z");
        ck_assert_str_eq(logfmt_time(0, buf), "1970-01-01T00:00:00.000000Z");
        usec_t back;
        ck_assert_int_eq(logfmt_parse_time("2026-11-22T00:30:43.123456Z", LOGFMT_TIME_LEN, &back), 0);
        ck_assert_uint_eq(back, t);
        ck_assert_int_lt(logfmt_parse_time("2026-11-22 00:30:43.123456Z", LOGFMT_TIME_LEN, &back), 0);
        ck_assert_int_eq(logfmt_parse_since("2026-11-22T00:30", 0, &back), 0);
        ck_assert_uint_eq(back, t - 43123456);
        ck_assert_int_eq(logfmt_parse_since("2026-11-22 00:30:43Z", 0, &back), 0);
        ck_assert_uint_eq(back, t - 123456);
        ck_assert_int_eq(logfmt_parse_since("@10.5", 0, &back), 0);
        ck_assert_uint_eq(back, 10500000);
        ck_assert_int_eq(logfmt_parse_since("5m", 600 * USEC_PER_SEC, &back), 0);
        ck_assert_uint_eq(back, 300 * USEC_PER_SEC);
        ck_assert_int_lt(logfmt_parse_since("yesterday", 0, &back), 0);

        struct logfmt_rec r;
        const char *part = "2026-11-22T00:30:43.123456Z out~ Password: ";
        ck_assert_int_eq(logfmt_parse_line(part, strlen(part), &r), 0);
        ck_assert_int_eq(r.split, LOGFMT_PARTIAL);
        ck_assert_uint_eq(r.text_len, 10);
        const char *line = "2026-11-22T00:30:43.123456Z err+ hello";
        ck_assert_int_eq(logfmt_parse_line(line, strlen(line), &r), 0);
        ck_assert_uint_eq(r.time, t);
        ck_assert_int_eq(r.stream, LOGFMT_ERR);
        ck_assert_int_eq(r.split, LOGFMT_CONT);
        ck_assert_uint_eq(r.text_len, 5);
        ck_assert(memcmp(r.text, "hello", 5) == 0);
        ck_assert_int_lt(logfmt_parse_line("plain text", 10, &r), 0);
}
END_TEST

/* logfmt_utc against glibc's gmtime_r: every day boundary of 1969-2101
 * (leap years, 2000 and 2100 included), a second before and after, and a
 * spread of times in 1600-2400 and before 1970. */
static void utc_same(int64_t t)
{
        struct tm a, b;
        time_t tt = (time_t)t;
        /* No ck_assert per call: each one records its location with the
         * runner (a write), and 345000 of them outran the test's timeout
         * on a loaded machine. */
        if (!gmtime_r(&tt, &a))
                ck_abort_msg("gmtime_r(%lld) failed", (long long)t);
        logfmt_utc(t, &b);
        if (!(a.tm_year == b.tm_year && a.tm_mon == b.tm_mon && a.tm_mday == b.tm_mday &&
              a.tm_hour == b.tm_hour && a.tm_min == b.tm_min && a.tm_sec == b.tm_sec &&
              a.tm_wday == b.tm_wday && a.tm_yday == b.tm_yday))
                ck_abort_msg("t=%lld: gmtime_r %d-%d-%d %d:%d:%d wday %d yday %d, logfmt_utc %d-%d-%d "
                             "%d:%d:%d wday %d yday %d",
                             (long long)t, a.tm_year, a.tm_mon, a.tm_mday, a.tm_hour, a.tm_min, a.tm_sec,
                             a.tm_wday, a.tm_yday, b.tm_year, b.tm_mon, b.tm_mday, b.tm_hour, b.tm_min,
                             b.tm_sec, b.tm_wday, b.tm_yday);
}

START_TEST(test_utc)
{
        for (int64_t d = -366; d < 48580; d++) /* 1969 .. 2102 */
                for (int64_t off = -1; off <= 1; off++)
                        utc_same(d * 86400 + off);
        uint64_t x = 0x9e3779b97f4a7c15ull;
        for (int i = 0; i < 200000; i++) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                utc_same((int64_t)(x % 25246080000ull) - 11676096000ll); /* 1600 .. 2400 */
        }
        char buf[LOGFMT_TIME_LEN + 1];
        ck_assert_str_eq(logfmt_time(951782400ull * USEC_PER_SEC + 7, buf), "2000-02-29T00:00:00.000007Z");
}
END_TEST

START_TEST(test_names)
{
        char a[128], b[128];
        usec_t t = 1795307443123456ULL, back;
        bool gz;
        ck_assert_str_eq(logfmt_rotated_name("web.log", t, a, sizeof(a)), "web.log.20261122T003043.123456Z");
        ck_assert(logfmt_rotated_match("web.log", a, &back, &gz));
        ck_assert_uint_eq(back, t);
        ck_assert(!gz);
        strcat(a, ".gz");
        ck_assert(logfmt_rotated_match("web.log", a, &back, &gz));
        ck_assert(gz);
        strcat(a, ".tmp");
        ck_assert(!logfmt_rotated_match("web.log", a, NULL, NULL));
        /* a compression's temporary file: exactly BASE.STAMP.gz.tmp, not
         * that of another log whose name starts with BASE */
        ck_assert(logfmt_rotated_tmp_match("web.log", a));
        ck_assert(!logfmt_rotated_tmp_match("web", a));
        ck_assert(!logfmt_rotated_tmp_match("web.lo", a));
        ck_assert(!logfmt_rotated_tmp_match("web.log", "web.log.x.log.20261122T003043.123456Z.gz.tmp"));
        ck_assert(logfmt_rotated_tmp_match("web.log.x.log", "web.log.x.log.20261122T003043.123456Z.gz.tmp"));
        ck_assert(!logfmt_rotated_tmp_match("web.log", "web.log.gz.tmp"));
        ck_assert(!logfmt_rotated_tmp_match("web.log", "web.log.20261122T003043.123456Z.gz"));
        ck_assert(!logfmt_rotated_tmp_match("web.log", "web.log.20261122T003043.123456Z.tmp"));
        ck_assert(!logfmt_rotated_tmp_match("web.log", "web.log.20261122T003043.12345xZ.gz.tmp"));
        ck_assert(!logfmt_rotated_tmp_match("web.log", "web.log.20261122T003043.123456Z.gz.tmp.gz.tmp"));
        ck_assert(!logfmt_rotated_match("web.log", "web.log", NULL, NULL));
        /* which log's file a name can be, from its shape alone */
        ck_assert_uint_eq(logfmt_rotated_base_len("web.log.20261122T003043.123456Z"), 7);
        ck_assert_uint_eq(logfmt_rotated_base_len("web.log.20261122T003043.123456Z.gz"), 7);
        ck_assert_uint_eq(logfmt_rotated_base_len("web.log.20261122T003043.123456Z.gz.tmp"), 7);
        ck_assert_uint_eq(logfmt_rotated_base_len("web.log.x.log.20261122T003043.123456Z.gz.tmp"), 13);
        ck_assert_uint_eq(logfmt_rotated_base_len("w.20261122T003043.123456Z"), 1);
        ck_assert_uint_eq(logfmt_rotated_base_len(".20261122T003043.123456Z"), 0);
        ck_assert_uint_eq(logfmt_rotated_base_len("web.logX20261122T003043.123456Z"), 0);
        ck_assert_uint_eq(logfmt_rotated_base_len("web.log"), 0);
        ck_assert_uint_eq(logfmt_rotated_base_len("web.log.gz.tmp"), 0);
        ck_assert_uint_eq(logfmt_rotated_base_len(""), 0);
        ck_assert(!logfmt_rotated_match("web", "web.log.20261122T003043.123456Z", NULL, NULL));
        /* names sort as times do, across a second and a day boundary */
        logfmt_rotated_name("x", t + 876544, a, sizeof(a)); /* 00:30:44.000000 */
        logfmt_rotated_name("x", t + 876543, b, sizeof(b));
        ck_assert_int_lt(strcmp(b, a), 0);
        logfmt_rotated_name("x", t + 86400 * USEC_PER_SEC, b, sizeof(b));
        ck_assert_int_lt(strcmp(a, b), 0);
}
END_TEST

START_TEST(test_retention)
{
        struct logfmt_file f[5];
        for (int i = 0; i < 5; i++)
                f[i] = (struct logfmt_file){ .time = (usec_t)i, .size = 100 };
        ck_assert_uint_eq(logfmt_retention(f, 5, 3, 0, 50), 2);
        ck_assert(f[0].del && f[1].del && !f[2].del && !f[3].del && !f[4].del);
        for (int i = 0; i < 5; i++)
                f[i].del = false;
        /* max_total 350 with a current file of 50: keeps the 3 newest */
        ck_assert_uint_eq(logfmt_retention(f, 5, 10, 350, 50), 2);
        ck_assert(f[1].del && !f[2].del);
        for (int i = 0; i < 5; i++)
                f[i].del = false;
        ck_assert_uint_eq(logfmt_retention(f, 5, 0, 0, 0), 5); /* max_files 0 keeps none */

        /* global: two services, interleaved ages */
        struct logfmt_file g[4] = { { .time = 40, .size = 100, .owner = 0 },
                                    { .time = 10, .size = 100, .owner = 1 },
                                    { .time = 30, .size = 100, .owner = 1 },
                                    { .time = 20, .size = 100, .owner = 0 } };
        ck_assert_uint_eq(logfmt_retention_global(g, 4, 300, 100), 2);
        ck_assert(g[1].del && g[3].del && !g[0].del && !g[2].del);
        ck_assert_uint_eq(logfmt_retention_global(g, 4, 0, 100), 0); /* no limit */
}
END_TEST

/* svctl logs --since @EPOCH: a number no usec_t holds (NaN, infinity, past
 * 2^64 us) is refused, not cast (undefined: svctl then showed nothing). */
START_TEST(test_since_bounds)
{
        usec_t back = 42;
        ck_assert_int_lt(logfmt_parse_since("@nan", 0, &back), 0);
        ck_assert_int_lt(logfmt_parse_since("@inf", 0, &back), 0);
        ck_assert_int_lt(logfmt_parse_since("@1e20", 0, &back), 0);
        ck_assert_int_lt(logfmt_parse_since("@18446744073710", 0, &back), 0);
        ck_assert_uint_eq(back, 42); /* untouched on failure */
        ck_assert_int_eq(logfmt_parse_since("@18446744073709", 0, &back), 0); /* just under 2^64 us */
        ck_assert_int_eq(logfmt_parse_since("@10000000000000", 0, &back), 0);
        ck_assert_uint_eq(back, 10000000000000000000ULL);
        ck_assert_int_eq(logfmt_parse_since("@0", 0, &back), 0);
        ck_assert_uint_eq(back, 0);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("logfmt");
        TCase *tc = tcase_create("core");
        tcase_add_test(tc, test_split);
        tcase_add_test(tc, test_whole_lines);
        tcase_add_test(tc, test_time);
        tcase_add_test(tc, test_utc);
        tcase_add_test(tc, test_names);
        tcase_add_test(tc, test_retention);
        tcase_add_test(tc, test_since_bounds);
        suite_add_tcase(s, tc);
        return check_run(s);
}

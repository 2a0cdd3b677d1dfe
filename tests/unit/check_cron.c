/* Cron expressions and interval schedules with a fake clock: next_run is a
 * pure function of the spec and "now", so every case here is a fixed UTC
 * instant: month ends, Feb 29, day-of-month/day-of-week OR semantics, steps. */
#include <check.h>

#include "check_run.h"
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cron.h"
#include "timer.h"

/* "YYYY-MM-DD HH:MM" UTC -> epoch seconds */
static time_t at(const char *s)
{
        struct tm tm = { 0 };
        ck_assert_ptr_nonnull(strptime(s, "%Y-%m-%d %H:%M", &tm));
        return timegm(&tm);
}

static time_t next(const char *expr, const char *now)
{
        struct cron_spec c;
        char err[200];
        ck_assert_msg(cron_parse(expr, &c, err, sizeof(err)) == 0, "%s: %s", expr, err);
        return cron_next(&c, at(now));
}

#define NEXT_IS(expr, now, want) ck_assert_int_eq(next(expr, now), at(want))

START_TEST(test_basic)
{
        NEXT_IS("0 3 * * *", "2024-05-10 01:00", "2024-05-10 03:00");
        NEXT_IS("0 3 * * *", "2024-05-10 03:00", "2024-05-11 03:00"); /* strictly after */
        NEXT_IS("0 3 * * *", "2024-05-10 02:59", "2024-05-10 03:00");
        NEXT_IS("* * * * *", "2024-05-10 02:59", "2024-05-10 03:00");
        NEXT_IS("30 * * * *", "2024-12-31 23:45", "2025-01-01 00:30"); /* year wrap */
        NEXT_IS("@daily", "2024-05-10 01:00", "2024-05-11 00:00");
        NEXT_IS("@hourly", "2024-05-10 01:00", "2024-05-10 02:00");
        NEXT_IS("@weekly", "2024-05-10 01:00", "2024-05-12 00:00"); /* a Sunday */
        /* a second into the minute still counts as that minute */
        struct cron_spec c;
        char err[200];
        ck_assert_int_eq(cron_parse("0 3 * * *", &c, err, sizeof(err)), 0);
        ck_assert_int_eq(cron_next(&c, at("2024-05-10 03:00") + 1), at("2024-05-11 03:00"));
        ck_assert_int_eq(cron_next(&c, at("2024-05-10 02:59") + 59), at("2024-05-10 03:00"));
}
END_TEST

START_TEST(test_month_ends)
{
        NEXT_IS("0 0 31 * *", "2024-04-01 00:00", "2024-05-31 00:00"); /* April has 30 days */
        NEXT_IS("0 0 31 * *", "2024-05-31 00:00", "2024-07-31 00:00"); /* June too */
        NEXT_IS("0 0 30 * *", "2024-01-30 12:00", "2024-03-30 00:00"); /* February never */
        NEXT_IS("59 23 * * *", "2024-01-31 23:59", "2024-02-01 23:59");
        NEXT_IS("0 0 1 * *", "2024-12-15 00:00", "2025-01-01 00:00");
        NEXT_IS("0 12 28-31 2 *", "2023-02-28 13:00", "2024-02-28 12:00");
}
END_TEST

START_TEST(test_feb29)
{
        NEXT_IS("0 0 29 2 *", "2023-03-01 00:00", "2024-02-29 00:00");
        NEXT_IS("0 0 29 2 *", "2024-02-29 00:00", "2028-02-29 00:00");
        NEXT_IS("0 0 29 2 *", "2097-01-01 00:00", "2104-02-29 00:00"); /* 2100 is not a leap year */
        NEXT_IS("0 0 29 feb *", "2023-03-01 00:00", "2024-02-29 00:00");
        /* never: parse succeeds, next is -1 */
        struct cron_spec c;
        char err[200];
        ck_assert_int_eq(cron_parse("0 0 30 2 *", &c, err, sizeof(err)), 0);
        ck_assert_int_eq(cron_next(&c, at("2024-01-01 00:00")), -1);
}
END_TEST

START_TEST(test_dow_dom_or)
{
        /* 2024-05-10 is a Friday. Both restricted: either matches. */
        NEXT_IS("0 0 13 * 1", "2024-05-10 12:00", "2024-05-13 00:00"); /* Monday the 13th: both */
        NEXT_IS("0 0 15 * 6", "2024-05-10 12:00", "2024-05-11 00:00"); /* Saturday before the 15th */
        NEXT_IS("0 0 11 * 0", "2024-05-10 12:00", "2024-05-11 00:00"); /* the 11th before Sunday */
        /* Only one restricted: only that one counts. */
        NEXT_IS("0 0 * * 0", "2024-05-10 12:00", "2024-05-12 00:00");
        NEXT_IS("0 0 * * 7", "2024-05-10 12:00", "2024-05-12 00:00"); /* 7 = Sunday */
        NEXT_IS("0 0 * * sun", "2024-05-10 12:00", "2024-05-12 00:00");
        NEXT_IS("0 0 20 * *", "2024-05-10 12:00", "2024-05-20 00:00");
        /* a field starting with '*' turns OR into AND, but its step still
         * restricts: days 1,11,21,31 that are a Monday */
        NEXT_IS("0 0 */10 * 1", "2024-05-10 12:00", "2024-07-01 00:00");
        NEXT_IS("0 0 1 * mon-fri", "2024-05-10 12:00", "2024-05-13 00:00");
        NEXT_IS("0 0 * * 5-7", "2024-05-11 12:00", "2024-05-12 00:00"); /* sat..sun */
}
END_TEST

/* Vixie cron: a day field starting with '*' makes the day the AND of both
 * fields, each with its own values; a step after '*' is not "every day". */
START_TEST(test_star_step_days)
{
        NEXT_IS("0 0 */2 * *", "2024-05-10 12:00", "2024-05-11 00:00"); /* odd days */
        NEXT_IS("0 0 */2 * *", "2024-05-11 12:00", "2024-05-13 00:00");
        NEXT_IS("0 0 */2 * *", "2024-05-31 12:00", "2024-06-01 00:00"); /* 31, then 1 */
        NEXT_IS("0 0 * * */2", "2024-05-12 12:00", "2024-05-14 00:00"); /* Sun, Tue, Thu, Sat */
        NEXT_IS("0 0 */15 * */6", "2024-05-10 12:00", "2024-06-01 00:00"); /* 1,16,31 on Sun or Sat */
        /* such an AND can be years apart: still found, not "never" */
        NEXT_IS("0 0 */31 2 0", "2015-02-02 00:00", "2026-02-01 00:00"); /* Feb 1 a Sunday: 11 years */
        NEXT_IS("0 0 29 2 */7", "2088-03-01 00:00", "2128-02-29 00:00"); /* Feb 29 a Sunday: 40 years */
        /* one that can never match still ends */
        struct cron_spec c;
        char err[200];
        ck_assert_int_eq(cron_parse("0 0 31 4,6,9,11 *", &c, err, sizeof(err)), 0);
        ck_assert_int_eq(cron_next(&c, at("2024-01-01 00:00")), -1);
}
END_TEST

START_TEST(test_steps_lists_ranges)
{
        NEXT_IS("*/15 * * * *", "2024-05-10 10:07", "2024-05-10 10:15");
        NEXT_IS("*/15 * * * *", "2024-05-10 10:45", "2024-05-10 11:00");
        NEXT_IS("10-40/10 * * * *", "2024-05-10 10:35", "2024-05-10 10:40");
        NEXT_IS("10-40/10 * * * *", "2024-05-10 10:40", "2024-05-10 11:10");
        NEXT_IS("5/20 * * * *", "2024-05-10 10:46", "2024-05-10 11:05"); /* 5,25,45 */
        NEXT_IS("0 1,13 * * *", "2024-05-10 02:00", "2024-05-10 13:00");
        NEXT_IS("0 9-17/4 * * *", "2024-05-10 13:00", "2024-05-10 17:00"); /* 9,13,17 */
        NEXT_IS("0 0 1 jan,jul *", "2024-02-01 00:00", "2024-07-01 00:00");
        NEXT_IS("0 0 1 */6 *", "2024-02-01 00:00", "2024-07-01 00:00"); /* 1,7 */
}
END_TEST

START_TEST(test_parse_errors)
{
        static const char *const bad[] = { "", "* * * *", "* * * * * *", "60 * * * *", "* 24 * * *", "* * 0 * *",
                                           "* * 32 * *", "* * * 13 *", "* * * * 8", "5-1 * * * *", "*/0 * * * *",
                                           "a * * * *", "1,,2 * * * *", "@sometimes", "1- * * * *" };
        struct cron_spec c;
        char err[200];
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                err[0] = 0;
                ck_assert_msg(cron_parse(bad[i], &c, err, sizeof(err)) < 0, "'%s' accepted", bad[i]);
                ck_assert_msg(err[0], "no message for '%s'", bad[i]);
        }
        ck_assert_int_lt(cron_parse("60 * * * *", &c, err, sizeof(err)), 0);
        ck_assert_str_eq(err, "minute: value out of range 0-59 in '60'");
}
END_TEST

/* Whitespace around an expression and between its fields is any space: a
 * YAML block scalar (`cron: |`) ends in a newline, a quoted one may keep a
 * space after a macro. Each used to be an error naming a field with a stray
 * newline in it ("day-of-week: cannot parse '*\n'", "unknown macro
 * '@daily '"). */
START_TEST(test_whitespace)
{
        NEXT_IS("0 3 * * *\n", "2024-05-10 01:00", "2024-05-10 03:00");
        NEXT_IS("  0\t3\n* *  *\r\n", "2024-05-10 01:00", "2024-05-10 03:00");
        NEXT_IS("@daily\n", "2024-05-10 01:00", "2024-05-11 00:00");
        NEXT_IS(" @hourly ", "2024-05-10 01:00", "2024-05-10 02:00");
        struct cron_spec c;
        char err[200];
        ck_assert_int_lt(cron_parse("@daily x", &c, err, sizeof(err)), 0);
        ck_assert_int_lt(cron_parse(" \n ", &c, err, sizeof(err)), 0);
        ck_assert_str_eq(err, "expected 5 fields (minute hour day-of-month month day-of-week), got none");
        /* @reboot is what a job without schedule: does: the message says so */
        ck_assert_int_lt(cron_parse("@reboot", &c, err, sizeof(err)), 0);
        ck_assert_msg(strstr(err, "without schedule:"), "%s", err);
}
END_TEST

START_TEST(test_every_and_cron_due)
{
        struct schedule_config every = { .set = true, .every = 2 * USEC_PER_SEC };
        ck_assert_uint_eq(timer_due_after(&every, 1000 * USEC_PER_SEC), 1002 * USEC_PER_SEC);
        ck_assert_uint_eq(timer_due_after(&every, 1000 * USEC_PER_SEC + 5), 1002 * USEC_PER_SEC + 5);
        /* the longest interval a duration takes: past the end of time is
         * never, not a sum wrapped into the past (a job firing in a loop) */
        struct schedule_config huge = { .set = true, .every = USEC_INFINITY - 1 };
        ck_assert_uint_eq(timer_due_after(&huge, 1000 * USEC_PER_SEC), USEC_INFINITY);
        huge.every = USEC_INFINITY - 1000 * USEC_PER_SEC;
        ck_assert_uint_eq(timer_due_after(&huge, 1000 * USEC_PER_SEC), USEC_INFINITY);
        ck_assert_uint_eq(timer_due_after(&huge, 999 * USEC_PER_SEC), USEC_INFINITY - 1 * USEC_PER_SEC);
        struct schedule_config cron = { .set = true };
        char err[200];
        ck_assert_int_eq(cron_parse("0 3 * * *", &cron.cron, err, sizeof(err)), 0);
        usec_t t = (usec_t)at("2024-05-10 03:00") * USEC_PER_SEC + 500000; /* 03:00:00.5 */
        ck_assert_uint_eq(timer_due_after(&cron, t), (usec_t)at("2024-05-11 03:00") * USEC_PER_SEC);
        ck_assert_int_eq(cron_parse("0 0 30 2 *", &cron.cron, err, sizeof(err)), 0);
        ck_assert_uint_eq(timer_due_after(&cron, t), USEC_INFINITY);
}
END_TEST

START_TEST(test_stamp)
{
        usec_t last, dur;
        char res[64];
        ck_assert_int_eq(timer_stamp_parse("1700000000\n", &last, res, sizeof(res), &dur), 0);
        ck_assert_uint_eq(last, 1700000000 * USEC_PER_SEC);
        ck_assert_str_eq(res, "");
        ck_assert_int_eq(timer_stamp_parse("1700000000.25\nsuccess\n1500\n", &last, res, sizeof(res), &dur), 0);
        ck_assert_uint_eq(last, 1700000000 * USEC_PER_SEC + 250000);
        ck_assert_str_eq(res, "success");
        ck_assert_uint_eq(dur, 1500);
        ck_assert_int_lt(timer_stamp_parse("yesterday\n", &last, res, sizeof(res), &dur), 0);
        ck_assert_int_lt(timer_stamp_parse("17x\n", &last, res, sizeof(res), &dur), 0);
}
END_TEST

/* The shortest and longest time between runs, as far as a random delay of
 * up to a day cares: within a day, across midnight, and across days
 * without a run (counted as CRON_GAP_LONG). */
static void gaps(const char *expr, time_t lo, time_t hi)
{
        struct cron_spec c;
        char err[200];
        time_t a = -1, b = -1;
        ck_assert_msg(cron_parse(expr, &c, err, sizeof(err)) == 0, "%s: %s", expr, err);
        cron_gaps(&c, &a, &b);
        ck_assert_msg(a == lo && b == hi, "%s: gaps %lld..%lld, want %lld..%lld", expr, (long long)a,
                      (long long)b, (long long)lo, (long long)hi);
}

START_TEST(test_gaps)
{
        gaps("* * * * *", 60, 60);
        gaps("*/15 * * * *", 900, 900);
        gaps("0 3 * * *", 86400, 86400);
        gaps("@hourly", 3600, 3600);
        gaps("0 9-17 * * *", 3600, 16 * 3600);          /* 17:00 to 09:00 */
        gaps("0,50 * * * *", 600, 3000);
        gaps("30 23 * * *", 86400, 86400);
        gaps("0 0,23 * * *", 3600, 23 * 3600);
        gaps("0 3 * * 1-5", 86400, CRON_GAP_LONG);     /* the weekend between */
        gaps("0 3 * * 1", CRON_GAP_LONG, CRON_GAP_LONG);
        gaps("@monthly", CRON_GAP_LONG, CRON_GAP_LONG);
        gaps("0 3 1-31 * *", 86400, 86400);              /* every day, not by the star */
        gaps("0 3 */2 * *", 86400, CRON_GAP_LONG);      /* 31 -> 1 */
        gaps("0 0 29 2 *", CRON_GAP_LONG, CRON_GAP_LONG);
        gaps("* * 29 2 *", 60, CRON_GAP_LONG);
        gaps("0 12 28 2 *", CRON_GAP_LONG, CRON_GAP_LONG);
        gaps("0 12 28,29 2 *", 86400, CRON_GAP_LONG);
        gaps("0 12 28,1 2,3 *", 86400, CRON_GAP_LONG);   /* Feb 28 -> Mar 1 in a common year */
}
END_TEST

int main(void)
{
        Suite *s = suite_create("cron");
        TCase *tc = tcase_create("cron");
        tcase_add_test(tc, test_basic);
        tcase_add_test(tc, test_month_ends);
        tcase_add_test(tc, test_feb29);
        tcase_add_test(tc, test_dow_dom_or);
        tcase_add_test(tc, test_star_step_days);
        tcase_add_test(tc, test_steps_lists_ranges);
        tcase_add_test(tc, test_parse_errors);
        tcase_add_test(tc, test_whitespace);
        tcase_add_test(tc, test_every_and_cron_due);
        tcase_add_test(tc, test_stamp);
        tcase_add_test(tc, test_gaps);
        suite_add_tcase(s, tc);
        return check_run(s);
}

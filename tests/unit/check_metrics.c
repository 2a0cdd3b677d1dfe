/* metrics_format_value: sample values as the exposition prints them, the
 * shortest text that reads back as the same double (they were printed with
 * %.17g: 7.1358490000000003 for 7.135849 s of CPU), integers in digits. */
#include <check.h>

#include "check_run.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"

static void is(double v, const char *want) {
        char buf[METRICS_VALUE_MAX];
        const char *got = metrics_format_value(v, buf);
        ck_assert_ptr_eq(got, buf);
        ck_assert_msg(strcmp(got, want) == 0, "%.17g: got \"%s\", want \"%s\"", v, got, want);
}

START_TEST(test_shortest) {
        is(7135849 / 1e6, "7.135849"); /* svd_service_cpu_seconds_total */
        is(0.1, "0.1");
        is(2.5, "2.5");
        is(0.1 + 0.2, "0.30000000000000004"); /* needs 17 digits */
        is(1.0 / 3, "0.3333333333333333");    /* 16 */
        is(1e300, "1e+300");
        is(-0.001, "-0.001");
        is(5e-324, "4.94065645841247e-324"); /* the smallest double: 15 digits read back */
}
END_TEST

START_TEST(test_integers) {
        is(0, "0");
        is(-0.0, "0");
        is(1, "1");
        is(1048576, "1048576");
        is(1e15, "1000000000000000");
        is(1e16, "10000000000000000"); /* not 1e+16 */
        is(9007199254740993.0, "9007199254740992");
        is(-42, "-42");
        is(9223372036854774784.0, "9223372036854774784"); /* the last double below 2^63 */
        is(9223372036854775808.0, "9.223372036854776e+18"); /* 2^63: no longer in digits */
}
END_TEST

START_TEST(test_special) {
        is(NAN, "NaN");
        is(INFINITY, "+Inf");
        is(-INFINITY, "-Inf");
}
END_TEST

static int integral(double v) {
        return v > -9223372036854775808.0 && v < 9223372036854775808.0 && v == (double)(long long)v;
}

/* Any double: what is printed reads back as that double, and is never
 * longer than %.17g's text. */
START_TEST(test_round_trip) {
        char buf[METRICS_VALUE_MAX], full[64];
        unsigned long long x = 0x9e3779b97f4a7c15ULL;
        for (int i = 0; i < 200000; i++) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                double v;
                if (i % 2) {
                        memcpy(&v, &x, sizeof(v));
                        if (!isfinite(v))
                                continue;
                } else
                        v = (double)(x % 100000000000ULL) / 1e6; /* usec as seconds */
                const char *s = metrics_format_value(v, buf);
                ck_assert_msg(strtod(s, NULL) == v, "%.17g printed as %s", v, s);
                snprintf(full, sizeof(full), "%.17g", v);
                ck_assert_msg(strlen(s) <= strlen(full) || integral(v), "%s longer than %s", s, full);
        }
}
END_TEST

static Suite *suite(void) {
        Suite *s = suite_create("metrics");
        TCase *tc = tcase_create("format");
        /* test_round_trip's 200,000 values take about 2 s of CPU under
         * ASan+UBSan: on a loaded 2-core machine more than Check's default
         * 4 s of wall time */
        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, test_shortest);
        tcase_add_test(tc, test_integers);
        tcase_add_test(tc, test_special);
        tcase_add_test(tc, test_round_trip);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) { return check_run(suite()); }

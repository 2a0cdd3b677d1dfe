/* Backoff arithmetic, restart policy decisions and the start-limit window. */
#include <check.h>

#include "check_run.h"
#include <stdlib.h>

#include "backoff.h"

static const struct backoff_config b = {
        .initial = 1 * USEC_PER_SEC, .max = 60 * USEC_PER_SEC, .factor = 2.0, .reset_after = 300 * USEC_PER_SEC};

START_TEST(test_delays) {
        ck_assert_uint_eq(backoff_delay(&b, 0), USEC_PER_SEC);
        ck_assert_uint_eq(backoff_delay(&b, 1), USEC_PER_SEC);
        ck_assert_uint_eq(backoff_delay(&b, 2), 2 * USEC_PER_SEC);
        ck_assert_uint_eq(backoff_delay(&b, 3), 4 * USEC_PER_SEC);
        ck_assert_uint_eq(backoff_delay(&b, 6), 32 * USEC_PER_SEC);
        ck_assert_uint_eq(backoff_delay(&b, 7), 60 * USEC_PER_SEC); /* capped */
        ck_assert_uint_eq(backoff_delay(&b, 1000), 60 * USEC_PER_SEC); /* no overflow */
        struct backoff_config f = {.initial = 100 * USEC_PER_MSEC, .max = USEC_PER_SEC, .factor = 1.5};
        ck_assert_uint_eq(backoff_delay(&f, 2), 150 * USEC_PER_MSEC);
        struct backoff_config one = {.initial = 500 * USEC_PER_MSEC, .max = 10 * USEC_PER_SEC, .factor = 1.0};
        ck_assert_uint_eq(backoff_delay(&one, 50), 500 * USEC_PER_MSEC); /* factor 1: fixed */
        struct backoff_config inv = {.initial = 5 * USEC_PER_SEC, .max = USEC_PER_SEC, .factor = 2.0};
        ck_assert_uint_eq(backoff_delay(&inv, 1), USEC_PER_SEC);
        struct backoff_config zero = {.initial = 0, .max = 10 * USEC_PER_SEC, .factor = 2.0};
        ck_assert_uint_eq(backoff_delay(&zero, 4000000000u), 0); /* at once, without 4e9 steps */
}
END_TEST

/* A factor just above 1 (the config allows any 1.0..100) grows so slowly
 * that a multiplication per attempt would take billions of steps for a
 * service in a long crash loop: e^4 s after 4e9 attempts, computed at once. */
START_TEST(test_slow_factor) {
        struct backoff_config slow = {.initial = USEC_PER_SEC, .max = 60 * USEC_PER_SEC, .factor = 1.000000001};
        usec_t d = backoff_delay(&slow, 4000000001u);
        ck_assert_msg(d > 54597 * USEC_PER_MSEC && d < 54600 * USEC_PER_MSEC, "delay %llu", (unsigned long long)d);
        /* bounds: 1d at most, factor 100, every attempt up to the last */
        struct backoff_config big = {.initial = 1, .max = 86400 * USEC_PER_SEC, .factor = 100.0};
        ck_assert_uint_eq(backoff_delay(&big, 2), 100);
        ck_assert_uint_eq(backoff_delay(&big, 6), 10000000000ull);
        ck_assert_uint_eq(backoff_delay(&big, 7), 86400 * USEC_PER_SEC);
        ck_assert_uint_eq(backoff_delay(&big, 4294967295u), 86400 * USEC_PER_SEC);
        struct backoff_config day = {.initial = 86400 * USEC_PER_SEC, .max = 86400 * USEC_PER_SEC, .factor = 100.0};
        ck_assert_uint_eq(backoff_delay(&day, 4294967295u), 86400 * USEC_PER_SEC);
}
END_TEST

START_TEST(test_policy) {
        ck_assert(!restart_wanted(RESTART_NO, false, false));
        ck_assert(restart_wanted(RESTART_ON_FAILURE, false, false));
        ck_assert(!restart_wanted(RESTART_ON_FAILURE, true, false));
        ck_assert(restart_wanted(RESTART_ALWAYS, true, false));
        ck_assert(restart_wanted(RESTART_UNLESS_STOPPED, false, false));
        for (int p = 0; p < _RESTART_MAX; p++)
                ck_assert(!restart_wanted(p, false, true)); /* a requested stop never restarts */
}
END_TEST

START_TEST(test_start_limit) {
        struct start_limit_config l = {.burst = 3, .interval = 10 * USEC_PER_SEC};
        struct start_history h = {0};
        start_history_reset(&h);
        usec_t t = 1000 * USEC_PER_SEC;
        ck_assert(!start_limit_hit(&h, &l, t));
        start_history_add(&h, t, l.burst);
        start_history_add(&h, t + USEC_PER_SEC, l.burst);
        ck_assert(!start_limit_hit(&h, &l, t + 2 * USEC_PER_SEC));
        start_history_add(&h, t + 2 * USEC_PER_SEC, l.burst);
        /* 3 starts within 10 s: a 4th would exceed the burst */
        ck_assert(start_limit_hit(&h, &l, t + 3 * USEC_PER_SEC));
        /* once the oldest start leaves the window, starting is allowed again */
        ck_assert(!start_limit_hit(&h, &l, t + 10 * USEC_PER_SEC));
        /* burst 0 means no limit */
        struct start_limit_config none = {.burst = 0, .interval = 10 * USEC_PER_SEC};
        ck_assert(!start_limit_hit(&h, &none, t + 3 * USEC_PER_SEC));
        /* the ring wraps without losing the order */
        start_history_reset(&h);
        for (unsigned i = 0; i < START_LIMIT_MAX * 3; i++)
                start_history_add(&h, t + i * 20 * USEC_PER_SEC, l.burst);
        ck_assert(!start_limit_hit(&h, &l, t + START_LIMIT_MAX * 3 * 20 * USEC_PER_SEC));
        start_history_add(&h, t + START_LIMIT_MAX * 3 * 20 * USEC_PER_SEC, l.burst);
        start_history_add(&h, t + START_LIMIT_MAX * 3 * 20 * USEC_PER_SEC + 1, l.burst);
        start_history_add(&h, t + START_LIMIT_MAX * 3 * 20 * USEC_PER_SEC + 2, l.burst);
        ck_assert(start_limit_hit(&h, &l, t + START_LIMIT_MAX * 3 * 20 * USEC_PER_SEC + 3));
        /* a larger burst (config reload) keeps the recorded starts, in order */
        struct start_limit_config l5 = {.burst = 5, .interval = 10 * USEC_PER_SEC};
        usec_t t2 = t + START_LIMIT_MAX * 3 * 20 * USEC_PER_SEC;
        start_history_add(&h, t2 + 4, l5.burst);
        ck_assert_uint_eq(h.n, 4);
        ck_assert(start_history_at(&h, 0) == t2 && start_history_at(&h, 3) == t2 + 4);
        ck_assert(!start_limit_hit(&h, &l5, t2 + 5));
        start_history_add(&h, t2 + 5, l5.burst);
        ck_assert(start_limit_hit(&h, &l5, t2 + 6));
        start_history_reset(&h);
        ck_assert(h.t == NULL && h.n == 0);
}
END_TEST

int main(void) {
        Suite *s = suite_create("backoff");
        TCase *tc = tcase_create("core");
        tcase_add_test(tc, test_delays);
        tcase_add_test(tc, test_slow_factor);
        tcase_add_test(tc, test_policy);
        tcase_add_test(tc, test_start_limit);
        suite_add_tcase(s, tc);
        return check_run(s);
}

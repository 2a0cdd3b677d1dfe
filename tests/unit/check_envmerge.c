/* check_envmerge: many variables added to an environment at once
 * (envmerge.h) give what setting them one by one gave: each NAME where it
 * first came, with its last value; the inputs untouched; NULL and empty
 * inputs; and a NAME that is a prefix of another is another NAME. */
#include <check.h>

#include "check_run.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "envmerge.h"
#include "util.h"

static char **strv_of(const char *const *v)
{
        char **out = NULL;

        for (; v && *v; v++)
                ck_assert_int_eq(strv_push(&out, *v), 0);
        return out;
}

static void assert_env(char **env, const char *const *want)
{
        size_t i = 0;

        for (; want[i]; i++) {
                ck_assert_msg(env && env[i], "env ends at %zu, want %s", i, want[i]);
                ck_assert_str_eq(env[i], want[i]);
        }
        ck_assert_msg(!env || !env[i], "env[%zu] = %s, not the end", i, env ? env[i] : "");
}

START_TEST(test_order_and_last_value)
{
        static const char *const start[] = { "A=1", "PATH=/bin", NULL };
        static const char *const add[] = { "B=1", "A=2", "AB=x", "B=3", "PATH=/usr/bin", "C", "B=4", NULL };
        static const char *const want[] = { "A=2", "PATH=/usr/bin", "B=4", "AB=x", "C", NULL };
        char **env = strv_of(start);

        ck_assert_int_eq(env_merge(&env, (char *const *)add, 7), 0);
        assert_env(env, want);
        strv_free(env);
}
END_TEST

START_TEST(test_empty)
{
        static const char *const add[] = { "X=1", "X=2", NULL };
        static const char *const want[] = { "X=2", NULL };
        static const char *const none[] = { NULL };
        char **env = NULL;

        ck_assert_int_eq(env_merge(&env, NULL, 0), 0);
        assert_env(env, none);
        ck_assert_int_eq(env_merge(&env, (char *const *)add, 2), 0);
        assert_env(env, want);
        ck_assert_int_eq(env_merge(&env, NULL, 0), 0);
        assert_env(env, want);
        strv_free(env);
}
END_TEST

/* 100,000 variables, every NAME twice: the second value wins. (Check's
 * default timeout of a few seconds fails it if it takes minutes, as one
 * scan per variable did.) */
START_TEST(test_many)
{
        enum { N = 100000 };
        char **add = calloc(2 * N, sizeof *add), **env = NULL;

        ck_assert_ptr_nonnull(add);
        for (size_t i = 0; i < 2 * N; i++)
                ck_assert_ptr_nonnull(add[i] = strdup_printf("V%zu=%zu", i % N, i));
        ck_assert_int_eq(env_merge(&env, add, 2 * N), 0);
        ck_assert_uint_eq(strv_length(env), N);
        for (size_t i = 0; i < N; i += 9973) {
                char want[64];

                snprintf(want, sizeof want, "V%zu=%zu", i, i + N);
                ck_assert_str_eq(env[i], want);
        }
        strv_free(env);
        for (size_t i = 0; i < 2 * N; i++)
                free(add[i]);
        free(add);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("envmerge");
        TCase *tc = tcase_create("core");

        tcase_add_test(tc, test_order_and_last_value);
        tcase_add_test(tc, test_empty);
        tcase_add_test(tc, test_many);
        suite_add_tcase(s, tc);
        return check_run(s);
}

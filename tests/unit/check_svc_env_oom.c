/* check_svc_env_oom: a service's environment without memory. Linked with
 * --wrap for malloc, calloc, realloc and strdup (Makefile.am), so that the
 * Nth allocation svc_build_env makes fails: it must then build no
 * environment at all, with a reason, rather than one that lacks a variable
 * (a service started without its NOTIFY_SOCKET or a configured setting). */
#include <check.h>

#include "check_run.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "svc.h"
#include "svd.h"
#include "util.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);

/* 0: no failure; else the allocation with this number (from 1) fails. */
static unsigned long fail_at, count;

static bool fail_now(void)
{
        return fail_at && ++count == fail_at;
}

void *__wrap_malloc(size_t n);
void *__wrap_malloc(size_t n)
{
        return fail_now() ? NULL : __real_malloc(n);
}
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_calloc(size_t n, size_t size)
{
        return fail_now() ? NULL : __real_calloc(n, size);
}
void *__wrap_realloc(void *p, size_t n);
void *__wrap_realloc(void *p, size_t n)
{
        return fail_now() ? NULL : __real_realloc(p, n);
}
char *__wrap_strdup(const char *s);
char *__wrap_strdup(const char *s)
{
        return fail_now() ? NULL : __real_strdup(s);
}

START_TEST(test_whole_or_none)
{
        char *environment[] = { "A=1", "B=two", "A=3", NULL };
        char *profiles[] = { "base", "backup", NULL };
        struct svd_config mc = { .services_dir = "/etc/svd/services", .selected_profiles = profiles };
        struct svc_config c = {
                .name = "job", .user = "nobody", .home = "/nonexistent", .environment = environment
        };
        struct svd m = { .cfg = &mc };
        struct svc s = { .m = &m, .cfg = &c };
        static const char *const want[] = {
                "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "USER=nobody",
                "LOGNAME=nobody",
                "HOME=/nonexistent",
                "SVD_SERVICE=job",
                "SVD_SERVICES_DIR=/etc/svd/services",
                "SVD_PROFILES=base backup",
                "A=3",
                "B=two",
                NULL
        };
        unsigned long k;

        for (k = 1;; k++) {
                char why[SVC_REASON_MAX] = "";
                int r = 1;

                count = 0;
                fail_at = k;
                char **env = svc_build_env(&s, true, &r, why, sizeof(why));
                bool failed = count >= k;
                fail_at = 0;
                if (!env) {
                        ck_assert_msg(failed, "no environment (%d: %s) without a failed allocation", r, why);
                        ck_assert_int_eq(r, -ENOMEM);
                        ck_assert_str_eq(why, "environment: Cannot allocate memory");
                        continue;
                }
                /* every allocation it made went through: all there */
                ck_assert_int_eq(r, 0);
                ck_assert_uint_eq(strv_length(env), sizeof(want) / sizeof(*want) - 1);
                for (size_t i = 0; want[i]; i++)
                        ck_assert_msg(strcmp(env[i], want[i]) == 0,
                                      "allocation %lu failed: env[%zu] %s, not %s", k, i, env[i], want[i]);
                strv_free(env);
                if (!failed)
                        break;
        }
        ck_assert_uint_gt(k, 10); /* (the allocations were counted) */
}
END_TEST

int main(void)
{
        Suite *s = suite_create("svc_env_oom");
        TCase *tc = tcase_create("core");

        tcase_add_test(tc, test_whole_or_none);
        suite_add_tcase(s, tc);
        return check_run(s);
}

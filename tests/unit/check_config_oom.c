/* check_config_oom: configuration loading without memory. Linked with
 * --wrap for malloc, calloc, realloc and strdup (Makefile.am), so that the
 * Nth allocation made by svd's own code fails: an error must never be
 * dropped (a bad configuration would load), and a value must never be left
 * at a default that means something else (secrets_console: none as NULL is
 * "ask on /dev/console"). */
#include <check.h>

#include "check_run.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);

/* 0: no failure; else the allocation with this number (from 1) fails, and
 * with fail_rest every one after it too. */
static unsigned long fail_at, count;
static bool fail_rest;

static bool fail_now(void)
{
        if (!fail_at)
                return false;
        count++;
        return count == fail_at || (fail_rest && count > fail_at);
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

static void arm(unsigned long at, bool rest)
{
        count = 0;
        fail_at = at;
        fail_rest = rest;
}

/* Whether the last armed run got to its failing allocation. */
static bool failed(void)
{
        bool f = fail_at && count >= fail_at;

        fail_at = 0;
        return f;
}

START_TEST(test_error_kept)
{
        struct cfg_pos pos = { "/etc/svd/services/a.yaml", 3, 7 };
        bool fallback = false;

        for (unsigned long k = 1;; k++) {
                struct cfg_errors e = { 0 };

                arm(k, false);
                cfg_error(&e, &pos, "restart", "unknown value '%s'", "sometimes");
                if (!failed()) {
                        ck_assert_uint_eq(e.n, 1);
                        ck_assert_str_eq(e.msgs[0], "/etc/svd/services/a.yaml:3:7: restart: unknown value 'sometimes'");
                        cfg_errors_free(&e);
                        break;
                }
                /* the message, or the fixed line in its place: never nothing */
                ck_assert_msg(e.n == 1 || e.lost, "allocation %lu failed: error dropped", k);
                if (e.n == 1 && strcmp(e.msgs[0], "/etc/svd/services/a.yaml: out of memory: an error in this "
                                                  "file was not recorded") == 0)
                        fallback = true;
                cfg_errors_free(&e);
        }
        ck_assert(fallback);

        /* no memory at all: lost, which config_load turns into -ENOMEM */
        struct cfg_errors e = { 0 };
        arm(1, true);
        cfg_error(&e, &pos, "restart", "unknown value '%s'", "sometimes");
        ck_assert(failed());
        ck_assert_uint_eq(e.n, 0);
        ck_assert(e.lost);
        cfg_errors_free(&e);
        ck_assert(!e.lost);
}
END_TEST

/* config_load of the scenario with allocation k failing. */
static int load(const char *scenario, unsigned long k, struct svd_config **c, struct cfg_errors *e)
{
        char *main = strdup_printf("%s/%s/svd.yaml", FIXTURES_DIR, scenario);
        int r;

        ck_assert_ptr_nonnull(main);
        *c = NULL;
        arm(k, false);
        r = config_load(main, c, e);
        free(main);
        return r;
}

/* A bad configuration never loads, whichever allocation fails. */
START_TEST(test_bad_never_loads)
{
        for (unsigned long k = 1;; k++) {
                struct cfg_errors e = { 0 };
                struct svd_config *c;
                int r;

                r = load("oom_bad", k, &c, &e);
                bool f = failed();
                ck_assert_msg(r < 0 && !c, "allocation %lu failed: the bad configuration loaded", k);
                ck_assert_msg(r == -ENOMEM || e.n > 0, "allocation %lu failed: %d without an error", k, r);
                cfg_errors_free(&e);
                if (!f)
                        break;
        }
}
END_TEST

/* A good one loads as written or fails with -ENOMEM (or an error). */
START_TEST(test_good_or_nomem)
{
        for (unsigned long k = 1;; k++) {
                struct cfg_errors e = { 0 };
                struct svd_config *c;
                int r;

                r = load("oom", k, &c, &e);
                bool f = failed();
                if (r == 0) {
                        ck_assert_ptr_nonnull(c);
                        ck_assert_msg(c->secrets_console && strcmp(c->secrets_console, "none") == 0,
                                      "allocation %lu failed: secrets_console %s", k,
                                      c->secrets_console ? c->secrets_console : "(NULL: /dev/console)");
                        ck_assert_uint_eq(c->n_svcs, 1);
                        config_free(c);
                } else {
                        ck_assert_msg(r == -ENOMEM || e.n > 0, "allocation %lu failed: %d without an error", k, r);
                }
                cfg_errors_free(&e);
                if (!f) {
                        ck_assert_int_eq(r, 0);
                        break;
                }
        }
}
END_TEST

int main(void)
{
        Suite *s = suite_create("config_oom");
        TCase *tc = tcase_create("core");

        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, test_error_kept);
        tcase_add_test(tc, test_bad_never_loads);
        tcase_add_test(tc, test_good_or_nomem);
        suite_add_tcase(s, tc);
        return check_run(s);
}

/* check_envfile_wipe: an env_file's bytes (it may hold passwords) are wiped
 * before any buffer that held them goes back to the allocator. Linked with
 * --wrap for free, realloc and fstat (Makefile.am): free and realloc look
 * for the file's marker in the block they are handed (a block realloc moves
 * is released unwiped); fstat can report the file smaller than it is, as if
 * it grew while being read, so that the reader must enlarge its buffer. */
#include <check.h>

#include "check_run.h"
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "envfile.h"
#include "svc.h"
#include "svd.h"
#include "util.h"

void __real_free(void *p);
void *__real_realloc(void *p, size_t n);
int __real_fstat(int fd, struct stat *st);

static const char marker[] = "SVDWIPEMARK";
static bool watching;   /* look at blocks released while set */
static bool shrink;     /* fstat of a regular file reports 8 bytes */
static unsigned leaked; /* blocks released holding the marker */

static void look(void *p)
{
        if (watching && p && memmem(p, malloc_usable_size(p), marker, sizeof marker - 1))
                leaked++;
}

void __wrap_free(void *p);
void __wrap_free(void *p)
{
        look(p);
        __real_free(p);
}
void *__wrap_realloc(void *p, size_t n);
void *__wrap_realloc(void *p, size_t n)
{
        look(p);
        return __real_realloc(p, n);
}
int __wrap_fstat(int fd, struct stat *st);
int __wrap_fstat(int fd, struct stat *st)
{
        int r = __real_fstat(fd, st);

        if (r == 0 && shrink && S_ISREG(st->st_mode))
                st->st_size = 8;
        return r;
}

static char dir[] = "/tmp/check_envfile_wipe.XXXXXX";
static char path[sizeof dir + 16];

static void setup(void)
{
        ck_assert_ptr_nonnull(mkdtemp(dir));
        snprintf(path, sizeof path, "%s/env", dir);
        FILE *f = fopen(path, "w");
        ck_assert_ptr_nonnull(f);
        /* long enough that a buffer sized from 8 bytes is enlarged twice */
        fprintf(f, "%s=hunter2-and-then-some-more-text\nOTHER=%s\n", marker, marker);
        ck_assert_int_eq(fclose(f), 0);
        leaked = 0;
}

static void teardown(void)
{
        watching = shrink = false;
        unlink(path);
        rmdir(dir);
}

/* The environment of a service with this env_file; the variables' own
 * copies (the environment handed to the service) are not watched. */
static void build(void)
{
        struct svd_config mc = { .services_dir = "/etc/svd/services" };
        struct svc_config c = { .name = "job", .env_file = path };
        struct svd m = { .cfg = &mc };
        struct svc s = { .m = &m, .cfg = &c };
        char why[SVC_REASON_MAX] = "";
        int err = 0;

        watching = true;
        char **env = svc_build_env(&s, true, &err, why, sizeof why);
        watching = false;
        ck_assert_msg(env, "svc_build_env: %d %s", err, why);
        ck_assert_str_eq(svc_env_get(env, marker), "hunter2-and-then-some-more-text");
        strv_free(env);
}

START_TEST(test_service_start_wipes)
{
        build();
        ck_assert_uint_eq(leaked, 0);
}
END_TEST

START_TEST(test_grown_file_wipes)
{
        shrink = true;
        build();
        ck_assert_uint_eq(leaked, 0);
}
END_TEST

START_TEST(test_load_free_wipes)
{
        char *buf = NULL;
        size_t len = 0;
        char why[256];

        shrink = true;
        watching = true;
        ck_assert_int_eq(envfile_load(path, &buf, &len, why, sizeof why), 0);
        ck_assert_ptr_nonnull(memmem(buf, len, marker, sizeof marker - 1));
        envfile_free(buf, len);
        watching = false;
        ck_assert_uint_eq(leaked, 0);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("envfile_wipe");
        TCase *tc = tcase_create("core");

        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, test_service_start_wipes);
        tcase_add_test(tc, test_grown_file_wipes);
        tcase_add_test(tc, test_load_free_wipes);
        suite_add_tcase(s, tc);
        return check_run(s);
}

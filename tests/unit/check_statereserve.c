/* The space set aside for the state files (statereserve.h): made whole at
 * open, a killed svd's reused, given back half at a time on ENOSPC/EDQUOT
 * only, grown with the state, and removed only by a clean stop. */
#include <check.h>

#include "check_run.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "statereserve.h"
#include "svd.h"

static char dir[] = "/tmp/check_statereserve.XXXXXX";
static char path[128];
static struct svd_config cfg;
static struct svd m;

static void setup(void)
{
        snprintf(path, sizeof(path), "%s/state.reserve", dir);
        unlink(path);
        memset(&m, 0, sizeof(m));
        cfg.run_dir = dir;
        m.cfg = &cfg;
        m.loop = ev_default_loop(0);
}

static void teardown(void)
{
        statereserve_close(&m, true);
}

/* What is allocated of the file (a hole is no reserve); -1 if none. */
static long long allocated(void)
{
        struct stat st;
        if (stat(path, &st) < 0)
                return -1;
        long long b = (long long)st.st_blocks * 512;
        return st.st_size < b ? st.st_size : b;
}

START_TEST(test_open)
{
        statereserve_open(&m);
        ck_assert_ptr_nonnull(m.reserve);
        ck_assert_int_eq(allocated(), 65536);
        /* kept (daemon-reexec, or a killed svd) and reused */
        statereserve_close(&m, false);
        ck_assert_int_eq(allocated(), 65536);
        statereserve_open(&m);
        ck_assert_int_eq(allocated(), 65536);
        statereserve_close(&m, true);
        ck_assert_int_eq(allocated(), -1);
}
END_TEST

START_TEST(test_sparse)
{
        /* a file made long by truncate holds no space: filled in */
        int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(ftruncate(fd, 16384), 0);
        close(fd);
        ck_assert_int_eq(allocated(), 0);
        statereserve_open(&m);
        ck_assert_int_eq(allocated(), 65536);
}
END_TEST

START_TEST(test_release)
{
        statereserve_open(&m);
        /* only for want of space */
        ck_assert(!statereserve_release(&m, EIO));
        ck_assert(!statereserve_release(&m, EACCES));
        ck_assert_int_eq(allocated(), 65536);
        ck_assert(statereserve_release(&m, ENOSPC));
        ck_assert_int_eq(allocated(), 32768);
        ck_assert(statereserve_release(&m, EDQUOT));
        ck_assert_int_eq(allocated(), 16384);
        ck_assert(statereserve_release(&m, ENOSPC)); /* small: all of it */
        ck_assert_int_eq(allocated(), 0);
        ck_assert(!statereserve_release(&m, ENOSPC)); /* nothing left: the write fails */
        /* not taken back at the next write (the disk may still be full) */
        statereserve_written(&m, 1000);
        ck_assert_int_eq(allocated(), 0);
        usleep(1100 * 1000);
        statereserve_written(&m, 1000);
        ck_assert_int_eq(allocated(), 65536);
}
END_TEST

START_TEST(test_grow)
{
        statereserve_open(&m);
        statereserve_written(&m, 1000);
        ck_assert_int_eq(allocated(), 65536);
        /* twice the state and 16 KiB of journal lines, in pages */
        statereserve_written(&m, 100000);
        ck_assert_int_eq(allocated(), 217088);
        /* not shrunk with the state */
        statereserve_written(&m, 1000);
        ck_assert_int_eq(allocated(), 217088);
}
END_TEST

START_TEST(test_no_dir)
{
        cfg.run_dir = "/nonexistent/svd-check";
        statereserve_open(&m);
        ck_assert_ptr_null(m.reserve);
        ck_assert(!statereserve_release(&m, ENOSPC));
        statereserve_written(&m, 1000);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("statereserve");
        TCase *tc = tcase_create("statereserve");
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, test_open);
        tcase_add_test(tc, test_sparse);
        tcase_add_test(tc, test_release);
        tcase_add_test(tc, test_grow);
        tcase_add_test(tc, test_no_dir);
        tcase_set_timeout(tc, 10);
        suite_add_tcase(s, tc);
        if (!mkdtemp(dir))
                return EXIT_FAILURE;
        int r = check_run(s);
        unlink(path);
        rmdir(dir);
        return r;
}

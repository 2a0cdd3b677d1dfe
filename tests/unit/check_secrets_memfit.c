/* check_secrets_memfit: the memory check before an Argon2id derivation
 * (secrets_memfit.c): the parsers on sample texts of /proc/meminfo,
 * memory.max and memory.stat, and the walk up a cgroup tree made of plain
 * files in a temporary directory (the seam: the cgroup2 mount is a
 * parameter), which finds the tightest of MemAvailable and each ancestor's
 * limit less its use. */
#include <check.h>

#include "check_run.h"
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "secrets_memfit.h"

#define MIB ((uint64_t)1 << 20)

static const char meminfo[] = "MemTotal:        2030000 kB\n"
                              "MemFree:          900000 kB\n"
                              "MemAvailable:    1048576 kB\n"
                              "Buffers:           10000 kB\n";

START_TEST(test_meminfo)
{
        uint64_t v = 0;

        ck_assert_int_eq(memfit_meminfo_available(meminfo, &v), 0);
        ck_assert_uint_eq(v, (uint64_t)1 << 30);
        ck_assert_int_eq(memfit_meminfo_available("MemTotal: 100 kB\nMemFree: 50 kB\n", &v), -ENOENT);
        ck_assert_int_eq(memfit_meminfo_available("MemAvailable: lots\n", &v), -EINVAL);
        ck_assert_int_eq(memfit_meminfo_available("MemAvailable: 12 MB\n", &v), -EINVAL);
        /* (only at a line's start: not a key that ends with it) */
        ck_assert_int_eq(memfit_meminfo_available("XMemAvailable: 12 kB\n", &v), -ENOENT);
}
END_TEST

START_TEST(test_limit_and_stat)
{
        uint64_t v = 0;

        ck_assert_int_eq(memfit_parse_limit("max\n", &v), 0);
        ck_assert_uint_eq(v, UINT64_MAX);
        ck_assert_int_eq(memfit_parse_limit("209715200\n", &v), 0);
        ck_assert_uint_eq(v, 200 * MIB);
        ck_assert_int_eq(memfit_parse_limit("12 \n", &v), -EINVAL);
        ck_assert_int_eq(memfit_parse_limit("", &v), -EINVAL);
        ck_assert_int_eq(memfit_parse_limit("99999999999999999999999\n", &v), -EINVAL);

        static const char stat[] = "anon 1000\nfile 5000\nactive_file 4000\ninactive_file 1000\n";
        ck_assert_int_eq(memfit_stat_key(stat, "inactive_file", &v), 0);
        ck_assert_uint_eq(v, 1000);
        ck_assert_int_eq(memfit_stat_key(stat, "active_file", &v), 0);
        ck_assert_uint_eq(v, 4000);
        ck_assert_int_eq(memfit_stat_key(stat, "shmem", &v), -ENOENT);
        ck_assert_int_eq(memfit_stat_key("inactive_file x\n", "inactive_file", &v), -EINVAL);
}
END_TEST

static void put(const char *dir, const char *file, const char *text)
{
        char p[4096];
        FILE *f;

        snprintf(p, sizeof p, "%s/%s", dir, file);
        ck_assert_ptr_nonnull(f = fopen(p, "w"));
        fputs(text, f);
        ck_assert_int_eq(fclose(f), 0);
}

/* a fake cgroup2 mount: /a (200 MiB, 50 in use, 10 of it inactive page
 * cache), /a/b (no limit), /a/b/c (svd's, 1 GiB, 900 MiB in use) */
static char root[] = "/tmp/check_memfit.XXXXXX";

static void tree(void)
{
        char a[4200], b[4200], c[4200];

        ck_assert_ptr_nonnull(mkdtemp(root));
        snprintf(a, sizeof a, "%s/a", root);
        snprintf(b, sizeof b, "%s/a/b", root);
        snprintf(c, sizeof c, "%s/a/b/c", root);
        ck_assert_int_eq(mkdir(a, 0755), 0);
        ck_assert_int_eq(mkdir(b, 0755), 0);
        ck_assert_int_eq(mkdir(c, 0755), 0);
        put(a, "memory.max", "209715200\n");
        put(a, "memory.current", "52428800\n");
        put(a, "memory.stat", "anon 41943040\ninactive_file 10485760\n");
        put(b, "memory.max", "max\n");
        put(b, "memory.current", "52428800\n");
        put(c, "memory.max", "1073741824\n");
        put(c, "memory.current", "943718400\n");
}

static void untree(void)
{
        char cmd[4200];

        snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
        ck_assert_int_eq(system(cmd), 0);
}

START_TEST(test_walk)
{
        struct memfit f;

        tree();
        /* c leaves 124 MiB, a 160 (its inactive page cache counted free),
         * MemAvailable 1 GiB: c's limit is the tightest */
        memfit_assess(meminfo, root, "/a/b/c", &f);
        ck_assert_uint_eq(f.avail, 124 * MIB);
        ck_assert_str_eq(f.where, "memory.max of the cgroup /a/b/c (1024 MiB, 900 MiB in use)");
        /* from b: a's limit (b has none, the root is not read) */
        memfit_assess(meminfo, root, "/a/b/", &f);
        ck_assert_uint_eq(f.avail, 160 * MIB);
        ck_assert_str_eq(f.where, "memory.max of the cgroup /a (200 MiB, 40 MiB in use)");
        /* MemAvailable below every limit */
        memfit_assess("MemAvailable: 102400 kB\n", root, "/a/b", &f);
        ck_assert_uint_eq(f.avail, 100 * MIB);
        ck_assert_str_eq(f.where, "MemAvailable in /proc/meminfo");
        /* a cgroup over its limit leaves nothing */
        put(root, "a/memory.current", "314572800\n");
        memfit_assess(meminfo, root, "/a/b", &f);
        ck_assert_uint_eq(f.avail, 0);
        /* a cgroup gone (svd moved meanwhile): its ancestors still count */
        memfit_assess(meminfo, root, "/a/gone", &f);
        ck_assert_uint_eq(f.avail, 0);
        untree();
}
END_TEST

START_TEST(test_unknown)
{
        struct memfit f;

        /* nothing readable limits nothing: the derivation goes ahead */
        memfit_assess(NULL, NULL, NULL, &f);
        ck_assert_uint_eq(f.avail, UINT64_MAX);
        memfit_assess("MemTotal: 1 kB\n", "/nonexistent", "/x/y", &f);
        ck_assert_uint_eq(f.avail, UINT64_MAX);
        memfit_assess(meminfo, "/nonexistent", "/", &f);
        ck_assert_uint_eq(f.avail, (uint64_t)1 << 30);
        /* (the check itself: 64 KiB fits on any machine that runs this) */
        char why[900] = "";
        ck_assert_int_eq(secrets_memfit_check(64, true, why, sizeof why), 0);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("secrets_memfit");
        TCase *tc = tcase_create("core");

        tcase_add_test(tc, test_meminfo);
        tcase_add_test(tc, test_limit_and_stat);
        tcase_add_test(tc, test_walk);
        tcase_add_test(tc, test_unknown);
        suite_add_tcase(s, tc);
        return check_run(s);
}

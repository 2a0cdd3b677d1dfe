/* The pure parts of the cgroup module: leaf and slice paths from the config,
 * and the cgroup v2 file contents for each knob (sizes, percentages of host
 * RAM, cpu.max quota, weights). Runs on any host: nothing is written. */
#include <check.h>

#include "check_run.h"
#include <stdlib.h>
#include <string.h>

#include "cgroup.h"

static struct slice_config slices[] = {
        {.name = "app", .parent = "system"},
        {.name = "db", .parent = "system"},
        {.name = "system"},
};
static struct svd_config cfg = {.slices = slices, .n_slices = 3};

START_TEST(test_paths) {
        struct svc_config pg = {.name = "postgres", .slice = "db"};
        struct svc_config lone = {.name = "tool"};
        char *p = cgroup_service_path(&cfg, &pg);
        ck_assert_str_eq(p, "system.slice/db.slice/postgres.service");
        free(p);
        p = cgroup_service_path(&cfg, &lone);
        ck_assert_str_eq(p, "tool.service");
        free(p);
        p = cgroup_slice_path(&cfg, &slices[2]);
        ck_assert_str_eq(p, "system.slice");
        free(p);
        p = cgroup_slice_path(&cfg, &slices[0]);
        ck_assert_str_eq(p, "system.slice/app.slice");
        free(p);
}
END_TEST

static const char *knob(const struct resources_config *r, const char *file) {
        static char buf[128];
        if (cgroup_knob_value(r, file, 8ull << 30, buf, sizeof(buf)) < 0)
                return NULL;
        return buf;
}

START_TEST(test_knobs) {
        struct resources_config r = {0};
        for (size_t i = 0; cgroup_knob_files[i]; i++)
                ck_assert_ptr_null(knob(&r, cgroup_knob_files[i])); /* unset: nothing written */

        r.memory_max = (struct cfg_size){.set = true, .bytes = 50u << 20};
        ck_assert_str_eq(knob(&r, "memory.max"), "52428800");
        r.memory_high = (struct cfg_size){.set = true, .percent = true, .pct = 25};
        ck_assert_str_eq(knob(&r, "memory.high"), "2147483648"); /* 25% of 8 GiB */
        r.memory_swap_max = (struct cfg_size){.set = true, .bytes = 0};
        ck_assert_str_eq(knob(&r, "memory.swap.max"), "0");
        r.cpus = 0.2;
        ck_assert_str_eq(knob(&r, "cpu.max"), "20000 100000");
        r.cpus = 2.0;
        ck_assert_str_eq(knob(&r, "cpu.max"), "200000 100000");
        r.cpus = 0.001; /* below the kernel's 1 ms floor */
        ck_assert_str_eq(knob(&r, "cpu.max"), "1000 100000");
        r.cpu_weight = 200;
        ck_assert_str_eq(knob(&r, "cpu.weight"), "200");
        r.pids_max = 32;
        ck_assert_str_eq(knob(&r, "pids.max"), "32");
        r.io_weight = 50;
        ck_assert_str_eq(knob(&r, "io.weight"), "default 50");
        r.cpuset_cpus = "0-1";
        ck_assert_str_eq(knob(&r, "cpuset.cpus"), "0-1");
        ck_assert_ptr_null(knob(&r, "memory.bogus"));
}
END_TEST

int main(void) {
        Suite *s = suite_create("cgroup");
        TCase *tc = tcase_create("pure");
        tcase_add_test(tc, test_paths);
        tcase_add_test(tc, test_knobs);
        suite_add_tcase(s, tc);
        return check_run(s);
}

/* check_spawn_why: the reasons of a failed spawn (spawn_why.c): the missing
 * interpreter of a program that is there, and nothing claimed where the
 * file says nothing (no #! program, one that exists, a truncated ELF
 * header, a FIFO, which must not block); the stage reasons with what each
 * worked on. */
#include <check.h>

#include "check_run.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sandbox.h"
#include "spawn.h"
#include "spawn_why.h"

static char dir[] = "/tmp/check_spawn_why.XXXXXX";

static const char *file(const char *name, const void *data, size_t len) {
        static char path[256];
        snprintf(path, sizeof(path), "%s/%s", dir, name);
        FILE *f = fopen(path, "we");
        ck_assert_ptr_nonnull(f);
        ck_assert_uint_eq(fwrite(data, 1, len, f), len);
        fclose(f);
        return path;
}

static const char *why(const char *path, int err) {
        static char buf[600];
        return spawn_exec_why(path, NULL, err, NULL, NULL, buf, sizeof(buf));
}

static void setup(void) {
        ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void) {
        char cmd[300];
        snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
        ck_assert_int_eq(system(cmd), 0);
        strcpy(dir, "/tmp/check_spawn_why.XXXXXX");
}

START_TEST(test_interpreter_named) {
        const char *p = file("a", "#! /nonexistent/interp -x\nbody\n", 31);
        ck_assert_str_eq(why(p, ENOENT), "No such file or directory (its #! interpreter /nonexistent/interp is missing)");
        p = file("b", "#!/bin/sh\r\necho\r\n", 17);
        ck_assert_str_eq(why(p, ENOENT),
                         "No such file or directory (its #! line /bin/sh ends in a carriage return: DOS line endings)");
}
END_TEST

START_TEST(test_nothing_claimed) {
        /* another error, a missing file, no program after #!, one there */
        ck_assert_str_eq(why(file("a", "#!/nonexistent/x\n", 17), EACCES), "Permission denied");
        char missing[300];
        snprintf(missing, sizeof(missing), "%s/missing", dir);
        ck_assert_str_eq(why(missing, ENOENT), "No such file or directory");
        ck_assert_str_eq(why(file("b", "#!\n", 3), ENOENT), "No such file or directory");
        ck_assert_str_eq(why(file("c", "#!/bin/sh\n", 10), ENOENT), "No such file or directory");
        ck_assert_str_eq(why(file("d", "\x7f" "ELF\x02\x01", 6), ENOENT), "No such file or directory");
        ck_assert_str_eq(why(file("e", "", 0), ENOENT), "No such file or directory");
        ck_assert_str_eq(why(NULL, ENOENT), "No such file or directory");
        char fifo[300];
        snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
        ck_assert_int_eq(mkfifo(fifo, 0600), 0);
        alarm(10); /* a FIFO with no writer must not block */
        ck_assert_str_eq(why(fifo, ENOENT), "No such file or directory");
        alarm(0);
}
END_TEST

START_TEST(test_stage_reasons) {
        char buf[600];
        struct sandbox_plan sb = {0};
        sb.n_rlimits = 1;
        sb.rl_resource[0] = RLIMIT_CORE;
        sb.rl[0] = (struct rlimit){0, RLIM_INFINITY};
        struct spawn_req req = {.path = "/bin/x", .uid = 65534, .gid = 65533, .n_groups = 3, .sandbox = &sb};
        struct spawn_error se = {SPAWN_STAGE_CHDIR, ENOENT, 0};
        ck_assert_str_eq(spawn_fail_why(&req, &se, buf, sizeof(buf)), "chdir: /: No such file or directory");
        se = (struct spawn_error){SPAWN_STAGE_UID, EAGAIN, 0};
        ck_assert_str_eq(spawn_fail_why(&req, &se, buf, sizeof(buf)), "setuid: 65534: Resource temporarily unavailable");
        se = (struct spawn_error){SPAWN_STAGE_GID, EPERM, 0};
        ck_assert_str_eq(spawn_fail_why(&req, &se, buf, sizeof(buf)), "setgid: 65533: Operation not permitted");
        se = (struct spawn_error){SPAWN_STAGE_GROUPS, EINVAL, 0};
        ck_assert_str_eq(spawn_fail_why(&req, &se, buf, sizeof(buf)), "groups: 3 supplementary groups: Invalid argument");
        se = (struct spawn_error){SPAWN_STAGE_RLIMITS, EPERM, 1};
        ck_assert_str_eq(spawn_fail_why(&req, &se, buf, sizeof(buf)),
                         "rlimits: core 0:infinity: Operation not permitted (a hard limit above svd's own needs "
                         "CAP_SYS_RESOURCE)");
        /* an index the plan does not have: the stage and the error only */
        se = (struct spawn_error){SPAWN_STAGE_RLIMITS, EINVAL, 2};
        ck_assert_str_eq(spawn_fail_why(&req, &se, buf, sizeof(buf)), "rlimits: Invalid argument");
        se = (struct spawn_error){SPAWN_STAGE_SECCOMP, EFAULT, 0};
        ck_assert_str_eq(spawn_fail_why(&req, &se, buf, sizeof(buf)), "seccomp: Bad address");
}
END_TEST

int main(void) {
        Suite *s = suite_create("spawn_why");
        TCase *tc = tcase_create("spawn_why");
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, test_interpreter_named);
        tcase_add_test(tc, test_nothing_claimed);
        tcase_add_test(tc, test_stage_reasons);
        suite_add_tcase(s, tc);
        return check_run(s);
}

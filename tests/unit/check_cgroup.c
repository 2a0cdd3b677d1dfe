/* The pure parts of the cgroup module: leaf and slice paths from the config,
 * the cgroup v2 file contents for each knob (sizes, percentages of host
 * RAM, cpu.max quota, weights) and the defaults unset knobs go back to; and
 * the kill without cgroup.kill and a kernel without swap accounting, on a
 * fake cgroup tree in a temporary directory. Runs on any host: no cgroup is
 * touched. */
#include <check.h>

#include "check_run.h"
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "cgroup_int.h"
#include "svd.h"

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

/* What a reload compares to write a kept service's limits live: the values,
 * not where or how they were written. */
START_TEST(test_resources_equal) {
        char *io1[] = {"8:0 wbps=1048576", NULL}, *io2[] = {"8:0 wbps=2097152", NULL};
        struct resources_config a = {0}, b = {0};
        ck_assert(resources_config_equal(&a, &b));
        a.memory_max = (struct cfg_size){.set = true, .bytes = 1u << 30, .pos = {"a.yaml", 3, 1}};
        ck_assert(!resources_config_equal(&a, &b));
        b.memory_max = (struct cfg_size){.set = true, .bytes = 1u << 30, .pos = {"b.yaml", 9, 4}};
        ck_assert(resources_config_equal(&a, &b));
        b.memory_max = (struct cfg_size){.set = true, .percent = true, .pct = 50};
        ck_assert(!resources_config_equal(&a, &b)); /* a share of RAM is not a size */
        b.memory_max = a.memory_max;
        a.cpus = 0.5;
        ck_assert(!resources_config_equal(&a, &b));
        b.cpus = 0.5;
        a.pids_max = 10;
        ck_assert(!resources_config_equal(&a, &b));
        b.pids_max = 10;
        a.io_max = io1;
        ck_assert(!resources_config_equal(&a, &b));
        b.io_max = io2;
        ck_assert(!resources_config_equal(&a, &b));
        b.io_max = io1;
        a.cpuset_cpus = "0-1";
        ck_assert(!resources_config_equal(&a, &b));
        b.cpuset_cpus = "0-1";
        ck_assert(resources_config_equal(&a, &b));
}
END_TEST

START_TEST(test_knob_defaults) {
        /* every knob svd writes has one: a limit dropped from the
         * configuration must not live on in a reused cgroup */
        for (size_t i = 0; cgroup_knob_files[i]; i++)
                ck_assert_msg(cgroup_knob_default(cgroup_knob_files[i]) != NULL, "no default for %s",
                              cgroup_knob_files[i]);
        ck_assert_str_eq(cgroup_knob_default("memory.max"), "max");
        ck_assert_str_eq(cgroup_knob_default("memory.low"), "0");
        ck_assert_str_eq(cgroup_knob_default("cpu.max"), "max 100000");
        ck_assert_str_eq(cgroup_knob_default("cpu.weight"), "100");
        ck_assert_str_eq(cgroup_knob_default("pids.max"), "max");
        ck_assert_str_eq(cgroup_knob_default("io.weight"), "default 100");
        ck_assert_str_eq(cgroup_knob_default("cpuset.cpus"), "\n");
        ck_assert_ptr_null(cgroup_knob_default("memory.bogus"));
}
END_TEST

/* A child that waits for a signal. It is returned once it has dropped
 * check's inherited SIGTERM handler: that handler, run in the child by a
 * SIGTERM sent earlier, would signal the whole group, the test included. */
static pid_t sleeper(void) {
        int fd[2];
        char c;
        ck_assert_int_eq(pipe(fd), 0);
        pid_t p = fork();
        if (p == 0) {
                signal(SIGTERM, SIG_DFL);
                close(fd[0]);
                (void)!write(fd[1], "r", 1);
                close(fd[1]);
                for (;;)
                        pause();
        }
        ck_assert_int_gt(p, 0);
        close(fd[1]);
        ck_assert_int_eq(read(fd[0], &c, 1), 1);
        close(fd[0]);
        return p;
}

static void write_procs(const char *dir, pid_t a, pid_t b) {
        char path[4096];
        ck_assert_int_eq(mkdir(dir, 0755), 0);
        snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
        FILE *f = fopen(path, "w");
        ck_assert_ptr_nonnull(f);
        fprintf(f, "%d\n", (int)a);
        if (b)
                fprintf(f, "%d\n", (int)b);
        fclose(f);
}

/* A removed service's cgroup and those below it get the stop signal,
 * each process once, but not the one skipped (its main process, signalled
 * with its group by orphanstop). */
START_TEST(test_orphan_signal_tree) {
        char root[] = "/tmp/check_cgroup.XXXXXX", path[4200];
        ck_assert_ptr_nonnull(mkdtemp(root));
        pid_t p[3] = {sleeper(), sleeper(), sleeper()};
        snprintf(path, sizeof(path), "%s/leaf", root);
        write_procs(path, p[0], p[1]);
        snprintf(path, sizeof(path), "%s/leaf/sub", root);
        write_procs(path, p[2], 0);
        snprintf(path, sizeof(path), "%s/leaf", root);
        ck_assert_int_eq(cgroup_orphan_signal(path, SIGTERM, 0, p[0]), 2);
        for (int i = 1; i < 3; i++) {
                int st;
                ck_assert_int_eq(waitpid(p[i], &st, 0), p[i]);
                ck_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
        }
        usleep(100000);
        ck_assert_int_eq(waitpid(p[0], NULL, WNOHANG), 0); /* skipped: still there */
        kill(p[0], SIGKILL);
        waitpid(p[0], NULL, 0);
        snprintf(path, sizeof(path), "%s/gone", root);
        ck_assert_int_eq(cgroup_orphan_signal(path, SIGTERM, 0, 0), -ENOENT);
        char cmd[4300];
        snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
        ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* Without cgroup.kill (before 5.14) the processes of cgroups a service made
 * below its leaf are killed too, not only those of the leaf itself. */
START_TEST(test_kill_tree) {
        char root[] = "/tmp/check_cgroup.XXXXXX", path[4200];
        ck_assert_ptr_nonnull(mkdtemp(root));
        pid_t p[4] = {sleeper(), sleeper(), sleeper(), sleeper()};
        snprintf(path, sizeof(path), "%s/leaf", root);
        write_procs(path, p[0], 0);
        snprintf(path, sizeof(path), "%s/leaf/worker", root);
        write_procs(path, p[1], p[2]);
        snprintf(path, sizeof(path), "%s/leaf/worker/deeper", root);
        write_procs(path, p[3], 0);
        snprintf(path, sizeof(path), "%s/leaf/cgroup.events", root); /* a file, not a cgroup */
        FILE *f = fopen(path, "w");
        ck_assert_ptr_nonnull(f);
        fclose(f);

        snprintf(path, sizeof(path), "%s/leaf", root);
        /* four, each once, though the (fake) files still list them */
        int n = cgroup_kill_tree(path);
        /* reaped within a second, by SIGKILL; the ones missed are killed
         * after (not counted) */
        int killed = 0, left = 4;
        bool reaped[4] = {false};
        for (int t = 0; t < 100 && left; t++, usleep(10000))
                for (int i = 0; i < 4; i++) {
                        int st;
                        if (!reaped[i] && waitpid(p[i], &st, WNOHANG) == p[i]) {
                                reaped[i] = true;
                                left--;
                                killed += WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL;
                        }
                }
        for (int i = 0; i < 4; i++)
                if (!reaped[i]) {
                        kill(p[i], SIGKILL);
                        waitpid(p[i], NULL, 0);
                }
        ck_assert_int_eq(killed, 4);
        ck_assert_int_eq(n, 4);

        snprintf(path, sizeof(path), "%s/gone", root);
        ck_assert_int_eq(cgroup_kill_tree(path), -ENOENT);
        char cmd[4300];
        snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
        ck_assert_int_eq(system(cmd), 0);
}
END_TEST

static void touch(const char *dir, const char *file) {
        char path[4200];
        snprintf(path, sizeof(path), "%s/%s", dir, file);
        FILE *f = fopen(path, "w");
        ck_assert_ptr_nonnull(f);
        fclose(f);
}

static const char *slurp(const char *dir, const char *file) {
        static char buf[128];
        ck_assert_int_ge(cg_read_file(dir, file, buf, sizeof(buf)), 0);
        return buf;
}

/* cg_warn_missing's lines (svd's log goes to stderr), into buf. */
static void warnings(struct svd *m, char *buf, size_t len) {
        char path[] = "/tmp/check_cgroup_log.XXXXXX";
        int fd = mkstemp(path), saved = dup(2);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_ge(saved, 0);
        fflush(stderr);
        ck_assert_int_eq(dup2(fd, 2), 2);
        cg_warn_missing(m);
        fflush(stderr);
        ck_assert_int_eq(dup2(saved, 2), 2);
        close(saved);
        ssize_t n = pread(fd, buf, len - 1, 0);
        buf[n > 0 ? n : 0] = 0;
        close(fd);
        unlink(path);
}


/* A reload that runs out of memory setting the slices up keeps the paths of
 * the configuration before it, which may have fewer slices, or others at
 * the same index. The slices' figures (svctl status, top, metrics) are then
 * not read through them: before, a slice past the old count was read from
 * beyond the array's end (a heap overflow under ASan), and one within it
 * gave another slice's figures. */
START_TEST(test_slice_paths_stale) {
        char root[] = "/tmp/check_cgroup.XXXXXX", dir[4200], buf[64];
        ck_assert_ptr_nonnull(mkdtemp(root));
        snprintf(dir, sizeof(dir), "%s/old.slice", root);
        ck_assert_int_eq(mkdir(dir, 0755), 0);
        touch(dir, "memory.max");
        char **paths = calloc(2, sizeof(char *)); /* one slice, NULL-ended */
        ck_assert_ptr_nonnull(paths);
        ck_assert_ptr_nonnull(paths[0] = strdup(dir));
        struct cgroup_mgr g = {.enabled = true, .root = root, .slice_paths = paths, .n_slices = 1};
        struct slice_config sl[3] = {{.name = "a"}, {.name = "b"}, {.name = "c"}};
        struct svd_config c = {.slices = sl, .n_slices = 3, .cgroup_root = "svd"};
        struct svd m = {.cg = &g, .cfg = &c};
        struct cg_stats st;
        ck_assert_int_eq(cgroup_slice_knob_read(&m, 0, "memory.max", buf, sizeof(buf)), 0);
        ck_assert_int_eq(cgroup_slice_stats(&m, 2, &st), -ENOENT);
        ck_assert_int_eq(cgroup_slice_knob_read(&m, 2, "memory.max", buf, sizeof(buf)), -ENOENT);
        ck_assert_ptr_null(cgroup_slice_refused(&m, 2));
        g.slices_stale = true; /* the reload's configuration: index 0 is "a" now */
        ck_assert_int_eq(cgroup_slice_knob_read(&m, 0, "memory.max", buf, sizeof(buf)), -ENOENT);
        ck_assert_int_eq(cgroup_slice_stats(&m, 0, &st), -ENOENT);
        free(paths[0]);
        free(paths);
        char f[4300];
        snprintf(f, sizeof(f), "%s/memory.max", dir);
        ck_assert_int_eq(unlink(f), 0);
        ck_assert_int_eq(rmdir(dir), 0);
        ck_assert_int_eq(rmdir(root), 0);
}
END_TEST

/* A kernel without swap accounting has no memory.swap.* files (CONFIG_SWAP
 * off, or an older kernel booted with swapaccount=0): memory_swap_max is
 * skipped like the keys of a missing controller, with the other limits
 * written, and said once at a start or reload, naming the key and who sets
 * it, and in status; where svd's cgroup has memory.swap.max, it is
 * written. */
START_TEST(test_swap_missing) {
        char root[] = "/tmp/check_cgroup.XXXXXX", leaf[4200], err[256] = "";
        ck_assert_ptr_nonnull(mkdtemp(root));
        snprintf(leaf, sizeof(leaf), "%s/leaf", root);
        ck_assert_int_eq(mkdir(leaf, 0755), 0);
        touch(root, "memory.max");
        for (size_t i = 0; cgroup_knob_files[i]; i++)
                if (strcmp(cgroup_knob_files[i], "memory.swap.max") != 0)
                        touch(leaf, cgroup_knob_files[i]);
        struct cgroup_mgr g = {.enabled = true, .root = root, .host_ram = 8ull << 30};
        snprintf(g.controllers, sizeof(g.controllers), "cpuset cpu io memory pids");
        struct resources_config r = {0};
        r.memory_max = (struct cfg_size){.set = true, .bytes = 64u << 20};
        r.memory_swap_max = (struct cfg_size){.set = true, .bytes = 0};
        ck_assert_int_eq(cg_apply_knobs(&g, leaf, &r, false, err, sizeof(err)), 0);
        ck_assert_str_eq(slurp(leaf, "memory.max"), "67108864");

        struct svc_config svcs[] = {{.name = "db", .resources = &r}, {.name = "web", .resources = &r}};
        struct slice_config sl = {.name = "box"};
        struct svd_config c = {.svcs = svcs, .n_svcs = 2, .slices = &sl, .n_slices = 1, .cgroup_root = "svd"};
        struct svd m = {.cg = &g, .cfg = &c};
        char log[2048], want[4600];
        warnings(&m, log, sizeof(log));
        snprintf(want, sizeof(want),
                 "cgroup: the kernel has no swap accounting (no memory.swap.max in %s): memory_swap_max not "
                 "applied for service db, service web\n",
                 root);
        const char *w = strstr(log, want);
        ck_assert_msg(w && w[strlen(want)] == 0 && !memchr(log, '\n', (size_t)(w - log)), "log: %s", log);
        char text[256];
        ck_assert(cgroup_missing_text(&m, &r, text, sizeof(text)));
        ck_assert_str_eq(text, "memory_swap_max not applied: the kernel has no swap accounting");
        struct resources_config plain = {.memory_max = r.memory_max};
        ck_assert(!cgroup_missing_text(&m, &plain, text, sizeof(text)));
        r.io_weight = 50;
        snprintf(g.controllers, sizeof(g.controllers), "memory pids");
        ck_assert(cgroup_missing_text(&m, &r, text, sizeof(text)));
        ck_assert_str_eq(text, "io_weight not applied: the io controller is not available to svd; "
                               "memory_swap_max not applied: the kernel has no swap accounting");
        r.io_weight = 0;

        /* with swap accounting: written */
        touch(root, "memory.swap.max");
        touch(leaf, "memory.swap.max");
        ck_assert(!cgroup_missing_text(&m, &r, text, sizeof(text)));
        snprintf(g.controllers, sizeof(g.controllers), "cpuset cpu io memory pids");
        warnings(&m, log, sizeof(log));
        ck_assert_msg(log[0] == 0, "log: %s", log);
        ck_assert_int_eq(cg_apply_knobs(&g, leaf, &r, false, err, sizeof(err)), 0);
        ck_assert_str_eq(slurp(leaf, "memory.swap.max"), "0");
        char cmd[4300];
        snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
        ck_assert_int_eq(system(cmd), 0);
}
END_TEST

int main(void) {
        Suite *s = suite_create("cgroup");
        TCase *tc = tcase_create("pure");
        tcase_add_test(tc, test_paths);
        tcase_add_test(tc, test_knobs);
        tcase_add_test(tc, test_knob_defaults);
        tcase_add_test(tc, test_resources_equal);
        tcase_add_test(tc, test_kill_tree);
        tcase_add_test(tc, test_orphan_signal_tree);
        tcase_add_test(tc, test_swap_missing);
        tcase_add_test(tc, test_slice_paths_stale);
        suite_add_tcase(s, tc);
        return check_run(s);
}

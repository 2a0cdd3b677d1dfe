/* check_config: config_load end to end against the fixture trees in
 * tests/unit/fixtures/<scenario>/. Error messages are user interface, so every
 * error path is asserted as the exact line svd --check would print, in order.
 * Expected lines are written with the main file as "MAIN" and other files
 * relative to the (realpath'd) scenario directory. */
#include <check.h>

#include "check_run.h"
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <pwd.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "config_yaml.h"
#include "proto.h"

static char *main_path(const char *scenario, const char *main_rel)
{
        return strdup_printf("%s/%s/%s", FIXTURES_DIR, scenario, main_rel ? main_rel : "svd.yaml");
}

/* "MAIN:..." -> main path; "services/x.yaml:..." -> realpath(scenario)/services/x.yaml:... */
static char *expand(const char *scenario, const char *main, const char *exp)
{
        char dir[PATH_MAX], *sd = strdup_printf("%s/%s", FIXTURES_DIR, scenario), *r;

        ck_assert_ptr_nonnull(realpath(sd, dir));
        free(sd);
        if (strncmp(exp, "MAIN:", 5) == 0)
                r = strdup_printf("%s%s", main, exp + 4);
        else
                r = strdup_printf("%s/%s", dir, exp);
        return r;
}

static void expect_errors(const char *scenario, const char *main_rel, const char *const *expected)
{
        _cleanup_(freep) char *main = main_path(scenario, main_rel);
        struct cfg_errors e = { 0 };
        struct svd_config *c = NULL;
        size_t n = 0;
        int r;

        r = config_load(main, &c, &e);
        while (expected[n])
                n++;
        for (size_t i = 0; i < e.n || i < n; i++) {
                _cleanup_(freep) char *want = i < n ? expand(scenario, main, expected[i]) : NULL;

                ck_assert_msg(i < e.n && want && strcmp(e.msgs[i], want) == 0,
                              "%s error %zu:\n got: %s\nwant: %s", scenario, i,
                              i < e.n ? e.msgs[i] : "(none)", want ? want : "(none)");
        }
        ck_assert_int_eq(r, -EINVAL);
        ck_assert_ptr_null(c);
        cfg_errors_free(&e);
}

START_TEST(test_good)
{
        _cleanup_(freep) char *main = main_path("good", "etc/svd.yaml");
        _cleanup_(freep) char *top = strdup_printf("%s/good", FIXTURES_DIR);
        struct cfg_errors e = { 0 };
        struct svd_config *c = NULL;
        const struct svc_config *s;
        char real[PATH_MAX], buf[PATH_MAX + 64];

        ck_assert_int_eq(config_load(main, &c, &e), 0);
        ck_assert_uint_eq(e.n, 0);
        ck_assert_ptr_nonnull(realpath(top, real));
        snprintf(buf, sizeof buf, "%s/services", real);
        ck_assert_str_eq(c->services_dir, buf);
        snprintf(buf, sizeof buf, "%s/cgroups", real);
        ck_assert_str_eq(c->slices_dir, buf);
        snprintf(buf, sizeof buf, "%s/etc/state", real);
        ck_assert_str_eq(c->state_dir, buf);
        snprintf(buf, sizeof buf, "%s/etc", real);
        ck_assert_str_eq(c->dir, buf);
        ck_assert_str_eq(c->log_dir, "/var/log/svd");
        ck_assert_str_eq(c->control_socket, "/tmp/svd-test-run/control.sock");
        ck_assert(c->has_admin_gid);
        ck_assert_uint_eq(c->admin_gid, 0);

        /* Sorted by name, not file name ("db-init.yaml" sorts before "db.yaml"). */
        ck_assert_uint_eq(c->n_svcs, 4);
        ck_assert_str_eq(c->svcs[0].name, "cache");
        ck_assert_str_eq(c->svcs[1].name, "db");
        ck_assert_str_eq(c->svcs[2].name, "db-init");
        ck_assert_str_eq(c->svcs[3].name, "web");
        ck_assert_int_eq(config_svc_index(c, "web"), 3);
        ck_assert_int_eq(config_svc_index(c, "nope"), -ENOENT);
        ck_assert_ptr_null(config_find_svc(c, "nope"));

        s = config_find_svc(c, "db");
        snprintf(buf, sizeof buf, "%s/services/db.yaml", real);
        ck_assert_str_eq(s->file, buf);
        ck_assert_str_eq(s->description, "the database");
        ck_assert_int_eq(s->type, SVC_NOTIFY);
        ck_assert_int_eq(s->restart, RESTART_UNLESS_STOPPED);
        ck_assert_uint_eq(strv_length(s->command), 3);
        ck_assert_str_eq(s->command[2], "/var/lib/pg");
        /* defaults.environment, overridden per key, service keys appended. */
        ck_assert_uint_eq(strv_length(s->environment), 3);
        ck_assert_str_eq(s->environment[0], "LANG=C.UTF-8");
        ck_assert_str_eq(s->environment[1], "TZ=Europe/Paris");
        ck_assert_str_eq(s->environment[2], "PGDATA=/var/lib/pg");
        /* backoff: defaults (2s, 2m) with the service's factor and reset_after. */
        ck_assert_uint_eq(s->backoff.initial, 2 * USEC_PER_SEC);
        ck_assert_uint_eq(s->backoff.max, 120 * USEC_PER_SEC);
        ck_assert(s->backoff.factor == 1.5);
        ck_assert_uint_eq(s->backoff.reset_after, 600 * USEC_PER_SEC);
        ck_assert_uint_eq(s->start_limit.burst, 3);
        ck_assert_uint_eq(s->start_limit.interval, 60 * USEC_PER_SEC);
        ck_assert_int_eq(s->stop.signal, SIGINT);
        ck_assert_uint_eq(s->stop.timeout, 30 * USEC_PER_SEC);
        ck_assert(s->has_uid && s->has_gid);
        ck_assert_uint_eq(s->uid, 0);
        ck_assert_uint_eq(s->gid, 0);
        ck_assert_str_eq(s->home, "/root");
        ck_assert_str_eq(s->slice, "db");
        ck_assert(s->resources->memory_max.set && !s->resources->memory_max.percent);
        ck_assert_uint_eq(s->resources->memory_max.bytes, 512ULL << 20);
        ck_assert_int_eq(s->resources->memory_max.pos.line, 12);
        ck_assert_int_eq(s->resources->memory_max.pos.col, 26);
        /* a share of RAM would exceed the slice's 1G on most hosts (see test_slices) */
        ck_assert(!s->resources->memory_high.percent && s->resources->memory_high.bytes == 384ULL << 20);
        ck_assert(s->resources->cpus == 0.5);
        ck_assert_uint_eq(s->resources->cpu_weight, 200);
        ck_assert_uint_eq(s->resources->pids_max, 512);
        ck_assert_uint_eq(s->n_deps, 1);
        ck_assert_str_eq(s->deps[0].name, "db-init");
        ck_assert_int_eq(s->deps[0].condition, DEP_COMPLETED);
        ck_assert_uint_eq(s->deps[0].index, 2);
        ck_assert_int_eq(s->deps[0].pos.line, 8);
        ck_assert_int_eq(s->deps[0].pos.col, 3);

        s = config_find_svc(c, "db-init");
        ck_assert_int_eq(s->type, SVC_ONESHOT);
        ck_assert_int_eq(s->restart, RESTART_NO); /* quoted "no" and plain no are the same */
        ck_assert_str_eq(s->environment[3], "EMPTY=");
        ck_assert(!s->has_uid);

        s = config_find_svc(c, "web");
        ck_assert(s->shell && !s->enabled);
        ck_assert_uint_eq(strv_length(s->command), 1);
        ck_assert_str_eq(s->command[0], "nginx -g daemon off;");
        ck_assert_int_eq(s->restart, RESTART_ALWAYS); /* from defaults */
        snprintf(buf, sizeof buf, "%s/etc/www", real);
        ck_assert_str_eq(s->working_dir, buf);
        ck_assert_str_eq(s->env_file, "/etc/default/web");
        ck_assert_uint_eq(s->n_deps, 2);
        ck_assert_int_eq(s->deps[0].condition, DEP_HEALTHY);
        ck_assert(s->deps[0].restart);
        ck_assert_uint_eq(s->deps[0].index, 1);
        ck_assert_int_eq(s->deps[1].condition, DEP_STARTED); /* `cache:` with no value */
        ck_assert_uint_eq(s->deps[1].index, 0);

        s = config_find_svc(c, "cache");
        ck_assert_uint_eq(s->stop.timeout, 1500 * USEC_PER_MSEC);
        ck_assert_int_eq(s->stop.signal, SIGINT);
        ck_assert_uint_eq(s->start_limit.burst, 5); /* built-in */

        ck_assert_uint_eq(c->n_slices, 2);
        ck_assert_str_eq(c->slices[0].name, "db");
        ck_assert_str_eq(c->slices[0].parent, "system");
        ck_assert_uint_eq(c->slices[0].resources.memory_max.bytes, 1ULL << 30);
        ck_assert_uint_eq(c->slices[0].resources.cpu_weight, 300);
        ck_assert_str_eq(c->slices[0].resources.io_max[0], "8:0 rbps=1048576");
        ck_assert_str_eq(c->slices[0].resources.io_max[1], "8:16 wbps=10485760 riops=max"); /* kernel's form */
        ck_assert_str_eq(c->slices[0].resources.cpuset_cpus, "0-1,3");
        ck_assert_str_eq(c->slices[1].name, "system");
        ck_assert_ptr_null(c->slices[1].parent);
        ck_assert(c->slices[1].resources.memory_max.percent);
        config_free(c);
        config_free(NULL);
}
END_TEST

START_TEST(test_builtin_defaults)
{
        _cleanup_(freep) char *main = main_path("needs_root", NULL);
        struct cfg_errors e = { 0 };
        struct svd_config *c = NULL;
        const struct svc_config *s;

        if (geteuid() != 0)
                return; /* needs_root's service runs as root; see test_needs_root */
        ck_assert_int_eq(config_load(main, &c, &e), 0);
        ck_assert_str_eq(c->run_dir, PROTO_DEFAULT_RUN_DIR);
        ck_assert_str_eq(c->state_dir, "/var/lib/svd");
        ck_assert_str_eq(c->control_socket, PROTO_DEFAULT_SOCKET);
        ck_assert(!c->has_admin_gid);
        s = &c->svcs[0];
        ck_assert_int_eq(s->type, SVC_SIMPLE);
        ck_assert_int_eq(s->restart, RESTART_ON_FAILURE);
        ck_assert_uint_eq(s->backoff.initial, USEC_PER_SEC);
        ck_assert_uint_eq(s->backoff.max, 60 * USEC_PER_SEC);
        ck_assert(s->backoff.factor == 2.0);
        ck_assert_uint_eq(s->backoff.reset_after, 300 * USEC_PER_SEC);
        ck_assert_uint_eq(s->start_limit.burst, 5);
        ck_assert_uint_eq(s->start_limit.interval, 10 * USEC_PER_SEC);
        ck_assert_int_eq(s->stop.signal, SIGTERM);
        ck_assert_uint_eq(s->stop.timeout, 10 * USEC_PER_SEC);
        ck_assert(s->enabled);
        ck_assert_uint_eq(strv_length(s->environment), 0);
        config_free(c);
}
END_TEST

START_TEST(test_unknown_keys)
{
        static const char *const want[] = {
                "MAIN:1:1: servces_dir: unknown key (did you mean 'services_dir'?)",
                "MAIN:2:1: frobnicate: unknown key",
                "MAIN:4:3: defaults.restrat: unknown key (did you mean 'restart'?)",
                "services/app.yaml:1:1: command: required key missing",
                "services/app.yaml:2:1: comand: unknown key (did you mean 'command'?)",
                "services/app.yaml:3:12: backoff.inital: unknown key (did you mean 'initial'?)",
                "services/app.yaml:5:12: depends_on.other.conditon: unknown key (did you mean 'condition'?)",
                "services/other.yaml:2:1: xyzzy_plugh: unknown key",
                NULL,
        };

        expect_errors("unknown_key", NULL, want);
}
END_TEST

START_TEST(test_wrong_types)
{
        static const char *const want[] = {
                "MAIN:1:11: defaults: expected a mapping",
                "services/app.yaml:1:10: command: expected a list of strings",
                "services/app.yaml:2:10: backoff: expected a mapping",
                "services/app.yaml:3:10: enabled: expected a boolean (true/false)",
                "services/app.yaml:4:8: shell: expected a boolean (true/false)",
                "services/app.yaml:6:7: stop: expected a mapping",
                "services/app.yaml:7:14: environment: expected a mapping or a list of NAME=value",
                "services/empty.yaml:1:1: command: required key missing",
                "services/emptycmd.yaml:1:10: command: must not be empty",
                "services/emptycmd.yaml:2:15: environment[0]: expected NAME=value",
                "services/emptycmd.yaml:2:27: environment[1]: expected NAME=value",
                "services/list.yaml:1:22: command[1]: expected a string",
                "services/list.yaml:1:32: command[2]: expected a string",
                "services/list.yaml:2:14: description: expected a string",
                "services/list.yaml:3:14: healthcheck: expected a mapping",
                "services/list.yaml:4:11: profiles: expected a list",
                "services/list.yaml:5:11: watchdog: bad duration 'soon' (use e.g. 250ms, 10s, 5m, 1h)",
                "services/list.yaml:6:13: depends_on: expected a list or a mapping of service names",
                "services/list.yaml:7:12: resources: expected a mapping",
                "services/scalar.yaml:1:1: expected a mapping",
                NULL,
        };

        expect_errors("wrong_types", NULL, want);
}
END_TEST

START_TEST(test_bad_values)
{
        static const char *const want[] = {
                "MAIN:1:14: admin_group: unknown group 'no-such-group-xyz'",
                "MAIN:3:19: defaults.stop.signal: unknown signal 'SIGFOO' (use e.g. SIGTERM, SIGINT, 15)",
                "services/app.yaml:2:7: type: unknown value 'weird' (expected simple, oneshot, notify)",
                "services/app.yaml:3:10: restart: unknown value 'sometimes' (expected no, on-failure, "
                "always, "
                "unless-stopped)",
                "services/app.yaml:4:21: backoff.initial: bad duration '10x' (use e.g. 250ms, 10s, 5m, 1h)",
                "services/app.yaml:4:34: backoff.factor: expected a number between 1.0 and 100",
                "services/app.yaml:4:44: backoff.max: bad duration '-1s' (use e.g. 250ms, 10s, 5m, 1h)",
                "services/app.yaml:4:62: backoff.reset_after: bad duration '1h30' (use e.g. 250ms, 10s, 5m, "
                "1h)",
                "services/app.yaml:5:23: start_limit.burst: expected an integer 0..64",
                "services/app.yaml:5:38: start_limit.interval: bad duration '1y' (use e.g. 250ms, 10s, 5m, "
                "1h)",
                "services/app.yaml:6:17: stop.signal: unknown signal '99' (use e.g. SIGTERM, SIGINT, 15)",
                "services/app.yaml:6:30: stop.timeout: bad duration '' (use e.g. 250ms, 10s, 5m, 1h)",
                "services/app.yaml:8:15: resources.memory_max: bad size '12Q' (use e.g. 512K, 10M, 4G or "
                "25%)",
                "services/app.yaml:9:16: resources.memory_high: bad size '150%' (use e.g. 512K, 10M, 4G or "
                "25%)",
                "services/app.yaml:10:9: resources.cpus: expected a number of CPUs 0.01..65536 (e.g. 0.5, 2)",
                "services/app.yaml:11:15: resources.cpu_weight: expected an integer 1..10000",
                "services/app.yaml:12:13: resources.pids_max: expected an integer 1..4194304",
                "services/app.yaml:13:14: resources.io_weight: expected an integer 1..10000",
                "services/app.yaml:14:16: resources.cpuset_cpus: bad CPU list 'all' (use e.g. 0-1,3)",
                "services/app.yaml:15:12: resources.io_max[0]: no limit for 8:0 (add e.g. wbps=10M)",
                "services/app.yaml:15:19: resources.io_max[1]: bad device 'sda' (use MAJOR:MINOR, e.g. 8:0, or "
                "/dev/NAME)",
                "services/app.yaml:15:34: resources.io_max[2]: /dev/null is not a block device",
                "services/app.yaml:15:53: resources.io_max[3]: rbps: bad value 'fast' (bytes per second, e.g. "
                "10M, or max)",
                "services/app.yaml:15:70: resources.io_max[4]: bad limit 'iops' (use rbps=, wbps=, riops= or "
                "wiops=)",
                "services/app.yaml:15:84: resources.io_max[5]: riops: bad value '0' (operations per second, or "
                "max)",
                "services/app.yaml:17:3: environment.1BAD: invalid variable name '1BAD'",
                "services/app.yaml:18:9: environment.GOOD: expected a string",
                "services/app.yaml:20:20: depends_on.db.condition: unknown value 'bogus' (expected started, "
                "healthy, completed)",
                "services/app.yaml:20:36: depends_on.db.restart: expected a boolean (true/false)",
                "services/creds.yaml:2:7: user: unknown user 'no-such-user-xyz'",
                "services/db.yaml:2:21: backoff.initial: initial (2m) must not exceed max (1m)",
                "services/group.yaml:2:8: group: unknown group 'no-such-group-xyz'",
                NULL,
        };

        expect_errors("bad_values", NULL, want);
}
END_TEST

START_TEST(test_deps)
{
        static const char *const want[] = {
                "services/web.yaml:2:23: depends_on.db: duplicate dependency 'db'",
                "services/web.yaml:2:18: depends_on.dbb: unknown service 'dbb' (did you mean 'db'?)",
                "services/web.yaml:2:27: depends_on.zzzzzzzz: unknown service 'zzzzzzzz'",
                "services/a.yaml:2:14: depends_on.b: dependency cycle: a -> b -> c -> a",
                "services/self.yaml:2:18: depends_on.self: dependency cycle: self -> self",
                NULL,
        };

        expect_errors("deps", NULL, want);
}
END_TEST

START_TEST(test_dup_and_bad_names)
{
        static const char *const want[] = {
                "services/app.yml:1:1: duplicate service name 'app' (also defined in @/services/app.yaml)",
                "services/bad+name.yaml:1:1: invalid service name 'bad+name' (use 1 to 64 of A-Z a-z 0-9 _ "
                ". @ -)",
                NULL,
        };
        _cleanup_(freep) char *sd = strdup_printf("%s/dup_name", FIXTURES_DIR);
        char real[PATH_MAX];
        char *first = NULL;
        const char *at;

        /* The message names the other file by its full path. */
        ck_assert_ptr_nonnull(realpath(sd, real));
        at = strchr(want[0], '@');
        first = strdup_printf("%.*s%s%s", (int)(at - want[0]), want[0], real, at + 1);
        expect_errors("dup_name", NULL, (const char *const[]){ first, want[1], NULL });
        free(first);
}
END_TEST

START_TEST(test_yaml_errors)
{
        static const char *const want[] = {
                "services/alias.yaml:1:10: yaml: anchors and aliases are not supported",
                "services/broken.yaml:2:8: yaml: did not find expected ',' or ']'",
                "services/dupkey.yaml:5:3: backoff.initial: duplicate key 'initial' (first on line 4)",
                "services/dupkey.yaml:6:1: restart: duplicate key 'restart' (first on line 2)",
                "services/multi.yaml:2:1: yaml: expected a single document",
                NULL,
        };

        expect_errors("yaml_error", NULL, want);
}
END_TEST

START_TEST(test_slices)
{
        static const char *const want[] = {
                "cg/loop1.yaml:1:9: parent: slice cycle: loop1 -> loop2 -> loop1",
                "cg/orphan.yaml:1:9: parent: unknown slice 'sytem' (did you mean 'system'?)",
                "cg/big.yaml:2:13: memory_max: 2G exceeds memory_max 1G of slice 'db'",
                "cg/inner.yaml:2:11: pids_max: 100 exceeds pids_max 32 of slice 'jail'",
                "svc/app.yaml:3:26: resources.memory_max: 2G exceeds memory_max 1G of slice 'db'",
                /* fits.yaml: equal to its slice's limits is fine */
                "svc/jailed.yaml:6:16: resources.memory_high: 120M exceeds memory_high 100M of slice 'jail'",
                "svc/jailed.yaml:7:20: resources.memory_swap_max: 10M exceeds memory_swap_max 0 of slice 'jail'",
                "svc/jailed.yaml:5:9: resources.cpus: 1.5 exceeds cpus 0.5 of slice 'inner'",
                /* bytes against a share of RAM: resolved with this host's RAM */
                "svc/mixed.yaml:3:26: resources.memory_max: 100T exceeds memory_max 20% of slice 'system' on this host",
                "svc/noslice.yaml:2:8: slice: unknown slice 'dv' (did you mean 'db'?)",
                "svc/pct.yaml:3:26: resources.memory_max: 30% exceeds memory_max 20% of slice 'system'",
                NULL,
        };

        expect_errors("slices", NULL, want);
}
END_TEST

START_TEST(test_missing_files)
{
        static const char *const want_dir[] = {
                "MAIN:1:15: services_dir: cannot open directory '/nonexistent/svd-services': No such file "
                "or "
                "directory",
                NULL,
        };
        struct cfg_errors e = { 0 };
        struct svd_config *c = NULL;

        expect_errors("missing_dir", NULL, want_dir);
        ck_assert_int_eq(config_load("/nonexistent/svd.yaml", &c, &e), -EINVAL);
        ck_assert_uint_eq(e.n, 1);
        ck_assert_str_eq(e.msgs[0], "/nonexistent/svd.yaml: cannot read: No such file or directory");
        cfg_errors_free(&e);
}
END_TEST

/* PID 1's emergency state: the main file's own settings survive a broken
 * service file; no file at all gives the built-in defaults. */
START_TEST(test_main_only)
{
        _cleanup_(freep) char *main = main_path("emergency", NULL);
        struct cfg_errors e = { 0 };
        struct svd_config *c = NULL;

        ck_assert_int_eq(config_load(main, &c, &e), -EINVAL);
        ck_assert_uint_eq(e.n, 2);
        cfg_errors_free(&e);
        ck_assert_int_eq(config_load_main_only(main, &c), 0);
        ck_assert_str_eq(c->run_dir, "/run/svd-emergency");
        ck_assert_str_eq(c->control_socket, "/run/svd-emergency/control.sock");
        ck_assert_str_eq(c->emergency_shell, "/bin/sh");
        ck_assert_int_eq(c->ctrl_alt_del, 1); /* SHUTDOWN_POWEROFF */
        ck_assert_uint_eq(c->n_svcs, 0);
        config_free(c);

        ck_assert_int_eq(config_load_main_only("/nonexistent/svd.yaml", &c), 0);
        ck_assert_str_eq(c->control_socket, PROTO_DEFAULT_SOCKET);
        ck_assert_str_eq(c->log_dir, "/var/log/svd");
        ck_assert_ptr_null(c->emergency_shell);
        ck_assert_int_eq(c->ctrl_alt_del, 2); /* SHUTDOWN_REBOOT */
        config_free(c);
}
END_TEST

/* Drops to nobody in a child so the check for "needs root" can be seen even
 * when the suite runs as root (and the runner itself keeps its privileges). */
START_TEST(test_needs_root)
{
        _cleanup_(freep) char *main = main_path("needs_root", NULL);
        _cleanup_(freep) char *want =
                expand("needs_root", main, "services/app.yaml:2:7: user: running as user root needs root");
        pid_t pid;
        int status;

        pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
                struct cfg_errors e = { 0 };
                struct svd_config *c = NULL;
                int r;

                if (geteuid() == 0 && (setgid(65534) < 0 || setuid(65534) < 0))
                        _exit(2);
                r = config_load(main, &c, &e);
                r = r == -EINVAL && e.n == 1 && strcmp(e.msgs[0], want) == 0 ? 0 : 1;
                /* _exit skips the cleanup handlers; free by hand for valgrind. */
                cfg_errors_free(&e);
                config_free(c);
                free(main);
                free(want);
                _exit(r);
        }
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        ck_assert(WIFEXITED(status));
        ck_assert_int_eq(WEXITSTATUS(status), 0);
}
END_TEST

START_TEST(test_names_and_errors)
{
        struct cfg_errors e = { 0 };
        struct cfg_pos pos = { "f.yaml", 3, 7 }, nopos = { "g.yaml", 0, 0 };

        ck_assert_str_eq(svc_type_name(SVC_ONESHOT), "oneshot");
        ck_assert_ptr_null(svc_type_name(_SVC_TYPE_MAX));
        ck_assert_str_eq(restart_policy_name(RESTART_UNLESS_STOPPED), "unless-stopped");
        ck_assert_str_eq(dep_condition_name(DEP_HEALTHY), "healthy");
        cfg_error(&e, &pos, "a.b", "bad %d", 5);
        cfg_error(&e, &pos, NULL, "whole file");
        cfg_error(&e, &nopos, NULL, "cannot read");
        ck_assert_uint_eq(e.n, 3);
        ck_assert_str_eq(e.msgs[0], "f.yaml:3:7: a.b: bad 5");
        ck_assert_str_eq(e.msgs[1], "f.yaml:3:7: whole file");
        ck_assert_str_eq(e.msgs[2], "g.yaml: cannot read");
        cfg_errors_free(&e);
        cfg_errors_free(NULL);
}
END_TEST

START_TEST(test_yaml_tree)
{
        _cleanup_(freep) char *p = strdup_printf("%s/good/services/db.yaml", FIXTURES_DIR);
        _cleanup_(ynode_freep) struct ynode *root = NULL;
        struct cfg_errors e = { 0 };
        const struct ynode *n;

        ck_assert_int_eq(config_yaml_load(p, &root, &e), 0);
        ck_assert_uint_eq(e.n, 0);
        ck_assert_int_eq(root->kind, YNODE_MAPPING);
        n = ynode_get(root, "command");
        ck_assert_int_eq(n->kind, YNODE_SEQUENCE);
        ck_assert_uint_eq(n->n, 3);
        ck_assert_str_eq(n->items[1]->value, "-D");
        ck_assert_int_eq(n->items[1]->line, 4);
        ck_assert_int_eq(n->items[1]->col, 30);
        ck_assert_ptr_null(ynode_get(root, "nope"));
        ck_assert(!ynode_is_null(ynode_get(root, "type")));
}
END_TEST

/* dir/name with text */
static void put_file(const char *dir, const char *name, const char *text)
{
        _cleanup_(freep) char *p = strdup_printf("%s/%s", dir, name);
        FILE *f = fopen(p, "we");

        ck_assert_ptr_nonnull(f);
        ck_assert_int_ge(fputs(text, f), 0);
        ck_assert_int_eq(fclose(f), 0);
}

/* The defaults digest of service name after loading dir/svd.yaml with
 * the defaults: block given. */
static void defaults_digest(const char *dir, const char *defaults, const char *name, uint8_t out[32])
{
        _cleanup_(freep) char *text = strdup_printf("services_dir: services\nstate_dir: state\nlog_dir: log\n"
                                                    "run_dir: run\ndefaults:\n%s",
                                                    defaults);
        _cleanup_(freep) char *main = strdup_printf("%s/svd.yaml", dir);
        struct cfg_errors e = { 0 };
        struct svd_config *c = NULL;
        bool found = false;

        put_file(dir, "svd.yaml", text);
        ck_assert_msg(config_load(main, &c, &e) == 0, "%s", e.n ? e.msgs[0] : "load failed");
        for (size_t i = 0; i < c->n_svcs; i++)
                if (strcmp(c->svcs[i].name, name) == 0) {
                        memcpy(out, c->svcs[i].defaults_digest, 32);
                        found = true;
                }
        ck_assert(found);
        config_free(c);
        cfg_errors_free(&e);
}

/* A change of the defaults: counts for a service (reload restarts it) only
 * where it changes what the service takes from them: not for a default it
 * overrides, nor for logging (applied live), nor for the same user spelled
 * another way. */
START_TEST(test_defaults_digest)
{
        char dir[] = "/tmp/check_config.XXXXXX";
        const struct passwd *pw = getpwuid(geteuid());
        uint8_t a[32], b[32];

        ck_assert_ptr_nonnull(mkdtemp(dir));
        ck_assert_ptr_nonnull(pw);
        _cleanup_(freep) char *sd = strdup_printf("%s/services", dir);
        ck_assert_int_eq(mkdir(sd, 0755), 0);
        put_file(sd, "plain.yaml", "command: [sleep, '1']\n");
        put_file(sd, "own.yaml", "command: [sleep, '1']\nrestart: always\nworking_dir: /tmp\n"
                                 "environment: { A: own }\n");

        /* overridden: own does not change, plain does */
        defaults_digest(dir, "  restart: 'no'\n", "own", a);
        defaults_digest(dir, "  restart: on-failure\n", "own", b);
        ck_assert_mem_eq(a, b, 32);
        defaults_digest(dir, "  restart: 'no'\n", "plain", a);
        defaults_digest(dir, "  restart: on-failure\n", "plain", b);
        ck_assert_mem_ne(a, b, 32);
        defaults_digest(dir, "  working_dir: /\n", "own", a);
        defaults_digest(dir, "  working_dir: /var\n", "own", b);
        ck_assert_mem_eq(a, b, 32);
        defaults_digest(dir, "  working_dir: /\n", "plain", a);
        defaults_digest(dir, "  working_dir: /var\n", "plain", b);
        ck_assert_mem_ne(a, b, 32);
        /* an environment variable it overrides, one it takes */
        defaults_digest(dir, "  environment: { A: '1' }\n", "own", a);
        defaults_digest(dir, "  environment: { A: '2' }\n", "own", b);
        ck_assert_mem_eq(a, b, 32);
        defaults_digest(dir, "  environment: { B: '1' }\n", "own", a);
        defaults_digest(dir, "  environment: { B: '2' }\n", "own", b);
        ck_assert_mem_ne(a, b, 32);
        /* logging applies live */
        defaults_digest(dir, "  logging: { max_size: 1M }\n", "plain", a);
        defaults_digest(dir, "  logging: { max_size: 2M, timestamps: false }\n", "plain", b);
        ck_assert_mem_eq(a, b, 32);
        /* the same user, by number and by name */
        _cleanup_(freep) char *by_uid = strdup_printf("  user: '%u'\n  group: '%u'\n", (unsigned)pw->pw_uid,
                                                      (unsigned)pw->pw_gid);
        _cleanup_(freep) char *by_name = strdup_printf("  user: %s\n  group: '%u'\n", pw->pw_name,
                                                       (unsigned)pw->pw_gid);
        defaults_digest(dir, by_uid, "plain", a);
        defaults_digest(dir, by_name, "plain", b);
        ck_assert_mem_eq(a, b, 32);

        _cleanup_(freep) char *rm = strdup_printf("rm -rf '%s'", dir);
        ck_assert_int_eq(system(rm), 0);
}
END_TEST

/* The whole file's digest and the one without logging: (the restart
 * decision) of dir's only service, web, written as text. */
static void svc_digests(const char *dir, const char *text, uint8_t whole[32], uint8_t restart[32])
{
        _cleanup_(freep) char *sd = strdup_printf("%s/services", dir);
        _cleanup_(freep) char *main = strdup_printf("%s/svd.yaml", dir);
        struct cfg_errors e = { 0 };
        struct svd_config *c = NULL;

        put_file(dir, "svd.yaml", "services_dir: services\nstate_dir: state\nlog_dir: log\nrun_dir: run\n");
        put_file(sd, "web.yaml", text);
        ck_assert_msg(config_load(main, &c, &e) == 0, "%s", e.n ? e.msgs[0] : "load failed");
        ck_assert_uint_eq(c->n_svcs, 1);
        memcpy(whole, c->svcs[0].digest, 32);
        memcpy(restart, c->svcs[0].restart_digest, 32);
        config_free(c);
        cfg_errors_free(&e);
}

/* A service's own logging: and resources: are left out of what restarts it
 * at reload (they apply live), not out of the file's digest; nothing else
 * is. */
START_TEST(test_restart_digest)
{
        char dir[] = "/tmp/check_config.XXXXXX";
        uint8_t w1[32], r1[32], w2[32], r2[32];

        ck_assert_ptr_nonnull(mkdtemp(dir));
        _cleanup_(freep) char *sd = strdup_printf("%s/services", dir);
        ck_assert_int_eq(mkdir(sd, 0755), 0);
        svc_digests(dir, "command: [sleep, '1']\n", w1, r1);
        svc_digests(dir, "command: [sleep, '1']\nlogging: { max_size: 2M, timestamps: false }\n", w2, r2);
        ck_assert_mem_ne(w1, w2, 32);
        ck_assert_mem_eq(r1, r2, 32);
        svc_digests(dir, "logging: { on_full: block }\ncommand: [sleep, '1']\n", w1, r1);
        ck_assert_mem_ne(w1, w2, 32);
        ck_assert_mem_eq(r1, r2, 32);
        /* anything else still counts, also a key named logging deeper down */
        svc_digests(dir, "command: [sleep, '2']\nlogging: { max_size: 2M, timestamps: false }\n", w1, r1);
        ck_assert_mem_ne(r1, r2, 32);
        svc_digests(dir, "command: [sleep, '1']\nresources: { memory_max: 64M }\n", w1, r1);
        svc_digests(dir, "resources: { memory_max: 128M, pids_max: 9 }\ncommand: [sleep, '1']\n", w2, r2);
        ck_assert_mem_ne(w1, w2, 32);
        ck_assert_mem_eq(r1, r2, 32);
        svc_digests(dir, "command: [sleep, '1']\nenvironment: { resources: x }\n", w1, r1);
        svc_digests(dir, "command: [sleep, '1']\nenvironment: { resources: y }\n", w2, r2);
        ck_assert_mem_ne(r1, r2, 32);
        svc_digests(dir, "command: [sleep, '1']\nenvironment: { logging: x }\n", w1, r1);
        svc_digests(dir, "command: [sleep, '1']\nenvironment: { logging: y }\n", w2, r2);
        ck_assert_mem_ne(r1, r2, 32);

        _cleanup_(freep) char *rm = strdup_printf("rm -rf '%s'", dir);
        ck_assert_int_eq(system(rm), 0);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("config");
        TCase *tc = tcase_create("load");

        tcase_add_test(tc, test_good);
        tcase_add_test(tc, test_builtin_defaults);
        tcase_add_test(tc, test_unknown_keys);
        tcase_add_test(tc, test_wrong_types);
        tcase_add_test(tc, test_bad_values);
        tcase_add_test(tc, test_deps);
        tcase_add_test(tc, test_dup_and_bad_names);
        tcase_add_test(tc, test_yaml_errors);
        tcase_add_test(tc, test_slices);
        tcase_add_test(tc, test_missing_files);
        tcase_add_test(tc, test_needs_root);
        tcase_add_test(tc, test_names_and_errors);
        tcase_add_test(tc, test_yaml_tree);
        tcase_add_test(tc, test_main_only);
        tcase_add_test(tc, test_defaults_digest);
        tcase_add_test(tc, test_restart_digest);
        suite_add_tcase(s, tc);
        return check_run(s);
}

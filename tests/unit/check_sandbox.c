/* check_sandbox: the sandbox configuration (config_sandbox.c) end to end
 * through config_load against tests/unit/fixtures/sandbox_*, the syscall
 * group table, and the parent-side plan (sandbox.c, sandbox_seccomp.c):
 * a filter that compiles, paths that must exist. Error lines are asserted
 * exactly, as svd --check prints them. */
#include <check.h>

#include "check_run.h"
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/capability.h>
#include <seccomp.h>

#include "config.h"
#include "sandbox.h"
#include "sandbox_groups.h"
#include "sandbox_report.h"

static struct svd_config *load(const char *scenario, struct cfg_errors *e)
{
        _cleanup_(freep) char *main = strdup_printf("%s/%s/svd.yaml", FIXTURES_DIR, scenario);
        struct svd_config *c = NULL;

        config_load(main, &c, e);
        return c;
}

static void expect_errors(const char *scenario, const char *const *expected)
{
        char dir[PATH_MAX];
        _cleanup_(freep) char *sd = strdup_printf("%s/%s", FIXTURES_DIR, scenario);
        struct cfg_errors e = { 0 };
        struct svd_config *c = load(scenario, &e);
        size_t n = 0;

        ck_assert_ptr_nonnull(realpath(sd, dir));
        while (expected[n])
                n++;
        for (size_t i = 0; i < e.n || i < n; i++) {
                _cleanup_(freep) char *want = i < n ? strdup_printf("%s/%s", dir, expected[i]) : NULL;

                ck_assert_msg(i < e.n && want && strcmp(e.msgs[i], want) == 0,
                              "%s error %zu:\n got: %s\nwant: %s", scenario, i,
                              i < e.n ? e.msgs[i] : "(none)", want ? want : "(none)");
        }
        ck_assert_ptr_null(c);
        cfg_errors_free(&e);
}

START_TEST(test_good)
{
        struct cfg_errors e = { 0 };
        struct svd_config *c = load("sandbox_good", &e);

        ck_assert_msg(c && e.n == 0, "%s", e.n ? e.msgs[0] : "load failed");
        const struct svc_config *w = config_find_svc(c, "web"), *p = config_find_svc(c, "plain"),
                                *k = config_find_svc(c, "killer");
        ck_assert_ptr_nonnull(w);
        ck_assert(!w->allow_root);
        ck_assert(w->has_umask);
        ck_assert_uint_eq(w->umask, 027);
        ck_assert_uint_eq(w->n_sup_gids, 1);
        /* limits, in table order: nofile nproc core memlock stack ... */
        ck_assert(w->limits[0].set);
        ck_assert_int_eq(w->limits[0].resource, RLIMIT_NOFILE);
        ck_assert_uint_eq(w->limits[0].soft, 1024);
        ck_assert_uint_eq(w->limits[0].hard, 4096);
        ck_assert_uint_eq(w->limits[1].soft, 512);
        ck_assert_uint_eq(w->limits[1].hard, 512);
        ck_assert_uint_eq(w->limits[2].soft, UINT64_MAX);
        ck_assert_uint_eq(w->limits[3].hard, 8u << 20);
        ck_assert(!w->limits[4].set);
        const struct sandbox_config *b = &w->sandbox;
        /* the ambient capability joins the bounding set */
        ck_assert_uint_eq(b->caps, (1ull << CAP_CHOWN) | (1ull << CAP_NET_BIND_SERVICE));
        ck_assert_uint_eq(b->ambient, 1ull << CAP_NET_BIND_SERVICE);
        ck_assert_int_eq(b->seccomp, SBX_SECCOMP_ALLOW);
        ck_assert_str_eq(b->syscalls[0], "@system-service");
        ck_assert_int_eq(b->errno_value, EACCES);
        ck_assert_int_eq(b->protect_system, SBX_PS_STRICT);
        ck_assert_int_eq(b->protect_home, SBX_PH_READ_ONLY);
        ck_assert(b->private_tmp);
        ck_assert_str_eq(b->read_write_paths[0], "/var/lib/web");
        ck_assert_str_eq(b->inaccessible_paths[0], "/boot");

        /* defaults: no capabilities, no_new_privs, the default profile */
        ck_assert(p->allow_root);
        ck_assert_uint_eq(p->sandbox.caps, 0);
        ck_assert(!p->sandbox.caps_all);
        ck_assert(p->sandbox.no_new_privileges);
        ck_assert_int_eq(p->sandbox.seccomp, SBX_SECCOMP_DEFAULT);
        ck_assert_int_eq(p->sandbox.action, SBX_ACTION_ERRNO);
        ck_assert_int_eq(p->sandbox.errno_value, EPERM);
        ck_assert_int_eq(p->sandbox.protect_system, SBX_PS_NO);

        ck_assert(k->sandbox.caps_all);
        ck_assert_int_eq(k->sandbox.seccomp, SBX_SECCOMP_DEFAULT);
        ck_assert_int_eq(k->sandbox.action, SBX_ACTION_KILL);
        config_free(c);
}
END_TEST

START_TEST(test_bad)
{
        static const char *const want[] = {
                "services/both.yaml:4:29: sandbox.read_only_paths[1]: also in read_write_paths (a path is "
                "one or the other)",
                "services/caps.yaml:3:40: sandbox.capabilities[1]: unknown capability 'CAP_FLY'",
                "services/caps.yaml:4:25: sandbox.ambient_capabilities: expected a list of capabilities "
                "(e.g. "
                "[CAP_NET_BIND_SERVICE])",
                "services/groups.yaml:4:22: sandbox.seccomp.deny[1]: unknown syscall group '@no-such-group'",
                "services/hidden.yaml:4:22: sandbox.read_write_paths[0]: hidden by protect_home (out of the "
                "service's reach)",
                "services/hidden.yaml:4:34: sandbox.read_write_paths[1]: hidden by inaccessible_paths (out of "
                "the service's reach)",
                "services/limits.yaml:2:8: umask: expected an octal mode 0000..0777 (e.g. 0027)",
                "services/limits.yaml:3:24: supplementary_groups[0]: unknown group 'no-such-group-svd'",
                "services/limits.yaml:5:19: limits.nofile.soft: must not exceed hard",
                "services/limits.yaml:6:10: limits.stack: expected a size (e.g. 8M), an integer or infinity",
                "services/limits.yaml:7:10: limits.nproc: expected both soft and hard",
                "services/limits.yaml:8:3: limits.files: unknown key (did you mean 'nofile'?)",
                "services/mode.yaml:3:12: sandbox.seccomp: unknown value 'sometimes' (expected default, "
                "none)",
                "services/syscall.yaml:3:28: sandbox.seccomp.allow[1]: unknown system call 'frobnicate'",
                "services/syscall.yaml:3:49: sandbox.seccomp.action: unknown value 'explode' (expected "
                "errno, kill, "
                "log)",
                "services/syscall.yaml:4:19: sandbox.protect_system: expected true, false, full or strict",
                "services/syscall.yaml:5:21: sandbox.read_only_paths[0]: expected an absolute path below /",
                "services/syscall.yaml:6:3: sandbox.privat_tmp: unknown key (did you mean 'private_tmp'?)",
                "services/tmp.yaml:4:34: sandbox.read_write_paths[1]: hidden by private_tmp (the service "
                "gets an "
                "empty /tmp)",
                "services/tmp.yaml:4:45: sandbox.read_write_paths[2]: hidden by private_tmp (the service "
                "gets an empty /tmp)",
                "services/tmp.yaml:4:55: sandbox.read_write_paths[3]: hidden by private_tmp (the service "
                "gets an empty /tmp)",
                NULL,
        };
        expect_errors("sandbox_bad", want);
}
END_TEST

/* allow_root: false and no_new_privileges: false are checked against the
 * uid the service runs as; "no user" means root only when svd is root. */
START_TEST(test_root_rules)
{
        static const char *const want[] = {
                "services/nnp.yaml:5:22: sandbox.no_new_privileges: false needs seccomp: none, or a root "
                "service "
                "keeping CAP_SYS_ADMIN",
                "services/root.yaml:2:13: allow_root: the service would run as root: set user: to an "
                "unprivileged user",
                NULL,
        };
        if (geteuid() != 0)
                return;
        expect_errors("sandbox_root", want);
}
END_TEST

/* whether group (or a group it names) lists call */
static bool group_has(const char *group, const char *call, int depth)
{
        const char *const *c = sbx_group_get(group);

        ck_assert_ptr_nonnull(c);
        ck_assert_int_lt(depth, 5);
        for (; *c; c++)
                if ((*c)[0] == '@' ? group_has(*c, call, depth + 1) : strcmp(*c, call) == 0)
                        return true;
        return false;
}

START_TEST(test_groups)
{
        /* every @reference and every default-deny group exists; the table's
         * core calls are known to libseccomp on this architecture */
        for (const char *const *g = sbx_group_names(); *g; g++) {
                const char *const *calls = sbx_group_get(*g);
                ck_assert_ptr_nonnull(calls);
                for (; *calls; calls++)
                        if ((*calls)[0] == '@')
                                ck_assert_msg(sbx_group_get(*calls), "%s: unknown group %s", *g, *calls);
        }
        for (const char *const *g = sbx_default_deny; *g; g++)
                ck_assert_msg(sbx_group_get(*g), "default deny group %s", *g);
        /* the groups svd.yaml(5) promises, and the default profile exactly */
        static const char *const promised[] = { "@system-service", "@privileged", "@mount",   "@module",
                                                "@raw-io",         "@reboot",     "@swap",    "@clock",
                                                "@debug",          "@obsolete",   "@cpu-emulation",
                                                "@keyring",        NULL };
        for (const char *const *g = promised; *g; g++)
                ck_assert_msg(sbx_group_get(*g), "group %s missing", *g);
        size_t nd = 0;
        for (const char *const *g = promised + 2; *g; g++, nd++)
                ck_assert_str_eq(sbx_default_deny[nd], *g);
        ck_assert_ptr_null(sbx_default_deny[nd]);
        /* @system-service, nested groups included, holds none of these */
        static const char *const never[] = { "mount", "reboot", "init_module", "swapon", "ptrace",
                                             "clock_settime", "ioperm", "modify_ldt", "kexec_load" };
        for (size_t i = 0; i < sizeof never / sizeof *never; i++)
                ck_assert_msg(!group_has("@system-service", never[i], 0), "@system-service has %s", never[i]);
        ck_assert(group_has("@system-service", "execve", 0));
        ck_assert(group_has("@privileged", "reboot", 0));
        static const char *const core[] = { "mount",  "reboot", "init_module", "swapon",
                                            "ptrace", "execve", "read" };
        for (size_t i = 0; i < sizeof core / sizeof *core; i++)
                ck_assert_int_ne(seccomp_syscall_resolve_name(core[i]), __NR_SCMP_ERROR);
        ck_assert_ptr_null(sbx_group_get("@nope"));
}
END_TEST

START_TEST(test_plan)
{
        struct cfg_errors e = { 0 };
        struct svd_config *c = load("sandbox_good", &e);
        struct sandbox_plan p = { 0 };
        char why[256] = "";

        ck_assert_ptr_nonnull(c);
        /* the default profile compiles to a BPF program; no mounts needed */
        ck_assert_int_eq(sandbox_plan_build(config_find_svc(c, "plain"), 0, &p, why, sizeof why), 0);
        ck_assert(p.seccomp);
        ck_assert_uint_gt(p.prog.len, 10);
        ck_assert(!p.mount_ns);
        ck_assert(p.no_new_privs);
        ck_assert(p.drop_bounding);
        ck_assert_uint_eq(p.keep, 0);
        ck_assert(!p.securebits);
        sandbox_plan_done(&p);
        /* a non-root service keeps its ambient set, securebits locked */
        const struct svc_config *w = config_find_svc(c, "web");
        int r = sandbox_plan_build(w, 65534, &p, why, sizeof why);
        if (access("/var/lib/web", F_OK) < 0) {
                /* an operator path that does not exist fails the start, named */
                ck_assert_int_eq(r, -ENOENT);
                ck_assert_str_eq(why, "mounts: read_write_paths: /var/lib/web: No such file or directory");
        } else {
                ck_assert_int_eq(r, 0);
        }
        sandbox_plan_done(&p);
        ck_assert_int_eq(sandbox_plan_build(config_find_svc(c, "killer"), 65534, &p, why, sizeof why), 0);
        ck_assert(!p.drop_bounding);
        ck_assert_uint_eq(p.permitted, 0);
        ck_assert(p.prog.len > 0);
        sandbox_plan_done(&p);
        config_free(c);
}
END_TEST

/* svctl show's securebits: what sandbox_plan_build applies, which an svd
 * that is not root cannot (nothing is set then, for any service). */
static const char *shown_securebits(const struct svc_config *sc, char *buf, size_t len)
{
        cJSON *o = sandbox_report_show(sc);
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "securebits");

        snprintf(buf, len, "%s", cJSON_IsString(v) ? v->valuestring : "(none)");
        cJSON_Delete(o);
        return buf;
}

START_TEST(test_show_securebits)
{
        struct cfg_errors e = { 0 };
        struct svd_config *c = load("sandbox_good", &e);
        const struct svc_config *w, *p;
        char buf[128];
        int status;
        pid_t pid;

        ck_assert_ptr_nonnull(c);
        w = config_find_svc(c, "web"); /* user: nobody */
        p = config_find_svc(c, "plain");
        ck_assert_ptr_nonnull(w);
        if (geteuid() == 0) {
                ck_assert_str_eq(shown_securebits(w, buf, sizeof buf), "noroot,no_setuid_fixup,keep_caps (locked)");
                ck_assert_str_eq(shown_securebits(p, buf, sizeof buf), "unchanged");
                /* the same configuration read by an svd running as nobody */
                fflush(NULL);
                ck_assert_int_ge(pid = fork(), 0);
                if (pid == 0) {
                        int ok = setresgid(65534, 65534, 65534) == 0 && setresuid(65534, 65534, 65534) == 0 &&
                                 strcmp(shown_securebits(w, buf, sizeof buf), "unchanged") == 0 &&
                                 strcmp(shown_securebits(p, buf, sizeof buf), "unchanged") == 0;
                        _exit(ok ? 0 : 1);
                }
                ck_assert_int_eq(waitpid(pid, &status, 0), pid);
                ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                              "an svd running as nobody shows locked securebits");
        } else {
                ck_assert_str_eq(shown_securebits(w, buf, sizeof buf), "unchanged");
                ck_assert_str_eq(shown_securebits(p, buf, sizeof buf), "unchanged");
        }
        config_free(c);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("sandbox");
        TCase *tc = tcase_create("config");

        tcase_add_test(tc, test_good);
        tcase_add_test(tc, test_bad);
        tcase_add_test(tc, test_root_rules);
        tcase_add_test(tc, test_groups);
        tcase_add_test(tc, test_plan);
        tcase_add_test(tc, test_show_securebits);
        suite_add_tcase(s, tc);
        return check_run(s);
}

/* check_config_values: what config_load refuses or warns about inside a
 * value that has the right type: an invisible character (a byte-order mark,
 * a zero-width space, a no-break space...) in a path, a program, a name; a
 * group or a capability listed twice; an empty profile set.
 * Each case is a service file (or main file) written to a scratch tree,
 * and the error is asserted as the exact line svd --check prints. */
#include <check.h>

#include "check_run.h"
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"

#define MAIN_BASE "services_dir: services\nstate_dir: state\nlog_dir: log\nrun_dir: run\n"

static char dir[PATH_MAX];

static void put_file(const char *name, const char *text)
{
        _cleanup_(freep) char *p = strdup_printf("%s/%s", dir, name);
        FILE *f = fopen(p, "we");

        ck_assert_ptr_nonnull(f);
        ck_assert_int_ge(fputs(text, f), 0);
        ck_assert_int_eq(fclose(f), 0);
}

static void setup(void)
{
        char t[] = "/tmp/check_config_values.XXXXXX";

        ck_assert_ptr_nonnull(mkdtemp(t));
        ck_assert_ptr_nonnull(realpath(t, dir));
        _cleanup_(freep) char *sd = strdup_printf("%s/services", dir);
        ck_assert_int_eq(mkdir(sd, 0755), 0);
}

static void teardown(void)
{
        _cleanup_(freep) char *rm = strdup_printf("rm -rf '%s'", dir);
        ck_assert_int_eq(system(rm), 0);
}

/* Loads main (the main file's text) with services/web.yaml holding svc
 * (none when NULL): config_load's result, its messages in e. */
static int load(const char *main, const char *svc, struct cfg_errors *e)
{
        _cleanup_(freep) char *mp = strdup_printf("%s/svd.yaml", dir);
        _cleanup_(freep) char *sp = strdup_printf("%s/services/web.yaml", dir);
        struct svd_config *c = NULL;
        int r;

        put_file("svd.yaml", main);
        unlink(sp);
        if (svc)
                put_file("services/web.yaml", svc);
        r = config_load(mp, &c, e);
        config_free(c);
        return r;
}

/* The one error of loading svc as services/web.yaml, "SVC:" in want
 * standing for that file's path ("MAIN:" for the main file's). */
static void expect_error(const char *main, const char *svc, const char *want)
{
        struct cfg_errors e = { 0 };
        int r = load(main, svc, &e);
        _cleanup_(freep) char *w = strncmp(want, "MAIN:", 5) == 0
                                           ? strdup_printf("%s/svd.yaml:%s", dir, want + 5)
                                           : strdup_printf("%s/services/web.yaml:%s", dir, want + 4);

        ck_assert_msg(r == -EINVAL && e.n == 1 && strcmp(e.msgs[0], w) == 0,
                      "for:\n%s\n got (%d, %zu errors): %s\nwant: %s", svc ? svc : main, r, e.n,
                      e.n ? e.msgs[0] : "(none)", w);
        cfg_errors_free(&e);
}

static void expect_svc_error(const char *svc, const char *want)
{
        expect_error(MAIN_BASE, svc, want);
}

static void expect_ok(const char *main, const char *svc)
{
        struct cfg_errors e = { 0 };
        int r = load(main, svc, &e);

        ck_assert_msg(r == 0 && e.n == 0, "refused:\n%s\n%s", svc ? svc : main, e.n ? e.msgs[0] : "");
        cfg_errors_free(&e);
}

/* An invisible character in a value svd or the kernel looks up as it is:
 * one test per class of value, each at the value's line and column, naming
 * the character and its byte. */
START_TEST(test_invisible_program)
{
        expect_svc_error("command: [\"/usr/bin/app\\uFEFF\", --port, \"80\"]\n",
                         "SVC:1:11: command[0]: invisible character \\uFEFF in program name at byte 13 "
                         "('/usr/bin/app\\uFEFF')");
        expect_svc_error(
                "command: [sleep, '1']\nhealthcheck:\n  exec: [\"\\u2060true\"]\n",
                "SVC:3:10: healthcheck.exec[0]: invisible character \\u2060 in program name at byte 1 "
                "('\\u2060true')");
        /* past U+FFFF: a tag character */
        expect_svc_error("command: [\"sle\\U000E0041ep\", '1']\n",
                         "SVC:1:11: command[0]: invisible character \\U000E0041 in program name at byte 4 "
                         "('sle\\U000E0041ep')");
}
END_TEST

START_TEST(test_invisible_names)
{
        expect_svc_error(
                "command: [sleep, '1']\nuser: \"\\u200Broot\"\n",
                "SVC:2:7: user: invisible character \\u200B in user name at byte 1 ('\\u200Broot')");
        expect_svc_error(
                "command: [sleep, '1']\ngroup: \"ro\\u00ADot\"\n",
                "SVC:2:8: group: invisible character \\u00AD in group name at byte 3 ('ro\\u00ADot')");
        expect_svc_error(
                "command: [sleep, '1']\nsupplementary_groups: [daemon, \"adm\\u200D\"]\n",
                "SVC:2:32: supplementary_groups[1]: invisible character \\u200D in group name at byte 4 "
                "('adm\\u200D')");
        expect_svc_error(
                "command: [sleep, '1']\ndepends_on: [\"db\\u202E\"]\n",
                "SVC:2:14: depends_on.db\\u202E: invisible character \\u202E in service name at byte 3 "
                "('db\\u202E')");
        expect_svc_error(
                "command: [sleep, '1']\ndepends_on:\n  \"\\uFEFFdb\": { condition: healthy }\n",
                "SVC:3:3: depends_on.\\uFEFFdb: invisible character \\uFEFF in service name at byte 1 "
                "('\\uFEFFdb')");
        expect_svc_error(
                "command: [sleep, '1']\nslice: \"app\\u00A0\"\n",
                "SVC:2:8: slice: invisible character \\u00A0 in slice name at byte 4 ('app\\u00A0')");
        expect_error(MAIN_BASE "admin_group: \"\\uFEFFadm\"\n", NULL,
                     "MAIN:5:14: admin_group: invisible character \\uFEFF in group name at byte 1 "
                     "('\\uFEFFadm')");
}
END_TEST

START_TEST(test_invisible_env_names)
{
        expect_svc_error(
                "command: [sleep, '1']\nenvironment: {\"A\\u200B\": x}\n",
                "SVC:2:15: environment.A\\u200B: invisible character \\u200B in variable name at byte 2 "
                "('A\\u200B')");
        expect_svc_error("command: [sleep, '1']\nenvironment: [\"B\\u200E=1\"]\n",
                         "SVC:2:15: environment[0]: invisible character \\u200E in variable name at byte 2 "
                         "('B\\u200E')");
        expect_error(
                MAIN_BASE "defaults:\n  environment: [\"\\u00A0C=1\"]\n", NULL,
                "MAIN:6:17: defaults.environment[0]: invisible character \\u00A0 in variable name at byte 1 "
                "('\\u00A0C')");
}
END_TEST

START_TEST(test_invisible_paths)
{
        expect_svc_error(
                "command: [sleep, '1']\nworking_dir: \"/srv/\\u00A0app\"\n",
                "SVC:2:14: working_dir: invisible character \\u00A0 in path at byte 6 ('/srv/\\u00A0app')");
        expect_svc_error("command: [sleep, '1']\nenv_file: \"/etc/app.env\\uFEFF\"\n",
                         "SVC:2:11: env_file: invisible character \\uFEFF in path at byte 13 "
                         "('/etc/app.env\\uFEFF')");
        expect_svc_error("command: [sleep, '1']\nlogging: { file: \"/var/log/\\u200Bapp.log\" }\n",
                         "SVC:2:18: logging.file: invisible character \\u200B in path at byte 10 "
                         "('/var/log/\\u200Bapp.log')");
        expect_error("services_dir: \"serv\\u2066ices\"\nstate_dir: state\nlog_dir: log\nrun_dir: run\n",
                     NULL,
                     "MAIN:1:15: services_dir: invisible character \\u2066 in path at byte 5 "
                     "('serv\\u2066ices')");
}
END_TEST

/* Free text a program receives may mean one: a no-break space in an
 * environment value or an argument is passed as written. */
START_TEST(test_invisible_allowed)
{
        expect_ok(MAIN_BASE "defaults:\n  environment: [\"D=\\u00A0\"]\n",
                  "command: [/bin/echo, \"a\\u00A0b\", \"\\uFEFF\"]\n"
                  "environment: {A: \"x\\u00A0y\"}\n"
                  "healthcheck:\n  exec: [/bin/test, \"\\u200B\"]\n"
                  "description: \"caf\\u00E9\"\n");
        expect_ok(MAIN_BASE, "command: [sleep, '1']\nenvironment: [\"B=\\u200Bz\", \"C=\\uFEFF\"]\n");
        /* one string for sh -c is the shell's text */
        expect_ok(MAIN_BASE, "shell: true\ncommand: \"echo \\u00A0\"\n");
        /* a letter is not invisible */
        expect_ok(MAIN_BASE, "command: [\"/opt/caf\\u00E9/bin/app\"]\nworking_dir: \"/srv/\\u65E5\"\n");
}
END_TEST

/* A group named twice, by name or by gid, is an error at the repetition;
 * distinct groups pass. */
START_TEST(test_dup_groups)
{
        expect_svc_error("command: [sleep, '1']\nsupplementary_groups:\n  - adm\n  - daemon\n  - adm\n",
                         "SVC:5:5: supplementary_groups[2]: duplicate group 'adm' (first on line 3)");
        expect_svc_error("command: [sleep, '1']\nsupplementary_groups: [daemon, \"1\"]\n",
                         "SVC:2:32: supplementary_groups[1]: duplicate group '1' (first on line 2)");
        expect_ok(MAIN_BASE, "command: [sleep, '1']\nsupplementary_groups: [daemon, adm, \"2\"]\n");
}
END_TEST

/* The same for a capability, in either case, in capabilities and in
 * ambient_capabilities. */
START_TEST(test_dup_caps)
{
        expect_svc_error(
                "command: [sleep, '1']\nsandbox:\n  capabilities:\n    - CAP_CHOWN\n    - CAP_KILL\n"
                "    - cap_chown\n",
                "SVC:6:7: sandbox.capabilities[2]: duplicate capability 'cap_chown' (first on line 4)");
        expect_svc_error("command: [sleep, '1']\nsandbox: { ambient_capabilities: [CAP_KILL, CAP_KILL] }\n",
                         "SVC:2:45: sandbox.ambient_capabilities[1]: duplicate capability 'CAP_KILL' "
                         "(first on line 2)");
        /* the same one in both lists is not a repetition */
        expect_ok(MAIN_BASE, "command: [sleep, '1']\nsandbox:\n  capabilities: [CAP_KILL, CAP_CHOWN]\n"
                             "  ambient_capabilities: [CAP_KILL]\n");
}
END_TEST

/* An empty profile set selects nothing: loaded (it may be meant), with a
 * warning at the list. */
START_TEST(test_empty_profile_set)
{
        struct cfg_errors e = { 0 };
        _cleanup_(freep) char *w = strdup_printf(
                "%s/svd.yaml:6:10: warning: profile_sets.quiet: empty list: selects no service", dir);

        ck_assert_int_eq(load(MAIN_BASE "profile_sets:\n  quiet: []\n  edge: [core]\n", NULL, &e), 0);
        ck_assert_uint_eq(e.n, 0);
        ck_assert_msg(e.n_warns == 1 && strcmp(e.warns[0], w) == 0, "got %zu warnings: %s\nwant: %s",
                      e.n_warns, e.n_warns ? e.warns[0] : "(none)", w);
        cfg_errors_free(&e);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("config_values");
        TCase *tc = tcase_create("values");

        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, test_invisible_program);
        tcase_add_test(tc, test_invisible_names);
        tcase_add_test(tc, test_invisible_env_names);
        tcase_add_test(tc, test_invisible_paths);
        tcase_add_test(tc, test_invisible_allowed);
        tcase_add_test(tc, test_dup_groups);
        tcase_add_test(tc, test_dup_caps);
        tcase_add_test(tc, test_empty_profile_set);
        suite_add_tcase(s, tc);
        return check_run(s);
}

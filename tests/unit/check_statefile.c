/* The state a killed svd left (statefile.h, statecheck.h): a file from
 * another boot is not taken over; numbers out of the range of what they
 * are read into (a damaged file) are refused, naming the field, before any
 * conversion (run under the sanitizers, a conversion of such a number is
 * an error of its own); so are fields of the wrong type, another format
 * version, and a service state with a process but no pid. svd's own pid
 * and start time are read as /proc shows them, also where /proc is
 * another PID namespace's, and a state whose writer still runs is not
 * taken over. */
#include <check.h>

#include "check_run.h"
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "statecheck.h"
#include "statefile.h"

/* One directory for the whole run (each test runs in a child of this
 * process): a failed test leaves nothing behind either. */
static char dir[] = "/tmp/check_statefile.XXXXXX";
static struct svd_config cfg;

static void remove_files(void)
{
        char p[128];
        snprintf(p, sizeof(p), "%s/state.json", dir);
        unlink(p);
        snprintf(p, sizeof(p), "%s/state.json.unreadable", dir);
        unlink(p);
}

static void setup(void)
{
        cfg.run_dir = dir;
        remove_files();
}

static void put_state(const char *text)
{
        char p[128];
        snprintf(p, sizeof(p), "%s/state.json", dir);
        FILE *f = fopen(p, "w");
        ck_assert_ptr_nonnull(f);
        fputs(text, f);
        fclose(f);
}

static bool exists(const char *name)
{
        char p[128];
        snprintf(p, sizeof(p), "%s/%s", dir, name);
        return access(p, F_OK) == 0;
}

/* A state of a dead svd (pid 0: none to ask about) with `extra` fields. */
static cJSON *load_with(const char *extra)
{
        char text[512];
        snprintf(text, sizeof(text),
                 "{\"format\":\"svd-state\",\"version\":1,\"saved_mono\":1000,\"svd_pid\":0,\"svd_start\":5%s%s,"
                 "\"services\":[]}",
                 *extra ? "," : "", extra);
        put_state(text);
        return statefile_load_orphaned(&cfg);
}

START_TEST(test_boot_id)
{
        const char *ours = statefile_boot_id();
        char extra[128];
        cJSON *j;
        if (!ours) /* no /proc here: nothing to compare, nothing to test */
                return;
        ck_assert_uint_eq(strlen(ours), 36);
        snprintf(extra, sizeof(extra), "\"boot_id\":\"%s\"", ours);
        j = load_with(extra);
        ck_assert_msg(j != NULL, "a state of this boot is taken over");
        cJSON_Delete(j);
        /* another boot's: not taken over, and left where it is */
        j = load_with("\"boot_id\":\"00000000-0000-4000-8000-000000000000\"");
        ck_assert_msg(j == NULL, "a state of another boot is not taken over");
        ck_assert(exists("state.json"));
        /* an older svd's (no boot id): as before */
        j = load_with("");
        ck_assert_msg(j != NULL, "a state without a boot id is taken over");
        cJSON_Delete(j);
        /* a boot id that is not a string: damage */
        j = load_with("\"boot_id\":7");
        ck_assert(j == NULL);
        ck_assert(exists("state.json.unreadable"));
}
END_TEST

/* Top-level numbers that are read into integers: out of range, the whole
 * file is refused (and kept aside). */
static const char *const bad_root[] = {
        "\"svd_start\":1e300",  "\"svd_start\":-1",        "\"svd_start\":1e999",
        "\"svd_pid\":1e300",    "\"svd_pid\":-5",          "\"saved_mono\":1e300",
        "\"boot\":{\"mono\":1e300}", "\"boot\":{\"real\":-1}", "\"boot\":{\"done_mono\":9.3e18}",
        "\"fds\":{\"control\":1e10}",
};

START_TEST(test_root_range)
{
        const char *extra = bad_root[_i];
        /* first: cJSON reads the first of duplicate keys */
        char text[512];
        snprintf(text, sizeof(text), "{%s,\"format\":\"svd-state\",\"version\":1,\"svd_pid\":0,\"services\":[]}",
                 extra);
        put_state(text);
        cJSON *j = statefile_load_orphaned(&cfg);
        ck_assert_msg(j == NULL, "taken over with %s", extra);
        ck_assert_msg(exists("state.json.unreadable"), "%s: not kept aside", extra);
        cJSON *p = cJSON_Parse(text);
        const char *field = NULL;
        ck_assert_int_eq(statecheck_root(p, &field), -ERANGE);
        ck_assert_ptr_nonnull(field);
        ck_assert_msg(strstr(extra, strrchr(field, '.') ? strrchr(field, '.') + 1 : field) != NULL,
                      "%s: named %s", extra, field);
        cJSON_Delete(p);
}
END_TEST

/* Top-level numbers of another type (read as absent they would be read as
 * 0: a saved_mono "5" made the journal's lines unread), and files that are
 * not a state this svd reads: another format or version (a downgrade), no
 * services list. Each refused and kept aside. */
static const char *const bad_root_type[] = {
        "\"saved_mono\":\"1000\"",
        "\"svd_start\":true",
        "\"boot\":{\"mono\":\"5\"}",
        "\"fds\":{\"control\":[3]}",
};

START_TEST(test_root_type)
{
        char text[512];
        snprintf(text, sizeof(text),
                 "{%s,\"format\":\"svd-state\",\"version\":1,\"svd_pid\":0,\"services\":[]}",
                 bad_root_type[_i]);
        put_state(text);
        cJSON *j = statefile_load_orphaned(&cfg);
        ck_assert_msg(j == NULL, "taken over with %s", bad_root_type[_i]);
        ck_assert(exists("state.json.unreadable"));
        cJSON *p = cJSON_Parse(text);
        const char *field = NULL;
        ck_assert_int_eq(statecheck_root(p, &field), -EINVAL);
        ck_assert_str_eq(statecheck_what(-EINVAL), "of the wrong type");
        cJSON_Delete(p);
}
END_TEST

static const char *const bad_format[] = {
        "{\"format\":\"svd-state\",\"version\":2,\"svd_pid\":0,\"services\":[]}",
        "{\"format\":\"svd-state\",\"version\":0,\"svd_pid\":0,\"services\":[]}",
        "{\"format\":\"svd-state\",\"svd_pid\":0,\"services\":[]}",
        "{\"format\":\"other\",\"version\":1,\"svd_pid\":0,\"services\":[]}",
        "{\"version\":1,\"svd_pid\":0,\"services\":[]}",
        "{\"format\":\"svd-state\",\"version\":1,\"svd_pid\":0}",
        "{\"format\":\"svd-state\",\"version\":1,\"svd_pid\":0,\"services\":{\"name\":\"a\"}}",
};

START_TEST(test_root_format)
{
        put_state(bad_format[_i]);
        cJSON *j = statefile_load_orphaned(&cfg);
        ck_assert_msg(j == NULL, "taken over: %s", bad_format[_i]);
        ck_assert_msg(exists("state.json.unreadable"), "not kept aside: %s", bad_format[_i]);
}
END_TEST

/* A service entry as svd writes it: every number in range. */
static const char good_svc[] =
        "{\"name\":\"a\",\"state\":\"running\",\"pid\":1234,\"pgid\":1234,\"since_real\":1700000000000000,"
        "\"since_mono\":5000000,\"health_since_real\":0,\"spawned_mono\":5000000,\"up_mono\":5000000,"
        "\"first_spawn_mono\":4000000,\"restarts\":3,\"attempt\":1,\"starts\":[4000000,5000000],"
        "\"exit_status\":-1,\"stop_outcome\":0,\"probe_failures\":0,\"probe_pid\":0,\"last_probe_real\":0,\"oom_seen\":0,"
        "\"oom_kills\":0,\"oom_at_spawn\":0,\"pending_status\":0,\"timer_left\":-1,\"start_left\":250000,\"watchdog_left\":-1,"
        "\"pid_start\":123456,"
        "\"log\":{\"out\":{\"rfd\":7,\"wfd\":8,\"piece_bytes\":2114},\"err\":{\"rfd\":9,\"wfd\":10},\"dropped_bytes\":0,"
        "\"gap_bytes\":5,\"gap_lines\":1,\"gap_err\":0,\"pending_lines\":2,\"pending_raw\":100},"
        "\"timer\":{\"spawn_mono\":1,\"last_run\":2,\"last_duration\":3,\"runs\":4,\"skipped\":5,"
        "\"next_base\":6,\"next_at\":7}}";

START_TEST(test_svc_good)
{
        cJSON *o = cJSON_Parse(good_svc);
        const char *field = NULL;
        ck_assert_ptr_nonnull(o);
        ck_assert_int_eq(statecheck_svc(o, &field), 0);
        cJSON_Delete(o);
}
END_TEST

/* Each (path, value): the good entry with that one number replaced. */
static const struct {
        const char *path;
        double v;
} bad_svc[] = {
        { "pid", 1e300 },           { "pid", -2 },                 { "pgid", 4294967296.0 },
        { "pid_start", -1 },        { "pid_start", 1e20 },         { "since_real", 1e300 },
        { "since_mono", -1 },       { "health_since_real", 1e19 }, { "spawned_mono", 1e300 },
        { "up_mono", -0.5 },        { "first_spawn_mono", 1e300 }, { "restarts", 4294967296.0 },
        { "attempt", -1 },          { "exit_status", 3e9 },        { "exit_status", -3e9 },
        { "stop_outcome", 3 },      { "stop_outcome", -1 },        { "probe_failures", 1e300 },
        { "probe_pid", -1 },        { "probe_pid", 4294967296.0 },
        { "last_probe_real", -1 },  { "oom_seen", 1e300 },         { "oom_kills", -1 },
        { "oom_at_spawn", 1e300 },
        { "pending_status", 1e300 }, { "timer_left", -2 },         { "start_left", 1e300 },
        { "watchdog_left", INFINITY }, { "log.out.rfd", 1e300 },   { "log.err.wfd", -1e300 },
        { "log.out.piece_bytes", -1 },
        { "log.dropped_bytes", 1e300 }, { "log.gap_bytes", -1 },   { "log.gap_lines", 1e300 },
        { "log.gap_err", 1e300 },   { "log.pending_lines", 1e300 }, { "log.pending_raw", -1 },
        { "timer.spawn_mono", 1e300 }, { "timer.last_run", 1e300 }, { "timer.last_duration", -1 },
        { "timer.runs", 1e300 },    { "timer.skipped", -1 },       { "timer.next_base", 1e300 },
        { "timer.next_at", 1e300 },
        /* init is no service's process; a pid is a whole number */
        { "pid", 1 },               { "pgid", 1 },                 { "probe_pid", 1 },
        { "pid", 1234.5 },
};

START_TEST(test_svc_range)
{
        cJSON *o = cJSON_Parse(good_svc), *at = o;
        char path[64], *seg, *save = NULL;
        const char *field = NULL;
        ck_assert_ptr_nonnull(o);
        snprintf(path, sizeof(path), "%s", bad_svc[_i].path);
        for (seg = strtok_r(path, ".", &save); seg; seg = strtok_r(NULL, ".", &save)) {
                cJSON *next = cJSON_GetObjectItemCaseSensitive(at, seg);
                ck_assert_ptr_nonnull(next);
                if (cJSON_IsNumber(next)) {
                        cJSON_SetNumberValue(next, bad_svc[_i].v);
                        break;
                }
                at = next;
        }
        ck_assert_msg(statecheck_svc(o, &field) == -ERANGE, "%s = %g accepted", bad_svc[_i].path, bad_svc[_i].v);
        ck_assert_str_eq(field, bad_svc[_i].path);
        cJSON_Delete(o);
}
END_TEST

/* Each (path, JSON): the good entry with that field replaced by a value
 * of another type, or a state the entry cannot be in; the error. A pid
 * "1234" was read as 0: the service was restored running with no
 * process, for ever, and its process ran on unwatched. */
static const struct {
        const char *path, *json;
        int err;
} bad_svc_type[] = {
        { "pid", "\"1234\"", -EINVAL },       { "pid", "null", -EINVAL },     { "pgid", "true", -EINVAL },
        { "pid_start", "\"1\"", -EINVAL },    { "restarts", "[1]", -EINVAL },
        { "exit_status", "{}", -EINVAL },
        { "state", "3", -EINVAL },            { "state", "\"runing\"", -EINVAL },
        { "pid", "0", -ESRCH },               { "starts", "[1,\"2\"]", -EINVAL },
        { "name", "5", -EINVAL },             { "name", "null", -EINVAL },
};

START_TEST(test_svc_type)
{
        cJSON *o = cJSON_Parse(good_svc);
        const char *field = NULL;
        ck_assert_ptr_nonnull(o);
        ck_assert(cJSON_ReplaceItemInObjectCaseSensitive(o, bad_svc_type[_i].path,
                                                         cJSON_Parse(bad_svc_type[_i].json)));
        int r = statecheck_svc(o, &field);
        ck_assert_msg(r == bad_svc_type[_i].err, "%s = %s: %d", bad_svc_type[_i].path, bad_svc_type[_i].json,
                      r);
        ck_assert_str_eq(field, bad_svc_type[_i].path);
        cJSON_Delete(o);
}
END_TEST

/* What may be without a pid: a state with no process, a running one whose
 * exit is pending (its cgroup still had processes), an entry with no
 * pid at all that is stopped. */
START_TEST(test_svc_no_pid)
{
        static const char *const states[] = { "stopped", "waiting", "backoff", "failed", "exited" };
        const char *field = NULL;
        for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
                cJSON *o = cJSON_Parse(good_svc);
                cJSON_ReplaceItemInObjectCaseSensitive(o, "pid", cJSON_CreateNumber(0));
                cJSON_ReplaceItemInObjectCaseSensitive(o, "state", cJSON_CreateString(states[i]));
                ck_assert_msg(statecheck_svc(o, &field) == 0, "%s without a pid refused", states[i]);
                cJSON_Delete(o);
        }
        cJSON *o = cJSON_Parse(good_svc);
        cJSON_ReplaceItemInObjectCaseSensitive(o, "pid", cJSON_CreateNumber(0));
        cJSON_AddTrueToObject(o, "exit_pending");
        ck_assert_int_eq(statecheck_svc(o, &field), 0);
        cJSON_DeleteItemFromObjectCaseSensitive(o, "exit_pending");
        cJSON_DeleteItemFromObjectCaseSensitive(o, "pid");
        ck_assert_int_eq(statecheck_svc(o, &field), -ESRCH);
        ck_assert_str_eq(statecheck_what(-ESRCH), "missing for its state");
        cJSON_ReplaceItemInObjectCaseSensitive(o, "state", cJSON_CreateString("stopped"));
        ck_assert_int_eq(statecheck_svc(o, &field), 0);
        /* an entry of no service's (it would be stopped as one no longer
         * configured, under the name "?") */
        cJSON_DeleteItemFromObjectCaseSensitive(o, "name");
        ck_assert_int_eq(statecheck_svc(o, &field), -ENOENT);
        ck_assert_str_eq(field, "name");
        ck_assert_str_eq(statecheck_what(-ENOENT), "missing");
        cJSON_Delete(o);
}
END_TEST

START_TEST(test_svc_starts)
{
        cJSON *o = cJSON_Parse(good_svc);
        const char *field = NULL;
        cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(o, "starts"), cJSON_CreateNumber(1e300));
        ck_assert_int_eq(statecheck_svc(o, &field), -ERANGE);
        ck_assert_str_eq(field, "starts");
        cJSON_Delete(o);
}
END_TEST

START_TEST(test_self_proc)
{
        if (access("/proc/self/stat", R_OK) < 0) /* no /proc here: nothing to compare */
                return;
        ck_assert_int_eq(statefile_self_pid(), getpid());
        ck_assert_uint_gt(statefile_self_start(), 0);
        ck_assert_uint_eq(statefile_self_start(), statefile_pid_start(getpid()));
}
END_TEST

/* PID 1 of a new PID namespace that still sees the host's /proc:
 * /proc/getpid() is the host's init, /proc/self this process. The unshare
 * is done in a child of the test: after it, the test process could fork no
 * more once that namespace's init is gone, and LeakSanitizer's check at
 * exit forks (it failed the test under ASan). */
static int self_pidns_child(void)
{
        int p[2], st;
        pid_t c, seen = 0;
        if (unshare(CLONE_NEWPID) < 0)
                return 77; /* not permitted here (not root): nothing to test */
        if (pipe(p) < 0 || (c = fork()) < 0)
                return 2;
        if (c == 0) {
                pid_t self = statefile_self_pid();
                unsigned long long start = statefile_self_start();
                bool ok = getpid() == 1 && start > 0 && statefile_pid_start(self) == start &&
                          statefile_pid_start(getpid()) != start;
                ssize_t n = write(p[1], &self, sizeof(self));
                _exit(ok && n == (ssize_t)sizeof(self) ? 0 : 1);
        }
        close(p[1]);
        if (read(p[0], &seen, sizeof(seen)) != (ssize_t)sizeof(seen) || waitpid(c, &st, 0) != c)
                return 3;
        if (seen != c)
                return 4;
        return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 5;
}

START_TEST(test_self_pidns)
{
        int st;
        if (access("/proc/self/stat", R_OK) < 0)
                return;
        pid_t outer = fork();
        ck_assert_int_ge(outer, 0);
        if (outer == 0)
                _exit(self_pidns_child());
        ck_assert_int_eq(waitpid(outer, &st, 0), outer);
        ck_assert(WIFEXITED(st));
        if (WEXITSTATUS(st) == 77)
                return;
        ck_assert_int_eq(WEXITSTATUS(st), 0);
}
END_TEST

static cJSON *load_writer(pid_t pid, unsigned long long start)
{
        char text[256];
        snprintf(text, sizeof(text),
                 "{\"format\":\"svd-state\",\"version\":1,\"saved_mono\":1000,\"svd_pid\":%d,"
                 "\"svd_start\":%llu,\"services\":[]}",
                 (int)pid, start);
        put_state(text);
        return statefile_load_orphaned(&cfg);
}

/* The writer still runs (the same pid and start time): not taken over; a
 * reused pid (another start time) is; this very process (a daemon-reexec's
 * fallback) is. */
START_TEST(test_writer_alive)
{
        cJSON *j;
        pid_t c;
        int st;
        if (access("/proc/self/stat", R_OK) < 0)
                return;
        c = fork();
        ck_assert_int_ge(c, 0);
        if (c == 0) {
                pause();
                _exit(0);
        }
        unsigned long long cs = statefile_pid_start(c);
        ck_assert_uint_gt(cs, 0);
        ck_assert_ptr_null(load_writer(c, cs));
        j = load_writer(c, cs + 1);
        ck_assert_ptr_nonnull(j);
        cJSON_Delete(j);
        j = load_writer(statefile_self_pid(), statefile_self_start());
        ck_assert_ptr_nonnull(j);
        cJSON_Delete(j);
        kill(c, SIGKILL);
        waitpid(c, &st, 0);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("statefile");
        TCase *tc = tcase_create("statefile");
        tcase_add_checked_fixture(tc, setup, NULL);
        tcase_add_test(tc, test_boot_id);
        tcase_add_loop_test(tc, test_root_range, 0, (int)(sizeof(bad_root) / sizeof(bad_root[0])));
        tcase_add_test(tc, test_svc_good);
        tcase_add_loop_test(tc, test_svc_range, 0, (int)(sizeof(bad_svc) / sizeof(bad_svc[0])));
        tcase_add_test(tc, test_svc_starts);
        tcase_add_loop_test(tc, test_root_type, 0, (int)(sizeof(bad_root_type) / sizeof(bad_root_type[0])));
        tcase_add_loop_test(tc, test_root_format, 0, (int)(sizeof(bad_format) / sizeof(bad_format[0])));
        tcase_add_loop_test(tc, test_svc_type, 0, (int)(sizeof(bad_svc_type) / sizeof(bad_svc_type[0])));
        tcase_add_test(tc, test_svc_no_pid);
        tcase_add_test(tc, test_self_proc);
        tcase_add_test(tc, test_self_pidns);
        tcase_add_test(tc, test_writer_alive);
        suite_add_tcase(s, tc);
        if (!mkdtemp(dir))
                return EXIT_FAILURE;
        int r = check_run(s);
        remove_files();
        rmdir(dir);
        return r;
}

/* Walks every (state, event) pair of the service state machine, under the
 * fact combinations that change its answer, and checks both the next state
 * and the actions against an explicit table. */
#include <check.h>

#include "check_run.h"
#include <stdlib.h>

#include "state.h"

struct expect {
        enum svc_state next;
        unsigned act;
};

/* Facts: dependencies met, simple service, exit was a failure, policy
 * restarts, limit not hit. */
static const struct sm_ctx base = {.deps_met = true, .restart = true};

#define S(st, a) {st, a}
static const struct expect table[_ST_MAX][_SE_MAX] = {
        [ST_STOPPED] = {
                [SE_START] = S(ST_STARTING, ACT_SPAWN | ACT_RESET), [SE_STOP] = S(ST_STOPPED, 0),
                [SE_DEPS_MET] = S(ST_STOPPED, 0), [SE_DEP_FAILED] = S(ST_STOPPED, 0),
                [SE_SPAWNED] = S(ST_STOPPED, 0), [SE_SPAWN_FAILED] = S(ST_STOPPED, 0),
                [SE_READY] = S(ST_STOPPED, 0), [SE_EXIT] = S(ST_STOPPED, 0), [SE_TIMER] = S(ST_STOPPED, 0),
                [SE_RELOADING] = S(ST_STOPPED, 0), [SE_STOPPING] = S(ST_STOPPED, 0),
        },
        [ST_WAITING] = {
                [SE_START] = S(ST_WAITING, 0), [SE_STOP] = S(ST_STOPPED, 0),
                [SE_DEPS_MET] = S(ST_STARTING, ACT_SPAWN), [SE_DEP_FAILED] = S(ST_FAILED, 0),
                [SE_SPAWNED] = S(ST_WAITING, 0), [SE_SPAWN_FAILED] = S(ST_WAITING, 0),
                [SE_READY] = S(ST_WAITING, 0), [SE_EXIT] = S(ST_WAITING, 0), [SE_TIMER] = S(ST_WAITING, 0),
                [SE_RELOADING] = S(ST_WAITING, 0), [SE_STOPPING] = S(ST_WAITING, 0),
        },
        [ST_STARTING] = {
                [SE_START] = S(ST_STARTING, 0), [SE_STOP] = S(ST_STOPPING, ACT_SIGNAL_STOP),
                [SE_DEPS_MET] = S(ST_STARTING, 0), [SE_DEP_FAILED] = S(ST_STARTING, 0),
                /* (restart: a transient spawn failure the policy retries) */
                [SE_SPAWNED] = S(ST_RUNNING, 0), [SE_SPAWN_FAILED] = S(ST_BACKOFF, ACT_ARM_BACKOFF),
                [SE_READY] = S(ST_RUNNING, 0), [SE_EXIT] = S(ST_BACKOFF, ACT_ARM_BACKOFF),
                [SE_TIMER] = S(ST_STARTING, 0),
                [SE_RELOADING] = S(ST_STARTING, 0), [SE_STOPPING] = S(ST_STOPPING, ACT_ARM_STOP),
        },
        [ST_RUNNING] = {
                [SE_START] = S(ST_RUNNING, 0), [SE_STOP] = S(ST_STOPPING, ACT_SIGNAL_STOP),
                [SE_DEPS_MET] = S(ST_RUNNING, 0), [SE_DEP_FAILED] = S(ST_RUNNING, 0),
                [SE_SPAWNED] = S(ST_RUNNING, 0), [SE_SPAWN_FAILED] = S(ST_RUNNING, 0),
                [SE_READY] = S(ST_RUNNING, 0), [SE_EXIT] = S(ST_BACKOFF, ACT_ARM_BACKOFF),
                [SE_TIMER] = S(ST_RUNNING, 0),
                [SE_RELOADING] = S(ST_RELOADING, 0), [SE_STOPPING] = S(ST_STOPPING, ACT_ARM_STOP),
        },
        [ST_STOPPING] = {
                [SE_START] = S(ST_STOPPING, 0), [SE_STOP] = S(ST_STOPPING, 0),
                [SE_DEPS_MET] = S(ST_STOPPING, 0), [SE_DEP_FAILED] = S(ST_STOPPING, 0),
                [SE_SPAWNED] = S(ST_STOPPING, 0), [SE_SPAWN_FAILED] = S(ST_STOPPING, 0),
                [SE_READY] = S(ST_STOPPING, 0), [SE_EXIT] = S(ST_STOPPED, ACT_CANCEL_TIMER),
                [SE_TIMER] = S(ST_STOPPING, ACT_SIGNAL_KILL),
                [SE_RELOADING] = S(ST_STOPPING, 0), [SE_STOPPING] = S(ST_STOPPING, 0),
        },
        [ST_BACKOFF] = {
                [SE_START] = S(ST_STARTING, ACT_CANCEL_TIMER | ACT_RESET | ACT_SPAWN),
                [SE_STOP] = S(ST_STOPPED, ACT_CANCEL_TIMER),
                [SE_DEPS_MET] = S(ST_BACKOFF, 0), [SE_DEP_FAILED] = S(ST_BACKOFF, 0),
                [SE_SPAWNED] = S(ST_BACKOFF, 0), [SE_SPAWN_FAILED] = S(ST_BACKOFF, 0),
                [SE_READY] = S(ST_BACKOFF, 0), [SE_EXIT] = S(ST_BACKOFF, 0),
                [SE_TIMER] = S(ST_STARTING, ACT_SPAWN),
                [SE_RELOADING] = S(ST_BACKOFF, 0), [SE_STOPPING] = S(ST_BACKOFF, 0),
        },
        [ST_FAILED] = {
                [SE_START] = S(ST_STARTING, ACT_SPAWN | ACT_RESET), [SE_STOP] = S(ST_STOPPED, 0),
                [SE_DEPS_MET] = S(ST_FAILED, 0), [SE_DEP_FAILED] = S(ST_FAILED, 0),
                [SE_SPAWNED] = S(ST_FAILED, 0), [SE_SPAWN_FAILED] = S(ST_FAILED, 0),
                [SE_READY] = S(ST_FAILED, 0), [SE_EXIT] = S(ST_FAILED, 0), [SE_TIMER] = S(ST_FAILED, 0),
                [SE_RELOADING] = S(ST_FAILED, 0), [SE_STOPPING] = S(ST_FAILED, 0),
        },
        [ST_EXITED] = {
                [SE_START] = S(ST_STARTING, ACT_SPAWN | ACT_RESET), [SE_STOP] = S(ST_STOPPED, 0),
                [SE_DEPS_MET] = S(ST_EXITED, 0), [SE_DEP_FAILED] = S(ST_EXITED, 0),
                [SE_SPAWNED] = S(ST_EXITED, 0), [SE_SPAWN_FAILED] = S(ST_EXITED, 0),
                [SE_READY] = S(ST_EXITED, 0), [SE_EXIT] = S(ST_EXITED, 0), [SE_TIMER] = S(ST_EXITED, 0),
                [SE_RELOADING] = S(ST_EXITED, 0), [SE_STOPPING] = S(ST_EXITED, 0),
        },
        [ST_RELOADING] = {
                [SE_START] = S(ST_RELOADING, 0), [SE_STOP] = S(ST_STOPPING, ACT_SIGNAL_STOP),
                [SE_DEPS_MET] = S(ST_RELOADING, 0), [SE_DEP_FAILED] = S(ST_RELOADING, 0),
                [SE_SPAWNED] = S(ST_RELOADING, 0), [SE_SPAWN_FAILED] = S(ST_RELOADING, 0),
                [SE_READY] = S(ST_RUNNING, 0), [SE_EXIT] = S(ST_BACKOFF, ACT_ARM_BACKOFF),
                [SE_TIMER] = S(ST_RELOADING, 0),
                [SE_RELOADING] = S(ST_RELOADING, 0), [SE_STOPPING] = S(ST_STOPPING, ACT_ARM_STOP),
        },
};

START_TEST(test_every_pair) {
        for (int st = 0; st < _ST_MAX; st++)
                for (int ev = 0; ev < _SE_MAX; ev++) {
                        unsigned act = 0;
                        enum svc_state n = sm_next(st, ev, &base, &act);
                        ck_assert_msg(n == table[st][ev].next && act == table[st][ev].act,
                                      "%s + %s: got %s/0x%x, want %s/0x%x", svc_state_name(st),
                                      svc_event_name(ev), svc_state_name(n), act,
                                      svc_state_name(table[st][ev].next), table[st][ev].act);
                }
}
END_TEST

/* Whatever the facts, the machine never leaves the state set, and it asks
 * for a spawn only when it enters starting. */
START_TEST(test_invariants_all_facts) {
        for (unsigned bits = 0; bits < 512; bits++) {
                struct sm_ctx c = {
                        .deps_met = bits & 1, .needs_ready = bits & 2, .oneshot = bits & 4,
                        .exit_ok = bits & 8, .restart = bits & 16, .limit_hit = bits & 32,
                        .fail_stop = bits & 64, .kill_sent = bits & 128, .self_end = bits & 256,
                };
                for (int st = 0; st < _ST_MAX; st++)
                        for (int ev = 0; ev < _SE_MAX; ev++) {
                                unsigned act = 0;
                                enum svc_state n = sm_next(st, ev, &c, &act);
                                ck_assert_int_lt(n, _ST_MAX);
                                if (act & ACT_SPAWN)
                                        ck_assert_int_eq(n, ST_STARTING);
                                if (act & ACT_ARM_BACKOFF)
                                        ck_assert_int_eq(n, ST_BACKOFF);
                                if (act & (ACT_SIGNAL_STOP | ACT_ARM_STOP))
                                        ck_assert_int_eq(n, ST_STOPPING);
                                if (act & ACT_ABANDON)
                                        ck_assert_int_eq(n, ST_FAILED);
                        }
        }
}
END_TEST

/* A main process that outlives SIGKILL: the stop timer's next expiry gives
 * up on it instead of waiting for an exit that may never come. */
START_TEST(test_kill_then_abandon) {
        unsigned act = 0;
        struct sm_ctx c = base;
        ck_assert_int_eq(sm_next(ST_STOPPING, SE_TIMER, &c, &act), ST_STOPPING);
        ck_assert_uint_eq(act, ACT_SIGNAL_KILL);
        c.kill_sent = true;
        act = 0;
        ck_assert_int_eq(sm_next(ST_STOPPING, SE_TIMER, &c, &act), ST_FAILED);
        ck_assert_uint_eq(act, ACT_ABANDON);
        act = 0; /* an exit that comes in time is a normal stop */
        ck_assert_int_eq(sm_next(ST_STOPPING, SE_EXIT, &c, &act), ST_STOPPED);
}
END_TEST

START_TEST(test_exit_outcomes) {
        unsigned act = 0;
        struct sm_ctx c = {.exit_ok = true};
        ck_assert_int_eq(sm_next(ST_RUNNING, SE_EXIT, &c, &act), ST_EXITED);
        c = (struct sm_ctx){.exit_ok = false};
        ck_assert_int_eq(sm_next(ST_RUNNING, SE_EXIT, &c, &act), ST_FAILED);
        c = (struct sm_ctx){.restart = true, .limit_hit = true};
        act = 0;
        ck_assert_int_eq(sm_next(ST_RUNNING, SE_EXIT, &c, &act), ST_FAILED);
        ck_assert_uint_eq(act, 0);
        /* a spawn failure: failed unless transient and retried (svc.c) */
        c = (struct sm_ctx){.deps_met = true};
        act = 0;
        ck_assert_int_eq(sm_next(ST_STARTING, SE_SPAWN_FAILED, &c, &act), ST_FAILED);
        ck_assert_uint_eq(act, 0);
        c = (struct sm_ctx){.deps_met = true, .restart = true};
        act = 0;
        ck_assert_int_eq(sm_next(ST_STARTING, SE_SPAWN_FAILED, &c, &act), ST_BACKOFF);
        ck_assert_uint_eq(act, ACT_ARM_BACKOFF);
        /* oneshot success completes */
        c = (struct sm_ctx){.oneshot = true, .needs_ready = true, .exit_ok = true};
        ck_assert_int_eq(sm_next(ST_STARTING, SE_EXIT, &c, &act), ST_EXITED);
        /* notify/oneshot stays starting after spawn */
        ck_assert_int_eq(sm_next(ST_STARTING, SE_SPAWNED, &c, &act), ST_STARTING);
        /* a stop that was a failure (unhealthy, watchdog) restarts by policy;
         * a failed start timeout does not restart */
        c = (struct sm_ctx){.fail_stop = true, .restart = true};
        act = 0;
        ck_assert_int_eq(sm_next(ST_STOPPING, SE_EXIT, &c, &act), ST_BACKOFF);
        ck_assert_uint_eq(act, ACT_CANCEL_TIMER | ACT_ARM_BACKOFF);
        c = (struct sm_ctx){.fail_stop = true, .restart = false};
        act = 0;
        ck_assert_int_eq(sm_next(ST_STOPPING, SE_EXIT, &c, &act), ST_FAILED);
        c = (struct sm_ctx){.fail_stop = true, .restart = true, .limit_hit = true};
        ck_assert_int_eq(sm_next(ST_STOPPING, SE_EXIT, &c, &act), ST_FAILED);
        /* the end it announced (STOPPING=1, exit 0): restarted when the
         * policy wants it (always), else stopped (on-failure, no) */
        c = (struct sm_ctx){.self_end = true, .exit_ok = true, .restart = true};
        act = 0;
        ck_assert_int_eq(sm_next(ST_STOPPING, SE_EXIT, &c, &act), ST_BACKOFF);
        ck_assert_uint_eq(act, ACT_CANCEL_TIMER | ACT_ARM_BACKOFF);
        c = (struct sm_ctx){.self_end = true, .exit_ok = true, .restart = true, .limit_hit = true};
        act = 0;
        ck_assert_int_eq(sm_next(ST_STOPPING, SE_EXIT, &c, &act), ST_FAILED);
        c = (struct sm_ctx){.self_end = true, .exit_ok = true, .restart = false};
        act = 0;
        ck_assert_int_eq(sm_next(ST_STOPPING, SE_EXIT, &c, &act), ST_STOPPED);
        ck_assert_uint_eq(act, ACT_CANCEL_TIMER);
        /* not met: start waits, backoff expiry waits */
        c = (struct sm_ctx){.deps_met = false};
        act = 0;
        ck_assert_int_eq(sm_next(ST_STOPPED, SE_START, &c, &act), ST_WAITING);
        ck_assert_uint_eq(act, ACT_RESET);
        act = 0;
        ck_assert_int_eq(sm_next(ST_BACKOFF, SE_TIMER, &c, &act), ST_WAITING);
        ck_assert_uint_eq(act, 0);
}
END_TEST

START_TEST(test_names) {
        for (int st = 0; st < _ST_MAX; st++)
                ck_assert_int_eq(svc_state_from_name(svc_state_name(st)), st);
        ck_assert_int_lt(svc_state_from_name("bogus"), 0);
        ck_assert_str_eq(svc_state_name(ST_BACKOFF), "backoff");
        ck_assert_str_eq(svc_health_name(HEALTH_UNHEALTHY), "unhealthy");
        for (int ev = 0; ev < _SE_MAX; ev++)
                ck_assert_str_ne(svc_event_name(ev), "invalid");
}
END_TEST

int main(void) {
        Suite *s = suite_create("state");
        TCase *tc = tcase_create("core");
        tcase_add_test(tc, test_every_pair);
        tcase_add_test(tc, test_invariants_all_facts);
        tcase_add_test(tc, test_kill_then_abandon);
        tcase_add_test(tc, test_exit_outcomes);
        tcase_add_test(tc, test_names);
        suite_add_tcase(s, tc);
        return check_run(s);
}

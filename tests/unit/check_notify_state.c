/* Which sd_notify datagrams change a state (notify_msg_changes_state): those
 * are acted on even over a service's flood budget; the rest may be dropped. */
#include <check.h>

#include "check_run.h"
#include <errno.h>
#include <string.h>

#include "notify.h"

static bool changes(const char *text) {
        struct notify_msg msg;
        ck_assert_int_eq(notify_parse(text, strlen(text), &msg), 0);
        return notify_msg_changes_state(&msg);
}

START_TEST(test_state_keys) {
        ck_assert(changes("READY=1"));
        ck_assert(changes("STOPPING=1"));
        ck_assert(changes("RELOADING=1"));
        ck_assert(changes("WATCHDOG=1"));
        ck_assert(changes("WATCHDOG=trigger"));
        ck_assert(changes("MAINPID=42"));
        ck_assert(changes("ERRNO=5"));
        ck_assert(changes("EXTEND_TIMEOUT_USEC=1000000"));
        ck_assert(changes("STATUS=busy\nREADY=1"));
        ck_assert(changes("STATUS=a\nSTATUS=b\nERRNO=2\n"));
}
END_TEST

START_TEST(test_no_state) {
        ck_assert(!changes("STATUS=working"));
        ck_assert(!changes(""));
        ck_assert(!changes("FOO=bar\nSTATUS=x"));
        /* not the keys themselves: a value is needed, or exactly this one */
        ck_assert(!changes("ERRNO="));
        ck_assert(!changes("EXTEND_TIMEOUT_USEC="));
        ck_assert(!changes("WATCHDOG=triggered"));
        ck_assert(!changes("READY=0"));
        ck_assert(!changes("STATUS=READY=1"));
}
END_TEST

/* EXTEND_TIMEOUT_USEC= carries its microseconds (a day at most);
 * anything but digits makes the datagram malformed. */
START_TEST(test_extend_trigger) {
        struct notify_msg msg;
        ck_assert_int_eq(notify_parse("EXTEND_TIMEOUT_USEC=2500000", 27, &msg), 0);
        ck_assert_uint_eq(msg.extend_usec, 2500000);
        const char *big = "EXTEND_TIMEOUT_USEC=99999999999999999999999999";
        ck_assert_int_eq(notify_parse(big, strlen(big), &msg), 0);
        ck_assert_uint_eq(msg.extend_usec, NOTIFY_EXTEND_MAX);
        ck_assert_int_eq(notify_parse("EXTEND_TIMEOUT_USEC=12x", 23, &msg), -EINVAL);
        ck_assert_int_eq(notify_parse("EXTEND_TIMEOUT_USEC=-1", 22, &msg), -EINVAL);
        ck_assert_int_eq(notify_parse("WATCHDOG=trigger", 16, &msg), 0);
        ck_assert(msg.watchdog_trigger && !msg.watchdog);
}
END_TEST

/* An empty STATUS= clears the text (systemd does): it is one, not ignored. */
START_TEST(test_status_empty) {
        struct notify_msg msg;
        ck_assert_int_eq(notify_parse("STATUS=", 7, &msg), 0);
        ck_assert(msg.has_status);
        ck_assert_str_eq(msg.status, "");
        ck_assert_int_eq(notify_parse("STATUS=busy\nSTATUS=", 19, &msg), 0);
        ck_assert(msg.has_status);
        ck_assert_str_eq(msg.status, "");
        ck_assert(!notify_msg_changes_state(&msg));
}
END_TEST

int main(void) {
        Suite *s = suite_create("notify_state");
        TCase *tc = tcase_create("core");
        tcase_add_test(tc, test_state_keys);
        tcase_add_test(tc, test_no_state);
        tcase_add_test(tc, test_status_empty);
        tcase_add_test(tc, test_extend_trigger);
        suite_add_tcase(s, tc);
        return check_run(s);
}

/* Which sd_notify datagrams change a state (notify_msg_changes_state): those
 * are acted on even over a service's flood budget; the rest may be dropped. */
#include <check.h>

#include "check_run.h"
#include <errno.h>
#include <stdio.h>
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
        ck_assert(changes("WATCHDOG_USEC=5000000"));
        ck_assert(changes("WATCHDOG_USEC=0")); /* (the watchdog off) */
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
        ck_assert(!changes("WATCHDOG_USEC="));
        ck_assert(!changes("WATCHDOG_USEC=5s"));
        ck_assert(!changes("WATCHDOG=triggered"));
        ck_assert(!changes("READY=0"));
        ck_assert(!changes("STATUS=READY=1"));
        /* FDSTORE=1 is only logged (svd keeps no descriptors) */
        ck_assert(!changes("FDSTORE=1\nFDNAME=db"));
}
END_TEST

/* FDSTORE=1 is recognised exactly (its descriptors are refused with a
 * warning), FDSTOREREMOVE=1 and FDSTORE=0 are not it. */
START_TEST(test_fdstore_key) {
        struct notify_msg msg;
        ck_assert_int_eq(notify_parse("FDSTORE=1\nFDNAME=db\nREADY=1", 27, &msg), 0);
        ck_assert(msg.fdstore && msg.ready);
        ck_assert_int_eq(notify_parse("FDSTOREREMOVE=1\nFDNAME=db", 25, &msg), 0);
        ck_assert(!msg.fdstore);
        ck_assert_int_eq(notify_parse("FDSTORE=0", 9, &msg), 0);
        ck_assert(!msg.fdstore);
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
        ck_assert_int_eq(notify_parse("EXTEND_TIMEOUT_USEC=12x", 23, &msg), 0);
        ck_assert_uint_eq(msg.extend_usec, 0);
        ck_assert_str_eq(msg.bad_key, "EXTEND_TIMEOUT_USEC");
        ck_assert_int_eq(notify_parse("EXTEND_TIMEOUT_USEC=-1", 22, &msg), 0);
        ck_assert_str_eq(msg.bad_key, "EXTEND_TIMEOUT_USEC");
        ck_assert_int_eq(notify_parse("WATCHDOG=trigger", 16, &msg), 0);
        ck_assert(msg.watchdog_trigger && !msg.watchdog);
}
END_TEST

/* WATCHDOG_USEC= carries its microseconds, 0 too (systemd's "off"); one
 * over a day is kept as just over it (refused when applied); anything but
 * digits, or nothing, is an invalid value. */
START_TEST(test_watchdog_usec) {
        struct notify_msg msg;
        ck_assert_int_eq(notify_parse("WATCHDOG_USEC=500000\nWATCHDOG=1", 31, &msg), 0);
        ck_assert(msg.has_watchdog_usec && msg.watchdog);
        ck_assert_uint_eq(msg.watchdog_usec, 500000);
        ck_assert_ptr_null(msg.bad_key);
        ck_assert_int_eq(notify_parse("WATCHDOG_USEC=0", 15, &msg), 0);
        ck_assert(msg.has_watchdog_usec);
        ck_assert_uint_eq(msg.watchdog_usec, 0);
        const char *big = "WATCHDOG_USEC=18446744073709551615";
        ck_assert_int_eq(notify_parse(big, strlen(big), &msg), 0);
        ck_assert_uint_eq(msg.watchdog_usec, NOTIFY_EXTEND_MAX + 1);
        const char *bad[] = { "WATCHDOG_USEC=", "WATCHDOG_USEC=12x", "WATCHDOG_USEC=-1",
                              "WATCHDOG_USEC= 5" };
        for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
                ck_assert_int_eq(notify_parse(bad[i], strlen(bad[i]), &msg), 0);
                ck_assert_msg(!msg.has_watchdog_usec, "%s taken", bad[i]);
                ck_assert_str_eq(msg.bad_key, "WATCHDOG_USEC");
        }
}
END_TEST

/* MAINPID= takes digits only, 1 to INT_MAX. A key with an invalid value is
 * ignored and named; the rest of the datagram still counts (systemd's way). */
START_TEST(test_bad_value_ignored) {
        struct notify_msg msg;
        const char *ok = "MAINPID=2147483647";
        ck_assert_int_eq(notify_parse(ok, strlen(ok), &msg), 0);
        ck_assert_int_eq(msg.mainpid, 2147483647);
        ck_assert_ptr_null(msg.bad_key);
        const char *bad[] = {"MAINPID=+42", "MAINPID= 42", "MAINPID=42 ", "MAINPID=0", "MAINPID=2147483648",
                             "MAINPID=99999999999999999999", "MAINPID=-1", "MAINPID=4x"};
        for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
                char text[80];
                snprintf(text, sizeof(text), "READY=1\n%s\nSTATUS=up", bad[i]);
                ck_assert_int_eq(notify_parse(text, strlen(text), &msg), 0);
                ck_assert_msg(msg.mainpid == 0, "%s taken as %d", bad[i], (int)msg.mainpid);
                ck_assert_str_eq(msg.bad_key, "MAINPID");
                ck_assert(msg.ready && msg.has_status);
                ck_assert_str_eq(msg.status, "up");
        }
        /* a NUL byte anywhere but at the very end still makes the whole
         * datagram malformed */
        ck_assert_int_eq(notify_parse("READY=1\n\0\0", 10, &msg), -EINVAL);
        ck_assert_int_eq(notify_parse("READY=1\n\0\n", 10, &msg), -EINVAL);
        ck_assert_int_eq(notify_parse("READY=1\0STATUS=x", 16, &msg), -EINVAL);
        ck_assert_int_eq(notify_parse("\0READY=1", 8, &msg), -EINVAL);
}
END_TEST

/* One NUL as the last byte is the C string's terminator, sent by senders
 * that count it (systemd's manager takes those): the message counts. */
START_TEST(test_trailing_nul) {
        struct notify_msg msg;
        ck_assert_int_eq(notify_parse("READY=1\0", 8, &msg), 0);
        ck_assert(msg.ready);
        ck_assert_int_eq(notify_parse("STATUS=up\nREADY=1\n\0", 19, &msg), 0);
        ck_assert(msg.ready && msg.has_status);
        ck_assert_str_eq(msg.status, "up");
        ck_assert_int_eq(notify_parse("\0", 1, &msg), 0);
        ck_assert(!msg.ready && !notify_msg_changes_state(&msg));
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
        tcase_add_test(tc, test_watchdog_usec);
        tcase_add_test(tc, test_bad_value_ignored);
        tcase_add_test(tc, test_trailing_nul);
        tcase_add_test(tc, test_fdstore_key);
        suite_add_tcase(s, tc);
        return check_run(s);
}

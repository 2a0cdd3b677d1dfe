/* utf8: the one UTF-8 checker. Strict decoding (overlongs, surrogates, past
 * U+10FFFF, truncated sequences), where control characters are found, cuts
 * on a character boundary and cleaning (U+FFFD, \xHH escapes, bounded
 * output). */
#include <check.h>

#include "check_run.h"
#include <string.h>

#include "utf8.h"

#define S(lit) lit, sizeof(lit) - 1

START_TEST(test_char)
{
        uint32_t cp = 0;
        ck_assert_uint_eq(utf8_char(S("a"), &cp), 1);
        ck_assert_uint_eq(cp, 'a');
        ck_assert_uint_eq(utf8_char(S("\xc3\xa9"), &cp), 2); /* é */
        ck_assert_uint_eq(cp, 0xe9);
        ck_assert_uint_eq(utf8_char(S("\xe2\x82\xac"), &cp), 3); /* € */
        ck_assert_uint_eq(cp, 0x20ac);
        ck_assert_uint_eq(utf8_char(S("\xf0\x9f\x98\x80"), &cp), 4); /* U+1F600 */
        ck_assert_uint_eq(cp, 0x1f600);
        ck_assert_uint_eq(utf8_char(S("\xf4\x8f\xbf\xbf"), &cp), 4); /* U+10FFFF, the last */
        ck_assert_uint_eq(cp, 0x10ffff);
        ck_assert_uint_eq(utf8_char(S("\xed\x9f\xbf"), &cp), 3); /* U+D7FF, just below the surrogates */
        ck_assert_uint_eq(utf8_char("", 0, &cp), 0);
}
END_TEST

START_TEST(test_invalid)
{
        /* overlongs: '/' in 2, 3 and 4 bytes, U+07FF in 3, U+FFFF in 4 */
        ck_assert_uint_eq(utf8_char(S("\xc0\xaf"), NULL), 0);
        ck_assert_uint_eq(utf8_char(S("\xc1\xbf"), NULL), 0);
        ck_assert_uint_eq(utf8_char(S("\xe0\x80\xaf"), NULL), 0);
        ck_assert_uint_eq(utf8_char(S("\xf0\x80\x80\xaf"), NULL), 0);
        ck_assert_uint_eq(utf8_char(S("\xe0\x9f\xbf"), NULL), 0);
        ck_assert_uint_eq(utf8_char(S("\xf0\x8f\xbf\xbf"), NULL), 0);
        /* surrogates U+D800, U+DBFF, U+DC00, U+DFFF */
        ck_assert_uint_eq(utf8_char(S("\xed\xa0\x80"), NULL), 0);
        ck_assert_uint_eq(utf8_char(S("\xed\xaf\xbf"), NULL), 0);
        ck_assert_uint_eq(utf8_char(S("\xed\xb0\x80"), NULL), 0);
        ck_assert_uint_eq(utf8_char(S("\xed\xbf\xbf"), NULL), 0);
        /* past U+10FFFF: U+110000, and leads that can only start one */
        ck_assert_uint_eq(utf8_char(S("\xf4\x90\x80\x80"), NULL), 0);
        ck_assert_uint_eq(utf8_char(S("\xf5\x80\x80\x80"), NULL), 0);
        ck_assert_uint_eq(utf8_char(S("\xf8\x88\x80\x80\x80"), NULL), 0);
        ck_assert_uint_eq(utf8_char(S("\xff"), NULL), 0);
        /* truncated: a lead without all its continuation bytes */
        ck_assert_uint_eq(utf8_char(S("\xc3"), NULL), 0);
        ck_assert_uint_eq(utf8_char(S("\xe2\x82"), NULL), 0);
        ck_assert_uint_eq(utf8_char(S("\xf0\x9f\x98"), NULL), 0);
        ck_assert_uint_eq(utf8_char(S("\xe2\x82" "a"), NULL), 0);
        /* a lone continuation byte */
        ck_assert_uint_eq(utf8_char(S("\x80"), NULL), 0);
        ck_assert_uint_eq(utf8_char(S("\xbf"), NULL), 0);

        ck_assert(utf8_valid(S("plain \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80")));
        ck_assert(utf8_valid("", 0));
        ck_assert(!utf8_valid(S("ok then \xc0\xaf")));
        ck_assert(!utf8_valid(S("\xed\xa0\x80\xed\xb0\x80"))); /* a CESU-8 pair */
        ck_assert(!utf8_valid(S("cut \xe2\x82")));
}
END_TEST

START_TEST(test_ctrl)
{
        ck_assert(utf8_is_ctrl(0));
        ck_assert(utf8_is_ctrl(0x1b));
        ck_assert(utf8_is_ctrl(0x7f));
        ck_assert(utf8_is_ctrl(0x80));
        ck_assert(utf8_is_ctrl(0x9b)); /* CSI */
        ck_assert(utf8_is_ctrl(0x9f));
        ck_assert(!utf8_is_ctrl(' '));
        ck_assert(!utf8_is_ctrl(0xa0));
        ck_assert(!utf8_is_ctrl(0x20ac));

        ck_assert_uint_eq(utf8_bad(S("fine caf\xc3\xa9"), 0), sizeof("fine caf\xc3\xa9") - 1);
        ck_assert_uint_eq(utf8_bad(S("ab\x1b[31m"), 0), 2);
        ck_assert_uint_eq(utf8_bad(S("ab\xc2\x9b" "31m"), 0), 2); /* C1 CSI, as UTF-8 */
        ck_assert_uint_eq(utf8_bad(S("ab\xc2\x85"), 0), 2);       /* NEL */
        ck_assert_uint_eq(utf8_bad(S("ab\x7f"), 0), 2);
        ck_assert_uint_eq(utf8_bad(S("abc\x9b"), 0), 3); /* a raw 8-bit CSI is invalid UTF-8 */
        ck_assert_uint_eq(utf8_bad(S("a\tb\nc"), 0), 1);
        ck_assert_uint_eq(utf8_bad(S("a\tb\nc"), UTF8_KEEP_TAB), 3);
        ck_assert_uint_eq(utf8_bad(S("a\tb\nc"), UTF8_KEEP_TAB | UTF8_KEEP_NL), 5);
        ck_assert_uint_eq(utf8_bad(S("a\x1b\xc2\x9b"), UTF8_KEEP_CTRL), 4);
        /* NUL is bad whatever is kept */
        ck_assert_uint_eq(utf8_bad(S("a\0b"), UTF8_KEEP_CTRL), 1);
}
END_TEST

START_TEST(test_cut)
{
        const char *e = "ab\xe2\x82\xac" "cd"; /* a b € c d */
        ck_assert_uint_eq(utf8_cut(e, 7, 100), 7);
        ck_assert_uint_eq(utf8_cut(e, 7, 7), 7);
        ck_assert_uint_eq(utf8_cut(e, 7, 6), 6);
        ck_assert_uint_eq(utf8_cut(e, 7, 5), 5);
        ck_assert_uint_eq(utf8_cut(e, 7, 4), 2); /* never inside the € */
        ck_assert_uint_eq(utf8_cut(e, 7, 3), 2);
        ck_assert_uint_eq(utf8_cut(e, 7, 2), 2);
        ck_assert_uint_eq(utf8_cut(e, 7, 0), 0);
        /* s already ends inside a character (a vsnprintf cut): left out */
        ck_assert_uint_eq(utf8_cut("ab\xe2\x82", 4, 3), 2);
        ck_assert_uint_eq(utf8_cut("ab\xf0\x9f\x98", 5, 4), 2);
        /* invalid bytes are characters of their own: no backing up over them */
        ck_assert_uint_eq(utf8_cut("a\xff\xff\xff" "b", 5, 3), 3);
        ck_assert_uint_eq(utf8_cut("a\x80\x80\x80" "b", 5, 3), 3);
}
END_TEST

START_TEST(test_clean)
{
        char out[128];
        size_t n;

        n = utf8_clean(S("caf\xc3\xa9 \xe2\x82\xac"), out, sizeof out, 0);
        ck_assert_str_eq(out, "caf\xc3\xa9 \xe2\x82\xac");
        ck_assert_uint_eq(n, strlen(out));
        /* each invalid byte one U+FFFD: overlong, surrogate, past U+10FFFF, truncated */
        utf8_clean(S("a\xc0\xaf" "b"), out, sizeof out, 0);
        ck_assert_str_eq(out, "a\xef\xbf\xbd\xef\xbf\xbd" "b");
        utf8_clean(S("\xed\xa0\x80"), out, sizeof out, 0);
        ck_assert_str_eq(out, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
        utf8_clean(S("\xf4\x90\x80\x80!"), out, sizeof out, 0);
        ck_assert_str_eq(out, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd!");
        utf8_clean(S("x\xe2\x82"), out, sizeof out, 0);
        ck_assert_str_eq(out, "x\xef\xbf\xbd\xef\xbf\xbd");
        /* controls: C0, DEL and C1 escaped by code point; a raw 0x9b is invalid */
        utf8_clean(S("\x1b[31mred\x7f\xc2\x9b" "2J\x9b\r\n"), out, sizeof out, 0);
        ck_assert_str_eq(out, "\\x1b[31mred\\x7f\\x9b2J\xef\xbf\xbd\\x0d\\x0a");
        utf8_clean(S("a\tb\nc\r"), out, sizeof out, UTF8_KEEP_TAB | UTF8_KEEP_NL);
        ck_assert_str_eq(out, "a\tb\nc\\x0d");
        /* NUL: U+FFFD even when controls are kept (for JSON) */
        utf8_clean(S("a\0\x1b\xc2\x85\xff"), out, sizeof out, UTF8_KEEP_CTRL);
        ck_assert_str_eq(out, "a\xef\xbf\xbd\x1b\xc2\x85\xef\xbf\xbd");
        /* the worst case fits UTF8_CLEAN_MAX */
        char big[UTF8_CLEAN_MAX(8)];
        n = utf8_clean(S("\x01\x02\x03\x04\x05\x06\x07\x08"), big, sizeof big, 0);
        ck_assert_uint_eq(n, 32);
        ck_assert_uint_eq(strlen(big), 32);
        /* utf8_clean_len: what a whole copy takes */
        ck_assert_uint_eq(utf8_clean_len(S("\x01\x02\x03\x04\x05\x06\x07\x08"), 0), 32);
        ck_assert_uint_eq(utf8_clean_len(S("a\xff\xc2\x9b\xe2\x82\xac\t"), 0), 1 + 3 + 4 + 3 + 4);
        ck_assert_uint_eq(utf8_clean_len(S("a\xff\xc2\x9b\xe2\x82\xac\t"), UTF8_KEEP_CTRL), 1 + 3 + 2 + 3 + 1);
        ck_assert_uint_eq(utf8_clean_len("", 0, 0), 0);
}
END_TEST

START_TEST(test_clean_bounded)
{
        char out[6];
        /* stops before what does not fit whole: never half a character or escape */
        ck_assert_uint_eq(utf8_clean(S("ab\xe2\x82\xac" "cd"), out, sizeof out, 0), 5);
        ck_assert_str_eq(out, "ab\xe2\x82\xac");
        ck_assert_uint_eq(utf8_clean(S("abc\xe2\x82\xac"), out, sizeof out, 0), 3);
        ck_assert_str_eq(out, "abc");
        ck_assert_uint_eq(utf8_clean(S("ab\x1b"), out, sizeof out, 0), 2);
        ck_assert_str_eq(out, "ab");
        ck_assert_uint_eq(utf8_clean(S("abc\xff"), out, sizeof out, 0), 3);
        ck_assert_str_eq(out, "abc");
        ck_assert_uint_eq(utf8_clean(S("abc"), out, 1, 0), 0);
        ck_assert_str_eq(out, "");
        /* the result is always valid and free of controls */
        char all[256], res[UTF8_CLEAN_MAX(256)];
        for (int i = 0; i < 256; i++)
                all[i] = (char)(255 - i);
        size_t n = utf8_clean(all, sizeof all, res, sizeof res, 0);
        ck_assert_uint_eq(n, utf8_clean_len(all, sizeof all, 0));
        ck_assert(utf8_valid(res, n));
        ck_assert_uint_eq(utf8_bad(res, n, 0), n);
}
END_TEST

/* Invisible: Cf, the spaces other than U+0020 and the blank fillers; a
 * letter, an unassigned code point between two Cf runs and a visible
 * symbol are not. utf8_invisible finds the first, past invalid bytes. */
START_TEST(test_invisible)
{
        static const uint32_t yes[] = { 0xa0,   0xad,   0x61c,   0x200b,  0x200d,  0x200e,
                                        0x202e, 0x2060, 0x2066,  0x2069,  0x3000,  0xfeff,
                                        0x3164, 0xffa0, 0x1d173, 0xe0001, 0xe0020, 0xe007f };
        static const uint32_t no[] = { 0x20, 0x9f, 0xe9, 0x2010, 0x2065, 0x20ac, 0xfffd, 0x1f600, 0xe0002 };
        uint32_t cp = 0;

        for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
                ck_assert_msg(utf8_is_invisible(yes[i]), "U+%04X", (unsigned)yes[i]);
        for (size_t i = 0; i < sizeof no / sizeof *no; i++)
                ck_assert_msg(!utf8_is_invisible(no[i]), "U+%04X", (unsigned)no[i]);
        ck_assert_uint_eq(utf8_invisible(S("caf\xc3\xa9 /srv"), &cp), 10);
        ck_assert_uint_eq(utf8_invisible(S("ab\xe2\x80\x8b"), &cp), 2);
        ck_assert_uint_eq(cp, 0x200b);
        ck_assert_uint_eq(utf8_invisible(S("\xff\xc2\xa0"), &cp), 1); /* (0xff skipped) */
        ck_assert_uint_eq(cp, 0xa0);
        ck_assert_uint_eq(utf8_invisible(S("x\xf3\xa0\x81\x81"), &cp), 1); /* U+E0041 */
        ck_assert_uint_eq(cp, 0xe0041);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("utf8");
        TCase *tc = tcase_create("core");
        tcase_add_test(tc, test_char);
        tcase_add_test(tc, test_invalid);
        tcase_add_test(tc, test_ctrl);
        tcase_add_test(tc, test_cut);
        tcase_add_test(tc, test_clean);
        tcase_add_test(tc, test_clean_bounded);
        tcase_add_test(tc, test_invisible);
        suite_add_tcase(s, tc);
        return check_run(s);
}

/* check_control_rbuf: a control client's read buffer is sized by need: small
 * until a frame's header is in, then exactly that frame (bounded by the
 * protocol's limit), and freed once what it holds is handled. */
#include <check.h>

#include "check_run.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "control_rbuf.h"
#include "proto.h"

/* Appends bytes as recv would, within the room reserve gave. */
static void put(struct control_rbuf *b, const void *p, size_t n)
{
        size_t room = 0;
        ck_assert_int_eq(control_rbuf_reserve(b, &room), 0);
        ck_assert_uint_ge(room, n);
        memcpy(b->p + b->len, p, n);
        b->len += n;
}

static void header(unsigned char h[4], uint32_t n)
{
        h[0] = (unsigned char)(n >> 24), h[1] = (unsigned char)(n >> 16);
        h[2] = (unsigned char)(n >> 8), h[3] = (unsigned char)n;
}

START_TEST(empty_holds_nothing)
{
        struct control_rbuf b = { 0 };
        size_t room = 0;
        ck_assert_int_eq(control_rbuf_reserve(&b, &room), 0);
        ck_assert_uint_eq(b.cap, CONTROL_RBUF_SMALL);
        ck_assert_uint_eq(room, CONTROL_RBUF_SMALL);
        control_rbuf_free(&b);
        ck_assert_ptr_null(b.p);
        ck_assert_uint_eq(b.cap, 0);
}
END_TEST

START_TEST(large_frame_exactly_then_freed)
{
        struct control_rbuf b = { 0 };
        unsigned char h[4];
        size_t room = 0, n = 700000;
        header(h, (uint32_t)n);
        put(&b, h, 4);
        ck_assert_int_eq(control_rbuf_reserve(&b, &room), 0);
        ck_assert_uint_eq(b.cap, PROTO_HDR_SIZE + n); /* the frame, not a doubling */
        ck_assert_uint_eq(room, n);
        memset(b.p + b.len, 'x', n);
        b.len += n;
        ck_assert_int_eq(control_rbuf_reserve(&b, &room), 0);
        ck_assert_uint_eq(room, 0); /* a whole frame: handle it first */
        ck_assert_uint_eq(control_rbuf_consume(&b, PROTO_HDR_SIZE + n), PROTO_HDR_SIZE + n);
        ck_assert_ptr_null(b.p);
        ck_assert_uint_eq(b.len, 0);
}
END_TEST

/* control_rbuf_need says what reserve then gives, before it allocates:
 * control.c bounds users' buffers together by it. */
START_TEST(need_is_what_reserve_gives)
{
        struct control_rbuf b = { 0 };
        unsigned char h[4];
        size_t room = 0, n = 300000;
        ck_assert_uint_eq(control_rbuf_need(&b), CONTROL_RBUF_SMALL);
        header(h, (uint32_t)n);
        put(&b, h, 4);
        ck_assert_uint_eq(b.cap, CONTROL_RBUF_SMALL);
        ck_assert_uint_eq(control_rbuf_need(&b), PROTO_HDR_SIZE + n);
        ck_assert_uint_eq(b.cap, CONTROL_RBUF_SMALL); /* nothing allocated by asking */
        ck_assert_int_eq(control_rbuf_reserve(&b, &room), 0);
        ck_assert_uint_eq(b.cap, PROTO_HDR_SIZE + n);
        ck_assert_uint_eq(control_rbuf_need(&b), b.cap);
        control_rbuf_free(&b);
}
END_TEST

START_TEST(rest_kept_large_buffer_shrunk)
{
        /* a buffer left large (a larger frame before) that has read a small
         * frame and the start of the next one */
        struct control_rbuf b = { .p = malloc(200000), .cap = 200000 };
        unsigned char h[4];
        ck_assert_ptr_nonnull(b.p);
        header(h, 1000);
        memcpy(b.p, h, 4);
        memset(b.p + 4, 'x', 1000);
        memcpy(b.p + 1004, "\0\0\0\x05{}{}{", 9);
        b.len = 1013;
        ck_assert_uint_eq(control_rbuf_consume(&b, 1004), 200000 - CONTROL_RBUF_SMALL);
        ck_assert_uint_eq(b.cap, CONTROL_RBUF_SMALL);
        ck_assert_uint_eq(b.len, 9);
        ck_assert_int_eq(memcmp(b.p, "\0\0\0\x05{}{}{", 9), 0);
        /* the rest of a small frame: no growth */
        size_t room = 0;
        ck_assert_int_eq(control_rbuf_reserve(&b, &room), 0);
        ck_assert_uint_eq(room, 0);
        ck_assert_uint_eq(b.cap, CONTROL_RBUF_SMALL);
        control_rbuf_free(&b);
}
END_TEST

START_TEST(oversize_header_never_allocates)
{
        struct control_rbuf b = { 0 };
        unsigned char h[4];
        size_t room = 0;
        header(h, PROTO_MAX_FRAME + 1);
        put(&b, h, 4);
        ck_assert_int_eq(control_rbuf_reserve(&b, &room), 0);
        ck_assert_uint_eq(room, 0); /* for the decoder to refuse, not to read */
        ck_assert_uint_eq(b.cap, CONTROL_RBUF_SMALL);
        header(h, UINT32_MAX);
        memcpy(b.p, h, 4);
        ck_assert_int_eq(control_rbuf_reserve(&b, &room), 0);
        ck_assert_uint_eq(room, 0);
        ck_assert_uint_eq(b.cap, CONTROL_RBUF_SMALL);
        control_rbuf_free(&b);
}
END_TEST

/* control_rbuf_whole: whether the requests left from off on start with one
 * the decoder can handle now (control.c: a client with one waits for its
 * next turn rather than for more bytes). */
START_TEST(whole_frame_at_offset)
{
        struct control_rbuf b = { 0 };
        unsigned char f[32];
        size_t room = 0;
        ck_assert_int_eq(control_rbuf_reserve(&b, &room), 0);
        /* "abc" framed, then a frame of 3 bytes arriving piece by piece */
        header(f, 3);
        memcpy(f + 4, "abc", 3);
        header(f + 7, 3);
        memcpy(f + 11, "def", 3);
        header(f + 14, 3);
        size_t steps[] = { 7, 11, 13, 14, 16 };
        bool at7[] = { false, false, false, true, true };
        for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
                memcpy(b.p, f, steps[i]);
                b.len = steps[i];
                ck_assert(control_rbuf_whole(&b, 0));
                ck_assert(control_rbuf_whole(&b, 7) == at7[i]);
        }
        ck_assert(!control_rbuf_whole(&b, 14));                 /* half a header */
        ck_assert(!control_rbuf_whole(&b, 16));                 /* nothing left */
        header((unsigned char *)b.p + 14, PROTO_MAX_FRAME + 1); /* refused at once: no wait for it */
        b.len = 18;
        ck_assert(control_rbuf_whole(&b, 14));
        control_rbuf_free(&b);
}
END_TEST

static Suite *rbuf_suite(void)
{
        Suite *s = suite_create("control_rbuf");
        TCase *t = tcase_create("rbuf");
        tcase_add_test(t, empty_holds_nothing);
        tcase_add_test(t, large_frame_exactly_then_freed);
        tcase_add_test(t, need_is_what_reserve_gives);
        tcase_add_test(t, rest_kept_large_buffer_shrunk);
        tcase_add_test(t, oversize_header_never_allocates);
        tcase_add_test(t, whole_frame_at_offset);
        suite_add_tcase(s, t);
        return s;
}

int main(void)
{
        return check_run(rbuf_suite());
}

/* check_proto: the wire protocol's framing and request checks. The decoder is
 * what stands between svd and any local user, so besides roundtrips it is fed
 * every split of a frame, oversize headers with no payload behind them,
 * truncation, garbage and non-objects; the blocking helpers are exercised over
 * a real socketpair, including a peer that hangs up mid-frame. */
#include <check.h>

#include "check_run.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proto.h"
#include "util.h"

static cJSON *sample_request(void)
{
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "v", PROTO_VERSION);
        cJSON_AddStringToObject(o, "op", "start");
        cJSON_AddStringToObject(o, "name", "postgres \"main\" \xc3\xa9");
        return o;
}

/* A raw frame around an arbitrary payload, for inputs encode would not make. */
static char *raw_frame(const char *payload, size_t n, size_t *ret_len)
{
        char *b = malloc(PROTO_HDR_SIZE + n + 1);
        ck_assert_ptr_nonnull(b);
        b[0] = (char)(n >> 24);
        b[1] = (char)(n >> 16);
        b[2] = (char)(n >> 8);
        b[3] = (char)n;
        memcpy(b + PROTO_HDR_SIZE, payload, n);
        *ret_len = PROTO_HDR_SIZE + n;
        return b;
}

static int decode_raw(const char *payload, size_t n)
{
        size_t len, used = 0;
        _cleanup_(freep) char *b = raw_frame(payload, n, &len);
        cJSON *msg = NULL;
        int r = proto_frame_decode(b, len, &msg, &used);
        if (r > 0)
                cJSON_Delete(msg);
        else
                ck_assert_ptr_null(msg);
        return r;
}

/* The length a frame's header announces (big-endian, payload bytes only). */
static size_t hdr_len(const char *buf) {
        return (size_t)(unsigned char)buf[0] << 24 | (size_t)(unsigned char)buf[1] << 16 |
               (size_t)(unsigned char)buf[2] << 8 | (unsigned char)buf[3];
}

START_TEST(test_roundtrip)
{
        _cleanup_(proto_msg_freep) cJSON *req = sample_request();
        _cleanup_(freep) char *buf = NULL;
        size_t len = 0, used = 0;

        ck_assert_int_eq(proto_frame_encode(req, &buf, &len), 0);
        ck_assert_uint_gt(len, PROTO_HDR_SIZE);
        /* The header is big-endian and counts payload bytes only. */
        ck_assert_uint_eq(hdr_len(buf), len - PROTO_HDR_SIZE);

        _cleanup_(proto_msg_freep) cJSON *out = NULL;
        ck_assert_int_eq(proto_frame_decode(buf, len, &out, &used), 1);
        ck_assert_uint_eq(used, len);
        ck_assert(cJSON_Compare(req, out, true));
}
END_TEST

START_TEST(test_partial_every_split)
{
        _cleanup_(proto_msg_freep) cJSON *req = sample_request();
        _cleanup_(freep) char *buf = NULL;
        size_t len = 0;
        ck_assert_int_eq(proto_frame_encode(req, &buf, &len), 0);

        for (size_t cut = 0; cut < len; cut++) {
                cJSON *msg = NULL;
                size_t used = 12345;
                /* A copy of exactly cut bytes lets ASan catch any read past them. */
                char *part = malloc(cut ? cut : 1);
                memcpy(part, buf, cut);
                ck_assert_int_eq(proto_frame_decode(part, cut, &msg, &used), 0);
                ck_assert_ptr_null(msg);
                ck_assert_uint_eq(used, 12345);
                free(part);
        }
}
END_TEST

START_TEST(test_two_frames)
{
        _cleanup_(proto_msg_freep) cJSON *a = sample_request();
        _cleanup_(proto_msg_freep) cJSON *b = proto_reply_ok();
        _cleanup_(freep) char *fa = NULL, *fb = NULL, *both = NULL;
        size_t la, lb, used;

        ck_assert_int_eq(proto_frame_encode(a, &fa, &la), 0);
        ck_assert_int_eq(proto_frame_encode(b, &fb, &lb), 0);
        both = malloc(la + lb);
        memcpy(both, fa, la);
        memcpy(both + la, fb, lb);

        _cleanup_(proto_msg_freep) cJSON *m1 = NULL;
        _cleanup_(proto_msg_freep) cJSON *m2 = NULL;
        ck_assert_int_eq(proto_frame_decode(both, la + lb, &m1, &used), 1);
        ck_assert_uint_eq(used, la);
        ck_assert(cJSON_Compare(a, m1, true));
        ck_assert_int_eq(proto_frame_decode(both + used, la + lb - used, &m2, &used), 1);
        ck_assert_uint_eq(used, lb);
        ck_assert(cJSON_Compare(b, m2, true));
}
END_TEST

START_TEST(test_oversize_header)
{
        /* Only the header: the verdict must not wait for a megabyte of payload. */
        const unsigned char too_big[][PROTO_HDR_SIZE] = {
                { 0xff, 0xff, 0xff, 0xff },
                { 0x00, 0x10, 0x00, 0x01 }, /* PROTO_MAX_FRAME + 1 */
        };
        for (size_t i = 0; i < ELEMENTSOF(too_big); i++) {
                cJSON *msg = NULL;
                size_t used = 0;
                ck_assert_int_eq(proto_frame_decode((const char *)too_big[i], PROTO_HDR_SIZE, &msg, &used), -EMSGSIZE);
                ck_assert_ptr_null(msg);
        }

        /* Exactly the maximum is a valid length: the decoder just wants more. */
        const unsigned char max[PROTO_HDR_SIZE] = { 0x00, 0x10, 0x00, 0x00 };
        cJSON *msg = NULL;
        size_t used = 0;
        ck_assert_int_eq(proto_frame_decode((const char *)max, sizeof(max), &msg, &used), 0);
}
END_TEST

START_TEST(test_encode_oversize)
{
        size_t n = PROTO_MAX_FRAME + 16;
        _cleanup_(freep) char *big = malloc(n + 1);
        memset(big, 'x', n);
        big[n] = '\0';
        _cleanup_(proto_msg_freep) cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "blob", big);

        char *buf = (char *)0x1;
        size_t len = 7;
        ck_assert_int_eq(proto_frame_encode(o, &buf, &len), -EMSGSIZE);
        ck_assert_ptr_eq(buf, (char *)0x1); /* out-params untouched on failure */
        ck_assert_uint_eq(len, 7);
}
END_TEST

START_TEST(test_max_size_frame)
{
        /* {"b":"xxx..."} filling the frame to exactly PROTO_MAX_FRAME bytes. */
        size_t n = PROTO_MAX_FRAME - strlen("{\"b\":\"\"}");
        _cleanup_(freep) char *s = malloc(n + 1);
        memset(s, 'x', n);
        s[n] = '\0';
        _cleanup_(proto_msg_freep) cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "b", s);

        _cleanup_(freep) char *buf = NULL;
        size_t len, used;
        ck_assert_int_eq(proto_frame_encode(o, &buf, &len), 0);
        ck_assert_uint_eq(len, PROTO_HDR_SIZE + PROTO_MAX_FRAME);
        _cleanup_(proto_msg_freep) cJSON *out = NULL;
        ck_assert_int_eq(proto_frame_decode(buf, len, &out, &used), 1);
        ck_assert(cJSON_Compare(o, out, true));
}
END_TEST

START_TEST(test_truncated)
{
        /* The header promises more than the buffer holds: wait, do not parse. */
        const char payload[] = "{\"v\":1,\"op\":\"status\"}";
        size_t len, used = 0;
        _cleanup_(freep) char *b = raw_frame(payload, strlen(payload), &len);
        cJSON *msg = NULL;
        ck_assert_int_eq(proto_frame_decode(b, len - 1, &msg, &used), 0);
        ck_assert_int_eq(proto_frame_decode(b, 3, &msg, &used), 0);
        ck_assert_int_eq(proto_frame_decode(b, 0, &msg, &used), 0);
        ck_assert_int_eq(proto_frame_decode(NULL, 0, &msg, &used), 0);
        ck_assert_ptr_null(msg);

        /* A header whose JSON is cut short inside the frame is bad, not partial. */
        ck_assert_int_eq(decode_raw("{\"v\":1,\"op\":", 12), -EBADMSG);
}
END_TEST

START_TEST(test_garbage)
{
        static const char *const bad[] = {
                "hello",
                "{\"v\":1",
                "{\"v\":1}}",
                "{\"v\":1} {\"v\":2}",
                "{'v':1}",
                "\xff\xfe\xfd",
                "{\"v\":1}\x01",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                ck_assert_msg(decode_raw(bad[i], strlen(bad[i])) == -EBADMSG, "accepted: %s", bad[i]);

        /* An embedded NUL must not end the payload early. */
        ck_assert_int_eq(decode_raw("{\"v\":1}\0xx", 10), -EBADMSG);
        /* Whitespace around the object is harmless. */
        ck_assert_int_eq(decode_raw(" {\"v\":1}\n", 9), 1);
        /* Deep nesting is refused by cJSON's limit instead of blowing the stack. */
        size_t depth = 5000;
        _cleanup_(freep) char *deep = malloc(2 * depth + 8);
        strcpy(deep, "{\"a\":");
        memset(deep + 5, '[', depth);
        memset(deep + 5 + depth, ']', depth);
        strcpy(deep + 5 + 2 * depth, "}");
        ck_assert_int_eq(decode_raw(deep, strlen(deep)), -EBADMSG);
}
END_TEST

START_TEST(test_non_object)
{
        static const char *const bad[] = { "[]", "[1,2]", "1", "\"str\"", "null", "true" };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                ck_assert_msg(decode_raw(bad[i], strlen(bad[i])) == -EBADMSG, "accepted: %s", bad[i]);
}
END_TEST

START_TEST(test_zero_length)
{
        const char hdr[PROTO_HDR_SIZE] = { 0, 0, 0, 0 };
        cJSON *msg = NULL;
        size_t used = 0;
        ck_assert_int_eq(proto_frame_decode(hdr, sizeof(hdr), &msg, &used), -EBADMSG);
        ck_assert_ptr_null(msg);
}
END_TEST

static int parse_str(const char *json, enum proto_op *op, char *err, size_t errlen)
{
        _cleanup_(proto_msg_freep) cJSON *req = cJSON_Parse(json);
        ck_assert_ptr_nonnull(req);
        return proto_request_parse(req, op, err, errlen);
}

START_TEST(test_request_parse_ok)
{
        enum proto_op op = OP_INVALID;
        char err[256] = "";
        ck_assert_int_eq(parse_str("{\"v\":1,\"op\":\"status\",\"names\":[\"a\"]}", &op, err, sizeof(err)), 0);
        ck_assert_int_eq(op, OP_STATUS);
        ck_assert_int_eq(parse_str("{\"op\":\"restart\",\"v\":1.0,\"name\":\"x\"}", &op, err, sizeof(err)), 0);
        ck_assert_int_eq(op, OP_RESTART);
}
END_TEST

START_TEST(test_request_parse_errors)
{
        static const struct {
                const char *json;
                const char *err;
        } cases[] = {
                { "{\"op\":\"status\"}", "field 'v': missing" },
                { "{\"v\":\"1\",\"op\":\"status\"}", "field 'v': expected a number" },
                { "{\"v\":7,\"op\":\"status\"}", "field 'v': unsupported protocol version 7 (this svd speaks 1)" },
                { "{\"v\":1.5,\"op\":\"status\"}", "field 'v': unsupported protocol version 1.5 (this svd speaks 1)" },
                { "{\"v\":1}", "field 'op': missing" },
                { "{\"v\":1,\"op\":3}", "field 'op': expected a string" },
                { "{\"v\":1,\"op\":\"frob\"}", "field 'op': unknown operation 'frob'" },
                { "{\"v\":1,\"op\":\"Status\"}", "field 'op': unknown operation 'Status'" },
                { "{\"v\":1,\"op\":\"a\\nb\"}", "field 'op': unknown operation 'a\\x0ab'" },
                { "[1]", "request: expected a JSON object" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                enum proto_op op = (enum proto_op)99;
                char err[256] = "";
                ck_assert_int_eq(parse_str(cases[i].json, &op, err, sizeof(err)), -EINVAL);
                ck_assert_str_eq(err, cases[i].err);
                ck_assert_int_eq(op, 99); /* untouched on failure */
        }

        /* A tiny or absent error buffer is still safe. */
        char small[8];
        ck_assert_int_eq(parse_str("{\"v\":1,\"op\":\"frob\"}", NULL, small, sizeof(small)), -EINVAL);
        ck_assert_str_eq(small, "field '");
        ck_assert_int_eq(parse_str("{\"v\":1,\"op\":\"frob\"}", NULL, NULL, 0), -EINVAL);
        ck_assert_int_eq(proto_request_parse(NULL, NULL, NULL, 0), -EINVAL);

        /* A huge op name is cut so the message stays short. */
        char json[1200], err[256];
        snprintf(json, sizeof(json), "{\"v\":1,\"op\":\"%01000d\"}", 0);
        ck_assert_int_eq(parse_str(json, NULL, err, sizeof(err)), -EINVAL);
        ck_assert_uint_lt(strlen(err), 128);
}
END_TEST

START_TEST(test_op_names)
{
        /* numbers may have gaps (retired or reserved ops): every named op
         * round-trips, and every op the enum lists by name has one */
        for (int i = OP_INVALID + 1; i < _OP_MAX; i++) {
                const char *n = proto_op_name((enum proto_op)i);
                if (n)
                        ck_assert_int_eq(proto_op_from_name(n), i);
        }
        static const enum proto_op named[] = {OP_STATUS, OP_START, OP_STOP, OP_RESTART, OP_ORDER, OP_VERSION,
                                              OP_POWEROFF, OP_REBOOT, OP_HALT};
        for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++)
                ck_assert_ptr_nonnull(proto_op_name(named[i]));
        ck_assert_int_eq(OP_POWEROFF, 20);
        ck_assert_int_eq(OP_REBOOT, 21);
        ck_assert_int_eq(OP_HALT, 22);
        ck_assert_ptr_null(proto_op_name(OP_INVALID));
        ck_assert_ptr_null(proto_op_name(_OP_MAX));
        ck_assert_ptr_null(proto_op_name((enum proto_op)-1));
        ck_assert_int_eq(proto_op_from_name("frob"), OP_INVALID);
        ck_assert_int_eq(proto_op_from_name(""), OP_INVALID);
        ck_assert_int_eq(proto_op_from_name(NULL), OP_INVALID);

        /* The numbers are protocol history: pin them. */
        ck_assert_int_eq(proto_op_from_name("status"), 1);
        ck_assert_int_eq(proto_op_from_name("version"), 6);

        ck_assert(proto_op_mutating(OP_START));
        ck_assert(proto_op_mutating(OP_STOP));
        ck_assert(proto_op_mutating(OP_RESTART));
        ck_assert(!proto_op_mutating(OP_STATUS));
        ck_assert(!proto_op_mutating(OP_ORDER));
        ck_assert(!proto_op_mutating(OP_VERSION));
        ck_assert(!proto_op_mutating(OP_INVALID));
}
END_TEST

START_TEST(test_replies)
{
        _cleanup_(proto_msg_freep) cJSON *ok = proto_reply_ok();
        ck_assert_ptr_nonnull(ok);
        ck_assert_int_eq(cJSON_GetObjectItem(ok, "v")->valueint, PROTO_VERSION);
        ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(ok, "ok")));

        _cleanup_(proto_msg_freep) cJSON *e = proto_reply_error(PROTO_E_NOT_FOUND, "unknown service '%s'", "x");
        ck_assert_ptr_nonnull(e);
        ck_assert_int_eq(cJSON_GetObjectItem(e, "v")->valueint, PROTO_VERSION);
        ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(e, "ok")));
        ck_assert_str_eq(cJSON_GetObjectItem(e, "error")->valuestring, "unknown service 'x'");
        ck_assert_int_eq(cJSON_GetObjectItem(e, "code")->valueint, PROTO_E_NOT_FOUND);
}
END_TEST

static void make_pair(int sv[2])
{
        ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
}

/* Invalid UTF-8 in a string (a service's STATUS=, a typed name) cannot make
 * a frame the peer refuses: both encoders send U+FFFD for each invalid byte,
 * and leave valid text (a C1 character, an escaped ESC) as it is. */
START_TEST(test_encode_invalid_utf8)
{
        _cleanup_(proto_msg_freep) cJSON *m = cJSON_CreateObject();
        cJSON_AddNumberToObject(m, "v", 1);
        cJSON_AddStringToObject(m, "status", "ok \xff\xc0\xaf \xed\xa0\x80 \x1b[2J\xc2\x9b caf\xc3\xa9");
        const char *want = "ok \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
                           " \x1b[2J\xc2\x9b caf\xc3\xa9";
        for (int secret = 0; secret < 2; secret++) {
                _cleanup_(freep) char *buf = NULL;
                size_t len = 0, used = 0;
                if (secret)
                        ck_assert_int_eq(proto_frame_encode_secret(m, &buf, &len), 0);
                else
                        ck_assert_int_eq(proto_frame_encode(m, &buf, &len), 0);
                ck_assert_uint_eq(hdr_len(buf), len - PROTO_HDR_SIZE);
                _cleanup_(proto_msg_freep) cJSON *out = NULL;
                ck_assert_int_eq(proto_frame_decode(buf, len, &out, &used), 1);
                ck_assert_uint_eq(used, len);
                ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(out, "status")->valuestring, want);
        }
}
END_TEST

START_TEST(test_send_recv)
{
        int sv[2];
        make_pair(sv);
        _cleanup_(closep) int a = sv[0];
        _cleanup_(closep) int b = sv[1];
        _cleanup_(proto_msg_freep) cJSON *req = sample_request();
        _cleanup_(proto_msg_freep) cJSON *r1 = NULL;
        _cleanup_(proto_msg_freep) cJSON *r2 = NULL;

        ck_assert_int_eq(proto_send(a, req), 0);
        ck_assert_int_eq(proto_send(a, req), 0);
        ck_assert_int_eq(proto_recv(b, &r1), 0);
        ck_assert(cJSON_Compare(req, r1, true));
        ck_assert_int_eq(proto_recv(b, &r2), 0);
        ck_assert(cJSON_Compare(req, r2, true));
}
END_TEST

START_TEST(test_send_recv_large)
{
        /* Bigger than any socket buffer: exercises short writes and reads. */
        int sv[2];
        make_pair(sv);
        _cleanup_(closep) int b = sv[1];
        size_t n = PROTO_MAX_FRAME - 64;
        _cleanup_(freep) char *s = malloc(n + 1);
        memset(s, 'y', n);
        s[n] = '\0';
        _cleanup_(proto_msg_freep) cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "blob", s);

        pid_t pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
                close(sv[1]);
                _exit(proto_send(sv[0], o) == 0 ? 0 : 1);
        }
        close(sv[0]);
        _cleanup_(proto_msg_freep) cJSON *out = NULL;
        ck_assert_int_eq(proto_recv(b, &out), 0);
        ck_assert(cJSON_Compare(o, out, true));
        int status;
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}
END_TEST

static void write_raw(int fd, const void *p, size_t n)
{
        ck_assert_int_eq(write(fd, p, n), (ssize_t)n);
}

START_TEST(test_recv_eof)
{
        static const char payload[] = "{\"v\":1,\"ok\":true}";
        const unsigned char hdr[PROTO_HDR_SIZE] = { 0, 0, 0, sizeof(payload) - 1 };
        size_t cuts[] = { 0, 2, PROTO_HDR_SIZE, PROTO_HDR_SIZE + 5 };

        for (size_t i = 0; i < ELEMENTSOF(cuts); i++) {
                int sv[2];
                make_pair(sv);
                _cleanup_(closep) int b = sv[1];
                char frame[64];
                memcpy(frame, hdr, PROTO_HDR_SIZE);
                memcpy(frame + PROTO_HDR_SIZE, payload, sizeof(payload) - 1);
                if (cuts[i])
                        write_raw(sv[0], frame, cuts[i]);
                close(sv[0]);

                cJSON *msg = NULL;
                ck_assert_int_eq(proto_recv(b, &msg), -ECONNRESET);
                ck_assert_ptr_null(msg);
        }
}
END_TEST

START_TEST(test_recv_bad)
{
        int sv[2];

        /* Oversize: refused from the header alone, nothing else was sent. */
        make_pair(sv);
        {
                _cleanup_(closep) int a = sv[0];
                _cleanup_(closep) int b = sv[1];
                const unsigned char hdr[PROTO_HDR_SIZE] = { 0x7f, 0xff, 0xff, 0xff };
                write_raw(a, hdr, sizeof(hdr));
                cJSON *msg = NULL;
                ck_assert_int_eq(proto_recv(b, &msg), -EMSGSIZE);
                ck_assert_ptr_null(msg);
        }

        /* Zero length and invalid JSON. */
        make_pair(sv);
        {
                _cleanup_(closep) int a = sv[0];
                _cleanup_(closep) int b = sv[1];
                const unsigned char zero[PROTO_HDR_SIZE] = { 0 };
                write_raw(a, zero, sizeof(zero));
                cJSON *msg = NULL;
                ck_assert_int_eq(proto_recv(b, &msg), -EBADMSG);
                size_t len;
                _cleanup_(freep) char *f = raw_frame("[1]", 3, &len);
                write_raw(a, f, len);
                ck_assert_int_eq(proto_recv(b, &msg), -EBADMSG);
                ck_assert_ptr_null(msg);
        }
}
END_TEST

START_TEST(test_send_to_closed_peer)
{
        /* MSG_NOSIGNAL: a vanished peer is -EPIPE, not a SIGPIPE death. */
        int sv[2];
        make_pair(sv);
        _cleanup_(closep) int a = sv[0];
        close(sv[1]);
        _cleanup_(proto_msg_freep) cJSON *o = proto_reply_ok();
        ck_assert_int_eq(proto_send(a, o), -EPIPE);
}
END_TEST

START_TEST(test_send_recv_pipe)
{
        /* Non-socket fds work too (send() falls back to write()). */
        int p[2];
        ck_assert_int_eq(pipe(p), 0);
        _cleanup_(closep) int r = p[0];
        _cleanup_(closep) int w = p[1];
        _cleanup_(proto_msg_freep) cJSON *o = proto_reply_ok();
        _cleanup_(proto_msg_freep) cJSON *out = NULL;
        ck_assert_int_eq(proto_send(w, o), 0);
        ck_assert_int_eq(proto_recv(r, &out), 0);
        ck_assert(cJSON_Compare(o, out, true));
}
END_TEST

/* "\u0000" in a string would become a NUL that ends the C string: the value
 * cut short. It is refused; an escaped backslash before "u0000" is text. */
START_TEST(test_nul_escape)
{
        const char *bad[] = {
                "{\"v\":1,\"value\":\"ab\\u0000cd\"}",
                "{\"v\":1,\"value\":\"\\u0000\"}",
                "{\"v\":1,\"a\\u0000\":1}",
                "{\"v\":1,\"x\":[\"ok\",\"\\\\\\u0000\"]}",
        };
        const char *good[] = {
                "{\"v\":1,\"value\":\"ab\\\\u0000cd\"}", /* \\ then u0000 */
                "{\"v\":1,\"value\":\"\\u0001\\\"u0000\"}",
                "{\"v\":1,\"u0000\":\"\\\\\"}",
        };
        for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
                ck_assert_msg(decode_raw(bad[i], strlen(bad[i])) == -EILSEQ, "%s", bad[i]);
        for (size_t i = 0; i < sizeof good / sizeof *good; i++)
                ck_assert_msg(decode_raw(good[i], strlen(good[i])) == 1, "%s", good[i]);
        /* a raw NUL byte (a control character JSON forbids unescaped) inside
         * a string would cut it short the same way */
        static const char raw[] = "{\"v\":1,\"value\":\"ab\0cd\"}";
        ck_assert_int_lt(decode_raw(raw, sizeof raw - 1), 0);
}
END_TEST

START_TEST(test_text_ok)
{
        ck_assert(proto_text_ok("plain", 5));
        ck_assert(proto_text_ok("", 0));
        ck_assert(proto_text_ok("caf\xc3\xa9", 5));
        ck_assert(!proto_text_ok("a\0b", 3));
        ck_assert(!proto_text_ok("\xff\xfe", 2));
        ck_assert(!proto_text_ok("\xc3", 1));
}
END_TEST

static Suite *proto_suite(void)
{
        Suite *s = suite_create("proto");
        TCase *frame = tcase_create("frame");
        tcase_add_test(frame, test_roundtrip);
        tcase_add_test(frame, test_partial_every_split);
        tcase_add_test(frame, test_two_frames);
        tcase_add_test(frame, test_oversize_header);
        tcase_add_test(frame, test_encode_oversize);
        tcase_add_test(frame, test_max_size_frame);
        tcase_add_test(frame, test_truncated);
        tcase_add_test(frame, test_garbage);
        tcase_add_test(frame, test_non_object);
        tcase_add_test(frame, test_zero_length);
        tcase_add_test(frame, test_nul_escape);
        tcase_add_test(frame, test_text_ok);
        tcase_add_test(frame, test_encode_invalid_utf8);
        suite_add_tcase(s, frame);

        TCase *req = tcase_create("request");
        tcase_add_test(req, test_request_parse_ok);
        tcase_add_test(req, test_request_parse_errors);
        tcase_add_test(req, test_op_names);
        tcase_add_test(req, test_replies);
        suite_add_tcase(s, req);

        TCase *io = tcase_create("io");
        tcase_set_timeout(io, 30);
        tcase_add_test(io, test_send_recv);
        tcase_add_test(io, test_send_recv_large);
        tcase_add_test(io, test_recv_eof);
        tcase_add_test(io, test_recv_bad);
        tcase_add_test(io, test_send_to_closed_peer);
        tcase_add_test(io, test_send_recv_pipe);
        suite_add_tcase(s, io);
        return s;
}

int main(void)
{
        return check_run(proto_suite());
}

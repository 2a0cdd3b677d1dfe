/* check_probe_proto: the svd <-> svd-probe messages. Requests and results
 * roundtrip through encode/decode; every malformed field is refused with a
 * message naming it, the id of a refused request is still reported (so the
 * error reply can be matched), and results from the prober are re-checked and
 * scrubbed of control bytes before svd would log them. */
#include <check.h>

#include "check_run.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "probe_proto.h"
#include "probe_ref.h"
#include "util.h"

static struct probe_req http_req(void)
{
        struct probe_req r = {
                .id = 124,
                .kind = PROBE_REQ_HTTP,
                .timeout_ms = 3000,
                .url = strdup("http://127.0.0.1:8080/health"),
                .status_min = 200,
                .status_max = 399,
                .body_contains = strdup("ok \"quoted\" \xc3\xa9"),
                .follow_redirects = true,
        };
        strv_push(&r.headers, "X-Key: v");
        strv_push(&r.headers, "Accept: */*");
        return r;
}

START_TEST(test_tcp_roundtrip)
{
        struct probe_req in = { .id = PROBE_ID_MAX, .kind = PROBE_REQ_TCP, .port = 5432, .timeout_ms = 3000 };
        _cleanup_(probe_req_done) struct probe_req out = { 0 };
        _cleanup_(freep) char *buf = NULL;
        size_t len;
        char err[200] = "";

        snprintf(in.host, sizeof(in.host), "db.internal");
        ck_assert_int_eq(probe_req_encode(&in, &buf, &len, err, sizeof(err)), 0);
        ck_assert_uint_eq(len, strlen(buf));
        ck_assert_int_eq(probe_req_decode(buf, len, &out, err, sizeof(err)), 0);
        ck_assert_int_eq(out.id, PROBE_ID_MAX);
        ck_assert_int_eq(out.kind, PROBE_REQ_TCP);
        ck_assert_str_eq(out.host, "db.internal");
        ck_assert_uint_eq(out.port, 5432);
        ck_assert_uint_eq(out.timeout_ms, 3000);
        ck_assert_ptr_null(out.url);
}
END_TEST

START_TEST(test_http_roundtrip)
{
        _cleanup_(probe_req_done) struct probe_req in = http_req();
        _cleanup_(probe_req_done) struct probe_req out = { 0 };
        _cleanup_(freep) char *buf = NULL;
        size_t len;
        char err[200] = "";

        ck_assert_int_eq(probe_req_encode(&in, &buf, &len, err, sizeof(err)), 0);
        ck_assert_int_eq(probe_req_decode(buf, len, &out, err, sizeof(err)), 0);
        ck_assert_int_eq(out.id, 124);
        ck_assert_int_eq(out.kind, PROBE_REQ_HTTP);
        ck_assert_str_eq(out.url, in.url);
        ck_assert_str_eq(out.body_contains, in.body_contains);
        ck_assert_uint_eq(strv_length(out.headers), 2);
        ck_assert_str_eq(out.headers[0], "X-Key: v");
        ck_assert_str_eq(out.headers[1], "Accept: */*");
        ck_assert(out.follow_redirects);
        ck_assert_uint_eq(out.status_min, 200);
        ck_assert_uint_eq(out.status_max, 399);
}
END_TEST

START_TEST(test_http_defaults)
{
        const char *j = "{\"id\":0,\"kind\":\"http\",\"url\":\"https://x/\",\"timeout_ms\":1}";
        _cleanup_(probe_req_done) struct probe_req out = { 0 };
        char err[200];

        ck_assert_int_eq(probe_req_decode(j, strlen(j), &out, err, sizeof(err)), 0);
        ck_assert_uint_eq(out.status_min, 200);
        ck_assert_uint_eq(out.status_max, 399);
        ck_assert(!out.follow_redirects);
        ck_assert_ptr_null(out.body_contains);
        ck_assert_ptr_null(out.headers);
        ck_assert(!out.tls_no_verify);
        ck_assert_ptr_null(out.ca_file);
}
END_TEST

/* The TLS fields travel only when set, and come back as they went, through
 * both decoders (the compact shape takes the fast path, a reordered one the
 * cJSON path). */
START_TEST(test_http_tls_roundtrip)
{
        static const char *const shapes[] = {
                "{\"id\":6,\"kind\":\"http\",\"url\":\"https://h/\",\"status_min\":200,\"status_max\":399,"
                "\"follow_redirects\":false,\"tls_verify\":false,\"ca_file\":\"/etc/a b.pem\",\"timeout_ms\":1}",
                "{\"ca_file\":\"/etc/a b.pem\",\"tls_verify\":false,\"id\":6,\"kind\":\"http\",\"url\":\"https://h/\","
                "\"timeout_ms\":1}",
        };
        _cleanup_(probe_req_done) struct probe_req in = http_req();
        char err[200] = "";
        size_t len;

        in.tls_no_verify = true;
        in.ca_file = strdup("/etc/svd/ca \"x\".pem");
        _cleanup_(freep) char *buf = NULL;
        ck_assert_int_eq(probe_req_encode(&in, &buf, &len, err, sizeof(err)), 0);
        ck_assert_ptr_nonnull(strstr(buf, ",\"tls_verify\":false,\"ca_file\":\"/etc/svd/ca \\\"x\\\".pem\""));
        _cleanup_(probe_req_done) struct probe_req out = { 0 };
        ck_assert_int_eq(probe_req_decode(buf, len, &out, err, sizeof(err)), 0);
        ck_assert(out.tls_no_verify);
        ck_assert_str_eq(out.ca_file, in.ca_file);

        for (size_t i = 0; i < ELEMENTSOF(shapes); i++) {
                _cleanup_(probe_req_done) struct probe_req q = { 0 };
                ck_assert_int_eq(probe_req_decode(shapes[i], strlen(shapes[i]), &q, err, sizeof(err)), 0);
                ck_assert(q.tls_no_verify);
                ck_assert_str_eq(q.ca_file, "/etc/a b.pem");
        }
        /* "tls_verify":true is the default, said explicitly */
        const char *j = "{\"id\":6,\"kind\":\"http\",\"url\":\"https://h/\",\"tls_verify\":true,\"timeout_ms\":1}";
        _cleanup_(probe_req_done) struct probe_req t = { 0 };
        ck_assert_int_eq(probe_req_decode(j, strlen(j), &t, err, sizeof(err)), 0);
        ck_assert(!t.tls_no_verify);

        /* the encoder checks the path too */
        free(in.ca_file);
        in.ca_file = strdup("ca.pem");
        _cleanup_(freep) char *buf2 = NULL;
        ck_assert_int_eq(probe_req_encode(&in, &buf2, &len, err, sizeof(err)), -EINVAL);
        ck_assert_str_eq(err, "field 'ca_file': expected an absolute path without control characters");
}
END_TEST

/* Each malformed packet, the id the failed decode must report, and the start
 * of the error message. */
static const struct bad {
        const char *json;
        int64_t id;
        const char *err;
} bad[] = {
        { "", -1, "message: empty" },
        { "{", -1, "message: not valid JSON" },
        { "[1]", -1, "message: expected a JSON object" },
        { "{} {}", -1, "message: trailing data" },
        { "{\"kind\":\"tcp\"}", -1, "field 'id': missing" },
        { "{\"id\":\"1\",\"kind\":\"tcp\"}", -1, "field 'id': expected an integer" },
        { "{\"id\":-1,\"kind\":\"tcp\"}", -1, "field 'id': expected an integer in 0.." },
        { "{\"id\":1.5,\"kind\":\"tcp\"}", -1, "field 'id': expected an integer in" },
        { "{\"id\":1e300,\"kind\":\"tcp\"}", -1, "field 'id': expected an integer in" },
        { "{\"id\":1000000000000000,\"kind\":\"tcp\"}", -1, "field 'id': expected an integer in" },
        { "{\"id\":7}", 7, "field 'kind': missing" },
        { "{\"id\":7,\"kind\":\"udp\"}", 7, "field 'kind': expected \"tcp\" or \"http\"" },
        { "{\"id\":7,\"kind\":1}", 7, "field 'kind': expected" },
        /* tcp */
        { "{\"id\":8,\"kind\":\"tcp\",\"port\":1,\"timeout_ms\":1}", 8, "field 'host': missing" },
        { "{\"id\":8,\"kind\":\"tcp\",\"host\":\"h\",\"timeout_ms\":1}", 8, "field 'port': missing" },
        { "{\"id\":8,\"kind\":\"tcp\",\"host\":\"h\",\"port\":1}", 8, "field 'timeout_ms': missing" },
        { "{\"id\":8,\"kind\":\"tcp\",\"host\":5,\"port\":1,\"timeout_ms\":1}", 8, "field 'host': expected a string" },
        { "{\"id\":8,\"kind\":\"tcp\",\"host\":\"\",\"port\":1,\"timeout_ms\":1}", 8, "field 'host': expected an IP" },
        { "{\"id\":8,\"kind\":\"tcp\",\"host\":\"a b\",\"port\":1,\"timeout_ms\":1}", 8, "field 'host': expected an IP" },
        { "{\"id\":8,\"kind\":\"tcp\",\"host\":\"a\\nb\",\"port\":1,\"timeout_ms\":1}", 8, "field 'host': expected an IP" },
        { "{\"id\":8,\"kind\":\"tcp\",\"host\":\"h\",\"port\":0,\"timeout_ms\":1}", 8, "field 'port': expected an integer in 1..65535" },
        { "{\"id\":8,\"kind\":\"tcp\",\"host\":\"h\",\"port\":65536,\"timeout_ms\":1}", 8, "field 'port': expected an integer in 1..65535" },
        { "{\"id\":8,\"kind\":\"tcp\",\"host\":\"h\",\"port\":\"80\",\"timeout_ms\":1}", 8, "field 'port': expected an integer" },
        { "{\"id\":8,\"kind\":\"tcp\",\"host\":\"h\",\"port\":80,\"timeout_ms\":0}", 8, "field 'timeout_ms': expected an integer in 1.." },
        { "{\"id\":8,\"kind\":\"tcp\",\"host\":\"h\",\"port\":80,\"timeout_ms\":3600001}", 8, "field 'timeout_ms': expected an integer in 1.." },
        { "{\"id\":8,\"kind\":\"tcp\",\"host\":\"h\",\"port\":80,\"timeout_ms\":true}", 8, "field 'timeout_ms': expected an integer" },
        { "{\"id\":8,\"kind\":\"tcp\",\"host\":\"h\",\"port\":80,\"timeout_ms\":1,\"url\":\"http://h/\"}", 8, "field 'url': unknown for kind 'tcp'" },
        { "{\"id\":8,\"kind\":\"tcp\",\"host\":\"h\",\"port\":80,\"timeout_ms\":1,\"prot\":1}", 8, "field 'prot': unknown for kind 'tcp'" },
        /* http */
        { "{\"id\":9,\"kind\":\"http\",\"timeout_ms\":1}", 9, "field 'url': missing" },
        { "{\"id\":9,\"kind\":\"http\",\"url\":\"http://h/\"}", 9, "field 'timeout_ms': missing" },
        { "{\"id\":9,\"kind\":\"http\",\"url\":[],\"timeout_ms\":1}", 9, "field 'url': expected a string" },
        { "{\"id\":9,\"kind\":\"http\",\"url\":\"ftp://h/\",\"timeout_ms\":1}", 9, "field 'url': expected an http://" },
        { "{\"id\":9,\"kind\":\"http\",\"url\":\"file:///etc/passwd\",\"timeout_ms\":1}", 9, "field 'url': expected an http://" },
        { "{\"id\":9,\"kind\":\"http\",\"url\":\"http:///x\",\"timeout_ms\":1}", 9, "field 'url': expected an http://" },
        { "{\"id\":9,\"kind\":\"http\",\"url\":\"http://h/a b\",\"timeout_ms\":1}", 9, "field 'url': expected an http://" },
        { "{\"id\":9,\"kind\":\"http\",\"url\":\"http://h/\",\"timeout_ms\":1,\"status_min\":99}", 9, "field 'status_min': expected an integer in 100..599" },
        { "{\"id\":9,\"kind\":\"http\",\"url\":\"http://h/\",\"timeout_ms\":1,\"status_max\":600}", 9, "field 'status_max': expected an integer in 100..599" },
        { "{\"id\":9,\"kind\":\"http\",\"url\":\"http://h/\",\"timeout_ms\":1,\"status_min\":300,\"status_max\":299}", 9, "field 'status_max': less than status_min" },
        { "{\"id\":9,\"kind\":\"http\",\"url\":\"http://h/\",\"timeout_ms\":1,\"body_contains\":\"\"}", 9, "field 'body_contains': expected 1.." },
        { "{\"id\":9,\"kind\":\"http\",\"url\":\"http://h/\",\"timeout_ms\":1,\"body_contains\":1}", 9, "field 'body_contains': expected a string" },
        { "{\"id\":9,\"kind\":\"http\",\"url\":\"http://h/\",\"timeout_ms\":1,\"headers\":\"X: y\"}", 9, "field 'headers': expected an array" },
        { "{\"id\":9,\"kind\":\"http\",\"url\":\"http://h/\",\"timeout_ms\":1,\"headers\":[1]}", 9, "field 'headers[0]': expected a string" },
        { "{\"id\":9,\"kind\":\"http\",\"url\":\"http://h/\",\"timeout_ms\":1,\"headers\":[\"X: y\",\"nocolon\"]}", 9, "field 'headers[1]': expected \"Name: value\"" },
        { "{\"id\":9,\"kind\":\"http\",\"url\":\"http://h/\",\"timeout_ms\":1,\"headers\":[\": y\"]}", 9, "field 'headers[0]': expected \"Name: value\"" },
        { "{\"id\":9,\"kind\":\"http\",\"url\":\"http://h/\",\"timeout_ms\":1,\"headers\":[\"X: a\\r\\nY: b\"]}", 9, "field 'headers[0]': expected \"Name: value\"" },
        { "{\"id\":9,\"kind\":\"http\",\"url\":\"http://h/\",\"timeout_ms\":1,\"follow_redirects\":1}", 9, "field 'follow_redirects': expected true or false" },
        { "{\"id\":9,\"kind\":\"http\",\"url\":\"http://h/\",\"timeout_ms\":1,\"port\":80}", 9, "field 'port': unknown for kind 'http'" },
        { "{\"id\":9,\"kind\":\"http\",\"url\":\"https://h/\",\"timeout_ms\":1,\"tls_verify\":0}", 9, "field 'tls_verify': expected true or false" },
        { "{\"id\":9,\"kind\":\"http\",\"url\":\"https://h/\",\"timeout_ms\":1,\"tls_verify\":\"false\"}", 9, "field 'tls_verify': expected true or false" },
        { "{\"id\":9,\"kind\":\"http\",\"url\":\"https://h/\",\"timeout_ms\":1,\"ca_file\":1}", 9, "field 'ca_file': expected a string" },
        { "{\"id\":9,\"kind\":\"http\",\"url\":\"https://h/\",\"timeout_ms\":1,\"ca_file\":\"\"}", 9, "field 'ca_file': expected 1..4095 bytes" },
        { "{\"id\":9,\"kind\":\"http\",\"url\":\"https://h/\",\"timeout_ms\":1,\"ca_file\":\"ca.pem\"}", 9, "field 'ca_file': expected an absolute path" },
        { "{\"id\":9,\"kind\":\"http\",\"url\":\"https://h/\",\"timeout_ms\":1,\"ca_file\":\"/a\\nb\"}", 9, "field 'ca_file': expected an absolute path" },
        { "{\"id\":9,\"kind\":\"http\",\"url\":\"https://h/\",\"ca_file\":\"/a\\u0001b\",\"timeout_ms\":1}", 9, "field 'ca_file': expected an absolute path" },
        { "{\"id\":8,\"kind\":\"tcp\",\"host\":\"h\",\"port\":80,\"timeout_ms\":1,\"ca_file\":\"/a\"}", 8, "field 'ca_file': unknown for kind 'tcp'" },
        { "{\"id\":8,\"kind\":\"tcp\",\"host\":\"h\",\"port\":80,\"timeout_ms\":1,\"tls_verify\":false}", 8, "field 'tls_verify': unknown for kind 'tcp'" },
};

START_TEST(test_bad_request)
{
        const struct bad *b = &bad[_i];
        struct probe_req out = { .url = NULL };
        char err[200] = "";

        ck_assert_msg(probe_req_decode(b->json, strlen(b->json), &out, err, sizeof(err)) == -EINVAL, "accepted: %s",
                      b->json);
        ck_assert_msg(strncmp(err, b->err, strlen(b->err)) == 0, "%s\n  got:    %s\n  wanted: %s", b->json, err,
                      b->err);
        ck_assert_int_eq(out.id, b->id);
        ck_assert_ptr_null(out.url);
        ck_assert_ptr_null(out.headers);
        ck_assert_ptr_null(out.body_contains);
        ck_assert_ptr_null(out.ca_file);
        ck_assert(!out.tls_no_verify);
}
END_TEST

START_TEST(test_too_many_headers)
{
        _cleanup_(probe_req_done) struct probe_req in = http_req();
        _cleanup_(freep) char *buf = NULL;
        size_t len;
        char err[200] = "";

        for (int i = 0; i < PROBE_HEADERS_MAX; i++)
                strv_push(&in.headers, "X-More: 1");
        ck_assert_int_eq(probe_req_encode(&in, &buf, &len, err, sizeof(err)), -EINVAL);
        ck_assert_str_eq(err, "field 'headers': more than 32 headers");
}
END_TEST

START_TEST(test_encode_checks)
{
        _cleanup_(freep) char *buf = NULL;
        size_t len;
        char err[200] = "";
        struct probe_req tcp = { .id = 1, .kind = PROBE_REQ_TCP, .port = 70000, .timeout_ms = 1 };

        snprintf(tcp.host, sizeof(tcp.host), "h");
        ck_assert_int_eq(probe_req_encode(&tcp, &buf, &len, err, sizeof(err)), -EINVAL);
        ck_assert_str_eq(err, "field 'port': expected an integer in 1..65535");
        ck_assert_ptr_null(buf);

        struct probe_req http = { .id = 1, .kind = PROBE_REQ_HTTP, .timeout_ms = 1, .status_min = 200, .status_max = 399 };
        ck_assert_int_eq(probe_req_encode(&http, &buf, &len, err, sizeof(err)), -EINVAL);
        ck_assert_str_eq(err, "field 'url': missing");
}
END_TEST

START_TEST(test_oversize)
{
        size_t n = PROBE_MAX_MSG + 10;
        _cleanup_(freep) char *big = malloc(n + 1);
        struct probe_req out = { 0 };
        char err[200];

        memset(big, ' ', n);
        big[n] = '\0';
        memcpy(big, "{\"id\":3}", 8);
        ck_assert_int_eq(probe_req_decode(big, n, &out, err, sizeof(err)), -EINVAL);
        ck_assert_str_eq(err, "message: larger than 65536 bytes");
        ck_assert_int_eq(out.id, -1);

        /* A URL long enough to push the encoded request past the limit. */
        _cleanup_(probe_req_done) struct probe_req in = http_req();
        _cleanup_(freep) char *buf = NULL;
        size_t len;
        for (int i = 0; i < PROBE_HEADERS_MAX - 2; i++) {
                char h[PROBE_HEADER_MAX + 1];
                memset(h, 'v', sizeof(h) - 1);
                h[PROBE_HEADER_MAX] = '\0';
                memcpy(h, "X-Pad: ", 7);
                strv_push(&in.headers, h);
        }
        free(in.body_contains);
        in.body_contains = malloc(PROBE_BODY_CONTAINS_MAX + 1);
        memset(in.body_contains, '\x01', PROBE_BODY_CONTAINS_MAX); /* \u0001: six bytes each */
        in.body_contains[PROBE_BODY_CONTAINS_MAX] = '\0';
        free(in.url);
        in.url = malloc(PROBE_URL_MAX + 1);
        memset(in.url, 'u', PROBE_URL_MAX);
        memcpy(in.url, "http://h/", 9);
        in.url[PROBE_URL_MAX] = '\0';
        int r = probe_req_encode(&in, &buf, &len, err, sizeof(err));
        ck_assert_msg(r == 0 || r == -EMSGSIZE, "r=%d %s", r, err);
        if (r == 0)
                ck_assert_uint_le(len, PROBE_MAX_MSG);
        /* probe_req_size measures it either way: what the config loader
         * compares with the limit */
        size_t sz = 0;
        ck_assert_int_eq(probe_req_size(&in, &sz, err, sizeof(err)), 0);
        ck_assert(r == 0 ? sz == len : sz > PROBE_MAX_MSG);
}
END_TEST

START_TEST(test_req_size)
{
        _cleanup_(probe_req_done) struct probe_req in = http_req();
        _cleanup_(freep) char *buf = NULL;
        size_t len = 0, sz = 0;
        char err[200];

        ck_assert_int_eq(probe_req_encode(&in, &buf, &len, err, sizeof(err)), 0);
        ck_assert_int_eq(probe_req_size(&in, &sz, err, sizeof(err)), 0);
        ck_assert_uint_eq(sz, len);
        free(in.url);
        in.url = strdup("ftp://h/");
        sz = 7;
        ck_assert_int_eq(probe_req_size(&in, &sz, err, sizeof(err)), -EINVAL);
        ck_assert_uint_eq(sz, 7); /* untouched on failure */
}
END_TEST

START_TEST(test_result_roundtrip)
{
        struct probe_result in, out;
        _cleanup_(freep) char *buf = NULL;
        size_t len;
        char err[200];

        probe_result_set(&in, 123, true, "connected in %.1fms", 0.4);
        ck_assert_int_eq(probe_result_encode(&in, &buf, &len), 0);
        ck_assert_str_eq(buf, "{\"id\":123,\"ok\":true,\"detail\":\"connected in 0.4ms\"}");
        ck_assert_int_eq(probe_result_decode(buf, len, &out, err, sizeof(err)), 0);
        ck_assert_int_eq(out.id, 123);
        ck_assert(out.ok);
        ck_assert_str_eq(out.detail, "connected in 0.4ms");

        free(buf);
        buf = NULL;
        probe_result_set(&in, -1, false, "bad request: %s", "field 'port'");
        ck_assert_int_eq(probe_result_encode(&in, &buf, &len), 0);
        ck_assert_int_eq(probe_result_decode(buf, len, &out, err, sizeof(err)), 0);
        ck_assert_int_eq(out.id, -1);
        ck_assert(!out.ok);

        in.id = -2;
        ck_assert_int_eq(probe_result_encode(&in, &buf, &len), -EINVAL);
}
END_TEST

START_TEST(test_result_truncation)
{
        struct probe_result r;
        char s[400];

        /* 2-byte characters straddling the limit: cut before, never inside one. */
        for (size_t i = 0; i + 2 < sizeof(s); i += 2)
                memcpy(s + i, "\xc3\xa9", 2);
        s[sizeof(s) - 2] = '\0';
        probe_result_set(&r, 1, false, "x%s", s); /* odd offset */
        ck_assert_uint_le(strlen(r.detail), PROBE_DETAIL_MAX);
        size_t n = strlen(r.detail);
        ck_assert_uint_eq(n % 2, 1);
        ck_assert_uint_eq((unsigned char)r.detail[n - 1], 0xa9);

        /* even offset: the limit falls right after a whole character's lead
         * byte (found by fuzz_probe: the lead byte was kept, alone) */
        probe_result_set(&r, 1, false, "%s", s);
        n = strlen(r.detail);
        ck_assert_uint_eq(n, PROBE_DETAIL_MAX - 1);
        ck_assert_uint_eq((unsigned char)r.detail[n - 1], 0xa9);
}
END_TEST

static const struct bad bad_results[] = {
        { "{\"ok\":true,\"detail\":\"\"}", 0, "field 'id': missing" },
        { "{\"id\":-2,\"ok\":true,\"detail\":\"\"}", 0, "field 'id': expected an integer in -1.." },
        { "{\"id\":1,\"detail\":\"\"}", 0, "field 'ok': missing" },
        { "{\"id\":1,\"ok\":1,\"detail\":\"\"}", 0, "field 'ok': expected true or false" },
        { "{\"id\":1,\"ok\":true}", 0, "field 'detail': missing" },
        { "{\"id\":1,\"ok\":true,\"detail\":null}", 0, "field 'detail': expected a string" },
        { "{\"id\":1,\"ok\":true,\"detail\":\"\",\"extra\":1}", 0, "field 'extra': unknown" },
        { "nope", 0, "message: not valid JSON" },
};

START_TEST(test_bad_result)
{
        const struct bad *b = &bad_results[_i];
        struct probe_result out = { .id = 77 };
        char err[200] = "";

        ck_assert_int_eq(probe_result_decode(b->json, strlen(b->json), &out, err, sizeof(err)), -EINVAL);
        ck_assert_msg(strncmp(err, b->err, strlen(b->err)) == 0, "%s: got %s", b->json, err);
        ck_assert_int_eq(out.id, 77); /* untouched */
}
END_TEST

START_TEST(test_result_scrubbed)
{
        const char *j = "{\"id\":1,\"ok\":false,\"detail\":\"line\\nbreak\\u001b[31m\"}";
        struct probe_result out;
        char err[200];
        char long_detail[400];

        ck_assert_int_eq(probe_result_decode(j, strlen(j), &out, err, sizeof(err)), 0);
        ck_assert_str_eq(out.detail, "line?break?[31m");

        snprintf(long_detail, sizeof(long_detail), "{\"id\":1,\"ok\":true,\"detail\":\"%0300d\"}", 0);
        ck_assert_int_eq(probe_result_decode(long_detail, strlen(long_detail), &out, err, sizeof(err)), -EINVAL);
        ck_assert_str_eq(err, "field 'detail': longer than 255 bytes");
}
END_TEST

START_TEST(test_req_done_null)
{
        struct probe_req z = { 0 };

        probe_req_done(NULL);
        probe_req_done(&z);
        probe_req_done(&z);
}
END_TEST


/* The hand-written encoders print what cJSON_PrintUnformatted printed for the
 * same object, byte for byte (probe_ref.h). */
START_TEST(test_encode_like_cjson)
{
        static const int64_t ids[] = { 0, 1, 9, 10, 2147483647, 2147483648LL, 10000000000LL, PROBE_ID_MAX };
        _cleanup_(probe_req_done) struct probe_req h = http_req();
        char err[200] = "", small[1024];
        size_t len, len2;

        free(h.body_contains);
        h.body_contains = strdup("q\" b\\ s/ \b\f\n\r\t \x01\x1f \x7f \xc3\xa9 \xe2\x82\xac end");
        for (size_t i = 0; i < ELEMENTSOF(ids); i++) {
                h.id = ids[i];
                h.follow_redirects = i % 2;
                h.tls_no_verify = i % 3 == 1;
                free(h.ca_file);
                h.ca_file = i % 3 == 2 ? strdup("/etc/ca \"q\"\\ \xc3\xa9.pem") : NULL;
                _cleanup_(freep) char *want = probe_ref_req_json(&h);
                _cleanup_(freep) char *got = NULL;
                ck_assert_int_eq(probe_req_encode(&h, &got, &len, err, sizeof(err)), 0);
                ck_assert_str_eq(got, want);
                ck_assert_uint_eq(len, strlen(want));
                ck_assert_int_eq(probe_req_encode_into(&h, small, sizeof(small), &len2, err, sizeof(err)), 0);
                ck_assert_str_eq(small, want);
                ck_assert_uint_eq(len2, len);
        }

        struct probe_req t = { .id = 77, .kind = PROBE_REQ_TCP, .port = 65535, .timeout_ms = PROBE_TIMEOUT_MS_MAX };
        snprintf(t.host, sizeof(t.host), "fe80::1%%eth0");
        _cleanup_(freep) char *want = probe_ref_req_json(&t);
        ck_assert_int_eq(probe_req_encode_into(&t, small, sizeof(small), &len, err, sizeof(err)), 0);
        ck_assert_str_eq(small, want);

        /* no headers, no body: the optional fields are left out */
        struct probe_req m = { .id = 5, .kind = PROBE_REQ_HTTP, .url = "http://h/", .status_min = 100,
                               .status_max = 599, .timeout_ms = 1 };
        _cleanup_(freep) char *want2 = probe_ref_req_json(&m);
        ck_assert_int_eq(probe_req_encode_into(&m, small, sizeof(small), &len, err, sizeof(err)), 0);
        ck_assert_str_eq(small, want2);
}
END_TEST

START_TEST(test_encode_into_sizes)
{
        struct probe_req t = { .id = 12, .kind = PROBE_REQ_TCP, .port = 80, .timeout_ms = 1000 };
        _cleanup_(freep) char *full = NULL;
        char buf[256], err[200] = "";
        size_t len, len2;

        snprintf(t.host, sizeof(t.host), "h");
        ck_assert_int_eq(probe_req_encode(&t, &full, &len, err, sizeof(err)), 0);
        /* len bytes plus the NUL: one less is too small, and nothing past cap is written */
        memset(buf, 'x', sizeof(buf));
        ck_assert_int_eq(probe_req_encode_into(&t, buf, len, &len2, err, sizeof(err)), -ENOBUFS);
        ck_assert_int_eq(buf[len], 'x');
        ck_assert_int_eq(probe_req_encode_into(&t, buf, len + 1, &len2, err, sizeof(err)), 0);
        ck_assert_uint_eq(len2, len);
        ck_assert_str_eq(buf, full);
        ck_assert_int_eq(probe_req_encode_into(&t, NULL, 0, &len2, err, sizeof(err)), -ENOBUFS);
        /* still checked first */
        t.port = 0;
        ck_assert_int_eq(probe_req_encode_into(&t, buf, sizeof(buf), &len2, err, sizeof(err)), -EINVAL);
        ck_assert_str_eq(err, "field 'port': expected an integer in 1..65535");

        /* the worst reply fits PROBE_RESULT_MSG_MAX */
        struct probe_result r = { .id = PROBE_ID_MAX, .ok = false };
        memset(r.detail, '\x01', PROBE_DETAIL_MAX);
        r.detail[PROBE_DETAIL_MAX] = '\0';
        char rb[PROBE_RESULT_MSG_MAX];
        ck_assert_int_eq(probe_result_encode_into(&r, rb, sizeof(rb), &len), 0);
        ck_assert_uint_eq(len, strlen(rb));
        ck_assert_int_eq(probe_result_encode_into(&r, rb, 10, &len), -ENOBUFS);
        r.id = -2;
        ck_assert_int_eq(probe_result_encode_into(&r, rb, sizeof(rb), &len), -EINVAL);
}
END_TEST

START_TEST(test_result_like_cjson)
{
        static const char *const details[] = { "", "HTTP 200 in 0.4ms (new connections: 0)", "q\"b\\s/\n\x01\x7f\xc3\xa9" };
        static const int64_t ids[] = { -1, 0, 123, 4294967296LL, PROBE_ID_MAX };

        for (size_t i = 0; i < ELEMENTSOF(ids); i++)
                for (size_t d = 0; d < ELEMENTSOF(details); d++) {
                        struct probe_result in, out;
                        char err[200];
                        size_t len;
                        _cleanup_(freep) char *got = NULL;
                        probe_result_set(&in, ids[i], d % 2, "%s", details[d]);
                        cJSON *o = cJSON_CreateObject();
                        cJSON_AddNumberToObject(o, "id", (double)in.id);
                        cJSON_AddBoolToObject(o, "ok", in.ok);
                        cJSON_AddStringToObject(o, "detail", in.detail);
                        _cleanup_(freep) char *want = cJSON_PrintUnformatted(o);
                        cJSON_Delete(o);
                        ck_assert_int_eq(probe_result_encode(&in, &got, &len), 0);
                        ck_assert_str_eq(got, want);
                        ck_assert_int_eq(probe_result_decode(got, len, &out, err, sizeof(err)), 0);
                        ck_assert_int_eq(out.id, in.id);
                        ck_assert_int_eq(out.ok, in.ok);
                        for (char *p = in.detail; *p; p++)
                                if ((unsigned char)*p < 0x20 || *p == 0x7f)
                                        *p = '?';
                        ck_assert_str_eq(out.detail, in.detail);
                }
}
END_TEST

START_TEST(test_fmt_int)
{
        static const struct {
                int64_t v;
                const char *s;
        } c[] = {
                { 0, "0" }, { 7, "7" }, { -1, "-1" }, { 10, "10" }, { PROBE_ID_MAX, "999999999999999" },
                { INT64_MAX, "9223372036854775807" }, { INT64_MIN, "-9223372036854775808" },
        };
        for (size_t i = 0; i < ELEMENTSOF(c); i++) {
                char b[21];
                size_t n = probe_fmt_int(c[i].v, b);
                ck_assert_uint_eq(n, strlen(c[i].s));
                ck_assert_int_eq(memcmp(b, c[i].s, n), 0);
        }
}
END_TEST

/* Messages not in the encoders' exact shape (blanks, other field order,
 * \u escapes, repeated fields, leading zeros) decode as cJSON reads them. */
/* Ids stay encodable for ever: the sequence wraps before an id would pass
 * PROBE_ID_MAX (a prober would refuse such a request), and the service's
 * index survives in the low bits. */
START_TEST(test_id_wraps)
{
        const int64_t last = PROBE_ID_MAX >> PROBE_ID_INDEX_BITS;
        int64_t seq = 0;
        ck_assert_int_eq(probe_id_next(&seq, 7), ((int64_t)1 << PROBE_ID_INDEX_BITS) | 7);
        ck_assert_int_eq(seq, 1);
        seq = last - 2;
        for (int i = 0; i < 5; i++) {
                int64_t id = probe_id_next(&seq, 499);
                struct probe_req req = { .id = id, .kind = PROBE_REQ_TCP, .timeout_ms = 1000, .port = 80 };
                char err[200];
                snprintf(req.host, sizeof(req.host), "127.0.0.1");
                ck_assert_int_gt(id, 0);
                ck_assert_int_le(id, PROBE_ID_MAX);
                ck_assert_int_eq(id & ((1 << PROBE_ID_INDEX_BITS) - 1), 499);
                ck_assert_msg(probe_req_check(&req, err, sizeof(err)) == 0, "id %lld: %s", (long long)id, err);
        }
        ck_assert_int_eq(seq, 3); /* last-1, last, then 1, 2, 3 */
        /* an index too large for its bits is sent as 0 (svd then scans) */
        ck_assert_int_eq(probe_id_next(&seq, (size_t)1 << PROBE_ID_INDEX_BITS) & ((1 << PROBE_ID_INDEX_BITS) - 1), 0);
}
END_TEST

START_TEST(test_decode_other_shapes)
{
        char err[200] = "";
        struct probe_result res;
        {
                const char *j = " {\"kind\":\"http\", \"timeout_ms\":5,\"id\":3,\"url\":\"http:\\/\\/h\\u002fx\"}";
                _cleanup_(probe_req_done) struct probe_req q = { 0 };
                ck_assert_int_eq(probe_req_decode(j, strlen(j), &q, err, sizeof(err)), 0);
                ck_assert_int_eq(q.id, 3);
                ck_assert_str_eq(q.url, "http://h/x");
                ck_assert_uint_eq(q.timeout_ms, 5);
        }
        {
                const char *j = "{\"id\":4,\"kind\":\"http\",\"url\":\"http://a/\",\"url\":\"http://b/\",\"timeout_ms\":1}";
                _cleanup_(probe_req_done) struct probe_req q = { 0 };
                ck_assert_int_eq(probe_req_decode(j, strlen(j), &q, err, sizeof(err)), 0);
                ck_assert_str_eq(q.url, "http://b/"); /* the last one, as before */
        }
        {
                const char *j = "{\"id\":04,\"kind\":\"tcp\",\"host\":\"h\",\"port\":80,\"timeout_ms\":1.0}";
                _cleanup_(probe_req_done) struct probe_req q = { 0 };
                ck_assert_int_eq(probe_req_decode(j, strlen(j), &q, err, sizeof(err)), 0);
                ck_assert_int_eq(q.id, 4);
                ck_assert_uint_eq(q.timeout_ms, 1);
        }
        {
                /* canonical shape, but a value out of range: the cJSON path names it */
                const char *j = "{\"id\":4,\"kind\":\"tcp\",\"host\":\"h\",\"port\":80,\"timeout_ms\":1,\"port\":0}";
                _cleanup_(probe_req_done) struct probe_req q = { 0 };
                ck_assert_int_eq(probe_req_decode(j, strlen(j), &q, err, sizeof(err)), -EINVAL);
                ck_assert_str_eq(err, "field 'port': expected an integer in 1..65535");
                ck_assert_int_eq(q.id, 4);
        }
        {
                const char *j = "{\"id\":4,\"kind\":\"http\",\"url\":\"http://h/\",\"timeout_ms\":1,\"headers\":[]}";
                _cleanup_(probe_req_done) struct probe_req q = { 0 };
                ck_assert_int_eq(probe_req_decode(j, strlen(j), &q, err, sizeof(err)), 0);
                ck_assert_ptr_nonnull(q.headers);
                ck_assert_ptr_null(q.headers[0]);
        }
        const char *r = "{\"detail\":\"a\\u00e9\\u0007\",\"ok\":false,\"id\":5}\n";
        ck_assert_int_eq(probe_result_decode(r, strlen(r), &res, err, sizeof(err)), 0);
        ck_assert_int_eq(res.id, 5);
        ck_assert_str_eq(res.detail, "a\xc3\xa9?");
        r = "{\"id\":-10,\"ok\":true,\"detail\":\"\"}";
        ck_assert_int_eq(probe_result_decode(r, strlen(r), &res, err, sizeof(err)), -EINVAL);
        r = "{\"id\":1,\"ok\":true,\"detail\":\"x\"} x";
        ck_assert_int_eq(probe_result_decode(r, strlen(r), &res, err, sizeof(err)), -EINVAL);
        ck_assert_str_eq(err, "message: trailing data after the JSON object");
}
END_TEST

static Suite *suite(void)
{
        Suite *s = suite_create("probe_proto");
        TCase *tc = tcase_create("core");

        tcase_add_test(tc, test_tcp_roundtrip);
        tcase_add_test(tc, test_http_roundtrip);
        tcase_add_test(tc, test_http_defaults);
        tcase_add_test(tc, test_http_tls_roundtrip);
        tcase_add_loop_test(tc, test_bad_request, 0, (int)ELEMENTSOF(bad));
        tcase_add_test(tc, test_too_many_headers);
        tcase_add_test(tc, test_encode_checks);
        tcase_add_test(tc, test_oversize);
        tcase_add_test(tc, test_req_size);
        tcase_add_test(tc, test_result_roundtrip);
        tcase_add_test(tc, test_result_truncation);
        tcase_add_loop_test(tc, test_bad_result, 0, (int)ELEMENTSOF(bad_results));
        tcase_add_test(tc, test_result_scrubbed);
        tcase_add_test(tc, test_req_done_null);
        tcase_add_test(tc, test_encode_like_cjson);
        tcase_add_test(tc, test_encode_into_sizes);
        tcase_add_test(tc, test_result_like_cjson);
        tcase_add_test(tc, test_fmt_int);
        tcase_add_test(tc, test_decode_other_shapes);
        tcase_add_test(tc, test_id_wraps);
        suite_add_tcase(s, tc);
        return s;
}

int main(void)
{
        return check_run(suite());
}

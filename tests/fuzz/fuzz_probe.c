/* fuzz_probe: libFuzzer target for the svd <-> svd-probe protocol
 * (probe_proto), a trust boundary both ways: svd-probe parses network replies
 * and runs unprivileged, so svd decodes what it sends back as hostile, and
 * svd-probe checks every request. The input is one packet (at most
 * PROBE_MAX_MSG bytes, as both ends receive it). It is walked with
 * probe_msg_next() as prober.c's read_cb and svd-probe.c's on_readable do, and
 * every message goes through both probe_result_decode() (svd's side) and
 * probe_req_decode() (svd-probe's side), each from an allocation of exactly
 * its length, so ASan sees a read past it. Asserted (abort() on violation):
 * - probe_msg_next yields, in order, non-empty slices without '\n' inside the
 *   packet, skipping nothing but '\n', and ends at its end;
 * - a decoder returns 0 or a negative errno; on failure err is a non-empty
 *   one-line message without control bytes (also cut short in a small buffer,
 *   and err NULL is fine), and a failed probe_req_decode leaves an empty
 *   request: all zero but the id, -1..PROBE_ID_MAX;
 * - a decoded request passes probe_req_check() and holds only its kind's
 *   fields;
 *   probe_req_encode and probe_req_encode_into (1024 bytes: else -ENOBUFS;
 *   exactly its size plus the NUL: fits; one less: -ENOBUFS) write the same
 *   bytes, which are what cJSON_PrintUnformatted prints for the same object
 *   (probe_proto.h's promise; -EMSGSIZE exactly when that exceeds
 *   PROBE_MAX_MSG), and they decode
 *   to an equal request (every field; headers [] and none are the same);
 * - a decoded result has an id in -1..PROBE_ID_MAX and a detail NUL-terminated
 *   within PROBE_DETAIL_MAX bytes, without control bytes; it re-encodes into
 *   PROBE_RESULT_MSG_MAX bytes (the cJSON bytes again) and decodes back equal;
 * - the fast path and the cJSON path agree: the same message with a leading
 *   blank (the fast path wants '{' first; cJSON skips blanks) decodes to an
 *   equal request or result, or fails with the same error and id; likewise a
 *   re-encoding, which the fast path must take (unless it holds a \u
 *   escape) and decode equal;
 * - svd-probe's encoder side: the packet as a reply's detail (a network error
 *   or body text) is cut by probe_result_set at a UTF-8 boundary within
 *   PROBE_DETAIL_MAX, encodes into PROBE_RESULT_MSG_MAX bytes (control bytes
 *   escaped six bytes each) and decodes with control bytes as '?'.
 * Every decoded request is freed with probe_req_done(); LeakSanitizer runs. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "probe_proto.h"
#include "../unit/probe_ref.h"
#include "probe_proto_fast.h"

#define ERRLEN 256
#define SMALL_ERRLEN 8
#define BOM "\xef\xbb\xbf" /* cJSON skips it at the very start only */

static bool is_ctl(unsigned char c)
{
        return c < 0x20 || c == 0x7f;
}

/* The n bytes at p in an allocation of exactly n (+1 for a leading blank)
 * bytes, not NUL-terminated. */
static char *dup_exact(const char *p, size_t n, bool blank)
{
        char *d = malloc(n + blank > 0 ? n + blank : 1);
        if (!d)
                abort();
        if (blank)
                d[0] = ' ';
        memcpy(d + blank, p, n);
        return d;
}

/* A failed decoder's message: non-empty, terminated, one line, no control
 * bytes (it is logged, and sent back inside a reply's detail). */
static void check_err(int r, const char *err, size_t errlen)
{
        if (r >= 0 || r < -4095)
                abort();
        const char *nul = memchr(err, 0, errlen);
        if (!nul || nul == err)
                abort();
        for (const char *p = err; p < nul; p++)
                if (is_ctl((unsigned char)*p))
                        abort();
}

static bool str_eq(const char *a, const char *b)
{
        return a == b || (a && b && strcmp(a, b) == 0);
}

/* strict: NULL headers and an empty list differ (the same bytes through two
 * decoders); else they are the same (the encoder omits an empty list). */
static bool headers_eq(char **a, char **b, bool strict)
{
        if (strict && !a != !b)
                return false;
        size_t i = 0;
        for (; a && a[i] && b && b[i]; i++)
                if (strcmp(a[i], b[i]) != 0)
                        return false;
        return !(a && a[i]) && !(b && b[i]);
}

static bool req_eq(const struct probe_req *a, const struct probe_req *b, bool strict)
{
        return a->id == b->id && a->kind == b->kind && a->timeout_ms == b->timeout_ms &&
               strcmp(a->host, b->host) == 0 && a->port == b->port &&
               str_eq(a->url, b->url) && a->status_min == b->status_min && a->status_max == b->status_max &&
               str_eq(a->body_contains, b->body_contains) && headers_eq(a->headers, b->headers, strict) &&
               a->follow_redirects == b->follow_redirects && a->tls_no_verify == b->tls_no_verify &&
               str_eq(a->ca_file, b->ca_file);
}

static bool res_eq(const struct probe_result *a, const struct probe_result *b)
{
        return a->id == b->id && a->ok == b->ok && strcmp(a->detail, b->detail) == 0;
}

/* probe_req_decode from an exact-length copy (with a leading blank if asked):
 * checks what a failure leaves behind. */
static int decode_req(const char *m, size_t n, bool blank, struct probe_req *q, char err[ERRLEN])
{
        char *d = dup_exact(m, n, blank);
        memset(q, 0xa5, sizeof(*q));
        err[0] = '\0';
        int r = probe_req_decode(d, n + blank, q, err, ERRLEN);
        if (r < 0) {
                check_err(r, err, ERRLEN);
                struct probe_req z;
                memset(&z, 0, sizeof(z));
                z.id = q->id;
                if (q->id < -1 || q->id > PROBE_ID_MAX || memcmp(&z, q, sizeof(z)) != 0)
                        abort(); /* reset, nothing to free */

                /* The same error cut short, and no buffer at all. */
                char *small = malloc(SMALL_ERRLEN);
                struct probe_req q2;
                if (!small)
                        abort();
                memset(small, 0xa5, SMALL_ERRLEN);
                if (probe_req_decode(d, n + blank, &q2, small, SMALL_ERRLEN) != r || q2.id != q->id ||
                    !memchr(small, 0, SMALL_ERRLEN) || strncmp(small, err, SMALL_ERRLEN - 1) != 0)
                        abort();
                if (probe_req_decode(d, n + blank, &q2, NULL, 0) != r || q2.id != q->id)
                        abort();
                free(small);
        } else if (r != 0) {
                abort();
        }
        free(d);
        return r;
}

static int decode_res(const char *m, size_t n, bool blank, struct probe_result *res, char err[ERRLEN])
{
        char *d = dup_exact(m, n, blank);
        err[0] = '\0';
        int r = probe_result_decode(d, n + blank, res, err, ERRLEN);
        if (r < 0) {
                check_err(r, err, ERRLEN);
                char *small = malloc(SMALL_ERRLEN);
                struct probe_result res2;
                if (!small)
                        abort();
                memset(small, 0xa5, SMALL_ERRLEN);
                if (probe_result_decode(d, n + blank, &res2, small, SMALL_ERRLEN) != r ||
                    !memchr(small, 0, SMALL_ERRLEN) || strncmp(small, err, SMALL_ERRLEN - 1) != 0)
                        abort();
                if (probe_result_decode(d, n + blank, &res2, NULL, 0) != r)
                        abort();
                free(small);
        } else if (r != 0) {
                abort();
        }
        free(d);
        return r;
}

/* ---- requests ---- */

static void check_req(const struct probe_req *q)
{
        char err[ERRLEN];

        if (probe_req_check(q, err, sizeof(err)) != 0)
                abort();
        if (q->id < 0 || q->id > PROBE_ID_MAX)
                abort();
        switch (q->kind) {
        case PROBE_REQ_TCP:
                if (q->url || q->body_contains || q->headers || q->follow_redirects || q->tls_no_verify ||
                    q->ca_file || q->status_min != 200 || q->status_max != 399 ||
                    !memchr(q->host, 0, sizeof(q->host)) || !q->host[0])
                        abort();
                break;
        case PROBE_REQ_HTTP:
                if (q->host[0] || q->port || !q->url)
                        abort();
                break;
        default:
                abort();
        }
        if (q->timeout_ms < 1 || q->timeout_ms > PROBE_TIMEOUT_MS_MAX)
                abort();
}

/* What cJSON_PrintUnformatted prints for the request (the reference the
 * header promises the encoder matches), or abort. */
static char *ref_req(const struct probe_req *q)
{
        char *s = probe_ref_req_json(q);
        if (!s)
                abort();
        return s;
}

/* A decoded request survives its encoders and both decoders. */
static void roundtrip_req(const struct probe_req *q)
{
        char err[ERRLEN];
        char *ref = ref_req(q);
        size_t rlen = strlen(ref);
        char *enc = NULL;
        size_t len = 0;

        int r = probe_req_encode(q, &enc, &len, err, sizeof(err));
        char *small = malloc(1024);
        size_t slen = 0;
        if (!small)
                abort();
        int rs = probe_req_encode_into(q, small, 1024, &slen, err, sizeof(err));
        if (r == -EMSGSIZE) {
                if (rlen <= PROBE_MAX_MSG || rs != -EMSGSIZE)
                        abort(); /* too large only when it is */
                free(small);
                free(ref);
                return;
        }
        if (r != 0 || !enc || len != rlen || memcmp(enc, ref, len) != 0 || enc[len] != '\0' ||
            len > PROBE_MAX_MSG)
                abort();
        if (len < 1024) {
                if (rs != 0 || slen != len || memcmp(small, enc, len) != 0 || small[len] != '\0')
                        abort();
        } else if (rs != -ENOBUFS) {
                abort();
        }
        free(small);
        /* Exactly the room it needs, and one byte less. */
        char *exact = malloc(len + 1);
        if (!exact)
                abort();
        if (probe_req_encode_into(q, exact, len + 1, &slen, err, sizeof(err)) != 0 || slen != len ||
            memcmp(exact, enc, len) != 0 || exact[len] != '\0')
                abort();
        if (probe_req_encode_into(q, exact, len, &slen, err, sizeof(err)) != -ENOBUFS)
                abort();
        free(exact);

        /* Back through probe_req_decode (which takes the fast path first). */
        struct probe_req back, blank;
        if (decode_req(enc, len, false, &back, err) != 0)
                abort();
        check_req(&back);
        if (!req_eq(q, &back, false))
                abort();
        /* The fast path alone: it must take the encoder's shape. */
        struct probe_req fast = { .id = -1, .status_min = 200, .status_max = 399 };
        if (probe_fast_req_decode(enc, len, &fast) == 0) {
                if (!req_eq(&back, &fast, true))
                        abort();
                probe_req_done(&fast);
        } else if (!memmem(enc, len, "\\u", 2)) {
                abort();
        }
        /* The cJSON path alone (a leading blank): the same request. */
        if (len + 1 <= PROBE_MAX_MSG) {
                if (decode_req(enc, len, true, &blank, err) != 0 || !req_eq(&back, &blank, true))
                        abort();
                probe_req_done(&blank);
        }
        probe_req_done(&back);
        free(enc);
        free(ref);
}

static void one_req(const char *m, size_t n)
{
        char err[ERRLEN], err2[ERRLEN];
        struct probe_req q, q2;

        int r = decode_req(m, n, false, &q, err);
        if (r == 0) {
                check_req(&q);
                roundtrip_req(&q);
        }
        /* With a leading blank only cJSON reads it: same verdict, same
         * request or same error. (Not after a BOM, which cJSON skips only at
         * the very start, nor past the size limit.) */
        if (n + 1 <= PROBE_MAX_MSG && !(n >= 3 && memcmp(m, BOM, 3) == 0)) {
                int r2 = decode_req(m, n, true, &q2, err2);
                if (r2 != r)
                        abort();
                if (r == 0 ? !req_eq(&q, &q2, true) : (q.id != q2.id || strcmp(err, err2) != 0))
                        abort();
                probe_req_done(&q2);
        }
        probe_req_done(&q);
}

/* ---- results ---- */

static void check_res(const struct probe_result *res)
{
        if (res->id < -1 || res->id > PROBE_ID_MAX)
                abort();
        const char *nul = memchr(res->detail, 0, PROBE_DETAIL_MAX + 1);
        if (!nul)
                abort();
        for (const char *p = res->detail; p < nul; p++)
                if (is_ctl((unsigned char)*p))
                        abort();
}

static char *ref_res(const struct probe_result *res)
{
        cJSON *o = cJSON_CreateObject();
        if (!o)
                abort();
        cJSON_AddNumberToObject(o, "id", (double)res->id);
        cJSON_AddBoolToObject(o, "ok", res->ok);
        cJSON_AddStringToObject(o, "detail", res->detail);
        char *s = cJSON_PrintUnformatted(o);
        cJSON_Delete(o);
        if (!s)
                abort();
        return s;
}

/* Encodes res (any detail); it must fit in PROBE_RESULT_MSG_MAX, be what
 * cJSON prints, and decode through both paths to res with control bytes as
 * '?'. */
static void roundtrip_res(const struct probe_result *res)
{
        char err[ERRLEN];
        char *buf = malloc(PROBE_RESULT_MSG_MAX);
        char *ref = ref_res(res);
        size_t len = 0, len2 = 0;
        char *enc = NULL;

        if (!buf)
                abort();
        if (probe_result_encode_into(res, buf, PROBE_RESULT_MSG_MAX, &len) != 0 || len >= PROBE_RESULT_MSG_MAX ||
            buf[len] != '\0' || len != strlen(ref) || memcmp(buf, ref, len) != 0)
                abort();
        if (probe_result_encode(res, &enc, &len2) != 0 || len2 != len || memcmp(enc, buf, len) != 0)
                abort();
        free(enc);

        struct probe_result want = *res, back, fast, blank;
        for (char *p = want.detail; *p; p++)
                if (is_ctl((unsigned char)*p))
                        *p = '?';
        if (decode_res(buf, len, false, &back, err) != 0 || !res_eq(&want, &back))
                abort();
        check_res(&back);
        memset(&fast, 0, sizeof(fast));
        if (probe_fast_result_decode(buf, len, &fast) == 0) {
                if (!res_eq(&want, &fast))
                        abort();
        } else if (!memmem(buf, len, "\\u", 2)) {
                abort(); /* the encoder's shape, \u00XX aside: the fast path's */
        }
        if (decode_res(buf, len, true, &blank, err) != 0 || !res_eq(&want, &blank))
                abort();
        free(ref);
        free(buf);
}

static void one_res(const char *m, size_t n)
{
        char err[ERRLEN], err2[ERRLEN];
        struct probe_result res, res2;

        int r = decode_res(m, n, false, &res, err);
        if (r == 0) {
                check_res(&res);
                roundtrip_res(&res);
        }
        if (n + 1 <= PROBE_MAX_MSG && !(n >= 3 && memcmp(m, BOM, 3) == 0)) {
                int r2 = decode_res(m, n, true, &res2, err2);
                if (r2 != r || (r == 0 ? !res_eq(&res, &res2) : strcmp(err, err2) != 0))
                        abort();
        }
}

/* The length of the strictly valid UTF-8 character at p (RFC 3629: no
 * overlongs, surrogates or code points past U+10FFFF), 0 if there is none. */
static size_t valid_char(const unsigned char *p, size_t avail)
{
        unsigned char c = p[0];
        size_t len = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
        if (!len || avail < len)
                return 0;
        uint32_t cp = len == 1 ? c : c & (0x7f >> len);
        for (size_t j = 1; j < len; j++) {
                if ((p[j] & 0xc0) != 0x80)
                        return 0;
                cp = (cp << 6) | (p[j] & 0x3f);
        }
        if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
                return 0;
        return len;
}

/* Whether a cut of s (len bytes) at `at` falls inside a valid character
 * (bytes that are not part of one are invalid either way, and may be cut
 * anywhere). */
static bool splits_char(const unsigned char *s, size_t len, size_t at)
{
        for (size_t k = 1; k <= 3 && k <= at && at < len; k++) {
                size_t n = valid_char(s + at - k, len - (at - k));
                if (n > k)
                        return true;
        }
        return false;
}

/* svd-probe's side: text from the network as a reply's detail. */
static void set_detail(const uint8_t *data, size_t size)
{
        size_t n = size < 1024 ? size : 1024;
        char *s = malloc(n + 1);
        if (!s)
                abort();
        memcpy(s, data, n);
        s[n] = '\0';
        struct probe_result res;
        int64_t id = (int64_t)(size % 3) - 1; /* -1, 0, 1 */
        probe_result_set(&res, id, size & 1, "%s", s);
        size_t dl = strnlen(res.detail, sizeof(res.detail));
        if (dl > PROBE_DETAIL_MAX || memcmp(res.detail, s, dl) != 0 || res.id != id || res.ok != (size & 1))
                abort(); /* a prefix */
        if (splits_char((const unsigned char *)s, strlen(s), dl))
                abort(); /* cut inside a UTF-8 character */
        roundtrip_res(&res);
        free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (size > PROBE_MAX_MSG)
                size = PROBE_MAX_MSG; /* what one recv of a packet holds */
        const char *buf = (const char *)data, *end = buf + size;
        const char *pos = buf, *prev = buf, *msg;
        size_t len = 0;

        while ((msg = probe_msg_next(&pos, end, &len))) {
                if (msg < prev || len == 0 || len > (size_t)(end - msg) || pos != msg + len ||
                    memchr(msg, '\n', len))
                        abort();
                for (const char *p = prev; p < msg; p++)
                        if (*p != '\n')
                                abort(); /* nothing but empty lines skipped */
                prev = pos;
                one_res(msg, len);
                one_req(msg, len);
        }
        if (pos != end)
                abort();
        for (const char *p = prev; p < end; p++)
                if (*p != '\n')
                        abort();

        set_detail(data, size);
        return 0;
}

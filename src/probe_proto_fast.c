/* probe_proto_fast: the fast path of probe_proto's decoders. Messages in
 * exactly the compact shape the encoders write are read by a small scanner
 * with no cJSON tree; anything else returns -1 and probe_proto.c's cJSON path
 * decides (it alone produces error messages). Split out because the two
 * readers are separate concerns: one is an optimisation, the other the
 * definition of what is valid. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>
#include "probe_proto.h"
#include "util.h"
#include "probe_proto_fast.h"

/* ---- fast decoding ----
 * Messages as probe_proto.c's encoders write them (no blanks, no \u escapes, known
 * fields, each once) are read by a small scanner without building a cJSON
 * tree; anything else -- including every invalid message -- goes to the
 * cJSON path below, which alone produces error messages. So the fast path
 * only ever accepts what the cJSON path would accept, with the same result. */

struct jr {
        const char *p, *end;
};

static bool jr_lit(struct jr *r, const char *s, size_t n)
{
        if ((size_t)(r->end - r->p) < n || memcmp(r->p, s, n) != 0)
                return false;
        r->p += n;
        return true;
}

#define JR_LIT(r, s) jr_lit((r), (s), sizeof(s) - 1)

/* A non-negative integer of 1..15 digits without leading zeros. */
static bool jr_uint(struct jr *r, int64_t *ret)
{
        int64_t v = 0;
        const char *s = r->p;

        while (r->p < r->end && *r->p >= '0' && *r->p <= '9' && r->p - s < 16)
                v = v * 10 + (*r->p++ - '0');
        size_t n = (size_t)(r->p - s);
        if (n == 0 || n > 15 || (n > 1 && *s == '0'))
                return false;
        if (r->p < r->end && (*r->p == '.' || *r->p == 'e' || *r->p == 'E' || (*r->p >= '0' && *r->p <= '9')))
                return false;
        *ret = v;
        return true;
}

static bool jr_bool(struct jr *r, bool *ret)
{
        if (JR_LIT(r, "true"))
                *ret = true;
        else if (JR_LIT(r, "false"))
                *ret = false;
        else
                return false;
        return true;
}

/* The raw length of the string at r->p (after its opening quote), or -1 if it
 * holds anything but plain bytes >= 0x20 and two-character escapes. */
static ssize_t jr_str_span(const struct jr *r)
{
        const char *p = r->p;

        if (p >= r->end || *p != '"')
                return -1;
        for (p++; p < r->end; p++) {
                unsigned char c = (unsigned char)*p;
                if (c == '"')
                        return p - r->p - 1;
                if (c < 0x20)
                        return -1;
                if (c == '\\') {
                        if (++p >= r->end || !*p || !strchr("\"\\/bfnrt", *p))
                                return -1;
                }
        }
        return -1;
}

/* Decodes the string at r->p into out (cap bytes with the NUL); false if it is
 * not simple (see jr_str_span) or does not fit. */
static bool jr_str(struct jr *r, char *out, size_t cap)
{
        ssize_t span = jr_str_span(r);
        if (span < 0)
                return false;
        const char *p = r->p + 1, *end = p + span;
        size_t n = 0;
        while (p < end) {
                char c = *p++;
                if (c == '\\') {
                        switch (*p++) {
                        case 'b': c = '\b'; break;
                        case 'f': c = '\f'; break;
                        case 'n': c = '\n'; break;
                        case 'r': c = '\r'; break;
                        case 't': c = '\t'; break;
                        default: c = p[-1]; /* " \ / */
                        }
                }
                if (n + 1 >= cap)
                        return false;
                out[n++] = c;
        }
        out[n] = '\0';
        r->p = end + 1;
        return true;
}

/* Like jr_str into a new allocation of at most max bytes (without the NUL). */
static bool jr_strdup(struct jr *r, size_t max, char **ret)
{
        ssize_t span = jr_str_span(r);
        if (span < 0)
                return false;
        size_t cap = ((size_t)span < max ? (size_t)span : max) + 1;
        char *s = malloc(cap);
        if (!s || !jr_str(r, s, cap)) {
                free(s);
                return false;
        }
        free(*ret);
        *ret = s;
        return true;
}

static bool jr_end(struct jr *r)
{
        if (!JR_LIT(r, "}"))
                return false;
        for (; r->p < r->end; r->p++)
                if (*r->p != ' ' && *r->p != '\t' && *r->p != '\n' && *r->p != '\r')
                        return false;
        return true;
}

enum {
        F_TIMEOUT = 1 << 0,
        F_HOST = 1 << 1,
        F_PORT = 1 << 2,
        F_URL = 1 << 3,
        F_SMIN = 1 << 4,
        F_SMAX = 1 << 5,
        F_FOLLOW = 1 << 6,
        F_BODY = 1 << 7,
        F_HEADERS = 1 << 8,
        F_TLS_VERIFY = 1 << 9,
        F_CA_FILE = 1 << 10,
};

static bool fast_headers(struct jr *r, char ***ret)
{
        char h[PROBE_HEADER_MAX + 1];
        _cleanup_(strv_freep) char **hs = calloc(1, sizeof(char *));
        size_t n = 0;

        if (!hs || !JR_LIT(r, "["))
                return false;
        if (!JR_LIT(r, "]")) {
                do {
                        if (++n > PROBE_HEADERS_MAX || !jr_str(r, h, sizeof(h)) || strv_push(&hs, h) < 0)
                                return false;
                } while (JR_LIT(r, ","));
                if (!JR_LIT(r, "]"))
                        return false;
        }
        strv_free(*ret);
        *ret = hs;
        hs = NULL;
        return true;
}

/* One field of a request; false to fall back. */
static bool fast_req_field(struct jr *r, struct probe_req *req, unsigned *seen)
{
        struct field {
                const char *name;
                unsigned flag;
                bool tcp, http;
        };
        static const struct field fields[] = {
                { "\"timeout_ms\":", F_TIMEOUT, true, true }, { "\"host\":", F_HOST, true, false },
                { "\"port\":", F_PORT, true, false },         { "\"url\":", F_URL, false, true },
                { "\"status_min\":", F_SMIN, false, true },   { "\"status_max\":", F_SMAX, false, true },
                { "\"follow_redirects\":", F_FOLLOW, false, true },
                { "\"body_contains\":", F_BODY, false, true }, { "\"headers\":", F_HEADERS, false, true },
                { "\"tls_verify\":", F_TLS_VERIFY, false, true }, { "\"ca_file\":", F_CA_FILE, false, true },
        };
        const struct field *f = NULL;
        int64_t n;

        for (size_t i = 0; i < ELEMENTSOF(fields) && !f; i++)
                if (jr_lit(r, fields[i].name, strlen(fields[i].name)))
                        f = &fields[i];
        if (!f || (*seen & f->flag) || !(req->kind == PROBE_REQ_TCP ? f->tcp : f->http))
                return false;
        *seen |= f->flag;
        switch (f->flag) {
        case F_TIMEOUT:
                if (!jr_uint(r, &n) || n < 1 || n > PROBE_TIMEOUT_MS_MAX)
                        return false;
                req->timeout_ms = (unsigned)n;
                return true;
        case F_HOST:
                return jr_str(r, req->host, sizeof(req->host));
        case F_PORT:
                if (!jr_uint(r, &n) || n < 1 || n > 65535)
                        return false;
                req->port = (unsigned)n;
                return true;
        case F_URL:
                return jr_strdup(r, PROBE_URL_MAX, &req->url);
        case F_SMIN:
        case F_SMAX:
                if (!jr_uint(r, &n) || n < 100 || n > 599)
                        return false;
                *(f->flag == F_SMIN ? &req->status_min : &req->status_max) = (unsigned)n;
                return true;
        case F_FOLLOW:
                return jr_bool(r, &req->follow_redirects);
        case F_BODY:
                return jr_strdup(r, PROBE_BODY_CONTAINS_MAX, &req->body_contains);
        case F_HEADERS:
                return fast_headers(r, &req->headers);
        case F_TLS_VERIFY: {
                bool verify;
                if (!jr_bool(r, &verify))
                        return false;
                req->tls_no_verify = !verify;
                return true;
        }
        case F_CA_FILE:
                return jr_strdup(r, PROBE_CA_FILE_MAX, &req->ca_file);
        }
        return false;
}

/* 0 and *req filled, or -1 (nothing to free in *req) to use the cJSON path. */
int probe_fast_req_decode(const char *buf, size_t len, struct probe_req *req)
{
        struct jr r = { buf, buf + len };
        unsigned seen = 0;
        int64_t id;

        if (!buf || len > PROBE_MAX_MSG || !JR_LIT(&r, "{\"id\":") || !jr_uint(&r, &id))
                return -1;
        req->id = id;
        if (JR_LIT(&r, ",\"kind\":\"tcp\""))
                req->kind = PROBE_REQ_TCP;
        else if (JR_LIT(&r, ",\"kind\":\"http\""))
                req->kind = PROBE_REQ_HTTP;
        else
                return -1;
        while (JR_LIT(&r, ","))
                if (!fast_req_field(&r, req, &seen))
                        goto fallback;
        unsigned need = req->kind == PROBE_REQ_TCP ? F_HOST | F_PORT | F_TIMEOUT : F_URL | F_TIMEOUT;
        if (!jr_end(&r) || (seen & need) != need || probe_req_check(req, NULL, 0) < 0 /* errf takes no buffer */)
                goto fallback;
        return 0;
fallback:
        free(req->url);
        free(req->body_contains);
        strv_free(req->headers);
        free(req->ca_file);
        req->url = req->body_contains = req->ca_file = NULL;
        req->headers = NULL;
        req->tls_no_verify = false;
        return -1;
}

/* 0 and *ret filled, or -1 to use the cJSON path. */
int probe_fast_result_decode(const char *buf, size_t len, struct probe_result *ret)
{
        struct jr r = { buf, buf + len };
        int64_t id;

        if (!buf || len > PROBE_MAX_MSG || !JR_LIT(&r, "{\"id\":"))
                return -1;
        if (JR_LIT(&r, "-1"))
                id = -1;
        else if (!jr_uint(&r, &id))
                return -1;
        if (r.p < r.end && *r.p >= '0' && *r.p <= '9')
                return -1; /* -12... */
        ret->id = id;
        if (!JR_LIT(&r, ",\"ok\":") || !jr_bool(&r, &ret->ok) || !JR_LIT(&r, ",\"detail\":") ||
            !jr_str(&r, ret->detail, sizeof(ret->detail)) || !jr_end(&r))
                return -1;
        for (char *p = ret->detail; *p; p++)
                if ((unsigned char)*p < 0x20 || *p == 0x7f)
                        *p = '?';
        return 0;
}


/* probe_proto: encoding and validation of the svd <-> svd-probe messages. Both
 * directions are checked field by field on decode: the prober must not act on
 * a request it half-understood, and svd must not trust a reply from a process
 * that parses network input. Decoding is two steps: a type pass that maps JSON
 * onto struct probe_req (refusing unknown fields, so a typo in svd cannot be
 * silently ignored), then probe_req_check() for values, which encode shares.
 * cJSON's NULL-on-failure style becomes -errno here; nothing logs. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>

#include <cjson/cJSON.h>

#include "probe_proto.h"
#include "probe_proto_fast.h"
#include "utf8.h"
#include "util.h"

static void cjson_deletep(cJSON **p)
{
        cJSON_Delete(*p);
}


static bool has_ctl(const char *s)
{
        for (; *s; s++)
                if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f)
                        return true;
        return false;
}

/* ---- values ---- */

/* An IP literal or a DNS name; IPv6 literals bare ("::1"), optionally with a
 * zone ("fe80::1%eth0"). Anything else would only reach getaddrinfo anyway,
 * but a narrow charset keeps error text and logs clean. */
static bool host_valid(const char *h)
{
        if (!h[0])
                return false;
        for (const char *p = h; *p; p++) {
                char c = *p;
                bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                          c == '.' || c == '-' || c == '_' || c == ':' || c == '%';
                if (!ok)
                        return false;
        }
        return true;
}

static bool url_valid(const char *u)
{
        const char *rest;

        if (strncasecmp(u, "http://", 7) == 0)
                rest = u + 7;
        else if (strncasecmp(u, "https://", 8) == 0)
                rest = u + 8;
        else
                return false;
        if (!*rest || *rest == '/' || *rest == '?' || *rest == '#')
                return false; /* no host */
        for (const char *p = u; *p; p++)
                if ((unsigned char)*p <= 0x20 || (unsigned char)*p == 0x7f)
                        return false;
        return true;
}

/* RFC 9110 token characters, for header names. */
static bool tchar(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               (c && strchr("!#$%&'*+-.^_`|~", c));
}

bool probe_header_name_ok(const char *name)
{
        const char *p = name;

        while (tchar(*p))
                p++;
        return p != name && !*p;
}

/* "Name: value" with a non-empty token name and no control bytes (a CR or LF
 * would let a config smuggle extra headers or a second request). */
static bool header_valid(const char *h)
{
        const char *p = h;

        while (tchar(*p))
                p++;
        if (p == h || *p != ':')
                return false;
        for (p++; *p; p++)
                if (((unsigned char)*p < 0x20 && *p != '\t') || (unsigned char)*p == 0x7f)
                        return false;
        return true;
}

int probe_req_check(const struct probe_req *req, char *err, size_t errlen)
{
        if (!req)
                return -EINVAL;
        if (req->id < 0 || req->id > PROBE_ID_MAX)
                return errf(err, errlen, "field 'id': expected an integer in 0..%lld", (long long)PROBE_ID_MAX);
        if (req->timeout_ms < 1 || req->timeout_ms > PROBE_TIMEOUT_MS_MAX)
                return errf(err, errlen, "field 'timeout_ms': expected an integer in 1..%u", PROBE_TIMEOUT_MS_MAX);

        switch (req->kind) {
        case PROBE_REQ_TCP:
                if (strnlen(req->host, sizeof(req->host)) > PROBE_HOST_MAX)
                        return errf(err, errlen, "field 'host': longer than %d bytes", PROBE_HOST_MAX);
                if (!host_valid(req->host))
                        return errf(err, errlen, "field 'host': expected an IP address or host name");
                if (req->port < 1 || req->port > 65535)
                        return errf(err, errlen, "field 'port': expected an integer in 1..65535");
                return 0;
        case PROBE_REQ_HTTP:
                if (!req->url)
                        return errf(err, errlen, "field 'url': missing");
                if (strlen(req->url) > PROBE_URL_MAX)
                        return errf(err, errlen, "field 'url': longer than %d bytes", PROBE_URL_MAX);
                if (!url_valid(req->url))
                        return errf(err, errlen, "field 'url': expected an http:// or https:// URL with a host and no blanks");
                if (req->status_min < 100 || req->status_min > 599)
                        return errf(err, errlen, "field 'status_min': expected an integer in 100..599");
                if (req->status_max < 100 || req->status_max > 599)
                        return errf(err, errlen, "field 'status_max': expected an integer in 100..599");
                if (req->status_min > req->status_max)
                        return errf(err, errlen, "field 'status_max': less than status_min");
                if (req->body_contains) {
                        size_t n = strlen(req->body_contains);
                        if (n == 0 || n > PROBE_BODY_CONTAINS_MAX)
                                return errf(err, errlen, "field 'body_contains': expected 1..%d bytes",
                                            PROBE_BODY_CONTAINS_MAX);
                }
                if (req->headers) {
                        size_t n = strv_length(req->headers);
                        if (n > PROBE_HEADERS_MAX)
                                return errf(err, errlen, "field 'headers': more than %d headers", PROBE_HEADERS_MAX);
                        for (size_t i = 0; i < n; i++) {
                                if (strlen(req->headers[i]) > PROBE_HEADER_MAX)
                                        return errf(err, errlen, "field 'headers[%zu]': longer than %d bytes", i,
                                                    PROBE_HEADER_MAX);
                                if (!header_valid(req->headers[i]))
                                        return errf(err, errlen,
                                                    "field 'headers[%zu]': expected \"Name: value\" without control characters",
                                                    i);
                        }
                }
                if (req->ca_file) {
                        size_t n = strlen(req->ca_file);
                        if (n == 0 || n > PROBE_CA_FILE_MAX)
                                return errf(err, errlen, "field 'ca_file': expected 1..%d bytes",
                                            PROBE_CA_FILE_MAX);
                        if (req->ca_file[0] != '/' || has_ctl(req->ca_file))
                                return errf(err, errlen,
                                            "field 'ca_file': expected an absolute path without control characters");
                }
                return 0;
        }
        return errf(err, errlen, "field 'kind': expected \"tcp\" or \"http\"");
}

void probe_req_done(struct probe_req *req)
{
        if (!req)
                return;
        free(req->url);
        free(req->body_contains);
        strv_free(req->headers);
        free(req->ca_file);
        memset(req, 0, sizeof(*req));
}

/* ---- encoding ----
 * Hand-written rather than through cJSON: svd encodes a request per probe and
 * svd-probe a reply per probe, and cJSON's number printing (sprintf "%1.15g"
 * and a re-parse) and its tree of small allocations cost more than the rest of
 * svd's work per probe. The output is what cJSON_PrintUnformatted printed for
 * the same object (same field order, same string escapes, integers in plain
 * decimal), so either side can be older than the other. A writer that runs out
 * of room keeps counting, so one pass with no buffer measures a message. */

struct jw {
        char *buf;
        size_t cap, len; /* len may exceed cap: then only counting */
};

static void jw_mem(struct jw *w, const char *s, size_t n)
{
        if (w->len < w->cap) {
                size_t room = w->cap - w->len;
                memcpy(w->buf + w->len, s, n < room ? n : room);
        }
        w->len += n;
}

static void jw_lit(struct jw *w, const char *s)
{
        jw_mem(w, s, strlen(s));
}

static void jw_char(struct jw *w, char c)
{
        if (w->len < w->cap)
                w->buf[w->len] = c;
        w->len++;
}

/* The next newline-separated message of a packet (probe_proto.h). */
const char *probe_msg_next(const char **pos, const char *end, size_t *ret_len)
{
        const char *p = *pos;

        while (p < end && *p == '\n')
                p++;
        if (p >= end) {
                *pos = end;
                return NULL;
        }
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;
        *ret_len = (size_t)(e - p);
        *pos = e;
        return p;
}

int64_t probe_id_next(int64_t *seq, size_t idx)
{
        uint64_t i = idx < ((size_t)1 << PROBE_ID_INDEX_BITS) ? idx : 0;

        if (*seq < 0 || ++*seq > (PROBE_ID_MAX >> PROBE_ID_INDEX_BITS))
                *seq = 1;
        return (int64_t)((uint64_t)*seq << PROBE_ID_INDEX_BITS | i);
}

size_t probe_fmt_int(int64_t v, char out[static 21])
{
        char tmp[21];
        size_t n = 0, i = 0;
        uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

        do {
                tmp[n++] = (char)('0' + u % 10);
                u /= 10;
        } while (u);
        if (v < 0)
                out[i++] = '-';
        while (n)
                out[i++] = tmp[--n];
        return i;
}

static void jw_int(struct jw *w, int64_t v)
{
        char b[21];
        jw_mem(w, b, probe_fmt_int(v, b));
}

/* A JSON string as cJSON prints it: ", \ and control bytes escaped (\b \f \n
 * \r \t, else \u00XX), everything else (UTF-8, DEL) verbatim. */
static void jw_str(struct jw *w, const char *s)
{
        static const char hex[] = "0123456789abcdef";

        jw_char(w, '"');
        for (;;) {
                const char *run = s;
                while ((unsigned char)*s >= 0x20 && *s != '"' && *s != '\\')
                        s++;
                jw_mem(w, run, (size_t)(s - run));
                unsigned char c = (unsigned char)*s;
                if (!c)
                        break;
                char e[6] = { '\\', 0 };
                size_t n = 2;
                switch (c) {
                case '"': e[1] = '"'; break;
                case '\\': e[1] = '\\'; break;
                case '\b': e[1] = 'b'; break;
                case '\f': e[1] = 'f'; break;
                case '\n': e[1] = 'n'; break;
                case '\r': e[1] = 'r'; break;
                case '\t': e[1] = 't'; break;
                default:
                        memcpy(e + 1, "u00", 3);
                        e[4] = hex[c >> 4];
                        e[5] = hex[c & 15];
                        n = 6;
                }
                jw_mem(w, e, n);
                s++;
        }
        jw_char(w, '"');
}

static void req_write(struct jw *w, const struct probe_req *req)
{
        jw_lit(w, "{\"id\":");
        jw_int(w, req->id);
        if (req->kind == PROBE_REQ_TCP) {
                jw_lit(w, ",\"kind\":\"tcp\",\"host\":");
                jw_str(w, req->host);
                jw_lit(w, ",\"port\":");
                jw_int(w, req->port);
        } else {
                jw_lit(w, ",\"kind\":\"http\",\"url\":");
                jw_str(w, req->url);
                jw_lit(w, ",\"status_min\":");
                jw_int(w, req->status_min);
                jw_lit(w, ",\"status_max\":");
                jw_int(w, req->status_max);
                jw_lit(w, req->follow_redirects ? ",\"follow_redirects\":true" : ",\"follow_redirects\":false");
                if (req->body_contains) {
                        jw_lit(w, ",\"body_contains\":");
                        jw_str(w, req->body_contains);
                }
                if (req->headers && req->headers[0]) {
                        jw_lit(w, ",\"headers\":[");
                        for (char **h = req->headers; *h; h++) {
                                if (h != req->headers)
                                        jw_char(w, ',');
                                jw_str(w, *h);
                        }
                        jw_char(w, ']');
                }
                if (req->tls_no_verify)
                        jw_lit(w, ",\"tls_verify\":false");
                if (req->ca_file) {
                        jw_lit(w, ",\"ca_file\":");
                        jw_str(w, req->ca_file);
                }
        }
        jw_lit(w, ",\"timeout_ms\":");
        jw_int(w, req->timeout_ms);
        jw_char(w, '}');
}

static void result_write(struct jw *w, const struct probe_result *res)
{
        jw_lit(w, "{\"id\":");
        jw_int(w, res->id);
        jw_lit(w, res->ok ? ",\"ok\":true,\"detail\":" : ",\"ok\":false,\"detail\":");
        jw_str(w, res->detail);
        jw_char(w, '}');
}

/* Finishes a message written into buf/cap: NUL-terminates it, or says why not. */
static int jw_finish(const struct jw *w, size_t *ret_len)
{
        if (w->len > PROBE_MAX_MSG)
                return -EMSGSIZE;
        if (w->len >= w->cap)
                return -ENOBUFS;
        w->buf[w->len] = '\0';
        *ret_len = w->len;
        return 0;
}

int probe_req_encode_into(const struct probe_req *req, char *buf, size_t cap, size_t *ret_len, char *err,
                          size_t errlen)
{
        if (!req || (!buf && cap) || !ret_len)
                return -EINVAL;
        int r = probe_req_check(req, err, errlen);
        if (r < 0)
                return r;
        struct jw w = { .buf = buf, .cap = cap };
        req_write(&w, req);
        return jw_finish(&w, ret_len);
}

int probe_req_size(const struct probe_req *req, size_t *ret_len, char *err, size_t errlen)
{
        if (!req || !ret_len)
                return -EINVAL;
        int r = probe_req_check(req, err, errlen);
        if (r < 0)
                return r;
        struct jw w = { 0 };
        req_write(&w, req); /* (nothing written with no buffer: only counted) */
        *ret_len = w.len;
        return 0;
}

int probe_req_encode(const struct probe_req *req, char **ret_buf, size_t *ret_len, char *err, size_t errlen)
{
        if (!req || !ret_buf || !ret_len)
                return -EINVAL;
        int r = probe_req_check(req, err, errlen);
        if (r < 0)
                return r;
        struct jw w = { 0 };
        req_write(&w, req); /* measure */
        if (w.len > PROBE_MAX_MSG)
                return -EMSGSIZE;
        w = (struct jw){ .buf = malloc(w.len + 1), .cap = w.len + 1 };
        if (!w.buf)
                return -ENOMEM;
        req_write(&w, req);
        r = jw_finish(&w, ret_len);
        if (r < 0) {
                free(w.buf);
                return r;
        }
        *ret_buf = w.buf;
        return 0;
}

void probe_result_set(struct probe_result *res, int64_t id, bool ok, const char *fmt, ...)
{
        va_list ap;
        char tmp[sizeof(res->detail) + 1]; /* one more: the first byte cut */

        res->id = id;
        res->ok = ok;
        va_start(ap, fmt);
        int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
        va_end(ap);
        size_t end = n < 0 ? 0 : (size_t)n;
        if (end >= sizeof(res->detail)) {
                /* Cut back to a character boundary: never emit half a UTF-8 sequence. */
                end = utf8_cut(tmp, strlen(tmp), sizeof(res->detail) - 1);
        }
        memcpy(res->detail, tmp, end);
        res->detail[end] = '\0';
}

int probe_result_encode_into(const struct probe_result *res, char *buf, size_t cap, size_t *ret_len)
{
        if (!res || (!buf && cap) || !ret_len || res->id < -1 || res->id > PROBE_ID_MAX)
                return -EINVAL;
        struct jw w = { .buf = buf, .cap = cap };
        result_write(&w, res);
        return jw_finish(&w, ret_len);
}

int probe_result_encode(const struct probe_result *res, char **ret_buf, size_t *ret_len)
{
        if (!res || !ret_buf || !ret_len || res->id < -1 || res->id > PROBE_ID_MAX)
                return -EINVAL;
        struct jw w = { 0 };
        result_write(&w, res); /* measure */
        if (w.len > PROBE_MAX_MSG)
                return -EMSGSIZE;
        w = (struct jw){ .buf = malloc(w.len + 1), .cap = w.len + 1 };
        if (!w.buf)
                return -ENOMEM;
        result_write(&w, res);
        int r = jw_finish(&w, ret_len);
        if (r < 0) {
                free(w.buf);
                return r;
        }
        *ret_buf = w.buf;
        return 0;
}

/* ---- decoding ---- */

/* One packet, one JSON object, nothing but blanks after it. */
static int parse_object(const char *buf, size_t len, cJSON **ret, char *err, size_t errlen)
{
        if (!buf || len == 0)
                return errf(err, errlen, "message: empty");
        if (len > PROBE_MAX_MSG)
                return errf(err, errlen, "message: larger than %u bytes", PROBE_MAX_MSG);
        const char *end = NULL;
        cJSON *o = cJSON_ParseWithLengthOpts(buf, len, &end, false);
        if (!o)
                return errf(err, errlen, "message: not valid JSON");
        for (; end && end < buf + len; end++)
                if (*end != ' ' && *end != '\t' && *end != '\n' && *end != '\r') {
                        cJSON_Delete(o);
                        return errf(err, errlen, "message: trailing data after the JSON object");
                }
        if (!cJSON_IsObject(o)) {
                cJSON_Delete(o);
                return errf(err, errlen, "message: expected a JSON object");
        }
        *ret = o;
        return 0;
}

/* An integral JSON number in [min, max]; the range is checked before the cast
 * so NaN-free doubles far outside int64 never reach undefined behaviour. */
static int get_int(const cJSON *v, const char *name, int64_t min, int64_t max, int64_t *ret, char *err,
                   size_t errlen)
{
        if (!cJSON_IsNumber(v))
                return errf(err, errlen, "field '%s': expected an integer", name);
        double d = v->valuedouble;
        if (!(d >= (double)min && d <= (double)max) || (double)(int64_t)d != d)
                return errf(err, errlen, "field '%s': expected an integer in %lld..%lld", name, (long long)min,
                            (long long)max);
        *ret = (int64_t)d;
        return 0;
}

static int get_str(const cJSON *v, const char *name, size_t max, const char **ret, char *err, size_t errlen)
{
        if (!cJSON_IsString(v) || !v->valuestring)
                return errf(err, errlen, "field '%s': expected a string", name);
        if (strlen(v->valuestring) > max)
                return errf(err, errlen, "field '%s': longer than %zu bytes", name, max);
        *ret = v->valuestring;
        return 0;
}

static int dup_str(const cJSON *v, const char *name, size_t max, char **ret, char *err, size_t errlen)
{
        const char *s;
        int r = get_str(v, name, max, &s, err, errlen);
        if (r < 0)
                return r;
        char *c = strdup(s);
        if (!c)
                return errf(err, errlen, "field '%s': out of memory", name);
        free(*ret);
        *ret = c;
        return 0;
}

static int get_headers(const cJSON *v, char ***ret, char *err, size_t errlen)
{
        if (!cJSON_IsArray(v))
                return errf(err, errlen, "field 'headers': expected an array of strings");
        int n = cJSON_GetArraySize(v);
        if (n > PROBE_HEADERS_MAX)
                return errf(err, errlen, "field 'headers': more than %d headers", PROBE_HEADERS_MAX);
        _cleanup_(strv_freep) char **hs = calloc(1, sizeof(char *));
        if (!hs)
                return errf(err, errlen, "field 'headers': out of memory");
        int i = 0;
        const cJSON *h;
        cJSON_ArrayForEach(h, v)
        {
                char name[32];
                const char *s;
                snprintf(name, sizeof(name), "headers[%d]", i++);
                int r = get_str(h, name, PROBE_HEADER_MAX, &s, err, errlen);
                if (r < 0)
                        return r;
                if (strv_push(&hs, s) < 0)
                        return errf(err, errlen, "field 'headers': out of memory");
        }
        strv_free(*ret);
        *ret = hs;
        hs = NULL;
        return 0;
}

/* Maps one field onto req by type; values are checked later as a whole. */
static int req_field(const cJSON *f, struct probe_req *req, char *err, size_t errlen)
{
        const char *k = f->string;
        int64_t n;
        int r;

        if (strcmp(k, "id") == 0 || strcmp(k, "kind") == 0)
                return 0; /* read first, by the caller */
        if (strcmp(k, "timeout_ms") == 0) {
                r = get_int(f, k, 1, PROBE_TIMEOUT_MS_MAX, &n, err, errlen);
                if (r >= 0)
                        req->timeout_ms = (unsigned)n;
                return r;
        }
        if (req->kind == PROBE_REQ_TCP) {
                if (strcmp(k, "host") == 0) {
                        const char *s;
                        r = get_str(f, k, PROBE_HOST_MAX, &s, err, errlen);
                        if (r >= 0)
                                snprintf(req->host, sizeof(req->host), "%s", s);
                        return r;
                }
                if (strcmp(k, "port") == 0) {
                        r = get_int(f, k, 1, 65535, &n, err, errlen);
                        if (r >= 0)
                                req->port = (unsigned)n;
                        return r;
                }
        } else {
                if (strcmp(k, "url") == 0)
                        return dup_str(f, k, PROBE_URL_MAX, &req->url, err, errlen);
                if (strcmp(k, "status_min") == 0 || strcmp(k, "status_max") == 0) {
                        r = get_int(f, k, 100, 599, &n, err, errlen);
                        if (r >= 0)
                                *(strcmp(k, "status_min") == 0 ? &req->status_min : &req->status_max) = (unsigned)n;
                        return r;
                }
                if (strcmp(k, "body_contains") == 0)
                        return dup_str(f, k, PROBE_BODY_CONTAINS_MAX, &req->body_contains, err, errlen);
                if (strcmp(k, "headers") == 0)
                        return get_headers(f, &req->headers, err, errlen);
                if (strcmp(k, "follow_redirects") == 0) {
                        if (!cJSON_IsBool(f))
                                return errf(err, errlen, "field '%s': expected true or false", k);
                        req->follow_redirects = cJSON_IsTrue(f);
                        return 0;
                }
                if (strcmp(k, "tls_verify") == 0) {
                        if (!cJSON_IsBool(f))
                                return errf(err, errlen, "field '%s': expected true or false", k);
                        req->tls_no_verify = !cJSON_IsTrue(f);
                        return 0;
                }
                if (strcmp(k, "ca_file") == 0)
                        return dup_str(f, k, PROBE_CA_FILE_MAX, &req->ca_file, err, errlen);
        }
        char name[72];
        size_t i = 0;
        for (; k[i] && i < 64; i++)
                name[i] = ((unsigned char)k[i] < 0x20 || k[i] == 0x7f) ? '?' : k[i];
        name[i] = '\0';
        return errf(err, errlen, "field '%s': unknown for kind '%s'", name,
                    req->kind == PROBE_REQ_TCP ? "tcp" : "http");
}

static int req_decode(const char *buf, size_t len, struct probe_req *req, char *err, size_t errlen)
{
        _cleanup_(cjson_deletep) cJSON *o = NULL;
        int64_t n;
        int r;

        r = parse_object(buf, len, &o, err, errlen);
        if (r < 0)
                return r;

        const cJSON *f = cJSON_GetObjectItemCaseSensitive(o, "id");
        if (!f)
                return errf(err, errlen, "field 'id': missing");
        r = get_int(f, "id", 0, PROBE_ID_MAX, &n, err, errlen);
        if (r < 0)
                return r;
        req->id = n;

        f = cJSON_GetObjectItemCaseSensitive(o, "kind");
        if (!f)
                return errf(err, errlen, "field 'kind': missing");
        if (cJSON_IsString(f) && f->valuestring && strcmp(f->valuestring, "tcp") == 0)
                req->kind = PROBE_REQ_TCP;
        else if (cJSON_IsString(f) && f->valuestring && strcmp(f->valuestring, "http") == 0)
                req->kind = PROBE_REQ_HTTP;
        else
                return errf(err, errlen, "field 'kind': expected \"tcp\" or \"http\"");

        cJSON_ArrayForEach(f, o)
        {
                r = req_field(f, req, err, errlen);
                if (r < 0)
                        return r;
        }

        /* Required fields are named as missing rather than as out of range. */
        static const char *const tcp_required[] = { "host", "port", "timeout_ms" };
        static const char *const http_required[] = { "url", "timeout_ms" };
        const char *const *req_names = req->kind == PROBE_REQ_TCP ? tcp_required : http_required;
        size_t nreq = req->kind == PROBE_REQ_TCP ? ELEMENTSOF(tcp_required) : ELEMENTSOF(http_required);
        for (size_t i = 0; i < nreq; i++)
                if (!cJSON_GetObjectItemCaseSensitive(o, req_names[i]))
                        return errf(err, errlen, "field '%s': missing", req_names[i]);
        return probe_req_check(req, err, errlen);
}

int probe_req_decode(const char *buf, size_t len, struct probe_req *ret, char *err, size_t errlen)
{
        struct probe_req req = { .id = -1, .status_min = 200, .status_max = 399 };

        if (!ret)
                return -EINVAL;
        if (probe_fast_req_decode(buf, len, &req) == 0) {
                *ret = req;
                return 0;
        }
        req = (struct probe_req){ .id = -1, .status_min = 200, .status_max = 399 };
        int r = req_decode(buf, len, &req, err, errlen);
        if (r < 0) {
                int64_t id = req.id;
                probe_req_done(&req);
                memset(ret, 0, sizeof(*ret));
                ret->id = id;
                return r;
        }
        *ret = req;
        return 0;
}

int probe_result_decode(const char *buf, size_t len, struct probe_result *ret, char *err, size_t errlen)
{
        _cleanup_(cjson_deletep) cJSON *o = NULL;
        struct probe_result res = { 0 };
        bool have_id = false, have_ok = false, have_detail = false;
        int64_t n;
        int r;

        if (!ret)
                return -EINVAL;
        if (probe_fast_result_decode(buf, len, &res) == 0) {
                *ret = res;
                return 0;
        }
        res = (struct probe_result){ 0 };
        r = parse_object(buf, len, &o, err, errlen);
        if (r < 0)
                return r;

        const cJSON *f;
        cJSON_ArrayForEach(f, o)
        {
                if (strcmp(f->string, "id") == 0) {
                        r = get_int(f, "id", -1, PROBE_ID_MAX, &n, err, errlen);
                        if (r < 0)
                                return r;
                        res.id = n;
                        have_id = true;
                } else if (strcmp(f->string, "ok") == 0) {
                        if (!cJSON_IsBool(f))
                                return errf(err, errlen, "field 'ok': expected true or false");
                        res.ok = cJSON_IsTrue(f);
                        have_ok = true;
                } else if (strcmp(f->string, "detail") == 0) {
                        const char *s;
                        r = get_str(f, "detail", PROBE_DETAIL_MAX, &s, err, errlen);
                        if (r < 0)
                                return r;
                        snprintf(res.detail, sizeof(res.detail), "%s", s);
                        for (char *p = res.detail; *p; p++)
                                if ((unsigned char)*p < 0x20 || *p == 0x7f)
                                        *p = '?';
                        have_detail = true;
                } else {
                        return errf(err, errlen, "field '%.64s': unknown", has_ctl(f->string) ? "?" : f->string);
                }
        }
        if (!have_id)
                return errf(err, errlen, "field 'id': missing");
        if (!have_ok)
                return errf(err, errlen, "field 'ok': missing");
        if (!have_detail)
                return errf(err, errlen, "field 'detail': missing");
        *ret = res;
        return 0;
}

/* probe_proto: the message format between svd and svd-probe, defined once and
 * linked by both (it lives in libsvdcommon: cJSON only, no libcurl, no libev).
 * Transport: a SOCK_SEQPACKET socketpair made by svd, the prober's end is its
 * fd 3 (PROBE_FD). A packet of at most PROBE_MAX_MSG bytes holds one or more
 * messages, each one JSON object, separated by '\n' (compact JSON never holds
 * a raw newline; a trailing '\n' is allowed): what one side produces in one
 * loop iteration travels as one packet, one system call and one wakeup at
 * each end, however many checks it carries. The packet boundary is the frame,
 * so there is no length header.
 *
 *   svd -> probe  {"id":1,"kind":"tcp","host":"127.0.0.1","port":5432,"timeout_ms":3000}
 *                 {"id":2,"kind":"http","url":"http://127.0.0.1:8080/health",
 *                  "status_min":200,"status_max":399,"body_contains":"ok",
 *                  "headers":["X-Key: v"],"follow_redirects":false,"timeout_ms":3000}
 *                 {"id":3,"kind":"http","url":"https://10.0.0.5/status",...,
 *                  "tls_verify":false,"timeout_ms":3000}   (or "ca_file":"/etc/x.pem")
 *   probe -> svd  {"id":1,"ok":true,"detail":"connected in 0.4ms"}
 *
 * Many checks are in flight at once; replies come in completion order and are
 * matched by id. A malformed request gets {"id":N or -1,"ok":false,"detail":
 * "bad request: field 'port': ..."}. On EOF of its fd 3 the prober exits 0.
 * Functions return >= 0 or -errno; decoders write a one-line message naming
 * the offending field into err. Nothing here logs. Encoders write compact JSON
 * by hand (what cJSON_PrintUnformatted would); decoders take a fast path for
 * messages in exactly that shape and parse anything else with cJSON. */
#ifndef SVD_PROBE_PROTO_H
#define SVD_PROBE_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROBE_FD 3                            /* the prober's end of the socketpair */
#define PROBE_MAX_MSG (64u * 1024)            /* bytes per packet, both directions */
#define PROBE_ID_MAX INT64_C(999999999999999) /* ids are JSON numbers: cJSON prints 15 digits exactly */
#define PROBE_HOST_MAX 255                    /* bytes, without the NUL */
#define PROBE_URL_MAX 4096
#define PROBE_HEADERS_MAX 32
#define PROBE_HEADER_MAX 1024
#define PROBE_BODY_CONTAINS_MAX 1024
#define PROBE_CA_FILE_MAX 4095                /* bytes, without the NUL: PATH_MAX - 1 */
#define PROBE_TIMEOUT_MS_MAX (3600u * 1000)   /* one hour */
#define PROBE_DETAIL_MAX 255                  /* bytes, without the NUL */
/* An encoded reply: the fixed parts, the id, and a detail escaped at worst
 * six bytes per byte (\u00XX), plus the NUL. */
#define PROBE_RESULT_MSG_MAX (64 + 21 + 6 * PROBE_DETAIL_MAX + 1)

enum probe_req_kind {
        PROBE_REQ_TCP,
        PROBE_REQ_HTTP,
};

struct probe_req {
        int64_t id;                 /* 0..PROBE_ID_MAX */
        enum probe_req_kind kind;
        unsigned timeout_ms;        /* 1..PROBE_TIMEOUT_MS_MAX */
        /* tcp */
        char host[PROBE_HOST_MAX + 1]; /* IP literal or name */
        unsigned port;              /* 1..65535 */
        /* http; heap fields are owned by the struct, see probe_req_done() */
        char *url;                  /* http:// or https:// */
        unsigned status_min, status_max; /* 100..599, min <= max; default 200..399 */
        char *body_contains;        /* NULL: body not checked */
        char **headers;             /* NULL-terminated "Name: value" strv, or NULL */
        bool follow_redirects;
        /* TLS of an https:// check (and of an https:// redirect target).
         * Sent only when not the default: "tls_verify":false, "ca_file". */
        bool tls_no_verify;         /* true: no certificate or host name check */
        char *ca_file;              /* absolute path of a PEM bundle; NULL: curl's default store */
};

struct probe_result {
        int64_t id;                 /* -1 when a request's id could not be read */
        bool ok;
        char detail[PROBE_DETAIL_MAX + 1];
};

/* How the prober's check modules hand a finished check back to its loop. */
typedef void (*probe_done_fn)(const struct probe_result *res, void *userdata);

/* Checks the values of a request (ranges, formats, kind-specific required
 * fields). -EINVAL with the field named in err. */
int probe_req_check(const struct probe_req *req, char *err, size_t errlen);
/* A header name probe_req_check takes: one or more RFC 9110 token characters
 * (config_health checks a service file's names with it). */
bool probe_header_name_ok(const char *name);

/* Encodes a checked request as one packet (malloc'd, not NUL-terminated
 * semantics: *ret_len bytes of JSON; a NUL follows for convenience).
 * -EINVAL (message in err) if the request does not pass probe_req_check,
 * -EMSGSIZE if the JSON exceeds PROBE_MAX_MSG. */
int probe_req_encode(const struct probe_req *req, char **ret_buf, size_t *ret_len, char *err, size_t errlen);

/* The length the encoding of a checked request has, whether or not it fits
 * in PROBE_MAX_MSG (for the config loader, which refuses a check that would
 * not). -EINVAL (message in err) as probe_req_encode. */
int probe_req_size(const struct probe_req *req, size_t *ret_len, char *err, size_t errlen);

/* The same JSON into the caller's buf of cap bytes (a NUL follows the *ret_len
 * bytes), without allocating: what svd uses per probe. Also -ENOBUFS when it
 * does not fit in cap (but would in PROBE_MAX_MSG). */
int probe_req_encode_into(const struct probe_req *req, char *buf, size_t cap, size_t *ret_len, char *err,
                          size_t errlen);

/* Decodes and checks one packet. Unknown fields, fields of the other kind,
 * wrong types and out-of-range values are refused with -EINVAL and a message
 * naming the field ("field 'port': expected an integer in 1..65535").
 * Exception to the out-param rule, so the prober can address its error reply:
 * on failure *ret is reset to an empty request (nothing to free) whose id is
 * the packet's id when one could be read, else -1. */
int probe_req_decode(const char *buf, size_t len, struct probe_req *ret, char *err, size_t errlen);

/* Frees the heap fields and resets the struct; safe on a zeroed or reset one. */
void probe_req_done(struct probe_req *req);

/* Fills a result; detail is printf-formatted, truncated to PROBE_DETAIL_MAX
 * bytes at a UTF-8 character boundary. */
void probe_result_set(struct probe_result *res, int64_t id, bool ok, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

int probe_result_encode(const struct probe_result *res, char **ret_buf, size_t *ret_len);
/* Into the caller's buffer, as probe_req_encode_into (-ENOBUFS if cap is too
 * small; a reply always fits in PROBE_RESULT_MSG_MAX). */
int probe_result_encode_into(const struct probe_result *res, char *buf, size_t cap, size_t *ret_len);

/* Iterates the messages of a packet: returns the next one (not
 * NUL-terminated) with its length in *ret_len and advances *pos, skipping
 * empty lines; NULL at the end. */
const char *probe_msg_next(const char **pos, const char *end, size_t *ret_len);

/* Request ids. An id carries the index of its service (in svd's table) in
 * its low PROBE_ID_INDEX_BITS and a sequence number above them, so a reply
 * finds its service without a lookup table; the caller verifies the match
 * (after a reload moved services, or for an index too large to fit, 0, it
 * scans). probe_id_next() advances *seq and returns the next id for idx.
 * The sequence wraps to 1 before an id would pass PROBE_ID_MAX, i.e. after
 * ~59.6 million checks (16.5 h at 1000 a second): a number used again is
 * that many checks old, its reply long in. */
#define PROBE_ID_INDEX_BITS 24
int64_t probe_id_next(int64_t *seq, size_t idx);

/* v in decimal into out (no NUL); returns the number of bytes. */
size_t probe_fmt_int(int64_t v, char out[static 21]);

/* Decodes a reply. svd does not trust the prober (it parses network replies),
 * so everything is checked again and control bytes in detail become '?'. */
int probe_result_decode(const char *buf, size_t len, struct probe_result *ret, char *err, size_t errlen);

#endif

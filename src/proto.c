/* proto: the one implementation of the control protocol's framing and common
 * fields, shared by svd (non-blocking, through proto_frame_decode on its own
 * buffers) and svctl (blocking, through proto_send/proto_recv). A frame is a
 * big-endian u32 payload length followed by one JSON object. Every length is
 * checked against PROTO_MAX_FRAME from the header alone, so a peer can never
 * make us buffer more than one bounded frame. cJSON's NULL-on-failure style is
 * turned into -errno here; nothing in this file logs. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "proto.h"
#include "utf8.h"
#include "util.h"

static const char *const op_names[_OP_MAX] = {
        [OP_INVALID] = NULL, /* never named: it is what unknown names map to */
        [OP_STATUS] = "status",
        [OP_START] = "start",
        [OP_STOP] = "stop",
        [OP_RESTART] = "restart",
        [OP_ORDER] = "order",
        [OP_VERSION] = "version",
        [OP_LOGS] = "logs",
        [OP_LOGS_FOLLOW] = "logs_follow",
        [OP_REOPEN_LOGS] = "reopen_logs",
        [OP_POWEROFF] = "poweroff",
        [OP_REBOOT] = "reboot",
        [OP_HALT] = "halt",
        [OP_AUDIT] = "audit",
        [OP_SHOW] = "show",
        [OP_SECRET_LIST] = "secret_list",
        [OP_SECRET_GET] = "secret_get",
        [OP_SECRET_SET] = "secret_set",
        [OP_SECRET_ROTATE] = "secret_rotate",
        [OP_UNLOCK] = "unlock",
        [OP_METRICS] = "metrics",
        [OP_EVENTS] = "events",
        [OP_RUN] = "run",
        [OP_RELOAD] = "reload",
        [OP_REEXEC] = "daemon_reexec",
};

const char *proto_op_name(enum proto_op op)
{
        if ((int)op <= OP_INVALID || op >= _OP_MAX)
                return NULL;
        return op_names[op];
}

enum proto_op proto_op_from_name(const char *name)
{
        if (!name)
                return OP_INVALID;
        for (int i = OP_INVALID + 1; i < _OP_MAX; i++)
                if (op_names[i] && strcmp(op_names[i], name) == 0)
                        return (enum proto_op)i;
        return OP_INVALID;
}

bool proto_op_mutating(enum proto_op op)
{
        switch (op) {
        case OP_START:
        case OP_STOP:
        case OP_RESTART:
        case OP_REOPEN_LOGS:
        case OP_POWEROFF:
        case OP_REBOOT:
        case OP_HALT:
        case OP_SECRET_GET: /* not a change, but it reveals a secret: audited like one */
        case OP_SECRET_SET:
        case OP_SECRET_ROTATE:
        case OP_UNLOCK:
        case OP_RUN:
        case OP_RELOAD:
        case OP_REEXEC:
                return true;
        default:
                return false;
        }
}

static uint32_t get_be32(const unsigned char *p)
{
        return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static void put_be32(unsigned char *p, uint32_t v)
{
        p[0] = (unsigned char)(v >> 24);
        p[1] = (unsigned char)(v >> 16);
        p[2] = (unsigned char)(v >> 8);
        p[3] = (unsigned char)v;
}

/* Validates an announced payload length before any payload is read, so an
 * oversize frame is refused without buffering it. */
static int check_frame_len(uint32_t n)
{
        if (n == 0)
                return -EBADMSG;
        if (n > PROTO_MAX_FRAME)
                return -EMSGSIZE;
        return 0;
}

bool proto_text_ok(const void *p, size_t n)
{
        return !memchr(p, 0, n) && utf8_valid(p, n);
}

/* Whether a string in the JSON text p (already parsed: well-formed) holds
 * the escape \u0000. cJSON decodes it into a NUL byte and the C string ends
 * there: "ab\u0000cd" would be taken as "ab". */
static bool has_nul_escape(const char *p, size_t n)
{
        bool in_str = false;
        for (size_t i = 0; i < n; i++) {
                if (!in_str)
                        in_str = p[i] == '"';
                else if (p[i] == '"')
                        in_str = false;
                else if (p[i] == '\\' && i + 1 < n) {
                        if (p[i + 1] == 'u' && n - i >= 6 && memcmp(p + i + 2, "0000", 4) == 0)
                                return true;
                        i++; /* the escaped character (\" or \\ included) */
                }
        }
        return false;
}

/* Parses exactly n payload bytes as one JSON object. cJSON stops at the end
 * of the first value, so trailing bytes (a second value, NULs, garbage) are
 * checked here: anything but whitespace makes the frame invalid. */
static int parse_payload(const char *p, size_t n, cJSON **ret_msg)
{
        const char *end = NULL;
        /* A raw NUL is never JSON (a string must escape it), but cJSON
         * copies one inside a string as it is: the C string ends there.
         * Strict UTF-8 (utf8.h) for the same reason: invalid bytes would
         * come back in a reply (an unknown name is echoed). */
        if (memchr(p, 0, n) || !utf8_valid(p, n))
                return -EBADMSG;
        cJSON *msg = cJSON_ParseWithLengthOpts(p, n, &end, false);
        if (!msg)
                return -EBADMSG;
        for (; end && end < p + n; end++)
                if (*end != ' ' && *end != '\t' && *end != '\n' && *end != '\r') {
                        cJSON_Delete(msg);
                        return -EBADMSG;
                }
        if (has_nul_escape(p, n)) {
                cJSON_Delete(msg);
                return -EILSEQ;
        }
        if (!cJSON_IsObject(msg)) {
                cJSON_Delete(msg);
                return -EBADMSG;
        }
        *ret_msg = msg;
        return 0;
}

/* The depth of arrays and objects open at p[at] (strings skipped). */
static size_t open_depth(const char *p, size_t at)
{
        size_t depth = 0;
        bool in_str = false;
        for (size_t i = 0; i < at; i++) {
                if (in_str) {
                        if (p[i] == '\\')
                                i++;
                        else if (p[i] == '"')
                                in_str = false;
                } else if (p[i] == '"') {
                        in_str = true;
                } else if (p[i] == '[' || p[i] == '{') {
                        depth++;
                } else if ((p[i] == ']' || p[i] == '}') && depth > 0) {
                        depth--;
                }
        }
        return depth;
}

static const char *json_kind(const cJSON *j)
{
        if (cJSON_IsArray(j))
                return "a JSON array";
        if (cJSON_IsString(j))
                return "a JSON string";
        if (cJSON_IsNumber(j))
                return "a JSON number";
        if (cJSON_IsBool(j))
                return "a JSON boolean";
        return "JSON null";
}

void proto_frame_why(const char *buf, size_t len, char *out, size_t outlen)
{
        const char *p = buf + PROTO_HDR_SIZE;
        size_t n = len >= PROTO_HDR_SIZE ? get_be32((const unsigned char *)buf) : 0;
        if (len < PROTO_HDR_SIZE || n > len - PROTO_HDR_SIZE)
                n = 0;
        size_t bad = utf8_bad(p, n, UTF8_KEEP_CTRL); /* (the first NUL or invalid byte) */
        if (bad < n) {
                snprintf(out, outlen, p[bad] ? "bad frame: the payload is not valid UTF-8 at byte %zu"
                                             : "bad frame: the payload is not valid JSON: a NUL byte at byte %zu",
                         bad);
                return;
        }
        const char *end = NULL;
        cJSON *msg = cJSON_ParseWithLengthOpts(p, n, &end, false);
        size_t at = end && end >= p && end <= p + n ? (size_t)(end - p) : n;
        if (!msg) {
                if (at < n && (p[at] == '[' || p[at] == '{') && open_depth(p, at) >= CJSON_NESTING_LIMIT)
                        snprintf(out, outlen, "bad frame: the payload is not valid JSON: nested deeper than %d",
                                 CJSON_NESTING_LIMIT);
                else
                        snprintf(out, outlen, "bad frame: the payload is not valid JSON at byte %zu", at);
                return;
        }
        while (at < n && (p[at] == ' ' || p[at] == '\t' || p[at] == '\n' || p[at] == '\r'))
                at++;
        if (!cJSON_IsObject(msg))
                snprintf(out, outlen, "bad frame: the payload is %s, not an object", json_kind(msg));
        else if (at < n)
                snprintf(out, outlen, "bad frame: the payload is not valid JSON: data after the object at byte %zu",
                         at);
        else
                snprintf(out, outlen, "bad frame: the payload is not a JSON object");
        cJSON_Delete(msg);
}

/* cJSON prints string bytes as they are: text a service supplied (STATUS=,
 * probe output, a name) or an operator typed may hold invalid UTF-8, which a
 * strict peer (svd's and svctl's own decoders) rejects, failing the whole
 * request or reply. The frame *buf (header included, *len bytes) is replaced
 * by one where each invalid byte is U+FFFD (JSON's structure is ASCII: only
 * string contents change); the old one is wiped, it may hold a secret. */
static int frame_utf8(char **buf, size_t *len)
{
        const char *p = *buf + PROTO_HDR_SIZE;
        size_t n = *len - PROTO_HDR_SIZE;

        if (utf8_valid(p, n))
                return 0;
        size_t cap = 3 * n + 1;
        char *c = malloc(PROTO_HDR_SIZE + cap);
        if (!c)
                return -ENOMEM;
        size_t m = utf8_clean(p, n, c + PROTO_HDR_SIZE, cap, UTF8_KEEP_CTRL);
        if (m > PROTO_MAX_FRAME) {
                explicit_bzero(c, PROTO_HDR_SIZE + cap);
                free(c);
                return -EMSGSIZE;
        }
        put_be32((unsigned char *)c, (uint32_t)m);
        explicit_bzero(*buf, *len);
        free(*buf);
        *buf = c;
        *len = PROTO_HDR_SIZE + m;
        return 0;
}

int proto_frame_encode(const cJSON *msg, char **ret_buf, size_t *ret_len)
{
        if (!msg || !ret_buf || !ret_len)
                return -EINVAL;

        _cleanup_(freep) char *json = cJSON_PrintUnformatted(msg);
        if (!json)
                return -ENOMEM;
        size_t n = strlen(json);
        if (n > PROTO_MAX_FRAME)
                return -EMSGSIZE;

        char *buf = malloc(PROTO_HDR_SIZE + n);
        if (!buf)
                return -ENOMEM;
        put_be32((unsigned char *)buf, (uint32_t)n);
        memcpy(buf + PROTO_HDR_SIZE, json, n);

        size_t len = PROTO_HDR_SIZE + n;
        int r = frame_utf8(&buf, &len);
        if (r < 0) {
                free(buf);
                return r;
        }
        *ret_buf = buf;
        *ret_len = len;
        return 0;
}

int proto_frame_encode_secret(const cJSON *msg, char **ret_buf, size_t *ret_len)
{
        if (!msg || !ret_buf || !ret_len)
                return -EINVAL;
        for (size_t cap = 4096; cap <= PROTO_MAX_FRAME; cap *= 2) {
                char *buf = malloc(PROTO_HDR_SIZE + cap);
                if (!buf)
                        return -ENOMEM;
                /* cJSON needs 5 bytes of slack beyond the text it prints */
                if (cJSON_PrintPreallocated((cJSON *)msg, buf + PROTO_HDR_SIZE, (int)cap, false)) {
                        size_t n = strlen(buf + PROTO_HDR_SIZE);
                        put_be32((unsigned char *)buf, (uint32_t)n);
                        size_t len = PROTO_HDR_SIZE + n;
                        int r = frame_utf8(&buf, &len);
                        if (r < 0) {
                                explicit_bzero(buf, PROTO_HDR_SIZE + cap);
                                free(buf);
                                return r;
                        }
                        *ret_buf = buf;
                        *ret_len = len;
                        return 0;
                }
                explicit_bzero(buf, PROTO_HDR_SIZE + cap);
                free(buf);
        }
        return -EMSGSIZE;
}

bool proto_op_secret(enum proto_op op)
{
        return op == OP_SECRET_GET || op == OP_SECRET_SET || op == OP_UNLOCK;
}

void proto_wipe(cJSON *msg)
{
        for (cJSON *c = msg; c; c = c->next) {
                if (cJSON_IsString(c) && c->valuestring)
                        explicit_bzero(c->valuestring, strlen(c->valuestring));
                proto_wipe(c->child);
        }
}

int proto_frame_decode(const char *buf, size_t len, cJSON **ret_msg, size_t *ret_consumed)
{
        if ((!buf && len > 0) || !ret_msg || !ret_consumed)
                return -EINVAL;
        if (len < PROTO_HDR_SIZE)
                return 0;

        uint32_t n = get_be32((const unsigned char *)buf);
        int r = check_frame_len(n);
        if (r < 0)
                return r;
        if (len - PROTO_HDR_SIZE < n)
                return 0;

        cJSON *msg = NULL;
        r = parse_payload(buf + PROTO_HDR_SIZE, n, &msg);
        if (r < 0)
                return r;
        *ret_msg = msg;
        *ret_consumed = PROTO_HDR_SIZE + (size_t)n;
        return 1;
}

/* Copies a peer-supplied string for an error message cleaned (utf8_clean:
 * control characters escaped), so a hostile "op" cannot inject lines into
 * svd's log or escape sequences into a terminal. Long names are cut on a
 * character boundary: the message stays one line. */
static void sanitize(const char *s, char *out, size_t outlen)
{
        size_t n = strlen(s);
        utf8_clean(s, utf8_cut(s, n, 64), out, outlen, 0);
}


int proto_request_parse(const cJSON *req, enum proto_op *ret_op, char *err, size_t errlen)
{
        if (!cJSON_IsObject(req))
                return errf(err, errlen, "request: expected a JSON object");

        const cJSON *v = cJSON_GetObjectItemCaseSensitive(req, "v");
        if (!v)
                return errf(err, errlen, "field 'v': missing");
        if (!cJSON_IsNumber(v))
                return errf(err, errlen, "field 'v': expected a number");
        if (v->valuedouble != PROTO_VERSION)
                return errf(err, errlen, "field 'v': unsupported protocol version %g (this svd speaks %d)",
                                     v->valuedouble, PROTO_VERSION);

        const cJSON *op = cJSON_GetObjectItemCaseSensitive(req, "op");
        if (!op)
                return errf(err, errlen, "field 'op': missing");
        if (!cJSON_IsString(op) || !op->valuestring)
                return errf(err, errlen, "field 'op': expected a string");
        enum proto_op o = proto_op_from_name(op->valuestring);
        if (o == OP_INVALID) {
                char name[72];
                sanitize(op->valuestring, name, sizeof(name));
                return errf(err, errlen, "field 'op': unknown operation '%s'", name);
        }

        if (ret_op)
                *ret_op = o;
        return 0;
}

cJSON *proto_reply_ok(void)
{
        cJSON *r = cJSON_CreateObject();
        if (!r)
                return NULL;
        if (!cJSON_AddNumberToObject(r, "v", PROTO_VERSION) || !cJSON_AddTrueToObject(r, "ok")) {
                cJSON_Delete(r);
                return NULL;
        }
        return r;
}

/* vasprintf would do, but it needs _GNU_SOURCE, which the build does not
 * define for every file; measuring first is portable. */
static char *format_alloc(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
static char *format_alloc(const char *fmt, va_list ap)
{
        va_list aq;
        va_copy(aq, ap);
        int n = vsnprintf(NULL, 0, fmt, aq);
        va_end(aq);
        if (n < 0)
                return NULL;
        char *s = malloc((size_t)n + 1);
        if (s)
                vsnprintf(s, (size_t)n + 1, fmt, ap);
        return s;
}

cJSON *proto_reply_error(enum proto_code code, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        _cleanup_(freep) char *msg = format_alloc(fmt, ap);
        va_end(ap);
        if (!msg)
                return NULL;

        cJSON *r = cJSON_CreateObject();
        if (!r || !cJSON_AddNumberToObject(r, "v", PROTO_VERSION) || !cJSON_AddFalseToObject(r, "ok") ||
            !cJSON_AddStringToObject(r, "error", msg) || !cJSON_AddNumberToObject(r, "code", code)) {
                cJSON_Delete(r);
                return NULL;
        }
        return r;
}

/* send() with MSG_NOSIGNAL so a peer that went away yields -EPIPE instead of
 * killing svctl with SIGPIPE; plain write() for fds that are not sockets. */
static ssize_t write_some(int fd, const char *p, size_t n)
{
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == ENOTSOCK)
                w = write(fd, p, n);
        return w;
}

static int write_all(int fd, const char *p, size_t n)
{
        while (n > 0) {
                ssize_t w = write_some(fd, p, n);
                if (w < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (w == 0)
                        return -EIO;
                p += w;
                n -= (size_t)w;
        }
        return 0;
}

/* Reads exactly n bytes. EOF before the last one is -ECONNRESET: for a frame
 * protocol a half-delivered frame is a broken connection, not a short message. */
static int read_all(int fd, char *p, size_t n)
{
        while (n > 0) {
                ssize_t r = read(fd, p, n);
                if (r < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (r == 0)
                        return -ECONNRESET;
                p += r;
                n -= (size_t)r;
        }
        return 0;
}

/* svctl's requests and replies may carry a value or a passphrase: the
 * frame is printed straight into its buffer and wiped after use. */
int proto_send(int fd, const cJSON *msg)
{
        char *buf = NULL;
        size_t len = 0;
        int r = proto_frame_encode_secret(msg, &buf, &len);
        if (r < 0)
                return r;
        r = write_all(fd, buf, len);
        explicit_bzero(buf, len);
        free(buf);
        return r;
}

int proto_recv(int fd, cJSON **ret_msg)
{
        if (!ret_msg)
                return -EINVAL;

        unsigned char hdr[PROTO_HDR_SIZE];
        int r = read_all(fd, (char *)hdr, sizeof(hdr));
        if (r < 0)
                return r;
        uint32_t n = get_be32(hdr);
        r = check_frame_len(n);
        if (r < 0)
                return r;

        char *payload = malloc(n);
        if (!payload)
                return -ENOMEM;
        r = read_all(fd, payload, n);
        if (r >= 0)
                r = parse_payload(payload, n, ret_msg);
        explicit_bzero(payload, n);
        free(payload);
        return r;
}

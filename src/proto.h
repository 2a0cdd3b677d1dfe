/* proto: the control protocol, defined once for svd and svctl.
 * A frame is a big-endian u32 length followed by that many bytes of UTF-8 JSON
 * holding one object. Requests: {"v":1,"op":"start","name":"postgres"}.
 * Replies: {"v":1,"ok":true,...} or {"v":1,"ok":false,"error":"...","code":N}.
 * Never a C struct on the wire. */
#ifndef SVD_PROTO_H
#define SVD_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#define PROTO_VERSION 1
#define PROTO_HDR_SIZE 4
#define PROTO_MAX_FRAME (1u << 20) /* payload bytes */

/* Where svd and svctl meet when nothing else is said: svd's default run_dir
 * and the control socket in it (svd: run_dir and control_socket of the main
 * file; svctl: -s, $SVD_SOCKET). RUNSTATEDIR is configure's runstatedir
 * (Makefile.am): /run in the Debian package and with --runstatedir=/run,
 * autoconf's ${localstatedir}/run otherwise. One definition, so the two
 * programs cannot disagree. */
#define PROTO_DEFAULT_RUN_DIR RUNSTATEDIR "/svd"
#define PROTO_DEFAULT_SOCKET PROTO_DEFAULT_RUN_DIR "/control.sock"

/* Explicit numbers: they are part of the protocol's history, never reused. */
enum proto_op {
        OP_INVALID = 0,
        OP_STATUS = 1,
        OP_START = 2,
        OP_STOP = 3,
        OP_RESTART = 4,
        OP_ORDER = 5,
        OP_VERSION = 6,
        OP_LOGS = 7,          /* list a service's log files, oldest first */
        OP_LOGS_FOLLOW = 8,   /* the same, then one frame per batch of new lines */
        OP_REOPEN_LOGS = 9,   /* reopen log files by name (as SIGUSR1) */
        OP_POWEROFF = 20,     /* stop everything in order, then power off (PID 1) */
        OP_REBOOT = 21,
        OP_HALT = 22,
        OP_AUDIT = 23,        /* each service's sandbox exposure, with a score */
        OP_SHOW = 24,         /* one service's effective sandbox */
        OP_SECRET_LIST = 30,  /* names, kinds, creation times, consumers: never values */
        OP_SECRET_GET = 31,   /* one value (admin only) */
        OP_SECRET_SET = 32,   /* "name", "value" (admin only) */
        OP_SECRET_ROTATE = 33, /* regenerate, re-mint JWTs, restart consumers (admin only) */
        OP_UNLOCK = 34,       /* "passphrase": opens a passphrase-keyed store (admin only) */
        OP_METRICS = 40,      /* Prometheus text exposition of every service */
        OP_EVENTS = 41,       /* recent state/health changes; "follow": then stream them */
        OP_RUN = 50,          /* run a oneshot (scheduled job) now; never overlapping (admin only) */
        OP_RELOAD = 60,       /* load the configuration again and apply the difference; "dry_run" (admin only) */
        OP_REEXEC = 61,       /* svd executes itself again, keeping every service (admin only) */
        _OP_MAX
};

/* Reply error codes ("code"). */
enum proto_code {
        PROTO_OK = 0,
        PROTO_E_FAILED = 1,      /* the request was valid but could not be done */
        PROTO_E_BAD_REQUEST = 2, /* malformed; "error" names the field */
        PROTO_E_DENIED = 3,      /* the peer may not do this */
        PROTO_E_NOT_FOUND = 4,   /* no such service or secret */
        PROTO_E_BUSY = 5,        /* too many clients */
};

const char *proto_op_name(enum proto_op op);
enum proto_op proto_op_from_name(const char *name); /* OP_INVALID if unknown */
bool proto_op_mutating(enum proto_op op);
/* Requests and replies that carry a secret value or the passphrase
 * (secret_get, secret_set, unlock): their buffers are wiped after use. */
bool proto_op_secret(enum proto_op op);
/* Overwrites every string value in msg (before it is freed). */
void proto_wipe(cJSON *msg);

/* Encodes msg as one frame (header + JSON) into a malloc'd buffer.
 * -EMSGSIZE if the JSON exceeds PROTO_MAX_FRAME. Both encoders guarantee
 * valid UTF-8: an invalid byte in a string goes out as U+FFFD. */
int proto_frame_encode(const cJSON *msg, char **ret_buf, size_t *ret_len);
/* The same for a message holding a secret: printed straight into the frame,
 * so no intermediate or reallocated copy is left behind in freed memory. */
int proto_frame_encode_secret(const cJSON *msg, char **ret_buf, size_t *ret_len);

/* Decodes one frame from the start of buf. Returns 0 if more bytes are needed,
 * 1 with *ret_msg (caller frees) and *ret_consumed set when a frame was read,
 * -EMSGSIZE if the announced length exceeds PROTO_MAX_FRAME, -EBADMSG if the
 * payload is not a JSON object or not valid UTF-8, -EILSEQ if a string holds
 * \u0000 (a C string would end there: the value would be cut short). */
int proto_frame_decode(const char *buf, size_t len, cJSON **ret_msg, size_t *ret_consumed);
/* Why the whole frame at buf (len bytes), which proto_frame_decode refused
 * with -EBADMSG, is not a request: one line for the error reply ("bad frame:
 * the payload is not valid UTF-8 at byte 7", "... is a JSON array, not an
 * object"; a byte is an offset into the payload, from 0). */
void proto_frame_why(const char *buf, size_t len, char *out, size_t outlen);

/* Checks the common request fields ("v", "op"); on failure returns -EINVAL and
 * writes a one-line message naming the field into err. */
int proto_request_parse(const cJSON *req, enum proto_op *ret_op, char *err, size_t errlen);

/* Builders for replies. */
cJSON *proto_reply_ok(void);
cJSON *proto_reply_error(enum proto_code code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Secret values are bytes; JSON strings carry text. A value that is valid
 * UTF-8 without a NUL byte travels as "value", any other as "value_base64"
 * (standard alphabet, padded; secret_b64.h). proto_text_ok says which. */
bool proto_text_ok(const void *p, size_t n);
/* The most bytes a secret value may have (secret_set: svctl refuses a longer
 * one before sending it, svd when a client sends it anyway). */
#define PROTO_SECRET_MAX (64u << 10)

/* Blocking helpers for clients: whole frame out / in; the frames' buffers
 * are wiped (they may hold a value or a passphrase). */
int proto_send(int fd, const cJSON *msg);
int proto_recv(int fd, cJSON **ret_msg);

/* For _cleanup_(proto_msg_freep) cJSON *msg = ...; */
static inline void proto_msg_freep(cJSON **p) { cJSON_Delete(*p); }

#endif

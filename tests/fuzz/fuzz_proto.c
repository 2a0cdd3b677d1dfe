/* fuzz_proto: libFuzzer target for the control protocol as svd reads it:
 * frames are decoded from the input the way control.c's read_cb walks its
 * buffer (several frames back to back, then a partial one), every decoded
 * request goes through proto_request_parse, and every prefix length of the
 * first frame must ask for more bytes rather than read past the end. A
 * decoded message re-encodes to a frame that decodes again. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

/* Strict UTF-8: what svd decodes is, so what it says back must be too. */
static int utf8_ok(const unsigned char *p, size_t n)
{
        for (size_t i = 0; i < n;) {
                unsigned char c = p[i];
                size_t len = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
                if (!len || n - i < len)
                        return 0;
                uint32_t cp = len == 1 ? c : c & (0x7f >> len);
                for (size_t j = 1; j < len; j++) {
                        if ((p[i + j] & 0xc0) != 0x80)
                                return 0;
                        cp = (cp << 6) | (p[i + j] & 0x3f);
                }
                if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
                    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
                        return 0;
                i += len;
        }
        return 1;
}

static void check_request(const cJSON *msg)
{
        char err[256];
        enum proto_op op = OP_INVALID;
        int r = proto_request_parse(msg, &op, err, sizeof(err));
        if (r < 0) {
                if (r != -EINVAL || !memchr(err, 0, sizeof(err)) || strchr(err, '\n'))
                        abort(); /* a one-line message naming the field */
                if (!utf8_ok((const unsigned char *)err, strlen(err)))
                        abort(); /* it goes into a reply frame */
                return;
        }
        if (op <= OP_INVALID || op >= _OP_MAX || !proto_op_name(op))
                abort();
        if (proto_op_from_name(proto_op_name(op)) != op)
                abort();
        (void)proto_op_mutating(op);
}

static void roundtrip(const cJSON *msg)
{
        char *buf = NULL;
        size_t len = 0;
        if (proto_frame_encode(msg, &buf, &len) < 0)
                return; /* too large once printed: refused, fine */
        cJSON *again = NULL;
        size_t used = 0;
        if (!utf8_ok((const unsigned char *)buf + PROTO_HDR_SIZE, len - PROTO_HDR_SIZE))
                abort();
        if (proto_frame_decode(buf, len, &again, &used) != 1 || used != len)
                abort();
        cJSON_Delete(again);
        free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        const char *buf = (const char *)data;
        size_t off = 0;
        size_t first = 0; /* length of the first whole frame, if any */

        for (int frames = 0; frames < 64; frames++) {
                cJSON *msg = NULL;
                size_t used = 0;
                int r = proto_frame_decode(buf + off, size - off, &msg, &used);
                if (r == 0)
                        break;
                if (r < 0) {
                        /* -EILSEQ: a string holds \u0000 (proto.h) */
                        if (r != -EMSGSIZE && r != -EBADMSG && r != -EILSEQ)
                                abort();
                        if (msg)
                                abort();
                        break;
                }
                if (r != 1 || !msg || used < PROTO_HDR_SIZE + 1 || used > size - off)
                        abort();
                if (!first)
                        first = used;
                check_request(msg);
                roundtrip(msg);
                cJSON_Delete(msg);
                off += used;
        }

        /* Every strict prefix of a whole frame needs more bytes. A copy of
         * exactly that length lets ASan catch a read past its end. */
        if (first) {
                size_t step = first > 64 ? first / 64 : 1;
                for (size_t l = 0; l < first; l += step) {
                        char *p = malloc(l ? l : 1);
                        if (!p)
                                abort();
                        memcpy(p, buf, l);
                        cJSON *msg = NULL;
                        size_t used = 0;
                        if (proto_frame_decode(p, l, &msg, &used) != 0 || msg)
                                abort();
                        free(p);
                }
        }
        return 0;
}

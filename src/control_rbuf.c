/* control_rbuf: see control_rbuf.h. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "control_rbuf.h"
#include "proto.h"

char *control_grow_wiped(char **buf, size_t len, size_t cap)
{
        char *nb = malloc(cap);
        if (!nb)
                return NULL;
        if (len)
                memcpy(nb, *buf, len);
        if (*buf)
                explicit_bzero(*buf, len);
        free(*buf);
        *buf = nb;
        return nb;
}

/* The bytes of the frame at the start of b once its header is in (its
 * length unchecked beyond the limit), else 0. */
static size_t frame_size_at(const struct control_rbuf *b, size_t off)
{
        if (b->len - off < PROTO_HDR_SIZE)
                return 0;
        const unsigned char *h = (const unsigned char *)b->p + off;
        uint32_t n = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
        if (n > PROTO_MAX_FRAME) /* refused as soon as it is decoded */
                return b->len - off;
        return PROTO_HDR_SIZE + (size_t)n;
}

static size_t frame_size(const struct control_rbuf *b)
{
        return frame_size_at(b, 0);
}

bool control_rbuf_whole(const struct control_rbuf *b, size_t off)
{
        size_t frame = off < b->len ? frame_size_at(b, off) : 0;
        return frame && b->len - off >= frame;
}

size_t control_rbuf_need(const struct control_rbuf *b)
{
        size_t frame = frame_size(b);
        if (frame && b->len >= frame)
                return b->cap;
        size_t need = frame > CONTROL_RBUF_SMALL ? frame : CONTROL_RBUF_SMALL;
        return need > b->cap ? need : b->cap;
}

int control_rbuf_reserve(struct control_rbuf *b, size_t *ret_room)
{
        size_t frame = frame_size(b);
        if (frame && b->len >= frame) {
                *ret_room = 0;
                return 0;
        }
        size_t need = control_rbuf_need(b);
        if (need > b->cap) {
                if (!control_grow_wiped(&b->p, b->len, need))
                        return -ENOMEM;
                b->cap = need;
        }
        *ret_room = b->cap - b->len;
        return 0;
}

void control_rbuf_free(struct control_rbuf *b)
{
        if (b->p)
                explicit_bzero(b->p, b->len);
        free(b->p);
        *b = (struct control_rbuf){ 0 };
}

size_t control_rbuf_consume(struct control_rbuf *b, size_t n)
{
        size_t cap = b->cap;
        if (n > b->len)
                n = b->len;
        if (n == b->len) {
                control_rbuf_free(b);
                return cap;
        }
        if (n) {
                memmove(b->p, b->p + n, b->len - n);
                b->len -= n;
                explicit_bzero(b->p + b->len, n);
        }
        /* the start of a next frame in a buffer sized for a large one */
        if (b->cap > CONTROL_RBUF_SMALL && b->len <= CONTROL_RBUF_SMALL &&
            control_grow_wiped(&b->p, b->len, CONTROL_RBUF_SMALL)) {
                b->cap = CONTROL_RBUF_SMALL;
                return cap - CONTROL_RBUF_SMALL;
        }
        return 0;
}

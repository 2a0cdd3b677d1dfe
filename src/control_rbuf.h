/* control_rbuf: a control client's read buffer, sized by need. It holds a
 * small buffer until a frame's header is in, then room for exactly that
 * frame (never more than the protocol's limit: a larger announced length is
 * refused by proto_frame_decode), and is wiped and freed once the requests
 * in it are handled, so an idle connection holds none. Every copy is wiped:
 * a request can carry a secret value or a passphrase. */
#ifndef SVD_CONTROL_RBUF_H
#define SVD_CONTROL_RBUF_H

#include <stdbool.h>
#include <stddef.h>

/* what a buffer holds before the header says more is needed: most requests */
#define CONTROL_RBUF_SMALL 4096

struct control_rbuf {
        char *p;
        size_t len, cap;
};

/* Makes room for the next read. *ret_room: how many bytes to read, 0 when
 * the buffer holds a whole frame already (or a header the decoder refuses).
 * 0, or -ENOMEM (the buffer is unchanged). */
int control_rbuf_reserve(struct control_rbuf *b, size_t *ret_room);
/* The capacity control_rbuf_reserve would give b: its own, or more once a
 * frame's header asks for it. */
size_t control_rbuf_need(const struct control_rbuf *b);
/* Whether the bytes from off on start with a whole frame (or a header the
 * decoder refuses): something proto_frame_decode handles without waiting. */
bool control_rbuf_whole(const struct control_rbuf *b, size_t off);
/* Drops the first n bytes (the requests handled), wiped; frees the buffer
 * when nothing is left and shrinks a large one holding little. Returns the
 * bytes of capacity given back. */
size_t control_rbuf_consume(struct control_rbuf *b, size_t n);
/* Wipes and frees; b is then empty (and can be used again). */
void control_rbuf_free(struct control_rbuf *b);
/* A copy of *buf (len bytes used) in a new one of cap bytes, the old one
 * wiped and freed: realloc would leave a moved buffer's bytes behind in
 * freed memory. NULL (and *buf unchanged) if out of memory. */
char *control_grow_wiped(char **buf, size_t len, size_t cap);

#endif

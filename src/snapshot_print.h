/* snapshot_print: a snapshot's text streamed to a descriptor through one
 * bounded buffer (snapshot.c's writer; private to it). */
#ifndef SVD_SNAPSHOT_PRINT_H
#define SVD_SNAPSHOT_PRINT_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

/* The text of a snapshot on its way to fd. One buffer serves every object
 * (it doubles when an object does not fit), instead of a print's growing
 * reallocs per service: those left freed chunks of many sizes in the
 * allocator's caches, resident for good. Objects collect in it up to
 * PRINTBUF_FLUSH bytes: one write per few services, not two per service. */
struct printbuf {
        int fd;
        char *p;
        size_t cap, len;
        size_t total; /* flushed so far */
};

/* a service with a blocked log batch (~1 MiB, base64) prints a few MiB */
#define PRINTBUF_MAX ((size_t)64 << 20)
#define PRINTBUF_FLUSH 4096

/* Writes out what the buffer holds; 0 or -errno. */
int pb_flush(struct printbuf *b);
/* Appends text, flushing past PRINTBUF_FLUSH; 0 or -errno. */
int pb_add(struct printbuf *b, const char *text);
/* An object printed and freed (open_ended: without its closing brace);
 * 0 or -errno. */
int write_json(struct printbuf *b, cJSON *o, bool open_ended);

#endif

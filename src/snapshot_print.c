/* snapshot_print: see snapshot_print.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "snapshot_print.h"

static int write_all(int fd, const char *p, size_t n)
{
        while (n) {
                ssize_t w = write(fd, p, n);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w <= 0)
                        return w < 0 ? -errno : -EIO;
                p += w;
                n -= (size_t)w;
        }
        return 0;
}

int pb_flush(struct printbuf *b)
{
        int r = write_all(b->fd, b->p, b->len);
        if (r >= 0)
                b->total += b->len;
        b->len = 0;
        return r;
}

/* Makes room for at least n more bytes: growing to twice PRINTBUF_FLUSH
 * first (so that objects collect), then flushing, then growing further for
 * an object larger than that. */
static int pb_room(struct printbuf *b, size_t n)
{
        int r;
        if (b->cap - b->len >= n)
                return 0;
        if (b->len && b->cap >= 2 * PRINTBUF_FLUSH && (r = pb_flush(b)) < 0)
                return r;
        size_t cap = b->cap ? b->cap : 512; /* a service is ~1 KiB: the growth runs on every write */
        while (cap - b->len < n)
                cap *= 2;
        if (cap == b->cap)
                return 0;
        char *p = cap <= PRINTBUF_MAX ? realloc(b->p, cap) : NULL;
        if (!p)
                return -ENOMEM;
        b->p = p;
        b->cap = cap;
        return 0;
}

int pb_add(struct printbuf *b, const char *text)
{
        size_t n = strlen(text);
        int r = pb_room(b, n);
        if (r < 0)
                return r;
        memcpy(b->p + b->len, text, n);
        b->len += n;
        return b->len >= PRINTBUF_FLUSH ? pb_flush(b) : 0;
}

/* (snapshot_print.h) */
int write_json(struct printbuf *b, cJSON *o, bool open_ended)
{
        int r = o ? 0 : -ENOMEM;
        bool printed = false;
        size_t want = 512;
        while (r >= 0 && o && (r = pb_room(b, want)) >= 0 &&
               !(printed = cJSON_PrintPreallocated(o, b->p + b->len, (int)(b->cap - b->len), false)))
                want = 2 * (b->cap - b->len > want ? b->cap - b->len : want);
        if (printed) {
                size_t n = strlen(b->p + b->len);
                if (open_ended && n >= 2)
                        n--; /* the closing brace comes after the services */
                b->len += n;
                if (b->len >= PRINTBUF_FLUSH)
                        r = pb_flush(b);
        }
        cJSON_Delete(o);
        return r;
}

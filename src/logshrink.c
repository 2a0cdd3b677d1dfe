/* logshrink: a sink's buffers go back when its service is quiet. The read
 * buffer of a stream (max_line plus a read chunk) comes with its first
 * output and the formatted output grows with a burst's batches: kept for
 * the sink's life, 50 services that each once wrote a burst would hold 50
 * times that for ever. LOGPIPE_SHRINK_IDLE after the last read (after_read
 * rearms the timer) what holds nothing is freed; the next output allocates
 * anew. What holds bytes (a partial line, output held back by a full disk)
 * stays, and is looked at again after the next read. */
#include <stdlib.h>

#include "logsink.h"

void logsink_shrink_cb(struct ev_loop *loop, ev_timer *w, int revents) {
        struct logsink *k = w->data;
        ev_timer_stop(loop, w);
        for (int i = 0; i < 2; i++) {
                struct logstream *st = &k->st[i];
                if (!st->buf || st->len)
                        continue;
                free(st->buf);
                st->buf = NULL;
                /* (a larger one a daemon-reexec restored goes back to max_line's) */
                st->cap = k->lc->max_line + LOGPIPE_READ_CHUNK;
        }
        if (k->out && !k->olen) {
                free(k->out);
                k->out = NULL;
                k->ocap = 0;
        }
}

uint64_t logpipe_buffer_bytes(const struct logsink *k) {
        if (!k)
                return 0;
        uint64_t n = k->ocap;
        for (int i = 0; i < 2; i++)
                if (k->st[i].buf)
                        n += k->st[i].cap;
        return n;
}

/* logwrite: appending formatted records to a log's file. A batch goes in
 * whole or not at all (writev_whole), so no record is ever cut; the file's
 * size and age follow. A batch a full disk refuses also goes in a head at a
 * time (logsink_write_head): what the disk has room for, in whole records.
 * With on_full: block the rest waits, rather than until the disk has room
 * for all of it (a burst's batch, more than a deleted file or retention
 * gives back); with drop only the rest is dropped, not all of it. */
#include <string.h>

#include "logsink.h"
#include "svd.h"

#define HEAD_MIN 4096 /* a head smaller than this is not tried on its own */

int logsink_write(struct logsink *k, struct iovec *iov, int n) {
        size_t total = 0;
        for (int i = 0; i < n; i++)
                total += iov[i].iov_len;
        int r = writev_whole(k->fd, iov, n, (off_t)k->size);
        if (r >= 0 && total && !k->size) {
                /* an empty file's age (max_age, rotate_every) starts with
                 * its first record: a file that stayed empty for longer is
                 * not rotated right after its first line */
                k->opened_real = now_real();
                logrotate_arm_age(k);
        }
        if (r >= 0)
                k->size += total;
        return r;
}

/* The service's bytes and lines in the records p[0..n) (whole records):
 * svd's own notes are not theirs. Without timestamps a piece's closing
 * backslash is not told from the service's own and counts as theirs. */
static void count(const struct logsink *k, const char *p, size_t n, uint64_t *ret_raw, size_t *ret_lines) {
        const size_t pre = LOGFMT_TIME_LEN + 5; /* "TIME out " */
        for (const char *q = p, *e = p + n, *nl; q < e && (nl = memchr(q, '\n', (size_t)(e - q))); q = nl + 1) {
                size_t len = (size_t)(nl - q);
                if (k->lc->timestamps && len + 1 >= pre) {
                        if (memcmp(q + LOGFMT_TIME_LEN + 1, "svd", 3) == 0)
                                continue;
                        *ret_raw += len + 1 - pre - (q[LOGFMT_TIME_LEN + 4] != ' '); /* ("out+ ": a mark) */
                } else if (!k->lc->timestamps) {
                        if (len >= 6 && memcmp(q, "[svd] ", 6) == 0)
                                continue;
                        *ret_raw += len + 1;
                }
                (*ret_lines)++;
        }
}

void logsink_write_head(struct logsink *k) {
        if (k->fd < 0 || k->gap_bytes) /* (a note goes first: logsink_write_out) */
                return;
        for (size_t want = k->olen / 2; want >= HEAD_MIN; want /= 2) {
                const char *nl = memrchr(k->out, '\n', want);
                if (!nl)
                        return; /* one record longer than that: it goes whole */
                size_t n = (size_t)(nl - k->out) + 1;
                struct iovec iov = {k->out, n};
                if (logsink_write(k, &iov, 1) < 0)
                        continue;
                uint64_t raw = 0;
                size_t lines = 0;
                count(k, k->out, n, &raw, &lines);
                k->oraw -= raw < k->oraw ? raw : k->oraw;
                k->olines -= lines < k->olines ? lines : k->olines;
                memmove(k->out, k->out + n, k->olen - n);
                k->olen -= n;
                return; /* the rest: at the next try, or dropped */
        }
}

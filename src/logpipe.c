/* logpipe: reading service output and writing it to the service's log file
 * (see logpipe.h). Reads are coalesced: after a wake-up that found a lot of
 * data the io watchers stop and a short timer lets the pipe fill, so a busy
 * service costs a few wake-ups per second instead of one per line. All lines
 * of a wake-up share one timestamp and go out in one writev. A write error
 * (disk full) never stops the draining: the bytes are counted and dropped and
 * a note marks the gap once writing works again, unless the service chose
 * on_full: block, which stops reading its pipes (back-pressure) until a write
 * succeeds, whichever path makes it. A file that cannot be opened is the same
 * case as a full disk. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "fdstore.h"
#include "log.h"
#include "logsink.h"
#include "safedir.h"
#include "svd.h"

#define OUT_FLUSH_AT (256u << 10) /* write out a batch this big even mid-read */
#define COALESCE_MIN 4096         /* a read below this is a trickle: pause LOGPIPE_TRICKLE */

static unsigned pipe_size(void) {
        static unsigned cached;
        if (!cached) {
                cached = LOGPIPE_PIPE_SIZE;
                FILE *f = fopen("/proc/sys/fs/pipe-max-size", "re");
                unsigned long v;
                if (f && fscanf(f, "%lu", &v) == 1 && v < cached)
                        cached = (unsigned)v;
                if (f)
                        fclose(f);
        }
        return cached;
}

int logpipe_out_fd(const struct logsink *k) {
        return k->st[0].wfd;
}

int logpipe_err_fd(const struct logsink *k) {
        return k->st[1].wfd;
}

uint64_t logpipe_dropped_bytes(const struct logsink *k) {
        return k ? k->dropped_bytes : 0;
}

static int out_reserve(struct logsink *k, size_t more) {
        if (k->olen + more <= k->ocap)
                return 0;
        size_t ncap = k->ocap ? k->ocap : 64 * 1024;
        while (ncap < k->olen + more)
                ncap *= 2;
        char *nb = realloc(k->out, ncap);
        if (!nb)
                return -ENOMEM;
        k->out = nb;
        k->ocap = ncap;
        return 0;
}

/* Formats one record into the output buffer; ts: now_real() formatted by
 * logfmt_time(), once for a whole batch. */
static void out_record(struct logsink *k, enum logfmt_stream which, enum logfmt_split split, const char *text,
                       size_t len, const char *ts) {
        if (out_reserve(k, LOGFMT_TIME_LEN + 8 + len) < 0) {
                k->dropped_bytes += len + 1;
                return;
        }
        char *p = k->out + k->olen;
        if (k->lc->timestamps) {
                memcpy(p, ts, LOGFMT_TIME_LEN);
                p += LOGFMT_TIME_LEN;
                *p++ = ' ';
                memcpy(p, logfmt_stream_name(which), 3);
                p += 3;
                if (split != LOGFMT_WHOLE)
                        *p++ = *logfmt_split_mark(split);
                *p++ = ' ';
        } else if (which == LOGFMT_SVD) {
                memcpy(p, "[svd] ", 6);
                p += 6;
        }
        memcpy(p, text, len);
        p += len;
        if (split != LOGFMT_WHOLE && !k->lc->timestamps)
                *p++ = '\\';
        *p++ = '\n';
        k->olen = (size_t)(p - k->out);
        if (which != LOGFMT_SVD) {
                k->oraw += len + 1;
                k->olines++;
        }
}

/* The bytes out_record() writes for a line of len bytes of the service's:
 * exact, since rotation cuts at max_size by it. */
static size_t record_size(const struct logsink *k, enum logfmt_split split, size_t len) {
        size_t mark = split != LOGFMT_WHOLE; /* "+" or "~" after the stream, or a backslash at the end */
        return (k->lc->timestamps ? LOGFMT_TIME_LEN + 5 : 0) + mark + len + 1;
}

void logsink_note(struct logsink *k, const char *fmt, ...) {
        char buf[512];
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(buf, sizeof(buf), fmt, ap);
        va_end(ap);
        if (n < 0)
                return;
        size_t len = (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1;
        usec_t now = now_real();
        /* a record like the service's: the file rotates before it would
         * take it past max_size ("... svd " or "[svd] ", the newline) */
        size_t need = (k->lc->timestamps ? LOGFMT_TIME_LEN + 5 : 6) + len + 1;
        if (logrotate_due(k, k->olen + need, now))
                logrotate_flush_due(k, need, now);
        char ts[LOGFMT_TIME_LEN + 1];
        out_record(k, LOGFMT_SVD, LOGFMT_WHOLE, buf, len, logfmt_time(now, ts));
}

static void stop_reading(struct logsink *k) {
        for (int i = 0; i < 2; i++)
                ev_io_stop(k->m->loop, &k->st[i].io);
        ev_timer_stop(k->m->loop, &k->coalesce);
        k->paused = false;
}

static void start_reading(struct logsink *k) {
        for (int i = 0; i < 2; i++)
                ev_io_start(k->m->loop, &k->st[i].io);
}

static void retry_cb(struct ev_loop *loop, ev_timer *w, int revents) {
        struct logsink *k = w->data;
        logsink_write_out(k); /* a success stops the timer (and lifts a block) */
        if (!k->blocked && !k->gap_bytes)
                ev_timer_stop(loop, w); /* (nothing was waiting) */
}

/* Back-pressure lifted (on_full: block): any successful write ends it, and
 * not only the retry's: reopen-logs, a new follower, the idle, age and rate
 * timers, a reload and the service's exit all write out, and may be first
 * once space is back. Reading resumes as after a coalescing pause, at the
 * loop's next turn (coalesce_cb): that read forms the records that waited in
 * the buffers first, and leaves the io watchers stopped if they block the
 * sink again (level-triggered on a full pipe, they would wake svd for ever
 * with nothing it may do). Not at once: the writer may be in the middle of
 * forming records itself. */
static void unblock(struct logsink *k) {
        struct ev_loop *loop = k->m->loop;
        k->blocked = false;
        k->paused = true; /* (the io watchers were stopped when it blocked) */
        ev_timer_stop(loop, &k->coalesce);
        ev_timer_set(&k->coalesce, 0., 0.);
        ev_timer_start(loop, &k->coalesce);
}

void logsink_write_out(struct logsink *k) {
        if (k->olen == 0 && k->gap_bytes == 0)
                return;
        /* a file that could not be opened is retried here; its error is the
         * one the gap note gives */
        int r = k->fd < 0 ? logsink_open_file(k) : 0;
        char note[384];
        size_t nl = 0;
        if (r == 0) {
                if (k->gap_bytes) {
                        char e[160];
                        snprintf(e, sizeof(e), "%s", safedir_strerror(-k->gap_err));
                        char text[300];
                        int tl = snprintf(text, sizeof(text), "dropped %llu bytes (%llu lines) of output: %s",
                                          (unsigned long long)k->gap_bytes, (unsigned long long)k->gap_lines, e);
                        if (k->lc->timestamps) {
                                char ts[LOGFMT_TIME_LEN + 1];
                                nl = (size_t)snprintf(note, sizeof(note), "%s svd %.*s\n", logfmt_time(now_real(), ts),
                                                      tl, text);
                        } else
                                nl = (size_t)snprintf(note, sizeof(note), "[svd] %.*s\n", tl, text);
                        if (nl >= sizeof(note))
                                nl = sizeof(note) - 1;
                }
                /* the note is a record too: the file rotates before the
                 * note and the batch would take it past max_size (the
                 * batch alone was formed to fit) */
                if (nl && logrotate_due(k, nl + k->olen, now_real())) {
                        (void)logrotate_rotate(k);
                        if (k->fd < 0)
                                r = logsink_open_file(k);
                }
        }
        if (r == 0) {
                struct iovec iov[2];
                int n = 0;
                if (nl)
                        iov[n++] = (struct iovec){note, nl};
                if (k->olen)
                        iov[n++] = (struct iovec){k->out, k->olen};
                r = logsink_write(k, iov, n);
        }
        if (r == 0) {
                k->gap_bytes = k->gap_lines = 0;
                k->olen = 0;
                k->oraw = 0;
                k->olines = 0;
                ev_timer_stop(k->m->loop, &k->retry);
                if (k->blocked)
                        unblock(k);
                return;
        }
        k->gap_err = -r;
        logsink_write_head(k); /* what of it the disk has room for goes in */
        if (k->lc->on_full_block) {
                /* keep the rest; stop reading so the service feels it */
                if (!k->blocked) {
                        k->blocked = true;
                        stop_reading(k);
                        ev_timer_again(k->m->loop, &k->retry);
                }
                return;
        }
        k->dropped_bytes += k->oraw;
        k->gap_bytes += k->oraw;
        k->gap_lines += k->olines;
        k->olen = 0;
        k->oraw = 0;
        k->olines = 0;
        if (k->blocked) /* a reload changed on_full to drop: nothing is held back now */
                unblock(k);
        /* the note about the gap goes out as soon as the disk takes it,
         * even if the service says nothing more */
        if (!ev_is_active(&k->retry))
                ev_timer_again(k->m->loop, &k->retry);
}

/* Appends n bytes of whole lines, as they are (no timestamps): straight from
 * the read buffer when nothing waits before them, else through the output
 * buffer, whose writer deals with notes, errors and back-pressure. */
static void emit_raw(struct logsink *k, const char *p, size_t n) {
        if (k->olen == 0 && k->gap_bytes == 0 && k->fd >= 0) {
                struct iovec iov = {(void *)p, n};
                if (logsink_write(k, &iov, 1) == 0)
                        return;
        }
        if (out_reserve(k, n) < 0) {
                k->dropped_bytes += n;
                return;
        }
        memcpy(k->out + k->olen, p, n);
        k->olen += n;
        k->oraw += n;
        for (const char *q = p, *e = p + n; (q = memchr(q, '\n', (size_t)(e - q))); q++)
                k->olines++;
        logsink_write_out(k);
}

/* Where a line is cut: max_line, unless the buffer could not grow to a
 * larger one that a reload set (out of memory, logpipe_reconfigure). */
static size_t max_line_of(const struct logstream *st) {
        size_t room = st->cap - LOGPIPE_READ_CHUNK;
        return st->k->lc->max_line < room ? st->k->lc->max_line : room;
}

/* Without timestamps, followers or a rate limit, whole lines need no work
 * line by line: they go out in runs as large as the read, cut only where
 * the file must rotate. Returns the bytes consumed; what is left (a partial
 * or overlong line) takes the path of process(). */
static size_t raw_lines(struct logsink *k, struct logstream *st, usec_t now) {
        const struct logging_config *lc = k->lc;
        size_t off = 0, end = logfmt_whole_lines(st->buf, st->len, max_line_of(st));
        bool tried = false;
        while (off < end && !k->blocked) {
                const char *p = st->buf + off;
                size_t n = end - off;
                uint64_t used = k->size + k->olen;
                if (st->piece_bytes) /* the rest of a line cut into pieces: alone, with them */
                        n = (size_t)((const char *)memchr(p, '\n', n) - p) + 1;
                /* (an empty file cannot rotate: what fits in it goes; after
                 * a failed rotation the file grows on, see logrotate_due) */
                if (logrotate_due(k, k->olen + n, now) || (!used && lc->max_size && n > lc->max_size)) {
                        /* the whole lines that still fit under max_size (none
                         * when max_age or the day says rotate now) */
                        size_t fit = 0;
                        if (lc->max_size && used < lc->max_size && !logrotate_due(k, k->olen, now)) {
                                uint64_t room = lc->max_size - used;
                                const char *nl = memrchr(p, '\n', room < n ? (size_t)room : n);
                                fit = nl ? (size_t)(nl - p) + 1 : 0;
                        }
                        if (fit)
                                n = fit;
                        else if (!tried && used) {
                                logrotate_flush_due(k, n, now); /* (not if writing out rotated) */
                                if (k->blocked)
                                        break;
                                tried = true;
                                continue;
                        } else /* a line longer than max_size, or rotating failed */
                                n = (size_t)((const char *)memchr(p, '\n', n) - p) + 1;
                }
                emit_raw(k, p, n);
                st->piece_bytes = 0;
                tried = false;
                off += n;
        }
        return off;
}

/* Forms records out of a stream's buffer. flush: partial lines too. All
 * records of a call share one timestamp, formatted once. */
static void process(struct logsink *k, struct logstream *st, bool flush) {
        if (!st->buf || !st->len)
                return; /* nothing read yet (the buffer comes with the first output) */
        struct logs *L = k->m->logs;
        const struct logging_config *lc = k->lc;
        usec_t now = now_real();
        size_t off = 0, l, c;
        enum logfmt_split split;
        bool follow = L && L->n_followers > 0;
        logfollow_release(L); /* (the followers' scratch, once none is left) */
        bool timed = lc->max_age || lc->rotate_daily;
        size_t nrecs = 0;
        if (!lc->timestamps && !follow && !lc->rate_burst && !(st->in_line && st->line_dropped) &&
            (off = raw_lines(k, st, now)))
                st->in_line = false; /* (whole lines only) */
        /* "2026-11-22T00:30:43.123456Z out ": the prefix of every whole line */
        char pre[LOGFMT_TIME_LEN + 5];
        logfmt_time(now, pre);
        pre[LOGFMT_TIME_LEN] = ' ';
        memcpy(pre + LOGFMT_TIME_LEN + 1, logfmt_stream_name(st->which), 3);
        pre[LOGFMT_TIME_LEN + 4] = ' ';
        while (!k->blocked && logfmt_next_line(st->buf + off, st->len - off, max_line_of(st), flush, &l, &c, &split)) {
                /* The rate limit decides per line: the rest of a line goes
                 * where its first piece went, uncounted, so a "+" or "~"
                 * record is always followed by the rest of its line. */
                bool rest = st->in_line;
                st->in_line = split != LOGFMT_WHOLE;
                /* (a line dropped before a reload removed rate_limit: its rest too) */
                st->line_dropped = rest ? st->line_dropped : lc->rate_burst && !logsink_rate_ok(k, now);
                if (st->line_dropped) {
                        off += c;
                        continue;
                }
                size_t need = record_size(k, split, l), after = k->olen + need;
                /* cheap tests first: most lines neither flush nor rotate */
                if ((after > OUT_FLUSH_AT || (lc->max_size && k->size + after > lc->max_size) || timed) &&
                    (after > OUT_FLUSH_AT || logrotate_due(k, after, now))) {
                        logrotate_flush_due(k, need, now);
                        if (k->blocked)
                                break;
                }
                if (lc->timestamps && split == LOGFMT_WHOLE && out_reserve(k, sizeof(pre) + l + 1) == 0) {
                        char *o = k->out + k->olen;
                        memcpy(o, pre, sizeof(pre));
                        memcpy(o + sizeof(pre), st->buf + off, l);
                        o[sizeof(pre) + l] = '\n';
                        k->olen += sizeof(pre) + l + 1;
                        k->oraw += l + 1;
                        k->olines++;
                } else
                        out_record(k, st->which, split, st->buf + off, l, pre);
                st->piece_bytes = split == LOGFMT_CONT ? st->piece_bytes + need : 0;
                if (follow) {
                        if (nrecs == L->cap_recs) {
                                size_t ncap = L->cap_recs ? L->cap_recs * 2 : 256;
                                struct logfmt_rec *nr = realloc(L->recs, ncap * sizeof(*nr));
                                if (nr) {
                                        L->recs = nr;
                                        L->cap_recs = ncap;
                                }
                        }
                        if (nrecs < L->cap_recs)
                                L->recs[nrecs++] = (struct logfmt_rec){now, st->which, split, st->buf + off, l};
                }
                off += c;
        }
        if (nrecs)
                logfollow_publish(L, k, L->recs, nrecs);
        if (off) {
                memmove(st->buf, st->buf + off, st->len - off);
                st->len -= off;
        }
}

/* Reads what the pipe holds (bounded per wake-up) and forms records.
 * Returns the bytes read. */
static size_t stream_read(struct logstream *st) {
        struct logsink *k = st->k;
        size_t total = 0;
        /* Allocated at the first output, not at setup: most services' stderr
         * (and many stdouts) never carry a byte, and a malloc'd chunk of this
         * size costs a touched page and a mapping even when unused. */
        if (!st->buf && !(st->buf = malloc(st->cap)))
                return 0;
        while (!k->blocked && total < LOGPIPE_WAKE_MAX) {
                if (st->cap - st->len < 4096)
                        process(k, st, false);
                if (st->cap - st->len < 4096)
                        break; /* blocked with a full buffer */
                size_t room = st->cap - st->len;
                ssize_t n = read(st->rfd, st->buf + st->len, room);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        break;
                st->len += (size_t)n;
                total += (size_t)n;
                if ((size_t)n < room)
                        break; /* a short read: the pipe is empty, skip the EAGAIN round */
        }
        process(k, st, false);
        return total;
}

/* timed: the read ended a pause (the coalesce timer), so what it got
 * arrived in a known time, which gives the writer's rate. */
static void after_read(struct logsink *k, size_t got, bool timed) {
        struct ev_loop *loop = k->m->loop;
        logsink_write_out(k);
        ev_timer_again(loop, &k->shrink); /* the buffers go back once the service is quiet */
        if (k->st[0].len || k->st[1].len)
                ev_timer_again(loop, &k->idle);
        else
                ev_timer_stop(loop, &k->idle);
        /* the pipe was drained at the end of the previous read: what this
         * read got came in since then (not since it began: a long write
         * after a big read would make a fast writer look slow) */
        ev_tstamp now = ev_time(), dt = now - k->last_read;
        k->last_read = now;
        if (k->blocked)
                return;
        /* While svd waits on the pipe every write of the service wakes it (a
         * cost to both), so a read that found data stops the io watchers for
         * a pause in which the pipe fills instead: the time the writer, at
         * the rate of this read, takes to fill a quarter of the pipe, at most
         * LOGPIPE_TRICKLE after a small read (fan-in from many quiet services
         * then costs few wake-ups) and LOGPIPE_COALESCE after a larger one,
         * so a busy writer never waits on a full pipe. A writer that fills
         * the quarter within a millisecond (the loop's timer resolution) is
         * read on at once, as is a pipe found half full (svd is the slower
         * side) or empty. The rate is the bytes over the time since the
         * previous read; a read woken by the pipe after a quiet spell does
         * not know it (the data may have come in a microsecond): it pauses
         * the longest after a small read, the shortest after a larger one. */
        double upper = got >= COALESCE_MIN ? LOGPIPE_COALESCE : LOGPIPE_TRICKLE, pause = upper;
        bool read_on = got >= pipe_size() / 2;
        if (got > 0 && (timed || dt < LOGPIPE_TRICKLE)) {
                double fill = pipe_size() / 4 * dt / (double)got;
                read_on = read_on || fill < 0.001;
                pause = fill < upper ? fill : upper;
        } else if (got >= COALESCE_MIN)
                pause = 0.001;
        ev_timer_stop(loop, &k->coalesce); /* (armed if the write above ended a block) */
        if (got > 0 && !read_on) {
                if (!k->paused) {
                        for (int i = 0; i < 2; i++)
                                ev_io_stop(loop, &k->st[i].io);
                        k->paused = true;
                }
                ev_timer_set(&k->coalesce, pause, 0.);
                ev_timer_start(loop, &k->coalesce);
        } else if (k->paused) {
                k->paused = false;
                start_reading(k);
        }
}

static void io_cb(struct ev_loop *loop, ev_io *w, int revents) {
        struct logstream *st = w->data;
        struct logsink *k = st->k;
        /* both streams: the pause after this read is sized by the writer's
         * rate, and a service that alternates between stdout and stderr
         * would look half as fast from one of them */
        size_t got = stream_read(st);
        struct logstream *other = &k->st[st == &k->st[0]];
        if (other->buf || got)
                got += stream_read(other);
        after_read(k, got, false);
}

static void coalesce_cb(struct ev_loop *loop, ev_timer *w, int revents) {
        struct logsink *k = w->data;
        size_t got = stream_read(&k->st[0]) + stream_read(&k->st[1]);
        after_read(k, got, true);
}

static void idle_cb(struct ev_loop *loop, ev_timer *w, int revents) {
        struct logsink *k = w->data;
        /* the rest of the line may be waiting in a paused pipe: read first */
        for (int i = 0; i < 2; i++)
                if (!k->blocked)
                        (void)stream_read(&k->st[i]);
        for (int i = 0; i < 2; i++)
                process(k, &k->st[i], true);
        ev_timer_stop(loop, &k->idle);
        logsink_write_out(k);
}

void logpipe_flush(struct logsink *k) {
        if (!k)
                return;
        for (int i = 0; i < 2; i++) {
                /* bounded: a leftover child may still be writing */
                for (int n = 0; n < 16 && !k->blocked && stream_read(&k->st[i]) > 0; n++)
                        ;
                process(k, &k->st[i], true);
        }
        ev_timer_stop(k->m->loop, &k->idle);
        logsink_write_out(k);
}

static int stream_open(struct logsink *k, struct logstream *st, enum logfmt_stream which, const int *fds) {
        int p[2];
        st->k = k;
        st->which = which;
        if (fds) { /* daemon-reexec: the pipe the service writes to already */
                p[0] = fds[0];
                p[1] = fds[1];
                if (p[0] < 0 || p[1] < 0 || fcntl(p[0], F_SETFD, FD_CLOEXEC) < 0 ||
                    fcntl(p[1], F_SETFD, FD_CLOEXEC) < 0)
                        return -EBADF;
        } else if (pipe2(p, O_CLOEXEC) < 0)
                return -errno;
        st->rfd = p[0];
        st->wfd = p[1];
        /* Only svd's end is non-blocking: O_NONBLOCK lives in the open file
         * description, and the service's end must block when the pipe is full. */
        if (fcntl(st->rfd, F_SETFL, O_NONBLOCK) < 0)
                return -errno;
        (void)fcntl(st->rfd, F_SETPIPE_SZ, pipe_size());
        st->cap = k->lc->max_line + LOGPIPE_READ_CHUNK;
        st->buf = NULL; /* on first output: stream_read() */
        ev_io_init(&st->io, io_cb, st->rfd, EV_READ);
        st->io.data = st;
        return 0;
}

/* k->path, dir and base from the service's logging settings. */
static int set_path(struct logsink *k) {
        const struct svc *s = k->s;
        char *path = k->lc->file ? strdup(k->lc->file) : strdup_printf("%s/%s.log", k->m->cfg->log_dir, s->cfg->name);
        if (!path)
                return -ENOMEM;
        char *slash = strrchr(path, '/');
        char *dir = slash ? (slash == path ? strdup("/") : strndup(path, (size_t)(slash - path))) : strdup(".");
        char *base = strdup(slash ? slash + 1 : path);
        if (!dir || !base) {
                free(path);
                free(dir);
                free(base);
                return -ENOMEM;
        }
        free(k->path);
        free(k->dir);
        free(k->base);
        k->path = path;
        k->dir = dir;
        k->base = base;
        return 0;
}

int logpipe_reconfigure(struct logsink *k) {
        const struct logging_config *lc = &k->s->cfg->logging;
        bool short_buf = false;
        for (int i = 0; i < 2; i++) {
                struct logstream *st = &k->st[i];
                size_t cap = lc->max_line + LOGPIPE_READ_CHUNK;
                if (cap <= st->cap)
                        continue;
                if (st->buf) {
                        char *b = realloc(st->buf, cap);
                        if (!b) { /* lines are cut where they were (max_line_of) */
                                short_buf = true;
                                continue;
                        }
                        st->buf = b;
                }
                st->cap = cap;
        }
        logsink_rate_reconfigure(k, lc);
        /* retention and compress as they are now, over the rotated files
         * there are: the first look again (logrotate_startup), when idle */
        bool look = lc->max_files != k->lc->max_files || lc->max_total != k->lc->max_total ||
                    lc->compress != k->lc->compress;
        /* the new settings whatever happened: the old ones are freed with
         * the configuration they belong to */
        k->lc = lc;
        /* what is formatted goes to the file it was formed for, while
         * k->path still names it (writing out may rotate it) */
        logsink_write_out(k);
        _cleanup_(freep) char *old = strdup(k->path);
        if (!old || set_path(k) < 0)
                return -ENOMEM;
        if (look || strcmp(old, k->path) != 0) { /* (a new file's directory: its files too) */
                k->startup_done = false;
                ev_idle_start(k->m->loop, &k->startup);
        }
        if (strcmp(old, k->path) == 0) {
                logrotate_arm_age(k); /* max_age and rotate_every as they are now */
                return short_buf ? -ENOMEM : 0;
        }
        int r = logsink_open_file(k); /* a new file; creates k->dir if missing */
        if (r < 0) {
                if (k->fd >= 0)
                        close(k->fd);
                k->fd = -1; /* retried at the next write */
                log_warn("%s: cannot open the log file %s: %s (retried at the next write)", k->s->cfg->name,
                         k->path, safedir_strerror(r));
        }
        logrotate_arm_age(k); /* from the new file's start */
        return short_buf ? -ENOMEM : 0;
}

static int sink_open(struct svc *s, const int *fds);
static void sink_free(struct logsink *k, bool adopted);

int logpipe_open(struct svc *s) {
        return sink_open(s, NULL);
}

int logpipe_adopt(struct svc *s, const int fds[4]) {
        return sink_open(s, fds);
}

void logpipe_restore_partial(struct logsink *k, int stream, const char *p, size_t n) {
        struct logstream *st = &k->st[stream];
        /* read under a larger max_line than the one on disk now: the
         * buffer grows to take all of it (process() cuts it down) */
        if (n > st->cap) {
                char *b = realloc(st->buf, n);
                if (!b) {
                        log_err("%s: %zu bytes of output not yet a line lost: out of memory", k->s->cfg->name, n);
                        return;
                }
                st->buf = b;
                st->cap = n;
        }
        if (!st->buf && !(st->buf = malloc(st->cap))) {
                log_err("%s: %zu bytes of output not yet a line lost: out of memory", k->s->cfg->name, n);
                return;
        }
        memcpy(st->buf, p, n);
        st->len = n;
        ev_timer_again(k->m->loop, &k->idle); /* flushed as partial if nothing follows */
}

void logpipe_restore_pending(struct logsink *k, const char *p, size_t n, size_t lines, uint64_t raw) {
        if (out_reserve(k, n) < 0) { /* counted and said, as out_record's drops are */
                k->dropped_bytes += raw;
                log_warn("%s: %zu bytes held over from the svd before lost: no memory", k->s->cfg->name, n);
                return;
        }
        memcpy(k->out + k->olen, p, n);
        k->olen += n;
        k->olines += lines;
        k->oraw += raw;
        logsink_write_out(k);
}

void logpipe_restore_gap(struct logsink *k, uint64_t bytes, uint64_t lines, int err) {
        k->gap_bytes += bytes;
        k->gap_lines += lines;
        if (bytes)
                k->gap_err = err;
        logsink_write_out(k); /* the note, or a retry if the file still fails */
}

static void startup_cb(struct ev_loop *loop, ev_idle *w, int revents) {
        logrotate_startup(w->data); /* stops w */
}

static int sink_open(struct svc *s, const int *fds) {
        if (s->log)
                return 0;
        struct svd *m = s->m;
        struct logsink *k = calloc(1, sizeof(*k));
        if (!k)
                return -ENOMEM;
        k->m = m;
        k->s = s;
        k->lc = &s->cfg->logging;
        k->fd = -1;
        k->st[0].rfd = k->st[0].wfd = k->st[1].rfd = k->st[1].wfd = -1;
        s->log = k;
        int r = -ENOMEM;
        if (set_path(k) < 0)
                goto fail;
        ev_init(&k->coalesce, coalesce_cb);
        ev_init(&k->idle, idle_cb);
        k->idle.repeat = LOGPIPE_IDLE_FLUSH;
        ev_init(&k->retry, retry_cb);
        k->retry.repeat = LOGPIPE_RETRY;
        ev_init(&k->rate, logsink_rate_cb);
        ev_init(&k->shrink, logsink_shrink_cb);
        k->shrink.repeat = LOGPIPE_SHRINK_IDLE;
        ev_idle_init(&k->startup, startup_cb);
        k->coalesce.data = k->idle.data = k->retry.data = k->rate.data = k->startup.data = k->shrink.data = k;
        if ((r = stream_open(k, &k->st[0], LOGFMT_OUT, fds)) < 0 ||
            (r = stream_open(k, &k->st[1], LOGFMT_ERR, fds ? fds + 2 : NULL)) < 0)
                goto fail;
        /* A file that cannot be opened (no space or inodes left, a read-only
         * or foreign directory) is a full disk: the service runs, its output
         * is dropped and counted (or held back, on_full: block) and the open
         * retried at each write. Failing here would keep it from starting,
         * and cost a running one its pipes on daemon-reexec. */
        if ((r = logsink_open_file(k)) < 0) /* creates k->dir if missing */
                log_warn("%s: cannot open the log file %s: %s (retried at the next write)", s->cfg->name, k->path,
                         safedir_strerror(r));
        else if (!fds && (r = logsink_refuse_shared(k)) < 0) /* (adopted ones run already) */
                goto fail;
        logrotate_arm_age(k);
        ev_idle_start(m->loop, &k->startup); /* logrotate_startup, when idle */
        start_reading(k);
        int keep[4] = { k->st[0].rfd, k->st[0].wfd, k->st[1].rfd, k->st[1].wfd };
        if (!fds) /* (adopted ones are in the store already) */
                fdstore_put(m, s->cfg->name, keep);
        return 0;
fail:
        sink_free(k, fds != NULL);
        s->log = NULL;
        return r;
}

/* adopted: a take-over that failed; the pipes are the running service's,
 * and closing them (or dropping the store's copies) would kill it with
 * SIGPIPE at its next write: they stay open, the caller's. */
static void sink_free(struct logsink *k, bool adopted) {
        if (adopted)
                for (int i = 0; i < 2; i++)
                        k->st[i].rfd = k->st[i].wfd = -1;
        else
                fdstore_drop(k->m, k->s->cfg->name);
        struct ev_loop *loop = k->m->loop;
        logsink_last_out(k); /* one more try; what is still not written is said lost */
        stop_reading(k);
        ev_timer_stop(loop, &k->idle);
        ev_timer_stop(loop, &k->retry);
        ev_timer_stop(loop, &k->age);
        ev_timer_stop(loop, &k->rate);
        ev_timer_stop(loop, &k->shrink);
        ev_idle_stop(loop, &k->startup);
        for (int i = 0; i < 2; i++) {
                if (k->st[i].rfd >= 0)
                        close(k->st[i].rfd);
                if (k->st[i].wfd >= 0)
                        close(k->st[i].wfd);
                free(k->st[i].buf);
        }
        if (k->fd >= 0)
                close(k->fd);
        free(k->out);
        free(k->path);
        free(k->dir);
        free(k->base);
        free(k);
}

void logpipe_free(struct logsink *k) {
        if (k)
                sink_free(k, false);
}

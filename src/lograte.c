/* lograte: a service's log rate limit (logging.rate_limit): fixed windows
 * of rate_interval, at most rate_burst lines each; the count of what a
 * window dropped is written as a note when the window ends (logsink.h).
 * logpipe.c asks once per line, at its first piece. */
#include "log.h"
#include "logsink.h"
#include "svd.h"

/* The note of the lines the rate-limit window dropped, if any, under the
 * limit they were counted for. */
static void rate_note_as(struct logsink *k, unsigned burst, usec_t interval) {
        char d[64];
        if (k->win_dropped)
                logsink_note(k, "rate limit: dropped %llu lines (limit %u per %s)", (unsigned long long)k->win_dropped,
                             burst, format_duration(interval, d, sizeof(d)));
        k->win_dropped = 0;
}

static void rate_note(struct logsink *k) {
        rate_note_as(k, k->lc->rate_burst, k->lc->rate_interval);
}

void logsink_rate_end(struct logsink *k) {
        rate_note(k);
        ev_timer_stop(k->m->loop, &k->rate);
}

void logsink_rate_reconfigure(struct logsink *k, const struct logging_config *lc) {
        if (lc->rate_burst == k->lc->rate_burst && lc->rate_interval == k->lc->rate_interval)
                return;
        logsink_rate_end(k); /* noted under the limit it counted for */
        k->win_start = 0;    /* the next line starts a window of the new one */
        k->win_lines = 0;
}

void logsink_rate_restore(struct logsink *k, const double v[5]) {
        const struct logging_config *lc = k->lc;
        double start = v[0], lines = v[1], dropped = v[2], burst = v[3], interval = v[4];
        if (!(lines >= 1 && lines <= burst && burst < 4294967296.0 && start >= 0 && start < 1e18 && dropped >= 0 &&
              dropped < 1e18 && interval > 0 && interval < 1e18))
                return; /* none (or out of range): a window starts with the next line */
        k->win_dropped = (uint64_t)dropped;
        if ((unsigned)burst != lc->rate_burst || (usec_t)interval != lc->rate_interval) {
                rate_note_as(k, (unsigned)burst, (usec_t)interval); /* changed on disk: as a reload's change */
                return;
        }
        usec_t now = now_real();
        k->win_start = (usec_t)start;
        k->win_lines = (unsigned)lines;
        if (!k->win_dropped)
                return;
        if (now < k->win_start || now - k->win_start >= lc->rate_interval) {
                logsink_rate_end(k); /* over while svd re-executed, or the clock went back: noted now */
                k->win_lines = 0;
                return;
        }
        ev_timer_set(&k->rate, (double)(k->win_start + lc->rate_interval - now) / 1e6 + 0.001, 0.);
        ev_timer_start(k->m->loop, &k->rate);
}

bool logsink_rate_ok(struct logsink *k, usec_t now) {
        const struct logging_config *lc = k->lc;
        if (!lc->rate_burst)
                return true;
        if (now - k->win_start >= lc->rate_interval) {
                rate_note(k);
                ev_timer_stop(k->m->loop, &k->rate);
                k->win_start = now;
                k->win_lines = 0;
                k->win_dropped = 0;
        }
        if (k->win_lines < lc->rate_burst) {
                k->win_lines++;
                return true;
        }
        if (k->win_dropped++ == 0) {
                usec_t left = k->win_start + lc->rate_interval - now;
                ev_timer_set(&k->rate, (double)left / 1e6 + 0.001, 0.);
                ev_timer_start(k->m->loop, &k->rate);
        }
        return false;
}

void logsink_rate_cb(struct ev_loop *loop, ev_timer *w, int revents) {
        struct logsink *k = w->data;
        usec_t now = now_real(), end = k->win_start + k->lc->rate_interval;
        if (now >= k->win_start && now < end) { /* early by the real clock (the loop's was behind): wait on */
                ev_timer_set(w, (double)(end - now) / 1e6 + 0.001, 0.);
                ev_timer_start(loop, w);
                return;
        }
        (void)logsink_rate_ok(k, now); /* the window is over: writes the note */
        k->win_lines = 0;
        logsink_write_out(k);
}

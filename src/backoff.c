/* backoff: capped exponential restart delays, restart policy decisions and the
 * start-limit window. Pure arithmetic so it can be tested without a clock. */
#include <stdlib.h>
#include <string.h>

#include "backoff.h"

usec_t backoff_delay(const struct backoff_config *b, unsigned attempt) {
        if (attempt <= 1)
                return b->initial < b->max ? b->initial : b->max;
        /* config allows >= 1.0: a constant delay; and 0 stays 0 however
         * often it is multiplied */
        if (!(b->factor > 1.0) || b->initial == 0)
                return b->initial < b->max ? b->initial : b->max;
        /* factor^(attempt-1) by squaring, in floating point (an integer
         * power overflows long before the cap matters; no libm needed): a
         * multiplication per attempt would take billions of steps with a
         * factor just above 1 in a long crash loop. Stops at the cap; a
         * square past the double range is inf, which only ever caps. */
        double cap = (double)b->max / (double)b->initial, r = 1.0, p = b->factor;
        for (unsigned n = attempt - 1; n; n >>= 1) {
                if (n & 1) {
                        r *= p;
                        if (!(r < cap))
                                return b->max;
                }
                p *= p;
        }
        double d = (double)b->initial * r;
        if (!(d < (double)b->max))
                return b->max;
        return (usec_t)d;
}

bool restart_wanted(enum restart_policy p, bool exited_ok, bool stop_requested) {
        if (stop_requested)
                return false;
        switch (p) {
        case RESTART_NO:
                return false;
        case RESTART_ON_FAILURE:
                return !exited_ok;
        case RESTART_ALWAYS:
        case RESTART_UNLESS_STOPPED:
                return true;
        default:
                return false;
        }
}

void start_history_reset(struct start_history *h) {
        free(h->t);
        memset(h, 0, sizeof(*h));
}

usec_t start_history_at(const struct start_history *h, unsigned i) {
        return h->t[(h->head + h->cap - h->n + i) % h->cap];
}

void start_history_add(struct start_history *h, usec_t now, unsigned keep) {
        if (keep < 1)
                keep = 1;
        if (keep > START_LIMIT_MAX)
                keep = START_LIMIT_MAX;
        if (keep != h->cap) {
                usec_t *t = malloc(keep * sizeof(*t));
                if (!t)
                        return;
                unsigned n = h->n < keep ? h->n : keep;
                for (unsigned i = 0; i < n; i++) /* the newest n, oldest first */
                        t[i] = start_history_at(h, h->n - n + i);
                free(h->t);
                h->t = t;
                h->cap = keep;
                h->n = n;
                h->head = n % keep;
        }
        h->t[h->head] = now;
        h->head = (h->head + 1) % h->cap;
        if (h->n < h->cap)
                h->n++;
}

bool start_limit_hit(const struct start_history *h, const struct start_limit_config *l, usec_t now) {
        if (l->burst == 0 || l->burst > START_LIMIT_MAX)
                return false;
        if (h->n < l->burst)
                return false;
        /* The burst-th most recent start: if it is inside the window, one more
         * start would make burst+1 starts within interval. */
        return now - start_history_at(h, h->n - l->burst) < l->interval;
}

/* backoff: capped exponential restart delays, restart policy decisions and the
 * start-limit window. Pure arithmetic so it can be tested without a clock. */
#include <math.h>
#include <string.h>

#include "backoff.h"

usec_t backoff_delay(const struct backoff_config *b, unsigned attempt) {
        if (attempt <= 1)
                return b->initial < b->max ? b->initial : b->max;
        /* Computed in floating point: factor^n overflows integers long before
         * the cap matters, and the cap bounds the result anyway. */
        double d = (double)b->initial * pow(b->factor, (double)(attempt - 1));
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
        memset(h, 0, sizeof(*h));
}

void start_history_add(struct start_history *h, usec_t now) {
        h->t[h->head] = now;
        h->head = (h->head + 1) % START_LIMIT_MAX;
        if (h->n < START_LIMIT_MAX)
                h->n++;
}

bool start_limit_hit(const struct start_history *h, const struct start_limit_config *l, usec_t now) {
        if (l->burst == 0 || l->burst > START_LIMIT_MAX)
                return false;
        if (h->n < l->burst)
                return false;
        /* The burst-th most recent start: if it is inside the window, one more
         * start would make burst+1 starts within interval. */
        unsigned idx = (h->head + START_LIMIT_MAX - l->burst) % START_LIMIT_MAX;
        return now - h->t[idx] < l->interval;
}

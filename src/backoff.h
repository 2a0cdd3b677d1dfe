/* backoff: restart policy arithmetic, pure. */
#ifndef SVD_BACKOFF_H
#define SVD_BACKOFF_H

#include <stdbool.h>

#include "config.h"
#include "util.h"

/* Delay before restart number `attempt` (1 = first restart after a failure):
 * initial * factor^(attempt-1), capped at max. */
usec_t backoff_delay(const struct backoff_config *b, unsigned attempt);

/* Whether the policy restarts after an exit. exited_ok: status 0 (or, for a
 * stop we asked for, any status); stop_requested: the operator or shutdown
 * asked for it. */
bool restart_wanted(enum restart_policy p, bool exited_ok, bool stop_requested);

/* Start-limit bookkeeping: a ring of the last start times, on the heap and
 * only as long as the start limit's burst (at most START_LIMIT_MAX). */
#define START_LIMIT_MAX 64
struct start_history {
        usec_t *t;     /* cap slots; NULL before the first start */
        unsigned cap;
        unsigned n;    /* valid entries (<= cap) */
        unsigned head; /* next slot */
};
/* Forgets every start and frees the ring. */
void start_history_reset(struct start_history *h);
/* Records a start, keeping the last `keep` (the burst; clamped to
 * 1..START_LIMIT_MAX). A new keep (config reload) keeps the newest entries.
 * Out of memory: the start is not recorded. */
void start_history_add(struct start_history *h, usec_t now, unsigned keep);
/* The i-th oldest recorded start (i < h->n). */
usec_t start_history_at(const struct start_history *h, unsigned i);
/* True if another start now would make more than burst starts within interval. */
bool start_limit_hit(const struct start_history *h, const struct start_limit_config *l, usec_t now);

#endif

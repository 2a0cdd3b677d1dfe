/* snapshot: svd's runtime state as JSON, both directions, for
 * daemon-reexec. One object:
 *   {"format": "svd-state", "version": 1, "svd": VERSION,
 *    "boot": {...}, "fds": {"control": N, "notify": N},
 *    "services": [{"name", "state", "pid", ..., "log": {...}, "timer": {...}}]}
 * Monotonic times stay valid (same boot, same clock). Unknown fields are
 * ignored and missing ones take their fresh-start value, so a state from an
 * older svd of the same format version restores as much as it says. */
#ifndef SVD_SNAPSHOT_H
#define SVD_SNAPSHOT_H

#include <stdbool.h>

#include <cjson/cJSON.h>

struct svd;
struct svc;

/* The whole state; fds listed in it must stay open (no CLOEXEC) across the
 * exec: *ret_fds gets them, -1 terminated (caller frees). NULL on ENOMEM. */
cJSON *snapshot_save(struct svd *m, int **ret_fds);

/* After svd_init() with m->restore set: puts every service named in the
 * state (and still configured) back as it was: state, PID, counters,
 * timers, log pipes and pending bytes, health probing. Services the state
 * does not name start as at boot; ones it names that are no longer
 * configured are logged (their processes are left alone). */
void snapshot_restore(struct svd *m);

#endif

/* snapshot: svd's runtime state as JSON, both directions, for
 * daemon-reexec. One object:
 *   {"format": "svd-state", "version": 1, "svd": VERSION,
 *    "boot": {...}, "fds": {"control": N, "notify": N},
 *    "secrets_restart": [NAME, ...] (consumers of a changed secret to start
 *    again, secrets.h; only while there are),
 *    "secrets_restart_left": [NAME, ...] (those the operator stopped during
 *    that restart: not started again),
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

/* Writes the whole state to fd as one JSON object, a service at a time (the
 * memory it takes does not grow with the number of services). exec: for
 * daemon-reexec, the fds to keep open across the exec are listed and
 * returned in *ret_fds (-1 terminated, caller frees); else for the state
 * file, with svd's pid and each pid's start time. The bytes written (at
 * most INT_MAX) or -errno. */
int snapshot_write(struct svd *m, int fd, bool exec, int **ret_fds);

/* After svd_init() with m->restore set: puts every service named in the
 * state (and still configured) back as it was: state, PID, counters,
 * timers, log pipes and pending bytes, health probing. Services the state
 * does not name start as at boot; ones it names that are no longer
 * configured are logged and their processes stopped (orphanstop.h). */
void snapshot_restore(struct svd *m);

/* The end of snapshot_restore after a daemon-reexec whose new instance fell
 * into the emergency state (the state's "reaped"; snapshot_reaped.c). */
void snapshot_restore_reaped(struct svd *m);

#endif

/* fdstore: svd's side of svd-fdstore (src/fdstore_main.c), the helper that
 * keeps every service's log pipes (and the notify socket, notify.c) open
 * while svd is not running, so that a crashed or killed svd, started again,
 * takes the same pipes back (see docs/ARCHITECTURE.md). Not used as PID 1:
 * there, svd never comes back.
 * Every call is best effort: without a store svd works as before, it only
 * cannot keep pipes across its own crash. */
#ifndef SVD_FDSTORE_H
#define SVD_FDSTORE_H

#include <stdbool.h>

struct svd;

/* Connects to the store under run_dir (starting it if none answers); if the
 * store already held pipes (svd was killed), they are fetched for
 * fdstore_take(). */
void fdstore_open(struct svd *m);
/* A service's pipes (out read, out write, err read, err write), kept until
 * dropped; a new put replaces the old one. */
void fdstore_put(struct svd *m, const char *name, const int fds[4]);
void fdstore_drop(struct svd *m, const char *name);
/* The pipes a previous svd left for name (now owned by the caller); false if none. */
bool fdstore_take(struct svd *m, const char *name, int fds[4]);
/* After a take-over: pipes nobody claimed are closed and dropped. */
void fdstore_forget_unclaimed(struct svd *m);
/* quit: svd stops for good, the store exits; else just disconnect. */
void fdstore_close(struct svd *m, bool quit);

#endif

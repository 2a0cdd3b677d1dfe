/* log_watch: svd's own log lines never wait for their reader (see
 * log_nonblocking_start in log.h): while an event loop runs, a backlog is
 * written out as the output takes it; without one, lines may wait a bounded
 * time in all. */
#ifndef SVD_LOG_WATCH_H
#define SVD_LOG_WATCH_H

#include <ev.h>

/* Makes stderr non-blocking for svd's lines and drains the backlog from loop. */
void log_watch_attach(struct ev_loop *loop);
/* The loop is done: from now on lines wait for the output at most budget_ms
 * in all (PID 1's last shutdown steps, svd's last lines before it exits). */
void log_watch_detach(long budget_ms);

#endif

/* log: svd's own diagnostics (not service output). One line per message on
 * stderr, prefixed with an ISO-8601 UTC timestamp and the level. Only the
 * orchestration layer (main, svd, control) logs; lower layers return -errno. */
#ifndef SVD_LOG_H
#define SVD_LOG_H

#include <stdbool.h>

enum log_level { LOG_LVL_ERR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

void log_set_level(enum log_level l);
/* The last message logged at LOG_LVL_ERR ("" if none). */
const char *log_last_error(void);
void log_msg(enum log_level l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* svd's output must never wait for its reader: a console stopped with
 * Ctrl-S, a slow serial line or a stuck log collector would stop PID 1 from
 * reaping and serving the control socket. After log_nonblocking_start(),
 * a line the reader does not take at once waits in a backlog of up to
 * LOG_BACKLOG_MAX bytes (whole lines, in order); beyond it lines are
 * dropped, and once the backlog has gone out a line says how many. wake()
 * is called when the backlog stops being empty: the caller then watches
 * log_backlog_fd() for writing and calls log_backlog_drain() (true once
 * empty). Stderr as a FIFO or terminal gets a non-blocking description of
 * its own (a device that opens only once, such as a virtio console port,
 * gets O_NONBLOCK on its one description, cleared again at exit); a socket
 * is written with MSG_DONTWAIT; a regular file is left as
 * it is (returns 0; 1 when started; -errno). A child forked meanwhile
 * writes directly. wake may be NULL until a loop runs: lines then wait in
 * the backlog (and are dropped beyond it) until one does; calling it again
 * sets wake. Safe from several threads. */
#define LOG_BACKLOG_MAX (64 * 1024)
int log_nonblocking_start(void (*wake)(void));
int log_backlog_fd(void);
/* stderr for svd's helpers (svd-probe, svd-fdstore): svd's non-blocking
 * descriptor when it has one, so a stalled reader drops their lines instead
 * of stopping them; else STDERR_FILENO. */
int log_child_stderr(void);
bool log_backlog_drain(void);
/* With no event loop any more (PID 1's final shutdown): each line may wait
 * for the output, all of them together at most budget_ms; after that they
 * are dropped. Waits for the backlog now, within the budget. */
void log_nonblocking_unwatched(long budget_ms);

#define log_err(...) log_msg(LOG_LVL_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LVL_DEBUG, __VA_ARGS__)

#endif

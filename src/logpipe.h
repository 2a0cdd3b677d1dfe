/* logpipe: service output. Each service's stdout and stderr are pipes whose
 * both ends svd holds for its whole life, so a restart reuses them and nothing
 * a crashing process wrote is lost. svd reads them non-blocking on the loop,
 * cuts lines, stamps them, and appends them to the service's log file with one
 * writev per batch. Rotation, compression and retention are in logrotate,
 * live followers (svctl logs -f) in logfollow; all three share logsink.h. */
#ifndef SVD_LOGPIPE_H
#define SVD_LOGPIPE_H

#include <stdbool.h>
#include <stdint.h>

struct svc;
struct svd;
struct logsink;

/* Manager-wide state (compression jobs, followers); called from svd_init and
 * svd_done. */
int logs_init(struct svd *m);
void logs_done(struct svd *m);
/* Runs logs_sweep (log_max_total over every service log, compression
 * leftovers no one will finish) once the loop is idle: after svd starts
 * (logs_init) and after a reload, whose removed services' files it covers. */
void logs_sweep_soon(struct svd *m);

/* Creates the service's sink on first use (pipes and file); later calls are
 * no-ops. Returns 0 or -errno. A file that cannot be opened is no failure:
 * the output meets it as a full disk, and the open is retried at each write. */
int logpipe_open(struct svc *s);
/* daemon-reexec: the sink of a service taken over, on its existing pipes
 * (fds: out read, out write, err read, err write); then the bytes that were
 * read but not yet a whole line, per stream (0 out, 1 err), and the
 * formatted records not yet written. On failure the fds are left open, the
 * caller's: the service still writes to them. */
int logpipe_adopt(struct svc *s, const int fds[4]);
void logpipe_restore_partial(struct logsink *k, int stream, const char *p, size_t n);
void logpipe_restore_pending(struct logsink *k, const char *p, size_t n, size_t lines, uint64_t raw);
/* daemon-reexec: output the previous instance dropped and had not noted in
 * the file yet; the note is written as soon as the file takes it */
void logpipe_restore_gap(struct logsink *k, uint64_t bytes, uint64_t lines, int err);
/* The write ends a child gets as stdout and stderr. */
int logpipe_out_fd(const struct logsink *k);
int logpipe_err_fd(const struct logsink *k);
/* The main process exited: read what is left in the pipes and write out
 * partial lines. */
void logpipe_flush(struct logsink *k);
/* Drains, writes out and closes everything; NULL is fine. */
void logpipe_free(struct logsink *k);
/* Reload: the service's (possibly new) logging settings apply; a new file
 * name opens the new file, keeping the pipes (nothing in them is lost).
 * -ENOMEM if a read buffer could not grow to a larger max_line: everything
 * else applies, and lines are cut where they were. */
int logpipe_reconfigure(struct logsink *k);
/* Bytes of service output lost to write errors (disk full) since svd started. */
uint64_t logpipe_dropped_bytes(const struct logsink *k);
/* Bytes of memory the sink's buffers hold now (logshrink.c): they grow with
 * output and go back once the service is quiet. 0 for NULL. */
uint64_t logpipe_buffer_bytes(const struct logsink *k);

/* SIGUSR1 / svctl reopen-logs: reopen every service's file by name. Returns
 * the number of files that could not be reopened (each also counted as a
 * write error until it succeeds). */
int logs_reopen_all(struct svd *m);

/* The audit log (audit.c): appends one record (n bytes, newline included)
 * to path, rotating, compressing and retaining it by the main file's
 * defaults.logging like a service's log. A record is written whole or not
 * at all; one that is not (disk full) is counted, and the next that is
 * follows a note in the file of how many were lost and why. Returns -errno,
 * or >= 0: how many records were lost before this one. */
int logs_audit_append(struct svd *m, const char *path, const char *p, size_t n);
/* reopen-logs: the audit log is reopened by name too (0 or -errno). */
int logs_audit_reopen(struct svd *m);

/* A child process of svd exited: true if it was a compression job. */
bool logs_child_exited(struct svd *m, pid_t pid, int status);

#endif

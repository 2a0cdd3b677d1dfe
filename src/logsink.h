/* logsink: the shared, private picture of one service's log sink and of the
 * manager-wide log state, for logpipe.c (reading and writing), logopen.c
 * (opening the file), logshare.c (files shared through links), logrotate.c
 * (rotation, retention), logcompress.c (compression), logfollow.c (live
 * followers) and logfile.c (the audit log, a sink svd writes itself), and for
 * snapshot.c, which carries a sink across daemon-reexec. Nothing else
 * includes it. */
#ifndef SVD_LOGSINK_H
#define SVD_LOGSINK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#include <ev.h>

#include "config.h"
#include "logfmt.h"
#include "logpipe.h"

struct svd;
struct svc;

#define LOGPIPE_COALESCE 0.005    /* s: let a busy pipe fill before the next read */
#define LOGPIPE_TRICKLE 0.05      /* s: after a small read, let lines gather (a service
                                     writing a line every few ms costs ~20 wake-ups/s,
                                     not one per line; lines stay safe in the pipe) */
#define LOGPIPE_IDLE_FLUSH 1.0    /* s: a partial line older than this is written out; long
                                     enough that a writer stalled mid-line on a loaded
                                     machine (stdio flushes 4 KiB blocks) is not split */
#define LOGPIPE_RETRY 0.25        /* s: retry writing after an error (on_full: block) */
#define LOGPIPE_SHRINK_IDLE 3.0   /* s: a sink quiet this long frees its empty buffers */
#define LOGPIPE_READ_CHUNK (256u << 10) /* read buffer beyond max_line */
#define LOGPIPE_WAKE_MAX (1u << 20)     /* bytes read per stream per wake-up, for fairness */
#define LOGPIPE_PIPE_SIZE (1u << 20)    /* wanted, capped at /proc/sys/fs/pipe-max-size */
#define LOGS_MAX_GZIP 2            /* compression children at once */
#define LOGS_GZIP_STOP_WAIT (5 * USEC_PER_SEC) /* svd's stop waits this long for them */
#define LOGS_GZIP_KILL_WAIT (1 * USEC_PER_SEC) /* ...and this long for one killed then */
#define LOGROTATE_RETRY USEC_PER_SEC /* after a rotation failed: the file grows on this long */
#define LOGROTATE_PIECES_MAX (1u << 20) /* a line's pieces kept in one file without max_size */

struct logstream {
        struct logsink *k;
        enum logfmt_stream which;
        int rfd, wfd;
        ev_io io;
        char *buf;               /* bytes read, not yet formed into records */
        size_t len, cap;
        bool in_line;            /* the last record was a piece ("+", "~"): the next one goes on with it */
        bool line_dropped;       /* ... and the rate limit dropped that line */
        uint64_t piece_bytes;    /* the "+" pieces of a line so far in the current file: the
                                    rest goes in the same file (logrotate_due); 0: none */
};

struct logsink {
        struct svd *m;
        struct svc *s;
        const struct logging_config *lc;
        char *path;              /* current file */
        char *dir;               /* its directory */
        char *base;              /* its name within dir */
        int fd;                  /* -1 while it cannot be opened */
        uint64_t size;           /* bytes in the current file */
        usec_t opened_real;      /* start of the current file, for max_age / daily */
        usec_t last_rotated;     /* last rotated name's time: names stay unique */
        usec_t rotate_retry;     /* a rotation failed: none is due before this (0: none failed) */

        struct logstream st[2];
        ev_timer coalesce;       /* paused reading: resume after LOGPIPE_COALESCE */
        bool paused;
        ev_tstamp last_read;     /* end of the last read, for the writer's rate */
        ev_timer idle;           /* flushes partial lines */
        ev_timer retry;          /* write errors */
        ev_timer age;            /* max_age / rotate_every */
        ev_timer rate;           /* rate-limit window end: writes the drop note */
        ev_timer shrink;         /* quiet: the buffers go back (logshrink.c) */
        ev_idle startup;         /* logrotate_startup, once svd has nothing else to do */
        bool startup_done;
        bool linked;             /* its file was opened through a link (or is hard-linked) */

        /* formatted output waiting for writev */
        char *out;
        size_t olen, ocap;
        uint64_t oraw;           /* service bytes in out (for the drop count) */
        size_t olines;

        /* write errors */
        uint64_t dropped_bytes;  /* total, shown in status */
        uint64_t gap_bytes, gap_lines; /* since the last successful write */
        int gap_err;             /* the last write error (also for on_full: block, held output) */
        bool blocked;            /* on_full: block, waiting for the disk */

        /* rate limit: fixed windows of rate_interval */
        usec_t win_start;
        unsigned win_lines;
        uint64_t win_dropped;
};

struct gzjob;
struct gzfail;
struct follower;
struct logfile;

struct logs {
        struct svd *m;
        struct gzjob *jobs;      /* queued and running, oldest first */
        struct gzfail *gz_failing; /* directories whose compressions fail (logcompress.c) */
        unsigned running;
        struct follower **followers;
        size_t n_followers;
        struct logfmt_rec *recs; /* scratch: the records of one batch, for followers */
        size_t cap_recs;
        struct logfile *audit;   /* logfile.c: <log_dir>/audit.log, opened at its first record */
        bool any_linked;         /* a log was opened through a link: look for shared files */
        ev_idle sweep;           /* logsweep.c: logs_sweep once the loop is idle */
        bool record_failed;      /* logsweep.c: the record of the log files failed (told) */
        bool sweep_init;
};

/* logwrite.c: appends the batch iov[0..n) to k's file, all of it or none
 * (writev_whole); 0 or -errno. */
int logsink_write(struct logsink *k, struct iovec *iov, int n);
/* logwrite.c: a write of the formatted output failed: the longest head of
 * it in whole records that the disk takes goes in (tried at half of it, then
 * a quarter, ...); the rest waits for the next try (on_full: block) or is
 * dropped. Not while a note of dropped output waits to go first. */
void logsink_write_head(struct logsink *k);
/* logpipe.c: writes out whatever is formatted (may rotate first). */
void logsink_write_out(struct logsink *k);
/* lograte.c: appends the rate limit's note of the lines the current window
 * dropped, if any, as at the window's end. */
void logsink_rate_end(struct logsink *k);
/* lograte.c: before a reload sets k's logging to lc: a rate limit that
 * changes ends the window (its note goes out) and the next line starts one
 * of the new limit. */
void logsink_rate_reconfigure(struct logsink *k, const struct logging_config *lc);
/* lograte.c: the window a daemon-reexec handed over (snapshot.c), from
 * the state's numbers (start, lines, dropped, and the limit's burst and
 * interval; ignored unless in range): it goes on, its timer armed for its
 * end; one already over, or of a limit since changed on disk, is noted now
 * (under the limit it counted for). */
void logsink_rate_restore(struct logsink *k, const double v[5]);
/* lograte.c: whether a line starting now may go out (false: dropped,
 * counted for the window's note). */
bool logsink_rate_ok(struct logsink *k, usec_t now);
/* lograte.c: k->rate's callback: the window is over, its note goes out. */
void logsink_rate_cb(struct ev_loop *loop, ev_timer *w, int revents);
/* logshrink.c: k->shrink's callback: frees the buffers that hold nothing. */
void logsink_shrink_cb(struct ev_loop *loop, ev_timer *w, int revents);
/* logpipe.c: appends one note from svd itself ("svd" stream). */
void logsink_note(struct logsink *k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* loglost.c: the log closes: reads and writes out what is left, one last
 * try; what its file still does not take (a full disk) is lost, and svd's
 * log says how many bytes, the file and the cause. */
void logsink_last_out(struct logsink *k);
/* logopen.c: opens k->path (O_APPEND|O_CLOEXEC, 0640, admin group), creating
 * k->dir if missing; on failure k->fd is left as it was and -errno says why
 * (safedir_strerror: a link or a special file refused). */
int logsink_open_file(struct logsink *k);

/* logrotate.c */
/* Whether the file must rotate before adding more bytes: not between the
 * "+" pieces of a line and its rest (unless the pieces alone reach max_size,
 * or LOGROTATE_PIECES_MAX without one), which stay in one file. */
bool logrotate_due(const struct logsink *k, uint64_t adding, usec_t now);
int logrotate_rotate(struct logsink *k);
/* Writes out what is formatted, then rotates k's file if adding more bytes
 * would be due (logrotate_due), in every on_full mode: a sink blocked by a
 * full disk rotates too, so retention runs and may make the room its held
 * output waits for (which then opens the new file). */
void logrotate_flush_due(struct logsink *k, uint64_t adding, usec_t now);
void logrotate_arm_age(struct logsink *k);
/* The first look at k's directory (rotated files: ages, compression left to
 * do, retention; leftovers of a compression cut short). Deferred by
 * sink_open to an idle moment of the loop (a directory scan per service is
 * slow on a network or emulated file system, and a spawn waits for it);
 * runs at once the first time something needs its result. Once per sink. */
void logrotate_startup(struct logsink *k);

/* logcompress.c: gzip of rotated files, in children (LOGS_MAX_GZIP at once). */
/* Queues src (a rotated file) to become src.gz. */
void logcompress_queue(struct logs *L, const char *src);
/* Retention deletes src: its queued job is dropped, a running one's result
 * discarded. */
void logcompress_cancel(struct logs *L, const char *src);
/* Whether src is queued or being compressed. */
bool logcompress_pending(const struct logs *L, const char *src);
/* Whether a gzip of src runs (writing src.gz.tmp). */
bool logcompress_running(const struct logs *L, const char *src);
/* daemon-reexec (snapshot.c): the i-th compression under way, its pid and
 * file; false past the last. */
bool logcompress_running_at(const struct logs *L, size_t i, pid_t *ret_pid, const char **ret_src);
/* daemon-reexec: a compression the previous instance started, finished
 * here when its gzip ends (at once if it has); before any first look at
 * the logs, which would take its .gz.tmp for a leftover and compress the
 * file a second time. -ECHILD if pid is no child of svd's (any more). */
int logcompress_adopt(struct logs *L, pid_t pid, const char *src);
/* svd stops: waits for the running compressions (LOGS_GZIP_STOP_WAIT at
 * most, then kills what is left of them and removes their .gz.tmp; their
 * files, and the queued ones, stay uncompressed for the next start, which
 * compresses them), then frees the queue and the failure episodes. Blocks:
 * only once the loop has ended. */
void logcompress_done(struct logs *L);
/* Lists the rotated files of each of ks[0..n) (NULL: none) into ret[i],
 * oldest first, as malloc'd NULL-terminated lists of malloc'd paths (NULL
 * when out of memory). One pass over each directory for all the logs in
 * it: a pass per log read a shared log_dir once per service. */
void logrotate_list_all(struct logsink *const *ks, size_t n, char ***ret);

/* logsweep.c: log_max_total over every service log svd has written (the
 * current file and the rotated files of each configured service, started
 * or not, and of each removed one in the record, logrecord.c), and the
 * removal of their BASE.STAMP.gz.tmp files whose compression does not run.
 * Nothing else is counted or deleted. One pass per directory. */
void logs_sweep(struct svd *m);

/* logrecord.c: the service log files svd has written, by path, in
 * <state_dir>/logfiles. */
struct logrecord {
        char **paths;
        size_t n;
};
/* Reads the record into *r (empty when there is none); -errno, *r empty. */
int logrecord_load(const struct svd_config *c, struct logrecord *r);
/* Appends path to the record, on disk first, unless it is there. */
int logrecord_add(const struct svd_config *c, struct logrecord *r, const char *path);
/* Writes *r as the whole record (atomically: renamed over it). */
int logrecord_save(const struct svd_config *c, const struct logrecord *r);
bool logrecord_has(const struct logrecord *r, const char *path);
void logrecord_free(struct logrecord *r);

/* logfile.c: closes the audit log (logs_done). */
void logs_audit_close(struct logs *L);
/* logshare.c: opens k->path for appending (creating it, 0640, and k->dir),
 * noting in k->linked whether the name is a symbolic link or the file has
 * other links. Where a user other than root can write k->dir (or above),
 * neither is accepted (safedir_open_file): the fd or -errno, for
 * safedir_strerror. */
int logsink_open_path(struct logsink *k);
/* logshare.c: -EEXIST, with the service's reason naming both files, when
 * another open log (a service's, or the audit log) is k's file through a
 * link; 0 otherwise. k is a service's. */
int logsink_refuse_shared(struct logsink *k);
/* logfile.c: the audit log's sink, NULL while it is not open. */
const struct logsink *logs_audit_sink(const struct logs *L);

/* logfollow.c */
void logfollow_publish(struct logs *L, const struct logsink *k, const struct logfmt_rec *recs, size_t n);
/* Frees L->recs, the records of one batch formed for followers (one per
 * line of a read: MBs for a burst of short lines), once no one follows; a
 * no-op otherwise, and for NULL. Not while a publish uses them. */
void logfollow_release(struct logs *L);
void logfollow_done(struct logs *L);

#endif

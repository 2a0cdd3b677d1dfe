/* logfmt: the on-disk format of service logs, defined once for svd (which
 * writes it) and svctl (which reads it). Pure functions only: line splitting,
 * timestamps, rotated-file names and retention selection; no I/O, nothing
 * logs. A timestamped record is
 *     2026-11-22T00:30:43.123456Z out text...\n
 * with stream "out" or "err" and "svd" for svd's own notes (drops, rate
 * limits). A record that does not end a line carries a mark right after the
 * stream: "out+" for a piece of a line longer than max_line (the line goes
 * on in the stream's next record), "out~" for a partial line written out
 * without its newline because the writer went quiet for a second (a prompt)
 * or exited, or svd stopped; what the stream writes next, if anything, is
 * the stream's next record. Without timestamps a record is the text alone;
 * a record of either kind ends with a backslash and svd's notes start with
 * "[svd] ". */
#ifndef SVD_LOGFMT_H
#define SVD_LOGFMT_H

#include <time.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define LOGFMT_TIME_LEN 27 /* "2026-11-22T00:30:43.123456Z" */
#define LOGFMT_STAMP_LEN 23 /* "20261122T003043.123456Z" (rotated names) */

enum logfmt_stream { LOGFMT_OUT, LOGFMT_ERR, LOGFMT_SVD, _LOGFMT_STREAM_MAX };

/* How a record ends: a whole line, or split (see above). */
enum logfmt_split {
        LOGFMT_WHOLE,   /* ended by a newline */
        LOGFMT_CONT,    /* "+": the first max_line bytes of a longer line */
        LOGFMT_PARTIAL, /* "~": no newline yet (idle, exit, svd stopping) */
        _LOGFMT_SPLIT_MAX,
};

const char *logfmt_stream_name(enum logfmt_stream s); /* "out", "err", "svd" */
int logfmt_stream_from_name(const char *s, size_t len); /* -EINVAL if unknown */
const char *logfmt_split_mark(enum logfmt_split s);    /* "", "+", "~" */
/* JSON field set to true on split records ("cont", "partial"); NULL: whole. */
const char *logfmt_split_json(enum logfmt_split s);

/* sec (since the epoch) as UTC calendar fields, like gmtime_r but without
 * touching the time zone: glibc's gmtime_r and strftime read /etc/localtime
 * on their first call, a file look-up (on a network root file system, round
 * trips) that a UTC time stamp does not need. tm_isdst and tm_gmtoff are 0. */
void logfmt_utc(int64_t sec, struct tm *tm);
/* buf: at least LOGFMT_TIME_LEN + 1 bytes. Returns buf. */
char *logfmt_time(usec_t t, char *buf);
/* Parses exactly LOGFMT_TIME_LEN bytes of logfmt_time() output. */
int logfmt_parse_time(const char *s, size_t len, usec_t *ret);
/* A --since argument: a full or shortened ISO-8601 time ("2026-11-22",
 * "2026-11-22T00:30", "2026-11-22 00:30:43Z", always UTC), "@EPOCH", or a
 * duration meaning that long before now ("5m", "1h"). */
int logfmt_parse_since(const char *s, usec_t now, usec_t *ret);

/* Finds the next record in buf[0..len). Returns 1 with *ret_len (record bytes,
 * newline excluded), *ret_consumed and *ret_split (LOGFMT_CONT: the first
 * max_line bytes of a longer line) when one is there; 0 when the bytes left are
 * a partial line, unless flush is set, which turns any partial line into a
 * LOGFMT_PARTIAL record. max_line >= 1. */
int logfmt_next_line(const char *buf, size_t len, size_t max_line, bool flush, size_t *ret_len,
                     size_t *ret_consumed, enum logfmt_split *ret_split);
/* The end of the longest run of whole lines at the start of buf[0..len), each
 * at most max_line bytes, newlines included (0: none). Looks at about one
 * byte in max_line when lines are short: svd's path without timestamps. */
size_t logfmt_whole_lines(const char *buf, size_t len, size_t max_line);

/* A parsed timestamped record; text points into the line. */
struct logfmt_rec {
        usec_t time;
        enum logfmt_stream stream;
        enum logfmt_split split;
        const char *text;
        size_t text_len;
};
/* Parses one line (without its newline) written with timestamps on.
 * -EINVAL when it does not have the shape (e.g. written with timestamps off). */
int logfmt_parse_line(const char *line, size_t len, struct logfmt_rec *ret);

/* Rotated names: BASE.YYYYMMDDTHHMMSS.uuuuuuZ[.gz]; they sort by name in
 * chronological order. buf: at least strlen(base) + LOGFMT_STAMP_LEN + 5. */
char *logfmt_rotated_name(const char *base, usec_t t, char *buf, size_t len);
/* Whether name is a rotated file of base; sets *ret_time and *ret_gz. Temporary
 * files (".tmp") never match. */
bool logfmt_rotated_match(const char *base, const char *name, usec_t *ret_time, bool *ret_gz);
/* Whether name is the temporary file a compression of a rotated file of base
 * writes (BASE.STAMP.gz.tmp): exactly that, so the leftovers of BASE are told
 * apart from those of another log whose name starts with BASE. */
bool logfmt_rotated_tmp_match(const char *base, const char *name);
/* The length of BASE if name has the shape of BASE.STAMP, BASE.STAMP.gz or
 * BASE.STAMP.gz.tmp (the stamp's digits unchecked: the two matchers above
 * decide), 0 if not: which log's file it can be, found without trying every
 * base, so one pass over a directory serves every log in it. */
size_t logfmt_rotated_base_len(const char *name);

/* One rotated file, for retention. */
struct logfmt_file {
        usec_t time;     /* from its name */
        uint64_t size;   /* on disk */
        size_t owner;    /* which service (for the global limit) */
        bool del;        /* set by the selectors */
};

/* Per service: files sorted oldest first. Marks the oldest for deletion until
 * at most max_files remain (max_files 0 keeps none) and, when max_total is set,
 * current_size plus what remains fits in max_total. Returns how many were
 * marked. */
size_t logfmt_retention(struct logfmt_file *files, size_t n, unsigned max_files, uint64_t max_total,
                        uint64_t current_size);
/* Across services: files of every service in any order; marks the globally
 * oldest (not yet marked) until current_total plus the unmarked sizes fit in
 * limit. Current files are never candidates. Returns how many were marked. */
size_t logfmt_retention_global(struct logfmt_file *files, size_t n, uint64_t limit, uint64_t current_total);

#endif

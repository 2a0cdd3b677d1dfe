/* svctl_logread: reading a service's log files for `svctl logs` in bounded
 * memory, whatever their size. A forward reader streams a file, or a .gz one
 * through `gzip -dc`, line by line; a backward reader walks a regular file's
 * lines from its end in blocks, so the last N lines cost N lines, not the
 * file. Either way a line longer than LOGREAD_LINE_MAX (longer than any
 * record svd writes: its max_line is at most 1M) is cut to its first
 * LOGREAD_LINE_MAX bytes and reported as cut; the rest of it is skipped.
 * A partial last line (no newline: cut at a size limit, or being written) is
 * never returned. Files are opened as svd reaches them (safedir.h): see
 * logread_open_file. */
#ifndef SVD_SVCTL_LOGREAD_H
#define SVD_SVCTL_LOGREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define LOGREAD_LINE_MAX ((size_t)(1u << 20) + 64)

/* open_log's refusal of a file with holes, which svd never writes (it only
 * appends): in an exposed directory, a user's way to have svctl read
 * gigabytes of zeros. */
#define LOGREAD_E_HOLES EFBIG
/* logread_open's failure to run gzip -dc for a .gz: no gzip in PATH (not
 * ENOENT, which says the file is gone). */
#define LOGREAD_E_NOGZIP ENOPKG

/* Opens a log file to read it: through its directory walked as svd walks it
 * (safedir_open_parent), O_NOFOLLOW|O_NONBLOCK; in a directory another user
 * can change, a symbolic link (-ENOLINK), a file with other links (-EMLINK)
 * or with holes (-LOGREAD_E_HOLES) is refused, and anything but a regular
 * file (-EBADFD) is refused everywhere (a FIFO is never waited on). The fd
 * or -errno. */
int logread_open_file(const char *path);
/* Whether path names a compressed rotated file (ends in ".gz"). */
bool logread_is_gz(const char *path);

struct logread {
        int fd;
        pid_t pid;          /* gzip -dc, 0: none */
        int errfd;          /* gzip's standard error (a memfd), -1: none */
        char *buf;
        size_t cap, start, len; /* unread bytes: buf[start, start + len) */
        uint64_t left;      /* bytes still to read (a size limit) */
        bool eof, skipping; /* skipping: the rest of a cut line */
        size_t n_cut;       /* lines cut so far */
};

/* Opens path (logread_open_file; .gz through gzip -dc, which reads that fd,
 * never the path) to read at most limit (decompressed) bytes. -errno;
 * -LOGREAD_E_NOGZIP when there is no gzip in PATH. */
int logread_open(struct logread *r, const char *path, uint64_t limit);
/* Reads fd (taken over) from its current offset, at most limit bytes. */
void logread_from_fd(struct logread *r, int fd, uint64_t limit);
/* The next whole line, without its newline: 1 with *line (valid until the
 * next call), *len and *cut; 0 at the end; -errno. */
int logread_next(struct logread *r, const char **line, size_t *len, bool *cut);
/* Once logread_next returned 0 at the end of a .gz file's stream (not at
 * the limit): reaps gzip. 0 if it succeeded (or the file is not a .gz);
 * else its wait status, with the first line of what it wrote to standard
 * error (control characters replaced, "gzip: stdin: " dropped; "" if none)
 * in msg. */
int logread_gzip_status(struct logread *r, char *msg, size_t msg_size);
/* Closes the file and reaps gzip. */
void logread_close(struct logread *r);

struct logback {
        int fd;
        char *blk;          /* a block of the file, from blk_start */
        off_t blk_start;
        size_t blk_len;
        off_t nl;           /* the newline that ends the next line back; -1: none */
        char *line;         /* a line not inside blk, LOGREAD_LINE_MAX bytes */
        size_t n_cut;
};

/* Takes fd (a regular file) over, to read its lines back from
 * min(size, limit). -errno. */
int logback_init(struct logback *b, int fd, uint64_t limit);
/* The line before the last one returned: as logread_next. */
int logback_prev(struct logback *b, const char **line, size_t *len, bool *cut);
void logback_close(struct logback *b);

#endif

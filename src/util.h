/* util: small pure helpers shared by svd, svctl and the tests: time in usec_t,
 * parsers for durations, sizes and signal names, string vectors, fd helpers.
 * Every function returns >= 0 on success or -errno; out-params are left untouched
 * on failure. No function here logs. */
#ifndef SVD_UTIL_H
#define SVD_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

typedef uint64_t usec_t;
#define USEC_PER_MSEC ((usec_t)1000)
#define USEC_PER_SEC ((usec_t)1000000)
#define USEC_INFINITY ((usec_t)-1)

#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))
#define _cleanup_(f) __attribute__((cleanup(f)))

usec_t now_mono(void);     /* CLOCK_MONOTONIC */
usec_t now_real(void);     /* CLOCK_REALTIME */
usec_t now_boot(void);     /* CLOCK_BOOTTIME: elapsed time, suspend included */

/* "250ms", "10s", "5m", "1h", "1d", "1h30m", "0"; bare numbers are seconds. */
int parse_duration(const char *s, usec_t *ret);
/* Prints a duration compactly ("1.5s", "2m", "3h4m"); buf of at least 32 bytes. */
const char *format_duration(usec_t u, char *buf, size_t len);

/* Sizes: "512K", "10M", "4G", "1T" (powers of 1024), bare bytes, or "25%".
 * ret_percent is set (and ret_bytes 0) for a percentage; ret_percent may be NULL
 * to refuse percentages. */
int parse_size(const char *s, uint64_t *ret_bytes, double *ret_percent);
/* MemTotal of /proc/meminfo in bytes; 0 if unreadable. */
uint64_t host_mem_total(void);
/* Prints bytes with the largest exact unit ("512K", "4G", "1000"). */
const char *format_size(uint64_t bytes, char *buf, size_t len);

/* "SIGTERM", "TERM", "term" or a number 1..64. */
int parse_signal(const char *s, int *ret);
const char *signal_name(int sig); /* "SIGTERM"; NULL for unknown */

int parse_uint(const char *s, unsigned long long max, unsigned long long *ret);
/* A plain decimal number ("2", "0.5", ".5", "1."): no sign, exponent,
 * blank, hex, inf or nan. */
int parse_double(const char *s, double *ret);

/* NULL-terminated vectors of heap strings. */
size_t strv_length(char *const *v);
char **strv_copy(char *const *v);
int strv_push(char ***v, const char *s); /* copies s */
void strv_free(char **v);
static inline void strv_freep(char ***v) { strv_free(*v); }
static inline void freep(void *p) { free(*(void **)p); }
static inline void closep(int *fd) { if (*fd >= 0) close(*fd); }

/* Levenshtein distance, for "did you mean" suggestions. */
size_t str_distance(const char *a, const char *b);

int fd_nonblock_cloexec(int fd);
int mkdir_p(const char *path, unsigned mode);
/* realpath(3) with one path walk: glibc's lstat()s every prefix, each walked
 * from / again, which on a network file system without a dentry cache is a
 * round trip per component per prefix. NULL with errno set on failure. */
char *path_canonical(const char *path);
/* The same for fd, open on path (any mode): no second look-up of path. */
char *path_canonical_fd(int fd, const char *path);
/* Joins dir and path unless path is absolute; returns malloc'd string or NULL. */
char *path_join(const char *dir, const char *path);
/* An absolute path with ".", ".." and repeated slashes resolved as text
 * (symbolic links are not followed: for paths that need not exist yet).
 * NULL (errno EINVAL) for a relative path, or ENOMEM. */
char *path_lexical(const char *path);
/* Whether path lies below dir (both absolute; a trailing slash on dir does
 * not count; dir itself is not below itself). */
bool path_below(const char *path, const char *dir);
/* printf into a new heap string; NULL on allocation failure. */
/* Formats a one-line error message into err (if given) and returns -EINVAL:
 * `return errf(err, len, "field 'v': ...");` in validators. */
int errf(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
char *strdup_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Short heap text that is never NULL: str_empty (shared, never written) when
 * empty, so readers may test s[0]. Kept to STR_SHORT_MAX - 1 bytes, as the
 * fixed buffers these replace were; out of memory leaves it empty. */
#define STR_SHORT_MAX 256
extern char str_empty[1];
void str_clear(char **s);
void str_set(char **s, const char *text);
/* The same, kept to max - 1 bytes (max >= 1): for a text that must carry
 * more (a service's reason, svc.h). */
void str_set_max(char **s, const char *text, size_t max);
void str_vsetf(char **s, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
void str_setf(char **s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A helper program of svd (svd-probe, svd-fdstore): next to the running
 * binary (a build tree, a relocated install), else in PKGLIBEXECDIR. */
char *svd_helper_path(const char *name);
/* The whole content of fd from offset 0, NUL-terminated; NULL if unreadable
 * or longer than max. */
char *read_fd_all(int fd, size_t max);
/* A connected AF_UNIX socket of type (SOCK_STREAM, SOCK_SEQPACKET), close-on-
 * exec, with send/receive timeouts if timeout_sec > 0; the fd or -errno. */
int unix_connect(const char *path, int type, int timeout_sec);

/* Appends the n iovecs (advanced in place) to fd whole or not at all:
 * short writes go on; after an error (a disk that filled up within them) a
 * partly written batch is cut back to where it began (the offset less what
 * it wrote; cut_to, the file's size before, if the offset cannot be read),
 * so the file never ends in half a record. 0 or -errno (-ENOSPC for a write
 * of 0). */
struct iovec;
int writev_whole(int fd, struct iovec *iov, int n, off_t cut_to);

#endif

/* svctl_logs: the parts of `svctl logs` (svctl_logs.c: the command line,
 * svd's reply and -f's stream) shared by the files that read the logs: the
 * options, a line of a log as a record, and how records and warnings print
 * (svctl_logrec.c); -n's reading back from each file's end
 * (svctl_logtail.c); the reading of every line without -n
 * (svctl_logstream.c). Private to svctl. */
#ifndef SVD_SVCTL_LOGS_H
#define SVD_SVCTL_LOGS_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "logfmt.h"
#include "svctl_logread.h"
#include "util.h"

struct largs {
        const char *socket;
        const char *name;
        long n;             /* -1: all */
        bool follow;
        bool json;
        bool has_since;
        usec_t since;
        int stream;         /* -1: both */
};

struct rec {
        usec_t time;
        size_t seq;         /* order within the input: keeps the merge stable */
        const char *service;
        const char *line;   /* the whole line as in the file */
        size_t line_len;
        const char *text;   /* the text alone */
        size_t text_len;
        int stream;         /* -1: no timestamps, unknown */
        enum logfmt_split split;
        bool cut;           /* longer than LOGREAD_LINE_MAX: the rest not shown */
};

/* -n: the lines kept, each owning a copy of its line. */
struct recs {
        struct rec *v;
        size_t n, cap;
};

/* -f: what logsub_open found for each service. */
struct subscribed {
        int fd;   /* >= 0: read this */
        char *gz; /* else this rotated, compressed file */
        int err;
};

/* One line on stderr for a file svctl could not read or would not (r:
 * -errno or LOGREAD_E_HOLES). */
void logrec_warn_file(const char *path, int r);
/* One line on stderr for a file with n lines too long for svd to have
 * written; nothing for n 0. */
void logrec_warn_cut(const char *path, size_t n);
/* One line on stderr when gzip failed on a .gz read to its end (corrupt or
 * truncated): the lines before the damage were shown, the rest are missing.
 * Whether it warned. */
bool logrec_warn_gzip(const char *path, struct logread *rd);
/* Whether --since or --stream asks for what a service's files cannot say
 * (no timestamps); says so on stderr, once for the service. */
bool logrec_cannot_select(const struct largs *a, const char *service, bool timestamps);
/* Whether the directory of a service's current log file (cur, as svd
 * named it) is gone, deleted under svd (which writes on into its open
 * file, out of anyone's reach): says so on stderr naming the directory; its
 * lines cannot be shown, and that must not look like an empty log. */
bool logrec_dir_gone(const char *service, const char *cur);
/* A service's current log file (cur) that svd holds open (its reply gave
 * the file's inode) is not there, its directory is: deleted under svd,
 * which writes on into the unlinked file until it would rotate. Says so on
 * stderr naming the file: its latest lines cannot be shown, and that must
 * not look like a log that ends earlier. */
void logrec_cur_gone(const char *service, const char *cur);
/* A line of a file as a record, pointing into line; false if the options
 * filter it out. */
bool logrec_make(const struct largs *a, const char *service, const char *line, size_t len, bool cut,
                 bool timestamps, struct rec *r);
/* One line of --json output. */
void logrec_print_json(const char *service, const char *time, const char *stream, const char *text, size_t len,
                       enum logfmt_split split);
/* Text made safe for a terminal, on stdout. */
void logrec_put_str(const char *s);
/* A record as a line of output (text or --json). */
void logrec_print(const struct largs *a, const struct rec *r);

/* -n: each service's last N lines, merged by time; sub (-f, else NULL): the
 * files current at the subscription. The exit code. */
int logtail_all(const struct largs *a, const cJSON *svcs, struct subscribed *sub);
/* Without -n: every line of every service, merged by time. The exit code. */
int logstream_all(const struct largs *a, const cJSON *svcs);

#endif

/* svctl_logs: `svctl logs [NAME] [-n N] [-f] [--since TIME] [--stream out|err]
 * [--json]`. svd only says which files hold a service's log (op "logs",
 * chronological order); svctl reads them itself, so a big history never
 * passes through the daemon's loop. That needs read access to the files (root
 * or the admin group: they are 0640, group admin). Rotated .gz files are read
 * through `gzip -dc`, so svctl does not link zlib (one gzip fails on is
 * warned about, naming it, after the lines it gave). Memory stays bounded
 * whatever the files' size (svctl_logread.h): with -n the current file is
 * read back from its end and older files only while lines are missing (a .gz
 * streamed keeping its last N lines); without -n every line is printed as it
 * is read, the services merged line by line. With -f the request is
 * "logs_follow": svd subscribes the connection before it answers and reports
 * the current file's size, inode and birth time at that instant; svctl prints the files
 * up to that size, then every line frame svd sends, so no line is lost or
 * repeated. svctl opens that file first thing after the reply; if a rotation
 * came in between (the inode at the path differs) it reads the oldest rotated
 * file newer than those svd listed instead, compressed or not. Several
 * services are merged by timestamp.
 * svctl usually runs as root, and a service's user may own its log
 * directory: every file is reached as svd reaches it (safedir.h), and one
 * that user could have planted there (a symbolic link, a file with other
 * hard links, a file with holes: svd only appends) is skipped with a
 * warning naming it; a FIFO, device or socket is never opened, anywhere. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "logfmt.h"
#include "proto.h"
#include "safedir.h"
#include "svctl_logread.h"
#include "svctl_logsub.h"
#include "svctl_output.h"
#include "util.h"
#include "utf8.h"

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

static int lusage(const char *msg, const char *arg) {
        fprintf(stderr, "svctl: %s%s%s (see 'svctl --help')\n", msg, arg ? " " : "", arg ? arg : "");
        return 2;
}

/* One line on stderr for a file svctl could not read or would not. */
static void warn_file(const char *path, int r) {
        const char *why;
        fflush(stdout); /* after the lines before it, when both go to a terminal */
        switch (-r) {
        case ENOLINK:
                why = "a symbolic link in a directory a user other than root can write (not followed)";
                break;
        case EMLINK:
                why = "a file with other hard links in a directory a user other than root can write";
                break;
        case LOGREAD_E_HOLES:
                why = "a file with holes (svd never writes one) in a directory a user other than root can write";
                break;
        case EBADFD:
                why = "not a regular file (a FIFO, device or socket is never read)";
                break;
        default:
                fprintf(stderr, "svctl: %s: %s\n", path, strerror(-r));
                return;
        }
        fprintf(stderr, "svctl: %s: skipped, %s; the other files are shown\n", path, why);
}

/* One line on stderr for a file with lines too long for svd to have written. */
static void warn_cut(const char *path, size_t n) {
        if (!n)
                return;
        fflush(stdout);
        fprintf(stderr,
                "svctl: %s: %zu line%s longer than %zu bytes (svd never writes one) shown cut there, "
                "marked as a piece of a longer line\n",
                path, n, n == 1 ? "" : "s", LOGREAD_LINE_MAX);
}

/* One line on stderr when gzip failed on a .gz read to its end (corrupt or
 * truncated): the lines before the damage were shown, the rest are missing.
 * Whether it warned. */
static bool warn_gzip(const char *path, struct logread *rd) {
        char msg[256];
        int st = logread_gzip_status(rd, msg, sizeof(msg));
        if (st == 0)
                return false;
        fflush(stdout);
        if (WIFSIGNALED(st))
                fprintf(stderr, "svctl: warning: %s: gzip killed by signal %d%s%s; lines from it may be missing\n",
                        path, WTERMSIG(st), msg[0] ? ": " : "", msg);
        else
                fprintf(stderr, "svctl: warning: %s: gzip failed (exit %d)%s%s; lines from it may be missing\n",
                        path, WIFEXITED(st) ? WEXITSTATUS(st) : st, msg[0] ? ": " : "", msg);
        return true;
}

/* Whether --since or --stream asks for what a service's files cannot say:
 * without timestamps (logging.timestamps: false) a line has neither time
 * nor stream, and every line would be left out without a word. Says so on
 * stderr, once for the service; its files are then not read. */
static bool cannot_select(const struct largs *a, const char *service, bool timestamps) {
        if (timestamps || (!a->has_since && a->stream < 0))
                return false;
        char name[128];
        svctl_safe_copy(name, sizeof(name), service);
        fflush(stdout);
        fprintf(stderr,
                "svctl: %s: its log files have no timestamps (logging.timestamps: false): %s cannot select "
                "their lines, none is shown\n",
                name, a->has_since && a->stream >= 0 ? "--since and --stream" : a->has_since ? "--since" : "--stream");
        return true;
}

/* A line of a file as a record, pointing into line; false if the options
 * filter it out. A cut line is shown as a piece of a longer line. */
static bool make_rec(const struct largs *a, const char *service, const char *line, size_t len, bool cut,
                     bool timestamps, struct rec *r) {
        *r = (struct rec){.service = service, .line = line, .line_len = len, .text = line, .text_len = len,
                          .stream = -1, .cut = cut};
        struct logfmt_rec lr;
        if (timestamps && logfmt_parse_line(line, len, &lr) == 0) {
                r->time = lr.time;
                r->stream = (int)lr.stream;
                r->split = lr.split;
                r->text = lr.text;
                r->text_len = lr.text_len;
        }
        if (cut)
                r->split = LOGFMT_CONT;
        if (a->has_since && r->time < a->since)
                return false;
        if (a->stream >= 0 && r->stream != a->stream)
                return false;
        return true;
}

static int recs_grow(struct recs *R) {
        if (R->n < R->cap)
                return 0;
        size_t nc = R->cap ? R->cap * 2 : 64;
        struct rec *nv = realloc(R->v, nc * sizeof(*nv));
        if (!nv)
                return -ENOMEM;
        R->v = nv;
        R->cap = nc;
        return 0;
}

/* Keeps a copy of r (its line copied: R owns it). */
static int rec_keep(struct recs *R, const struct rec *r) {
        char *copy = malloc(r->line_len ? r->line_len : 1);
        if (!copy || recs_grow(R) < 0) {
                free(copy);
                return -ENOMEM;
        }
        memcpy(copy, r->line, r->line_len);
        R->v[R->n] = *r;
        R->v[R->n].line = copy;
        R->v[R->n].text = copy + (r->text - r->line);
        R->n++;
        return 0;
}

static void recs_free(struct recs *R) {
        for (size_t i = 0; i < R->n; i++)
                free((char *)R->v[i].line);
        free(R->v);
        *R = (struct recs){0};
}

/* -n from a regular file: its lines from the end, newest first into R, until
 * want are kept. Takes fd over. */
static int tail_back(struct recs *R, const struct largs *a, const char *service, bool ts, const char *path, int fd,
                     uint64_t limit, size_t want, size_t *added) {
        struct logback b;
        int r = logback_init(&b, fd, limit);
        const char *line;
        size_t len;
        bool cut;
        while (r >= 0 && *added < want && (r = logback_prev(&b, &line, &len, &cut)) > 0) {
                struct rec rc;
                if (make_rec(a, service, line, len, cut, ts, &rc)) {
                        if ((r = rec_keep(R, &rc)) < 0)
                                break;
                        (*added)++;
                }
        }
        warn_cut(path, b.n_cut);
        logback_close(&b);
        if (r < 0)
                warn_file(path, r);
        return r < 0 ? r : 0;
}

/* -n from a stream (a .gz through gzip): read to its end keeping the last
 * want lines in a ring, then newest first into R. Closes rd. */
static int tail_ring(struct recs *R, const struct largs *a, const char *service, bool ts, const char *path,
                     struct logread *rd, size_t want, size_t *added) {
        struct slot {
                struct rec r;
                char *buf;
                size_t cap;
        } *ring = NULL;
        size_t n_ring = 0, pos = 0; /* pos: lines kept so far; slot pos % want */
        const char *line;
        size_t len;
        bool cut;
        int r;
        while ((r = logread_next(rd, &line, &len, &cut)) > 0) {
                struct rec rc;
                if (!make_rec(a, service, line, len, cut, ts, &rc))
                        continue;
                size_t i = pos % want;
                if (i >= n_ring) {
                        size_t nn = n_ring ? n_ring * 2 : 64;
                        if (nn > want)
                                nn = want;
                        struct slot *ns = realloc(ring, nn * sizeof(*ns));
                        if (!ns) {
                                r = -ENOMEM;
                                break;
                        }
                        memset(ns + n_ring, 0, (nn - n_ring) * sizeof(*ns));
                        ring = ns;
                        n_ring = nn;
                }
                struct slot *s = &ring[i];
                if (s->cap < len + 1) {
                        char *nb = realloc(s->buf, len + 1);
                        if (!nb) {
                                r = -ENOMEM;
                                break;
                        }
                        s->buf = nb;
                        s->cap = len + 1;
                }
                memcpy(s->buf, line, len);
                s->r = rc;
                s->r.line = s->buf;
                s->r.text = s->buf + (rc.text - line);
                pos++;
        }
        warn_cut(path, rd->n_cut);
        bool gz_failed = r == 0 && warn_gzip(path, rd);
        logread_close(rd);
        size_t have = pos < want ? pos : want;
        for (size_t k = 0; r >= 0 && k < have; k++)
                if ((r = rec_keep(R, &ring[(pos - 1 - k) % want].r)) >= 0)
                        (*added)++;
        for (size_t k = 0; k < n_ring; k++)
                free(ring[k].buf);
        free(ring);
        if (r < 0)
                warn_file(path, r);
        return r < 0 ? r : gz_failed ? -EIO : 0;
}

/* -n from a listed file, read back from its end if it is not compressed; one
 * compressed since svd listed it is read as .gz; one deleted since is
 * skipped. Lines newest first into R until want are kept. */
static int tail_file(struct recs *R, const struct largs *a, const char *service, bool ts, const char *path,
                     uint64_t limit, size_t want, size_t *added) {
        _cleanup_(freep) char *gz = NULL;
        if (*added >= want)
                return 0;
        if (!logread_is_gz(path)) {
                int fd = logread_open_file(path);
                if (fd >= 0)
                        return tail_back(R, a, service, ts, path, fd, limit, want, added);
                if (fd != -ENOENT) {
                        warn_file(path, fd);
                        return fd;
                }
                if (!(gz = strdup_printf("%s.gz", path))) {
                        warn_file(path, -ENOMEM);
                        return -ENOMEM;
                }
                path = gz;
        }
        struct logread rd;
        int r = logread_open(&rd, path, limit);
        if (r == -ENOENT)
                return 0;
        if (r < 0) {
                warn_file(path, r);
                return r;
        }
        return tail_ring(R, a, service, ts, path, &rd, want, added);
}

/* Without -n: one service's files read in order, a line at a time. */
struct src {
        const char *service;
        bool ts;
        const cJSON *next;  /* the next listed file, then current */
        const cJSON *cur;
        bool cur_done;
        struct logread rd;
        bool open;
        const char *path;   /* the file open */
        char *gz;           /* path, when it is the .gz of a listed file */
        struct rec head;    /* the next record to print, into rd's buffer */
        bool has_head;
};

/* Opens src's next file; false when there is none left. Errors are warned
 * and counted in *code, and the file after is opened. */
static bool src_open_next(struct src *s, int *code) {
        for (;;) {
                const char *path;
                if (s->next) {
                        path = cJSON_IsString(s->next) ? s->next->valuestring : NULL;
                        s->next = s->next->next;
                } else if (!s->cur_done) {
                        s->cur_done = true;
                        path = cJSON_IsString(s->cur) ? s->cur->valuestring : NULL;
                } else
                        return false;
                if (!path)
                        continue;
                free(s->gz);
                s->gz = NULL;
                int r = logread_open(&s->rd, path, UINT64_MAX);
                if (r == -ENOENT && !logread_is_gz(path)) {
                        /* compressed since svd listed it */
                        if (!(s->gz = strdup_printf("%s.gz", path)))
                                r = -ENOMEM;
                        else
                                r = logread_open(&s->rd, path = s->gz, UINT64_MAX);
                }
                if (r == -ENOENT)
                        continue;
                if (r < 0) {
                        warn_file(path, r);
                        *code = 1;
                        continue;
                }
                s->path = path;
                s->open = true;
                return true;
        }
}

/* Moves s->head to src's next record kept by the options. */
static void src_advance(const struct largs *a, struct src *s, int *code) {
        s->has_head = false;
        while (s->open || src_open_next(s, code)) {
                const char *line;
                size_t len;
                bool cut;
                int r;
                while ((r = logread_next(&s->rd, &line, &len, &cut)) > 0)
                        if (make_rec(a, s->service, line, len, cut, s->ts, &s->head)) {
                                s->has_head = true;
                                return;
                        }
                if (r < 0) {
                        warn_file(s->path, r);
                        *code = 1;
                }
                warn_cut(s->path, s->rd.n_cut);
                if (r == 0 && warn_gzip(s->path, &s->rd))
                        *code = 1;
                logread_close(&s->rd);
                s->open = false;
        }
}


static int rec_cmp(const void *x, const void *y) {
        const struct rec *a = x, *b = y;
        if (a->time != b->time)
                return a->time < b->time ? -1 : 1;
        return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static void print_json(const char *service, const char *time, const char *stream, const char *text, size_t len,
                       enum logfmt_split split) {
        char *clean = malloc(3 * len + 1);
        if (!clean)
                return;
        utf8_clean(text, len, clean, 3 * len + 1, UTF8_KEEP_CTRL);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "service", service);
        if (time)
                cJSON_AddStringToObject(o, "time", time);
        else
                cJSON_AddNullToObject(o, "time");
        if (stream)
                cJSON_AddStringToObject(o, "stream", stream);
        else
                cJSON_AddNullToObject(o, "stream");
        cJSON_AddStringToObject(o, "text", clean);
        if (logfmt_split_json(split))
                cJSON_AddBoolToObject(o, logfmt_split_json(split), true);
        char *s = cJSON_PrintUnformatted(o);
        if (s)
                printf("%s\n", s);
        free(s);
        cJSON_Delete(o);
        free(clean);
}

/* Text a service wrote, or svd sent, made safe for a terminal (utf8_clean: a
 * control character as \xHH, an invalid byte as U+FFFD; a tab is kept), in
 * pieces: a line may be 1 MiB, and the copy stays on the stack. */
static void put_text(const char *s, size_t len) {
        char buf[UTF8_CLEAN_MAX(4096)];
        while (len > 0) {
                size_t n = utf8_cut(s, len, 4096); /* a whole character at least: 4096 >= 4 */
                if (!n)
                        break;
                size_t w = utf8_clean(s, n, buf, sizeof(buf), UTF8_KEEP_TAB);
                fwrite(buf, 1, w, stdout);
                s += n;
                len -= n;
        }
}

static void put_str(const char *s) {
        put_text(s, strlen(s));
}

static void print_rec(const struct largs *a, const struct rec *r) {
        if (a->json) {
                char ts[LOGFMT_TIME_LEN + 1];
                print_json(r->service, r->stream >= 0 ? logfmt_time(r->time, ts) : NULL,
                           r->stream >= 0 ? logfmt_stream_name((enum logfmt_stream)r->stream) : NULL, r->text,
                           r->text_len, r->split);
                return;
        }
        if (!a->name) {
                put_str(r->service);
                putchar(' ');
        }
        if (r->cut && r->stream >= 0) {
                /* marked as svd marks the first piece of a long line */
                char ts[LOGFMT_TIME_LEN + 1];
                printf("%s %s%s ", logfmt_time(r->time, ts), logfmt_stream_name((enum logfmt_stream)r->stream),
                       logfmt_split_mark(LOGFMT_CONT));
                put_text(r->text, r->text_len);
        } else
                put_text(r->line, r->line_len);
        if (r->cut && r->stream < 0)
                putchar('\\');
        putchar('\n');
}


/* -f: what logsub_open found for each service. */
struct subscribed {
        int fd;   /* >= 0: read this */
        char *gz; /* else this rotated, compressed file */
        int err;
};

/* -n: each service's last N lines, from its newest file back (older files
 * are touched only while lines are missing), merged by time. */
static int tail_all(const struct largs *a, const cJSON *svcs, struct subscribed *sub) {
        struct recs R = {0};
        size_t want = (size_t)a->n;
        int code = 0, si = -1, r;
        const cJSON *s;
        cJSON_ArrayForEach(s, svcs) {
                si++;
                const cJSON *nm = cJSON_GetObjectItemCaseSensitive(s, "name");
                const cJSON *files = cJSON_GetObjectItemCaseSensitive(s, "files");
                const cJSON *cur = cJSON_GetObjectItemCaseSensitive(s, "current");
                const cJSON *size = cJSON_GetObjectItemCaseSensitive(s, "size");
                bool ts = !cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(s, "timestamps"));
                if (!cJSON_IsString(nm))
                        continue;
                const char *svc = nm->valuestring;
                size_t first = R.n, added = 0;
                if (cannot_select(a, svc, ts)) {
                        code = 1;
                        continue;
                }
                if (sub && cJSON_IsString(cur) && cJSON_IsNumber(size)) {
                        /* following: exactly what was written before the subscription */
                        uint64_t limit = (uint64_t)size->valuedouble;
                        bool warned = false;
                        if (sub[si].fd >= 0) {
                                warned = (r = tail_back(&R, a, svc, ts, cur->valuestring, sub[si].fd, limit, want,
                                                        &added)) < 0;
                                sub[si].fd = -1;
                        } else if (sub[si].err)
                                r = sub[si].err;
                        else if (sub[si].gz)
                                warned = (r = tail_file(&R, a, svc, ts, sub[si].gz, limit, want, &added)) < 0;
                        else
                                r = -ENOENT;
                        if (r == -ENOENT)
                                fprintf(stderr, "svctl: %s: the file current when following began was rotated and deleted before it could be read; its lines are missing\n", svc);
                        else if (r < 0 && !warned)
                                warn_file(sub[si].err && sub[si].gz ? sub[si].gz : cur->valuestring, r);
                        if (r < 0)
                                code = 1;
                } else if (cJSON_IsString(cur) &&
                           tail_file(&R, a, svc, ts, cur->valuestring, UINT64_MAX, want, &added) < 0)
                        code = 1;
                /* the rotated files, newest first (a cJSON array's first
                 * item's prev is its last) */
                const cJSON *head = cJSON_IsArray(files) ? files->child : NULL;
                for (const cJSON *f = head ? head->prev : NULL; f && added < want; f = f == head ? NULL : f->prev)
                        if (cJSON_IsString(f) && tail_file(&R, a, svc, ts, f->valuestring, UINT64_MAX, want, &added) < 0)
                                code = 1;
                for (size_t i = first, j = R.n; i + 1 < j; i++, j--) {
                        struct rec t = R.v[i];
                        R.v[i] = R.v[j - 1];
                        R.v[j - 1] = t;
                }
        }
        for (size_t i = 0; i < R.n; i++)
                R.v[i].seq = i;
        if (!a->name && R.n > 1)
                qsort(R.v, R.n, sizeof(*R.v), rec_cmp);
        for (size_t i = R.n > want ? R.n - want : 0; i < R.n; i++)
                print_rec(a, &R.v[i]);
        recs_free(&R);
        return code;
}

/* Without -n: every file of every service read in order, a line at a time,
 * merged by time (each service's lines in their order in its files). */
static int stream_all(const struct largs *a, const cJSON *svcs) {
        int n = cJSON_GetArraySize(svcs), code = 0;
        struct src *v = calloc(n > 0 ? (size_t)n : 1, sizeof(*v));
        if (!v) {
                fprintf(stderr, "svctl: %s\n", strerror(ENOMEM));
                return 1;
        }
        size_t k = 0;
        const cJSON *s;
        cJSON_ArrayForEach(s, svcs) {
                const cJSON *nm = cJSON_GetObjectItemCaseSensitive(s, "name");
                const cJSON *files = cJSON_GetObjectItemCaseSensitive(s, "files");
                bool ts = !cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(s, "timestamps"));
                if (!cJSON_IsString(nm) || k >= (size_t)n)
                        continue;
                if (cannot_select(a, nm->valuestring, ts)) {
                        code = 1;
                        continue;
                }
                v[k] = (struct src){.service = nm->valuestring,
                                    .ts = ts,
                                    .next = cJSON_IsArray(files) ? files->child : NULL,
                                    .cur = cJSON_GetObjectItemCaseSensitive(s, "current"),
                                    .rd = {.fd = -1, .errfd = -1}};
                src_advance(a, &v[k++], &code);
        }
        while (!ferror(stdout)) {
                /* the earliest line; on a tie, the service listed first */
                struct src *best = NULL;
                for (size_t i = 0; i < k; i++)
                        if (v[i].has_head && (!best || (!a->name && v[i].head.time < best->head.time)))
                                best = &v[i];
                if (!best)
                        break;
                print_rec(a, &best->head);
                src_advance(a, best, &code);
        }
        for (size_t i = 0; i < k; i++) {
                if (v[i].open)
                        logread_close(&v[i].rd);
                free(v[i].gz);
        }
        free(v);
        return code;
}


static int parse(int argc, char **argv, struct largs *a) {
        bool seen_cmd = false, options_done = false;
        for (int i = 1; i < argc; i++) {
                const char *s = argv[i];
                const char *v = i + 1 < argc ? argv[i + 1] : NULL;
                if (options_done || s[0] != '-' || !s[1]) {
                        /* "--" ends the options: a NAME may start with '-' */
                        if (!seen_cmd)
                                seen_cmd = true; /* "logs" itself */
                        else if (!a->name)
                                a->name = s;
                        else
                                return lusage("'logs' takes at most one service NAME, got another:", s);
                } else if (strcmp(s, "--") == 0)
                        options_done = true;
                else if (strcmp(s, "-s") == 0 || strcmp(s, "--socket") == 0) {
                        if (!v)
                                return lusage("option needs a SOCKET path:", s);
                        a->socket = argv[++i];
                } else if (strncmp(s, "--socket=", 9) == 0)
                        a->socket = s + 9;
                else if (strncmp(s, "-s", 2) == 0) /* -sSOCKET, as in svctl.c */
                        a->socket = s + 2;
                else if (strcmp(s, "--json") == 0)
                        a->json = true;
                else if (strcmp(s, "-f") == 0 || strcmp(s, "--follow") == 0)
                        a->follow = true;
                else if (strcmp(s, "-n") == 0 || strcmp(s, "--lines") == 0) {
                        unsigned long long n;
                        if (!v || parse_uint(v, 100000000, &n) < 0)
                                return lusage("-n needs a number of lines, got", v ? v : "nothing");
                        a->n = (long)n;
                        i++;
                } else if (strcmp(s, "--since") == 0) {
                        if (!v || logfmt_parse_since(v, now_real(), &a->since) < 0)
                                return lusage("--since needs a time (2026-11-22T00:30, @EPOCH, 5m), got",
                                              v ? v : "nothing");
                        a->has_since = true;
                        i++;
                } else if (strcmp(s, "--stream") == 0) {
                        if (!v || (strcmp(v, "out") != 0 && strcmp(v, "err") != 0))
                                return lusage("--stream needs out or err, got", v ? v : "nothing");
                        a->stream = strcmp(v, "out") == 0 ? LOGFMT_OUT : LOGFMT_ERR;
                        i++;
                } else
                        return lusage("unknown option for logs:", s);
        }
        if (a->socket && !a->socket[0])
                return lusage("the SOCKET path is empty", NULL);
        return 0;
}

/* Whether the reply says service writes its log without timestamps. */
static bool no_timestamps(const cJSON *svcs, const char *service) {
        const cJSON *s;
        cJSON_ArrayForEach(s, svcs) {
                const cJSON *nm = cJSON_GetObjectItemCaseSensitive(s, "name");
                if (cJSON_IsString(nm) && strcmp(nm->valuestring, service) == 0)
                        return cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(s, "timestamps"));
        }
        return false;
}

/* svcs: the services of svd's reply, for each one's timestamps setting: a
 * line arriving here prints as it is in the file (LOG FORMAT in
 * svd.yaml(5)), also for a log without timestamps, as the lines before it
 * did. */
static int follow_loop(const struct largs *a, int fd, const cJSON *svcs) {
        for (;;) {
                cJSON *msg = NULL;
                int r = proto_recv(fd, &msg);
                if (r < 0) {
                        if (r == -ECONNRESET || r == -EPIPE)
                                fprintf(stderr, "svctl: svd closed the log stream\n");
                        else
                                fprintf(stderr, "svctl: reading the log stream: %s\n", strerror(-r));
                        return 1;
                }
                const cJSON *lines = cJSON_GetObjectItemCaseSensitive(msg, "lines"), *l;
                cJSON_ArrayForEach(l, lines) {
                        const cJSON *sv = cJSON_GetObjectItemCaseSensitive(l, "service");
                        const cJSON *tm = cJSON_GetObjectItemCaseSensitive(l, "time");
                        const cJSON *st = cJSON_GetObjectItemCaseSensitive(l, "stream");
                        const cJSON *tx = cJSON_GetObjectItemCaseSensitive(l, "text");
                        enum logfmt_split split = LOGFMT_WHOLE;
                        for (int k = LOGFMT_CONT; k < _LOGFMT_SPLIT_MAX; k++)
                                if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(l, logfmt_split_json(k))))
                                        split = k;
                        if (!cJSON_IsString(sv) || !cJSON_IsString(tx))
                                continue;
                        const char *tms = cJSON_IsString(tm) ? tm->valuestring : NULL;
                        const char *sts = cJSON_IsString(st) ? st->valuestring : NULL;
                        if (a->json)
                                print_json(sv->valuestring, tms, sts, tx->valuestring, strlen(tx->valuestring), split);
                        else {
                                if (!a->name) {
                                        put_str(sv->valuestring);
                                        putchar(' ');
                                }
                                if (no_timestamps(svcs, sv->valuestring)) {
                                        /* the text alone, "[svd] " before svd's notes, a final
                                         * backslash for a piece of a line */
                                        if (sts && strcmp(sts, logfmt_stream_name(LOGFMT_SVD)) == 0)
                                                fputs("[svd] ", stdout);
                                        put_str(tx->valuestring);
                                        fputs(split != LOGFMT_WHOLE ? "\\\n" : "\n", stdout);
                                        continue;
                                }
                                put_str(tms ? tms : "-");
                                putchar(' ');
                                put_str(sts ? sts : "-");
                                printf("%s ", logfmt_split_mark(split));
                                put_str(tx->valuestring);
                                putchar('\n');
                        }
                }
                cJSON_Delete(msg);
                if (svctl_flush_stdout() < 0)
                        return 1;
        }
}

int svctl_logs_main(int argc, char **argv) {
        struct largs a = {.n = -1, .stream = -1};
        int code = parse(argc, argv, &a);
        if (code)
                return code;
        if (a.follow && a.n < 0)
                a.n = 10;
        const char *path = a.socket;
        if (!path && !((path = getenv("SVD_SOCKET")) && *path))
                path = PROTO_DEFAULT_SOCKET;

        int fd = unix_connect(path, SOCK_STREAM, SVCTL_TIMEOUT_SEC);
        if (fd < 0) {
                fprintf(stderr, "svctl: cannot connect to %s: %s\n", path, strerror(-fd));
                return 3;
        }
        cJSON *req = cJSON_CreateObject();
        cJSON_AddNumberToObject(req, "v", PROTO_VERSION);
        cJSON_AddStringToObject(req, "op", proto_op_name(a.follow ? OP_LOGS_FOLLOW : OP_LOGS));
        if (a.name)
                cJSON_AddStringToObject(req, "name", a.name);
        if (a.stream >= 0)
                cJSON_AddStringToObject(req, "stream", logfmt_stream_name((enum logfmt_stream)a.stream));
        cJSON *reply = NULL;
        int r = proto_send(fd, req);
        cJSON_Delete(req);
        if (r >= 0)
                r = proto_recv(fd, &reply);
        if (r < 0) {
                code = svctl_exchange_failed(stderr, r, SVCTL_TIMEOUT_SEC);
                close(fd);
                return code;
        }
        /* the stream that follows may stay quiet for any time */
        struct timeval forever = {0};
        if (a.follow && setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &forever, sizeof(forever)) < 0) {
                fprintf(stderr, "svctl: %s\n", strerror(errno));
                cJSON_Delete(reply);
                close(fd);
                return 1;
        }
        /* (the protocol version, "ok" and a refusal, as svctl.c checks them) */
        const cJSON *svcs = cJSON_GetObjectItemCaseSensitive(reply, "services"), *s;
        if (svctl_check_reply(stderr, reply) < 0 || !cJSON_IsArray(svcs)) {
                if (!cJSON_IsArray(svcs) && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(reply, "ok")))
                        fprintf(stderr, "svctl: malformed reply from svd to 'logs'\n");
                cJSON_Delete(reply);
                close(fd);
                return 1;
        }
        code = 0;
        /* -f: first of all, open each file that was current at the
         * subscription, before a rotation can move it further away */
        int n_svcs = cJSON_GetArraySize(svcs), si = 0;
        struct subscribed *sub = a.follow && n_svcs > 0 ? calloc((size_t)n_svcs, sizeof(*sub)) : NULL;
        cJSON_ArrayForEach(s, svcs) {
                const cJSON *cur = cJSON_GetObjectItemCaseSensitive(s, "current");
                const cJSON *ino = cJSON_GetObjectItemCaseSensitive(s, "ino");
                if (sub && cJSON_IsString(cur) && cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(s, "size"))) {
                        const cJSON *bt = cJSON_GetObjectItemCaseSensitive(s, "btime");
                        sub[si].fd = logsub_open(cur->valuestring, cJSON_IsNumber(ino) ? ino->valuedouble : -1,
                                                     cJSON_IsString(bt) ? bt->valuestring : NULL,
                                                     cJSON_GetObjectItemCaseSensitive(s, "files"), &sub[si].gz);
                        sub[si].err = sub[si].fd < -1 ? sub[si].fd : 0;
                } else if (sub)
                        sub[si].fd = -1;
                si++;
        }
        code = a.n >= 0 ? tail_all(&a, svcs, sub) : stream_all(&a, svcs);
        for (si = 0; sub && si < n_svcs; si++) {
                if (sub[si].fd >= 0)
                        close(sub[si].fd);
                free(sub[si].gz);
        }
        free(sub);
        if (svctl_flush_stdout() < 0)
                code = 1; /* and nothing to follow into */
        else if (a.follow) {
                signal(SIGPIPE, SIG_DFL); /* svctl logs -f | head ends quietly */
                code = follow_loop(&a, fd, svcs);
        }
        cJSON_Delete(reply);
        close(fd);
        return code;
}

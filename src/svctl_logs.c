/* svctl_logs: `svctl logs [NAME] [-n N] [-f] [--since TIME] [--stream out|err]
 * [--json]`. svd only says which files hold a service's log (op "logs",
 * chronological order); svctl reads them itself, so a big history never
 * passes through the daemon's loop. That needs read access to the files (root
 * or the admin group: they are 0640, group admin). Rotated .gz files are read
 * through `gzip -dc`, so svctl does not link zlib. With -f the request is
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
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "logfmt.h"
#include "proto.h"
#include "safedir.h"
#include "svctl_output.h"
#include "util.h"
#include "utf8.h"

extern char **environ;

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
};

struct recs {
        struct rec *v;
        size_t n, cap;
        char **bufs;        /* file contents the records point into */
        size_t n_bufs;
};

static int lusage(const char *msg, const char *arg) {
        fprintf(stderr, "svctl: %s%s%s (see 'svctl --help')\n", msg, arg ? " " : "", arg ? arg : "");
        return 2;
}

/* Reads fd to its end or limit bytes and closes it; reaps pid (gzip) if set.
 * NULL with errno on failure. */
static char *slurp_fd(int fd, pid_t pid, size_t limit, size_t *ret_len) {
        size_t len = 0, cap = 1 << 16;
        char *buf = malloc(cap);
        while (buf && len < limit) {
                if (len == cap) {
                        char *nb = realloc(buf, cap *= 2);
                        if (!nb) {
                                free(buf);
                                buf = NULL;
                                break;
                        }
                        buf = nb;
                }
                size_t want = cap - len < limit - len ? cap - len : limit - len;
                ssize_t n = read(fd, buf + len, want);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        break;
                len += (size_t)n;
        }
        close(fd);
        if (pid) {
                int st;
                while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
                        ;
        }
        *ret_len = len;
        return buf;
}

/* A file with holes, which svd never writes (it only appends): in an
 * exposed directory, a user's way to have svctl read gigabytes of zeros. */
#define E_HOLES EFBIG

/* Opens a log file to read it: through its directory walked as svd walks it
 * (safedir_open_parent), O_NOFOLLOW|O_NONBLOCK; in a directory another user
 * can change, a symbolic link (-ENOLINK), a file with other links
 * (-EMLINK) or with holes (-E_HOLES) is refused, and anything but a regular
 * file (-EBADFD) is refused everywhere (a FIFO is never waited on). The fd
 * or -errno. */
static int open_log(const char *path) {
        _cleanup_(safedir_closep) struct safedir d = SAFEDIR_NONE;
        const char *base;
        int r = safedir_open_parent(path, false, 0, &d, &base);
        if (r < 0)
                return r;
        int fd = safedir_open_file(&d, base, O_RDONLY | O_NONBLOCK, 0, NULL);
        if (fd < 0)
                return fd;
        struct stat st;
        if (fstat(fd, &st) < 0)
                r = -errno;
        else if (!S_ISREG(st.st_mode))
                r = -EBADFD;
        else if (d.exposed) {
                off_t hole = lseek(fd, 0, SEEK_HOLE);
                if (hole >= 0 && hole < st.st_size)
                        r = -E_HOLES;
                else if (lseek(fd, 0, SEEK_SET) < 0)
                        r = -errno;
        }
        if (r < 0) {
                close(fd);
                return r;
        }
        return fd;
}

/* One line on stderr for a file svctl could not read or would not. */
static void warn_file(const char *path, int r) {
        const char *why;
        switch (-r) {
        case ENOLINK:
                why = "a symbolic link in a directory a user other than root can write (not followed)";
                break;
        case EMLINK:
                why = "a file with other hard links in a directory a user other than root can write";
                break;
        case E_HOLES:
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

/* Reads a whole file (up to limit bytes), through gzip -dc for .gz (gzip
 * reads the fd open_log opened, never the path). NULL with errno on
 * failure, open_log's refusals included. */
static char *slurp(const char *path, size_t limit, size_t *ret_len) {
        size_t pl = strlen(path);
        bool gz = pl > 3 && strcmp(path + pl - 3, ".gz") == 0;
        int fd = open_log(path);
        pid_t pid = 0;
        if (fd < 0) {
                errno = -fd;
                return NULL;
        }
        if (gz) {
                int p[2];
                if (pipe2(p, O_CLOEXEC) < 0) {
                        close(fd);
                        return NULL;
                }
                posix_spawn_file_actions_t fa;
                posix_spawn_file_actions_init(&fa);
                posix_spawn_file_actions_adddup2(&fa, fd, 0);
                posix_spawn_file_actions_adddup2(&fa, p[1], 1);
                char *argv[] = {"gzip", "-dc", NULL};
                int r = posix_spawnp(&pid, "gzip", &fa, NULL, argv, environ);
                posix_spawn_file_actions_destroy(&fa);
                close(p[1]);
                close(fd);
                if (r != 0) {
                        close(p[0]);
                        errno = r;
                        return NULL;
                }
                fd = p[0];
        }
        return slurp_fd(fd, pid, limit, ret_len);
}

static int rec_push(struct recs *R, const struct rec *r) {
        if (R->n == R->cap) {
                size_t nc = R->cap ? R->cap * 2 : 1024;
                struct rec *nv = realloc(R->v, nc * sizeof(*nv));
                if (!nv)
                        return -ENOMEM;
                R->v = nv;
                R->cap = nc;
        }
        R->v[R->n] = *r;
        R->v[R->n].seq = R->n;
        R->n++;
        return 0;
}

/* Takes buf (len bytes of a log file) and adds its records. */
static int add_buf(struct recs *R, const struct largs *a, const char *service, char *buf, size_t len,
                   bool timestamps) {
        char **nb = realloc(R->bufs, (R->n_bufs + 1) * sizeof(char *));
        if (!nb) {
                free(buf);
                return -ENOMEM;
        }
        R->bufs = nb;
        R->bufs[R->n_bufs++] = buf;
        for (size_t off = 0; off < len;) {
                char *nl = memchr(buf + off, '\n', len - off);
                if (!nl)
                        break; /* a partial last line (cut at the follow size, or being written) */
                size_t ll = (size_t)(nl - (buf + off));
                struct rec r = {.service = service, .line = buf + off, .line_len = ll, .text = buf + off,
                                .text_len = ll, .stream = -1};
                struct logfmt_rec lr;
                if (timestamps && logfmt_parse_line(buf + off, ll, &lr) == 0) {
                        r.time = lr.time;
                        r.stream = (int)lr.stream;
                        r.split = lr.split;
                        r.text = lr.text;
                        r.text_len = lr.text_len;
                }
                off += ll + 1;
                if (a->has_since && r.time < a->since)
                        continue;
                if (a->stream >= 0 && r.stream != a->stream)
                        continue;
                if (rec_push(R, &r) < 0)
                        return -ENOMEM;
        }
        return 0;
}

static int add_file(struct recs *R, const struct largs *a, const char *service, const char *path, size_t limit,
                    bool timestamps) {
        size_t len;
        char *buf = slurp(path, limit, &len);
        _cleanup_(freep) char *gz = NULL;
        if (!buf && errno == ENOENT) {
                /* compressed since svd listed it */
                if ((gz = strdup_printf("%s.gz", path)))
                        buf = slurp(gz, limit, &len);
                else
                        errno = ENOMEM;
        }
        if (!buf) {
                if (errno == ENOENT)
                        return 0;
                int r = -errno;
                warn_file(gz ? gz : path, r);
                return r;
        }
        return add_buf(R, a, service, buf, len, timestamps);
}

/* -f: the file that was current when svd subscribed us, as svd names it by
 * path, inode and (where the filesystem keeps it) birth time, since an inode
 * number is reused soon after a rotated file is compressed and deleted. It is normally still at that path (svctl opens it first
 * thing after the reply), but a rotation may have come in between: then it
 * is the oldest rotated file newer than every rotated file svd listed,
 * perhaps compressed by now. Returns an open fd (*ret_gz NULL) or the .gz
 * path to read (*ret_gz, fd -1); -ENOENT if it has been deleted since; other
 * errors (open_log's refusals) with the file's path in *ret_gz. */
static bool same_file(int fd, double ino, const char *btime) {
        struct statx sx;
        if (ino < 0)
                return true; /* svd did not say: take the path */
        if (statx(fd, "", AT_EMPTY_PATH, STATX_INO | STATX_BTIME, &sx) < 0 || (double)sx.stx_ino != ino)
                return false;
        if (!btime || !(sx.stx_mask & STATX_BTIME))
                return true;
        char bt[48];
        snprintf(bt, sizeof(bt), "%lld.%09u", (long long)sx.stx_btime.tv_sec, sx.stx_btime.tv_nsec);
        return strcmp(bt, btime) == 0;
}

static int open_subscribed(const char *cur, double ino, const char *btime, const cJSON *files, char **ret_gz) {
        *ret_gz = NULL;
        int fd = open_log(cur);
        if (fd >= 0 && same_file(fd, ino, btime))
                return fd;
        if (fd >= 0)
                close(fd);
        else if (fd != -ENOENT) {
                *ret_gz = strdup(cur);
                return fd;
        }
        const char *slash = strrchr(cur, '/');
        const char *base = slash ? slash + 1 : cur;
        _cleanup_(freep) char *dir = slash ? strndup(cur, (size_t)(slash - cur)) : strdup(".");
        if (!dir)
                return -ENOMEM;
        if (!dir[0]) {
                free(dir);
                if (!(dir = strdup("/")))
                        return -ENOMEM;
        }
        usec_t after = 0, t, best = 0;
        bool gz, found = false, best_gz = false;
        const cJSON *f;
        cJSON_ArrayForEach(f, files) {
                const char *p = cJSON_IsString(f) ? strrchr(f->valuestring, '/') : NULL;
                if (p && logfmt_rotated_match(base, p + 1, &t, NULL) && t > after)
                        after = t;
        }
        /* the directory as svd reaches it (the names only: each file is
         * checked as it is opened) */
        _cleanup_(safedir_closep) struct safedir sd = SAFEDIR_NONE;
        const char *ignored;
        int r = safedir_open_parent(cur, false, 0, &sd, &ignored), dfd;
        if (r < 0 || (dfd = fcntl(sd.fd, F_DUPFD_CLOEXEC, 3)) < 0) {
                *ret_gz = strdup(dir);
                return r < 0 ? r : -errno;
        }
        DIR *d = fdopendir(dfd);
        if (!d) {
                r = -errno;
                close(dfd);
                *ret_gz = strdup(dir);
                return r;
        }
        for (struct dirent *e; (e = readdir(d));)
                if (logfmt_rotated_match(base, e->d_name, &t, &gz) && t > after &&
                    (!found || t < best || (t == best && !gz))) {
                        found = true;
                        best = t;
                        best_gz = gz;
                }
        closedir(d);
        if (!found)
                return -ENOENT;
        char name[PATH_MAX];
        logfmt_rotated_name(base, best, name, sizeof(name));
        _cleanup_(freep) char *path = strdup_printf("%s/%s%s", dir, name, best_gz ? ".gz" : "");
        if (!path)
                return -ENOMEM;
        if (best_gz) {
                *ret_gz = path;
                path = NULL;
                return -1;
        }
        fd = open_log(path);
        if (fd == -ENOENT) {
                /* compressed meanwhile */
                *ret_gz = strdup_printf("%s.gz", path);
                return *ret_gz ? -1 : -ENOMEM;
        }
        if (fd < 0) {
                *ret_gz = path;
                path = NULL;
        }
        return fd;
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

static void print_rec(const struct largs *a, const struct rec *r) {
        if (a->json) {
                char ts[LOGFMT_TIME_LEN + 1];
                print_json(r->service, r->stream >= 0 ? logfmt_time(r->time, ts) : NULL,
                           r->stream >= 0 ? logfmt_stream_name((enum logfmt_stream)r->stream) : NULL, r->text,
                           r->text_len, r->split);
                return;
        }
        if (!a->name)
                printf("%s ", r->service);
        fwrite(r->line, 1, r->line_len, stdout);
        putchar('\n');
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
        return 0;
}

static int follow_loop(const struct largs *a, int fd) {
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
                                if (!a->name)
                                        printf("%s ", sv->valuestring);
                                printf("%s %s%s %s\n", tms ? tms : "-", sts ? sts : "-", logfmt_split_mark(split),
                                       tx->valuestring);
                        }
                }
                cJSON_Delete(msg);
                if (fflush(stdout) != 0)
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

        int fd = unix_connect(path, SOCK_STREAM, 0);
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
                fprintf(stderr, "svctl: no reply from svd: %s\n", strerror(-r));
                close(fd);
                return 3;
        }
        if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(reply, "ok"))) {
                if (svctl_print_error(stderr, reply) < 0)
                        fprintf(stderr, "svctl: request refused\n");
                cJSON_Delete(reply);
                close(fd);
                return 1;
        }

        struct recs R = {0};
        const cJSON *svcs = cJSON_GetObjectItemCaseSensitive(reply, "services"), *s;
        code = 0;
        /* -f: first of all, open each file that was current at the
         * subscription, before a rotation can move it further away */
        int n_svcs = cJSON_GetArraySize(svcs), si = 0;
        struct subscribed {
                int fd;   /* >= 0: read this */
                char *gz; /* else this rotated, compressed file */
                int err;
        } *sub = a.follow && n_svcs > 0 ? calloc((size_t)n_svcs, sizeof(*sub)) : NULL;
        cJSON_ArrayForEach(s, svcs) {
                const cJSON *cur = cJSON_GetObjectItemCaseSensitive(s, "current");
                const cJSON *ino = cJSON_GetObjectItemCaseSensitive(s, "ino");
                if (sub && cJSON_IsString(cur) && cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(s, "size"))) {
                        const cJSON *bt = cJSON_GetObjectItemCaseSensitive(s, "btime");
                        sub[si].fd = open_subscribed(cur->valuestring, cJSON_IsNumber(ino) ? ino->valuedouble : -1,
                                                     cJSON_IsString(bt) ? bt->valuestring : NULL,
                                                     cJSON_GetObjectItemCaseSensitive(s, "files"), &sub[si].gz);
                        sub[si].err = sub[si].fd < -1 ? sub[si].fd : 0;
                } else if (sub)
                        sub[si].fd = -1;
                si++;
        }
        si = -1;
        cJSON_ArrayForEach(s, svcs) {
                si++;
                const cJSON *nm = cJSON_GetObjectItemCaseSensitive(s, "name");
                const cJSON *files = cJSON_GetObjectItemCaseSensitive(s, "files"), *f;
                const cJSON *cur = cJSON_GetObjectItemCaseSensitive(s, "current");
                const cJSON *size = cJSON_GetObjectItemCaseSensitive(s, "size");
                bool ts = !cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(s, "timestamps"));
                if (!cJSON_IsString(nm))
                        continue;
                cJSON_ArrayForEach(f, files) {
                        if (cJSON_IsString(f) && add_file(&R, &a, nm->valuestring, f->valuestring, SIZE_MAX, ts) < 0)
                                code = 1;
                }
                if (sub && cJSON_IsString(cur) && cJSON_IsNumber(size)) {
                        /* following: exactly what was written before the subscription */
                        size_t limit = (size_t)size->valuedouble, len;
                        char *buf;
                        bool warned = false;
                        if (sub[si].fd >= 0) {
                                r = (buf = slurp_fd(sub[si].fd, 0, limit, &len)) ? add_buf(&R, &a, nm->valuestring, buf, len, ts) : -errno;
                                sub[si].fd = -1;
                        } else if (sub[si].err)
                                r = sub[si].err;
                        else if (sub[si].gz)
                                warned = (r = add_file(&R, &a, nm->valuestring, sub[si].gz, limit, ts)) < 0;
                        else
                                r = -ENOENT;
                        if (r == -ENOENT)
                                fprintf(stderr, "svctl: %s: the file current when following began was rotated and deleted before it could be read; its lines are missing\n", nm->valuestring);
                        else if (r < 0 && !warned)
                                warn_file(sub[si].err && sub[si].gz ? sub[si].gz : cur->valuestring, r);
                        if (r < 0)
                                code = 1;
                } else if (cJSON_IsString(cur) && add_file(&R, &a, nm->valuestring, cur->valuestring, SIZE_MAX, ts) < 0)
                        code = 1;
        }
        for (si = 0; sub && si < n_svcs; si++) {
                if (sub[si].fd >= 0)
                        close(sub[si].fd);
                free(sub[si].gz);
        }
        free(sub);
        if (!a.name && R.n > 1)
                qsort(R.v, R.n, sizeof(*R.v), rec_cmp);
        size_t from = a.n >= 0 && (size_t)a.n < R.n ? R.n - (size_t)a.n : 0;
        for (size_t i = from; i < R.n; i++)
                print_rec(&a, &R.v[i]);
        fflush(stdout);
        for (size_t i = 0; i < R.n_bufs; i++)
                free(R.bufs[i]);
        free(R.bufs);
        free(R.v);
        if (a.follow) {
                signal(SIGPIPE, SIG_DFL); /* svctl logs -f | head ends quietly */
                code = follow_loop(&a, fd);
        }
        cJSON_Delete(reply);
        close(fd);
        return code;
}

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
 * warning naming it; a FIFO, device or socket is never opened, anywhere.
 * This file holds the command line, the request and -f's stream; the
 * reading is in svctl_logtail.c (-n) and svctl_logstream.c, records and
 * their printing in svctl_logrec.c (svctl_logs.h). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "logfmt.h"
#include "proto.h"
#include "svctl_follow.h"
#include "svctl_logs.h"
#include "svctl_logsub.h"
#include "svctl_output.h"
#include "svctl_request.h"
#include "util.h"

/* logs -n: more lines than that is a typo, not a request */
#define LOGS_MAX_N 100000000

static int lusage(const char *msg, const char *arg) {
        fprintf(stderr, "svctl: %s%s%s (see 'svctl --help')\n", msg, arg ? " " : "", arg ? arg : "");
        return 2;
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
                else if (strncmp(s, "-s", 2) == 0) { /* -sSOCKET, as in svctl.c */
                        if (!(a->socket = svctl_socket_joined(s)))
                                return 2;
                }
                else if (strcmp(s, "--json") == 0)
                        a->json = true;
                else if (strcmp(s, "-f") == 0 || strcmp(s, "--follow") == 0)
                        a->follow = true;
                else if (strcmp(s, "-n") == 0 || strcmp(s, "--lines") == 0) {
                        unsigned long long n;
                        int r = v ? parse_uint(v, LOGS_MAX_N, &n) : -EINVAL;
                        /* a number, but too big: the range, not "needs a number" */
                        if (r == -ERANGE) {
                                char msg[64];
                                snprintf(msg, sizeof(msg), "%s takes 0 to %d lines, got", s, LOGS_MAX_N);
                                return lusage(msg, v);
                        }
                        if (r < 0)
                                return lusage(s[1] == 'n' ? "-n needs a number of lines, got"
                                                          : "--lines needs a number of lines, got",
                                              v ? v : "nothing");
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
                } else {
                        svctl_unknown_option("logs", s);
                        return 2;
                }
        }
        if (a->socket && !a->socket[0])
                return lusage("the SOCKET path is empty", NULL);
        /* (as svctl.c: an unset variable, a usage error, nothing sent) */
        if (a->name && !a->name[0])
                return lusage("'logs' needs a service NAME, got an empty one", NULL);
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
                int r = svctl_follow_wait(fd);
                if (r >= 0)
                        r = proto_recv(fd, &msg);
                if (r < 0) {
                        if (r == -ECONNRESET || r == -EPIPE)
                                fprintf(stderr, "svctl: svd closed the log stream\n");
                        else
                                fprintf(stderr, "svctl: reading the log stream: %s\n", strerror(-r));
                        return 1;
                }
                /* svd ended the stream (the service was removed, the rights
                 * to its lines are gone): its last word, then it closes */
                if (cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(msg, "ok"))) {
                        (void)svctl_print_error(stderr, msg);
                        cJSON_Delete(msg);
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
                                logrec_print_json(sv->valuestring, tms, sts, tx->valuestring, strlen(tx->valuestring), split);
                        else {
                                if (!a->name) {
                                        logrec_put_str(sv->valuestring);
                                        putchar(' ');
                                }
                                if (no_timestamps(svcs, sv->valuestring)) {
                                        /* the text alone, "[svd] " before svd's notes, a final
                                         * backslash for a piece of a line */
                                        if (sts && strcmp(sts, logfmt_stream_name(LOGFMT_SVD)) == 0)
                                                fputs("[svd] ", stdout);
                                        logrec_put_str(tx->valuestring);
                                        fputs(split != LOGFMT_WHOLE ? "\\\n" : "\n", stdout);
                                        continue;
                                }
                                logrec_put_str(tms ? tms : "-");
                                putchar(' ');
                                logrec_put_str(sts ? sts : "-");
                                printf("%s ", logfmt_split_mark(split));
                                logrec_put_str(tx->valuestring);
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

        int fd = svctl_connect(path, SVCTL_TIMEOUT_SEC);
        if (fd < 0)
                return 3;
        cJSON *req = cJSON_CreateObject();
        cJSON_AddNumberToObject(req, "v", PROTO_VERSION);
        cJSON_AddStringToObject(req, "op", proto_op_name(a.follow ? OP_LOGS_FOLLOW : OP_LOGS));
        if (a.name)
                cJSON_AddStringToObject(req, "name", a.name);
        if (a.stream >= 0)
                cJSON_AddStringToObject(req, "stream", logfmt_stream_name((enum logfmt_stream)a.stream));
        cJSON *reply = NULL;
        code = svctl_exchange(fd, req, SVCTL_TIMEOUT_SEC, &reply);
        cJSON_Delete(req);
        if (code) {
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
        int refused = svctl_check_reply(stderr, reply);
        if (refused < 0 || !cJSON_IsArray(svcs)) {
                if (!cJSON_IsArray(svcs) && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(reply, "ok")))
                        fprintf(stderr, "svctl: malformed reply from svd to 'logs'\n");
                cJSON_Delete(reply);
                close(fd);
                return refused < 0 ? svctl_refused_exit(refused) : 1;
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
        code = a.n >= 0 ? logtail_all(&a, svcs, sub) : logstream_all(&a, svcs);
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
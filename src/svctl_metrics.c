/* svctl_metrics: `svctl metrics`, `svctl events` and `svctl __complete` (see
 * svctl_metrics.h). Exit codes as svctl's: 0 ok, 1 refused or failed, 2 usage,
 * 3 svd unreachable. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "proto.h"
#include "svctl_follow.h"
#include "svctl_metrics.h"
#include "svctl_output.h"
#include "svctl_request.h"
#include "util.h"

#define EVENTS_MAX_N 100000 /* svd keeps fewer; it sends what it has */

struct xargs {
        const char *socket;
        bool json, follow;
        long n;
        const char *what; /* __complete */
};

static int xusage(const char *cmd, const char *msg, const char *arg) {
        fprintf(stderr, "svctl: %s: %s%s%s (see 'svctl --help')\n", cmd, msg, arg ? " " : "", arg ? arg : "");
        return 2;
}

/* Options anywhere after the command; "cmd" is the word that selected us. */
static int parse(int argc, char **argv, const char *cmd, bool opts, struct xargs *a) {
        bool seen_cmd = false, options_done = false;
        for (int i = 1; i < argc; i++) {
                const char *s = argv[i];
                const char *v = i + 1 < argc ? argv[i + 1] : NULL;
                if (options_done || s[0] != '-' || !s[1]) {
                        if (!seen_cmd)
                                seen_cmd = true;
                        else if (!a->what && strcmp(cmd, "__complete") == 0)
                                a->what = s;
                        else
                                return xusage(cmd, "unexpected argument", s);
                } else if (strcmp(s, "--") == 0)
                        options_done = true; /* as in svctl.c: "--" ends the options */
                else if (strcmp(s, "-s") == 0 || strcmp(s, "--socket") == 0) {
                        if (!v)
                                return xusage(cmd, "option needs a SOCKET path:", s);
                        a->socket = argv[++i];
                } else if (strncmp(s, "--socket=", 9) == 0)
                        a->socket = s + 9;
                else if (strncmp(s, "-s", 2) == 0) { /* -sSOCKET, as in svctl.c */
                        if (!(a->socket = svctl_socket_joined(s)))
                                return 2;
                }
                else if (strcmp(s, "--json") == 0)
                        a->json = true;
                else if (opts && (strcmp(s, "-f") == 0 || strcmp(s, "--follow") == 0))
                        a->follow = true;
                else if (opts && (strcmp(s, "-n") == 0 || strcmp(s, "--lines") == 0)) {
                        unsigned long long n;
                        int r = v ? parse_uint(v, EVENTS_MAX_N, &n) : -EINVAL;
                        /* a number, but too big: the range, not "needs a number" */
                        if (r == -ERANGE) {
                                char msg[64];
                                snprintf(msg, sizeof(msg), "%s takes 0 to %d events, got", s, EVENTS_MAX_N);
                                return xusage(cmd, msg, v);
                        }
                        if (r < 0)
                                return xusage(cmd, s[1] == 'n' ? "-n needs a number of events, got"
                                                               : "--lines needs a number of events, got",
                                              v ? v : "nothing");
                        a->n = (long)n;
                        i++;
                } else {
                        svctl_unknown_option(cmd, s);
                        return 2;
                }
        }
        if (a->socket && !a->socket[0])
                return xusage(cmd, "the SOCKET path is empty", NULL);
        return 0;
}

static const char *socket_path(const struct xargs *a) {
        const char *p = a->socket;
        if (!p && !((p = getenv("SVD_SOCKET")) && *p))
                p = PROTO_DEFAULT_SOCKET;
        return p;
}

/* Connects, sends req, reads one reply; prints failures itself. */
static int request(const struct xargs *a, cJSON *req, bool stream, int *ret_fd, cJSON **ret_reply) {
        int fd = svctl_connect(socket_path(a), SVCTL_TIMEOUT_SEC);
        if (fd < 0)
                return 3;
        cJSON *reply = NULL;
        int code = svctl_exchange(fd, req, SVCTL_TIMEOUT_SEC, &reply);
        if (code) {
                close(fd);
                return code;
        }
        /* the stream that follows may stay quiet for any time */
        struct timeval forever = { 0 };
        if (stream && setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &forever, sizeof(forever)) < 0) {
                fprintf(stderr, "svctl: %s\n", strerror(errno));
                cJSON_Delete(reply);
                close(fd);
                return 1;
        }
        /* (the protocol version, "ok" and a refusal, as svctl.c checks them) */
        if (svctl_check_reply(stderr, reply) < 0) {
                cJSON_Delete(reply);
                close(fd);
                return 1;
        }
        *ret_reply = reply;
        if (ret_fd)
                *ret_fd = fd;
        else
                close(fd);
        return 0;
}

static cJSON *new_request(enum proto_op op) {
        cJSON *req = cJSON_CreateObject();
        if (!req)
                return NULL;
        cJSON_AddNumberToObject(req, "v", PROTO_VERSION);
        cJSON_AddStringToObject(req, "op", proto_op_name(op));
        return req;
}

int svctl_metrics_main(int argc, char **argv) {
        struct xargs a = { 0 };
        int code = parse(argc, argv, "metrics", false, &a);
        if (code)
                return code;
        _cleanup_(proto_msg_freep) cJSON *req = new_request(OP_METRICS);
        _cleanup_(proto_msg_freep) cJSON *reply = NULL;
        if (!req)
                return 1;
        if ((code = request(&a, req, false, NULL, &reply)))
                return code;
        const cJSON *text = cJSON_GetObjectItemCaseSensitive(reply, "text");
        if (!cJSON_IsString(text)) {
                fprintf(stderr, "svctl: malformed reply from svd to 'metrics'\n");
                return 1;
        }
        if (a.json) {
                char *s = cJSON_PrintUnformatted(reply);
                if (!s) { /* nothing printed is not an empty success */
                        fprintf(stderr, "svctl: metrics: out of memory printing svd's reply as JSON\n");
                        return 1;
                }
                puts(s);
                free(s);
        } else
                fputs(text->valuestring, stdout);
        return svctl_flush_stdout() == 0 ? 0 : 1;
}

static const char *str(const cJSON *o, const char *k) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
        return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void print_event(const cJSON *e, bool json) {
        if (!cJSON_IsObject(e))
                return;
        if (json) {
                char *s = cJSON_PrintUnformatted(e);
                if (s)
                        puts(s);
                free(s);
                return;
        }
        const char *k = str(e, "kind"), *why = str(e, "reason");
        /* control bytes from svd are not trusted onto a terminal: none of
         * the fields, not only the reason */
        char t[64], sv[128], f[64], to[64], clean[256] = "";
        svctl_safe_copy(t, sizeof(t), str(e, "time") ? str(e, "time") : "-");
        svctl_safe_copy(sv, sizeof(sv), str(e, "service") ? str(e, "service") : "-");
        svctl_safe_copy(f, sizeof(f), str(e, "from") ? str(e, "from") : "-");
        svctl_safe_copy(to, sizeof(to), str(e, "to") ? str(e, "to") : "-");
        if (why)
                svctl_safe_copy(clean, sizeof(clean), why);
        printf("%s %s %s%s -> %s%s%s\n", t, sv, k && strcmp(k, "health") == 0 ? "health " : "", f, to,
               why ? ": " : "", clean);
}

int svctl_events_main(int argc, char **argv) {
        struct xargs a = { .n = -1 };
        int code = parse(argc, argv, "events", true, &a);
        if (code)
                return code;
        _cleanup_(proto_msg_freep) cJSON *req = new_request(OP_EVENTS);
        _cleanup_(proto_msg_freep) cJSON *reply = NULL;
        if (!req)
                return 1;
        if (a.follow) {
                cJSON_AddBoolToObject(req, "follow", true);
                if (a.n < 0)
                        a.n = 10;
        }
        if (a.n >= 0)
                cJSON_AddNumberToObject(req, "n", (double)a.n);
        int fd = -1;
        if ((code = request(&a, req, a.follow, a.follow ? &fd : NULL, &reply)))
                return code;
        const cJSON *e, *list = cJSON_GetObjectItemCaseSensitive(reply, "events");
        if (!cJSON_IsArray(list)) {
                fprintf(stderr, "svctl: malformed reply from svd to 'events'\n");
                if (fd >= 0)
                        close(fd);
                return 1;
        }
        cJSON_ArrayForEach(e, list) print_event(e, a.json);
        if (svctl_flush_stdout() < 0)
                return 1;
        if (!a.follow)
                return 0;
        for (;;) {
                cJSON *msg = NULL;
                int r = svctl_follow_wait(fd);
                if (r >= 0)
                        r = proto_recv(fd, &msg);
                if (r < 0) {
                        fprintf(stderr, "svctl: %s\n", r == -ECONNRESET || r == -EPIPE ? "svd closed the event stream"
                                                                                     : strerror(-r));
                        close(fd);
                        return 1;
                }
                print_event(cJSON_GetObjectItemCaseSensitive(msg, "event"), a.json);
                cJSON_Delete(msg);
                if (svctl_flush_stdout() < 0) {
                        close(fd);
                        return 1;
                }
        }
}

/* __complete commands | services: one word per line, nothing on errors (a
 * completion must never print error messages into the command line). */
int svctl_complete_main(int argc, char **argv) {
        static const char *const commands[] = { "status", "start",  "stop",        "restart", "order",
                                                "top",    "version", "audit",      "show",    "logs",
                                                "events", "metrics", "reopen-logs", "poweroff", "reboot",
                                                "halt",   "secret",  "unlock",      "run",     "reload", "daemon-reexec",
                                                "help" };
        struct xargs a = { 0 };
        if (parse(argc, argv, "__complete", false, &a))
                return 2;
        if (!a.what || strcmp(a.what, "commands") == 0) {
                for (size_t i = 0; i < ELEMENTSOF(commands); i++)
                        puts(commands[i]);
                return 0;
        }
        if (strcmp(a.what, "services") != 0)
                return 2;
        _cleanup_(proto_msg_freep) cJSON *req = new_request(OP_STATUS);
        _cleanup_(proto_msg_freep) cJSON *reply = NULL;
        int saved = dup(STDERR_FILENO);
        if (!freopen("/dev/null", "w", stderr)) {
                /* keep going: at worst an error shows */
        }
        int code = req ? request(&a, req, false, NULL, &reply) : 1;
        if (saved >= 0) {
                dup2(saved, STDERR_FILENO);
                close(saved);
        }
        if (code)
                return code;
        const cJSON *s, *svcs = cJSON_GetObjectItemCaseSensitive(reply, "services");
        cJSON_ArrayForEach(s, svcs) {
                const char *n = str(s, "name");
                if (n)
                        puts(n);
        }
        return 0;
}

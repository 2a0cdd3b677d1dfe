/* svctl: the admin client. It parses the command line, sends one request frame
 * over svd's control socket, waits for one reply and hands it to svctl_output
 * for printing. Exit codes are part of its interface so scripts can tell the
 * cases apart: 0 done, 1 svd refused or failed (or replied nonsense), 2 the
 * command line was wrong (nothing was sent), 3 svd could not be reached, 4 svd
 * knows no service (or secret) of that name. It
 * links only util/log/proto, never daemon internals: everything it knows about
 * svd comes through the protocol. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "proto.h"
#include "svctl_jsonerr.h"
#include "svctl_metrics.h"
#include "svctl_output.h"
#include "svctl_reload.h"
#include "svctl_reexec.h"
#include "svctl_request.h"
#include "svctl_sandbox.h"
#include "svctl_secret.h"
#include "util.h"

#ifndef SVD_VERSION
#define SVD_VERSION "unknown"
#endif

enum {
        SVCTL_EXIT_OK = 0,
        SVCTL_EXIT_FAILED = 1,
        SVCTL_EXIT_USAGE = 2,
        SVCTL_EXIT_UNREACHABLE = 3,
};

struct command {
        const char *name;
        enum proto_op op; /* OP_INVALID: handled locally */
        size_t min_args;
        size_t max_args;
        const char *args; /* for usage errors */
};

#define ARGS_ANY ((size_t)-1)

static const struct command commands[] = {
        { "status", OP_STATUS, 0, ARGS_ANY, "[NAME...]" },
        { "start", OP_START, 1, 1, "NAME" },
        { "stop", OP_STOP, 1, 1, "NAME" },
        { "restart", OP_RESTART, 1, 1, "NAME" },
        { "order", OP_ORDER, 0, 0, "" },
        { "version", OP_VERSION, 0, 0, "" },
        { "reopen-logs", OP_REOPEN_LOGS, 0, 0, "" },
        { "logs", OP_LOGS, 0, 1, "[NAME]" }, /* svctl_logs.c */
        { "poweroff", OP_POWEROFF, 0, 0, "" },
        { "reboot", OP_REBOOT, 0, 0, "" },
        { "halt", OP_HALT, 0, 0, "" },
        { "audit", OP_AUDIT, 0, 0, "" },     /* svctl_sandbox.c */
        { "show", OP_SHOW, 1, 1, "NAME" },
        { "run", OP_RUN, 1, 1, "NAME" },     /* a oneshot/scheduled job, now */
        { "reload", OP_RELOAD, 0, 0, "" },   /* svctl_reload.c */
        { "daemon-reexec", OP_REEXEC, 0, 0, "" },
        { "help", OP_INVALID, 0, ARGS_ANY, "" },
};

struct args {
        const char *socket;
        bool json;
        bool boot;  /* status --boot: the boot timing summary */
        bool dry_run; /* reload --dry-run: the plan only */
        bool help;
        bool version;
        const char *cmd_name;
        const struct command *cmd;
        char **names; /* borrowed from argv; the array itself is owned */
        size_t n_names;
};

static void args_done(struct args *a)
{
        free(a->names);
}

/* (the help's "30 s" of daemon-reexec) */
_Static_assert(SVCTL_TIMEOUT_SEC == 30 && SVCTL_REEXEC_WAIT_SEC == 30, "svctl --help: daemon-reexec's waits");

static void usage(FILE *f)
{
        fputs("Usage: svctl [-s SOCKET] [--json] COMMAND [ARGS]\n"
              "\n"
              "Control the svd service supervisor.\n"
              "\n"
              "Commands:\n"
              "  status [NAME...]      show the state of all services, or of the named ones\n"
              "  status --boot         time from svd's start to each service's first \"up\"\n"
              "  start NAME            start a service\n"
              "  stop NAME             stop a service\n"
              "  restart NAME          stop a service, then start it again\n"
              "  run NAME              run a oneshot (scheduled) job now; refused while it runs\n"
              "  reload [--dry-run]    load the configuration again and apply the difference:\n"
              "                        start new services, stop removed ones, restart changed\n"
              "                        ones, leave the rest alone; --dry-run prints the plan\n"
              "                        (admin only; a broken file changes nothing)\n"
              "  daemon-reexec         svd executes its (upgraded) binary again, keeping every\n"
              "                        service, PID, counter and log line (admin only); waits\n"
              "                        up to 30 s for svd's reply, then up to 30 s for the new\n"
              "                        image to answer, and says whether the exec happened\n"
              "  order                 show the start order, one wave per line\n"
              "  top [--sort cpu|mem|pids|throttled|name] [-d SECS] [-n COUNT]\n"
              "                        refreshing table of CPU%, throttled %, memory, pids,\n"
              "                        OOM kills per service and slice (cgroup v2); -d, --delay\n"
              "                        SECS between refreshes, -n, --iterations COUNT refreshes;\n"
              "                        q quits; rides out svd not answering (notes it)\n"
              "  version               show the versions of svctl and the running svd, svd's pid\n"
              "  audit                 show each service's sandbox exposure and score\n"
              "  show NAME             show a service's effective sandbox\n"
              "  logs [NAME]           show service output (all services merged by time);\n"
              "                        -n, --lines N last N lines, -f, --follow, --since TIME,\n"
              "                        --stream out|err, --json (one object per line)\n"
              "  reopen-logs           reopen every service's log file and the audit log (like\n"
              "                        SIGUSR1)\n"
              "  secret list           secrets: name, kind, created, consumers (never values)\n"
              "  secret get NAME       print a secret's value (admin only)\n"
              "  secret set NAME       set a secret from stdin, restart its consumers (admin only)\n"
              "  secret rotate NAME    regenerate a secret and its JWTs, run on_rotate, restart\n"
              "                        consumers in dependency order (admin only)\n"
              "  unlock                give the secrets passphrase (stdin; admin only)\n"
              "  events [-f] [-n N]    show recent state and health changes; -f, --follow\n"
              "                        follow, -n, --lines N at most N past events, --json\n"
              "                        (one object per line)\n"
              "  metrics               print Prometheus metrics (text exposition format)\n"
              "  poweroff|reboot|halt  stop every service in reverse order, then power off,\n"
              "                        reboot or halt the machine (svd as PID 1; admin only)\n"
              "  help                  show this help\n"
              "\n"
              "Options (anywhere on the line):\n"
              "  -s, --socket SOCKET   control socket (default: $SVD_SOCKET, else " PROTO_DEFAULT_SOCKET ")\n"
              "      --json            print JSON instead of tables; a failure as one object,\n"
              "                        {\"ok\":false,\"exit\":N,\"error\":...}, on stdout\n"
              "  -h, --help            show this help\n"
              "      --version         show the version of svctl\n"
              "\n"
              "Exit status: 0 ok, 1 refused or failed, 2 usage error, 3 svd unreachable,\n"
              "4 no such service or secret.\n",
              f);
}

/* {"KEY":VALUE} on a line of stdout. Returns the exit code. */
static int print_json_string(const char *key, const char *value)
{
        _cleanup_(proto_msg_freep) cJSON *o = cJSON_CreateObject();
        _cleanup_(freep) char *out = o && cJSON_AddStringToObject(o, key, value) ? cJSON_PrintUnformatted(o) : NULL;
        if (!out) {
                fprintf(stderr, "svctl: %s\n", strerror(ENOMEM));
                return SVCTL_EXIT_FAILED;
        }
        puts(out);
        return SVCTL_EXIT_OK;
}

/* help, -h, --help: the usage; with --json {"help":TEXT}, TEXT the usage as
 * printed without it. Returns the exit code. */
static int print_help(bool json)
{
        _cleanup_(freep) char *text = NULL;
        size_t len = 0;

        if (!json) {
                usage(stdout);
                return SVCTL_EXIT_OK;
        }
        FILE *m = open_memstream(&text, &len);
        if (!m) {
                fprintf(stderr, "svctl: %s\n", strerror(errno));
                return SVCTL_EXIT_FAILED;
        }
        usage(m);
        if (fclose(m) != 0) {
                fprintf(stderr, "svctl: %s\n", strerror(errno));
                return SVCTL_EXIT_FAILED;
        }
        return print_json_string("help", text);
}

/* --version: "svctl X", or with --json {"svctl":X} (the key "svctl
 * version" uses for it). Returns the exit code. */
static int print_version(bool json)
{
        if (!json) {
                printf("svctl %s\n", SVD_VERSION);
                return SVCTL_EXIT_OK;
        }
        return print_json_string("svctl", SVD_VERSION);
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
        va_list ap;
        fputs("svctl: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputs(" (see 'svctl --help')\n", stderr);
        return -EINVAL;
}

static const struct command *command_find(const char *name)
{
        for (size_t i = 0; i < ELEMENTSOF(commands); i++)
                if (strcmp(commands[i].name, name) == 0)
                        return &commands[i];
        return NULL;
}

/* a and b differ by one edit (a character added, dropped or changed) or by
 * two neighbours swapped ("stpo" for "stop"). */
static bool one_edit_apart(const char *a, const char *b)
{
        size_t la = strlen(a), i = 0;

        if (la == strlen(b)) {
                while (a[i] && a[i] == b[i])
                        i++;
                if (a[i] && a[i + 1] && a[i] == b[i + 1] && a[i + 1] == b[i] &&
                    strcmp(a + i + 2, b + i + 2) == 0)
                        return true;
        }
        return str_distance(a, b) == 1;
}

/* Suggests a command only when the word is close to exactly one: a prefix of
 * one command's name ("stat" for "status"), else one edit or swap away from
 * one ("stpo"). Two edits are too many: every short word is that close to
 * some command ("bogus" to "logs"). */
static int unknown_command(const char *name)
{
        /* the commands dispatch() hands to a parser of their own */
        static const char *const others[] = { "top", "events", "metrics", "secret", "unlock" };
        const char *prefix_of = NULL, *near = NULL;
        size_t n_prefix = 0, n_near = 0;
        size_t len = strlen(name);

        for (size_t i = 0; i < ELEMENTSOF(commands) + ELEMENTSOF(others); i++) {
                const char *c =
                        i < ELEMENTSOF(commands) ? commands[i].name : others[i - ELEMENTSOF(commands)];

                if (len > 0 && strncmp(name, c, len) == 0) {
                        prefix_of = c;
                        n_prefix++;
                } else if (one_edit_apart(name, c)) {
                        near = c;
                        n_near++;
                }
        }
        if (n_prefix == 1)
                return usage_error("unknown command '%s'; did you mean '%s'?", name, prefix_of);
        if (n_prefix == 0 && n_near == 1)
                return usage_error("unknown command '%s'; did you mean '%s'?", name, near);
        return usage_error("unknown command '%s'", name);
}

/* Options may appear anywhere ("svctl status --json" and "svctl --json
 * status" are the same); "--" ends options so a NAME may start with '-'.
 * On error prints one line and returns -EINVAL. */
static int parse_args(int argc, char **argv, struct args *a)
{
        bool options_done = false;
        const char *unknown = NULL; /* said once the command word is known */

        a->names = calloc((size_t)argc + 1, sizeof(char *));
        if (!a->names)
                return -ENOMEM;

        for (int i = 1; i < argc; i++) {
                const char *arg = argv[i];

                if (options_done || arg[0] != '-' || arg[1] == '\0') {
                        if (!a->cmd_name)
                                a->cmd_name = arg;
                        else
                                a->names[a->n_names++] = argv[i];
                } else if (strcmp(arg, "--") == 0) {
                        options_done = true;
                } else if (strcmp(arg, "--json") == 0) {
                        a->json = true;
                } else if (strcmp(arg, "--boot") == 0) {
                        a->boot = true;
                } else if (strcmp(arg, "--dry-run") == 0) {
                        a->dry_run = true;
                } else if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
                        a->help = true;
                } else if (strcmp(arg, "--version") == 0) {
                        a->version = true;
                } else if (strcmp(arg, "-s") == 0 || strcmp(arg, "--socket") == 0) {
                        if (i + 1 >= argc)
                                return usage_error("option '%s' needs a SOCKET path", arg);
                        a->socket = argv[++i];
                } else if (strncmp(arg, "--socket=", 9) == 0) {
                        a->socket = arg + 9;
                } else if (strncmp(arg, "-s", 2) == 0) {
                        if (!(a->socket = svctl_socket_joined(arg)))
                                return -EINVAL;
                } else if (!unknown) {
                        unknown = arg;
                }
        }
        if (unknown) {
                svctl_unknown_option(a->cmd_name && command_find(a->cmd_name) ? a->cmd_name : NULL, unknown);
                return -EINVAL;
        }
        if (a->socket && a->socket[0] == '\0')
                return usage_error("the SOCKET path is empty");
        if (a->help || a->version)
                return 0;

        if (!a->cmd_name)
                return usage_error("missing command");
        a->cmd = command_find(a->cmd_name);
        if (!a->cmd)
                return unknown_command(a->cmd_name);
        if (a->dry_run && a->cmd->op != OP_RELOAD)
                return usage_error("--dry-run goes with reload only");
        if (a->boot && a->cmd->op != OP_STATUS)
                return usage_error("--boot goes with status only");
        /* the summary covers every service: a NAME would be ignored */
        if (a->boot && a->n_names > 0)
                return usage_error("'status --boot' takes no service NAME, got '%s'", a->names[0]);
        if (a->n_names < a->cmd->min_args)
                return usage_error("'%s' needs a service %s", a->cmd->name, a->cmd->args);
        if (a->n_names > a->cmd->max_args) {
                if (a->cmd->max_args == 0)
                        return usage_error("'%s' takes no arguments", a->cmd->name);
                return usage_error("'%s' takes exactly one %s, got %zu", a->cmd->name, a->cmd->args, a->n_names);
        }
        /* "svctl restart \"$SVC\"" with SVC unset: the command line is wrong,
         * not a service svd refused (exit 1) or does not know (4) */
        for (size_t i = 0; i < a->n_names && a->cmd->op != OP_INVALID; i++)
                if (a->names[i][0] == '\0')
                        return usage_error("'%s' needs a service NAME, got an empty one", a->cmd->name);
        return 0;
}

static cJSON *build_request(const struct args *a)
{
        _cleanup_(proto_msg_freep) cJSON *req = cJSON_CreateObject();

        if (!req || !cJSON_AddNumberToObject(req, "v", PROTO_VERSION) ||
            !cJSON_AddStringToObject(req, "op", proto_op_name(a->cmd->op)))
                return NULL;

        if (a->cmd->op == OP_STATUS) {
                if (a->n_names > 0) {
                        cJSON *names = cJSON_AddArrayToObject(req, "names");
                        if (!names)
                                return NULL;
                        for (size_t i = 0; i < a->n_names; i++) {
                                cJSON *s = cJSON_CreateString(a->names[i]);
                                if (!s)
                                        return NULL;
                                cJSON_AddItemToArray(names, s);
                        }
                }
        } else if (a->cmd->op == OP_RELOAD) {
                if (a->dry_run && !cJSON_AddTrueToObject(req, "dry_run"))
                        return NULL;
        } else if (a->cmd->max_args == 1) {
                if (!cJSON_AddStringToObject(req, "name", a->names[0]))
                        return NULL;
        }

        cJSON *ret = req;
        req = NULL;
        return ret;
}

/* Sends the request and reads the reply; prints the failure itself and
 * returns the exit code (or SVCTL_EXIT_OK with *ret_reply set). */
static int exchange(const char *path, const cJSON *req, cJSON **ret_reply)
{
        _cleanup_(closep) int fd = svctl_connect(path, SVCTL_TIMEOUT_SEC);
        if (fd < 0)
                return SVCTL_EXIT_UNREACHABLE;
        return svctl_exchange(fd, req, SVCTL_TIMEOUT_SEC, ret_reply);
}

/* Prints an accepted reply; returns the exit code. */
static int print_reply(const struct args *a, const cJSON *reply)
{
        int r;

        switch (a->cmd->op) {
        case OP_STATUS:
                if (a->boot) {
                        r = svctl_print_boot(stdout, reply, a->json);
                        break;
                }
                r = svctl_print_status(stdout, reply, a->json);
                if (r >= 0 && !a->json && a->n_names > 0)
                        r = svctl_print_details(stdout, reply);
                break;
        case OP_ORDER:
                r = svctl_print_order(stdout, reply, a->json);
                break;
        case OP_VERSION:
                r = svctl_print_version(stdout, reply, SVD_VERSION, a->json);
                break;
        case OP_REOPEN_LOGS:
                r = 0;
                if (a->json)
                        fputs("{\"reopened\":true}\n", stdout);
                break;
        case OP_AUDIT:
                r = svctl_print_audit(stdout, reply, a->json);
                break;
        case OP_SHOW:
                r = svctl_print_show(stdout, reply, a->json);
                break;
        case OP_RELOAD:
                if (!a->json)
                        svctl_print_warning_lines(stderr, reply);
                r = svctl_print_reload(stdout, reply, a->json);
                break;
        case OP_POWEROFF:
        case OP_REBOOT:
        case OP_HALT:
                if (a->json)
                        r = svctl_print_action(stdout, reply, a->cmd->name, true);
                else
                        r = printf("%s: services are stopping\n", a->cmd->name) < 0 ? -EIO : 0;
                break;
        default:
                r = svctl_print_action(stdout, reply, a->names[0], a->json);
                break;
        }
        if (r == -EBADMSG) {
                fprintf(stderr, "svctl: malformed reply from svd to '%s'\n", a->cmd->name);
                return SVCTL_EXIT_FAILED;
        }
        if (r < 0) {
                fprintf(stderr, "svctl: %s\n", strerror(-r));
                return SVCTL_EXIT_FAILED;
        }
        return SVCTL_EXIT_OK;
}

static int run(const struct args *a)
{
        const char *path = a->socket;
        if (!path) {
                path = getenv("SVD_SOCKET");
                if (!path || !*path)
                        path = PROTO_DEFAULT_SOCKET;
        }

        _cleanup_(proto_msg_freep) cJSON *req = build_request(a);
        if (!req) {
                fprintf(stderr, "svctl: %s\n", strerror(ENOMEM));
                return SVCTL_EXIT_FAILED;
        }

        _cleanup_(proto_msg_freep) cJSON *reply = NULL;
        int code = exchange(path, req, &reply);
        if (code != SVCTL_EXIT_OK)
                return code;

        int refused = svctl_check_reply(stderr, reply);
        if (refused < 0)
                return svctl_refused_exit(refused);
        /* done, with a caveat (start/stop/restart: state.json unwritten) */
        const cJSON *warning = cJSON_GetObjectItemCaseSensitive(reply, "warning");
        if (cJSON_IsString(warning)) {
                _cleanup_(freep) char *text = svctl_error_dup(warning->valuestring);
                fprintf(stderr, "svctl: warning: %s\n", text ? text : "(no memory)");
        }
        if (a->cmd->op == OP_REEXEC) /* accepted: whether the exec happened */
                return svctl_reexec_wait(path, reply, a->json);
        return print_reply(a, reply);
}

/* A full disk or closed pipe must not turn into a silent success. */
static int output_checked(int code)
{
        if (fflush(stdout) != 0 || ferror(stdout)) {
                fprintf(stderr, "svctl: cannot write output: %s\n", strerror(errno));
                if (code == SVCTL_EXIT_OK)
                        code = SVCTL_EXIT_FAILED;
        }
        return code;
}

static int dispatch(int argc, char **argv)
{
        _cleanup_(args_done) struct args a = { 0 };

        /* logs has options of its own (-n, -f, ...): its own parser. -h and
         * --help anywhere (before "--") show the help, for those commands too,
         * whatever else is on the line: "logs -n 5 --help" is no unknown -n. */
        bool help = false, json = false;
        for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
                if (strcmp(argv[i], "-s") == 0 || strcmp(argv[i], "--socket") == 0)
                        i++;
                else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
                        help = true;
                else if (strcmp(argv[i], "--json") == 0)
                        json = true;
        }
        if (help)
                return output_checked(print_help(json));
        for (int i = 1; i < argc; i++) {
                if (strcmp(argv[i], "-s") == 0 || strcmp(argv[i], "--socket") == 0) {
                        i++;
                        continue;
                }
                if (argv[i][0] == '-')
                        continue;
                if (strcmp(argv[i], "logs") == 0)
                        return svctl_logs_main(argc, argv);
                if (strcmp(argv[i], "secret") == 0 || strcmp(argv[i], "unlock") == 0) /* svctl_secret.c */
                        return svctl_secret_main(argc, argv);
                if (strcmp(argv[i], "metrics") == 0) /* svctl_metrics.c */
                        return svctl_metrics_main(argc, argv);
                if (strcmp(argv[i], "events") == 0)
                        return svctl_events_main(argc, argv);
                if (strcmp(argv[i], "__complete") == 0)
                        return svctl_complete_main(argc, argv);
                if (strcmp(argv[i], "top") == 0)
                        return svctl_top_main(argc, argv);
                break;
        }

        int r = parse_args(argc, argv, &a);
        if (r == -ENOMEM) {
                fprintf(stderr, "svctl: %s\n", strerror(ENOMEM));
                return SVCTL_EXIT_FAILED;
        }
        if (r < 0)
                return SVCTL_EXIT_USAGE;

        int code;
        if (a.cmd && a.cmd->op == OP_INVALID)
                code = print_help(a.json);
        else if (a.version)
                code = print_version(a.json);
        else
                code = run(&a);
        return output_checked(code);
}

int main(int argc, char **argv)
{
        svctl_jsonerr_begin(argc, argv);
        return svctl_jsonerr_end(dispatch(argc, argv));
}

/* svctl_secret: the secrets commands.
 *   svctl secret list               name, kind, created, consumers (never values)
 *   svctl secret get NAME           the value on stdout (root/admin)
 *   svctl secret set NAME           the new value read from stdin (root/admin)
 *   svctl secret rotate NAME        regenerate, re-mint JWTs, restart consumers
 *   svctl unlock                    passphrase from stdin (no echo on a terminal)
 * Values and passphrases only pass through this process's memory and the
 * control socket; buffers holding them are wiped before exit. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "svctl_sodium.h" /* before secret_b64.h */

#include "proto.h"
#include "secret_b64.h"
#include "svctl_output.h"
#include "svctl_jsonerr.h"
#include "svctl_request.h"
#include "svctl_secret.h"
#include "util.h"

#define MAX_VALUE PROTO_SECRET_MAX
#define SECRET_TIMEOUT_SEC 60 /* for the reply (svctl(8), EXIT STATUS) */
#define INPUT_BUF (MAX_VALUE + 2) /* a value, its newline, the NUL */

static int susage(const char *msg)
{
        fprintf(stderr, "svctl: %s (see 'svctl --help')\n", msg);
        return 2;
}

static void wipe(void *p, size_t n)
{
        volatile unsigned char *v = p;

        while (n--)
                *v++ = 0;
}

/* The terminal's settings while echo is off: a signal (svd ends its console
 * prompt with SIGTERM once the store is unlocked elsewhere; Ctrl-C) puts
 * them back before we die, or the terminal would stay without echo. */
static struct termios saved_tty;
static volatile sig_atomic_t tty_saved;

static void restore_tty(int sig)
{
        if (tty_saved)
                (void)tcsetattr(0, TCSAFLUSH, &saved_tty);
        signal(sig, SIG_DFL);
        raise(sig);
}

/* Reads stdin (one trailing newline dropped) into a buffer of INPUT_BUF
 * bytes, its length in *ret_len; prompts without echo on a tty (and reads
 * one line there). A value is bytes: a NUL byte is kept (it travels as
 * value_base64), a passphrase with one is refused (EINVAL). A value longer
 * than MAX_VALUE is an error (EFBIG), never cut short: a cut key or
 * certificate would be stored and handed to services as if whole. */
static char *read_input(const char *prompt, bool nul_ok, size_t *ret_len)
{
        bool tty = isatty(0);
        struct termios old, raw;
        char *buf = calloc(1, INPUT_BUF);
        size_t len = 0;

        if (!buf)
                return NULL;
        /* unbuffered: stdio's own buffer would keep a copy of the value or
         * passphrase, never wiped, until exit */
        (void)setvbuf(stdin, NULL, _IONBF, 0);
        if (tty) {
                int c;

                if (tcgetattr(0, &old) == 0) {
                        raw = old;
                        raw.c_lflag &= ~(tcflag_t)ECHO;
                        saved_tty = old;
                        tty_saved = 1;
                        signal(SIGTERM, restore_tty);
                        signal(SIGHUP, restore_tty);
                        signal(SIGINT, restore_tty);
                        (void)tcsetattr(0, TCSAFLUSH, &raw);
                }
                /* echo is off before the prompt shows: nothing typed at
                 * the prompt is ever echoed */
                fprintf(stderr, "%s: ", prompt);
                while (len < MAX_VALUE + 1 && (c = getchar()) != EOF && c != '\n')
                        buf[len++] = (char)c;
                if (tty_saved)
                        (void)tcsetattr(0, TCSAFLUSH, &old);
                tty_saved = 0;
                fputc('\n', stderr);
        } else {
                size_t n;
                char more;

                while (len < MAX_VALUE + 1 && (n = fread(buf + len, 1, MAX_VALUE + 1 - len, stdin)) > 0)
                        len += n;
                if (len > MAX_VALUE && fread(&more, 1, 1, stdin) == 1)
                        len++; /* only "too long" matters now */
        }
        if (len && len <= MAX_VALUE + 1 && buf[len - 1] == '\n')
                buf[--len] = 0;
        if (len > MAX_VALUE || (!nul_ok && memchr(buf, 0, len))) {
                wipe(buf, INPUT_BUF);
                free(buf);
                errno = len > MAX_VALUE ? EFBIG : EINVAL;
                return NULL;
        }
        *ret_len = len;
        return buf;
}

/* Writes a value and a newline to stdout without stdio's buffer (which
 * would keep a copy until exit), all of it: a non-blocking stdout that is
 * full is waited for, as a blocking one would be, not left with a cut
 * value or a cut --json document. What is written is counted for --json's
 * error object, which never follows part of a document. 0, or 1 (the exit
 * code) with a message. */
static int write_value(const void *p, size_t len)
{
        const char *c = p;

        for (size_t off = 0; off <= len;) {
                ssize_t n = off < len ? write(1, c + off, len - off) : write(1, "\n", 1);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                        struct pollfd pfd = { .fd = 1, .events = POLLOUT };
                        if (poll(&pfd, 1, -1) >= 0 || errno == EINTR)
                                continue;
                }
                if (n > 0)
                        svctl_jsonerr_wrote((size_t)n);
                if (n <= 0) {
                        fprintf(stderr, "svctl: cannot write the value: %s\n",
                                n < 0 ? strerror(errno) : "short write");
                        return 1;
                }
                off += off < len ? (size_t)n : 1;
        }
        return 0;
}

/* secret get --json: {"name":NAME,"value":TEXT}, or "value_base64" as svd
 * sent it for a value that is not UTF-8 text (no libsodium needed: a script
 * decodes it). Written as write_value writes, the text wiped; 0 or 1. */
static int write_json_value(const char *name, const cJSON *v, const cJSON *b64)
{
        cJSON *o = cJSON_CreateObject();
        char *text = NULL;
        int code = 1;

        if (o && cJSON_AddStringToObject(o, "name", name) &&
            cJSON_AddStringToObject(o, cJSON_IsString(v) ? "value" : "value_base64",
                                    cJSON_IsString(v) ? v->valuestring : b64->valuestring) &&
            (text = cJSON_PrintUnformatted(o)))
                code = write_value(text, strlen(text));
        else
                fprintf(stderr, "svctl: out of memory\n");
        if (text) {
                wipe(text, strlen(text));
                cJSON_free(text);
        }
        if (o) {
                proto_wipe(o);
                cJSON_Delete(o);
        }
        return code;
}

/* secret set|rotate --json: {"name":NAME,"done":"set"|"rotated",
 * "on_rotate":JOB or null}; 0 or 1. */
static int print_change_json(const char *name, enum proto_op op, const cJSON *rep)
{
        const cJSON *job = cJSON_GetObjectItemCaseSensitive(rep, "on_rotate");
        cJSON *o = cJSON_CreateObject();
        char *text = NULL;

        if (o && cJSON_AddStringToObject(o, "name", name) &&
            cJSON_AddStringToObject(o, "done", op == OP_SECRET_SET ? "set" : "rotated") &&
            (cJSON_IsString(job) ? cJSON_AddStringToObject(o, "on_rotate", job->valuestring) != NULL
                                 : cJSON_AddNullToObject(o, "on_rotate") != NULL))
                text = cJSON_PrintUnformatted(o);
        cJSON_Delete(o);
        if (!text) {
                fprintf(stderr, "svctl: out of memory\n");
                return 1;
        }
        puts(text);
        cJSON_free(text);
        return 0;
}

static const char *str_or(const cJSON *o, const char *key, const char *dflt)
{
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

        return cJSON_IsString(v) ? v->valuestring : dflt;
}

/* str_or made safe for a terminal (svctl_safe_copy) in buf: names, kinds
 * and job names come from svd, which is not trusted onto a terminal. */
static const char *safe_or(const cJSON *o, const char *key, const char *dflt, char *buf, size_t len)
{
        svctl_safe_copy(buf, len, str_or(o, key, dflt));
        return buf;
}

/* A time svd sent (seconds since the epoch) in UTC into buf; "?"
 * for one no secret has (negative, or past 1e11 s, the year 5138: bounded as
 * svctl_timer.c bounds its times, the cast of a time_t cannot hold being
 * undefined). */
static const char *utc_or_unknown(double sec, char *buf, size_t len)
{
        time_t t = sec >= 0 && sec < 1e11 ? (time_t)sec : -1;
        struct tm tm;

        if (t < 0 || !gmtime_r(&t, &tm) || !strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm))
                snprintf(buf, len, "?");
        return buf;
}

/* The rotation under way and how the last one ended, above the table. */
static void print_rotations(const cJSON *rep)
{
        const cJSON *last = cJSON_GetObjectItemCaseSensitive(rep, "last_rotation");
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(last, "time");
        _cleanup_(freep) char *reason = svctl_error_dup(str_or(last, "reason", NULL)); /* from the job */
        char when[40] = "", tb[32], s[160], res[64], job[160];

        if (str_or(rep, "rotating", NULL))
                printf("rotating: %s (on_rotate job %s)\n", safe_or(rep, "rotating_secret", "?", s, sizeof(s)),
                       safe_or(rep, "rotating", "?", job, sizeof(job)));
        if (!cJSON_IsObject(last))
                return;
        if (cJSON_IsNumber(t))
                snprintf(when, sizeof when, " at %s", utc_or_unknown(t->valuedouble, tb, sizeof tb));
        printf("last rotation: %s %s (on_rotate job %s%s%s)%s\n", safe_or(last, "secret", "?", s, sizeof(s)),
               safe_or(last, "result", "?", res, sizeof(res)), safe_or(last, "job", "?", job, sizeof(job)),
               reason ? ": " : "", reason ? reason : "", when);
}

static void print_list(const cJSON *rep, bool json)
{
        const cJSON *arr = cJSON_GetObjectItemCaseSensitive(rep, "secrets"), *o;
        const cJSON *store = cJSON_GetObjectItemCaseSensitive(rep, "store");
        const cJSON *err = cJSON_GetObjectItemCaseSensitive(rep, "error");
        const cJSON *kdf = cJSON_GetObjectItemCaseSensitive(rep, "kdf_pending");

        if (json) {
                cJSON *copy = cJSON_Duplicate(rep, true);
                char *s;

                cJSON_DeleteItemFromObjectCaseSensitive(copy, "v");
                cJSON_DeleteItemFromObjectCaseSensitive(copy, "ok");
                if ((s = cJSON_PrintUnformatted(copy)))
                        printf("%s\n", s);
                free(s);
                cJSON_Delete(copy);
                return;
        }
        if (cJSON_IsString(store) && strcmp(store->valuestring, "ok") != 0) {
                char *st = svctl_error_dup(store->valuestring);
                char *e = svctl_error_dup(cJSON_IsString(err) ? err->valuestring : NULL);
                printf("store: %s%s%s\n", st ? st : "?", e ? ": " : "", e ? e : "");
                free(st);
                free(e);
        }
        if (cJSON_IsString(kdf)) {
                char *k = svctl_error_dup(kdf->valuestring);

                printf("kdf: %s\n", k ? k : "?");
                free(k);
        }
        print_rotations(rep);
        printf("%-24s %-10s %-20s %s\n", "NAME", "KIND", "CREATED", "CONSUMERS");
        cJSON_ArrayForEach(o, arr)
        {
                const cJSON *n = cJSON_GetObjectItemCaseSensitive(o, "name");
                const cJSON *k = cJSON_GetObjectItemCaseSensitive(o, "kind");
                const cJSON *c = cJSON_GetObjectItemCaseSensitive(o, "created");
                const cJSON *cons = cJSON_GetObjectItemCaseSensitive(o, "consumers"), *x;
                char when[32] = "-", name[160], kind[64], con[160];

                if (cJSON_IsNumber(c))
                        utc_or_unknown(c->valuedouble, when, sizeof when);
                svctl_safe_copy(name, sizeof(name), cJSON_IsString(n) ? n->valuestring : "-");
                svctl_safe_copy(kind, sizeof(kind), cJSON_IsString(k) ? k->valuestring : "-");
                printf("%-24s %-10s %-20s", name, kind, when);
                bool first = true;
                cJSON_ArrayForEach(x, cons)
                {
                        if (cJSON_IsString(x)) {
                                svctl_safe_copy(con, sizeof(con), x->valuestring);
                                printf("%s%s", first ? " " : ",", con);
                        }
                        first = false;
                }
                printf("\n");
        }
}

int svctl_secret_main(int argc, char **argv)
{
        const char *sock = getenv("SVD_SOCKET"), *words[3] = { 0 };
        size_t nw = 0;
        bool json = false;
        char *input = NULL, *b64 = NULL;
        size_t input_len = 0;
        enum proto_op op;
        int fd, code = 0;

        if (!sock || !*sock)
                sock = PROTO_DEFAULT_SOCKET;
        bool options_done = false;
        const char *unknown = NULL; /* said once the command word is known */
        for (int i = 1; i < argc; i++) {
                if (options_done || argv[i][0] != '-') {
                        /* after "--" a NAME may start with '-' */
                        if (nw >= ELEMENTSOF(words))
                                return susage("too many arguments");
                        words[nw++] = argv[i];
                } else if (strcmp(argv[i], "--") == 0)
                        options_done = true;
                else if (strcmp(argv[i], "-s") == 0 || strcmp(argv[i], "--socket") == 0) {
                        if (++i >= argc)
                                return susage("option '-s' needs a SOCKET path");
                        sock = argv[i];
                } else if (strncmp(argv[i], "--socket=", 9) == 0)
                        sock = argv[i] + 9;
                else if (strncmp(argv[i], "-s", 2) == 0) { /* -sSOCKET, as in svctl.c */
                        if (!(sock = svctl_socket_joined(argv[i])))
                                return 2;
                }
                else if (strcmp(argv[i], "--json") == 0)
                        json = true;
                else if (!unknown)
                        unknown = argv[i];
        }
        if (unknown) {
                svctl_unknown_option(nw ? words[0] : NULL, unknown);
                return 2;
        }
        if (!*sock) /* only an option can leave it empty */
                return susage("the SOCKET path is empty");
        if (nw >= 1 && strcmp(words[0], "unlock") == 0) {
                if (nw != 1)
                        return susage("'unlock' takes no arguments (the passphrase is read from stdin)");
                op = OP_UNLOCK;
        } else {
                const char *sub = nw >= 2 ? words[1] : "";

                if (strcmp(sub, "list") == 0 && nw == 2)
                        op = OP_SECRET_LIST;
                else if (nw != 3)
                        return susage("usage: svctl secret list | get NAME | set NAME | rotate NAME");
                else if (strcmp(sub, "get") == 0)
                        op = OP_SECRET_GET;
                else if (strcmp(sub, "set") == 0)
                        op = OP_SECRET_SET;
                else if (strcmp(sub, "rotate") == 0)
                        op = OP_SECRET_ROTATE;
                else
                        return susage("usage: svctl secret list | get NAME | set NAME | rotate NAME");
                /* (as svctl.c: an unset variable, a usage error, nothing sent) */
                if (nw == 3 && !words[2][0])
                        return susage("'secret' needs a secret NAME, got an empty one");
        }
        if (op == OP_SECRET_SET || op == OP_UNLOCK) {
                if (!(input = read_input(op == OP_UNLOCK ? "passphrase" : "value", op == OP_SECRET_SET,
                                         &input_len))) {
                        if (errno == EFBIG)
                                fprintf(stderr, "svctl: the %s is too long (limit %u bytes); nothing was sent\n",
                                        op == OP_UNLOCK ? "passphrase" : "value", MAX_VALUE);
                        else if (errno == EINVAL)
                                fprintf(stderr,
                                        "svctl: the passphrase holds a NUL byte; nothing was sent\n");
                        else
                                fprintf(stderr, "svctl: cannot read the %s from stdin: %s\n",
                                        op == OP_UNLOCK ? "passphrase" : "value", strerror(errno));
                        return 1;
                }
        }
        cJSON *req = cJSON_CreateObject(), *rep = NULL;
        cJSON_AddNumberToObject(req, "v", PROTO_VERSION);
        cJSON_AddStringToObject(req, "op", proto_op_name(op));
        if (nw == 3)
                cJSON_AddStringToObject(req, "name", words[2]);
        if (input && op == OP_SECRET_SET && !proto_text_ok(input, input_len)) {
                /* a NUL byte, or bytes that are not UTF-8: JSON text cannot carry them */
                char why[300];
                if (svctl_sodium_load(why, sizeof(why)) < 0) {
                        fprintf(stderr, "svctl: %s (needed for a value that is not UTF-8 text); nothing was sent\n",
                                why);
                        code = 1;
                } else if (!(b64 = secret_b64_encode(input, input_len))) {
                        fprintf(stderr, "svctl: out of memory\n");
                        code = 1;
                } else
                        cJSON_AddStringToObject(req, "value_base64", b64);
        } else if (input)
                cJSON_AddStringToObject(req, op == OP_UNLOCK ? "passphrase" : "value", input);
        if (code)
                ; /* nothing to send */
        else if ((fd = svctl_connect(sock, SECRET_TIMEOUT_SEC)) < 0)
                code = 3;
        else {
                code = svctl_exchange(fd, req, SECRET_TIMEOUT_SEC, &rep);
                close(fd);
        }
        /* the request held the value or passphrase */
        proto_wipe(req);
        cJSON_Delete(req);
        if (input) {
                wipe(input, INPUT_BUF);
                free(input);
        }
        if (b64) {
                wipe(b64, strlen(b64));
                free(b64);
        }
        if (code)
                return code;
        /* (the protocol version, "ok" and a refusal, as svctl.c checks them) */
        int refused = svctl_check_reply(stderr, rep);
        if (refused < 0)
                code = svctl_refused_exit(refused);
        else if (op == OP_SECRET_LIST && !cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(rep, "secrets"))) {
                fprintf(stderr, "svctl: malformed reply from svd to 'secret list'\n");
                code = 1;
        } else if (op == OP_SECRET_LIST)
                print_list(rep, json);
        else if (op == OP_SECRET_GET) {
                const cJSON *v = cJSON_GetObjectItemCaseSensitive(rep, "value");
                const cJSON *b = cJSON_GetObjectItemCaseSensitive(rep, "value_base64");
                unsigned char *bytes = NULL;
                size_t len = 0;

                char why[300];

                if (json && (cJSON_IsString(v) || cJSON_IsString(b)))
                        code = write_json_value(words[2], v, b);
                else if (cJSON_IsString(v))
                        code = write_value(v->valuestring, strlen(v->valuestring));
                else if (cJSON_IsString(b) && svctl_sodium_load(why, sizeof(why)) < 0) {
                        fprintf(stderr, "svctl: %s (needed for a value that is not UTF-8 text)\n", why);
                        code = 1;
                } else if (cJSON_IsString(b) && secret_b64_decode(b->valuestring, &bytes, &len) == 0) {
                        code = write_value(bytes, len);
                        wipe(bytes, len);
                        free(bytes);
                } else {
                        fprintf(stderr, "svctl: the reply has no value\n");
                        code = 1;
                }
        } else if (op == OP_UNLOCK && json)
                puts("{\"unlocked\":true}");
        else if (op == OP_UNLOCK)
                fprintf(stderr, "svctl: secrets unlocked\n");
        else if (json)
                code = print_change_json(words[2], op, rep);
        else {
                const cJSON *job = cJSON_GetObjectItemCaseSensitive(rep, "on_rotate");
                char j[160];

                printf("%s: %s%s%s\n", words[2], op == OP_SECRET_SET ? "set" : "rotated",
                       cJSON_IsString(job) ? "; running " : "", safe_or(rep, "on_rotate", "", j, sizeof(j)));
        }
        if (op == OP_SECRET_GET)
                proto_wipe(rep);
        cJSON_Delete(rep);
        if (svctl_flush_stdout() < 0)
                code = 1;
        return code;
}

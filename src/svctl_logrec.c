/* svctl_logrec: for `svctl logs` (svctl_logs.h), a line of a log file as a
 * record, selected by --since and --stream, and how records, and the
 * warnings about files svctl could not read, are printed. Text from a log
 * reaches a terminal cleaned (utf8_clean). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "logfmt.h"
#include "svctl_logread.h"
#include "svctl_logs.h"
#include "svctl_output.h"
#include "utf8.h"

/* One line on stderr for a file svctl could not read or would not. */
void logrec_warn_file(const char *path, int r) {
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
        case LOGREAD_E_NOGZIP:
                why = "gzip (to decompress it) is not in PATH";
                break;
        default:
                fprintf(stderr, "svctl: %s: %s\n", path, strerror(-r));
                return;
        }
        fprintf(stderr, "svctl: %s: skipped, %s; the other files are shown\n", path, why);
}

/* One line on stderr for a file with lines too long for svd to have written. */
void logrec_warn_cut(const char *path, size_t n) {
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
bool logrec_warn_gzip(const char *path, struct logread *rd) {
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
bool logrec_cannot_select(const struct largs *a, const char *service, bool timestamps) {
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

bool logrec_dir_gone(const char *service, const char *cur) {
        const char *slash = strrchr(cur, '/');
        char dir[PATH_MAX], name[128], shown[PATH_MAX];
        struct stat st;
        if (!slash)
                snprintf(dir, sizeof(dir), ".");
        else
                snprintf(dir, sizeof(dir), "%.*s", slash == cur ? 1 : (int)(slash - cur), cur);
        if (stat(dir, &st) == 0 || (errno != ENOENT && errno != ENOTDIR))
                return false; /* (another error shows when its files are read) */
        svctl_safe_copy(name, sizeof(name), service);
        svctl_safe_copy(shown, sizeof(shown), dir);
        fflush(stdout);
        fprintf(stderr, "svctl: %s: its log directory %s does not exist (deleted?): its lines cannot be shown\n", name,
                shown);
        return true;
}

void logrec_cur_gone(const char *service, const char *cur) {
        char name[128], shown[PATH_MAX];
        svctl_safe_copy(name, sizeof(name), service);
        svctl_safe_copy(shown, sizeof(shown), cur);
        fflush(stdout);
        fprintf(stderr, "svctl: %s: its log file %s does not exist (deleted?): its latest lines cannot be shown\n",
                name, shown);
}

/* A line of a file as a record, pointing into line; false if the options
 * filter it out. A cut line is shown as a piece of a longer line. */
bool logrec_make(const struct largs *a, const char *service, const char *line, size_t len, bool cut,
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

void logrec_print_json(const char *service, const char *time, const char *stream, const char *text, size_t len,
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

void logrec_put_str(const char *s) {
        put_text(s, strlen(s));
}

void logrec_print(const struct largs *a, const struct rec *r) {
        if (a->json) {
                char ts[LOGFMT_TIME_LEN + 1];
                logrec_print_json(r->service, r->stream >= 0 ? logfmt_time(r->time, ts) : NULL,
                           r->stream >= 0 ? logfmt_stream_name((enum logfmt_stream)r->stream) : NULL, r->text,
                           r->text_len, r->split);
                return;
        }
        if (!a->name) {
                logrec_put_str(r->service);
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

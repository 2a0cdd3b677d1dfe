/* config_errors: the collected configuration errors (config.h): one line
 * each, "FILE:LINE:COL: KEY: message", cleaned of control characters (and
 * an invisible character shown as its code point, e.g. \uFEFF), and put in line order per file
 * for the reader; warnings the same way, with "warning: " after the
 * position. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_parse.h"
#include "utf8.h"

/* s (valid UTF-8, from utf8_clean) with each invisible character
 * (utf8_is_invisible) written as \u and its 4 hex digits (\u200B), or \U
 * and 8 past U+FFFF (\U000E0041), in a new string; NULL without memory. A
 * byte-order mark or a zero-width space pasted into a name made "unknown
 * user 'root'" (U+FEFF before root), an error no one can see the cause of;
 * a no-break space from a web page reads as a space; a bidirectional
 * override shows the line in another order than it has. */
static char *show_invisible(const char *s)
{
        size_t len = strlen(s);
        /* (a character of 2 or 3 bytes becomes 6, one of 4 becomes 10) */
        char *out = malloc(3 * len + 1), *w = out;

        if (!out)
                return NULL;
        for (size_t i = 0; i < len;) {
                uint32_t cp;
                size_t n = utf8_char(s + i, len - i, &cp);

                if (!n) /* (not after utf8_clean; copied as it is) */
                        n = 1;
                else if (utf8_is_invisible(cp)) {
                        w += sprintf(w, cp > 0xffff ? "\\U%08X" : "\\u%04X", (unsigned)cp);
                        i += n;
                        continue;
                }
                memcpy(w, s + i, n);
                w += n;
                i += n;
        }
        *w = 0;
        return out;
}

/* "FILE:LINE:COL: TAG KEY: message", cleaned (see below); NULL without memory. */
static char *format_line(const struct cfg_pos *pos, const char *tag, const char *key, const char *fmt,
                         va_list ap)
{
        _cleanup_(freep) char *msg = NULL;
        char *line;
        va_list aq;
        int n;

        va_copy(aq, ap);
        n = vsnprintf(NULL, 0, fmt, aq);
        va_end(aq);
        if (n < 0 || !(msg = malloc((size_t)n + 1)))
                return NULL;
        vsnprintf(msg, (size_t)n + 1, fmt, ap);
        if (pos && pos->line > 0)
                line = strdup_printf("%s:%d:%d: %s%s%s%s", pos->file, pos->line, pos->col, tag, key ? key : "",
                                     key ? ": " : "", msg);
        else
                line = strdup_printf("%s: %s%s%s%s", pos ? pos->file : "?", tag, key ? key : "", key ? ": " : "",
                                     msg);
        if (!line)
                return NULL;
        /* One error, one line: a value echoed in the message (a multi-line
         * scalar, a quoted "\n") must not start a line of its own, nor an
         * escape ("\e", "\x9b") reach the console: cleaned (utf8.h), and
         * an invisible character shown (above). */
        for (char *p = line; *p; p++)
                if (*p == '\n' || *p == '\t')
                        *p = ' ';
        size_t len = strlen(line);
        char *clean = malloc(UTF8_CLEAN_MAX(len));
        if (clean)
                utf8_clean(line, len, clean, UTF8_CLEAN_MAX(len), 0);
        free(line);
        if (!clean)
                return NULL;
        char *shown = show_invisible(clean);
        free(clean);
        return shown;
}

static int push(char ***v, size_t *n, char *line)
{
        char **nv = realloc(*v, (*n + 1) * sizeof *nv);

        if (!nv)
                return -ENOMEM;
        *v = nv;
        (*v)[(*n)++] = line;
        return 0;
}

/* Without memory for the message, a fixed one in its place: an error
 * dropped would let a bad configuration load (config_load fails on any
 * error). Without memory even for that, e->lost, which config_load turns
 * into -ENOMEM. */
static void push_fallback(char ***v, size_t *n, bool *lost, const struct cfg_pos *pos, const char *what)
{
        char buf[PATH_MAX + 128];
        char *line;

        snprintf(buf, sizeof buf, "%s: out of memory: %s was not recorded", pos && pos->file ? pos->file : "?",
                 what);
        if (!(line = strdup(buf)) || push(v, n, line) < 0) {
                free(line);
                *lost = true;
        }
}

void cfg_error(struct cfg_errors *e, const struct cfg_pos *pos, const char *key, const char *fmt, ...)
{
        va_list ap;
        char *line;

        va_start(ap, fmt);
        line = format_line(pos, "", key, fmt, ap);
        va_end(ap);
        if (!line || push(&e->msgs, &e->n, line) < 0) {
                free(line);
                push_fallback(&e->msgs, &e->n, &e->lost, pos, "an error in this file");
        }
}

void cfg_warn(struct cfg_errors *e, const struct cfg_pos *pos, const char *key, const char *fmt, ...)
{
        va_list ap;
        char *line;
        bool lost = false;

        va_start(ap, fmt);
        line = format_line(pos, "warning: ", key, fmt, ap);
        va_end(ap);
        if (!line || push(&e->warns, &e->n_warns, line) < 0) {
                free(line);
                /* a warning lost never lets a bad configuration load */
                push_fallback(&e->warns, &e->n_warns, &lost, pos, "a warning about this file");
        }
}

void cfg_errors_free(struct cfg_errors *e)
{
        if (!e)
                return;
        for (size_t i = 0; i < e->n; i++)
                free(e->msgs[i]);
        free(e->msgs);
        for (size_t i = 0; i < e->n_warns; i++)
                free(e->warns[i]);
        free(e->warns);
        *e = (struct cfg_errors){ 0 };
}

struct msg_key {
        long line, col;
        size_t idx;
        char *msg;
};

static int cmp_msg_key(const void *a, const void *b)
{
        const struct msg_key *x = a, *y = b;

        if (x->line != y->line)
                return x->line < y->line ? -1 : 1;
        if (x->col != y->col)
                return x->col < y->col ? -1 : 1;
        return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Puts the errors from one file (msgs[from..]) in line order: keys are checked
 * in a fixed order, but a reader fixes a file top to bottom. */
void cfg_errors_sort_file(struct cfg_errors *e, size_t from, const char *file)
{
        size_t n = e->n - from, flen = strlen(file);
        _cleanup_(freep) struct msg_key *k = NULL;

        if (n < 2 || !(k = calloc(n, sizeof *k)))
                return;
        for (size_t i = 0; i < n; i++) {
                const char *m = e->msgs[from + i];
                char *end = NULL;

                k[i] = (struct msg_key){ .idx = i, .msg = e->msgs[from + i] };
                if (strncmp(m, file, flen) != 0 || m[flen] != ':')
                        continue;
                k[i].line = strtol(m + flen + 1, &end, 10);
                if (end && *end == ':')
                        k[i].col = strtol(end + 1, NULL, 10);
        }
        qsort(k, n, sizeof *k, cmp_msg_key);
        for (size_t i = 0; i < n; i++)
                e->msgs[from + i] = k[i].msg;
}

/* svctl_jsonerr: with --json, svctl's failures are JSON on stdout as well.
 * svctl's errors are lines "svctl: ..." on stderr, written from many places
 * (each command's parser, the connection, svd's refusal); a script reading
 * stdout after `svctl --json ...` used to get nothing at all when svctl
 * failed, which no JSON parser takes. Rather than teach every one of those
 * places about --json, stderr gets a tee that keeps the lines (up to
 * JSONERR_LINES of JSONERR_LINE_MAX bytes: svctl writes a few) and stdout a
 * byte counter; at the end, a failure that printed nothing on stdout prints
 * one object there. What goes to stderr is unchanged. A command that had
 * printed output before failing (logs' records, then a skipped file) is left
 * alone: its stdout is the output it documents. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "svctl_jsonerr.h"
#include "utf8.h"

#define JSONERR_LINES 32
#define JSONERR_LINE_MAX 1024

static struct {
        bool active;
        size_t out_bytes; /* written to fd 1 through stdout */
        char lines[JSONERR_LINES][JSONERR_LINE_MAX];
        size_t n_lines;
        char cur[JSONERR_LINE_MAX]; /* the line being written, cut to fit */
        size_t cur_len;
} je;

/* All of buf to fd; the bytes written, or -1 with errno if none were. */
static ssize_t write_all(int fd, const char *buf, size_t size)
{
        size_t off = 0;

        while (off < size) {
                ssize_t n = write(fd, buf + off, size - off);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0) {
                        if (n == 0)
                                errno = EIO;
                        return off > 0 ? (ssize_t)off : -1;
                }
                off += (size_t)n;
        }
        return (ssize_t)off;
}

/* fopencookie(3)'s write returns the bytes taken, 0 on an error (errno
 * set), never a negative value: glibc's stdio takes -1 as a size and copies
 * from past the buffer (an ASan SEGV in top --json > /dev/full). */
static ssize_t out_write(void *cookie, const char *buf, size_t size)
{
        (void)cookie;
        ssize_t n = write_all(STDOUT_FILENO, buf, size);
        if (n > 0)
                je.out_bytes += (size_t)n;
        return n > 0 ? n : 0;
}

static void keep(const char *buf, size_t size)
{
        for (size_t i = 0; i < size; i++) {
                if (buf[i] != '\n') {
                        if (je.cur_len < JSONERR_LINE_MAX - 1)
                                je.cur[je.cur_len++] = buf[i];
                        continue;
                }
                if (je.n_lines < JSONERR_LINES) {
                        memcpy(je.lines[je.n_lines], je.cur, je.cur_len);
                        je.lines[je.n_lines++][je.cur_len] = '\0';
                }
                je.cur_len = 0;
        }
}

static ssize_t err_write(void *cookie, const char *buf, size_t size)
{
        (void)cookie;
        ssize_t n = write_all(STDERR_FILENO, buf, size);
        keep(buf, n > 0 ? (size_t)n : size); /* kept even if stderr is closed */
        return n > 0 ? n : 0;
}

void svctl_jsonerr_begin(int argc, char **argv)
{
        bool json = false;

        for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
                if (strcmp(argv[i], "-s") == 0 || strcmp(argv[i], "--socket") == 0)
                        i++;
                else if (strcmp(argv[i], "__complete") == 0)
                        return; /* bash completion: words, never JSON */
                else if (strcmp(argv[i], "--json") == 0)
                        json = true;
        }
        if (!json)
                return;

        FILE *out = fopencookie(NULL, "w", (cookie_io_functions_t){ .write = out_write });
        FILE *err = fopencookie(NULL, "w", (cookie_io_functions_t){ .write = err_write });
        if (!out || !err) {
                if (out)
                        fclose(out);
                if (err)
                        fclose(err);
                return;
        }
        /* as the streams they stand for: a terminal sees each line of
         * logs -f at once, stderr is unbuffered (its lines stay in order
         * with what a child such as gzip writes to fd 2) */
        if (setvbuf(out, NULL, isatty(STDOUT_FILENO) ? _IOLBF : _IOFBF, BUFSIZ) != 0 ||
            setvbuf(err, NULL, _IONBF, 0) != 0) {
                fclose(out);
                fclose(err);
                return;
        }
        fflush(stdout);
        fflush(stderr);
        stdout = out;
        stderr = err;
        je.active = true;
}

/* The object for a failure with exit status code; NULL without memory. */
static char *error_object(int code)
{
        char clean[UTF8_CLEAN_MAX(JSONERR_LINE_MAX)];
        const char *error = NULL;
        cJSON *o = cJSON_CreateObject();
        cJSON *msgs = cJSON_CreateArray();

        if (!o || !msgs || !cJSON_AddFalseToObject(o, "ok") || !cJSON_AddNumberToObject(o, "exit", code))
                goto fail;
        if (je.cur_len > 0) /* a last line without its newline */
                keep("\n", 1);
        for (size_t i = 0; i < je.n_lines; i++) {
                /* stderr's text is made safe for a terminal where it comes
                 * from a reply, not always where it comes from argv: JSON
                 * needs valid UTF-8 */
                utf8_clean(je.lines[i], strlen(je.lines[i]), clean, sizeof(clean), 0);
                cJSON *s = cJSON_CreateString(clean);
                if (!s)
                        goto fail;
                cJSON_AddItemToArray(msgs, s);
                /* (not a prompt such as "passphrase: ", not a warning) */
                if (!error && strncmp(clean, "svctl: ", 7) == 0 && strncmp(clean, "svctl: warning: ", 16) != 0 &&
                    strncmp(clean, "svctl: svd: ", 12) != 0)
                        error = s->valuestring;
        }
        if (!error && je.n_lines > 0)
                error = cJSON_GetArrayItem(msgs, 0)->valuestring;
        if (error && strncmp(error, "svctl: ", 7) == 0)
                error += 7;
        if (!cJSON_AddStringToObject(o, "error", error ? error : "failed (nothing said why)"))
                goto fail;
        cJSON_AddItemToObject(o, "messages", msgs);
        char *text = cJSON_PrintUnformatted(o);
        cJSON_Delete(o);
        return text;
fail:
        cJSON_Delete(msgs);
        cJSON_Delete(o);
        return NULL;
}

void svctl_jsonerr_wrote(size_t n)
{
        je.out_bytes += n;
}

int svctl_jsonerr_end(int code)
{
        if (!je.active)
                return code;
        (void)fflush(stdout); /* what is still buffered counts as written */
        if (code == 0 || je.out_bytes > 0)
                return code;
        char *text = error_object(code);
        if (!text) {
                fprintf(stderr, "svctl: %s\n", strerror(ENOMEM));
                return code;
        }
        (void)fprintf(stdout, "%s\n", text);
        (void)fflush(stdout);
        cJSON_free(text);
        return code;
}

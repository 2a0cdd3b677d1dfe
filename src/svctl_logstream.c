/* svctl_logstream: `svctl logs` without -n (svctl_logs.h): every file of
 * every service read in order, a line at a time, each line printed as it is
 * read, the services merged line by line by time; memory stays bounded
 * whatever the files' size. Each current file is opened as the listing
 * arrives and read last through that descriptor, whatever a rotation
 * renamed it to meanwhile. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "svctl_logread.h"
#include "svctl_logs.h"
#include "util.h"

/* Without -n: one service's files read in order, a line at a time. */
struct src {
        const char *service;
        bool ts;
        const cJSON *next;  /* the next listed file, then current */
        const cJSON *cur;
        bool cur_held;      /* svd holds cur open (its reply gave the inode) */
        int cur_fd;         /* cur, opened when the listing came; else -errno */
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
                bool is_cur = false;
                if (s->next) {
                        path = cJSON_IsString(s->next) ? s->next->valuestring : NULL;
                        s->next = s->next->next;
                } else if (!s->cur_done) {
                        s->cur_done = is_cur = true;
                        path = cJSON_IsString(s->cur) ? s->cur->valuestring : NULL;
                } else
                        return false;
                if (!path)
                        continue;
                free(s->gz);
                s->gz = NULL;
                int r = is_cur ? s->cur_fd : logread_open(&s->rd, path, UINT64_MAX);
                if (is_cur && r >= 0) {
                        logread_from_fd(&s->rd, s->cur_fd, UINT64_MAX);
                        s->cur_fd = -1;
                        r = 0;
                }
                if (r == -ENOENT && is_cur) {
                        if (s->cur_held) {
                                logrec_cur_gone(s->service, path);
                                *code = 1;
                        } /* (else never opened by this svd: perhaps never written) */
                        continue;
                }
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
                        logrec_warn_file(path, r);
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
                        if (logrec_make(a, s->service, line, len, cut, s->ts, &s->head)) {
                                s->has_head = true;
                                return;
                        }
                if (r < 0) {
                        logrec_warn_file(s->path, r);
                        *code = 1;
                }
                logrec_warn_cut(s->path, s->rd.n_cut);
                if (r == 0 && logrec_warn_gzip(s->path, &s->rd))
                        *code = 1;
                logread_close(&s->rd);
                s->open = false;
        }
}

/* Without -n: every file of every service read in order, a line at a time,
 * merged by time (each service's lines in their order in its files). */
int logstream_all(const struct largs *a, const cJSON *svcs) {
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
                const cJSON *cur = cJSON_GetObjectItemCaseSensitive(s, "current");
                if (logrec_cannot_select(a, nm->valuestring, ts) ||
                    (cJSON_IsString(cur) && logrec_dir_gone(nm->valuestring, cur->valuestring))) {
                        code = 1;
                        continue;
                }
                v[k] = (struct src){.service = nm->valuestring,
                                    .ts = ts,
                                    .next = cJSON_IsArray(files) ? files->child : NULL,
                                    .cur = cur,
                                    .cur_held = cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(s, "ino")),
                                    .cur_fd = -ENOENT,
                                    .rd = {.fd = -1, .errfd = -1}};
                /* The current file now, before its older files are read
                 * (which may take long): a rotation meanwhile renames it
                 * out of the listing, and the name would then give the
                 * next file, its lines missing from the middle. (A rotation
                 * renames it and opens it anew at once: a second look
                 * finds the new one.) */
                if (cJSON_IsString(cur)) {
                        v[k].cur_fd = logread_open_file(cur->valuestring);
                        if (v[k].cur_fd == -ENOENT && v[k].cur_held)
                                v[k].cur_fd = logread_open_file(cur->valuestring);
                }
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
                logrec_print(a, &best->head);
                src_advance(a, best, &code);
        }
        for (size_t i = 0; i < k; i++) {
                if (v[i].open)
                        logread_close(&v[i].rd);
                if (v[i].cur_fd >= 0)
                        close(v[i].cur_fd);
                free(v[i].gz);
        }
        free(v);
        return code;
}

/* svctl_logtail: `svctl logs -n N` (svctl_logs.h): each service's last N
 * lines, from its current file read back from its end, then its rotated
 * files newest first only while lines are missing (a .gz streamed keeping
 * its last N lines in a ring); the services merged by time. Memory stays
 * bounded by N lines whatever the files' size. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logfmt.h"
#include "svctl_logread.h"
#include "svctl_logs.h"
#include "svctl_output.h"
#include "util.h"

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

/* One service's reading so far: the lines kept, and whether the file read
 * last had a line at or after --since, and one before it. */
struct tally {
        size_t added;
        bool newer, older;
};

static void tally_age(const struct largs *a, const struct rec *rc, struct tally *t) {
        if (!a->has_since || rc->stream < 0) /* (no timestamp: no time) */
                return;
        if (rc->time < a->since)
                t->older = true;
        else
                t->newer = true;
}

/* -n from a regular file: its lines from the end, newest first into R, until
 * want are kept. Takes fd over. */
static int tail_back(struct recs *R, const struct largs *a, const char *service, bool ts, const char *path, int fd,
                     uint64_t limit, size_t want, struct tally *t) {
        struct logback b;
        int r = logback_init(&b, fd, limit);
        const char *line;
        size_t len;
        bool cut;
        while (r >= 0 && t->added < want && (r = logback_prev(&b, &line, &len, &cut)) > 0) {
                struct rec rc;
                bool kept = logrec_make(a, service, line, len, cut, ts, &rc);
                tally_age(a, &rc, t);
                if (kept) {
                        if ((r = rec_keep(R, &rc)) < 0)
                                break;
                        t->added++;
                }
        }
        logrec_warn_cut(path, b.n_cut);
        logback_close(&b);
        if (r < 0)
                logrec_warn_file(path, r);
        return r < 0 ? r : 0;
}

/* -n from a stream (a .gz through gzip): read to its end keeping the last
 * want lines in a ring, then newest first into R. Closes rd. */
static int tail_ring(struct recs *R, const struct largs *a, const char *service, bool ts, const char *path,
                     struct logread *rd, size_t want, struct tally *t) {
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
        if (!want) { /* -n 0: nothing to keep (and no slot to keep it in) */
                logread_close(rd);
                return 0;
        }
        while ((r = logread_next(rd, &line, &len, &cut)) > 0) {
                struct rec rc;
                bool kept = logrec_make(a, service, line, len, cut, ts, &rc);
                tally_age(a, &rc, t);
                if (!kept)
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
        logrec_warn_cut(path, rd->n_cut);
        bool gz_failed = r == 0 && logrec_warn_gzip(path, rd);
        logread_close(rd);
        size_t have = pos < want ? pos : want;
        for (size_t k = 0; r >= 0 && k < have; k++)
                if ((r = rec_keep(R, &ring[(pos - 1 - k) % want].r)) >= 0)
                        t->added++;
        for (size_t k = 0; k < n_ring; k++)
                free(ring[k].buf);
        free(ring);
        if (r < 0)
                logrec_warn_file(path, r);
        return r < 0 ? r : gz_failed ? -EIO : 0;
}

/* -n from a listed file, read back from its end if it is not compressed; one
 * compressed since svd listed it is read as .gz; one deleted since is
 * skipped. Lines newest first into R until want are kept. */
static int tail_file(struct recs *R, const struct largs *a, const char *service, bool ts, const char *path,
                     uint64_t limit, size_t want, struct tally *t) {
        _cleanup_(freep) char *gz = NULL;
        if (t->added >= want)
                return 0;
        if (!logread_is_gz(path)) {
                int fd = logread_open_file(path);
                if (fd >= 0)
                        return tail_back(R, a, service, ts, path, fd, limit, want, t);
                if (fd != -ENOENT) {
                        logrec_warn_file(path, fd);
                        return fd;
                }
                if (!(gz = strdup_printf("%s.gz", path))) {
                        logrec_warn_file(path, -ENOMEM);
                        return -ENOMEM;
                }
                path = gz;
        }
        struct logread rd;
        int r = logread_open(&rd, path, limit);
        if (r == -ENOENT)
                return 0;
        if (r < 0) {
                logrec_warn_file(path, r);
                return r;
        }
        return tail_ring(R, a, service, ts, path, &rd, want, t);
}

/* -n from the current file, read back from its end. One svd holds open
 * (held) that is not there is said to be missing (logrec_cur_gone): -ENOENT;
 * one svd has not opened may never have been written: 0. */
static int tail_current(struct recs *R, const struct largs *a, const char *service, bool ts, const char *path,
                        bool held, size_t want, struct tally *t) {
        int fd = logread_open_file(path);
        /* (a rotation renames it and opens it anew at once: a second look
         * finds the new one) */
        if (fd == -ENOENT && held)
                fd = logread_open_file(path);
        if (fd >= 0)
                return tail_back(R, a, service, ts, path, fd, UINT64_MAX, want, t);
        if (fd == -ENOENT) {
                if (!held)
                        return 0;
                logrec_cur_gone(service, path);
        } else
                logrec_warn_file(path, fd);
        return fd;
}

static int rec_cmp(const void *x, const void *y) {
        const struct rec *a = x, *b = y;
        if (a->time != b->time)
                return a->time < b->time ? -1 : 1;
        return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* -n: each service's last N lines, from its newest file back (older files
 * are touched only while lines are missing), merged by time. */
int logtail_all(const struct largs *a, const cJSON *svcs, struct subscribed *sub) {
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
                size_t first = R.n;
                struct tally t = {0};
                /* (with -f, a file opened already is read whatever came after) */
                if (logrec_cannot_select(a, svc, ts) ||
                    (cJSON_IsString(cur) && !(sub && sub[si].fd >= 0) && logrec_dir_gone(svc, cur->valuestring))) {
                        code = 1;
                        continue;
                }
                if (sub && cJSON_IsString(cur) && cJSON_IsNumber(size)) {
                        /* following: exactly what was written before the subscription */
                        uint64_t limit = (uint64_t)size->valuedouble;
                        bool warned = false, rotated_away = false;
                        if (sub[si].fd >= 0) {
                                warned = (r = tail_back(&R, a, svc, ts, cur->valuestring, sub[si].fd, limit, want,
                                                        &t)) < 0;
                                sub[si].fd = -1;
                        } else if (sub[si].err)
                                r = sub[si].err;
                        else if (sub[si].gz) {
                                /* rotated and compressed since: read if
                                 * not deleted already */
                                struct logread rd;
                                if ((r = logread_open(&rd, sub[si].gz, limit)) == 0)
                                        warned = (r = tail_ring(&R, a, svc, ts, sub[si].gz, &rd, want, &t)) < 0;
                                else if (r == -ENOENT)
                                        rotated_away = true;
                                else {
                                        logrec_warn_file(sub[si].gz, r);
                                        warned = true;
                                }
                        } else
                                r = -ENOENT;
                        char name[128];
                        svctl_safe_copy(name, sizeof(name), svc);
                        if (r == -ENOENT && rotated_away)
                                fprintf(stderr, "svctl: %s: the file current when following began was rotated and "
                                                "deleted before it could be read; its lines are missing\n", name);
                        else if (r == -ENOENT)
                                /* no rotated file took its place: not svd */
                                fprintf(stderr, "svctl: %s: the file current when following began was deleted "
                                                "before it could be read (not by a rotation); its lines are "
                                                "missing\n", name);
                        else if (r < 0 && !warned)
                                logrec_warn_file(sub[si].err && sub[si].gz ? sub[si].gz : cur->valuestring, r);
                        if (r < 0)
                                code = 1;
                } else if (cJSON_IsString(cur) &&
                           tail_current(&R, a, svc, ts, cur->valuestring,
                                        cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(s, "ino")), want, &t) < 0)
                        code = 1;
                /* the rotated files, newest first (a cJSON array's first
                 * item's prev is its last), until a file all of whose
                 * lines are older than --since: the files before it are
                 * older still, and are not read */
                const cJSON *head = cJSON_IsArray(files) ? files->child : NULL;
                bool past = t.older && !t.newer;
                for (const cJSON *f = head ? head->prev : NULL; f && t.added < want && !past;
                     f = f == head ? NULL : f->prev) {
                        t.newer = t.older = false;
                        if (cJSON_IsString(f) && tail_file(&R, a, svc, ts, f->valuestring, UINT64_MAX, want, &t) < 0)
                                code = 1;
                        past = t.older && !t.newer;
                }
                for (size_t i = first, j = R.n; i + 1 < j; i++, j--) {
                        struct rec x = R.v[i];
                        R.v[i] = R.v[j - 1];
                        R.v[j - 1] = x;
                }
        }
        for (size_t i = 0; i < R.n; i++)
                R.v[i].seq = i;
        if (!a->name && R.n > 1)
                qsort(R.v, R.n, sizeof(*R.v), rec_cmp);
        for (size_t i = R.n > want ? R.n - want : 0; i < R.n; i++)
                logrec_print(a, &R.v[i]);
        recs_free(&R);
        return code;
}

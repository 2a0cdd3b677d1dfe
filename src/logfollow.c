/* logfollow: the logs, logs_follow and reopen_logs operations and the
 * fan-out of new lines to followers (see logfollow.h). Lines are published
 * from logpipe right after they are formed, before anything else can run, so
 * a follower subscribed at file size S sees exactly the records after S. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "control.h"
#include "log.h"
#include "logfollow.h"
#include "logsink.h"
#include "proto.h"
#include "svd.h"
#include "utf8.h"

#define FRAME_TEXT_MAX (256u << 10) /* JSON text bytes per frame, well under PROTO_MAX_FRAME */

struct follower {
        void *client;
        char *service; /* NULL: all */
        int stream;    /* -1: both */
};

void logfollow_done(struct logs *L) {
        for (size_t i = 0; i < L->n_followers; i++) {
                free(L->followers[i]->service);
                free(L->followers[i]);
        }
        free(L->followers);
        L->followers = NULL;
        L->n_followers = 0;
}

static void send_lines(struct logs *L, size_t fi, cJSON **frame) {
        struct follower *f = L->followers[fi];
        if (*frame && !control_client_send(f->client, *frame)) {
                /* the client was dropped (queue full); logs_unfollow removed it */
        }
        cJSON_Delete(*frame);
        *frame = NULL;
}

/* Bytes of s as a JSON string: a control byte is escaped in six, so a line
 * of them takes six times its size in the frame. */
static size_t json_len(const char *s) {
        size_t n = 2;
        for (; *s; s++) {
                unsigned char c = (unsigned char)*s;
                if (c >= 0x20)
                        n += c == '"' || c == '\\' ? 2 : 1;
                else
                        n += strchr("\b\f\n\r\t", c) ? 2 : 6;
        }
        return n;
}

void logfollow_release(struct logs *L) {
        if (!L || L->n_followers || !L->recs)
                return;
        free(L->recs);
        L->recs = NULL;
        L->cap_recs = 0;
}

void logfollow_publish(struct logs *L, const struct logsink *k, const struct logfmt_rec *recs, size_t n) {
        const char *name = k->s->cfg->name;
        size_t maxlen = 0;
        for (size_t i = 0; i < n; i++)
                if (recs[i].text_len > maxlen)
                        maxlen = recs[i].text_len;
        char *clean = malloc(3 * maxlen + 1);
        if (!clean)
                return;
        /* backwards: a follower dropped while sending is swapped with the last */
        for (size_t fi = L->n_followers; fi-- > 0;) {
                struct follower *f = L->followers[fi];
                if (f->service && strcmp(f->service, name) != 0)
                        continue;
                cJSON *frame = NULL, *arr = NULL;
                size_t bytes = 0;
                for (size_t i = 0; i < n; i++) {
                        const struct logfmt_rec *r = &recs[i];
                        if (f->stream >= 0 && (int)r->stream != f->stream)
                                continue;
                        if (!frame) {
                                frame = cJSON_CreateObject();
                                cJSON_AddNumberToObject(frame, "v", PROTO_VERSION);
                                arr = cJSON_AddArrayToObject(frame, "lines");
                                bytes = 0;
                        }
                        cJSON *o = cJSON_CreateObject();
                        char ts[LOGFMT_TIME_LEN + 1];
                        cJSON_AddStringToObject(o, "service", name);
                        cJSON_AddStringToObject(o, "time", logfmt_time(r->time, ts));
                        cJSON_AddStringToObject(o, "stream", logfmt_stream_name(r->stream));
                        utf8_clean(r->text, r->text_len, clean, 3 * maxlen + 1, UTF8_KEEP_CTRL);
                        cJSON_AddStringToObject(o, "text", clean);
                        const char *split = logfmt_split_json(r->split);
                        if (split)
                                cJSON_AddBoolToObject(o, split, true);
                        cJSON_AddItemToArray(arr, o);
                        bytes += json_len(clean) + 64;
                        if (bytes > FRAME_TEXT_MAX) {
                                size_t before = L->n_followers;
                                send_lines(L, fi, &frame);
                                if (L->n_followers != before)
                                        break;
                        }
                }
                if (frame)
                        send_lines(L, fi, &frame);
        }
        free(clean);
}

static int stream_filter(const cJSON *req, int *ret) {
        const cJSON *st = cJSON_GetObjectItemCaseSensitive(req, "stream");
        *ret = -1;
        if (!st || cJSON_IsNull(st))
                return 0;
        if (!cJSON_IsString(st))
                return -EINVAL;
        int s = logfmt_stream_from_name(st->valuestring, strlen(st->valuestring));
        if (s != LOGFMT_OUT && s != LOGFMT_ERR)
                return -EINVAL;
        *ret = s;
        return 0;
}

/* The listing shared by logs and logs_follow; NULL name: all services. */
static cJSON *list_reply(struct svd *m, const cJSON *req, const char **ret_name) {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(req, "name");
        *ret_name = NULL;
        if (name && !cJSON_IsNull(name)) {
                if (!cJSON_IsString(name) || !name->valuestring[0])
                        return proto_reply_error(PROTO_E_BAD_REQUEST, "field 'name': expected a service name");
                if (!svd_find(m, name->valuestring))
                        return proto_reply_error(PROTO_E_NOT_FOUND, "unknown service '%s'", name->valuestring);
                *ret_name = name->valuestring;
        }
        int stream;
        if (stream_filter(req, &stream) < 0)
                return proto_reply_error(PROTO_E_BAD_REQUEST, "field 'stream': expected \"out\" or \"err\"");
        /* the rotated files of every log listed, in one pass per directory */
        _cleanup_(freep) struct logsink **ks = calloc(m->n_svcs ? m->n_svcs : 1, sizeof(*ks));
        _cleanup_(freep) char ***lists = calloc(m->n_svcs ? m->n_svcs : 1, sizeof(*lists));
        if (!ks || !lists)
                return proto_reply_error(PROTO_E_FAILED, "%s", strerror(ENOMEM));
        for (size_t i = 0; i < m->n_svcs; i++)
                if (!*ret_name || strcmp(m->svcs[i]->cfg->name, *ret_name) == 0)
                        ks[i] = m->svcs[i]->log;
        logrotate_list_all(ks, m->n_svcs, lists);
        cJSON *r = proto_reply_ok();
        cJSON_AddStringToObject(r, "format", "svd-log-1");
        cJSON *arr = cJSON_AddArrayToObject(r, "services");
        for (size_t i = 0; i < m->n_svcs; i++) {
                struct svc *s = m->svcs[i];
                if (*ret_name && strcmp(s->cfg->name, *ret_name) != 0)
                        continue;
                cJSON *o = cJSON_CreateObject();
                cJSON_AddStringToObject(o, "name", s->cfg->name);
                cJSON_AddBoolToObject(o, "timestamps", s->cfg->logging.timestamps);
                struct logsink *k = s->log;
                cJSON *files = cJSON_AddArrayToObject(o, "files");
                if (k) {
                        for (char **p = lists[i]; p && *p; p++)
                                cJSON_AddItemToArray(files, cJSON_CreateString(*p));
                        cJSON_AddStringToObject(o, "current", k->path);
                        struct statx sx;
                        if (k->fd >= 0 &&
                            statx(k->fd, "", AT_EMPTY_PATH, STATX_INO | STATX_BTIME | STATX_SIZE, &sx) == 0) {
                                cJSON_AddNumberToObject(o, "ino", (double)sx.stx_ino);
                                /* an inode number is reused once a rotated file
                                 * is compressed and deleted: the birth time
                                 * tells a later file from the one meant */
                                if (sx.stx_mask & STATX_BTIME) {
                                        char bt[48];
                                        snprintf(bt, sizeof(bt), "%lld.%09u", (long long)sx.stx_btime.tv_sec,
                                                 sx.stx_btime.tv_nsec);
                                        cJSON_AddStringToObject(o, "btime", bt);
                                }
                                /* an offset in the file as it is: emptied by
                                 * hand, it is smaller than svd counted, and
                                 * a reader up to the count would also take
                                 * records that come after (and from svd) */
                                uint64_t size = k->size;
                                if ((sx.stx_mask & STATX_SIZE) && sx.stx_size < size)
                                        size = sx.stx_size;
                                cJSON_AddNumberToObject(o, "size", (double)size);
                        }
                } else {
                        /* never started in this svd: the default file may exist */
                        char *p = s->cfg->logging.file ? strdup(s->cfg->logging.file)
                                                       : strdup_printf("%s/%s.log", m->cfg->log_dir, s->cfg->name);
                        if (p)
                                cJSON_AddStringToObject(o, "current", p);
                        free(p);
                }
                cJSON_AddItemToArray(arr, o);
        }
        for (size_t i = 0; i < m->n_svcs; i++)
                strv_free(lists[i]);
        return r;
}

cJSON *logs_op_list(struct svd *m, const cJSON *req) {
        const char *name;
        return list_reply(m, req, &name);
}

cJSON *logs_op_follow(struct svd *m, const cJSON *req, void *client, const struct control_peer *peer) {
        const char *name;
        struct logs *L = m->logs;
        /* The lines are the files' contents, and those are 0640, group
         * admin: following them takes what reading them takes. */
        if (!peer->admin) {
                log_warn("control: refused logs_follow from uid %u pid %d: not an administrator",
                         (unsigned)peer->uid, (int)peer->pid);
                return proto_reply_error(PROTO_E_DENIED, "permission denied: logs_follow needs root or the admin group");
        }
        /* One subscription per connection: a second would be a second entry
         * for the same client, and the lines would come twice. */
        for (size_t i = 0; i < L->n_followers; i++)
                if (L->followers[i]->client == client)
                        return proto_reply_error(PROTO_E_BAD_REQUEST,
                                                 "this connection already follows logs (one logs_follow per connection)");
        /* Records are published when they are formed; the size in the reply
         * must cover every one published so far, so anything formed and not
         * yet written goes to the file first (it only waits there after a
         * write error). */
        for (size_t i = 0; i < m->n_svcs; i++)
                if (m->svcs[i]->log)
                        logsink_write_out(m->svcs[i]->log);
        cJSON *r = list_reply(m, req, &name);
        if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "ok")))
                return r;
        struct follower *f = calloc(1, sizeof(*f));
        struct follower **nv = realloc(L->followers, (L->n_followers + 1) * sizeof(*nv));
        if (nv)
                L->followers = nv;
        if (!f || !nv || (name && !(f->service = strdup(name)))) {
                free(f);
                cJSON_Delete(r);
                return proto_reply_error(PROTO_E_FAILED, "%s", strerror(ENOMEM));
        }
        f->client = client;
        (void)stream_filter(req, &f->stream);
        L->followers[L->n_followers++] = f;
        return r;
}

void logs_unfollow(struct svd *m, void *client) {
        struct logs *L = m->logs;
        if (!L)
                return;
        for (size_t i = L->n_followers; i-- > 0;) /* every entry: a stale one is a use after free */
                if (L->followers[i]->client == client) {
                        free(L->followers[i]->service);
                        free(L->followers[i]);
                        L->followers[i] = L->followers[--L->n_followers];
                }
}

void logs_follow_removed(struct svd *m, const char *name) {
        struct logs *L = m->logs;
        char msg[128]; /* (names: 64 bytes at most) */
        snprintf(msg, sizeof(msg), "logs_follow ended: service '%s' was removed by a reload", name);
        /* backwards: control_logs_ended drops the entry (swapped with the last) */
        for (size_t i = L ? L->n_followers : 0; i-- > 0;)
                if (i < L->n_followers && L->followers[i]->service && strcmp(L->followers[i]->service, name) == 0)
                        control_logs_ended(L->followers[i]->client, PROTO_E_NOT_FOUND, msg);
}

cJSON *logs_op_reopen(struct svd *m, const struct control_peer *peer) {
        if (!peer->admin) {
                log_warn("control: refused reopen_logs from uid %u pid %d: not an administrator",
                         (unsigned)peer->uid, (int)peer->pid);
                return proto_reply_error(PROTO_E_DENIED, "permission denied: reopen_logs needs root or the admin group");
        }
        int failed = logs_reopen_all(m);
        log_info("control: reopen_logs from uid %u pid %d: %d failed", (unsigned)peer->uid, (int)peer->pid, failed);
        if (failed)
                return proto_reply_error(PROTO_E_FAILED, "%d log files could not be reopened", failed);
        return proto_reply_ok();
}

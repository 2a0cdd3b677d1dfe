/* events: the ring of recent state/health changes and their followers (see
 * events.h). Nothing here blocks: a follower's frame is queued by control.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "logfmt.h"
#include "log.h"
#include "logfollow.h"
#include "proto.h"
#include "svc.h"
#include "svd.h"

/* 40 bytes: kind, from and to are the static names svc.c passes; the
 * service name and the reason share one small heap string. */
struct event {
        usec_t time;
        const char *kind, *from, *to;
        char *text; /* "service\0reason"; NULL if out of memory */
};

#define EVENT_REASON_MAX 160 /* bytes of the reason kept, as before */

static const char *ev_service(const struct event *e) {
        return e->text ? e->text : "?";
}

static const char *ev_reason(const struct event *e) {
        return e->text ? e->text + strlen(e->text) + 1 : "";
}

struct events {
        struct event ring[EVENTS_RING];
        size_t head, n; /* oldest at (head + EVENTS_RING - n) % EVENTS_RING */
        void **followers;
        size_t n_followers, cap_followers;
};

static struct events *get(struct svd *m) {
        if (!m->events)
                m->events = calloc(1, sizeof(struct events));
        return m->events;
}

static cJSON *event_json(const struct event *e) {
        char ts[LOGFMT_TIME_LEN + 1];
        cJSON *o = cJSON_CreateObject();
        if (!o)
                return NULL;
        cJSON_AddStringToObject(o, "time", logfmt_time(e->time, ts));
        cJSON_AddStringToObject(o, "service", ev_service(e));
        cJSON_AddStringToObject(o, "kind", e->kind);
        cJSON_AddStringToObject(o, "from", e->from);
        cJSON_AddStringToObject(o, "to", e->to);
        if (ev_reason(e)[0])
                cJSON_AddStringToObject(o, "reason", ev_reason(e));
        else
                cJSON_AddNullToObject(o, "reason");
        return o;
}

/* "service\0reason", the reason cut to EVENT_REASON_MAX; NULL if out of memory */
static char *ev_text(const char *name, const char *why) {
        size_t ln = strlen(name), lr = strnlen(why, EVENT_REASON_MAX - 1);
        char *t = malloc(ln + lr + 2);
        if (t) {
                memcpy(t, name, ln + 1);
                memcpy(t + ln + 1, why, lr);
                t[ln + 1 + lr] = 0;
        }
        return t;
}

/* Into the next slot (the oldest one's once the ring is full), which takes
 * text over. */
static struct event *place(struct events *E, usec_t time, const char *kind, const char *from, const char *to,
                           char *text) {
        struct event *e = &E->ring[E->head];
        free(e->text);
        e->text = text;
        e->time = time;
        e->kind = kind;
        e->from = from;
        e->to = to;
        E->head = (E->head + 1) % EVENTS_RING;
        if (E->n < EVENTS_RING)
                E->n++;
        return e;
}

void events_emit(struct svd *m, const struct svc *s, const char *kind, const char *from, const char *to) {
        struct events *E = get(m);
        if (!E)
                return;
        /* health: the last check's result, except for "none" (svc_set_health) */
        const char *why = strcmp(kind, "health") != 0 ? s->reason : strcmp(to, "none") == 0 ? "" : s->probe_detail;
        struct event *e = place(E, now_real(), kind, from, to, ev_text(s->cfg->name, why));
        if (!E->n_followers)
                return;
        cJSON *frame = cJSON_CreateObject();
        if (!frame)
                return;
        cJSON_AddNumberToObject(frame, "v", PROTO_VERSION);
        cJSON_AddItemToObject(frame, "event", event_json(e));
        /* backwards: a follower dropped while sending is swapped with the last */
        for (size_t i = E->n_followers; i-- > 0;)
                if (i < E->n_followers)
                        control_client_send(E->followers[i], frame);
        cJSON_Delete(frame);
}

static cJSON *list(struct svd *m, const cJSON *req) {
        const cJSON *nj = cJSON_GetObjectItemCaseSensitive(req, "n");
        if (nj && (!cJSON_IsNumber(nj) || nj->valuedouble < 0))
                return proto_reply_error(PROTO_E_BAD_REQUEST, "field 'n': expected a number >= 0");
        const cJSON *fj = cJSON_GetObjectItemCaseSensitive(req, "follow");
        if (fj && !cJSON_IsBool(fj)) /* never taken for false: the client would wait for nothing */
                return proto_reply_error(PROTO_E_BAD_REQUEST, "field 'follow': expected true or false");
        struct events *E = get(m);
        if (!E)
                return proto_reply_error(PROTO_E_FAILED, "out of memory");
        size_t want = nj && nj->valuedouble < (double)E->n ? (size_t)nj->valuedouble : E->n;
        cJSON *r = proto_reply_ok();
        cJSON *arr = cJSON_AddArrayToObject(r, "events");
        for (size_t k = E->n - want; k < E->n; k++)
                cJSON_AddItemToArray(arr, event_json(&E->ring[(E->head + EVENTS_RING - E->n + k) % EVENTS_RING]));
        return r;
}

cJSON *events_op_list(struct svd *m, const cJSON *req) {
        return list(m, req);
}

cJSON *events_op_follow(struct svd *m, const cJSON *req, void *client) {
        cJSON *r = list(m, req);
        if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "ok")))
                return r;
        struct events *E = m->events;
        for (size_t i = 0; i < E->n_followers; i++)
                if (E->followers[i] == client)
                        return r;
        if (E->n_followers == E->cap_followers) {
                size_t nc = E->cap_followers ? 2 * E->cap_followers : 4;
                void **nf = realloc(E->followers, nc * sizeof(void *));
                if (!nf) {
                        cJSON_Delete(r);
                        return proto_reply_error(PROTO_E_FAILED, "out of memory");
                }
                E->followers = nf;
                E->cap_followers = nc;
        }
        E->followers[E->n_followers++] = client;
        return r;
}

void events_unfollow(struct svd *m, void *client) {
        struct events *E = m->events;
        if (!E)
                return;
        for (size_t i = 0; i < E->n_followers; i++)
                if (E->followers[i] == client) {
                        E->followers[i] = E->followers[--E->n_followers];
                        return;
                }
}

void events_done(struct svd *m) {
        if (!m->events)
                return;
        for (size_t i = 0; i < EVENTS_RING; i++)
                free(m->events->ring[i].text);
        free(m->events->followers);
        free(m->events);
        m->events = NULL;
}

/* ---- across a daemon-reexec (snapshot.c) ---- */

cJSON *events_save_json(struct svd *m) {
        cJSON *arr = cJSON_CreateArray();
        struct events *E = m->events;
        for (size_t k = 0; arr && E && k < E->n; k++) {
                const struct event *e = &E->ring[(E->head + EVENTS_RING - E->n + k) % EVENTS_RING];
                cJSON *o = cJSON_CreateObject();
                if (!o)
                        break;
                cJSON_AddNumberToObject(o, "time", (double)e->time);
                cJSON_AddStringToObject(o, "service", ev_service(e));
                cJSON_AddStringToObject(o, "kind", e->kind);
                cJSON_AddStringToObject(o, "from", e->from);
                cJSON_AddStringToObject(o, "to", e->to);
                cJSON_AddStringToObject(o, "reason", ev_reason(e));
                cJSON_AddItemToArray(arr, o);
        }
        return arr;
}

/* The static name svc.c would have passed for this one, or NULL. */
static const char *value_name(bool health, const char *name) {
        if (!name)
                return NULL;
        for (int i = 0; i < (health ? (int)_HEALTH_MAX : (int)_ST_MAX); i++) {
                const char *n = health ? svc_health_name((enum svc_health)i) : svc_state_name((enum svc_state)i);
                if (strcmp(n, name) == 0)
                        return n;
        }
        return NULL;
}

static const char *str_of(const cJSON *o, const char *k) {
        return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, k));
}

/* Restored events are older than any this instance has emitted so far:
 * those are taken out, the restored ones put in, and they go back on top. */
void events_restore_json(struct svd *m, const cJSON *arr) {
        struct events *E = get(m), later;
        size_t dropped = 0;
        const cJSON *o;
        if (!E || !cJSON_IsArray(arr))
                return;
        later = *E;
        memset(E->ring, 0, sizeof E->ring);
        E->head = E->n = 0;
        cJSON_ArrayForEach(o, arr) {
                const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "time");
                const char *kind = str_of(o, "kind"), *name = str_of(o, "service"), *why = str_of(o, "reason");
                bool health = kind && strcmp(kind, "health") == 0;
                const char *from = value_name(health, str_of(o, "from")), *to = value_name(health, str_of(o, "to"));
                if (!cJSON_IsNumber(t) || !(t->valuedouble >= 0 && t->valuedouble < 9.0e15) || !kind ||
                    (!health && strcmp(kind, "state") != 0) || !from || !to || !name) {
                        dropped++; /* damage, or a kind or value this svd does not know */
                        continue;
                }
                place(E, (usec_t)t->valuedouble, health ? "health" : "state", from, to, ev_text(name, why ? why : ""));
        }
        for (size_t k = 0; k < later.n; k++) {
                struct event *e = &later.ring[(later.head + EVENTS_RING - later.n + k) % EVENTS_RING];
                place(E, e->time, e->kind, e->from, e->to, e->text);
                e->text = NULL; /* moved */
        }
        for (size_t i = 0; i < EVENTS_RING; i++)
                free(later.ring[i].text); /* those the ring had no room for */
        if (dropped)
                log_warn("daemon-reexec: %zu event%s of the history not understood; left out", dropped,
                         dropped == 1 ? "" : "s");
}

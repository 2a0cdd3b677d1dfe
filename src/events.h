/* events: service state and health changes as a stream. svc.c calls
 * events_emit() at every change (one line in set_state() and
 * svc_set_health()); svd keeps the last EVENTS_RING of them and fans each new
 * one out to followers ("events" with "follow": true), one frame per event:
 * {"v":1,"event":{"time","service","kind","from","to","reason"}}.
 * Followers use control.c's bounded output queue, like logs_follow: a slow
 * one is dropped, never waited for. */
#ifndef SVD_EVENTS_H
#define SVD_EVENTS_H

#include <cjson/cJSON.h>

struct svd;
struct svc;

#define EVENTS_RING 256

/* kind: "state" or "health"; from/to: the names of the old and new value.
 * All three are kept by pointer: static strings only. */
void events_emit(struct svd *m, const struct svc *s, const char *kind, const char *from, const char *to);

/* "events": {"events":[...]} the most recent ones, oldest first ("n": at most
 * that many, default all kept). */
cJSON *events_op_list(struct svd *m, const cJSON *req);
/* The same, and the client stays subscribed until events_unfollow(). */
cJSON *events_op_follow(struct svd *m, const cJSON *req, void *client);
void events_unfollow(struct svd *m, void *client);
void events_done(struct svd *m);

/* daemon-reexec: the ring as a JSON array, oldest first, and back (an entry
 * that does not read as one is left out, with a warning). */
cJSON *events_save_json(struct svd *m);
void events_restore_json(struct svd *m, const cJSON *arr);

#endif

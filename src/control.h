/* control: the control socket server. A Unix stream socket; each client sends
 * frames (proto.h) and gets one reply frame per request, in order. Peers are
 * identified with SO_PEERCRED: uid 0 and members of admin_group may change
 * state, everyone else may only read. Everything is bounded: clients, frame
 * size, pending output per client, idle time. */
#ifndef SVD_CONTROL_H
#define SVD_CONTROL_H

#include <stdbool.h>
#include <sys/types.h>

#include <cjson/cJSON.h>

struct svd;
struct control;

#define CONTROL_MAX_CLIENTS 64
#define CONTROL_ADMIN_RESERVE 8         /* of those, only for root and admin_group */
/* and of the rest, what one other user may hold: one user's connections
 * (a looping script, a stuck exporter) cannot lock the other users out */
#define CONTROL_MAX_PER_USER 16
#define CONTROL_MAX_PENDING (4u << 20) /* unsent reply bytes per client */
/* and of all clients but root's and admin_group's together: one user with
 * many connections that read nothing cannot make svd hold 56 x 4 MiB */
#define CONTROL_MAX_PENDING_USERS (16u << 20)
/* and the read buffers those connections hold for requests still coming
 * in (up to a frame each, PROTO_MAX_FRAME): 56 of them would be 56 MiB */
#define CONTROL_MAX_READING_USERS (4u << 20)
#define CONTROL_IDLE_TIMEOUT 60.0      /* seconds without a request */

struct control_peer {
        pid_t pid;
        uid_t uid;
        gid_t gid;
        bool admin;
};

int control_open(struct svd *m, struct control **ret);
/* After a reload changed admin_group: each open connection's administrator
 * flag is decided again, as for a new one (it was decided at accept, and a
 * connection held open must not keep rights the new group no longer gives). */
void control_reauth(struct control *c);
/* daemon-reexec: the listening socket (kept) and the replies still queued,
 * written out before the exec closes every client (for about a second in
 * all: a client that does not read is not waited for longer). */
int control_listen_fd(const struct control *c);
void control_flush_all(struct control *c);
void control_close(struct control *c);

/* Handles one request; returns the reply (never NULL unless out of memory),
 * or CONTROL_DEFERRED: an op took a control_defer and replies later. */
cJSON *control_handle(struct svd *m, const cJSON *req, const struct control_peer *peer);

/* Deferred replies, for an op that waits for something (a child process)
 * without stalling the loop: while a request handler runs, it takes the
 * request with control_defer and returns CONTROL_DEFERRED; later, from a
 * loop callback, it sends the reply with control_defer_reply. Meanwhile the
 * client's further requests wait (one reply per request, in order) and its
 * idle timeout does not run. A client that goes away meanwhile is logged;
 * the handle stays valid (control_defer_gone says so) and the reply is then
 * dropped. A handle is always completed exactly once, and never before the
 * op has returned CONTROL_DEFERRED. */
struct control_defer;
extern cJSON control_deferred_reply;
#define CONTROL_DEFERRED (&control_deferred_reply)
/* NULL if the request is not a client's being handled now, or out of memory:
 * the op must then reply at once. req and peer: control_handle's. */
struct control_defer *control_defer(struct svd *m, const cJSON *req, const struct control_peer *peer);
/* Queues reply (taken over; audited like a direct reply) and frees d. Not
 * for a reply that holds a secret: it is not wiped once sent. */
void control_defer_reply(struct control_defer *d, cJSON *reply);
bool control_defer_gone(const struct control_defer *d);

#endif

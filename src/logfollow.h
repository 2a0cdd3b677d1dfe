/* logfollow: the log operations of the control protocol. "logs" lists each
 * service's files in chronological order (svctl reads them itself: the files
 * are 0640, group admin); "logs_follow" does the same and then keeps the
 * client subscribed: every batch of new lines goes to it as one frame
 * {"lines":[{"service","time","stream","text"}]}. A follower that does not read
 * fills its bounded queue in control.c and is dropped; svd never waits for it.
 * "reopen_logs" reopens every file (as SIGUSR1 does). */
#ifndef SVD_LOGFOLLOW_H
#define SVD_LOGFOLLOW_H

#include <stdbool.h>

#include <cjson/cJSON.h>

struct svd;
struct control_peer;

cJSON *logs_op_list(struct svd *m, const cJSON *req);
/* On success (reply "ok") the client is subscribed until logs_unfollow().
 * Administrators only (the lines are what the 0640 files hold); refused on
 * a connection that already follows logs. */
cJSON *logs_op_follow(struct svd *m, const cJSON *req, void *client, const struct control_peer *peer);
void logs_unfollow(struct svd *m, void *client);
cJSON *logs_op_reopen(struct svd *m, const struct control_peer *peer);

/* A reload removed the service name: each connection following its lines
 * alone gets an error saying so (code 4, not found) after the last of them,
 * and is closed; a stream with nothing more to come would wait forever (and
 * take up the lines of a later service of that name). */
void logs_follow_removed(struct svd *m, const char *name);

/* control.c: queues one frame to a client; false if the client was dropped
 * (its queue was full) and must not be used any more. */
bool control_client_send(void *client, const cJSON *msg);
/* control.c: ends client's logs_follow with an error frame (msg, code a
 * proto_code) and closes the connection once it is written. */
void control_logs_ended(void *client, int code, const char *msg);

#endif

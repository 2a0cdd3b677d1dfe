/* control_turns: fair turns for control clients with requests left over.
 * A client that pipelines requests would otherwise have every whole
 * request svd read from it handled in one callback (a 4 KiB read holds
 * about 140 status requests, each a reply about every service), holding
 * the event loop while everyone else waits. Instead a client gets
 * CONTROL_TURN_USEC of request handling at a time; one with more waiting
 * joins the back of a queue and svd stops reading from it meanwhile (what
 * it sends waits in its socket). The queue is served one client per loop
 * iteration, whatever else that iteration has to do: the events that are
 * ready (other clients' requests, children, timers, log pipes) are handled
 * in the same iteration, and the queued clients take their turns in order.
 * (Not "only when the loop is idle": with services that keep their log
 * pipes full the loop is never idle, and a queued client waited for ever.) */
#ifndef SVD_CONTROL_TURNS_H
#define SVD_CONTROL_TURNS_H

#include <stdbool.h>

#include "control.h"
#include "util.h"

/* request handling one client gets before it must wait for its next turn */
#define CONTROL_TURN_USEC (2 * USEC_PER_MSEC)

struct ev_loop;
struct control_turns;

/* cb(client) is called from the loop when a queued client's turn comes
 * (it has left the queue then: it joins again if it still has more).
 * 0 or -ENOMEM. */
int control_turns_open(struct ev_loop *loop, void (*cb)(void *client), struct control_turns **ret);
/* Queues client at the back, unless it is queued already. The queue holds
 * CONTROL_MAX_CLIENTS: one place for every client there can be. */
void control_turns_add(struct control_turns *t, void *client);
/* Takes client out of the queue (a client going away); harmless if not in. */
void control_turns_remove(struct control_turns *t, void *client);
void control_turns_close(struct control_turns *t);

#endif

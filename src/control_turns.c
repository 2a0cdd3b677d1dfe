/* control_turns: see control_turns.h. The queue is a small array (at most
 * one entry per client, CONTROL_MAX_CLIENTS), kept in order by moving its
 * entries: cheaper than a list at that size and it allocates nothing. A
 * check watcher (run once in every loop iteration, after the poll) gives
 * the turns; an idle watcher that does nothing keeps the poll from blocking
 * while clients are queued, so a turn does not wait for an unrelated event.
 * Both run only while the queue is not empty. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <ev.h>

#include "control_turns.h"

struct control_turns {
        struct ev_loop *loop;
        ev_check turn;
        ev_idle nonblock;
        void (*cb)(void *client);
        void *q[CONTROL_MAX_CLIENTS];
        size_t n;
};

static void queue_stop(struct control_turns *t)
{
        ev_check_stop(t->loop, &t->turn);
        ev_idle_stop(t->loop, &t->nonblock);
}

static void turn_cb(struct ev_loop *loop, ev_check *w, int revents)
{
        struct control_turns *t = w->data;
        (void)loop;
        (void)revents;
        if (!t->n) {
                queue_stop(t);
                return;
        }
        void *client = t->q[0];
        memmove(t->q, t->q + 1, --t->n * sizeof(t->q[0]));
        if (!t->n)
                queue_stop(t);
        t->cb(client); /* (may queue it again, or free it) */
}

/* (its being active is what counts: the poll does not block) */
static void nonblock_cb(struct ev_loop *loop, ev_idle *w, int revents)
{
        (void)loop;
        (void)w;
        (void)revents;
}

int control_turns_open(struct ev_loop *loop, void (*cb)(void *client), struct control_turns **ret)
{
        struct control_turns *t = calloc(1, sizeof(*t));
        if (!t)
                return -ENOMEM;
        t->loop = loop;
        t->cb = cb;
        ev_check_init(&t->turn, turn_cb);
        t->turn.data = t;
        ev_idle_init(&t->nonblock, nonblock_cb);
        *ret = t;
        return 0;
}

void control_turns_add(struct control_turns *t, void *client)
{
        for (size_t i = 0; i < t->n; i++)
                if (t->q[i] == client)
                        return;
        if (t->n == CONTROL_MAX_CLIENTS) /* never: each client has its place */
                return;
        t->q[t->n++] = client;
        ev_check_start(t->loop, &t->turn);
        ev_idle_start(t->loop, &t->nonblock);
}

void control_turns_remove(struct control_turns *t, void *client)
{
        for (size_t i = 0; i < t->n; i++)
                if (t->q[i] == client) {
                        memmove(t->q + i, t->q + i + 1, (t->n - i - 1) * sizeof(t->q[0]));
                        if (!--t->n)
                                queue_stop(t);
                        return;
                }
}

void control_turns_close(struct control_turns *t)
{
        if (!t)
                return;
        queue_stop(t);
        free(t);
}

/* control_turns: see control_turns.h. The queue is a small array (at most
 * one entry per client, CONTROL_MAX_CLIENTS), kept in order by moving its
 * entries: cheaper than a list at that size and it allocates nothing. The
 * idle watcher runs only while clients are queued; while it is active the
 * loop polls without blocking. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <ev.h>

#include "control_turns.h"

struct control_turns {
        struct ev_loop *loop;
        ev_idle idle;
        void (*cb)(void *client);
        void *q[CONTROL_MAX_CLIENTS];
        size_t n;
};

static void turn_cb(struct ev_loop *loop, ev_idle *w, int revents)
{
        struct control_turns *t = w->data;
        if (!t->n) {
                ev_idle_stop(loop, w);
                return;
        }
        void *client = t->q[0];
        memmove(t->q, t->q + 1, --t->n * sizeof(t->q[0]));
        if (!t->n)
                ev_idle_stop(loop, w);
        t->cb(client); /* (may queue it again, or free it) */
}

int control_turns_open(struct ev_loop *loop, void (*cb)(void *client), struct control_turns **ret)
{
        struct control_turns *t = calloc(1, sizeof(*t));
        if (!t)
                return -ENOMEM;
        t->loop = loop;
        t->cb = cb;
        ev_idle_init(&t->idle, turn_cb);
        t->idle.data = t;
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
        ev_idle_start(t->loop, &t->idle);
}

void control_turns_remove(struct control_turns *t, void *client)
{
        for (size_t i = 0; i < t->n; i++)
                if (t->q[i] == client) {
                        memmove(t->q + i, t->q + i + 1, (t->n - i - 1) * sizeof(t->q[0]));
                        if (!--t->n)
                                ev_idle_stop(t->loop, &t->idle);
                        return;
                }
}

void control_turns_close(struct control_turns *t)
{
        if (!t)
                return;
        ev_idle_stop(t->loop, &t->idle);
        free(t);
}

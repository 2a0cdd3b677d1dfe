/* probe_repeat: see probe_repeat.h. The table is an array of pointers sorted
 * by id (svd's ids grow, so an add is an append), searched by bisection for
 * each result; entries do not move, their libev watchers stay valid. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "probe_repeat.h"
#include "util.h"

struct rep {
        struct probe_repeat *t;
        struct probe_req req;
        ev_periodic tick;
        usec_t last_run; /* CLOCK_MONOTONIC */
        bool busy;       /* a run is in flight */
        bool replied;    /* a first result went to svd */
        bool last_ok;    /* ... and the last one passed */
};

struct probe_repeat {
        struct ev_loop *loop;
        probe_run_fn run;
        probe_now_fn now;
        void *userdata;
        struct rep **v;
        size_t n, cap;
};

int probe_repeat_new(struct ev_loop *loop, probe_run_fn run, probe_now_fn now, void *userdata,
                     struct probe_repeat **ret)
{
        struct probe_repeat *t = calloc(1, sizeof(*t));
        if (!t)
                return -ENOMEM;
        *t = (struct probe_repeat){ .loop = loop, .run = run, .now = now, .userdata = userdata };
        *ret = t;
        return 0;
}

static void rep_free(struct rep *e)
{
        ev_periodic_stop(e->t->loop, &e->tick);
        probe_req_done(&e->req);
        free(e);
}

void probe_repeat_free(struct probe_repeat *t)
{
        if (!t)
                return;
        for (size_t i = 0; i < t->n; i++)
                rep_free(t->v[i]);
        free(t->v);
        free(t);
}

size_t probe_repeat_count(const struct probe_repeat *t)
{
        return t->n;
}

/* The position of id, or where it would go (*found false). */
static size_t find(const struct probe_repeat *t, int64_t id, bool *found)
{
        size_t lo = 0, hi = t->n;

        if (hi && t->v[hi - 1]->req.id < id) {
                *found = false;
                return hi;
        }
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (t->v[mid]->req.id < id)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        *found = lo < t->n && t->v[lo]->req.id == id;
        return lo;
}

static void run(struct rep *e)
{
        struct probe_result res;

        e->busy = true;
        e->last_run = now_mono();
        if (e->t->run(&e->req, &res, e->t->userdata) > 0)
                e->t->now(&res, e->t->userdata); /* ends the run: probe_repeat_result */
}

static void on_tick(struct ev_loop *loop, ev_periodic *w, int revents)
{
        struct rep *e = w->data;
        usec_t every = (usec_t)e->req.every_ms * USEC_PER_MSEC;

        /* Never two runs at once (a timeout longer than the period); and not
         * again right after the first run, when the grid instant it was
         * rounded to lies just ahead of its arrival. */
        if (e->busy || now_mono() - e->last_run < every / 2)
                return;
        run(e);
}

int probe_repeat_add(struct probe_repeat *t, struct probe_req *req)
{
        bool found;
        size_t i = find(t, req->id, &found);

        if (found) {
                rep_free(t->v[i]);
                memmove(t->v + i, t->v + i + 1, (t->n - i - 1) * sizeof(*t->v));
                t->n--;
        }
        if (t->n >= PROBE_REPEAT_MAX)
                return -ENOSPC;
        if (t->n == t->cap) {
                size_t cap = t->cap ? t->cap * 2 : 64;
                struct rep **v = realloc(t->v, cap * sizeof(*v));
                if (!v)
                        return -ENOMEM;
                t->v = v;
                t->cap = cap;
        }
        struct rep *e = calloc(1, sizeof(*e));
        if (!e)
                return -ENOMEM;
        e->t = t;
        e->req = *req;
        *req = (struct probe_req){ 0 };
        memmove(t->v + i + 1, t->v + i, (t->n - i) * sizeof(*t->v));
        t->v[i] = e;
        t->n++;

        /* The grid: svd sent it at an instant of its slot grid (health.c),
         * which is the same realtime grid, so checks sent together stay
         * together and one wakeup runs them all. */
        uint64_t every = e->req.every_ms, g = probe_grid_ms(e->req.every_ms);
        uint64_t phase = ((uint64_t)(ev_now(t->loop) * 1e3) % every + g / 2) / g * g;
        if (phase >= every)
                phase -= every;
        ev_periodic_init(&e->tick, on_tick, (double)phase / 1e3, (double)every / 1e3, NULL);
        e->tick.data = e;
        ev_periodic_start(t->loop, &e->tick);
        run(e);
        return 0;
}

void probe_repeat_cancel(struct probe_repeat *t, int64_t id)
{
        bool found;
        size_t i = find(t, id, &found);

        if (!found)
                return;
        rep_free(t->v[i]);
        memmove(t->v + i, t->v + i + 1, (t->n - i - 1) * sizeof(*t->v));
        t->n--;
}

bool probe_repeat_result(struct probe_repeat *t, const struct probe_result *res)
{
        bool found;
        size_t i = find(t, res->id, &found);

        if (!found)
                return false;
        struct rep *e = t->v[i];
        bool wait = e->replied && e->last_ok && res->ok;
        e->busy = false;
        e->replied = true;
        e->last_ok = res->ok;
        return wait;
}

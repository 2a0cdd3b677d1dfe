/* graph: start order and cycle naming over the dependency edges of a config
 * generation. Waves are Kahn's algorithm taken a level at a time: a service
 * joins the first wave after all of its dependencies, so everything in one wave
 * can start in parallel. Cycles are found with an iterative DFS (no recursion:
 * a long chain must not overflow PID 1's stack) so the error can print the
 * actual loop instead of "there is a cycle somewhere". Dependencies whose index
 * is out of range (unresolved names) are ignored; validation reports those. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "graph.h"

#define UNASSIGNED UINT_MAX

static bool dep_ok(const struct svd_config *c, const struct dep_config *d)
{
        return d->index < c->n_svcs;
}

int graph_waves(const struct svd_config *c, unsigned *wave_of)
{
        size_t assigned = 0;
        unsigned wave = 0;

        for (size_t i = 0; i < c->n_svcs; i++)
                wave_of[i] = UNASSIGNED;
        /* wave_of doubles as Kahn's "removed" set: a node is ready for wave w
         * when every dependency was assigned a wave < w. Each round assigns at
         * least one node or proves the rest lie on or behind a cycle. */
        while (assigned < c->n_svcs) {
                size_t before = assigned;

                for (size_t i = 0; i < c->n_svcs; i++) {
                        const struct svc_config *s = &c->svcs[i];
                        bool ready = wave_of[i] == UNASSIGNED;

                        for (size_t j = 0; ready && j < s->n_deps; j++) {
                                const struct dep_config *d = &s->deps[j];

                                if (dep_ok(c, d) &&
                                    (wave_of[d->index] == UNASSIGNED || wave_of[d->index] >= wave))
                                        ready = false;
                        }
                        if (ready) {
                                wave_of[i] = wave;
                                assigned++;
                        }
                }
                if (assigned == before)
                        return -ELOOP;
                wave++;
        }
        return (int)wave;
}

enum { WHITE, GREY, BLACK };

struct frame {
        size_t node;
        size_t next_dep;
};

static char *cycle_string(const struct svd_config *c, const struct frame *stack, size_t depth, size_t from)
{
        size_t len = 1;
        char *buf, *p;

        for (size_t k = from; k < depth; k++)
                len += strlen(c->svcs[stack[k].node].name) + 4;
        len += strlen(c->svcs[stack[from].node].name);
        if (!(p = buf = malloc(len)))
                return NULL;
        for (size_t k = from; k < depth; k++) {
                const char *name = c->svcs[stack[k].node].name;

                memcpy(p, name, strlen(name));
                p += strlen(name);
                memcpy(p, " -> ", 4);
                p += 4;
        }
        strcpy(p, c->svcs[stack[from].node].name);
        return buf;
}

char *graph_find_cycle(const struct svd_config *c, size_t *ret_first)
{
        _cleanup_(freep) unsigned char *color = calloc(c->n_svcs + 1, 1);
        _cleanup_(freep) struct frame *stack = calloc(c->n_svcs + 1, sizeof *stack);

        if (!color || !stack)
                return NULL;
        /* Roots in name order and edges in file order make the reported cycle
         * the same on every run. */
        for (size_t root = 0; root < c->n_svcs; root++) {
                size_t depth = 0;

                if (color[root] != WHITE)
                        continue;
                stack[depth++] = (struct frame){ root, 0 };
                color[root] = GREY;
                while (depth > 0) {
                        struct frame *f = &stack[depth - 1];
                        const struct svc_config *s = &c->svcs[f->node];

                        if (f->next_dep == s->n_deps) {
                                color[f->node] = BLACK;
                                depth--;
                                continue;
                        }
                        const struct dep_config *d = &s->deps[f->next_dep++];

                        if (!dep_ok(c, d) || color[d->index] == BLACK)
                                continue;
                        if (color[d->index] == GREY) {
                                size_t from = depth - 1;

                                while (stack[from].node != d->index)
                                        from--;
                                if (ret_first)
                                        *ret_first = d->index;
                                return cycle_string(c, stack, depth, from);
                        }
                        color[d->index] = GREY;
                        stack[depth++] = (struct frame){ d->index, 0 };
                }
        }
        return NULL;
}

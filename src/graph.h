/* graph: the dependency DAG over svd_config.svcs (edges from dep_config.index).
 * Pure: no I/O; graph_waves allocates nothing, graph_find_cycle only scratch
 * space and its result (NULL on allocation failure too). Dependencies whose
 * index is >= n_svcs (unresolved) are ignored. */
#ifndef SVD_GRAPH_H
#define SVD_GRAPH_H

#include <stddef.h>

#include "config.h"

/* Start waves: wave_of[i] is the wave of service i (0 = no dependencies);
 * services in one wave start in parallel. Returns the number of waves, or
 * -ELOOP if there is a cycle (then see graph_find_cycle). wave_of has n_svcs
 * entries. Dependencies must have been resolved (dep_config.index). */
int graph_waves(const struct svd_config *c, unsigned *wave_of);

/* Finds one cycle; returns a malloc'd "a -> b -> c -> a" and the index of its
 * first service in *ret_first, or NULL if the graph is acyclic. */
char *graph_find_cycle(const struct svd_config *c, size_t *ret_first);

#endif

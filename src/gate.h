/* gate: start_when conditions that keep a service waiting until the host can
 * take it (MemAvailable, PSI memory pressure). Read from /proc only while a
 * service actually waits on them. */
#ifndef SVD_GATE_H
#define SVD_GATE_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

/* True if s may start now; otherwise why says what it waits for, e.g.
 * "waiting (memory): 6.0G available needed, 1.2G available". */
bool gate_open(const struct start_when_config *w, char *why, size_t len);
bool gate_configured(const struct start_when_config *w);

#endif

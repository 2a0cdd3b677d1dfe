/* probe_repeat: svd-probe's repeating checks (a request with every_ms, see
 * probe_proto.h). Each runs at once and then on its grid of the realtime
 * clock, one run at a time; the table remembers whether its last reply was a
 * pass, which decides whether the next pass may wait (svd-probe.c). A
 * healthy service's check thus costs svd nothing per run: svd sends it once
 * and hears from it in batches. */
#ifndef SVD_PROBE_REPEAT_H
#define SVD_PROBE_REPEAT_H

#include <stdbool.h>

#include <ev.h>

#include "probe_proto.h"

#define PROBE_REPEAT_MAX 65536 /* repeating checks at once */

struct probe_repeat;

/* Starts one run of req: its result comes later through the prober's done
 * callback, or at once in *ret_now (return > 0). */
typedef int (*probe_run_fn)(const struct probe_req *req, struct probe_result *ret_now, void *userdata);
/* Where a result produced without a run (ret_now above) goes. */
typedef void (*probe_now_fn)(const struct probe_result *res, void *userdata);

int probe_repeat_new(struct ev_loop *loop, probe_run_fn run, probe_now_fn now, void *userdata,
                     struct probe_repeat **ret);
void probe_repeat_free(struct probe_repeat *t);

/* Takes over *req (left reset, nothing to free) and runs it at once; a check
 * of the same id is replaced. -ENOSPC at PROBE_REPEAT_MAX, -ENOMEM. */
int probe_repeat_add(struct probe_repeat *t, struct probe_req *req);
/* Ends the check of that id (a run in flight still replies); unknown ids are
 * ignored. */
void probe_repeat_cancel(struct probe_repeat *t, int64_t id);
/* A result: true if it may wait for company (a pass of a repeating check
 * whose previous reply was a pass). Ends that check's run in flight. */
bool probe_repeat_result(struct probe_repeat *t, const struct probe_result *res);
/* Repeating checks in the table. */
size_t probe_repeat_count(const struct probe_repeat *t);

#endif
